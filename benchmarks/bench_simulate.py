"""The season simulator: a season of the sample catalog on the object path, against the gradings it runs."""

from __future__ import annotations

from datetime import timedelta

import attrs
from _throughput import Row, interleaved_best, render

from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.periods.run import run_period, snapshots_as_of
from fenxiao.periods.state import ProgramState
from fenxiao.sample import load_sample
from fenxiao.simulate import Arm, run_experiment, run_season

TITLE = "simulate: seasons of the sample catalog, object path (one core)"


def _gradings(weeks: int) -> None:
    """The baseline: the season's period runs alone (w00 and one per week, the same snapshots observed later)."""
    catalog = load_sample()
    start = catalog_as_of(catalog)
    snapshots = snapshots_as_of(catalog, start)
    state = ProgramState()
    for week in range(weeks + 1):
        when = start + timedelta(days=7 * week)
        later = [attrs.evolve(s, observed_at=when) for s in snapshots]
        state = run_period(catalog, state, period=f"w{week:02d}", as_of=when, snapshots=later).state


def run(quick: bool = False) -> str:
    """Time a season with and without the ledger against its gradings alone, and a two-arm experiment."""
    weeks = 4 if quick else 12
    seeds = 2 if quick else 4
    catalog = load_sample()
    skus = len(catalog.skus)
    repeat = 1 if quick else 2
    best = interleaved_best(
        {
            "gradings": lambda: _gradings(weeks),
            "season": lambda: run_season(catalog, seed=1, weeks=weeks),
            "light": lambda: run_season(catalog, seed=1, weeks=weeks, ledger=False),
        },
        repeat,
    )
    rows_per = skus * weeks
    grading = f"run_period x {weeks + 1} alone (baseline)"
    rows = [
        Row(grading, rows_per, best["gradings"], short="gradings"),
        Row(f"run_season, {skus} SKUs x {weeks} weeks, ledger", rows_per, best["season"], baseline=grading),
        Row(f"run_season, {skus} SKUs x {weeks} weeks, no ledger", rows_per, best["light"], baseline=grading),
    ]
    experiment = interleaved_best(
        {"experiment": lambda: run_experiment(catalog, Arm("a"), Arm("b"), seeds=seeds, weeks=weeks)}, 1
    )["experiment"]
    rows.append(Row(f"run_experiment, 2 arms x {seeds} seeds x {weeks} weeks", rows_per * 2 * seeds, experiment))
    per_season = experiment / (2 * seeds)
    notes = [
        f"a season-week of {skus} SKUs costs {best['light'] / weeks * 1e3:,.0f} ms without the ledger "
        f"({best['light'] / best['gradings']:.2f}x its grading alone)",
        f"the command's default (20 seeds x 2 arms x 12 weeks) takes about {per_season * 40 * 12 / weeks:,.0f} s here",
        "target (issue 18): 100k SKUs x 52 weeks under 60 s on one core needs the columnar season (not built yet)",
    ]
    return render(TITLE, rows, (), notes)
