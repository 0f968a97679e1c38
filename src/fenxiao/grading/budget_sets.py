"""Subsidy budgets as a rule file: :class:`SubsidyBudgets`, its lint, and the shipped default.

A budgets file names the budgets that subsidy perks draw from, each with its total, its window and its caps (a
:class:`~fenxiao.grading.subsidies.SubsidyBudget` each), so that a budget set can be written, reviewed and
linted on its own and handed to a period run (``python -m fenxiao period --budgets FILE``)::

    name = "double-11"
    version = "2026.11"

    [[budgets]]
    name = "official-subsidy"
    total = "150000.00"
    per_merchant = "5000.00"
    per_day = "30000.00"
    valid_from = 2026-11-01T00:00:00+08:00
    valid_until = 2026-11-12T00:00:00+08:00

Loading checks what no budget set may hold: two budgets of one name, a negative amount, a cap in another
currency than its total (each budget checks the last two). :func:`lint_budgets` finds what loads but cannot be
meant, and :func:`lint_budget_use` what does not fit the perk catalog that draws on the budgets.

>>> from fenxiao.money import Money
>>> budgets = SubsidyBudgets((SubsidyBudget("launch", Money.of("100.00"), per_merchant=Money.of("150.00")),))
>>> [str(f) for f in lint_budgets(budgets)]
["budgets[0].per_merchant: warning [cap-never-binds] budget 'launch': the per-merchant cap ¥150.00 is not below \
the total ¥100.00, which runs out first"]
>>> default_budgets().budgets
()

.. versionadded:: 0.2
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.defaults import read_default
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError
from fenxiao.grading.perks import PerkCatalog, Subsidy
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.money import Money
from fenxiao.rules.table import Finding, Severity, sorted_findings

__all__ = ["DEFAULTS_FILE", "MAX_BUDGETS", "SubsidyBudgets", "default_budgets", "lint_budget_use", "lint_budgets"]

#: The most budgets one set may hold.
MAX_BUDGETS: Final = 1_000
_MAX_LABEL: Final = 1_000
#: The caps of a budget, in the order a grant's reason names them, with how a message says each.
_CAPS: Final = (
    ("per_period", "per-period"),
    ("per_merchant", "per-merchant"),
    ("per_sku", "per-SKU"),
    ("per_day", "per-day"),
)


def _check_budgets(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple) or len(value) > MAX_BUDGETS:
        raise InvalidValueError(path, value, f"must be a list of at most {MAX_BUDGETS} SubsidyBudget")
    names: dict[str, int] = {}
    for i, budget in enumerate(value):
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError(f"{path}[{i}]", budget, "must be a SubsidyBudget")
        if budget.name in names:
            problem = f"is a duplicate budget name (budgets[{names[budget.name]}] has it)"
            raise InvalidValueError(f"{path}[{i}].name", budget.name, problem)
        names[budget.name] = i


def _label(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or len(value) > _MAX_LABEL:
        problem = f"must be text (at most {_MAX_LABEL} characters)"
        raise InvalidValueError(v.path_of(instance, attribute), value, problem)


@attrs.frozen
class SubsidyBudgets:
    """A named set of subsidy budgets: what a budgets file holds.

    Args:
        budgets: The budgets, each name once (an empty set grants no subsidy).
        name: The set's name, for people and reports.
        version: A free-form version string.

    Raises:
        InvalidValueError: Not a list of budgets, more than :data:`MAX_BUDGETS`, or two of one name (naming the
            second, e.g. ``SubsidyBudgets.budgets[2].name``).

    >>> SubsidyBudgets((SubsidyBudget("a", Money.of("1.00")), SubsidyBudget("a", Money.of("2.00"))))
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: SubsidyBudgets.budgets[1].name: is a duplicate budget name (budgets[0] has \
it), got 'a'

    .. versionadded:: 0.2
    """

    budgets: tuple[SubsidyBudget, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_check_budgets)
    name: str = attrs.field(default="custom", validator=_label)
    version: str = attrs.field(default="1", validator=_label)

    def budget(self, name: str) -> SubsidyBudget:
        """The budget called *name*.

        Raises:
            InvalidValueError: The set has no budget of that name.
        """
        for budget in self.budgets:
            if budget.name == name:
                return budget
        raise InvalidValueError("SubsidyBudgets.budget", name, "is not a budget of this set")


#: The file of the default budgets, in ``fenxiao/data/defaults/``.
DEFAULTS_FILE: Final = "budgets.toml"


@functools.cache
def default_budgets() -> SubsidyBudgets:
    """The default budget set: none (the library's periods grant no subsidy unless given budgets).

    Read once from ``fenxiao/data/defaults/budgets.toml``, whose comments show how a budget is written: copy it
    to start your own.

    .. versionadded:: 0.2
    """
    return read_default(DEFAULTS_FILE, SubsidyBudgets)


def _listed(budgets: SubsidyBudgets | Iterable[SubsidyBudget]) -> tuple[SubsidyBudget, ...]:
    listed = budgets.budgets if isinstance(budgets, SubsidyBudgets) else tuple(budgets)
    for i, budget in enumerate(listed):
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError(f"budgets[{i}]", budget, "must be a SubsidyBudget")
    return listed


@checks_arguments
def lint_budgets(budgets: SubsidyBudgets | Iterable[SubsidyBudget]) -> tuple[Finding, ...]:
    """Static checks of a budget set (a :class:`SubsidyBudgets` or a list of budgets), errors first.

    Each finding's path is the budget's place in the file (``budgets[2].per_day``):

    - ``never-open`` (error): a window whose ``valid_until`` is not after its ``valid_from``: the budget never
      grants;
    - ``grants-nothing`` (warning): a total of zero, or a cap of zero: every request gets nothing;
    - ``cap-never-binds`` (warning): a cap at or above the total (the total runs out first): the cap changes
      nothing;
    - ``sku-cap-above-merchant-cap`` (warning): a per-SKU cap at or above the per-merchant cap: for requests that
      name their merchant and SKU (as requests from orders do) it changes nothing, since a SKU is one merchant's;
      it binds only on requests without an SKU id, which share one per-SKU group across merchants;
    - ``mixed-currency`` (warning): budgets in more than one currency (each budget's caps are in its total's,
      which loading checks).

    Raises:
        InvalidValueError: *budgets* holds something other than budgets.
    """
    listed = _listed(budgets)
    findings: list[Finding] = []
    for i, budget in enumerate(listed):
        findings.extend(_budget_findings(f"budgets[{i}]", budget))
    currencies = sorted({b.total.currency for b in listed})
    if len(currencies) > 1:
        first = {c: next(i for i, b in enumerate(listed) if b.total.currency == c) for c in currencies}
        common = max(currencies, key=lambda c: (sum(b.total.currency == c for b in listed), -first[c]))
        for i, budget in enumerate(listed):
            if budget.total.currency != common:
                message = (
                    f"budget {budget.name!r} is in {budget.total.currency}, the other budgets in "
                    f"{'/'.join(c for c in currencies if c != budget.total.currency)}"
                )
                findings.append(Finding(f"budgets[{i}].total", Severity.WARNING, "mixed-currency", message))
    return sorted_findings(findings)


def _budget_findings(path: str, budget: SubsidyBudget) -> list[Finding]:
    findings: list[Finding] = []
    named = f"budget {budget.name!r}"
    opens, closes = budget.valid_from, budget.valid_until
    if opens is not None and closes is not None and closes <= opens:
        message = (
            f"{named} closes ({closes.isoformat()}) before it opens ({opens.isoformat()}): it never grants"
            if closes < opens
            else f"{named} opens and closes at {opens.isoformat()}: it never grants"
        )
        findings.append(Finding(f"{path}.valid_until", Severity.ERROR, "never-open", message))
    if budget.total.fen == 0:
        message = f"{named} has a total of {budget.total}: every request gets nothing"
        findings.append(Finding(f"{path}.total", Severity.WARNING, "grants-nothing", message))
    for field, said in _CAPS:
        cap: Money | None = getattr(budget, field)
        if cap is None:
            continue
        if cap.fen == 0 and budget.total.fen > 0:
            message = f"{named}: the {said} cap is {cap}, so every request gets nothing"
            findings.append(Finding(f"{path}.{field}", Severity.WARNING, "grants-nothing", message))
        elif cap >= budget.total and budget.total.fen > 0:
            message = f"{named}: the {said} cap {cap} is not below the total {budget.total}, which runs out first"
            findings.append(Finding(f"{path}.{field}", Severity.WARNING, "cap-never-binds", message))
    merchant, sku = budget.per_merchant, budget.per_sku
    if merchant is not None and sku is not None and 0 < merchant.fen <= sku.fen and sku < budget.total:
        message = (
            f"{named}: the per-SKU cap {sku} is not below the per-merchant cap {merchant}, and a SKU is one "
            "merchant's: on requests that name their merchant and SKU the per-merchant cap binds first (the "
            "per-SKU cap binds only on requests without an SKU id, which share one group)"
        )
        findings.append(Finding(f"{path}.per_sku", Severity.WARNING, "sku-cap-above-merchant-cap", message))
    return findings


@checks_arguments
def lint_budget_use(perks: PerkCatalog, budgets: SubsidyBudgets | Iterable[SubsidyBudget]) -> tuple[Finding, ...]:
    """Checks of a perk catalog's subsidies against the budgets they draw from, errors first.

    Paths are those of a models file, which holds both (``perks.entries[3].perk.budget``, ``budgets[0]``):

    - ``unknown-budget`` (warning): a subsidy entry naming a budget the set does not hold: its requests are never
      granted (when the set is empty, one ``no-budgets`` finding, information, says so for every subsidy);
    - ``currency-mismatch`` (error): a subsidy whose fixed amount or cap is in another currency than its budget;
    - ``unused-budget`` (info): a budget no subsidy entry draws from.

    Raises:
        InvalidValueError: *perks* is not a perk catalog, or *budgets* holds something other than budgets.
    """
    if not isinstance(perks, PerkCatalog):
        raise InvalidValueError("lint_budget_use.perks", perks, "must be a PerkCatalog")
    listed = _listed(budgets)
    by_name = {b.name: (i, b) for i, b in enumerate(listed)}
    subsidies = [(k, e.name, e.perk) for k, e in enumerate(perks.entries) if isinstance(e.perk, Subsidy)]
    findings: list[Finding] = []
    if subsidies and not listed:
        names = ", ".join(sorted({repr(s.budget) for _, _, s in subsidies}))
        message = f"no budgets: the subsidies of the perk catalog (from {names}) are never paid"
        findings.append(Finding("budgets", Severity.INFO, "no-budgets", message))
        return sorted_findings(findings)
    for k, entry, subsidy in subsidies:
        path = f"perks.entries[{k}].perk"
        found = by_name.get(subsidy.budget)
        if found is None:
            message = f"entry {entry!r} draws from budget {subsidy.budget!r}, which is not listed: it is never paid"
            findings.append(Finding(f"{path}.budget", Severity.WARNING, "unknown-budget", message))
            continue
        currency = found[1].total.currency
        for field in ("fixed", "cap"):
            amount: Money | None = getattr(subsidy, field)
            if amount is not None and (field == "cap" or amount.fen > 0) and amount.currency != currency:
                message = f"entry {entry!r}: {field} {amount} is not in {currency}, the currency of {subsidy.budget!r}"
                findings.append(Finding(f"{path}.{field}", Severity.ERROR, "currency-mismatch", message))
    used = {s.budget for _, _, s in subsidies}
    for name, (i, _) in by_name.items():
        if name not in used:
            message = f"no subsidy of the perk catalog draws from budget {name!r}"
            findings.append(Finding(f"budgets[{i}]", Severity.INFO, "unused-budget", message))
    return sorted_findings(findings)
