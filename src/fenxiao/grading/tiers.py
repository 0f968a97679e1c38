"""Grading goods L0–L5: :class:`Tier`, :class:`TierPolicy`, :class:`TierDecision`, :class:`TierHistory`.

A tier policy is an ordered list of rules, each giving a tier when its
condition (the language of :mod:`fenxiao.rules.language`) holds. The hit policy is
explicit: ``first`` (the default, as in decision tables: the first rule whose
condition holds decides) or ``highest`` (the highest tier among all rules that
hold). A policy may name a ``fallback`` tier for inputs no rule covers;
without one, :meth:`TierPolicy.lint` reports any such gap as an error.

Conditions compare named inputs (:data:`TIER_INPUTS`): every metric of a
:class:`~fenxiao.domain.snapshots.SkuSnapshot` (rates as fractions, money in yuan),
the five dimension scores and the composite (0–100), and
``days_since_joining`` (whole days from joining the pool to ``as_of``).

>>> policy = default_tier_policy()
>>> [rule.name for rule in policy.rules][:3]
['new-sku', 'no-sales', 'low-sales']
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

import enum
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Context, Decimal, getcontext, localcontext
from typing import Any, Final, Literal, NoReturn, cast

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Money, Rate
from fenxiao.rules import compiler as _codegen
from fenxiao.rules.interpreter import Check, difference, evaluate, explain, make_check
from fenxiao.rules.language import All, AnyOf, Compare, Condition, InputKind, InputSpec, Not, Op, Schema, check
from fenxiao.rules.witness import SearchBudget, find_witness

__all__ = [
    "DIMENSION_INPUTS",
    "MAX_RULES",
    "TIER_INPUTS",
    "Finding",
    "NextTierGap",
    "Severity",
    "Stability",
    "Tier",
    "TierChange",
    "TierDecision",
    "TierHistory",
    "TierPolicy",
    "TierRule",
    "default_tier_policy",
    "example_inputs",
    "tier_inputs",
]

#: The most rules one policy may hold.
MAX_RULES: Final = 200


class Tier(enum.Enum):
    """A product grade, L0 (new, no sales) to L5 (精选好物, selected goods). Ordered: ``Tier.L5 > Tier.L2``."""

    L0 = "L0"
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"
    L5 = "L5"

    @property
    def rank(self) -> int:
        """0 for L0 ... 5 for L5."""
        return _RANKS[self._value_]

    # Written out (not functools.total_ordering): tiers are compared in hot loops.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self._value_] < _RANKS[other._value_]

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self._value_] <= _RANKS[other._value_]

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self._value_] > _RANKS[other._value_]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self._value_] >= _RANKS[other._value_]

    def __hash__(self) -> int:
        return hash(self._value_)

    @property
    def label_zh(self) -> str:
        """The default Chinese label (configurable per policy: see :attr:`TierPolicy.labels`)."""
        return _LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        """The default English label."""
        return _LABELS_EN[self]

    def next_up(self) -> Tier | None:
        """The tier above, or ``None`` for L5."""
        return None if self is Tier.L5 else Tier(f"L{self.rank + 1}")


_RANKS: Final = {"L0": 0, "L1": 1, "L2": 2, "L3": 3, "L4": 4, "L5": 5}

_LABELS_ZH: Final = {
    Tier.L0: "新品",
    Tier.L1: "有动销",
    Tier.L2: "达标商品",
    Tier.L3: "优质好物",
    Tier.L4: "行业爆款",
    Tier.L5: "精选好物",
}
_LABELS_EN: Final = {
    Tier.L0: "new",
    Tier.L1: "selling",
    Tier.L2: "qualified",
    Tier.L3: "quality",
    Tier.L4: "hot item",
    Tier.L5: "selected goods",
}

#: The dimension-score inputs (0–100, exact to 0.01) and the composite. Dimension scores are
#: namespaced (``score.price``) so they never clash with a snapshot metric (``price`` is the selling price).
DIMENSION_INPUTS: Final = (
    "score.brand",
    "score.price",
    "score.distribution",
    "score.service",
    "score.sales",
    "composite",
)

_LOWER_IS_BETTER: Final = frozenset(
    {
        "bad_review_rate",
        "quality_return_rate",
        "refund_rate",
        "complaint_rate",
        "serious_violations_365d",
        "price",
        "lowest_price_30d",
    }
)
_NEUTRAL: Final = frozenset({"reference_price"})


def _snapshot_specs() -> list[InputSpec]:
    specs = []
    for field in attrs.fields(SkuSnapshot):
        if field.name not in METRIC_FIELDS:
            continue
        better: str | None = "lower" if field.name in _LOWER_IS_BETTER else None if field.name in _NEUTRAL else "higher"
        text = str(field.type)
        optional = "None" in text  # e.g. reference_price: Money | None
        if "bool" in text:
            specs.append(InputSpec(field.name, kind=InputKind.BOOL, better=better, optional=optional))
        elif "Rate" in text:
            specs.append(InputSpec(field.name, low=Decimal(0), high=Decimal(1), better=better, optional=optional))
        elif "Money" in text:
            specs.append(InputSpec(field.name, low=Decimal(0), better=better, description="in yuan", optional=optional))
        elif "Decimal" in text:
            specs.append(InputSpec(field.name, low=Decimal(0), high=Decimal(5), better=better, optional=optional))
        else:
            specs.append(InputSpec(field.name, low=Decimal(0), integer=True, better=better, optional=optional))
    return specs


#: Every input a tier condition may name.
TIER_INPUTS: Final = Schema.of(
    *_snapshot_specs(),
    *(InputSpec(name, low=Decimal(0), high=Decimal(100), description="score 0-100") for name in DIMENSION_INPUTS),
    InputSpec("days_since_joining", low=Decimal(0), integer=True, better=None, description="whole days in the pool"),
)


#: Inputs that may be missing (``None``): the compiled rules test them for ``None`` before comparing.
_OPTIONAL_INPUTS: Final = frozenset(spec.name for spec in TIER_INPUTS.inputs.values() if spec.optional)
#: Inputs holding whole numbers (counts, days): the compiled rules compare them with ``int`` thresholds.
_WHOLE_INPUTS: Final = frozenset(spec.name for spec in TIER_INPUTS.inputs.values() if spec.integer)


def _input_value(value: object) -> object:
    if isinstance(value, Rate):
        return value.value
    if isinstance(value, Money):
        return value.yuan
    return value


def tier_inputs(snapshot: SkuSnapshot, scores: Mapping[str, object], as_of: datetime) -> dict[str, object]:
    """The named inputs of one SKU: snapshot metrics, dimension scores and composite, days since joining.

    Args:
        snapshot: The SKU's observed metrics.
        scores: ``score.brand``, ``score.price``, ``score.distribution``, ``score.service``, ``score.sales``
            and ``composite`` (0–100).
        as_of: The moment of grading (timezone-aware); days are counted to it.

    Raises:
        InvalidValueError: A score is missing or outside 0–100, or *as_of* is naive or before joining.
    """
    when = v.require_aware(as_of, "tier_inputs.as_of")
    values: dict[str, object] = {}
    for name in METRIC_FIELDS:
        value = getattr(snapshot, name)
        # A metric the snapshot lacks is None: it satisfies no comparison (see fenxiao.rules.language).
        values[name] = None if value is None else _input_value(value)
    for name in DIMENSION_INPUTS:
        if name not in scores:
            raise InvalidValueError(f"scores.{name}", None, "is required for grading")
        score = scores[name]
        if not isinstance(score, Decimal) or not Decimal(0) <= score <= Decimal(100):
            raise InvalidValueError(f"scores.{name}", score, "must be a Decimal between 0 and 100")
        values[name] = score
    days = (when - snapshot.joined_at).days
    if days < 0:
        raise InvalidValueError("tier_inputs.as_of", as_of, "is before the SKU joined the pool")
    values["days_since_joining"] = days
    return values


def example_inputs(**overrides: object) -> dict[str, object]:
    """A complete set of tier inputs with neutral values, for examples and tests.

    Every snapshot metric is zero/false, every score is 50, ``days_since_joining`` is 30;
    *overrides* replace them (strings are read as Decimals: ``composite="92.5"``).
    """
    values: dict[str, object] = {}
    for spec in TIER_INPUTS.inputs.values():
        if spec.kind is InputKind.BOOL:
            values[spec.name] = False
        elif spec.name in DIMENSION_INPUTS:
            values[spec.name] = Decimal(50)
        else:
            values[spec.name] = 0 if spec.integer else Decimal(0)
    values["days_since_joining"] = 30
    for name, value in overrides.items():
        if name not in TIER_INPUTS:
            raise InvalidValueError(f"example_inputs.{name}", value, "is not a tier input" + TIER_INPUTS.suggest(name))
        values[name] = Decimal(value) if isinstance(value, str) else value
    return values


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


@attrs.frozen
class Stability:
    """How grades are kept from flapping (see :class:`TierHistory`).

    Promotion takes effect at once. A demotion takes effect only once the SKU has
    been graded below its tier in ``demote_after_evaluations`` consecutive
    evaluations *and* for at least ``demote_after_days`` days since the first of
    them (set either to 1/0 to disable that part). Inside the new-SKU window
    (``new_sku_days`` from joining the pool, 14 by default, the window of the default
    policy's ``new-sku`` rule) grades are provisional: there is no established grade
    to protect yet, so a demotion there takes effect at once.
    """

    demote_after_evaluations: int = attrs.field(default=3, validator=v.int_between(1, 10_000))
    demote_after_days: int = attrs.field(default=7, validator=v.int_between(0, 3650))
    new_sku_days: int = attrs.field(default=14, validator=v.int_between(0, 3650))


class Severity(enum.Enum):
    """How serious a lint finding is; ``error`` makes ``python -m fenxiao lint`` exit non-zero."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@attrs.frozen
class Finding:
    """One lint finding: where, how serious, what kind, a message for people, and an example input if any.

    ``example`` holds, for a ``gap``, input values (of the inputs the rules mention) that no rule matches.
    """

    path: str
    severity: Severity
    code: str
    message: str
    example: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return f"{self.path}: {self.severity.value} [{self.code}] {self.message}"


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


def _explain_now(fields: dict[str, object]) -> None:
    """Build a pending decision's checks and gap from its policy and captured values (see TierPolicy.decide)."""
    pending = fields.get("_pending")
    if pending is None:
        return
    policy, values, context = cast("tuple[TierPolicy, tuple[object, ...], Context]", pending)
    program = policy._program
    assert program is not None  # a pending decision comes only from a compiled policy
    with localcontext(context):
        full = policy._decide_eager(dict(zip(program.names, values, strict=True)), sku_id=None)
    fields["checks"] = full.checks
    fields["next_tier_gap"] = full.next_tier_gap
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


HitPolicy = Literal["first", "highest"]


def _check_rules(instance: TierPolicy, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise PolicyError("TierPolicy.rules", value, "must be a non-empty list of rules")
    if len(value) > MAX_RULES:
        raise PolicyError("TierPolicy.rules", len(value), f"holds more than {MAX_RULES} rules")
    seen: set[str] = set()
    for i, rule in enumerate(value):
        if not isinstance(rule, TierRule):
            raise PolicyError(f"TierPolicy.rules[{i}]", rule, "must be a TierRule")
        if rule.name in seen:
            raise PolicyError(f"TierPolicy.rules[{i}].name", rule.name, "is used by an earlier rule")
        seen.add(rule.name)
        check(rule.when, TIER_INPUTS, f"TierPolicy.rules[{i}].when")


class _Labels(dict[Tier, str]):
    """A read-only table of tier labels (a ``dict`` that refuses changes): a policy is frozen, and the decisions
    it makes cache its labels."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a policy's labels are read-only: build a new policy (attrs.evolve) to change them")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __reduce__(self) -> tuple[type[_Labels], tuple[dict[Tier, str]]]:
        return _Labels, (dict(self),)

    def __copy__(self) -> _Labels:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> _Labels:
        return self


def _label_dict(labels: object) -> Any:
    # Tier values written as text ("L5") are read as tiers; anything else reaches the validator.
    if not isinstance(labels, Mapping):
        return labels
    return _Labels({Tier(k) if isinstance(k, str) and k in _RANKS else k: text for k, text in labels.items()})


def _check_labels(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _Labels):
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
        hit: ``"first"`` (first matching rule decides; the default) or ``"highest"`` (highest matching tier).
        fallback: The tier for inputs no rule matches; ``None`` makes an unmatched input an error.
        labels: Tier labels for people (Kuaishou's API: L1 新品上线 ... L5 行业尖货); defaults to
            :attr:`Tier.label_zh`.
        stability: Anti-flapping settings for :class:`TierHistory`.

    Raises:
        PolicyError: No rules, too many, duplicate names, unknown inputs or mistyped thresholds
            (with the path, e.g. ``TierPolicy.rules[3].when.all[1].input``).
    """

    rules: tuple[TierRule, ...] = attrs.field(converter=v.to_tuple, validator=_check_rules)
    name: str = attrs.field(default="custom", validator=_short_text)
    version: str = attrs.field(default="1", validator=_short_text)
    hit: HitPolicy = attrs.field(default="first")
    fallback: Tier | None = attrs.field(default=None, validator=attrs.validators.optional(v.member_of(Tier)))
    labels: Mapping[Tier, str] = attrs.field(factory=dict, converter=_label_dict, validator=_check_labels)
    """Read-only once the policy is built (decisions cache them)."""
    stability: Stability = attrs.field(factory=Stability, validator=v.instance_of(Stability))

    @hit.validator
    def _check_hit(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in ("first", "highest"):
            raise PolicyError("TierPolicy.hit", value, "must be 'first' or 'highest'")

    def label(self, tier: Tier) -> str:
        """The policy's label for *tier*."""
        return self.labels.get(tier, tier.label_zh)

    # -- deciding ---------------------------------------------------------------------------------

    @functools.cached_property
    def _program(self) -> _codegen.Program | None:
        """The rules compiled to Python functions, once per policy (``None``: the interpreter decides)."""
        ranks = None if self.hit == "first" else [rule.tier.rank for rule in self.rules]
        conditions = [rule.when for rule in self.rules]
        return _codegen.compile_program(conditions, ranks, _OPTIONAL_INPUTS, _WHOLE_INPUTS, answers=self._tiers)

    @functools.cached_property
    def _choose(self) -> Callable[[Mapping[str, object]], Tier | None] | None:
        """The compiled rules as one function from inputs to the tier, or ``None``: ask the interpreter."""
        program = self._program
        return None if program is None else program.choose  # type: ignore[return-value]

    def grade(self, inputs: Mapping[str, object]) -> Tier:
        """The tier for *inputs*, without an explanation (the fast path).

        Raises:
            PolicyError: No rule matches and the policy has no fallback.
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
        best: Tier | None = None
        for rule in self.rules:
            if evaluate(rule.when, inputs):
                if self.hit == "first":
                    return rule.tier
                best = rule.tier if best is None or rule.tier > best else best
        return self._unmatched() if best is None else best

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
            PolicyError: No rule matches and the policy has no fallback.
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

    def _decide_eager(self, inputs: Mapping[str, object], *, sku_id: str | None) -> TierDecision:
        """:meth:`decide` with the trace and gap built at once by walking the condition trees."""
        trace: list[tuple[str, tuple[Check, ...], bool]] = []
        chosen: int | None = None
        for i, rule in enumerate(self.rules):
            explanation = explain(rule.when, inputs)
            trace.append((rule.name, explanation.checks, explanation.passed))
            if explanation.passed:
                if self.hit == "first":
                    chosen = i
                    break
                if chosen is None or rule.tier > self.rules[chosen].tier:
                    chosen = i
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
            next_tier_gap=self._gap(inputs, tier, chosen),
            flags=flags,
            sku_id=sku_id,
            label=self.label(tier),
        )

    def evaluate(
        self, snapshot: SkuSnapshot, scorecard: object, as_of: datetime, *, explain: bool = True
    ) -> TierDecision:
        """Grade one SKU from its snapshot and scorecard at *as_of*.

        Args:
            snapshot: The SKU's metrics.
            scorecard: A :class:`~fenxiao.scoring.dimensions.SkuScores` (or a mapping of the six score inputs).
            as_of: The moment of grading (timezone-aware).
            explain: ``False`` skips the trace and gap (faster); the tier is the same.
        """
        inputs = tier_inputs(snapshot, _scores_of(scorecard), as_of)
        if not explain:
            tier = self.grade(inputs)
            return TierDecision(tier, "", None, (), None, sku_id=snapshot.sku_id, label=self.label(tier))
        return self.decide(inputs, sku_id=snapshot.sku_id)

    def _gap(self, inputs: Mapping[str, object], tier: Tier, chosen: int | None) -> NextTierGap | None:
        """The cheapest verified way up: for each tier above, the rules giving it, fewest unmet comparisons first.

        Under the ``first`` hit policy a lower-tier rule listed earlier can catch the SKU before the target
        rule (e.g. ``low-sales`` before ``qualified``); escaping it is part of the gap, as the comparison that
        would have to change (``units_30d 64 < 100 needed (+36)``). *chosen* is the index of the rule that
        decided (``None``: no rule held): the rules before it do not hold, and it does.
        """
        lenient = _Lenient(inputs)
        holds: dict[int, bool] = {}
        target = tier.next_up()
        while target is not None:
            candidates = []
            for rule, lower in self._ladder.get(target, ()):
                unmet = list(explain(rule.when, lenient).unmet())
                for b in lower:
                    if b not in holds:
                        if chosen is None or b < chosen:
                            holds[b] = False
                        else:
                            holds[b] = b == chosen or evaluate(self.rules[b].when, inputs)
                    if holds[b]:
                        escape = _escape(self.rules[b].when, inputs)
                        if escape is not None and all(c.input != escape.input for c in unmet):
                            unmet.append(escape)
                raised = _raise_to(inputs, unmet)
                reached = raised is not None and self._safe_grade(raised) >= target
                candidates.append((not reached, len(unmet), rule.name, tuple(unmet), reached))
            if candidates:
                candidates.sort(key=lambda c: (c[0], c[1], c[2]))
                _, _, name, unmet_checks, reached = candidates[0]
                return NextTierGap(target, name, unmet_checks, reached, self.label(target))
            target = target.next_up()
        return None

    @functools.cached_property
    def _ladder(self) -> dict[Tier, tuple[tuple[TierRule, tuple[int, ...]], ...]]:
        """For each tier, the rules giving it, in order, each with the indices of the earlier rules of a lower
        tier (under the ``first`` hit policy, those can catch a SKU before the rule is reached)."""
        ladder: dict[Tier, list[tuple[TierRule, tuple[int, ...]]]] = {}
        for index, rule in enumerate(self.rules):
            lower = () if self.hit != "first" else tuple(i for i in range(index) if self.rules[i].tier < rule.tier)
            ladder.setdefault(rule.tier, []).append((rule, lower))
        return {tier: tuple(entries) for tier, entries in ladder.items()}

    def _safe_grade(self, inputs: Mapping[str, object]) -> Tier:
        try:
            return self.grade(inputs)
        except PolicyError:
            return Tier.L0

    # -- static checks ----------------------------------------------------------------------------

    def lint(self, *, budget: int = 200_000) -> tuple[Finding, ...]:
        """Static checks; see :func:`lint_policy` (*budget* bounds the search steps for the whole policy)."""
        return lint_policy(self, budget=budget)


def _scores_of(scorecard: object) -> Mapping[str, object]:
    """The six score inputs of a :class:`~fenxiao.scoring.dimensions.SkuScores` (or a mapping holding them)."""
    if isinstance(scorecard, Mapping):
        return scorecard
    values = getattr(scorecard, "values", None)
    composite = getattr(scorecard, "composite", None)
    if callable(values) and composite is not None:
        result: dict[str, object] = {f"score.{getattr(d, 'value', d)}": value for d, value in values().items()}
        result["composite"] = composite
        return result
    raise InvalidValueError("scorecard", scorecard, "must be a SkuScores or a mapping of score inputs")


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


_IMPROVING_NEGATION: Final = {
    # op of a matching blocker -> (op that escapes it, which direction that moves the input)
    Op.LT: (Op.GE, "higher"),
    Op.LE: (Op.GT, "higher"),
    Op.GT: (Op.LE, "lower"),
    Op.GE: (Op.LT, "lower"),
}


def _escape(condition: Condition, inputs: Mapping[str, object]) -> Check | None:
    """A comparison that, met, makes *condition* (which holds now) fail, moving an input the better way.

    Only top-level comparisons of a plain comparison or an ``all`` are considered; ``==`` on a whole number
    whose better direction is higher escapes upwards (``units_30d == 0`` becomes ``units_30d >= 1``).
    """
    for leaf in _conjuncts(condition):
        spec = TIER_INPUTS[leaf.input]
        value = leaf.value
        actual = inputs.get(leaf.input)
        if not isinstance(value, Decimal) or isinstance(actual, bool) or not isinstance(actual, (int, Decimal)):
            continue
        if leaf.op is Op.EQ and spec.better == "higher":
            op, threshold = Op.GE, value + _step(spec)
        elif leaf.op in _IMPROVING_NEGATION and _IMPROVING_NEGATION[leaf.op][1] == spec.better:
            op, threshold = _IMPROVING_NEGATION[leaf.op][0], value
        else:
            continue
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
        if c.op in (Op.GE, Op.LE, Op.EQ) and not isinstance(threshold, tuple):
            raised[c.input] = threshold
        elif c.op is Op.GT and isinstance(threshold, Decimal):
            raised[c.input] = threshold + _step(spec)
        elif c.op is Op.LT and isinstance(threshold, Decimal):
            raised[c.input] = threshold - _step(spec)
        elif c.op is Op.BETWEEN and isinstance(threshold, tuple) and c.gap is not None:
            low, high = threshold
            raised[c.input] = low if c.gap > 0 else high
        elif c.op is Op.IN and isinstance(threshold, tuple) and threshold:
            raised[c.input] = threshold[0]
        else:
            return None
    return raised


# -- lint ------------------------------------------------------------------------------------------


def _conjuncts(condition: Condition) -> list[Compare]:
    if isinstance(condition, Compare):
        return [condition]
    if isinstance(condition, All):
        return [leaf for c in condition.conditions for leaf in _conjuncts(c)]
    return []


def _bounds(condition: Condition, *, lower: bool) -> dict[str, Decimal]:
    """For each input, the tightest lower (``>=``, ``>``, between) or upper (``<=``, ``<``, between) bound a
    rule's top-level conjunction imposes."""
    ops, end, tightest = ((Op.GE, Op.GT), 0, max) if lower else ((Op.LE, Op.LT), 1, min)
    bounds: dict[str, Decimal] = {}
    for leaf in _conjuncts(condition):
        value = leaf.value
        if leaf.op in ops and isinstance(value, Decimal):
            bound = value
        elif leaf.op is Op.BETWEEN and isinstance(value, tuple) and isinstance(edge := value[end], Decimal):
            bound = edge
        else:
            continue
        bounds[leaf.input] = tightest(bound, bounds.get(leaf.input, bound))
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
    """Static checks of a tier policy, each finding with its place and severity.

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
    findings: list[Finding] = []
    rules = policy.rules
    fires: list[bool] = []
    meter = SearchBudget(budget)  # one budget for the whole policy: lint time is bounded
    exhausted = False
    for i, rule in enumerate(rules):
        if exhausted:
            fires.append(True)  # unchecked: assume it can fire
            continue
        earlier = [Not(r.when) for r in rules[:i]] if policy.hit == "first" else []
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
    if policy.fallback is None and exhausted:
        findings.append(Finding("rules", Severity.WARNING, "too-complex", "could not check for gaps"))
    elif policy.fallback is None:
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
    named = {r.tier for r in rules} | ({policy.fallback} if policy.fallback else set())
    reachable = {r.tier for r, ok in zip(rules, fires, strict=True) if ok} | (
        {policy.fallback} if policy.fallback else set()
    )
    for tier in Tier:
        if tier not in named:
            findings.append(Finding("rules", Severity.INFO, "missing-tier", f"no rule gives {tier.value}"))
        elif tier not in reachable:
            findings.append(
                Finding("rules", Severity.WARNING, "unreachable-tier", f"{tier.value} is named but no rule can give it")
            )
    findings.extend(_monotonicity(rules))
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return tuple(sorted(findings, key=lambda f: (order[f.severity], f.path, f.code, f.message)))


def _monotonicity(rules: Sequence[TierRule]) -> list[Finding]:
    """One ``non-monotone`` finding per (higher rule, input): its weakest threshold against the strictest lower one."""
    lowers = [_lower_bounds(r.when) for r in rules]
    uppers = [_upper_bounds(r.when) for r in rules]
    worst: dict[tuple[int, str], tuple[Decimal, int, str]] = {}
    for i, hi in enumerate(rules):
        for j, lo in enumerate(rules):
            if hi.tier <= lo.tier:
                continue
            for name, bound in lowers[j].items():
                hi_bound = lowers[i].get(name)
                if TIER_INPUTS[name].better == "higher" and hi_bound is not None and hi_bound < bound:
                    key, excess = (i, name), bound - hi_bound
                    if key not in worst or excess > worst[key][0]:
                        worst[key] = (
                            excess,
                            j,
                            f"needs {name} >= {hi_bound} but the lower {lo.tier.value} rule "
                            f"{lo.name!r} (rules[{j}]) needs {name} >= {bound}",
                        )
            for name, bound in uppers[j].items():
                hi_bound = uppers[i].get(name)
                if TIER_INPUTS[name].better == "lower" and hi_bound is not None and hi_bound > bound:
                    key, excess = (i, name), hi_bound - bound
                    if key not in worst or excess > worst[key][0]:
                        worst[key] = (
                            excess,
                            j,
                            f"allows {name} <= {hi_bound} but the lower {lo.tier.value} rule "
                            f"{lo.name!r} (rules[{j}]) needs {name} <= {bound}",
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


# -- the default policy ----------------------------------------------------------------------------


def _ge(name: str, value: str | int) -> Compare:
    return Compare(name, Op.GE, Decimal(value))


def default_tier_policy() -> TierPolicy:
    """The default grading, faithful to the seed article; every threshold is a documented, editable default.

    ====  ===============  =========================================================================
    tier  rule             condition (first match wins, in this order)
    ====  ===============  =========================================================================
    L0    new-sku          days_since_joining < 14 and units_30d == 0 (new, no sales: 无动销)
    L0    no-sales         units_30d == 0 (still no sales after 14 days; flagged ``stale``)
    L1    low-sales        units_30d < 100 (some sales, but not many)
    L5    selected-goods   composite >= 90, score.service >= 80, every other score.* >= 70,
                           units_30d >= 1000, serious_violations_365d == 0 (精选好物)
    L4    hot-item         composite >= 75, score.service >= 70, units_30d >= 300
    L3    quality          composite >= 60, score.service >= 60
    L2    qualified        composite >= 40, score.service >= 40
    L1    selling          units_30d >= 1 (everything else that sells)
    ====  ===============  =========================================================================
    """
    rules = (
        TierRule(
            "new-sku",
            Tier.L0,
            All((Compare("days_since_joining", Op.LT, Decimal(14)), Compare("units_30d", Op.EQ, Decimal(0)))),
            description="a new SKU within 14 days of joining with no sales (无动销)",
        ),
        TierRule(
            "no-sales",
            Tier.L0,
            Compare("units_30d", Op.EQ, Decimal(0)),
            flags=("stale",),
            description="past the 14-day window and still no sales: stays L0, flagged stale",
        ),
        TierRule(
            "low-sales",
            Tier.L1,
            Compare("units_30d", Op.LT, Decimal(100)),
            description="has sales, but not many (fewer than 100 units in 30 days)",
        ),
        TierRule(
            "selected-goods",
            Tier.L5,
            All(
                (
                    _ge("composite", 90),
                    _ge("score.service", 80),
                    _ge("score.brand", 70),
                    _ge("score.price", 70),
                    _ge("score.distribution", 70),
                    _ge("score.sales", 70),
                    _ge("units_30d", 1000),
                    Compare("serious_violations_365d", Op.EQ, Decimal(0)),
                )
            ),
            description="精选好物: strong on every dimension, real sales volume, no violations",
        ),
        TierRule(
            "hot-item",
            Tier.L4,
            All((_ge("composite", 75), _ge("score.service", 70), _ge("units_30d", 300))),
            description="行业爆款: high composite with good service and volume",
        ),
        TierRule(
            "quality",
            Tier.L3,
            All((_ge("composite", 60), _ge("score.service", 60))),
            description="优质好物: good composite with decent service",
        ),
        TierRule(
            "qualified",
            Tier.L2,
            All((_ge("composite", 40), _ge("score.service", 40))),
            description="达标商品: meets the bar",
        ),
        TierRule("selling", Tier.L1, _ge("units_30d", 1), description="sells, below the L2 bar"),
    )
    return TierPolicy(rules=rules, name="default", version="2026.11")


# -- stability over time ---------------------------------------------------------------------------


@attrs.frozen
class TierChange:
    """A change of a SKU's effective tier: when, from what, to what, and why."""

    at: datetime
    old: Tier | None
    new: Tier
    reason: str


@attrs.frozen
class TierHistory:
    """The effective tier of one SKU over time, folded from dated decisions with anti-flapping rules.

    Build it empty and :meth:`record` each evaluation in time order; each call returns a new history.

    - A promotion (a decided tier above the effective one) takes effect at once.
    - A demotion takes effect only after the decided tier has stayed below the effective one for
      ``stability.demote_after_evaluations`` consecutive evaluations spanning at least
      ``stability.demote_after_days`` days; it then drops to the highest tier decided during that run.
    - A decision at or above the effective tier resets the run.
    """

    stability: Stability = attrs.field(factory=Stability)
    effective: Tier | None = None
    changes: tuple[TierChange, ...] = ()
    below_since: datetime | None = None
    below_count: int = 0
    below_best: Tier | None = None
    last_at: datetime | None = None

    def record(
        self, at: datetime, decided: Tier, reason: str = "", *, joined_at: datetime | None = None
    ) -> TierHistory:
        """Fold one dated decision into the history.

        Args:
            at: When the SKU was graded (timezone-aware, not before the previous evaluation).
            decided: The tier the policy decided.
            reason: Recorded on a change (a default reason is written otherwise).
            joined_at: When the SKU joined the pool; inside the new-SKU window a demotion is immediate.

        Raises:
            InvalidValueError: *at* is naive or earlier than the previous evaluation.
        """
        when = v.require_aware(at, "TierHistory.record.at")
        joined = v.require_aware(joined_at, "TierHistory.record.joined_at") if joined_at is not None else None
        if not isinstance(decided, Tier):
            raise InvalidValueError("TierHistory.record.decided", decided, "must be a Tier")
        if self.last_at is not None and when < self.last_at:
            raise InvalidValueError("TierHistory.record.at", at, f"is before the previous evaluation {self.last_at}")
        effective = self.effective
        if effective is None or decided > effective:
            why = reason or ("first grade" if effective is None else "promoted at once")
            return self._changed(when, decided, why)
        if decided == effective:
            return attrs.evolve(self, below_since=None, below_count=0, below_best=None, last_at=when)
        if joined is not None and when - joined < timedelta(days=self.stability.new_sku_days):
            why = reason or f"provisional grade inside the {self.stability.new_sku_days}-day new-SKU window"
            return self._changed(when, decided, why)
        since = self.below_since or when
        count = self.below_count + 1
        best = decided if self.below_best is None or decided > self.below_best else self.below_best
        rule = self.stability
        if count >= rule.demote_after_evaluations and when - since >= timedelta(days=rule.demote_after_days):
            why = reason or f"below {effective.value} for {count} evaluations over {(when - since).days} days"
            return self._changed(when, best, why)
        return attrs.evolve(self, below_since=since, below_count=count, below_best=best, last_at=when)

    def _changed(self, when: datetime, new: Tier, why: str) -> TierHistory:
        """The history with the effective tier changed to *new* at *when*, the change recorded, the run reset."""
        change = TierChange(when, self.effective, new, why)
        return attrs.evolve(
            self,
            effective=new,
            changes=(*self.changes, change),
            below_since=None,
            below_count=0,
            below_best=None,
            last_at=when,
        )

    def fold(self, decisions: Iterable[tuple[datetime, Tier]], *, joined_at: datetime | None = None) -> TierHistory:
        """Record each ``(at, tier)`` in order (see :meth:`record` for *joined_at*)."""
        history = self
        for at, tier in decisions:
            history = history.record(at, tier, joined_at=joined_at)
        return history
