"""Category benchmarks: medians, GMV samples, order independence, validation and round-trips."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao._internal import toml as _toml
from fenxiao.domain.ids import CategoryId
from fenxiao.domain.snapshots import OPTIONAL_METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError, ValidationError
from fenxiao.money import Money, Rate
from fenxiao.scoring.context import (
    MEDIAN_METRICS,
    CategoryBenchmark,
    ScoringContext,
    build_context,
    measure_units,
)
from fenxiao.serialization import dumps, from_dict, loads, to_dict
from fenxiao.testing.scoring import scoring_contexts, scoring_snapshots

from ..builders import T, snapshot

D = Decimal


def test_an_empty_batch_gives_an_empty_context() -> None:
    """No snapshots, no benchmarks, no as_of."""
    context = build_context([])
    assert context == ScoringContext.empty()
    assert context.as_of is None
    assert context.benchmark("c-tea") is None


def test_a_category_with_one_sku_is_its_own_benchmark() -> None:
    """Medians equal its own price and rate; its GMV is the only value."""
    only = snapshot("a", price=Money.of("12.34"), commission_rate=Rate.of("0.2"), gmv_30d=Money.of("99.00"))
    bench = build_context([only]).benchmark("c-tea")
    assert bench is not None
    assert (bench.skus, bench.price_median, bench.commission_median, bench.gmv_values) == (
        1,
        D("12.34"),
        D("0.2"),
        (9900,),
    )


def test_an_even_count_takes_the_exact_mean_of_the_two_middle_values() -> None:
    """Half a fen and half a ppm are kept, not rounded."""
    batch = [
        snapshot("a", price=Money.of("10.00"), commission_rate=Rate.from_ppm(1)),
        snapshot("b", price=Money.of("10.01"), commission_rate=Rate.from_ppm(2)),
    ]
    bench = build_context(batch).benchmark("c-tea")
    assert bench is not None
    assert bench.price_median == D("10.005")
    assert bench.commission_median == D("0.0000015")
    assert (bench.price_median_half_fen, bench.commission_median_half_ppm) == (2001, 3)


def test_benchmarks_are_per_category_and_sorted_by_id() -> None:
    """Each category gets its own benchmark; as_of is the latest observation."""
    batch = [snapshot("a", "c-z"), snapshot("b", "c-a", observed_at=T + timedelta(hours=1)), snapshot("c", "c-z")]
    context = build_context(batch)
    assert [b.category_id for b in context.categories] == ["c-a", "c-z"]
    assert [b.skus for b in context.categories] == [1, 2]
    assert context.as_of == T + timedelta(hours=1)


def test_a_large_category_keeps_an_evenly_spaced_sample_of_gmv_values() -> None:
    """With n = 10 and m = 4, positions (2i+1)*n//(2m) = 1, 3, 6, 8 are kept."""
    batch = [snapshot(f"s{i}", gmv_30d=Money(i * 100)) for i in range(10)]
    bench = build_context(batch, max_gmv_values=4).benchmark("c-tea")
    assert bench is not None
    assert bench.gmv_values == (100, 300, 600, 800)
    assert bench.skus == 10


def test_mixed_currencies_are_refused() -> None:
    """A benchmark mixes no currencies."""
    usd: dict[str, Any] = {name: Money(0, "USD") for name in ("gmv_30d", "gmv_prev_30d", "brand_gmv_30d")}
    dollars = snapshot("b", price=Money.of("1.00", "USD"), **usd)
    with pytest.raises(InvalidValueError, match=r"build_context\.snapshots\[1\]\.price: is not in CNY"):
        build_context([snapshot("a"), dollars])


def test_max_gmv_values_must_be_positive() -> None:
    """A sample of zero values would make every percentile undefined."""
    with pytest.raises(InvalidValueError, match="max_gmv_values"):
        build_context([], max_gmv_values=0)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"price_median": D("10.001")}, r"price_median: must be a whole number of half fen"),
        ({"price_median": D("-1")}, r"price_median: must not be negative"),
        ({"commission_median": D("0.00000001")}, r"commission_median: must be a whole number of half parts"),
        ({"gmv_values": (3, 1)}, r"gmv_values\[1\]: must not be below the value before it"),
        ({"gmv_values": ()}, r"gmv_values: must not be empty"),
        ({"gmv_values": (1, 2, 3), "skus": 2}, r"gmv_values: holds more values than skus"),
    ],
)
def test_a_bad_benchmark_names_the_field(changes: dict[str, Any], match: str) -> None:
    """Hand-written or deserialized benchmarks are validated."""
    base = {"category_id": "c-tea", "skus": 3, "price_median": D("10"), "commission_median": D("0.2")}
    with pytest.raises(InvalidValueError, match=match):
        CategoryBenchmark(**{**base, "gmv_values": (1, 2), **changes})


def test_categories_must_be_sorted_and_unique() -> None:
    """The context is canonical, so equal contexts serialize identically."""
    bench = CategoryBenchmark(CategoryId("c-tea"), 1, D(1), D(0), (0,))
    with pytest.raises(InvalidValueError, match=r"categories\[1\]\.category_id: must come after"):
        ScoringContext((bench, bench))


def test_a_context_file_with_a_bad_value_names_its_path() -> None:
    """Reading a nightly context file reports where it is wrong."""
    data = to_dict(build_context([snapshot("a")]))
    data["categories"][0]["gmv_values"] = [5, 1]
    with pytest.raises(ValidationError, match=r"categories\[0\]\.gmv_values\[1\]"):
        from_dict(data, ScoringContext)


@given(snaps=st.lists(scoring_snapshots(), max_size=10), data=st.data())
def test_building_is_independent_of_the_batch_order(snaps: list[SkuSnapshot], data: st.DataObject) -> None:
    """The context depends only on which snapshots there are."""
    shuffled = data.draw(st.permutations(snaps))
    assert build_context(shuffled) == build_context(snaps)


@given(snaps=st.lists(scoring_snapshots(), min_size=1, max_size=10))
def test_medians_split_each_category_in_half(snaps: list[SkuSnapshot]) -> None:
    """At most half of a category's prices lie strictly above the median, and at most half below."""
    context = build_context(snaps)
    for bench in context.categories:
        prices = [D(s.price.fen) / 100 for s in snaps if s.category_id == bench.category_id]
        assert 2 * sum(p > bench.price_median for p in prices) <= len(prices)
        assert 2 * sum(p < bench.price_median for p in prices) <= len(prices)


@given(context=scoring_contexts(snapshots=scoring_snapshots()))
def test_built_contexts_round_trip_through_the_converter_json_and_toml(context: ScoringContext) -> None:
    """A context computed nightly can be stored and read back equal."""
    assert from_dict(to_dict(context), ScoringContext) == context
    assert loads(dumps(context), ScoringContext) == context
    assert loads(_toml.dumps(to_dict(context)), ScoringContext, format="toml") == context


@given(context=scoring_contexts())
def test_drawn_contexts_round_trip(context: ScoringContext) -> None:
    """Benchmarks with arbitrary medians round-trip too."""
    assert loads(dumps(context), ScoringContext) == context


# -- category medians of the metrics that may be unobserved ------------------------------------------------------


def test_medians_count_only_the_snapshots_that_observe_the_metric() -> None:
    """None is not 0: an unobserved rate is left out of its category's median; no observation, no median."""
    snaps = [
        snapshot("a", refund_rate=Rate.of("10%")),
        snapshot("b", refund_rate=Rate.of("30%"), experience_score=D("4.8")),
        snapshot("c"),
        snapshot("d", refund_rate=Rate.of("20%")),
    ]
    bench = build_context(snaps).benchmark("c-tea")
    assert bench is not None
    assert bench.medians == {"experience_score": D("4.8"), "refund_rate": D("0.2")}
    assert bench.median_half_units("refund_rate") == 400_000
    assert bench.median_half_units("complaint_rate") is None


def test_an_even_count_of_observations_takes_the_exact_mean_even_half_a_millionth() -> None:
    """Two observed values: the exact mean, which may end in half a millionth."""
    snaps = [snapshot("a", complaint_rate=Rate.from_ppm(1)), snapshot("b", complaint_rate=Rate.from_ppm(2))]
    bench = build_context(snaps).benchmark("c-tea")
    assert bench is not None
    assert bench.medians == {"complaint_rate": D("0.0000015")}
    assert bench.median_half_units("complaint_rate") == 3


def test_an_observed_zero_counts_towards_the_median() -> None:
    """An explicit 0% is an observation like any other."""
    snaps = [snapshot("a", refund_rate=Rate.zero()), snapshot("b", refund_rate=Rate.zero()), snapshot("c")]
    bench = build_context(snaps).benchmark("c-tea")
    assert bench is not None
    assert bench.medians == {"refund_rate": D(0)}


def test_every_optional_rate_and_shop_score_has_a_median_and_nothing_else() -> None:
    """MEDIAN_METRICS: the snapshot's optional rates and 0-5 scores, not the optional prices."""
    assert set(MEDIAN_METRICS) == set(OPTIONAL_METRIC_FIELDS) - {"reference_price", "lowest_price_30d"}


@pytest.mark.parametrize(
    ("medians", "match"),
    [
        ({"units_30d": D(1)}, r"medians\.units_30d: is not a metric with a category median"),
        ({"refund_rate": D("0.00000001")}, r"medians\.refund_rate: must be a whole number of half millionths"),
        ({"refund_rate": D("-0.1")}, r"medians\.refund_rate: must be a finite Decimal, not negative"),
        ({"refund_rate": D("1.5")}, r"medians\.refund_rate: must be at most 1"),
        ({"experience_score": D("5.5")}, r"medians\.experience_score: must be at most 5"),
        ({"refund_rate": "0.1"}, r"medians\.refund_rate: must be a finite Decimal"),
        ([("refund_rate", D("0.1"))], r"medians: must be a table of metric names to medians"),
    ],
)
def test_a_bad_median_names_the_metric(medians: object, match: str) -> None:
    """Hand-written or deserialized medians are validated, naming the metric."""
    with pytest.raises(InvalidValueError, match=match):
        CategoryBenchmark(CategoryId("c-tea"), 1, D(1), D(0), (0,), medians)


def test_a_context_document_without_medians_still_loads() -> None:
    """Contexts stored before medians existed read back, with no medians."""
    context = build_context([snapshot("a", refund_rate=Rate.of("10%"))])
    data = to_dict(context)
    assert data["categories"][0]["medians"] == {"refund_rate": "0.1"}
    del data["categories"][0]["medians"]
    old = from_dict(data, ScoringContext)
    assert old.categories[0].medians == {}
    assert old == attrs.evolve(context, categories=(attrs.evolve(context.categories[0], medians={}),))


def test_a_benchmark_with_medians_stays_hashable() -> None:
    """The medians take part in equality, not in the hash."""
    one = CategoryBenchmark(CategoryId("c-tea"), 1, D(1), D(0), (0,), {"refund_rate": D("0.1")})
    other = attrs.evolve(one, medians={"refund_rate": D("0.2")})
    assert hash(one) == hash(other)
    assert one != other


@given(snaps=st.lists(scoring_snapshots(), min_size=1, max_size=10))
def test_each_median_splits_the_observed_values_in_half(snaps: list[SkuSnapshot]) -> None:
    """At most half of a category's observed values lie strictly above a median, at most half below, and a metric
    has a median exactly when some snapshot of the category observes it."""
    for bench in build_context(snaps).categories:
        peers = [s for s in snaps if s.category_id == bench.category_id]
        for name in MEDIAN_METRICS:
            values = [measure_units(v) for s in peers if (v := getattr(s, name)) is not None]
            half = bench.median_half_units(name)
            assert (half is not None) == bool(values)
            if half is not None:
                assert 2 * sum(2 * v > half for v in values) <= len(values)
                assert 2 * sum(2 * v < half for v in values) <= len(values)


# -- the median units of the selling goods (issue 19: a category-relative L1 sales bar) ---------------------------


def test_the_units_median_counts_only_the_selling_goods() -> None:
    """Goods without sales do not pull the bar down; an even count takes the exact mean; none selling: None."""
    snaps = [
        snapshot(sku_id=f"s-{i}", category_id="c-gold", units_30d=units) for i, units in enumerate((0, 0, 0, 1, 2))
    ]
    snaps.append(snapshot(sku_id="s-x", category_id="c-new", units_30d=0))
    context = build_context(snaps)
    gold, new = context.benchmark("c-gold"), context.benchmark("c-new")
    assert gold is not None
    assert new is not None
    assert (gold.units_median, gold.units_median_twice) == (D("1.5"), 3)
    assert (new.units_median, new.units_median_twice) == (None, None)


@given(snaps=st.lists(scoring_snapshots(), min_size=1, max_size=10))
def test_the_units_median_splits_the_selling_goods_in_half(snaps: list[SkuSnapshot]) -> None:
    """At most half of a category's selling goods sell strictly more than the median, and at most half fewer."""
    for bench in build_context(snaps).categories:
        units = [s.units_30d for s in snaps if s.category_id == bench.category_id and s.units_30d > 0]
        if not units:
            assert bench.units_median is None
            continue
        assert bench.units_median is not None
        assert 2 * sum(u > bench.units_median for u in units) <= len(units)
        assert 2 * sum(u < bench.units_median for u in units) <= len(units)


@pytest.mark.parametrize("bad", [D("0.5"), D("1.25"), D(0), D("NaN"), 3])
def test_a_bad_units_median_names_the_field(bad: object) -> None:
    """At least one unit, a whole number of halves, a Decimal."""
    with pytest.raises(InvalidValueError, match=r"CategoryBenchmark\.units_median"):
        CategoryBenchmark("c-tea", 1, D(1), D("0.1"), (0,), units_median=bad)  # type: ignore[arg-type]
