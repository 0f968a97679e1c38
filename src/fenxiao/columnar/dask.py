"""Scale-out on Dask: the two-phase plan for a partitioned SKU table, periods with state kept in Parquet, and
settlement of a partitioned order table.

Phase 1 reduces every partition to a :class:`~fenxiao.columnar.ContextSummary` and merges them in a tree
(:func:`context_dask`): the exact category benchmarks of all the rows, without moving the rows. Phase 2 scores,
grades and resolves perks partition by partition with ``map_partitions`` against that one context
(:func:`pipeline_dask`). Orders need no shared state: :func:`settle_dask` splits each partition on its own.
Every result equals the single-process result on the same rows (the functions on each partition are the same
:func:`~fenxiao.columnar.run_pipeline` and :func:`~fenxiao.columnar.settle_columns`).

A grading period (:func:`run_period_dask`) carries state from one period to the next: the
:data:`~fenxiao.columnar.periods.STATE_COLUMNS` of every SKU, kept in a directory of Parquet files, one per
*bucket* of SKUs (a stable hash of the SKU id modulo the bucket count). Each period grades the catalog where its
partitions lie, moves only the graded rows (the id, the scores, the decided tier and the perk inputs) to their
SKU's bucket, and there folds them into that bucket's state and resolves the perks of the effective tier with the
same functions as :func:`~fenxiao.columnar.periods.run_period_columns`. The state never leaves its bucket and is
never gathered on the client; see ``docs/periods-at-scale.md``.

Needs the ``dask`` extra (``pip install 'fenxiao[dask]'``); the partitions are pandas frames.

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from fenxiao._internal import validators as v
from fenxiao._internal.convert import MAX_DOCUMENT_BYTES
from fenxiao._internal.reading import TooLarge, read_capped
from fenxiao.columnar._frames import read, write
from fenxiao.columnar.context import ContextSummary, summarize_context
from fenxiao.columnar.periods import STATE_COLUMNS, _conclude, _graded, _period_id, _raw_ids
from fenxiao.columnar.pipeline import DEFAULT_CHUNK_ROWS, run_pipeline
from fenxiao.columnar.settlement import settle_columns
from fenxiao.errors import InvalidValueError, MissingExtraError
from fenxiao.grading.history import Stability
from fenxiao.grading.perks import PerkCatalog
from fenxiao.grading.tiers import TierPolicy
from fenxiao.money import DEFAULT_CURRENCY
from fenxiao.periods.models import Models
from fenxiao.rules.language import inputs_of
from fenxiao.scoring.context import DEFAULT_MAX_GMV_VALUES, ScoringContext
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.steps import CommissionStep, StepMode

__all__ = ["STATE_FILE", "context_dask", "load_state_dask", "pipeline_dask", "run_period_dask", "settle_dask"]

#: The file that makes a directory a period state: the bucket count, the hash, the period that wrote it.
STATE_FILE: Final = "fenxiao-state.json"
_FORMAT: Final = 1
_HASH: Final = "pandas.util.hash_pandas_object(sku_id as object, index=False) % buckets"
_PROBE: Final = "fenxiao-sku-probe"  # its hash is recorded, so that a changed hash function is noticed
_BUCKET: Final = "_fenxiao_bucket"


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


# --- periods ----------------------------------------------------------------------------------------------------------


def _pandas() -> Any:
    _dask()
    import pandas

    return pandas


def _hashes(ids: Any) -> Any:
    """The stable 64-bit hash of each SKU id (a pandas Series or a list)."""
    pd = _pandas()
    series = ids.astype(object) if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    return pd.util.hash_pandas_object(series, index=False).to_numpy()


def _with_buckets(part: Any, buckets: int) -> Any:
    """The partition with its rows' bucket: the SKU id's hash modulo *buckets* (int64)."""
    import numpy as np

    bucket = (_hashes(part["sku_id"]) % np.uint64(buckets)).astype(np.int64)
    return part.assign(**{_BUCKET: bucket})


def _bucketed(ddf: Any, buckets: int) -> list[Any]:
    """One delayed pandas frame per bucket: partition *k* holds exactly the rows whose SKU falls in bucket *k*."""
    meta = _with_buckets(ddf._meta, buckets)
    tagged = ddf.map_partitions(_with_buckets, buckets, meta=meta)
    divisions = (*range(buckets), buckets - 1)
    shuffled = tagged.set_index(_BUCKET, divisions=divisions)
    parts: list[Any] = shuffled.to_delayed()
    return parts


def _bucket_file(root: Path, bucket: int) -> Path:
    return root / f"part.{bucket:05d}.parquet"


def _read_bucket(path: str) -> Any:
    return _pandas().read_parquet(path)


def _read_manifest(root: Path, what: str) -> dict[str, Any]:
    where = f"{what} ({root})"
    manifest = root / STATE_FILE
    if not manifest.is_file():
        raise InvalidValueError(where, str(root), f"is not a period state: it has no {STATE_FILE}")
    try:  # the cap is on the stream: a manifest is small, and stat() says nothing true of a sparse file
        data = json.loads(read_capped(manifest, MAX_DOCUMENT_BYTES))
    except TooLarge:
        raise InvalidValueError(
            f"{where}/{STATE_FILE}", str(manifest), f"is larger than {MAX_DOCUMENT_BYTES} bytes"
        ) from None
    except OSError as exc:
        raise InvalidValueError(f"{where}/{STATE_FILE}", str(manifest), f"cannot be read ({exc.strerror})") from None
    except ValueError:  # not JSON, or not UTF-8
        data = None
    buckets = data.get("buckets") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("format") != _FORMAT or type(buckets) is not int or buckets < 1:
        raise InvalidValueError(f"{where}/{STATE_FILE}", data, f"is not a state manifest of format {_FORMAT}")
    if data.get("probe") != int(_hashes([_PROBE])[0]):
        raise InvalidValueError(
            where, data.get("probe"), "was bucketed by another hash of the SKU ids; pass it as a DataFrame to re-bucket"
        )
    for bucket in range(buckets):
        if not _bucket_file(root, bucket).is_file():
            raise InvalidValueError(
                where, str(_bucket_file(root, bucket)), "is a bucket file of the state but is missing"
            )
    return data


def load_state_dask(path: str | Path) -> Any:
    """A period state directory that :func:`run_period_dask` wrote, as a lazy Dask DataFrame of
    :data:`~fenxiao.columnar.periods.STATE_COLUMNS` (one partition per bucket).

    Raises:
        InvalidValueError: The directory holds no state manifest, or one written with another hash.

    .. versionadded:: 0.1
    """
    dd = _dask().dataframe
    root = Path(path)
    manifest = _read_manifest(root, "load_state_dask.path")
    files = [str(_bucket_file(root, k)) for k in range(manifest["buckets"])]
    return dd.from_map(_read_bucket, files)


def _state_parts(state: object, buckets: int | None, catalog_partitions: int) -> tuple[list[Any], int]:
    """The state as one delayed pandas frame (or ``None``) per bucket, and the bucket count."""
    dask = _dask()
    dd = dask.dataframe
    if isinstance(state, (str, Path)):
        root = Path(state)
        manifest = _read_manifest(root, "run_period_dask.state")
        count: int = manifest["buckets"]
        if buckets is not None and buckets != count:
            raise InvalidValueError("run_period_dask.buckets", buckets, f"differs from the state's {count} buckets")
        read_bucket = dask.delayed(_read_bucket, pure=True)
        return [read_bucket(str(_bucket_file(root, k))) for k in range(count)], count
    count = buckets if buckets is not None else max(1, catalog_partitions)
    if type(count) is not int or count < 1:
        raise InvalidValueError("run_period_dask.buckets", buckets, "must be a whole number above zero")
    if state is None:
        return [None] * count, count
    if not isinstance(state, dd.DataFrame):
        source, frame = read(state, "state")
        pd = _pandas()
        if frame is None or not isinstance(frame.to_native(), pd.DataFrame):
            native = pd.DataFrame({name: _column(source, name) for name in STATE_COLUMNS if name in source})
            native["sku_id"] = _raw_ids(source)
        else:
            native = frame.to_native()
        state = dd.from_pandas(native, npartitions=max(1, min(count, len(native) // 100_000 + 1)))
    return _bucketed(state, count), count


def _column(source: Any, name: str) -> Any:
    import numpy as np

    raw = source.raw(name)
    return raw if isinstance(raw, np.ndarray) or name == "sku_id" else list(raw)


def _graded_partition(
    part: Any,
    *,
    models: Models,
    context: ScoringContext,
    when: datetime,
    currency: str,
    carry: tuple[str, ...],
    chunk_size: int,
) -> Any:
    """Phase one on a catalog partition: scores, decided tier and rule, and the columns phase two reads."""
    return _graded(
        part, models=models, context=context, when=when, currency=currency, keep=carry, chunk_size=chunk_size
    )


def _period_bucket(
    graded: Any,
    state: Any,
    *,
    out_file: str | None,
    catalog: PerkCatalog,
    when: datetime,
    rule: Stability,
    keep: tuple[str, ...],
    chunk_size: int,
) -> Any:
    """Phase two on one bucket: fold its graded rows into its state, resolve perks; write the bucket's new state.

    The rows are put in SKU id order first: the shuffle delivers them in no fixed order, and the state written in
    that order lines up with the next period's rows as they are (no join) while the bucket's SKUs stay the same.
    """
    graded = graded.sort_values("sku_id", kind="stable").reset_index(drop=True)
    source, frame = read(graded, "graded")
    report, new = _conclude(source, source, state=state, catalog=catalog, when=when, rule=rule, chunk_size=chunk_size)
    if out_file is not None:
        pd = _pandas()
        pd.DataFrame(new).to_parquet(out_file, index=False)
    return write(frame, source, report, ("sku_id", *keep))


def _carried(frame: Any, catalog: PerkCatalog, keep: Sequence[str]) -> tuple[str, ...]:
    """The catalog columns phase two needs: the id, the join date, the perk conditions' inputs, the kept ones."""
    needed: set[str] = {"sku_id", "joined_at", *keep}
    for entry in catalog.entries:
        if entry.when is not None:
            needed |= inputs_of(entry.when)
    if "days_in_pool" in needed:
        needed.add("observed_at")
    return tuple(name for name in frame.columns if name in needed)


def _check_out(out_state_path: str | Path, state: object) -> Path:
    root = Path(out_state_path)
    if isinstance(state, (str, Path)) and Path(state).resolve() == root.resolve():
        raise InvalidValueError(
            "run_period_dask.out_state_path", str(root), "must differ from the state read (write each period anew)"
        )
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise InvalidValueError("run_period_dask.out_state_path", str(root), "must be a new or empty directory")
    return root


def run_period_dask(
    frame: Any,
    state: object,
    *,
    out_state_path: str | Path,
    as_of: datetime,
    period: str,
    models: Models | None = None,
    context: ScoringContext | None = None,
    buckets: int | None = None,
    currency: str = DEFAULT_CURRENCY,
    keep: Sequence[str] = (),
    chunk_size: int = DEFAULT_CHUNK_ROWS,
) -> Any:
    """One grading period over a Dask DataFrame of SKUs, with the program state kept in Parquet, bucket by bucket.

    The same period as :func:`~fenxiao.columnar.periods.run_period_columns`, row for row: scores and the decided
    tier where the catalog's partitions lie (against one :func:`context_dask`), then, per bucket of SKUs, the
    fold into that bucket's state and the perks of the effective tier. The new state is written to
    *out_state_path* (one Parquet file per bucket and a manifest, :data:`STATE_FILE`, written last: a directory
    without it is not a state); the next period reads it from there.

    Args:
        frame: A Dask DataFrame of SKU rows (the columns of :func:`~fenxiao.columnar.run_pipeline`, with
            ``sku_id`` and, for the new-SKU window, ``joined_at``); every SKU once.
        state: The directory the previous period wrote; or ``None`` before the first period; or the state columns
            as a Dask DataFrame, a pandas frame or a mapping of arrays (:func:`~fenxiao.columnar.state_columns`),
            which are bucketed here.
        out_state_path: A new (or empty) directory for the new state; not the directory *state* is read from.
        as_of: The moment of grading (timezone-aware).
        period: The period's id.
        models: The scorecards, tier policy (its ``stability`` is the hysteresis) and perk catalog; the defaults
            when ``None``. Budgets are not allocated (as on the columnar path).
        context: The category benchmarks; :func:`context_dask` over *frame* when ``None``.
        buckets: How many buckets the SKUs are hashed into: the state's own count when *state* is a directory,
            else this (the catalog's partition count when ``None``).
        currency, keep, chunk_size: As for :func:`~fenxiao.columnar.periods.run_period_columns`.

    Returns:
        The report (the columns of :func:`~fenxiao.columnar.periods.run_period_columns`), a Dask DataFrame with one
        partition per bucket, persisted (computed and held by the workers; on the distributed scheduler, in their
        memory). Rows are grouped by bucket: sort by ``sku_id`` for the input's order.

    Raises:
        InvalidValueError: A bad argument, a state directory without a manifest, or a period error of
            :func:`~fenxiao.columnar.periods.run_period_columns` (raised by the task that met it).

    .. versionadded:: 0.1
    """
    ddf = _frame(frame, "run_period_dask.frame")
    when = v.require_aware(as_of, "run_period_dask.as_of")
    _period_id(period, "run_period_dask.period")
    chosen = models if models is not None else Models()
    if not isinstance(chosen, Models):
        raise InvalidValueError("run_period_dask.models", models, "must be Models")
    root = _check_out(out_state_path, state)
    dask = _dask()
    ctx = context if context is not None else context_dask(ddf, currency=currency)
    carry = _carried(ddf, chosen.perks, keep)
    phase_one: dict[str, Any] = {
        "models": chosen,
        "context": ctx,
        "when": when,
        "currency": currency,
        "carry": carry,
        "chunk_size": chunk_size,
    }
    graded = ddf.map_partitions(_graded_partition, meta=_graded_partition(ddf._meta, **phase_one), **phase_one)
    states, count = _state_parts(state, buckets, ddf.npartitions)
    parts = _bucketed(graded, count)
    root.mkdir(parents=True, exist_ok=True)
    phase_two: dict[str, Any] = {
        "catalog": chosen.perks,
        "when": when,
        "rule": chosen.policy.stability,
        "keep": tuple(keep),
        "chunk_size": chunk_size,
    }
    meta = _period_bucket(graded._meta, None, out_file=None, **phase_two)
    task = dask.delayed(_period_bucket, pure=False)
    tasks = [
        task(part, bucket_state, out_file=str(_bucket_file(root, k)), **phase_two)
        for k, (part, bucket_state) in enumerate(zip(parts, states, strict=True))
    ]
    report = dask.dataframe.from_delayed(tasks, meta=meta, verify_meta=False)
    report = report.persist()
    rows = report.map_partitions(len).compute()  # waits for every bucket; raises what a task raised
    _write_manifest(root, count, period, when, int(sum(rows)))
    return report


def _write_manifest(root: Path, buckets: int, period: str, when: datetime, rows: int) -> None:
    manifest: Mapping[str, object] = {
        "format": _FORMAT,
        "buckets": buckets,
        "hash": _HASH,
        "probe": int(_hashes([_PROBE])[0]),
        "columns": list(STATE_COLUMNS),
        "period": period,
        "as_of": when.isoformat(),
        "graded": rows,
    }
    (root / STATE_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
