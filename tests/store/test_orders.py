"""fenxiao.store.orders: idempotent ingestion of payments and events, the same ledger as in memory, nothing lost
when a writer is killed, two writers at once; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from fenxiao._internal.convert import dumps
from fenxiao.domain.ids import TeamLeaderId
from fenxiao.errors import InvalidValueError, PolicyError, TransitionError
from fenxiao.money import Money, Rate
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.ledger import EntryKind, Ledger, OrderEntries, entries_for
from fenxiao.settlement.orders import Order, OrderEvent, OrderEventKind, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.store.engine import create_engine
from fenxiao.store.ledger import LedgerEntries
from fenxiao.store.migrate import upgrade
from fenxiao.store.orders import IngestReport, OrderEvents, OrderUpdate, StreamItem
from fenxiao.store.schema import LEDGER_ENTRIES, ORDER_EVENTS, ORDERS
from fenxiao.store.stream import build_stream
from fenxiao.testing.commission import order_histories, order_terms

from .. import builders
from . import worker
from .databases import DB_SETTINGS, wipe

ROOT = Path(__file__).resolve().parents[2]
PROFILE = PlatformProfile()
T0 = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))

histories = st.lists(order_histories(profile=PROFILE, max_events=5), max_size=4, unique_by=lambda o: o.id)


def order(order_id: str = "o-1", **changes: Any) -> Order:
    """Order *order_id*: ¥100.00 paid at :data:`T0`, 20% commission, a 2% team leader."""
    terms = builders.order_terms(leader_id=TeamLeaderId("tl-1"), leader_fee_rate=Rate.of("2%"))
    paid = changes.pop("paid", Money.of("100.00"))
    return builders.order(paid, **{"id": order_id, "paid_at": T0, "terms": terms, **changes})


def update(order_id: str, event_id: str, kind: OrderEventKind, days: int, **fields: object) -> OrderUpdate:
    return OrderUpdate(order_id, OrderEvent(event_id, kind, T0 + timedelta(days=days), **fields))  # type: ignore[arg-type]


def ingest(engine: sa.Engine, items: list[StreamItem], profile: PlatformProfile = PROFILE) -> IngestReport:
    with engine.begin() as conn:
        return OrderEvents(conn, profile).ingest(items)


def stored_entries(engine: sa.Engine) -> list[object]:
    with engine.begin() as conn:
        return list(LedgerEntries(conn).select())


def counts(engine: sa.Engine) -> tuple[int, int, int]:
    with engine.begin() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (ORDERS, ORDER_EVENTS, LEDGER_ENTRIES)
        )


# -- examples --------------------------------------------------------------------------------------------


def test_a_payment_and_its_events_book_what_the_in_memory_ledger_books(engine: sa.Engine) -> None:
    """Paid, received, settled, refunded after settlement: the entries are the in-memory ledger's, row for row."""
    items: list[StreamItem] = [
        order(),
        update("o-1", "r", OrderEventKind.RECEIVED, 2),
        update("o-1", "s", OrderEventKind.SETTLED, 20),
        update("o-1", "x", OrderEventKind.REFUNDED, 22, amount=Money.of("30.00")),
    ]
    report = ingest(engine, items)
    assert report == IngestReport(received=4, orders=1, events=3, duplicates=0, entries=report.entries)
    whole = (
        order()
        .receive(at=T0 + timedelta(days=2), event_id="r")
        .settle(PROFILE, at=T0 + timedelta(days=20), event_id="s")
    )
    whole = whole.refund(event_id="x", at=T0 + timedelta(days=22), amount=Money.of("30.00"))
    expected = entries_for(whole, PROFILE)
    assert report.entries == len(expected)
    assert stored_entries(engine) == list(expected)


def test_ingesting_everything_again_changes_nothing(engine: sa.Engine) -> None:
    """The same items again: every one is a duplicate, no row is added."""
    items: list[StreamItem] = [order(), update("o-1", "r", OrderEventKind.RECEIVED, 2)]
    ingest(engine, items)
    before = counts(engine)
    assert ingest(engine, [*items, *items]) == IngestReport(4, 0, 0, 4, 0)
    assert counts(engine) == before


def test_an_order_given_whole_books_its_payment_and_every_event(engine: sa.Engine) -> None:
    """An Order carrying events is its payment plus each event; a later, longer copy adds only the new events."""
    received = order().receive(at=T0 + timedelta(days=1))
    assert ingest(engine, [received]).events == 1
    settled = received.settle(PROFILE, at=T0 + timedelta(days=20))
    report = ingest(engine, [settled])
    assert (report.orders, report.events, report.duplicates) == (0, 1, 2)
    with engine.begin() as conn:
        assert OrderEvents(conn).load("o-1") == settled


def test_an_event_for_an_order_never_paid_is_refused_naming_the_item(engine: sa.Engine) -> None:
    """An update naming an unknown order is an error on that item's order_id; nothing is written."""
    with pytest.raises(InvalidValueError, match=r"items\[1\]\.event\.order_id: names an order never ingested"):
        ingest(engine, [order(), update("o-2", "r", OrderEventKind.RECEIVED, 1)])
    assert counts(engine) == (0, 0, 0)


def test_a_different_event_under_a_held_id_is_refused(engine: sa.Engine) -> None:
    """Event ids are unique within an order: the same id with other content is a conflict, not a duplicate."""
    ingest(engine, [order(), update("o-1", "r", OrderEventKind.RECEIVED, 1)])
    with pytest.raises(InvalidValueError, match=r"items\[0\]\.event\.id: is already used by a different event"):
        ingest(engine, [update("o-1", "r", OrderEventKind.RECEIVED, 2)])


def test_the_same_moment_at_another_offset_is_another_event(engine: sa.Engine) -> None:
    """A replayed event must be identical, offset included: the store keeps offsets, so it compares them."""
    event = OrderEvent("r", OrderEventKind.RECEIVED, T0 + timedelta(days=1))
    ingest(engine, [order(), OrderUpdate("o-1", event)])
    moved = attrs.evolve(event, at=event.at.astimezone(UTC))
    with pytest.raises(InvalidValueError, match="is already used by a different event"):
        ingest(engine, [OrderUpdate("o-1", moved)])


def test_another_payment_under_a_held_order_id_is_refused(engine: sa.Engine) -> None:
    """The same order id with a different payment is a PolicyError naming the item."""
    ingest(engine, [order()])
    with pytest.raises(PolicyError, match=r"items\[0\]: conflicts with the order stored under this id"):
        ingest(engine, [order(paid=Money.of("99.00"))])
    with pytest.raises(PolicyError, match=r"items\[1\]: is paid differently by items\[0\]"):
        ingest(engine, [order("o-9"), order("o-9", units=2)])


def test_an_order_refuses_events_ingested_under_another_profile(engine: sa.Engine) -> None:
    """Entries are derived under the profile an order was booked with; another profile is refused."""
    ingest(engine, [order()])
    with pytest.raises(PolicyError, match="was booked under profile 'default', not 'kuaishou'"):
        ingest(engine, [update("o-1", "r", OrderEventKind.RECEIVED, 1)], PlatformProfile.kuaishou())


def test_an_event_breaking_the_lifecycle_is_refused_naming_the_item(engine: sa.Engine) -> None:
    """Settling an order never received, or going back in time, fails on the item with the order's own reason."""
    ingest(engine, [order()])
    with pytest.raises(TransitionError, match=r"items\[0\]\.event: Order\.events\[0\]\.kind: cannot move"):
        ingest(engine, [update("o-1", "s", OrderEventKind.SETTLED, 1)])
    with (
        pytest.raises(InvalidValueError, match=r"line 7\.event: Order\.events\[0\]\.at: is earlier"),
        engine.begin() as conn,
    ):
        OrderEvents(conn, PROFILE).ingest([update("o-1", "r", OrderEventKind.RECEIVED, -1)], labels=["line 7"])


def test_anything_but_a_payment_or_an_update_is_refused() -> None:
    """Items are checked before the database is touched; labels must name every item."""
    events = OrderEvents(None, PROFILE)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"items\[0\]: must be an Order \(a payment\) or an OrderUpdate"):
        events.ingest(["o-1"])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="labels: must name all 1 items"):
        events.ingest([order()], labels=[])
    assert events.ingest([]) == IngestReport(0, 0, 0, 0, 0)


def test_reports_add_up() -> None:
    """Two batches' reports add field by field."""
    assert IngestReport(1, 2, 3, 4, 5) + IngestReport(10, 20, 30, 40, 50) == IngestReport(11, 22, 33, 44, 55)


# -- properties ------------------------------------------------------------------------------------------


@DB_SETTINGS
@given(orders=histories)
def test_the_store_holds_the_entries_and_balances_of_the_in_memory_ledger(
    engine: sa.Engine, orders: list[Order]
) -> None:
    """For any orders, the entries stored are those Ledger.record_all appends, and every balance agrees."""
    wipe(engine)
    ingest(engine, list(build_stream(orders)))
    memory = Ledger().record_all(orders, PROFILE)
    with engine.begin() as conn:
        ledger = LedgerEntries(conn)
        assert Counter(ledger.select()) == Counter(memory.entries)
        assert ledger.balances() == memory.balances()
        for party, payee in memory.balances():
            assert ledger.balance(party, payee_id=payee) == memory.balance(party, payee_id=payee)
        assert OrderEvents(conn).load_many() == tuple(sorted(orders, key=lambda o: o.id))


@st.composite
def replays(draw: st.DrawFn) -> tuple[list[Order], list[StreamItem], list[int]]:
    """Orders, a replay of their stream (a prefix, then the whole stream, with extra copies of items already seen
    inserted anywhere after their first appearance) and the batch sizes to ingest it in."""
    orders = draw(histories)
    stream = list(build_stream(orders))
    prefix = draw(st.integers(0, len(stream)))
    replay = stream[:prefix] + stream
    for _ in range(draw(st.integers(0, 6))):
        if not replay:
            break
        source = draw(st.integers(0, len(replay) - 1))
        place = draw(st.integers(source + 1, len(replay)))
        replay.insert(place, replay[source])
    sizes = draw(st.lists(st.integers(1, 8), min_size=1, max_size=4))
    return orders, replay, sizes


@DB_SETTINGS
@given(case=replays())
def test_replaying_a_prefix_with_duplicates_anywhere_gives_the_streams_balances(
    engine: sa.Engine, case: tuple[list[Order], list[StreamItem], list[int]]
) -> None:
    """After a crash a writer replays from an earlier point: whatever it repeats, in whatever batches, every event
    is held once and the balances are those of the stream."""
    orders, replay, sizes = case
    wipe(engine)
    start = 0
    for n in range(len(replay)):
        size = sizes[n % len(sizes)]
        if start >= len(replay):
            break
        ingest(engine, replay[start : start + size])
        start += size
    memory = Ledger().record_all(orders, PROFILE)
    with engine.begin() as conn:
        assert OrderEvents(conn).count() == sum(1 + len(o.events) for o in orders)
        assert LedgerEntries(conn).balances() == memory.balances()
        assert Counter(LedgerEntries(conn).select()) == Counter(memory.entries)


@st.composite
def batched_streams(draw: st.DrawFn) -> tuple[list[Order], list[list[StreamItem]]]:
    """Orders and their stream cut into batches anywhere, with duplicates: items sent again later (also in the
    same batch), and payments sent as the whole order with the events it had by then (a snapshot)."""
    orders = draw(histories)
    stream: list[StreamItem] = []
    for item in build_stream(orders):
        if isinstance(item, Order) and draw(st.booleans()):
            whole = next(o for o in orders if o.id == item.id)
            stream.append(attrs.evolve(whole, events=whole.events[: draw(st.integers(0, len(whole.events)))]))
        else:
            stream.append(item)
    for _ in range(draw(st.integers(0, 6))):
        if not stream:
            break
        source = draw(st.integers(0, len(stream) - 1))
        stream.insert(draw(st.integers(source + 1, len(stream))), stream[source])
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    bounds = [0, *cuts, len(stream)]
    return orders, [stream[a:b] for a, b in itertools.pairwise(bounds)]


@DB_SETTINGS
@given(case=batched_streams(), remember=st.booleans())
def test_incremental_ingestion_stores_exactly_the_entries_of_a_one_shot_derivation(
    engine: sa.Engine, case: tuple[list[Order], list[list[StreamItem]]], remember: bool
) -> None:
    """However the stream is cut into batches and whatever is sent twice, each batch derives only its new events'
    entries from what the order holds, and each order ends with exactly the entries ``entries_for`` derives from
    its whole history at once: the same entries, in the same order, at the same offsets. Orders are read back from
    the database, or (*remember*) taken from the writer's own ``known`` orders, as ``Store.ingest`` does."""
    orders, batches = case
    wipe(engine)
    known: dict[str, OrderEntries] | None = {} if remember else None
    for batch in batches:
        with engine.begin() as conn:
            OrderEvents(conn, PROFILE, known=known).ingest(batch)
    with engine.begin() as conn:
        stored = LedgerEntries(conn).select()
    for o in orders:
        got = [e for e in stored if e.order_id == o.id]
        want = list(entries_for(o, PROFILE))
        assert got == want
        assert [(e.at.isoformat(), e.until.isoformat() if e.until else None) for e in got] == [
            (e.at.isoformat(), e.until.isoformat() if e.until else None) for e in want
        ]
    assert len(stored) == sum(len(entries_for(o, PROFILE)) for o in orders)


@DB_SETTINGS
@given(orders=histories)
def test_orders_come_back_exactly_offsets_included(engine: sa.Engine, orders: list[Order]) -> None:
    """Every stored value round-trips: amounts to the fen, times to the microsecond with their UTC offset."""
    wipe(engine)
    ingest(engine, list(orders))
    with engine.begin() as conn:
        loaded = OrderEvents(conn).load_many(o.id for o in orders)
    by_id = {o.id: o for o in orders}
    assert {o.id: o for o in loaded} == by_id
    for got in loaded:
        want = by_id[got.id]
        assert got.paid_at.utcoffset() == want.paid_at.utcoffset()
        assert [e.at.utcoffset() for e in got.events] == [e.at.utcoffset() for e in want.events]
        assert [e.at.isoformat() for e in got.events] == [e.at.isoformat() for e in want.events]


# -- crash and concurrency -------------------------------------------------------------------------------


def _worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.worker", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_writer_killed_mid_batch_loses_nothing_committed_and_half_writes_nothing(
    db_url: str, engine: sa.Engine
) -> None:
    """SIGKILL in the middle of a batch's transaction: every batch committed before is there exactly once, the
    killed batch is not there at all (no half-written order), balances equal a recount, and replaying the whole
    stream then gives the stream's ledger."""
    count, batch, pause = 120, 40, 3
    stream = worker.stream(count)
    assert len(stream) > (pause + 1) * batch
    lines = []
    with _worker("ingest", db_url, str(count), str(batch), "--pause-in", str(pause)) as writer:
        assert writer.stdout is not None
        for line in writer.stdout:
            lines.append(line.strip())
            if line.startswith("writing"):
                writer.send_signal(signal.SIGKILL)
                break
        _, errors = writer.communicate(timeout=60)
    assert lines == [*(f"committed {k}" for k in range(pause)), f"writing {pause}"], errors
    assert writer.returncode == -signal.SIGKILL
    committed = stream[: pause * batch]
    expected_orders = {}
    for item in committed:
        if isinstance(item, Order):
            expected_orders[item.id] = item
        else:
            expected_orders[item.order_id] = expected_orders[item.order_id].apply(item.event)
    with engine.begin() as conn:
        held = OrderEvents(conn, worker.PROFILE).load_many()
        ledger = LedgerEntries(conn)
        entries = ledger.select()
        # Every committed event exactly once, nothing of the killed batch.
        assert {o.id: o for o in held} == expected_orders
        # No half-written order: each order's entries are exactly those its stored events imply.
        by_order: dict[str, list[object]] = {}
        for entry in entries:
            by_order.setdefault(entry.order_id, []).append(entry)
        for o in held:
            assert Counter(by_order.pop(o.id, [])) == Counter(entries_for(o, worker.PROFILE))
        assert by_order == {}
        # Balances equal a recount of the entries.
        recount: dict[tuple[object, object], int] = {}
        for entry in entries:
            if entry.kind is EntryKind.RESERVE:  # a balance without a kind holds no holds
                continue
            key = (entry.party, entry.payee_id)
            recount[key] = recount.get(key, 0) + entry.amount.fen
        assert {k: m.fen for k, m in ledger.balances().items()} == recount
    with engine.begin() as conn:
        OrderEvents(conn, worker.PROFILE).ingest(stream)
    with engine.begin() as conn:
        memory = Ledger().record_all(worker.orders(count), worker.PROFILE)
        assert LedgerEntries(conn).balances() == memory.balances()
        assert OrderEvents(conn).count() == sum(1 + len(o.events) for o in worker.orders(count))


def test_two_writers_ingesting_one_stream_at_once_record_each_event_once(db_url: str, engine: sa.Engine) -> None:
    """Two processes ingest the same stream at the same time, in different batch sizes: each event is held once and
    the ledger is the stream's (unique keys, row locks on PostgreSQL, one writer at a time on SQLite)."""
    count = 150
    writers = [_worker("ingest", db_url, str(count), str(size)) for size in (25, 40)]
    for w in writers:
        with w:
            _, errors = w.communicate(timeout=300)
        assert w.returncode == 0, errors
    with engine.begin() as conn:
        memory = Ledger().record_all(worker.orders(count), worker.PROFILE)
        assert Counter(LedgerEntries(conn).select()) == Counter(memory.entries)
        assert OrderEvents(conn).count() == sum(1 + len(o.events) for o in worker.orders(count))


def test_an_own_stream_order_is_stored_and_loaded_back_without_an_influencer(engine: sa.Engine) -> None:
    """An own-stream order (自播, no influencer) books the in-memory ledger's entries and loads back unchanged."""
    own = builders.order(
        "100.00", id="o-own", paid_at=T0, influencer_id=None, terms=builders.order_terms(commission_rate=Rate.zero())
    )
    whole = own.receive(at=T0 + timedelta(days=2), event_id="r").settle(
        PROFILE, at=T0 + timedelta(days=20), event_id="s"
    )
    ingest(engine, [whole])
    assert stored_entries(engine) == list(entries_for(whole, PROFILE))
    with engine.begin() as conn:
        assert OrderEvents(conn, PROFILE).load("o-own") == whole


_TERMS_DB = create_engine("sqlite://")
with _TERMS_DB.begin() as _conn:
    upgrade(_conn)


@given(
    terms=order_terms(),
    plan=st.sampled_from([None, "plan-1", "p.2"]),
    kind=st.none() | st.sampled_from(PlanKind),
    activity=st.sampled_from([None, "act-1"]),
)
def test_an_orders_terms_are_stored_as_the_converters_document(
    terms: OrderTerms, plan: str | None, kind: PlanKind | None, activity: str | None
) -> None:
    """The terms document a payment is stored with is dumps(terms, indent=None), whatever the terms (with or
    without steps, leaders, an MCN, a plan or an activity), and reads back as the same terms."""
    terms = attrs.evolve(terms, plan_id=plan, plan_kind=kind, activity_id=activity)
    with _TERMS_DB.begin() as conn:
        for table in (LEDGER_ENTRIES, ORDER_EVENTS, ORDERS):
            conn.execute(sa.delete(table))
        OrderEvents(conn, PROFILE).ingest([order(terms=terms)])
        stored = conn.execute(sa.select(ORDERS.c.terms)).scalar_one()
        back = OrderEvents(conn, PROFILE).load("o-1")
    assert stored == dumps(terms, indent=None)
    assert back is not None
    assert back.terms == terms
