"""SkuState folds as TierHistory does; ProgramState holds one state per SKU and round-trips through the converter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.history import Stability, TierHistory
from fenxiao.grading.levels import Tier
from fenxiao.money import Money
from fenxiao.periods.state import ProgramState, SkuState
from fenxiao.serialization import dumps, loads
from tests.builders import T

tiers = st.sampled_from(list(Tier))
stabilities = st.builds(
    Stability,
    demote_after_evaluations=st.integers(1, 4),
    demote_after_days=st.integers(0, 10),
    new_sku_days=st.integers(0, 20),
)
#: Gaps between evaluations in hours: 0 (the same moment), a few hours, whole days around the thresholds.
gaps = st.lists(st.sampled_from([0, 1, 12, 24, 48, 24 * 7, 24 * 14]), min_size=1, max_size=12)


@given(stabilities, gaps, st.data(), st.integers(0, 30))
def test_a_state_folds_exactly_as_a_tier_history(
    stability: Stability, hours: list[int], data: st.DataObject, joined_days: int
) -> None:
    joined = T - timedelta(days=joined_days)
    at = T
    state = SkuState("sku-1", joined_at=joined)
    history = TierHistory(stability)
    for gap in hours:
        at += timedelta(hours=gap)
        tier = data.draw(tiers)
        state = state.record(at, tier, stability=stability)
        history = history.record(at, tier, joined_at=joined)
        assert state.history(stability) == history
        assert SkuState.from_history("sku-1", history, joined_at=joined) == state


def test_held_while_a_run_of_lower_grades_has_not_demoted_yet() -> None:
    state = SkuState("sku-1", joined_at=T - timedelta(days=60)).record(T, Tier.L4)
    held = state.record(T + timedelta(days=1), Tier.L2)
    assert (held.effective, held.held, held.below_best) == (Tier.L4, True, Tier.L2)
    assert not held.record(T + timedelta(days=2), Tier.L4).held


def test_bad_fields_name_their_place() -> None:
    with pytest.raises(InvalidValueError, match=r"SkuState.effective"):
        SkuState("sku-1", effective="L3")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"SkuState.below_since"):
        SkuState("sku-1", below_since=T.replace(tzinfo=None))
    with pytest.raises(InvalidValueError, match=r"SkuState.changes\[0\]"):
        SkuState("sku-1", changes=("x",))
    with pytest.raises(InvalidValueError, match=r"ProgramState.skus\[1\].sku_id"):
        ProgramState(skus=[SkuState("a"), SkuState("a")])
    with pytest.raises(InvalidValueError, match=r"ProgramState.skus\[0\]"):
        ProgramState(skus=["a"])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match=r"ProgramState.periods\[0\]"):
        ProgramState(periods=("bad id",))


def test_skus_are_keyed_and_sorted_by_id_however_given() -> None:
    listed = ProgramState(skus=[SkuState("b"), SkuState("a")])
    assert list(listed.skus) == ["a", "b"]
    assert listed == ProgramState(skus={"x": SkuState("a"), "y": SkuState("b")})
    assert listed.sku("c") == SkuState("c")


def test_tier_counts_list_every_tier() -> None:
    state = ProgramState(skus=[SkuState("a").record(T, Tier.L3), SkuState("b")])
    counts = state.tier_counts()
    assert counts[Tier.L3] == 1
    assert sum(counts.values()) == 1
    assert list(counts) == list(Tier)


def test_a_program_state_round_trips_through_json() -> None:
    one = SkuState("sku-1", joined_at=T).record(T, Tier.L5).record(T + timedelta(days=1), Tier.L3)
    book = BudgetBook((SpendEntry("o-1:official", "official", Money.of("2.50"), T, "2026-W47", "sku-1", "m-1"),))
    state = ProgramState(skus=[one, SkuState("sku-2")], budgets=book, periods=("2026-W47",), as_of=T)
    assert loads(dumps(state), ProgramState) == state
