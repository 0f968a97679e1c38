"""The kinds of rule file, in one table: :data:`KINDS`. Adding a kind is one entry.

Each :class:`RuleFileKind` names the class that reads the file, its shipped default (if any), the lint that
checks it, and the rows it holds (for reporting every broken row at once). :func:`detect_kind` tells a document's
kind from its content: a ``$schema`` naming a kind, else the keys it uses.

>>> [kind.name for kind in KINDS][:5]
['tier-policy', 'scorecards', 'perk-catalog', 'admission-policy', 'platform-profile']
>>> [kind.name for kind in KINDS][5:]
['budgets', 'models', 'schedule', 'rule-cases']
>>> detect_kind({"rules": [{"name": "a", "tier": "L1", "when": {}}]}).name
'tier-policy'
>>> detect_kind({"entries": []}).name
'perk-catalog'
>>> detect_kind({"name": "double-11", "budgets": []}).name, detect_kind({"policy": {}, "budgets": []}).name
('budgets', 'models')

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from fenxiao.authoring.cases import RuleCase, RuleCases, lint_cases
from fenxiao.errors import InvalidValueError
from fenxiao.grading.budget_sets import SubsidyBudgets, lint_budget_use, lint_budgets
from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.lint import lint_perk_catalog
from fenxiao.grading.perks import PERK_INPUTS, PerkCatalog, PerkEntry
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.grading.tiers import TierPolicy, TierRule
from fenxiao.market.admission import ADMISSION_INPUTS, AdmissionPolicy, AdmissionRule
from fenxiao.periods.models import Models
from fenxiao.periods.schedule import (
    Schedule,
    lint_schedule,
)
from fenxiao.rules.language import Schema
from fenxiao.rules.table import Finding, sorted_findings
from fenxiao.scoring.lint import lint_scorecards
from fenxiao.scoring.scorecards import Scorecards
from fenxiao.settlement.lint import lint_profile
from fenxiao.settlement.profiles import PlatformProfile

__all__ = ["KINDS", "Rows", "RuleFileKind", "detect_kind", "kind_named"]


@attrs.frozen
class Rows:
    """A list of rows in a rule file: its key, the row class, the inputs a row's ``when`` may name."""

    key: str
    row: type[Any]
    inputs: Schema | None = None


def _no_lint(value: Any) -> tuple[Finding, ...]:
    return ()


def _under(prefix: str, findings: tuple[Finding, ...]) -> list[Finding]:
    """*findings* of a part of a file, their paths placed under the part's *prefix* (``policy.``)."""
    return [attrs.evolve(f, path=f"{prefix}{f.path}") for f in findings]


def _lint_models(models: Models) -> tuple[Finding, ...]:
    """Each part's own lint under its key, and the subsidies of the perk catalog against the budgets."""
    found = _under("scorecards.", lint_scorecards(models.scorecards))
    found += _under("policy.", models.policy.lint())
    found += _under("perks.", lint_perk_catalog(models.perks))
    found += lint_budgets(models.budgets)  # a models file lists its budgets under "budgets", as a budgets file
    found += lint_budget_use(models.perks, models.budgets)
    return sorted_findings(found)


def _lint_schedule(schedule: Schedule) -> tuple[Finding, ...]:
    """:func:`~fenxiao.periods.schedule.lint_schedule` (coverage, and each tier policy's lint), and the lint of
    every other dated model: scorecards, perk catalogs and budget sets, each under its entry."""
    found = list(lint_schedule(schedule))
    for i, entry in enumerate(schedule.scorecards):
        found += _under(f"scorecards[{i}].scorecards.", lint_scorecards(entry.scorecards))
    for i, perks in enumerate(schedule.perks):
        found += _under(f"perks[{i}].perks.", lint_perk_catalog(perks.perks))
    for i, budgets in enumerate(schedule.budgets):
        found += _under(f"budgets[{i}].", lint_budgets(budgets.budgets))
    return sorted_findings(found)


@attrs.frozen
class RuleFileKind:
    """One kind of rule file.

    Args:
        name: The kind's name on the command line (``python -m fenxiao schema tier-policy``).
        cls: The class a file of this kind is read into.
        title: What it is, for people (the schema's title).
        lint: The static checks of a value of the kind (``()`` for none beyond loading).
        default: The shipped default file of the kind in ``fenxiao/data/defaults/``, if any.
        rows: The row lists of the file (each row is checked alone too, so every broken row is reported).
        marks: Keys only this kind's files use at the top, or ``(list key, row key)`` pairs: a row of that
            list with that key (``("rules", "tier")``), by which :func:`detect_kind` knows it.
    """

    name: str
    cls: type[Any]
    title: str
    lint: Callable[[Any], tuple[Finding, ...]] = _no_lint
    default: tuple[str, ...] = ()
    rows: tuple[Rows, ...] = ()
    marks: tuple[str | tuple[str, str], ...] = ()


#: Every kind of rule file, in the order ``python -m fenxiao schema --help`` lists them.
KINDS: Final = (
    RuleFileKind(
        "tier-policy",
        TierPolicy,
        "fenxiao tier policy: rules from inputs to tiers L0-L5",
        lambda policy: policy.lint(),
        ("tier_policy.toml",),
        (Rows("rules", TierRule, TIER_INPUTS),),
        (("rules", "tier"), "fallback", "labels", "stability", "hit"),
    ),
    RuleFileKind(
        "scorecards",
        Scorecards,
        "fenxiao scorecards: how each of the five dimensions is scored, and the composite weights",
        lint_scorecards,
        default=("scorecards.toml",),
        marks=("brand", "price", "distribution", "service", "sales", "weights", "scorers"),
    ),
    RuleFileKind(
        "perk-catalog",
        PerkCatalog,
        "fenxiao perk catalog: the perks each tier earns",
        lint_perk_catalog,
        ("perks.toml",),
        (Rows("entries", PerkEntry, PERK_INPUTS),),
        ("entries",),
    ),
    RuleFileKind(
        "admission-policy",
        AdmissionPolicy,
        "fenxiao admission policy: who gets into the selection pool",
        lambda policy: policy.lint(),
        ("admission_policy.toml",),
        (Rows("rules", AdmissionRule, ADMISSION_INPUTS),),
        (("rules", "outcome"), "review_hours", "profile"),
    ),
    RuleFileKind(
        "platform-profile",
        PlatformProfile,
        "fenxiao platform profile: commission bounds, fees, settlement days and rounding of one platform",
        lint_profile,
        default=("platform-default.toml", "platform-kuaishou.toml", "platform-douyin.toml", "platform-taobao.toml"),
        marks=tuple(f.name for f in attrs.fields(PlatformProfile) if f.name != "name"),
    ),
    RuleFileKind(
        "budgets",
        SubsidyBudgets,
        "fenxiao budgets: the subsidy budgets that subsidy perks draw from, with their windows and caps",
        lint_budgets,
        ("budgets.toml",),
        (Rows("budgets", SubsidyBudget),),
        ("budgets", ("budgets", "total")),
    ),
    RuleFileKind(
        "models",
        Models,
        "fenxiao models: the scorecards, tier policy, perk catalog and subsidy budgets a period grades with",
        _lint_models,
        rows=(Rows("budgets", SubsidyBudget),),
        marks=("scorecards", "policy", "perks", "budgets"),
    ),
    RuleFileKind(
        "schedule",
        Schedule,
        "fenxiao schedule: dated versions of the scorecards, tier policy, perks and budgets",
        _lint_schedule,
        marks=("policies", *((part, "effective_from") for part in ("scorecards", "perks", "budgets"))),
    ),
    RuleFileKind(
        "rule-cases",
        RuleCases,
        "fenxiao rule cases: examples a policy must decide as stated (python -m fenxiao test POLICY CASES)",
        lint_cases,
        rows=(Rows("cases", RuleCase),),
        marks=("cases",),
    ),
)


def kind_named(name: str) -> RuleFileKind:
    """The kind called *name*.

    Raises:
        InvalidValueError: No kind has that name.
    """
    for kind in KINDS:
        if kind.name == name:
            return kind
    names = ", ".join(k.name for k in KINDS)
    raise InvalidValueError("kind", name, f"is not a kind of rule file; the kinds are {names}")


def detect_kind(data: object) -> RuleFileKind | None:
    """The kind of the parsed document *data*: the one its ``$schema`` names, else the one whose marks it bears
    most, among the kinds whose files may hold every key *data* has if there are such (a budgets file's ``name``
    is no key of a models file); ``None`` when it bears no kind's marks, or when most of its keys belong to no
    kind it might be (a file of another sort, such as a simulation file)."""
    if not isinstance(data, Mapping):
        return None
    named = data.get("$schema")
    if isinstance(named, str):
        for kind in sorted(KINDS, key=lambda k: -len(k.name)):
            if kind.name in named:
                return kind
    keys = [key for key in data if key != "$schema"]
    best: tuple[bool, int, RuleFileKind] | None = None
    for kind in KINDS:
        score = sum(_bears(data, mark) for mark in kind.marks)
        fits = all(key in _keys(kind) for key in keys)
        if score and (best is None or (fits, score) > best[:2]):
            best = (fits, score, kind)
    if best is None:
        return None
    fits, _, kind = best
    if not fits and 2 * sum(key in _keys(kind) for key in keys) < len(keys):
        return None  # mostly keys of no kind (a simulation file): better unknown than a list of unknown keys
    return kind


def _keys(kind: RuleFileKind) -> frozenset[str]:
    """The top-level keys a file of *kind* may hold (a scorecards file: the dimensions, weights and scorers)."""
    return frozenset(f.alias or f.name for f in attrs.fields(kind.cls) if f.init)


def _bears(data: Mapping[Any, Any], mark: str | tuple[str, str]) -> int:
    if isinstance(mark, str):
        return int(mark in data)
    rows = data.get(mark[0])
    if isinstance(rows, list) and any(isinstance(row, Mapping) and mark[1] in row for row in rows):
        return 2  # a row of the kind's own shape says more than any one key
    return 0
