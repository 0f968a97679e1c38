"""``python -m fenxiao export``, ``inputs`` and ``plugins``: starting files that load back, what an installation
knows."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from fenxiao.cli.export import EXPORTS, GROUP, export_text
from fenxiao.domain.catalog import Catalog
from fenxiao.grading.budget_sets import default_budgets
from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.perks import default_perk_catalog, perk_kinds
from fenxiao.grading.tiers import default_tier_policy
from fenxiao.market.admission import default_admission_policy
from fenxiao.sample import load_sample
from fenxiao.scoring.dimensions import Dimension, DimensionScore
from fenxiao.scoring.registry import default_registry
from fenxiao.scoring.scorecards import default_scorecards
from fenxiao.serialization import load, loads
from fenxiao.settlement.profiles import PRESETS, PlatformProfile
from fenxiao.simulate.config import SimulationConfig, default_simulation_config

from . import running

GROUPS = (GROUP,)

DEFAULTS: dict[str, Any] = {
    "policy": default_tier_policy(),
    "scorecards": default_scorecards(),
    "perks": default_perk_catalog(),
    "admission": default_admission_policy(),
    "profile": PlatformProfile(),
    "budgets": default_budgets(),
    "simulation": default_simulation_config(),
}


def run(*argv: str) -> tuple[int, str]:
    return running.run(argv, *GROUPS)


@pytest.mark.parametrize("kind", [*DEFAULTS, "sample"])
@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_every_export_loads_back_as_the_default_it_prints(kind: str, fmt: str) -> None:
    """Each kind, in TOML and in JSON, is a file that loads as its class and equals the default."""
    status, text = run("export", kind, "--format", fmt)
    assert status == 0
    cls = SimulationConfig if kind == "simulation" else EXPORTS[kind].cls
    value = loads(text, cls, format=fmt)
    expected = load_sample() if kind == "sample" else DEFAULTS[kind]
    assert value == expected
    assert isinstance(value, Catalog) == (kind == "sample")


def test_toml_is_the_shipped_file_with_its_comments() -> None:
    """A rule file exports as shipped, comments included: the best file to start from."""
    text = export_text("policy")
    assert text.startswith("# fenxiao's default tier policy")


@pytest.mark.parametrize("preset", PRESETS)
def test_every_platform_preset_exports(preset: str) -> None:
    """``export profile --preset NAME`` is the preset, loadable and named."""
    status, text = run("export", "profile", "--preset", preset, "--format", "json")
    assert status == 0
    assert loads(text, PlatformProfile, format="json") == PlatformProfile.preset(preset)


def test_output_writes_a_file_that_loads_and_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """--output writes the file (its suffix picks the format); an existing file needs --force."""
    target = tmp_path / "mine.json"
    status, text = run("export", "perks", "--output", str(target))
    assert (status, text) == (0, f"wrote perks (json) to {target}\n")
    assert load(target, type(default_perk_catalog())) == default_perk_catalog()
    status, _ = run("export", "perks", "--output", str(target))
    assert status == 2
    target.write_text("mine", encoding="utf-8")
    assert run("export", "perks", "--output", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8") != "mine"
    assert run("export", "perks", "--output", str(tmp_path / "no" / "such.toml"))[0] == 2


def test_an_unknown_kind_is_a_usage_error() -> None:
    """argparse refuses a kind that does not exist, naming the choices (exit 2)."""
    assert run("export", "polcy")[0] == 2


def test_inputs_lists_every_tier_input_with_its_range() -> None:
    """``inputs --json``: one object per input of TIER_INPUTS, in order, with its declared facts."""
    status, text = run("inputs", "--json")
    assert status == 0
    rows = json.loads(text)
    assert [r["name"] for r in rows] == list(TIER_INPUTS.inputs)
    units = next(r for r in rows if r["name"] == "units_30d")
    assert (units["integer"], units["low"], units["better"]) == (True, "0", "higher")
    status, table = run("inputs")
    assert status == 0
    assert "composite" in table


class _FlatService:
    name = "test.flat-service"
    dimension = Dimension.SERVICE

    def score(self, snapshot: object, context: object) -> DimensionScore:
        return DimensionScore(Dimension.SERVICE, 50)


def test_plugins_lists_scorers_by_origin_metrics_and_perk_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Built-in scorers, one registered in code and one found through the entry-point group each show their
    origin; every metric and perk kind is listed."""
    registry = default_registry()
    registry.register("test.flat-service", _FlatService())
    entry = metadata.EntryPoint(name="test.entry", value="tests.cli.test_export:_FlatService", group="fenxiao.scorers")
    monkeypatch.setattr(metadata, "entry_points", lambda group: [entry] if group == entry.group else [])
    try:
        status, text = run("plugins", "--json")
    finally:
        registry.unregister("test.flat-service")
        if "test.entry" in registry:
            registry.unregister("test.entry")
    assert status == 0
    found = json.loads(text)
    origins = {s["name"]: (s["source"], s["dimension"]) for s in found["scorers"]}
    assert origins["default.service"] == ("built in", "service")
    assert origins["test.flat-service"] == ("registered", "service")
    assert origins["test.entry"] == ("entry point", "service")
    assert {"refund_rate", "units_30d"} <= {m["name"] for m in found["metrics"]}
    assert [k["name"] for k in found["perk_kinds"]] == list(perk_kinds())
    assert {"traffic_boost", "badge", "subsidy", "influencer_preferred", "access"} <= set(perk_kinds())
