"""Engines for the two databases the store supports, set up for it: :func:`create_engine`.

- **SQLite** (``sqlite:///path/to/file.db``): the embedded default. Each connection switches the file to WAL
  (readers never block the writer, a crash loses no committed transaction), turns foreign keys on and waits up
  to a minute for a lock. Every transaction begins with ``BEGIN IMMEDIATE``: it takes the write lock at once, so
  two processes never both read a budget and then both spend it (SQLite serializes writers). A connection given
  the execution option ``sqlite_begin="DEFERRED"`` reads without taking it.
- **PostgreSQL** (``postgresql://...`` or ``postgresql+psycopg://...``, through psycopg 3): the production target.
  Repositories lock the rows they change (``SELECT ... FOR UPDATE``) or update them conditionally, so the default
  READ COMMITTED isolation is enough.

.. versionadded:: 0.1
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from fenxiao.errors import InvalidValueError

__all__ = ["create_engine"]

_SQLITE_TIMEOUT_SECONDS: Final = 60
_BEGIN_MODES: Final = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
    # Let SQLAlchemy's "begin" event (below) open transactions, instead of pysqlite's implicit BEGIN DEFERRED.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    mode = str(conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")).upper()
    if mode not in _BEGIN_MODES:
        raise InvalidValueError("sqlite_begin", mode, f"must be one of {', '.join(sorted(_BEGIN_MODES))}")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_engine(url: str | URL, **options: Any) -> Engine:
    """An SQLAlchemy engine for *url*, set up for the store (see the module docs); *options* go to SQLAlchemy.

    ``postgresql://`` URLs use psycopg 3 (``postgresql+psycopg://``).

    Raises:
        InvalidValueError: *url* is not an SQLite or PostgreSQL URL, or not a URL at all.

    >>> create_engine("sqlite://").dialect.name
    'sqlite'
    >>> create_engine("mysql://db/shop")
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: create_engine.url: must be a sqlite:// or postgresql:// URL, got 'mysql://db/shop'
    """
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, ValueError, TypeError):
        raise InvalidValueError("create_engine.url", url, "is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        connect_args = {"timeout": _SQLITE_TIMEOUT_SECONDS, **options.pop("connect_args", {})}
        engine = sa.create_engine(parsed, connect_args=connect_args, **options)
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() in ("", "psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, **options)
    shown = url if isinstance(url, str) else parsed.render_as_string(hide_password=True)
    raise InvalidValueError("create_engine.url", shown, "must be a sqlite:// or postgresql:// URL")
