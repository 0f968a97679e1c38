"""Commission plans, precedence, rate-change timing, activities and platform profiles."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.goods import Category
from fenxiao.domain.ids import CategoryId, InfluencerId, TeamLeaderId
from fenxiao.domain.people import Influencer, Mcn, McnContract
from fenxiao.errors import InvalidValueError, PolicyError, ValidationError
from fenxiao.money import Money, Rate, Rounding
from fenxiao.serialization import dumps, load, loads
from fenxiao.settlement.activities import CategoryMinimum, SecondLevelTerms, TeamLeaderActivity
from fenxiao.settlement.kinds import DEFAULT_PRECEDENCE, PlanKind
from fenxiao.settlement.orders import OrderTerms
from fenxiao.settlement.plans import CommissionPlan, next_natural_day, select_plan
from fenxiao.settlement.profiles import PRESETS, CategoryRule, KindBounds, PlatformProfile, ServiceLevel, SettlementDays
from fenxiao.settlement.splits import Party, split
from fenxiao.settlement.steps import CommissionStep, StepMode, commission_on
from fenxiao.testing.commission import activities, amounts, commission_plans, commission_steps, platform_profiles

from .. import builders

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=CST)  # a Monday morning in Beijing
DAY = timedelta(days=1)
PROFILE = PlatformProfile()
GOLD = Category(id=CategoryId("c-gold"), path=("珠宝文玩", "黄金", "黄金项链"))
DRESS = Category(id=CategoryId("c-dress"), path=("服饰内衣", "女装", "连衣裙"))


def plan(kind: PlanKind = PlanKind.NORMAL, rate: str = "20%", **changes: Any) -> CommissionPlan:
    defaults: dict[str, Any] = {"id": f"p-{kind.value}", "merchant_id": "m-1", "at": T0}
    if kind in (PlanKind.ITEM_TARGETED, PlanKind.SHOP_TARGETED, PlanKind.EXCLUSIVE):
        defaults["influencer_ids"] = ("kol-1",)
    if kind is PlanKind.ITEM_TARGETED:
        defaults["sku_ids"] = ("sku-1",)
    if kind is PlanKind.ACTIVITY:
        defaults["activity_id"] = "act-1"
    defaults.update(changes)
    return CommissionPlan.open(kind=kind, rate=Rate.of(rate), **defaults)


def pick(plans: list[CommissionPlan], **changes: Any) -> Any:
    where: dict[str, Any] = {"merchant_id": "m-1", "sku_id": "sku-1", "influencer_id": "kol-1", "at": T0 + DAY}
    where.update(changes)
    return select_plan(plans, **where)


def activity(**changes: Any) -> TeamLeaderActivity:
    fields: dict[str, Any] = {
        "id": "act-1",
        "leader_id": TeamLeaderId("tl-1"),
        "service_fee_rate": Rate.of("5%"),
        "valid_from": T0,
    }
    fields.update(changes)
    return TeamLeaderActivity(**fields)


# -- plans and precedence -------------------------------------------------------------------------------------


def test_precedence_is_exclusive_then_targeted_then_activity_then_normal() -> None:
    """With one plan of every kind covering the sale, each removal hands the win to the next kind."""
    plans = [plan(kind) for kind in PlanKind]
    winners = []
    while plans:
        decision = pick(plans)
        winners.append(decision.kind)
        plans = [p for p in plans if p.id != decision.winner_id]
    assert tuple(winners) == DEFAULT_PRECEDENCE


def test_the_decision_names_the_winner_and_every_plan_it_beat() -> None:
    """The candidates list every covering plan, best first, with its rank."""
    decision = pick([plan(PlanKind.NORMAL, "30%"), plan(PlanKind.EXCLUSIVE, "25%")])
    assert decision.winner_id == "p-exclusive"
    assert decision.rate == Rate.of("25%")
    assert [(c.plan_id, c.rank) for c in decision.candidates] == [("p-exclusive", 0), ("p-normal", 4)]
    assert decision.reason == "exclusive plan p-exclusive at 25% beats 1 other covering plan"


def test_precedence_is_configurable() -> None:
    """A platform that puts normal plans first gets them."""
    order = (PlanKind.NORMAL, *(k for k in DEFAULT_PRECEDENCE if k is not PlanKind.NORMAL))
    decision = pick([plan(PlanKind.NORMAL), plan(PlanKind.EXCLUSIVE)], precedence=order)
    assert decision.winner_id == "p-normal"


def test_a_precedence_missing_a_kind_is_refused() -> None:
    """Precedence must list every kind exactly once."""
    with pytest.raises(PolicyError, match=r"select_plan\.precedence: must list each plan kind once"):
        pick([], precedence=(PlanKind.NORMAL,))


def test_between_plans_of_one_kind_the_higher_rate_then_the_smaller_id_wins() -> None:
    """Ties in kind go to the influencer's better offer, then to the id, deterministically."""
    low, high = plan(rate="20%", id="p-a"), plan(rate="25%", id="p-b")
    assert pick([low, high]).winner_id == "p-b"
    same = plan(rate="25%", id="p-a")
    assert pick([high, same]).winner_id == "p-a"


def test_no_covering_plan_means_no_winner() -> None:
    """A targeted plan for someone else does not cover the sale."""
    decision = pick([plan(PlanKind.EXCLUSIVE, influencer_ids=("kol-2",))])
    assert decision.winner is None
    assert decision.rate is None
    assert decision.winner_id is None
    assert decision.candidates == ()


def test_duplicate_plan_ids_are_refused() -> None:
    """Two plans with one id make the decision ambiguous."""
    with pytest.raises(PolicyError, match=r"select_plan\.plans\[1\]\.id: is used by two plans"):
        pick([plan(), plan()])


def test_coverage_follows_the_plan_kind() -> None:
    """Item-targeted plans cover their SKUs; normal plans without SKUs cover the whole shop."""
    item = plan(PlanKind.ITEM_TARGETED)
    assert item.covers(merchant_id="m-1", sku_id="sku-1", influencer_id="kol-1", at=T0)
    assert not item.covers(merchant_id="m-1", sku_id="sku-2", influencer_id="kol-1", at=T0)
    assert not item.covers(merchant_id="m-2", sku_id="sku-1", influencer_id="kol-1", at=T0)
    assert plan().covers(merchant_id="m-1", sku_id="anything", influencer_id="anyone", at=T0)


def test_a_plan_covers_only_within_its_validity_window() -> None:
    """Start inclusive, end exclusive."""
    p = plan(valid_until=T0 + 7 * DAY)
    assert not p.is_active(T0 - timedelta(seconds=1))
    assert p.is_active(T0)
    assert p.is_active(T0 + 7 * DAY - timedelta(seconds=1))
    assert not p.is_active(T0 + 7 * DAY)


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        (PlanKind.NORMAL, {"influencer_ids": ("kol-1",)}, r"influencer_ids: must be empty for a normal plan"),
        (PlanKind.EXCLUSIVE, {"influencer_ids": ()}, r"influencer_ids: must name influencers"),
        (PlanKind.ITEM_TARGETED, {"sku_ids": ()}, r"sku_ids: must name SKUs"),
        (PlanKind.SHOP_TARGETED, {"sku_ids": ("sku-1",)}, r"sku_ids: must be empty for a shop-targeted plan"),
        (PlanKind.ACTIVITY, {"activity_id": None}, r"activity_id: must be given exactly for an activity plan"),
        (PlanKind.NORMAL, {"activity_id": "act-1"}, r"activity_id: must be given exactly"),
        (PlanKind.NORMAL, {"valid_until": T0}, r"valid_until: must be after valid_from"),
    ],
)
def test_malformed_plans_are_refused_naming_the_field(kind: PlanKind, changes: dict[str, Any], message: str) -> None:
    """Each coverage rule of each kind."""
    with pytest.raises(InvalidValueError, match=rf"CommissionPlan\.{message}"):
        plan(kind, **changes)


def test_plans_refuse_naive_datetimes() -> None:
    """A naive start is ambiguous."""
    with pytest.raises(InvalidValueError, match="timezone-aware"):
        plan(at=datetime(2026, 11, 2))


# -- rate changes ---------------------------------------------------------------------------------------------


def test_a_raise_takes_effect_at_once() -> None:
    """Raising 20% to 25% applies from the moment it is asked."""
    p = plan().with_rate(Rate.of("25%"), at=T0 + timedelta(hours=1), profile=PROFILE)
    assert p.rate_at(T0 + timedelta(hours=1)) == Rate.of("25%")
    assert p.rate_at(T0 + timedelta(minutes=59)) == Rate.of("20%")


def test_a_cut_takes_effect_at_the_next_natural_day_in_china() -> None:
    """A cut asked at 23:59 Beijing time applies from 00:00 the next day, not before."""
    at = datetime(2026, 11, 2, 23, 59, tzinfo=CST)
    p = plan().with_rate(Rate.of("15%"), at=at, profile=PROFILE)
    midnight = datetime(2026, 11, 3, 0, 0, tzinfo=CST)
    assert p.rate_history[-1].effective_at == midnight
    assert p.rate_at(midnight - timedelta(microseconds=1)) == Rate.of("20%")
    assert p.rate_at(midnight) == Rate.of("15%")
    assert p.pending(at) == (p.rate_history[-1],)


def test_the_natural_day_is_the_profiles_not_the_callers() -> None:
    """16:30 UTC is already 00:30 the next day in Beijing, so a cut then waits for the day after."""
    at = datetime(2026, 11, 2, 16, 30, tzinfo=UTC)
    p = plan().with_rate(Rate.of("15%"), at=at, profile=PROFILE)
    assert p.rate_history[-1].effective_at == datetime(2026, 11, 4, 0, 0, tzinfo=CST)
    utc_profile = attrs.evolve(PROFILE, utc_offset_minutes=0)
    assert next_natural_day(at, utc_profile.tz) == datetime(2026, 11, 3, 0, 0, tzinfo=UTC)


def test_a_raise_after_a_pending_cut_overrides_it() -> None:
    """The most recently requested change in effect wins: the cut never applies."""
    p = plan().with_rate(Rate.of("15%"), at=T0, profile=PROFILE)
    p = p.with_rate(Rate.of("22%"), at=T0 + timedelta(hours=1), profile=PROFILE)
    assert p.rate_at(T0 + 2 * DAY) == Rate.of("22%")


def test_a_profile_may_apply_cuts_at_once() -> None:
    """With cut_next_day off a cut is immediate."""
    p = plan().with_rate(Rate.of("15%"), at=T0, profile=attrs.evolve(PROFILE, cut_next_day=False))
    assert p.rate_at(T0) == Rate.of("15%")


def test_an_exclusive_plan_cut_twice_in_a_week_is_refused() -> None:
    """The second cut six days after the first breaks the once-in-7-days rule."""
    p = plan(PlanKind.EXCLUSIVE, "30%").with_rate(Rate.of("27%"), at=T0, profile=PROFILE)
    with pytest.raises(PolicyError, match=r"CommissionPlan\.rate: an exclusive plan may be cut at most once in 7 days"):
        p.with_rate(Rate.of("25%"), at=T0 + 6 * DAY, profile=PROFILE)


def test_an_exclusive_plan_may_be_cut_again_exactly_seven_days_later() -> None:
    """Seven days to the second after the last cut request is allowed."""
    p = plan(PlanKind.EXCLUSIVE, "30%").with_rate(Rate.of("27%"), at=T0, profile=PROFILE)
    p = p.with_rate(Rate.of("25%"), at=T0 + 7 * DAY, profile=PROFILE)
    assert len(p.cuts()) == 2


def test_an_exclusive_plan_cut_by_more_than_5_points_is_refused_and_exactly_5_is_allowed() -> None:
    """30% to 24.9999% is too deep; 30% to 25% is the limit."""
    p = plan(PlanKind.EXCLUSIVE, "30%")
    with pytest.raises(PolicyError, match=r"may be cut by at most 5% at a time \(from 30% that is 25%\)"):
        p.with_rate(Rate.of("24.9999%"), at=T0, profile=PROFILE)
    assert p.with_rate(Rate.of("25%"), at=T0, profile=PROFILE).current_rate == Rate.of("25%")


def test_a_normal_plan_may_be_cut_twice_in_a_week() -> None:
    """The frequency and depth limits are for exclusive plans only."""
    p = plan(rate="30%").with_rate(Rate.of("20%"), at=T0, profile=PROFILE)
    p = p.with_rate(Rate.of("10%"), at=T0 + DAY, profile=PROFILE)
    assert [c.rate for c in p.cuts()] == [Rate.of("20%"), Rate.of("10%")]


def test_raises_do_not_count_as_cuts() -> None:
    """An exclusive plan raised then cut within a week is fine: only cuts are limited."""
    p = plan(PlanKind.EXCLUSIVE, "30%").with_rate(Rate.of("32%"), at=T0, profile=PROFILE)
    p = p.with_rate(Rate.of("30%"), at=T0 + DAY, profile=PROFILE)
    assert len(p.cuts()) == 1


# -- the chain of exclusive plans on the same goods (issue 19) ------------------------------------------------


def _vip(plan_id: str, rate: str, at: datetime, *previous: CommissionPlan, profile: PlatformProfile = PROFILE) -> Any:
    return CommissionPlan.open(
        id=plan_id,
        kind=PlanKind.EXCLUSIVE,
        merchant_id="m-1",
        rate=Rate.of(rate),
        at=at,
        influencer_ids=("kol-1",),
        profile=profile,
        previous=previous,
    )


def test_closing_a_25_percent_exclusive_plan_and_opening_a_5_percent_one_is_refused() -> None:
    """Reopening is a cut of the chain: 25% to 5% is 20 points, beyond the 5-point limit."""
    old = _vip("vip-1", "25%", T0).close(at=T0 + DAY)
    with pytest.raises(PolicyError, match=r"cut by at most 5% at a time \(plan vip-2 opened below vip-1's rate"):
        _vip("vip-2", "5%", T0 + DAY, old)
    assert _vip("vip-2", "20%", T0 + DAY, old).current_rate == Rate.of("20%")


def test_a_reopening_cut_counts_toward_the_once_in_7_days_rule() -> None:
    """A cut on the old plan, then a cheaper reopening two days later, is two cuts in a week."""
    old = _vip("vip-1", "30%", T0).with_rate(Rate.of("27%"), at=T0, profile=PROFILE).close(at=T0 + 2 * DAY)
    with pytest.raises(PolicyError, match="at most once in 7 days, counting every exclusive plan on the same goods"):
        _vip("vip-2", "25%", T0 + 2 * DAY, old)
    new = _vip("vip-2", "27%", T0 + 2 * DAY, old)  # the same rate is no cut
    with pytest.raises(PolicyError, match="at most once in 7 days"):
        new.with_rate(Rate.of("25%"), at=T0 + 3 * DAY, profile=PROFILE, previous=(old,))
    assert new.with_rate(Rate.of("25%"), at=T0 + 7 * DAY, profile=PROFILE, previous=(old,)).current_rate == Rate.of(
        "25%"
    )


def test_a_plan_opened_below_the_chain_then_cut_inside_the_week_is_refused() -> None:
    """The opening cut is the chain's last cut, so a cut of the new plan within 7 days breaks the rule."""
    old = _vip("vip-1", "25%", T0).close(at=T0 + DAY)
    new = _vip("vip-2", "22%", T0 + DAY, old)
    with pytest.raises(PolicyError, match="at most once in 7 days"):
        new.with_rate(Rate.of("20%"), at=T0 + 3 * DAY, profile=PROFILE, previous=(old,))


def test_a_chain_starts_afresh_after_a_gap_of_the_whole_interval() -> None:
    """An exclusive plan closed 7 days or more before the next one opens no longer sets the chain's rate."""
    old = _vip("vip-1", "25%", T0).close(at=T0 + DAY)
    assert _vip("vip-2", "5%", T0 + 8 * DAY, old).current_rate == Rate.of("5%")
    with pytest.raises(PolicyError, match="cut by at most 5%"):
        _vip("vip-2", "5%", T0 + 8 * DAY - timedelta(seconds=1), old)


def test_select_plan_refuses_a_chain_that_escaped_the_cut_limits() -> None:
    """Plans built without the check (here, no *previous*) are caught by select_plan: under the profile given, and
    under the default profile's rules when none is given (issue 19: before, no profile meant no check)."""
    old = _vip("vip-1", "25%", T0).close(at=T0 + DAY)
    cheap = _vip("vip-2", "5%", T0 + DAY)
    where: dict[str, Any] = {"merchant_id": "m-1", "sku_id": "sku-1", "influencer_id": "kol-1", "at": T0 + 2 * DAY}
    with pytest.raises(PolicyError, match="plan vip-2 opened below vip-1's rate"):
        select_plan([old, cheap], **where)
    with pytest.raises(PolicyError, match="plan vip-2 opened below vip-1's rate"):
        select_plan([old, cheap], profile=PROFILE, **where)
    with pytest.raises(
        InvalidValueError,
        match=r"^select_plan\.profile: must be fenxiao\.settlement\.profiles\.PlatformProfile \| None, got 'kuaishou'$",
    ):
        select_plan([old, cheap], profile="kuaishou", **where)  # type: ignore[arg-type]
    other_goods = attrs.evolve(cheap, sku_ids=("sku-9",))
    assert select_plan([old, other_goods], profile=PROFILE, **where).winner_id is None


def test_douyin_allows_one_exclusive_plan_per_product() -> None:
    """A second exclusive plan on the same goods is refused on Douyin while the first is open, and allowed after it
    closes; Kuaishou (no such rule published) allows both."""
    douyin = PlatformProfile.douyin()
    first = _vip("vip-1", "25%", T0, profile=douyin)
    with pytest.raises(PolicyError, match=r"CommissionPlan\.id: its goods already have exclusive plan vip-1"):
        _vip("vip-2", "25%", T0 + DAY, first, profile=douyin)
    assert _vip("vip-2", "25%", T0 + DAY, first.close(at=T0 + DAY), profile=douyin).id == "vip-2"
    assert _vip("vip-2", "25%", T0 + DAY, first, profile=PlatformProfile.kuaishou()).id == "vip-2"
    with pytest.raises(PolicyError, match="one exclusive plan per product"):
        select_plan(
            [first, _vip("vip-2", "25%", T0 + DAY)],
            merchant_id="m-1",
            sku_id="sku-1",
            influencer_id="kol-1",
            at=T0 + 2 * DAY,
            profile=douyin,
        )


def test_closing_a_plan_checks_the_moment() -> None:
    """A plan closes after it starts and not after it already ends; sales from then on fall outside it."""
    p = plan(valid_until=T0 + 3 * DAY)
    with pytest.raises(InvalidValueError, match=r"CommissionPlan\.close\.at: must be after the plan started"):
        p.close(at=T0)
    with pytest.raises(InvalidValueError, match="after the plan already ends"):
        p.close(at=T0 + 4 * DAY)
    assert not p.close(at=T0 + DAY).is_active(T0 + DAY)


_STEP = st.tuples(
    st.integers(min_value=0, max_value=9 * 24),  # hours after the previous step
    st.booleans(),  # True: close the plan and open a new one; False: change the rate in place
    st.integers(min_value=0, max_value=50),  # the new rate, in whole percent
)


@given(steps=st.lists(_STEP, min_size=1, max_size=8), douyin=st.booleans())
def test_a_plan_chain_never_cuts_an_exclusive_rate_beyond_the_rule_within_the_window(
    steps: list[tuple[int, bool, int]], douyin: bool
) -> None:
    """Whatever mix of cuts, raises, closes and reopenings a merchant tries, the rates it gets accepted never cut
    by more than 5 points at once, nor twice within 7 days."""
    profile = PlatformProfile.douyin() if douyin else PROFILE
    current = _vip("vip-0", "30%", T0, profile=profile)
    closed: list[CommissionPlan] = []
    at = T0
    accepted: list[tuple[datetime, int]] = [(T0, 30)]
    for n, (hours, reopen, percent) in enumerate(steps, start=1):
        at = at + timedelta(hours=hours, minutes=1)
        rate = Rate.of(f"{percent}%")
        try:
            if reopen:
                ended = current.close(at=at)
                current = _vip(f"vip-{n}", f"{percent}%", at, *closed, ended, profile=profile)
                closed.append(ended)
            else:
                current = current.with_rate(rate, at=at, profile=profile, previous=closed)
        except PolicyError:
            continue
        accepted.append((at, percent))
    cuts = [(at, prev - now) for (_, prev), (at, now) in itertools.pairwise(accepted) if now < prev]
    assert all(depth <= 5 for _, depth in cuts)
    assert all(b - a >= timedelta(days=7) for (a, _), (b, _) in itertools.pairwise(cuts))
    select_plan([*closed, current], merchant_id="m-1", sku_id="sku-1", influencer_id="kol-1", at=at, profile=profile)


def test_rate_changes_may_not_go_back_in_time_or_outlive_the_plan() -> None:
    """Requests are chronological and inside the validity window."""
    p = plan(valid_until=T0 + 3 * DAY).with_rate(Rate.of("25%"), at=T0 + DAY, profile=PROFILE)
    with pytest.raises(InvalidValueError, match="is earlier than the last rate request"):
        p.with_rate(Rate.of("30%"), at=T0, profile=PROFILE)
    with pytest.raises(InvalidValueError, match="is after the plan ended"):
        p.with_rate(Rate.of("30%"), at=T0 + 3 * DAY, profile=PROFILE)


def test_rate_changes_are_checked_against_the_profile_and_the_category() -> None:
    """A cut below the jewellery floor is refused at the moment it is asked."""
    p = plan(rate="10%")
    with pytest.raises(
        PolicyError, match=r"CommissionPlan\.rate: is below the minimum commission for category 珠宝文玩 \(5%\)"
    ):
        p.with_rate(Rate.of("4%"), at=T0, profile=PROFILE, category=GOLD)
    with pytest.raises(PolicyError, match=r"is above the maximum commission \(90%\)"):
        p.with_rate(Rate.of("91%"), at=T0, profile=PROFILE)


# -- profiles and bounds ----------------------------------------------------------------------------------------


def test_zero_and_ninety_percent_are_inside_the_default_bounds() -> None:
    """0% and 90% pass; 90.0001% does not."""
    PROFILE.check_commission(Rate.zero())
    PROFILE.check_commission(Rate.of("90%"))
    with pytest.raises(PolicyError, match=r"my\.path: is above the maximum commission"):
        PROFILE.check_commission(Rate.of("90.0001%"), path="my.path")


def test_jewellery_and_medical_goods_need_5_percent_commission_and_1_percent_leader_fee() -> None:
    """The category floors apply by first-level name."""
    PROFILE.check_commission(Rate.of("5%"), category=GOLD, leader_fee=Rate.of("1%"))
    with pytest.raises(PolicyError, match=r"is below the minimum commission for category 珠宝文玩 \(5%\)"):
        PROFILE.check_commission(Rate.of("4.9999%"), category=GOLD)
    with pytest.raises(PolicyError, match=r"leader_fee_rate: is below the category's minimum leader fee \(1%\)"):
        PROFILE.check_commission(Rate.of("5%"), category=GOLD, leader_fee=Rate.of("0.9999%"))
    medical = Category(id=CategoryId("c-mask"), path=("医疗器械", "防护用品", "口罩"))
    with pytest.raises(PolicyError):
        PROFILE.check_commission(Rate.of("1%"), category=medical)
    PROFILE.check_commission(Rate.of("1%"), category=DRESS, leader_fee=Rate.zero())


def test_a_rule_for_a_category_id_wins_over_one_for_its_first_level_name() -> None:
    """The id rule is more specific and is used whole."""
    profile = attrs.evolve(
        PROFILE,
        category_rules=(*PROFILE.category_rules, CategoryRule(match="c-gold", min_commission=Rate.of("8%"))),
    )
    assert profile.commission_bounds(category=GOLD)[0] == Rate.of("8%")
    assert profile.commission_bounds(category="c-gold")[0] == Rate.of("8%")
    assert profile.commission_bounds(category="c-unknown")[0] == Rate.zero()


def test_category_rules_set_the_technical_fee() -> None:
    """A category's own tech fee replaces the profile's."""
    profile = attrs.evolve(PROFILE, category_rules=(CategoryRule(match="食品饮料", tech_fee_rate=Rate.of("2%")),))
    food = Category(id=CategoryId("c-nuts"), path=("食品饮料", "休闲零食", "坚果"))
    assert profile.tech_fee_for(food) == Rate.of("2%")
    assert profile.tech_fee_for(DRESS) == Rate.of("5%")


def test_douyin_bounds_depend_on_the_plan_kind() -> None:
    """General plans 1-50%, targeted up to 80%, exclusive up to 50%."""
    douyin = PlatformProfile.douyin()
    with pytest.raises(PolicyError, match=r"is below the minimum commission for normal plans \(1%\)"):
        douyin.check_commission(Rate.of("0.5%"), kind=PlanKind.NORMAL)
    with pytest.raises(PolicyError, match=r"is above the maximum commission for normal plans \(50%\)"):
        douyin.check_commission(Rate.of("60%"), kind=PlanKind.NORMAL)
    douyin.check_commission(Rate.of("80%"), kind=PlanKind.ITEM_TARGETED)
    assert douyin.settlement_due(T0, ServiceLevel.HIGH) == T0 + 3 * DAY


def test_a_plan_is_checked_on_every_rate_it_can_pay() -> None:
    """A step above the maximum makes the plan invalid for the profile."""
    steps = (CommissionStep(Money.of("100.00"), Rate.of("95%")),)
    with pytest.raises(PolicyError, match=r"CommissionPlan\.steps\[0\]\.rate: is above the maximum"):
        plan(steps=steps, profile=PROFILE)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"combined_cap": Rate.of("98%")}, r"PlatformProfile\.tech_fee_rate: plus the combined cap \(98%\) exceeds"),
        ({"commission_max": Rate.of("99%")}, r"tech_fee_rate: plus the commission_max \(99%\) exceeds 100%"),
        ({"commission_min": Rate.of("95%")}, r"PlatformProfile\.commission_max: must not be below commission_min"),
        ({"rounding": Rounding.UP}, r"PlatformProfile\.rounding: must be one of"),
        ({"plan_precedence": (PlanKind.NORMAL,)}, r"PlatformProfile\.plan_precedence: must list each plan kind once"),
        ({"category_rules": (CategoryRule("x"), CategoryRule("x"))}, r"category_rules\[1\]\.match: is listed twice"),
        ({"kind_bounds": (KindBounds(PlanKind.NORMAL),) * 2}, r"kind_bounds\[1\]\.kind: is listed twice"),
    ],
)
def test_inconsistent_profiles_are_refused_naming_the_field(changes: dict[str, Any], message: str) -> None:
    """Every profile invariant names its field."""
    with pytest.raises(InvalidValueError, match=message):
        PlatformProfile(**changes)


def test_the_kuaishou_profile_waives_the_commission_fee() -> None:
    """Kuaishou's 10% fee is nominally there but waived."""
    kuaishou = PlatformProfile.kuaishou()
    assert kuaishou.commission_fee_rate == Rate.of("10%")
    assert kuaishou.effective_commission_fee_rate == Rate.zero()
    assert PROFILE.effective_commission_fee_rate == Rate.of("10%")


# -- activities ---------------------------------------------------------------------------------------------------


def test_an_activity_sets_a_minimum_commission_per_category() -> None:
    """The category's own minimum (by id or first-level name) or the activity's default."""
    act = activity(
        min_commission=Rate.of("10%"),
        category_minimums=(CategoryMinimum("服饰内衣", Rate.of("20%")), CategoryMinimum("c-gold", Rate.of("6%"))),
    )
    assert act.min_commission_for(DRESS) == Rate.of("20%")
    assert act.min_commission_for(GOLD) == Rate.of("6%")
    assert act.min_commission_for(None) == Rate.of("10%")
    with pytest.raises(PolicyError, match=r"is below activity act-1's minimum commission \(20%\)"):
        act.check_commission(Rate.of("19%"), category=DRESS)


def test_a_second_level_fee_above_the_first_level_fee_is_refused_by_the_activity() -> None:
    """6% under a 5% first-level fee is refused."""
    with pytest.raises(
        InvalidValueError, match=r"TeamLeaderActivity\.second_levels\[0\]\.fee_rate: must not exceed the first-level"
    ):
        activity(second_levels=(SecondLevelTerms(TeamLeaderId("tl2-1"), Rate.of("6%")),))


def test_a_second_level_fee_below_the_activity_minimum_is_refused() -> None:
    """The second-level fee lies between the activity's minimum and the first-level fee."""
    with pytest.raises(InvalidValueError, match=r"must not be below the activity's second-level minimum \(1%\)"):
        activity(
            second_level_min_fee=Rate.of("1%"),
            second_levels=(SecondLevelTerms(TeamLeaderId("tl2-1"), Rate.of("0.5%")),),
        )
    ok = activity(
        second_level_min_fee=Rate.of("1%"), second_levels=(SecondLevelTerms(TeamLeaderId("tl2-1"), Rate.of("5%")),)
    )
    assert ok.second_level_fee("tl2-1") == Rate.of("5%")
    with pytest.raises(InvalidValueError, match="names no second-level leader"):
        ok.second_level_fee("tl2-9")


def test_an_activity_is_checked_against_the_profile() -> None:
    """A jewellery activity's fee must meet the 1% floor, and its minimum + fee must stay below the cap."""
    with pytest.raises(PolicyError, match=r"TeamLeaderActivity\.service_fee_rate: is below the category's minimum"):
        activity(service_fee_rate=Rate.of("0.5%")).check(PROFILE, category=GOLD)
    with pytest.raises(PolicyError, match=r"TeamLeaderActivity\.min_commission: plus the leader fee \(5%\)"):
        activity(min_commission=Rate.of("85%")).check(PROFILE)
    activity().check(PROFILE, category=GOLD)


def test_terms_from_an_activity_plan_carry_the_leader_fees() -> None:
    """When the activity plan wins, the order pays its leader (and second-level leader) fees."""
    act = activity(second_levels=(SecondLevelTerms(TeamLeaderId("tl2-1"), Rate.of("2%")),))
    decision = pick([plan(PlanKind.ACTIVITY, "20%")])
    kol = Influencer(id=InfluencerId("kol-1"), name="周周", mcn_id="mcn-1", mcn_share=Rate.of("30%"))
    t = OrderTerms.from_decision(
        decision, profile=PROFILE, category=DRESS, activity=act, second_leader_id="tl2-1", influencer=kol
    )
    assert (t.leader_id, t.leader_fee_rate) == ("tl-1", Rate.of("5%"))
    assert (t.second_leader_id, t.second_leader_fee_rate) == ("tl2-1", Rate.of("2%"))
    assert (t.mcn_id, t.mcn_share) == ("mcn-1", Rate.of("30%"))
    assert (t.plan_id, t.plan_kind, t.tech_fee_rate) == ("p-activity", PlanKind.ACTIVITY, Rate.of("5%"))


def test_terms_from_a_non_activity_plan_pay_no_leader() -> None:
    """An exclusive plan beats the activity: no leader fee, and a second-level leader is refused."""
    decision = pick([plan(PlanKind.ACTIVITY), plan(PlanKind.EXCLUSIVE, "25%")])
    t = OrderTerms.from_decision(decision, profile=PROFILE)
    assert t.leader_id is None
    assert t.commission_rate == Rate.of("25%")
    with pytest.raises(InvalidValueError, match="needs an activity plan to win"):
        OrderTerms.from_decision(decision, profile=PROFILE, second_leader_id="tl2-1")


def test_terms_from_an_activity_plan_need_that_activity_and_its_minimum() -> None:
    """The activity must be the plan's, and the plan's rate must meet its minimum for the category."""
    decision = pick([plan(PlanKind.ACTIVITY, "10%")])
    with pytest.raises(InvalidValueError, match=r"must be the winning plan's activity \(act-1\)"):
        OrderTerms.from_decision(decision, profile=PROFILE)
    strict = activity(category_minimums=(CategoryMinimum("服饰内衣", Rate.of("15%")),))
    with pytest.raises(PolicyError, match=r"OrderTerms\.commission_rate: is below activity act-1's minimum"):
        OrderTerms.from_decision(decision, profile=PROFILE, activity=strict, category=DRESS)


def test_terms_without_a_winning_plan_pay_no_commission() -> None:
    """No covering plan: 0% commission."""
    t = OrderTerms.from_decision(pick([]), profile=PROFILE)
    assert t.commission_rate == Rate.zero()
    assert t.plan_id is None


# -- steps --------------------------------------------------------------------------------------------------------


def test_step_thresholds_must_rise() -> None:
    """Steps are ordered by strictly increasing thresholds above zero."""
    with pytest.raises(InvalidValueError, match=r"steps\[1\]\.threshold: must be above the previous threshold"):
        plan(steps=(CommissionStep(Money(200), Rate.of("1%")), CommissionStep(Money(200), Rate.of("2%"))))
    with pytest.raises(InvalidValueError, match=r"CommissionStep\.threshold: must be above zero"):
        CommissionStep(Money(0), Rate.of("1%"))


def test_marginal_steps_pay_each_slice_at_its_own_rate() -> None:
    """¥0-100 at 10%, ¥100-200 at 20%, above at 30%: ¥250 pays 10 + 20 + 15."""
    steps = (CommissionStep(Money.of("100.00"), Rate.of("20%")), CommissionStep(Money.of("200.00"), Rate.of("30%")))
    marginal = commission_on(Money.of("250.00"), Rate.of("10%"), steps=steps, mode=StepMode.MARGINAL)
    slab = commission_on(Money.of("250.00"), Rate.of("10%"), steps=steps, mode=StepMode.SLAB)
    assert (marginal, slab) == (Money.of("45.00"), Money.of("75.00"))


@given(base=amounts(max_fen=10**7), rate=st.integers(0, 900_000).map(Rate.from_ppm), steps=commission_steps())
def test_marginal_commission_never_exceeds_slab_when_steps_rise(
    base: Money, rate: Rate, steps: tuple[CommissionStep, ...]
) -> None:
    """With rising step rates, paying each slice its rate never beats paying the top rate on everything."""
    rising = all(a.rate <= b.rate for a, b in zip((CommissionStep(Money(1), rate), *steps), steps, strict=False))
    slab = commission_on(base, rate, steps=steps, mode=StepMode.SLAB)
    marginal = commission_on(base, rate, steps=steps, mode=StepMode.MARGINAL)
    if rising:
        assert marginal <= slab
    assert commission_on(base, rate) == base.times(rate, rounding=Rounding.DOWN)


# -- round trips ---------------------------------------------------------------------------------------------------


@given(p=commission_plans())
def test_plans_round_trip_through_the_converter(p: CommissionPlan) -> None:
    """A plan with its history, coverage and steps survives JSON exactly."""
    assert loads(dumps(p), CommissionPlan) == p


@given(a=activities())
def test_activities_round_trip_through_the_converter(a: TeamLeaderActivity) -> None:
    """An activity with its minimums and second-level leaders survives JSON exactly."""
    assert loads(dumps(a), TeamLeaderActivity) == a


@given(profile=platform_profiles())
def test_profiles_round_trip_through_the_converter(profile: PlatformProfile) -> None:
    """A profile survives JSON exactly."""
    assert loads(dumps(profile), PlatformProfile) == profile


@given(p=commission_plans(kinds=st.just(PlanKind.EXCLUSIVE), max_ppm=300_000), hours=st.integers(0, 400))
def test_a_plan_with_rate_changes_round_trips_and_keeps_its_rates(p: CommissionPlan, hours: int) -> None:
    """After a raise and a cut, the history survives JSON and the rate in force is unchanged."""
    at = p.valid_from + timedelta(hours=hours)
    if p.valid_until is not None and at >= p.valid_until:
        return
    changed = p.with_rate(Rate.from_ppm(p.current_rate.ppm + 10_000), at=at, profile=PROFILE)
    changed = changed.with_rate(p.current_rate, at=at, profile=PROFILE)
    back = loads(dumps(changed), CommissionPlan)
    assert back == changed
    assert back.rate_at(at + 2 * DAY) == p.current_rate
    assert len(back.cuts()) == 1


# -- the presets shipped as data -------------------------------------------------------------------------


def _douyin_as_it_was_built_in_python() -> PlatformProfile:
    """Douyin's preset as PlatformProfile.douyin() built it before it became a file (the expected values), with
    the rules added since (issue 19): one exclusive plan per product, a leader fee of at most 40%, a second-level
    fee of at most 0.9 × the first-level fee."""
    fifty, eighty, zero = Rate.of("50%"), Rate.of("80%"), Rate.zero()
    return PlatformProfile(
        name="douyin",
        commission_max=eighty,
        kind_bounds=(
            KindBounds(PlanKind.NORMAL, Rate.of("1%"), fifty),
            KindBounds(PlanKind.ITEM_TARGETED, zero, eighty),
            KindBounds(PlanKind.SHOP_TARGETED, zero, eighty),
            KindBounds(PlanKind.EXCLUSIVE, zero, fifty),
        ),
        settlement_days=SettlementDays(high=3, standard=10, low=10),
        reserve_days=15,
        exclusive_one_per_product=True,
        leader_fee_max=Rate.of("40%"),
        second_level_max_share=Rate.of("90%"),
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("default", PlatformProfile),
        ("kuaishou", lambda: PlatformProfile(name="kuaishou", commission_fee_waived=True)),
        ("douyin", _douyin_as_it_was_built_in_python),
    ],
)
def test_each_preset_file_loads_and_equals_the_preset_it_replaced(name: str, expected: Any) -> None:
    """Every platform-<name>.toml loads through the converter into the profile the Python preset built."""
    text = resources.files("fenxiao").joinpath("data", "defaults", f"platform-{name}.toml").read_text(encoding="utf-8")
    assert text.startswith("# "), "each preset file starts with a header comment"
    assert loads(text, PlatformProfile, format="toml") == expected()
    assert PlatformProfile.preset(name) == expected()
    assert PlatformProfile.preset(name) is PlatformProfile.preset(name), "read once, then cached"
    assert set(PRESETS) >= {name}


def test_the_named_presets_read_their_files() -> None:
    """kuaishou() and douyin() are the presets of the same name."""
    assert PlatformProfile.kuaishou() == PlatformProfile(name="kuaishou", commission_fee_waived=True)
    assert PlatformProfile.douyin() == _douyin_as_it_was_built_in_python()


def test_an_unknown_preset_is_refused_by_name() -> None:
    """Asking for a preset that does not ship names the argument and the choices."""
    with pytest.raises(InvalidValueError, match=r"PlatformProfile\.preset\.name: must be one of default, douyin"):
        PlatformProfile.preset("jd")


def test_a_user_can_copy_a_preset_edit_it_and_load_it(tmp_path: Path) -> None:
    """A preset file is a starting point: copied and edited it loads, and a bad edit names its field."""
    source = resources.files("fenxiao").joinpath("data", "defaults", "platform-douyin.toml")
    mine = tmp_path / "my-platform.toml"
    text = source.read_text(encoding="utf-8")
    mine.write_text(text.replace('name = "douyin"', 'name = "mine"').replace("reserve_days = 15", "reserve_days = 9"))
    profile = load(mine, PlatformProfile)
    assert profile == attrs.evolve(_douyin_as_it_was_built_in_python(), name="mine", reserve_days=9)
    mine.write_text(text.replace('tech_fee_rate = "0.05"', 'tech_fee_rate = "0.5"'))
    with pytest.raises(ValidationError, match=r"tech_fee_rate"):
        load(mine, PlatformProfile)


def test_a_douyin_activity_keeps_its_fees_within_douyins_limits() -> None:
    """An activity's fee above 40%, or a second-level fee above 0.9x its fee, is refused by the Douyin profile."""
    douyin = PlatformProfile.douyin()
    with pytest.raises(PolicyError, match=r"leader_fee_rate: is above the maximum team-leader fee \(40%\)"):
        activity(service_fee_rate=Rate.of("45%")).check(douyin)
    seconds = (SecondLevelTerms("tl2-1", Rate.of("4.5%")), SecondLevelTerms("tl2-2", Rate.of("4.6%")))
    with pytest.raises(PolicyError, match=r"second_levels\[1\]\.fee_rate: must not exceed 90% of the first-level fee"):
        activity(second_levels=seconds).check(douyin)
    activity(second_levels=seconds).check(PROFILE)
    activity(service_fee_rate=Rate.of("40%"), second_levels=seconds[:1]).check(douyin)


# -- the Taobao preset and the sources of every platform figure (issue 19) ----------------------------------


def test_the_taobao_preset_charges_the_promoter_10_percent_and_settles_at_receipt() -> None:
    """淘宝联盟: the 10% technical service fee comes out of the promoter's commission, the merchant pays no technical
    fee, commission is at most 80%, and an order is due the moment the buyer confirms receipt."""
    taobao = PlatformProfile.taobao()
    assert taobao == PlatformProfile.preset("taobao")
    assert (taobao.name, taobao.commission_fee_rate, taobao.commission_fee_waived) == ("taobao", Rate.of("10%"), False)
    assert (taobao.tech_fee_rate, taobao.commission_max) == (Rate.zero(), Rate.of("80%"))
    assert not taobao.shipping_in_base
    assert taobao.settlement_due(T0) == T0
    assert taobao.category_rules == PROFILE.category_rules
    with pytest.raises(PolicyError, match=r"above the maximum commission \(80%\)"):
        taobao.check_commission(Rate.of("81%"))


def test_every_platform_figure_names_its_source_in_the_docs() -> None:
    """docs/settlement.md's sources table has a row for every profile field a preset sets away from the default,
    and every row names its source."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "settlement.md").read_text(encoding="utf-8")
    section = text.split("## Platform figures and their sources", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")][1:]
    assert all(any(mark in row.rsplit("|", 2)[-2] for mark in ("[D]", "[S]", "[I]")) for row in rows)
    fields = {name for name in attrs.fields_dict(PlatformProfile) if name != "name"}
    set_by_presets = {
        name
        for preset in PRESETS
        for name in fields
        if getattr(PlatformProfile.preset(preset), name) != getattr(PROFILE, name)
    }
    assert set_by_presets >= {"leader_fee_max", "commission_max", "settlement_days"}
    assert {name for name in set_by_presets if f"`{name}`" not in section} == set()


# -- influencer-level gates on plans (issue 19) ------------------------------------------------------------


def test_a_plan_gated_by_influencer_level_pays_only_influencers_at_that_level_or_above() -> None:
    """A 30% plan for level-3 authors and up wins for a level-3 influencer; a level-2 one gets the normal plan."""
    gated = plan(PlanKind.SHOP_TARGETED, "30%", influencer_ids=("kol-1",), min_influencer_level=3)
    normal = plan(rate="20%")
    assert pick([gated, normal], influencer_level=3).winner_id == "p-shop_targeted"
    assert pick([gated, normal], influencer_level=2).winner_id == "p-normal"
    with pytest.raises(PolicyError, match="plan p-shop_targeted pays influencers of level 3 and above: give the level"):
        pick([gated, normal])
    with pytest.raises(InvalidValueError, match=r"select_plan\.influencer_level"):
        pick([gated, normal], influencer_level=11)


def test_order_terms_refuse_an_influencer_below_the_winning_plans_gate() -> None:
    """Terms built from a decision check the influencer's own level against the plan's gate."""
    gated = plan(rate="30%", min_influencer_level=5)
    decision = pick([gated], influencer_level=5)
    kol = Influencer(id=InfluencerId("kol-1"), name="达人", level=4)
    with pytest.raises(
        PolicyError, match=r"from_decision\.influencer: is below plan p-normal's minimum influencer level"
    ):
        OrderTerms.from_decision(decision, profile=PROFILE, influencer=kol)
    assert OrderTerms.from_decision(
        decision, profile=PROFILE, influencer=attrs.evolve(kol, level=5)
    ).commission_rate == (Rate.of("30%"))


@given(gate=st.integers(0, 10), level=st.integers(0, 10))
def test_a_gated_plan_wins_exactly_when_the_influencer_reaches_its_gate(gate: int, level: int) -> None:
    """Against an open normal plan, the gated exclusive plan wins iff the influencer's level reaches the gate."""
    gated = plan(PlanKind.EXCLUSIVE, "25%", min_influencer_level=gate)
    decision = pick([gated, plan(rate="20%")], influencer_level=level)
    assert (decision.winner_id == "p-exclusive") == (level >= gate)
    assert loads(dumps(gated), CommissionPlan) == gated


# -- the MCN as a party with its own terms (issue 19) -------------------------------------------------------


def test_order_terms_take_the_mcn_share_from_its_contract_in_force() -> None:
    """The agency's contract, not the influencer's record, sets the MCN line: 40% under the new contract, and no
    MCN line at all once the contract has ended."""
    kol = Influencer(id=InfluencerId("kol-1"), name="达人", mcn_id="mcn-1", mcn_share=Rate.of("30%"))
    mcn = Mcn(id="mcn-1", name="星河传媒", contracts=(McnContract(kol.id, Rate.of("40%"), T0, T0 + 30 * DAY),))
    normal = plan(rate="20%")
    during = OrderTerms.from_decision(pick([normal]), profile=PROFILE, influencer=kol, mcn=mcn)
    assert (during.mcn_id, during.mcn_share) == ("mcn-1", Rate.of("40%"))
    after = OrderTerms.from_decision(pick([normal], at=T0 + 31 * DAY), profile=PROFILE, influencer=kol, mcn=mcn)
    assert (after.mcn_id, after.mcn_share) == (None, None)
    sold = builders.order("100.00", terms=during)
    assert split(sold, PROFILE).amount(Party.MCN) == Money.of("7.20")  # 40% of 100.00 x 20% less the 10% fee
    with pytest.raises(InvalidValueError, match=r"from_decision\.mcn: must be the agency of the influencer given"):
        OrderTerms.from_decision(pick([normal]), profile=PROFILE, influencer=attrs.evolve(kol, mcn_id="mcn-2"), mcn=mcn)
