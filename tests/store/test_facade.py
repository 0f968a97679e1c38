"""fenxiao.store.facade: open_store and Store, one transaction per call; what the demo does (orders and two
periods in a SQLite file, balances read back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import SpendEntry
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.money import Money
from fenxiao.periods.run import run_period
from fenxiao.sample import load_sample
from fenxiao.settlement.ledger import Ledger
from fenxiao.settlement.profiles import DEFAULT_PRESET, PlatformProfile
from fenxiao.settlement.splits import Party
from fenxiao.store.facade import Store, open_store
from fenxiao.store.stream import build_stream

from . import worker


def test_the_demo_flow_persists_orders_and_two_periods_and_reads_them_back(db_url: str) -> None:
    """Orders ingested, two periods saved with their reports, a budget reserved from; reopened, all is there."""
    catalog = load_sample()
    orders = worker.orders(40)
    with open_store(db_url, profile=worker.PROFILE) as store:
        report = store.ingest(build_stream(orders), batch_size=25)
        assert report.orders == 40
        first = run_period(catalog, period="2026-W46")
        assert first.state.as_of is not None
        second = run_period(catalog, first.state, period="2026-W47", as_of=first.state.as_of + timedelta(days=7))
        store.save_period(first.state, first.report)
        store.save_period(second.state, second.report)
        store.define_budget(SubsidyBudget("launch", Money.of("10.00")))
        assert store.reserve(SpendEntry("o-1:launch", "launch", Money.of("4.00"), datetime(2026, 11, 1, tzinfo=UTC)))
    with open_store(db_url, create=False, profile=worker.PROFILE) as store:
        memory = Ledger().record_all(orders, worker.PROFILE)
        assert store.balances() == memory.balances()
        assert store.balance(Party.INFLUENCER) == memory.balance(Party.INFLUENCER)
        assert store.ledger().balances() == memory.balances()
        assert store.orders() == tuple(sorted(orders, key=lambda o: o.id))
        state = store.load_state()
        assert state.periods == ("2026-W46", "2026-W47")
        assert state.skus == second.state.skus
        assert store.load_report("2026-W47") == second.report


def test_a_report_must_be_the_states_last_period(db_url: str) -> None:
    """save_period(state, report) refuses a report of another period."""
    first = run_period(load_sample(), period="2026-W46")
    with open_store(db_url) as store, pytest.raises(InvalidValueError, match="must be the state's last period"):
        store.save_period(first.state.__class__(), first.report)


def test_ingest_commits_batch_by_batch(db_url: str) -> None:
    """A bad item fails its batch only: the batches before it stay, and ingesting again adds what is missing."""
    orders = worker.orders(10)
    items = list(build_stream(orders))
    with open_store(db_url, profile=worker.PROFILE) as store:
        broken = [*items[:10], "junk", *items[10:]]
        with pytest.raises(InvalidValueError, match=r"items\[10\]: must be an Order"):
            store.ingest(broken, batch_size=10)  # type: ignore[arg-type]
        assert len({o.id for o in store.orders()}) == sum(1 for i in items[:10] if i.__class__.__name__ == "Order")
        store.ingest(items, batch_size=7)
        assert store.balances() == Ledger().record_all(orders, worker.PROFILE).balances()
        with pytest.raises(InvalidValueError, match="batch_size"):
            store.ingest(items, batch_size=0)


def test_a_store_is_an_engine_and_a_profile(db_url: str) -> None:
    """Store wraps an engine; begin() is a transaction on it; without a profile it books under the one default."""
    with open_store(db_url) as store:
        assert isinstance(store, Store)
        assert store.profile == PlatformProfile.default()
        assert store.profile.name == DEFAULT_PRESET == "kuaishou"
        with store.begin() as conn:
            assert conn.in_transaction()
