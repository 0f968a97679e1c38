"""Splits as frames: one row per line, money in fen and yuan with documented dtypes, equal to the splits."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.money import Money
from fenxiao.sample import generate_orders, load_sample
from fenxiao.settlement.frames import SPLIT_COLUMNS, split_rows, splits_frame
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import split
from fenxiao.testing.commission import orders

PROFILE = PlatformProfile.default()
SPLITS = [split(order, PROFILE) for order in generate_orders(load_sample(), count=25)]

DTYPES: dict[str, dict[str, str]] = {
    "pandas": {"order_id": "str", "party": "str", "amount_fen": "int64", "amount_yuan": "float64"},
    "polars": {"order_id": "String", "party": "String", "amount_fen": "Int64", "amount_yuan": "Float64"},
}


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_a_splits_frame_has_its_documented_dtypes_and_equals_the_lines(backend: str) -> None:
    frame: Any = splits_frame(SPLITS, backend)
    assert {n: str(frame[n].dtype).replace("object", "str") for n in DTYPES[backend]} == DTYPES[backend]
    lines = [(s.order_id, line) for s in SPLITS for line in s.lines]
    assert list(frame["order_id"].to_list()) == [order_id for order_id, _ in lines]
    assert list(frame["party"].to_list()) == [line.party.value for _, line in lines]
    assert list(frame["party_zh"].to_list()) == [line.party.label_zh for _, line in lines]
    assert list(frame["amount_fen"].to_list()) == [line.amount.fen for _, line in lines]
    assert list(frame["amount_yuan"].to_list()) == [line.amount.fen / 100 for _, line in lines]


def test_an_exact_frame_keeps_integer_fen_only() -> None:
    frame = splits_frame(SPLITS, exact=True)
    assert list(frame.columns) == list(SPLIT_COLUMNS)
    assert frame["amount"].tolist() == [line.amount.fen for s in SPLITS for line in s.lines]


@settings(max_examples=30)
@given(st.lists(orders(), max_size=4))
def test_each_orders_rows_add_up_to_what_came_in(drawn: list[Any]) -> None:
    """Money is conserved in the rows: the lines of each order sum to its total in, to the fen."""
    splits = [split(order, PROFILE) for order in drawn]
    rows = split_rows(splits)
    assert len(rows) == sum(len(s.lines) for s in splits)
    for s in splits:
        amounts = [row["amount"] for row in split_rows([s])]
        assert sum(a.fen for a in amounts if isinstance(a, Money)) == s.total_in.fen


def test_anything_but_a_list_of_splits_is_refused_by_place() -> None:
    with pytest.raises(InvalidValueError, match="wrap one in a list"):
        split_rows(SPLITS[0])  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"split_rows\.splits\[1\]: must be an OrderSplit"):
        split_rows([SPLITS[0], "o-1"])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match=r"splits_frame\.backend"):
        splits_frame(SPLITS, "excel")
