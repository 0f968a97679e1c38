"""The columnar pipeline: every score, tier and perk of every SKU equals grade_catalog's, on any frame library."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given

from fenxiao.columnar import SCORE_COLUMNS, catalog_columns, perk_slots, pipeline_columns, run_pipeline
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.grading.perks import Subsidy, default_perk_catalog
from fenxiao.grading.pipeline import GradedSku, grade_catalog
from fenxiao.sample import generate_catalog, load_sample
from fenxiao.scoring.dimensions import Dimension
from fenxiao.testing.strategies import catalogs

_SCORES = ("experience_score", "goods_score", "logistics_score", "service_score")
_COUNTS = ("units_30d", "units_prev_30d", "promoting_influencers", "team_leaders", "serious_violations_365d")
MAX_COUNT = 10**15


def _in_bounds(snapshot: SkuSnapshot) -> SkuSnapshot:
    """The snapshot within the columnar path's bounds: shop scores to two places, counts up to 10**15."""

    def cut(value: Decimal | None) -> Decimal | None:
        return None if value is None else value.quantize(Decimal("0.01"), rounding="ROUND_FLOOR")

    changes: dict[str, Any] = {name: cut(getattr(snapshot, name)) for name in _SCORES}
    changes.update({name: min(getattr(snapshot, name), MAX_COUNT) for name in _COUNTS})
    return attrs.evolve(snapshot, **changes)


def _expected(graded: tuple[GradedSku, ...]) -> dict[str, list[int]]:
    """The object path's results in the columnar path's columns."""
    names = [e.name for e in default_perk_catalog().entries]
    out: dict[str, list[int]] = {name: [] for name in pipeline_columns() if name != "tier_rule"}
    for g in graded:
        for d in Dimension:
            out[f"score.{d.value}"].append(g.scorecard[d].centi)
        out["composite"].append(int(g.scorecard.composite.scaleb(2)))
        out["tier"].append(g.decision.tier.rank)
        granted = {f"perk.{p.perk.kind}.{p.perk.key}": p for p in g.perks.granted}
        for slot in perk_slots(default_perk_catalog()):
            grant = granted.get(slot.column)
            out[slot.column].append(-1 if grant is None else names.index(grant.entry))
            if slot.kind == "subsidy":
                perk = grant.perk if grant is not None else None
                rate = perk.rate.ppm if isinstance(perk, Subsidy) else 0
                fixed = perk.fixed.fen if isinstance(perk, Subsidy) else 0
                cap = perk.cap.fen if isinstance(perk, Subsidy) and perk.cap is not None else -1
                out[f"{slot.column}.rate_ppm"].append(rate)
                out[f"{slot.column}.fixed_fen"].append(fixed)
                out[f"{slot.column}.cap_fen"].append(cap)
    return out


def _got(result: Any) -> dict[str, list[int]]:
    return {name: [int(x) for x in result[name]] for name in pipeline_columns() if name != "tier_rule"}


@given(catalog=catalogs(min_size=1, max_size=5))
def test_the_columnar_pipeline_equals_grade_catalog_on_every_sku(catalog: Catalog) -> None:
    """Scores, composite, tier and the winner of every perk slot agree with the object path."""
    snapshots = [_in_bounds(s) for s in catalog.latest_snapshots()]
    if not snapshots:
        return
    as_of = max(s.observed_at for s in catalog.snapshots)
    result = run_pipeline(catalog_columns(catalog, snapshots), as_of=as_of)
    assert _got(result) == _expected(grade_catalog(catalog, explain=False, snapshots=snapshots))


@pytest.mark.parametrize("skus", [200, 3000])
def test_a_realistic_catalog_grades_alike_on_both_paths(skus: int) -> None:
    """The sample catalog and a 3,000-SKU generated one: every value equal, chunked or not."""
    catalog = load_sample() if skus == 200 else generate_catalog(seed=11, skus=skus)
    expected = _expected(grade_catalog(catalog, explain=False))
    assert _got(run_pipeline(catalog_columns(catalog), chunk_size=1000)) == expected


def _frame(library: str, columns: dict[str, Any]) -> Any:
    plain = {k: (v.filled(0) if isinstance(v, np.ma.MaskedArray) else v) for k, v in columns.items()}
    masks = {k: np.ma.getmaskarray(v) for k, v in columns.items() if isinstance(v, np.ma.MaskedArray)}
    if library == "pandas":
        import pandas as pd

        frame = pd.DataFrame(
            {k: list(v) if k in masks else v for k, v in plain.items()}, index=np.arange(len(plain["price"])) * 10
        )
        for name, mask in masks.items():
            frame[name] = pd.array(
                [None if m else int(x) for x, m in zip(plain[name], mask, strict=True)], dtype="Int64"
            )
        return frame
    if library == "polars":
        import polars as pl

        data = {
            k: pl.Series(k, [None if masks.get(k) is not None and masks[k][i] else x for i, x in enumerate(v.tolist())])
            if k in masks
            else v
            for k, v in plain.items()
        }
        return pl.DataFrame(data)
    pa: Any = importlib.import_module("pyarrow")  # no type stubs

    return pa.table(
        {k: pa.array(v.tolist(), mask=masks.get(k)) if k in masks else pa.array(v.tolist()) for k, v in plain.items()}
    )


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_a_frame_in_gives_the_same_kind_of_frame_out_with_the_same_values(library: str) -> None:
    """pandas, polars and pyarrow frames go through narwhals and come back as such, every value equal."""
    catalog = load_sample()
    columns = catalog_columns(catalog)
    expected = run_pipeline(columns)
    frame = _frame(library, columns)
    result = run_pipeline(frame)
    assert type(result).__module__.split(".")[0] == type(frame).__module__.split(".")[0]
    import narwhals as nw

    out = nw.from_native(result, eager_only=True)
    assert out["sku_id"].to_list() == list(columns["sku_id"])
    for name in (*SCORE_COLUMNS, "tier", "perk.badge.grade"):
        assert out[name].to_list() == expected[name].tolist()
    if library == "pandas":
        assert list(result.index) == list(frame.index)
