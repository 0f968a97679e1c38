"""The rule table every policy shares: hit policies, the rule-list check, findings, read-only tables."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import PolicyError
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.rules.language import Compare, Condition, InputSpec, Op, Schema
from fenxiao.rules.table import (
    HIT_POLICY_NAMES,
    Finding,
    HitPolicy,
    ReadOnlyDict,
    Severity,
    hit_policy,
    rule_list,
    sorted_findings,
)
from fenxiao.serialization import dumps

SCHEMA = Schema.of(InputSpec("units", integer=True, low=Decimal(0)))


@attrs.frozen
class Row:
    name: str
    when: Condition | None = Compare("units", Op.GE, Decimal(1))


def test_every_hit_policy_is_its_own_text() -> None:
    """Policy files write hit policies as text; each member equals its text and is read back from it."""
    assert [h.value for h in HitPolicy] == ["first", "highest", "unique", "deny-overrides", "collect"]
    assert all(HitPolicy(h.value) is h and h == h.value for h in HitPolicy)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((), r"Table\.rows: must be a non-empty list of rules"),
        ([Row("a")], r"Table\.rows: must be a non-empty list of rules"),
        ((Row("a"),) * 4, r"Table\.rows: holds more than 3 rules"),
        ((Row("a"), "b"), r"Table\.rows\[1\]: must be a Row"),
        ((Row("a"), Row("a")), r"Table\.rows\[1\]\.name: is used by an earlier rule"),
        ((Row("a", Compare("unit", Op.GE, Decimal(1))),), r"Table\.rows\[0\]\.when\.input: is not a known input"),
    ],
)
def test_the_rule_list_check_names_the_place_of_each_problem(rows: object, message: str) -> None:
    """Not a list, too long, a wrong row, a duplicate name, a bad condition: each names its path."""
    check = rule_list("Table.rows", Row, SCHEMA, limit=3, non_empty=True)
    with pytest.raises(PolicyError, match=message):
        check(None, None, rows)


def test_a_missing_condition_means_always_only_where_the_table_says_so() -> None:
    """Perk entries may have no condition (always eligible); tier and admission rules may not."""
    always = Row("a", None)
    rule_list("Table.entries", Row, SCHEMA, noun="entry", always=True)(None, None, (always,))
    with pytest.raises(PolicyError, match=r"Table\.entries: holds more than 0 entries"):
        rule_list("Table.entries", Row, SCHEMA, limit=0, noun="entry", always=True)(None, None, (always,))
    with pytest.raises(PolicyError, match=r"Table\.rows\[0\]\.when: must be a condition"):
        rule_list("Table.rows", Row, SCHEMA)(None, None, (always,))


def test_the_tier_policy_checks_its_rules_with_the_shared_check() -> None:
    """The messages tier policies have always given."""
    rule = TierRule("a", Tier.L1, Compare("units_30d", Op.GE, Decimal(1)))
    with pytest.raises(PolicyError, match=r"TierPolicy\.rules: must be a non-empty list of rules"):
        TierPolicy(rules=())
    with pytest.raises(PolicyError, match=r"TierPolicy\.rules\[1\]\.name: is used by an earlier rule"):
        TierPolicy(rules=(rule, rule))
    with pytest.raises(PolicyError, match=r"TierPolicy\.rules: holds more than 200 rules"):
        TierPolicy(rules=tuple(attrs.evolve(rule, name=f"r{i}") for i in range(201)))


def test_findings_sort_errors_first_and_serialize() -> None:
    """Lint lists errors, then warnings, then information; a finding dumps with its severity as text."""
    info = Finding("rules", Severity.INFO, "missing-tier", "no rule gives L5")
    error = Finding("rules", "error", "gap", "no rule matches some inputs", (("units", 0),))
    assert sorted_findings([info, error]) == (error, info)
    assert '"severity": "error"' in dumps(error)
    assert str(error) == "rules: error [gap] no rule matches some inputs"


def test_a_read_only_dict_pickles_copies_and_compares_as_a_dict() -> None:
    """What a frozen, cached policy keeps its tables in."""
    table = ReadOnlyDict({"a": 1})
    assert table == {"a": 1}
    assert pickle.loads(pickle.dumps(table)) == table
    assert type(pickle.loads(pickle.dumps(table))) is ReadOnlyDict
    assert copy.copy(table) is table
    assert copy.deepcopy(table) is table
    with pytest.raises(TypeError, match="read-only"):
        table |= {"b": 2}
    assert isinstance(default_tier_policy().labels, ReadOnlyDict)


@given(st.sampled_from(sorted(HIT_POLICY_NAMES)), st.lists(st.booleans(), min_size=20, max_size=20), st.booleans())
def test_a_hit_policy_reads_from_any_of_its_names_in_any_case(name: str, upper: list[bool], spaced: bool) -> None:
    """Each name of HIT_POLICY_NAMES, in any mix of cases, with spaces around or _ for -, is its member."""
    mixed = "".join(c.upper() if up else c for c, up in zip(name, upper, strict=False)).replace("-", "_")
    written = f"  {mixed}\t" if spaced else mixed
    assert HitPolicy(written) is HIT_POLICY_NAMES[name]
    assert hit_policy(written) is HIT_POLICY_NAMES[name]


def test_every_member_is_named_and_other_names_are_not_read() -> None:
    """Each member's own text and DMN's PRIORITY are names; a misspelling, a number or None stays unread."""
    assert {member.value: member for member in HitPolicy}.items() <= HIT_POLICY_NAMES.items()
    assert HIT_POLICY_NAMES["priority"] is HitPolicy.PRIORITY
    others: list[Any] = ["priorty", "first last", "", "x", 1, None]
    for other in others:
        with pytest.raises(ValueError, match="not a valid HitPolicy"):
            HitPolicy(other)
        assert hit_policy(other) == other
