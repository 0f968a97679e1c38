"""The next-tier gap: not, the cheapest branch of an any, non-numeric blockers, and raw-metric moves verified by
regrading."""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.grading.gap import (
    MetricGap,
    MetricMove,
    NextTierGap,
    _new_gap,
    _one_way,
    _sure_ways,
    find_metric_moves,
    repairs,
)
from fenxiao.grading.inputs import example_inputs, score_inputs, tier_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.money import Money, Rate
from fenxiao.rules.interpreter import explain, make_check
from fenxiao.rules.language import All, AnyOf, Compare, Not, Op
from fenxiao.sample import load_sample
from fenxiao.scoring.context import build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.testing.tiers import tier_inputs as drawn_inputs
from fenxiao.testing.tiers import tier_policies

CATALOG = load_sample()
SNAPSHOTS = CATALOG.latest_snapshots()
CONTEXT = build_context(SNAPSHOTS)
AS_OF = catalog_as_of(CATALOG)
SCORER = default_scorer()

NOT_REFUNDS = TierPolicy(
    rules=(
        TierRule(
            "quality",
            Tier.L3,
            All((Compare("composite", Op.GE, 60), Not(Compare("refund_rate", Op.GT, Decimal("0.3"))))),
        ),
    ),
    fallback=Tier.L1,
)


def test_a_not_is_met_by_the_opposite_comparison() -> None:
    """not(refund_rate > 0.3) at 0.35: reachable by refund_rate <= 0.3, and 0.3 does grade L3 (the issue's case)."""
    decision = NOT_REFUNDS.decide(example_inputs(composite="60", refund_rate="0.35"))
    gap = decision.next_tier_gap
    assert gap is not None
    assert [str(c) for c in gap.unmet] == ["refund_rate 0.35: <= 0.3 needed (-0.05)"]
    assert gap.reachable
    assert NOT_REFUNDS.grade(example_inputs(composite="60", refund_rate="0.3")) is Tier.L3


def test_a_not_between_takes_the_nearer_side() -> None:
    """not(days between [10, 20]) at 18: > 20 is two days away, < 10 is eight: the gap names > 20."""
    rule = TierRule("out", Tier.L2, Not(Compare("days_since_joining", Op.BETWEEN, (Decimal(10), Decimal(20)))))
    policy = TierPolicy(rules=(rule,), fallback=Tier.L0)
    gap = policy.decide(example_inputs(days_since_joining=18)).next_tier_gap
    assert gap is not None
    assert [str(c) for c in gap.unmet] == ["days_since_joining 18: > 20 needed (+2 and more)"]
    assert gap.reachable


def test_an_any_names_only_its_cheapest_branch() -> None:
    """any(composite >= 90, units_30d >= 1000): from composite 85 and 640 units, only composite is named."""
    rule = TierRule("either", Tier.L4, AnyOf((Compare("composite", Op.GE, 90), Compare("units_30d", Op.GE, 1000))))
    policy = TierPolicy(rules=(rule,), fallback=Tier.L1)
    gap = policy.decide(example_inputs(composite="85", units_30d=640)).next_tier_gap
    assert gap is not None
    assert [str(c) for c in gap.unmet] == ["composite 85 < 90 needed (+5)"]
    gap = policy.decide(example_inputs(composite="10", units_30d=990)).next_tier_gap
    assert gap is not None
    assert [str(c) for c in gap.unmet] == ["units_30d 990 < 1000 needed (+10)"]


def test_a_flag_is_named_as_a_blocker() -> None:
    """A rule needing brand_registered: the gap names the flag, and blockers lists it; numbers are not blockers."""
    rule = TierRule("brand", Tier.L4, All((Compare("brand_registered", Op.EQ, True), Compare("composite", Op.GE, 70))))
    gap = TierPolicy(rules=(rule,), fallback=Tier.L1).decide(example_inputs(composite="60")).next_tier_gap
    assert gap is not None
    assert [str(c) for c in gap.unmet] == ["brand_registered false: == true needed", "composite 60 < 70 needed (+10)"]
    assert [c.input for c in gap.blockers] == ["brand_registered"]
    assert gap.reachable


def test_repairs_of_an_empty_any_and_all() -> None:
    """An empty all holds already; an empty any (never) has no way; under not, the other way round."""
    values = example_inputs()
    assert repairs(All(()), values) == ((),)
    assert repairs(AnyOf(()), values) == ()
    assert repairs(Not(All(())), values) == ()
    assert repairs(Not(AnyOf(())), values) == ((),)


def test_repairs_of_not_in_and_not_all() -> None:
    """not(x in [a, b]) needs x != a and x != b; not(all(p, q)) is the cheaper of not p, not q."""
    values = example_inputs(units_30d=5, composite="80")
    ways = repairs(Not(Compare("units_30d", Op.IN, (Decimal(5), Decimal(6)))), values)
    assert [[str(c) for c in way] for way in ways] == [["units_30d 5: != 5 needed"]]
    both = Not(All((Compare("units_30d", Op.GE, 1), Compare("composite", Op.GE, 79))))
    assert [[c.input for c in way] for way in repairs(both, values)] == [["composite"], ["units_30d"]]


_MOVABLE = (
    ("composite", Op.GE, st.integers(0, 100)),
    ("score.service", Op.GE, st.integers(0, 100)),
    ("score.sales", Op.GE, st.integers(0, 100)),
    ("units_30d", Op.GE, st.integers(0, 3000)),
    ("refund_rate", Op.LE, st.integers(0, 100).map(lambda n: Decimal(n) / 100)),
)


@st.composite
def _ladders(draw: st.DrawFn) -> TierPolicy:
    """Policies a SKU can climb: an L0 fallback and rules over the inputs a merchant moves, one or two
    thresholds each (all, any or not), so that most SKUs have a way up."""
    rules = []
    for i, tier in enumerate(sorted(draw(st.sets(st.sampled_from(list(Tier)[1:]), min_size=1, max_size=3)))):
        parts = []
        for name, op, values in draw(st.lists(st.sampled_from(_MOVABLE), min_size=1, max_size=2, unique=True)):
            leaf = Compare(name, op, draw(values))
            parts.append(
                Not(Compare(name, Op.GT if op is Op.LE else Op.LT, leaf.value)) if draw(st.booleans()) else leaf
            )
        when = AnyOf(tuple(parts)) if draw(st.booleans()) else All(tuple(parts))
        rules.append(TierRule(f"r{i}", tier, when))
    return TierPolicy(rules=tuple(rules), hit="highest", fallback=Tier.L0)


_TWICE = Compare("refund_rate", Op.IN, (Decimal("0.5"),))
#: Found by the property below: two checks on one metric once gave two moves, the second "from" the first's value.
_SAME_METRIC_TWICE = TierPolicy(
    rules=(TierRule("r0", Tier.L0, Not(_TWICE)), TierRule("r1", Tier.L1, All((_TWICE, _TWICE)))),
    hit="first",
)


@settings(max_examples=100)
@example(_SAME_METRIC_TWICE, next(s for s in SNAPSHOTS if s.refund_rate == Rate.zero()))
@given(tier_policies(max_rules=4) | _ladders(), st.sampled_from(SNAPSHOTS[:60]))
def test_every_reported_way_up_is_verified(policy: TierPolicy, snapshot: SkuSnapshot) -> None:
    """Every raw-metric way, applied to the snapshot and scored and graded again, reaches the stated tier, which
    is above the SKU's; and the decision's own gap, where marked reachable, is reached by its moves."""
    card = SCORER.score(snapshot, CONTEXT)
    inputs = tier_inputs(snapshot, score_inputs(card), AS_OF, context=CONTEXT)
    now = policy._safe_grade(inputs)
    for way in find_metric_moves(policy, SCORER, snapshot, CONTEXT, AS_OF):
        _check_way(policy, snapshot, way, now)


@pytest.mark.parametrize("snapshot", SNAPSHOTS[:40], ids=lambda s: s.sku_id)
def test_every_way_up_of_the_sample_is_verified_under_the_default_policy(snapshot: SkuSnapshot) -> None:
    """The same on the sample catalog and the default policy, SKU by SKU."""
    policy = default_tier_policy()
    card = SCORER.score(snapshot, CONTEXT)
    now = policy.grade(tier_inputs(snapshot, score_inputs(card), AS_OF, context=CONTEXT))
    for way in find_metric_moves(policy, SCORER, snapshot, CONTEXT, AS_OF):
        _check_way(policy, snapshot, way, now)


def _check_way(policy: TierPolicy, snapshot: SkuSnapshot, way: MetricGap, now: Tier) -> None:
    assert way.target > now
    assert way.reached >= way.target
    changes: dict[str, Any] = {m.metric: m.new for m in way.moves}
    moved = attrs.evolve(snapshot, **changes)
    card = SCORER.score(moved, CONTEXT)
    assert policy._safe_grade(tier_inputs(moved, score_inputs(card), AS_OF, context=CONTEXT)) >= way.target
    for move in way.moves:
        assert move.old == getattr(snapshot, move.metric)
        assert move.new != move.old


def test_the_sample_has_ways_up_in_units_service_and_price() -> None:
    """Across the sample, the ways name sales, service and price metrics, in their own units (%, ¥, counts)."""
    metrics: set[str] = set()
    texts: list[str] = []
    for snapshot in SNAPSHOTS[:40]:
        for way in find_metric_moves(default_tier_policy(), SCORER, snapshot, CONTEXT, AS_OF):
            metrics |= {m.metric for m in way.moves}
            texts.append(str(way))
    assert {"units_30d", "price"} <= metrics
    assert any("%" in t for t in texts)
    assert any("¥" in t for t in texts)


def test_a_rule_on_a_metric_is_met_directly() -> None:
    """A shampoo at 104 units where shampoos sell a median of 2,071 is held at L1 by the category-relative bar
    (below half the median): the way up is units_30d → 1036, half the median rounded up (issue 19)."""
    snapshot = next(s for s in SNAPSHOTS if s.sku_id == "sku-00013")
    bench = CONTEXT.benchmark(snapshot.category_id)
    assert bench is not None
    assert bench.units_median == 2071
    ways = find_metric_moves(default_tier_policy(), SCORER, snapshot, CONTEXT, AS_OF)
    assert ways
    assert all(way.moves[0] == MetricMove("units_30d", 104, 1036) for way in ways)


def test_metric_moves_show_their_units() -> None:
    """Rates as percentages, money in yuan, counts and scores as numbers."""
    assert str(MetricMove("refund_rate", Rate.of("0.2"), Rate.of("0.15"))) == "refund_rate 20% → 15%"
    assert str(MetricMove("price", Money.of("59.90"), Money.of("55.00"))) == "price ¥59.90 → ¥55.00"
    assert str(MetricMove("experience_score", Decimal("3.85"), Decimal("4.5"))) == "experience_score 3.85 → 4.5"
    way = MetricGap(Tier.L4, (MetricMove("units_30d", 104, 300),), Tier.L4)
    assert str(way) == "L4: units_30d 104 → 300 (regraded L4)"


def test_at_the_top_there_is_no_way_up() -> None:
    """A policy whose only tier is L5: nothing above, no ways."""
    top = TierPolicy(rules=(TierRule("all", Tier.L5, All(())),))
    assert find_metric_moves(top, SCORER, SNAPSHOTS[0], CONTEXT, AS_OF) == ()


@given(
    st.sampled_from(list(Tier)),
    st.text(max_size=8),
    st.lists(st.decimals(allow_nan=False, places=2), max_size=3),
    st.booleans(),
    st.text(max_size=8),
)
def test_a_trusted_gap_is_the_constructors_value(
    tier: Tier, rule: str, actuals: list[Decimal], reachable: bool, label: str
) -> None:
    """The gap explained decisions build without the attrs constructor is its value: class, equality, hash, repr,
    pickle, evolve, and as frozen."""
    unmet = tuple(make_check("units_30d", Op.GE, Decimal(10), a, False, False, Decimal(10) - a) for a in actuals)
    fast, slow = _new_gap(tier, rule, unmet, reachable, label), NextTierGap(tier, rule, unmet, reachable, label)
    assert type(fast) is NextTierGap
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    assert str(fast) == str(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert attrs.evolve(fast, reachable=not reachable) == attrs.evolve(slow, reachable=not reachable)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.rule = "x"  # type: ignore[misc]


ONE_WAY_RULES = st.sampled_from(
    [
        All((Not(Compare("units_vs_category", Op.GE, Decimal(0))), Compare("units_30d", Op.LT, Decimal(100)))),
        All((Compare("composite", Op.GE, Decimal(60)), Not(Compare("refund_rate", Op.GT, Decimal("0.3"))))),
        All((Not(Compare("units_30d", Op.IN, (Decimal(0), Decimal(1)))), Compare("composite", Op.GT, Decimal(50)))),
        Not(Compare("score.service", Op.LT, Decimal(40))),
        All((All((Compare("composite", Op.GE, Decimal(40)),)), Not(Compare("composite", Op.GE, Decimal(90))))),
    ]
)


@given(st.one_of(ONE_WAY_RULES, tier_policies().map(lambda policy: policy.rules[0].when)), st.data())
def test_one_way_to_hold_is_what_repairs_gives(condition: Any, data: Any) -> None:
    """A condition of comparisons and negated comparisons under all has the one way repairs() gives: the unmet
    checks of the comparisons it asks (each negated one as its complement), field for field."""
    way = _one_way(condition)
    if way is None:
        return
    policy = TierPolicy(rules=(TierRule("r", Tier.L3, condition),), fallback=Tier.L0)
    inputs = data.draw(drawn_inputs(policy))
    expected = repairs(condition, inputs)
    assert len(expected) == 1
    assert repr(expected[0]) == repr(tuple(c for c in explain(way, inputs).checks if not c.passed))


def test_a_way_is_sure_only_with_one_comparison_per_input_each_met_by_one_value() -> None:
    """_sure_ways: each comparison its own input, and an operator whose meeting value meets it."""
    assert _sure_ways(All((Compare("composite", Op.GE, Decimal(60)), Compare("units_30d", Op.GT, Decimal(1)))))
    assert not _sure_ways(All((Compare("composite", Op.GE, Decimal(60)), Compare("composite", Op.LE, Decimal(90)))))
    assert not _sure_ways(Compare("composite", Op.NE, Decimal(60)))
    assert not _sure_ways(Compare("composite", Op.BETWEEN, (Decimal(1), Decimal(9))))
    assert not _sure_ways(Compare("units_30d", Op.IN, ()))
    assert _sure_ways(Compare("units_30d", Op.IN, (Decimal(5),)))
