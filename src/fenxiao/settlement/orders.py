"""Orders, their lifecycle and refunds, and the split of one order into every party's line.

An :class:`Order` records what the buyer paid for the goods, the shipping, the platform's subsidy and the
terms agreed when it was paid (:class:`OrderTerms`: commission rate or steps, team-leader fees, MCN share).
Everything after that is an :class:`OrderEvent` with an id: receipt, settlement, invalidation, refunds by
amount or by units. Applying an event whose id the order already holds changes nothing.

:func:`split` turns an order into :class:`SettlementLine` values, one per party (:class:`Party`), that add
up exactly to what came in (the buyer's payment including shipping, plus the platform's subsidy):

1. Base = paid goods amount − refunds (refunds come off the goods first), shipping excluded unless the
   profile says otherwise; never below zero.
2. Commission = base × the commission rate (or steps), rounded once. The platform's fee = commission × the
   fee rate (0 when waived); the influencer's net = commission − fee; the MCN's share = net × its share;
   the influencer keeps the rest.
3. Leader fee = base × the first-level leader's rate, paid by the merchant on top of the commission; a
   second-level leader's fee = base × its rate, paid out of the first-level leader's fee.
4. Technical service fee = base × the category's rate.
5. Refunds go back to the buyer (a line); the refunded share of the subsidy goes back to the platform
   (a line); the merchant's net is what remains, so it absorbs every rounding remainder.

Every computed line is rounded with the profile's one rounding mode from the exact product of its own base
(DOWN by default: an amount under one fen is zero). With a half-way mode a tiny order's deductions can
exceed what the merchant has by a fen; the technical fee then gives way, so no line is ever negative.

>>> from datetime import datetime, timezone
>>> paid_at = datetime(2026, 11, 11, 20, 0, tzinfo=timezone.utc)
>>> order = Order(id="o-1", merchant_id="m-1", sku_id="sku-1", influencer_id="kol-1",
...               paid=Money.of("99.90"), paid_at=paid_at,
...               terms=OrderTerms(commission_rate=Rate.of("20%"), leader_id="tl-1",
...                                leader_fee_rate=Rate.of("5%")))
>>> for line in split(order, PlatformProfile()).lines:
...     print(f"{line.party.value:<24} {line.amount.to_text():>6}")
influencer                17.99
platform_commission_fee    1.99
team_leader                4.99
platform_tech_fee          4.99
merchant                  69.94

Once the order settles, a refund is a clawback: the difference between the settled lines and the lines
recomputed on the reduced base, so every party gives back its share exactly and a full refund brings
every party to zero.

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from operator import floordiv
from typing import Any, Final, NamedTuple

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.trusted import builder
from fenxiao.domain.goods import Category
from fenxiao.domain.ids import CategoryId, InfluencerId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.people import Influencer
from fenxiao.errors import InvalidValueError, PolicyError, TransitionError
from fenxiao.money import DEFAULT_CURRENCY, MAX_FEN, PPM, Money, Rate, Rounding
from fenxiao.settlement.plans import (
    CommissionStep,
    PlanDecision,
    PlanKind,
    PlatformProfile,
    ServiceLevel,
    StepMode,
    TeamLeaderActivity,
    _check_steps,
    _exact_commission,
)

__all__ = [
    "ORDER_TRANSITIONS",
    "PAID_EVENT_ID",
    "Clawback",
    "Order",
    "OrderEvent",
    "OrderEventKind",
    "OrderSplit",
    "OrderStatus",
    "OrderTerms",
    "Party",
    "SettlementLine",
    "clawbacks",
    "difference",
    "history",
    "settled_split",
    "split",
]

#: The event id the ledger uses for the order's payment itself; orders refuse events with this id.
PAID_EVENT_ID: Final = "paid"


class Party(enum.Enum):
    """Who a settlement line pays. Lines appear in this order."""

    INFLUENCER = "influencer"  #: the influencer's commission, net of the platform's fee and the MCN's share
    MCN = "mcn"  #: the MCN agency's share of the influencer's net commission
    PLATFORM_COMMISSION_FEE = "platform_commission_fee"  #: the platform's fee on the commission
    TEAM_LEADER = "team_leader"  #: the first-level team leader's service fee (less any second-level fee)
    SECOND_LEADER = "second_leader"  #: the second-level team leader's fee
    PLATFORM_TECH_FEE = "platform_tech_fee"  #: the merchant's technical service fee
    MERCHANT = "merchant"  #: what the merchant keeps: goods, shipping and subsidy less everything above
    BUYER_REFUND = "buyer_refund"  #: money returned to the buyer
    SUBSIDY_RETURN = "subsidy_return"  #: the refunded share of the platform's subsidy, back to the platform

    @property
    def label_zh(self) -> str:
        """The Chinese label."""
        return _PARTY_ZH[self]

    @property
    def earns_commission(self) -> bool:
        """Whether the line is commission (the refund reserve is held from these)."""
        return self in (Party.INFLUENCER, Party.MCN)


_PARTY_ZH: Final = {
    Party.INFLUENCER: "达人佣金",
    Party.MCN: "MCN分成",
    Party.PLATFORM_COMMISSION_FEE: "平台佣金服务费",
    Party.TEAM_LEADER: "团长服务费",
    Party.SECOND_LEADER: "二级团长服务费",
    Party.PLATFORM_TECH_FEE: "技术服务费",
    Party.MERCHANT: "商家实收",
    Party.BUYER_REFUND: "买家退款",
    Party.SUBSIDY_RETURN: "平台补贴退回",
}
_PARTY_ORDER: Final = {party: i for i, party in enumerate(Party)}


# -- terms -----------------------------------------------------------------------------------------------


@attrs.frozen
class OrderTerms:
    """The rates agreed when the order was paid (platforms snapshot them; later plan changes do not apply).

    Args:
        commission_rate: The influencer's commission rate (from ¥0 when there are steps).
        plan_id: The plan that won, for the record.
        plan_kind: Its kind (per-kind bounds apply).
        steps: Tiered commission steps above *commission_rate*.
        step_mode: How the steps apply (:class:`~fenxiao.settlement.plans.StepMode`).
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
    steps: tuple[CommissionStep, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_check_steps)
    step_mode: StepMode = attrs.field(default=StepMode.SLAB, validator=v.member_of(StepMode))
    activity_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    leader_id: TeamLeaderId | None = attrs.field(default=None, validator=v.optional_identifier)
    leader_fee_rate: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    second_leader_id: TeamLeaderId | None = attrs.field(default=None, validator=v.optional_identifier)
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
    ) -> OrderTerms:
        """The terms of a sale paid under *decision*, checked against *profile* and the category's rules.

        The team-leader fee applies only when the winning plan is an activity plan; pass that *activity*.
        A *second_leader_id* must work the activity. The *influencer*'s MCN share is carried over. With no
        winning plan the sale earns no commission (0%).

        Raises:
            PolicyError: A rate breaks the profile's bounds, the category floors or the activity's minimum.
            InvalidValueError: The activity does not match the plan, or the second-level leader is unknown.

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
        if plan is None or decision.rate is None:
            return cls(commission_rate=Rate.zero(), tech_fee_rate=tech, mcn_id=mcn_id, mcn_share=mcn_share)
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


def _walk(order: Order, events: Sequence[OrderEvent]) -> list[_Step]:
    """Replay *events* on *order*, checking every rule; one :class:`_Step` per event."""
    status = OrderStatus.PAID
    refunded = units = 0
    last = order.paid_at
    limit = order.paid.fen + order.shipping.fen
    seen: set[str] = set()
    steps: list[_Step] = []
    for i, event in enumerate(events):
        path = f"Order.events[{i}]"
        if not isinstance(event, OrderEvent):
            raise InvalidValueError(path, event, "must be an OrderEvent")
        if event.id in seen:
            raise InvalidValueError(f"{path}.id", event.id, "is used by an earlier event")
        seen.add(event.id)
        if event.at < last:
            raise InvalidValueError(f"{path}.at", event.at, f"is earlier than the previous event ({last.isoformat()})")
        last = event.at
        refund = 0
        if event.kind is OrderEventKind.REFUNDED:
            if status is OrderStatus.INVALID:
                raise TransitionError(f"{path}.kind", event.kind.value, "an invalid order takes no refunds")
            if event.amount is not None:
                if event.amount.currency != order.paid.currency:
                    raise InvalidValueError(f"{path}.amount", event.amount, f"must be in {order.paid.currency}")
                refund = event.amount.fen
            else:
                count = event.units or 0  # OrderEvent guarantees units when amount is None
                if units + count > order.units:
                    raise InvalidValueError(
                        f"{path}.units", count, f"with {units} already refunded exceeds the {order.units} units ordered"
                    )
                refund = order.value_of_units(units + count).fen - order.value_of_units(units).fen
                units += count
            if refunded + refund > limit:
                raise InvalidValueError(
                    f"{path}.amount",
                    Money(refund, order.paid.currency),
                    f"with {Money(refunded, order.paid.currency)} already refunded exceeds what was paid "
                    f"({Money(limit, order.paid.currency)})",
                )
            refunded += refund
        else:
            target = _TARGET[event.kind]
            allowed = ORDER_TRANSITIONS[status]
            if target not in allowed:
                names = ", ".join(sorted(s.value for s in allowed)) or "none, it is final"
                raise TransitionError(
                    f"{path}.kind",
                    event.kind.value,
                    f"cannot move from {status.value!r} to {target.value!r} (allowed: {names})",
                )
            status = target
        steps.append(_Step(status, refunded, units, refund))
    return steps


def _check_events(instance: Order, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("Order.events", value, "must be a tuple of OrderEvent")


def _positive_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.money(instance, attribute, value)
    if isinstance(value, Money) and value.fen == 0:
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be above zero")


def _optional_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 200):
        raise InvalidValueError(f"Order.{attribute.name}", value, "must be a category name of 1-200 characters")


@attrs.frozen
class Order:
    """One distributed order line and everything that happened to it.

    Args:
        id: The order's id.
        merchant_id: The seller.
        sku_id: The goods.
        influencer_id: The influencer who sold it.
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
    merchant_id: MerchantId = attrs.field(validator=v.identifier)
    sku_id: SkuId = attrs.field(validator=v.identifier)
    influencer_id: InfluencerId = attrs.field(validator=v.identifier)
    paid: Money = attrs.field(validator=_positive_money)
    paid_at: datetime = attrs.field(validator=v.aware_datetime)
    terms: OrderTerms = attrs.field(validator=v.instance_of(OrderTerms))
    units: int = attrs.field(default=1, validator=v.int_between(1, 10**9))
    shipping: Money = attrs.field(
        default=attrs.Factory(lambda self: Money.zero(self.paid.currency), takes_self=True), validator=v.money
    )
    subsidy: Money = attrs.field(
        default=attrs.Factory(lambda self: Money.zero(self.paid.currency), takes_self=True), validator=v.money
    )
    category_id: CategoryId | None = attrs.field(default=None, validator=v.optional_identifier)
    category_level1: str | None = attrs.field(default=None, validator=_optional_name)
    service_level: ServiceLevel = attrs.field(default=ServiceLevel.HIGH, validator=v.member_of(ServiceLevel))
    events: tuple[OrderEvent, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_check_events)

    def __attrs_post_init__(self) -> None:
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
        return next((e.at for e in self.events if _TARGET.get(e.kind) is status), None)

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
        return Money(self.paid.fen * count // self.units, self.paid.currency)

    # -- events ----------------------------------------------------------------------------------------

    def apply(self, event: OrderEvent) -> Order:
        """Return the order with *event* applied; if the order already holds that event, return it unchanged.

        Raises:
            InvalidValueError: A different event reuses a held id; a refund beyond what was paid; time going back.
            TransitionError: A move the lifecycle does not allow (:data:`ORDER_TRANSITIONS`).
        """
        if not isinstance(event, OrderEvent):
            raise InvalidValueError("Order.apply.event", event, "must be an OrderEvent")
        held = self.event(event.id)
        if held is not None:
            if held == event:
                return self
            raise InvalidValueError("Order.apply.event.id", event.id, "is already used by a different event")
        return attrs.evolve(self, events=(*self.events, event))

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


# -- the split -------------------------------------------------------------------------------------------


@attrs.frozen
class SettlementLine:
    """One party's share of an order: *amount* to *party* (and, where known, the payee's id).

    Amounts are never negative in a split; in a :class:`Clawback` they are the change (negative for the
    parties giving money back).
    """

    party: Party = attrs.field(validator=v.member_of(Party))
    amount: Money = attrs.field(validator=v.instance_of(Money))
    payee_id: str | None = attrs.field(default=None, validator=v.optional_identifier)


def _check_lines(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidValueError(path, value, "must be a tuple of SettlementLine")
    keys: set[tuple[Party, str | None]] = set()
    for i, line in enumerate(value):
        if not isinstance(line, SettlementLine):
            raise InvalidValueError(f"{path}[{i}]", line, "must be a SettlementLine")
        key = (line.party, line.payee_id)
        if key in keys:
            raise InvalidValueError(f"{path}[{i}]", line, "repeats a party and payee")
        keys.add(key)


@attrs.frozen
class OrderSplit:
    """Every party's line for one order at one point in its life.

    Attributes:
        order_id: The order.
        status: Its status at that point.
        total_in: What came in (goods, shipping, subsidy); the lines add up to exactly this.
        base: The commission base after refunds.
        refunded: Everything refunded by then.
        commission: The gross commission the merchant pays (influencer + MCN + platform fee).
        lines: One line per party, in :class:`Party` order.
        subsidy: The platform-funded part of what came in that the order keeps (官方补贴, after refunds
            returned their share): it is paid out inside the merchant's line, and ``merchant_own`` is
            the merchant's line without it.
    """

    order_id: str = attrs.field(validator=v.identifier)
    status: OrderStatus = attrs.field(validator=v.member_of(OrderStatus))
    total_in: Money = attrs.field(validator=v.money)
    base: Money = attrs.field(validator=v.money)
    refunded: Money = attrs.field(validator=v.money)
    commission: Money = attrs.field(validator=v.money)
    lines: tuple[SettlementLine, ...] = attrs.field(converter=v.to_tuple, validator=_check_lines)
    subsidy: Money = attrs.field(
        default=attrs.Factory(lambda self: Money.zero(self.total_in.currency), takes_self=True), validator=v.money
    )

    @property
    def merchant_own(self) -> Money:
        """The merchant's line less the platform's subsidy in it: what the buyer's money left the merchant."""
        return self.amount(Party.MERCHANT) - self.subsidy

    def __attrs_post_init__(self) -> None:
        total = sum((line.amount for line in self.lines), Money.zero(self.total_in.currency))
        if total != self.total_in:
            raise PolicyError("OrderSplit.lines", total, f"must add up to total_in ({self.total_in})")

    def amount(self, party: Party) -> Money:
        """The total of *party*'s lines (zero if it has none)."""
        return sum((line.amount for line in self.lines if line.party is party), Money.zero(self.total_in.currency))

    def line(self, party: Party) -> SettlementLine | None:
        """*party*'s line, or ``None`` if the split has none."""
        return next((line for line in self.lines if line.party is party), None)


@attrs.frozen
class Clawback:
    """What a refund after settlement took back: the change in every party's line (summing to zero).

    Attributes:
        order_id: The order.
        event_id: The refund event.
        at: When.
        lines: Per party, recomputed line − settled line (before this refund); negative for those giving back.
    """

    order_id: str = attrs.field(validator=v.identifier)
    event_id: str = attrs.field(validator=v.identifier)
    at: datetime = attrs.field(validator=v.aware_datetime)
    lines: tuple[SettlementLine, ...] = attrs.field(converter=v.to_tuple, validator=_check_lines)

    def amount(self, party: Party) -> Money:
        """The change in *party*'s line (zero if it did not change)."""
        currency = self.lines[0].amount.currency if self.lines else DEFAULT_CURRENCY
        return sum((line.amount for line in self.lines if line.party is party), Money.zero(currency))


def _check_terms(order: Order, profile: PlatformProfile, tech: Rate) -> None:
    """Check the order's rates against *profile*: its bounds and cap, and 100% in total with *tech*.

    The authority on which terms a split accepts and the errors it raises; :func:`_within_rules` only
    spares the check on terms it can show pass.
    """
    terms = order.terms
    fee = terms.leader_fee_rate
    paths = ["OrderTerms.commission_rate", *(f"OrderTerms.steps[{i}].rate" for i in range(len(terms.steps)))]
    for path, rate in zip(paths, terms.commission_rates(), strict=True):
        profile.check_commission(rate, kind=terms.plan_kind, category=order.category_keys, leader_fee=fee, path=path)
        total = rate.value + (fee.value if fee is not None else 0) + tech.value
        if total > 1:
            raise PolicyError(path, rate, f"plus the leader fee and the technical fee ({tech}) exceeds 100%")


class _Rules(NamedTuple):
    """What a split needs from a profile for one plan kind and category, read once (internal).

    Rates are in ppm. Everything is derived from the frozen profile, so it stays true for its lifetime.
    """

    profile: PlatformProfile  # held, so its id() cannot be reused while the entry is cached
    low: int  # the lowest commission allowed
    high: int  # the highest
    min_leader: int  # the category's minimum leader fee, -1 for none
    cap_limit: int  # the highest commission + leader fee allowed (the cap, less 1 ppm unless inclusive)
    tech: Rate  # the category's technical fee rate (when the terms name none)
    fee_ppm: int  # the platform's fee on the commission (0 when waived)
    exact: bool  # the profile is a PlatformProfile itself, not a subclass that may override its checks

    @classmethod
    def of(cls, profile: PlatformProfile, kind: PlanKind | None, keys: tuple[str, ...]) -> _Rules:
        """Read *profile*'s rules for a plan of *kind* on goods with category *keys*."""
        low, _, high, _ = profile._bounds(kind, keys)
        rule = profile.rule_for(keys)
        floor = rule.min_leader_fee if rule is not None else None
        cap = profile.combined_cap.ppm
        return cls(
            profile=profile,
            low=low.ppm,
            high=high.ppm,
            min_leader=-1 if floor is None else floor.ppm,
            cap_limit=cap if profile.combined_cap_inclusive else cap - 1,
            tech=profile.tech_fee_for(keys),
            fee_ppm=profile.effective_commission_fee_rate.ppm,
            exact=type(profile) is PlatformProfile,
        )


#: At most this many (profile, plan kind, category) entries are cached; the cache empties when full.
_RULES_MAX: Final = 512
_RULES: dict[tuple[int, PlanKind | None, tuple[str, ...]], _Rules] = {}


def _rules_for(profile: PlatformProfile, kind: PlanKind | None, keys: tuple[str, ...]) -> _Rules:
    """*profile*'s :class:`_Rules` for *kind* and *keys*, from a bounded cache keyed on the profile's identity.

    Only exact :class:`PlatformProfile` instances are cached (a subclass's rules are read every time).
    An entry holds its profile, so while it is cached no other object can take the profile's id; the
    ``is`` test below guards that anyway. Profiles, kinds and key tuples are immutable, so an entry never
    goes stale. Thread-safe: dict reads, writes and ``clear`` are atomic; a race only reads twice.
    """
    key = (id(profile), kind, keys)
    rules = _RULES.get(key)
    if rules is not None and rules.profile is profile:
        return rules
    rules = _Rules.of(profile, kind, keys)
    if rules.exact:
        if len(_RULES) >= _RULES_MAX:
            _RULES.clear()
        _RULES[key] = rules
    return rules


def _within_rules(terms: OrderTerms, rules: _Rules, tech: Rate) -> bool:
    """Whether *terms* pass :func:`_check_terms` under *rules* with technical fee *tech*, in ppm integers.

    ``True`` means the full check passes: rates sit on the ppm grid, so comparing ppm compares the exact
    values, and each test below is one of the full check's. ``False`` sends the split to the full check,
    which raises (or, were this ever too strict, passes): either way the full check decides.
    """
    fee = terms.leader_fee_rate
    fee_ppm = 0 if fee is None else fee.ppm
    if fee is not None and fee_ppm < rules.min_leader:
        return False
    low, high = rules.low, rules.high
    room = PPM - fee_ppm - tech.ppm  # the most a commission rate may be beside the two fees
    cap = rules.cap_limit - fee_ppm if fee is not None else PPM  # … and beside the leader fee under the cap
    top = min(high, room, cap)
    rate = terms.commission_rate.ppm
    if not low <= rate <= top:
        return False
    return not terms.steps or all(low <= step.rate.ppm <= top for step in terms.steps)


# The split's own values, built from parts _split_at proved valid (the lines add up to total_in by construction),
# without re-running the validators: equal to the validated objects, with the same hash and repr.
_trusted: Final = builder(Money)
_trusted_line: Final = builder(SettlementLine)
_trusted_split: Final = builder(OrderSplit)


def _split_at(order: Order, profile: PlatformProfile, count: int, steps: Sequence[_Step] | None = None) -> OrderSplit:
    """The split after the first *count* events.

    Amounts are computed in integer fen and each becomes a Money once. For an :class:`Order` and a
    :class:`PlatformProfile` themselves (not subclasses, which may override what is read here) the result
    is built without re-running validators, because every value is proven by construction:

    * every amount is an int between 0 and ``total_in`` (≤ :data:`MAX_FEN`, which :class:`Order`
      checks), in the order's one currency; ``net − mcn`` and ``leader − second`` are not negative since
      the MCN share and the second-level rate are at most 100% and the first-level rate;
    * the ids are the order's and its terms' (validated there); each party appears at most once;
    * the lines add up to ``total_in``: influencer + MCN + platform fee is the commission, the two leader
      lines are the leader fee, and merchant = paid + shipping + subsidy − refunded − subsidy returned −
      commission − leader fee − tech fee, so adding the refund and subsidy-return lines gives back
      paid + shipping + subsidy.

    Otherwise the public validated constructors build it, as before.
    """
    if not isinstance(profile, PlatformProfile):
        raise InvalidValueError("split.profile", profile, "must be a PlatformProfile")
    if steps is not None:
        state = steps[count - 1] if count else _PAID_STATE
    else:
        state = _walk(order, order.events[:count])[-1] if count else _PAID_STATE
    terms = order.terms
    paid_money = order.paid
    currency = paid_money.currency
    exact = type(order) is Order
    if exact:  # Order.category_keys, inline
        cid, level1 = order.category_id, order.category_level1
        keys: tuple[str, ...] = () if cid is None and level1 is None else order.category_keys
    else:
        keys = order.category_keys
    rules = _rules_for(profile, terms.plan_kind, keys)
    exact = exact and rules.exact
    rounding = profile.rounding
    # Every ratio rounded below has a numerator ≥ 0 and a denominator > 0, where DOWN and FLOOR are both
    # integer floor division: the operator does it without round_ratio's call and branches.
    ratio = floordiv if rounding is Rounding.DOWN or rounding is Rounding.FLOOR else rounding.round_ratio

    tech_rate = terms.tech_fee_rate if terms.tech_fee_rate is not None else rules.tech
    if not (rules.exact and _within_rules(terms, rules, tech_rate)):
        _check_terms(order, profile, tech_rate)

    paid, shipping, subsidy, refunded = paid_money.fen, order.shipping.fen, order.subsidy.fen, state.refunded
    goods_refunded = min(refunded, paid)
    base = max(0, paid + shipping - refunded) if profile.shipping_in_base else paid - goods_refunded
    subsidy_kept = ratio(subsidy * (paid - goods_refunded), paid)
    void = state.status is OrderStatus.INVALID

    # amount × rate is ratio(amount × rate.ppm, PPM): rounded once, exact (rates sit on a ppm grid)
    if void:
        commission = 0
    elif terms.steps:
        exact_commission = _exact_commission(
            _trusted(base, currency), terms.commission_rate, terms.steps, terms.step_mode
        )
        commission = rounding.round_fraction(exact_commission)
    else:
        commission = ratio(base * terms.commission_rate.ppm, PPM)
    fee = ratio(commission * rules.fee_ppm, PPM)
    net = commission - fee
    mcn = ratio(net * terms.mcn_share.ppm, PPM) if terms.mcn_share is not None else 0
    leader = second = 0
    if terms.leader_fee_rate is not None and not void:
        leader = ratio(base * terms.leader_fee_rate.ppm, PPM)
        if terms.second_leader_fee_rate is not None:
            second = ratio(base * terms.second_leader_fee_rate.ppm, PPM)
    # an invalid order leaves the program: no fee at all
    tech = 0 if void else ratio(base * tech_rate.ppm, PPM)
    returned = subsidy - subsidy_kept
    merchant = paid + shipping + subsidy - refunded - returned - commission - leader - tech
    if merchant < 0:  # only with a half-way rounding mode on a base of a few fen
        give = min(-merchant, tech)
        tech -= give
        merchant += give
    if merchant < 0:  # pragma: no cover - the profile's cap (< 100%) makes this unreachable
        raise PolicyError("split", Money(merchant, currency), "the deductions exceed what the merchant received")

    make_line = _trusted_line if exact else SettlementLine
    lines = [make_line(Party.INFLUENCER, _trusted(net - mcn, currency), order.influencer_id)]
    if terms.mcn_id is not None:
        lines.append(make_line(Party.MCN, _trusted(mcn, currency), terms.mcn_id))
    lines.append(make_line(Party.PLATFORM_COMMISSION_FEE, _trusted(fee, currency), None))
    if terms.leader_id is not None:
        lines.append(make_line(Party.TEAM_LEADER, _trusted(leader - second, currency), terms.leader_id))
    if terms.second_leader_id is not None:
        lines.append(make_line(Party.SECOND_LEADER, _trusted(second, currency), terms.second_leader_id))
    lines.append(make_line(Party.PLATFORM_TECH_FEE, _trusted(tech, currency), None))
    lines.append(make_line(Party.MERCHANT, _trusted(merchant, currency), order.merchant_id))
    refunded_money = _trusted(refunded, currency)
    if refunded:
        lines.append(make_line(Party.BUYER_REFUND, refunded_money, None))
    if returned:
        lines.append(make_line(Party.SUBSIDY_RETURN, _trusted(returned, currency), None))
    return (_trusted_split if exact else OrderSplit)(
        order.id,
        state.status,
        _trusted(paid + shipping + subsidy, currency) if exact else order.total_in,
        _trusted(base, currency),
        refunded_money,
        _trusted(commission, currency),
        tuple(lines),
        _trusted(subsidy_kept, currency),
    )


def split(order: Order, profile: PlatformProfile, *, as_of: datetime | None = None) -> OrderSplit:
    """Split *order* into every party's line under *profile*, after all its events (or those up to *as_of*).

    Before settlement this is the estimate; after it, the settled lines less any clawbacks.

    Raises:
        PolicyError: The order's rates break the profile's bounds (commission range, cap, 100% in total).
        InvalidValueError: *order* is not an :class:`Order` or *profile* not a profile.
    """
    if not isinstance(order, Order):
        raise InvalidValueError("split.order", order, "must be an Order")
    events = order.events
    if as_of is not None:
        moment = v.require_aware(as_of, "split.as_of")
        count = sum(1 for e in events if e.at <= moment)
    else:
        count = len(events)
    return _split_at(order, profile, count)


def settled_split(order: Order, profile: PlatformProfile) -> OrderSplit | None:
    """The lines as settled (refunds after settlement not applied), or ``None`` if the order never settled."""
    for i, event in enumerate(order.events):
        if event.kind is OrderEventKind.SETTLED:
            return _split_at(order, profile, i + 1)
    return None


def _line_map(lines: Iterable[SettlementLine]) -> dict[tuple[Party, str | None], Money]:
    return {(line.party, line.payee_id): line.amount for line in lines}


def difference(after: OrderSplit, before: OrderSplit) -> tuple[SettlementLine, ...]:
    """Per party, ``after − before``, omitting parties whose line did not change; the result sums to zero."""
    old, new = _line_map(before.lines), _line_map(after.lines)
    zero = Money.zero(after.total_in.currency)
    keys = sorted(old.keys() | new.keys(), key=lambda k: (_PARTY_ORDER[k[0]], k[1] or ""))
    changed = []
    for party, payee in keys:
        delta = new.get((party, payee), zero) - old.get((party, payee), zero)
        if delta:
            changed.append(SettlementLine(party, delta, payee))
    return tuple(changed)


def clawbacks(order: Order, profile: PlatformProfile) -> tuple[Clawback, ...]:
    """One :class:`Clawback` per refund after settlement: the settled lines minus the recomputed ones.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 11, tzinfo=timezone.utc)
    >>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
    ...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
    >>> profile = PlatformProfile()
    >>> order = order.receive(at=t + timedelta(days=2)).settle(profile, at=t + timedelta(days=9))
    >>> order = order.refund(event_id="r-1", at=t + timedelta(days=10), amount=Money.of("50.00"))
    >>> [(line.party.value, line.amount.to_text()) for line in clawbacks(order, profile)[0].lines]
    [('influencer', '-9.00'), ('platform_commission_fee', '-1.00'), ('platform_tech_fee', '-2.50'), \
('merchant', '-37.50'), ('buyer_refund', '50.00')]
    """
    walked = _walk(order, order.events)
    found: list[Clawback] = []
    settled = False
    previous = _split_at(order, profile, 0, walked)
    for i, event in enumerate(order.events):
        current = _split_at(order, profile, i + 1, walked)
        if settled and event.kind is OrderEventKind.REFUNDED:
            found.append(Clawback(order.id, event.id, event.at, difference(current, previous)))
        settled = settled or event.kind is OrderEventKind.SETTLED
        previous = current
    return tuple(found)


def history(order: Order, profile: PlatformProfile) -> tuple[tuple[OrderEvent | None, OrderSplit], ...]:
    """The split after the payment (event ``None``) and after each event, in order (what the ledger posts)."""
    walked = _walk(order, order.events)
    result: list[tuple[OrderEvent | None, OrderSplit]] = [(None, _split_at(order, profile, 0, walked))]
    for i, event in enumerate(order.events):
        result.append((event, _split_at(order, profile, i + 1, walked)))
    return tuple(result)
