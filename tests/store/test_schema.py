"""fenxiao.store.schema: the tables the migrations create are exactly those the code declares."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fenxiao.store.schema import metadata


def test_the_migrated_database_matches_the_declared_tables(engine: sa.Engine) -> None:
    """Alembic's comparison of the database at head with :data:`metadata` finds no difference (tables, columns,
    types, keys, indexes), so the repositories and the migrations never drift apart."""
    with engine.begin() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_every_table_is_declared_once_and_the_ledger_key_is_unique() -> None:
    """The schema's public names list every table, and the ledger's key is a unique constraint."""
    assert sorted(metadata.tables) == [
        "budget_spend",
        "budgets",
        "ledger_entries",
        "order_events",
        "orders",
        "policy_versions",
        "program",
        "program_periods",
        "sku_states",
        "tier_changes",
    ]
    ledger = metadata.tables["ledger_entries"]
    keys = [c for c in ledger.constraints if isinstance(c, sa.UniqueConstraint)]
    assert [[col.name for col in key.columns] for key in keys] == [
        ["order_id", "event_id", "kind", "party", "payee_id"]
    ]
