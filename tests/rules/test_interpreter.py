"""The interpreter: every operator at its boundaries, a missing value, explanations and their text (each case
pins one branch that mutation testing found untested: issue 20, item 6; docs/testing.md "Mutation testing"); and
``in``: a long list is looked up in its set, with exactly the answers of a scan (issue 20, item 4).
"""

from __future__ import annotations

import pickle
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import FenxiaoError, InvalidValueError
from fenxiao.rules.compiler import compile_program
from fenxiao.rules.interpreter import (
    Check,
    _compare,
    _contains,
    _gap,
    _member_set,
    _shortfall,
    difference,
    evaluate,
    explain,
    explain_comparison,
    make_check,
)
from fenxiao.rules.language import All, AnyOf, Compare, Not, Op, Value
from fenxiao.serialization import dumps, from_dict, loads, to_dict

D = Decimal


@pytest.mark.parametrize(
    ("op", "actual", "value", "expected"),
    [
        (Op.GE, D(5), D(5), True),
        (Op.GE, D("4.99"), D(5), False),
        (Op.GT, D(5), D(5), False),
        (Op.GT, D("5.01"), D(5), True),
        (Op.LE, D(5), D(5), True),
        (Op.LE, D("5.01"), D(5), False),
        (Op.LT, D(5), D(5), False),
        (Op.LT, D("4.99"), D(5), True),
        (Op.EQ, D(5), D("5.0"), True),
        (Op.EQ, D(5), D(6), False),
        (Op.NE, D(5), D(6), True),
        (Op.NE, D(5), D(5), False),
        (Op.BETWEEN, D(1), (D(1), D(3)), True),  # inclusive at the low end
        (Op.BETWEEN, D(3), (D(1), D(3)), True),  # and at the high end
        (Op.BETWEEN, D("0.99"), (D(1), D(3)), False),
        (Op.BETWEEN, D("3.01"), (D(1), D(3)), False),
        (Op.BETWEEN, D(2), D(2), True),  # a single value is a range of one
        (Op.BETWEEN, D(3), D(2), False),
        (Op.IN, "b", ("a", "b"), True),
        (Op.IN, "c", ("a", "b"), False),
        (Op.IN, "a", "a", True),  # a single value is a list of one
        (Op.IN, "b", "a", False),
        (Op.EQ, True, True, True),
        (Op.NE, "warned", "ok", True),
    ],
)
def test_every_operator_decides_at_its_boundary(op: Op, actual: object, value: Value, expected: bool) -> None:
    assert _compare(op, actual, value) is expected


COMPARED = st.sampled_from([None, 0, 1, 13, 14, 100, D("0"), D("-0"), D("13.99"), D("14.00"), D("1E+3"), D("NaN")])


@given(st.sampled_from([Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.NE]), COMPARED, st.sampled_from(["", "%"]))
def test_one_comparisons_check_is_the_one_explain_records(op: Op, actual: object, unit: str) -> None:
    """explain_comparison() gives explain()'s check of that comparison, field for field (or its error)."""
    node = Compare("x", op, D("14.0"), unit)
    try:
        expected = repr(attrs.astuple(explain(node, {"x": actual}).checks[0], recurse=False))
    except InvalidValueError as exc:
        with pytest.raises(InvalidValueError, match=re.escape(str(exc))):
            explain_comparison(node, {"x": actual})
        return
    assert repr(attrs.astuple(explain_comparison(node, {"x": actual}), recurse=False)) == expected


@given(st.sampled_from([Op.GE, Op.GT, Op.LE, Op.LT]), COMPARED)
def test_the_compiled_explanations_gap_is_the_interpreters(op: Op, actual: object) -> None:
    """_shortfall() (compiled explanations, values as capture() checked them) is _gap() of an ordered comparison."""
    assert repr(_shortfall(D("14.0"), actual)) == repr(_gap(op, actual, D("14.0")))


@pytest.mark.parametrize("op", list(Op))
def test_a_missing_value_satisfies_no_comparison(op: Op) -> None:
    value: Value = (D(1), D(2)) if op in (Op.BETWEEN, Op.IN) else D(1)
    assert _compare(op, None, value) is False
    node = Compare("x", op, value)
    assert evaluate(node, {"x": None}) is False
    assert evaluate(Not(node), {"x": None}) is True


def test_combinators_decide_as_and_or_not() -> None:
    high, low = Compare("x", Op.GE, D(5)), Compare("x", Op.LT, D(2))
    assert evaluate(All((high, low)), {"x": D(6)}) is False
    assert evaluate(AnyOf((high, low)), {"x": D(6)}) is True
    assert evaluate(AnyOf((high, low)), {"x": D(3)}) is False
    assert evaluate(Not(high), {"x": D(3)}) is True
    assert evaluate(All(()), {}) is True
    assert evaluate(AnyOf(()), {}) is False


@pytest.mark.parametrize(
    ("actual", "kind"),
    [(95.5, "float"), (True, "bool")],
)
def test_a_float_or_bool_against_a_number_is_refused(actual: object, kind: str) -> None:
    with pytest.raises(InvalidValueError, match=rf"inputs\.x: must be an int or a Decimal, not a {kind}"):
        evaluate(Compare("x", Op.GE, D(5)), {"x": actual})


def test_a_bool_against_a_flag_is_compared() -> None:
    assert evaluate(Compare("flag", Op.EQ, True), {"flag": True}) is True
    assert evaluate(Compare("flag", Op.EQ, True), {"flag": False}) is False


def test_a_value_that_cannot_be_ordered_names_the_input_and_threshold() -> None:
    with pytest.raises(InvalidValueError, match=r"inputs\.x: cannot be compared with 5 \(>=\), got 'high'"):
        evaluate(Compare("x", Op.GE, D(5)), {"x": "high"})


def test_a_missing_input_names_it() -> None:
    with pytest.raises(InvalidValueError, match=r"inputs\.units: is needed by the condition"):
        evaluate(Compare("units", Op.GE, D(5)), {})


@pytest.mark.parametrize(
    ("op", "actual", "threshold", "gap"),
    [
        (Op.GE, D(3), D(5), D(2)),
        (Op.GT, D(3), D(5), D(2)),
        (Op.LE, D(7), D(5), D(-2)),
        (Op.LT, 7, D(5), D(-2)),  # an int actual too
        (Op.BETWEEN, D(0), (D(1), D(3)), D(1)),
        (Op.BETWEEN, D(5), (D(1), D(3)), D(-2)),
        (Op.BETWEEN, D(2), (D(1), D(3)), None),  # inside: no distance
        (Op.EQ, D(3), D(5), None),  # no direction to move for == or in
        (Op.IN, D(3), (D(5),), None),
        (Op.GE, True, D(5), None),  # a bool is not a number
        (Op.GE, "x", D(5), None),
        (Op.GE, D("NaN"), D(5), None),
        (Op.GE, D(3), "x", None),
    ],
)
def test_the_gap_is_how_far_the_input_must_move(op: Op, actual: object, threshold: Value, gap: D | None) -> None:
    assert _gap(op, actual, threshold) == gap


def test_a_difference_decimal_cannot_hold_is_none() -> None:
    assert difference(D("9E+999999999999999999"), D("-9E+999999999999999999")) is None
    assert difference(D(5), D(3)) == D(2)


def test_explain_records_every_comparison_in_order_with_negation() -> None:
    cond = All((Compare("a", Op.GE, D(5)), Not(Compare("b", Op.EQ, D(1))), Compare("c", Op.LE, D(2))))
    result = explain(cond, {"a": D(3), "b": D(1), "c": D(1)})
    assert result.passed is False
    assert result.condition == cond
    assert [(c.input, c.passed, c.negated, c.gap) for c in result.checks] == [
        ("a", False, False, D(2)),
        ("b", False, True, None),  # a negated check has no gap to show
        ("c", True, False, None),
    ]
    assert [c.input for c in result.unmet()] == ["a", "b"]
    assert explain(cond, {"a": D(6), "b": D(2), "c": D(1)}).passed is True


def test_explain_of_any_of_agrees_with_evaluate() -> None:
    cond = AnyOf((Compare("a", Op.GE, D(5)), Compare("b", Op.GE, D(5))))
    for values in ({"a": D(6), "b": D(0)}, {"a": D(0), "b": D(0)}):
        assert explain(cond, values).passed is evaluate(cond, values)


@pytest.mark.parametrize(
    ("check", "text"),
    [
        (make_check("a", Op.GE, D(5), D(3), False, False, D(2)), "a 3 < 5 needed (+2)"),
        (make_check("a", Op.GT, D(5), D(3), False, False, D(2)), "a 3: > 5 needed (+2 and more)"),
        (make_check("a", Op.LT, D(5), D(7), False, False, D(-2)), "a 7: < 5 needed (-2 and more)"),
        (make_check("a", Op.LE, D(5), D(7), False, False, D(-2)), "a 7: <= 5 needed (-2)"),
        (make_check("a", Op.LE, D(5), D(7), False, False, D(0)), "a 7: <= 5 needed"),
        (make_check("a", Op.EQ, D(5), D(3), False, False, None), "a 3: == 5 needed"),
        (make_check("a", Op.GE, D(5), D(6), True, False, None), "a 6 >= 5"),
        (make_check("a", Op.EQ, D(5), D(5), False, True, None), "a 5 must not be == 5"),
        (make_check("a", Op.EQ, D(5), D(6), True, True, None), "a 6 not == 5"),
        (make_check("a", Op.GE, D(5), None, False, False, None), "a missing: >= 5 needed"),
        (make_check("a", Op.GE, D(5), None, True, True, None), "a missing, so not >= 5"),
        (make_check("r", Op.LE, D("0.05"), D("0.08"), False, False, D("-0.03"), "%"), "r 8%: <= 5% needed (-3%)"),
        (make_check("r", Op.GE, D("0.05"), 1, True, False, None, "%"), "r 100% >= 5%"),  # an int shown as a percent
        (make_check("f", Op.EQ, True, False, False, False, None), "f false: == true needed"),
        (make_check("t", Op.IN, ("a", "b"), "c", False, False, None), "t 'c': in ['a', 'b'] needed"),
        (make_check("n", Op.GE, D(5), [1], False, False, None), "n [1] < 5 needed"),
    ],
)
def test_a_check_reads_as_a_sentence(check: Check, text: str) -> None:
    assert str(check) == text


def test_make_check_equals_the_constructor() -> None:
    fast = make_check("a", Op.GE, D(5), D(3), False, True, D(2), "%")
    assert fast == Check("a", Op.GE, D(5), D(3), False, True, D(2), "%")
    assert (fast.negated, fast.gap, fast.unit) == (True, D(2), "%")


_FIELD_VALUES = st.tuples(
    st.sampled_from(["a", "units_30d", "score.service"]),
    st.sampled_from(list(Op)),
    st.one_of(st.decimals(allow_nan=False, places=2), st.tuples(st.just(D(1)), st.just(D(3))), st.text(max_size=3)),
    st.one_of(st.none(), st.integers(), st.decimals(allow_nan=False, places=2), st.booleans(), st.text(max_size=3)),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.decimals(allow_nan=False, places=2)),
    st.sampled_from(["", "%"]),
)


@given(_FIELD_VALUES)
def test_a_trusted_check_is_the_constructors_value(fields: tuple[object, ...]) -> None:
    """make_check (and every compiled explanation, which builds checks the same way) gives exactly the value the
    attrs constructor gives: the same class, fields, equality, hash, repr, pickle, evolve and file form, and it is
    as frozen."""
    fast = make_check(*fields)  # type: ignore[arg-type]
    slow = Check(*fields)  # type: ignore[arg-type]
    assert type(fast) is Check
    assert attrs.astuple(fast, recurse=False) == attrs.astuple(slow, recurse=False) == fields
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    assert str(fast) == str(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert attrs.evolve(fast, passed=not fast.passed) == attrs.evolve(slow, passed=not slow.passed)
    assert to_dict(fast) == to_dict(slow)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.passed = True  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del fast.gap


@pytest.mark.parametrize(
    "check",
    [
        make_check("a", Op.GE, D(5), D("4.5"), False, False, D("0.5")),
        make_check("a", Op.BETWEEN, (D(1), D(3)), D(5), False, False, D(-2)),
        make_check("t", Op.IN, ("a", "b"), "c", False, False, None),
        make_check("t", Op.EQ, D(5), "5.0", False, False, None),  # text compared with a number reads back as one
        make_check("t", Op.EQ, "a", "b", False, False, None),  # text compared with text stays text
        make_check("f", Op.EQ, True, None, False, False, None),
        make_check("n", Op.GE, D(5), 7, True, False, None),
    ],
)
def test_a_check_round_trips_through_its_file_form(check: Check) -> None:
    back = loads(dumps(check), Check)
    assert (back.input, back.op, back.threshold, back.passed, back.gap) == (
        check.input,
        check.op,
        check.threshold,
        check.passed,
        check.gap,
    )
    if isinstance(check.actual, str) and isinstance(check.threshold, Decimal):
        assert back.actual == D(check.actual)  # a number compared with numbers is read as one
    else:
        assert back.actual == check.actual


def test_a_check_whose_actual_value_is_not_plain_data_is_refused() -> None:
    text = dumps(make_check("a", Op.GE, D(5), D(3), False, False, D(2))).replace('"actual": "3"', '"actual": [3]')
    with pytest.raises(FenxiaoError, match=r"actual: must be a number, true or false, text or null"):
        loads(text, Check)


def test_in_against_a_single_number_is_equality() -> None:
    assert _compare(Op.IN, D(1), D(1)) is True
    assert _compare(Op.IN, D(2), D(1)) is False


@pytest.mark.parametrize(
    ("node", "actual", "message"),
    [
        (
            Compare("x", Op.GE, D(5)),
            95.5,
            "inputs.x: must be an int or a Decimal, not a float (write exact numbers as int, Decimal or text), "
            "got 95.5",
        ),
        (Compare("x", Op.GE, D(5)), True, "inputs.x: must be an int or a Decimal, not a bool, got True"),
        (
            Compare("x", Op.BETWEEN, (D(1), D(2))),
            1.5,
            "inputs.x: must be an int or a Decimal, not a float (write exact numbers as int, Decimal or text), got 1.5",
        ),
        (Compare("x", Op.IN, ("a", D(2))), False, "inputs.x: must be an int or a Decimal, not a bool, got False"),
    ],
)
def test_a_float_or_bool_against_numbers_is_refused_with_the_whole_message(
    node: Compare, actual: object, message: str
) -> None:
    with pytest.raises(InvalidValueError) as raised:
        evaluate(node, {"x": actual})
    assert str(raised.value) == message


def test_a_float_against_text_or_flags_is_only_compared() -> None:
    assert evaluate(Compare("x", Op.IN, ("a", "b")), {"x": 1.5}) is False
    assert evaluate(Compare("x", Op.EQ, True), {"x": True}) is True


@pytest.mark.parametrize(
    ("check", "text"),
    [
        (make_check("r", Op.LE, D("0.05"), None, True, True, None, "%"), "r missing, so not <= 5%"),
        (make_check("r", Op.LE, D("0.05"), None, False, False, None, "%"), "r missing: <= 5% needed"),
        (make_check("r", Op.EQ, D("0.05"), "n/a", False, False, None, "%"), "r 'n/a': == 5% needed"),
        (
            make_check("d", Op.EQ, "x", date(2026, 1, 2), False, False, None),
            "d 2026-01-02: == 'x' needed",
        ),
    ],
)
def test_a_check_shows_a_percentage_and_other_values_as_written(check: Check, text: str) -> None:
    assert str(check) == text


def test_a_gap_under_one_keeps_its_sign_and_an_end_of_a_range_has_none() -> None:
    assert str(make_check("a", Op.GE, D(5), D("4.5"), False, False, D("0.5"))) == "a 4.5 < 5 needed (+0.5)"
    assert str(make_check("a", Op.LE, D(5), D("5.5"), False, False, D("-0.5"))) == "a 5.5: <= 5 needed (-0.5)"
    assert _gap(Op.BETWEEN, D(1), (D(1), D(3))) is None
    assert _gap(Op.BETWEEN, D(3), (D(1), D(3))) is None


def test_a_number_compared_with_text_reads_back_as_text() -> None:
    check = make_check("t", Op.EQ, "a", "5.0", False, False, None)
    back = loads(dumps(check), Check)
    assert back.actual == "5.0"
    assert isinstance(back.actual, str)
    flags = make_check("f", Op.EQ, True, "5", False, False, None)
    assert loads(dumps(flags), Check).actual == "5"


@pytest.mark.parametrize(("threshold", "where"), [(None, "threshold"), ([1, None], "threshold")])
def test_a_threshold_that_is_not_a_value_names_the_field(threshold: object, where: str) -> None:
    data = to_dict(make_check("a", Op.GE, D(5), D(3), False, False, D(2)))
    data["threshold"] = threshold
    with pytest.raises(FenxiaoError) as raised:
        from_dict(data, Check)
    message = str(raised.value)
    assert f"{where}" in message
    assert "must be a number" in message
    assert "XX" not in message
    assert "None:" not in message


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
