"""The contract of a command group: a new group plugs into ``main`` with its commands and its demo section."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

import pytest

from fenxiao.cli.common import catalog_summary
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError
from fenxiao.sample import load_sample

from .running import run


def _count(args: argparse.Namespace, out: TextIO) -> int:
    if args.n < 0:
        raise InvalidValueError("count.n", args.n, "must not be negative")
    out.write(f"{args.n} SKUs\n")
    return 1 if args.n == 0 else 0


def _register(sub: Subparsers) -> None:
    parser = sub.add_parser("count", help="say a number")
    parser.add_argument("n", type=int)
    parser.set_defaults(func=_count)


def _section(catalog: Catalog) -> str:
    return f"Counted: {len(catalog.skus)} SKUs\n"


COUNT = CommandGroup("count", _register, _section)


def test_a_new_group_adds_its_command_and_returns_its_status() -> None:
    """The command writes to the output stream; its return value is the exit status."""
    assert run(["count", "3"], COUNT) == (0, "3 SKUs\n")
    assert run(["count", "0"], COUNT) == (1, "0 SKUs\n")


def test_a_fenxiao_error_in_a_command_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """main turns a FenxiaoError into `fenxiao COMMAND: message` and status 2; nothing reaches stdout."""
    assert run(["count", "-1"], COUNT) == (2, "")
    assert capsys.readouterr().err == "fenxiao count: count.n: must not be negative, got -1\n"


def test_demo_shows_the_sections_of_the_groups_in_their_order() -> None:
    """Each group's section follows the summary, in the order the groups are given; a trailing newline is trimmed."""
    other = CommandGroup("other", lambda sub: None, lambda catalog: "Other section")
    status, text = run(["demo"], COUNT, other)
    assert status == 0
    assert text.endswith(f"\n\nCounted: {len(load_sample().skus)} SKUs\n\nOther section\n")


def test_a_group_without_a_demo_section_adds_nothing_to_demo() -> None:
    """demo_section is optional; demo then prints only the catalog summary."""
    quiet = CommandGroup("quiet", _register)
    assert run(["demo", "--all"], quiet) == (0, catalog_summary(load_sample()) + "\n")


def test_demo_json_holds_a_groups_data_or_else_its_text() -> None:
    """``demo --json`` prints the summary under ``catalog``, then each group's ``demo_data`` under its name, or the
    section's text (``{"text": ...}``) for a group without data."""
    counted = CommandGroup("count", _register, _section, lambda catalog: {"skus": len(catalog.skus)})
    status, text = run(["demo", "--json"], counted, CommandGroup("other", lambda sub: None, _section))
    assert status == 0
    data = json.loads(text)
    assert list(data) == ["catalog", "count", "other"]
    assert data["catalog"]["skus"] == data["count"]["skus"] == len(load_sample().skus)
    assert data["other"] == {"text": f"Counted: {len(load_sample().skus)} SKUs"}


def test_a_group_name_must_be_an_id() -> None:
    """A blank or spaced name is refused, naming CommandGroup.name."""
    with pytest.raises(InvalidValueError, match=r"CommandGroup\.name"):
        CommandGroup("two words", _register)
