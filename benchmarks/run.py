"""Run the benchmarks: ``make bench`` or ``python benchmarks/run.py [--quick] [NAME ...]``."""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmark modules to run (bench_NAME.py); all by default")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--full", action="store_true", help="add the 10M-SKU cases (slow; read by the modules)")
    parser.add_argument("--dask-rows", type=int, help="SKUs in bench_periods' Dask case (10M by default, 1M quick)")
    args = parser.parse_args()
    if args.dask_rows is not None:
        os.environ["FENXIAO_BENCH_DASK_ROWS"] = str(args.dask_rows)
    names = args.names or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    for name in names:
        module = importlib.import_module(f"bench_{name}")
        print()
        print(module.run(quick=args.quick))


if __name__ == "__main__":
    main()
