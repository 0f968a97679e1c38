"""The simulator's behavioural parameters as data: :class:`SimulationConfig`, read from a TOML file.

How many people see a SKU, how many of them buy, how influencers choose, how often goods come back, how fast new
goods arrive and how much subsidy money a budget gets every week: none of these is published, so each is a
parameter with a documented default and the reasoning behind it in ``fenxiao/data/defaults/simulation.toml``
(:func:`default_simulation_config` reads it). A copy of that file, edited, is read with
``fenxiao.serialization.load(path, SimulationConfig)``; every field is checked on the way in, and amounts and
shares are exact strings (``"0.02"``, ``"20000.00"``), never floats.

>>> config = default_simulation_config()
>>> config.weeks, str(config.traffic.conversion), config.placement.picks
(12, '2%', 3)
>>> config.budgets[0].name
'official-subsidy'

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.defaults import read_default
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate
from fenxiao.settlement.profiles import DEFAULT_PRESET, PRESETS
from fenxiao.simulate.draws import MAX_VIEWS

__all__ = [
    "MAX_WEEKS",
    "AdmissionConfig",
    "BudgetPlan",
    "PlacementConfig",
    "ServiceConfig",
    "SimulationConfig",
    "TrafficConfig",
    "default_simulation_config",
    "ppm_of",
]

#: The longest season (ten years of weeks).
MAX_WEEKS: Final = 520
_PPM: Final = 1_000_000


def ppm_of(value: Decimal | Rate) -> int:
    """*value* (a rate, or a multiplier given to at most six places) in parts per million, exactly.

    >>> ppm_of(Rate.of("2%")), ppm_of(Decimal("1.4"))
    (20000, 1400000)
    """
    if isinstance(value, Rate):
        return value.ppm
    return int(value.scaleb(6))


def _multiplier(low: Decimal, high: Decimal) -> v.Validator:
    """An exact Decimal in [low, high] with at most six places (so that it is a whole number of ppm)."""
    between = v.decimal_between(low, high)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        between(instance, attribute, value)
        if isinstance(value, Decimal) and value.scaleb(6) != value.scaleb(6).to_integral_value():
            raise InvalidValueError(v.path_of(instance, attribute), value, "must have at most six decimal places")

    return check


@attrs.frozen
class TrafficConfig:
    """Who sees a SKU and who buys: the views, the conversion, price power and the week's demand shock.

    Args:
        conversion: The share of views that buy one unit, before price power and the weekly shock.
        cold_start_views: The views a week of a SKU that has not sold yet, on average (each such SKU draws its own,
            uniformly between none and twice this).
        badge_lift: How much more a SKU with a badge (专属标识) is seen: ``0.15`` = 15% more views.
        price_floor, price_ceiling: Price power: the conversion multiplier at a price score (价格力) of 0 and of
            100, linear in between.
        noise: The week's demand shock per SKU: a triangular draw between ``-noise`` and ``+noise`` of the demand.
        views_cap: The most views one sales channel of a SKU gets in a week (at most
            :data:`~fenxiao.simulate.draws.MAX_VIEWS`, which keeps every product inside 64-bit integers).
    """

    conversion: Rate = attrs.field(default=Rate.of("0.02"), validator=v.rate)
    cold_start_views: int = attrs.field(default=500, validator=v.int_between(0, 10**9))
    badge_lift: Rate = attrs.field(default=Rate.of("0.15"), validator=v.rate)
    price_floor: Decimal = attrs.field(default=Decimal("0.6"), validator=_multiplier(Decimal(0), Decimal(10)))
    price_ceiling: Decimal = attrs.field(default=Decimal("1.4"), validator=_multiplier(Decimal(0), Decimal(10)))
    noise: Rate = attrs.field(default=Rate.of("0.3"), validator=v.rate)
    views_cap: int = attrs.field(default=MAX_VIEWS, validator=v.int_between(1, MAX_VIEWS))

    def __attrs_post_init__(self) -> None:
        if self.price_ceiling < self.price_floor:
            raise InvalidValueError("TrafficConfig.price_ceiling", self.price_ceiling, "is below price_floor")


@attrs.frozen
class PlacementConfig:
    """达人优选: how the catalog's influencers choose goods from the influencer-preferred list, week by week.

    Args:
        picks: How many listings each influencer promotes a week.
        exponent: The choice model: a listing of the list is picked with probability proportional to its ranking
            points (:class:`~fenxiao.market.pool.SelectionPool`) to this power.
        reach: The share of an influencer's fans who see one of its promotions.
    """

    picks: int = attrs.field(default=3, validator=v.int_between(0, 100))
    exponent: int = attrs.field(default=2, validator=v.int_between(0, 4))
    reach: Rate = attrs.field(default=Rate.of("0.0005"), validator=v.rate)


@attrs.frozen
class ServiceConfig:
    """What happens after a sale: receipt, refunds (from the SKU's refund rate) and their timing, complaints.

    Args:
        receipt_days: Days from payment to the buyer confirming receipt.
        refund_days: Days from receipt to a refund made before settlement.
        after_settlement: The share of refunded units that come back after settlement (a clawback).
        clawback_days: Days from settlement to such a refund.
    """

    receipt_days: int = attrs.field(default=3, validator=v.int_between(0, 60))
    refund_days: int = attrs.field(default=1, validator=v.int_between(0, 60))
    after_settlement: Rate = attrs.field(default=Rate.of("0.2"), validator=v.rate)
    clawback_days: int = attrs.field(default=2, validator=v.int_between(0, 60))


@attrs.frozen
class AdmissionConfig:
    """New goods: applications every week, by merchants on their own and recruited by team leaders (招商).

    Args:
        applications: Applications a week that merchants make on their own (the mean of the week's count).
        new_merchant: The share of applications from a merchant new to the pool (else an existing one).
        recruits: Applications a first-level team leader brings in a week.
        recruits_per_million: More a week per ¥1,000,000 of GMV through the leader in the last four weeks.
        review_approve: The share of applications sent to manual review that a person approves.
        leader_fee: The service fee of a recruited listing when its leader carries no listing to copy one from.
        price_low, price_high: A new SKU's price as a multiple of the price of the SKU it resembles.
    """

    applications: Decimal = attrs.field(default=Decimal("1"), validator=_multiplier(Decimal(0), Decimal(100_000)))
    new_merchant: Rate = attrs.field(default=Rate.of("0.6"), validator=v.rate)
    recruits: Decimal = attrs.field(default=Decimal("0.25"), validator=_multiplier(Decimal(0), Decimal(1000)))
    recruits_per_million: Decimal = attrs.field(
        default=Decimal("0.05"), validator=_multiplier(Decimal(0), Decimal(1000))
    )
    review_approve: Rate = attrs.field(default=Rate.of("0.8"), validator=v.rate)
    leader_fee: Rate = attrs.field(default=Rate.of("0.03"), validator=v.rate)
    price_low: Decimal = attrs.field(default=Decimal("0.8"), validator=_multiplier(Decimal("0.01"), Decimal(10)))
    price_high: Decimal = attrs.field(default=Decimal("1.2"), validator=_multiplier(Decimal("0.01"), Decimal(10)))

    def __attrs_post_init__(self) -> None:
        if self.price_high < self.price_low:
            raise InvalidValueError("AdmissionConfig.price_high", self.price_high, "is below price_low")


@attrs.frozen
class BudgetPlan:
    """A subsidy budget over a season: what it holds at the start and what it gets every week after.

    What a budget has not spent carries over: in week *w* its total is ``initial + w × weekly``, less everything
    it has granted so far (the program state's budget book).
    """

    name: str = attrs.field(validator=v.identifier)
    initial: Money = attrs.field(default=Money(0), validator=v.money)
    weekly: Money = attrs.field(default=Money(0), validator=v.money)

    def __attrs_post_init__(self) -> None:
        if self.initial.currency != self.weekly.currency:
            raise InvalidValueError("BudgetPlan.weekly", self.weekly, f"must be in {self.initial.currency}")

    def total_at(self, week: int) -> Money:
        """The budget's total by week *week* (week 0 is the season's start)."""
        return self.initial + self.weekly * week


def _plans(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("SimulationConfig.budgets", value, "must be a tuple of BudgetPlan")
    names: set[str] = set()
    for i, plan in enumerate(value):
        if not isinstance(plan, BudgetPlan):
            raise InvalidValueError(f"SimulationConfig.budgets[{i}]", plan, "must be a BudgetPlan")
        if plan.name in names:
            raise InvalidValueError(f"SimulationConfig.budgets[{i}].name", plan.name, "is a duplicate budget name")
        names.add(plan.name)


def _platform(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in PRESETS:
        raise InvalidValueError("SimulationConfig.platform", value, f"must be one of {', '.join(PRESETS)}")


@attrs.frozen
class SimulationConfig:
    """Every behavioural parameter of a season, in sections; each the documented default when left out.

    Args:
        name, version: For people and reports.
        weeks: The season's length in weeks (the ``--weeks`` of the command line replaces it).
        platform: The platform profile orders settle under (one of :data:`~fenxiao.settlement.profiles.PRESETS`).
        long_tail_influencer: The payee id of the sales that the catalog's influencers do not make: the long tail of
            promoters behind a SKU's base views.
        traffic, placement, service, admission: The sections (see each class).
        budgets: The subsidy budgets and their weekly top-ups; empty = the models' budgets, fixed for the season.
    """

    name: str = attrs.field(default="custom", validator=v.text)
    version: str = attrs.field(default="1", validator=v.text)
    weeks: int = attrs.field(default=12, validator=v.int_between(1, MAX_WEEKS))
    platform: str = attrs.field(default=DEFAULT_PRESET, validator=_platform)
    long_tail_influencer: str = attrs.field(default="kol-long-tail", validator=v.identifier)
    traffic: TrafficConfig = attrs.field(factory=TrafficConfig, validator=v.instance_of(TrafficConfig))
    placement: PlacementConfig = attrs.field(factory=PlacementConfig, validator=v.instance_of(PlacementConfig))
    service: ServiceConfig = attrs.field(factory=ServiceConfig, validator=v.instance_of(ServiceConfig))
    admission: AdmissionConfig = attrs.field(factory=AdmissionConfig, validator=v.instance_of(AdmissionConfig))
    budgets: tuple[BudgetPlan, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_plans)

    def describe(self) -> str:
        """The configuration's name and version, as reports record it: ``"default@2026.11"``."""
        return f"{self.name}@{self.version}"


@functools.cache
def default_simulation_config() -> SimulationConfig:
    """The default parameters, read once from ``fenxiao/data/defaults/simulation.toml`` (each with its reasoning).

    The value is frozen and the same on every call. To change it, copy the file, edit it and read it with
    ``fenxiao.serialization.load(path, SimulationConfig)``, or ``attrs.evolve`` one section.
    """
    return read_default("simulation.toml", SimulationConfig)
