"""Scale-out on Dask: the two-phase plan for a partitioned SKU table, and settlement of a partitioned order table.

Phase 1 reduces every partition to a :class:`~fenxiao.columnar.ContextSummary` and merges them in a tree
(:func:`context_dask`): the exact category benchmarks of all the rows, without moving the rows. Phase 2 scores,
grades and resolves perks partition by partition with ``map_partitions`` against that one context
(:func:`pipeline_dask`). Orders need no shared state: :func:`settle_dask` splits each partition on its own.
Every result equals the single-process result on the same rows (the functions on each partition are the same
:func:`~fenxiao.columnar.run_pipeline` and :func:`~fenxiao.columnar.settle_columns`).

Needs the ``dask`` extra (``pip install 'fenxiao[dask]'``); the partitions are pandas frames.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fenxiao.columnar.context import ContextSummary, summarize_context
from fenxiao.columnar.pipeline import DEFAULT_CHUNK_ROWS, run_pipeline
from fenxiao.columnar.settlement import settle_columns
from fenxiao.errors import InvalidValueError, MissingExtraError
from fenxiao.grading.perks import PerkCatalog
from fenxiao.grading.tiers import TierPolicy
from fenxiao.money import DEFAULT_CURRENCY
from fenxiao.scoring.context import DEFAULT_MAX_GMV_VALUES, ScoringContext
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.steps import CommissionStep, StepMode

__all__ = ["context_dask", "pipeline_dask", "settle_dask"]


def _dask() -> Any:
    try:
        import dask
        import dask.dataframe
    except ImportError as exc:
        raise MissingExtraError("dask", "dask", "fenxiao.columnar.dask") from exc
    return dask


def _frame(frame: object, what: str) -> Any:
    dd = _dask().dataframe
    if not isinstance(frame, dd.DataFrame):
        raise InvalidValueError(what, type(frame).__name__, "must be a dask DataFrame")
    return frame


def _merge_all(summaries: Sequence[ContextSummary]) -> ContextSummary:
    merged = summaries[0]
    for summary in summaries[1:]:
        merged = merged.merge(summary)
    return merged


def context_dask(
    frame: Any,
    *,
    currency: str = DEFAULT_CURRENCY,
    max_gmv_values: int = DEFAULT_MAX_GMV_VALUES,
    fan_in: int = 8,
) -> ScoringContext:
    """Phase 1: the category benchmarks of every row of a Dask DataFrame, as one process would build them.

    Each partition is summarized where it lives; the summaries are merged *fan_in* at a time (a tree, so no
    single task receives them all) and the result is finished on the client.

    Args:
        frame: A Dask DataFrame with ``category_id``, ``price``, ``commission_rate``, ``gmv_30d`` (and
            optionally ``observed_at``), in the columnar units.
        currency: The rows' currency.
        max_gmv_values: As for :func:`fenxiao.scoring.context.build_context`.
        fan_in: How many summaries one merge task takes.

    Returns:
        The :class:`~fenxiao.scoring.context.ScoringContext` (equal to ``build_context_columns`` on all the rows).
    """
    dask = _dask()
    ddf = _frame(frame, "context_dask.frame")
    if fan_in < 2:
        raise InvalidValueError("context_dask.fan_in", fan_in, "must be at least 2")
    level = [dask.delayed(summarize_context)(part, currency=currency) for part in ddf.to_delayed()]
    if not level:
        return ScoringContext.empty(currency)
    while len(level) > 1:
        level = [dask.delayed(_merge_all)(level[i : i + fan_in]) for i in range(0, len(level), fan_in)]
    (summary,) = dask.compute(level[0])
    result: ScoringContext = summary.finish(max_gmv_values=max_gmv_values)
    return result


def pipeline_dask(
    frame: Any,
    *,
    scorer: FiveDimensionScorer | None = None,
    policy: TierPolicy | None = None,
    perks: PerkCatalog | None = None,
    context: ScoringContext | None = None,
    as_of: datetime | None = None,
    currency: str = DEFAULT_CURRENCY,
    keep: Sequence[str] = ("sku_id",),
    chunk_size: int = DEFAULT_CHUNK_ROWS,
) -> Any:
    """Phase 2: :func:`~fenxiao.columnar.run_pipeline` on every partition against one context (lazy).

    Args:
        frame: A Dask DataFrame of SKU rows (see :func:`~fenxiao.columnar.run_pipeline` for the columns).
        scorer, policy, perks: The models; the defaults when ``None`` (they travel to the workers pickled).
        context: The category benchmarks; :func:`context_dask` over *frame* when ``None`` (computed now).
        as_of: The moment of grading; the context's ``as_of`` (the latest ``observed_at``) when ``None``.
        currency, keep, chunk_size: As for :func:`~fenxiao.columnar.run_pipeline`.

    Returns:
        A lazy Dask DataFrame of the pipeline's columns, partitioned like *frame*.
    """
    ddf = _frame(frame, "pipeline_dask.frame")
    ctx = context if context is not None else context_dask(ddf, currency=currency)
    when = as_of if as_of is not None else ctx.as_of
    options: dict[str, Any] = {
        "scorer": scorer,
        "policy": policy,
        "perks": perks,
        "context": ctx,
        "as_of": when,
        "currency": currency,
        "keep": tuple(keep),
        "chunk_size": chunk_size,
    }
    meta = run_pipeline(ddf._meta, **options)
    return ddf.map_partitions(run_pipeline, meta=meta, **options)


def settle_dask(
    frame: Any,
    profile: PlatformProfile | None = None,
    *,
    steps: Sequence[CommissionStep] = (),
    step_mode: StepMode = StepMode.SLAB,
    keep: Sequence[str] = ("order_id",),
) -> Any:
    """:func:`~fenxiao.columnar.settle_columns` on every partition of a Dask DataFrame of orders (lazy).

    Returns:
        A lazy Dask DataFrame of the settlement columns, partitioned like *frame*.
    """
    ddf = _frame(frame, "settle_dask.frame")
    options: dict[str, Any] = {"steps": tuple(steps), "step_mode": step_mode, "keep": tuple(keep)}
    meta = settle_columns(ddf._meta, profile, **options)
    return ddf.map_partitions(settle_columns, profile, meta=meta, **options)
