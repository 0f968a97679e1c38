"""fenxiao.store.budgets: reservations never overspend, also from several processes at once; the running total
equals a recount; grants and returns are idempotent; on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.levels import Tier
from fenxiao.grading.subsidies import SubsidyBudget, SubsidyRequest
from fenxiao.money import Money
from fenxiao.store.budgets import BudgetSpend

from . import worker
from .databases import DB_SETTINGS, wipe

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 11, tzinfo=UTC)


def grant(request: str, fen: int, budget: str = "b-1", **fields: Any) -> SpendEntry:
    return SpendEntry(request, budget, Money(fen), AT, **fields)


def define(engine: sa.Engine, total: int, name: str = "b-1") -> None:
    with engine.begin() as conn:
        BudgetSpend(conn).define(SubsidyBudget(name, Money(total)))


def test_a_reservation_is_granted_while_the_budget_lasts(engine: sa.Engine) -> None:
    """All or nothing: ¥6 and ¥3 fit in ¥10, the next ¥3 does not; a partial one gets the ¥1 left."""
    define(engine, 1000)
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        assert spend.reserve(grant("r-1", 600)) == grant("r-1", 600)
        assert spend.reserve(grant("r-2", 300)) is not None
        assert spend.reserve(grant("r-3", 300)) is None
        assert spend.reserve(grant("r-4", 300), partial=True) == grant("r-4", 100)
        assert spend.reserve(grant("r-5", 300), partial=True) is None
        assert (spend.spent("b-1"), spend.remaining("b-1"), spend.total("b-1")) == (Money(1000), Money(0), Money(1000))


def test_reserving_a_request_again_returns_its_grant_and_spends_nothing(engine: sa.Engine) -> None:
    """A request id is granted once per budget: a retry gets the grant held."""
    define(engine, 1000)
    with engine.begin() as conn:
        first = BudgetSpend(conn).reserve(grant("r-1", 600))
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        assert spend.reserve(grant("r-1", 600)) == first
        assert spend.reserve(grant("r-1", 50), partial=True) == first
        assert spend.spent("b-1") == Money(600)


def test_returns_give_money_back_once_and_never_more_than_granted(engine: sa.Engine) -> None:
    """A return adds back to what is left; replaying it changes nothing; giving back more than held is refused."""
    define(engine, 1000)
    back = SpendEntry("r-1", "b-1", Money(-200), AT + timedelta(days=1), counted_on=AT.date())
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        spend.reserve(grant("r-1", 600))
        assert spend.release(back) is True
        assert spend.release(back) is False
        assert spend.remaining("b-1") == Money(600)
        with pytest.raises(InvalidValueError, match="gives back more than request 'r-1' holds"):
            spend.release(SpendEntry("r-1", "b-1", Money(-401), AT + timedelta(days=2), counted_on=AT.date()))
        with pytest.raises(InvalidValueError, match="must be a SpendEntry with a negative amount"):
            spend.release(grant("r-1", 5))
        assert spend.entries("b-1") == (grant("r-1", 600), back)


def test_recording_a_periods_spend_is_idempotent_and_never_overspends(engine: sa.Engine) -> None:
    """record() adds a book's grants once, creates unknown budgets, and refuses a grant beyond a defined total or
    one of its caps."""
    define(engine, 500)
    entries = [grant("r-1", 300, period="2026-W46"), grant("x-1", 5000, budget="b-open")]
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        assert spend.record(entries) == 2
        assert spend.record(entries) == 0
        assert spend.total("b-open") is None
        assert spend.remaining("b-open") is None
        assert spend.book() == BudgetBook(tuple(entries))
        with pytest.raises(PolicyError, match="would overspend budget 'b-1'"):
            spend.record([grant("r-2", 201)])
        with pytest.raises(PolicyError, match="conflicts with the grant held for it"):
            spend.record([grant("r-1", 299)])
        spend.define(SubsidyBudget("b-capped", Money(1000), per_merchant=Money(300)))
        assert spend.record([grant("c-1", 200, budget="b-capped", merchant_id="m-1")]) == 1
        with pytest.raises(PolicyError, match=r"would overspend a cap of budget 'b-capped' \(¥1.00 left"):
            spend.record([grant("c-2", 101, budget="b-capped", merchant_id="m-1")])
        assert spend.record([grant("c-3", 300, budget="b-capped", merchant_id="m-2")]) == 1


def test_bad_reservations_are_refused_naming_the_problem(engine: sa.Engine) -> None:
    """An undefined budget, a zero or negative amount, another currency: errors naming the entry."""
    define(engine, 1000)
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        with pytest.raises(InvalidValueError, match="is not a defined budget"):
            spend.reserve(grant("r-1", 5, budget="nope"))
        with pytest.raises(InvalidValueError, match="must be a SpendEntry above zero"):
            spend.reserve(grant("r-1", -5))  # a return is not a reservation
        with pytest.raises(InvalidValueError, match=r"SpendEntry.amount: must not be zero"):
            spend.reserve(grant("r-1", 0))
        with pytest.raises(InvalidValueError, match="must be in CNY"):
            spend.reserve(SpendEntry("r-1", "b-1", Money(5, "USD"), AT))
        with pytest.raises(InvalidValueError, match="must be in CNY, as its spend is"):
            spend.define(SubsidyBudget("b-1", Money(5, "USD")))
        with pytest.raises(InvalidValueError, match="must be a SubsidyBudget"):
            spend.define("b-1")  # type: ignore[arg-type]


@DB_SETTINGS
@given(
    total=st.integers(0, 5000),
    asks=st.lists(st.tuples(st.integers(1, 2000), st.booleans()), max_size=10),
    returns=st.lists(st.integers(0, 9), max_size=3),
)
def test_the_budget_is_never_overspent_and_its_running_total_equals_a_recount(
    engine: sa.Engine, total: int, asks: list[tuple[int, bool]], returns: list[int]
) -> None:
    """Any reservations and returns: spent never exceeds the total, and equals the sum of the spend rows."""
    wipe(engine)
    define(engine, total)
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        granted: list[SpendEntry] = []
        for n, (fen, partial) in enumerate(asks):
            got = spend.reserve(grant(f"r-{n}", fen), partial=partial)
            if got is not None:
                granted.append(got)
            assert spend.spent("b-1").fen <= total
        for n in returns:
            if n < len(granted):
                back = attrs.evolve(granted[n], amount=Money(-1), at=AT + timedelta(days=1), counted_on=granted[n].day)
                spend.release(back)
        assert spend.spent("b-1") == spend.recount("b-1") == BudgetBook(spend.entries()).spent("b-1")
        assert spend.spent("b-1").fen <= total


def _reservers(url: str, prefix: str, processes: int, each: int) -> tuple[int, ...]:
    """Start *processes* workers at once, each reserving *each* grants from budgets ``PREFIX-all`` (all or nothing)
    and ``PREFIX-part`` (partial); the totals they were granted from each."""
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.worker", "reserve", url, prefix, str(p * each), str(each)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for p in range(processes)
    ]
    totals = [0] * len(worker.ASKS)
    for process in started:
        with process:
            out, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
        totals = [t + int(x) for t, x in zip(totals, out.split(), strict=True)]
    return tuple(totals)


def test_several_processes_reserving_at_once_never_overspend(engine: sa.Engine, db_url: str) -> None:
    """Three processes reserve 16 grants each from three budgets at once, asking for more than they hold (all or
    nothing from one, partial grants from another, all or nothing for one SKU from a third with a per-SKU cap):
    each budget (and the cap) is spent exactly, never more; the processes were granted what the database records;
    a sequential run grants the same totals."""
    total, cap = 40_000, 25_000
    for name in ("b-all", "b-part", "s-all", "s-part"):
        define(engine, total, name=name)
    with engine.begin() as conn:
        for name in ("b-sku", "s-sku"):
            BudgetSpend(conn).define(SubsidyBudget(name, Money(total), per_sku=Money(cap)))
    concurrent = _reservers(db_url, "b", processes=3, each=16)
    sequential = _reservers(db_url, "s", processes=1, each=48)
    assert concurrent == sequential == (total, total, cap // 700 * 700)
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        for name, spent in (("b-all", total), ("b-part", total), ("b-sku", cap // 700 * 700)):
            assert spend.spent(name) == spend.recount(name) == Money(spent)
            assert len({e.request_id for e in spend.entries(name)}) == len(spend.entries(name))


def test_a_return_must_keep_its_grants_keys(engine: sa.Engine) -> None:
    """A return counted on another day than its grant is refused, as BudgetBook refuses it."""
    wipe(engine)
    define(engine, 1000)
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        got = spend.reserve(grant("r-1", 100))
        assert got is not None
        with pytest.raises(InvalidValueError, match="must keep its grant's period, SKU, merchant and day"):
            spend.release(SpendEntry("r-1", "b-1", Money(-1), AT + timedelta(days=1)))
        assert spend.release(attrs.evolve(got, amount=Money(-1), at=AT + timedelta(days=1), counted_on=got.day))


def test_a_reservation_honours_the_budgets_caps_and_window(engine: sa.Engine) -> None:
    """Per-SKU, per-merchant, per-period and per-day caps bind as in BudgetBook; a moment outside the window gets
    nothing; a partial grant gets the least the total and the caps have left."""
    budget = SubsidyBudget(
        "b-1",
        Money(1000),
        valid_until=AT + timedelta(days=3),
        per_sku=Money(400),
        per_merchant=Money(600),
        per_period=Money(700),
        per_day=Money(800),
    )
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        spend.define(budget)
        assert spend.reserve(grant("r-1", 300, sku_id="s-1", merchant_id="m-1", period="p-1")) is not None
        assert spend.reserve(grant("r-2", 200, sku_id="s-1")) is None  # s-1 has ¥1 left of its ¥4
        assert spend.reserve(grant("r-3", 200, sku_id="s-1"), partial=True) == grant("r-3", 100, sku_id="s-1")
        assert spend.reserve(grant("r-4", 400, merchant_id="m-1", sku_id="s-2")) is None  # m-1: ¥3 left
        assert spend.reserve(grant("r-5", 300, merchant_id="m-1", sku_id="s-2")) is not None
        assert spend.reserve(grant("r-6", 200, period="p-1", sku_id="s-3", merchant_id="m-2")) is None  # p-1: ¥1
        assert spend.reserve(grant("r-7", 300, sku_id="s-4"), partial=True) == grant("r-7", 100, sku_id="s-4")
        later = SpendEntry("r-8", "b-1", Money(100), AT + timedelta(days=1), sku_id="s-5")
        assert spend.reserve(later) == later  # another day, within what the total has left
        assert spend.reserve(SpendEntry("r-9", "b-1", Money(50), AT + timedelta(days=3))) is None  # window ended
        assert spend.reserve(grant("r-10", 500, sku_id="s-6"), partial=True) is None  # the day's ¥8 are spent
        last = SpendEntry("r-11", "b-1", Money(500), AT + timedelta(days=1), sku_id="s-6")
        assert spend.reserve(last, partial=True) == attrs.evolve(last, amount=Money(100))  # the total's last ¥1
        assert spend.spent("b-1") == Money(1000) == spend.book().spent("b-1")


_ZONES = (UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5)))
_KEYS = st.sampled_from([None, "k-1", "k-2"])
_CAP = st.none() | st.integers(1, 1500).map(Money)
_RESERVE = st.tuples(
    st.just("reserve"),
    st.integers(1, 800),
    st.booleans(),
    st.tuples(_KEYS, _KEYS, _KEYS),
    st.integers(0, 60),
    st.sampled_from(_ZONES),
)
_GIVE_BACK = st.tuples(st.just("give back"), st.integers(0, 20), st.integers(1, 500))


def _keys_of(entry: SpendEntry) -> tuple[object, ...]:
    return (entry.request_id, entry.budget, entry.amount, entry.at, entry.period, entry.sku_id, entry.merchant_id)


@DB_SETTINGS
@given(
    total=st.integers(0, 3000),
    caps=st.tuples(_CAP, _CAP, _CAP, _CAP),
    window=st.tuples(st.none() | st.integers(0, 20), st.none() | st.integers(30, 60)),
    steps=st.lists(st.one_of(_RESERVE, _GIVE_BACK), max_size=14),
)
def test_the_store_and_a_budget_book_grant_alike(
    engine: sa.Engine,
    total: int,
    caps: tuple[Money | None, ...],
    window: tuple[int | None, int | None],
    steps: list[tuple[Any, ...]],
) -> None:
    """Any reservations (all or nothing, or partial) and give-backs, under any caps and window: the store grants
    what BudgetBook.allocate grants against a book of the same entries, and holds the same entries after."""
    wipe(engine)
    start, end = (None if h is None else AT + timedelta(hours=h) for h in window)
    per_period, per_merchant, per_sku, per_day = caps
    budget = SubsidyBudget(
        "b-1",
        Money(total),
        valid_from=start,
        valid_until=end,
        per_merchant=per_merchant,
        per_sku=per_sku,
        per_day=per_day,
        per_period=per_period,
    )
    book = BudgetBook()
    granted: list[SpendEntry] = []
    with engine.begin() as conn:
        spend = BudgetSpend(conn)
        spend.define(budget)
        for n, step in enumerate(steps):
            if step[0] == "reserve":
                _, fen, partial, (period, sku, merchant), hours, zone = step
                at = (AT + timedelta(hours=hours)).astimezone(zone)
                ask = SubsidyRequest(f"r-{n}", "b-1", Money(fen), Tier.L3, sku_id=sku, at=at, merchant_id=merchant)
                new, allocation = book.allocate([ask], [budget], period=period, at=at)
                got = allocation.grants[0].granted
                if partial or got == ask.amount:
                    book = new
                expected = got if got.fen and (partial or got == ask.amount) else None
                entry = SpendEntry(f"r-{n}", "b-1", Money(fen), at, period, sku, merchant)
                reserved = spend.reserve(entry, partial=partial)
                assert (None if reserved is None else reserved.amount) == expected
                if reserved is not None:
                    granted.append(reserved)
            elif granted:
                _, which, fen = step
                held = granted[which % len(granted)]
                back = min(fen, book.held(held.request_id).fen)
                if back:
                    at = AT + timedelta(days=4, seconds=n)
                    book, _ = book.give_back(held.request_id, at=at, amount=Money(back))
                    assert spend.release(attrs.evolve(held, amount=Money(-back), at=at, counted_on=held.day))
        stored = spend.entries("b-1")
    assert [_keys_of(e) for e in stored] == [_keys_of(e) for e in book.entries]
    assert [e.day for e in stored] == [e.day for e in book.entries]
