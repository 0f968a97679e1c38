"""The changes group: ``diff`` (what a change of models would change) and ``drift`` (what changed between two periods).

``python -m fenxiao diff --policy A.toml --against B.toml [--catalog FILE] [--perks A --against-perks B]
[--scorecards A --against-scorecards B] [--json]`` grades a catalog (the built-in sample by default) under both
sets of models and prints what changes (:func:`fenxiao.periods.diff.measure_diff`); ``--json`` prints the
:class:`~fenxiao.periods.diff.ModelDiff` in its file form (what ``fenxiao.serialization.dumps`` writes, which
``loads(text, ModelDiff)`` reads back).

``python -m fenxiao drift REPORT_A REPORT_B [--decided] [--json]`` compares two period reports (JSON or TOML files
of :class:`~fenxiao.periods.report.PeriodReport`, as ``dumps(report)`` writes them) with
:func:`fenxiao.periods.drift.measure_drift`; ``--json`` prints the :class:`~fenxiao.periods.drift.PeriodComparison`
in its file form.

The demo section shows the what-if of lowering the L5 bar of the default policy from composite 90 to 88.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any, TextIO

import attrs

from fenxiao.cli.common import MODEL_FILES, load_catalog, load_file, render_table, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.money import Money, Rounding, round_div
from fenxiao.periods.diff import DiffSummary, ModelDiff, TierMigration, measure_diff
from fenxiao.periods.drift import COMPOSITE, PeriodComparison, ScoreDrift, measure_drift
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport
from fenxiao.rules.language import All, Compare, Condition
from fenxiao.serialization import to_dict

__all__ = ["GROUP", "demo_data", "demo_section", "register"]

_MARKS = {"stable": "", "moderate": "*", "significant": "**", "no data": ""}


def _models(args: argparse.Namespace, prefix: str) -> Models:
    """The models of one side of ``diff``: the defaults, each part given as ``--NAME`` (*prefix* ``""``) or
    ``--against-NAME`` (*prefix* ``"against-"``; ``--against`` alone is the tier policy) replaced by its file."""
    parts: dict[str, Any] = {}
    for name, (cls, what, _) in MODEL_FILES.items():
        option = "--against" if prefix and name == "policy" else f"--{prefix}{name}"
        path = getattr(args, option.removeprefix("--").replace("-", "_"))
        if path is not None:
            parts[name] = load_file(path, cls, option=option, what=what)
    return Models(**parts)


# -- text --------------------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "-"
    return f"{Decimal(round_div(part * 10_000, whole, Rounding.HALF_EVEN)).scaleb(-2)}%"


def _signed(amount: Money) -> str:
    text = amount.format(grouping=True)
    return text if amount.fen < 0 else f"+{text}"


def _matrix_table(migration: TierMigration, rows: str, columns: str) -> str:
    counts = migration.counts()
    before, after = migration.before_counts(), migration.after_counts()
    body: list[list[object]] = [
        [tier.value, *(counts[tier, to] or "." for to in Tier), before[tier]] for tier in Tier if before[tier]
    ]
    body.append(["total", *(after[tier] for tier in Tier), migration.total])
    headers = [f"{rows} \\ {columns}", *(t.value for t in Tier), "total"]
    return render_table(headers, body, align="lrrrrrrr")


def _summary_line(summary: DiffSummary) -> str:
    perks_only = summary.changed - summary.moved
    return (
        f"{summary.skus} SKUs graded: {summary.changed} change ({summary.moved} move tier, {perks_only} change "
        f"perks only); GMV affected {summary.gmv_affected.format(grouping=True)} of "
        f"{summary.gmv.format(grouping=True)} ({_percent(summary.gmv_affected.fen, summary.gmv.fen)}); "
        f"subsidy estimate {summary.subsidy_before.format(grouping=True)} → "
        f"{summary.subsidy_after.format(grouping=True)} a month ({_signed(summary.subsidy_change)})"
    )


def _diff_text(diff: ModelDiff, a: str, b: str) -> str:
    when = diff.as_of.isoformat() if diff.as_of is not None else "-"
    head = f"What-if diff as of {when}: A = {a}; B = {b}"
    parts = [head, _summary_line(diff.total), ""]
    parts += ["Tier migration (rows: tier under A, columns: tier under B)", ""]
    parts += [_matrix_table(diff.migration, "A", "B"), ""]
    if diff.empty:
        parts.append("No SKU changes tier or perks.")
        return "\n".join(parts)
    changed = [s for s in diff.categories if s.changed]
    rows: list[list[object]] = [
        [
            s.category_id or "all",
            s.skus,
            s.changed,
            s.moved,
            s.gmv_affected.format(grouping=True),
            _percent(s.gmv_affected.fen, s.gmv.fen),
            _signed(s.subsidy_change),
        ]
        for s in (*changed, diff.total)
    ]
    headers = ["category", "SKUs", "changed", "moved", "GMV affected", "share", "subsidy / month"]
    parts += ["Per category (categories with a change)", "", render_table(headers, rows, align="lrrrrrr"), ""]
    sku_rows: list[list[object]] = [
        [
            c.sku_id,
            c.category_id,
            f"{c.before.value} → {c.after.value}" if c.moved else c.after.value,
            ", ".join(c.gained) or "-",
            ", ".join(c.lost) or "-",
            _signed(c.subsidy_change),
        ]
        for c in diff.changes
    ]
    headers = ["sku", "category", "tier", "perks gained", "perks lost", "subsidy / month"]
    parts += ["SKUs that change", "", render_table(headers, sku_rows, align="lllllr")]
    return "\n".join(parts)


def _psi_cell(drift: ScoreDrift) -> str:
    return "-" if drift.psi is None else f"{drift.psi.quantize(Decimal('0.001'))}{_MARKS[drift.reading]}"


def _drift_text(comparison: PeriodComparison) -> str:
    a, b = comparison.period_a, comparison.period_b
    kind = "decided" if comparison.decided else "effective"
    head = (
        f"Periods {a} → {b}: {comparison.migration.total} SKUs in both, {len(comparison.only_a)} only in {a}, "
        f"{len(comparison.only_b)} only in {b}"
    )
    parts = [head, "", f"Tier migration ({kind} tiers; rows: {a}, columns: {b})", ""]
    parts += [_matrix_table(comparison.migration, a, b), ""]
    rules: list[list[object]] = [[h.rule or "(fallback)", h.a, h.b, f"{h.change:+d}"] for h in comparison.rule_hits]
    parts += ["Rule hits (which rule decided how many SKUs)", ""]
    parts += [render_table(["rule", a, b, "change"], rules, align="lrrr"), ""]
    scores = list(dict.fromkeys(d.score for d in comparison.drift))
    by_category: dict[str | None, dict[str, ScoreDrift]] = {}
    for drift in comparison.drift:
        by_category.setdefault(drift.category_id, {})[drift.score] = drift
    table: list[list[object]] = [
        [category or "all", *(_psi_cell(cells[s]) if s in cells else "-" for s in scores)]
        for category, cells in by_category.items()
    ]
    parts += [f"Score drift: PSI of {b} against {a} (* moderate: 0.1 to 0.25; ** significant: 0.25 and above)", ""]
    parts.append(render_table(["category", *scores], table, align="l" + "r" * len(scores)))
    return "\n".join(parts)


# -- commands ---------------------------------------------------------------------------------------------


def _label(policy: str | None, perks: str | None, scorecards: str | None = None) -> str:
    text = f"policy {policy or '(default)'}, perks {perks or '(default)'}"
    return text if scorecards is None else f"{text}, scorecards {scorecards}"


def _cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(args.catalog)
    base = _models(args, "")
    other = _models(args, "against-")
    diff = measure_diff(catalog, base, other)
    if args.json:
        write_json(out, to_dict(diff))
        return 0
    a = _label(args.policy, args.perks, args.scorecards)
    b = _label(args.against, args.against_perks, args.against_scorecards)
    out.write(_diff_text(diff, a, b) + "\n")
    return 0


def _cmd_drift(args: argparse.Namespace, out: TextIO) -> int:
    a = load_file(args.report_a, PeriodReport, option="REPORT_A", what="period report")
    b = load_file(args.report_b, PeriodReport, option="REPORT_B", what="period report")
    comparison = measure_drift(a, b, decided=args.decided)
    if args.json:
        write_json(out, to_dict(comparison))
        return 0
    out.write(_drift_text(comparison) + "\n")
    return 0


# -- the demo ---------------------------------------------------------------------------------------------


def _with_bar(condition: Condition, bar: Decimal) -> Condition:
    if isinstance(condition, Compare) and condition.input == COMPOSITE:
        return attrs.evolve(condition, value=bar)
    if isinstance(condition, All):
        return All(tuple(_with_bar(c, bar) for c in condition.conditions))
    return condition


def _l5_bar_at(policy: TierPolicy, bar: Decimal) -> TierPolicy:
    """*policy* with the composite threshold of its L5 rules at *bar*."""

    def move(rule: TierRule) -> TierRule:
        return attrs.evolve(rule, when=_with_bar(rule.when, bar)) if rule.tier is Tier.L5 else rule

    return attrs.evolve(policy, rules=tuple(move(r) for r in policy.rules))


def _demo_diff(catalog: Catalog) -> ModelDiff:
    lowered = _l5_bar_at(default_tier_policy(), Decimal(88))
    return measure_diff(catalog, Models(), Models(policy=lowered))


def demo_section(catalog: Catalog) -> str:
    """The demo's what-if: the default policy with its L5 bar at composite 88 instead of 90."""
    title = "What if the L5 bar (精选好物) moved from composite 90 to 88? (python -m fenxiao diff --against FILE)"
    text = _diff_text(_demo_diff(catalog), "the default policy", "the default policy with its L5 bar at composite 88")
    return "\n".join([title, "", text])


def demo_data(catalog: Catalog) -> dict[str, Any]:
    """The data of the demo's what-if: the diff in its file form (as ``diff --json`` prints it)."""
    data: dict[str, Any] = to_dict(_demo_diff(catalog))
    return data


def register(sub: Subparsers) -> None:
    """Add the diff and drift sub-commands."""
    diff = add_command(
        sub,
        "diff",
        help="what-if: which SKUs change tier and perks under other models, at what cost",
        example=[
            "python -m fenxiao diff --against lower-l5.toml",
            "python -m fenxiao diff --policy a.toml --against b.toml --perks p.toml --against-perks q.toml --json",
        ],
    )
    diff.add_argument("--policy", metavar="FILE", help="tier policy A (.json/.toml); the default policy otherwise")
    diff.add_argument("--against", metavar="FILE", help="tier policy B (.json/.toml); the default policy otherwise")
    diff.add_argument("--perks", metavar="FILE", help="perk catalog A (.json/.toml); the default catalog otherwise")
    diff.add_argument(
        "--against-perks", metavar="FILE", help="perk catalog B (.json/.toml); the default catalog otherwise"
    )
    diff.add_argument(
        "--scorecards", metavar="FILE", help="scorecards A (.json/.toml); the default scorecards otherwise"
    )
    diff.add_argument(
        "--against-scorecards", metavar="FILE", help="scorecards B (.json/.toml); the default scorecards otherwise"
    )
    diff.add_argument("--catalog", metavar="FILE", help="a catalog file (.json/.toml); the built-in sample by default")
    diff.add_argument("--json", action="store_true", help="print the diff as JSON (its file form)")
    diff.set_defaults(func=_cmd_diff)

    drift = add_command(
        sub,
        "drift",
        help="two period reports side by side: tier migration, score drift, rule hits",
        example="python -m fenxiao drift 2026-W47.json 2026-W48.json --json",
    )
    drift.add_argument("report_a", metavar="REPORT_A", help="the first period report (.json/.toml)")
    drift.add_argument("report_b", metavar="REPORT_B", help="the second period report (.json/.toml)")
    drift.add_argument("--decided", action="store_true", help="migrate decided tiers, not effective ones")
    drift.add_argument("--json", action="store_true", help="print the comparison as JSON (its file form)")
    drift.set_defaults(func=_cmd_drift)


#: The changes command group.
GROUP = CommandGroup("changes", register, demo_section, demo_data)
