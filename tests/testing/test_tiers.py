"""The tier strategies: valid conditions and policies, and inputs that land exactly on thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import find, given
from hypothesis import strategies as st

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


HALVES = {"units_30d": (D("99.5"), D("1000.5")), "composite": (D("59.995"),)}


def _values(condition: Condition, name: str) -> set[object]:
    found: set[object] = set()
    for node in comparisons(condition):
        if node.input == name:
            found.update(node.value if isinstance(node.value, tuple) else (node.value,))
    return found


@given(tier_conditions(inputs=("units_30d", "composite", "refund_rate"), thresholds=HALVES))
def test_thresholds_replace_the_usual_edges_of_the_inputs_they_name(condition: Condition) -> None:
    """units_30d and composite are compared with the given values only; refund_rate keeps its usual edges."""
    check(condition, TIER_INPUTS)
    assert _values(condition, "units_30d") <= set(HALVES["units_30d"])
    assert _values(condition, "composite") <= set(HALVES["composite"])
    assert _values(condition, "refund_rate") <= {D("0"), D("0.05"), D("0.1"), D("0.5"), D("1")}


@given(tier_policies(inputs=("units_30d",), thresholds={"units_30d": (D("99.5"),)}, max_rules=3))
def test_policies_pass_their_thresholds_to_every_rule(policy: TierPolicy) -> None:
    """tier_policies(thresholds=) draws every rule's condition on those thresholds."""
    for rule in policy.rules:
        assert _values(rule.when, "units_30d") <= {D("99.5")}


def test_extra_leaves_are_mixed_in() -> None:
    """A leaf over a non-tier input (as a perk condition reads) appears among the drawn conditions."""
    standing = Compare("merchant_standing", Op.EQ, "normal")
    strategy = tier_conditions(inputs=("units_30d",), extra=st.just(standing))
    found = find(strategy, lambda c: "merchant_standing" in inputs_of(c) and "units_30d" in inputs_of(c))
    assert standing in comparisons(found)


@given(tier_conditions(inputs=("units_30d",)))
def test_without_extra_only_the_named_inputs_appear(condition: Condition) -> None:
    """No extra leaves unless asked for."""
    assert inputs_of(condition) <= {"units_30d"}


@pytest.mark.parametrize(
    ("thresholds", "match"),
    [
        ({"price": (D(1),)}, r"thresholds\['price'\].*is not one of the inputs"),
        ({"brand_registered": (D(1),)}, r"thresholds\['brand_registered'\].*is a flag"),
        ({"units_30d": ()}, r"thresholds\['units_30d'\].*at least one"),
        ({"units_30d": (1.5,)}, r"thresholds\['units_30d'\].*finite Decimals"),
        ({"units_30d": (D("NaN"),)}, r"thresholds\['units_30d'\].*finite Decimals"),
    ],
)
def test_bad_thresholds_are_refused_by_name(thresholds: dict[str, Any], match: str) -> None:
    """A threshold for an input not drawn, for a flag, none at all, or not a finite Decimal names its entry."""
    with pytest.raises(InvalidValueError, match=match):
        tier_conditions(inputs=("units_30d", "brand_registered"), thresholds=thresholds)
