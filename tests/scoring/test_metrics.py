"""Named metrics: definitions, grids, unavailability, and the registry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given

from fenxiao.domain.ids import CategoryId
from fenxiao.domain.snapshots import METRIC_FIELDS, OPTIONAL_METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError, PluginError, PolicyError
from fenxiao.money import Money, Rate
from fenxiao.scoring.context import ScoringContext, build_context
from fenxiao.scoring.dimensions import Dimension
from fenxiao.scoring.metrics import (
    commission_vs_category_median,
    days_in_pool,
    get_metric,
    gmv_percentile_in_category,
    lowest_sub_score,
    metric_names,
    metrics,
    price_vs_category_median,
    price_vs_lowest_30d,
    price_vs_reference,
    register_metric,
    sales_growth,
    unregister_metric,
)
from fenxiao.scoring.scorecards import MetricRule, Scorecard, ScorecardScorer
from fenxiao.testing.scoring import scoring_contexts, scoring_snapshots

from ..builders import T, snapshot

D = Decimal
EMPTY = ScoringContext.empty()


@pytest.fixture
def temporary_metric() -> Iterator[str]:
    name = "test_twice_units"
    register_metric(
        name, lambda s, c: D(2 * s.units_30d), places=0, unit="count", description="twice the units, for tests"
    )
    yield name
    unregister_metric(name)


def test_every_snapshot_metric_field_is_a_metric() -> None:
    """Scorecards can name any raw snapshot field."""
    assert set(METRIC_FIELDS) <= set(metric_names())
    assert {m.name for m in metrics()} == set(metric_names())


def test_raw_fields_come_out_in_natural_units() -> None:
    """Money in yuan, rates as fractions, flags 0/1, counts whole."""
    s = snapshot(gmv_30d=Money.of("1234.56"), refund_rate=Rate.of("12.5%"), flagship_shop=True, units_30d=7)
    assert get_metric("gmv_30d")(s, EMPTY) == D("1234.56")
    assert get_metric("refund_rate")(s, EMPTY) == D("0.125")
    assert get_metric("flagship_shop")(s, EMPTY) == D(1)
    assert get_metric("units_30d")(s, EMPTY) == D(7)
    assert get_metric("lowest_price_30d")(s, EMPTY) is None
    assert [get_metric(n).unit for n in ("gmv_30d", "refund_rate", "flagship_shop", "units_30d")] == [
        "yuan",
        "rate",
        "flag",
        "count",
    ]


@pytest.mark.parametrize("name", OPTIONAL_METRIC_FIELDS)
def test_an_unobserved_field_is_an_unavailable_metric_and_an_observed_zero_is_zero(name: str) -> None:
    """None measures as None (unavailable), never as 0; an explicit 0 measures as 0."""
    metric = get_metric(name)
    assert metric(snapshot(), EMPTY) is None
    assert metric.measure(snapshot(), EMPTY) is None
    zero = {"rate": Rate.zero(), "yuan": Money(0)}.get(metric.unit, D(0))
    assert metric.measure(snapshot(**{name: zero}), EMPTY) == (D(0), 0)


def test_a_score_finer_than_the_grid_is_rounded_half_to_even() -> None:
    """A 0-5 score with 7 places lands on the 6-place grid."""
    s = snapshot(experience_score=D("4.1234565"))
    assert get_metric("experience_score")(s, EMPTY) == D("4.123456")


def test_price_vs_category_median_uses_the_exact_median() -> None:
    """Two prices 10.00 and 10.01: the median is 10.005, and 10.00 / 10.005 rounds to 0.999500."""
    a, b = snapshot("a"), snapshot("b", price=Money.of("10.01"))
    context = build_context([a, b])
    assert price_vs_category_median(a, context) == D("0.999500")
    assert price_vs_category_median(a, EMPTY) is None


def test_a_zero_median_makes_ratios_unavailable() -> None:
    """Dividing by a zero median or lowest price gives None, not an error."""
    free = snapshot(commission_rate=Rate.zero())
    assert commission_vs_category_median(free, build_context([free])) is None
    assert price_vs_lowest_30d(snapshot(lowest_price_30d=Money(0)), EMPTY) is None
    assert price_vs_reference(snapshot(reference_price=Money(0)), EMPTY) is None


def test_price_ratios_against_the_products_own_references() -> None:
    """Price against its 30-day low and its reference price."""
    s = snapshot(lowest_price_30d=Money.of("8.00"), reference_price=Money.of("12.00"))
    assert price_vs_lowest_30d(s, EMPTY) == D("1.250000")
    assert price_vs_reference(s, EMPTY) == D("0.833333")


def test_a_context_in_another_currency_is_not_a_benchmark() -> None:
    """Comparing yuan prices with a dollar median would be meaningless."""
    s = snapshot()
    usd = attrs.evolve(build_context([s]), currency="USD")
    assert price_vs_category_median(s, usd) is None
    assert gmv_percentile_in_category(s, usd) is None


def test_gmv_percentile_is_the_mid_rank() -> None:
    """(below + equal/2) / n: alone 0.5; lowest of four with a tie; top of four."""
    gmvs = ["0", "100", "100", "900"]
    batch = [snapshot(f"s{i}", gmv_30d=Money.of(g)) for i, g in enumerate(gmvs)]
    context = build_context(batch)
    assert [gmv_percentile_in_category(s, context) for s in batch] == [
        D("0.125000"),
        D("0.500000"),
        D("0.500000"),
        D("0.875000"),
    ]
    alone = snapshot(gmv_30d=Money.of("5"))
    assert gmv_percentile_in_category(alone, build_context([alone])) == D("0.500000")
    outsider = snapshot("x", gmv_30d=Money.of("1000000"))
    assert gmv_percentile_in_category(outsider, context) == D("1.000000")
    assert gmv_percentile_in_category(snapshot("y", category_id=CategoryId("c-other")), context) is None


def test_sales_growth_is_undefined_without_previous_sales() -> None:
    """Growth compares units; from zero it is None, to zero it is -1."""
    assert sales_growth(snapshot(units_30d=150, units_prev_30d=100), EMPTY) == D("0.500000")
    assert sales_growth(snapshot(units_30d=0, units_prev_30d=3), EMPTY) == D("-1.000000")
    assert sales_growth(snapshot(units_30d=1, units_prev_30d=3), EMPTY) == D("-0.666667")
    assert sales_growth(snapshot(units_30d=9, units_prev_30d=0), EMPTY) is None


def test_days_in_pool_and_lowest_sub_score() -> None:
    """Two derived conveniences."""
    s = snapshot(joined_at=T - timedelta(days=14, hours=3), goods_score=D("4.9"), logistics_score=D("4.2"))
    assert days_in_pool(s, EMPTY) == D(14)
    assert lowest_sub_score(s, EMPTY) == D("4.2")
    assert lowest_sub_score(snapshot(), EMPTY) is None


@given(s=scoring_snapshots(), context=scoring_contexts())
def test_every_builtin_metric_is_on_its_grid(s: SkuSnapshot, context: ScoringContext) -> None:
    """measure() gives the value and exactly value x 10**places as an int."""
    for metric in metrics():
        measured = metric.measure(s, context)
        value = metric(s, context)
        if measured is None:
            assert value is None
            continue
        assert measured[0] == value
        assert D(measured[1]).scaleb(-metric.places) == value


@given(s=scoring_snapshots(), context=scoring_contexts())
def test_ratio_metrics_are_the_exact_ratio_rounded_once(s: SkuSnapshot, context: ScoringContext) -> None:
    """Each derived ratio is within half a grid unit of the exact quotient."""
    half = D("0.0000005")
    lowest = s.lowest_price_30d
    value = price_vs_lowest_30d(s, context)
    if lowest is not None and lowest.fen:
        assert value is not None
        assert abs(value - D(s.price.fen) / D(lowest.fen)) <= half
    bench = context.benchmark_for(s)
    value = price_vs_category_median(s, context)
    if bench is not None and bench.price_median:
        assert value is not None
        assert abs(value - D(s.price.fen) / 100 / bench.price_median) <= half


def test_a_registered_metric_can_be_named_in_a_scorecard(temporary_metric: str) -> None:
    """Adding a signal: register the metric, then write a rule for it."""
    rule = MetricRule(temporary_metric, [(0, 0), (100, 100)])
    score = ScorecardScorer(Dimension.SALES, Scorecard([rule])).score(snapshot(units_30d=20), EMPTY)
    assert score.value == D("40.00")


def test_registering_refuses_taken_and_builtin_names(temporary_metric: str) -> None:
    """Names are unique; built-ins cannot be replaced or removed."""
    with pytest.raises(PolicyError, match="is already registered"):
        register_metric(temporary_metric, lambda s, c: None, places=0, unit="x", description="x")
    register_metric(temporary_metric, lambda s, c: D(1), places=0, unit="x", description="x", replace=True)
    with pytest.raises(PolicyError, match="is a built-in metric and cannot be replaced"):
        register_metric("refund_rate", lambda s, c: None, places=0, unit="x", description="x")
    with pytest.raises(PolicyError, match="is a built-in metric"):
        unregister_metric("refund_rate")
    with pytest.raises(PolicyError, match="is not a registered metric"):
        unregister_metric("never_registered")


@pytest.mark.parametrize(
    ("name", "match"),
    [("Bad-Name", "must be 1-64 lowercase"), ("caps", "is reserved"), ("", "must be 1-64"), ("ok\n", "must be 1-64")],
)
def test_malformed_metric_names_are_refused(name: str, match: str) -> None:
    """Metric names must be usable as TOML keys and not collide with scorecard settings."""
    with pytest.raises(InvalidValueError, match=match):
        register_metric(name, lambda s, c: None, places=0, unit="x", description="x")


def test_a_custom_metric_off_its_grid_is_rounded_onto_it() -> None:
    """A plug-in metric's value is rounded half to even to its declared places."""
    register_metric("test_third", lambda s, c: D(1) / D(3), places=2, unit="x", description="a third")
    try:
        assert get_metric("test_third")(snapshot(), EMPTY) == D("0.33")
        assert get_metric("test_third").measure(snapshot(), EMPTY) == (D("0.33"), 33)
    finally:
        unregister_metric("test_third")


@pytest.mark.parametrize(
    ("function", "match"),
    [
        (lambda s, c: 0.5, r"plug-in 'metric test_bad' on 'a': returned 0.5, not a finite Decimal or None"),
        (lambda s, c: 1 / 0, r"plug-in 'metric test_bad' on 'a': raised ZeroDivisionError"),
        (lambda s, c: D("NaN"), r"returned Decimal\('NaN'\)"),
    ],
)
def test_a_broken_custom_metric_gives_a_plugin_error(function: Any, match: str) -> None:
    """Metrics are plug-ins too: errors name the metric and the SKU."""
    register_metric("test_bad", function, places=2, unit="x", description="broken")
    try:
        with pytest.raises(PluginError, match=match):
            get_metric("test_bad")(snapshot("a"), EMPTY)
    finally:
        unregister_metric("test_bad")
