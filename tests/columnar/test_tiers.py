"""Columnar grading: the same tier and deciding rule as TierPolicy on every row, thresholds included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given

from fenxiao.columnar.tiers import grade_columns, tier_labels
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading import DIMENSION_INPUTS, Tier
from fenxiao.grading.tiers import TierPolicy, TierRule
from fenxiao.rules.interpreter import evaluate
from fenxiao.rules.language import Compare, Not, Op

from .strategies import columns_of, object_inputs, policies, rows


def _expected(policy: TierPolicy, inputs: dict[str, object]) -> tuple[int, int] | InvalidValueError:
    """The tier from TierPolicy.grade (the fast path) and the index of the rule that decided it."""
    try:
        tier = policy.grade(inputs)
    except InvalidValueError as exc:
        return exc
    matched = []
    for i, rule in enumerate(policy.rules):
        if evaluate(rule.when, inputs):
            matched.append(i)
            if policy.hit == "first":
                break
    deciding = [i for i in matched if policy.rules[i].tier == tier]
    return tier.rank, deciding[0] if deciding else -1


@given(policy=policies(), batch=rows())
def test_columnar_grading_equals_the_policy_on_every_row(policy: TierPolicy, batch: list[dict[str, Any]]) -> None:
    """Tier and deciding rule match TierPolicy.grade per row; a row it refuses makes the batch raise alike."""
    outcomes = [_expected(policy, object_inputs(row)) for row in batch]
    errors = [e for e in outcomes if isinstance(e, InvalidValueError)]
    if not errors:
        graded = grade_columns(columns_of(batch), policy)
        assert list(zip(graded["tier"].tolist(), graded["tier_rule"].tolist(), strict=True)) == outcomes
        return
    with pytest.raises(InvalidValueError) as caught:
        grade_columns(columns_of(batch), policy)
    if all(isinstance(e, PolicyError) for e in errors):
        assert isinstance(caught.value, PolicyError)
    if not any(isinstance(e, PolicyError) for e in errors):
        assert not isinstance(caught.value, PolicyError)


def test_days_since_joining_comes_from_joined_at_and_as_of() -> None:
    """Exactly 14 days after joining a SKU without sales is no longer new: rule no-sales, not new-sku."""
    as_of = datetime(2026, 11, 20, tzinfo=UTC)
    joined = [as_of - timedelta(days=14), as_of - timedelta(days=13, hours=23)]
    columns = {
        "joined_at": np.array([j.replace(tzinfo=None) for j in joined], dtype="datetime64[us]"),
        "units_30d": np.zeros(2, dtype=np.int64),
        "serious_violations_365d": np.zeros(2, dtype=np.int64),
        **{name: np.zeros(2, dtype=np.int64) for name in DIMENSION_INPUTS},
    }
    graded = grade_columns(columns, as_of=as_of)
    assert graded["tier_rule"].tolist() == [1, 0]


def test_a_missing_value_satisfies_no_comparison_not_even_a_negative_one() -> None:
    """As on the object path, an unknown reference price is neither >= 10 nor != 10; its negation holds."""
    policy = TierPolicy(
        rules=[
            TierRule("ref", Tier.L3, Compare("reference_price", Op.GE, Decimal(10))),
            TierRule("not-ten", Tier.L2, Compare("reference_price", Op.NE, Decimal(10))),
            TierRule("unknown", Tier.L1, Not(Compare("reference_price", Op.EQ, Decimal(10)))),
        ],
        fallback=Tier.L0,
    )
    reference = np.ma.masked_array([2000, 500, 0], mask=[False, False, True])
    assert grade_columns({"reference_price": reference}, policy)["tier"].tolist() == [3, 2, 1]


def test_an_absent_input_is_an_error_only_where_a_rule_reaches_it() -> None:
    """A column the rows lack entirely fails only if a comparison naming it is evaluated, as evaluate() looks up."""
    policy = TierPolicy(
        rules=[
            TierRule("none", Tier.L0, Compare("units_30d", Op.EQ, Decimal(0))),
            TierRule("leaders", Tier.L2, Compare("team_leaders", Op.GE, Decimal(1))),
        ],
        fallback=Tier.L1,
    )
    assert grade_columns({"units_30d": [0, 0]}, policy)["tier"].tolist() == [0, 0]
    with pytest.raises(InvalidValueError, match=r"inputs\.team_leaders\[1\]: is needed by the condition"):
        grade_columns({"units_30d": [0, 5]}, policy)


def test_an_absent_column_of_an_optional_metric_is_missing_on_every_row() -> None:
    """Without a ``refund_rate`` column every row's refund rate is unobserved: it satisfies no comparison."""
    policy = TierPolicy(
        rules=[TierRule("refunds", Tier.L2, Compare("refund_rate", Op.LE, Decimal("0.1")))], fallback=Tier.L1
    )
    assert grade_columns({"units_30d": [0, 5]}, policy)["tier"].tolist() == [1, 1]


def test_a_row_no_rule_matches_names_the_row() -> None:
    """Without a fallback, an unmatched row is a PolicyError naming it."""
    policy = TierPolicy(rules=[TierRule("big", Tier.L3, Compare("units_30d", Op.GT, Decimal(10)))])
    with pytest.raises(PolicyError, match="no rule matches row 1"):
        grade_columns({"units_30d": [11, 10]}, policy)


def test_tier_ranks_read_as_their_names() -> None:
    """tier_labels turns ranks into L0 ... L5."""
    assert tier_labels(np.arange(6, dtype=np.int8)).tolist() == ["L0", "L1", "L2", "L3", "L4", "L5"]


def test_hit_policy_unique_grades_where_one_rule_holds_and_names_a_row_two_rules_match() -> None:
    """As TierPolicy.grade: one rule holding decides; a row two rules match raises, naming the row and the rules."""
    policy = TierPolicy(
        rules=(
            TierRule("low", Tier.L1, Compare("units_30d", Op.LE, 10)),
            TierRule("high", Tier.L3, Compare("units_30d", Op.GE, 10)),
        ),
        hit="unique",
    )
    assert grade_columns({"units_30d": [0, 11]}, policy)["tier"].tolist() == [1, 3]
    with pytest.raises(PolicyError, match=r"\['low', 'high'\] all match row 1 \(hit policy 'unique'\)"):
        grade_columns({"units_30d": [0, 10]}, policy)
