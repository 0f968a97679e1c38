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
- a request id is granted at most once per budget (a unique key): reserving it again returns the grant held;
- a budget's caps and window are honoured as :meth:`BudgetBook.allocate
  <fenxiao.grading.budgets.BudgetBook.allocate>` honours them: outside the window nothing is granted, and a budget
  with a cap (``per_period``, ``per_merchant``, ``per_sku``, ``per_day``) grants at most what the total and each cap
  have left for the entry's period, merchant, SKU and day (an entry without the key counts in one group of its
  own, as in the book). Its row is locked first, as for a partial grant, so the spend under each cap cannot move
  while it is read.

Granting all-or-nothing requests of one size, or partial requests of any size, spends the same total in any
interleaving as in a sequential run: the least of the budget and the sum asked. One reservation at a time, the
store grants what a :class:`~fenxiao.grading.budgets.BudgetBook` holding the same entries would grant.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Final

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fenxiao._internal.convert import dumps, loads
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.money import Money
from fenxiao.store._sql import insert_ignoring_duplicates, micros_of, moment, offset_of, to_fen, utc_of
from fenxiao.store.schema import BUDGET_SPEND, BUDGETS

__all__ = ["BudgetSpend", "spend_from_row"]

_B = BUDGETS.c
_S = BUDGET_SPEND.c

#: The caps a reservation honours: the SubsidyBudget field and the spend column of its key (``None``: the day, read
#: from ``counted_on`` or the moment, in :meth:`BudgetSpend._day_spend`).
_CAPS: Final = (
    ("per_period", _S.period),
    ("per_merchant", _S.merchant_id),
    ("per_sku", _S.sku_id),
    ("per_day", None),
)
_ONE_DAY: Final = timedelta(days=1)


@lru_cache(maxsize=256)
def _definition(document: str) -> SubsidyBudget:
    """The :class:`SubsidyBudget` a budget row's document holds (read once per distinct document)."""
    return loads(document, SubsidyBudget)


def _outside_window(budget: SubsidyBudget, at: datetime) -> bool:
    """Whether *at* is outside *budget*'s window (``valid_until`` exclusive), as the allocation reads it."""
    return (budget.valid_from is not None and at < budget.valid_from) or (
        budget.valid_until is not None and at >= budget.valid_until
    )


def _capped(budget: SubsidyBudget) -> bool:
    return any(getattr(budget, field) is not None for field, _ in _CAPS)


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
        "counted_on": entry.counted_on,
    }


def spend_from_row(row: Mapping[Any, Any]) -> SpendEntry:
    """The :class:`~fenxiao.grading.budgets.SpendEntry` a ``budget_spend`` row holds."""
    return SpendEntry(
        request_id=row["request_id"],
        budget=row["budget"],
        amount=Money(row["amount_fen"], row["currency"]),
        at=moment(row["at"], row["at_offset"]),
        period=row["period"],
        sku_id=row["sku_id"],
        merchant_id=row["merchant_id"],
        counted_on=row["counted_on"],
    )


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
        """Grant *entry* (a positive amount) from its budget if the budget's total and each of its caps have that
        much left for the entry's period, merchant, SKU and day, and its moment is within the budget's window; what
        was granted (as :meth:`BudgetBook.allocate <fenxiao.grading.budgets.BudgetBook.allocate>` grants it).

        Args:
            entry: The grant asked for: request id, budget, amount (> 0), when, and the period, SKU and merchant
                it is for.
            partial: Grant what is left when less than asked (instead of nothing).

        Returns:
            The grant recorded (*entry*, or with a smaller amount when *partial*), the grant already held for
            this request id (reserving twice spends once), or ``None`` when nothing was granted (too little left,
            or the moment outside the window).

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
        budget = _definition(row["document"]) if row["document"] is not None else None
        if budget is not None and _outside_window(budget, entry.at):
            return None
        capped = budget if budget is not None and _capped(budget) else None
        granted = entry
        if partial or capped is not None:
            locked = self._grant_locked(entry, row if partial else None, capped, partial=partial)
            if locked is None:
                return None
            granted = locked
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

    def _grant_locked(
        self, entry: SpendEntry, row: Mapping[Any, Any] | None, capped: SubsidyBudget | None, *, partial: bool
    ) -> SpendEntry | None:
        """What *entry* gets, read under the budget's row lock (*row*: the locked row, if read already), the spend
        recorded in the row: the least of what it asks and what the total and *capped*'s caps have left (nothing
        when less than asked and not *partial*)."""
        if row is None:  # a cap's spend is read: the row is locked first, so that no grant moves it meanwhile
            row = self._row(entry.budget, lock=True)
            if row is None:  # pragma: no cover - a defined budget's row is never deleted
                raise InvalidValueError("BudgetSpend.reserve.entry.budget", entry.budget, "is not a defined budget")
        left = row["total_fen"] - row["spent_fen"]
        if capped is not None:
            left = min(left, self._cap_left(capped, entry))
        if left <= 0 or (left < entry.amount.fen and not partial):
            return None
        granted = entry if left >= entry.amount.fen else attrs.evolve(entry, amount=Money(left, entry.amount.currency))
        self.conn.execute(
            BUDGETS.update().where(_B.name == entry.budget).values(spent_fen=_B.spent_fen + granted.amount.fen)
        )
        return granted

    def _cap_left(self, budget: SubsidyBudget, entry: SpendEntry) -> int:
        """The least any of *budget*'s caps has left (fen) for *entry*'s period, merchant, SKU and day."""
        left: int | None = None
        for field, column in _CAPS:
            cap: Money | None = getattr(budget, field)
            if cap is None:
                continue
            if column is None:
                spent = self._day_spend(entry.budget, entry.day)
            else:
                key = getattr(entry, column.name)
                match = column.is_(None) if key is None else column == key
                total = self.conn.execute(
                    sa.select(sa.func.sum(_S.amount_fen)).where(_S.budget == entry.budget, match)
                ).scalar_one()
                spent = to_fen(total, "BudgetSpend.reserve")
            left = cap.fen - spent if left is None else min(left, cap.fen - spent)
        return 0 if left is None else left

    def _day_spend(self, budget: str, day: date) -> int:
        """What *budget*'s movements counted on *day* hold (fen): those with ``counted_on`` of *day*, and those
        without one whose moment falls on *day* in its own UTC offset (within a day either side in UTC)."""
        start = datetime(day.year, day.month, day.day, tzinfo=UTC) - _ONE_DAY
        query = sa.select(BUDGET_SPEND).where(
            _S.budget == budget,
            sa.or_(
                _S.counted_on == day,
                sa.and_(_S.counted_on.is_(None), _S.at > start, _S.at < start + 3 * _ONE_DAY),
            ),
        )
        return sum(e.amount.fen for e in map(spend_from_row, self.conn.execute(query).mappings()) if e.day == day)

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

    def _check_keys(self, entry: SpendEntry, where: str) -> None:
        """A return keeps its grant's period, SKU, merchant and day (as :class:`BudgetBook` requires)."""
        query = sa.select(BUDGET_SPEND).where(
            _S.budget == entry.budget, _S.request_id == entry.request_id, _S.movement == "grant"
        )
        row = self.conn.execute(query).mappings().first()
        if row is None:
            return  # the amount check below names a return without a grant
        grant = spend_from_row(row)
        if (grant.period, grant.sku_id, grant.merchant_id, grant.day) != (
            entry.period,
            entry.sku_id,
            entry.merchant_id,
            entry.day,
        ):
            raise InvalidValueError(where, entry, "must keep its grant's period, SKU, merchant and day")

    def record(self, entries: Iterable[SpendEntry]) -> int:
        """Record grants and returns decided elsewhere (a period run's allocation), idempotently; how many were
        new. A budget not defined yet gets a row without a total.

        Raises:
            InvalidValueError: An entry is not a SpendEntry; a return gives back more than its request holds.
            PolicyError: A held grant or return differs from the one given, or a grant would overspend a defined
                budget's total or one of its caps (for the grant's period, merchant, SKU and day).
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
                self._check_keys(entry, where)
                holds = self.conn.execute(
                    sa.select(sa.func.sum(_S.amount_fen)).where(
                        _S.budget == entry.budget, _S.request_id == entry.request_id
                    )
                ).scalar_one()
                if to_fen(holds, where) + entry.amount.fen < 0:
                    raise InvalidValueError(
                        f"{where}.amount", entry.amount, f"gives back more than request {entry.request_id!r} holds"
                    )
            else:
                self._check_grant(entry, budget, where)
            self.conn.execute(
                BUDGETS.update().where(_B.name == entry.budget).values(spent_fen=_B.spent_fen + entry.amount.fen)
            )
            self.conn.execute(BUDGET_SPEND.insert(), row)
            recorded += 1
        return recorded

    def _check_grant(self, entry: SpendEntry, budget: Mapping[Any, Any], where: str) -> None:
        """A recorded grant fits in what its defined budget's total and caps have left (*budget*: its locked row)."""
        if budget["total_fen"] is None:
            return
        if budget["spent_fen"] + entry.amount.fen > budget["total_fen"]:
            raise PolicyError(
                f"{where}.amount",
                entry.amount,
                f"would overspend budget {entry.budget!r} "
                f"({Money(budget['total_fen'] - budget['spent_fen'], budget['currency'])} left)",
            )
        definition = _definition(budget["document"]) if budget["document"] is not None else None
        if definition is not None and _capped(definition):
            left = self._cap_left(definition, entry)
            if entry.amount.fen > left:
                raise PolicyError(
                    f"{where}.amount",
                    entry.amount,
                    f"would overspend a cap of budget {entry.budget!r} "
                    f"({Money(max(left, 0), budget['currency'])} left for its period, merchant, SKU and day)",
                )

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
