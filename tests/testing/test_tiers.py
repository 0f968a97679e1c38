"""The tier strategies: valid conditions and policies, and inputs that land exactly on thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import find, given

from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.rules.language import Compare, Condition, Op, check, comparisons, inputs_of
from fenxiao.testing.tiers import DEFAULT_CONDITION_INPUTS, tier_conditions, tier_inputs, tier_policies

D = Decimal
POLICY = default_tier_policy()
POLICY_WITH_OPTIONAL = TierPolicy(
    rules=(TierRule("cheap", Tier.L2, Compare("reference_price", Op.LE, D(100))),), fallback=Tier.L1
)


@given(tier_conditions())
def test_conditions_are_valid_over_the_default_inputs(condition: Condition) -> None:
    """Every drawn condition passes check() and names only the default inputs."""
    check(condition, TIER_INPUTS)
    assert inputs_of(condition) <= set(DEFAULT_CONDITION_INPUTS)


@given(tier_policies(inputs=("units_30d", "brand_registered"), max_rules=3))
def test_policies_are_valid_and_honour_their_arguments(policy: TierPolicy) -> None:
    """At most max_rules rules over the named inputs; either hit policy."""
    assert 1 <= len(policy.rules) <= 3
    assert policy.hit in {"first", "highest"}
    assert set().union(*(inputs_of(r.when) for r in policy.rules)) <= {"units_30d", "brand_registered"}


@given(tier_inputs())
def test_inputs_are_complete_and_within_every_declared_range(inputs: dict[str, Any]) -> None:
    """Every tier input is present; numbers are in range, counts are ints; the default policy grades them."""
    assert set(inputs) == set(TIER_INPUTS.names())
    for name, value in inputs.items():
        spec = TIER_INPUTS[name]
        if value is None:
            assert spec.optional
        elif isinstance(value, bool):
            continue
        else:
            assert isinstance(value, int if spec.integer else Decimal)
            assert spec.low is None or value >= spec.low
            assert spec.high is None or value <= spec.high
    assert isinstance(POLICY.grade(inputs), Tier)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("composite", D(90)),
        ("composite", D("89.99")),
        ("composite", D("90.01")),
        ("units_30d", 1000),
        ("units_30d", 999),
        ("days_since_joining", 14),
        ("days_since_joining", 13),
    ],
)
def test_inputs_hit_every_threshold_exactly_and_a_step_either_side(name: str, value: object) -> None:
    """The default policy's thresholds are drawn exactly, and one step (0.01 or 1) off them."""
    found = find(tier_inputs(), lambda inputs: inputs[name] == value)
    assert found[name] == value


def test_optional_inputs_are_sometimes_missing_unless_told_otherwise() -> None:
    """A policy reading an optional input sees it missing, unless missing=False."""
    policy = TierPolicy(
        rules=(TierRule("cheap", Tier.L2, Compare("reference_price", Op.LE, D(100))),), fallback=Tier.L1
    )
    assert find(tier_inputs(policy), lambda inputs: inputs["reference_price"] is None)["reference_price"] is None


@given(tier_inputs(POLICY_WITH_OPTIONAL, missing=False))
def test_missing_false_never_draws_a_missing_optional_input(inputs: dict[str, Any]) -> None:
    """missing=False keeps optional inputs present."""
    assert inputs["reference_price"] is not None


def test_conditions_reach_every_operator_and_combinator() -> None:
    """between, in and != all appear."""
    for op in ("between", "in", "!="):

        def uses(condition: Condition, op: str = op) -> bool:
            return any(n.op.value == op for n in comparisons(condition))

        assert uses(find(tier_conditions(), uses))


def test_unknown_or_no_inputs_are_refused() -> None:
    """A misspelt name gets a suggestion; an empty list is refused."""
    with pytest.raises(InvalidValueError, match="did you mean 'composite'"):
        tier_conditions(inputs=("composit",))
    with pytest.raises(InvalidValueError, match="at least one"):
        tier_conditions(inputs=())
    assert issubclass(PolicyError, InvalidValueError)
