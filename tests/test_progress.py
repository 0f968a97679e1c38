"""Progress on long object-path work: a callback hears every item, ``True`` draws a bar, ``"auto"`` is silent where
no one watches, and the default reports nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fenxiao.errors import InvalidValueError
from fenxiao.grading.pipeline import grade_catalog
from fenxiao.money import Money, Rate
from fenxiao.periods.run import run_period
from fenxiao.sample import generate_catalog
from fenxiao.settlement.scenarios import Scenario, sweep

CATALOG = generate_catalog(skus=12, seed=5)
BASE = Scenario(price=Money.of("99.90"), unit_cost=Money.of("40.00"), commission_rate=Rate.of("20%"), units=10)

JOBS: dict[str, tuple[Callable[[Any], object], int]] = {
    "grade_catalog": (lambda progress: grade_catalog(CATALOG, progress=progress), 12),
    "sweep": (lambda progress: sweep(BASE, commission_rate=["10%", "20%", "30%"], units=[1, 2], progress=progress), 6),
    "run_period": (lambda progress: run_period(CATALOG, period="w1", progress=progress), 12),
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
