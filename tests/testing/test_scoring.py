"""The scoring strategies draw what the scorer must handle: unobserved metrics, every missing mode, medians."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fenxiao.scoring.context import MEDIAN_METRICS, CategoryBenchmark
from fenxiao.scoring.scorecards import MEDIAN, MetricRule
from fenxiao.testing.scoring import category_benchmarks, metric_rules, scoring_snapshots


class _Reached(Exception):
    """Raised inside a search to stop it at the first value meeting the condition."""


def _reaches(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool]) -> bool:
    """Whether *strategy* produces a value meeting *condition* within 1000 examples (deterministic, no shrinking)."""

    @settings(
        max_examples=1000,
        phases=[Phase.generate],
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def search(value: Any) -> None:
        if condition(value):
            raise _Reached

    try:
        search()
    except _Reached:
        return True
    return False


@pytest.mark.parametrize("name", MEDIAN_METRICS)
def test_scoring_snapshots_sometimes_leave_each_rate_and_score_unobserved(name: str) -> None:
    """Each optional rate and shop score is drawn as None for some snapshots, observed for others."""
    assert _reaches(scoring_snapshots(), lambda s: getattr(s, name) is None)
    assert _reaches(scoring_snapshots(), lambda s: getattr(s, name) is not None)


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(lambda r: r.missing == MEDIAN, id="median"),
        pytest.param(lambda r: r.missing is None, id="left-out"),
        pytest.param(lambda r: r.missing not in (None, MEDIAN), id="points"),
    ],
)
def test_metric_rules_draw_every_missing_mode(condition: Callable[[MetricRule], bool]) -> None:
    """Points, left out, and the category median (for a metric that has one)."""
    assert _reaches(metric_rules(), condition)


@given(rule=metric_rules())
def test_only_metrics_with_category_medians_draw_the_median_mode(rule: MetricRule) -> None:
    """A drawn rule is valid: the median mode only where the benchmarks hold a median."""
    assert rule.missing != MEDIAN or rule.metric in MEDIAN_METRICS


#: The default refund curve's breakpoint at 15%.
MEDIAN_ON_BREAKPOINT = Decimal("0.15")


def _half_a_millionth(bench: CategoryBenchmark) -> bool:
    return any((h := bench.median_half_units(n)) is not None and h % 2 for n in bench.medians)


def test_category_benchmarks_draw_medians_on_breakpoints_and_half_millionths() -> None:
    """Drawn benchmarks carry medians, some exactly on a default breakpoint, some ending in half a millionth."""
    assert _reaches(category_benchmarks(), lambda b: b.medians.get("refund_rate") == MEDIAN_ON_BREAKPOINT)
    assert _reaches(category_benchmarks(), _half_a_millionth)
