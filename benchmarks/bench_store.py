"""The store: ingesting order events into SQLite and PostgreSQL against a plain executemany INSERT of the same rows,
and balance queries over a million ledger entries.

Ingest: the sample's seeded orders (5,000; ``--quick``: 1,500) as a stream of payments and events, ingested by
``Store.ingest`` in batches of 1,000 items (one transaction each) into a fresh database. The limit inserts exactly
the rows the store wrote (orders, events, ledger entries, read back from it) with the driver's own
``executemany`` (sqlite3, psycopg 3) into an equally fresh database, in as many transactions. What the store does
beyond the limit: it reads what each order already holds, locks it (PostgreSQL), checks every event against the
order's lifecycle and derives the ledger entries (:func:`~fenxiao.settlement.ledger.entries_for`, the same pure
Python the in-memory ``Ledger.record`` runs; its time is shown on its own row).

Balances: 1,000,000 ledger entries (``--quick``: 200,000) over 2,000 payees; one payee's balance (the index on
party, payee, kind), and every (party, payee) balance (a GROUP BY over all rows), through
:class:`~fenxiao.store.ledger.LedgerEntries` and as the same SQL through the driver.

PostgreSQL runs on a throwaway server (:class:`~fenxiao.store.server.TemporaryPostgres`, fsync off for both sides)
when its programs are installed; otherwise its cases are skipped with a note.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from _throughput import Row, Target, interleaved_best, render

from fenxiao.sample import generate_orders, load_sample
from fenxiao.settlement.ledger import EntryKind, Ledger
from fenxiao.settlement.orders import PAID_EVENT_ID, Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party
from fenxiao.store.engine import create_engine
from fenxiao.store.facade import Store
from fenxiao.store.ledger import LedgerEntries
from fenxiao.store.migrate import upgrade
from fenxiao.store.orders import StreamItem
from fenxiao.store.schema import LEDGER_ENTRIES, ORDER_EVENTS, ORDERS
from fenxiao.store.server import PostgresUnavailableError, TemporaryPostgres, find_postgres
from fenxiao.store.stream import build_stream

TITLE = "store: ingest into SQLite and PostgreSQL against executemany of the same rows; balances over 1M entries"
PROFILE = PlatformProfile.kuaishou()
BATCH = 1000
TABLES = (ORDERS, ORDER_EVENTS, LEDGER_ENTRIES)


class Backend:
    """Fresh databases of one kind, each created at the latest schema revision, and raw driver connections."""

    def __init__(self, name: str, make_url: Callable[[], str]) -> None:
        self.name = name
        self.make_url = make_url

    def fresh(self) -> str:
        url = self.make_url()
        engine = create_engine(url)
        with engine.begin() as conn:
            upgrade(conn)
        engine.dispose()
        return url

    @contextmanager
    def raw(self, url: str) -> Iterator[Any]:
        """A DBAPI connection of the store's own driver on *url* (sqlite3 or psycopg)."""
        engine = create_engine(url)
        conn = engine.raw_connection()
        try:
            if self.name == "SQLite":
                conn.driver_connection.isolation_level = ""  # type: ignore[union-attr]  # sqlite3's own transactions
            yield conn.driver_connection
        finally:
            conn.close()
            engine.dispose()

    def marker(self) -> str:
        return "?" if self.name == "SQLite" else "%s"


def _stored_rows(backend: Backend, url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the store wrote, as the driver reads it (ledger entries without their serial id)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with backend.raw(url) as conn:
        for table in TABLES:
            names = [c.name for c in table.columns if c.name != "id" or table is not LEDGER_ENTRIES]
            cursor = conn.cursor()
            cursor.execute(f"SELECT {', '.join(names)} FROM {table.name}")
            rows[table.name] = [tuple(r) for r in cursor.fetchall()]
            cursor.close()
    return rows


def _insert_plainly(backend: Backend, url: str, parts: Sequence[dict[str, list[tuple[Any, ...]]]]) -> None:
    """The limit: executemany of the rows of each part through the driver, one transaction per part."""
    with backend.raw(url) as conn:
        for part in parts:
            cursor = conn.cursor()
            for table in TABLES:
                names = [c.name for c in table.columns if c.name != "id" or table is not LEDGER_ENTRIES]
                marks = ", ".join([backend.marker()] * len(names))
                sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
                if part[table.name]:
                    cursor.executemany(sql, part[table.name])
            conn.commit()
            cursor.close()


def _by_transaction(
    rows: dict[str, list[tuple[Any, ...]]], stream: Sequence[StreamItem]
) -> list[dict[str, list[tuple[Any, ...]]]]:
    """*rows* cut into the transactions the store wrote them in: transaction ``k`` holds the payments and events
    that first appear in batch ``k`` of *stream* (each is written once, when first seen), with their entries; each
    part keeps the order the rows were read in (the store's own insertion order)."""
    batch_of: dict[tuple[str, str], int] = {}
    for n, item in enumerate(stream):
        if isinstance(item, Order):
            keys = [(item.id, PAID_EVENT_ID), *((item.id, e.id) for e in item.events)]
        else:
            keys = [(item.order_id, item.event.id)]
        for key in keys:
            batch_of.setdefault(key, n // BATCH)
    parts: list[dict[str, list[tuple[Any, ...]]]] = [
        {t.name: [] for t in TABLES} for _ in range(-(-len(stream) // BATCH))
    ]
    for row in rows[ORDERS.name]:
        parts[batch_of[(row[0], PAID_EVENT_ID)]][ORDERS.name].append(row)
    for table in (ORDER_EVENTS, LEDGER_ENTRIES):
        for row in rows[table.name]:  # both begin with order_id, event_id
            parts[batch_of[(row[0], row[1])]][table.name].append(row)
    return parts


def _ingest_rows(
    backend: Backend, orders: Sequence[Order], fresh: Callable[[], Sequence[StreamItem]], repeat: int
) -> list[Row]:
    """Store.ingest of the stream against the limit; each timed ingest gets a stream of its own (*fresh*: equal
    items, new objects), so that nothing a run remembers about the objects it saw (caches keyed by identity) helps
    the next run."""
    stream = fresh()
    store_urls = [backend.fresh() for _ in range(repeat + 1)]
    plain_urls = [backend.fresh() for _ in range(repeat)]
    streams = [fresh() for _ in range(repeat)]
    first = Store(create_engine(store_urls.pop()), profile=PROFILE)
    first.ingest(stream, batch_size=BATCH)
    if first.balances() != Ledger().record_all(orders, PROFILE).balances():
        raise SystemExit(f"bench_store: {backend.name} balances differ from the in-memory ledger")
    stored = _stored_rows(backend, str(first.engine.url.render_as_string(hide_password=False)))
    first.close()
    parts = _by_transaction(stored, stream)

    def store_ingest() -> None:
        store = Store(create_engine(store_urls.pop()), profile=PROFILE)
        store.ingest(streams.pop(), batch_size=BATCH)
        store.close()

    def plain() -> None:
        _insert_plainly(backend, plain_urls.pop(), parts)

    best = interleaved_best({"limit": plain, "mine": store_ingest}, repeat)
    written = sum(len(r) for r in stored.values())
    n = len(stream)
    return [
        Row(f"{backend.name}: executemany of the {written:,} rows written (limit)", n, best["limit"], short="limit"),
        Row(
            f"{backend.name}: Store.ingest, {n:,} events, batches of {BATCH:,}",
            n,
            best["mine"],
            baseline=f"{backend.name}: executemany of the {written:,} rows written (limit)",
        ),
    ]


def _ledger_rows(n: int) -> Iterator[tuple[Any, ...]]:
    parties = [p.value for p in Party]
    kinds = [k.value for k in EntryKind if k is not EntryKind.RESERVE]
    at = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(n):
        yield (
            f"o-{i // 8:07d}",
            f"e{i % 8}",
            kinds[i % len(kinds)],
            parties[i % len(parties)],
            f"p-{i % 2000:04d}",
            "CNY",
            (i * 7919) % 100_000 - 20_000,
            at + timedelta(seconds=i),
            28800,
            None,
            None,
            "",
        )


def _fill_ledger(backend: Backend, n: int) -> str:
    """A fresh database holding *n* ledger entries (inserted by the driver), analyzed; its URL."""
    url = backend.fresh()
    names = [c.name for c in LEDGER_ENTRIES.columns if c.name != "id"]
    with backend.raw(url) as conn:
        cursor = conn.cursor()
        marks = ", ".join([backend.marker()] * len(names))
        sql = f"INSERT INTO ledger_entries ({', '.join(names)}) VALUES ({marks})"
        rows = list(_ledger_rows(n))
        if backend.name == "SQLite":
            epoch = datetime(1970, 1, 1, tzinfo=UTC)
            rows = [(*r[:7], (r[7] - epoch) // timedelta(microseconds=1), *r[8:]) for r in rows]
        for start in range(0, n, 100_000):
            cursor.executemany(sql, rows[start : start + 100_000])
        conn.commit()
        cursor.execute("ANALYZE")
        conn.commit()
        cursor.close()
    return url


def _balance_rows(backend: Backend, n: int, repeat: int) -> list[Row]:
    url = _fill_ledger(backend, n)
    engine = create_engine(url)
    payee = "p-0007"
    party = Party.INFLUENCER
    expected = sum(r[6] for r in _ledger_rows(n) if r[3] == party.value and r[4] == payee)
    conn = engine.connect()
    conn.execution_options(sqlite_begin="DEFERRED")

    def one_balance() -> None:
        got = LedgerEntries(conn).balance(party, payee_id=payee)
        conn.rollback()
        if got.fen != expected:
            raise SystemExit("bench_store: the balance is wrong")

    def every_balance() -> None:
        LedgerEntries(conn).balances()
        conn.rollback()

    raw_conn_ctx = backend.raw(url)
    raw_conn = raw_conn_ctx.__enter__()
    m = backend.marker()

    def raw_one() -> None:
        cursor = raw_conn.cursor()
        cursor.execute(
            f"SELECT SUM(amount_fen) FROM ledger_entries WHERE party = {m} AND payee_id = {m} AND currency = {m}",
            (party.value, payee, "CNY"),
        )
        cursor.fetchall()
        cursor.close()
        raw_conn.rollback()

    def raw_every() -> None:
        cursor = raw_conn.cursor()
        cursor.execute(
            "SELECT party, payee_id, SUM(amount_fen) FROM ledger_entries WHERE currency = "
            f"{m} GROUP BY party, payee_id",
            ("CNY",),
        )
        cursor.fetchall()
        cursor.close()
        raw_conn.rollback()

    best = interleaved_best({"raw one": raw_one, "one": one_balance}, 20, warm=True)
    best |= interleaved_best({"raw every": raw_every, "every": every_balance}, repeat)
    raw_conn_ctx.__exit__(None, None, None)
    conn.close()
    engine.dispose()
    label = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"
    one_sql = f"{backend.name}: SUM of one payee over {label} entries, driver (baseline)"
    every_sql = f"{backend.name}: GROUP BY party, payee over {label} entries, driver (baseline)"
    return [
        Row(one_sql, 1, best["raw one"], short="driver"),
        Row(f"{backend.name}: LedgerEntries.balance(party, payee_id=)", 1, best["one"], baseline=one_sql),
        Row(every_sql, n, best["raw every"], short="driver"),
        Row(f"{backend.name}: LedgerEntries.balances() ({label} entries)", n, best["every"], baseline=every_sql),
    ]


def run(quick: bool = False) -> str:
    """Time every case and return the table with the targets' verdicts."""
    count = 1_500 if quick else 5_000
    entries = 200_000 if quick else 1_000_000
    repeat = 2 if quick else 3
    orders = generate_orders(load_sample(), count=count, profile=PROFILE)
    stream = build_stream(orders)

    def fresh() -> Sequence[StreamItem]:
        return build_stream(generate_orders(load_sample(), count=count, profile=PROFILE))

    folder = Path(tempfile.mkdtemp(prefix="fenxiao-bench-store-"))
    backends = [Backend("SQLite", lambda: f"sqlite:///{folder}/{uuid.uuid4().hex}.db")]
    notes: list[str] = []
    server: TemporaryPostgres | None = None
    if find_postgres() is not None:
        server = TemporaryPostgres()
        try:
            base = server.start()
            backends.append(Backend("PostgreSQL", lambda: _schema(base)))
        except PostgresUnavailableError as exc:
            notes.append(f"PostgreSQL cases skipped: {exc}")
    else:
        notes.append("PostgreSQL cases skipped: initdb and pg_ctl were not found")
    rows: list[Row] = []
    targets: list[Target] = []
    try:
        copies = [generate_orders(load_sample(), count=count, profile=PROFILE) for _ in range(repeat)]
        derive = interleaved_best({"derive": lambda: Ledger().record_all(copies.pop(), PROFILE)}, repeat)["derive"]
        rows.append(Row(f"entries_for of the {count:,} orders alone (pure Python, in memory)", len(stream), derive))
        for backend in backends:
            limit, mine = _ingest_rows(backend, orders, fresh, repeat)
            rows += [limit, mine]
            targets.append(
                Target(f"{backend.name} ingest within 1.5× of executemany", mine.seconds / limit.seconds, 1.5)
            )
            rows += _balance_rows(backend, entries, repeat)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    notes.append(
        "the limit inserts rows already computed, in the transactions the store wrote them in; Store.ingest also "
        "derives them (only the new events' entries, from what each order holds: about the entries_for row in all) "
        "and reads and locks what each order holds; every timed run ingests a stream of new objects"
    )
    notes.append("a balance query is one SQL statement; its time over the driver's is SQLAlchemy Core's (and Money)")
    notes.append("SQLite runs with synchronous=FULL in WAL mode; the PostgreSQL test server runs with fsync off")
    return render(TITLE, rows, targets, notes, issue=14)


def _schema(server_url: str) -> str:
    schema = f"b_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return f"{server_url}&options=-c%20search_path%3D{schema}"


def count_one(mode: str, count: int = 1_500) -> None:
    """One ingest case on SQLite files, for instruction counts (load-independent), with nothing timed: the set-up
    (the stream, a first ingest and the rows it wrote), then, by *mode*, nothing (``none``), ``Store.ingest`` of
    an equal stream of new objects (``ingest``) or the limit's inserts of the rows (``plain``). Run each mode under
    ``valgrind --tool=cachegrind`` with ``PYTHONHASHSEED=0``: a case's instructions are its mode's count less
    ``none``'s. The garbage collector's objects are frozen after the set-up, so that a full collection landing in
    one run and not in another does not decide the count."""
    folder = Path(tempfile.mkdtemp(prefix="fenxiao-bench-store-"))
    try:
        backend = Backend("SQLite", lambda: f"sqlite:///{folder}/{uuid.uuid4().hex}.db")
        stream = build_stream(generate_orders(load_sample(), count=count, profile=PROFILE))
        url = backend.fresh()
        first = Store(create_engine(url), profile=PROFILE)
        first.ingest(stream, batch_size=BATCH)
        first.close()
        parts = _by_transaction(_stored_rows(backend, url), stream)
        again = build_stream(generate_orders(load_sample(), count=count, profile=PROFILE))
        target = backend.fresh()
        gc.collect()
        gc.freeze()
        if mode == "ingest":
            store = Store(create_engine(target), profile=PROFILE)
            store.ingest(again, batch_size=BATCH)
            store.close()
        elif mode == "plain":
            _insert_plainly(backend, target, parts)
        elif mode != "none":
            raise SystemExit(f"bench_store: --count takes none, ingest or plain, not {mode!r}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    import sys

    if "--count" in sys.argv:  # python benchmarks/bench_store.py --count {none,ingest,plain}
        count_one(sys.argv[sys.argv.index("--count") + 1])
    else:
        print(run(quick="--quick" in sys.argv))
