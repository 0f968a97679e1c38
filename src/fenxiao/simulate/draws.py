"""The simulator's arithmetic, written once for Python ints and NumPy integer arrays alike.

Every number a season computes goes through these functions, in integer arithmetic: views, conversion, the week's
shock, stochastic rounding of expected units, refunds, choice weights. The object path calls them on Python ints
and the columnar path on ``int64`` / ``uint64`` arrays, so that the two agree on every row (as
:mod:`fenxiao.scoring.formulas` does for metrics).

Randomness is *counter-based*: a draw is a pure function of ``(seed, week, stream, key)`` (SplitMix64's finaliser
over a mix of them), not a generator's state. A SKU, a promotion or an application draws the same number whichever
order the code visits it in and whichever path computes it, and two configurations run on one seed see the same
draws wherever their seasons agree (common random numbers: a difference between them is the difference of the
configurations, not of luck).

>>> draw(7, 1, Stream.UNITS, key_of("sku-00001")) == draw(7, 1, Stream.UNITS, key_of("sku-00001"))
True
>>> 0 <= uniform_ppm(draw(7, 1, Stream.UNITS, 12345)) < PPM
True
>>> round_stochastic(2_400, 399_999), round_stochastic(2_400, 400_000)  # 2.4 units: up with probability 0.4
(3, 2)

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import hashlib
from typing import Any, Final

__all__ = [
    "MASK64",
    "MAX_FANS",
    "MAX_MULTIPLIER_PPM",
    "MAX_VIEWS",
    "PPM",
    "Stream",
    "base_views",
    "draw",
    "expected_milli",
    "key_of",
    "mix64",
    "price_power_ppm",
    "round_stochastic",
    "scale_ppm",
    "shock_ppm",
    "uniform_ppm",
    "views_of",
]

#: 2**64 - 1: every hash is kept to 64 bits (NumPy's uint64 wraps by itself; Python ints are masked).
MASK64: Final = (1 << 64) - 1
#: Parts per million: rates and multipliers are whole ppm.
PPM: Final = 1_000_000
#: The most views a channel may have in a week, and the largest conversion multiplier (price power), in ppm. With
#: these bounds every product below fits in a signed 64-bit integer: views × conversion / 1000 ≤ 10**11 thousandths,
#: × a multiplier ≤ 10**18, × the shock (≤ 2,000,000 ppm) after dividing again ≤ 2 × 10**17.
MAX_VIEWS: Final = 10**8
MAX_MULTIPLIER_PPM: Final = 10 * PPM
#: Fans beyond this count reach no more (a guard: fans × reach stays inside 64 bits).
MAX_FANS: Final = 10**12
_GOLDEN: Final = 0x9E3779B97F4A7C15
_M1: Final = 0xBF58476D1CE4E5B9
_M2: Final = 0x94D049BB133111EB


class Stream(enum.IntEnum):
    """What a draw is for: each purpose has its own stream, so that adding one never shifts another."""

    SHOCK_A = 1  #: the week's demand shock of a SKU (first of two uniforms)
    SHOCK_B = 2  #: the week's demand shock of a SKU (second)
    UNITS = 3  #: rounding a sales line's expected units
    REFUND = 4  #: rounding a line's refunded units
    AFTER = 5  #: how many of them come back after settlement
    COMPLAINT = 6  #: rounding a SKU's complaints
    CATEGORY = 7  #: which main category an influencer works for one pick
    LISTING = 8  #: which listing of the preferred list it picks
    COLD = 9  #: a new SKU's own cold-start views
    APPLICATIONS = 10  #: how many applications a merchant source makes this week
    TEMPLATE = 11  #: which SKU a new one resembles
    MERCHANT = 12  #: new merchant or existing, and which
    PRICE = 13  #: a new SKU's price multiple
    REVIEW = 14  #: a person's review decision
    PROMOTERS = 15  #: rounding a SKU's long-tail promoters


def mix64(x: Any) -> Any:
    """SplitMix64's finaliser: a bijection of 64-bit integers that scatters every input bit over the output.

    Works on a Python int (masked to 64 bits) and on a NumPy ``uint64`` array (whose products wrap).
    """
    x = ((x ^ (x >> 30)) * _M1) & MASK64
    x = ((x ^ (x >> 27)) * _M2) & MASK64
    return x ^ (x >> 31)


def key_of(text: str) -> int:
    """A stable 64-bit key of an id (BLAKE2b, the same in every process: never Python's salted ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def draw(seed: int, week: int, stream: int, key: Any) -> Any:
    """The 64-bit draw of *key* (an int or a ``uint64`` array) in *week* for *stream*, under *seed*."""
    counter = ((week * 1024 + int(stream)) * _GOLDEN) & MASK64
    salt = mix64((seed & MASK64) ^ _GOLDEN)
    return mix64(mix64((key + counter) & MASK64) ^ salt)


def uniform_ppm(h: Any) -> Any:
    """A draw as a uniform whole number in [0, 1,000,000)."""
    return h % PPM


def scale_ppm(value: Any, ppm: Any) -> Any:
    """*value* × *ppm* / 1,000,000, rounded down (non-negative inputs)."""
    return value * ppm // PPM


def round_stochastic(milli: Any, u_ppm: Any) -> Any:
    """*milli* thousandths rounded to a whole number: up with probability equal to the fraction, given a uniform.

    The expectation is exactly ``milli / 1000``; for *u_ppm* uniform in [0, 1,000,000) it is unbiased.
    """
    whole = milli // 1000
    return whole + ((milli - whole * 1000) * 1000 > u_ppm)


def shock_ppm(u1: Any, u2: Any, noise_ppm: Any) -> Any:
    """The week's demand multiplier in ppm: triangular between ``1 - noise`` and ``1 + noise`` (mean 1)."""
    return PPM + (u1 + u2 - PPM) * noise_ppm // PPM


def price_power_ppm(price_score_centi: Any, floor_ppm: Any, ceiling_ppm: Any) -> Any:
    """Conversion multiplier from the price score (价格力, in hundredths of a point: 0..10,000), linear."""
    return floor_ppm + (ceiling_ppm - floor_ppm) * price_score_centi // 10_000


def views_of(base: Any, boost_ppm: Any, badge_ppm: Any) -> Any:
    """A channel's views this week: its base views × the traffic boost × the badge's lift (each in ppm)."""
    return scale_ppm(scale_ppm(base, boost_ppm), badge_ppm)


def expected_milli(views: Any, conversion_ppm: Any, price_ppm: Any, shock: Any) -> Any:
    """Expected units, in thousandths, of *views* at the conversion × price power × the week's shock (all ppm)."""
    return scale_ppm(scale_ppm(views * conversion_ppm // 1000, price_ppm), shock)


def _smaller(a: Any, b: Any) -> Any:
    """The smaller of *a* and *b*, elementwise on arrays (``min`` written as arithmetic, for both paths)."""
    return b + (a - b) * (a < b)


def base_views(
    milli: Any, conversion_ppm: Any, price_ppm: Any, boost_ppm: Any, badge_ppm: Any, promoted: Any, cap: Any
) -> Any:
    """A SKU's base views: those that sell *milli* thousandths a week under its perks at the start (the calibration).

    The inverse of :func:`views_of` and :func:`expected_milli` at a shock of one: the views that sell *milli* at the
    conversion and price power, less the *promoted* views the SKU's 达人优选 promotions are expected to bring, divided
    by the badge's lift and the traffic boost; never below zero nor above *cap*. No conversion sells nothing, so
    then the base is zero.

    >>> base_views(10_000, 20_000, 1_000_000, 2_000_000, 1_000_000, 0, 10**8)  # 10 units at 2%, boosted ×2
    250
    """
    sells = (conversion_ppm > 0) * (price_ppm > 0)
    reach = _smaller(milli * 1000 // (conversion_ppm + (conversion_ppm == 0)), 10 * cap + 10)
    views = _smaller(reach * PPM // (price_ppm + (price_ppm == 0)), cap)
    needed = views * PPM // badge_ppm - promoted
    return _smaller(needed * (needed > 0) * PPM // boost_ppm, cap) * sells
