"""Thresholds in the rule's own units: a threshold written "5%" reads, explains and is written back as 5%."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import PolicyError
from fenxiao.rules.interpreter import explain
from fenxiao.rules.language import Compare, Op, condition_from_data, condition_to_data, scalar_from_data
from fenxiao.rules.moves import complement


def test_a_percentage_is_remembered_and_shown() -> None:
    """ "5%" is 0.05 to compare, 5% to read; written back as "5%"; equal to the same rule written 0.05."""
    written = condition_from_data({"input": "refund_rate", "op": "<=", "value": "5%"})
    plain = condition_from_data({"input": "refund_rate", "op": "<=", "value": "0.05"})
    assert isinstance(written, Compare)
    assert (written.value, written.unit, str(written)) == (Decimal("0.05"), "%", "refund_rate <= 5%")
    assert written == plain
    assert hash(written) == hash(plain)
    assert str(plain) == "refund_rate <= 0.05"
    assert condition_to_data(written) == {"input": "refund_rate", "op": "<=", "value": "5%"}
    assert condition_to_data(plain) == {"input": "refund_rate", "op": "<=", "value": "0.05"}


def test_checks_show_actual_threshold_and_gap_in_the_rules_unit() -> None:
    """An unmet 5% rule at 8%: 'refund_rate 8%: <= 5% needed (-3%)'; a met one, a missing one, a negated one."""
    rule = condition_from_data({"input": "refund_rate", "op": "<=", "value": "5%"})
    (check,) = explain(rule, {"refund_rate": Decimal("0.08")}).checks
    assert str(check) == "refund_rate 8%: <= 5% needed (-3%)"
    assert str(explain(rule, {"refund_rate": Decimal("0.05")}).checks[0]) == "refund_rate 5% <= 5%"
    assert str(explain(rule, {"refund_rate": None}).checks[0]) == "refund_rate missing: <= 5% needed"
    negated = condition_from_data({"not": {"input": "refund_rate", "op": ">", "value": "30%"}})
    assert str(explain(negated, {"refund_rate": Decimal("0.35")}).checks[0]) == "refund_rate 35% must not be > 30%"


def test_a_list_with_a_percentage_is_shown_in_percent() -> None:
    """between ["5%", "10%"] reads as [5%, 10%]."""
    rule = condition_from_data({"input": "refund_rate", "op": "between", "value": ["5%", "10%"]})
    assert str(rule) == "refund_rate between [5%, 10%]"
    assert condition_to_data(rule)["value"] == ["5%", "10%"]


def test_only_known_units() -> None:
    """A unit is '' or '%'."""
    with pytest.raises(PolicyError, match=r"Compare\.unit"):
        Compare("refund_rate", Op.LE, Decimal("0.05"), unit="‰")


@given(st.integers(0, 10**6).map(lambda ppm: Decimal(ppm).scaleb(-6)))
def test_a_percentage_round_trips_exactly(value: Decimal) -> None:
    """Any rate written as a percentage reads back to the same number and the same text."""
    text = condition_to_data(Compare("refund_rate", Op.LE, value, unit="%"))["value"]
    assert scalar_from_data(text) == value
    again = condition_from_data({"input": "refund_rate", "op": "<=", "value": text})
    assert condition_to_data(again)["value"] == text


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (Op.GT, Decimal("0.3"), (((Op.LE, Decimal("0.3")),),)),
        (Op.EQ, True, (((Op.NE, True),),)),
        (Op.BETWEEN, (Decimal(1), Decimal(9)), (((Op.LT, Decimal(1)),), ((Op.GT, Decimal(9)),))),
        (Op.IN, ("a", "b"), (((Op.NE, "a"), (Op.NE, "b")),)),
    ],
)
def test_complement_is_what_not_asks(op: Op, value: object, expected: object) -> None:
    """not >: <=; not ==: !=; not between: below or above; not in: none of them."""
    assert complement(op, value) == expected  # type: ignore[arg-type]


@given(
    st.sampled_from(list(Op)),
    st.integers(0, 10).map(Decimal),
    st.integers(0, 10).map(Decimal),
    st.integers(-1, 11).map(Decimal),
)
def test_complement_holds_exactly_where_the_comparison_fails(op: Op, a: Decimal, b: Decimal, x: Decimal) -> None:
    """For every operator and value, some alternative of the complement holds iff the comparison does not."""
    value: object = (min(a, b), max(a, b)) if op in (Op.BETWEEN, Op.IN) else a
    holds = explain(Compare("x", op, value), {"x": x}).passed
    alternatives = complement(op, value)  # type: ignore[arg-type]
    some = any(all(explain(Compare("x", o, v), {"x": x}).passed for o, v in conj) for conj in alternatives)
    assert some != holds
