"""fenxiao.store.stream: the JSON Lines form of a stream of order events: every item round-trips, bad lines are
named by file and line."""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, ValidationError
from fenxiao.settlement.orders import Order, OrderEvent, OrderEventKind
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.store.orders import OrderUpdate
from fenxiao.store.stream import (
    MAX_LINE_BYTES,
    MAX_STREAM_BYTES,
    MAX_STREAM_LINES,
    build_stream,
    dumps_item,
    load_stream,
    loads_item,
)
from fenxiao.testing.commission import order_histories

_EVENT = OrderEvent(
    id="e-1", kind=OrderEventKind.RECEIVED, at=datetime(2026, 11, 13, 10, tzinfo=timezone(timedelta(hours=8)))
)
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


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_the_caps_are_the_documented_constants_and_a_bad_cap_is_named(tmp_path: Path) -> None:
    """By default load_stream reads at most MAX_STREAM_BYTES bytes and MAX_STREAM_LINES lines; a cap that is not a
    whole number in its range names the argument."""
    defaults = inspect.signature(load_stream).parameters
    assert defaults["max_bytes"].default == MAX_STREAM_BYTES == 256 * 1024 * 1024
    assert defaults["max_lines"].default == MAX_STREAM_LINES == 1_000_000
    assert MAX_LINE_BYTES == 1024 * 1024
    path = _write(tmp_path / "e.jsonl", b"\n")
    for name, bad in (("max_bytes", 0), ("max_lines", 0), ("max_bytes", "1"), ("max_lines", True)):
        with pytest.raises(InvalidValueError, match=rf"load_stream\.{name}: must be a whole number"):
            load_stream(path, **{name: bad})  # type: ignore[arg-type]


def test_the_byte_cap_is_checked_while_reading_at_its_boundary(tmp_path: Path) -> None:
    """A file of exactly max_bytes bytes is read; one byte more is refused, naming the file and the cap."""
    line = dumps_item(OrderUpdate("o-1", _EVENT)).encode("utf-8") + b"\n"
    path = _write(tmp_path / "e.jsonl", line * 3)
    assert len(load_stream(path, max_bytes=3 * len(line))) == 3
    with pytest.raises(ValidationError, match=rf"e\.jsonl: holds more than {3 * len(line) - 1} bytes"):
        load_stream(path, max_bytes=3 * len(line) - 1)


def test_the_line_cap_counts_blank_lines_too_at_its_boundary(tmp_path: Path) -> None:
    """max_lines lines are read (blank ones count); one more is refused."""
    line = dumps_item(OrderUpdate("o-1", _EVENT)).encode("utf-8")
    path = _write(tmp_path / "e.jsonl", line + b"\n\n\r\n" + line)
    assert [n for n, _ in load_stream(path, max_lines=4)] == [1, 4]
    with pytest.raises(ValidationError, match=r"e\.jsonl: holds more than 3 lines"):
        load_stream(path, max_lines=3)


def test_a_line_is_capped_at_its_boundary_and_ends_the_reading(tmp_path: Path) -> None:
    """A line of MAX_LINE_BYTES bytes (without its line break, ``\\r\\n`` or ``\\n``) is read; one byte more is
    refused at once, with the problems of the lines before it, and nothing after it is read."""
    at_cap = b" " * MAX_LINE_BYTES  # blank: read and skipped
    path = _write(tmp_path / "e.jsonl", at_cap + b"\r\n" + at_cap + b"\n" + at_cap)
    assert load_stream(path) == ()
    path = _write(tmp_path / "e.jsonl", b"not json\n" + at_cap + b" \nnot json either\n")
    with pytest.raises(ValidationError) as caught:
        load_stream(path)
    text = str(caught.value)
    assert "(2 problems)" in text
    assert "e.jsonl:1: " in text
    assert f"e.jsonl:2: is longer than {MAX_LINE_BYTES} bytes" in text
    assert "e.jsonl:3" not in text


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_a_link_to_an_endless_file_is_refused_at_once(tmp_path: Path) -> None:
    """stat() says nothing true of /dev/zero: the cap on each line refuses it after one line's worth of bytes."""
    link = tmp_path / "zero.jsonl"
    link.symlink_to("/dev/zero")
    with pytest.raises(ValidationError, match=rf"zero\.jsonl:1: is longer than {MAX_LINE_BYTES} bytes"):
        load_stream(link)


def test_lines_end_at_newlines_only_and_each_is_utf8(tmp_path: Path) -> None:
    """A U+2028 inside a JSON string stays in its line (JSON Lines break at ``\\n`` only); a line that is not
    UTF-8 is named and the lines after it are still read."""
    event = OrderEvent(id="r-1", kind=OrderEventKind.RECEIVED, at=_EVENT.at, reason="line\u2028separator")
    line = dumps_item(OrderUpdate("o-1", event))
    assert "\u2028" in line
    path = _write(tmp_path / "e.jsonl", line.encode("utf-8") + b"\n\xff\xfe\n" + line.encode("utf-8"))
    with pytest.raises(ValidationError) as caught:
        load_stream(path)
    assert "(1 problem)" in str(caught.value)
    assert "e.jsonl:2: is not UTF-8 text" in str(caught.value)
    path.write_bytes(line.encode("utf-8") + b"\r\n")
    ((number, item),) = load_stream(path)
    assert number == 1
    assert isinstance(item, OrderUpdate)
    assert item.event.reason == "line\u2028separator"


@settings(max_examples=30)
@given(
    lines=st.lists(st.sampled_from([b"", b" ", b"\t ", b"\r"]), max_size=8),
    max_bytes=st.integers(1, 40),
    max_lines=st.integers(1, 10),
)
def test_a_file_is_read_exactly_when_it_is_within_both_caps(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], max_bytes: int, max_lines: int
) -> None:
    """Whatever the lines, a file is refused exactly when it holds more bytes or more lines than its caps."""
    data = b"".join(line + b"\n" for line in lines)
    path = _write(tmp_path_factory.mktemp("caps") / "e.jsonl", data)
    within = len(data) <= max_bytes and len(lines) <= max_lines
    if within:
        assert load_stream(path, max_bytes=max_bytes, max_lines=max_lines) == ()
    else:
        with pytest.raises(ValidationError, match=r"e\.jsonl: holds more than \d+ (bytes|lines)"):
            load_stream(path, max_bytes=max_bytes, max_lines=max_lines)
