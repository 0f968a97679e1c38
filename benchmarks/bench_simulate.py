"""The season simulator: a season on the object path and on columns, each against the gradings it runs.

Object path: the sample catalog (200 SKUs), a season with and without the ledger, against its period runs alone.
Columnar path: a generated catalog of 100,000 SKUs (10,000 with ``--quick``) over 52 weeks (12), against its period
runs alone (:func:`fenxiao.columnar.periods.run_period_columns` on the same columns). With ``--full`` (or
``FENXIAO_BENCH_FULL=1``): 20 seasons of 10,000 SKUs × 52 weeks on a local Dask cluster (two worker processes).
"""

from __future__ import annotations

import time
from datetime import timedelta

import attrs
import numpy as np
from _throughput import Row, Target, full_requested, interleaved_best, render

from fenxiao.columnar import catalog_columns
from fenxiao.columnar.periods import run_period_columns
from fenxiao.domain.catalog import Catalog
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.periods.run import run_period, snapshots_as_of
from fenxiao.periods.state import ProgramState
from fenxiao.sample import generate_catalog, load_sample
from fenxiao.simulate import Arm, run_experiment, run_season
from fenxiao.simulate.columnar import run_season_columns

TITLE = "simulate: seasons on the object path and on columns (one core)"


def _gradings(catalog: Catalog, weeks: int) -> None:
    """The object baseline: the season's period runs alone (w00 and one per week, the snapshots observed later)."""
    start = catalog_as_of(catalog)
    snapshots = snapshots_as_of(catalog, start)
    state = ProgramState()
    for week in range(weeks + 1):
        when = start + timedelta(days=7 * week)
        later = [attrs.evolve(s, observed_at=when) for s in snapshots]
        state = run_period(catalog, state, period=f"w{week:02d}", as_of=when, snapshots=later).state


def _column_gradings(catalog: Catalog, weeks: int) -> None:
    """The columnar baseline: the catalog to columns, then the season's period runs alone on them."""
    start = catalog_as_of(catalog)
    columns = catalog_columns(catalog, snapshots_as_of(catalog, start))
    state = None
    for week in range(weeks + 1):
        when = start + timedelta(days=7 * week)
        columns["observed_at"] = np.full(len(columns["sku_id"]), np.datetime64(when.replace(tzinfo=None), "us"))
        state = run_period_columns(columns, state, as_of=when, period=f"w{week:02d}").state


def _object_rows(weeks: int, seeds: int, repeat: int) -> tuple[list[Row], list[str]]:
    catalog = load_sample()
    skus = len(catalog.skus)
    best = interleaved_best(
        {
            "gradings": lambda: _gradings(catalog, weeks),
            "season": lambda: run_season(catalog, seed=1, weeks=weeks),
            "light": lambda: run_season(catalog, seed=1, weeks=weeks, ledger=False),
        },
        repeat,
    )
    rows_per = skus * weeks
    grading = f"object: run_period x {weeks + 1} alone (baseline)"
    rows = [
        Row(grading, rows_per, best["gradings"], short="object gradings"),
        Row(f"object: run_season, {skus} SKUs x {weeks} weeks, ledger", rows_per, best["season"], baseline=grading),
        Row(f"object: run_season, {skus} SKUs x {weeks} weeks, no ledger", rows_per, best["light"], baseline=grading),
    ]
    started = time.perf_counter()
    run_experiment(catalog, Arm("a"), Arm("b"), seeds=seeds, weeks=weeks)
    experiment = time.perf_counter() - started
    rows.append(Row(f"object: run_experiment, 2 arms x {seeds} seeds", rows_per * 2 * seeds, experiment))
    notes = [
        f"object: a season-week of {skus} SKUs costs {best['light'] / weeks * 1e3:,.0f} ms without the ledger "
        f"({best['light'] / best['gradings']:.2f}x its grading alone)",
    ]
    return rows, notes


def _columnar_rows(skus: int, weeks: int) -> tuple[list[Row], list[Target], list[str]]:
    started = time.perf_counter()
    catalog = generate_catalog(seed=1, skus=skus)
    made = time.perf_counter() - started
    best = interleaved_best(
        {
            "gradings": lambda: _column_gradings(catalog, weeks),
            "season": lambda: run_season_columns(catalog, seed=1, weeks=weeks, keep_skus=False),
        },
        1,
    )
    grading = f"columnar: catalog to columns + run_period_columns x {weeks + 1} (baseline)"
    rows = [
        Row(grading, skus * weeks, best["gradings"], short="columnar gradings"),
        Row(
            f"columnar: run_season_columns, {skus:,} SKUs x {weeks} weeks",
            skus * weeks,
            best["season"],
            baseline=grading,
        ),
    ]
    targets = []
    if skus >= 100_000 and weeks >= 52:
        targets.append(Target("columnar season, 100k SKUs x 52 weeks (one core)", best["season"], 60, " s"))
    notes = [
        f"columnar: generating the {skus:,}-SKU catalog (objects, not timed above) took {made:,.1f} s",
        f"columnar: a season-week of {skus:,} SKUs costs {best['season'] / weeks * 1e3:,.0f} ms",
    ]
    return rows, targets, notes


def _dask_rows() -> tuple[list[Row], list[str]]:
    from dask.distributed import Client, LocalCluster  # noqa: PLC0415 - the dask extra, only with --full

    catalog = generate_catalog(seed=1, skus=10_000)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True)  # type: ignore[no-untyped-call]
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        started = time.perf_counter()
        run_experiment(catalog, Arm("default"), seeds=20, weeks=52, executor=client, path="columnar")
        seconds = time.perf_counter() - started
    row = Row("dask: 20 columnar seasons, 10k SKUs x 52 weeks, 2 workers", 10_000 * 52 * 20, seconds)
    return [row], [f"dask: 20 seasons of 10,000 SKUs x 52 weeks took {seconds:,.1f} s on a local 2-worker cluster"]


def run(quick: bool = False) -> str:
    """Time seasons on both paths against their gradings alone; with --full, 20 seasons on a local Dask cluster."""
    rows, notes = _object_rows(4 if quick else 12, 2 if quick else 4, 1 if quick else 2)
    more, targets, more_notes = _columnar_rows(10_000 if quick else 100_000, 12 if quick else 52)
    rows += more
    notes += more_notes
    if full_requested():
        dask_rows, dask_notes = _dask_rows()
        rows += dask_rows
        notes += dask_notes
    return render(TITLE, rows, targets, notes, issue=18)
