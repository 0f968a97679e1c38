"""Every limit of docs/limits.md at its boundary: exactly at the limit is accepted, one step past it is refused
(or, for the compile and lint bounds, handed to the interpreter or reported as too complex), issue 20 item 4."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from fenxiao.authoring.documents import lint_text
from fenxiao.errors import PolicyError, ValidationError
from fenxiao.grading.inputs import TIER_INPUTS, example_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import MAX_ENTRIES, PerkCatalog
from fenxiao.grading.tiers import TierPolicy, TierRule
from fenxiao.market.admission import AdmissionPolicy
from fenxiao.rules.compiler import MAX_COMPILED_COMPARISONS
from fenxiao.rules.language import (
    MAX_CONDITION_DEPTH,
    MAX_CONDITION_NODES,
    MAX_THRESHOLD_DIGITS,
    MAX_THRESHOLD_PLACES,
    All,
    Compare,
    Op,
    condition_from_data,
)
from fenxiao.rules.table import MAX_RULES
from fenxiao.rules.witness import LINT_BUDGET, SearchBudget, find_witness
from fenxiao.serialization import MAX_DOCUMENT_BYTES, from_dict, loads


def _rules(count: int) -> list[dict[str, Any]]:
    return [
        {"name": f"r{i}", "tier": "L1", "when": {"input": "units_30d", "op": ">=", "value": i}} for i in range(count)
    ]


def _entries(count: int) -> list[dict[str, Any]]:
    return [{"name": f"e{i}", "tier": "L1", "perk": {"kind": "badge", "icon": "b", "label": "x"}} for i in range(count)]


def test_a_document_of_exactly_the_byte_cap_is_read_and_one_byte_more_is_refused() -> None:
    """64 MiB is read (here: a table of spaces, refused for what it holds, not its size); one byte more is not."""
    at_limit = b"{}" + b" " * (MAX_DOCUMENT_BYTES - 2)
    with pytest.raises(ValidationError) as info:
        loads(at_limit, TierPolicy)
    assert [e.path for e in info.value.errors] == ["rules"]
    with pytest.raises(ValidationError, match=f"is larger than {MAX_DOCUMENT_BYTES} bytes"):
        loads(at_limit + b" ", TierPolicy)


def test_a_tier_policy_of_200_rules_loads_and_201_are_refused_before_any_is_read() -> None:
    """The count is checked on the list as read: the 201 rows are never built (the error is the count alone, even
    when every row is broken)."""
    assert len(from_dict({"rules": _rules(MAX_RULES)}, TierPolicy).rules) == MAX_RULES
    broken = [{"name": "?"}] * (MAX_RULES + 1)
    with pytest.raises(ValidationError) as info:
        from_dict({"rules": broken}, TierPolicy)
    (error,) = info.value.errors
    assert (error.path, error.value, error.problem) == ("rules", MAX_RULES + 1, f"holds more than {MAX_RULES} rules")


def test_lint_of_too_many_rules_reports_the_count_alone() -> None:
    """Lint does not read 100,000 rows one by one to report each: the count is the one finding."""
    report = lint_text(json.dumps({"rules": [{"name": "?"}] * 100_000}), format="json", kind="tier-policy")
    assert [(f.path, f.message) for f in report.findings] == [("rules", "holds more than 200 rules, got 100000")]


def test_an_admission_policy_of_200_rules_loads_and_201_are_refused() -> None:
    """Admission policies share the limit and the check."""
    rule = {
        "name": "r",
        "outcome": "reject",
        "reason": "violations",
        "when": {"input": "days_since_serious_violation", "op": "<", "value": 30},
    }
    rows = [{**rule, "name": f"r{i}"} for i in range(MAX_RULES + 1)]
    assert len(from_dict({"rules": rows[:MAX_RULES]}, AdmissionPolicy).rules) == MAX_RULES
    with pytest.raises(ValidationError, match=f"rules: holds more than {MAX_RULES} rules, got {MAX_RULES + 1}"):
        from_dict({"rules": rows}, AdmissionPolicy)


def test_a_perk_catalog_of_500_entries_loads_and_501_are_refused_before_any_is_read() -> None:
    """A 250,000-entry catalog took 14 s to refuse; the count now comes first."""
    assert len(from_dict({"entries": _entries(MAX_ENTRIES)}, PerkCatalog).entries) == MAX_ENTRIES
    with pytest.raises(ValidationError) as info:
        from_dict({"entries": [{}] * (MAX_ENTRIES + 1)}, PerkCatalog)
    assert [(e.path, e.problem) for e in info.value.errors] == [("entries", f"holds more than {MAX_ENTRIES} entries")]


def _nested(depth: int) -> dict[str, Any]:
    condition: dict[str, Any] = {"input": "composite", "op": ">=", "value": 1}
    for _ in range(depth):
        condition = {"not": condition}
    return condition


def test_a_condition_nested_8_deep_loads_and_9_is_refused() -> None:
    rule = {"name": "a", "tier": "L1", "when": _nested(MAX_CONDITION_DEPTH)}
    from_dict({"rules": [rule]}, TierPolicy)
    with pytest.raises(ValidationError, match=f"nests deeper than {MAX_CONDITION_DEPTH} levels"):
        from_dict({"rules": [{**rule, "when": _nested(MAX_CONDITION_DEPTH + 1)}]}, TierPolicy)


def test_a_condition_of_256_nodes_loads_and_257_are_refused() -> None:
    """An ``all`` of 255 comparisons is 256 nodes; of 256, one too many (counted before the items are read)."""
    leaf = {"input": "composite", "op": ">=", "value": 1}
    rule = {"name": "a", "tier": "L1", "when": {"all": [leaf] * (MAX_CONDITION_NODES - 1)}}
    from_dict({"rules": [rule]}, TierPolicy)
    with pytest.raises(PolicyError, match=f"has more than {MAX_CONDITION_NODES} nodes"):
        condition_from_data({"all": [leaf] * MAX_CONDITION_NODES})
    with pytest.raises(PolicyError, match=f"has more than {MAX_CONDITION_NODES} nodes"):
        condition_from_data({"all": [{"bad": 1}] * 100_000})  # refused before the first item is read


@pytest.mark.parametrize("sign", ["", "-"])
def test_a_threshold_of_28_digits_loads_and_29_are_refused(sign: str) -> None:
    """Never rounded: 28 significant digits are kept exactly, a 29th is refused (not rounded to 28)."""
    at_limit = sign + "9" * (MAX_THRESHOLD_DIGITS - 2) + ".99"
    assert condition_from_data({"input": "x", "op": ">=", "value": at_limit}) == Compare("x", Op.GE, Decimal(at_limit))
    with pytest.raises(PolicyError, match=f"more than {MAX_THRESHOLD_DIGITS} significant digits"):
        condition_from_data({"input": "x", "op": ">=", "value": at_limit + "9"})
    # Trailing zeros are no digits of their own: 1 followed by 29 zeros is one significant digit.
    one_digit = condition_from_data({"input": "x", "op": ">=", "value": "1" + "0" * 29})
    assert one_digit == Compare("x", Op.GE, Decimal("1E+29"))


@pytest.mark.parametrize(
    ("at_limit", "past"),
    [
        (f"9E+{MAX_THRESHOLD_PLACES - 1}", f"1E+{MAX_THRESHOLD_PLACES}"),
        (f"-9E+{MAX_THRESHOLD_PLACES - 1}", f"-1E+{MAX_THRESHOLD_PLACES}"),
        (f"1E-{MAX_THRESHOLD_PLACES}", f"1E-{MAX_THRESHOLD_PLACES + 1}"),
        (f"1E-{MAX_THRESHOLD_PLACES - 2}%", f"1E-{MAX_THRESHOLD_PLACES - 1}%"),
        (f"0E-{MAX_THRESHOLD_PLACES}", f"0E-{MAX_THRESHOLD_PLACES + 1}"),
    ],
)
def test_a_threshold_on_the_edge_of_the_grid_loads_and_one_place_past_it_is_refused(at_limit: str, past: str) -> None:
    """Below 10**30 in size and no digit finer than 10**-30, percentages counted after the shift."""
    condition_from_data({"input": "x", "op": ">=", "value": at_limit})
    with pytest.raises(PolicyError, match=f"below 1E\\+{MAX_THRESHOLD_PLACES} in size"):
        condition_from_data({"input": "x", "op": ">=", "value": past})


def test_the_issues_thresholds_are_refused_not_rounded() -> None:
    """ "59.999999999999999999999999999999" became 60 and "1E-999999999999999999" became 0E-1000026."""
    for text, limit in (("59.999999999999999999999999999999", "28"), ("1E-999999999999999999", "1E-30")):
        rule = {"name": "a", "tier": "L1", "when": {"input": "composite", "op": ">=", "value": text}}
        with pytest.raises(ValidationError, match=limit):
            from_dict({"rules": [rule]}, TierPolicy)


def test_thresholds_built_in_python_meet_the_same_grid() -> None:
    """check() (run by every policy) refuses an off-grid Decimal given directly, as the loader refuses its text."""
    with pytest.raises(PolicyError, match="significant digits"):
        TierPolicy(rules=(TierRule("a", Tier.L1, Compare("composite", Op.GE, Decimal("1." + "1" * 30))),))


def _policy(comparisons: int) -> TierPolicy:
    per_rule = MAX_CONDITION_NODES - 1
    rules = []
    for i in range(0, comparisons, per_rule):
        count = min(per_rule, comparisons - i)
        leaves = tuple(Compare("composite", Op.GE, Decimal((i + j) % 50)) for j in range(count))
        rules.append(TierRule(f"r{i}", Tier.L1, All(leaves)))
    return TierPolicy(rules=tuple(rules), fallback=Tier.L0)


def test_a_policy_of_4096_comparisons_is_compiled_and_of_4097_interpreted() -> None:
    """Past MAX_COMPILED_COMPARISONS the interpreter decides (same answers): compiling the largest tables took
    seconds on the first grade."""
    compiled, interpreted = _policy(MAX_COMPILED_COMPARISONS), _policy(MAX_COMPILED_COMPARISONS + 1)
    assert compiled.generated_source() is not None
    assert interpreted.generated_source() is None
    inputs = example_inputs(composite="50")
    assert compiled.grade(inputs) is interpreted.grade(inputs) is Tier.L1


def test_the_search_budget_is_exact_at_its_boundary() -> None:
    """A search that needs N steps finishes with a budget of N and fails with N - 1 (so LINT_BUDGET bounds the
    work of lint exactly)."""
    formula = All(tuple(Compare("composite", Op.GE, Decimal(i)) for i in range(40)))
    meter = SearchBudget(LINT_BUDGET)
    assert find_witness(formula, TIER_INPUTS, budget=meter) is not None
    needed = LINT_BUDGET - meter.left
    assert find_witness(formula, TIER_INPUTS, budget=needed) is not None
    with pytest.raises(PolicyError, match="too large"):
        find_witness(formula, TIER_INPUTS, budget=needed - 1)
