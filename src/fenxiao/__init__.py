"""fenxiao (分销): the rules core of an e-commerce affiliate distribution program.

The face of the package holds what a user needs to call fenxiao: the values (``Money``, ``Rate``), the models
(goods, people, policies, catalogs, orders), the verbs (``grade_catalog``, ``resolve_perks``, ``split`` ...), the
errors, and every type those verbs return. ``docs/naming.md`` lists the verbs and nouns and what each means.

The rest lives in the layer packages, each a public face of its own: :mod:`fenxiao.domain`, :mod:`fenxiao.rules`,
:mod:`fenxiao.scoring`, :mod:`fenxiao.settlement`, :mod:`fenxiao.grading`, :mod:`fenxiao.market`,
:mod:`fenxiao.periods`, and the edges
:mod:`fenxiao.serialization`, :mod:`fenxiao.sample`, :mod:`fenxiao.columnar`, :mod:`fenxiao.testing`. Names that were
importable from here before the packages existed still are (``from fenxiao import CategoryMinimum``); they are
loaded on first use and not listed in ``__all__``.

>>> import fenxiao
>>> fenxiao.Money.of("99.90") * 2
Money(fen=19980, currency='CNY')
>>> fenxiao.CategoryMinimum is fenxiao.settlement.CategoryMinimum
True
"""

import importlib
import warnings
from typing import TYPE_CHECKING, Any, Final

from fenxiao._version import __version__

if TYPE_CHECKING:  # every name of the face, for type checkers; at run time each is loaded on first use
    from fenxiao.domain.catalog import Catalog
    from fenxiao.domain.goods import Brand, Category, Merchant, Sku
    from fenxiao.domain.goods import ShopKind as ShopKind
    from fenxiao.domain.goods import Standing as Standing
    from fenxiao.domain.ids import BrandId, CategoryId, InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
    from fenxiao.domain.listings import Listing, ListingStatus, ListingTerms
    from fenxiao.domain.listings import StatusChange as StatusChange
    from fenxiao.domain.people import Influencer, Mcn, McnContract, TeamLeader
    from fenxiao.domain.people import LeaderLevel as LeaderLevel
    from fenxiao.domain.snapshots import SkuSnapshot
    from fenxiao.errors import (
        CurrencyMismatchError,
        FenxiaoError,
        InvalidValueError,
        MissingExtraError,
        PluginError,
        PolicyError,
        RuleError,
        TransitionError,
        ValidationError,
    )
    from fenxiao.grading.budgets import BudgetBook
    from fenxiao.grading.gap import NextTierGap
    from fenxiao.grading.history import Stability as Stability
    from fenxiao.grading.history import TierHistory
    from fenxiao.grading.levels import Tier
    from fenxiao.grading.perks import Access as Access
    from fenxiao.grading.perks import Badge as Badge
    from fenxiao.grading.perks import InfluencerPreferred as InfluencerPreferred
    from fenxiao.grading.perks import (
        PerkCatalog,
        PerkResolution,
        default_perk_catalog,
        register_perk_kind,
        resolve_perks,
    )
    from fenxiao.grading.perks import PerkEntry as PerkEntry
    from fenxiao.grading.perks import Subsidy as Subsidy
    from fenxiao.grading.perks import TrafficBoost as TrafficBoost
    from fenxiao.grading.pipeline import GradedSku, grade_catalog
    from fenxiao.grading.subsidies import BudgetAllocation, SubsidyBudget, SubsidyRequest, allocate_subsidies
    from fenxiao.grading.tiers import TierDecision, TierPolicy, TierRule, default_tier_policy
    from fenxiao.market.admission import AdmissionDecision, AdmissionPolicy, default_admission_policy
    from fenxiao.market.admission import AdmissionRule as AdmissionRule
    from fenxiao.market.goals import DEFAULT_GOALS, Goal, GoalProgress, GoalTracker
    from fenxiao.market.pool import PoolEntry, PoolFilter, RankedPage, SelectionPool
    from fenxiao.money import Money, Rate, Rounding
    from fenxiao.periods.models import Models
    from fenxiao.periods.report import PeriodReport, SkuPeriod
    from fenxiao.periods.run import PeriodResult, run_period
    from fenxiao.periods.state import ProgramState, SkuState
    from fenxiao.rules.language import All, AnyOf, Compare, Not, Op
    from fenxiao.rules.table import Finding, Severity
    from fenxiao.scoring.context import CategoryBenchmark, ScoringContext, build_context
    from fenxiao.scoring.defaults import default_scorer
    from fenxiao.scoring.dimensions import CompositeWeights as CompositeWeights
    from fenxiao.scoring.dimensions import Contribution as Contribution
    from fenxiao.scoring.dimensions import Dimension, DimensionScore, SkuScores
    from fenxiao.scoring.dimensions import ScoreCard as ScoreCard
    from fenxiao.scoring.dimensions import round_points as round_points
    from fenxiao.scoring.five import FiveDimensionScorer
    from fenxiao.scoring.metrics import Metric, register_metric
    from fenxiao.scoring.metrics import get_metric as get_metric
    from fenxiao.scoring.plugins import BatchDimensionScorer as BatchDimensionScorer
    from fenxiao.scoring.plugins import DimensionScorer
    from fenxiao.scoring.registry import ScorerRegistry as ScorerRegistry
    from fenxiao.scoring.registry import default_registry as default_registry
    from fenxiao.scoring.scorecards import Cap as Cap
    from fenxiao.scoring.scorecards import MetricRule, Scorecard, Scorecards, ScorecardScorer, default_scorecards
    from fenxiao.settlement.activities import ActivityKind as ActivityKind
    from fenxiao.settlement.activities import CategoryMinimum as CategoryMinimum
    from fenxiao.settlement.activities import SecondLevelTerms as SecondLevelTerms
    from fenxiao.settlement.activities import TeamLeaderActivity as TeamLeaderActivity
    from fenxiao.settlement.kinds import PlanKind as PlanKind
    from fenxiao.settlement.ledger import EntryKind as EntryKind
    from fenxiao.settlement.ledger import Ledger, LedgerEntry
    from fenxiao.settlement.ledger import Period as Period
    from fenxiao.settlement.orders import Order, OrderEvent, OrderTerms
    from fenxiao.settlement.orders import OrderEventKind as OrderEventKind
    from fenxiao.settlement.orders import OrderStatus as OrderStatus
    from fenxiao.settlement.plans import CommissionPlan, PlanDecision, RateChange, select_plan
    from fenxiao.settlement.profiles import CategoryRule, PlatformProfile
    from fenxiao.settlement.profiles import KindBounds as KindBounds
    from fenxiao.settlement.profiles import ServiceLevel as ServiceLevel
    from fenxiao.settlement.profiles import SettlementDays as SettlementDays
    from fenxiao.settlement.splits import Clawback as Clawback
    from fenxiao.settlement.splits import OrderSplit, Party, SettlementLine, split
    from fenxiao.settlement.splits import clawbacks as clawbacks
    from fenxiao.settlement.splits import settled_split as settled_split
    from fenxiao.settlement.steps import CommissionStep as CommissionStep
    from fenxiao.settlement.steps import StepMode as StepMode

__all__ = [
    "DEFAULT_GOALS",
    "AdmissionDecision",
    "AdmissionPolicy",
    "All",
    "AnyOf",
    "Brand",
    "BrandId",
    "BudgetAllocation",
    "BudgetBook",
    "Catalog",
    "Category",
    "CategoryBenchmark",
    "CategoryId",
    "CategoryRule",
    "CommissionPlan",
    "Compare",
    "CurrencyMismatchError",
    "Dimension",
    "DimensionScore",
    "DimensionScorer",
    "FenxiaoError",
    "Finding",
    "FiveDimensionScorer",
    "Goal",
    "GoalProgress",
    "GoalTracker",
    "GradedSku",
    "Influencer",
    "InfluencerId",
    "InvalidValueError",
    "Ledger",
    "LedgerEntry",
    "Listing",
    "ListingId",
    "ListingStatus",
    "ListingTerms",
    "Mcn",
    "McnContract",
    "Merchant",
    "MerchantId",
    "Metric",
    "MetricRule",
    "MissingExtraError",
    "Models",
    "Money",
    "NextTierGap",
    "Not",
    "Op",
    "Order",
    "OrderEvent",
    "OrderSplit",
    "OrderTerms",
    "Party",
    "PeriodReport",
    "PeriodResult",
    "PerkCatalog",
    "PerkResolution",
    "PlanDecision",
    "PlatformProfile",
    "PluginError",
    "PolicyError",
    "PoolEntry",
    "PoolFilter",
    "ProgramState",
    "RankedPage",
    "Rate",
    "RateChange",
    "Rounding",
    "RuleError",
    "Scorecard",
    "ScorecardScorer",
    "Scorecards",
    "ScoringContext",
    "SelectionPool",
    "SettlementLine",
    "Severity",
    "Sku",
    "SkuId",
    "SkuPeriod",
    "SkuScores",
    "SkuSnapshot",
    "SkuState",
    "SubsidyBudget",
    "SubsidyRequest",
    "TeamLeader",
    "TeamLeaderId",
    "Tier",
    "TierDecision",
    "TierHistory",
    "TierPolicy",
    "TierRule",
    "TransitionError",
    "ValidationError",
    "__version__",
    "allocate_subsidies",
    "build_context",
    "default_admission_policy",
    "default_perk_catalog",
    "default_scorecards",
    "default_scorer",
    "default_tier_policy",
    "grade_catalog",
    "register_metric",
    "register_perk_kind",
    "resolve_perks",
    "run_period",
    "select_plan",
    "split",
]

#: The face: each name of ``__all__`` and the module it is loaded from on first use. Nothing below the face is
#: imported by ``import fenxiao`` itself, so that a program (or ``python -m fenxiao --help``) pays only for what
#: it uses; ``tests/test_public_face.py`` checks that this table and the type checkers' imports agree.
_FACE: Final[dict[str, str]] = {
    "AdmissionDecision": "fenxiao.market.admission",
    "AdmissionPolicy": "fenxiao.market.admission",
    "All": "fenxiao.rules.language",
    "AnyOf": "fenxiao.rules.language",
    "Brand": "fenxiao.domain.goods",
    "BrandId": "fenxiao.domain.ids",
    "BudgetAllocation": "fenxiao.grading.subsidies",
    "BudgetBook": "fenxiao.grading.budgets",
    "Catalog": "fenxiao.domain.catalog",
    "Category": "fenxiao.domain.goods",
    "CategoryBenchmark": "fenxiao.scoring.context",
    "CategoryId": "fenxiao.domain.ids",
    "CategoryRule": "fenxiao.settlement.profiles",
    "CommissionPlan": "fenxiao.settlement.plans",
    "Compare": "fenxiao.rules.language",
    "CurrencyMismatchError": "fenxiao.errors",
    "DEFAULT_GOALS": "fenxiao.market.goals",
    "Dimension": "fenxiao.scoring.dimensions",
    "DimensionScore": "fenxiao.scoring.dimensions",
    "DimensionScorer": "fenxiao.scoring.plugins",
    "FenxiaoError": "fenxiao.errors",
    "Finding": "fenxiao.rules.table",
    "FiveDimensionScorer": "fenxiao.scoring.five",
    "Goal": "fenxiao.market.goals",
    "GoalProgress": "fenxiao.market.goals",
    "GoalTracker": "fenxiao.market.goals",
    "GradedSku": "fenxiao.grading.pipeline",
    "Influencer": "fenxiao.domain.people",
    "Mcn": "fenxiao.domain.people",
    "McnContract": "fenxiao.domain.people",
    "InfluencerId": "fenxiao.domain.ids",
    "InvalidValueError": "fenxiao.errors",
    "Ledger": "fenxiao.settlement.ledger",
    "LedgerEntry": "fenxiao.settlement.ledger",
    "Listing": "fenxiao.domain.listings",
    "ListingId": "fenxiao.domain.ids",
    "ListingStatus": "fenxiao.domain.listings",
    "ListingTerms": "fenxiao.domain.listings",
    "Merchant": "fenxiao.domain.goods",
    "MerchantId": "fenxiao.domain.ids",
    "Metric": "fenxiao.scoring.metrics",
    "MetricRule": "fenxiao.scoring.scorecards",
    "MissingExtraError": "fenxiao.errors",
    "Models": "fenxiao.periods.models",
    "Money": "fenxiao.money",
    "NextTierGap": "fenxiao.grading.gap",
    "Not": "fenxiao.rules.language",
    "Op": "fenxiao.rules.language",
    "Order": "fenxiao.settlement.orders",
    "OrderEvent": "fenxiao.settlement.orders",
    "OrderSplit": "fenxiao.settlement.splits",
    "OrderTerms": "fenxiao.settlement.orders",
    "Party": "fenxiao.settlement.splits",
    "PeriodReport": "fenxiao.periods.report",
    "PeriodResult": "fenxiao.periods.run",
    "PerkCatalog": "fenxiao.grading.perks",
    "PerkResolution": "fenxiao.grading.perks",
    "PlanDecision": "fenxiao.settlement.plans",
    "PlatformProfile": "fenxiao.settlement.profiles",
    "PluginError": "fenxiao.errors",
    "PolicyError": "fenxiao.errors",
    "PoolEntry": "fenxiao.market.pool",
    "PoolFilter": "fenxiao.market.pool",
    "ProgramState": "fenxiao.periods.state",
    "RankedPage": "fenxiao.market.pool",
    "Rate": "fenxiao.money",
    "RateChange": "fenxiao.settlement.plans",
    "Rounding": "fenxiao.money",
    "RuleError": "fenxiao.errors",
    "Scorecard": "fenxiao.scoring.scorecards",
    "ScorecardScorer": "fenxiao.scoring.scorecards",
    "Scorecards": "fenxiao.scoring.scorecards",
    "ScoringContext": "fenxiao.scoring.context",
    "SelectionPool": "fenxiao.market.pool",
    "SettlementLine": "fenxiao.settlement.splits",
    "Severity": "fenxiao.rules.table",
    "Sku": "fenxiao.domain.goods",
    "SkuId": "fenxiao.domain.ids",
    "SkuPeriod": "fenxiao.periods.report",
    "SkuScores": "fenxiao.scoring.dimensions",
    "SkuSnapshot": "fenxiao.domain.snapshots",
    "SkuState": "fenxiao.periods.state",
    "SubsidyBudget": "fenxiao.grading.subsidies",
    "SubsidyRequest": "fenxiao.grading.subsidies",
    "TeamLeader": "fenxiao.domain.people",
    "TeamLeaderId": "fenxiao.domain.ids",
    "Tier": "fenxiao.grading.levels",
    "TierDecision": "fenxiao.grading.tiers",
    "TierHistory": "fenxiao.grading.history",
    "TierPolicy": "fenxiao.grading.tiers",
    "TierRule": "fenxiao.grading.tiers",
    "TransitionError": "fenxiao.errors",
    "ValidationError": "fenxiao.errors",
    "allocate_subsidies": "fenxiao.grading.subsidies",
    "build_context": "fenxiao.scoring.context",
    "default_admission_policy": "fenxiao.market.admission",
    "default_perk_catalog": "fenxiao.grading.perks",
    "default_scorecards": "fenxiao.scoring.scorecards",
    "default_scorer": "fenxiao.scoring.defaults",
    "default_tier_policy": "fenxiao.grading.tiers",
    "grade_catalog": "fenxiao.grading.pipeline",
    "register_metric": "fenxiao.scoring.metrics",
    "register_perk_kind": "fenxiao.grading.perks",
    "resolve_perks": "fenxiao.grading.perks",
    "run_period": "fenxiao.periods.run",
    "select_plan": "fenxiao.settlement.plans",
    "split": "fenxiao.settlement.splits",
}

#: The public subpackages and modules, loaded on first attribute access (``fenxiao.settlement``).
_SUBMODULES: Final[frozenset[str]] = frozenset(
    {
        "authoring",
        "cli",
        "columnar",
        "domain",
        "errors",
        "grading",
        "market",
        "money",
        "periods",
        "rules",
        "sample",
        "scoring",
        "serialization",
        "settlement",
        "simulate",
        "store",
        "testing",
    }
)

#: Names importable from ``fenxiao`` that are not on its face: each lives in the module named here.
_ELSEWHERE: Final[dict[str, str]] = {
    "Access": "fenxiao.grading.perks",
    "ActivityKind": "fenxiao.settlement.activities",
    "AdmissionRule": "fenxiao.market.admission",
    "Badge": "fenxiao.grading.perks",
    "BatchDimensionScorer": "fenxiao.scoring.plugins",
    "Cap": "fenxiao.scoring.scorecards",
    "CategoryMinimum": "fenxiao.settlement.activities",
    "Clawback": "fenxiao.settlement.splits",
    "CommissionStep": "fenxiao.settlement.steps",
    "CompositeWeights": "fenxiao.scoring.dimensions",
    "Contribution": "fenxiao.scoring.dimensions",
    "EntryKind": "fenxiao.settlement.ledger",
    "InfluencerPreferred": "fenxiao.grading.perks",
    "KindBounds": "fenxiao.settlement.profiles",
    "LeaderLevel": "fenxiao.domain.people",
    "OrderEventKind": "fenxiao.settlement.orders",
    "OrderStatus": "fenxiao.settlement.orders",
    "Period": "fenxiao.settlement.ledger",
    "PerkEntry": "fenxiao.grading.perks",
    "PlanKind": "fenxiao.settlement.kinds",
    "ScorerRegistry": "fenxiao.scoring.registry",
    "SecondLevelTerms": "fenxiao.settlement.activities",
    "ServiceLevel": "fenxiao.settlement.profiles",
    "SettlementDays": "fenxiao.settlement.profiles",
    "ShopKind": "fenxiao.domain.goods",
    "Stability": "fenxiao.grading.history",
    "Standing": "fenxiao.domain.goods",
    "StatusChange": "fenxiao.domain.listings",
    "StepMode": "fenxiao.settlement.steps",
    "Subsidy": "fenxiao.grading.perks",
    "TeamLeaderActivity": "fenxiao.settlement.activities",
    "TrafficBoost": "fenxiao.grading.perks",
    "clawbacks": "fenxiao.settlement.splits",
    "default_registry": "fenxiao.scoring.registry",
    "get_metric": "fenxiao.scoring.metrics",
    "round_points": "fenxiao.scoring.dimensions",
    "settled_split": "fenxiao.settlement.splits",
}

#: Old names of renamed things: importing one warns and gives the new one.
_RENAMED: Final[dict[str, str]] = {"ScoreCard": "SkuScores"}


def __getattr__(name: str) -> Any:
    """Load a name of the face, a name kept for compatibility, or a public subpackage on first use (PEP 562)."""
    module = _FACE.get(name) or _ELSEWHERE.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    new = _RENAMED.get(name)
    if new is not None:
        warnings.warn(f"fenxiao.{name} is deprecated; use fenxiao.{new}", DeprecationWarning, stacklevel=2)
        return __getattr__(new)
    if name in _SUBMODULES:
        return importlib.import_module(f"fenxiao.{name}")
    raise AttributeError(f"module 'fenxiao' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_FACE, *_ELSEWHERE})
