"""TierHistory validates what it is given and builds each fold's history without checking it again (issue 20)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.grading.history import Stability, TierChange, TierHistory
from fenxiao.grading.levels import Tier
from tests.builders import T

stabilities = st.builds(
    Stability,
    demote_after_evaluations=st.integers(1, 4),
    demote_after_days=st.integers(0, 10),
    new_sku_days=st.integers(0, 20),
)
#: Hours between evaluations: the same moment, a few hours, whole days around the thresholds.
gaps = st.lists(st.sampled_from([0, 1, 24, 24 * 7, 24 * 14]), min_size=1, max_size=10)


@given(stabilities, gaps, st.lists(st.sampled_from(list(Tier)), min_size=10, max_size=10), st.integers(0, 30))
def test_each_recorded_history_is_what_the_validating_constructor_builds(
    stability: Stability, hours: list[int], decided: list[Tier], joined_days: int
) -> None:
    """The fold builds its histories from checked parts, skipping the validators: they would accept every one."""
    joined = T - timedelta(days=joined_days)
    history, at = TierHistory(stability), T
    for gap, tier in zip(hours, decided, strict=False):
        at += timedelta(hours=gap)
        history = history.record(at, tier, joined_at=joined)
        fields: dict[str, Any] = {f.name: getattr(history, f.name) for f in attrs.fields(TierHistory)}
        rebuilt = TierHistory(**fields)
        assert rebuilt == history
        assert hash(rebuilt) == hash(history)
        assert repr(rebuilt) == repr(history)


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("stability", None, "TierHistory.stability"),
        ("effective", "L3", "TierHistory.effective"),
        ("changes", ("x",), r"TierHistory.changes\[0\]"),
        ("changes", 5, "TierHistory.changes"),
        ("below_since", T.replace(tzinfo=None), "TierHistory.below_since"),
        ("below_count", -1, "TierHistory.below_count"),
        ("below_count", True, "TierHistory.below_count"),
        ("below_best", 3, "TierHistory.below_best"),
        ("last_at", "2026-11-01", "TierHistory.last_at"),
    ],
)
def test_a_bad_field_names_its_place(field: str, value: object, path: str) -> None:
    fields: dict[str, Any] = {field: value}
    with pytest.raises(InvalidValueError, match=path):
        TierHistory(**fields)


def test_changes_given_as_a_list_are_kept_as_a_tuple() -> None:
    change = TierChange(T, None, Tier.L2, "first grade")
    assert TierHistory(effective=Tier.L2, changes=[change]).changes == (change,)
