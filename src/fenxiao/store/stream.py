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

from fenxiao._internal.convert import from_dict, loads, to_dict
from fenxiao.errors import NOTHING, InvalidValueError, ValidationError
from fenxiao.settlement.orders import Order, OrderEvent
from fenxiao.store.orders import OrderUpdate, StreamItem

__all__ = ["MAX_LINE_BYTES", "build_stream", "dumps_item", "load_stream", "loads_item"]

#: The longest line read (an order with its terms is well under a kilobyte).
MAX_LINE_BYTES: Final = 1024 * 1024
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


def load_stream(path: str | Path) -> tuple[tuple[int, StreamItem], ...]:
    """Every ``(line number, item)`` of the JSON Lines file *path* (blank lines skipped).

    Raises:
        InvalidValueError: The file cannot be read.
        ValidationError: One or more lines are bad; each problem is named ``FILE:LINE: key`` (every bad line is
            reported, so that one run finds them all).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValueError("load_stream.path", str(path), f"cannot be read ({exc})") from None
    items: list[tuple[int, StreamItem]] = []
    problems: list[InvalidValueError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{file.name}:{number}"
        if len(line.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
            problems.append(InvalidValueError(where, NOTHING, f"is longer than {MAX_LINE_BYTES} bytes"))
            continue
        try:
            items.append((number, loads_item(line)))
        except ValidationError as exc:
            problems.extend(e.at(f"{where}: {e.path}") for e in exc.errors)
    if problems:
        raise ValidationError(problems, what=f"event stream {file.name}")
    return tuple(items)
