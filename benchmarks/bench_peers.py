"""The tier policy on the object path against the ``rule-engine`` package, the peer users would otherwise pick.

The same default policy, the same inputs, one SKU at a time, first hit wins. rule-engine runs it two ways: one
``Rule`` per policy rule tried in order (how a decision table maps onto it), and the whole policy as one nested
``?:`` expression (its fastest form). The target is set against the faster of the two. Every SKU's tier is
checked to agree across all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
from _generate import AS_OF, sku_columns, snapshots
from _throughput import Row, best_seconds, render

from fenxiao.columnar import run_pipeline
from fenxiao.conditions import All, Compare, Condition, Not, Op
from fenxiao.scoring import Dimension
from fenxiao.tiers import TierPolicy, default_tier_policy, tier_inputs

TITLE = "peers: the default tier policy per SKU, fenxiao's object path against rule-engine (one core)"
_OPS = {Op.GE: ">=", Op.GT: ">", Op.LE: "<=", Op.LT: "<", Op.EQ: "==", Op.NE: "!="}


def _name(name: str) -> str:
    return name.replace(".", "_")  # rule-engine reads "score.service" as an attribute access


def _text(condition: Condition) -> str:
    """A condition in rule-engine's expression language."""
    if isinstance(condition, Compare):
        value = condition.value
        if condition.op in _OPS and isinstance(value, Decimal):
            return f"{_name(condition.input)} {_OPS[condition.op]} {value}"
        raise SystemExit(f"bench_peers: no rule-engine form for {condition}")
    if isinstance(condition, Not):
        return f"not ({_text(condition.condition)})"
    joiner = " and " if isinstance(condition, All) else " or "
    parts = [f"({_text(c)})" for c in condition.conditions]
    if not parts:
        return "true" if isinstance(condition, All) else "false"
    return joiner.join(parts)


def _engine(policy: TierPolicy) -> tuple[Callable[[dict[str, Any]], int], Callable[[dict[str, Any]], int]]:
    rule_engine: Any = importlib.import_module("rule_engine")  # ships no type information

    rules = [(rule_engine.Rule(_text(r.when)), r.tier.rank) for r in policy.rules]
    fallback = policy.fallback.rank if policy.fallback is not None else -1

    def per_rule(values: dict[str, Any]) -> int:
        for rule, rank in rules:
            if rule.matches(values):
                return rank
        return fallback

    expression = str(fallback)
    for rule in reversed(policy.rules):
        expression = f"({_text(rule.when)}) ? {rule.tier.rank} : ({expression})"
    whole = rule_engine.Rule(expression)

    def one_expression(values: dict[str, Any]) -> int:
        return int(whole.evaluate(values))

    return per_rule, one_expression


def _inputs(count: int) -> list[dict[str, object]]:
    """Tier inputs of *count* realistic SKUs (scores computed on the columnar path, equal to the object path's)."""
    columns = sku_columns(count, seed=7)
    scores = run_pipeline(columns)
    out = []
    for i, snapshot in enumerate(snapshots(columns, count)):
        values: dict[str, object] = {
            f"score.{d.value}": Decimal(int(scores[f"score.{d.value}"][i])).scaleb(-2) for d in Dimension
        }
        values["composite"] = Decimal(int(scores["composite"][i])).scaleb(-2)
        out.append(tier_inputs(snapshot, values, AS_OF))
    return out


def _read_in_full(policy: TierPolicy) -> Callable[[dict[str, object]], object]:
    """decide() and then read the whole explanation: every rule's checks and the next-tier gap."""

    def go(values: dict[str, object]) -> object:
        decision = policy.decide(values)
        return decision.checks, decision.next_tier_gap

    return go


def run(quick: bool = False) -> str:
    """Time every case and return the table with the targets' verdicts."""
    try:
        importlib.import_module("rule_engine")
    except ImportError:
        return f"{TITLE}\n  skipped: rule-engine is not installed (make bench installs fenxiao[bench])"
    count = 2_000 if quick else 10_000
    policy = default_tier_policy()
    inputs = _inputs(count)
    renamed = [{_name(k): v for k, v in values.items()} for values in inputs]
    per_rule, one_expression = _engine(policy)
    tiers = [policy.grade(values).rank for values in inputs]
    if [per_rule(v) for v in renamed] != tiers or [one_expression(v) for v in renamed] != tiers:
        raise SystemExit("bench_peers: rule-engine and fenxiao disagree on a tier")
    spread = np.bincount(np.array(tiers), minlength=6).tolist()

    def loop(func: Callable[[Any], object], items: list[Any]) -> Callable[[], None]:
        def go() -> None:
            for item in items:
                func(item)

        return go

    repeat = 7  # best of seven: single SKUs in microseconds are easily disturbed
    engine_rules = Row("rule-engine: one Rule per policy rule", count, best_seconds(loop(per_rule, renamed), repeat))
    engine_one = Row(
        "rule-engine: the whole policy as one expression",
        count,
        best_seconds(loop(one_expression, renamed), repeat),
        short="rule-engine",
    )
    baseline = min(engine_rules, engine_one, key=lambda r: r.seconds)
    grade = Row(
        "fenxiao TierPolicy.grade (no trace)",
        count,
        best_seconds(loop(policy.grade, inputs), repeat),
        baseline=baseline.name,
    )
    decide = Row(
        "fenxiao TierPolicy.decide (explanation captured)",
        count,
        best_seconds(loop(policy.decide, inputs), repeat),
        baseline=baseline.name,
    )
    read = Row(
        "fenxiao decide + read every check and the gap",
        count,
        best_seconds(loop(_read_in_full(policy), inputs), repeat),
        baseline=baseline.name,
    )
    rows = [engine_rules, engine_one, grade, decide, read]
    fast, explained = baseline.seconds / grade.seconds, baseline.seconds / decide.seconds
    notes = [
        f"{count:,} SKUs; tiers L0..L5: {spread}",
        "decide() captures every input value the policy reads and checks that each can be compared; the trace"
        " and gap are built from them when first read (the third fenxiao row reads them all)",
    ]
    lines = render(TITLE, rows, [], notes).split("\n")
    lines.append("  targets (issue 8): speed-ups over the faster rule-engine form (higher is better)")
    for what, value, wanted in (
        ("object path grading without a trace, at least", fast, 30),
        ("object path grading with the full explanation, at least", explained, 6),
    ):
        verdict = "met" if value >= wanted else "MISSED"
        lines.append(f"  {what:<62} {value:>9.2f}×  target ≥ {wanted}×  {verdict}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
