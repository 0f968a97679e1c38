"""Hypothesis strategies shared by the columnar tests: rows on thresholds, random conditions and policies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import strategies as st

from fenxiao.grading.tiers import Tier, TierPolicy, TierRule, default_tier_policy
from fenxiao.rules.language import All, AnyOf, Compare, Condition, Not, Op

# name -> (decimal places of its columnar unit, values in units that sit on or next to thresholds, nullable)
NUMBERS: dict[str, tuple[int, tuple[int, ...], bool]] = {
    "composite": (2, (0, 3999, 4000, 5999, 6000, 7499, 7500, 8999, 9000, 9001, 10_000), False),
    "score.service": (2, (0, 3999, 4000, 5999, 6000, 6999, 7000, 7999, 8000, 10_000), False),
    "score.brand": (2, (6999, 7000, 7001), False),
    "score.price": (2, (6999, 7000, 7001), False),
    "score.distribution": (2, (6999, 7000, 7001), False),
    "score.sales": (2, (6999, 7000, 7001), False),
    "units_30d": (0, (0, 1, 99, 100, 299, 300, 999, 1000, 1001), False),
    "days_since_joining": (0, (0, 13, 14, 15), False),
    "serious_violations_365d": (0, (0, 1, 2), False),
    "price": (2, (0, 1, 9990, 10_000), False),
    "refund_rate": (6, (0, 50_000, 150_000, 150_001, 1_000_000), False),
    "experience_score": (6, (0, 3_999_999, 4_000_000, 5_000_000), False),
    "reference_price": (2, (0, 9990, 10_000), True),
    "goods_score": (6, (0, 4_500_000), True),
}
FLAGS = ("brand_registered", "flagship_shop")


def _threshold(name: str) -> st.SearchStrategy[Decimal]:
    places, edges, _ = NUMBERS[name]
    on = st.sampled_from(edges).map(lambda u: Decimal(u).scaleb(-places))
    half = st.sampled_from(edges).map(lambda u: (Decimal(2 * u + 1) / 2).scaleb(-places))  # between two units
    return on | half


def _number_compare(name: str) -> st.SearchStrategy[Condition]:
    single = st.builds(
        Compare, st.just(name), st.sampled_from([Op.GE, Op.GT, Op.LE, Op.LT, Op.EQ, Op.NE]), _threshold(name)
    )
    between = st.lists(_threshold(name), min_size=2, max_size=2).map(
        lambda p: Compare(name, Op.BETWEEN, tuple(sorted(p)))
    )
    within = st.lists(_threshold(name), min_size=1, max_size=3).map(lambda p: Compare(name, Op.IN, tuple(p)))
    return single | between | within


def _flag_compare(name: str) -> st.SearchStrategy[Condition]:
    return st.builds(Compare, st.just(name), st.sampled_from([Op.EQ, Op.NE]), st.booleans()) | st.lists(
        st.booleans(), min_size=1, max_size=2
    ).map(lambda v: Compare(name, Op.IN, tuple(v)))


def _leaves() -> st.SearchStrategy[Condition]:
    return st.one_of(*(_number_compare(n) for n in NUMBERS), *(_flag_compare(f) for f in FLAGS))


def conditions(extra: st.SearchStrategy[Condition] | None = None) -> st.SearchStrategy[Condition]:
    """Random conditions over the inputs above (and *extra* leaves), nested with all / any / not."""
    return st.recursive(
        _leaves() if extra is None else _leaves() | extra,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda cs: All(tuple(cs))),
            st.lists(inner, max_size=3).map(lambda cs: AnyOf(tuple(cs))),
            inner.map(Not),
        ),
        max_leaves=6,
    )


@st.composite
def policies(draw: st.DrawFn) -> TierPolicy:
    """The default policy, or a random one (first or highest hit, with or without a fallback)."""
    if draw(st.booleans()):
        return default_tier_policy()
    size = draw(st.integers(1, 6))
    rules = [TierRule(f"r{i}", draw(st.sampled_from(Tier)), draw(conditions())) for i in range(size)]
    return TierPolicy(
        rules=rules, hit=draw(st.sampled_from(["first", "highest"])), fallback=draw(st.none() | st.sampled_from(Tier))
    )


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows of units, most of them exactly on a threshold; nullable inputs sometimes missing."""
    count = draw(st.integers(1, 15))
    out = []
    for _ in range(count):
        row: dict[str, Any] = {}
        for name, (places, edges, nullable) in NUMBERS.items():
            # Scores stop at 100.00; rates and shop scores at their largest edge (100%, 5.0); others go past.
            high = 10_000 if (places == 2 and "score" in name) or name == "composite" else max(edges) + 5
            high = max(edges) if places == 6 else high
            value = draw(st.sampled_from(edges) | st.integers(0, high))
            row[name] = None if nullable and draw(st.booleans()) else value
        for name in FLAGS:
            row[name] = draw(st.booleans())
        out.append(row)
    return out


def object_inputs(row: dict[str, Any]) -> dict[str, object]:
    """A row as the object path's inputs: Decimals in natural units; a missing value is None (as tier_inputs)."""
    values: dict[str, object] = {}
    for name, (places, _, _) in NUMBERS.items():
        value = row[name]
        values[name] = None if value is None else value if places == 0 else Decimal(value).scaleb(-places)
    values.update({name: row[name] for name in FLAGS})
    return values


def columns_of(batch: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows as columns in units; nullable inputs as masked arrays."""
    columns: dict[str, Any] = {}
    for name, (_, _, nullable) in NUMBERS.items():
        values = [r[name] for r in batch]
        if nullable:
            columns[name] = np.ma.masked_array([v or 0 for v in values], mask=[v is None for v in values])
        else:
            columns[name] = np.array(values, dtype=np.int64)
    for name in FLAGS:
        columns[name] = np.array([r[name] for r in batch], dtype=np.bool_)
    return columns
