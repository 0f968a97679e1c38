"""fenxiao.settlement.orders: Order.apply builds the longer order without re-running the validators of the fields it
keeps, and gives exactly what the validating build gives (the order, or the error)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import FenxiaoError
from fenxiao.money import Money
from fenxiao.settlement.orders import Order, OrderEvent, OrderEventKind
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.testing.commission import order_histories, platform_profiles

from .. import builders
from ..builders import PAID_AT

DAY = timedelta(days=1)


@given(data=st.data(), profile=platform_profiles())
def test_applying_events_one_by_one_builds_the_order_the_validating_constructor_builds(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """Each order apply() returns is equal to the validated build of the same history, with the same hash, repr
    and fields."""
    o = data.draw(order_histories(profile=profile))
    built = attrs.evolve(o, events=())
    for n, event in enumerate(o.events, start=1):
        built = built.apply(event)
        checked = attrs.evolve(o, events=o.events[:n])  # evolve runs every validator
        assert type(built) is Order
        assert (built, hash(built), repr(built)) == (checked, hash(checked), repr(checked))
        assert attrs.asdict(built, recurse=False) == attrs.asdict(checked, recurse=False)


@st.composite
def next_events(draw: st.DrawFn, order: Order) -> OrderEvent:
    """Any event under a new id, legal for *order* or not: any kind, any time around its last event, any refund."""
    last = order.events[-1].at if order.events else order.paid_at
    at = last + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 30 * 24 * 60)))
    kind = draw(st.sampled_from(OrderEventKind))
    if kind is not OrderEventKind.REFUNDED:
        return OrderEvent("next", kind, at)
    if draw(st.booleans()):
        top = order.paid.fen + order.shipping.fen + 2
        return OrderEvent("next", kind, at, amount=Money(draw(st.integers(1, top)), order.paid.currency))
    return OrderEvent("next", kind, at, units=draw(st.integers(1, order.units + 1)))


def outcome(build: Callable[[], Order]) -> Order | tuple[type[FenxiaoError], str]:
    """What *build* returns, or the type and text of the error it raises."""
    try:
        return build()
    except FenxiaoError as exc:
        return (type(exc), str(exc))


@given(data=st.data())
def test_apply_refuses_exactly_what_the_validating_build_refuses(data: st.DataObject) -> None:
    """Time going back, a move the lifecycle forbids, a refund beyond what was paid: apply() raises the validating
    build's error, word for word, and otherwise returns its order."""
    o = data.draw(order_histories())
    event = data.draw(next_events(o))
    applied = outcome(lambda: o.apply(event))
    evolved = outcome(lambda: attrs.evolve(o, events=(*o.events, event)))
    assert applied == evolved


def test_a_subclass_of_order_is_extended_through_its_own_validators() -> None:
    """apply() builds without validators only for Order itself: a subclass keeps its type and checks."""

    @attrs.frozen
    class Flagged(Order):
        flag: bool = attrs.field(default=False, kw_only=True)

    o = builders.order("100.00", paid_at=PAID_AT)
    flagged = Flagged(**attrs.asdict(o, recurse=False), flag=True)
    received = flagged.apply(OrderEvent("r", OrderEventKind.RECEIVED, PAID_AT + DAY))
    assert type(received) is Flagged
    assert received.flag
    assert received.events == (OrderEvent("r", OrderEventKind.RECEIVED, PAID_AT + DAY),)
