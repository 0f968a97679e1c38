"""Declarative scorecards: how each dimension turns metrics into points, as data.

A :class:`Scorecard` scores one dimension. For each metric it names (see
:mod:`fenxiao.scoring.metrics`) a :class:`MetricRule` gives a piecewise-linear curve from
the metric to points (breakpoints as data), an optional cap on those points, the
rule's weight within the dimension and what to do when the metric is unavailable.
:class:`Cap` entries put a ceiling on the whole dimension when a metric crosses a
threshold. :class:`Scorecards` bundles the five scorecards with the composite
weights and any plug-ins named for a dimension; it reads from and writes to TOML
or JSON through :mod:`fenxiao.serialization`::

    [service.refund_rate]
    weight = "0.15"
    breakpoints = [["0.05", "100"], ["0.15", "80"], ["0.3", "40"], ["0.6", "0"]]

    [[service.caps]]
    metric = "serious_violations_365d"
    at_least = "1"
    limit = "60"

>>> from fenxiao.serialization import loads
>>> cards = loads('[service.refund_rate]\\nbreakpoints = [["0", "100"], ["0.5", "0"]]', Scorecards, format="toml")
>>> cards.service.rule("refund_rate").points(Decimal("0.1"))
Decimal('80.00')
>>> loads('[service.refund_rate]\\nbreakpoints = [["0.2", "90"], ["0.3", "50"], ["0.1", "0"]]',
...       Scorecards, format="toml")
Traceback (most recent call last):
...
fenxiao.errors.ValidationError: invalid Scorecards (1 problem):
  line 2, column 1: service.refund_rate.breakpoints[2]: x values must increase (the one before is 0.3), got ...

A dimension left out of a file keeps its default scorecard; a dimension written out is
replaced as a whole. :func:`default_scorecards` returns the defaults, which ship as data in
``fenxiao/data/defaults/scorecards.toml`` (copy it to start your own); ``docs/scoring.md``
shows them as tables.

How a rule evaluates (exact, reproducible with int64 arithmetic)
----------------------------------------------------------------
With the metric ``M`` and the breakpoints ``(X_k, Y_k)`` as integers, ``M`` and ``X_k`` in
grid units of the metric and ``Y_k`` in hundredths of a point:

* ``M <= X_0`` gives ``Y_0``; ``M >= X_n`` gives ``Y_n`` (flat beyond the ends);
* otherwise, for ``X_k <= M < X_k+1``, the points are
  ``round_half_even((Y_k * (X_k+1 - M) + Y_k+1 * (M - X_k)) / (X_k+1 - X_k))``;
* then ``min(points, cap)``.

Every product stays below ``10_000 * 2 * 10**14`` because breakpoints are limited to
``|X| <= 10**14`` grid units, so int64 never overflows.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from fenxiao._internal import hooks
from fenxiao._internal import validators as v
from fenxiao._internal.defaults import read_default
from fenxiao._internal.fixed import EXACT, POINT_PLACES, WEIGHT_PLACES, div_half_even, points_decimal, unscaled
from fenxiao._internal.strict import ascii_number
from fenxiao._internal.trusted import builder
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import NOTHING, InvalidValueError, PolicyError
from fenxiao.scoring.compiled import CapSpec, CompiledScorecard, RuleSpec, compilable, compile_scorecard
from fenxiao.scoring.context import MEDIAN_METRICS, ScoringContext
from fenxiao.scoring.dimensions import (
    CompositeWeights,
    Contribution,
    Dimension,
    DimensionScore,
    _PendingContributions,
    _trusted_dimension_score,
)
from fenxiao.scoring.metrics import Metric, get_metric

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "DEFAULTS_FILE",
    "MAX_BREAKPOINT_UNITS",
    "MEDIAN",
    "OMIT",
    "Cap",
    "MetricRule",
    "Scorecard",
    "ScorecardScorer",
    "Scorecards",
    "ScorerNames",
    "default_scorecards",
    "register_hooks",
]

#: Breakpoint x values are within this many grid units of zero, so int64 evaluation cannot overflow.
MAX_BREAKPOINT_UNITS: Final = 10**14
#: At most this many breakpoints per rule, rules per scorecard and caps per scorecard.
MAX_BREAKPOINTS: Final = 64
MAX_RULES: Final = 64
_WEIGHT_MAX: Final = Decimal(1000)
_HUNDRED: Final = Decimal(100)
_ZERO: Final = Decimal(0)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
_ZERO_POINTS: Final = points_decimal(0)
_LEFT_OUT: Final = "unavailable: left out"
_SCORED_MISSING: Final = "unavailable: scored as missing"
_NO_MEDIAN: Final = "unavailable, and no category median: left out"
#: ``MetricRule.missing`` that scores an unavailable metric at its category's median (from the scoring context).
MEDIAN: Final = "median"
#: ``missing = "omit"`` in a file: leave an unavailable metric out (the same as writing no ``missing``).
OMIT: Final = "omit"
#: Where the default scoring model ships, relative to the fenxiao package (see :func:`default_scorecards`).
DEFAULTS_FILE: Final = "data/defaults/scorecards.toml"

# A scorecard builds its results from values it has already validated, so it skips the validators.
_contribution = builder(Contribution)
_dimension_score = builder(DimensionScore)


def _exact(value: object) -> object:
    """Converter: ints and numeric strings become Decimals; anything else is left for the validator."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        written = ascii_number(value)  # "٩٠" and "９０" are digits to Decimal, not to a scorecard
        return value if written is None else Decimal(written)
    return value


def _optional_exact(value: object) -> object:
    return None if value is None else _exact(value)


def _missing_rule(value: object) -> object:
    """Converter of ``MetricRule.missing``: ``"omit"`` is ``None``, ``"median"`` stays, points become Decimals."""
    if isinstance(value, str) and value.strip() in (OMIT, MEDIAN):
        return None if value.strip() == OMIT else MEDIAN
    return _optional_exact(value)


def _pairs(value: object) -> object:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value
    return tuple(tuple(_exact(x) for x in p) if isinstance(p, (tuple, list)) else p for p in value)


def _points_units(value: object, path: str) -> int:
    """Points as hundredths: a Decimal with at most two places, from 0 to 100."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValueError(path, value, 'must be an exact number of points, e.g. "80" or "72.5"')
    if not _ZERO <= value <= _HUNDRED:
        raise InvalidValueError(path, value, "must be between 0 and 100 points")
    units = value.scaleb(POINT_PLACES, context=EXACT)
    if units != units.to_integral_value(context=EXACT):
        raise InvalidValueError(path, value, "must have at most two decimal places")
    return int(units)


def _grid_units(value: object, metric: Metric, path: str) -> int:
    """A metric threshold as grid units of *metric*."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValueError(path, value, 'must be an exact number, e.g. "0.15"')
    units = value.scaleb(metric.places, context=EXACT)
    if units != units.to_integral_value(context=EXACT):
        problem = f"must have at most {metric.places} decimal places (the grid of {metric.name})"
        raise InvalidValueError(path, value, problem)
    if abs(units) > MAX_BREAKPOINT_UNITS:
        raise InvalidValueError(path, value, f"is beyond ±{MAX_BREAKPOINT_UNITS} grid units of {metric.name}")
    return int(units)


def _metric_of(value: object, path: str) -> Metric:
    try:
        return get_metric(value)  # type: ignore[arg-type]  # get_metric reports a non-str as unknown
    except PolicyError as exc:
        raise PolicyError(path, value, exc.problem) from None


def _fmt(value: Decimal) -> str:
    return format(value, "f")


@attrs.frozen
class MetricRule:
    """How one metric scores within a dimension: a piecewise-linear curve, a cap, a weight.

    Args:
        metric: A registered metric's name (see :func:`fenxiao.scoring.metrics.metric_names`).
        breakpoints: At least two ``(x, points)`` pairs with strictly increasing ``x`` on the
            metric's grid and ``points`` from 0 to 100 (at most two places). The curve is
            linear between breakpoints and flat beyond the first and last.
        weight: The rule's weight within the dimension (relative; more than 0).
        cap: The most points this rule can give, whatever the curve says; ``None`` for no cap.
        missing: What an unavailable (for a snapshot field: unobserved) metric scores, one of three modes:
            points (0 to 100: the rule scores them, e.g. neutral points); :data:`MEDIAN` (``"median"``: the
            metric is taken at its category's median from the scoring context's benchmark, see
            :data:`~fenxiao.scoring.context.MEDIAN_METRICS` for the metrics that have one; without a median for
            the SKU's category the rule is left out); or ``None`` (``"omit"`` in a file: the rule is left out,
            so the other rules' weights carry the dimension).
        description: Why the curve looks like it does (shown in docs).

    Raises:
        PolicyError: An unknown metric.
        InvalidValueError: Bad breakpoints, weight, cap or missing points, naming which, or ``"median"`` for a
            metric without category medians.

    >>> rule = MetricRule("refund_rate", [("0.05", 100), ("0.15", 80), ("0.3", 40)])
    >>> rule.points(Decimal("0.05")), rule.points(Decimal("0.1")), rule.points(Decimal("0.9"))
    (Decimal('100.00'), Decimal('90.00'), Decimal('40.00'))
    >>> MetricRule("refund_rate", [("0.1", 100), ("0.1", 50)])
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: MetricRule.breakpoints[1]: x values must increase (the one before is 0.1),
        got Decimal('0.1')

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       *missing* also takes :data:`MEDIAN` (``"median"``) and, in files, ``"omit"``.
    """

    metric: str = attrs.field()
    breakpoints: tuple[tuple[Decimal, Decimal], ...] = attrs.field(converter=_pairs)
    weight: Decimal = attrs.field(default=Decimal(1), converter=_exact)
    cap: Decimal | None = attrs.field(default=None, converter=_optional_exact)
    missing: Decimal | Literal["median"] | None = attrs.field(default=None, converter=_missing_rule)
    description: str | None = attrs.field(default=None)
    _metric: Metric = attrs.field(init=False, repr=False, eq=False)
    _xs: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _ys: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _cap: int | None = attrs.field(init=False, repr=False, eq=False)
    _missing: int | None = attrs.field(init=False, repr=False, eq=False)
    _median: bool = attrs.field(init=False, repr=False, eq=False)
    _weight: int = attrs.field(init=False, repr=False, eq=False)
    _labels: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        metric = _metric_of(self.metric, "MetricRule.metric")
        points: object = self.breakpoints
        path = "MetricRule.breakpoints"
        if not isinstance(points, tuple):
            raise InvalidValueError(path, points, "must be a list of [x, points] pairs")
        if not 2 <= len(points) <= MAX_BREAKPOINTS:
            raise InvalidValueError(path, len(points), f"must have from 2 to {MAX_BREAKPOINTS} breakpoints")
        xs: list[int] = []
        ys: list[int] = []
        for i, pair in enumerate(points):
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InvalidValueError(f"{path}[{i}]", pair, "must be an [x, points] pair")
            x = _grid_units(pair[0], metric, f"{path}[{i}][0]")
            y = _points_units(pair[1], f"{path}[{i}][1]")
            if xs and x <= xs[-1]:
                problem = f"x values must increase (the one before is {_fmt(points[i - 1][0])})"
                raise InvalidValueError(f"{path}[{i}]", pair[0], problem)
            xs.append(x)
            ys.append(y)
        weight: object = self.weight
        if not isinstance(weight, Decimal) or not weight.is_finite() or not _ZERO < weight <= _WEIGHT_MAX:
            raise InvalidValueError("MetricRule.weight", weight, f"must be a number above 0 and at most {_WEIGHT_MAX}")
        weight_units = weight.scaleb(WEIGHT_PLACES, context=EXACT)
        if weight_units != weight_units.to_integral_value(context=EXACT):
            raise InvalidValueError("MetricRule.weight", weight, f"must have at most {WEIGHT_PLACES} decimal places")
        cap = None if self.cap is None else _points_units(self.cap, "MetricRule.cap")
        median = self.missing == MEDIAN
        if median and metric.name not in MEDIAN_METRICS:
            problem = f"needs a metric with category medians ({', '.join(MEDIAN_METRICS)})"
            raise InvalidValueError("MetricRule.missing", self.missing, problem)
        if not median and isinstance(self.missing, (str, bool)):
            modes = 'must be points (e.g. "50"), "median" or "omit"'
            raise InvalidValueError("MetricRule.missing", self.missing, modes)
        missing = None if self.missing is None or median else _points_units(self.missing, "MetricRule.missing")
        description: object = self.description
        if description is not None and (not isinstance(description, str) or not description.strip()):
            raise InvalidValueError("MetricRule.description", description, "must be non-blank text")
        for name, value in (
            ("_metric", metric),
            ("_xs", tuple(xs)),
            ("_ys", tuple(ys)),
            ("_cap", cap),
            ("_missing", missing),
            ("_median", median),
            ("_weight", int(weight_units)),
            ("_labels", self._make_labels(cap)),
        ):
            object.__setattr__(self, name, value)

    def _make_labels(self, cap: int | None) -> tuple[str, ...]:
        # The explanation of every case, made once: below, above, then (at x_k, between x_k and x_k+1) per k,
        # then the cap's suffix.
        points = self.breakpoints
        last = len(points) - 1
        labels = [f"below {_fmt(points[0][0])}", f"above {_fmt(points[-1][0])}"]
        for k, (x, y) in enumerate(points):
            where = "the first breakpoint" if k == 0 else "the last breakpoint" if k == last else "breakpoint"
            labels.append(f"at {where} {_fmt(x)}")
            if k < last:
                x1, y1 = points[k + 1]
                labels.append(f"between {_fmt(x)} ({_fmt(y)}) and {_fmt(x1)} ({_fmt(y1)})")
            else:
                labels.append("")
        labels.append("" if cap is None else f", capped at {unscaled(cap, POINT_PLACES)}")
        return tuple(labels)

    # -- integer forms (what a columnar path compiles) ------------------------------------------------

    @property
    def grid_places(self) -> int:
        """Decimal places of the metric's grid: ``x`` values are in units of ``10**-grid_places``."""
        return self._metric.places

    @property
    def integer_breakpoints(self) -> tuple[tuple[int, int], ...]:
        """The breakpoints as ints: ``x`` in grid units, points in hundredths.

        >>> MetricRule("refund_rate", [("0.05", 100), ("0.3", "40.5")]).integer_breakpoints
        ((50000, 10000), (300000, 4050))
        """
        return tuple(zip(self._xs, self._ys, strict=True))

    @property
    def weight_ppm(self) -> int:
        """The weight in millionths."""
        return self._weight

    def points_units(self, units: int) -> int:
        """Points in hundredths for a metric of *units* grid units (the integer algorithm, cap included)."""
        result = self._curve(units)
        cap = self._cap
        return result if cap is None or result <= cap else cap

    def _curve(self, units: int) -> int:
        xs, ys = self._xs, self._ys
        if units <= xs[0]:
            return ys[0]
        if units >= xs[-1]:
            return ys[-1]
        k = bisect_right(xs, units) - 1
        x0, x1 = xs[k], xs[k + 1]
        return div_half_even(ys[k] * (x1 - units) + ys[k + 1] * (units - x0), x1 - x0)

    def points(self, value: Decimal) -> Decimal:
        """The points (two places) for a metric value on the metric's grid.

        Raises:
            InvalidValueError: *value* has more places than the grid.
        """
        units = _grid_units(value, self._metric, f"{self.metric} value")
        return unscaled(self.points_units(units), POINT_PLACES)

    def explain(self, units: int) -> tuple[int, str]:
        """Points in hundredths for a metric of *units* grid units, and one line saying how.

        >>> MetricRule("refund_rate", [("0.05", 100), ("0.3", 0)], cap=90).explain(100000)
        (8000, 'between 0.05 (100) and 0.3 (0)')
        >>> MetricRule("refund_rate", [("0.05", 100), ("0.3", 0)], cap=90).explain(0)
        (9000, 'below 0.05, capped at 90.00')
        """
        xs = self._xs
        labels = self._labels
        curve = self._curve(units)
        if units < xs[0]:
            how = labels[0]
        elif units > xs[-1]:
            how = labels[1]
        else:
            k = bisect_right(xs, units) - 1
            how = labels[2 + 2 * k] if units == xs[k] else labels[3 + 2 * k]
        cap = self._cap
        if cap is not None and curve > cap:
            return cap, how + labels[-1]
        return curve, how

    def unavailable(self, snapshot: SkuSnapshot, context: ScoringContext) -> tuple[int, str] | None:
        """Points in hundredths, and why, when the metric is unavailable for *snapshot*; ``None``: left out.

        By :attr:`missing`: its points; at the category median of *context* (the median rounded half to even
        onto the metric's grid, then scored by the curve); or ``None`` (left out, and also when the median mode
        finds no median for the SKU's category).

        >>> from fenxiao.scoring.context import CategoryBenchmark, ScoringContext
        >>> from fenxiao.money import Money
        >>> from datetime import datetime, timezone
        >>> t = datetime(2026, 11, 20, tzinfo=timezone.utc)
        >>> snap = SkuSnapshot(sku_id="a", category_id="c-tea", observed_at=t, joined_at=t, price=Money.of("9.90"))
        >>> bench = CategoryBenchmark("c-tea", 4, Decimal("9.9"), Decimal("0.2"), (0,), {"refund_rate": Decimal("0.1")})
        >>> rule = MetricRule("refund_rate", [("0.05", 100), ("0.15", 80)], missing="median")
        >>> rule.unavailable(snap, ScoringContext((bench,)))
        (9000, 'unavailable: scored at the category median 0.1 (between 0.05 (100) and 0.15 (80))')
        >>> rule.unavailable(snap, ScoringContext.empty()) is None
        True
        """
        if self._median:
            bench = context.benchmark_for(snapshot)
            half = None if bench is None else bench.median_half_units(self.metric)
            if half is None:
                return None
            units = div_half_even(half, 2)
            points, how = self.explain(units)
            median = _fmt(unscaled(units, self.grid_places).normalize())
            return points, f"unavailable: scored at the category median {median} ({how})"
        if self._missing is None:
            return None
        return self._missing, _SCORED_MISSING

    @property
    def direction(self) -> str:
        """``"increasing"``, ``"decreasing"``, ``"flat"`` or ``"mixed"``: how points move as the metric grows."""
        steps = {(b > a) - (b < a) for a, b in pairwise(self._ys)} - {0}
        if not steps:
            return "flat"
        if len(steps) == 2:
            return "mixed"
        return "increasing" if steps == {1} else "decreasing"


@attrs.frozen
class Cap:
    """A ceiling on a whole dimension while a metric is at or beyond a threshold.

    Args:
        metric: A registered metric's name.
        limit: The most the dimension can score while the condition holds (0-100).
        at_least: The condition holds when the metric is at least this (inclusive), and
        at_most: at most this (inclusive). Give one or both; an unavailable metric never holds.
        reason: Why, for the explanation.

    >>> cap = Cap("serious_violations_365d", limit=60, at_least=1, reason="serious violation in the past year")
    >>> cap.applies(Decimal(2)), cap.applies(Decimal(0)), cap.applies(None)
    (True, False, False)

    .. versionadded:: 0.1
    """

    metric: str = attrs.field()
    limit: Decimal = attrs.field(converter=_exact)
    at_least: Decimal | None = attrs.field(default=None, converter=_optional_exact)
    at_most: Decimal | None = attrs.field(default=None, converter=_optional_exact)
    reason: str | None = attrs.field(default=None)
    _metric: Metric = attrs.field(init=False, repr=False, eq=False)
    _limit: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        metric = _metric_of(self.metric, "Cap.metric")
        limit = _points_units(self.limit, "Cap.limit")
        if self.at_least is None and self.at_most is None:
            raise InvalidValueError("Cap", NOTHING, "needs at_least, at_most or both")
        low = None if self.at_least is None else _grid_units(self.at_least, metric, "Cap.at_least")
        high = None if self.at_most is None else _grid_units(self.at_most, metric, "Cap.at_most")
        if low is not None and high is not None and low > high:
            raise InvalidValueError("Cap.at_most", self.at_most, f"must not be below at_least ({self.at_least})")
        reason: object = self.reason
        if reason is not None and (not isinstance(reason, str) or not reason.strip()):
            raise InvalidValueError("Cap.reason", reason, "must be non-blank text")
        object.__setattr__(self, "_metric", metric)
        object.__setattr__(self, "_limit", limit)

    @property
    def limit_units(self) -> int:
        """The limit in hundredths of a point."""
        return self._limit

    def applies(self, value: Decimal | None) -> bool:
        """Whether the condition holds for a metric *value* (``None``: unavailable, never holds)."""
        if value is None:
            return False
        if self.at_least is not None and value < self.at_least:
            return False
        return self.at_most is None or value <= self.at_most

    def describe(self, value: Decimal) -> str:
        """The condition, with the actual value: ``serious_violations_365d = 1 (at least 1)``."""
        bounds = []
        if self.at_least is not None:
            bounds.append(f"at least {_fmt(self.at_least)}")
        if self.at_most is not None:
            bounds.append(f"at most {_fmt(self.at_most)}")
        why = f"; {self.reason}" if self.reason else ""
        return f"{self.metric} = {_fmt(value)} ({' and '.join(bounds)}{why})"


def _rules(value: object) -> object:
    if isinstance(value, Mapping):
        return tuple(value.values())
    return v.to_tuple(value)  # type: ignore[arg-type]  # validator reports non-iterables


@attrs.frozen
class Scorecard:
    """The rules that score one dimension, and the caps on it.

    Args:
        rules: One :class:`MetricRule` per metric (at most one per metric), in display order.
        caps: :class:`Cap` ceilings on the dimension.

    The dimension's value is ``round_half_even(sum(weight * points) / sum(weight))`` over the
    rules whose metric is available (or that score ``missing`` points), then lowered to each
    applicable cap's limit. With no rule available it is 0.00.

    .. versionadded:: 0.1
    """

    rules: tuple[MetricRule, ...] = attrs.field(converter=_rules)
    caps: tuple[Cap, ...] = attrs.field(default=(), converter=v.to_tuple)
    # The compiled function of the scorecard (fenxiao.scoring.compiled), made on first use; False: not compilable.
    _compiled_centi: CompiledScorecard | bool | None = attrs.field(init=False, default=None, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        rules: object = self.rules
        if not isinstance(rules, tuple) or not rules:
            raise InvalidValueError("Scorecard.rules", rules, "must hold at least one MetricRule")
        if len(self.rules) > MAX_RULES:
            raise InvalidValueError("Scorecard.rules", len(self.rules), f"must hold at most {MAX_RULES} rules")
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            if not isinstance(rule, MetricRule):
                raise InvalidValueError(f"Scorecard.rules[{i}]", rule, "must be a MetricRule")
            if rule.metric in seen:
                raise InvalidValueError(f"Scorecard.{rule.metric}", rule.metric, "has two rules")
            seen.add(rule.metric)
        caps: object = self.caps
        if not isinstance(caps, tuple) or len(caps) > MAX_RULES:
            raise InvalidValueError("Scorecard.caps", caps, f"must be a list of at most {MAX_RULES} caps")
        for i, cap in enumerate(self.caps):
            if not isinstance(cap, Cap):
                raise InvalidValueError(f"Scorecard.caps[{i}]", cap, "must be a Cap")

    def _compiled(self) -> CompiledScorecard | None:
        """The scorecard's compiled function (:mod:`fenxiao.scoring.compiled`), or ``None`` when it is not compiled."""
        compiled = self._compiled_centi
        if compiled is None:
            metrics = [r._metric for r in self.rules] + [c._metric for c in self.caps]
            breakpoints = sum(len(r._xs) for r in self.rules)
            if compilable(metrics, breakpoints):
                compiled = compile_scorecard(_rule_specs(self.rules), _cap_specs(self.caps))
            else:
                compiled = False
            object.__setattr__(self, "_compiled_centi", compiled)
        return compiled if compiled is not False else None  # type: ignore[return-value]

    def rule(self, metric: str) -> MetricRule:
        """The rule for *metric*.

        Raises:
            PolicyError: The scorecard has no rule for it.
        """
        for rule in self.rules:
            if rule.metric == metric:
                return rule
        raise PolicyError("Scorecard.rule", metric, "has no rule in this scorecard")

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics the rules name, in order."""
        return tuple(r.metric for r in self.rules)

    def with_rule(self, rule: MetricRule) -> Scorecard:
        """A copy with *rule* added, or replacing the rule for the same metric in place."""
        if rule.metric in self.metrics:
            return attrs.evolve(self, rules=tuple(rule if r.metric == rule.metric else r for r in self.rules))
        return attrs.evolve(self, rules=(*self.rules, rule))

    def without_rule(self, metric: str) -> Scorecard:
        """A copy without the rule for *metric*."""
        self.rule(metric)
        return attrs.evolve(self, rules=tuple(r for r in self.rules if r.metric != metric))


def _rule_specs(rules: tuple[MetricRule, ...]) -> list[RuleSpec]:
    return [
        RuleSpec(r._metric, r._xs, r._ys, r._weight, r._cap, r._missing, r.unavailable if r._median else None)
        for r in rules
    ]


def _cap_specs(caps: tuple[Cap, ...]) -> list[CapSpec]:
    specs = []
    for cap in caps:
        low = None if cap.at_least is None else _grid_units(cap.at_least, cap._metric, "Cap.at_least")
        high = None if cap.at_most is None else _grid_units(cap.at_most, cap._metric, "Cap.at_most")
        specs.append(CapSpec(cap._metric, low, high))
    return specs


def _check_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _NAME_RE.fullmatch(value)):
        path = v.path_of(instance, attribute)
        raise InvalidValueError(path, value, "must be a registered scorer's name (letters, digits, _.:-)")


@attrs.frozen
class ScorerNames:
    """Per dimension, the registered plug-in that scores it instead of the scorecard (``None``: the scorecard).

    .. versionadded:: 0.1
    """

    brand: str | None = attrs.field(default=None, validator=_check_name)
    price: str | None = attrs.field(default=None, validator=_check_name)
    distribution: str | None = attrs.field(default=None, validator=_check_name)
    service: str | None = attrs.field(default=None, validator=_check_name)
    sales: str | None = attrs.field(default=None, validator=_check_name)

    def __getitem__(self, dimension: Dimension) -> str | None:
        """The name for *dimension*, or ``None``."""
        result: str | None = getattr(self, dimension.value)
        return result


def _default_card(dimension: Dimension) -> Callable[[], Scorecard]:
    return lambda: default_scorecards()[dimension]


def _card_field(dimension: Dimension) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, Scorecard):
            raise InvalidValueError(f"Scorecards.{attribute.name}", value, "must be a Scorecard")

    return attrs.field(factory=_default_card(dimension), validator=check)


@attrs.frozen
class Scorecards:
    """The whole scoring model as data: five scorecards, the composite weights, named plug-ins.

    A field left out keeps its default, so ``Scorecards()`` is :func:`default_scorecards`.

    .. versionadded:: 0.1
    """

    brand: Scorecard = _card_field(Dimension.BRAND)
    price: Scorecard = _card_field(Dimension.PRICE)
    distribution: Scorecard = _card_field(Dimension.DISTRIBUTION)
    service: Scorecard = _card_field(Dimension.SERVICE)
    sales: Scorecard = _card_field(Dimension.SALES)
    weights: CompositeWeights = attrs.field(factory=CompositeWeights, validator=v.instance_of(CompositeWeights))
    scorers: ScorerNames = attrs.field(factory=ScorerNames, validator=v.instance_of(ScorerNames))

    def __getitem__(self, dimension: Dimension) -> Scorecard:
        """The scorecard of *dimension*."""
        result: Scorecard = getattr(self, dimension.value)
        return result

    def replace(self, dimension: Dimension, scorecard: Scorecard) -> Scorecards:
        """A copy with *scorecard* for *dimension*."""
        changes: dict[str, Any] = {dimension.value: scorecard}
        return attrs.evolve(self, **changes)

    def with_rule(self, dimension: Dimension, rule: MetricRule) -> Scorecards:
        """A copy whose *dimension* scorecard also scores *rule* (see :meth:`Scorecard.with_rule`)."""
        return self.replace(dimension, self[dimension].with_rule(rule))

    def scorecard_scorer(self, dimension: Dimension) -> ScorecardScorer:
        """The :class:`ScorecardScorer` that evaluates the scorecard of *dimension* (whatever :attr:`scorers` says).

        >>> default_scorecards().scorecard_scorer(Dimension.SALES).name
        'scorecard.sales'

        .. versionadded:: 0.1
        """
        return ScorecardScorer(dimension, self[dimension])


# -- the scorer that evaluates a scorecard ------------------------------------------------------------------


def _default_name(instance: ScorecardScorer) -> str:
    return f"scorecard.{instance.dimension.value}"


@attrs.frozen
class ScorecardScorer:
    """A :class:`~fenxiao.scoring.plugins.DimensionScorer` that evaluates a declarative :class:`Scorecard`.

    >>> from fenxiao.scoring.context import ScoringContext
    >>> from fenxiao.sample import load_sample
    >>> snap = load_sample().latest_snapshots()[0]
    >>> scorer = ScorecardScorer(Dimension.SERVICE, default_scorecards().service)
    >>> score = scorer.score(snap, ScoringContext.empty())
    >>> score.dimension, [c.metric for c in score.contributions][:2]
    (<Dimension.SERVICE: 'service'>, ['experience_score', 'bad_review_rate'])

    .. versionadded:: 0.1
    """

    dimension: Dimension = attrs.field(validator=v.member_of(Dimension))
    scorecard: Scorecard = attrs.field()
    name: str = attrs.field(default=attrs.Factory(_default_name, takes_self=True), validator=v.text)

    @scorecard.validator
    def _check_scorecard(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, Scorecard):
            raise InvalidValueError("ScorecardScorer.scorecard", value, "must be a Scorecard")

    def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
        """Evaluate the scorecard for one snapshot (see the module docstring for the arithmetic).

        The value comes from the scorecard's compiled function when every metric is a built-in one; the
        contributions are then built from the explained evaluation the first time they are read (equal to
        building them at once).
        """
        card = self.scorecard
        if type(snapshot) is SkuSnapshot and type(context) is ScoringContext:
            return _score_fast(self.dimension, card, card._compiled(), snapshot, context)[0]
        return _dimension_score(self.dimension, *_evaluate(card, snapshot, context))

    def score_batch(self, snapshots: Iterable[SkuSnapshot], context: ScoringContext) -> tuple[DimensionScore, ...]:
        """Evaluate the scorecard for each snapshot, in order."""
        return tuple(self.score(s, context) for s in snapshots)

    def with_rule(self, rule: MetricRule) -> ScorecardScorer:
        """A copy whose scorecard also scores *rule* (see :meth:`Scorecard.with_rule`)."""
        return attrs.evolve(self, scorecard=self.scorecard.with_rule(rule))


def _score_fast(
    dimension: Dimension,
    card: Scorecard,
    compiled: CompiledScorecard | None,
    snapshot: SkuSnapshot,
    context: ScoringContext,
) -> tuple[DimensionScore, int]:
    """The score of *card* (its *compiled* function, or ``None``) for a SkuSnapshot and a ScoringContext themselves,
    and its value in hundredths: the value from the compiled function when it needs no note, the contributions then
    built when first read; else the explained evaluation."""
    if compiled is not None:
        centi = compiled(snapshot, context)
        if centi >= 0:
            pending = _PendingContributions(_contributions, card, snapshot, context)
            return _trusted_dimension_score(dimension, points_decimal(centi), pending, ()), centi
    value, contributions, notes = _evaluate(card, snapshot, context)
    return _dimension_score(dimension, value, contributions, notes), int(value.scaleb(POINT_PLACES, context=EXACT))


def _contributions(card: Scorecard, snapshot: SkuSnapshot, context: ScoringContext) -> tuple[Contribution, ...]:
    """The contributions of a score whose value the compiled function gave (see ScorecardScorer.score)."""
    return _evaluate(card, snapshot, context)[1]


def _evaluate(
    card: Scorecard, snapshot: SkuSnapshot, context: ScoringContext
) -> tuple[Decimal, tuple[Contribution, ...], tuple[str, ...]]:
    """The explained evaluation of *card*: the value, the contributions and the notes."""
    total = 0
    weights = 0
    contributions = []
    for rule in card.rules:
        measured = rule._metric.measure(snapshot, context)
        if measured is None:
            instead = rule.unavailable(snapshot, context)
            if instead is None:
                why = _NO_MEDIAN if rule._median else _LEFT_OUT
                contributions.append(_contribution(rule.metric, None, _ZERO_POINTS, _ZERO, why))
                continue
            value, (points, how) = None, instead
        else:
            value, units = measured
            points, how = rule.explain(units)
        total += rule._weight * points
        weights += rule._weight
        contributions.append(_contribution(rule.metric, value, points_decimal(points), rule.weight, how))
    notes: list[str] = []
    if weights:
        result = div_half_even(total, weights)
    else:
        result = 0
        notes.append("no metric was available, so the value is 0.00")
    for cap in card.caps:
        measured = cap._metric.measure(snapshot, context)
        if measured is not None and cap.applies(measured[0]):
            limit = cap.limit_units
            why = cap.describe(measured[0])
            if result > limit:
                notes.append(f"capped at {points_decimal(limit)} from {points_decimal(result)}: {why}")
                result = limit
            else:
                notes.append(f"cap {points_decimal(limit)} applies but does not bind: {why}")
    return points_decimal(result), tuple(contributions), tuple(notes)


# -- the defaults ---------------------------------------------------------------------------------------------


@cache
def default_scorecards() -> Scorecards:
    """The default scoring model: the scorecards in ``docs/scoring.md`` and equal composite weights.

    Read once from ``fenxiao/data/defaults/scorecards.toml`` (:data:`DEFAULTS_FILE`), a file you can copy and edit.

    >>> default_scorecards().service.metrics
    ('experience_score', 'bad_review_rate', 'quality_return_rate', 'refund_rate', 'complaint_rate', 'shipped_48h_rate')
    """
    return read_default(DEFAULTS_FILE.rpartition("/")[2], Scorecards)


# -- reading and writing through the converter --------------------------------------------------------------


def _noted(exc: Exception, name: str, kind: type[Any]) -> Exception:
    """Attach the key *name* to *exc* the way cattrs notes attributes, keeping deeper paths intact."""
    from cattrs.errors import AttributeValidationNote, ClassValidationError

    group = exc if isinstance(exc, ClassValidationError) else ClassValidationError(f"@ {name}", [exc], kind)
    group.add_note(AttributeValidationNote(f"Structuring {name}", name, kind))
    return group


def _structure_scorecard(converter: cattrs.Converter) -> Callable[[Any, type[Any]], Scorecard]:
    from cattrs.errors import ClassValidationError

    def structure(data: Any, _: type[Any]) -> Scorecard:
        if not isinstance(data, Mapping):
            raise InvalidValueError("Scorecard", data, "must be a table of metric names to rules")
        errors: list[Exception] = []
        rules: list[MetricRule] = []
        caps: tuple[Cap, ...] = ()
        for key, value in data.items():
            try:
                if key == "caps":
                    caps = converter.structure(value, tuple[Cap, ...])
                    continue
                _metric_of(key, "Scorecard")  # the path is the key itself, which the note adds
                if not isinstance(value, Mapping):
                    raise InvalidValueError("Scorecard", value, "must be a table (breakpoints, weight ...)")
                if "metric" in value:
                    raise InvalidValueError(f"Scorecard.{key}.metric", "metric", "is not a known field")
                rules.append(converter.structure({**value, "metric": key}, MetricRule))
            except Exception as exc:
                errors.append(_noted(exc, str(key), MetricRule))
        if errors:
            raise ClassValidationError("While structuring Scorecard", errors, Scorecard)
        try:
            return Scorecard(rules, caps)
        except InvalidValueError as exc:
            raise ClassValidationError("While structuring Scorecard", [exc], Scorecard) from None

    return structure


def _unstructure_scorecard(converter: cattrs.Converter) -> Callable[[Scorecard], dict[str, Any]]:
    def unstructure(card: Scorecard) -> dict[str, Any]:
        # Each rule is keyed by its metric, so the rule's own "metric" is left out (a rule alone keeps it).
        data: dict[str, Any] = {}
        for rule in card.rules:
            written = converter.unstructure(rule, MetricRule)
            del written["metric"]
            data[rule.metric] = written
        if card.caps:
            data["caps"] = converter.unstructure(card.caps, tuple[Cap, ...])
        return data

    return unstructure


def register_hooks(converter: cattrs.Converter) -> None:
    """Teach *converter* the file format of scorecards (a table per metric, defaults left out).

    :mod:`fenxiao.serialization` calls it for its converter when imported; call it for another converter.
    (cattrs is imported here, not at module level, so that ``import fenxiao`` stays light.)
    """
    from cattrs.gen import make_dict_unstructure_fn

    converter.register_unstructure_hook(
        MetricRule,
        make_dict_unstructure_fn(MetricRule, converter, _cattrs_omit_if_default=True),
    )
    converter.register_unstructure_hook(Cap, make_dict_unstructure_fn(Cap, converter, _cattrs_omit_if_default=True))
    converter.register_unstructure_hook(
        ScorerNames, make_dict_unstructure_fn(ScorerNames, converter, _cattrs_omit_if_default=True)
    )
    converter.register_structure_hook(Scorecard, _structure_scorecard(converter))
    converter.register_unstructure_hook(Scorecard, _unstructure_scorecard(converter))


hooks.register(register_hooks)
