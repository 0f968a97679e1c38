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

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import attrs

from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import FenxiaoError, PolicyError
from fenxiao.grading.inputs import _OPTIONAL_INPUTS, _WHOLE_INPUTS, TIER_INPUTS, score_inputs, tier_inputs
from fenxiao.grading.levels import Tier
from fenxiao.money import Money, Rate
from fenxiao.rules.compiler import Recheck, Trace, compile_trace
from fenxiao.rules.interpreter import Check, difference, evaluate, explain_comparison, make_check
from fenxiao.rules.language import All, Compare, Condition, InputSpec, Not, Op, comparisons
from fenxiao.rules.moves import complement, escape, meeting_value
from fenxiao.rules.table import conjuncts

if TYPE_CHECKING:
    from fenxiao.grading.tiers import TierPolicy, TierRule

__all__ = [
    "MAX_REPAIRS",
    "MOVABLE_METRICS",
    "MetricGap",
    "MetricMove",
    "NextTierGap",
    "find_metric_moves",
    "next_tier_gap",
    "repairs",
]


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


#: A rule explained by its index: its checks and whether it holds (see :func:`next_tier_gap`).
Explained: TypeAlias = Callable[[int], tuple[tuple[Check, ...], bool]]


def next_tier_gap(
    policy: TierPolicy,
    inputs: Mapping[str, object],
    tier: Tier,
    chosen: int | None,
    explained: Explained | None = None,
) -> NextTierGap | None:
    """The cheapest verified way up from *tier* under *policy*, or ``None`` when no rule gives a higher tier.

    For each tier above *tier*, the rules giving it are tried, and for each rule its ways to hold (see
    :func:`repairs`: the cheapest branch of an ``any``, the opposite comparison for a ``not``), fewest unmet
    comparisons first. *chosen* is the index of the rule that decided (``None``: no rule held): the rules before it
    do not hold, and it does. *explained*, when given, explains a rule by its index on these *inputs* (every input
    the policy reads present): a rule of comparisons under ``all`` alone then holds one way, its unmet checks, and
    whether an earlier rule holds is read from it.
    """
    rules = policy.rules
    lenient = _Lenient(inputs)
    escaping: dict[int, Check | None] = {}
    target = _UP[tier]
    while target is not None:
        candidates: list[tuple[bool, int, str, tuple[Check, ...], bool]] = []
        for index, rule, lower, plain in policy._ladder.get(target, ()):
            escapes = _escapes(rules, inputs, lower, escaping, chosen, explained=explained)
            if explained is None:
                ways = repairs(rule.when, lenient)
            elif plain:  # what repairs() gives for such a rule, from the checks made once
                ways = (tuple(c for c in explained(index)[0] if not c.passed),)
            else:
                ways = tuple(_repairs(rule.when, lenient, False, iter(explained(index)[0])))
            if not ways:  # the rule can never hold (an empty any): named, not reachable
                candidates.append((True, 0, rule.name, (), False))
            for option in ways:
                unmet = list(option)
                for found in escapes:
                    if all(c.input != found.input for c in unmet):
                        unmet.append(found)
                raised = _raise_to(inputs, unmet)
                reached = raised is not None and policy._safe_grade(raised) >= target
                candidates.append((not reached, len(unmet), rule.name, tuple(unmet), reached))
        if candidates:
            _, _, name, unmet_checks, reached = candidates[0] if len(candidates) == 1 else _best(candidates)
            return _new_gap(target, name, unmet_checks, reached, policy.label(target))
        target = _UP[target]
    return None


_UP: Final = {tier: tier.next_up() for tier in Tier}


class _GapPlan:
    """What of a next-tier gap is known once the deciding rule is (private; see :func:`_plan_gap`).

    ``target``, ``rank`` and ``label``: the tier sought. ``names`` and ``position``: the inputs as captured.
    ``catchers``: the earlier lower-tier rules that may hold and catch a SKU before a target rule (the deciding
    one among them holds), each ``(index, escaping comparisons)``. ``extra``: one compiled function giving the
    checks of every target rule (or of its one way to hold) that the trace does not hold. ``entries``: for each
    rule giving the target tier, in order, ``(name, source, slot, condition, catchers)``: its checks from the trace
    (``source`` 0, ``slot`` its index), from ``extra`` (1, its place there) or, for a rule of several ways to
    hold, from its explanation (2, its index; ``condition`` the rule's, for :func:`_repairs`), the places in
    ``catchers`` of the rules to escape, and ``watched``: when moving inputs to meet the rule's unmet checks is sure
    to make it hold and nothing needs escaping, the inputs that the lower-tier rules before it read (a way that
    moves none of them reaches the target without grading again, see :func:`_sure_ways`); else ``None``."""

    __slots__ = (
        "build",
        "catchers",
        "entries",
        "extra",
        "label",
        "names",
        "position",
        "rank",
        "ranks",
        "recheck",
        "target",
        "unmatched",
    )

    def __init__(  # noqa: PLR0917 - private, built in one place
        self,
        target: Tier,
        label: str,
        names: tuple[str, ...],
        catchers: tuple[tuple[int, tuple[_Escaping, ...]], ...],
        extra: Trace | None,
        entries: tuple[tuple[str, int, int, Condition | None, tuple[int, ...], frozenset[str] | None], ...],
    ) -> None:
        self.target = target
        self.rank = target.rank
        self.label = label
        self.names = names
        self.position = {name: i for i, name in enumerate(names)}
        self.catchers = catchers
        self.extra = extra
        self.entries = entries
        self.recheck: Recheck | None = None  # the policy's decision on moved values (see _reaches)
        self.ranks: tuple[int, ...] = ()  # each rule's tier rank
        self.unmatched = 0  # the rank when no rule holds: the fallback's, or L0's (grading raises)
        # What builds the gap from the plan: one rule of one way to hold in one pass, anything else rule by rule.
        one = len(entries) == 1 and entries[0][1] != _FROM_RULE
        self.build: Callable[..., NextTierGap] = _one_rule_gap if one else _gap_by_plan


def _plan_gap(
    policy: TierPolicy, tier: Tier, chosen: int | None, tried: int, names: tuple[str, ...]
) -> _GapPlan | None:
    """The plan of the next-tier gap of every decision of *policy* giving *tier* by rule *chosen* (``None``: the
    fallback) after trying its first *tried* rules, or ``None`` when no rule gives a higher tier (the gap is
    ``None``). *names* are the inputs the policy reads, in the order of the values its compiled program captures.

    Under the ``first`` hit policy the rules before *chosen* do not hold and *chosen* does: only the lower-tier
    rules from *chosen* on can catch a SKU before a target rule, and each is read (and escaped) from the values.
    """
    target = _UP[tier]
    while target is not None:
        ladder = policy._ladder.get(target, ())
        if ladder:
            break
        target = _UP[target]
    else:
        return None
    rules = policy.rules
    catching = sorted({b for _, _, lower, _ in ladder for b in lower if chosen is not None and b >= chosen})
    place = {b: i for i, b in enumerate(catching)}
    extra_conditions: list[Condition] = []
    extra_rules: list[tuple[int, Condition]] = []
    entries: list[tuple[str, int, int, Condition | None, tuple[int, ...], frozenset[str] | None]] = []
    for index, rule, lower, plain in ladder:
        escapes = tuple(place[b] for b in lower if b in place)
        way = rule.when if plain else _one_way(rule.when)
        watched = None
        if way is not None and not escapes and chosen is not None and _sure_ways(way):
            watched = frozenset(node.input for b in lower for node in comparisons(rules[b].when))
        if way is None:  # several ways to hold: repairs() of the rule, from its checks
            entries.append((rule.name, _FROM_RULE, index, rule.when, escapes, None))
        elif plain and index < tried:
            entries.append((rule.name, _FROM_TRACE, index, None, escapes, watched))
        else:
            entries.append((rule.name, _FROM_EXTRA, len(extra_conditions), None, escapes, watched))
            extra_conditions.append(way)
            extra_rules.append((index, rule.when))
    extra = None
    if extra_conditions:
        extra = compile_trace(
            extra_conditions,
            [f"way-{i}" for i in range(len(extra_conditions))],
            names,
            _OPTIONAL_INPUTS,
            _WHOLE_INPUTS,
            label=f"tier gap ways after rule {chosen}",
        )
        if extra is None:  # too many comparisons for one function: each such rule as one of several ways
            entries = [
                (name, _FROM_RULE, *extra_rules[slot], escapes, None)
                if source == _FROM_EXTRA
                else (name, source, slot, when, escapes, watched)
                for name, source, slot, when, escapes, watched in entries
            ]
    catchers = tuple((b, _escaping_leaves(rules[b].when, names)) for b in catching)
    plan = _GapPlan(target, policy.label(target), names, catchers, extra, tuple(entries))
    plan.recheck = policy._recheck
    plan.ranks = tuple(rule.tier.rank for rule in rules)
    plan.unmatched = 0 if policy.fallback is None else policy.fallback.rank
    return plan


# Where a planned gap reads a rule's checks: the trace, the plan's own function, or the rule's explanation.
_FROM_TRACE, _FROM_EXTRA, _FROM_RULE = 0, 1, 2

_SURE_OPS: Final = frozenset({Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.IN})


def _sure_ways(way: Condition) -> bool:
    """Whether moving each input of an unmet comparison of *way* (comparisons under ``all``) to its meeting value
    (:func:`~fenxiao.rules.moves.meeting_value`) is sure to make *way* hold, whatever the values: each comparison
    reads its own input (so a move unsettles no other) and has one meeting value, which meets it (not ``!=``; not
    ``between``, whose side depends on the gap; ``in`` a non-empty list)."""
    leaves = comparisons(way)
    if len({node.input for node in leaves}) != len(leaves):
        return False
    return all(
        node.op in _SURE_OPS and (node.op is not Op.IN or (isinstance(node.value, tuple) and node.value))
        for node in leaves
    )


def _one_way(condition: Condition) -> All | None:
    """For a condition of comparisons and ``not`` comparisons under ``all`` (nested ``all`` too), each ``not`` asking
    one comparison or several together (not a ``between``, which asks either of two), the comparisons of its one
    way to hold, in document order: each comparison as it is, each ``not`` as the comparisons it asks
    (:func:`_complements`). :func:`repairs` gives that one way, the unmet ones of them; ``None`` for any other
    shape."""
    found: list[Compare] = []

    def walk(node: Condition) -> bool:
        if isinstance(node, Compare):
            found.append(node)
            return True
        if isinstance(node, Not):
            inner = node.condition
            if not isinstance(inner, Compare):
                return False
            ways = _complements(inner, inner.unit)
            if len(ways) != 1:
                return False
            found.extend(ways[0])
            return True
        return isinstance(node, All) and all(walk(child) for child in node.conditions)

    return All(tuple(found)) if walk(condition) else None


#: An escape known from the policy alone: the input, its position among the captured values, and the comparison
#: (operator, threshold, unit) that escapes.
_Escaping: TypeAlias = tuple[str, int, Op, Decimal, str]


def _escaping_leaves(condition: Condition, names: tuple[str, ...]) -> tuple[_Escaping, ...]:
    """The comparisons :func:`_escape` may escape *condition* by, in its order, from its top-level comparisons with
    a number whose input's better direction escapes them (which is taken depends on the values: the first whose
    input holds a number)."""
    found = []
    for leaf in conjuncts(condition):
        if isinstance(leaf.value, Decimal):
            spec = TIER_INPUTS[leaf.input]
            escaping = escape(leaf.op, leaf.value, spec.better, _step(spec))
            if escaping is not None:
                found.append((leaf.input, names.index(leaf.input), escaping[0], escaping[1], leaf.unit))
    return tuple(found)


def _gap_by_plan(  # noqa: PLR0912 - one pass over the plan's entries in plain loops, each kind a branch
    policy: TierPolicy,
    plan: _GapPlan,
    values: Sequence[object],
    chosen: int | None,
    trace: Sequence[tuple[str, tuple[Check, ...], bool]],
) -> NextTierGap:
    """:func:`next_tier_gap` of a decision by rule *chosen*, from its *plan* (see :func:`_plan_gap`), the values its
    policy captured (in the order of ``plan.names``) and its *trace*: the same gap, with what depends only on the
    policy and the deciding rule done once. Each way is verified by the policy's decision on the values moved
    (``policy._rank_of``); each lower rule that may catch the SKU is read by ``policy._holds``."""
    entries = plan.entries
    extra = plan.extra(values) if plan.extra is not None else ()
    escaping = [
        _escape_by(leaves, values) if b == chosen or policy._holds(b, values) else None for b, leaves in plan.catchers
    ]
    ways_found: list[tuple[int, str, tuple[Check, ...], int]] = []  # (length, rule, way, _VERIFY/_SURE/_NEVER)
    lenient: _Lenient | None = None
    escapes_of: dict[tuple[int, ...], list[Check]] = {}  # the rules to escape are often the same for every rule
    # Plain loops, not comprehensions: each comprehension is a call of its own, and these lists are short.
    for name, source, slot, when, escapers, watched in entries:
        if source == _FROM_RULE:
            assert when is not None
            if lenient is None:
                lenient = _Lenient(dict(zip(plan.names, values, strict=True)))
            checks = trace[slot][1] if slot < len(trace) else policy._explain_rule(slot, tuple(values))[0]
            ways = tuple(_repairs(when, lenient, False, iter(checks)))
            if not ways:  # the rule can never hold (an empty any): named, not reachable
                ways_found.append((0, name, (), _NEVER))
        else:
            unmet = []
            for c in (trace if source == _FROM_TRACE else extra)[slot][1]:
                if not c.passed:
                    unmet.append(c)
            ways = (tuple(unmet),)
        escapes = escapes_of.get(escapers)
        if escapes is None:
            escapes = escapes_of[escapers] = []
            for i in escapers:
                found = escaping[i]
                if found is not None:
                    escapes.append(found)
        for option in ways:
            if escapes:
                way = list(option)
                moved = set()
                for c in option:
                    moved.add(c.input)
                for found in escapes:
                    if found.input not in moved:
                        way.append(found)
                        moved.add(found.input)
                ways_found.append((len(way), name, tuple(way), _VERIFY))
            elif watched is not None and not _moves_any(option, watched):
                ways_found.append((len(option), name, option, _SURE))
            else:
                ways_found.append((len(option), name, option, _VERIFY))
    return _new_gap(plan.target, *_cheapest_verified(policy, plan, values, ways_found), plan.label)


def _moves_any(way: Sequence[Check], watched: frozenset[str]) -> bool:
    """Whether *way* moves an input in *watched* (a loop: ``any()`` of a generator is two calls more)."""
    for c in way:  # noqa: SIM110 - see above
        if c.input in watched:
            return True
    return False


# How a planned way is known to reach its target: by grading again, surely, or never (a rule that cannot hold).
_VERIFY, _SURE, _NEVER = 0, 1, 2


def _one_rule_gap(
    policy: TierPolicy,
    plan: _GapPlan,
    values: Sequence[object],
    chosen: int | None,
    trace: Sequence[tuple[str, tuple[Check, ...], bool]],
) -> NextTierGap:
    """:func:`_gap_by_plan` of a plan of one rule of one way to hold: its unmet checks and the escapes."""
    name, source, slot, _, escapers, watched = plan.entries[0]
    if source == _FROM_TRACE:
        steps = trace
    else:
        assert plan.extra is not None  # a plan has its function for the rules it explains
        steps = plan.extra(values)
    unmet = [c for c in steps[slot][1] if not c.passed]
    if escapers:
        moved = {c.input for c in unmet}
        for i in escapers:
            b, leaves = plan.catchers[i]
            found = _escape_by(leaves, values) if b == chosen or policy._holds(b, values) else None
            if found is not None and found.input not in moved:
                unmet.append(found)
                moved.add(found.input)
    elif watched is not None and not _moves_any(unmet, watched):
        return _new_gap(plan.target, name, tuple(unmet), True, plan.label)
    way = tuple(unmet)
    return _new_gap(plan.target, name, way, _reaches(policy, plan, values, way), plan.label)


def _cheapest_verified(
    policy: TierPolicy,
    plan: _GapPlan,
    values: Sequence[object],
    ways: list[tuple[int, str, tuple[Check, ...], int]],
) -> tuple[str, tuple[Check, ...], bool]:
    """:func:`_best` of the *ways* (each verified: reached or not), verifying only as many as the choice needs.

    The best is the first by (not reached, fewest checks, cheapest moves, rule name): the ways are verified
    shortest first, a length at a time; the first length with a way that reaches holds the best (every shorter way
    fails, every longer one comes after), and only when none reaches are they all verified. A way marked
    ``_NEVER`` does not reach; one marked ``_SURE`` reaches without grading again."""
    if len(ways) == 1:
        _, name, way, known = ways[0]
        return name, way, known == _SURE or (known == _VERIFY and _reaches(policy, plan, values, way))
    reaching: list[tuple[str, tuple[Check, ...]]] = []
    size = -1
    for length, name, way, known in sorted(ways, key=_LENGTH):  # stable: the rules' order within a length
        if reaching and length > size:
            break
        if known == _SURE or (known == _VERIFY and _reaches(policy, plan, values, way)):
            reaching.append((name, way))
            size = length
    if reaching:
        name, way = reaching[0] if len(reaching) == 1 else min(reaching, key=_cost_then_name)
        return name, way, True
    _, _, name, way, reached = _best([(True, length, name, way, False) for length, name, way, _ in ways])
    return name, way, reached


_LENGTH: Final = itemgetter(0)  # a way's length, read in C


def _cost_then_name(way: tuple[str, tuple[Check, ...]]) -> tuple[Decimal, str]:
    return _cost(way[1]), way[0]


_GE: Final = Op.GE
_LE: Final = Op.LE


def _reaches(policy: TierPolicy, plan: _GapPlan, values: Sequence[object], way: Sequence[Check]) -> bool:
    """Whether moving each input of *way* just enough to meet its check (:func:`_raise_to`) gives at least the
    plan's target tier."""
    raised = list(values)
    position = plan.position
    for c in way:
        if c.negated:
            return False
        op = c.op
        if op is _GE or op is _LE:
            value: object = c.threshold
        else:
            value = meeting_value(op, c.threshold, c.gap, _STEPS[c.input])
            if value is None:
                return False
        raised[position[c.input]] = value
    recheck = plan.recheck
    if recheck is not None:
        try:
            index = recheck(raised)
        except Exception:  # a moved value the compiled rules cannot compare: the policy answers below
            index = -2
        if index >= 0:
            return plan.ranks[index] >= plan.rank
        if index == -1:
            return plan.unmatched >= plan.rank
    return policy._rank_of(raised) >= plan.rank


def _escape_by(leaves: Sequence[_Escaping], values: Sequence[object]) -> Check | None:
    """:func:`_escape` of a condition that holds, from its :func:`_escaping_leaves`."""
    for name, position, op, threshold, unit in leaves:
        actual = values[position]
        if isinstance(actual, bool) or not isinstance(actual, (int, Decimal)):
            continue
        return make_check(name, op, threshold, actual, False, False, difference(threshold, Decimal(actual)), unit)
    return None


def _best(
    candidates: list[tuple[bool, int, str, tuple[Check, ...], bool]],
) -> tuple[bool, int, str, tuple[Check, ...], bool]:
    """The first candidate by (not reached, fewest checks, cheapest moves (:func:`_cost`), rule name), the cost
    computed only where the first two tie (a stable sort's first)."""
    first = min(candidates, key=lambda c: (c[0], c[1]))
    tied = [c for c in candidates if c[0] == first[0] and c[1] == first[1]]
    return tied[0] if len(tied) == 1 else min(tied, key=lambda c: (_cost(c[3]), c[2]))


class _GapUnderway(NextTierGap):
    """A :class:`NextTierGap` being built by :func:`_new_gap` (as :class:`~fenxiao.rules.interpreter.make_check`
    builds a check): its fields stored by plain attribute stores, then its class set to :class:`NextTierGap`."""

    __slots__ = ()
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__


def _new_gap(tier: Tier, rule: str, unmet: tuple[Check, ...], reachable: bool, label: str) -> NextTierGap:
    """``NextTierGap(tier, rule, unmet, reachable, label)``, built faster (one per explained decision): its
    fields stored as the attrs ``__init__`` would store them (the class has no validators)."""
    gap: Any = object.__new__(_GapUnderway)  # Any: its frozen fields are stored here
    gap.tier = tier
    gap.rule = rule
    gap.unmet = unmet
    gap.reachable = reachable
    gap.label = label
    gap.__class__ = NextTierGap
    built: NextTierGap = gap
    return built


def _escapes(
    rules: Sequence[TierRule],
    inputs: Mapping[str, object],
    lower: Sequence[int],
    escaping: dict[int, Check | None],
    chosen: int | None,
    *,
    explained: Explained | None,
) -> list[Check]:
    """For each earlier lower-tier rule that holds (and would catch the SKU first), the comparison escaping it.

    *escaping* remembers, per rule, its escaping comparison (``None``: it does not hold, or nothing escapes it),
    so that each rule is read once per gap whichever rules above it are tried."""
    escapes: list[Check] = []
    if chosen is not None and (not lower or lower[-1] < chosen):  # (ascending) all before the deciding rule
        return escapes
    for b in lower:
        if b in escaping:
            found = escaping[b]
        else:
            if chosen is None or b < chosen:
                holds = False  # the rules before the deciding one do not hold
            elif b == chosen:
                holds = True
            else:
                holds = explained(b)[1] if explained is not None else evaluate(rules[b].when, inputs)
            found = escaping[b] = _escape(rules[b].when, inputs) if holds else None
        if found is not None:
            escapes.append(found)
    return escapes


def _only_all(condition: Condition) -> bool:
    """Whether *condition* is comparisons under ``all`` alone (no ``any``, no ``not``): it then holds one way,
    every unmet comparison met, and :func:`repairs` gives that way, the unmet checks in document order."""
    if isinstance(condition, Compare):
        return True
    return isinstance(condition, All) and all(_only_all(c) for c in condition.conditions)


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
    return tuple(_repairs(condition, inputs, False, None))


def _repairs(
    node: Condition, values: Mapping[str, object], negated: bool, known: Iterator[Check] | None
) -> list[tuple[Check, ...]]:
    """:func:`repairs` of *node*; *known*, when given, yields the condition's checks on *values* in document order
    (as :func:`~fenxiao.rules.interpreter.explain` lists them), one per comparison visited, so that a comparison
    that must hold as it is reads its own check instead of being explained again."""
    if isinstance(node, Compare):
        check = None if known is None else next(known)
        if check is not None and not negated:
            return [()] if check.passed else [(check,)]
        options = []
        for needed in _needs(node, negated):
            checks = (explain_comparison(leaf, values) for leaf in needed)
            options.append(tuple(c for c in checks if not c.passed))
        return _cheapest(options)
    if isinstance(node, Not):
        return _repairs(node.condition, values, not negated, known)
    parts = [_repairs(child, values, negated, known) for child in node.conditions]
    if isinstance(node, All) != negated:  # every part must hold
        combined: list[tuple[Check, ...]] = [()]
        for options in parts:
            combined = _cheapest([a + b for a in combined for b in options])
        return combined
    return _cheapest([option for options in parts for option in options])


def _needs(node: Compare, negated: bool) -> tuple[tuple[Compare, ...], ...]:
    """What *node* (negated: under a ``not``) asks, as alternatives each of comparisons that must all hold."""
    if not negated:
        return ((node,),)
    return _complements(node, node.unit)  # the unit too: equality ignores it


@functools.lru_cache(maxsize=1024)
def _complements(node: Compare, unit: str) -> tuple[tuple[Compare, ...], ...]:
    """``not node`` as comparisons (:func:`~fenxiao.rules.moves.complement`) shown in *unit*, built once per
    comparison."""
    return tuple(
        tuple(Compare(node.input, op, value, unit) for op, value in way) for way in complement(node.op, node.value)
    )


def _cheapest(options: list[tuple[Check, ...]]) -> list[tuple[Check, ...]]:
    if len(options) <= 1:  # nothing to order or to merge
        return options
    unique = list(dict.fromkeys(options))
    unique.sort(key=lambda option: (len(option), _cost(option)))
    return unique[:MAX_REPAIRS]


def _cost(checks: Sequence[Check]) -> Decimal:
    """How far the inputs move, each as a share of its declared range (or of its threshold when unbounded)."""
    total = _ZERO
    spans = _SPANS
    for check in checks:
        gap = check.gap
        span = spans.get(check.input, _NO_SPEC)
        if gap is None or span is _NO_SPEC:
            total += 1  # a flag, a text, a missing value: one whole move
            continue
        if span is None:
            threshold = check.threshold if isinstance(check.threshold, Decimal) else _ONE
            span = max(abs(threshold), _ONE)
        total += abs(gap) / span
    return total


_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_NO_SPEC: Final = object()  # an input the tier inputs do not declare


def _span(spec: InputSpec) -> Decimal | None:
    """An input's declared range (``high - low``), or ``None`` when it is unbounded or empty (a move is then a
    share of the threshold)."""
    span = spec.high - spec.low if spec.high is not None and spec.low is not None else None
    return None if span is None or span == 0 else span


_SPANS: Final[dict[str, Any]] = {name: _span(spec) for name, spec in TIER_INPUTS.inputs.items()}


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
        gap = difference(threshold, Decimal(actual))
        return make_check(leaf.input, op, threshold, actual, False, False, gap, leaf.unit)
    return None


_WHOLE_STEP: Final = Decimal(1)
_SCORE_STEP: Final = Decimal("0.01")


def _step(spec: InputSpec) -> Decimal:
    return _WHOLE_STEP if spec.integer else _SCORE_STEP


_STEPS: Final = {name: _step(spec) for name, spec in TIER_INPUTS.inputs.items()}  # each input's smallest move


def _raise_to(inputs: Mapping[str, object], unmet: Sequence[Check]) -> dict[str, object] | None:
    """*inputs* with each unmet comparison's input moved just enough to meet it; None if one cannot be."""
    raised = dict(inputs)
    for c in unmet:
        threshold = c.threshold
        if c.negated:
            return None
        value = meeting_value(c.op, threshold, c.gap, _STEPS[c.input])
        if value is None:
            return None
        raised[c.input] = value
    return raised


# -- the gap in raw metrics: what a merchant can change ------------------------------------------------------------

#: The snapshot metrics :func:`find_metric_moves` tries, one at a time: what a merchant can move (sales, service,
#: price, commission), not history (violations) or facts (brand registration).
MOVABLE_METRICS: Final = (
    "units_30d",
    "gmv_30d",
    "refund_rate",
    "bad_review_rate",
    "quality_return_rate",
    "complaint_rate",
    "shipped_48h_rate",
    "good_review_rate",
    "experience_score",
    "repurchase_rate",
    "price",
    "commission_rate",
    "promoting_influencers",
    "influencer_gmv_share",
    "team_leaders",
)


def _shown(value: object) -> str:
    """A metric value in its own unit: rates as percentages, money in yuan, counts and scores as numbers."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return str(value)


@attrs.frozen
class MetricMove:
    """One snapshot metric moved: from *old* to *new*, each in the metric's own type (a Rate, Money, a count)."""

    metric: str
    old: object
    new: object

    def __str__(self) -> str:
        return f"{self.metric} {_shown(self.old)} → {_shown(self.new)}"


@attrs.frozen
class MetricGap:
    """Raw-metric moves that, applied together to the snapshot and regraded (scored again, then graded), give at
    least *target*: *reached* is the tier the regrading gave."""

    target: Tier
    moves: tuple[MetricMove, ...]
    reached: Tier

    def __str__(self) -> str:
        return f"{self.target.value}: " + "; ".join(str(m) for m in self.moves) + f" (regraded {self.reached.value})"


class _Regrader:
    """Score a snapshot and grade it, as the pipeline does, against fixed category benchmarks."""

    def __init__(self, policy: TierPolicy, scorer: Any, context: Any, as_of: datetime) -> None:
        self.policy, self.scorer, self.context, self.as_of = policy, scorer, context, as_of

    def inputs(self, snapshot: SkuSnapshot) -> dict[str, object]:
        scores = score_inputs(self.scorer.score(snapshot, self.context))
        return tier_inputs(snapshot, scores, self.as_of, context=self.context)

    def tier(self, snapshot: SkuSnapshot) -> Tier:
        try:
            return self.policy._safe_grade(self.inputs(snapshot))
        except FenxiaoError:
            return Tier.L0


def find_metric_moves(
    policy: TierPolicy,
    scorer: Any,
    snapshot: SkuSnapshot,
    context: Any,
    as_of: datetime,
    *,
    metrics: Sequence[str] = MOVABLE_METRICS,
    limit: int = 3,
) -> tuple[MetricGap, ...]:
    """The next-tier gap in raw metrics: which snapshot metrics, moved by how much, reach the next tier.

    The SKU is scored with *scorer* against *context* (the category benchmarks, held fixed) and graded by *policy*
    at *as_of*. The gap's own comparisons on snapshot metrics (``units_30d >= 1000``) are applied first; where
    scores must rise too, each of *metrics* is then moved alone, the smallest move (searched on the metric's
    grid: a unit, a fen, one part per million) that reaches the target. Every move returned has been *verified*:
    applied to the snapshot, scored and graded again, it gives at least the target tier. At most *limit* ways,
    fewest moves and smallest relative moves first; ``()`` when the SKU is at the top, cannot be graded, or no
    single metric reaches.

    Raises:
        InvalidValueError: *as_of* is naive or before the SKU joined (as :func:`~fenxiao.grading.inputs.tier_inputs`).
    """
    regrader = _Regrader(policy, scorer, context, as_of)
    inputs = regrader.inputs(snapshot)
    try:
        gap = policy.decide(inputs, sku_id=snapshot.sku_id).next_tier_gap
    except PolicyError:  # no rule matches and no fallback (or an overlap under unique): no tier to rise from
        return ()
    if gap is None:
        return ()
    target = gap.tier
    direct: list[MetricMove] = []
    base = snapshot
    for check in gap.unmet:
        moved = _meet(base, check)
        if moved is not None:
            base, move = moved
            # One move per metric, from the snapshot's own value (two checks on one metric are met together).
            direct = [m for m in direct if m.metric != move.metric]
            original = getattr(snapshot, move.metric)
            if move.new != original:
                direct.append(MetricMove(move.metric, original, move.new))
    found: list[tuple[int, Decimal, MetricGap]] = []
    if direct and (reached := regrader.tier(base)) >= target:
        found.append((len(direct), _relative(direct), MetricGap(target, tuple(direct), reached)))
    else:
        for metric in metrics:
            value = _smallest_move(base, metric, lambda s: regrader.tier(s) >= target)
            if value is None:
                continue
            moved_snapshot = _with(base, metric, value)
            moves = (*(m for m in direct if m.metric != metric), MetricMove(metric, getattr(snapshot, metric), value))
            found.append((len(moves), _relative(moves), MetricGap(target, moves, regrader.tier(moved_snapshot))))
    found.sort(key=lambda f: (f[0], f[1], [m.metric for m in f[2].moves]))
    return tuple(f[2] for f in found[:limit])


def _meet(snapshot: SkuSnapshot, check: Check) -> tuple[SkuSnapshot, MetricMove] | None:
    """*snapshot* with the metric of *check* moved to meet it, or ``None`` (not a metric, or not one value)."""
    if check.input not in METRIC_FIELDS or check.negated:
        return None
    spec = TIER_INPUTS[check.input]
    value = meeting_value(check.op, check.threshold, check.gap, _step(spec))
    current = getattr(snapshot, check.input)
    converted = _as_metric(current, value)
    if converted is None:
        return None
    try:
        moved = _with(snapshot, check.input, converted)
    except FenxiaoError:
        return None
    return moved, MetricMove(check.input, current, converted)


def _as_metric(current: object, value: object) -> object | None:
    """*value* (an input's number) as the metric's own type, like *current*'s; ``None`` if it cannot be."""
    if isinstance(value, bool) or isinstance(current, bool):
        return value if isinstance(value, bool) and isinstance(current, bool) else None
    if not isinstance(value, (int, Decimal)):
        return None
    number = Decimal(value)
    try:
        if isinstance(current, Rate):
            return Rate.of(number)
        if isinstance(current, Money):
            return Money.of(number.quantize(Decimal("0.01"), rounding=ROUND_CEILING), current.currency)
        if isinstance(current, int):
            return int(number.to_integral_value(rounding=ROUND_CEILING))
        if isinstance(current, Decimal):
            return number
    except (FenxiaoError, ArithmeticError):
        return None
    return None


# A metric's grid as whole numbers: (to the grid, from the grid, the farthest the search goes each way).
_COUNT_REACH: Final = 10_000_000
_SCORE_HUNDREDTHS: Final = 500


def _grid(current: object) -> tuple[int, Callable[[int], object], int, int] | None:
    if isinstance(current, bool):
        return None
    if isinstance(current, Rate):
        return current.ppm, Rate.from_ppm, 0, 1_000_000
    if isinstance(current, Money):
        currency = current.currency
        return current.fen, lambda fen: Money(fen, currency), 1, max(current.fen * 10, 1_000_000_000)
    if isinstance(current, int):
        return current, lambda n: n, 0, max(current * 10, _COUNT_REACH)
    if isinstance(current, Decimal):
        hundredths = int((current * 100).to_integral_value(rounding=ROUND_FLOOR))
        return hundredths, lambda h: Decimal(h) / 100, 0, _SCORE_HUNDREDTHS
    return None


def _smallest_move(snapshot: SkuSnapshot, metric: str, reaches: Callable[[SkuSnapshot], bool]) -> object | None:
    """The value of *metric* nearest its current one, in its better direction, at which *reaches* holds, or
    ``None``. Searched by halving between the current value and the farthest one (each probe regraded)."""
    spec = TIER_INPUTS.inputs.get(metric)
    grid = _grid(getattr(snapshot, metric))
    if spec is None or spec.better is None or grid is None:
        return None
    start, back, low, high = grid
    far = high if spec.better == "higher" else low
    if far == start:
        return None

    def holds(x: int) -> bool:
        try:
            return reaches(_with(snapshot, metric, back(x)))
        except FenxiaoError:
            return False

    if not holds(far):
        return None
    near = start
    while abs(far - near) > 1:
        middle = (near + far) // 2
        if holds(middle):
            far = middle
        else:
            near = middle
    return back(far)


def _with(snapshot: SkuSnapshot, metric: str, value: object) -> SkuSnapshot:
    """*snapshot* with one metric changed (validated as any snapshot is)."""
    changes: dict[str, Any] = {metric: value}
    return attrs.evolve(snapshot, **changes)


def _relative(moves: Sequence[MetricMove]) -> Decimal:
    """How big the moves are, each relative to the metric's scale (its old value, or its range)."""
    total = Decimal(0)
    for move in moves:
        old, new = move.old, move.new
        if isinstance(old, Rate) and isinstance(new, Rate):
            total += abs(new.value - old.value)
        elif isinstance(old, Money) and isinstance(new, Money):
            total += Decimal(abs(new.fen - old.fen)) / max(old.fen, 1)
        elif isinstance(old, int) and isinstance(new, int) and not isinstance(old, bool):
            total += Decimal(abs(new - old)) / max(old, 1)
        elif isinstance(old, Decimal) and isinstance(new, Decimal):
            total += abs(new - old) / 5
        else:
            total += 1
    return total
