"""run_season: the flywheel week by week, seeded and exact; money conserved, budgets kept, perks driving traffic."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.ids import InfluencerId, MerchantId, SkuId
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog, TrafficBoost, default_perk_catalog, example_perk_inputs
from fenxiao.market.admission import AdmissionPolicy, AdmissionRule, Outcome
from fenxiao.market.goals import Goal, Measure, Subject
from fenxiao.money import Money, Rate
from fenxiao.periods.models import Models
from fenxiao.rules.language import Compare, Op
from fenxiao.sample import generate_catalog
from fenxiao.serialization import dumps
from fenxiao.settlement.ledger import EntryKind
from fenxiao.settlement.orders import Order, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, split
from fenxiao.simulate.config import (
    AdmissionConfig,
    BudgetPlan,
    PlacementConfig,
    ServiceConfig,
    SimulationConfig,
    TrafficConfig,
)
from fenxiao.simulate.config import default_simulation_config as defaults
from fenxiao.simulate.results import Season
from fenxiao.simulate.season import perks_in_force, run_season, subsidy_requests_of, week_period

#: A small catalog with goods at every grade from L0 to L5 (so that subsidies, badges and 达人优选 all act).
SEED = 24
SKUS = 40


@cache
def catalog() -> Catalog:
    return generate_catalog(seed=SEED, skus=SKUS)


@cache
def season() -> Season:
    return run_season(catalog(), seed=5, weeks=3)


def _digest(result: Season) -> str:
    return hashlib.sha256(dumps(result).encode("utf-8")).hexdigest()


# -- determinism ------------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_season() -> None:
    """Two runs of one seed are equal, and so is everything they serialize to."""
    again = run_season(catalog(), seed=5, weeks=3)
    assert again == season()
    assert _digest(again) == _digest(season())


def test_another_seed_gives_another_season() -> None:
    """The seed matters."""
    assert run_season(catalog(), seed=6, weeks=3).weeks != season().weeks


SCRIPT = """
import hashlib
from fenxiao.sample import generate_catalog
from fenxiao.serialization import dumps
from fenxiao.simulate import run_season
season = run_season(generate_catalog(seed={seed}, skus={skus}), seed=5, weeks=2)
print(hashlib.sha256(dumps(season).encode("utf-8")).hexdigest())
"""


def test_a_season_is_byte_identical_across_processes_and_hash_seeds() -> None:
    """Fresh interpreters with different PYTHONHASHSEED values write the same bytes as this one."""
    code = SCRIPT.format(seed=SEED, skus=SKUS)
    digests = set()
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        digests.add(result.stdout.strip())
    assert digests == {_digest(run_season(catalog(), seed=5, weeks=2))}


# -- the money path ---------------------------------------------------------------------------------------


@settings(max_examples=6)
@given(seed=st.integers(0, 2**32))
def test_money_is_conserved_through_every_split_and_the_ledger(seed: int) -> None:
    """Every order's lines add up to what came in; the ledger's entries add up to the paid amounts plus subsidies."""
    result = run_season(catalog(), seed=seed, weeks=2)
    profile = PlatformProfile.preset(defaults().platform)
    per_order: dict[str, int] = defaultdict(int)
    for entry in result.ledger.entries:
        if entry.kind is not EntryKind.RESERVE:
            per_order[entry.order_id] += entry.amount.fen
    assert result.orders
    for order in result.orders:
        parts = split(order, profile)
        assert parts.total_in == order.paid + order.shipping + order.subsidy
        assert sum(line.amount.fen for line in parts.lines) == parts.total_in.fen
        assert per_order[order.id] == order.total_in.fen
    assert sum(per_order.values()) == sum(o.paid.fen + o.subsidy.fen for o in result.orders)
    assert sum(o.subsidy.fen for o in result.orders) == sum(w.subsidy.fen for w in result.weeks)


QUICK = attrs.evolve(
    defaults(), service=ServiceConfig(receipt_days=0, refund_days=0, after_settlement=Rate.of("0.5"), clawback_days=0)
)


@settings(max_examples=5)
@given(seed=st.integers(0, 2**32), quick=st.booleans())
def test_refunds_give_their_subsidy_back_and_the_books_say_so_to_the_fen(seed: int, quick: bool) -> None:
    """Granted less returned is what the budget book holds: every order's subsidy is a grant in the book, every
    refund's subsidy share (the split's subsidy_return line, and the ledger's) came back to it, week by week."""
    result = run_season(catalog(), seed=seed, weeks=4, config=QUICK if quick else None)
    profile = PlatformProfile.preset(defaults().platform)
    book = result.state.budgets
    end = result.weeks[-1].as_of
    granted = sum(o.subsidy.fen for o in result.orders)
    owed = sum(split(o, profile, as_of=end).amount(Party.SUBSIDY_RETURN).fen for o in result.orders)
    ledger = sum(
        e.amount.fen
        for e in result.ledger.entries
        if e.party is Party.SUBSIDY_RETURN and e.kind is not EntryKind.RESERVE
    )
    assert granted == sum(w.subsidy.fen for w in result.weeks) == book.granted("official-subsidy").fen
    assert owed == ledger == sum(w.subsidy_returned.fen for w in result.weeks) == book.returned("official-subsidy").fen
    assert owed > 0
    assert book.spent("official-subsidy").fen == granted - owed
    for order in result.orders:
        if order.subsidy.fen:
            assert book.held(f"{order.id}:official-subsidy") == split(order, profile, as_of=end).subsidy


@settings(max_examples=6)
@given(seed=st.integers(0, 2**32), weekly=st.integers(0, 2_000_000), initial=st.integers(0, 2_000_000))
def test_budgets_are_never_overspent(seed: int, weekly: int, initial: int) -> None:
    """By every week's close a budget's burn (granted less given back by refunds) is at most its initial amount and
    the top-ups so far; no grant is above its request."""
    plan = BudgetPlan("official-subsidy", Money(initial), Money(weekly))
    result = run_season(catalog(), seed=seed, weeks=3, config=attrs.evolve(defaults(), budgets=(plan,)), ledger=False)
    burn = sum(g.granted.fen for g in result.reports[0].grants)
    assert burn <= plan.total_at(0).fen
    for week, report in zip(result.weeks, result.reports[1:], strict=True):
        assert all(g.granted <= g.requested for g in report.grants)
        burn += week.subsidy.fen - week.subsidy_returned.fen
        assert burn <= plan.total_at(week.week).fen
        assert week.budget_left.fen == plan.total_at(week.week).fen - burn
    assert result.state.budgets.spent("official-subsidy").fen == burn


def test_a_subsidy_caps_each_buyer_order_not_the_line() -> None:
    """Three one-unit buyer orders of ¥1,000 at L5 each get the ¥20 cap: ¥60, where one request per line got ¥20."""
    resolution = default_perk_catalog().resolve(Tier.L5, example_perk_inputs())
    line = Order(
        id="o-1",
        merchant_id=MerchantId("m-1"),
        sku_id=SkuId("s-1"),
        influencer_id=InfluencerId("k-1"),
        paid=Money.of("3000.00"),
        paid_at=datetime(2026, 11, 11, tzinfo=catalog().snapshots[0].observed_at.tzinfo),
        terms=OrderTerms(commission_rate=Rate.of("20%")),
        units=3,
    )
    (request,) = subsidy_requests_of(resolution, line, score=Decimal(95))
    assert (request.request_id, request.amount, request.tier) == ("o-1:official-subsidy", Money.of("60.00"), Tier.L5)
    assert (
        subsidy_requests_of(default_perk_catalog().resolve(Tier.L4, example_perk_inputs()), line, score=Decimal(0))
        == ()
    )


def test_orders_live_through_receipt_settlement_and_refunds() -> None:
    """Orders of the first week are settled by the end, with refunds before and after settlement among them."""
    first = [o for o in season().orders if o.id.startswith("w1-")]
    assert first
    assert all(o.status.value == "settled" for o in first)
    kinds = {e.id for o in season().orders for e in o.events}
    assert {"received", "settled", "refund", "clawback"} <= kinds
    last = [o for o in season().orders if o.id.startswith("w3-")]
    assert all(o.status.value == "received" for o in last)  # not yet due at the season's end


# -- traffic and the wheel --------------------------------------------------------------------------------

NO_PERKS = Models(perks=PerkCatalog(entries=(), name="none"))


@settings(max_examples=5)
@given(seed=st.integers(0, 2**32))
def test_with_every_perk_off_traffic_stays_at_its_base(seed: int) -> None:
    """No boost, no badge, no 达人优选 list: every SKU is seen by exactly its base views, week after week."""
    result = run_season(catalog(), seed=seed, weeks=3, models=NO_PERKS, ledger=False)
    assert result.skus
    assert all(row.traffic == row.base and row.promotions == 0 for row in result.skus)
    assert sum(w.subsidy.fen for w in result.weeks) == 0


def test_with_the_default_perks_the_wheel_turns() -> None:
    """Boosted, badged and promoted goods are seen by more than their base."""
    rows = season().skus
    assert any(row.traffic > row.base for row in rows)
    assert any(row.promotions for row in rows)
    assert all(row.traffic >= row.base for row in rows)


def _boosted(tier: Tier, multiplier: Decimal) -> Models:
    """The default perks with the traffic boost granted from *tier* set to *multiplier*."""
    catalog_ = default_perk_catalog()
    entries = tuple(
        attrs.evolve(e, perk=TrafficBoost(multiplier, e.perk.note))
        if e.perk.kind == "traffic_boost" and e.tier is tier
        else e
        for e in catalog_.entries
    )
    return Models(perks=attrs.evolve(catalog_, entries=entries))


BOOSTED_TIERS = [
    t for t in Tier if any(e.perk.kind == "traffic_boost" and e.tier is t for e in default_perk_catalog().entries)
]


@settings(max_examples=8)
@given(
    tier=st.sampled_from(BOOSTED_TIERS),
    low=st.decimals(1, 5, places=1),
    rise=st.decimals("0.1", 3, places=1),
    seed=st.integers(0, 2**32),
)
def test_raising_a_tiers_traffic_boost_never_lowers_its_units(
    tier: Tier, low: Decimal, rise: Decimal, seed: int
) -> None:
    """With the same draws, a higher multiplier at a tier sells at least as many units at that tier, SKU by SKU."""
    weaker = run_season(catalog(), seed=seed, weeks=1, models=_boosted(tier, low), ledger=False)
    stronger = run_season(catalog(), seed=seed, weeks=1, models=_boosted(tier, low + rise), ledger=False)
    before = {r.sku_id: r.units for r in weaker.skus if r.tier == tier.value}
    after = {r.sku_id: r.units for r in stronger.skus if r.tier == tier.value}
    assert before.keys() == after.keys()
    assert all(after[sku] >= units for sku, units in before.items())


def test_raising_the_l5_boost_raises_l5_units_averaged_over_seeds() -> None:
    """Over a few weeks and seeds, L5 goods sell more with ×3 than with ×2 (the default)."""

    def l5_units(multiplier: str) -> int:
        models = _boosted(Tier.L5, Decimal(multiplier))
        seasons = [run_season(catalog(), seed=s, weeks=3, models=models, ledger=False) for s in range(3)]
        return sum(t.units for s in seasons for t in s.tiers if t.tier == "L5")

    assert l5_units("3") > l5_units("2")


def test_calibration_reproduces_the_last_30_days_without_noise_or_promotions() -> None:
    """With no shock and no 达人优选 picks, week 1 sells each established SKU's weekly rate, to within a unit."""
    quiet = attrs.evolve(
        defaults(), traffic=attrs.evolve(defaults().traffic, noise=Rate.zero()), placement=PlacementConfig(picks=0)
    )
    result = run_season(catalog(), seed=1, weeks=1, config=quiet, ledger=False)
    start: dict[str, SkuSnapshot] = {s.sku_id: s for s in catalog().latest_snapshots()}
    for row in result.skus:
        snapshot = start.get(row.sku_id)
        if snapshot is not None and snapshot.units_30d >= 30:
            assert abs(row.units - snapshot.units_30d * 7 / 30) <= 1 + snapshot.units_30d / 3000, row


# -- admission --------------------------------------------------------------------------------------------


def _crowd(**changes: Any) -> SimulationConfig:
    return attrs.evolve(defaults(), admission=attrs.evolve(AdmissionConfig(applications=Decimal(4)), **changes))


def test_new_goods_join_through_admission_and_start_at_l0() -> None:
    """Applications that the admission policy approves join the pool at once, graded L0 (new, no sales)."""
    result = run_season(catalog(), seed=2, weeks=2, config=_crowd(new_merchant=Rate.of("1")), ledger=False)
    joined = [r for r in result.reports[1].rows if r.sku_id.startswith("sku-new-")]
    assert joined
    assert result.weeks[0].joined == len(joined)
    assert all(r.effective is Tier.L0 and r.rule == "new-sku" for r in joined)
    new_merchants = {m.id for m in result.catalog.merchants} - {m.id for m in catalog().merchants}
    assert new_merchants
    assert all(s.merchant_id in new_merchants for s in result.catalog.skus if s.id in {r.sku_id for r in joined})


def test_no_applications_no_new_goods() -> None:
    """With no applications and no recruiting the catalog keeps its goods."""
    none = AdmissionConfig(applications=Decimal(0), recruits=Decimal(0), recruits_per_million=Decimal(0))
    quiet = attrs.evolve(defaults(), admission=none)
    result = run_season(catalog(), seed=2, weeks=2, config=quiet, ledger=False)
    assert sum(w.applications for w in result.weeks) == 0
    assert len(result.catalog.skus) == len(catalog().skus)


def _policy(outcome: Outcome) -> AdmissionPolicy:
    return AdmissionPolicy(rules=(AdmissionRule("all", outcome, Compare("price", Op.GE, 0), "every SKU"),))


def test_rejected_applications_never_join() -> None:
    """A policy that rejects every application lets none in."""
    result = run_season(catalog(), seed=2, weeks=2, config=_crowd(), admission=_policy(Outcome.REJECT), ledger=False)
    assert sum(w.applications for w in result.weeks) > 0
    assert sum(w.rejected for w in result.weeks) == sum(w.applications for w in result.weeks)
    assert sum(w.joined for w in result.weeks) == 0


def test_reviewed_applications_join_after_the_review() -> None:
    """Applications sent to review and approved join the week after, with their listing approved after review."""
    config = _crowd(review_approve=Rate.of("1"))
    result = run_season(catalog(), seed=2, weeks=2, config=config, admission=_policy(Outcome.REVIEW), ledger=False)
    assert result.weeks[0].joined == 0
    assert result.weeks[1].joined == result.weeks[0].applications > 0
    listing = next(li for li in result.catalog.listings if li.id.startswith("l-new-"))
    assert listing.history[-1].reason == "approved in review"


def test_team_leaders_recruit_listings_they_carry() -> None:
    """A leader's recruits carry its id and a service fee."""
    config = attrs.evolve(defaults(), admission=AdmissionConfig(applications=Decimal(0), recruits=Decimal(3)))
    result = run_season(catalog(), seed=2, weeks=1, config=config, ledger=False)
    recruited = [li for li in result.catalog.listings if li.id.startswith("l-new-")]
    assert recruited
    assert all(li.terms.team_leader_id is not None and li.terms.leader_fee_rate is not None for li in recruited)


# -- the rows -------------------------------------------------------------------------------------------


def test_the_rows_add_up() -> None:
    """Each week's totals equal the sum of its SKU rows, of its tier rows and of its category rows."""
    result = season()
    for week in result.weeks:
        skus = [r for r in result.skus if r.week == week.week]
        tiers = [r for r in result.tiers if r.week == week.week]
        categories = [r for r in result.categories if r.week == week.week]
        assert (
            week.units == sum(r.units for r in skus) == sum(r.units for r in tiers) == sum(r.units for r in categories)
        )
        assert week.gmv.fen == sum(r.gmv.fen for r in skus) == sum(r.gmv.fen for r in tiers)
        assert week.traffic == sum(r.traffic for r in skus) == sum(r.traffic for r in tiers)
        assert week.subsidy.fen == sum(r.subsidy.fen for r in skus) == sum(r.subsidy.fen for r in tiers)
        assert week.commission.fen == sum(r.commission.fen for r in skus) == sum(r.commission.fen for r in categories)
        assert sum(r.entered for r in tiers) == sum(r.left for r in tiers) == week.promoted + week.demoted
        assert week.listed == len(skus) == sum(r.skus for r in tiers)
        assert sum(week.tiers.values()) == week.skus
        top = sum(r.gmv.fen for r in skus if r.tier in ("L4", "L5"))
        assert week.top_share == Decimal(top * 10**6 // week.gmv.fen).scaleb(-6)


def test_the_reports_are_the_periods_of_the_season() -> None:
    """A report for the start (w00) and one per week, each week's close seven days after the last."""
    result = season()
    assert [r.period for r in result.reports] == [week_period(w) for w in range(4)]
    assert result.state.periods == ("w00", "w01", "w02", "w03")
    assert [w.as_of - result.start for w in result.weeks] == [timedelta(days=7 * w) for w in (1, 2, 3)]


def test_goal_progress_is_measured_from_the_settled_sales() -> None:
    """The four public goals are far away for forty SKUs; a goal within reach is achieved by some."""
    assert [g.goal.name for g in season().goals] == [
        "super-brands",
        "hundred-million-merchants",
        "million-unit-skus",
        "hundred-million-leaders",
    ]
    assert all(g.count == 0 for g in season().goals)
    near = Goal("hundred-units", Subject.SKU, Measure.UNITS, 100, 1)
    result = run_season(catalog(), seed=5, weeks=3, goals=(near,))
    assert result.goals[0].count > 0
    assert result.goals[0].done


def test_the_flywheel_measures_where_gmv_comes_from() -> None:
    """The season's L4-L5 share is the tier rows' share; the L0 cohort counts the goods that began at L0."""
    result = season()
    gmv = sum(w.gmv.fen for w in result.weeks)
    top = sum(t.gmv.fen for t in result.tiers if t.tier in ("L4", "L5"))
    assert result.flywheel.top_share == Decimal(top * 10**6 // gmv).scaleb(-6)
    starting_l0 = sum(1 for r in result.reports[0].rows if r.effective is Tier.L0)
    assert result.flywheel.cohort >= starting_l0
    assert result.flywheel.reached_l3 <= result.flywheel.cohort


def test_without_the_ledger_there_are_no_goals() -> None:
    """ledger=False books nothing and measures no goal; the rows are the same."""
    light = run_season(catalog(), seed=5, weeks=3, ledger=False)
    assert light.ledger.entries == ()
    assert light.goals == ()
    assert light.weeks == season().weeks


def test_perks_in_force_read_the_granted_entries() -> None:
    """An L5 row's perks: the ×2 boost, both badge texts, rank +20; an L1 row's: nothing."""
    perks = perks_in_force(season().reports[0], Models())
    rows = season().reports[0].rows
    l5 = next(r.sku_id for r in rows if r.effective is Tier.L5)
    l1 = next(r.sku_id for r in rows if r.effective is Tier.L1)
    assert (perks[l5].boost_ppm, perks[l5].preferred) == (2_000_000, 20)
    assert "精选好物" in perks[l5].badges
    assert (perks[l1].boost_ppm, perks[l1].badges, perks[l1].preferred) == (1_000_000, frozenset(), None)


def test_a_baseline_other_than_the_models_acts_from_the_first_week() -> None:
    """Calibrated under the defaults, a season without perks sells less from week 1; calibrated under itself, not."""
    default = run_season(catalog(), seed=5, weeks=1, ledger=False)
    stopped = run_season(catalog(), seed=5, weeks=1, models=NO_PERKS, ledger=False)
    itself = run_season(catalog(), seed=5, weeks=1, models=NO_PERKS, baseline=NO_PERKS, ledger=False)
    assert stopped.weeks[0].units < default.weeks[0].units
    assert abs(itself.weeks[0].units - default.weeks[0].units) < default.weeks[0].units // 10


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"seed": -1}, r"run_season\.seed"),
        ({"weeks": 0}, r"run_season\.weeks"),
        ({"config": "default"}, r"run_season\.config"),
        ({"models": "default"}, r"run_season\.models"),
        ({"baseline": 1}, r"run_season\.baseline"),
        ({"admission": 1}, r"run_season\.admission"),
    ],
)
def test_bad_arguments_are_refused(changes: dict[str, object], path: str) -> None:
    """Each argument is checked, and the error names it."""
    arguments: dict[str, object] = {"seed": 1, "weeks": 1, **changes}
    with pytest.raises(InvalidValueError, match=path):
        run_season(catalog(), **arguments)  # type: ignore[arg-type]


def test_a_traffic_config_caps_the_views() -> None:
    """No channel is seen by more than the cap."""
    capped = attrs.evolve(defaults(), traffic=TrafficConfig(views_cap=50))
    result = run_season(catalog(), seed=1, weeks=1, config=capped, ledger=False)
    assert all(r.base <= 50 for r in result.skus)


def test_goods_given_away_make_no_orders() -> None:
    """A SKU priced at zero is graded but sells no distributed order (an order must pay something)."""
    free = catalog().snapshots[0].sku_id
    snapshots = tuple(attrs.evolve(s, price=Money(0)) if s.sku_id == free else s for s in catalog().snapshots)
    result = run_season(attrs.evolve(catalog(), snapshots=snapshots), seed=1, weeks=1)
    assert free in {r.sku_id for r in result.reports[-1].rows}
    assert all(o.sku_id != free for o in result.orders)
