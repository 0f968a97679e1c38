"""The selection pool (选品池): approved listings an influencer filters and that are ranked for them, with reasons.

Influencers choosing goods could not tell which were really good (不知道怎么识别更加优质的货品). The pool
answers with filters (category, tier at least, commission at least, price band, team leader, badge) and a
ranking for one influencer that says why each listing is where it is: fit to the influencer's categories and
fans' price band, tier and 达人优选 placement, commission, and service score.

Ranking points are integers (exact, the same on every machine); the order is total and deterministic:
points, then tier, then listing id.

Who is in the pool has one source: the perk catalog. An approved listing is in the pool when its grade earns the
access perk :data:`POOL_FEATURE` (``"pool"``). The default perk catalog grants it from L0, because goods enter
the pool on joining (the seed: 加入快分销后，你的货品就会...获得一个级别, L0 included); a catalog that grants it
from L1 keeps L0 goods out of the pool.

>>> from fenxiao.sample import load_sample
>>> catalog = load_sample()
>>> pool = SelectionPool.from_catalog(catalog)
>>> page = pool.rank(catalog.influencers[0], page_size=3)
>>> len(page.items), page.total == len(pool.entries)
(3, True)

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.trusted import builder
from fenxiao._internal.validators import checks_arguments_on_failure
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.listings import ListingStatus
from fenxiao.domain.people import Influencer
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkResolution
from fenxiao.grading.pipeline import GradedSku, grade_catalog
from fenxiao.money import Money, Rate

if TYPE_CHECKING:
    from fenxiao.market._pool_arrays import PoolArrays as _PoolArrays

#: Pools of at least this many listings are ranked on NumPy columns when NumPy is installed (below, the loop over
#: plain tuples is as fast).
_ARRAYS_FROM = 2_000  # not Final: the tests lower it to compare both ways on small pools

__all__ = [
    "POOL_FEATURE",
    "PoolEntry",
    "PoolFilter",
    "RankedListing",
    "RankedPage",
    "RankingWeights",
    "SelectionPool",
    "is_listed",
]

#: The access feature whose perk puts a graded listing in the pool (the perk catalog's ``pool`` entry).
POOL_FEATURE: Final = "pool"


@checks_arguments_on_failure
def is_listed(perks: PerkResolution) -> bool:
    """Whether a SKU's resolved perks grant :data:`POOL_FEATURE`: the one test of pool membership.

    >>> from fenxiao.grading import Tier
    >>> from fenxiao.grading.perks import default_perk_catalog, example_perk_inputs
    >>> is_listed(default_perk_catalog().resolve(Tier.L0, example_perk_inputs()))
    True
    """
    return any(getattr(p, "feature", None) == POOL_FEATURE for p in perks.of_kind("access"))


_POINTS: Final = v.decimal_between(Decimal(0), Decimal(100))


def _badges(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(x, str) for x in value):
        raise InvalidValueError("PoolEntry.badges", value, "must be a frozenset of badge labels and icons (text)")


@attrs.frozen
class PoolEntry:
    """One approved listing as the pool sees it: its goods, terms, grade and perks."""

    listing_id: str = attrs.field(validator=v.identifier)
    sku_id: str = attrs.field(validator=v.identifier)
    merchant_id: str = attrs.field(validator=v.identifier)
    category_id: str = attrs.field(validator=v.identifier)
    category_level1: str = attrs.field(validator=v.text)
    title: str = attrs.field(validator=v.text)
    price: Money = attrs.field(validator=v.money)
    commission_rate: Rate = attrs.field(validator=v.rate)
    team_leader_id: str | None = attrs.field(validator=v.optional_identifier)
    tier: Tier = attrs.field(validator=v.member_of(Tier))
    composite: Decimal = attrs.field(validator=_POINTS)
    service_score: Decimal = attrs.field(validator=_POINTS)
    preferred_boost: int = attrs.field(default=0, validator=v.count)
    badges: frozenset[str] = attrs.field(default=frozenset(), validator=_badges)


#: :class:`PoolEntry` from parts already checked (see :meth:`SelectionPool.from_catalog`), fields in order.
_trusted_entry: Final = builder(PoolEntry)


def _id_set(value: object) -> Any:
    # A single id (a string) is one category, not a set of characters; other iterables become frozensets.
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Iterable):
        return frozenset(value)
    return value


def _check_id_set(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, frozenset) or not all(isinstance(x, str) and x for x in value):
        raise InvalidValueError("PoolFilter.category_ids", value, "must be a set of category ids")


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 200):
        raise InvalidValueError(f"PoolFilter.{attribute.name}", value, "must be text of 1-200 characters")


@attrs.frozen
class PoolFilter:
    """What an influencer asks for; every field left ``None`` does not filter.

    Args:
        category_ids: Third-level category ids (any of them).
        category_level1: A first-level category name.
        min_tier: The tier at least.
        min_commission: The commission rate at least.
        price_low, price_high: The price band (inclusive).
        team_leader_id: Listings brought in by this team leader.
        badge: Listings carrying this badge (label or icon id).
    """

    category_ids: frozenset[str] | None = attrs.field(default=None, converter=_id_set, validator=_check_id_set)
    category_level1: str | None = attrs.field(default=None, validator=_optional_text)
    min_tier: Tier | None = attrs.field(default=None, validator=attrs.validators.optional(v.member_of(Tier)))
    min_commission: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    price_low: Money | None = attrs.field(default=None, validator=v.optional_money)
    price_high: Money | None = attrs.field(default=None, validator=v.optional_money)
    team_leader_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    badge: str | None = attrs.field(default=None, validator=_optional_text)

    def __attrs_post_init__(self) -> None:
        if self.price_low is not None and self.price_high is not None and self.price_high < self.price_low:
            raise InvalidValueError("PoolFilter.price_high", self.price_high, f"is below price_low {self.price_low}")

    def matches(self, entry: PoolEntry) -> bool:
        """Whether *entry* passes every filter given."""
        return (
            (self.category_ids is None or entry.category_id in self.category_ids)
            and (self.category_level1 is None or entry.category_level1 == self.category_level1)
            and (self.min_tier is None or entry.tier >= self.min_tier)
            and (self.min_commission is None or entry.commission_rate >= self.min_commission)
            and (
                self.price_low is None
                or (entry.price.currency == self.price_low.currency and entry.price >= self.price_low)
            )
            and (
                self.price_high is None
                or (entry.price.currency == self.price_high.currency and entry.price <= self.price_high)
            )
            and (self.team_leader_id is None or entry.team_leader_id == self.team_leader_id)
            and (self.badge is None or self.badge in entry.badges)
        )


def _points(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.int_between(0, 10_000)(instance, attribute, value)


@attrs.frozen
class RankingWeights:
    """Points of each ranking signal (integers; documented defaults).

    - ``main_category``: the listing's third-level category is one of the influencer's main categories
      (the first listed gets the full points, each later one 5 fewer);
    - ``same_level1``: else, it shares a first-level category with one of them;
    - ``price_in_band`` / ``price_near_band``: the price lies in the fans' band / within half to double it;
    - ``per_tier``: per tier step (L5 = 5 steps);
    - ``preferred_cap``: the 达人优选 rank boost, up to this many points;
    - ``commission_per_10pct``: per 10 percentage points of commission (exact, pro rata);
    - ``service_per_10``: per 10 points of service score (exact, pro rata, floored).
    """

    main_category: int = attrs.field(default=60, validator=_points)
    same_level1: int = attrs.field(default=25, validator=_points)
    price_in_band: int = attrs.field(default=20, validator=_points)
    price_near_band: int = attrs.field(default=8, validator=_points)
    per_tier: int = attrs.field(default=5, validator=_points)
    preferred_cap: int = attrs.field(default=20, validator=_points)
    commission_per_10pct: int = attrs.field(default=5, validator=_points)
    service_per_10: int = attrs.field(default=1, validator=_points)


@attrs.frozen
class RankedListing:
    """A listing's place for one influencer: its points and the reasons behind them."""

    entry: PoolEntry
    points: int
    reasons: tuple[str, ...]


@attrs.frozen
class RankedPage:
    """One page of a ranking."""

    items: tuple[RankedListing, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the ranking has."""
        return max(1, -(-self.total // self.page_size))


@attrs.frozen
class _Static:
    points: int
    reasons: tuple[str, ...]


def _static_points(entry: PoolEntry, w: RankingWeights) -> _Static:
    tier = w.per_tier * entry.tier.rank
    preferred = min(entry.preferred_boost, w.preferred_cap)
    commission = entry.commission_rate.ppm * w.commission_per_10pct // 100_000
    service = int(entry.service_score) * w.service_per_10 // 10
    reasons = [f"tier {entry.tier.value} +{tier}"]
    if preferred:
        reasons.append(f"达人优选 +{preferred}")
    reasons.append(f"commission {entry.commission_rate} +{commission}")
    reasons.append(f"service {entry.service_score} +{service}")
    return _Static(tier + preferred + commission + service, tuple(reasons))


class SelectionPool:
    """Approved listings, filterable and ranked per influencer.

    Build it with :meth:`from_catalog` (grades the catalog with the default models unless given
    graded SKUs) or from :class:`PoolEntry` values directly.
    """

    def __init__(
        self,
        entries: Iterable[PoolEntry],
        *,
        weights: RankingWeights | None = None,
        level1_of: Mapping[str, str] | None = None,
    ) -> None:
        given = tuple(v.require_iterable(entries, "SelectionPool.entries"))
        for i, entry in enumerate(given):
            if not isinstance(entry, PoolEntry):
                raise InvalidValueError(f"SelectionPool.entries[{i}]", entry, "must be a PoolEntry")
        if weights is not None and not isinstance(weights, RankingWeights):
            raise InvalidValueError("SelectionPool.weights", weights, "must be RankingWeights or None")
        if level1_of is not None:
            names: Mapping[Any, object] = v.require_mapping(level1_of, "SelectionPool.level1_of")
            for key, level1 in names.items():
                if not isinstance(key, str) or not isinstance(level1, str):
                    problem = "must map category ids to first-level names (text to text)"
                    raise InvalidValueError(f"SelectionPool.level1_of[{key!r}]", level1, problem)
        self.entries: tuple[PoolEntry, ...] = tuple(sorted(given, key=lambda e: e.listing_id))
        ids = [e.listing_id for e in self.entries]
        if len(set(ids)) != len(ids):
            raise InvalidValueError("SelectionPool.entries", ids, "holds a listing twice")
        self.weights = weights if weights is not None else RankingWeights()
        self._static = [_static_points(e, self.weights) for e in self.entries]
        self._level1_of = dict(level1_of or {e.category_id: e.category_level1 for e in self.entries})
        # Flat columns for the ranking loop: one pass of dict lookups and int additions per listing.
        self._columns = [
            (s.points, e.category_id, e.category_level1, e.price.fen, e.price.currency, -e.tier.rank, e.listing_id)
            for s, e in zip(self._static, self.entries, strict=True)
        ]
        self._filters = [
            (
                e.category_id,
                e.category_level1,
                e.tier.rank,
                e.commission_rate.ppm,
                e.price.fen,
                e.price.currency,
                e.team_leader_id,
                e.badges,
            )
            for e in self.entries
        ]

    @classmethod
    def from_catalog(
        cls, catalog: Catalog, graded: Sequence[GradedSku] | None = None, *, weights: RankingWeights | None = None
    ) -> SelectionPool:
        """The pool of a catalog: its approved listings whose SKUs are graded and listed (:func:`is_listed`).

        *graded* defaults to :func:`~fenxiao.grading.pipeline.grade_catalog` with the default models; grade with
        your own perk catalog to change from which tier goods are listed.
        """
        rows = graded if graded is not None else grade_catalog(catalog, explain=False)
        by_sku = {g.sku_id: g for g in rows}
        entries = []
        for listing in catalog.listings:
            g = by_sku.get(listing.sku_id)
            if listing.status is not ListingStatus.APPROVED or g is None or not is_listed(g.perks):
                continue
            sku = catalog.sku(listing.sku_id)
            category = catalog.category(sku.category_id)
            preferred = [p.rank_boost for p in g.perks.of_kind("influencer_preferred")]
            badges = frozenset(x for b in g.perks.of_kind("badge") for x in (b.label, b.icon))
            entries.append(  # every part from the validated catalog and grades: built without checking again
                _trusted_entry(
                    listing.id,
                    sku.id,
                    sku.merchant_id,
                    category.id,
                    category.level1,
                    sku.title,
                    sku.price,
                    listing.terms.commission_rate,
                    listing.terms.team_leader_id,
                    g.decision.tier,
                    g.scorecard.composite,
                    g.scorecard.service.value,
                    max(preferred, default=0),
                    badges,
                )
            )
        level1_of: dict[str, str] = {c.id: c.level1 for c in catalog.categories}
        return cls(entries, weights=weights, level1_of=level1_of)

    def filter(self, query: PoolFilter | None = None) -> tuple[PoolEntry, ...]:
        """The entries passing *query*, in listing-id order."""
        if query is None:
            return self.entries
        return tuple(e for e in self.entries if query.matches(e))

    def rank(
        self,
        influencer: Influencer,
        query: PoolFilter | None = None,
        *,
        page: int = 1,
        page_size: int = 20,
    ) -> RankedPage:
        """Rank the entries passing *query* for *influencer*; return one page (1-based).

        Raises:
            InvalidValueError: *page* below 1 or *page_size* outside 1–1000.
        """
        v.require_int(page, "SelectionPool.rank.page", 1, 10**9)
        v.require_int(page_size, "SelectionPool.rank.page_size", 1, 1000)
        w = self.weights
        mains = list(influencer.main_category_ids)
        main_points: dict[str, int] = {cid: max(0, w.main_category - 5 * i) for i, cid in enumerate(mains)}
        main_level1 = {self._level1_of[c] for c in mains if c in self._level1_of}
        low, high = influencer.price_band_low, influencer.price_band_high
        band = (low.fen, high.fen, low.currency) if low is not None and high is not None else None
        in_band, near_band, same_level1 = w.price_in_band, w.price_near_band, w.same_level1
        start = (page - 1) * page_size
        arrays = self._arrays if len(self.entries) >= _ARRAYS_FROM else None
        if arrays is not None:  # NumPy is installed: the same points and order on whole columns
            keep_array = None if query is None else arrays.keep(query, self._keep)
            total, ranked = arrays.top(start + page_size, keep_array, (main_points, main_level1, band), w)
            return self._page(ranked[start:], total, page, page_size, (main_points, main_level1, low, high))
        keep = range(len(self.entries)) if query is None else self._keep(query)
        columns = self._columns
        scored: list[tuple[int, int, str, int]] = []
        for i in keep:
            static, category, level1, price, currency, neg_tier, listing_id = columns[i]
            points = static
            fit = main_points.get(category)
            if fit is not None:
                points += fit
            elif level1 in main_level1:
                points += same_level1
            if band is not None and currency == band[2]:
                if band[0] <= price <= band[1]:
                    points += in_band
                elif band[0] <= price * 2 and price <= band[1] * 2:
                    points += near_band
            scored.append((-points, neg_tier, listing_id, i))
        # Only the requested page needs to be in order: a partial selection beats sorting everything.
        top = heapq.nsmallest(start + page_size, scored) if start + page_size < len(scored) // 4 else sorted(scored)
        ranked = [(-neg_points, i) for neg_points, _, _, i in top[start : start + page_size]]
        return self._page(ranked, len(scored), page, page_size, (main_points, main_level1, low, high))

    def _page(
        self,
        ranked: Sequence[tuple[int, int]],
        total: int,
        page: int,
        page_size: int,
        fan: tuple[Mapping[str, int], set[str], Money | None, Money | None],
    ) -> RankedPage:
        """The page of the first *page_size* of *ranked* ``(points, entry index)``, each with its reasons (*fan*:
        the influencer's main-category points, main first-level names and price band)."""
        main_points, main_level1, low, high = fan
        items = []
        for points, i in ranked[:page_size]:
            entry = self.entries[i]
            _, dynamic_reasons = self._dynamic(entry, main_points, main_level1, low, high)
            items.append(RankedListing(entry, points, dynamic_reasons + self._static[i].reasons))
        return RankedPage(tuple(items), total, page, page_size)

    @functools.cached_property
    def _arrays(self) -> _PoolArrays | None:
        """The pool as NumPy columns (built on first use), or ``None`` without NumPy."""
        try:
            from fenxiao.market._pool_arrays import PoolArrays  # noqa: PLC0415 - NumPy is an optional extra
        except ImportError:
            return None
        return PoolArrays(self.entries, self._static, self._filters, self._level1_of)

    def _keep(self, query: PoolFilter) -> list[int]:
        """Indices of the entries passing *query*: the same test as :meth:`PoolFilter.matches`, on plain values."""
        ids, level1, leader, badge = query.category_ids, query.category_level1, query.team_leader_id, query.badge
        rank = query.min_tier.rank if query.min_tier is not None else None
        ppm = query.min_commission.ppm if query.min_commission is not None else None
        low, high = query.price_low, query.price_high
        kept = []
        for i, (category, cat_level1, tier, commission, price, currency, lead, badges) in enumerate(self._filters):
            if (
                (ids is not None and category not in ids)
                or (level1 is not None and cat_level1 != level1)
                or (rank is not None and tier < rank)
                or (ppm is not None and commission < ppm)
                or (low is not None and (currency != low.currency or price < low.fen))
                or (high is not None and (currency != high.currency or price > high.fen))
                or (leader is not None and lead != leader)
                or (badge is not None and badge not in badges)
            ):
                continue
            kept.append(i)
        return kept

    def _dynamic(
        self,
        entry: PoolEntry,
        main_points: Mapping[str, int],
        main_level1: set[str],
        low: Money | None,
        high: Money | None,
    ) -> tuple[int, tuple[str, ...]]:
        w = self.weights
        reasons: list[str] = []
        points = 0
        fit = main_points.get(entry.category_id)
        if fit is not None:
            points += fit
            reasons.append(f"main category {entry.category_id} +{fit}")
        elif entry.category_level1 in main_level1:
            points += w.same_level1
            reasons.append(f"same first-level category {entry.category_level1} +{w.same_level1}")
        if low is not None and high is not None and entry.price.currency == low.currency:
            if low <= entry.price <= high:
                points += w.price_in_band
                reasons.append(f"price {entry.price} in the fans' band +{w.price_in_band}")
            elif low.fen <= entry.price.fen * 2 and entry.price.fen <= high.fen * 2:
                points += w.price_near_band
                reasons.append(f"price {entry.price} near the fans' band +{w.price_near_band}")
        return points, tuple(reasons)
