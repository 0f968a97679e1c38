"""The one convention of every command's parser: one-line usage errors, an example and the exit statuses in --help.

Every parser of ``python -m fenxiao`` is a :class:`Parser` (sub-command parsers inherit the class), so a usage error
(a missing option, an unknown choice, a value argparse cannot convert) is one line on stderr with status 2, the
same as any other bad input:

>>> import contextlib, io
>>> parser = Parser(prog="fenxiao tier")
>>> _ = parser.add_argument("--page", type=int, help="the page")
>>> err = io.StringIO()
>>> with contextlib.redirect_stderr(err):
...     try:
...         parser.parse_args(["--page", "x"])
...     except SystemExit as exc:
...         print(exc.code)
2
>>> print(err.getvalue(), end="")
fenxiao tier: --page: invalid int value: 'x' (see fenxiao tier --help)

:func:`add_command` adds a sub-command whose ``--help`` ends with its example(s) and :data:`EXIT_STATUSES`. This
module imports nothing but the standard library, so that ``python -m fenxiao --help`` stays cheap.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, NoReturn

if TYPE_CHECKING:
    from fenxiao.cli.contract import Subparsers

__all__ = ["EXIT_STATUSES", "HelpFormatter", "Parser", "add_command", "epilog"]

#: What every command's exit status means; the last paragraph of every ``--help``.
EXIT_STATUSES: Final = (
    "exit status: 0 ok; 1 findings (lint errors, failing rule cases); 2 bad input (one line on stderr naming the "
    "option or file)"
)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, keeping the lines of a paragraph that shows commands (``example: ...``) as written.

    Other paragraphs of a description or epilog are wrapped to the terminal as usual; paragraphs are separated by a
    blank line.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if any(line.startswith(("example:", "  ")) for line in lines):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(super()._fill_text(paragraph, width, indent))
        return "\n\n".join(paragraphs)


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: ``PROG: problem (see PROG --help)``, status 2.

    argparse's ``argument --page: ...`` reads ``--page: ...``, as the errors a command raises do.
    """

    def error(self, message: str) -> NoReturn:
        """Report a usage error in one line on stderr and exit with status 2 (argparse prints the usage first)."""
        self.exit(2, f"{self.prog}: {message.removeprefix('argument ')} (see {self.prog} --help)\n")


def epilog(examples: str | Sequence[str]) -> str:
    """The end of a command's ``--help``: one ``example:`` line per example, then :data:`EXIT_STATUSES`.

    >>> print(epilog("python -m fenxiao tier --json"))
    example: python -m fenxiao tier --json
    <BLANKLINE>
    exit status: 0 ok; 1 findings (lint errors, failing rule cases); 2 bad input (one line on stderr naming ...
    """
    lines = [examples] if isinstance(examples, str) else list(examples)
    return "\n".join(f"example: {line}" for line in lines) + "\n\n" + EXIT_STATUSES


def add_command(
    sub: Subparsers, name: str, *, help: str, example: str | Sequence[str], description: str | None = None
) -> argparse.ArgumentParser:
    """Add the parser of command *name* to *sub*: *help* in the command list, *example* and the exit statuses at the
    end of its ``--help``; *description* (or *help*, as a sentence) at its top."""
    return sub.add_parser(
        name,
        help=help,
        description=description if description is not None else f"{help[0].upper()}{help[1:]}.",
        epilog=epilog(example),
        formatter_class=HelpFormatter,
    )
