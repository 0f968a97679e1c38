"""Exact integer arithmetic on int64 arrays (private): the object path's rounding rules, vectorized.

Every function here gives, element by element, the same integer the object path computes with Python ints and
:class:`fractions.Fraction`. Products that could leave int64 are detected before they are formed; the rare
elements that would overflow are computed with Python ints instead, so no result is ever wrong, only slower.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

import numpy as np

from fenxiao.money import Rounding, round_div
from fenxiao.rules.arrays import BoolArray, Int64Array

__all__ = [  # BoolArray and Int64Array are fenxiao.rules.arrays' (kept here for the columnar modules)
    "INT64_MAX",
    "BoolArray",
    "Int64Array",
    "as_int64",
    "bump",
    "div_round",
    "mul_div_round",
    "ratio_half_even",
]

#: The largest int64.
INT64_MAX: Final = 2**63 - 1
# Below INT64_MAX with room for the float estimate's relative error (2**-52) and the additions that follow.
_SAFE_PRODUCT: Final = 2.0**62


def as_int64(value: Int64Array | int, n: int) -> Int64Array:
    """*value* as an int64 array of length *n* (a scalar is broadcast)."""
    if isinstance(value, int):
        return np.full(n, value, dtype=np.int64)
    return value


def div_round(num: Int64Array, den: Int64Array | int, mode: Rounding) -> Int64Array:
    """``num / den`` rounded to an int by *mode*, element by element; *den* > 0 and ``2 * den`` fits in int64.

    The same as ``mode.round_fraction(Fraction(num, den))`` for each element.

    >>> [int(x) for x in div_round(np.array([5, -5, 7, 3]), 2, Rounding.HALF_EVEN)]
    [2, -2, 4, 2]
    >>> [int(x) for x in div_round(np.array([5, -5, 7, 3]), 2, Rounding.HALF_UP)]
    [3, -3, 4, 2]
    """
    # The one definition of rounding a ratio of integers, shared with the object path's split.
    result: Int64Array = round_div(num, den, mode)
    return result


def bump(values: Int64Array, mask: BoolArray) -> Int64Array:
    """*values* plus one where *mask* holds."""
    result: Int64Array = values + mask
    return result


def _max_abs(values: Int64Array | int) -> int:
    if isinstance(values, int):
        return abs(values)
    if values.size == 0:
        return 0
    return max(abs(int(values.max())), abs(int(values.min())))


def mul_div_round(a: Int64Array, b: Int64Array | int, den: int, mode: Rounding) -> Int64Array:
    """``a * b / den`` rounded by *mode*, exactly, element by element (*den* > 0).

    Elements whose product would leave int64 are computed with Python ints.

    >>> [int(x) for x in mul_div_round(np.array([9990, 10**15]), 200_000, 10**6, Rounding.DOWN)]
    [1998, 200000000000000]
    """
    if _max_abs(a) * _max_abs(b) <= INT64_MAX // 2:
        return div_round(a * b, den, mode)
    bb = as_int64(b, a.shape[0])
    risky = np.abs(a).astype(np.float64) * np.abs(bb).astype(np.float64) >= _SAFE_PRODUCT
    safe_a = np.where(risky, 0, a)
    result = div_round(safe_a * bb, den, mode)
    for i in np.flatnonzero(risky):
        result[i] = mode.round_fraction(Fraction(int(a[i]) * int(bb[i]), den))
    return result


def ratio_half_even(num: Int64Array, den: Int64Array, places: int, limit: int) -> Int64Array:
    """``num / den`` (*den* > 0) rounded half to even to *places* decimal places, as units of ``10**-places``,
    clipped to ``[-limit, limit]``; exact for any int64 *num* and *den* up to ``2**62 // 1000``.

    Long division three digits at a time keeps every intermediate product within int64. Values beyond *limit*
    only ever meet breakpoints inside it, so clipping changes no score.

    >>> [int(x) for x in ratio_half_even(np.array([1, 2, 5, -1]), np.array([3, 3, 2, 3]), 6, 10**14)]
    [333333, 666667, 2500000, -333333]
    >>> int(ratio_half_even(np.array([10**15]), np.array([1]), 6, 10**14)[0])
    100000000000000
    """
    q, r = np.divmod(num, den)
    big = np.abs(q) > limit // 10**places + 1
    q = np.where(big, 0, q)
    units = q
    remaining = places
    while remaining > 0:
        step = min(3, remaining)
        scale = 10**step
        digits, r = np.divmod(r * scale, den)
        units = units * scale + digits
        remaining -= step
    twice = 2 * r
    units = bump(units, (twice > den) | ((twice == den) & ((units & 1) == 1)))
    units = np.where(big, np.where(num < 0, -limit, limit), units)
    return np.clip(units, -limit, limit)
