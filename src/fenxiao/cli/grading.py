"""The grading group: the ``tier``, ``explain``, ``lint`` and ``perks`` commands, and the demo's grading sections.

``lint`` checks a rule file of any kind (:func:`fenxiao.authoring.lint_file`), not only tier policies.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from typing import Any, TextIO

from fenxiao.authoring.documents import lint_file
from fenxiao.authoring.kinds import KINDS
from fenxiao.cli.common import load_catalog, render_table, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog, default_perk_catalog
from fenxiao.grading.pipeline import GradedSku, grade_catalog
from fenxiao.grading.tiers import TierDecision, TierPolicy, default_tier_policy
from fenxiao.rules.table import Finding, Severity
from fenxiao.scoring.dimensions import Dimension
from fenxiao.serialization import load, to_dict

__all__ = ["GROUP", "demo_section", "register"]


def _policy(path: str | None) -> TierPolicy:
    return default_tier_policy() if path is None else load(path, TierPolicy)


def _perks(path: str | None) -> PerkCatalog:
    return default_perk_catalog() if path is None else load(path, PerkCatalog)


def _graded(args: argparse.Namespace, *, explain: bool = True) -> tuple[Catalog, tuple[GradedSku, ...]]:
    catalog = load_catalog(args.catalog)
    graded = grade_catalog(
        catalog, policy=_policy(args.policy), perks=_perks(getattr(args, "perks", None)), explain=explain
    )
    return catalog, graded


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
    catalog.sku(args.sku_id)  # a clear error for an unknown id
    snaps = [s for s in catalog.latest_snapshots() if s.sku_id == args.sku_id]
    if not snaps:
        raise InvalidValueError("explain.sku_id", args.sku_id, "has no snapshot to grade")
    # Score against the whole catalog's context, so the result matches `tier` on the same catalog.
    graded = {g.sku_id: g for g in grade_catalog(catalog, policy=_policy(args.policy))}
    row = graded[args.sku_id]
    if args.json:
        data = _decision_json(row.decision)
        data["scores"] = {d.value: str(v) for d, v in row.scorecard.values().items()}
        data["composite"] = str(row.scorecard.composite)
        write_json(out, data)
        return 0
    out.write(row.scorecard.explanation + "\n\n" + row.decision.explain() + "\n")
    return 0


def _cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    report = lint_file(args.policy_file, kind=args.kind)
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


def _tier_table(graded: tuple[GradedSku, ...]) -> str:
    rows: list[list[object]] = []
    for g in graded:
        values = g.scorecard.values()
        rows.append(
            [
                g.sku_id,
                g.category_id,
                *(str(values[d]) for d in Dimension),
                str(g.scorecard.composite),
                f"{g.decision.tier.value} {g.decision.label}",
                _perk_summary(g),
            ]
        )
    headers = ["sku", "category", *(d.value for d in Dimension), "composite", "tier", "perks"]
    return render_table(headers, rows, align="llrrrrrrll")


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


def demo_section(catalog: Catalog) -> str:
    """The demo's grading part: every SKU's five scores, tier and perks, then tiers per category."""
    graded = grade_catalog(catalog)
    example = next((g for g in graded if g.decision.next_tier_gap is not None and g.decision.tier >= Tier.L2), None)
    parts = [
        "Five scores, tier and perks of every SKU (default scorecards, tier policy and perk catalog)",
        "",
        _tier_table(graded),
        "",
        "Tier distribution per third-level category",
        "",
        _distribution(catalog, graded),
    ]
    if example is not None and example.decision.next_tier_gap is not None:
        parts += ["", f"Why {example.sku_id} is {example.decision.tier.value}, and what would raise it:", ""]
        parts.append(example.decision.explain())
    return "\n".join(parts)


def register(sub: Subparsers) -> None:
    """Add the grading sub-commands."""
    tier = sub.add_parser("tier", help="grade a catalog L0-L5 (the built-in sample by default)")
    tier.add_argument("catalog", nargs="?", help="a catalog file (.json/.toml)")
    tier.add_argument("--policy", help="a tier policy file (.json/.toml); the default policy otherwise")
    tier.add_argument("--json", action="store_true", help="print a JSON list of {sku_id, tier, composite}")
    tier.set_defaults(func=_cmd_tier, perks=None)

    explain = sub.add_parser("explain", help="one SKU's scores, tier decision, trace and next-tier gap")
    explain.add_argument("sku_id", help="the SKU id")
    explain.add_argument("--catalog", help="a catalog file; the built-in sample by default")
    explain.add_argument("--policy", help="a tier policy file; the default policy otherwise")
    explain.add_argument("--json", action="store_true", help="print the decision as JSON")
    explain.set_defaults(func=_cmd_explain)

    lint = sub.add_parser(
        "lint", help="check a rule file of any kind (found by itself); every finding with its line; exit 1 on errors"
    )
    lint.add_argument(
        "policy_file",
        metavar="FILE",
        help="a tier policy, scorecards, perk catalog, admission policy, platform profile or models file",
    )
    lint.add_argument("--kind", choices=[k.name for k in KINDS], help="the file's kind, when it cannot be told")
    lint.add_argument("--json", action="store_true", help="print the findings as JSON (path, line, code ...)")
    lint.set_defaults(func=_cmd_lint)

    perks = sub.add_parser("perks", help="the perks of every SKU of a catalog")
    perks.add_argument("catalog", nargs="?", help="a catalog file (.json/.toml)")
    perks.add_argument("--perks", help="a perk catalog file (.json/.toml); the default catalog otherwise")
    perks.add_argument("--policy", help="a tier policy file; the default policy otherwise")
    perks.add_argument("--json", action="store_true", help="print a JSON list of {sku_id, tier, perks}")
    perks.set_defaults(func=_cmd_perks)


#: The grading command group.
GROUP = CommandGroup("grading", register, demo_section)
