"""A columnar result as a labelled frame: tiers with ranks, scores in points, fen with yuan, ppm with rates,
documented dtypes for pandas and polars, equal to the object path's graded frame."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fenxiao.columnar import catalog_columns, labelled_frame, run_pipeline, settle_columns
from fenxiao.errors import InvalidValueError
from fenxiao.grading.pipeline import grade_catalog
from fenxiao.sample import load_sample

CATALOG = load_sample()
GRADED = grade_catalog(CATALOG, explain=False)
PIPELINE = run_pipeline(catalog_columns(CATALOG))

DTYPES: dict[str, dict[str, str]] = {
    "pandas": {"sku_id": "str", "composite": "float64", "tier": "str", "tier_rank": "int64", "tier_rule": "int64"},
    "polars": {
        "sku_id": "String",
        "composite": "Float64",
        "tier": "String",
        "tier_rank": "Int64",
        "tier_rule": "Int64",
    },
}


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_a_graded_result_is_labelled_with_its_dtypes_and_equals_the_object_path(backend: str) -> None:
    frame: Any = labelled_frame({**PIPELINE, "tier_rule": PIPELINE["tier_rule"].astype(np.int64)}, backend)
    assert {n: str(frame[n].dtype).replace("object", "str") for n in DTYPES[backend]} == DTYPES[backend]
    by_sku = {g.sku_id: g for g in GRADED}
    ids = list(frame["sku_id"].to_list())
    assert sorted(ids) == sorted(by_sku)
    assert list(frame["tier"].to_list()) == [by_sku[i].decision.tier.value for i in ids]
    assert list(frame["tier_rank"].to_list()) == [by_sku[i].decision.tier.rank for i in ids]
    assert list(frame["composite"].to_list()) == [float(by_sku[i].scorecard.composite) for i in ids]
    assert list(frame["score.brand"].to_list()) == [float(by_sku[i].scorecard.brand.value) for i in ids]


def test_money_gains_yuan_and_rates_gain_fractions_and_masked_entries_are_nulls() -> None:
    orders = {
        "order_id": ["o-1", "o-2"],
        "paid_fen": np.array([9990, 1]),
        "commission_ppm": np.array([200_000, 125_000]),
        "leader_fee_ppm": np.ma.masked_array([50_000, 0], mask=[False, True]),
    }
    lines = settle_columns(orders, keep=("order_id", "commission_ppm", "leader_fee_ppm"))
    frame = labelled_frame(lines)
    assert frame["influencer_fen"].tolist() == lines["influencer_fen"].tolist()
    assert frame["influencer_yuan"].tolist() == [f / 100 for f in lines["influencer_fen"].tolist()]
    assert frame["commission_rate"].tolist() == [0.2, 0.125]
    assert frame["leader_fee_rate"].iloc[0] == 0.05
    assert frame["leader_fee_rate"].isna().tolist() == [False, True]


def test_no_tier_is_a_null_and_an_exact_frame_keeps_the_integers() -> None:
    rows = {"sku_id": ["a", "b"], "effective": np.array([-1, 3], dtype=np.int8), "composite": np.array([9001, 0])}
    frame = labelled_frame(rows)
    assert frame["effective"].tolist()[1] == "L3"
    assert frame["effective"].isna().tolist() == [True, False]
    assert frame["effective_rank"].isna().tolist() == [True, False]
    assert frame["composite"].tolist() == [90.01, 0.0]
    exact = labelled_frame(rows, exact=True)
    assert list(exact.columns) == ["sku_id", "effective", "composite"]
    assert exact["composite"].tolist() == [9001, 0]


def test_a_frame_in_gives_the_same_labelled_frame() -> None:
    pd = pytest.importorskip("pandas")
    rows = {"sku_id": ["a", "b"], "tier": np.array([0, 5]), "base_fen": np.array([100, 250])}
    assert labelled_frame(pd.DataFrame(rows)).equals(labelled_frame(rows))


def test_bad_input_is_refused_by_name() -> None:
    with pytest.raises(InvalidValueError, match=r"labelled_frame\.backend"):
        labelled_frame({"tier": np.array([1])}, "excel")
    with pytest.raises(InvalidValueError, match=r"labelled_frame\.columns\['tier'\]: is not a tier rank"):
        labelled_frame({"tier": np.array([6])})
    with pytest.raises(InvalidValueError, match=r"labelled_frame\.columns"):
        labelled_frame(42)
