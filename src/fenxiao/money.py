"""Exact money and rates.

:class:`Money` is an integer number of fen (the minor unit platforms store) and a
currency code. :class:`Rate` is an exact fraction in [0, 1]. Floats are refused
everywhere: on a million generated orders, float rounding misplaced a fen on
about one order in two thousand.

>>> price = Money.of("99.90")
>>> price
Money(fen=9990, currency='CNY')
>>> str(price)
'¥99.90'
>>> commission = price.times(Rate.of("20%"), rounding=Rounding.HALF_UP)
>>> str(commission)
'¥19.98'
>>> [str(part) for part in Money.of("1.00").allocate([1, 1, 1])]
['¥0.34', '¥0.33', '¥0.33']

Rounding happens in one place, :meth:`Rounding.round_fraction`, reached through
:meth:`Money.times` with a :class:`Rounding` mode that the caller always names.
:meth:`Money.allocate` never rounds away a fen: its parts add up to the whole.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
)
from decimal import Context as _DecimalContext
from fractions import Fraction
from typing import Any, Final

import attrs

from fenxiao.errors import CurrencyMismatchError, InvalidValueError

__all__ = [
    "DEFAULT_CURRENCY",
    "MAX_FEN",
    "RATE_PLACES",
    "Money",
    "Rate",
    "Rounding",
]

#: The currency used when none is given.
DEFAULT_CURRENCY: Final = "CNY"

#: The largest magnitude a :class:`Money` may hold: ¥9,999,999,999,999.99 (just under ten trillion yuan).
#: Large enough for any platform total; small enough that amount × rate numerator (see
#: :data:`RATE_PLACES`) stays exact in every arithmetic we use.
MAX_FEN: Final = 10**15 - 1

#: A rate is a multiple of 10**-RATE_PLACES (one part per million, 0.0001%). Platforms store
#: rates as per-mille (Kuaishou) or per-ten-thousand (Douyin) integers, both of which fit.
RATE_PLACES: Final = 6

_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_SYMBOLS: Final = {"CNY": "¥"}
# Plenty of precision for every exact product we form (amounts up to 10**15, rates to 10**-6).
_EXACT = _DecimalContext(prec=60)


class Rounding(enum.Enum):
    """How an exact amount is rounded to a whole fen.

    =============  ===========================================  =========  ==========
    member         rule                                         2.5 fen    -2.5 fen
    =============  ===========================================  =========  ==========
    HALF_UP        nearest; halves away from zero (商业舍入)     3          -3
    HALF_EVEN      nearest; halves to the even fen (banker's)   2          -2
    DOWN           towards zero (truncate)                      2          -2
    UP             away from zero                               3          -3
    FLOOR          towards minus infinity                       2          -3
    CEILING        towards plus infinity                        3          -2
    =============  ===========================================  =========  ==========
    """

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"
    FLOOR = "floor"
    CEILING = "ceiling"

    @property
    def decimal_mode(self) -> str:
        """The matching :mod:`decimal` rounding constant."""
        return _DECIMAL_MODES[self]

    def round_fraction(self, value: Fraction) -> int:
        """Round an exact fraction of fen to a whole number of fen.

        >>> Rounding.HALF_EVEN.round_fraction(Fraction(5, 2))
        2
        >>> Rounding.HALF_UP.round_fraction(Fraction(-5, 2))
        -3
        """
        floor = value.numerator // value.denominator
        rest = value - floor  # in [0, 1)
        if rest == 0:
            return floor
        ceil = floor + 1
        if self is Rounding.FLOOR:
            return floor
        if self is Rounding.CEILING:
            return ceil
        if self is Rounding.DOWN:
            return floor if value > 0 else ceil
        if self is Rounding.UP:
            return ceil if value > 0 else floor
        half = Fraction(1, 2)
        if rest != half:
            return ceil if rest > half else floor
        if self is Rounding.HALF_UP:
            return ceil if value > 0 else floor
        return floor if floor % 2 == 0 else ceil


_DECIMAL_MODES: Final = {
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.HALF_EVEN: ROUND_HALF_EVEN,
    Rounding.DOWN: ROUND_DOWN,
    Rounding.UP: ROUND_UP,
    Rounding.FLOOR: ROUND_FLOOR,
    Rounding.CEILING: ROUND_CEILING,
}


def _check_currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _CURRENCY_RE.match(value):
        raise InvalidValueError(
            f"{type(instance).__name__}.{attribute.name}", value, "must be a three-letter code like 'CNY'"
        )


def _check_fen(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = f"{type(instance).__name__}.{attribute.name}"
    if isinstance(value, float):
        raise InvalidValueError(path, value, "must be an int number of fen, not a float")
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(path, value, "must be an int number of fen")
    if abs(value) > MAX_FEN:
        raise InvalidValueError(path, value, f"is beyond the largest supported amount ({MAX_FEN} fen)")


def _decimal_from(value: object, path: str) -> Decimal:
    """Read an exact decimal from text, a Decimal or an int; floats are refused."""
    if isinstance(value, float):
        raise InvalidValueError(path, value, "must be a string or Decimal, not a float")
    if isinstance(value, bool):
        raise InvalidValueError(path, value, "must be a string, Decimal or int")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", "").replace("_", ""))
        except InvalidOperation:
            raise InvalidValueError(path, value, "is not a number") from None
    else:
        raise InvalidValueError(path, value, "must be a string, Decimal or int")
    if not number.is_finite():
        raise InvalidValueError(path, value, "must be a finite number")
    return number


@attrs.frozen(eq=True, order=False, repr=True)
class Money:
    """An exact amount: an integer number of fen (1/100 yuan) and a currency code.

    Every currency is taken to have two minor digits (fen, cents). Amounts may be
    negative (a clawback); their magnitude is at most :data:`MAX_FEN`.

    Args:
        fen: The amount in fen. An ``int``; a float is refused.
        currency: A three-letter code, ``"CNY"`` by default.

    Raises:
        InvalidValueError: A float, a non-integer, an amount beyond :data:`MAX_FEN`,
            or a malformed currency code.

    >>> Money(fen=9990)
    Money(fen=9990, currency='CNY')
    >>> Money(fen=9.9)
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: Money.fen: must be an int number of fen, not a float, got 9.9

    .. versionadded:: 0.1
    """

    fen: int = attrs.field(validator=_check_fen)
    currency: str = attrs.field(default=DEFAULT_CURRENCY, validator=_check_currency)

    # -- construction ----------------------------------------------------------------------------

    @classmethod
    def of(cls, amount: str | Decimal | int, currency: str = DEFAULT_CURRENCY) -> Money:
        """Parse an amount in yuan: text (``"99.90"``, ``"¥99.90"``, ``"99.90 CNY"``), a Decimal or an int.

        The amount must be exact to the fen; ``"0.001"`` is refused rather than rounded.
        Text may carry the currency as a ``¥`` sign or a trailing code, which then
        overrides *currency*.

        Raises:
            InvalidValueError: Floats, non-numbers, sub-fen precision, or amounts too large.

        >>> Money.of("0.01")
        Money(fen=1, currency='CNY')
        >>> Money.of(Decimal("12.5"), "USD")
        Money(fen=1250, currency='USD')
        >>> Money.of("1.005")
        Traceback (most recent call last):
        ...
        fenxiao.errors.InvalidValueError: Money.of: is not exact to the fen, got '1.005'
        """
        path = "Money.of"
        if isinstance(amount, str):
            text = amount.strip()
            match = re.fullmatch(r"(.*?)\s*([A-Z]{3})", text)
            if match:
                text, currency = match.group(1), match.group(2)
            negative = text.startswith("-")
            body = text[1:].lstrip() if negative else text
            if body.startswith("¥"):
                body = body[1:]
                if not match:
                    currency = "CNY"
            number = _decimal_from(("-" if negative else "") + body, path)
            if body.strip().startswith(("-", "+")) and negative:
                raise InvalidValueError(path, amount, "is not a number")
        else:
            number = _decimal_from(amount, path)
        fen = number.scaleb(2, context=_EXACT)
        if fen != fen.to_integral_value():
            raise InvalidValueError(path, amount, "is not exact to the fen")
        as_int = int(fen)
        if abs(as_int) > MAX_FEN:
            raise InvalidValueError(path, amount, f"is beyond the largest supported amount ({MAX_FEN} fen)")
        return cls(as_int, currency)

    @classmethod
    def parse(cls, text: str, currency: str = DEFAULT_CURRENCY) -> Money:
        """Parse text such as ``"9.90 CNY"`` or ``"¥9.90"``; the same as :meth:`of` for strings."""
        if not isinstance(text, str):
            raise InvalidValueError("Money.parse", text, "must be a string")
        return cls.of(text, currency)

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        """Nothing, in *currency*."""
        return cls(0, currency)

    # -- reading ----------------------------------------------------------------------------------

    @property
    def yuan(self) -> Decimal:
        """The amount in yuan as an exact Decimal with two places: ``Decimal('99.90')``."""
        return Decimal(self.fen).scaleb(-2)

    def to_text(self) -> str:
        """The amount in yuan as exact text with two places, without currency: ``"99.90"``."""
        return f"{self.yuan:.2f}"

    def __str__(self) -> str:
        """Format for people: ``"¥99.90"``, ``"-¥1.00"``; other currencies as ``"12.00 USD"``."""
        symbol = _SYMBOLS.get(self.currency)
        if symbol is None:
            return f"{self.to_text()} {self.currency}"
        sign = "-" if self.fen < 0 else ""
        return f"{sign}{symbol}{abs(self.yuan):.2f}"

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        return format(str(self), spec)

    def __bool__(self) -> bool:
        return self.fen != 0

    # -- arithmetic -------------------------------------------------------------------------------

    def _same(self, other: Money, op: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"Money.{op}", other, f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "__add__")
        return Money(self.fen + other.fen, self.currency)

    def __radd__(self, other: object) -> Money:
        # Lets sum(amounts) start from the int 0; nothing else is accepted.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "__sub__")
        return Money(self.fen - other.fen, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.fen, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.fen), self.currency)

    def __mul__(self, other: object) -> Money:
        """Multiply by a whole number of units; rates go through :meth:`times`."""
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return Money(self.fen * other, self.currency)

    __rmul__ = __mul__

    def times(self, factor: Rate | Decimal | Fraction | int, *, rounding: Rounding) -> Money:
        """Multiply by a rate or exact factor and round to the fen with the given mode.

        Args:
            factor: A :class:`Rate`, an exact Decimal/Fraction, or an int. Never a float.
            rounding: The :class:`Rounding` mode; required, so every rounding is a visible choice.

        >>> Money.of("0.05").times(Rate.of("10%"), rounding=Rounding.HALF_UP)
        Money(fen=1, currency='CNY')
        >>> Money.of("0.05").times(Rate.of("10%"), rounding=Rounding.HALF_EVEN)
        Money(fen=0, currency='CNY')
        """
        if not isinstance(rounding, Rounding):
            raise InvalidValueError("Money.times.rounding", rounding, "must be a Rounding member")
        exact = Fraction(self.fen) * _fraction_of(factor, "Money.times.factor")
        return Money(rounding.round_fraction(exact), self.currency)

    def allocate(self, weights: Sequence[int | Decimal | Fraction | Rate]) -> tuple[Money, ...]:
        """Split this amount into parts proportional to *weights* that add up exactly to it.

        Largest-remainder method: each part first gets its floor share, then the
        fen left over go one each to the parts with the largest remainders; ties go
        to the earlier weight. A part of zero weight gets nothing. Negative amounts
        are split as their magnitude and negated.

        Raises:
            InvalidValueError: No weights, a negative or float weight, or all weights zero.

        >>> [p.fen for p in Money(fen=100).allocate([1, 1, 1])]
        [34, 33, 33]
        >>> [p.fen for p in Money(fen=-5).allocate([Decimal("0.5"), Decimal("0.5")])]
        [-3, -2]
        """
        if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
            raise InvalidValueError("Money.allocate.weights", weights, "must be a sequence")
        if not weights:
            raise InvalidValueError("Money.allocate.weights", weights, "must not be empty")
        exact = [_fraction_of(w, f"Money.allocate.weights[{i}]", negative_ok=False) for i, w in enumerate(weights)]
        total_weight = sum(exact, Fraction(0))
        if total_weight == 0:
            raise InvalidValueError("Money.allocate.weights", weights, "must not all be zero")
        magnitude = abs(self.fen)
        shares = [Fraction(magnitude) * w / total_weight for w in exact]
        floors = [s.numerator // s.denominator for s in shares]
        left = magnitude - sum(floors)
        # Largest remainder first; the earlier index wins a tie, so the result is deterministic.
        order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
        for i in order[:left]:
            floors[i] += 1
        sign = -1 if self.fen < 0 else 1
        return tuple(Money(sign * f, self.currency) for f in floors)

    # -- comparison -------------------------------------------------------------------------------

    def _key(self, other: object, op: str) -> tuple[int, int] | None:
        if not isinstance(other, Money):
            return None
        self._same(other, op)
        return self.fen, other.fen

    def __lt__(self, other: object) -> bool:
        key = self._key(other, "__lt__")
        return NotImplemented if key is None else key[0] < key[1]

    def __le__(self, other: object) -> bool:
        key = self._key(other, "__le__")
        return NotImplemented if key is None else key[0] <= key[1]

    def __gt__(self, other: object) -> bool:
        key = self._key(other, "__gt__")
        return NotImplemented if key is None else key[0] > key[1]

    def __ge__(self, other: object) -> bool:
        key = self._key(other, "__ge__")
        return NotImplemented if key is None else key[0] >= key[1]


def _fraction_of(value: object, path: str, *, negative_ok: bool = True) -> Fraction:
    if isinstance(value, Rate):
        result = Fraction(value.value)
    elif isinstance(value, float):
        raise InvalidValueError(path, value, "must be exact (Rate, Decimal, Fraction or int), not a float")
    elif isinstance(value, bool):
        raise InvalidValueError(path, value, "must be a Rate, Decimal, Fraction or int")
    elif isinstance(value, (int, Fraction)):
        result = Fraction(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValueError(path, value, "must be a finite number")
        result = Fraction(value)
    else:
        raise InvalidValueError(path, value, "must be a Rate, Decimal, Fraction or int")
    if not negative_ok and result < 0:
        raise InvalidValueError(path, value, "must not be negative")
    return result


def _check_rate_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, Decimal):
        raise InvalidValueError(path, value, "must be a Decimal (build rates with Rate.of)")
    if not value.is_finite():
        raise InvalidValueError(path, value, "must be a finite number")
    if value < 0:
        raise InvalidValueError(path, value, "is below 0%")
    if value > 1:
        raise InvalidValueError(path, value, "is above 100%")
    scaled = value.scaleb(RATE_PLACES, context=_EXACT)
    if scaled != scaled.to_integral_value():
        raise InvalidValueError(path, value, "is finer than one part per million (0.0001%)")


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation: 1E+4 -> 10000."""
    normal = value.normalize(context=_EXACT)
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _normalize_rate(value: object) -> object:
    # Canonical form so that Rate("0.10") == Rate("0.1") and both print as 0.1.
    if isinstance(value, Decimal) and value.is_finite():
        normal = value.normalize(context=_EXACT)
        if normal == 0:
            return Decimal(0)
        exponent = normal.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            return normal.quantize(Decimal(1))
        return normal
    return value


@attrs.frozen(order=True, repr=False)
class Rate:
    """An exact fraction in [0, 1]: a commission rate, a fee rate, a refund rate.

    Build one with :meth:`of` (``"12.5%"``, ``"0.125"``, a Decimal), :meth:`from_bp`
    (basis points, 1/10,000) or :meth:`from_permille` (1/1,000, Kuaishou's unit).
    A rate is a multiple of one part per million (:data:`RATE_PLACES`).

    >>> Rate.of("12.5%")
    Rate('0.125')
    >>> Rate.of("12.5%") == Rate.from_bp(1250) == Rate.of(Decimal("0.125"))
    True
    >>> str(Rate.of("0.2"))
    '20%'
    >>> Rate.of("120%")
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: Rate.of: is above 100%, got '120%'

    .. versionadded:: 0.1
    """

    value: Decimal = attrs.field(converter=_normalize_rate, validator=_check_rate_value)

    @classmethod
    def of(cls, rate: str | Decimal | int | Rate) -> Rate:
        """Parse ``"12.5%"``, ``"0.125"``, ``Decimal("0.125")``, ``0`` or ``1``; floats are refused.

        Raises:
            InvalidValueError: A float, a non-number, a value outside [0, 1], or finer than 1 ppm.
        """
        path = "Rate.of"
        if isinstance(rate, Rate):
            return rate
        if isinstance(rate, str) and rate.strip().endswith("%"):
            number = _decimal_from(rate.strip()[:-1], path) / 100
        else:
            number = _decimal_from(rate, path)
        try:
            return cls(number)
        except InvalidValueError as exc:
            raise InvalidValueError(path, rate, exc.problem) from None

    @classmethod
    def from_bp(cls, bp: int) -> Rate:
        """From basis points (1 bp = 0.01%): ``Rate.from_bp(1250)`` is 12.5%."""
        return cls._from_units(bp, 4, "Rate.from_bp")

    @classmethod
    def from_permille(cls, permille: int) -> Rate:
        """From per-mille (1‰ = 0.1%), the unit of Kuaishou's API: ``Rate.from_permille(200)`` is 20%."""
        return cls._from_units(permille, 3, "Rate.from_permille")

    @classmethod
    def from_ppm(cls, ppm: int) -> Rate:
        """From parts per million, the finest unit a rate can hold."""
        return cls._from_units(ppm, 6, "Rate.from_ppm")

    @classmethod
    def _from_units(cls, units: int, places: int, path: str) -> Rate:
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidValueError(path, units, "must be an int")
        try:
            return cls(Decimal(units).scaleb(-places))
        except InvalidValueError as exc:
            raise InvalidValueError(path, units, exc.problem) from None

    @classmethod
    def zero(cls) -> Rate:
        """0%."""
        return cls(Decimal(0))

    @classmethod
    def one(cls) -> Rate:
        """100%."""
        return cls(Decimal(1))

    @property
    def ppm(self) -> int:
        """The rate in parts per million (exact)."""
        return int(self.value.scaleb(RATE_PLACES))

    @property
    def bp(self) -> Decimal:
        """The rate in basis points (exact; fractional below 1 bp)."""
        return _plain(self.value.scaleb(4))

    @property
    def percent(self) -> Decimal:
        """The rate in percent (exact): ``Decimal('12.5')``."""
        return _plain(self.value.scaleb(2))

    def as_fraction(self) -> Fraction:
        """The rate as an exact :class:`fractions.Fraction`."""
        return Fraction(self.value)

    def complement(self) -> Rate:
        """``1 - rate``."""
        return Rate(Decimal(1) - self.value)

    def __add__(self, other: object) -> Rate:
        if not isinstance(other, Rate):
            return NotImplemented
        try:
            return Rate(self.value + other.value)
        except InvalidValueError as exc:
            raise InvalidValueError("Rate.__add__", f"{self} + {other}", exc.problem) from None

    def __sub__(self, other: object) -> Rate:
        if not isinstance(other, Rate):
            return NotImplemented
        try:
            return Rate(self.value - other.value)
        except InvalidValueError as exc:
            raise InvalidValueError("Rate.__sub__", f"{self} - {other}", exc.problem) from None

    def to_text(self) -> str:
        """The rate as exact fraction text: ``"0.125"`` (how rates travel in JSON)."""
        return format(self.value, "f")

    def __repr__(self) -> str:
        return f"Rate({self.to_text()!r})"

    def __str__(self) -> str:
        return f"{format(self.percent, 'f')}%"
