"""Columnar perk resolution: the same entry wins every slot as resolve_perks, subsidies combined alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.columnar.perks import perk_names, perk_slots, resolve_perk_columns, subsidy_fen
from fenxiao.errors import InvalidValueError
from fenxiao.grading import Tier
from fenxiao.grading.perks import (
    Access,
    Badge,
    InfluencerPreferred,
    PerkCatalog,
    PerkEntry,
    Subsidy,
    TrafficBoost,
    default_perk_catalog,
    resolve_perks,
)
from fenxiao.money import Money, Rate
from fenxiao.rules.language import Compare, Condition, Op

from .strategies import columns_of, conditions, object_inputs, rows

T = datetime(2026, 11, 20, tzinfo=UTC)
TEXT = {"merchant_standing": ("normal", "warned", "restricted"), "category_id": ("c-tea", "c-dress")}


def _text_leaves() -> st.SearchStrategy[Condition]:
    single = st.sampled_from(sorted(TEXT)).flatmap(
        lambda name: st.builds(Compare, st.just(name), st.sampled_from([Op.EQ, Op.NE]), st.sampled_from(TEXT[name]))
    )
    within = st.sampled_from(sorted(TEXT)).flatmap(
        lambda name: st.lists(st.sampled_from(TEXT[name]), min_size=1, max_size=2).map(
            lambda v: Compare(name, Op.IN, tuple(v))
        )
    )
    return single | within


def _perks() -> st.SearchStrategy[Any]:
    boosts = st.sampled_from([Decimal(1), Decimal("1.05"), Decimal("1.2"), Decimal(2)]).map(TrafficBoost)
    badges = st.builds(Badge, st.sampled_from(["a", "b"]), st.just("icon"), st.sampled_from(["grade", "extra"]))
    subsidies = (
        st.tuples(
            st.sampled_from(["b1", "b2"]),
            st.sampled_from([0, 50_000, 600_000]),
            st.sampled_from([0, 100]),
            st.none() | st.sampled_from([50, 2000]),
        )
        .filter(lambda t: t[1] or t[2])
        .map(lambda t: Subsidy(t[0], Rate.from_ppm(t[1]), Money(t[2]), None if t[3] is None else Money(t[3])))
    )
    preferred = st.integers(0, 30).map(InfluencerPreferred)
    access = st.sampled_from(["pool", "x"]).map(Access)
    return st.one_of(boosts, badges, subsidies, preferred, access)


@st.composite
def catalogs(draw: st.DrawFn) -> PerkCatalog:
    """Random catalogs: every perk kind, shared slots, conditions, campaign windows, inheritance on and off."""
    size = draw(st.integers(1, 8))
    entries = []
    for i in range(size):
        start = draw(st.none() | st.sampled_from([T - timedelta(days=1), T]))
        end = draw(st.none() | st.sampled_from([T, T + timedelta(days=1)]))
        if start is not None and end is not None and end <= start:
            end = None
        entries.append(
            PerkEntry(
                f"e{i}",
                draw(st.sampled_from(Tier)),
                draw(_perks()),
                when=draw(st.none() | conditions(extra=_text_leaves())),
                valid_from=start,
                valid_until=end,
                inherit=draw(st.booleans()),
            )
        )
    return PerkCatalog(entries=entries)


def _expected(catalog: PerkCatalog, tier: int, context: dict[str, object], at: datetime | None) -> Any:
    try:
        resolution = resolve_perks(catalog, Tier(f"L{tier}"), context, at=at)
    except InvalidValueError as exc:
        return exc
    names = [e.name for e in catalog.entries]
    granted: dict[str, Any] = {}
    for g in resolution.granted:
        column = f"perk.{g.perk.kind}.{g.perk.key}"
        granted[column] = names.index(g.entry)
        if isinstance(g.perk, Subsidy):
            granted[f"{column}.rate_ppm"] = g.perk.rate.ppm
            granted[f"{column}.fixed_fen"] = g.perk.fixed.fen
            granted[f"{column}.cap_fen"] = -1 if g.perk.cap is None else g.perk.cap.fen
    return granted


@given(catalog=catalogs(), batch=rows(), data=st.data())
def test_columnar_perks_equal_resolve_perks_on_every_slot(
    catalog: PerkCatalog, batch: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Every slot's winning entry and every combined subsidy match; a reached missing input raises alike."""
    at = data.draw(st.none() | st.sampled_from([T - timedelta(hours=1), T, T + timedelta(days=2)]))
    tiers = data.draw(st.lists(st.integers(0, 5), min_size=len(batch), max_size=len(batch)))
    texts = [{name: data.draw(st.sampled_from(values)) for name, values in TEXT.items()} for _ in batch]
    expected = [
        _expected(catalog, tier, {**object_inputs(row), **text}, at)
        for row, tier, text in zip(batch, tiers, texts, strict=True)
    ]
    columns = columns_of(batch)
    columns["tier"] = np.array(tiers, dtype=np.int8)
    for name in TEXT:
        columns[name] = [text[name] for text in texts]
    if any(isinstance(e, InvalidValueError) for e in expected):
        with pytest.raises(InvalidValueError):
            resolve_perk_columns(columns, catalog, at=at)
        return
    result = resolve_perk_columns(columns, catalog, at=at)
    for i, granted in enumerate(expected):
        got = {}
        for slot in perk_slots(catalog):
            index = int(result[slot.column][i])
            if index >= 0:
                got[slot.column] = index
                if slot.kind == "subsidy":
                    for part in ("rate_ppm", "fixed_fen", "cap_fen"):
                        got[f"{slot.column}.{part}"] = int(result[f"{slot.column}.{part}"][i])
        assert got == granted


def test_l5_gets_the_four_privileges_unless_the_merchant_is_not_in_normal_standing() -> None:
    """The default catalog's subsidy needs a merchant in normal standing; the other privileges do not."""
    columns = {
        "tier": np.array([5, 5], dtype=np.int8),
        "days_since_joining": [30, 30],
        "merchant_standing": ["normal", "warned"],
    }
    perks = resolve_perk_columns(columns)
    catalog = default_perk_catalog()
    assert perk_names(catalog, perks["perk.badge.grade"]) == ["exclusive-badge", "exclusive-badge"]
    assert perk_names(catalog, perks["perk.influencer_preferred.preferred"]) == ["influencer-preferred"] * 2
    assert perk_names(catalog, perks["perk.subsidy.official-subsidy"]) == ["official-subsidy", None]


def test_an_expired_campaign_window_grants_nothing() -> None:
    """An entry whose window has ended, or that is asked about without a time, is not granted."""
    catalog = PerkCatalog(entries=[PerkEntry("promo", Tier.L1, TrafficBoost(Decimal(3)), valid_until=T)])
    columns = {"tier": np.array([1], dtype=np.int8)}
    assert resolve_perk_columns(columns, catalog, at=T - timedelta(seconds=1))[
        "perk.traffic_boost.traffic"
    ].tolist() == [0]
    assert resolve_perk_columns(columns, catalog, at=T)["perk.traffic_boost.traffic"].tolist() == [-1]
    assert resolve_perk_columns(columns, catalog)["perk.traffic_boost.traffic"].tolist() == [-1]


def test_the_subsidy_granted_reaches_the_orders_amount() -> None:
    """subsidy_fen gives Subsidy.amount_for(paid) where the subsidy was granted and zero elsewhere."""
    columns = {
        "tier": np.array([5, 4, 5], dtype=np.int8),
        "days_since_joining": [30] * 3,
        "merchant_standing": ["normal"] * 3,
    }
    perks = resolve_perk_columns(columns)
    paid = np.array([9990, 9990, 100_000])
    subsidy = Subsidy("official-subsidy", rate=Rate.of("5%"), cap=Money.of("20.00"))
    expected = [subsidy.amount_for(Money(9990)).fen, 0, subsidy.amount_for(Money(100_000)).fen]
    assert subsidy_fen(perks, paid).tolist() == expected


def test_one_moment_at_counts_the_days_and_the_old_as_of_keyword_still_works_with_a_warning() -> None:
    """at= checks windows and counts days_since_joining from joined_at; as_of= is deprecated and keeps its meaning."""
    joined = np.array([(T - timedelta(days=3)).replace(tzinfo=None)], dtype="datetime64[us]")
    columns = {"tier": np.array([0], dtype=np.int8), "joined_at": joined}
    catalog = default_perk_catalog()
    assert perk_names(catalog, resolve_perk_columns(columns, at=T)["perk.traffic_boost.traffic"]) == ["cold-start"]
    later = T + timedelta(days=30)
    assert perk_names(catalog, resolve_perk_columns(columns, at=later)["perk.traffic_boost.traffic"]) == [None]
    with pytest.warns(DeprecationWarning, match=r"resolve_perk_columns\(as_of=...\) is deprecated; use at="):
        old = resolve_perk_columns(columns, at=later, as_of=T)
    assert perk_names(catalog, old["perk.traffic_boost.traffic"]) == ["cold-start"]
    with pytest.raises(TypeError, match="unexpected keyword argument 'asof'"):
        resolve_perk_columns(columns, at=T, asof=T)  # type: ignore[call-arg]
