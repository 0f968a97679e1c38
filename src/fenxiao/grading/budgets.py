"""Budgets with memory: :class:`BudgetBook`, the record of every subsidy granted from a budget and returned to it.

A :class:`~fenxiao.grading.subsidies.SubsidyBudget` says how much may be spent; a :class:`BudgetBook` says how much
has been: one :class:`SpendEntry` per grant (positive) and per return (negative, when a refund or clawback gives a
subsidy back). What is left of a budget is its total minus the book's spend, so two allocations against the same
book never spend the same fen twice.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money

__all__ = ["BudgetBook", "SpendEntry"]


@attrs.frozen
class SpendEntry:
    """One movement of a budget: a grant (``amount`` > 0) or a return (``amount`` < 0) for one request.

    ``period`` is the program period the grant was made in (a return keeps the period of its grant, so a period's
    spend is what its grants still hold); ``at`` is when the movement happened.
    """

    request_id: str = attrs.field(validator=v.request_id)
    budget: str = attrs.field(validator=v.identifier)
    amount: Money = attrs.field(validator=v.money)
    at: datetime = attrs.field(validator=v.aware_datetime)
    period: str | None = attrs.field(default=None, validator=v.optional_identifier)
    sku_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    merchant_id: str | None = attrs.field(default=None, validator=v.optional_identifier)

    @property
    def day(self) -> date:
        """The calendar day of ``at`` in its own UTC offset (the day a per-day cap counts it on)."""
        return self.at.date()


def _entries(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("BudgetBook.entries", value, "must be a tuple of SpendEntry")
    for i, entry in enumerate(value):
        if not isinstance(entry, SpendEntry):
            raise InvalidValueError(f"BudgetBook.entries[{i}]", entry, "must be a SpendEntry")


@attrs.frozen
class BudgetBook:
    """Every grant from and return to the subsidy budgets, in the order they happened (append-only)."""

    entries: tuple[SpendEntry, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_entries)

    def spent(
        self,
        budget: str,
        *,
        period: str | None = None,
        sku_id: str | None = None,
        merchant_id: str | None = None,
        day: date | None = None,
        currency: str | None = None,
    ) -> Money:
        """What *budget* has spent (grants minus returns), in all or only for one period, SKU, merchant or day."""
        total: Money | None = None
        for entry in self.entries:
            if entry.budget != budget:
                continue
            if period is not None and entry.period != period:
                continue
            if sku_id is not None and entry.sku_id != sku_id:
                continue
            if merchant_id is not None and entry.merchant_id != merchant_id:
                continue
            if day is not None and entry.day != day:
                continue
            total = entry.amount if total is None else total + entry.amount
        if total is None:
            return Money.zero(currency) if currency is not None else Money(0)
        return total

    def allocate(
        self, requests: Iterable[Any], budgets: Sequence[Any], *, period: str | None = None, at: datetime
    ) -> tuple[BudgetBook, Any]:
        """Grant *requests* against what each budget has left after this book's spend; the book records the grants.

        Interim version (totals only): the budgets helper's version with caps and returns replaces it.
        """
        from fenxiao.grading.subsidies import allocate_subsidies  # noqa: PLC0415

        listed = list(requests)
        left = [
            attrs.evolve(
                b, total=max(b.total - self.spent(b.name, currency=b.total.currency), Money.zero(b.total.currency))
            )
            for b in budgets
        ]
        allocation = allocate_subsidies(listed, left)
        by_id = {r.request_id: r for r in listed}
        entries = list(self.entries)
        for grant in allocation.grants:
            if grant.granted.fen > 0:
                request = by_id[grant.request_id]
                entries.append(
                    SpendEntry(grant.request_id, grant.budget, grant.granted, request.at or at, period, request.sku_id)
                )
        return BudgetBook(tuple(entries)), allocation
