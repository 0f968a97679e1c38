"""Rule tests as data: cases for tier policies, perk catalogs and admission policies, and the test command."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from fenxiao.authoring.cases import RuleCase, RuleCases, lint_cases, run_cases
from fenxiao.authoring.documents import lint_text
from fenxiao.cli.authoring import GROUP
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import default_perk_catalog, example_perk_inputs
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.market.admission import default_admission_policy
from fenxiao.rules.language import Compare, Op

from ..cli import running

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_tier_cases_pass_and_fail_with_the_trace() -> None:
    """A right case passes; a wrong tier or rule fails, with the decision's trace."""
    strong = {"composite": "92", "units_30d": 640, "score.service": "72.5"}
    cases = RuleCases(
        (
            RuleCase("right", strong, tier="L4", rule="hot-item"),
            RuleCase("wrong tier", strong, tier="L5"),
            RuleCase("wrong rule", strong, tier="L4", rule="quality"),
        )
    )
    right, wrong_tier, wrong_rule = run_cases(default_tier_policy(), cases)
    assert right.passed
    assert str(right) == "ok right: L4 (rule 'hot-item')"
    assert not wrong_tier.passed
    assert str(wrong_tier) == "FAIL wrong tier: expected L5, got L4 (rule 'hot-item')"
    assert "selected-goods" in wrong_tier.trace
    assert "units_30d 640 < 1000 needed" in wrong_tier.trace
    assert not wrong_rule.passed


def test_a_case_that_raises_fails_with_the_error() -> None:
    """No fallback and no rule: the case fails, naming the error."""
    policy = TierPolicy(rules=(TierRule("a", Tier.L1, Compare("composite", Op.GE, 60)),))
    (result,) = run_cases(policy, RuleCases((RuleCase("low", {"composite": "10"}, tier="L1"),)))
    assert not result.passed
    assert "no rule matches" in result.got


def test_percent_and_whole_numbers_are_read_as_in_conditions() -> None:
    """ "5%" is 0.05; 300 and "300" are whole numbers for a whole-number input."""
    policy = TierPolicy(
        rules=(
            TierRule("r", Tier.L2, Compare("refund_rate", Op.LE, Decimal("0.05"))),
            TierRule("s", Tier.L1, Compare("units_30d", Op.GE, 0)),
        )
    )
    results = run_cases(
        policy,
        RuleCases(
            (
                RuleCase("at", {"refund_rate": "5%"}, tier="L2"),
                RuleCase("above", {"refund_rate": "5.1%", "units_30d": "300"}, tier="L1"),
            )
        ),
    )
    assert all(r.passed for r in results)


def test_perk_cases_expect_exactly_the_granted_entries() -> None:
    """An L5 SKU of a normal merchant gets the seed's privileges; a warned one loses the subsidy."""
    catalog = default_perk_catalog()
    l5 = {g.entry for g in catalog.resolve(Tier.L5, _perk_inputs()).granted}
    cases = RuleCases(
        (
            RuleCase("l5", tier="L5", granted=tuple(sorted(l5))),
            RuleCase("missing one", tier="L5", granted=tuple(sorted(l5))[1:]),
        )
    )
    ok, missing = run_cases(catalog, cases)
    assert ok.passed
    assert not missing.passed
    assert "granted" in missing.trace


def _perk_inputs() -> dict[str, object]:
    return example_perk_inputs()


def test_admission_cases_expect_an_outcome() -> None:
    """Inputs left out are missing: a suspended shop is rejected, a warned one reviewed, an empty one approved."""
    policy = default_admission_policy()
    cases = RuleCases(
        (
            RuleCase("suspended", {"standing": "suspended"}, outcome="reject"),
            RuleCase("warned", {"standing": "warned"}, outcome="review"),
            RuleCase("nothing known", {}, outcome="approve"),
            RuleCase("wrong", {"standing": "warned"}, outcome="approve"),
        )
    )
    results = run_cases(policy, cases)
    assert [r.passed for r in results] == [True, True, True, False]
    assert "restricted-standing" in results[3].trace


@pytest.mark.parametrize(
    ("subject", "case", "where"),
    [
        (default_tier_policy(), RuleCase("x", {"compsite": "1"}, tier="L1"), "cases[0].inputs.compsite"),
        (default_tier_policy(), RuleCase("x", {}), "cases[0].tier"),
        (default_perk_catalog(), RuleCase("x", tier="L1"), "cases[0].granted"),
        (default_perk_catalog(), RuleCase("x", granted=()), "cases[0].tier"),
        (default_admission_policy(), RuleCase("x", {}), "cases[0].outcome"),
    ],
)
def test_a_case_missing_what_its_subject_needs_is_bad_input(subject: object, case: RuleCase, where: str) -> None:
    """Unknown inputs, floats and missing expectations raise InvalidValueError naming the place."""
    with pytest.raises(InvalidValueError, match=where.replace("[", r"\[").replace("]", r"\]")):
        run_cases(subject, RuleCases((case,)))  # type: ignore[arg-type]


def test_cases_refuse_duplicate_names_and_bad_inputs() -> None:
    """Names are unique; inputs are a table of numbers, flags or text."""
    with pytest.raises(InvalidValueError, match="used by an earlier case"):
        RuleCases((RuleCase("a", tier="L1"), RuleCase("a", tier="L1")))
    for bad in ([1], 1.5):
        with pytest.raises(InvalidValueError, match="must be a number, a flag or text"):
            RuleCase("a", {"x": bad})
    with pytest.raises(InvalidValueError, match="1 to"):
        RuleCases(())


def test_the_test_command_runs_the_docs_example() -> None:
    """The guide's policy and its cases: every case passes, exit 0, a summary line."""
    status, text = running.run(
        ["test", str(EXAMPLES / "tier-policy.toml"), str(EXAMPLES / "tier-policy.cases.toml")], GROUP
    )
    assert status == 0, text
    assert text.splitlines()[-1] == "6 passed, 0 failed"


def test_the_test_command_exits_1_with_the_trace_of_a_failing_case(tmp_path: Path) -> None:
    """A wrong expectation: exit 1, FAIL with expected and got, then the trace; --json has the same."""
    cases = tmp_path / "cases.toml"
    cases.write_text('[[cases]]\nname = "wrong"\ninputs = { composite = "90", units_30d = 0 }\ntier = "L3"\n')
    status, text = running.run(["test", str(EXAMPLES / "tier-policy.toml"), str(cases)], GROUP)
    assert status == 1
    assert "FAIL wrong: expected L3, got L0 (rule 'no-sales')" in text
    assert "✓ no-sales" in text
    status, text = running.run(["test", str(EXAMPLES / "tier-policy.toml"), str(cases), "--json"], GROUP)
    (row,) = json.loads(text)
    assert (status, row["passed"], row["expected"]) == (1, False, "L3")


def test_the_test_command_refuses_files_of_the_wrong_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Cases where the policy belongs, or a broken cases file: exit 2 naming the problem and its line."""
    policy, cases = EXAMPLES / "tier-policy.toml", EXAMPLES / "tier-policy.cases.toml"
    assert running.run(["test", str(cases), str(policy)], GROUP)[0] == 2
    assert "must be a tier-policy or perk-catalog or admission-policy file" in capsys.readouterr().err
    broken = tmp_path / "broken.toml"
    broken.write_text('[[cases]]\nname = "a"\ntier = "L7"\n')
    assert running.run(["test", str(policy), str(broken)], GROUP)[0] == 2
    assert "cases[0].tier (line 3)" in capsys.readouterr().err


def test_lint_of_cases_finds_typos_cases_that_expect_nothing_and_mixed_subjects() -> None:
    """An input no policy reads, a case with nothing to check, and an admission case among tier cases: each at its
    case; a file of one kind of case is clean."""
    cases = RuleCases(
        (
            RuleCase("typo", {"compsite": "90", "units_30d": 5}, tier="L5"),
            RuleCase("empty", {"composite": "90"}),
            RuleCase("admission", {"experience_score": "4.5"}, outcome="approve"),
        )
    )
    found = [(f.path, f.code, f.severity.value) for f in lint_cases(cases)]
    assert found == [
        ("cases[0].inputs.compsite", "unknown-input", "error"),
        ("cases[1]", "expects-nothing", "error"),
        ("cases[2]", "mixed-subjects", "warning"),
    ]
    assert lint_cases(RuleCases(cases.cases[2:])) == ()
    perks = RuleCase("perks", {"merchant_standing": "normal"}, tier="L5", granted=("a",))
    assert lint_cases(RuleCases((perks,))) == ()
    with pytest.raises(InvalidValueError, match="RuleCases"):
        lint_cases(cases.cases)  # type: ignore[arg-type]


def test_the_example_cases_lint_clean_and_a_typo_is_found_at_its_line(tmp_path: Path) -> None:
    """docs/examples/tier-policy.cases.toml has no finding; a misspelt input is an error at its line."""
    text = (EXAMPLES / "tier-policy.cases.toml").read_text(encoding="utf-8")
    assert lint_text(text, format="toml").findings == ()
    broken = lint_text(text.replace("units_30d = 0", "unit_30d = 0"), format="toml")
    (finding,) = broken.findings
    assert (finding.code, finding.line) == ("unknown-input", text[: text.index("units_30d = 0")].count("\n") + 1)
