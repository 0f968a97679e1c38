"""Program state, budgets and policy versions; an index covering ledger balances by party and payee.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fenxiao.store._sql import Instant

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the program, program_periods, sku_states, tier_changes, budgets, budget_spend and policy_versions
    tables, and index the ledger by party, payee and kind (covering currency and amount: balances read the index
    alone)."""
    op.create_index(
        "ix_ledger_entries_party", "ledger_entries", ["party", "payee_id", "kind", "currency", "amount_fen"]
    )
    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("as_of", Instant()),
        sa.Column("as_of_offset", sa.Integer()),
        sa.CheckConstraint("id = 1", name="ck_program_one_row"),
    )
    op.create_table(
        "program_periods",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("period", sa.String(64), nullable=False, unique=True),
        sa.Column("report", sa.Text()),
    )
    op.create_table(
        "sku_states",
        sa.Column("sku_id", sa.String(64), primary_key=True),
        sa.Column("effective", sa.String(8)),
        sa.Column("below_since", Instant()),
        sa.Column("below_since_offset", sa.Integer()),
        sa.Column("below_count", sa.Integer(), nullable=False),
        sa.Column("below_best", sa.String(8)),
        sa.Column("last_at", Instant()),
        sa.Column("last_at_offset", sa.Integer()),
        sa.Column("joined_at", Instant()),
        sa.Column("joined_at_offset", sa.Integer()),
    )
    op.create_table(
        "tier_changes",
        sa.Column("sku_id", sa.String(64), sa.ForeignKey("sku_states.sku_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("at_offset", sa.Integer(), nullable=False),
        sa.Column("old", sa.String(8)),
        sa.Column("new", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "budgets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total_fen", sa.BigInteger()),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.Text()),
    )
    op.create_table(
        "budget_spend",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("budget", sa.String(64), sa.ForeignKey("budgets.name"), nullable=False),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("movement", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("at_offset", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(64)),
        sa.Column("sku_id", sa.String(64)),
        sa.Column("merchant_id", sa.String(64)),
        sa.Column("counted_on", sa.Date()),
        sa.UniqueConstraint("budget", "request_id", "movement", name="uq_budget_spend_movement"),
    )
    op.create_table(
        "policy_versions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("effective_from", Instant(), nullable=False),
        sa.Column("effective_from_offset", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop them (and the ledger's index)."""
    for table in ("policy_versions", "budget_spend", "budgets", "tier_changes", "sku_states"):
        op.drop_table(table)
    op.drop_table("program_periods")
    op.drop_table("program")
    op.drop_index("ix_ledger_entries_party", table_name="ledger_entries")
