"""Row (c) of issue 21 in CPU time: ``decide`` with the whole explanation read against the hand explained decision.

The two cases of ``bench_object.py`` (its 500 decisions, checked equal first), interleaved, best of N passes by
``time.process_time`` (which a shared machine's load disturbs much less than wall time), with ``decide()`` alone
for reference. With ``--passes-of CASE N`` it runs one case N times and nothing else, for an instruction count::

    python benchmarks/explained_cpu.py                    # hand / fenxiao / decide, and the ratio
    valgrind --tool=cachegrind --cache-sim=no python benchmarks/explained_cpu.py --passes-of fenxiao 40
    valgrind --tool=cachegrind --cache-sim=no python benchmarks/explained_cpu.py --passes-of fenxiao 0
    # instructions per decision: (the first count - the second) / (40 * 500)

Against another tree of the library: ``PYTHONPATH=/that/tree/src python benchmarks/explained_cpu.py``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_object


def _cases() -> dict[str, Callable[[], None]]:
    inputs = bench_object._explained_inputs(500)
    for i, values in enumerate(inputs):
        if bench_object.hand_explained(values) != bench_object.explained_form(bench_object._POLICY.decide(values)):
            raise SystemExit(f"explained_cpu: the hand explained decision of record {i} differs from fenxiao's")
    decide = bench_object._POLICY.decide

    def hand() -> None:
        for values in inputs:
            bench_object.hand_explained(values)

    def fenxiao() -> None:
        for values in inputs:
            bench_object.fenxiao_explained(values)

    def decide_only() -> None:
        for values in inputs:
            decide(values)

    return {"hand": hand, "fenxiao": fenxiao, "decide": decide_only}


def main(argv: list[str]) -> None:
    """Print the best CPU time of each case and the ratio, or run one case (``--passes-of CASE N``)."""
    cases = _cases()
    if argv[:1] == ["--passes-of"]:
        case, passes = cases[argv[1]], int(argv[2])
        case()
        case()  # warm: the first explanations compile their functions
        for _ in range(passes):
            case()
        return
    best: dict[str, float] = {}
    for _ in range(25):
        for name, case in cases.items():
            start = time.process_time()
            case()
            best[name] = min(best.get(name, float("inf")), time.process_time() - start)
    shown = ", ".join(f"{name} {seconds * 1e3:.2f} ms" for name, seconds in best.items())
    print(f"500 decisions, best of 25 in CPU time: {shown}; fenxiao / hand {best['fenxiao'] / best['hand']:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
