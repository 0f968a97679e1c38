"""Timing, peak memory and tables for the batch benchmarks (rows per second, ratios, targets met or missed)."""

from __future__ import annotations

import gc
import os
import sys
import timeit
import tracemalloc
from collections.abc import Callable, Mapping, Sequence

import attrs


def full_requested() -> bool:
    """Whether the opt-in 10M-row cases should run: ``--full`` on the command line or ``FENXIAO_BENCH_FULL=1``."""
    return "--full" in sys.argv or os.environ.get("FENXIAO_BENCH_FULL") == "1"


def best_seconds(func: Callable[[], object], repeat: int) -> float:
    """The best of *repeat* single calls, in seconds (the least disturbed run)."""
    gc.collect()
    return min(timeit.repeat(func, number=1, repeat=repeat))


def interleaved_best(cases: Mapping[str, Callable[[], object]], repeat: int, *, warm: bool = False) -> dict[str, float]:
    """The best of *repeat* single calls of each case, in seconds, the cases taking turns (round robin).

    With *warm*, each turn runs the case once untimed before timing it, so that every case is timed with its
    own data in the caches (for per-item timings whose working sets evict each other). Batch cases leave it off:
    an untimed call just before would also hand the timed one recycled memory, which a one-shot batch job does
    not get.
    """
    gc.collect()
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(repeat):
        for name, func in cases.items():
            if warm:
                func()
            best[name] = min(best[name], timeit.timeit(func, number=1))
    return best


def against_limit(
    limit: tuple[str, Callable[[], object]],
    mine: tuple[str, Callable[[], object]],
    rows: int,
    repeat: int,
    memory: bool = False,
) -> tuple[Row, Row]:
    """Two rows, a hand-written limit and fenxiao's version (named, called), timed in turns (so that a disturbance
    of the shared machine slows both alike); with *memory*, their peak memory too."""
    (limit_name, limit_call), (mine_name, mine_call) = limit, mine
    best = interleaved_best({"limit": limit_call, "mine": mine_call}, repeat)
    limit_row = Row(limit_name, rows, best["limit"], peak_bytes(limit_call) if memory else None, short="limit")
    mine_row = Row(mine_name, rows, best["mine"], peak_bytes(mine_call) if memory else None, baseline=limit_name)
    return limit_row, mine_row


def peak_bytes(func: Callable[[], object]) -> int:
    """The most memory Python and NumPy held at once during one call, beyond what they held before it."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


@attrs.frozen
class Row:
    """One timed case: what, how many rows, seconds, extra memory at peak, and the case it is compared with."""

    name: str
    rows: int
    seconds: float
    peak: int | None = None
    baseline: str | None = None
    short: str = ""  # how ratios against this row name it


@attrs.frozen
class Target:
    """A target from the issue: a measured ratio (or value) against its limit."""

    what: str
    value: float
    limit: float
    unit: str = "×"
    why: str = ""

    @property
    def met(self) -> bool:
        return self.value <= self.limit

    def __str__(self) -> str:
        verdict = "met" if self.met else "MISSED"
        why = f" ({self.why})" if self.why and not self.met else ""
        return f"  {self.what:<62} {self.value:>9.2f}{self.unit}  target ≤ {self.limit:g}{self.unit}  {verdict}{why}"


def _rate(rows: int, seconds: float) -> str:
    per_second = rows / seconds if seconds > 0 else float("inf")
    if per_second >= 1e6:
        return f"{per_second / 1e6:,.2f} M/s"
    if per_second >= 1e3:
        return f"{per_second / 1e3:,.1f} k/s"
    return f"{per_second:,.0f} /s"


def _time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:,.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:,.1f} ms"
    return f"{seconds * 1e6:,.1f} µs"


def render(
    title: str, rows: Sequence[Row], targets: Sequence[Target], notes: Sequence[str] = (), *, issue: int = 8
) -> str:
    """A table of the cases (time, throughput, peak memory, ratio to their baseline) and the targets' verdicts
    (the targets of *issue*)."""
    by_name = {r.name: r for r in rows}
    lines = [title, f"  {'case':<58} {'rows':>11} {'time':>10} {'rows/s':>11} {'peak mem':>10} {'ratio':>22}"]
    for r in rows:
        peak = f"{r.peak / 2**20:,.0f} MiB" if r.peak is not None else ""
        ratio = ""
        if r.baseline is not None and r.baseline in by_name:
            base = by_name[r.baseline]
            per_row = (r.seconds / r.rows) / (base.seconds / base.rows)
            ratio = f"{per_row:.2f}× {base.short or base.name}"
        lines.append(
            f"  {r.name:<58} {r.rows:>11,} {_time(r.seconds):>10} {_rate(r.rows, r.seconds):>11} {peak:>10} {ratio:>22}"
        )
    if targets:
        lines.append(f"  targets (issue {issue}):")
        lines.extend(str(t) for t in targets)
    lines.extend(f"  note: {note}" for note in notes)
    return "\n".join(lines)
