"""The export group: the defaults as starting files, the inputs a tier rule may read, the installed plug-ins.

``python -m fenxiao export KIND [--format toml|json] [--json] [--preset NAME] [--output FILE [--force]]`` prints a
shipped default as a file to start your own from: ``policy``, ``scorecards``, ``perks``, ``admission``,
``profile`` (one of the platform presets), ``budgets``, ``simulation`` and ``sample`` (the built-in catalog). TOML
is the shipped file itself, comments and all; JSON is the same value written by the converter. Either loads back
with :func:`fenxiao.serialization.load` as the kind's class.

``python -m fenxiao inputs [--json]`` lists every input a tier rule may compare (its kind, range, whole or not,
which way is better, whether it may be missing). ``python -m fenxiao plugins [--json]`` lists the dimension
scorers (built in, registered, and found through the ``fenxiao.scorers`` entry points), the metrics and the perk
kinds this installation knows.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import Any, Final, TextIO

import attrs

from fenxiao._internal.toml import dumps as toml_dumps
from fenxiao.cli.common import render_table, write_atomically, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError, PluginError
from fenxiao.grading.budget_sets import SubsidyBudgets
from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.perks import PerkCatalog, perk_kinds
from fenxiao.grading.tiers import TierPolicy
from fenxiao.market.admission import AdmissionPolicy
from fenxiao.scoring.metrics import metrics
from fenxiao.scoring.registry import ENTRY_POINT_GROUP, default_registry
from fenxiao.scoring.scorecards import Scorecards
from fenxiao.serialization import dumps, loads, to_dict
from fenxiao.settlement.profiles import PRESETS, PlatformProfile

__all__ = ["EXPORTS", "GROUP", "export_text", "register"]


@attrs.frozen
class _Export:
    """One kind of starting file: the shipped file (inside the package) and the class it loads as."""

    file: str
    cls: type[Any]
    description: str


#: What ``export`` can print: kind name → the shipped file and its class.
EXPORTS: Final[dict[str, _Export]] = {
    "policy": _Export("data/defaults/tier_policy.toml", TierPolicy, "the default tier policy (L0-L5)"),
    "scorecards": _Export("data/defaults/scorecards.toml", Scorecards, "the default five-dimension scorecards"),
    "perks": _Export("data/defaults/perks.toml", PerkCatalog, "the default perk catalog (权益)"),
    "admission": _Export("data/defaults/admission_policy.toml", AdmissionPolicy, "the default admission policy"),
    "profile": _Export("data/defaults/platform-{preset}.toml", PlatformProfile, "a platform profile preset"),
    "budgets": _Export("data/defaults/budgets.toml", SubsidyBudgets, "the subsidy budgets (none; how to write one)"),
    "sample": _Export("data/sample_catalog.json", Catalog, "the built-in 200-SKU sample catalog"),
}


def _simulation_export() -> _Export:
    from fenxiao.simulate.config import SimulationConfig  # noqa: PLC0415 - the simulator loads only for its file

    return _Export("data/defaults/simulation.toml", SimulationConfig, "the default season-simulation parameters")


def _spec(kind: str) -> _Export:
    if kind == "simulation":
        return _simulation_export()
    return EXPORTS[kind]


def export_text(kind: str, *, fmt: str = "toml", preset: str = "default") -> str:
    """The text of the starting file *kind* (see :data:`EXPORTS`, and ``simulation``) in *fmt*.

    TOML is the shipped file as it is (with its comments) where one ships as TOML; otherwise, and for JSON, the
    default value written by the converter. The text always loads back as the kind's class.

    Raises:
        InvalidValueError: An unknown kind, format or preset.
    """
    if kind not in (*EXPORTS, "simulation"):
        raise InvalidValueError("export.kind", kind, f"must be one of {', '.join((*EXPORTS, 'simulation'))}")
    if fmt not in {"toml", "json"}:
        raise InvalidValueError("export.--format", fmt, "must be toml or json")
    if preset not in PRESETS:
        raise InvalidValueError("export.--preset", preset, f"must be one of {', '.join(PRESETS)}")
    spec = _spec(kind)
    text = resources.files("fenxiao").joinpath(spec.file.format(preset=preset)).read_text(encoding="utf-8")
    shipped = "toml" if spec.file.endswith(".toml") else "json"
    if fmt == shipped:
        return text if text.endswith("\n") else text + "\n"
    value = loads(text, spec.cls, format=shipped)
    return toml_dumps(to_dict(value)) if fmt == "toml" else dumps(value) + "\n"


def register(sub: Subparsers) -> None:
    """Add ``export``, ``inputs`` and ``plugins`` to the ``python -m fenxiao`` sub-command parsers."""
    kinds = ", ".join(f"{name} ({spec.description})" for name, spec in EXPORTS.items())
    export = add_command(
        sub,
        "export",
        help="print a default (policy, scorecards, perks, admission, profile, budgets, simulation, sample) as a "
        "starting file",
        description=f"Print a shipped default as a file to start your own from. Kinds: {kinds}, simulation (the "
        "default season-simulation parameters).",
        example=["python -m fenxiao export policy --output my-policy.toml", "python -m fenxiao export perks --json"],
    )
    export.add_argument("kind", choices=(*EXPORTS, "simulation"), help="what to export")
    export.add_argument(
        "--format", choices=("toml", "json"), default=None, help="toml (the default; json for sample) or json"
    )
    export.add_argument("--json", action="store_true", help="print the file as JSON (the same as --format json)")
    export.add_argument("--preset", choices=PRESETS, default="default", help="the platform preset, for `profile`")
    export.add_argument("--output", metavar="FILE", help="write the file here (atomically) instead of printing it")
    export.add_argument("--force", action="store_true", help="replace --output if it exists")
    export.set_defaults(func=_cmd_export)
    inputs = add_command(
        sub,
        "inputs",
        help="list the inputs a tier rule may compare (metrics, scores, days), with their ranges",
        example="python -m fenxiao inputs --json",
    )
    inputs.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    inputs.set_defaults(func=_cmd_inputs)
    plugins = add_command(
        sub,
        "plugins",
        help="list the installed dimension scorers, metrics and perk kinds (plug-ins included)",
        example="python -m fenxiao plugins --json",
    )
    plugins.add_argument("--json", action="store_true", help="print a JSON object instead of tables")
    plugins.set_defaults(func=_cmd_plugins)


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    if args.json and args.format == "toml":
        raise InvalidValueError("--format", args.format, "conflicts with --json (which is --format json)")
    fmt = "json" if args.json else args.format
    if fmt is None:  # the output file's suffix says, else the shipped format's family: TOML for rules
        fmt = "json" if args.output is not None and args.output.endswith(".json") else "toml"
        if args.kind == "sample" and args.output is None:
            fmt = "json"
    text = export_text(args.kind, fmt=fmt, preset=args.preset)
    if args.output is None:
        out.write(text)
        return 0
    path = Path(args.output)
    if path.exists() and not args.force:
        raise InvalidValueError("--output", args.output, "exists (give --force to replace it)")
    if path.is_dir():
        raise InvalidValueError("--output", args.output, "is a folder")
    if not (path.parent if str(path.parent) else Path()).is_dir():
        raise InvalidValueError("--output", args.output, "is in a folder that does not exist")
    write_atomically(path, text)
    out.write(f"wrote {args.kind} ({fmt}) to {args.output}\n")
    return 0


def _number(value: object) -> str:
    return "" if value is None else str(value)


def _cmd_inputs(args: argparse.Namespace, out: TextIO) -> int:
    specs = list(TIER_INPUTS.inputs.values())
    if args.json:
        write_json(
            out,
            [
                {
                    "name": s.name,
                    "kind": s.kind.value,
                    "low": None if s.low is None else str(s.low),
                    "high": None if s.high is None else str(s.high),
                    "integer": s.integer,
                    "better": s.better,
                    "optional": s.optional,
                    "description": s.description,
                }
                for s in specs
            ],
        )
        return 0
    rows = [
        [
            s.name,
            s.kind.value + (" (whole)" if s.integer else ""),
            f"{_number(s.low)}..{_number(s.high)}",
            s.better or "",
            "yes" if s.optional else "",
            s.description,
        ]
        for s in specs
    ]
    out.write(render_table(["input", "kind", "range", "better", "optional", "meaning"], rows) + "\n")
    return 0


def _scorers() -> list[dict[str, str]]:
    """Every scorer the default registry knows; one that fails to load is listed with its problem, not raised."""
    registry = default_registry()
    registry.discover()
    found = []
    for name in registry.names():
        try:
            dimension = registry.get(name).dimension.value
        except PluginError as exc:
            dimension = f"cannot load: {exc}"
        found.append({"name": name, "dimension": dimension, "source": registry.origin(name)})
    return found


def _cmd_plugins(args: argparse.Namespace, out: TextIO) -> int:
    scorers = _scorers()
    known = [{"name": m.name, "unit": m.unit, "places": str(m.places), "description": m.description} for m in metrics()]
    kinds = [{"name": name, "class": f"{cls.__module__}.{cls.__qualname__}"} for name, cls in perk_kinds().items()]
    if args.json:
        write_json(
            out, {"entry_point_group": ENTRY_POINT_GROUP, "scorers": scorers, "metrics": known, "perk_kinds": kinds}
        )
        return 0
    out.write(f"Dimension scorers (entry-point group {ENTRY_POINT_GROUP}):\n\n")
    out.write(render_table(["name", "dimension", "source"], [list(s.values()) for s in scorers]) + "\n\n")
    out.write(f"Metrics ({len(known)}):\n\n")
    out.write(render_table(["name", "unit", "places", "meaning"], [list(m.values()) for m in known]) + "\n\n")
    out.write("Perk kinds:\n\n")
    out.write(render_table(["name", "class"], [list(k.values()) for k in kinds]) + "\n")
    return 0


#: The export command group: starting files and what an installation knows; no demo section.
GROUP = CommandGroup("export", register)
