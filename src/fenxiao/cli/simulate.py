"""The simulate group: ``python -m fenxiao simulate``, seasons of the program on many seeds, one or two configurations.

``python -m fenxiao simulate [--catalog FILE] --weeks 12 --seeds 20`` runs a season of the built-in sample (or FILE) on
each seed and prints every measure's mean with its 95% band over the seeds. ``--against CONFIG`` runs a second
configuration on the same seeds and prints both and their difference. CONFIG is a tier policy, a perk catalog, a
models file, a budgets file or a simulation file (``simulation.toml``'s shape); which one is read from its keys, and it
replaces that part of the base configuration (``--config``, ``--models``, ``--scorecards``, ``--policy``, ``--perks``,
``--budgets``).
A budgets file's budgets are fixed for the season: they set aside the simulation file's weekly top-ups. ``--json``
prints the whole experiment, every seed's measures included; ``--schema`` prints the JSON Schema of a simulation file
(for editors). Seasons run on columns when NumPy is installed (``--path`` chooses): the numbers are the object path's.

The demo section runs a short season of the demo's catalog (three weeks, seed 1, the default parameters): GMV and
the tier mix week by week, the subsidy budget's burn (granted less what refunds gave back) and one program goal.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path
from typing import Any, Final, TextIO, TypeVar

import attrs

from fenxiao._internal.reading import TooLarge, read_capped
from fenxiao.authoring.schemas import build_schema
from fenxiao.cli.common import (
    add_catalog_option,
    catalog_path,
    demo_models,
    load_catalog,
    option_value,
    render_table,
    write_json,
)
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import FenxiaoError, InvalidValueError, ValidationError
from fenxiao.grading.budget_sets import SubsidyBudgets
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog
from fenxiao.grading.tiers import TierPolicy
from fenxiao.money import Money
from fenxiao.periods.models import Models
from fenxiao.scoring.scorecards import Scorecards
from fenxiao.serialization import MAX_DOCUMENT_BYTES, load, to_dict
from fenxiao.simulate.config import MAX_WEEKS, SimulationConfig, default_simulation_config
from fenxiao.simulate.experiment import MAX_SEEDS, Arm, Band, Experiment, run_experiment
from fenxiao.simulate.season import run_season

__all__ = ["DEMO_SEED", "DEMO_WEEKS", "GROUP", "arm_from_file", "demo_section", "register", "simulation_schema"]

T = TypeVar("T")

_MODEL_KEYS = frozenset({"scorecards", "policy", "perks", "budgets"})
_BUDGETS_KEYS = frozenset(f.name for f in attrs.fields(SubsidyBudgets))
_SIMULATION_KEYS = frozenset(f.name for f in attrs.fields(SimulationConfig))


def _load_file(path: str, cls: type[T], what: str) -> T:
    try:
        return load(Path(path), cls)
    except ValidationError as exc:
        raise ValidationError(exc.errors, what=f"{what} {path}") from exc


def _keys(path: str) -> frozenset[str]:
    return frozenset(_document(path))


def _document(path: str) -> dict[str, object]:
    file = Path(path)
    try:
        text = read_capped(file, MAX_DOCUMENT_BYTES).decode("utf-8")  # the cap on the stream: stat() lies
    except TooLarge:
        raise InvalidValueError("--against", path, f"is larger than {MAX_DOCUMENT_BYTES} bytes") from None
    except OSError as exc:
        raise InvalidValueError("--against", path, f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InvalidValueError("--against", path, "is not UTF-8 text") from None
    try:
        data = tomllib.loads(text) if file.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidValueError("--against", path, f"is not a TOML or JSON document ({exc})") from None
    if not isinstance(data, dict):
        raise InvalidValueError("--against", path, "must hold a table")
    return data


def _holds_budgets(data: dict[str, object]) -> bool:
    """Whether *data* is a budgets file: its ``budgets`` have a ``total`` (a simulation file's plan a ``weekly``)."""
    rows = data.get("budgets")
    return (
        set(data) <= _BUDGETS_KEYS
        and isinstance(rows, list)
        and any(isinstance(row, dict) and "total" in row for row in rows)
    )


def _with_budgets(arm: Arm, budgets: SubsidyBudgets) -> Arm:
    """*arm* granting from *budgets*, fixed for the season (the simulation file's weekly plans set aside)."""
    return attrs.evolve(
        arm, models=attrs.evolve(arm.models, budgets=budgets.budgets), config=attrs.evolve(arm.config, budgets=())
    )


def arm_from_file(path: str, base: Arm) -> Arm:
    """The arm *base* with the part *path* holds replaced: a tier policy, a perk catalog, models or simulation.

    Raises:
        InvalidValueError: The file cannot be read, or is none of those (its keys say which it is).
        ValidationError: The file is of that kind but invalid (every problem, named).
    """
    data = _document(path)
    keys = frozenset(data)
    name = Path(path).stem
    if "rules" in keys:
        policy = _load_file(path, TierPolicy, "tier policy")
        return attrs.evolve(base, name=name, models=attrs.evolve(base.models, policy=policy))
    if "entries" in keys:
        perks = _load_file(path, PerkCatalog, "perk catalog")
        return attrs.evolve(base, name=name, models=attrs.evolve(base.models, perks=perks))
    if keys and keys <= _MODEL_KEYS:
        return attrs.evolve(base, name=name, models=_load_file(path, Models, "models"))
    if _holds_budgets(data):
        return attrs.evolve(_with_budgets(base, _load_file(path, SubsidyBudgets, "budgets")), name=name)
    if keys and keys <= _SIMULATION_KEYS:
        return attrs.evolve(base, name=name, config=_load_file(path, SimulationConfig, "simulation"))
    raise InvalidValueError(
        "--against",
        path,
        "is neither a tier policy, a perk catalog, a models file, a budgets file nor a simulation file",
    )


def _base(args: argparse.Namespace) -> Arm:
    config = (
        default_simulation_config() if args.config is None else _load_file(args.config, SimulationConfig, "simulation")
    )
    models = Models() if args.models is None else _load_file(args.models, Models, "models")
    if args.scorecards is not None:
        models = attrs.evolve(models, scorecards=_load_file(args.scorecards, Scorecards, "scorecards"))
    if args.policy is not None:
        models = attrs.evolve(models, policy=_load_file(args.policy, TierPolicy, "tier policy"))
    if args.perks is not None:
        models = attrs.evolve(models, perks=_load_file(args.perks, PerkCatalog, "perk catalog"))
    arm = Arm("base", models=models, config=config)
    if args.budgets is not None:
        arm = _with_budgets(arm, _load_file(args.budgets, SubsidyBudgets, "budgets"))
    return arm


def _whole(text: str, option: str, low: int, high: int) -> int:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise InvalidValueError(option, value, "is not a whole number") from None
        if not low <= number <= high:
            raise InvalidValueError(option, value, f"must be between {low} and {high:,}")
        return number

    return option_value(parse, text, option)


def _label(measure: str, unit: str) -> str:
    if unit == "fen":
        return f"{measure.removesuffix('_fen')} (¥)"
    if unit == "ppm":
        return f"{measure.removesuffix('_ppm')} (%)"
    return measure


def _cell(band: Band | None, unit: str) -> str:
    if band is None:
        return "-"
    scale = {"fen": 100, "ppm": 10_000}.get(unit, 1)  # money reads in yuan, shares in percent
    mean, low, high = (x / scale for x in (band.mean, band.low, band.high))
    return f"{mean:,.2f} [{low:,.2f}, {high:,.2f}]"


def _summary(experiment: Experiment, catalog_name: str, skus: int, platforms: str) -> str:
    seeds = experiment.seeds
    head = (
        f"{len(seeds)} seasons of {experiment.weeks} weeks over {catalog_name} ({skus} SKUs), seeds {seeds[0]}"
        f"{f'-{seeds[-1]}' if len(seeds) > 1 else ''}, profile {platforms}: mean [95% band over seeds]"
    )
    if experiment.other:
        rows: list[list[object]] = [
            [_label(c.measure, c.unit), _cell(c.base, c.unit), _cell(c.other, c.unit), _cell(c.difference, c.unit)]
            for c in experiment.comparisons
        ]
        headers = ["measure", experiment.base, experiment.other, f"{experiment.other} - {experiment.base}"]
        table = render_table(headers, rows, align="lrrr")
    else:
        rows = [[_label(c.measure, c.unit), _cell(c.base, c.unit)] for c in experiment.comparisons]
        table = render_table(["measure", experiment.base], rows, align="lr")
    return f"{head}\n\n{table}"


def simulation_schema() -> dict[str, Any]:
    """The JSON Schema of a simulation file (``simulation.toml``'s shape: every parameter, with its doc)."""
    return build_schema(
        SimulationConfig,
        title="fenxiao simulation",
        description="The behavioural parameters of a season (fenxiao.simulate.SimulationConfig); a key left out "
        "keeps its default (fenxiao/data/defaults/simulation.toml, with the reasoning behind each).",
    )


def _cmd_simulate(args: argparse.Namespace, out: TextIO) -> int:
    if args.schema:
        out.write(json.dumps(simulation_schema(), ensure_ascii=False, indent=2) + "\n")
        return 0
    catalog = load_catalog(catalog_path(args))
    weeks = _whole(args.weeks, "--weeks", 1, MAX_WEEKS)
    count = _whole(args.seeds, "--seeds", 1, MAX_SEEDS)
    first = _whole(args.first_seed, "--first-seed", 0, 2**63)
    base = _base(args)
    other = arm_from_file(args.against, base) if args.against is not None else None
    path = args.path if args.path is not None else _default_path()
    experiment = run_experiment(catalog, base, other, seeds=range(first, first + count), weeks=weeks, path=path)
    if args.json:
        write_json(out, to_dict(experiment))
    else:
        platforms = base.config.platform
        if other is not None and other.config.platform != platforms:
            platforms = f"{platforms} / {other.config.platform}"
        out.write(_summary(experiment, catalog_path(args) or "the sample catalog", len(catalog.skus), platforms) + "\n")
    return 0


def _default_path() -> str:
    """The columnar path when NumPy is installed (the same numbers, faster), else the object path."""
    try:
        import numpy  # noqa: F401, PLC0415 - only asks whether the columnar extra is there
    except ImportError:
        return "object"
    return "columnar"


#: The demo's season: how many weeks, on which seed.
DEMO_WEEKS: Final = 3
DEMO_SEED: Final = 1
_DEMO_GOAL: Final = "million-unit-skus"


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "-"


def demo_section(catalog: Catalog) -> str:
    """The demo's season: a few weeks of *catalog* on one seed; GMV, tier mix, budget burn and one goal."""
    config = default_simulation_config()
    try:
        season = run_season(catalog, seed=DEMO_SEED, weeks=DEMO_WEEKS, config=config, models=demo_models().models)
    except FenxiaoError as exc:
        return f"The season is skipped: {exc}"
    tiers = [t.value for t in Tier]
    rows: list[list[object]] = [
        [
            w.week,
            f"{w.units:,}",
            w.gmv.format(grouping=True),
            w.subsidy.format(grouping=True),
            w.subsidy_returned.format(grouping=True),
            *(w.tiers[t] for t in tiers),
        ]
        for w in season.weeks
    ]
    table = render_table(["week", "units", "GMV", "subsidy", "given back", *tiers], rows, align="rrrrr" + "r" * 6)
    gmv = sum(w.gmv.fen for w in season.weeks)
    top = season.flywheel.top_share
    granted = sum(w.subsidy.fen for w in season.weeks)
    returned = sum(w.subsidy_returned.fen for w in season.weeks)
    budget = sum(plan.total_at(DEMO_WEEKS).fen for plan in config.budgets)
    burn = granted - returned
    lines = [
        f"A season, week by week (python -m fenxiao simulate): {DEMO_WEEKS} weeks of this catalog, seed {DEMO_SEED}",
        "",
        table,
        "",
        f"GMV {Money(gmv).format(grouping=True)}, {top * 100:.1f}% of it sold at L4-L5; "
        f"{season.flywheel.reached_l3} of the {season.flywheel.cohort} SKUs that began at L0 reached L3.",
        f"Budget burn: {Money(granted).format(grouping=True)} granted less {Money(returned).format(grouping=True)} "
        f"given back by refunds = {Money(burn).format(grouping=True)}, {_percent(burn, budget)} of the "
        f"{Money(budget).format(grouping=True)} the budgets received.",
    ]
    goal = next((g for g in season.goals if g.goal.name == _DEMO_GOAL), None)
    if goal is not None:
        leader = f"; the leading SKU, {goal.leading[0][0]}, sold {goal.leading[0][1]:,}" if goal.leading else ""
        lines.append(f"Goal {goal} ({goal.goal}){leader}.")
    return "\n".join(lines)


def register(sub: Subparsers) -> None:
    """Add the ``simulate`` command."""
    simulate = add_command(
        sub,
        "simulate",
        help="simulate seasons of the program on many seeds; compare two configurations",
        example=[
            "python -m fenxiao simulate --weeks 12 --seeds 20",
            "python -m fenxiao simulate --weeks 12 --seeds 20 --against lower-l5.toml --json",
        ],
    )
    add_catalog_option(simulate)
    simulate.add_argument("--weeks", default="12", help="weeks in a season (default 12)")
    simulate.add_argument("--seeds", default="20", help="how many seeds, one season each (default 20)")
    simulate.add_argument("--first-seed", default="0", help="the first seed (default 0)")
    simulate.add_argument("--config", help="a simulation file (behavioural parameters, budgets; .toml/.json)")
    simulate.add_argument("--models", help="a models file (scorecards, policy, perks, budgets)")
    simulate.add_argument("--scorecards", help="a scorecards file, replacing the models' scorecards")
    simulate.add_argument("--policy", help="a tier policy file, replacing the models' policy")
    simulate.add_argument("--perks", help="a perk catalog file, replacing the models' perk catalog")
    simulate.add_argument(
        "--budgets", help="a budgets file: the season's subsidy budgets, fixed (instead of the weekly top-ups)"
    )
    simulate.add_argument(
        "--against", help="a second configuration: a tier policy, perk catalog, models, budgets or simulation file"
    )
    simulate.add_argument(
        "--path",
        choices=("object", "columnar"),
        help="run seasons on objects or on columns (the same numbers); columnar when NumPy is installed",
    )
    simulate.add_argument("--json", action="store_true", help="print the whole experiment as JSON")
    simulate.add_argument(
        "--schema", action="store_true", help="print the JSON Schema of a simulation file (--config) and exit"
    )
    simulate.set_defaults(func=_cmd_simulate)


#: The simulate command group.
GROUP = CommandGroup("simulate", register, demo_section)
