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
>>> from fenxiao.settlement.orders import PAID_EVENT_ID, Order, OrderEvent, OrderEventKind, OrderTerms
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
IngestReport(received=2, orders=1, events=1, duplicates=0, entries=3)
>>> with engine.begin() as conn:
...     OrderEvents(conn).ingest([order, received, received])
IngestReport(received=3, orders=0, events=0, duplicates=3, entries=0)

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, TypeAlias

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from fenxiao._internal import validators as v
from fenxiao._internal.convert import dumps, loads
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Money
from fenxiao.settlement.ledger import EntryRow, LedgerEntry, OrderEntries
from fenxiao.settlement.orders import PAID_EVENT_ID, Order, OrderEvent, OrderEventKind, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile, ServiceLevel
from fenxiao.store._sql import (
    Binder,
    chunks,
    enum_of,
    insert_tuples,
    instant_binder,
    moment,
    moment_columns,
    stored_text,
)
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


#: The columns of ``orders``, ``order_events`` and ``ledger_entries`` (without its serial id), in table order:
#: the rows ingestion writes through the driver itself are tuples in this order.
_ORDER_COLUMNS: Final = tuple(c.name for c in ORDERS.columns)
_EVENT_COLUMNS: Final = tuple(c.name for c in ORDER_EVENTS.columns)
_ENTRY_COLUMNS: Final = tuple(c.name for c in LEDGER_ENTRIES.columns if c.name != "id")
#: Where an order row holds its payment's moment, and an event row its moment (each followed by its offset).
_PAID_AT: Final = _ORDER_COLUMNS.index("paid_at")
_AT: Final = _EVENT_COLUMNS.index("at")


@lru_cache(maxsize=8)
def _book_postgres(dialect: Dialect) -> str:
    """Booking payments on PostgreSQL: the rows as one array per column (cast to the column's type), in id order,
    inserted by one statement whatever their count (see :meth:`OrderEvents._book`)."""
    names = ", ".join(_ORDER_COLUMNS)
    # Text as text: a cast to VARCHAR(n) would cut a longer value short, where the insert refuses it.
    types = ["text" if isinstance(c.type, sa.String) else c.type.compile(dialect=dialect) for c in ORDERS.columns]
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    return (
        f"INSERT INTO orders ({names}) SELECT {names} FROM unnest({arrays}) WITH ORDINALITY AS given({names}, n) "
        "ORDER BY n ON CONFLICT DO NOTHING RETURNING id"
    )


def _order_tuple(order: Order, profile: str, where: str, instant: Binder) -> tuple[Any, ...]:
    """The ``orders`` row of *order*'s payment (in :data:`_ORDER_COLUMNS` order), as the driver binds it."""
    paid_at, offset = instant(order.paid_at, where, "paid_at")
    level1 = order.category_level1
    return (
        order.id,
        profile,
        order.merchant_id,
        order.sku_id,
        # An own-stream order (no influencer) is stored with an empty id: the column predates them and is NOT NULL.
        order.influencer_id or "",
        order.paid.currency,
        order.paid.fen,
        order.shipping.fen,
        order.subsidy.fen,
        paid_at,
        offset,
        order.units,
        order.category_id,
        stored_text(level1, f"{where}.category_level1") if level1 else None,
        order.service_level._value_,
        _terms_text(order.terms),
    )


def _event_tuple(order_id: str, seq: int, event: OrderEvent, where: str, instant: Binder) -> tuple[Any, ...]:
    """The ``order_events`` row of *event* (in :data:`_EVENT_COLUMNS` order), as the driver binds it."""
    at, offset = instant(event.at, where, "at")
    amount = event.amount
    reason = event.reason
    return (
        order_id,
        event.id,
        seq,
        event.kind._value_,
        at,
        offset,
        amount.fen if amount is not None else None,
        event.units,
        stored_text(reason, f"{where}.reason") if reason else reason,
    )


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


@lru_cache(maxsize=4096)
def _terms_text(terms: OrderTerms) -> str:
    """The stored document of *terms* (orders share terms: write each document once)."""
    return dumps(terms, indent=None)


def _same_payment(row: Mapping[Any, Any], order: Order) -> bool:
    """Whether a stored ``orders`` row records the payment *order* (without events): the same values, the moment at
    the same offset. The terms are compared as terms, so that a field added by a newer fenxiao is no conflict."""
    stored = _order_from_row(row, ())
    return stored == order and stored.paid_at.utcoffset() == order.paid_at.utcoffset()


def _rerooted(exc: InvalidValueError, where: str) -> InvalidValueError:
    return type(exc)(where, exc.value, f"{exc.path}: {exc.problem}")


def _new_events(
    order: OrderEntries, given: Sequence[tuple[OrderEvent, str]]
) -> tuple[Sequence[tuple[OrderEvent, str]], int]:
    """The events of *given* that *order* does not hold (each once, in order), and how many it skipped.

    Raises:
        InvalidValueError: An event reuses the id of a held or earlier event with other content (or at another
            UTC offset: the store keeps offsets, so a replay must be identical).
    """
    if len(given) == 1 and order.event(given[0][0].id) is None:
        return given, 0  # one event, not held
    seen: dict[str, OrderEvent] = {}
    added: list[tuple[OrderEvent, str]] = []
    skipped = 0
    for event, where in given:
        same = seen.get(event.id) or order.event(event.id)
        if same is not None:
            if same != event or same.at.utcoffset() != event.at.utcoffset():
                raise InvalidValueError(f"{where}.id", event.id, "is already used by a different event")
            skipped += 1
            continue
        seen[event.id] = event
        added.append((event, where))
    return added, skipped


class _Moments:
    """How the entry rows of the order in hand hold their moments: an event's moment as its own row holds it
    (:attr:`held`, by event id), a release moment converted by *instant* (once per settlement). One per batch,
    refilled for each order in turn (no function, cells or dict made per order)."""

    __slots__ = ("held", "instant", "order_id")

    def __init__(self, instant: Binder) -> None:
        self.instant = instant
        self.held: dict[str, tuple[Any, int]] = {}
        self.order_id = ""

    def bind(self, at: datetime, event_id: str, field: str) -> tuple[Any, Any]:
        """The :data:`~fenxiao.settlement.ledger.MomentBinder` of the order in hand."""
        return self.held[event_id] if field == "at" else self.instant(at, f"orders[{self.order_id}]", field)


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
        known: Orders this writer built before, by id, each with what its entries leave
            (:class:`~fenxiao.settlement.ledger.OrderEntries`: an event added later derives its own entries alone);
            a dict kept across batches: :meth:`Store.ingest <fenxiao.store.facade.Store.ingest>` passes one, and
            empties it when a batch fails. An order is taken from it instead of being read back only when the
            database holds exactly its events (events never change, so then it is the same order); ingesting adds
            (and extends) the orders it builds. At most :data:`KNOWN_LIMIT` are kept. Empty it when a transaction
            that ingested rolls back.
    """

    def __init__(
        self,
        conn: Connection,
        profile: PlatformProfile | None = None,
        *,
        known: dict[str, OrderEntries] | None = None,
    ) -> None:
        self.conn = conn
        self.profile = profile if profile is not None else PlatformProfile.default()
        self.known = known

    # -- writing ---------------------------------------------------------------------------------------

    def ingest(self, items: Iterable[StreamItem], *, labels: Sequence[str] | None = None) -> IngestReport:
        """Record the items not held yet and append the ledger entries they imply (see the module docs).

        Only the new events' entries are derived (:func:`~fenxiao.settlement.ledger.entries_for` with ``after=``:
        from the events the order holds, never its whole history again).

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
        instant = instant_binder(self.conn.dialect.name)
        profile_name = self.profile.name
        payments = {
            oid: _order_tuple(p.order, profile_name, p.order_where, instant)
            for oid, p in pending.items()
            if p.order is not None
        }
        ordered = sorted(pending)
        counted = bool(self.known)
        sqlite_ = self.conn.dialect.name == "sqlite"
        if sqlite_:  # one writer at a time: what is held is read first, in one query; written with the rest
            held = self._lock(ordered, counted=counted)
            booked = {oid for oid in payments if oid not in held}
        else:  # payments booked first (another writer's wait), then the rows locked
            booked = self._book(payments)
            held = self._lock([oid for oid in ordered if oid not in booked], counted=counted)
        bases, stored = self._held([oid for oid in ordered if oid not in booked], pending, held)
        events, entries, new_events, duplicates = self._extend(
            ordered, pending, booked, payments, bases, stored, instant
        )
        if sqlite_:
            # The payments not held, now (the write lock was taken by the first statement, BEGIN IMMEDIATE, so what
            # was read is still all there is; a transaction begun without it fails on a duplicate rather than
            # booking twice): every write of the batch back to back.
            insert_tuples(self.conn, ORDERS, _ORDER_COLUMNS, [payments[oid] for oid in sorted(booked)])
        insert_tuples(self.conn, ORDER_EVENTS, _EVENT_COLUMNS, events)
        insert_tuples(self.conn, LEDGER_ENTRIES, _ENTRY_COLUMNS, entries)
        return IngestReport(len(listed), len(booked), new_events, duplicates, len(entries))

    def _extend(  # noqa: PLR0913, PLR0917 - private: the state of one ingest, positionally
        self,
        ordered: Sequence[str],
        pending: Mapping[str, _Pending],
        booked: set[str],
        payments: Mapping[str, tuple[Any, ...]],
        bases: Mapping[str, OrderEntries],
        stored: Mapping[str, Mapping[Any, Any]],
        instant: Binder,
    ) -> tuple[list[tuple[Any, ...]], list[EntryRow], int, int]:
        """The ``order_events`` and ``ledger_entries`` rows of a batch (*ordered*: its orders in id order, each
        extended by its new events, each checked against the lifecycle), the new events' count and the duplicates'.
        """
        profile, known = self.profile, self.known
        events: list[tuple[Any, ...]] = []
        entries: list[EntryRow] = []
        add_event, add_entries = events.append, entries.extend
        found = _Moments(instant)
        moments, bind = found.held, found.bind
        new_events = duplicates = 0
        for order_id in ordered:  # each order: its payment (if new), its new events, their entries
            batch = pending[order_id]
            header = batch.order
            duplicates += batch.copies
            paid = None
            if header is not None and order_id in booked:  # booked now: the payment is the batch's
                order = OrderEntries(header, profile)
                paid = payments[order_id]
            else:
                order = bases[order_id]
                if header is not None:
                    duplicates += 1
                    if not _same_payment(stored[order_id], header):
                        raise PolicyError(
                            batch.order_where,
                            order_id,
                            "conflicts with the order stored under this id (another payment)",
                        )
            added: Sequence[tuple[OrderEvent, str]] = batch.events
            if len(added) != 1 or order.event(added[0][0].id) is not None:
                added, skipped = _new_events(order, added)
                duplicates += skipped
            if not added and paid is None:
                continue
            moments.clear()  # each moment of this order as its row holds it, by event id
            found.order_id = order_id
            if paid is not None:
                moments[PAID_EVENT_ID] = (paid[_PAID_AT], paid[_PAID_AT + 1])
            seq = order.count
            for event, where in added:  # each new event checked against the lifecycle, and its row
                try:
                    order.apply(event)
                except InvalidValueError as exc:
                    raise _rerooted(exc, where) from exc
                seq += 1
                row = _event_tuple(order_id, seq, event, where, instant)
                moments[event.id] = (row[_AT], row[_AT + 1])
                add_event(row)
            new_events += len(added)
            if known is not None:
                if len(known) >= KNOWN_LIMIT and order_id not in known:
                    known.clear()  # a bound on memory; orders are read back from the database after this
                known[order_id] = order
            add_entries(order.rows(bind))
        return events, entries, new_events, duplicates

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
                if item.events:
                    found.events.extend((event, f"{where}.events[{i}]") for i, event in enumerate(item.events))
            elif isinstance(item, OrderUpdate):
                found = pending.get(item.order_id)
                if found is None:
                    found = pending[item.order_id] = _Pending(None, "", [])
                found.events.append((item.event, f"{where}.event"))
            else:
                raise InvalidValueError(where, item, "must be an Order (a payment) or an OrderUpdate (an event)")
        return pending

    def _book(self, rows: Mapping[str, tuple[Any, ...]]) -> set[str]:
        """Insert the payments not held yet, on PostgreSQL (in id order: see :meth:`_lock`); the ids inserted by
        this call.

        One ``INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING id`` (a column per array: one
        statement whatever the count): a payment another transaction is inserting waits for it, then is skipped if
        it committed.
        """
        ordered = sorted(rows)
        if not ordered:
            return set()
        columns = list(zip(*(rows[oid] for oid in ordered), strict=True))
        return {row[0] for row in self._fetch(_book_postgres(self.conn.dialect), [list(column) for column in columns])}

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """The rows of *sql* with *params*, through the driver's own cursor (plain tuples, no result processing),
        in the connection's transaction."""
        conn = self.conn
        if not conn.in_transaction():
            conn.begin()  # what SQLAlchemy begins before its first statement: this runs inside the transaction
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _select_ids(self, sql: str, order_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The rows of *sql* for *order_ids*: on SQLite its ``IN ({})`` filled with one marker per id, chunk by
        chunk; on PostgreSQL (*sql* written ``= ANY({})``) in one statement, the ids one array."""
        if self.conn.dialect.name != "sqlite":
            return self._fetch(sql.format("%s"), [list(order_ids)])
        found: list[tuple[Any, ...]] = []
        for part in chunks(order_ids):
            found.extend(self._fetch(sql.format(", ".join(["?"] * len(part))), tuple(part)))
        return found

    def _held(
        self, order_ids: Sequence[str], pending: Mapping[str, _Pending], held: Mapping[str, tuple[str, int]]
    ) -> tuple[dict[str, OrderEntries], dict[str, Mapping[Any, Any]]]:
        """Each of *order_ids* (orders held before this call, in id order), checked against what the database holds
        (*held*: each order's profile and event count, see :meth:`_lock`) and built with the events it holds; and
        the stored rows read to build them (by id).

        An order is taken from :attr:`known` when the database holds as many events as the known order (only the
        counts are read then): a writer remembers only what it committed (it forgets everything when a batch
        fails), and events are only ever added, so the same number means the same events. The others are read
        back whole, as is every order whose payment the batch brings again (to compare).

        Raises:
            InvalidValueError: An order never ingested.
            PolicyError: An order booked under another profile.
        """
        known = self.known
        name = self.profile.name
        for order_id in order_ids:
            found = held.get(order_id)
            if found is None or found[0] != name:
                batch = pending[order_id]
                first = batch.order_where or batch.events[0][1]
                if found is None:
                    raise InvalidValueError(
                        f"{first}.order_id", order_id, "names an order never ingested (ingest its payment first)"
                    )
                raise PolicyError(
                    first, order_id, f"was booked under profile {found[0]!r}, not {name!r}: ingest with that profile"
                )
        bases: dict[str, OrderEntries] = {}
        if known:
            for order_id in order_ids:
                cached = known.get(order_id)
                if cached is not None and cached.count == held[order_id][1]:
                    bases[order_id] = cached
        wanted = sorted(oid for oid in order_ids if oid not in bases or pending[oid].order is not None)
        stored = self._rows(wanted)
        held_rows = self._events([oid for oid in wanted if oid not in bases])
        for order_id in wanted:
            if order_id not in bases:
                row = stored[order_id]
                events = [_event_from_row(e, row["currency"]) for e in held_rows.get(order_id, ())]
                order = _order_from_row(row, events)
                bases[order_id] = OrderEntries(order, self.profile, after=len(order.events))
        return bases, stored

    def _lock(self, order_ids: Sequence[str], *, counted: bool) -> dict[str, tuple[str, int]]:
        """The profile of each of *order_ids* the database holds, and (when *counted*) how many events it holds,
        its row locked until the transaction ends (PostgreSQL).

        Every lock ingestion takes is taken in one order, the ids' code point order (Python's, and PostgreSQL's
        ``"C"`` collation, whatever the database's own): the payments it books, then these rows, in one statement.
        Two writers therefore never wait for each other in a cycle. The events are counted by a statement of their
        own once the locks are held, so that they include those of a writer this one waited for.
        """
        if self.conn.dialect.name == "sqlite":  # one writer at a time: read both at once
            count = "(SELECT count(*) FROM order_events e WHERE e.order_id = o.id)" if counted else "0"
            sql = f"SELECT o.id, o.profile, {count} FROM orders o WHERE o.id IN ({{}})"
            return {row[0]: (row[1], row[2]) for row in self._select_ids(sql, order_ids)}
        sql = 'SELECT id, profile FROM orders WHERE id = ANY({}) ORDER BY id COLLATE "C" FOR UPDATE'
        locked = self._select_ids(sql, order_ids)
        counts: dict[str, int] = {}
        if counted and locked:
            sql = "SELECT order_id, count(*) FROM order_events WHERE order_id = ANY({}) GROUP BY order_id"
            counts = {row[0]: row[1] for row in self._select_ids(sql, [row[0] for row in locked])}
        return {row[0]: (row[1], counts.get(row[0], 0)) for row in locked}

    def _rows(self, order_ids: Sequence[str]) -> dict[str, Mapping[Any, Any]]:
        found: dict[str, Mapping[Any, Any]] = {}
        for part in chunks(order_ids):
            query = sa.select(ORDERS).where(ORDERS.c.id.in_(part))
            found.update((row["id"], row) for row in self.conn.execute(query).mappings())
        return found

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
