"""Scenario modelling for notebooks: what every party earns from a product at given rates, exactly.

A :class:`Scenario` is a product's price and unit cost, the commission and fee rates, the expected units
and refund rate. :func:`model` settles one single-unit order with :func:`fenxiao.settlement.splits.split` and
scales it: of ``units`` orders, ``refund_rate`` (rounded half-up to whole orders) are refunded in full
and earn nobody anything; the rest earn every party its line. Refunded goods are taken to come back to
stock, so they cost the merchant nothing. All money stays exact (integer fen).

:func:`sweep` runs a grid of scenarios and returns plain records (dicts; money as exact yuan Decimals,
rates as exact Decimal fractions); :func:`to_pandas` turns them into a DataFrame when pandas is installed
(``pip install 'fenxiao[pandas]'``). :func:`break_even_commission` finds the highest commission rate that
keeps the merchant's margin at or above a target.

>>> s = Scenario(price=Money.of("99.90"), unit_cost=Money.of("40.00"), commission_rate=Rate.of("20%"),
...              leader_fee_rate=Rate.of("5%"), units=100, refund_rate=Rate.of("15%"))
>>> r = model(s)
>>> r.kept_units, str(r.influencer), str(r.merchant_margin)
(85, '¥1698.30', '¥2544.90')
>>> str(break_even_commission(s, target_margin=Money.of("3000.00")))
'14.64%'

.. versionadded:: 0.1
"""

from __future__ import annotations

import importlib
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.frames import rows_to_frame
from fenxiao._internal.progress import Progress, reporter
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.ids import InfluencerId, MerchantId, SkuId, TeamLeaderId
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate, Rounding
from fenxiao.settlement.orders import Order, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, split

__all__ = [
    "Scenario",
    "ScenarioResult",
    "break_even_commission",
    "model",
    "record",
    "sweep",
    "sweep_frame",
    "to_pandas",
]

_WHEN: Final = datetime(2026, 1, 1, tzinfo=UTC)  # scenarios are timeless; the order needs a moment
_MONEY_FIELDS: Final = frozenset({"price", "unit_cost", "shipping", "subsidy"})
_RATE_FIELDS: Final = frozenset({"commission_rate", "refund_rate", "leader_fee_rate", "mcn_share", "tech_fee_rate"})


def _zero() -> Money:
    return Money.zero()


@attrs.frozen
class Scenario:
    """One product's economics under distribution.

    Args:
        price: What the buyer pays for one unit (goods only), above zero.
        commission_rate: The influencer's commission rate.
        unit_cost: What one unit costs the merchant.
        units: Expected units sold (one order each).
        refund_rate: Expected share of orders refunded in full.
        leader_fee_rate: A team leader's fee rate, if the goods came through one.
        mcn_share: The influencer's MCN's share, if any.
        tech_fee_rate: The technical fee rate; ``None`` uses the profile's.
        shipping: What the buyer pays for shipping per order (kept by the merchant).
        subsidy: What the platform adds per order.
    """

    price: Money = attrs.field(validator=v.money)
    commission_rate: Rate = attrs.field(validator=v.rate)
    unit_cost: Money = attrs.field(factory=_zero, validator=v.money)
    units: int = attrs.field(default=1, validator=v.int_between(0, 10**9))
    refund_rate: Rate = attrs.field(default=Rate.zero(), validator=v.rate)
    leader_fee_rate: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    mcn_share: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    tech_fee_rate: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    shipping: Money = attrs.field(factory=_zero, validator=v.money)
    subsidy: Money = attrs.field(factory=_zero, validator=v.money)

    def __attrs_post_init__(self) -> None:
        if self.price.fen == 0:
            raise InvalidValueError("Scenario.price", self.price, "must be above zero")


@attrs.frozen
class ScenarioResult:
    """What a :class:`Scenario` earns every party (totals over all units).

    Attributes:
        scenario: The inputs.
        refunded_units: Orders refunded in full: ``units × refund_rate`` rounded half-up.
        kept_units: The rest.
        gmv: ``units × price`` (goods, before refunds).
        refunds: What went back to buyers (goods and shipping).
        influencer: The influencer's net commission.
        mcn: The MCN's share.
        team_leader: The team leader's fee.
        platform_fees: The platform's fee on commission plus the technical fee.
        platform_subsidy: What the platform paid in subsidy (on kept orders).
        merchant_revenue: What the merchant received (goods, shipping, subsidy, less every deduction).
        merchant_cost: ``kept_units × unit_cost``.
        merchant_margin: Revenue − cost (negative for a loss).
    """

    scenario: Scenario
    refunded_units: int
    kept_units: int
    gmv: Money
    refunds: Money
    influencer: Money
    mcn: Money
    team_leader: Money
    platform_fees: Money
    platform_subsidy: Money
    merchant_revenue: Money
    merchant_cost: Money
    merchant_margin: Money


def _unit_order(scenario: Scenario) -> Order:
    leader = scenario.leader_fee_rate
    terms = OrderTerms(
        commission_rate=scenario.commission_rate,
        leader_id=TeamLeaderId("leader") if leader is not None else None,
        leader_fee_rate=leader,
        mcn_id="mcn" if scenario.mcn_share is not None else None,
        mcn_share=scenario.mcn_share,
        tech_fee_rate=scenario.tech_fee_rate,
    )
    return Order(
        id="scenario",
        merchant_id=MerchantId("merchant"),
        sku_id=SkuId("sku"),
        influencer_id=InfluencerId("influencer"),
        paid=scenario.price,
        paid_at=_WHEN,
        terms=terms,
        shipping=scenario.shipping,
        subsidy=scenario.subsidy,
    )


@checks_arguments
def model(scenario: Scenario, profile: PlatformProfile | None = None) -> ScenarioResult:
    """Every party's income from *scenario* under *profile* (the default profile when ``None``).

    Raises:
        PolicyError: The rates break the profile's bounds.
    """
    if not isinstance(scenario, Scenario):
        raise InvalidValueError("model.scenario", scenario, "must be a Scenario")
    rules = profile if profile is not None else PlatformProfile.default()
    lines = split(_unit_order(scenario), rules)
    refunded = Rounding.HALF_UP.round_fraction(Fraction(scenario.units) * scenario.refund_rate.as_fraction())
    kept = scenario.units - refunded
    cost = scenario.unit_cost * kept
    revenue = lines.amount(Party.MERCHANT) * kept
    return ScenarioResult(
        scenario=scenario,
        refunded_units=refunded,
        kept_units=kept,
        gmv=scenario.price * scenario.units,
        refunds=(scenario.price + scenario.shipping) * refunded,
        influencer=lines.amount(Party.INFLUENCER) * kept,
        mcn=lines.amount(Party.MCN) * kept,
        team_leader=(lines.amount(Party.TEAM_LEADER) + lines.amount(Party.SECOND_LEADER)) * kept,
        platform_fees=(lines.amount(Party.PLATFORM_COMMISSION_FEE) + lines.amount(Party.PLATFORM_TECH_FEE)) * kept,
        platform_subsidy=scenario.subsidy * kept,
        merchant_revenue=revenue,
        merchant_cost=cost,
        merchant_margin=revenue - cost,
    )


def _plain(value: object) -> object:
    if isinstance(value, Money):
        return value.yuan
    if isinstance(value, Rate):
        return value.value
    return value


@checks_arguments
def record(result: ScenarioResult) -> dict[str, object]:
    """*result* as one flat record: the inputs, then the outputs; money as yuan Decimals, rates as Decimals.

    >>> rec = record(model(Scenario(price=Money.of("10.00"), commission_rate=Rate.of("20%"))))
    >>> rec["price"], rec["commission_rate"], rec["influencer"]
    (Decimal('10.00'), Decimal('0.2'), Decimal('2.00'))
    """
    row = {f.name: _plain(getattr(result.scenario, f.name)) for f in attrs.fields(Scenario)}
    for f in attrs.fields(ScenarioResult):
        if f.name != "scenario":
            row[f.name] = _plain(getattr(result, f.name))
    return row


def _coerce(name: str, value: object) -> object:
    if isinstance(value, str):
        if name in _MONEY_FIELDS:
            return Money.of(value)
        if name in _RATE_FIELDS:
            return Rate.of(value)
    return value


@checks_arguments
def sweep(
    base: Scenario, profile: PlatformProfile | None = None, *, progress: Progress = None, **axes: Iterable[object]
) -> list[dict[str, object]]:
    """Model every combination of *axes* (Scenario fields → values) over *base*; one record per combination.

    Values may be given as text (``"20%"``, ``"99.90"``). Combinations vary the last axis fastest. *progress*:
    ``progress(done, total)`` per combination, ``True`` for a tqdm bar, ``"auto"`` for one in a notebook or a
    terminal only; ``None`` (the default) reports nothing.

    Raises:
        InvalidValueError: An axis names no Scenario field, or a value is invalid for its field.

    >>> base = Scenario(price=Money.of("99.90"), unit_cost=Money.of("40.00"), commission_rate=Rate.of("20%"),
    ...                 units=100)
    >>> rows = sweep(base, commission_rate=["10%", "20%", "30%"], refund_rate=["0%", "20%"])
    >>> [(str(r["commission_rate"]), str(r["refund_rate"]), str(r["merchant_margin"])) for r in rows]
    [('0.1', '0', '4492.00'), ('0.1', '0.2', '3593.60'), ('0.2', '0', '3493.00'), ('0.2', '0.2', '2794.40'), \
('0.3', '0', '2494.00'), ('0.3', '0.2', '1995.20')]
    """
    names = {f.name for f in attrs.fields(Scenario)}
    for name in axes:
        if name not in names:
            raise InvalidValueError(f"sweep.{name}", name, f"is not a Scenario field ({', '.join(sorted(names))})")
    grids: list[Sequence[object]] = [[_coerce(name, x) for x in values] for name, values in axes.items()]
    rows = []
    total = math.prod(len(grid) for grid in grids)
    with reporter(progress, total, "sweep") as advance:
        for combination in itertools.product(*grids):
            changes: dict[str, Any] = dict(zip(axes, combination, strict=True))
            scenario = attrs.evolve(base, **changes)
            rows.append(record(model(scenario, profile)))
            advance(1)
    return rows


@checks_arguments
def break_even_commission(
    scenario: Scenario,
    profile: PlatformProfile | None = None,
    *,
    target_margin: Money | None = None,
    resolution: Rate | None = None,
) -> Rate | None:
    """The highest commission rate, on a grid of *resolution* (0.01% by default), that keeps the merchant's
    margin at or above *target_margin* (zero by default); ``None`` if even the lowest allowed rate misses it.

    Only rates the profile allows beside the scenario's leader and technical fees are searched. The margin
    never rises with the commission rate, so a binary search finds the answer exactly.
    """
    rules = profile if profile is not None else PlatformProfile.default()
    target = target_margin if target_margin is not None else Money.zero(scenario.price.currency)
    step = (resolution if resolution is not None else Rate.from_bp(1)).ppm
    if step <= 0:
        raise InvalidValueError("break_even_commission.resolution", resolution, "must be above 0%")
    low, high = rules.commission_bounds()
    leader = scenario.leader_fee_rate.ppm if scenario.leader_fee_rate is not None else None
    tech = (scenario.tech_fee_rate or rules.tech_fee_rate).ppm
    top = min(high.ppm, 10**6 - tech - (leader or 0))
    if leader is not None:
        cap = rules.combined_cap.ppm - leader
        top = min(top, cap if rules.combined_cap_inclusive else cap - 1)
    first, last = -(-low.ppm // step), top // step  # grid indices of the lowest and highest allowed rates
    if last < first:
        return None

    def margin(k: int) -> Money:
        return model(attrs.evolve(scenario, commission_rate=Rate.from_ppm(k * step)), rules).merchant_margin

    if margin(first) < target:
        return None
    lo, hi = first, last
    while lo < hi:  # invariant: margin(lo) >= target
        mid = (lo + hi + 1) // 2
        if margin(mid) >= target:
            lo = mid
        else:
            hi = mid - 1
    return Rate.from_ppm(lo * step)


@checks_arguments
def to_pandas(records: Iterable[Mapping[str, Any]]) -> Any:
    """A pandas DataFrame of *records* (from :func:`sweep`); Decimal columns stay exact (object dtype).

    Raises:
        ImportError: pandas is not installed (a ``MissingExtraError`` naming ``fenxiao[pandas]``).
    """
    try:
        pd = importlib.import_module("pandas")
    except ImportError as exc:
        from fenxiao.errors import MissingExtraError

        raise MissingExtraError("pandas", "pandas", "fenxiao.settlement.scenarios.to_pandas") from exc
    if isinstance(records, Mapping):
        raise InvalidValueError("to_pandas.records", records, "must be a list of records (wrap one in a list)")
    rows = list(records)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidValueError(f"to_pandas.records[{i}]", row, "must be a record (a mapping of column to value)")
    return pd.DataFrame.from_records(rows)


def sweep_frame(records: Iterable[Mapping[str, Any]], backend: str = "pandas", *, exact: bool = False) -> Any:
    """The records of :func:`sweep` as a pandas, polars or pyarrow frame (needs narwhals and that library),
    labelled for analysis: amounts (exact Decimal yuan in the records) and rates (fractions) as float64, ready to
    plot without ``astype``; ``exact=True`` keeps the Decimals (an object column in pandas).

    >>> base = Scenario(price=Money.of("99.90"), unit_cost=Money.of("40.00"), commission_rate=Rate.of("20%"),
    ...                 units=100)
    >>> frame = sweep_frame(sweep(base, commission_rate=["10%", "20%"]))
    >>> frame[["commission_rate", "merchant_margin"]].values.tolist()
    [[0.1, 4492.0], [0.2, 3493.0]]
    >>> str(frame["merchant_margin"].dtype), str(frame["units"].dtype)
    ('float64', 'int64')
    """
    rows = [dict(r) for r in records]
    columns = list(rows[0]) if rows else []
    return rows_to_frame(rows, columns, backend, "sweep_frame", exact=exact)
