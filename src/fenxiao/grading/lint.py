"""Static checks of rule tables: tier policies (shadowed and never-deciding rules, overlaps, gaps, unreachable
tiers, non-monotone thresholds) and perk catalogs (entries never granted).

:meth:`fenxiao.grading.tiers.TierPolicy.lint` calls :func:`lint_policy`, which reads the policy it is given (this
module imports nothing of :mod:`fenxiao.grading.tiers` at run time). Findings are
:class:`fenxiao.rules.table.Finding` values, as for every rule table.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import PolicyError
from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PERK_INPUTS, PerkCatalog, PerkEntry, Stacking, stacking_precedence
from fenxiao.rules.language import All, AnyOf, Condition, Not
from fenxiao.rules.moves import bound
from fenxiao.rules.table import Finding, HitPolicy, Severity, conjuncts, sorted_findings
from fenxiao.rules.witness import LINT_BUDGET, SearchBudget, find_witness

if TYPE_CHECKING:
    from fenxiao.grading.tiers import TierPolicy, TierRule

__all__ = ["lint_perk_catalog", "lint_policy"]


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


@checks_arguments
def lint_policy(policy: TierPolicy, *, budget: int = LINT_BUDGET) -> tuple[Finding, ...]:
    """Static checks of a tier policy, each finding with its place and severity (errors first).

    *budget* bounds the search steps for the whole policy: lint time is bounded.

    - ``shadowed`` (warning): a rule that can never fire: its condition can never hold, or (under the ``first``
      hit policy) earlier rules catch every input it matches.
    - ``never-decides`` (warning): under ``highest`` (DMN's PRIORITY), a rule whose condition holds somewhere
      but only where a rule of a higher tier holds too, so it never decides; under ``unique``, a rule that only
      holds where another rule holds too (every input it matches is an error).
    - ``overlap`` (error, under ``unique``): two rules that both match some input; the finding shows that input
      (the *witness*) in its message and its ``example``.
    - ``gap`` (error): inputs, within every input's declared range, that no rule matches, when there is no
      fallback; the finding shows an example.
    - ``unreachable-tier`` (warning): a tier some rule names that no rule can actually give (under ``highest``:
      every rule naming it never decides); ``missing-tier`` (info): a tier no rule names at all.
    - ``non-monotone`` (warning): a higher tier with a weaker threshold than a lower tier on the same
      input (easier to reach), judged on each rule's top-level ``all`` of comparisons.
    - ``too-complex`` (warning): a check that would exceed the search budget was skipped.

    Unknown inputs and mistyped thresholds never get this far: loading the policy refuses them.
    """
    rules, fallback, hit = policy.rules, policy.fallback, policy.hit
    findings: list[Finding] = []
    fires: list[bool] = []
    meter = SearchBudget(budget)  # one budget for the whole policy: lint time is bounded
    exhausted = False
    for i, _rule in enumerate(rules):
        if exhausted:
            fires.append(True)  # unchecked: assume it can fire
            continue
        try:
            finding = _decides(policy, i, meter)
        except PolicyError:
            message = f"the search budget ({budget} steps) ran out: rules[{i}] and later were not checked"
            findings.append(Finding(f"rules[{i}]", Severity.WARNING, "too-complex", message))
            fires.append(True)
            exhausted = True
            continue
        fires.append(finding is None)
        if finding is not None:
            findings.append(finding)
    if hit is HitPolicy.UNIQUE and not exhausted:
        try:
            findings.extend(_overlaps(rules, meter))
        except PolicyError:
            findings.append(Finding("rules", Severity.WARNING, "too-complex", "could not check for overlaps"))
            exhausted = True
    if fallback is None:
        findings.extend(_gap(rules, meter, exhausted))
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


def _gap(rules: Sequence[TierRule], meter: SearchBudget, exhausted: bool) -> list[Finding]:
    """The ``gap`` error of a policy without a fallback, with an input no rule matches (or ``too-complex``)."""
    if exhausted:
        return [Finding("rules", Severity.WARNING, "too-complex", "could not check for gaps")]
    uncovered = AnyOf(()) if not rules else All(tuple(Not(r.when) for r in rules))
    try:
        gap = find_witness(uncovered, TIER_INPUTS, budget=meter)
    except PolicyError:
        return [Finding("rules", Severity.WARNING, "too-complex", "could not check for gaps")]
    if gap is None:
        return []
    message = f"no rule matches some inputs, e.g. {_show_witness(gap)}"
    return [Finding("rules", Severity.ERROR, "gap", message, tuple(sorted(gap.items())))]


def _decides(policy: TierPolicy, i: int, meter: SearchBudget) -> Finding | None:
    """``None`` when rules[i] decides some input under the policy's hit policy, else the finding saying why not."""
    rules, hit = policy.rules, policy.hit
    rule = rules[i]
    if hit is HitPolicy.FIRST:
        others = list(rules[:i])
    elif hit is HitPolicy.UNIQUE:
        others = [r for j, r in enumerate(rules) if j != i]
    else:  # highest: only a rule of a higher tier takes an input from it
        others = [r for r in rules if r.tier > rule.tier]
    if find_witness(All((rule.when, *(Not(r.when) for r in others))), TIER_INPUTS, budget=meter) is not None:
        return None
    where = f"rules[{i}]"
    if hit is HitPolicy.FIRST:
        what = "earlier rules match every input it matches" if i else "its condition can never hold"
        return Finding(where, Severity.WARNING, "shadowed", f"rule {rule.name!r} can never fire: {what}")
    witness = find_witness(rule.when, TIER_INPUTS, budget=meter)
    if witness is None:
        return Finding(
            where, Severity.WARNING, "shadowed", f"rule {rule.name!r} can never fire: its condition can never hold"
        )
    covering = [r.name for r in others if find_witness(All((rule.when, r.when)), TIER_INPUTS, budget=meter) is not None]
    names = ", ".join(repr(n) for n in covering)
    if hit is HitPolicy.UNIQUE:
        message = f"rule {rule.name!r} only matches inputs another rule matches too ({names}): each is an error"
    else:
        message = (
            f"rule {rule.name!r} never decides: every input it matches is matched by a higher tier's rule ({names}), "
            f"e.g. {_show_witness(witness)}"
        )
    return Finding(where, Severity.WARNING, "never-decides", message, tuple(sorted(witness.items())))


def _overlaps(rules: Sequence[TierRule], meter: SearchBudget) -> list[Finding]:
    """One ``overlap`` error per pair of rules that both match some input, with that input."""
    found = []
    for j, later in enumerate(rules):
        for i in range(j):
            witness = find_witness(All((rules[i].when, later.when)), TIER_INPUTS, budget=meter)
            if witness is None:
                continue
            message = (
                f"rules {rules[i].name!r} (rules[{i}], {rules[i].tier.value}) and {later.name!r} "
                f"({later.tier.value}) both match e.g. {_show_witness(witness)}, which hit policy 'unique' refuses"
            )
            found.append(Finding(f"rules[{j}]", Severity.ERROR, "overlap", message, tuple(sorted(witness.items()))))
    return found


def _monotonicity(rules: Sequence[TierRule]) -> list[Finding]:
    """One ``non-monotone`` finding per (higher rule, input): its weakest threshold against the strictest lower one.

    Linear in the rules: for each input, the strictest bound of each tier (and the first rule holding it) is found
    once, then the strictest below each tier, instead of comparing every pair of rules.
    """
    found: dict[tuple[int, str], tuple[int, str]] = {}
    for lower, better, verb in ((True, "higher", ">="), (False, "lower", "<=")):
        bounds = [_bounds(r.when, lower=lower) for r in rules]
        # strictest[name][rank]: (bound, index) of the strictest bound among rules of that tier, first one on ties
        strictest: dict[str, dict[int, tuple[Decimal, int]]] = {}
        for j, (rule, own) in enumerate(zip(rules, bounds, strict=True)):
            for name, value in own.items():
                if TIER_INPUTS[name].better != better:
                    continue
                held = strictest.setdefault(name, {}).get(rule.tier.rank)
                if held is None or (value > held[0] if lower else value < held[0]):
                    strictest[name][rule.tier.rank] = (value, j)
        for name, by_rank in strictest.items():
            below: dict[int, tuple[Decimal, int]] = {}  # the strictest bound among all tiers below a rank
            best: tuple[Decimal, int] | None = None
            for rank in sorted({r.tier.rank for r in rules} | set(by_rank)):
                if best is not None:
                    below[rank] = best
                here = by_rank.get(rank)
                if here is not None and (
                    best is None
                    or (here[0] > best[0] if lower else here[0] < best[0])
                    or (here[0] == best[0] and here[1] < best[1])
                ):
                    best = here
            for i, (rule, own) in enumerate(zip(rules, bounds, strict=True)):
                mine, other = own.get(name), below.get(rule.tier.rank)
                if mine is None or other is None or not (mine < other[0] if lower else mine > other[0]):
                    continue
                j = other[1]
                found[i, name] = (
                    j,
                    f"{'needs' if lower else 'allows'} {name} {verb} {mine} but the lower {rules[j].tier.value} rule "
                    f"{rules[j].name!r} (rules[{j}]) needs {name} {verb} {other[0]}",
                )
    return [
        Finding(
            f"rules[{i}].when", Severity.WARNING, "non-monotone", f"{rules[i].tier.value} rule {rules[i].name!r} {text}"
        )
        for (i, _), (_, text) in sorted(found.items())
    ]


# -- perk catalogs ---------------------------------------------------------------------------------------------


def lint_perk_catalog(catalog: PerkCatalog, *, budget: int = LINT_BUDGET) -> tuple[Finding, ...]:
    """Static checks of a perk catalog (hit policy COLLECT: every eligible entry applies, combined per slot).

    - ``never-matches`` (warning): an entry whose condition can never hold within the inputs' ranges;
    - ``never-granted`` (warning): an entry that, wherever it applies, loses its slot to another entry that
      applies there too (a ``strongest`` slot to a stronger entry of its tier or below, an ``override`` slot to a
      later entry of the same tier), so no SKU is ever granted it;
    - ``too-complex`` (warning): a check that would exceed the search budget was skipped.

    Entries of a ``sum`` slot always add up, so they are never outstacked.
    """
    findings: list[Finding] = []
    meter = SearchBudget(budget)
    entries = catalog.entries
    try:
        for i, entry in enumerate(entries):
            if entry.when is not None and find_witness(entry.when, PERK_INPUTS, budget=meter) is None:
                message = f"entry {entry.name!r} is never granted: its condition can never hold"
                findings.append(Finding(f"entries[{i}].when", Severity.WARNING, "never-matches", message))
                continue
            winner = _outstacked_by(entries, i, meter)
            if winner is not None:
                other = entries[winner]
                message = (
                    f"entry {entry.name!r} is never granted: wherever it applies, {other.name!r} (entries[{winner}]) "
                    f"applies too and wins the {type(entry.perk).kind} slot {entry.perk.key!r}"
                )
                findings.append(Finding(f"entries[{i}]", Severity.WARNING, "never-granted", message))
    except PolicyError:
        findings.append(Finding("entries", Severity.WARNING, "too-complex", "the search budget ran out"))
    return sorted_findings(findings)


def _outstacked_by(entries: Sequence[PerkEntry], i: int, meter: SearchBudget) -> int | None:
    """The index of an entry that wins entries[i]'s slot wherever entries[i] applies, or ``None``."""
    entry = entries[i]
    kind = type(entry.perk)
    stacking = kind.stacking
    if stacking is Stacking.SUM:
        return None
    mine = stacking_precedence(stacking, entry, i)
    for j, other in enumerate(entries):
        if j == i or type(other.perk) is not kind or other.perk.key != entry.perk.key:
            continue
        if stacking_precedence(stacking, other, j) <= mine:
            continue
        # It must apply at every tier entry applies at, in every moment, for every input entry is eligible for.
        if other.tier > entry.tier or (not other.inherit and (entry.inherit or other.tier != entry.tier)):
            continue
        if not _window_covers(other, entry):
            continue
        if other.when is not None:
            escape = All((entry.when, Not(other.when))) if entry.when is not None else Not(other.when)
            if find_witness(escape, PERK_INPUTS, budget=meter) is not None:
                continue
        return j
    return None


def _window_covers(wide: PerkEntry, narrow: PerkEntry) -> bool:
    """Whether *wide*'s campaign window holds every moment *narrow*'s does."""
    if wide.valid_from is not None and (narrow.valid_from is None or narrow.valid_from < wide.valid_from):
        return False
    return wide.valid_until is None or (narrow.valid_until is not None and narrow.valid_until <= wide.valid_until)
