"""measure_shops: each merchant's recent record estimated from the catalog's snapshots (issue 19: admission reads
the shop's 30-day GMV and bad-review rate; the demo shows the rules that read them)."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError
from fenxiao.market.admission import ShopMetrics, default_admission_policy, measure_shops, merchant_inputs
from fenxiao.money import Money, Rate
from fenxiao.sample import load_sample


@pytest.fixture(scope="module")
def sample() -> Catalog:
    return load_sample()


def test_gmv_is_the_sum_of_the_merchants_goods_and_reviews_a_units_weighted_mean(sample: Catalog) -> None:
    as_of = max(s.observed_at for s in sample.snapshots)
    shops = measure_shops(sample, as_of=as_of)
    merchant = sample.merchants[0].id
    snaps = [s for s in sample.latest_snapshots() if sample.sku(s.sku_id).merchant_id == merchant]
    assert shops[merchant].gmv_30d == Money(sum(s.gmv_30d.fen for s in snaps))
    rated = [(s.bad_review_rate, s.units_30d) for s in snaps if s.bad_review_rate is not None]
    total = sum(units for _, units in rated)
    exact = sum(rate.ppm * units for rate, units in rated) / total
    assert abs(shops[merchant].bad_review_rate_30d.ppm - exact) <= 0.5  # type: ignore[union-attr]
    assert shops[merchant].dsr_90d is None  # an experience score is not a DSR: left to the platform's record
    assert set(shops) == {sample.sku(s.sku_id).merchant_id for s in sample.latest_snapshots()}


def test_only_snapshots_observed_by_as_of_count(sample: Catalog) -> None:
    first = min(s.observed_at for s in sample.snapshots)
    assert measure_shops(sample, as_of=first - timedelta(seconds=1)) == {}
    with pytest.raises(InvalidValueError, match=r"^measure_shops\.as_of: "):
        measure_shops(sample, as_of=first.replace(tzinfo=None))


def test_with_nothing_sold_every_observed_rate_counts_alike(sample: Catalog) -> None:
    sku = sample.skus[0]
    snap = next(s for s in sample.snapshots if s.sku_id == sku.id)
    quiet = [
        attrs.evolve(snap, units_30d=0, gmv_30d=Money.zero(), bad_review_rate=Rate.of(rate)) for rate in ("1%", "4%")
    ]
    twin = attrs.evolve(sku, id="sku-twin")
    catalog = Catalog(
        categories=sample.categories,
        brands=sample.brands,
        merchants=sample.merchants,
        skus=(sku, twin),
        snapshots=(quiet[0], attrs.evolve(quiet[1], sku_id="sku-twin")),
    )
    (shop,) = measure_shops(catalog, as_of=snap.observed_at).values()
    assert shop == ShopMetrics(gmv_30d=Money.zero(), bad_review_rate_30d=Rate.of("2.5%"))


def test_the_record_sends_a_quiet_old_shop_to_review(sample: Catalog) -> None:
    as_of = max(s.observed_at for s in sample.snapshots)
    shops = measure_shops(sample, as_of=as_of)
    policy = default_admission_policy()
    reviewed = [
        m.id
        for m in sample.merchants
        if "low-shop-gmv"
        in {name for name, _ in policy.decide(merchant_inputs(m, as_of=as_of, shop=shops.get(m.id))).reasons}
    ]
    assert reviewed  # the sample holds old shops that sold under ¥1,000 in 30 days
    for merchant_id in reviewed:
        assert shops[merchant_id].gmv_30d < Money.of("1000.00")
