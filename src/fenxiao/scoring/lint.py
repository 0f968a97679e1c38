"""Static checks of scorecards: what loads but cannot be meant (``python -m fenxiao lint scorecards.toml``).

Loading already refuses what no scorecard may hold (breakpoints out of order, points outside 0-100, composite
weights not summing to 1, an unknown metric). :func:`lint_scorecards` looks for what loads and is still wrong: a
curve that runs the wrong way for its metric or turns back, a curve that gives every SKU the same points, points
only given outside the values the metric can take, caps that never bind or always do, missing data scored above
the best data, a dimension no SKU can take to 100, a plug-in scorer that cannot be found. Each finding names its
place as a scorecards file writes it (``service.refund_rate.breakpoints[2]``).

What the metrics can take (:func:`metric_range`) and which way is better (:data:`BETTER`) are stated here, for the
built-in metrics; a metric registered by a plug-in is checked for neither.

>>> from fenxiao.scoring.scorecards import MetricRule, default_scorecards
>>> lint_scorecards(default_scorecards())
()
>>> backwards = default_scorecards().with_rule(Dimension.SERVICE, MetricRule("refund_rate", [("0", 0), ("0.3", 100)]))
>>> for finding in lint_scorecards(backwards):
...     print(finding)
service.refund_rate.breakpoints: warning [wrong-direction] points rise with refund_rate, but a lower refund_rate \
is better

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from itertools import pairwise
from typing import Final, Literal

import attrs

from fenxiao._internal.fixed import div_half_even
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import FenxiaoError, InvalidValueError
from fenxiao.rules.table import Finding, Severity, sorted_findings
from fenxiao.scoring.dimensions import Dimension
from fenxiao.scoring.metrics import get_metric
from fenxiao.scoring.registry import ScorerRegistry, default_registry
from fenxiao.scoring.scorecards import Cap, MetricRule, Scorecard, Scorecards

__all__ = ["BETTER", "lint_scorecards", "metric_range"]

_HIGHER: Final = "higher"
_LOWER: Final = "lower"

#: Which way each built-in metric is better for a SKU (``higher`` or ``lower``); metrics left out (a price, a
#: previous period's sales, days in the pool) have no better way.
BETTER: Final[Mapping[str, Literal["higher", "lower"]]] = {
    **dict.fromkeys(
        (
            "brand_authorised",
            "brand_gmv_30d",
            "brand_registered",
            "commission_rate",
            "commission_vs_category_median",
            "experience_score",
            "flagship_shop",
            "gmv_30d",
            "gmv_percentile_in_category",
            "good_review_rate",
            "goods_score",
            "influencer_gmv_share",
            "logistics_score",
            "lowest_sub_score",
            "on_brand_list",
            "promoting_influencers",
            "repurchase_rate",
            "sales_growth",
            "service_score",
            "shipped_48h_rate",
            "team_leaders",
            "units_30d",
        ),
        _HIGHER,
    ),
    **dict.fromkeys(
        (
            "bad_review_rate",
            "complaint_rate",
            "price_vs_category_median",
            "price_vs_lowest_30d",
            "price_vs_reference",
            "quality_return_rate",
            "refund_rate",
            "serious_violations_365d",
        ),
        _LOWER,
    ),
}

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_HUNDRED: Final = Decimal(100)
#: The range of a metric by its unit (``None``: unbounded on that side).
_UNIT_RANGES: Final[Mapping[str, tuple[Decimal | None, Decimal | None]]] = {
    "rate": (_ZERO, _ONE),
    "share": (_ZERO, _ONE),
    "flag": (_ZERO, _ONE),
    "count": (_ZERO, None),
    "days": (_ZERO, None),
    "yuan": (_ZERO, None),
    "ratio": (-_ONE, None),  # a price ratio is positive; sales growth is at least -1 (nothing sold)
}
#: The shop's scores: 0 to 5.
_SHOP_SCORES: Final = frozenset(
    {"experience_score", "goods_score", "logistics_score", "service_score", "lowest_sub_score"}
)

Range = tuple[Decimal | None, Decimal | None]


def metric_range(metric: str) -> Range:
    """The values the built-in metric *metric* can take, ``(lowest, highest)``, ``None`` for no bound.

    Rates, shares and flags are 0 to 1, counts, days and amounts at least 0, ratios at least -1, the shop's scores
    0 to 5; a metric registered by a plug-in is unbounded (``(None, None)``).

    >>> metric_range("refund_rate"), metric_range("units_30d")
    ((Decimal('0'), Decimal('1')), (Decimal('0'), None))

    Raises:
        PolicyError: *metric* is not a registered metric.
    """
    found = get_metric(metric)
    if metric in _SHOP_SCORES:
        return (_ZERO, Decimal(5))
    if metric not in BETTER and found.unit not in {"yuan", "count", "days"}:
        return (None, None)  # a metric fenxiao does not know the meaning of (registered by a plug-in)
    return _UNIT_RANGES.get(found.unit, (None, None))


def _inside(x: Decimal, bounds: Range) -> bool:
    low, high = bounds
    return (low is None or x >= low) and (high is None or x <= high)


def _shown(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def _span(bounds: Range) -> str:
    low, high = bounds
    if high is None:
        return f"at least {_shown(low)}" if low is not None else "any value"
    if low is None:
        return f"at most {_shown(high)}"
    return f"{_shown(low)} to {_shown(high)}"


def _samples(rule: MetricRule, bounds: Range) -> list[Decimal]:
    """The metric values where the rule's points are extreme within *bounds*: its breakpoints inside, the ends."""
    low, high = bounds
    xs = [x for x, _ in rule.breakpoints if _inside(x, bounds)]
    xs += [end for end in (low, high) if end is not None]
    return xs


def _extremes(rule: MetricRule, bounds: Range) -> tuple[Decimal, Decimal]:
    """The fewest and the most points *rule* gives (cap included) to a value of its metric within *bounds*."""
    given = [rule.points(x) for x in _samples(rule, bounds)]
    return min(given), max(given)


@checks_arguments
def lint_scorecards(scorecards: Scorecards, *, registry: ScorerRegistry | None = None) -> tuple[Finding, ...]:
    """Static checks of a set of scorecards, errors first; paths as a scorecards file writes them.

    For each rule of each dimension (``DIMENSION.METRIC``):

    - ``wrong-direction`` (warning): points rise with a metric that is better lower (a refund rate), or fall with
      one that is better higher (:data:`BETTER`);
    - ``non-monotone`` (warning): points that rise and then fall (or the other way), at the breakpoint where the
      curve turns back;
    - ``flat-curve`` (warning): the rule gives every SKU the same points (the curve, or its cap, is flat over
      every value the metric can take);
    - ``outside-range`` (warning): breakpoints beyond the values the metric can take (:func:`metric_range`: a
      rate above 1, a count below 0): the points written there are never given;
    - ``cap-never-binds`` (warning): a rule cap at or above the most points the curve gives;
    - ``missing-above-best`` (warning): ``missing`` points above the most a known value of the metric gives (a
      SKU scores better without the data than with the best data).

    For each cap on a dimension (``DIMENSION.caps[i]``): ``cap-never-binds`` (a limit of 100, or a cap inside
    another cap on the same metric with a limit no lower), ``never-applies`` (its threshold is beyond the
    metric's range) and ``always-applies`` (every value the metric can take meets it, so the dimension never
    scores above the limit).

    For each dimension: ``max-below-100`` (warning), no SKU whose metrics are all known can score 100 (every
    metric at its best, the caps that always apply applied: the finding says the best score); ``unweighted``
    (info), the composite weight is 0 (the score is still an input of the tier policy); ``unknown-scorer``
    (error), a plug-in named in ``scorers`` that *registry* (the default registry) cannot give, or that scores
    another dimension.

    Raises:
        InvalidValueError: *scorecards* is not a :class:`Scorecards`.
    """
    if not isinstance(scorecards, Scorecards):
        raise InvalidValueError("lint_scorecards.scorecards", scorecards, "must be a Scorecards")
    findings: list[Finding] = []
    for dimension in Dimension:
        name = dimension.value
        plugin = scorecards.scorers[dimension]
        if plugin is not None:
            findings.extend(_plugin_findings(plugin, dimension, registry))
        card = scorecards[dimension]
        for rule in card.rules:
            findings.extend(_rule_findings(f"{name}.{rule.metric}", rule))
        findings.extend(_cap_findings(name, card))
        if plugin is None:
            findings.extend(_best_findings(name, card))
        if scorecards.weights[dimension] == 0:
            message = f"the composite weight of {name} is 0: its score counts only as an input of the tier policy"
            findings.append(Finding(f"weights.{name}", Severity.INFO, "unweighted", message))
    return sorted_findings(findings)


def _plugin_findings(plugin: str, dimension: Dimension, registry: ScorerRegistry | None) -> list[Finding]:
    path = f"scorers.{dimension.value}"
    try:
        scorer = (registry if registry is not None else default_registry()).get(plugin)
    except FenxiaoError as exc:
        return [Finding(path, Severity.ERROR, "unknown-scorer", f"scorer {plugin!r} cannot be had: {exc}")]
    if scorer.dimension is not dimension:
        message = f"scorer {plugin!r} scores {scorer.dimension.value}, not {dimension.value}"
        return [Finding(path, Severity.ERROR, "unknown-scorer", message)]
    return []


def _rule_findings(path: str, rule: MetricRule) -> list[Finding]:
    findings: list[Finding] = []
    metric = rule.metric
    bounds = metric_range(metric)
    direction = rule.direction
    better = BETTER.get(metric)
    if direction == "mixed":
        turn, rose = _turn(rule)
        x, y = rule.breakpoints[turn]
        way = "rise and then fall" if rose else "fall and then rise"
        message = f"points {way} at {metric} {_shown(x)} ({_shown(y)} points): the curve turns back"
        findings.append(Finding(f"{path}.breakpoints[{turn}]", Severity.WARNING, "non-monotone", message))
    elif better is not None and direction in {"increasing", "decreasing"}:
        rises = direction == "increasing"
        if rises != (better == _HIGHER):
            message = f"points {'rise' if rises else 'fall'} with {metric}, but a {better} {metric} is better"
            findings.append(Finding(f"{path}.breakpoints", Severity.WARNING, "wrong-direction", message))
    outside = [k for k, (x, _) in enumerate(rule.breakpoints) if not _inside(x, bounds)]
    if outside:
        x = rule.breakpoints[outside[0]][0]
        message = (
            f"{metric} {_shown(x)} is beyond what it can take ({_span(bounds)}): "
            f"{len(outside)} breakpoint{'s' if len(outside) > 1 else ''} never reached"
        )
        findings.append(Finding(f"{path}.breakpoints[{outside[0]}]", Severity.WARNING, "outside-range", message))
    worst, best = _extremes(rule, bounds)
    uncapped = attrs.evolve(rule, cap=None) if rule.cap is not None else rule
    curve_low, curve_high = _extremes(uncapped, bounds)
    if worst == best:
        where = ".cap" if curve_low != curve_high else ".breakpoints"
        message = f"every SKU gets {_shown(best)} points from {metric} ({_span(bounds)}): the rule ranks nothing"
        findings.append(Finding(f"{path}{where}", Severity.WARNING, "flat-curve", message))
    elif rule.cap is not None and rule.cap >= curve_high:
        message = f"the cap {_shown(rule.cap)} is not below the most the curve gives ({_shown(curve_high)})"
        findings.append(Finding(f"{path}.cap", Severity.WARNING, "cap-never-binds", message))
    if isinstance(rule.missing, Decimal) and rule.missing > best:  # a median is a value on the curve: never above
        message = (
            f"a SKU whose {metric} is unknown gets {_shown(rule.missing)} points, more than the best known "
            f"{metric} gives ({_shown(best)})"
        )
        findings.append(Finding(f"{path}.missing", Severity.WARNING, "missing-above-best", message))
    return findings


def _turn(rule: MetricRule) -> tuple[int, bool]:
    """The index of the breakpoint where the curve first turns back (the last one if it never does), and whether
    it rose before."""
    first = 0
    for k, ((_, a), (_, b)) in enumerate(pairwise(rule.breakpoints)):
        step = (b > a) - (b < a)
        if first == 0:
            first = step
        elif step and step != first:
            return k, first > 0
    return len(rule.breakpoints) - 1, first > 0


def _interval(cap: Cap, bounds: Range) -> Range | None:
    """The metric values within *bounds* where *cap* applies, or ``None`` when there are none."""
    low, high = bounds
    start = cap.at_least if low is None or (cap.at_least is not None and cap.at_least > low) else low
    end = cap.at_most if high is None or (cap.at_most is not None and cap.at_most < high) else high
    if start is not None and end is not None and start > end:
        return None
    return (start, end)


def _always(cap: Cap, bounds: Range) -> bool:
    low, high = bounds
    above = cap.at_least is None or (low is not None and low >= cap.at_least)
    below = cap.at_most is None or (high is not None and high <= cap.at_most)
    return above and below


def _covers(outer: Range, inner: Range) -> bool:
    return (outer[0] is None or (inner[0] is not None and inner[0] >= outer[0])) and (
        outer[1] is None or (inner[1] is not None and inner[1] <= outer[1])
    )


def _cap_findings(dimension: str, card: Scorecard) -> list[Finding]:
    findings: list[Finding] = []
    spans: list[tuple[int, Cap, Range]] = []
    for i, cap in enumerate(card.caps):
        path = f"{dimension}.caps[{i}]"
        bounds = metric_range(cap.metric)
        span = _interval(cap, bounds)
        if span is None:
            message = f"{cap.metric} never meets it (it takes {_span(bounds)}): the cap never applies"
            findings.append(Finding(path, Severity.WARNING, "never-applies", message))
            continue
        if cap.limit >= _HUNDRED:
            message = f"the limit {_shown(cap.limit)} is the most a dimension scores anyway"
            findings.append(Finding(f"{path}.limit", Severity.WARNING, "cap-never-binds", message))
            continue
        if _always(cap, bounds):
            message = (
                f"every {cap.metric} ({_span(bounds)}) meets it: {dimension} never scores above {_shown(cap.limit)}"
            )
            findings.append(Finding(path, Severity.WARNING, "always-applies", message))
        for j, other, other_span in spans:
            if other.metric == cap.metric and other.limit <= cap.limit and _covers(other_span, span):
                message = f"caps[{j}] applies wherever this cap does, with a limit no higher ({_shown(other.limit)})"
                findings.append(Finding(f"{path}.limit", Severity.WARNING, "cap-never-binds", message))
                break
        spans.append((i, cap, span))
    return findings


def _best_findings(dimension: str, card: Scorecard) -> list[Finding]:
    """``max-below-100``: the dimension's score with every metric at its best, as the scorer computes it."""
    total = weights = 0
    for rule in card.rules:
        _, best = _extremes(rule, metric_range(rule.metric))
        total += rule.weight_ppm * int(best * 100)
        weights += rule.weight_ppm
    best_centi = div_half_even(total, weights)
    limits = [int(c.limit * 100) for c in card.caps if _always(c, metric_range(c.metric))]
    best_centi = min([best_centi, *limits])
    if best_centi >= 100 * 100:
        return []
    best = Decimal(best_centi) / 100
    message = (
        f"the best {dimension} score is {best:.2f} (every metric known and at its best): no SKU whose metrics are "
        "all known reaches 100"
    )
    return [Finding(dimension, Severity.WARNING, "max-below-100", message)]
