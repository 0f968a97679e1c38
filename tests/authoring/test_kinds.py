"""The table of rule-file kinds and telling a document's kind."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from fenxiao.authoring.kinds import KINDS, detect_kind, kind_named
from fenxiao.errors import InvalidValueError


def test_kind_names_are_unique_and_found_by_name() -> None:
    """Each kind's name finds it; an unknown name lists the kinds."""
    assert len({k.name for k in KINDS}) == len(KINDS)
    assert all(kind_named(k.name) is k for k in KINDS)
    with pytest.raises(InvalidValueError, match="the kinds are tier-policy"):
        kind_named("tiers")


@pytest.mark.parametrize("kind", [k for k in KINDS if k.default], ids=lambda k: k.name)
def test_each_default_file_is_told_as_its_kind(kind: object) -> None:
    """The shipped defaults carry no $schema: their keys tell the kind."""
    for file in kind.default:  # type: ignore[attr-defined]
        text = resources.files("fenxiao").joinpath("data/defaults", file).read_text(encoding="utf-8")
        assert detect_kind(tomllib.loads(text)) is kind


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ({"rules": [{"outcome": "reject"}]}, "admission-policy"),
        ({"rules": [{"tier": "L1"}]}, "tier-policy"),
        ({"rules": [], "fallback": "L0"}, "tier-policy"),
        ({"service": {}}, "scorecards"),
        ({"commission_max": "0.9"}, "platform-profile"),
        ({"policy": {}, "budgets": []}, "models"),
        ({"cases": []}, "rule-cases"),
        ({"policies": [{"effective_from": "2026-11-01T00:00:00+08:00"}]}, "schedule"),
        ({"perks": [{"effective_from": "2026-11-01T00:00:00+08:00"}]}, "schedule"),
        ({"perks": {"entries": []}}, "models"),
        ({"$schema": "./perk-catalog.schema.json", "rules": [{"tier": "L1"}]}, "perk-catalog"),
        ({"$schema": "urn:fenxiao:schema:tier-policy"}, "tier-policy"),
        ({"name": "double-11", "budgets": []}, "budgets"),
        ({"budgets": [{"name": "a", "total": "1.00"}]}, "budgets"),
        ({"policy": {}, "budgets": [{"name": "a", "total": "1.00"}]}, "models"),
        ({"perks": {"entries": []}, "budgets": []}, "models"),
        ({"budgets": [{"effective_from": "2026-11-01T00:00:00+08:00", "budgets": []}]}, "schedule"),
        ({"name": "x", "version": "1", "entries": []}, "perk-catalog"),
        ({"name": "x", "rules": [{"tier": "L1"}], "colour": "red"}, "tier-policy"),
    ],
)
def test_detect_kind_by_rows_keys_and_schema(data: dict[str, object], name: str) -> None:
    """A row's own key, a top-level key, or a $schema naming the kind (which wins); among kinds whose files may
    hold every key of the document, if any (a budgets file has a name, a models file has none)."""
    found = detect_kind(data)
    assert found is not None
    assert found.name == name


@pytest.mark.parametrize("data", [[], "x", {}, {"colour": "red"}, {"$schema": "other.json"}])
def test_detect_kind_gives_none_for_no_kind(data: object) -> None:
    """Not a table, or a table no kind uses."""
    assert detect_kind(data) is None


def test_a_file_of_another_sort_is_of_no_kind() -> None:
    """The simulation defaults share a key or two with scorecards and models, but most of their keys are neither's:
    no kind, rather than a kind and a list of unknown keys."""
    text = resources.files("fenxiao").joinpath("data/defaults/simulation.toml").read_text(encoding="utf-8")
    assert detect_kind(tomllib.loads(text)) is None
    assert detect_kind({"service": {}, "colour": "red", "size": 3}) is None
    assert detect_kind({"service": {}, "colour": "red"}) is kind_named("scorecards")
