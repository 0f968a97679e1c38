"""SimulationConfig: every behavioural parameter as data, the shipped defaults with their reasoning, checked input."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import attrs
import pytest

from fenxiao.errors import InvalidValueError, ValidationError
from fenxiao.money import Money, Rate
from fenxiao.serialization import dumps, loads
from fenxiao.simulate.config import (
    AdmissionConfig,
    BudgetPlan,
    PlacementConfig,
    SimulationConfig,
    TrafficConfig,
    default_simulation_config,
    ppm_of,
)

TOML = resources.files("fenxiao").joinpath("data/defaults/simulation.toml").read_text(encoding="utf-8")


def test_the_shipped_file_holds_the_documented_defaults() -> None:
    """The file is the classes' defaults, named, with the official-subsidy budget topped up by ¥15,000 a week."""
    expected = SimulationConfig(
        name="default",
        version="2026.11",
        budgets=(BudgetPlan("official-subsidy", Money.of("0.00"), Money.of("15000.00")),),
    )
    assert default_simulation_config() == expected
    assert default_simulation_config() is default_simulation_config()


def test_every_parameter_of_the_file_comes_with_its_reasoning() -> None:
    """Each key of the shipped file has a comment just above it (or above the group it opens)."""
    lines = TOML.splitlines()
    missing = []
    for i, line in enumerate(lines):
        if not re.match(r"^[a-z_]+ = ", line) or line.startswith(("name =", "version =")):
            continue
        j = i - 1
        while j >= 0 and re.match(r"^[a-z_]+ = ", lines[j]):
            j -= 1  # keys written as a pair share one comment
        if j < 0 or not (lines[j].startswith("#") or lines[j].startswith("[")):
            missing.append(line)
        if lines[j].startswith("[") and not lines[j - 1].startswith("#") and lines[j] != "[[budgets]]":
            missing.append(line)
    assert missing == []


@pytest.mark.parametrize("form", ["json", "toml"])
def test_a_config_round_trips_through_the_converter(form: str) -> None:
    """Written and read back, a configuration is equal to itself."""
    config = default_simulation_config()
    assert loads(dumps(config, format=form), SimulationConfig, format=form) == config


def test_a_section_left_out_keeps_its_defaults() -> None:
    """A file naming one value changes only that value."""
    config = loads('weeks = 4\n[traffic]\nconversion = "0.03"\n', SimulationConfig, format="toml")
    assert config.weeks == 4
    assert config.traffic == TrafficConfig(conversion=Rate.of("0.03"))
    assert config.placement == PlacementConfig()


def test_a_float_in_the_file_is_refused_with_its_place() -> None:
    """Shares are exact strings: a float is refused."""
    with pytest.raises(ValidationError, match=r"float"):
        loads("[traffic]\nconversion = 0.02\n", SimulationConfig, format="toml")


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: SimulationConfig(weeks=0), r"SimulationConfig\.weeks"),
        (lambda: SimulationConfig(weeks=521), r"SimulationConfig\.weeks"),
        (lambda: SimulationConfig(platform="jd"), r"SimulationConfig\.platform"),
        (lambda: SimulationConfig(long_tail_influencer="no spaces"), r"SimulationConfig\.long_tail_influencer"),
        (lambda: TrafficConfig(price_floor=Decimal("1.5"), price_ceiling=Decimal("1.2")), r"price_ceiling"),
        (lambda: TrafficConfig(price_floor=Decimal("0.1234567")), r"six decimal places"),
        (lambda: TrafficConfig(cold_start_views=-1), r"TrafficConfig\.cold_start_views"),
        (lambda: PlacementConfig(exponent=5), r"PlacementConfig\.exponent"),
        (lambda: AdmissionConfig(price_low=Decimal(2), price_high=Decimal(1)), r"AdmissionConfig\.price_high"),
        (lambda: AdmissionConfig(applications=Decimal(-1)), r"AdmissionConfig\.applications"),
        (lambda: BudgetPlan("b", Money.of("1.00"), Money.of("1.00", "USD")), r"BudgetPlan\.weekly"),
        (
            lambda: SimulationConfig(budgets=(BudgetPlan("b"), BudgetPlan("b"))),
            r"SimulationConfig\.budgets\[1\]\.name",
        ),
        (lambda: SimulationConfig(budgets=("b",)), r"SimulationConfig\.budgets\[0\]"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(build: object, path: str) -> None:
    """Every check names the field and the bad value."""
    with pytest.raises(InvalidValueError, match=path):
        build()  # type: ignore[operator]


def test_a_budget_plan_carries_its_top_ups() -> None:
    """Week w of a plan holds the initial amount and w weekly top-ups."""
    plan = BudgetPlan("official-subsidy", Money.of("100.00"), Money.of("10.00"))
    assert plan.total_at(0) == Money.of("100.00")
    assert plan.total_at(3) == Money.of("130.00")


def test_ppm_of_reads_rates_and_multipliers_exactly() -> None:
    """A rate's ppm, a six-place multiplier in ppm."""
    assert ppm_of(Rate.of("0.2%")) == 2000
    assert ppm_of(Decimal("1.000001")) == 1_000_001


def test_describe_names_the_configuration() -> None:
    """Reports record a configuration as name@version."""
    assert default_simulation_config().describe() == "default@2026.11"
    assert attrs.evolve(default_simulation_config(), name="lower-l5").describe() == "lower-l5@2026.11"
