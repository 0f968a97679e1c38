"""Named metrics: what a scorecard measures about a SKU, each a pure function of a snapshot and a context.

A metric turns a :class:`~fenxiao.domain.snapshots.SkuSnapshot` and a
:class:`~fenxiao.scoring.context.ScoringContext` into an exact :class:`~decimal.Decimal`, or
``None`` when it cannot be known (no 30-day lowest price, no category benchmark,
no previous sales). Scorecards name metrics; a name nobody registered is an error
when the scorecard is built or loaded, never later.

Every snapshot field except identity and time is a metric under its own name
(money in yuan, rates as fractions, flags as 0 or 1), and these are derived:

>>> from datetime import datetime, timezone
>>> from fenxiao.scoring.context import build_context
>>> from fenxiao.money import Money, Rate
>>> from fenxiao.domain.snapshots import SkuSnapshot
>>> t = datetime(2026, 11, 20, tzinfo=timezone.utc)
>>> a = SkuSnapshot(sku_id="a", category_id="c-tea", observed_at=t, joined_at=t, price=Money.of("90.00"),
...                 lowest_price_30d=Money.of("80.00"), units_30d=120, units_prev_30d=100,
...                 gmv_30d=Money.of("10800.00"), commission_rate=Rate.of("30%"))
>>> b = SkuSnapshot(sku_id="b", category_id="c-tea", observed_at=t, joined_at=t, price=Money.of("110.00"),
...                 commission_rate=Rate.of("20%"))
>>> context = build_context([a, b])
>>> price_vs_category_median(a, context), price_vs_lowest_30d(a, context), sales_growth(a, context)
(Decimal('0.900000'), Decimal('1.125000'), Decimal('0.200000'))
>>> commission_vs_category_median(a, context), gmv_percentile_in_category(a, context)
(Decimal('1.200000'), Decimal('0.750000'))
>>> price_vs_lowest_30d(b, context) is None
True

Each metric has a *grid*: its values are whole multiples of ``10**-places`` (money 2
places, i.e. fen; rates, ratios and shares 6; counts and flags 0). Ratios are
rounded to their grid half to even, once, from exact integers. A columnar
implementation holds a metric as an int64 number of grid units.

Add your own with :func:`register_metric`, then name it in a scorecard.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

import attrs

from fenxiao._internal.fixed import EXACT, div_half_even, on_grid, unscaled
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError, PluginError, PolicyError
from fenxiao.money import RATE_PLACES, Money, Rate
from fenxiao.scoring import formulas
from fenxiao.scoring.context import ScoringContext

__all__ = [
    "Metric",
    "MetricFunction",
    "commission_vs_category_median",
    "days_in_pool",
    "get_metric",
    "gmv_percentile_in_category",
    "lowest_sub_score",
    "metric_names",
    "metrics",
    "price_vs_category_median",
    "price_vs_lowest_30d",
    "price_vs_reference",
    "register_metric",
    "sales_growth",
    "unregister_metric",
]

#: A metric's function: exact Decimal, or ``None`` when the metric is unavailable for this SKU.
MetricFunction = Callable[[SkuSnapshot, ScoringContext], "Decimal | None"]

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Names a scorecard table uses for its own settings, so no metric may take them.
RESERVED_NAMES: Final = frozenset({"caps", "weight", "scorer", "metric"})
_RATIO_PLACES: Final = formulas.RATIO_PLACES
_scaleb: Final = EXACT.scaleb


def _check_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME_RE.fullmatch(value):
        raise InvalidValueError(
            "Metric.name", value, "must be 1-64 lowercase letters, digits or underscores, starting with a letter"
        )
    if value in RESERVED_NAMES:
        raise InvalidValueError("Metric.name", value, "is reserved for scorecard settings")


def _check_places(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RATE_PLACES:
        raise InvalidValueError("Metric.places", value, f"must be a whole number from 0 to {RATE_PLACES}")


def _check_function(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise InvalidValueError("Metric.function", value, "must be a function(snapshot, context) -> Decimal | None")


def _check_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(f"Metric.{attribute.name}", value, "must be non-blank text")


@attrs.frozen
class Metric:
    """A named, documented measurement of a SKU.

    Calling a metric runs its function and puts the result on the metric's grid
    (rounded half to even to *places* decimal places; built-in metrics are on it already).

    Args:
        name: How scorecards refer to it: lowercase letters, digits and underscores.
        function: ``function(snapshot, context) -> Decimal | None``; pure, no I/O.
        places: Decimal places of the grid (0 to 6).
        unit: What the number counts: ``"yuan"``, ``"rate"``, ``"ratio"``, ``"count"``, ``"flag"`` ...
        description: One line for tables and error messages.

    Raises:
        InvalidValueError: A malformed name or grid.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=_check_name)
    function: MetricFunction = attrs.field(eq=False, validator=_check_function)
    places: int = attrs.field(validator=_check_places)
    unit: str = attrs.field(validator=_check_text)
    description: str = attrs.field(validator=_check_text)
    # Built-in functions return values on the grid already, so measuring them skips the checks.
    _builtin: bool = attrs.field(init=False, default=False, repr=False, eq=False)

    def __call__(self, snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
        """The metric of *snapshot* against *context*, on the grid, or ``None`` when unavailable.

        Raises:
            PluginError: The function raised, or returned something other than a finite Decimal or ``None``.
        """
        try:
            value: object = self.function(snapshot, context)
        except Exception as exc:
            raise PluginError(f"metric {self.name}", snapshot.sku_id, f"raised {type(exc).__name__}: {exc}") from exc
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise PluginError(
                f"metric {self.name}", snapshot.sku_id, f"returned {value!r}, not a finite Decimal or None"
            )
        return on_grid(value, self.places)

    def measure(self, snapshot: SkuSnapshot, context: ScoringContext) -> tuple[Decimal, int] | None:
        """The metric's value and the same as an int number of grid units (``value * 10**places``), or ``None``.

        >>> from fenxiao.sample import load_sample
        >>> snap = load_sample().latest_snapshots()[5]
        >>> value, units = get_metric("refund_rate").measure(snap, ScoringContext.empty())
        >>> value == snap.refund_rate.value, units == snap.refund_rate.ppm
        (True, True)
        """
        value = self.function(snapshot, context) if self._builtin else self(snapshot, context)
        if value is None:
            return None
        return value, int(value.scaleb(self.places, context=EXACT))


_REGISTRY: dict[str, Metric] = {}
_BUILTIN: set[str] = set()


@checks_arguments
def register_metric(
    name: str,
    function: MetricFunction,
    *,
    places: int,
    unit: str,
    description: str,
    replace: bool = False,
) -> Metric:
    """Make a metric available to scorecards under *name*.

    Args:
        name: The name scorecards use (lowercase letters, digits, underscores).
        function: ``function(snapshot, context) -> Decimal | None``, pure.
        places: Decimal places of the metric's grid (0 to 6); results are rounded onto it.
        unit: What the number counts, for tables.
        description: One line, for tables.
        replace: Allow replacing a metric you registered before (built-ins can never be replaced).

    Returns:
        The registered :class:`Metric`.

    Raises:
        PolicyError: The name is taken (and *replace* is false, or it is a built-in).
        InvalidValueError: A malformed name or grid.

    >>> def live_hours(snapshot, context):
    ...     return Decimal(snapshot.promoting_influencers * 2)
    >>> register_metric("live_hours", live_hours, places=0, unit="hours", description="hours streamed").name
    'live_hours'
    >>> unregister_metric("live_hours")
    """
    metric = Metric(name, function, places, unit, description)
    if name in _BUILTIN:
        raise PolicyError("register_metric.name", name, "is a built-in metric and cannot be replaced")
    if name in _REGISTRY and not replace:
        raise PolicyError("register_metric.name", name, "is already registered (pass replace=True to replace it)")
    _REGISTRY[name] = metric
    return metric


@checks_arguments
def unregister_metric(name: str) -> None:
    """Remove a metric registered with :func:`register_metric` (built-ins stay).

    Raises:
        PolicyError: *name* is a built-in or not registered.
    """
    if name in _BUILTIN:
        raise PolicyError("unregister_metric.name", name, "is a built-in metric")
    if name not in _REGISTRY:
        raise PolicyError("unregister_metric.name", name, "is not a registered metric")
    del _REGISTRY[name]


@checks_arguments
def get_metric(name: str) -> Metric:
    """The metric registered as *name*.

    Raises:
        PolicyError: No metric has that name.

    >>> get_metric("refund_rate").unit
    'rate'
    >>> get_metric("refund_ratio")
    Traceback (most recent call last):
    ...
    fenxiao.errors.PolicyError: metric: is not a known metric (did you mean 'refund_rate'?), got 'refund_ratio'
    """
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise PolicyError("metric", name, _unknown(name)) from None


def _unknown(name: object) -> str:
    import difflib

    close = difflib.get_close_matches(str(name), list(_REGISTRY), n=1)
    return f"is not a known metric (did you mean {close[0]!r}?)" if close else "is not a known metric"


@checks_arguments
def metric_names() -> tuple[str, ...]:
    """Every registered metric name, sorted."""
    return tuple(sorted(_REGISTRY))


def metrics() -> tuple[Metric, ...]:
    """Every registered metric, sorted by name."""
    return tuple(_REGISTRY[name] for name in sorted(_REGISTRY))


# -- derived metrics ---------------------------------------------------------------------------------
#
# Each derived metric is written once as its grid units (an int, or None when unavailable): the ``_units``
# functions below, which the compiled scorecards call (see ``UNITS``); the public function is its Decimal.

_RATIO_SCALE: Final = 10**_RATIO_PLACES


def _ratio_units(terms: tuple[int, int]) -> int | None:
    numerator, denominator = terms
    if not formulas.defined(denominator):
        return None
    return div_half_even(numerator * _RATIO_SCALE, denominator)


def _ratio(units: int | None) -> Decimal | None:
    # fixed.ratio(num, den, places) is unscaled(div_half_even(num * 10**places, den), places): the same Decimal
    return None if units is None else unscaled(units, _RATIO_PLACES)


def _price_vs_category_median_units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
    bench = context.benchmark_for(snapshot)
    if bench is None:
        return None
    return _ratio_units(formulas.price_vs_category_median(snapshot.price.fen, bench.price_median_half_fen))


def price_vs_category_median(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
    """The price divided by the category's median price (below 1: cheaper than the typical peer).

    ``None`` when the context has no benchmark for the category (or one in another currency),
    or the median price is zero.
    """
    return _ratio(_price_vs_category_median_units(snapshot, context))


def _price_vs_lowest_30d_units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
    lowest = snapshot.lowest_price_30d
    if lowest is None:
        return None
    return _ratio_units(formulas.price_vs_other_price(snapshot.price.fen, lowest.fen))


def price_vs_lowest_30d(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
    """The price divided by the product's own lowest price in the past 30 days (1: at its lowest).

    ``None`` when the lowest price is unknown or zero.
    """
    return _ratio(_price_vs_lowest_30d_units(snapshot, context))


def _price_vs_reference_units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
    reference = snapshot.reference_price
    if reference is None:
        return None
    return _ratio_units(formulas.price_vs_other_price(snapshot.price.fen, reference.fen))


def price_vs_reference(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
    """The price divided by the reference (market or list) price; ``None`` when unknown or zero."""
    return _ratio(_price_vs_reference_units(snapshot, context))


def _commission_vs_category_median_units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
    bench = context.benchmark_for(snapshot)
    if bench is None:
        return None
    return _ratio_units(
        formulas.commission_vs_category_median(snapshot.commission_rate.ppm, bench.commission_median_half_ppm)
    )


def commission_vs_category_median(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
    """The commission rate divided by the category's median rate (above 1: more generous than peers).

    ``None`` without a benchmark, or when the median rate is zero.
    """
    return _ratio(_commission_vs_category_median_units(snapshot, context))


def _gmv_percentile_in_category_units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
    bench = context.benchmark_for(snapshot)
    if bench is None:
        return None
    values = bench.gmv_values
    gmv = snapshot.gmv_30d.fen
    below = bisect_left(values, gmv)
    up_to = bisect_right(values, gmv, lo=below)
    return _ratio_units(formulas.gmv_percentile_in_category(below, up_to, len(values)))


def gmv_percentile_in_category(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
    """The 30-day GMV's percentile rank within its category, from 0 to 1.

    The mid-rank definition: ``(below + equal / 2) / n`` against the category's GMV values in
    the context, where *below* counts values under this GMV and *equal* values equal to it. A
    SKU alone in its category, or tied with all its peers, is at 0.5. ``None`` without a benchmark.
    """
    return _ratio(_gmv_percentile_in_category_units(snapshot, context))


def _sales_growth_units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
    return _ratio_units(formulas.sales_growth(snapshot.units_30d, snapshot.units_prev_30d))


def sales_growth(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
    """Units sold in the last 30 days against the 30 days before, minus one (0.2: up 20%; -1: none sold now).

    ``None`` when nothing sold in the previous 30 days (growth from zero is undefined).
    """
    return _ratio(_sales_growth_units(snapshot, context))


def _days_in_pool_units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
    return snapshot.days_in_pool


def days_in_pool(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
    """Whole days between joining the distribution pool and the observation."""
    return Decimal(snapshot.days_in_pool)


def _lowest_sub_score_units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
    lowest = lowest_sub_score(snapshot, context)
    return None if lowest is None else int(_scaleb(lowest, RATE_PLACES))


def lowest_sub_score(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
    """The lowest of the shop's goods, logistics and service sub-scores (0-5); ``None`` if none is known."""
    present = [s for s in (getattr(snapshot, name) for name in formulas.SUB_SCORES) if s is not None]
    return on_grid(min(present), RATE_PLACES) if present else None


# -- raw snapshot fields ------------------------------------------------------------------------------

_FIELD_DESCRIPTIONS: Final = {
    "price": "the current selling price",
    "reference_price": "the reference (market or list) price, if known",
    "lowest_price_30d": "the product's own lowest price in the past 30 days, if known",
    "units_30d": "units sold in the last 30 days",
    "gmv_30d": "GMV in the last 30 days",
    "units_prev_30d": "units sold in the 30 days before",
    "gmv_prev_30d": "GMV in the 30 days before",
    "repurchase_rate": "share of buyers who bought again",
    "commission_rate": "the commission rate offered to influencers",
    "promoting_influencers": "influencers actively promoting it",
    "influencer_gmv_share": "share of GMV sold through influencers",
    "team_leaders": "team leaders carrying it",
    "experience_score": "the shop experience score (0-5)",
    "goods_score": "the shop's goods sub-score (0-5), if known",
    "logistics_score": "the shop's logistics sub-score (0-5), if known",
    "service_score": "the shop's service sub-score (0-5), if known",
    "good_review_rate": "share of good reviews",
    "bad_review_rate": "share of bad reviews",
    "quality_return_rate": "share of orders returned for quality",
    "refund_rate": "share of orders refunded",
    "complaint_rate": "share of orders with a complaint",
    "shipped_48h_rate": "share of orders shipped within 48 hours",
    "brand_registered": "1 if the brand is registered",
    "brand_authorised": "1 if the merchant is authorised to sell the brand",
    "flagship_shop": "1 if sold by a flagship or official shop",
    "on_brand_list": "1 if the brand is on the platform's brand list",
    "brand_gmv_30d": "the brand's GMV on the platform in the last 30 days",
    "serious_violations_365d": "serious violations in the last year",
}


def _money_field(name: str) -> MetricFunction:
    def value(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
        amount: Money | None = getattr(snapshot, name)
        return None if amount is None else unscaled(amount.fen, 2)

    return value


def _rate_field(name: str) -> MetricFunction:
    def value(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
        rate: Rate | None = getattr(snapshot, name)
        return None if rate is None else rate.value

    return value


def _count_field(name: str) -> MetricFunction:
    def value(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
        number: int | None = getattr(snapshot, name)
        return None if number is None else Decimal(int(number))

    return value


def _score_field(name: str) -> MetricFunction:
    def value(snapshot: SkuSnapshot, context: ScoringContext) -> Decimal | None:
        number: Decimal | None = getattr(snapshot, name)
        return None if number is None else on_grid(number, RATE_PLACES)

    return value


def _field_kind(name: str) -> tuple[Callable[[str], MetricFunction], int, str]:
    sample = attrs.fields_dict(SkuSnapshot)[name]
    annotation = str(sample.type)
    if "Money" in annotation:
        return _money_field, 2, "yuan"
    if "Rate" in annotation:
        return _rate_field, RATE_PLACES, "rate"
    if "bool" in annotation:
        return _count_field, 0, "flag"
    if "int" in annotation:
        return _count_field, 0, "count"
    return _score_field, RATE_PLACES, "score"


_DERIVED_UNITS: Final[dict[str, Callable[[SkuSnapshot, ScoringContext], int | None]]] = {
    "price_vs_category_median": _price_vs_category_median_units,
    "price_vs_lowest_30d": _price_vs_lowest_30d_units,
    "price_vs_reference": _price_vs_reference_units,
    "commission_vs_category_median": _commission_vs_category_median_units,
    "gmv_percentile_in_category": _gmv_percentile_in_category_units,
    "sales_growth": _sales_growth_units,
    "days_in_pool": _days_in_pool_units,
    "lowest_sub_score": _lowest_sub_score_units,
}


def _score_units(name: str) -> Callable[[SkuSnapshot, ScoringContext], int | None]:
    def units(snapshot: SkuSnapshot, context: ScoringContext) -> int | None:
        number: Decimal | None = getattr(snapshot, name)
        return None if number is None else int(_scaleb(on_grid(number, RATE_PLACES), RATE_PLACES))

    return units


#: Per built-in metric, how a compiled scorecard (:mod:`fenxiao.scoring.compiled`) reads its grid units, the int
#: ``value * 10**places`` (``None``: unavailable), without forming the Decimal: ``("fen", field)``,
#: ``("ppm", field)`` or ``("int", field)`` for a snapshot field read in line, ``("call", units)`` for a function
#: of the snapshot and the context. A registered metric is not here: it is measured through its Decimal and the
#: checks of :meth:`Metric.__call__`.
_UNITS: Final[dict[str, tuple[str, Any]]] = {}
_INLINE: Final[dict[Callable[[str], MetricFunction], str]] = {
    _money_field: "fen",
    _rate_field: "ppm",
    _count_field: "int",
}


def _register_builtins() -> None:
    for name in METRIC_FIELDS:
        factory, places, unit = _field_kind(name)
        description = _FIELD_DESCRIPTIONS.get(name, f"the snapshot's {name.replace('_', ' ')}")
        register_metric(name, factory(name), places=places, unit=unit, description=description)
        inline = _INLINE.get(factory)
        _UNITS[name] = (inline, name) if inline is not None else ("call", _score_units(name))
    derived: tuple[tuple[MetricFunction, int, str, str], ...] = (
        (price_vs_category_median, _RATIO_PLACES, "ratio", "price / the category's median price"),
        (price_vs_lowest_30d, _RATIO_PLACES, "ratio", "price / the product's lowest price in 30 days"),
        (price_vs_reference, _RATIO_PLACES, "ratio", "price / the reference price"),
        (commission_vs_category_median, _RATIO_PLACES, "ratio", "commission rate / the category's median rate"),
        (gmv_percentile_in_category, _RATIO_PLACES, "share", "30-day GMV's percentile rank in the category (0-1)"),
        (sales_growth, _RATIO_PLACES, "ratio", "units in 30 days / units in the 30 days before, minus 1"),
        (days_in_pool, 0, "days", "days since joining the distribution pool"),
        (lowest_sub_score, RATE_PLACES, "score", "the lowest of the goods, logistics and service sub-scores (0-5)"),
    )
    for function, places, unit, description in derived:
        register_metric(function.__name__, function, places=places, unit=unit, description=description)
        _UNITS[function.__name__] = ("call", _DERIVED_UNITS[function.__name__])
    _BUILTIN.update(_REGISTRY)
    for metric in _REGISTRY.values():
        object.__setattr__(metric, "_builtin", True)


_register_builtins()
