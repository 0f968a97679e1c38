"""Schema versions: the Alembic migrations shipped in ``fenxiao/store/migrations``, run by :func:`upgrade`, and the
check that refuses a database this fenxiao does not know (:func:`check_schema`, :class:`SchemaVersionError`).

The revision a database is at is the one row of Alembic's ``alembic_version`` table. :func:`upgrade` brings a
database (empty or older) to the latest revision, :data:`HEAD`, inside the caller's transaction, holding a lock
so that two processes upgrading at once do it once (PostgreSQL: an advisory transaction lock; SQLite: the write
lock that ``BEGIN IMMEDIATE`` takes). No ``alembic.ini`` or ``env.py`` is involved.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fenxiao.errors import FenxiaoError, MissingExtraError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

__all__ = [
    "HEAD",
    "MIGRATIONS",
    "SchemaVersionError",
    "check_schema",
    "downgrade",
    "revisions",
    "schema_revision",
    "upgrade",
]

#: The folder of the migration scripts (package data).
MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"

#: The latest schema revision this fenxiao knows.
HEAD: Final = "0002"

# Any number will do, as long as it is always the same: the key of the PostgreSQL advisory lock held while
# upgrading ("fenxiao" in ASCII, as an integer).
_LOCK_KEY: Final = int.from_bytes(b"fenxiao", "big")


class SchemaVersionError(FenxiaoError, RuntimeError):
    """The database's schema is not the one this fenxiao works with: newer (upgrade fenxiao), older or absent
    (run :func:`upgrade`).

    Args:
        found: The revision the database is at (``None``: it has no fenxiao schema).
        expected: The revision this fenxiao works with (:data:`HEAD`).
        problem: What to do about it.

    >>> print(SchemaVersionError("0007", "0002", "is newer than this fenxiao knows: upgrade fenxiao"))
    database schema revision '0007' is newer than this fenxiao knows: upgrade fenxiao (this fenxiao works with '0002')
    """

    def __init__(self, found: str | None, expected: str, problem: str) -> None:
        what = "database has no fenxiao schema" if found is None else f"database schema revision {found!r}"
        super().__init__(f"{what} {problem} (this fenxiao works with {expected!r})")
        self.found = found
        self.expected = expected
        self.problem = problem

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.found, self.expected, self.problem), self.__dict__)


def _config() -> Config:
    # Alembic loads only when a schema is created, migrated or checked against an unknown revision (it takes a
    # second to import; reading and writing through the repositories never needs it).
    try:
        from alembic.config import Config
    except ImportError as exc:
        raise MissingExtraError("alembic", "sql", "fenxiao.store.migrate") from exc
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def revisions() -> tuple[str, ...]:
    """Every revision shipped, oldest first (the last is :data:`HEAD`)."""
    return tuple(reversed([script.revision for script in _script().walk_revisions()]))


def schema_revision(conn: Connection) -> str | None:
    """The revision the database behind *conn* is at, or ``None`` if it has no fenxiao schema."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(rows[0]) if rows else None


def check_schema(conn: Connection) -> None:
    """Refuse a database whose schema is not :data:`HEAD`.

    Raises:
        SchemaVersionError: The schema is absent, older (run :func:`upgrade`) or newer than this fenxiao knows
            (a newer fenxiao wrote it: upgrade fenxiao; this one would misread it).
    """
    found = schema_revision(conn)
    if found == HEAD:
        return
    if found is None:
        raise SchemaVersionError(None, HEAD, "yet: run fenxiao.store.upgrade() or open_store(url, create=True)")
    if found not in revisions():
        raise SchemaVersionError(found, HEAD, "is newer than this fenxiao knows: upgrade fenxiao")
    raise SchemaVersionError(found, HEAD, "is older: run fenxiao.store.upgrade() to migrate it")


def _run(conn: Connection, destination: str, step: Callable[[ScriptDirectory, str, Any], Iterable[Any]]) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    found = schema_revision(conn)
    if found == destination == HEAD:
        return  # already there: nothing to load or run
    if found is not None and found not in revisions():
        raise SchemaVersionError(found, HEAD, "is newer than this fenxiao knows: upgrade fenxiao")
    from alembic.runtime.environment import EnvironmentContext

    script = _script()

    def fn(rev: Any, context: Any) -> Iterable[Any]:
        return step(script, destination, rev)

    with EnvironmentContext(_config(), script, fn=fn, destination_rev=destination) as env:
        env.configure(connection=conn)
        with env.begin_transaction():
            env.run_migrations()


def upgrade(conn: Connection, revision: str = HEAD) -> None:
    """Bring the database behind *conn* to *revision* (the latest by default), in *conn*'s transaction.

    An empty database gets every table; an older one is migrated, its data kept. Commit the transaction to keep
    the result (``with engine.begin() as conn: upgrade(conn)``).

    Raises:
        SchemaVersionError: The database is at a revision newer than this fenxiao knows.
    """
    _run(conn, revision, lambda script, target, rev: script._upgrade_revs(target, rev))


def downgrade(conn: Connection, revision: str) -> None:
    """Take the database behind *conn* back to *revision* (``"base"``: no fenxiao table at all); for tests and
    for undoing an upgrade before downgrading fenxiao. Data in the dropped tables is lost."""
    _run(conn, revision, lambda script, target, rev: script._downgrade_revs(target, rev))
