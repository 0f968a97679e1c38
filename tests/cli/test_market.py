"""The admission, pool and goals commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fenxiao.cli.market import GROUP, demo_data, demo_section
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps

from . import running

GROUPS = (GROUP,)


def run(argv: list[str]) -> tuple[int, str]:
    return running.run(argv, *GROUPS)


def test_admit_decides_every_merchant_and_listing(tmp_path: object) -> None:
    """`admit FILE --json` has one decision per merchant and per listing, each non-approval with a reason."""
    path = Path(str(tmp_path)) / "application.json"
    catalog = load_sample()
    path.write_text(dumps(catalog), encoding="utf-8")
    status, text = run(["admit", str(path), "--json"])
    assert status == 0
    rows = json.loads(text)
    assert len(rows) == len(catalog.merchants) + len(catalog.listings)
    assert all(r["reasons"] for r in rows if r["outcome"] != "approve")
    assert {r["outcome"] for r in rows} <= {"approve", "review", "reject"}


def test_pool_ranks_for_an_influencer_with_filters() -> None:
    """`pool --influencer ID --min-tier L2 --json` returns only L2+ listings, ranked, with reasons."""
    influencer = load_sample().influencers[0]
    status, text = run(["pool", "--influencer", influencer.id, "--min-tier", "L2", "--json", "--page-size", "50"])
    assert status == 0
    data = json.loads(text)
    assert data["items"]
    assert all(item["tier"] in {"L2", "L3", "L4", "L5"} for item in data["items"])
    points = [item["points"] for item in data["items"]]
    assert points == sorted(points, reverse=True)
    assert all(item["reasons"] for item in data["items"])


def test_goals_reports_the_four_public_targets() -> None:
    """`goals --json` lists the four default goals with counts."""
    status, text = run(["goals", "--json", "--orders", "120"])
    assert status == 0
    data = json.loads(text)
    assert [g["goal"] for g in data] == [
        "super-brands",
        "hundred-million-merchants",
        "million-unit-skus",
        "hundred-million-leaders",
    ]
    assert all(g["reached"] == len(g["achieved"]) for g in data)
    status, text = run(["goals"])
    assert status == 0
    assert "10个10亿+超级品牌" in text


@pytest.mark.parametrize(
    ("option", "value"), [("--min-commission", "abc"), ("--price-low", "1.001"), ("--price-high", "x")]
)
def test_a_malformed_pool_filter_names_its_option(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad rate or price filter exits 2 with one line naming the option and the value."""
    influencer = load_sample().influencers[0]
    assert run(["pool", "--influencer", influencer.id, option, value]) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith(f"fenxiao pool: {option}: ")
    assert err.count("\n") == 1


def test_the_demo_shows_clearance_and_new_goods_in_the_pool() -> None:
    """Issue 19 in the demo: the clearance pass (removed and watched, one example with its reason) and the pool's
    note that new L0 goods are listed; the data has every clearance decision with its reasons."""
    catalog = load_sample()
    text = demo_section(catalog)
    assert "Clearance (清退): the same criteria on who is already in: 3 merchants and 6 listings removed" in text
    assert "new L0 goods included: goods enter the pool on joining" in text
    data = demo_data(catalog)
    removed = [d for d in data["clearance"] if d["action"] == "remove"]
    assert len(removed) == 9
    assert all(d["reasons"] for d in removed)
