"""fenxiao.store.server: a throwaway PostgreSQL server (the store tests run on one)."""

from __future__ import annotations

import sqlalchemy as sa

from fenxiao.store.server import TemporaryPostgres, find_postgres


def test_the_session_server_answers_queries(postgres_server: str) -> None:
    """The server the tests share is PostgreSQL 15 or later, reached through a Unix socket."""
    assert "host=/" in postgres_server
    engine = sa.create_engine(postgres_server)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SHOW server_version_num").scalar()
    engine.dispose()
    assert int(str(version)) >= 150000


def test_a_server_not_started_has_no_url_and_stops_quietly() -> None:
    """stop() before start() does nothing; find_postgres() finds the programs the session server uses."""
    server = TemporaryPostgres()
    assert server.url is None
    server.stop()
    assert server.folder is None
    folder = find_postgres()
    assert folder is None or (folder / "initdb").exists()
