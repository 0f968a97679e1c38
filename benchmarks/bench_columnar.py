"""The columnar path against the object path and the hand-written NumPy limit: grading and the whole pipeline.

Sizes: 10k, 100k and 1M SKUs (``--quick``: 10k and 100k); 10M with ``--full`` (or ``FENXIAO_BENCH_FULL=1``).
The object path runs on the first 10,000 SKUs (2,000 with ``--quick``): at its speed a million would take
minutes. Every size checks that the columnar path and the hand-written version agree on every value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from _generate import AS_OF, input_bytes, sku_columns, snapshots
from _handwritten import grade as hand_grade
from _handwritten import pipeline as hand_pipeline
from _throughput import Row, Target, against_limit, best_seconds, full_requested, render

from fenxiao.columnar import grade_columns, run_pipeline
from fenxiao.grading.inputs import tier_inputs
from fenxiao.grading.perks import default_perk_catalog, resolve_perks
from fenxiao.grading.tiers import default_tier_policy
from fenxiao.scoring.context import build_context
from fenxiao.scoring.defaults import default_scorer

TITLE = "columnar: grading and the whole pipeline (one core)"
_GRADE_ARGS = (
    "composite",
    "score.brand",
    "score.price",
    "score.distribution",
    "score.service",
    "score.sales",
    "units_30d",
    "days_since_joining",
    "serious_violations_365d",
)


def _object_pipeline(columns: dict[str, Any], rows: int) -> Callable[[], object]:
    """The object path's work for *rows* SKUs: scores, tier (no trace), perks, one SKU at a time."""
    batch = snapshots(columns, rows)
    scorer, policy, catalog = default_scorer(), default_tier_policy(), default_perk_catalog()
    standing = columns["merchant_standing"]

    def run() -> list[object]:
        context = build_context(batch)
        cards = scorer.score_many(batch, context)
        out: list[object] = []
        for i, (snapshot, card) in enumerate(zip(batch, cards, strict=True)):
            scores: dict[str, object] = {f"score.{d.value}": v for d, v in card.values().items()}
            scores["composite"] = card.composite
            inputs = tier_inputs(snapshot, scores, AS_OF)
            tier = policy.grade(inputs)
            perk_inputs = {**inputs, "merchant_standing": standing.labels[standing.codes[i]]}
            out.append(resolve_perks(catalog, tier, perk_inputs, at=AS_OF))
        return out

    return run


def _check_same(columnar: dict[str, Any], hand: dict[str, Any], size: int) -> None:
    for name, values in hand.items():
        if not np.array_equal(np.asarray(columnar[name]), values):
            raise SystemExit(f"bench_columnar: the hand-written {name} differs from fenxiao's at {size:,} SKUs")


def _label(size: int) -> str:
    return f"{size // 1000:,}k" if size < 1_000_000 else f"{size // 1_000_000}M"


def _pipeline_rows(columns: dict[str, Any], size: int, repeat: int, memory: bool) -> tuple[Row, Row]:
    """The hand-written limit and fenxiao's run_pipeline at one size (peak memory too when *memory*)."""
    label = _label(size)
    return against_limit(
        (f"pipeline {label}: hand-written NumPy (limit)", lambda: hand_pipeline(columns)),
        (f"pipeline {label}: fenxiao.columnar.run_pipeline", lambda: run_pipeline(columns)),
        size,
        repeat,
        memory,
    )


def _grading_rows(columns: dict[str, Any], hand: dict[str, Any], size: int) -> tuple[Row, Row]:
    """Scores → tier: np.select written by hand against grade_columns on the same score columns."""
    grade_in = {name: hand[name] if name in hand else columns[name] for name in _GRADE_ARGS}
    args = [grade_in[name] for name in _GRADE_ARGS]
    if not np.array_equal(grade_columns(grade_in)["tier"], hand_grade(*args)):
        raise SystemExit("bench_columnar: grading differs from the hand-written np.select")
    label = _label(size)
    return against_limit(
        (f"grading {label}: hand-written np.select (limit)", lambda: hand_grade(*args)),
        (f"grading {label}: fenxiao.columnar.grade_columns", lambda: grade_columns(grade_in)),
        size,
        7,
    )


def run(quick: bool = False) -> str:
    """Time every case and return the table with the targets' verdicts."""
    full = full_requested()
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    if full:
        sizes.append(10_000_000)
    target_size = 100_000 if quick else 1_000_000
    object_rows = 2_000 if quick else 10_000
    rows: list[Row] = []
    targets: list[Target] = []
    notes: list[str] = []
    for size in sizes:
        columns = sku_columns(size)
        hand = hand_pipeline(columns)
        _check_same(run_pipeline(columns), hand, size)
        if size == sizes[0]:
            rows.append(
                Row(
                    f"pipeline: object path ({object_rows:,} SKUs, no trace)",
                    object_rows,
                    best_seconds(_object_pipeline(columns, object_rows), 1),
                    short="object path",
                )
            )
        repeat = 1 if size >= 10_000_000 else 2 if quick else 3
        limit, mine = _pipeline_rows(columns, size, repeat, memory=size >= target_size)
        rows += [limit, mine]
        label = _label(size)
        if size == target_size:
            targets.append(
                Target(f"full pipeline {label} within 3× of the hand-written NumPy", mine.seconds / limit.seconds, 3)
            )
            if size == 1_000_000:
                targets.append(Target("full pipeline 1M under 2 seconds", mine.seconds, 2, " s"))
            g_limit, g_mine = _grading_rows(columns, hand, size)
            rows += [g_limit, g_mine]
            targets.append(
                Target(
                    f"grading (scores → tier) {label} within 1.5× of np.select", g_mine.seconds / g_limit.seconds, 1.5
                )
            )
        if size == 10_000_000 and mine.peak is not None:
            held = input_bytes(columns)
            targets.append(Target("10M pipeline: input + peak extra memory, in inputs", (held + mine.peak) / held, 2))
            notes.append(
                f"10M: the input columns hold {held / 2**30:.2f} GiB; run_pipeline's peak extra was "
                f"{mine.peak / 2**30:.2f} GiB, results included"
            )
    object_row = rows[0]
    biggest = next(r for r in reversed(rows) if r.name.endswith("run_pipeline"))
    speedup = (object_row.seconds / object_row.rows) / (biggest.seconds / biggest.rows)
    notes.append(f"per SKU, run_pipeline at {biggest.rows:,} is {speedup:,.0f}× the object path's throughput")
    if quick:
        notes.append("--quick measures the targets at 100k; the issue sets them at 1M (run without --quick)")
    if not full:
        notes.append("the 10M-SKU memory case is opt-in: python benchmarks/bench_columnar.py --full")
    notes.append("peak mem: the most NumPy and Python held at once during one call beyond its inputs (tracemalloc)")
    return render(TITLE, rows, targets, notes)


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
