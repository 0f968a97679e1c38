"""The next-tier gap: the cheapest verified way from a SKU's tier up to a higher one.

For each tier above the one decided, the rules giving it are tried, fewest unmet comparisons first; each way is
*verified* by moving the named inputs to the named thresholds and grading again. Under the ``first`` hit policy a
lower-tier rule listed earlier can catch the SKU before the target rule (``low-sales`` before ``qualified``);
escaping it is part of the gap, as the comparison that would have to change (``units_30d 64 < 100 needed (+36)``).

:meth:`fenxiao.grading.tiers.TierPolicy.decide` calls :func:`next_tier_gap`, which reads the policy it is given:
this module imports nothing of :mod:`fenxiao.grading.tiers` at run time.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.levels import Tier
from fenxiao.rules.interpreter import Check, difference, evaluate, explain, make_check
from fenxiao.rules.language import Condition, InputSpec
from fenxiao.rules.moves import escape, meeting_value
from fenxiao.rules.table import conjuncts

if TYPE_CHECKING:
    from fenxiao.grading.tiers import TierPolicy

__all__ = ["NextTierGap", "next_tier_gap"]


@attrs.frozen
class NextTierGap:
    """What it would take to reach a higher tier: the rule that would give it and its unmet comparisons.

    ``reachable`` is true when raising (or lowering) just the named inputs to the named
    thresholds is verified to give at least ``tier``.
    """

    tier: Tier
    rule: str
    unmet: tuple[Check, ...]
    reachable: bool = True
    label: str = ""

    def __str__(self) -> str:
        head = f"{self.tier.value} ({self.label or self.tier.label_zh}) by rule {self.rule!r}: "
        body = "; ".join(str(c) for c in self.unmet) or "already met"
        return head + body + ("" if self.reachable else " (not reachable by these inputs alone)")


def next_tier_gap(
    policy: TierPolicy, inputs: Mapping[str, object], tier: Tier, chosen: int | None
) -> NextTierGap | None:
    """The cheapest verified way up from *tier* under *policy*, or ``None`` when no rule gives a higher tier.

    For each tier above *tier*, the rules giving it are tried, fewest unmet comparisons first. *chosen* is the
    index of the rule that decided (``None``: no rule held): the rules before it do not hold, and it does.
    """
    rules = policy.rules
    lenient = _Lenient(inputs)
    holds: dict[int, bool] = {}
    target = tier.next_up()
    while target is not None:
        candidates = []
        for rule, lower in policy._ladder.get(target, ()):
            unmet = list(explain(rule.when, lenient).unmet())
            for b in lower:
                if b not in holds:
                    if chosen is None or b < chosen:
                        holds[b] = False
                    else:
                        holds[b] = b == chosen or evaluate(rules[b].when, inputs)
                if holds[b]:
                    escape = _escape(rules[b].when, inputs)
                    if escape is not None and all(c.input != escape.input for c in unmet):
                        unmet.append(escape)
            raised = _raise_to(inputs, unmet)
            reached = raised is not None and policy._safe_grade(raised) >= target
            candidates.append((not reached, len(unmet), rule.name, tuple(unmet), reached))
        if candidates:
            candidates.sort(key=lambda c: (c[0], c[1], c[2]))
            _, _, name, unmet_checks, reached = candidates[0]
            return NextTierGap(target, name, unmet_checks, reached, policy.label(target))
        target = target.next_up()
    return None


class _Lenient(Mapping[str, object]):
    """Inputs where an absent name reads as missing (None): a higher rule may name inputs grade() never needed."""

    def __init__(self, inputs: Mapping[str, object]) -> None:
        self._inputs = inputs

    def __getitem__(self, name: str) -> object:
        return self._inputs.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._inputs)

    def __len__(self) -> int:
        return len(self._inputs)


def _escape(condition: Condition, inputs: Mapping[str, object]) -> Check | None:
    """A comparison that, met, makes *condition* (which holds now) fail, moving an input the better way.

    Only top-level comparisons of a plain comparison or an ``all`` are considered; ``==`` on a whole number
    whose better direction is higher escapes upwards (``units_30d == 0`` becomes ``units_30d >= 1``).
    """
    for leaf in conjuncts(condition):
        spec = TIER_INPUTS[leaf.input]
        value = leaf.value
        actual = inputs.get(leaf.input)
        if not isinstance(value, Decimal) or isinstance(actual, bool) or not isinstance(actual, (int, Decimal)):
            continue
        escaping = escape(leaf.op, value, spec.better, _step(spec))
        if escaping is None:
            continue
        op, threshold = escaping
        return make_check(leaf.input, op, threshold, actual, False, False, difference(threshold, Decimal(actual)))
    return None


def _step(spec: InputSpec) -> Decimal:
    return Decimal(1) if spec.integer else Decimal("0.01")


def _raise_to(inputs: Mapping[str, object], unmet: Sequence[Check]) -> dict[str, object] | None:
    """*inputs* with each unmet comparison's input moved just enough to meet it; None if one cannot be."""
    raised = dict(inputs)
    for c in unmet:
        spec = TIER_INPUTS[c.input]
        threshold = c.threshold
        if c.negated:
            return None
        value = meeting_value(c.op, threshold, c.gap, _step(spec))
        if value is None:
            return None
        raised[c.input] = value
    return raised
