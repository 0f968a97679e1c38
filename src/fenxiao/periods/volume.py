"""Period-volume step commission (阶梯佣金 over a period): steps on what an influencer sold in a period, not per order.

Per-order steps (:class:`~fenxiao.settlement.steps.CommissionStep` on an order's terms) raise the rate when one
order's base crosses a threshold. A merchant may instead reward volume: "sell ¥10,000 of this plan within the
period and earn 25% instead of 20%". A :class:`VolumeSteps` holds such steps for one plan; each order still pays
the plan's base rate when it is split, and at the period's close :func:`settle_period_volume` adds, per
influencer, the step commission the period's whole volume earns above the base rate: a top-up the merchant pays
on top, from which the platform takes its fee on commission as on any commission.

The period is the one the program's state opens: from :attr:`ProgramState.as_of
<fenxiao.periods.state.ProgramState.as_of>` (the last period run; from the beginning when none ran) up to the new
period's *as_of* (exclusive), the same window :func:`~fenxiao.periods.run.run_period` grades. An order counts in
the period it was paid in, at its base after every refund up to *as_of*; invalid orders count nothing.

The arithmetic is the split's: the step commission on the period's base, less the base rate's commission on the
same volume, each rounded once with the profile's rounding, so a period whose volume reaches no step adds exactly
nothing.

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.money import Money, Rate
>>> from fenxiao.settlement.orders import Order, OrderTerms
>>> from fenxiao.settlement.profiles import PlatformProfile
>>> from fenxiao.settlement.steps import CommissionStep
>>> t0 = datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=8)))
>>> terms = OrderTerms(Rate.of("20%"), plan_id="p-1")
>>> orders = [Order(id=f"o-{i}", merchant_id="m-1", sku_id="s-1", influencer_id="kol-1",
...                 paid=Money.of("600.00"), paid_at=t0 + timedelta(days=i), terms=terms) for i in range(2)]
>>> steps = VolumeSteps("p-1", Rate.of("20%"), (CommissionStep(Money.of("1000.00"), Rate.of("25%")),))
>>> (top_up,) = settle_period_volume(orders, steps, state=ProgramState(), as_of=t0 + timedelta(days=7),
...                                  profile=PlatformProfile.kuaishou())
>>> str(top_up.volume), str(top_up.top_up), str(top_up.influencer)
('¥1200.00', '¥60.00', '¥60.00')

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate
from fenxiao.periods.state import ProgramState
from fenxiao.settlement import arithmetic
from fenxiao.settlement.orders import Order, OrderStatus
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import split
from fenxiao.settlement.steps import CommissionStep, StepMode, check_steps, schedule

__all__ = ["VolumeSteps", "VolumeTopUp", "settle_period_volume"]


def _steps_above_rate(instance: VolumeSteps, attribute: attrs.Attribute[Any], value: object) -> None:
    check_steps(instance, attribute, value)
    checked: tuple[CommissionStep, ...] = value  # type: ignore[assignment]
    for i, step in enumerate(checked):
        if step.rate < instance.rate:
            raise InvalidValueError(
                f"VolumeSteps.steps[{i}].rate", step.rate, f"must not be below the plan's base rate ({instance.rate})"
            )


@attrs.frozen
class VolumeSteps:
    """Steps on a period's volume for one plan: from each threshold of an influencer's period base, a higher rate.

    Args:
        plan_id: The plan whose orders count (:attr:`OrderTerms.plan_id <fenxiao.settlement.OrderTerms.plan_id>`).
        rate: The plan's base rate, which each order already pays.
        steps: Thresholds on the influencer's base over the period (inclusive), each with its rate (not below
            *rate*), thresholds increasing.
        mode: ``SLAB`` pays the highest step reached on the whole volume; ``MARGINAL`` each slice at its rate.

    .. versionadded:: 0.2
    """

    plan_id: str = attrs.field(validator=v.identifier)
    rate: Rate = attrs.field(validator=v.rate)
    steps: tuple[CommissionStep, ...] = attrs.field(converter=v.to_tuple, validator=_steps_above_rate)
    mode: StepMode = attrs.field(default=StepMode.SLAB, validator=v.member_of(StepMode))


@attrs.frozen
class VolumeTopUp:
    """One influencer's period-volume top-up: the volume, the orders, and the step commission it adds.

    ``top_up = influencer + mcn + platform_fee``: the merchant pays *top_up*, the platform keeps its fee on
    commission (nothing when the profile waives it), the influencer's MCN agencies take their contracted share of
    the rest (:attr:`mcns`), and the influencer keeps what remains.

    Args:
        mcns: Each agency's part of the top-up, by agency id. The net top-up (after the fee) is spread over the
            period's orders in proportion to their base (largest remainder, to the fen); each order's part pays its
            own terms' MCN share (``mcn_id``/``mcn_share``, the contract in force at the sale), rounded as the
            split rounds an MCN line. Empty when no counted order names an agency.

    .. versionchanged:: 0.3
       ``mcns``: an MCN takes its share of the top-up, as it does of each order's commission; ``influencer`` is
       what remains after it.
    """

    plan_id: str
    influencer_id: str
    orders: int
    volume: Money
    top_up: Money
    platform_fee: Money
    influencer: Money
    mcns: tuple[tuple[str, Money], ...] = ()

    @property
    def mcn(self) -> Money:
        """What the influencer's agencies take of the top-up, together."""
        return Money(sum(part.fen for _, part in self.mcns), self.top_up.currency)


@checks_arguments
def settle_period_volume(
    orders: Iterable[Order],
    steps: VolumeSteps,
    *,
    state: ProgramState,
    as_of: datetime,
    profile: PlatformProfile,
) -> tuple[VolumeTopUp, ...]:
    """The step commission each influencer's period volume earns above the base rate, for the period *state* opens.

    The period runs from ``state.as_of`` (inclusive; the beginning when no period ran) to *as_of* (exclusive).
    Orders of other plans, paid outside the period or invalid at *as_of* do not count. One :class:`VolumeTopUp`
    per influencer with a counted order, by influencer id; a volume below every threshold tops up nothing.

    Raises:
        InvalidValueError: *as_of* is naive or before the state's last period, or an order is in another currency
            than the steps' thresholds.
    """
    when = v.require_aware(as_of, "settle_period_volume.as_of")
    if not isinstance(state, ProgramState):
        raise InvalidValueError("settle_period_volume.state", state, "must be a ProgramState")
    if not isinstance(steps, VolumeSteps):
        raise InvalidValueError("settle_period_volume.steps", steps, "must be a VolumeSteps")
    start = state.as_of
    if start is not None and when < start:
        raise InvalidValueError("settle_period_volume.as_of", when, f"is before the state's last period at {start}")
    currency = steps.steps[0].threshold.currency if steps.steps else None
    volume: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    # Per influencer, the base of its counted orders under each agency's terms: (mcn_id, share ppm) -> fen.
    agencies: dict[str, dict[tuple[str | None, int], int]] = defaultdict(lambda: defaultdict(int))
    for i, order in enumerate(orders):
        if not isinstance(order, Order):
            raise InvalidValueError(f"settle_period_volume.orders[{i}]", order, "must be an Order")
        if order.terms.plan_id != steps.plan_id or order.influencer_id is None:
            continue
        if order.paid_at >= when or (start is not None and order.paid_at < start):
            continue
        if currency is not None and order.paid.currency != currency:
            raise InvalidValueError(f"settle_period_volume.orders[{i}].paid", order.paid, f"must be in {currency}")
        currency = order.paid.currency
        result = split(order, profile, as_of=when)
        if result.status is OrderStatus.INVALID:
            continue
        volume[order.influencer_id] += result.base.fen
        count[order.influencer_id] += 1
        terms = order.terms
        agency = (terms.mcn_id, terms.mcn_share.ppm) if terms.mcn_id is not None and terms.mcn_share else (None, 0)
        agencies[order.influencer_id][agency] += result.base.fen
    ladder = schedule(steps.steps)
    marginal = steps.mode is StepMode.MARGINAL
    fee_ppm = profile.effective_commission_fee_rate.ppm
    top_ups = []
    for influencer_id in sorted(volume):
        base = volume[influencer_id]
        stepped = arithmetic.commission(base, steps.rate.ppm, ladder, marginal=marginal, rounding=profile.rounding)
        flat = arithmetic.commission(base, steps.rate.ppm, (), marginal=marginal, rounding=profile.rounding)
        extra = stepped - flat
        fee = arithmetic.share(extra, fee_ppm, profile.rounding)
        money = currency or "CNY"
        parts = _agency_parts(extra - fee, agencies[influencer_id], profile)
        top_ups.append(
            VolumeTopUp(
                plan_id=steps.plan_id,
                influencer_id=influencer_id,
                orders=count[influencer_id],
                volume=Money(base, money),
                top_up=Money(extra, money),
                platform_fee=Money(fee, money),
                influencer=Money(extra - fee - sum(parts.values()), money),
                mcns=tuple((mcn_id, Money(fen, money)) for mcn_id, fen in sorted(parts.items()) if fen),
            )
        )
    return tuple(top_ups)


def _agency_parts(net: int, groups: dict[tuple[str | None, int], int], profile: PlatformProfile) -> dict[str, int]:
    """Each agency's fen of the net top-up *net*, spread over *groups* (terms -> base) in proportion to base."""
    if net <= 0 or not any(mcn_id is not None for mcn_id, _ in groups):
        return {}
    keys = sorted(groups, key=lambda k: (k[0] is None, k[0] or "", k[1]))
    weights = [groups[k] for k in keys]
    if not any(weights):
        return {}
    spread = Money(net).allocate(weights)
    parts: dict[str, int] = defaultdict(int)
    for (mcn_id, ppm), part in zip(keys, spread, strict=True):
        if mcn_id is not None:
            parts[mcn_id] += arithmetic.share(part.fen, ppm, profile.rounding)
    return dict(parts)
