"""Scenario modelling: party incomes, grid sweeps, break-even commission and the optional pandas bridge."""

from __future__ import annotations

import sys
from decimal import Decimal
from itertools import pairwise

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Money, Rate
from fenxiao.serialization import dumps, loads
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.scenarios import Scenario, break_even_commission, model, record, sweep, to_pandas
from fenxiao.testing.commission import scenarios

BASE = Scenario(
    price=Money.of("99.90"),
    unit_cost=Money.of("40.00"),
    commission_rate=Rate.of("20%"),
    leader_fee_rate=Rate.of("5%"),
    units=100,
    refund_rate=Rate.of("15%"),
)


def test_a_scenario_scales_one_orders_lines_by_the_units_kept() -> None:
    """100 units, 15% refunded in full: 85 orders earn every party its line (the generic profile's 10% fee)."""
    result = model(BASE, PlatformProfile())
    assert (result.refunded_units, result.kept_units) == (15, 85)
    assert result.gmv == Money.of("9990.00")
    assert result.refunds == Money.of("1498.50")
    assert result.influencer == Money.of("17.99") * 85
    assert result.team_leader == Money.of("4.99") * 85
    assert result.platform_fees == (Money.of("1.99") + Money.of("4.99")) * 85
    assert result.merchant_revenue == Money.of("69.94") * 85
    assert result.merchant_margin == result.merchant_revenue - Money.of("40.00") * 85


def test_refunded_orders_round_half_up_to_whole_orders() -> None:
    """3 units at 50% refunds: 1.5 rounds to 2 refunded orders."""
    result = model(attrs.evolve(BASE, units=3, refund_rate=Rate.of("50%")))
    assert (result.refunded_units, result.kept_units) == (2, 1)


def test_a_loss_shows_as_a_negative_margin() -> None:
    """A unit cost above the merchant's net per unit gives a negative margin."""
    result = model(attrs.evolve(BASE, unit_cost=Money.of("80.00")))
    assert result.merchant_margin.fen < 0


def test_the_subsidy_is_the_platforms_cost_and_the_merchants_income() -> None:
    """A ¥5 subsidy per order raises the merchant's revenue by exactly ¥5 per kept order."""
    with_subsidy = model(attrs.evolve(BASE, subsidy=Money.of("5.00")))
    assert with_subsidy.platform_subsidy == Money.of("425.00")
    assert with_subsidy.merchant_revenue - model(BASE).merchant_revenue == Money.of("425.00")


def test_scenarios_follow_the_profile() -> None:
    """The Kuaishou profile waives the commission fee, so the influencer earns the whole commission."""
    result = model(BASE, PlatformProfile.kuaishou())
    assert result.influencer == Money.of("19.98") * 85
    assert result.platform_fees == Money.of("4.99") * 85


def test_without_a_profile_a_scenario_settles_under_the_one_default() -> None:
    """model, sweep and break_even_commission fall back to PlatformProfile.default() (Kuaishou), as the CLI does."""
    assert model(BASE) == model(BASE, PlatformProfile.default()) == model(BASE, PlatformProfile.kuaishou())
    assert model(BASE) != model(BASE, PlatformProfile())
    (row,) = sweep(BASE, units=[100])
    assert row == record(model(BASE, PlatformProfile.default()))


def test_a_scenario_outside_the_profiles_bounds_is_refused() -> None:
    """An 88% commission beside a 5% leader fee breaks the cap."""
    with pytest.raises(PolicyError, match="cap"):
        model(attrs.evolve(BASE, commission_rate=Rate.of("88%")))


def test_a_scenario_needs_a_price() -> None:
    """A zero price is refused."""
    with pytest.raises(InvalidValueError, match=r"Scenario\.price: must be above zero"):
        Scenario(price=Money.zero(), commission_rate=Rate.of("20%"))


def test_records_are_flat_and_exact() -> None:
    """Money as yuan Decimals, rates as Decimals, counts as ints."""
    row = record(model(BASE, PlatformProfile()))
    assert row["price"] == Decimal("99.90")
    assert row["commission_rate"] == Decimal("0.2")
    assert row["leader_fee_rate"] == Decimal("0.05")
    assert row["mcn_share"] is None
    assert row["kept_units"] == 85
    assert row["influencer"] == Decimal("1529.15")
    assert all(not isinstance(value, float) for value in row.values())


def test_a_sweep_covers_the_grid_in_order() -> None:
    """Three commissions × two refund rates = six records, the last axis varying fastest."""
    rows = sweep(BASE, commission_rate=["10%", "20%", "30%"], refund_rate=[Rate.zero(), Rate.of("50%")])
    assert len(rows) == 6
    assert [(r["commission_rate"], r["refund_rate"]) for r in rows] == [
        (Decimal(c), Decimal(f)) for c in ("0.1", "0.2", "0.3") for f in ("0", "0.5")
    ]
    margins = [r["merchant_margin"] for r in rows if r["refund_rate"] == Decimal(0)]
    assert all(isinstance(m, Decimal) for m in margins)
    assert margins == sorted((m for m in margins if isinstance(m, Decimal)), reverse=True)


def test_a_sweep_reads_amounts_as_text() -> None:
    """Prices may be given as yuan strings."""
    rows = sweep(BASE, price=["59.90", "99.90"])
    assert [r["price"] for r in rows] == [Decimal("59.90"), Decimal("99.90")]


def test_a_sweep_over_an_unknown_field_is_refused() -> None:
    """The axis must name a Scenario field."""
    with pytest.raises(InvalidValueError, match=r"sweep\.colour: is not a Scenario field"):
        sweep(BASE, colour=["red"])


def test_break_even_is_the_highest_rate_keeping_the_margin_at_the_target() -> None:
    """At the answer the margin meets the target; one grid step above it does not."""
    target = Money.of("3000.00")
    rate = break_even_commission(BASE, target_margin=target)
    assert rate == Rate.of("14.64%")
    assert model(attrs.evolve(BASE, commission_rate=rate)).merchant_margin >= target
    above = Rate.from_ppm(rate.ppm + 100)
    assert model(attrs.evolve(BASE, commission_rate=above)).merchant_margin < target


def test_break_even_is_none_when_even_no_commission_misses_the_target() -> None:
    """A target above the margin at 0% cannot be met."""
    assert break_even_commission(BASE, target_margin=Money.of("1000000.00")) is None


def test_break_even_stops_at_the_profiles_highest_allowed_rate() -> None:
    """With a negative target every rate works; the answer is the top of the range beside the leader fee."""
    assert break_even_commission(BASE, target_margin=Money.of("-1000000.00")) == Rate.of("84.99%")
    no_leader = attrs.evolve(BASE, leader_fee_rate=None)
    assert break_even_commission(no_leader, target_margin=Money.of("-1000000.00")) == Rate.of("90%")


def test_break_even_honours_the_resolution() -> None:
    """On a one-percent grid the answer is a whole percent."""
    assert break_even_commission(BASE, target_margin=Money.of("3000.00"), resolution=Rate.of("1%")) == Rate.of("14%")


def test_to_pandas_names_the_extra_when_pandas_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas the error is an ImportError naming fenxiao[pandas]."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'fenxiao\[pandas\]'"):
        to_pandas(sweep(BASE, units=[10]))


def test_to_pandas_builds_a_dataframe_when_pandas_is_installed() -> None:
    """One row per record, exact values kept."""
    pd = pytest.importorskip("pandas")
    frame = to_pandas(sweep(BASE, units=[10, 20]))
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["units"]) == [10, 20]


@given(scenario=scenarios(), rates=st.lists(st.integers(0, 850_000), min_size=2, max_size=4))
def test_the_merchants_margin_never_rises_with_the_commission(scenario: Scenario, rates: list[int]) -> None:
    """Sorted commission rates give non-increasing merchant margins and non-decreasing influencer income."""
    fee = scenario.leader_fee_rate.ppm if scenario.leader_fee_rate else 0
    usable = sorted(r for r in rates if r + fee < 900_000)
    results = [model(attrs.evolve(scenario, commission_rate=Rate.from_ppm(r))) for r in usable]
    for low, high in pairwise(results):
        assert high.merchant_margin <= low.merchant_margin
        assert high.influencer >= low.influencer


@given(scenario=scenarios())
def test_break_even_is_exact_on_its_grid(scenario: Scenario) -> None:
    """The answer meets the target and the next grid rate (if allowed) misses it."""
    target = model(attrs.evolve(scenario, commission_rate=Rate.of("20%"))).merchant_margin
    rate = break_even_commission(scenario, target_margin=target)
    assert rate is not None
    assert rate >= Rate.of("20%")
    assert model(attrs.evolve(scenario, commission_rate=rate)).merchant_margin >= target
    try:
        higher = model(attrs.evolve(scenario, commission_rate=Rate.from_ppm(rate.ppm + 100)))
    except PolicyError:
        return  # the next grid rate is outside the profile's bounds: the answer is the top of the range
    assert higher.merchant_margin < target


@given(scenario=scenarios())
def test_scenarios_round_trip_through_the_converter(scenario: Scenario) -> None:
    """A scenario survives JSON exactly (notebooks can save their inputs)."""
    assert loads(dumps(scenario), Scenario) == scenario
