"""The JSON Lines form of a stream of order events (what ``python -m fenxiao ledger ingest`` reads).

One JSON object per line (UTF-8; blank lines are skipped), each one event:

- a **payment** books an order: ``{"kind": "paid", "order": {...}}``, the order as
  :func:`fenxiao.serialization.dumps` writes an :class:`~fenxiao.settlement.orders.Order` (amounts as exact yuan
  strings, ``"99.90"``; rates as ``"0.2"`` or ``"20%"``; times as ISO 8601 with their offset). Its ``events`` may
  be left out (events are better given one per line);
- any **later event** of an order paid before: the fields of an :class:`~fenxiao.settlement.orders.OrderEvent`
  plus ``order_id``: ``{"kind": "received", "order_id": "o-1", "id": "e-1", "at": "2026-11-13T10:00:00+08:00"}``;
  ``kind`` is ``received``, ``settled``, ``invalidated`` or ``refunded``; a refund gives ``amount`` (yuan text)
  or ``units``; any event may give a ``reason``.

Numbers with a fraction are refused (amounts are text, never floats); unknown keys are refused.

>>> line = '{"kind": "refunded", "order_id": "o-1", "id": "r-1", "at": "2026-11-14T09:00:00+08:00", "amount": "30.00"}'
>>> item = loads_item(line)
>>> item.order_id, item.event.amount
('o-1', Money(fen=3000, currency='CNY'))
>>> dumps_item(item) == line
True
>>> loads_item(line.replace('"30.00"', '30.5'))
Traceback (most recent call last):
...
fenxiao.errors.ValidationError: invalid order event (1 problem):
  line 1, column 89: amount: has a float; write amounts and rates as strings, got '30.5'

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.convert import from_dict, loads, to_dict
from fenxiao.errors import NOTHING, InvalidValueError, ValidationError
from fenxiao.settlement.orders import Order, OrderEvent
from fenxiao.store.orders import OrderUpdate, StreamItem

__all__ = [
    "MAX_LINE_BYTES",
    "MAX_STREAM_BYTES",
    "MAX_STREAM_LINES",
    "build_stream",
    "dumps_item",
    "load_stream",
    "loads_item",
]

#: The longest line read, without its line break (an order with its terms is well under a kilobyte).
MAX_LINE_BYTES: Final = 1024 * 1024
#: The most bytes :func:`load_stream` reads from one file by default (line breaks included).
MAX_STREAM_BYTES: Final = 256 * 1024 * 1024
#: The most lines :func:`load_stream` reads from one file by default (blank lines included).
MAX_STREAM_LINES: Final = 1_000_000
_WHAT: Final = "order event"
_PAID: Final = "paid"


def loads_item(text: str) -> StreamItem:
    """The stream item one line holds (see the module docs).

    Raises:
        ValidationError: The line is not JSON, holds a float, or is not a payment or an event (naming each
            problem's key).
    """
    try:
        data = loads(text, dict[str, Any])
    except ValidationError as exc:
        raise ValidationError(exc.errors, what=_WHAT) from None
    kind = data.get("kind", NOTHING)
    if kind == _PAID:
        extra = sorted(set(data) - {"kind", "order"})
        if extra or "order" not in data:
            problem = f"has unknown keys {extra}" if extra else "needs the order under 'order'"
            raise ValidationError([InvalidValueError("(line)", NOTHING, f"a payment {problem}")], what=_WHAT)
        order: Order = _structured(data["order"], Order, "order")
        return order
    if "order_id" not in data:
        raise ValidationError([InvalidValueError("order_id", NOTHING, "is required")], what=_WHAT)
    order_id = data.pop("order_id")
    event = _structured(data, OrderEvent, "")
    try:
        return OrderUpdate(order_id, event)
    except InvalidValueError as exc:
        raise ValidationError([exc.at("order_id")], what=_WHAT) from None


def _structured(data: object, cls: type[Any], prefix: str) -> Any:
    try:
        return from_dict(data, cls)
    except ValidationError as exc:
        errors = [e.at(f"{prefix}.{e.path}" if prefix else e.path) for e in exc.errors]
        raise ValidationError(errors, what=_WHAT) from None


def dumps_item(item: StreamItem) -> str:
    """The line of *item* (no newline): a payment writes its order without events, an update its event.

    Raises:
        InvalidValueError: *item* is neither an Order nor an OrderUpdate.
    """
    if isinstance(item, Order):
        order = to_dict(item)
        if not order.get("events"):
            order.pop("events", None)
        return json.dumps({"kind": _PAID, "order": order}, ensure_ascii=False)
    if isinstance(item, OrderUpdate):
        event = to_dict(item.event)
        data = {"kind": event.pop("kind"), "order_id": item.order_id, **event}
        return json.dumps({k: v for k, v in data.items() if v is not None and v != ""}, ensure_ascii=False)
    raise InvalidValueError("dumps_item.item", item, "must be an Order or an OrderUpdate")


def build_stream(orders: Iterable[Order]) -> tuple[StreamItem, ...]:
    """The stream of *orders*: each payment (the order without its events), then every event as an
    :class:`~fenxiao.store.orders.OrderUpdate`, all in time order (payments first at equal times; otherwise the
    orders' order), which is how a platform would have sent them."""
    timed: list[tuple[Any, int, int, StreamItem]] = []
    for n, order in enumerate(orders):
        header = attrs.evolve(order, events=())
        timed.append((order.paid_at, 0, n, header))
        timed.extend((event.at, 1, n, OrderUpdate(order.id, event)) for event in order.events)
    return tuple(item for *_, item in sorted(timed, key=lambda t: t[:3]))


def load_stream(
    path: str | Path, *, max_bytes: int = MAX_STREAM_BYTES, max_lines: int = MAX_STREAM_LINES
) -> tuple[tuple[int, StreamItem], ...]:
    """Every ``(line number, item)`` of the JSON Lines file *path* (blank lines skipped).

    Lines end at ``\\n`` (a ``\\r`` before it is dropped too); each is UTF-8 text. The work is bounded while
    reading, whatever the file says of its size (a pipe, or a link to ``/dev/zero``, is read only up to a cap):
    a line longer than :data:`MAX_LINE_BYTES` (without its line break), more than *max_bytes* bytes in all, or
    more than *max_lines* lines end the reading at once, and the file is refused. Split a longer stream into
    several files: ingesting is idempotent, so the parts may be ingested in turn (or again).

    Args:
        path: The file.
        max_bytes: The most bytes read (line breaks included), from 1 to :data:`MAX_STREAM_BYTES` × 16.
        max_lines: The most lines read (blank lines included), from 1 to :data:`MAX_STREAM_LINES` × 16.

    Raises:
        InvalidValueError: The file cannot be read, or a cap is not a whole number in its range.
        ValidationError: One or more lines are bad, or the file is past a cap; each problem is named ``FILE:LINE:
            key`` (every bad line before the end of the reading is reported, so that one run finds them all).
    """
    byte_cap = v.require_int(max_bytes, "load_stream.max_bytes", 1, MAX_STREAM_BYTES * 16)
    line_cap = v.require_int(max_lines, "load_stream.max_lines", 1, MAX_STREAM_LINES * 16)
    file = Path(path)
    items: list[tuple[int, StreamItem]] = []
    problems: list[InvalidValueError] = []
    read = number = 0
    try:
        with file.open("rb") as stream:
            # Each read is bounded: the longest line allowed and its line break, and never past the byte cap by
            # more than one byte.
            while raw := stream.readline(min(MAX_LINE_BYTES + 2, byte_cap - read + 1)):
                read += len(raw)
                number += 1
                where = f"{file.name}:{number}"
                if read > byte_cap:
                    problems.append(InvalidValueError(file.name, NOTHING, f"holds more than {byte_cap} bytes"))
                    break
                if number > line_cap:
                    problems.append(InvalidValueError(file.name, NOTHING, f"holds more than {line_cap} lines"))
                    break
                body = raw[:-1] if raw.endswith(b"\n") else raw
                if body.endswith(b"\r"):
                    body = body[:-1]
                if len(body) > MAX_LINE_BYTES:  # the rest of the line is not read
                    problems.append(InvalidValueError(where, NOTHING, f"is longer than {MAX_LINE_BYTES} bytes"))
                    break
                try:
                    line = body.decode("utf-8")
                except UnicodeDecodeError as exc:
                    problems.append(InvalidValueError(where, NOTHING, f"is not UTF-8 text ({exc.reason})"))
                    continue
                if not line.strip():
                    continue
                try:
                    items.append((number, loads_item(line)))
                except ValidationError as exc:
                    problems.extend(e.at(f"{where}: {e.path}") for e in exc.errors)
    except OSError as exc:
        raise InvalidValueError("load_stream.path", str(path), f"cannot be read ({exc})") from None
    if problems:
        raise ValidationError(problems, what=f"event stream {file.name}")
    return tuple(items)
