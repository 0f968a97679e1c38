"""fenxiao.plot on the Agg backend: each plot's title, labels and the data it draws equal the exact results."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from fenxiao.errors import InvalidValueError, MissingExtraError
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import grade_catalog
from fenxiao.market.goals import DEFAULT_GOALS, GoalProgress
from fenxiao.money import Money, Rate
from fenxiao.periods.diff import TierMigration
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.plot import (
    number,
    plot_goals,
    plot_migration,
    plot_periods,
    plot_radar,
    plot_season,
    plot_sweep,
    plot_tier_mix,
    plot_waterfall,
)
from fenxiao.sample import generate_catalog, load_sample
from fenxiao.scoring.dimensions import Dimension
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.scenarios import Scenario, sweep
from fenxiao.settlement.splits import split
from fenxiao.simulate.season import run_season
from tests.builders import order


def _bars(ax: Axes) -> list[Rectangle]:
    bars = [patch for patch in ax.patches if isinstance(patch, Rectangle)]
    assert len(bars) == len(ax.patches)
    return bars


def _data(values: object) -> list[float]:
    return [float(x) for x in np.asarray(values, dtype=float)]


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def test_radar_draws_the_five_scores_against_the_category_median() -> None:
    graded = grade_catalog(load_sample())
    sku = graded[0]
    peers = [g.scorecard for g in graded if g.category_id == sku.category_id]
    ax = plot_radar(sku.scorecard, against=peers)
    assert ax.get_title() == f"{sku.sku_id}: five dimensions (composite {sku.scorecard.composite})"
    own = next(line for line in ax.get_lines() if line.get_label() == sku.sku_id)
    assert _data(own.get_ydata())[:5] == [float(sku.scorecard[d].value) for d in Dimension]
    median = next(line for line in ax.get_lines() if line.get_label() == "category median")
    assert len(_data(median.get_ydata())) == 6  # closed: five points and the first again
    assert [t.get_text() for t in ax.get_xticklabels()] == [d.value for d in Dimension]


def test_radar_refuses_flat_axes() -> None:
    _, flat = plt.subplots()
    with pytest.raises(InvalidValueError, match="must be polar axes"):
        plot_radar(grade_catalog(load_sample())[0].scorecard, ax=flat)


def test_waterfall_takes_every_line_from_what_came_in_down_to_zero() -> None:
    result = split(order(), PlatformProfile())
    ax = plot_waterfall(result)
    bars = _bars(ax)
    assert len(bars) == 1 + len(result.lines)
    assert bars[0].get_height() == pytest.approx(number(result.total_in))
    assert [b.get_height() for b in bars[1:]] == pytest.approx([number(line.amount) for line in result.lines])
    assert bars[-1].get_y() == pytest.approx(0, abs=1e-9)  # the last line ends at zero: nothing lost
    assert [t.get_text() for t in ax.get_xticklabels()] == ["paid in", *(line.party.value for line in result.lines)]
    assert ax.get_ylabel() == "yuan (CNY)"


def test_tier_mix_counts_every_sku_of_each_category() -> None:
    graded = grade_catalog(load_sample())
    ax = plot_tier_mix(graded)
    assert ax.get_title() == "SKUs per tier in each category (200 SKUs)"
    assert sum(bar.get_width() for bar in _bars(ax)) == len(graded)
    shares = plot_tier_mix(graded, share=True, ax=plt.subplots()[1])
    categories = {g.category_id for g in graded}
    assert sum(bar.get_width() for bar in _bars(shares)) == pytest.approx(100 * len(categories))


def test_sweep_heatmap_holds_each_value_at_its_axes() -> None:
    base = Scenario(price=Money.of("99.90"), unit_cost=Money.of("40.00"), commission_rate=Rate.of("20%"), units=100)
    rows = sweep(base, commission_rate=["10%", "20%", "30%"], refund_rate=["0%", "20%"])
    ax = plot_sweep(rows, x="commission_rate", y="refund_rate", value="merchant_margin")
    data = ax.get_images()[0].get_array()
    assert data is not None
    assert data.shape == (2, 3)
    assert float(data[0, 0]) == 4492.0  # 10% commission, no refunds
    assert float(data[1, 2]) == 1995.2  # 30% commission, 20% refunds
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("commission_rate", "refund_rate")
    with pytest.raises(InvalidValueError, match="is not a column"):
        plot_sweep(rows, x="commission", y="refund_rate", value="merchant_margin")


def test_sweep_cells_are_written_without_exponents() -> None:
    """Margins of tens of thousands of yuan read as whole numbers with separators, small values keep four digits."""
    base = Scenario(price=Money.of("99.90"), unit_cost=Money.of("40.00"), commission_rate=Rate.of("20%"), units=1000)
    rows = sweep(base, commission_rate=["5%", "20%"], refund_rate=["0%"])
    ax = plot_sweep(rows, x="commission_rate", y="refund_rate", value="merchant_margin")
    assert [t.get_text() for t in ax.texts] == ["49,920", "34,930"]
    rates = plot_sweep(rows, x="commission_rate", y="refund_rate", value="commission_rate", ax=plt.subplots()[1])
    assert [t.get_text() for t in rates.texts] == ["0.05", "0.2"]


def test_migration_heatmap_is_the_matrix_of_counts() -> None:
    migration = TierMigration.of([("a", Tier.L4, Tier.L5), ("b", Tier.L4, Tier.L5), ("c", Tier.L2, Tier.L2)])
    ax = plot_migration(migration)
    data = ax.get_images()[0].get_array()
    assert data is not None
    assert float(data[4, 5]) == 2.0
    assert float(data[2, 2]) == 1.0
    assert float(data.sum()) == 3.0
    assert ax.get_title() == "Tier migration: 2 of 3 SKUs moved"


def test_goals_show_each_share_of_its_target() -> None:
    progress = [
        GoalProgress(DEFAULT_GOALS[0], tuple((f"b-{i}", Money.of("1000000000")) for i in range(5)), ()),
        GoalProgress(DEFAULT_GOALS[2], (), ()),
    ]
    ax = plot_goals(progress)
    assert [bar.get_width() for bar in _bars(ax)] == [50.0, 0.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["super-brands", "million-unit-skus"]


def _row(sku: str, tier: Tier) -> SkuPeriod:
    scores = {d.value: Decimal(50) for d in Dimension}
    return SkuPeriod(sku, "c-1", "m-1", scores, Decimal(50), tier, "rule", None, tier)


def test_periods_stack_the_tier_counts_of_each_report() -> None:
    at = datetime(2026, 11, 30, tzinfo=UTC)
    reports = [
        PeriodReport("2026-W47", at, (_row("s-1", Tier.L1), _row("s-2", Tier.L2))),
        PeriodReport("2026-W48", at, (_row("s-1", Tier.L2), _row("s-2", Tier.L2))),
    ]
    ax = plot_periods(reports)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-W47", "2026-W48"]
    assert ax.get_title() == "SKUs per effective tier over 2 periods"
    assert len(ax.collections) == len(Tier)


def test_season_draws_a_weekly_measure_and_the_tiers() -> None:
    season = run_season(generate_catalog(skus=20, seed=3), seed=1, weeks=2, ledger=False)
    ax = plot_season(season, measure="gmv")
    line = ax.get_lines()[0]
    assert _data(line.get_xdata()) == [w.week for w in season.weeks]
    assert _data(line.get_ydata()) == [w.gmv.fen / 100 for w in season.weeks]
    assert ax.get_ylabel() == "gmv (yuan)"
    tiers = plot_season(season, measure="tiers", ax=plt.subplots()[1])
    assert len(tiers.collections) == len(Tier)
    with pytest.raises(InvalidValueError, match="measure"):
        plot_season(season, measure="nothing")


def test_without_matplotlib_a_plot_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plot extra missing: a MissingExtraError (an ImportError) that says what to install."""
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'fenxiao\[plot\]'"):
        plot_goals([])
