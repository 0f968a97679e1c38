"""Perks: kinds, the default catalog, resolution with reasons, and subsidy budgets that never overspend."""

from __future__ import annotations

import importlib
import importlib.resources
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.domain.ids import SkuId, TeamLeaderId
from fenxiao.errors import InvalidValueError, PluginError, PolicyError, ValidationError
from fenxiao.grading import Tier
from fenxiao.grading.perks import (
    PERK_INPUTS,
    SEED_PRIVILEGES,
    Access,
    Badge,
    InfluencerPreferred,
    PerkCatalog,
    PerkEntry,
    PerkResolution,
    Stacking,
    Subsidy,
    TrafficBoost,
    default_perk_catalog,
    example_context,
    example_perk_inputs,
    outside_window,
    perk_kinds,
    register_perk_kind,
    resolve_perks,
    stacking_precedence,
    unregister_perk_kind,
)
from fenxiao.grading.subsidies import SubsidyBudget, SubsidyRequest, allocate_subsidies, apply_subsidy, subsidy_requests
from fenxiao.money import Money, Rate
from fenxiao.rules.interpreter import explain
from fenxiao.rules.language import Compare, Op, check
from fenxiao.serialization import dumps, from_dict, loads, to_dict
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, split

from .. import builders

CATALOG = default_perk_catalog()
T0 = datetime(2026, 11, 1, tzinfo=UTC)
INPUTS = st.fixed_dictionaries(
    {
        "days_since_joining": st.sampled_from([0, 13, 14, 100]),
        "merchant_standing": st.sampled_from(["normal", "warned", "restricted"]),
        "category_id": st.sampled_from(["c-dress", "c-gold"]),
    }
).map(lambda over: example_perk_inputs(**over))


def test_l5_gets_exactly_the_four_privileges_of_the_seed() -> None:
    """Traffic boost, the 精选好物 badge, official subsidy and influencer-preferred, once each."""
    resolution = CATALOG.resolve(Tier.L5, example_perk_inputs())
    privileges = [g.perk for g in resolution.granted if g.perk.kind in SEED_PRIVILEGES]
    assert sorted(p.kind for p in privileges) == sorted(SEED_PRIVILEGES)
    assert resolution.of_kind("traffic_boost") == (TrafficBoost(Decimal(2), "流量加持"),)
    assert resolution.of_kind("badge") == (Badge("精选好物", "badge-jingxuan"),)
    assert resolution.of_kind("subsidy") == (Subsidy("official-subsidy", rate=Rate.of("5%"), cap=Money.of("20.00")),)
    assert resolution.of_kind("influencer_preferred") == (InfluencerPreferred(20),)
    assert {a.feature for a in resolution.of_kind("access")} == {
        "pool",
        "leader_activities",
        "selection_center",
        "hot_item_channel",
    }


def test_lower_tiers_get_graded_smaller_perks() -> None:
    """L0 cold start while new and listed in the pool; L4 a ×1.3 boost and the 行业爆款 badge but no subsidy."""
    new = CATALOG.resolve(Tier.L0, example_perk_inputs(days_since_joining=3))
    assert new.of_kind("traffic_boost") == (TrafficBoost(Decimal("1.2"), "new-product exposure"),)
    assert new.of_kind("access") == (Access("pool", "listed in the selection pool"),)
    stale = CATALOG.resolve(Tier.L0, example_perk_inputs(days_since_joining=14))
    assert [g.entry for g in stale.granted] == ["pool"]
    assert any(d.entry == "cold-start" and "days_since_joining 14: < 14 needed" in d.reason for d in stale.denied)
    l4 = CATALOG.resolve(Tier.L4, example_perk_inputs())
    assert l4.of_kind("traffic_boost") == (TrafficBoost(Decimal("1.3")),)
    assert l4.of_kind("badge") == (Badge("行业爆款", "badge-baokuan"),)
    assert l4.of_kind("subsidy") == ()


@given(INPUTS, st.sampled_from(list(Tier)), st.sampled_from(list(Tier)))
def test_a_higher_tier_never_gets_fewer_or_weaker_perks(inputs: dict[str, Any], low: Tier, high: Tier) -> None:
    """Under the default catalog every slot granted to a lower tier is granted at least as strong higher up."""
    if high < low:
        low, high = high, low
    below = {(g.perk.kind, g.perk.key): g.perk for g in CATALOG.resolve(low, inputs).granted}
    above = {(g.perk.kind, g.perk.key): g.perk for g in CATALOG.resolve(high, inputs).granted}
    for slot, perk in below.items():
        if slot == ("traffic_boost", "traffic") and low is Tier.L0:
            assert slot not in above or above[slot].strength() >= Decimal(1)
            continue
        assert slot in above
        assert above[slot].strength() >= perk.strength()


def test_the_cold_start_boost_is_the_only_perk_that_can_shrink_on_promotion() -> None:
    """L0's ×1.2 cold start outranks L2's ×1.05: documented, and L1 keeps the pool listing instead."""
    new = example_perk_inputs(days_since_joining=2)
    assert CATALOG.resolve(Tier.L0, new).of_kind("traffic_boost")[0].multiplier == Decimal("1.2")
    assert CATALOG.resolve(Tier.L2, new).of_kind("traffic_boost")[0].multiplier == Decimal("1.2")
    assert CATALOG.resolve(Tier.L3, new).of_kind("traffic_boost")[0].multiplier == Decimal("1.2")
    assert CATALOG.resolve(Tier.L4, new).of_kind("traffic_boost")[0].multiplier == Decimal("1.3")


@given(INPUTS, st.sampled_from(list(Tier)))
def test_resolution_is_deterministic_and_accounts_for_every_entry(inputs: dict[str, Any], tier: Tier) -> None:
    """The same input resolves the same; each entry is granted (or summed in) or denied with a reason."""
    first = resolve_perks(CATALOG, tier, inputs)
    assert first == resolve_perks(CATALOG, tier, dict(reversed(list(inputs.items()))))
    granted_names = {g.entry for g in first.granted}
    denied_names = [d.entry for d in first.denied]
    assert len(denied_names) == len(set(denied_names))
    assert granted_names.isdisjoint(denied_names)
    assert granted_names | set(denied_names) == {e.name for e in CATALOG.entries}
    assert all(d.reason for d in first.denied)
    assert len({(g.perk.kind, g.perk.key) for g in first.granted}) == len(first.granted)


def test_an_ineligible_merchant_is_denied_the_subsidy_with_the_reason() -> None:
    """A warned merchant's L5 goods get no official subsidy; the reason names the unmet condition."""
    resolution = CATALOG.resolve(Tier.L5, example_perk_inputs(merchant_standing="warned"))
    assert resolution.of_kind("subsidy") == ()
    (denied,) = [d for d in resolution.denied if d.entry == "official-subsidy"]
    assert "merchant_standing 'warned': == 'normal' needed" in denied.reason


def test_an_ineligible_category_and_an_expired_campaign_window_are_denied() -> None:
    """Entries limited to a category or a campaign window are denied outside them, with why."""
    catalog = PerkCatalog(
        entries=(
            PerkEntry(
                "jewellery-boost",
                Tier.L2,
                TrafficBoost(Decimal("1.5")),
                when=Compare("category_id", Op.IN, ("c-gold", "c-diamond")),
            ),
            PerkEntry(
                "double-11",
                Tier.L2,
                Badge("双11", "badge-d11", slot="campaign"),
                valid_from=T0,
                valid_until=T0 + timedelta(days=12),
            ),
        )
    )
    dress = catalog.resolve(Tier.L3, example_perk_inputs(category_id="c-dress"), at=T0 + timedelta(days=1))
    assert [g.entry for g in dress.granted] == ["double-11"]
    assert "category_id 'c-dress': in ['c-gold', 'c-diamond'] needed" in dress.denied[0].reason
    late = catalog.resolve(Tier.L3, example_perk_inputs(category_id="c-gold"), at=T0 + timedelta(days=12))
    assert [g.entry for g in late.granted] == ["jewellery-boost"]
    assert late.denied[0].reason.startswith("campaign ended")
    early = catalog.resolve(Tier.L3, example_perk_inputs(category_id="c-gold"), at=T0 - timedelta(seconds=1))
    assert early.denied[0].reason.startswith("campaign starts")
    untimed = catalog.resolve(Tier.L3, example_perk_inputs(category_id="c-gold"))
    assert untimed.denied[0].reason == "campaign window, and no time was given"


def test_subsidies_of_one_budget_sum_with_the_smallest_cap() -> None:
    """Two subsidy entries on one budget add up: 5% + ¥1, capped at the smaller cap."""
    catalog = PerkCatalog(
        entries=(
            PerkEntry("base", Tier.L3, Subsidy("b", rate=Rate.of("5%"), cap=Money.of("30.00"))),
            PerkEntry("extra", Tier.L5, Subsidy("b", fixed=Money.of("1.00"), cap=Money.of("20.00"))),
        )
    )
    (subsidy,) = catalog.resolve(Tier.L5, example_perk_inputs()).of_kind("subsidy")
    assert subsidy == Subsidy("b", rate=Rate.of("5%"), fixed=Money.of("1.00"), cap=Money.of("20.00"))
    assert subsidy.amount_for(Money.of("100.00")) == Money.of("6.00")
    assert subsidy.amount_for(Money.of("1000.00")) == Money.of("20.00")


def test_inherit_false_grants_at_exactly_its_tier() -> None:
    """An entry with inherit=False is not passed up."""
    catalog = PerkCatalog(entries=(PerkEntry("only-l2", Tier.L2, Access("x"), inherit=False),))
    assert catalog.resolve(Tier.L2, example_perk_inputs()).granted
    assert not catalog.resolve(Tier.L3, example_perk_inputs()).granted


@attrs.frozen
class LiveSlot:
    """A custom perk kind a rule author might add: guaranteed live-stream slots per week, summed."""

    kind: ClassVar[str] = "live_slot"
    stacking: ClassVar[Stacking] = Stacking.SUM
    per_week: int

    @property
    def key(self) -> str:
        return "live"

    def strength(self) -> Decimal:
        return Decimal(self.per_week)

    def combine(self, other: LiveSlot) -> LiveSlot:
        return LiveSlot(min(self.per_week + other.per_week, 7))


def test_rule_authors_can_register_a_perk_kind_with_its_own_stacking() -> None:
    """A registered kind is used in catalogs and stacks by its own rule."""
    register_perk_kind(LiveSlot, replace=True)
    try:
        assert perk_kinds()["live_slot"] is LiveSlot
        catalog = PerkCatalog(entries=(PerkEntry("a", Tier.L3, LiveSlot(3)), PerkEntry("b", Tier.L5, LiveSlot(5))))
        assert catalog.resolve(Tier.L5, example_perk_inputs()).of_kind("live_slot") == (LiveSlot(7),)
        assert catalog.resolve(Tier.L4, example_perk_inputs()).of_kind("live_slot") == (LiveSlot(3),)
    finally:
        unregister_perk_kind("live_slot")
    assert "live_slot" not in perk_kinds()
    with pytest.raises(PluginError, match="built-in"):
        unregister_perk_kind("badge")


def test_broken_perk_kinds_are_refused_with_plugin_error() -> None:
    """A class missing the contract cannot be registered."""

    class NoKind:
        pass

    @attrs.frozen
    class NoCombine:
        kind: ClassVar[str] = "broken_sum"
        stacking: ClassVar[Stacking] = Stacking.SUM

        @property
        def key(self) -> str:
            return "k"

        def strength(self) -> Decimal:
            return Decimal(0)

    with pytest.raises(PluginError, match="kind"):
        register_perk_kind(NoKind)
    with pytest.raises(PluginError, match="combine"):
        register_perk_kind(NoCombine)
    with pytest.raises(PluginError, match="already registered"):
        register_perk_kind(type("TrafficBoost2", (TrafficBoost,), {}))


def test_catalogs_refuse_bad_entries_with_their_path() -> None:
    """Unknown inputs, duplicate names and bad windows are PolicyErrors naming the entry."""
    with pytest.raises(PolicyError, match=r"entries\[0\]\.when\.input"):
        PerkCatalog(entries=(PerkEntry("x", Tier.L1, Access("a"), when=Compare("categry_id", Op.EQ, "c")),))
    with pytest.raises(PolicyError, match="earlier entry"):
        PerkCatalog(entries=(PerkEntry("x", Tier.L1, Access("a")), PerkEntry("x", Tier.L2, Access("b"))))
    with pytest.raises(PolicyError, match="after valid_from"):
        PerkEntry("x", Tier.L1, Access("a"), valid_from=T0, valid_until=T0)
    with pytest.raises(PolicyError, match="registered kind"):
        PerkEntry("x", Tier.L1, "a string is not a perk")
    with pytest.raises(InvalidValueError, match="rate or a fixed amount"):
        Subsidy("b")


# -- budgets ----------------------------------------------------------------------------------------

REQUESTS = st.lists(
    st.builds(
        lambda i, budget, fen, tier, score: SubsidyRequest(f"r{i}", budget, Money(fen), tier, Decimal(score)),
        st.integers(0, 10_000),
        st.sampled_from(["a", "b", "missing"]),
        st.integers(0, 5_000),
        st.sampled_from(list(Tier)),
        st.integers(0, 100),
    ),
    max_size=25,
    unique_by=lambda r: r.request_id,
)
BUDGETS = st.tuples(st.integers(0, 20_000), st.integers(0, 20_000)).map(
    lambda t: (SubsidyBudget("a", Money(t[0])), SubsidyBudget("b", Money(t[1])))
)


@given(REQUESTS, BUDGETS, st.randoms(use_true_random=False))
@settings(max_examples=150)
def test_budgets_are_never_overspent_whatever_the_demand_and_order(
    requests: list[SubsidyRequest], budgets: tuple[SubsidyBudget, ...], rnd: Any
) -> None:
    """Grants never exceed a budget; the outcome does not depend on arrival order; at most one partial grant."""
    allocation = allocate_subsidies(requests, budgets)
    shuffled = list(requests)
    rnd.shuffle(shuffled)
    assert allocate_subsidies(shuffled, budgets) == allocation
    for budget in budgets:
        granted = [g for g in allocation.grants if g.budget == budget.name]
        total = sum((g.granted for g in granted), Money(0))
        assert total <= budget.total
        assert allocation.remaining[budget.name] == budget.total - total
        assert sum(g.partial for g in granted) <= 1
        short = [i for i, g in enumerate(granted) if g.granted < g.requested]
        if short:
            assert all(g.granted == Money(0) for g in granted[short[0] + 1 :])
    assert all(Money(0) <= g.granted <= g.requested for g in allocation.grants)
    assert all(g.granted == Money(0) for g in allocation.grants if g.budget == "missing")
    assert len(allocation.grants) == len(requests)


def test_a_budget_exhausted_mid_batch_grants_partially_then_nothing() -> None:
    """¥10 for three ¥4 requests: L5 first in full, then by score, the third gets the last ¥2, then nothing."""
    requests = [
        SubsidyRequest("late", "b", Money.of("4.00"), Tier.L5, Decimal(80)),
        SubsidyRequest("top", "b", Money.of("4.00"), Tier.L5, Decimal(95)),
        SubsidyRequest("mid", "b", Money.of("4.00"), Tier.L4, Decimal(99)),
        SubsidyRequest("last", "b", Money.of("4.00"), Tier.L3, Decimal(99)),
    ]
    allocation = allocate_subsidies(requests, [SubsidyBudget("b", Money.of("10.00"))])
    assert [(g.request_id, str(g.granted), g.reason) for g in allocation.grants] == [
        ("top", "¥4.00", "granted in full"),
        ("late", "¥4.00", "granted in full"),
        ("mid", "¥2.00", "partial: the budget had ¥2.00 left"),
        ("last", "¥0.00", "budget exhausted"),
    ]
    assert allocation.remaining["b"] == Money(0)
    assert allocation.granted_total("b") == Money.of("10.00")


def test_a_request_outside_the_budget_window_gets_nothing() -> None:
    """A budget for a campaign window refuses requests outside it or without a time."""
    budget = SubsidyBudget("d11", Money.of("100.00"), valid_from=T0, valid_until=T0 + timedelta(days=11))
    inside = SubsidyRequest("in", "d11", Money.of("1.00"), Tier.L5, at=T0)
    outside = SubsidyRequest("out", "d11", Money.of("1.00"), Tier.L5, at=T0 + timedelta(days=11))
    untimed = SubsidyRequest("none", "d11", Money.of("1.00"), Tier.L5)
    grants = {g.request_id: g for g in allocate_subsidies([inside, outside, untimed], [budget]).grants}
    assert grants["in"].granted == Money.of("1.00")
    assert grants["out"].granted == grants["none"].granted == Money(0)
    assert grants["out"].reason == "outside the budget's window"


def test_duplicate_ids_and_mixed_currencies_are_refused() -> None:
    """Request ids and budget names are unique; a request is in its budget's currency."""
    budget = SubsidyBudget("b", Money.of("1.00"))
    with pytest.raises(InvalidValueError, match="duplicate request id"):
        allocate_subsidies([SubsidyRequest("r", "b", Money(1), Tier.L1)] * 2, [budget])
    with pytest.raises(InvalidValueError, match="duplicate budget name"):
        allocate_subsidies([], [budget, budget])
    with pytest.raises(InvalidValueError, match="must be in CNY"):
        allocate_subsidies([SubsidyRequest("r", "b", Money(1, "USD"), Tier.L1)], [budget])


# -- subsidies reach the money path -------------------------------------------------------------------

PAID_AT = datetime(2026, 11, 11, 20, tzinfo=UTC)


def _order(order_id: str, paid: str, **over: Any) -> Order:
    """An order with a team leader taking 5%, paid at PAID_AT."""
    leader = builders.order_terms(leader_id=TeamLeaderId("tl-1"), leader_fee_rate=Rate.of("5%"))
    return builders.order(paid, id=order_id, sku_id=SkuId("s-1"), paid_at=PAID_AT, terms=leader, **over)


def test_an_l5_subsidy_appears_in_the_settlement_as_platform_funded_money() -> None:
    """5% of ¥99.90 (¥4.99) is granted from the budget, paid to the merchant, and the lines still add up."""
    resolution = CATALOG.resolve(Tier.L5, example_perk_inputs())
    order = _order("o-1", "99.90")
    requests = subsidy_requests(resolution, [order], score=Decimal(95))
    assert [(r.request_id, str(r.amount)) for r in requests] == [("o-1:official-subsidy", "¥4.99")]
    allocation = allocate_subsidies(requests, [SubsidyBudget("official-subsidy", Money.of("100.00"))])
    subsidised = apply_subsidy(order, allocation)
    assert subsidised.subsidy == Money.of("4.99")
    profile = PlatformProfile.kuaishou()
    plain, with_subsidy = split(order, profile), split(subsidised, profile)
    assert sum((line.amount for line in with_subsidy.lines), Money(0)) == subsidised.total_in
    merchant = {line.party: line.amount for line in with_subsidy.lines}[Party.MERCHANT]
    assert merchant - {line.party: line.amount for line in plain.lines}[Party.MERCHANT] == Money.of("4.99")
    with pytest.raises(InvalidValueError, match="already carries a subsidy"):
        apply_subsidy(subsidised, allocation)


def test_a_refund_claws_the_subsidy_back_to_the_platform() -> None:
    """After a full refund the platform gets its whole subsidy back and every other party nets zero."""
    resolution = CATALOG.resolve(Tier.L5, example_perk_inputs())
    order = _order("o-2", "200.00")
    allocation = allocate_subsidies(
        subsidy_requests(resolution, [order]), [SubsidyBudget("official-subsidy", Money.of("50.00"))]
    )
    order = apply_subsidy(order, allocation).refund(
        event_id="r-1", at=PAID_AT + timedelta(hours=2), amount=Money.of("200.00")
    )
    lines = {line.party: line.amount for line in split(order, PlatformProfile.kuaishou()).lines}
    assert lines[Party.SUBSIDY_RETURN] == Money.of("10.00")
    assert lines[Party.BUYER_REFUND] == Money.of("200.00")
    assert all(
        amount == Money(0) for party, amount in lines.items() if party not in (Party.SUBSIDY_RETURN, Party.BUYER_REFUND)
    )


@given(st.lists(st.integers(1, 100_000), min_size=1, max_size=12), st.integers(0, 20_000), st.integers(0, 100_000))
def test_settlements_with_budgeted_subsidies_conserve_every_fen_refunds_included(
    paid_fen: list[int], budget_fen: int, refund_fen: int
) -> None:
    """Subsidies drawn from a budget never overspend it, and every order's lines add up, before and after refunds."""
    resolution = CATALOG.resolve(Tier.L5, example_perk_inputs())
    orders = [_order(f"o-{i}", Money(fen).to_text()) for i, fen in enumerate(paid_fen)]
    allocation = allocate_subsidies(
        subsidy_requests(resolution, orders), [SubsidyBudget("official-subsidy", Money(budget_fen))]
    )
    assert allocation.granted_total("official-subsidy") <= Money(budget_fen)
    profile = PlatformProfile.kuaishou()
    for order in (apply_subsidy(o, allocation) for o in orders):
        assert sum((line.amount for line in split(order, profile).lines), Money(0)) == order.total_in
        refund = Money(min(refund_fen, order.paid.fen))
        if refund.fen:
            refunded = order.refund(event_id="r", at=PAID_AT + timedelta(hours=1), amount=refund)
            lines = split(refunded, profile).lines
            assert sum((line.amount for line in lines), Money(0)) == refunded.total_in
            assert all(line.amount >= Money(0) for line in lines)


def test_catalogs_round_trip_and_bad_files_name_their_place() -> None:
    """The default catalog survives JSON and TOML; an unknown perk kind or field names its entry."""
    assert loads(dumps(CATALOG), PerkCatalog) == CATALOG
    assert loads(dumps(CATALOG, format="toml"), PerkCatalog, format="toml") == CATALOG
    data = to_dict(CATALOG)
    data["entries"][4]["perk"]["kind"] = "teleport"
    with pytest.raises(ValidationError, match=r"entries\[4\]\.perk\.kind"):
        from_dict(data, PerkCatalog)
    data = to_dict(CATALOG)
    data["entries"][11]["perk"]["multiplier"] = "0.5"
    with pytest.raises(ValidationError, match=r"entries\[11\]\.perk\.multiplier"):
        from_dict(data, PerkCatalog)
    data = to_dict(CATALOG)
    data["entries"][0]["when"]["input"] = "days_since_joinin"
    with pytest.raises(ValidationError, match=r"entries\[0\]\.when\.input.*did you mean"):
        from_dict(data, PerkCatalog)


def test_a_rate_only_subsidy_works_in_any_currency_and_long_order_ids_make_valid_requests() -> None:
    """5% of 10.00 USD is 0.50 USD; a 64-character order id still makes a valid request id."""
    assert Subsidy("b", rate=Rate.of("5%")).amount_for(Money.of("10.00", "USD")) == Money.of("0.50", "USD")
    resolution = CATALOG.resolve(Tier.L5, example_perk_inputs())
    (request,) = subsidy_requests(resolution, [_order("o" * 64, "100.00")])
    assert request.request_id == "o" * 64 + ":official-subsidy"


def test_denials_carry_a_code() -> None:
    """Each denial says which kind of reason it is."""
    codes = {d.entry: d.code for d in CATALOG.resolve(Tier.L3, example_perk_inputs(days_since_joining=30)).denied}
    assert codes["exclusive-badge"] == "above-tier"
    assert codes["cold-start"] == "ineligible"
    assert codes["l2-boost"] == "outstacked"


# The default catalog as it was written in Python before it became data/defaults/perks.toml (kept here so that
# an edit of the file is a visible change of the default).
_NORMAL = Compare("merchant_standing", Op.EQ, "normal")
EXPECTED_DEFAULT = PerkCatalog(
    entries=(
        PerkEntry(
            "cold-start",
            Tier.L0,
            TrafficBoost(Decimal("1.2"), "new-product exposure"),
            when=Compare("days_since_joining", Op.LT, Decimal(14)),
        ),
        # Issue 19: goods enter the pool on joining, so the pool perk starts at L0 (it was L1).
        PerkEntry("pool", Tier.L0, Access("pool", "listed in the selection pool")),
        PerkEntry("l2-boost", Tier.L2, TrafficBoost(Decimal("1.05"))),
        PerkEntry("leader-activities", Tier.L2, Access("leader_activities", "eligible for team-leader activities")),
        PerkEntry("l3-boost", Tier.L3, TrafficBoost(Decimal("1.1"))),
        PerkEntry("selection-center", Tier.L3, Access("selection_center", "recommended in the selection center")),
        PerkEntry("l3-preferred", Tier.L3, InfluencerPreferred(1)),
        PerkEntry("l4-boost", Tier.L4, TrafficBoost(Decimal("1.3"))),
        PerkEntry("hot-item-channel", Tier.L4, Access("hot_item_channel", "hot-item channel")),
        PerkEntry("hot-item-badge", Tier.L4, Badge("行业爆款", "badge-baokuan")),
        PerkEntry("l4-preferred", Tier.L4, InfluencerPreferred(5)),
        PerkEntry("traffic-boost", Tier.L5, TrafficBoost(Decimal(2), "流量加持")),
        PerkEntry("exclusive-badge", Tier.L5, Badge("精选好物", "badge-jingxuan")),
        PerkEntry(
            "official-subsidy",
            Tier.L5,
            Subsidy("official-subsidy", rate=Rate.of("5%"), cap=Money.of("20.00")),
            when=_NORMAL,
        ),
        PerkEntry("influencer-preferred", Tier.L5, InfluencerPreferred(20)),
    ),
    name="default",
    version="2026.12",
)


def test_the_default_catalog_is_the_shipped_toml_file_and_passes_the_catalogs_checks() -> None:
    """default_perk_catalog() reads data/defaults/perks.toml once; it equals the former Python default, entry for
    entry, and every entry passes the catalog's checks (registered kinds, conditions over PERK_INPUTS)."""
    text = importlib.resources.files("fenxiao").joinpath("data/defaults/perks.toml").read_text(encoding="utf-8")
    assert text.startswith("# The default perk catalog")
    from_file = loads(text, PerkCatalog, format="toml")
    assert from_file == EXPECTED_DEFAULT
    assert [e.name for e in from_file.entries] == [e.name for e in EXPECTED_DEFAULT.entries]
    assert default_perk_catalog() == EXPECTED_DEFAULT
    assert default_perk_catalog() is default_perk_catalog()  # cached: read once
    attrs.validate(from_file)
    for i, entry in enumerate(from_file.entries):
        assert type(entry.perk).kind in perk_kinds()
        if entry.when is not None:
            check(entry.when, PERK_INPUTS, f"entries[{i}].when")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        default_perk_catalog().name = "mine"  # type: ignore[misc]


def test_the_old_names_of_the_perk_inputs_still_work_with_a_deprecation_warning() -> None:
    """context= (resolve_perks, PerkCatalog.resolve) and example_context() are the old names of inputs."""
    inputs = example_perk_inputs(merchant_standing="warned")
    expected = resolve_perks(CATALOG, Tier.L5, inputs)
    with pytest.warns(DeprecationWarning, match=r"resolve_perks\(context=...\) is deprecated; use inputs="):
        assert resolve_perks(CATALOG, Tier.L5, context=inputs) == expected  # type: ignore[call-arg]
    with pytest.warns(DeprecationWarning, match=r"PerkCatalog.resolve\(context=...\) is deprecated"):
        assert CATALOG.resolve(Tier.L5, context=inputs) == expected  # type: ignore[call-arg]
    with pytest.warns(DeprecationWarning, match=r"example_context\(\) is deprecated; use example_perk_inputs"):
        assert example_context(merchant_standing="warned") == inputs
    with pytest.raises(InvalidValueError, match=r"resolve_perks\.context"):
        resolve_perks(CATALOG, Tier.L5, inputs=inputs, context=inputs)  # type: ignore[call-arg]


def test_windows_and_precedence_are_the_rules_resolution_follows() -> None:
    """outside_window gives the denial reason resolve_perks records; stacking_precedence picks each slot's entry."""
    entry = PerkEntry("promo", Tier.L1, TrafficBoost(Decimal(3)), valid_from=T0, valid_until=T0 + timedelta(days=1))
    catalog = PerkCatalog(entries=[entry, PerkEntry("base", Tier.L2, TrafficBoost(Decimal(2)))])
    for at in (None, T0 - timedelta(seconds=1), T0, T0 + timedelta(days=1)):
        reason = outside_window(entry.valid_from, entry.valid_until, at)
        denied = {d.entry: d for d in catalog.resolve(Tier.L2, example_perk_inputs(), at=at).denied}
        if reason is None:
            assert "promo" not in denied
        else:
            assert (denied["promo"].reason, denied["promo"].code) == (reason, "window")
    (granted,) = catalog.resolve(Tier.L2, example_perk_inputs(), at=T0).granted
    items = list(enumerate(catalog.entries))
    assert granted.entry == max(items, key=lambda it: stacking_precedence(Stacking.STRONGEST, it[1], it[0]))[1].name


@given(INPUTS, st.sampled_from(list(Tier)), st.sampled_from([None, T0, T0 + timedelta(days=400)]))
def test_denied_entries_built_when_read_are_the_ones_built_at_once(
    inputs: dict[str, Any], tier: Tier, at: datetime | None
) -> None:
    """A resolution builds its denied entries when first read (issue 21): read after the caller has changed its
    inputs, they are still those of the inputs given; the lazy resolution equals (same hash, repr, file form) one
    built through the validated constructor, and survives pickling and evolve."""
    pickle = importlib.import_module("pickle")
    mutable = dict(inputs)
    lazy = resolve_perks(CATALOG, tier, mutable, at=at)
    mutable["days_since_joining"] = 9999  # after resolving: the pending reasons do not read the inputs again
    reference = resolve_perks(CATALOG, tier, inputs, at=at)
    eager = PerkResolution(reference.tier, reference.granted, tuple(reference.denied), reference.sku_id)
    assert pickle.loads(pickle.dumps(resolve_perks(CATALOG, tier, inputs, at=at))) == eager
    assert attrs.evolve(resolve_perks(CATALOG, tier, inputs, at=at), sku_id=None) == eager
    assert (lazy, hash(lazy), repr(lazy), to_dict(lazy)) == (eager, hash(eager), repr(eager), to_dict(eager))


# -- what a catalog remembers between resolutions (issue 21) --------------------------------------------------

_MIXED = PerkCatalog(
    entries=(
        *default_perk_catalog().entries,
        PerkEntry(
            "jewellery-boost", Tier.L2, TrafficBoost(Decimal("1.5")), when=Compare("category_id", Op.IN, ("c-gold",))
        ),
        PerkEntry(
            "double-11",
            Tier.L1,
            Badge("双11", "badge-d11", slot="campaign"),
            valid_from=T0,
            valid_until=T0 + timedelta(days=12),
        ),
        PerkEntry("only-l3", Tier.L3, Access("l3-only"), inherit=False),
        PerkEntry("base", Tier.L3, Subsidy("b", rate=Rate.of("5%"), cap=Money.of("30.00"))),
        PerkEntry(
            "extra",
            Tier.L4,
            Subsidy("b", fixed=Money.of("1.00"), cap=Money.of("20.00")),
            when=Compare("shop_kind", Op.EQ, "flagship"),
        ),
    )
)


@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(Tier),
            st.sampled_from(["c-dress", "c-gold"]),
            st.sampled_from(["normal", "warned"]),
            st.sampled_from(["ordinary", "flagship"]),
            st.integers(0, 30),
            st.sampled_from([None, T0 + timedelta(days=1), T0 + timedelta(days=12)]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_a_catalog_resolves_as_a_fresh_one_whatever_it_resolved_before(calls: list[tuple[Any, ...]]) -> None:
    """resolve_perks remembers per catalog what each tier grants for each set of conditions met; every resolution
    equals the one a fresh copy of the catalog gives (granted, denied with their reasons, in order)."""
    catalog = attrs.evolve(_MIXED)
    for tier, category, standing, shop, days, at in calls:
        inputs = example_perk_inputs(
            category_id=category, merchant_standing=standing, shop_kind=shop, days_since_joining=days
        )
        got = resolve_perks(catalog, tier, inputs, at=at, sku_id="sku-1")
        fresh = resolve_perks(attrs.evolve(_MIXED), tier, inputs, at=at, sku_id="sku-1")
        assert got.granted == fresh.granted
        assert got == fresh  # reads (and builds) the denied entries
        assert [d.reason for d in got.denied] == [d.reason for d in fresh.denied]


def test_registering_a_perk_kind_starts_the_remembered_outcomes_over() -> None:
    """What a catalog remembers reads the kinds' stacking: a registration (even of another kind) clears it."""
    catalog = attrs.evolve(default_perk_catalog())
    before = resolve_perks(catalog, Tier.L5, example_perk_inputs(), at=T0)
    assert catalog._outcomes

    @attrs.frozen
    class Flag:
        kind: ClassVar[str] = "issue21-flag"
        stacking: ClassVar[Stacking] = Stacking.OVERRIDE
        key: ClassVar[str] = "flag"

        def strength(self) -> Decimal:
            return Decimal(1)

    register_perk_kind(Flag)
    try:
        after = resolve_perks(catalog, Tier.L5, example_perk_inputs(), at=T0)
        assert after == before
        assert len(catalog._outcomes) == 3  # the registration count, the tier's conditions, one outcome
    finally:
        unregister_perk_kind("issue21-flag")


@given(
    tier=st.sampled_from(Tier),
    days=st.integers(0, 30),
    standing=st.sampled_from(["normal", "warned"]),
    category=st.sampled_from(["c-dress", "c-gold"]),
)
def test_a_failed_condition_is_explained_as_when_it_was_compared(
    tier: Tier, days: int, standing: str, category: str
) -> None:
    """An ineligible entry's reason, built when denied is read, is the explanation of its condition on the inputs
    as they were at resolution (a later change to the caller's dict changes nothing)."""
    inputs = example_perk_inputs(days_since_joining=days, merchant_standing=standing, category_id=category)
    resolution = resolve_perks(_MIXED, tier, inputs, at=T0 + timedelta(days=1))
    want = {
        e.name: "not eligible: " + ("; ".join(str(c) for c in explain(e.when, inputs).unmet()) or str(e.when))
        for e in _MIXED.entries
        if e.when is not None and not explain(e.when, inputs).passed
    }
    inputs.update(days_since_joining=99, merchant_standing="normal", category_id="c-gold")
    got = {d.entry: d.reason for d in resolution.denied if d.code == "ineligible"}
    assert got == {name: reason for name, reason in want.items() if name in got}
    assert set(got) <= set(want)
