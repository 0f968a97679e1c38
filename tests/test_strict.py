"""What a rule file may not hold (fenxiao._internal.strict, issue 20 item 3): a JSON key written twice, text UTF-8
cannot hold, numbers in digits other than ASCII; refused by path at load and at lint, never rounded or guessed."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao._internal.strict import (
    DUPLICATE_PROBLEM,
    SURROGATE_PROBLEM,
    JsonObjects,
    ascii_number,
    other_digits,
    problems_of,
)
from fenxiao.authoring.documents import lint_text
from fenxiao.errors import ValidationError
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy
from fenxiao.serialization import from_dict, loads

RULE = '{"name": "a", "tier": "L1", "when": {"input": "units_30d", "op": ">=", "value": 0}}'


def test_a_key_written_twice_in_json_is_refused_with_its_path_and_key() -> None:
    """A rule's tier written as L1 then L5 read as L5 (the last wins in json); TOML refuses it, and now JSON too."""
    text = (
        '{"rules": [{"name": "a", "tier": "L1", "tier": "L5", "when": {"input": "units_30d", "op": ">=", "value": 0}}]}'
    )
    with pytest.raises(ValidationError) as info:
        loads(text, TierPolicy)
    (error,) = info.value.errors
    assert (error.path, error.value, error.problem) == ("rules[0].tier", "tier", DUPLICATE_PROBLEM)
    assert error.line == 1
    report = lint_text(text, format="json")
    assert not report.loaded
    assert [(f.path, f.code) for f in report.findings] == [("rules[0].tier", "invalid")]
    assert "twice" in report.findings[0].message


def test_a_key_written_twice_at_the_top_and_in_a_condition_is_refused_at_each_place() -> None:
    """Every key written twice is named: a top-level one and one inside a condition, in the order of the text."""
    text = (
        '{"name": "x", "name": "y", "rules": [{"name": "a", "tier": "L1", '
        '"when": {"input": "units_30d", "op": ">=", "op": "<", "value": 0}}]}'
    )
    with pytest.raises(ValidationError) as info:
        loads(text, TierPolicy)
    assert [e.path for e in info.value.errors] == ["name", "rules[0].when.op"]


def test_the_same_document_without_repeats_loads() -> None:
    """A JSON policy whose keys are unique loads as before (the hook changes nothing else)."""
    policy = loads('{"rules": [' + RULE + "]}", TierPolicy)
    assert policy.rules[0].tier is Tier.L1


def test_a_lone_surrogate_in_a_label_is_refused_at_load_with_its_path() -> None:
    """ "\\ud800" decodes to a str no output can write: refused at load, naming labels.L1, not printed later."""
    text = '{"rules": [' + RULE + '], "labels": {"L1": "bad\\ud800label"}}'
    with pytest.raises(ValidationError) as info:
        loads(text, TierPolicy)
    (error,) = info.value.errors
    assert (error.path, error.problem) == ("labels.L1", SURROGATE_PROBLEM)
    assert [f.path for f in lint_text(text, format="json").findings] == ["labels.L1"]


def test_a_lone_surrogate_in_a_key_or_in_python_data_is_refused() -> None:
    """In a key of any table (TOML lets a raw one through in a str), and in a str field read by from_dict."""
    with pytest.raises(ValidationError, match="lone surrogate"):
        loads(
            'name = "x\ud800"\n[[rules]]\nname = "a"\ntier = "L1"\nwhen = {input = "units_30d", op = ">=", value = 0}',
            TierPolicy,
            format="toml",
        )
    with pytest.raises(ValidationError, match="lone surrogate"):
        from_dict({"rules": [json.loads(RULE)], "name": "\udcff"}, TierPolicy)
    found = list(problems_of({"a": {"\ud800": 1}}))
    assert [(e.path, e.problem) for e in found] == [('a["\\ud800"]', SURROGATE_PROBLEM)]


def test_a_surrogate_pair_is_text() -> None:
    """An escaped pair is one character outside the BMP: it loads."""
    text = '{"rules": [' + RULE + '], "labels": {"L1": "\\ud83d\\ude00"}}'
    assert loads(text, TierPolicy).label(Tier.L1) == "\U0001f600"


def test_the_object_hook_counts_the_objects_with_a_key_written_twice() -> None:
    """JsonObjects marks exactly the objects with a repeated key, so the walk runs only when one exists."""
    objects = JsonObjects()
    data = json.loads('{"a": {"b": 1, "b": 2}, "c": {"d": 1}, "c": 3}', object_pairs_hook=objects)
    assert objects.marked == 2
    assert data == {"a": {"b": 2}, "c": 3}
    assert sorted(e.path for e in problems_of(data, texts=False)) == ["a.b", "c"]


@pytest.mark.parametrize("text", ["٩٠", "９０", "9٠", "١٢.٥", "٥%"])
def test_digits_other_than_ascii_are_no_number(text: str) -> None:
    """Decimal reads Arabic-Indic and full-width digits; a file may not."""
    assert ascii_number(text.removesuffix("%")) is None
    assert other_digits(text)
    with pytest.raises(ValidationError, match="ASCII digits"):
        from_dict(text, Decimal)


@given(st.text(max_size=12))
def test_ascii_number_reads_only_ascii_digits_and_agrees_with_decimal(text: str) -> None:
    """What ascii_number accepts is ASCII, and Decimal reads it as the same finite number."""
    written = ascii_number(text)
    if written is not None:
        assert written.isascii()
        assert written == text.strip()
        assert Decimal(written).is_finite()


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_every_finite_decimal_written_out_is_an_ascii_number(number: Decimal) -> None:
    """str() of any finite Decimal (exponents included) reads back through ascii_number as itself."""
    written = ascii_number(str(number))
    assert written is not None
    try:
        assert Decimal(written) == number
    except InvalidOperation:  # pragma: no cover - Decimal reads what it writes
        pytest.fail(written)
