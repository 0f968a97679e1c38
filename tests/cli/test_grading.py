"""The grading commands: tier, explain, lint, perks (JSON contracts, files, exit statuses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fenxiao.cli.grading import GROUP
from fenxiao.grading import Tier
from fenxiao.grading.pipeline import grade_catalog
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.rules.language import Compare, Op
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps

from . import running

GROUPS = (GROUP,)


def run(argv: list[str]) -> tuple[int, str]:
    return running.run(argv, *GROUPS)


def test_tier_json_lists_every_sample_sku_with_its_tier() -> None:
    """`tier --json` prints [{"sku_id", "tier": "L0".."L5", ...}] agreeing with the object path."""
    status, text = run(["tier", "--json"])
    assert status == 0
    rows = json.loads(text)
    expected = {g.sku_id: g.decision.tier.value for g in grade_catalog(load_sample())}
    assert {r["sku_id"]: r["tier"] for r in rows} == expected
    assert all(r["tier"] in {t.value for t in Tier} for r in rows)


def test_tier_reads_a_policy_file(tmp_path: Path) -> None:
    """--policy FILE grades with that policy (TOML or JSON)."""
    everything_l2 = TierPolicy(rules=(TierRule("all", Tier.L2, Compare("units_30d", Op.GE, 0)),))
    for suffix, fmt in ((".toml", "toml"), (".json", "json")):
        path = tmp_path / f"policy{suffix}"
        path.write_text(dumps(everything_l2, format=fmt), encoding="utf-8")
        status, text = run(["tier", "--json", "--policy", str(path)])
        assert status == 0
        assert {r["tier"] for r in json.loads(text)} == {"L2"}


def test_explain_shows_the_trace_and_the_next_tier_gap() -> None:
    """`explain SKU --json` has the tier, rule, every check and the gap; text mode prints the trace."""
    graded = next(g for g in grade_catalog(load_sample()) if g.decision.next_tier_gap is not None)
    status, text = run(["explain", graded.sku_id, "--json"])
    assert status == 0
    data = json.loads(text)
    assert (data["sku_id"], data["tier"], data["rule"]) == (
        graded.sku_id,
        graded.decision.tier.value,
        graded.decision.rule,
    )
    assert data["next_tier"]["tier"] == graded.decision.next_tier_gap.tier.value  # type: ignore[union-attr]
    assert data["trace"][-1]["matched"] is True
    assert set(data["scores"]) == {"brand", "price", "distribution", "service", "sales"}
    status, text = run(["explain", graded.sku_id])
    assert status == 0
    assert f"{graded.sku_id}: {graded.decision.tier.value}" in text
    assert "next:" in text


def test_explain_translates_the_gap_into_raw_metrics() -> None:
    """The gap in metrics: `explain` lists ways up in units sold, price ... (text and JSON), each one verified."""
    status, text = run(["explain", "sku-00013"])
    assert status == 0
    assert "in metrics (each way verified by scoring and grading again):" in text
    # A shampoo below half its category's median units (2,071): the way up is half the median (issue 19).
    assert "L2: units_30d 104 → 1036 (regraded L3)" in text
    status, text = run(["explain", "sku-00013", "--json"])
    ways = json.loads(text)["next_tier_metrics"]
    assert ways[0]["moves"][0] == {"metric": "units_30d", "from": "104", "to": "1036"}
    assert all(way["reached"] >= way["tier"] for way in ways)


def test_explain_an_unknown_sku_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown id exits 2 with one line naming it."""
    status, _ = run(["explain", "sku-nope"])
    assert status == 2
    assert "sku-nope" in capsys.readouterr().err


def test_lint_passes_the_default_and_fails_a_gap(tmp_path: Path) -> None:
    """Exit 0 on the default policy; 1 with the gap finding on a gappy one."""
    good = tmp_path / "default.toml"
    good.write_text(dumps(default_tier_policy(), format="toml"), encoding="utf-8")
    assert run(["lint", str(good)]) == (0, "no findings\n")
    gappy = TierPolicy(
        rules=(
            TierRule("low", Tier.L1, Compare("composite", Op.LT, 40)),
            TierRule("high", Tier.L3, Compare("composite", Op.GE, 60)),
        )
    )
    bad = tmp_path / "gappy.json"
    bad.write_text(dumps(gappy), encoding="utf-8")
    status, text = run(["lint", str(bad), "--json"])
    assert status == 1
    assert [f["code"] for f in json.loads(text) if f["severity"] == "error"] == ["gap"]


def test_lint_reports_a_bad_file_with_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown input in a policy file exits 2 naming rules[0].when.input."""
    path = tmp_path / "bad.toml"
    path.write_text('[[rules]]\nname = "x"\ntier = "L1"\nwhen = { input = "compsite", op = ">=", value = 1 }\n')
    status, _ = run(["lint", str(path)])
    assert status == 2
    assert "rules[0].when.input" in capsys.readouterr().err


def test_perks_json_has_kinds_per_sku() -> None:
    """`perks --json`: [{"sku_id", "tier", "perks": [{"kind": ...}]}], kinds from the catalog."""
    status, text = run(["perks", "--json"])
    assert status == 0
    rows = json.loads(text)
    assert len(rows) == len(load_sample().latest_snapshots())
    kinds = {p["kind"] for r in rows for p in r["perks"]}
    assert kinds <= {"traffic_boost", "badge", "subsidy", "influencer_preferred", "access"}
    assert all({"sku_id", "tier", "perks"} <= set(r) for r in rows)


@pytest.mark.parametrize("argv", [["tier"], ["explain", "sku-00013"]])
def test_a_lone_surrogate_in_a_policy_is_one_line_naming_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """It ended in a UnicodeEncodeError traceback when the label was printed; now the policy is refused at load."""
    policy = tmp_path / "policy.json"
    rule = '{"name": "a", "tier": "L1", "when": {"input": "units_30d", "op": ">=", "value": 0}}'
    policy.write_text('{"rules": [' + rule + '], "labels": {"L1": "bad\\ud800label"}}', encoding="utf-8")
    status, _ = run([*argv, "--policy", str(policy)])
    err = capsys.readouterr().err
    assert status == 2
    assert "labels.L1" in err
    assert "lone surrogate" in err
    assert "Traceback" not in err
