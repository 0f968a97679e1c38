"""Category benchmarks that category-relative metrics compare against: :class:`ScoringContext`.

Many signals only mean something against peers: a price against the category's
median price, GMV as a percentile within the third-level category, a commission
rate against the category's usual rate. :func:`build_context` computes those
benchmarks from a batch of snapshots; the result is a plain, serializable value,
so a backend can compute it nightly and score single SKUs against it in a request.

>>> from datetime import datetime, timezone
>>> from fenxiao.money import Money, Rate
>>> from fenxiao.domain.snapshots import SkuSnapshot
>>> t = datetime(2026, 11, 20, tzinfo=timezone.utc)
>>> def snap(sku, price, rate, gmv):
...     return SkuSnapshot(sku_id=sku, category_id="c-tea", observed_at=t, joined_at=t, price=Money.of(price),
...                        commission_rate=Rate.of(rate), gmv_30d=Money.of(gmv))
>>> context = build_context([snap("a", "10.00", "20%", "500"), snap("b", "30.00", "25%", "0"),
...                          snap("c", "25.00", "30%", "90")])
>>> bench = context.benchmark("c-tea")
>>> bench.skus, bench.price_median, bench.commission_median, bench.gmv_values
(3, Decimal('25'), Decimal('0.25'), (0, 9000, 50000))

Definitions (the columnar path computes the same by group-by):

* A category's benchmark is built from every snapshot of that category in the batch.
* ``price_median``: the median price in yuan; with an even count, the exact mean of the two
  middle prices (so it may end in half a fen, e.g. ``12.345``).
* ``commission_median``: the same for commission rates (a fraction; may end in half a ppm).
* ``medians``: for each metric of :data:`MEDIAN_METRICS` (the snapshot's optional rates and 0-5 shop scores)
  that at least one snapshot of the category observes, the median of the observed values (``None`` ones are
  not counted), exact as above (it may end in half a millionth). A scorecard rule with ``missing = "median"``
  scores an unobserved metric at this value.
* ``units_median``: the median 30-day units of the category's *selling* snapshots (``units_30d > 0``), exact
  (with an even count the mean of the two middle values, so it may end in ``.5``); ``None`` when none of them
  sells. Goods without sales are L0 by their own rule, so they do not pull the bar of the sellers down. The tier
  input ``units_vs_category`` (:mod:`fenxiao.grading.inputs`) compares a SKU's units with it.
* ``gmv_values``: the category's 30-day GMVs in fen, sorted ascending. A category with more
  than *max_gmv_values* SKUs keeps an evenly spaced sample of ``m = max_gmv_values`` of them
  instead: the values at sorted positions ``(2i + 1) * n // (2m)`` for ``i = 0 .. m-1``.
  Percentiles are then exact ranks against that sample.
* Every snapshot must share one currency, recorded as ``currency``; ``as_of`` is the latest
  ``observed_at`` of the batch (``None`` for an empty batch).

Building is independent of the batch order: the result depends only on the multiset of snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.fixed import EXACT, on_grid
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.ids import CategoryId
from fenxiao.domain.snapshots import OPTIONAL_METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.money import DEFAULT_CURRENCY, RATE_PLACES, Rate

__all__ = [
    "DEFAULT_MAX_GMV_VALUES",
    "MEDIAN_METRICS",
    "CategoryBenchmark",
    "ScoringContext",
    "build_context",
    "measure_units",
]

#: How many GMV values a category keeps at most before they are sampled (see :func:`build_context`).
DEFAULT_MAX_GMV_VALUES: Final = 1000


def _median_metrics() -> dict[str, int]:
    """The optional rate and 0-5 score fields of a snapshot, each with its largest value in millionths."""
    found: dict[str, int] = {}
    for field in attrs.fields(SkuSnapshot):
        if field.name in OPTIONAL_METRIC_FIELDS:
            kind = str(field.type)
            if "Rate" in kind:
                found[field.name] = 10**RATE_PLACES
            elif "Decimal" in kind:
                found[field.name] = 5 * 10**RATE_PLACES
    return found


_MEDIAN_HIGH: Final = _median_metrics()
#: The metrics whose category median a benchmark holds (the snapshot's optional rates and 0-5 shop scores, all on
#: a grid of millionths): the metrics a scorecard rule may score at the category median when they are unobserved.
MEDIAN_METRICS: Final = tuple(_MEDIAN_HIGH)


def measure_units(value: Rate | Decimal) -> int:
    """An observed rate or 0-5 score in millionths (the grid of its metric; a score rounded half to even)."""
    if isinstance(value, Rate):
        return value.ppm
    return int(on_grid(value, RATE_PLACES).scaleb(RATE_PLACES, context=EXACT))


def _half_units(places: int, unit: str) -> Any:
    """A non-negative Decimal that is a whole number of half units of ``10**-(places - 1)``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        path = v.path_of(instance, attribute)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidValueError(path, value, "must be a finite Decimal")
        if value < 0:
            raise InvalidValueError(path, value, "must not be negative")
        units = value.scaleb(places, context=EXACT)
        if units != units.to_integral_value(context=EXACT) or int(units) % 5:
            raise InvalidValueError(path, value, f"must be a whole number of half {unit}")

    return check


def _medians(value: object) -> object:
    """Converter: a mapping becomes a dict sorted by metric name; anything else is left for the validator."""
    if isinstance(value, Mapping):
        return dict(sorted(value.items(), key=lambda item: str(item[0])))
    return value


def _check_medians(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, dict):
        raise InvalidValueError(path, value, "must be a table of metric names to medians")
    for name, median in value.items():
        if name not in _MEDIAN_HIGH:
            problem = f"is not a metric with a category median (one of {', '.join(MEDIAN_METRICS)})"
            raise InvalidValueError(f"{path}.{name}", name, problem)
        if not isinstance(median, Decimal) or not median.is_finite() or median < 0:
            raise InvalidValueError(f"{path}.{name}", median, "must be a finite Decimal, not negative")
        units = median.scaleb(RATE_PLACES + 1, context=EXACT)
        if units != units.to_integral_value(context=EXACT) or int(units) % 5:
            raise InvalidValueError(f"{path}.{name}", median, "must be a whole number of half millionths")
        if median.scaleb(RATE_PLACES, context=EXACT) > _MEDIAN_HIGH[name]:
            high = Decimal(_MEDIAN_HIGH[name]).scaleb(-RATE_PLACES)
            raise InvalidValueError(f"{path}.{name}", median, f"must be at most {high:f}")


def _check_units_median(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be a finite Decimal (or None)")
    twice = EXACT.multiply(value, Decimal(2))
    if twice < 2 or twice != twice.to_integral_value(context=EXACT):
        problem = "must be a Decimal, at least 1, a whole number of halves (or None: no good of it sells)"
        raise InvalidValueError(v.path_of(instance, attribute), value, problem)


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation: 1E+1 -> 10."""
    normal = value.normalize(EXACT)
    return normal.quantize(Decimal(1), context=EXACT) if normal == normal.to_integral_value(context=EXACT) else normal


def _sorted_fen(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidValueError(path, value, "must be a tuple of ints (fen)")
    previous = 0
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            raise InvalidValueError(f"{path}[{i}]", item, "must be a whole number of fen, not negative")
        if item < previous:
            raise InvalidValueError(f"{path}[{i}]", item, f"must not be below the value before it ({previous})")
        previous = item


@attrs.frozen
class CategoryBenchmark:
    """What the snapshots of one third-level category look like, for category-relative metrics.

    Args:
        category_id: The third-level category.
        skus: How many snapshots the benchmark was built from (at least 1).
        price_median: The median price, in yuan (exact; a whole number of half fen).
        commission_median: The median commission rate, as a fraction (exact; a whole number of half ppm).
        gmv_values: 30-day GMVs in fen, sorted ascending (all of them, or an evenly spaced sample).
        medians: Per metric of :data:`MEDIAN_METRICS` that some snapshot of the category observes, the median of
            the observed values (exact; a whole number of half millionths). Metrics no snapshot observes are
            absent.
        units_median: The median 30-day units of the category's selling snapshots (exact; a whole number of
            halves, at least 1), or ``None`` when none sells.

    >>> medians = {"refund_rate": Decimal("0.1225")}
    >>> bench = CategoryBenchmark("c-tea", 3, Decimal("25"), Decimal("0.2"), (0, 10, 90), medians)
    >>> bench.medians, bench.median_half_units("refund_rate"), bench.median_half_units("complaint_rate")
    ({'refund_rate': Decimal('0.1225')}, 245000, None)

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       ``medians``: the category median of each optional rate and shop score.
    .. versionchanged:: 0.3
       ``units_median``: the median units of the selling goods, for a category-relative sales bar.
    """

    category_id: CategoryId = attrs.field(converter=v.id_text, validator=v.identifier)
    skus: int = attrs.field(validator=v.int_between(1, 2**62))
    price_median: Decimal = attrs.field(validator=_half_units(3, "fen"))
    commission_median: Decimal = attrs.field(validator=_half_units(RATE_PLACES + 1, "parts per million"))
    gmv_values: tuple[int, ...] = attrs.field(converter=v.to_tuple, validator=_sorted_fen)
    # A dict is not hashable: the benchmark's hash leaves the medians out (equality keeps them).
    medians: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_medians, validator=_check_medians, hash=False)
    units_median: Decimal | None = attrs.field(default=None, validator=_check_units_median)
    # Exact integer forms used by the metrics: the medians doubled, in half-fen and half-ppm.
    _price_median_half_fen: int = attrs.field(init=False, repr=False, eq=False)
    _commission_median_half_ppm: int = attrs.field(init=False, repr=False, eq=False)
    _median_half_units: dict[str, int] = attrs.field(init=False, repr=False, eq=False)
    _units_median_twice: int | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not self.gmv_values:
            raise InvalidValueError("CategoryBenchmark.gmv_values", self.gmv_values, "must not be empty")
        if len(self.gmv_values) > self.skus:
            raise InvalidValueError(
                "CategoryBenchmark.gmv_values", len(self.gmv_values), f"holds more values than skus ({self.skus})"
            )
        object.__setattr__(self, "_price_median_half_fen", int(self.price_median.scaleb(3, context=EXACT)) // 5)
        object.__setattr__(
            self, "_commission_median_half_ppm", int(self.commission_median.scaleb(RATE_PLACES + 1, context=EXACT)) // 5
        )
        halves = {name: int(m.scaleb(RATE_PLACES + 1, context=EXACT)) // 5 for name, m in self.medians.items()}
        object.__setattr__(self, "_median_half_units", halves)
        twice = None if self.units_median is None else int(EXACT.multiply(self.units_median, Decimal(2)))
        object.__setattr__(self, "_units_median_twice", twice)

    @property
    def price_median_half_fen(self) -> int:
        """Twice the median price, in fen (an exact int even when the median ends in half a fen)."""
        return self._price_median_half_fen

    @property
    def commission_median_half_ppm(self) -> int:
        """Twice the median commission rate, in parts per million (an exact int)."""
        return self._commission_median_half_ppm

    @property
    def units_median_twice(self) -> int | None:
        """Twice the median units of the selling goods (an exact int), or ``None`` when none sells."""
        return self._units_median_twice

    def median_half_units(self, metric: str) -> int | None:
        """Twice the category median of *metric* in millionths (an exact int), or ``None`` when it has none."""
        return self._median_half_units.get(metric)


def _categories(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidValueError(path, value, "must be a tuple of CategoryBenchmark")
    previous = ""
    for i, item in enumerate(value):
        if not isinstance(item, CategoryBenchmark):
            raise InvalidValueError(f"{path}[{i}]", item, "must be a CategoryBenchmark")
        if item.category_id <= previous:
            raise InvalidValueError(
                f"{path}[{i}].category_id", item.category_id, "must come after the one before it (sorted, unique)"
            )
        previous = item.category_id


@attrs.frozen
class ScoringContext:
    """Category benchmarks for a batch of snapshots, sorted by category id.

    Build one with :func:`build_context`; :meth:`empty` has no categories, so every
    category-relative metric is unavailable (``None``) against it.

    Args:
        categories: One :class:`CategoryBenchmark` per category, sorted by id, unique.
        currency: The currency of every price and GMV the benchmarks were built from.
        as_of: The latest observation the benchmarks saw, or ``None``.

    >>> ScoringContext.empty().benchmark("c-tea") is None
    True

    .. versionadded:: 0.1
    """

    categories: tuple[CategoryBenchmark, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_categories)
    currency: str = attrs.field(default=DEFAULT_CURRENCY)
    as_of: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    _by_id: dict[str, CategoryBenchmark] = attrs.field(init=False, repr=False, eq=False)

    @currency.validator
    def _check_currency(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or len(value) != 3 or not value.isascii() or not value.isupper():
            raise InvalidValueError("ScoringContext.currency", value, "must be a three-letter code like 'CNY'")

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {b.category_id: b for b in self.categories})

    @classmethod
    def empty(cls, currency: str = DEFAULT_CURRENCY) -> ScoringContext:
        """A context without benchmarks: category-relative metrics are all unavailable."""
        return cls((), currency)

    def benchmark(self, category_id: str) -> CategoryBenchmark | None:
        """The benchmark of *category_id*, or ``None`` when the context has none for it."""
        if not isinstance(category_id, str):
            raise InvalidValueError("ScoringContext.benchmark.category_id", category_id, "must be a category id")
        return self._by_id.get(category_id)

    def benchmark_for(self, snapshot: SkuSnapshot) -> CategoryBenchmark | None:
        """The benchmark of the snapshot's category, or ``None`` (no benchmark, or another currency)."""
        if snapshot.price.currency != self.currency:
            return None
        return self._by_id.get(snapshot.category_id)


def _median_sum(values: list[int]) -> int:
    """Twice the median of sorted *values* (the sum of the two middle values; twice the middle one)."""
    n = len(values)
    return values[(n - 1) // 2] + values[n // 2]


def _sample(values: list[int], limit: int) -> tuple[int, ...]:
    n = len(values)
    if n <= limit:
        return tuple(values)
    return tuple(values[(2 * i + 1) * n // (2 * limit)] for i in range(limit))


def _units_median(units: list[int] | None) -> Decimal | None:
    """The exact median of *units* (whole, or ending in .5), ``None`` when there are none."""
    if not units:
        return None
    return _plain(EXACT.divide(Decimal(_median_sum(sorted(units))), Decimal(2)))


@checks_arguments
def build_context(snapshots: Iterable[SkuSnapshot], *, max_gmv_values: int = DEFAULT_MAX_GMV_VALUES) -> ScoringContext:
    """Compute the category benchmarks of a batch of snapshots.

    Args:
        snapshots: Any number of snapshots (typically the latest of each SKU), in any order.
        max_gmv_values: How many GMV values a category keeps at most; larger categories keep an
            evenly spaced sample (see the module docstring). At least 1.

    Returns:
        A :class:`ScoringContext` with one benchmark per category present, sorted by id.

    Raises:
        InvalidValueError: Snapshots in more than one currency, or a bad *max_gmv_values*.

    >>> build_context([]) == ScoringContext.empty()
    True
    """
    limit = v.require_int(max_gmv_values, "build_context.max_gmv_values", 1, 10**9)
    prices: dict[str, list[int]] = {}
    rates: dict[str, list[int]] = {}
    gmvs: dict[str, list[int]] = {}
    sold: dict[str, list[int]] = {}
    observed: dict[str, dict[str, list[int]]] = {}
    currency: str | None = None
    as_of: datetime | None = None
    for i, snap in enumerate(snapshots):
        if not isinstance(snap, SkuSnapshot):
            raise InvalidValueError(f"build_context.snapshots[{i}]", snap, "must be a SkuSnapshot")
        if currency is None:
            currency = snap.price.currency
        elif snap.price.currency != currency:
            raise InvalidValueError(
                f"build_context.snapshots[{i}].price", snap.price, f"is not in {currency}, the batch's currency"
            )
        if as_of is None or snap.observed_at > as_of:
            as_of = snap.observed_at
        cid = snap.category_id
        prices.setdefault(cid, []).append(snap.price.fen)
        rates.setdefault(cid, []).append(snap.commission_rate.ppm)
        gmvs.setdefault(cid, []).append(snap.gmv_30d.fen)
        if snap.units_30d > 0:
            sold.setdefault(cid, []).append(snap.units_30d)
        values = observed.setdefault(cid, {})
        for name in MEDIAN_METRICS:
            value = getattr(snap, name)
            if value is not None:
                values.setdefault(name, []).append(measure_units(value))
    benchmarks = []
    for category in sorted(prices):
        price_list, rate_list, gmv_list = sorted(prices[category]), sorted(rates[category]), sorted(gmvs[category])
        benchmarks.append(
            CategoryBenchmark(
                category_id=CategoryId(category),
                skus=len(price_list),
                price_median=_plain(EXACT.divide(Decimal(_median_sum(price_list)), Decimal(200))),
                commission_median=_plain(EXACT.divide(Decimal(_median_sum(rate_list)), Decimal(2 * 10**RATE_PLACES))),
                gmv_values=_sample(gmv_list, limit),
                medians={
                    name: _plain(EXACT.divide(Decimal(_median_sum(sorted(units))), Decimal(2 * 10**RATE_PLACES)))
                    for name, units in observed[category].items()
                },
                units_median=_units_median(sold.get(category)),
            )
        )
    return ScoringContext(tuple(benchmarks), currency or DEFAULT_CURRENCY, as_of)
