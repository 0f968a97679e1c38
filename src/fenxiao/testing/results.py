"""Hypothesis strategies for what fenxiao's verbs return: decisions, resolutions, splits, reports, rankings.

Most results are drawn the way a program gets them: by calling the verb on drawn inputs (a tier policy from
:mod:`fenxiao.testing.tiers` deciding drawn inputs, a drawn catalog graded, a drawn order split), so every value is
one fenxiao could really return, explanations and gaps included. Plain records (a sale, a goal, a leader report)
are built field by field. Use them to test code that consumes results: a report, an export, an API that sends
them as JSON (``fenxiao.serialization`` writes every one of them).

Requires the hypothesis package (``pip install 'fenxiao[testing]'``).

>>> from hypothesis import given, settings
>>> from fenxiao.serialization import from_dict, to_dict
>>> @settings(max_examples=10, deadline=None)
... @given(tier_decisions())
... def test_a_decision_travels_as_data(decision):
...     assert from_dict(to_dict(decision), type(decision)) == decision
>>> test_a_decision_travels_as_data()

.. versionadded:: 0.3
"""

# Strategies are immutable values, so building defaults once at import is safe.

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from typing import Final

try:
    from hypothesis import strategies as st
except ImportError as exc:  # the optional dependency is missing
    from fenxiao.errors import MissingExtraError

    raise MissingExtraError("hypothesis", "testing", __name__) from exc

from fenxiao.domain.catalog import Catalog
from fenxiao.errors import PolicyError
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.gap import NextTierGap
from fenxiao.grading.history import TierHistory
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkResolution, default_perk_catalog
from fenxiao.grading.pipeline import GradedSku, grade_catalog
from fenxiao.grading.subsidies import BudgetAllocation, SubsidyBudget, SubsidyRequest, allocate_subsidies
from fenxiao.grading.tiers import TierDecision, TierPolicy
from fenxiao.market.admission import AdmissionDecision, Application, ReviewQueue, default_admission_policy
from fenxiao.market.admission import merchant_inputs as admission_inputs
from fenxiao.market.goals import Goal, GoalProgress, GoalTracker, LeaderReport, Measure, SaleRecord, Subject
from fenxiao.market.pool import PoolEntry, RankedPage, SelectionPool
from fenxiao.money import MAX_FEN, Money
from fenxiao.periods.diff import ModelDiff, measure_diff
from fenxiao.periods.drift import PeriodComparison, measure_drift
from fenxiao.periods.models import Models
from fenxiao.periods.run import PeriodResult, run_period
from fenxiao.periods.schedule import Schedule, ScheduledBudgets, ScheduledPerks, ScheduledPolicy, ScheduledScorecards
from fenxiao.periods.state import ProgramState
from fenxiao.rules.interpreter import Check, Explanation, explain
from fenxiao.scoring.scorecards import default_scorecards
from fenxiao.settlement.plans import PlanDecision, select_plan
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Clawback, OrderSplit, clawbacks, split
from fenxiao.testing.commission import commission_plans, order_histories, platform_profiles
from fenxiao.testing.strategies import (
    aware_datetimes,
    identifiers,
    influencers,
    merchants,
    money,
    names,
)
from fenxiao.testing.strategies import catalogs as _catalogs
from fenxiao.testing.tiers import tier_conditions, tier_inputs, tier_policies

__all__ = [
    "admission_decisions",
    "applications",
    "budget_allocations",
    "budget_books",
    "clawbacks_of_orders",
    "explanations",
    "fractions",
    "goal_progress",
    "goals",
    "graded_skus",
    "leader_reports",
    "model_diffs",
    "next_tier_gaps",
    "order_splits",
    "period_comparisons",
    "period_results",
    "perk_resolutions",
    "plan_decisions",
    "pool_entries",
    "ranked_pages",
    "review_queues",
    "rule_checks",
    "sale_records",
    "schedules",
    "spend_entries",
    "subsidy_budgets",
    "subsidy_requests",
    "tier_decisions",
    "tier_histories",
]

_SMALL: Final = 10**8  # amounts up to a million yuan: results add them up
_MOMENTS: Final = aware_datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31))


def fractions() -> st.SearchStrategy[Fraction]:
    """Exact fractions (shares, as :meth:`fenxiao.periods.diff.DiffSummary.gmv_share` returns), from 0 to 1."""
    return st.fractions(min_value=0, max_value=1, max_denominator=10**6)


# -- decisions -----------------------------------------------------------------------------------------------------


@st.composite
def tier_decisions(draw: st.DrawFn, *, policies: st.SearchStrategy[TierPolicy] | None = None) -> TierDecision:
    """Decisions of drawn policies (*policies*, or :func:`~fenxiao.testing.tiers.tier_policies`) on inputs at and
    around their thresholds, each with its trace and next-tier gap.

    Where a policy without a fallback matches no rule, the same rules with fallback L0 decide.
    """
    policy = draw(policies if policies is not None else tier_policies(max_rules=4, max_leaves=4))
    inputs = draw(tier_inputs(policy))
    sku_id = draw(st.none() | identifiers())
    try:
        return policy.decide(inputs, sku_id=sku_id)
    except PolicyError:  # no rule matched and the policy has no fallback
        fallback = TierPolicy(rules=policy.rules, hit=policy.hit, fallback=Tier.L0)
        return fallback.decide(inputs, sku_id=sku_id)


def next_tier_gaps() -> st.SearchStrategy[NextTierGap]:
    """The next-tier gaps of drawn decisions (reachable or not, with numeric and other unmet comparisons)."""
    return tier_decisions().map(lambda d: d.next_tier_gap).filter(lambda g: g is not None)  # type: ignore[return-value]


def rule_checks() -> st.SearchStrategy[Check]:
    """Single comparisons as evaluated, met and unmet, with their gaps (taken from drawn explanations)."""
    return explanations().filter(lambda e: bool(e.checks)).flatmap(lambda e: st.sampled_from(e.checks))


@st.composite
def explanations(draw: st.DrawFn) -> Explanation:
    """:func:`fenxiao.rules.explain` of drawn conditions on drawn tier inputs."""
    condition = draw(tier_conditions(max_leaves=4))
    inputs = draw(tier_inputs())
    return explain(condition, inputs)


@st.composite
def admission_decisions(draw: st.DrawFn) -> AdmissionDecision:
    """The default admission policy's decisions on drawn merchants."""
    merchant = draw(merchants())
    at = draw(_MOMENTS)
    return default_admission_policy().decide(
        admission_inputs(merchant, as_of=at), subject=draw(st.none() | st.just(merchant.id))
    )


def applications() -> st.SearchStrategy[Application]:
    """Admission applications, before and after entering review."""
    return st.builds(
        lambda app_id, merchant_id, at, listing_ids, wait: Application(
            app_id,
            merchant_id,
            submitted_at=at,
            listing_ids=tuple(listing_ids),
            entered_review_at=None if wait is None else at + timedelta(hours=wait),
            due_at=None if wait is None else at + timedelta(hours=wait + 24),
        ),
        identifiers(),
        identifiers(),
        _MOMENTS,
        st.lists(identifiers(), max_size=3, unique=True),
        st.none() | st.integers(0, 48),
    )


@st.composite
def review_queues(draw: st.DrawFn) -> ReviewQueue:
    """Review queues holding a few applications that entered review."""
    queue = ReviewQueue(review_hours=draw(st.integers(1, 72)))
    for app in draw(st.lists(applications(), max_size=3, unique_by=lambda a: a.id)):
        queue = queue.enter(_as_submitted(app), at=app.submitted_at)
    return queue


def _as_submitted(app: Application) -> Application:
    """*app* as submitted (not yet in review), for :meth:`ReviewQueue.enter`."""
    return Application(app.id, app.merchant_id, submitted_at=app.submitted_at, listing_ids=app.listing_ids)


# -- the grading pipeline ------------------------------------------------------------------------------------------


@st.composite
def graded_skus(draw: st.DrawFn, *, catalogs: st.SearchStrategy[Catalog] | None = None) -> GradedSku:
    """Rows of :func:`fenxiao.grade_catalog` over drawn catalogs (explained or not), with their inputs."""
    catalog = draw(
        (catalogs if catalogs is not None else _catalogs(min_size=1, max_size=2)).filter(lambda c: bool(c.snapshots))
    )
    rows = grade_catalog(catalog, explain=draw(st.booleans()))
    return draw(st.sampled_from(rows))


def perk_resolutions() -> st.SearchStrategy[PerkResolution]:
    """The default perk catalog's resolutions for graded SKUs (granted and denied perks of every kind)."""
    return graded_skus().map(lambda row: row.perks)


@st.composite
def subsidy_budgets(draw: st.DrawFn, *, names_: st.SearchStrategy[str] | None = None) -> SubsidyBudget:
    """Subsidy budgets with and without windows and caps."""
    start = draw(st.none() | _MOMENTS)
    return SubsidyBudget(
        name=draw(names_ if names_ is not None else identifiers()),
        total=draw(money(min_fen=0, max_fen=_SMALL)),
        valid_from=start,
        valid_until=None if start is None else draw(st.none() | st.just(start + timedelta(days=30))),
        per_merchant=draw(st.none() | money(min_fen=0, max_fen=_SMALL)),
        per_sku=draw(st.none() | money(min_fen=0, max_fen=_SMALL)),
        per_day=draw(st.none() | money(min_fen=0, max_fen=_SMALL)),
        per_period=draw(st.none() | money(min_fen=0, max_fen=_SMALL)),
    )


@st.composite
def subsidy_requests(draw: st.DrawFn, *, budgets: st.SearchStrategy[str] | None = None) -> SubsidyRequest:
    """Requests for a subsidy from a budget, with a tier and a score to rank them by."""
    return SubsidyRequest(
        request_id=draw(identifiers()),
        budget=draw(budgets if budgets is not None else identifiers()),
        amount=draw(money(min_fen=0, max_fen=10**6)),
        tier=draw(st.sampled_from(Tier)),
        score=draw(st.decimals(0, 100, places=2)),
        sku_id=draw(st.none() | identifiers()),
        at=draw(st.none() | _MOMENTS),
        merchant_id=draw(st.none() | identifiers()),
    )


@st.composite
def budget_allocations(draw: st.DrawFn) -> BudgetAllocation:
    """Allocations of drawn requests against drawn budgets (granted, cut and refused)."""
    budgets = draw(
        st.lists(subsidy_budgets(names_=st.sampled_from(["a", "b", "c"])), max_size=3, unique_by=lambda b: b.name)
    )
    names_ = st.sampled_from(["a", "b", "c", "none"])
    requests = draw(st.lists(subsidy_requests(budgets=names_), max_size=5, unique_by=lambda r: r.request_id))
    return allocate_subsidies(requests, budgets)


@st.composite
def budget_books(draw: st.DrawFn) -> BudgetBook:
    """Budget books after a drawn allocation."""
    budgets = draw(
        st.lists(subsidy_budgets(names_=st.sampled_from(["a", "b"])), max_size=2, unique_by=lambda b: b.name)
    )
    requests = draw(
        st.lists(subsidy_requests(budgets=st.sampled_from(["a", "b"])), max_size=4, unique_by=lambda r: r.request_id)
    )
    book, _ = BudgetBook().allocate(requests, budgets, period=draw(st.none() | identifiers()), at=draw(_MOMENTS))
    return book


def spend_entries() -> st.SearchStrategy[SpendEntry]:
    """The entries of drawn budget books."""
    return budget_books().filter(lambda b: bool(b.entries)).flatmap(lambda b: st.sampled_from(b.entries))


@st.composite
def tier_histories(draw: st.DrawFn) -> TierHistory:
    """Tier histories after a few dated decisions (promotions, held demotions, changes)."""
    at = draw(_MOMENTS)
    history = TierHistory()
    for _ in range(draw(st.integers(0, 4))):
        at += timedelta(days=draw(st.integers(0, 30)))
        history = history.record(at, draw(st.sampled_from(Tier)))
    return history


# -- the market --------------------------------------------------------------------------------------------------


def _approved(catalog: Catalog) -> bool:
    return any(li.status.value == "approved" for li in catalog.listings) and bool(catalog.snapshots)


@st.composite
def ranked_pages(draw: st.DrawFn) -> RankedPage:
    """Pages of the selection pool of drawn catalogs, ranked for a drawn influencer."""
    catalog = draw(_catalogs(min_size=1, max_size=2).filter(_approved))
    pool = SelectionPool.from_catalog(catalog)
    return pool.rank(draw(influencers()), page_size=draw(st.integers(1, 5)))


def pool_entries() -> st.SearchStrategy[PoolEntry]:
    """The entries of drawn selection pools."""
    return ranked_pages().filter(lambda p: bool(p.items)).map(lambda p: p.items[0].entry)


def sale_records() -> st.SearchStrategy[SaleRecord]:
    """Settled sales: one order's units and GMV, with its SKU, merchant, brand and leaders."""
    return st.builds(
        SaleRecord,
        order_id=identifiers(),
        sku_id=identifiers(),
        merchant_id=identifiers(),
        brand_id=st.none() | identifiers(),
        leader_ids=st.lists(identifiers(), max_size=2, unique=True).map(tuple),
        units=st.integers(0, 1000),
        gmv=money(min_fen=0, max_fen=_SMALL),
        settled_at=_MOMENTS,
    )


@st.composite
def goals(draw: st.DrawFn) -> Goal:
    """Program goals on every subject and measure (GMV thresholds in money, unit thresholds as counts)."""
    measure = draw(st.sampled_from(Measure))
    amounts: st.SearchStrategy[Money | int] = money(min_fen=1, max_fen=_SMALL)
    threshold = draw(amounts if measure is Measure.GMV else st.integers(1, 10**6))
    return Goal(
        draw(identifiers()),
        draw(st.sampled_from(Subject)),
        measure,
        threshold,
        draw(st.integers(1, 5)),
        draw(st.just("") | names()),
    )


@st.composite
def goal_progress(draw: st.DrawFn) -> GoalProgress:
    """How far drawn goals came on drawn sales (subjects that reached them, and the best of the rest)."""
    goal = draw(goals())
    sales = draw(st.lists(sale_records(), max_size=6, unique_by=lambda s: s.order_id))
    (progress,) = GoalTracker(goals=(goal,)).measure(sales)
    return progress


def leader_reports() -> st.SearchStrategy[LeaderReport]:
    """Team leaders' reports: their listings, merchants, GMV and earnings."""
    return st.builds(
        LeaderReport,
        leader_id=identifiers(),
        listings=st.lists(identifiers(), max_size=3, unique=True).map(tuple),
        merchants=st.lists(identifiers(), max_size=3, unique=True).map(tuple),
        gmv=money(min_fen=0, max_fen=_SMALL),
        earned=money(min_fen=0, max_fen=_SMALL),
    )


# -- money ---------------------------------------------------------------------------------------------------------


@st.composite
def order_splits(draw: st.DrawFn) -> OrderSplit:
    """Splits of drawn orders, at any point of their history, under drawn platform profiles."""
    profile = draw(platform_profiles())
    return split(draw(order_histories(profile=profile)), profile)


@st.composite
def clawbacks_of_orders(draw: st.DrawFn) -> Clawback:
    """What refunds after settlement took back from each party (drawn orders settled, then refunded)."""
    profile = PlatformProfile()
    order = draw(order_histories(profile=profile, max_events=8).filter(lambda o: bool(clawbacks(o, profile))))
    return draw(st.sampled_from(clawbacks(order, profile)))


@st.composite
def plan_decisions(draw: st.DrawFn) -> PlanDecision:
    """Which commission plan applies to a sale, among drawn plans (or none)."""
    plans = draw(st.lists(commission_plans(), max_size=3, unique_by=lambda p: p.id))
    at = draw(_MOMENTS)
    pick = plans[0] if plans else None
    return select_plan(
        plans,
        merchant_id=pick.merchant_id if pick else "m-1",
        sku_id=pick.sku_ids[0] if pick and pick.sku_ids else "sku-1",
        influencer_id=pick.influencer_ids[0] if pick and pick.influencer_ids else "kol-1",
        at=max(at, pick.valid_from) if pick else at,
    )


# -- periods ---------------------------------------------------------------------------------------------------------


@st.composite
def period_results(draw: st.DrawFn, *, periods: int = 2) -> PeriodResult:
    """Results of one to *periods* grading periods run on a drawn catalog, a week apart, from an empty state."""
    catalog = draw(_catalogs(min_size=1, max_size=2).filter(lambda c: bool(c.snapshots)))
    start = max(s.observed_at for s in catalog.snapshots)
    state: ProgramState | None = None
    result: PeriodResult | None = None
    for week in range(draw(st.integers(1, periods))):
        result = run_period(catalog, state, period=f"week-{week + 1}", as_of=start + timedelta(days=7 * week))
        state = result.state
    assert result is not None
    return result


def period_comparisons() -> st.SearchStrategy[PeriodComparison]:
    """Drift between two drawn period reports (tier migration, score drift per category, rule hits)."""
    return st.builds(
        lambda a, b, decided: measure_drift(a.report, b.report, decided=decided),
        period_results(periods=1),
        period_results(periods=1),
        st.booleans(),
    )


def _summable(catalog: Catalog) -> bool:
    """Whether the catalog's 30-day GMVs add up to a supported amount (drawn ones go up to the largest each)."""
    return bool(catalog.snapshots) and sum(s.gmv_30d.fen for s in catalog.snapshots) <= MAX_FEN


@st.composite
def model_diffs(draw: st.DrawFn) -> ModelDiff:
    """What-if diffs of a drawn catalog graded by the default models and by a drawn tier policy."""
    catalog = draw(_catalogs(min_size=1, max_size=2).filter(_summable))
    policy = TierPolicy(rules=draw(tier_policies(max_rules=3, max_leaves=3)).rules, fallback=Tier.L0)
    return measure_diff(catalog, Models(), Models(policy=policy))


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    """Schedules with dated versions of every kind of model, one after another."""
    start = draw(_MOMENTS)
    later = start + timedelta(days=draw(st.integers(1, 60)))
    policy = TierPolicy(rules=draw(tier_policies(max_rules=3, max_leaves=3)).rules, fallback=Tier.L0)
    return Schedule(
        scorecards=(ScheduledScorecards(start, default_scorecards()),),
        policies=(
            ScheduledPolicy(start, policy),
            *((ScheduledPolicy(later, policy, note="later"),) if draw(st.booleans()) else ()),
        ),
        perks=(ScheduledPerks(start, default_perk_catalog()),),
        budgets=(
            ScheduledBudgets(start, tuple(draw(st.lists(subsidy_budgets(), max_size=2, unique_by=lambda b: b.name)))),
        ),
    )
