"""The built-in sample catalog and its seeded generator: size, reproducibility, validity and realism."""

from __future__ import annotations

import importlib.util
import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from importlib import resources
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import attrs
import pytest

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import ShopKind
from fenxiao.domain.listings import LISTING_TRANSITIONS, ListingStatus
from fenxiao.errors import InvalidValueError
from fenxiao.money import Rate
from fenxiao.sample import SAMPLE_AS_OF, SAMPLE_SEED, SAMPLE_SKUS, generate_catalog, generate_orders, load_sample
from fenxiao.settlement.orders import OrderStatus

TOOL = Path(__file__).resolve().parent.parent / "tools" / "generate_sample.py"


@pytest.fixture(scope="module")
def sample() -> Catalog:
    return load_sample()


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_sample", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- size and reproducibility ------------------------------------------------------------------------


def test_the_sample_has_at_least_200_skus_in_at_least_10_third_level_categories(sample: Catalog) -> None:
    """About 200 SKUs, each with a snapshot and a listing, spread over 10+ third-level categories."""
    assert len(sample.skus) >= 200
    assert len(sample.snapshots) == len(sample.listings) == len(sample.skus)
    used = {sku.category_id for sku in sample.skus}
    assert len(used) >= 10
    assert used == {c.id for c in sample.categories}  # no empty category rows in the demo
    assert sample.merchants
    assert sample.brands
    assert sample.influencers
    assert sample.team_leaders


def test_the_generator_reproduces_the_shipped_catalog(sample: Catalog) -> None:
    """generate_catalog() with the defaults equals what load_sample() reads from package data."""
    assert generate_catalog() == sample


def test_the_shipped_file_is_byte_for_byte_what_the_tool_writes(tool: ModuleType) -> None:
    """The package data is exactly the tool's rendering; if not, run tools/generate_sample.py."""
    shipped = resources.files("fenxiao").joinpath("data/sample_catalog.json").read_text(encoding="utf-8")
    assert shipped == tool.render(generate_catalog()), "stale sample: run .venv/bin/python tools/generate_sample.py"


def test_the_tool_checks_and_writes_catalogs(
    tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check passes on the shipped file and fails on a stale one; --skus/--seed/--out write a custom catalog."""
    assert tool.main(["--check"]) == 0
    out = tmp_path / "small.json"
    assert tool.main(["--skus", "20", "--seed", "3", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == tool.render(generate_catalog(seed=3, skus=20))
    assert tool.main(["--check", "--out", str(out)]) == 1
    assert "is stale" in capsys.readouterr().err


def test_the_sample_is_loaded_once_per_process() -> None:
    """load_sample() caches its result: the same object comes back."""
    assert load_sample() is load_sample()


def test_the_generator_is_deterministic_per_seed() -> None:
    """The same seed and size give equal catalogs."""
    assert generate_catalog(seed=5, skus=40) == generate_catalog(seed=5, skus=40)


def test_different_seeds_give_different_catalogs() -> None:
    """Another seed changes the draws (prices, units, merchants), not just the ids."""
    a, b = generate_catalog(seed=1, skus=40), generate_catalog(seed=2, skus=40)
    assert a != b
    assert [s.price for s in a.skus] != [s.price for s in b.skus]
    assert [s.units_30d for s in a.snapshots] != [s.units_30d for s in b.snapshots]


@pytest.mark.parametrize("skus", [1, 7, 60])
def test_any_size_gives_a_valid_catalog(skus: int) -> None:
    """Even one SKU yields at least one merchant, influencer and leader of each level."""
    catalog = generate_catalog(seed=11, skus=skus)
    assert len(catalog.skus) == skus
    assert catalog.merchants
    assert catalog.influencers
    assert {leader.level.value for leader in catalog.team_leaders} == {"first", "second"}


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"skus": 0}, r"^generate_catalog\.skus: must be a whole number from 1 to 10,000,000, got 0"),
        ({"skus": True}, r"^generate_catalog\.skus: .*got True"),
        ({"skus": 10_000_001}, r"^generate_catalog\.skus: "),
        ({"as_of": datetime(2026, 11, 20)}, r"^generate_catalog\.as_of: must be a timezone-aware datetime"),
    ],
)
def test_the_generator_refuses_bad_arguments(kwargs: dict[str, object], pattern: str) -> None:
    """A size out of range or a naive as_of is an InvalidValueError naming the argument."""
    with pytest.raises(InvalidValueError, match=pattern):
        generate_catalog(**kwargs)  # type: ignore[arg-type]


def test_the_generator_honours_as_of() -> None:
    """Snapshots are observed at as_of, in any offset."""
    as_of = datetime(2027, 1, 1, tzinfo=UTC)
    catalog = generate_catalog(seed=4, skus=10, as_of=as_of)
    assert {s.observed_at for s in catalog.snapshots} == {as_of}


def test_the_defaults_are_the_documented_ones() -> None:
    """Seed 20211130 (the day 好物联盟 became 快分销), 200 SKUs, observed 2026-11-20 00:00 CST."""
    assert (SAMPLE_SEED, SAMPLE_SKUS) == (20211130, 200)
    assert SAMPLE_AS_OF.utcoffset() == timedelta(hours=8)


# -- validity ----------------------------------------------------------------------------------------


def test_every_entity_in_the_sample_is_valid(sample: Catalog) -> None:
    """Rebuilding each value runs every validator again; rebuilding the catalog runs every cross-check."""
    groups = [getattr(sample, a.name) for a in attrs.fields(Catalog) if a.init]
    for group in groups:
        for item in group:
            assert attrs.evolve(item) == item
            if hasattr(item, "terms"):
                assert attrs.evolve(item.terms) == item.terms
    assert Catalog(**{a.name: getattr(sample, a.name) for a in attrs.fields(Catalog) if a.init}) == sample


def test_every_listing_follows_the_lifecycle_and_nothing_happens_after_the_observation(sample: Catalog) -> None:
    """Histories are legal paths, applications precede joining, approval happens when the SKU joins the pool."""
    for listing in sample.listings:
        sku = sample.sku(listing.sku_id)
        statuses = [ListingStatus.APPLIED, *(c.status for c in listing.history)]
        assert all(b in LISTING_TRANSITIONS[a] for a, b in pairwise(statuses))
        assert listing.applied_at < sku.joined_at
        assert listing.updated_at <= SAMPLE_AS_OF
        approved = listing.entered(ListingStatus.APPROVED)
        assert approved is None or approved == sku.joined_at
    assert {listing.status for listing in sample.listings} >= {ListingStatus.APPROVED, ListingStatus.REJECTED}


def test_times_in_the_sample_are_consistent(sample: Catalog) -> None:
    """SKUs join the pool after their shop opened and at or before the observation; snapshots agree with them."""
    for sku, snap in zip(sample.skus, sample.snapshots, strict=True):
        assert snap.sku_id == sku.id
        assert snap.joined_at == sku.joined_at <= snap.observed_at == SAMPLE_AS_OF
        assert sample.merchant(sku.merchant_id).opened_on <= sku.joined_at.date()


# -- realism -----------------------------------------------------------------------------------------


def test_gmv_per_sku_is_heavy_tailed(sample: Catalog) -> None:
    """The top tenth of SKUs sells over half of the GMV, and the best SKU sells 20x the median seller."""
    gmv = sorted((s.gmv_30d.fen for s in sample.snapshots), reverse=True)
    top = gmv[: len(gmv) // 10]
    assert sum(top) > sum(gmv) / 2
    sellers = [g for g in gmv if g]
    assert gmv[0] > 20 * statistics.median(sellers)


def test_units_fall_as_prices_rise_while_gmv_stays_comparable(sample: Catalog) -> None:
    """Gold necklaces sell far fewer units than nuts, but their median GMV per SKU is within a factor of ten."""
    units: dict[str, list[int]] = defaultdict(list)
    gmv: dict[str, list[int]] = defaultdict(list)
    for snap in sample.snapshots:
        if snap.units_30d:
            units[snap.category_id].append(snap.units_30d)
            gmv[snap.category_id].append(snap.gmv_30d.fen)
    assert statistics.median(units["c-gold"]) * 20 < statistics.median(units["c-nuts"])
    ratio = statistics.median(gmv["c-gold"]) / statistics.median(gmv["c-nuts"])
    assert 0.1 < ratio < 10


def test_snapshot_amounts_add_up(sample: Catalog) -> None:
    """GMV is units times the selling price; no sales means no GMV, no promoters and no review rates."""
    for snap in sample.snapshots:
        assert snap.gmv_30d.fen == snap.units_30d * snap.price.fen
        assert snap.gmv_prev_30d.fen == snap.units_prev_30d * snap.price.fen
        if not snap.has_sales:
            assert snap.gmv_30d.fen == snap.promoting_influencers == 0
            assert snap.refund_rate == snap.good_review_rate == Rate.zero()


def test_a_brand_has_one_platform_gmv_covering_its_skus(sample: Catalog) -> None:
    """Every snapshot of a brand shows the same brand GMV, at least the sum of its SKUs' GMV."""
    per_brand: dict[str, set[int]] = defaultdict(set)
    sku_sum: dict[str, int] = defaultdict(int)
    for sku, snap in zip(sample.skus, sample.snapshots, strict=True):
        if sku.brand_id is None:
            assert snap.brand_gmv_30d.fen == 0
            assert not snap.brand_authorised
        else:
            per_brand[sku.brand_id].add(snap.brand_gmv_30d.fen)
            sku_sum[sku.brand_id] += snap.gmv_30d.fen
            assert sku.brand_id in sample.merchant(sku.merchant_id).brand_ids
    assert per_brand
    for brand_id, values in per_brand.items():
        assert len(values) == 1
        assert values.pop() >= sku_sum[brand_id]


def test_rates_stay_in_realistic_ranges(sample: Catalog) -> None:
    """Women's apparel refunds 40-80%, leader fees 1-10%, commission plus leader fee under 90%,
    jewellery and health goods carry at least 5% commission and 1% leader fee."""
    floors = {"c-gold", "c-diamond", "c-vitamin"}
    for listing in sample.listings:
        terms = listing.terms
        sku = sample.sku(listing.sku_id)
        fee = terms.leader_fee_rate.value if terms.leader_fee_rate else 0
        assert terms.commission_rate.value + fee < Rate.of("90%").value
        if terms.leader_fee_rate is not None:
            assert Rate.of("1%") <= terms.leader_fee_rate <= Rate.of("10%")
        if sku.category_id in floors:
            assert terms.commission_rate >= Rate.of("5%")
    for snap in sample.snapshots:
        if snap.has_sales and snap.category_id in {"c-dress", "c-tshirt"}:
            assert snap.refund_rate is not None
            assert Rate.of("40%") <= snap.refund_rate <= Rate.of("80%")


def test_jewellery_and_health_goods_mostly_come_from_qualified_shops(sample: Catalog) -> None:
    """Most SKUs in qualification categories come from merchants holding that qualification."""
    special = [s for s in sample.skus if s.category_id in {"c-gold", "c-diamond", "c-vitamin"}]
    qualified = [s for s in special if s.category_id in sample.merchant(s.merchant_id).qualified_category_ids]
    assert special
    assert len(qualified) >= 0.8 * len(special)


def test_the_sample_mixes_shop_kinds_and_standings(sample: Catalog) -> None:
    """Flagship and ordinary shops both appear, and some SKUs are new (within 14 days) or unsold."""
    assert {m.shop_kind for m in sample.merchants} >= {ShopKind.FLAGSHIP, ShopKind.ORDINARY}
    assert any(s.days_in_pool < 14 for s in sample.snapshots)
    assert any(not s.has_sales for s in sample.snapshots)
    assert any(s.serious_violations_365d for s in sample.snapshots)


def test_own_stream_orders_come_after_and_apart_from_the_influencer_orders() -> None:
    """Issue 19: the sample's own-stream orders (自播) have no influencer and no commission, and adding them leaves
    the influencer orders as they were."""
    catalog = load_sample()
    plain = generate_orders(catalog, count=30)
    mixed = generate_orders(catalog, count=30, own_stream=12)
    assert mixed[:30] == plain
    own = mixed[30:]
    assert len(own) == 12
    assert all(o.own_stream and o.influencer_id is None and o.terms.commission_rate == Rate.zero() for o in own)
    assert len({o.id for o in mixed}) == len(mixed)
    assert {o.status for o in own} > {OrderStatus.SETTLED}  # carried through the lifecycle like the others
    with pytest.raises(InvalidValueError, match=r"^generate_orders\.own_stream: "):
        generate_orders(catalog, own_stream=-1)
