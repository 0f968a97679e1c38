"""run_experiment: two configurations on the same seeds, with 95% bands over seeds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.grading.perks import PerkCatalog
from fenxiao.periods.models import Models
from fenxiao.sample import generate_catalog
from fenxiao.simulate.experiment import Arm, Band, Experiment, band_of, run_experiment
from fenxiao.simulate.results import MEASURES
from fenxiao.simulate.season import run_season

NO_PERKS = Arm("no perks", models=Models(perks=PerkCatalog(entries=())))


@cache
def catalog() -> Any:
    return generate_catalog(seed=24, skus=40)


@cache
def experiment() -> Experiment:
    return run_experiment(catalog(), Arm("default"), NO_PERKS, seeds=3, weeks=2)


def test_band_of_a_few_values() -> None:
    """Mean 12, sample deviation 2, t(2) = 4.303: 12 ± 4.97."""
    assert band_of([10, 12, 14]) == Band(Decimal("12.00"), Decimal("7.03"), Decimal("16.97"))
    assert band_of([7]) == Band(Decimal("7.00"), Decimal("7.00"), Decimal("7.00"))
    assert band_of([3, 3, 3, 3]) == Band(Decimal("3.00"), Decimal("3.00"), Decimal("3.00"))


def test_band_of_nothing_is_refused() -> None:
    """A band needs a value."""
    with pytest.raises(InvalidValueError, match=r"band_of\.values"):
        band_of([])


@given(st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=40), st.integers(-(10**9), 10**9))
def test_a_band_holds_its_mean_and_moves_with_the_values(values: list[int], shift: int) -> None:
    """low <= mean <= high, and adding a constant to every value moves the band by it."""
    band = band_of(values)
    assert band.low <= band.mean <= band.high
    moved = band_of([x + shift for x in values])
    assert moved.mean == band.mean + shift
    assert abs((moved.high - moved.low) - (band.high - band.low)) <= Decimal("0.02")


@given(st.lists(st.integers(0, 10**6), min_size=2, max_size=30))
def test_more_of_the_same_values_narrow_the_band(values: list[int]) -> None:
    """Repeating the sample (more seeds agreeing) never widens the band."""
    once, twice = band_of(values), band_of(values + values)
    assert twice.high - twice.low <= once.high - once.low + Decimal("0.02")


def test_every_measure_is_compared_and_the_difference_is_per_seed() -> None:
    """One comparison per measure; a difference's mean is the mean of the seeds' differences."""
    result = experiment()
    assert [c.measure for c in result.comparisons] == list(MEASURES)
    assert result.seeds == (0, 1, 2)
    for comparison in result.comparisons:
        diffs = [r.other[comparison.measure] - r.base[comparison.measure] for r in result.runs]
        assert comparison.difference == band_of(diffs)
        assert comparison.base == band_of([r.base[comparison.measure] for r in result.runs])


def test_turning_every_perk_off_stops_the_wheel() -> None:
    """Without perks the boosted goods lose their views and no subsidy is paid."""
    result = experiment()
    traffic = result.comparison("traffic").difference
    assert traffic is not None
    assert traffic.high < 0
    assert result.comparison("subsidy_fen").other == Band(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


def test_a_seed_runs_the_season_run_season_runs() -> None:
    """The base arm's measures of a seed are those of that seed's season."""
    result = experiment()
    assert result.runs[1].base == run_season(catalog(), seed=1, weeks=2, ledger=False).measures()


def test_an_executor_gives_the_same_experiment() -> None:
    """Seeds spread over threads give the same numbers as seeds in turn."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        parallel = run_experiment(catalog(), Arm("default"), NO_PERKS, seeds=3, weeks=2, executor=pool)
    assert parallel == experiment()


class FakeClient:
    """The part of a dask.distributed Client an experiment uses: map gives futures, gather their results."""

    def __init__(self) -> None:
        self.pure: list[bool] = []

    def map(self, func: Callable[[int], Any], seeds: Iterable[int], *, pure: bool) -> list[Any]:
        self.pure.append(pure)
        return [func(seed) for seed in seeds]

    def gather(self, futures: list[Any]) -> list[Any]:
        return futures


def test_a_dask_client_is_used_through_map_and_gather() -> None:
    """A client's futures are gathered; the experiment is the same."""
    client = FakeClient()
    result = run_experiment(catalog(), Arm("default"), seeds=[4], weeks=1, executor=client)
    assert client.pure == [True]
    assert result.runs[0].base == run_season(catalog(), seed=4, weeks=1, ledger=False).measures()
    assert result.other == ""
    assert all(c.other is None and c.difference is None for c in result.comparisons)


def test_the_comparisons_become_a_frame() -> None:
    """One row per measure with each band's mean, low and high."""
    frame = experiment().to_frame("pandas")
    assert list(frame["measure"]) == list(MEASURES)
    assert {"base_mean", "other_low", "difference_high", "unit"} <= set(frame.columns)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"seeds": 0}, r"run_experiment\.seeds"),
        ({"seeds": []}, r"run_experiment\.seeds"),
        ({"seeds": [1, 1]}, r"run_experiment\.seeds"),
        ({"seeds": [-1]}, r"run_experiment\.seeds\[0\]"),
        ({"seeds": "abc"}, r"run_experiment\.seeds\[0\]"),
        ({"weeks": 0}, r"run_experiment\.weeks"),
        ({"executor": object()}, r"run_experiment\.executor"),
        ({"baseline": "default"}, r"run_experiment\.baseline"),
        ({"other": "x"}, r"run_experiment\.other"),
    ],
)
def test_bad_arguments_are_refused(changes: dict[str, Any], path: str) -> None:
    """Each argument is checked, and the error names it."""
    arguments: dict[str, Any] = {"seeds": 1, "weeks": 1, **changes}
    other = arguments.pop("other", None)
    with pytest.raises(InvalidValueError, match=path):
        run_experiment(catalog(), Arm("default"), other, **arguments)


def test_an_unknown_measure_is_refused() -> None:
    """comparison() names the measures it knows."""
    with pytest.raises(InvalidValueError, match=r"Experiment\.comparison\.measure"):
        experiment().comparison("happiness")
