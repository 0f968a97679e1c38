"""Category benchmarks by group-by: :func:`build_context_columns`, and :class:`ContextSummary` for partitions.

The columnar twin of :func:`fenxiao.scoring.context.build_context`: the same
:class:`~fenxiao.scoring.context.ScoringContext`
(equal, field for field), computed by sorting ``(category, value)`` pairs instead of looping over snapshots.

For data split over partitions (Dask, Spark, Ray), :func:`summarize_context` reduces one partition to a
:class:`ContextSummary`: per category, each distinct price, commission rate and GMV (and each observed value of
the metrics with category medians) with how many rows hold it.
Summaries merge exactly (:meth:`ContextSummary.merge`, associative and commutative), and
:meth:`ContextSummary.finish` turns the merged summary into the very context one process would have built
from all the rows. A summary is as small as the number of distinct values, and pickles.

>>> import numpy as np
>>> columns = {"category_id": ["c-tea", "c-tea", "c-tea"], "price": [1000, 3000, 2500],
...            "commission_rate": [200_000, 250_000, 300_000], "gmv_30d": [50_000, 0, 9000]}
>>> bench = build_context_columns(columns).benchmark("c-tea")
>>> bench.price_median, bench.commission_median, bench.gmv_values
(Decimal('25'), Decimal('0.25'), (0, 9000, 50000))
>>> left = summarize_context({k: v[:1] for k, v in columns.items()})
>>> right = summarize_context({k: v[1:] for k, v in columns.items()})
>>> left.merge(right).finish() == build_context_columns(columns)
True

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from fenxiao._internal.fixed import EXACT
from fenxiao.columnar._columns import Columns, TextColumn
from fenxiao.columnar._frames import read
from fenxiao.columnar._inputs import UNITS
from fenxiao.columnar._intmath import Int64Array
from fenxiao.domain.ids import CategoryId
from fenxiao.errors import InvalidValueError
from fenxiao.money import DEFAULT_CURRENCY, MAX_FEN, RATE_PLACES
from fenxiao.scoring.context import DEFAULT_MAX_GMV_VALUES, MEDIAN_METRICS, CategoryBenchmark, ScoringContext

__all__ = ["ContextSummary", "build_context_columns", "summarize_context"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@attrs.frozen(eq=False)
class _Counts:
    """Distinct ``(category code, value)`` pairs, sorted, with how many rows hold each."""

    codes: Int64Array
    values: Int64Array
    counts: Int64Array

    @classmethod
    def of(cls, codes: Int64Array, values: Int64Array, weights: Int64Array | None = None) -> _Counts:
        """Count the pairs (each row once, or *weights* times)."""
        if codes.size == 0:
            return cls.empty()
        low = int(values.min())
        span = int(values.max()) - low + 1
        ordered_weights: Int64Array | None = None
        if (int(codes.max()) + 1) * span < 2**62:
            # One int64 key per pair: sorting it is several times faster than a two-key lexsort.
            key = codes * span + (values - low)
            if weights is None:
                ordered = np.sort(key)
            else:
                order = np.argsort(key, kind="stable")
                ordered, ordered_weights = key[order], weights[order]
            sorted_codes, sorted_values = np.divmod(ordered, span)
            sorted_values = sorted_values + low
        else:
            order = np.lexsort((values, codes))
            sorted_codes, sorted_values = codes[order], values[order]
            ordered_weights = None if weights is None else weights[order]
        change = (np.diff(sorted_codes) != 0) | (np.diff(sorted_values) != 0)
        starts = np.flatnonzero(np.concatenate(([True], change)))
        if ordered_weights is None:
            counts = np.diff(np.append(starts, sorted_codes.size))
        else:
            counts = np.add.reduceat(ordered_weights, starts)
        return cls(sorted_codes[starts], sorted_values[starts], counts.astype(np.int64))

    @classmethod
    def empty(cls) -> _Counts:
        """No pairs."""
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing, nothing)

    def relabel(self, mapping: Int64Array) -> _Counts:
        """The same counts with category code ``c`` renamed ``mapping[c]``."""
        return _Counts(mapping[self.codes], self.values, self.counts)

    def merge(self, other: _Counts) -> _Counts:
        """The counts of both (codes in one label space)."""
        return _Counts.of(
            np.concatenate((self.codes, other.codes)),
            np.concatenate((self.values, other.values)),
            np.concatenate((self.counts, other.counts)),
        )

    def at(self, category_start: Int64Array, positions: Int64Array, owner: Int64Array) -> Int64Array:
        """The values at sorted *positions* (0-based within each category) of the categories *owner*."""
        cumulative = np.cumsum(self.counts)
        targets = category_start[owner] + positions
        result: Int64Array = self.values[np.searchsorted(cumulative, targets, side="right")]
        return result


@attrs.frozen(eq=False)
class ContextSummary:
    """A mergeable, exact summary of some rows for the category benchmarks (see the module docstring).

    Attributes:
        labels: The category ids, indexed by the codes in the counts.
        currency: The currency every price and GMV is in.
        as_of: The latest ``observed_at`` seen (``None`` without that column or rows).

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       The observed values of the metrics with category medians (``None`` ones are not counted).
    """

    labels: tuple[str, ...]
    price: _Counts
    commission: _Counts
    gmv: _Counts
    currency: str = DEFAULT_CURRENCY
    as_of: datetime | None = None
    # Per metric of MEDIAN_METRICS that some row observes: its observed values.
    medians: Mapping[str, _Counts] = attrs.field(factory=dict)
    # The 30-day units of the selling rows (units_30d > 0), for the category's median units.
    units: _Counts = attrs.field(factory=_Counts.empty)

    def merge(self, other: ContextSummary) -> ContextSummary:
        """The summary of both summaries' rows.

        Raises:
            InvalidValueError: The summaries are in different currencies.
        """
        if not isinstance(other, ContextSummary):
            raise InvalidValueError("ContextSummary.merge.other", other, "must be a ContextSummary")
        if other.currency != self.currency:
            raise InvalidValueError("ContextSummary.merge.other", other.currency, f"is not in {self.currency}")
        labels = list(self.labels)
        index = {label: i for i, label in enumerate(labels)}
        for label in other.labels:
            if label not in index:
                index[label] = len(labels)
                labels.append(label)
        mapping = np.array([index[label] for label in other.labels] + [-1], dtype=np.int64)
        moments = [m for m in (self.as_of, other.as_of) if m is not None]
        medians: dict[str, _Counts] = {}
        for name in MEDIAN_METRICS:
            mine, theirs = self.medians.get(name), other.medians.get(name)
            if theirs is not None:  # relabelled counts are out of order: merging sorts them again
                medians[name] = (mine if mine is not None else _Counts.empty()).merge(theirs.relabel(mapping))
            elif mine is not None:
                medians[name] = mine
        return ContextSummary(
            tuple(labels),
            self.price.merge(other.price.relabel(mapping)),
            self.commission.merge(other.commission.relabel(mapping)),
            self.gmv.merge(other.gmv.relabel(mapping)),
            self.currency,
            max(moments) if moments else None,
            medians,
            self.units.merge(other.units.relabel(mapping)),
        )

    def finish(self, *, max_gmv_values: int = DEFAULT_MAX_GMV_VALUES) -> ScoringContext:
        """The :class:`~fenxiao.scoring.context.ScoringContext` of every row summarized.

        Args:
            max_gmv_values: As for :func:`fenxiao.scoring.context.build_context`.
        """
        limit = _limit(max_gmv_values)
        ncat = len(self.labels)
        sizes = np.bincount(self.price.codes, weights=self.price.counts, minlength=ncat).astype(np.int64)
        present = np.flatnonzero(sizes > 0)
        if present.size == 0:
            return ScoringContext((), self.currency, self.as_of)
        start = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        n = sizes[present]
        lower, upper = (n - 1) // 2, n // 2
        price_sum = self.price.at(start, lower, present) + self.price.at(start, upper, present)
        rate_sum = self.commission.at(start, lower, present) + self.commission.at(start, upper, present)
        gmv_values = self._gmv_values(start, sizes, present, limit)
        medians = self._medians(ncat)
        units = self._units_medians(ncat)
        benchmarks = []
        for k, code in enumerate(present.tolist()):
            benchmarks.append(
                (
                    self.labels[code],
                    int(n[k]),
                    _plain(EXACT.divide(Decimal(int(price_sum[k])), Decimal(200))),
                    _plain(EXACT.divide(Decimal(int(rate_sum[k])), Decimal(2 * 10**RATE_PLACES))),
                    gmv_values[k],
                    medians.get(code, {}),
                    units.get(code),
                )
            )
        benchmarks.sort(key=lambda b: b[0])
        return ScoringContext(
            tuple(CategoryBenchmark(CategoryId(c), s, p, r, g, m, u) for c, s, p, r, g, m, u in benchmarks),
            self.currency,
            self.as_of,
        )

    def _medians(self, ncat: int) -> dict[int, dict[str, Decimal]]:
        """Per category code, the median of each metric some of its rows observe (exact, as build_context)."""
        found: dict[int, dict[str, Decimal]] = {}
        for name, counts in self.medians.items():
            sizes = np.bincount(counts.codes, weights=counts.counts, minlength=ncat).astype(np.int64)
            observed = np.flatnonzero(sizes > 0)
            if observed.size == 0:
                continue
            start = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
            n = sizes[observed]
            twice = counts.at(start, (n - 1) // 2, observed) + counts.at(start, n // 2, observed)
            for code, total in zip(observed.tolist(), twice.tolist(), strict=True):
                median = _plain(EXACT.divide(Decimal(total), Decimal(2 * 10**RATE_PLACES)))
                found.setdefault(code, {})[name] = median
        return found

    def _units_medians(self, ncat: int) -> dict[int, Decimal]:
        """Per category code with a selling row, its median units (exact, as build_context)."""
        counts = self.units
        sizes = np.bincount(counts.codes, weights=counts.counts, minlength=ncat).astype(np.int64)
        selling = np.flatnonzero(sizes > 0)
        if selling.size == 0:
            return {}
        start = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        n = sizes[selling]
        twice = counts.at(start, (n - 1) // 2, selling) + counts.at(start, n // 2, selling)
        return {
            code: _plain(EXACT.divide(Decimal(total), Decimal(2)))
            for code, total in zip(selling.tolist(), twice.tolist(), strict=True)
        }

    def _gmv_values(
        self, start: Int64Array, sizes: Int64Array, present: Int64Array, limit: int
    ) -> list[tuple[int, ...]]:
        counts = self.gmv
        result: list[tuple[int, ...]] = []
        cumulative = np.cumsum(counts.counts)
        for code in present.tolist():
            n = int(sizes[code])
            if n <= limit:
                first = int(np.searchsorted(counts.codes, code, side="left"))
                last = int(np.searchsorted(counts.codes, code, side="right"))
                result.append(tuple(np.repeat(counts.values[first:last], counts.counts[first:last]).tolist()))
            else:
                i = np.arange(limit, dtype=np.int64)
                positions = (2 * i + 1) * n // (2 * limit) + int(start[code])
                result.append(tuple(counts.values[np.searchsorted(cumulative, positions, side="right")].tolist()))
        return result


def _limit(max_gmv_values: int) -> int:
    value: object = max_gmv_values
    if type(value) is not int or not 1 <= max_gmv_values <= 10**9:
        raise InvalidValueError("max_gmv_values", value, "must be a whole number between 1 and 1000000000")
    return max_gmv_values


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without exponent notation (as :func:`~fenxiao.scoring.context.build_context` writes)."""
    normal = value.normalize(EXACT)
    return normal.quantize(Decimal(1), context=EXACT) if normal == normal.to_integral_value(context=EXACT) else normal


def _summary(
    columns: Columns, currency: str, as_of: datetime | None, wanted: frozenset[str] = frozenset(MEDIAN_METRICS)
) -> ContextSummary:
    """The summary of *columns*, with the observed values of the metrics *wanted* (every one by default)."""
    category: TextColumn = columns.text("category_id")
    if (category.codes < 0).any():
        i = int(np.flatnonzero(category.codes < 0)[0])
        raise InvalidValueError(f"{columns.path('category_id')}[{i}]", None, "must not be missing")
    codes = category.codes
    price = columns.ints("price", 2, low=-MAX_FEN, high=MAX_FEN).values
    rate = columns.ints("commission_rate", 6, low=0, high=10**6, default=0).values
    gmv = columns.ints("gmv_30d", 2, low=-MAX_FEN, high=MAX_FEN, default=0).values
    if as_of is None and "observed_at" in columns and columns.length:
        latest = int(columns.micros("observed_at").values.max())
        as_of = _EPOCH + timedelta(microseconds=latest)
    units = _Counts.empty()
    if "units_30d" in columns:
        unit = UNITS["units_30d"]
        sold = columns.ints("units_30d", unit.places, low=unit.low, high=unit.high).values
        selling = sold > 0
        units = _Counts.of(codes[selling], sold[selling]) if selling.any() else units
    medians: dict[str, _Counts] = {}
    for name in MEDIAN_METRICS:
        if name in columns and name in wanted:
            unit = UNITS[name]
            column = columns.ints(name, unit.places, low=unit.low, high=unit.high, nullable=True)
            if column.valid is None:
                medians[name] = _Counts.of(codes, column.values)
            elif column.valid.any():
                medians[name] = _Counts.of(codes[column.valid], column.values[column.valid])
    return ContextSummary(
        category.labels,
        _Counts.of(codes, price),
        _Counts.of(codes, rate),
        _Counts.of(codes, gmv),
        currency,
        as_of,
        medians,
        units,
    )


def summarize_context(columns: Any, *, currency: str = DEFAULT_CURRENCY) -> ContextSummary:
    """Summarize one partition of SKU rows for the category benchmarks.

    Reads ``category_id`` (text), ``price`` and ``gmv_30d`` (fen), ``commission_rate`` (ppm) and, when
    present, ``units_30d`` (the median units of the selling rows), ``observed_at`` and the columns of the metrics
    with category medians
    (:data:`~fenxiao.scoring.context.MEDIAN_METRICS`; rates in ppm, shop scores in millionths; missing values
    are unobserved and not counted).

    Args:
        columns: A mapping of column names to arrays, or a pandas, polars or pyarrow frame.
        currency: The currency of every price and GMV in the rows.

    .. versionadded:: 0.1
    """
    source, _ = read(columns, "columns")
    return _summary(source, _currency(currency), None)


def _currency(currency: str) -> str:
    value: object = currency
    if not isinstance(value, str) or len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise InvalidValueError("currency", value, "must be a three-letter code like 'CNY'")
    return currency


def build_context_columns(
    columns: Any,
    *,
    max_gmv_values: int = DEFAULT_MAX_GMV_VALUES,
    currency: str = DEFAULT_CURRENCY,
) -> ScoringContext:
    """The category benchmarks of a batch of SKU rows: equal to :func:`fenxiao.scoring.context.build_context` on the
    same snapshots.

    Args:
        columns: A mapping of column names to arrays, or a pandas, polars or pyarrow frame, with
            ``category_id``, ``price``, ``commission_rate``, ``gmv_30d`` and optionally ``units_30d``,
            ``observed_at`` and the
            metrics with category medians (:data:`~fenxiao.scoring.context.MEDIAN_METRICS`).
        max_gmv_values: How many GMV values a category keeps at most (an evenly spaced sample beyond).
        currency: The currency of the rows (recorded on the context).

    .. versionadded:: 0.1
    """
    source, _ = read(columns, "columns")
    return _summary(source, _currency(currency), None).finish(max_gmv_values=max_gmv_values)


def context_arrays(context: ScoringContext, labels: tuple[str, ...], currency: str) -> _Benchmarks:
    """The context's benchmarks for categories *labels*, as arrays indexed by category code (internal)."""
    found = [context.benchmark(label) if context.currency == currency else None for label in labels]
    present = np.array([b is not None for b in found] + [False], dtype=np.bool_)
    price_half = np.array([b.price_median_half_fen if b else 0 for b in found] + [0], dtype=np.int64)
    rate_half = np.array([b.commission_median_half_ppm if b else 0 for b in found] + [0], dtype=np.int64)
    gmv: list[Int64Array] = [np.array(b.gmv_values if b else (), dtype=np.int64) for b in found]
    medians: dict[str, tuple[NDArray[np.bool_], Int64Array]] = {}
    for name in MEDIAN_METRICS:
        halves = [None if b is None else b.median_half_units(name) for b in found]
        if any(h is not None for h in halves):
            medians[name] = (
                np.array([h is not None for h in halves] + [False], dtype=np.bool_),
                np.array([0 if h is None else h for h in halves] + [0], dtype=np.int64),
            )
    units_twice = np.array([(b.units_median_twice or 0) if b else 0 for b in found] + [0], dtype=np.int64)
    return _Benchmarks(present, price_half, rate_half, gmv, medians, units_twice)


@attrs.frozen(eq=False)
class _Benchmarks:
    """Per category code (the last entry stands for a missing category): benchmarks as arrays."""

    present: NDArray[np.bool_]
    price_half_fen: Int64Array
    commission_half_ppm: Int64Array
    gmv_values: list[Int64Array]
    # Per metric with a median in some category: where a category has one, and twice the median in its units.
    medians: dict[str, tuple[NDArray[np.bool_], Int64Array]] = attrs.field(factory=dict)
    # Twice the median units of each category's selling goods (0: none sells, or no benchmark).
    units_median_twice: Int64Array = attrs.field(factory=lambda: np.zeros(1, dtype=np.int64))
    _keys: list[tuple[Int64Array, Int64Array, int]] = attrs.field(factory=list)

    def gmv_keys(self) -> tuple[Int64Array, Int64Array, int]:
        """Every category's GMV sample end to end as one sorted array of keys ``code * span + gmv + MAX_FEN``,
        where each category's sample starts, and the span.

        GMVs lie within ±MAX_FEN, so ``span = 2 * MAX_FEN + 1`` keeps the categories apart; keys fit in int64
        for up to 2,305 categories, and beyond that the categories are searched one by one.
        """
        if not self._keys:
            sizes = np.array([v.size for v in self.gmv_values] + [0], dtype=np.int64)
            starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
            span = 2 * MAX_FEN + 1
            if len(sizes) * span >= 2**63:
                raise InvalidValueError("context", len(sizes), "has too many categories for one search")
            owner = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
            samples = np.concatenate([*self.gmv_values, np.zeros(0, dtype=np.int64)])
            self._keys.append((owner * span + samples + MAX_FEN, starts, span))
        return self._keys[0]
