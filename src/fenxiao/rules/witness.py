"""Witness search over the declared input space: values that make a condition true (for lint and gaps).

Every input is split into cells at the thresholds the conditions name; one sample point per cell stands for
the whole cell, so a search over cells is exact: a formula true anywhere is true at some sample point.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Final

import attrs

from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.rules.interpreter import _compare
from fenxiao.rules.language import (
    _EXACT,
    All,
    AnyOf,
    Compare,
    Condition,
    InputKind,
    InputSpec,
    Not,
    Scalar,
    Schema,
    _walk,
)

__all__ = ["LINT_BUDGET", "SearchBudget", "find_witness"]

#: The search steps lint spends on one rule table by default (a step is a unit of work, about a microsecond: a
#: node of a formula read or simplified, a cell of an input's range, a branch of the search). Past it, lint reports
#: ``too-complex`` for what it could not check, so linting even the largest table ends in about a second.
LINT_BUDGET: Final = 1_000_000


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


def _thresholds(conditions: Iterable[Condition]) -> dict[str, list[Scalar]]:
    """Every threshold the conditions compare each input with, by input (one walk, whatever the inputs)."""
    found: dict[str, list[Scalar]] = {}
    for condition in conditions:
        for node, _, _ in _walk(condition, ""):
            found.setdefault(node.input, []).extend(node.value if isinstance(node.value, tuple) else (node.value,))
    return found


def _cells(spec: InputSpec, thresholds: Sequence[Scalar]) -> list[object]:
    """Representative values for one input (compared with *thresholds*): enough that every condition is
    constant within each cell.

    An optional input also gets ``None`` (missing), which satisfies no comparison.
    """
    values = _present_cells(spec, thresholds)
    return [*values, None] if spec.optional else values


def _present_cells(spec: InputSpec, thresholds: Sequence[Scalar]) -> list[object]:
    if spec.kind is InputKind.BOOL:
        return [False, True]
    if spec.kind is InputKind.TEXT:
        texts = sorted({t for t in thresholds if isinstance(t, str)})
        return [*texts, "\x00other"]
    points = sorted(
        {t for t in thresholds if isinstance(t, Decimal)} | {b for b in (spec.low, spec.high) if b is not None}
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
    values: dict[object, None] = {}  # in order, each once (a set: a list's "in" made many thresholds quadratic)
    with localcontext(_EXACT):  # thresholds may have many digits: no rounding in the samples
        for cell in cells:
            value = cell._sample(spec.integer)
            if value is not None:
                values.setdefault(value)
    return list(values)


class SearchBudget:
    """A number of search steps shared by several :func:`find_witness` calls (lint checks a whole policy).

    A step is one unit of work, so that the budget bounds time: a node of a formula read or simplified, a cell of
    an input's range made, a branch of the search tried.
    """

    def __init__(self, steps: int) -> None:
        given: object = steps  # annotated int; checked for callers without a type checker
        if isinstance(given, bool) or not isinstance(given, int) or given < 0:
            raise InvalidValueError("SearchBudget.steps", given, "must be a whole number of steps (0 or more)")
        self.left = steps

    def spend(self, steps: int = 1) -> None:
        """Use *steps* steps; raise :class:`PolicyError` when none is left."""
        self.left -= steps
        if self.left < 0:
            raise PolicyError("lint", "budget", "the search space is too large to check exhaustively")


@checks_arguments
def find_witness(
    formula: Condition,
    schema: Schema,
    *,
    fixed: Mapping[str, object] | None = None,
    budget: int | SearchBudget = LINT_BUDGET,
) -> dict[str, object] | None:
    """Find input values within the schema's declared ranges that make *formula* true, or ``None``.

    The search is exact for this language: each input's range is cut at every
    threshold the formula uses, and one value per piece is tried, so if any
    values satisfy the formula, some tried combination does. Inputs the formula
    does not mention are left out of the result. *fixed* pins some inputs.

    Raises:
        PolicyError: The search would exceed *budget* evaluations (the formula is too large to check).
    """
    meter = budget if isinstance(budget, SearchBudget) else SearchBudget(budget)
    thresholds: dict[str, list[Scalar]] = {}
    mentions: dict[str, int] = {}
    walked = 0
    for node, _, _ in _walk(formula, ""):  # one walk: inputs, how often each is named, and its thresholds
        walked += 1
        mentions[node.input] = mentions.get(node.input, 0) + 1
        thresholds.setdefault(node.input, []).extend(node.value if isinstance(node.value, tuple) else (node.value,))
    meter.spend(walked)
    mentioned = set(mentions)
    names = sorted(mentioned - set(fixed or {}))
    for name in names:
        if name not in schema:
            raise PolicyError("inputs", name, "is not a known input" + schema.suggest(name))
    # Most-mentioned inputs first: assigning them decides (and prunes) the most comparisons.
    names.sort(key=lambda n: (-mentions.get(n, 0), n))
    domains = [_cells(schema[name], thresholds.get(name, ())) for name in names]
    meter.spend(sum(len(domain) for domain in domains))
    values: dict[str, object] = dict(fixed or {})
    start = _simplify(formula, values, meter)

    def search(i: int, current: Condition | bool) -> bool:
        meter.spend()
        if isinstance(current, bool):
            return current
        if i == len(names):  # pragma: no cover - every input is assigned by now, so current is a bool
            return False
        name = names[i]
        for value in domains[i]:
            values[name] = value
            if search(i + 1, _simplify(current, {name: value}, meter)):
                return True
        del values[name]
        return False

    if not search(0, start):
        return None
    for name, domain in zip(names, domains, strict=True):
        values.setdefault(name, domain[0])  # decided without it: any value of its range will do
    return {k: v for k, v in values.items() if k in mentioned and (fixed is None or k not in fixed)}


def _simplify(condition: Condition, values: Mapping[str, object], meter: SearchBudget) -> Condition | bool:
    """Partially evaluate *condition* with the inputs in *values*; ``True``/``False`` once decided (a step of
    *meter* per node read)."""
    meter.left -= 1
    if meter.left < 0:
        meter.spend(0)  # raises
    if isinstance(condition, Compare):
        if condition.input in values:
            return _compare(condition.op, values[condition.input], condition.value)
        return condition
    if isinstance(condition, Not):
        inner = _simplify(condition.condition, values, meter)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    is_all = isinstance(condition, All)
    kept: list[Condition] = []
    for child in condition.conditions:
        result = _simplify(child, values, meter)
        if isinstance(result, bool):
            if result != is_all:  # a False under all / a True under any decides it
                return result
            continue
        kept.append(result)
    if not kept:
        return is_all
    return All(tuple(kept)) if is_all else AnyOf(tuple(kept))
