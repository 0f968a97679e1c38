"""Tiered (阶梯) commission: steps above a plan's rate, applied slab-wise or marginally.

The arithmetic itself is :func:`fenxiao.settlement.arithmetic.commission`, which the split of one order and
the columnar split share; :func:`commission_on` is its face for :class:`~fenxiao.money.Money`.

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate, Rounding
from fenxiao.settlement import arithmetic

__all__ = ["CommissionStep", "StepMode", "check_steps", "commission_on", "schedule"]


class StepMode(enum.Enum):
    """How a tiered (阶梯) commission applies its steps to an order's base.

    ``SLAB``: the whole base earns the rate of the highest step reached (全额累进). ``MARGINAL``: each slice of
    the base earns its own step's rate, like income-tax brackets (超额累进). A step's threshold is inclusive:
    a base exactly at the threshold is in that step. At a threshold the two modes differ: slab pays the new
    rate on everything, marginal pays it on nothing yet.
    """

    SLAB = "slab"
    MARGINAL = "marginal"


@attrs.frozen
class CommissionStep:
    """One step of a tiered commission: from *threshold* (inclusive) up, the rate is *rate*.

    Args:
        threshold: The base amount at which this step starts; above zero (the plan's own rate covers ¥0 up).
        rate: The commission rate from the threshold up.

    >>> CommissionStep(threshold=Money.of("100.00"), rate=Rate.of("25%")).threshold
    Money(fen=10000, currency='CNY')
    """

    threshold: Money = attrs.field(validator=v.money)
    rate: Rate = attrs.field(validator=v.rate)

    def __attrs_post_init__(self) -> None:
        if self.threshold.fen <= 0:
            raise InvalidValueError("CommissionStep.threshold", self.threshold, "must be above zero")


def check_steps(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a tuple of :class:`CommissionStep` with increasing thresholds in one currency."""
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidValueError(path, value, "must be a tuple of CommissionStep")
    previous: Money | None = None
    for i, step in enumerate(value):
        if not isinstance(step, CommissionStep):
            raise InvalidValueError(f"{path}[{i}]", step, "must be a CommissionStep")
        if previous is not None:
            if step.threshold.currency != previous.currency:
                raise InvalidValueError(f"{path}[{i}].threshold", step.threshold, f"must be in {previous.currency}")
            if step.threshold <= previous:
                raise InvalidValueError(
                    f"{path}[{i}].threshold", step.threshold, f"must be above the previous threshold ({previous})"
                )
        previous = step.threshold


def schedule(steps: Sequence[CommissionStep]) -> tuple[tuple[int, int], ...]:
    """*steps* as the arithmetic reads them: ``(threshold in fen, rate in ppm)``, in order."""
    return tuple((s.threshold.fen, s.rate.ppm) for s in steps)


@checks_arguments
def commission_on(
    base: Money,
    rate: Rate,
    *,
    steps: Sequence[CommissionStep] = (),
    mode: StepMode = StepMode.SLAB,
    rounding: Rounding = Rounding.DOWN,
) -> Money:
    """The commission on *base*: exact, then rounded once to the fen with *rounding*.

    *rate* applies from ¥0; each of *steps* applies from its threshold up, as *mode* says.

    >>> steps = (CommissionStep(Money.of("100.00"), Rate.of("30%")),)
    >>> str(commission_on(Money.of("100.00"), Rate.of("20%"), steps=steps, mode=StepMode.SLAB))
    '¥30.00'
    >>> str(commission_on(Money.of("100.00"), Rate.of("20%"), steps=steps, mode=StepMode.MARGINAL))
    '¥20.00'
    >>> str(commission_on(Money.of("150.00"), Rate.of("20%"), steps=steps, mode=StepMode.MARGINAL))
    '¥35.00'
    """
    fen = arithmetic.commission(
        base.fen, rate.ppm, schedule(steps), marginal=mode is StepMode.MARGINAL, rounding=rounding
    )
    return Money(fen, base.currency)
