"""Scale-out on Dask: a local cluster of worker processes gives exactly the single-process results."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from importlib.machinery import PathFinder
from typing import Any

import numpy as np
import pytest

from fenxiao.columnar import build_context_columns, catalog_columns, run_pipeline, settle_columns
from fenxiao.columnar.dask import context_dask, pipeline_dask, settle_dask
from fenxiao.money import Rounding
from fenxiao.sample import generate_catalog
from fenxiao.settlement.profiles import PlatformProfile

pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def dask_modules() -> Iterator[tuple[Any, Any, Any]]:
    """dask.dataframe, distributed and pandas, imported for this module's tests only (skipped without them).

    Importing dask imports the ``importlib_metadata`` backport, which appends its own finder to ``sys.meta_path``
    and deletes the standard library's ``PathFinder.find_distributions`` so that its finder wins. From then on
    ``importlib.metadata.entry_points()`` yields the backport's EntryPoint objects, which fenxiao's scorer
    registry does not recognise (a bug reported to the maintainers). Both changes are undone afterwards, so the
    rest of the suite, in the same process, sees the interpreter as it was.
    """
    meta_path = list(sys.meta_path)
    find_distributions = PathFinder.__dict__.get("find_distributions")
    try:
        dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")
        distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
        pd = pytest.importorskip("pandas", reason="the dask extra is not installed")
        yield dd, distributed, pd
    finally:
        sys.meta_path[:] = [finder for finder in sys.meta_path if finder in meta_path]
        if find_distributions is not None and "find_distributions" not in PathFinder.__dict__:
            setattr(PathFinder, "find_distributions", find_distributions)  # noqa: B010 - restoring a classmethod


def _pandas(pd: Any, columns: dict[str, Any]) -> Any:
    """Columns as a pandas frame: masked arrays become nullable Int64 columns."""
    data: dict[str, Any] = {}
    for name, values in columns.items():
        if isinstance(values, np.ma.MaskedArray):
            mask = np.ma.getmaskarray(values)
            cells = [None if m else int(v) for v, m in zip(values.data, mask, strict=True)]
            data[name] = pd.array(cells, dtype="Int64")
        else:
            data[name] = values
    return pd.DataFrame(data)


@pytest.fixture(scope="module")
def client(dask_modules: tuple[Any, Any, Any]) -> Iterator[Any]:
    """A local cluster of two single-threaded worker processes, closed after the module's tests."""
    distributed = dask_modules[1]
    cluster = distributed.LocalCluster(
        # ":0": a free port for the dashboard (None still binds 8787, which another cluster may hold).
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    try:
        with distributed.Client(cluster) as connected:
            yield connected
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def skus(dask_modules: tuple[Any, Any, Any]) -> Any:
    """A 1,500-SKU generated catalog as a pandas frame (sorted by nothing: categories spread over partitions)."""
    return _pandas(dask_modules[2], catalog_columns(generate_catalog(seed=23, skus=1500)))


def test_the_context_reduced_over_partitions_equals_the_single_process_one(
    client: Any, skus: Any, dask_modules: tuple[Any, Any, Any]
) -> None:
    """Phase 1 on five partitions in two worker processes gives the same benchmarks as one process."""
    frame = dask_modules[0].from_pandas(skus, npartitions=5)
    assert context_dask(frame, fan_in=2) == build_context_columns(skus)


def test_the_partitioned_pipeline_equals_the_single_process_pipeline(
    client: Any, skus: Any, dask_modules: tuple[Any, Any, Any]
) -> None:
    """Phase 2 with map_partitions: every score, tier and perk of every SKU as run_pipeline gives them."""
    frame = dask_modules[0].from_pandas(skus, npartitions=4)
    result = pipeline_dask(frame).compute()
    single = run_pipeline(skus)
    assert list(result.columns) == list(single.columns)
    for name in single.columns:
        assert result[name].tolist() == single[name].tolist(), name
    assert sorted(set(result["tier"].tolist())) == [0, 1, 2, 3, 4, 5]


def _orders(n: int) -> dict[str, Any]:
    """A seeded order table: refunds, invalid orders, leaders, MCNs and category rules all present."""
    rng = np.random.default_rng(5)
    paid = rng.integers(1, 200_000, n)
    leader = rng.integers(10_000, 100_001, n)
    return {
        "order_id": np.array([f"o-{i}" for i in range(n)], dtype=object),
        "paid_fen": paid,
        "commission_ppm": rng.integers(50_000, 400_001, n),
        "shipping_fen": rng.integers(0, 1000, n),
        "subsidy_fen": np.where(rng.random(n) < 0.3, paid // 20, 0),
        "refunded_fen": np.where(rng.random(n) < 0.3, rng.integers(0, paid + 1), 0),
        "invalid": rng.random(n) < 0.1,
        "leader_fee_ppm": np.ma.masked_array(leader, mask=rng.random(n) < 0.5),
        "mcn_share_ppm": np.ma.masked_array(rng.integers(0, 500_001, n), mask=rng.random(n) < 0.5),
        "category_level1": np.array([["珠宝文玩", "食品饮料"][i % 2] for i in range(n)], dtype=object),
    }


def test_a_partitioned_order_table_settles_as_one_process_does(client: Any, dask_modules: tuple[Any, Any, Any]) -> None:
    """settle_dask under a half-even profile equals settle_columns on the whole table, fen for fen."""
    dd, _, pd = dask_modules
    profile = PlatformProfile(rounding=Rounding.HALF_EVEN)
    table = _pandas(pd, _orders(3000))
    result = settle_dask(dd.from_pandas(table, npartitions=3), profile).compute()
    single = settle_columns(table, profile)
    assert list(result.columns) == list(single.columns)
    for name in single.columns:
        assert result[name].tolist() == single[name].tolist(), name
