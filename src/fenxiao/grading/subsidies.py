"""Subsidy budgets (官方补贴的预算): requests drawn from limited budgets, granted without ever overspending.

A :class:`~fenxiao.grading.perks.Subsidy` perk says what the platform pays per order; the money comes from a
:class:`SubsidyBudget`. :func:`subsidy_requests` turns a SKU's granted subsidies and its orders into
:class:`SubsidyRequest` values, :func:`allocate_subsidies` grants them deterministically (higher tier first, then
higher score, then request id) and :func:`apply_subsidy` puts what was granted on each order, for the split.
A budget may also cap what one merchant, SKU, day or period gets (``per_merchant``, ``per_sku``, ``per_day``,
``per_period``). :func:`allocate_subsidies` has no memory (one batch, nothing spent before it);
:meth:`fenxiao.grading.budgets.BudgetBook.allocate` runs the same allocation against what a book has already
spent.

>>> from fenxiao.grading.levels import Tier
>>> from fenxiao.money import Money
>>> budget = SubsidyBudget("official-subsidy", Money.of("5.00"))
>>> requests = [SubsidyRequest(f"o-{i}", "official-subsidy", Money.of("2.00"), Tier.L5) for i in range(3)]
>>> [(g.request_id, str(g.granted)) for g in allocate_subsidies(requests, [budget]).grants]
[('o-0', '¥2.00'), ('o-1', '¥2.00'), ('o-2', '¥1.00')]

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, TypeAlias

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkResolution, outside_window
from fenxiao.money import Money

__all__ = [
    "BudgetAllocation",
    "SubsidyBudget",
    "SubsidyGrant",
    "SubsidyRequest",
    "allocate_subsidies",
    "apply_subsidy",
    "subsidy_requests",
]


# -- budgets ----------------------------------------------------------------------------------------


def _cap(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.optional_money(instance, attribute, value)
    total = getattr(instance, "total", None)
    if isinstance(value, Money) and isinstance(total, Money) and value.currency != total.currency:
        raise InvalidValueError(v.path_of(instance, attribute), value, f"must be in {total.currency}, as the total is")


@attrs.frozen
class SubsidyBudget:
    """A subsidy budget for a campaign or period: a name, a total, an optional window and optional caps.

    The window is read as a perk entry's campaign window is (:func:`~fenxiao.grading.perks.outside_window`):
    timezone-aware, ``valid_until`` exclusive; a request without a time is outside a budget that has one.

    Each cap (``None``: no cap) limits what the budget pays, net of returns, for one value of its key: one
    merchant (the request's ``merchant_id``), one SKU (``sku_id``), one day (the calendar day of the request's
    time, in its own UTC offset) or one program period (the period a :class:`~fenxiao.grading.budgets.BudgetBook`
    allocates in). A request without the key (no merchant id, no time, no period) counts in one group of its own
    for that cap. Caps are in the total's currency.

    Args:
        name: The budget's name, which a subsidy perk's ``budget`` names.
        total: The most the budget pays in all, net of returns ("150000.00", or "2000.00 USD").
        valid_from: When the budget opens (timezone-aware), if it has a window.
        valid_until: When it closes (exclusive), if it has a window.
        per_merchant: The most one merchant gets, if capped.
        per_sku: The most one SKU gets, if capped.
        per_day: The most one calendar day's requests get, if capped.
        per_period: The most one program period's requests get, if capped.

    .. versionchanged:: 0.1
       ``per_merchant``, ``per_sku``, ``per_day`` and ``per_period``.
    """

    name: str = attrs.field(validator=v.identifier)
    total: Money = attrs.field(validator=v.money)
    valid_from: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    per_merchant: Money | None = attrs.field(default=None, validator=_cap)
    per_sku: Money | None = attrs.field(default=None, validator=_cap)
    per_day: Money | None = attrs.field(default=None, validator=_cap)
    per_period: Money | None = attrs.field(default=None, validator=_cap)


@attrs.frozen
class SubsidyRequest:
    """A request to draw a subsidy for one order (or SKU) from a budget.

    ``tier`` and ``score`` order the requests when demand exceeds the budget; ``sku_id``, ``merchant_id`` and
    ``at`` (its day) are the keys of the budget's caps, and ``at`` is checked against the budget's window.
    """

    request_id: str = attrs.field(validator=v.request_id)
    budget: str = attrs.field(validator=v.identifier)
    amount: Money = attrs.field(validator=v.money)
    tier: Tier = attrs.field(validator=v.member_of(Tier))
    score: Decimal = attrs.field(default=Decimal(0), validator=v.decimal_between(Decimal(0), Decimal(100)))
    sku_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    merchant_id: str | None = attrs.field(default=None, validator=v.optional_identifier)


@attrs.frozen
class SubsidyGrant:
    """What one request got: the amount granted (possibly partial or zero) and why."""

    request_id: str
    budget: str
    requested: Money
    granted: Money
    reason: str

    @property
    def partial(self) -> bool:
        """Granted something, but less than asked."""
        return Money(0, self.granted.currency) < self.granted < self.requested


@attrs.frozen
class BudgetAllocation:
    """The outcome of an allocation: every grant in allocation order and what each budget has left in total.

    ``remaining`` is each budget's total less what it has spent (for :meth:`BudgetBook.allocate
    <fenxiao.grading.budgets.BudgetBook.allocate>`, less everything the book holds); what a cap leaves is
    :meth:`BudgetBook.remaining <fenxiao.grading.budgets.BudgetBook.remaining>`.
    """

    grants: tuple[SubsidyGrant, ...]
    remaining: Mapping[str, Money]

    def granted_total(self, budget: str) -> Money:
        """The total granted from one budget."""
        amounts = [g.granted for g in self.grants if g.budget == budget]
        return sum(amounts, Money(0, amounts[0].currency)) if amounts else Money(0)


def _priority(request: SubsidyRequest) -> tuple[int, Decimal, str]:
    return (-request.tier.rank, -request.score, request.request_id)


#: What budgets have spent, in fen: ``(budget, scope, key)`` → fen, where scope is ``"total"`` (key ``None``) or
#: one of the scopes of :data:`_CAPS` (key: the period, merchant id, SKU id or day).
_Tally: TypeAlias = Mapping[tuple[str, str, object], int]

#: The caps of a budget in the order a reason names the one that binds (after the total): scope, field, label.
_CAPS: Final = (
    ("period", "per_period", "per-period cap"),
    ("merchant", "per_merchant", "per-merchant cap"),
    ("sku", "per_sku", "per-SKU cap"),
    ("day", "per_day", "per-day cap"),
)


@attrs.frozen
class _Memory:
    """What an allocation runs against: the spend so far, the request ids already granted, the period and moment.

    :func:`allocate_subsidies` runs against nothing (an empty memory); a budget book passes its own.
    """

    spent: _Tally = attrs.field(factory=dict)
    held: Container[str] = frozenset()
    period: str | None = None
    at: datetime | None = None


@attrs.frozen
class _Paid:
    """One grant above zero, with the keys a book records it under."""

    request: SubsidyRequest
    granted: Money
    day: date | None


def _budgets_by_name(budgets: Sequence[SubsidyBudget]) -> dict[str, SubsidyBudget]:
    by_name: dict[str, SubsidyBudget] = {}
    for i, budget in enumerate(v.require_iterable(budgets, "budgets")):
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError(f"budgets[{i}]", budget, "must be a SubsidyBudget")
        if budget.name in by_name:
            raise InvalidValueError(f"budgets[{i}].name", budget.name, "is a duplicate budget name")
        by_name[budget.name] = budget
    return by_name


def _checked_requests(requests: Iterable[SubsidyRequest], by_name: Mapping[str, SubsidyBudget]) -> list[SubsidyRequest]:
    listed = list(v.require_iterable(requests, "requests"))
    seen: set[str] = set()
    for i, request in enumerate(listed):
        if not isinstance(request, SubsidyRequest):
            raise InvalidValueError(f"requests[{i}]", request, "must be a SubsidyRequest")
        if request.request_id in seen:
            raise InvalidValueError(f"requests[{i}].request_id", request.request_id, "is a duplicate request id")
        seen.add(request.request_id)
        known = by_name.get(request.budget)
        if known is not None and known.total.currency != request.amount.currency:
            raise InvalidValueError(f"requests[{i}].amount", request.amount, f"must be in {known.total.currency}")
    return listed


def _refusal(budget: SubsidyBudget | None, request: SubsidyRequest, memory: _Memory) -> str | None:
    """Why *request* gets nothing whatever is left (``None``: it may be granted)."""
    if request.request_id in memory.held:
        return "already granted: the book holds a grant for this request id"
    if budget is None:
        return "unknown budget"
    at = memory.at
    if at is not None:
        if budget.valid_until is not None and at >= budget.valid_until:
            return f"budget expired: its window ended {budget.valid_until.isoformat()}"
        if budget.valid_from is not None and at < budget.valid_from:
            return f"budget not open yet: its window starts {budget.valid_from.isoformat()}"
    if outside_window(budget.valid_from, budget.valid_until, request.at if request.at is not None else at):
        return "outside the budget's window"
    return None


def _grant(
    budget: SubsidyBudget, request: SubsidyRequest, keys: dict[str, object], tally: dict[tuple[str, str, object], int]
) -> tuple[Money, str]:
    """What *request* gets from *budget*: the least of its amount and what the total and every cap have left."""
    currency = budget.total.currency
    label, cap, left = "", budget.total, budget.total.fen - tally.get((budget.name, "total", None), 0)
    for scope, field, cap_label in _CAPS:
        limit: Money | None = getattr(budget, field)
        if limit is not None:
            cap_left = limit.fen - tally.get((budget.name, scope, keys[scope]), 0)
            if cap_left < left:
                label, cap, left = cap_label, limit, cap_left
    left = max(left, 0)
    if left >= request.amount.fen:
        return request.amount, "granted in full"
    rest = Money(left, currency)
    if left > 0:
        return rest, (
            f"partial: the budget had {rest} left" if not label else f"partial: {label} of {cap} had {rest} left"
        )
    return Money(0, currency), ("budget exhausted" if not label else f"{label} of {cap} exhausted")


def _allocate(
    requests: Iterable[SubsidyRequest],
    budgets: Sequence[SubsidyBudget],
    order: Callable[[SubsidyRequest], Any] | None,
    memory: _Memory,
) -> tuple[BudgetAllocation, tuple[_Paid, ...]]:
    """The one allocation: :func:`allocate_subsidies` and :meth:`BudgetBook.allocate` both call it.

    Requests are served in *order*; each gets the least of what it asks and what its budget's total and each of
    its caps have left after *memory*'s spend and the grants before it in this batch.
    """
    by_name = _budgets_by_name(budgets)
    listed = _checked_requests(requests, by_name)
    tally = dict(memory.spent)
    grants: list[SubsidyGrant] = []
    paid: list[_Paid] = []
    for request in sorted(listed, key=order if order is not None else _priority):
        budget = by_name.get(request.budget)
        refusal = _refusal(budget, request, memory)
        if refusal is not None or budget is None:
            zero = Money(0, request.amount.currency)
            reason = refusal if refusal is not None else "unknown budget"
            grants.append(SubsidyGrant(request.request_id, request.budget, request.amount, zero, reason))
            continue
        moment = request.at if request.at is not None else memory.at
        day = moment.date() if moment is not None else None
        keys: dict[str, object] = {
            "total": None,
            "period": memory.period,
            "merchant": request.merchant_id,
            "sku": request.sku_id,
            "day": day,
        }
        granted, reason = _grant(budget, request, keys, tally)
        if granted.fen:
            for scope, key in keys.items():
                tally[(budget.name, scope, key)] = tally.get((budget.name, scope, key), 0) + granted.fen
            paid.append(_Paid(request, granted, day))
        grants.append(SubsidyGrant(request.request_id, budget.name, request.amount, granted, reason))
    remaining = {
        name: Money(b.total.fen - tally.get((name, "total", None), 0), b.total.currency) for name, b in by_name.items()
    }
    return BudgetAllocation(tuple(grants), remaining), tuple(paid)


@checks_arguments
def allocate_subsidies(
    requests: Iterable[SubsidyRequest],
    budgets: Sequence[SubsidyBudget],
    *,
    order: Callable[[SubsidyRequest], Any] = _priority,
) -> BudgetAllocation:
    """Grant subsidy requests from their budgets, deterministically and without ever overspending.

    Requests are served in *order* (by default: higher tier first, then higher score, then request id),
    whatever order they arrive in. Each gets its full amount while its budget (and each of its caps) lasts;
    the request that meets the end of a budget or cap gets what is left (a partial grant, recorded, naming the
    cap); later ones get nothing. A request outside its budget's window, or naming an unknown budget, gets
    nothing, with the reason.

    This is one batch against budgets that have spent nothing: :meth:`BudgetBook.allocate
    <fenxiao.grading.budgets.BudgetBook.allocate>` runs the same allocation against what a book has spent
    (the grants are equal for an empty book). A per-period cap caps the batch.

    Raises:
        InvalidValueError: Duplicate request ids or budget names, or mixed currencies in one budget.
    """
    allocation, _ = _allocate(requests, budgets, order, _Memory())
    return allocation


# -- subsidies into the money path -------------------------------------------------------------------------


@checks_arguments
def subsidy_requests(
    resolution: PerkResolution, orders: Iterable[Any], *, score: Decimal = Decimal(0), per_unit: bool = False
) -> tuple[SubsidyRequest, ...]:
    """One :class:`SubsidyRequest` per order and granted subsidy: what the SKU's subsidy perk asks for each order.

    Args:
        resolution: The SKU's perks (its tier decides the request's priority).
        orders: :class:`fenxiao.settlement.orders.Order` values of that SKU; the amount is
            :meth:`Subsidy.amount_for` their paid goods amount.
        score: The SKU's composite score (the second sort key of :func:`allocate_subsidies`).
        per_unit: Each order of *n* units stands for *n* one-unit buyer orders (a simulated sales line of many
            buyers): a subsidy asks *n* × what it pays one of them (``amount_for`` of ``paid / n``), so that its
            per-order cap applies to each buyer order, not to the line. Still one request per order and budget.

    >>> from datetime import datetime, timezone
    >>> from fenxiao.grading.perks import default_perk_catalog, example_perk_inputs
    >>> from fenxiao.money import Rate
    >>> from fenxiao.settlement.orders import Order, OrderTerms
    >>> l5 = default_perk_catalog().resolve(Tier.L5, example_perk_inputs())
    >>> line = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("3000.00"),
    ...              paid_at=datetime(2026, 11, 11, tzinfo=timezone.utc), terms=OrderTerms(Rate.of("20%")), units=3)
    >>> [str(r.amount) for r in subsidy_requests(l5, [line])]  # ¥20 at most per order
    ['¥20.00']
    >>> [str(r.amount) for r in subsidy_requests(l5, [line], per_unit=True)]  # three buyer orders of ¥1,000
    ['¥60.00']

    .. versionchanged:: 0.1
       ``per_unit``.
    """
    requests = []
    for order in orders:
        units = order.units if per_unit else 1
        one = Money(order.paid.fen // units, order.paid.currency) if units > 1 else order.paid
        for subsidy in resolution.of_kind("subsidy"):
            amount = subsidy.amount_for(one) * units if units > 1 else subsidy.amount_for(one)
            if amount.fen > 0:
                request_id = f"{order.id}:{subsidy.budget}"
                requests.append(
                    SubsidyRequest(
                        request_id,
                        subsidy.budget,
                        amount,
                        resolution.tier,
                        score,
                        sku_id=order.sku_id,
                        at=order.paid_at,
                        merchant_id=order.merchant_id,
                    )
                )
    return tuple(requests)


@checks_arguments
def apply_subsidy(order: Any, allocation: BudgetAllocation) -> Any:
    """The order with the subsidies *allocation* granted it (by request ids ``"{order.id}:{budget}"``) added.

    The settlement then shows the platform-funded amount: it is part of what came in, the merchant's line
    receives it, and a refund returns its share to the platform (the ``subsidy_return`` line).

    Raises:
        InvalidValueError: The order already carries a subsidy (applying twice would pay twice).
    """
    granted = [g.granted for g in allocation.grants if g.request_id == f"{order.id}:{g.budget}" and g.granted.fen]
    if not granted:
        return order
    if order.subsidy.fen:
        raise InvalidValueError("apply_subsidy.order", order.id, "already carries a subsidy")
    return attrs.evolve(order, subsidy=sum(granted, Money.zero(order.paid.currency)))
