"""The changes commands: diff (what-if of two sets of models) and drift (two period reports side by side)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from fenxiao.cli.changes import GROUP, demo_section
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import default_perk_catalog
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.periods.diff import ModelDiff, measure_diff
from fenxiao.periods.drift import PeriodComparison, measure_drift
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.rules.language import All, Compare
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps, loads

from . import running

AT = datetime(2026, 11, 30, tzinfo=UTC)


def run(argv: list[str]) -> tuple[int, str]:
    return running.run(argv, GROUP)


def l5_bar_at_88() -> TierPolicy:
    """The default tier policy with the composite bar of its L5 rule at 88 instead of 90."""
    policy = default_tier_policy()

    def lower(condition: object) -> object:
        if isinstance(condition, Compare) and condition.input == "composite":
            return attrs.evolve(condition, value=Decimal(88))
        return condition

    rules = tuple(
        attrs.evolve(r, when=All(tuple(lower(c) for c in r.when.conditions)))
        if r.tier is Tier.L5 and isinstance(r.when, All)
        else r
        for r in policy.rules
    )
    return attrs.evolve(policy, rules=rules)


@pytest.fixture
def lowered(tmp_path: Path) -> Path:
    """The default tier policy with its L5 bar at composite 88, as a TOML file."""
    path = tmp_path / "l5-88.toml"
    path.write_text(dumps(l5_bar_at_88(), format="toml"), encoding="utf-8")
    return path


def _row(sku: str, composite: int, tier: Tier, rule: str, category: str = "c-1") -> SkuPeriod:
    scores = {d: Decimal(composite) for d in ("brand", "price", "distribution", "service", "sales")}
    return SkuPeriod(sku, category, "m-1", scores, Decimal(composite), tier, rule, None, tier)


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, Path, PeriodReport, PeriodReport]:
    """Two period reports (October, November) written as the serializer writes them."""
    a = PeriodReport(
        "2026-10",
        AT,
        (
            _row("s-1", 50, Tier.L2, "qualified"),
            _row("s-2", 55, Tier.L2, "qualified"),
            _row("s-3", 20, Tier.L1, "selling"),
        ),
    )
    b = PeriodReport(
        "2026-11",
        AT,
        (
            _row("s-1", 52, Tier.L2, "qualified"),
            _row("s-2", 65, Tier.L3, "quality"),
            _row("s-4", 92, Tier.L5, "top", "c-2"),
        ),
    )
    path_a, path_b = tmp_path / "october.json", tmp_path / "november.json"
    path_a.write_text(dumps(a), encoding="utf-8")
    path_b.write_text(dumps(b), encoding="utf-8")
    return path_a, path_b, a, b


# -- diff ------------------------------------------------------------------------------------------------


def test_diff_json_is_the_model_diff_in_its_file_form(lowered: Path) -> None:
    """--json prints what dumps(ModelDiff) writes: it reads back equal to measure_diff on the same models."""
    status, text = run(["diff", "--policy", str(lowered), "--against", str(lowered), "--json"])
    assert status == 0
    assert loads(text, ModelDiff).empty
    status, text = run(["diff", "--against", str(lowered), "--json"])
    assert status == 0
    data = json.loads(text)
    assert set(data) == {"as_of", "base", "other", "total", "categories", "changes"}
    assert [c["sku_id"] for c in data["changes"]] == ["sku-00044", "sku-00143"]
    assert (data["changes"][0]["before"], data["changes"][0]["after"]) == ("L4", "L5")
    assert data["total"]["subsidy_after"] == "80432.72"
    expected = measure_diff(load_sample(), Models(), Models(policy=l5_bar_at_88()))
    assert loads(text, ModelDiff) == expected


def test_diff_prints_the_matrix_the_categories_and_the_skus(lowered: Path) -> None:
    """Text: a summary line, the 6 × 6 migration table, categories with a change, and each changed SKU."""
    status, text = run(["diff", "--against", str(lowered)])
    assert status == 0
    lines = text.splitlines()
    assert lines[0].startswith("What-if diff as of 2026-11-20T00:00:00+08:00: A = policy (default)")
    assert lines[1].startswith("200 SKUs graded: 2 change (2 move tier, 0 change perks only)")
    assert "(+¥28,670.42)" in lines[1]
    l4 = next(line for line in lines if line.startswith("L4 "))
    assert l4.split() == ["L4", ".", ".", ".", ".", "15", "2", "17"]
    assert any(line.startswith("sku-00044  c-storage  L4 → L5") for line in lines)
    assert any(line.split()[:4] == ["all", "200", "2", "2"] for line in lines)


def test_diff_reads_perk_catalogs_and_a_catalog_file(tmp_path: Path) -> None:
    """--perks / --against-perks compare perk catalogs; --catalog reads a catalog file."""
    catalog = default_perk_catalog()
    without_subsidy = type(catalog)(tuple(e for e in catalog.entries if e.perk.kind != "subsidy"), "no-subsidy", "1")
    perks = tmp_path / "perks.json"
    perks.write_text(dumps(without_subsidy), encoding="utf-8")
    sample = tmp_path / "catalog.json"
    sample.write_text(dumps(load_sample()), encoding="utf-8")
    status, text = run(["diff", "--catalog", str(sample), "--against-perks", str(perks), "--json"])
    assert status == 0
    diff = loads(text, ModelDiff)
    assert diff.other["perks"] == "no-subsidy@1"
    assert diff.migration.moved() == ()
    assert {c.lost for c in diff.changes} == {("official-subsidy",)}
    assert diff.total.subsidy_after.fen == 0
    status, text = run(["diff", "--perks", str(perks), "--against-perks", str(perks)])
    assert status == 0
    assert "No SKU changes tier or perks." in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read"),
        ("name = [", "is not valid toml"),
        ('name = "x"\n[[entries]]\nname = "e"\n', "tier policy"),
    ],
)
def test_diff_reports_a_bad_policy_file_in_one_line(
    tmp_path: Path, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file, bad TOML, or a file that is not a tier policy: exit 2, one line naming it, no traceback."""
    path = tmp_path / "policy.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status, text = run(["diff", "--against", str(path)])
    err = capsys.readouterr().err
    assert (status, text) == (2, "")
    assert err.startswith("fenxiao diff: ")
    assert message in err
    assert "Traceback" not in err


# -- drift -------------------------------------------------------------------------------------------------


def test_drift_json_is_the_comparison_in_its_file_form(reports: tuple[Path, Path, PeriodReport, PeriodReport]) -> None:
    """--json reads back equal to measure_drift of the two reports; --decided migrates decided tiers."""
    path_a, path_b, a, b = reports
    status, text = run(["drift", str(path_a), str(path_b), "--json"])
    assert status == 0
    assert loads(text, PeriodComparison) == measure_drift(a, b)
    data = json.loads(text)
    assert set(data) == {"period_a", "period_b", "decided", "migration", "only_a", "only_b", "drift", "rule_hits"}
    assert (data["only_a"], data["only_b"]) == (["s-3"], ["s-4"])
    status, text = run(["drift", str(path_a), str(path_b), "--decided", "--json"])
    assert loads(text, PeriodComparison) == measure_drift(a, b, decided=True)


def test_drift_prints_the_migration_the_rules_and_the_psi(
    reports: tuple[Path, Path, PeriodReport, PeriodReport],
) -> None:
    """Text: the head line, the migration table, rule hits side by side, a PSI table with its reading marks."""
    path_a, path_b, _, _ = reports
    status, text = run(["drift", str(path_a), str(path_b)])
    assert status == 0
    lines = text.splitlines()
    assert lines[0] == "Periods 2026-10 → 2026-11: 2 SKUs in both, 1 only in 2026-10, 1 only in 2026-11"
    l2 = next(line for line in lines if line.startswith("L2 "))
    assert l2.split() == ["L2", ".", ".", "1", "1", ".", ".", "2"]
    assert next(line for line in lines if line.startswith("qualified")).split() == ["qualified", "2", "1", "-1"]
    psi = next(line for line in lines if line.startswith("c-2 "))
    assert set(psi.split()[1:]) == {"-"}  # no SKU of c-2 in October: no PSI
    everything = next(line for line in lines if line.startswith("all "))
    assert everything.split()[-1].endswith("**")  # the composite moved a lot: significant


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot be read"), ('{"skus": []}', "period report"), ("{", "is not valid json")],
)
def test_drift_reports_a_bad_report_file_in_one_line(
    reports: tuple[Path, Path, PeriodReport, PeriodReport],
    tmp_path: Path,
    content: str | None,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A missing file, a JSON document that is not a period report, broken JSON: exit 2, one line, no traceback."""
    path = tmp_path / "other.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status, text = run(["drift", str(reports[0]), str(path)])
    err = capsys.readouterr().err
    assert (status, text) == (2, "")
    assert err.startswith("fenxiao drift: ")
    assert message in err
    assert "Traceback" not in err


def test_the_demo_section_shows_the_l5_bar_what_if() -> None:
    """The demo's part: the question, the summary line and the two SKUs that move."""
    text = demo_section(load_sample())
    assert text.startswith("What if the L5 bar (精选好物) moved from composite 90 to 88?")
    assert "200 SKUs graded: 2 change" in text
    assert "sku-00143  c-running  L4 → L5" in text


def test_drift_reads_the_reports_the_period_command_writes(tmp_path: Path, lowered: Path) -> None:
    """period --report twice (the second with the L5 bar at 88), then drift: the two SKUs move L4 → L5."""
    state = tmp_path / "state.json"
    for period, as_of, extra in (
        ("week-1", "2026-11-20T00:00:00+08:00", []),
        ("week-2", "2026-11-27T00:00:00+08:00", ["--policy", str(lowered)]),
    ):
        argv = ["period", "--period", period, "--state", str(state), "--as-of", as_of]
        status, _ = running.run([*argv, "--report", str(tmp_path / f"{period}.json"), *extra])
        assert status == 0
    status, text = running.run(["drift", str(tmp_path / "week-1.json"), str(tmp_path / "week-2.json"), "--json"])
    assert status == 0
    comparison = loads(text, PeriodComparison)
    assert [(c.before, c.after, c.sku_ids) for c in comparison.migration.moved()] == [
        (Tier.L4, Tier.L5, ("sku-00044", "sku-00143"))
    ]
