"""The ``simulate`` command: seasons on many seeds, one configuration or two, as a table or JSON."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from functools import cache
from pathlib import Path

import attrs
import jsonschema
import pytest

import fenxiao
from fenxiao.cli.simulate import DEMO_SEED, DEMO_WEEKS, GROUP, arm_from_file, demo_section, simulation_schema
from fenxiao.domain.catalog import Catalog
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog
from fenxiao.grading.tiers import default_tier_policy
from fenxiao.periods.models import Models
from fenxiao.rules.language import All, Compare
from fenxiao.sample import generate_catalog
from fenxiao.serialization import dumps
from fenxiao.simulate.config import default_simulation_config
from fenxiao.simulate.experiment import Arm
from fenxiao.simulate.results import MEASURES
from fenxiao.simulate.season import run_season

from . import running


def run(argv: list[str]) -> tuple[int, str]:
    return running.run(argv, GROUP)


@cache
def _catalog_text() -> str:
    return dumps(generate_catalog(seed=24, skus=40))


@pytest.fixture
def catalog(tmp_path: Path) -> str:
    path = tmp_path / "catalog.json"
    path.write_text(_catalog_text(), encoding="utf-8")
    return str(path)


def _lower_l5() -> str:
    policy = default_tier_policy()

    def loosen(condition: object) -> object:
        if isinstance(condition, Compare) and condition.input == "composite":
            return attrs.evolve(condition, value=Decimal(85))
        return condition

    rules = tuple(
        attrs.evolve(r, when=All(tuple(loosen(c) for c in r.when.conditions)))  # type: ignore[union-attr]
        if r.name == "selected-goods"
        else r
        for r in policy.rules
    )
    return dumps(attrs.evolve(policy, rules=rules, name="lower-l5"), format="toml")


def test_one_configuration_prints_a_band_per_measure(catalog: str) -> None:
    """Every measure with its mean and 95% band; money in yuan."""
    status, text = run(["simulate", catalog, "--weeks", "1", "--seeds", "2"])
    assert status == 0
    assert "2 seasons of 1 weeks over" in text
    assert "(40 SKUs), seeds 0-1" in text
    for label in ("gmv (¥)", "top_share (%)", "l5_skus"):
        assert label in text


def test_against_a_policy_prints_both_and_the_difference(catalog: str, tmp_path: Path) -> None:
    """A tier policy file replaces the policy of the second configuration; named after its file."""
    policy = tmp_path / "lower-l5.toml"
    policy.write_text(_lower_l5(), encoding="utf-8")
    status, text = run(["simulate", catalog, "--weeks", "1", "--seeds", "2", "--against", str(policy)])
    assert status == 0
    assert "lower-l5 - base" in text


def test_json_prints_the_experiment(catalog: str) -> None:
    """--json writes the experiment: every comparison and every seed's measures."""
    status, text = run(["simulate", catalog, "--weeks", "1", "--seeds", "1", "--first-seed", "7", "--json"])
    assert status == 0
    data = json.loads(text)
    assert data["seeds"] == [7]
    assert [c["measure"] for c in data["comparisons"]] == list(MEASURES)
    assert data["runs"][0]["seed"] == 7


def test_both_paths_print_the_same_experiment(catalog: str) -> None:
    """--path object and --path columnar give the same numbers."""
    argv = ["simulate", catalog, "--weeks", "1", "--seeds", "2", "--json"]
    assert run([*argv, "--path", "object"]) == run([*argv, "--path", "columnar"])


def test_the_kind_of_an_against_file_is_read_from_its_keys(tmp_path: Path) -> None:
    """A perk catalog, a models file and a simulation file each replace their part."""
    base = Arm("base")
    perks = tmp_path / "perks.toml"
    perks.write_text(dumps(PerkCatalog(entries=(), name="none"), format="toml"), encoding="utf-8")
    assert arm_from_file(str(perks), base).models.perks.name == "none"
    models = tmp_path / "models.json"
    models.write_text(dumps(Models()), encoding="utf-8")
    assert arm_from_file(str(models), base).models == Models()
    simulation = tmp_path / "season.toml"
    simulation.write_text("weeks = 3\n[placement]\npicks = 0\n", encoding="utf-8")
    arm = arm_from_file(str(simulation), base)
    assert (arm.name, arm.config.weeks, arm.config.placement.picks) == ("season", 3, 0)
    assert arm.config.traffic == default_simulation_config().traffic


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--weeks", "0"], "--weeks"),
        (["--seeds", "many"], "--seeds"),
        (["--first-seed", "-1"], "--first-seed"),
        (["--against", "missing.toml"], "--against"),
    ],
)
def test_bad_options_are_one_line_with_status_2(
    catalog: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input is reported on stderr, naming the option."""
    status, text = run(["simulate", catalog, *argv])
    assert status == 2
    assert text == ""
    assert message in capsys.readouterr().err


def test_an_against_file_of_no_known_kind_is_refused(
    catalog: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table that is none of the four kinds is named as such."""
    other = tmp_path / "other.toml"
    other.write_text('colour = "blue"\n', encoding="utf-8")
    status, _ = run(["simulate", catalog, "--seeds", "1", "--weeks", "1", "--against", str(other)])
    assert status == 2
    assert "neither a tier policy" in capsys.readouterr().err


def test_a_budgets_file_fixes_the_seasons_budgets(catalog: str, tmp_path: Path) -> None:
    """--budgets (and --against a budgets file) grant from the file's budgets, fixed: the weekly top-ups are set
    aside, so a season spends at most the file's total."""
    budgets = tmp_path / "small.toml"
    budgets.write_text('name = "small"\n\n[[budgets]]\nname = "official-subsidy"\ntotal = "100.00"\n', encoding="utf-8")
    arm = arm_from_file(str(budgets), Arm("base"))
    assert (arm.name, arm.config.budgets) == ("small", ())
    assert [(b.name, b.total.fen) for b in arm.models.budgets] == [("official-subsidy", 10_000)]
    status, text = run(["simulate", catalog, "--weeks", "1", "--seeds", "1", "--budgets", str(budgets), "--json"])
    assert status == 0
    (subsidy,) = [c for c in json.loads(text)["comparisons"] if c["measure"] == "subsidy_fen"]
    assert Decimal(subsidy["base"]["high"]) <= 10_000


# -- the demo section ------------------------------------------------------------------------------------------


def test_the_demo_section_is_a_short_season_with_its_burn_and_a_goal() -> None:
    """Three weeks of the catalog on seed 1: a row per week with the tier mix, the burn as the book has it, a goal."""
    small = generate_catalog(seed=24, skus=40)
    text = demo_section(small)
    season = run_season(small, seed=DEMO_SEED, weeks=DEMO_WEEKS)
    lines = text.splitlines()
    assert lines[0].startswith(f"A season, week by week (python -m fenxiao simulate): {DEMO_WEEKS} weeks")
    for week in season.weeks:
        row = next(line.split() for line in lines if line.split()[:1] == [str(week.week)])
        assert row[1] == f"{week.units:,}"
        assert row[-6:] == [str(week.tiers[t.value]) for t in Tier]
    burn = season.state.budgets.spent("official-subsidy")
    assert f"= {burn.format(grouping=True)}," in text
    assert "Goal million-unit-skus: 0 / 10,000" in text


def test_the_demo_section_of_a_catalog_without_goods_says_it_is_skipped() -> None:
    """A catalog the season cannot run on gives one line, not a traceback (the other sections still print)."""
    empty = Catalog(categories=(), brands=(), merchants=(), skus=(), influencers=(), team_leaders=(), listings=())
    assert demo_section(empty).startswith("The season is skipped: ")


def test_the_schema_of_a_simulation_file_accepts_the_default_and_names_each_parameter() -> None:
    """--schema prints a JSON Schema that the shipped simulation.toml meets and a misspelt section breaks."""
    status, text = run(["simulate", "--schema"])
    assert status == 0
    schema = json.loads(text)
    assert schema == simulation_schema()
    validator = jsonschema.Draft202012Validator(schema)
    shipped = tomllib.loads(
        (Path(fenxiao.__file__).parent / "data" / "defaults" / "simulation.toml").read_text(encoding="utf-8")
    )
    assert list(validator.iter_errors(shipped)) == []
    assert list(validator.iter_errors({**shipped, "weeks": "twelve"}))
    assert {"traffic", "placement", "service", "admission", "budgets"} <= set(schema["properties"])
