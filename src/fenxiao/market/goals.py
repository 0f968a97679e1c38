"""Program goals over settled sales, team-leader reports, and category coverage.

快分销 announced four public targets: 10 brands above ¥1 billion GMV (10个10亿+超级品牌), 100 merchants above
¥100 million (100个1亿+品牌商家), 10,000 hit SKUs selling over a million units (1万个爆款百万单品) and 100
team leaders above ¥100 million (100个破亿团长). A :class:`GoalTracker` measures progress towards such goals
from the ledger; :data:`DEFAULT_GOALS` are those four, and users define their own.

Sales are read from the ledger (:func:`settled_sales`): an order counts once it has ``SETTLED`` entries, at the
time of its first one, and its GMV is what the buyer finally paid for the goods:

    GMV = Σ (SETTLED and CLAWBACK entries of the order, every party but the buyer's refund)
          − shipping − subsidy                      (floored at zero)

Settled lines add up to what came in (goods + shipping + subsidy) and clawbacks add up to zero, so this is
the goods amount less every refund. Units are the order's units less the units refunded.

How the targets are read:

* "100个1亿+品牌商家" counts **brand merchants** only (:attr:`Subject.BRAND_MERCHANT`): a merchant running a
  flagship or official shop, or owning or authorised to sell a registered brand (:func:`is_brand_merchant`). An
  ordinary shop selling unbranded goods does not count, however much it sells.
* "1万个爆款百万单品" (10,000 "million SKUs") is read as **units**: SKUs selling a million units
  (:data:`DEFAULT_GOALS`). The phrase may also mean a million yuan of GMV; :data:`MILLION_SKU_READINGS` holds both
  goals, so a program chooses its reading by data (a goal is a value: pass the other to :class:`GoalTracker`, or
  write it in a goals file).

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from fenxiao._internal import hooks
from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Merchant, ShopKind
from fenxiao.errors import CurrencyMismatchError, InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.money import Money
from fenxiao.settlement.ledger import EntryKind, Ledger
from fenxiao.settlement.orders import Order
from fenxiao.settlement.splits import Party

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "DEFAULT_GOALS",
    "MILLION_SKU_READINGS",
    "Goal",
    "GoalProgress",
    "GoalTracker",
    "LeaderReport",
    "Measure",
    "SaleRecord",
    "Subject",
    "category_coverage",
    "is_brand_merchant",
    "leader_reports",
    "settled_sales",
]


class Subject(enum.Enum):
    """What a goal counts."""

    BRAND = "brand"
    MERCHANT = "merchant"
    #: Merchants that are brand merchants (品牌商家, :func:`is_brand_merchant`) only.
    BRAND_MERCHANT = "brand_merchant"
    SKU = "sku"
    TEAM_LEADER = "team_leader"


class Measure(enum.Enum):
    """What a goal measures per subject."""

    GMV = "gmv"
    UNITS = "units"


@attrs.frozen
class SaleRecord:
    """One settled order, attributed: who sold what, how many, for how much, when it settled."""

    order_id: str
    sku_id: str
    merchant_id: str
    brand_id: str | None
    leader_ids: tuple[str, ...]
    units: int
    gmv: Money
    settled_at: datetime
    #: Whether the merchant is a brand merchant (:func:`is_brand_merchant`); known only with the catalog.
    brand_merchant: bool = False


@checks_arguments
def is_brand_merchant(merchant: Merchant, catalog: Catalog) -> bool:
    """Whether *merchant* is a brand merchant (品牌商家): a flagship or official shop, or the owner or authorised
    seller of a registered brand of *catalog*.

    >>> from fenxiao.sample import load_sample
    >>> catalog = load_sample()
    >>> sorted({is_brand_merchant(m, catalog) for m in catalog.merchants})
    [False, True]
    """
    if merchant.shop_kind in (ShopKind.FLAGSHIP, ShopKind.OFFICIAL):
        return True
    registered = {b.id for b in catalog.brands if b.registered}
    return any(b in registered for b in merchant.brand_ids)


@checks_arguments
def settled_sales(ledger: Ledger, orders: Iterable[Order], catalog: Catalog | None = None) -> tuple[SaleRecord, ...]:
    """The settled sales in *ledger*, attributed through *orders* (and the catalog for brands).

    Orders without ``SETTLED`` entries are left out. Ledger entries of orders not in *orders* are an error:
    a sale that cannot be attributed would silently vanish from every goal. Brands and whether the merchant is a
    brand merchant are read from *catalog*; without it no sale has a brand and none is a brand merchant's.

    Raises:
        InvalidValueError: The ledger names an order that *orders* lacks.
    """
    by_id = {o.id: o for o in orders}
    totals: dict[str, int] = defaultdict(int)
    settled_at: dict[str, datetime] = {}
    for entry in ledger.entries:
        if entry.kind not in (EntryKind.SETTLED, EntryKind.CLAWBACK):
            continue
        if entry.order_id not in by_id:
            raise InvalidValueError("settled_sales.orders", entry.order_id, "is in the ledger but not among the orders")
        if entry.kind is EntryKind.SETTLED:
            first = settled_at.get(entry.order_id)
            settled_at[entry.order_id] = entry.at if first is None else min(first, entry.at)
        if entry.party is not Party.BUYER_REFUND:
            totals[entry.order_id] += entry.amount.fen
    records = []
    brand_merchants: dict[str, bool] = {}
    for order_id in sorted(settled_at):
        order = by_id[order_id]
        gmv = max(0, totals[order_id] - order.shipping.fen - order.subsidy.fen)
        brand = None
        is_brand = False
        if catalog is not None:
            brand = catalog.sku(order.sku_id).brand_id
            if order.merchant_id not in brand_merchants:
                brand_merchants[order.merchant_id] = is_brand_merchant(catalog.merchant(order.merchant_id), catalog)
            is_brand = brand_merchants[order.merchant_id]
        leaders = tuple(x for x in (order.terms.leader_id, order.terms.second_leader_id) if x is not None)
        records.append(
            SaleRecord(
                order_id=order.id,
                sku_id=order.sku_id,
                merchant_id=order.merchant_id,
                brand_id=brand,
                leader_ids=leaders,
                units=order.units - order.refunded_units,
                gmv=Money(gmv, order.paid.currency),
                settled_at=settled_at[order_id],
                brand_merchant=is_brand,
            )
        )
    return tuple(records)


def _check_threshold(instance: Goal, attribute: attrs.Attribute[Any], value: object) -> None:
    if instance.measure is Measure.GMV and not isinstance(value, Money):
        raise InvalidValueError("Goal.threshold", value, "must be Money for a GMV goal")
    if instance.measure is Measure.UNITS and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidValueError("Goal.threshold", value, "must be a whole number of units for a units goal")


@attrs.frozen
class Goal:
    """A goal: *target* subjects whose *measure* reaches *threshold* within the tracked period.

    >>> str(DEFAULT_GOALS[0])
    '10 brands with GMV >= ¥1,000,000,000.00'
    """

    name: str = attrs.field(validator=v.identifier)
    subject: Subject = attrs.field(validator=v.member_of(Subject))
    measure: Measure = attrs.field(validator=v.member_of(Measure))
    threshold: Money | int = attrs.field(validator=_check_threshold)
    target: int = attrs.field(validator=v.int_between(1, 10**9))
    label: str = attrs.field(default="", validator=v.label)

    def __str__(self) -> str:
        noun = {
            "brand": "brands",
            "merchant": "merchants",
            "brand_merchant": "brand merchants",
            "sku": "SKUs",
            "team_leader": "team leaders",
        }
        value = self.threshold.format(grouping=True) if isinstance(self.threshold, Money) else f"{self.threshold:,}"
        measure = "GMV" if self.measure is Measure.GMV else "units"
        return f"{self.target:,} {noun[self.subject.value]} with {measure} >= {value}"


#: The two readings of "1万个爆款百万单品": SKUs selling a million units (the default) or a million yuan of GMV.
MILLION_SKU_READINGS: Final = {
    "units": Goal("million-unit-skus", Subject.SKU, Measure.UNITS, 1_000_000, 10_000, "1万个爆款百万单品"),
    "gmv": Goal("million-yuan-skus", Subject.SKU, Measure.GMV, Money.of("1000000"), 10_000, "1万个爆款百万单品 (GMV)"),
}

#: The four public targets announced with 快分销 ("百万单品" read as units: see :data:`MILLION_SKU_READINGS`).
DEFAULT_GOALS: Final = (
    Goal("super-brands", Subject.BRAND, Measure.GMV, Money.of("1000000000"), 10, "10个10亿+超级品牌"),
    Goal(
        "hundred-million-merchants",
        Subject.BRAND_MERCHANT,
        Measure.GMV,
        Money.of("100000000"),
        100,
        "100个1亿+品牌商家",
    ),
    MILLION_SKU_READINGS["units"],
    Goal("hundred-million-leaders", Subject.TEAM_LEADER, Measure.GMV, Money.of("100000000"), 100, "100个破亿团长"),
)


@attrs.frozen
class GoalProgress:
    """How far a goal has come: the subjects that reached the threshold, and the best of the rest."""

    goal: Goal
    achieved: tuple[tuple[str, Money | int], ...]
    leading: tuple[tuple[str, Money | int], ...]

    @property
    def count(self) -> int:
        """How many subjects reached the threshold."""
        return len(self.achieved)

    @property
    def done(self) -> bool:
        """Whether the target is met."""
        return self.count >= self.goal.target

    def __str__(self) -> str:
        return f"{self.goal.name}: {self.count:,} / {self.goal.target:,}"


@attrs.frozen
class _Standing:
    """The file form of one subject's place in a goal's progress: who, and how far (an amount or a count)."""

    subject: str
    value: Money | int


@hooks.register
def _teach(converter: cattrs.Converter) -> None:
    # In Python the achievers and leaders are (subject, value) pairs; as data each names its parts.
    import cattrs

    def unstructure_pairs(pairs: tuple[tuple[str, Money | int], ...]) -> list[Any]:
        return [converter.unstructure(_Standing(*pair), _Standing) for pair in pairs]

    def structure_pairs(value: object, _: Any) -> tuple[tuple[str, Money | int], ...]:
        return tuple((s.subject, s.value) for s in converter.structure(value, tuple[_Standing, ...]))

    pairs = cattrs.gen.override(unstruct_hook=unstructure_pairs, struct_hook=structure_pairs)
    converter.register_unstructure_hook(
        GoalProgress,
        cattrs.gen.make_dict_unstructure_fn(GoalProgress, converter, achieved=pairs, leading=pairs),
    )
    read = cattrs.gen.make_dict_structure_fn(
        GoalProgress, converter, _cattrs_forbid_extra_keys=True, achieved=pairs, leading=pairs
    )

    def structure_progress(value: object, _: Any) -> GoalProgress:
        if not isinstance(value, Mapping):
            raise InvalidValueError("GoalProgress", value, "must be a table/object of GoalProgress fields")
        return read(value, GoalProgress)

    converter.register_structure_hook(GoalProgress, structure_progress)


def _subjects(sale: SaleRecord, subject: Subject) -> tuple[str, ...]:
    if subject is Subject.BRAND:
        return (sale.brand_id,) if sale.brand_id is not None else ()
    if subject is Subject.MERCHANT:
        return (sale.merchant_id,)
    if subject is Subject.BRAND_MERCHANT:
        return (sale.merchant_id,) if sale.brand_merchant else ()
    if subject is Subject.SKU:
        return (sale.sku_id,)
    return sale.leader_ids


def _goals(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("GoalTracker.goals", value, "must be a tuple of Goals")
    for i, goal in enumerate(value):
        if not isinstance(goal, Goal):
            raise InvalidValueError(f"GoalTracker.goals[{i}]", goal, "must be a Goal")


@attrs.frozen
class GoalTracker:
    """Measures goals over settled sales within a period (start inclusive, end exclusive)."""

    goals: tuple[Goal, ...] = attrs.field(default=DEFAULT_GOALS, converter=v.to_tuple, validator=_goals)
    top: int = attrs.field(default=5, validator=v.int_between(0, 1000))

    def measure(
        self, sales: Sequence[SaleRecord], *, start: datetime | None = None, end: datetime | None = None
    ) -> tuple[GoalProgress, ...]:
        """Progress of every goal over the sales settled in [*start*, *end*)."""
        if start is not None:
            v.require_aware(start, "GoalTracker.measure.start")
        if end is not None:
            v.require_aware(end, "GoalTracker.measure.end")
        window = [s for s in sales if (start is None or s.settled_at >= start) and (end is None or s.settled_at < end)]
        results = []
        for goal in self.goals:
            totals: dict[str, int] = defaultdict(int)
            currency = goal.threshold.currency if isinstance(goal.threshold, Money) else None
            for sale in window:
                if currency is None:
                    currency = sale.gmv.currency
                elif sale.gmv.currency != currency and goal.measure is Measure.GMV:
                    raise CurrencyMismatchError(
                        f"GoalTracker.measure.sales[{sale.order_id}]", sale.gmv, f"is not in the goal's {currency}"
                    )
                amount = sale.gmv.fen if goal.measure is Measure.GMV else sale.units
                for subject in _subjects(sale, goal.subject):
                    totals[subject] += amount
            currency = currency or "CNY"
            threshold = goal.threshold.fen if isinstance(goal.threshold, Money) else goal.threshold
            ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))

            as_money = goal.measure is Measure.GMV
            values = [(k, Money(x, currency) if as_money else x) for k, x in ranked]
            achieved = tuple(item for item, (_, x) in zip(values, ranked, strict=True) if x >= threshold)
            leading = tuple(item for item, (_, x) in zip(values, ranked, strict=True) if x < threshold)[: self.top]
            results.append(GoalProgress(goal, achieved, leading))
        return tuple(results)


_PAIR: Final = 2  # (category id, tier)


@checks_arguments
def category_coverage(graded: Iterable[tuple[str, Tier]]) -> dict[Tier, int]:
    """How many third-level categories have at least one SKU at each tier or above (the seed's third problem).

    Args:
        graded: ``(category_id, tier)`` of every graded SKU.

    >>> category_coverage([("c-gold", Tier.L5), ("c-dress", Tier.L2), ("c-dress", Tier.L3)])[Tier.L3]
    2
    """
    best: dict[str, Tier] = {}
    for i, item in enumerate(graded):
        pair: object = item  # annotated; checked for callers without a type checker
        if not (isinstance(pair, (tuple, list)) and len(pair) == _PAIR and isinstance(pair[1], Tier)):
            raise InvalidValueError(f"category_coverage.graded[{i}]", pair, "must be a (category id, Tier) pair")
        category, tier = item
        if category not in best or tier > best[category]:
            best[category] = tier
    return {t: sum(1 for b in best.values() if b >= t) for t in Tier}


@attrs.frozen
class LeaderReport:
    """One team leader: the listings and merchants it carries, the GMV through it, and its earnings."""

    leader_id: str
    listings: tuple[str, ...]
    merchants: tuple[str, ...]
    gmv: Money
    earned: Money


@checks_arguments
def leader_reports(catalog: Catalog, ledger: Ledger, sales: Sequence[SaleRecord]) -> tuple[LeaderReport, ...]:
    """Every team leader of the catalog: listings carried, merchants, settled GMV and settled earnings.

    Earnings are the leader's ``SETTLED`` and ``CLAWBACK`` entries (first- and second-level fees) in the ledger.
    """
    listings: dict[str, list[str]] = defaultdict(list)
    merchants: dict[str, set[str]] = defaultdict(set)
    for listing in catalog.listings:
        carrier = listing.terms.team_leader_id
        if carrier is not None:
            listings[carrier].append(listing.id)
            merchants[carrier].add(catalog.sku(listing.sku_id).merchant_id)
    gmv: dict[str, int] = defaultdict(int)
    for sale in sales:
        if sale.gmv.currency != ledger.currency:
            raise CurrencyMismatchError(
                f"leader_reports.sales[{sale.order_id}]", sale.gmv, f"is not in {ledger.currency}"
            )
        for leader_id in sale.leader_ids:
            gmv[leader_id] += sale.gmv.fen
    earned: dict[str, int] = defaultdict(int)
    for entry in ledger.entries:
        is_leader = entry.party in (Party.TEAM_LEADER, Party.SECOND_LEADER)
        if is_leader and entry.kind in (EntryKind.SETTLED, EntryKind.CLAWBACK) and entry.payee_id is not None:
            earned[entry.payee_id] += entry.amount.fen
    currency = ledger.currency
    return tuple(
        LeaderReport(
            leader_id=leader.id,
            listings=tuple(sorted(listings.get(leader.id, []))),
            merchants=tuple(sorted(merchants.get(leader.id, set()))),
            gmv=Money(gmv.get(leader.id, 0), currency),
            earned=Money(earned.get(leader.id, 0), currency),
        )
        for leader in catalog.team_leaders
    )
