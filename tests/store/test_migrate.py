"""fenxiao.store.migrate: the shipped migrations create the schema, upgrade an old database keeping its data, and a
schema this fenxiao does not know is refused with a clear error; on SQLite and PostgreSQL."""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fenxiao.errors import FenxiaoError
from fenxiao.settlement.ledger import Ledger
from fenxiao.store.engine import create_engine
from fenxiao.store.facade import open_store
from fenxiao.store.ledger import LedgerEntries
from fenxiao.store.migrate import (
    HEAD,
    MIGRATIONS,
    SchemaVersionError,
    check_schema,
    downgrade,
    revisions,
    schema_revision,
    upgrade,
)
from fenxiao.store.orders import OrderEvents
from fenxiao.store.programs import ProgramStates
from fenxiao.store.stream import build_stream

from . import worker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bare(db_url: str) -> Iterator[sa.Engine]:
    """An engine on an empty database (no schema)."""
    engine = create_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_the_revisions_run_from_the_first_to_head() -> None:
    """Two revisions are shipped; HEAD is the last."""
    assert revisions() == ("0001", "0002")
    assert revisions()[-1] == HEAD


def test_a_database_made_at_the_first_revision_keeps_its_data_when_upgraded(bare: sa.Engine) -> None:
    """Orders ingested at revision 0001 are all there after the upgrade to head, with the same ledger; the tables of
    the later revision then work."""
    orders = worker.orders(60)
    with bare.begin() as conn:
        upgrade(conn, "0001")
        assert schema_revision(conn) == "0001"
        assert not sa.inspect(conn).has_table("program")
        OrderEvents(conn, worker.PROFILE).ingest(build_stream(orders))
    with bare.begin() as conn:
        upgrade(conn)
        assert schema_revision(conn) == HEAD
    with bare.begin() as conn:
        check_schema(conn)
        assert OrderEvents(conn, worker.PROFILE).load_many() == tuple(sorted(orders, key=lambda o: o.id))
        assert LedgerEntries(conn).balances() == Ledger().record_all(orders, worker.PROFILE).balances()
        assert ProgramStates(conn).periods() == ()


def test_a_newer_schema_is_refused_with_a_clear_error(bare: sa.Engine, db_url: str) -> None:
    """A database written by a newer fenxiao (an unknown revision) is refused by the check, the upgrade and
    open_store, with a SchemaVersionError saying to upgrade fenxiao."""
    with bare.begin() as conn:
        upgrade(conn)
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    message = r"database schema revision '0099' is newer than this fenxiao knows: upgrade fenxiao"
    with bare.begin() as conn:
        with pytest.raises(SchemaVersionError, match=message) as caught:
            check_schema(conn)
        assert isinstance(caught.value, FenxiaoError)
        assert (caught.value.found, caught.value.expected) == ("0099", HEAD)
        with pytest.raises(SchemaVersionError, match=message):
            upgrade(conn)
    with pytest.raises(SchemaVersionError, match=message):
        open_store(db_url)


def test_an_older_or_absent_schema_is_refused_when_not_asked_to_create(bare: sa.Engine, db_url: str) -> None:
    """check_schema (and open_store(create=False)) refuse an empty or older database and say what to run."""
    with bare.begin() as conn, pytest.raises(SchemaVersionError, match="has no fenxiao schema yet: run"):
        check_schema(conn)
    with pytest.raises(SchemaVersionError, match="has no fenxiao schema yet"):
        open_store(db_url, create=False)
    with bare.begin() as conn:
        upgrade(conn, "0001")
    with bare.begin() as conn, pytest.raises(SchemaVersionError, match=r"'0001' is older: run fenxiao\.store\.upgrade"):
        check_schema(conn)
    store = open_store(db_url)
    store.close()
    with bare.begin() as conn:
        assert schema_revision(conn) == HEAD


def test_downgrading_to_base_drops_every_table_and_upgrading_again_restores_them(bare: sa.Engine) -> None:
    """The migrations run both ways."""
    with bare.begin() as conn:
        upgrade(conn)
        downgrade(conn, "base")
        assert schema_revision(conn) is None
        assert [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"] == []
        upgrade(conn)
        assert schema_revision(conn) == HEAD


def test_two_processes_creating_the_schema_at_once_both_succeed(db_url: str, bare: sa.Engine) -> None:
    """open_store on an empty database from two processes at once: the schema is created once (a lock), both open."""
    code = "import sys; from fenxiao.store import open_store; open_store(sys.argv[1]).close(); print('ok')"
    started = [
        subprocess.Popen(
            [sys.executable, "-c", code, db_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for _ in range(2)
    ]
    for process in started:
        with process:
            out, errors = process.communicate(timeout=120)
        assert out.strip() == "ok", errors
    with bare.begin() as conn:
        check_schema(conn)


def test_the_migrations_are_package_data() -> None:
    """A non-editable install ships every migration file: pyproject's package data covers them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["fenxiao"]
    package = ROOT / "src" / "fenxiao"
    shipped = [
        path.relative_to(package).as_posix()
        for path in MIGRATIONS.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert any(name.startswith("store/migrations/versions/") for name in shipped)
    assert [name for name in shipped if not any(fnmatch.fnmatch(name, p) for p in patterns)] == []
