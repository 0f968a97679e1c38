"""Orders, their events and the ledger.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fenxiao.store._sql import Instant

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the orders, order_events and ledger_entries tables."""
    op.create_table(
        "orders",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("profile", sa.String(64), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("sku_id", sa.String(64), nullable=False),
        sa.Column("influencer_id", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("shipping_fen", sa.BigInteger(), nullable=False),
        sa.Column("subsidy_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", Instant(), nullable=False),
        sa.Column("paid_at_offset", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.String(64)),
        sa.Column("category_level1", sa.String(200)),
        sa.Column("service_level", sa.String(16), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
    )
    op.create_table(
        "order_events",
        sa.Column("order_id", sa.String(64), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("at_offset", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger()),
        sa.Column("units", sa.Integer()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("order_id", "seq", name="uq_order_events_seq"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("payee_id", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("at_offset", sa.Integer(), nullable=False),
        sa.Column("until", Instant()),
        sa.Column("until_offset", sa.Integer()),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("order_id", "event_id", "kind", "party", "payee_id", name="uq_ledger_entries_key"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("ledger_entries")
    op.drop_table("order_events")
    op.drop_table("orders")
