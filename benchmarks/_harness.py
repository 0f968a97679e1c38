"""A tiny timing harness: best-of-N repeats of timeit, reported per operation and as ratios."""

from __future__ import annotations

import timeit
from collections.abc import Callable, Sequence

import attrs


@attrs.frozen
class Result:
    """One timed case: its name, seconds per call, and its baseline's name (if any)."""

    name: str
    seconds: float
    baseline: str | None = None


def best_of(func: Callable[[], object], *, number: int, repeat: int) -> float:
    """Seconds per call: the best of *repeat* runs of *number* calls (the least disturbed run)."""
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def render(title: str, results: Sequence[Result]) -> str:
    """Format results as a table with ops/s and the ratio to each row's baseline."""
    by_name = {r.name: r for r in results}
    lines = [title, f"  {'case':<46} {'per call':>12} {'ops/s':>14} {'vs baseline':>24}"]
    for r in results:
        per = f"{r.seconds * 1e6:,.3f} µs"
        ops = f"{1 / r.seconds:,.0f}" if r.seconds > 0 else "inf"
        ratio = ""
        if r.baseline is not None and r.baseline in by_name:
            base = by_name[r.baseline].seconds
            ratio = f"{r.seconds / base:.2f}× {r.baseline}"
        lines.append(f"  {r.name:<46} {per:>12} {ops:>14} {ratio:>24}")
    return "\n".join(lines)
