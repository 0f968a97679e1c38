"""The command line: ``python -m fenxiao`` (also installed as ``fenxiao``).

:data:`GROUPS` lists the command groups (:class:`fenxiao.cli.contract.CommandGroup`), one per module, in the
order of ``--help`` and of the ``demo`` command's sections; :func:`build_parser` registers ``demo`` and then
each group. Bad input is reported as one line on stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import TextIO

from fenxiao._version import __version__
from fenxiao.cli import authoring, changes, grading, ledger, market, periods, score, simulate, split
from fenxiao.cli.contract import Command, CommandGroup
from fenxiao.cli.demo import demo_group
from fenxiao.errors import FenxiaoError

__all__ = ["GROUPS", "build_parser", "main"]

#: The command groups of ``python -m fenxiao`` after ``demo``, in help and demo order.
GROUPS: tuple[CommandGroup, ...] = (
    score.GROUP,
    grading.GROUP,
    split.GROUP,
    market.GROUP,
    periods.GROUP,
    changes.GROUP,
    ledger.GROUP,
    authoring.GROUP,
    simulate.GROUP,
)


def build_parser(groups: Sequence[CommandGroup] = GROUPS) -> argparse.ArgumentParser:
    """The argument parser for ``python -m fenxiao``: ``demo``, then the sub-commands of *groups*."""
    parser = argparse.ArgumentParser(prog="fenxiao", description="The rules core of 快分销-style distribution.")
    parser.add_argument("--version", action="version", version=f"fenxiao {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (demo_group(groups), *groups):
        group.register(sub)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, *, groups: Sequence[CommandGroup] = GROUPS
) -> int:
    """Run the command line; returns the exit status (0 ok, 1 findings, 2 bad input).

    *groups* defaults to :data:`GROUPS`; tests pass their own to try one group, or a new one.
    """
    stream = out if out is not None else sys.stdout
    parser = build_parser(groups)
    try:
        # --version and --help print to *out*; usage errors go to stderr. Either way, return the status.
        with contextlib.redirect_stdout(stream):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    func: Command = args.func
    try:
        return func(args, stream)
    except FenxiaoError as exc:
        print(f"fenxiao {args.command}: {exc}", file=sys.stderr)
        return 2
