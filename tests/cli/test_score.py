"""``python -m fenxiao score`` and ``scorecards``, and the demo's five-dimension section."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from fenxiao.cli.score import GROUP, demo_section, score_catalog
from fenxiao.domain.catalog import Catalog
from fenxiao.sample import generate_catalog, load_sample
from fenxiao.scoring.dimensions import Dimension
from fenxiao.scoring.scorecards import Scorecards, default_scorecards
from fenxiao.serialization import dumps, loads

from . import running

GROUPS = (GROUP,)


def run(*argv: str) -> tuple[int, str]:
    return running.run(argv, *GROUPS)


def test_score_json_lists_every_sku_with_exact_decimal_strings() -> None:
    """--json: sku_id, scores keyed brand..sales as "72.50"-style strings, composite."""
    status, text = run("score", "--json")
    assert status == 0
    rows = json.loads(text)
    cards = score_catalog(load_sample())
    assert [r["sku_id"] for r in rows] == [c.sku_id for c in cards]
    first = rows[0]
    assert set(first) >= {"sku_id", "scores", "composite"}
    assert list(first["scores"]) == ["brand", "price", "distribution", "service", "sales"]
    for row, card in zip(rows, cards, strict=True):
        assert row["composite"] == str(card.composite)
        assert all(len(v.split(".")[1]) == 2 for v in row["scores"].values())
        assert Decimal(row["scores"]["service"]) == card.service.value


def test_score_prints_a_table_with_one_row_per_sku() -> None:
    """The table has a header, a rule and a row per SKU, labelled in Chinese and English."""
    status, text = run("score")
    lines = text.splitlines()
    assert status == 0
    assert lines[0].split()[:3] == ["SKU", "category", "品牌力"]
    assert len(lines) == 2 + len(load_sample().latest_snapshots())
    card = score_catalog(load_sample())[0]
    assert lines[2].split()[0] == card.sku_id
    assert lines[2].split()[-1] == str(card.composite)


def test_score_reads_a_catalog_file(tmp_path: Path) -> None:
    """A catalog given on the command line is scored instead of the sample."""
    small = generate_catalog(seed=3, skus=6)
    path = tmp_path / "small.json"
    path.write_text(dumps(small), encoding="utf-8")
    status, text = run("score", str(path), "--json")
    assert status == 0
    assert [r["composite"] for r in json.loads(text)] == [str(c.composite) for c in score_catalog(small)]
    empty = tmp_path / "empty.json"
    empty.write_text(dumps(Catalog()), encoding="utf-8")
    assert run("score", str(empty), "--json") == (0, "[]\n")


def test_score_uses_a_scorecards_file(tmp_path: Path) -> None:
    """--scorecards changes the model: all weight on sales makes the composite the sales value."""
    path = tmp_path / "model.toml"
    path.write_text('[weights]\nbrand = "0"\nprice = "0"\ndistribution = "0"\nservice = "0"\nsales = "1"\n')
    status, text = run("score", "--json", "--scorecards", str(path))
    assert status == 0
    assert all(row["composite"] == row["scores"]["sales"] for row in json.loads(text))


def test_a_bad_scorecards_file_is_one_line_on_stderr_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Errors name the path in the file; no traceback."""
    path = tmp_path / "bad.toml"
    path.write_text('[service.refund_rate]\nbreakpoints = [["0.2", "1"], ["0.1", "0"]]\n')
    status, _ = run("score", "--scorecards", str(path))
    assert status == 2
    assert "service.refund_rate.breakpoints[1]: x values must increase" in capsys.readouterr().err


def test_scorecards_prints_the_defaults_as_toml_and_json_that_load_back() -> None:
    """The printed defaults are a valid starting file in either format."""
    status, text = run("scorecards")
    assert status == 0
    assert "[service.refund_rate]" in text
    assert loads(text, Scorecards, format="toml") == default_scorecards()
    assert tomllib.loads(text)["weights"] == {d.value: "0.2" for d in Dimension}
    status, text = run("scorecards", "--format", "json")
    assert loads(text, Scorecards) == default_scorecards()


def test_the_demo_section_shows_the_five_scores_of_the_sample() -> None:
    """Per-dimension spread and the top five SKUs by composite."""
    text = demo_section(load_sample())
    cards = score_catalog(load_sample())
    assert text.startswith(f"Five-dimension scores (五维评分) of {len(cards)} SKUs")
    for dimension in Dimension:
        assert str(dimension) in text
    best = max(cards, key=lambda c: (c.composite, [-ord(ch) for ch in c.sku_id]))
    assert f"{best.sku_id}" in text.split("Top 5 by composite:")[1]
    status, demo = run("demo", "--all")
    assert status == 0
    assert text in demo


def test_the_demo_section_of_an_empty_catalog_says_so() -> None:
    """Nothing to score is not an error."""
    assert demo_section(Catalog()) == "Five-dimension scores (五维评分): no snapshots to score."
