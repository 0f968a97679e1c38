"""Frames for analysts: labelled columns with documented dtypes (tiers with ranks, money in fen and yuan, rates
and scores as numbers) for pandas and polars, equal to the exact results; ``exact=True`` keeps the Decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fenxiao._internal.frames import labelled
from fenxiao.grading.pipeline import GRADED_COLUMNS, grade_catalog, graded_frame, graded_rows
from fenxiao.money import Money, Rate
from fenxiao.sample import load_sample
from fenxiao.settlement.scenarios import Scenario, sweep, sweep_frame

GRADED = grade_catalog(load_sample())

#: The dtype of each column of a graded catalog's frame, per backend.
GRADED_DTYPES: dict[str, dict[str, str]] = {
    "pandas": {  # text is pandas' own string dtype: "str" from pandas 3, "object" before
        "sku_id": "str",
        "score.brand": "float64",
        "composite": "float64",
        "tier": "str",
        "tier_rank": "int64",
        "denied": "int64",
    },
    "polars": {
        "sku_id": "String",
        "score.brand": "Float64",
        "composite": "Float64",
        "tier": "String",
        "tier_rank": "Int64",
        "denied": "Int64",
    },
}


def _column(frame: Any, name: str) -> list[Any]:
    return list(frame[name].to_list())


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_a_graded_catalog_frame_has_its_documented_dtypes_and_equals_the_objects(backend: str) -> None:
    frame = graded_frame(GRADED, backend)
    dtypes = {name: str(frame[name].dtype).replace("object", "str") for name in GRADED_DTYPES[backend]}
    assert dtypes == GRADED_DTYPES[backend]
    assert _column(frame, "sku_id") == [g.sku_id for g in GRADED]
    assert _column(frame, "tier") == [g.decision.tier.value for g in GRADED]
    assert _column(frame, "tier_rank") == [g.decision.tier.rank for g in GRADED]
    assert _column(frame, "composite") == [float(g.scorecard.composite) for g in GRADED]
    assert _column(frame, "granted") == [",".join(p.entry for p in g.perks.granted) for g in GRADED]


def test_exact_frames_keep_the_decimals() -> None:
    frame = graded_frame(GRADED, "pandas", exact=True)
    assert list(frame.columns) == list(GRADED_COLUMNS)
    assert frame["composite"].tolist() == [g.scorecard.composite for g in GRADED]
    assert all(isinstance(x, Decimal) for x in frame["composite"])
    assert graded_rows(GRADED)[0]["composite"] == GRADED[0].scorecard.composite


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_a_sweep_frame_is_numeric_and_equal_to_the_records(backend: str) -> None:
    base = Scenario(price=Money.of("99.90"), unit_cost=Money.of("40.00"), commission_rate=Rate.of("20%"), units=100)
    records = sweep(base, commission_rate=["10%", "20%", "30%"], refund_rate=["0%", "20%"])
    frame = sweep_frame(records, backend)
    assert str(frame["merchant_margin"].dtype) in {"float64", "Float64"}
    assert str(frame["commission_rate"].dtype) in {"float64", "Float64"}
    assert _column(frame, "merchant_margin") == [float(r["merchant_margin"]) for r in records]  # type: ignore[arg-type]


def test_money_values_become_fen_and_yuan_and_tiers_get_ranks() -> None:

    data = labelled(
        [
            {"t": "L3", "m": Money.of("12.34"), "r": Rate.of("20%"), "x_fen": 150},
            {"t": None, "m": None, "r": None, "x_fen": 0},
        ],
        ["t", "m", "r", "x_fen"],
    )
    assert data == {
        "t": ["L3", None],
        "t_rank": [3, None],
        "m_fen": [1234, None],
        "m_yuan": [12.34, None],
        "r": [0.2, None],
        "x_fen": [150, 0],
        "x_yuan": [1.5, 0.0],
    }
