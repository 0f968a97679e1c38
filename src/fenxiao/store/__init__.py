"""The store: orders, the ledger, program state, budgets and policy versions in SQLite or PostgreSQL.

Needs the ``sql`` extra (``pip install 'fenxiao[sql]'``: SQLAlchemy 2, psycopg 3, Alembic); importing this
package without it raises :class:`~fenxiao.errors.MissingExtraError` naming the extra. The core stays a pure
domain model; these are its adapters, built on SQLAlchemy Core:

- :func:`open_store` and :class:`Store`: open a database (creating or migrating its schema) and call it, one
  transaction per call;
- the repositories, which work inside the caller's connection and transaction (a unit of work):
  :class:`OrderEvents` (idempotent ingestion of payments and events, which appends the ledger entries they
  imply), :class:`LedgerEntries` (balances summed by the database), :class:`ProgramStates` (each SKU's effective
  tier and hysteresis run, the periods and their reports), :class:`BudgetSpend` (subsidy reservations that
  never overspend under concurrency) and :class:`PolicyVersions`;
- :func:`create_engine` (SQLite in WAL mode with ``BEGIN IMMEDIATE``; PostgreSQL through psycopg 3),
  :func:`upgrade` and :func:`check_schema` (the Alembic migrations shipped in the package), and the JSON Lines
  form of an event stream (:func:`load_stream`, :func:`loads_item`, :func:`dumps_item`, :func:`build_stream`).

See ``docs/store.md``.

.. versionadded:: 0.1
"""

from __future__ import annotations

try:
    import sqlalchemy
except ImportError as exc:  # the optional dependency is missing
    from fenxiao.errors import MissingExtraError

    raise MissingExtraError("sqlalchemy", "sql", "fenxiao.store") from exc

from fenxiao.store.budgets import BudgetSpend
from fenxiao.store.engine import create_engine
from fenxiao.store.facade import Store, open_store
from fenxiao.store.ledger import LedgerEntries
from fenxiao.store.migrate import HEAD, SchemaVersionError, check_schema, downgrade, schema_revision, upgrade
from fenxiao.store.orders import IngestReport, OrderEvents, OrderUpdate, StreamItem
from fenxiao.store.policies import PolicyVersion, PolicyVersions
from fenxiao.store.programs import ProgramStates
from fenxiao.store.stream import build_stream, dumps_item, load_stream, loads_item

del sqlalchemy

__all__ = [
    "HEAD",
    "BudgetSpend",
    "IngestReport",
    "LedgerEntries",
    "OrderEvents",
    "OrderUpdate",
    "PolicyVersion",
    "PolicyVersions",
    "ProgramStates",
    "SchemaVersionError",
    "Store",
    "StreamItem",
    "build_stream",
    "check_schema",
    "create_engine",
    "downgrade",
    "dumps_item",
    "load_stream",
    "loads_item",
    "open_store",
    "schema_revision",
    "upgrade",
]
