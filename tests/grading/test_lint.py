"""Lint of tier policies under every hit policy (overlaps with witnesses, never-deciding rules, tiers never given)
and of perk catalogs (entries never granted): a planted example of each finding, and a clean table without it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fenxiao.errors import PolicyError
from fenxiao.grading.inputs import TIER_INPUTS, example_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.lint import _bounds, lint_perk_catalog, lint_policy
from fenxiao.grading.perks import (
    Access,
    Badge,
    PerkCatalog,
    PerkEntry,
    Subsidy,
    TrafficBoost,
    default_perk_catalog,
    example_perk_inputs,
    resolve_perks,
)
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.money import Rate
from fenxiao.rules.interpreter import evaluate
from fenxiao.rules.language import All, Compare, Not, Op
from fenxiao.rules.table import HitPolicy, Severity
from fenxiao.rules.witness import find_witness
from fenxiao.testing.tiers import tier_policies

BANDS = (
    TierRule("low", Tier.L1, Compare("composite", Op.LT, 40)),
    TierRule("middle", Tier.L2, All((Compare("composite", Op.GE, 40), Compare("composite", Op.LT, 70)))),
    TierRule("high", Tier.L3, Compare("composite", Op.GE, 70)),
)


def _codes(policy: TierPolicy) -> list[str]:
    return [f.code for f in policy.lint()]


def _inputs(example: tuple[tuple[str, object], ...]) -> dict[str, object]:
    return example_inputs(**dict(example))


def test_unique_bands_that_do_not_overlap_lint_clean() -> None:
    """Three bands over composite, edge to edge: no overlap, no gap, no never-deciding rule."""
    policy = TierPolicy(rules=BANDS, hit="unique")
    assert [f for f in policy.lint() if f.severity is not Severity.INFO] == []
    assert policy.grade(example_inputs(composite="69.99")) is Tier.L2
    assert policy.grade(example_inputs(composite="70")) is Tier.L3


def test_unique_overlap_is_an_error_with_its_witness_and_raises_at_evaluation() -> None:
    """middle reaching 70 overlaps high at 70: lint shows the witness; grading that witness raises PolicyError."""
    wide = TierRule("middle", Tier.L2, Compare("composite", Op.BETWEEN, (Decimal(40), Decimal(70))))
    policy = TierPolicy(rules=(BANDS[0], wide, BANDS[2]), hit="unique")
    (overlap,) = [f for f in policy.lint() if f.code == "overlap"]
    assert overlap.severity is Severity.ERROR
    assert overlap.path == "rules[2]"
    assert "'middle'" in overlap.message
    assert "'high'" in overlap.message
    assert "composite=70" in overlap.message
    assert dict(overlap.example) == {"composite": Decimal(70)}
    witness = _inputs(overlap.example)
    with pytest.raises(PolicyError, match=r"'middle' \(rules\[1\]\) and 'high' \(rules\[2\]\).*unique"):
        policy.grade(witness)
    with pytest.raises(PolicyError, match="unique"):
        policy.decide(witness)
    assert policy.grade(example_inputs(composite="69")) is Tier.L2  # where one rule holds, it decides


def test_overlap_is_not_reported_under_first_or_highest() -> None:
    """Under first and highest, overlapping rules are how the table works: no overlap finding."""
    wide = TierRule("middle", Tier.L2, Compare("composite", Op.BETWEEN, (Decimal(40), Decimal(70))))
    for hit in ("first", "highest"):
        assert "overlap" not in _codes(TierPolicy(rules=(BANDS[0], wide, BANDS[2]), hit=hit))


@settings(max_examples=40)
@given(tier_policies(max_rules=4), st.data())
def test_a_planted_overlap_is_always_found_under_unique(policy: TierPolicy, data: st.DataObject) -> None:
    """Plant a rule that shares a satisfiable rule's inputs: lint always reports the pair, with a witness both
    rules match, and grading that witness raises."""
    k = data.draw(st.integers(0, len(policy.rules) - 1))
    base = policy.rules[k].when
    assume(find_witness(base, TIER_INPUTS) is not None)
    planted = TierRule("planted", Tier.L5, base)
    unique = attrs.evolve(policy, rules=(*policy.rules, planted), hit=HitPolicy.UNIQUE)
    found = [f for f in unique.lint(budget=2_000_000) if f.code == "overlap" and "'planted'" in f.message]
    assert any(f"{policy.rules[k].name!r} (rules[{k}]" in f.message for f in found)
    for finding in found:
        witness = _inputs(finding.example)
        assert evaluate(planted.when, witness)
        with pytest.raises(PolicyError, match="unique"):
            unique.grade(witness)


@settings(max_examples=40)
@given(tier_policies(max_rules=4))
def test_unique_policies_lint_finds_every_overlap_that_grading_meets(policy: TierPolicy) -> None:
    """Under unique, lint reports an overlap exactly when some input matches two rules."""
    unique = attrs.evolve(policy, hit=HitPolicy.UNIQUE)
    overlaps = [f for f in unique.lint(budget=2_000_000) if f.code == "overlap"]
    pairs = [
        find_witness(All((a.when, b.when)), TIER_INPUTS) for j, b in enumerate(policy.rules) for a in policy.rules[:j]
    ]
    assert bool(overlaps) == any(w is not None for w in pairs)


def test_highest_finds_a_rule_that_never_decides_and_the_tier_never_given() -> None:
    """Under highest, an L2 rule covered by an L3 rule never decides, so L2 is never given."""
    rules = (
        TierRule("base", Tier.L1, Compare("composite", Op.LT, 60)),
        TierRule("good", Tier.L3, Compare("composite", Op.GE, 60)),
        TierRule("also-good", Tier.L2, Compare("composite", Op.GE, 80)),
    )
    findings = TierPolicy(rules=rules, hit="highest").lint()
    (never,) = [f for f in findings if f.code == "never-decides"]
    assert never.path == "rules[2]"
    assert "'good'" in never.message
    assert evaluate(rules[1].when, _inputs(never.example))
    assert [f.message for f in findings if f.code == "unreachable-tier"] == ["L2 is named but no rule can give it"]
    clean = TierPolicy(rules=(*rules[:2], TierRule("top", Tier.L4, Compare("composite", Op.GE, 80))), hit="highest")
    assert [f.code for f in clean.lint() if f.severity is not Severity.INFO] == []


def test_under_first_a_rule_after_a_higher_rule_still_decides() -> None:
    """The same rules under first: also-good is shadowed by good (earlier), the shadowed finding of first."""
    rules = (
        TierRule("good", Tier.L3, Compare("composite", Op.GE, 60)),
        TierRule("also-good", Tier.L2, Compare("composite", Op.GE, 80)),
        TierRule("base", Tier.L1, Compare("composite", Op.LT, 60)),
    )
    assert "shadowed" in _codes(TierPolicy(rules=rules))
    assert "never-decides" not in _codes(TierPolicy(rules=rules))


def test_a_rule_whose_condition_never_holds_is_shadowed_under_every_hit_policy() -> None:
    """composite > 100 never holds within the declared range, whatever the hit policy."""
    impossible = TierRule("never", Tier.L4, Compare("composite", Op.GT, 100))
    for hit in ("first", "highest", "unique"):
        findings = TierPolicy(rules=(*BANDS, impossible), hit=hit).lint()
        assert [f.path for f in findings if f.code == "shadowed"] == ["rules[3]"], hit


def test_unique_rule_that_only_overlaps_never_decides() -> None:
    """Under unique, a rule that holds only where another holds never decides (and every such input is an error)."""
    inside = TierRule("inside", Tier.L4, Compare("composite", Op.GE, 90))
    findings = TierPolicy(rules=(*BANDS, inside), hit="unique").lint()
    assert [f.path for f in findings if f.code == "never-decides"] == ["rules[3]"]
    assert [f.path for f in findings if f.code == "overlap"] == ["rules[3]"]


def test_the_default_policy_lints_clean_under_first() -> None:
    """The shipped policy keeps no findings but information (it is a first-hit table)."""
    assert [f for f in lint_policy(default_tier_policy()) if f.severity is not Severity.INFO] == []


# -- perk catalogs ---------------------------------------------------------------------------------------------


def test_the_default_perk_catalog_lints_clean() -> None:
    """Every default entry is granted to some SKU."""
    assert lint_perk_catalog(default_perk_catalog()) == ()


def test_an_entry_whose_condition_never_holds_is_never_granted() -> None:
    """refund_rate > 1 never holds (a rate is at most 1): never-matches, at the entry's condition."""
    entry = PerkEntry("never", Tier.L1, TrafficBoost(Decimal(2)), when=Compare("refund_rate", Op.GT, 1))
    (finding,) = lint_perk_catalog(PerkCatalog((entry,)))
    assert (finding.code, finding.path, finding.severity) == ("never-matches", "entries[0].when", Severity.WARNING)


def test_a_weaker_boost_from_a_higher_tier_is_never_granted() -> None:
    """A ×1.2 boost from L3 loses its slot, everywhere it applies, to the ×1.5 boost every L1+ SKU gets."""
    strong = PerkEntry("strong", Tier.L1, TrafficBoost(Decimal("1.5")))
    weak = PerkEntry("weak", Tier.L3, TrafficBoost(Decimal("1.2")))
    (finding,) = lint_perk_catalog(PerkCatalog((strong, weak)))
    assert (finding.code, finding.path) == ("never-granted", "entries[1]")
    assert "'strong' (entries[0])" in finding.message
    for tier in (Tier.L3, Tier.L5):  # what lint says, resolution does
        granted = resolve_perks(PerkCatalog((strong, weak)), tier, example_perk_inputs()).granted
        assert [g.entry for g in granted] == ["strong"]


def test_a_stronger_boost_is_granted_where_its_rival_is_not_eligible() -> None:
    """The ×1.5 boost only for normal merchants: the ×1.2 one is granted to the others, so no finding."""
    normal = Compare("merchant_standing", Op.EQ, "normal")
    strong = PerkEntry("strong", Tier.L1, TrafficBoost(Decimal("1.5")), when=normal)
    weak = PerkEntry("weak", Tier.L3, TrafficBoost(Decimal("1.2")))
    assert lint_perk_catalog(PerkCatalog((strong, weak))) == ()
    narrower = attrs.evolve(weak, when=All((normal, Compare("units_30d", Op.GE, 10))))
    assert [f.code for f in lint_perk_catalog(PerkCatalog((strong, narrower)))] == ["never-granted"]


def test_an_override_entry_of_the_same_tier_listed_earlier_is_never_granted() -> None:
    """Two badges of one slot at L4: the later one overrides, so the earlier one is never granted."""
    first = PerkEntry("first", Tier.L4, Badge("A", "a"))
    second = PerkEntry("second", Tier.L4, Badge("B", "b"))
    (finding,) = lint_perk_catalog(PerkCatalog((first, second)))
    assert (finding.code, finding.path) == ("never-granted", "entries[0]")
    other_slot = PerkEntry("second", Tier.L4, Badge("B", "b", slot="season"))
    assert lint_perk_catalog(PerkCatalog((first, other_slot))) == ()


def test_summed_and_windowed_entries_are_not_outstacked() -> None:
    """Subsidies add up; a rival with a narrower campaign window does not cover an entry without one."""
    a = PerkEntry("a", Tier.L1, Subsidy("b", Rate.of("1%")))
    b = PerkEntry("b", Tier.L1, Subsidy("b", Rate.of("2%")))
    assert lint_perk_catalog(PerkCatalog((a, b))) == ()
    window = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 12, tzinfo=UTC))
    strong = PerkEntry("strong", Tier.L1, TrafficBoost(Decimal(3)), valid_from=window[0], valid_until=window[1])
    weak = PerkEntry("weak", Tier.L2, TrafficBoost(Decimal(2)))
    assert lint_perk_catalog(PerkCatalog((strong, weak))) == ()
    assert [
        f.code
        for f in lint_perk_catalog(
            PerkCatalog((strong, attrs.evolve(weak, valid_from=window[0], valid_until=window[1])))
        )
    ] == ["never-granted"]


def test_an_entry_only_at_its_tier_is_not_covered_by_another_only_at_a_lower_tier() -> None:
    """inherit = false limits an entry to its own tier: it covers no other tier."""
    low = PerkEntry("low", Tier.L1, Access("pool"), inherit=False)
    high = PerkEntry("high", Tier.L2, Access("pool"))
    assert lint_perk_catalog(PerkCatalog((high, low))) == ()


@settings(max_examples=40)
@given(
    st.lists(st.sampled_from(default_perk_catalog().entries), min_size=1, max_size=5, unique=True),
    st.lists(st.sampled_from(list(Tier)), min_size=5, max_size=5),
    st.sampled_from(list(Tier)),
    st.sampled_from(["normal", "warned"]),
    st.integers(0, 20),
)
def test_an_entry_lint_calls_never_granted_is_never_granted(
    entries: list[PerkEntry], tiers: list[Tier], tier: Tier, standing: str, days: int
) -> None:
    """Whatever the tier and inputs, resolution never grants an entry lint reports as never granted."""
    catalog = PerkCatalog(tuple(attrs.evolve(e, tier=t) for e, t in zip(entries, tiers, strict=False)))
    never = {
        catalog.entries[int(f.path.split("[")[1].split("]")[0])].name
        for f in lint_perk_catalog(catalog)
        if f.code in {"never-granted", "never-matches"}
    }
    inputs = example_perk_inputs(merchant_standing=standing, days_since_joining=days)
    granted = {g.entry for g in resolve_perks(catalog, tier, inputs).granted}
    assert not never & granted


def test_lint_of_a_perk_catalog_is_bounded() -> None:
    """A tiny budget reports too-complex instead of running long."""
    cond = All(tuple(Not(Compare("units_30d", Op.EQ, i)) for i in range(30)))
    entries = tuple(PerkEntry(f"e{i}", Tier.L1, TrafficBoost(Decimal(1 + i)), when=cond) for i in range(3))
    assert "too-complex" in [f.code for f in lint_perk_catalog(PerkCatalog(entries), budget=5)]


# -- bounded work (issue 20 item 4) --------------------------------------------------------------------------------


def test_lint_of_one_rule_in_a_list_of_100000_values_is_linear() -> None:
    """Each value of an ``in`` list is a cell of the search, tried against the list as a set: the lint that took
    827 s (a list scanned once per cell) now takes about a second; it finds the gap the list leaves."""
    values = tuple(Decimal(i) for i in range(100_000))
    policy = TierPolicy(rules=(TierRule("listed", Tier.L1, Compare("units_30d", Op.IN, values)),))
    (gap,) = [f for f in policy.lint() if f.code == "gap"]
    assert dict(gap.example)["units_30d"] == Decimal(100_000)


def test_lint_of_a_policy_at_the_maximum_is_bounded_by_its_budget() -> None:
    """200 rules of 255 comparisons each (the documented maximum) lint within LINT_BUDGET steps: what the budget
    does not reach is a too-complex warning naming the first rule not checked (it took over 2 minutes)."""
    inputs = sorted(name for name, spec in TIER_INPUTS.inputs.items() if spec.kind.value == "number")
    rules = tuple(
        TierRule(
            f"r{i}",
            list(Tier)[i % 6],
            All(tuple(Compare(inputs[(i + j) % len(inputs)], Op.GE, Decimal((i * j) % 97)) for j in range(255))),
        )
        for i in range(200)
    )
    findings = TierPolicy(rules=rules, fallback=Tier.L0).lint()
    (skipped,) = [f for f in findings if f.code == "too-complex"]
    assert skipped.path.startswith("rules[")
    assert "1000000 steps" in skipped.message


def _pairwise_monotonicity(rules: tuple[TierRule, ...]) -> set[tuple[str, str]]:
    """The non-monotone findings as first defined: every pair of rules compared (the reference)."""
    lowers = [_bounds(r.when, lower=True) for r in rules]
    uppers = [_bounds(r.when, lower=False) for r in rules]
    worst: dict[tuple[int, str], tuple[Decimal, int]] = {}
    for i, hi in enumerate(rules):
        for j, lo in enumerate(rules):
            if hi.tier <= lo.tier:
                continue
            for bounds, better, sign in ((lowers, "higher", 1), (uppers, "lower", -1)):
                for name, lo_bound in bounds[j].items():
                    hi_bound = bounds[i].get(name)
                    if TIER_INPUTS[name].better == better and hi_bound is not None and sign * (lo_bound - hi_bound) > 0:
                        excess = sign * (lo_bound - hi_bound)
                        if (i, name) not in worst or excess > worst[i, name][0]:
                            worst[i, name] = (excess, j)
    return {(f"rules[{i}].when", f"(rules[{j}])") for (i, _), (_, j) in worst.items()}


MONOTONE_INPUTS = ["composite", "score.service", "refund_rate", "units_30d"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Tier)),
            st.lists(
                st.tuples(st.sampled_from(MONOTONE_INPUTS), st.sampled_from([Op.GE, Op.LE]), st.integers(0, 3)),
                min_size=1,
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_non_monotone_findings_are_those_of_every_pair(rows: list[tuple[Tier, list[tuple[str, Op, int]]]]) -> None:
    """The linear search finds, for each rule and input, the same strictest lower rule as comparing every pair."""
    rules = tuple(
        TierRule(f"r{i}", tier, All(tuple(Compare(name, op, Decimal(v) / 4) for name, op, v in leaves)))
        for i, (tier, leaves) in enumerate(rows)
    )
    found = {
        (f.path, f.message[f.message.index("(rules[") :].split(")")[0] + ")")
        for f in TierPolicy(rules=rules, fallback=Tier.L0).lint()
        if f.code == "non-monotone"
    }
    assert found == _pairwise_monotonicity(rules)
