"""The grading pipeline: grade_catalog is the scorer, the tier policy and the perk catalog called in turn, per SKU."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.ids import SkuId
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import FenxiaoError, InvalidValueError
from fenxiao.grading.inputs import tier_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import Badge, PerkCatalog, PerkEntry, default_perk_catalog, resolve_perks
from fenxiao.grading.pipeline import GradedSku, catalog_as_of, grade_catalog, perk_context
from fenxiao.grading.tiers import TierDecision, TierPolicy, TierRule, default_tier_policy
from fenxiao.rules.language import Compare, Op
from fenxiao.sample import load_sample
from fenxiao.scoring.context import ScoringContext, build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import CompositeWeights, Dimension, SkuScores
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.testing.strategies import catalogs

D = Decimal


@functools.cache
def _sample() -> Catalog:
    return load_sample()


@functools.cache
def _graded() -> tuple[GradedSku, ...]:
    return grade_catalog(_sample())


def _scores(card: SkuScores) -> dict[str, Decimal]:
    """A scorecard as the tier inputs name it: score.<dimension> and composite."""
    return {f"score.{d.value}": card[d].value for d in Dimension} | {"composite": card.composite}


@attrs.frozen
class _Models:
    """The three models grade_catalog takes, the defaults unless given."""

    scorer: FiveDimensionScorer = attrs.field(factory=default_scorer)
    policy: TierPolicy = attrs.field(factory=default_tier_policy)
    perks: PerkCatalog = attrs.field(factory=default_perk_catalog)


def _by_hand(
    catalog: Catalog,
    snapshots: tuple[SkuSnapshot, ...],
    context: ScoringContext,
    as_of: datetime,
    models: _Models = _Models(),
) -> list[tuple[GradedSku, dict[str, object]]]:
    """The pipeline written out step by step, one SKU at a time, from the documented parts."""
    out = []
    for snapshot in snapshots:
        card = models.scorer.score(snapshot, context)
        inputs = tier_inputs(snapshot, _scores(card), as_of, context=context)
        decision = models.policy.decide(inputs, sku_id=snapshot.sku_id)
        sku = catalog.sku(snapshot.sku_id)
        merchant = catalog.merchant(sku.merchant_id)
        category = catalog.category(sku.category_id)
        seen = inputs | {
            "category_id": category.id,
            "category_level1": category.level1,
            "merchant_standing": merchant.standing.value,
            "shop_kind": merchant.shop_kind.value,
        }
        resolution = resolve_perks(models.perks, decision.tier, seen, at=as_of, sku_id=snapshot.sku_id)
        out.append((GradedSku(snapshot.sku_id, snapshot.category_id, card, decision, resolution, inputs), inputs))
    return out


def _assert_equal(graded: tuple[GradedSku, ...], expected: list[tuple[GradedSku, dict[str, object]]]) -> None:
    """Equal GradedSku values (scorecard, decision, perks) and equal inputs (which GradedSku's == leaves out)."""
    assert list(graded) == [g for g, _ in expected]
    assert [dict(g.inputs) for g in graded] == [inputs for _, inputs in expected]


# -- one GradedSku per latest snapshot ----------------------------------------------------------------------------


def test_one_graded_sku_per_latest_snapshot_in_catalog_order() -> None:
    """The sample's 200 SKUs come back in SKU order, each with its own category."""
    catalog = _sample()
    latest = catalog.latest_snapshots()
    graded = _graded()
    assert len(graded) == len(latest) == 200
    assert [g.sku_id for g in graded] == [s.sku_id for s in latest] == [s.id for s in catalog.skus]
    assert [g.category_id for g in graded] == [s.category_id for s in latest]


def test_an_older_snapshot_of_a_sku_is_not_graded() -> None:
    """A second, older snapshot of a SKU changes nothing: only the newest one is graded."""
    catalog = _sample()
    first = catalog.latest_snapshots()[0]
    older = attrs.evolve(first, observed_at=first.observed_at - timedelta(days=7), units_30d=first.units_30d + 500)
    with_history = attrs.evolve(catalog, snapshots=(older, *catalog.snapshots))
    graded = grade_catalog(with_history)
    assert [g.sku_id for g in graded] == [g.sku_id for g in _graded()]
    assert graded[0].inputs["units_30d"] == first.units_30d


def test_the_default_run_is_the_default_models_called_by_hand() -> None:
    """Scorecards, decisions, perks and inputs equal those of the default scorer, policy and catalog."""
    catalog = _sample()
    latest = catalog.latest_snapshots()
    expected = _by_hand(catalog, latest, build_context(latest), catalog_as_of(catalog))
    _assert_equal(_graded(), expected)


def test_the_tier_is_the_policys_grade_of_the_inputs_kept() -> None:
    """Each row keeps the inputs it was graded on; grading them again gives its tier, its label, its SKU."""
    policy = default_tier_policy()
    for g in _graded():
        assert g.decision.tier is policy.grade(g.inputs)
        assert (g.decision.sku_id, g.perks.sku_id, g.perks.tier) == (g.sku_id, g.sku_id, g.decision.tier)
        assert g.decision.label == policy.label(g.decision.tier)
    assert len({g.decision.tier for g in _graded()}) > 1  # the sample is not one tier: the comparison says something


# -- as_of ----------------------------------------------------------------------------------------------------------


def test_as_of_defaults_to_the_newest_observation() -> None:
    """catalog_as_of is the newest snapshot's observed_at; grading without as_of grades at that moment."""
    catalog = _sample()
    newest = max(s.observed_at for s in catalog.snapshots)
    assert catalog_as_of(catalog) == newest
    assert grade_catalog(catalog, as_of=newest) == _graded()
    assert [g.inputs for g in grade_catalog(catalog, as_of=newest)] == [g.inputs for g in _graded()]


def test_a_later_as_of_counts_more_days_in_the_pool() -> None:
    """as_of is the moment of grading: ten days later, every SKU has been in the pool ten days longer."""
    catalog = _sample()
    as_of = catalog_as_of(catalog)
    later = grade_catalog(catalog, as_of=as_of + timedelta(days=10))
    joined = [s.joined_at for s in catalog.latest_snapshots()]
    assert [g.inputs["days_since_joining"] for g in _graded()] == [(as_of - j).days for j in joined]
    assert [g.inputs["days_since_joining"] for g in later] == [(as_of - j).days + 10 for j in joined]


def test_catalog_as_of_is_independent_of_snapshot_order() -> None:
    """The newest observation wins wherever it sits in the catalog."""
    catalog = _sample()
    reversed_catalog = attrs.evolve(catalog, snapshots=tuple(reversed(catalog.snapshots)))
    assert catalog_as_of(reversed_catalog) == catalog_as_of(catalog)


# -- custom models ------------------------------------------------------------------------------------------------


def test_a_custom_policy_decides_every_tier() -> None:
    """A one-rule policy puts every SKU where it says, with its rule named."""
    policy = TierPolicy(rules=(TierRule("everyone", Tier.L2, Compare("composite", Op.GE, D(0))),), fallback=Tier.L0)
    graded = grade_catalog(_sample(), policy=policy)
    assert {(g.decision.tier, g.decision.rule) for g in graded} == {(Tier.L2, "everyone")}
    assert [g.scorecard for g in graded] == [g.scorecard for g in _graded()]  # scoring is untouched


def test_a_custom_perk_catalog_is_the_one_resolved() -> None:
    """A one-entry catalog grants that badge to every SKU of L3 and above, and nothing else to anyone."""
    badge = Badge("pipeline-test", "icon")
    perks = PerkCatalog(entries=(PerkEntry("only", Tier.L3, badge),))
    graded = grade_catalog(_sample(), perks=perks)
    for g in graded:
        expected = (badge,) if g.decision.tier.rank >= Tier.L3.rank else ()
        assert tuple(p.perk for p in g.perks.granted) == expected
    assert any(g.perks.granted for g in graded)
    assert not all(g.perks.granted for g in graded)


def test_a_custom_scorer_and_context_are_the_ones_used() -> None:
    """Composite weights all on brand make the composite the brand score; an empty context is used as given."""
    catalog = _sample()
    brand_only = CompositeWeights(brand=D(1), price=D(0), distribution=D(0), service=D(0), sales=D(0))
    scorer = attrs.evolve(default_scorer(), weights=brand_only)
    graded = grade_catalog(catalog, scorer=scorer, context=ScoringContext.empty())
    assert all(g.scorecard.composite == g.scorecard.brand.value for g in graded)
    latest = catalog.latest_snapshots()
    expected = _by_hand(catalog, latest, ScoringContext.empty(), catalog_as_of(catalog), _Models(scorer=scorer))
    _assert_equal(graded, expected)
    assert [g.scorecard for g in graded] != [g.scorecard for g in _graded()]


def test_given_snapshots_are_graded_instead_of_the_latest() -> None:
    """snapshots= grades those, in the order given, with benchmarks built from them."""
    catalog = _sample()
    chosen = tuple(reversed(catalog.latest_snapshots()[:5]))
    graded = grade_catalog(catalog, snapshots=chosen)
    assert [g.sku_id for g in graded] == [s.sku_id for s in chosen]
    expected = _by_hand(catalog, chosen, build_context(chosen), catalog_as_of(catalog))
    _assert_equal(graded, expected)


# -- explain --------------------------------------------------------------------------------------------------------


def test_explain_false_gives_the_same_tiers_and_perks_without_a_trace() -> None:
    """explain=False: the same tier, label, SKU, scorecard and perks; no rule, checks or next-tier gap."""
    quick = grade_catalog(_sample(), explain=False)
    for fast, full in zip(quick, _graded(), strict=True):
        assert fast.decision == TierDecision(
            full.decision.tier, "", None, (), None, sku_id=full.sku_id, label=full.decision.label
        )
        assert (fast.scorecard, fast.perks) == (full.scorecard, full.perks)


def test_explain_true_decisions_carry_their_rule_trace_and_gap() -> None:
    """The default: every decision names its rule and trace; below L5 a next-tier gap says what is missing."""
    for g in _graded():
        assert g.decision.rule
        assert g.decision.checks
        if g.decision.tier is not Tier.L5:
            assert g.decision.next_tier_gap is not None
    assert any(g.decision.tier is not Tier.L5 for g in _graded())


# -- perk_context ---------------------------------------------------------------------------------------------------


def test_perk_context_adds_category_and_merchant_to_the_tier_inputs() -> None:
    """Perk conditions see the tier inputs plus category_id, category_level1, merchant_standing and shop_kind."""
    catalog = _sample()
    g = _graded()[0]
    snapshot = catalog.latest_snapshots()[0]
    sku = catalog.sku(snapshot.sku_id)
    merchant = catalog.merchant(sku.merchant_id)
    context = perk_context(catalog, snapshot, g.inputs)
    assert {k: context[k] for k in g.inputs} == dict(g.inputs)
    assert set(context) - set(g.inputs) == {"category_id", "category_level1", "merchant_standing", "shop_kind"}
    assert context["category_id"] == sku.category_id
    assert context["category_level1"] == catalog.category(sku.category_id).level1
    assert (context["merchant_standing"], context["shop_kind"]) == (merchant.standing.value, merchant.shop_kind.value)


# -- bad input -----------------------------------------------------------------------------------------------------


def test_a_catalog_without_snapshots_has_no_moment_of_grading() -> None:
    """catalog_as_of, and grade_catalog without as_of, refuse an empty catalog by naming Catalog.snapshots."""
    empty = attrs.evolve(_sample(), snapshots=())
    with pytest.raises(InvalidValueError, match=r"^Catalog\.snapshots") as info:
        catalog_as_of(empty)
    assert isinstance(info.value, FenxiaoError)
    with pytest.raises(InvalidValueError, match=r"^Catalog\.snapshots"):
        grade_catalog(empty)


def test_an_empty_catalog_with_a_moment_grades_nothing() -> None:
    """With as_of given there is nothing to refuse: no snapshots, no rows."""
    empty = attrs.evolve(_sample(), snapshots=())
    assert grade_catalog(empty, as_of=catalog_as_of(_sample())) == ()


def test_a_naive_as_of_is_refused_by_name() -> None:
    """as_of must be timezone-aware; the error names grade_catalog.as_of."""
    naive = catalog_as_of(_sample()).replace(tzinfo=None)
    with pytest.raises(InvalidValueError, match=r"^grade_catalog\.as_of"):
        grade_catalog(_sample(), as_of=naive)


def test_an_as_of_before_a_sku_joined_is_refused_by_name() -> None:
    """Grading before a SKU joined the pool is refused with the tier inputs' as_of named."""
    catalog = _sample()
    first_join = min(s.joined_at for s in catalog.snapshots)
    with pytest.raises(InvalidValueError, match=r"^tier_inputs\.as_of.*before the SKU joined"):
        grade_catalog(catalog, as_of=first_join - timedelta(days=1))


def test_a_snapshot_of_a_sku_outside_the_catalog_is_refused_by_name() -> None:
    """A given snapshot must belong to the catalog: the error names Catalog.sku and the id."""
    stranger = attrs.evolve(_sample().latest_snapshots()[0], sku_id=SkuId("sku-not-here"))
    with pytest.raises(InvalidValueError, match=r"^Catalog\.sku.*sku-not-here"):
        grade_catalog(_sample(), snapshots=[stranger])


# -- the property ---------------------------------------------------------------------------------------------------


@given(catalogs(min_size=1, max_size=4))
def test_grade_catalog_equals_the_step_by_step_composition(catalog: Catalog) -> None:
    """On any valid catalog: the default scorer one SKU at a time, tier_inputs, decide, perk_context, resolve."""
    latest = catalog.latest_snapshots()
    if not catalog.snapshots:
        with pytest.raises(InvalidValueError, match=r"^Catalog\.snapshots"):
            grade_catalog(catalog)
        return
    expected = _by_hand(catalog, latest, build_context(latest), max(s.observed_at for s in catalog.snapshots))
    _assert_equal(grade_catalog(catalog), expected)
