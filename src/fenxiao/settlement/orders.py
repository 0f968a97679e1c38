"""Orders and their lifecycle: what was paid, on which terms, and every event since.

An :class:`Order` records what the buyer paid for the goods, the shipping, the platform's subsidy and the
terms agreed when it was paid (:class:`OrderTerms`: commission rate or steps, team-leader fees, MCN share).
Everything after that is an :class:`OrderEvent` with an id: receipt, settlement, invalidation, refunds by
amount or by units. Applying an event whose id the order already holds changes nothing. How an order's
money is shared out is :func:`fenxiao.settlement.splits.split`.

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.money import Money, Rate
>>> t = datetime(2026, 11, 11, tzinfo=timezone.utc)
>>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
>>> order = order.receive(at=t + timedelta(days=2)).refund(event_id="r-1", at=t + timedelta(days=3),
...                                                         amount=Money.of("30.00"))
>>> order.status.value, order.refunded.to_text()
('received', '30.00')

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.trusted import builder
from fenxiao.domain.goods import Category
from fenxiao.domain.ids import CategoryId, InfluencerId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.people import Influencer, Mcn
from fenxiao.errors import InvalidValueError, PolicyError, TransitionError
from fenxiao.money import MAX_FEN, Money, Rate
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.profiles import PlatformProfile, ServiceLevel
from fenxiao.settlement.steps import CommissionStep, StepMode, check_steps

if TYPE_CHECKING:
    from fenxiao.settlement.activities import TeamLeaderActivity
    from fenxiao.settlement.plans import PlanDecision

__all__ = [
    "ORDER_TRANSITIONS",
    "PAID_EVENT_ID",
    "Order",
    "OrderEvent",
    "OrderEventKind",
    "OrderStatus",
    "OrderTerms",
]

#: The event id the ledger uses for the order's payment itself; orders refuse events with this id.
PAID_EVENT_ID: Final = "paid"


# -- terms -----------------------------------------------------------------------------------------------


@attrs.frozen
class OrderTerms:
    """The rates agreed when the order was paid (platforms snapshot them; later plan changes do not apply).

    Args:
        commission_rate: The influencer's commission rate (from ¥0 when there are steps).
        plan_id: The plan that won, for the record.
        plan_kind: Its kind (per-kind bounds apply).
        steps: Tiered commission steps above *commission_rate*.
        step_mode: How the steps apply (:class:`~fenxiao.settlement.steps.StepMode`).
        activity_id: The team-leader activity the sale came through, if any.
        leader_id: The first-level team leader, if any.
        leader_fee_rate: Its service-fee rate, given exactly when *leader_id* is.
        second_leader_id: A second-level leader (needs a first-level one), if any.
        second_leader_fee_rate: Its fee rate, paid out of the first-level fee, so not above it.
        mcn_id: The influencer's MCN agency, if any.
        mcn_share: The MCN's share of the influencer's net commission, given exactly when *mcn_id* is.
        tech_fee_rate: The technical service fee rate; ``None`` uses the profile's rate for the category.

    >>> OrderTerms(commission_rate=Rate.of("20%"), leader_id="tl-1", leader_fee_rate=Rate.of("2%"),
    ...            second_leader_id="tl2-1", second_leader_fee_rate=Rate.of("3%"))
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: OrderTerms.second_leader_fee_rate: must not exceed the first-level fee ...
    """

    commission_rate: Rate = attrs.field(validator=v.rate)
    plan_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    plan_kind: PlanKind | None = attrs.field(default=None, validator=attrs.validators.optional(v.member_of(PlanKind)))
    steps: tuple[CommissionStep, ...] = attrs.field(default=(), converter=v.to_tuple, validator=check_steps)
    step_mode: StepMode = attrs.field(default=StepMode.SLAB, validator=v.member_of(StepMode))
    activity_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    leader_id: TeamLeaderId | None = attrs.field(
        default=None, converter=v.optional_id_text, validator=v.optional_identifier
    )
    leader_fee_rate: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    second_leader_id: TeamLeaderId | None = attrs.field(
        default=None, converter=v.optional_id_text, validator=v.optional_identifier
    )
    second_leader_fee_rate: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    mcn_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    mcn_share: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    tech_fee_rate: Rate | None = attrs.field(default=None, validator=v.optional_rate)

    def __attrs_post_init__(self) -> None:
        name = "OrderTerms"
        if (self.leader_id is None) != (self.leader_fee_rate is None):
            raise InvalidValueError(
                f"{name}.leader_fee_rate", self.leader_fee_rate, "must be given exactly when leader_id is given"
            )
        if (self.second_leader_id is None) != (self.second_leader_fee_rate is None):
            raise InvalidValueError(
                f"{name}.second_leader_fee_rate",
                self.second_leader_fee_rate,
                "must be given exactly when second_leader_id is given",
            )
        if self.second_leader_id is not None and self.leader_id is None:
            raise InvalidValueError(
                f"{name}.second_leader_id", self.second_leader_id, "needs a first-level leader (leader_id)"
            )
        if self.second_leader_id is not None and self.second_leader_id == self.leader_id:
            raise InvalidValueError(f"{name}.second_leader_id", self.second_leader_id, "is the first-level leader")
        first, second = self.leader_fee_rate, self.second_leader_fee_rate
        if first is not None and second is not None and second > first:
            raise InvalidValueError(
                f"{name}.second_leader_fee_rate", second, f"must not exceed the first-level fee ({first})"
            )
        if (self.mcn_id is None) != (self.mcn_share is None):
            raise InvalidValueError(f"{name}.mcn_share", self.mcn_share, "must be given exactly when mcn_id is given")

    @classmethod
    def from_decision(
        cls,
        decision: PlanDecision,
        *,
        profile: PlatformProfile,
        category: Category | str | None = None,
        activity: TeamLeaderActivity | None = None,
        second_leader_id: str | None = None,
        influencer: Influencer | None = None,
        mcn: Mcn | None = None,
    ) -> OrderTerms:
        """The terms of a sale paid under *decision*, checked against *profile* and the category's rules.

        The team-leader fee applies only when the winning plan is an activity plan; pass that *activity*.
        A *second_leader_id* must work the activity. The *influencer*'s MCN share is carried over, and its level
        must reach the plan's ``min_influencer_level``. Given the influencer's agency as *mcn*, the MCN's share
        comes from its contract in force at the moment of sale (none in force: no MCN line), not from the
        influencer's record. With no winning plan the sale earns no commission (0%).

        Raises:
            PolicyError: A rate breaks the profile's bounds, the category floors or the activity's minimum, or the
                influencer is below the plan's level gate.
            InvalidValueError: The activity does not match the plan, the second-level leader is unknown, or *mcn*
                is not the influencer's agency.

        >>> from datetime import datetime, timezone
        >>> from fenxiao.settlement.plans import CommissionPlan, select_plan
        >>> t = datetime(2026, 11, 1, tzinfo=timezone.utc)
        >>> plan = CommissionPlan.open(id="p1", kind=PlanKind.NORMAL, merchant_id="m-1", rate=Rate.of("20%"), at=t)
        >>> decision = select_plan([plan], merchant_id="m-1", sku_id="s-1", influencer_id="k-1", at=t)
        >>> OrderTerms.from_decision(decision, profile=PlatformProfile()).commission_rate
        Rate('0.2')
        """
        plan = decision.winner
        tech = profile.tech_fee_for(category)
        mcn_id = influencer.mcn_id if influencer is not None else None
        mcn_share = influencer.mcn_share if influencer is not None else None
        if mcn is not None:
            if influencer is None or influencer.mcn_id != mcn.id:
                raise InvalidValueError(
                    "OrderTerms.from_decision.mcn", mcn.id, "must be the agency of the influencer given (its mcn_id)"
                )
            if decision.at is None:
                raise InvalidValueError("OrderTerms.from_decision.mcn", mcn.id, "needs the decision's moment of sale")
            mcn_share = mcn.share_for(influencer.id, at=decision.at)
            mcn_id = mcn.id if mcn_share is not None else None
        if plan is None or decision.rate is None:
            return cls(commission_rate=Rate.zero(), tech_fee_rate=tech, mcn_id=mcn_id, mcn_share=mcn_share)
        gate = plan.min_influencer_level
        if gate is not None and influencer is not None and influencer.level < gate:
            raise PolicyError(
                "OrderTerms.from_decision.influencer",
                influencer.level,
                f"is below plan {plan.id}'s minimum influencer level ({gate})",
            )
        leader_id: str | None = None
        leader_fee: Rate | None = None
        second_fee: Rate | None = None
        if plan.kind is PlanKind.ACTIVITY:
            if activity is None or activity.id != plan.activity_id:
                raise InvalidValueError(
                    "OrderTerms.from_decision.activity",
                    None if activity is None else activity.id,
                    f"must be the winning plan's activity ({plan.activity_id})",
                )
            if decision.at is not None and not activity.is_active(decision.at):
                raise PolicyError(
                    "OrderTerms.from_decision.activity",
                    activity.id,
                    f"is not running at the moment of sale ({decision.at.isoformat()}): its leader earns no fee",
                )
            leader_id, leader_fee = activity.leader_id, activity.service_fee_rate
            if second_leader_id is not None:
                second_fee = activity.second_level_fee(second_leader_id)
            activity.check(profile, category=category)
        elif second_leader_id is not None:
            raise InvalidValueError(
                "OrderTerms.from_decision.second_leader_id", second_leader_id, "needs an activity plan to win"
            )
        rates = (decision.rate, *(step.rate for step in plan.steps))
        paths = ["OrderTerms.commission_rate", *(f"OrderTerms.steps[{i}].rate" for i in range(len(plan.steps)))]
        for path, rate in zip(paths, rates, strict=True):
            profile.check_commission(rate, kind=plan.kind, category=category, leader_fee=leader_fee, path=path)
            if activity is not None and plan.kind is PlanKind.ACTIVITY:
                activity.check_commission(rate, category=category, path=path)
        return cls(
            commission_rate=decision.rate,
            plan_id=plan.id,
            plan_kind=plan.kind,
            steps=plan.steps,
            step_mode=plan.step_mode,
            activity_id=plan.activity_id,
            leader_id=TeamLeaderId(leader_id) if leader_id is not None else None,
            leader_fee_rate=leader_fee,
            second_leader_id=TeamLeaderId(second_leader_id) if second_leader_id is not None else None,
            second_leader_fee_rate=second_fee,
            mcn_id=mcn_id,
            mcn_share=mcn_share,
            tech_fee_rate=tech,
        )

    def commission_rates(self) -> tuple[Rate, ...]:
        """Every commission rate these terms can pay: the base rate and each step's."""
        return (self.commission_rate, *(s.rate for s in self.steps))


# -- events and lifecycle --------------------------------------------------------------------------------


class OrderStatus(enum.Enum):
    """Where an order is: paid → received → settled, or invalid (失效)."""

    PAID = "paid"  #: 已付款
    RECEIVED = "received"  #: 已收货 (the buyer confirmed receipt)
    SETTLED = "settled"  #: 已结算
    INVALID = "invalid"  #: 已失效: the order earns no commission or leader fee and takes no further events


#: Which statuses each status may move to. Refunds do not move the status; they are refused on invalid orders.
ORDER_TRANSITIONS: Final[Mapping[OrderStatus, frozenset[OrderStatus]]] = {
    OrderStatus.PAID: frozenset({OrderStatus.RECEIVED, OrderStatus.INVALID}),
    OrderStatus.RECEIVED: frozenset({OrderStatus.SETTLED, OrderStatus.INVALID}),
    OrderStatus.SETTLED: frozenset(),
    OrderStatus.INVALID: frozenset(),
}


class OrderEventKind(enum.Enum):
    """What happened to an order."""

    RECEIVED = "received"  #: the buyer confirmed receipt
    SETTLED = "settled"  #: the platform settled the order
    INVALIDATED = "invalidated"  #: the order became invalid
    REFUNDED = "refunded"  #: money went back to the buyer, by amount or by units


_TARGET: Final = {
    OrderEventKind.RECEIVED: OrderStatus.RECEIVED,
    OrderEventKind.SETTLED: OrderStatus.SETTLED,
    OrderEventKind.INVALIDATED: OrderStatus.INVALID,
}


@attrs.frozen
class OrderEvent:
    """One event in an order's life, identified by *id* (unique within the order).

    Args:
        id: The event's id; applying an event whose id the order already holds is a no-op.
        kind: What happened.
        at: When (timezone-aware; events never go back in time).
        amount: For a refund by amount: the money returned (goods first, then shipping).
        units: For a refund by units: how many units came back; worth their share of the paid goods amount.
        reason: Why, for people.
    """

    id: str = attrs.field(validator=v.identifier)
    kind: OrderEventKind = attrs.field(validator=v.member_of(OrderEventKind))
    at: datetime = attrs.field(validator=v.aware_datetime)
    amount: Money | None = attrs.field(default=None, validator=v.optional_money)
    units: int | None = attrs.field(default=None)
    reason: str = attrs.field(default="")

    def __attrs_post_init__(self) -> None:
        if self.units is not None:
            v.require_int(self.units, "OrderEvent.units", 1, 10**9)
        reason: object = self.reason
        if not isinstance(reason, str) or len(reason) > 1000:
            raise InvalidValueError("OrderEvent.reason", self.reason, "must be text of at most 1000 characters")
        if self.id == PAID_EVENT_ID:
            raise InvalidValueError("OrderEvent.id", self.id, "is reserved for the payment itself")
        if self.kind is OrderEventKind.REFUNDED:
            if (self.amount is None) == (self.units is None):
                raise InvalidValueError("OrderEvent.amount", self.amount, "a refund gives exactly one of amount, units")
            if self.amount is not None and self.amount.fen == 0:
                raise InvalidValueError("OrderEvent.amount", self.amount, "must be above zero")
        elif self.amount is not None or self.units is not None:
            raise InvalidValueError(
                "OrderEvent.amount", self.amount, f"only a refund carries an amount or units, not {self.kind.value}"
            )


@attrs.frozen
class _Step:
    """The state after one event (internal)."""

    status: OrderStatus
    refunded: int  # fen, cumulative
    refunded_units: int
    refund: int  # fen refunded by this event (0 if not a refund)


_PAID_STATE: Final = _Step(OrderStatus.PAID, 0, 0, 0)


_REFUNDED: Final = OrderEventKind.REFUNDED
#: The kinds of event that move an order into each status (entered() compares kinds, hashing the status once).
_KINDS_INTO: Final = {
    status: tuple(kind for kind, target in _TARGET.items() if target is status) for status in OrderStatus
}
#: Each move the lifecycle allows, by the values of the status and of the event's kind (strings hash in C; an
#: Enum member's hash is a Python call): the status it leads to. Derived from _TARGET and ORDER_TRANSITIONS.
_MOVES: Final = {
    (status.value, kind.value): target
    for kind, target in _TARGET.items()
    for status, allowed in ORDER_TRANSITIONS.items()
    if target in allowed
}
_INVALID: Final = OrderStatus.INVALID
#: _Step(...) without its (absent) validators: _walk builds one per event of every order it checks.
_step: Final = builder(_Step)


def _share_of(paid: int, count: int, units: int) -> int:
    """What *count* of *units* units are worth out of *paid* fen, rounded down (:meth:`Order.value_of_units`)."""
    return paid * count // units


def _walk(order: Order, events: Sequence[OrderEvent], *, keep: bool = True) -> list[_Step]:
    """Replay *events* on *order*, checking every rule; one :class:`_Step` per event (none without *keep*: the
    check alone)."""
    status = OrderStatus.PAID
    refunded = units = 0
    last = order.paid_at
    limit = order.paid.fen + order.shipping.fen
    seen: set[str] = set()
    steps: list[_Step] = []
    for i, event in enumerate(events):
        if not isinstance(event, OrderEvent):
            raise InvalidValueError(f"Order.events[{i}]", event, "must be an OrderEvent")
        if event.id in seen:
            raise InvalidValueError(f"Order.events[{i}].id", event.id, "is used by an earlier event")
        seen.add(event.id)
        if event.at < last:
            raise InvalidValueError(
                f"Order.events[{i}].at", event.at, f"is earlier than the previous event ({last.isoformat()})"
            )
        last = event.at
        refund = 0
        if event.kind is _REFUNDED:
            if status is _INVALID:
                raise TransitionError(f"Order.events[{i}].kind", event.kind.value, "an invalid order takes no refunds")
            if event.amount is not None:
                if event.amount.currency != order.paid.currency:
                    raise InvalidValueError(
                        f"Order.events[{i}].amount", event.amount, f"must be in {order.paid.currency}"
                    )
                refund = event.amount.fen
            else:
                count = event.units or 0  # OrderEvent guarantees units when amount is None
                if units + count > order.units:
                    raise InvalidValueError(
                        f"Order.events[{i}].units",
                        count,
                        f"with {units} already refunded exceeds the {order.units} units ordered",
                    )
                paid = order.paid.fen
                refund = _share_of(paid, units + count, order.units) - _share_of(paid, units, order.units)
                units += count
            if refunded + refund > limit:
                raise InvalidValueError(
                    f"Order.events[{i}].amount",
                    Money(refund, order.paid.currency),
                    f"with {Money(refunded, order.paid.currency)} already refunded exceeds what was paid "
                    f"({Money(limit, order.paid.currency)})",
                )
            refunded += refund
        else:
            target = _MOVES.get((status._value_, event.kind._value_))
            if target is None:
                target, allowed = _TARGET[event.kind], ORDER_TRANSITIONS[status]
                names = ", ".join(sorted(s.value for s in allowed)) or "none, it is final"
                raise TransitionError(
                    f"Order.events[{i}].kind",
                    event.kind.value,
                    f"cannot move from {status.value!r} to {target.value!r} (allowed: {names})",
                )
            status = target
        if keep:
            steps.append(_step(status, refunded, units, refund))
    return steps


def _check_events(instance: Order, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("Order.events", value, "must be a tuple of OrderEvent")


def _zero_like_paid(order: Order) -> Money:
    # A default computed before the validators run: a bad `paid` is left for its validator to name.
    paid: object = order.paid
    return Money.zero(paid.currency) if isinstance(paid, Money) else Money.zero()


def _positive_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.money(instance, attribute, value)
    if isinstance(value, Money) and value.fen == 0:
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be above zero")


def _optional_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 200):
        raise InvalidValueError(f"Order.{attribute.name}", value, "must be a category name of 1-200 characters")


def _check_own_stream(terms: OrderTerms) -> None:
    """An own-stream order (no influencer) pays nobody but the platform: no commission, steps, leader or MCN."""
    path = "Order.terms"
    if terms.commission_rate.ppm:
        raise InvalidValueError(
            f"{path}.commission_rate", terms.commission_rate, "must be 0% on an own-stream order (no influencer)"
        )
    if terms.steps:
        raise InvalidValueError(f"{path}.steps", terms.steps, "must be empty on an own-stream order (no influencer)")
    if terms.leader_id is not None:
        raise InvalidValueError(f"{path}.leader_id", terms.leader_id, "must be None on an own-stream order")
    if terms.mcn_id is not None:
        raise InvalidValueError(f"{path}.mcn_id", terms.mcn_id, "must be None on an own-stream order")


@attrs.frozen
class Order:
    """One distributed order line and everything that happened to it.

    Args:
        id: The order's id.
        merchant_id: The seller.
        sku_id: The goods.
        influencer_id: The influencer who sold it, or ``None`` for a sale on the merchant's own stream (自播):
            such an order pays no commission (its terms hold a 0% rate and no steps, leader or MCN), yet it is a
            sale like any other, settled, booked in the ledger and counted by program goals.
        paid: What the buyer paid for the goods (all units), above zero; shipping excluded.
        paid_at: When (timezone-aware).
        terms: The rates agreed at payment.
        units: How many units the line holds (refunds by units are valued from it).
        shipping: What the buyer paid for shipping (kept by the merchant).
        subsidy: What the platform added (官方补贴), paid to the merchant; refunds claw back its share.
        category_id: The goods' category (selects the profile's technical fee when the terms do not).
        service_level: The merchant's service level (sets the settlement delay).
        events: What happened since payment, oldest first; see :meth:`apply`.

    .. versionadded:: 0.1
    """

    id: str = attrs.field(validator=v.identifier)
    merchant_id: MerchantId = attrs.field(converter=v.id_text, validator=v.identifier)
    sku_id: SkuId = attrs.field(converter=v.id_text, validator=v.identifier)
    influencer_id: InfluencerId | None = attrs.field(converter=v.optional_id_text, validator=v.optional_identifier)
    paid: Money = attrs.field(validator=_positive_money)
    paid_at: datetime = attrs.field(validator=v.aware_datetime)
    terms: OrderTerms = attrs.field(validator=v.instance_of(OrderTerms))
    units: int = attrs.field(default=1, validator=v.int_between(1, 10**9))
    shipping: Money = attrs.field(default=attrs.Factory(_zero_like_paid, takes_self=True), validator=v.money)
    subsidy: Money = attrs.field(default=attrs.Factory(_zero_like_paid, takes_self=True), validator=v.money)
    category_id: CategoryId | None = attrs.field(
        default=None, converter=v.optional_id_text, validator=v.optional_identifier
    )
    category_level1: str | None = attrs.field(default=None, validator=_optional_name)
    service_level: ServiceLevel = attrs.field(default=ServiceLevel.HIGH, validator=v.member_of(ServiceLevel))
    events: tuple[OrderEvent, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_check_events)

    def __attrs_post_init__(self) -> None:
        if self.influencer_id is None:
            _check_own_stream(self.terms)
        for name in ("shipping", "subsidy"):
            amount: Money = getattr(self, name)
            if amount.currency != self.paid.currency:
                raise InvalidValueError(f"Order.{name}", amount, f"must be in {self.paid.currency} like paid")
        for i, step in enumerate(self.terms.steps):
            if step.threshold.currency != self.paid.currency:
                raise InvalidValueError(f"Order.terms.steps[{i}].threshold", step.threshold, "mixes currencies")
        # Every line is at most what came in, so bounding it bounds every amount a split computes.
        if self.paid.fen + self.shipping.fen + self.subsidy.fen > MAX_FEN:
            raise InvalidValueError(
                "Order.paid",
                self.paid,
                f"plus shipping and subsidy is beyond the largest supported amount ({MAX_FEN} fen)",
            )
        _walk(self, self.events)

    # -- reading ---------------------------------------------------------------------------------------

    @property
    def own_stream(self) -> bool:
        """Whether the merchant sold it on its own stream (自播): no influencer, no commission.

        >>> from datetime import datetime, timezone
        >>> own = Order(id="o-2", merchant_id="m-1", sku_id="s-1", influencer_id=None, paid=Money.of("50.00"),
        ...             paid_at=datetime(2026, 11, 11, tzinfo=timezone.utc), terms=OrderTerms(Rate.zero()))
        >>> own.own_stream
        True

        .. versionadded:: 0.2
        """
        return self.influencer_id is None

    @property
    def category_keys(self) -> tuple[str, ...]:
        """The keys a platform's category rules may match: the category id, then the first-level name."""
        return tuple(k for k in (self.category_id, self.category_level1) if k is not None)

    @property
    def total_in(self) -> Money:
        """What came in: the buyer's payment (goods and shipping) plus the platform's subsidy."""
        return self.paid + self.shipping + self.subsidy

    @property
    def status(self) -> OrderStatus:
        """The current status, derived from the events."""
        status = OrderStatus.PAID
        for event in self.events:
            status = _TARGET.get(event.kind, status)
        return status

    @property
    def refunded(self) -> Money:
        """Everything refunded so far."""
        steps = _walk(self, self.events)
        return Money(steps[-1].refunded if steps else 0, self.paid.currency)

    @property
    def refunded_units(self) -> int:
        """Units refunded so far (refunds by units only)."""
        steps = _walk(self, self.events)
        return steps[-1].refunded_units if steps else 0

    def event(self, event_id: str) -> OrderEvent | None:
        """The event with id *event_id*, or ``None``."""
        return next((e for e in self.events if e.id == event_id), None)

    def entered(self, status: OrderStatus) -> datetime | None:
        """When the order entered *status*, or ``None``; ``PAID`` is :attr:`paid_at`."""
        if status is OrderStatus.PAID:
            return self.paid_at
        kinds = _KINDS_INTO.get(status, ())
        for event in self.events:
            if event.kind in kinds:
                return event.at
        return None

    def refund_amounts(self) -> tuple[tuple[OrderEvent, Money], ...]:
        """Each refund event with the money it returned (refunds by units valued as :meth:`value_of_units`)."""
        steps = _walk(self, self.events)
        return tuple(
            (e, Money(s.refund, self.paid.currency))
            for e, s in zip(self.events, steps, strict=True)
            if e.kind is OrderEventKind.REFUNDED
        )

    def value_of_units(self, units: int) -> Money:
        """What the first *units* units are worth: their share of ``paid``, rounded down to the fen.

        Refunds by units are valued cumulatively, so refunding every unit returns exactly ``paid``.

        >>> from datetime import datetime, timezone
        >>> o = Order(id="o", merchant_id="m", sku_id="s", influencer_id="k", paid=Money.of("10.00"), units=3,
        ...           paid_at=datetime(2026, 11, 1, tzinfo=timezone.utc), terms=OrderTerms(Rate.of("10%")))
        >>> [o.value_of_units(n).to_text() for n in range(4)]
        ['0.00', '3.33', '6.66', '10.00']
        """
        count = v.require_int(units, "Order.value_of_units.units", 0, self.units)
        return Money(_share_of(self.paid.fen, count, self.units), self.paid.currency)

    # -- events ----------------------------------------------------------------------------------------

    def apply(self, event: OrderEvent) -> Order:
        """Return the order with *event* applied; if the order already holds that event, return it unchanged.

        Raises:
            InvalidValueError: A different event reuses a held id; a refund beyond what was paid; time going back.
            TransitionError: A move the lifecycle does not allow (:data:`ORDER_TRANSITIONS`).
        """
        if not isinstance(event, OrderEvent):
            raise InvalidValueError("Order.apply.event", event, "must be an OrderEvent")
        for held in self.events:
            if held.id == event.id:
                if held == event:
                    return self
                raise InvalidValueError("Order.apply.event.id", event.id, "is already used by a different event")
        events = (*self.events, event)
        if type(self) is not Order:
            return attrs.evolve(self, events=events)
        # Every other field is this order's, valid already: the lifecycle of the longer history is the one check
        # the new event can fail, so the order is built without re-running the rest (equal to attrs.evolve's).
        _walk(self, events, keep=False)
        return _trusted_order(*_fields_but_events(self), events)

    def receive(self, *, at: datetime, event_id: str = "received") -> Order:
        """The buyer confirmed receipt at *at*."""
        return self.apply(OrderEvent(id=event_id, kind=OrderEventKind.RECEIVED, at=at))

    def invalidate(self, *, at: datetime, event_id: str = "invalidated", reason: str = "") -> Order:
        """The order became invalid at *at*: it earns no commission or leader fee from now on."""
        return self.apply(OrderEvent(id=event_id, kind=OrderEventKind.INVALIDATED, at=at, reason=reason))

    def refund(
        self,
        *,
        event_id: str,
        at: datetime,
        amount: Money | None = None,
        units: int | None = None,
        reason: str = "",
    ) -> Order:
        """Refund *amount* (goods first, then shipping) or *units* at *at*; before settlement the estimate
        is recomputed, after it the difference is a clawback.

        Raises:
            InvalidValueError: Neither or both of *amount* and *units*, or more than was paid.
        """
        return self.apply(
            OrderEvent(id=event_id, kind=OrderEventKind.REFUNDED, at=at, amount=amount, units=units, reason=reason)
        )

    def settlement_due(self, profile: PlatformProfile) -> datetime | None:
        """When the order may settle under *profile*, or ``None`` while receipt is unconfirmed."""
        received = self.entered(OrderStatus.RECEIVED)
        return None if received is None else profile.settlement_due(received, self.service_level)

    def settle(self, profile: PlatformProfile, *, at: datetime, event_id: str = "settled") -> Order:
        """Settle the order at *at*, no earlier than receipt + the profile's days for the merchant's level.

        Raises:
            TransitionError: The order is not in ``RECEIVED``.
            PolicyError: *at* is before the settlement date.
        """
        moment = v.require_aware(at, "Order.settle.at")
        event = OrderEvent(id=event_id, kind=OrderEventKind.SETTLED, at=moment)
        if self.event(event_id) == event:
            return self
        due = self.settlement_due(profile)
        if due is not None and moment < due:
            days = profile.settlement_days.for_level(self.service_level)
            raise PolicyError(
                "Order.settle.at", moment, f"is before the settlement date {due.isoformat()} (receipt + {days} days)"
            )
        return self.apply(event)


# Order.apply's trusted build: the fields of an order (all but its events, the last field) and the builder.
_fields_but_events: Final = operator.attrgetter(*(field.name for field in attrs.fields(Order)[:-1]))
_trusted_order: Final = builder(Order)
