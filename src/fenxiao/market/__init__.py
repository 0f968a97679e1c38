"""The market: admission of merchants and goods, the selection pool, program goals.

- :mod:`~fenxiao.market.admission`: who gets into the selection pool (准入), decided by rules as data, and
  reviewed on time;
- :mod:`~fenxiao.market.clearance`: clearance (清退), the admission criteria applied to who is already in;
- :mod:`~fenxiao.market.pool`: the selection pool (选品池) that influencers browse, filtered and ranked;
- :mod:`~fenxiao.market.goals`: the program's goals and progress towards them.

Every public name of those modules is importable from here.

>>> from fenxiao.market import default_admission_policy
>>> default_admission_policy().hit
<HitPolicy.DENY_OVERRIDES: 'deny-overrides'>
"""

from fenxiao.market.admission import (
    ADMISSION_INPUTS,
    AdmissionDecision,
    AdmissionFinding,
    AdmissionPolicy,
    AdmissionProfile,
    AdmissionRule,
    Application,
    Outcome,
    ReviewQueue,
    ShopMetrics,
    default_admission_policy,
    measure_shops,
    merchant_inputs,
    review_listing,
    sku_inputs,
)
from fenxiao.market.clearance import ClearanceAction, ClearanceDecision, apply_clearance, decide_clearance
from fenxiao.market.goals import (
    DEFAULT_GOALS,
    MILLION_SKU_READINGS,
    Goal,
    GoalProgress,
    GoalTracker,
    LeaderReport,
    Measure,
    SaleRecord,
    Subject,
    category_coverage,
    is_brand_merchant,
    leader_reports,
    settled_sales,
)
from fenxiao.market.pool import (
    POOL_FEATURE,
    PoolEntry,
    PoolFilter,
    RankedListing,
    RankedPage,
    RankingWeights,
    SelectionPool,
    is_listed,
)

__all__ = [
    "ADMISSION_INPUTS",
    "DEFAULT_GOALS",
    "MILLION_SKU_READINGS",
    "POOL_FEATURE",
    "AdmissionDecision",
    "AdmissionFinding",
    "AdmissionPolicy",
    "AdmissionProfile",
    "AdmissionRule",
    "Application",
    "ClearanceAction",
    "ClearanceDecision",
    "Goal",
    "GoalProgress",
    "GoalTracker",
    "LeaderReport",
    "Measure",
    "Outcome",
    "PoolEntry",
    "PoolFilter",
    "RankedListing",
    "RankedPage",
    "RankingWeights",
    "ReviewQueue",
    "SaleRecord",
    "SelectionPool",
    "ShopMetrics",
    "Subject",
    "apply_clearance",
    "category_coverage",
    "decide_clearance",
    "default_admission_policy",
    "is_brand_merchant",
    "is_listed",
    "leader_reports",
    "measure_shops",
    "merchant_inputs",
    "review_listing",
    "settled_sales",
    "sku_inputs",
]
