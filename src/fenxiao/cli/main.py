"""The command line: ``python -m fenxiao`` (also installed as ``fenxiao``).

:data:`GROUPS` lists the command groups (:class:`fenxiao.cli.contract.CommandGroup`), one per module, in the
order of ``--help`` and of the ``demo`` command's sections; :func:`build_parser` registers ``demo`` and then
each group. Bad input is reported as one line on stderr with exit status 2, never as a traceback.

Starting is cheap: :data:`COMMANDS` names each command, its group's module and its one-line help, so that
``python -m fenxiao --help`` imports no group, and ``python -m fenxiao tier`` imports only the grading group
(``demo`` imports them all, for their sections). ``tests/cli/test_main.py`` checks that :data:`COMMANDS` says
what the groups register.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, TextIO

from fenxiao._version import __version__
from fenxiao.cli.parsing import EXIT_STATUSES, HelpFormatter, Parser
from fenxiao.errors import FenxiaoError

if TYPE_CHECKING:
    from fenxiao.cli.contract import Command, CommandGroup

    #: The command groups of ``python -m fenxiao`` after ``demo``, in help and demo order (loaded on first use).
    GROUPS: tuple[CommandGroup, ...]

__all__ = ["COMMANDS", "GROUPS", "build_parser", "main"]

#: The modules of the command groups after ``demo``, in help and demo order.
GROUP_MODULES: Final[tuple[str, ...]] = (
    "fenxiao.cli.score",
    "fenxiao.cli.grading",
    "fenxiao.cli.split",
    "fenxiao.cli.market",
    "fenxiao.cli.periods",
    "fenxiao.cli.changes",
    "fenxiao.cli.ledger",
    "fenxiao.cli.authoring",
    "fenxiao.cli.simulate",
    "fenxiao.cli.export",
)

#: Every command in ``--help`` order: its name, the module of its group (``None`` for ``demo``), its help line.
COMMANDS: Final[tuple[tuple[str, str | None, str], ...]] = (
    ("demo", None, "run the main job on the built-in sample catalog"),
    ("score", "fenxiao.cli.score", "score a catalog on the five dimensions (五维评分)"),
    ("scorecards", "fenxiao.cli.score", "print the default scorecards, to start your own file"),
    ("tier", "fenxiao.cli.grading", "grade a catalog L0-L5 (the built-in sample by default)"),
    ("explain", "fenxiao.cli.grading", "one SKU's scores, tier decision, trace and next-tier gap"),
    (
        "lint",
        "fenxiao.cli.grading",
        "check a rule file of any kind (found by itself); every finding with its line; exit 1 on errors",
    ),
    ("perks", "fenxiao.cli.grading", "the perks of every SKU of a catalog"),
    ("split", "fenxiao.cli.split", "split one order into every party's line"),
    ("admit", "fenxiao.cli.market", "decide admission for every merchant and listing in a catalog file"),
    ("pool", "fenxiao.cli.market", "the selection pool ranked for one influencer"),
    ("goals", "fenxiao.cli.market", "progress towards the program goals over seeded sample orders"),
    ("period", "fenxiao.cli.periods", "run one grading period with memory against a program state file"),
    ("diff", "fenxiao.cli.changes", "what-if: which SKUs change tier and perks under other models, at what cost"),
    ("drift", "fenxiao.cli.changes", "two period reports side by side: tier migration, score drift, rule hits"),
    ("ledger", "fenxiao.cli.ledger", "persist order events in a database and read ledger balances"),
    ("schema", "fenxiao.cli.authoring", "print the JSON Schema of a kind of rule file (for editors)"),
    ("test", "fenxiao.cli.authoring", "run the example cases of a policy (exit 1 on a failing case, with its trace)"),
    ("simulate", "fenxiao.cli.simulate", "simulate seasons of the program on many seeds; compare two configurations"),
    (
        "export",
        "fenxiao.cli.export",
        "print a default (policy, scorecards, perks, admission, profile, budgets, simulation, sample) as a "
        "starting file",
    ),
    (
        "inputs",
        "fenxiao.cli.export",
        "list the inputs a tier rule may compare (metrics, scores, days), with their ranges",
    ),
    (
        "plugins",
        "fenxiao.cli.export",
        "list the installed dimension scorers, metrics and perk kinds (plug-ins included)",
    ),
)

_DESCRIPTION: Final = (
    "The rules core of 快分销-style distribution. Every command reads the built-in sample catalog unless given "
    "--catalog FILE, prints --json on request, and names the option or file of any bad input."
)
_EPILOG: Final = (
    "example: python -m fenxiao demo\n"
    "example: python -m fenxiao tier --catalog my-catalog.json --policy my-policy.toml --json\n\n"
    f"{EXIT_STATUSES}. python -m fenxiao COMMAND --help shows a command's options and an example."
)


def _load_groups(modules: Sequence[str] = GROUP_MODULES) -> tuple[CommandGroup, ...]:
    return tuple(importlib.import_module(module).GROUP for module in modules)


def __getattr__(name: str) -> Any:
    """Load :data:`GROUPS` on first use (PEP 562), so that importing this module imports no group."""
    if name == "GROUPS":
        groups = _load_groups()
        globals()["GROUPS"] = groups
        return groups
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _top_parser() -> tuple[argparse.ArgumentParser, Any]:
    parser = Parser(prog="fenxiao", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"fenxiao {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="one of the commands below, each with its --help"
    )
    return parser, sub


def build_parser(groups: Sequence[CommandGroup] | None = None) -> argparse.ArgumentParser:
    """The argument parser for ``python -m fenxiao``: ``demo``, then the sub-commands of *groups* (all of
    :data:`GROUPS` by default)."""
    from fenxiao.cli.demo import demo_group

    chosen = _load_groups() if groups is None else tuple(groups)
    parser, sub = _top_parser()
    for group in (demo_group(chosen), *chosen):
        group.register(sub)
    return parser


def _index_parser() -> argparse.ArgumentParser:
    """The top-level parser from :data:`COMMANDS` alone: for ``--help``, ``--version`` and unknown commands."""
    parser, sub = _top_parser()
    for name, _, help_text in COMMANDS:
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The command word of *argv*: its first word that is not an option (the top level takes no values)."""
    return next((word for word in argv if not word.startswith("-")), None)


def _parser_for(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The smallest parser that parses *argv* as the full one would."""
    owner = {name: module for name, module, _ in COMMANDS}
    command = _command_of(argv)
    if command not in owner:  # --help, --version, no command, an unknown command: the index says it all
        return _index_parser()
    module = owner[command]
    return build_parser(None if module is None else _load_groups((module,)))


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, *, groups: Sequence[CommandGroup] | None = None
) -> int:
    """Run the command line; returns the exit status (0 ok, 1 findings, 2 bad input).

    A reader that closes the pipe early (``fenxiao demo | head``) ends the command quietly with status 0.

    *groups* defaults to every shipped group (:data:`GROUPS`, loaded only as far as the command needs);
    tests pass their own to try one group, or a new one.
    """
    stream = out if out is not None else sys.stdout
    words = list(sys.argv[1:] if argv is None else argv)
    parser = _parser_for(words) if groups is None else build_parser(groups)
    try:
        # --version and --help print to *out*; usage errors go to stderr. Either way, return the status.
        with contextlib.redirect_stdout(stream):
            args, extras = parser.parse_known_args(words)
            if extras:  # reported by the command's own parser, so that the message names the command
                _command_parser(parser, args).error(f"unrecognized arguments: {' '.join(extras)}")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    func: Command = args.func
    try:
        status = func(args, stream)
        stream.flush()
    except FenxiaoError as exc:
        print(f"fenxiao {args.command}: {exc}", file=sys.stderr)
        return 2
    except UnicodeEncodeError as exc:  # text the output cannot hold (a lone surrogate): one line, not a traceback
        print(
            f"fenxiao {args.command}: cannot write {exc.object[exc.start : exc.end]!r} ({exc.reason})", file=sys.stderr
        )
        return 2
    except BrokenPipeError:  # the reader stopped reading (`fenxiao demo | head`): end quietly
        _quiet_stdout()
        return 0
    return status


def _command_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the (sub-)command *args* chose, found by following the sub-command words down from *parser*
    (argparse offers no public way to its sub-parsers: this reads its actions)."""
    while True:
        chosen = [
            action.choices[getattr(args, action.dest)]
            for action in parser._actions
            if isinstance(action, argparse._SubParsersAction) and getattr(args, action.dest, None) is not None
        ]
        if not chosen:
            return parser
        parser = chosen[0]


def _quiet_stdout() -> None:
    """Point the process's stdout at the null device, so that the interpreter's last flush of a closed pipe
    raises nothing (the recipe of the Python docs on SIGPIPE)."""
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's StringIO): nothing to silence
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)
