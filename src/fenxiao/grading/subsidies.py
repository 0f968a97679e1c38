"""Subsidy budgets (官方补贴的预算): requests drawn from limited budgets, granted without ever overspending.

A :class:`~fenxiao.grading.perks.Subsidy` perk says what the platform pays per order; the money comes from a
:class:`SubsidyBudget`. :func:`subsidy_requests` turns a SKU's granted subsidies and its orders into
:class:`SubsidyRequest` values, :func:`allocate_subsidies` grants them deterministically (higher tier first, then
higher score, then request id) and :func:`apply_subsidy` puts what was granted on each order, for the split.

>>> from fenxiao.grading.levels import Tier
>>> from fenxiao.money import Money
>>> budget = SubsidyBudget("official-subsidy", Money.of("5.00"))
>>> requests = [SubsidyRequest(f"o-{i}", "official-subsidy", Money.of("2.00"), Tier.L5) for i in range(3)]
>>> [(g.request_id, str(g.granted)) for g in allocate_subsidies(requests, [budget]).grants]
[('o-0', '¥2.00'), ('o-1', '¥2.00'), ('o-2', '¥1.00')]

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from fenxiao._internal import validators as v
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


@attrs.frozen
class SubsidyBudget:
    """A subsidy budget for a campaign or period: a name, a total, and an optional window.

    The window is read as a perk entry's campaign window is (:func:`~fenxiao.grading.perks.outside_window`):
    timezone-aware, ``valid_until`` exclusive; a request without a time is outside a budget that has one.
    """

    name: str = attrs.field(validator=v.identifier)
    total: Money = attrs.field(validator=v.money)
    valid_from: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)


@attrs.frozen
class SubsidyRequest:
    """A request to draw a subsidy for one order (or SKU) from a budget.

    ``tier`` and ``score`` order the requests when demand exceeds the budget.
    """

    request_id: str = attrs.field(validator=v.request_id)
    budget: str = attrs.field(validator=v.identifier)
    amount: Money = attrs.field(validator=v.money)
    tier: Tier = attrs.field(validator=v.member_of(Tier))
    score: Decimal = attrs.field(default=Decimal(0), validator=v.decimal_between(Decimal(0), Decimal(100)))
    sku_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)


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
    """The outcome of :func:`allocate_subsidies`: every grant in allocation order and what each budget has left."""

    grants: tuple[SubsidyGrant, ...]
    remaining: Mapping[str, Money]

    def granted_total(self, budget: str) -> Money:
        """The total granted from one budget."""
        amounts = [g.granted for g in self.grants if g.budget == budget]
        return sum(amounts, Money(0, amounts[0].currency)) if amounts else Money(0)


def _priority(request: SubsidyRequest) -> tuple[int, Decimal, str]:
    return (-request.tier.rank, -request.score, request.request_id)


def allocate_subsidies(
    requests: Iterable[SubsidyRequest],
    budgets: Sequence[SubsidyBudget],
    *,
    order: Callable[[SubsidyRequest], Any] = _priority,
) -> BudgetAllocation:
    """Grant subsidy requests from their budgets, deterministically and without ever overspending.

    Requests are served in *order* (by default: higher tier first, then higher score, then request id),
    whatever order they arrive in. Each gets its full amount while its budget lasts; the request that
    meets the end of a budget gets what is left (a partial grant, recorded); later ones get nothing.
    A request outside its budget's window, or naming an unknown budget, gets nothing, with the reason.

    Raises:
        InvalidValueError: Duplicate request ids or budget names, or mixed currencies in one budget.
    """
    by_name: dict[str, SubsidyBudget] = {}
    budget: SubsidyBudget | None
    for i, budget in enumerate(budgets):
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError(f"budgets[{i}]", budget, "must be a SubsidyBudget")
        if budget.name in by_name:
            raise InvalidValueError(f"budgets[{i}].name", budget.name, "is a duplicate budget name")
        by_name[budget.name] = budget
    listed = list(requests)
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
    remaining = {name: b.total for name, b in by_name.items()}
    grants: list[SubsidyGrant] = []
    for request in sorted(listed, key=order):
        budget = by_name.get(request.budget)
        zero = Money(0, request.amount.currency)
        if budget is None:
            grants.append(SubsidyGrant(request.request_id, request.budget, request.amount, zero, "unknown budget"))
            continue
        if outside_window(budget.valid_from, budget.valid_until, request.at) is not None:
            grants.append(
                SubsidyGrant(request.request_id, budget.name, request.amount, zero, "outside the budget's window")
            )
            continue
        left = remaining[budget.name]
        if left >= request.amount:
            granted, reason = request.amount, "granted in full"
        elif left.fen > 0:
            granted, reason = left, f"partial: the budget had {left} left"
        else:
            granted, reason = zero, "budget exhausted"
        remaining[budget.name] = left - granted
        grants.append(SubsidyGrant(request.request_id, budget.name, request.amount, granted, reason))
    return BudgetAllocation(tuple(grants), remaining)


# -- subsidies into the money path -------------------------------------------------------------------------


def subsidy_requests(
    resolution: PerkResolution, orders: Iterable[Any], *, score: Decimal = Decimal(0)
) -> tuple[SubsidyRequest, ...]:
    """One :class:`SubsidyRequest` per order and granted subsidy: what the SKU's subsidy perk asks for each order.

    Args:
        resolution: The SKU's perks (its tier decides the request's priority).
        orders: :class:`fenxiao.settlement.orders.Order` values of that SKU; the amount is
            :meth:`Subsidy.amount_for` their paid goods amount.
        score: The SKU's composite score (the second sort key of :func:`allocate_subsidies`).
    """
    requests = []
    for order in orders:
        for subsidy in resolution.of_kind("subsidy"):
            amount = subsidy.amount_for(order.paid)
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
                    )
                )
    return tuple(requests)


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
