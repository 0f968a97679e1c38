"""The interpreter's ``in``: a long list is looked up in its set, with exactly the answers of a scan (issue 20)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fenxiao.rules.compiler import compile_program
from fenxiao.rules.interpreter import _contains, _member_set, evaluate
from fenxiao.rules.language import Compare, Op

SCALARS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-100, max_value=100),
    st.integers(-100, 100).map(Decimal),
    st.booleans(),
    st.sampled_from(["a", "b", "warned"]),
)
ACTUALS = st.one_of(
    SCALARS,
    st.integers(-100, 100),
    st.fractions(max_denominator=4).filter(lambda f: abs(f) < 100),
    st.just(Decimal("NaN")),
    st.just([1]),  # unhashable: compared one by one
)


@given(st.lists(SCALARS, min_size=0, max_size=40).map(tuple), ACTUALS)
def test_contains_is_exactly_in(values: tuple[object, ...], actual: object) -> None:
    """Equal numbers hash alike (1 == Decimal(1) == True), so the set answers as the scan does, for any value."""
    assert _contains(values, actual) == (actual in values)


def test_a_list_keeps_its_set_and_a_list_of_unhashable_values_is_scanned() -> None:
    values = tuple(Decimal(i) for i in range(100))
    assert _member_set(values) is _member_set(values)
    assert _contains(values, Fraction(99, 1))
    assert not _contains(values, Decimal("99.5"))
    mixed: tuple[object, ...] = (*range(20), [1])
    assert _member_set(mixed) is None
    assert _contains(mixed, [1])


def test_a_long_in_list_compiles_to_a_set_and_answers_as_the_interpreter() -> None:
    """A compiled ``in`` of 100,000 values is one lookup, with the interpreter's answers."""
    values = tuple(Decimal(i) for i in range(0, 200_000, 2))
    rule = Compare("units_30d", Op.IN, values)
    program = compile_program([rule], None, integers=["units_30d"])
    assert program is not None
    assert "frozenset" in program.source
    for units in (0, 1, 2, 199_998, 199_999, 200_000):
        assert program.choose({"units_30d": units}) == (0 if evaluate(rule, {"units_30d": units}) else -1)
