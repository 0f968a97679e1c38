"""The program over time: state that carries between gradings, period runs, schedules, what-if diffs and drift.

- :mod:`fenxiao.periods.state`: :class:`SkuState` and :class:`ProgramState`, what carries from one period to the next.
- :mod:`fenxiao.periods.models`: :class:`Models`, the scorecards, tier policy, perk catalog and budgets of a period.
- :mod:`fenxiao.periods.report`: :class:`PeriodReport`, what one period decided, SKU by SKU.
- :mod:`fenxiao.periods.run`: :func:`run_period`, one grading period with memory.

.. versionadded:: 0.1
"""

from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.periods.run import ModelSource, PeriodResult, run_period, snapshots_as_of
from fenxiao.periods.state import ProgramState, SkuState

__all__ = [
    "ModelSource",
    "Models",
    "PeriodReport",
    "PeriodResult",
    "ProgramState",
    "SkuPeriod",
    "SkuState",
    "run_period",
    "snapshots_as_of",
]
