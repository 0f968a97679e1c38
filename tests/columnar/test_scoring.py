"""Columnar scoring and context: equal to the object path on every score, the benchmarks built by group-by."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.columnar import (
    SCORE_COLUMNS,
    SkuColumns,
    build_context_columns,
    score_card_columns,
    score_columns,
    snapshot_columns,
    summarize_context,
)
from fenxiao.columnar.scoring import CompiledScorer
from fenxiao.domain.ids import CategoryId
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError, PluginError
from fenxiao.money import Money, Rate
from fenxiao.sample import load_sample
from fenxiao.scoring.context import MEDIAN_METRICS, CategoryBenchmark, ScoringContext, build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import Dimension, DimensionScore
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.metrics import register_metric, unregister_metric
from fenxiao.scoring.scorecards import MetricRule, Scorecards, ScorerNames, default_scorecards
from fenxiao.testing.scoring import composite_weights, scorecard_sets, scoring_contexts, scoring_snapshots

from ..builders import snapshot


def _scorers() -> st.SearchStrategy[FiveDimensionScorer]:
    """The default scorer, or one from random scorecards (random breakpoints, caps, missing points, weights)."""
    drawn = st.builds(
        lambda cards, weights: attrs.evolve(cards, scorers=ScorerNames(), weights=weights),
        scorecard_sets(),
        composite_weights(),
    )
    return st.just(default_scorer()) | drawn.map(FiveDimensionScorer.from_scorecards)


def _scores(result: dict[str, Any]) -> dict[str, list[int]]:
    return {name: result[name].tolist() for name in SCORE_COLUMNS}


def _expected(cards: Sequence[Any]) -> dict[str, list[int]]:
    return {name: values.tolist() for name, values in score_card_columns(cards).items()}


@given(
    snapshots=st.lists(scoring_snapshots(), min_size=1, max_size=8),
    scorer=_scorers(),
    context=st.none() | scoring_contexts(),
)
def test_columnar_scores_equal_the_object_path_on_every_dimension(
    snapshots: list[SkuSnapshot], scorer: FiveDimensionScorer, context: ScoringContext | None
) -> None:
    """Five scores and the composite, to the hundredth, with or without a given context."""
    cards = scorer.score_many(snapshots, context)
    scores = score_columns(snapshot_columns(snapshots), scorer, context)
    assert _scores(scores) == _expected(cards)


@given(snapshots=st.lists(scoring_snapshots(), min_size=1, max_size=30), limit=st.sampled_from([1, 2, 3, 1000]))
def test_the_context_built_by_group_by_equals_build_context(snapshots: list[SkuSnapshot], limit: int) -> None:
    """Medians, GMV samples, sizes and as_of agree with the object path, sampled or not."""
    assert build_context_columns(snapshot_columns(snapshots), max_gmv_values=limit) == build_context(
        snapshots, max_gmv_values=limit
    )


@given(snapshots=st.lists(scoring_snapshots(), min_size=1, max_size=20), cuts=st.lists(st.integers(0, 20), max_size=3))
def test_merged_partition_summaries_give_the_whole_batchs_context(
    snapshots: list[SkuSnapshot], cuts: list[int]
) -> None:
    """Summaries of any split of the rows merge into the context of all of them."""
    columns = snapshot_columns(snapshots)
    edges = [0, *sorted(min(c, len(snapshots)) for c in cuts), len(snapshots)]
    parts = [summarize_context({k: v[a:b] for k, v in columns.items()}) for a, b in itertools.pairwise(edges)]
    merged = parts[0]
    for part in parts[1:]:
        merged = part.merge(merged)
    assert merged.finish(max_gmv_values=3) == build_context(snapshots, max_gmv_values=3)


def test_the_sample_catalog_scores_alike_in_chunks() -> None:
    """Chunking changes nothing: the sample catalog scored 7 rows at a time equals the object path."""
    snapshots = load_sample().latest_snapshots()
    scores = score_columns(snapshot_columns(snapshots), chunk_size=7)
    assert _scores(scores) == _expected(default_scorer().score_many(snapshots))


@attrs.frozen
class _Loop:
    """A plug-in with only score(): the columnar path loops it through the object path."""

    name: str = "test.loop"
    dimension: Dimension = Dimension.BRAND

    def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
        return DimensionScore(Dimension.BRAND, min(100, snapshot.units_30d % 101))


@attrs.frozen
class _Columns(_Loop):
    """The same plug-in with a columnar method."""

    name: str = "test.columns"

    def score_columns(self, columns: SkuColumns, context: ScoringContext) -> np.ndarray[Any, Any]:
        units, _ = columns.metric("units_30d")
        return np.minimum(100, units % 101) * 100


@attrs.frozen
class _Broken(_Loop):
    """A plug-in that returns a score above 100 for one SKU."""

    name: str = "test.broken"

    def score_columns(self, columns: SkuColumns, context: ScoringContext) -> np.ndarray[Any, Any]:
        return np.full(len(columns), 10_001)


@pytest.mark.parametrize("plugin", [_Loop(), _Columns()])
def test_a_plug_in_scorer_works_with_or_without_a_columnar_method(plugin: _Loop) -> None:
    """Looped or columnar, the plug-in's dimension and the composite equal the object path's."""
    snapshots = load_sample().latest_snapshots()[:40]
    scorer = default_scorer().replace(plugin)
    scores = score_columns(snapshot_columns(snapshots), scorer)
    assert _scores(scores) == _expected(scorer.score_many(snapshots))


def test_a_plug_in_breaking_its_contract_is_named() -> None:
    """A columnar plug-in returning a score past 100 is a PluginError naming it and the SKU."""
    columns = snapshot_columns(load_sample().latest_snapshots()[:3])
    with pytest.raises(PluginError, match=r"plug-in 'test.broken' on 'sku-00000': returned 10001 hundredths"):
        score_columns(columns, default_scorer().replace(_Broken()))


def test_a_registered_metric_is_measured_through_the_object_path() -> None:
    """A metric only the object path knows still scores exactly, one row at a time."""

    def hours(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
        return None if snapshot.team_leaders == 0 else Decimal(snapshot.promoting_influencers) / 3

    register_metric("columnar_test_hours", hours, places=2, unit="hours", description="test metric")
    try:
        cards = default_scorecards().with_rule(
            Dimension.SALES, MetricRule("columnar_test_hours", [(0, 0), ("100.5", 100)], Decimal("0.3"))
        )
        scorer = FiveDimensionScorer.from_scorecards(cards)
        snapshots = load_sample().latest_snapshots()[:30]
        scores = score_columns(snapshot_columns(snapshots), scorer)
        assert _scores(scores) == _expected(scorer.score_many(snapshots))
    finally:
        unregister_metric("columnar_test_hours")


def test_a_missing_metric_column_is_named() -> None:
    """The default scorecards need the number of promoting influencers (a count: never unobserved)."""
    columns = snapshot_columns(load_sample().latest_snapshots()[:3])
    del columns["promoting_influencers"]
    with pytest.raises(InvalidValueError, match=r"columns\.promoting_influencers: is needed"):
        score_columns(columns)


def test_a_missing_column_of_an_optional_metric_is_unobserved_everywhere() -> None:
    """Without an ``experience_score`` or ``refund_rate`` column, every row scores as a snapshot without them."""
    snapshots = load_sample().latest_snapshots()[:6]
    columns = snapshot_columns(snapshots)
    del columns["experience_score"], columns["refund_rate"]
    unobserved = [attrs.evolve(s, experience_score=None, refund_rate=None) for s in snapshots]
    context = build_context(snapshots)
    expected = _expected(default_scorer().score_many(unobserved, context))
    assert _scores(score_columns(columns, context=context)) == expected


def test_scorecards_with_weights_on_one_dimension_only_score_alike() -> None:
    """A composite from one dimension equals that dimension."""
    cards = Scorecards(weights=attrs.evolve(default_scorecards().weights).of({"service": "1"}))
    columns = snapshot_columns(load_sample().latest_snapshots())
    scores = score_columns(columns, FiveDimensionScorer.from_scorecards(cards))
    assert scores["composite"].tolist() == scores["score.service"].tolist()


def _tie_scorer(metric: str, floor_units: int) -> FiveDimensionScorer:
    """A scorer whose brand dimension jumps from 0 to 100 points between two grid units of *metric*."""
    x0 = Decimal(floor_units).scaleb(-6)
    rule = MetricRule(metric, [(x0, 0), (x0 + Decimal("0.000001"), 100)])
    cards = default_scorecards()
    return FiveDimensionScorer.from_scorecards(cards.replace(Dimension.BRAND, attrs.evolve(cards.brand, rules=(rule,))))


@pytest.mark.parametrize(
    ("metric", "floor_units", "changes"),
    [
        ("price_vs_lowest_30d", 0, {"price": 1, "lowest_price_30d": 2_000_000}),  # 0.0000005: to even, 0
        ("price_vs_lowest_30d", 1, {"price": 3, "lowest_price_30d": 2_000_000}),  # 0.0000015: to even, 2
        ("price_vs_reference", 0, {"price": 1, "reference_price": 2_000_000}),
        ("sales_growth", 0, {"units_30d": 2_000_001, "units_prev_30d": 2_000_000}),
        ("sales_growth", 1, {"units_30d": 2_000_003, "units_prev_30d": 2_000_000}),
        ("price_vs_category_median", 0, {"price": 1}),  # 2 × 1 / 4,000,000 half-fen
        ("commission_vs_category_median", 2, {"commission_rate": 2}),  # 2 × 2 / 1,600,000 half-ppm: 2.5 units
        ("gmv_percentile_in_category", 7812, {"gmv_30d": 0}),  # 1 / 128 = 0.0078125
    ],
)
def test_a_ratio_exactly_half_way_between_grid_units_rounds_to_even(
    metric: str, floor_units: int, changes: dict[str, int]
) -> None:
    """Each derived ratio that ends in half a unit of its grid rounds to the even unit, as on the object path."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("price", "lowest_price_30d", "reference_price", "gmv_30d"):
            values[name] = Money(value)
        elif name == "commission_rate":
            values[name] = Rate.from_ppm(value)
        else:
            values[name] = value
    one = snapshot(**{"price": Money(100), **values})
    bench = CategoryBenchmark(CategoryId("c-tea"), 64, Decimal("20000"), Decimal("0.8"), tuple(range(1, 65)))
    context = ScoringContext((bench,))
    scorer = _tie_scorer(metric, floor_units)
    card = scorer.score_many([one], context)[0]
    scores = score_columns(snapshot_columns([one]), scorer, context)
    assert scores["score.brand"].tolist() == [card.brand.centi]
    assert card.brand.centi in (0, 10_000)


# -- unobserved values in columns ---------------------------------------------------------------------------------


def _unobserved_sample() -> tuple[list[SkuSnapshot], dict[str, Any]]:
    """Eight sample SKUs, four of them without refund, complaint or experience data, as snapshots and columns."""
    gone: dict[str, Any] = {"refund_rate": None, "complaint_rate": None, "experience_score": None}
    snapshots = [attrs.evolve(s, **gone) if i % 2 else s for i, s in enumerate(load_sample().latest_snapshots()[:8])]
    return snapshots, snapshot_columns(snapshots)


def test_a_null_nan_or_masked_value_is_unobserved_exactly_as_none_on_a_snapshot() -> None:
    """A masked array, a list holding None, a pandas float column with NaN and a nullable Int64 column with <NA> all
    mean unobserved, and score as the object path does with None (default scorer, context built from the rows)."""
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    snapshots, columns = _unobserved_sample()
    expected = _expected(default_scorer().score_many(snapshots))
    assert _scores(score_columns(columns)) == expected
    as_lists = {**columns, "refund_rate": columns["refund_rate"].tolist()}  # masked entries become None
    assert None in as_lists["refund_rate"]
    assert _scores(score_columns(as_lists)) == expected
    frame = pd.DataFrame({k: (v.tolist() if isinstance(v, np.ma.MaskedArray) else v) for k, v in columns.items()})
    frame["refund_rate"] = frame["refund_rate"].astype("float64")  # None -> NaN
    frame["complaint_rate"] = frame["complaint_rate"].astype("Int64")  # None -> <NA>
    assert frame["refund_rate"].isna().sum() == 4
    out = score_columns(frame)
    assert {name: out[name].tolist() for name in SCORE_COLUMNS} == expected


def test_category_medians_of_the_whole_batch_serve_every_chunk() -> None:
    """Unobserved rows take their category's median over all rows, however the rows are chunked."""
    snapshots, columns = _unobserved_sample()
    context = build_context(snapshots)
    assert any(b.medians.get("refund_rate") is not None for b in context.categories)
    expected = _expected(default_scorer().score_many(snapshots, context))
    assert _scores(score_columns(columns, chunk_size=3)) == expected
    assert _scores(score_columns(columns, context=context, chunk_size=1)) == expected


def test_the_median_mode_leaves_a_row_out_where_its_category_has_no_median() -> None:
    """A context without medians (written before they existed): the median rules drop out on both paths."""
    snapshots, columns = _unobserved_sample()
    built = build_context(snapshots)
    bare = ScoringContext(tuple(attrs.evolve(b, medians={}) for b in built.categories), built.currency, built.as_of)
    cards = default_scorer().score_many(snapshots, bare)
    unobserved = cards[1].service.contributions
    assert {c.metric: c.reason for c in unobserved if c.metric == "refund_rate"} == {
        "refund_rate": "unavailable, and no category median: left out"
    }
    assert _scores(score_columns(columns, context=bare)) == _expected(cards)


def test_scoring_builds_only_the_medians_its_rules_read() -> None:
    """A context built for scoring holds the medians of the median-mode rules (each costs a sort); a plug-in, which
    sees the whole context, gets them all."""
    wanted = ("bad_review_rate", "quality_return_rate", "refund_rate")
    assert CompiledScorer(default_scorer()).median_metrics() == wanted
    assert CompiledScorer(default_scorer().replace(_Loop())).median_metrics() == MEDIAN_METRICS
