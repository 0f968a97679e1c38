"""Start-up cost: ``import fenxiao`` and ``python -m fenxiao --help`` against a bare interpreter start.

Each case is a fresh interpreter (``subprocess``), timed by wall clock, best of N; the baseline is
``python -c pass`` in the same run, and the ratio is what the issue's targets (import under 0.2 s, ``--help``
under 0.3 s) are read against on a given machine.
"""

from __future__ import annotations

import subprocess
import sys
import time

from _harness import Result, render

TITLE = "start-up: fresh interpreters, wall clock (best of N)"
BASELINE = "python -c pass (baseline)"


def _best(argv: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def run(quick: bool = False) -> str:
    """Time the start-up cases and the bare interpreter; return the table."""
    repeat = 5 if quick else 15
    py = sys.executable
    cases = [
        (BASELINE, [py, "-c", "pass"]),
        ("import fenxiao", [py, "-c", "import fenxiao"]),
        ("import fenxiao; fenxiao.Money", [py, "-c", "import fenxiao; fenxiao.Money"]),
        ("every name of fenxiao.__all__", [py, "-c", "import fenxiao; [getattr(fenxiao, n) for n in fenxiao.__all__]"]),
        ("python -m fenxiao --help", [py, "-m", "fenxiao", "--help"]),
        ("python -m fenxiao tier --help", [py, "-m", "fenxiao", "tier", "--help"]),
        ("python -m fenxiao tier (200-SKU sample)", [py, "-m", "fenxiao", "tier"]),
    ]
    results = [Result(name, _best(argv, repeat), None if name == BASELINE else BASELINE) for name, argv in cases]
    return render(TITLE, results)
