"""Lint of a rule file: the kind told by itself, every finding at once, each with its path and its line."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fenxiao.authoring.documents import lint_file, lint_text, parse_document
from fenxiao.authoring.kinds import KINDS
from fenxiao.authoring.lines import build_line_index
from fenxiao.cli.grading import GROUP
from fenxiao.errors import InvalidValueError, PolicyError, ValidationError
from fenxiao.grading.inputs import TIER_INPUTS, example_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.rules.interpreter import evaluate
from fenxiao.rules.language import All, AnyOf, Condition
from fenxiao.rules.table import HitPolicy, Severity
from fenxiao.rules.witness import find_witness
from fenxiao.serialization import dumps
from fenxiao.testing.tiers import tier_conditions, tier_policies

from ..cli import running

DOCS = Path(__file__).resolve().parents[2] / "docs"

TWO_BAD_RULES = """\
name = "two-bad"

[[rules]]
name = "a"
tier = "L1"
when = { input = "compsite", op = ">=", value = "1" }

[[rules]]
name = "b"
tier = "L9"
when = { input = "units_30d", op = ">=", value = "1" }

[[rules]]
name = "c"
tier = "L2"
when = { input = "refund_rate", op = "~", value = "1" }
"""


def test_every_broken_row_is_reported_at_once_with_its_line() -> None:
    """Three broken rules: three invalid findings, each at the line of the broken key."""
    report = lint_text(TWO_BAD_RULES, format="toml", source="p.toml")
    assert (report.kind, report.loaded, report.failed) == ("tier-policy", False, True)
    found = {(f.path, f.line) for f in report.findings}
    assert found == {("rules[0].when.input", 6), ("rules[1].tier", 10), ("rules[2].when.op", 16)}
    assert all(f.code == "invalid" and f.severity is Severity.ERROR for f in report.findings)
    assert "p.toml:6: error [invalid] rules[0].when.input: is not a known input (did you mean 'composite'?)" in str(
        report
    )


def test_a_file_that_loads_gets_its_kinds_findings_with_lines() -> None:
    """A gap in a JSON policy: the finding points at the line of "rules"."""
    text = json.dumps(
        {
            "name": "gappy",
            "rules": [
                {"name": "low", "tier": "L1", "when": {"input": "composite", "op": "<", "value": "40"}},
                {"name": "high", "tier": "L3", "when": {"input": "composite", "op": ">=", "value": "60"}},
            ],
        },
        indent=2,
    )
    report = lint_text(text, format="json")
    (gap,) = [f for f in report.findings if f.code == "gap"]
    assert gap.line == 3
    assert report.loaded
    assert report.failed
    assert report.value is not None
    assert report.value.name == "gappy"


def test_a_shadowed_rule_is_found_at_its_own_line() -> None:
    """rules[1] repeats rules[0]: shadowed, at the line of its [[rules]] header."""
    text = '[[rules]]\nname = "a"\ntier = "L1"\nwhen = { input = "units_30d", op = ">=", value = 0 }\n\n'
    text += '[[rules]]\nname = "b"\ntier = "L2"\nwhen = { input = "units_30d", op = ">=", value = 0 }\n'
    (shadowed,) = [f for f in lint_text(text, format="toml").findings if f.code == "shadowed"]
    assert (shadowed.path, shadowed.line) == ("rules[1]", 6)


@pytest.mark.parametrize(
    ("text", "format", "line", "words"),
    [
        ('name = "x"\nrules = [\n', "toml", 3, "not valid toml"),
        ('{"rules": [\n  {"name": }\n]}', "json", 2, "not valid json"),
        ('[[rules]]\nname = "a"\nweight = 0.5\n', "toml", None, "float"),
        ('{"rules": [],\n "x": 1.5}', "json", 2, "float"),
    ],
)
def test_syntax_errors_and_floats_are_one_finding_with_a_line(
    text: str, format: str, line: int | None, words: str
) -> None:
    """Text that does not parse, or holds a float, is a syntax finding (with the parser's line, or the float's)."""
    (finding,) = lint_text(text, format=format).findings
    assert finding.code == "syntax"
    assert words in finding.message
    if line is not None:
        assert finding.line == line


def test_a_file_of_no_known_kind_asks_for_a_kind() -> None:
    """A table no kind uses is an unknown-kind error; naming the kind lints it as that kind."""
    (finding,) = lint_text('colour = "red"\n', format="toml").findings
    assert finding.code == "unknown-kind"
    forced = lint_text('colour = "red"\n', format="toml", kind="tier-policy")
    assert forced.kind == "tier-policy"
    assert {f.path for f in forced.findings} == {"colour", "rules"}


def test_each_kind_is_told_and_its_lint_runs(tmp_path: Path) -> None:
    """An admission policy with a rule that never matches: told as admission, found at its line."""
    path = tmp_path / "admission.toml"
    path.write_text(
        '[[rules]]\nname = "odd"\noutcome = "review"\nreason = "x"\n'
        'when = { all = [{ input = "price", op = "<", value = "1" }, { input = "price", op = ">", value = "2" }] }\n',
        encoding="utf-8",
    )
    report = lint_file(path)
    assert report.kind == "admission-policy"
    (finding,) = report.findings
    assert (finding.code, finding.line) == ("never-matches", 1)


def test_a_perk_catalog_entry_never_granted_is_found_at_its_line(tmp_path: Path) -> None:
    """The weaker boost from a higher tier: never-granted, at its [[entries]] line."""
    path = tmp_path / "perks.toml"
    path.write_text(
        '[[entries]]\nname = "strong"\ntier = "L1"\nperk = { kind = "traffic_boost", multiplier = "2" }\n\n'
        '[[entries]]\nname = "weak"\ntier = "L3"\nperk = { kind = "traffic_boost", multiplier = "1.5" }\n',
        encoding="utf-8",
    )
    (finding,) = lint_file(path).findings
    assert (finding.code, finding.path, finding.line) == ("never-granted", "entries[1]", 6)


def test_models_findings_are_placed_under_their_part() -> None:
    """A models file: the policy's and the perk catalog's findings, each prefixed with its part."""
    text = json.dumps(
        {
            "policy": {
                "rules": [{"name": "only", "tier": "L1", "when": {"input": "composite", "op": "<", "value": "40"}}]
            }
        },
        indent=2,
    )
    report = lint_text(text, format="json")
    assert report.kind == "models"
    (gap,) = [f for f in report.findings if f.code == "gap"]
    assert (gap.path, gap.line) == ("policy.rules", 3)


def test_a_duplicate_row_name_is_found_with_the_others() -> None:
    """Two rules named alike and a bad threshold: both reported."""
    text = (
        '[[rules]]\nname = "a"\ntier = "L1"\nwhen = { input = "units_30d", op = ">=", value = "x" }\n'
        '[[rules]]\nname = "a"\ntier = "L1"\nwhen = { input = "units_30d", op = ">=", value = 1 }\n'
    )
    paths = {f.path for f in lint_text(text, format="toml").findings}
    assert {"rules[0].when.value", "rules[1].name"} <= paths


def test_lint_file_refuses_other_suffixes_and_missing_files(tmp_path: Path) -> None:
    """A .yaml file or a missing one is bad input (InvalidValueError), not a finding."""
    with pytest.raises(InvalidValueError, match=r"must end in \.json or \.toml"):
        lint_file(tmp_path / "p.yaml")
    with pytest.raises(InvalidValueError, match="cannot be read"):
        lint_file(tmp_path / "missing.toml")
    (tmp_path / "latin.toml").write_bytes(b'name = "\xe9"\n')
    assert [f.code for f in lint_file(tmp_path / "latin.toml").findings] == ["syntax"]


def test_parse_document_refuses_an_unknown_format() -> None:
    """Only json and toml."""
    with pytest.raises(InvalidValueError, match="format"):
        parse_document("x", "yaml")
    with pytest.raises(ValidationError, match="float"):
        parse_document("x = 1.5", "toml")


def test_the_lint_command_prints_lines_and_json(tmp_path: Path) -> None:
    """`lint FILE --json` gives path, line, code and the example of each finding; text prefixes FILE:LINE."""
    path = tmp_path / "unique.toml"
    path.write_text(
        'hit = "unique"\nfallback = "L0"\n\n[[rules]]\nname = "a"\ntier = "L1"\n'
        'when = { input = "composite", op = ">=", value = "50" }\n\n'
        '[[rules]]\nname = "b"\ntier = "L2"\nwhen = { input = "composite", op = "<=", value = "50" }\n',
        encoding="utf-8",
    )
    status, text = running.run(["lint", str(path), "--json"], GROUP)
    assert status == 1
    (overlap,) = [f for f in json.loads(text) if f["code"] == "overlap"]
    assert (overlap["path"], overlap["line"], overlap["example"]) == ("rules[1]", 9, {"composite": "50"})
    status, text = running.run(["lint", str(path)], GROUP)
    assert f"{path}:9: rules[1]: error [overlap]" in text


def test_the_lint_command_reports_every_problem_of_a_file_that_does_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 (bad input), every problem on stdout with its line, and named on stderr."""
    path = tmp_path / "bad.toml"
    path.write_text(TWO_BAD_RULES, encoding="utf-8")
    status, text = running.run(["lint", str(path)], GROUP)
    assert status == 2
    assert text.count("[invalid]") == 3
    err = capsys.readouterr().err
    assert "rules[0].when.input (line 6)" in err
    assert "rules[2].when.op (line 16)" in err


def test_the_lint_command_takes_any_default_file(tmp_path: Path) -> None:
    """The shipped default policy written as JSON lints clean (kind told from its keys)."""
    path = tmp_path / "p.json"
    path.write_text(dumps(default_tier_policy()), encoding="utf-8")
    assert running.run(["lint", str(path)], GROUP) == (0, "no findings\n")
    assert running.run(["lint", str(path), "--kind", "tier-policy"], GROUP) == (0, "no findings\n")


# -- budgets, scorecards, platform profiles, and the kinds made of them ----------------------------------------------

BUDGETS = """\
name = "double-11"

[[budgets]]
name = "official-subsidy"
total = "1000.00"
per_merchant = "1000.00"

[[budgets]]
name = "launch"
total = "500.00"
valid_from = 2026-11-12T00:00:00+08:00
valid_until = 2026-11-01T00:00:00+08:00
"""


def test_a_budgets_file_is_told_and_linted_with_lines() -> None:
    """A cap as large as the total, a window that closes before it opens: each at its own line, errors first."""
    report = lint_text(BUDGETS, format="toml", source="b.toml")
    assert (report.kind, report.loaded) == ("budgets", True)
    assert [(f.code, f.path, f.line) for f in report.findings] == [
        ("never-open", "budgets[1].valid_until", 12),
        ("cap-never-binds", "budgets[0].per_merchant", 6),
    ]
    assert report.failed


def test_every_broken_budget_is_reported_at_once() -> None:
    """Two budgets of one name, a negative total and a cap in another currency: all three, with lines."""
    text = BUDGETS.replace('name = "launch"', 'name = "official-subsidy"').replace('"500.00"', '"-1.00"')
    text = text.replace('per_merchant = "1000.00"', 'per_merchant = "5.00 USD"')
    report = lint_text(text, format="toml")
    assert not report.loaded
    assert {(f.path, f.line) for f in report.findings} == {
        ("budgets[0].per_merchant", 6),
        ("budgets[1].name", 9),
        ("budgets[1].total", 10),
    }


def test_a_scorecards_file_gets_its_findings_with_lines() -> None:
    """A refund-rate curve rising with refunds and a cap that never binds: the lines of their tables and keys."""
    text = (
        '[service.refund_rate]\nbreakpoints = [["0", "0"], ["0.3", "100"]]\n\n'
        '[service.complaint_rate]\nbreakpoints = [["0", "100"], ["0.2", "0"]]\ncap = "100"\n'
    )
    report = lint_text(text, format="toml")
    assert report.kind == "scorecards"
    assert [(f.code, f.path, f.line) for f in report.findings] == [
        ("wrong-direction", "service.refund_rate.breakpoints", 2),
        ("cap-never-binds", "service.complaint_rate.cap", 6),
    ]


def test_a_platform_profile_file_gets_its_findings_with_lines() -> None:
    """A leader-fee floor above the combined cap (error) and settlement waiting longer for better service."""
    text = (
        'name = "narrow"\ncombined_cap = "0.05"\n\n[[category_rules]]\nmatch = "珠宝文玩"\n'
        'min_commission = "0.05"\nmin_leader_fee = "0.01"\n\n[settlement_days]\nhigh = 20\nstandard = 15\nlow = 20\n'
    )
    report = lint_text(text, format="toml")
    assert report.kind == "platform-profile"
    assert [(f.code, f.path, f.line) for f in report.findings] == [
        ("floor-above-cap", "category_rules[0].min_leader_fee", 7),
        ("settlement-order", "settlement_days.high", 10),
    ]


def test_a_models_file_checks_its_perks_against_its_budgets() -> None:
    """A subsidy drawing from a budget the models do not list: found at the entry; the unused budget noted."""
    text = json.dumps(
        {
            "perks": {
                "entries": [{"name": "sub", "tier": "L5", "perk": {"kind": "subsidy", "budget": "x", "rate": "5%"}}]
            },
            "budgets": [{"name": "y", "total": "10.00"}],
        },
        indent=2,
    )
    report = lint_text(text, format="json")
    assert report.kind == "models"
    assert [(f.code, f.path, f.line) for f in report.findings] == [
        ("unknown-budget", "perks.entries[0].perk.budget", 9),
        ("unused-budget", "budgets[0]", 16),
    ]


def test_a_schedule_lints_every_dated_model() -> None:
    """A perk catalog and a budget set in a schedule get their own findings, under their entries."""
    text = (
        '[[perks]]\neffective_from = 2026-11-01T00:00:00+08:00\n\n[[perks.perks.entries]]\nname = "strong"\n'
        'tier = "L1"\nperk = { kind = "traffic_boost", multiplier = "2" }\n\n[[perks.perks.entries]]\nname = "weak"\n'
        'tier = "L3"\nperk = { kind = "traffic_boost", multiplier = "1.5" }\n\n'
        '[[budgets]]\neffective_from = 2026-11-01T00:00:00+08:00\nbudgets = [{ name = "b", total = "0.00" }]\n'
    )
    report = lint_text(text, format="toml")
    assert report.kind == "schedule"
    found = {(f.code, f.path, f.line) for f in report.findings if f.severity is not Severity.INFO}
    assert found == {
        ("never-granted", "perks[0].perks.entries[1]", 9),
        ("grants-nothing", "budgets[0].budgets[0].total", 16),
    }


@pytest.mark.parametrize(
    "file", [f for kind in KINDS for f in kind.default], ids=[f for kind in KINDS for f in kind.default]
)
def test_every_default_file_lints_with_no_finding(file: str) -> None:
    """Each shipped default, linted as a user's copy would be: told as its kind, and not one finding."""
    path = resources.files("fenxiao").joinpath("data/defaults", file)
    report = lint_text(path.read_text(encoding="utf-8"), format="toml", source=file)
    assert report.kind == next(k.name for k in KINDS if file in k.default)
    assert report.findings == ()


@pytest.mark.parametrize("path", sorted((DOCS / "examples").iterdir()), ids=lambda p: p.name)
def test_every_example_file_of_the_docs_lints_without_a_warning(path: Path) -> None:
    """docs/examples/ shows files to copy: each is told as a kind and has no error or warning (notes allowed)."""
    report = lint_file(path)
    assert report.kind is not None
    assert report.loaded
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []


# -- every finding of the rule tables: planted in a file, found at its line, and absent from a clean neighbour ----


def _rule(name: str, tier: str, when: str) -> str:
    return f'\n[[rules]]\nname = "{name}"\ntier = "{tier}"\nwhen = {when}\n'


def _gte(name: str, value: str) -> str:
    return f'{{ input = "{name}", op = ">=", value = "{value}" }}'


def _lt(name: str, value: str) -> str:
    return f'{{ input = "{name}", op = "<", value = "{value}" }}'


_ALL = "{ all = [] }"
_ENTRY = '\n[[entries]]\nname = "{name}"\ntier = "{tier}"\nperk = {{ kind = "traffic_boost", multiplier = "{m}" }}\n'
_ADMIT = '\n[[rules]]\nname = "{name}"\noutcome = "{outcome}"\nreason = "r"\nwhen = {when}\n'

#: (code, planted file, the line lint finds it at, a clean file that differs only where the mistake was)
FINDINGS: list[tuple[str, str, int, str]] = [
    (
        "gap",
        _rule("low", "L1", _lt("composite", "40")) + _rule("high", "L3", _gte("composite", "60")),
        2,
        'fallback = "L0"\n' + _rule("low", "L1", _lt("composite", "40")) + _rule("high", "L3", _gte("composite", "60")),
    ),
    (
        "overlap",
        'hit = "unique"\nfallback = "L0"\n'
        + _rule("a", "L1", _lt("composite", "50"))
        + _rule("b", "L2", _gte("composite", "40")),
        9,
        'hit = "unique"\nfallback = "L0"\n'
        + _rule("a", "L1", _lt("composite", "50"))
        + _rule("b", "L2", _gte("composite", "50")),
    ),
    (
        "shadowed",
        'fallback = "L0"\n' + _rule("a", "L1", _gte("units_30d", "0")) + _rule("b", "L2", _gte("units_30d", "5")),
        8,
        'fallback = "L0"\n' + _rule("b", "L2", _gte("units_30d", "5")) + _rule("a", "L1", _gte("units_30d", "0")),
    ),
    (
        "never-decides",
        'hit = "PRIORITY"\n'
        + _rule("base", "L1", _ALL)
        + _rule("mid", "L2", _gte("composite", "60"))
        + _rule("top", "L3", _gte("composite", "50")),
        8,
        'hit = "PRIORITY"\n'
        + _rule("base", "L1", _ALL)
        + _rule("mid", "L2", _gte("composite", "50"))
        + _rule("top", "L3", _gte("composite", "60")),
    ),
    (
        "unreachable-tier",
        'hit = "P"\n'
        + _rule("base", "L1", _ALL)
        + _rule("mid", "L2", _gte("composite", "60"))
        + _rule("top", "L3", _gte("composite", "50")),
        3,
        'hit = "P"\n'
        + _rule("base", "L1", _ALL)
        + _rule("mid", "L2", _gte("composite", "50"))
        + _rule("top", "L3", _gte("composite", "60")),
    ),
    (
        "missing-tier",
        _rule("all", "L1", _ALL),
        2,
        "".join(_rule(f"r{n}", f"L{n}", _ALL if n == 0 else _gte("composite", str(10 * n))) for n in range(5, -1, -1)),
    ),
    (
        "non-monotone",
        'fallback = "L0"\n'
        + _rule("top", "L4", _gte("composite", "50"))
        + _rule("good", "L3", _gte("composite", "60")),
        6,
        'fallback = "L0"\n'
        + _rule("top", "L4", _gte("composite", "60"))
        + _rule("good", "L3", _gte("composite", "50")),
    ),
    (
        "never-matches",
        _ENTRY.format(name="a", tier="L1", m="2")
        + "when = { all = ["
        + _lt("units_30d", "1")
        + ", "
        + _gte("units_30d", "2")
        + "] }\n",
        6,
        _ENTRY.format(name="a", tier="L1", m="2")
        + "when = { all = ["
        + _gte("units_30d", "1")
        + ", "
        + _gte("units_30d", "2")
        + "] }\n",
    ),
    (
        "never-granted",
        _ENTRY.format(name="strong", tier="L1", m="2") + _ENTRY.format(name="weak", tier="L3", m="1.5"),
        7,
        _ENTRY.format(name="strong", tier="L3", m="2") + _ENTRY.format(name="weak", tier="L1", m="1.5"),
    ),
    (
        "never-decides",
        _ADMIT.format(name="bad", outcome="reject", when=_lt("experience_score", "4"))
        + _ADMIT.format(name="look", outcome="review", when=_lt("experience_score", "3")),
        8,
        _ADMIT.format(name="bad", outcome="reject", when=_lt("experience_score", "3"))
        + _ADMIT.format(name="look", outcome="review", when=_lt("experience_score", "4")),
    ),
    (
        "approve-rule",
        _ADMIT.format(name="ok", outcome="approve", when=_gte("experience_score", "4")),
        2,
        _ADMIT.format(name="ok", outcome="review", when=_gte("experience_score", "4")),
    ),
]


@pytest.mark.parametrize(("code", "planted", "line", "clean"), FINDINGS, ids=[f[0] for f in FINDINGS])
def test_each_finding_is_found_where_planted_and_not_in_its_clean_neighbour(
    code: str, planted: str, line: int, clean: str
) -> None:
    """The planted file has the finding at the line to edit (with a witness where one exists); the clean one, which
    differs only there, does not have it."""
    found = [f for f in lint_text(planted, format="toml").findings if f.code == code]
    assert [f.line for f in found][:1] == [line], lint_text(planted, format="toml")
    if code in {"gap", "overlap"}:
        assert found[0].example
    report = lint_text(clean, format="toml")
    assert report.loaded
    assert code not in {f.code for f in report.findings}, report


@settings(max_examples=40, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(tier_policies(max_rules=4, max_leaves=4), tier_conditions(max_leaves=3), st.data())
def test_a_planted_overlap_in_a_file_is_always_found_with_its_witness(
    policy: TierPolicy, extra: Condition, data: st.DataObject
) -> None:
    """Plant, anywhere in a generated policy, a rule that overlaps one of its rules (the same condition, narrowed by
    another, or widened by one), make the policy unique and write it as TOML or JSON: lint of the file always
    reports the pair at the later rule's line, with a witness both rules match, and grading it raises."""
    k = data.draw(st.integers(0, len(policy.rules) - 1), label="overlapped")
    base = policy.rules[k].when
    shape = data.draw(st.sampled_from(["same", "narrowed", "widened"]), label="shape")
    when = {"same": base, "narrowed": All((base, extra)), "widened": AnyOf((extra, base))}[shape]
    assume(find_witness(All((base, when)), TIER_INPUTS) is not None)
    at = data.draw(st.integers(0, len(policy.rules)), label="planted at")
    planted = TierRule("planted", data.draw(st.sampled_from(list(Tier))), when)
    rules = (*policy.rules[:at], planted, *policy.rules[at:])
    unique = attrs.evolve(policy, rules=rules, hit=HitPolicy.UNIQUE)
    format = data.draw(st.sampled_from(["toml", "json"]), label="format")
    text = dumps(unique, format=format)
    report = lint_text(text, format=format)
    other = rules.index(policy.rules[k])
    pair = f"{policy.rules[k].name!r} ("
    found = [f for f in report.findings if f.code == "overlap" and "'planted'" in f.message and pair in f.message]
    assert found, report
    later = max(at, other)
    assert found[0].path == f"rules[{later}]"
    assert found[0].line == build_line_index(text, format).line_of(f"rules[{later}]")
    witness = example_inputs(**dict(found[0].example))
    assert evaluate(planted.when, witness)
    assert evaluate(base, witness)
    with pytest.raises(PolicyError, match="unique"):
        unique.grade(witness)
