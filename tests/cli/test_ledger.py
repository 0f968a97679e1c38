"""The ``ledger`` commands: ``ledger ingest EVENTS.jsonl --db URL`` and ``ledger balance --db URL``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fenxiao.cli.ledger import GROUP, demo_section
from fenxiao.sample import load_sample
from fenxiao.settlement.ledger import EntryKind, Ledger
from fenxiao.settlement.splits import Party
from fenxiao.store.stream import dumps_item
from tests.store import worker
from tests.store.conftest import postgres_server
from tests.store.databases import postgres_schema_url

from . import running

__all__ = ["postgres_server"]  # the session's PostgreSQL server, a fixture of the store tests

COUNT = 30


def run(*argv: str) -> tuple[int, str]:
    return running.run(list(argv), GROUP)


def events_file(folder: Path, count: int = COUNT) -> Path:
    """The sample's first *count* orders as a JSON Lines stream."""
    path = folder / "events.jsonl"
    path.write_text("".join(dumps_item(item) + "\n" for item in worker.stream(count)), encoding="utf-8")
    return path


def expected_balances(count: int = COUNT, kind: EntryKind | None = None) -> dict[tuple[str, str | None], str]:
    memory = Ledger().record_all(worker.orders(count), worker.PROFILE)
    return {(p.value, payee): m.to_text() for (p, payee), m in memory.balances(kind=kind).items()}


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database for the commands: a file path (SQLite) or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "shop.db")
    server: str = request.getfixturevalue("postgres_server")
    return postgres_schema_url(server)


def test_ingesting_a_stream_books_every_event_and_the_balances_are_the_ledgers(tmp_path: Path, db: str) -> None:
    """ingest reports what it added; balance --json gives every (party, payee) of the in-memory ledger, exactly."""
    events = events_file(tmp_path)
    status, text = run("ledger", "ingest", str(events), "--db", db, "--batch-size", "16")
    assert status == 0
    lines = len(worker.stream(COUNT))
    assert text.startswith(f"Ingested events.jsonl (profile kuaishou): {lines} events read, {COUNT} new orders, ")
    status, text = run("ledger", "balance", "--db", db, "--json")
    assert status == 0
    data = json.loads(text)
    assert {(b["party"], b["payee"]): b["amount"] for b in data["balances"]} == expected_balances()
    assert [b["party"] for b in data["balances"]] == sorted(
        (b["party"] for b in data["balances"]), key=lambda p: list(Party).index(Party(p))
    )
    assert data["currency"] == "CNY"
    assert data["kind"] is None


def test_ingesting_again_adds_nothing(tmp_path: Path) -> None:
    """The same file twice: the second run finds every event held."""
    events, db = events_file(tmp_path), str(tmp_path / "shop.db")
    run("ledger", "ingest", str(events), "--db", db)
    status, text = run("ledger", "ingest", str(events), "--db", f"sqlite:///{db}", "--json")
    assert status == 0
    report = json.loads(text)
    assert report == {
        "lines": report["lines"],
        "orders": 0,
        "events": 0,
        "duplicates": report["lines"],
        "entries": 0,
        "profile": "kuaishou",
    }


def test_the_balance_table_lists_each_party_and_a_total(tmp_path: Path) -> None:
    """The human output is a table with the party's Chinese label, its payee and balance, then the total."""
    db = str(tmp_path / "shop.db")
    run("ledger", "ingest", str(events_file(tmp_path)), "--db", db)
    status, text = run("ledger", "balance", "--db", db, "--party", "influencer", "--kind", "settled")
    assert status == 0
    assert text.startswith("Ledger balances (settled entries), CNY:")
    assert "influencer 达人佣金" in text
    rows = [line for line in text.splitlines() if line.startswith("influencer")]
    settled = {k: v for k, v in expected_balances(kind=EntryKind.SETTLED).items() if k[0] == "influencer"}
    assert len(rows) == len(settled)
    assert text.rstrip().splitlines()[-1].split()[:2] == ["total", "合计"]
    status, text = run("ledger", "balance", "--db", db, "--payee", "nobody", "--json")
    assert json.loads(text)["balances"] == []
    assert json.loads(text)["total"] == "0.00"


def test_bad_lines_are_named_by_line_number_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every bad line is reported as FILE:LINE with exit status 2; the database gets nothing."""
    events = tmp_path / "events.jsonl"
    good = [dumps_item(item) for item in worker.stream(2)]
    events.write_text("\n".join([good[0], '{"kind": "paid"}', good[1], '{"kind": "settled", "order_id": "o-1"}']))
    db = tmp_path / "shop.db"
    status, _ = run("ledger", "ingest", str(events), "--db", str(db))
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("fenxiao ledger: invalid event stream events.jsonl (")
    assert "events.jsonl:2: " in err
    assert "events.jsonl:4: " in err
    assert not db.exists()


def test_an_event_the_order_refuses_is_named_by_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A well-formed line that the order's lifecycle refuses (an unknown order) names its line too."""
    events = tmp_path / "events.jsonl"
    events.write_text('{"kind": "received", "order_id": "o-404", "id": "e-1", "at": "2026-11-13T10:00:00+08:00"}\n')
    status, _ = run("ledger", "ingest", str(events), "--db", str(tmp_path / "shop.db"))
    assert status == 2
    assert "events.jsonl:1.event.order_id: names an order never ingested" in capsys.readouterr().err


def test_bad_options_are_refused_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown party or kind, a missing database file, a zero batch size: one line naming the option."""
    db = str(tmp_path / "shop.db")
    assert run("ledger", "balance", "--db", db)[0] == 2
    assert "--db: names no database file" in capsys.readouterr().err
    run("ledger", "ingest", str(events_file(tmp_path, 2)), "--db", db)
    assert run("ledger", "balance", "--db", db, "--party", "agent")[0] == 2
    assert "--party: must be one of influencer, mcn" in capsys.readouterr().err
    assert run("ledger", "balance", "--db", db, "--kind", "owed")[0] == 2
    assert "--kind: must be one of estimated" in capsys.readouterr().err
    assert run("ledger", "ingest", str(events_file(tmp_path, 2)), "--db", db, "--batch-size", "0")[0] == 2
    assert "--batch-size: must be at least 1" in capsys.readouterr().err


def test_the_demo_persists_orders_and_two_periods_and_reads_them_back() -> None:
    """The demo's store section: SQLite in a temporary folder, balances equal to the in-memory ledger."""
    text = demo_section(load_sample())
    assert "Periods stored: week-1, week-2" in text
    assert "the week-2 report reads back equal: True" in text
    assert "0 new entries" in text
    assert "Equal to the in-memory ledger of the same orders: True." in text
