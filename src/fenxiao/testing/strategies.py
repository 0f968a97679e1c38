"""Hypothesis strategies for every public fenxiao type.

Use them to property-test code built on fenxiao: each strategy produces only
valid values (they pass the type's own validation) but is as general as the
domain allows, boundaries included: ¥0.01 and the largest supported amount
(:data:`~fenxiao.money.MAX_FEN`), 0% and 100% rates, UTC offsets other than
UTC, Chinese and other non-ASCII text, ids of 1 and 64 characters, listings in
every lifecycle status.

This module requires the ``hypothesis`` package, installed by the
``fenxiao[testing]`` extra (``pip install 'fenxiao[testing]'``). Importing it
without Hypothesis raises :class:`fenxiao.testing.MissingExtraError`;
``import fenxiao`` never imports Hypothesis.

Every argument is keyword-only and, except for size and range bounds, takes a
strategy: pass ``st.just(x)`` to fix a value.

>>> from hypothesis import given, settings
>>> from fenxiao import Rate, Rounding
>>> @settings(max_examples=20, deadline=None)
... @given(price=money(min_fen=0), rate=rates())
... def test_commission_never_exceeds_the_price(price, rate):
...     assert price.times(rate, rounding=Rounding.HALF_UP) <= price
>>> test_commission_never_exceeds_the_price()

.. versionadded:: 0.1
"""

# Strategies are immutable values, so building the defaults once at import is safe, and it shows them in help().
# ruff: noqa: B008

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as exc:  # the optional dependency is missing
    from fenxiao.errors import MissingExtraError

    raise MissingExtraError("hypothesis", "testing", __name__) from exc

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Brand, Category, Merchant, ShopKind, Sku, Standing
from fenxiao.domain.ids import BrandId, CategoryId, InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.listings import LISTING_TRANSITIONS, Listing, ListingStatus, ListingTerms, StatusChange
from fenxiao.domain.people import MAX_INFLUENCER_LEVEL, Influencer, LeaderLevel, TeamLeader
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.money import DEFAULT_CURRENCY, MAX_FEN, Money, Rate

__all__ = [
    "MAX_COUNT",
    "aware_datetimes",
    "brand_ids",
    "brands",
    "catalogs",
    "categories",
    "category_ids",
    "counts",
    "currencies",
    "identifiers",
    "influencer_ids",
    "influencers",
    "listing_ids",
    "listing_terms",
    "listings",
    "merchant_ids",
    "merchants",
    "money",
    "names",
    "rates",
    "scores",
    "skus",
    "snapshots",
    "status_changes",
    "team_leader_ids",
    "team_leaders",
    "utc_offsets",
]

T = TypeVar("T")

#: The largest count :func:`counts` produces: platforms store counts (fans, units) as signed 64-bit integers.
MAX_COUNT: Final = 2**63 - 1

_ID_FIRST: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_REST: Final = _ID_FIRST + "_.:-"
_ID_MAX: Final = 64
_NAME_MAX: Final = 200
_REASON_MAX: Final = 1000
#: Offsets real platforms and their users meet, tried before arbitrary ones.
_COMMON_OFFSETS: Final = tuple(
    timezone(timedelta(minutes=m)) for m in (0, 8 * 60, 9 * 60, 5 * 60 + 30, 5 * 60 + 45, -5 * 60, 14 * 60, -12 * 60)
)
_DEFAULT_MIN_DATETIME: Final = datetime(2000, 1, 1)
_DEFAULT_MAX_DATETIME: Final = datetime(2099, 12, 31, 23, 59, 59, 999_999)
#: A listing's steps and a SKU's time in the pool: up to about three years, with the 14-day new-SKU window marked.
_MAX_AGE: Final = timedelta(days=3 * 365)
_AGE_BOUNDARIES: Final = (
    timedelta(0),
    timedelta(days=14) - timedelta(microseconds=1),
    timedelta(days=14),
    timedelta(days=30),
)
_MAX_STEPS: Final = 8


# -- scalars ------------------------------------------------------------------------------------------


def identifiers() -> st.SearchStrategy[str]:
    """Valid ids: 1-64 letters, digits and ``_ . : -``, starting with a letter or digit.

    The typed variants (:func:`sku_ids`, :func:`merchant_ids`, ...) draw from this.
    """
    first = st.sampled_from(_ID_FIRST)
    return st.one_of(
        st.builds(str.__add__, first, st.text(alphabet=_ID_REST, max_size=_ID_MAX - 1)),
        # The longest id allowed, which a plain text strategy seldom reaches.
        st.builds(str.__add__, first, st.text(alphabet=_ID_REST, min_size=_ID_MAX - 1, max_size=_ID_MAX - 1)),
    )


def brand_ids() -> st.SearchStrategy[BrandId]:
    """Valid :data:`~fenxiao.domain.ids.BrandId` values."""
    return identifiers().map(BrandId)


def category_ids() -> st.SearchStrategy[CategoryId]:
    """Valid :data:`~fenxiao.domain.ids.CategoryId` values."""
    return identifiers().map(CategoryId)


def influencer_ids() -> st.SearchStrategy[InfluencerId]:
    """Valid :data:`~fenxiao.domain.ids.InfluencerId` values."""
    return identifiers().map(InfluencerId)


def listing_ids() -> st.SearchStrategy[ListingId]:
    """Valid :data:`~fenxiao.domain.ids.ListingId` values."""
    return identifiers().map(ListingId)


def merchant_ids() -> st.SearchStrategy[MerchantId]:
    """Valid :data:`~fenxiao.domain.ids.MerchantId` values."""
    return identifiers().map(MerchantId)


def sku_ids() -> st.SearchStrategy[SkuId]:
    """Valid :data:`~fenxiao.domain.ids.SkuId` values."""
    return identifiers().map(SkuId)


def team_leader_ids() -> st.SearchStrategy[TeamLeaderId]:
    """Valid :data:`~fenxiao.domain.ids.TeamLeaderId` values."""
    return identifiers().map(TeamLeaderId)


def names() -> st.SearchStrategy[str]:
    """Display text as the domain types accept it: 1-200 characters, not blank, no control characters.

    Half the time Chinese (CJK ideographs, as shop and product names mostly are), otherwise any
    Unicode text those rules allow: emoji, full-width punctuation, right-to-left scripts, combining marks.
    """
    chinese = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=30)
    anything = st.text(st.characters(min_codepoint=32, codec="utf-8"), min_size=1, max_size=_NAME_MAX).filter(
        lambda s: s.strip() != ""
    )
    return st.one_of(chinese, anything)


def currencies() -> st.SearchStrategy[str]:
    """Three-letter currency codes: common ones first (CNY, USD, HKD ...), then any ``[A-Z]{3}``."""
    common = st.sampled_from((DEFAULT_CURRENCY, "USD", "HKD", "EUR", "JPY", "SGD"))
    return st.one_of(common, st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3))


def _checked_int(value: object, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValueError(path, value, f"must be a whole number from {low} to {high}")
    return value


def _unique_lists(elements: st.SearchStrategy[T], max_size: int) -> st.SearchStrategy[list[T]]:
    # Callers pass max_size=0 when there is nothing to pick from, and Hypothesis refuses lists of nothing().
    return st.lists(elements, unique=True, max_size=max_size) if max_size else st.just([])


def _bounded_ints(low: int, high: int, marks: Sequence[int] = (-1, 0, 1)) -> st.SearchStrategy[int]:
    """Integers in [low, high], with the bounds and small marks tried explicitly."""
    boundaries = sorted({low, high, *(m for m in marks if low <= m <= high)})
    return st.one_of(st.sampled_from(boundaries), st.integers(low, high))


def money(
    *,
    min_fen: int = -MAX_FEN,
    max_fen: int = MAX_FEN,
    currencies: st.SearchStrategy[str] = st.just(DEFAULT_CURRENCY),
) -> st.SearchStrategy[Money]:
    """Valid :class:`~fenxiao.Money` amounts between *min_fen* and *max_fen* (inclusive).

    The bounds, zero and ±1 fen (¥0.01) are always tried. Money may be negative (a
    clawback); domain fields such as prices are not, so pass ``min_fen=0`` for them.

    Args:
        min_fen: The smallest amount, in fen; at least ``-MAX_FEN``.
        max_fen: The largest amount, in fen; at most :data:`~fenxiao.money.MAX_FEN`.
        currencies: The currency codes; CNY only by default (see :func:`currencies` for more).

    Raises:
        InvalidValueError: The bounds are not ints within ``±MAX_FEN`` or are reversed.
    """
    low = _checked_int(min_fen, "money.min_fen", -MAX_FEN, MAX_FEN)
    high = _checked_int(max_fen, "money.max_fen", low, MAX_FEN)
    return st.builds(Money, _bounded_ints(low, high), currencies)


def _rate_bound(value: object, path: str) -> Rate:
    try:
        return Rate.of(value)  # type: ignore[arg-type]  # Rate.of checks the type and says what it accepts
    except InvalidValueError as exc:
        raise InvalidValueError(path, value, exc.problem) from None


def rates(
    *,
    min_value: Rate | str | Decimal = "0",
    max_value: Rate | str | Decimal = "1",
) -> st.SearchStrategy[Rate]:
    """Valid :class:`~fenxiao.Rate` values between *min_value* and *max_value* (inclusive).

    Any multiple of one part per million in range; the bounds (0% and 100% by default) are
    always tried.

    Args:
        min_value: The lowest rate: a :class:`~fenxiao.Rate` or what :meth:`Rate.of <fenxiao.Rate.of>` reads.
        max_value: The highest rate.

    Raises:
        InvalidValueError: A bound is not a rate, or *min_value* is above *max_value*.
    """
    low, high = _rate_bound(min_value, "rates.min_value").ppm, _rate_bound(max_value, "rates.max_value").ppm
    if low > high:
        raise InvalidValueError("rates.max_value", max_value, f"must not be below min_value {min_value!r}")
    return _bounded_ints(low, high, marks=()).map(Rate.from_ppm)


def scores() -> st.SearchStrategy[Decimal]:
    """Exact scores from 0 to 5 (a shop experience score and its sub-scores), any precision."""
    return st.one_of(
        st.sampled_from((Decimal(0), Decimal(5))),
        st.decimals(min_value=0, max_value=5, places=2),
        st.decimals(min_value=0, max_value=5, allow_nan=False, allow_infinity=False),
    )


def counts(*, max_value: int = MAX_COUNT) -> st.SearchStrategy[int]:
    """Whole numbers from 0 to *max_value*: mostly small (realistic), sometimes huge, 0 always tried."""
    high = _checked_int(max_value, "counts.max_value", 0, MAX_COUNT)
    return st.one_of(st.just(0), st.integers(0, min(high, 10_000)), st.integers(0, high))


def utc_offsets() -> st.SearchStrategy[tzinfo]:
    """Fixed-offset time zones: UTC, China (+08:00), other real offsets, then any whole minute within ±24 h.

    Fixed offsets survive a round trip through ISO 8601 text exactly. Pass
    ``timezones=st.timezones()`` to :func:`aware_datetimes` for named zones (which
    travel as their offset at that instant).
    """
    anywhere = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
    return st.one_of(st.sampled_from(_COMMON_OFFSETS), anywhere)


def aware_datetimes(
    *,
    min_value: datetime = _DEFAULT_MIN_DATETIME,
    max_value: datetime = _DEFAULT_MAX_DATETIME,
    timezones: st.SearchStrategy[tzinfo] = utc_offsets(),
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes whose local time lies in [*min_value*, *max_value*].

    Args:
        min_value: A naive lower bound on the local time (2000-01-01 by default).
        max_value: A naive upper bound (the end of 2099 by default).
        timezones: Where each datetime is; :func:`utc_offsets` by default.

    Raises:
        InvalidValueError: A bound is not a naive datetime, or they are reversed.
    """
    bounds: tuple[tuple[str, object], ...] = (
        ("aware_datetimes.min_value", min_value),
        ("aware_datetimes.max_value", max_value),
    )
    for path, bound in bounds:
        if not isinstance(bound, datetime) or bound.tzinfo is not None:
            raise InvalidValueError(path, bound, "must be a naive datetime (the bound applies to local time)")
    if min_value > max_value:
        raise InvalidValueError("aware_datetimes.max_value", max_value, f"must not be before {min_value}")
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=timezones)


def _ages(max_age: timedelta = _MAX_AGE) -> st.SearchStrategy[timedelta]:
    return st.one_of(
        st.sampled_from(_AGE_BOUNDARIES),
        st.timedeltas(min_value=timedelta(0), max_value=max_age),
    )


def _shift(draw: st.DrawFn, when: datetime, by: timedelta, timezones: st.SearchStrategy[tzinfo]) -> datetime:
    """*when* moved by *by* and shown in a drawn zone; unmoved where that would leave the datetime range."""
    zone = draw(timezones)
    try:
        return (when + by).astimezone(zone)
    except OverflowError:
        try:
            return when.astimezone(zone)
        except OverflowError:
            return when


# Built once: constructing strategies inside a draw costs more than drawing from them.
_BOOLS: Final = st.booleans()
_FEN: Final = _bounded_ints(0, MAX_FEN)
_PPM: Final = _bounded_ints(0, 10**6, marks=())
_SCORES: Final = scores()
_OPTIONAL_SCORES: Final = st.none() | _SCORES
_OFFSETS: Final = utc_offsets()


def _draw_money(draw: st.DrawFn, currency: str) -> Money:
    """A non-negative amount in *currency*."""
    return Money(draw(_FEN), currency)


def _draw_optional_money(draw: st.DrawFn, currency: str) -> Money | None:
    return _draw_money(draw, currency) if draw(_BOOLS) else None


def _draw_choice(draw: st.DrawFn, values: Sequence[T]) -> T:
    """One of *values* (which must not be empty); shrinks towards the first."""
    return values[draw(st.integers(0, len(values) - 1))]


def _draw_subset(draw: st.DrawFn, values: Sequence[T], max_size: int) -> tuple[T, ...]:
    """Up to *max_size* distinct items of *values*, in drawn order."""
    if not values or max_size <= 0:
        return ()
    indices = draw(st.lists(st.integers(0, len(values) - 1), unique=True, max_size=min(max_size, len(values))))
    return tuple(values[i] for i in indices)


# -- catalog types ----------------------------------------------------------------------------------------


def categories(
    *,
    ids: st.SearchStrategy[CategoryId] = category_ids(),
    names: st.SearchStrategy[str] = names(),
) -> st.SearchStrategy[Category]:
    """Valid :class:`~fenxiao.Category` values: an id and a three-level path of *names*."""
    return st.builds(Category, id=ids, path=st.tuples(names, names, names))


def brands(
    *,
    ids: st.SearchStrategy[BrandId] = brand_ids(),
    names: st.SearchStrategy[str] = names(),
) -> st.SearchStrategy[Brand]:
    """Valid :class:`~fenxiao.Brand` values, registered or not, on the platform's list or not."""
    return st.builds(Brand, id=ids, name=names, registered=st.booleans(), on_platform_list=st.booleans())


def merchants(
    *,
    ids: st.SearchStrategy[MerchantId] = merchant_ids(),
    names: st.SearchStrategy[str] = names(),
    opened_on: st.SearchStrategy[date] = st.dates(),
    shop_kinds: st.SearchStrategy[ShopKind] = st.sampled_from(ShopKind),
    standings: st.SearchStrategy[Standing] = st.sampled_from(Standing),
    experience_scores: st.SearchStrategy[Decimal | None] = st.none() | scores(),
    brand_ids: st.SearchStrategy[BrandId] = brand_ids(),
    category_ids: st.SearchStrategy[CategoryId] = category_ids(),
    max_brands: int = 3,
    max_categories: int = 3,
) -> st.SearchStrategy[Merchant]:
    """Valid :class:`~fenxiao.Merchant` values, in every standing and shop kind.

    Args:
        ids, names, opened_on, shop_kinds, standings, experience_scores: Strategies for those fields.
        brand_ids: Brands it may sell; up to *max_brands* distinct ones are drawn.
        category_ids: Categories it holds qualifications for; up to *max_categories* distinct ones.
        max_brands: The most brands drawn (0 for none).
        max_categories: The most qualified categories drawn (0 for none).
    """
    brand_count = _checked_int(max_brands, "merchants.max_brands", 0, 1000)
    category_count = _checked_int(max_categories, "merchants.max_categories", 0, 1000)
    return st.builds(
        Merchant,
        id=ids,
        name=names,
        opened_on=opened_on,
        shop_kind=shop_kinds,
        standing=standings,
        experience_score=experience_scores,
        enterprise_licence=st.booleans(),
        brand_ids=_unique_lists(brand_ids, brand_count),
        qualified_category_ids=_unique_lists(category_ids, category_count),
        last_serious_violation_on=st.none() | st.dates(),
        counterfeit_record=st.booleans(),
    )


def skus(
    *,
    ids: st.SearchStrategy[SkuId] = sku_ids(),
    merchant_ids: st.SearchStrategy[MerchantId] = merchant_ids(),
    category_ids: st.SearchStrategy[CategoryId] = category_ids(),
    brand_ids: st.SearchStrategy[BrandId | None] = st.none() | brand_ids(),
    titles: st.SearchStrategy[str] = names(),
    prices: st.SearchStrategy[Money] = money(min_fen=0),
    joined_at: st.SearchStrategy[datetime] = aware_datetimes(),
) -> st.SearchStrategy[Sku]:
    """Valid :class:`~fenxiao.Sku` values; prices from ¥0.00 to the largest amount.

    Pass ``st.sampled_from(...)`` of existing ids to *merchant_ids* and *category_ids*
    to tie SKUs to your own merchants and categories (:func:`catalogs` does this).
    """
    return st.builds(
        Sku,
        id=ids,
        merchant_id=merchant_ids,
        category_id=category_ids,
        title=titles,
        price=prices,
        joined_at=joined_at,
        brand_id=brand_ids,
    )


# -- people -----------------------------------------------------------------------------------------------


@st.composite
def _influencers(
    draw: st.DrawFn,
    ids: st.SearchStrategy[InfluencerId],
    names: st.SearchStrategy[str],
    fans: st.SearchStrategy[int],
    main_category_ids: st.SearchStrategy[list[CategoryId]],
    levels: st.SearchStrategy[int],
    mcn_ids: st.SearchStrategy[str | None],
    mcn_shares: st.SearchStrategy[Rate],
    currencies: st.SearchStrategy[str],
) -> Influencer:
    currency = draw(currencies)
    low, high = _draw_optional_money(draw, currency), _draw_optional_money(draw, currency)
    if low is not None and high is not None and high < low:
        low, high = high, low
    mcn_id = draw(mcn_ids)
    return Influencer(
        id=draw(ids),
        name=draw(names),
        fans=draw(fans),
        main_category_ids=draw(main_category_ids),
        level=draw(levels),
        price_band_low=low,
        price_band_high=high,
        mcn_id=mcn_id,
        mcn_share=None if mcn_id is None else draw(mcn_shares),
    )


def influencers(
    *,
    ids: st.SearchStrategy[InfluencerId] = influencer_ids(),
    names: st.SearchStrategy[str] = names(),
    fans: st.SearchStrategy[int] = counts(),
    category_ids: st.SearchStrategy[CategoryId] = category_ids(),
    levels: st.SearchStrategy[int] = st.integers(0, MAX_INFLUENCER_LEVEL),
    mcn_ids: st.SearchStrategy[str | None] = st.none() | identifiers(),
    mcn_shares: st.SearchStrategy[Rate] = rates(),
    currencies: st.SearchStrategy[str] = st.just(DEFAULT_CURRENCY),
    max_categories: int = 3,
) -> st.SearchStrategy[Influencer]:
    """Valid :class:`~fenxiao.Influencer` values (达人).

    Up to *max_categories* distinct main categories; a price band that may be open at either
    end (its ends in one drawn currency, low ≤ high); an MCN share drawn exactly when
    an MCN id is.

    Args:
        ids, names, fans, levels: Strategies for those fields.
        category_ids: Where main categories come from.
        mcn_ids: The MCN agency, ``None`` for an independent influencer.
        mcn_shares: The MCN's share, used when there is an MCN.
        currencies: The price band's currency.
        max_categories: The most main categories drawn (0 for none).
    """
    count = _checked_int(max_categories, "influencers.max_categories", 0, 1000)
    return _influencers(ids, names, fans, _unique_lists(category_ids, count), levels, mcn_ids, mcn_shares, currencies)


@st.composite
def _team_leaders(
    draw: st.DrawFn,
    ids: st.SearchStrategy[TeamLeaderId],
    names: st.SearchStrategy[str],
    levels: st.SearchStrategy[LeaderLevel],
    parent_ids: st.SearchStrategy[TeamLeaderId],
) -> TeamLeader:
    leader_id = draw(ids)
    level = draw(levels)
    parent = None
    if level is LeaderLevel.SECOND:
        parent = draw(parent_ids)
        assume(parent != leader_id)
    return TeamLeader(id=leader_id, name=draw(names), level=level, parent_id=parent)


def team_leaders(
    *,
    ids: st.SearchStrategy[TeamLeaderId] = team_leader_ids(),
    names: st.SearchStrategy[str] = names(),
    levels: st.SearchStrategy[LeaderLevel] = st.sampled_from(LeaderLevel),
    parent_ids: st.SearchStrategy[TeamLeaderId] = team_leader_ids(),
) -> st.SearchStrategy[TeamLeader]:
    """Valid :class:`~fenxiao.TeamLeader` values (招商团长): first-level ones, and second-level ones with a parent.

    Args:
        ids, names, levels: Strategies for those fields.
        parent_ids: A second-level leader's parent (never the leader itself).
    """
    return _team_leaders(ids, names, levels, parent_ids)


# -- listings ---------------------------------------------------------------------------------------------


@st.composite
def _listing_terms(
    draw: st.DrawFn,
    commission_rates: st.SearchStrategy[Rate],
    team_leader_ids: st.SearchStrategy[TeamLeaderId | None],
    leader_fee_rates: st.SearchStrategy[Rate] | None,
) -> ListingTerms:
    commission = draw(commission_rates)
    leader = draw(team_leader_ids)
    fee: Rate | None = None
    if leader is not None:
        room = commission.complement()
        if leader_fee_rates is None:
            # Clamping keeps every fee up to the room reachable and makes commission + fee = 100% common.
            fee = Rate.from_ppm(min(draw(_PPM), room.ppm))
        else:
            fee = draw(leader_fee_rates)
            assume(fee <= room)
    return ListingTerms(commission_rate=commission, team_leader_id=leader, leader_fee_rate=fee)


def listing_terms(
    *,
    commission_rates: st.SearchStrategy[Rate] = rates(),
    team_leader_ids: st.SearchStrategy[TeamLeaderId | None] = st.none() | team_leader_ids(),
    leader_fee_rates: st.SearchStrategy[Rate] | None = None,
) -> st.SearchStrategy[ListingTerms]:
    """Valid :class:`~fenxiao.ListingTerms`: a commission rate and, with a team leader, a fee.

    The fee is drawn only with a leader, and never takes commission plus fee above 100%.

    Args:
        commission_rates: The influencer's commission rate (0% to 100% by default).
        team_leader_ids: The leader; ``None`` for terms without one.
        leader_fee_rates: The leader's fee; by default any rate that fits beside the commission.
    """
    return _listing_terms(commission_rates, team_leader_ids, leader_fee_rates)


def status_changes(
    *,
    statuses: st.SearchStrategy[ListingStatus] = st.sampled_from(ListingStatus),
    at: st.SearchStrategy[datetime] = aware_datetimes(),
    reasons: st.SearchStrategy[str] = st.text(max_size=_REASON_MAX),
) -> st.SearchStrategy[StatusChange]:
    """Valid :class:`~fenxiao.StatusChange` values, one lifecycle step on its own.

    Whether a step is legal depends on the steps before it; :func:`listings` builds legal histories.
    """
    return st.builds(StatusChange, status=statuses, at=at, reason=reasons)


@functools.cache
def _paths() -> dict[ListingStatus, tuple[tuple[ListingStatus, ...], ...]]:
    """Every legal history of at most _MAX_STEPS steps, keyed by the status it ends in."""
    found: dict[ListingStatus, list[tuple[ListingStatus, ...]]] = {status: [] for status in ListingStatus}
    frontier: list[tuple[ListingStatus, ...]] = [()]
    while frontier:
        path = frontier.pop()
        end = path[-1] if path else ListingStatus.APPLIED
        found[end].append(path)
        if len(path) < _MAX_STEPS:
            frontier.extend((*path, nxt) for nxt in sorted(LISTING_TRANSITIONS[end], key=lambda s: s.value))
    return {status: tuple(sorted(paths, key=len)) for status, paths in found.items() if paths}


@st.composite
def _listings(
    draw: st.DrawFn,
    ids: st.SearchStrategy[ListingId],
    sku_ids: st.SearchStrategy[SkuId],
    terms: st.SearchStrategy[ListingTerms],
    applied_at: st.SearchStrategy[datetime],
    statuses: st.SearchStrategy[ListingStatus],
    step_gaps: st.SearchStrategy[timedelta],
    timezones: st.SearchStrategy[tzinfo],
    reasons: st.SearchStrategy[str],
) -> Listing:
    paths = _paths()
    target = draw(statuses)
    assume(target in paths)
    path = _draw_choice(draw, paths[target])
    start = draw(applied_at)
    history: list[StatusChange] = []
    last = start
    for status in path:
        last = _shift(draw, last, draw(step_gaps), timezones)
        history.append(StatusChange(status=status, at=last, reason=draw(reasons)))
    return Listing(id=draw(ids), sku_id=draw(sku_ids), terms=draw(terms), applied_at=start, history=tuple(history))


def listings(
    *,
    ids: st.SearchStrategy[ListingId] = listing_ids(),
    sku_ids: st.SearchStrategy[SkuId] = sku_ids(),
    terms: st.SearchStrategy[ListingTerms] = listing_terms(),
    applied_at: st.SearchStrategy[datetime] = aware_datetimes(),
    statuses: st.SearchStrategy[ListingStatus] = st.sampled_from(ListingStatus),
    step_gaps: st.SearchStrategy[timedelta] = _ages(timedelta(days=90)),
    timezones: st.SearchStrategy[tzinfo] = utc_offsets(),
    reasons: st.SearchStrategy[str] = st.just("") | st.text(max_size=40),
) -> st.SearchStrategy[Listing]:
    """Valid :class:`~fenxiao.Listing` values with legal lifecycle histories.

    The history follows :data:`~fenxiao.domain.listings.LISTING_TRANSITIONS` from *applied*
    to a status drawn from *statuses*; each step comes *step_gaps* after the one
    before (zero included: two steps may share a timestamp), written in a zone from
    *timezones*.

    Args:
        ids, sku_ids, terms, applied_at: Strategies for those fields.
        statuses: The status the listing ends in; ``st.just(ListingStatus.APPROVED)`` for live listings.
        step_gaps: The time between consecutive steps (not negative).
        timezones: The zone each step's timestamp is written in.
        reasons: Each step's reason.
    """
    return _listings(ids, sku_ids, terms, applied_at, statuses, step_gaps, timezones, reasons)


# -- snapshots --------------------------------------------------------------------------------------------


@st.composite
def _snapshots(
    draw: st.DrawFn,
    sku_ids: st.SearchStrategy[SkuId],
    category_ids: st.SearchStrategy[CategoryId],
    observed_at: st.SearchStrategy[datetime],
    pool_ages: st.SearchStrategy[timedelta],
    currencies: st.SearchStrategy[str],
    units: st.SearchStrategy[int],
    rate_values: st.SearchStrategy[Rate],
    observed: st.SearchStrategy[bool],
) -> SkuSnapshot:
    def optional_rate() -> Rate | None:
        return draw(rate_values) if draw(observed) else None

    currency = draw(currencies)
    seen = draw(observed_at)
    joined = _shift(draw, seen, -draw(pool_ages), _OFFSETS)
    return SkuSnapshot(
        sku_id=draw(sku_ids),
        category_id=draw(category_ids),
        observed_at=seen,
        joined_at=joined,
        price=_draw_money(draw, currency),
        reference_price=_draw_optional_money(draw, currency),
        lowest_price_30d=_draw_optional_money(draw, currency),
        units_30d=draw(units),
        gmv_30d=_draw_money(draw, currency),
        units_prev_30d=draw(units),
        gmv_prev_30d=_draw_money(draw, currency),
        repurchase_rate=optional_rate(),
        commission_rate=draw(rate_values),
        promoting_influencers=draw(units),
        influencer_gmv_share=optional_rate(),
        team_leaders=draw(units),
        experience_score=draw(_SCORES) if draw(observed) else None,
        goods_score=draw(_OPTIONAL_SCORES),
        logistics_score=draw(_OPTIONAL_SCORES),
        service_score=draw(_OPTIONAL_SCORES),
        good_review_rate=optional_rate(),
        bad_review_rate=optional_rate(),
        quality_return_rate=optional_rate(),
        refund_rate=optional_rate(),
        complaint_rate=optional_rate(),
        shipped_48h_rate=optional_rate(),
        brand_registered=draw(_BOOLS),
        brand_authorised=draw(_BOOLS),
        flagship_shop=draw(_BOOLS),
        on_brand_list=draw(_BOOLS),
        brand_gmv_30d=_draw_money(draw, currency),
        serious_violations_365d=draw(units),
    )


def snapshots(
    *,
    sku_ids: st.SearchStrategy[SkuId] = sku_ids(),
    category_ids: st.SearchStrategy[CategoryId] = category_ids(),
    observed_at: st.SearchStrategy[datetime] = aware_datetimes(),
    pool_ages: st.SearchStrategy[timedelta] = _ages(),
    currencies: st.SearchStrategy[str] = st.just(DEFAULT_CURRENCY),
    counts: st.SearchStrategy[int] = counts(),
    rates: st.SearchStrategy[Rate] = rates(),
    observed: st.SearchStrategy[bool] = st.booleans(),
) -> st.SearchStrategy[SkuSnapshot]:
    """Valid :class:`~fenxiao.SkuSnapshot` values: every metric drawn independently within its range.

    Metrics that may be unobserved (:data:`~fenxiao.domain.snapshots.OPTIONAL_METRIC_FIELDS`) are ``None`` unless
    *observed* draws true for them; the sub-scores and the optional prices are sometimes ``None`` too.

    The metrics are not made consistent with each other (GMV need not equal units ×
    price), because real snapshots are not either; constrain them in your own
    strategy when your code relies on it.

    Args:
        sku_ids, category_ids, observed_at: Strategies for those fields.
        pool_ages: How long before the observation the SKU joined the pool (not negative). Up to three
            years by default, with the 14-day new-SKU window's edges tried explicitly.
        currencies: The one currency of every amount in a snapshot.
        counts: Units, influencers, team leaders and violations.
        rates: Every rate metric.
        observed: Whether each rate or score that may be unobserved is observed (drawn once per field);
            ``st.just(True)`` for snapshots that observe all of them.

    .. versionchanged:: 0.2
       *observed*: the service rates, the experience score, the repurchase rate and the influencer share of
       GMV may be unobserved (``None``).
    """
    return _snapshots(sku_ids, category_ids, observed_at, pool_ages, currencies, counts, rates, observed)


# -- whole catalogs ---------------------------------------------------------------------------------------


_ID_STRATEGY: Final = identifiers()
_CATEGORY_PATHS: Final = st.tuples(names(), names(), names())
_LEADER_NAMES: Final = names()
_BRAND_BASE: Final = brands()
_MERCHANT_BASE: Final = merchants(max_brands=0, max_categories=0)
_SKU_BASE: Final = skus(brand_ids=st.none())
_INFLUENCER_BASE: Final = influencers(max_categories=0)
_LISTING_BASE: Final = listings(terms=listing_terms(team_leader_ids=st.none()))
_SNAPSHOT_BASE: Final = snapshots()
_AGE_STRATEGY: Final = _ages()
_SNAPSHOT_AMOUNTS: Final = ("price", "reference_price", "lowest_price_30d", "gmv_30d", "gmv_prev_30d", "brand_gmv_30d")


def _in(currency: str, amount: Money | None) -> Money | None:
    return None if amount is None else Money(amount.fen, currency)


def _flag(draw: st.DrawFn) -> bool:
    result: bool = draw(_BOOLS)
    return result


@st.composite
def _catalogs(draw: st.DrawFn, min_size: int, max_size: int, currencies: st.SearchStrategy[str]) -> Catalog:
    # Items are drawn from the public strategies built once above, then tied together with attrs.evolve
    # (which validates again); building per-item strategies inside the draw would be several times slower.
    ids = st.lists(_ID_STRATEGY, unique=True, min_size=min_size, max_size=max_size)
    currency = draw(currencies)

    cats = [Category(id=CategoryId(i), path=draw(_CATEGORY_PATHS)) for i in draw(ids)]
    cat_ids = [c.id for c in cats]
    brand_list = [attrs.evolve(draw(_BRAND_BASE), id=BrandId(i)) for i in draw(ids)]
    brand_refs = [b.id for b in brand_list]
    shops = [
        attrs.evolve(
            draw(_MERCHANT_BASE),
            id=MerchantId(i),
            brand_ids=_draw_subset(draw, brand_refs, 3),
            qualified_category_ids=_draw_subset(draw, cat_ids, 3),
        )
        for i in draw(ids)
    ]
    goods: list[Sku] = []
    if shops and cats:
        for i in draw(ids):
            base = draw(_SKU_BASE)
            goods.append(
                attrs.evolve(
                    base,
                    id=SkuId(i),
                    merchant_id=_draw_choice(draw, shops).id,
                    category_id=_draw_choice(draw, cat_ids),
                    brand_id=_draw_choice(draw, brand_refs) if brand_refs and _flag(draw) else None,
                    price=Money(base.price.fen, currency),
                )
            )
    promoters = []
    for i in draw(ids):
        base_influencer = draw(_INFLUENCER_BASE)
        promoters.append(
            attrs.evolve(
                base_influencer,
                id=InfluencerId(i),
                main_category_ids=_draw_subset(draw, cat_ids, 3),
                price_band_low=_in(currency, base_influencer.price_band_low),
                price_band_high=_in(currency, base_influencer.price_band_high),
            )
        )
    leaders: list[TeamLeader] = []
    for i in draw(ids):
        firsts = [t.id for t in leaders if t.level is LeaderLevel.FIRST]
        if firsts and _flag(draw):
            leader = TeamLeader(
                id=TeamLeaderId(i),
                name=draw(_LEADER_NAMES),
                level=LeaderLevel.SECOND,
                parent_id=_draw_choice(draw, firsts),
            )
        else:
            leader = TeamLeader(id=TeamLeaderId(i), name=draw(_LEADER_NAMES))
        leaders.append(leader)
    pool: list[Listing] = []
    snaps: list[SkuSnapshot] = []
    if goods:
        for i in draw(ids):
            listing = draw(_LISTING_BASE)
            terms = listing.terms
            if leaders and _flag(draw):
                room = terms.commission_rate.complement().ppm
                terms = ListingTerms(
                    commission_rate=terms.commission_rate,
                    team_leader_id=_draw_choice(draw, leaders).id,
                    leader_fee_rate=Rate.from_ppm(min(draw(_PPM), room)),
                )
            pool.append(attrs.evolve(listing, id=ListingId(i), sku_id=_draw_choice(draw, goods).id, terms=terms))
        for _ in range(draw(st.integers(min_size, max_size))):
            sku = _draw_choice(draw, goods)
            snap = draw(_SNAPSHOT_BASE)
            observed = _shift(draw, sku.joined_at, draw(_AGE_STRATEGY), _OFFSETS)
            amounts: dict[str, Any] = {name: _in(currency, getattr(snap, name)) for name in _SNAPSHOT_AMOUNTS}
            snaps.append(
                attrs.evolve(
                    snap,
                    sku_id=sku.id,
                    category_id=sku.category_id,
                    joined_at=sku.joined_at,
                    observed_at=observed,
                    **amounts,
                )
            )
    return Catalog(
        categories=tuple(cats),
        brands=tuple(brand_list),
        merchants=tuple(shops),
        skus=tuple(goods),
        influencers=tuple(promoters),
        team_leaders=tuple(leaders),
        listings=tuple(pool),
        snapshots=tuple(snaps),
    )


def catalogs(
    *,
    min_size: int = 0,
    max_size: int = 4,
    currencies: st.SearchStrategy[str] = st.just(DEFAULT_CURRENCY),
) -> st.SearchStrategy[Catalog]:
    """Small, cross-referentially valid :class:`~fenxiao.Catalog` values.

    Each collection (categories, brands, merchants, SKUs, influencers, team leaders,
    listings, snapshots) holds *min_size* to *max_size* items with unique ids, and
    every reference points at something in the catalog: a SKU's merchant, category
    and brand, a merchant's brands, a listing's SKU and team leader, a second-level
    leader's first-level parent, a snapshot's SKU and that SKU's category. A
    snapshot's SKU joined the pool when the SKU says it did. SKUs, listings and
    snapshots need merchants and categories, so a catalog without them has none.

    Args:
        min_size: The fewest items per collection.
        max_size: The most items per collection; keep it small, catalogs grow fast.
        currencies: The one currency of the catalog's amounts.

    Raises:
        InvalidValueError: The sizes are negative or reversed.
    """
    low = _checked_int(min_size, "catalogs.min_size", 0, 1000)
    high = _checked_int(max_size, "catalogs.max_size", low, 1000)
    return _catalogs(low, high, currencies)
