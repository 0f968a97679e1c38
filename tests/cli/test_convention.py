"""One convention for every command: ``--help`` with an example and the exit statuses, ``--json`` that parses, bad
input as one line naming the option (status 2, no traceback), and a closed pipe that ends quietly.

Every command of :data:`fenxiao.cli.main.COMMANDS` (``ledger`` by its sub-commands) must have a case in each table
below: a new command without one fails :func:`test_every_command_has_a_case_in_every_table`. Commands that read a
catalog get a small generated one, so that each case runs in well under a second.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from fenxiao.cli.export import export_text
from fenxiao.cli.main import COMMANDS, build_parser, main
from fenxiao.periods.run import run_period
from fenxiao.sample import generate_catalog, generate_orders
from fenxiao.serialization import dumps
from fenxiao.store.stream import build_stream, dumps_item

#: Every command a user runs: the index's commands, ``ledger`` by its sub-commands.
LEAVES: tuple[tuple[str, ...], ...] = tuple(
    path
    for name, _, _ in COMMANDS
    for path in ((("ledger", "ingest"), ("ledger", "balance")) if name == "ledger" else ((name,),))
)
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@attrs.frozen
class Files:
    """The input files the cases read, made once per test module."""

    catalog: str
    sku: str
    influencer: str
    policy: str
    cases: str
    events: str
    database: str
    report_a: str
    report_b: str


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    folder = tmp_path_factory.mktemp("convention")
    catalog = generate_catalog(skus=20)
    (folder / "catalog.json").write_text(dumps(catalog), encoding="utf-8")
    (folder / "policy.toml").write_text(export_text("policy"), encoding="utf-8")
    events = build_stream(generate_orders(catalog, count=10))
    (folder / "events.jsonl").write_text("".join(dumps_item(item) + "\n" for item in events), encoding="utf-8")
    first = run_period(catalog, period="w1")
    second = run_period(catalog, first.state, period="w2")
    (folder / "w1.json").write_text(dumps(first.report), encoding="utf-8")
    (folder / "w2.json").write_text(dumps(second.report), encoding="utf-8")
    database = folder / "ledger.db"
    assert main(["ledger", "ingest", str(folder / "events.jsonl"), "--db", str(database)], io.StringIO()) == 0
    return Files(
        catalog=str(folder / "catalog.json"),
        sku=catalog.skus[0].id,
        influencer=catalog.influencers[0].id,
        policy=str(folder / "policy.toml"),
        cases=str(EXAMPLES / "tier-policy.cases.toml"),
        events=str(folder / "events.jsonl"),
        database=str(database),
        report_a=str(folder / "w1.json"),
        report_b=str(folder / "w2.json"),
    )


def runs(f: Files, tmp: Path) -> dict[tuple[str, ...], list[str]]:
    """Each command's arguments for a successful run (without ``--json``); files written go into *tmp*."""
    catalog = ["--catalog", f.catalog]
    return {
        ("demo",): ["demo", *catalog],
        ("score",): ["score", *catalog],
        ("scorecards",): ["scorecards"],
        ("tier",): ["tier", *catalog],
        ("explain",): ["explain", f.sku, *catalog],
        ("lint",): ["lint", f.policy],
        ("perks",): ["perks", *catalog],
        ("split",): ["split", "--paid", "99.90", "--commission", "20%", "--leader-fee", "5%"],
        ("admit",): ["admit", *catalog],
        ("pool",): ["pool", "--influencer", f.influencer, *catalog],
        ("goals",): ["goals", *catalog, "--orders", "30"],
        ("period",): ["period", *catalog, "--period", "w1", "--state", str(tmp / "state.json")],
        ("diff",): ["diff", *catalog, "--against", f.policy],
        ("drift",): ["drift", f.report_a, f.report_b],
        ("ledger", "ingest"): ["ledger", "ingest", f.events, "--db", str(tmp / "ledger.db")],
        ("ledger", "balance"): ["ledger", "balance", "--db", f.database],
        ("schema",): ["schema", "tier-policy"],
        ("test",): ["test", str(EXAMPLES / "tier-policy.toml"), f.cases],
        ("simulate",): ["simulate", *catalog, "--weeks", "1", "--seeds", "1", "--path", "object"],
        ("export",): ["export", "policy"],
        ("inputs",): ["inputs"],
        ("plugins",): ["plugins"],
    }


def bad_inputs(f: Files, tmp: Path) -> dict[tuple[str, ...], tuple[list[str], str]]:
    """Each command with one bad input, and the option or argument its one-line error must name."""
    missing = str(tmp / "missing.toml")
    (tmp / "exists.toml").write_text("", encoding="utf-8")
    return {
        ("demo",): (["demo", "--catalog", str(tmp / "missing.json")], "--catalog"),
        ("score",): (["score", "--scorecards", missing], "--scorecards"),
        ("scorecards",): (["scorecards", "--format", "yaml"], "--format"),
        ("tier",): (["tier", "--policy", missing], "--policy"),
        ("explain",): (["explain", "sku-nope", "--catalog", f.catalog], "SKU_ID"),
        ("lint",): (["lint", missing], "FILE"),
        ("perks",): (["perks", "--perks", missing], "--perks"),
        ("split",): (["split", "--paid", "-5", "--commission", "20%"], "--paid"),
        ("admit",): (["admit", "--policy", missing], "--policy"),
        ("pool",): (["pool", "--influencer", "kol-nobody", "--catalog", f.catalog], "--influencer"),
        ("goals",): (["goals", "--orders", "-1"], "--orders"),
        ("period",): (["period", "--period", "w1", "--state", str(tmp / "s.json"), "--as-of", "today"], "--as-of"),
        ("diff",): (["diff", "--against", missing], "--against"),
        ("drift",): (["drift", missing, f.report_b], "REPORT_A"),
        ("ledger", "ingest"): (["ledger", "ingest", f.events, "--db", f.database, "--batch-size", "0"], "--batch-size"),
        ("ledger", "balance"): (["ledger", "balance", "--db", str(tmp / "none.db")], "--db"),
        ("schema",): (["schema", "tier-polcy"], "KIND"),
        ("test",): (["test", missing, f.cases], "POLICY"),
        ("simulate",): (["simulate", "--weeks", "0"], "--weeks"),
        ("export",): (["export", "policy", "--output", str(tmp / "exists.toml")], "--output"),
        ("inputs",): (["inputs", "--jsonn"], "--jsonn"),
        ("plugins",): (["plugins", "--jsonn"], "--jsonn"),
    }


def test_every_command_has_a_case_in_every_table(files: Files, tmp_path: Path) -> None:
    """The tables cover exactly the commands of the index: a new command needs its cases here."""
    assert set(runs(files, tmp_path)) == set(LEAVES)
    assert set(bad_inputs(files, tmp_path)) == set(LEAVES)


def _parsers() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every parser of the command line with its name (``fenxiao ledger ingest``), the top level first."""
    todo = [build_parser()]
    while todo:
        parser = todo.pop()
        yield parser.prog, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())


def test_every_option_and_argument_has_help_text() -> None:
    """No option or argument is left without a help line; the only hidden ones are the deprecated positional
    catalogs, which ``--catalog FILE`` replaces."""
    for prog, parser in _parsers():
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:
                assert action.dest == "catalog_file", (prog, action.dest)
                assert any(a.option_strings == ["--catalog"] for a in parser._actions), prog
            else:
                assert action.help, (prog, action.option_strings or action.dest)


@pytest.mark.parametrize("command", LEAVES, ids=" ".join)
def test_help_shows_an_example_and_the_exit_statuses(command: tuple[str, ...]) -> None:
    """``COMMAND --help`` exits 0 and ends with an example of the command and what its exit statuses mean."""
    out = io.StringIO()
    assert main([*command, "--help"], out) == 0
    text = out.getvalue()
    assert f"example: python -m fenxiao {' '.join(command)}" in text
    assert "exit status: 0 ok; 1 findings" in text


def test_the_top_level_help_documents_the_exit_statuses() -> None:
    """``python -m fenxiao --help`` says what the exit statuses mean, and how to see a command's example."""
    out = io.StringIO()
    assert main(["--help"], out) == 0
    assert "exit status: 0 ok; 1 findings" in out.getvalue()
    assert "--catalog FILE" in out.getvalue()


@pytest.mark.parametrize("command", LEAVES, ids=" ".join)
def test_json_output_parses(command: tuple[str, ...], files: Files, tmp_path: Path) -> None:
    """``--json`` is accepted by every command, and what it prints is one JSON document."""
    out = io.StringIO()
    status = main([*runs(files, tmp_path)[command], "--json"], out)
    assert status == 0, out.getvalue()
    assert json.loads(out.getvalue()) is not None


@pytest.mark.parametrize("command", LEAVES, ids=" ".join)
def test_bad_input_is_one_line_naming_the_option(
    command: tuple[str, ...], files: Files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One bad input per command: status 2, nothing on stdout, one line on stderr naming the option or argument,
    never a traceback."""
    argv, name = bad_inputs(files, tmp_path)[command]
    out = io.StringIO()
    assert main(argv, out) == 2
    err = capsys.readouterr().err
    assert out.getvalue() == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"fenxiao {command[0]}")
    assert name in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "value", "hint"),
    [
        ("--commission", "20", "is above 100% (did you mean 20%?)"),
        ("--leader-fee", "5", "is above 100% (did you mean 5%?)"),
        ("--paid", "-5", "--paid: must not be negative"),
        ("--shipping", "-1", "--shipping: must not be negative"),
        ("--units", "0", "--units: must be at least 1"),
    ],
)
def test_a_numeric_option_names_itself_and_the_likely_fix(
    option: str, value: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rate above 1 without % suggests the percentage; a negative amount or count names its option, never the
    library's field (``Order.paid``)."""
    args = {"--paid": "99.90", "--commission": "20%", option: value}
    assert main(["split", *(word for pair in args.items() for word in pair)], io.StringIO()) == 2
    err = capsys.readouterr().err
    assert hint in err
    assert "Order." not in err


@pytest.mark.parametrize("command", [("score",), ("tier",), ("perks",), ("admit",)], ids=" ".join)
def test_the_deprecated_positional_catalog_still_works(command: tuple[str, ...], files: Files) -> None:
    """``COMMAND CATALOG`` (hidden from --help) reads the same catalog as ``COMMAND --catalog CATALOG``; both at
    once is bad input naming --catalog."""
    new, old = io.StringIO(), io.StringIO()
    assert main([*command, "--catalog", files.catalog, "--json"], new) == 0
    assert main([*command, files.catalog, "--json"], old) == 0
    assert old.getvalue() == new.getvalue()
    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert main([*command, files.catalog, "--catalog", files.catalog], io.StringIO()) == 2
    assert "--catalog" in err.getvalue()


@pytest.mark.parametrize("command", LEAVES, ids=" ".join)
def test_a_closed_pipe_ends_quietly(command: tuple[str, ...], files: Files, tmp_path: Path) -> None:
    """Piped into a reader that has already gone (``fenxiao COMMAND | head -0``), every command exits 0 with nothing
    on stderr."""
    argv = runs(files, tmp_path)[command]
    with subprocess.Popen(
        [sys.executable, "-m", "fenxiao", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        err = process.stderr.read().decode()
        assert process.wait() == 0, err
    assert err == ""
