"""Compiled scorecards (private): one generated function per scorecard computes a dimension's value in hundredths.

:class:`~fenxiao.scoring.scorecards.ScorecardScorer` evaluates a scorecard rule by rule, building the
:class:`~fenxiao.scoring.dimensions.Contribution` of every rule as it goes. Most readers want the value alone
(a tier, a composite), so the scorer first runs the function :func:`compile_scorecard` writes for the
scorecard: the same integer arithmetic (``fenxiao.scoring.scorecards`` module docstring) with every breakpoint,
weight and cap written in as a literal, each metric read as grid units straight from the snapshot (built-in
metrics only: ``metrics._UNITS``), and no Decimal, string or object formed. It returns the value in
hundredths, or ``-1`` when the value needs a note (no rule available, or a dimension cap that applies), which
the scorer then evaluates the explained way. The contributions are built from the explained evaluation when
first read (:class:`~fenxiao.scoring.dimensions._PendingContributions`).

The source is written from fixed templates: the only names in it are the generator's own and snapshot field
names of :data:`~fenxiao.domain.snapshots.METRIC_FIELDS` (checked against it), and every number in it is an
``int`` the rule validated, checked by type before it is written (so it can only be digits and a sign); the
functions a rule calls (a derived metric's units, a median look-up) live in the namespace, whose
``__builtins__`` is empty. A breakpoint's ``x`` within ``10**14`` grid units keeps every product well within
what Python's ints hold exactly (they are exact at any size; the bound is the columnar path's).

>>> from fenxiao.sample import load_sample
>>> from fenxiao.scoring.context import ScoringContext
>>> from fenxiao.scoring.scorecards import MetricRule, Scorecard
>>> card = Scorecard([MetricRule("refund_rate", [("0.05", 100), ("0.3", 0)])])
>>> snap = load_sample().latest_snapshots()[5]
>>> centi = card._compiled()
>>> centi(snap, ScoringContext.empty()) == card.rule("refund_rate").points_units(snap.refund_rate.ppm)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, NamedTuple

from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot
from fenxiao.scoring.context import ScoringContext
from fenxiao.scoring.metrics import _UNITS, Metric

__all__ = ["MAX_COMPILED_BREAKPOINTS", "NOTED", "CapSpec", "RuleSpec", "compilable", "compile_scorecard"]

#: What a compiled scorecard returns when the value needs a note: evaluate it the explained way.
NOTED: Final = -1

#: A compiled scorecard: the dimension's value in hundredths, or :data:`NOTED`.
CompiledScorecard = Callable[[SkuSnapshot, ScoringContext], int]


class RuleSpec(NamedTuple):
    """One rule as the compiler reads it (all ints: grid units, hundredths, ppm)."""

    metric: Metric
    xs: tuple[int, ...]
    ys: tuple[int, ...]
    weight: int
    cap: int | None
    #: Points in hundredths when the metric is unavailable (``None``: see *median*, else left out).
    missing: int | None
    #: ``rule.unavailable`` when the rule scores an unavailable metric at its category median, else ``None``.
    median: Callable[[SkuSnapshot, ScoringContext], tuple[int, str] | None] | None


class CapSpec(NamedTuple):
    """One dimension cap as the compiler reads it: its metric and bounds in grid units (``None``: unbounded)."""

    metric: Metric
    low: int | None
    high: int | None


#: The most breakpoints a compiled scorecard writes out (about 20 µs of Python's compiler each): a larger scorecard
#: (up to 64 rules of 64 breakpoints) is evaluated the explained way, which needs no compiling.
MAX_COMPILED_BREAKPOINTS: Final = 1024


def compilable(metrics: Sequence[Metric], breakpoints: int) -> bool:
    """Whether a scorecard of *metrics* and *breakpoints* in all is compiled: every metric a built-in one whose units
    the compiled code reads (a registered metric is measured through its checks), and not too many breakpoints."""
    return breakpoints <= MAX_COMPILED_BREAKPOINTS and all(m._builtin and m.name in _UNITS for m in metrics)


def _literal(value: int) -> str:
    if type(value) is not int:  # only the validated ints of a rule ever enter the source
        raise TypeError(f"not an int: {value!r}")
    return f"({value})" if value < 0 else str(value)


def _field(name: str) -> str:
    if name not in METRIC_FIELDS or not name.isidentifier():  # only snapshot field names enter the source
        raise ValueError(f"not a snapshot field: {name!r}")
    return name


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = ["def centi(snap, ctx):", "    total = 0", "    weights = 0"]
        self.namespace: dict[str, Any] = {}

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def read(self, depth: int, metric: Metric, slot: str) -> str | None:
        """Write ``u = ...`` (the metric's units, or None); return the attribute to read off a present field."""
        kind, source = _UNITS[metric.name]
        if kind == "call":
            self.namespace[slot] = source
            self.emit(depth, f"u = {slot}(snap, ctx)")
            return None
        self.emit(depth, f"u = snap.{_field(source)}")
        return {"fen": "fen", "ppm": "ppm", "int": None}[kind]

    def curve(self, depth: int, xs: tuple[int, ...], ys: tuple[int, ...]) -> None:
        last = len(xs) - 1
        self.emit(depth, f"if u <= {_literal(xs[0])}:")
        self.emit(depth + 1, f"p = {_literal(ys[0])}")
        self.emit(depth, f"elif u >= {_literal(xs[last])}:")
        self.emit(depth + 1, f"p = {_literal(ys[last])}")
        for k in range(last):
            x0, x1, y0, y1 = xs[k], xs[k + 1], ys[k], ys[k + 1]
            self.emit(depth, f"elif u < {_literal(x1)}:" if k < last - 1 else "else:")
            if y0 == y1:
                self.emit(depth + 1, f"p = {_literal(y0)}")
                continue
            span = x1 - x0
            terms = f"{_literal(y0)} * ({_literal(x1)} - u) + {_literal(y1)} * (u - {_literal(x0)})"
            self.emit(depth + 1, f"q, r = divmod({terms}, {_literal(span)})")
            self.emit(depth + 1, "r += r")
            self.emit(depth + 1, f"p = q + 1 if r > {_literal(span)} or (r == {_literal(span)} and q & 1) else q")

    def rule(self, k: int, rule: RuleSpec) -> None:
        attribute = self.read(1, rule.metric, f"units{k}")
        weight = _literal(rule.weight)
        self.emit(1, "if u is None:")
        if rule.median is not None:
            self.namespace[f"median{k}"] = rule.median
            self.emit(2, f"m = median{k}(snap, ctx)")
            self.emit(2, "if m is not None:")
            self.emit(3, f"total += {weight} * m[0]")
            self.emit(3, f"weights += {weight}")
        elif rule.missing is not None:
            self.emit(2, f"total += {_literal(rule.weight * rule.missing)}")
            self.emit(2, f"weights += {weight}")
        else:
            self.emit(2, "pass")
        self.emit(1, "else:")
        if attribute is not None:
            self.emit(2, f"u = u.{attribute}")
        self.curve(2, rule.xs, rule.ys)
        if rule.cap is not None:
            self.emit(2, f"if p > {_literal(rule.cap)}:")
            self.emit(3, f"p = {_literal(rule.cap)}")
        self.emit(2, f"total += {weight} * p")
        self.emit(2, f"weights += {weight}")

    def finish(self, caps: Sequence[CapSpec]) -> None:
        self.emit(1, "if not weights:")
        self.emit(2, f"return {_literal(NOTED)}")
        self.emit(1, "q, r = divmod(total, weights)")
        self.emit(1, "r += r")
        self.emit(1, "if r > weights or (r == weights and q & 1):")
        self.emit(2, "q += 1")
        for k, cap in enumerate(caps):
            attribute = self.read(1, cap.metric, f"capunits{k}")
            self.emit(1, "if u is not None:")
            if attribute is not None:
                self.emit(2, f"u = u.{attribute}")
            bounds = []
            if cap.low is not None:
                bounds.append(f"u >= {_literal(cap.low)}")
            if cap.high is not None:
                bounds.append(f"u <= {_literal(cap.high)}")
            self.emit(2, f"if {' and '.join(bounds) or 'True'}:")
            self.emit(3, f"return {_literal(NOTED)}")
        self.emit(1, "return q")


def compile_scorecard(rules: Sequence[RuleSpec], caps: Sequence[CapSpec]) -> CompiledScorecard:
    """The compiled function of a scorecard of *rules* and *caps* (every metric :func:`compilable`)."""
    writer = _Writer()
    for k, rule in enumerate(rules):
        writer.rule(k, rule)
    writer.finish(caps)
    source = "\n".join(writer.lines) + "\n"
    writer.namespace["__builtins__"] = {}  # the generated code calls divmod and what the namespace holds, nothing else
    writer.namespace["divmod"] = divmod
    exec(compile(source, "<fenxiao compiled scorecard>", "exec"), writer.namespace)
    function: CompiledScorecard = writer.namespace["centi"]
    return function
