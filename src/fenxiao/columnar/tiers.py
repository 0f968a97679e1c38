"""Columnar grading: a :class:`~fenxiao.grading.tiers.TierPolicy` applied to whole columns at once.

Each rule's condition becomes a boolean mask over the rows (see :mod:`fenxiao.rules.language` for the language);
under the ``first`` hit policy the tier is chosen with :func:`numpy.select` in rule order, under ``highest``
as the maximum over the rules that hold. The result equals :meth:`TierPolicy.grade
<fenxiao.grading.tiers.TierPolicy.grade>` on every row, thresholds included, because every comparison is exact
integer arithmetic on the inputs' units.

>>> import numpy as np
>>> columns = {
...     "days_since_joining": np.array([3, 30, 30, 30]),
...     "units_30d": np.array([0, 0, 50, 5000]),
...     "serious_violations_365d": np.array([0, 0, 0, 0]),
...     "composite": np.array([5000, 5000, 9200, 9200]),          # hundredths of a point: 92.00
...     "score.brand": np.array([8500] * 4), "score.price": np.array([8500] * 4),
...     "score.distribution": np.array([8500] * 4), "score.sales": np.array([8500] * 4),
...     "score.service": np.array([8000, 8000, 8000, 7999]),
... }
>>> graded = grade_columns(columns)
>>> graded["tier"].tolist(), graded["tier_rule"].tolist()
([0, 0, 1, 4], [0, 1, 3, 5])

``tier`` holds the tier's rank (0 for L0 ... 5 for L5) and ``tier_rule`` the index of the deciding rule in
the policy (-1 where the fallback decided).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from fenxiao.columnar._frames import read, write
from fenxiao.columnar._inputs import Inputs
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.levels import Tier
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.rules.language import inputs_of
from fenxiao.rules.masks import Masks, rule_masks

__all__ = ["TIER_COLUMNS", "grade_columns", "tier_labels"]

#: The columns :func:`grade_columns` writes: the tier's rank (int8) and the deciding rule's index (int16, -1: fallback).
TIER_COLUMNS: Final = ("tier", "tier_rule")


def grade_columns(
    columns: Any,
    policy: TierPolicy | None = None,
    *,
    as_of: datetime | None = None,
    keep: Sequence[str] = ("sku_id",),
) -> Any:
    """Grade every row of *columns* under *policy* (the default policy when ``None``).

    Args:
        columns: A mapping of column names to arrays, or a pandas, polars or pyarrow frame, holding the inputs
            the policy names (:data:`fenxiao.grading.tiers.TIER_INPUTS`) in their columnar units: scores and the
            composite in hundredths of a point, money in fen, rates in parts per million (``docs/columnar.md``).
            ``days_since_joining`` may instead come from ``joined_at`` and *as_of*.
        policy: The tier policy.
        as_of: The moment of grading, when days are counted from ``joined_at``.
        keep: Input columns to carry into the result (when present).

    Returns:
        :data:`TIER_COLUMNS`, in the input's kind (a ``dict`` of arrays, or a frame of the same library).

    Raises:
        InvalidValueError: An input the policy needs is missing or out of its bounds, or a missing value is
            reached by a comparison (as the object path would find it).
        PolicyError: A row no rule matches, under a policy without a fallback.

    .. versionadded:: 0.1
    """
    policy = _policy(policy)
    source, frame = read(columns, "columns")
    tier, rule = grade(Inputs(source, as_of), policy)
    return write(frame, source, {"tier": tier, "tier_rule": rule}, keep)


def _policy(policy: TierPolicy | None) -> TierPolicy:
    if policy is None:
        return default_tier_policy()
    if not isinstance(policy, TierPolicy):
        raise InvalidValueError("policy", policy, "must be a TierPolicy")
    return policy


def policy_inputs(policy: TierPolicy) -> frozenset[str]:
    """Every input *policy* names."""
    names: set[str] = set()
    for rule in policy.rules:
        names |= inputs_of(rule.when)
    return frozenset(names)


def grade(inputs: Inputs, policy: TierPolicy) -> tuple[NDArray[np.int8], NDArray[np.int16]]:
    """The tier rank and deciding rule of every row of *inputs* (internal; see :func:`grade_columns`)."""
    n = inputs.length
    first_hit = policy.hit == "first"
    masks = rule_masks(Masks(inputs), [rule.when for rule in policy.rules], first_hit)
    if policy.hit == "unique" and masks and n:
        overlapping = np.flatnonzero(np.sum(masks, axis=0) > 1)
        if overlapping.size:  # as TierPolicy.grade raises on such a row
            i = int(overlapping[0])
            names = [rule.name for rule, mask in zip(policy.rules, masks, strict=True) if mask[i]]
            raise PolicyError("TierPolicy", policy.name, f"rules {names} all match row {i} (hit policy 'unique')")
    # The tier of each rule, then the fallback's (-1 without one) where the index is -1.
    fallback = policy.fallback.rank if policy.fallback is not None else -1
    ranks = np.array([rule.tier.rank for rule in policy.rules] + [fallback], dtype=np.int8)
    choices = np.arange(len(masks), dtype=np.int16)
    if first_hit:
        index = np.select(masks, choices, default=np.int16(-1))
    else:
        best = np.full(n, -1, dtype=np.int8)
        for mask, rank in zip(masks, ranks[:-1].tolist(), strict=True):
            np.maximum(best, np.where(mask, np.int8(rank), np.int8(-1)), out=best)
        chosen = [mask & (best == rank) for mask, rank in zip(masks, ranks[:-1].tolist(), strict=True)]
        index = np.select(chosen, choices, default=np.int16(-1))
    if policy.fallback is None and n and int(index.min()) < 0:
        i = int(np.flatnonzero(index < 0)[0])
        raise PolicyError("TierPolicy", policy.name, f"no rule matches row {i} and there is no fallback")
    tier: NDArray[np.int8] = ranks[index]
    return tier, index.astype(np.int16, copy=False)


def tier_labels(tier: NDArray[np.integer[Any]]) -> NDArray[np.object_]:
    """Tier ranks as their names (``"L0"`` ... ``"L5"``).

    >>> tier_labels(np.array([0, 5], dtype=np.int8)).tolist()
    ['L0', 'L5']
    """
    names = np.array([t.value for t in Tier], dtype=object)
    result: NDArray[np.object_] = names[tier]
    return result
