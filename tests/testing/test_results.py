"""The result strategies: each draws values its verb really returns (round trips: test_serialization_results)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.grading.gap import NextTierGap
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierDecision, default_tier_policy
from fenxiao.market.goals import GoalProgress, Measure
from fenxiao.money import Money
from fenxiao.testing import results as frs


@pytest.mark.parametrize("name", frs.__all__)
def test_every_result_strategy_is_documented_and_a_strategy(name: str) -> None:
    """Each name in __all__ carries a docstring and returns a strategy when called without arguments."""
    make = getattr(frs, name)
    assert make.__doc__, name
    assert isinstance(make(), st.SearchStrategy), name


@settings(max_examples=20)
@given(frs.tier_decisions(policies=st.just(default_tier_policy())))
def test_decisions_come_from_the_policy_they_were_drawn_with(decision: TierDecision) -> None:
    """A decision drawn with a given policy is that policy's decision on the inputs it records."""
    assert decision.tier in set(Tier)
    assert decision.rule in {r.name for r in default_tier_policy().rules} | {"(fallback)"}
    matched = [name for name, _, hit in decision.checks if hit]
    assert matched in ([decision.rule], [])


@settings(max_examples=20)
@given(frs.next_tier_gaps())
def test_gaps_lead_up(gap: NextTierGap) -> None:
    """A drawn gap names a tier above the lowest and the rule that would give it."""
    assert gap.tier is not Tier.L0
    assert gap.rule


@settings(max_examples=20)
@given(frs.goal_progress())
def test_goal_progress_values_match_the_measure(progress: GoalProgress) -> None:
    """GMV goals count money, unit goals count units: every achiever's and leader's value has the goal's kind."""
    kind: Any = Money if progress.goal.measure is Measure.GMV else int
    assert all(isinstance(value, kind) for _, value in (*progress.achieved, *progress.leading))
    assert progress.count == len(progress.achieved)


@settings(max_examples=10)
@given(frs.order_splits())
def test_splits_add_up_to_what_came_in(split: Any) -> None:
    """Every drawn split is one fenxiao computed: its lines add up to its total."""
    assert sum((line.amount for line in split.lines), Money.zero(split.total_in.currency)) == split.total_in
    assert attrs.evolve(split) == split
