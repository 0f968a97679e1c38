"""fenxiao.store.ledger: balances summed by the database equal a recount and the in-memory ledger's; entries
round-trip exactly; the ledger stays append-only; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import MAX_FEN, Money
from fenxiao.settlement.ledger import EntryKind, Ledger, LedgerEntry
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party
from fenxiao.store.ledger import LedgerEntries
from fenxiao.store.orders import OrderEvents
from fenxiao.testing.commission import order_histories
from fenxiao.testing.strategies import aware_datetimes

from .databases import DB_SETTINGS, wipe

PROFILE = PlatformProfile()


@st.composite
def ledger_entries(draw: st.DrawFn) -> LedgerEntry:
    """Any valid entry: every kind and party, amounts whose sums stay within MAX_FEN, any moment and offset."""
    kind = draw(st.sampled_from(EntryKind))
    at = draw(aware_datetimes())
    until = at + draw(st.timedeltas(timedelta(0), timedelta(days=30))) if kind is EntryKind.RESERVE else None
    return LedgerEntry(
        order_id=draw(st.sampled_from(["o-1", "o-2", "adj-1"])),
        event_id=draw(st.sampled_from(["paid", "e1", "e2"])),
        kind=kind,
        party=draw(st.sampled_from(Party)),
        amount=Money(
            draw(st.integers(-(MAX_FEN // 16), MAX_FEN // 16) | st.integers(-1000, 1000)),
            draw(st.sampled_from(["CNY", "USD"])),
        ),
        at=at,
        payee_id=draw(st.none() | st.sampled_from(["k-1", "m-1"])),
        until=until,
        note=draw(st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=20)),
    )


entry_lists = st.lists(ledger_entries(), max_size=12, unique_by=lambda e: e.key)


def recount(entries: tuple[LedgerEntry, ...], currency: str) -> dict[tuple[Party, str | None], int]:
    totals: dict[tuple[Party, str | None], int] = {}
    for e in entries:
        if e.amount.currency == currency and e.kind is not EntryKind.RESERVE:  # balances hold no holds
            totals[(e.party, e.payee_id)] = totals.get((e.party, e.payee_id), 0) + e.amount.fen
    return totals


@DB_SETTINGS
@given(entries=entry_lists)
def test_every_entry_round_trips_exactly_and_balances_equal_a_recount(
    engine: sa.Engine, entries: list[LedgerEntry]
) -> None:
    """Amounts to the fen, moments to the microsecond with their offset, notes, holds: all come back; the
    database's sums equal a recount of the entries read back, per currency."""
    wipe(engine)
    with engine.begin() as conn:
        assert LedgerEntries(conn).append(entries) == len(entries)
    with engine.begin() as conn:
        ledger = LedgerEntries(conn)
        back = ledger.select()
        assert back == tuple(entries)
        assert [e.at.isoformat() for e in back] == [e.at.isoformat() for e in entries]
        assert [e.until.isoformat() if e.until else None for e in back] == [
            e.until.isoformat() if e.until else None for e in entries
        ]
        for currency in ("CNY", "USD"):
            totals = recount(back, currency)
            assert {k: m.fen for k, m in ledger.balances(currency=currency).items()} == totals
            assert ledger.balance(currency=currency).fen == sum(totals.values())


@DB_SETTINGS
@given(
    orders=st.lists(order_histories(profile=PROFILE), max_size=4, unique_by=lambda o: o.id),
    moment=aware_datetimes(),
    days=st.integers(0, 60),
)
def test_every_query_agrees_with_the_in_memory_ledger(
    engine: sa.Engine, orders: list[object], moment: datetime, days: int
) -> None:
    """balance (by party, payee, kind, order, window), balances, reserved and available equal the Ledger's."""
    wipe(engine)
    with engine.begin() as conn:
        OrderEvents(conn, PROFILE).ingest(orders)  # type: ignore[arg-type]
    memory = Ledger().record_all(orders, PROFILE)  # type: ignore[arg-type]
    end = moment + timedelta(days=days)
    with engine.begin() as conn:
        ledger = LedgerEntries(conn)
        assert ledger.ledger().balances() == memory.balances()
        for kind in (None, *EntryKind):
            assert ledger.balances(kind=kind) == memory.balances(kind=kind)
            assert ledger.balances(kind=kind, start=moment, end=end) == memory.balances(
                kind=kind, start=moment, end=end
            )
        for party, payee in memory.balances():
            assert ledger.balance(party, payee_id=payee) == memory.balance(party, payee_id=payee)
            assert ledger.reserved(party, payee_id=payee, as_of=end) == memory.reserved(
                party, payee_id=payee, as_of=end
            )
            assert ledger.available(party, as_of=end) == memory.available(party, as_of=end)
            assert ledger.earned(party, payee_id=payee, as_of=end) == memory.earned(party, payee_id=payee, as_of=end)
            assert ledger.earned(party, payee_id=payee) == memory.earned(party, payee_id=payee)
            assert ledger.pending(party, payee_id=payee) == memory.pending(party, payee_id=payee)
            assert ledger.clawed_back(party, payee_id=payee) == memory.clawed_back(party, payee_id=payee)
        for o in memory.entries[:3]:
            assert ledger.balance(order_id=o.order_id) == memory.balance(order_id=o.order_id)


def test_appending_is_idempotent_and_a_conflicting_entry_is_refused(engine: sa.Engine) -> None:
    """The same entry again is skipped; the same key with another amount is a PolicyError (post a correction)."""
    at = datetime.fromisoformat("2026-11-11T20:00:00+08:00")
    entry = LedgerEntry("adj-1", "fix", EntryKind.SETTLED, Party.INFLUENCER, Money(-500), at, "k-1", note="typo")
    with engine.begin() as conn:
        assert LedgerEntries(conn).append([entry, entry]) == 1
    with engine.begin() as conn:
        assert LedgerEntries(conn).append([entry]) == 0
        with pytest.raises(PolicyError, match=r"entries\[0\]: conflicts with a held entry"):
            LedgerEntries(conn).append(
                [LedgerEntry("adj-1", "fix", EntryKind.SETTLED, Party.INFLUENCER, Money(-1), at, "k-1")]
            )
    with engine.begin() as conn:
        ledger = LedgerEntries(conn)
        assert ledger.count() == 1
        assert str(ledger.balance(Party.INFLUENCER, payee_id="k-1")) == "-¥5.00"
        assert ledger.balance(Party.MERCHANT) == Money(0)
        with pytest.raises(PolicyError, match="repeats a key with other content"):
            ledger.append(
                [entry, LedgerEntry("adj-1", "fix", EntryKind.SETTLED, Party.INFLUENCER, Money(-2), at, "k-1")]
            )
        with pytest.raises(InvalidValueError, match=r"append\.entries\[0\]: must be a LedgerEntry"):
            ledger.append(["entry"])  # type: ignore[list-item]


def test_a_note_a_database_cannot_keep_is_refused_on_every_database(engine: sa.Engine) -> None:
    """PostgreSQL text cannot hold NUL, and no UTF-8 text holds a lone surrogate: refused on both, naming the field."""
    at = datetime.fromisoformat("2026-11-11T20:00:00+08:00")
    entry = LedgerEntry("adj-1", "fix", EntryKind.SETTLED, Party.INFLUENCER, Money(1), at, note="a\x00b")
    with engine.begin() as conn, pytest.raises(InvalidValueError, match=r"entries\[0\]\.note: holds a NUL character"):
        LedgerEntries(conn).append([entry])
    surrogate = LedgerEntry("adj-1", "fix", EntryKind.SETTLED, Party.INFLUENCER, Money(1), at, note="\ud800")
    with engine.begin() as conn, pytest.raises(InvalidValueError, match=r"\.note: holds a lone surrogate"):
        LedgerEntries(conn).append([surrogate])


def test_bad_filters_are_refused_naming_them(engine: sa.Engine) -> None:
    """A party or kind may be given as its text, as the in-memory ledger takes them; anything else, or a naive
    window, is an error naming the filter."""
    with engine.begin() as conn:
        ledger = LedgerEntries(conn)
        assert ledger.balance("influencer", kind="settled") == Money(0)  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match=r"LedgerEntries\.party: must be a Party \('influencer', "):
            ledger.balance("nobody")  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match=r"LedgerEntries\.start"):
            ledger.balance(start=datetime(2026, 1, 1))
        with pytest.raises(InvalidValueError, match=r"LedgerEntries\.kind"):
            ledger.balances(kind=3)  # type: ignore[arg-type]


def test_a_balance_is_summed_by_the_database(engine: sa.Engine) -> None:
    """balance() is one SUM query: it gives the total without reading the entries (checked on many rows)."""
    at = datetime.fromisoformat("2026-11-11T20:00:00+08:00")
    entries = [
        LedgerEntry(f"o-{n}", "paid", EntryKind.ESTIMATED, Party.MERCHANT, Money(n), at, "m-1") for n in range(2000)
    ]
    with engine.begin() as conn:
        LedgerEntries(conn).append(entries)
    with engine.begin() as conn:
        assert LedgerEntries(conn).balance(Party.MERCHANT, payee_id="m-1").fen == sum(range(2000))
        assert Counter(e.order_id for e in LedgerEntries(conn).select(Party.MERCHANT)) == Counter(
            f"o-{n}" for n in range(2000)
        )
