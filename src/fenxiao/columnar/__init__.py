"""The columnar path: score, grade, resolve perks, run grading periods and settle whole columns at once.

Needs the ``columnar`` extra (``pip install 'fenxiao[columnar]'``: NumPy and narwhals). Importing :mod:`fenxiao`
never imports NumPy; importing this package without it raises
:class:`~fenxiao.errors.MissingExtraError` naming the extra.

Every function takes a mapping of column names to arrays (and returns a ``dict`` of NumPy arrays) or a pandas,
polars or pyarrow frame (and returns a frame of the same library), and gives on every row exactly what the
object path gives: see ``docs/columnar.md``.

.. versionadded:: 0.1
"""

from __future__ import annotations

try:
    import numpy
except ImportError as exc:  # the optional dependency is missing
    from fenxiao.errors import MissingExtraError

    raise MissingExtraError("numpy", "columnar", "fenxiao.columnar") from exc

from fenxiao._internal.progress import Progress, ProgressCallback
from fenxiao.columnar._columns import CodedText
from fenxiao.columnar._objects import catalog_columns, score_card_columns, snapshot_columns
from fenxiao.columnar.context import ContextSummary, build_context_columns, summarize_context
from fenxiao.columnar.periods import (
    FOLD_COLUMNS,
    NONE_MICROS,
    NONE_RANK,
    STATE_COLUMNS,
    ChangeCode,
    PeriodColumns,
    TierFold,
    build_program_state,
    explain_changes,
    fold_tiers,
    run_period_columns,
    state_columns,
)
from fenxiao.columnar.perks import perk_names, perk_slots, resolve_perk_columns, subsidy_fen
from fenxiao.columnar.pipeline import pipeline_columns, run_pipeline
from fenxiao.columnar.scoring import SCORE_COLUMNS, ColumnarDimensionScorer, SkuColumns, score_columns
from fenxiao.columnar.settlement import LINE_COLUMNS, SETTLEMENT_COLUMNS, order_columns, settle_columns
from fenxiao.columnar.tiers import TIER_COLUMNS, grade_columns, tier_labels

del numpy

__all__ = [
    "FOLD_COLUMNS",
    "LINE_COLUMNS",
    "NONE_MICROS",
    "NONE_RANK",
    "SCORE_COLUMNS",
    "SETTLEMENT_COLUMNS",
    "STATE_COLUMNS",
    "TIER_COLUMNS",
    "ChangeCode",
    "CodedText",
    "ColumnarDimensionScorer",
    "ContextSummary",
    "PeriodColumns",
    "Progress",
    "ProgressCallback",
    "SkuColumns",
    "TierFold",
    "build_context_columns",
    "build_program_state",
    "catalog_columns",
    "explain_changes",
    "fold_tiers",
    "grade_columns",
    "order_columns",
    "perk_names",
    "perk_slots",
    "pipeline_columns",
    "resolve_perk_columns",
    "run_period_columns",
    "run_pipeline",
    "score_card_columns",
    "score_columns",
    "settle_columns",
    "snapshot_columns",
    "state_columns",
    "subsidy_fen",
    "summarize_context",
    "tier_labels",
]
