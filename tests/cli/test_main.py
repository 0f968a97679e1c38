"""``python -m fenxiao``: the parser built from the groups, --version, usage errors and the package's import cost."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from fenxiao import __version__, cli
from fenxiao.cli.main import GROUPS, build_parser

from .running import run


def test_version_prints_the_package_version_and_exits_0() -> None:
    """--version writes 'fenxiao X.Y.Z' to the output stream and returns 0 instead of exiting."""
    status, text = run(["--version"])
    assert status == 0
    assert text.strip() == f"fenxiao {__version__}"


def test_help_lists_the_demo_command() -> None:
    """--help goes to the output stream and names demo."""
    status, text = run(["--help"])
    assert status == 0
    assert "demo" in text


@pytest.mark.parametrize("argv", [[], ["bogus"], ["demo", "a.json", "b.json"]])
def test_usage_errors_return_2_with_usage_on_stderr(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """A missing or unknown command is a usage error: status 2, usage on stderr, nothing on stdout."""
    status, text = run(argv)
    err = capsys.readouterr().err
    assert status == 2
    assert text == ""
    assert err.startswith("usage: fenxiao")


def test_python_dash_m_fenxiao_runs_the_demo() -> None:
    """The module entry point works in a fresh interpreter, exits 0 and prints the summary."""
    result = subprocess.run(
        [sys.executable, "-m", "fenxiao", "demo"], capture_output=True, text=True, encoding="utf-8", check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Sample catalog: 200 SKUs")
    assert result.stderr == ""


def test_importing_fenxiao_loads_no_third_party_module_but_attrs_and_cattrs() -> None:
    """`import fenxiao` pulls in only the standard library plus attrs (and at most cattrs)."""
    code = "import fenxiao, sys; print(sorted(m for m in sys.modules if not m.startswith(('fenxiao', '_'))))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded: list[str] = ast.literal_eval(result.stdout)
    third_party = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names)
    assert third_party <= {"attr", "attrs", "cattrs"}
    assert "attrs" in third_party


def test_every_group_module_is_in_the_parser() -> None:
    """Each module of fenxiao.cli that defines a GROUP is listed in GROUPS, so its commands cannot be forgotten."""
    package = Path(cli.__file__).parent
    found = {
        path.stem: getattr(importlib.import_module(f"fenxiao.cli.{path.stem}"), "GROUP", None)
        for path in package.glob("*.py")
    }
    groups = {name: group for name, group in found.items() if group is not None}
    assert set(groups) == {
        "score",
        "grading",
        "split",
        "market",
        "periods",
        "changes",
        "ledger",
        "authoring",
        "simulate",
    }
    assert set(groups.values()) == set(GROUPS)
    assert [g.name for g in GROUPS] == [
        "score",
        "grading",
        "split",
        "market",
        "periods",
        "changes",
        "ledger",
        "authoring",
        "simulate",
    ]


def test_help_lists_every_command_of_every_group_after_demo() -> None:
    """The commands appear in --help in the order of GROUPS, demo first."""
    _, text = run(["--help"])
    commands = [line.split()[0] for line in text.splitlines() if line.startswith("    ") and line[4] != " "]
    assert commands == [
        "demo",
        "score",
        "scorecards",
        "tier",
        "explain",
        "lint",
        "perks",
        "split",
        "admit",
        "pool",
        "goals",
        "period",
        "diff",
        "drift",
        "ledger",
        "schema",
        "test",
        "simulate",
    ]


def test_build_parser_parses_into_a_command() -> None:
    """build_parser gives the parser main uses: each sub-command stores its command as func."""
    args = build_parser().parse_args(["tier", "--json"])
    assert (args.command, args.json, callable(args.func)) == ("tier", True, True)
