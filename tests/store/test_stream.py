"""fenxiao.store.stream: the JSON Lines form of a stream of order events: every item round-trips, bad lines are
named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, ValidationError
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.store.orders import OrderUpdate
from fenxiao.store.stream import build_stream, dumps_item, load_stream, loads_item
from fenxiao.testing.commission import order_histories

orders = st.lists(order_histories(profile=PlatformProfile()), max_size=3, unique_by=lambda o: o.id)


@settings(max_examples=40)
@given(orders=orders)
def test_every_item_of_a_stream_round_trips_through_its_line(orders: list[Order]) -> None:
    """Payments and events come back equal, times with their offsets; each line is one line of JSON."""
    for item in build_stream(orders):
        line = dumps_item(item)
        assert "\n" not in line
        back = loads_item(line)
        assert back == item
        if isinstance(item, OrderUpdate):
            assert isinstance(back, OrderUpdate)
            assert back.event.at.isoformat() == item.event.at.isoformat()


@settings(max_examples=40)
@given(orders=orders)
def test_a_stream_replays_each_order_in_time_order(orders: list[Order]) -> None:
    """build_stream: each order's payment, then its events in order; applying them rebuilds every order."""
    rebuilt: dict[str, Order] = {}
    for item in build_stream(orders):
        if isinstance(item, Order):
            assert item.events == ()
            rebuilt[item.id] = item
        else:
            rebuilt[item.order_id] = rebuilt[item.order_id].apply(item.event)
    assert rebuilt == {o.id: o for o in orders}


def test_a_file_is_read_line_by_line_and_every_bad_line_is_named(tmp_path: Path) -> None:
    """Blank lines are skipped; each bad line is reported with the file name and its line number."""
    good = '{"kind": "received", "order_id": "o-1", "id": "e-1", "at": "2026-11-13T10:00:00+08:00"}'
    refund = '{"kind": "refunded", "order_id": "o-1", "id": "r-1", "at": "2026-11-14T10:00:00+08:00", "amount": 1.5}'
    path = tmp_path / "events.jsonl"
    path.write_text(
        "\n".join(
            [
                good,
                "",
                refund,
                '{"kind": "teleported", "order_id": "o-1", "id": "x", "at": "2026-11-14T10:00:00+08:00"}',
                '{"kind": "received", "id": "e-2", "at": "2026-11-13T10:00:00+08:00"}',
                '{"kind": "paid", "order": {"id": "o-2"}, "extra": 1}',
                "not json",
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        load_stream(path)
    text = str(caught.value)
    assert text.startswith("invalid event stream events.jsonl (5 problems):")
    for line in (3, 4, 5, 6, 7):
        assert f"events.jsonl:{line}: " in text
    assert "events.jsonl:1" not in text
    assert "has a float" in text
    assert "order_id: is required" in text
    assert "has unknown keys ['extra']" in text
    path.write_text(good + "\n\n", encoding="utf-8")
    ((number, item),) = load_stream(path)
    assert number == 1
    assert isinstance(item, OrderUpdate)


def test_a_payment_line_needs_its_order_and_a_missing_file_is_named(tmp_path: Path) -> None:
    """A payment without its order, a bad order, an unreadable file: errors naming what is wrong."""
    with pytest.raises(ValidationError, match="a payment needs the order under 'order'"):
        loads_item('{"kind": "paid"}')
    with pytest.raises(ValidationError, match=r"order\.paid"):
        loads_item('{"kind": "paid", "order": {"id": "o-1"}}')
    with pytest.raises(InvalidValueError, match=r"load_stream\.path: cannot be read"):
        load_stream(tmp_path / "missing.jsonl")
    with pytest.raises(InvalidValueError, match=r"dumps_item\.item: must be an Order or an OrderUpdate"):
        dumps_item("o-1")  # type: ignore[arg-type]
