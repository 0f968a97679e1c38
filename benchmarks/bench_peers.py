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
from _throughput import Row, interleaved_best, render

from fenxiao.columnar import run_pipeline
from fenxiao.grading.inputs import tier_inputs
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.rules.language import All, Compare, Condition, Not, Op
from fenxiao.scoring.dimensions import Dimension

TITLE = "peers: the default tier policy per SKU, fenxiao's object path against rule-engine (one core)"
_OPS = {Op.GE: ">=", Op.GT: ">", Op.LE: "<=", Op.LT: "<", Op.EQ: "==", Op.NE: "!="}


def _name(name: str) -> str:
    return name.replace(".", "_")  # rule-engine reads "score.service" as an attribute access


def _text(condition: Condition, missing: frozenset[str] = frozenset()) -> str:
    """A condition in rule-engine's expression language. An input in *missing* may be null, which in fenxiao
    satisfies no comparison (rule-engine refuses to compare null with a number): it is tested for null first."""
    if isinstance(condition, Compare):
        value = condition.value
        if condition.op in _OPS and isinstance(value, Decimal):
            name = _name(condition.input)
            text = f"{name} {_OPS[condition.op]} {value}"
            return f"({name} != null and {text})" if condition.input in missing else text
        raise SystemExit(f"bench_peers: no rule-engine form for {condition}")
    if isinstance(condition, Not):
        return f"not ({_text(condition.condition, missing)})"
    joiner = " and " if isinstance(condition, All) else " or "
    parts = [f"({_text(c, missing)})" for c in condition.conditions]
    if not parts:
        return "true" if isinstance(condition, All) else "false"
    return joiner.join(parts)


def _engine(
    policy: TierPolicy, missing: frozenset[str] = frozenset()
) -> tuple[Callable[[dict[str, Any]], int], Callable[[dict[str, Any]], int]]:
    rule_engine: Any = importlib.import_module("rule_engine")  # ships no type information

    rules = [(rule_engine.Rule(_text(r.when, missing)), r.tier.rank) for r in policy.rules]
    fallback = policy.fallback.rank if policy.fallback is not None else -1

    def per_rule(values: dict[str, Any]) -> int:
        for rule, rank in rules:
            if rule.matches(values):
                return rank
        return fallback

    expression = str(fallback)
    for rule in reversed(policy.rules):
        expression = f"({_text(rule.when, missing)}) ? {rule.tier.rank} : ({expression})"
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


def _loop(func: Callable[[Any], object], items: list[Any]) -> Callable[[], None]:
    def go() -> None:
        for item in items:
            func(item)

    return go


def _measure(policy: TierPolicy, count: int, where: str) -> tuple[list[Row], float, float, list[int]]:
    """Rows for *count* SKUs, the two speed-ups (grade, decide) over the faster rule-engine form, the tiers."""
    inputs = _inputs(count)
    renamed = [{_name(k): v for k, v in values.items()} for values in inputs]
    missing = frozenset(k for values in inputs for k, v in values.items() if v is None)
    per_rule, one_expression = _engine(policy, missing)
    tiers = [policy.grade(values).rank for values in inputs]
    if [per_rule(v) for v in renamed] != tiers or [one_expression(v) for v in renamed] != tiers:
        raise SystemExit("bench_peers: rule-engine and fenxiao disagree on a tier")
    # Best of seven, the cases taking turns (each turn warms its case up first): a disturbance of this shared
    # machine then slows every case alike instead of one.
    cases = {
        "engine_rules": _loop(per_rule, renamed),
        "engine_one": _loop(one_expression, renamed),
        "grade": _loop(policy.grade, inputs),
        "decide": _loop(policy.decide, inputs),
        "read": _loop(_read_in_full(policy), inputs),
    }
    best = interleaved_best(cases, repeat=7, warm=True)
    size = f" · {where}"
    engine_rules = Row("rule-engine: one Rule per rule" + size, count, best["engine_rules"], short="rule-engine")
    engine_one = Row("rule-engine: one expression" + size, count, best["engine_one"], short="rule-engine")
    baseline = min(engine_rules, engine_one, key=lambda r: r.seconds)
    rows = [
        engine_rules,
        engine_one,
        Row("fenxiao grade (no trace)" + size, count, best["grade"], baseline=baseline.name),
        Row("fenxiao decide (explanation kept)" + size, count, best["decide"], baseline=baseline.name),
        Row("fenxiao decide + explanation read" + size, count, best["read"], baseline=baseline.name),
    ]
    spread = np.bincount(np.array(tiers), minlength=6).tolist()
    return rows, baseline.seconds / best["grade"], baseline.seconds / best["decide"], spread


def run(quick: bool = False) -> str:
    """Time every case and return the table with the targets' verdicts."""
    try:
        importlib.import_module("rule_engine")
    except ImportError:
        return f"{TITLE}\n  skipped: rule-engine is not installed (make bench installs fenxiao[bench])"
    policy = default_tier_policy()
    rows, fast, explained, spread = _measure(policy, 2_000, "2k")
    notes = [
        f"2k: 2,000 distinct SKUs per pass (about 6 MB of inputs, which stay in the caches, as for a service"
        f" grading the SKU it has just loaded); tiers L0..L5: {spread}",
        "decide() captures every input value the policy reads and checks that each can be compared; the trace"
        " and gap are built from them when first read (the 'explanation read' rows read them all)",
    ]
    if not quick:
        cold, cold_fast, cold_explained, _ = _measure(policy, 10_000, "10k")
        rows += cold
        notes.append(
            f"10k: 10,000 SKUs (about 30 MB of inputs) no longer fit in the caches: fenxiao's lookups then wait on"
            f" memory and the speed-ups fall to {cold_fast:.0f}× (grade) and {cold_explained:.1f}× (decide);"
            " rule-engine, which computes far more per SKU, hardly changes"
        )
    lines = render(TITLE, rows, [], notes).split("\n")
    lines.append("  targets (issue 8): speed-ups over the faster rule-engine form, inputs in cache (higher is better)")
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
