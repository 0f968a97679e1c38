"""The selection pool: exact filters, a total deterministic ranking with reasons, paging."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.ids import CategoryId, InfluencerId
from fenxiao.domain.listings import ListingStatus
from fenxiao.domain.people import Influencer
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import default_perk_catalog
from fenxiao.grading.pipeline import GradedSku, grade_catalog
from fenxiao.market import pool as pool_module
from fenxiao.market.pool import POOL_FEATURE, PoolEntry, PoolFilter, SelectionPool, is_listed
from fenxiao.money import Money, Rate
from fenxiao.sample import load_sample

CATS = [("c-gold", "珠宝文玩"), ("c-diamond", "珠宝文玩"), ("c-dress", "服饰内衣"), ("c-nuts", "食品饮料")]
ENTRIES = st.lists(
    st.builds(
        lambda i, cat, price, rate, leader, tier, service, boost, badge: PoolEntry(
            listing_id=f"l-{i:04d}",
            sku_id=f"s-{i:04d}",
            merchant_id="m-1",
            category_id=cat[0],
            category_level1=cat[1],
            title="货",
            price=Money(price),
            commission_rate=Rate.from_permille(rate),
            team_leader_id=leader,
            tier=tier,
            composite=Decimal(50),
            service_score=Decimal(service),
            preferred_boost=boost,
            badges=frozenset({badge}) if badge else frozenset(),
        ),
        st.integers(0, 9999),
        st.sampled_from(CATS),
        st.sampled_from([100, 9900, 10000, 29900, 300000]),
        st.sampled_from([0, 50, 200, 300, 900]),
        st.sampled_from([None, "tl-1", "tl-2"]),
        st.sampled_from(list(Tier)),
        st.integers(0, 100),
        st.sampled_from([0, 1, 5, 20]),
        st.sampled_from([None, "精选好物", "行业爆款"]),
    ),
    max_size=40,
    unique_by=lambda e: e.listing_id,
)
FILTERS = st.builds(
    PoolFilter,
    category_ids=st.none() | st.sets(st.sampled_from([c for c, _ in CATS]), min_size=1),
    category_level1=st.none() | st.sampled_from(["珠宝文玩", "服饰内衣"]),
    min_tier=st.none() | st.sampled_from(list(Tier)),
    min_commission=st.none() | st.sampled_from([Rate.zero(), Rate.of("20%"), Rate.of("30%")]),
    price_low=st.none() | st.sampled_from([Money(100), Money(10000)]),
    price_high=st.none() | st.sampled_from([Money(29900), Money(300000)]),
    team_leader_id=st.none() | st.sampled_from(["tl-1", "tl-2"]),
    badge=st.none() | st.sampled_from(["精选好物", "行业爆款"]),
)
GOLD_FAN = Influencer(
    InfluencerId("kol-gold"),
    "珠宝鉴定师",
    fans=100_000,
    main_category_ids=(CategoryId("c-gold"), CategoryId("c-dress")),
    price_band_low=Money.of("100.00"),
    price_band_high=Money.of("3000.00"),
)


def _brute(entries: list[PoolEntry], f: PoolFilter) -> list[str]:
    out = []
    for e in entries:
        if f.category_ids is not None and e.category_id not in f.category_ids:
            continue
        if f.category_level1 is not None and e.category_level1 != f.category_level1:
            continue
        if f.min_tier is not None and e.tier.rank < f.min_tier.rank:
            continue
        if f.min_commission is not None and e.commission_rate.value < f.min_commission.value:
            continue
        if f.price_low is not None and e.price.fen < f.price_low.fen:
            continue
        if f.price_high is not None and e.price.fen > f.price_high.fen:
            continue
        if f.team_leader_id is not None and e.team_leader_id != f.team_leader_id:
            continue
        if f.badge is not None and f.badge not in e.badges:
            continue
        out.append(e.listing_id)
    return sorted(out)


@given(ENTRIES, FILTERS)
def test_filters_return_exactly_the_listings_that_satisfy_them(entries: list[PoolEntry], f: PoolFilter) -> None:
    """filter() agrees with a brute-force filter written independently."""
    pool = SelectionPool(entries)
    assert [e.listing_id for e in pool.filter(f)] == _brute(entries, f)
    assert pool.rank(GOLD_FAN, f, page_size=1000).total == len(_brute(entries, f))


@given(ENTRIES, st.randoms(use_true_random=False))
def test_ranking_is_a_total_deterministic_order(entries: list[PoolEntry], rnd: Any) -> None:
    """The ranking is independent of input order, strictly ordered, and points are non-increasing."""
    pool = SelectionPool(entries)
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    first = pool.rank(GOLD_FAN, page_size=1000).items
    again = SelectionPool(shuffled).rank(GOLD_FAN, page_size=1000).items
    assert first == again
    keys = [(-r.points, -r.entry.tier.rank, r.entry.listing_id) for r in first]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@given(ENTRIES, st.integers(1, 7))
def test_pages_partition_the_ranking(entries: list[PoolEntry], size: int) -> None:
    """Concatenated pages equal the whole ranking."""
    pool = SelectionPool(entries)
    whole = pool.rank(GOLD_FAN, page_size=1000).items
    first = pool.rank(GOLD_FAN, page_size=size)
    paged = [
        item for page in range(1, first.pages + 1) for item in pool.rank(GOLD_FAN, page=page, page_size=size).items
    ]
    assert paged == list(whole)


@given(ENTRIES)
def test_points_are_the_sum_of_the_reasons(entries: list[PoolEntry]) -> None:
    """Every point is explained: the reasons' numbers add up to the points."""
    for ranked in SelectionPool(entries).rank(GOLD_FAN, page_size=1000).items:
        assert sum(int(r.rsplit("+", 1)[1]) for r in ranked.reasons) == ranked.points


def _entry(i: int, cat: tuple[str, str], **over: Any) -> PoolEntry:
    base: dict[str, Any] = {
        "listing_id": f"l-{i}",
        "sku_id": f"s-{i}",
        "merchant_id": "m",
        "category_id": cat[0],
        "category_level1": cat[1],
        "title": "x",
        "price": Money.of("299.00"),
        "commission_rate": Rate.of("20%"),
        "team_leader_id": None,
        "tier": Tier.L3,
        "composite": Decimal(60),
        "service_score": Decimal(70),
    }
    base.update(over)
    return PoolEntry(**base)


def test_an_influencer_in_jewellery_sees_jewellery_first() -> None:
    """Gold (a main category) outranks a better-paid, higher-tier snack; diamonds (same first level) come next."""
    pool = SelectionPool(
        [
            _entry(1, CATS[3], tier=Tier.L4, commission_rate=Rate.of("35%")),
            _entry(2, CATS[1]),
            _entry(3, CATS[0], tier=Tier.L2, commission_rate=Rate.of("8%")),
        ]
    )
    ranked = pool.rank(GOLD_FAN).items
    assert [r.entry.category_id for r in ranked] == ["c-gold", "c-diamond", "c-nuts"]
    assert ranked[0].reasons[0] == "main category c-gold +60"
    assert ranked[1].reasons[0] == "same first-level category 珠宝文玩 +25"


def test_sample_pool_gives_a_jewellery_influencer_jewellery_first() -> None:
    """On the built-in sample, an influencer whose first main category is gold sees gold at the top."""
    catalog = load_sample()
    pool = SelectionPool.from_catalog(catalog)
    assert all(e.tier is not None for e in pool.entries)
    jeweller = Influencer(InfluencerId("kol-j"), "珠宝鉴定师", main_category_ids=(CategoryId("c-gold"),))
    top = pool.rank(jeweller, page_size=3).items
    assert [r.entry.category_id for r in top] == ["c-gold"] * 3


def test_bad_paging_and_bad_filters_are_clear_errors() -> None:
    """page >= 1, 1 <= page_size <= 1000; a price band must not be upside down; listings are unique."""
    pool = SelectionPool([_entry(1, CATS[0])])
    with pytest.raises(InvalidValueError, match="page"):
        pool.rank(GOLD_FAN, page=0)
    with pytest.raises(InvalidValueError, match="page_size"):
        pool.rank(GOLD_FAN, page_size=1001)
    with pytest.raises(InvalidValueError, match="price_high"):
        PoolFilter(price_low=Money(200), price_high=Money(100))
    with pytest.raises(InvalidValueError, match="twice"):
        SelectionPool([_entry(1, CATS[0]), _entry(1, CATS[1])])


FANS = st.builds(
    lambda mains, band: Influencer(
        InfluencerId("kol-any"),
        "达人",
        main_category_ids=tuple(CategoryId(c) for c in mains),
        price_band_low=Money(band[0]) if band else None,
        price_band_high=Money(band[1]) if band else None,
    ),
    st.lists(st.sampled_from([c for c, _ in CATS] + ["c-none"]), unique=True, max_size=3),
    st.none() | st.sampled_from([(100, 10000), (9900, 29900), (20000, 300000)]),
)


def _ranked(
    pool: SelectionPool, fan: Influencer, query: PoolFilter | None, paging: tuple[int, int], arrays: bool
) -> Any:
    """A page ranked on NumPy columns (*arrays*) or by the loop over plain tuples."""
    saved = pool_module._ARRAYS_FROM
    pool_module._ARRAYS_FROM = 0 if arrays else 10**9
    try:
        return pool.rank(fan, query, page=paging[0], page_size=paging[1])
    finally:
        pool_module._ARRAYS_FROM = saved


@given(ENTRIES, FANS, st.none() | FILTERS, st.integers(1, 4), st.integers(1, 7))
def test_the_array_ranking_is_the_ranking(
    entries: list[PoolEntry], fan: Influencer, query: PoolFilter | None, page: int, size: int
) -> None:
    """With NumPy installed, large pools rank on whole columns (issue 21): the same page, points, reasons and total
    as the loop, for any pool, influencer, filter and page."""
    pool = SelectionPool(entries)
    paging = (page, size)
    assert _ranked(pool, fan, query, paging, arrays=True) == _ranked(pool, fan, query, paging, arrays=False)


# -- membership has one source: the perk catalog's pool perk (issue 19) ------------------------------------------


@functools.cache
def _sample_graded(pool_tier: Tier) -> tuple[Any, tuple[GradedSku, ...]]:
    """The sample graded with the default models, except that the pool perk starts at *pool_tier*."""
    catalog = load_sample()
    default = default_perk_catalog()
    entries = tuple(attrs.evolve(e, tier=pool_tier) if e.name == "pool" else e for e in default.entries)
    perks = attrs.evolve(default, entries=entries)
    return catalog, grade_catalog(catalog, perks=perks, explain=False)


def test_goods_enter_the_pool_on_joining_and_the_perks_say_so() -> None:
    """Issue 19: the sample pool holds L0 listings, and every listing in it is granted "listed in the pool"."""
    catalog = load_sample()
    graded = {g.sku_id: g for g in grade_catalog(catalog, explain=False)}
    pool = SelectionPool.from_catalog(catalog, tuple(graded.values()))
    assert any(e.tier is Tier.L0 for e in pool.entries)
    assert all(is_listed(graded[e.sku_id].perks) for e in pool.entries)
    assert next(e for e in default_perk_catalog().entries if e.name == "pool").tier is Tier.L0
    approved = {li.id for li in catalog.listings if li.status is ListingStatus.APPROVED}
    assert {e.listing_id for e in pool.entries} == approved


@given(st.sampled_from(list(Tier)))
def test_the_pool_lists_exactly_the_approved_goods_granted_the_pool_perk(pool_tier: Tier) -> None:
    """Whatever tier the perk catalog lists goods from, the pool holds exactly those approved listings."""
    catalog, graded = _sample_graded(pool_tier)
    by_sku = {g.sku_id: g for g in graded}
    pool = SelectionPool.from_catalog(catalog, graded)
    expected = {
        li.id
        for li in catalog.listings
        if li.status is ListingStatus.APPROVED and li.sku_id in by_sku and by_sku[li.sku_id].decision.tier >= pool_tier
    }
    assert {e.listing_id for e in pool.entries} == expected
    assert all(e.tier >= pool_tier for e in pool.entries)
    assert all(e.listing_id in expected for e in pool.entries)


def test_a_perk_catalog_without_the_pool_perk_lists_nothing() -> None:
    """No entry grants the pool: the pool is empty (membership is read from the perks, never assumed)."""
    catalog = load_sample()
    default = default_perk_catalog()
    perks = attrs.evolve(default, entries=tuple(e for e in default.entries if e.name != "pool"))
    assert SelectionPool.from_catalog(catalog, grade_catalog(catalog, perks=perks, explain=False)).entries == ()
    assert POOL_FEATURE == "pool"


@given(st.sampled_from(list(Tier)))
def test_the_pools_entries_are_what_the_validating_constructor_builds(pool_tier: Tier) -> None:
    """from_catalog builds its entries from the validated catalog and grades without checking them again: the
    validating constructor accepts each one and builds an equal entry."""
    catalog, graded = _sample_graded(pool_tier)
    for entry in SelectionPool.from_catalog(catalog, graded).entries:
        rebuilt = PoolEntry(**{f.name: getattr(entry, f.name) for f in attrs.fields(PoolEntry)})
        assert (rebuilt, hash(rebuilt), repr(rebuilt)) == (entry, hash(entry), repr(entry))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("listing_id", None),
        ("category_level1", 5),
        ("title", ""),
        ("price", 9900),
        ("commission_rate", "20%"),
        ("team_leader_id", 7),
        ("tier", "L3"),
        ("composite", 60.0),
        ("service_score", Decimal(101)),
        ("preferred_boost", True),
        ("badges", {"精选好物"}),
        ("badges", frozenset({1})),
    ],
)
def test_a_bad_pool_entry_field_names_itself(field: str, value: object) -> None:
    with pytest.raises(InvalidValueError, match=rf"PoolEntry\.{field}"):
        _entry(1, CATS[0], **{field: value})
