"""The five-dimension scorer: results, composite, plug-in safety, batches and the default model's properties."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError, PluginError, PolicyError, ValidationError
from fenxiao.money import Money, Rate
from fenxiao.scoring.context import ScoringContext, build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import (
    CompositeWeights,
    Contribution,
    Dimension,
    DimensionScore,
    SkuScores,
    round_points,
)
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.plugins import BatchDimensionScorer, DimensionScorer
from fenxiao.scoring.registry import ScorerRegistry
from fenxiao.scoring.scorecards import MetricRule, Scorecards, ScorecardScorer, ScorerNames, default_scorecards
from fenxiao.serialization import dumps, from_dict, loads, to_dict
from fenxiao.testing.scoring import composite_weights, score_cards, scoring_contexts, scoring_snapshots

from .. import builders

D = Decimal
EMPTY = ScoringContext.empty()


#: A SKU selling 100 a month, steady, at a 20% commission.
snapshot = partial(builders.snapshot, units_30d=100, units_prev_30d=100, commission_rate=Rate.of("20%"))


@attrs.frozen
class Fixed:
    """A five-line fake scorer: always the same value."""

    dimension: Dimension
    value: Any = 50
    name: str = "fixed"

    def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> Any:
        return DimensionScore(self.dimension, self.value)


def five(**overrides: Any) -> FiveDimensionScorer:
    scorers = [overrides.get(d.value, Fixed(d)) for d in Dimension]
    return FiveDimensionScorer(scorers)


# -- Dimension and the result types ----------------------------------------------------------------------------


def test_dimensions_carry_chinese_and_english_labels_in_platform_order() -> None:
    """品牌力 价格力 分销力 服务力 销售力, in that order."""
    assert [d.zh for d in Dimension] == ["品牌力", "价格力", "分销力", "服务力", "销售力"]
    assert [d.en for d in Dimension] == [
        "brand power",
        "price power",
        "distribution power",
        "service power",
        "sales power",
    ]
    assert str(Dimension.PRICE) == "价格力 price"


def test_round_points_rounds_half_to_even_at_the_hundredth() -> None:
    """The one rounding rule, available to plug-ins."""
    assert round_points(Fraction(1, 200)) == D("0.00")
    assert round_points(Fraction(3, 200)) == D("0.02")
    assert round_points(D("99.999")) == D("100.00")
    assert round_points(7) == D("7.00")
    with pytest.raises(InvalidValueError, match="must be an exact"):
        round_points(0.5)  # type: ignore[arg-type]  # the float is the point


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (D("100.01"), "must be between 0 and 100"),
        (-1, "must be between 0 and 100"),
        (D("50.001"), "must have at most two decimal places"),
        (50.5, "must be a Decimal"),
        (Fraction(1, 3), "must be a Decimal"),
    ],
)
def test_a_dimension_score_outside_the_numeric_rule_is_refused(value: object, match: str) -> None:
    """Values are exact, on 0-100, with at most two places."""
    with pytest.raises(InvalidValueError, match=rf"DimensionScore\.value: {match}"):
        DimensionScore(Dimension.SALES, value)


def test_a_dimension_score_is_stored_with_exactly_two_places() -> None:
    """72.5 and 72 become 72.50 and 72.00, so equal scores print alike."""
    assert str(DimensionScore(Dimension.SALES, D("72.5")).value) == "72.50"
    assert str(DimensionScore(Dimension.SALES, 72).value) == "72.00"
    assert DimensionScore(Dimension.SALES, D("100")).centi == 10_000


def test_composite_weights_must_be_non_negative_and_sum_to_one() -> None:
    """Weights are validated as data."""
    with pytest.raises(InvalidValueError, match=r"CompositeWeights\.brand: must not be negative"):
        CompositeWeights(brand=D("-0.2"), price=D("0.6"))
    with pytest.raises(InvalidValueError, match="weights must sum to 1"):
        CompositeWeights(brand=D("0.1"))
    with pytest.raises(InvalidValueError, match="at most 6 decimal places"):
        CompositeWeights.of({"brand": "0.0000001", "sales": "0.9999999"})
    assert CompositeWeights.of({Dimension.SERVICE: 1}).ppm == (0, 0, 0, 1_000_000, 0)


def test_a_score_card_computes_its_composite_and_refuses_a_wrong_one() -> None:
    """The composite is derived, so card and explanation cannot disagree."""
    parts = [DimensionScore(d, v) for d, v in zip(Dimension, (10, 20, 30, 40, 55), strict=True)]
    card = SkuScores.of("sku-1", parts, CompositeWeights.of({"brand": "0.5", "sales": "0.5"}))
    assert card.composite == D("32.50")
    with pytest.raises(InvalidValueError, match=r"SkuScores\.composite: disagrees with the weighted dimensions"):
        attrs.evolve(card, composite=D("32.51"))
    with pytest.raises(InvalidValueError, match=r"SkuScores\.price\.dimension: must be 'price'"):
        attrs.evolve(card, price=parts[0])


def test_a_score_card_needs_each_dimension_once() -> None:
    """SkuScores.of names a missing or repeated dimension."""
    parts = [DimensionScore(d, 1) for d in Dimension]
    with pytest.raises(InvalidValueError, match="lacks these dimensions"):
        SkuScores.of("sku-1", parts[:4])
    with pytest.raises(InvalidValueError, match="repeats a dimension"):
        SkuScores.of("sku-1", [*parts, parts[0]])


def test_the_composite_rounds_half_to_even() -> None:
    """0.5 x 0.01 + 0.5 x 0.00 = 0.005, which rounds to 0.00; 0.5 x 0.03 gives 0.02."""
    weights = CompositeWeights.of({"brand": "0.5", "price": "0.5"})
    zero = [DimensionScore(d, 0) for d in Dimension]
    assert SkuScores.of("s", [DimensionScore(Dimension.BRAND, D("0.01")), *zero[1:]], weights).composite == D("0.00")
    assert SkuScores.of("s", [DimensionScore(Dimension.BRAND, D("0.03")), *zero[1:]], weights).composite == D("0.02")


def test_the_explanation_shows_the_composite_sum_and_every_contribution() -> None:
    """One line for the sum, one per dimension, one per contribution and note."""
    snap = snapshot(
        serious_violations_365d=1, experience_score=D(5), shipped_48h_rate=Rate.one(), refund_rate=Rate.zero()
    )
    card = default_scorer().score(snap, EMPTY)
    text = card.explanation
    lines = text.splitlines()
    assert lines[0].startswith(f"sku-1: composite {card.composite} = 0.2×{card.brand.value} brand")
    assert f"  服务力 service {card.service.value}" in lines
    assert "    refund_rate = 0: 100.00 points, weight 0.15 (below 0.05)" in lines
    assert any(line.startswith("    note: capped at 60.00") for line in lines)
    contributions = sum(len(s.contributions) + len(s.notes) for s in card.scores)
    assert len(lines) == 1 + 5 + contributions


@given(card=score_cards())
def test_score_cards_round_trip_through_the_converter_and_json(card: SkuScores) -> None:
    """Cards serialize with exact decimal strings and read back equal."""
    assert from_dict(to_dict(card), SkuScores) == card
    assert loads(dumps(card), SkuScores) == card


def test_a_tampered_card_file_is_refused() -> None:
    """Reading a card re-checks its composite."""
    data = to_dict(default_scorer().score(snapshot(), EMPTY))
    data["composite"] = "99.99"
    with pytest.raises(ValidationError, match="composite: disagrees"):
        from_dict(data, SkuScores)


# -- FiveDimensionScorer: construction and plug-in safety ---------------------------------------------------------


def test_fakes_satisfy_the_protocols() -> None:
    """Any object of the right shape is a DimensionScorer; scorecard scorers also batch."""
    assert isinstance(Fixed(Dimension.BRAND), DimensionScorer)
    assert not isinstance(Fixed(Dimension.BRAND), BatchDimensionScorer)
    assert isinstance(default_scorer().scorer(Dimension.SALES), BatchDimensionScorer)


def test_scorers_are_kept_in_dimension_order_whatever_order_they_come_in() -> None:
    """Order of the constructor argument does not matter."""
    scorer = FiveDimensionScorer([Fixed(d, name=d.value) for d in reversed(Dimension)])
    assert [s.name for s in scorer.scorers] == [d.value for d in Dimension]


def test_a_missing_or_doubled_dimension_is_a_policy_error() -> None:
    """Each dimension has exactly one scorer."""
    with pytest.raises(PolicyError, match="has no scorer for these dimensions, got \\['sales'\\]"):
        FiveDimensionScorer([Fixed(d) for d in Dimension if d is not Dimension.SALES])
    with pytest.raises(PolicyError, match="is a second scorer for brand"):
        FiveDimensionScorer([*(Fixed(d) for d in Dimension), Fixed(Dimension.BRAND, name="again")])


def test_an_object_without_a_dimension_or_score_method_is_a_plugin_error() -> None:
    """Shape problems are caught when the scorer is assembled, naming the plug-in."""

    class NoDimension:
        name = "nodim"

        def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
            raise NotImplementedError

    with pytest.raises(PluginError, match=r"plug-in 'nodim': .*has no Dimension"):
        default_scorer().replace(NoDimension())  # type: ignore[arg-type]  # wrong shape on purpose

    class NoScore:
        name, dimension = "noscore", Dimension.BRAND

    with pytest.raises(PluginError, match=r"plug-in 'noscore': .*has no score"):
        five(brand=NoScore())


class Raising:
    name, dimension = "boom", Dimension.SERVICE

    def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
        raise ZeroDivisionError("division by zero")


@pytest.mark.parametrize(
    ("plugin", "match"),
    [
        (Raising(), r"plug-in 'boom' on 'sku-7': raised ZeroDivisionError: division by zero"),
        (Fixed(Dimension.SERVICE, value=None), r"plug-in 'fixed' on 'sku-7': raised InvalidValueError"),
        (
            Fixed(Dimension.SERVICE, value=101),
            r"plug-in 'fixed' on 'sku-7': raised InvalidValueError.*between 0 and 100",
        ),
    ],
)
def test_a_plugin_that_raises_gives_a_plugin_error_naming_it_and_the_sku(plugin: Any, match: str) -> None:
    """The error names the plug-in and the SKU instead of crashing deep inside."""
    with pytest.raises(PluginError, match=match) as info:
        five(service=plugin).score(snapshot("sku-7"), EMPTY)
    assert info.value.subject == "sku-7"


def test_a_plugin_returning_the_wrong_type_gives_a_plugin_error() -> None:
    """A bare number is not a DimensionScore."""

    class Bare:
        name, dimension = "bare", Dimension.SERVICE

        def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> Any:
            return D(50)

    with pytest.raises(PluginError, match=r"plug-in 'bare' on 'sku-1': returned Decimal Decimal\('50'\), not a"):
        five(service=Bare()).score(snapshot(), EMPTY)


def test_a_plugin_returning_another_dimension_gives_a_plugin_error() -> None:
    """A service scorer must return a service score."""

    class Liar:
        name, dimension = "liar", Dimension.SERVICE

        def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
            return DimensionScore(Dimension.PRICE, 50)

    with pytest.raises(PluginError, match="returned a price score, but it scores service"):
        five(service=Liar()).score(snapshot(), EMPTY)


def test_a_forged_out_of_range_value_gives_a_plugin_error() -> None:
    """Even a score forged past its validator is caught."""

    class Forger:
        name, dimension = "forger", Dimension.SALES

        def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
            result = DimensionScore(Dimension.SALES, 1)
            object.__setattr__(result, "value", D("150.00"))
            return result

    with pytest.raises(PluginError, match=r"returned the value Decimal\('150.00'\), outside 0.00-100.00"):
        five(sales=Forger()).score(snapshot(), EMPTY)


def test_a_failing_batch_method_is_rerun_one_sku_at_a_time_to_name_the_sku() -> None:
    """score_many reports which SKU broke a batch-capable plug-in."""

    class Picky:
        name, dimension = "picky", Dimension.SALES

        def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
            if snapshot.sku_id == "sku-2":
                raise ValueError("no")
            return DimensionScore(Dimension.SALES, 1)

        def score_batch(self, snapshots: Sequence[SkuSnapshot], context: ScoringContext) -> list[DimensionScore]:
            return [self.score(s, context) for s in snapshots]

    with pytest.raises(PluginError, match=r"plug-in 'picky' on 'sku-2': raised ValueError: no"):
        five(sales=Picky()).score_many([snapshot("sku-1"), snapshot("sku-2")], EMPTY)


def test_a_batch_method_returning_the_wrong_count_gives_a_plugin_error() -> None:
    """One score per snapshot, or the batch is refused."""

    class Short:
        name, dimension = "short", Dimension.SALES

        def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
            return DimensionScore(Dimension.SALES, 1)

        def score_batch(self, snapshots: Sequence[SkuSnapshot], context: ScoringContext) -> list[DimensionScore]:
            return []

    with pytest.raises(PluginError, match="score_batch returned 0 scores for 2 snapshots"):
        five(sales=Short()).score_many([snapshot("sku-1"), snapshot("sku-2")], EMPTY)


def test_a_batch_method_that_fails_while_score_succeeds_is_still_an_error() -> None:
    """An inconsistent plug-in is reported rather than silently looped."""

    class Flaky:
        name, dimension = "flaky", Dimension.SALES

        def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
            return DimensionScore(Dimension.SALES, 1)

        def score_batch(self, snapshots: Sequence[SkuSnapshot], context: ScoringContext) -> list[DimensionScore]:
            raise RuntimeError("batch only")

    with pytest.raises(PluginError, match="score_batch raised, but score succeeded on every SKU"):
        five(sales=Flaky()).score_many([snapshot()], EMPTY)


def test_replacing_a_dimension_changes_only_that_score() -> None:
    """replace() swaps one scorer; the other four and the weights stay."""
    snaps = [snapshot("sku-1"), snapshot("sku-2", units_30d=5000)]
    before = default_scorer().score_many(snaps)
    after = default_scorer().replace(Fixed(Dimension.SALES, value=D("12.34"))).score_many(snaps)
    for old, new in zip(before, after, strict=True):
        assert new.sales.value == D("12.34")
        assert [s.value for s in new.scores[:4]] == [s.value for s in old.scores[:4]]


def test_adding_a_signal_inside_a_dimension_changes_that_dimension() -> None:
    """with_signal scores a sixth service metric; the other dimensions stay."""
    rule = MetricRule("good_review_rate", [("0.8", 0), (1, 100)], weight=D("0.5"))
    scorer = default_scorer().with_signal(Dimension.SERVICE, rule)
    snap = snapshot(good_review_rate=Rate.of("0.9"))
    card = scorer.score(snap, EMPTY)
    assert card.service.contributions[-1].metric == "good_review_rate"
    assert card.service.contributions[-1].points == D("50.00")
    assert card.service.value != default_scorer().score(snap, EMPTY).service.value
    assert card.sales == default_scorer().score(snap, EMPTY).sales
    with pytest.raises(PolicyError, match="is scored by 'fixed', which is not a scorecard"):
        five().with_signal(Dimension.SERVICE, rule)


def test_with_weights_changes_only_the_composite() -> None:
    """All weight on service: the composite is the service value."""
    scorer = default_scorer().with_weights(CompositeWeights.of({"service": 1}))
    card = scorer.score(snapshot(), EMPTY)
    assert card.composite == card.service.value


def test_a_scorecards_file_can_name_a_registered_plugin_for_a_dimension() -> None:
    """[scorers] service = NAME uses the registry's scorer for service."""
    registry = ScorerRegistry(entry_point_group=None)
    registry.register("fixed.service", Fixed(Dimension.SERVICE, value=33, name="fixed.service"))
    cards = loads('[scorers]\nservice = "fixed.service"\n', Scorecards, format="toml")
    card = FiveDimensionScorer.from_scorecards(cards, registry=registry).score(snapshot(), EMPTY)
    assert card.service.value == D("33.00")
    wrong = Scorecards(scorers=ScorerNames(price="fixed.service"))
    with pytest.raises(PluginError, match="scores service, but is named for price"):
        FiveDimensionScorer.from_scorecards(wrong, registry=registry)
    with pytest.raises(PolicyError, match="is not a registered scorer"):
        FiveDimensionScorer.from_scorecards(Scorecards(scorers=ScorerNames(price="nope")), registry=registry)


def test_the_default_scorer_is_built_from_the_default_scorecards() -> None:
    """default_scorer() evaluates default_scorecards() with equal weights."""
    scorer = default_scorer()
    assert scorer.weights == CompositeWeights()
    assert all(isinstance(s, ScorecardScorer) for s in scorer.scorers)
    price = scorer.scorer(Dimension.PRICE)
    assert isinstance(price, ScorecardScorer)
    assert price.scorecard == default_scorecards().price


# -- boundaries of the default model --------------------------------------------------------------------------------


def test_a_sku_alone_in_its_category_is_at_the_median_and_the_fiftieth_percentile() -> None:
    """One SKU: price ratio 1 (60 points), commission ratio 1 (60), GMV percentile 0.5 (50)."""
    snap = snapshot(gmv_30d=Money.of("1000.00"), lowest_price_30d=None)
    card = default_scorer().score(snap, build_context([snap]))
    raw = {c.metric: (c.raw, c.points) for s in card.scores for c in s.contributions}
    assert raw["price_vs_category_median"] == (D("1.000000"), D("60.00"))
    assert raw["commission_vs_category_median"] == (D("1.000000"), D("60.00"))
    assert raw["gmv_percentile_in_category"] == (D("0.500000"), D("50.00"))
    assert card.price.value == D("60.00")  # the 30-day-low rule is left out


def test_against_an_empty_context_category_metrics_are_left_out() -> None:
    """No benchmarks: price, distribution and sales score on their other metrics only."""
    card = default_scorer().score(snapshot(lowest_price_30d=Money.of("10.00")), EMPTY)
    assert card.price.value == D("100.00")  # only price_vs_lowest_30d, at 1.0
    left_out = [c.metric for s in card.scores for c in s.contributions if c.weight == 0]
    category = ["price_vs_category_median", "commission_vs_category_median", "gmv_percentile_in_category"]
    assert [m for m in left_out if m in category] == category


def test_a_new_sku_without_previous_sales_scores_sales_without_growth() -> None:
    """Growth from zero is undefined, so its weight goes to the other sales rules."""
    card = default_scorer().score(snapshot(units_prev_30d=0, units_30d=100, repurchase_rate=Rate.zero()), EMPTY)
    growth = next(c for c in card.sales.contributions if c.metric == "sales_growth")
    assert (growth.raw, growth.weight) == (None, D(0))
    # units 100 -> 40 points (weight 0.3), repurchase 0 -> 0 points (weight 0.2): 12 / 0.5 = 24.00
    assert card.sales.value == D("24.00")


def test_default_service_at_its_breakpoints() -> None:
    """Every service metric exactly on a breakpoint: a hand-computed weighted mean."""
    snap = snapshot(
        experience_score=D("4.5"),  # 75
        bad_review_rate=Rate.of("0.03"),  # 60
        quality_return_rate=Rate.of("0.01"),  # 85
        refund_rate=Rate.of("0.15"),  # 80
        complaint_rate=Rate.of("0.02"),  # 30
        shipped_48h_rate=Rate.of("0.95"),  # 90
    )
    # 0.3*75 + 0.15*60 + 0.15*85 + 0.15*80 + 0.1*30 + 0.15*90 = 72.75
    assert default_scorer().score(snap, EMPTY).service.value == D("72.75")


# -- properties of the default model ----------------------------------------------------------------------------


@given(snaps=st.lists(scoring_snapshots(), min_size=1, max_size=8), weights=composite_weights())
def test_every_score_and_the_composite_stay_within_0_and_100(
    snaps: list[SkuSnapshot], weights: CompositeWeights
) -> None:
    """Whatever the metrics and weights, values stay on 0.00-100.00 with two places."""
    for card in default_scorer().with_weights(weights).score_many(snaps):
        for value in [*(s.value for s in card.scores), card.composite]:
            assert D(0) <= value <= D(100)
            assert value.as_tuple().exponent == -2


@given(card=score_cards())
def test_the_composite_lies_between_the_smallest_and_largest_weighted_part(card: SkuScores) -> None:
    """A weighted mean of the dimensions with weight, rounded, stays between their extremes."""
    weighted = [s.value for s in card.scores if card.weights[s.dimension] > 0]
    assert min(weighted) <= card.composite <= max(weighted)


@given(snaps=st.lists(scoring_snapshots(), min_size=1, max_size=8), data=st.data())
def test_scoring_is_deterministic_and_independent_of_batch_order(snaps: list[SkuSnapshot], data: st.DataObject) -> None:
    """A shuffled batch gives each SKU the same card; the batch equals scoring one by one."""
    scorer = default_scorer()
    cards = scorer.score_many(snaps)
    shuffled = data.draw(st.permutations(range(len(snaps))))
    again = scorer.score_many([snaps[i] for i in shuffled])
    assert [again[j] for j in sorted(range(len(snaps)), key=lambda j: shuffled[j])] == list(cards)
    context = build_context(snaps)
    assert [scorer.score(s, context) for s in snaps] == list(cards)


# (dimension, snapshot field, how to draw two values, +1 if more of it never lowers the score, -1 if never raises)
_RATES = st.integers(0, 1_000_000).map(Rate.from_ppm)
_MONEY = st.integers(1, 10**10).map(Money)
_COUNTS = st.integers(0, 10**6)
MONOTONE: list[tuple[Dimension, str, st.SearchStrategy[Any], int]] = [
    (Dimension.BRAND, "brand_registered", st.booleans(), +1),
    (Dimension.BRAND, "brand_authorised", st.booleans(), +1),
    (Dimension.BRAND, "flagship_shop", st.booleans(), +1),
    (Dimension.BRAND, "on_brand_list", st.booleans(), +1),
    (Dimension.BRAND, "brand_gmv_30d", _MONEY, +1),
    (Dimension.PRICE, "price", _MONEY, -1),
    (Dimension.PRICE, "lowest_price_30d", _MONEY, +1),
    (Dimension.DISTRIBUTION, "commission_rate", _RATES, +1),
    (Dimension.DISTRIBUTION, "promoting_influencers", _COUNTS, +1),
    (Dimension.DISTRIBUTION, "influencer_gmv_share", _RATES, +1),
    (Dimension.DISTRIBUTION, "team_leaders", st.integers(0, 10), +1),
    (Dimension.SERVICE, "experience_score", st.integers(0, 500).map(lambda u: D(u).scaleb(-2)), +1),
    (Dimension.SERVICE, "bad_review_rate", _RATES, -1),
    (Dimension.SERVICE, "quality_return_rate", _RATES, -1),
    (Dimension.SERVICE, "refund_rate", _RATES, -1),
    (Dimension.SERVICE, "complaint_rate", _RATES, -1),
    (Dimension.SERVICE, "shipped_48h_rate", _RATES, +1),
    (Dimension.SERVICE, "serious_violations_365d", st.integers(0, 3), -1),
    (Dimension.SALES, "units_30d", _COUNTS, +1),
    (Dimension.SALES, "gmv_30d", _MONEY, +1),
    (Dimension.SALES, "repurchase_rate", _RATES, +1),
    (Dimension.SALES, "units_prev_30d", st.integers(1, 10**6), -1),
]


@pytest.mark.parametrize(("dimension", "field", "values", "sign"), MONOTONE, ids=[m[1] for m in MONOTONE])
@given(snap=scoring_snapshots(), context=scoring_contexts(max_size=6), data=st.data())
def test_each_default_dimension_is_monotone_in_its_metrics(
    dimension: Dimension,
    field: str,
    values: st.SearchStrategy[Any],
    sign: int,
    snap: SkuSnapshot,
    context: ScoringContext,
    data: st.DataObject,
) -> None:
    """More sales never lower sales; more refunds never raise service; a lower price never lowers price."""
    low, high = sorted(data.draw(st.lists(values, min_size=2, max_size=2)))
    if field == "units_prev_30d" and snap.units_prev_30d == 0:
        snap = attrs.evolve(snap, units_prev_30d=1)
    scorer = default_scorer().scorer(dimension)
    at_low = scorer.score(attrs.evolve(snap, **{field: low}), context).value
    at_high = scorer.score(attrs.evolve(snap, **{field: high}), context).value
    assert (at_high - at_low) * sign >= 0


@given(snap=scoring_snapshots())
def test_the_trusted_fast_path_builds_what_the_validating_constructors_build(snap: SkuSnapshot) -> None:
    """Cards the scorer assembles without validators equal cards built the checked way."""
    card = default_scorer().score(snap, EMPTY)
    rebuilt = SkuScores.of(
        card.sku_id,
        [
            DimensionScore(
                s.dimension,
                s.value,
                tuple(Contribution(c.metric, c.raw, c.points, c.weight, c.reason) for c in s.contributions),
                s.notes,
            )
            for s in card.scores
        ],
        card.weights,
    )
    assert rebuilt == card
    assert from_dict(to_dict(card), SkuScores) == card


# -- the scorecard scorers' fast path (issue 21) ------------------------------------------------------------------


class _Checked(ScorecardScorer):
    """A scorecard scorer the runner does not recognise as its own: its results go through check_result."""


@given(snap=scoring_snapshots(), context=scoring_contexts(), weights=composite_weights())
def test_the_scorecard_path_equals_the_checked_path(
    snap: SkuSnapshot, context: ScoringContext, weights: CompositeWeights
) -> None:
    """Plain scorecard scorers give the card the checked path (a subclass of each) gives: value, repr and hash."""
    cards = default_scorecards()
    fast = FiveDimensionScorer([cards.scorecard_scorer(d) for d in Dimension], weights)
    checked = FiveDimensionScorer([_Checked(d, cards[d]) for d in Dimension], weights)
    got, want = fast.score(snap, context), checked.score(snap, context)
    assert fast.score_many([snap], context) == (want,)
    assert got == want
    assert repr(got) == repr(want)
    assert hash(got) == hash(want)
    assert got == SkuScores.of(snap.sku_id, got.scores, weights)


def test_an_error_on_the_scorecard_path_still_names_the_scorer_and_the_sku() -> None:
    """A snapshot the scorecards cannot read is a PluginError from the checked path, as before."""
    broken = attrs.evolve(builders.snapshot(), price=Money.of("10.00"))
    object.__setattr__(broken, "price", None)  # forged: no price to read
    with pytest.raises(PluginError, match=r"scorecard\.price"):
        default_scorer().score(broken, build_context([builders.snapshot()]))
