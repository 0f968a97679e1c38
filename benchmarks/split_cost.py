"""CPU time and instruction counts of ``bench_object``'s split rows (issue 21), for comparing two trees on a shared
machine, where wall-time ratios move with the load.

``python benchmarks/split_cost.py`` times the hand split, ``split()`` and ``split()`` with its lines read on the
same 500 orders as ``bench_object`` (checked to agree first), in turns, best of 40 passes, in CPU time
(``time.process_time``), and prints each per order with its ratio to the hand split.

``python benchmarks/split_cost.py --count CASE`` (``hand``, ``split`` or ``read``) runs that case for one warm pass,
then ten passes inside ``itertools.starmap``, so that callgrind counts only those passes::

    PYTHONHASHSEED=0 valgrind --tool=callgrind --toggle-collect=starmap_next --callgrind-out-file=/dev/null \\
        .venv/bin/python benchmarks/split_cost.py --count split     # "Collected" / 5,000 = instructions per order

Not a ``bench_*`` module: ``run.py`` does not run it.
"""

from __future__ import annotations

import collections
import itertools
import sys
import time
from collections.abc import Callable

from _generate import order_columns
from bench_object import hand_split
from bench_settlement import _orders

from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import split

COUNT = 500
PASSES = 10


def cases(orders: list[Order]) -> dict[str, Callable[[], None]]:
    """The three cases, each one pass over *orders*."""
    profile = PlatformProfile()

    def hand() -> None:
        for order in orders:
            hand_split(order)

    def fenxiao() -> None:
        for order in orders:
            split(order, profile)

    def read() -> None:
        for order in orders:
            split(order, profile).lines  # noqa: B018 - reading the lines is the case

    for order in orders:
        if [(line.party.value, line.amount.fen) for line in split(order, profile).lines] != hand_split(order):
            raise SystemExit(f"split_cost: the hand split of order {order.id} differs from split()")
    return {"hand": hand, "split": fenxiao, "read": read}


def main(argv: list[str]) -> None:
    """Time the cases in CPU time, or run one for callgrind (``--count CASE``)."""
    run = cases(_orders(order_columns(COUNT), COUNT))
    if argv[:1] == ["--count"]:
        case = run[argv[1]]
        case()

        def passes() -> None:
            for _ in range(PASSES):
                case()

        collections.deque(itertools.starmap(passes, [()]), 0)  # callgrind --toggle-collect=starmap_next
        return
    for case in run.values():
        case()
    best = dict.fromkeys(run, float("inf"))
    for _ in range(40):
        for name, case in run.items():
            start = time.process_time()
            case()
            best[name] = min(best[name], time.process_time() - start)
    for name, seconds in best.items():
        print(f"{name:6} {seconds * 1e6 / COUNT:6.2f} µs CPU per order  {seconds / best['hand']:5.2f}×")


if __name__ == "__main__":
    main(sys.argv[1:])
