"""Lint of platform profiles: each finding planted and found at its place, the presets clean, and what lint says
of bounds and floors is what checking a commission says."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Rate
from fenxiao.rules.table import Finding, Severity
from fenxiao.serialization import loads
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.lint import lint_profile
from fenxiao.settlement.profiles import PRESETS, CategoryRule, KindBounds, PlatformProfile, SettlementDays


def _codes(findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    return [(f.path, f.code) for f in findings]


def _rate(text: str) -> Rate:
    return Rate.of(text)


@pytest.mark.parametrize("name", PRESETS)
def test_the_presets_lint_clean(name: str) -> None:
    """default, kuaishou and douyin: no finding."""
    assert lint_profile(PlatformProfile.preset(name)) == ()


GOLD = CategoryRule("珠宝文玩", min_commission=_rate("5%"), min_leader_fee=_rate("1%"))


@pytest.mark.parametrize(
    ("changes", "found"),
    [
        (
            {"commission_max": _rate("40%"), "kind_bounds": (KindBounds(PlanKind.NORMAL, _rate("50%"), _rate("60%")),)},
            [("kind_bounds[0]", "empty-bounds")],
        ),
        (
            {"category_rules": (CategoryRule("c-gold", min_commission=_rate("95%")),)},
            [("category_rules[0]", "empty-bounds")],
        ),
        (
            {
                "category_rules": (GOLD,),
                "kind_bounds": (KindBounds(PlanKind.EXCLUSIVE, max_commission=_rate("3%")),),
            },
            [("category_rules[0]", "empty-bounds")],
        ),
        (
            {"combined_cap": _rate("5%"), "category_rules": (GOLD,)},
            [("category_rules[0].min_leader_fee", "floor-above-cap")],
        ),
        (
            {"combined_cap": _rate("6%"), "combined_cap_inclusive": True, "category_rules": (GOLD,)},
            [],
        ),
        (
            {"combined_cap": _rate("5%"), "category_rules": (CategoryRule("c-x", min_commission=_rate("5%")),)},
            [("category_rules[0].min_commission", "floor-above-cap")],
        ),
        ({"commission_min": _rate("10%"), "combined_cap": _rate("10%")}, [("combined_cap", "floor-above-cap")]),
        (
            {"settlement_days": SettlementDays(high=20, standard=15, low=20)},
            [("settlement_days.high", "settlement-order")],
        ),
        (
            {"settlement_days": SettlementDays(high=3, standard=15, low=10)},
            [("settlement_days.standard", "settlement-order")],
        ),
        ({"reserve_days": 0}, [("reserve_days", "reserve-inert")]),
        ({"reserve_rate": Rate.zero()}, [("reserve_rate", "reserve-inert")]),
        ({"reserve_rate": Rate.zero(), "reserve_days": 0}, []),
        ({"utc_offset_minutes": 487}, [("utc_offset_minutes", "odd-offset")]),
        ({"utc_offset_minutes": 345}, []),
    ],
    ids=lambda value: value[0][1] if isinstance(value, list) and value else None,
)
def test_each_planted_mistake_is_found_at_its_place(changes: dict[str, Any], found: list[tuple[str, str]]) -> None:
    """One change to the default profile: exactly its findings (none for the near misses), at the place to edit."""
    findings = lint_profile(attrs.evolve(PlatformProfile(), **changes))
    assert _codes(findings) == found
    assert all(
        f.severity is (Severity.ERROR if "bounds" in f.code or "cap" in f.code else Severity.WARNING) for f in findings
    )


def test_the_messages_say_which_rates_meet() -> None:
    """An empty range names both ends; a floor names the sum and the cap."""
    (empty,) = lint_profile(attrs.evolve(PlatformProfile(), category_rules=(CategoryRule("c-gold", _rate("95%")),)))
    assert empty.message == "goods of c-gold need commission >= 95% and <= 90%: no rate is allowed"
    profile = attrs.evolve(PlatformProfile(), combined_cap=_rate("5%"), category_rules=(GOLD,))
    (floor,) = lint_profile(profile)
    assert "together 6%, not below the combined cap 5%" in floor.message


def test_a_profile_file_is_checked_like_any() -> None:
    """Read from TOML, the same findings."""
    text = 'name = "odd"\nreserve_days = 0\n\n[settlement_days]\nhigh = 20\nstandard = 15\nlow = 20\n'
    assert _codes(lint_profile(loads(text, PlatformProfile, format="toml"))) == [
        ("reserve_days", "reserve-inert"),
        ("settlement_days.high", "settlement-order"),
    ]
    with pytest.raises(InvalidValueError, match="PlatformProfile"):
        lint_profile("kuaishou")  # type: ignore[arg-type]


# -- what lint says is what checking a commission says -------------------------------------------------------------

PPM = st.integers(0, 1_000_000)


@st.composite
def profiles(draw: st.DrawFn) -> PlatformProfile:
    """Profiles with bounds per kind and per category, floors and caps that often leave no valid rate."""
    low, high = sorted(draw(st.lists(st.integers(0, 900_000), min_size=2, max_size=2)))
    kinds = draw(st.lists(st.sampled_from(list(PlanKind)), max_size=3, unique=True))
    bounds = []
    for kind in kinds:
        a, b = sorted(draw(st.lists(PPM, min_size=2, max_size=2)))
        bounds.append(KindBounds(kind, Rate.from_ppm(a), Rate.from_ppm(b)))
    rules = []
    for i in range(draw(st.integers(0, 3))):
        a, b = sorted(draw(st.lists(st.integers(0, 950_000), min_size=2, max_size=2)))
        rules.append(
            CategoryRule(
                f"c-{i}",
                min_commission=draw(st.sampled_from([None, Rate.from_ppm(a)])),
                max_commission=draw(st.sampled_from([None, Rate.from_ppm(b)])),
                min_leader_fee=draw(st.none() | st.integers(0, 500_000).map(Rate.from_ppm)),
                tech_fee_rate=Rate.zero(),
            )
        )
    return PlatformProfile(
        commission_min=Rate.from_ppm(low),
        commission_max=Rate.from_ppm(high),
        combined_cap=Rate.from_ppm(draw(st.integers(0, 950_000))),
        combined_cap_inclusive=draw(st.booleans()),
        tech_fee_rate=Rate.zero(),
        category_rules=tuple(rules),
        kind_bounds=tuple(bounds),
    )


def _nonempty(bounds: tuple[Rate, Rate]) -> bool:
    return bounds[0] <= bounds[1]


def _allowed(profile: PlatformProfile, rate: Rate, **where: Any) -> bool:
    try:
        profile.check_commission(rate, **where)
    except PolicyError:
        return False
    return True


@given(profiles())
def test_lint_finds_no_valid_rate_exactly_where_checking_allows_none(profile: PlatformProfile) -> None:
    """empty-bounds for a kind or category exactly when its lowest allowed rate is refused; floor-above-cap for a
    category exactly when its lowest commission beside its lowest leader fee is refused (higher ones are too)."""
    paths = {(f.path, f.code) for f in lint_profile(profile)}
    for i, bounds in enumerate(profile.kind_bounds):
        low, _ = profile.commission_bounds(kind=bounds.kind)
        assert (f"kind_bounds[{i}]", "empty-bounds") in paths or _allowed(profile, low, kind=bounds.kind)
        if (f"kind_bounds[{i}]", "empty-bounds") in paths:
            assert not _allowed(profile, low, kind=bounds.kind)
    whole_low, _ = profile.commission_bounds()
    no_leader = ("combined_cap", "floor-above-cap") in paths
    assert no_leader == (not _allowed(profile, whole_low, leader_fee=Rate.zero()))
    open_kinds = [b.kind for b in profile.kind_bounds if _nonempty(profile.commission_bounds(kind=b.kind))]
    for i, rule in enumerate(profile.category_rules):
        ranges = {kind: profile.commission_bounds(kind=kind, category=rule.match) for kind in (None, *open_kinds)}
        expected = any(low > high for low, high in ranges.values())
        assert ((f"category_rules[{i}]", "empty-bounds") in paths) == expected
        for kind, (low, high) in ranges.items():
            assert _allowed(profile, low, kind=kind, category=rule.match) == (low <= high)
        low, high = ranges[None]
        if low > high or no_leader:
            continue
        fee = rule.min_leader_fee or Rate.zero()
        floor = any(path.startswith(f"category_rules[{i}].") and code == "floor-above-cap" for path, code in paths)
        assert floor == (not _allowed(profile, low, category=rule.match, leader_fee=fee))
