"""The whole grading job on columns: raw metrics → five scores → composite → tier → perks, for every row.

:func:`run_pipeline` is the columnar twin of :func:`fenxiao.grading.pipeline.grade_catalog` (without explanations):
the category context by group-by over all the rows, then chunk by chunk the scores, the tier and the perks.
Every value equals the object path's on the same SKU.

>>> from fenxiao.sample import load_sample
>>> from fenxiao.grading.pipeline import grade_catalog
>>> from fenxiao.columnar import catalog_columns
>>> catalog = load_sample()
>>> result = run_pipeline(catalog_columns(catalog))
>>> graded = grade_catalog(catalog, explain=False)
>>> result["tier"].tolist() == [g.decision.tier.rank for g in graded]
True
>>> sorted(result)[:4]
['composite', 'perk.access.hot_item_channel', 'perk.access.leader_activities', 'perk.access.pool']

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np

from fenxiao._internal import validators as v
from fenxiao._internal.progress import Progress, chunks, reporter
from fenxiao.columnar._columns import IntColumn
from fenxiao.columnar._frames import read, write
from fenxiao.columnar._inputs import UNITS, Input, Inputs
from fenxiao.columnar._metrics import MetricColumns, set_context_inputs
from fenxiao.columnar.context import _currency
from fenxiao.columnar.perks import _catalog, perk_slots, resolve
from fenxiao.columnar.scoring import SCORE_COLUMNS, CompiledScorer, context_for
from fenxiao.columnar.tiers import TIER_COLUMNS, _policy, grade
from fenxiao.grading.perks import PerkCatalog, Stacking, Subsidy
from fenxiao.grading.tiers import TierPolicy
from fenxiao.money import DEFAULT_CURRENCY
from fenxiao.scoring.context import ScoringContext
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.five import FiveDimensionScorer

__all__ = ["DEFAULT_CHUNK_ROWS", "pipeline_columns", "run_pipeline"]

#: Rows per chunk.
DEFAULT_CHUNK_ROWS: Final = 1 << 18
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def pipeline_columns(catalog: PerkCatalog | None = None) -> tuple[str, ...]:
    """The columns :func:`run_pipeline` writes for perk *catalog* (the default catalog when ``None``).

    >>> pipeline_columns()[:8]
    ('score.brand', 'score.price', 'score.distribution', 'score.service', 'score.sales', 'composite', 'tier', \
'tier_rule')
    """
    names = [*SCORE_COLUMNS, *TIER_COLUMNS]
    for slot in perk_slots(_catalog(catalog)):
        names.append(slot.column)
        if slot.kind == Subsidy.kind and slot.stacking is Stacking.SUM:
            names += [f"{slot.column}.rate_ppm", f"{slot.column}.fixed_fen", f"{slot.column}.cap_fen"]
    return tuple(names)


def _as_of(inputs: Inputs, as_of: datetime | None) -> datetime | None:
    if as_of is not None:
        return v.require_aware(as_of, "run_pipeline.as_of")
    if "observed_at" not in inputs.columns or inputs.length == 0:
        return None
    latest = inputs.columns.micros("observed_at").values.max()
    return _EPOCH + timedelta(microseconds=int(latest))


def run_pipeline(
    columns: Any,
    *,
    scorer: FiveDimensionScorer | None = None,
    policy: TierPolicy | None = None,
    perks: PerkCatalog | None = None,
    context: ScoringContext | None = None,
    as_of: datetime | None = None,
    currency: str = DEFAULT_CURRENCY,
    keep: Sequence[str] = ("sku_id",),
    progress: Progress = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
) -> Any:
    """Score, grade and resolve perks for every row of *columns*.

    Args:
        columns: A mapping of column names to arrays, or a pandas, polars or pyarrow frame: the snapshot
            metrics in their columnar units (``docs/columnar.md``), ``category_id``, ``joined_at`` (or
            ``days_since_joining``), and the perk inputs the catalog names (``merchant_standing`` ...).
            :func:`~fenxiao.columnar.catalog_columns` makes them from a catalog.
        scorer, policy, perks: The models; the defaults when ``None``.
        context: The category benchmarks; built from all the rows when ``None``.
        as_of: The moment of grading (days since joining, campaign windows); the latest ``observed_at`` when
            ``None``, as :func:`fenxiao.grading.pipeline.catalog_as_of` does.
        currency: The rows' currency.
        keep: Input columns to carry into the result (when present).
        progress: ``progress(done, total)`` after each chunk, or ``True`` for a tqdm bar.
        chunk_size: Rows processed at a time (bounds the memory the intermediates take).

    Returns:
        :func:`pipeline_columns` (scores in hundredths, the tier's rank, the deciding rule, perk entry indices)
        in the input's kind.

    Raises:
        InvalidValueError: A needed column is missing or a value is outside its bounds.
        PolicyError: A row no tier rule matches, under a policy without a fallback.
        PluginError: A plug-in scorer broke its contract.

    .. versionadded:: 0.1
    """
    compiled = CompiledScorer(scorer if scorer is not None else default_scorer())
    tier_policy = _policy(policy)
    catalog = _catalog(perks)
    money = _currency(currency)
    source, frame = read(columns, "columns")
    first = Inputs(source, None)
    when = _as_of(first, as_of)
    inputs = Inputs(source, when)
    ctx = context_for(inputs, context, money, compiled.median_metrics())
    n = inputs.length
    out: dict[str, Any] = {}
    shared: dict[int, Any] = {}
    with reporter(progress, n, "grade") as advance:
        for part in chunks(n, chunk_size):
            view = inputs.view(part)
            metrics = MetricColumns(view, ctx, money, shared)
            scores = compiled.score(metrics)
            for name, values in scores.items():
                view.set(name, Input(UNITS[name], numbers=IntColumn(values)))
            set_context_inputs(view, metrics)
            tier, rule = grade(view, tier_policy)
            perk_values = resolve(view, tier, catalog, when)
            result = {**scores, "tier": tier, "tier_rule": rule, **perk_values}
            for name, values in result.items():
                if name not in out:
                    out[name] = np.empty(n, dtype=values.dtype)
                out[name][part] = values
            advance(part.stop - part.start)
    if n == 0:
        out = _empty(catalog)
    return write(frame, source, out, keep)


def _empty(catalog: PerkCatalog) -> dict[str, Any]:
    names = pipeline_columns(catalog)
    dtypes = {"tier": np.int8, "tier_rule": np.int16}
    return {name: np.zeros(0, dtype=dtypes.get(name, np.int16 if name.count(".") == 2 else np.int64)) for name in names}
