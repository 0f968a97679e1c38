"""Coverage-guided fuzzing of the rule-file loaders: ``make fuzz`` or ``python tools/fuzz.py [TARGET] --seconds N``.

Each target feeds bytes to one loader (``fenxiao.serialization.loads``) as JSON and as TOML: a tier policy, a
catalog, scorecards. The loader must return a value or raise a ``FenxiaoError``; any other exception (a
``KeyError``, a ``RecursionError``, a crash) is a finding: atheris stops, prints the input and writes it as
``crash-*`` in the working directory. Make each finding an example test (``tests/test_fuzz_findings.py``) and add
the input to ``fuzz/corpus/<target>/``.

The seed corpus in ``fuzz/corpus/`` (the shipped defaults, docs examples, a small catalog) starts each run; atheris
(extra ``fenxiao[fuzz]``) mutates it guided by coverage. Runs are bounded in time (``--seconds``, 60 per target by
default) and never part of ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
TARGETS = ("policy", "catalog", "scorecards")


def one_input(target: str) -> Callable[[bytes], None]:
    """The fuzz function of *target*: load the bytes both ways; only a FenxiaoError may escape, and is caught."""
    # Imported here, inside atheris' instrument_imports() in run_target, so that fenxiao is instrumented for coverage.
    from fenxiao.domain.catalog import Catalog  # noqa: PLC0415
    from fenxiao.errors import FenxiaoError  # noqa: PLC0415
    from fenxiao.grading.tiers import TierPolicy  # noqa: PLC0415
    from fenxiao.scoring.scorecards import Scorecards  # noqa: PLC0415
    from fenxiao.serialization import loads  # noqa: PLC0415

    cls = {"policy": TierPolicy, "catalog": Catalog, "scorecards": Scorecards}[target]

    def test(data: bytes) -> None:
        for fmt in ("json", "toml"):
            with contextlib.suppress(FenxiaoError):
                loads(data, cls, format=fmt)

    return test


def run_target(target: str, seconds: int) -> int:
    """Fuzz *target* for *seconds* in this process (atheris takes over ``sys.argv``); returns atheris' status."""
    atheris: Any = importlib.import_module("atheris")  # extra fenxiao[fuzz]; untyped
    seeds = CORPUS / target
    work = ROOT / ".fuzz" / target  # new inputs go here (libFuzzer writes to its first corpus); seeds stay as kept
    work.mkdir(parents=True, exist_ok=True)
    with atheris.instrument_imports(include=["fenxiao"]):
        test = one_input(target)
    atheris.Setup([sys.argv[0], f"-max_total_time={seconds}", "-rss_limit_mb=4096", str(work), str(seeds)], test)
    atheris.Fuzz()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", choices=(*TARGETS, []), help="targets to fuzz (all by default)")
    parser.add_argument("--seconds", type=int, default=60, help="how long each target runs (default 60)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process runs one target
    args = parser.parse_args()
    if args.one:
        return run_target(args.one, args.seconds)
    status = 0
    for target in args.targets or TARGETS:
        print(f"== fuzzing {target} for {args.seconds} s (corpus {CORPUS / target})", flush=True)
        done = subprocess.run([sys.executable, __file__, "--one", target, "--seconds", str(args.seconds)], check=False)
        status = status or done.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
