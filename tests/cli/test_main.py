"""``python -m fenxiao``: the parser built from the groups, --version, usage errors and the package's import cost."""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import io
import subprocess
import sys
from pathlib import Path
from typing import TextIO

import pytest

from fenxiao import __version__, cli
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.main import COMMANDS, GROUP_MODULES, GROUPS, build_parser, main

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


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["bogus"], "invalid choice: 'bogus'"),
        (["demo", "a.json", "b.json"], "unrecognized arguments: b.json"),
        (["split", "--paid", "1"], "the following arguments are required: --commission"),
    ],
)
def test_usage_errors_return_2_with_one_line_on_stderr(
    argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing or unknown command or option is a usage error: status 2, one line on stderr naming the problem
    and where help is, nothing on stdout."""
    status, text = run(argv)
    err = capsys.readouterr().err
    assert status == 2
    assert text == ""
    assert err.count("\n") == 1
    assert err.startswith("fenxiao")
    assert problem in err
    assert err.rstrip().endswith("--help)")


def test_python_dash_m_fenxiao_runs_the_demo() -> None:
    """The module entry point works in a fresh interpreter, exits 0 and prints the summary."""
    result = subprocess.run(
        [sys.executable, "-m", "fenxiao", "demo"], capture_output=True, text=True, encoding="utf-8", check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Sample catalog: 200 SKUs")
    assert result.stderr == ""


def test_loading_the_whole_face_loads_no_third_party_module_but_attrs_and_cattrs() -> None:
    """Every name of ``fenxiao.__all__`` pulls in only the standard library plus attrs (and at most cattrs, with
    its own dependency typing_extensions, which cattrs 25+ imports): no optional extra is imported until it is
    used."""
    code = (
        "import fenxiao, sys; [getattr(fenxiao, n) for n in fenxiao.__all__]; "
        "print(sorted(m for m in sys.modules if not m.startswith(('fenxiao', '_'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded: list[str] = ast.literal_eval(result.stdout)
    third_party = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names)
    assert third_party <= {"attr", "attrs", "cattrs", "typing_extensions"}
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
        "export",
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
        "export",
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
        "export",
        "inputs",
        "plugins",
    ]


def test_build_parser_parses_into_a_command() -> None:
    """build_parser gives the parser main uses: each sub-command stores its command as func."""
    args = build_parser().parse_args(["tier", "--json"])
    assert (args.command, args.json, callable(args.func)) == ("tier", True, True)


def test_the_command_index_says_what_the_groups_register() -> None:
    """COMMANDS (what --help shows without importing a group) names each command of each group, in order, with
    the group's own help line and module."""
    registered: list[tuple[str, str | None, str]] = [("demo", None, "run the main job on the built-in sample catalog")]
    for module in GROUP_MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(module).GROUP.register(sub)
        registered += [(action.dest, module, action.help or "") for action in sub._choices_actions]
    assert list(COMMANDS) == registered
    assert [importlib.import_module(m).GROUP for m in GROUP_MODULES] == list(GROUPS)


def test_help_from_the_index_equals_help_from_every_group() -> None:
    """``--help`` built from the index alone reads exactly as the parser of every group would print it."""
    index = io.StringIO()
    assert main(["--help"], index) == 0
    full = io.StringIO()
    with contextlib.redirect_stdout(full), pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    assert index.getvalue() == full.getvalue()


@pytest.mark.parametrize(
    ("argv", "loaded"),
    [
        (["--help"], set()),
        (["--version"], set()),
        (["tier", "--help"], {"fenxiao.cli.grading"}),
    ],
)
def test_a_command_imports_only_its_own_group(argv: list[str], loaded: set[str]) -> None:
    """``python -m fenxiao --help`` imports no group; a command imports its own group only."""
    code = (
        "import sys, io, contextlib; from fenxiao.cli.main import main; "
        f"main({argv!r}, io.StringIO()); "
        "print(sorted(m for m in sys.modules if m in " + repr(set(GROUP_MODULES)) + "))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(ast.literal_eval(result.stdout)) == loaded


def test_an_unknown_command_is_a_usage_error_naming_the_choices() -> None:
    """A misspelt command exits 2 with argparse's message listing the commands."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status, _ = run(["tierr"])
    assert status == 2
    assert "invalid choice: 'tierr'" in err.getvalue()


@pytest.mark.parametrize("argv", [["demo"], ["tier", "--json"], ["score"], ["--help"]])
def test_a_closed_pipe_ends_the_command_quietly(argv: list[str]) -> None:
    """A reader that closes the pipe before reading (``fenxiao demo | head -0``) ends the command with status 0
    and nothing on stderr, never a BrokenPipeError traceback."""
    with subprocess.Popen(
        [sys.executable, "-m", "fenxiao", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        err = process.stderr.read().decode()
        assert process.wait() == 0, err
    assert err == ""


def test_text_the_output_cannot_hold_is_one_line_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """A command whose output holds a lone surrogate (the stream cannot encode it) ends with status 2 and one line
    naming the character, never a UnicodeEncodeError traceback."""

    def _write(args: argparse.Namespace, out: TextIO) -> int:
        out.write("label \ud800\n".encode("utf-8").decode())  # raises as a UTF-8 stream would
        return 0

    def _register(sub: Subparsers) -> None:
        sub.add_parser("echo").set_defaults(func=_write)

    assert run(["echo"], CommandGroup("echo", _register)) == (2, "")
    err = capsys.readouterr().err
    assert err == "fenxiao echo: cannot write '\\ud800' (surrogates not allowed)\n"
