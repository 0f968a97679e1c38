"""The season on columns: :func:`run_season_columns`, the season of :func:`~fenxiao.simulate.season.run_season` for
catalogs of any size.

Every SKU is a row of NumPy columns; each week the traffic, the 达人优选 picks, the sales, refunds and complaints, the
closing snapshots and the money at payment are column arithmetic on the same integer formulas and the same
counter-based draws as the object path (:mod:`fenxiao.simulate.draws`); the period is graded by
:func:`fenxiao.columnar.periods.run_period_columns` (scores, tiers with hysteresis, perks on the effective tier);
admission is columns too (the week's applications as arrays, the admission policy's rules as NumPy masks:
:class:`fenxiao.rules.masks.Masks`), and so are the subsidy requests (per buyer order), granted by the allocator
:func:`~fenxiao.periods.run.run_period` uses (:meth:`~fenxiao.grading.budgets.BudgetBook.allocate`); refunds give
their subsidy share back through :meth:`~fenxiao.grading.budgets.BudgetBook.settle_owed`. On every catalog the
result's rows, grants and returns are the object season's (the tests hold them equal); what the columnar season
leaves out is what only objects carry: the orders, the ledger (so the goals), the period reports and the program
state's history of changes.

Needs the ``columnar`` extra (NumPy).

>>> from fenxiao.sample import generate_catalog
>>> from fenxiao.simulate.season import run_season
>>> catalog = generate_catalog(seed=24, skus=40)
>>> columns = run_season_columns(catalog, seed=1, weeks=2)
>>> columns.weeks == run_season(catalog, seed=1, weeks=2, ledger=False).weeks
True

.. versionadded:: 0.1
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, NamedTuple

import attrs
import numpy as np
from numpy.typing import NDArray

from fenxiao._internal import validators as v
from fenxiao._internal.frames import rows_to_frame
from fenxiao._internal.progress import Progress, counted
from fenxiao.columnar import catalog_columns, perk_slots, settle_columns
from fenxiao.columnar.periods import run_period_columns
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.listings import Listing, ListingStatus
from fenxiao.domain.people import LeaderLevel
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import BudgetBook
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.grading.subsidies import SubsidyRequest
from fenxiao.market.admission import AdmissionPolicy, default_admission_policy
from fenxiao.market.pool import RankingWeights
from fenxiao.money import Money
from fenxiao.periods.models import Models
from fenxiao.periods.run import snapshots_as_of
from fenxiao.rules.arrays import ArrayInput, ArrayInputs, IntColumn, TextColumn
from fenxiao.rules.masks import Masks
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.simulate import draws as d
from fenxiao.simulate.config import MAX_WEEKS, SimulationConfig, default_simulation_config, ppm_of
from fenxiao.simulate.results import (
    KINDS,
    CategoryWeek,
    Flywheel,
    SkuWeek,
    TierWeek,
    WeekRow,
    flat_record,
    measures_of,
)
from fenxiao.simulate.season import _median, _models_at, _recent, _share, week_period

__all__ = ["SKU_COLUMNS", "SeasonColumns", "run_season_columns", "static_points"]

_PPM: Final = d.PPM
_WEEK: Final = timedelta(days=7)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_TIERS: Final = tuple(Tier)
#: The columns of :attr:`SeasonColumns.skus`, one row per SKU and week (the fields of :class:`SkuWeek`, money in fen).
SKU_COLUMNS: Final = (
    "week",
    "sku_id",
    "tier",
    "base",
    "traffic",
    "promotions",
    "units",
    "gmv_fen",
    "commission_fen",
    "refunded_units",
    "subsidy_fen",
)
#: Promoted views beyond this sell nothing more at calibration (a guard that keeps the formula in int64).
_PROMOTED_CAP: Final = 10**15
_I64: Final = np.int64
#: The admission inputs of a shop's recent record (fenxiao.market.admission.ShopMetrics) and their decimal places.
_SHOP_RECORD_PLACES: Final = {"shop_gmv_30d": 2, "bad_review_rate_30d": 6, "dsr_90d": 6}
_U64: Final = np.uint64
_INT64_MAX: Final = 2**63 - 1


def static_points(
    tier: NDArray[Any], preferred: NDArray[Any], commission_ppm: NDArray[Any], service_centi: NDArray[Any]
) -> NDArray[np.int64]:
    """The selection pool's ranking points of listings for an influencer with no fit, as columns.

    The points :meth:`~fenxiao.market.pool.SelectionPool.rank` gives with the default
    :class:`~fenxiao.market.pool.RankingWeights`: per tier step, the 达人优选 rank boost (capped), commission per 10
    points, service per 10 points (the tests hold the two equal).
    """
    w = RankingWeights()
    return (
        w.per_tier * tier.astype(_I64)
        + np.minimum(preferred.astype(_I64), w.preferred_cap)
        + commission_ppm.astype(_I64) * w.commission_per_10pct // 100_000
        + (service_centi.astype(_I64) // 100) * w.service_per_10 // 10
    )


@attrs.frozen
class SeasonColumns:
    """A season run on columns: the rows of :class:`~fenxiao.simulate.results.Season`, the SKU rows as columns.

    Attributes:
        seed, config, models, start: As in :class:`~fenxiao.simulate.results.Season`.
        weeks, tiers, categories: The same rows as the object season's.
        skus: One row per SKU and week as NumPy columns (:data:`SKU_COLUMNS`; empty when not kept).
        flywheel: The flywheel measures.
        budgets: The budget book at the season's end: every grant, and every return a refund gave back (the
            object season's ``state.budgets`` holds the same amounts).
    """

    seed: int
    config: str
    models: Mapping[str, str]
    start: datetime
    weeks: tuple[WeekRow, ...]
    tiers: tuple[TierWeek, ...]
    categories: tuple[CategoryWeek, ...]
    skus: Mapping[str, Any] = attrs.field(eq=False)
    flywheel: Flywheel
    budgets: BudgetBook = attrs.field(factory=BudgetBook)

    def measures(self) -> dict[str, int]:
        """The season's totals, as :meth:`Season.measures() <fenxiao.simulate.results.Season.measures>` gives them."""
        return measures_of(self.weeks, self.flywheel)

    def sku_rows(self) -> tuple[SkuWeek, ...]:
        """The SKU rows as :class:`~fenxiao.simulate.results.SkuWeek` values (for small seasons)."""
        if not self.skus:
            return ()
        c = self.skus
        return tuple(
            SkuWeek(
                week=int(c["week"][i]),
                sku_id=str(c["sku_id"][i]),
                tier=_TIERS[int(c["tier"][i])].value,
                base=int(c["base"][i]),
                traffic=int(c["traffic"][i]),
                promotions=int(c["promotions"][i]),
                units=int(c["units"][i]),
                gmv=Money(int(c["gmv_fen"][i])),
                commission=Money(int(c["commission_fen"][i])),
                refunded_units=int(c["refunded_units"][i]),
                subsidy=Money(int(c["subsidy_fen"][i])),
            )
            for i in range(len(c["week"]))
        )

    def to_rows(self, kind: str = "weeks") -> list[dict[str, object]]:
        """Flat records, as :meth:`Season.to_rows() <fenxiao.simulate.results.Season.to_rows>` gives them."""
        if kind not in KINDS:
            raise InvalidValueError("SeasonColumns.to_rows.kind", kind, f"must be one of {', '.join(KINDS)}")
        if kind == "skus":
            return [flat_record(r) for r in self.sku_rows()]
        return [flat_record(r) for r in getattr(self, kind)]

    def to_frame(self, kind: str = "weeks", backend: str = "pandas", *, exact: bool = False) -> Any:
        """:meth:`to_rows` as a pandas, polars or pyarrow frame (needs narwhals and that library).

        Labelled for analysis (``fenxiao._internal.frames``: tiers with ranks, money in fen and yuan, Decimals
        as floats); ``exact=True`` keeps the exact values (Decimals, integer fen).
        """
        rows = self.to_rows(kind)
        columns = list(rows[0]) if rows else list(SKU_COLUMNS)
        return rows_to_frame(rows, columns, backend, "SeasonColumns.to_frame", exact=exact)


class _Lines(NamedTuple):
    """A week's sales lines as columns (private): the SKU row, views, picks, units, refunds, money at payment."""

    row: NDArray[np.int64]
    views: NDArray[np.int64]
    promotions: NDArray[np.int64]
    units: NDArray[np.int64]
    refunded: NDArray[np.int64]
    commission: NDArray[np.int64]
    subsidy: NDArray[np.int64]


class _Totals(NamedTuple):
    """A week's totals that are not sums of lines (private)."""

    commission: int
    leader_fees: int
    platform_fees: int
    complaints: int
    applications: int
    joined: int
    rejected: int
    returned: int


def _sum_by(index: NDArray[np.int64], values: Any, n: int) -> NDArray[np.int64]:
    """The sum of *values* per *index* (0 .. n-1, sorted ascending), exact in int64.

    ``np.bincount`` would add in floats and ``np.add.at`` is slow; on a sorted index each group is a run, summed
    by ``np.add.reduceat``.
    """
    out = np.zeros(n, dtype=_I64)
    if len(index):
        starts = np.flatnonzero(np.concatenate([[True], index[1:] != index[:-1]]))
        out[index[starts]] = np.add.reduceat(np.asarray(values, dtype=_I64), starts)
    return out


def _micros(moment: datetime) -> np.datetime64:
    return np.datetime64(int((moment - _EPOCH) // timedelta(microseconds=1)), "us")


def _text(values: Sequence[str]) -> NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _concat(old: Any, new: Any) -> Any:
    if isinstance(old, np.ma.MaskedArray) or isinstance(new, np.ma.MaskedArray):
        data = np.concatenate([np.ma.getdata(old), np.ma.getdata(new)])
        mask = np.concatenate([np.ma.getmaskarray(old), np.ma.getmaskarray(new)])
        return np.ma.masked_array(data, mask=mask)
    return np.concatenate([old, new])


#: The static columns of a season's SKU rows (attributes of the season) and their dtypes.
_STATIC: Final = (
    ("sku_ids", object),
    ("keys", np.uint64),
    ("price", np.int64),
    ("listed", np.bool_),
    ("listing_ids", object),
    ("commission", np.int64),
    ("leader", np.int64),
    ("leader_fee", np.int64),
    ("category", np.int64),
    ("refund_ppm", np.int64),
    ("complaint_ppm", np.int64),
    ("base", np.int64),
    ("brand", np.int64),
    # The merchant's facts admission reads, for the SKUs that new ones resemble: the day its shop opened, its
    # experience score (millionths; unrated: 5), whether rated, its licence, the day of its last serious violation
    # (_NO_DAY: none), a counterfeit record, and whether it is qualified for the SKU's category.
    ("opened", np.int64),
    ("experience", np.int64),
    ("rated", np.bool_),
    ("licence", np.bool_),
    ("violation", np.int64),
    ("counterfeit", np.bool_),
    ("qualified", np.bool_),
)
#: "No serious violation" as a day number, and the days since one that admission reads then.
_NO_DAY: Final = -(10**9)
_NO_VIOLATION_DAYS: Final = 10**9
#: A serious violation counts against a new SKU's snapshot for a year.
_YEAR_DAYS: Final = 365
#: The ids new SKUs take (``sku-new-00001``): a catalog's SKU of that form keeps its number taken.
_NEW_SKU: Final = re.compile(r"sku-new-(\d{5,})")


class _Block(NamedTuple):
    """SKU rows that join the pool (private): their static columns (:data:`_STATIC`) and snapshot columns."""

    rows: dict[str, NDArray[Any]]
    columns: dict[str, Any]


class _Applicants(NamedTuple):
    """A week's applications as columns (private): what each resembles and what it brings."""

    template: NDArray[np.int64]  # the row of the SKU it resembles
    numbers: NDArray[np.int64]  # its number: sku-new-{n:05d}, l-new-..., m-new-... for a new merchant
    fresh: NDArray[np.bool_]  # from a merchant new to the pool
    opened: NDArray[np.int64]  # the day its merchant's shop opened
    price: NDArray[np.int64]
    multiple: NDArray[np.int64]  # its price as a multiple of the template's (ppm)
    commission: NDArray[np.int64]
    leader: NDArray[np.int64]  # its team leader's code (-1: none)
    fee: NDArray[np.int64]  # the leader's fee (ppm; -1: none)
    recruited: NDArray[np.bool_]  # brought by a team leader
    violation: NDArray[np.int64]  # the day of its merchant's last serious violation (_NO_DAY: none)
    today: int  # the close's day


class _Cohort:
    """One week's subsidised lines that are refunded (private): the orders as settle_columns reads them, the units
    refunded before settlement and after it (a clawback), when each happens, and whether it has by now."""

    __slots__ = ("after", "before", "clawback_at", "clawed", "ids", "orders", "price", "refund_at", "refunded")

    def __init__(
        self,
        *,
        ids: list[str],
        orders: dict[str, Any],
        price: NDArray[np.int64],
        before: NDArray[np.int64],
        after: NDArray[np.int64],
        refund_at: datetime,
        clawback_at: datetime,
    ) -> None:
        self.ids = ids
        self.orders = orders
        self.price = price
        self.before = before
        self.after = after
        self.refund_at = refund_at
        self.clawback_at = clawback_at
        self.refunded = False
        self.clawed = False


def _grouped(codes: NDArray[np.int64], groups: int, *values: NDArray[np.int64]) -> list[NDArray[np.int64]]:
    """The sum of each of *values* per code (0 .. groups-1), exact in int64."""
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    return [_sum_by(ordered, value[order], groups) for value in values]


def _mul_div(a: NDArray[np.int64], b: Any, c: int) -> NDArray[np.int64]:
    """``a * b // c`` of non-negative integers, exactly: in int64 when the products fit, else in Python ints."""
    left, right = np.asarray(a, dtype=_I64), np.asarray(b, dtype=_I64)
    if not left.size or int(left.max(initial=0)) * int(right.max(initial=0)) <= _INT64_MAX:
        return left * right // c
    exact = left.astype(object) * right.astype(object) // c
    return np.asarray(exact, dtype=_I64)


def _id(item: Any) -> str:
    return str(item.id)


class _ColumnSeason:
    """The machinery of a columnar season (private)."""

    # The static columns (_STATIC), one row per SKU.
    sku_ids: NDArray[np.object_]
    keys: NDArray[np.uint64]
    price: NDArray[np.int64]
    listed: NDArray[np.bool_]
    listing_ids: NDArray[np.object_]
    commission: NDArray[np.int64]
    leader: NDArray[np.int64]
    leader_fee: NDArray[np.int64]
    category: NDArray[np.int64]
    refund_ppm: NDArray[np.int64]
    complaint_ppm: NDArray[np.int64]
    base: NDArray[np.int64]
    brand: NDArray[np.int64]
    opened: NDArray[np.int64]
    experience: NDArray[np.int64]
    rated: NDArray[np.bool_]
    licence: NDArray[np.bool_]
    violation: NDArray[np.int64]
    counterfeit: NDArray[np.bool_]
    qualified: NDArray[np.bool_]

    def __init__(
        self,
        catalog: Catalog,
        *,
        seed: int,
        config: SimulationConfig,
        models: Models,
        baseline: Models,
        admission: AdmissionPolicy,
        keep_skus: bool,
    ) -> None:
        self.seed, self.config, self.models, self.baseline = seed, config, models, baseline
        self.keep_skus = keep_skus
        self.profile = PlatformProfile.preset(config.platform)
        self.start = catalog_as_of(catalog)
        self.catalog = catalog
        traffic = config.traffic
        self.conversion = traffic.conversion.ppm
        self.badge_lift = traffic.badge_lift.ppm
        self.floor, self.ceiling = ppm_of(traffic.price_floor), ppm_of(traffic.price_ceiling)
        self.noise = traffic.noise.ppm
        self.cap = traffic.views_cap
        self.reach = config.placement.reach.ppm
        self.policy = admission
        self.book = BudgetBook()
        self.state: Any = None
        self.categories = [c.id for c in catalog.categories]
        self.category_code = {c: i for i, c in enumerate(self.categories)}
        self.category_text = _text(self.categories)
        self.level1 = _text([c.level1 for c in catalog.categories])
        profile = admission.profile
        self.excluded = np.array([c.level1 in profile.excluded_level1 for c in catalog.categories], dtype=np.bool_)
        self.restricted = np.array([c.level1 in profile.restricted_level1 for c in catalog.categories], dtype=np.bool_)
        self.floor_ppm = np.array([profile.floor(c).ppm for c in catalog.categories], dtype=_I64)
        influencers = sorted(catalog.influencers, key=lambda i: i.id)
        self.influencer_ids = [i.id for i in influencers]
        self.influencer_keys = np.array([d.key_of(i) for i in self.influencer_ids], dtype=_U64)
        self.influencer_views = np.array(
            [min(i.fans, d.MAX_FANS) * self.reach // _PPM for i in influencers], dtype=_I64
        )
        self.influencer_mcn = np.array(
            [i.mcn_share.ppm if i.mcn_share is not None else -1 for i in influencers], dtype=_I64
        )
        self.mains = [tuple(self.category_code[c] for c in i.main_category_ids) for i in influencers]
        snapshots = list(snapshots_as_of(catalog, self.start))
        self.columns: dict[str, Any] = catalog_columns(catalog, snapshots)
        self.n = 0
        self.leader_ids: list[str] = []
        self.leader_code: dict[str, int] = {}
        self.brand_ids: list[str] = []
        for name, dtype in _STATIC:
            setattr(self, name, np.zeros(0, dtype=dtype))
        self._append(self._catalog_rows(catalog, snapshots))
        # Admission: the first-level team leaders recruit, each a source of applications with its own key.
        self.recruiters = sorted((t for t in catalog.team_leaders if t.level is LeaderLevel.FIRST), key=_id)
        self.source_keys = [d.key_of("organic"), *(d.key_of(f"leader:{t.id}") for t in self.recruiters)]
        self.source_key_array = np.array(self.source_keys, dtype=_U64)
        self.source_codes = np.array([-1, *(self._leader(t.id) for t in self.recruiters)], dtype=_I64)
        self.taken = {
            int(s.id[8:]) for s in catalog.skus if _NEW_SKU.fullmatch(s.id) and s.id == f"sku-new-{int(s.id[8:]):05d}"
        }
        self.applied = 0
        self.pending: _Block | None = None
        # Refunds: each week's subsidised lines, until their refunds have given their subsidy back.
        self.cohorts: list[_Cohort] = []
        weekly = self.columns["units_30d"] * 7000 // 30
        before = self.columns["units_prev_30d"] * 7000 // 30
        gmv = self.columns["gmv_30d"] * 7 // 30
        gmv_before = self.columns["gmv_prev_30d"] * 7 // 30
        self.units = [before] * 4 + [weekly] * 4
        self.gmv = [gmv_before] * 4 + [gmv] * 4
        self.refunded = [u * self.refund_ppm // _PPM for u in self.units]
        self.complaints = [u * self.complaint_ppm // _PPM for u in self.units]
        self.named: list[NDArray[np.int64]] = [np.zeros(0, dtype=_I64)] * 8
        units30 = self.columns["units_30d"]
        self.promoter_ppm = np.where(
            units30 > 0, self.columns["promoting_influencers"] * _PPM // np.maximum(units30, 1), 0
        ).astype(_I64)
        # The brand GMV of every brand outside the catalog: its first SKU's brand GMV less the catalog's own sales.
        brand_total = self.columns["brand_gmv_30d"]
        extra: list[int] = []
        for i, code in enumerate(self.brand.tolist()):
            if code >= 0 and code == len(extra):
                extra.append(int(brand_total[i]))
        gmv30 = self.columns["gmv_30d"]
        for i, code in enumerate(self.brand.tolist()):
            if code >= 0:
                extra[code] = max(0, extra[code] - int(gmv30[i]))
        self.brand_extra = np.array(extra, dtype=_I64)
        branded = np.flatnonzero(self.brand >= 0)  # SKUs that join later have no brand: these rows are all
        self.branded = branded[np.argsort(self.brand[branded], kind="stable")]
        self.leader_gmv: list[dict[str, int]] = [self._per_leader(self.gmv[-1])] * 4
        self.report: dict[str, Any] = {}
        self.graded = np.zeros(self.n, dtype=np.bool_)
        # The week each row was first graded and its tier then, and the first week it held L3 or above (-1: not yet).
        self.first_week = np.full(self.n, -1, dtype=_I64)
        self.first_tier = np.full(self.n, -1, dtype=_I64)
        self.reached = np.full(self.n, -1, dtype=_I64)
        self.week_rows: list[WeekRow] = []
        self.tier_rows: list[TierWeek] = []
        self.category_rows: list[CategoryWeek] = []
        self.sku_parts: list[dict[str, Any]] = []
        self.default_promoters = 0
        self.described: Mapping[str, str] = {}

    # -- the static columns of SKUs ----------------------------------------------------------------------------

    def _leader(self, name: str) -> int:
        """The code of team leader *name* (codes are given in the order leaders are first met)."""
        code = self.leader_code.get(name)
        if code is None:
            code = self.leader_code[name] = len(self.leader_ids)
            self.leader_ids.append(name)
        return code

    def _catalog_rows(self, catalog: Catalog, snapshots: Sequence[SkuSnapshot]) -> dict[str, NDArray[Any]]:
        """The static columns of the catalog's SKUs: their listing's terms, keys, service rates, merchant facts."""
        approved = {li.sku_id: li for li in catalog.listings if li.status is ListingStatus.APPROVED}
        first_listing: dict[str, Listing] = {}
        for li in catalog.listings:
            first_listing.setdefault(li.sku_id, li)
        skus = [catalog.sku(s.sku_id) for s in snapshots]
        listings = [approved.get(s.id) or first_listing.get(s.id) for s in skus]
        merchants = [catalog.merchant(s.merchant_id) for s in skus]
        brands: dict[str, int] = {}
        for sku in skus:
            if sku.brand_id is not None and sku.brand_id not in brands:
                brands[sku.brand_id] = len(self.brand_ids)
                self.brand_ids.append(sku.brand_id)
        experience = []
        for m in merchants:
            score = m.experience_score if m.experience_score is not None else Decimal(5)
            units = score.scaleb(6)
            if units != units.to_integral_value():
                raise InvalidValueError(
                    f"run_season_columns.catalog.merchants[{m.id}].experience_score",
                    score,
                    "must have at most 6 decimal places on the columnar path",
                )
            experience.append(int(units))
        violations = [m.last_serious_violation_on for m in merchants]
        terms = [li.terms if li is not None else None for li in listings]
        return {
            "sku_ids": _text([s.id for s in skus]),
            "keys": np.array([d.key_of(s.id) for s in skus], dtype=_U64),
            "price": np.array([s.price.fen for s in snapshots], dtype=_I64),
            "listed": np.array([li is not None and li.status is ListingStatus.APPROVED for li in listings]),
            "listing_ids": _text([li.id if li is not None else "" for li in listings]),
            "commission": np.array([t.commission_rate.ppm if t else 0 for t in terms], dtype=_I64),
            "leader": np.array(
                [self._leader(t.team_leader_id) if t and t.team_leader_id else -1 for t in terms], dtype=_I64
            ),
            "leader_fee": np.array(
                [t.leader_fee_rate.ppm if t and t.leader_fee_rate is not None else -1 for t in terms], dtype=_I64
            ),
            "category": np.array([self.category_code[s.category_id] for s in skus], dtype=_I64),
            # An unobserved rate draws no refunds or complaints, as on the object path.
            "refund_ppm": np.array([0 if s.refund_rate is None else s.refund_rate.ppm for s in snapshots], _I64),
            "complaint_ppm": np.array(
                [0 if s.complaint_rate is None else s.complaint_rate.ppm for s in snapshots], _I64
            ),
            "base": np.zeros(len(skus), dtype=_I64),
            "brand": np.array([brands[s.brand_id] if s.brand_id is not None else -1 for s in skus], dtype=_I64),
            "opened": np.array([m.opened_on.toordinal() for m in merchants], dtype=_I64),
            "experience": np.array(experience, dtype=_I64),
            "rated": np.array([m.experience_score is not None for m in merchants], dtype=np.bool_),
            "licence": np.array([m.enterprise_licence for m in merchants], dtype=np.bool_),
            "violation": np.array([_NO_DAY if x is None else x.toordinal() for x in violations], dtype=_I64),
            "counterfeit": np.array([m.counterfeit_record for m in merchants], dtype=np.bool_),
            "qualified": np.array(
                [s.category_id in m.qualified_category_ids for s, m in zip(skus, merchants, strict=True)],
                dtype=np.bool_,
            ),
        }

    def _append(self, rows: Mapping[str, NDArray[Any]]) -> None:
        """Append the static columns of new SKU rows (each of :data:`_STATIC`)."""
        for name, _ in _STATIC:
            setattr(self, name, np.concatenate([getattr(self, name), rows[name]]))
        self.n += len(rows["keys"])

    # -- perks in force ------------------------------------------------------------------------------------------

    def _perks(self, report: Mapping[str, Any], models: Models) -> dict[str, NDArray[Any]]:
        """The report's perks as the season reads them: boost (ppm), badge, 达人优选 rank boost (-1: not listed)."""
        n = len(report["sku_id"])
        entries = models.perks.entries
        boost = np.full(n, _PPM, dtype=_I64)
        badge = np.zeros(n, dtype=np.bool_)
        preferred = np.full(n, -1, dtype=_I64)
        for slot in perk_slots(models.perks):
            column = np.asarray(report[slot.column]).astype(_I64)
            granted = column >= 0
            at = np.maximum(column, 0)
            if slot.kind == "traffic_boost":
                table = np.full(max(len(entries), 1), _PPM, dtype=_I64)
                table[list(slot.entries)] = [ppm_of(entries[j].perk.multiplier) for j in slot.entries]
                boost = np.where(granted, np.maximum(boost, table[at]), boost)
            elif slot.kind == "badge":
                badge |= granted
            elif slot.kind == "influencer_preferred":
                table = np.zeros(max(len(entries), 1), dtype=_I64)
                table[list(slot.entries)] = [entries[j].perk.rank_boost for j in slot.entries]
                preferred = np.where(granted, np.maximum(preferred, table[at]), preferred)
        return {
            "tier": np.asarray(report["effective"]).astype(_I64),
            "boost": boost,
            "badge": badge,
            "preferred": preferred,
            "price": np.asarray(report["score.price"]).astype(_I64),
            "service": np.asarray(report["score.service"]).astype(_I64),
            "composite": np.asarray(report["composite"]).astype(_I64),
        }

    def _price_power(self, perks: Mapping[str, NDArray[Any]]) -> NDArray[np.int64]:
        return np.asarray(d.price_power_ppm(perks["price"], self.floor, self.ceiling), dtype=_I64)

    # -- the influencer-preferred list and the picks ---------------------------------------------------------

    def _preferred_list(self, perks: Mapping[str, NDArray[Any]]) -> tuple[list[int], dict[int, tuple[Any, Any]]]:
        """Per group (a category code, or -1 for the whole list): its rows in listing-id order and running weights."""
        n = len(perks["tier"])
        mask = self.listed[:n] & (perks["preferred"] >= 0)
        rows = np.flatnonzero(mask)
        if not len(rows):
            return [], {}
        rows = rows[np.argsort(self.listing_ids[rows], kind="stable")]
        points = static_points(
            perks["tier"][rows], perks["preferred"][rows], self.commission[rows], perks["service"][rows]
        )
        exponent = self.config.placement.exponent
        if int(points.max(initial=0) + 1) ** exponent * len(rows) >= 2**62:
            raise InvalidValueError(
                "run_season_columns.placement.exponent", exponent, "makes the choice weights exceed 64 bits"
            )
        weights = (points + 1) ** exponent
        groups: dict[int, tuple[Any, Any]] = {-1: (rows, np.cumsum(weights))}
        categories = self.category[rows]
        present = sorted(set(categories.tolist()))
        for code in present:
            inside = categories == code
            groups[code] = (rows[inside], np.cumsum(weights[inside]))
        return present, groups

    def _picks(self, week: int, groups: Mapping[int, tuple[Any, Any]]) -> tuple[NDArray[np.int64], ...]:
        """The week's picks aggregated: (row, influencer code, views, picks), by row then influencer."""
        picks = self.config.placement.picks
        empty = np.zeros(0, dtype=_I64)
        if not picks or not groups or not self.influencer_ids:
            return empty, empty, empty, empty
        k = np.repeat(np.arange(len(self.influencer_ids)), picks)
        j = np.tile(np.arange(picks, dtype=_U64), len(self.influencer_ids))
        keys = self.influencer_keys[k] + j  # uint64: wraps as (key + j) & MASK64 does
        counts = np.array([len(m) for m in self.mains], dtype=_U64)[k]
        chosen = np.full(len(k), -1, dtype=_I64)
        has = counts > 0
        if has.any():
            draws = np.asarray(d.draw(self.seed, week, d.Stream.CATEGORY, keys[has]))
            index = (draws % counts[has]).astype(_I64)
            chosen[has] = [self.mains[a][b] for a, b in zip(k[has].tolist(), index.tolist(), strict=True)]
        group = np.where(np.isin(chosen, [c for c in groups if c >= 0]), chosen, -1)
        listing = np.asarray(d.draw(self.seed, week, d.Stream.LISTING, keys))
        picked = np.empty(len(k), dtype=_I64)
        for code in np.unique(group).tolist():
            at = group == code
            rows, totals = groups[code]
            r = (listing[at] % np.uint64(int(totals[-1]))).astype(_I64)
            picked[at] = rows[np.searchsorted(totals, r, side="right")]
        combined = picked * len(self.influencer_ids) + k
        unique, times = np.unique(combined, return_counts=True)
        row, code = np.divmod(unique, len(self.influencer_ids))
        return row, code, times * self.influencer_views[code], times

    def _expected_placement(self, present: Sequence[int], groups: Mapping[int, tuple[Any, Any]]) -> NDArray[Any]:
        """Each row's expected 达人优选 views a week (the object path's formula, in Python ints)."""
        expected = np.zeros(self.n, dtype=object)
        picks = self.config.placement.picks
        if not picks or not groups:
            return expected
        pull: dict[int, int] = defaultdict(int)
        for views, mains in zip(self.influencer_views.tolist(), self.mains, strict=True):
            targets = [c if c in present else -1 for c in mains] or [-1]
            for target in targets:
                pull[target] += views * (_PPM // len(targets))
        for group, weight in pull.items():
            rows, totals = groups[group]
            running = totals.astype(object)
            own = running - np.concatenate([[0], running[:-1]])
            expected[rows] += picks * weight * own // (int(totals[-1]) * _PPM)
        return expected

    # -- the season ----------------------------------------------------------------------------------------------

    def grade(self, week: int, close: datetime, models: Models, state: Any = None) -> tuple[Any, dict[str, Any]]:
        result = run_period_columns(
            self.columns, state, as_of=close, period=week_period(week), models=models, currency="CNY"
        )
        self.described = result.models
        return result.state, result.report

    def begin(self) -> None:
        models = _models_at(self.models, self.config, 0)
        baseline = attrs.evolve(self.baseline, budgets=models.budgets)
        if baseline != models:
            _, reference = self.grade(0, self.start, baseline)
            self._calibrate(self._perks(reference, baseline))
        self.state, self.report = self.grade(0, self.start, models)
        self._graded(0, models)
        if baseline == models:
            self._calibrate(self.perks)

    def _graded(self, week: int, models: Models) -> None:
        self.perks = self._perks(self.report, models)
        effective = self.perks["tier"]
        grown = len(effective) - len(self.first_week)
        if grown > 0:
            more = np.full(grown, -1, dtype=_I64)
            self.first_week, self.first_tier, self.reached = (
                np.concatenate([a, more]) for a in (self.first_week, self.first_tier, self.reached)
            )
        new = self.first_week < 0
        self.first_week[new] = week
        self.first_tier[new] = effective[new]
        self.reached[(self.reached < 0) & (effective >= Tier.L3.rank)] = week

    def _calibrate(self, perks: Mapping[str, NDArray[Any]]) -> None:
        units30 = self.columns["units_30d"][: self.n]
        sold = units30 > 0
        total = int(units30[sold].sum())
        promoting = self.columns["promoting_influencers"][: self.n]
        self.default_promoters = int(promoting[sold].sum()) * _PPM // total if total else 0
        present, groups = self._preferred_list(perks)
        promoted = np.minimum(self._expected_placement(present, groups), _PROMOTED_CAP).astype(_I64)
        badge = np.where(perks["badge"], _PPM + self.badge_lift, _PPM)
        base = d.base_views(
            self.units[-1], self.conversion, self._price_power(perks), perks["boost"], badge, promoted, self.cap
        )
        u = d.uniform_ppm(d.draw(self.seed, 0, d.Stream.COLD, self.keys[: self.n])).astype(_I64)
        cold = np.minimum(self.cap, self.config.traffic.cold_start_views * 2 * u // _PPM)
        self.base[: self.n] = np.where(sold, base, cold)
        self.promoter_ppm = np.where(sold, self.promoter_ppm, self.default_promoters).astype(_I64)

    def join(self, block: _Block | None) -> None:
        """Add SKUs that joined the pool: their static columns, snapshot columns, empty history, cold start."""
        if block is None:
            return
        start = self.n
        self._append(block.rows)
        count = self.n - start
        self.columns = {name: _concat(self.columns[name], block.columns[name]) for name in self.columns}
        zeros = np.zeros(count, dtype=_I64)
        for history in (self.units, self.gmv, self.refunded, self.complaints):
            history[:] = [np.concatenate([h, zeros]) for h in history]
        u = d.uniform_ppm(d.draw(self.seed, 0, d.Stream.COLD, self.keys[start:])).astype(_I64)
        self.base[start:] = np.minimum(self.cap, self.config.traffic.cold_start_views * 2 * u // _PPM)
        self.promoter_ppm = np.concatenate([self.promoter_ppm, np.full(count, self.default_promoters, dtype=_I64)])
        self.graded = np.concatenate([self.graded, np.zeros(count, dtype=np.bool_)])

    def _per_leader(self, gmv: NDArray[np.int64]) -> dict[str, int]:
        """The GMV through each team leader (of the listed SKUs it carries), by leader id."""
        carried = np.flatnonzero(self.listed & (self.leader >= 0))
        codes = self.leader[carried]
        order = np.argsort(codes, kind="stable")
        sums = _sum_by(codes[order], gmv[carried][order], len(self.leader_ids))
        present = np.flatnonzero(np.bincount(codes, minlength=len(self.leader_ids)))
        return {self.leader_ids[c]: int(sums[c]) for c in present.tolist()}

    def week(self, week: int) -> None:
        close = self.start + _WEEK * week
        paid_at = close - _WEEK + timedelta(days=3, hours=12)
        reviewed = 0 if self.pending is None else len(self.pending.rows["keys"])
        self.join(self.pending)
        self.pending = None
        graded = len(self.perks["tier"])  # the rows graded at the last close; later ones joined since
        perks = self.perks
        _, groups = self._preferred_list(perks)
        pick_row, pick_code, pick_views, pick_times = self._picks(week, groups)
        # -- lines: each selling SKU's base views, then each of its promotions (by influencer) ----------------
        selling = np.flatnonzero(self.listed[:graded] & (self.price[:graded] > 0))
        badge = np.where(perks["badge"], _PPM + self.badge_lift, _PPM)
        feed_views = np.minimum(self.cap, d.views_of(self.base[selling], perks["boost"][selling], badge[selling]))
        keep = np.isin(pick_row, selling)
        pick_row, pick_code, pick_views, pick_times = (a[keep] for a in (pick_row, pick_code, pick_views, pick_times))
        line_row = np.concatenate([selling, pick_row])
        line_views = np.concatenate([feed_views, np.minimum(self.cap, d.scale_ppm(pick_views, badge[pick_row]))])
        line_key = np.concatenate([self.keys[selling], d.mix64(self.keys[pick_row] ^ self.influencer_keys[pick_code])])
        line_promotions = np.concatenate([np.zeros(len(selling), dtype=_I64), pick_times])
        line_influencer = np.concatenate([np.full(len(selling), -1, dtype=_I64), pick_code])
        order = np.lexsort((line_influencer, line_row))  # by SKU, its base views first, then by influencer
        line_row, line_views, line_key, line_promotions, line_influencer = (
            a[order] for a in (line_row, line_views, line_key, line_promotions, line_influencer)
        )
        channel = np.zeros(len(line_row), dtype=_I64)
        if len(line_row):
            first = np.concatenate([[True], line_row[1:] != line_row[:-1]])
            starts = np.flatnonzero(first)
            channel = np.arange(len(line_row)) - np.repeat(starts, np.diff(np.append(starts, len(line_row))))
        # -- sales ---------------------------------------------------------------------------------------------
        keys = self.keys[:graded]
        u1 = d.uniform_ppm(d.draw(self.seed, week, d.Stream.SHOCK_A, keys)).astype(_I64)
        u2 = d.uniform_ppm(d.draw(self.seed, week, d.Stream.SHOCK_B, keys)).astype(_I64)
        shock = d.shock_ppm(u1, u2, self.noise)
        price = self._price_power(perks)
        milli = d.expected_milli(line_views, self.conversion, price[line_row], shock[line_row])
        units = d.round_stochastic(milli, d.uniform_ppm(d.draw(self.seed, week, d.Stream.UNITS, line_key)).astype(_I64))
        refund = units * self.refund_ppm[line_row] // 1000
        refunded = d.round_stochastic(refund, self._u(week, d.Stream.REFUND, line_key))
        after_ppm = self.config.service.after_settlement.ppm
        after = d.round_stochastic(refunded * after_ppm // 1000, self._u(week, d.Stream.AFTER, line_key))
        sku_units = _sum_by(line_row, units, self.n)
        complaint = d.round_stochastic(
            sku_units * self.complaint_ppm // 1000, self._u(week, d.Stream.COMPLAINT, self.keys[: self.n])
        )
        self.units.append(sku_units * 1000)
        self.gmv.append(sku_units * self.price)
        self.refunded.append(_sum_by(line_row, refunded, self.n) * 1000)
        self.complaints.append(complaint * 1000)
        self.named.append(np.unique(pick_row * len(self.influencer_ids) + pick_code))
        for history in (self.units, self.gmv, self.refunded, self.complaints, self.named):
            del history[:-8]  # the windows read the last eight weeks at most
        self.leader_gmv.append(self._per_leader(sku_units * self.price))
        # -- admission, the closing snapshots, the period ----------------------------------------------------------
        applications, approved, self.pending, rejected = self._admit(week, close)
        joined = reviewed + (0 if approved is None else len(approved.rows["keys"]))
        self.join(approved)
        self._close(week, close)
        models = _models_at(self.models, self.config, week)
        self.state, self.report = self.grade(week, close, models, self.state)
        # -- subsidies: refunds give theirs back, then the week's lines ask; money at payment ------------------------
        returned = self._returns(close)
        sold = np.flatnonzero(units > 0)
        rows, sold_units = line_row[sold], units[sold]
        subsidy = self._subsidies(week, close, models, rows, channel[sold], sold_units, paid_at)
        inputs = self._order_columns(rows, line_influencer[sold], sold_units, subsidy)
        commission, leader, platform = self._money(inputs)
        self._remember(week, paid_at, sold, channel, line_row, units, refunded, after, subsidy, inputs)
        returned += self._returns(close)  # refunds of this week's own orders made by its close (short delays)
        line_subsidy = np.zeros(len(line_row), dtype=_I64)
        line_subsidy[sold] = subsidy
        line_commission = np.zeros(len(line_row), dtype=_I64)
        line_commission[sold] = commission
        previous = perks["tier"]
        self._graded(week, models)
        lines = _Lines(line_row, line_views, line_promotions, units, refunded, line_commission, line_subsidy)
        totals = _Totals(
            int(commission.sum()),
            int(leader.sum()),
            int(platform.sum()),
            int(complaint.sum()),
            applications,
            joined,
            rejected,
            returned,
        )
        self._rows(week, close, previous, lines, totals, models)

    def _u(self, week: int, stream: d.Stream, keys: Any) -> NDArray[np.int64]:
        return np.asarray(d.uniform_ppm(d.draw(self.seed, week, stream, keys))).astype(_I64)

    # -- admission: merchants apply, team leaders recruit, the policy decides (on columns) -----------------------

    def _admit(self, week: int, close: datetime) -> tuple[int, _Block | None, _Block | None, int]:
        """The week's applications, as the object path's admission makes them, decided on columns.

        Returns how many applied, the SKUs approved at the close, those approved in review (they join next week)
        and how many were turned down. Every draw, name and decision is the object path's (the parity tests hold
        the two equal): the admission policy's rules are evaluated as NumPy masks over the applications' inputs.
        """
        listed = np.flatnonzero(self.listed[: self.n])
        if not len(listed):
            return 0, None, None, 0
        admission = self.config.admission
        recent = _recent(self.leader_gmv)
        rates = [ppm_of(admission.applications)]
        per_million = ppm_of(admission.recruits_per_million)
        rates += [
            ppm_of(admission.recruits) + per_million * recent.get(t.id, 0) // 100_000_000 for t in self.recruiters
        ]
        thousandths = np.array([rate // 1000 for rate in rates], dtype=object)
        u = self._u(week, d.Stream.APPLICATIONS, self.source_key_array)
        if int(thousandths.max()) < 2**62:
            counts = d.round_stochastic(thousandths.astype(_I64), u).astype(_I64).tolist()
        else:  # pragma: no cover - a leader with more GMV than any economy: exact in Python ints
            counts = [int(d.round_stochastic(int(t), int(x))) for t, x in zip(thousandths, u.tolist(), strict=True)]
        total = sum(counts)
        if not total:
            return 0, None, None, 0
        source = np.repeat(np.arange(len(counts)), counts)
        index = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        source_keys = self.source_key_array[source]
        keys = d.mix64(source_keys ^ (index + 1).astype(_U64))
        # The SKU each application resembles: one its leader carries, if it carries any, else any listed one.
        code = self.source_codes[source]
        carried = self.leader[listed]
        grouped = np.argsort(carried, kind="stable")
        carriers, candidates = carried[grouped], listed[grouped]
        first = np.searchsorted(carriers, code, side="left")
        many = np.searchsorted(carriers, code, side="right") - first
        own = (code >= 0) & (many > 0)
        pick = np.asarray(d.draw(self.seed, week, d.Stream.TEMPLATE, keys))
        template = listed[(pick % np.uint64(len(listed))).astype(_I64)]
        if own.any():
            offset = (pick[own] % many[own].astype(_U64)).astype(_I64)
            template[own] = candidates[first[own] + offset]
        numbers = np.array([self._number() for _ in range(total)], dtype=_I64)
        # The applicant: a new merchant (a copy of the template's, opened lately) or the template's own; a price.
        fresh = self._u(week, d.Stream.MERCHANT, keys) < admission.new_merchant.ppm
        age = (np.asarray(d.draw(self.seed, week, d.Stream.MERCHANT, keys ^ np.uint64(1))) % np.uint64(60)).astype(_I64)
        low, high = ppm_of(admission.price_low), ppm_of(admission.price_high)
        multiple = low + (high - low) * self._u(week, d.Stream.PRICE, keys) // _PPM
        price = np.maximum(1, _mul_div(self.price[template], multiple, _PPM))
        recruited = source > 0
        commission = self.commission[template]
        leader = np.where(own, self.leader[template], np.where(recruited, code, -1))
        fee = np.where(own, self.leader_fee[template], np.where(recruited, admission.leader_fee.ppm, -1))
        today = close.date().toordinal()
        opened = np.where(fresh, today - age, self.opened[template])
        violation = self.violation[template]
        outcome = self._decide(template, commission, price, today - opened, violation, today)
        review = outcome == 1
        passed = review & (self._u(week, d.Stream.REVIEW, keys) < admission.review_approve.ppm)
        rejected = int((outcome == 2).sum()) + int((review & ~passed).sum())  # noqa: PLR2004 - reject's severity
        applicant = _Applicants(
            template, numbers, fresh, opened, price, multiple, commission, leader, fee, recruited, violation, today
        )
        approved = self._block(applicant, outcome == 0, close)
        later = self._block(applicant, passed, close + timedelta(hours=self.policy.review_hours))
        return total, approved, later, rejected

    def _number(self) -> int:
        """The next new SKU's number (``sku-new-00001`` ...), skipping numbers the catalog already uses."""
        self.applied += 1
        while self.applied in self.taken:
            self.applied += 1
        return self.applied

    def _decide(
        self,
        template: NDArray[np.int64],
        commission: NDArray[np.int64],
        price: NDArray[np.int64],
        shop_age: NDArray[np.int64],
        violation: NDArray[np.int64],
        today: int,
    ) -> NDArray[np.int64]:
        """Each application's outcome by the admission policy (0 approve, 1 review, 2 reject), its rules as masks
        over the inputs :func:`~fenxiao.market.admission.sku_inputs` gives one application."""
        n = len(template)
        category = self.category[template]
        rated = self.rated[template]
        floor = self.floor_ppm[category]

        def number(values: NDArray[np.int64], places: int = 0) -> ArrayInput:
            return ArrayInput(IntColumn(np.asarray(values, dtype=_I64)), places=places)

        def missing(places: int) -> ArrayInput:
            return ArrayInput(IntColumn(np.zeros(n, dtype=_I64), np.zeros(n, dtype=np.bool_)), places=places)

        def text(values: NDArray[np.object_]) -> ArrayInput:
            labels, codes = np.unique(values.astype(str), return_inverse=True)
            return ArrayInput(text=TextColumn(codes.astype(_I64), tuple(labels.tolist())))

        inputs = ArrayInputs(
            n,
            {
                "standing": text(self.columns["merchant_standing"][template]),
                "shop_kind": text(self.columns["shop_kind"][template]),
                "shop_age_days": number(np.maximum(0, shop_age)),
                "experience_score": number(np.where(rated, self.experience[template], 5 * _PPM), 6),
                "rated": ArrayInput(flags=rated),
                "enterprise_licence": ArrayInput(flags=self.licence[template]),
                "days_since_serious_violation": number(
                    np.where(violation == _NO_DAY, _NO_VIOLATION_DAYS, np.maximum(0, today - violation))
                ),
                "counterfeit_record": ArrayInput(flags=self.counterfeit[template]),
                "category_excluded": ArrayInput(flags=self.excluded[category]),
                "category_restricted": ArrayInput(flags=self.restricted[category]),
                "qualified": ArrayInput(flags=self.qualified[template]),
                "commission_rate": number(commission, 6),
                "commission_floor": number(floor, 6),
                "commission_below_floor": ArrayInput(flags=commission < floor),
                "price": number(price, 2),
                # The shop's record (ShopMetrics) is not simulated: missing, as merchant_inputs leaves it.
                **{name: missing(places) for name, places in _SHOP_RECORD_PLACES.items()},
            },
        )
        masks = Masks(inputs, "run_season_columns.applications", short_circuit=False)
        outcome = np.zeros(n, dtype=_I64)
        for rule in self.policy.rules:
            outcome = np.where(masks.mask(rule.when), np.maximum(outcome, rule.outcome.severity), outcome)
        return outcome

    def _block(self, applicant: _Applicants, chosen: NDArray[np.bool_], joined: datetime) -> _Block | None:
        """The SKUs of the *chosen* applications as rows to join, joined at *joined* (each resembling its template:
        the template's first snapshot with the applicant's price, no sales, no brand, the template's service)."""
        if not chosen.any():
            return None
        taken: dict[str, Any] = {k: x[chosen] for k, x in applicant._asdict().items() if isinstance(x, np.ndarray)}
        a = applicant._replace(**taken)
        numbers = a.numbers.tolist()
        ids = _text([f"sku-new-{n:05d}" for n in numbers])
        t = a.template
        count = len(t)
        rows = {
            "sku_ids": ids,
            "keys": np.array([d.key_of(s) for s in ids.tolist()], dtype=_U64),
            "price": a.price,
            "listed": np.ones(count, dtype=np.bool_),
            "listing_ids": _text([f"l-new-{n:05d}" for n in numbers]),
            "commission": a.commission,
            "leader": a.leader,
            "leader_fee": a.fee,
            "category": self.category[t],
            "refund_ppm": self.refund_ppm[t],
            "complaint_ppm": self.complaint_ppm[t],
            "base": np.zeros(count, dtype=_I64),
            "brand": np.full(count, -1, dtype=_I64),
            "opened": a.opened,
            "experience": self.experience[t],
            "rated": self.rated[t],
            "licence": self.licence[t],
            "violation": a.violation,
            "counterfeit": self.counterfeit[t],
            "qualified": self.qualified[t],
        }
        moment = np.full(count, _micros(joined))
        shop = self.columns["shop_kind"][t]
        merchant = self.columns["merchant_id"][t].copy()
        merchant[a.fresh] = [f"m-new-{n:05d}" for n in a.numbers[a.fresh].tolist()]
        reference = self.columns["reference_price"]
        zero = np.zeros(count, dtype=_I64)
        no = np.zeros(count, dtype=np.bool_)
        new = {
            "sku_id": ids,
            "observed_at": moment,
            "joined_at": moment,
            "price": a.price,
            "reference_price": np.ma.masked_array(
                _mul_div(np.ma.getdata(reference)[t], a.multiple, _PPM), mask=np.ma.getmaskarray(reference)[t]
            ),
            "lowest_price_30d": a.price,
            "units_30d": zero,
            "gmv_30d": zero,
            "units_prev_30d": zero,
            "gmv_prev_30d": zero,
            "repurchase_rate": zero,
            "promoting_influencers": zero,
            "team_leaders": a.recruited.astype(_I64),
            "refund_rate": self.refund_ppm[t],
            "complaint_rate": self.complaint_ppm[t],
            "brand_registered": no,
            "brand_authorised": no,
            "flagship_shop": (shop == "flagship") | (shop == "official"),
            "on_brand_list": no,
            "brand_gmv_30d": zero,
            "serious_violations_365d": ((a.violation != _NO_DAY) & (a.today - a.violation <= _YEAR_DAYS)).astype(_I64),
            "merchant_id": merchant,
        }
        columns: dict[str, Any] = {}
        for name, column in self.columns.items():
            value = new.get(name)
            if value is None:
                columns[name] = column[t]
            elif isinstance(column, np.ma.MaskedArray) and not isinstance(value, np.ma.MaskedArray):
                columns[name] = np.ma.masked_array(value, mask=np.zeros(count, dtype=np.bool_))
            else:
                columns[name] = value
        return _Block(rows, columns)

    def _close(self, week: int, close: datetime) -> None:
        """The closing snapshots' columns: rolling 30-day sales, rates over four weeks, promoters, brand GMV."""
        n = self.n

        def window(history: Sequence[NDArray[np.int64]], start: int, end: int) -> NDArray[np.int64]:
            total: NDArray[np.int64] = np.sum(history[len(history) - end : len(history) - start], axis=0)
            return total

        units = window(self.units, 0, 4)
        units30 = (units * 30 // 28 + 500) // 1000
        gmv30 = window(self.gmv, 0, 4) * 30 // 28
        before = (window(self.units, 4, 8) * 30 // 28 + 500) // 1000
        named = np.unique(np.concatenate(self.named[-4:]))
        named_count = np.bincount(named // max(1, len(self.influencer_ids)), minlength=n)[:n]
        promoters = (
            d.round_stochastic(units30 * self.promoter_ppm // 1000, self._u(week, d.Stream.PROMOTERS, self.keys[:n]))
            + named_count
        )
        safe = np.maximum(units, 1)
        refund = np.where(units > 0, np.minimum(_PPM, window(self.refunded, 0, 4) * _PPM // safe), self.refund_ppm)
        complaint = np.where(
            units > 0, np.minimum(_PPM, window(self.complaints, 0, 4) * _PPM // safe), self.complaint_ppm
        )
        brand_gmv = np.array(self.columns["brand_gmv_30d"], dtype=_I64)
        if len(self.branded):
            codes = self.brand[self.branded]
            totals = self.brand_extra + _sum_by(codes, gmv30[self.branded], len(self.brand_extra))
            brand_gmv[self.branded] = totals[codes]
        self.columns.update(
            observed_at=np.full(n, _micros(close)),
            units_30d=units30,
            gmv_30d=gmv30,
            units_prev_30d=before,
            gmv_prev_30d=window(self.gmv, 4, 8) * 30 // 28,
            promoting_influencers=promoters.astype(_I64),
            refund_rate=refund.astype(_I64),
            complaint_rate=complaint.astype(_I64),
            brand_gmv_30d=brand_gmv,
        )

    # -- subsidies: asked per buyer order, granted by the budget book, given back by refunds ---------------------

    def _subsidies(
        self,
        week: int,
        close: datetime,
        models: Models,
        rows: NDArray[np.int64],
        channel: NDArray[np.int64],
        units: NDArray[np.int64],
        paid_at: datetime,
    ) -> NDArray[np.int64]:
        """Each sold line's subsidy: its requests (one-unit buyer orders) granted by the budget book.

        The requests are the object path's (``run_period(..., per_unit=True)``: the perks of the SKU's effective
        tier at the close, per buyer order, the SKU's composite as the score), computed on columns; they go to the
        one allocator, :meth:`BudgetBook.allocate <fenxiao.grading.budgets.BudgetBook.allocate>`. A request that
        provably gets nothing (its budget has no cap or window, and the requests served before it ask for all the
        budget has left) is not built: the allocation of the others is the same.
        """
        given = np.zeros(len(rows), dtype=_I64)
        report = self.report
        found: list[tuple[NDArray[np.int64], str, NDArray[np.int64]]] = []
        for slot in perk_slots(models.perks):
            if slot.kind != "subsidy":
                continue
            granted = np.asarray(report[slot.column])[rows] >= 0
            if not granted.any():
                continue
            at = np.flatnonzero(granted)
            rate = np.asarray(report[f"{slot.column}.rate_ppm"])[rows[at]]
            fixed = np.asarray(report[f"{slot.column}.fixed_fen"])[rows[at]]
            cap = np.asarray(report[f"{slot.column}.cap_fen"])[rows[at]]
            one = _mul_div(self.price[rows[at]], rate, _PPM) + fixed
            one = np.where(cap >= 0, np.minimum(one, cap), one)
            amount = one * units[at]
            asks = amount > 0
            found.append((at[asks], slot.key, amount[asks]))
        if not found:
            return given
        line = np.concatenate([f[0] for f in found])
        budget = [name for at, name, _ in found for _ in range(len(at))]
        amount = np.concatenate([f[2] for f in found])
        row = rows[line]
        tier = np.asarray(report["effective"]).astype(_I64)[row]
        score = np.asarray(report["composite"]).astype(_I64)[row]
        ids = [f"w{week}-s{r}-c{c}:{b}" for r, c, b in zip(row.tolist(), channel[line].tolist(), budget, strict=True)]
        served = sorted(range(len(ids)), key=lambda i: (-int(tier[i]), -int(score[i]), ids[i]))
        served = self._may_get(served, budget, amount, models)
        merchants = self.columns["merchant_id"]
        requests = [
            SubsidyRequest(
                ids[i],
                budget[i],
                Money(int(amount[i])),
                _TIERS[int(tier[i])],
                Decimal(int(score[i])).scaleb(-2),
                sku_id=str(self.sku_ids[row[i]]),
                at=paid_at,
                merchant_id=str(merchants[row[i]]),
            )
            for i in served
        ]
        self.book, allocation = self.book.allocate(requests, models.budgets, period=week_period(week), at=close)
        line_of = {ids[i]: int(line[i]) for i in served}
        for grant in allocation.grants:
            if grant.granted.fen:
                given[line_of[grant.request_id]] += grant.granted.fen
        return given

    def _may_get(
        self, served: list[int], budget: Sequence[str], amount: NDArray[np.int64], models: Models
    ) -> list[int]:
        """The requests (in the order served) that may be granted something.

        With a budget that has a cap or a window every request of it is kept (what a cap leaves depends on the
        keys). Otherwise a budget grants in order until it has nothing left: a request is dropped when those of
        its budget served before it ask at least what the budget has left (it would get nothing, and so would
        every later one); a request naming no budget of the models gets nothing either.
        """
        budgets = {b.name: b for b in models.budgets}
        left: dict[str, int] = {}
        for name, b in budgets.items():
            plain = b.valid_from is None and b.valid_until is None
            if plain and all(getattr(b, cap) is None for cap in ("per_merchant", "per_sku", "per_day", "per_period")):
                left[name] = b.total.fen - self.book.spent(name, currency=b.total.currency).fen
        kept = []
        for i in served:
            name = budget[i]
            if name not in budgets:
                continue
            if name in left:
                if left[name] <= 0:
                    continue
                left[name] -= int(amount[i])
            kept.append(i)
        return kept

    def _order_columns(
        self, rows: NDArray[np.int64], influencer: NDArray[np.int64], units: NDArray[np.int64], subsidy: Any
    ) -> dict[str, Any]:
        """The sold lines as the orders :func:`~fenxiao.columnar.settle_columns` splits (no refunds yet)."""
        mcn = np.where(influencer >= 0, self.influencer_mcn[np.maximum(influencer, 0)], -1)
        fee = self.leader_fee[rows]
        category = self.category[rows]
        return {
            "paid_fen": self.price[rows] * units,
            "commission_ppm": self.commission[rows],
            "subsidy_fen": np.asarray(subsidy, dtype=_I64),
            "leader_fee_ppm": np.ma.masked_array(np.maximum(fee, 0), mask=fee < 0),
            "mcn_share_ppm": np.ma.masked_array(np.maximum(mcn, 0), mask=mcn < 0),
            "category_id": self.category_text[category],
            "category_level1": self.level1[category],
        }

    def _money(self, orders: Mapping[str, Any]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Each sold line's commission, team-leader fees and platform fees at payment (the split, on columns)."""
        if not len(orders["paid_fen"]):
            empty = np.zeros(0, dtype=_I64)
            return empty, empty, empty
        lines = settle_columns(orders, self.profile, keep=())
        leader = lines["team_leader_fen"] + lines["second_leader_fen"]
        platform = lines["platform_commission_fee_fen"] + lines["platform_tech_fee_fen"]
        return lines["commission_fen"], leader, platform

    def _remember(
        self,
        week: int,
        paid_at: datetime,
        sold: NDArray[np.int64],
        channel: NDArray[np.int64],
        line_row: NDArray[np.int64],
        units: NDArray[np.int64],
        refunded: NDArray[np.int64],
        after: NDArray[np.int64],
        subsidy: NDArray[np.int64],
        orders: Mapping[str, Any],
    ) -> None:
        """Keep the week's subsidised lines that will be refunded, with the dates of their refunds (the object
        path's order events: a refund the day after receipt, a clawback after settlement)."""
        kept = np.flatnonzero((subsidy > 0) & (refunded[sold] > 0))
        if not len(kept):
            return
        service = self.config.service
        received = paid_at + timedelta(days=service.receipt_days)
        due = self.profile.settlement_due(received)
        at = sold[kept]
        self.cohorts.append(
            _Cohort(
                ids=[f"w{week}-s{r}-c{c}" for r, c in zip(line_row[at].tolist(), channel[at].tolist(), strict=True)],
                orders={name: column[kept] for name, column in orders.items()},
                price=self.price[line_row[at]],
                before=refunded[at] - after[at],
                after=after[at],
                refund_at=received + timedelta(days=service.refund_days),
                clawback_at=due + timedelta(days=service.clawback_days),
            )
        )

    def _returns(self, close: datetime) -> int:
        """Give back to the budgets the subsidy share of every refund made by *close* since the last returns (fen).

        The share is the split's (``subsidy_return_fen`` of :func:`~fenxiao.columnar.settle_columns` with the units
        refunded so far), returned through :meth:`BudgetBook.settle_owed
        <fenxiao.grading.budgets.BudgetBook.settle_owed>`, which :meth:`~fenxiao.grading.budgets.BudgetBook.
        settle_refunds` (the object path's route, through ``run_period``'s ``refunds``) shares with it.
        """
        owed: dict[str, Money] = {}
        waiting: list[_Cohort] = []
        for cohort in self.cohorts:
            newly = np.zeros(len(cohort.ids), dtype=np.bool_)
            if not cohort.refunded and cohort.refund_at <= close:
                cohort.refunded = True
                newly |= cohort.before > 0
            if not cohort.clawed and cohort.clawback_at <= close:
                cohort.clawed = True
                newly |= cohort.after > 0
            if newly.any():
                back = cohort.before * cohort.refunded + cohort.after * cohort.clawed
                orders = {name: column[newly] for name, column in cohort.orders.items()}
                orders["refunded_fen"] = cohort.price[newly] * back[newly]
                share = settle_columns(orders, self.profile, keep=())["subsidy_return_fen"]
                ids = [i for i, hit in zip(cohort.ids, newly.tolist(), strict=True) if hit]
                owed.update(zip(ids, (Money(int(x)) for x in share.tolist()), strict=True))
            if not (cohort.refunded and cohort.clawed):
                waiting.append(cohort)
        self.cohorts = waiting
        if not owed:
            return 0
        self.book, back_total = self.book.settle_owed(owed, at=close)
        return back_total.fen

    def _budget_left(self, models: Models) -> Money:
        left = 0
        for budget in models.budgets:
            spent = self.book.spent(budget.name, currency=budget.total.currency)
            left += max(0, budget.total.fen - spent.fen)
        return Money(left)

    def _rows(
        self, week: int, close: datetime, held: NDArray[np.int64], lines: _Lines, totals: _Totals, models: Models
    ) -> None:
        line_row, views, promotions, units, refunded, commission, subsidy = lines
        starts = np.flatnonzero(np.concatenate([[True], line_row[1:] != line_row[:-1]])) if len(line_row) else line_row
        rows = line_row[starts]  # the lines are sorted by SKU row: each SKU's lines are a run

        def per_sku(values: NDArray[np.int64]) -> NDArray[np.int64]:
            if not len(starts):
                return np.zeros(0, dtype=_I64)
            summed: NDArray[np.int64] = np.add.reduceat(np.asarray(values, dtype=_I64), starts)
            return summed

        sku_units, sku_views = per_sku(units), per_sku(views)
        sku_gmv = sku_units * self.price[rows]
        sku_commission, sku_subsidy = per_sku(commission), per_sku(subsidy)
        tier = held[rows]
        if self.keep_skus:
            ids = self.sku_ids[rows]
            self.sku_parts.append(
                {
                    "week": np.full(len(rows), week, dtype=_I64),
                    "sku_id": ids,
                    "tier": tier,
                    "base": self.base[rows],
                    "traffic": sku_views,
                    "promotions": per_sku(promotions),
                    "units": sku_units,
                    "gmv_fen": sku_gmv,
                    "commission_fen": sku_commission,
                    "refunded_units": per_sku(refunded),
                    "subsidy_fen": sku_subsidy,
                }
            )
        report = self.report
        previous = np.asarray(report["previous"]).astype(_I64)
        effective = np.asarray(report["effective"]).astype(_I64)
        moved = (previous >= 0) & (previous != effective)
        entered = np.bincount(effective[moved], minlength=len(_TIERS))
        left = np.bincount(previous[moved], minlength=len(_TIERS))
        ones = np.ones(len(rows), dtype=_I64)
        skus, traffic, sold, gmv, paid, given = _grouped(
            tier, len(_TIERS), ones, sku_views, sku_units, sku_gmv, sku_commission, sku_subsidy
        )
        for t in _TIERS:
            r = t.rank
            self.tier_rows.append(
                TierWeek(
                    week=week,
                    tier=t.value,
                    skus=int(skus[r]),
                    traffic=int(traffic[r]),
                    units=int(sold[r]),
                    gmv=Money(int(gmv[r])),
                    commission=Money(int(paid[r])),
                    subsidy=Money(int(given[r])),
                    entered=int(entered[r]),
                    left=int(left[r]),
                )
            )
        skus, sold, gmv, paid = _grouped(
            self.category[rows], len(self.categories), ones, sku_units, sku_gmv, sku_commission
        )
        for code, category_id in enumerate(self.categories):
            self.category_rows.append(
                CategoryWeek(
                    week, category_id, int(skus[code]), int(sold[code]), Money(int(gmv[code])), Money(int(paid[code]))
                )
            )
        gmv_total = int(sku_gmv.sum())
        top = int(sku_gmv[tier >= Tier.L4.rank].sum())
        counts = np.bincount(effective, minlength=len(_TIERS))
        self.week_rows.append(
            WeekRow(
                week=week,
                as_of=close,
                skus=len(effective),
                listed=len(rows),
                applications=totals.applications,
                joined=totals.joined,
                rejected=totals.rejected,
                traffic=int(views.sum()),
                promotions=int(promotions.sum()),
                units=int(units.sum()),
                gmv=Money(gmv_total),
                refunded_units=int(refunded.sum()),
                complaints=totals.complaints,
                commission=Money(totals.commission),
                leader_fees=Money(totals.leader_fees),
                platform_fees=Money(totals.platform_fees),
                subsidy=Money(int(subsidy.sum())),
                subsidy_returned=Money(totals.returned),
                budget_left=self._budget_left(models),
                tiers={t.value: int(counts[t.rank]) for t in _TIERS},
                promoted=int((moved & (effective > previous)).sum()),
                demoted=int((moved & (effective < previous)).sum()),
                top_share=_share(top, gmv_total),
            )
        )

    def finish(self) -> SeasonColumns:
        cohort = self.first_tier == Tier.L0.rank
        climbed = cohort & (self.reached >= 0)
        weeks = (self.reached[climbed] - self.first_week[climbed]).tolist()
        gmv = sum(w.gmv.fen for w in self.week_rows)
        top = sum(t.gmv.fen for t in self.tier_rows if t.tier in ("L4", "L5"))
        flywheel = Flywheel(
            top_share=_share(top, gmv),
            cohort=int(cohort.sum()),
            reached_l3=len(weeks),
            median_weeks_to_l3=_median(weeks),
            promoted=sum(w.promoted for w in self.week_rows),
            demoted=sum(w.demoted for w in self.week_rows),
        )
        skus: dict[str, Any] = {}
        if self.keep_skus and self.sku_parts:
            skus = {name: np.concatenate([p[name] for p in self.sku_parts]) for name in SKU_COLUMNS}
        return SeasonColumns(
            seed=self.seed,
            config=self.config.describe(),
            models=dict(self.described),
            start=self.start,
            weeks=tuple(self.week_rows),
            tiers=tuple(self.tier_rows),
            categories=tuple(self.category_rows),
            skus=skus,
            flywheel=flywheel,
            budgets=self.book,
        )


def run_season_columns(
    catalog: Catalog,
    *,
    seed: int,
    weeks: int | None = None,
    config: SimulationConfig | None = None,
    models: Models | None = None,
    baseline: Models | None = None,
    admission: AdmissionPolicy | None = None,
    keep_skus: bool = True,
    progress: Progress = None,
) -> SeasonColumns:
    """The season :func:`~fenxiao.simulate.season.run_season` simulates, on columns (see the module's docs).

    Args:
        catalog, seed, weeks, config, models, baseline, admission: As for
            :func:`~fenxiao.simulate.season.run_season`.
        keep_skus: Keep one row per SKU and week (:attr:`SeasonColumns.skus`); ``False`` saves the memory of a
            large season.
        progress: Report the weeks done, as for :func:`~fenxiao.simulate.season.run_season`.

    Returns:
        The :class:`SeasonColumns`: the object season's week, tier and category rows, the SKU rows as columns.

    Raises:
        InvalidValueError: As for :func:`~fenxiao.simulate.season.run_season`; also choice weights beyond 64 bits.
        PolicyError: A listing's terms that the platform profile refuses.
    """
    v.require_int(seed, "run_season_columns.seed", 0, d.MASK64)
    chosen = config if config is not None else default_simulation_config()
    if not isinstance(chosen, SimulationConfig):
        raise InvalidValueError("run_season_columns.config", chosen, "must be a SimulationConfig")
    length = chosen.weeks if weeks is None else weeks
    v.require_int(length, "run_season_columns.weeks", 1, MAX_WEEKS)
    for name, given in (("models", models), ("baseline", baseline)):
        if given is not None and not isinstance(given, Models):
            raise InvalidValueError(f"run_season_columns.{name}", given, "must be Models")
    if admission is not None and not isinstance(admission, AdmissionPolicy):
        raise InvalidValueError("run_season_columns.admission", admission, "must be an AdmissionPolicy")
    season = _ColumnSeason(
        catalog,
        seed=seed,
        config=chosen,
        models=models if models is not None else Models(),
        baseline=baseline if baseline is not None else Models(),
        admission=admission if admission is not None else default_admission_policy(),
        keep_skus=keep_skus,
    )
    season.begin()
    for week in counted(range(1, length + 1), progress, length, "run_season_columns"):
        season.week(week)
    return season.finish()
