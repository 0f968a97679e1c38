"""Progress on long object-path work: a callback hears every item, ``True`` draws a bar, ``"auto"`` is silent where
no one watches, and the default reports nothing."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from fenxiao.errors import InvalidValueError
from fenxiao.grading.pipeline import grade_catalog
from fenxiao.money import Money, Rate
from fenxiao.periods.run import run_period
from fenxiao.sample import generate_catalog
from fenxiao.settlement.scenarios import Scenario, sweep
from fenxiao.simulate import Arm, run_experiment, run_season
from fenxiao.simulate.columnar import run_season_columns

CATALOG = generate_catalog(skus=12, seed=5)
BASE = Scenario(price=Money.of("99.90"), unit_cost=Money.of("40.00"), commission_rate=Rate.of("20%"), units=10)

JOBS: dict[str, tuple[Callable[[Any], object], int]] = {
    "grade_catalog": (lambda progress: grade_catalog(CATALOG, progress=progress), 12),
    "sweep": (lambda progress: sweep(BASE, commission_rate=["10%", "20%", "30%"], units=[1, 2], progress=progress), 6),
    "run_period": (lambda progress: run_period(CATALOG, period="w1", progress=progress), 12),
    "run_season": (lambda progress: run_season(CATALOG, seed=1, weeks=3, ledger=False, progress=progress), 3),
    "run_season_columns": (lambda progress: run_season_columns(CATALOG, seed=1, weeks=2, progress=progress), 2),
    "run_experiment": (
        lambda progress: run_experiment(CATALOG, Arm("a"), Arm("b"), seeds=2, weeks=1, progress=progress),
        4,
    ),
}


@pytest.mark.parametrize("job", sorted(JOBS))
def test_a_callback_hears_every_item_up_to_the_total(job: str) -> None:
    run, total = JOBS[job]
    heard: list[tuple[int, int]] = []
    run(lambda done, of: heard.append((done, of)))
    assert heard == [(i, total) for i in range(1, total + 1)]


@pytest.mark.parametrize("job", sorted(JOBS))
def test_the_same_result_with_or_without_progress(job: str) -> None:
    run, _ = JOBS[job]
    assert repr(run(None)) == repr(run(lambda done, of: None))


def test_true_draws_a_bar_on_stderr_and_auto_is_silent_when_no_one_watches(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    grade_catalog(CATALOG, progress=True)
    assert "grade_catalog: 100%" in capsys.readouterr().err
    grade_catalog(CATALOG, progress="auto")  # stderr is captured: not a terminal, not a notebook
    grade_catalog(CATALOG)
    assert capsys.readouterr().err == ""


def test_anything_else_is_refused_by_name() -> None:
    with pytest.raises(InvalidValueError, match="progress: must be a callable"):
        grade_catalog(CATALOG, progress="bar")


def test_an_experiment_on_an_executor_reports_each_season_in_order() -> None:
    """Seasons run on a thread pool are reported as their results come back, seeds × arms in all."""
    heard: list[tuple[int, int]] = []
    with ThreadPoolExecutor(2) as pool:
        done = run_experiment(
            CATALOG, Arm("a"), seeds=3, weeks=1, executor=pool, progress=lambda d, of: heard.append((d, of))
        )
    assert heard == [(1, 3), (2, 3), (3, 3)]
    assert done == run_experiment(CATALOG, Arm("a"), seeds=3, weeks=1)
