"""Columnar scoring: the five dimension scores and the composite of every row, in int64 hundredths of a point.

A :class:`~fenxiao.scoring.five.FiveDimensionScorer` whose dimensions are declarative scorecards compiles to array
arithmetic: each metric is a column of grid units, each :class:`~fenxiao.scoring.scorecards.MetricRule` a piecewise-
linear interpolation evaluated exactly as the object path does (see :mod:`fenxiao.scoring.scorecards`: the same
integers, the same half-to-even rounding), weighted means and caps per dimension, and the composite. The
result equals :meth:`FiveDimensionScorer.score_many <fenxiao.scoring.FiveDimensionScorer.score_many>` on every
row, to the hundredth.

Plug-ins keep working. A dimension scorer may offer ``score_columns(columns, context)`` (see
:class:`ColumnarDimensionScorer`) and is then called once per chunk with a :class:`SkuColumns` view. One
without it is called through the object path: the rows are rebuilt as snapshots and scored with its
``score_batch`` or, failing that, ``score`` one row at a time — correct, and as slow as the object path. A
metric registered with :func:`fenxiao.scoring.metrics.register_metric` is measured the same way.

>>> from fenxiao.sample import load_sample
>>> from fenxiao.scoring.defaults import default_scorer
>>> from fenxiao.columnar import snapshot_columns
>>> snapshots = load_sample().latest_snapshots()
>>> scores = score_columns(snapshot_columns(snapshots))
>>> cards = default_scorer().score_many(snapshots)
>>> [int(c.composite * 100) for c in cards[:3]] == scores["composite"][:3].tolist()
True

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Protocol, runtime_checkable

import attrs
import numpy as np
from numpy.typing import NDArray

from fenxiao._internal.fixed import EXACT, ONE_PPM
from fenxiao._internal.progress import Progress, chunks, reporter
from fenxiao.columnar._columns import CodedText
from fenxiao.columnar._frames import read, write
from fenxiao.columnar._inputs import Inputs
from fenxiao.columnar._intmath import BoolArray, Int64Array, div_round
from fenxiao.columnar._metrics import MetricColumns, is_native
from fenxiao.columnar.context import _summary
from fenxiao.errors import InvalidValueError, PluginError
from fenxiao.money import DEFAULT_CURRENCY, Rounding
from fenxiao.scoring.context import MEDIAN_METRICS, ScoringContext
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import Dimension, DimensionScore
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.metrics import get_metric
from fenxiao.scoring.plugins import DimensionScorer
from fenxiao.scoring.scorecards import MEDIAN, MetricRule, ScorecardScorer

__all__ = [
    "SCORE_COLUMNS",
    "ColumnarDimensionScorer",
    "SkuColumns",
    "score_columns",
]

#: The columns :func:`score_columns` writes, in hundredths of a point (int64): the five dimensions, the composite.
SCORE_COLUMNS: Final = (*(f"score.{d.value}" for d in Dimension), "composite")
#: Rows per chunk.
DEFAULT_CHUNK_ROWS: Final = 1 << 18
_HUNDRED_CENTI: Final = 10_000


class SkuColumns:
    """What a columnar plug-in sees: the rows of one chunk, each input in its columnar unit.

    .. versionadded:: 0.1
    """

    def __init__(self, metrics: MetricColumns) -> None:
        self._metrics = metrics

    def __len__(self) -> int:
        return self._metrics.inputs.length

    @property
    def sku_ids(self) -> list[str | None]:
        """The rows' SKU ids (``None`` where the batch has none)."""
        inputs = self._metrics.inputs
        if "sku_id" not in inputs.columns:
            return [None] * inputs.length
        text = inputs["sku_id"].text
        if text is None:  # pragma: no cover - sku_id is text
            return [None] * inputs.length
        return CodedText(text.codes, text.labels).decode()

    def metric(self, name: str) -> tuple[Int64Array, BoolArray]:
        """Metric *name* (any registered metric, derived ones included) in grid units, and where it is available."""
        column = self._metrics[name]
        valid = np.ones(len(self), dtype=np.bool_) if column.valid is None else column.valid
        return column.units, valid

    def flags(self, name: str) -> BoolArray:
        """A flag input (``brand_registered`` ...)."""
        column = self._metrics.inputs[name]
        if column.flags is None:
            raise InvalidValueError(f"columns.{name}", None, "is not a flag")
        return column.flags

    def text(self, name: str) -> CodedText:
        """A text input (``category_id`` ...) as codes and labels."""
        column = self._metrics.inputs[name]
        if column.text is None:
            raise InvalidValueError(f"columns.{name}", None, "is not text")
        return CodedText(column.text.codes, column.text.labels)


@runtime_checkable
class ColumnarDimensionScorer(Protocol):
    """A dimension scorer that can also score whole columns (optional; see the module docstring).

    ``score_columns`` returns one score per row in hundredths of a point (0 to 10,000), equal to what
    ``score`` gives each row as a snapshot.

    .. versionadded:: 0.1
    """

    @property
    def name(self) -> str:
        """A name for messages."""
        ...

    @property
    def dimension(self) -> Dimension:
        """The dimension it scores."""
        ...

    def score_columns(self, columns: SkuColumns, context: ScoringContext) -> NDArray[np.integer[Any]]:
        """The scores of the rows of *columns*, in hundredths of a point."""
        ...


# -- compiled scorecards -------------------------------------------------------------------------------------


def _centi(points: Decimal | str | None) -> int | None:
    """Points (validated: at most two places) in hundredths."""
    return None if not isinstance(points, Decimal) else int(points.scaleb(2, context=EXACT))


@attrs.frozen(eq=False)
class _Rule:
    """One metric rule as arrays: breakpoints, per-segment linear terms, cap, weight, missing points."""

    metric: str
    xs: Int64Array
    intercept: Int64Array  # Y_k * x_{k+1} - Y_{k+1} * x_k, per segment
    slope: Int64Array  # Y_{k+1} - Y_k, per segment
    span: Int64Array  # x_{k+1} - x_k, per segment
    y_first: int
    y_last: int
    cap: int | None
    weight: int
    missing: int | None
    median: bool

    @classmethod
    def of(cls, rule: MetricRule) -> _Rule:
        pairs = rule.integer_breakpoints
        xs = np.array([x for x, _ in pairs], dtype=np.int64)
        ys = np.array([y for _, y in pairs], dtype=np.int64)
        return cls(
            rule.metric,
            xs,
            ys[:-1] * xs[1:] - ys[1:] * xs[:-1],
            ys[1:] - ys[:-1],
            xs[1:] - xs[:-1],
            int(ys[0]),
            int(ys[-1]),
            _centi(rule.cap),
            rule.weight_ppm,
            None if rule.missing == MEDIAN else _centi(rule.missing),
            rule.missing == MEDIAN,
        )

    def points(self, units: Int64Array) -> Int64Array:
        """Hundredths of a point for metric values in grid units (the object path's integer algorithm).

        Between breakpoints, ``(Y_k (x_{k+1} - M) + Y_{k+1} (M - x_k)) / (x_{k+1} - x_k)`` is written as
        ``(intercept_k + slope_k * M) / span_k``: the same integer, rounded half to even.
        """
        xs = self.xs
        clipped = np.clip(units, xs[0], xs[-1])
        segment = np.minimum(np.searchsorted(xs, clipped, side="right") - 1, xs.size - 2)
        numerator = self.intercept[segment] + self.slope[segment] * clipped
        result = div_round(numerator, self.span[segment], Rounding.HALF_EVEN)
        if self.cap is not None:
            np.minimum(result, self.cap, out=result)
        return result


@attrs.frozen(eq=False)
class _CapRule:
    metric: str
    low: int | None
    high: int | None
    limit: int


def _compile(scorer: ScorecardScorer) -> tuple[list[_Rule], list[_CapRule]]:
    card = scorer.scorecard
    rules = [_Rule.of(rule) for rule in card.rules]
    caps = []
    for cap in card.caps:
        places = get_metric(cap.metric).places
        low = None if cap.at_least is None else int(cap.at_least.scaleb(places, context=EXACT))
        high = None if cap.at_most is None else int(cap.at_most.scaleb(places, context=EXACT))
        caps.append(_CapRule(cap.metric, low, high, cap.limit_units))
    return rules, caps


def _scorecard_centi(rules: list[_Rule], caps: list[_CapRule], metrics: MetricColumns, n: int) -> Int64Array:
    total = np.zeros(n, dtype=np.int64)
    weights = np.zeros(n, dtype=np.int64)
    for rule in rules:
        column = metrics[rule.metric]
        points = rule.points(column.units)
        if column.valid is None:
            total += rule.weight * points
            weights += rule.weight
        elif rule.median:
            # Unobserved rows score the category's median where their category has one, else are left out.
            median, known = metrics.median(rule.metric)
            points = np.where(column.valid, points, rule.points(median))
            counted = column.valid | known
            total += np.where(counted, rule.weight * points, 0)
            weights += np.where(counted, rule.weight, 0)
        elif rule.missing is None:
            total += np.where(column.valid, rule.weight * points, 0)
            weights += np.where(column.valid, rule.weight, 0)
        else:
            total += rule.weight * np.where(column.valid, points, rule.missing)
            weights += rule.weight
    result = np.where(weights > 0, div_round(total, np.maximum(weights, 1), Rounding.HALF_EVEN), 0)
    for cap in caps:
        column = metrics[cap.metric]
        applies = np.ones(n, dtype=np.bool_) if column.valid is None else column.valid.copy()
        if cap.low is not None:
            applies &= column.units >= cap.low
        if cap.high is not None:
            applies &= column.units <= cap.high
        result = np.where(applies, np.minimum(result, cap.limit), result)
    return result


# -- plug-ins ----------------------------------------------------------------------------------------------


def _name(scorer: object) -> str:
    name = getattr(scorer, "name", None)
    return name if isinstance(name, str) and name else repr(scorer)


def _plugin_centi(scorer: DimensionScorer, dimension: Dimension, metrics: MetricColumns, n: int) -> Int64Array:
    score_columns_method = getattr(scorer, "score_columns", None)
    if callable(score_columns_method):
        view = SkuColumns(metrics)
        try:
            raw: object = score_columns_method(view, metrics.context)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(_name(scorer), None, f"score_columns raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(raw, np.ndarray) or raw.shape != (n,) or raw.dtype.kind not in "iu":
            shape = getattr(raw, "shape", None)
            raise PluginError(_name(scorer), None, f"score_columns must return {n} integers, got shape {shape}")
        values = raw.astype(np.int64, copy=False)
        bad = (values < 0) | (values > _HUNDRED_CENTI)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise PluginError(_name(scorer), view.sku_ids[i], f"returned {int(values[i])} hundredths, outside 0-10000")
        return values
    snapshots = metrics.snapshots()
    results = _looped(scorer, snapshots, metrics.context)
    out = np.empty(n, dtype=np.int64)
    for i, (result, snapshot) in enumerate(zip(results, snapshots, strict=True)):
        out[i] = _checked_centi(result, scorer, dimension, snapshot.sku_id)
    return out


def _looped(scorer: DimensionScorer, snapshots: list[Any], context: ScoringContext) -> list[object]:
    score_batch = getattr(scorer, "score_batch", None)
    if callable(score_batch) and snapshots:
        try:
            results = list(score_batch(snapshots, context))
        except Exception:  # re-run one SKU at a time, so that the error names the SKU
            results = None
        if results is not None and len(results) == len(snapshots):
            return results
    found: list[object] = []
    for snapshot in snapshots:
        try:
            found.append(scorer.score(snapshot, context))
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(_name(scorer), snapshot.sku_id, f"raised {type(exc).__name__}: {exc}") from exc
    return found


def _checked_centi(result: object, scorer: object, dimension: Dimension, sku_id: str) -> int:
    if not isinstance(result, DimensionScore):
        raise PluginError(_name(scorer), sku_id, f"returned {type(result).__name__} {result!r}, not a DimensionScore")
    if result.dimension is not dimension:
        problem = f"returned a {result.dimension.value} score, but it scores {dimension.value}"
        raise PluginError(_name(scorer), sku_id, problem)
    value: object = result.value
    if not isinstance(value, Decimal) or not 0 <= value <= 100 or value.as_tuple().exponent != -2:
        raise PluginError(_name(scorer), sku_id, f"returned the value {value!r}, outside 0.00-100.00")
    return int(value.scaleb(2, context=EXACT))


# -- the scorer as a whole ------------------------------------------------------------------------------


class CompiledScorer:
    """A :class:`~fenxiao.scoring.five.FiveDimensionScorer` ready for columns (internal)."""

    def __init__(self, scorer: FiveDimensionScorer) -> None:
        if not isinstance(scorer, FiveDimensionScorer):
            raise InvalidValueError("scorer", scorer, "must be a FiveDimensionScorer")
        self.scorer = scorer
        self.weights = scorer.weights.ppm
        self.parts: list[tuple[Dimension, DimensionScorer, tuple[list[_Rule], list[_CapRule]] | None]] = []
        for dimension, part in zip(Dimension, scorer.scorers, strict=True):
            compiled = _compile(part) if type(part) is ScorecardScorer else None
            self.parts.append((dimension, part, compiled))

    def metric_names(self) -> frozenset[str]:
        """Every metric the scorecards name."""
        names: set[str] = set()
        for _, _, compiled in self.parts:
            if compiled is not None:
                rules, caps = compiled
                names |= {r.metric for r in rules} | {c.metric for c in caps}
        return frozenset(names)

    def median_metrics(self) -> tuple[str, ...]:
        """The metrics whose category medians scoring may read: those of the rules in median mode; every one of
        :data:`~fenxiao.scoring.context.MEDIAN_METRICS` when a plug-in or a metric without a columnar form (which
        see the whole context) takes part."""
        names: set[str] = set()
        for _, _, compiled in self.parts:
            if compiled is None:
                return MEDIAN_METRICS
            rules, caps = compiled
            if not all(is_native(r.metric) for r in rules) or not all(is_native(c.metric) for c in caps):
                return MEDIAN_METRICS
            names |= {r.metric for r in rules if r.median}
        return tuple(name for name in MEDIAN_METRICS if name in names)

    def score(self, metrics: MetricColumns) -> dict[str, Int64Array]:
        """The score columns for the rows of *metrics*."""
        n = metrics.inputs.length
        out: dict[str, Int64Array] = {}
        composite = np.zeros(n, dtype=np.int64)
        for (dimension, part, compiled), weight in zip(self.parts, self.weights, strict=True):
            if compiled is not None:
                values = _scorecard_centi(*compiled, metrics, n)
            else:
                values = _plugin_centi(part, dimension, metrics, n)
            out[f"score.{dimension.value}"] = values
            if weight:
                composite += weight * values
        out["composite"] = div_round(composite, ONE_PPM, Rounding.HALF_EVEN)
        return out


def context_for(
    inputs: Inputs, context: ScoringContext | None, currency: str, medians: Iterable[str] = MEDIAN_METRICS
) -> ScoringContext:
    """*context*, or the benchmarks of these rows (as :meth:`FiveDimensionScorer.score_many` builds them).

    A context built here holds the category medians of *medians* only (each costs a sort of its column): pass
    :meth:`CompiledScorer.median_metrics`, which the scores then cannot tell from the whole context.
    """
    if context is None:
        return _summary(inputs.columns, currency, None, frozenset(medians)).finish()
    if not isinstance(context, ScoringContext):
        raise InvalidValueError("context", context, "must be a ScoringContext")
    return context


def score_inputs(
    inputs: Inputs,
    scorer: CompiledScorer,
    context: ScoringContext,
    currency: str,
    progress: Progress = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    sink: dict[str, Int64Array] | None = None,
) -> dict[str, Int64Array]:
    """Score every row of *inputs* chunk by chunk (internal; see :func:`score_columns`)."""
    n = inputs.length
    out = sink if sink is not None else {name: np.empty(n, dtype=np.int64) for name in SCORE_COLUMNS}
    shared: dict[int, Any] = {}
    with reporter(progress, n, "score") as advance:
        for part in chunks(n, chunk_size):
            view = inputs.view(part)
            result = scorer.score(MetricColumns(view, context, currency, shared))
            for name, values in result.items():
                out[name][part] = values
            advance(part.stop - part.start)
    return out


def score_columns(
    columns: Any,
    scorer: FiveDimensionScorer | None = None,
    context: ScoringContext | None = None,
    *,
    as_of: datetime | None = None,
    currency: str = DEFAULT_CURRENCY,
    keep: Sequence[str] = ("sku_id",),
    progress: Progress = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
) -> Any:
    """Score every row of *columns*: five dimension scores and the composite, in hundredths of a point.

    Args:
        columns: A mapping of column names to arrays, or a pandas, polars or pyarrow frame, with the metrics
            the scorecards name in their columnar units (money in fen, rates in ppm, shop scores in
            millionths; see ``docs/columnar.md``) and ``category_id``.
        scorer: The five-dimension scorer; :func:`~fenxiao.scoring.defaults.default_scorer` when ``None``.
        context: The category benchmarks; built from these rows (as ``score_many`` does) when ``None``.
        as_of: Used only to rebuild snapshots for plug-ins without columns (their ``observed_at``).
        currency: The rows' currency (a context in another has no benchmark for them).
        keep: Input columns to carry into the result (when present).
        progress: ``progress(done, total)`` after each chunk, or ``True`` for a tqdm bar.
        chunk_size: Rows scored at a time.

    Returns:
        :data:`SCORE_COLUMNS` as int64 hundredths, in the input's kind.

    Raises:
        InvalidValueError: A needed column is missing or a value is outside its bounds.
        PluginError: A plug-in raised or broke its contract (naming it, and the SKU where known).

    .. versionadded:: 0.1
    """
    compiled = CompiledScorer(scorer if scorer is not None else default_scorer())
    source, frame = read(columns, "columns")
    inputs = Inputs(source, as_of)
    ctx = context_for(inputs, context, currency, compiled.median_metrics())
    result = score_inputs(inputs, compiled, ctx, currency, progress, chunk_size)
    return write(frame, source, result, keep)
