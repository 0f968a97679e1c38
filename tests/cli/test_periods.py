"""The ``period`` command: a state file carried from period to period, reports for ``drift``, bad input as one line."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from fenxiao.cli.periods import GROUP, demo_periods, demo_section, write_atomically
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy, TierRule
from fenxiao.periods.report import PeriodReport
from fenxiao.periods.run import run_period
from fenxiao.periods.schedule import Schedule
from fenxiao.periods.state import ProgramState
from fenxiao.rules.language import Compare, Op
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps, load

from . import running


def run(argv: list[str]) -> tuple[int, str]:
    return running.run(argv, GROUP)


def test_two_periods_carry_the_state_file_and_write_reports(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    status, text = run(["period", "--period", "w1", "--state", str(state), "--report", str(tmp_path / "r1.json")])
    assert status == 0
    assert "200 SKUs graded (200 for the first time, 0 changed tier, 0 held by hysteresis)" in text
    saved = load(state, ProgramState)
    assert saved == run_period(load_sample(), period="w1").state
    report = load(tmp_path / "r1.json", PeriodReport)
    assert report.period == "w1"
    assert len(report.rows) == len(load_sample().skus)
    status, text = run(["period", "--period", "w2", "--state", str(state), "--as-of", "2026-11-27T00:00+08:00"])
    assert status == 0
    assert load(state, ProgramState).periods == ("w1", "w2")


def test_json_prints_the_report(tmp_path: Path) -> None:
    status, text = run(["period", "--period", "w1", "--state", str(tmp_path / "s.json"), "--json"])
    assert status == 0
    data = json.loads(text)
    assert data["period"] == "w1"
    assert {row["effective"] for row in data["rows"]} <= {t.value for t in Tier}


def test_a_policy_file_replaces_the_models_policy(tmp_path: Path) -> None:
    policy = TierPolicy(rules=(TierRule("all", Tier.L2, Compare("units_30d", Op.GE, 0)),), name="flat")
    (tmp_path / "p.toml").write_text(dumps(policy, format="toml"), encoding="utf-8")
    status, text = run(
        [
            "period",
            "--period",
            "w1",
            "--state",
            str(tmp_path / "s.json"),
            "--policy",
            str(tmp_path / "p.toml"),
            "--json",
        ]
    )
    assert status == 0
    data = json.loads(text)
    assert {row["decided"] for row in data["rows"]} == {"L2"}
    assert data["models"]["policy"] == "flat@1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--as-of", "2026-11-27T00:00"], "--as-of: must carry a UTC offset"),
        (["--as-of", "next week"], "--as-of: is not an ISO 8601 timestamp"),
        (["--policy", "missing.toml"], "missing.toml"),
    ],
)
def test_bad_options_are_one_line_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, _ = run(["period", "--period", "w1", "--state", str(tmp_path / "s.json"), *argv])
    assert status == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "s.json").exists()  # nothing written on failure


def test_a_bad_state_file_names_the_file_and_the_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    state.write_text('{"skus": {"a": {"sku_id": "a", "effective": "L9"}}}', encoding="utf-8")
    status, _ = run(["period", "--period", "w1", "--state", str(state)])
    assert status == 2
    err = capsys.readouterr().err
    assert f"invalid program state {state}" in err
    assert "skus[a].effective: must be one of" in err
    assert state.read_text(encoding="utf-8").startswith('{"skus"')  # left as it was


def test_a_period_already_run_is_refused_and_the_state_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    assert run(["period", "--period", "w1", "--state", str(state)])[0] == 0
    before = state.read_bytes()
    assert run(["period", "--period", "w1", "--state", str(state)])[0] == 2
    assert "was already run on this state" in capsys.readouterr().err
    assert state.read_bytes() == before


def test_a_write_that_fails_midway_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)

    def crash(_: int) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk gone"):
        write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary left behind
    monkeypatch.undo()
    write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_the_demo_holds_one_sku_by_hysteresis() -> None:
    first, second, chosen = demo_periods(load_sample())
    row = second.report.row(chosen)
    assert row.held
    assert row.effective == first.report.row(chosen).effective
    assert second.report.held() == (row,)
    text = demo_section(load_sample())
    assert f"{chosen} sold almost nothing in week 2" in text


def test_a_schedule_file_gives_the_models_in_force(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "data" / "schedule_example.toml"
    schedule = load(example, Schedule)
    first = min(e.effective_from for e in schedule.policies)
    as_of = (first + timedelta(days=1)).isoformat()
    state = str(tmp_path / "s.json")
    status, text = run(
        ["period", "--period", "w1", "--state", state, "--schedule", str(example), "--as-of", as_of, "--json"]
    )
    assert status == 0
    assert "(policies[" in json.loads(text)["models"]["policy"]
    assert run(["period", "--period", "w2", "--state", state, "--schedule", str(example), "--policy", "x.toml"])[0] == 2


def test_a_budgets_file_replaces_the_models_budgets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--budgets reads a budgets file (its kind's checks included) into the models; not with --schedule."""
    budgets = tmp_path / "budgets.toml"
    budgets.write_text('name = "w"\n\n[[budgets]]\nname = "official-subsidy"\ntotal = "100.00"\n', encoding="utf-8")
    state = str(tmp_path / "s.json")
    status, text = run(["period", "--period", "w1", "--state", state, "--budgets", str(budgets), "--json"])
    assert status == 0
    data = json.loads(text)
    assert data["models"]["budgets"] == "official-subsidy"
    assert set(data["spent"]) == {"official-subsidy"}
    budgets.write_text(
        '[[budgets]]\nname = "a"\ntotal = "1.00"\n\n[[budgets]]\nname = "a"\ntotal = "2.00"\n', encoding="utf-8"
    )
    assert run(["period", "--period", "w2", "--state", state, "--budgets", str(budgets)])[0] == 2
    assert f"invalid budgets {budgets}" in capsys.readouterr().err
    example = Path(__file__).resolve().parent.parent / "data" / "schedule_example.toml"
    status, _ = run(["period", "--period", "w2", "--state", state, "--schedule", str(example), "--budgets", "b.toml"])
    assert status == 2
    assert "--budgets" in capsys.readouterr().err
