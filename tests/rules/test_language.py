"""The condition language: data form, checking, evaluation, explanation and the exact witness search."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal, Inexact, Rounded, localcontext
from itertools import product
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fenxiao.rules as face
from fenxiao.errors import FenxiaoError, InvalidValueError, PolicyError
from fenxiao.grading.tiers import TierRule, default_tier_policy
from fenxiao.rules import interpreter, language, witness
from fenxiao.rules.interpreter import evaluate, explain
from fenxiao.rules.language import (
    MAX_CONDITION_DEPTH,
    All,
    AnyOf,
    Compare,
    Condition,
    InputKind,
    InputSpec,
    Not,
    Op,
    Schema,
    check,
    condition_from_data,
    condition_to_data,
    inputs_of,
)
from fenxiao.rules.moves import bound, escape, meeting_value
from fenxiao.rules.witness import find_witness
from fenxiao.serialization import from_dict, to_dict

D = Decimal
SCHEMA = Schema.of(
    InputSpec("score", low=D(0), high=D(100)),
    InputSpec("units", integer=True, low=D(0)),
    InputSpec("refund", low=D(0), high=D(1), better="lower"),
    InputSpec("flag", kind=InputKind.BOOL, better=None),
    InputSpec("cat", kind=InputKind.TEXT, better=None),
)
# Thresholds drawn from a small set so that values land exactly on them often.
SCORE_T = [D(0), D(40), D("59.99"), D(60), D(100)]
UNIT_T = [D(0), D(1), D(999), D(1000)]
REFUND_T = [D(0), D("0.1"), D("0.3"), D(1)]
# A grid holding every threshold and points between: brute force over it decides satisfiability.
GRID: dict[str, list[Any]] = {
    "score": [D(0), D(20), D(40), D(50), D("59.99"), D("59.995"), D(60), D(80), D(100)],
    "units": [D(0), D(1), D(2), D(500), D(999), D(1000), D(1001)],
    "refund": [D(0), D("0.05"), D("0.1"), D("0.2"), D("0.3"), D("0.5"), D(1)],
    "flag": [False, True],
    "cat": ["c-gold", "c-dress", "other"],
}


def _numeric(name: str, thresholds: list[Decimal]) -> st.SearchStrategy[Condition]:
    ops = st.sampled_from([Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.NE])
    single = st.builds(Compare, st.just(name), ops, st.sampled_from(thresholds))
    between = st.tuples(st.sampled_from(thresholds), st.sampled_from(thresholds)).map(
        lambda p: Compare(name, Op.BETWEEN, (min(p), max(p)))
    )
    return single | between


LEAVES: st.SearchStrategy[Condition] = st.one_of(
    _numeric("score", SCORE_T),
    _numeric("units", UNIT_T),
    _numeric("refund", REFUND_T),
    st.builds(Compare, st.just("flag"), st.sampled_from([Op.EQ, Op.NE]), st.booleans()),
    st.lists(st.sampled_from(["c-gold", "c-dress"]), min_size=1, max_size=2, unique=True).map(
        lambda v: Compare("cat", Op.IN, tuple(v))
    ),
)
CONDITIONS: st.SearchStrategy[Condition] = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda c: All(tuple(c))),
        st.lists(inner, max_size=3).map(lambda c: AnyOf(tuple(c))),
        inner.map(Not),
    ),
    max_leaves=8,
)
VALUES = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in GRID.items()})


@given(CONDITIONS)
def test_every_generated_condition_passes_check(cond: Condition) -> None:
    """Well-formed conditions over declared inputs pass the schema check."""
    check(cond, SCHEMA)


@given(CONDITIONS)
def test_data_form_round_trips(cond: Condition) -> None:
    """condition_from_data inverts condition_to_data."""
    assert condition_from_data(condition_to_data(cond)) == cond


@given(CONDITIONS, VALUES)
def test_explanation_agrees_with_evaluation(cond: Condition, values: dict[str, Any]) -> None:
    """explain() reaches the same outcome as evaluate() and records every comparison."""
    explanation = explain(cond, values)
    assert explanation.passed == evaluate(cond, values)
    assert {c.input for c in explanation.checks} == inputs_of(cond)


@given(CONDITIONS, VALUES)
def test_a_single_all_explains_its_failure_by_its_unmet_checks(cond: Condition, values: dict[str, Any]) -> None:
    """For a flat 'all', the condition holds exactly when no comparison is unmet."""
    flat = All(tuple(c for c in (cond.conditions if isinstance(cond, All) else (cond,)) if isinstance(c, Compare)))
    explanation = explain(flat, values)
    assert explanation.passed == (not explanation.unmet())


@given(CONDITIONS)
def test_witness_search_is_exact(cond: Condition) -> None:
    """A witness satisfies the formula; no witness means no point of a dense grid satisfies it."""
    witness = find_witness(cond, SCHEMA)
    names = sorted(inputs_of(cond))
    if witness is not None:
        assert evaluate(cond, witness)
        assert set(witness) == set(names)
    else:
        for combo in product(*(GRID[n] for n in names)):
            assert not evaluate(cond, dict(zip(names, combo, strict=True)))


def test_gap_says_how_far_each_unmet_threshold_is() -> None:
    """Unmet checks carry the distance to their threshold, signed by direction."""
    cond = All((Compare("score", Op.GE, D(80)), Compare("refund", Op.LE, D("0.1")), Compare("units", Op.GT, D(999))))
    unmet = explain(cond, {"score": D("72.5"), "refund": D("0.25"), "units": 640}).unmet()
    assert [c.gap for c in unmet] == [D("7.5"), D("-0.15"), D(359)]
    assert [str(c) for c in unmet] == [
        "score 72.5 < 80 needed (+7.5)",
        "refund 0.25: <= 0.1 needed (-0.15)",
        "units 640: > 999 needed (+359 and more)",
    ]


def test_exactly_at_a_threshold_meets_ge_and_fails_gt() -> None:
    """A value exactly at the threshold meets >= and <=, and fails > and <."""
    at = {"score": D("60.00")}
    assert evaluate(Compare("score", Op.GE, D(60)), at)
    assert evaluate(Compare("score", Op.LE, D(60)), at)
    assert not evaluate(Compare("score", Op.GT, D(60)), at)
    assert not evaluate(Compare("score", Op.LT, D(60)), at)
    assert evaluate(Compare("score", Op.BETWEEN, (D(60), D(60))), at)


def test_integer_inputs_have_no_values_between_whole_numbers() -> None:
    """units > 0 and units < 1 cannot both hold for a whole-number input."""
    assert find_witness(All((Compare("units", Op.GT, D(0)), Compare("units", Op.LT, D(1)))), SCHEMA) is None
    assert find_witness(All((Compare("score", Op.GT, D(0)), Compare("score", Op.LT, D(1)))), SCHEMA) is not None


def test_search_stays_inside_declared_ranges() -> None:
    """A score cannot exceed its declared high of 100."""
    assert find_witness(Compare("score", Op.GT, D(100)), SCHEMA) is None
    assert find_witness(Compare("refund", Op.LT, D(0)), SCHEMA) is None


def test_text_thresholds_read_as_numbers_when_they_are_numbers() -> None:
    """'90', '0.05' and '5%' become exact Decimals; other text stays text."""
    assert condition_from_data({"input": "score", "op": ">=", "value": "90"}) == Compare("score", Op.GE, D(90))
    assert condition_from_data({"input": "refund", "op": "<=", "value": "5%"}) == Compare("refund", Op.LE, D("0.05"))
    assert condition_from_data({"input": "cat", "op": "in", "value": ["c-gold"]}) == Compare("cat", Op.IN, ("c-gold",))


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"input": "score", "op": "=>", "value": 1}, r"rules\[2\]\.when\.op", "must be one of"),
        ({"input": "score", "op": ">=", "value": 0.5}, r"rules\[2\]\.when\.value", "not a float"),
        ({"input": "score", "op": ">="}, r"rules\[2\]\.when\.value", "is required"),
        ({"input": "score", "op": ">=", "value": 1, "x": 1}, r"rules\[2\]\.when\.x", "not a known key"),
        ({"all": [{"input": "score", "op": "between", "value": 3}]}, r"rules\[2\]\.when\.all\[0\]\.value", "list"),
        ({"all": {}, "any": []}, r"rules\[2\]\.when", "exactly one key"),
        ({"not": 3}, r"rules\[2\]\.when\.not", "must be a table"),
    ],
)
def test_malformed_data_names_its_place(data: object, path: str, message: str) -> None:
    """Every malformed node raises PolicyError naming its path in the file."""
    with pytest.raises(PolicyError, match=path) as info:
        condition_from_data(data, "rules[2].when")
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("cond", "path", "message"),
    [
        (Compare("scroe", Op.GE, D(1)), r"when\.input", "did you mean 'score'"),
        (Compare("score", Op.GE, "high"), r"when\.value", "must be a number"),
        (Compare("flag", Op.EQ, D(1)), r"when\.value", "true or false"),
        (Compare("flag", Op.GE, True), r"when\.op", "cannot order"),
        (Compare("cat", Op.EQ, D(1)), r"when\.value", "must be text"),
        (Compare("score", Op.BETWEEN, (D(5), D(1))), r"when\.value", "low <= high"),
        (Compare("score", Op.IN, ()), r"when\.value", "non-empty"),
        (All((Compare("score", Op.GE, (D(1), D(2))),)), r"when\.all\[0\]\.value", "one value"),
    ],
)
def test_check_refuses_mistakes_against_the_schema(cond: Condition, path: str, message: str) -> None:
    """Unknown inputs and mistyped thresholds are PolicyErrors with their path."""
    with pytest.raises(PolicyError, match=path) as info:
        check(cond, SCHEMA)
    assert message in str(info.value)


def test_nesting_and_size_are_bounded() -> None:
    """Conditions nested too deeply are refused when read and when checked."""
    data: dict[str, Any] = {"input": "score", "op": ">=", "value": 1}
    cond: Condition = Compare("score", Op.GE, D(1))
    for _ in range(MAX_CONDITION_DEPTH + 1):
        data, cond = {"not": data}, Not(cond)
    with pytest.raises(PolicyError, match="deeper"):
        condition_from_data(data)
    with pytest.raises(PolicyError, match="deeper"):
        check(cond, SCHEMA)
    wide = All(tuple(Compare("score", Op.GE, D(i)) for i in range(300)))
    with pytest.raises(PolicyError, match="nodes"):
        check(wide, SCHEMA)


def test_a_missing_input_value_is_a_clear_error() -> None:
    """Evaluating without a needed input raises InvalidValueError naming it."""
    with pytest.raises(InvalidValueError, match=r"inputs\.units"):
        evaluate(Compare("units", Op.GE, D(1)), {"score": D(1)})


def test_every_error_here_is_a_fenxiao_error() -> None:
    """PolicyError is a FenxiaoError and a ValueError."""
    assert issubclass(PolicyError, FenxiaoError)
    assert issubclass(PolicyError, ValueError)


def test_search_budget_is_enforced() -> None:
    """An exhaustive search larger than its budget stops with a PolicyError rather than hanging."""
    many = Schema.of(*(InputSpec(f"x{i}", low=D(0), high=D(10)) for i in range(12)))
    hard = All(tuple(AnyOf((Compare(f"x{i}", Op.LT, D(5)), Compare(f"x{i}", Op.GT, D(5)))) for i in range(12)))
    never = All((hard, AnyOf(tuple(Compare(f"x{i}", Op.EQ, D(5)) for i in range(12)))))
    with pytest.raises(PolicyError, match="too large"):
        find_witness(never, many, budget=1000)


def test_infinite_thresholds_are_refused_like_the_loader_refuses_them() -> None:
    """Compare(..., Decimal("Infinity")) fails check() as "Infinity" fails to load."""
    for value in (D("Infinity"), D("-Infinity"), D("NaN")):
        with pytest.raises(PolicyError, match="finite"):
            check(Compare("score", Op.GE, value), SCHEMA)


def test_a_gap_too_large_for_decimal_is_not_shown() -> None:
    """Values near decimal's largest exponent: the comparison is explained without a gap instead of overflowing."""
    huge = D("9E+999999999999999999")
    (c,) = explain(Compare("score", Op.GE, huge), {"score": huge.copy_negate()}).checks
    assert not c.passed
    assert c.gap is None
    assert str(c).endswith("needed")


def test_the_rules_face_re_exports_the_language_and_its_interpreter() -> None:
    """``from fenxiao.rules import Compare, evaluate`` works; the compiler and the NumPy evaluator are not there."""
    for name in face.__all__:
        home = next(m for m in (language, interpreter, witness) if name in m.__all__)
        assert getattr(face, name) is getattr(home, name), name
    assert not {"Masks", "compile_program", "Program"} & set(face.__all__)
    assert face.evaluate(face.Compare("score", face.Op.GE, D(60)), {"score": D(61)})


def test_importing_fenxiao_and_its_rules_never_imports_numpy() -> None:
    """NumPy stays optional: fenxiao, fenxiao.rules and the compiler load without it (only masks need it)."""
    code = (
        "import sys, fenxiao, fenxiao.rules, fenxiao.rules.compiler, fenxiao.rules.witness\n"
        "print('numpy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


def test_moves_answer_for_every_operator() -> None:
    """bound, meeting_value and escape (what gaps and lint ask of one comparison) know every operator."""
    step = D("0.01")
    low_high = (D(1), D(9))
    assert [bound(op, D(5), lower=True) for op in (Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.NE)] == [
        D(5), D(5), None, None, None, None
    ]  # fmt: skip
    assert [bound(op, D(5), lower=False) for op in (Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.NE)] == [
        None, None, D(5), D(5), None, None
    ]  # fmt: skip
    assert bound(Op.BETWEEN, low_high, lower=True) == D(1)
    assert bound(Op.BETWEEN, low_high, lower=False) == D(9)
    assert bound(Op.IN, low_high, lower=True) is None
    met = {op: meeting_value(op, D(5), None, step) for op in (Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.NE)}
    assert met == {Op.GE: D(5), Op.GT: D("5.01"), Op.LE: D(5), Op.LT: D("4.99"), Op.EQ: D(5), Op.NE: None}
    assert meeting_value(Op.EQ, "normal", None, step) == "normal"
    assert meeting_value(Op.BETWEEN, low_high, D(3), step) == D(1)  # below the range: its low end
    assert meeting_value(Op.BETWEEN, low_high, D(-3), step) == D(9)
    assert meeting_value(Op.BETWEEN, low_high, None, step) is None
    assert meeting_value(Op.IN, ("a", "b"), None, step) == "a"
    for op, value in [(Op.GE, D(5)), (Op.GT, D(5)), (Op.LE, D(5)), (Op.LT, D(5)), (Op.EQ, D(5))]:
        for value_met in (D(4), D(5), D(6)):
            for better in ("higher", "lower", None):
                escaped = escape(op, value, better, D(1))
                if escaped is None:
                    continue
                # Where the comparison holds, the escape fails; where the escape holds, the comparison fails.
                assert (
                    evaluate(Compare("x", op, value), {"x": value_met})
                    != evaluate(Compare("x", escaped[0], escaped[1]), {"x": value_met})
                    or op is Op.EQ
                )
    assert escape(Op.EQ, D(0), "higher", D(1)) == (Op.GE, D(1))
    assert escape(Op.LT, D(14), "higher", D(1)) == (Op.GE, D(14))
    assert escape(Op.LT, D(14), "lower", D(1)) is None
    assert escape(Op.NE, D(1), "higher", D(1)) is None


# -- strict thresholds (issue 20 item 3) ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["٩٠", "９０", "٩٠%", "1٠"])
def test_a_threshold_in_digits_other_than_ascii_is_refused_on_a_number_input(text: str) -> None:
    """ "٩٠" and "９０" loaded as 90; they stay text, which a number input refuses, saying why."""
    condition = language.condition_from_data({"input": "score", "op": ">=", "value": text})
    with pytest.raises(PolicyError, match="ASCII digits"):
        check(condition, SCHEMA)


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**12), max_value=10**12),
    st.booleans(),
    st.integers(1, 50),
    st.booleans(),
)
def test_a_threshold_reads_the_same_under_any_decimal_context(
    number: Decimal, percent: bool, prec: int, traps: bool
) -> None:
    """Parsing (and the percentage's shift) is exact whatever the caller's precision and traps."""
    text = f"{number}%" if percent else str(number)
    expected = language.condition_from_data({"input": "score", "op": ">=", "value": text})
    with localcontext() as ctx:
        ctx.prec = prec
        if traps:
            ctx.traps[Inexact] = ctx.traps[Rounded] = True
        assert language.condition_from_data({"input": "score", "op": ">=", "value": text}) == expected
    assert expected == Compare("score", Op.GE, number.scaleb(-2) if percent else number)


def test_off_grid_explains_the_limit_and_is_instant_for_any_exponent() -> None:
    assert language.off_grid(D("9" * 28)) is None
    assert "28 significant digits" in str(language.off_grid(D("9" * 29)))
    assert "1E+30" in str(language.off_grid(D("1E+999999999999999999")))
    assert language.off_grid(D("-0.000")) is None
    assert language.off_grid(D("Infinity")) == "must be a finite number"


# -- cases mutation testing asked for (issue 20, item 6; docs/testing.md "Mutation testing") --------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("12.5%", D("0.125")),
        ("100%", D(1)),
        ("0.5%", D("0.005")),
        ("-2%", D("-0.02")),
        ("12.5", D("12.5")),
    ],
)
def test_a_percentage_is_read_exactly(written: str, value: Decimal) -> None:
    cond = condition_from_data({"input": "refund", "op": "<=", "value": written})
    assert isinstance(cond, Compare)
    assert cond.value == value
    assert cond.unit == ("%" if "%" in written else "")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("%", "is not a number"),
        ("abc%", "is not a number"),
        ("Infinity", "is not a number written in ASCII digits"),
        ("NaN%", "is not a number written in ASCII digits"),
        (D("Infinity"), "must be a finite number"),
        (True, "must be a number"),
        (1.5, "must be exact: write it as a string or an integer, not a float"),
        ([1], "must be a number"),
    ],
)
def test_a_threshold_that_is_not_a_finite_number_is_refused(raw: object, message: str) -> None:
    with pytest.raises(PolicyError, match=rf"when\.value: {message}"):
        language._number(raw, "when.value")


def test_a_scalar_reads_flags_numbers_and_text() -> None:
    assert language.scalar_from_data(True) is True
    assert language.scalar_from_data(False) is False
    assert language.scalar_from_data(7) == D(7)
    assert language.scalar_from_data(D("1.5")) == D("1.5")
    assert language.scalar_from_data("warned") == "warned"
    with pytest.raises(PolicyError, match=r"^value: must be a number"):
        language.scalar_from_data(None)


def _nested(levels: int) -> tuple[dict[str, Any], Condition]:
    data: dict[str, Any] = {"input": "score", "op": ">=", "value": 1}
    cond: Condition = Compare("score", Op.GE, D(1))
    for _ in range(levels):
        data, cond = {"not": data}, Not(cond)
    return data, cond


def test_nesting_exactly_at_the_limit_is_read_and_checked() -> None:
    data, cond = _nested(MAX_CONDITION_DEPTH)
    assert condition_from_data(data) == cond
    check(cond, SCHEMA)
    deeper_data, deeper = _nested(MAX_CONDITION_DEPTH + 1)
    with pytest.raises(PolicyError, match=rf"^when(\.not){{9}}: nests deeper than {MAX_CONDITION_DEPTH} levels"):
        condition_from_data(deeper_data)
    with pytest.raises(PolicyError, match=rf"^when: nests deeper than {MAX_CONDITION_DEPTH} levels, got 9"):
        check(deeper, SCHEMA)


def test_nesting_through_all_and_any_counts_like_not() -> None:
    cond: Condition = Compare("score", Op.GE, D(1))
    for level in range(MAX_CONDITION_DEPTH):
        cond = All((cond,)) if level % 2 else AnyOf((cond,))
    check(cond, SCHEMA)
    assert condition_from_data(condition_to_data(cond)) == cond
    with pytest.raises(PolicyError, match="deeper"):
        check(All((cond,)), SCHEMA)
    with pytest.raises(PolicyError, match="deeper"):
        condition_from_data({"all": [condition_to_data(cond)]})


def test_the_node_limit_is_exact() -> None:
    """An ``all`` of 255 comparisons is 256 nodes, the most allowed; one more is refused with the count."""
    at_limit = All(tuple(Compare("score", Op.GE, D(i % 100)) for i in range(language.MAX_CONDITION_NODES - 1)))
    check(at_limit, SCHEMA)
    over = All((*at_limit.conditions, Compare("score", Op.GE, D(1))))
    with pytest.raises(PolicyError, match=r"^when: has more than 256 nodes, got 257"):
        check(over, SCHEMA)


def test_node_and_depth_counts() -> None:
    leaf = Compare("score", Op.GE, D(1))
    assert language._count_nodes(leaf) == (1, 0)
    assert language._count_nodes(Not(leaf)) == (2, 1)
    assert language._count_nodes(All((leaf, Not(leaf)))) == (4, 2)
    assert language._count_nodes(AnyOf((leaf, leaf, leaf))) == (4, 1)
    assert language._count_nodes(All(())) == (1, 0)


@given(CONDITIONS)
def test_the_data_form_is_ready_for_json(cond: Condition) -> None:
    """condition_to_data gives plain data only (text, bools, lists, dicts): JSON writes it and reads it back."""
    data = condition_to_data(cond)
    assert json.loads(json.dumps(data)) == data
    assert condition_from_data(json.loads(json.dumps(data))) == cond


def test_the_data_form_of_each_node() -> None:
    leaf = Compare("refund", Op.LE, D("0.05"), unit="%")
    assert condition_to_data(leaf) == {"input": "refund", "op": "<=", "value": "5%"}
    assert condition_to_data(Compare("score", Op.BETWEEN, (D(1), D("2.50")))) == {
        "input": "score",
        "op": "between",
        "value": ["1", "2.5"],
    }
    assert condition_to_data(Compare("cat", Op.IN, ("a", "b"))) == {"input": "cat", "op": "in", "value": ["a", "b"]}
    assert condition_to_data(Compare("flag", Op.EQ, True)) == {"input": "flag", "op": "==", "value": True}
    assert condition_to_data(All((leaf,))) == {"all": [condition_to_data(leaf)]}
    assert condition_to_data(AnyOf((leaf,))) == {"any": [condition_to_data(leaf)]}
    assert condition_to_data(Not(leaf)) == {"not": condition_to_data(leaf)}


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"input": "", "op": ">=", "value": 1}, r"when\.input", "must be an input name"),
        ({"input": 5, "op": ">=", "value": 1}, r"when\.input", "must be an input name"),
        ({"input": "score", "value": 1}, r"when\.op", "is required"),
        ({"op": ">=", "value": 1}, r"when\.input", "is required"),
        ({"input": "score", "op": "in", "value": "a"}, r"when\.value", "must be a list for 'in'"),
        ({"any": "abc"}, r"when\.any", "must be a list of conditions"),
        ({"all": [{"input": "score", "op": ">=", "value": 1}, 3]}, r"when\.all\[1\]", "must be a table"),
        ({"input": "score", "op": "between", "value": [1, 0.5]}, r"when\.value\[1\]", "must be exact"),
        (["input"], r"when", "must be a table"),
    ],
)
def test_more_malformed_data_names_its_place(data: object, path: str, message: str) -> None:
    with pytest.raises(PolicyError, match=rf"^{path}: {message}"):
        condition_from_data(data)


def test_a_unit_is_kept_when_any_list_item_is_a_percentage() -> None:
    cond = condition_from_data({"input": "refund", "op": "between", "value": ["1%", "0.5"]})
    assert cond == Compare("refund", Op.BETWEEN, (D("0.01"), D("0.5")))
    assert isinstance(cond, Compare)
    assert cond.unit == "%"
    assert str(cond) == "refund between [1%, 50%]"


@pytest.mark.parametrize(
    ("cond", "path", "message"),
    [
        (Compare("score", Op.BETWEEN, (D(1),)), r"when\.value", "'between' takes \\[low, high\\]"),
        (Compare("score", Op.BETWEEN, (D(1), D(2), D(3))), r"when\.value", "'between' takes"),
        (Compare("score", Op.IN, (D(1), "x")), r"when\.value\[1\]", "must be a number"),
        (Compare("score", Op.GE, D("NaN")), r"when\.value", "must be a finite number"),
        (Compare("cat", Op.GE, "a"), r"when\.op", "cannot order text input 'cat'"),
        (Not(Compare("nope", Op.GE, D(1))), r"when\.not\.input", "is not a known input"),
        (
            AnyOf((Compare("score", Op.GE, D(1)), Compare("nope", Op.GE, D(1)))),
            r"when\.any\[1\]\.input",
            "is not a known input",
        ),
    ],
)
def test_check_names_the_place_of_each_mistake(cond: Condition, path: str, message: str) -> None:
    with pytest.raises(PolicyError, match=rf"^{path}: {message}"):
        check(cond, SCHEMA)


def test_between_with_equal_ends_is_allowed() -> None:
    check(Compare("score", Op.BETWEEN, (D(5), D(5))), SCHEMA)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: InputSpec("x", better="up"), "InputSpec(x).better: must be 'higher', 'lower' or None, got 'up'"),
        (lambda: InputSpec("x", better={}), "InputSpec(x).better: must be 'higher', 'lower' or None, got {}"),  # type: ignore[arg-type]
        (lambda: InputSpec("x", low=D(5), high=D(1)), "InputSpec(x).high: must not be below low 5, got Decimal('1')"),
        (lambda: Schema(None), "Schema.inputs: must be a mapping of input names to InputSpec, got None"),  # type: ignore[arg-type]
        (lambda: Schema({"a": 1}), "Schema.inputs['a']: must be an InputSpec, got 1"),  # type: ignore[dict-item]
        (lambda: Schema.of(InputSpec("a"), InputSpec("a")), "Schema.inputs: is declared twice, got 'a'"),
        (lambda: All((1,)), "All.conditions[0]: must be a condition (Compare, All, AnyOf or Not), got 1"),
        (
            lambda: AnyOf([Compare("a", Op.GE, D(1)), "x"]),
            "AnyOf.conditions[1]: must be a condition (Compare, All, AnyOf or Not), got 'x'",
        ),
        (lambda: All(5), "All.conditions: must be a tuple of conditions, got 5"),
        (lambda: AnyOf("ab"), "AnyOf.conditions: must be a tuple of conditions, got 'ab'"),
        (lambda: Not(5), "Not.condition: must be a condition (Compare, All, AnyOf or Not), got 5"),  # type: ignore[arg-type]
        (
            lambda: Compare("a", "=>", D(1)),
            "Compare.op: must be one of '>=', '>', '<=', '<', '==', '!=', 'between', 'in', got '=>'",
        ),
    ],
)
def test_each_refusal_of_a_node_or_schema_names_its_place_and_value(make: Any, message: str) -> None:
    with pytest.raises(FenxiaoError) as raised:
        make()
    assert str(raised.value) == message


def test_the_accepted_specs_and_schemas() -> None:
    for better in ("higher", "lower", None):
        assert InputSpec("x", better=better).better == better
    assert InputSpec("x", low=D(1), high=D(1)).high == D(1)
    spec = InputSpec("a")
    schema = Schema({"a": spec})
    assert schema.inputs == {"a": spec}
    assert Schema.of(InputSpec("b"), spec).names() == ("a", "b")
    assert "a" in schema
    assert "z" not in schema
    assert schema["a"] is spec
    assert schema.suggest("aa") == " (did you mean 'a'?)"
    assert schema.suggest("zzz") == ""
    assert Compare("a", ">=", D(1)).op is Op.GE
    assert All([Compare("a", Op.GE, D(1))]).conditions == (Compare("a", Op.GE, D(1)),)


def test_each_node_reads_as_text() -> None:
    a, b = Compare("a", Op.GE, D(1)), Compare("b", Op.LT, D("0.05"), unit="%")
    assert str(All((a, b))) == "(a >= 1 and b < 5%)"
    assert str(AnyOf((a, b))) == "(a >= 1 or b < 5%)"
    assert str(All(())) == "always"
    assert str(AnyOf(())) == "never"
    assert str(Not(a)) == "not a >= 1"
    assert str(Compare("c", Op.IN, ("x", "y"))) == "c in ['x', 'y']"
    assert str(Compare("f", Op.EQ, True)) == "f == true"
    assert str(Compare("f", Op.NE, False)) == "f != false"
    assert str(Compare("n", Op.BETWEEN, (D("1.50"), D("1E+3")))) == "n between [1.5, 1000]"


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (Compare, {"input": "a", "op": ">=", "value": "1"}),
        (All, {"all": [{"input": "a", "op": ">=", "value": "1"}]}),
        (AnyOf, {"any": [{"input": "a", "op": ">=", "value": "1"}]}),
        (Not, {"not": {"input": "a", "op": ">=", "value": "1"}}),
    ],
)
def test_each_kind_of_node_reads_from_its_file_form_alone(kind: type[Any], data: dict[str, Any]) -> None:
    node = from_dict(data, kind)
    assert type(node) is kind
    assert to_dict(node) == data
    other = {"not": data} if kind is not Not else data["not"]
    with pytest.raises(FenxiaoError, match=rf"must be a {kind.__name__} condition"):
        from_dict(other, kind)


def test_a_condition_field_reads_any_kind_and_an_optional_one_reads_null() -> None:
    rule = next(iter(default_tier_policy().rules))
    data = to_dict(rule)
    assert from_dict(data, TierRule) == rule
    assert language._is_condition(Condition)
    assert language._is_condition(Condition | None)
    assert not language._is_condition(Compare | None)
    assert not language._is_condition(int)
    assert language._structure_condition(None, Condition | None) is None
    with pytest.raises(PolicyError, match="must be a table"):
        language._structure_condition(None, Condition)


def test_plain_numbers_are_written_without_exponents_or_trailing_zeros() -> None:
    assert language._plain(D("1E+3")) == "1000"
    assert language._plain(D("1.500")) == "1.5"
    assert language._plain(D("0.000")) == "0"
    assert language._plain(D("-2.50")) == "-2.5"
    assert language._plain(D("12")) == "12"
    assert language._plain(D("9E+999999999999999999")) == "9E+999999999999999999"
    assert language._plain(D("1E+5000")) == "1E+5000"
    assert language._show(D("0.125"), "%") == "12.5%"
    assert language._show(D("Infinity"), "%") == "Infinity"
    assert language._show("x") == "'x'"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Compare("a", Op.GE, D(1), unit="‰"),
            "Compare.unit: must be '' (as written) or '%' (a percentage), got '‰'",
        ),
        (lambda: Compare("", Op.GE, D(1)), "Compare.input: must be an input name, got ''"),
        (
            lambda: Compare(5, Op.GE, D(1)),  # type: ignore[arg-type]
            "Compare.input: must be an input name, got 5",
        ),
    ],
)
def test_each_refusal_of_a_comparison_names_its_field_and_value(make: Any, message: str) -> None:
    with pytest.raises(PolicyError) as raised:
        make()
    assert str(raised.value) == message


def test_whole_number_thresholds_become_decimals_and_lists_tuples() -> None:
    node = Compare("a", Op.IN, [1, "x", True, D("1.5")])
    assert node.value == (D(1), "x", True, D("1.5"))
    assert isinstance(node.value, tuple)
    assert isinstance(node.value[0], Decimal)
    assert node.value[2] is True
    assert Compare("a", Op.BETWEEN, (1, 2)).value == (D(1), D(2))
    assert isinstance(Compare("a", Op.GE, 7).value, Decimal)
    assert Compare("a", Op.GE, True).value is True
    assert Compare("a", Op.GE, 1.5).value == 1.5  # a float stays, for check() to refuse
    assert Compare("a", Op.GE, D(1), unit="%").unit == "%"
    assert All(iter([Compare("a", Op.GE, D(1))])).conditions == (Compare("a", Op.GE, D(1)),)


def test_comparisons_and_inputs_are_listed_in_document_order() -> None:
    a, b, c = Compare("a", Op.GE, D(1)), Compare("b", Op.GE, D(1)), Compare("c", Op.GE, D(1))
    cond = All((a, AnyOf((b, Not(c))), a))
    assert language.comparisons(cond) == (a, b, c, a)
    assert inputs_of(cond) == frozenset({"a", "b", "c"})
    assert [where for _, where, _ in language._walk(cond, "when")] == [
        "when.all[0]",
        "when.all[1].any[0]",
        "when.all[1].any[1].not",
        "when.all[2]",
    ]
    assert [depth for _, _, depth in language._walk(cond, "when")] == [1, 2, 3, 1]


def _deep(levels: int) -> dict[str, Any]:
    data: dict[str, Any] = {"input": "a", "op": ">=", "value": 1}
    for _ in range(levels):
        data = {"not": data}
    return data


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: condition_from_data(3),
            "when: must be a table with 'input'/'op'/'value', or one of 'all', 'any', 'not', got 3",
        ),
        (
            lambda: condition_from_data({"all": [], "not": 1}),
            "when: a combinator table has exactly one key: 'all', 'any' or 'not', got ['all', 'not']",
        ),
        (lambda: condition_from_data({"any": "x"}), "when.any: must be a list of conditions, got 'x'"),
        (
            lambda: condition_from_data({"input": "a", "op": ">=", "value": 1, "zz": 1}),
            "when.zz: is not a known key of a comparison, got 'zz'",
        ),
        (
            lambda: condition_from_data({"input": "", "op": ">=", "value": 1}),
            "when.input: must be an input name, got ''",
        ),
        (
            lambda: condition_from_data({"input": "a", "op": "=>", "value": 1}),
            "when.op: must be one of '>=', '>', '<=', '<', '==', '!=', 'between', 'in', got '=>'",
        ),
        (
            lambda: condition_from_data({"input": "a", "op": "in", "value": "x"}),
            "when.value: must be a list for 'in', got 'x'",
        ),
        (
            lambda: condition_from_data(_deep(MAX_CONDITION_DEPTH + 1)),
            "when.not.not.not.not.not.not.not.not.not: nests deeper than 8 levels, got '...'",
        ),
        (
            lambda: language._number(1.5, "p"),
            "p: must be exact: write it as a string or an integer, not a float, got 1.5",
        ),
        (lambda: language._number(True, "p"), "p: must be a number, got True"),
        (lambda: language._number(D("NaN"), "p"), "p: must be a finite number, got Decimal('NaN')"),
        (lambda: language._number("abc", "p"), "p: is not a number written in ASCII digits, got 'abc'"),
        (lambda: language._number("Infinity", "p"), "p: is not a number written in ASCII digits, got 'Infinity'"),
        (lambda: language._number([1], "p"), "p: must be a number, got [1]"),
        (
            lambda: from_dict({"input": "a", "op": ">=", "value": 1}, All),
            "invalid All (1 problem):\n"
            "  (document): must be a All condition, got {'input': 'a', 'op': '>=', 'value': 1}",
        ),
        (
            lambda: from_dict({"input": "a", "op": "=>", "value": 1}, Compare),
            "invalid Compare (1 problem):\n"
            "  op: must be one of '>=', '>', '<=', '<', '==', '!=', 'between', 'in', got '=>'",
        ),
        (
            lambda: from_dict(
                {**to_dict(next(iter(default_tier_policy().rules))), "when": {"input": "a", "op": "=>", "value": 1}},
                TierRule,
            ),
            "when.op: must be one of",
        ),
    ],
)
def test_each_refusal_of_the_file_form_says_where_what_and_the_value(make: Any, message: str) -> None:
    with pytest.raises(FenxiaoError) as raised:
        make()
    assert str(raised.value) == message or (message.endswith("of") and message in str(raised.value))


def test_plain_numbers_at_the_edge_of_exponent_notation() -> None:
    limit = language._PLAIN_DIGITS
    assert language._plain(D(f"1E+{limit}")) == "1" + "0" * limit
    assert language._plain(D(f"1E+{limit + 1}")) == f"1E+{limit + 1}"
    assert language._plain(D("0.10")) == "0.1"
    assert language._plain(D("100")) == "100"
    assert language._plain(D("10.0")) == "10"
    assert language._plain(D("0")) == "0"
    assert language._plain(D("Infinity")) == "Infinity"
    assert language._plain(D("-Infinity")) == "-Infinity"


def test_an_explained_check_keeps_the_unit_its_rule_wrote() -> None:
    (check_,) = explain(Compare("r", Op.LE, D("0.05"), unit="%"), {"r": D("0.08")}).checks
    assert check_.unit == "%"
    assert str(check_) == "r 8%: <= 5% needed (-3%)"
    assert interpreter.make_check("a", Op.GE, D(1), D(0), False, False, D(1)).unit == ""


def test_more_refusals_name_their_place_and_value() -> None:
    with pytest.raises(InvalidValueError) as raised:
        Schema(5)  # type: ignore[arg-type]
    assert str(raised.value) == "Schema.inputs: must be a mapping of input names to InputSpec, got 5"
    with pytest.raises(PolicyError) as refused:
        language.scalar_from_data(1.5, "when.value")
    assert str(refused.value) == "when.value: must be exact: write it as a string or an integer, not a float, got 1.5"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", None),
        ("name", " "),
        ("kind", "number"),
        ("low", 0),
        ("low", 0.5),
        ("low", Decimal("NaN")),
        ("high", "100"),
        ("high", Decimal("Infinity")),
        ("integer", 1),
        ("integer", None),
        ("optional", "yes"),
        ("description", None),
        ("description", "x" * 1001),
    ],
)
def test_an_input_spec_field_of_a_wrong_kind_names_itself(field: str, value: object) -> None:
    """Each field is checked by kind (issue 20): a wrong one is an InvalidValueError at ``InputSpec.<field>``."""
    fields: dict[str, Any] = {"name": "x", field: value}
    with pytest.raises(InvalidValueError, match=rf"InputSpec\.{field}: must"):
        InputSpec(**fields)


def test_an_input_spec_takes_exact_bounds_and_none() -> None:
    spec = InputSpec("x", InputKind.BOOL, low=None, high=Decimal(1), integer=True, description="", optional=True)
    assert (spec.low, spec.high, spec.integer, spec.optional, spec.description) == (None, Decimal(1), True, True, "")
    assert InputSpec("x", low=Decimal(-1), high=Decimal(-1), description="d" * 1000).low == Decimal(-1)


@pytest.mark.parametrize("path", [None, 5, b"when"])
def test_condition_from_data_names_a_path_that_is_not_text(path: object) -> None:
    data = {"all": [{"input": "x", "op": ">=", "value": "1"}]}
    with pytest.raises(InvalidValueError, match=r"condition_from_data\.path: must be text"):
        condition_from_data(data, path)  # type: ignore[arg-type]
    assert condition_from_data(data, "rules[0].when") == All((Compare("x", Op.GE, Decimal(1)),))
