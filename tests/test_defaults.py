"""The default rule files: shipped as data, read through the one converter, checked before use."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest

from fenxiao import (
    AdmissionPolicy,
    PerkCatalog,
    PlatformProfile,
    Scorecards,
    TierPolicy,
    ValidationError,
    default_admission_policy,
    default_perk_catalog,
    default_scorecards,
    default_tier_policy,
)
from fenxiao._internal.defaults import DEFAULTS_FOLDER, read_default
from fenxiao.grading.budget_sets import SubsidyBudgets, default_budgets
from fenxiao.serialization import dumps, loads
from fenxiao.settlement import CategoryFloors, default_category_floors
from fenxiao.simulate import SimulationConfig, default_simulation_config

#: Each shipped file, the type it holds, and the function users call to get it.
FILES: dict[str, tuple[type[Any], Callable[[], Any]]] = {
    "scorecards.toml": (Scorecards, default_scorecards),
    "tier_policy.toml": (TierPolicy, default_tier_policy),
    "perks.toml": (PerkCatalog, default_perk_catalog),
    "admission_policy.toml": (AdmissionPolicy, default_admission_policy),
    "platform-default.toml": (PlatformProfile, lambda: PlatformProfile.preset("default")),
    "platform-kuaishou.toml": (PlatformProfile, PlatformProfile.kuaishou),
    "platform-douyin.toml": (PlatformProfile, PlatformProfile.douyin),
    "platform-taobao.toml": (PlatformProfile, PlatformProfile.taobao),
    "simulation.toml": (SimulationConfig, default_simulation_config),
    "budgets.toml": (SubsidyBudgets, default_budgets),
    "category_floors.toml": (CategoryFloors, default_category_floors),
}


def test_every_file_in_the_defaults_folder_is_a_known_default() -> None:
    """No file ships without a default_*() that reads it, and no default reads a missing file."""
    shipped = {
        f.name for f in resources.files("fenxiao").joinpath(DEFAULTS_FOLDER).iterdir() if f.name.endswith(".toml")
    }
    assert shipped == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_default_is_its_file_read_through_the_converter(name: str) -> None:
    """``default_*()`` gives exactly what the file holds, the same frozen value on every call."""
    cls, default = FILES[name]
    value = default()
    assert value == read_default(name, cls)
    assert default() is value


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_default_round_trips_through_toml(name: str) -> None:
    """Written out and read back, a default is unchanged: a user's copy starts where fenxiao starts."""
    cls, default = FILES[name]
    assert loads(dumps(default(), format="toml"), cls, format="toml") == default()


@pytest.mark.parametrize("default", [default_tier_policy, default_admission_policy])
def test_the_default_policies_lint_clean(default: Callable[[], Any]) -> None:
    """The shipped policies have no gap, overlap, shadowed rule or unreachable tier."""
    assert default().lint() == ()


def test_an_edited_copy_with_a_mistake_names_its_place() -> None:
    """A user's copy is checked like any file: a mistake is refused with its path."""
    text = resources.files("fenxiao").joinpath(DEFAULTS_FOLDER, "tier_policy.toml").read_text(encoding="utf-8")
    broken = text.replace('op = ">="', 'op = "=>"', 1)
    assert broken != text
    with pytest.raises(ValidationError, match=r"rules\[\d+\]\.when"):
        loads(broken, TierPolicy, format="toml")
