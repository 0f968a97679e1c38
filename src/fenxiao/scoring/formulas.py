"""The formulas of the built-in derived metrics, written once for both paths: Python ints and int64 arrays alike.

Each derived ratio metric is ``numerator / denominator`` of integer operands (money in fen, rates in ppm,
counts), rounded half to even onto a grid of :data:`RATIO_PLACES` decimal places. A ratio is unavailable
where one of its operands is, and where its denominator is zero (:func:`defined`). The functions here say
which numerator and which denominator; they use only ``+``, ``-``, ``*`` and ``!=``, so the object path
(:mod:`fenxiao.scoring.metrics`, one snapshot's ints) and the columnar path (``fenxiao.columnar``, whole
int64 columns) call the same lines, and a change to a formula is one change.

What cannot be shared is the rounding division itself: the object path divides Python ints (any size), the
columnar path does long division in int64 so that no product overflows; the parity tests hold them equal.

>>> price_vs_category_median(9000, 20000)             # 90.00 yuan against a median of 100.00 (half fen)
(18000, 20000)
>>> import numpy as np
>>> num, den = sales_growth(np.array([120, 5]), np.array([100, 0]))
>>> num.tolist(), den.tolist(), defined(den).tolist()
([20, 5], [100, 0], [True, False])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeVar, overload

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "RATIO_PLACES",
    "SUB_SCORES",
    "commission_vs_category_median",
    "defined",
    "gmv_percentile_in_category",
    "price_vs_category_median",
    "price_vs_other_price",
    "sales_growth",
    "units_percent_of_category_median",
]

#: Integer operands: a Python int (one SKU) or an int64 array (a column of SKUs).
Integers = TypeVar("Integers", int, "NDArray[np.int64]")

#: Decimal places of every derived ratio metric's grid (millionths).
RATIO_PLACES: Final = 6

#: The shop sub-scores ``lowest_sub_score`` takes the lowest known of.
SUB_SCORES: Final = ("goods_score", "logistics_score", "service_score")


@overload
def defined(denominator: int) -> bool: ...
@overload
def defined(denominator: NDArray[np.int64]) -> NDArray[np.bool_]: ...
def defined(denominator: int | NDArray[np.int64]) -> bool | NDArray[np.bool_]:
    """Where a ratio with this denominator is defined (its operands being known): where it is not zero."""
    return denominator != 0


def price_vs_category_median(price_fen: Integers, median_half_fen: Integers) -> tuple[Integers, Integers]:
    """``price / the category's median price``; the median is held in half fen (the mean of two middle prices)."""
    return 2 * price_fen, median_half_fen


def commission_vs_category_median(rate_ppm: Integers, median_half_ppm: Integers) -> tuple[Integers, Integers]:
    """``commission rate / the category's median rate``; the median is held in half ppm."""
    return 2 * rate_ppm, median_half_ppm


def price_vs_other_price(price_fen: Integers, other_fen: Integers) -> tuple[Integers, Integers]:
    """``price / another price of the product`` (``price_vs_lowest_30d``, ``price_vs_reference``)."""
    return price_fen, other_fen


def gmv_percentile_in_category(below: Integers, up_to: Integers, size: Integers) -> tuple[Integers, Integers]:
    """The mid-rank ``(below + equal / 2) / size`` of a GMV among its category's *size* values.

    *below* counts the values under it, *up_to* those not above it (``equal = up_to - below``), so the rank is
    ``(below + up_to) / (2 * size)``.
    """
    return below + up_to, 2 * size


def sales_growth(units: Integers, previous: Integers) -> tuple[Integers, Integers]:
    """``units / previous - 1``: units sold in the last 30 days against the 30 days before."""
    return units - previous, previous


def units_percent_of_category_median(units: Integers, median_twice: Integers) -> Integers:
    """30-day units as a whole percent of the category's median units, floored: ``units * 100 // median``.

    The median is held doubled (the sum of the two middle values), so the percent is ``units * 200 // twice``.
    Both operands are non-negative and *median_twice* is not zero (:func:`defined`), where floor division is the
    same on Python ints and int64 arrays. The tier input ``units_vs_category`` is this percent.

    >>> units_percent_of_category_median(3, 2), units_percent_of_category_median(49, 200)   # median 1; 100
    (300, 49)
    """
    return (200 * units) // median_twice
