"""Budgets with memory: :class:`BudgetBook`, the record of every subsidy granted from a budget and returned to it.

A :class:`~fenxiao.grading.subsidies.SubsidyBudget` says how much may be spent; a :class:`BudgetBook` says how much
has been: one :class:`SpendEntry` per grant (positive) and per return (negative, when a refund or clawback gives a
subsidy back). What is left of a budget is its total minus the book's spend, so two allocations against the same
book never spend the same fen twice.

:meth:`BudgetBook.allocate` grants requests as :func:`~fenxiao.grading.subsidies.allocate_subsidies` does (the same
allocation, in the same order) but against what the book says is left of the total and of each cap, refuses a
request the book already paid, and returns the new book with one entry per grant above zero.
:meth:`BudgetBook.give_back` returns (part of) a grant; :meth:`BudgetBook.settle_refunds` returns the subsidy share
of an order's refunds, as the settlement computes it (:meth:`BudgetBook.settle_owed` the same, given the shares by
order id, for callers that hold columns). :meth:`BudgetBook.spent`, :meth:`BudgetBook.granted`,
:meth:`BudgetBook.returned` and :meth:`BudgetBook.remaining` read the book.

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.grading.levels import Tier
>>> from fenxiao.grading.subsidies import SubsidyBudget, SubsidyRequest
>>> t = datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=8)))
>>> budget = SubsidyBudget("official-subsidy", Money.of("5.00"))
>>> ask = [SubsidyRequest("o-1:official-subsidy", "official-subsidy", Money.of("3.00"), Tier.L5)]
>>> book, first = BudgetBook().allocate(ask, [budget], period="2026-W45", at=t)
>>> book, again = book.allocate(ask, [budget], period="2026-W45", at=t)
>>> [(g.granted.to_text(), g.reason) for g in first.grants + again.grants]
[('3.00', 'granted in full'), ('0.00', 'already granted: the book holds a grant for this request id')]
>>> book, back = book.give_back("o-1:official-subsidy", at=t + timedelta(days=1), amount=Money.of("1.00"))
>>> str(back), str(book.spent("official-subsidy")), str(book.remaining(budget))
('¥1.00', '¥2.00', '¥3.00')

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.trusted import builder
from fenxiao.errors import InvalidValueError
from fenxiao.grading.subsidies import (
    BudgetAllocation,
    SubsidyBudget,
    SubsidyRequest,
    _allocate,
    _budgets_by_name,
    _Memory,
)
from fenxiao.money import Money
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import split

__all__ = ["BudgetBook", "SpendEntry"]


def _amount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be Money (e.g. Money.of('9.90'))")
    if value.fen == 0:
        raise InvalidValueError(v.path_of(instance, attribute), value, "must not be zero (a grant or a return)")


@attrs.frozen
class SpendEntry:
    """One movement of a budget: a grant (``amount`` > 0) or a return (``amount`` < 0) for one request.

    ``period`` is the program period the grant was made in (a return keeps the period of its grant, so a period's
    spend is what its grants still hold); ``at`` is when the movement happened. ``sku_id`` and ``merchant_id``
    are the request's, and ``counted_on`` is the day a per-day cap counts the movement on: a grant counts on its
    request's day and a return on its grant's day (``None``: the day of ``at``). A return keeps every key of its
    grant, so the spend of a period, SKU, merchant or day is what its grants still hold, never below zero.

    .. versionchanged:: 0.1
       ``counted_on``; a return's amount is negative.
    """

    request_id: str = attrs.field(validator=v.request_id)
    budget: str = attrs.field(validator=v.identifier)
    amount: Money = attrs.field(validator=_amount)
    at: datetime = attrs.field(validator=v.aware_datetime)
    period: str | None = attrs.field(default=None, validator=v.optional_identifier)
    sku_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    merchant_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    counted_on: date | None = attrs.field(default=None, validator=v.optional_date)

    @property
    def day(self) -> date:
        """The day a per-day cap counts this movement on: ``counted_on``, else the calendar day of ``at`` (in its
        own UTC offset)."""
        return self.counted_on if self.counted_on is not None else self.at.date()

    @property
    def is_grant(self) -> bool:
        """Whether this movement is a grant (money out of the budget), not a return."""
        return self.amount.fen > 0


class _Account:
    """One request's grant and what has been returned of it (fen), while reading a book (built afresh by each read;
    a plain class: a book of a million entries builds one per grant)."""

    __slots__ = ("grant", "returned")

    def __init__(self, grant: SpendEntry) -> None:
        self.grant = grant
        self.returned = 0

    @property
    def held(self) -> int:
        return self.grant.amount.fen - self.returned


def _keys(entry: SpendEntry) -> tuple[object, ...]:
    return (entry.budget, entry.amount.currency, entry.period, entry.sku_id, entry.merchant_id, entry.day)


def _accounts(entries: Sequence[SpendEntry], path: str = "BudgetBook.entries") -> dict[str, _Account]:
    """Every request's account; a second grant, or a return without a grant, with other keys or beyond it, is
    refused."""
    accounts: dict[str, _Account] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, SpendEntry):
            raise InvalidValueError(f"{path}[{i}]", entry, "must be a SpendEntry")
        account = accounts.get(entry.request_id)
        if entry.is_grant:
            if account is not None:
                raise InvalidValueError(
                    f"{path}[{i}].request_id", entry.request_id, "already has a grant (a request is paid once)"
                )
            accounts[entry.request_id] = _Account(entry)
            continue
        if account is None:
            raise InvalidValueError(f"{path}[{i}].request_id", entry.request_id, "returns a subsidy never granted")
        if _keys(entry) != _keys(account.grant):
            raise InvalidValueError(
                f"{path}[{i}]", entry, "must keep its grant's budget, currency, period, SKU, merchant and day"
            )
        if -entry.amount.fen > account.held:
            held = Money(account.held, entry.amount.currency)
            raise InvalidValueError(f"{path}[{i}].amount", entry.amount, f"returns more than the grant holds ({held})")
        account.returned -= entry.amount.fen
    return accounts


def _entries(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("BudgetBook.entries", value, "must be a tuple of SpendEntry")
    _accounts(value)


#: The scopes a cap counts spend in, and the entry's key for each (``"total"``: every entry of the budget); the same
#: scopes, in the same names, as the allocation keys each request by (``fenxiao.grading.subsidies._allocate``).
_SCOPES: Final[tuple[tuple[str, Callable[[SpendEntry], object]], ...]] = (
    ("total", lambda e: None),
    ("period", lambda e: e.period),
    ("merchant", lambda e: e.merchant_id),
    ("sku", lambda e: e.sku_id),
    ("day", lambda e: e.day),
)


@attrs.frozen
class BudgetBook:
    """Every grant from and return to the subsidy budgets, in the order they happened (append-only).

    A request id is granted at most once, and a return keeps its grant's budget, period, SKU, merchant and day
    and never gives back more than the grant still holds (the book refuses entries that break this).
    """

    entries: tuple[SpendEntry, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_entries)

    # -- reading ------------------------------------------------------------------------------------------

    def _matching(
        self,
        budget: str,
        period: str | None,
        sku_id: str | None,
        merchant_id: str | None,
        day: date | None,
    ) -> Iterator[SpendEntry]:
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
            yield entry

    @staticmethod
    def _sum(entries: Iterable[SpendEntry], currency: str | None, sign: int = 0) -> Money:
        total: Money | None = None
        for entry in entries:
            if sign * entry.amount.fen < 0:
                continue
            total = entry.amount if total is None else total + entry.amount
        if total is None:
            return Money.zero(currency) if currency is not None else Money(0)
        return total

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
        """What *budget* has spent (grants minus returns), in all or only for one period, SKU, merchant or day.

        *currency* is the currency of the zero returned when nothing matches (default CNY).
        """
        return self._sum(self._matching(budget, period, sku_id, merchant_id, day), currency)

    def granted(
        self,
        budget: str,
        *,
        period: str | None = None,
        sku_id: str | None = None,
        merchant_id: str | None = None,
        day: date | None = None,
        currency: str | None = None,
    ) -> Money:
        """What *budget* has granted (returns not deducted), filtered as :meth:`spent` is."""
        return self._sum(self._matching(budget, period, sku_id, merchant_id, day), currency, 1)

    def returned(
        self,
        budget: str,
        *,
        period: str | None = None,
        sku_id: str | None = None,
        merchant_id: str | None = None,
        day: date | None = None,
        currency: str | None = None,
    ) -> Money:
        """What has been returned to *budget* (a positive amount), filtered as :meth:`spent` is."""
        return -self._sum(self._matching(budget, period, sku_id, merchant_id, day), currency, -1)

    def remaining(
        self,
        budget: SubsidyBudget,
        *,
        period: str | None = None,
        merchant_id: str | None = None,
        sku_id: str | None = None,
        day: date | None = None,
    ) -> Money:
        """What *budget* can still grant: its total less its spend, and for each key given, its cap for that key
        less the key's spend (the least of these, never below zero).

        ``remaining(budget)`` is what the total has left; ``remaining(budget, merchant_id="m-1")`` also honours
        the per-merchant cap of ``m-1``, and so on. A key whose cap is ``None`` changes nothing. The window is
        not read here: an expired budget may have money left that :meth:`allocate` will not grant.

        Raises:
            InvalidValueError: *budget* is not a :class:`~fenxiao.grading.subsidies.SubsidyBudget`.
        """
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError("BudgetBook.remaining.budget", budget, "must be a SubsidyBudget")
        currency = budget.total.currency
        left = budget.total - self.spent(budget.name, currency=currency)
        caps: tuple[tuple[Money | None, dict[str, Any]], ...] = (
            (budget.per_period, {"period": period}),
            (budget.per_merchant, {"merchant_id": merchant_id}),
            (budget.per_sku, {"sku_id": sku_id}),
            (budget.per_day, {"day": day}),
        )
        for cap, key in caps:
            if cap is not None and next(iter(key.values())) is not None:
                left = min(left, cap - self.spent(budget.name, currency=currency, **key))
        return max(left, Money.zero(currency))

    def held(self, request_id: str) -> Money:
        """What the grant of *request_id* still holds: what was granted less what has been returned of it.

        Raises:
            InvalidValueError: The book holds no grant for *request_id*.
        """
        account = self._account(request_id, "BudgetBook.held.request_id")
        return Money(account.held, account.grant.amount.currency)

    def _account(self, request_id: str, path: str) -> _Account:
        account: _Account | None = None
        for entry in self.entries:  # one request's entries: a scan, not an index of the whole book
            if entry.request_id == request_id:
                if account is None:
                    account = _Account(entry)  # the book holds a request's grant before its returns
                else:
                    account.returned -= entry.amount.fen
        if account is None:
            raise InvalidValueError(path, request_id, "has no grant in the book")
        return account

    # -- granting -----------------------------------------------------------------------------------------

    def allocate(
        self,
        requests: Iterable[SubsidyRequest],
        budgets: Sequence[SubsidyBudget],
        *,
        period: str | None = None,
        at: datetime,
        order: Callable[[SubsidyRequest], Any] | None = None,
    ) -> tuple[BudgetBook, BudgetAllocation]:
        """Grant *requests* from *budgets* against what this book says is left, at *at*, in *period*.

        The allocation is :func:`~fenxiao.grading.subsidies.allocate_subsidies`' (served in the same *order*,
        whatever order the requests arrive in), with memory: each request gets the least of what it asks and
        what is left of its budget's total (less everything the book holds), its ``per_period`` cap (less the
        spend of *period*), its ``per_merchant``, ``per_sku`` and ``per_day`` caps (less the spend of the
        request's merchant, SKU and day, the day being the request's own time's, else *at*'s). A partial or
        zero grant's reason names what bound it ("partial: per-merchant cap of ¥50.00 had ¥20.00 left").

        A request the book already holds a grant for gets nothing ("already granted ..."), so allocating the
        same request twice never pays twice; a budget whose window has ended at *at* (expired) or not begun
        grants nothing, and a request outside the window gets nothing, each with its reason.

        Returns:
            The new book (this one plus one :class:`SpendEntry` per grant above zero, dated *at*, in *period*)
            and the allocation (every request's grant; each budget's total less the new book's spend).

        Raises:
            InvalidValueError: *at* is naive, *period* not an id, duplicate request ids or budget names, a
                request or a book entry of a budget in another currency than the budget.
        """
        moment = v.require_aware(at, "BudgetBook.allocate.at")
        named: object = period
        if named is not None and (not isinstance(named, str) or not v._ID_RE.match(named)):
            raise InvalidValueError(
                "BudgetBook.allocate.period", period, "must be an id of 1-64 letters, digits or _.:-"
            )
        spent = self._tally(budgets)
        held = {entry.request_id for entry in self.entries if entry.is_grant}
        allocation, paid = _allocate(requests, budgets, order, _Memory(spent, held, period, moment))
        new = tuple(
            SpendEntry(
                p.request.request_id,
                p.request.budget,
                p.granted,
                moment,
                period,
                p.request.sku_id,
                p.request.merchant_id,
                p.day,
            )
            for p in paid
        )
        return _extended(self.entries + new), allocation

    def _tally(self, budgets: Sequence[SubsidyBudget]) -> dict[tuple[str, str, object], int]:
        """The spend of each budget of *budgets* per scope and key, in fen (entries of other budgets are skipped)."""
        currencies = {name: b.total.currency for name, b in _budgets_by_name(budgets).items()}
        tally: dict[tuple[str, str, object], int] = {}
        for i, entry in enumerate(self.entries):
            currency = currencies.get(entry.budget)
            if currency is None:
                continue
            if entry.amount.currency != currency:
                raise InvalidValueError(
                    f"BudgetBook.entries[{i}].amount", entry.amount, f"must be in {currency}, as {entry.budget} is"
                )
            for scope, key_of in _SCOPES:
                key = (entry.budget, scope, key_of(entry))
                tally[key] = tally.get(key, 0) + entry.amount.fen
        return tally

    # -- returning ----------------------------------------------------------------------------------------

    def give_back(self, request_id: str, *, at: datetime, amount: Money | None = None) -> tuple[BudgetBook, Money]:
        """Return (part of) the subsidy granted to *request_id* to the budget it came from, at *at*.

        A refund or clawback gives back *amount* (``None``: all the grant still holds), never more than the
        grant still holds (what was granted less what has been returned): asking for more returns what is
        held, and a grant returned in full returns nothing more. The return keeps the grant's budget, period,
        SKU, merchant and day, so each of their spends goes down by what comes back. A return after the
        budget's window has ended is recorded all the same (the money is back in the budget's account; the
        budget cannot grant it again once expired).

        Returns:
            The new book (with one negative :class:`SpendEntry` when anything came back) and what came back.

        Raises:
            InvalidValueError: The book holds no grant for *request_id*; *at* is naive; *amount* is not Money,
                is negative or in another currency than the grant.
        """
        moment = v.require_aware(at, "BudgetBook.give_back.at")
        account = self._account(request_id, "BudgetBook.give_back.request_id")
        currency = account.grant.amount.currency
        wanted = Money(account.held, currency)
        if amount is not None:
            given: object = amount
            if not isinstance(given, Money) or amount.fen < 0 or amount.currency != currency:
                raise InvalidValueError(
                    "BudgetBook.give_back.amount", amount, f"must be Money in {currency}, not negative"
                )
            wanted = min(amount, wanted)
        return self._returned(((account, wanted.fen),), moment)

    def _returned(self, returns: Iterable[tuple[_Account, int]], at: datetime) -> tuple[BudgetBook, Money]:
        """This book with a return of *fen* for each account (zeros skipped), and the total returned."""
        new: list[SpendEntry] = []
        back: Money | None = None
        for account, fen in returns:
            grant = account.grant
            amount = Money(fen, grant.amount.currency)
            back = amount if back is None else back + amount  # one currency (Money refuses to mix them)
            if fen > 0:
                new.append(attrs.evolve(grant, amount=-amount, at=at, counted_on=grant.day))
        return (_extended(self.entries + tuple(new)) if new else self), (back if back is not None else Money(0))

    def settle_refunds(
        self, orders: Iterable[Order], profile: PlatformProfile, *, at: datetime
    ) -> tuple[BudgetBook, Money]:
        """Return to the budgets the subsidy share of each order's refunds up to *at*, as the settlement computes it.

        An order's subsidy came from the grants of its requests ``"{order.id}:{budget}"`` (the ids
        :func:`~fenxiao.grading.subsidies.subsidy_requests` gives and
        :func:`~fenxiao.grading.subsidies.apply_subsidy` reads). What it owes back is the ``subsidy_return`` of
        its split under *profile* as of *at* (:func:`fenxiao.settlement.splits.split`: the order's subsidy less
        what it keeps after refunds, under the profile's rounding); this gives back what is owed and not yet
        returned, so settling the same refunds twice returns nothing the second time. With grants from several
        budgets the amount is shared in proportion to what each grant still holds
        (:meth:`Money.allocate <fenxiao.money.Money.allocate>`: no fen lost or made). An order without a
        subsidy and without grants returns nothing.

        Returns:
            The new book and the total returned.

        Raises:
            InvalidValueError: *at* is naive; an order is not an :class:`~fenxiao.settlement.orders.Order`, is
                listed twice, or its subsidy is not what the book granted it (apply the allocation with
                :func:`~fenxiao.grading.subsidies.apply_subsidy` first).
            PolicyError: An order's terms break *profile*'s bounds (as :func:`split` raises).
        """
        moment = v.require_aware(at, "BudgetBook.settle_refunds.at")
        by_order = self._by_order()
        returns: list[tuple[_Account, int]] = []
        seen: set[str] = set()
        for i, order in enumerate(orders):
            if not isinstance(order, Order):
                raise InvalidValueError(f"BudgetBook.settle_refunds.orders[{i}]", order, "must be an Order")
            if order.id in seen:
                raise InvalidValueError(f"BudgetBook.settle_refunds.orders[{i}].id", order.id, "is listed twice")
            seen.add(order.id)
            accounts = by_order.get(order.id, [])
            granted = sum(a.grant.amount.fen for a in accounts)
            if granted != order.subsidy.fen or any(a.grant.amount.currency != order.subsidy.currency for a in accounts):
                raise InvalidValueError(
                    f"BudgetBook.settle_refunds.orders[{i}].subsidy",
                    order.subsidy,
                    f"is not the {Money(granted, order.subsidy.currency)} the book granted order {order.id}",
                )
            if not accounts:
                continue
            owed = order.subsidy - split(order, profile, as_of=moment).subsidy
            returns.extend(_owed_back(accounts, owed.fen, order.subsidy.currency))
        return self._returned(returns, moment)

    def settle_owed(self, owed: Mapping[str, Money], *, at: datetime) -> tuple[BudgetBook, Money]:
        """Return to the budgets what orders owe back, given by order id instead of as orders, at *at*.

        ``owed[order_id]`` is the whole subsidy share the order's refunds have returned so far, as the settlement
        computes it: the ``subsidy_return`` line of its split (the ``subsidy_return_fen`` column of
        :func:`fenxiao.columnar.settle_columns`), which is what :meth:`settle_refunds` computes from the orders
        themselves. This is :meth:`settle_refunds` for callers that hold columns, not orders (the columnar season):
        it gives back what is owed and not yet returned, shared over the order's grants in proportion to what each
        still holds, so settling the same amounts twice returns nothing the second time. An order owing nothing
        is skipped.

        >>> from datetime import datetime, timezone
        >>> from fenxiao.grading.levels import Tier
        >>> from fenxiao.grading.subsidies import SubsidyBudget, SubsidyRequest
        >>> t = datetime(2026, 11, 1, tzinfo=timezone.utc)
        >>> budget = SubsidyBudget("official-subsidy", Money.of("50.00"))
        >>> ask = [SubsidyRequest("o-1:official-subsidy", "official-subsidy", Money.of("20.00"), Tier.L5)]
        >>> book, _ = BudgetBook().allocate(ask, [budget], at=t)
        >>> book, back = book.settle_owed({"o-1": Money.of("5.00")}, at=t)
        >>> book, again = book.settle_owed({"o-1": Money.of("8.00")}, at=t)  # three more refunded since
        >>> str(back), str(again), str(book.spent("official-subsidy"))
        ('¥5.00', '¥3.00', '¥12.00')

        Returns:
            The new book and the total returned.

        Raises:
            InvalidValueError: *at* is naive; *owed* is not a mapping of order ids to Money; an amount is
                negative, in another currency than the order's grants, more than the book granted the order, or
                above zero for an order the book granted nothing.

        .. versionadded:: 0.1
        """
        moment = v.require_aware(at, "BudgetBook.settle_owed.at")
        given: object = owed
        if not isinstance(given, Mapping):
            raise InvalidValueError("BudgetBook.settle_owed.owed", owed, "must be a mapping of order id to Money")
        by_order = self._by_order()
        returns: list[tuple[_Account, int]] = []
        for order_id, amount in given.items():
            path = f"BudgetBook.settle_owed.owed[{order_id!r}]"
            if not isinstance(order_id, str) or not isinstance(amount, Money) or amount.fen < 0:
                raise InvalidValueError(path, amount, "must be Money, not negative, under a text order id")
            accounts = by_order.get(order_id, [])
            granted = sum(a.grant.amount.fen for a in accounts)
            if amount.fen > granted or any(a.grant.amount.currency != amount.currency for a in accounts):
                held = Money(granted, accounts[0].grant.amount.currency) if accounts else Money.zero(amount.currency)
                raise InvalidValueError(path, amount, f"is more than, or not in the currency of, the {held} granted")
            if amount.fen:
                returns.extend(_owed_back(accounts, amount.fen, amount.currency))
        return self._returned(returns, moment)

    def _by_order(self) -> dict[str, list[_Account]]:
        """Each order's accounts by order id (request ids ``"{order.id}:{budget}"``), in budget-name order."""
        by_order: dict[str, list[_Account]] = {}
        for request_id, account in _accounts(self.entries).items():
            suffix = f":{account.grant.budget}"
            if request_id.endswith(suffix):
                by_order.setdefault(request_id[: -len(suffix)], []).append(account)
        for accounts in by_order.values():
            accounts.sort(key=lambda a: a.grant.budget)
        return by_order


def _owed_back(accounts: Sequence[_Account], owed: int, currency: str) -> list[tuple[_Account, int]]:
    """What each of an order's grants gives back so that *owed* fen in all have come back (nothing if they have):
    the rest due shared in proportion to what each still holds (no fen lost or made)."""
    due = owed - sum(a.returned for a in accounts)
    held = [a.held for a in accounts]
    if due <= 0 or not any(held):
        return []
    parts = Money(due, currency).allocate(held)
    return [(a, part.fen) for a, part in zip(accounts, parts, strict=True)]


#: A book extended by its own methods, without re-checking the entries it already held (a pass over the whole book
#: per call): :meth:`BudgetBook.allocate` appends grants only for request ids the book holds no grant for (the
#: allocation refuses the others), and the returns keep their grant's keys and never exceed what it holds, so the
#: result is what the validated constructor would build (the tests compare the two).
_extended: Final = builder(BudgetBook)
