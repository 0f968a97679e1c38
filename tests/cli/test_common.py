"""What the command groups share: catalog files, tables and JSON."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest

from fenxiao import ValidationError, cli
from fenxiao.cli.common import catalog_summary, load_catalog, render_table, write_json
from fenxiao.cli.contract import CommandGroup
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps, to_dict


def test_render_table_aligns_cjk_text_by_display_width() -> None:
    """Chinese characters count as two columns, so columns line up in a terminal."""
    table = render_table(["name", "n"], [["连衣裙", 5], ["T恤", 12]])
    lines = table.splitlines()
    assert lines == ["name     n", "------  --", "连衣裙   5", "T恤     12"]


def test_the_summary_title_can_be_chosen() -> None:
    """catalog_summary names what it summarises."""
    assert catalog_summary(load_sample(), title="Benchmark").startswith("Benchmark: 200 SKUs")


def test_no_catalog_file_means_the_built_in_sample() -> None:
    """load_catalog(None) is the sample every command uses by default."""
    assert load_catalog(None) == load_sample()


def test_a_catalog_file_reads_back_and_a_bad_one_names_the_file(tmp_path: Path) -> None:
    """A valid file loads; an invalid one raises ValidationError naming the file and the bad place."""
    path = tmp_path / "catalog.json"
    path.write_text(dumps(load_sample()), encoding="utf-8")
    assert load_catalog(str(path)) == load_sample()
    data = to_dict(load_sample())
    data["skus"][0]["merchant_id"] = "m-404"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError, match=rf"(?s)catalog {re.escape(str(path))}.*skus\[0\]\.merchant_id"):
        load_catalog(str(path))


def test_write_json_keeps_chinese_and_ends_with_a_newline() -> None:
    """Every --json output is indented, keeps 中文 readable and ends in one newline."""
    out = StringIO()
    write_json(out, [{"label": "精选好物"}])
    assert out.getvalue() == '[\n  {\n    "label": "精选好物"\n  }\n]\n'


def test_the_package_face_offers_the_shared_helpers_and_the_contract() -> None:
    """``from fenxiao.cli import render_table`` works as it did when the command line was one module."""
    assert cli.render_table is render_table
    assert cli.catalog_summary is catalog_summary
    assert cli.load_catalog is load_catalog
    assert cli.CommandGroup is CommandGroup
