"""Every problem at once: one ValidationError lists every problem of a document, each with its path and place."""

from __future__ import annotations

import json
import pickle
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fenxiao import Catalog, Category, Influencer, InvalidValueError, Sku, ValidationError
from fenxiao.errors import MAX_LISTED_PROBLEMS
from fenxiao.serialization import from_dict, loads, to_dict
from fenxiao.testing import strategies as fst
from tests.test_serialization import Corruption, corruptions


def _apart(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    """Whether neither place is the other or inside it."""
    n = min(len(a), len(b))
    return a[:n] != b[:n]


def _plant(data: st.DataObject, document: dict[str, Any], count: int) -> tuple[dict[str, Any], list[Corruption]]:
    """Up to *count* single-field corruptions of *document*, at places apart from each other, all applied."""
    found = corruptions(Catalog, document, lambda n: data.draw(st.integers(0, n - 1), label="index"))
    chosen: list[Corruption] = []
    for i in data.draw(st.permutations(range(len(found))), label="order"):
        candidate = found[i]
        if all(_apart(candidate.where, c.where) and _apart(candidate.expected, c.expected) for c in chosen):
            chosen.append(candidate)
            if len(chosen) == count:
                break
    for corruption in chosen:
        document = corruption.apply(document)
    return document, chosen


def _line_of(text: str, error: InvalidValueError) -> str:
    assert error.line is not None
    return text.split("\n")[error.line - 1]  # lines end at "\n" only, as JSON and TOML count them


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), count=st.integers(1, 20))
def test_a_document_with_n_planted_problems_yields_one_error_listing_exactly_those_n_paths(
    data: st.DataObject, count: int
) -> None:
    """Wrong types, ranges, id patterns, floats, missing and unknown keys, planted anywhere: one error names all.

    Read from JSON text, each problem also has the line and column of the key or item it is about.
    """
    document, planted = _plant(data, to_dict(data.draw(fst.catalogs(min_size=2, max_size=3))), count)
    expected = sorted(c.path for c in planted)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    with pytest.raises(ValidationError) as from_text:
        loads(text, Catalog)
    assert sorted(e.path for e in from_text.value.errors) == expected, [str(c) for c in planted]
    assert f"({len(planted)} problem" in str(from_text.value)
    for error in from_text.value.errors:
        assert error.line is not None
        assert error.column is not None
        assert f"line {error.line}, column {error.column}: {error.path}: " in str(from_text.value)
        name = [part for part in error.path.replace("]", "[").split("[") if part and not part.isdigit()][-1]
        key = name.rsplit(".", 1)[-1]
        if not error.path.endswith("]") and "is required" not in error.problem:
            assert f'"{key}"' in _line_of(text, error)  # the line of the key itself
    with pytest.raises(ValidationError) as from_data:
        from_dict(document, Catalog)
    assert sorted(e.path for e in from_data.value.errors) == expected


def test_every_rule_a_field_breaks_is_reported_not_only_the_first() -> None:
    """Range, id-pattern, blank-text and negative-amount rules of one record are all collected."""
    document = {
        "id": "kol 1",
        "name": " ",
        "fans": -5,
        "level": 11,
        "main_category_ids": ["c-1", "c-1"],
        "price_band_low": "-1.00",
    }
    with pytest.raises(ValidationError) as info:
        from_dict(document, Influencer)
    assert [e.path for e in info.value.errors] == [
        "id",
        "name",
        "fans",
        "main_category_ids[1]",
        "level",
        "price_band_low",
    ]
    assert [e.problem for e in info.value.errors] == [
        "must be an id of 1-64 letters, digits or _.:- characters",
        "must not be blank",
        "must not be negative",
        "is listed twice",
        "must be between 0 and 10",
        "must not be negative",
    ]


def test_a_field_of_the_wrong_type_does_not_hide_the_rules_of_the_others() -> None:
    """A record whose field cannot be read still has every other field checked by its rule."""
    with pytest.raises(ValidationError) as info:
        from_dict({"id": "kol-1", "name": "", "fans": "many", "level": -1}, Influencer)
    assert [(e.path, e.problem) for e in info.value.errors] == [
        ("fans", "must be a whole number"),
        ("name", "must not be blank"),
        ("level", "must be between 0 and 10"),
    ]


_SKU = {
    "id": "sku-1",
    "merchant_id": "m-1",
    "category_id": "c-dress",
    "title": "碎花连衣裙",
    "price": "129.00",
    "joined_at": "2026-11-01T09:00:00+08:00",
}


def test_a_float_names_its_path_and_place_and_hides_nothing() -> None:
    """A float deep in a catalog is reported at its path, line and column, next to the document's other problems."""
    text = json.dumps({"skus": [_SKU, {**_SKU, "id": "sku-2", "price": 12.5, "title": ""}]}, indent=2)
    with pytest.raises(ValidationError) as info:
        loads(text, Catalog)
    assert [(e.path, e.line, e.column) for e in info.value.errors] == [
        ("skus[1].title", 15, 7),
        ("skus[1].price", 16, 7),
    ]
    assert "  line 16, column 7: skus[1].price: has a float; write amounts and rates as strings, got '12.5'" in (
        str(info.value).splitlines()
    )


def test_json_nan_and_exponents_are_floats_too() -> None:
    """NaN, Infinity and exponents are refused like fractions, each at its own path."""
    text = '{"id": "c-1", "path": [NaN, 1e3, -Infinity]}'
    with pytest.raises(ValidationError) as info:
        loads(text, Category)
    assert [(e.path, e.value, e.column) for e in info.value.errors] == [
        ("path[0]", "NaN", 24),
        ("path[1]", "1e3", 29),
        ("path[2]", "-Infinity", 34),
    ]


@attrs.frozen
class _Notes:
    """A record with a field that takes any value."""

    name: str
    extra: Mapping[str, Any]


def test_a_float_is_refused_even_where_any_value_goes() -> None:
    """A float in a field that would accept anything is still a problem: no float enters through text."""
    assert loads('{"name": "a", "extra": {"x": 1}}', _Notes) == _Notes("a", {"x": 1})
    with pytest.raises(ValidationError) as info:
        loads('{"name": "a", "extra": {"x": 1.5}}', _Notes)
    assert [(e.path, e.problem) for e in info.value.errors] == [
        ("extra.x", "has a float; write amounts and rates as strings")
    ]


def test_toml_problems_carry_their_line_and_column() -> None:
    """TOML places a problem at its key (indented keys keep their column)."""
    text = 'id = "sku 1"\nmerchant_id = "m-1"\ncategory_id = "c-dress"\n  title = "t"\nprice = 1.5\n'
    with pytest.raises(ValidationError) as info:
        loads(text, Sku, format="toml")
    assert [(e.path, e.line, e.column) for e in info.value.errors] == [
        ("joined_at", None, None),  # missing from the top level: no place but the document
        ("id", 1, 1),
        ("price", 5, 1),
    ]
    assert str(info.value).splitlines()[1:] == [
        "  joined_at: is required",
        "  line 1, column 1: id: must be an id of 1-64 letters, digits or _.:- characters, got 'sku 1'",
        "  line 5, column 1: price: has a float; write amounts and rates as strings, got '1.5'",
    ]


def test_the_message_lists_up_to_the_cap_and_counts_the_rest() -> None:
    """Past MAX_LISTED_PROBLEMS the message says how many more; .errors keeps every problem."""
    extra = {f"unknown_{i:03}": i for i in range(MAX_LISTED_PROBLEMS + 50)}
    with pytest.raises(ValidationError) as info:
        loads(json.dumps({**_SKU, **extra}), Sku)
    lines = str(info.value).splitlines()
    assert lines[0] == f"invalid Sku ({MAX_LISTED_PROBLEMS + 50} problems):"
    assert len(lines) == 1 + MAX_LISTED_PROBLEMS + 1
    assert lines[-1] == "  ... and 50 more"
    assert len(info.value.errors) == MAX_LISTED_PROBLEMS + 50


def test_located_errors_pickle_with_their_place() -> None:
    """A ValidationError from text crosses a process boundary with every line and column."""
    with pytest.raises(ValidationError) as info:
        loads('{"id": "c 1", "path": []}', Category)
    error = ValidationError(info.value.errors, what=info.value.what)  # not the cattrs error it was raised from
    back = pickle.loads(pickle.dumps(error))
    assert str(back) == str(info.value)
    assert [(e.line, e.column) for e in back.errors] == [(e.line, e.column) for e in info.value.errors]


def test_a_valid_document_reads_as_before() -> None:
    """The collecting read is only for documents that fail: a valid one gives the same value as always."""
    assert loads(json.dumps(_SKU), Sku) == from_dict(_SKU, Sku)
