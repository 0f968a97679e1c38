"""Budgets as a rule file: ``SubsidyBudgets`` loads and refuses as documented, ``lint_budgets`` and
``lint_budget_use`` find each planted mistake (and nothing in a clean set), and what lint says a cap or a budget
does is what allocation does."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao._internal.defaults import DEFAULTS_FOLDER
from fenxiao.errors import InvalidValueError, ValidationError
from fenxiao.grading.budget_sets import MAX_BUDGETS, SubsidyBudgets, default_budgets, lint_budget_use, lint_budgets
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog, PerkEntry, Subsidy, default_perk_catalog
from fenxiao.grading.subsidies import SubsidyBudget, SubsidyRequest, allocate_subsidies
from fenxiao.money import Money, Rate
from fenxiao.rules.table import Finding, Severity
from fenxiao.serialization import dumps, loads

from .test_subsidies import T0, budgets, requests

FILE = """\
name = "double-11"
version = "2026.11"

[[budgets]]
name = "official-subsidy"
total = "150000.00"
per_merchant = "5000.00"
per_day = "30000.00"
valid_from = 2026-11-01T00:00:00+08:00
valid_until = 2026-11-12T00:00:00+08:00

[[budgets]]
name = "launch"
total = "2000.00"
"""


def _codes(findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    return [(f.path, f.code) for f in findings]


def _budget(name: str = "b", total: str = "100.00", **fields: Any) -> SubsidyBudget:
    amounts: dict[str, Any] = {k: Money.of(v) if isinstance(v, str) else v for k, v in fields.items()}
    return SubsidyBudget(name, Money.of(total), **amounts)


# -- the file ----------------------------------------------------------------------------------------------------


def test_a_budgets_file_loads_and_round_trips() -> None:
    """The documented form: a name, a version and one [[budgets]] table per budget, caps and window included."""
    budgets = loads(FILE, SubsidyBudgets, format="toml")
    assert (budgets.name, budgets.version) == ("double-11", "2026.11")
    assert [b.name for b in budgets.budgets] == ["official-subsidy", "launch"]
    assert budgets.budget("official-subsidy").per_day == Money.of("30000.00")
    assert loads(dumps(budgets, format="toml"), SubsidyBudgets, format="toml") == budgets
    assert loads(dumps(budgets), SubsidyBudgets) == budgets
    assert lint_budgets(budgets) == ()


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (('name = "launch"', 'name = "official-subsidy"'), "budgets[1].name", "duplicate budget name (budgets[0]"),
        (('total = "2000.00"', 'total = "-5.00"'), "budgets[1].total", "must not be negative"),
        (('per_day = "30000.00"', 'per_day = "100.00 USD"'), "budgets[0].per_day", "must be in CNY"),
        (('total = "2000.00"', "total = 2000.5"), "budgets[1].total", "float"),
        (('name = "launch"', 'name = "launch"\ncolour = "red"'), "budgets[1].colour", "not a known field"),
    ],
)
def test_what_no_budget_set_may_hold_is_refused_with_its_place(edit: tuple[str, str], path: str, words: str) -> None:
    """Duplicate names, negative amounts, a cap in another currency, floats and unknown keys: refused, named."""
    with pytest.raises(ValidationError) as raised:
        loads(FILE.replace(*edit), SubsidyBudgets, format="toml")
    assert any(e.path == path and words in str(e) for e in raised.value.errors), raised.value.errors


def test_the_set_refuses_what_is_not_a_budget_and_too_many() -> None:
    """Built in Python, the same checks raise InvalidValueError naming the field."""
    with pytest.raises(InvalidValueError, match=r"SubsidyBudgets\.budgets\[0\]: must be a SubsidyBudget"):
        SubsidyBudgets(("official-subsidy",))
    with pytest.raises(InvalidValueError, match="at most 1000"):
        SubsidyBudgets(tuple(_budget(f"b{i}") for i in range(MAX_BUDGETS + 1)))
    with pytest.raises(InvalidValueError, match=r"SubsidyBudgets\.name"):
        SubsidyBudgets(name=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="not a budget of this set"):
        SubsidyBudgets().budget("x")


def test_the_default_is_no_budgets_and_its_commented_example_is_a_clean_file() -> None:
    """default_budgets() is what Models() grades with (none); the example in the file's comments loads, lints clean."""
    assert default_budgets().budgets == ()
    assert default_budgets() is default_budgets()
    text = resources.files("fenxiao").joinpath(DEFAULTS_FOLDER, "budgets.toml").read_text(encoding="utf-8")
    block = re.search(r"^#     \[\[budgets\]\]\n(?:#     .*\n)+", text, flags=re.M)
    assert block is not None
    example = "\n".join(line[len("#     ") :] for line in block.group(0).splitlines())
    budgets = loads(example, SubsidyBudgets, format="toml")
    assert [b.name for b in budgets.budgets] == ["official-subsidy"]
    assert lint_budgets(budgets) == ()
    assert lint_budget_use(default_perk_catalog(), budgets) == ()


# -- lint: each finding planted, and a clean set -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "found"),
    [
        (_budget(valid_from=T0, valid_until=T0 - timedelta(days=1)), [("budgets[0].valid_until", "never-open")]),
        (_budget(valid_from=T0, valid_until=T0), [("budgets[0].valid_until", "never-open")]),
        (_budget(total="0.00"), [("budgets[0].total", "grants-nothing")]),
        (_budget(per_day="0.00"), [("budgets[0].per_day", "grants-nothing")]),
        (_budget(per_merchant="100.00"), [("budgets[0].per_merchant", "cap-never-binds")]),
        (_budget(per_period="250.00", per_sku="99.99"), [("budgets[0].per_period", "cap-never-binds")]),
        (
            _budget(per_merchant="30.00", per_sku="30.00"),
            [("budgets[0].per_sku", "sku-cap-above-merchant-cap")],
        ),
    ],
)
def test_each_budget_finding_is_found_at_its_field(budget: SubsidyBudget, found: list[tuple[str, str]]) -> None:
    """An empty window, a zero total or cap, a cap at or above the total: each at the field to change."""
    assert _codes(lint_budgets(SubsidyBudgets((budget,)))) == found


def test_a_set_with_caps_below_the_total_and_an_open_window_lints_clean() -> None:
    """Caps below the total and a window that opens before it closes: no finding."""
    clean = _budget(
        total="100.00", per_merchant="99.99", per_sku="10.00", per_day="50.00", per_period="60.00",
        valid_from=T0, valid_until=T0 + timedelta(seconds=1),
    )  # fmt: skip
    assert lint_budgets([clean]) == ()


def test_budgets_in_two_currencies_are_found_on_the_odd_one() -> None:
    """The currency most budgets use is the set's; the others are warned about (list form accepted too)."""
    odd = SubsidyBudget("usd", Money.of("10.00 USD"))
    found = lint_budgets([_budget("a"), odd, _budget("c")])
    assert _codes(found) == [("budgets[1].total", "mixed-currency")]
    assert "in USD, the other budgets in CNY" in found[0].message
    with pytest.raises(InvalidValueError, match=r"budgets\[0\]"):
        lint_budgets(["a"])  # type: ignore[list-item]


def _catalog(*subsidies: Subsidy) -> PerkCatalog:
    return PerkCatalog(tuple(PerkEntry(f"e{i}", Tier.L5, s) for i, s in enumerate(subsidies)))


def test_budget_use_finds_unknown_budgets_currencies_and_unused_budgets() -> None:
    """A subsidy from a budget not listed, one in another currency, and a budget no subsidy uses."""
    catalog = _catalog(
        Subsidy("missing", rate=Rate.of("5%")),
        Subsidy("b", fixed=Money.of("1.00 USD")),
        Subsidy("b", rate=Rate.of("1%"), cap=Money.of("3.00 USD"), fixed=Money.of("0.00 USD")),
    )
    found = lint_budget_use(catalog, [_budget("b"), _budget("spare")])
    assert _codes(found) == [
        ("perks.entries[1].perk.fixed", "currency-mismatch"),
        ("perks.entries[2].perk.cap", "currency-mismatch"),
        ("perks.entries[0].perk.budget", "unknown-budget"),
        ("budgets[1]", "unused-budget"),
    ]
    assert [f.severity for f in found] == [Severity.ERROR, Severity.ERROR, Severity.WARNING, Severity.INFO]


def test_budget_use_of_a_catalog_without_budgets_is_one_note() -> None:
    """No budgets at all (the defaults): one information that the subsidies are not paid; clean when they match."""
    (note,) = lint_budget_use(default_perk_catalog(), default_budgets())
    assert (note.path, note.code, note.severity) == ("budgets", "no-budgets", Severity.INFO)
    assert lint_budget_use(default_perk_catalog(), [_budget("official-subsidy")]) == ()
    assert lint_budget_use(PerkCatalog(()), ()) == ()
    with pytest.raises(InvalidValueError, match="PerkCatalog"):
        lint_budget_use("perks.toml", ())  # type: ignore[arg-type]


# -- what lint says is what allocation does ------------------------------------------------------------------------

_CAP_FIELD = re.compile(r"budgets\[(\d+)\]\.(per_\w+)")


@settings(max_examples=50)
@given(requests(), budgets(), st.data())
def test_a_cap_lint_says_never_binds_changes_no_grant(
    asked: list[SubsidyRequest], budget_list: tuple[SubsidyBudget, ...], data: st.DataObject
) -> None:
    """Removing a cap that lint calls never binding leaves every grant the same amount."""
    raised = []
    for budget in budget_list:
        caps: dict[str, Any] = {f: budget.total + Money(data.draw(st.integers(0, 50))) for f in ("per_sku", "per_day")}
        raised.append(attrs.evolve(budget, **caps) if data.draw(st.booleans()) else budget)
    before = [g.granted for g in allocate_subsidies(asked, raised).grants]
    for finding in lint_budgets(raised):
        match = _CAP_FIELD.fullmatch(finding.path)
        if finding.code != "cap-never-binds" or match is None:
            continue
        index, field = int(match.group(1)), match.group(2)
        without = list(raised)
        removed: dict[str, Any] = {field: None}
        without[index] = attrs.evolve(raised[index], **removed)
        assert [g.granted for g in allocate_subsidies(asked, without).grants] == before


def test_a_per_sku_cap_above_the_merchant_cap_still_binds_on_requests_without_an_sku() -> None:
    """Why a per-SKU cap not below the per-merchant cap is its own finding, not ``cap-never-binds``: requests
    without an SKU id share one per-SKU group across merchants, so there the cap binds (Hypothesis found it)."""
    budget = SubsidyBudget(name="a", total=Money(2), per_merchant=Money(1), per_sku=Money(1))
    asked = [
        SubsidyRequest("r0", "a", Money(1), Tier.L0, merchant_id=None),
        SubsidyRequest("r1", "a", Money(1), Tier.L0, merchant_id="m1"),
    ]
    assert [g.granted.fen for g in allocate_subsidies(asked, [budget]).grants] == [1, 0]
    uncapped = attrs.evolve(budget, per_sku=None)
    assert [g.granted.fen for g in allocate_subsidies(asked, [uncapped]).grants] == [1, 1]
    assert [f.code for f in lint_budgets([budget])] == ["sku-cap-above-merchant-cap"]


@settings(max_examples=50)
@given(requests(), budgets(), st.data())
def test_a_per_sku_cap_above_the_merchant_cap_changes_nothing_on_requests_naming_both(
    asked: list[SubsidyRequest], budget_list: tuple[SubsidyBudget, ...], data: st.DataObject
) -> None:
    """For requests that name their merchant and SKU (each SKU one merchant's, as orders give them), removing a
    per-SKU cap that lint finds not below the per-merchant cap leaves every grant the same."""
    named = [
        attrs.evolve(r, sku_id=f"s{i % 3}-{m}", merchant_id=f"m{m}")
        for i, r in enumerate(asked)
        for m in [data.draw(st.integers(0, 2))]
    ]
    raised = [
        attrs.evolve(b, per_sku=b.per_merchant + Money(data.draw(st.integers(0, 5))))
        if b.per_merchant is not None and b.per_merchant.fen > 0 and data.draw(st.booleans())
        else b
        for b in budget_list
    ]
    before = [g.granted for g in allocate_subsidies(named, raised).grants]
    for finding in lint_budgets(raised):
        match = _CAP_FIELD.fullmatch(finding.path)
        if finding.code != "sku-cap-above-merchant-cap" or match is None:
            continue
        index = int(match.group(1))
        without = list(raised)
        without[index] = attrs.evolve(raised[index], per_sku=None)
        assert [g.granted for g in allocate_subsidies(named, without).grants] == before


@settings(max_examples=50)
@given(requests(), budgets())
def test_a_budget_lint_says_grants_nothing_grants_nothing(
    asked: list[SubsidyRequest], budget_list: tuple[SubsidyBudget, ...]
) -> None:
    """Every request to a budget with a zero total or a zero cap gets nothing."""
    allocation = allocate_subsidies(asked, budget_list)
    for finding in lint_budgets(budget_list):
        if finding.code == "grants-nothing":
            match = re.match(r"budgets\[(\d+)\]", finding.path)
            assert match is not None
            name = budget_list[int(match.group(1))].name
            assert all(g.granted.fen == 0 for g in allocation.grants if g.budget == name)


@settings(max_examples=30)
@given(requests(timed=True), st.integers(-3, 3))
def test_a_window_lint_says_never_opens_grants_nothing(asked: list[SubsidyRequest], length: int) -> None:
    """A window that closes before (or as) it opens: lint says never-open exactly then, and nothing is granted."""
    opens = T0 + timedelta(days=2)
    budget = SubsidyBudget("a", Money.of("1000.00"), opens, opens + timedelta(days=length))
    found = [f.code for f in lint_budgets([budget])]
    assert ("never-open" in found) == (length <= 0)
    if length <= 0:
        assert all(g.granted.fen == 0 for g in allocate_subsidies(asked, [budget]).grants)


def test_a_window_long_past_is_no_finding() -> None:
    """Lint judges the budgets as written, without a clock (a schedule's lint judges them against its dates)."""
    past = _budget(valid_from=T0 - timedelta(days=400), valid_until=T0 - timedelta(days=300))
    assert lint_budgets([past]) == ()
