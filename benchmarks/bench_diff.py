"""The columnar what-if diff of two policies against one run of the columnar pipeline over the same rows.

Sizes: 100k and 1M SKUs (``--quick``: 10k and 100k). The diff grades the rows under the default policy and under
the same policy with its L5 bar at composite 88 (the issue's example): the scorecards agree, so each chunk is
scored once and graded and resolved twice. A second case changes the composite weights too, so the rows are
scored twice (the slow path). Every size first checks that the diff's tiers are those of two run_pipeline calls.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
from _generate import sku_columns
from _throughput import Row, Target, interleaved_best, render

from fenxiao.columnar import run_pipeline
from fenxiao.columnar.diff import measure_diff_columns
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.periods.models import Models
from fenxiao.rules.language import All, Compare
from fenxiao.scoring.dimensions import CompositeWeights
from fenxiao.scoring.scorecards import Scorecards

TITLE = "columnar what-if diff of two policies, against one run_pipeline over the same rows (one core)"


def _lowered(bar: int) -> TierPolicy:
    """The default policy with the composite bar of its L5 rule at *bar* instead of 90."""
    policy = default_tier_policy()

    def lower(rule: Any) -> Any:
        if rule.name != "selected-goods" or not isinstance(rule.when, All):
            return rule
        parts = tuple(
            attrs.evolve(c, value=Decimal(bar)) if isinstance(c, Compare) and c.input == "composite" else c
            for c in rule.when.conditions
        )
        return attrs.evolve(rule, when=All(parts))

    return attrs.evolve(policy, rules=tuple(lower(r) for r in policy.rules))


def _cpu_seconds(func: Callable[[], object]) -> float:
    """The CPU time of one call of *func* (this process only: what waiting for a busy core does not inflate)."""
    start = time.process_time()
    func()
    return time.process_time() - start


def _label(size: int) -> str:
    return f"{size // 1000:,}k" if size < 1_000_000 else f"{size // 1_000_000}M"


def _check(columns: dict[str, Any], base: Models, other: Models, size: int) -> str:
    """The diff's tiers against two run_pipeline calls; returns a note with what moved."""
    diff = measure_diff_columns(columns, base, other)
    for name, models, tiers in (("base", base, diff.tier_before), ("other", other, diff.tier_after)):
        expected = run_pipeline(columns, scorer=models.scorer, policy=models.policy, perks=models.perks)["tier"]
        if not np.array_equal(expected, tiers):
            raise SystemExit(f"bench_diff: the diff's {name} tiers differ from run_pipeline's at {size:,} SKUs")
    moved = int(diff.matrix.sum() - np.trace(diff.matrix))
    return (
        f"{_label(size)}: the L5 bar at 88 moves {moved:,} SKUs ({int(diff.matrix[4, 5]):,} L4 → L5), "
        f"{int(diff.changed.sum()):,} change; subsidy estimate {diff.subsidy_change_fen / 100:+,.2f} yuan a month"
    )


def run(quick: bool = False) -> str:
    """Time every case and return the table with the target's verdict."""
    sizes = [10_000, 100_000] if quick else [100_000, 1_000_000]
    target_size = sizes[-1]
    repeat = 2 if quick else 3
    base = Models()
    policy = Models(policy=_lowered(88))
    weights = Models(
        policy=_lowered(88),
        scorecards=Scorecards(weights=CompositeWeights(brand=Decimal("0.1"), sales=Decimal("0.3"))),
    )
    rows: list[Row] = []
    targets: list[Target] = []
    notes: list[str] = []
    for size in sizes:
        columns = sku_columns(size)
        notes.append(_check(columns, base, policy, size))
        label = _label(size)
        pipeline_name = f"run_pipeline {label} (one grading: the baseline)"
        diff_name = f"measure_diff_columns {label}: L5 bar 90 → 88"
        both_name = f"measure_diff_columns {label}: bar and composite weights"
        best = interleaved_best(
            {
                pipeline_name: functools.partial(run_pipeline, columns),
                diff_name: functools.partial(measure_diff_columns, columns, base, policy),
                both_name: functools.partial(measure_diff_columns, columns, base, weights),
            },
            repeat,
        )
        rows.append(Row(pipeline_name, size, best[pipeline_name], short="run_pipeline"))
        rows.append(Row(diff_name, size, best[diff_name], baseline=pipeline_name))
        rows.append(Row(both_name, size, best[both_name], baseline=pipeline_name))
        if size == target_size:
            targets.append(Target(f"what-if diff of two policies over {label} SKUs", best[diff_name], 3, " s"))
            cpu = _cpu_seconds(functools.partial(measure_diff_columns, columns, base, policy))
            notes.append(
                f"{label}: one diff took {cpu:.2f} s of CPU time (on a shared machine the wall time above is longer)"
            )
    notes.append("the scorecards agree in the first diff: scored once, graded and resolved twice")
    notes.append("the second diff changes the composite weights too: the rows are scored twice")
    if quick:
        notes.append("--quick measures the target at 100k; the issue sets it at 1M (run without --quick)")
    return render(TITLE, rows, targets, notes)


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
