"""Lines of paths in JSON and TOML texts: exact for keys and list items, the nearest enclosing place otherwise."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings

from fenxiao.authoring.lines import build_line_index, split_path
from fenxiao.grading.tiers import TierPolicy
from fenxiao.serialization import dumps
from fenxiao.testing.tiers import tier_policies


def test_split_path_reads_keys_indices_and_quoted_keys() -> None:
    """rules[3].when.all[1] and skus[0]["a b"]."""
    assert split_path("rules[3].when.all[1].op") == ("rules", 3, "when", "all", 1, "op")
    assert split_path('skus[0]["a b"].id') == ("skus", 0, "a b", "id")
    assert split_path("(document)") == ("(document)",)


def test_toml_headers_arrays_of_tables_and_dotted_keys() -> None:
    """[[a]] items count per parent; [a.b] tables, dotted and quoted keys, multi-line strings skipped."""
    text = (
        "x = 1\n"  # 1
        "[[rules]]\n"  # 2
        'name = "a"\n'  # 3
        "[[rules.when.all]]\n"  # 4
        'input = "b"\n'  # 5
        "[[rules]]\n"  # 6
        'description = """\n'  # 7
        'name = "not a key"\n'  # 8
        '"""\n'  # 9
        "[[rules.when.all]]\n"  # 10
        '"score.service" = 1\n'  # 11
        "a.b = 2\n"  # 12
    )
    index = build_line_index(text, "toml")
    assert index.line_of("x") == 1
    assert index.line_of("rules[0].when.all[0].input") == 5
    assert index.line_of("rules[1]") == 6
    assert index.line_of("rules[1].name") == 6  # the text in the multi-line string is not a key
    assert index.line_of("rules[1].when.all[0].score.service") == 10  # a dotted path finds its enclosing table
    assert index.line_of('rules[1].when.all[0]["score.service"]') == 11
    assert index.line_of("rules[1].when.all[0].a.b") == 12
    assert index.line_of("nothing.here") is None


def test_json_keys_and_items() -> None:
    """Every key and list item of a JSON text, escapes included."""
    text = '{\n  "a": [\n    1,\n    {"b\\"c": 2}\n  ],\n  "d": {}\n}'
    index = build_line_index(text, "json")
    assert (index.line_of("a"), index.line_of("a[0]"), index.line_of("a[1]"), index.line_of("d")) == (2, 3, 4, 6)
    assert index.line_of('a[1]["b\\"c"]') == 4
    assert build_line_index('{"a": [1,', "json").line_of("a") == 1  # malformed: what came before is kept


@settings(max_examples=30)
@given(tier_policies(max_rules=4))
def test_every_rule_name_is_found_on_its_own_line(policy: TierPolicy) -> None:
    """Written as JSON or TOML, the line of rules[i].name holds that rule's name."""
    for format in ("json", "toml"):
        text = dumps(policy, format=format)
        lines = text.splitlines()
        index = build_line_index(text, format)
        for i, rule in enumerate(policy.rules):
            line = index.line_of(f"rules[{i}].name")
            assert line is not None
            assert f'"{rule.name}"' in lines[line - 1]
        if format == "toml":
            assert tomllib.loads(text)["rules"][0]["name"] == policy.rules[0].name
