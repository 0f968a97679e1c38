"""The convention of every parser: one-line usage errors, an example and the exit statuses at the end of --help."""

from __future__ import annotations

import argparse
import contextlib
import io
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.cli.contract import Subparsers
from fenxiao.cli.parsing import EXIT_STATUSES, HelpFormatter, Parser, add_command, epilog


def _errors(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as caught:
        parser.parse_args(argv)
    return caught.value.code, err.getvalue()


def _command(name: str = "brands", example: str = "python -m fenxiao brands --top 2") -> argparse.ArgumentParser:
    top = Parser(prog="fenxiao")
    sub = cast("Subparsers", top.add_subparsers(dest="command", required=True))  # sub-parsers of the class Parser
    parser = add_command(sub, name, help="list the brands of a catalog", example=example)
    parser.add_argument("--top", type=int, required=True, help="how many")
    return top


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["brands"], "fenxiao brands: the following arguments are required: --top (see fenxiao brands --help)\n"),
        (["brands", "--top", "x"], "fenxiao brands: --top: invalid int value: 'x' (see fenxiao brands --help)\n"),
        (["brand"], "fenxiao: "),
    ],
)
def test_a_usage_error_is_one_line_naming_the_command_with_status_2(argv: list[str], message: str) -> None:
    """Sub-command parsers inherit the one-line errors: the command's prog, argparse's problem without its
    'argument ' prefix, and where the help is; never the usage block."""
    status, err = _errors(_command(), argv)
    assert status == 2
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert "usage:" not in err


def test_help_ends_with_the_example_and_the_exit_statuses() -> None:
    """add_command puts the help line (as a sentence) at the top and the example and exit statuses at the end."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        _command().parse_args(["brands", "--help"])
    text = out.getvalue()
    assert "List the brands of a catalog." in text
    assert "\nexample: python -m fenxiao brands --top 2\n" in text
    assert text.rstrip().endswith("(one line on stderr naming the option or file)")


@given(st.lists(st.text(alphabet="abc -%=.", min_size=1, max_size=150).map(str.strip).filter(bool), min_size=1))
def test_example_lines_are_never_wrapped(examples: list[str]) -> None:
    """However long, each example stays one line of --help (a reader copies it whole); the other paragraphs wrap."""
    commands = [f"python -m fenxiao {e}" for e in examples]
    text = HelpFormatter("fenxiao")._fill_text(epilog(commands), 60, "")
    lines = text.split("\n")
    assert lines[: len(commands)] == [f"example: {c}" for c in commands]
    assert all(len(line) <= 60 for line in lines[len(commands) + 1 :])
    assert " ".join(lines[len(commands) + 1 :]) == EXIT_STATUSES
