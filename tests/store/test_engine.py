"""fenxiao.store.engine: SQLite in WAL mode with foreign keys and BEGIN IMMEDIATE; PostgreSQL through psycopg 3."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from fenxiao.errors import InvalidValueError
from fenxiao.store.engine import create_engine


def test_a_sqlite_file_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    """Each connection sets WAL, foreign keys and full sync."""
    engine = create_engine(f"sqlite:///{tmp_path}/a.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    engine.dispose()


def test_a_sqlite_transaction_takes_the_write_lock_at_once(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: while one transaction is open, another writer cannot begin (it would wait, here 0 s)."""
    path = tmp_path / "a.db"
    engine = create_engine(f"sqlite:///{path}")
    impatient = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT 1")
        with pytest.raises(sa.exc.OperationalError, match="database is locked"), impatient.begin() as other:
            other.exec_driver_sql("SELECT 1")
        with impatient.connect() as reader:
            reader.execution_options(sqlite_begin="DEFERRED")
            with reader.begin():
                assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    engine.dispose()
    impatient.dispose()


def test_a_bad_begin_mode_is_refused(tmp_path: Path) -> None:
    """sqlite_begin takes DEFERRED, IMMEDIATE or EXCLUSIVE."""
    engine = create_engine(f"sqlite:///{tmp_path}/a.db")
    with engine.connect() as conn:
        conn.execution_options(sqlite_begin="LATER")
        with pytest.raises(InvalidValueError, match="sqlite_begin: must be one of DEFERRED, EXCLUSIVE, IMMEDIATE"):
            conn.exec_driver_sql("SELECT 1")
    engine.dispose()


def test_postgresql_urls_use_psycopg_3() -> None:
    """postgresql:// means psycopg 3 (psycopg2 is not a dependency)."""
    assert create_engine("postgresql://u@localhost/db").dialect.driver == "psycopg"
    assert create_engine("postgresql+psycopg://u@localhost/db").dialect.driver == "psycopg"


@pytest.mark.parametrize("url", ["mysql://db/shop", "not a url", "oracle://x"])
def test_other_databases_are_refused(url: str) -> None:
    """Only SQLite and PostgreSQL are supported; the error names the URL."""
    with pytest.raises(InvalidValueError, match=r"create_engine\.url"):
        create_engine(url)
