"""The condition language shared by tier policies, perk catalogs and admission policies.

A condition is plain data, never code: a comparison of one *named input* with a
threshold, or ``all`` / ``any`` / ``not`` of conditions. In a JSON or TOML file::

    {"all": [{"input": "composite", "op": ">=", "value": "90"},
             {"input": "service", "op": ">=", "value": 80},
             {"not": {"input": "serious_violations_365d", "op": ">", "value": 0}}]}

Operators: ``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=``, ``between`` (inclusive at
both ends, ``value = [low, high]``) and ``in`` (``value = [a, b, ...]``). Numbers
are exact Decimals (write them as strings or integers; floats are refused), so a
value exactly at a threshold compares the same everywhere.

Every input a condition names is declared in a :class:`Schema` with its kind
(number, bool, text), its range, and which direction is better; :func:`check`
refuses unknown names and mistyped thresholds with the path of the mistake.
:func:`explain` evaluates a condition and records every comparison, with the
actual value, the threshold and, for an unmet one, the gap.
:func:`find_witness` searches the declared input space for values that make a
formula true; lint uses it to find gaps and shadowed rules exactly.

>>> schema = Schema.of(
...     InputSpec("composite", low=Decimal(0), high=Decimal(100)),
...     InputSpec("units_30d", integer=True, low=Decimal(0)),
... )
>>> cond = All((Compare("composite", Op.GE, Decimal(60)), Compare("units_30d", Op.GE, Decimal(1000))))
>>> check(cond, schema)
>>> evaluate(cond, {"composite": Decimal("72.5"), "units_30d": 640})
False
>>> [str(g) for g in explain(cond, {"composite": Decimal("72.5"), "units_30d": 640}).unmet()]
['units_30d 640 < 1000 needed (+360)']

.. versionadded:: 0.1
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import MAX_EMAX, MIN_EMIN, ROUND_CEILING, ROUND_FLOOR, Context, Decimal, localcontext
from typing import Any, Final, TypeAlias

import attrs

from fenxiao.errors import InvalidValueError, PolicyError

__all__ = [
    "MAX_CONDITION_DEPTH",
    "MAX_CONDITION_NODES",
    "All",
    "AnyOf",
    "Check",
    "Compare",
    "Condition",
    "Explanation",
    "InputKind",
    "InputSpec",
    "Not",
    "Op",
    "Scalar",
    "Schema",
    "check",
    "comparisons",
    "condition_from_data",
    "condition_to_data",
    "evaluate",
    "explain",
    "find_witness",
    "inputs_of",
]

#: How deep ``all``/``any``/``not`` may nest.
MAX_CONDITION_DEPTH: Final = 8
#: How many nodes (comparisons and combinators) one condition may hold.
MAX_CONDITION_NODES: Final = 256

# Enough precision that sample points between thresholds are exact (thresholds are exact Decimals).
_EXACT: Final = Context(prec=200, Emax=10**6, Emin=-(10**6))
# Numbers are written out in full up to this many digits either side of the point, in scientific notation beyond.
_PLAIN_DIGITS: Final = 60
# Gaps are differences of an input and a threshold: exact for any sane value, and no Overflow for absurd ones.
_WIDE: Final = Context(prec=200, Emax=MAX_EMAX, Emin=MIN_EMIN)

Scalar: TypeAlias = Decimal | bool | str
Value: TypeAlias = Scalar | tuple[Scalar, ...]


class Op(enum.Enum):
    """A comparison operator."""

    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="
    NE = "!="
    BETWEEN = "between"  #: inclusive at both ends
    IN = "in"


_ORDERED: Final = frozenset({Op.GE, Op.GT, Op.LE, Op.LT, Op.BETWEEN})


class InputKind(enum.Enum):
    """What kind of value an input holds."""

    NUMBER = "number"
    BOOL = "bool"
    TEXT = "text"


@attrs.frozen
class InputSpec:
    """A named input that conditions may compare.

    Args:
        name: The name conditions use (``"composite"``, ``"units_30d"``).
        kind: Number, bool or text.
        low, high: The declared range of a number (``None``: unbounded); lint searches within it.
        integer: A whole number (counts, days); lint then treats ``> 0`` as ``>= 1``.
        better: ``"higher"``, ``"lower"`` or ``None``: which way is an improvement (for monotonicity lint).
        description: For people.
        optional: The input may be missing (``None``); a missing value satisfies no comparison.
    """

    name: str
    kind: InputKind = InputKind.NUMBER
    low: Decimal | None = None
    high: Decimal | None = None
    integer: bool = False
    better: str | None = "higher"
    description: str = ""
    optional: bool = False

    def __attrs_post_init__(self) -> None:
        if self.better not in {"higher", "lower", None}:
            raise InvalidValueError(f"InputSpec({self.name}).better", self.better, "must be 'higher', 'lower' or None")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise InvalidValueError(f"InputSpec({self.name}).high", self.high, f"must not be below low {self.low}")


def _spec_dict(inputs: Mapping[str, InputSpec]) -> dict[str, InputSpec]:
    return dict(inputs)


@attrs.frozen
class Schema:
    """The inputs a family of conditions may use, by name."""

    inputs: Mapping[str, InputSpec] = attrs.field(converter=_spec_dict)

    @classmethod
    def of(cls, *specs: InputSpec) -> Schema:
        """A schema from input specs (names must be unique)."""
        inputs: dict[str, InputSpec] = {}
        for spec in specs:
            if spec.name in inputs:
                raise InvalidValueError("Schema.inputs", spec.name, "is declared twice")
            inputs[spec.name] = spec
        return cls(inputs)

    def __contains__(self, name: object) -> bool:
        return name in self.inputs

    def __getitem__(self, name: str) -> InputSpec:
        return self.inputs[name]

    def names(self) -> tuple[str, ...]:
        """The declared input names, sorted."""
        return tuple(sorted(self.inputs))

    def suggest(self, name: str) -> str:
        """A "did you mean" hint for an unknown name, or ``""``."""
        close = difflib.get_close_matches(name, self.inputs, n=1)
        return f" (did you mean {close[0]!r}?)" if close else ""


def _as_op(op: object) -> Op:
    if isinstance(op, Op):
        return op
    try:
        return Op(op)
    except ValueError:
        allowed = ", ".join(repr(o.value) for o in Op)
        raise PolicyError("Compare.op", op, f"must be one of {allowed}") from None


def _check_children(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = type(instance).__name__
    if not isinstance(value, tuple):
        raise PolicyError(f"{name}.conditions", value, "must be a tuple of conditions")
    for i, child in enumerate(value):
        if not isinstance(child, (Compare, All, AnyOf, Not)):
            raise PolicyError(f"{name}.conditions[{i}]", child, "must be a condition (Compare, All, AnyOf or Not)")


def _conditions_tuple(value: object) -> Any:
    # Lists and other iterables become tuples; anything else reaches the validator, which names it.
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _check_child(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, (Compare, All, AnyOf, Not)):
        raise PolicyError("Not.condition", value, "must be a condition (Compare, All, AnyOf or Not)")


def _exact(value: Any) -> Any:
    # Whole numbers become Decimals so Compare("units_30d", Op.GE, 1000) works; floats stay and are refused.
    if isinstance(value, tuple):
        return tuple(_exact(v) for v in value)
    if isinstance(value, list):
        return tuple(_exact(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


@attrs.frozen
class Compare:
    """Compare one named input with a threshold: ``Compare("service", Op.GE, Decimal(80))``.

    Whole-number thresholds may be given as ``int`` (they become Decimals); floats are refused by :func:`check`.
    """

    input: str = attrs.field()
    op: Op = attrs.field(converter=_as_op)
    value: Value = attrs.field(converter=_exact)

    @input.validator
    def _check_input(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value:
            raise PolicyError("Compare.input", value, "must be an input name")

    def __str__(self) -> str:
        return f"{self.input} {self.op.value} {_show(self.value)}"


@attrs.frozen
class All:
    """True when every condition holds (true when empty)."""

    conditions: tuple[Condition, ...] = attrs.field(converter=_conditions_tuple, validator=_check_children)

    def __str__(self) -> str:
        return "(" + " and ".join(str(c) for c in self.conditions) + ")" if self.conditions else "always"


@attrs.frozen
class AnyOf:
    """True when at least one condition holds (false when empty)."""

    conditions: tuple[Condition, ...] = attrs.field(converter=_conditions_tuple, validator=_check_children)

    def __str__(self) -> str:
        return "(" + " or ".join(str(c) for c in self.conditions) + ")" if self.conditions else "never"


@attrs.frozen
class Not:
    """True when the condition does not hold."""

    condition: Condition = attrs.field(validator=_check_child)

    def __str__(self) -> str:
        return f"not {self.condition}"


Condition: TypeAlias = Compare | All | AnyOf | Not


def _show(value: Value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _plain(value)
    return repr(value)


def _plain(value: Decimal) -> str:
    if value.is_finite() and abs(value.adjusted()) > _PLAIN_DIGITS:
        return str(value)  # 9E+999999999999999999 written out would exhaust memory, and nobody could read it
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# -- data form ------------------------------------------------------------------------------------


def _number(raw: object, path: str) -> Decimal:
    if isinstance(raw, float):
        raise PolicyError(path, raw, "must be exact: write it as a string or an integer, not a float")
    if isinstance(raw, bool):
        raise PolicyError(path, raw, "must be a number")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise PolicyError(path, raw, "must be a finite number")
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        scale = Decimal(1)
        if text.endswith("%"):
            text, scale = text[:-1], Decimal("0.01")
        try:
            number = Decimal(text) * scale
        except ArithmeticError:
            raise PolicyError(path, raw, "is not a number") from None
        if not number.is_finite():
            raise PolicyError(path, raw, "must be a finite number")
        return number
    raise PolicyError(path, raw, "must be a number")


def _scalar(raw: object, path: str) -> Scalar:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        try:
            return _number(raw, path)
        except InvalidValueError:
            return raw
    return _number(raw, path)


def condition_from_data(data: object, path: str = "when", *, _depth: int = 0) -> Condition:
    """Build a condition from its plain-data form (parsed JSON or TOML).

    Text thresholds that read as numbers (``"90"``, ``"0.05"``, ``"5%"``) become
    exact Decimals; other text stays text (for ``==``/``in`` on text inputs).

    Raises:
        PolicyError: A malformed node, naming its path (``rules[2].when.all[1].op``).
    """
    if _depth > MAX_CONDITION_DEPTH:
        raise PolicyError(path, "...", f"nests deeper than {MAX_CONDITION_DEPTH} levels")
    if not isinstance(data, Mapping):
        raise PolicyError(path, data, "must be a table with 'input'/'op'/'value', or one of 'all', 'any', 'not'")
    keys = set(data)
    if keys & {"all", "any", "not"}:
        if len(keys) != 1:
            raise PolicyError(path, sorted(keys), "a combinator table has exactly one key: 'all', 'any' or 'not'")
        (key,) = keys
        if key == "not":
            return Not(condition_from_data(data["not"], f"{path}.not", _depth=_depth + 1))
        items = data[key]
        if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
            raise PolicyError(f"{path}.{key}", items, "must be a list of conditions")
        built = tuple(
            condition_from_data(item, f"{path}.{key}[{i}]", _depth=_depth + 1) for i, item in enumerate(items)
        )
        return All(built) if key == "all" else AnyOf(built)
    missing = {"input", "op", "value"} - keys
    if missing:
        raise PolicyError(f"{path}.{sorted(missing)[0]}", None, "is required in a comparison")
    extra = keys - {"input", "op", "value"}
    if extra:
        raise PolicyError(f"{path}.{sorted(extra)[0]}", sorted(extra)[0], "is not a known key of a comparison")
    name = data["input"]
    if not isinstance(name, str) or not name:
        raise PolicyError(f"{path}.input", name, "must be an input name")
    try:
        op = Op(data["op"])
    except ValueError:
        allowed = ", ".join(repr(o.value) for o in Op)
        raise PolicyError(f"{path}.op", data["op"], f"must be one of {allowed}") from None
    raw = data["value"]
    if op in (Op.BETWEEN, Op.IN):
        if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
            raise PolicyError(f"{path}.value", raw, f"must be a list for {op.value!r}")
        values = tuple(_scalar(item, f"{path}.value[{i}]") for i, item in enumerate(raw))
        return Compare(name, op, values)
    return Compare(name, op, _scalar(raw, f"{path}.value"))


def condition_to_data(condition: Condition) -> dict[str, Any]:
    """The plain-data form of a condition (numbers as exact strings), the inverse of :func:`condition_from_data`."""

    def scalar(value: Scalar) -> Any:
        return _plain(value) if isinstance(value, Decimal) else value

    if isinstance(condition, Compare):
        value = condition.value
        out = [scalar(v) for v in value] if isinstance(value, tuple) else scalar(value)
        return {"input": condition.input, "op": condition.op.value, "value": out}
    if isinstance(condition, All):
        return {"all": [condition_to_data(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_to_data(c) for c in condition.conditions]}
    return {"not": condition_to_data(condition.condition)}


# -- checking -------------------------------------------------------------------------------------


def _walk(condition: Condition, path: str) -> Iterator[tuple[Compare, str, int]]:
    stack: list[tuple[Condition, str, int]] = [(condition, path, 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, Compare):
            yield node, where, depth
        elif isinstance(node, Not):
            stack.append((node.condition, f"{where}.not", depth + 1))
        else:
            key = "all" if isinstance(node, All) else "any"
            for i, child in reversed(list(enumerate(node.conditions))):
                stack.append((child, f"{where}.{key}[{i}]", depth + 1))


def _count_nodes(condition: Condition) -> tuple[int, int]:
    """(nodes, depth) of a condition."""
    if isinstance(condition, Compare):
        return 1, 0
    if isinstance(condition, Not):
        n, d = _count_nodes(condition.condition)
        return n + 1, d + 1
    nodes, depth = 1, 0
    for child in condition.conditions:
        n, d = _count_nodes(child)
        nodes, depth = nodes + n, max(depth, d + 1)
    return nodes, depth


def comparisons(condition: Condition) -> tuple[Compare, ...]:
    """Every comparison in *condition*, in document order (left to right, as :func:`explain` lists them)."""
    return tuple(node for node, _, _ in _walk(condition, ""))


def inputs_of(condition: Condition) -> frozenset[str]:
    """Every input name a condition mentions."""
    return frozenset(node.input for node, _, _ in _walk(condition, ""))


def check(condition: Condition, schema: Schema, path: str = "when") -> None:
    """Check a condition against a schema: known inputs, thresholds of the right kind, bounded size.

    Raises:
        PolicyError: The first problem, naming its path.
    """
    nodes, depth = _count_nodes(condition)
    if depth > MAX_CONDITION_DEPTH:
        raise PolicyError(path, depth, f"nests deeper than {MAX_CONDITION_DEPTH} levels")
    if nodes > MAX_CONDITION_NODES:
        raise PolicyError(path, nodes, f"has more than {MAX_CONDITION_NODES} nodes")
    for node, where, _ in _walk(condition, path):
        if node.input not in schema:
            raise PolicyError(f"{where}.input", node.input, "is not a known input" + schema.suggest(node.input))
        spec = schema[node.input]
        values = node.value if isinstance(node.value, tuple) else (node.value,)
        if node.op is Op.BETWEEN and len(values) != 2:
            raise PolicyError(f"{where}.value", node.value, "'between' takes [low, high]")
        if node.op is Op.IN and not values:
            raise PolicyError(f"{where}.value", node.value, "'in' takes a non-empty list")
        if node.op not in (Op.BETWEEN, Op.IN) and isinstance(node.value, tuple):
            raise PolicyError(f"{where}.value", node.value, f"{node.op.value!r} takes one value, not a list")
        for i, value in enumerate(values):
            at = f"{where}.value" + (f"[{i}]" if isinstance(node.value, tuple) else "")
            if spec.kind is InputKind.NUMBER and not isinstance(value, Decimal):
                raise PolicyError(at, value, f"must be a number: {node.input!r} is a number")
            if isinstance(value, Decimal) and not value.is_finite():
                raise PolicyError(at, value, "must be a finite number")
            if spec.kind is InputKind.BOOL and not isinstance(value, bool):
                raise PolicyError(at, value, f"must be true or false: {node.input!r} is a flag")
            if spec.kind is InputKind.TEXT and not isinstance(value, str):
                raise PolicyError(at, value, f"must be text: {node.input!r} is text")
        if spec.kind is not InputKind.NUMBER and node.op in _ORDERED:
            raise PolicyError(f"{where}.op", node.op.value, f"cannot order {spec.kind.value} input {node.input!r}")
        if node.op is Op.BETWEEN:
            low, high = values
            if isinstance(low, Decimal) and isinstance(high, Decimal) and low > high:
                raise PolicyError(f"{where}.value", node.value, "'between' needs low <= high")


# -- evaluation -----------------------------------------------------------------------------------


def _compare(op: Op, actual: object, value: Value) -> bool:
    """Compare *actual* with *value*; a missing value (``None``) satisfies no comparison."""
    if actual is None:
        return False
    a: Any = actual
    if op is Op.GE:
        return bool(a >= value)
    if op is Op.GT:
        return bool(a > value)
    if op is Op.LE:
        return bool(a <= value)
    if op is Op.LT:
        return bool(a < value)
    if op is Op.EQ:
        return bool(a == value)
    if op is Op.NE:
        return bool(a != value)
    if op is Op.BETWEEN:
        pair: tuple[Any, ...] = value if isinstance(value, tuple) else (value, value)
        return bool(pair[0] <= a <= pair[1])
    return a in value if isinstance(value, tuple) else bool(a == value)


def _lookup(values: Mapping[str, object], name: str) -> object:
    try:
        return values[name]
    except KeyError:
        raise InvalidValueError(f"inputs.{name}", None, "is needed by the condition but was not given") from None


def _safe_compare(node: Compare, actual: object) -> bool:
    try:
        return _compare(node.op, actual, node.value)
    except (TypeError, ArithmeticError):  # a value of the wrong type; a NaN (decimal refuses to order it)
        raise InvalidValueError(
            f"inputs.{node.input}", actual, f"cannot be compared with {_show(node.value)} ({node.op.value})"
        ) from None


def evaluate(condition: Condition, values: Mapping[str, object]) -> bool:
    """Whether *condition* holds for the input *values* (numbers as int or Decimal).

    Raises:
        InvalidValueError: An input the condition needs is missing from *values*.
    """
    if isinstance(condition, Compare):
        return _safe_compare(condition, _lookup(values, condition.input))
    if isinstance(condition, All):
        return all(evaluate(c, values) for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, values) for c in condition.conditions)
    return not evaluate(condition.condition, values)


@attrs.frozen
class Check:
    """One comparison as evaluated: the input, its actual value, the threshold, and the outcome.

    ``gap`` is, for an unmet numeric comparison, how far the input must move to meet it
    (positive: raise it; negative: lower it); for ``>``/``<`` the input must move strictly past it.
    """

    input: str
    op: Op
    threshold: Value
    actual: object
    passed: bool
    negated: bool = False
    gap: Decimal | None = None

    def __str__(self) -> str:
        shown = _show(self.actual) if isinstance(self.actual, (Decimal, bool, str)) else str(self.actual)
        if self.actual is None:  # a missing value satisfies no comparison
            if self.passed:
                return f"{self.input} missing, so not {self.op.value} {_show(self.threshold)}"
            return f"{self.input} missing: {self.op.value} {_show(self.threshold)} needed"
        if self.passed and self.negated:
            return f"{self.input} {shown} not {self.op.value} {_show(self.threshold)}"
        if self.passed:
            return f"{self.input} {shown} {self.op.value} {_show(self.threshold)}"
        if self.negated:
            return f"{self.input} {shown} must not be {self.op.value} {_show(self.threshold)}"
        # ">=" reads best as the shortfall ("service 72.5 < 80 needed"); other operators state the need.
        if self.op is Op.GE:
            text = f"{self.input} {shown} < {_show(self.threshold)} needed"
        else:
            text = f"{self.input} {shown}: {self.op.value} {_show(self.threshold)} needed"
        if self.gap is not None and self.gap != 0:
            strict = " and more" if self.op in (Op.GT, Op.LT) else ""
            text += f" ({'+' if self.gap > 0 else '-'}{_plain(self.gap.copy_abs())}{strict})"
        return text


def _gap(op: Op, actual: object, threshold: Value) -> Decimal | None:
    if isinstance(actual, bool) or not isinstance(actual, (int, Decimal)):
        return None
    a = Decimal(actual)
    if a.is_nan():  # only where a caller's decimal context lets a NaN compare: there is no distance to show
        return None
    if op in (Op.GE, Op.GT, Op.LE, Op.LT) and isinstance(threshold, Decimal):
        return _difference(threshold, a)
    if op is Op.BETWEEN and isinstance(threshold, tuple):
        low, high = threshold
        if isinstance(low, Decimal) and a < low:
            return _difference(low, a)
        if isinstance(high, Decimal) and a > high:
            return _difference(high, a)
    return None


def _difference(a: Decimal, b: Decimal) -> Decimal | None:
    """``a - b`` exactly (to 200 digits) whatever the thread's decimal context; ``None`` (no gap to show) where
    even that cannot hold it (values near the largest exponent decimal allows)."""
    try:
        return _WIDE.subtract(a, b)
    except ArithmeticError:
        return None


@attrs.frozen
class Explanation:
    """A condition's outcome with every comparison that decided it.

    ``checks`` lists every comparison evaluated (all of them, not only the deciding
    ones), in document order; ``passed`` is the condition's value.
    """

    passed: bool
    checks: tuple[Check, ...]
    condition: Condition

    def unmet(self) -> tuple[Check, ...]:
        """The comparisons that failed (what it would take to make the condition hold, for ``all``)."""
        return tuple(c for c in self.checks if not c.passed)


def explain(condition: Condition, values: Mapping[str, object]) -> Explanation:
    """Evaluate *condition* and record every comparison; the outcome always equals :func:`evaluate`'s."""
    checks: list[Check] = []
    passed = _visit(condition, values, False, checks)
    explanation: Explanation = _NEW(Explanation)
    _SET_PASSED(explanation, passed)
    _SET_CHECKS(explanation, tuple(checks))
    _SET_CONDITION(explanation, condition)
    return explanation


def _visit(node: Condition, values: Mapping[str, object], negated: bool, checks: list[Check]) -> bool:
    """:func:`explain`'s walk: evaluate *node*, appending a :class:`Check` per comparison, in document order."""
    if isinstance(node, Compare):
        actual = _lookup(values, node.input)
        outcome = _safe_compare(node, actual)
        passed = outcome != negated
        checks.append(
            _new_check(
                node.input,
                node.op,
                node.value,
                actual,
                passed,
                negated,
                None if passed or negated else _gap(node.op, actual, node.value),
            )
        )
        return outcome
    if isinstance(node, Not):
        return not _visit(node.condition, values, not negated, checks)
    results = [_visit(child, values, negated, checks) for child in node.conditions]
    return all(results) if isinstance(node, All) else any(results)


# Checks and explanations are built in bulk when decisions are explained: their slots are set directly, as the
# attrs __init__ would set them (neither class has validators), without the frozen __setattr__ detour.
_NEW: Final = object.__new__
_CHECK_SLOTS: Final = tuple(Check.__dict__[a.name].__set__ for a in attrs.fields(Check))
_SET_PASSED, _SET_CHECKS, _SET_CONDITION = (Explanation.__dict__[a.name].__set__ for a in attrs.fields(Explanation))


def _new_check(
    input: str, op: Op, threshold: Value, actual: object, passed: bool, negated: bool, gap: Decimal | None
) -> Check:
    """``Check(input, op, threshold, actual, passed, negated, gap)``, built faster (for explanations in bulk)."""
    check: Check = _NEW(Check)
    s_input, s_op, s_threshold, s_actual, s_passed, s_negated, s_gap = _CHECK_SLOTS
    s_input(check, input)
    s_op(check, op)
    s_threshold(check, threshold)
    s_actual(check, actual)
    s_passed(check, passed)
    s_negated(check, negated)
    s_gap(check, gap)
    return check


# -- search over the declared input space (for lint) -----------------------------------------------


@attrs.frozen
class _Cell:
    """A piece of one input's range: a point, or an open interval between two points."""

    low: Decimal | None  # None: unbounded
    high: Decimal | None
    point: bool

    def sample(self, integer: bool) -> Decimal | None:
        """A value inside the cell, or None if it holds none (e.g. an integer gap)."""
        with localcontext(_EXACT):  # thresholds may have many digits: no rounding in the samples
            return self._sample(integer)

    def _sample(self, integer: bool) -> Decimal | None:
        if self.point:
            return self.low
        low, high = self.low, self.high
        if integer:
            start = (low.to_integral_value(rounding=ROUND_FLOOR) + 1) if low is not None else None
            end = (high.to_integral_value(rounding=ROUND_CEILING) - 1) if high is not None else None
            if start is None and end is None:
                return Decimal(0)
            if start is None:
                return end
            if end is None:
                return start
            return start if start <= end else None
        if low is None and high is None:
            return Decimal(0)
        if low is None:
            return high - 1 if high is not None else None
        if high is None:
            return low + 1
        return (low + high) / 2


def _thresholds(conditions: Iterable[Condition], name: str) -> list[Scalar]:
    found: list[Scalar] = []
    for condition in conditions:
        for node, _, _ in _walk(condition, ""):
            if node.input == name:
                found.extend(node.value if isinstance(node.value, tuple) else (node.value,))
    return found


def _cells(spec: InputSpec, conditions: Sequence[Condition]) -> list[object]:
    """Representative values for one input: enough that every condition is constant within each cell.

    An optional input also gets ``None`` (missing), which satisfies no comparison.
    """
    values = _present_cells(spec, conditions)
    return [*values, None] if spec.optional else values


def _present_cells(spec: InputSpec, conditions: Sequence[Condition]) -> list[object]:
    if spec.kind is InputKind.BOOL:
        return [False, True]
    if spec.kind is InputKind.TEXT:
        texts = sorted({t for t in _thresholds(conditions, spec.name) if isinstance(t, str)})
        return [*texts, "\x00other"]
    points = sorted(
        {t for t in _thresholds(conditions, spec.name) if isinstance(t, Decimal)}
        | {b for b in (spec.low, spec.high) if b is not None}
    )
    points = [p for p in points if (spec.low is None or p >= spec.low) and (spec.high is None or p <= spec.high)]
    if spec.integer:
        # A whole-number input cannot sit at 5.5: the values around such a threshold are 5 and 6.
        snapped: set[Decimal] = set()
        for p in points:
            snapped.add(p.to_integral_value(rounding=ROUND_FLOOR))
            snapped.add(p.to_integral_value(rounding=ROUND_CEILING))
        points = sorted(
            p for p in snapped if (spec.low is None or p >= spec.low) and (spec.high is None or p <= spec.high)
        )
    cells: list[_Cell] = []
    previous: Decimal | None = spec.low
    if spec.low is None:
        cells.append(_Cell(None, points[0] if points else None, False))
    for i, p in enumerate(points):
        if i > 0 or (spec.low is not None and p > spec.low):
            cells.append(_Cell(previous, p, False))
        cells.append(_Cell(p, p, True))
        previous = p
    if spec.high is None:
        cells.append(_Cell(previous, None, False))
    values: list[object] = []
    for cell in cells:
        value = cell.sample(spec.integer)
        if value is not None and value not in values:
            values.append(value)
    return values


class SearchBudget:
    """A number of search steps shared by several :func:`find_witness` calls (lint checks a whole policy)."""

    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self) -> None:
        """Use one step; raise :class:`PolicyError` when none is left."""
        self.left -= 1
        if self.left < 0:
            raise PolicyError("lint", "budget", "the search space is too large to check exhaustively")


def find_witness(
    formula: Condition,
    schema: Schema,
    *,
    fixed: Mapping[str, object] | None = None,
    budget: int | SearchBudget = 200_000,
) -> dict[str, object] | None:
    """Find input values within the schema's declared ranges that make *formula* true, or ``None``.

    The search is exact for this language: each input's range is cut at every
    threshold the formula uses, and one value per piece is tried, so if any
    values satisfy the formula, some tried combination does. Inputs the formula
    does not mention are left out of the result. *fixed* pins some inputs.

    Raises:
        PolicyError: The search would exceed *budget* evaluations (the formula is too large to check).
    """
    names = sorted(inputs_of(formula) - set(fixed or {}))
    for name in names:
        if name not in schema:
            raise PolicyError("inputs", name, "is not a known input" + schema.suggest(name))
    # Most-mentioned inputs first: assigning them decides (and prunes) the most comparisons.
    mentions: dict[str, int] = {}
    for node, _, _ in _walk(formula, ""):
        mentions[node.input] = mentions.get(node.input, 0) + 1
    names.sort(key=lambda n: (-mentions.get(n, 0), n))
    domains = [_cells(schema[name], [formula]) for name in names]
    values: dict[str, object] = dict(fixed or {})
    meter = budget if isinstance(budget, SearchBudget) else SearchBudget(budget)
    start = _simplify(formula, values)

    def search(i: int, current: Condition | bool) -> bool:
        meter.spend()
        if isinstance(current, bool):
            return current
        if i == len(names):  # pragma: no cover - every input is assigned by now, so current is a bool
            return False
        name = names[i]
        for value in domains[i]:
            values[name] = value
            if search(i + 1, _simplify(current, {name: value})):
                return True
        del values[name]
        return False

    if not search(0, start):
        return None
    for name, domain in zip(names, domains, strict=True):
        values.setdefault(name, domain[0])  # decided without it: any value of its range will do
    mentioned = inputs_of(formula)
    return {k: v for k, v in values.items() if k in mentioned and (fixed is None or k not in fixed)}


def _simplify(condition: Condition, values: Mapping[str, object]) -> Condition | bool:
    """Partially evaluate *condition* with the inputs in *values*; ``True``/``False`` once decided."""
    if isinstance(condition, Compare):
        if condition.input in values:
            return _compare(condition.op, values[condition.input], condition.value)
        return condition
    if isinstance(condition, Not):
        inner = _simplify(condition.condition, values)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    is_all = isinstance(condition, All)
    kept: list[Condition] = []
    for child in condition.conditions:
        result = _simplify(child, values)
        if isinstance(result, bool):
            if result != is_all:  # a False under all / a True under any decides it
                return result
            continue
        kept.append(result)
    if not kept:
        return is_all
    return All(tuple(kept)) if is_all else AnyOf(tuple(kept))
