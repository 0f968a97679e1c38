"""Tier policies and their decisions: :class:`TierRule`, :class:`TierPolicy`, :class:`TierDecision`.

A tier policy is an ordered list of rules, each giving a tier when its
condition (the language of :mod:`fenxiao.rules.language`) holds. The hit policy is
explicit, in decision tables' (DMN) terms: ``first`` (the default: the first rule whose
condition holds decides), ``highest`` (DMN's PRIORITY: the highest tier among all rules that
hold) or ``unique`` (at most one rule may hold: an input two rules match is an error, and lint reports every
overlap with a witness); see :class:`fenxiao.rules.table.HitPolicy`. A policy may name a ``fallback`` tier for
inputs no rule covers; without one, :meth:`TierPolicy.lint` reports any such gap as an error.

Conditions compare named inputs (:data:`fenxiao.grading.inputs.TIER_INPUTS`): every metric of a
:class:`~fenxiao.domain.snapshots.SkuSnapshot` (rates as fractions, money in yuan),
the five dimension scores and the composite (0–100), and
``days_since_joining`` (whole days from joining the pool to ``as_of``).

Around this module: :mod:`~fenxiao.grading.levels` (:class:`~fenxiao.grading.levels.Tier`),
:mod:`~fenxiao.grading.inputs`, :mod:`~fenxiao.grading.gap` (the next-tier gap), :mod:`~fenxiao.grading.lint`
and :mod:`~fenxiao.grading.history` (:class:`~fenxiao.grading.history.TierHistory`). The default policy is data:
``fenxiao/data/defaults/tier_policy.toml``.

>>> from fenxiao.grading.inputs import example_inputs
>>> policy = default_tier_policy()
>>> [rule.name for rule in policy.rules][:4]
['new-sku', 'no-sales', 'low-sales-in-category', 'low-sales']
>>> strong = {f"score.{d}": "85" for d in ("brand", "price", "distribution", "sales")}
>>> decision = policy.decide(example_inputs(composite="92", **strong, **{"score.service": "85"}, units_30d=64))
>>> decision.tier, decision.rule
(<Tier.L1: 'L1'>, 'low-sales')
>>> decision = policy.decide(example_inputs(composite="92", **strong, **{"score.service": "72.5"}, units_30d=640))
>>> decision.tier, decision.rule
(<Tier.L4: 'L4'>, 'hot-item')
>>> print(decision.next_tier_gap)
L5 (精选好物) by rule 'selected-goods': score.service 72.5 < 80 needed (+7.5); units_30d 640 < 1000 needed (+360)

.. versionadded:: 0.1
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Context, getcontext, localcontext
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from fenxiao._internal import hooks, html
from fenxiao._internal import validators as v
from fenxiao._internal.defaults import read_default
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.gap import NextTierGap, _GapPlan, _only_all, _plan_gap, next_tier_gap
from fenxiao.grading.history import Stability
from fenxiao.grading.inputs import (
    _OPTIONAL_INPUTS,
    _WHOLE_INPUTS,
    TIER_INPUTS,
    _scores_of,
    tier_inputs,
)
from fenxiao.grading.levels import _RANKS, Tier
from fenxiao.grading.lint import lint_policy
from fenxiao.rules import compiler as _codegen
from fenxiao.rules.interpreter import Check, evaluate, explain
from fenxiao.rules.language import All, AnyOf, Compare, Condition, Not
from fenxiao.rules.table import MAX_RULES, Finding, HitPolicy, ReadOnlyDict, hit_policy, rows_bound, rule_list
from fenxiao.rules.witness import LINT_BUDGET

if TYPE_CHECKING:
    import cattrs

    from fenxiao.scoring.context import ScoringContext

__all__ = ["TIER_HIT_POLICIES", "TierDecision", "TierPolicy", "TierRule", "default_tier_policy"]


# -- rules and policies -------------------------------------------------------------------------------


def _is_condition(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, (Compare, All, AnyOf, Not)):
        raise PolicyError(f"{type(instance).__name__}.{attribute.name}", value, "must be a condition")


def _short_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or len(value) > 1000:
        raise InvalidValueError(f"{type(instance).__name__}.{attribute.name}", value, "must be text (at most 1000)")


@attrs.frozen
class TierRule:
    """One row of the decision table: *tier* when *when* holds.

    Args:
        name: A unique name (shown in decisions: "matched rule 'selected-goods'").
        tier: The tier given.
        when: The condition (see :mod:`fenxiao.rules.language`).
        flags: Labels attached to decisions this rule makes (e.g. ``"stale"``).
        description: For people.
    """

    name: str = attrs.field(validator=v.identifier)
    tier: Tier = attrs.field(validator=v.member_of(Tier))
    when: Condition = attrs.field(validator=_is_condition)
    flags: tuple[str, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    description: str = attrs.field(default="", validator=_short_text)


@attrs.frozen(slots=False)  # a __dict__: decide() fills one in at once, and the explanation may come later
class TierDecision:
    """A SKU's tier and why.

    Attributes:
        tier: The tier given.
        rule: The name of the rule that gave it (``"(fallback)"`` when none matched).
        rule_index: Its index in the policy, or ``None`` for the fallback.
        checks: Every comparison evaluated, rule by rule, in order, up to and including the deciding rule:
            ``(rule name, checks, matched)``.
        next_tier_gap: How to reach the next tier up (``None`` at L5 or when no rule gives a higher tier).
        flags: The deciding rule's flags (e.g. ``"stale"``).
        sku_id: The SKU, when decided through :meth:`TierPolicy.evaluate`.
        label: The policy's label for the tier.

    A decision from :meth:`TierPolicy.decide` keeps the values of every input its policy reads and builds
    ``checks`` and ``next_tier_gap`` from them the first time either is read (then keeps them): a decision whose
    explanation is never read costs little more than :meth:`TierPolicy.grade`, and one that is read is the same,
    value for value, as if it had been built at once. Until then it holds a reference to its policy; equality,
    hashing, ``repr``, :func:`attrs.asdict`, :func:`attrs.evolve`, pickling and
    :func:`fenxiao.serialization.to_dict` read (and so build) the explanation.
    """

    tier: Tier
    rule: str
    rule_index: int | None
    checks: tuple[tuple[str, tuple[Check, ...], bool], ...]
    next_tier_gap: NextTierGap | None
    flags: tuple[str, ...] = ()
    sku_id: str | None = None
    label: str = ""

    def _repr_html_(self) -> str:
        """HTML for notebooks (Jupyter calls it): the key figures, every text escaped."""
        return html.decision_html(self)

    def __repr__(self) -> str:
        """A one-line repr of what identifies the value (its full form is long; ``attrs.asdict`` has it all)."""
        return html.short_repr(self, sku_id=self.sku_id, tier=self.tier.value, rule=self.rule, label=self.label)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer: the short repr."""
        html.pretty(self, printer, cycle)

    def explain(self) -> str:
        """A readable trace: each rule tried, its comparisons, the outcome, and the next-tier gap."""
        lines = [f"{self.sku_id + ': ' if self.sku_id else ''}{self.tier.value} {self.label} (rule {self.rule!r})"]
        for name, checks, matched in self.checks:
            lines.append(f"  {'✓' if matched else '✗'} {name}")
            lines.extend(f"      {'ok ' if c.passed else 'no '} {c}" for c in checks)
        if self.next_tier_gap is not None:
            lines.append(f"  next: {self.next_tier_gap}")
        return "\n".join(lines)

    def __getstate__(self) -> dict[str, object]:
        """Pickle the explanation itself, not the policy and values it would be built from."""
        _explain_now(self.__dict__)
        return dict(self.__dict__)


def _explain_now(fields: dict[str, Any]) -> None:
    """Build a pending decision's checks and gap from its policy and captured values (see TierPolicy.decide)."""
    pending: tuple[TierPolicy, tuple[object, ...], Context] | None = fields.get("_pending")
    if pending is None:
        return
    policy, values, context = pending
    chosen: int | None = fields["rule_index"]
    tier: Tier = fields["tier"]
    if getcontext() is context:  # read in the thread, and under the context, that decided: no copy to enter
        checks, gap = policy._explain_captured(values, chosen, tier)
    else:
        with localcontext(context):
            checks, gap = policy._explain_captured(values, chosen, tier)
    fields["checks"] = checks
    fields["next_tier_gap"] = gap
    fields.pop("_pending", None)  # last: a reader that finds no _pending finds checks and next_tier_gap


def _explained(name: str, doc: str) -> property:
    """The attribute *name* of a TierDecision, built on first read if the decision is pending."""

    def read(decision: TierDecision) -> object:
        fields = decision.__dict__
        if "_pending" in fields:
            _explain_now(fields)
        return fields[name]

    return property(read, doc=doc)


# attrs stores fields in the instance __dict__; these data descriptors (which take precedence) read them there.
setattr(TierDecision, "checks", _explained("checks", "Every comparison evaluated, rule by rule, in order."))  # noqa: B010
setattr(TierDecision, "next_tier_gap", _explained("next_tier_gap", "How to reach the next tier up, or None."))  # noqa: B010

_NEW = object.__new__


@attrs.frozen
class _RuleTrace:
    """The file form of one step of a decision's trace: a rule tried, its comparisons, whether it matched."""

    rule: str
    checks: tuple[Check, ...]
    matched: bool


@hooks.register
def _teach(converter: cattrs.Converter) -> None:
    # A decision's trace is a tuple of (rule, checks, matched) triples in Python; as data each step names its parts.
    import cattrs

    def unstructure_trace(trace: tuple[tuple[str, tuple[Check, ...], bool], ...]) -> list[Any]:
        return [converter.unstructure(_RuleTrace(*step), _RuleTrace) for step in trace]

    def structure_trace(value: object, _: Any) -> tuple[tuple[str, tuple[Check, ...], bool], ...]:
        steps = converter.structure(value, tuple[_RuleTrace, ...])
        return tuple((step.rule, step.checks, step.matched) for step in steps)

    converter.register_unstructure_hook(
        TierDecision,
        cattrs.gen.make_dict_unstructure_fn(
            TierDecision, converter, checks=cattrs.gen.override(unstruct_hook=unstructure_trace)
        ),
    )
    read = cattrs.gen.make_dict_structure_fn(
        TierDecision,
        converter,
        _cattrs_forbid_extra_keys=True,
        checks=cattrs.gen.override(struct_hook=structure_trace),
    )

    def structure_decision(value: object, _: Any) -> TierDecision:
        if not isinstance(value, Mapping):
            raise InvalidValueError("TierDecision", value, "must be a table/object of TierDecision fields")
        return read(value, TierDecision)

    converter.register_structure_hook(TierDecision, structure_decision)


#: The hit policies a tier policy may use: ``first``, ``highest`` (DMN's PRIORITY) and ``unique``.
TIER_HIT_POLICIES: Final = (HitPolicy.FIRST, HitPolicy.HIGHEST, HitPolicy.UNIQUE)


def _label_dict(labels: object) -> Any:
    # Tier values written as text ("L5") are read as tiers; anything else reaches the validator.
    if not isinstance(labels, Mapping):
        return labels
    return ReadOnlyDict({Tier(k) if isinstance(k, str) and k in _RANKS else k: text for k, text in labels.items()})


def _check_labels(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ReadOnlyDict):
        raise PolicyError("TierPolicy.labels", value, "must be a table of tier to label")
    entries: list[tuple[object, object]] = list(dict.items(cast("dict[object, object]", value)))
    for key, text in entries:
        if not isinstance(key, Tier):
            raise PolicyError(f"TierPolicy.labels[{key!r}]", key, "must be a tier L0..L5")
        if not isinstance(text, str) or not text.strip() or len(text) > 100:
            raise PolicyError(f"TierPolicy.labels[{key.value}]", text, "must be a label of 1-100 characters")


@attrs.frozen
class TierPolicy:
    """An ordered decision table from inputs to tiers.

    Args:
        rules: The rules, in order.
        name: The policy's name; ``version`` a free-form version string.
        hit: ``"first"`` (the first matching rule decides; the default), ``"highest"`` (DMN's PRIORITY: the
            highest matching tier; ``"priority"`` reads as it) or ``"unique"`` (at most one rule may match; two
            matching rules raise). Text is read in any case (``"PRIORITY"``, DMN's letters ``"F"``, ``"P"``,
            ``"U"``): see :data:`fenxiao.rules.table.HIT_POLICY_NAMES`.
        fallback: The tier for inputs no rule matches; ``None`` makes an unmatched input an error.
        labels: Tier labels for people (Kuaishou's API: L1 新品上线 ... L5 行业尖货); defaults to
            :attr:`Tier.label_zh`.
        stability: Anti-flapping settings for :class:`TierHistory`.

    Raises:
        PolicyError: No rules, too many, duplicate names, unknown inputs or mistyped thresholds
            (with the path, e.g. ``TierPolicy.rules[3].when.all[1].input``).
    """

    rules: tuple[TierRule, ...] = attrs.field(
        converter=v.to_tuple,
        validator=rule_list("TierPolicy.rules", TierRule, TIER_INPUTS, non_empty=True),
        metadata=rows_bound(MAX_RULES),
    )
    name: str = attrs.field(default="custom", validator=_short_text)
    version: str = attrs.field(default="1", validator=_short_text)
    hit: HitPolicy = attrs.field(default=HitPolicy.FIRST, converter=hit_policy)
    fallback: Tier | None = attrs.field(default=None, validator=attrs.validators.optional(v.member_of(Tier)))
    labels: Mapping[Tier, str] = attrs.field(factory=dict, converter=_label_dict, validator=_check_labels)
    """Read-only once the policy is built (decisions cache them)."""
    stability: Stability = attrs.field(factory=Stability, validator=v.instance_of(Stability))

    @hit.validator
    def _check_hit(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in TIER_HIT_POLICIES:
            raise PolicyError("TierPolicy.hit", value, "must be 'first', 'highest' (or 'priority') or 'unique'")

    def label(self, tier: Tier) -> str:
        """The policy's label for *tier*."""
        return self.labels.get(tier, tier.label_zh)

    # -- deciding ---------------------------------------------------------------------------------

    @functools.cached_property
    def _program(self) -> _codegen.Program | None:
        """The rules compiled to Python functions, once per policy (``None``: the interpreter decides)."""
        if self.hit is HitPolicy.UNIQUE:
            return None  # every rule must be tried to find an overlap: the interpreter decides
        ranks = None if self.hit is HitPolicy.FIRST else [rule.tier.rank for rule in self.rules]
        conditions = [rule.when for rule in self.rules]
        return _codegen.compile_program(
            conditions, ranks, _OPTIONAL_INPUTS, _WHOLE_INPUTS, answers=self._tiers, label="tier policy"
        )

    def generated_source(self) -> str | None:
        """The Python source that :meth:`grade` and :meth:`decide` run for this policy, or ``None``.

        The rules are compiled on first use into two generated functions (rule data only ever a value in their
        namespace, never text that runs). Their source is registered in :mod:`linecache` under a readable name,
        so a traceback through grading shows the generated line; this returns the same text, with comments
        naming the value behind each name. ``None`` means the interpreter decides for this policy.

        >>> print(default_tier_policy().generated_source().splitlines()[0])
        def choose(v):

        .. versionadded:: 0.1
        """
        program = self._program
        return None if program is None else program.source

    @functools.cached_property
    def _choose(self) -> Callable[[Mapping[str, object]], Tier | None] | None:
        """The compiled rules as one function from inputs to the tier, or ``None``: ask the interpreter."""
        program = self._program
        return None if program is None else program.choose  # type: ignore[return-value]

    def grade(self, inputs: Mapping[str, object]) -> Tier:
        """The tier for *inputs*, without an explanation (the fast path).

        Raises:
            PolicyError: No rule matches and the policy has no fallback, or (hit policy ``unique``) two rules match.
            InvalidValueError: An input a rule needs is missing or cannot be compared.
        """
        choose = self._choose
        if choose is not None:
            try:
                tier = choose(inputs)
            except (KeyError, TypeError, ArithmeticError):  # missing, mistyped or NaN: the interpreter names it
                tier = None
            if tier is not None:
                return tier
        return self._grade_walk(inputs)  # also for an odd whole number, or no match without a fallback

    @functools.cached_property
    def _tiers(self) -> tuple[Tier | None, ...]:
        """What the compiled ``choose`` answers: each rule's tier, then ``None`` for ``-2`` (ask the interpreter)
        and the fallback for ``-1`` (no rule held; ``None`` without a fallback: the interpreter raises)."""
        return (*(rule.tier for rule in self.rules), None, self.fallback)

    def _grade_walk(self, inputs: Mapping[str, object]) -> Tier:
        """:meth:`grade` by walking the condition trees (the reference the compiled program agrees with)."""
        v.require_mapping(inputs, "TierPolicy.grade.inputs")
        best: Tier | None = None
        matched: list[int] = []
        for i, rule in enumerate(self.rules):
            if evaluate(rule.when, inputs):
                if self.hit is HitPolicy.FIRST:
                    return rule.tier
                matched.append(i)
                best = rule.tier if best is None or rule.tier > best else best
        if len(matched) > 1 and self.hit is HitPolicy.UNIQUE:
            raise self._overlap(matched)
        return self._unmatched() if best is None else best

    def _overlap(self, matched: list[int]) -> PolicyError:
        names = " and ".join(f"{self.rules[i].name!r} (rules[{i}])" for i in matched)
        return PolicyError("TierPolicy", self.name, f"rules {names} all match these inputs (hit policy 'unique')")

    def _unmatched(self) -> Tier:
        if self.fallback is None:
            raise self._no_match()
        return self.fallback

    def _no_match(self) -> PolicyError:
        return PolicyError("TierPolicy", self.name, "no rule matches these inputs and there is no fallback")

    def decide(self, inputs: Mapping[str, object], *, sku_id: str | None = None) -> TierDecision:
        """The tier for *inputs* with its full explanation and the gap to the next tier up.

        The values of every input the policy reads are captured now; the trace and the gap are built from
        them the first time :attr:`TierDecision.checks` or :attr:`TierDecision.next_tier_gap` is read.

        Raises:
            PolicyError: No rule matches and the policy has no fallback, or (hit policy ``unique``) two rules match.
            InvalidValueError: An input a rule needs is missing or cannot be compared.
        """
        program = self._program
        if program is None:
            return self._decide_eager(inputs, sku_id=sku_id)
        try:
            chosen, captured = program.capture(inputs)
        except Exception:  # any value the compiled rules cannot compare (or a missing one): the interpreter decides
            return self._decide_eager(inputs, sku_id=sku_id)
        template = self._templates[chosen]
        if template is None:  # an odd whole number, or no match without a fallback: the interpreter decides
            return self._decide_eager(inputs, sku_id=sku_id)
        # Every comparison the trace and the gap can make on these values has just succeeded (see Program).
        # A TierDecision whose checks and gap come later (see _explained), built faster than through __init__:
        # the fields a rule decides are copied from a template, not set one by one through the frozen __setattr__.
        decision: TierDecision = _NEW(TierDecision)
        fields = decision.__dict__
        fields.update(template)
        fields["sku_id"] = sku_id
        # The decimal context too: the explanation is built later under the same one (NaN traps and the like).
        fields["_pending"] = (self, captured, getcontext())
        return decision

    @functools.cached_property
    def _templates(self) -> tuple[dict[str, object] | None, ...]:
        """The fields of a pending decision other than the SKU and the values, indexed like :attr:`_tiers`."""
        outcomes: list[tuple[Tier, str, int | None, tuple[str, ...]]] = [
            (rule.tier, rule.name, i, rule.flags) for i, rule in enumerate(self.rules)
        ]
        if self.fallback is not None:
            outcomes.append((self.fallback, "(fallback)", None, ()))
        templates: list[dict[str, object] | None] = [
            {"tier": tier, "rule": name, "rule_index": index, "flags": flags, "label": self.label(tier)}
            for tier, name, index, flags in outcomes
        ]
        if self.fallback is None:
            templates.append(None)
        templates.insert(len(self.rules), None)
        return tuple(templates)

    @functools.cached_property
    def _explainers(self) -> list[_codegen.Explainer | None]:
        """Each rule's compiled explanation, compiled the first time a decision's explanation needs it."""
        return [None] * len(self.rules)

    def _explain_rule(self, index: int, values: tuple[object, ...]) -> tuple[tuple[Check, ...], bool]:
        """Rule *index* explained on the values ``capture`` returned: its checks and whether it holds."""
        explainers = self._explainers
        explainer = explainers[index]
        if explainer is None:
            program = self._program
            assert program is not None  # captured values come only from a compiled policy
            explainer = _codegen.compile_explainer(
                self.rules[index].when, program.names, _OPTIONAL_INPUTS, _WHOLE_INPUTS, label=f"tier rule {index}"
            )
            if explainer is None:  # pragma: no cover - every rule of a compiled policy compiles
                explanation = explain(self.rules[index].when, dict(zip(program.names, values, strict=True)))
                return explanation.checks, explanation.passed
            explainers[index] = explainer  # two threads may both compile it: either function will do
        return explainer(values)

    def _explain_captured(
        self, values: tuple[object, ...], chosen: int | None, tier: Tier
    ) -> tuple[tuple[tuple[str, tuple[Check, ...], bool], ...], NextTierGap | None]:
        """The trace and the next-tier gap of a decision from its captured values, by the compiled explanations
        (the same, check for check, as :meth:`_decide_eager` builds by walking the condition trees): the trace by
        one function per number of rules tried, the gap from its plan per deciding rule (see
        :func:`~fenxiao.grading.gap._plan_gap`)."""
        known = self._gap_plans.get(chosen)
        if known is None:
            program = self._program
            assert program is not None  # captured values come only from a compiled policy
            tried = len(self.rules) if chosen is None or self.hit is not HitPolicy.FIRST else chosen + 1
            known = self._gap_plans[chosen] = (self._trace(tried), _plan_gap(self, tier, chosen, tried, program.names))
        trace_of, plan = known
        trace = trace_of(values)
        return trace, None if plan is None else plan.build(self, plan, values, chosen, trace)

    def _rank_of(self, values: list[object]) -> int:
        """The rank of the tier for *values* (in the order of the program's names, some moved to thresholds by a
        next-tier gap), ``0`` (L0) where grading raises: :meth:`_safe_grade`'s answer, decided by the compiled
        rules on the values as they are (no mapping built), or else by :meth:`_safe_grade` itself."""
        recheck = self._recheck
        if recheck is not None:
            try:
                index = recheck(values)
            except Exception:  # a moved value the compiled rules cannot compare: the interpreter answers below
                index = -2
            if index >= 0:
                return self._ranks[index]
            if index == -1:
                return 0 if self.fallback is None else self.fallback.rank
        program = self._program
        assert program is not None  # captured values come only from a compiled policy
        return self._safe_grade(dict(zip(program.names, values, strict=True))).rank

    @functools.cached_property
    def _recheck(self) -> _codegen.Recheck | None:
        """The compiled decision on captured values (see :func:`~fenxiao.rules.compiler.compile_recheck`)."""
        program = self._program
        assert program is not None  # asked only for captured values, which come only from a compiled policy
        ranks = None if self.hit is HitPolicy.FIRST else [rule.tier.rank for rule in self.rules]
        return _codegen.compile_recheck(
            [rule.when for rule in self.rules],
            ranks,
            program.names,
            _OPTIONAL_INPUTS,
            _WHOLE_INPUTS,
            label="tier policy on captured values",
        )

    @functools.cached_property
    def _ranks(self) -> tuple[int, ...]:
        return tuple(rule.tier.rank for rule in self.rules)

    def _holds(self, index: int, values: Sequence[object]) -> bool:
        """Whether rule *index* holds for the captured *values* (its compiled condition, made when first asked)."""
        conditions = self._conditions
        holds = conditions[index]
        if holds is None:
            program = self._program
            assert program is not None  # captured values come only from a compiled policy
            holds = _codegen.compile_holds(
                self.rules[index].when, program.names, _OPTIONAL_INPUTS, _WHOLE_INPUTS, label=f"tier rule {index}"
            )
            if holds is None:  # pragma: no cover - every rule of a compiled policy compiles
                return self._explain_rule(index, tuple(values))[1]
            conditions[index] = holds
        return bool(holds(values))

    @functools.cached_property
    def _conditions(self) -> list[_codegen.Holds | None]:
        """Each rule's compiled condition on captured values, compiled the first time a gap asks whether it holds."""
        return [None] * len(self.rules)

    @functools.cached_property
    def _gap_plans(self) -> dict[int | None, tuple[_codegen.Trace, _GapPlan | None]]:
        """Per deciding rule (``None``: the fallback), made when first needed: the function giving the trace, and
        the plan of the next-tier gap (``None``: there is none)."""
        return {}

    @functools.cached_property
    def _traces(self) -> dict[int, _codegen.Trace]:
        """The trace of a decision per number of rules tried, compiled when first needed."""
        return {}

    def _trace(self, tried: int) -> _codegen.Trace:
        """The function giving the trace of the first *tried* rules from captured values: one compiled function
        (every input read once), or for a long trace, each rule's compiled explanation in turn."""
        traces = self._traces
        trace = traces.get(tried)
        if trace is None:
            program = self._program
            assert program is not None  # captured values come only from a compiled policy
            rules = self.rules[:tried]
            trace = _codegen.compile_trace(
                [rule.when for rule in rules],
                [rule.name for rule in rules],
                program.names,
                _OPTIONAL_INPUTS,
                _WHOLE_INPUTS,
                label=f"tier trace of {tried} rules",
            )
            if trace is None:
                trace = functools.partial(self._trace_rule_by_rule, tried)
            traces[tried] = trace  # two threads may both compile it: either function will do
        return trace

    def _trace_rule_by_rule(
        self, tried: int, values: Sequence[object]
    ) -> tuple[tuple[str, tuple[Check, ...], bool], ...]:
        """The trace of the first *tried* rules, each rule's compiled explanation in turn."""
        names = self._rule_names
        steps = []
        for i in range(tried):
            checks, passed = self._explain_rule(i, tuple(values))
            steps.append((names[i], checks, passed))
        return tuple(steps)

    @functools.cached_property
    def _rule_names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.rules)

    def _decide_eager(self, inputs: Mapping[str, object], *, sku_id: str | None) -> TierDecision:
        """:meth:`decide` with the trace and gap built at once by walking the condition trees."""
        v.require_mapping(inputs, "TierPolicy.decide.inputs")
        trace: list[tuple[str, tuple[Check, ...], bool]] = []
        chosen: int | None = None
        matched: list[int] = []
        for i, rule in enumerate(self.rules):
            explanation = explain(rule.when, inputs)
            trace.append((rule.name, explanation.checks, explanation.passed))
            if explanation.passed:
                matched.append(i)
                if self.hit is HitPolicy.FIRST:
                    chosen = i
                    break
                if chosen is None or rule.tier > self.rules[chosen].tier:
                    chosen = i
        if len(matched) > 1 and self.hit is HitPolicy.UNIQUE:
            raise self._overlap(matched)
        if chosen is None:
            tier, rule_name, flags = self._unmatched(), "(fallback)", tuple[str, ...]()
        else:
            rule = self.rules[chosen]
            tier, rule_name, flags = rule.tier, rule.name, rule.flags
        return TierDecision(
            tier=tier,
            rule=rule_name,
            rule_index=chosen,
            checks=tuple(trace),
            next_tier_gap=next_tier_gap(self, inputs, tier, chosen),
            flags=flags,
            sku_id=sku_id,
            label=self.label(tier),
        )

    def decide_sku(
        self,
        snapshot: SkuSnapshot,
        scorecard: object,
        as_of: datetime,
        *,
        explain: bool = True,
        context: ScoringContext | None = None,
    ) -> TierDecision:
        """Decide one SKU's tier from its snapshot and scorecard at *as_of*.

        Args:
            snapshot: The SKU's metrics.
            scorecard: A :class:`~fenxiao.scoring.dimensions.SkuScores` (or a mapping of the six score inputs).
            as_of: The moment of grading (timezone-aware).
            explain: ``False`` skips the trace and gap (faster); the tier is the same.
            context: The scoring context the SKU was scored against (for ``units_vs_category``; missing
                without it).

        .. versionchanged:: 0.1
           Was ``evaluate``, a name :func:`fenxiao.rules.interpreter.evaluate` uses for a yes/no answer.
        """
        inputs = tier_inputs(snapshot, _scores_of(scorecard), as_of, context=context)
        if not explain:
            tier = self.grade(inputs)
            return TierDecision(tier, "", None, (), None, sku_id=snapshot.sku_id, label=self.label(tier))
        return self.decide(inputs, sku_id=snapshot.sku_id)

    def evaluate(
        self, snapshot: SkuSnapshot, scorecard: object, as_of: datetime, *, explain: bool = True
    ) -> TierDecision:
        """Deprecated alias of :meth:`decide_sku`.

        .. deprecated:: 0.1
           Use :meth:`decide_sku`.
        """
        warnings.warn(
            "TierPolicy.evaluate() is deprecated; use TierPolicy.decide_sku()", DeprecationWarning, stacklevel=2
        )
        return self.decide_sku(snapshot, scorecard, as_of, explain=explain)

    @functools.cached_property
    def _ladder(self) -> dict[Tier, tuple[tuple[int, TierRule, tuple[int, ...], bool], ...]]:
        """For each tier, the rules giving it, in order, each with its index, the indices of the earlier rules
        of a lower tier (under the ``first`` hit policy, those can catch a SKU before the rule is reached) and
        whether its condition is comparisons under ``all`` alone (its one way to hold: its unmet checks)."""
        ladder: dict[Tier, list[tuple[int, TierRule, tuple[int, ...], bool]]] = {}
        for index, rule in enumerate(self.rules):
            first = self.hit is HitPolicy.FIRST
            lower = tuple(i for i in range(index) if self.rules[i].tier < rule.tier) if first else ()
            ladder.setdefault(rule.tier, []).append((index, rule, lower, _only_all(rule.when)))
        return {tier: tuple(entries) for tier, entries in ladder.items()}

    def _safe_grade(self, inputs: Mapping[str, object]) -> Tier:
        try:
            return self.grade(inputs)
        except PolicyError:
            return Tier.L0

    # -- static checks ----------------------------------------------------------------------------

    def lint(self, *, budget: int = LINT_BUDGET) -> tuple[Finding, ...]:
        """Static checks; see :func:`fenxiao.grading.lint.lint_policy` (*budget* bounds the search steps)."""
        return lint_policy(self, budget=budget)


# -- the default policy ----------------------------------------------------------------------------


@functools.cache
def default_tier_policy() -> TierPolicy:
    """The default grading, faithful to the seed article; every threshold is a documented, editable default.

    ====  ===============  =========================================================================
    tier  rule             condition (first match wins, in this order)
    ====  ===============  =========================================================================
    L0    new-sku          days_since_joining < 14 and units_30d == 0 (new, no sales: 无动销)
    L0    no-sales         units_30d == 0 (still no sales after 14 days; flagged ``stale``)
    L1    low-sales-in-    units_vs_category < 50 (some sales, but below half the median units of the
          category         category's selling goods; read against the scoring context)
    L1    low-sales        units_vs_category missing (no benchmark) and units_30d < 100
    L5    selected-goods   composite >= 90, score.service >= 80, every other score.* >= 70,
                           units_30d >= 1000, serious_violations_365d == 0 (精选好物)
    L4    hot-item         composite >= 75, score.service >= 70, units_30d >= 300
    L3    quality          composite >= 60, score.service >= 60
    L2    qualified        composite >= 40, score.service >= 40
    L1    selling          units_30d >= 1 (everything else that sells)
    ====  ===============  =========================================================================

    The policy is read from ``fenxiao/data/defaults/tier_policy.toml`` (once; the value is frozen and shared):
    copy that file, edit it and load it with :func:`fenxiao.serialization.load` to grade your own way.

    >>> default_tier_policy() is default_tier_policy()
    True
    """
    return read_default("tier_policy.toml", TierPolicy)
