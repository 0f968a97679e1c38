"""Helpers of the store tests: the backends, a fresh PostgreSQL schema, emptying a database, Hypothesis settings."""

from __future__ import annotations

import os
import uuid
from typing import Final

import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from fenxiao.store.schema import metadata

#: The two databases every store test runs on.
BACKENDS: Final = ("sqlite", "postgresql")

#: Settings of the properties that write to a database: few examples (each is a round of real transactions),
#: and the database fixture is shared by the examples on purpose (each example starts with :func:`wipe`).
DB_SETTINGS: Final = settings(
    max_examples=30 if os.environ.get("CI") == "true" else 12,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def postgres_schema_url(server_url: str) -> str:
    """A URL on *server_url* whose tables live in a new, empty schema of their own."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    engine = sa.create_engine(server_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    finally:
        engine.dispose()
    return f"{server_url}&options=-c%20search_path%3D{schema}"


def wipe(engine: sa.Engine) -> None:
    """Empty every table of the store (between the examples of a property)."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
