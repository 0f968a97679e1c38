"""The compiled decision tables: the same answers as the interpreter, and rule data never becomes code."""

from __future__ import annotations

import linecache
import traceback
from decimal import Context, Decimal, InvalidOperation, localcontext
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.grading.tiers import default_tier_policy
from fenxiao.rules.compiler import (
    MAX_COMPILED_COMPARISONS,
    MAX_TRACED_COMPARISONS,
    Program,
    check_source,
    compilable,
    compile_explainer,
    compile_program,
    compile_trace,
    fast_threshold,
    source_of,
)
from fenxiao.rules.interpreter import Check, evaluate, explain
from fenxiao.rules.language import All, AnyOf, Compare, Condition, Not, Op, comparisons
from fenxiao.testing.tiers import tier_conditions

D = Decimal
NAMES = ("composite", "units_30d", "reference_price", "brand_registered")
OPTIONAL = frozenset({"reference_price"})
INTEGERS = frozenset({"units_30d"})
# Values on the edges tier_conditions draws, a step off them, missing, and of the wrong type.
VALUES: dict[str, list[Any]] = {
    "composite": [D(0), D("39.99"), D(40), D(60), D("89.99"), D(90), D(100), None, "x", 90, 89.5],
    "units_30d": [0, 1, 13, 14, 99, 100, 101, 1000, D(100), D("99.5"), None, "x", True, 99.5, D("NaN")],
    "reference_price": [D(0), D("9.99"), D(10), D(100), None, "x"],
    "brand_registered": [True, False, None, "x"],
}
INPUTS = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in VALUES.items()})
RULES = st.lists(tier_conditions(inputs=NAMES), min_size=1, max_size=5)
RANKS = st.none() | st.lists(st.integers(0, 5), min_size=5, max_size=5)


def _walk(conditions: list[Condition], ranks: list[int] | None, values: dict[str, Any]) -> int:
    """The reference: the rules walked one by one with the interpreter."""
    chosen, best = -1, -1
    for i, condition in enumerate(conditions):
        if evaluate(condition, values):
            if ranks is None:
                return i
            if ranks[i] > best:
                chosen, best = i, ranks[i]
    return chosen


def _outcome(func: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", func(*args)
    except (InvalidValueError, ArithmeticError) as exc:
        return "error", type(exc)


def _not_exact(conditions: list[Condition], values: dict[str, Any]) -> bool:
    """Whether an input the rules compare with a number holds something other than an int or a Decimal (or
    ``None``, for an optional input): what choose() and capture() hand back to the interpreter (-2)."""
    for condition in conditions:
        for node in comparisons(condition):
            thresholds = node.value if isinstance(node.value, tuple) else (node.value,)
            if not any(isinstance(t, (int, Decimal)) and not isinstance(t, bool) for t in thresholds):
                continue
            value = values[node.input]
            if type(value) not in {int, Decimal} and not (value is None and node.input in OPTIONAL):
                return True
    return False


def _program(conditions: list[Condition], ranks: list[int] | None) -> Program:
    program = compile_program(conditions, None if ranks is None else ranks[: len(conditions)], OPTIONAL, INTEGERS)
    assert program is not None
    return program


@given(RULES, RANKS, INPUTS)
def test_choose_agrees_with_the_interpreter_or_hands_the_input_back(
    conditions: list[Condition], ranks: list[int] | None, values: dict[str, Any]
) -> None:
    """choose() returns the interpreter's index, or hands the input back: -2 for an input compared with a number
    that is not an int or Decimal, KeyError/TypeError/ArithmeticError otherwise (then the caller asks the walk)."""
    program = _program(conditions, ranks)
    reference = _outcome(_walk, conditions, ranks, values)
    try:
        chosen = program.choose(values)
    except (KeyError, TypeError, ArithmeticError):
        return
    if chosen == -2:
        assert _not_exact(conditions, values)
        return
    assert reference == ("ok", chosen)


@given(RULES, RANKS, INPUTS)
def test_capture_agrees_and_its_values_can_be_explained_without_error(
    conditions: list[Condition], ranks: list[int] | None, values: dict[str, Any]
) -> None:
    """capture() returns the interpreter's index and the values read; after it, explaining every rule on
    those values cannot fail (the probes saw to it)."""
    program = _program(conditions, ranks)
    try:
        chosen, captured = program.capture(values)
    except (KeyError, TypeError, ArithmeticError):
        return
    if chosen == -2:
        assert _not_exact(conditions, values)
        return
    assert _outcome(_walk, conditions, ranks, values) == ("ok", chosen)
    assert captured == tuple(values[name] for name in program.names)
    read = dict(zip(program.names, captured, strict=True))
    for condition in conditions:
        assert explain(condition, read).passed == evaluate(condition, read)


def _shown(check: Check) -> str:
    """Every field of a check as it reads (a threshold's exponent included; a NaN never equals itself)."""
    return repr(attrs.astuple(check, recurse=False))


@given(RULES, RANKS, INPUTS)
def test_compiled_explanations_list_the_interpreters_checks(
    conditions: list[Condition], ranks: list[int] | None, values: dict[str, Any]
) -> None:
    """On the values capture() returns, each rule's compiled explanation gives the interpreter's outcome and its
    checks, field for field (input, operator, the rule's own threshold, the actual value, outcome, negation, gap
    and unit), in the same order."""
    program = _program(conditions, ranks)
    try:
        chosen, captured = program.capture(values)
    except (KeyError, TypeError, ArithmeticError):
        return
    if chosen == -2:
        return
    read = dict(zip(program.names, captured, strict=True))
    for condition in conditions:
        explainer = compile_explainer(condition, program.names, OPTIONAL, INTEGERS)
        assert explainer is not None
        checks, passed = explainer(captured)
        reference = explain(condition, read)
        assert passed is reference.passed
        assert [_shown(c) for c in checks] == [_shown(c) for c in reference.checks]
        assert all(type(c.passed) is bool for c in checks)


@given(RULES, RANKS, INPUTS, st.integers(min_value=0, max_value=8))
def test_a_compiled_trace_lists_each_rules_interpreter_checks(
    conditions: list[Condition], ranks: list[int] | None, values: dict[str, Any], tried: int
) -> None:
    """compile_trace() of the first rules gives, rule by rule, the name, the interpreter's checks field for field
    and its outcome (a bool), on the values capture() returns."""
    program = _program(conditions, ranks)
    try:
        chosen, captured = program.capture(values)
    except (KeyError, TypeError, ArithmeticError):
        return
    if chosen == -2:
        return
    rules = conditions[:tried]
    names = [f"rule-{i}" for i in range(len(rules))]
    trace = compile_trace(rules, names, program.names, OPTIONAL, INTEGERS)
    assert trace is not None
    read = dict(zip(program.names, captured, strict=True))
    steps = trace(captured)
    assert [name for name, _, _ in steps] == names
    for (_, checks, passed), condition in zip(steps, rules, strict=True):
        reference = explain(condition, read)
        assert passed is reference.passed
        assert [_shown(c) for c in checks] == [_shown(c) for c in reference.checks]
        assert all(type(c) is Check for c in checks)


@pytest.mark.parametrize(
    "actual",
    [
        D("12.5"),
        D("-9.99E+99"),
        D("9.99E+99"),
        D("1E+100"),
        D("-1E+100"),
        D("9.999999999999999999999999999E+999999999999999999"),
        D("-9.999999999999999999999999999E+999999999999999999"),
        D("Infinity"),
        D("-Infinity"),
        D("NaN"),
        D("sNaN"),
        D("0." + "3" * 300),  # more digits than the gap's 200: rounded alike
        10**250,
        -(10**250),
        None,
    ],
)
@pytest.mark.parametrize("threshold", [D(60), D("1E+101"), D("-9.9E+999999999999999999")])
def test_a_compiled_gap_is_the_interpreters_at_every_magnitude(actual: object, threshold: D) -> None:
    """The gap written in place (an int, or a Decimal inside 1E+100 with a threshold inside it too) and the one
    _shortfall gives (anything else: NaN, infinities, the exponent's limits, a missing value) are the
    interpreter's, under a context that lets a NaN compare."""
    for op in (Op.GE, Op.LT):
        condition = Compare("units_30d", op, threshold)
        explainer = compile_explainer(condition, ("units_30d",), optional=["units_30d"], integers=["units_30d"])
        assert explainer is not None
        with localcontext(Context(traps=[])):
            checks, passed = explainer((actual,))
            reference = explain(condition, {"units_30d": actual})
        assert passed is reference.passed
        assert [_shown(c) for c in checks] == [_shown(c) for c in reference.checks]


def test_a_trace_too_long_or_not_compilable_is_left_to_each_rule() -> None:
    """compile_trace() answers None past MAX_TRACED_COMPARISONS, for a shape it does not write or a name count that
    does not match."""
    many = [Compare("composite", Op.GE, D(i)) for i in range(MAX_TRACED_COMPARISONS + 1)]
    assert compile_trace(many, [f"r{i}" for i in range(len(many))], ("composite",)) is None
    assert compile_trace(many[:-1], [f"r{i}" for i in range(len(many) - 1)], ("composite",)) is not None
    assert compile_trace([Compare("composite", Op.IN, D(1))], ["r"], ("composite",)) is None
    assert compile_trace([Compare("composite", Op.GE, D(1))], [], ("composite",)) is None
    assert compile_trace([], [], ()) is not None


def test_a_compiled_explanation_shows_the_threshold_as_the_rule_holds_it() -> None:
    """Equal thresholds written differently (60 and 60.0) stay apart: each check holds its rule's own."""
    condition = All((Compare("composite", Op.GE, D("60.0")), Compare("composite", Op.LE, D(60))))
    explainer = compile_explainer(condition, ("composite",))
    assert explainer is not None
    checks, passed = explainer((D(59),))
    assert not passed
    assert [repr(c.threshold) for c in checks] == ["Decimal('60.0')", "Decimal('60')"]
    assert [c.gap for c in checks] == [D(1), None]
    assert explainer.__globals__["__builtins__"] == {}


def test_an_explanation_of_an_input_the_program_does_not_read_is_left_to_the_interpreter() -> None:
    """compile_explainer() answers None for a shape it does not write or an input not among the names."""
    assert compile_explainer(Compare("composite", Op.GE, D(1)), ("units_30d",)) is None
    assert compile_explainer(Compare("composite", Op.IN, D(1)), ("composite",)) is None
    assert compile_explainer(All(()), ()) is not None


@pytest.mark.parametrize("name", ["__import__('os').system('echo owned')", "a]\nimport os\n#", "t", "o0", "c0"])
def test_explained_input_names_are_values_never_source(name: str) -> None:
    """Names that look like code, or like the generated locals, are only values in the explanation too."""
    condition = AnyOf((Compare(name, Op.GE, D(5)), Not(Compare(name, Op.EQ, D(7)))))
    explainer = compile_explainer(condition, (name,))
    assert explainer is not None
    for value in (D(4), D(5), 7):
        checks, passed = explainer((value,))
        reference = explain(condition, {name: value})
        assert passed is reference.passed
        assert checks == reference.checks


def test_capture_refuses_a_value_that_only_a_later_rule_could_not_compare() -> None:
    """The first rule decides, but the second would compare "x" with a number: capture does not answer."""
    conditions: list[Condition] = [Compare("units_30d", Op.EQ, D(0)), Compare("composite", Op.GE, D(90))]
    program = _program(conditions, None)
    assert program.choose({"units_30d": 0, "composite": "x"}) == 0
    # Text where a number belongs is handed back (-2) for the interpreter to refuse by name; a NaN raises.
    assert program.capture({"units_30d": 0, "composite": "x"}) == (-2, ("x", 0))
    with pytest.raises(InvalidOperation):
        program.capture({"units_30d": 0, "composite": D("NaN")})


def test_missing_values_satisfy_no_comparison_not_even_inequality() -> None:
    """An optional input that is None makes ==, !=, in, between and ordered comparisons all false."""
    for op, value in ((Op.EQ, D(1)), (Op.NE, D(1)), (Op.GE, D(1)), (Op.IN, (D(1),)), (Op.BETWEEN, (D(0), D(9)))):
        program = _program([Compare("reference_price", op, value)], None)
        assert program.choose({"reference_price": None}) == -1
        assert program.capture({"reference_price": None}) == (-1, (None,))


NASTY = (
    "__import__('os').system('echo owned')",
    "a]\nimport os\n#",
    "v",
    "t",
    "a0",
    "_k1",
    "'\"",
    "\\",
    "x) or (True",
)


@pytest.mark.parametrize("name", NASTY)
def test_input_names_and_thresholds_are_values_never_source(name: str) -> None:
    """Names that look like code, or like the generated locals, are dictionary keys like any other."""
    condition = AnyOf((Compare(name, Op.GE, D(5)), Compare(name, Op.IN, ("__import__('os')", "b"))))
    program = compile_program([condition, Not(condition)], None)
    assert program is not None
    for value in (D(4), D(5), 7, "b", "__import__('os')"):
        values = {name: value}
        try:
            expected = _walk([condition, Not(condition)], None, values)
        except InvalidValueError:
            continue
        assert program.capture(values) == (expected, (value,)) or isinstance(value, str)
        if not isinstance(value, str):
            assert program.choose(values) == expected


def test_generated_functions_see_no_builtins() -> None:
    """The namespace holds only generated names bound to values, and an empty __builtins__."""
    program = _program([Compare("composite", Op.GE, D(90))], None)
    for function in (program.choose, program.capture):
        namespace = function.__globals__
        assert namespace["__builtins__"] == {}
        assert all(key == "__builtins__" or key.startswith("_") or key in {"choose", "capture"} for key in namespace)


def test_whole_thresholds_become_ints_only_for_whole_number_inputs() -> None:
    """1E+2 on a count compares as 100; fractional, huge, NaN or non-count thresholds stay Decimals."""
    assert fast_threshold(D("1E+2"), True) == 100
    assert type(fast_threshold(D("1E+2"), True)) is int
    assert type(fast_threshold(D(100), False)) is Decimal
    assert type(fast_threshold(D("99.5"), True)) is Decimal
    assert type(fast_threshold(D("1E+40"), True)) is Decimal
    nan = fast_threshold(D("NaN"), True)
    assert isinstance(nan, Decimal)
    assert nan.is_nan()
    assert fast_threshold(True, True) is True


def test_unchecked_shapes_stay_with_the_interpreter() -> None:
    """A between without two bounds, an in without a list, or a list where one value belongs is not compiled."""
    assert not compilable(Compare("composite", Op.BETWEEN, (D(1),)))
    assert not compilable(Compare("composite", Op.IN, D(1)))
    assert not compilable(Compare("composite", Op.GE, (D(1), D(2))))
    assert not compilable(Compare("composite", Op.EQ, 1.5))
    assert compile_program([Compare("composite", Op.IN, D(1))], None) is None
    assert compile_program([], None) is None


def test_empty_combinators_and_policies_without_inputs_compile() -> None:
    """all() is true and any() false with no conditions, as in the interpreter; no inputs are read."""
    program = _program([AnyOf(()), All(())], None)
    assert program.names == ()
    assert program.choose({}) == 1
    assert program.capture({}) == (1, ())


def test_a_table_at_the_compile_limit_compiles_and_one_comparison_more_is_interpreted() -> None:
    """MAX_COMPILED_COMPARISONS comparisons compile and decide like the interpreter; one more, and compile_program
    returns None (the interpreter decides: compiling a 200 x 255 table took seconds)."""
    per_rule = 64
    rules = MAX_COMPILED_COMPARISONS // per_rule
    conditions: list[Condition] = [
        All(tuple(Compare("composite", Op.GE, D(i + j)) for j in range(per_rule))) for i in range(rules)
    ]
    assert sum(1 for c in conditions for _ in comparisons(c)) == MAX_COMPILED_COMPARISONS
    program = _program(conditions, None)
    for score in (D(0), D(63), D(100), D(248)):
        assert program.choose({"composite": score}) == _walk(conditions, None, {"composite": score})
    one_more: list[Condition] = [*conditions, Compare("composite", Op.GE, D(0))]
    assert compile_program(one_more, None) is None


@pytest.mark.parametrize(
    "source",
    [
        "def choose(v):\n    return 'x'\n",
        "def choose(v):\n    return v.system\n",
        "def choose(v):\n    return __import__\n",
        "def choose(v):\n    return os\n",
        "def choose(v):\n    return 1.5\n",
        "def choose(v):\n    return v + 1\n",
        "def choose(v):\n    return lambda: 0\n",
    ],
)
def test_source_outside_the_generators_vocabulary_is_refused(source: str) -> None:
    """check_source() lets through only keywords, generated names, whole numbers, a few operators and layout."""
    with pytest.raises(RuntimeError, match="refusing to compile"):
        check_source(source)


def test_the_generators_own_source_passes_the_check() -> None:
    """Both functions of a program using every operator, optional inputs and whole numbers are compiled."""
    conditions: list[Condition] = [
        All((Compare("units_30d", Op.BETWEEN, (D(1), D(9))), Compare("reference_price", Op.NE, D(5)))),
        AnyOf((Compare("composite", Op.IN, (D(1), D(2))), Not(Compare("brand_registered", Op.EQ, True)))),
    ]
    for ranks in (None, [3, 4]):
        program = compile_program(conditions, ranks, OPTIONAL, INTEGERS, answers=("a", "b", None, "z"))
        assert program is not None
        assert program.choose({"units_30d": 5, "reference_price": None, "composite": D(1), "brand_registered": False})


class _RefusingInputs(dict[str, object]):
    """Tier inputs whose service score cannot be read: an error the callers do not catch."""

    def __getitem__(self, key: str) -> object:
        if key == "score.service":
            raise LookupError("refused")
        return super().__getitem__(key)


def test_a_traceback_through_generated_code_shows_the_generated_line() -> None:
    """The generated functions are registered in linecache: a traceback through grading shows their lines."""
    policy = default_tier_policy()
    values = _RefusingInputs(
        {name: D(80) for name in ("composite", "score.brand", "score.price", "score.distribution", "score.sales")}
    )
    # units_vs_category is missing (no benchmark), as tier_inputs gives it without a scoring context (issue 19).
    values |= {"days_since_joining": 30, "units_30d": 5000, "serious_violations_365d": 0, "units_vs_category": None}
    with pytest.raises(LookupError) as raised:
        policy.grade(values)
    shown = "".join(traceback.format_exception(raised.value))
    assert "<fenxiao generated tier policy choose " in shown
    generated = traceback.extract_tb(raised.tb)[-2]  # the generated function, just above __getitem__
    assert generated.filename.startswith("<fenxiao generated tier policy choose ")
    assert generated.line is not None
    assert generated.line.startswith("a")  # reading the service score into a local
    assert "= v[_n" in generated.line
    assert generated.line in shown  # the generated line itself, not just its number
    assert linecache.getline(generated.filename, generated.lineno or 0).strip() == generated.line


def test_the_generated_source_is_registered_and_printable() -> None:
    """Program.source holds both functions and a legend; linecache holds each function under a readable name."""
    conditions: list[Condition] = [Compare("composite", Op.GE, D(60)), Compare("units_30d", Op.BETWEEN, (D(1), D(9)))]
    program = compile_program(conditions, None, OPTIONAL, INTEGERS, label="tier policy")
    assert program is not None
    source = program.source
    assert source.startswith("def choose(v):\n")
    assert "\ndef capture(v):\n" in source
    assert "# a0 holds 'composite'" in source
    assert "= Decimal('60')" in source
    assert source == source_of(conditions, None, OPTIONAL, INTEGERS, label="tier policy")
    codes = [getattr(f, "__code__") for f in (program.choose, program.capture)]  # noqa: B009 - typed as Callable
    names = {code.co_filename for code in codes}
    assert all(name.startswith("<fenxiao generated tier policy ") for name in names)
    assert len(names) == 2
    shown = ["".join(linecache.getlines(code.co_filename)) for code in codes]
    assert source == "\n\n".join(shown)
    assert linecache.getline(codes[0].co_filename, 1) == "def choose(v):\n"
    # Compiling the same rules again reuses the entries (the name is a digest of the text).
    before = len(linecache.cache)
    compile_program(conditions, None, OPTIONAL, INTEGERS, label="tier policy")
    assert len(linecache.cache) == before
    linecache.checkcache()  # entries without a file stay
    assert linecache.getline(codes[0].co_filename, 1) == "def choose(v):\n"
    assert source_of([Compare("composite", Op.GE, object())], None) is None
