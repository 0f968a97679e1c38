"""The season simulator: the 快分销 flywheel over a catalog, week by week (:func:`run_season`, the object path).

A season starts by grading the catalog as it is (period ``w00``). Then, every week:

1. **Traffic.** Each listed SKU is seen by its *base* views (calibrated so that, with the perks it holds at the
   start, it sells at the rate of its last 30 days; a SKU that has not sold draws cold-start views) times the
   traffic boost of its effective tier (流量加持), times the badge's lift when it has one (专属标识).
2. **达人优选.** Each of the catalog's influencers makes a few picks from the influencer-preferred list (the listings
   whose SKU holds an :class:`~fenxiao.grading.perks.InfluencerPreferred` perk): for each pick it works one of its
   main categories (drawn uniformly; the whole list when it has none or the category has no preferred listing)
   and picks a listing there with probability proportional to (its :class:`~fenxiao.market.pool.SelectionPool`
   ranking points + 1) to the power ``placement.exponent``. A pick adds ``fans × placement.reach`` views (with the
   badge's lift).
3. **Sales.** Each channel (the SKU's base views, sold by the long tail of promoters, and each influencer's
   promotion) sells ``views × conversion × price power × the week's shock`` units, rounded stochastically; price
   power is linear in the SKU's price score (价格力) of the last grading.
4. **Service.** Of each line's units, ``refund_rate`` (the SKU's own, from its first snapshot) come back, some of
   them after settlement; complaints follow the SKU's complaint rate.
5. **Admission.** Merchants apply on their own and first-level team leaders recruit (more the more GMV went
   through them in the last four weeks); each application resembles a listed SKU, is decided by the admission
   policy, and an approved SKU joins the pool at L0.
6. **The period.** The week's closing snapshots (rolling 30-day sales, refunds and complaints, promoters) are graded
   by :func:`~fenxiao.periods.run.run_period` with the program's state: tiers with hysteresis, perks on the
   effective tier, and the week's order lines granted their subsidies per buyer order (``per_unit=True``: one unit
   each) from budgets that carry over, after the refunds made since the last close gave their subsidy share back
   (``refunds=``). A refund made in the week its order was paid (short delays) gives its share back at the same
   close, after the grant, through the same :meth:`~fenxiao.grading.budgets.BudgetBook.settle_refunds`.
7. **Money.** Every order line (one per SKU and channel) carries its subsidy, splits through the platform profile
   and is recorded in the ledger; receipts, refunds, settlements and clawbacks happen on their dates as the weeks
   pass.

Every number is integer arithmetic on counter-based draws (:mod:`fenxiao.simulate.draws`): one seed gives the same
season, byte for byte, on every machine and in every process.

>>> from fenxiao.sample import generate_catalog
>>> season = run_season(generate_catalog(seed=3, skus=40), seed=1, weeks=2)
>>> [w.week for w in season.weeks], season.state.periods
([1, 2], ('w00', 'w01', 'w02'))
>>> run_season(generate_catalog(seed=3, skus=40), seed=1, weeks=2) == season
True

.. versionadded:: 0.1
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final, NamedTuple

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.progress import Progress, counted
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Merchant, Sku
from fenxiao.domain.ids import InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.listings import Listing, ListingStatus, ListingTerms
from fenxiao.domain.people import Influencer, LeaderLevel
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkResolution
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.grading.subsidies import (
    BudgetAllocation,
    SubsidyBudget,
    SubsidyGrant,
    SubsidyRequest,
    apply_subsidy,
    subsidy_requests,
)
from fenxiao.market.admission import AdmissionPolicy, Outcome, default_admission_policy, review_listing, sku_inputs
from fenxiao.market.goals import DEFAULT_GOALS, Goal, GoalProgress, GoalTracker, settled_sales
from fenxiao.market.pool import PoolEntry, SelectionPool
from fenxiao.money import Money, Rate
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.periods.run import run_period, snapshots_as_of
from fenxiao.periods.state import ProgramState
from fenxiao.settlement.ledger import Ledger
from fenxiao.settlement.orders import Order, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, split
from fenxiao.simulate import draws as d
from fenxiao.simulate.config import SimulationConfig, default_simulation_config, ppm_of
from fenxiao.simulate.results import CategoryWeek, Flywheel, Season, SkuWeek, TierWeek, WeekRow

__all__ = ["WeekPerks", "perks_in_force", "run_season", "subsidy_requests_of", "week_period"]

_PPM: Final = d.PPM
_WEEK: Final = timedelta(days=7)
#: The ranking points of a listing are read for an influencer with no fit (no main category, no price band).
_NEUTRAL: Final = Influencer(InfluencerId("simulate-neutral"), "neutral")
_PAGE: Final = 1000
#: A serious violation counts against a new SKU's snapshot for a year.
_YEAR_DAYS: Final = 365


@functools.lru_cache(maxsize=4096)
def _rate(ppm: int) -> Rate:
    """``Rate.from_ppm`` of a whole number of ppm, shared (rates are immutable; building one parses a Decimal)."""
    return Rate.from_ppm(ppm)


@checks_arguments
def week_period(week: int) -> str:
    """The period id of week *week* of a season (``"w00"`` is the grading at the start).

    >>> week_period(0), week_period(12)
    ('w00', 'w12')
    """
    return f"w{week:02d}"


@attrs.frozen
class WeekPerks:
    """What a SKU's perks do to its week: the tier in force, the traffic boost (ppm), its badge and its 达人优选 place.

    ``preferred`` is the rank boost of its :class:`~fenxiao.grading.perks.InfluencerPreferred` perk, ``None`` when
    it is not on the influencer-preferred list.
    """

    tier: Tier
    boost_ppm: int = _PPM
    badges: frozenset[str] = frozenset()
    preferred: int | None = None


@checks_arguments
def perks_in_force(report: PeriodReport, models: Models) -> dict[str, WeekPerks]:
    """Each SKU's :class:`WeekPerks` from a period report: the perks granted on its effective tier, by entry name.

    >>> from fenxiao.sample import load_sample
    >>> first = run_period(load_sample(), period="w00")
    >>> perks = perks_in_force(first.report, Models())
    >>> l5 = next(r.sku_id for r in first.report.rows if r.effective is Tier.L5)
    >>> perks[l5].boost_ppm, sorted(perks[l5].badges), perks[l5].preferred
    (2000000, ['badge-jingxuan', '精选好物'], 20)
    """
    by_name = {entry.name: entry.perk for entry in models.perks.entries}
    result: dict[str, WeekPerks] = {}
    for row in report.rows:
        boost = _PPM
        badges: set[str] = set()
        preferred: int | None = None
        for name in row.granted:
            perk: Any = by_name.get(name)
            kind = getattr(perk, "kind", None)
            if kind == "traffic_boost":
                boost = max(boost, ppm_of(perk.multiplier))
            elif kind == "badge":
                badges.update((perk.label, perk.icon))
            elif kind == "influencer_preferred":
                preferred = max(preferred or 0, perk.rank_boost)
        result[row.sku_id] = WeekPerks(row.effective, boost, frozenset(badges), preferred)
    return result


@checks_arguments
def subsidy_requests_of(resolution: PerkResolution, order: Order, *, score: Decimal) -> tuple[SubsidyRequest, ...]:
    """The subsidy requests of an order line whose units are separate one-unit buyer orders.

    A subsidy perk pays per buyer order (``5% of the paid amount, at most ¥20 per order``): each granted subsidy asks
    ``units ×`` what it pays one buyer order, so that its per-order cap applies to each buyer order and not to the
    line. Request ids are ``"{order.id}:{budget}"``, as :func:`~fenxiao.grading.subsidies.subsidy_requests` names
    them (so :func:`~fenxiao.grading.subsidies.apply_subsidy` puts the grant on the order). This is
    ``subsidy_requests(resolution, [order], score=score, per_unit=True)``: what
    :func:`~fenxiao.periods.run.run_period` asks for a season's lines (``per_unit=True``).

    >>> from datetime import datetime, timezone
    >>> from fenxiao.grading.perks import default_perk_catalog, example_perk_inputs
    >>> resolution = default_perk_catalog().resolve(Tier.L5, example_perk_inputs())
    >>> t = datetime(2026, 11, 11, tzinfo=timezone.utc)
    >>> line = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("1000.00"),
    ...              paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")), units=2)
    >>> [(r.request_id, str(r.amount)) for r in subsidy_requests_of(resolution, line, score=Decimal(95))]
    [('o-1:official-subsidy', '¥40.00')]
    """
    return subsidy_requests(resolution, [order], score=score, per_unit=True)


class _Sim:
    """One SKU through the season (private, mutable): its listing, calibration and weekly history."""

    __slots__ = (
        "base",
        "complaint_ppm",
        "complaints",
        "first",
        "gmv",
        "key",
        "level1",
        "listing",
        "named",
        "promoter_ppm",
        "refund_ppm",
        "refunded",
        "seq",
        "sku",
        "snapshot",
        "units",
    )

    def __init__(self, sku: Sku, seq: int, listing: Listing | None, level1: str, snapshot: SkuSnapshot) -> None:
        self.sku = sku
        self.seq = seq
        self.key: int = d.key_of(sku.id)
        self.listing = listing
        self.level1 = level1
        self.snapshot = snapshot
        self.first = snapshot  # what a new SKU resembling it copies (its sales aside)
        # An unobserved rate draws no refunds or complaints (as its old default of 0% did).
        self.refund_ppm = 0 if snapshot.refund_rate is None else snapshot.refund_rate.ppm
        self.complaint_ppm = 0 if snapshot.complaint_rate is None else snapshot.complaint_rate.ppm
        self.promoter_ppm = 0
        self.base = 0
        # Weekly history, oldest first: units, refunded units and complaints in thousandths, GMV in fen, and the
        # catalog's influencers who promoted the SKU. Eight weeks before the season come from its first snapshot.
        weekly = snapshot.units_30d * 7000 // 30
        before = snapshot.units_prev_30d * 7000 // 30
        self.units: list[int] = [before] * 4 + [weekly] * 4
        self.gmv: list[int] = [snapshot.gmv_prev_30d.fen * 7 // 30] * 4 + [snapshot.gmv_30d.fen * 7 // 30] * 4
        self.refunded: list[int] = [u * self.refund_ppm // _PPM for u in self.units]
        self.complaints: list[int] = [u * self.complaint_ppm // _PPM for u in self.units]
        self.named: list[frozenset[str]] = [frozenset()] * 8
        if snapshot.units_30d:
            self.promoter_ppm = snapshot.promoting_influencers * _PPM // snapshot.units_30d

    def selling(self) -> Listing | None:
        """The SKU's listing when it is approved (the SKU can sell), else ``None``."""
        listing = self.listing
        return listing if listing is not None and listing.status is ListingStatus.APPROVED else None


class _Line:
    """One sales line of a week: a SKU sold through one channel (private)."""

    __slots__ = (
        "after",
        "channel",
        "commission",
        "influencer",
        "key",
        "order",
        "promotions",
        "refunded",
        "sim",
        "units",
        "views",
    )

    def __init__(
        self, sim: _Sim, channel: int, influencer: Influencer | None, views: int, key: int, promotions: int
    ) -> None:
        self.sim = sim
        self.channel = channel
        self.influencer = influencer
        self.views = views
        self.key = key
        self.promotions = promotions
        self.units = 0
        self.refunded = 0
        self.after = 0
        self.commission = 0
        self.order: Order | None = None


class _Event(NamedTuple):
    """A dated step of an order's life, applied when the season reaches it (private)."""

    at: datetime
    order_id: str
    step: int  # 0 receipt, 1 refund before settlement, 2 settlement, 3 refund after it: ties resolve in this order
    units: int


class _Applicant(NamedTuple):
    """A SKU approved into the pool, with the merchant it brings when that merchant is new (private)."""

    merchant: Merchant | None
    sku: Sku
    listing: Listing
    snapshot: SkuSnapshot


def _id(item: Any) -> str:
    return str(item.id)


def _median(values: Sequence[int]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return (Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2


def _share(part: int, whole: int) -> Decimal:
    """*part* / *whole* to the ppm, rounded down (0 when *whole* is 0): exact in any decimal context."""
    return Decimal(part * _PPM // whole).scaleb(-6) if whole else Decimal(0)


def _window(history: Sequence[int], start: int, end: int) -> int:
    return sum(history[len(history) - end : len(history) - start])


class _Template(NamedTuple):
    """What a new SKU copies from the listed SKU it resembles (private): its goods, listing and service."""

    sku: Sku
    listing: Listing | None
    snapshot: SkuSnapshot  # the SKU's first snapshot of the season
    refund_ppm: int
    complaint_ppm: int


def _models_at(models: Models, config: SimulationConfig, week: int) -> Models:
    """*models* with the budgets of *config* as they stand in *week* (topped up every week), if it plans any."""
    if not config.budgets:
        return models
    budgets = tuple(SubsidyBudget(p.name, p.total_at(week)) for p in config.budgets)
    return attrs.evolve(models, budgets=budgets)


def _recent(history: Sequence[Mapping[str, int]]) -> dict[str, int]:
    """Each leader's GMV over the last four weeks."""
    recent: dict[str, int] = defaultdict(int)
    for per_leader in history[-4:]:
        for name, gmv in per_leader.items():
            recent[name] += gmv
    return recent


class _Admissions:
    """Applications and recruiting, week by week (private; both paths of a season share it).

    It owns the merchants (new ones join with their first SKU), the count of applications (new ids) and the SKUs
    approved in review that join the pool the next week.
    """

    def __init__(self, seed: int, config: SimulationConfig, policy: AdmissionPolicy, catalog: Catalog) -> None:
        self.seed = seed
        self.config = config
        self.policy = policy
        self.catalog = catalog
        self.leaders = tuple(sorted((t for t in catalog.team_leaders if t.level is LeaderLevel.FIRST), key=_id))
        self.merchants: dict[str, Merchant] = {m.id: m for m in catalog.merchants}
        self.taken: set[str] = {s.id for s in catalog.skus}
        self.applied = 0
        self.pending: list[_Applicant] = []

    def week(
        self,
        week: int,
        close: datetime,
        listed: Sequence[int],
        carrier: Callable[[int], str | None],
        recent: Mapping[str, int],
        template: Callable[[int], _Template],
    ) -> tuple[int, list[_Applicant], int]:
        """The week's applications over the *listed* rows: how many, those approved at once, how many refused.

        Those approved in review wait in :attr:`pending` (they join the pool after the review, graded from the next
        close). A new merchant is added to :attr:`merchants` when its SKU is approved.
        """
        if not listed:
            return 0, [], 0
        admission = self.config.admission
        carried: dict[str, list[int]] = defaultdict(list)
        for row in listed:
            name = carrier(row)
            if name is not None:
                carried[name].append(row)
        sources: list[tuple[str, str | None, int]] = [("organic", None, ppm_of(admission.applications))]
        for leader in self.leaders:
            extra = ppm_of(admission.recruits_per_million) * recent.get(leader.id, 0) // 100_000_000
            sources.append((f"leader:{leader.id}", leader.id, ppm_of(admission.recruits) + extra))
        applications, rejected = 0, 0
        approved: list[_Applicant] = []
        for source, leader_id, rate_ppm in sources:
            source_key = d.key_of(source)
            u = d.uniform_ppm(d.draw(self.seed, week, d.Stream.APPLICATIONS, source_key))
            for i in range(int(d.round_stochastic(rate_ppm // 1000, u))):
                applications += 1
                key = d.mix64(source_key ^ (i + 1))
                own = carried.get(leader_id, []) if leader_id is not None else []
                rows = own or listed
                row = rows[int(d.draw(self.seed, week, d.Stream.TEMPLATE, key) % len(rows))]
                applicant = self.apply(week, close, key, template(row), leader_id, bool(own))
                if applicant is None:
                    rejected += 1
                    continue
                if applicant.merchant is not None:
                    self.merchants[applicant.merchant.id] = applicant.merchant
                if applicant.sku.joined_at <= close:
                    approved.append(applicant)
                else:
                    self.pending.append(applicant)
        return applications, approved, rejected

    def apply(
        self, week: int, close: datetime, key: int, template: _Template, leader_id: str | None, own: bool
    ) -> _Applicant | None:
        """One application resembling *template*, decided by the admission policy (``None`` when refused)."""
        admission = self.config.admission
        self.applied += 1
        while f"sku-new-{self.applied:05d}" in self.taken:
            self.applied += 1  # a catalog that already uses the name
        n = self.applied
        self.taken.add(f"sku-new-{n:05d}")
        parent = self.merchants[template.sku.merchant_id]
        merchant, is_new = parent, False
        if d.uniform_ppm(d.draw(self.seed, week, d.Stream.MERCHANT, key)) < admission.new_merchant.ppm:
            age = int(d.draw(self.seed, week, d.Stream.MERCHANT, key ^ 1) % 60)
            merchant = attrs.evolve(
                parent,
                id=MerchantId(f"m-new-{n:05d}"),
                name=f"新店{n}",
                opened_on=close.date() - timedelta(days=age),
                brand_ids=(),
            )
            is_new = True
        low, high = ppm_of(admission.price_low), ppm_of(admission.price_high)
        multiple = low + (high - low) * d.uniform_ppm(d.draw(self.seed, week, d.Stream.PRICE, key)) // _PPM
        price = Money(max(1, template.snapshot.price.fen * multiple // _PPM))
        source = template.listing.terms if template.listing is not None else ListingTerms(Rate.zero())
        if leader_id is None:
            terms = ListingTerms(commission_rate=source.commission_rate)
        elif own:
            terms = source
        else:
            terms = ListingTerms(
                commission_rate=source.commission_rate,
                team_leader_id=TeamLeaderId(leader_id),
                leader_fee_rate=admission.leader_fee,
            )
        sku = Sku(
            id=SkuId(f"sku-new-{n:05d}"),
            merchant_id=merchant.id,
            category_id=template.sku.category_id,
            title=template.sku.title,
            price=price,
            joined_at=close,
            brand_id=None,
        )
        category = self.catalog.category(sku.category_id)
        listing = Listing(
            id=ListingId(f"l-new-{n:05d}"), sku_id=sku.id, terms=terms, applied_at=close - timedelta(days=1)
        )
        inputs = sku_inputs(merchant, sku, category, terms, as_of=close, profile=self.policy.profile)
        decision = self.policy.decide(inputs, subject=sku.id)
        listing = review_listing(listing, decision, at=close)
        joined = close
        if decision.outcome is Outcome.REJECT:
            return None
        if decision.outcome is Outcome.REVIEW:
            joined = close + timedelta(hours=self.policy.review_hours)
            if d.uniform_ppm(d.draw(self.seed, week, d.Stream.REVIEW, key)) >= admission.review_approve.ppm:
                return None
            listing = listing.transition(ListingStatus.APPROVED, at=joined, reason="approved in review")
            sku = attrs.evolve(sku, joined_at=joined)
        violation = merchant.last_serious_violation_on
        ref = template.snapshot.reference_price
        snapshot = attrs.evolve(
            template.snapshot,
            sku_id=sku.id,
            observed_at=joined,
            joined_at=joined,
            price=price,
            reference_price=None if ref is None else Money(ref.fen * multiple // _PPM),
            lowest_price_30d=price,
            units_30d=0,
            gmv_30d=Money(0),
            units_prev_30d=0,
            gmv_prev_30d=Money(0),
            repurchase_rate=Rate.zero(),
            promoting_influencers=0,
            team_leaders=1 if leader_id is not None else 0,
            refund_rate=_rate(template.refund_ppm),
            complaint_rate=_rate(template.complaint_ppm),
            brand_registered=False,
            brand_authorised=False,
            flagship_shop=merchant.shop_kind.value in ("flagship", "official"),
            on_brand_list=False,
            brand_gmv_30d=Money(0),
            serious_violations_365d=int(violation is not None and (close.date() - violation).days <= _YEAR_DAYS),
        )
        return _Applicant(merchant if is_new else None, sku, listing, snapshot)


class _Season:
    """The machinery of one season (private): built by :func:`run_season`, run week by week."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        seed: int,
        config: SimulationConfig,
        models: Models,
        baseline: Models,
        admission: AdmissionPolicy,
    ) -> None:
        self.seed = seed
        self.config = config
        self.models = models
        self.baseline = baseline
        self.admission = admission
        self.profile = PlatformProfile.preset(config.platform)
        self.start = catalog_as_of(catalog)
        self.catalog = catalog
        self.influencers = tuple(sorted(catalog.influencers, key=lambda i: i.id))
        self.skus: list[Sku] = list(catalog.skus)
        self.listings: list[Listing] = list(catalog.listings)
        self.level1 = {c.id: c.level1 for c in catalog.categories}
        traffic = config.traffic
        self.conversion = traffic.conversion.ppm
        self.badge_ppm = _PPM + traffic.badge_lift.ppm
        self.floor = ppm_of(traffic.price_floor)
        self.ceiling = ppm_of(traffic.price_ceiling)
        self.noise = traffic.noise.ppm
        self.cap = traffic.views_cap
        self.reach = config.placement.reach.ppm
        self.long_tail = InfluencerId(config.long_tail_influencer)
        self.state = ProgramState()
        self.ledger = Ledger()
        self.orders: dict[str, Order] = {}
        self.events: list[_Event] = []
        #: Orders with a subsidy refunded since the last close's returns (ids): their share goes back at the next.
        self.unreturned: set[str] = set()
        self.reports: list[PeriodReport] = []
        self.week_rows: list[WeekRow] = []
        self.tier_rows: list[TierWeek] = []
        self.category_rows: list[CategoryWeek] = []
        self.sku_rows: list[SkuWeek] = []
        self.sims: list[_Sim] = []
        self.by_sku: dict[str, _Sim] = {}
        self.first_seen: dict[str, tuple[int, Tier]] = {}
        self.reached: dict[str, int] = {}
        self.perks: dict[str, WeekPerks] = {}
        self.rows: dict[str, SkuPeriod] = {}
        self.brand_extra: dict[str, int] = {}
        self.admissions = _Admissions(seed, config, admission, catalog)
        self.default_promoters = 0
        approved = {li.sku_id: li for li in catalog.listings if li.status is ListingStatus.APPROVED}
        first_listing: dict[str, Listing] = {}
        for li in catalog.listings:
            first_listing.setdefault(li.sku_id, li)
        for snap in snapshots_as_of(catalog, self.start):
            sku = catalog.sku(snap.sku_id)
            self._add(sku, approved.get(sku.id) or first_listing.get(sku.id), snap)
        for sim in self.sims:  # the brand GMV of every SKU's brand outside this catalog
            brand = sim.sku.brand_id
            if brand is not None and brand not in self.brand_extra:
                self.brand_extra[brand] = sim.snapshot.brand_gmv_30d.fen
        for sim in self.sims:
            brand = sim.sku.brand_id
            if brand is not None:
                self.brand_extra[brand] = max(0, self.brand_extra[brand] - sim.snapshot.gmv_30d.fen)
        per_leader: dict[str, int] = defaultdict(int)
        for sim in self.sims:
            listing = sim.selling()
            if listing is not None and listing.terms.team_leader_id is not None:
                per_leader[listing.terms.team_leader_id] += sim.gmv[-1]
        self.leader_gmv: list[dict[str, int]] = [dict(per_leader)] * 4

    def _add(self, sku: Sku, listing: Listing | None, snapshot: SkuSnapshot) -> _Sim:
        sim = _Sim(sku, len(self.sims), listing, self.level1.get(sku.category_id, ""), snapshot)
        self.sims.append(sim)
        self.by_sku[sku.id] = sim
        return sim

    # -- models, budgets, the catalog ---------------------------------------------------------------------

    def models_at(self, week: int) -> Models:
        return _models_at(self.models, self.config, week)

    def budget_left(self, models: Models) -> Money:
        left = 0
        for budget in models.budgets:
            spent = self.state.budgets.spent(budget.name, currency=budget.total.currency)
            left += max(0, budget.total.fen - spent.fen)
        return Money(left)

    def catalog_now(self, snapshots: Sequence[SkuSnapshot] | None = None) -> Catalog:
        old = self.catalog
        return Catalog(
            categories=old.categories,
            brands=old.brands,
            merchants=tuple(self.admissions.merchants.values()),
            skus=tuple(self.skus),
            influencers=old.influencers,
            team_leaders=old.team_leaders,
            listings=tuple(self.listings),
            snapshots=old.snapshots if snapshots is None else (*old.snapshots, *snapshots),
        )

    # -- the season's start -------------------------------------------------------------------------------

    def begin(self) -> None:
        """Grade the catalog as it is (``w00``) and calibrate every SKU's base views against the baseline."""
        snapshots = [s.snapshot for s in self.sims]
        models = self.models_at(0)
        baseline = attrs.evolve(self.baseline, budgets=models.budgets)
        if baseline != models:
            # The history happened under the baseline: calibrate under it, then grade with the season's models.
            reference = run_period(
                self.catalog,
                ProgramState(),
                period=week_period(0),
                as_of=self.start,
                models=baseline,
                snapshots=snapshots,
            )
            self.rows = {r.sku_id: r for r in reference.report.rows}
            self.perks = perks_in_force(reference.report, baseline)
            self._calibrate()
        result = run_period(
            self.catalog, self.state, period=week_period(0), as_of=self.start, models=models, snapshots=snapshots
        )
        self._graded(0, result.state, result.report, models)
        if baseline == models:
            self._calibrate()

    def _calibrate(self) -> None:
        """Each SKU's base views: what sells its last 30 days' weekly rate under the perks it held at the start.

        The catalog's influencers already promoted goods before the season, so a SKU's expected 达人优选 views are
        part of that rate: the base is what the rate needs beyond them (never below zero).
        """
        promoted = self.expected_placement()
        sold = [s for s in self.sims if s.snapshot.units_30d]
        units = sum(s.snapshot.units_30d for s in sold)
        self.default_promoters = sum(s.snapshot.promoting_influencers for s in sold) * _PPM // units if units else 0
        for sim in self.sims:
            if not sim.snapshot.units_30d:
                sim.promoter_ppm = self.default_promoters
                sim.base = self._cold_start(sim)
                continue
            held = self.perks[sim.sku.id]
            badge = self.badge_ppm if held.badges else _PPM
            price = self._price_power(sim)
            promotion = promoted.get(sim.sku.id, 0)
            sim.base = int(
                d.base_views(sim.units[-1], self.conversion, price, held.boost_ppm, badge, promotion, self.cap)
            )

    def _cold_start(self, sim: _Sim) -> int:
        u = d.uniform_ppm(d.draw(self.seed, 0, d.Stream.COLD, sim.key))
        return min(self.cap, int(self.config.traffic.cold_start_views * 2 * u // _PPM))

    def _price_power(self, sim: _Sim) -> int:
        row = self.rows.get(sim.sku.id)
        score = row.scores.get("price", Decimal(0)) if row is not None else Decimal(0)
        return int(d.price_power_ppm(int(score.scaleb(2)), self.floor, self.ceiling))

    def _graded(self, week: int, state: ProgramState, report: PeriodReport, models: Models) -> None:
        self.state = state
        self.reports.append(report)
        self.rows = {r.sku_id: r for r in report.rows}
        self.perks = perks_in_force(report, models)
        for row in report.rows:
            if row.sku_id not in self.first_seen:
                self.first_seen[row.sku_id] = (week, row.effective)
            if row.effective >= Tier.L3 and row.sku_id not in self.reached:
                self.reached[row.sku_id] = week

    # -- 达人优选: the catalog's influencers pick from the influencer-preferred list -------------------------

    def preferred_list(self) -> tuple[dict[str | None, list[str]], dict[str | None, list[int]]]:
        """The influencer-preferred list as the choice model reads it.

        Returns the SKUs of each category (and of the whole list, under ``None``) in listing-id order, and the
        running totals of their choice weights, (ranking points + 1) ** exponent.
        """
        entries = [self._entry(sim) for sim in self.sims if self._preferred(sim)]
        groups: dict[str | None, list[str]] = defaultdict(list)
        cumulative: dict[str | None, list[int]] = {}
        if not entries:
            return groups, cumulative
        pool = SelectionPool(entries)
        points: dict[str, int] = {}
        for page in range(1, -(-len(entries) // _PAGE) + 1):
            for item in pool.rank(_NEUTRAL, page=page, page_size=_PAGE).items:
                points[item.entry.listing_id] = item.points
        for entry in pool.entries:  # in listing-id order
            groups[entry.category_id].append(entry.sku_id)
            groups[None].append(entry.sku_id)
        exponent = self.config.placement.exponent
        weight = {e.sku_id: (points[e.listing_id] + 1) ** exponent for e in pool.entries}
        for category, members in groups.items():
            running, totals = 0, []
            for sku_id in members:
                running += weight[sku_id]
                totals.append(running)
            cumulative[category] = totals
        return groups, cumulative

    def placements(self, week: int) -> dict[tuple[str, str], tuple[int, int]]:
        """The week's picks: (SKU id, influencer id) → (views, picks)."""
        picks = self.config.placement.picks
        groups, cumulative = self.preferred_list()
        chosen: dict[tuple[str, str], tuple[int, int]] = {}
        if not picks or not groups:
            return chosen
        for influencer in self.influencers:
            key = d.key_of(influencer.id)
            views = min(influencer.fans, d.MAX_FANS) * self.reach // _PPM
            mains = influencer.main_category_ids
            for j in range(picks):
                pick = (key + j) & d.MASK64
                category: str | None = None
                if mains:
                    category = mains[int(d.draw(self.seed, week, d.Stream.CATEGORY, pick) % len(mains))]
                    if category not in groups:
                        category = None
                totals = cumulative[category]
                r = d.draw(self.seed, week, d.Stream.LISTING, pick) % totals[-1]
                sku_id = groups[category][bisect.bisect_right(totals, r)]
                seen, count = chosen.get((sku_id, influencer.id), (0, 0))
                chosen[(sku_id, influencer.id)] = (seen + views, count + 1)
        return chosen

    def expected_placement(self) -> dict[str, int]:
        """Each SKU's expected 达人优选 views a week under the current list.

        An influencer's picks land in each of its main categories with probability 1/n (in ppm, rounded down), and
        on a listing there in proportion to its weight: a category's pull is the sum of its influencers' views ×
        that share, and a SKU expects ``picks × pull × weight / (category weight × 1,000,000)``, rounded down once.
        """
        picks = self.config.placement.picks
        groups, cumulative = self.preferred_list()
        expected: dict[str, int] = defaultdict(int)
        if not picks or not groups:
            return expected
        pull: dict[str | None, int] = defaultdict(int)
        for influencer in self.influencers:
            views = min(influencer.fans, d.MAX_FANS) * self.reach // _PPM
            targets: list[str | None] = [c if c in groups else None for c in influencer.main_category_ids] or [None]
            for target in targets:
                pull[target] += views * (_PPM // len(targets))
        for group, weight in pull.items():
            totals = cumulative[group]
            previous = 0
            for sku_id, running in zip(groups[group], totals, strict=True):
                expected[sku_id] += picks * weight * (running - previous) // (totals[-1] * _PPM)
                previous = running
        return expected

    def _preferred(self, sim: _Sim) -> bool:
        held = self.perks.get(sim.sku.id)
        return sim.selling() is not None and held is not None and held.preferred is not None

    def _entry(self, sim: _Sim) -> PoolEntry:
        held = self.perks[sim.sku.id]
        row = self.rows[sim.sku.id]
        listing = sim.selling() or sim.listing
        if listing is None:  # pragma: no cover - _preferred admits only listed SKUs
            raise InvalidValueError("run_season.listing", sim.sku.id, "has no listing")
        return PoolEntry(
            listing_id=listing.id,
            sku_id=sim.sku.id,
            merchant_id=sim.sku.merchant_id,
            category_id=sim.sku.category_id,
            category_level1=sim.level1,
            title=sim.sku.title,
            price=sim.snapshot.price,
            commission_rate=listing.terms.commission_rate,
            team_leader_id=listing.terms.team_leader_id,
            tier=held.tier,
            composite=row.composite,
            service_score=row.scores.get("service", Decimal(0)),
            preferred_boost=held.preferred or 0,
            badges=held.badges,
        )

    # -- sales ----------------------------------------------------------------------------------------------

    def sales(self, week: int, picks: Mapping[tuple[str, str], tuple[int, int]]) -> list[_Line]:
        """Every sales line of the week, with its units, refunds and the refunds that come after settlement."""
        by_sku: dict[str, list[tuple[Influencer, int, int]]] = defaultdict(list)
        influencers: dict[str, Influencer] = {i.id: i for i in self.influencers}
        for (sku_id, influencer_id), (views, count) in sorted(picks.items()):
            by_sku[sku_id].append((influencers[influencer_id], views, count))
        service = self.config.service
        lines: list[_Line] = []
        for sim in self.sims:
            held = self.perks.get(sim.sku.id)
            if sim.selling() is None or held is None or not sim.snapshot.price.fen:
                continue  # not in the pool, not graded yet, or given away (a free item is no distributed order)
            badge = self.badge_ppm if held.badges else _PPM
            sku_lines = [_Line(sim, 0, None, min(self.cap, d.views_of(sim.base, held.boost_ppm, badge)), sim.key, 0)]
            for n, (influencer, views, count) in enumerate(by_sku.get(sim.sku.id, ()), start=1):
                key = d.mix64(sim.key ^ d.key_of(influencer.id))
                sku_lines.append(_Line(sim, n, influencer, min(self.cap, d.scale_ppm(views, badge)), key, count))
            u1 = d.uniform_ppm(d.draw(self.seed, week, d.Stream.SHOCK_A, sim.key))
            u2 = d.uniform_ppm(d.draw(self.seed, week, d.Stream.SHOCK_B, sim.key))
            shock = d.shock_ppm(u1, u2, self.noise)
            price = self._price_power(sim)
            for line in sku_lines:
                milli = d.expected_milli(line.views, self.conversion, price, shock)
                line.units = int(
                    d.round_stochastic(milli, d.uniform_ppm(d.draw(self.seed, week, d.Stream.UNITS, line.key)))
                )
                refund = line.units * sim.refund_ppm // 1000
                line.refunded = int(
                    d.round_stochastic(refund, d.uniform_ppm(d.draw(self.seed, week, d.Stream.REFUND, line.key)))
                )
                after = line.refunded * service.after_settlement.ppm // 1000
                line.after = int(
                    d.round_stochastic(after, d.uniform_ppm(d.draw(self.seed, week, d.Stream.AFTER, line.key)))
                )
            lines.extend(sku_lines)
        return lines

    # -- orders and the buyer orders that ask for subsidies ----------------------------------------------------

    def order_lines(self, week: int, lines: Sequence[_Line], paid_at: datetime) -> None:
        """Give every line that sold an :class:`Order` (no subsidy yet)."""
        for line in lines:
            listing = line.sim.selling()
            if not line.units or listing is None:
                continue
            sim, influencer, terms = line.sim, line.influencer, listing.terms
            order_id = f"w{week}-s{sim.seq}-c{line.channel}"
            line.order = Order(
                id=order_id,
                merchant_id=sim.sku.merchant_id,
                sku_id=sim.sku.id,
                influencer_id=influencer.id if influencer is not None else self.long_tail,
                paid=sim.snapshot.price * line.units,
                paid_at=paid_at,
                terms=OrderTerms(
                    commission_rate=terms.commission_rate,
                    leader_id=terms.team_leader_id,
                    leader_fee_rate=terms.leader_fee_rate,
                    mcn_id=influencer.mcn_id if influencer is not None else None,
                    mcn_share=influencer.mcn_share if influencer is not None else None,
                ),
                units=line.units,
                category_id=sim.sku.category_id,
                category_level1=sim.level1 or None,
            )

    # -- admission: merchants apply, team leaders recruit ------------------------------------------------

    def admit(self, week: int, close: datetime) -> tuple[int, list[_Applicant], int]:
        """The week's applications: how many, those approved at the close, and how many were turned down."""
        listed = [s.seq for s in self.sims if s.selling() is not None]

        def carrier(seq: int) -> str | None:
            listing = self.sims[seq].listing
            return listing.terms.team_leader_id if listing is not None else None

        def template(seq: int) -> _Template:
            sim = self.sims[seq]
            return _Template(sim.sku, sim.listing, sim.first, sim.refund_ppm, sim.complaint_ppm)

        return self.admissions.week(week, close, listed, carrier, _recent(self.leader_gmv), template)

    def join(self, applicant: _Applicant) -> None:
        self.skus.append(applicant.sku)
        self.listings.append(applicant.listing)
        sim = self._add(applicant.sku, applicant.listing, applicant.snapshot)
        sim.promoter_ppm = self.default_promoters
        sim.base = self._cold_start(sim)

    # -- the week's closing snapshots ----------------------------------------------------------------------

    def snapshots_at(self, week: int, close: datetime) -> list[SkuSnapshot]:
        """Every SKU's snapshot at the close: rolling 30-day sales, refunds and complaints, promoters, brand GMV."""
        gmv30 = {sim.sku.id: _window(sim.gmv, 0, 4) * 30 // 28 for sim in self.sims}
        brands: dict[str, int] = dict(self.brand_extra)
        for sim in self.sims:
            if sim.sku.brand_id is not None:
                brands[sim.sku.brand_id] = brands.get(sim.sku.brand_id, 0) + gmv30[sim.sku.id]
        snapshots: list[SkuSnapshot] = []
        for sim in self.sims:
            window = _window(sim.units, 0, 4)
            units30 = (window * 30 // 28 + 500) // 1000
            before = (_window(sim.units, 4, 8) * 30 // 28 + 500) // 1000
            named = frozenset().union(*sim.named[-4:])
            u = d.uniform_ppm(d.draw(self.seed, week, d.Stream.PROMOTERS, sim.key))
            promoters = int(d.round_stochastic(units30 * sim.promoter_ppm // 1000, u)) + len(named)
            refund = sim.refund_ppm
            complaint = sim.complaint_ppm
            if window:
                refund = min(_PPM, _window(sim.refunded, 0, 4) * _PPM // window)
                complaint = min(_PPM, _window(sim.complaints, 0, 4) * _PPM // window)
            brand = sim.sku.brand_id
            sim.snapshot = attrs.evolve(
                sim.snapshot,
                observed_at=close,
                units_30d=units30,
                gmv_30d=Money(gmv30[sim.sku.id]),
                units_prev_30d=before,
                gmv_prev_30d=Money(_window(sim.gmv, 4, 8) * 30 // 28),
                promoting_influencers=promoters,
                refund_rate=_rate(refund),
                complaint_rate=_rate(complaint),
                brand_gmv_30d=Money(brands[brand]) if brand is not None else sim.snapshot.brand_gmv_30d,
            )
            snapshots.append(sim.snapshot)
        return snapshots

    # -- one week -------------------------------------------------------------------------------------------

    def week(self, week: int) -> None:
        close = self.start + _WEEK * week
        paid_at = close - _WEEK + timedelta(days=3, hours=12)
        reviewed = len(self.admissions.pending)
        for applicant in self.admissions.pending:  # approved in review last week: in the pool, graded from this close
            self.join(applicant)
        self.admissions.pending = []
        held = dict(self.perks)
        lines = self.sales(week, self.placements(week))
        self.order_lines(week, lines, paid_at)
        sold: dict[str, list[_Line]] = defaultdict(list)
        for line in lines:
            sold[line.sim.sku.id].append(line)
        complaints = 0
        per_leader: dict[str, int] = defaultdict(int)
        for sim in self.sims:
            mine = sold.get(sim.sku.id, [])
            units = sum(line.units for line in mine)
            u = d.uniform_ppm(d.draw(self.seed, week, d.Stream.COMPLAINT, sim.key))
            complained = int(d.round_stochastic(units * sim.complaint_ppm // 1000, u))
            complaints += complained
            sim.units.append(units * 1000)
            sim.gmv.append(units * sim.snapshot.price.fen)
            sim.refunded.append(sum(line.refunded for line in mine) * 1000)
            sim.complaints.append(complained * 1000)
            sim.named.append(frozenset(line.influencer.id for line in mine if line.influencer is not None))
            listing = sim.selling()
            if listing is not None and listing.terms.team_leader_id is not None:
                per_leader[listing.terms.team_leader_id] += units * sim.snapshot.price.fen
        self.leader_gmv.append(dict(per_leader))
        applications, approved, rejected = self.admit(week, close)
        for applicant in approved:
            self.join(applicant)
        snapshots = self.snapshots_at(week, close)
        models = self.models_at(week)
        self.current = self.catalog_now()
        self.apply_events(close)  # earlier weeks' orders: receipts, refunds, settlements and clawbacks due by now
        refunds = [self.orders[i] for i in sorted(self.unreturned)]
        self.unreturned = set()
        result = run_period(
            self.current,
            self.state,
            period=week_period(week),
            as_of=close,
            models=models,
            snapshots=snapshots,
            orders=[line.order for line in lines if line.order is not None],
            refunds=refunds,
            profile=self.profile,
            per_unit=True,
        )
        self._graded(week, result.state, result.report, models)
        money = self.settle(lines, result.report.grants, close)
        returned = sum(m.fen for m in result.report.returned.values()) + self.return_now(close)
        subsidy = {o.id: o.subsidy.fen for o in (line.order for line in lines) if o is not None and o.subsidy.fen}
        self.record_rows(week, close, lines, held, subsidy, money, complaints)
        self.week_rows[-1] = attrs.evolve(
            self.week_rows[-1],
            applications=applications,
            joined=reviewed + len(approved),
            rejected=rejected,
            subsidy_returned=Money(returned),
            budget_left=self.budget_left(models),
        )

    # -- money: subsidies onto orders, the split at payment, events as their dates come, subsidies given back ------

    def settle(self, lines: Sequence[_Line], grants: Sequence[SubsidyGrant], close: datetime) -> tuple[int, int, int]:
        """Put each line's subsidy (the period's *grants*) on its order, split it, schedule its life, and apply the
        steps of this week's orders due by *close*.

        The subsidies were granted by :func:`~fenxiao.periods.run.run_period`, which asked for them per buyer order
        (``per_unit``) against what every budget had left. Returns the week's commission, team-leader fees and
        platform fees at payment, in fen.
        """
        service = self.config.service
        granted: dict[str, list[SubsidyGrant]] = defaultdict(list)
        for grant in grants:
            if grant.granted.fen:
                granted[grant.request_id.removesuffix(f":{grant.budget}")].append(grant)
        commission = leader = platform = 0
        for line in lines:
            order = line.order
            if order is None:
                continue
            mine = granted.get(order.id)
            if mine:
                order = apply_subsidy(order, BudgetAllocation(tuple(mine), {}))
                line.order = order
            self.orders[order.id] = order
            parts = split(order, self.profile)
            line.commission = parts.commission.fen
            commission += parts.commission.fen
            leader += parts.amount(Party.TEAM_LEADER).fen + parts.amount(Party.SECOND_LEADER).fen
            platform += parts.amount(Party.PLATFORM_COMMISSION_FEE).fen + parts.amount(Party.PLATFORM_TECH_FEE).fen
            received = order.paid_at + timedelta(days=service.receipt_days)
            due = self.profile.settlement_due(received, order.service_level)
            self.events.append(_Event(received, order.id, 0, 0))
            if line.refunded > line.after:
                at = received + timedelta(days=service.refund_days)
                self.events.append(_Event(at, order.id, 1, line.refunded - line.after))
            self.events.append(_Event(due, order.id, 2, 0))
            if line.after:
                self.events.append(_Event(due + timedelta(days=service.clawback_days), order.id, 3, line.after))
        self.apply_events(close)
        return commission, leader, platform

    def apply_events(self, close: datetime) -> None:
        """Apply every scheduled step of an order's life due by *close*, in time order.

        A refund or clawback of an order that carries a subsidy leaves the order in :attr:`unreturned`: its
        subsidy share goes back to the budgets at this close (:meth:`return_now`, or the next period's ``refunds``).
        """
        due_now = sorted(e for e in self.events if e.at <= close)
        self.events = [e for e in self.events if e.at > close]
        for event in due_now:
            order = self.orders[event.order_id]
            if event.step == 0:
                order = order.receive(at=event.at)
            elif event.step == 2:  # noqa: PLR2004 - the steps of _Event
                order = order.settle(self.profile, at=event.at)
            else:
                name = "refund" if event.step == 1 else "clawback"
                order = order.refund(event_id=name, at=event.at, units=event.units)
                if order.subsidy.fen:
                    self.unreturned.add(order.id)
            self.orders[event.order_id] = order

    def return_now(self, close: datetime) -> int:
        """Give back at *close* the subsidy share of refunds of this week's own orders made by *close* (fen).

        Refunds of earlier orders went back through the period's ``refunds`` before its grants; an order refunded
        in the week it was paid (a short receipt and refund delay) is known only after its grant, so its share goes
        back here, through the same :meth:`~fenxiao.grading.budgets.BudgetBook.settle_refunds`.
        """
        if not self.unreturned:
            return 0
        refunded = [self.orders[i] for i in sorted(self.unreturned)]
        self.unreturned = set()
        book, back = self.state.budgets.settle_refunds(refunded, self.profile, at=close)
        self.state = attrs.evolve(self.state, budgets=book)
        return back.fen

    # -- rows -------------------------------------------------------------------------------------------------

    def record_rows(
        self,
        week: int,
        close: datetime,
        lines: Sequence[_Line],
        held: Mapping[str, WeekPerks],
        subsidy: Mapping[str, int],
        money: tuple[int, int, int],
        complaints: int,
    ) -> None:
        per_sku: dict[str, list[_Line]] = defaultdict(list)
        for line in lines:
            per_sku[line.sim.sku.id].append(line)
        tiers: dict[str, list[int]] = {t.value: [0, 0, 0, 0, 0, 0] for t in Tier}
        categories: dict[str, list[int]] = {c.id: [0, 0, 0, 0] for c in self.catalog.categories}
        top = 0
        for sku_id, mine in per_sku.items():
            sim = self.by_sku[sku_id]
            tier = held[sku_id].tier.value
            units = sum(line.units for line in mine)
            gmv = units * sim.snapshot.price.fen
            given = sum(subsidy.get(line.order.id, 0) for line in mine if line.order is not None)
            traffic = sum(line.views for line in mine)
            commission = sum(line.commission for line in mine)
            self.sku_rows.append(
                SkuWeek(
                    week=week,
                    sku_id=sku_id,
                    tier=tier,
                    base=sim.base,
                    traffic=traffic,
                    promotions=sum(line.promotions for line in mine),
                    units=units,
                    gmv=Money(gmv),
                    commission=Money(commission),
                    refunded_units=sum(line.refunded for line in mine),
                    subsidy=Money(given),
                )
            )
            for i, value in enumerate((1, traffic, units, gmv, commission, given)):
                tiers[tier][i] += value
            for i, value in enumerate((1, units, gmv, commission)):
                categories[sim.sku.category_id][i] += value
            if held[sku_id].tier >= Tier.L4:
                top += gmv
        report = self.reports[-1]
        moved = [r for r in report.changes() if r.previous is not None]
        entered: dict[str, int] = defaultdict(int)
        left: dict[str, int] = defaultdict(int)
        for row in moved:
            entered[row.effective.value] += 1
            left[row.previous.value if row.previous is not None else ""] += 1
        for tier, (skus, traffic, units, gmv, commission, given) in tiers.items():
            self.tier_rows.append(
                TierWeek(
                    week=week,
                    tier=tier,
                    skus=skus,
                    traffic=traffic,
                    units=units,
                    gmv=Money(gmv),
                    commission=Money(commission),
                    subsidy=Money(given),
                    entered=entered[tier],
                    left=left[tier],
                )
            )
        for category_id, (skus, units, gmv, commission) in categories.items():
            self.category_rows.append(CategoryWeek(week, category_id, skus, units, Money(gmv), Money(commission)))
        gmv_total = sum(line.units * line.sim.snapshot.price.fen for line in lines)
        commission, leader, platform = money
        self.week_rows.append(
            WeekRow(
                week=week,
                as_of=close,
                skus=len(report.rows),
                listed=len(per_sku),
                applications=0,
                joined=0,
                rejected=0,
                traffic=sum(line.views for line in lines),
                promotions=sum(line.promotions for line in lines),
                units=sum(line.units for line in lines),
                gmv=Money(gmv_total),
                refunded_units=sum(line.refunded for line in lines),
                complaints=complaints,
                commission=Money(commission),
                leader_fees=Money(leader),
                platform_fees=Money(platform),
                subsidy=Money(sum(subsidy.values())),
                subsidy_returned=Money(0),
                budget_left=Money(0),
                tiers={t.value: n for t, n in report.tier_counts().items()},
                promoted=sum(1 for r in moved if r.previous is not None and r.effective > r.previous),
                demoted=sum(1 for r in moved if r.previous is not None and r.effective < r.previous),
                top_share=_share(top, gmv_total),
            )
        )

    # -- the end -------------------------------------------------------------------------------------------

    def finish(self, goals: Sequence[Goal], *, ledger: bool) -> Season:
        catalog = self.catalog_now([s.snapshot for s in self.sims])
        orders = tuple(self.orders[i] for i in sorted(self.orders))
        progress: tuple[GoalProgress, ...] = ()
        if ledger:
            # Each order is booked once, with every event it had by the season's end: the same entries as booking
            # it week by week (an order's entries depend only on its events), grouped by order.
            self.ledger = Ledger().record_all(orders, self.profile)
            progress = GoalTracker(tuple(goals)).measure(settled_sales(self.ledger, orders, catalog))
        cohort = [sku for sku, (_, tier) in self.first_seen.items() if tier is Tier.L0]
        weeks = [self.reached[s] - self.first_seen[s][0] for s in cohort if s in self.reached]
        gmv = sum(w.gmv.fen for w in self.week_rows)
        top = sum(t.gmv.fen for t in self.tier_rows if t.tier in ("L4", "L5"))
        flywheel = Flywheel(
            top_share=_share(top, gmv),
            cohort=len(cohort),
            reached_l3=len(weeks),
            median_weeks_to_l3=_median(weeks),
            promoted=sum(w.promoted for w in self.week_rows),
            demoted=sum(w.demoted for w in self.week_rows),
        )
        return Season(
            seed=self.seed,
            config=self.config.describe(),
            models=self.reports[-1].models,
            start=self.start,
            weeks=tuple(self.week_rows),
            tiers=tuple(self.tier_rows),
            categories=tuple(self.category_rows),
            skus=tuple(self.sku_rows),
            goals=progress,
            flywheel=flywheel,
            state=self.state,
            ledger=self.ledger,
            orders=orders,
            reports=tuple(self.reports),
            catalog=catalog,
        )


@checks_arguments
def run_season(
    catalog: Catalog,
    *,
    seed: int,
    weeks: int | None = None,
    config: SimulationConfig | None = None,
    models: Models | None = None,
    baseline: Models | None = None,
    admission: AdmissionPolicy | None = None,
    goals: Sequence[Goal] = DEFAULT_GOALS,
    ledger: bool = True,
    progress: Progress = None,
) -> Season:
    """Simulate a season of the program over *catalog*, week by week, on *seed* (see the module's docs).

    Args:
        catalog: The goods and people at the start (each SKU's newest snapshot is its state then).
        seed: The seed: the same seed, catalog and parameters give the same season, byte for byte.
        weeks: How many weeks (``config.weeks`` when ``None``).
        config: The behavioural parameters (:func:`~fenxiao.simulate.config.default_simulation_config` when
            ``None``).
        models: The scorecards, tier policy, perk catalog and budgets the program grades with (the defaults when
            ``None``); ``config.budgets``, when it has any, replaces the budgets with ones topped up every week.
        baseline: The models in force before the season (the shipped defaults when ``None``): each SKU's base views
            are calibrated so that, under the perks these models gave it, it sells at the rate of its last 30 days.
            The season's *models* then act from its first week, so a change of policy or perks shows at once.
        admission: The admission policy new SKUs apply under (the default when ``None``).
        goals: The goals measured at the end (the program's four public targets by default).
        ledger: Book every order in the ledger at the end and measure the goals from its settled sales; ``False``
            skips both (the season's ledger is then empty and its goals are ``()``): experiments, which compare
            totals, run faster without them.
        progress: Report the weeks done: ``None`` (the default) is silent; a callable ``progress(done, total)``;
            ``True`` a tqdm bar (extra ``fenxiao[progress]``); ``"auto"`` a bar only in a notebook or a terminal.

    Returns:
        The :class:`~fenxiao.simulate.results.Season`.

    Raises:
        InvalidValueError: A bad seed or number of weeks, a catalog without snapshots, or an argument of the wrong
            type.
        PolicyError: A listing's terms that the platform profile refuses (a commission below a category's floor).
    """
    v.require_int(seed, "run_season.seed", 0, d.MASK64)
    chosen = config if config is not None else default_simulation_config()
    if not isinstance(chosen, SimulationConfig):
        raise InvalidValueError("run_season.config", chosen, "must be a SimulationConfig")
    length = chosen.weeks if weeks is None else weeks
    v.require_int(length, "run_season.weeks", 1, 520)
    for name, given in (("models", models), ("baseline", baseline)):
        if given is not None and not isinstance(given, Models):
            raise InvalidValueError(f"run_season.{name}", given, "must be Models")
    if admission is not None and not isinstance(admission, AdmissionPolicy):
        raise InvalidValueError("run_season.admission", admission, "must be an AdmissionPolicy")
    season = _Season(
        catalog,
        seed=seed,
        config=chosen,
        models=models if models is not None else Models(),
        baseline=baseline if baseline is not None else Models(),
        admission=admission if admission is not None else default_admission_policy(),
    )
    season.begin()
    for week in counted(range(1, length + 1), progress, length, "run_season"):
        season.week(week)
    return season.finish(goals, ledger=ledger)
