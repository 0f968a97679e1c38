"""Running the command line in-process, as every CLI test does."""

from __future__ import annotations

from collections.abc import Sequence
from io import StringIO

from fenxiao.cli.contract import CommandGroup
from fenxiao.cli.main import main


def run(argv: Sequence[str], *groups: CommandGroup) -> tuple[int, str]:
    """Run ``fenxiao ARGV`` with only *groups* (every shipped group when none are given, loaded as ``main`` does).

    Returns the exit status and what the command wrote to its output stream.
    """
    out = StringIO()
    status = main(list(argv), out, groups=groups or None)
    return status, out.getvalue()
