"""The money path: commission plans, platform profiles, orders, the split, the ledger and scenarios.

The modules, from the ground up (each imports only those above it in this list):

========================  ====================================================================================
``arithmetic``            the integer core of the split, shared with :mod:`fenxiao.columnar`
``kinds``                 :class:`PlanKind` and the default precedence
``steps``                 tiered commission: :class:`CommissionStep`, :class:`StepMode`, :func:`commission_on`
``profiles``              :class:`PlatformProfile` and its parts; the presets shipped as TOML
``lint``                  :func:`lint_profile`: what a profile file can get wrong and still load
``activities``            :class:`TeamLeaderActivity` (招商活动)
``enrollment``            :class:`Enrollment` of goods in an activity (招商报名): apply, audit, approve or reject
``plans``                 :class:`CommissionPlan`, its rate history, :func:`select_plan`
``orders``                :class:`Order`, :class:`OrderTerms`, :class:`OrderEvent`, the lifecycle
``splits``                :func:`split` into :class:`SettlementLine` values per :class:`Party`, clawbacks
``ledger``                the append-only :class:`Ledger`
``scenarios``             notebook what-ifs: :func:`model`, :func:`sweep`, :func:`break_even_commission`
``frames``                splits as rows and frames: :func:`split_rows`, :func:`splits_frame`
========================  ====================================================================================

Modules inside the package import each other, never this face.
"""

from fenxiao.settlement.activities import ActivityKind, CategoryMinimum, SecondLevelTerms, TeamLeaderActivity
from fenxiao.settlement.enrollment import (
    ENROLLMENT_TRANSITIONS,
    MIN_PROMOTION_DAYS,
    Enrollment,
    EnrollmentChange,
    EnrollmentStatus,
    EnrollmentTerms,
    check_enrollment,
)
from fenxiao.settlement.frames import SPLIT_COLUMNS, split_rows, splits_frame
from fenxiao.settlement.kinds import DEFAULT_PRECEDENCE, PlanKind
from fenxiao.settlement.ledger import (
    EntryKey,
    EntryKind,
    EntryRow,
    EntryValues,
    Ledger,
    LedgerEntry,
    MomentBinder,
    OrderEntries,
    Period,
    entries_for,
    entry_rows,
    entry_values,
)
from fenxiao.settlement.lint import lint_profile
from fenxiao.settlement.orders import (
    ORDER_TRANSITIONS,
    PAID_EVENT_ID,
    Order,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    OrderTerms,
)
from fenxiao.settlement.plans import (
    CommissionPlan,
    PlanCandidate,
    PlanDecision,
    RateChange,
    check_exclusive_chain,
    next_natural_day,
    select_plan,
)
from fenxiao.settlement.profiles import (
    DEFAULT_CATEGORY_RULES,
    DEFAULT_PRESET,
    PRESETS,
    CategoryFloors,
    CategoryRule,
    KindBounds,
    PlatformProfile,
    ServiceLevel,
    SettlementDays,
    default_category_floors,
)
from fenxiao.settlement.scenarios import (
    Scenario,
    ScenarioResult,
    break_even_commission,
    model,
    record,
    sweep,
    to_pandas,
)
from fenxiao.settlement.splits import (
    Clawback,
    OrderSplit,
    Party,
    SettlementLine,
    clawbacks,
    difference,
    history,
    settled_split,
    split,
)
from fenxiao.settlement.steps import CommissionStep, StepMode, commission_on

__all__ = [
    "DEFAULT_CATEGORY_RULES",
    "DEFAULT_PRECEDENCE",
    "DEFAULT_PRESET",
    "ENROLLMENT_TRANSITIONS",
    "MIN_PROMOTION_DAYS",
    "ORDER_TRANSITIONS",
    "PAID_EVENT_ID",
    "PRESETS",
    "SPLIT_COLUMNS",
    "ActivityKind",
    "CategoryFloors",
    "CategoryMinimum",
    "CategoryRule",
    "Clawback",
    "CommissionPlan",
    "CommissionStep",
    "Enrollment",
    "EnrollmentChange",
    "EnrollmentStatus",
    "EnrollmentTerms",
    "EntryKey",
    "EntryKind",
    "EntryRow",
    "EntryValues",
    "KindBounds",
    "Ledger",
    "LedgerEntry",
    "MomentBinder",
    "Order",
    "OrderEntries",
    "OrderEvent",
    "OrderEventKind",
    "OrderSplit",
    "OrderStatus",
    "OrderTerms",
    "Party",
    "Period",
    "PlanCandidate",
    "PlanDecision",
    "PlanKind",
    "PlatformProfile",
    "RateChange",
    "Scenario",
    "ScenarioResult",
    "SecondLevelTerms",
    "ServiceLevel",
    "SettlementDays",
    "SettlementLine",
    "StepMode",
    "TeamLeaderActivity",
    "break_even_commission",
    "check_enrollment",
    "check_exclusive_chain",
    "clawbacks",
    "commission_on",
    "default_category_floors",
    "difference",
    "entries_for",
    "entry_rows",
    "entry_values",
    "history",
    "lint_profile",
    "model",
    "next_natural_day",
    "record",
    "select_plan",
    "settled_split",
    "split",
    "split_rows",
    "splits_frame",
    "sweep",
    "to_pandas",
]
