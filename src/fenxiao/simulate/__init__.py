"""The season simulator: the 快分销 flywheel over a catalog, week by week, measured against the program's goals.

- :mod:`fenxiao.simulate.config`: :class:`SimulationConfig`, every behavioural parameter as data (the defaults, with
  their reasoning, in ``fenxiao/data/defaults/simulation.toml``).
- :mod:`fenxiao.simulate.draws`: the integer arithmetic and counter-based draws both paths share.
- :mod:`fenxiao.simulate.season`: :func:`run_season`, one seeded season on the object path.
- :mod:`fenxiao.simulate.columnar`: :func:`~fenxiao.simulate.columnar.run_season_columns`, the same season on NumPy
  columns for large catalogs (imported on its own: it needs the ``columnar`` extra).
- :mod:`fenxiao.simulate.results`: :class:`Season` and its rows.
- :mod:`fenxiao.simulate.experiment`: :func:`run_experiment`, two configurations on the same seeds, with bands.

.. versionadded:: 0.1
"""

from fenxiao.simulate.config import (
    AdmissionConfig,
    BudgetPlan,
    PlacementConfig,
    ServiceConfig,
    SimulationConfig,
    TrafficConfig,
    default_simulation_config,
)
from fenxiao.simulate.experiment import Arm, Band, Comparison, Experiment, SeedRun, band_of, run_experiment
from fenxiao.simulate.results import MEASURES, CategoryWeek, Flywheel, Season, SkuWeek, TierWeek, WeekRow
from fenxiao.simulate.season import WeekPerks, perks_in_force, run_season, subsidy_requests_of, week_period

__all__ = [
    "MEASURES",
    "AdmissionConfig",
    "Arm",
    "Band",
    "BudgetPlan",
    "CategoryWeek",
    "Comparison",
    "Experiment",
    "Flywheel",
    "PlacementConfig",
    "Season",
    "SeedRun",
    "ServiceConfig",
    "SimulationConfig",
    "SkuWeek",
    "TierWeek",
    "TrafficConfig",
    "WeekPerks",
    "WeekRow",
    "band_of",
    "default_simulation_config",
    "perks_in_force",
    "run_experiment",
    "run_season",
    "subsidy_requests_of",
    "week_period",
]
