"""Settlement: the split of one order, its lifecycle, refunds and clawbacks, by example and as properties."""

from __future__ import annotations

import pickle
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.ids import TeamLeaderId
from fenxiao.errors import InvalidValueError, PolicyError, TransitionError
from fenxiao.money import Money, Rate, Rounding
from fenxiao.serialization import dumps, loads
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.orders import Order, OrderEvent, OrderEventKind, OrderStatus, OrderTerms
from fenxiao.settlement.profiles import CategoryRule, KindBounds, PlatformProfile, ServiceLevel
from fenxiao.settlement.splits import (
    _LINES,
    _LINES_MAX,
    _RULES,
    _RULES_MAX,
    _ZEROS,
    Clawback,
    OrderSplit,
    Party,
    SettlementLine,
    _check_terms,
    _line_fen,
    _payee_texts,
    _payees,
    _Rules,
    _rules_for,
    _split_at,
    _within_rules,
    _zero_of,
    clawbacks,
    difference,
    history,
    settled_split,
    split,
)
from fenxiao.settlement.steps import CommissionStep, StepMode
from fenxiao.testing.commission import commission_steps, order_histories, order_terms, orders, platform_profiles

from .. import builders
from ..builders import PAID_AT, order

T0 = PAID_AT
DAY = timedelta(days=1)
DEFAULT = PlatformProfile()
KUAISHOU = PlatformProfile.kuaishou()


terms = builders.order_terms


def lines(result: OrderSplit) -> dict[str, str]:
    return {line.party.value: line.amount.to_text() for line in result.lines}


def settled(o: Order, profile: PlatformProfile = DEFAULT) -> Order:
    return o.receive(at=T0 + DAY).settle(profile, at=T0 + 8 * DAY)


def full_refund(o: Order) -> Order:
    left = o.paid + o.shipping - o.refunded
    if not left:
        return o
    return o.refund(event_id="full-refund", at=o.events[-1].at if o.events else o.paid_at, amount=left)


# -- the worked example -------------------------------------------------------------------------------------


def test_the_worked_example_splits_99_90_at_20_percent_with_a_5_percent_leader_fee() -> None:
    """¥99.90 at 20% with a 5% leader fee: every line rounded down, the merchant keeps the rest."""
    o = order(terms=terms(leader_id=TeamLeaderId("tl-1"), leader_fee_rate=Rate.of("5%")))
    assert lines(split(o, DEFAULT)) == {
        "influencer": "17.99",
        "platform_commission_fee": "1.99",
        "team_leader": "4.99",
        "platform_tech_fee": "4.99",
        "merchant": "69.94",
    }


def test_kuaishou_waives_the_fee_on_commission_so_the_influencer_keeps_19_98() -> None:
    """Under the Kuaishou profile the commission fee is waived: the influencer's line is the whole 19.98."""
    o = order(terms=terms(leader_id=TeamLeaderId("tl-1"), leader_fee_rate=Rate.of("5%")))
    result = split(o, KUAISHOU)
    assert result.amount(Party.INFLUENCER) == Money.of("19.98")
    assert result.amount(Party.PLATFORM_COMMISSION_FEE) == Money.zero()
    assert result.commission == Money.of("19.98")


def test_the_worked_example_after_a_partial_refund_recomputes_the_estimate() -> None:
    """Refunding ¥29.97 before settlement recomputes every line on the ¥69.93 left."""
    o = order(terms=terms(leader_id=TeamLeaderId("tl-1"), leader_fee_rate=Rate.of("5%")))
    o = o.refund(event_id="r-1", at=T0 + DAY, amount=Money.of("29.97"))
    result = split(o, DEFAULT)
    assert result.base == Money.of("69.93")
    assert lines(result) == {
        "influencer": "12.59",
        "platform_commission_fee": "1.39",
        "team_leader": "3.49",
        "platform_tech_fee": "3.49",
        "merchant": "48.97",
        "buyer_refund": "29.97",
    }


def test_an_mcn_takes_its_share_of_the_influencers_net_commission() -> None:
    """The MCN's share comes out of the influencer's commission net of the platform fee."""
    o = order(paid="100.00", terms=terms(mcn_id="mcn-1", mcn_share=Rate.of("30%")))
    result = split(o, DEFAULT)
    assert result.amount(Party.MCN) == Money.of("5.40")
    assert result.amount(Party.INFLUENCER) == Money.of("12.60")
    assert result.line(Party.MCN) == SettlementLine(Party.MCN, Money.of("5.40"), "mcn-1")


def test_a_second_level_leader_is_paid_out_of_the_first_level_fee() -> None:
    """The second-level fee is carved out of the first-level leader's fee, not added to the merchant's bill."""
    o = order(
        paid="100.00",
        terms=terms(
            leader_id=TeamLeaderId("tl-1"),
            leader_fee_rate=Rate.of("5%"),
            second_leader_id=TeamLeaderId("tl2-1"),
            second_leader_fee_rate=Rate.of("2%"),
        ),
    )
    result = split(o, DEFAULT)
    assert result.amount(Party.TEAM_LEADER) == Money.of("3.00")
    assert result.amount(Party.SECOND_LEADER) == Money.of("2.00")
    assert result.amount(Party.MERCHANT) == Money.of("70.00")


def test_a_second_level_fee_above_the_first_level_fee_is_refused() -> None:
    """Order terms refuse a second-level fee above the first-level one."""
    with pytest.raises(InvalidValueError, match=r"OrderTerms\.second_leader_fee_rate: must not exceed"):
        terms(
            leader_id=TeamLeaderId("tl-1"),
            leader_fee_rate=Rate.of("2%"),
            second_leader_id=TeamLeaderId("tl2-1"),
            second_leader_fee_rate=Rate.of("2.0001%"),
        )


# -- boundaries -----------------------------------------------------------------------------------------------


def test_a_one_fen_order_pays_no_commission_and_the_merchant_keeps_the_fen() -> None:
    """¥0.01 at 20%: the exact commission is 0.2 fen, under one fen, so it is zero."""
    result = split(order(paid="0.01"), DEFAULT)
    assert lines(result) == {
        "influencer": "0.00",
        "platform_commission_fee": "0.00",
        "platform_tech_fee": "0.00",
        "merchant": "0.01",
    }


def test_the_one_fen_rule_drops_any_amount_under_one_fen() -> None:
    """Under the default DOWN rounding a line of 0.999 fen is zero; half-up would make it one fen."""
    o = order(paid="0.03", terms=terms(commission_rate=Rate.of("33.3%")))  # 0.999 fen
    assert split(o, DEFAULT).commission == Money.zero()
    assert split(o, attrs.evolve(DEFAULT, rounding=Rounding.HALF_UP)).commission == Money(1)


def test_a_zero_rate_pays_nothing() -> None:
    """A 0% commission gives the influencer and the platform's commission fee nothing."""
    result = split(order(terms=terms(commission_rate=Rate.zero())), DEFAULT)
    assert result.commission == Money.zero()
    assert result.amount(Party.INFLUENCER) == Money.zero()


def test_a_90_percent_commission_without_a_leader_is_allowed() -> None:
    """90% is the top of the commission range and, with no leader, the cap does not apply."""
    result = split(order(paid="100.00", terms=terms(commission_rate=Rate.of("90%"))), DEFAULT)
    assert result.commission == Money.of("90.00")
    assert result.amount(Party.MERCHANT) == Money.of("5.00")


def test_a_commission_above_90_percent_is_refused_naming_the_field() -> None:
    """A 90.0001% commission breaks the profile's maximum."""
    with pytest.raises(PolicyError, match=r"OrderTerms\.commission_rate: is above the maximum commission \(90%\)"):
        split(order(terms=terms(commission_rate=Rate.of("90.0001%"))), DEFAULT)


def test_commission_plus_leader_fee_exactly_at_the_cap_is_refused_by_default() -> None:
    """85% + 5% is exactly the 90% cap: the default profile needs it strictly below."""
    o = order(terms=terms(commission_rate=Rate.of("85%"), leader_id="tl-1", leader_fee_rate=Rate.of("5%")))
    with pytest.raises(PolicyError, match=r"must stay below the cap \(90%\)"):
        split(o, DEFAULT)


def test_commission_plus_leader_fee_exactly_at_the_cap_is_allowed_when_the_cap_is_inclusive() -> None:
    """With combined_cap_inclusive the same 85% + 5% settles."""
    o = order(terms=terms(commission_rate=Rate.of("85%"), leader_id="tl-1", leader_fee_rate=Rate.of("5%")))
    result = split(o, attrs.evolve(DEFAULT, combined_cap_inclusive=True))
    assert sum(line.amount for line in result.lines) == o.total_in


def test_commission_plus_leader_fee_one_ppm_below_the_cap_is_allowed() -> None:
    """84.9999% + 5% is just below the cap."""
    o = order(terms=terms(commission_rate=Rate.of("84.9999%"), leader_id="tl-1", leader_fee_rate=Rate.of("5%")))
    assert split(o, DEFAULT).commission == Money.of("84.91")


def test_with_half_up_rounding_the_tech_fee_gives_way_so_the_merchant_is_never_negative() -> None:
    """On a 3-fen base, half-up lines of 2 + 1 + 1 fen would exceed it; the technical fee drops to zero."""
    o = order(
        paid="0.03",
        terms=terms(
            commission_rate=Rate.of("50%"),
            leader_id="tl-1",
            leader_fee_rate=Rate.of("16.6667%"),
            tech_fee_rate=Rate.of("16.6667%"),
        ),
    )
    result = split(o, attrs.evolve(DEFAULT, rounding=Rounding.HALF_UP))
    assert lines(result) == {
        "influencer": "0.02",
        "platform_commission_fee": "0.00",
        "team_leader": "0.01",
        "platform_tech_fee": "0.00",
        "merchant": "0.00",
    }


def test_terms_whose_rates_exceed_100_percent_in_total_are_refused() -> None:
    """Commission + leader fee + technical fee above 100% cannot be split."""
    o = order(terms=terms(commission_rate=Rate.of("80%"), tech_fee_rate=Rate.of("21%")))
    with pytest.raises(PolicyError, match=r"exceeds 100%"):
        split(o, DEFAULT)


def test_slab_and_marginal_steps_differ_exactly_at_a_step_boundary() -> None:
    """At exactly ¥100 a slab step pays 30% on everything; a marginal step pays 20% (the slice above is empty)."""
    steps = (CommissionStep(Money.of("100.00"), Rate.of("30%")),)
    slab = order(paid="100.00", terms=terms(steps=steps, step_mode=StepMode.SLAB))
    marginal = order(paid="100.00", terms=terms(steps=steps, step_mode=StepMode.MARGINAL))
    assert split(slab, KUAISHOU).commission == Money.of("30.00")
    assert split(marginal, KUAISHOU).commission == Money.of("20.00")
    just_below = order(paid="99.99", terms=terms(steps=steps, step_mode=StepMode.SLAB))
    assert split(just_below, KUAISHOU).commission == Money.of("19.99")


def test_a_refund_below_a_slab_threshold_drops_the_whole_order_to_the_lower_rate() -> None:
    """Slab steps follow the base after refunds: refunding one fen below ¥100 loses the 30% step."""
    steps = (CommissionStep(Money.of("100.00"), Rate.of("30%")),)
    o = order(paid="100.00", terms=terms(steps=steps)).refund(event_id="r", at=T0, amount=Money(1))
    assert split(o, KUAISHOU).commission == Money.of("19.99")


# -- shipping, subsidy and refunds ------------------------------------------------------------------------------


def test_shipping_is_kept_by_the_merchant_and_excluded_from_the_base() -> None:
    """Shipping adds to what came in and to the merchant's net, not to the commission base."""
    result = split(order(paid="100.00", shipping=Money.of("8.00")), DEFAULT)
    assert result.base == Money.of("100.00")
    assert result.total_in == Money.of("108.00")
    assert result.amount(Party.MERCHANT) == Money.of("83.00")


def test_a_profile_may_put_shipping_in_the_base() -> None:
    """With shipping_in_base the commission is charged on goods and shipping."""
    result = split(order(paid="100.00", shipping=Money.of("10.00")), attrs.evolve(DEFAULT, shipping_in_base=True))
    assert result.commission == Money.of("22.00")


def test_a_subsidy_goes_to_the_merchant_and_a_refund_claws_back_its_share() -> None:
    """A ¥10 subsidy is the merchant's; refunding half the goods returns ¥5 of it to the platform."""
    o = order(paid="100.00", subsidy=Money.of("10.00"))
    assert split(o, DEFAULT).amount(Party.MERCHANT) == Money.of("85.00")
    refunded = o.refund(event_id="r", at=T0 + DAY, amount=Money.of("50.00"))
    result = split(refunded, DEFAULT)
    assert result.amount(Party.SUBSIDY_RETURN) == Money.of("5.00")
    assert result.amount(Party.MERCHANT) == Money.of("42.50")


def test_a_refund_beyond_the_goods_comes_out_of_shipping_and_the_base_stops_at_zero() -> None:
    """Refunding goods and shipping leaves a zero base and the merchant nothing."""
    o = order(paid="100.00", shipping=Money.of("8.00"))
    o = o.refund(event_id="r", at=T0, amount=Money.of("108.00"))
    result = split(o, DEFAULT)
    assert result.base == Money.zero()
    assert lines(result)["merchant"] == "0.00"
    assert lines(result)["buyer_refund"] == "108.00"


def test_a_refund_beyond_what_was_paid_is_refused() -> None:
    """The refunds may not add up to more than goods plus shipping."""
    o = order(paid="100.00").refund(event_id="r-1", at=T0, amount=Money.of("60.00"))
    with pytest.raises(InvalidValueError, match=r"already refunded exceeds what was paid \(¥100\.00\)"):
        o.refund(event_id="r-2", at=T0, amount=Money.of("40.01"))


def test_refunds_by_units_are_valued_cumulatively_so_all_units_return_exactly_what_was_paid() -> None:
    """Three units for ¥10.00 refund as 3.33, 3.33 and 3.34."""
    o = order(paid="10.00", units=3)
    for n in range(3):
        o = o.refund(event_id=f"r-{n}", at=T0, units=1)
    assert [amount.to_text() for _, amount in o.refund_amounts()] == ["3.33", "3.33", "3.34"]
    assert o.refunded == Money.of("10.00")


def test_refunding_more_units_than_ordered_is_refused() -> None:
    """Two units ordered, three refunded: refused, naming the event."""
    with pytest.raises(InvalidValueError, match=r"Order\.events\[0\]\.units: .*exceeds the 2 units ordered"):
        order(units=2).refund(event_id="r", at=T0, units=3)


def test_a_refund_names_exactly_one_of_amount_and_units() -> None:
    """A refund event with both (or neither) an amount and units is refused."""
    with pytest.raises(InvalidValueError, match="exactly one of amount, units"):
        OrderEvent("r", OrderEventKind.REFUNDED, T0, amount=Money(1), units=1)
    with pytest.raises(InvalidValueError, match="exactly one of amount, units"):
        OrderEvent("r", OrderEventKind.REFUNDED, T0)


# -- lifecycle ----------------------------------------------------------------------------------------------------


def test_an_order_moves_paid_received_settled() -> None:
    """The happy path, with the status derived from the events."""
    o = order()
    assert o.status is OrderStatus.PAID
    o = o.receive(at=T0 + DAY)
    assert o.status is OrderStatus.RECEIVED
    o = o.settle(DEFAULT, at=T0 + 8 * DAY)
    assert o.status is OrderStatus.SETTLED
    assert o.entered(OrderStatus.SETTLED) == T0 + 8 * DAY


@pytest.mark.parametrize(
    ("steps", "event", "message"),
    [
        ((), OrderEvent("s", OrderEventKind.SETTLED, T0), r"cannot move from 'paid' to 'settled'"),
        (("receive",), OrderEvent("r2", OrderEventKind.RECEIVED, T0 + DAY), r"from 'received' to 'received'"),
        (("receive", "settle"), OrderEvent("x", OrderEventKind.INVALIDATED, T0 + 9 * DAY), r"it is final"),
        (("invalidate",), OrderEvent("x", OrderEventKind.RECEIVED, T0 + DAY), r"from 'invalid' to 'received'"),
        (
            ("invalidate",),
            OrderEvent("x", OrderEventKind.REFUNDED, T0 + DAY, amount=Money(1)),
            r"an invalid order takes no refunds",
        ),
    ],
)
def test_illegal_transitions_are_refused(steps: tuple[str, ...], event: OrderEvent, message: str) -> None:
    """Every move outside the lifecycle table raises TransitionError naming the event."""
    o = order()
    for step in steps:
        if step == "receive":
            o = o.receive(at=T0 + DAY)
        elif step == "settle":
            o = o.settle(DEFAULT, at=T0 + 8 * DAY)
        else:
            o = o.invalidate(at=T0)
    with pytest.raises(TransitionError, match=message):
        o.apply(event)


def test_settling_before_the_settlement_date_is_refused_and_exactly_on_it_is_allowed() -> None:
    """Receipt + 7 days for a high-service merchant: one second early is refused."""
    o = order().receive(at=T0)
    with pytest.raises(PolicyError, match=r"Order\.settle\.at: is before the settlement date .* \(receipt \+ 7 days\)"):
        o.settle(DEFAULT, at=T0 + 7 * DAY - timedelta(seconds=1))
    assert o.settle(DEFAULT, at=T0 + 7 * DAY).status is OrderStatus.SETTLED


def test_the_merchants_service_level_sets_the_settlement_delay() -> None:
    """Standard and low service levels wait 15 and 20 days by default."""
    assert order(service_level=ServiceLevel.STANDARD).receive(at=T0).settlement_due(DEFAULT) == T0 + 15 * DAY
    assert order(service_level=ServiceLevel.LOW).receive(at=T0).settlement_due(DEFAULT) == T0 + 20 * DAY
    assert order().settlement_due(DEFAULT) is None


def test_events_may_not_go_back_in_time() -> None:
    """An event earlier than the one before it is refused."""
    with pytest.raises(InvalidValueError, match=r"Order\.events\[1\]\.at: is earlier than the previous event"):
        order().receive(at=T0 + DAY).refund(event_id="r", at=T0, amount=Money(1))


def test_replaying_an_event_changes_nothing() -> None:
    """Applying an event the order already holds returns the same order."""
    o = order().refund(event_id="r-1", at=T0, amount=Money.of("10.00"))
    assert o.refund(event_id="r-1", at=T0, amount=Money.of("10.00")) == o
    settled_order = settled(o)
    assert settled_order.settle(DEFAULT, at=T0 + 8 * DAY) == settled_order


def test_reusing_an_event_id_for_a_different_event_is_refused() -> None:
    """Same id, different content: a conflict, not a replay."""
    o = order().refund(event_id="r-1", at=T0, amount=Money.of("10.00"))
    with pytest.raises(InvalidValueError, match=r"Order\.apply\.event\.id: is already used by a different event"):
        o.refund(event_id="r-1", at=T0, amount=Money.of("20.00"))


def test_the_id_paid_is_reserved_for_the_payment() -> None:
    """The ledger posts the payment as event "paid"; no event may take that id."""
    with pytest.raises(InvalidValueError, match="reserved"):
        OrderEvent("paid", OrderEventKind.RECEIVED, T0)


def test_an_invalid_order_pays_no_commission_or_leader_fee() -> None:
    """An invalid order leaves the program: no commission, leader fee or technical fee; the merchant keeps it all."""
    o = order(paid="100.00", terms=terms(leader_id="tl-1", leader_fee_rate=Rate.of("5%"))).invalidate(at=T0)
    result = split(o, DEFAULT)
    assert result.status is OrderStatus.INVALID
    assert result.commission == Money.zero()
    assert result.amount(Party.TEAM_LEADER) == Money.zero()
    assert result.amount(Party.PLATFORM_TECH_FEE) == Money.zero()
    assert result.amount(Party.MERCHANT) == Money.of("100.00")


def test_order_amounts_must_share_the_paid_currency() -> None:
    """Shipping in another currency than the goods is refused."""
    with pytest.raises(InvalidValueError, match=r"Order\.shipping: must be in CNY"):
        order(shipping=Money(100, "USD"))


def test_an_order_of_nothing_is_refused() -> None:
    """The goods amount must be above zero."""
    with pytest.raises(InvalidValueError, match=r"Order\.paid: must be above zero"):
        order(paid="0.00")


# -- after settlement -------------------------------------------------------------------------------------------


def test_a_refund_after_settlement_is_a_clawback_of_every_partys_share() -> None:
    """Half of a settled ¥100 order refunded: each party gives back half its line, exactly."""
    o = settled(order(paid="100.00", terms=terms(leader_id="tl-1", leader_fee_rate=Rate.of("5%"))))
    o = o.refund(event_id="r-1", at=T0 + 10 * DAY, amount=Money.of("50.00"))
    (claw,) = clawbacks(o, DEFAULT)
    assert claw.event_id == "r-1"
    assert claw.amount(Party.INFLUENCER) == Money.of("-9.00")
    assert claw.amount(Party.SUBSIDY_RETURN) == Money.zero()
    assert {line.party.value: line.amount.to_text() for line in claw.lines} == {
        "influencer": "-9.00",
        "platform_commission_fee": "-1.00",
        "team_leader": "-2.50",
        "platform_tech_fee": "-2.50",
        "merchant": "-35.00",
        "buyer_refund": "50.00",
    }
    before = settled_split(o, DEFAULT)
    assert before is not None
    assert difference(split(o, DEFAULT), before) == claw.lines


def test_refunds_before_settlement_are_not_clawbacks() -> None:
    """A refund while the order is only received recomputes the estimate instead."""
    o = order().receive(at=T0).refund(event_id="r", at=T0, amount=Money(100))
    assert clawbacks(o, DEFAULT) == ()
    assert settled_split(o, DEFAULT) is None


def test_split_as_of_a_moment_ignores_later_events() -> None:
    """``as_of`` splits the order as it stood then."""
    o = order(paid="100.00").refund(event_id="r", at=T0 + DAY, amount=Money.of("50.00"))
    assert split(o, DEFAULT, as_of=T0).refunded == Money.zero()
    assert split(o, DEFAULT, as_of=T0 + DAY).refunded == Money.of("50.00")


def test_history_lists_the_split_after_payment_and_after_each_event() -> None:
    """One split per event plus the payment's."""
    o = settled(order())
    steps = history(o, DEFAULT)
    assert [event.id if event else None for event, _ in steps] == [None, "received", "settled"]


# -- properties ----------------------------------------------------------------------------------------------------


@given(data=st.data(), profile=platform_profiles())
def test_lines_always_add_up_to_what_came_in_and_are_never_negative(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """For every order, plan and refund sequence, each split's lines sum to total_in and none is negative."""
    o = data.draw(order_histories(profile=profile))
    for _, result in history(o, profile):
        assert sum(line.amount for line in result.lines) == o.total_in
        assert all(line.amount.fen >= 0 for line in result.lines)
        assert result.base.fen >= 0


@given(data=st.data(), profile=platform_profiles())
def test_clawbacks_sum_to_zero_and_take_each_party_back_to_the_recomputed_line(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """Each clawback is a zero-sum change; settled lines plus every clawback give the current split."""
    o = data.draw(order_histories(profile=profile))
    settled_lines = settled_split(o, profile)
    claws = clawbacks(o, profile)
    for claw in claws:
        assert sum((line.amount for line in claw.lines), Money.zero()) == Money.zero()
    if settled_lines is None:
        assert claws == ()
        return
    totals = {(line.party, line.payee_id): line.amount for line in settled_lines.lines}
    for claw in claws:
        for line in claw.lines:
            key = (line.party, line.payee_id)
            totals[key] = totals.get(key, Money.zero()) + line.amount
    current = {(line.party, line.payee_id): line.amount for line in split(o, profile).lines}
    assert {k: a for k, a in totals.items() if a} == {k: a for k, a in current.items() if a}


@given(data=st.data(), profile=platform_profiles())
def test_a_full_refund_brings_every_party_back_to_zero(data: st.DataObject, profile: PlatformProfile) -> None:
    """After refunding everything, only the buyer's refund and the returned subsidy are left."""
    o = data.draw(order_histories(profile=profile).filter(lambda x: x.status is not OrderStatus.INVALID))
    result = split(full_refund(o), profile)
    for line in result.lines:
        if line.party is Party.BUYER_REFUND:
            assert line.amount == o.paid + o.shipping
        elif line.party is Party.SUBSIDY_RETURN:
            assert line.amount == o.subsidy
        else:
            assert line.amount == Money.zero(), line


@given(data=st.data(), profile=platform_profiles(), bump=st.integers(1, 100_000))
def test_raising_the_commission_never_lowers_the_influencer_nor_raises_the_merchant(
    data: st.DataObject, profile: PlatformProfile, bump: int
) -> None:
    """Raising every commission rate (base and steps) by the same amount, within the profile's room."""
    o = data.draw(order_histories(profile=profile))
    t = o.terms
    fee = t.leader_fee_rate.ppm if t.leader_fee_rate is not None else 0
    tech = (t.tech_fee_rate or profile.tech_fee_for(o.category_id)).ppm
    room = min(profile.commission_max.ppm, 10**6 - fee - tech)
    if t.leader_fee_rate is not None:
        room = min(room, profile.combined_cap.ppm - fee - (0 if profile.combined_cap_inclusive else 1))
    top = max(r.ppm for r in t.commission_rates())
    delta = min(bump, room - top)
    if delta <= 0:
        return
    raised_terms = attrs.evolve(
        t,
        commission_rate=Rate.from_ppm(t.commission_rate.ppm + delta),
        steps=tuple(attrs.evolve(s, rate=Rate.from_ppm(s.rate.ppm + delta)) for s in t.steps),
    )
    before, after = split(o, profile), split(attrs.evolve(o, terms=raised_terms), profile)
    assert after.amount(Party.INFLUENCER) >= before.amount(Party.INFLUENCER)
    assert after.commission >= before.commission
    assert after.amount(Party.MERCHANT) <= before.amount(Party.MERCHANT)


@given(data=st.data(), profile=platform_profiles())
def test_replaying_any_event_is_a_no_op(data: st.DataObject, profile: PlatformProfile) -> None:
    """Applying any held event again returns an equal order with the same split."""
    o = data.draw(order_histories(profile=profile))
    for event in o.events:
        assert o.apply(event) == o
    assert split(o, profile) == split(o.apply(o.events[-1]) if o.events else o, profile)


@given(o=order_histories())
def test_orders_round_trip_through_the_converter(o: Order) -> None:
    """An order with its terms and events survives JSON exactly."""
    assert loads(dumps(o), Order) == o


@given(data=st.data(), profile=platform_profiles())
def test_splits_round_trip_through_the_converter(data: st.DataObject, profile: PlatformProfile) -> None:
    """A split (its lines) survives JSON exactly."""
    result = split(data.draw(orders(profile=profile)), profile)
    assert loads(dumps(result), OrderSplit) == result


@given(t=order_terms())
def test_generated_terms_fit_the_default_profile(t: OrderTerms) -> None:
    """The strategies' terms always pass the profile's checks (they keep the properties honest)."""
    o = order(terms=t)
    assert split(o, DEFAULT).total_in == o.total_in


# -- the trusted construction path and the rules cache ------------------------------------------------------

#: A profile with every kind of rule the terms check reads: kind bounds, category floors and ceilings, a
#: category leader-fee floor and tech fee, and an inclusive cap.
RULED = PlatformProfile(
    name="ruled",
    combined_cap=Rate.of("50%"),
    combined_cap_inclusive=True,
    category_rules=(
        CategoryRule(
            match="c-special",
            min_commission=Rate.of("10%"),
            max_commission=Rate.of("30%"),
            min_leader_fee=Rate.of("3%"),
            tech_fee_rate=Rate.of("2%"),
        ),
        CategoryRule(match="珠宝文玩", max_commission=Rate.of("25%"), min_leader_fee=Rate.of("2%")),
    ),
    kind_bounds=(
        KindBounds(PlanKind.NORMAL, Rate.of("20%"), Rate.of("40%")),
        KindBounds(PlanKind.EXCLUSIVE, Rate.of("0%"), Rate.of("22%")),
    ),
)
any_rates = st.integers(0, 10**6).map(Rate.from_ppm)


def rebuilt(result: OrderSplit) -> OrderSplit:
    """*result* built again through the public validating constructors (which re-check that lines add up)."""

    def money(m: Money) -> Money:
        return Money(m.fen, m.currency)

    return OrderSplit(
        order_id=result.order_id,
        status=result.status,
        total_in=money(result.total_in),
        base=money(result.base),
        refunded=money(result.refunded),
        commission=money(result.commission),
        lines=tuple(SettlementLine(line.party, money(line.amount), line.payee_id) for line in result.lines),
        subsidy=money(result.subsidy),
    )


def outcome(o: Order, profile: PlatformProfile) -> OrderSplit | str:
    """The split, or the error it raises as text."""
    try:
        return split(o, profile)
    except PolicyError as exc:
        return f"{type(exc).__name__}: {exc}"


@given(data=st.data(), profile=st.one_of(platform_profiles(), st.just(RULED), st.just(KUAISHOU)))
def test_splits_built_without_validators_equal_those_the_validating_constructors_build(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """Every split, and every line in it, is equal to the checked build, with the same hash and repr."""
    o = data.draw(order_histories(profile=profile))
    for _, result in history(o, profile):
        checked = rebuilt(result)
        assert type(result) is OrderSplit
        assert (result, hash(result), repr(result)) == (checked, hash(checked), repr(checked))
        assert attrs.asdict(result, recurse=False) == attrs.asdict(checked, recurse=False)
        for line, checked_line in zip(result.lines, checked.lines, strict=True):
            assert type(line) is SettlementLine
            assert (line, hash(line), repr(line)) == (checked_line, hash(checked_line), repr(checked_line))
        assert loads(dumps(result), OrderSplit) == result


@given(
    data=st.data(),
    profile=st.one_of(platform_profiles(), st.just(RULED), st.just(DEFAULT), st.just(PlatformProfile.douyin())),
    commission=any_rates,
    steps=commission_steps(max_ppm=10**6),
    kind=st.sampled_from((None, *PlanKind)),
    leader_fee=st.none() | any_rates,
    tech=st.none() | any_rates,
    category=st.sampled_from(((None, None), ("c-special", None), ("c-plain", "珠宝文玩"), (None, "医药保健"))),
)
def test_the_integer_terms_check_accepts_exactly_the_terms_the_full_check_accepts(
    data: st.DataObject,
    profile: PlatformProfile,
    commission: Rate,
    steps: tuple[CommissionStep, ...],
    kind: PlanKind | None,
    leader_fee: Rate | None,
    tech: Rate | None,
    category: tuple[str | None, str | None],
) -> None:
    """Any terms, fitting the profile or not: the ppm check agrees with check_commission, and split raises
    exactly the full check's error."""
    t = terms(
        commission_rate=commission,
        steps=steps,
        plan_kind=kind,
        leader_id=None if leader_fee is None else TeamLeaderId("tl-1"),
        leader_fee_rate=leader_fee,
        tech_fee_rate=tech,
    )
    o = order(terms=t, category_id=category[0], category_level1=category[1])
    rules = _Rules.of(profile, kind, o.category_keys)
    assert rules.tech == profile.tech_fee_for(o.category_keys)
    tech_rate = tech if tech is not None else rules.tech
    try:
        _check_terms(o, profile, tech_rate)
    except PolicyError as exc:
        full: str | None = f"PolicyError: {exc}"
    else:
        full = None
    assert _within_rules(t, rules, tech_rate) is (full is None)
    result = outcome(o, profile)
    assert result == full if full is not None else isinstance(result, OrderSplit)


def test_a_profile_subclass_is_checked_in_full_every_time_and_never_cached() -> None:
    """A subclass may override the checks: the split asks it (no shortcut) and builds through the validators."""

    class Strict(PlatformProfile):
        def check_commission(self, rate: Rate, **kwargs: Any) -> None:
            if rate > Rate.of("10%"):
                raise PolicyError(kwargs.get("path", "commission_rate"), rate, "is above this platform's 10%")
            super().check_commission(rate, **kwargs)

    strict = Strict()
    o = order()
    assert isinstance(split(o, DEFAULT), OrderSplit)  # the plain profile's rules are now cached
    with pytest.raises(PolicyError, match=r"OrderTerms\.commission_rate: is above this platform's 10%"):
        split(o, strict)
    cheap = order(terms=terms(commission_rate=Rate.of("5%")))
    assert split(cheap, strict) == split(cheap, DEFAULT)
    assert all(rules.profile is not strict for rules in _RULES.values())


def test_an_order_subclass_splits_as_the_order_does() -> None:
    """A subclass of Order gets the same split, built through the validating constructors."""

    class MyOrder(Order):
        pass

    o = order(subsidy=Money.of("3.00"), shipping=Money.of("6.00"))
    mine = MyOrder(**{a.name: getattr(o, a.name) for a in attrs.fields(Order)}).refund(
        event_id="r-1", at=T0 + DAY, amount=Money.of("10.00")
    )
    assert type(mine) is MyOrder  # evolve keeps the class
    assert split(mine, DEFAULT) == split(o.refund(event_id="r-1", at=T0 + DAY, amount=Money.of("10.00")), DEFAULT)


@given(data=st.data(), profiles=st.lists(st.one_of(platform_profiles(), st.just(RULED)), min_size=2, max_size=4))
def test_the_rules_cache_gives_each_profile_its_own_answer(
    data: st.DataObject, profiles: list[PlatformProfile]
) -> None:
    """Splitting under several profiles in turn, warm or cold, gives each profile what it gives alone."""
    o = data.draw(order_histories(profile=profiles[0]))
    cold = []
    for profile in profiles:
        _RULES.clear()
        cold.append(outcome(o, profile))
    for _ in range(2):
        assert [outcome(o, profile) for profile in profiles] == cold
    waived = [attrs.evolve(p, commission_fee_waived=not p.commission_fee_waived) for p in profiles]
    for profile, flipped in zip(profiles, waived, strict=True):
        before, after = outcome(o, profile), outcome(o, flipped)
        if isinstance(before, OrderSplit) and isinstance(after, OrderSplit):
            fees = {before.amount(Party.PLATFORM_COMMISSION_FEE), after.amount(Party.PLATFORM_COMMISSION_FEE)}
            assert Money.zero() in fees  # exactly one of the two waives the fee
            assert before.commission == after.commission


def test_the_rules_cache_is_bounded_and_never_serves_a_dead_profiles_rules() -> None:
    """Hundreds of short-lived profiles (ids get reused once freed): each gets its own fee; the cache stays small."""
    o = order(paid="100.00")
    _RULES.clear()
    for ppm in range(0, 2 * _RULES_MAX * 1000, 1000):
        profile = PlatformProfile(commission_fee_rate=Rate.from_ppm(ppm % 10**6))
        result = split(o, profile)
        assert result.amount(Party.PLATFORM_COMMISSION_FEE).fen == 2000 * (ppm % 10**6) // 10**6
        assert len(_RULES) <= _RULES_MAX
        del profile, result
    assert 0 < len(_RULES) <= _RULES_MAX


def test_splits_of_user_built_values_are_still_validated() -> None:
    """Only the library's own construction skips validators: a hand-built split or line is checked as before."""
    line = SettlementLine(Party.MERCHANT, Money.of("1.00"), "m-1")
    with pytest.raises(PolicyError, match=r"OrderSplit\.lines: must add up to total_in"):
        OrderSplit("o-1", OrderStatus.PAID, Money.of("2.00"), Money.zero(), Money.zero(), Money.zero(), (line,))
    with pytest.raises(InvalidValueError, match=r"SettlementLine\.amount"):
        SettlementLine(Party.MERCHANT, 100, None)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"OrderSplit\.order_id"):
        OrderSplit("", OrderStatus.PAID, Money.of("1.00"), Money.zero(), Money.zero(), Money.zero(), (line,))


# -- Douyin's team-leader limits (issue 19) ------------------------------------------------------------------

DOUYIN = PlatformProfile.douyin()


def _leader_terms(first: str, second: str | None = None, commission: str = "10%") -> OrderTerms:
    return terms(
        commission_rate=Rate.of(commission),
        leader_id=TeamLeaderId("tl-1"),
        leader_fee_rate=Rate.of(first),
        second_leader_id=None if second is None else TeamLeaderId("tl2-1"),
        second_leader_fee_rate=None if second is None else Rate.of(second),
    )


def test_douyin_caps_the_team_leader_fee_at_40_percent() -> None:
    """A 45% leader fee is refused on Douyin (its leader service rate is at most 40%); 40% is allowed."""
    with pytest.raises(PolicyError, match=r"leader_fee_rate: is above the maximum team-leader fee \(40%\)"):
        split(order(terms=_leader_terms("45%")), DOUYIN)
    assert split(order(paid="100.00", terms=_leader_terms("40%")), DOUYIN).amount(Party.TEAM_LEADER) == Money.of(
        "40.00"
    )
    assert split(order(terms=_leader_terms("45%")), KUAISHOU).commission == Money.of("9.99")


def test_douyin_holds_a_second_level_fee_to_nine_tenths_of_the_first() -> None:
    """With a 5% first-level fee a second-level fee of 4.5% is the most Douyin allows; 4.5001% is refused."""
    assert split(order(paid="100.00", terms=_leader_terms("5%", "4.5%")), DOUYIN).amount(
        Party.SECOND_LEADER
    ) == Money.of("4.50")
    with pytest.raises(PolicyError, match=r"OrderTerms\.second_leader_fee_rate: must not exceed 90% of the first"):
        split(order(terms=_leader_terms("5%", "4.5001%")), DOUYIN)
    assert split(order(paid="100.00", terms=_leader_terms("5%", "5%")), KUAISHOU).amount(
        Party.SECOND_LEADER
    ) == Money.of("5.00")


@given(first=st.integers(0, 600_000), second_share=st.integers(0, 1_000_000))
def test_an_accepted_douyin_split_never_pays_a_leader_beyond_douyins_limits(first: int, second_share: int) -> None:
    """Douyin accepts a split exactly when the leader fee is at most 40% and the second-level fee at most 0.9x the
    first-level fee (the commission is 1%, so the cap never binds), and what it accepts still adds up."""
    second = first * second_share // 1_000_000
    o = order(
        paid="100.00",
        terms=terms(
            commission_rate=Rate.of("1%"),
            leader_id=TeamLeaderId("tl-1"),
            leader_fee_rate=Rate.from_ppm(first),
            second_leader_id=TeamLeaderId("tl2-1"),
            second_leader_fee_rate=Rate.from_ppm(second),
        ),
    )
    within = first <= 400_000 and second * 10 <= first * 9
    try:
        result = split(o, DOUYIN)
    except PolicyError:
        assert not within
        return
    assert within
    assert sum((line.amount for line in result.lines), Money.zero()) == result.total_in


# -- own-stream orders (自播, issue 19) -------------------------------------------------------------------------


def _own(paid: str = "100.00", **changes: Any) -> Order:
    return order(paid, influencer_id=None, terms=terms(commission_rate=Rate.zero()), **changes)


def test_an_own_stream_order_pays_no_influencer_and_no_commission() -> None:
    """The merchant's own stream (自播): no influencer line, no commission, the platform's technical fee still due."""
    o = _own()
    assert o.own_stream
    result = split(o, DEFAULT)
    assert [line.party for line in result.lines] == [
        Party.PLATFORM_COMMISSION_FEE,
        Party.PLATFORM_TECH_FEE,
        Party.MERCHANT,
    ]
    assert (result.commission, result.amount(Party.INFLUENCER)) == (Money.zero(), Money.zero())
    assert lines(result) == {"platform_commission_fee": "0.00", "platform_tech_fee": "5.00", "merchant": "95.00"}


def test_an_own_stream_order_meets_no_commission_floor() -> None:
    """The category floors protect influencers: a 0% own-stream sale of jewellery (floor 5%) splits, where the same
    0% by an influencer is refused (case mutation testing asked for: the own-stream test in the terms check)."""
    jewellery = {"category_id": "c-gold", "category_level1": "珠宝文玩"}
    result = split(_own("2999.00", **jewellery), DEFAULT)
    assert lines(result) == {"platform_commission_fee": "0.00", "platform_tech_fee": "149.95", "merchant": "2849.05"}
    with pytest.raises(PolicyError, match=r"^OrderTerms\.commission_rate: is below the minimum commission"):
        split(order("2999.00", terms=terms(commission_rate=Rate.zero()), **jewellery), DEFAULT)


def test_an_own_stream_order_refuses_any_commission_term() -> None:
    """Without an influencer there is nobody to pay: a commission, steps, a team leader or an MCN are refused."""
    with pytest.raises(InvalidValueError, match=r"Order\.terms\.commission_rate: must be 0% on an own-stream order"):
        order(influencer_id=None)
    with pytest.raises(InvalidValueError, match=r"Order\.terms\.leader_id: must be None on an own-stream order"):
        order(
            influencer_id=None,
            terms=terms(commission_rate=Rate.zero(), leader_id=TeamLeaderId("tl-1"), leader_fee_rate=Rate.of("1%")),
        )


@given(o=orders(profile=DEFAULT), refund=st.integers(0, 100))
def test_own_stream_orders_add_up_to_what_came_in(o: Order, refund: int) -> None:
    """Any order turned into an own-stream sale splits to the fen, with no commission and no influencer line."""
    own = attrs.evolve(o, influencer_id=None, terms=OrderTerms(Rate.zero(), tech_fee_rate=o.terms.tech_fee_rate))
    refunded = own.paid.fen * refund // 100
    if refunded:
        own = own.refund(event_id="r", at=own.paid_at, amount=Money(refunded, own.paid.currency))
    result = split(own, DEFAULT)
    assert sum((line.amount for line in result.lines), Money.zero(own.paid.currency)) == result.total_in
    assert result.commission.fen == 0
    assert Party.INFLUENCER not in {line.party for line in result.lines}
    assert loads(dumps(own), Order) == own


# -- lines built on first read --------------------------------------------------------------------------------


class _ValidatedOrder(Order):
    """A subclass: its splits go through the validating constructors, lines and all (never deferred)."""


def validated(o: Order) -> _ValidatedOrder:
    return _ValidatedOrder(**{a.name: getattr(o, a.name) for a in attrs.fields(Order)})


@given(data=st.data(), profile=st.one_of(platform_profiles(), st.just(RULED), st.just(KUAISHOU)))
def test_the_fast_path_equals_the_validated_construction_for_generated_orders(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """For every generated order and each point of its history, the split whose lines are built on first read is
    equal to the split built through the validating constructors, unread or read, copied or pickled."""
    o = data.draw(st.one_of(orders(profile=profile), order_histories(profile=profile)))
    checked_order = validated(o)
    for count in range(len(o.events) + 1):
        checked = _split_at(checked_order, profile, count)
        fresh = _split_at(o, profile, count)  # lines not read yet: equality, hash and repr read them
        assert (fresh, hash(fresh), repr(fresh)) == (checked, hash(checked), repr(checked))
        unread = _split_at(o, profile, count)
        assert pickle.loads(pickle.dumps(unread)) == checked
        assert attrs.evolve(_split_at(o, profile, count)) == checked
        assert attrs.asdict(_split_at(o, profile, count)) == attrs.asdict(checked)
        assert loads(dumps(_split_at(o, profile, count)), OrderSplit) == checked
        assert [type(line) for line in fresh.lines] == [SettlementLine] * len(checked.lines)


def test_a_splits_lines_are_built_once_and_are_a_plain_tuple_of_lines() -> None:
    """The first read builds the lines and keeps them: every later read gives the same tuple."""
    result = split(order(paid="99.90", terms=terms(mcn_id="mcn-1", mcn_share=Rate.of("30%"))), DEFAULT)
    first = result.lines
    assert type(first) is tuple
    assert result.lines is first
    assert [line.party for line in first] == [
        Party.INFLUENCER,
        Party.MCN,
        Party.PLATFORM_COMMISSION_FEE,
        Party.PLATFORM_TECH_FEE,
        Party.MERCHANT,
    ]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.lines = ()  # type: ignore[misc]


AMOUNT_FIELDS = ("total_in", "base", "refunded", "commission", "subsidy")


@given(data=st.data(), profile=st.one_of(platform_profiles(), st.just(RULED), st.just(KUAISHOU)))
def test_a_splits_amounts_read_in_any_order_are_the_validated_splits_and_are_built_once(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """Each amount of a split built by the library is built on its first read, in whatever order the fields are
    read (lines among them), equal to the validated split's, exact Money, and the same object on every later read."""
    o = data.draw(order_histories(profile=profile))
    checked_order = validated(o)
    for count in range(len(o.events) + 1):
        checked = _split_at(checked_order, profile, count)
        fresh = _split_at(o, profile, count)
        for name in data.draw(st.permutations((*AMOUNT_FIELDS, "lines"))):
            first = getattr(fresh, name)
            assert first == getattr(checked, name)
            assert getattr(fresh, name) is first
            if name != "lines":
                assert type(first) is Money
        assert (fresh, hash(fresh), repr(fresh)) == (checked, hash(checked), repr(checked))


def test_an_unread_split_holds_its_id_and_status_and_builds_nothing_else() -> None:
    """The fast path sets the order id and the status; the amounts and lines wait for their first read, and a zero
    amount is its currency's shared zero."""
    o = order("100.00", shipping=Money.of("6.00"), subsidy=Money.of("10.00")).refund(
        event_id="r-1", at=T0 + DAY, amount=Money.of("20.00")
    )
    result = split(o, DEFAULT)
    assert (result.order_id, result.status) == ("o-1", OrderStatus.PAID)
    assert [getattr(result, name) for name in AMOUNT_FIELDS] == [
        Money.of("116.00"),
        Money.of("80.00"),
        Money.of("20.00"),
        Money.of("16.00"),
        Money.of("8.00"),
    ]
    unrefunded = split(order("100.00"), DEFAULT)
    assert unrefunded.refunded is _ZEROS["CNY"]
    assert unrefunded.subsidy is _ZEROS["CNY"]
    assert unrefunded.subsidy is split(order("200.00"), DEFAULT).refunded  # one zero, not one a read
    assert unrefunded.base == unrefunded.total_in == Money.of("100.00")


def test_a_validated_split_reads_its_amounts_from_its_slots() -> None:
    """A split built by the constructor (or unpickled, or evolved) keeps what it was given, object for object."""
    line = SettlementLine(Party.MERCHANT, Money.of("1.00"), "m-1")
    amounts = [Money.of("1.00"), Money.of("0.50"), Money.zero(), Money.of("0.20"), Money.of("0.10")]
    total_in, base, refunded, commission, subsidy = amounts
    built = OrderSplit("o-1", OrderStatus.PAID, total_in, base, refunded, commission, (line,), subsidy)
    assert [getattr(built, name) for name in AMOUNT_FIELDS] == amounts
    assert all(getattr(built, name) is amount for name, amount in zip(AMOUNT_FIELDS, amounts, strict=True))
    assert built.lines == (line,)
    again = pickle.loads(pickle.dumps(split(order("100.00"), DEFAULT)))
    assert [getattr(again, name) for name in AMOUNT_FIELDS] == [
        getattr(split(order("100.00"), DEFAULT), name) for name in AMOUNT_FIELDS
    ]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.base = Money.zero()  # type: ignore[misc]


# -- cases mutation testing asked for (issue 20, item 6; docs/testing.md "Mutation testing") --------------------


class _OrderSubclass(Order):
    """A subclass: split builds it through the validated constructors instead of the trusted fast path."""


def _everyone(cls: type[Order] = Order) -> Order:
    fields = attrs.asdict(
        order(
            "100.00",
            terms=builders.order_terms(
                mcn_id="mcn-1",
                mcn_share=Rate.of("10%"),
                leader_id="tl-1",
                leader_fee_rate=Rate.of("5%"),
                second_leader_id="tl2-1",
                second_leader_fee_rate=Rate.of("2%"),
            ),
        ),
        recurse=False,
    )
    return cls(**fields)


@pytest.mark.parametrize("cls", [Order, _OrderSubclass])
def test_every_line_is_credited_to_its_payee(cls: type[Order]) -> None:
    o = _everyone(cls)
    refunded = o.refund(event_id="r-1", at=PAID_AT + timedelta(hours=1), amount=Money.of("10.00"))
    result = split(refunded, DEFAULT)
    payees = {line.party: line.payee_id for line in result.lines}
    assert payees == {
        Party.INFLUENCER: "kol-1",
        Party.MCN: "mcn-1",
        Party.PLATFORM_COMMISSION_FEE: None,
        Party.TEAM_LEADER: "tl-1",
        Party.SECOND_LEADER: "tl2-1",
        Party.PLATFORM_TECH_FEE: None,
        Party.MERCHANT: "m-1",
        Party.BUYER_REFUND: None,
    }
    assert [line.party for line in result.lines] == list(payees)
    assert sum((line.amount for line in result.lines), Money.zero()) == result.total_in
    assert all(line.amount >= Money.zero() for line in result.lines)
    assert result.order_id == "o-1"
    assert result.refunded == Money.of("10.00")


@pytest.mark.parametrize("cls", [Order, _OrderSubclass])
def test_the_exact_and_the_validated_paths_agree(cls: type[Order]) -> None:
    assert split(_everyone(cls), DEFAULT) == split(_everyone(Order), DEFAULT)


class _Printer:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def text(self, value: str) -> None:
        self.texts.append(value)


def test_a_split_shows_itself_in_notebooks() -> None:
    result = split(order("100.00"), DEFAULT)
    assert "o-1" in result._repr_html_()
    printer = _Printer()
    result._repr_pretty_(printer, False)
    result._repr_pretty_(printer, True)
    assert printer.texts == [repr(result), "OrderSplit(...)"]
    assert "o-1" in repr(result)


def test_a_line_and_an_amount_of_a_party_that_has_none() -> None:
    result = split(order("100.00"), DEFAULT)
    influencer = result.line(Party.INFLUENCER)
    assert influencer is not None
    assert influencer.party is Party.INFLUENCER
    assert result.line(Party.MCN) is None
    assert result.amount(Party.MCN) == Money.zero()
    assert result.amount(Party.INFLUENCER) == influencer.amount


def test_a_clawback_amount_is_per_party_in_the_lines_currency() -> None:
    lines = (
        SettlementLine(Party.INFLUENCER, Money.of("-9.00", "USD"), "kol-1"),
        SettlementLine(Party.MERCHANT, Money.of("-1.00", "USD"), "m-1"),
        SettlementLine(Party.BUYER_REFUND, Money.of("10.00", "USD"), None),
    )
    claw = Clawback("o-1", "r-1", PAID_AT, lines)
    assert claw.amount(Party.INFLUENCER) == Money.of("-9.00", "USD")
    assert claw.amount(Party.MCN) == Money.zero("USD")
    assert Clawback("o-1", "r-1", PAID_AT, ()).amount(Party.MCN) == Money.zero()


def test_a_clawback_of_one_line_has_amounts() -> None:
    claw = Clawback("o-1", "r-1", PAID_AT, (SettlementLine(Party.BUYER_REFUND, Money.of("0.00", "USD"), None),))
    assert claw.amount(Party.BUYER_REFUND) == Money.zero("USD")
    assert claw.amount(Party.MERCHANT) == Money.zero("USD")


# -- more cases mutation testing asked for (issue 20, item 6; second run) ---------------------------------------


def _a_split(lines: object) -> OrderSplit:
    one = Money.of("1.00")
    return OrderSplit("o-1", OrderStatus.PAID, one, one, Money.zero(), Money.zero(), lines)  # type: ignore[arg-type]


def test_the_lines_validator_names_the_field_the_position_and_the_bad_value() -> None:
    merchant = SettlementLine(Party.MERCHANT, Money.of("1.00"), "m-1")
    with pytest.raises(InvalidValueError) as info:
        _a_split("x")
    assert (info.value.path, info.value.value, info.value.problem) == (
        "OrderSplit.lines",
        "x",
        "must be a tuple of SettlementLine",
    )
    assert str(info.value) == "OrderSplit.lines: must be a tuple of SettlementLine, got 'x'"
    with pytest.raises(InvalidValueError) as info:
        _a_split((merchant, "y"))
    assert str(info.value) == "OrderSplit.lines[1]: must be a SettlementLine, got 'y'"
    assert info.value.value == "y"
    with pytest.raises(InvalidValueError) as info:
        _a_split((SettlementLine(Party.MERCHANT, Money.zero(), "m-1"), merchant))
    assert (info.value.path, info.value.value, info.value.problem) == (
        "OrderSplit.lines[1]",
        merchant,
        "repeats a party and payee",
    )
    with pytest.raises(InvalidValueError) as info:
        Clawback("o-1", "r-1", PAID_AT, (merchant, merchant))
    assert str(info.value).startswith("Clawback.lines[1]: repeats a party and payee, got SettlementLine(")


def test_the_same_party_may_have_a_line_per_payee_and_a_payee_a_line_per_party() -> None:
    halves = (
        SettlementLine(Party.MERCHANT, Money.of("0.40"), "m-1"),
        SettlementLine(Party.MERCHANT, Money.of("0.50"), "m-2"),
        SettlementLine(Party.INFLUENCER, Money.of("0.10"), "m-1"),
    )
    result = _a_split(list(halves))
    assert result.lines == halves
    assert result.amount(Party.MERCHANT) == Money.of("0.90")
    with pytest.raises(PolicyError, match=r"^OrderSplit\.lines: must add up to total_in \(¥1\.00\), got Money"):
        _a_split(())


def test_a_splits_repr_shows_the_order_its_status_what_came_in_and_every_line() -> None:
    result = split(order("100.00"), DEFAULT)
    assert repr(result) == (
        "OrderSplit(order_id='o-1', status='paid', total_in='¥100.00', lines={'influencer': '¥18.00', "
        "'platform_commission_fee': '¥2.00', 'platform_tech_fee': '¥5.00', 'merchant': '¥75.00'})"
    )
    received = split(order("100.00").receive(at=T0 + DAY), DEFAULT)
    assert repr(received).startswith("OrderSplit(order_id='o-1', status='received', total_in='¥100.00', lines={")


def test_split_names_a_wrong_order_a_wrong_profile_and_a_naive_moment() -> None:
    with pytest.raises(InvalidValueError) as info:
        split("o-1", DEFAULT)  # type: ignore[arg-type]
    assert str(info.value) == "split.order: must be an Order, got 'o-1'"
    with pytest.raises(InvalidValueError) as info:
        split(order(), "default")  # type: ignore[arg-type]
    assert str(info.value) == "split.profile: must be a PlatformProfile, got 'default'"
    with pytest.raises(InvalidValueError) as info:
        split(order(), DEFAULT, as_of=T0.replace(tzinfo=None))
    assert info.value.path == "split.as_of"
    assert info.value.problem == "must be a timezone-aware datetime"


def test_split_as_of_counts_an_event_at_that_very_moment_and_none_after() -> None:
    o = order("100.00").refund(event_id="r-1", at=T0 + DAY, amount=Money.of("10.00"))
    o = o.refund(event_id="r-2", at=T0 + 2 * DAY, amount=Money.of("30.00"))
    assert split(o, DEFAULT, as_of=T0).refunded == Money.zero()
    assert split(o, DEFAULT, as_of=T0 + DAY - timedelta(microseconds=1)).refunded == Money.zero()
    assert split(o, DEFAULT, as_of=T0 + DAY).refunded == Money.of("10.00")
    assert split(o, DEFAULT, as_of=T0 + 2 * DAY - timedelta(microseconds=1)).refunded == Money.of("10.00")
    assert split(o, DEFAULT, as_of=T0 + 2 * DAY).refunded == Money.of("40.00")
    assert split(o, DEFAULT, as_of=T0 + 3 * DAY) == split(o, DEFAULT)
    assert split(o, DEFAULT).refunded == Money.of("40.00")


def _check(profile: PlatformProfile = DEFAULT, tech: str = "5%", **changes: Any) -> str | None:
    """What _check_terms says of an order of 100.00 on these terms: ``None`` when it accepts them."""
    try:
        _check_terms(order("100.00", terms=terms(**changes)), profile, Rate.of(tech))
    except PolicyError as exc:
        return str(exc)
    return None


def test_the_terms_check_names_the_step_whose_rate_takes_the_total_past_100_percent() -> None:
    steps = (CommissionStep(Money.of("50.00"), Rate.of("20%")), CommissionStep(Money.of("60.00"), Rate.of("90%")))
    assert _check(tech="15%", commission_rate=Rate.of("10%"), steps=steps) == (
        "OrderTerms.steps[1].rate: plus the leader fee and the technical fee (15%) exceeds 100%, got Rate('0.9')"
    )
    assert _check(tech="10%", commission_rate=Rate.of("10%"), steps=steps) is None


def test_the_terms_check_allows_exactly_100_percent_in_total_and_refuses_one_ppm_more() -> None:
    assert _check(tech="10%", commission_rate=Rate.of("90%")) is None
    assert _check(tech="10.0001%", commission_rate=Rate.of("90%")) == (
        "OrderTerms.commission_rate: plus the leader fee and the technical fee (10.0001%) exceeds 100%, got Rate('0.9')"
    )
    leader: dict[str, Any] = {"leader_id": "tl-1", "leader_fee_rate": Rate.of("20%"), "commission_rate": Rate.of("60%")}
    assert _check(tech="20%", **leader) is None
    assert _check(tech="20.0001%", **leader) == (
        "OrderTerms.commission_rate: plus the leader fee and the technical fee (20.0001%) exceeds 100%, got Rate('0.6')"
    )


def test_the_terms_check_asks_the_profile_about_the_second_level_fee_by_its_path() -> None:
    douyin = PlatformProfile.douyin()
    two: dict[str, Any] = {"leader_id": "tl-1", "leader_fee_rate": Rate.of("10%"), "second_leader_id": "tl-2"}
    assert _check(douyin, **two, second_leader_fee_rate=Rate.of("9%")) is None
    assert _check(douyin, **two, second_leader_fee_rate=Rate.of("10%")) == (
        "OrderTerms.second_leader_fee_rate: must not exceed 90% of the first-level fee (10%), got Rate('0.1')"
    )


def test_the_shared_zero_of_a_currency_is_a_zero_amount_in_that_currency() -> None:
    zero = _zero_of("USD")
    assert (zero.fen, zero.currency) == (0, "USD")
    assert zero == Money.zero("USD")
    assert _ZEROS["USD"] is zero


def _split_fen(o: Order, profile: PlatformProfile) -> tuple[int, ...]:
    """Every party's line in fen, in Party order (0 where the split has none), read off split()."""
    result = split(o, profile)
    return tuple(result.amount(party).fen for party in Party)


def test_the_ledgers_lines_in_fen_are_the_splits_lines_party_by_party() -> None:
    o = _everyone()
    assert _payees(o) == ("kol-1", "mcn-1", None, "tl-1", "tl2-1", None, "m-1", None, None)
    assert _payees(order()) == ("kol-1", None, None, None, None, None, "m-1", None, None)
    assert _line_fen(o, DEFAULT, 0) == (1620, 180, 200, 300, 200, 500, 7000, 0, 0)
    refunded = o.refund(event_id="r-1", at=T0 + DAY, amount=Money.of("10.00"))
    assert _line_fen(o, DEFAULT, 1000) == _split_fen(refunded, DEFAULT)
    assert _line_fen(o, DEFAULT, 1000) == (1458, 162, 180, 270, 180, 450, 6300, 1000, 0)
    with_subsidy = order("100.00", subsidy=Money.of("10.00"))
    refund = with_subsidy.refund(event_id="r-1", at=T0 + DAY, amount=Money.of("50.00"))
    assert _line_fen(with_subsidy, DEFAULT, 5000) == _split_fen(refund, DEFAULT)
    assert _line_fen(with_subsidy, DEFAULT, 5000)[-2:] == (5000, 500)
    mine = _everyone(_OrderSubclass)
    assert _line_fen(mine, DEFAULT, 1000) == _line_fen(o, DEFAULT, 1000)


def test_the_ledgers_cache_of_lines_tells_apart_everything_a_split_reads() -> None:
    """One terms object and one profile, orders differing in one key each: each gets its own lines."""
    _LINES.clear()
    shared = terms(commission_rate=Rate.of("20%"))
    base = order("100.00", terms=shared)
    variants = [
        base,
        attrs.evolve(base, paid=Money.of("90.00")),
        attrs.evolve(base, shipping=Money.of("8.00")),
        attrs.evolve(base, subsidy=Money.of("6.00")),
        attrs.evolve(base, category_id="c-special"),
        attrs.evolve(base, category_level1="c-special"),
    ]
    for refunded in (0, 1000):
        for o in variants:
            expected = _split_fen(o.refund(event_id="r", at=T0, amount=Money(refunded)) if refunded else o, RULED)
            assert _line_fen(o, RULED, refunded) == expected, (o, refunded)
            assert _line_fen(o, RULED, refunded) is _line_fen(o, RULED, refunded)  # the second read is the cached one
            assert o is base or expected != _line_fen(base, RULED, refunded)  # each key part changes the lines
    assert _line_fen(base, RULED, 0) != _line_fen(base, RULED, 1000)
    assert _line_fen(base, KUAISHOU, 0) == _split_fen(base, KUAISHOU) != _line_fen(base, RULED, 0)
    equal_terms = order("100.00", terms=terms(commission_rate=Rate.of("30%")))
    assert _line_fen(equal_terms, RULED, 0) == _split_fen(equal_terms, RULED) != _line_fen(base, RULED, 0)


def test_the_ledgers_cache_of_lines_is_bounded() -> None:
    _LINES.clear()
    o = order("100.00")
    for refunded in range(_LINES_MAX):
        _line_fen(o, DEFAULT, refunded)
    assert len(_LINES) == _LINES_MAX
    assert _line_fen(o, DEFAULT, _LINES_MAX) == _split_fen(
        o.refund(event_id="r", at=T0, amount=Money(_LINES_MAX)), DEFAULT
    )
    assert len(_LINES) == 1


def test_the_ledgers_cache_keeps_one_entry_per_terms_and_profile_and_none_for_subclasses() -> None:
    """Equal orders on two terms objects (or under two profiles) are two entries, each served from the cache; an
    order, terms or profile of a subclass (which may override what a split reads) is never cached."""
    _LINES.clear()
    first, second = order("100.00"), order("100.00", terms=terms(commission_rate=Rate.of("20%")))
    assert first.terms == second.terms
    assert first.terms is not second.terms
    lines = _line_fen(first, DEFAULT, 0), _line_fen(second, DEFAULT, 0), _line_fen(first, KUAISHOU, 0)
    assert (_line_fen(first, DEFAULT, 0), _line_fen(second, DEFAULT, 0), _line_fen(first, KUAISHOU, 0)) == lines
    assert _line_fen(first, DEFAULT, 0) is lines[0]
    assert _line_fen(second, DEFAULT, 0) is lines[1]
    assert _line_fen(first, KUAISHOU, 0) is lines[2]
    assert len(_LINES) == 3

    class Profile(PlatformProfile):
        pass

    class Terms(OrderTerms):
        pass

    profile = Profile()
    own_terms = Terms(commission_rate=Rate.of("20%"))
    _LINES.clear()
    assert _line_fen(first, profile, 0) == lines[0]
    assert _line_fen(_everyone(_OrderSubclass), DEFAULT, 0) == _line_fen(_everyone(), DEFAULT, 0)
    assert _line_fen(order("100.00", terms=own_terms), DEFAULT, 0) == lines[0]
    assert [(type(o_terms), type(o_profile)) for o_terms, o_profile, _ in _LINES.values()] == [
        (OrderTerms, PlatformProfile)
    ]


def test_the_rules_cache_keeps_one_entry_per_profile_kind_and_category() -> None:
    _RULES.clear()
    entries = [
        _rules_for(p, kind, keys)
        for p in (DEFAULT, KUAISHOU)
        for kind in (None, PlanKind.NORMAL)
        for keys in ((), ("c",))
    ]
    again = [
        _rules_for(p, kind, keys)
        for p in (DEFAULT, KUAISHOU)
        for kind in (None, PlanKind.NORMAL)
        for keys in ((), ("c",))
    ]
    assert all(a is b for a, b in zip(entries, again, strict=True))
    assert len(_RULES) == 8
    assert entries[0] == _Rules.of(DEFAULT, None, ())
    assert entries[-1] == _Rules.of(KUAISHOU, PlanKind.NORMAL, ("c",))


def test_a_categorys_minimum_leader_fee_is_read_into_the_rules_and_enforced() -> None:
    keys = ("c-special",)
    assert _Rules.of(RULED, None, keys).min_leader == 30_000
    assert _Rules.of(RULED, None, ("c-plain",)).min_leader == -1
    assert _Rules.of(DEFAULT, None, keys).min_leader == -1
    for fee, accepted in (("2.9999%", False), ("3%", True)):
        t = terms(leader_id="tl-1", leader_fee_rate=Rate.of(fee))
        o = order("100.00", terms=t, category_id="c-special")
        assert _within_rules(t, _Rules.of(RULED, None, keys), Rate.of("2%")) is accepted
        if accepted:
            assert split(o, RULED).amount(Party.TEAM_LEADER) == Money.of("3.00")
        else:
            with pytest.raises(PolicyError, match=r"minimum leader fee \(3%\), got Rate\('0\.029999'\)"):
                split(o, RULED)


def test_the_rules_hold_the_cap_less_one_ppm_unless_it_is_inclusive_and_a_fresh_profile_applies_it() -> None:
    assert _Rules.of(DEFAULT, None, ()).cap_limit == 899_999
    inclusive = attrs.evolve(DEFAULT, combined_cap_inclusive=True)
    assert _Rules.of(inclusive, None, ()).cap_limit == 900_000
    fresh = attrs.evolve(DEFAULT, name="fresh")  # a profile whose rules are not cached yet
    at_cap = order(terms=terms(commission_rate=Rate.of("85%"), leader_id="tl-1", leader_fee_rate=Rate.of("5%")))
    with pytest.raises(PolicyError, match=r"must stay below the cap \(90%\)"):
        split(at_cap, fresh)
    assert split(at_cap, inclusive).commission == Money.of("84.91")
    below = order(terms=terms(commission_rate=Rate.of("84.9999%"), leader_id="tl-1", leader_fee_rate=Rate.of("5%")))
    assert split(below, attrs.evolve(DEFAULT, name="fresh-2")).commission == Money.of("84.91")


def test_a_split_keeps_the_subsidy_share_the_order_keeps_and_returns_the_rest() -> None:
    o = order("100.00", subsidy=Money.of("10.00"))
    refunded = o.refund(event_id="r-1", at=T0 + DAY, amount=Money.of("20.00"))
    result = split(refunded, DEFAULT)
    assert result.subsidy == Money.of("8.00")
    assert result.amount(Party.SUBSIDY_RETURN) == Money.of("2.00")
    assert result.merchant_own == result.amount(Party.MERCHANT) - Money.of("8.00")
    assert split(o, DEFAULT).subsidy == Money.of("10.00")


def test_the_rules_read_every_bound_of_a_profile_for_a_plan_kind_and_category() -> None:
    """_Rules.of read directly (a split may find a profile's rules already cached)."""
    douyin = PlatformProfile.douyin()
    cases = [
        (
            RULED,
            PlanKind.NORMAL,
            ("c-special",),
            (200_000, 300_000, 30_000, 1_000_000, 1_000_000, 500_000, "2%", 100_000),
        ),
        (KUAISHOU, None, (), (0, 900_000, -1, 1_000_000, 1_000_000, 899_999, "5%", 0)),
        (
            douyin,
            PlanKind.EXCLUSIVE,
            ("珠宝文玩",),
            (50_000, 500_000, 10_000, 400_000, 900_000, 899_999, "5%", 100_000),
        ),
    ]
    for profile, kind, keys, (low, high, min_leader, max_leader, second, cap, tech, fee) in cases:
        assert _Rules.of(profile, kind, keys) == _Rules(
            profile, low, high, min_leader, max_leader, second, cap, Rate.of(tech), fee, True, Rate.of(tech).ppm
        )

    class Mine(PlatformProfile):
        pass

    assert _Rules.of(Mine(), None, ()).exact is False


def test_the_integer_check_leaves_room_for_both_fees_below_100_percent() -> None:
    """82% + a 5% leader fee + a 15% technical fee is 102%: refused although each bound alone passes."""
    t = terms(
        commission_rate=Rate.of("82%"), leader_id="tl-1", leader_fee_rate=Rate.of("5%"), tech_fee_rate=Rate.of("15%")
    )
    with pytest.raises(PolicyError, match=r"technical fee \(15%\) exceeds 100%"):
        split(order("100.00", terms=t), DEFAULT)
    assert _within_rules(t, _Rules.of(DEFAULT, None, ()), Rate.of("15%")) is False


class _OddTotal(Order):
    """A subclass that overrides what a split reads: its splits are built and checked by the validators."""

    @property
    def total_in(self) -> Money:
        return Money.of("1.00")


def test_a_split_of_an_order_subclass_goes_through_the_validators() -> None:
    fields = attrs.asdict(order("100.00"), recurse=False)
    with pytest.raises(PolicyError, match=r"^OrderSplit\.lines: must add up to total_in \(¥1\.00\)"):
        split(_OddTotal(**fields), DEFAULT)


def test_an_order_subclass_in_a_category_gets_the_categorys_rules() -> None:
    plain = order("100.00", category_id="c-special")
    mine = _OrderSubclass(**attrs.asdict(plain, recurse=False))
    assert split(mine, RULED) == split(plain, RULED)
    assert split(mine, RULED).amount(Party.PLATFORM_TECH_FEE) == Money.of("2.00")  # the category's 2%, not 5%


def test_a_profile_subclass_splits_leaders_fees_as_the_profile_does() -> None:
    """Under a subclass every split takes the full check's path: large orders, with and without leaders."""

    class Mine(PlatformProfile):
        pass

    mine = Mine()
    two = {"leader_id": "tl-1", "leader_fee_rate": Rate.of("5%")}
    cases = [
        order("20000.00"),
        order("20000.00", terms=terms(**two)),
        order("20000.00", terms=terms(**two, second_leader_id="tl-2", second_leader_fee_rate=Rate.of("2%"))),
    ]
    for o in cases:
        assert split(o, mine) == split(o, DEFAULT)
    assert split(cases[2], mine).amount(Party.SECOND_LEADER) == Money.of("400.00")


def test_a_split_in_a_currency_first_met_builds_its_shared_zero() -> None:
    _ZEROS.clear()
    result = split(order("100.00"), DEFAULT)
    assert result.refunded == Money.zero()
    assert result.subsidy == Money.zero()
    assert _ZEROS["CNY"] == Money.zero()
    _ZEROS.clear()  # the lines first: the MCN's zero line builds the zero
    mcn = split(order("0.01", terms=terms(mcn_id="mcn-1", mcn_share=Rate.of("30%"))), DEFAULT)
    assert mcn.amount(Party.MCN) == Money.zero()
    assert _ZEROS["CNY"] == Money.zero()
    assert mcn.line(Party.MCN).amount is _ZEROS["CNY"]  # type: ignore[union-attr]
    assert mcn.line(Party.INFLUENCER).amount is mcn.line(Party.MCN).amount  # type: ignore[union-attr]


@pytest.mark.parametrize("cls", [Order, _OrderSubclass])
def test_a_split_is_in_the_orders_currency_on_either_path(cls: type[Order]) -> None:
    """Every amount and line of a split of a USD order is in USD, whether built trusted or validated."""
    usd = Money.of("100.00", "USD")
    fields = attrs.asdict(order("100.00"), recurse=False) | {
        "paid": usd,
        "shipping": Money.of("6.00", "USD"),
        "subsidy": Money.of("10.00", "USD"),
    }
    refunded = cls(**fields).refund(event_id="r-1", at=T0 + DAY, amount=Money.of("20.00", "USD"))
    result = split(refunded, DEFAULT)
    amounts = [getattr(result, name) for name in AMOUNT_FIELDS]
    assert [m.currency for m in amounts] == ["USD"] * 5
    assert all(m.fen for m in amounts)
    assert {line.amount.currency for line in result.lines} == {"USD"}


@given(o=orders(profile=DEFAULT))
def test_payee_texts_are_the_payees_with_empty_text_for_none(o: Order) -> None:
    """What a ledger table row holds as each party's payee: the payee's id, or "" where the party has none (ids are
    never empty, so "" cannot be mistaken for one)."""
    assert _payee_texts(o) == tuple("" if payee is None else payee for payee in _payees(o))
    own = attrs.evolve(o, influencer_id=None, terms=OrderTerms(Rate.zero(), tech_fee_rate=o.terms.tech_fee_rate))
    assert _payee_texts(own)[0] == ""
    assert _payee_texts(own)[list(Party).index(Party.MERCHANT)] == o.merchant_id
