"""Grading: tier policies, decisions and their explanations, lint, history, perks and subsidies.

The modules, from the bottom up (none imports one above it):

- :mod:`~fenxiao.grading.levels`: :class:`Tier`, the six grades L0–L5;
- :mod:`~fenxiao.grading.inputs`: :data:`TIER_INPUTS`, the inputs a tier condition may name, and
  :func:`tier_inputs`, which reads them off one SKU;
- :mod:`~fenxiao.grading.history`: :class:`TierHistory` and its :class:`Stability` settings;
- :mod:`~fenxiao.grading.gap`: :class:`NextTierGap`, the cheapest verified way up;
- :mod:`~fenxiao.grading.lint`: the static checks of a tier policy;
- :mod:`~fenxiao.grading.tiers`: :class:`TierRule`, :class:`TierPolicy`, :class:`TierDecision` and
  :func:`default_tier_policy`;
- :mod:`~fenxiao.grading.perks`: perk kinds, catalogs and their resolution;
- :mod:`~fenxiao.grading.subsidies`: subsidy budgets, requests and their allocation;
- :mod:`~fenxiao.grading.budgets`: :class:`BudgetBook`, what each budget has spent and got back, over time;
- :mod:`~fenxiao.grading.budget_sets`: :class:`SubsidyBudgets`, a budgets file, its lint and default;
- :mod:`~fenxiao.grading.pipeline`: the whole job for a catalog, five scores to tier to perks.

Every public name of those modules is importable from here.

>>> from fenxiao.grading import Tier, default_tier_policy, example_inputs
>>> default_tier_policy().grade(example_inputs(composite="65", units_30d=150, **{"score.service": "60"}))
<Tier.L3: 'L3'>
"""

from fenxiao.grading.budget_sets import SubsidyBudgets, default_budgets, lint_budget_use, lint_budgets
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.gap import NextTierGap
from fenxiao.grading.history import Stability, TierChange, TierHistory
from fenxiao.grading.inputs import DIMENSION_INPUTS, TIER_INPUTS, example_inputs, score_inputs, tier_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.lint import lint_policy
from fenxiao.grading.perks import (
    MAX_ENTRIES,
    PERK_INPUTS,
    SEED_PRIVILEGES,
    Access,
    Badge,
    DeniedPerk,
    GrantedPerk,
    InfluencerPreferred,
    Perk,
    PerkCatalog,
    PerkEntry,
    PerkResolution,
    Stacking,
    Subsidy,
    TrafficBoost,
    default_perk_catalog,
    example_perk_inputs,
    outside_window,
    perk_kinds,
    register_perk_kind,
    resolve_perks,
    stacking_precedence,
    unregister_perk_kind,
)
from fenxiao.grading.pipeline import GradedSku, catalog_as_of, grade_catalog, perk_context, perk_inputs
from fenxiao.grading.subsidies import (
    BudgetAllocation,
    SubsidyBudget,
    SubsidyGrant,
    SubsidyRequest,
    allocate_subsidies,
    apply_subsidy,
    subsidy_requests,
)
from fenxiao.grading.tiers import TierDecision, TierPolicy, TierRule, default_tier_policy

__all__ = [
    "DIMENSION_INPUTS",
    "MAX_ENTRIES",
    "PERK_INPUTS",
    "SEED_PRIVILEGES",
    "TIER_INPUTS",
    "Access",
    "Badge",
    "BudgetAllocation",
    "BudgetBook",
    "DeniedPerk",
    "GradedSku",
    "GrantedPerk",
    "InfluencerPreferred",
    "NextTierGap",
    "Perk",
    "PerkCatalog",
    "PerkEntry",
    "PerkResolution",
    "SpendEntry",
    "Stability",
    "Stacking",
    "Subsidy",
    "SubsidyBudget",
    "SubsidyBudgets",
    "SubsidyGrant",
    "SubsidyRequest",
    "Tier",
    "TierChange",
    "TierDecision",
    "TierHistory",
    "TierPolicy",
    "TierRule",
    "TrafficBoost",
    "allocate_subsidies",
    "apply_subsidy",
    "catalog_as_of",
    "default_budgets",
    "default_perk_catalog",
    "default_tier_policy",
    "example_inputs",
    "example_perk_inputs",
    "grade_catalog",
    "lint_budget_use",
    "lint_budgets",
    "lint_policy",
    "outside_window",
    "perk_context",
    "perk_inputs",
    "perk_kinds",
    "register_perk_kind",
    "resolve_perks",
    "score_inputs",
    "stacking_precedence",
    "subsidy_requests",
    "tier_inputs",
    "unregister_perk_kind",
]
