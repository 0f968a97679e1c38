"""Hypothesis strategies shared by the columnar tests: rows on thresholds, random conditions and policies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import strategies as st

from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.rules.language import Condition
from fenxiao.testing.tiers import tier_conditions, tier_policies

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
    # Read against the category benchmarks (issue 19): missing without one, as tier_inputs leaves it.
    "units_vs_category": (0, (0, 49, 50, 51, 200), True),
}
FLAGS = ("brand_registered", "flagship_shop")


INPUTS = (*NUMBERS, *FLAGS)


def _thresholds(name: str) -> tuple[Decimal, ...]:
    """The input's edges in natural units, and the values half-way between each edge and the next unit."""
    places, edges, _ = NUMBERS[name]
    on = [Decimal(u).scaleb(-places) for u in edges]
    half = [(Decimal(2 * u + 1) / 2).scaleb(-places) for u in edges]  # between two units: no row equals them
    return (*on, *half)


#: Every numeric input compared with the values the rows below sit on, or half a unit past them.
THRESHOLDS = {name: _thresholds(name) for name in NUMBERS}


def conditions(extra: st.SearchStrategy[Condition] | None = None) -> st.SearchStrategy[Condition]:
    """Random conditions over the inputs above (and *extra* leaves), nested with all / any / not."""
    return tier_conditions(inputs=INPUTS, thresholds=THRESHOLDS, extra=extra)


def policies() -> st.SearchStrategy[TierPolicy]:
    """The default policy, or a random one (first or highest hit, with or without a fallback)."""
    return st.just(default_tier_policy()) | tier_policies(inputs=INPUTS, thresholds=THRESHOLDS)


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
