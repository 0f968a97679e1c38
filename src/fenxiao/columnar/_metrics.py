"""Metrics over whole columns (private): every built-in metric of :mod:`fenxiao.scoring.metrics`, vectorized.

A metric column is an int64 array of grid units (``value * 10**places``) and a mask of where it is
available. The derived metrics call the formulas the object path calls (:mod:`fenxiao.scoring.formulas`) on
whole columns. Ratios are rounded half to even onto their grid from exact integers, as the object path does,
and clipped just beyond the largest breakpoint a scorecard may hold (which changes no score or cap).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final

import attrs
import numpy as np

from fenxiao._internal.fixed import EXACT
from fenxiao.columnar._inputs import UNITS, Input, Inputs
from fenxiao.columnar._intmath import BoolArray, Int64Array, div_round, ratio_half_even
from fenxiao.columnar.context import _Benchmarks, context_arrays
from fenxiao.domain.ids import CategoryId, SkuId
from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.money import MAX_FEN, Money, Rate, Rounding
from fenxiao.rules.arrays import IntColumn
from fenxiao.scoring import formulas
from fenxiao.scoring.context import ScoringContext
from fenxiao.scoring.metrics import Metric, get_metric
from fenxiao.scoring.scorecards import MAX_BREAKPOINT_UNITS

_RATIO_PLACES: Final = formulas.RATIO_PLACES
# Ratios are clipped here: one unit beyond any breakpoint or cap bound, so every comparison keeps its outcome.
_RATIO_LIMIT: Final = MAX_BREAKPOINT_UNITS + 1
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@attrs.frozen(eq=False)
class MetricColumn:
    """A metric in grid units and where it is available (``None``: everywhere)."""

    units: Int64Array
    valid: BoolArray | None


def is_native(name: str) -> bool:
    """Whether metric *name* has a columnar form (else it is measured row by row through the object path)."""
    return name in METRIC_FIELDS or hasattr(MetricColumns, f"_m_{name}")


class MetricColumns:
    """The metrics of a batch of rows, computed on first use against *context*."""

    def __init__(
        self,
        inputs: Inputs,
        context: ScoringContext,
        currency: str,
        shared: dict[int, tuple[tuple[str, ...], _Benchmarks]] | None = None,
    ) -> None:
        self.inputs = inputs
        self.context = context
        self.currency = currency
        self._cache: dict[str, MetricColumn] = {}
        self._bench: _Benchmarks | None = None
        # The benchmarks as arrays, by category labels: the chunks of one call share them.
        self._shared = shared if shared is not None else {}
        self._snapshots: list[SkuSnapshot] | None = None

    def __getitem__(self, name: str) -> MetricColumn:
        found = self._cache.get(name)
        if found is None:
            found = self._compute(name)
            self._cache[name] = found
        return found

    # -- helpers ----------------------------------------------------------------------------------------

    def _number(self, name: str) -> MetricColumn:
        column = self.inputs[name]
        if column.flags is not None:
            return MetricColumn(column.flags.astype(np.int64), None)
        if column.numbers is None:  # pragma: no cover - text inputs are never metrics
            raise InvalidValueError(f"columns.{name}", None, "is not a number")
        return MetricColumn(column.numbers.values, column.numbers.valid)

    def _benchmarks(self) -> tuple[_Benchmarks, Int64Array]:
        text = self.inputs["category_id"].text
        if text is None:  # pragma: no cover - category_id is always text
            raise InvalidValueError("columns.category_id", None, "must be text")
        if self._bench is None:
            found = self._shared.get(id(text.labels))
            if found is None or found[0] is not text.labels:
                found = (text.labels, context_arrays(self.context, text.labels, self.currency))
                self._shared[id(text.labels)] = found
            self._bench = found[1]
        return self._bench, text.codes

    def _ratio(self, terms: tuple[Int64Array, Int64Array], known: BoolArray | None = None) -> MetricColumn:
        """The ratio of *terms* where its operands are *known* (everywhere: ``None``) and it is defined."""
        num, den = terms
        valid = formulas.defined(den) if known is None else known & formulas.defined(den)
        safe_den = np.where(valid, den, 1)
        units = ratio_half_even(np.where(valid, num, 0), safe_den, _RATIO_PLACES, _RATIO_LIMIT)
        return MetricColumn(units, None if bool(valid.all()) else valid)

    def median(self, name: str) -> tuple[Int64Array, BoolArray]:
        """Per row, the category median of metric *name* in grid units (rounded half to even) and where the
        row's category has one in the context (:meth:`~fenxiao.scoring.context.CategoryBenchmark.median_half_units`).
        """
        bench, codes = self._benchmarks()
        found = bench.medians.get(name)
        if found is None:
            n = self.inputs.length
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.bool_)
        present, halves = found
        return div_round(halves[codes], 2, Rounding.HALF_EVEN), present[codes]

    def units_vs_category(self) -> IntColumn:
        """The tier input ``units_vs_category`` per row: 30-day units as a whole percent of the category's median
        units (selling goods), floored; missing where the row's category has no such median
        (:func:`fenxiao.grading.inputs.units_vs_category` on the object path)."""
        bench, codes = self._benchmarks()
        units = self.inputs["units_30d"].numbers
        if units is None:  # pragma: no cover - units_30d is a number input
            raise InvalidValueError("columns.units_30d", None, "must be a number")
        twice = bench.units_median_twice[codes]
        valid = formulas.defined(twice)
        percent = formulas.units_percent_of_category_median(np.where(valid, units.values, 0), np.where(valid, twice, 1))
        return IntColumn(np.where(valid, percent, 0), None if bool(valid.all()) else valid)

    def _valid(self, name: str) -> BoolArray:
        valid = self.inputs[name].valid
        return np.ones(self.inputs.length, dtype=np.bool_) if valid is None else valid

    # -- the metrics ------------------------------------------------------------------------------------

    def _compute(self, name: str) -> MetricColumn:
        if name in METRIC_FIELDS:
            return self._number(name)
        compute: Callable[[], MetricColumn] | None = getattr(self, f"_m_{name}", None)
        if compute is not None:
            return compute()
        return self._looped(get_metric(name))

    def _m_price_vs_category_median(self) -> MetricColumn:
        bench, codes = self._benchmarks()
        price = self._number("price").units
        return self._ratio(formulas.price_vs_category_median(price, bench.price_half_fen[codes]), bench.present[codes])

    def _m_commission_vs_category_median(self) -> MetricColumn:
        bench, codes = self._benchmarks()
        rate = self._number("commission_rate").units
        terms = formulas.commission_vs_category_median(rate, bench.commission_half_ppm[codes])
        return self._ratio(terms, bench.present[codes])

    def _own_price_ratio(self, reference: str) -> MetricColumn:
        price = self._number("price").units
        return self._ratio(formulas.price_vs_other_price(price, self._number(reference).units), self._valid(reference))

    def _m_price_vs_lowest_30d(self) -> MetricColumn:
        return self._own_price_ratio("lowest_price_30d")

    def _m_price_vs_reference(self) -> MetricColumn:
        return self._own_price_ratio("reference_price")

    def _m_sales_growth(self) -> MetricColumn:
        units = self._number("units_30d").units
        previous = self._number("units_prev_30d").units
        return self._ratio(formulas.sales_growth(units, previous))

    def _m_days_in_pool(self) -> MetricColumn:
        return self._number("days_in_pool")

    def _m_lowest_sub_score(self) -> MetricColumn:
        best = np.full(self.inputs.length, np.iinfo(np.int64).max, dtype=np.int64)
        any_present = np.zeros(self.inputs.length, dtype=np.bool_)
        for name in formulas.SUB_SCORES:
            present = self._valid(name)
            best = np.minimum(best, np.where(present, self._number(name).units, best))
            any_present |= present
        return MetricColumn(np.where(any_present, best, 0), None if bool(any_present.all()) else any_present)

    def _m_gmv_percentile_in_category(self) -> MetricColumn:
        bench, codes = self._benchmarks()
        gmv = self._number("gmv_30d").units
        valid = bench.present[codes]
        keys, starts, span = bench.gmv_keys()
        # One search for all rows: the samples lie end to end, each category in its own range of keys.
        row_keys = codes * span + (gmv + MAX_FEN)  # a missing category (-1) sorts below every key: not valid
        row_start = starts[codes]
        below = np.searchsorted(keys, row_keys, side="left") - row_start
        upto = np.searchsorted(keys, row_keys, side="right") - row_start
        sizes = starts[1:] - starts[:-1]
        terms = formulas.gmv_percentile_in_category(below, upto, sizes[codes])
        return self._ratio(terms, valid)

    # -- anything else: the object path, one row at a time ----------------------------------------------

    def _looped(self, metric: Metric) -> MetricColumn:
        snapshots = self.snapshots()
        units = np.zeros(len(snapshots), dtype=np.int64)
        valid = np.ones(len(snapshots), dtype=np.bool_)
        for i, snapshot in enumerate(snapshots):
            measured = metric.measure(snapshot, self.context)
            if measured is None:
                valid[i] = False
            else:
                units[i] = measured[1]
        return MetricColumn(units, None if bool(valid.all()) else valid)

    def snapshots(self) -> list[SkuSnapshot]:
        """The rows as snapshots, for plug-ins and metrics without a columnar form (slow; built once)."""
        if self._snapshots is None:
            self._snapshots = rebuild_snapshots(self.inputs)
        return self._snapshots


def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def rebuild_snapshots(inputs: Inputs) -> list[SkuSnapshot]:
    """The rows of *inputs* as :class:`~fenxiao.domain.snapshots.SkuSnapshot` values.

    ``observed_at`` comes from its column or ``as_of``; ``joined_at`` from its column, or ``days_in_pool`` /
    ``days_since_joining`` days before; metrics without a column take the snapshot's defaults.
    """
    n = inputs.length
    columns = inputs.columns
    sku = inputs["sku_id"].text if "sku_id" in columns else None
    category = inputs["category_id"].text
    if category is None or (category.codes < 0).any():
        raise InvalidValueError("columns.category_id", None, "is needed (and complete) to rebuild snapshots")
    if "observed_at" in columns:
        observed = [_moment(m) for m in _micros(inputs, "observed_at")]
    elif inputs.as_of is not None:
        observed = [inputs.as_of] * n
    else:
        raise InvalidValueError("columns.observed_at", None, "or as_of is needed to rebuild snapshots")
    if "joined_at" in columns:
        joined = [_moment(m) for m in _micros(inputs, "joined_at")]
    else:
        days_name = "days_in_pool" if inputs.has("days_in_pool") else "days_since_joining"
        days_column = inputs[days_name].numbers if inputs.has(days_name) else None
        days = days_column.values.tolist() if days_column is not None else [0] * n
        joined = [o - timedelta(days=d) for o, d in zip(observed, days, strict=True)]
    fields: dict[str, list[object]] = {}
    for name in METRIC_FIELDS:
        if name not in columns:
            continue
        fields[name] = _objects(inputs, name)
    sku_labels = sku.labels if sku is not None else ()
    result = []
    for i in range(n):
        sku_id = sku_labels[sku.codes[i]] if sku is not None and sku.codes[i] >= 0 else f"row-{i}"
        values = {name: column[i] for name, column in fields.items()}
        result.append(
            SkuSnapshot(
                sku_id=SkuId(sku_id),
                category_id=CategoryId(category.labels[category.codes[i]]),
                observed_at=observed[i],
                joined_at=joined[i],
                **values,  # type: ignore[arg-type]  # each field's own type, built by _objects
            )
        )
    return result


def _micros(inputs: Inputs, name: str) -> list[int]:
    numbers = inputs[name].numbers
    if numbers is None:  # pragma: no cover - instants are numbers
        raise InvalidValueError(f"columns.{name}", None, "must be datetimes")
    values: list[int] = numbers.values.tolist()
    return values


def _objects(inputs: Inputs, name: str) -> list[object]:
    column = inputs[name]
    if column.flags is not None:
        return [bool(f) for f in column.flags.tolist()]
    numbers = column.numbers
    if numbers is None:  # pragma: no cover - text inputs are not metric fields
        raise InvalidValueError(f"columns.{name}", None, "is not a number")
    values = numbers.values.tolist()
    valid = numbers.valid.tolist() if numbers.valid is not None else [True] * len(values)
    places = column.unit.places
    kind = str(attrs.fields_dict(SkuSnapshot)[name].type)
    out: list[object] = []
    for value, ok in zip(values, valid, strict=True):
        if not ok:
            out.append(None)
        elif "Money" in kind:
            out.append(Money(value))
        elif "Rate" in kind:
            out.append(Rate.from_ppm(value))
        elif "Decimal" in kind:
            out.append(Decimal(value).scaleb(-places, context=EXACT))
        else:
            out.append(value)
    return out


def set_context_inputs(view: Inputs, metrics: MetricColumns) -> None:
    """Give *view* the tier inputs read against the context (``units_vs_category``), as the object path's
    :func:`~fenxiao.grading.inputs.tier_inputs` does; left missing without a ``units_30d`` column."""
    if "units_30d" in view.columns:
        view.set("units_vs_category", Input(UNITS["units_vs_category"], numbers=metrics.units_vs_category()))
