"""Hypothesis strategies for the money path: plans, activities, profiles, orders with their events, ledgers.

Every strategy produces only valid values, as general as the domain allows: ¥0.01 orders, 0% and
at-the-cap rates, every rounding mode a profile accepts, tiered commission in both modes, MCN and
second-level leader shares, refunds by amount and by units before and after settlement. Orders come
with rates that fit the profile they are drawn for, so :func:`fenxiao.settlement.splits.split` accepts them.

Unlike most arguments, ``profile=`` takes a value, not a strategy: the test needs the very profile the
order was drawn for to split it. Draw one with :func:`platform_profiles` and pass it on, e.g. with
``st.data()``.

Requires the ``hypothesis`` package (``pip install 'fenxiao[testing]'``).

>>> from hypothesis import given, settings
>>> from fenxiao.settlement.profiles import PlatformProfile
>>> from fenxiao.settlement.splits import split
>>> @settings(max_examples=20, deadline=None)
... @given(order=order_histories(profile=PlatformProfile()))
... def test_lines_add_up(order):
...     assert sum(line.amount for line in split(order, PlatformProfile()).lines) == order.total_in
>>> test_lines_add_up()

.. versionadded:: 0.1
"""

# Strategies are immutable values, so building defaults once at import is safe.
# ruff: noqa: B008

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Final

try:
    from hypothesis import strategies as st
except ImportError as exc:  # the optional dependency is missing
    from fenxiao.errors import MissingExtraError

    raise MissingExtraError("hypothesis", "testing", __name__) from exc

from fenxiao.domain.ids import CategoryId, InfluencerId, MerchantId, SkuId, TeamLeaderId
from fenxiao.errors import PolicyError
from fenxiao.money import Money, Rate, Rounding
from fenxiao.settlement.activities import ActivityKind, CategoryMinimum, SecondLevelTerms, TeamLeaderActivity
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.ledger import Ledger
from fenxiao.settlement.orders import Order, OrderEvent, OrderEventKind, OrderStatus, OrderTerms
from fenxiao.settlement.plans import CommissionPlan
from fenxiao.settlement.profiles import CategoryRule, PlatformProfile, ServiceLevel, SettlementDays
from fenxiao.settlement.scenarios import Scenario
from fenxiao.settlement.steps import CommissionStep, StepMode

__all__ = [
    "activities",
    "amounts",
    "commission_plans",
    "commission_steps",
    "ledgers",
    "order_histories",
    "order_terms",
    "orders",
    "plan_rates",
    "platform_profiles",
    "scenarios",
]

_CST: Final = timezone(timedelta(hours=8))
_ZONES: Final = (UTC, _CST, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=45)))
_START: Final = datetime(2026, 1, 1)
_END: Final = datetime(2027, 12, 31)
_PPM: Final = 10**6
_NICE_PPM: Final = (0, 10_000, 50_000, 100_000, 200_000, 250_000, 300_000, 500_000, 900_000)


def _moments() -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=_START, max_value=_END, timezones=st.sampled_from(_ZONES))


def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.integers(0, 999).map(lambda n: f"{prefix}-{n}")


def _category_for(draw: st.DrawFn, profile: PlatformProfile, terms: OrderTerms) -> CategoryId | None:
    """A category for an order with *terms*: one with its own rules when the terms fit them."""
    category = draw(st.sampled_from((None, "c-plain", "c-special")))
    if category is None:
        return None
    try:
        for rate in terms.commission_rates():
            profile.check_commission(rate, category=category, leader_fee=terms.leader_fee_rate)
    except PolicyError:
        return None
    return CategoryId(category)


def amounts(*, min_fen: int = 0, max_fen: int = 10**9) -> st.SearchStrategy[Money]:
    """CNY amounts from *min_fen* to *max_fen* fen, with the bounds, ¥0.01 and round sums tried first."""
    marks = sorted({min_fen, max_fen, *(m for m in (1, 99, 100, 9990, 10_000) if min_fen <= m <= max_fen)})
    return st.one_of(st.sampled_from(marks), st.integers(min_fen, max_fen)).map(Money)


def plan_rates(*, max_ppm: int = 900_000) -> st.SearchStrategy[Rate]:
    """Commission and fee rates from 0% to *max_ppm* parts per million, with common rates tried first."""
    nice = [p for p in _NICE_PPM if p <= max_ppm] + [max_ppm]
    return st.one_of(st.sampled_from(nice), st.integers(0, max_ppm)).map(Rate.from_ppm)


def commission_steps(*, max_ppm: int = 900_000, max_steps: int = 3) -> st.SearchStrategy[tuple[CommissionStep, ...]]:
    """Tiered commission steps: increasing thresholds above zero, rates up to *max_ppm*."""
    thresholds = st.lists(st.integers(1, 10**6), min_size=0, max_size=max_steps, unique=True).map(sorted)
    return thresholds.flatmap(
        lambda ts: st.tuples(*(plan_rates(max_ppm=max_ppm) for _ in ts)).map(
            lambda rs: tuple(CommissionStep(Money(t), r) for t, r in zip(ts, rs, strict=True))
        )
    )


@st.composite
def platform_profiles(draw: st.DrawFn) -> PlatformProfile:
    """Valid platform profiles: caps, fees, rounding modes, reserve and settlement settings all varied."""
    cap = draw(st.sampled_from((900_000, 800_000, 500_000)) | st.integers(100_000, 990_000))
    commission_max = draw(st.sampled_from((cap, 900_000)) | st.integers(0, 990_000))
    ceiling = max(cap, commission_max)
    tech = draw(st.integers(0, min(100_000, _PPM - ceiling)))
    category_tech = draw(st.integers(0, _PPM - ceiling))
    return PlatformProfile(
        name=draw(st.sampled_from(("default", "kuaishou", "douyin", "test"))),
        commission_max=Rate.from_ppm(commission_max),
        combined_cap=Rate.from_ppm(cap),
        combined_cap_inclusive=draw(st.booleans()),
        commission_fee_rate=draw(plan_rates(max_ppm=_PPM)),
        commission_fee_waived=draw(st.booleans()),
        tech_fee_rate=Rate.from_ppm(tech),
        category_rules=(
            CategoryRule(match="c-special", min_commission=Rate.of("5%"), tech_fee_rate=Rate.from_ppm(category_tech)),
        ),
        settlement_days=SettlementDays(*draw(st.tuples(*(st.integers(0, 30),) * 3))),
        reserve_rate=draw(plan_rates(max_ppm=200_000)),
        reserve_days=draw(st.integers(0, 30)),
        rounding=draw(st.sampled_from((Rounding.DOWN, Rounding.FLOOR, Rounding.HALF_UP, Rounding.HALF_EVEN))),
        shipping_in_base=draw(st.booleans()),
        utc_offset_minutes=draw(st.sampled_from((480, 0, -300))),
        leader_fee_max=Rate.from_ppm(draw(st.sampled_from((_PPM, 400_000)) | st.integers(0, _PPM))),
        second_level_max_share=Rate.from_ppm(draw(st.sampled_from((_PPM, 900_000)) | st.integers(0, _PPM))),
    )


def _room(profile: PlatformProfile, leader_ppm: int | None) -> int:
    """The highest commission (ppm) the profile allows beside a leader fee of *leader_ppm*."""
    high = profile.commission_max.ppm
    if leader_ppm is not None:
        cap = profile.combined_cap.ppm - leader_ppm
        high = min(high, cap if profile.combined_cap_inclusive else cap - 1)
    return high


@st.composite
def order_terms(
    draw: st.DrawFn,
    *,
    profile: PlatformProfile = PlatformProfile(),
    steps: bool = True,
    leaders: bool = True,
    mcn: bool = True,
) -> OrderTerms:
    """Order terms that fit *profile*: commission (and steps), optional leaders, MCN share and tech fee."""
    leader_ppm: int | None = None
    if leaders and draw(st.booleans()):
        cap = profile.combined_cap.ppm
        highest = min(cap if profile.combined_cap_inclusive else cap - 1, profile.leader_fee_max.ppm)
        leader_ppm = draw(st.integers(0, highest))
    room = _room(profile, leader_ppm)
    rate = draw(plan_rates(max_ppm=room))
    drawn_steps = draw(commission_steps(max_ppm=room)) if steps and draw(st.booleans()) else ()
    leader_id: TeamLeaderId | None = None
    second_id: TeamLeaderId | None = None
    second_fee: Rate | None = None
    if leader_ppm is not None:
        leader_id = TeamLeaderId(draw(_ids("tl")))
        if draw(st.booleans()):
            second_id = TeamLeaderId(f"{leader_id}-2")
            share = profile.second_level_max_share.ppm
            second_fee = Rate.from_ppm(draw(st.integers(0, leader_ppm * share // _PPM)))
    mcn_id, mcn_share = (
        (draw(_ids("mcn")), draw(plan_rates(max_ppm=_PPM))) if mcn and draw(st.booleans()) else (None, None)
    )
    used = max([rate.ppm, *(s.rate.ppm for s in drawn_steps)]) + (leader_ppm or 0)
    tech = draw(st.none() | st.integers(0, _PPM - used).map(Rate.from_ppm))
    return OrderTerms(
        commission_rate=rate,
        steps=drawn_steps,
        step_mode=draw(st.sampled_from(StepMode)),
        leader_id=leader_id,
        leader_fee_rate=Rate.from_ppm(leader_ppm) if leader_ppm is not None else None,
        second_leader_id=second_id,
        second_leader_fee_rate=second_fee,
        mcn_id=mcn_id,
        mcn_share=mcn_share,
        tech_fee_rate=tech,
    )


@st.composite
def orders(
    draw: st.DrawFn,
    *,
    profile: PlatformProfile = PlatformProfile(),
    terms: st.SearchStrategy[OrderTerms] | None = None,
    paid: st.SearchStrategy[Money] = amounts(min_fen=1, max_fen=10**8),
) -> Order:
    """Freshly paid orders (no events) whose terms fit *profile*: ¥0.01 up, with shipping and subsidy."""
    paid_amount = draw(paid)
    drawn_terms = draw(terms if terms is not None else order_terms(profile=profile))
    return Order(
        id=draw(_ids("o")),
        merchant_id=MerchantId(draw(_ids("m"))),
        sku_id=SkuId(draw(_ids("sku"))),
        influencer_id=InfluencerId(draw(_ids("kol"))),
        paid=paid_amount,
        paid_at=draw(_moments()),
        terms=drawn_terms,
        units=draw(st.integers(1, 5)),
        shipping=draw(amounts(max_fen=2_000)),
        subsidy=draw(amounts(max_fen=paid_amount.fen)),
        category_id=_category_for(draw, profile, drawn_terms),
        service_level=draw(st.sampled_from(ServiceLevel)),
    )


@st.composite
def order_histories(
    draw: st.DrawFn,
    *,
    profile: PlatformProfile = PlatformProfile(),
    order: st.SearchStrategy[Order] | None = None,
    max_events: int = 6,
) -> Order:
    """Orders with a legal history: receipt, settlement (on time for *profile*), invalidation and refunds
    by amount or units, before or after settlement, up to a full refund."""
    current = draw(order if order is not None else orders(profile=profile))
    at = current.paid_at
    for n in range(draw(st.integers(0, max_events))):
        status = current.status
        if status is OrderStatus.INVALID:
            break
        options = ["refund"]
        if status is OrderStatus.PAID:
            options += ["receive", "invalidate"]
        elif status is OrderStatus.RECEIVED:
            options += ["settle", "settle", "invalidate"]
        action = draw(st.sampled_from(options))
        at += timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        if action == "receive":
            current = current.receive(at=at, event_id=f"e{n}")
        elif action == "invalidate":
            current = current.invalidate(at=at, event_id=f"e{n}")
        elif action == "settle":
            due = current.settlement_due(profile)
            at = max(at, due) if due is not None else at
            current = current.settle(profile, at=at, event_id=f"e{n}")
        else:
            left = current.paid.fen + current.shipping.fen - current.refunded.fen
            units_left = current.units - current.refunded_units
            by_units = units_left > 0 and draw(st.booleans())
            if by_units:
                event = OrderEvent(f"e{n}", OrderEventKind.REFUNDED, at, units=draw(st.integers(1, units_left)))
            elif left > 0:
                fen = draw(st.sampled_from((left, 1)) | st.integers(1, left))
                event = OrderEvent(f"e{n}", OrderEventKind.REFUNDED, at, amount=Money(fen))
            else:
                continue
            try:
                current = current.apply(event)
            except ValueError:  # units worth more than what is left to refund: skip this draw
                continue
    return current


@st.composite
def commission_plans(
    draw: st.DrawFn, *, kinds: st.SearchStrategy[PlanKind] = st.sampled_from(PlanKind), max_ppm: int = 900_000
) -> CommissionPlan:
    """Valid plans of every kind, with coverage fitting the kind, optional steps and an end date."""
    kind = draw(kinds)
    start = draw(_moments())
    influencers = tuple(draw(st.lists(_ids("kol"), min_size=1, max_size=3, unique=True)))
    skus = tuple(draw(st.lists(_ids("sku"), min_size=1, max_size=3, unique=True)))
    open_kind = kind in (PlanKind.NORMAL, PlanKind.ACTIVITY)
    return CommissionPlan.open(
        id=draw(_ids("plan")),
        kind=kind,
        merchant_id=draw(_ids("m")),
        rate=draw(plan_rates(max_ppm=max_ppm)),
        at=start,
        valid_until=draw(st.none() | st.integers(1, 400).map(lambda d: start + timedelta(days=d))),
        sku_ids=skus
        if kind is PlanKind.ITEM_TARGETED
        else ()
        if kind is PlanKind.SHOP_TARGETED
        else draw(st.sampled_from(((), skus))),
        influencer_ids=() if open_kind else influencers,
        activity_id=draw(_ids("act")) if kind is PlanKind.ACTIVITY else None,
        steps=draw(commission_steps(max_ppm=max_ppm)),
        step_mode=draw(st.sampled_from(StepMode)),
    )


@st.composite
def activities(draw: st.DrawFn) -> TeamLeaderActivity:
    """Valid team-leader activities, with category minimums and second-level leaders inside the rules."""
    fee = draw(plan_rates(max_ppm=100_000))
    floor = Rate.from_ppm(draw(st.integers(0, fee.ppm)))
    leader = draw(_ids("tl"))
    seconds = draw(st.lists(_ids("tl2"), max_size=3, unique=True))
    start = draw(_moments())
    return TeamLeaderActivity(
        id=draw(_ids("act")),
        leader_id=TeamLeaderId(leader),
        service_fee_rate=fee,
        valid_from=start,
        valid_until=draw(st.none() | st.integers(1, 90).map(lambda d: start + timedelta(days=d))),
        kind=draw(st.sampled_from(ActivityKind)),
        min_commission=draw(plan_rates(max_ppm=500_000)),
        category_minimums=tuple(
            CategoryMinimum(match, draw(plan_rates(max_ppm=500_000)))
            for match in draw(st.lists(st.sampled_from(("c-gold", "珠宝文玩", "c-dress")), unique=True))
        ),
        second_level_min_fee=floor,
        second_levels=tuple(
            SecondLevelTerms(TeamLeaderId(s), Rate.from_ppm(draw(st.integers(floor.ppm, fee.ppm)))) for s in seconds
        ),
    )


@st.composite
def ledgers(draw: st.DrawFn, *, profile: PlatformProfile = PlatformProfile(), max_orders: int = 4) -> Ledger:
    """Ledgers holding the entries of a few orders with their histories (unique order ids)."""
    drawn = draw(st.lists(order_histories(profile=profile), max_size=max_orders, unique_by=lambda o: o.id))
    return Ledger().record_all(drawn, profile)


def scenarios() -> st.SearchStrategy[Scenario]:
    """Valid scenarios: price, cost, commission within the default profile's bounds, units, refund rate."""
    return st.builds(
        Scenario,
        price=amounts(min_fen=1, max_fen=10**7),
        unit_cost=amounts(max_fen=10**7),
        commission_rate=plan_rates(max_ppm=850_000),
        leader_fee_rate=st.none() | plan_rates(max_ppm=40_000),
        mcn_share=st.none() | plan_rates(max_ppm=_PPM),
        units=st.integers(0, 10_000),
        refund_rate=plan_rates(max_ppm=_PPM),
        subsidy=amounts(max_fen=1_000),
        shipping=amounts(max_fen=2_000),
    )
