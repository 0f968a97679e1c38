"""Rich display in notebooks (private): the ``_repr_html_`` of the values an analyst looks at, and short reprs.

Each public type's ``_repr_html_`` calls one function here; each renders the value's key figures as a small HTML
block (a title, tables) with every piece of text escaped, so an id holding ``<script>`` shows as text. The
functions read the values' public attributes only (this module sits below the layers it renders, so it knows
them by their attributes, not their classes). ``short_repr`` gives the one-line reprs, under about 300
characters, of values whose full attrs repr runs to thousands.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any, Final

__all__ = [
    "decision_html",
    "diff_html",
    "graded_html",
    "migration_html",
    "period_html",
    "perks_html",
    "pretty",
    "scores_html",
    "short_repr",
    "split_html",
    "table",
]

_STYLE: Final = (
    "font-family: system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif; "
    "font-size: 13px; line-height: 1.35"
)
_TABLE: Final = "border-collapse: collapse; margin: 4px 0 8px 0"
_CELL: Final = "padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: {align}"
_NUMERIC: Final = frozenset({"int", "Decimal", "Money", "Rate", "float"})
#: The longest short repr.
SHORT_REPR: Final = 300
#: Most rows a table shows; the rest are counted in a last line.
MAX_ROWS: Final = 50


def text(value: object) -> str:
    """*value* as escaped HTML text (``None`` as an empty string)."""
    return "" if value is None else html.escape(str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, caption: str | None = None) -> str:
    """An HTML table of *rows* under *headers*, numbers aligned right; at most :data:`MAX_ROWS` rows shown."""
    listed = list(rows)
    shown = listed[:MAX_ROWS]
    numeric = [bool(shown) and all(type(r[i]).__name__ in _NUMERIC for r in shown) for i in range(len(headers))]
    head = "".join(
        f'<th style="{_CELL.format(align="right" if numeric[i] else "left")}">{text(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{_CELL.format(align="right" if numeric[i] else "left")}">{text(cell)}</td>'
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in shown
    )
    if len(listed) > len(shown):
        body += f'<tr><td colspan="{len(headers)}">… and {len(listed) - len(shown)} more</td></tr>'
    title = f"<caption style='text-align: left; font-weight: 600'>{text(caption)}</caption>" if caption else ""
    return f'<table style="{_TABLE}">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _block(title: str, *parts: str) -> str:
    return (
        f'<div class="fenxiao" style="{_STYLE}"><div style="font-weight: 700">{text(title)}</div>{"".join(parts)}</div>'
    )


def _line(content: str) -> str:
    return f"<div>{content}</div>"


# -- the renderers -----------------------------------------------------------------------------------------


def scores_html(card: Any) -> str:
    """A ``SkuScores``: each dimension's points, then each metric's contribution."""
    dimensions = table(
        ["dimension", "points", "notes"],
        [[s.dimension.value, s.value, "; ".join(s.notes)] for s in card.scores],
    )
    metrics = table(
        ["dimension", "metric", "value", "points", "weight", "rule"],
        [
            [s.dimension.value, c.metric, "unavailable" if c.raw is None else c.raw, c.points, c.weight, c.reason]
            for s in card.scores
            for c in s.contributions
        ],
        caption="per metric",
    )
    return _block(f"{card.sku_id}: composite {card.composite}", dimensions, metrics)


def _checks(checks: Iterable[Any]) -> list[list[object]]:
    return [[c.input, c.op.value, c.threshold, c.actual, "yes" if c.passed else "no", c.gap] for c in checks]


def decision_html(decision: Any) -> str:
    """A ``TierDecision``: the tier and its rule, each rule's checks, and the gap to the next tier."""
    who = f"{decision.sku_id}: " if decision.sku_id else ""
    head = f"{who}{decision.tier.value} {decision.label} (rule {decision.rule or '-'})"
    parts = []
    for rule, checks, passed in decision.checks:
        caption = f"rule {rule}: {'matched' if passed else 'not matched'}"
        parts.append(table(["input", "op", "threshold", "actual", "met", "gap"], _checks(checks), caption=caption))
    gap = decision.next_tier_gap
    if gap is None:
        parts.append(_line("next tier: none (the top tier, or nothing above is reachable)"))
    else:
        reach = "reachable" if gap.reachable else "not reachable"
        parts.append(
            table(
                ["input", "op", "threshold", "actual", "met", "gap"],
                _checks(gap.unmet),
                caption=f"to reach {gap.tier.value} {gap.label} (rule {gap.rule}, {reach}): what is missing",
            )
        )
    return _block(head, *parts)


def split_html(result: Any) -> str:
    """An ``OrderSplit``: every party's line, adding up to what came in."""
    rows = [[line.party.value, line.party.label_zh, line.payee_id or "", line.amount] for line in result.lines]
    rows.append(["total", "合计", "", result.total_in])
    title = f"{result.order_id} ({result.status.value}): {result.total_in} in, commission {result.commission}"
    return _block(title, table(["party", "", "payee", "amount"], rows))


def perks_html(resolution: Any) -> str:
    """A ``PerkResolution``: the perks granted with their reasons, and the entries denied with why."""
    who = f"{resolution.sku_id}: " if resolution.sku_id else ""
    granted = table(
        ["entry", "perk", "from tier", "why"],
        [[g.entry, type(g.perk).__name__, g.source_tier.value, g.reason] for g in resolution.granted],
        caption=f"granted ({len(resolution.granted)})",
    )
    denied = table(
        ["entry", "code", "why"],
        [[d.entry, d.code, d.reason] for d in resolution.denied],
        caption=f"denied ({len(resolution.denied)})",
    )
    return _block(f"{who}perks at {resolution.tier.value}", granted, denied)


def graded_html(graded: Any) -> str:
    """A ``GradedSku``: its tier, scores, decision and perks."""
    title = f"{graded.sku_id} ({graded.category_id}): {graded.decision.tier.value}"
    return _block(title, scores_html(graded.scorecard), decision_html(graded.decision), perks_html(graded.perks))


def migration_html(migration: Any) -> str:
    """A ``TierMigration``: SKUs from each tier (rows, before) to each (columns, after)."""
    counts = migration.counts()
    tiers = sorted({t for pair in counts for t in pair}, key=lambda t: t.rank)
    rows = [[before.value, *(counts.get((before, after), 0) for after in tiers)] for before in tiers]
    return _block(
        f"tier migration: {migration.total} SKUs", table(["before \\ after", *(t.value for t in tiers)], rows)
    )


def diff_html(diff: Any) -> str:
    """A ``ModelDiff``: the totals, the migration, and the SKUs that change."""
    total = diff.total
    summary = _line(
        f"{total.changed} of {total.skus} SKUs change; GMV touched {total.gmv_affected} of {total.gmv}; "
        f"subsidy {total.subsidy_before} → {total.subsidy_after}"
    )
    changes = table(
        ["SKU", "category", "before", "after", "perks gained", "perks lost"],
        [
            [
                c.sku_id,
                c.category_id,
                c.before.value,
                c.after.value,
                ", ".join(c.gained),
                ", ".join(c.lost),
            ]
            for c in diff.changes
        ],
        caption="changes",
    )
    return _block("what-if diff", summary, migration_html(diff.migration), changes)


def period_html(report: Any) -> str:
    """A ``PeriodReport``: SKUs per tier (decided and effective), changes, holds and spend."""
    decided = report.tier_counts(decided=True)
    effective = report.tier_counts()
    tiers = table(["tier", "decided", "effective"], [[t.value, decided[t], effective[t]] for t in effective])
    hits = table(["rule", "SKUs"], list(report.rule_hits().items()), caption="rule hits")
    spent = table(["budget", "spent"], sorted(report.spent.items()), caption="subsidy spent")
    changes = table(
        ["SKU", "previous", "effective", "why"],
        [[r.sku_id, r.previous.value if r.previous else "", r.effective.value, r.change] for r in report.changes()],
        caption=f"changes ({len(report.changes())}), held by hysteresis: {len(report.held())}",
    )
    return _block(f"period {report.period} as of {report.as_of:%Y-%m-%d %H:%M %Z}", tiers, hits, spent, changes)


# -- text --------------------------------------------------------------------------------------------------


def short_repr(value: object, **shown: object) -> str:
    """``Name(key=value, ...)`` of the fields that identify *value*, cut to 300 characters."""
    inner = ", ".join(f"{key}={item!r}" for key, item in shown.items())
    full = f"{type(value).__name__}({inner})"
    return full if len(full) <= SHORT_REPR else full[: SHORT_REPR - 4] + "...)"


def pretty(value: object, printer: Any, cycle: bool) -> None:
    """IPython's ``_repr_pretty_``: the short repr."""
    printer.text(f"{type(value).__name__}(...)" if cycle else repr(value))
