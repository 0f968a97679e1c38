"""The grading group: the ``tier``, ``explain``, ``lint`` and ``perks`` commands, and the demo's grading sections.

``lint`` checks a rule file of any kind (:func:`fenxiao.authoring.lint_file`), not only tier policies.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from typing import Any, TextIO

from fenxiao.authoring.documents import lint_file
from fenxiao.authoring.kinds import KINDS
from fenxiao.cli.common import (
    add_catalog_option,
    add_model_options,
    catalog_path,
    current_view,
    load_catalog,
    read_models,
    render_table,
    write_json,
)
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError
from fenxiao.grading.gap import find_metric_moves
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import GradedSku, catalog_as_of, grade_catalog
from fenxiao.grading.tiers import TierDecision
from fenxiao.periods.models import Models
from fenxiao.rules.table import Finding, Severity
from fenxiao.scoring.context import build_context
from fenxiao.scoring.dimensions import Dimension
from fenxiao.serialization import to_dict

__all__ = ["GROUP", "demo_data", "demo_section", "register"]


def _grade(catalog: Catalog, models: Models, *, explain: bool = True) -> tuple[GradedSku, ...]:
    return grade_catalog(catalog, scorer=models.scorer, policy=models.policy, perks=models.perks, explain=explain)


def _graded(args: argparse.Namespace, *, explain: bool = True) -> tuple[Catalog, tuple[GradedSku, ...]]:
    catalog = load_catalog(catalog_path(args))
    return catalog, _grade(catalog, read_models(args), explain=explain)


def _perk_json(perk: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": perk.kind}
    data.update(to_dict(perk))
    return data


def _decision_json(decision: TierDecision) -> dict[str, Any]:
    gap = decision.next_tier_gap
    return {
        "sku_id": decision.sku_id,
        "tier": decision.tier.value,
        "label": decision.label,
        "rule": decision.rule,
        "flags": list(decision.flags),
        "trace": [
            {
                "rule": name,
                "matched": matched,
                "checks": [
                    {
                        "input": c.input,
                        "op": c.op.value,
                        "threshold": _jsonable(c.threshold),
                        "actual": _jsonable(c.actual),
                        "passed": c.passed,
                        "gap": None if c.gap is None else str(c.gap),
                        "text": str(c),
                    }
                    for c in checks
                ],
            }
            for name, checks, matched in decision.checks
        ],
        "next_tier": None
        if gap is None
        else {
            "tier": gap.tier.value,
            "rule": gap.rule,
            "reachable": gap.reachable,
            "unmet": [str(c) for c in gap.unmet],
        },
    }


def _jsonable(value: object) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    return str(value)


def _cmd_tier(args: argparse.Namespace, out: TextIO) -> int:
    _, graded = _graded(args, explain=False)
    if args.json:
        rows = [
            {"sku_id": g.sku_id, "tier": g.decision.tier.value, "composite": str(g.scorecard.composite)} for g in graded
        ]
        write_json(out, rows)
        return 0
    out.write(_tier_table(graded) + "\n")
    return 0


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(args.catalog)
    if args.sku_id not in {sku.id for sku in catalog.skus}:
        raise InvalidValueError("SKU_ID", args.sku_id, "names no SKU of the catalog")
    snaps = [s for s in catalog.latest_snapshots() if s.sku_id == args.sku_id]
    if not snaps:
        raise InvalidValueError("SKU_ID", args.sku_id, "has no snapshot to grade")
    # Score against the whole catalog's context, so the result matches `tier` on the same catalog.
    models = read_models(args)
    graded = {g.sku_id: g for g in _grade(catalog, models)}
    row = graded[args.sku_id]
    context = build_context(catalog.latest_snapshots())
    ways = find_metric_moves(models.policy, models.scorer, snaps[0], context, catalog_as_of(catalog))
    if args.json:
        data = _decision_json(row.decision)
        data["scores"] = {d.value: str(v) for d, v in row.scorecard.values().items()}
        data["composite"] = str(row.scorecard.composite)
        data["perks"] = [dict(_perk_json(p.perk), reason=p.reason) for p in row.perks.granted]
        data["next_tier_metrics"] = [
            {
                "tier": way.target.value,
                "reached": way.reached.value,
                "moves": [{"metric": m.metric, "from": _jsonable(m.old), "to": _jsonable(m.new)} for m in way.moves],
            }
            for way in ways
        ]
        write_json(out, data)
        return 0
    text = row.scorecard.explanation + "\n\n" + row.decision.explain() + "\n"
    text += f"  perks: {_perk_summary(row)}\n"
    if ways:
        text += "  in metrics (each way verified by scoring and grading again):\n"
        text += "".join(f"      {way}\n" for way in ways)
    out.write(text)
    return 0


def _cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    try:
        report = lint_file(args.policy_file, kind=args.kind)
    except InvalidValueError as exc:
        raise exc.at("FILE") if exc.path == "lint.path" else exc from None
    if args.json:
        rows = [
            {
                "path": f.path,
                "line": f.line,
                "severity": f.severity.value,
                "code": f.code,
                "message": f.message,
                "example": {name: _jsonable(value) for name, value in f.example},
            }
            for f in report.findings
        ]
        write_json(out, rows)
    else:
        out.write(_findings_text(report.findings, report.source) + "\n")
    if not report.loaded:
        problems = "; ".join(
            f"{f.path} (line {f.line}): {f.message}" if f.line else f"{f.path}: {f.message}" for f in report.findings
        )
        raise InvalidValueError(
            "lint", args.policy_file, f"does not load as a {report.kind or 'rule file'}: {problems}"
        )
    return 1 if report.failed else 0


def _findings_text(findings: tuple[Finding, ...], source: str = "") -> str:
    if not findings:
        return "no findings"
    counts = Counter(f.severity.value for f in findings)
    summary = ", ".join(f"{counts[s.value]} {s.value}(s)" for s in Severity if counts[s.value])
    return "\n".join([*(_where(source, f) + str(f) for f in findings), summary])


def _where(source: str, finding: Finding) -> str:
    if not source:
        return ""
    return f"{source}:{finding.line}: " if finding.line is not None else f"{source}: "


def _cmd_perks(args: argparse.Namespace, out: TextIO) -> int:
    _, graded = _graded(args, explain=False)
    if args.json:
        rows = [
            {
                "sku_id": g.sku_id,
                "tier": g.decision.tier.value,
                "perks": [dict(_perk_json(p.perk), reason=p.reason) for p in g.perks.granted],
                "denied": [
                    {"entry": d.entry, "code": d.code, "reason": d.reason}
                    for d in g.perks.denied
                    if d.code != "above-tier"
                ],
            }
            for g in graded
        ]
        write_json(out, rows)
        return 0
    rows_text = [[g.sku_id, g.decision.tier.value, _perk_summary(g)] for g in graded]
    out.write(render_table(["sku", "tier", "perks"], rows_text, align="lll") + "\n")
    return 0


def _perk_summary(graded: GradedSku) -> str:
    return "; ".join(str(p.perk) for p in graded.perks.granted if p.perk.kind != "access") or "-"


def _tier_table(graded: tuple[GradedSku, ...], *, categories: bool = True) -> str:
    """Every SKU's scores, tier and perks; without the category column when *categories* is false (the concise
    demo, which leaves the perks the room)."""
    rows: list[list[object]] = []
    for g in graded:
        values = g.scorecard.values()
        rows.append(
            [
                g.sku_id,
                *([g.category_id] if categories else []),
                *(str(values[d]) for d in Dimension),
                str(g.scorecard.composite),
                f"{g.decision.tier.value} {g.decision.label}",
                _perk_summary(g),
            ]
        )
    headers = ["sku", *(["category"] if categories else []), *(d.value for d in Dimension), "composite", "tier"]
    return render_table([*headers, "perks"], rows, align=("ll" if categories else "l") + "rrrrrrll")


def _distribution(catalog: Catalog, graded: tuple[GradedSku, ...]) -> str:
    per: dict[str, Counter[Tier]] = defaultdict(Counter)
    for g in graded:
        per[g.category_id][g.decision.tier] += 1
    rows: list[list[object]] = []
    for category in catalog.categories:
        counts = per.get(category.id, Counter())
        rows.append([category.level3, *(counts[t] for t in Tier), sum(counts.values())])
    total = Counter(g.decision.tier for g in graded)
    rows.append(["all", *(total[t] for t in Tier), len(graded)])
    return render_table(["category", *(t.value for t in Tier), "SKUs"], rows, align="lrrrrrrr")


def _demo_example(graded: tuple[GradedSku, ...]) -> GradedSku | None:
    """The SKU the demo explains: the first at L2 or above with a next tier to reach."""
    return next((g for g in graded if g.decision.next_tier_gap is not None and g.decision.tier >= Tier.L2), None)


def demo_section(catalog: Catalog) -> str:
    """The demo's grading part: every SKU's five scores, tier and perks, then tiers per category, then why one SKU
    has its tier (the whole trace in the full view; its decision and next tier in the concise one)."""
    graded = grade_catalog(catalog)
    example = _demo_example(graded)
    concise = current_view().head is not None
    parts = [
        "Five scores, tier and perks of every SKU (default scorecards, tier policy and perk catalog)",
        "",
        _tier_table(graded, categories=not concise),
        "",
        "Tier distribution per third-level category",
        "",
        _distribution(catalog, graded),
    ]
    if example is not None and example.decision.next_tier_gap is not None:
        parts += ["", f"Why {example.sku_id} is {example.decision.tier.value}, and what would raise it:", ""]
        trace = example.decision.explain().split("\n")
        if concise:  # the decision and the next tier, not every check
            following = [line for line in trace if line.startswith("  next:")]
            checks = len(trace) - 1 - len(following)
            where = f"python -m fenxiao explain {example.sku_id}"
            trace = [trace[0], f"  ... {checks} lines of checks ({where})", *following]
        parts += trace
    return "\n".join(parts)


def demo_data(catalog: Catalog) -> dict[str, Any]:
    """The data of the demo's grading part: every SKU's scores, tier and perks (as ``tier --json`` and ``perks
    --json`` print them), the tiers per category, and the explained SKU's decision (as ``explain --json``)."""
    graded = grade_catalog(catalog)
    example = _demo_example(graded)
    per: dict[str, Counter[Tier]] = defaultdict(Counter)
    for g in graded:
        per[g.category_id][g.decision.tier] += 1
    return {
        "skus": [
            {
                "sku_id": g.sku_id,
                "category_id": g.category_id,
                "scores": {d.value: str(v) for d, v in g.scorecard.values().items()},
                "composite": str(g.scorecard.composite),
                "tier": g.decision.tier.value,
                "label": g.decision.label,
                "perks": [dict(_perk_json(p.perk), reason=p.reason) for p in g.perks.granted],
            }
            for g in graded
        ],
        "distribution": [{"category_id": c.id, **{t.value: per[c.id][t] for t in Tier}} for c in catalog.categories],
        "example": None if example is None else _decision_json(example.decision),
    }


def register(sub: Subparsers) -> None:
    """Add the grading sub-commands."""
    tier = add_command(
        sub,
        "tier",
        help="grade a catalog L0-L5 (the built-in sample by default)",
        example=["python -m fenxiao tier --json", "python -m fenxiao tier --catalog my-catalog.json --policy my.toml"],
    )
    add_catalog_option(tier)
    add_model_options(tier)
    tier.add_argument("--json", action="store_true", help="print a JSON list of {sku_id, tier, composite}")
    tier.set_defaults(func=_cmd_tier)

    explain = add_command(
        sub,
        "explain",
        help="one SKU's scores, tier decision, trace and next-tier gap",
        example="python -m fenxiao explain sku-00013 --json",
    )
    explain.add_argument("sku_id", metavar="SKU_ID", help="the SKU id, e.g. sku-00013")
    add_catalog_option(explain, positional=False)
    add_model_options(explain)
    explain.add_argument("--json", action="store_true", help="print the decision, scores and perks as JSON")
    explain.set_defaults(func=_cmd_explain)

    lint = add_command(
        sub,
        "lint",
        help="check a rule file of any kind (found by itself); every finding with its line; exit 1 on errors",
        example=["python -m fenxiao lint my-policy.toml", "python -m fenxiao lint my-perks.toml --json"],
    )
    lint.add_argument(
        "policy_file",
        metavar="FILE",
        help="a tier policy, scorecards, perk catalog, admission policy, platform profile or models file",
    )
    lint.add_argument("--kind", choices=[k.name for k in KINDS], help="the file's kind, when it cannot be told")
    lint.add_argument("--json", action="store_true", help="print the findings as JSON (path, line, code ...)")
    lint.set_defaults(func=_cmd_lint)

    perks = add_command(
        sub,
        "perks",
        help="the perks of every SKU of a catalog",
        example="python -m fenxiao perks --perks my-perks.toml --json",
    )
    add_catalog_option(perks)
    add_model_options(perks)
    perks.add_argument("--json", action="store_true", help="print a JSON list of {sku_id, tier, perks}")
    perks.set_defaults(func=_cmd_perks)


#: The grading command group.
GROUP = CommandGroup("grading", register, demo_section, demo_data)
