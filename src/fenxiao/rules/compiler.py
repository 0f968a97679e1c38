"""Compile conditions and decision tables to plain Python functions (the fast object path).

A condition tree walked node by node costs a function call, an ``isinstance`` chain and an enum dispatch per
comparison. This module writes the same logic out as one Python function, the way attrs writes ``__init__``
and ``namedtuple`` wrote its classes: source text is assembled and compiled once, then called for every SKU.

**Rule data never becomes code.** The source text is built only from fixed templates, operator symbols looked
up in a fixed table (:data:`_SYMBOL`) and names this module generates (``_n0``, ``_k3``, ``a2``). Every input
name, threshold and tier is passed as a *value* in the function's namespace, whose ``__builtins__`` is empty: an
input called ``"__import__('os')"`` is a dictionary key like any other. Before compiling, :func:`check_source`
tokenizes the text and refuses any token outside that vocabulary (no string literal, no name the generator does not
make), so the rule is enforced, not only intended. Nothing from a policy file is ever ``eval``'d.

**Same answers as the interpreter.** Each generated function is checked against :func:`fenxiao.rules.language.evaluate`
by property tests, and callers keep the interpreter as the reference: a generated function that raises
``KeyError`` or ``TypeError`` (a missing input, a value of the wrong type, a missing optional value read by an
ordered comparison) is answered again by the interpreter, which returns the right outcome or raises the
library's error naming the input. Whole-number thresholds are compared as ``int`` (exact against ``int`` and
``Decimal`` values alike, and much cheaper than ``Decimal`` against ``int``).

.. versionadded:: 0.1
"""

from __future__ import annotations

import hashlib
import linecache
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any, Final, TypeAlias

from fenxiao._internal.fixed import EXACT
from fenxiao.rules.interpreter import (
    _CHECK_FIELDS,
    _NEW,
    _SCANNED,
    Check,
    _CheckUnderway,
    _gap,
    _member_set,
    _shortfall,
)
from fenxiao.rules.language import _ORDERED, _WIDE, All, AnyOf, Compare, Condition, Not, Op, comparisons

__all__ = [
    "MAX_COMPILED_COMPARISONS",
    "MAX_TRACED_COMPARISONS",
    "Explainer",
    "Holds",
    "Program",
    "Recheck",
    "Trace",
    "compile_explainer",
    "compile_holds",
    "compile_program",
    "compile_recheck",
    "compile_trace",
    "source_of",
]

#: The most comparisons :func:`compile_program` writes out for one table. Python's own compiler takes about 20 µs
#: a comparison, and the two functions double it: a table at the limit compiles in well under a tenth of a second,
#: and a larger one (200 rules of 255 comparisons: seconds) is decided by the interpreter, whose work per input is
#: linear in the rules it walks and which needs no compiling.
MAX_COMPILED_COMPARISONS: Final = 4096

_SYMBOL: Final = {Op.GE: ">=", Op.GT: ">", Op.LE: "<=", Op.LT: "<", Op.EQ: "=="}
_INT_DIGITS: Final = 18  # whole thresholds below 10**18 become ints
_SCALARS: Final = (Decimal, bool, str)  # what a checked threshold holds; None never equals one


def fast_threshold(value: object, integer: bool) -> object:
    """*value* as the cheapest exactly-equal operand for an input holding whole numbers (``integer``): a whole
    ``Decimal`` of sane size becomes an ``int`` (``Decimal`` against ``Decimal`` and ``int`` against ``int`` are
    the fast comparisons; mixed ones cost twice as much)."""
    # (adjusted() before int(): int() of 1E+999999 would build a million-digit number)
    if integer and isinstance(value, Decimal) and value.is_finite() and value.adjusted() < _INT_DIGITS:
        return int(value) if value == value.to_integral_value(context=EXACT) else value
    return value


def compilable(condition: Condition) -> bool:
    """Whether *condition* has the shapes the generator writes (it does once :func:`~fenxiao.rules.language.check`
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
        self._exact: dict[int, str] = {}
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

    def exact(self, value: object, prefix: str) -> str:
        """A generated name bound to *value* itself: ``Decimal('60')`` and ``Decimal('60.0')`` are equal (and
        :meth:`constant` lets them share a name), but an explanation shows the threshold the rule holds."""
        name = self._exact.get(id(value))  # the namespace keeps the value alive, so its id is not reused
        if name is None:
            name = self._exact[id(value)] = f"{prefix}{len(self.namespace)}"
            self.namespace[name] = value
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
            assert isinstance(value, tuple)  # compilable() checked the shape
            # A long list as a set: one lookup, not a scan (equal numbers hash alike, so the answer is the same).
            members = _member_set(value) if len(value) > _SCANNED else None
            text = f"{operand} in {self.constant(value if members is None else members)}"
        elif op is Op.NE:
            # A missing value satisfies no comparison, "!=" included.
            return f"({operand} is not None and {operand} != {self.constant(fast_threshold(value, integer))})"
        else:
            text = f"{operand} {_SYMBOL[op]} {self.constant(fast_threshold(value, integer))}"
        return f"({operand} is not None and {text})" if node.input in self.optional else f"({text})"

    def probes(self, node: Compare, operand: str) -> list[str]:
        """Statements comparing *operand* with each of *node*'s thresholds (both ends of a ``between``)."""
        if node.op is not Op.BETWEEN:
            return [self.comparison(node, operand)]
        low, high = node.value if isinstance(node.value, tuple) else (node.value, node.value)
        return [
            self.comparison(Compare(node.input, Op.GE, low), operand),
            self.comparison(Compare(node.input, Op.LE, high), operand),
        ]

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

    def build(self, source: str, name: str, label: str, local: Mapping[str, str]) -> tuple[Callable[..., Any], str]:
        """Compile *source* (defining *name*) in the namespace, once :func:`check_source` has passed it.

        Returns the function and its text as shown (see :func:`_register`); *local* maps input names to the
        generated locals holding them.
        """
        check_source(source)
        text = source + self.legend(local)
        filename = _register(text, f"<fenxiao generated {label} {name} ")
        code = compile(source, filename, "exec")
        exec(code, self.namespace)  # generated from fixed templates; rule data is only in the namespace
        function: Callable[..., Any] = self.namespace[name]  # type: ignore[assignment]
        return function, text

    def legend(self, local: Mapping[str, str]) -> str:
        """Comment lines naming the input behind each local and the value behind each generated name, for a
        reader (never compiled)."""
        lines = [f"# {var} holds {_describe(name)}\n" for name, var in local.items()]
        lines += (
            f"# {name} = {_describe(value)}\n" for name, value in self.namespace.items() if name != "__builtins__"
        )
        return "".join(["#\n# where\n", *lines]) if lines else ""


_SHOWN: Final = 200  # characters of a value shown in the legend


def _describe(value: object) -> str:
    """One line describing a namespace value: a type or function by name, anything else by its ``repr``."""
    if isinstance(value, type):
        text = value.__name__
    elif callable(value) and hasattr(value, "__qualname__"):  # a function (an itemgetter shows its names)
        text = str(value.__qualname__)
    else:
        text = repr(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _register(text: str, prefix: str) -> str:
    """Register *text* in :mod:`linecache` under a readable file name unique to it, and return the name.

    Tracebacks and debuggers find generated lines there, as attrs does for the methods it writes. The name ends
    in a digest of the text, so compiling the same rules again reuses one entry instead of adding another.
    """
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    lines = text.splitlines(keepends=True)
    filename = f"{prefix}{digest}>"
    count = 1
    while True:
        entry = (len(text), None, lines, filename)  # no mtime: linecache.checkcache() keeps it
        if linecache.cache.setdefault(filename, entry) == entry:
            return filename
        filename = f"{prefix}{digest}-{count}>"  # pragma: no cover - another text with the same digest prefix
        count += 1


_ALLOWED_NAMES: Final = re.compile(
    r"(def|return|if|else|and|or|not|is|in|None|True|False|choose|capture|explain|recheck|holds|v|t|chosen|best"
    r"|__class__"
    r"|input|op|threshold|actual|passed|negated|gap|unit"  # the fields of a Check, stored by compiled explanations
    r"|a\d+|c\d+|o\d+|_[a-z]+\d+)"
)
# The generator's whole vocabulary as one pattern, matched by the regular expression engine in one pass (a
# tokenizer in Python took seconds on the largest tables): layout (spaces, newlines), a name (checked against
# _ALLOWED_NAMES below), a whole number not run on into a name or a point, an operator, "." before a name. Every
# repetition is possessive, so a text that fails fails at once instead of backtracking.
_VOCABULARY: Final = re.compile(
    r"(?:[ \n]++|[A-Za-z_][A-Za-z0-9_]*+|[0-9]++(?![0-9A-Za-z_.])|<=|>=|==|!=|[(),:=<>\[\]\-]|\.(?=[A-Za-z_]))*+",
    re.ASCII,
)
_NAMES: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+", re.ASCII)


def check_source(source: str) -> None:
    """Refuse generated source holding anything but the generator's own vocabulary.

    The generator never writes rule data into source text; this makes that checkable rather than a matter of
    reading the generator: every token must be a keyword or a generated name (``_k3``, ``a2``, ...), a whole
    number (rule indices), an operator from a short list, or layout. A string literal, a call of anything but
    a generated name, an attribute other than ``__class__``: any of them raises.

    Raises:
        RuntimeError: A token outside that vocabulary (a bug in the generator, never a user's mistake).
    """
    matched = _VOCABULARY.match(source)
    end = matched.end() if matched is not None else 0
    if end != len(source):
        raise RuntimeError(
            f"fenxiao generated source holds {source[end : end + 20]!r} at offset {end}: refusing to compile it"
        )
    for name in set(_NAMES.findall(source)):
        if _ALLOWED_NAMES.fullmatch(name) is None:
            raise RuntimeError(f"fenxiao generated source holds the name {name!r}: refusing to compile it")


def _read(writer: _Writer, name: str) -> str:
    return f"v[{writer.constant(name, '_n')}]"


class Program:
    """A decision table (first or highest hit) compiled to two functions.

    ``choose(values)`` reads a mapping and short-circuits exactly like walking the rules one by one; it
    returns the index of the deciding rule or ``-1`` (or, when compiled with ``answers``, ``answers[index]``).
    ``capture(values)`` reads every input the rules name (``names``, sorted) from the mapping at once and
    returns ``(index, captured)``: the same index and the values read, in the order of ``names``.

    Whole-number inputs are compared with ``int`` thresholds only when their value is exactly an ``int`` or a
    ``Decimal``; for any other value both functions return ``-2`` (``capture``: ``(-2, captured)``) and the
    caller asks the interpreter. Every other threshold is the rule's own value, so a comparison here is the
    interpreter's comparison.

    Before deciding, ``capture`` *probes* every value: for each input and each type of threshold the rules
    compare it with, it makes one of those comparisons, an ordering if there is one (a ``between`` at both
    ends). A value that can be compared with one threshold of a type can be compared with all of them, and one
    that can be ordered can also be tested for equality (true of ``int``, ``bool``, ``Decimal`` -- a NaN fails
    every ordering --, ``Fraction``, ``str`` and ``None``), so when ``capture`` returns, no comparison the rules
    can make on those values raises: an explanation built later from the captured values cannot fail on them.
    (A value of some other type whose comparisons succeed against one threshold and raise against another
    would raise only when that explanation is built.)

    ``source`` is the generated text of both functions, each followed by comments naming the value behind each
    generated name (``_n0 = 'composite'``, ``_k3 = Decimal('60')``). Both functions' lines are registered in
    :mod:`linecache`, so a traceback through either shows them.
    """

    __slots__ = ("capture", "choose", "names", "source")

    def __init__(
        self,
        names: tuple[str, ...],
        choose: Callable[[Mapping[str, object]], int],
        capture: Callable[[Mapping[str, object]], tuple[int, tuple[object, ...]]],
        source: str = "",
    ) -> None:
        self.names = names
        self.choose = choose
        self.capture = capture
        self.source = source


def _pick(
    writer: _Writer,
    outcomes: Sequence[str],
    ranks: Sequence[int] | None,
    also: str = "",
    before: Sequence[Sequence[str]] = (),
    results: Sequence[object] | None = None,
) -> list[str]:
    """Source lines returning the deciding rule's answer (and *also*, if given) from the rules' outcomes, with
    the lines ``before[i]`` ahead of rule ``i`` (every rule is reached only through the ones before it).

    The answer is the rule's index, or ``-1`` when none holds; with *results* (one value per rule, then the
    values for ``-2`` and ``-1``), it is ``results[index]``.
    """
    extra = f", {also}" if also else ""

    def answer(index: int) -> str:
        return str(index) if results is None else writer.constant(results[index], "_res")

    lines = [] if ranks is None else ["    chosen = -1\n    best = -1\n"]
    for i, outcome in enumerate(outcomes):
        lines += before[i] if i < len(before) else ()
        if ranks is None:  # first hit
            lines.append(f"    if {outcome}:\n        return {answer(i)}{extra}\n")
        else:
            r = writer.constant(ranks[i], "_r")
            lines.append(
                f"    if {outcome}:\n        if {r} > best:\n            chosen = {i}\n            best = {r}\n"
            )
    if ranks is None:
        return [*lines, f"    return {answer(-1)}{extra}\n"]
    final = "chosen" if results is None else f"{writer.constant(tuple(results), '_res')}[chosen]"
    return [*lines, f"    return {final}{extra}\n"]


def compile_program(
    conditions: Sequence[Condition],
    ranks: Sequence[int] | None,
    optional: Iterable[str] = (),
    integers: Iterable[str] = (),
    answers: Sequence[object] | None = None,
    *,
    label: str = "rule table",
) -> Program | None:
    """Compile the rules' *conditions* (in order) to a :class:`Program`, or ``None`` if one is not compilable or
    they hold more than :data:`MAX_COMPILED_COMPARISONS` comparisons (the interpreter decides them then).

    *ranks* are the rules' tier ranks for a highest-hit table (the first rule of the highest rank wins), or
    ``None`` for first hit. Comparisons of inputs named in *optional* treat ``None`` as missing (elsewhere a
    ``None`` may raise ``TypeError``, and the caller asks the interpreter). Inputs named in *integers* hold
    whole numbers: their whole thresholds are compared as ``int``, once the value is seen to be an ``int`` or a
    ``Decimal`` (against which an ``int`` threshold is exact); any other value is handed back (``-2``). *label*
    says what the rules are in the generated functions' file names
    (``<fenxiao generated tier policy choose 3f2a91c04b7e>``).
    """
    if not conditions or not all(compilable(c) for c in conditions):
        return None
    leaves = [node for c in conditions for node in comparisons(c)]
    if len(leaves) > MAX_COMPILED_COMPARISONS:
        return None  # compiling would cost more than the interpreter's walks save (see MAX_COMPILED_COMPARISONS)
    names = tuple(sorted({node.input for node in leaves}))
    local = {name: f"a{i}" for i, name in enumerate(names)}
    whole = [name for name in names if name in frozenset(integers)]
    # Every input compared with a number must hold an int or a Decimal (None where optional): a float, a bool or
    # text is handed back to the interpreter, which refuses it by name. Whole-number inputs are among them.
    numeric = [name for name in names if any(_numeric(node.value) for node in leaves if node.input == name)]
    maybe_missing = frozenset(optional)

    # choose: each input read once, just before the first rule that compares it (a SKU decided by an early
    # rule never reads the inputs only later rules need); whole-number ones have their type checked there.
    writer = _Writer(optional, integers)
    before: list[list[str]] = []
    seen: set[str] = set()
    for condition in conditions:
        new = sorted({node.input for node in comparisons(condition)} - seen)
        seen.update(new)
        reads = [f"    {local[name]} = {_read(writer, name)}\n" for name in new]
        handed_back = "-2" if answers is None else writer.constant(answers[-2], "_res")
        checked = [(local[name], name in maybe_missing) for name in new if name in numeric]
        before.append(reads + _number_check(writer, checked, handed_back))

    def local_leaf(node: Compare) -> str:
        return writer.comparison(node, local[node.input])

    outcomes = [writer.expression(c, local_leaf) for c in conditions]
    choose, choose_text = writer.build(
        "".join(["def choose(v):\n", *_pick(writer, outcomes, ranks, before=before, results=answers)]),
        "choose",
        label,
        local,
    )

    # capture: every input read at once, one probe per kind of comparison, then the rules on the locals.
    writer_all = _Writer(optional, integers)
    lines = [f"def capture(v):\n    t = {writer_all.constant(_getter(names), '_get')}(v)\n"]
    if names:
        lines.append(f"    {', '.join(local.values())}, = t\n")
    lines += _number_check(writer_all, [(local[name], name in maybe_missing) for name in numeric], "-2, t")
    # One probe per input and threshold type (a whole-number value is an int or a Decimal by now, and either
    # kind of threshold compares with it alike): an ordering if the rules make one (it also rules out a NaN,
    # which only orderings refuse), else an equality (which refuses a signalling NaN).
    probes: dict[tuple[str, type], Compare] = {}
    for node in leaves:
        key = (node.input, int if node.input in whole else type(node.value))
        if key not in probes or (node.op in _ORDERED and probes[key].op not in _ORDERED):
            probes[key] = node
    for node in probes.values():
        lines += (f"    {probe}\n" for probe in writer_all.probes(node, local[node.input]))

    def captured_leaf(node: Compare) -> str:
        return writer_all.comparison(node, local[node.input])

    outcomes_all = [writer_all.expression(c, captured_leaf) for c in conditions]
    capture, capture_text = writer_all.build(
        "".join(lines + _pick(writer_all, outcomes_all, ranks, "t")), "capture", label, local
    )
    return Program(names, choose, capture, f"{choose_text}\n\n{capture_text}")


def source_of(
    conditions: Sequence[Condition],
    ranks: Sequence[int] | None,
    optional: Iterable[str] = (),
    integers: Iterable[str] = (),
    answers: Sequence[object] | None = None,
    *,
    label: str = "rule table",
) -> str | None:
    """The Python source :func:`compile_program` generates for these rules (the same arguments), or ``None`` when
    the interpreter decides them instead.

    >>> from decimal import Decimal
    >>> from fenxiao.rules.language import Compare, Op
    >>> print(source_of([Compare("units_30d", Op.GE, Decimal(1000))], None, integers=["units_30d"]))
    def choose(v):
        a0 = v[_n1]
        if (a0.__class__ is not _int2 and a0.__class__ is not _dec3):
            return -2
        if (a0 >= _k4):
            return 0
        return -1
    #
    # where
    # a0 holds 'units_30d'
    # _n1 = 'units_30d'
    # _int2 = int
    # _dec3 = Decimal
    # _k4 = 1000
    <BLANKLINE>
    <BLANKLINE>
    def capture(v):
    ...
    """
    program = compile_program(conditions, ranks, optional, integers, answers, label=label)
    return None if program is None else program.source


#: A compiled explanation of one condition (see :func:`compile_explainer`): from the values a :class:`Program`'s
#: ``capture`` returned, every comparison as a :class:`~fenxiao.rules.interpreter.Check` and whether it holds.
Explainer: TypeAlias = Callable[[Sequence[object]], tuple[tuple[Check, ...], bool]]

_GAPPED: Final = frozenset({Op.GE, Op.GT, Op.LE, Op.LT})  # the operators whose unmet check has a gap to show
_SAFE: Final = Decimal("1E+100")  # within it, threshold - actual at 200 digits cannot overflow


def compile_explainer(
    condition: Condition,
    names: Sequence[str],
    optional: Iterable[str] = (),
    integers: Iterable[str] = (),
    *,
    label: str = "rule",
) -> Explainer | None:
    """Compile :func:`~fenxiao.rules.interpreter.explain` of *condition* for the values a :class:`Program`'s
    ``capture`` returned (in the order of its ``names``), or ``None`` when the interpreter must explain it (a
    shape the generator does not write, or an input not among *names*). *optional* and *integers* are the
    program's.

    The function returns the checks :func:`~fenxiao.rules.interpreter.explain` lists (every comparison, in
    document order, with the actual value, the rule's own threshold and, for an unmet one, the gap), and whether
    *condition* holds. It trusts what ``capture`` checked before returning the values: each value compared with a
    number is an ``int`` or a ``Decimal`` (``None`` where optional), and no comparison of the rules raises on them;
    any other values go to the interpreter. As for :func:`compile_program`, rule data is only ever a value in the
    function's namespace (its thresholds the very objects the rule holds, so a check shows them as written).

    >>> from decimal import Decimal
    >>> from fenxiao.rules.language import Compare, Op
    >>> rule = All((Compare("composite", Op.GE, Decimal(60)), Compare("units_30d", Op.GE, Decimal(1000))))
    >>> explainer = compile_explainer(rule, ("composite", "units_30d"), integers=["units_30d"])
    >>> checks, passed = explainer((Decimal("72.5"), 640))
    >>> passed, [str(c) for c in checks]
    (False, ['composite 72.5 >= 60', 'units_30d 640 < 1000 needed (+360)'])
    """
    if not _explainable((condition,), names):
        return None
    writer = _ExplanationWriter(names, optional, integers)
    outcome, checks = writer.condition(condition)
    listed = "(" + "".join(f"{check}, " for check in checks) + ")"
    function: Explainer = writer.finish(f"return {listed}, {outcome}", label)
    return function


#: A compiled trace of a decision table (see :func:`compile_trace`): from the values a :class:`Program`'s ``capture``
#: returned, each rule's name, checks and outcome, rule by rule.
Trace: TypeAlias = Callable[[Sequence[object]], tuple[tuple[str, tuple[Check, ...], bool], ...]]

#: The most comparisons :func:`compile_trace` writes into one function (a longer trace is explained rule by rule).
MAX_TRACED_COMPARISONS: Final = 256


def compile_trace(
    conditions: Sequence[Condition],
    rule_names: Sequence[str],
    names: Sequence[str],
    optional: Iterable[str] = (),
    integers: Iterable[str] = (),
    *,
    label: str = "rules",
) -> Trace | None:
    """Compile the explanations of several rules (a decision's trace: every rule tried, in order) into one function
    of the values a :class:`Program`'s ``capture`` returned: it returns ``(rule name, checks, outcome)`` for each
    rule, each the same as :func:`compile_explainer` of that rule gives (every input read once for all of them).
    ``None`` when one rule must be explained by the interpreter, or when the rules hold more than
    :data:`MAX_TRACED_COMPARISONS` comparisons.

    >>> from decimal import Decimal
    >>> from fenxiao.rules.language import Compare, Op
    >>> trace = compile_trace(
    ...     [Compare("units_30d", Op.EQ, Decimal(0)), Compare("units_30d", Op.GE, Decimal(100))],
    ...     ["no-sales", "selling"], ("units_30d",), integers=["units_30d"])
    >>> [(name, [str(c) for c in checks], holds) for name, checks, holds in trace((640,))]
    [('no-sales', ['units_30d 640: == 0 needed'], False), ('selling', ['units_30d 640 >= 100'], True)]
    """
    if len(rule_names) != len(conditions) or not _explainable(conditions, names):
        return None
    if sum(1 for c in conditions for _ in comparisons(c)) > MAX_TRACED_COMPARISONS:
        return None
    writer = _ExplanationWriter(names, optional, integers)
    steps = []
    for condition, rule_name in zip(conditions, rule_names, strict=True):
        outcome, checks = writer.condition(condition)
        listed = "(" + "".join(f"{check}, " for check in checks) + ")"
        steps.append(f"({writer.writer.constant(rule_name, '_n')}, {listed}, {outcome}), ")
    function: Trace = writer.finish("return (" + "".join(steps) + ")", label)
    return function


#: A compiled decision of a table on values already captured (see :func:`compile_recheck`).
Recheck: TypeAlias = Callable[[Sequence[object]], int]


def compile_recheck(
    conditions: Sequence[Condition],
    ranks: Sequence[int] | None,
    names: Sequence[str],
    optional: Iterable[str] = (),
    integers: Iterable[str] = (),
    *,
    label: str = "rule table",
) -> Recheck | None:
    """Compile the decision of :func:`compile_program`'s ``choose`` on a sequence of values in the order of
    *names* (as ``capture`` returns them, some of them moved): the index of the deciding rule, ``-1`` when none
    holds, or ``-2`` when a whole-number input holds neither an ``int`` nor a ``Decimal`` (ask the interpreter).
    It makes no probes: a caller passes values ``capture`` checked, or moved to thresholds of the rules (a value
    of any other kind may raise, and the caller asks the interpreter). ``None`` when the rules are not compiled
    (the same limits as :func:`compile_program`) or read an input not among *names*.

    >>> from decimal import Decimal
    >>> from fenxiao.rules.language import Compare, Op
    >>> recheck = compile_recheck([Compare("units_30d", Op.GE, Decimal(1000))], None, ("units_30d",))
    >>> recheck((640,)), recheck((Decimal(1000),))
    (-1, 0)
    """
    if not conditions or not _explainable(conditions, names):
        return None
    leaves = [node for c in conditions for node in comparisons(c)]
    if len(leaves) > MAX_COMPILED_COMPARISONS:
        return None
    writer = _Writer(optional, integers)
    local = {name: f"a{i}" for i, name in enumerate(names)}
    # Only whole-number inputs are checked: their whole thresholds are compared as ints, exact only against an int or
    # a Decimal; any other input is compared with the rule's own threshold, as the interpreter compares it.
    whole = frozenset(integers)
    read = sorted({node.input for node in leaves if node.input in whole and _numeric(node.value)})
    maybe_missing = frozenset(optional)
    lines = ["def recheck(t):\n"]
    if names:
        lines.append(f"    {', '.join(local.values())}, = t\n")
    lines += _number_check(writer, [(local[name], name in maybe_missing) for name in read], "-2")

    def leaf(node: Compare) -> str:
        return writer.comparison(node, local[node.input])

    outcomes = [writer.expression(c, leaf) for c in conditions]
    function, _ = writer.build("".join(lines + _pick(writer, outcomes, ranks)), "recheck", label, local)
    recheck: Recheck = function
    return recheck


#: A compiled condition on values already captured (see :func:`compile_holds`).
Holds: TypeAlias = Callable[[Sequence[object]], bool]


def compile_holds(
    condition: Condition,
    names: Sequence[str],
    optional: Iterable[str] = (),
    integers: Iterable[str] = (),
    *,
    label: str = "rule",
) -> Holds | None:
    """Compile whether *condition* holds for the values a :class:`Program`'s ``capture`` returned (in the order of
    *names*): the outcome :func:`compile_explainer`'s function gives, without building its checks. ``None`` when
    the interpreter must answer it (the same cases as :func:`compile_explainer`).

    >>> from decimal import Decimal
    >>> from fenxiao.rules.language import Compare, Op
    >>> holds = compile_holds(Compare("units_30d", Op.EQ, Decimal(0)), ("units_30d",), integers=["units_30d"])
    >>> holds((0,)), holds((640,))
    (True, False)
    """
    if not _explainable((condition,), names):
        return None
    writer = _Writer(optional, integers)
    position = {name: i for i, name in enumerate(names)}
    local: dict[str, str] = {}
    reads: list[str] = []

    def leaf(node: Compare) -> str:
        operand = local.get(node.input)
        if operand is None:
            operand = local[node.input] = f"a{len(local)}"
            reads.append(f"    {operand} = t[{position[node.input]}]\n")
        comparison = writer.comparison(node, operand)
        return comparison if _numeric(node.value) else writer.constant(bool, "_bool") + comparison

    outcome = writer.expression(condition, leaf)
    function, _ = writer.build("".join(["def holds(t):\n", *reads, f"    return {outcome}\n"]), "holds", label, local)
    holds: Holds = function
    return holds


def _explainable(conditions: Sequence[Condition], names: Sequence[str]) -> bool:
    """Whether every condition has the shapes the generator writes and reads only inputs among *names*."""
    known = frozenset(names)
    return all(compilable(c) and all(node.input in known for node in comparisons(c)) for c in conditions)


class _ExplanationWriter:
    """Writes the source of explanations: for each comparison, its outcome and its :class:`Check`, built as
    :func:`~fenxiao.rules.interpreter.make_check` builds one (a bare ``_CheckUnderway``, its fields stored, its
    class set to :class:`Check`); each input read from the captured values once."""

    def __init__(self, names: Sequence[str], optional: Iterable[str], integers: Iterable[str]) -> None:
        self.writer = _Writer(optional, integers)
        self.position = {name: i for i, name in enumerate(names)}
        self.local: dict[str, str] = {}
        self.reads: list[str] = []
        self.body: list[str] = []
        self.count = 0
        writer = self.writer
        self.new = writer.constant(_NEW, "_new")
        self.underway = writer.constant(_CheckUnderway, "_cls")
        self.kind = writer.constant(Check, "_cls")

    def condition(self, condition: Condition) -> tuple[str, list[str]]:
        """Write *condition*'s comparisons; returns the expression of its outcome and the locals of its checks."""
        checks: list[str] = []
        return self._walk(condition, False, checks), checks

    def _walk(self, node: Condition, negated: bool, checks: list[str]) -> str:
        """The expression of *node*'s outcome over the outcomes of its comparisons (each evaluated once, as the
        interpreter evaluates every comparison, in document order)."""
        if isinstance(node, Compare):
            return self._leaf(node, negated, checks)
        if isinstance(node, Not):
            return f"(not {self._walk(node.condition, not negated, checks)})"
        parts = [self._walk(child, negated, checks) for child in node.conditions]
        if isinstance(node, All):
            return "(" + " and ".join(parts) + ")" if parts else "True"
        assert isinstance(node, AnyOf)
        return "(" + " or ".join(parts) + ")" if parts else "False"

    def _leaf(self, node: Compare, negated: bool, checks: list[str]) -> str:
        """Source lines evaluating *node* and building its check; returns the local holding its outcome."""
        writer, body = self.writer, self.body
        index = self.count
        self.count += 1
        operand = self.local.get(node.input)
        if operand is None:
            operand = self.local[node.input] = f"a{len(self.local)}"
            self.reads.append(f"    {operand} = t[{self.position[node.input]}]\n")
        outcome = writer.comparison(node, operand)
        if not _numeric(node.value):  # a value compared only with text or flags may answer with a non-bool
            outcome = writer.constant(bool, "_bool") + outcome
        body.append(f"    o{index} = {outcome}\n")
        threshold, op = writer.exact(node.value, "_thr"), writer.constant(node.op, "_op")
        if negated:
            gap = "None"  # the interpreter shows no gap for a negated comparison
        elif node.op in _GAPPED and isinstance(node.value, Decimal):
            # threshold - actual at 200 digits (what _shortfall gives) without the call, for an int (never raising
            # nor NaN) or a Decimal well inside the exponent range (neither NaN nor infinite: a NaN fails both
            # comparisons or raises, as its own comparison did), when the threshold is too; anything else (a
            # missing value) goes through it.
            exact = f"{writer.constant(_WIDE.subtract, '_sub')}({threshold}, {operand})"
            integer = f"{operand}.__class__ is {writer.constant(int, '_int')}"
            inside = f"{writer.constant(-_SAFE, '_big')} < {operand} < {writer.constant(_SAFE, '_big')}"
            if node.input in self.writer.optional:
                inside = f"({operand} is not None and {inside})"
            shortfall = f"{writer.constant(_shortfall, '_gap')}({threshold}, {operand})"
            if -_SAFE < node.value < _SAFE:
                gap = f"None if o{index} else ({exact} if {integer} or {inside} else {shortfall})"
            else:  # a threshold near the exponent's limit: the difference may overflow, and _shortfall says None
                gap = f"None if o{index} else {shortfall}"
        elif node.op is Op.BETWEEN and isinstance(node.value, tuple):
            gap = f"None if o{index} else {writer.constant(_gap, '_gap')}({op}, {operand}, {threshold})"
        else:
            gap = "None"  # == and the like, or a threshold that is not a number
        fields = (
            writer.constant(node.input, "_n"),
            op,
            threshold,
            operand,
            f"not o{index}" if negated else f"o{index}",
            str(negated),
            gap,
            writer.constant(node.unit, "_u"),
        )
        check = f"c{index}"
        body.append(f"    {check} = {self.new}({self.underway})\n")
        body.extend(f"    {check}.{field} = {value}\n" for field, value in zip(_CHECK_FIELDS, fields, strict=True))
        body.append(f"    {check}.__class__ = {self.kind}\n")
        checks.append(check)
        return f"o{index}"

    def finish(self, returned: str, label: str) -> Any:
        """Compile ``def explain(t)`` with the lines written so far and *returned* (its return statement)."""
        source = "".join(["def explain(t):\n", *self.reads, *self.body, f"    {returned}\n"])
        function, _ = self.writer.build(source, "explain", label, self.local)
        return function


def _numeric(value: object) -> bool:
    """Whether a threshold is a number (an int or a Decimal, not a bool), or a tuple holding one."""
    if isinstance(value, tuple):
        return any(_numeric(v) for v in value)
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _number_check(writer: _Writer, operands: Sequence[tuple[str, bool]], result: str) -> list[str]:
    """Source lines returning *result* unless each operand is exactly an ``int`` or a ``Decimal`` (or ``None``,
    for an operand that may be missing)."""
    if not operands:
        return []
    exact = writer.constant(int, "_int")
    decimal = writer.constant(Decimal, "_dec")
    tests = " or ".join(
        f"({x}.__class__ is not {exact} and {x}.__class__ is not {decimal}{f' and {x} is not None' if missing else ''})"
        for x, missing in operands
    )
    return [f"    if {tests}:\n        return {result}\n"]


def _getter(names: tuple[str, ...]) -> Callable[[Mapping[str, object]], tuple[object, ...]]:
    """Reads *names* from a mapping into a tuple (``itemgetter`` returns a bare value for one name)."""
    if len(names) > 1:
        getter: Callable[[Mapping[str, object]], tuple[object, ...]] = itemgetter(*names)
        return getter
    if names:
        (name,) = names
        return lambda values: (values[name],)
    return lambda values: ()
