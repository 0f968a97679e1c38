"""Tiers: the default policy, decisions that explain themselves, lint, and stability over time."""

from __future__ import annotations

import copy
import functools
import json
import pickle
import typing
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import FenxiaoError, InvalidValueError, PolicyError, ValidationError
from fenxiao.grading.gap import NextTierGap, _cost, _escape, _raise_to, repairs
from fenxiao.grading.history import Stability, TierHistory
from fenxiao.grading.inputs import DIMENSION_INPUTS, TIER_INPUTS, example_inputs
from fenxiao.grading.inputs import tier_inputs as tier_inputs_of
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.grading.tiers import TierDecision, TierPolicy, TierRule, _explained, default_tier_policy
from fenxiao.rules.interpreter import Check, evaluate
from fenxiao.rules.language import All, AnyOf, Compare, Condition, Not, Op, condition_from_data
from fenxiao.rules.table import HitPolicy, Severity
from fenxiao.sample import load_sample
from fenxiao.scoring.context import build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.serialization import dumps, from_dict, loads, to_dict
from fenxiao.testing.tiers import tier_inputs, tier_policies

D = Decimal
POLICY = default_tier_policy()
# Values on and around every default threshold, so that boundaries are hit exactly.
SCORE_VALUES = [D(0), D("39.99"), D(40), D("59.99"), D(60), D(70), D("74.99"), D(75), D(80), D("89.99"), D(90), D(100)]
UNIT_VALUES = [0, 1, 99, 100, 299, 300, 999, 1000, 5000]
DAY_VALUES = [0, 13, 14, 15, 400]

INPUTS = st.fixed_dictionaries(
    {
        **{name: st.sampled_from(SCORE_VALUES) for name in DIMENSION_INPUTS},
        "units_30d": st.sampled_from(UNIT_VALUES),
        "days_since_joining": st.sampled_from(DAY_VALUES),
        "serious_violations_365d": st.sampled_from([0, 1, 2]),
        "units_vs_category": st.sampled_from([None, 0, 49, 50, 200]),
    }
).map(lambda over: example_inputs(**over))


def _better(name: str, value: Any) -> list[Any]:
    """Values of *name* at least as good as *value*."""
    spec = TIER_INPUTS[name]
    if name == "units_vs_category":  # missing is no value to improve on: a present one is compared
        return [p for p in (0, 49, 50, 200) if value is None or p >= value] if value is not None else [None]
    pool: list[Any] = SCORE_VALUES if name in DIMENSION_INPUTS else UNIT_VALUES if name == "units_30d" else [0, 1, 2]
    return [p for p in pool if (p >= value if spec.better == "higher" else p <= value)]


@given(INPUTS)
def test_every_input_gets_exactly_one_tier_and_the_explanation_agrees(inputs: dict[str, Any]) -> None:
    """decide() and grade() agree; the deciding rule holds and every earlier rule does not."""
    decision = POLICY.decide(inputs)
    assert decision.tier == POLICY.grade(inputs)
    assert decision.rule_index is not None
    rule = POLICY.rules[decision.rule_index]
    assert (rule.name, rule.tier) == (decision.rule, decision.tier)
    assert evaluate(rule.when, inputs)
    assert not any(evaluate(r.when, inputs) for r in POLICY.rules[: decision.rule_index])
    assert [matched for _, _, matched in decision.checks] == [False] * decision.rule_index + [True]
    for _, checks, matched in decision.checks:
        assert matched == all(c.passed for c in checks) or not matched


@given(
    INPUTS, st.sampled_from([*DIMENSION_INPUTS, "units_30d", "serious_violations_365d", "units_vs_category"]), st.data()
)
def test_improving_any_input_never_lowers_the_default_tier(inputs: dict[str, Any], name: str, data: Any) -> None:
    """Under the default policy the tier is monotone in every input with a direction."""
    better = dict(inputs)
    better[name] = data.draw(st.sampled_from(_better(name, inputs[name])))
    assert POLICY.grade(better) >= POLICY.grade(inputs)


@given(INPUTS)
def test_the_next_tier_gap_is_exact(inputs: dict[str, Any]) -> None:
    """Moving the named inputs to the named thresholds reaches the named tier (when marked reachable)."""
    decision = POLICY.decide(inputs)
    gap = decision.next_tier_gap
    if decision.tier is Tier.L5:
        assert gap is None
        return
    assert gap is not None
    assert gap.tier > decision.tier
    moved = dict(inputs)
    for check in gap.unmet:
        assert isinstance(check.threshold, Decimal)
        step = D(1) if TIER_INPUTS[check.input].integer else D("0.01")
        moved[check.input] = {
            Op.GE: check.threshold,
            Op.LE: check.threshold,
            Op.EQ: check.threshold,
            Op.GT: check.threshold + step,
            Op.LT: check.threshold - step,
        }[check.op]
    if gap.reachable:
        assert POLICY.grade(moved) >= gap.tier
    else:
        assert POLICY.grade(moved) < gap.tier


def test_a_new_sku_without_sales_is_l0_until_exactly_14_days() -> None:
    """Day 13 with no sales is L0 new-sku; day 14 is L0 no-sales, flagged stale."""
    day13 = POLICY.decide(example_inputs(days_since_joining=13, units_30d=0))
    day14 = POLICY.decide(example_inputs(days_since_joining=14, units_30d=0))
    assert (day13.tier, day13.rule, day13.flags) == (Tier.L0, "new-sku", ())
    assert (day14.tier, day14.rule, day14.flags) == (Tier.L0, "no-sales", ("stale",))


def test_one_sale_makes_l1_and_100_units_leave_low_sales() -> None:
    """1 unit is L1 (low-sales); at exactly 100 units the score decides."""
    assert POLICY.decide(example_inputs(units_30d=1, days_since_joining=2)).rule == "low-sales"
    assert POLICY.decide(example_inputs(units_30d=99)).tier is Tier.L1
    weak = POLICY.decide(example_inputs(units_30d=100, composite="39.99"))
    assert (weak.tier, weak.rule) == (Tier.L1, "selling")
    assert POLICY.decide(example_inputs(units_30d=100, composite="40", **{"score.service": "40"})).tier is Tier.L2


def _l5(**over: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(DIMENSION_INPUTS, "90")
    values.update({"score.service": "80", "units_30d": 1000, "serious_violations_365d": 0})
    values.update(over)
    return example_inputs(**values)


def test_exactly_at_every_l5_threshold_is_l5() -> None:
    """composite 90, service 80, other dimensions 70, 1000 units, no violations: L5."""
    at = _l5(**{f"score.{d}": "70" for d in ("brand", "price", "distribution", "sales")})
    assert POLICY.decide(at).tier is Tier.L5


@pytest.mark.parametrize(
    ("over", "unmet"),
    [
        ({"composite": "89.99"}, "composite 89.99 < 90 needed (+0.01)"),
        ({"score.service": "79.99"}, "score.service 79.99 < 80 needed (+0.01)"),
        ({"score.brand": "69.99"}, "score.brand 69.99 < 70 needed (+0.01)"),
        ({"units_30d": 999}, "units_30d 999 < 1000 needed (+1)"),
        ({"serious_violations_365d": 1}, "serious_violations_365d 1: == 0 needed"),
    ],
)
def test_just_below_any_l5_threshold_is_not_l5_and_says_why(over: dict[str, Any], unmet: str) -> None:
    """One step below an L5 threshold drops to L4 and the gap names exactly that threshold."""
    decision = POLICY.decide(_l5(**over))
    assert decision.tier is Tier.L4
    assert decision.next_tier_gap is not None
    assert [str(c) for c in decision.next_tier_gap.unmet] == [unmet]
    assert decision.next_tier_gap.rule == "selected-goods"


def test_the_default_policy_passes_lint() -> None:
    """No errors and no warnings on the default policy."""
    assert [f for f in POLICY.lint() if f.severity is not Severity.INFO] == []


def _policy(*rules: tuple[str, Tier, Condition], fallback: Tier | None = None) -> TierPolicy:
    return TierPolicy(rules=tuple(TierRule(n, t, c) for n, t, c in rules), fallback=fallback)


def test_lint_finds_a_planted_gap() -> None:
    """Composite between 40 and 60 (exclusive) is covered by no rule: a gap error with an example."""
    policy = _policy(
        ("low", Tier.L1, Compare("composite", Op.LT, D(40))),
        ("high", Tier.L3, Compare("composite", Op.GE, D(60))),
    )
    gaps = [f for f in policy.lint() if f.code == "gap"]
    assert len(gaps) == 1
    assert gaps[0].severity is Severity.ERROR
    witness = gaps[0].message.split("e.g. ")[1]
    value = D(witness.split("=")[1])
    assert D(40) <= value < D(60)
    assert _policy(*((r.name, r.tier, r.when) for r in policy.rules), fallback=Tier.L0).lint()[0].code != "gap"


def test_lint_finds_a_shadowed_rule_and_the_tier_it_leaves_unreachable() -> None:
    """A rule caught entirely by an earlier one can never fire."""
    policy = _policy(
        ("any-sales", Tier.L1, Compare("units_30d", Op.GE, D(1))),
        ("big-sales", Tier.L4, Compare("units_30d", Op.GE, D(1000))),
        ("none", Tier.L0, Compare("units_30d", Op.EQ, D(0))),
    )
    findings = policy.lint()
    assert any(f.code == "shadowed" and f.path == "rules[1]" for f in findings)
    assert any(f.code == "unreachable-tier" and "L4" in f.message for f in findings)
    assert not any(f.code == "gap" for f in findings)


def test_lint_finds_a_non_monotone_threshold() -> None:
    """L4 needing a lower composite than L3 is flagged."""
    policy = _policy(
        ("l4", Tier.L4, Compare("composite", Op.GE, D(50))),
        ("l3", Tier.L3, Compare("composite", Op.GE, D(70))),
        ("rest", Tier.L0, Compare("composite", Op.LT, D(50))),
    )
    findings = [f for f in policy.lint() if f.code == "non-monotone"]
    assert findings
    assert "needs composite >= 50" in findings[0].message


def test_policies_refuse_unknown_inputs_with_the_path() -> None:
    """An unknown input in a rule is a PolicyError naming the rule and the place."""
    with pytest.raises(PolicyError, match=r"TierPolicy\.rules\[0\]\.when\.all\[1\]\.input.*did you mean"):
        _policy(("x", Tier.L2, All((Compare("composite", Op.GE, D(1)), Compare("unit_30d", Op.GE, D(1))))))


def test_policies_refuse_duplicate_names_too_many_rules_and_no_rules() -> None:
    """Rule names are unique; a policy has 1..MAX_RULES rules."""
    rule = ("a", Tier.L1, Compare("composite", Op.GE, D(1)))
    with pytest.raises(PolicyError, match="earlier rule"):
        _policy(rule, rule)
    with pytest.raises(PolicyError, match="non-empty"):
        TierPolicy(rules=())
    with pytest.raises(PolicyError, match="more than"):
        TierPolicy(rules=tuple(TierRule(f"r{i}", Tier.L1, Compare("composite", Op.GE, D(i))) for i in range(201)))


def test_no_match_without_fallback_is_an_error_and_the_fallback_is_used_otherwise() -> None:
    """grade() and decide() refuse an uncovered input unless the policy names a fallback."""
    policy = _policy(("high", Tier.L3, Compare("composite", Op.GE, D(60))))
    with pytest.raises(PolicyError, match="no rule matches"):
        policy.grade(example_inputs(composite="10"))
    with_fallback = _policy(("high", Tier.L3, Compare("composite", Op.GE, D(60))), fallback=Tier.L1)
    decision = with_fallback.decide(example_inputs(composite="10"))
    assert (decision.tier, decision.rule, decision.rule_index) == (Tier.L1, "(fallback)", None)


def test_highest_hit_policy_takes_the_highest_matching_tier() -> None:
    """hit='highest' ignores order and picks the top tier among matching rules."""
    rules = (
        TierRule("low", Tier.L1, Compare("composite", Op.GE, D(0))),
        TierRule("top", Tier.L4, Compare("composite", Op.GE, D(80))),
    )
    assert TierPolicy(rules=rules).grade(example_inputs(composite="85")) is Tier.L1
    assert TierPolicy(rules=rules, hit="highest").grade(example_inputs(composite="85")) is Tier.L4
    assert TierPolicy(rules=rules, hit="highest").decide(example_inputs(composite="85")).rule == "top"


def test_tiers_are_ordered_and_labelled() -> None:
    """L0 < ... < L5; L5 is 精选好物; labels are configurable per policy."""
    assert sorted(Tier, reverse=True)[0] is Tier.L5
    assert Tier.L5.label_zh == "精选好物"
    assert Tier.L1 < Tier.L2 <= Tier.L2
    kuaishou = TierPolicy(rules=POLICY.rules, labels={Tier.L5: "行业尖货"})
    assert kuaishou.label(Tier.L5) == "行业尖货"
    assert kuaishou.label(Tier.L3) == "优质好物"


T0 = datetime(2026, 11, 1, tzinfo=UTC)
TIERS = st.sampled_from(list(Tier))


@given(st.lists(st.tuples(st.integers(0, 3), TIERS), min_size=1, max_size=30), st.integers(1, 4), st.integers(0, 5))
def test_history_promotes_at_once_and_never_demotes_inside_the_grace_period(
    steps: list[tuple[int, Tier]], evaluations: int, days: int
) -> None:
    """Every promotion is immediate; a demotion only after enough consecutive lower grades and days."""
    history = TierHistory(Stability(demote_after_evaluations=evaluations, demote_after_days=days))
    at = T0
    below: list[tuple[datetime, Tier]] = []
    for gap_days, tier in steps:
        at += timedelta(days=gap_days)
        before = history.effective
        history = history.record(at, tier)
        if before is None or tier > before:
            assert history.effective == tier
            below = []
        elif tier == before:
            assert history.effective == before
            below = []
        else:
            below.append((at, tier))
            demoted = len(below) >= evaluations and at - below[0][0] >= timedelta(days=days)
            if demoted:
                assert history.effective == max(t for _, t in below)
                below = []
            else:
                assert history.effective == before
    assert history.changes[0].old is None


def test_history_refuses_time_going_backwards_and_naive_times() -> None:
    """Evaluations are recorded in time order with aware datetimes."""
    history = TierHistory().record(T0, Tier.L2)
    with pytest.raises(InvalidValueError, match="before the previous"):
        history.record(T0 - timedelta(days=1), Tier.L2)
    with pytest.raises(InvalidValueError, match="timezone-aware"):
        history.record(datetime(2026, 11, 2), Tier.L2)


def test_history_demotes_after_three_evaluations_over_seven_days_by_default() -> None:
    """The default stability: 3 consecutive lower grades spanning 7 days."""
    history = TierHistory().record(T0, Tier.L4)
    for day in (1, 4):
        history = history.record(T0 + timedelta(days=day), Tier.L2)
        assert history.effective is Tier.L4
    history = history.record(T0 + timedelta(days=7), Tier.L3)
    assert history.effective is Tier.L4  # 3 evaluations, but only 6 days since the first lower one
    history = history.record(T0 + timedelta(days=8), Tier.L2)
    assert history.effective is Tier.L3
    assert history.changes[-1].reason.startswith("below L4 for 4 evaluations")


def test_a_condition_never_evaluated_as_code() -> None:
    """Policies hold plain data; a text threshold on a number input is refused, not evaluated."""
    with pytest.raises(PolicyError, match="must be a number"):
        _policy(("x", Tier.L1, Compare("composite", Op.GE, "__import__('os')")))


def _leaf(name: str, values: list[Any]) -> st.SearchStrategy[Condition]:
    ops = st.sampled_from([Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.NE])
    return st.builds(Compare, st.just(name), ops, st.sampled_from(values).map(D))


RULE_CONDITIONS: st.SearchStrategy[Condition] = st.recursive(
    _leaf("composite", SCORE_VALUES) | _leaf("units_30d", UNIT_VALUES),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3).map(lambda c: All(tuple(c)))
        | st.lists(inner, min_size=1, max_size=3).map(lambda c: AnyOf(tuple(c)))
        | inner.map(Not)
    ),
    max_leaves=5,
)
POLICIES = st.builds(
    lambda conds, tiers, hit, fallback: TierPolicy(
        rules=tuple(TierRule(f"r{i}", t, c) for i, (c, t) in enumerate(zip(conds, tiers, strict=False))),
        hit=hit,
        fallback=fallback,
    ),
    st.lists(RULE_CONDITIONS, min_size=1, max_size=5),
    st.lists(TIERS, min_size=5, max_size=5),
    st.sampled_from(["first", "highest"]),
    st.none() | TIERS,
)


@given(POLICIES, st.sampled_from(SCORE_VALUES), st.sampled_from(UNIT_VALUES))
def test_every_input_gets_exactly_one_tier_under_any_policy_lint_passes(
    policy: TierPolicy, composite: Decimal, units: int
) -> None:
    """If lint reports no error, grading never fails; if it reports a gap, its example really is uncovered."""
    errors = [f for f in policy.lint() if f.severity is Severity.ERROR]
    inputs = example_inputs(composite=composite, units_30d=units)
    if not errors:
        assert isinstance(policy.grade(inputs), Tier)
        assert policy.decide(inputs).tier == policy.grade(inputs)
    else:
        assert policy.fallback is None
        (gap,) = errors
        uncovered = example_inputs(**dict(gap.example))
        assert not any(evaluate(r.when, uncovered) for r in policy.rules)
        with pytest.raises(PolicyError, match="no rule matches"):
            policy.grade(uncovered)


SHADOWING_POLICIES = st.builds(
    lambda conds, tiers, copied, fallback: TierPolicy(
        rules=tuple(
            TierRule(f"r{i}", t, c)
            for i, (c, t) in enumerate(zip([*conds, conds[copied % len(conds)]], tiers, strict=False))
        ),
        hit="first",
        fallback=fallback,
    ),
    st.lists(RULE_CONDITIONS, min_size=1, max_size=4),
    st.lists(TIERS, min_size=5, max_size=5),
    st.integers(0, 3),
    st.none() | TIERS,
)


@given(SHADOWING_POLICIES)
def test_lint_shadowed_rules_never_decide(policy: TierPolicy) -> None:
    """The last rule repeats an earlier one's condition, so lint finds it shadowed; no rule lint calls shadowed
    matches first on a dense grid of inputs."""
    findings = policy.lint()
    shadowed = {int(f.path[6:-1]) for f in findings if f.code == "shadowed"}
    assert len(policy.rules) - 1 in shadowed or any(f.code == "too-complex" for f in findings)
    for c in SCORE_VALUES:
        for u in UNIT_VALUES:
            inputs = example_inputs(composite=c, units_30d=u)
            first = next((i for i, r in enumerate(policy.rules) if evaluate(r.when, inputs)), None)
            assert first not in shadowed


@given(POLICIES)
def test_policies_round_trip_through_json_and_toml(policy: TierPolicy) -> None:
    """Every policy survives dumps/loads in both formats unchanged."""
    assert loads(dumps(policy), TierPolicy) == policy
    assert loads(dumps(policy, format="toml"), TierPolicy, format="toml") == policy


def test_the_default_policy_round_trips_with_labels_and_stability() -> None:
    """Labels keyed by tier and the stability settings travel too."""
    policy = attrs.evolve(default_tier_policy(), labels={Tier.L5: "行业尖货"}, stability=Stability(2, 3))
    assert loads(dumps(policy, format="toml"), TierPolicy, format="toml") == policy


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["rules"][4]["when"]["all"][1].update(input="score.servce"), r"rules\[4\]\.when\.all\[1\]\.input"),
        (lambda d: d["rules"][4]["when"]["all"][0].update(op="=>"), r"rules\[4\]\.when\.all\[0\]\.op"),
        (lambda d: d["rules"][2].update(tier="L9"), r"rules\[2\]\.tier"),
        (lambda d: d["rules"][1]["when"].update(value="many"), r"rules\[1\]\.when\.value"),
        (lambda d: d.update(hit="last"), r"hit"),
        (lambda d: d["rules"][0].update(extra=1), r"rules\[0\]\.extra"),
    ],
)
def test_a_bad_policy_file_names_its_place(mutate: Any, path: str) -> None:
    """Unknown inputs, bad operators, bad tiers, mistyped values and unknown keys name their path."""
    data = to_dict(default_tier_policy())
    mutate(data)
    with pytest.raises(ValidationError, match=path):
        from_dict(data, TierPolicy)


def test_the_gap_names_the_earlier_rule_that_holds_a_sku_back() -> None:
    """A strong SKU with 64 units is L1 by low-sales: the way up is to reach 100 units, not the L2 scores."""
    decision = POLICY.decide(example_inputs(units_30d=64, composite="70", **{"score.service": "70"}))
    assert (decision.tier, decision.rule) == (Tier.L1, "low-sales")
    gap = decision.next_tier_gap
    assert gap is not None
    assert [str(c) for c in gap.unmet] == ["units_30d 64 < 100 needed (+36)"]
    assert gap.reachable


def test_a_new_sku_is_told_that_one_sale_lifts_it() -> None:
    """An L0 SKU inside its 14 days is one sale away from L1."""
    gap = POLICY.decide(example_inputs(units_30d=0, days_since_joining=3)).next_tier_gap
    assert gap is not None
    assert (gap.tier, [str(c) for c in gap.unmet], gap.reachable) == (Tier.L1, ["units_30d 0 < 1 needed (+1)"], True)


def test_inside_the_new_sku_window_a_demotion_is_immediate() -> None:
    """Grades of a SKU under 14 days in the pool are provisional; from day 14 the grace period protects them."""
    joined = T0
    history = TierHistory().record(T0 + timedelta(days=2), Tier.L2, joined_at=joined)
    history = history.record(T0 + timedelta(days=5), Tier.L1, joined_at=joined)
    assert history.effective is Tier.L1
    assert "new-SKU window" in history.changes[-1].reason
    history = history.record(T0 + timedelta(days=13), Tier.L3, joined_at=joined)
    history = history.record(T0 + timedelta(days=14), Tier.L1, joined_at=joined)
    assert history.effective is Tier.L3


def test_a_missing_optional_metric_satisfies_no_comparison_and_lint_knows_it() -> None:
    """lowest_price_30d may be missing: grading falls through; lint finds the gap a missing value opens."""
    rules = (
        TierRule("cheap", Tier.L3, Compare("lowest_price_30d", Op.LE, D(100))),
        TierRule("dear", Tier.L2, Compare("lowest_price_30d", Op.GT, D(100))),
    )
    with_fallback = TierPolicy(rules=rules, fallback=Tier.L1)
    assert with_fallback.grade(example_inputs(lowest_price_30d=None)) is Tier.L1
    decision = with_fallback.decide(example_inputs(lowest_price_30d=None))
    first = next(c for _, checks, _ in decision.checks for c in checks)
    assert str(first) == "lowest_price_30d missing: <= 100 needed"
    gaps = [f for f in TierPolicy(rules=rules).lint() if f.code == "gap"]
    assert [dict(f.example) for f in gaps] == [{"lowest_price_30d": None}]
    assert "lowest_price_30d missing" in gaps[0].message


def test_lint_snaps_fractional_thresholds_on_whole_number_inputs() -> None:
    """units <= 5.5 and units >= 10 leave 6..9 uncovered: lint finds it (an example of 6)."""
    policy = _policy(
        ("few", Tier.L1, Compare("units_30d", Op.LE, D("5.5"))),
        ("many", Tier.L2, Compare("units_30d", Op.GE, D(10))),
    )
    (gap,) = [f for f in policy.lint() if f.code == "gap"]
    assert dict(gap.example) == {"units_30d": D(6)}


def test_lint_time_is_bounded_by_one_budget_for_the_whole_policy() -> None:
    """A large policy with a tiny budget reports too-complex instead of searching on."""
    rules = tuple(
        TierRule(f"r{i}", Tier.L2, All((Compare("composite", Op.GE, D(i)), Compare("units_30d", Op.LE, D(i)))))
        for i in range(60)
    )
    findings = TierPolicy(rules=rules).lint(budget=50)
    assert any(f.code == "too-complex" for f in findings)
    assert sum(f.code == "too-complex" for f in findings) <= 2


def test_compare_reads_operator_text_and_refuses_unknown_operators() -> None:
    """Compare(..., ">=", ...) is Op.GE; an unknown operator is a PolicyError, never silent equality."""
    assert Compare("composite", ">=", D(90)).op is Op.GE
    with pytest.raises(PolicyError, match="must be one of"):
        Compare("composite", "=>", D(90))
    with pytest.raises(PolicyError, match="must be a condition"):
        All((1.5,))


def test_policy_fields_are_checked_and_labels_read_tier_text() -> None:
    """Labels keyed "L5" work; a bad fallback, bad labels or a missing stability are PolicyErrors or value errors."""
    assert TierPolicy(rules=POLICY.rules, labels={"L5": "行业尖货"}).label(Tier.L5) == "行业尖货"
    with pytest.raises(InvalidValueError, match=r"TierPolicy\.fallback"):
        TierPolicy(rules=POLICY.rules, fallback="L9")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match=r"TierPolicy\.labels"):
        TierPolicy(rules=POLICY.rules, labels={"L9": "x"})
    with pytest.raises(InvalidValueError, match=r"TierPolicy\.stability"):
        TierPolicy(rules=POLICY.rules, stability=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"inputs\.composite"):
        POLICY.grade({**example_inputs(units_30d=500), "composite": "abc"})


def test_a_passed_negated_check_reads_as_a_negation() -> None:
    """not (violations > 0) with 0 violations reads 'serious_violations_365d 0 not > 0'."""
    rule = TierRule("clean", Tier.L3, Not(Compare("serious_violations_365d", Op.GT, D(0))))
    decision = TierPolicy(rules=(rule,), fallback=Tier.L1).decide(example_inputs())
    assert str(decision.checks[0][1][0]) == "serious_violations_365d 0 not > 0"


def test_decide_agrees_with_grade_when_a_higher_rule_names_an_absent_input() -> None:
    """The next-tier gap reads an input no deciding rule needed as missing instead of failing."""
    policy = TierPolicy(
        rules=(
            TierRule("none", Tier.L1, Compare("units_30d", Op.EQ, D(0))),
            TierRule("refunds", Tier.L3, Compare("refund_rate", Op.LE, D("0.1"))),
        ),
        fallback=Tier.L0,
    )
    assert policy.grade({"units_30d": 0}) is Tier.L1
    decision = policy.decide({"units_30d": 0})
    assert decision.tier is Tier.L1
    assert decision.next_tier_gap is not None
    assert decision.next_tier_gap.tier is Tier.L3


# -- the compiled policy and lazily explained decisions ---------------------------------------------------------

POLICIES_AND_INPUTS = tier_policies().flatmap(lambda p: st.tuples(st.just(p), tier_inputs(p)))
BAD_VALUES = st.sampled_from(
    ["x", None, D("NaN"), D("sNaN"), float("nan"), 1.5, True, D("-1"), D("-9.9999999999999999999999999999E+999999")]
)


def _outcome(func: Any, *args: Any) -> tuple[str, Any]:
    """What a call gave: its result read in full, as the repr of its fields (a NaN input never equals itself, so
    Checks holding it never do), or its error's type and message."""
    try:
        result = func(*args)
        return "ok", repr(attrs.asdict(result, recurse=False) if attrs.has(type(result)) else result)
    except FenxiaoError as exc:
        return "error", (type(exc), str(exc))
    except ArithmeticError as exc:
        return "error", (type(exc), None)


def _same_everywhere(policy: TierPolicy, inputs: dict[str, Any]) -> None:
    """grade() and decide() give what the interpreter gives: the same tier, decision (read in full) or error."""
    assert _outcome(policy.grade, inputs) == _outcome(policy._grade_walk, inputs)
    fast = _outcome(policy.decide, inputs)
    eager = _outcome(lambda i: policy._decide_eager(i, sku_id=None), inputs)
    assert fast == eager
    if fast[0] == "ok":
        assert policy.decide(inputs).explain() == policy._decide_eager(inputs, sku_id=None).explain()


@given(POLICIES_AND_INPUTS)
def test_the_compiled_policy_decides_like_the_interpreter(drawn: tuple[TierPolicy, dict[str, Any]]) -> None:
    """On inputs exactly at, and a step either side of, every threshold of any policy."""
    _same_everywhere(*drawn)


@given(POLICIES_AND_INPUTS, st.data())
def test_the_compiled_policy_fails_like_the_interpreter(drawn: tuple[TierPolicy, dict[str, Any]], data: Any) -> None:
    """A wrong-typed, missing, NaN or float value anywhere gives the interpreter's answer or error, at once."""
    policy, inputs = drawn
    name = data.draw(st.sampled_from(sorted(inputs)))
    inputs[name] = data.draw(BAD_VALUES)
    _same_everywhere(policy, inputs)
    del inputs[name]
    _same_everywhere(policy, inputs)


@given(INPUTS)
def test_the_default_policy_compiled_decides_like_the_interpreter(inputs: dict[str, Any]) -> None:
    """The default policy, on the grid of its thresholds."""
    _same_everywhere(POLICY, inputs)


def _pending(decision: TierDecision) -> bool:
    return "_pending" in vars(decision)


def test_a_decision_builds_its_trace_and_gap_once_when_first_read() -> None:
    """decide() captures the values; the first read of checks or the gap builds both, equal to the eager ones."""
    inputs = example_inputs(composite="72", units_30d=640, **{"score.service": "65"})
    decision = POLICY.decide(inputs)
    assert _pending(decision)
    inputs["composite"] = D(99)  # the caller's mapping changes afterwards: the decision keeps what it saw
    gap = decision.next_tier_gap
    assert not _pending(decision)
    assert gap is not None
    assert (
        str(gap) == "L4 (行业爆款) by rule 'hot-item': composite 72 < 75 needed (+3); score.service 65 < 70 needed (+5)"
    )
    assert decision.checks[-1] == ("quality", decision.checks[-1][1], True)
    eager = POLICY._decide_eager(example_inputs(composite="72", units_30d=640, **{"score.service": "65"}), sku_id=None)
    assert decision == eager
    assert hash(decision) == hash(eager)


def _cached(policy: TierPolicy, name: str) -> bool:
    """Whether the cached property *name* of *policy* was computed (its slot is set), without computing it."""
    try:
        TierPolicy.__dict__[name].__get__(policy)
    except AttributeError:
        return False
    return True


def test_an_explanation_is_read_from_generated_code_compiled_only_for_the_rules_it_reads() -> None:
    """decide() compiles no explanation; reading one compiles, once, the trace of the rules it tries (one function)
    and the plan of its gap, which explains the rules the gap needs beyond the trace by one compiled function;
    all equal to the interpreter's."""
    policy = TierPolicy(rules=POLICY.rules, name="fresh")  # its own caches
    inputs = example_inputs(composite="45", units_30d=150, **{"score.service": "45"})
    decision = policy.decide(inputs)
    assert _pending(decision)
    assert not any(_cached(policy, name) for name in ("_explainers", "_traces", "_gap_plans"))
    assert decision.rule == "qualified"
    trace = decision.checks
    assert list(policy._traces) == [len(trace)]
    assert policy._traces[len(trace)].__code__.co_filename.startswith("<fenxiao generated tier trace of 8 rules ")
    assert list(policy._gap_plans) == [decision.rule_index]
    assert not _cached(policy, "_explainers")  # the gap's rule ('quality') is in the trace
    assert decision == policy._decide_eager(inputs, sku_id=None)
    # An L1 SKU by 'low-sales-in-category': its gap reads 'qualified', which its trace does not reach, and whether
    # 'low-sales' (a lower-tier rule between them) also holds and must be escaped.
    low = policy.decide(example_inputs(units_30d=150, units_vs_category=10))
    assert low.rule == "low-sales-in-category"
    assert low.next_tier_gap is not None
    assert low.next_tier_gap.rule == "qualified"
    _, plan = policy._gap_plans[2]  # 'qualified', explained by the plan of the gaps of rule 2
    assert plan is not None
    extra = plan.extra
    assert extra is not None
    assert extra.__code__.co_filename.startswith("<fenxiao generated tier gap ways after rule 2 ")
    assert not _cached(policy, "_explainers")
    assert [i for i, c in enumerate(policy._conditions) if c is not None] == [3]  # its outcome alone
    assert low == policy._decide_eager(example_inputs(units_30d=150, units_vs_category=10), sku_id=None)


def test_pending_decisions_copy_pickle_and_compare_like_built_ones() -> None:
    """evolve(), pickle and == work before the explanation was read, and agree with a materialized decision."""
    inputs = example_inputs(composite="45", units_30d=150, **{"score.service": "45"})
    built = POLICY._decide_eager(inputs, sku_id="sku-1")
    assert POLICY.decide(inputs, sku_id="sku-1") == built
    assert pickle.loads(pickle.dumps(POLICY.decide(inputs, sku_id="sku-1"))) == built
    moved = attrs.evolve(POLICY.decide(inputs, sku_id="sku-1"), sku_id="sku-2")
    assert moved == attrs.evolve(built, sku_id="sku-2")
    assert repr(POLICY.decide(inputs, sku_id="sku-1")) == repr(built)
    assert repr(built) == "TierDecision(sku_id='sku-1', tier='L2', rule='qualified', label='达标商品')"
    assert attrs.asdict(POLICY.decide(inputs, sku_id="sku-1")) == attrs.asdict(built)  # the full form, checks too


def test_the_fast_decision_builder_sets_every_field() -> None:
    """decide()'s templates, with the SKU and the captured values, hold every attrs field; the fallback's too."""
    fields = {a.name for a in attrs.fields(TierDecision)}
    later = {"checks", "next_tier_gap"}
    policy = TierPolicy(rules=POLICY.rules, fallback=Tier.L0)
    *rules, handed_back, fallback = policy._templates
    assert handed_back is None
    for template in (*rules, fallback):
        assert template is not None
        assert {*template, "sku_id", *later} == fields
    decision = policy.decide(example_inputs())
    assert vars(decision).keys() == fields - later | {"_pending"}
    assert decision.checks
    assert vars(decision).keys() == fields


def test_decide_raises_at_once_for_a_value_only_the_gap_would_compare() -> None:
    """units_30d=50 decides L1 before composite is read, but the gap to L2 compares it: the error comes now,
    not when the explanation is first read."""
    inputs = {**example_inputs(units_30d=50), "composite": "abc"}
    with pytest.raises(InvalidValueError, match=r"inputs\.composite"):
        POLICY.decide(inputs)
    assert POLICY.grade(inputs) is Tier.L1  # grading alone never reads it


def _reference_gap(policy: TierPolicy, inputs: dict[str, Any], tier: Tier) -> NextTierGap | None:
    """The next-tier gap as first written (every earlier lower-tier rule evaluated afresh): the oracle for the
    faster _gap, which knows which rule decided and reads each earlier rule once. Each rule's ways to hold are
    :func:`fenxiao.grading.gap.repairs` (the cheapest branch of an ``any``, the opposite of a ``not``)."""
    lenient = {name: inputs.get(name) for name in TIER_INPUTS.names()}
    target = tier.next_up()
    while target is not None:
        candidates: list[tuple[bool, int, D, str, tuple[Check, ...], bool]] = []
        for index, rule in enumerate(policy.rules):
            if rule.tier is not target:
                continue
            ways = repairs(rule.when, lenient)
            if not ways:
                candidates.append((True, 0, D(0), rule.name, (), False))
            for way in ways:
                unmet = list(way)
                if policy.hit == "first":
                    for blocker in policy.rules[:index]:
                        if blocker.tier < target and evaluate(blocker.when, inputs):
                            escape = _escape(blocker.when, inputs)
                            if escape is not None and all(c.input != escape.input for c in unmet):
                                unmet.append(escape)
                raised = _raise_to(inputs, unmet)
                reached = raised is not None and policy._safe_grade(raised) >= target
                candidates.append((not reached, len(unmet), _cost(unmet), rule.name, tuple(unmet), reached))
        if candidates:
            candidates.sort(key=lambda c: (c[0], c[1], c[2], c[3]))
            _, _, _, name, unmet_checks, reached = candidates[0]
            return NextTierGap(target, name, unmet_checks, reached, policy.label(target))
        target = target.next_up()
    return None


@given(POLICIES_AND_INPUTS)
def test_the_gap_equals_the_gap_as_first_written(drawn: tuple[TierPolicy, dict[str, Any]]) -> None:
    """Reading each earlier rule once, and trusting the trace for the rules before the deciding one, changes
    nothing."""
    policy, inputs = drawn
    try:
        decision = policy._decide_eager(inputs, sku_id=None)
    except PolicyError:
        return
    reference = repr(_reference_gap(policy, inputs, decision.tier))
    assert repr(decision.next_tier_gap) == reference
    assert repr(policy.decide(inputs).next_tier_gap) == reference  # from the compiled explanations


@given(INPUTS)
def test_the_default_gap_equals_the_gap_as_first_written(inputs: dict[str, Any]) -> None:
    """The same on the grid of the default policy's thresholds."""
    decision = POLICY._decide_eager(inputs, sku_id=None)
    reference = repr(_reference_gap(POLICY, inputs, decision.tier))
    assert repr(decision.next_tier_gap) == reference
    assert repr(POLICY.decide(inputs).next_tier_gap) == reference  # from the compiled explanations


def test_the_largest_whole_threshold_compiles_and_a_huge_one_is_refused() -> None:
    """The largest threshold on the grid, on a count, stays a Decimal and grading agrees with the walk;
    1E+999999 (int() of it would take minutes) is refused at load, with the limit."""
    when = condition_from_data({"input": "units_30d", "op": ">=", "value": "9.999999999999999999999999999E+29"})
    policy = TierPolicy(rules=(TierRule("a", Tier.L3, when),), fallback=Tier.L0)
    assert policy.grade(example_inputs()) is policy._grade_walk(example_inputs()) is Tier.L0
    with pytest.raises(PolicyError, match="below 1E"):
        condition_from_data({"input": "units_30d", "op": ">=", "value": "1E+999999"})


def test_decisions_serialize_copy_and_evolve_like_eager_ones() -> None:
    """to_dict, asdict, type hints, pickle and evolve see the explanation, built on demand; evolve keeps what
    it is given."""
    inputs = example_inputs(composite="45", units_30d=150, **{"score.service": "45"})
    eager = POLICY._decide_eager(inputs, sku_id="sku-1")
    assert to_dict(POLICY.decide(inputs, sku_id="sku-1")) == to_dict(eager)
    assert attrs.asdict(POLICY.decide(inputs, sku_id="sku-1")) == attrs.asdict(eager)
    assert typing.get_type_hints(TierDecision)["checks"] == tuple[tuple[str, tuple[Check, ...], bool], ...]
    emptied = attrs.evolve(POLICY.decide(inputs), checks=(), next_tier_gap=None)
    assert (emptied.checks, emptied.next_tier_gap) == ((), None)
    state = POLICY.decide(inputs).__getstate__()
    assert "_pending" not in state
    assert state["checks"] == eager.checks


def test_odd_numbers_grade_as_the_interpreter_grades_them() -> None:
    """A float NaN, NumPy scalars and a number beyond float precision: the compiled policy hands them to the
    interpreter, so grade and decide agree with it (a tier, or the same error)."""
    np = pytest.importorskip("numpy")
    between = TierPolicy(
        rules=(TierRule("young", Tier.L1, Compare("days_since_joining", Op.BETWEEN, (D(0), D(13)))),),
        fallback=Tier.L0,
    )
    big = TierPolicy(rules=(TierRule("big", Tier.L5, Compare("units_30d", Op.GE, D(2**53 + 1))),), fallback=Tier.L1)
    cases = [
        (POLICY, example_inputs(days_since_joining=float("nan"))),
        (between, example_inputs(days_since_joining=np.int64(5))),
        (big, example_inputs(units_30d=np.float64(2**53))),
        (big, example_inputs(units_30d=np.int64(2**53 + 1))),
        (POLICY, example_inputs(units_30d=640, composite=D("-9.9999999999999999999999999999E+999999"))),
    ]
    for policy, inputs in cases:
        _same_everywhere(policy, inputs)


def test_labels_are_read_only_once_the_policy_is_built() -> None:
    """Decisions cache labels, so a policy's labels cannot change under them; policies still pickle."""
    policy = TierPolicy(rules=POLICY.rules, labels={"L2": "达标"})
    with pytest.raises(TypeError):
        policy.labels[Tier.L2] = "x"  # type: ignore[index]
    assert policy.labels == {Tier.L2: "达标"}
    assert pickle.loads(pickle.dumps(policy)) == policy
    assert policy.decide(example_inputs(composite="45", units_30d=150, **{"score.service": "45"})).label == "达标"


def test_an_explanation_is_built_under_the_decimal_context_of_its_decision() -> None:
    """A NaN compares quietly where the caller turned the trap off; the explanation read later (outside that
    context) is the one that context gives, as if built at once."""
    inputs = example_inputs(units_30d=640, **{"score.service": "85"})
    inputs["composite"] = D("NaN")
    with localcontext() as context:
        context.traps[InvalidOperation] = False
        eager = POLICY._decide_eager(inputs, sku_id=None)
        pending = POLICY.decide(inputs)
    assert pending.explain() == eager.explain()


def test_labels_are_a_read_only_dict() -> None:
    """attrs.asdict gives a plain dict; every way of changing them is refused; copies are the same labels."""
    policy = TierPolicy(rules=POLICY.rules, labels={"L2": "达标"})
    assert attrs.asdict(policy)["labels"] == {Tier.L2: "达标"}
    assert type(attrs.asdict(policy)["labels"]) is dict
    changes: list[Callable[[Any], object]] = [
        lambda labels: labels.update({Tier.L3: "x"}),
        lambda labels: labels.pop(Tier.L2),
        lambda labels: labels.clear(),
        lambda labels: labels.setdefault(Tier.L3, "x"),
        lambda labels: labels.__delitem__(Tier.L2),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="read-only"):
            change(policy.labels)
    assert copy.deepcopy(policy) == policy
    assert loads(dumps(policy, format="toml"), TierPolicy, format="toml") == policy


def test_a_decision_dumps_to_json_with_every_value_written_out() -> None:
    """dumps(decision) works (actual values written by their own type: Decimals as exact text); each step of the
    trace names its parts: the rule, its checks, whether it matched."""
    decision = POLICY.decide(example_inputs(composite="72.5", units_30d=640))
    data = json.loads(dumps(decision))
    assert [set(step) for step in data["checks"]] == [{"rule", "checks", "matched"}] * len(decision.checks)
    assert [(step["rule"], step["matched"]) for step in data["checks"]] == [(n, m) for n, _, m in decision.checks]
    actual = {c["input"]: c["actual"] for step in data["checks"] for c in step["checks"]}
    assert actual["composite"] == "72.5"
    assert actual["units_30d"] == 640


# -- the default policy as data ---------------------------------------------------------------------


def _ge(name: str, value: int) -> Compare:
    return Compare(name, Op.GE, D(value))


#: The default policy as it was written in Python before it became data/defaults/tier_policy.toml.
PREVIOUS_DEFAULT = TierPolicy(
    rules=(
        TierRule(
            "new-sku",
            Tier.L0,
            All((Compare("days_since_joining", Op.LT, D(14)), Compare("units_30d", Op.EQ, D(0)))),
            description="a new SKU within 14 days of joining with no sales (无动销)",
        ),
        TierRule(
            "no-sales",
            Tier.L0,
            Compare("units_30d", Op.EQ, D(0)),
            flags=("stale",),
            description="past the 14-day window and still no sales: stays L0, flagged stale",
        ),
        # Issue 19: the L1 sales bar is category-relative; the absolute bar stands in without a benchmark.
        TierRule(
            "low-sales-in-category",
            Tier.L1,
            Compare("units_vs_category", Op.LT, D(50)),
            description="has sales, but not many: below half the median units of its category's selling goods",
        ),
        TierRule(
            "low-sales",
            Tier.L1,
            All((Not(Compare("units_vs_category", Op.GE, D(0))), Compare("units_30d", Op.LT, D(100)))),
            description="has sales, but not many, graded without a category benchmark: fewer than 100 units in 30 days",
        ),
        TierRule(
            "selected-goods",
            Tier.L5,
            All(
                (
                    _ge("composite", 90),
                    _ge("score.service", 80),
                    _ge("score.brand", 70),
                    _ge("score.price", 70),
                    _ge("score.distribution", 70),
                    _ge("score.sales", 70),
                    _ge("units_30d", 1000),
                    Compare("serious_violations_365d", Op.EQ, D(0)),
                )
            ),
            description="精选好物: strong on every dimension, real sales volume, no violations",
        ),
        TierRule(
            "hot-item",
            Tier.L4,
            All((_ge("composite", 75), _ge("score.service", 70), _ge("units_30d", 300))),
            description="行业爆款: high composite with good service and volume",
        ),
        TierRule(
            "quality",
            Tier.L3,
            All((_ge("composite", 60), _ge("score.service", 60))),
            description="优质好物: good composite with decent service",
        ),
        TierRule(
            "qualified",
            Tier.L2,
            All((_ge("composite", 40), _ge("score.service", 40))),
            description="达标商品: meets the bar",
        ),
        TierRule("selling", Tier.L1, _ge("units_30d", 1), description="sells, below the L2 bar"),
    ),
    name="default",
    version="2026.12",
)


def test_the_default_policy_file_loads_and_equals_the_previous_python_default() -> None:
    """data/defaults/tier_policy.toml is the default, rule for rule, in the same order, and lints clean."""
    text = resources.files("fenxiao").joinpath("data/defaults/tier_policy.toml").read_text(encoding="utf-8")
    assert text.startswith("# fenxiao's default tier policy")
    loaded = loads(text, TierPolicy, format="toml")
    assert loaded == PREVIOUS_DEFAULT == default_tier_policy()
    assert [(r.name, r.tier.value) for r in loaded.rules] == [
        ("new-sku", "L0"),
        ("no-sales", "L0"),
        ("low-sales-in-category", "L1"),
        ("low-sales", "L1"),
        ("selected-goods", "L5"),
        ("hot-item", "L4"),
        ("quality", "L3"),
        ("qualified", "L2"),
        ("selling", "L1"),
    ]
    assert loaded.hit == "first"
    assert loaded.fallback is None
    assert loaded.stability == Stability()
    assert loaded.lint() == ()


def test_the_default_policy_is_read_once_and_shared() -> None:
    """default_tier_policy() is cached: the same frozen value every time, with read-only labels."""
    assert default_tier_policy() is default_tier_policy()
    with pytest.raises(TypeError, match="read-only"):
        default_tier_policy().labels[Tier.L5] = "x"  # type: ignore[index]


def test_the_hit_policy_is_read_from_text_and_refuses_deny_overrides() -> None:
    """``hit`` takes the shared HitPolicy or its text; only first and highest suit a tier policy."""
    assert TierPolicy(rules=POLICY.rules, hit="highest").hit is HitPolicy.HIGHEST
    assert TierPolicy(rules=POLICY.rules, hit=HitPolicy.FIRST) == TierPolicy(rules=POLICY.rules, hit="first")
    for bad in ("deny-overrides", "last", 1):
        with pytest.raises(PolicyError, match=r"TierPolicy\.hit"):
            TierPolicy(rules=POLICY.rules, hit=bad)


def _sample_sku() -> tuple[Any, Any, datetime]:
    catalog = load_sample()
    snapshot = catalog.latest_snapshots()[0]
    card = default_scorer().score(snapshot, build_context(catalog.latest_snapshots()))
    return snapshot, card, catalog_as_of(catalog)


def test_decide_sku_decides_one_sku_from_its_snapshot_and_scorecard() -> None:
    """decide_sku() is decide() on the SKU's tier inputs, with the SKU's id; explain=False gives the same tier."""
    snapshot, card, as_of = _sample_sku()
    scores = {f"score.{d.value}": value for d, value in card.values().items()} | {"composite": card.composite}
    decision = POLICY.decide_sku(snapshot, card, as_of)
    assert decision == POLICY.decide(tier_inputs_of(snapshot, scores, as_of), sku_id=snapshot.sku_id)
    assert POLICY.decide_sku(snapshot, card, as_of, explain=False).tier is decision.tier


def test_evaluate_is_a_deprecated_alias_of_decide_sku() -> None:
    """The old name still works, and says it is deprecated."""
    snapshot, card, as_of = _sample_sku()
    with pytest.warns(DeprecationWarning, match="decide_sku"):
        old = POLICY.evaluate(snapshot, card, as_of)
    assert old == POLICY.decide_sku(snapshot, card, as_of)


# -- cases mutation testing asked for (issue 20, item 6; docs/testing.md "Mutation testing") --------------------


def test_an_explanation_reads_rule_by_rule_with_the_sku_the_outcome_and_the_gap() -> None:
    inputs = example_inputs(composite="72", units_30d=640, **{"score.service": "65"})
    text = POLICY.decide(inputs, sku_id="sku-9").explain()
    lines = text.split("\n")
    assert lines[0] == "sku-9: L3 优质好物 (rule 'quality')"
    assert lines[1:4] == [
        "  ✗ new-sku",
        "      no  days_since_joining 30: < 14 needed (-16 and more)",
        "      no  units_30d 640: == 0 needed",
    ]
    assert lines[-4:] == [
        "  ✓ quality",
        "      ok  composite 72 >= 60",
        "      ok  score.service 65 >= 60",
        "  next: L4 (行业爆款) by rule 'hot-item': composite 72 < 75 needed (+3); score.service 65 < 70 needed (+5)",
    ]
    assert "      ok  units_vs_category missing, so not >= 0" in lines
    top = {f"score.{d}": "85" for d in ("brand", "price", "distribution", "sales", "service")}
    best = POLICY.decide(example_inputs(composite="92", units_30d=1640, **top)).explain().split("\n")
    assert best[0] == "L5 精选好物 (rule 'selected-goods')"  # no SKU: no prefix
    assert best[-1] == "      ok  serious_violations_365d 0 == 0"  # L5: no gap to show
    assert "next:" not in "\n".join(best)


def test_a_decision_shows_itself_in_notebooks() -> None:
    class Printer:
        def __init__(self) -> None:
            self.texts: list[str] = []

        def text(self, value: str) -> None:
            self.texts.append(value)

    decision = POLICY.decide(example_inputs(composite="45", units_30d=150, **{"score.service": "45"}), sku_id="s<1>")
    printer = Printer()
    decision._repr_pretty_(printer, False)
    decision._repr_pretty_(printer, True)
    assert printer.texts == [repr(decision), "TierDecision(...)"]
    assert "s&lt;1&gt;" in decision._repr_html_()


def test_the_explained_attributes_build_a_pending_decision_on_first_read() -> None:
    inputs = example_inputs(composite="72", units_30d=640, **{"score.service": "65"})
    eager = POLICY._decide_eager(inputs, sku_id=None)
    attribute = _explained("checks", "the doc")
    assert attribute.__doc__ == "the doc"
    pending = POLICY.decide(inputs)
    assert _pending(pending)
    assert attribute.__get__(pending) == eager.checks
    assert not _pending(pending)
    assert attribute.__get__(pending) == eager.checks
    assert TierDecision.checks.__doc__ == "Every comparison evaluated, rule by rule, in order."
    assert TierDecision.next_tier_gap.__doc__ == "How to reach the next tier up, or None."


def test_the_generated_source_is_none_when_the_interpreter_decides() -> None:
    source = POLICY.generated_source()
    assert source is not None
    assert source.splitlines()[0] == "def choose(v):"
    assert TierPolicy(rules=POLICY.rules[:1], hit="unique").generated_source() is None


def _unique() -> TierPolicy:
    return TierPolicy(
        rules=(
            TierRule("a", Tier.L1, Compare("composite", Op.GE, D(10))),
            TierRule("b", Tier.L2, Compare("composite", Op.GE, D(50))),
            TierRule("c", Tier.L3, Compare("composite", Op.GE, D(60))),
        ),
        hit="unique",
        name="u-pol",
    )


def test_the_unique_hit_policy_decides_one_match_and_names_every_overlapping_rule() -> None:
    policy = _unique()
    assert policy.grade(example_inputs(composite="20")) is Tier.L1
    decision = policy.decide(example_inputs(composite="20"), sku_id="s-1")
    assert (decision.tier, decision.rule, decision.rule_index, decision.sku_id) == (Tier.L1, "a", 0, "s-1")
    two = "rules 'a' (rules[0]) and 'b' (rules[1]) all match these inputs (hit policy 'unique')"
    three = "rules 'a' (rules[0]) and 'b' (rules[1]) and 'c' (rules[2]) all match these inputs (hit policy 'unique')"
    for composite, problem in (("55", two), ("65", three)):
        for decide in (policy.grade, policy.decide):
            with pytest.raises(PolicyError) as info:
                decide(example_inputs(composite=composite))
            assert (info.value.path, info.value.value, info.value.problem) == ("TierPolicy", "u-pol", problem)
            assert str(info.value) == f"TierPolicy: {problem}, got 'u-pol'"
    for decide in (policy.grade, policy.decide):
        with pytest.raises(PolicyError) as info:
            decide(example_inputs(composite="5"))
        assert str(info.value) == "TierPolicy: no rule matches these inputs and there is no fallback, got 'u-pol'"


def test_the_highest_hit_policy_keeps_the_first_of_equal_tiers() -> None:
    rules = (
        TierRule("early", Tier.L2, Compare("composite", Op.GE, D(10))),
        TierRule("late", Tier.L2, Compare("composite", Op.GE, D(20))),
        TierRule("low", Tier.L1, Compare("composite", Op.GE, D(0))),
    )
    policy = TierPolicy(rules=rules, hit="highest")
    assert policy.grade(example_inputs(composite="30")) is Tier.L2
    assert policy._grade_walk(example_inputs(composite="30")) is Tier.L2
    decision = policy.decide(example_inputs(composite="30"))
    assert (decision.rule, decision.rule_index) == ("early", 0)


def test_grade_and_decide_name_inputs_that_are_not_a_mapping() -> None:
    for bad in ("x", 5):
        with pytest.raises(InvalidValueError) as info:
            POLICY.grade(bad)  # type: ignore[arg-type]
        assert (info.value.path, info.value.value) == ("TierPolicy.grade.inputs", bad)
        with pytest.raises(InvalidValueError) as info:
            POLICY.decide(bad)  # type: ignore[arg-type]
        assert (info.value.path, info.value.value) == ("TierPolicy.decide.inputs", bad)


def test_every_way_round_the_compiled_rules_keeps_the_sku() -> None:
    """The interpreter's paths (a unique policy, a number written as text, a fraction of a whole-number input) give
    the decision the SKU's id as the compiled path does."""
    between = TierPolicy(
        rules=(TierRule("young", Tier.L1, Compare("days_since_joining", Op.BETWEEN, (D(0), D(13)))),),
        fallback=Tier.L0,
    )
    cases = [
        (_unique(), example_inputs(composite="20")),
        (POLICY, {**example_inputs(units_30d=0), "composite": "72"}),  # no-sales decides before composite is read
        (between, {**example_inputs(), "days_since_joining": D("5.5")}),
        (POLICY, example_inputs(composite="72", units_30d=640, **{"score.service": "65"})),
    ]
    for policy, inputs in cases:
        decision = policy.decide(inputs, sku_id="sku-7")
        assert decision.sku_id == "sku-7"
        assert decision == policy._decide_eager(inputs, sku_id="sku-7")


def test_decide_sku_reads_the_scoring_context_and_without_explaining_keeps_the_sku_and_label() -> None:
    catalog = load_sample()
    snapshots = catalog.latest_snapshots()
    context = build_context(snapshots)
    as_of = catalog_as_of(catalog)
    for snapshot in snapshots[:5]:
        card = default_scorer().score(snapshot, context)
        scores = {f"score.{d.value}": value for d, value in card.values().items()} | {"composite": card.composite}
        inputs = tier_inputs_of(snapshot, scores, as_of, context=context)
        assert inputs["units_vs_category"] is not None
        decision = POLICY.decide_sku(snapshot, card, as_of, context=context)
        assert decision == POLICY.decide(inputs, sku_id=snapshot.sku_id)
        quick = POLICY.decide_sku(snapshot, card, as_of, explain=False, context=context)
        assert quick == TierDecision(
            decision.tier, "", None, (), None, sku_id=snapshot.sku_id, label=POLICY.label(decision.tier)
        )
        with pytest.warns(DeprecationWarning, match=r"^TierPolicy\.evaluate\(\) is deprecated") as warned:
            old = POLICY.evaluate(snapshot, card, as_of, explain=False)
        assert str(warned[0].message) == "TierPolicy.evaluate() is deprecated; use TierPolicy.decide_sku()"
        # stacklevel: the warning points out of fenxiao, at the caller (here the test, or mutmut's trampoline)
        assert Path(warned[0].filename).name != "tiers.py"
        assert old == POLICY.decide_sku(snapshot, card, as_of, explain=False)
        assert old.rule == ""


def _refusal(build: Callable[[], object]) -> tuple[str, object, str]:
    with pytest.raises(InvalidValueError) as info:
        build()
    return info.value.path, info.value.value, info.value.problem


def test_rules_and_policies_name_the_field_the_value_and_the_problem_of_a_refusal() -> None:
    when = POLICY.rules[0].when
    assert _refusal(lambda: TierRule("a", Tier.L1, "x")) == ("TierRule.when", "x", "must be a condition")  # type: ignore[arg-type]
    with pytest.raises(PolicyError):
        TierRule("a", Tier.L1, "x")  # type: ignore[arg-type]
    text = "must be text (at most 1000)"
    assert TierRule("a", Tier.L1, when, description="x" * 1000).description == "x" * 1000
    assert _refusal(lambda: TierRule("a", Tier.L1, when, description="x" * 1001)) == (
        "TierRule.description",
        "x" * 1001,
        text,
    )
    assert _refusal(lambda: TierRule("a", Tier.L1, when, description=5)) == ("TierRule.description", 5, text)  # type: ignore[arg-type]
    assert _refusal(lambda: TierPolicy(rules=POLICY.rules, version=3)) == ("TierPolicy.version", 3, text)  # type: ignore[arg-type]


def test_labels_are_read_from_tier_text_and_each_bad_label_is_named() -> None:
    rules = POLICY.rules
    assert TierPolicy(rules=rules, labels={"L2": "x"}).labels == {Tier.L2: "x"}
    assert TierPolicy(rules=rules, labels={Tier.L2: "x" * 100}).label(Tier.L2) == "x" * 100
    assert TierPolicy(rules=rules).labels == {}
    table = "must be a table of tier to label"
    assert _refusal(lambda: TierPolicy(rules=rules, labels=[1])) == ("TierPolicy.labels", [1], table)
    tier = "must be a tier L0..L5"
    assert _refusal(lambda: TierPolicy(rules=rules, labels={"L9": "x"})) == ("TierPolicy.labels['L9']", "L9", tier)
    assert _refusal(lambda: TierPolicy(rules=rules, labels={5: "x"})) == ("TierPolicy.labels[5]", 5, tier)
    label = "must be a label of 1-100 characters"
    for bad in (" ", "", 5, "x" * 101):
        assert _refusal(functools.partial(TierPolicy, rules=rules, labels={"L2": bad})) == (
            "TierPolicy.labels[L2]",
            bad,
            label,
        )
    with pytest.raises(PolicyError):
        TierPolicy(rules=rules, labels={"L2": ""})


def test_a_decision_carries_its_rules_flags_on_every_path() -> None:
    stale = example_inputs(units_30d=0)
    assert POLICY.decide(stale).flags == ("stale",)
    assert POLICY._decide_eager(stale, sku_id=None).flags == ("stale",)
    flagged = TierPolicy(
        rules=(TierRule("only", Tier.L2, Compare("composite", Op.GE, D(0)), flags=("checked", "manual")),), hit="unique"
    )
    assert flagged.decide(example_inputs(), sku_id="s-1").flags == ("checked", "manual")
