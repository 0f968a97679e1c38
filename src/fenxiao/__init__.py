"""fenxiao (分销): the rules core of an e-commerce affiliate distribution program.

The most used names are importable from here; every subpackage
(``fenxiao.grading``, ``fenxiao.settlement``, ...)
is public too and documents the rest.
"""

from fenxiao._version import __version__
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Brand, Category, Merchant, ShopKind, Sku, Standing
from fenxiao.domain.ids import BrandId, CategoryId, InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.listings import Listing, ListingStatus, ListingTerms, StatusChange
from fenxiao.domain.people import Influencer, LeaderLevel, TeamLeader
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
from fenxiao.grading.perks import (
    Access,
    Badge,
    InfluencerPreferred,
    PerkCatalog,
    PerkEntry,
    Subsidy,
    TrafficBoost,
    default_perk_catalog,
    register_perk_kind,
    resolve_perks,
)
from fenxiao.grading.pipeline import GradedSku, grade_catalog
from fenxiao.grading.subsidies import SubsidyBudget, SubsidyRequest, allocate_subsidies
from fenxiao.grading.tiers import Stability, Tier, TierDecision, TierHistory, TierPolicy, TierRule, default_tier_policy
from fenxiao.market.admission import AdmissionPolicy, AdmissionRule, default_admission_policy
from fenxiao.market.goals import DEFAULT_GOALS, Goal, GoalTracker
from fenxiao.market.pool import PoolFilter, SelectionPool
from fenxiao.money import Money, Rate, Rounding
from fenxiao.rules.language import All, AnyOf, Compare, Not, Op
from fenxiao.scoring.context import CategoryBenchmark, ScoringContext, build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import (
    CompositeWeights,
    Contribution,
    Dimension,
    DimensionScore,
    ScoreCard,
    round_points,
)
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.metrics import Metric, get_metric, register_metric
from fenxiao.scoring.plugins import BatchDimensionScorer, DimensionScorer
from fenxiao.scoring.registry import ScorerRegistry, default_registry
from fenxiao.scoring.scorecards import Cap, MetricRule, Scorecard, Scorecards, ScorecardScorer, default_scorecards
from fenxiao.settlement.activities import ActivityKind, CategoryMinimum, SecondLevelTerms, TeamLeaderActivity
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.ledger import EntryKind, Ledger, LedgerEntry, Period
from fenxiao.settlement.orders import Order, OrderEvent, OrderEventKind, OrderStatus, OrderTerms
from fenxiao.settlement.plans import CommissionPlan, PlanDecision, RateChange, select_plan
from fenxiao.settlement.profiles import CategoryRule, KindBounds, PlatformProfile, ServiceLevel, SettlementDays
from fenxiao.settlement.splits import Clawback, OrderSplit, Party, SettlementLine, clawbacks, settled_split, split
from fenxiao.settlement.steps import CommissionStep, StepMode

__all__ = [
    "DEFAULT_GOALS",
    "Access",
    "ActivityKind",
    "AdmissionPolicy",
    "AdmissionRule",
    "All",
    "AnyOf",
    "Badge",
    "BatchDimensionScorer",
    "Brand",
    "BrandId",
    "Cap",
    "Catalog",
    "Category",
    "CategoryBenchmark",
    "CategoryId",
    "CategoryMinimum",
    "CategoryRule",
    "Clawback",
    "CommissionPlan",
    "CommissionStep",
    "Compare",
    "CompositeWeights",
    "Contribution",
    "CurrencyMismatchError",
    "Dimension",
    "DimensionScore",
    "DimensionScorer",
    "EntryKind",
    "FenxiaoError",
    "FiveDimensionScorer",
    "Goal",
    "GoalTracker",
    "GradedSku",
    "Influencer",
    "InfluencerId",
    "InfluencerPreferred",
    "InvalidValueError",
    "KindBounds",
    "LeaderLevel",
    "Ledger",
    "LedgerEntry",
    "Listing",
    "ListingId",
    "ListingStatus",
    "ListingTerms",
    "Merchant",
    "MerchantId",
    "Metric",
    "MetricRule",
    "MissingExtraError",
    "Money",
    "Not",
    "Op",
    "Order",
    "OrderEvent",
    "OrderEventKind",
    "OrderSplit",
    "OrderStatus",
    "OrderTerms",
    "Party",
    "Period",
    "PerkCatalog",
    "PerkEntry",
    "PlanDecision",
    "PlanKind",
    "PlatformProfile",
    "PluginError",
    "PolicyError",
    "PoolFilter",
    "Rate",
    "RateChange",
    "Rounding",
    "RuleError",
    "ScoreCard",
    "Scorecard",
    "ScorecardScorer",
    "Scorecards",
    "ScorerRegistry",
    "ScoringContext",
    "SecondLevelTerms",
    "SelectionPool",
    "ServiceLevel",
    "SettlementDays",
    "SettlementLine",
    "ShopKind",
    "Sku",
    "SkuId",
    "SkuSnapshot",
    "Stability",
    "Standing",
    "StatusChange",
    "StepMode",
    "Subsidy",
    "SubsidyBudget",
    "SubsidyRequest",
    "TeamLeader",
    "TeamLeaderActivity",
    "TeamLeaderId",
    "Tier",
    "TierDecision",
    "TierHistory",
    "TierPolicy",
    "TierRule",
    "TrafficBoost",
    "TransitionError",
    "ValidationError",
    "__version__",
    "allocate_subsidies",
    "build_context",
    "clawbacks",
    "default_admission_policy",
    "default_perk_catalog",
    "default_registry",
    "default_scorecards",
    "default_scorer",
    "default_tier_policy",
    "get_metric",
    "grade_catalog",
    "register_metric",
    "register_perk_kind",
    "resolve_perks",
    "round_points",
    "select_plan",
    "settled_split",
    "split",
]
