"""PeriodReport: counts, rule hits, rows and frames agree with the rows they come from."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from functools import cache

import pytest

from fenxiao.errors import InvalidValueError, MissingExtraError
from fenxiao.grading.levels import Tier
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.periods.run import PeriodResult, run_period
from fenxiao.sample import load_sample
from tests.builders import T


@cache
def result() -> PeriodResult:
    return run_period(load_sample(), period="w1")


def row(sku: str, decided: Tier, effective: Tier, rule: str = "r") -> SkuPeriod:
    return SkuPeriod(sku, "c-tea", "m-1", {"brand": Decimal(50)}, Decimal(50), decided, rule, effective, effective)


def test_counts_and_hits_add_up_to_the_rows() -> None:
    report = result().report
    assert sum(report.tier_counts().values()) == len(report.rows)
    assert sum(report.tier_counts(decided=True).values()) == len(report.rows)
    hits = report.rule_hits()
    assert sum(hits.values()) == len(report.rows)
    assert list(hits.values()) == sorted(hits.values(), reverse=True)


def test_held_rows_are_those_decided_below_their_effective_tier() -> None:
    report = PeriodReport("w1", T, (row("a", Tier.L1, Tier.L3), row("b", Tier.L3, Tier.L3)))
    assert [r.sku_id for r in report.held()] == ["a"]
    assert report.changes() == ()
    assert report.rule_hits() == {"r": 2}


def test_rows_and_lookups_refuse_what_is_not_there() -> None:
    report = result().report
    with pytest.raises(InvalidValueError, match=r"PeriodReport.row.sku_id"):
        report.row("nope")
    with pytest.raises(InvalidValueError, match=r"PeriodReport.rows\[1\].sku_id"):
        PeriodReport("w1", T, (row("a", Tier.L1, Tier.L1), row("a", Tier.L1, Tier.L1)))
    with pytest.raises(InvalidValueError, match=r"PeriodReport.rows\[0\]"):
        PeriodReport("w1", T, ("a",))


@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow"])
def test_frames_hold_every_row_exactly(backend: str) -> None:
    report = result().report
    frame = report.to_frame(backend, exact=True)
    assert (frame.shape[0] if backend != "pyarrow" else frame.num_rows) == len(report.rows)
    assert list(frame.columns if backend != "pyarrow" else frame.column_names) == list(report.to_rows()[0])
    state_frame = result().state.to_frame(backend, exact=True)
    assert (state_frame.shape[0] if backend != "pyarrow" else state_frame.num_rows) == len(result().state.skus)


def test_frame_values_are_exact() -> None:
    report = result().report
    frame = report.to_frame("pandas", exact=True)
    first = report.rows[0]
    assert frame["composite"].iloc[0] == first.composite
    assert isinstance(frame["composite"].iloc[0], Decimal)
    assert frame["gmv_fen"].iloc[0] == first.gmv.fen
    assert frame["effective"].iloc[0] == first.effective.value


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(InvalidValueError, match=r"PeriodReport.to_frame.backend"):
        result().report.to_frame("excel")


@pytest.mark.parametrize(("module", "named"), [("narwhals", "'narwhals'"), ("polars", "fenxiao[polars]")])
def test_a_missing_frame_library_names_the_extra(module: str, named: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    with pytest.raises(MissingExtraError, match=re.escape(named)):
        result().report.to_frame("polars")
