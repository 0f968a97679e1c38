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
:func:`~fenxiao.rules.interpreter.explain` evaluates a condition and records every comparison, with the
actual value, the threshold and, for an unmet one, the gap.
:func:`~fenxiao.rules.witness.find_witness` searches the declared input space for values that make a
formula true; lint uses it to find gaps and shadowed rules exactly.

>>> schema = Schema.of(
...     InputSpec("composite", low=Decimal(0), high=Decimal(100)),
...     InputSpec("units_30d", integer=True, low=Decimal(0)),
... )
>>> cond = All((Compare("composite", Op.GE, Decimal(60)), Compare("units_30d", Op.GE, Decimal(1000))))
>>> check(cond, schema)
>>> str(cond)
'(composite >= 60 and units_30d >= 1000)'

.. versionadded:: 0.1
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from typing import TYPE_CHECKING, Any, Final, TypeAlias, get_args

import attrs

if TYPE_CHECKING:
    import cattrs

from fenxiao._internal import hooks
from fenxiao._internal import validators as v
from fenxiao._internal.strict import ascii_number, other_digits
from fenxiao._internal.validators import checks_arguments, checks_arguments_on_failure
from fenxiao.errors import InvalidValueError, PolicyError

__all__ = [
    "MAX_CONDITION_DEPTH",
    "MAX_CONDITION_NODES",
    "MAX_THRESHOLD_DIGITS",
    "MAX_THRESHOLD_PLACES",
    "All",
    "AnyOf",
    "Compare",
    "Condition",
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
    "inputs_of",
    "scalar_from_data",
]

#: How deep ``all``/``any``/``not`` may nest.
MAX_CONDITION_DEPTH: Final = 8
#: How many nodes (comparisons and combinators) one condition may hold.
MAX_CONDITION_NODES: Final = 256
#: The most significant digits a number in a condition may have (Python's default decimal precision: no
#: threshold is ever rounded, in fenxiao or in a caller's arithmetic). More is refused, never rounded.
MAX_THRESHOLD_DIGITS: Final = 28
#: A number in a condition lies below ``10**MAX_THRESHOLD_PLACES`` in size and has no digit below
#: ``10**-MAX_THRESHOLD_PLACES`` (a zero is always on the grid).
MAX_THRESHOLD_PLACES: Final = 30

# Enough precision that sample points between thresholds are exact (thresholds are exact Decimals).
_EXACT: Final = Context(prec=200, Emax=10**6, Emin=-(10**6))
# Numbers are written out in full up to this many digits either side of the point, in scientific notation beyond.
_PLAIN_DIGITS: Final = 60
# A percentage moves the point two places: exact for any exponent (an exponent past the range is off the grid).
_SCALING: Final = Context(prec=MAX_EMAX, Emax=MAX_EMAX, Emin=MIN_EMIN)
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


def _optional_bound(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not (isinstance(value, Decimal) and value.is_finite()):
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be a finite Decimal or None")


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

    name: str = attrs.field(validator=v.text)
    kind: InputKind = attrs.field(default=InputKind.NUMBER, validator=v.member_of(InputKind))
    low: Decimal | None = attrs.field(default=None, validator=_optional_bound)
    high: Decimal | None = attrs.field(default=None, validator=_optional_bound)
    integer: bool = attrs.field(default=False, validator=v.boolean)
    better: str | None = "higher"
    description: str = attrs.field(default="", validator=v.label)
    optional: bool = attrs.field(default=False, validator=v.boolean)

    def __attrs_post_init__(self) -> None:
        better: object = self.better
        if not (better is None or (isinstance(better, str) and better in ("higher", "lower"))):
            raise InvalidValueError(f"InputSpec({self.name}).better", self.better, "must be 'higher', 'lower' or None")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise InvalidValueError(f"InputSpec({self.name}).high", self.high, f"must not be below low {self.low}")


def _spec_dict(inputs: Mapping[str, InputSpec]) -> dict[str, InputSpec]:
    if not isinstance(inputs, Mapping):
        raise InvalidValueError("Schema.inputs", inputs, "must be a mapping of input names to InputSpec")
    for name, spec in inputs.items():
        if not isinstance(spec, InputSpec):
            raise InvalidValueError(f"Schema.inputs[{name!r}]", spec, "must be an InputSpec")
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


def _check_unit(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in UNITS:
        raise PolicyError("Compare.unit", value, "must be '' (as written) or '%' (a percentage)")


#: The units a threshold may be shown in: ``""`` (as the number it is) and ``"%"`` (written ``"5%"``: 0.05).
UNITS: Final = ("", "%")


@attrs.frozen
class Compare:
    """Compare one named input with a threshold: ``Compare("service", Op.GE, Decimal(80))``.

    Whole-number thresholds may be given as ``int`` (they become Decimals); floats are refused by :func:`check`.
    ``unit`` is how the threshold was written, for people: ``"%"`` when a file said ``"5%"``, so explanations and
    the file written back say 5%, not 0.05. It is not part of the comparison (equality ignores it).

    >>> str(Compare("refund_rate", Op.LE, Decimal("0.05"), unit="%"))
    'refund_rate <= 5%'
    """

    input: str = attrs.field()
    op: Op = attrs.field(converter=_as_op)
    value: Value = attrs.field(converter=_exact)
    unit: str = attrs.field(default="", eq=False, repr=False, validator=_check_unit)

    @input.validator
    def _check_input(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value:
            raise PolicyError("Compare.input", value, "must be an input name")

    def __str__(self) -> str:
        return f"{self.input} {self.op.value} {_show(self.value, self.unit)}"


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


def _show(value: Value, unit: str = "") -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v, unit) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _plain(value.scaleb(2)) + "%" if unit == "%" and value.is_finite() else _plain(value)
    return repr(value)


def _plain(value: Decimal) -> str:
    if value.is_finite() and abs(value.adjusted()) > _PLAIN_DIGITS:
        return str(value)  # 9E+999999999999999999 written out would exhaust memory, and nobody could read it
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# -- data form ------------------------------------------------------------------------------------


def off_grid(number: Decimal) -> str | None:
    """Why *number* cannot be a threshold (not finite, too many digits, too large or too fine), or ``None``.

    Exact and instant for any Decimal (``1E-999999999999999999`` included): only its digits and exponent are read.

    >>> off_grid(Decimal("59.999999999999999999999999999999"))
    'has more than 28 significant digits (a threshold is never rounded)'
    >>> off_grid(Decimal("1E-999999999999999999"))
    'is outside the grid of thresholds: below 1E+30 in size, no digit finer than 1E-30'
    >>> off_grid(Decimal("92.5")) is None
    True
    """
    if not number.is_finite():
        return "must be a finite number"
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # a finite number's exponent
    if len(digits) <= MAX_THRESHOLD_DIGITS and -MAX_THRESHOLD_PLACES <= exponent <= MAX_THRESHOLD_PLACES - len(digits):
        return None  # the usual case: every digit written is on the grid
    trailing = len(digits) - len(bytes(digits).rstrip(b"\0"))
    lowest, highest = (exponent, exponent) if number.is_zero() else (exponent + trailing, number.adjusted())
    if highest >= MAX_THRESHOLD_PLACES or lowest < -MAX_THRESHOLD_PLACES:
        return (
            f"is outside the grid of thresholds: below 1E+{MAX_THRESHOLD_PLACES} in size, "
            f"no digit finer than 1E-{MAX_THRESHOLD_PLACES}"
        )
    if len(digits) - trailing > MAX_THRESHOLD_DIGITS:
        return f"has more than {MAX_THRESHOLD_DIGITS} significant digits (a threshold is never rounded)"
    return None


def _on_grid(number: Decimal, raw: object, path: str) -> Decimal:
    problem = off_grid(number)
    if problem is not None:
        raise PolicyError(path, raw, problem)
    return number


def _number(raw: object, path: str) -> Decimal:
    if isinstance(raw, float):
        raise PolicyError(path, raw, "must be exact: write it as a string or an integer, not a float")
    if isinstance(raw, bool):
        raise PolicyError(path, raw, "must be a number")
    if isinstance(raw, int):
        if abs(raw) >= 10**MAX_THRESHOLD_PLACES:  # before Decimal(): a huge int costs its digits
            return _on_grid(Decimal(10) ** MAX_THRESHOLD_PLACES, raw, path)
        return _on_grid(Decimal(raw), raw, path)
    if isinstance(raw, Decimal):
        return _on_grid(raw, raw, path)
    if isinstance(raw, str):
        text = raw.strip()
        percent = text.endswith("%")
        written = ascii_number(text[:-1] if percent else text)
        if written is None:
            # "٩٠" and "９０" are digits to Decimal, not to a rule file; "Infinity" and "NaN" are not numbers either.
            raise PolicyError(path, raw, "is not a number written in ASCII digits")
        number = Decimal(written)  # exact, whatever the context
        if percent and number.is_finite():
            number = number.scaleb(-2, context=_SCALING)
        return _on_grid(number, raw, path)
    raise PolicyError(path, raw, "must be a number")


def _scalar(raw: object, path: str) -> Scalar:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and ascii_number(raw.removesuffix("%") if raw.strip().endswith("%") else raw) is None:
        return raw  # text ("warned"); on a number input, check() refuses it by name
    return _number(raw, path)


def scalar_from_data(raw: object, path: str = "value") -> Scalar:
    """One value as a condition's file form reads it: ``true``/``false``, an exact number (``"0.05"``, ``"5%"``,
    ``12``), else text.

    >>> scalar_from_data("5%"), scalar_from_data(12), scalar_from_data("warned")
    (Decimal('0.05'), Decimal('12'), 'warned')

    Raises:
        PolicyError: A float, or a value that is none of these (naming *path*).
    """
    return _scalar(raw, path)


def condition_from_data(data: object, path: str = "when", *, _depth: int = 0) -> Condition:
    """Build a condition from its plain-data form (parsed JSON or TOML).

    Text thresholds that read as numbers (``"90"``, ``"0.05"``, ``"5%"``) become
    exact Decimals; other text stays text (for ``==``/``in`` on text inputs).

    Raises:
        PolicyError: A malformed node, naming its path (``rules[2].when.all[1].op``).
    """
    if _depth == 0 and not isinstance(path, str):  # the caller's; nested calls build it
        raise InvalidValueError("condition_from_data.path", path, "must be text (the path errors name)")
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
        if len(items) >= MAX_CONDITION_NODES:  # counted before building: with itself, more nodes than allowed
            raise PolicyError(path, len(items) + 1, f"has more than {MAX_CONDITION_NODES} nodes")
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
    written = raw if isinstance(raw, Sequence) and not isinstance(raw, (str, bytes)) else (raw,)
    unit = "%" if any(isinstance(item, str) and item.strip().endswith("%") for item in written) else ""
    if op in (Op.BETWEEN, Op.IN):
        if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
            raise PolicyError(f"{path}.value", raw, f"must be a list for {op.value!r}")
        values = tuple(_scalar(item, f"{path}.value[{i}]") for i, item in enumerate(raw))
        return Compare(name, op, values, unit)
    return Compare(name, op, _scalar(raw, f"{path}.value"), unit)


@checks_arguments_on_failure
def condition_to_data(condition: Condition) -> dict[str, Any]:
    """The plain-data form of a condition (numbers as exact strings), the inverse of :func:`condition_from_data`."""

    if isinstance(condition, Compare):
        unit = condition.unit

        def scalar(value: Scalar) -> Any:
            return _show(value, unit) if isinstance(value, Decimal) else value

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


@checks_arguments_on_failure
def comparisons(condition: Condition) -> tuple[Compare, ...]:
    """Every comparison in *condition*, in document order (left to right, as :func:`explain` lists them)."""
    return tuple(node for node, _, _ in _walk(condition, ""))


@checks_arguments_on_failure
def inputs_of(condition: Condition) -> frozenset[str]:
    """Every input name a condition mentions."""
    return frozenset(node.input for node, _, _ in _walk(condition, ""))


@checks_arguments
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
                ascii_only = " written in ASCII digits" if isinstance(value, str) and other_digits(value) else ""
                raise PolicyError(at, value, f"must be a number{ascii_only}: {node.input!r} is a number")
            if isinstance(value, Decimal) and (problem := off_grid(value)) is not None:
                raise PolicyError(at, value, problem)
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


# -- the file form, taught to the one converter ------------------------------------------------------------------

_CONDITION_KINDS: Final = frozenset((Compare, All, AnyOf, Not))


def _is_condition(t: Any) -> bool:
    # Condition, or Condition | None.
    return (set(get_args(t)) - {type(None)}) == _CONDITION_KINDS


def _structure_condition(value: object, t: Any) -> Condition | None:
    if value is None and type(None) in get_args(t):
        return None
    # "@" marks a path relative to the field being read (see fenxiao._internal.convert).
    return condition_from_data(value, "@")


def _structure_kind(value: object, kind: type[Any]) -> Condition:
    # One kind of node read alone (a Compare, an All ...): the same file form, and it must be that kind.
    condition = condition_from_data(value, "@")
    if type(condition) is not kind:
        raise PolicyError("@", value, f"must be a {kind.__name__} condition")
    return condition


@hooks.register
def _teach(converter: cattrs.Converter) -> None:
    converter.register_structure_hook_func(_is_condition, _structure_condition)
    for kind in _CONDITION_KINDS:
        converter.register_unstructure_hook(kind, condition_to_data)
        converter.register_structure_hook(kind, _structure_kind)
