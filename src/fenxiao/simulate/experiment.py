"""Experiments: two configurations of the program run on the same seeds, compared with confidence bands.

An :class:`Arm` is one configuration: the program's models (tier policy, perk catalog, scorecards, budgets), the
behavioural parameters and the admission policy. :func:`run_experiment` runs a season of each arm on every seed and
compares their :meth:`~fenxiao.simulate.results.Season.measures`: for each measure, each arm's mean over the seeds and
the difference (the other arm minus the base, seed by seed), each with a 95% confidence band (Student's *t* over the
seeds). Both arms of one seed share their random draws wherever their seasons agree (common random numbers), so the
band of a difference is much narrower than the bands of the two means.

Seeds run one after another, or on an executor (a :class:`concurrent.futures.Executor`, or a
``dask.distributed.Client`` to spread them over a Dask cluster): the results are the same either way.

>>> from fenxiao.sample import generate_catalog
>>> catalog = generate_catalog(seed=3, skus=30)
>>> from fenxiao.grading.perks import PerkCatalog
>>> no_perks = Arm("no perks", models=Models(perks=PerkCatalog(entries=())))
>>> experiment = run_experiment(catalog, Arm("default"), no_perks, seeds=3, weeks=2)
>>> experiment.comparison("traffic").difference.mean < 0  # the wheel stops: boosted goods lose their boost
True

.. versionadded:: 0.1
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.frames import rows_to_frame
from fenxiao._internal.progress import Progress, reporter
from fenxiao._internal.validators import checks_arguments, checks_arguments_on_failure
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError
from fenxiao.market.admission import AdmissionPolicy
from fenxiao.periods.models import Models
from fenxiao.simulate.config import MAX_WEEKS, SimulationConfig, default_simulation_config
from fenxiao.simulate.results import MEASURES
from fenxiao.simulate.season import run_season

__all__ = ["PATHS", "Arm", "Band", "Comparison", "Experiment", "SeedRun", "band_of", "run_experiment"]

#: Student's t for a two-sided 95% band, by degrees of freedom; between two rows (and beyond the last) the row of
#: fewer degrees is used, whose t is larger: the band is then a little wider, never narrower.
_T95: Final = (
    (1, Decimal("12.706")),
    (2, Decimal("4.303")),
    (3, Decimal("3.182")),
    (4, Decimal("2.776")),
    (5, Decimal("2.571")),
    (6, Decimal("2.447")),
    (7, Decimal("2.365")),
    (8, Decimal("2.306")),
    (9, Decimal("2.262")),
    (10, Decimal("2.228")),
    (12, Decimal("2.179")),
    (15, Decimal("2.131")),
    (19, Decimal("2.093")),
    (20, Decimal("2.086")),
    (25, Decimal("2.060")),
    (30, Decimal("2.042")),
    (40, Decimal("2.021")),
    (60, Decimal("2.000")),
    (120, Decimal("1.980")),
)
#: Every band is computed in this context, whatever the caller's: the same seeds give the same digits everywhere.
_CONTEXT: Final = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
_CENTS: Final = Decimal("0.01")
MAX_SEEDS: Final = 10_000


@attrs.frozen
class Arm:
    """One configuration of an experiment.

    Args:
        name: What reports call it.
        models: The program's models (tier policy, perk catalog, scorecards, budgets); the defaults by default.
        config: The behavioural parameters (:func:`~fenxiao.simulate.config.default_simulation_config` by default).
        admission: The admission policy (the default when ``None``).
    """

    name: str = attrs.field(validator=v.text)
    models: Models = attrs.field(factory=Models, validator=v.instance_of(Models))
    config: SimulationConfig = attrs.field(factory=default_simulation_config, validator=v.instance_of(SimulationConfig))
    admission: AdmissionPolicy | None = attrs.field(
        default=None, validator=attrs.validators.optional(v.instance_of(AdmissionPolicy))
    )


@attrs.frozen
class Band:
    """A mean over seeds and its 95% confidence band, to the hundredth of the measure's unit."""

    mean: Decimal
    low: Decimal
    high: Decimal

    def __str__(self) -> str:
        return f"{self.mean} [{self.low}, {self.high}]"


@checks_arguments
def band_of(values: Sequence[int]) -> Band:
    """The mean of *values* and its 95% band (Student's t with ``n - 1`` degrees of freedom), exact to the hundredth.

    One value has a band of width zero.

    >>> str(band_of([10, 12, 14]))
    '12.00 [7.03, 16.97]'
    >>> str(band_of([5]))
    '5.00 [5.00, 5.00]'

    Raises:
        InvalidValueError: No values.
    """
    if not values:
        raise InvalidValueError("band_of.values", values, "must hold at least one value")
    with decimal.localcontext(_CONTEXT):
        n = len(values)
        mean = Decimal(sum(values)) / n
        if n == 1:
            exact = mean.quantize(_CENTS)
            return Band(exact, exact, exact)
        spread: Decimal = sum(((Decimal(x) - mean) ** 2 for x in values), Decimal(0)) / (n - 1)
        t = [t for df, t in _T95 if df <= n - 1][-1]
        half = t * spread.sqrt() / Decimal(n).sqrt()
        return Band(mean.quantize(_CENTS), (mean - half).quantize(_CENTS), (mean + half).quantize(_CENTS))


@attrs.frozen
class Comparison:
    """One measure across the arms: each arm's band and, with two arms, the band of their difference (other − base).

    ``unit`` says what the numbers count: ``fen``, ``units``, ``views``, ``SKUs`` or ``ppm``.
    """

    measure: str
    unit: str
    base: Band
    other: Band | None = None
    difference: Band | None = None


@attrs.frozen
class SeedRun:
    """One seed's measures in each arm (``other`` is empty without a second arm)."""

    seed: int
    base: Mapping[str, int]
    other: Mapping[str, int] = attrs.field(factory=dict)


_UNITS: Final = {
    "gmv_fen": "fen",
    "commission_fen": "fen",
    "platform_fees_fen": "fen",
    "leader_fees_fen": "fen",
    "subsidy_fen": "fen",
    "subsidy_returned_fen": "fen",
    "units": "units",
    "refunded_units": "units",
    "traffic": "views",
    "joined": "SKUs",
    "l5_skus": "SKUs",
    "reached_l3": "SKUs",
    "top_share_ppm": "ppm",
}


@attrs.frozen
class Experiment:
    """Seasons of one or two arms on the same seeds, and how their measures compare.

    Attributes:
        base, other: The arms' names (``other`` empty when one arm ran).
        weeks: Each season's length; ``seeds``: the seeds, in order.
        comparisons: One :class:`Comparison` per measure, in the order of
            :data:`~fenxiao.simulate.results.MEASURES`.
        runs: Every seed's measures, for your own statistics.
    """

    base: str
    other: str
    weeks: int
    seeds: tuple[int, ...]
    comparisons: tuple[Comparison, ...]
    runs: tuple[SeedRun, ...]

    def comparison(self, measure: str) -> Comparison:
        """The comparison of *measure* (one of :data:`~fenxiao.simulate.results.MEASURES`).

        Raises:
            InvalidValueError: An unknown measure.
        """
        for comparison in self.comparisons:
            if comparison.measure == measure:
                return comparison
        raise InvalidValueError("Experiment.comparison.measure", measure, f"must be one of {', '.join(MEASURES)}")

    def to_rows(self) -> list[dict[str, object]]:
        """One flat record per measure: each band's mean, low and high (``None`` where an arm is missing)."""
        rows: list[dict[str, object]] = []
        for c in self.comparisons:
            row: dict[str, object] = {"measure": c.measure, "unit": c.unit}
            for name, band in (("base", c.base), ("other", c.other), ("difference", c.difference)):
                row.update(
                    {
                        f"{name}_mean": band.mean if band else None,
                        f"{name}_low": band.low if band else None,
                        f"{name}_high": band.high if band else None,
                    }
                )
            rows.append(row)
        return rows

    def to_frame(self, backend: str = "pandas", *, exact: bool = False) -> Any:
        """:meth:`to_rows` as a pandas, polars or pyarrow frame (needs narwhals and that library).

        Labelled for analysis (``fenxiao._internal.frames``: tiers with ranks, money in fen and yuan, Decimals
        as floats); ``exact=True`` keeps the exact values (Decimals, integer fen).
        """
        rows = self.to_rows()
        return rows_to_frame(rows, list(rows[0]), backend, "Experiment.to_frame", exact=exact)


#: The paths a season can run on: objects (the reference) or columns (the same numbers, for large catalogs).
PATHS: Final = ("object", "columnar")


def _measures(catalog: Catalog, arm: Arm, baseline: Models, weeks: int, path: str, seed: int) -> dict[str, int]:
    """One seed's season of *arm*, reduced to its measures (module level, so that process pools can pickle it)."""
    if path == "columnar":
        from fenxiao.simulate.columnar import run_season_columns

        columns = run_season_columns(
            catalog,
            seed=seed,
            weeks=weeks,
            config=arm.config,
            models=arm.models,
            baseline=baseline,
            admission=arm.admission,
            keep_skus=False,
        )
        return columns.measures()
    season = run_season(
        catalog,
        seed=seed,
        weeks=weeks,
        config=arm.config,
        models=arm.models,
        baseline=baseline,
        admission=arm.admission,
        ledger=False,
    )
    return season.measures()


def _map(
    executor: Any, func: Callable[[int], dict[str, int]], seeds: Sequence[int], advance: Callable[[int], None]
) -> list[dict[str, int]]:
    """*func* of every seed, in order, on *executor*; *advance* is told of each season done (in order)."""
    if executor is None:
        iterator: Any = map(func, seeds)
    elif callable(getattr(executor, "gather", None)):  # a dask.distributed Client: map gives futures
        done = list(executor.gather(executor.map(func, list(seeds), pure=True)))
        advance(len(done))
        return done
    elif callable(getattr(executor, "map", None)):
        iterator = executor.map(func, seeds)
    else:
        raise InvalidValueError("run_experiment.executor", executor, "must have a map method (an Executor or a Client)")
    results = []
    for result in iterator:
        results.append(result)
        advance(1)
    return results


def _seeds(seeds: int | Iterable[int]) -> tuple[int, ...]:
    if isinstance(seeds, int):
        v.require_int(seeds, "run_experiment.seeds", 1, MAX_SEEDS)
        return tuple(range(seeds))
    if not isinstance(seeds, Iterable):
        raise InvalidValueError("run_experiment.seeds", seeds, "must be a number of seeds or the seeds")
    listed = tuple(seeds)
    if not listed or len(listed) > MAX_SEEDS:
        raise InvalidValueError("run_experiment.seeds", listed, f"must hold 1 to {MAX_SEEDS:,} seeds")
    for i, seed in enumerate(listed):
        v.require_int(seed, f"run_experiment.seeds[{i}]", 0, (1 << 64) - 1)
    if len(set(listed)) != len(listed):
        raise InvalidValueError("run_experiment.seeds", listed, "lists a seed twice")
    return listed


@checks_arguments_on_failure
def run_experiment(
    catalog: Catalog,
    base: Arm,
    other: Arm | None = None,
    *,
    seeds: int | Iterable[int] = 20,
    weeks: int | None = None,
    baseline: Models | None = None,
    executor: Any = None,
    path: str = "object",
    progress: Progress = None,
) -> Experiment:
    """Run a season of *base* (and of *other*) on every seed and compare their measures, with 95% bands.

    Args:
        catalog: The catalog both arms start from.
        base: The reference configuration; *other*: the one compared with it (``None`` runs *base* alone).
        seeds: How many seeds (``0 .. n-1``), or the seeds themselves.
        weeks: Each season's length (the base arm's ``config.weeks`` when ``None``).
        baseline: The models in force before the season, which both arms calibrate their SKUs' views against (the
            base arm's models when ``None``; see :func:`~fenxiao.simulate.season.run_season`).
        executor: Where seeds run: ``None`` here, one after another; a :class:`concurrent.futures.Executor` or a
            ``dask.distributed.Client``, in parallel (the results are the same).
        path: ``"object"`` (:func:`~fenxiao.simulate.season.run_season`) or ``"columnar"``
            (:func:`~fenxiao.simulate.columnar.run_season_columns`, needs NumPy): the same measures, the columnar
            path much faster on large catalogs.
        progress: Report the seasons done (seeds × arms): ``None`` (the default) is silent; a callable
            ``progress(done, total)``; ``True`` a tqdm bar (extra ``fenxiao[progress]``); ``"auto"`` a bar only in a
            notebook or a terminal. With a Dask client the seasons are reported when all are gathered.

    Returns:
        The :class:`Experiment`.

    Raises:
        InvalidValueError: No seeds or a bad seed, a bad number of weeks, an arm that is not an :class:`Arm`, an
            executor without ``map``, or an unknown path.
        MissingExtraError: The columnar path without NumPy.
    """
    for name, arm in (("base", base), ("other", other)):
        if arm is not None and not isinstance(arm, Arm):
            raise InvalidValueError(f"run_experiment.{name}", arm, "must be an Arm")
    if baseline is not None and not isinstance(baseline, Models):
        raise InvalidValueError("run_experiment.baseline", baseline, "must be Models")
    chosen = _seeds(seeds)
    length = base.config.weeks if weeks is None else weeks
    v.require_int(length, "run_experiment.weeks", 1, MAX_WEEKS)
    if path not in PATHS:
        raise InvalidValueError("run_experiment.path", path, f"must be one of {', '.join(PATHS)}")
    reference = baseline if baseline is not None else base.models
    total = len(chosen) * (2 if other is not None else 1)
    with reporter(progress, total, "run_experiment") as advance:
        first = _map(executor, functools.partial(_measures, catalog, base, reference, length, path), chosen, advance)
        second = (
            _map(executor, functools.partial(_measures, catalog, other, reference, length, path), chosen, advance)
            if other is not None
            else []
        )
    runs = tuple(SeedRun(seed, first[i], second[i] if second else {}) for i, seed in enumerate(chosen))
    comparisons = []
    for measure in MEASURES:
        mine = [r.base[measure] for r in runs]
        theirs = [r.other[measure] for r in runs] if other is not None else []
        comparisons.append(
            Comparison(
                measure,
                _UNITS[measure],
                band_of(mine),
                band_of(theirs) if theirs else None,
                band_of([b - a for a, b in zip(mine, theirs, strict=True)]) if theirs else None,
            )
        )
    return Experiment(
        base=base.name,
        other=other.name if other is not None else "",
        weeks=length,
        seeds=chosen,
        comparisons=tuple(comparisons),
        runs=runs,
    )
