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
from typing import TYPE_CHECKING, Final

import attrs

from fenxiao.grading.inputs import TIER_INPUTS
from fenxiao.grading.levels import Tier
from fenxiao.rules.interpreter import Check, difference, evaluate, explain, make_check
from fenxiao.rules.language import All, Compare, Condition, InputSpec, Not
from fenxiao.rules.moves import complement, escape, meeting_value
from fenxiao.rules.table import conjuncts

if TYPE_CHECKING:
    from fenxiao.grading.tiers import TierPolicy

__all__ = ["MAX_REPAIRS", "NextTierGap", "next_tier_gap", "repairs"]


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

    @property
    def blockers(self) -> tuple[Check, ...]:
        """The unmet comparisons that are not about a number: a flag to set, a text to change (a category, a
        standing), or a value that must be present; no step-by-step move meets them."""
        return tuple(c for c in self.unmet if c.actual is None or not _numeric(c.threshold))

    def __str__(self) -> str:
        head = f"{self.tier.value} ({self.label or self.tier.label_zh}) by rule {self.rule!r}: "
        body = "; ".join(str(c) for c in self.unmet) or "already met"
        return head + body + ("" if self.reachable else " (not reachable by these inputs alone)")


def next_tier_gap(
    policy: TierPolicy, inputs: Mapping[str, object], tier: Tier, chosen: int | None
) -> NextTierGap | None:
    """The cheapest verified way up from *tier* under *policy*, or ``None`` when no rule gives a higher tier.

    For each tier above *tier*, the rules giving it are tried, and for each rule its ways to hold (see
    :func:`repairs`: the cheapest branch of an ``any``, the opposite comparison for a ``not``), fewest unmet
    comparisons first. *chosen* is the index of the rule that decided (``None``: no rule held): the rules before it
    do not hold, and it does.
    """
    rules = policy.rules
    lenient = _Lenient(inputs)
    holds: dict[int, bool] = {}
    target = tier.next_up()
    while target is not None:
        candidates = []
        for rule, lower in policy._ladder.get(target, ()):
            escapes: list[Check] = []
            for b in lower:
                if b not in holds:
                    if chosen is None or b < chosen:
                        holds[b] = False
                    else:
                        holds[b] = b == chosen or evaluate(rules[b].when, inputs)
                if holds[b]:
                    found = _escape(rules[b].when, inputs)
                    if found is not None:
                        escapes.append(found)
            ways = repairs(rule.when, lenient)
            if not ways:  # the rule can never hold (an empty any): named, not reachable
                candidates.append((True, 0, Decimal(0), rule.name, (), False))
            for option in ways:
                unmet = list(option)
                for found in escapes:
                    if all(c.input != found.input for c in unmet):
                        unmet.append(found)
                raised = _raise_to(inputs, unmet)
                reached = raised is not None and policy._safe_grade(raised) >= target
                candidates.append((not reached, len(unmet), _cost(unmet), rule.name, tuple(unmet), reached))
        if candidates:
            candidates.sort(key=lambda c: (c[0], c[1], c[2], c[3]))
            _, _, _, name, unmet_checks, reached = candidates[0]
            return NextTierGap(target, name, unmet_checks, reached, policy.label(target))
        target = target.next_up()
    return None


#: The most ways to hold one condition that a gap compares (the cheapest are kept).
MAX_REPAIRS: Final = 16


def repairs(condition: Condition, inputs: Mapping[str, object]) -> tuple[tuple[Check, ...], ...]:
    """The ways *condition* could be made to hold from *inputs*: each a tuple of unmet comparisons that, all met,
    make it hold; cheapest first (fewest comparisons, then the smallest moves), at most :data:`MAX_REPAIRS`.

    An ``all`` needs one way of each part; an ``any`` needs one way of one branch (so each branch is a way, not
    all of them together); ``not`` asks for the opposite comparison (``not (refund_rate > 0.3)`` needs
    ``refund_rate <= 0.3``; ``not (x between [a, b])`` needs ``x < a`` or ``x > b``). ``((),)`` means it holds
    already; ``()`` that nothing makes it hold (an empty ``any``).

    >>> from fenxiao.rules.language import AnyOf, Compare, Not, Op
    >>> cond = AnyOf((Compare("units_30d", Op.GE, 1000), Not(Compare("refund_rate", Op.GT, Decimal("0.3")))))
    >>> [[str(c) for c in way] for way in repairs(cond, {"units_30d": 640, "refund_rate": Decimal("0.35")})]
    [['refund_rate 0.35: <= 0.3 needed (-0.05)'], ['units_30d 640 < 1000 needed (+360)']]
    """
    return tuple(_repairs(condition, inputs, False))


def _repairs(node: Condition, values: Mapping[str, object], negated: bool) -> list[tuple[Check, ...]]:
    if isinstance(node, Compare):
        ways = complement(node.op, node.value) if negated else (((node.op, node.value),),)
        options = []
        for needed in ways:
            checks = (explain(Compare(node.input, op, value), values).checks[0] for op, value in needed)
            options.append(tuple(c for c in checks if not c.passed))
        return _cheapest(options)
    if isinstance(node, Not):
        return _repairs(node.condition, values, not negated)
    parts = [_repairs(child, values, negated) for child in node.conditions]
    if isinstance(node, All) != negated:  # every part must hold
        combined: list[tuple[Check, ...]] = [()]
        for options in parts:
            combined = _cheapest([a + b for a in combined for b in options])
        return combined
    return _cheapest([option for options in parts for option in options])


def _cheapest(options: list[tuple[Check, ...]]) -> list[tuple[Check, ...]]:
    unique = list(dict.fromkeys(options))
    unique.sort(key=lambda option: (len(option), _cost(option)))
    return unique[:MAX_REPAIRS]


def _cost(checks: Sequence[Check]) -> Decimal:
    """How far the inputs move, each as a share of its declared range (or of its threshold when unbounded)."""
    total = Decimal(0)
    for check in checks:
        spec = TIER_INPUTS.inputs.get(check.input)
        if check.gap is None or spec is None:
            total += 1  # a flag, a text, a missing value: one whole move
            continue
        span = spec.high - spec.low if spec.high is not None and spec.low is not None else None
        if span is None or span == 0:
            threshold = check.threshold if isinstance(check.threshold, Decimal) else Decimal(1)
            span = max(abs(threshold), Decimal(1))
        total += abs(check.gap) / span
    return total


def _numeric(threshold: object) -> bool:
    items = threshold if isinstance(threshold, tuple) else (threshold,)
    return all(isinstance(item, Decimal) for item in items)


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
