"""The program over time: state that carries between gradings, period runs, schedules, what-if diffs and drift.

- :mod:`fenxiao.periods.state`: :class:`SkuState` and :class:`ProgramState`, what carries from one period to the next.
- :mod:`fenxiao.periods.models`: :class:`Models`, the scorecards, tier policy, perk catalog and budgets of a period.
- :mod:`fenxiao.periods.report`: :class:`PeriodReport`, what one period decided, SKU by SKU.
- :mod:`fenxiao.periods.schedule`: :class:`Schedule`, dated versions of the models: which is in force when,
  announcing a change ahead, :func:`lint_schedule`.
- :mod:`fenxiao.periods.run`: :func:`run_period`, one grading period with memory.
- :mod:`fenxiao.periods.diff`: :func:`measure_diff`, what a change of models would move (a what-if diff).
- :mod:`fenxiao.periods.drift`: :func:`measure_drift`, what moved between two periods (migration, PSI, rule hits).
- :mod:`fenxiao.periods.volume`: :func:`settle_period_volume`, step commission over a period's volume.

.. versionadded:: 0.1
"""

from fenxiao.periods.diff import DiffSummary, MigrationCell, ModelDiff, SkuDiff, TierMigration, measure_diff
from fenxiao.periods.drift import PeriodComparison, RuleHits, ScoreDrift, measure_drift, measure_psi
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.periods.run import ModelSource, PeriodResult, run_period, snapshots_as_of
from fenxiao.periods.schedule import (
    ModelKind,
    Schedule,
    ScheduledBudgets,
    ScheduledPerks,
    ScheduledPolicy,
    ScheduledScorecards,
    ScheduleEntry,
    ScheduleSelection,
    VersionInForce,
    lint_schedule,
)
from fenxiao.periods.state import ProgramState, SkuState
from fenxiao.periods.volume import VolumeSteps, VolumeTopUp, settle_period_volume

__all__ = [
    "DiffSummary",
    "MigrationCell",
    "ModelDiff",
    "ModelKind",
    "ModelSource",
    "Models",
    "PeriodComparison",
    "PeriodReport",
    "PeriodResult",
    "ProgramState",
    "RuleHits",
    "Schedule",
    "ScheduleEntry",
    "ScheduleSelection",
    "ScheduledBudgets",
    "ScheduledPerks",
    "ScheduledPolicy",
    "ScheduledScorecards",
    "ScoreDrift",
    "SkuDiff",
    "SkuPeriod",
    "SkuState",
    "TierMigration",
    "VersionInForce",
    "VolumeSteps",
    "VolumeTopUp",
    "lint_schedule",
    "measure_diff",
    "measure_drift",
    "measure_psi",
    "run_period",
    "settle_period_volume",
    "snapshots_as_of",
]
