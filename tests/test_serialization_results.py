"""Every public result serializes: a registry of every type a public function returns, each round-tripped.

The registry (:data:`RESULTS`) pairs each type with a strategy, from :mod:`fenxiao.testing` wherever one exists.
:func:`test_every_type_a_public_function_returns_is_registered` reads the return annotation of every public
function (the names in ``fenxiao.__all__`` and in the ``__all__`` of each public package, and the public methods
and properties of the classes among them) and fails for a type that is neither registered nor listed in
:data:`NOT_VALUES` with the reason it has no document form.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import sys
import types
import typing
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fenxiao.authoring import lint_text
from fenxiao.authoring.documents import FileLint
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Brand, Category, Merchant, Sku
from fenxiao.domain.listings import Listing, ListingTerms, StatusChange
from fenxiao.domain.people import Influencer, Mcn, McnContract, TeamLeader
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.gap import NextTierGap
from fenxiao.grading.history import TierHistory
from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.perks import PERK_INPUTS, PerkCatalog, PerkResolution, Subsidy, default_perk_catalog
from fenxiao.grading.pipeline import GradedSku
from fenxiao.grading.subsidies import BudgetAllocation, SubsidyBudget, SubsidyRequest
from fenxiao.grading.tiers import TierDecision, TierPolicy
from fenxiao.market.admission import AdmissionDecision, Application, ReviewQueue, ShopMetrics
from fenxiao.market.clearance import ClearanceAction, ClearanceDecision
from fenxiao.market.goals import GoalProgress, LeaderReport, SaleRecord
from fenxiao.market.pool import PoolEntry, RankedPage
from fenxiao.money import Money, Rate
from fenxiao.periods.diff import DiffSummary, MigrationCell, ModelDiff, TierMigration
from fenxiao.periods.drift import PeriodComparison, ScoreDrift
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.periods.run import PeriodResult
from fenxiao.periods.schedule import (
    ModelKind,
    Schedule,
    ScheduledBudgets,
    ScheduledPerks,
    ScheduledPolicy,
    ScheduledScorecards,
    ScheduleSelection,
    VersionInForce,
)
from fenxiao.periods.state import ProgramState, SkuState
from fenxiao.periods.volume import VolumeTopUp
from fenxiao.rules.interpreter import Check, Explanation
from fenxiao.rules.language import All, AnyOf, Compare, Condition, Not, Schema
from fenxiao.rules.table import Finding
from fenxiao.sample import generate_catalog
from fenxiao.scoring.context import CategoryBenchmark, ScoringContext
from fenxiao.scoring.dimensions import CompositeWeights, Dimension, DimensionScore, SkuScores
from fenxiao.scoring.scorecards import MetricRule, Scorecard, Scorecards, ScorecardScorer
from fenxiao.serialization import dumps, from_dict, loads, to_dict
from fenxiao.settlement.enrollment import MIN_PROMOTION_DAYS, Enrollment, EnrollmentStatus, EnrollmentTerms
from fenxiao.settlement.ledger import Ledger, LedgerEntry
from fenxiao.settlement.orders import Order, OrderEvent, OrderTerms
from fenxiao.settlement.plans import CommissionPlan, PlanDecision, RateChange
from fenxiao.settlement.profiles import CategoryRule, PlatformProfile
from fenxiao.settlement.scenarios import ScenarioResult, model
from fenxiao.settlement.splits import Clawback, OrderSplit, SettlementLine
from fenxiao.simulate import (
    Arm,
    Band,
    Comparison,
    Experiment,
    Season,
    WeekPerks,
    band_of,
    perks_in_force,
    run_experiment,
)
from fenxiao.simulate import run_season as simulate_season
from fenxiao.store import IngestReport, OrderUpdate, PolicyVersion
from fenxiao.testing import commission as fcs
from fenxiao.testing import results as frs
from fenxiao.testing import scoring as fss
from fenxiao.testing import strategies as fst
from fenxiao.testing.tiers import tier_conditions, tier_policies

#: The packages whose ``__all__`` is public (``fenxiao`` itself first).
PUBLIC_PACKAGES: Final = (
    "fenxiao",
    "fenxiao.domain",
    "fenxiao.rules",
    "fenxiao.scoring",
    "fenxiao.settlement",
    "fenxiao.grading",
    "fenxiao.market",
    "fenxiao.periods",
    "fenxiao.serialization",
    "fenxiao.sample",
    "fenxiao.columnar",
    "fenxiao.store",
    "fenxiao.authoring",
    "fenxiao.simulate",
)

#: Types that need no registration: they are the document's own scalars, or enums (written by value).
SCALARS: Final = (str, int, bool, type(None), Decimal, datetime, date, float, bytes, object)

#: Types a public function returns that are not values with a document form, and why.
NOT_VALUES: Final[dict[str, str]] = {
    "fenxiao.scoring.metrics.Metric": "a named Python function; files name metrics by their name",
    "fenxiao.scoring.five.FiveDimensionScorer": "runs plug-in objects; its file form is the Scorecards it is made of",
    "fenxiao.scoring.plugins.DimensionScorer": "a plug-in protocol: any object with score()",
    "fenxiao.authoring.kinds.RuleFileKind": "a kind of rule file: holds a class and its lint function",
    "fenxiao.market.pool.SelectionPool": "a query object over PoolEntry values (which serialize): rebuild it from them",
    "fenxiao.errors.InvalidValueError": "an exception (it pickles)",
    "fenxiao.store.facade.Store": "a database handle",
    "sqlalchemy.engine.base.Engine": "a database handle",
    "sqlalchemy.engine.base.Connection": "a database handle",
    "fenxiao.columnar._columns.CodedText": "NumPy columns: written as frames (to_frame, Parquet), not documents",
    "fenxiao.columnar.context.ContextSummary": "NumPy columns of a partial context; finish() gives a ScoringContext",
    "fenxiao.columnar.periods.PeriodColumns": "NumPy columns: written as frames (to_frame, Parquet), not documents",
    "fenxiao.columnar.periods.TierFold": "NumPy columns: written as frames (to_frame, Parquet), not documents",
    "fenxiao.columnar.perks.Slot": "the columnar path's plan of competing perk entries, built from a PerkCatalog",
    "numpy.bool": "a NumPy scalar of the columnar path",
    "numpy.int64": "a NumPy scalar of the columnar path",
    "numpy.object_": "a NumPy scalar of the columnar path",
}


def _name(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# -- the public functions and the types they return -----------------------------------------------------------------


def _namespace() -> dict[str, Any]:
    """Every public name, to resolve annotations written under ``if TYPE_CHECKING:``."""
    names: dict[str, Any] = {}
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            names.setdefault(name, getattr(module, name))
    return names


def public_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function: module-level names in an ``__all__``, and the public methods and properties of the
    public classes (those defined by fenxiao)."""
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield f"{package}.{name}", obj
            elif inspect.isclass(obj) and obj.__module__.startswith("fenxiao"):
                for member, value in inspect.getmembers(obj):
                    function: Any = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
                    public = not member.startswith("_") and inspect.isfunction(function)
                    if public and function.__module__.startswith("fenxiao"):
                        yield f"{package}.{name}.{member}", function


def _leaves(tp: Any) -> Iterator[type[Any]]:
    """The classes a type annotation names, through containers, unions and aliases."""
    if tp is typing.Any or isinstance(tp, typing.TypeVar):
        return
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin is not None or isinstance(tp, types.UnionType):
        if origin is type:  # type[X] returns a class, not a value
            return
        for arg in args:
            yield from _leaves(arg)
        return
    if isinstance(tp, type):
        yield tp


def returned_types() -> dict[type[Any], list[str]]:
    """Each class a public function returns, with the functions that return it."""
    names = _namespace()
    found: dict[type[Any], list[str]] = {}
    for where, function in public_functions():
        hints = typing.get_type_hints(function, globalns=sys.modules[function.__module__].__dict__, localns=names)
        for cls in _leaves(hints.get("return")):
            found.setdefault(cls, []).append(where)
    return found


def _needs_registration(cls: type[Any]) -> bool:
    return not (cls in SCALARS or issubclass(cls, enum.Enum))


# -- the registry: every result type and a strategy for it ------------------------------------------------------------


def _one_of(strategy: st.SearchStrategy[Any], pick: Callable[[Any], Any]) -> st.SearchStrategy[Any]:
    """A value picked from each drawn value's collection *pick* (drawn values with an empty one are skipped)."""
    return strategy.map(lambda v: tuple(pick(v))).filter(bool).flatmap(st.sampled_from)


def _kind(condition_type: type[Any]) -> st.SearchStrategy[Condition]:
    return tier_conditions(max_leaves=4).filter(lambda c: isinstance(c, condition_type))


def _findings() -> st.SearchStrategy[Finding]:
    return _one_of(tier_policies(max_rules=4), lambda p: p.lint())


#: A moment to ask an empty schedule about.
_T0: Final = datetime(2026, 12, 1, tzinfo=timezone(timedelta(hours=8)))


def _selections() -> st.SearchStrategy[ScheduleSelection]:
    return st.builds(
        lambda s, days: s.select((s.start or _T0) + timedelta(days=days)), frs.schedules(), st.integers(0, 90)
    )


def _versions() -> st.SearchStrategy[VersionInForce]:
    return st.builds(
        lambda s, kind, days: s.select_version(kind, (s.start or _T0) + timedelta(days=days)),
        frs.schedules() | st.just(Schedule()),
        st.sampled_from(ModelKind),
        st.integers(0, 90),
    )


def _file_lints() -> st.SearchStrategy[FileLint]:
    return tier_policies(max_rules=3).map(
        lambda p: lint_text(dumps(p, format="toml"), format="toml", kind="tier-policy")
    )


#: Small generated catalogs for the simulator (drawn catalogs' extreme prices overflow a season's sums).
_SEASON_CATALOGS: Final = st.builds(generate_catalog, seed=st.integers(0, 2**16), skus=st.integers(1, 4))


def _seasons() -> st.SearchStrategy[Season]:
    return st.builds(lambda c, seed: simulate_season(c, seed=seed, weeks=1), _SEASON_CATALOGS, st.integers(0, 3))


def _experiments() -> st.SearchStrategy[Experiment]:
    return st.builds(lambda c: run_experiment(c, Arm("base"), seeds=2, weeks=1), _SEASON_CATALOGS)


def _week_perks() -> st.SearchStrategy[WeekPerks]:
    return _one_of(frs.period_results(periods=1), lambda r: perks_in_force(r.report, Models()).values())


def _bands() -> st.SearchStrategy[Band]:
    return st.lists(st.integers(0, 10**6), min_size=1, max_size=5).map(band_of)


def _models() -> st.SearchStrategy[Models]:
    return st.builds(
        Models,
        scorecards=fss.scorecard_sets(),
        policy=tier_policies(max_rules=3),
        perks=st.just(default_perk_catalog()),
        budgets=st.lists(frs.subsidy_budgets(), max_size=2, unique_by=lambda b: b.name).map(tuple),
    )


def _subsidies() -> st.SearchStrategy[Subsidy]:
    return st.builds(
        lambda budget, rate, fixed, cap: Subsidy(budget, rate, fixed if rate.ppm or fixed.fen else Money(1), cap),
        fst.identifiers(),
        fst.rates(),
        fst.money(min_fen=0, max_fen=10**6),
        st.none() | fst.money(min_fen=0, max_fen=10**6),
    )


_PERIODS: Final = frs.period_results()
_DIFFS: Final = frs.model_diffs()

#: Every public result type and the strategy its round trip draws from.
RESULTS: Final[dict[type[Any], Callable[[], st.SearchStrategy[Any]]]] = {
    # values and the domain
    Money: lambda: fst.money(currencies=fst.currencies()),
    Rate: fst.rates,
    Fraction: frs.fractions,
    timezone: fst.utc_offsets,
    Category: fst.categories,
    Brand: fst.brands,
    Merchant: fst.merchants,
    Sku: fst.skus,
    Influencer: fst.influencers,
    McnContract: lambda: st.builds(McnContract, fst.influencer_ids(), fst.rates(), fst.aware_datetimes(), st.none()),
    Mcn: lambda: st.builds(
        Mcn,
        st.sampled_from(["mcn-0", "mcn.a_1"]),
        st.sampled_from(["星河传媒", "Agency"]),
        st.lists(
            st.builds(McnContract, fst.influencer_ids(), fst.rates(), fst.aware_datetimes(), st.none()),
            max_size=3,
            unique_by=lambda c: c.influencer_id,
        ).map(tuple),
    ),
    TeamLeader: fst.team_leaders,
    ListingTerms: fst.listing_terms,
    StatusChange: fst.status_changes,
    Listing: fst.listings,
    SkuSnapshot: fst.snapshots,
    Catalog: lambda: fst.catalogs(max_size=2),
    # rules
    Compare: lambda: _kind(Compare),
    All: lambda: _kind(All),
    AnyOf: lambda: _kind(AnyOf),
    Not: lambda: _kind(Not),
    Check: frs.rule_checks,
    Explanation: frs.explanations,
    Schema: lambda: st.sampled_from([TIER_INPUTS, PERK_INPUTS]),
    Finding: _findings,
    # scoring
    DimensionScore: fss.dimension_scores,
    SkuScores: fss.score_cards,
    CompositeWeights: fss.composite_weights,
    MetricRule: fss.metric_rules,
    Scorecard: fss.scorecards,
    Scorecards: fss.scorecard_sets,
    ScorecardScorer: lambda: st.builds(
        lambda cards, dimension: cards.scorecard_scorer(dimension), fss.scorecard_sets(), st.sampled_from(Dimension)
    ),
    CategoryBenchmark: fss.category_benchmarks,
    ScoringContext: fss.scoring_contexts,
    # settlement
    PlatformProfile: fcs.platform_profiles,
    CategoryRule: lambda: _one_of(fcs.platform_profiles(), lambda p: p.category_rules),
    CommissionPlan: fcs.commission_plans,
    RateChange: lambda: _one_of(fcs.commission_plans(), lambda p: p.rate_history),
    PlanDecision: frs.plan_decisions,
    OrderTerms: fcs.order_terms,
    Order: lambda: fcs.order_histories(profile=PlatformProfile()),
    OrderEvent: lambda: _one_of(fcs.order_histories(profile=PlatformProfile()), lambda o: o.events),
    OrderSplit: frs.order_splits,
    SettlementLine: lambda: _one_of(frs.order_splits(), lambda s: s.lines),
    Clawback: frs.clawbacks_of_orders,
    Ledger: fcs.ledgers,
    LedgerEntry: lambda: _one_of(fcs.ledgers(), lambda ledger: ledger.entries),
    ScenarioResult: lambda: fcs.scenarios().map(model),
    # grading
    TierPolicy: tier_policies,
    TierDecision: frs.tier_decisions,
    NextTierGap: frs.next_tier_gaps,
    TierHistory: frs.tier_histories,
    PerkCatalog: lambda: st.just(default_perk_catalog()),
    PerkResolution: frs.perk_resolutions,
    Subsidy: _subsidies,
    GradedSku: frs.graded_skus,
    SubsidyBudget: frs.subsidy_budgets,
    SubsidyRequest: frs.subsidy_requests,
    BudgetAllocation: frs.budget_allocations,
    BudgetBook: frs.budget_books,
    SpendEntry: frs.spend_entries,
    # market
    AdmissionDecision: frs.admission_decisions,
    ClearanceDecision: lambda: st.builds(
        ClearanceDecision,
        kind=st.sampled_from(["merchant", "listing"]),
        subject=st.sampled_from(["m-0012", "l-00001"]),
        merchant_id=st.just("m-0012"),
        action=st.sampled_from(list(ClearanceAction)),
        decision=frs.admission_decisions(),
    ),
    Application: frs.applications,
    ReviewQueue: frs.review_queues,
    PoolEntry: frs.pool_entries,
    RankedPage: frs.ranked_pages,
    SaleRecord: frs.sale_records,
    GoalProgress: frs.goal_progress,
    LeaderReport: frs.leader_reports,
    # periods
    PeriodResult: lambda: _PERIODS,
    PeriodReport: lambda: _PERIODS.map(lambda r: r.report),
    SkuPeriod: lambda: _one_of(_PERIODS, lambda r: r.report.rows),
    ProgramState: lambda: _PERIODS.map(lambda r: r.state),
    SkuState: lambda: _one_of(_PERIODS, lambda r: r.state.skus.values()),
    Models: _models,
    ModelDiff: lambda: _DIFFS,
    DiffSummary: lambda: _DIFFS.map(lambda d: d.total),
    TierMigration: lambda: _DIFFS.map(lambda d: d.migration),
    MigrationCell: lambda: _one_of(_DIFFS, lambda d: d.migration.cells),
    PeriodComparison: frs.period_comparisons,
    ScoreDrift: lambda: _one_of(frs.period_comparisons(), lambda c: c.drift),
    Schedule: frs.schedules,
    ScheduledScorecards: lambda: frs.schedules().map(lambda s: s.scorecards[0]),
    ScheduledPolicy: lambda: _one_of(frs.schedules(), lambda s: s.policies),
    ScheduledPerks: lambda: frs.schedules().map(lambda s: s.perks[0]),
    ScheduledBudgets: lambda: frs.schedules().map(lambda s: s.budgets[0]),
    ScheduleSelection: _selections,
    VersionInForce: _versions,
    # the edges: the simulator, the store's values, rule authors' lint
    Band: _bands,
    Comparison: lambda: _one_of(_experiments(), lambda e: e.comparisons),
    Experiment: _experiments,
    Season: _seasons,
    WeekPerks: _week_perks,
    IngestReport: lambda: st.builds(IngestReport, *(st.integers(0, 10**6) for _ in range(5))),
    OrderUpdate: lambda: _one_of(
        fcs.order_histories(profile=PlatformProfile()), lambda o: [OrderUpdate(o.id, e) for e in o.events]
    ),
    PolicyVersion: lambda: st.builds(
        PolicyVersion,
        name=fst.identifiers(),
        version=st.integers(1, 100),
        kind=st.sampled_from(["policy", "perks", "scorecards", "admission"]),
        effective_from=fst.aware_datetimes(),
        document=st.text(max_size=40),
    ),
    FileLint: _file_lints,
    ShopMetrics: lambda: st.builds(
        ShopMetrics,
        st.none() | fst.money(min_fen=0),
        st.none() | fst.rates(),
        st.none() | st.decimals(0, 5, places=2),
    ),
    Enrollment: lambda: st.builds(
        lambda enrollment, audit: (
            enrollment.transition(EnrollmentStatus.IN_AUDIT, at=enrollment.applied_at) if audit else enrollment
        ),
        st.builds(
            Enrollment,
            fst.identifiers(),
            fst.identifiers(),
            fst.identifiers(),
            st.builds(EnrollmentTerms, fst.rates(), st.integers(0, 12), st.sampled_from(MIN_PROMOTION_DAYS)),
            fst.aware_datetimes(),
        ),
        st.booleans(),
    ),
    VolumeTopUp: lambda: st.builds(
        VolumeTopUp,
        plan_id=fst.identifiers(),
        influencer_id=fst.identifiers(),
        orders=st.integers(0, 1000),
        volume=fst.money(min_fen=0),
        top_up=fst.money(min_fen=0),
        platform_fee=fst.money(min_fen=0),
        influencer=fst.money(min_fen=0),
        mcns=st.lists(st.tuples(fst.identifiers(), fst.money(min_fen=0)), max_size=2).map(tuple),
    ),
}


# -- the tests -----------------------------------------------------------------------------------------------------


def test_every_type_a_public_function_returns_is_registered() -> None:
    """A public function returning a type that is neither registered nor excused fails this test."""
    found = returned_types()
    assert len(found) > 80  # the walk sees the house
    registered = set(RESULTS)
    missing = {
        _name(cls): sorted(where)[:3]
        for cls, where in found.items()
        if _needs_registration(cls) and cls not in registered and _name(cls) not in NOT_VALUES
    }
    assert missing == {}, "register these in RESULTS (or explain in NOT_VALUES why they have no document form)"


def test_every_excuse_names_a_type_that_is_still_returned() -> None:
    """NOT_VALUES lists no type that no public function returns any more."""
    returned = {_name(cls) for cls in returned_types()}
    assert set(NOT_VALUES) <= returned


def _floats_in(data: object) -> list[object]:
    if isinstance(data, float):
        return [data]
    if isinstance(data, dict):
        return [f for v in data.values() for f in _floats_in(v)]
    if isinstance(data, list):
        return [f for v in data for f in _floats_in(v)]
    return []


def _tuples_in(data: object) -> list[object]:
    if isinstance(data, tuple):
        return [data]
    if isinstance(data, dict):
        return [t for v in data.values() for t in _tuples_in(v)]
    if isinstance(data, list):
        return [t for v in data for t in _tuples_in(v)]
    return []


_TYPES: Final = list(RESULTS)


@pytest.mark.parametrize("cls", _TYPES, ids=[c.__name__ for c in _TYPES])
@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_result_round_trips_through_the_one_converter(cls: type[Any], data: st.DataObject) -> None:
    """to_dict gives plain JSON data (no float, no tuple); from_dict and loads(dumps()) give back an equal value."""
    value = data.draw(RESULTS[cls](), label=cls.__name__)
    assert isinstance(value, cls)
    plain = to_dict(value)
    assert _floats_in(plain) == []
    assert _tuples_in(plain) == []
    text = json.dumps(plain, ensure_ascii=False)  # never a TypeError: every leaf is JSON
    back = from_dict(plain, cls)
    assert back == value
    assert to_dict(back) == plain  # the document is stable: the same text on every trip
    assert loads(text, cls) == value
    assert dumps(value, indent=None) == json.dumps(plain, ensure_ascii=False, indent=None)
