"""The store's databases: a PostgreSQL server of the session's own, and one fresh database per test on each of
SQLite and PostgreSQL.

The server is started once per test process (``pytest -n 2`` starts one per worker, each in its own folder) by
:class:`fenxiao.store.server.TemporaryPostgres` and stopped at the end. Without the PostgreSQL server programs
the PostgreSQL cases are skipped, except under ``CI=true``, where a missing server is a failure.

Each test gets its own database: a file in its temporary folder on SQLite, a schema of its own on PostgreSQL
(reached through ``search_path``), both at the latest schema revision. Property tests empty it between examples
(:func:`tests.store.databases.wipe`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fenxiao.store.engine import create_engine
from fenxiao.store.migrate import upgrade
from fenxiao.store.server import PostgresUnavailableError, TemporaryPostgres, find_postgres

from .databases import BACKENDS, postgres_schema_url


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the store tests on PostgreSQL", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server started for this test process (stopped when the session ends)."""
    if find_postgres() is None:
        _unavailable("the PostgreSQL server programs (initdb, pg_ctl) are not installed")
    server = TemporaryPostgres()
    try:
        url = server.start()
    except PostgresUnavailableError as exc:
        _unavailable(f"PostgreSQL would not start: {exc}")
        raise  # unreachable: _unavailable fails or skips
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of this test's own, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    server: str = request.getfixturevalue("postgres_server")
    return postgres_schema_url(server)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine on this test's database, created at the latest schema revision."""
    created = create_engine(db_url)
    with created.begin() as conn:
        upgrade(conn)
    try:
        yield created
    finally:
        created.dispose()
