"""Admission: the low-threshold default policy, deny-overrides with every reason, review service levels."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.goods import Category, ShopKind, Sku, Standing
from fenxiao.domain.ids import CategoryId, ListingId, SkuId
from fenxiao.domain.listings import Listing, ListingStatus, ListingTerms
from fenxiao.errors import InvalidValueError, PolicyError, TransitionError, ValidationError
from fenxiao.market.admission import (
    AdmissionFinding,
    AdmissionPolicy,
    AdmissionProfile,
    AdmissionRule,
    Application,
    Outcome,
    ReviewQueue,
    ShopMetrics,
    default_admission_policy,
    merchant_inputs,
    review_listing,
    sku_inputs,
)
from fenxiao.money import Money, Rate
from fenxiao.rules.language import All, AnyOf, Compare, Condition, Not, Op
from fenxiao.rules.table import Finding, HitPolicy, Severity
from fenxiao.serialization import dumps, from_dict, loads, to_dict
from fenxiao.settlement.profiles import PRESETS, PlatformProfile
from fenxiao.testing.strategies import categories, names, rates

from ..builders import merchant, sku

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
POLICY = default_admission_policy()
GOLD = Category(CategoryId("c-gold"), ("珠宝文玩", "黄金", "黄金项链"))
DRESS = Category(CategoryId("c-dress"), ("服饰内衣", "女装", "连衣裙"))
FRESH = Category(CategoryId("c-fruit"), ("生鲜", "水果", "苹果"))


#: A shop opened three weeks before NOW, otherwise at the builder's defaults.
_merchant = partial(merchant, name="新店", opened_on=date(2026, 11, 1))


def _sku(category: Category) -> Sku:
    return sku(
        id=SkuId("s-1"),
        category_id=category.id,
        title="项链",
        price=Money.of("99.00"),
        joined_at=NOW - timedelta(days=1),
    )


def test_a_new_merchant_with_a_clean_shop_gets_in() -> None:
    """A three-week-old, unrated, unlicensed shop in good standing is approved at once (the seed's point)."""
    decision = POLICY.decide(merchant_inputs(_merchant(), as_of=NOW))
    assert decision.outcome is Outcome.APPROVE
    assert decision.reasons == ()


def test_a_merchant_with_a_serious_recent_violation_does_not() -> None:
    """A serious violation 100 days ago is a reject, with the rule and the evidence."""
    merchant = _merchant(last_serious_violation_on=NOW.date() - timedelta(days=100))
    decision = POLICY.decide(merchant_inputs(merchant, as_of=NOW), subject="m-1")
    assert decision.outcome is Outcome.REJECT
    assert decision.reasons[0][0] == "serious-violation"
    assert "days_since_serious_violation 100 < 365" in decision.reasons[0][1]
    assert str(decision).startswith("m-1: reject")


def test_a_violation_exactly_365_days_ago_no_longer_blocks() -> None:
    """The one-year window is exclusive at 365 days."""
    old = _merchant(last_serious_violation_on=NOW.date() - timedelta(days=365))
    assert POLICY.decide(merchant_inputs(old, as_of=NOW)).outcome is Outcome.APPROVE


def test_every_reason_is_reported_and_reject_overrides_review() -> None:
    """A warned shop with a counterfeit record: reject, and both reasons, reject first."""
    merchant = _merchant(standing=Standing.WARNED, counterfeit_record=True)
    decision = POLICY.decide(merchant_inputs(merchant, as_of=NOW))
    assert decision.outcome is Outcome.REJECT
    assert [name for name, _ in decision.reasons] == ["counterfeit", "restricted-standing"]


def test_low_experience_goes_to_review_unless_the_shop_is_young() -> None:
    """Score 3.9 after 90 days: review; at 89 days: exempt; exactly 4.0: approve."""
    old = date(2026, 11, 20) - timedelta(days=90)
    assert (
        POLICY.decide(merchant_inputs(_merchant(opened_on=old, experience_score=Decimal("3.9")), as_of=NOW)).outcome
        is Outcome.REVIEW
    )
    young = old + timedelta(days=1)
    assert (
        POLICY.decide(merchant_inputs(_merchant(opened_on=young, experience_score=Decimal("3.9")), as_of=NOW)).outcome
        is Outcome.APPROVE
    )
    assert (
        POLICY.decide(merchant_inputs(_merchant(opened_on=old, experience_score=Decimal("4.0")), as_of=NOW)).outcome
        is Outcome.APPROVE
    )


def test_skus_are_checked_for_category_and_commission_floor() -> None:
    """Closed categories reject; jewellery below the 5% floor rejects; unqualified jewellery goes to review."""
    merchant = _merchant()
    terms_low = ListingTerms(commission_rate=Rate.of("4.9%"))
    terms_ok = ListingTerms(commission_rate=Rate.of("5%"))
    fresh = POLICY.decide(sku_inputs(merchant, _sku(FRESH), FRESH, terms_ok, as_of=NOW))
    assert (fresh.outcome, fresh.reasons[0][0]) == (Outcome.REJECT, "closed-category")
    low = POLICY.decide(sku_inputs(merchant, _sku(GOLD), GOLD, terms_low, as_of=NOW))
    assert (low.outcome, low.reasons[0][0]) == (Outcome.REJECT, "below-floor")
    unqualified = POLICY.decide(sku_inputs(merchant, _sku(GOLD), GOLD, terms_ok, as_of=NOW))
    assert (unqualified.outcome, unqualified.reasons[0][0]) == (Outcome.REVIEW, "restricted-category")
    listed_brand = sku_inputs(merchant, _sku(GOLD), GOLD, terms_ok, as_of=NOW, brand_on_list=True)
    assert POLICY.decide(listed_brand).outcome is Outcome.APPROVE
    dress = POLICY.decide(
        sku_inputs(merchant, _sku(DRESS), DRESS, ListingTerms(commission_rate=Rate.zero()), as_of=NOW)
    )
    assert dress.outcome is Outcome.APPROVE


INPUTS = st.fixed_dictionaries(
    {
        "standing": st.sampled_from(["normal", "warned", "restricted", "suspended"]),
        "shop_kind": st.sampled_from(["flagship", "ordinary"]),
        "shop_age_days": st.integers(0, 1000),
        "experience_score": st.decimals(0, 5, places=2),
        "rated": st.booleans(),
        "enterprise_licence": st.booleans(),
        "days_since_serious_violation": st.integers(0, 1000),
        "counterfeit_record": st.booleans(),
        "category_excluded": st.booleans(),
        "category_restricted": st.booleans(),
        "qualified": st.booleans(),
        "commission_rate": st.decimals(0, 1, places=3),
        "commission_floor": st.sampled_from([Decimal(0), Decimal("0.05")]),
        "commission_below_floor": st.booleans(),
        "price": st.decimals(0, 10000, places=2),
        "shop_gmv_30d": st.none() | st.sampled_from([Decimal(0), Decimal("999.99"), Decimal(1000), Decimal(50000)]),
        "bad_review_rate_30d": st.none() | st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.0501")]),
        "dsr_90d": st.none() | st.sampled_from([Decimal("4.69"), Decimal("4.7"), Decimal(5)]),
    }
)


@given(INPUTS)
def test_decisions_are_deterministic_and_non_approvals_carry_a_reason(inputs: dict[str, Any]) -> None:
    """The same inputs decide the same; every reject or review names at least one rule."""
    decision = POLICY.decide(inputs)
    assert decision == POLICY.decide(dict(reversed(list(inputs.items()))))
    if decision.outcome is not Outcome.APPROVE:
        assert decision.reasons
    severities = {r.name: r.outcome.severity for r in POLICY.rules}
    assert max((severities[n] for n, _ in decision.reasons), default=0) == decision.outcome.severity


def _tighten(condition: Condition, amount: Decimal) -> Condition:
    """Make a reject/review condition match more inputs by moving its number thresholds outwards."""
    if isinstance(condition, Compare) and isinstance(condition.value, Decimal):
        if condition.op in (Op.LT, Op.LE):
            return attrs.evolve(condition, value=condition.value + amount)
        if condition.op in (Op.GT, Op.GE):
            return attrs.evolve(condition, value=condition.value - amount)
        return condition
    if isinstance(condition, All):
        return All(tuple(_tighten(c, amount) for c in condition.conditions))
    if isinstance(condition, AnyOf):
        return AnyOf(tuple(_tighten(c, amount) for c in condition.conditions))
    return condition  # a Not is left as it is: tightening under a negation would loosen


@given(INPUTS, st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(30)]))
def test_tightening_any_threshold_never_turns_a_reject_into_an_approve(inputs: dict[str, Any], amount: Decimal) -> None:
    """Moving reject/review thresholds so they match more never makes the outcome less severe."""
    for i, rule in enumerate(POLICY.rules):
        tighter_rules = list(POLICY.rules)
        tighter_rules[i] = attrs.evolve(rule, when=_tighten(rule.when, amount))
        tighter = AdmissionPolicy(rules=tuple(tighter_rules))
        assert tighter.decide(inputs).outcome.severity >= POLICY.decide(inputs).outcome.severity


def test_a_platform_can_tighten_the_default_by_adding_rules() -> None:
    """Adding the 2020-era criteria (licence, rating >= 4) turns the new shop into a review."""
    stricter = AdmissionPolicy(
        rules=(
            *POLICY.rules,
            AdmissionRule(
                "licence", Outcome.REVIEW, Compare("enterprise_licence", Op.EQ, False), "no enterprise licence"
            ),
        )
    )
    assert stricter.decide(merchant_inputs(_merchant(), as_of=NOW)).outcome is Outcome.REVIEW


def test_policies_refuse_unknown_inputs_and_lint_finds_dead_rules() -> None:
    """An unknown input is a PolicyError with its path; a rule that can never match is a lint warning."""
    with pytest.raises(PolicyError, match=r"rules\[0\]\.when\.input"):
        AdmissionPolicy(rules=(AdmissionRule("x", Outcome.REJECT, Compare("standng", Op.EQ, "x"), "typo"),))
    dead = AdmissionPolicy(
        rules=(
            AdmissionRule(
                "never",
                Outcome.REJECT,
                All((Compare("shop_age_days", Op.LT, Decimal(5)), Compare("shop_age_days", Op.GT, Decimal(10)))),
                "impossible",
            ),
        )
    )
    assert [f.code for f in dead.lint()] == ["never-matches"]
    assert POLICY.lint() == ()


def test_an_overdue_review_is_reported() -> None:
    """An application in review past its 24-hour service level is overdue until decided."""
    queue = ReviewQueue(review_hours=POLICY.review_hours)
    app = Application("app-1", "m-1", submitted_at=NOW)
    queue = queue.enter(app, at=NOW + timedelta(hours=1))
    (entered,) = queue.applications
    assert entered.due_at == NOW + timedelta(hours=25)
    assert queue.overdue(NOW + timedelta(hours=25)) == ()
    assert [a.id for a in queue.overdue(NOW + timedelta(hours=25, seconds=1))] == ["app-1"]
    decided = queue.decide("app-1", at=NOW + timedelta(hours=30))
    assert decided.overdue(NOW + timedelta(days=3)) == ()
    with pytest.raises(InvalidValueError, match="already decided"):
        decided.decide("app-1", at=NOW + timedelta(hours=31))
    with pytest.raises(InvalidValueError, match="not in the queue"):
        queue.decide("app-9", at=NOW)
    with pytest.raises(InvalidValueError, match="already in the queue"):
        queue.enter(app, at=NOW + timedelta(hours=2))
    with pytest.raises(InvalidValueError, match="before the application"):
        ReviewQueue().enter(app, at=NOW - timedelta(hours=1))


def test_decisions_move_listings_through_their_lifecycle() -> None:
    """Approve and reject go through review to the outcome; review waits; illegal moves are refused."""
    listing = Listing(ListingId("l-1"), SkuId("s-1"), ListingTerms(commission_rate=Rate.of("20%")), applied_at=NOW)
    approve = POLICY.decide(merchant_inputs(_merchant(), as_of=NOW))
    approved = review_listing(listing, approve, at=NOW + timedelta(minutes=5))
    assert approved.status is ListingStatus.APPROVED
    reject = POLICY.decide(merchant_inputs(_merchant(counterfeit_record=True), as_of=NOW))
    assert review_listing(listing, reject, at=NOW).status is ListingStatus.REJECTED
    review = POLICY.decide(merchant_inputs(_merchant(standing=Standing.WARNED), as_of=NOW))
    assert review_listing(listing, review, at=NOW).status is ListingStatus.IN_REVIEW
    with pytest.raises(TransitionError):
        review_listing(approved, reject, at=NOW + timedelta(hours=1))


def test_profiles_configure_closed_categories_and_floors() -> None:
    """A profile with its own floor by category id applies it."""
    profile = AdmissionProfile(commission_floors={"c-dress": Rate.of("10%")})
    assert profile.floor(DRESS) == Rate.of("10%")
    assert profile.floor(GOLD) == Rate.zero()
    inputs = sku_inputs(
        _merchant(shop_kind=ShopKind.FLAGSHIP),
        _sku(DRESS),
        DRESS,
        ListingTerms(commission_rate=Rate.of("9.9%")),
        as_of=NOW,
        profile=profile,
    )
    assert inputs["commission_below_floor"] is True


def test_admission_policies_round_trip_and_bad_files_name_their_place() -> None:
    """The default policy survives JSON and TOML; a typo in an input names its rule."""
    assert loads(dumps(POLICY), AdmissionPolicy) == POLICY
    assert loads(dumps(POLICY, format="toml"), AdmissionPolicy, format="toml") == POLICY
    data = to_dict(POLICY)
    data["rules"][2]["when"]["input"] = "days_since_violation"
    with pytest.raises(ValidationError, match=r"rules\[2\]\.when\.input"):
        from_dict(data, AdmissionPolicy)


def test_lint_finds_a_review_rule_that_never_decides() -> None:
    """A review rule whose every match is already rejected is reported; the default has none."""
    policy = AdmissionPolicy(
        rules=(
            AdmissionRule("suspended", Outcome.REJECT, Compare("standing", Op.EQ, "suspended"), "suspended"),
            AdmissionRule(
                "suspended-and-young",
                Outcome.REVIEW,
                All((Compare("standing", Op.EQ, "suspended"), Compare("shop_age_days", Op.LT, Decimal(30)))),
                "young and suspended",
            ),
        )
    )
    assert [(f.path, f.code) for f in policy.lint()] == [("rules[1]", "never-decides")]


def test_a_review_queue_takes_its_service_level_from_the_policy() -> None:
    """ReviewQueue.for_policy uses the policy's review_hours."""
    policy = AdmissionPolicy(rules=POLICY.rules, review_hours=48)
    queue = ReviewQueue.for_policy(policy).enter(Application("a", "m-1", submitted_at=NOW), at=NOW)
    assert queue.applications[0].due_at == NOW + timedelta(hours=48)
    with pytest.raises(InvalidValueError, match=r"ReviewQueue\.applications\[0\]"):
        ReviewQueue(applications=("not an application",))
    with pytest.raises(InvalidValueError, match=r"AdmissionPolicy\.profile"):
        AdmissionPolicy(rules=POLICY.rules, profile=None)  # type: ignore[arg-type]


# -- the default policy as data, and the shared rule table --------------------------------------------


#: The default policy as it was written in Python before it became data/defaults/admission_policy.toml.
PREVIOUS_DEFAULT = AdmissionPolicy(
    rules=(
        AdmissionRule("suspended", Outcome.REJECT, Compare("standing", Op.EQ, "suspended"), "the shop is suspended"),
        AdmissionRule("counterfeit", Outcome.REJECT, Compare("counterfeit_record", Op.EQ, True), "counterfeit record"),
        AdmissionRule(
            "serious-violation",
            Outcome.REJECT,
            Compare("days_since_serious_violation", Op.LT, Decimal(365)),
            "a serious violation penalty in the past year",
        ),
        AdmissionRule(
            "closed-category", Outcome.REJECT, Compare("category_excluded", Op.EQ, True), "the category is closed"
        ),
        AdmissionRule(
            "below-floor",
            Outcome.REJECT,
            Compare("commission_below_floor", Op.EQ, True),
            "the commission rate is below the category floor",
        ),
        AdmissionRule(
            "restricted-standing",
            Outcome.REVIEW,
            Compare("standing", Op.IN, ("warned", "restricted")),
            "the shop is under a warning or restriction",
        ),
        AdmissionRule(
            "low-experience",
            Outcome.REVIEW,
            All(
                (
                    Compare("rated", Op.EQ, True),
                    Compare("experience_score", Op.LT, Decimal(4)),
                    Compare("shop_age_days", Op.GE, Decimal(90)),
                )
            ),
            "shop experience score below 4 (shops younger than 90 days are exempt)",
        ),
        AdmissionRule(
            "restricted-category",
            Outcome.REVIEW,
            All((Compare("category_restricted", Op.EQ, True), Not(Compare("qualified", Op.EQ, True)))),
            "the category is open to whitelisted brands or qualified merchants only",
        ),
        # Issue 19: the shop's recent record (ShopMetrics), each rule only when the figure is given.
        AdmissionRule(
            "low-shop-gmv",
            Outcome.REVIEW,
            All((Compare("shop_gmv_30d", Op.LT, Decimal(1000)), Compare("shop_age_days", Op.GE, Decimal(90)))),
            "the shop's 30-day GMV is below ¥1,000 (shops younger than 90 days are exempt)",
        ),
        AdmissionRule(
            "high-bad-reviews",
            Outcome.REVIEW,
            Compare("bad_review_rate_30d", Op.GT, Decimal("0.05")),
            "the shop's 30-day bad-review rate is above 5%",
        ),
        AdmissionRule(
            "low-dsr",
            Outcome.REVIEW,
            All((Compare("dsr_90d", Op.LT, Decimal("4.7")), Compare("shop_age_days", Op.GE, Decimal(90)))),
            "the shop's 90-day DSR is below 4.7 (shops younger than 90 days are exempt)",
        ),
    ),
    name="default",
    version="2026.12",
)


def test_the_default_policy_file_loads_and_equals_the_previous_python_default() -> None:
    """data/defaults/admission_policy.toml is the default, rule for rule, in the same order, and lints clean."""
    text = resources.files("fenxiao").joinpath("data/defaults/admission_policy.toml").read_text(encoding="utf-8")
    assert text.startswith("# fenxiao's default admission policy")
    loaded = loads(text, AdmissionPolicy, format="toml")
    assert loaded == PREVIOUS_DEFAULT == default_admission_policy()
    assert [(r.name, r.outcome.value) for r in loaded.rules] == [
        ("suspended", "reject"),
        ("counterfeit", "reject"),
        ("serious-violation", "reject"),
        ("closed-category", "reject"),
        ("below-floor", "reject"),
        ("restricted-standing", "review"),
        ("low-experience", "review"),
        ("restricted-category", "review"),
        ("low-shop-gmv", "review"),
        ("high-bad-reviews", "review"),
        ("low-dsr", "review"),
    ]
    assert loaded.review_hours == 24
    assert loaded.profile == AdmissionProfile()
    assert loaded.profile.commission_floors == {
        "珠宝文玩": Rate.of("5%"),
        "医疗器械": Rate.of("5%"),
        "医药保健": Rate.of("5%"),
    }
    assert loaded.lint() == ()


def test_the_default_policy_is_read_once_and_cannot_be_changed() -> None:
    """default_admission_policy() is cached, so its tables are read-only: no caller can change it for another."""
    assert default_admission_policy() is default_admission_policy()
    with pytest.raises(TypeError, match="read-only"):
        default_admission_policy().profile.commission_floors["生鲜"] = Rate.of("1%")  # type: ignore[index]
    assert "生鲜" not in default_admission_policy().profile.commission_floors


def test_admission_decides_deny_overrides() -> None:
    """The policy names its hit policy with the shared type every rule table uses."""
    assert AdmissionPolicy.hit is HitPolicy.DENY_OVERRIDES
    assert POLICY.hit == "deny-overrides"


def test_an_admission_finding_is_the_shared_finding() -> None:
    """AdmissionFinding is the one Finding; a severity written as text is read as a Severity, and dumps."""
    assert AdmissionFinding is Finding
    finding = AdmissionFinding("rules[0]", "warning", "never-matches", "rule 'x' can never match")
    assert finding.severity is Severity.WARNING
    text: str = finding.severity
    assert text == "warning"
    assert str(finding) == "rules[0]: warning [never-matches] rule 'x' can never match"
    assert json.loads(dumps(finding))["severity"] == "warning"
    with pytest.raises(InvalidValueError, match=r"Finding\.severity"):
        Finding("rules", "fatal", "x", "y")


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([1], r"AdmissionPolicy\.rules\[0\]: must be an AdmissionRule"),
        (
            [POLICY.rules[0], attrs.evolve(POLICY.rules[1], name=POLICY.rules[0].name)],
            r"AdmissionPolicy\.rules\[1\]\.name: is used by an earlier rule",
        ),
        ([POLICY.rules[0]] * 201, r"AdmissionPolicy\.rules: holds more than 200 rules"),
    ],
)
def test_a_bad_rule_list_names_its_place(rules: list[Any], message: str) -> None:
    """The shared rule-list check: wrong types, duplicate names and too many rules, each with its path."""
    with pytest.raises(PolicyError, match=message):
        AdmissionPolicy(rules=tuple(rules))


# -- the one table of category floors -----------------------------------------------------------------

MEDICAL = Category(CategoryId("c-mask"), ("医疗器械", "防护用品", "医用口罩"))
_LEVEL1 = ("珠宝文玩", "医疗器械", "医药保健", "服饰内衣", "食品饮料")


def _below_floor(category: Category, rate: Rate) -> bool:
    terms = ListingTerms(commission_rate=rate)
    merchant = _merchant(qualified_category_ids=frozenset({category.id}))
    inputs = sku_inputs(merchant, _sku(category), category, terms, as_of=NOW, profile=POLICY.profile)
    return bool(inputs["commission_below_floor"])


def test_admission_rejects_a_3_percent_medical_listing_the_platform_profile_refuses() -> None:
    """A 3% 医疗器械 listing: admission once approved it while every platform profile refused it (issue 19)."""
    rate = Rate.of("3%")
    merchant = _merchant(qualified_category_ids=frozenset({MEDICAL.id}))
    inputs = sku_inputs(merchant, _sku(MEDICAL), MEDICAL, ListingTerms(commission_rate=rate), as_of=NOW)
    assert POLICY.decide(inputs).outcome is Outcome.REJECT
    assert inputs["commission_floor"] == Decimal("0.05")
    with pytest.raises(PolicyError, match="below the minimum commission for category 医疗器械"):
        PlatformProfile().check_commission(rate, category=MEDICAL)


def test_a_floor_listed_for_a_category_id_wins_even_at_zero() -> None:
    """An id-level 0% floor overrides the first-level floor, as PlatformProfile.rule_for chooses."""
    profile = AdmissionProfile(commission_floors={"c-gold": Rate.zero(), "珠宝文玩": Rate.of("5%")})
    assert profile.floor(GOLD) == Rate.zero()


@given(
    category=categories(names=st.sampled_from(_LEVEL1) | names()),
    rate=rates(),
    preset=st.sampled_from(PRESETS),
)
def test_admission_and_settlement_never_disagree_on_a_floor(category: Category, rate: Rate, preset: str) -> None:
    """For any generated listing, admission rejects it for its floor iff the platform profile refuses it for one."""
    profile = PlatformProfile.preset(preset)
    assert profile.commission_min == Rate.zero()  # so the profile's lowest commission is the category floor
    assert POLICY.profile.floor(category) == profile.commission_bounds(category=category)[0]
    try:
        profile.check_commission(rate, category=category)
        refused_for_floor = False
    except PolicyError as error:
        refused_for_floor = "below the minimum commission" in str(error)
    assert _below_floor(category, rate) == refused_for_floor


# -- the shop's recent record: 30-day GMV, bad-review rate, 90-day DSR (issue 19) -----------------------------------


_OLD_SHOP = partial(merchant, name="老店", opened_on=date(2025, 1, 1))


def test_the_shops_gmv_bad_reviews_and_dsr_are_admission_inputs() -> None:
    """Issue 19: admission had no input for them. Given, each criterion sends an old shop to review with the
    figure in the reason; not given, they are missing and decide nothing."""
    shop = ShopMetrics(gmv_30d=Money.of("800.00"), bad_review_rate_30d=Rate.of("6%"), dsr_90d=Decimal("4.6"))
    inputs = merchant_inputs(_OLD_SHOP(), as_of=NOW, shop=shop)
    assert (inputs["shop_gmv_30d"], inputs["bad_review_rate_30d"], inputs["dsr_90d"]) == (
        Decimal("800.00"),
        Decimal("0.06"),
        Decimal("4.6"),
    )
    decision = POLICY.decide(inputs, subject="m-old")
    assert decision.outcome is Outcome.REVIEW
    assert [n for n, _ in decision.reasons] == ["low-shop-gmv", "high-bad-reviews", "low-dsr"]
    assert "shop_gmv_30d 800 < 1000" in str(decision)
    bare = merchant_inputs(_OLD_SHOP(), as_of=NOW)
    assert bare["shop_gmv_30d"] is bare["bad_review_rate_30d"] is bare["dsr_90d"] is None
    assert POLICY.decide(bare).outcome is Outcome.APPROVE


def test_a_young_shop_is_exempt_from_the_gmv_and_dsr_bars_but_not_bad_reviews() -> None:
    """Shops younger than 90 days have no record to meet (as with the experience score)."""
    shop = ShopMetrics(gmv_30d=Money.of("0.00"), dsr_90d=Decimal("4.0"), bad_review_rate_30d=Rate.of("10%"))
    decision = POLICY.decide(merchant_inputs(_merchant(), as_of=NOW, shop=shop))
    assert [n for n, _ in decision.reasons] == ["high-bad-reviews"]


@given(
    st.sampled_from([None, Money.of("0.00"), Money.of("999.99"), Money.of("1000.00")]),
    st.sampled_from([None, Rate.of("5%"), Rate.of("5.01%")]),
    st.sampled_from([None, Decimal("4.69"), Decimal("4.7")]),
)
def test_a_better_record_never_makes_the_outcome_worse(
    gmv: Money | None, bad: Rate | None, dsr: Decimal | None
) -> None:
    """Against no record at all, any record is at least as severe; a record at the bars exactly passes them."""
    shop = ShopMetrics(gmv_30d=gmv, bad_review_rate_30d=bad, dsr_90d=dsr)
    with_record = POLICY.decide(merchant_inputs(_OLD_SHOP(), as_of=NOW, shop=shop))
    without = POLICY.decide(merchant_inputs(_OLD_SHOP(), as_of=NOW))
    assert with_record.outcome.severity >= without.outcome.severity
    below = (gmv is not None and gmv < Money.of("1000.00")) or (bad is not None and bad > Rate.of("5%"))
    below = below or (dsr is not None and dsr < Decimal("4.7"))
    assert (with_record.outcome is Outcome.REVIEW) == below


def test_bad_shop_metrics_name_the_field() -> None:
    """A DSR outside 0-5, a negative GMV, a shop that is not ShopMetrics."""
    with pytest.raises(InvalidValueError, match=r"dsr_90d"):
        ShopMetrics(dsr_90d=Decimal(6))
    with pytest.raises(InvalidValueError, match=r"gmv_30d"):
        ShopMetrics(gmv_30d=Money(-1))
    with pytest.raises(InvalidValueError, match=r"merchant_inputs\.shop"):
        merchant_inputs(_OLD_SHOP(), as_of=NOW, shop="good")  # type: ignore[arg-type]
