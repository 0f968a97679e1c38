"""The interpreter of the condition language: evaluation, and explanations that record every comparison.

:func:`evaluate` answers a condition for one set of inputs; :func:`explain` answers it and records every
comparison with the actual value, the threshold and, for an unmet one, the gap to the threshold.

>>> from decimal import Decimal
>>> from fenxiao.rules.language import All, Compare, Op
>>> cond = All((Compare("composite", Op.GE, Decimal(60)), Compare("units_30d", Op.GE, Decimal(1000))))
>>> evaluate(cond, {"composite": Decimal("72.5"), "units_30d": 640})
False
>>> [str(g) for g in explain(cond, {"composite": Decimal("72.5"), "units_30d": 640}).unmet()]
['units_30d 640 < 1000 needed (+360)']
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    import cattrs

from fenxiao._internal import hooks
from fenxiao._internal.validators import checks_arguments_on_failure
from fenxiao.errors import InvalidValueError
from fenxiao.rules.language import _WIDE, All, AnyOf, Compare, Condition, Not, Op, Value, _show, scalar_from_data

__all__ = ["Check", "Explanation", "difference", "evaluate", "explain", "explain_comparison", "make_check"]


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
    return _contains(value, a) if isinstance(value, tuple) else bool(a == value)


# An "in" list of a few values is scanned; a longer one is looked up in its set, built once per list (by identity;
# the few most recent lists are kept): lint tries one value per cell against the list, so a scan was quadratic.
_SCANNED: Final = 8
_SETS_KEPT: Final = 64
_SETS: Final[dict[int, tuple[tuple[object, ...], frozenset[object] | None]]] = {}


def _member_set(values: tuple[object, ...]) -> frozenset[object] | None:
    """The values of an ``in`` list as a set (built once per list), or ``None`` if one of them is unhashable."""
    known = _SETS.get(id(values))
    if known is not None and known[0] is values:
        return known[1]
    try:
        found: frozenset[object] | None = frozenset(values)
    except TypeError:
        found = None
    while len(_SETS) >= _SETS_KEPT:
        try:
            del _SETS[next(iter(_SETS))]
        except (KeyError, RuntimeError, StopIteration):  # another thread took it first
            break
    _SETS[id(values)] = (values, found)  # the list is kept with its set, so its id is not reused meanwhile
    return found


def _contains(values: tuple[object, ...], actual: object) -> bool:
    """Whether *actual* equals one of *values*: exactly ``actual in values`` (equal numbers hash alike), in constant
    time for a long list."""
    if len(values) > _SCANNED:
        found = _member_set(values)
        if found is not None:
            try:
                return actual in found
            except TypeError:  # an unhashable value (or a signalling NaN): compared one by one below
                pass
    return actual in values


def _lookup(values: Mapping[str, object], name: str) -> object:
    try:
        return values[name]
    except KeyError:
        raise InvalidValueError(f"inputs.{name}", None, "is needed by the condition but was not given") from None


def _numeric(value: object) -> bool:
    """Whether a threshold is a number (an int or a Decimal, not a bool), or a tuple holding one."""
    if isinstance(value, tuple):
        return any(_numeric(v) for v in value)
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _safe_compare(node: Compare, actual: object) -> bool:
    if isinstance(actual, (float, bool)) and _numeric(node.value):
        # A float is not exact and a bool is not a count: either would compare, and silently decide wrongly.
        kind = "float (write exact numbers as int, Decimal or text)" if isinstance(actual, float) else "bool"
        raise InvalidValueError(f"inputs.{node.input}", actual, f"must be an int or a Decimal, not a {kind}")
    try:
        return _compare(node.op, actual, node.value)
    except (TypeError, ArithmeticError):  # a value of the wrong type; a NaN (decimal refuses to order it)
        raise InvalidValueError(
            f"inputs.{node.input}", actual, f"cannot be compared with {_show(node.value)} ({node.op.value})"
        ) from None


@checks_arguments_on_failure
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
    unit: str = attrs.field(default="", eq=False)
    """How the rule wrote its threshold (``"%"``): the actual value, the threshold and the gap are shown so."""

    def __str__(self) -> str:
        unit = self.unit
        actual = self.actual
        if isinstance(actual, int) and not isinstance(actual, bool) and unit:
            actual = Decimal(actual)
        shown = _show(actual, unit) if isinstance(actual, (Decimal, bool, str)) else str(actual)
        if self.actual is None:  # a missing value satisfies no comparison
            if self.passed:
                return f"{self.input} missing, so not {self.op.value} {_show(self.threshold, unit)}"
            return f"{self.input} missing: {self.op.value} {_show(self.threshold, unit)} needed"
        threshold = _show(self.threshold, unit)
        if self.passed and self.negated:
            return f"{self.input} {shown} not {self.op.value} {threshold}"
        if self.passed:
            return f"{self.input} {shown} {self.op.value} {threshold}"
        if self.negated:
            return f"{self.input} {shown} must not be {self.op.value} {threshold}"
        # ">=" reads best as the shortfall ("service 72.5 < 80 needed"); other operators state the need.
        if self.op is Op.GE:
            text = f"{self.input} {shown} < {threshold} needed"
        else:
            text = f"{self.input} {shown}: {self.op.value} {threshold} needed"
        if self.gap is not None and self.gap != 0:
            strict = " and more" if self.op in (Op.GT, Op.LT) else ""
            text += f" ({'+' if self.gap > 0 else '-'}{_show(self.gap.copy_abs(), unit)}{strict})"
        return text


def _gap(op: Op, actual: object, threshold: Value) -> Decimal | None:
    if isinstance(actual, bool) or not isinstance(actual, (int, Decimal)):
        return None
    a = Decimal(actual)
    if a.is_nan():  # only where a caller's decimal context lets a NaN compare: there is no distance to show
        return None
    if op in (Op.GE, Op.GT, Op.LE, Op.LT) and isinstance(threshold, Decimal):
        return difference(threshold, a)
    if op is Op.BETWEEN and isinstance(threshold, tuple):
        low, high = threshold
        if isinstance(low, Decimal) and a < low:
            return difference(low, a)
        if isinstance(high, Decimal) and a > high:
            return difference(high, a)
    return None


def _shortfall(threshold: Decimal, actual: object) -> Decimal | None:
    """:func:`_gap` of an ordered comparison with a ``Decimal`` threshold, for an actual value that is an ``int``,
    a ``Decimal`` or ``None`` (what compiled explanations read): ``threshold - actual`` exactly, ``None`` for a
    missing value or a NaN, or where no gap can be shown (see :func:`difference`)."""
    try:
        gap = _WIDE.subtract(threshold, actual)  # type: ignore[arg-type]  # an int is converted exactly, as Decimal() would
    except (ArithmeticError, TypeError):
        return None
    return None if gap.is_nan() else gap


def difference(a: Decimal, b: Decimal) -> Decimal | None:
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


@checks_arguments_on_failure
def explain(condition: Condition, values: Mapping[str, object]) -> Explanation:
    """Evaluate *condition* and record every comparison; the outcome always equals :func:`evaluate`'s."""
    checks: list[Check] = []
    passed = _visit(condition, values, False, checks)
    explanation: Explanation = _NEW(Explanation)
    _SET_PASSED(explanation, passed)
    _SET_CHECKS(explanation, tuple(checks))
    _SET_CONDITION(explanation, condition)
    return explanation


@checks_arguments_on_failure
def explain_comparison(node: Compare, values: Mapping[str, object]) -> Check:
    """The one check :func:`explain` records for the comparison *node* (``explain(node, values).checks[0]``),
    without the explanation around it.

    Raises:
        InvalidValueError: The input is missing from *values* or cannot be compared.
    """
    actual = _lookup(values, node.input)
    passed = _safe_compare(node, actual)
    gap = None if passed else _gap(node.op, actual, node.value)
    return make_check(node.input, node.op, node.value, actual, passed, False, gap, node.unit)


def _visit(node: Condition, values: Mapping[str, object], negated: bool, checks: list[Check]) -> bool:
    """:func:`explain`'s walk: evaluate *node*, appending a :class:`Check` per comparison, in document order."""
    if isinstance(node, Compare):
        actual = _lookup(values, node.input)
        outcome = _safe_compare(node, actual)
        passed = outcome != negated
        checks.append(
            make_check(
                node.input,
                node.op,
                node.value,
                actual,
                passed,
                negated,
                None if passed or negated else _gap(node.op, actual, node.value),
                node.unit,
            )
        )
        return outcome
    if isinstance(node, Not):
        return not _visit(node.condition, values, not negated, checks)
    results = [_visit(child, values, negated, checks) for child in node.conditions]
    return all(results) if isinstance(node, All) else any(results)


# Checks and explanations are built in bulk when decisions are explained, without the attrs __init__ (neither class
# has validators). An Explanation's slots are set through their descriptors. A Check, built a dozen times per
# explained decision, is built as a _CheckUnderway: the same class with the frozen __setattr__ and __delattr__ taken
# away (object's own, so its slots are stored by plain attribute stores, which CPython specializes to a direct slot
# write) and no slots of its own, so its layout is Check's; its class is then set to Check. A slot store through its
# descriptor's __set__ costs as much as building a tuple of eight; a plain store a tenth of that.
_NEW: Final = object.__new__
_SET_PASSED, _SET_CHECKS, _SET_CONDITION = (Explanation.__dict__[a.name].__set__ for a in attrs.fields(Explanation))


class _CheckUnderway(Check):
    """A :class:`Check` being built (never seen outside :func:`make_check` and compiled explanations): once every
    field is stored, its ``__class__`` is set to :class:`Check`."""

    __slots__ = ()
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__


# The fields of a Check, in the order of its constructor (what a builder must store, every one of them).
_CHECK_FIELDS: Final = tuple(a.name for a in attrs.fields(Check))


def make_check(
    input: str,
    op: Op,
    threshold: Value,
    actual: object,
    passed: bool,
    negated: bool,
    gap: Decimal | None,
    unit: str = "",
) -> Check:
    """``Check(input, op, threshold, actual, passed, negated, gap, unit)``, built faster (for explanations in
    bulk)."""
    check: Any = _NEW(_CheckUnderway)  # Any: its frozen fields are stored here, as Check's __init__ would store them
    check.input = input
    check.op = op
    check.threshold = threshold
    check.actual = actual
    check.passed = passed
    check.negated = negated
    check.gap = gap
    check.unit = unit
    check.__class__ = Check
    built: Check = check
    return built


def _threshold_from_data(value: object) -> Value:
    # A check's threshold is written as its comparison's value is (see condition_to_data), and read the same way.
    if isinstance(value, list):
        return tuple(scalar_from_data(item, "@") for item in value)
    return scalar_from_data(value, "@")


def _actual_from_data(value: object, threshold: Value) -> object:
    """A check's actual value as written: a number compared with numbers is read as one (``"4.5"``)."""
    if value is None or isinstance(value, bool) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        items = threshold if isinstance(threshold, tuple) else (threshold,)
        if items and all(isinstance(item, Decimal) and not isinstance(item, bool) for item in items):
            number = scalar_from_data(value, "@")
            return number if isinstance(number, Decimal) else value
        return value
    raise InvalidValueError("@", value, "must be a number, true or false, text or null")


@hooks.register
def _teach(converter: cattrs.Converter) -> None:
    import cattrs

    def unstructure_actual(value: object) -> Any:
        # A check's actual value is whatever the caller passed: write it out by its own type (Decimals as text).
        return converter.unstructure(value, type(value))

    converter.register_unstructure_hook(
        Check,
        cattrs.gen.make_dict_unstructure_fn(
            Check,
            converter,
            actual=cattrs.gen.override(unstruct_hook=unstructure_actual),
            unit=cattrs.gen.override(omit_if_default=True),
        ),
    )
    read_check = cattrs.gen.make_dict_structure_fn(
        Check,
        converter,
        _cattrs_forbid_extra_keys=True,
        threshold=cattrs.gen.override(struct_hook=lambda value, _: _threshold_from_data(value)),
        actual=cattrs.gen.override(struct_hook=lambda value, _: value),
    )

    def structure_check(value: object, _: Any) -> Check:
        if not isinstance(value, Mapping):
            raise InvalidValueError("Check", value, "must be a table/object of Check fields")
        read = read_check(value, Check)
        try:
            actual = _actual_from_data(read.actual, read.threshold)
        except InvalidValueError as exc:
            raise InvalidValueError("@.actual", exc.value, exc.problem) from None
        return make_check(read.input, read.op, read.threshold, actual, read.passed, read.negated, read.gap, read.unit)

    converter.register_structure_hook(Check, structure_check)
