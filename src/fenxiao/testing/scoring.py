"""Hypothesis strategies for the five-dimension scorer's types. Requires the hypothesis package.

>>> from hypothesis import given
>>> @given(card=score_cards())
... def test_composite_in_range(card):
...     assert 0 <= card.composite <= 100
>>> test_composite_in_range()

Snapshots from :func:`scoring_snapshots` put many metrics exactly on the default
scorecards' breakpoints, where rounding and interpolation boundaries are.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without hypothesis
    from fenxiao.errors import MissingExtraError

    raise MissingExtraError("hypothesis", "testing", __name__) from exc

from fenxiao._internal.fixed import unscaled
from fenxiao.domain.ids import CategoryId, SkuId
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.money import Money, Rate
from fenxiao.scoring.context import MEDIAN_METRICS, CategoryBenchmark, ScoringContext, build_context
from fenxiao.scoring.dimensions import CompositeWeights, Contribution, Dimension, DimensionScore, SkuScores
from fenxiao.scoring.metrics import get_metric, metric_names
from fenxiao.scoring.scorecards import (
    MAX_BREAKPOINT_UNITS,
    MEDIAN,
    Cap,
    MetricRule,
    Scorecard,
    Scorecards,
    ScorerNames,
)

__all__ = [
    "caps",
    "category_benchmarks",
    "composite_weights",
    "contributions",
    "dimension_scores",
    "metric_rules",
    "points",
    "score_cards",
    "scorecard_sets",
    "scorecards",
    "scoring_contexts",
    "scoring_snapshots",
]

_T0 = datetime(2026, 11, 20, tzinfo=UTC)
_CATEGORIES = ("c-tea", "c-dress", "c-phone")
# Rates that sit on a default breakpoint, plus the ends.
_EDGE_PPM: tuple[int, ...] = (0, 5000, 10000, 30000, 50000, 60000, 80000, 100000, 150000, 300000, 500000)
_EDGE_PPM += (600000, 700000, 800000, 900000, 950000, 1000000)
_EDGE_COUNTS = (0, 1, 3, 5, 50, 100, 500, 1000, 10_000, 100_000)


def points() -> st.SearchStrategy[Decimal]:
    """Scores from 0.00 to 100.00 with exactly two places, ends included."""
    return st.integers(0, 10_000).map(lambda units: unscaled(units, 2))


def composite_weights() -> st.SearchStrategy[CompositeWeights]:
    """Valid composite weights: five non-negative millionths summing to one (zero weights included)."""

    def build(cuts: list[int]) -> CompositeWeights:
        edges = [0, *sorted(cuts), 1_000_000]
        parts = [b - a for a, b in pairwise(edges)]
        return CompositeWeights(*(unscaled(p, 6).normalize() + 0 for p in parts))

    return st.one_of(
        st.just(CompositeWeights()),
        st.lists(st.integers(0, 1_000_000), min_size=4, max_size=4).map(build),
    )


def contributions() -> st.SearchStrategy[Contribution]:
    """Arbitrary valid contributions."""
    return st.builds(
        Contribution,
        metric=st.sampled_from(metric_names()),
        raw=st.none() | st.integers(-(10**6), 10**6).map(lambda u: unscaled(u, 3)),
        points=points(),
        weight=st.integers(0, 10**6).map(lambda u: unscaled(u, 6)),
        reason=st.text(min_size=1, max_size=20).filter(str.strip),
    )


def dimension_scores(*, dimensions: st.SearchStrategy[Dimension] | None = None) -> st.SearchStrategy[DimensionScore]:
    """Valid dimension scores with a few contributions."""
    return st.builds(
        DimensionScore,
        dimension=dimensions if dimensions is not None else st.sampled_from(Dimension),
        value=points(),
        contributions=st.lists(contributions(), max_size=3).map(tuple),
        notes=st.lists(st.text(min_size=1, max_size=20), max_size=2).map(tuple),
    )


def score_cards(*, weights: st.SearchStrategy[CompositeWeights] | None = None) -> st.SearchStrategy[SkuScores]:
    """Valid score cards (the composite computed from the five values)."""
    return st.builds(
        SkuScores.of,
        sku_id=st.from_regex(r"sku-[0-9]{1,5}", fullmatch=True),
        scores=st.tuples(*(dimension_scores(dimensions=st.just(d)) for d in Dimension)),
        weights=weights if weights is not None else composite_weights(),
    )


@st.composite
def _breakpoints(draw: Any, places: int, size: int) -> list[tuple[Decimal, Decimal]]:
    scale = 10**places
    span = min(MAX_BREAKPOINT_UNITS, 10 * scale * 1000)
    xs = draw(st.lists(st.integers(-span, span), min_size=size, max_size=size, unique=True))
    ys = draw(st.lists(st.integers(0, 10_000), min_size=size, max_size=size))
    return [(unscaled(x, places), unscaled(y, 2)) for x, y in zip(sorted(xs), ys, strict=True)]


@st.composite
def metric_rules(draw: Any, *, metrics: st.SearchStrategy[str] | None = None, monotone: bool = False) -> MetricRule:
    """Valid metric rules for registered metrics, with an optional cap and any rule for a missing metric
    (points, left out, or the category median where the metric has one).

    With *monotone*, the curve never decreases.
    """
    name = draw(metrics if metrics is not None else st.sampled_from(metric_names()))
    places = get_metric(name).places
    pairs = draw(_breakpoints(places, draw(st.integers(2, 6))))
    if monotone:
        ys = sorted(y for _, y in pairs)
        pairs = [(x, y) for (x, _), y in zip(pairs, ys, strict=True)]
    return MetricRule(
        name,
        pairs,
        weight=draw(st.integers(1, 2_000_000).map(lambda u: unscaled(u, 6).normalize() + 0)),
        cap=draw(st.none() | points()),
        missing=draw(st.none() | points() | (st.just(MEDIAN) if name in MEDIAN_METRICS else st.nothing())),
        description=draw(st.none() | st.text(min_size=1, max_size=30).filter(str.strip)),
    )


@st.composite
def caps(draw: Any, *, metrics: st.SearchStrategy[str] | None = None) -> Cap:
    """Valid dimension caps."""
    name = draw(metrics if metrics is not None else st.sampled_from(metric_names()))
    places = get_metric(name).places
    bounds = sorted(draw(st.lists(st.integers(-(10**places) * 100, 10**places * 100), min_size=2, max_size=2)))
    which = draw(st.sampled_from(["low", "high", "both"]))
    return Cap(
        name,
        limit=draw(points()),
        at_least=unscaled(bounds[0], places) if which != "high" else None,
        at_most=unscaled(bounds[1], places) if which != "low" else None,
        reason=draw(st.none() | st.text(min_size=1, max_size=30).filter(str.strip)),
    )


@st.composite
def scorecards(draw: Any) -> Scorecard:
    """Valid single-dimension scorecards: distinct metrics, a few caps."""
    names = draw(st.lists(st.sampled_from(metric_names()), min_size=1, max_size=5, unique=True))
    rules = [draw(metric_rules(metrics=st.just(n))) for n in names]
    return Scorecard(rules, draw(st.lists(caps(), max_size=2)))


def scorecard_sets() -> st.SearchStrategy[Scorecards]:
    """Valid whole scoring models (:class:`~fenxiao.scoring.scorecards.Scorecards`)."""
    names = st.none() | st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}", fullmatch=True)
    return st.builds(
        Scorecards,
        brand=scorecards(),
        price=scorecards(),
        distribution=scorecards(),
        service=scorecards(),
        sales=scorecards(),
        weights=composite_weights(),
        scorers=st.builds(ScorerNames, brand=names, price=names, distribution=names, service=names, sales=names),
    )


def _rates() -> st.SearchStrategy[Rate]:
    return st.one_of(st.sampled_from(_EDGE_PPM), st.integers(0, 1_000_000)).map(Rate.from_ppm)


def _counts() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(_EDGE_COUNTS), st.integers(0, 2_000_000))


def _money(high: int = 10**10) -> st.SearchStrategy[Money]:
    return st.one_of(st.sampled_from([0, 100, 10_000_000, 100_000_000]), st.integers(0, high)).map(Money)


@st.composite
def scoring_snapshots(
    draw: Any,
    *,
    sku_ids: st.SearchStrategy[str] | None = None,
    category_ids: st.SearchStrategy[str] | None = None,
) -> SkuSnapshot:
    """Valid snapshots whose metrics often sit exactly on the default scorecards' breakpoints.

    Each metric that may be unobserved is ``None`` about half of the time (unobserved is not zero).
    """
    experience = draw(st.none() | st.one_of(st.sampled_from([350, 400, 450, 480, 500]), st.integers(0, 500)))
    days = draw(st.integers(0, 400))
    optional_score = st.none() | st.integers(0, 500).map(lambda u: unscaled(u, 2))
    return SkuSnapshot(
        sku_id=SkuId(draw(sku_ids if sku_ids is not None else st.from_regex(r"sku-[0-9]{1,5}", fullmatch=True))),
        category_id=CategoryId(draw(category_ids if category_ids is not None else st.sampled_from(_CATEGORIES))),
        observed_at=_T0,
        joined_at=_T0 - timedelta(days=days),
        price=draw(_money(10**7).filter(bool)),
        reference_price=draw(st.none() | _money(10**7)),
        lowest_price_30d=draw(st.none() | _money(10**7)),
        units_30d=draw(_counts()),
        gmv_30d=draw(_money()),
        units_prev_30d=draw(_counts()),
        gmv_prev_30d=draw(_money()),
        repurchase_rate=draw(st.none() | _rates()),
        commission_rate=draw(_rates()),
        promoting_influencers=draw(_counts()),
        influencer_gmv_share=draw(st.none() | _rates()),
        team_leaders=draw(st.integers(0, 6)),
        experience_score=None if experience is None else unscaled(experience, 2),
        goods_score=draw(optional_score),
        logistics_score=draw(optional_score),
        service_score=draw(optional_score),
        good_review_rate=draw(st.none() | _rates()),
        bad_review_rate=draw(st.none() | _rates()),
        quality_return_rate=draw(st.none() | _rates()),
        refund_rate=draw(st.none() | _rates()),
        complaint_rate=draw(st.none() | _rates()),
        shipped_48h_rate=draw(st.none() | _rates()),
        brand_registered=draw(st.booleans()),
        brand_authorised=draw(st.booleans()),
        flagship_shop=draw(st.booleans()),
        on_brand_list=draw(st.booleans()),
        brand_gmv_30d=draw(_money(10**11)),
        serious_violations_365d=draw(st.sampled_from([0, 0, 0, 1, 2])),
    )


@st.composite
def category_benchmarks(draw: Any, *, category_ids: st.SearchStrategy[str] | None = None) -> CategoryBenchmark:
    """Valid category benchmarks, written directly (not built from snapshots), with some category medians."""
    values = sorted(draw(st.lists(st.integers(0, 10**9), min_size=1, max_size=12)))
    skus = draw(st.integers(len(values), len(values) + 50))
    medians = {}
    for name in draw(st.lists(st.sampled_from(MEDIAN_METRICS), unique=True, max_size=len(MEDIAN_METRICS))):
        high = 10**6 if get_metric(name).unit == "rate" else 5 * 10**6
        # Twice the median in millionths: on default breakpoints (0.01, 0.03, 0.05, 0.15, 0.3), half-way, or anywhere.
        edges = [0, 1, 20_000, 60_000, 100_000, 300_000, 600_000, 2 * high]
        half = draw(st.sampled_from(edges) | st.integers(0, 2 * high))
        medians[name] = unscaled(min(half, 2 * high) * 5, 7).normalize() + 0
    return CategoryBenchmark(
        category_id=CategoryId(draw(category_ids if category_ids is not None else st.sampled_from(["c-tea", "c-x"]))),
        skus=skus,
        price_median=unscaled(draw(st.integers(0, 10**8)) * 5, 3).normalize() + 0,
        commission_median=unscaled(draw(st.integers(0, 2 * 10**6)) * 5, 7).normalize() + 0,
        gmv_values=tuple(values),
        medians=medians,
        # The median units of the selling goods: none sells, whole, or half-way (on and around the 50% bar).
        units_median=draw(st.none() | st.integers(2, 10_000).map(lambda twice: Decimal(twice) / 2)),
    )


def scoring_contexts(
    *, snapshots: st.SearchStrategy[SkuSnapshot] | None = None, max_size: int = 6
) -> st.SearchStrategy[ScoringContext]:
    """Valid contexts, possibly empty.

    By default the benchmarks are drawn directly (any medians and GMV values); with
    *snapshots*, contexts are built from lists of them with :func:`~fenxiao.scoring.context.build_context`.
    """
    if snapshots is not None:
        return st.lists(snapshots, max_size=max_size).map(build_context)
    ids = _CATEGORIES
    return (
        st.lists(st.sampled_from(ids), unique=True, max_size=min(max_size, len(ids)))
        .flatmap(lambda chosen: st.tuples(*(category_benchmarks(category_ids=st.just(c)) for c in sorted(chosen))))
        .map(ScoringContext)
    )
