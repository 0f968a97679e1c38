"""Period-volume step commission: steps on an influencer's volume over the period the program state opens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.ids import InfluencerId
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate
from fenxiao.periods.state import ProgramState
from fenxiao.periods.volume import VolumeSteps, settle_period_volume
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import split
from fenxiao.settlement.steps import CommissionStep, StepMode

from .. import builders

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 1, tzinfo=CST)
WEEK = timedelta(days=7)
PROFILE = PlatformProfile()
STEPS = VolumeSteps("p-1", Rate.of("20%"), (CommissionStep(Money.of("1000.00"), Rate.of("25%")),))


def _order(n: int, paid: str | Money = "600.00", *, day: int = 0, kol: str = "kol-1", **changes: Any) -> Order:
    terms = builders.order_terms(commission_rate=Rate.of("20%"), plan_id="p-1")
    fields: dict[str, Any] = {"id": f"o-{n}", "paid_at": T0 + timedelta(days=day), "terms": terms}
    fields["influencer_id"] = InfluencerId(kol)
    return builders.order(paid, **{**fields, **changes})


def test_two_orders_that_each_miss_the_step_reach_it_together_over_the_period() -> None:
    """¥600 + ¥600 in the week: no order reaches the ¥1,000 step alone, the period's ¥1,200 does, so the whole
    volume earns 25%: a ¥60 top-up on the ¥240 the orders paid, less the platform's 10% fee on commission."""
    orders = [_order(1, day=1), _order(2, day=3)]
    assert sum(split(o, PROFILE).commission.fen for o in orders) == 24_000
    (top_up,) = settle_period_volume(orders, STEPS, state=ProgramState(), as_of=T0 + WEEK, profile=PROFILE)
    assert (top_up.influencer_id, top_up.orders, top_up.volume) == ("kol-1", 2, Money.of("1200.00"))
    assert (top_up.top_up, top_up.platform_fee, top_up.influencer) == (
        Money.of("60.00"),
        Money.of("6.00"),
        Money.of("54.00"),
    )


def test_the_period_is_the_one_the_program_state_opens() -> None:
    """Orders paid before the state's last period, or from the new period's as_of on, do not count."""
    state = ProgramState(as_of=T0 + WEEK)
    orders = [_order(1, day=3), _order(2, day=8), _order(3, day=9), _order(4, day=14)]
    (top_up,) = settle_period_volume(orders, STEPS, state=state, as_of=T0 + 2 * WEEK, profile=PROFILE)
    assert (top_up.orders, top_up.volume, top_up.top_up) == (2, Money.of("1200.00"), Money.of("60.00"))
    with pytest.raises(InvalidValueError, match=r"settle_period_volume\.as_of: is before the state's last period"):
        settle_period_volume(orders, STEPS, state=state, as_of=T0, profile=PROFILE)


def test_refunds_other_plans_and_invalid_orders_leave_the_volume() -> None:
    """The volume is each order's base after refunds; another plan's order and an invalid one count nothing."""
    refunded = _order(1, day=1).refund(event_id="r", at=T0 + timedelta(days=2), amount=Money.of("300.00"))
    other = _order(2, day=1, terms=builders.order_terms(plan_id="p-2"))
    void = _order(3, day=1).invalidate(at=T0 + timedelta(days=2))
    (top_up,) = settle_period_volume(
        [refunded, other, void, _order(4, day=2)], STEPS, state=ProgramState(), as_of=T0 + WEEK, profile=PROFILE
    )
    assert (top_up.orders, top_up.volume, top_up.top_up) == (2, Money.of("900.00"), Money.zero())


def test_a_step_below_the_base_rate_is_refused() -> None:
    """A volume step is a reward: its rate may not be below the rate every order already pays."""
    with pytest.raises(InvalidValueError, match=r"VolumeSteps\.steps\[0\]\.rate: must not be below the plan's base"):
        VolumeSteps("p-1", Rate.of("20%"), (CommissionStep(Money.of("1000.00"), Rate.of("15%")),))


@given(
    amounts=st.lists(st.integers(1, 200_000), min_size=1, max_size=6),
    mode=st.sampled_from(StepMode),
    kols=st.lists(st.sampled_from(("kol-1", "kol-2")), min_size=6, max_size=6),
)
def test_a_top_up_adds_up_and_never_falls_as_the_volume_grows(
    amounts: list[int], mode: StepMode, kols: list[str]
) -> None:
    """Per influencer: fee + influencer = top-up, a top-up is zero below the first threshold, and adding an order
    to the period never lowers it."""
    steps = VolumeSteps(
        "p-1",
        Rate.of("20%"),
        (CommissionStep(Money.of("1000.00"), Rate.of("25%")), CommissionStep(Money.of("2000.00"), Rate.of("30%"))),
        mode=mode,
    )
    orders = [_order(i, Money(fen, "CNY"), day=i % 7, kol=kols[i]) for i, fen in enumerate(amounts)]
    before: dict[str, Money] = {}
    for n in range(1, len(orders) + 1):
        top_ups = settle_period_volume(orders[:n], steps, state=ProgramState(), as_of=T0 + WEEK, profile=PROFILE)
        for t in top_ups:
            assert t.platform_fee + t.influencer + t.mcn == t.top_up
            assert t.top_up.fen >= 0
            if t.volume < Money.of("1000.00"):
                assert t.top_up == Money.zero()
            assert t.top_up >= before.get(t.influencer_id, Money.zero())
            before[t.influencer_id] = t.top_up


# --- the MCN's share of a top-up (issue 19: the MCN is a party with terms, also over a period's volume) ----------


def _signed(n: int, paid: str, mcn_id: str, share: str, *, day: int = 0) -> Order:
    terms = builders.order_terms(commission_rate=Rate.of("20%"), plan_id="p-1", mcn_id=mcn_id, mcn_share=Rate.of(share))
    return _order(n, paid, day=day, terms=terms)


def test_an_mcn_takes_its_contracted_share_of_the_top_up() -> None:
    # ¥1,200 reaches the 25% step: a ¥60 top-up, the platform's 10% fee ¥6; the agency takes 30% of the ¥54 left.
    orders = [_signed(0, "600.00", "mcn-1", "30%"), _signed(1, "600.00", "mcn-1", "30%", day=1)]
    (t,) = settle_period_volume(orders, STEPS, state=ProgramState(), as_of=T0 + WEEK, profile=PROFILE)
    assert (t.top_up, t.platform_fee, t.mcns, t.mcn, t.influencer) == (
        Money.of("60.00"),
        Money.of("6.00"),
        (("mcn-1", Money.of("16.20")),),
        Money.of("16.20"),
        Money.of("37.80"),
    )


def test_a_contract_that_changed_in_the_period_pays_each_agency_on_its_orders() -> None:
    # Half the volume under mcn-1 at 30%, half under mcn-2 at 10%: ¥27 of the ¥54 net each.
    orders = [_signed(0, "600.00", "mcn-1", "30%"), _signed(1, "600.00", "mcn-2", "10%", day=1)]
    (t,) = settle_period_volume(orders, STEPS, state=ProgramState(), as_of=T0 + WEEK, profile=PROFILE)
    assert t.mcns == (("mcn-1", Money.of("8.10")), ("mcn-2", Money.of("2.70")))
    assert t.influencer == Money.of("43.20")


def test_orders_without_an_agency_pay_no_agency() -> None:
    orders = [_signed(0, "600.00", "mcn-1", "50%"), _order(1, "600.00", day=1)]
    (t,) = settle_period_volume(orders, STEPS, state=ProgramState(), as_of=T0 + WEEK, profile=PROFILE)
    assert t.mcns == (("mcn-1", Money.of("13.50")),)
    assert t.influencer == Money.of("40.50")


@given(
    amounts=st.lists(st.integers(1, 200_000), min_size=1, max_size=6),
    shares=st.lists(st.sampled_from((None, "0%", "12.5%", "30%", "100%")), min_size=6, max_size=6),
    profile=st.sampled_from((PlatformProfile(), PlatformProfile.kuaishou(), PlatformProfile.douyin())),
)
def test_a_top_up_with_agencies_conserves_every_fen(
    amounts: list[int], shares: list[str | None], profile: PlatformProfile
) -> None:
    """fee + agencies + influencer = top-up; no agency takes more than its share of the net; none is negative."""
    orders = [
        _signed(i, Money(fen, "CNY").to_text(), f"mcn-{i % 2}", share, day=i % 7)
        if share is not None
        else _order(i, Money(fen, "CNY"), day=i % 7)
        for i, (fen, share) in enumerate(zip(amounts, shares, strict=False))
    ]
    for t in settle_period_volume(orders, STEPS, state=ProgramState(), as_of=T0 + WEEK, profile=profile):
        assert t.platform_fee + t.mcn + t.influencer == t.top_up
        assert all(part.fen > 0 for _, part in t.mcns)
        assert t.mcn <= t.top_up - t.platform_fee
        assert t.influencer.fen >= 0
