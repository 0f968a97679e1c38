"""Season: its rows as records and frames, and the measures experiments compare."""

from __future__ import annotations

from functools import cache

import pytest

from fenxiao.errors import InvalidValueError
from fenxiao.sample import generate_catalog
from fenxiao.serialization import to_dict
from fenxiao.simulate.results import KINDS, MEASURES, Season
from fenxiao.simulate.season import run_season


@cache
def season() -> Season:
    return run_season(generate_catalog(seed=24, skus=40), seed=3, weeks=2)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow"])
def test_every_kind_of_row_becomes_a_frame(kind: str, backend: str) -> None:
    """Money in fen, one column per field (tier counts spread as L0..L5 columns)."""
    rows = season().to_rows(kind)
    frame = season().to_frame(kind, backend, exact=True)
    assert frame.shape[0] == len(rows)
    names = frame.column_names if backend == "pyarrow" else list(frame.columns)
    assert list(names) == list(rows[0])


def test_the_week_rows_spread_the_tier_counts() -> None:
    """A week row has gmv_fen and one column per tier."""
    row = season().to_rows("weeks")[0]
    assert {"week", "gmv_fen", "subsidy_fen", "L0", "L5", "top_share"} <= set(row)
    assert isinstance(row["gmv_fen"], int)


def test_an_unknown_kind_is_refused() -> None:
    """to_rows names the kinds it knows."""
    with pytest.raises(InvalidValueError, match=r"Season\.to_rows\.kind"):
        season().to_rows("months")


def test_the_measures_are_whole_numbers_summed_over_the_weeks() -> None:
    """Each measure is an int; GMV and units are the weeks' sums."""
    measures = season().measures()
    assert list(measures) == list(MEASURES)
    assert all(isinstance(x, int) for x in measures.values())
    assert measures["gmv_fen"] == sum(w.gmv.fen for w in season().weeks)
    assert measures["l5_skus"] == season().weeks[-1].tiers["L5"]


def test_a_season_has_a_plain_data_form() -> None:
    """Every row, the goals and the flywheel unstructure to plain data."""
    data = to_dict(season())
    assert data["weeks"][0]["week"] == 1
    assert set(data["flywheel"]) == {"top_share", "cohort", "reached_l3", "median_weeks_to_l3", "promoted", "demoted"}
