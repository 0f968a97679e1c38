"""Subsidy budgets in the database, safe under concurrency: :class:`BudgetSpend`.

Each budget is a row with its total and a running ``spent_fen``; every grant and return is a
:class:`~fenxiao.grading.budgets.SpendEntry` row, and ``spent_fen`` always equals their sum (each write changes
both in one transaction). Reservations never overspend, whoever makes them at the same time:

- :meth:`BudgetSpend.reserve` (all or nothing) is one conditional update,
  ``UPDATE budgets SET spent_fen = spent_fen + :amount WHERE name = :budget AND spent_fen + :amount <=
  total_fen``: the database applies it atomically (PostgreSQL re-checks the condition after waiting for a
  concurrent update of the row; SQLite has one writer at a time);
- ``reserve(..., partial=True)`` grants what is left when less than asked: it locks the budget's row
  (``SELECT ... FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` already holds SQLite's write lock), reads what
  is left and spends it;
- a request id is granted at most once per budget (a unique key): reserving it again returns the grant held.

Granting all-or-nothing requests of one size, or partial requests of any size, spends the same total in any
interleaving as in a sequential run: the least of the budget and the sum asked.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fenxiao._internal.convert import dumps
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.money import Money
from fenxiao.store._sql import insert_ignoring_duplicates, micros_of, moment, offset_of, to_fen, utc_of
from fenxiao.store.schema import BUDGET_SPEND, BUDGETS

__all__ = ["BudgetSpend", "spend_from_row"]

#: Whether SpendEntry has ``counted_on`` (the day a per-day cap counts a movement on); the column is kept either way.
_COUNTED_ON: Final = "counted_on" in attrs.fields_dict(SpendEntry)

_B = BUDGETS.c
_S = BUDGET_SPEND.c


def _movement(entry: SpendEntry) -> str:
    """``grant`` for a grant; ``return:`` and the moment in microseconds for a return (see the schema)."""
    if entry.amount.fen >= 0:
        return "grant"
    return f"return:{micros_of(utc_of(entry.at, 'SpendEntry.at'))}"


def _spend_row(entry: SpendEntry, where: str) -> dict[str, Any]:
    return {
        "budget": entry.budget,
        "request_id": entry.request_id,
        "movement": _movement(entry),
        "currency": entry.amount.currency,
        "amount_fen": entry.amount.fen,
        "at": utc_of(entry.at, f"{where}.at"),
        "at_offset": offset_of(entry.at, f"{where}.at"),
        "period": entry.period,
        "sku_id": entry.sku_id,
        "merchant_id": entry.merchant_id,
        "counted_on": getattr(entry, "counted_on", None),
    }


def spend_from_row(row: Mapping[Any, Any]) -> SpendEntry:
    """The :class:`~fenxiao.grading.budgets.SpendEntry` a ``budget_spend`` row holds."""
    fields: dict[str, Any] = {
        "request_id": row["request_id"],
        "budget": row["budget"],
        "amount": Money(row["amount_fen"], row["currency"]),
        "at": moment(row["at"], row["at_offset"]),
        "period": row["period"],
        "sku_id": row["sku_id"],
        "merchant_id": row["merchant_id"],
    }
    if _COUNTED_ON:
        fields["counted_on"] = row["counted_on"]
    return SpendEntry(**fields)


def _identical(a: SpendEntry, b: SpendEntry) -> bool:
    return a == b and a.at.utcoffset() == b.at.utcoffset()


class BudgetSpend:
    """The subsidy budgets and their spend in the database behind *conn* (within its transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- budgets ---------------------------------------------------------------------------------------

    def define(self, budget: SubsidyBudget) -> None:
        """Set *budget*'s total (and keep its definition); a budget defined before keeps what it has spent.

        Raises:
            InvalidValueError: *budget* is not a SubsidyBudget, or is in another currency than its spend.
        """
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError("BudgetSpend.define.budget", budget, "must be a SubsidyBudget")
        values = {"total_fen": budget.total.fen, "document": dumps(budget, indent=None)}
        row = self._row(budget.name, lock=True)
        if row is None:
            self.conn.execute(
                BUDGETS.insert(), {"name": budget.name, "currency": budget.total.currency, "spent_fen": 0, **values}
            )
            return
        if row["currency"] != budget.total.currency:
            raise InvalidValueError(
                "BudgetSpend.define.budget.total", budget.total, f"must be in {row['currency']}, as its spend is"
            )
        self.conn.execute(BUDGETS.update().where(_B.name == budget.name), values)

    def _row(self, name: str, *, lock: bool = False) -> Mapping[Any, Any] | None:
        query = sa.select(BUDGETS).where(_B.name == name)
        if lock:
            query = query.with_for_update()
        return self.conn.execute(query).mappings().first()

    def _ensure(self, name: str, currency: str) -> None:
        """A row for *name*, without a total if it is new (spend recorded before the budget is defined)."""
        insert_ignoring_duplicates(self.conn, BUDGETS, [{"name": name, "currency": currency, "spent_fen": 0}])

    def total(self, budget: str) -> Money | None:
        """*budget*'s total, or ``None`` while it is not defined."""
        row = self._row(budget)
        return None if row is None or row["total_fen"] is None else Money(row["total_fen"], row["currency"])

    def spent(self, budget: str) -> Money:
        """What *budget* has spent, grants less returns (zero for a budget never used)."""
        row = self._row(budget)
        return Money(0) if row is None else Money(row["spent_fen"], row["currency"])

    def remaining(self, budget: str) -> Money | None:
        """What *budget* has left to grant (``None`` while it is not defined)."""
        row = self._row(budget)
        if row is None or row["total_fen"] is None:
            return None
        return Money(row["total_fen"] - row["spent_fen"], row["currency"])

    # -- spending --------------------------------------------------------------------------------------

    def _held_grant(self, budget: str, request_id: str) -> SpendEntry | None:
        query = sa.select(BUDGET_SPEND).where(_S.budget == budget, _S.request_id == request_id, _S.movement == "grant")
        row = self.conn.execute(query).mappings().first()
        return None if row is None else spend_from_row(row)

    def reserve(self, entry: SpendEntry, *, partial: bool = False) -> SpendEntry | None:
        """Grant *entry* (a positive amount) from its budget if the budget has that much left; what was granted.

        Args:
            entry: The grant asked for: request id, budget, amount (> 0), when, and the period, SKU and merchant
                it is for.
            partial: Grant what is left when less than asked (instead of nothing).

        Returns:
            The grant recorded (*entry*, or with a smaller amount when *partial*), the grant already held for
            this request id (reserving twice spends once), or ``None`` when nothing was granted.

        Raises:
            InvalidValueError: *entry* is not a positive SpendEntry, or its budget was never defined or is in
                another currency.
        """
        given: object = entry
        if not isinstance(given, SpendEntry) or given.amount.fen <= 0:
            raise InvalidValueError("BudgetSpend.reserve.entry", entry, "must be a SpendEntry above zero")
        held = self._held_grant(entry.budget, entry.request_id)
        if held is not None:
            return held
        row = self._row(entry.budget, lock=partial)
        if row is None or row["total_fen"] is None:
            raise InvalidValueError("BudgetSpend.reserve.entry.budget", entry.budget, "is not a defined budget")
        if row["currency"] != entry.amount.currency:
            raise InvalidValueError("BudgetSpend.reserve.entry.amount", entry.amount, f"must be in {row['currency']}")
        granted = entry
        if partial:
            left = row["total_fen"] - row["spent_fen"]
            if left <= 0:
                return None
            if left < entry.amount.fen:
                granted = attrs.evolve(entry, amount=Money(left, entry.amount.currency))
            self.conn.execute(
                BUDGETS.update().where(_B.name == entry.budget).values(spent_fen=_B.spent_fen + granted.amount.fen)
            )
        else:
            done = self.conn.execute(
                BUDGETS.update()
                .where(_B.name == entry.budget, _B.spent_fen + entry.amount.fen <= _B.total_fen)
                .values(spent_fen=_B.spent_fen + entry.amount.fen)
            )
            if done.rowcount != 1:
                return None
        # A concurrent reservation of the same request id fails here on the unique key, and its transaction
        # (with its update of spent_fen) rolls back: a request is never granted twice.
        self.conn.execute(BUDGET_SPEND.insert(), _spend_row(granted, "BudgetSpend.reserve.entry"))
        return granted

    def release(self, entry: SpendEntry) -> bool:
        """Give back to a budget part of a grant (*entry*: a negative amount, the grant's request id, when);
        whether it was new (a return replayed at the same moment is recorded once).

        Raises:
            InvalidValueError: *entry* is not a negative SpendEntry, or gives back more than its request holds.
        """
        given: object = entry
        if not isinstance(given, SpendEntry) or given.amount.fen >= 0:
            raise InvalidValueError("BudgetSpend.release.entry", entry, "must be a SpendEntry with a negative amount")
        return self.record([entry]) == 1

    def record(self, entries: Iterable[SpendEntry]) -> int:
        """Record grants and returns decided elsewhere (a period run's allocation), idempotently; how many were
        new. A budget not defined yet gets a row without a total.

        Raises:
            InvalidValueError: An entry is not a SpendEntry; a return gives back more than its request holds.
            PolicyError: A held grant or return differs from the one given, or a grant would overspend a defined
                budget.
        """
        recorded = 0
        for i, entry in enumerate(entries):
            where = f"BudgetSpend.record.entries[{i}]"
            if not isinstance(entry, SpendEntry):
                raise InvalidValueError(where, entry, "must be a SpendEntry")
            row = _spend_row(entry, where)
            query = sa.select(BUDGET_SPEND).where(
                _S.budget == entry.budget, _S.request_id == entry.request_id, _S.movement == row["movement"]
            )
            stored = self.conn.execute(query).mappings().first()
            if stored is not None:
                if not _identical(spend_from_row(stored), entry):
                    raise PolicyError(where, entry.request_id, f"conflicts with the {row['movement']} held for it")
                continue
            self._ensure(entry.budget, entry.amount.currency)
            budget = self._row(entry.budget, lock=True)
            if budget is None or budget["currency"] != entry.amount.currency:
                currency = budget["currency"] if budget is not None else "?"
                raise InvalidValueError(f"{where}.amount", entry.amount, f"must be in {currency}")
            if entry.amount.fen < 0:
                holds = self.conn.execute(
                    sa.select(sa.func.sum(_S.amount_fen)).where(
                        _S.budget == entry.budget, _S.request_id == entry.request_id
                    )
                ).scalar_one()
                if to_fen(holds, where) + entry.amount.fen < 0:
                    raise InvalidValueError(
                        f"{where}.amount", entry.amount, f"gives back more than request {entry.request_id!r} holds"
                    )
            elif budget["total_fen"] is not None and budget["spent_fen"] + entry.amount.fen > budget["total_fen"]:
                raise PolicyError(
                    f"{where}.amount",
                    entry.amount,
                    f"would overspend budget {entry.budget!r} "
                    f"({Money(budget['total_fen'] - budget['spent_fen'], budget['currency'])} left)",
                )
            self.conn.execute(
                BUDGETS.update().where(_B.name == entry.budget).values(spent_fen=_B.spent_fen + entry.amount.fen)
            )
            self.conn.execute(BUDGET_SPEND.insert(), row)
            recorded += 1
        return recorded

    # -- reading ---------------------------------------------------------------------------------------

    def entries(self, budget: str | None = None) -> tuple[SpendEntry, ...]:
        """Every grant and return (of *budget*, or of all budgets), in the order they were recorded."""
        query = sa.select(BUDGET_SPEND).order_by(_S.id)
        if budget is not None:
            query = query.where(_S.budget == budget)
        return tuple(spend_from_row(row) for row in self.conn.execute(query).mappings())

    def book(self) -> BudgetBook:
        """Every grant and return as a :class:`~fenxiao.grading.budgets.BudgetBook`."""
        return BudgetBook(self.entries())

    def recount(self, budget: str) -> Money:
        """The sum of *budget*'s spend rows (equal to :meth:`spent`, which reads the running total)."""
        row = self._row(budget)
        currency = row["currency"] if row is not None else Money(0).currency
        total = self.conn.execute(sa.select(sa.func.sum(_S.amount_fen)).where(_S.budget == budget)).scalar_one()
        return Money(to_fen(total, "BudgetSpend.recount"), currency)
