"""The models one period grades with, in one value: :class:`Models` (scorecards, tier policy, perk catalog, budgets).

A period run, a what-if diff and a schedule entry all speak of "the models": this is that value. Every field is
data with a file form, so a set of models is written and read as one TOML or JSON document.

>>> models = Models()
>>> sorted(models.describe())
['budgets', 'perks', 'policy', 'scorecards']

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao.errors import InvalidValueError
from fenxiao.grading.perks import PerkCatalog, default_perk_catalog
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.scorecards import Scorecards, default_scorecards

__all__ = ["Models"]


def _budgets(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("Models.budgets", value, "must be a tuple of SubsidyBudget")
    names: set[str] = set()
    for i, budget in enumerate(value):
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError(f"Models.budgets[{i}]", budget, "must be a SubsidyBudget")
        if budget.name in names:
            raise InvalidValueError(f"Models.budgets[{i}].name", budget.name, "is a duplicate budget name")
        names.add(budget.name)


@functools.lru_cache(maxsize=64)
def _scorer_of(scorecards: Scorecards) -> FiveDimensionScorer:
    return FiveDimensionScorer.from_scorecards(scorecards)


@attrs.frozen
class Models:
    """The scorecards, tier policy, perk catalog and subsidy budgets a grading uses; each the default when left out."""

    scorecards: Scorecards = attrs.field(factory=default_scorecards, validator=v.instance_of(Scorecards))
    policy: TierPolicy = attrs.field(factory=default_tier_policy, validator=v.instance_of(TierPolicy))
    perks: PerkCatalog = attrs.field(factory=default_perk_catalog, validator=v.instance_of(PerkCatalog))
    budgets: tuple[SubsidyBudget, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_budgets)

    @property
    def scorer(self) -> FiveDimensionScorer:
        """The five-dimension scorer of :attr:`scorecards` (built once per distinct set of scorecards)."""
        return _scorer_of(self.scorecards)

    def describe(self) -> dict[str, str]:
        """Each model's name and version, as a report records them: ``{"policy": "default@1", ...}``."""
        return {
            "scorecards": "scorecards",
            "policy": f"{self.policy.name}@{self.policy.version}",
            "perks": f"{self.perks.name}@{self.perks.version}",
            "budgets": ",".join(b.name for b in self.budgets) or "(none)",
        }
