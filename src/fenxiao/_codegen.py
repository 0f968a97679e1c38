"""Compile conditions and decision tables to plain Python functions (the fast object path).

A condition tree walked node by node costs a function call, an ``isinstance`` chain and an enum dispatch per
comparison. This module writes the same logic out as one Python function, the way attrs writes ``__init__``
and ``namedtuple`` wrote its classes: source text is assembled and compiled once, then called for every SKU.

**Rule data never becomes code.** The source text is built only from fixed templates, operator symbols looked
up in a fixed table (:data:`_SYMBOL`) and names this module generates (``_n0``, ``_k3``, ``a2``, ``c7``). Every
input name, threshold and tier is passed as a *value* in the function's namespace, whose ``__builtins__`` is
empty: an input called ``"__import__('os')"`` is a dictionary key like any other. Nothing from a policy file is
ever ``eval``'d.

**Same answers as the interpreter.** Each generated function is checked against :func:`fenxiao.conditions.evaluate`
by property tests, and callers keep the interpreter as the reference: a generated function that raises
``KeyError`` or ``TypeError`` (a missing input, a value of the wrong type, a missing optional value read by an
ordered comparison) is answered again by the interpreter, which returns the right outcome or raises the
library's error naming the input. Whole-number thresholds are compared as ``int`` (exact against ``int`` and
``Decimal`` values alike, and much cheaper than ``Decimal`` against ``int``).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any, Final

from fenxiao.conditions import All, Compare, Condition, Not, Op, comparisons

__all__ = ["Program", "compile_program"]

_SYMBOL: Final = {Op.GE: ">=", Op.GT: ">", Op.LE: "<=", Op.LT: "<", Op.EQ: "=="}
_ORDERED: Final = frozenset({Op.GE, Op.GT, Op.LE, Op.LT, Op.BETWEEN})
_INT_LIMIT: Final = 10**18
_SCALARS: Final = (Decimal, bool, str)  # what a checked threshold holds; None never equals one


def fast_threshold(value: object, integer: bool) -> object:
    """*value* as the cheapest exactly-equal operand for an input holding whole numbers (``integer``): a whole
    ``Decimal`` of sane size becomes an ``int`` (``Decimal`` against ``Decimal`` and ``int`` against ``int`` are
    the fast comparisons; mixed ones cost twice as much)."""
    if integer and type(value) is Decimal and value.is_finite() and value == value.to_integral_value():
        as_int = int(value)
        if -_INT_LIMIT < as_int < _INT_LIMIT:
            return as_int
    return value


def compilable(condition: Condition) -> bool:
    """Whether *condition* has the shapes the generator writes (it does once :func:`~fenxiao.conditions.check`
    passed); anything else stays with the interpreter."""
    if isinstance(condition, Compare):
        value = condition.value
        if condition.op is Op.BETWEEN:
            return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, _SCALARS) for v in value)
        if condition.op is Op.IN:
            return isinstance(value, tuple) and all(isinstance(v, _SCALARS) for v in value)
        return isinstance(value, _SCALARS)
    if isinstance(condition, Not):
        return compilable(condition.condition)
    return all(compilable(c) for c in condition.conditions)


class _Writer:
    """Collects the namespace (values by generated name) while source text is assembled."""

    def __init__(self, optional: Iterable[str], integers: Iterable[str]) -> None:
        self.namespace: dict[str, object] = {"__builtins__": {}}
        self._constants: dict[tuple[type, object], str] = {}
        self.optional = frozenset(optional)
        self.integers = frozenset(integers)

    def constant(self, value: object, prefix: str = "_k") -> str:
        """A generated name bound to *value* in the namespace (equal values of one type share a name)."""
        try:
            key: tuple[type, object] | None = (type(value), value)
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in self._constants:
            return self._constants[key]
        name = f"{prefix}{len(self.namespace)}"
        self.namespace[name] = value
        if key is not None:
            self._constants[key] = name
        return name

    def comparison(self, node: Compare, operand: str) -> str:
        """The source of one comparison of *operand* (a generated expression) with *node*'s threshold.

        A missing value (``None``) satisfies no comparison: ``!=`` and comparisons of optional inputs test for
        it; elsewhere ``==`` and ``in`` are false for it anyway and ordered comparisons raise ``TypeError``.
        """
        op, value = node.op, node.value
        integer = node.input in self.integers
        if op is Op.BETWEEN:
            assert isinstance(value, tuple)  # compilable() checked the shape
            low, high = (self.constant(fast_threshold(v, integer)) for v in value)
            text = f"{low} <= {operand} <= {high}"
        elif op is Op.IN:
            text = f"{operand} in {self.constant(value)}"
        elif op is Op.NE:
            # A missing value satisfies no comparison, "!=" included.
            return f"({operand} is not None and {operand} != {self.constant(fast_threshold(value, integer))})"
        else:
            text = f"{operand} {_SYMBOL[op]} {self.constant(fast_threshold(value, integer))}"
        return f"({operand} is not None and {text})" if node.input in self.optional else f"({text})"

    def expression(self, condition: Condition, leaf: Callable[[Compare], str]) -> str:
        """The source of *condition*, with each comparison written by *leaf*."""
        if isinstance(condition, Compare):
            return leaf(condition)
        if isinstance(condition, Not):
            return f"(not {self.expression(condition.condition, leaf)})"
        parts = [self.expression(c, leaf) for c in condition.conditions]
        if isinstance(condition, All):
            return "(" + " and ".join(parts) + ")" if parts else "True"
        return "(" + " or ".join(parts) + ")" if parts else "False"

    def build(self, source: str, name: str) -> Callable[..., Any]:
        """Compile *source* (defining *name*) in the namespace."""
        code = compile(source, f"<fenxiao generated {name}>", "exec")
        exec(code, self.namespace)  # generated from fixed templates; rule data is only in the namespace
        function: Callable[..., Any] = self.namespace[name]  # type: ignore[assignment]
        return function


def _read(writer: _Writer, name: str) -> str:
    return f"v[{writer.constant(name, '_n')}]"


class Program:
    """A decision table (first or highest hit) compiled to two functions.

    ``choose(values)`` reads a mapping and short-circuits exactly like walking the rules one by one; it
    returns the index of the deciding rule or ``-1``. ``capture(values)`` reads every input the rules name
    (``names``, sorted) from the mapping at once and returns ``(index, captured)``: the same index and the
    values read, in the order of ``names``.

    Before deciding, ``capture`` *probes* every value: for each input and each kind of comparison the rules
    make on it (ordered or equality, against thresholds of one type), it makes one of them. A value that can
    be compared with one threshold of a kind can be compared with all of them (true of ``int``, ``bool``,
    ``float``, ``Decimal`` -- a NaN fails every ordered comparison --, ``Fraction``, ``str`` and ``None``), so
    when ``capture`` returns, every comparison the rules can make on those values succeeds: an explanation
    built later from the captured values cannot fail on them. (A value of some other type whose comparisons
    succeed against one threshold and raise against another would raise only when that explanation is built.)
    """

    __slots__ = ("capture", "choose", "names")

    def __init__(
        self,
        names: tuple[str, ...],
        choose: Callable[[Mapping[str, object]], int],
        capture: Callable[[Mapping[str, object]], tuple[int, tuple[object, ...]]],
    ) -> None:
        self.names = names
        self.choose = choose
        self.capture = capture


def _pick(writer: _Writer, outcomes: Sequence[str], ranks: Sequence[int] | None, also: str = "") -> list[str]:
    """Source lines returning the deciding rule's index (and *also*, if given) from the rules' outcomes."""
    extra = f", {also}" if also else ""
    if ranks is None:  # first hit
        lines = [f"    if {outcome}:\n        return {i}{extra}\n" for i, outcome in enumerate(outcomes)]
        return [*lines, f"    return -1{extra}\n"]
    lines = ["    chosen = -1\n    best = -1\n"]
    for i, (outcome, rank) in enumerate(zip(outcomes, ranks, strict=True)):
        r = writer.constant(rank, "_r")
        lines.append(f"    if {outcome}:\n        if {r} > best:\n            chosen = {i}\n            best = {r}\n")
    return [*lines, f"    return chosen{extra}\n"]


def compile_program(
    conditions: Sequence[Condition],
    ranks: Sequence[int] | None,
    optional: Iterable[str] = (),
    integers: Iterable[str] = (),
) -> Program | None:
    """Compile the rules' *conditions* (in order) to a :class:`Program`, or ``None`` if one is not compilable.

    *ranks* are the rules' tier ranks for a highest-hit table (the first rule of the highest rank wins), or
    ``None`` for first hit. Comparisons of inputs named in
    *optional* treat ``None`` as missing (elsewhere a ``None`` may raise ``TypeError``, and the caller asks the
    interpreter); inputs named in *integers* hold whole numbers, and their whole thresholds are compared as
    ``int``.
    """
    if not conditions or not all(compilable(c) for c in conditions):
        return None

    # choose: reads the mapping, short-circuits like the interpreter.
    writer = _Writer(optional, integers)

    def read_leaf(node: Compare) -> str:
        return writer.comparison(node, _read(writer, node.input))

    outcomes = [writer.expression(c, read_leaf) for c in conditions]
    choose = writer.build("def choose(v):\n" + "".join(_pick(writer, outcomes, ranks)), "choose")

    # capture: every input read at once, one probe comparison per kind, then the rules on the locals.
    names = tuple(sorted({node.input for c in conditions for node in comparisons(c)}))
    local = {name: f"a{i}" for i, name in enumerate(names)}
    writer_all = _Writer(optional, integers)
    lines = [f"def capture(v):\n    t = {writer_all.constant(_getter(names), '_get')}(v)\n"]
    if names:
        lines.append(f"    {', '.join(local.values())}, = t\n")
    probed: set[tuple[str, bool, type]] = set()
    for node in (node for c in conditions for node in comparisons(c)):
        key = (node.input, node.op in _ORDERED, type(fast_threshold(node.value, node.input in writer_all.integers)))
        if key not in probed:
            probed.add(key)
            lines.append(f"    {writer_all.comparison(node, local[node.input])}\n")

    def local_leaf(node: Compare) -> str:
        return writer_all.comparison(node, local[node.input])

    outcomes_all = [writer_all.expression(c, local_leaf) for c in conditions]
    capture = writer_all.build("".join(lines + _pick(writer_all, outcomes_all, ranks, "t")), "capture")
    return Program(names, choose, capture)


def _getter(names: tuple[str, ...]) -> Callable[[Mapping[str, object]], tuple[object, ...]]:
    """Reads *names* from a mapping into a tuple (``itemgetter`` returns a bare value for one name)."""
    if len(names) > 1:
        getter: Callable[[Mapping[str, object]], tuple[object, ...]] = itemgetter(*names)
        return getter
    if names:
        (name,) = names
        return lambda values: (values[name],)
    return lambda values: ()
