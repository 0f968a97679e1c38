"""The tables of the store at the latest schema revision (:data:`metadata`), for queries of your own.

The migrations in ``fenxiao/store/migrations`` create exactly these tables (a test compares them); write through
the repositories, read however you like. Conventions:

- money is a ``BIGINT`` of fen (``*_fen``) beside a three-letter ``currency``; rates travel inside documents as
  exact text (``"0.125"``); nothing is a float;
- a moment ``X`` is two columns: ``X`` (``TIMESTAMP WITH TIME ZONE`` on PostgreSQL, microseconds since the epoch
  in UTC on SQLite) and ``X_offset`` (the UTC offset it was written with, in seconds);
- enums are stored by value (``"settled"``, ``"influencer"``, ``"L3"``); an absent payee is ``''`` so that the
  ledger's unique key holds on every database (``NULL`` values never collide in a unique constraint).

.. versionadded:: 0.1
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

from fenxiao.store._sql import Instant

__all__ = [
    "BUDGETS",
    "BUDGET_SPEND",
    "LEDGER_ENTRIES",
    "ORDERS",
    "ORDER_EVENTS",
    "POLICY_VERSIONS",
    "PROGRAM",
    "PROGRAM_PERIODS",
    "SKU_STATES",
    "TIER_CHANGES",
    "metadata",
]

#: Every table of the store (the latest revision).
metadata: Final = sa.MetaData()

#: A surrogate key that counts up: BIGINT on PostgreSQL, SQLite's INTEGER rowid.
_SERIAL: Final = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ID: Final = 64  # fenxiao ids are 1-64 characters


def _moment(name: str, *, nullable: bool = False) -> tuple[sa.Column[object], sa.Column[object]]:
    return (
        sa.Column(name, Instant(), nullable=nullable),
        sa.Column(f"{name}_offset", sa.Integer(), nullable=nullable),
    )


#: One row per order: the payment and the terms agreed at it (``terms``: the converter's JSON of OrderTerms).
ORDERS: Final = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.String(_ID), primary_key=True),
    sa.Column("profile", sa.String(_ID), nullable=False),
    sa.Column("merchant_id", sa.String(_ID), nullable=False),
    sa.Column("sku_id", sa.String(_ID), nullable=False),
    sa.Column("influencer_id", sa.String(_ID), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("paid_fen", sa.BigInteger(), nullable=False),
    sa.Column("shipping_fen", sa.BigInteger(), nullable=False),
    sa.Column("subsidy_fen", sa.BigInteger(), nullable=False),
    *_moment("paid_at"),
    sa.Column("units", sa.Integer(), nullable=False),
    sa.Column("category_id", sa.String(_ID)),
    sa.Column("category_level1", sa.String(200)),
    sa.Column("service_level", sa.String(16), nullable=False),
    sa.Column("terms", sa.Text(), nullable=False),
)

#: One row per event after the payment, ``seq`` its place in the order's life (1, 2, ...).
ORDER_EVENTS: Final = sa.Table(
    "order_events",
    metadata,
    sa.Column("order_id", sa.String(_ID), sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("event_id", sa.String(_ID), primary_key=True),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    *_moment("at"),
    sa.Column("amount_fen", sa.BigInteger()),
    sa.Column("units", sa.Integer()),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.UniqueConstraint("order_id", "seq", name="uq_order_events_seq"),
)

#: The ledger: one row per entry, ``id`` the order entries were appended in; the entry's key is unique.
LEDGER_ENTRIES: Final = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.String(_ID), nullable=False),
    sa.Column("event_id", sa.String(_ID), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("party", sa.String(32), nullable=False),
    sa.Column("payee_id", sa.String(_ID), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount_fen", sa.BigInteger(), nullable=False),
    *_moment("at"),
    *_moment("until", nullable=True),
    sa.Column("note", sa.Text(), nullable=False),
    sa.UniqueConstraint("order_id", "event_id", "kind", "party", "payee_id", name="uq_ledger_entries_key"),
    # Covers the balance queries (party, payee, kind filters; currency and amount read from the index alone).
    sa.Index("ix_ledger_entries_party", "party", "payee_id", "kind", "currency", "amount_fen"),
)

#: The program's clock: one row (``id`` = 1), the moment of the last period run.
PROGRAM: Final = sa.Table(
    "program",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    *_moment("as_of", nullable=True),
    sa.CheckConstraint("id = 1", name="ck_program_one_row"),
)

#: The periods run, oldest first, with each one's report (the converter's JSON of PeriodReport) when saved.
PROGRAM_PERIODS: Final = sa.Table(
    "program_periods",
    metadata,
    sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("period", sa.String(_ID), nullable=False, unique=True),
    sa.Column("report", sa.Text()),
)

#: Each SKU's standing between gradings (the fields of SkuState but its changes).
SKU_STATES: Final = sa.Table(
    "sku_states",
    metadata,
    sa.Column("sku_id", sa.String(_ID), primary_key=True),
    sa.Column("effective", sa.String(8)),
    *_moment("below_since", nullable=True),
    sa.Column("below_count", sa.Integer(), nullable=False),
    sa.Column("below_best", sa.String(8)),
    *_moment("last_at", nullable=True),
    *_moment("joined_at", nullable=True),
)

#: Each SKU's changes of effective tier, ``seq`` 1, 2, ... in the order they happened.
TIER_CHANGES: Final = sa.Table(
    "tier_changes",
    metadata,
    sa.Column("sku_id", sa.String(_ID), sa.ForeignKey("sku_states.sku_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
    *_moment("at"),
    sa.Column("old", sa.String(8)),
    sa.Column("new", sa.String(8), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
)

#: Each budget: its total (``NULL`` until defined) and a running ``spent_fen`` equal to the sum of its spend.
BUDGETS: Final = sa.Table(
    "budgets",
    metadata,
    sa.Column("name", sa.String(_ID), primary_key=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total_fen", sa.BigInteger()),
    sa.Column("spent_fen", sa.BigInteger(), nullable=False),
    sa.Column("document", sa.Text()),
)

#: Every grant from and return to a budget (SpendEntry rows); ``movement`` is ``grant``, or ``return:`` and the
#: return's moment in microseconds, so that one request has one grant and replayed returns are not doubled.
BUDGET_SPEND: Final = sa.Table(
    "budget_spend",
    metadata,
    sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("budget", sa.String(_ID), sa.ForeignKey("budgets.name"), nullable=False),
    sa.Column("request_id", sa.String(200), nullable=False),
    sa.Column("movement", sa.String(40), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount_fen", sa.BigInteger(), nullable=False),
    *_moment("at"),
    sa.Column("period", sa.String(_ID)),
    sa.Column("sku_id", sa.String(_ID)),
    sa.Column("merchant_id", sa.String(_ID)),
    sa.Column("counted_on", sa.Date()),
    sa.UniqueConstraint("budget", "request_id", "movement", name="uq_budget_spend_movement"),
)

#: Every version of every policy document: a name, a version number, what kind of document, from when it applies.
POLICY_VERSIONS: Final = sa.Table(
    "policy_versions",
    metadata,
    sa.Column("name", sa.String(_ID), primary_key=True),
    sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(_ID), nullable=False),
    *_moment("effective_from"),
    sa.Column("document", sa.Text(), nullable=False),
)
