"""Orders and their events in the database, and the ledger entries they imply: :class:`OrderEvents`.

A stream of order events is a sequence of items, each an :class:`~fenxiao.settlement.orders.Order` (its payment,
whose event id is ``"paid"``, and any events it already carries) or an :class:`OrderUpdate` (one later event of
an order already paid). :meth:`OrderEvents.ingest` records the items the database does not hold yet and appends
the ledger entries they imply (:func:`~fenxiao.settlement.ledger.entries_for`), in the caller's transaction:

- **idempotent**: an event is identified by (order id, event id); one already held is skipped (if its content is
  the same: a different event under a held id is refused), so replaying a stream, or any prefix of it, with
  duplicates anywhere, changes nothing;
- **whole orders**: an order's row, its events and its entries are written in one transaction, so after a
  crash an order is there with every entry its stored events imply, or not at all;
- **the same ledger as in memory**: the entries written are exactly those
  :meth:`Ledger.record <fenxiao.settlement.ledger.Ledger.record>` would append for the same orders.

Two processes may ingest the same stream at once: on PostgreSQL an order's row is locked (``SELECT ... FOR
UPDATE``) while its events are added, and a payment inserted by both is written once (``ON CONFLICT DO
NOTHING``); on SQLite the store's engine serializes writers (``BEGIN IMMEDIATE``).

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.money import Money, Rate
>>> from fenxiao.settlement.orders import Order, OrderEvent, OrderEventKind, OrderTerms
>>> from fenxiao.store.engine import create_engine
>>> from fenxiao.store.migrate import upgrade
>>> engine = create_engine("sqlite://")
>>> t = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
>>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
>>> received = OrderUpdate("o-1", OrderEvent(id="r", kind=OrderEventKind.RECEIVED, at=t + timedelta(days=2)))
>>> with engine.begin() as conn:
...     upgrade(conn)
...     OrderEvents(conn).ingest([order, received])
IngestReport(received=2, orders=1, events=1, duplicates=0, entries=4)
>>> with engine.begin() as conn:
...     OrderEvents(conn).ingest([order, received, received])
IngestReport(received=3, orders=0, events=0, duplicates=3, entries=0)

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final, TypeAlias

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from fenxiao._internal import validators as v
from fenxiao._internal.convert import dumps, loads
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Money
from fenxiao.settlement.ledger import LedgerEntry, entries_for
from fenxiao.settlement.orders import PAID_EVENT_ID, Order, OrderEvent, OrderEventKind, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile, ServiceLevel
from fenxiao.store._sql import chunks, enum_of, insert_rows, moment, moment_columns, stored_text
from fenxiao.store.schema import LEDGER_ENTRIES, ORDER_EVENTS, ORDERS

__all__ = ["KNOWN_LIMIT", "IngestReport", "OrderEvents", "OrderUpdate", "StreamItem", "entry_row"]

#: The most orders an :class:`OrderEvents` keeps in its ``known`` dict.
KNOWN_LIMIT: Final = 100_000


@attrs.frozen
class OrderUpdate:
    """One event of an order already paid: the order's id and the event.

    Args:
        order_id: The order (ingested before, or earlier in the same stream).
        event: What happened to it.
    """

    order_id: str = attrs.field(validator=v.identifier)
    event: OrderEvent = attrs.field(validator=v.instance_of(OrderEvent))


#: One item of a stream of order events: a payment (the order, possibly with events) or one later event.
StreamItem: TypeAlias = Order | OrderUpdate


@attrs.frozen
class IngestReport:
    """What one :meth:`OrderEvents.ingest` did.

    Attributes:
        received: The items given.
        orders: Orders whose payment was new (booked now).
        events: Events after the payment that were new.
        duplicates: Payments and events the database already held (skipped).
        entries: Ledger entries appended.
    """

    received: int
    orders: int
    events: int
    duplicates: int
    entries: int

    def __add__(self, other: IngestReport) -> IngestReport:
        """The two reports added field by field (the report of two batches)."""
        return IngestReport(
            self.received + other.received,
            self.orders + other.orders,
            self.events + other.events,
            self.duplicates + other.duplicates,
            self.entries + other.entries,
        )


def _order_row(order: Order, profile: str, where: str) -> dict[str, Any]:
    return {
        "id": order.id,
        "profile": profile,
        "merchant_id": order.merchant_id,
        "sku_id": order.sku_id,
        # An own-stream order (no influencer) is stored with an empty id: the column predates them and is NOT NULL.
        "influencer_id": order.influencer_id or "",
        "currency": order.paid.currency,
        "paid_fen": order.paid.fen,
        "shipping_fen": order.shipping.fen,
        "subsidy_fen": order.subsidy.fen,
        **moment_columns("paid_at", order.paid_at, f"{where}.paid_at"),
        "units": order.units,
        "category_id": order.category_id,
        "category_level1": (
            stored_text(order.category_level1, f"{where}.category_level1") if order.category_level1 else None
        ),
        "service_level": order.service_level.value,
        "terms": dumps(order.terms, indent=None),
    }


def _event_row(order_id: str, seq: int, event: OrderEvent, where: str) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "event_id": event.id,
        "seq": seq,
        "kind": event.kind.value,
        **moment_columns("at", event.at, f"{where}.at"),
        "amount_fen": event.amount.fen if event.amount is not None else None,
        "units": event.units,
        "reason": stored_text(event.reason, f"{where}.reason"),
    }


def entry_row(entry: LedgerEntry, where: str = "entry") -> dict[str, Any]:
    """The ``ledger_entries`` row of *entry* (without its ``id``).

    Raises:
        InvalidValueError: A moment the store cannot keep exactly (see :mod:`fenxiao.store.schema`).
    """
    until = entry.until
    return {
        "order_id": entry.order_id,
        "event_id": entry.event_id,
        "kind": entry.kind.value,
        "party": entry.party.value,
        "payee_id": entry.payee_id or "",
        "currency": entry.amount.currency,
        "amount_fen": entry.amount.fen,
        **moment_columns("at", entry.at, f"{where}.at"),
        **moment_columns("until", until, f"{where}.until"),
        "note": stored_text(entry.note, f"{where}.note"),
    }


def _event_from_row(row: Mapping[Any, Any], currency: str) -> OrderEvent:
    path = f"order_events[{row['order_id']}/{row['event_id']}]"
    amount = row["amount_fen"]
    return OrderEvent(
        id=row["event_id"],
        kind=enum_of(OrderEventKind, row["kind"], f"{path}.kind"),
        at=moment(row["at"], row["at_offset"]),
        amount=Money(amount, currency) if amount is not None else None,
        units=row["units"],
        reason=row["reason"],
    )


def _order_from_row(row: Mapping[Any, Any], events: Sequence[OrderEvent]) -> Order:
    path = f"orders[{row['id']}]"
    currency = row["currency"]
    return Order(
        id=row["id"],
        merchant_id=row["merchant_id"],
        sku_id=row["sku_id"],
        influencer_id=row["influencer_id"] or None,
        paid=Money(row["paid_fen"], currency),
        paid_at=moment(row["paid_at"], row["paid_at_offset"]),
        terms=_terms(row["terms"]),
        units=row["units"],
        shipping=Money(row["shipping_fen"], currency),
        subsidy=Money(row["subsidy_fen"], currency),
        category_id=row["category_id"],
        category_level1=row["category_level1"],
        service_level=enum_of(ServiceLevel, row["service_level"], f"{path}.service_level"),
        events=tuple(events),
    )


@lru_cache(maxsize=4096)
def _terms(text: str) -> OrderTerms:
    """The terms a stored document holds (orders share terms: read each document once)."""
    return loads(text, OrderTerms)


_COMPARED: Final = tuple(c.name for c in ORDERS.columns if c.name not in ("terms", "profile"))


def _same_payment(stored: Mapping[Any, Any], given: Mapping[str, Any]) -> bool:
    """Whether a stored order row records the payment of *given* (the row of an order being ingested)."""
    if any(stored[name] != given[name] for name in _COMPARED):
        return False
    # The terms document is compared as terms, so that a field added by a newer fenxiao is no conflict.
    return bool(stored["terms"] == given["terms"] or _terms(stored["terms"]) == _terms(given["terms"]))


def _rerooted(exc: InvalidValueError, where: str) -> InvalidValueError:
    return type(exc)(where, exc.value, f"{exc.path}: {exc.problem}")


@attrs.define
class _Pending:
    """What a batch brings for one order: its payment (if given; ``copies`` more times), its events in order."""

    order: Order | None
    order_where: str
    events: list[tuple[OrderEvent, str]]
    copies: int = 0


class OrderEvents:
    """The orders and their events, in the database behind *conn* (within its transaction).

    Args:
        conn: An open connection; the caller begins and commits the transaction.
        profile: The platform profile whose rules derive the ledger entries; each order remembers the name of
            the profile it was booked under, and refuses events ingested under another.
        known: Orders this writer built before, by id (a dict kept across batches: :meth:`Store.ingest
            <fenxiao.store.facade.Store.ingest>` passes one). An order is taken from it instead of being read
            back only when the database holds exactly its events (events never change, so then it is the same
            order); ingesting adds the orders it builds. At most :data:`KNOWN_LIMIT` are kept.
    """

    def __init__(
        self, conn: Connection, profile: PlatformProfile | None = None, *, known: dict[str, Order] | None = None
    ) -> None:
        self.conn = conn
        self.profile = profile if profile is not None else PlatformProfile()
        self.known = known

    def _remember(self, order: Order) -> None:
        known = self.known
        if known is None:
            return
        if len(known) >= KNOWN_LIMIT and order.id not in known:
            known.clear()  # a bound on memory; orders are read back from the database after this
        known[order.id] = order

    # -- writing ---------------------------------------------------------------------------------------

    def ingest(self, items: Iterable[StreamItem], *, labels: Sequence[str] | None = None) -> IngestReport:
        """Record the items not held yet and append the ledger entries they imply (see the module docs).

        Args:
            items: Payments (:class:`~fenxiao.settlement.orders.Order`) and events (:class:`OrderUpdate`), in
                stream order (an order's events in the order they happened).
            labels: How errors name each item (``items[i]`` by default; the CLI passes file and line).

        Raises:
            InvalidValueError: An item is neither; an event names an order never ingested; a different event
                reuses a held id; an event breaks the order's lifecycle (time going back, a refund beyond what
                was paid ...). Nothing of the call is written then: roll the transaction back.
            PolicyError: An order id already holds a different payment, or was booked under another profile.
        """
        listed = list(items)
        names = list(labels) if labels is not None else [f"items[{i}]" for i in range(len(listed))]
        if len(names) != len(listed):
            raise InvalidValueError("OrderEvents.ingest.labels", len(names), f"must name all {len(listed)} items")
        pending = self._group(listed, names)
        if not pending:
            return IngestReport(len(listed), 0, 0, 0, 0)
        profile_name = self.profile.name
        given_rows = {
            oid: _order_row(p.order, profile_name, p.order_where) for oid, p in pending.items() if p.order is not None
        }
        booked = self._book(given_rows)
        stored = self._lock(sorted(pending))
        held = self._events(sorted(stored))
        event_rows: list[Mapping[str, Any]] = []
        entry_rows: list[Mapping[str, Any]] = []
        new_events = duplicates = 0
        for order_id in sorted(pending):
            batch = pending[order_id]
            row = self._checked(order_id, batch, stored.get(order_id), given_rows.get(order_id))
            duplicates += batch.copies
            if order_id not in booked and batch.order is not None:
                duplicates += 1
            order, added, skipped = self._extend(row, batch, held.get(order_id, ()), order_id in booked)
            duplicates += skipped
            new_events += len(added)
            if order is None:
                continue
            if self.known is not None:
                self._remember(order)
            first = len(order.events) - len(added) + 1
            event_rows.extend(_event_row(order_id, first + i, event, where) for i, (event, where) in enumerate(added))
            wanted = {event.id for event, _ in added} | ({PAID_EVENT_ID} if order_id in booked else set())
            entry_rows.extend(
                entry_row(entry, f"orders[{order_id}]")
                for entry in entries_for(order, self.profile)
                if entry.event_id in wanted
            )
        insert_rows(self.conn, ORDER_EVENTS, event_rows)
        insert_rows(self.conn, LEDGER_ENTRIES, entry_rows)
        return IngestReport(len(listed), len(booked), new_events, duplicates, len(entry_rows))

    def _checked(
        self, order_id: str, batch: _Pending, row: Mapping[Any, Any] | None, given: Mapping[str, Any] | None
    ) -> Mapping[Any, Any]:
        """The stored row of *order_id*, checked against what *batch* brings."""
        first = batch.order_where or batch.events[0][1]
        if row is None:
            raise InvalidValueError(
                f"{first}.order_id", order_id, "names an order never ingested (ingest its payment first)"
            )
        if row["profile"] != self.profile.name:
            raise PolicyError(
                first,
                order_id,
                f"was booked under profile {row['profile']!r}, not {self.profile.name!r}: ingest with that profile",
            )
        if given is not None and not _same_payment(row, given):
            raise PolicyError(first, order_id, "conflicts with the order stored under this id (another payment)")
        return row

    def _group(self, listed: Sequence[object], names: Sequence[str]) -> dict[str, _Pending]:
        pending: dict[str, _Pending] = {}
        for item, where in zip(listed, names, strict=True):
            if isinstance(item, Order):
                found = pending.get(item.id)
                header = attrs.evolve(item, events=()) if item.events else item
                if found is None:
                    found = pending[item.id] = _Pending(header, where, [])
                elif found.order is None:
                    found.order, found.order_where = header, where
                elif found.order != header or found.order.paid_at.utcoffset() != header.paid_at.utcoffset():
                    raise PolicyError(where, item.id, f"is paid differently by {found.order_where}")
                else:
                    found.copies += 1
                found.events.extend((event, f"{where}.events[{i}]") for i, event in enumerate(item.events))
            elif isinstance(item, OrderUpdate):
                found = pending.get(item.order_id)
                if found is None:
                    found = pending[item.order_id] = _Pending(None, "", [])
                found.events.append((item.event, f"{where}.event"))
            else:
                raise InvalidValueError(where, item, "must be an Order (a payment) or an OrderUpdate (an event)")
        return pending

    def _book(self, rows: Mapping[str, Mapping[str, Any]]) -> set[str]:
        """Insert the payments not held yet (in id order); the ids inserted by this call."""
        booked: set[str] = set()
        ordered = [rows[oid] for oid in sorted(rows)]
        for part in chunks(ordered):
            insert = postgresql.insert(ORDERS) if self.conn.dialect.name == "postgresql" else sqlite.insert(ORDERS)
            statement = insert.on_conflict_do_nothing().returning(ORDERS.c.id)
            booked.update(self.conn.execute(statement, list(part)).scalars().all())
        return booked

    def _lock(self, order_ids: Sequence[str]) -> dict[str, Mapping[Any, Any]]:
        """The stored rows of *order_ids*, locked until the transaction ends (PostgreSQL)."""
        stored: dict[str, Mapping[Any, Any]] = {}
        for part in chunks(order_ids):
            query = sa.select(ORDERS).where(ORDERS.c.id.in_(part)).order_by(ORDERS.c.id).with_for_update()
            stored.update((row["id"], row) for row in self.conn.execute(query).mappings())
        return stored

    def _events(self, order_ids: Sequence[str]) -> dict[str, tuple[Mapping[Any, Any], ...]]:
        found: dict[str, list[Mapping[Any, Any]]] = {}
        for part in chunks(order_ids):
            query = (
                sa.select(ORDER_EVENTS)
                .where(ORDER_EVENTS.c.order_id.in_(part))
                .order_by(ORDER_EVENTS.c.order_id, ORDER_EVENTS.c.seq)
            )
            for row in self.conn.execute(query).mappings():
                found.setdefault(row["order_id"], []).append(row)
        return {oid: tuple(rows) for oid, rows in found.items()}

    def _extend(
        self, row: Mapping[Any, Any], batch: _Pending, held_rows: Sequence[Mapping[Any, Any]], booked: bool
    ) -> tuple[Order | None, list[tuple[OrderEvent, str]], int]:
        """The order with its stored events and the new ones of *batch* (``None`` when nothing is new and the
        payment was held), the new events, and how many of *batch*'s events were held already."""
        currency = row["currency"]
        cached = self.known.get(row["id"]) if self.known is not None else None
        if cached is not None and [e.id for e in cached.events] != [r["event_id"] for r in held_rows]:
            cached = None  # the database holds other events than this writer last saw: read them
        if cached is not None:
            held = {e.id: e for e in cached.events}
        else:
            held = {r["event_id"]: _event_from_row(r, currency) for r in held_rows}
        added: list[tuple[OrderEvent, str]] = []
        seen: dict[str, OrderEvent] = dict(held)
        skipped = 0
        for event, where in batch.events:
            same = seen.get(event.id)
            if same is not None:
                if same != event or same.at.utcoffset() != event.at.utcoffset():
                    raise InvalidValueError(f"{where}.id", event.id, "is already used by a different event")
                skipped += 1
                continue
            seen[event.id] = event
            added.append((event, where))
        stored_events = [held[r["event_id"]] for r in held_rows]
        if not added and not booked:
            return None, added, skipped  # nothing new: no entry to derive
        if cached is not None:
            order = cached
        else:
            base = batch.order if booked and batch.order is not None else _order_from_row(row, ())
            order = attrs.evolve(base, events=tuple(stored_events)) if stored_events else base
        for event, where in added:
            try:
                order = attrs.evolve(order, events=(*order.events, event))
            except InvalidValueError as exc:
                raise _rerooted(exc, where) from exc
        return order, added, skipped

    # -- reading ---------------------------------------------------------------------------------------

    def load(self, order_id: str) -> Order | None:
        """The order *order_id* with every stored event, or ``None``."""
        found = self.load_many([order_id])
        return found[0] if found else None

    def load_many(self, order_ids: Iterable[str] | None = None) -> tuple[Order, ...]:
        """The orders *order_ids* (every order when ``None``) with their stored events, by id; unknown ids are
        left out."""
        if order_ids is None:
            rows = list(self.conn.execute(sa.select(ORDERS).order_by(ORDERS.c.id)).mappings())
        else:
            wanted = sorted(set(order_ids))
            rows = []
            for part in chunks(wanted):
                rows.extend(self.conn.execute(sa.select(ORDERS).where(ORDERS.c.id.in_(part))).mappings())
            rows.sort(key=lambda r: str(r["id"]))
        held = self._events([r["id"] for r in rows]) if order_ids is not None else self._all_events()
        return tuple(
            _order_from_row(r, [_event_from_row(e, r["currency"]) for e in held.get(r["id"], ())]) for r in rows
        )

    def _all_events(self) -> dict[str, tuple[Mapping[Any, Any], ...]]:
        found: dict[str, list[Mapping[Any, Any]]] = {}
        query = sa.select(ORDER_EVENTS).order_by(ORDER_EVENTS.c.order_id, ORDER_EVENTS.c.seq)
        for row in self.conn.execute(query).mappings():
            found.setdefault(row["order_id"], []).append(row)
        return {oid: tuple(rows) for oid, rows in found.items()}

    def count(self) -> int:
        """How many events the database holds, payments included (each order's payment is one)."""
        orders = self.conn.execute(sa.select(sa.func.count()).select_from(ORDERS)).scalar_one()
        events = self.conn.execute(sa.select(sa.func.count()).select_from(ORDER_EVENTS)).scalar_one()
        return int(orders) + int(events)
