"""The private TOML writer: what tomllib reads back is what was written."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao._internal.toml import dumps
from fenxiao.errors import InvalidValueError

KEYS = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True), st.text(max_size=8))
SCALARS = st.one_of(st.text(max_size=12), st.integers(-(2**63), 2**63 - 1), st.booleans())


def _values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(KEYS, st.one_of(inner, st.none()), max_size=4),
        ),
        max_leaves=12,
    )


DOCUMENTS = st.dictionaries(KEYS, st.one_of(_values(SCALARS), st.none()), max_size=5)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _contains_none_in_list(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_none_in_list(v) for v in value.values())
    if isinstance(value, list):
        return any(v is None or _contains_none_in_list(v) for v in value)
    return False


@given(document=DOCUMENTS)
def test_tomllib_reads_back_what_was_written(document: dict[str, Any]) -> None:
    """Any dict of strings, ints, bools, lists and dicts round-trips, with None values dropped."""
    if _contains_none_in_list(document):
        with pytest.raises(InvalidValueError, match="TOML cannot hold inside an array"):
            dumps(document)
        return
    assert tomllib.loads(dumps(document)) == _without_none(document)


def test_tables_arrays_of_tables_and_inline_tables() -> None:
    """Dicts become [tables], lists of dicts [[arrays]], dicts inside other lists inline tables."""
    document = {
        "title": "t",
        "service": {"refund_rate": {"breakpoints": [["0", "100"], ["1", "0"]]}},
        "caps": [{"metric": "x", "limit": "60"}, {"metric": "y", "limit": "50"}],
        "mixed": [{"a": 1}, 2],
        "empty": {},
    }
    text = dumps(document)
    assert text == (
        'title = "t"\n'
        "mixed = [{ a = 1 }, 2]\n"
        "\n"
        "[service.refund_rate]\n"
        'breakpoints = [["0", "100"], ["1", "0"]]\n'
        "\n"
        "[[caps]]\n"
        'metric = "x"\n'
        'limit = "60"\n'
        "\n"
        "[[caps]]\n"
        'metric = "y"\n'
        'limit = "50"\n'
        "\n"
        "[empty]\n"
    )
    assert tomllib.loads(text) == document


def test_strings_and_keys_are_escaped() -> None:
    """Quotes, backslashes, control characters and DEL are escaped; CJK stays readable."""
    document = {'a "key"': 'say "hi"\\\n\t\x00\x7f', "品牌": "服务力"}
    text = dumps(document)
    assert '"品牌" = "服务力"' in text
    assert "\\u0000" in text
    assert "\\u007F" in text
    assert tomllib.loads(text) == document


def test_an_empty_document_is_empty_text() -> None:
    """Nothing to write, nothing written."""
    assert dumps({}) == ""
    assert dumps({"a": None}) == ""


@pytest.mark.parametrize(
    ("document", "match"),
    [
        ({"x": 0.5}, r"x: is a float; write exact numbers as strings"),
        ({"t": {"x": [1, 0.5]}}, r"t\.x\[1\]: is a float"),
        ({"x": 2**63}, r"x: is outside the 64-bit integers"),
        ({"x": [1, None]}, r"x\[1\]: is None"),
        ({"x": object()}, r"x: has a type TOML cannot hold \(object\)"),
        ({1: "x"}, r"must be a string key"),
    ],
)
def test_values_toml_cannot_hold_are_refused_with_their_path(document: dict[Any, Any], match: str) -> None:
    """Floats, huge ints, None in arrays and foreign types name where they are."""
    with pytest.raises(InvalidValueError, match=match):
        dumps(document)


def test_the_top_level_must_be_a_table() -> None:
    """A TOML document is a table."""
    with pytest.raises(InvalidValueError, match="must be a table"):
        dumps([1, 2])  # type: ignore[arg-type]  # the wrong type is the point


def test_very_deep_nesting_is_refused() -> None:
    """Bounded recursion instead of a RecursionError."""
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(150):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(InvalidValueError, match="nests deeper than 100 levels"):
        dumps(deep)
