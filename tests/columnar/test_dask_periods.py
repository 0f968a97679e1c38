"""Periods on Dask: state bucketed by SKU in Parquet between periods, every row as the single-process columnar run."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from fenxiao._internal.convert import MAX_DOCUMENT_BYTES
from fenxiao.columnar import build_context_columns, catalog_columns
from fenxiao.columnar.dask import STATE_FILE, load_state_dask, run_period_dask
from fenxiao.columnar.periods import STATE_COLUMNS, ChangeCode, run_period_columns, state_columns
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError
from fenxiao.grading.history import Stability
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.grading.tiers import default_tier_policy
from fenxiao.periods.models import Models
from fenxiao.periods.state import SkuState
from fenxiao.sample import generate_catalog

pytestmark = pytest.mark.dask

DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def dask_modules() -> Iterator[tuple[Any, Any, Any]]:
    """dask.dataframe, distributed and pandas for this module's tests only (skipped without them); the
    ``importlib_metadata`` finder dask installs is removed afterwards (see tests/columnar/test_dask.py)."""
    meta_path = list(sys.meta_path)
    find_distributions = PathFinder.__dict__.get("find_distributions")
    try:
        dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")
        distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
        pd = pytest.importorskip("pandas", reason="the dask extra is not installed")
        pytest.importorskip("pyarrow", reason="the state is kept in Parquet")
        yield dd, distributed, pd
    finally:
        sys.meta_path[:] = [finder for finder in sys.meta_path if finder in meta_path]
        if find_distributions is not None and "find_distributions" not in PathFinder.__dict__:
            setattr(PathFinder, "find_distributions", find_distributions)  # noqa: B010 - restoring a classmethod


@pytest.fixture(scope="module")
def client(dask_modules: tuple[Any, Any, Any]) -> Iterator[Any]:
    """A local cluster of two single-threaded worker processes, closed after the module's tests. Its HTTP server
    takes a free port (``dashboard_address=None`` still binds 8787, which another cluster may hold)."""
    distributed = dask_modules[1]
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", silence_logs=logging.ERROR
    )
    try:
        with distributed.Client(cluster) as connected:
            yield connected
    finally:
        cluster.close()


def _pandas(pd: Any, columns: dict[str, Any]) -> Any:
    """Columns as a pandas frame: masked arrays become nullable Int64 columns."""
    data: dict[str, Any] = {}
    for name, values in columns.items():
        if isinstance(values, np.ma.MaskedArray):
            mask = np.ma.getmaskarray(values)
            data[name] = pd.array(
                [None if m else int(x) for x, m in zip(values.data, mask, strict=True)], dtype="Int64"
            )
        else:
            data[name] = values
    return pd.DataFrame(data)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """An 800-SKU generated catalog."""
    return generate_catalog(seed=31, skus=800)


def _week(pd: Any, catalog: Catalog, week: int, factor: int, divisor: int) -> Any:
    """The catalog's latest snapshots *week* weeks on, selling factor/divisor as much, as a pandas frame."""
    at = catalog_as_of(catalog) + 7 * week * DAY
    snapshots = [
        attrs.evolve(s, observed_at=at, units_30d=s.units_30d * factor // divisor) for s in catalog.latest_snapshots()
    ]
    return _pandas(pd, catalog_columns(catalog, snapshots))


def _sorted(frame: Any) -> Any:
    return frame.sort_values("sku_id").reset_index(drop=True)


def _assert_same(got: Any, expected: Any) -> None:
    """Two pandas frames hold the same columns and, sorted by SKU, the same values."""
    got, expected = _sorted(got), _sorted(expected)
    assert list(got.columns) == list(expected.columns)
    for name in expected.columns:
        assert got[name].tolist() == expected[name].tolist(), name


#: The default models, demoting after two lower grades a week apart (so that three weeks see a demotion).
MODELS = Models(
    policy=attrs.evolve(default_tier_policy(), stability=Stability(demote_after_evaluations=2, demote_after_days=7))
)


def test_three_weeks_on_dask_equal_the_single_process_columnar_run(
    client: Any, catalog: Catalog, dask_modules: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """Each week's report and state, bucketed and kept in Parquet, equal run_period_columns' (grades held and
    demoted on the way); the bucket count stays the state's while the partitioning changes."""
    dd, _, pd = dask_modules
    state: Any = None
    single_state: Any = None
    changes: set[int] = set()
    for week, (factor, divisor) in enumerate([(1, 1), (1, 3), (1, 3)]):
        rows = _week(pd, catalog, week, factor, divisor)
        at = catalog_as_of(catalog) + 7 * week * DAY
        out = tmp_path / f"week-{week}"
        report = run_period_dask(
            dd.from_pandas(rows, npartitions=3 + week % 2),
            state,
            out_state_path=out,
            as_of=at,
            period=f"w{week}",
            models=MODELS,
            context=build_context_columns(rows),  # context_dask has its own tests (test_dask.py)
            buckets=5 if state is None else None,
            keep=("category_id",),
        )
        single = run_period_columns(
            rows, single_state, as_of=at, period=f"w{week}", models=MODELS, keep=("category_id",)
        )
        assert report.npartitions == 5
        _assert_same(report.compute(), single.report)
        _assert_same(load_state_dask(out).compute(), single.state)
        changes |= set(single.report["change"].tolist())
        state, single_state = out, single.state
    assert {ChangeCode.FIRST, ChangeCode.DEMOTED} <= changes
    manifest = json.loads((tmp_path / "week-2" / STATE_FILE).read_text(encoding="utf-8"))
    assert (manifest["buckets"], manifest["period"], manifest["graded"]) == (5, "w2", len(catalog.skus))


def test_a_state_given_as_columns_or_as_a_dask_frame_is_bucketed_and_skus_not_graded_are_kept(
    client: Any, catalog: Catalog, dask_modules: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """A state from state_columns (with a SKU the catalog lacks) folds as on one process; the stray SKU is kept.
    A state directory read back with load_state_dask is bucketed again into another count of buckets."""
    dd, _, pd = dask_modules
    rows = _week(pd, catalog, 0, 1, 1)
    at = catalog_as_of(catalog)
    first = run_period_columns(rows, None, as_of=at, period="w0")
    stray = state_columns([SkuState("gone-1", effective=Tier.L3)])
    given = {name: np.concatenate([first.state[name].to_numpy(), stray[name]]) for name in STATE_COLUMNS}
    given["sku_id"] = given["sku_id"].astype(object)
    later = _week(pd, catalog, 1, 1, 3)
    report = run_period_dask(
        dd.from_pandas(later, npartitions=2), given, out_state_path=tmp_path / "s", as_of=at + 7 * DAY, period="w1"
    )
    single = run_period_columns(later, given, as_of=at + 7 * DAY, period="w1")
    _assert_same(report.compute(), single.report)
    state = load_state_dask(tmp_path / "s").compute()
    _assert_same(state, single.state)
    assert "gone-1" in set(state["sku_id"].tolist())
    assert int(single.report["held"].sum()) > 0
    # The written state read back as a Dask DataFrame and bucketed again, into two buckets this time.
    again = run_period_dask(
        dd.from_pandas(later, npartitions=3),
        load_state_dask(tmp_path / "s"),
        out_state_path=tmp_path / "t",
        as_of=at + 8 * DAY,
        period="w2",
        buckets=2,
    )
    expected = run_period_columns(later, single.state, as_of=at + 8 * DAY, period="w2")
    assert again.npartitions == 2
    _assert_same(again.compute(), expected.report)
    _assert_same(load_state_dask(tmp_path / "t").compute(), expected.state)


def test_a_sku_listed_in_two_partitions_is_refused_by_its_bucket(
    client: Any, catalog: Catalog, dask_modules: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """The same SKU twice lands in one bucket, where the fold names it; no manifest is written."""
    dd, _, pd = dask_modules
    rows = _week(pd, catalog, 0, 1, 1)
    twice = pd.concat([rows, rows.iloc[:1]], ignore_index=True)
    with pytest.raises(InvalidValueError, match=r"sku_id\[\d+\]: is listed twice"):
        run_period_dask(
            dd.from_pandas(twice, npartitions=2),
            None,
            out_state_path=tmp_path / "s",
            as_of=catalog_as_of(catalog),
            period="w0",
        )
    assert not (tmp_path / "s" / STATE_FILE).exists()


def test_bad_state_directories_and_arguments_are_refused(
    client: Any, catalog: Catalog, dask_modules: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """Writing over the state read, into a used directory, reading a directory that is no state, a bucket count
    other than the state's, a frame that is not a Dask DataFrame: each is named."""
    dd, _, pd = dask_modules
    rows = dd.from_pandas(_week(pd, catalog, 0, 1, 1).iloc[:50], npartitions=2)
    at = catalog_as_of(catalog)
    run_period_dask(rows, None, out_state_path=tmp_path / "a", as_of=at, period="w0", buckets=2)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"state": tmp_path / "a", "out_state_path": tmp_path / "a"}, r"out_state_path.*must differ"),
        ({"state": None, "out_state_path": tmp_path / "a"}, r"out_state_path.*new or empty directory"),
        ({"state": tmp_path, "out_state_path": tmp_path / "b"}, rf"is not a period state: it has no {STATE_FILE}"),
        ({"state": tmp_path / "a", "out_state_path": tmp_path / "c", "buckets": 3}, r"differs from the state's 2"),
        ({"state": None, "out_state_path": tmp_path / "d", "buckets": 0}, r"buckets: must be a whole number"),
        ({"state": None, "out_state_path": tmp_path / "e", "period": ""}, r"period: must be a period id"),
        ({"state": None, "out_state_path": tmp_path / "f", "models": "x"}, r"models: must be Models"),
    ]
    for arguments, message in cases:
        options: dict[str, Any] = {"as_of": at + DAY, "period": "w1", **arguments}
        with pytest.raises(InvalidValueError, match=message):
            run_period_dask(rows, options.pop("state"), **options)
    with pytest.raises(InvalidValueError, match=r"run_period_dask\.frame"):
        run_period_dask(_week(pd, catalog, 0, 1, 1), None, out_state_path=tmp_path / "g", as_of=at, period="w0")
    manifest = tmp_path / "a" / STATE_FILE
    written = json.loads(manifest.read_text(encoding="utf-8"))
    for bad, message in [
        ({**written, "probe": 1}, r"another hash"),
        ({**written, "buckets": "2"}, rf"{STATE_FILE}: is not a state manifest of format 1"),
        (
            {**written, "buckets": 3},
            r"load_state_dask\.path .*: is a bucket file of the state but is missing, got '.*part\.00002\.parquet'",
        ),
    ]:
        manifest.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(InvalidValueError, match=message):
            load_state_dask(tmp_path / "a")
    manifest.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidValueError, match=r"is not a state manifest"):
        load_state_dask(tmp_path / "a")


DOCS = Path(__file__).resolve().parents[2] / "docs" / "periods-at-scale.md"


def test_the_dask_example_of_the_docs_runs_as_written(client: Any, dask_modules: tuple[Any, Any, Any]) -> None:
    """docs/periods-at-scale.md's Dask block (not a doctest) runs here, on the local cluster, asserts included."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Periods on Dask", 1)[1]
    block = section.split("```python\n", 1)[1].split("\n```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(block, str(DOCS), "exec"), namespace)  # the documentation's own example
    assert namespace["report"]["change"].tolist() == [0] * len(namespace["rows"])


def test_a_state_manifest_is_read_up_to_the_document_cap_and_refused_one_byte_past_it(
    dask_modules: tuple[Any, Any, Any], tmp_path: Path
) -> None:
    """The manifest is read with a byte cap on the stream (issue 20 item 4), not after stat(): at exactly
    MAX_DOCUMENT_BYTES it is read (and judged on its content: here a hash probe of another build); one byte more
    (a sparse file: no disk written) is refused as too large after reading just past the cap."""
    manifest = tmp_path / STATE_FILE
    head = json.dumps({"format": 1, "buckets": 1, "probe": 1}).encode()
    manifest.write_bytes(head + b" " * (MAX_DOCUMENT_BYTES - len(head)))
    assert manifest.stat().st_size == MAX_DOCUMENT_BYTES
    with pytest.raises(InvalidValueError, match=r"another hash"):
        load_state_dask(tmp_path)
    with manifest.open("r+b") as stream:
        stream.truncate(MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(InvalidValueError, match=rf"{STATE_FILE}: is larger than {MAX_DOCUMENT_BYTES} bytes"):
        load_state_dask(tmp_path)
