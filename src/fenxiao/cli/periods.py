"""The periods group: the ``period`` command (one grading period with memory) and the demo's two periods.

``python -m fenxiao period [--catalog FILE] --period ID --state STATE.json`` reads the program state (a fresh one
when the file does not exist yet), runs the period and writes the new state back to the same file atomically (a crash
mid-write leaves the old state whole); ``--report FILE`` also writes the period report (what ``drift`` compares),
``--json`` prints it. The models are the defaults, a models file (``--models``), either with its scorecards, tier
policy, perk catalog or budgets replaced by a file of that kind (``--scorecards``, ``--policy``, ``--perks``,
``--budgets``), or those in force at the period's moment by a schedule (``--schedule``).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import attrs

from fenxiao.cli.common import (
    add_catalog_option,
    catalog_path,
    load_catalog,
    load_file,
    option_value,
    read_models,
    render_table,
    write_atomically,
    write_json,
)
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.budget_sets import SubsidyBudgets
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.periods.models import Models
from fenxiao.periods.run import PeriodResult, run_period
from fenxiao.periods.schedule import Schedule
from fenxiao.periods.state import ProgramState
from fenxiao.serialization import dumps, to_dict

__all__ = ["GROUP", "demo_data", "demo_periods", "demo_section", "register", "write_atomically"]


def _models(args: argparse.Namespace) -> Models:
    models = Models() if args.models is None else load_file(args.models, Models, option="--models", what="models")
    models = read_models(args, models)
    if args.budgets is not None:
        budgets = load_file(args.budgets, SubsidyBudgets, option="--budgets", what="budgets")
        models = attrs.evolve(models, budgets=budgets.budgets)
    return models


def _state(path: str) -> ProgramState:
    if not Path(path).exists():
        return ProgramState()
    return load_file(path, ProgramState, option="--state", what="program state")


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None

    def parse(value: str) -> datetime:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidValueError("as_of", value, "is not an ISO 8601 timestamp") from None
        if moment.utcoffset() is None:
            raise InvalidValueError("as_of", value, "must carry a UTC offset, e.g. 2026-11-27T00:00+08:00")
        return moment

    return option_value(parse, text, "--as-of")


def _summary(result: PeriodResult) -> str:
    report = result.report
    decided = report.tier_counts(decided=True)
    effective = report.tier_counts()
    rows: list[list[object]] = [[t.value, decided[t], effective[t]] for t in reversed(Tier)]
    new = sum(1 for r in report.rows if r.previous is None)
    moved = len(report.changes()) - new
    lines = [
        f"Period {report.period} at {report.as_of.isoformat()}: {len(report.rows)} SKUs graded "
        f"({new} for the first time, {moved} changed tier, {len(report.held())} held by hysteresis)",
        "",
        render_table(["tier", "decided", "effective"], rows, align="lrr"),
    ]
    changed = [r for r in report.changes() if r.previous is not None]
    if changed:
        lines += ["", "Tier changes", ""]
        lines.append(
            render_table(
                ["SKU", "from", "to", "why"],
                [[r.sku_id, r.previous.value if r.previous else "-", r.effective.value, r.change] for r in changed],
                align="llll",
            )
        )
    held = report.held()
    if held:
        lines += ["", "Held by hysteresis (decided below their tier, keeping its perks for now)", ""]
        lines.append(
            render_table(
                ["SKU", "decided", "effective", "low grades so far"],
                [[r.sku_id, r.decided.value, r.effective.value, result.state.sku(r.sku_id).below_count] for r in held],
                align="lllr",
            )
        )
    if report.spent:
        lines += ["", "Subsidy spent this period", ""]
        lines.append(render_table(["budget", "spent"], [[k, str(v)] for k, v in report.spent.items()], align="lr"))
    return "\n".join(lines)


def _cmd_period(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(catalog_path(args))
    state = _state(args.state)
    as_of = _as_of(args.as_of)
    if args.schedule is not None:
        if any(part is not None for part in (args.models, args.scorecards, args.policy, args.perks, args.budgets)):
            raise InvalidValueError(
                "--schedule",
                args.schedule,
                "cannot be combined with --models, --scorecards, --policy, --perks or --budgets",
            )
        schedule = load_file(args.schedule, Schedule, option="--schedule", what="schedule")
        result = run_period(catalog, state, period=args.period, as_of=as_of, schedule=schedule)
    else:
        result = run_period(catalog, state, period=args.period, as_of=as_of, models=_models(args))
    if args.report is not None:
        write_atomically(Path(args.report), dumps(result.report) + "\n")
    write_atomically(Path(args.state), dumps(result.state) + "\n")
    if args.json:
        write_json(out, to_dict(result.report))
    else:
        out.write(_summary(result) + "\n")
    return 0


# -- the demo: two periods of the sample, one SKU held by hysteresis --------------------------------------


def _weakened(catalog: Catalog, at: datetime) -> tuple[tuple[SkuSnapshot, ...], str]:
    """The catalog's latest snapshots observed again at *at*, the first established L3+ SKU selling almost nothing."""
    first = run_period(catalog, period="probe")
    candidates = [
        r.sku_id
        for r in first.report.rows
        if r.effective >= Tier.L3 and at - catalog.sku(r.sku_id).joined_at > timedelta(days=30)
    ]
    if not candidates:
        raise InvalidValueError("demo.catalog", len(catalog.skus), "has no established SKU at L3 or above")
    chosen = candidates[0]
    snapshots = tuple(
        attrs.evolve(s, observed_at=at, units_30d=3 if s.sku_id == chosen else s.units_30d)
        for s in catalog.latest_snapshots()
    )
    return snapshots, chosen


def demo_periods(catalog: Catalog) -> tuple[PeriodResult, PeriodResult, str]:
    """Two weekly periods of *catalog*: as it is, then a week later with one established SKU's sales collapsed.

    Returns both results and the SKU whose collapse hysteresis holds in the second period.
    """
    start = catalog_as_of(catalog)
    first = run_period(catalog, period="week-1", as_of=start)
    snapshots, chosen = _weakened(catalog, start + timedelta(days=7))
    second = run_period(catalog, first.state, period="week-2", as_of=start + timedelta(days=7), snapshots=snapshots)
    return first, second, chosen


def demo_section(catalog: Catalog) -> str:
    """The demo's periods part: two weeks of grading with memory, one SKU held by hysteresis."""
    first, second, chosen = demo_periods(catalog)
    row = second.report.row(chosen)
    state = second.state.sku(chosen)
    stability = Models().policy.stability
    return "\n".join(
        [
            "Two grading periods with memory (python -m fenxiao period --state STATE.json)",
            "",
            _summary(first).split("\n", 1)[0],
            _summary(second),
            "",
            f"{chosen} sold almost nothing in week 2: the policy decided {row.decided.value}, but it keeps "
            f"{row.effective.value} (and its perks) until it has been graded lower "
            f"{stability.demote_after_evaluations} times over {stability.demote_after_days} days; "
            f"{state.below_count} so far.",
        ]
    )


def demo_data(catalog: Catalog) -> dict[str, Any]:
    """The data of the demo's periods part: both period reports (as ``period --json`` prints them) and the SKU that
    hysteresis holds in the second."""
    first, second, chosen = demo_periods(catalog)
    row = second.report.row(chosen)
    return {
        "reports": [to_dict(first.report), to_dict(second.report)],
        "held": {
            "sku_id": chosen,
            "decided": row.decided.value,
            "effective": row.effective.value,
            "low_grades": second.state.sku(chosen).below_count,
        },
    }


def register(sub: Subparsers) -> None:
    """Add the ``period`` command."""
    period = add_command(
        sub,
        "period",
        help="run one grading period with memory against a program state file",
        example=[
            "python -m fenxiao period --period 2026-W48 --state state.json --report 2026-W48.json",
            "python -m fenxiao period --catalog my-catalog.json --period 2026-W49 --state state.json --json",
        ],
    )
    add_catalog_option(period)
    period.add_argument("--period", required=True, metavar="ID", help="the period's id, e.g. 2026-W48 (each runs once)")
    period.add_argument(
        "--state",
        required=True,
        metavar="FILE",
        help="the program state file (.json/.toml): read if it exists, then replaced atomically",
    )
    period.add_argument(
        "--as-of", metavar="TIME", help="the period's moment (ISO 8601 with offset); the newest snapshot's otherwise"
    )
    period.add_argument(
        "--models", metavar="FILE", help="a models file (scorecards, policy, perks, budgets; .json/.toml)"
    )
    period.add_argument("--scorecards", metavar="FILE", help="a scorecards file, replacing the models' scorecards")
    period.add_argument("--policy", metavar="FILE", help="a tier policy file, replacing the models' policy")
    period.add_argument("--perks", metavar="FILE", help="a perk catalog file, replacing the models' perk catalog")
    period.add_argument(
        "--budgets", metavar="FILE", help="a budgets file (subsidy budgets and caps), replacing the models' budgets"
    )
    period.add_argument(
        "--schedule", metavar="FILE", help="a schedule file: the models in force at the period's moment"
    )
    period.add_argument("--report", metavar="FILE", help="also write the period report (JSON) here, for `drift`")
    period.add_argument("--json", action="store_true", help="print the period report as JSON")
    period.set_defaults(func=_cmd_period)


#: The periods command group.
GROUP = CommandGroup("periods", register, demo_section, demo_data)
