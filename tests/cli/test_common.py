"""What the command groups share: the catalog and model options, options read into values, tables in a view, JSON."""

from __future__ import annotations

import argparse
import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fenxiao import ValidationError, cli
from fenxiao.cli import common
from fenxiao.cli.common import (
    CONCISE,
    FULL,
    TableView,
    add_catalog_option,
    add_model_options,
    catalog_path,
    catalog_summary,
    catalog_summary_data,
    current_view,
    load_catalog,
    load_file,
    money_option,
    rate_option,
    read_models,
    render_table,
    table_view,
    whole_number,
    wrap_line,
    write_json,
)
from fenxiao.cli.contract import CommandGroup
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy, TierRule
from fenxiao.money import Money, Rate
from fenxiao.periods.models import Models
from fenxiao.rules.language import Compare, Op
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


# -- the options every command shares ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_catalog_option(parser)
    add_model_options(parser)
    return parser


def test_the_catalog_is_the_option_or_the_deprecated_positional_but_not_both() -> None:
    """--catalog FILE and the hidden positional CATALOG name the same thing; neither means the sample (None)."""
    parser = _parser()
    assert catalog_path(parser.parse_args([])) is None
    assert catalog_path(parser.parse_args(["--catalog", "a.json"])) == "a.json"
    assert catalog_path(parser.parse_args(["a.json"])) == "a.json"
    with pytest.raises(InvalidValueError, match=r"^--catalog: is given twice"):
        catalog_path(parser.parse_args(["a.json", "--catalog", "b.json"]))
    assert "CATALOG" not in parser.format_help()


def test_a_file_that_cannot_be_read_is_named_by_its_option(tmp_path: Path) -> None:
    """load_file reports a missing file or a wrong suffix under the option's name; an invalid file names the file."""
    with pytest.raises(InvalidValueError, match=r"^--policy: cannot be read"):
        load_file(str(tmp_path / "missing.toml"), TierPolicy, option="--policy", what="tier policy")
    with pytest.raises(InvalidValueError, match=r"^--catalog: must end in .json or .toml"):
        load_catalog(str(tmp_path / "catalog.yaml"))
    bad = tmp_path / "policy.toml"
    bad.write_text('name = ""\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=rf"^invalid tier policy {re.escape(str(bad))} "):
        load_file(str(bad), TierPolicy, option="--policy", what="tier policy")


def test_read_models_replaces_only_the_parts_given(tmp_path: Path) -> None:
    """Each of --scorecards, --policy and --perks replaces its part of the models; the rest stay the defaults."""
    policy = TierPolicy(rules=(TierRule("all", Tier.L2, Compare("units_30d", Op.GE, 0)),))
    path = tmp_path / "policy.json"
    path.write_text(dumps(policy), encoding="utf-8")
    models = read_models(_parser().parse_args(["--policy", str(path)]))
    assert models == Models(policy=policy)
    assert read_models(_parser().parse_args([])) == Models()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("20", "--commission: is above 100% (did you mean 20%?), got '20'"),
        ("100", "--commission: is above 100% (did you mean 100%?), got '100'"),
        ("150%", "--commission: is above 100%, got '150%'"),
        ("101", "--commission: is above 100%, got '101'"),
        ("-5%", "--commission: is below 0%, got '-5%'"),
    ],
)
def test_a_rate_above_one_without_percent_suggests_the_percentage(text: str, message: str) -> None:
    """A plain number from just above 1 to 100 was most likely meant in percent: the message says so."""
    with pytest.raises(InvalidValueError) as caught:
        rate_option(text, "--commission")
    assert str(caught.value) == message


@given(st.decimals(min_value=0, max_value=1, places=4))
def test_a_rate_from_0_to_1_reads_as_a_fraction(value: Decimal) -> None:
    """Every number from 0 to 1 is a valid rate as written, with or without %: no hint is ever needed."""
    assert rate_option(str(value), "--commission") == Rate.of(value)


def test_an_amount_must_not_be_negative_and_names_its_option() -> None:
    """money_option refuses a negative amount under the option's name, not the library field's."""
    assert money_option("0", "--shipping") == Money.zero()
    with pytest.raises(InvalidValueError, match=r"^--shipping: must not be negative"):
        money_option("-0.01", "--shipping")
    with pytest.raises(InvalidValueError, match=r"^--shipping: is not a number"):
        money_option("abc", "--shipping")


@given(st.integers(), st.integers(min_value=-50, max_value=50), st.integers(min_value=0, max_value=50))
def test_a_whole_number_is_accepted_exactly_within_its_bounds(number: int, low: int, span: int) -> None:
    """whole_number(low, high) accepts exactly the integers from low to high; any other text is a type error."""
    parse = whole_number(low, low + span)
    if low <= number <= low + span:
        assert parse(str(number)) == number
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="must be between"):
            parse(str(number))
    with pytest.raises(argparse.ArgumentTypeError, match="is not a whole number"):
        parse(f"{number}.5")
    assert whole_number()(str(number)) == number


# -- tables in a view -----------------------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from("ab 连衣裙T恤;,.-"), max_size=60)


@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda n: st.lists(
            st.tuples(st.text(alphabet="sku-0123", max_size=10), st.integers(0, 10**6), *([_TEXT] * n)),
            max_size=30,
        )
    ),
    st.integers(min_value=80, max_value=120),
)
def test_a_table_in_a_view_fits_its_width(rows: list[tuple[object, ...]], width: int) -> None:
    """Cut to a width, every line of a table fits it: the id, numbers and columns of up to 12 stay whole (here they
    take at most 75 columns), longer text columns give way, ending in …."""
    columns = len(rows[0]) if rows else 3
    headers = ["id", "n", *(f"t{i}" for i in range(columns - 2))]
    table = render_table(headers, rows, align="lr" + "l" * (columns - 2), view=TableView(width=width))
    assert all(common._width(line) <= width for line in table.splitlines())
    for row, line in zip(rows, table.splitlines()[2:], strict=True):
        assert line.startswith(str(row[0]))


@given(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=6), st.integers(0, 4))
def test_a_long_table_shows_its_top_and_bottom_rows(count: int, head: int, tail: int) -> None:
    """With head and tail, a table of more than head + tail + 1 rows shows its first head rows, one line counting
    the rows left out, and its last tail rows; a shorter one shows every row."""
    rows = [[f"row-{i:02}", i] for i in range(count)]
    lines = render_table(["row", "n"], rows, view=TableView(head=head, tail=tail)).splitlines()[2:]
    if count <= head + tail + 1:
        assert [line.split()[0] for line in lines] == [r[0] for r in rows]
    else:
        assert [line.split()[0] for line in lines[:head]] == [r[0] for r in rows[:head]]
        assert lines[head] == f"... {count - head - tail} more rows"
        assert [line.split()[0] for line in lines[head + 1 :]] == [r[0] for r in rows[count - tail :]]


def test_tables_follow_the_view_of_the_with_block() -> None:
    """table_view sets the view render_table uses inside the block, and restores the previous one after."""
    rows = [[f"sku-{i}", i] for i in range(20)]
    assert current_view() == FULL
    with table_view(CONCISE):
        assert current_view() == CONCISE
        assert "more rows (python -m fenxiao demo --all shows every row)" in render_table(["sku", "n"], rows)
    assert current_view() == FULL
    assert len(render_table(["sku", "n"], rows).splitlines()) == 22


@given(
    st.lists(st.text(alphabet=st.sampled_from("abc连衣裙-"), min_size=1, max_size=8), max_size=40),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=20, max_value=100),
)
def test_a_wrapped_line_fits_and_keeps_every_word_in_order(words: list[str], indent: int, width: int) -> None:
    """wrap_line breaks only at spaces: every piece fits the width, and the words read back in order (words that fit
    a continuation line, indented two more; a wider word is cut, as documented)."""
    assume(all(common._width(word) + indent + 2 <= width for word in words))
    line = " " * indent + " ".join(words)
    pieces = wrap_line(line, width)
    assert all(common._width(piece) <= width for piece in pieces)
    assert " ".join(pieces).split() == words
    assert pieces[0].startswith(" " * indent) or not words


def test_the_summary_data_adds_up_to_the_catalog() -> None:
    """catalog_summary_data counts what catalog_summary shows: per category and in total, amounts as yuan text."""
    sample = load_sample()
    data = catalog_summary_data(sample)
    assert data["skus"] == len(sample.skus) == sum(c["skus"] for c in data["per_category"])
    total = sum(Money.of(c["gmv_30d"]).fen for c in data["per_category"])
    assert Money.of(data["gmv_30d"]).fen == total == sum(s.gmv_30d.fen for s in sample.latest_snapshots())
    assert data["title"] == "Sample catalog"
