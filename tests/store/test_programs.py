"""fenxiao.store.programs: the program's state and reports saved and loaded back exactly; a stale state refused;
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.history import TierChange
from fenxiao.grading.levels import Tier
from fenxiao.money import Money
from fenxiao.periods.run import PeriodResult, run_period
from fenxiao.periods.state import ProgramState, SkuState
from fenxiao.sample import load_sample
from fenxiao.store.programs import ProgramStates
from fenxiao.testing.strategies import aware_datetimes

from .databases import DB_SETTINGS, wipe

optional_tiers = st.none() | st.sampled_from(Tier)
optional_moments = st.none() | aware_datetimes()


@cache
def sample() -> Catalog:
    return load_sample()


@cache
def two_periods() -> tuple[PeriodResult, PeriodResult]:
    """Two weekly periods of the sample catalog."""
    first = run_period(sample(), period="2026-W46")
    assert first.state.as_of is not None
    second = run_period(sample(), first.state, period="2026-W47", as_of=first.state.as_of + timedelta(days=7))
    return first, second


@st.composite
def sku_states(draw: st.DrawFn) -> SkuState:
    """Any SKU state: every field set or not, moments at any offset, a few tier changes."""
    changes = draw(
        st.lists(
            st.builds(
                TierChange,
                at=aware_datetimes(),
                old=optional_tiers,
                new=st.sampled_from(Tier),
                reason=st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=30),
            ),
            max_size=3,
        )
    )
    return SkuState(
        sku_id=draw(st.sampled_from(["sku-1", "sku-2", "sku-3", "sku-4"])),
        effective=draw(optional_tiers),
        below_since=draw(optional_moments),
        below_count=draw(st.integers(0, 10)),
        below_best=draw(optional_tiers),
        last_at=draw(optional_moments),
        joined_at=draw(optional_moments),
        changes=tuple(changes),
    )


grants = st.builds(
    SpendEntry,
    request_id=st.sampled_from(["o-1:b-1", "o-2:b-1", "o-3:b-2"]),
    budget=st.sampled_from(["b-1", "b-2"]),
    amount=st.integers(1, 10**9).map(Money),
    at=aware_datetimes(),
    period=st.none() | st.just("p-1"),
    sku_id=st.none() | st.just("sku-1"),
    merchant_id=st.none() | st.just("m-1"),
)

program_states = st.builds(
    ProgramState,
    skus=st.lists(sku_states(), max_size=4, unique_by=lambda s: s.sku_id),
    budgets=st.lists(grants, max_size=3, unique_by=lambda g: g.request_id).map(lambda e: BudgetBook(tuple(e))),
    periods=st.lists(st.sampled_from(["p-1", "p-2", "p-3"]), max_size=3, unique=True).map(tuple),
    as_of=optional_moments,
)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def moments(state: ProgramState) -> list[str | None]:
    """Every moment of *state* as text, offsets included (equal datetimes may differ in offset)."""
    found: list[str | None] = [iso(state.as_of)]
    found += [iso(e.at) for e in state.budgets.entries]
    for sku in state.skus.values():
        found += [iso(sku.below_since), iso(sku.last_at), iso(sku.joined_at), *(iso(c.at) for c in sku.changes)]
    return found


@DB_SETTINGS
@given(state=program_states)
def test_a_state_comes_back_exactly(engine: sa.Engine, state: ProgramState) -> None:
    """Every field of every SKU state, the budgets' spend, the periods and the clock come back, moments with their
    offsets."""
    wipe(engine)
    with engine.begin() as conn:
        ProgramStates(conn).save(state)
    with engine.begin() as conn:
        loaded = ProgramStates(conn).load()
    assert loaded == state
    assert moments(loaded) == moments(state)


def test_two_periods_of_the_sample_are_saved_and_read_back(engine: sa.Engine) -> None:
    """The state after each period and each report round-trip; the second save writes only what changed."""
    first, second = two_periods()
    for result in (first, second):
        with engine.begin() as conn:
            states = ProgramStates(conn)
            states.save(result.state)
            states.save_report(result.report)
    with engine.begin() as conn:
        states = ProgramStates(conn)
        assert states.load() == second.state
        assert states.periods() == ("2026-W46", "2026-W47")
        assert states.load_report("2026-W46") == first.report
        assert states.load_report("2026-W47") == second.report
        assert states.load_report("2026-W48") is None


def test_a_stale_state_is_refused(engine: sa.Engine) -> None:
    """A state that does not extend the saved one (fewer periods, an earlier clock, other tier changes) is refused:
    a second writer cannot overwrite a period it did not see."""
    first, second = two_periods()
    with engine.begin() as conn:
        ProgramStates(conn).save(second.state)
    with (
        engine.begin() as conn,
        pytest.raises(PolicyError, match=r"periods: must start with the periods already saved"),
    ):
        ProgramStates(conn).save(first.state)
    assert second.state.as_of is not None
    earlier = attrs.evolve(second.state, as_of=second.state.as_of - timedelta(days=1))
    with engine.begin() as conn, pytest.raises(PolicyError, match=r"as_of: must not be before the saved"):
        ProgramStates(conn).save(earlier)
    sku = next(s for s in second.state.skus.values() if s.changes)
    rewritten = attrs.evolve(sku, changes=(attrs.evolve(sku.changes[0], reason="rewritten"),))
    other = attrs.evolve(second.state, skus={**second.state.skus, sku.sku_id: rewritten})
    with engine.begin() as conn, pytest.raises(PolicyError, match=r"changes: must start with the 1 tier changes"):
        ProgramStates(conn).save(other)


def test_a_sku_left_out_of_the_state_is_removed(engine: sa.Engine) -> None:
    """The stored SKUs are the state's: one dropped from the state is dropped from the database, changes too."""
    t = datetime.fromisoformat("2026-11-01T00:00:00+08:00")
    kept, dropped = SkuState("sku-1").record(t, Tier.L3), SkuState("sku-2").record(t, Tier.L2)
    with engine.begin() as conn:
        ProgramStates(conn).save(ProgramState(skus=[kept, dropped], periods=("p-1",), as_of=t))
    with engine.begin() as conn:
        ProgramStates(conn).save(ProgramState(skus=[kept], periods=("p-1",), as_of=t))
    with engine.begin() as conn:
        assert ProgramStates(conn).load() == ProgramState(skus=[kept], periods=("p-1",), as_of=t)


def test_a_report_needs_its_period_saved_first(engine: sa.Engine) -> None:
    """save_report refuses a period the state does not list; anything but a state or report is refused."""
    first, _ = two_periods()
    with engine.begin() as conn:
        states = ProgramStates(conn)
        with pytest.raises(InvalidValueError, match="is not a saved period"):
            states.save_report(first.report)
        with pytest.raises(InvalidValueError, match="must be a PeriodReport"):
            states.save_report("report")  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match="must be a ProgramState"):
            states.save("state")  # type: ignore[arg-type]


def test_an_empty_database_holds_an_empty_state(engine: sa.Engine) -> None:
    """Nothing saved yet: the state is empty."""
    with engine.begin() as conn:
        assert ProgramStates(conn).load() == ProgramState()
