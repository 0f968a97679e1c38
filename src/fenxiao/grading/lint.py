"""Static checks of a tier policy: shadowed rules, gaps, unreachable tiers, non-monotone thresholds.

:meth:`fenxiao.grading.tiers.TierPolicy.lint` calls :func:`lint_policy`, which reads the policy it is given (this
module imports nothing of :mod:`fenxiao.grading.tiers` at run time). Findings are
:class:`fenxiao.rules.table.Finding` values, as for every rule table.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from fenxiao.errors import PolicyError
from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.levels import Tier
from fenxiao.rules.language import All, AnyOf, Condition, Not
from fenxiao.rules.moves import bound
from fenxiao.rules.table import Finding, HitPolicy, Severity, conjuncts, sorted_findings
from fenxiao.rules.witness import SearchBudget, find_witness

if TYPE_CHECKING:
    from fenxiao.grading.tiers import TierPolicy, TierRule

__all__ = ["lint_policy"]


def _bounds(condition: Condition, *, lower: bool) -> dict[str, Decimal]:
    """For each input, the tightest lower (``>=``, ``>``, between) or upper (``<=``, ``<``, between) bound a
    rule's top-level conjunction imposes."""
    tightest = max if lower else min
    bounds: dict[str, Decimal] = {}
    for leaf in conjuncts(condition):
        found = bound(leaf.op, leaf.value, lower=lower)
        if found is not None:
            bounds[leaf.input] = tightest(found, bounds.get(leaf.input, found))
    return bounds


def _lower_bounds(condition: Condition) -> dict[str, Decimal]:
    return _bounds(condition, lower=True)


def _upper_bounds(condition: Condition) -> dict[str, Decimal]:
    return _bounds(condition, lower=False)


def _show_witness(witness: Mapping[str, object]) -> str:
    parts = []
    for name in sorted(witness):
        value = witness[name]
        if value is None:
            parts.append(f"{name} missing")
            continue
        shown = format(value, "f") if isinstance(value, Decimal) else str(value).lower()
        parts.append(f"{name}={shown}")
    return ", ".join(parts) or "any input"


def lint_policy(policy: TierPolicy, *, budget: int = 200_000) -> tuple[Finding, ...]:
    """Static checks of a tier policy, each finding with its place and severity (errors first).

    *budget* bounds the search steps for the whole policy: lint time is bounded.

    - ``shadowed`` (warning): a rule that can never fire because earlier rules catch every input it matches
      (under the ``first`` hit policy).
    - ``gap`` (error): inputs, within every input's declared range, that no rule matches, when there is no
      fallback; the finding shows an example.
    - ``unreachable-tier`` (warning): a tier some rule names that no rule can actually give;
      ``missing-tier`` (info): a tier no rule names at all.
    - ``non-monotone`` (warning): a higher tier with a weaker threshold than a lower tier on the same
      input (easier to reach), judged on each rule's top-level ``all`` of comparisons.
    - ``too-complex`` (warning): a check that would exceed the search budget was skipped.

    Unknown inputs and mistyped thresholds never get this far: loading the policy refuses them.
    """
    rules, fallback = policy.rules, policy.fallback
    findings: list[Finding] = []
    fires: list[bool] = []
    meter = SearchBudget(budget)  # one budget for the whole policy: lint time is bounded
    exhausted = False
    for i, rule in enumerate(rules):
        if exhausted:
            fires.append(True)  # unchecked: assume it can fire
            continue
        earlier = [Not(r.when) for r in rules[:i]] if policy.hit is HitPolicy.FIRST else []
        try:
            witness = find_witness(All((rule.when, *earlier)), TIER_INPUTS, budget=meter)
        except PolicyError:
            message = f"the search budget ({budget} steps) ran out: rules[{i}] and later were not checked"
            findings.append(Finding(f"rules[{i}]", Severity.WARNING, "too-complex", message))
            fires.append(True)
            exhausted = True
            continue
        fires.append(witness is not None)
        if witness is None:
            what = "earlier rules match every input it matches" if i else "its condition can never hold"
            findings.append(
                Finding(f"rules[{i}]", Severity.WARNING, "shadowed", f"rule {rule.name!r} can never fire: {what}")
            )
    if fallback is None and exhausted:
        findings.append(Finding("rules", Severity.WARNING, "too-complex", "could not check for gaps"))
    elif fallback is None:
        try:
            gap = find_witness(
                AnyOf(()) if not rules else All(tuple(Not(r.when) for r in rules)), TIER_INPUTS, budget=meter
            )
        except PolicyError:
            findings.append(Finding("rules", Severity.WARNING, "too-complex", "could not check for gaps"))
        else:
            if gap is not None:
                findings.append(
                    Finding(
                        "rules",
                        Severity.ERROR,
                        "gap",
                        f"no rule matches some inputs, e.g. {_show_witness(gap)}",
                        tuple(sorted(gap.items())),
                    )
                )
    named = {r.tier for r in rules} | ({fallback} if fallback else set())
    reachable = {r.tier for r, ok in zip(rules, fires, strict=True) if ok} | ({fallback} if fallback else set())
    for tier in Tier:
        if tier not in named:
            findings.append(Finding("rules", Severity.INFO, "missing-tier", f"no rule gives {tier.value}"))
        elif tier not in reachable:
            findings.append(
                Finding("rules", Severity.WARNING, "unreachable-tier", f"{tier.value} is named but no rule can give it")
            )
    findings.extend(_monotonicity(rules))
    return sorted_findings(findings)


def _monotonicity(rules: Sequence[TierRule]) -> list[Finding]:
    """One ``non-monotone`` finding per (higher rule, input): its weakest threshold against the strictest lower one."""
    lowers = [_lower_bounds(r.when) for r in rules]
    uppers = [_upper_bounds(r.when) for r in rules]
    worst: dict[tuple[int, str], tuple[Decimal, int, str]] = {}
    for i, hi in enumerate(rules):
        for j, lo in enumerate(rules):
            if hi.tier <= lo.tier:
                continue
            for name, lo_bound in lowers[j].items():
                hi_bound = lowers[i].get(name)
                if TIER_INPUTS[name].better == "higher" and hi_bound is not None and hi_bound < lo_bound:
                    key, excess = (i, name), lo_bound - hi_bound
                    if key not in worst or excess > worst[key][0]:
                        worst[key] = (
                            excess,
                            j,
                            f"needs {name} >= {hi_bound} but the lower {lo.tier.value} rule "
                            f"{lo.name!r} (rules[{j}]) needs {name} >= {lo_bound}",
                        )
            for name, lo_bound in uppers[j].items():
                hi_bound = uppers[i].get(name)
                if TIER_INPUTS[name].better == "lower" and hi_bound is not None and hi_bound > lo_bound:
                    key, excess = (i, name), hi_bound - lo_bound
                    if key not in worst or excess > worst[key][0]:
                        worst[key] = (
                            excess,
                            j,
                            f"allows {name} <= {hi_bound} but the lower {lo.tier.value} rule "
                            f"{lo.name!r} (rules[{j}]) needs {name} <= {lo_bound}",
                        )
    return [
        Finding(
            f"rules[{i}].when",
            Severity.WARNING,
            "non-monotone",
            f"{rules[i].tier.value} rule {rules[i].name!r} {text}",
        )
        for (i, _), (_, _, text) in sorted(worst.items())
    ]
