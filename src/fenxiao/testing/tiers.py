"""Hypothesis strategies for tier policies: conditions, whole policies, and inputs on their thresholds.

Use them to property-test your own policy (every input gets a tier; promotions need better metrics) or code
that consumes decisions. :func:`tier_inputs` puts every input a policy reads exactly on one of its thresholds,
one step to either side, at the ends of its range or (for an optional input) missing, because that is where a
policy's mistakes are. Requires the hypothesis package (``pip install 'fenxiao[testing]'``).

>>> from hypothesis import given
>>> from fenxiao.grading import Tier, default_tier_policy
>>> policy = default_tier_policy()
>>> @given(tier_inputs(policy))
... def test_every_sku_gets_a_tier_with_reasons(inputs):
...     decision = policy.decide(inputs)
...     assert decision.tier is policy.grade(inputs)
...     assert decision.tier is Tier.L5 or decision.next_tier_gap is not None
>>> test_every_sku_gets_a_tier_with_reasons()

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without hypothesis
    from fenxiao.errors import MissingExtraError

    raise MissingExtraError("hypothesis", "testing", __name__) from exc

from fenxiao.errors import InvalidValueError
from fenxiao.grading.inputs import TIER_INPUTS, example_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.rules.language import All, AnyOf, Compare, Condition, InputKind, InputSpec, Not, Op, comparisons, inputs_of

__all__ = ["DEFAULT_CONDITION_INPUTS", "tier_conditions", "tier_inputs", "tier_policies"]

#: The inputs :func:`tier_conditions` uses unless told otherwise: scores, counts, days, a rate, an optional
#: price and a flag (every kind of input and both ways of being missing).
DEFAULT_CONDITION_INPUTS: Final = (
    "composite",
    "score.service",
    "units_30d",
    "days_since_joining",
    "refund_rate",
    "reference_price",
    "brand_registered",
)

# Thresholds worth comparing with, by the kind of input (values between are covered by tier_inputs' steps).
_EDGES: Final = {
    "score": ("0", "39.99", "40", "60", "75", "89.99", "90", "100"),
    "count": ("0", "1", "13", "14", "99", "99.5", "100", "1000"),
    "rate": ("0", "0.05", "0.1", "0.5", "1"),
    "money": ("0", "9.99", "10", "100"),
}


def _spec(name: str) -> InputSpec:
    if name not in TIER_INPUTS:
        raise InvalidValueError("inputs", name, "is not a tier input" + TIER_INPUTS.suggest(name))
    return TIER_INPUTS[name]


def _edges(spec: InputSpec) -> tuple[Decimal, ...]:
    if spec.integer:
        kind = "count"
    elif spec.high == Decimal(100):
        kind = "score"
    elif spec.high == Decimal(1):
        kind = "rate"
    else:
        kind = "money"
    return tuple(Decimal(text) for text in _EDGES[kind] if spec.high is None or Decimal(text) <= spec.high)


def _leaves(name: str, thresholds: Sequence[Decimal] | None = None) -> st.SearchStrategy[Condition]:
    spec = _spec(name)
    if spec.kind is InputKind.BOOL:
        flags = st.booleans()
        return st.builds(Compare, st.just(name), st.sampled_from([Op.EQ, Op.NE]), flags) | st.builds(
            Compare, st.just(name), st.just(Op.IN), st.lists(flags, min_size=1, max_size=2).map(tuple)
        )
    edges = st.sampled_from(_edges(spec) if thresholds is None else tuple(thresholds))
    single = st.builds(Compare, st.just(name), st.sampled_from([Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.NE]), edges)
    between = st.tuples(edges, edges).map(lambda pair: Compare(name, Op.BETWEEN, tuple(sorted(pair))))
    among = st.lists(edges, min_size=1, max_size=3).map(lambda values: Compare(name, Op.IN, tuple(values)))
    return single | between | among


def _checked_thresholds(
    inputs: Sequence[str], thresholds: Mapping[str, Sequence[Decimal]] | None
) -> Mapping[str, Sequence[Decimal]]:
    if thresholds is None:
        return {}
    given: Mapping[str, Sequence[object]] = thresholds  # callers may pass floats; refuse them by name
    for name, values in given.items():
        if name not in inputs:
            raise InvalidValueError(f"thresholds[{name!r}]", name, "is not one of the inputs")
        if _spec(name).kind is InputKind.BOOL:
            raise InvalidValueError(f"thresholds[{name!r}]", name, "is a flag: it is compared with true and false")
        if not values or not all(isinstance(value, Decimal) and value.is_finite() for value in values):
            raise InvalidValueError(f"thresholds[{name!r}]", values, "must be finite Decimals, at least one")
    return thresholds


def tier_conditions(
    *,
    inputs: Sequence[str] = DEFAULT_CONDITION_INPUTS,
    max_leaves: int = 6,
    thresholds: Mapping[str, Sequence[Decimal]] | None = None,
    extra: st.SearchStrategy[Condition] | None = None,
) -> st.SearchStrategy[Condition]:
    """Valid conditions over *inputs* (tier input names): comparisons of every operator on thresholds at the
    usual edges of each kind of input, combined with ``all``, ``any`` and ``not``.

    Args:
        inputs: The tier inputs the comparisons read.
        max_leaves: At most this many comparisons in one condition.
        thresholds: For some of the numeric *inputs*, the values to compare them with instead of the usual
            edges of their kind: your own policy's thresholds, or the values half-way between two units of a
            column (a threshold no stored value can equal).
        extra: More leaves to mix in, such as comparisons of inputs that are not tier inputs (a perk
            condition may read ``merchant_standing`` or ``category_id``). They are drawn as they come: check
            them against your own input table.

    >>> from hypothesis import given
    >>> from fenxiao.rules.language import comparisons
    >>> @given(tier_conditions(inputs=("units_30d",), thresholds={"units_30d": [Decimal("99.5")]}))
    ... def test_units_are_compared_with_half_a_unit_only(condition):
    ...     for c in comparisons(condition):
    ...         assert set(c.value if isinstance(c.value, tuple) else (c.value,)) == {Decimal("99.5")}
    >>> test_units_are_compared_with_half_a_unit_only()

    Raises:
        InvalidValueError: A name in *inputs* is not a tier input; *thresholds* names a flag, a name not in
            *inputs*, or has no values or a value that is not a finite Decimal.
    """
    if not inputs:
        raise InvalidValueError("inputs", inputs, "must name at least one tier input")
    chosen = _checked_thresholds(inputs, thresholds)
    leaves = st.one_of([_leaves(name, chosen.get(name)) for name in inputs])
    if extra is not None:
        leaves |= extra
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3).map(lambda c: All(tuple(c)))
            | st.lists(inner, max_size=3).map(lambda c: AnyOf(tuple(c)))
            | inner.map(Not)
        ),
        max_leaves=max_leaves,
    )


def tier_policies(
    *,
    inputs: Sequence[str] = DEFAULT_CONDITION_INPUTS,
    max_rules: int = 6,
    max_leaves: int = 6,
    thresholds: Mapping[str, Sequence[Decimal]] | None = None,
) -> st.SearchStrategy[TierPolicy]:
    """Valid tier policies: 1 to *max_rules* rules over *inputs*, either hit policy, with or without a fallback.

    Each rule's condition is drawn by :func:`tier_conditions` with *inputs*, *max_leaves* and *thresholds*.
    They need not pass lint: gaps, shadowed rules and unreachable tiers are all drawn (a policy without a
    fallback may raise :class:`~fenxiao.errors.PolicyError` for an input no rule matches).
    """
    conditions = tier_conditions(inputs=inputs, max_leaves=max_leaves, thresholds=thresholds)
    rules = st.lists(
        st.tuples(conditions, st.sampled_from(list(Tier))),
        min_size=1,
        max_size=max_rules,
    )
    return st.builds(
        lambda drawn, hit, fallback: TierPolicy(
            rules=tuple(TierRule(f"r{i}", tier, when) for i, (when, tier) in enumerate(drawn)),
            hit=hit,
            fallback=fallback,
        ),
        rules,
        st.sampled_from(["first", "highest"]),
        st.none() | st.sampled_from(list(Tier)),
    )


def _near(spec: InputSpec, thresholds: set[Decimal]) -> list[object]:
    """Every threshold, one step either side, and the ends of the range, kept inside the range."""
    step = Decimal(1) if spec.integer else Decimal("0.01")
    low = spec.low if spec.low is not None else Decimal(0)
    points = {low} if spec.high is None else {low, spec.high}
    for t in thresholds:
        points.update((t - step, t, t + step))
    if spec.integer:
        points = {p.to_integral_value() for p in points} | {t.to_integral_value() for t in thresholds}
    kept = sorted(p for p in points if p >= low and (spec.high is None or p <= spec.high))
    return [int(p) if spec.integer else p for p in kept]


def _thresholds(policy: TierPolicy) -> dict[str, set[Decimal]]:
    found: dict[str, set[Decimal]] = {}
    for rule in policy.rules:
        for node in comparisons(rule.when):
            values = node.value if isinstance(node.value, tuple) else (node.value,)
            found.setdefault(node.input, set()).update(v for v in values if isinstance(v, Decimal))
    return found


def tier_inputs(policy: TierPolicy | None = None, *, missing: bool = True) -> st.SearchStrategy[dict[str, object]]:
    """Complete tier inputs for *policy* (the default policy if ``None``), on and around its thresholds.

    Every input the policy's rules read takes a value exactly on one of its thresholds, one step (1 for whole
    numbers, 0.01 otherwise) to either side, or at an end of its declared range; flags take either value and,
    when *missing* is true, optional inputs are sometimes missing (``None``). The other inputs keep the
    neutral values of :func:`~fenxiao.grading.tiers.example_inputs`.
    """
    chosen = policy if policy is not None else default_tier_policy()
    thresholds = _thresholds(chosen)
    read = sorted(set().union(*(inputs_of(rule.when) for rule in chosen.rules)))
    fields: dict[str, st.SearchStrategy[object]] = {}
    for name in read:
        spec = TIER_INPUTS[name]
        values: st.SearchStrategy[object] = (
            st.booleans() if spec.kind is InputKind.BOOL else st.sampled_from(_near(spec, thresholds.get(name, set())))
        )
        fields[name] = values | st.none() if spec.optional and missing else values
    return st.fixed_dictionaries(fields).map(lambda drawn: {**example_inputs(), **drawn})
