"""The program over time: state that carries between gradings, period runs, schedules, what-if diffs and drift.

- :mod:`fenxiao.periods.state`: :class:`SkuState` and :class:`ProgramState`, what carries from one period to the next.
- :mod:`fenxiao.periods.models`: :class:`Models`, the scorecards, tier policy, perk catalog and budgets of a period.
- :mod:`fenxiao.periods.report`: :class:`PeriodReport`, what one period decided, SKU by SKU.
- :mod:`fenxiao.periods.schedule`: :class:`Schedule`, dated versions of the models: which is in force when,
  announcing a change ahead, :func:`lint_schedule`.
- :mod:`fenxiao.periods.run`: :func:`run_period`, one grading period with memory.

.. versionadded:: 0.1
"""

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

__all__ = [
    "ModelKind",
    "ModelSource",
    "Models",
    "PeriodReport",
    "PeriodResult",
    "ProgramState",
    "Schedule",
    "ScheduleEntry",
    "ScheduleSelection",
    "ScheduledBudgets",
    "ScheduledPerks",
    "ScheduledPolicy",
    "ScheduledScorecards",
    "SkuPeriod",
    "SkuState",
    "VersionInForce",
    "lint_schedule",
    "run_period",
    "snapshots_as_of",
]
