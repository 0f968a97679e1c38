"""Goals over settled sales: recounted from the ledger by brute force; leader reports; category coverage."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.market.goals import (
    DEFAULT_GOALS,
    MILLION_SKU_READINGS,
    Goal,
    GoalTracker,
    Measure,
    Subject,
    category_coverage,
    is_brand_merchant,
    leader_reports,
    settled_sales,
)
from fenxiao.money import Money, Rate
from fenxiao.sample import SAMPLE_AS_OF, generate_orders, load_sample
from fenxiao.settlement.ledger import EntryKind, Ledger
from fenxiao.settlement.orders import Order, OrderStatus, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party

from .. import builders

CATALOG = load_sample()
PROFILE = PlatformProfile.kuaishou()
# Brand merchants by the documented rule, written out: flagship/official shops and owners of registered brands.
_REGISTERED = {b.id for b in CATALOG.brands if b.registered}
BRAND_MERCHANTS = {
    m.id
    for m in CATALOG.merchants
    if m.shop_kind.value in ("flagship", "official") or any(b in _REGISTERED for b in m.brand_ids)
}


def _world(seed: int, count: int) -> tuple[tuple[Order, ...], Ledger]:
    orders = generate_orders(CATALOG, seed=seed, count=count)
    return orders, Ledger().record_all(orders, PROFILE)


def test_the_four_public_targets_are_the_defaults() -> None:
    """10 brands ≥ ¥1bn, 100 brand merchants ≥ ¥100m, 10,000 SKUs ≥ 1m units, 100 leaders ≥ ¥100m."""
    assert [(g.subject, g.measure, g.threshold, g.target) for g in DEFAULT_GOALS] == [
        (Subject.BRAND, Measure.GMV, Money.of("1000000000"), 10),
        (Subject.BRAND_MERCHANT, Measure.GMV, Money.of("100000000"), 100),
        (Subject.SKU, Measure.UNITS, 1_000_000, 10_000),
        (Subject.TEAM_LEADER, Measure.GMV, Money.of("100000000"), 100),
    ]


def test_sales_gmv_is_the_goods_amount_less_every_refund() -> None:
    """Every settled order's GMV is paid − refunded (no shipping is refunded in the sample), units likewise."""
    orders, ledger = _world(7, 200)
    sales = {s.order_id: s for s in settled_sales(ledger, orders, CATALOG)}
    settled = [o for o in orders if o.status is OrderStatus.SETTLED]
    assert settled
    assert set(sales) == {o.id for o in settled}
    for order in settled:
        assert sales[order.id].gmv == order.paid - order.refunded
        assert sales[order.id].units == order.units - order.refunded_units
        assert sales[order.id].settled_at == order.entered(OrderStatus.SETTLED)


@settings(max_examples=25)
@given(
    st.integers(0, 10_000),
    st.integers(0, 120),
    st.sampled_from(list(Subject)),
    st.integers(0, 30_000),
    st.integers(0, 40),
)
def test_goal_progress_equals_a_brute_force_recount_of_the_ledger(
    seed: int, count: int, subject: Subject, threshold_yuan: int, window_days: int
) -> None:
    """Counting subjects over the threshold by walking ledger entries directly gives the tracker's answer."""
    orders, ledger = _world(seed, count)
    by_id = {o.id: o for o in orders}
    start = SAMPLE_AS_OF - timedelta(days=window_days)
    # Brute force: per order, the first SETTLED time and the sum of SETTLED/CLAWBACK entries but buyer refunds.
    first: dict[str, datetime] = {}
    kept: dict[str, int] = defaultdict(int)
    for e in ledger.entries:
        if e.kind is EntryKind.SETTLED:
            first[e.order_id] = min(first.get(e.order_id, e.at), e.at)
        if e.kind in (EntryKind.SETTLED, EntryKind.CLAWBACK) and e.party is not Party.BUYER_REFUND:
            kept[e.order_id] += e.amount.fen
    totals: dict[str, int] = defaultdict(int)
    for order_id, at in first.items():
        if at < start:
            continue
        o = by_id[order_id]
        gmv = max(0, kept[order_id] - o.shipping.fen - o.subsidy.fen)
        brand = CATALOG.sku(o.sku_id).brand_id
        keys: dict[Subject, list[str]] = {
            Subject.BRAND: [brand] if brand else [],
            Subject.MERCHANT: [o.merchant_id],
            Subject.BRAND_MERCHANT: [o.merchant_id] if o.merchant_id in BRAND_MERCHANTS else [],
            Subject.SKU: [o.sku_id],
            Subject.TEAM_LEADER: [x for x in (o.terms.leader_id, o.terms.second_leader_id) if x],
        }
        for key in keys[subject]:
            totals[key] += gmv
    expected = sorted(k for k, x in totals.items() if x >= threshold_yuan * 100)
    goal = Goal("g", subject, Measure.GMV, Money(threshold_yuan * 100), 1)
    (progress,) = GoalTracker(goals=(goal,)).measure(settled_sales(ledger, orders, CATALOG), start=start)
    assert sorted(k for k, _ in progress.achieved) == expected
    assert progress.count == len(expected)
    assert progress.done == (len(expected) >= 1)


def test_units_goals_count_units_net_of_refunds() -> None:
    """A units goal with threshold 1 counts every SKU that kept at least one settled unit."""
    orders, ledger = _world(3, 150)
    sales = settled_sales(ledger, orders, CATALOG)
    (progress,) = GoalTracker(goals=(Goal("u", Subject.SKU, Measure.UNITS, 1, 5),)).measure(sales)
    kept: dict[str, int] = defaultdict(int)
    for s in sales:
        kept[s.sku_id] += s.units
    assert dict(progress.achieved) == {k: x for k, x in kept.items() if x >= 1}


def test_leader_earnings_are_their_settled_ledger_entries() -> None:
    """A leader's earnings equal the ledger balance of its settled and clawed-back fee entries."""
    orders, ledger = _world(11, 200)
    sales = settled_sales(ledger, orders, CATALOG)
    for report in leader_reports(CATALOG, ledger, sales):
        expected = sum(
            (
                ledger.balance(party, payee_id=report.leader_id, kind=kind)
                for party in (Party.TEAM_LEADER, Party.SECOND_LEADER)
                for kind in (EntryKind.SETTLED, EntryKind.CLAWBACK)
            ),
            Money(0),
        )
        assert report.earned == expected
        carried = {li.id for li in CATALOG.listings if li.terms.team_leader_id == report.leader_id}
        assert set(report.listings) == carried
    assert any(r.earned > Money(0) for r in leader_reports(CATALOG, ledger, sales))


def test_a_ledger_order_missing_from_the_orders_is_an_error() -> None:
    """Sales that cannot be attributed are refused rather than silently dropped."""
    orders, ledger = _world(5, 50)
    with pytest.raises(InvalidValueError, match="not among the orders"):
        settled_sales(ledger, orders[1:] if orders[0].status is OrderStatus.SETTLED else orders[:0], CATALOG)


def test_category_coverage_counts_categories_with_goods_at_each_tier_or_above() -> None:
    """Coverage at L0 is every category; at a tier, those whose best SKU reaches it."""
    coverage = category_coverage([("a", Tier.L1), ("a", Tier.L4), ("b", Tier.L2), ("c", Tier.L0)])
    assert coverage == {Tier.L0: 3, Tier.L1: 2, Tier.L2: 2, Tier.L3: 1, Tier.L4: 1, Tier.L5: 0}


def test_goal_thresholds_match_their_measure() -> None:
    """A GMV goal takes Money; a units goal a whole number."""
    with pytest.raises(InvalidValueError, match=r"Goal\.threshold"):
        Goal("x", Subject.SKU, Measure.GMV, 5, 1)
    with pytest.raises(InvalidValueError, match=r"Goal\.threshold"):
        Goal("x", Subject.SKU, Measure.UNITS, Money(5), 1)


def test_own_stream_sales_count_toward_the_merchants_goals() -> None:
    """A merchant's own-stream order (自播: no influencer, no commission) is a settled sale like any other: its GMV
    counts toward the merchant's GMV goal beside a distributed order."""
    paid_at = datetime(2026, 11, 11, 12, tzinfo=UTC)
    own = builders.order("200.00", id="o-own", influencer_id=None, paid_at=paid_at, terms=OrderTerms(Rate.zero()))
    sold = builders.order("100.00", id="o-kol", paid_at=paid_at)
    done = [
        o.receive(at=paid_at + timedelta(days=1)).settle(PROFILE, at=paid_at + timedelta(days=8)) for o in (own, sold)
    ]
    sales = settled_sales(Ledger().record_all(done, PROFILE), done)
    assert [(s.order_id, s.gmv) for s in sales] == [("o-kol", Money.of("100.00")), ("o-own", Money.of("200.00"))]
    goal = Goal("merchants", Subject.MERCHANT, Measure.GMV, Money.of("300.00"), 1)
    (progress,) = GoalTracker(goals=(goal,)).measure(sales)
    assert progress.achieved == (("m-1", Money.of("300.00")),)


# -- how the public targets are read (issue 19) --------------------------------------------------------------------


def test_the_hundred_million_merchant_goal_counts_brand_merchants_only() -> None:
    """Issue 19: "100个1亿+品牌商家" counted any merchant. An ordinary shop without a registered brand, however much
    it sells, is not a brand merchant; the same sales count for the all-merchants goal."""
    orders, ledger = _world(5, 200)
    sales = settled_sales(ledger, orders, CATALOG)
    ordinary = {s.merchant_id for s in sales} - BRAND_MERCHANTS
    assert ordinary  # the sample has ordinary sellers with settled sales
    assert BRAND_MERCHANTS & {s.merchant_id for s in sales}
    goal = DEFAULT_GOALS[1]
    everyone = Goal("any", Subject.MERCHANT, Measure.GMV, Money(1), 1)
    (brand, anyone) = GoalTracker(goals=(goal, everyone)).measure(sales)
    counted = {k for k, _ in brand.achieved + brand.leading}
    assert counted <= BRAND_MERCHANTS
    assert not counted & ordinary
    assert ordinary <= {k for k, _ in anyone.achieved}
    assert str(goal) == "100 brand merchants with GMV >= ¥100,000,000.00"


def test_a_brand_merchant_is_a_flagship_or_official_shop_or_a_registered_brands_seller() -> None:
    """The rule, merchant by merchant of the sample; without the catalog no sale is a brand merchant's."""
    assert {m.id for m in CATALOG.merchants if is_brand_merchant(m, CATALOG)} == BRAND_MERCHANTS
    orders, ledger = _world(5, 60)
    assert not any(s.brand_merchant for s in settled_sales(ledger, orders))


@settings(max_examples=20)
@given(st.integers(0, 10_000), st.integers(0, 120), st.integers(0, 30_000))
def test_brand_merchants_are_the_merchants_goal_restricted_to_brand_merchants(
    seed: int, count: int, threshold_yuan: int
) -> None:
    """For any sales and threshold, the brand-merchant goal's achievers are exactly the merchant goal's achievers
    that are brand merchants, with the same amounts."""
    orders, ledger = _world(seed, count)
    sales = settled_sales(ledger, orders, CATALOG)
    threshold = Money(threshold_yuan * 100)
    goals = (
        Goal("b", Subject.BRAND_MERCHANT, Measure.GMV, threshold, 1),
        Goal("m", Subject.MERCHANT, Measure.GMV, threshold, 1),
    )
    brand, merchant = GoalTracker(goals=goals, top=0).measure(sales)
    assert brand.achieved == tuple((k, x) for k, x in merchant.achieved if k in BRAND_MERCHANTS)


def test_million_sku_goal_has_a_units_reading_and_a_gmv_reading() -> None:
    """The 百万单品 goal: the default reads a million units; the GMV reading (a million yuan) is the other goal, and
    a program chooses by passing it. On the same sales the two count differently."""
    units, gmv = MILLION_SKU_READINGS["units"], MILLION_SKU_READINGS["gmv"]
    assert DEFAULT_GOALS[2] == units
    assert (units.measure, units.threshold) == (Measure.UNITS, 1_000_000)
    assert (gmv.subject, gmv.measure, gmv.threshold, gmv.target) == (
        Subject.SKU,
        Measure.GMV,
        Money.of("1000000"),
        10_000,
    )
    orders, ledger = _world(9, 120)
    sales = settled_sales(ledger, orders, CATALOG)
    low_units = Goal("u", Subject.SKU, Measure.UNITS, 1, 1)
    low_gmv = Goal("g", Subject.SKU, Measure.GMV, Money.of("100.00"), 1)
    by_units, by_gmv = GoalTracker(goals=(low_units, low_gmv)).measure(sales)
    assert {k for k, _ in by_units.achieved} != {k for k, _ in by_gmv.achieved}
