"""Fixed-point helpers for scoring (private): integers in scaled units, one rounding rule.

Scores are hundredths of a point (centi-points), weights millionths (ppm), and a
metric is an integer number of ``10**-places`` units. Every division rounds half
to even, exactly, on integers, so a columnar implementation with int64 arrays
gets the same digits as this module.
"""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Final

from fenxiao.errors import InvalidValueError

#: Scores and points carry two decimal places: an int number of hundredths of a point.
POINT_PLACES: Final = 2
#: Weights carry at most six decimal places: an int number of millionths.
WEIGHT_PLACES: Final = 6
#: 100.00 points in hundredths.
MAX_CENTI: Final = 100 * 10**POINT_PLACES
#: One whole weight in millionths.
ONE_PPM: Final = 10**WEIGHT_PLACES

# Enough precision for every exact value we form (amounts to 10**15 fen at six places and more).
EXACT: Final = Context(prec=80)
_scaleb: Final = EXACT.scaleb


def div_half_even(num: int, den: int) -> int:
    """``num / den`` rounded to the nearest int, halves to the even one (*den* > 0).

    >>> [div_half_even(n, 2) for n in (1, 3, 5, -1, -3)]
    [0, 2, 2, 0, -2]
    """
    q, r = divmod(num, den)
    twice = 2 * r
    if twice > den or (twice == den and q & 1):
        return q + 1
    return q


def scaled(value: Decimal, places: int, path: str) -> int:
    """*value* as an exact int number of ``10**-places`` units; raise if it has more places.

    >>> scaled(Decimal("0.15"), 6, "x")
    150000
    >>> scaled(Decimal("0.1234567"), 6, "x")
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: x: must have at most 6 decimal places, got Decimal('0.1234567')
    """
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise InvalidValueError(path, value, "must be a finite number")
    if exponent < -places:
        units = value.scaleb(places, context=EXACT)
        if units != units.to_integral_value(context=EXACT):
            raise InvalidValueError(path, value, f"must have at most {places} decimal places")
    return int(value.scaleb(places, context=EXACT))


def unscaled(units: int, places: int) -> Decimal:
    """The Decimal with exactly *places* decimal places for an int number of units.

    >>> unscaled(7250, 2)
    Decimal('72.50')
    """
    return _scaleb(Decimal(units), -places)  # EXACT.scaleb: the context by position, not a keyword (half the cost)


def ratio(num: int, den: int, places: int) -> Decimal:
    """``num / den`` (*den* > 0) rounded half-even to *places* decimal places.

    >>> ratio(1, 3, 6)
    Decimal('0.333333')
    """
    return unscaled(div_half_even(num * 10**places, den), places)


def on_grid(value: Decimal, places: int) -> Decimal:
    """*value* itself if it has at most *places* decimal places, else rounded half-even to *places*.

    >>> on_grid(Decimal("4.9"), 6), on_grid(Decimal("4.12345678"), 6)
    (Decimal('4.9'), Decimal('4.123457'))
    """
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places:
        return value
    return quantize(value, places)


def quantize(value: Decimal, places: int) -> Decimal:
    """*value* rounded half-even to exactly *places* decimal places (exact when it already fits)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_EVEN", context=EXACT)


_POINTS: Final = tuple(unscaled(units, POINT_PLACES) for units in range(MAX_CENTI + 1))


def points_decimal(units: int) -> Decimal:
    """Hundredths of a point (0 to 10,000) as a Decimal with two places, without rebuilding it each time."""
    return _POINTS[units] if 0 <= units <= MAX_CENTI else unscaled(units, POINT_PLACES)
