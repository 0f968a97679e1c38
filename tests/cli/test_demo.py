"""The ``demo`` command: the catalog summary, every group's section (concise, or whole with ``--all``), its JSON, and
bad catalog files as one line."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from fenxiao.grading.perks import PerkCatalog
from fenxiao.grading.pipeline import grade_catalog
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.money import Money
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps, load, to_dict

from .running import run


@pytest.fixture(scope="module")
def full() -> str:
    """What ``demo --all`` prints on the sample (run once for the module's tests)."""
    status, text = run(["demo", "--all"])
    assert status == 0
    return text


@pytest.fixture(scope="module")
def concise() -> str:
    """What ``demo`` prints on the sample (run once for the module's tests)."""
    status, text = run(["demo"])
    assert status == 0
    return text


def test_demo_all_prints_the_sample_summary_and_exits_0(full: str) -> None:
    """The header counts every collection; the table has a row per category and a total row."""
    text = full
    sample = load_sample()
    lines = text.splitlines()
    assert lines[0].startswith(f"Sample catalog: {len(sample.skus)} SKUs, {len(sample.merchants)} merchants, ")
    assert f"{len(sample.categories)} third-level categories" in lines[0]
    for category in sample.categories:
        assert any(line.startswith(str(category)) for line in lines), category
    total = Money(sum(s.gmv_30d.fen for s in sample.latest_snapshots()))
    assert lines[0].endswith(f"30-day GMV {total.format(grouping=True)}")
    summary = lines[: lines.index("", 2)]  # the summary table ends at the first blank line after it
    assert summary[-1].split()[:2] == ["total", str(len(sample.skus))]
    assert summary[-1].split()[-2] == total.format(grouping=True)


def test_demo_shows_the_whole_pipeline_and_the_three_problems(full: str, concise: str) -> None:
    """After the summary: five scores, tiers and perks, a settlement, admission, the pool and the goals; every SKU
    with --all."""
    text = full
    for heading in (
        "Five-dimension scores (五维评分)",
        "Five scores, tier and perks of every SKU",
        "Tier distribution per third-level category",
        "Settlement (profile kuaishou)",
        "One unit refunded after settlement",
        "1. Getting in (准入)",
        "2. Finding good goods (选品)",
        "3. Good goods in more categories",
        "Program goals over",
        "Team leaders (招商团长)",
        "A season, week by week",
    ):
        assert heading in text, heading
        assert heading in concise, heading
    for sku in load_sample().latest_snapshots():
        assert any(line.startswith(sku.sku_id + " ") for line in text.splitlines()), sku.sku_id


def test_demo_shows_each_domain_rule_on_the_sample(concise: str) -> None:
    """Issue 19: every rule the domain work added shows in the demo, on the sample catalog."""
    text = " ".join(concise.split())  # lines are wrapped at 100 columns
    for shown in (
        "The same sale under each shipped platform preset",  # the Taobao preset beside the others
        "taobao",
        "The merchant's own stream (自播)",
        "Order.own_stream is True",
        "of them from the merchants' own streams",  # own-stream orders counted in the goals
        "is signed to",  # the MCN agency's contract from the catalog
        "Level gate:",
        "Exclusive plans: a 25% plan closed and a 5% one opened the next day is refused",
        "Activity enrollment (招商报名)",
        "at 8% it is rejected",
        "terminating it the next day is refused",
        "Period volume (阶梯佣金 over a week)",
        "to its MCN",
        "estimated from its goods' snapshots (measure_shops)",
        "review - low-shop-gmv",  # the shop's record in admission
        "Clearance (清退)",
        "goods enter the pool on joining",
        "MCN agencies",
    ):
        assert shown in text, shown


def test_demo_shows_gmv_with_thousands_separators(full: str) -> None:
    """Amounts of a thousand yuan or more are grouped: ¥1,234,567.89."""
    lines = full.splitlines()
    summary = lines[4 : lines.index("", 2)]  # after the header, blank, titles and rule; up to the blank line
    gmv_cells = [line.split()[-2] for line in summary]
    assert all(cell.startswith("¥") for cell in gmv_cells)
    assert any("," in cell for cell in gmv_cells)


def test_demo_reads_a_catalog_file_and_names_it(tmp_path: Path, full: str) -> None:
    """demo --catalog FILE summarises that file under its own name, not as the sample; the deprecated positional
    FILE still does the same."""
    path = tmp_path / "mine.json"
    path.write_text(dumps(load_sample()), encoding="utf-8")
    status, text = run(["demo", "--all", "--catalog", str(path)])
    assert status == 0
    assert text.startswith(f"Catalog {path}: 200 SKUs")
    assert text.splitlines()[1:] == full.splitlines()[1:]
    assert run(["demo", "--all", str(path)]) == (0, text)


def test_demo_is_concise_within_100_columns(full: str, concise: str) -> None:
    """The default view cuts long tables to their top and bottom rows and fits every line in 100 columns (Chinese
    counts two); --all shows every row."""
    assert max(_columns(line) for line in concise.splitlines()) <= 100
    assert len(concise.splitlines()) < 300 < len(full.splitlines())  # 300: issue 19 added the rules around an order
    assert "more rows (python -m fenxiao demo --all shows every row)" in concise
    assert "more rows" not in full


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_demo_json_holds_every_sections_data() -> None:
    """--json prints one object: the summary under ``catalog``, then each group's data under the group's name."""
    status, text = run(["demo", "--json"])
    assert status == 0
    data = json.loads(text)
    sample = load_sample()
    assert data["catalog"]["skus"] == len(sample.skus)
    assert data["catalog"]["gmv_30d"] == Money(sum(s.gmv_30d.fen for s in sample.latest_snapshots())).to_text()
    assert {"score", "grading", "split", "market", "periods", "changes", "ledger"} <= set(data)
    assert len(data["grading"]["skus"]) == len(sample.latest_snapshots())
    assert data["market"]["pool"]["items"]
    assert data["ledger"]["equal_to_in_memory_ledger"] is True


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.json", None, "cannot be read"),
        ("catalog.csv", "", "must end in .json or .toml"),
        ("broken.json", "{", "is not valid json"),
    ],
)
def test_a_bad_catalog_file_is_one_line_on_stderr_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str | None, expected: str
) -> None:
    """Missing, misnamed or unparsable files are reported in one line naming the problem, never a traceback."""
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status, text = run(["demo", "--catalog", str(path)])
    captured = capsys.readouterr()
    assert status == 2
    assert text == ""
    assert "Traceback" not in captured.err
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines[0].startswith("fenxiao demo: ")
    assert expected in captured.err
    assert str(path) in lines[0]
    if name != "broken.json":  # a parse error adds the parser's detail on a second line
        assert len(lines) == 1


def test_an_inconsistent_catalog_file_names_the_bad_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dangling reference inside the file is reported with the file and the reference's path, exit status 2."""
    data = to_dict(load_sample())
    data["skus"][3]["merchant_id"] = "m-404"
    path = tmp_path / "dangling.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    status, _ = run(["demo", str(path)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"fenxiao demo: invalid catalog {path} (1 problem):")
    assert "skus[3].merchant_id" in err
    assert "m-404" in err
    assert "Traceback" not in err


def test_demo_grades_with_the_model_files_given(tmp_path: Path) -> None:
    """--policy, --scorecards and --perks reach every section that grades, and the text names the files."""

    policy_file = tmp_path / "strict.toml"
    text = dumps(default_tier_policy(), format="toml").replace('value = "90"', 'value = "99"', 1)
    policy_file.write_text(text, encoding="utf-8")
    perks_file = tmp_path / "no-perks.toml"
    perks_file.write_text(dumps(PerkCatalog(entries=()), format="toml"), encoding="utf-8")
    policy = load(policy_file, TierPolicy)
    assert policy != default_tier_policy()

    status, out = run(["demo", "--json", "--policy", str(policy_file), "--perks", str(perks_file)])
    assert status == 0
    data = json.loads(out)
    expected = grade_catalog(load_sample(), policy=policy, perks=PerkCatalog(entries=()), explain=False)
    assert [(s["sku_id"], s["tier"]) for s in data["grading"]["skus"]] == [
        (g.sku_id, g.decision.tier.value) for g in expected
    ]
    assert all(s["perks"] == [] for s in data["grading"]["skus"])
    default_l5 = sum(g.decision.tier.value == "L5" for g in grade_catalog(load_sample(), explain=False))
    assert sum(s["tier"] == "L5" for s in data["grading"]["skus"]) <= default_l5

    status, out = run(["demo", "--all", "--policy", str(policy_file)])
    assert status == 0
    assert f"(default scorecards, tier policy {policy_file}, default perk catalog)" in out
    assert "What if the L5 bar (精选好物) moved to composite 88?" in out
    assert f"the policy {policy_file} with its L5 bar at composite 88" in out


def test_demo_names_a_bad_model_file_by_its_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing --policy file is one line naming --policy, status 2."""
    status, text = run(["demo", "--policy", str(tmp_path / "missing.toml")])
    assert (status, text) == (2, "")
    assert capsys.readouterr().err.startswith("fenxiao demo: --policy: cannot be read")
