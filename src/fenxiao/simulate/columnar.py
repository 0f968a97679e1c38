"""The season on columns: :func:`run_season_columns`, the season of :func:`~fenxiao.simulate.season.run_season` for
catalogs of any size.

Every SKU is a row of NumPy columns; each week the traffic, the 达人优选 picks, the sales, refunds and complaints, the
closing snapshots and the money at payment are column arithmetic on the same integer formulas and the same
counter-based draws as the object path (:mod:`fenxiao.simulate.draws`); the period is graded by
:func:`fenxiao.columnar.periods.run_period_columns` (scores, tiers with hysteresis, perks on the effective tier);
subsidies are granted by the same budget book (:meth:`~fenxiao.grading.budgets.BudgetBook.allocate`) and admission is
the object path's own machine. On every catalog the result's rows are the object season's rows (the tests hold them
equal); what the columnar season leaves out is what only objects carry: the orders, the ledger (so the goals), the
period reports and the program state's history of changes.

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
from fenxiao.columnar import catalog_columns, perk_slots, settle_columns, snapshot_columns
from fenxiao.columnar.periods import run_period_columns
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Sku
from fenxiao.domain.listings import Listing, ListingStatus
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
from fenxiao.simulate.season import (
    _Admissions,
    _Applicant,
    _median,
    _models_at,
    _recent,
    _share,
    _Template,
    week_period,
)

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
_U64: Final = np.uint64


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


class _ColumnSeason:
    """The machinery of a columnar season (private)."""

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
        self.admissions = _Admissions(seed, config, admission, catalog)
        self.book = BudgetBook()
        self.left: dict[str, Money] = {}
        self.state: Any = None
        self.categories = [c.id for c in catalog.categories]
        self.category_code = {c: i for i, c in enumerate(self.categories)}
        influencers = sorted(catalog.influencers, key=lambda i: i.id)
        self.influencer_ids = [i.id for i in influencers]
        self.influencer_keys = np.array([d.key_of(i) for i in self.influencer_ids], dtype=_U64)
        self.influencer_views = np.array(
            [min(i.fans, d.MAX_FANS) * self.reach // _PPM for i in influencers], dtype=_I64
        )
        self.influencer_mcn = [i.mcn_share.ppm if i.mcn_share is not None else -1 for i in influencers]
        self.mains = [tuple(self.category_code[c] for c in i.main_category_ids) for i in influencers]
        approved = {li.sku_id: li for li in catalog.listings if li.status is ListingStatus.APPROVED}
        first_listing: dict[str, Listing] = {}
        for li in catalog.listings:
            first_listing.setdefault(li.sku_id, li)
        snapshots = list(snapshots_as_of(catalog, self.start))
        self.skus: list[Sku] = [catalog.sku(s.sku_id) for s in snapshots]
        self.listings: list[Listing | None] = [approved.get(s.id) or first_listing.get(s.id) for s in self.skus]
        self.firsts: list[SkuSnapshot] = snapshots
        self.columns: dict[str, Any] = catalog_columns(catalog, snapshots)
        self.n = len(snapshots)
        self._static_rows(snapshots, range(self.n))
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
        brand_total = self.columns["brand_gmv_30d"]
        self.brand_extra: dict[str, int] = {}
        for i, sku in enumerate(self.skus):
            if sku.brand_id is not None and sku.brand_id not in self.brand_extra:
                self.brand_extra[sku.brand_id] = int(brand_total[i])
        for i, sku in enumerate(self.skus):
            if sku.brand_id is not None:
                self.brand_extra[sku.brand_id] = max(
                    0, self.brand_extra[sku.brand_id] - int(self.columns["gmv_30d"][i])
                )
        leader_gmv: dict[str, int] = defaultdict(int)
        for i in np.flatnonzero(self.listed & (self.leader >= 0)).tolist():
            leader_gmv[self.leader_ids[int(self.leader[i])]] += int(self.gmv[-1][i])
        self.leader_gmv: list[dict[str, int]] = [dict(leader_gmv)] * 4
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

    def _static_rows(self, snapshots: Sequence[SkuSnapshot], rows: range) -> None:
        """Append the static columns of the SKUs in *rows* (their listing's terms, keys, service rates)."""
        if not hasattr(self, "keys"):
            self.leader_ids: list[str] = []
            self.leader_code: dict[str, int] = {}
            self.keys = np.zeros(0, dtype=_U64)
            self.price = np.zeros(0, dtype=_I64)
            self.listed = np.zeros(0, dtype=np.bool_)
            self.listing_ids = np.zeros(0, dtype=object)
            self.commission = np.zeros(0, dtype=_I64)
            self.leader = np.zeros(0, dtype=_I64)
            self.leader_fee = np.zeros(0, dtype=_I64)
            self.category = np.zeros(0, dtype=_I64)
            self.refund_ppm = np.zeros(0, dtype=_I64)
            self.complaint_ppm = np.zeros(0, dtype=_I64)
            self.base = np.zeros(0, dtype=_I64)
        listings = [self.listings[i] for i in rows]
        skus = [self.skus[i] for i in rows]
        leaders = []
        for li in listings:
            name = li.terms.team_leader_id if li is not None else None
            if name is not None and name not in self.leader_code:
                self.leader_code[name] = len(self.leader_ids)
                self.leader_ids.append(name)
            leaders.append(self.leader_code[name] if name is not None else -1)
        self.keys = np.concatenate([self.keys, np.array([d.key_of(s.id) for s in skus], dtype=_U64)])
        self.price = np.concatenate([self.price, np.array([s.price.fen for s in snapshots], dtype=_I64)])
        self.listed = np.concatenate(
            [self.listed, np.array([li is not None and li.status is ListingStatus.APPROVED for li in listings])]
        )
        ids = np.empty(len(listings), dtype=object)
        ids[:] = [li.id if li is not None else "" for li in listings]
        self.listing_ids = np.concatenate([self.listing_ids, ids])
        self.commission = np.concatenate(
            [self.commission, np.array([li.terms.commission_rate.ppm if li else 0 for li in listings], dtype=_I64)]
        )
        self.leader = np.concatenate([self.leader, np.array(leaders, dtype=_I64)])
        fees = [li.terms.leader_fee_rate.ppm if li and li.terms.leader_fee_rate is not None else -1 for li in listings]
        self.leader_fee = np.concatenate([self.leader_fee, np.array(fees, dtype=_I64)])
        self.category = np.concatenate(
            [self.category, np.array([self.category_code[s.category_id] for s in skus], dtype=_I64)]
        )
        # An unobserved rate draws no refunds or complaints, as on the object path.
        refunds = [0 if s.refund_rate is None else s.refund_rate.ppm for s in snapshots]
        complaints = [0 if s.complaint_rate is None else s.complaint_rate.ppm for s in snapshots]
        self.refund_ppm = np.concatenate([self.refund_ppm, np.array(refunds, dtype=_I64)])
        self.complaint_ppm = np.concatenate([self.complaint_ppm, np.array(complaints, dtype=_I64)])
        self.base = np.concatenate([self.base, np.zeros(len(listings), dtype=_I64)])

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
            if slot.kind == "traffic_boost":
                values = np.array([ppm_of(entries[j].perk.multiplier) for j in slot.entries], dtype=_I64)
                lookup = dict(zip(slot.entries, values.tolist(), strict=True))
                mapped = np.array([lookup.get(int(x), _PPM) for x in column.tolist()], dtype=_I64)
                boost = np.where(granted, np.maximum(boost, mapped), boost)
            elif slot.kind == "badge":
                badge |= granted
            elif slot.kind == "influencer_preferred":
                lookup = {j: entries[j].perk.rank_boost for j in slot.entries}
                mapped = np.array([lookup.get(int(x), 0) for x in column.tolist()], dtype=_I64)
                preferred = np.where(granted, np.maximum(preferred, mapped), preferred)
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

    def join(self, applicants: Sequence[_Applicant]) -> None:
        if not applicants:
            return
        start = self.n
        for applicant in applicants:
            self.skus.append(applicant.sku)
            self.listings.append(applicant.listing)
            self.firsts.append(applicant.snapshot)
        snapshots = [a.snapshot for a in applicants]
        self.n += len(applicants)
        self._static_rows(snapshots, range(start, self.n))
        new = snapshot_columns(snapshots)
        merchants = [self.admissions.merchants[a.sku.merchant_id] for a in applicants]
        new["merchant_id"] = _text([m.id for m in merchants])
        new["category_level1"] = _text([self.catalog.category(a.sku.category_id).level1 for a in applicants])
        new["merchant_standing"] = _text([m.standing.value for m in merchants])
        new["shop_kind"] = _text([m.shop_kind.value for m in merchants])
        self.columns = {name: _concat(self.columns[name], new[name]) for name in self.columns}
        zeros = np.zeros(len(applicants), dtype=_I64)
        for history in (self.units, self.gmv, self.refunded, self.complaints):
            history[:] = [np.concatenate([h, zeros]) for h in history]
        u = d.uniform_ppm(d.draw(self.seed, 0, d.Stream.COLD, self.keys[start:])).astype(_I64)
        self.base[start:] = np.minimum(self.cap, self.config.traffic.cold_start_views * 2 * u // _PPM)
        self.promoter_ppm = np.concatenate([self.promoter_ppm, np.full(len(applicants), self.default_promoters)])
        self.graded = np.concatenate([self.graded, np.zeros(len(applicants), dtype=np.bool_)])

    def week(self, week: int) -> None:
        close = self.start + _WEEK * week
        paid_at = close - _WEEK + timedelta(days=3, hours=12)
        reviewed = len(self.admissions.pending)
        self.join(self.admissions.pending)
        self.admissions.pending = []
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
        del after  # how many come back after settlement matters to the orders' lives, which columns do not keep
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
        per_leader: dict[str, int] = defaultdict(int)
        carried = np.flatnonzero(self.listed & (self.leader >= 0))
        for i, gmv in zip(carried.tolist(), (sku_units * self.price)[carried].tolist(), strict=True):
            per_leader[self.leader_ids[int(self.leader[i])]] += gmv
        self.leader_gmv.append(dict(per_leader))
        # -- admission, the closing snapshots, the period ----------------------------------------------------------
        applications, approved, rejected = self._admit(week, close)
        self.join(approved)
        self._close(week, close)
        models = _models_at(self.models, self.config, week)
        self.state, self.report = self.grade(week, close, models, self.state)
        # -- subsidies, money at payment -------------------------------------------------------------------------
        sold = units > 0
        order_ids = [f"w{week}-s{r}-c{c}" for r, c in zip(line_row[sold].tolist(), channel[sold].tolist(), strict=True)]
        subsidy = self._subsidies(week, close, models, line_row[sold], units[sold], order_ids, paid_at)
        line_subsidy = np.zeros(len(line_row), dtype=_I64)
        line_subsidy[sold] = subsidy
        commission, leader, platform = self._money(line_row[sold], line_influencer[sold], units[sold], subsidy)
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
            reviewed + len(approved),
            rejected,
        )
        self._rows(week, close, previous, lines, totals, models)

    def _u(self, week: int, stream: d.Stream, keys: Any) -> NDArray[np.int64]:
        return np.asarray(d.uniform_ppm(d.draw(self.seed, week, stream, keys))).astype(_I64)

    def _admit(self, week: int, close: datetime) -> tuple[int, list[_Applicant], int]:
        listed = np.flatnonzero(self.listed[: self.n]).tolist()

        def carrier(row: int) -> str | None:
            code = int(self.leader[row])
            return self.leader_ids[code] if code >= 0 else None

        def template(row: int) -> _Template:
            return _Template(
                self.skus[row],
                self.listings[row],
                self.firsts[row],
                int(self.refund_ppm[row]),
                int(self.complaint_ppm[row]),
            )

        return self.admissions.week(week, close, listed, carrier, _recent(self.leader_gmv), template)

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
        totals: dict[str, int] = dict(self.brand_extra)
        brands = [s.brand_id for s in self.skus]
        for i, brand in enumerate(brands):
            if brand is not None:
                totals[brand] = totals.get(brand, 0) + int(gmv30[i])
        for i, brand in enumerate(brands):
            if brand is not None:
                brand_gmv[i] = totals[brand]
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

    def _subsidies(
        self,
        week: int,
        close: datetime,
        models: Models,
        rows: NDArray[np.int64],
        units: NDArray[np.int64],
        order_ids: Sequence[str],
        paid_at: datetime,
    ) -> NDArray[np.int64]:
        """Each sold line's subsidy: its requests (one-unit buyer orders) granted by the budget book."""
        report = self.report
        requests: list[SubsidyRequest] = []
        for slot in perk_slots(models.perks):
            if slot.kind != "subsidy":
                continue
            granted = np.asarray(report[slot.column])[rows] >= 0
            if not granted.any():
                continue
            rate = np.asarray(report[f"{slot.column}.rate_ppm"])[rows]
            fixed = np.asarray(report[f"{slot.column}.fixed_fen"])[rows]
            cap = np.asarray(report[f"{slot.column}.cap_fen"])[rows]
            one = self.price[rows] * rate // _PPM + fixed
            one = np.where(cap >= 0, np.minimum(one, cap), one)
            amount = one * units
            tiers = np.asarray(report["effective"])[rows]
            scores = np.asarray(report["composite"])[rows]
            for i in np.flatnonzero(granted & (amount > 0)).tolist():
                requests.append(
                    SubsidyRequest(
                        f"{order_ids[i]}:{slot.key}",
                        slot.key,
                        Money(int(amount[i])),
                        _TIERS[int(tiers[i])],
                        Decimal(int(scores[i])).scaleb(-2),
                        sku_id=self.skus[int(rows[i])].id,
                        at=paid_at,
                    )
                )
        self.book, allocation = self.book.allocate(requests, models.budgets, period=week_period(week), at=close)
        self.left = dict(allocation.remaining)  # what every budget has left after the week's grants
        given: dict[str, int] = defaultdict(int)
        for grant in allocation.grants:
            if grant.granted.fen:
                given[grant.request_id.rsplit(":", 1)[0]] += grant.granted.fen
        return np.array([given.get(o, 0) for o in order_ids], dtype=_I64)

    def _money(
        self, rows: NDArray[np.int64], influencer: NDArray[np.int64], units: NDArray[np.int64], subsidy: Any
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Each sold line's commission, team-leader fees and platform fees at payment (the split, on columns)."""
        if not len(rows):
            empty = np.zeros(0, dtype=_I64)
            return empty, empty, empty
        mcn = np.array([self.influencer_mcn[c] if c >= 0 else -1 for c in influencer.tolist()], dtype=_I64)
        fee = self.leader_fee[rows]
        categories = np.empty(len(rows), dtype=object)
        categories[:] = [self.categories[c] for c in self.category[rows].tolist()]
        level1 = np.empty(len(rows), dtype=object)
        level1[:] = [self.catalog.category(c).level1 for c in categories.tolist()]
        lines = settle_columns(
            {
                "paid_fen": self.price[rows] * units,
                "commission_ppm": self.commission[rows],
                "subsidy_fen": np.asarray(subsidy, dtype=_I64),
                "leader_fee_ppm": np.ma.masked_array(np.maximum(fee, 0), mask=fee < 0),
                "mcn_share_ppm": np.ma.masked_array(np.maximum(mcn, 0), mask=mcn < 0),
                "category_id": categories,
                "category_level1": level1,
            },
            self.profile,
            keep=(),
        )
        leader = lines["team_leader_fen"] + lines["second_leader_fen"]
        platform = lines["platform_commission_fee_fen"] + lines["platform_tech_fee_fen"]
        return lines["commission_fen"], leader, platform

    def _rows(
        self, week: int, close: datetime, held: NDArray[np.int64], lines: _Lines, totals: _Totals, models: Models
    ) -> None:
        line_row, views, promotions, units, refunded, commission, subsidy = lines
        rows = np.unique(line_row)
        n = self.n

        def per_sku(values: NDArray[np.int64]) -> NDArray[np.int64]:
            return _sum_by(line_row, values, n)[rows]

        sku_units, sku_views = per_sku(units), per_sku(views)
        sku_gmv = sku_units * self.price[rows]
        sku_commission, sku_subsidy = per_sku(commission), per_sku(subsidy)
        tier = held[rows]
        if self.keep_skus:
            ids = np.empty(len(rows), dtype=object)
            ids[:] = [self.skus[i].id for i in rows.tolist()]
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
        for t in _TIERS:
            at = tier == t.rank
            self.tier_rows.append(
                TierWeek(
                    week=week,
                    tier=t.value,
                    skus=int(at.sum()),
                    traffic=int(sku_views[at].sum()),
                    units=int(sku_units[at].sum()),
                    gmv=Money(int(sku_gmv[at].sum())),
                    commission=Money(int(sku_commission[at].sum())),
                    subsidy=Money(int(sku_subsidy[at].sum())),
                    entered=int(entered[t.rank]),
                    left=int(left[t.rank]),
                )
            )
        category = self.category[rows]
        for code, category_id in enumerate(self.categories):
            at = category == code
            self.category_rows.append(
                CategoryWeek(
                    week,
                    category_id,
                    int(at.sum()),
                    int(sku_units[at].sum()),
                    Money(int(sku_gmv[at].sum())),
                    Money(int(sku_commission[at].sum())),
                )
            )
        gmv_total = int(sku_gmv.sum())
        top = int(sku_gmv[tier >= Tier.L4.rank].sum())
        counts = np.bincount(effective, minlength=len(_TIERS))
        left_money = sum(max(0, m.fen) for m in self.left.values())
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
                budget_left=Money(left_money),
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
) -> SeasonColumns:
    """The season :func:`~fenxiao.simulate.season.run_season` simulates, on columns (see the module's docs).

    Args:
        catalog, seed, weeks, config, models, baseline, admission: As for
            :func:`~fenxiao.simulate.season.run_season`.
        keep_skus: Keep one row per SKU and week (:attr:`SeasonColumns.skus`); ``False`` saves the memory of a
            large season.

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
    for week in range(1, length + 1):
        season.week(week)
    return season.finish()
