"""Exact money and rates.

:class:`Money` is an integer number of fen (the minor unit platforms store) and a
currency code. :class:`Rate` is an exact fraction in [0, 1] on a one-part-per-million
grid. Floats are refused everywhere: on a million generated orders, float rounding
misplaced a fen on about one order in two thousand.

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
import math
import re
from collections.abc import Callable, Sequence
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
)
from fractions import Fraction
from typing import Any, Final

import attrs

from fenxiao._internal.trusted import builder
from fenxiao.errors import CurrencyMismatchError, InvalidValueError

__all__ = [
    "DEFAULT_CURRENCY",
    "MAX_FEN",
    "PPM",
    "RATE_PLACES",
    "Money",
    "Rate",
    "Rounding",
    "round_div",
]

#: Parts per million in a whole: a :class:`Rate` is held as a whole number of ppm (``Rate.ppm``).
PPM: Final = 10**6

#: The currency used when none is given.
DEFAULT_CURRENCY: Final = "CNY"

#: The largest magnitude a :class:`Money` may hold: ¥9,999,999,999,999.99 (just under ten trillion yuan),
#: far beyond any platform total. It stays below 2**53, so a count of fen survives even a JSON reader that
#: turns numbers into doubles (JavaScript), and below 2**63, the int64 columns platforms store fen in.
MAX_FEN: Final = 10**15 - 1

#: A rate is a multiple of 10**-RATE_PLACES (one part per million, 0.0001%). Platforms store
#: rates as per-mille (Kuaishou) or per-ten-thousand (Douyin) integers, both of which fit.
RATE_PLACES: Final = 6

_PPM_PER_WHOLE: Final = 10**RATE_PLACES
_CURRENCY_RE: Final = re.compile(r"[A-Z]{3}")  # always used with fullmatch: "CNY\n" is not a code
_SYMBOLS: Final = {"CNY": "¥"}

# Text forms. ASCII digits only ("١٢" and "１２" are digits to Decimal, not to us); thousands separators only
# in groups of three, so the European "1,00" is refused instead of read as one hundred; no exponents.
_AMOUNT_TEXT: Final = re.compile(
    r"(?P<sign>[-+]?)\s*(?P<symbol>[¥￥]?)\s*(?P<sign2>[-+]?)\s*"
    r"(?P<number>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:\s*(?P<code>[A-Z]{3}))?"
)
_RATE_TEXT: Final = re.compile(r"(?P<sign>[-+]?)\s*(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>[%％‰]?)")
# How many places a number written in each unit is shifted to become parts per million.
_UNIT_PLACES: Final = {"": RATE_PLACES, "%": RATE_PLACES - 2, "％": RATE_PLACES - 2, "‰": RATE_PLACES - 3}

# Signals any inexact step, so a sub-fen or sub-ppm digit is refused instead of silently rounded away.
# Callers bound magnitudes first; 60 digits then hold every exact value we form.
_STRICT: Final = Context(prec=60, traps=[Inexact, InvalidOperation])
_WIDE: Final = Context(prec=60)
# A Decimal factor or weight may have its leading digit at most this many places from the point. Beyond it
# a product would be astronomically large (refused anyway) or its exact Fraction would take minutes to build.
_MAX_EXPONENT: Final = 1000


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

    .. versionadded:: 0.1
    """

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"
    FLOOR = "floor"
    CEILING = "ceiling"

    @property
    def decimal_mode(self) -> str:
        """The matching :mod:`decimal` rounding constant: ``Rounding.HALF_UP.decimal_mode == ROUND_HALF_UP``."""
        return _DECIMAL_MODES[self]

    def round_fraction(self, value: Fraction | int) -> int:
        """Round an exact fraction of fen to a whole number of fen.

        Args:
            value: An exact :class:`fractions.Fraction` (or int) number of fen.

        Returns:
            The whole number of fen this mode rounds *value* to.

        Raises:
            InvalidValueError: *value* is a float or anything else inexact.

        >>> Rounding.HALF_EVEN.round_fraction(Fraction(5, 2))
        2
        >>> Rounding.HALF_UP.round_fraction(Fraction(-5, 2))
        -3
        >>> Rounding.HALF_UP.round_fraction(2.5)
        Traceback (most recent call last):
        ...
        fenxiao.errors.InvalidValueError: Rounding.round_fraction: must be a Fraction or int, not a float, got 2.5
        """
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            problem = "must be a Fraction or int" + (", not a float" if isinstance(value, float) else "")
            raise InvalidValueError("Rounding.round_fraction", value, problem)
        return self.round_ratio(value.numerator, value.denominator)

    def round_ratio(self, numerator: int, denominator: int) -> int:
        """Round ``numerator / denominator`` (ints, denominator > 0) to a whole number with this mode.

        The integer form of :meth:`round_fraction`, for hot paths: no Fraction is built.

        >>> Rounding.HALF_EVEN.round_ratio(5, 2), Rounding.HALF_UP.round_ratio(-5, 2), Rounding.DOWN.round_ratio(-7, 2)
        (2, -3, -3)
        """
        if numerator % denominator == 0:  # exact: every mode agrees, and most amounts are exact
            return numerator // denominator
        result: int = round_div(numerator, denominator, self)
        return result


# Members read once: an Enum member lookup is a Python-level call, and rounding runs for every amount.
_FLOOR, _CEILING, _DOWN, _UP, _HALF_UP = Rounding.FLOOR, Rounding.CEILING, Rounding.DOWN, Rounding.UP, Rounding.HALF_UP
_HALF_EVEN = Rounding.HALF_EVEN


def round_div(num: Any, den: Any, rounding: Rounding) -> Any:
    """``num / den`` rounded to an integer by *rounding*; *den* > 0, *num* of any sign.

    The one definition of rounding a ratio of integers: written with operators that behave alike on Python ints
    and on int64 NumPy arrays (floor ``divmod``, comparisons, ``&``, ``|``), so the object path
    (:meth:`Rounding.round_ratio`, :func:`fenxiao.settlement.split`) and the columnar path
    (:func:`fenxiao.columnar.settle_columns`, columnar scoring) round by the same code, element by element on
    arrays.

    >>> [round_div(n, 2, Rounding.HALF_EVEN) for n in (5, -5, 7, 3)]
    [2, -2, 4, 2]
    >>> [round_div(n, 2, Rounding.HALF_UP) for n in (5, -5, 7, 3)]
    [3, -3, 4, 2]
    >>> round_div(-7, 2, Rounding.DOWN), round_div(-7, 2, Rounding.UP), round_div(7, 2, Rounding.CEILING)
    (-3, -4, 4)

    .. versionadded:: 0.1
    """
    q, r = divmod(num, den)  # floor division on ints and on arrays alike: r in [0, den)
    if rounding is _FLOOR:
        return q
    if rounding is _CEILING:
        return q + (r != 0)
    if rounding is _DOWN:
        return q + ((r != 0) & (num < 0))
    if rounding is _UP:
        return q + ((r != 0) & (num > 0))
    twice = 2 * r
    if rounding is _HALF_UP:
        return q + ((twice > den) | ((twice == den) & (num > 0)))
    if rounding is _HALF_EVEN:
        return q + ((twice > den) | ((twice == den) & ((q & 1) == 1)))
    raise InvalidValueError("round_div.rounding", rounding, "must be a Rounding")


_DECIMAL_MODES: Final = {
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.HALF_EVEN: ROUND_HALF_EVEN,
    Rounding.DOWN: ROUND_DOWN,
    Rounding.UP: ROUND_UP,
    Rounding.FLOOR: ROUND_FLOOR,
    Rounding.CEILING: ROUND_CEILING,
}


# -- exact decimal helpers ------------------------------------------------------------------------


def _exceeds(number: Decimal, places: int, limit: int) -> bool:
    """Whether ``|number| × 10**places > limit``; exact, and instant even for ``Decimal("1E+999999999")``."""
    return number.copy_abs() > Decimal(limit).scaleb(-places, context=_STRICT)


def _whole_units(number: Decimal, places: int) -> int | None:
    """``number × 10**places`` as an int if that is whole, else None. Call only on bounded magnitudes."""
    try:
        units = number.quantize(Decimal(1).scaleb(-places), context=_STRICT)
    except Inexact:
        return None
    return int(units.scaleb(places, context=_STRICT))


def _number_of(value: object, path: str) -> Decimal:
    """A finite Decimal from a Decimal or an int; floats, bools and everything else refused."""
    if isinstance(value, float):
        raise InvalidValueError(path, value, "must be a string or Decimal, not a float")
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise InvalidValueError(path, value, "must be a string, Decimal or int")
    number = Decimal(value) if isinstance(value, int) else value
    if not number.is_finite():
        raise InvalidValueError(path, value, "must be a finite number")
    return number


def _fraction_of(value: object, path: str, *, negative_ok: bool = True) -> Fraction:
    """An exact factor or weight: a Rate, int, Fraction or finite Decimal. Floats are refused."""
    if isinstance(value, Rate):
        result = value.as_fraction()
    elif isinstance(value, float):
        raise InvalidValueError(path, value, "must be exact (Rate, Decimal, Fraction or int), not a float")
    elif isinstance(value, bool):
        raise InvalidValueError(path, value, "must be a Rate, Decimal, Fraction or int")
    elif isinstance(value, (int, Fraction)):
        result = Fraction(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValueError(path, value, "must be a finite number")
        if not value.is_zero() and abs(value.adjusted()) > _MAX_EXPONENT:
            raise InvalidValueError(path, value, f"is out of range (more than {_MAX_EXPONENT} places from the point)")
        result = Fraction(value)
    else:
        raise InvalidValueError(path, value, "must be a Rate, Decimal, Fraction or int")
    if not negative_ok and result < 0:
        raise InvalidValueError(path, value, "must not be negative")
    return result


# -- Money ----------------------------------------------------------------------------------------


def _check_currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _CURRENCY_RE.fullmatch(value):
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


def _parse_amount(text: str, currency: str, path: str) -> tuple[Decimal, str]:
    """Read ``"99.90"``, ``"-¥1,234.50"``, ``"12.00 USD"``; return the yuan and the currency."""
    match = _AMOUNT_TEXT.fullmatch(text.strip())
    if match is None or (match["sign"] and match["sign2"]):
        raise InvalidValueError(path, text, "is not a number (write yuan as '99.90', '¥99.90' or '99.90 CNY')")
    symbol, code = match["symbol"], match["code"]
    if symbol:
        if code is not None and code != "CNY":
            raise InvalidValueError(path, text, f"puts the yuan sign {symbol} on an amount in {code}")
        currency = "CNY"
    elif code is not None:
        currency = code
    sign = match["sign"] or match["sign2"]
    return Decimal(sign + match["number"].replace(",", "")), currency


@attrs.frozen(eq=True, order=False, repr=True)
class Money:
    """An exact amount: an integer number of fen (1/100 yuan) and a currency code.

    Every currency is taken to have two minor digits (fen, cents). Amounts may be
    negative (a clawback); their magnitude is at most :data:`MAX_FEN`. Amounts in
    different currencies are never equal, and adding, subtracting or ordering them
    raises :class:`~fenxiao.errors.CurrencyMismatchError`.

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

        The amount must be exact to the fen; ``"1.005"`` is refused rather than rounded.
        Text may carry the currency as a ``¥`` (or full-width ``￥``) sign, which means
        CNY, or as a trailing three-letter code; either overrides *currency*. Text may
        group thousands with commas (``"¥4,112,442.62"``, as :meth:`format` writes it),
        but only in groups of three; exponents (``"1e3"``) and non-ASCII digits are refused.
        An int is a number of **yuan** here (``Money(fen=5)`` is five fen).

        Args:
            amount: The yuan amount.
            currency: The currency when the text names none.

        Returns:
            The exact amount.

        Raises:
            InvalidValueError: Floats, non-numbers, sub-fen precision, amounts beyond
                :data:`MAX_FEN` or a ``¥`` sign on another currency.

        >>> Money.of("0.01")
        Money(fen=1, currency='CNY')
        >>> Money.of(Decimal("12.5"), "USD")
        Money(fen=1250, currency='USD')
        >>> Money.of("-¥1,234.50")
        Money(fen=-123450, currency='CNY')
        >>> Money.of("1.005")
        Traceback (most recent call last):
        ...
        fenxiao.errors.InvalidValueError: Money.of: is not exact to the fen, got '1.005'
        """
        path = "Money.of"
        if isinstance(amount, str):
            number, currency = _parse_amount(amount, currency, path)
        else:
            number = _number_of(amount, path)
        if _exceeds(number, 2, MAX_FEN):
            raise InvalidValueError(path, amount, f"is beyond the largest supported amount ({MAX_FEN} fen)")
        fen = _whole_units(number, 2)
        if fen is None:
            raise InvalidValueError(path, amount, "is not exact to the fen")
        return cls(fen, currency)

    @classmethod
    def parse(cls, text: str, currency: str = DEFAULT_CURRENCY) -> Money:
        """Parse text such as ``"9.90 CNY"`` or ``"¥9.90"``; the same as :meth:`of` but for strings only.

        >>> Money.parse("9.90 USD")
        Money(fen=990, currency='USD')
        """
        if not isinstance(text, str):
            raise InvalidValueError("Money.parse", text, "must be a string")
        return cls.of(text, currency)

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        """Nothing, in *currency*: the start value for ``sum(amounts, Money.zero())``."""
        return cls(0, currency)

    # -- reading ----------------------------------------------------------------------------------

    @property
    def yuan(self) -> Decimal:
        """The amount in yuan as an exact Decimal with two places: ``Decimal('99.90')``."""
        return _WIDE.scaleb(Decimal(self.fen), -2)  # the context by position, not a keyword (half the cost)

    def to_text(self) -> str:
        """The amount in yuan as exact text with two places, without currency: ``"99.90"``.

        This is how amounts travel in JSON; ``Money.of(m.to_text(), m.currency) == m``.
        """
        return f"{self.yuan:.2f}"

    def format(self, *, grouping: bool = False) -> str:
        """Format for people: ``"¥99.90"``, ``"-¥1.00"``, other currencies as ``"12.00 USD"``.

        Args:
            grouping: Separate thousands with commas, for tables: ``"¥4,112,442.62"``.

        Returns:
            The text; :meth:`of` reads it back to the same amount.

        >>> Money(fen=411244262).format(grouping=True)
        '¥4,112,442.62'
        >>> Money(fen=-123456789, currency="USD").format(grouping=True)
        '-1,234,567.89 USD'

        .. versionadded:: 0.1
        """
        sign = "-" if self.fen < 0 else ""
        whole, cents = divmod(abs(self.fen), 100)
        number = f"{whole:,d}.{cents:02d}" if grouping else f"{whole:d}.{cents:02d}"
        symbol = _SYMBOLS.get(self.currency)
        if symbol is None:
            return f"{sign}{number} {self.currency}"
        return f"{sign}{symbol}{number}"

    def __str__(self) -> str:
        """The same as :meth:`format` without grouping: ``"¥99.90"``."""
        return self.format()

    def __format__(self, spec: str) -> str:
        """Format with a string spec; a trailing ``,`` groups thousands: ``f"{m:>16,}"``.

        >>> f"[{Money(fen=411244262):>16,}]"
        '[   ¥4,112,442.62]'
        """
        grouping = spec.endswith(",")
        return format(self.format(grouping=grouping), spec[:-1] if grouping else spec)

    def __bool__(self) -> bool:
        return self.fen != 0

    # -- arithmetic -------------------------------------------------------------------------------

    def _same(self, other: Money, op: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"Money.{op}", other, f"cannot combine {self.currency} with {other.currency}")

    def _result(self, fen: int, op: str) -> Money:
        if abs(fen) > MAX_FEN:
            raise InvalidValueError(f"Money.{op}", fen, f"is beyond the largest supported amount ({MAX_FEN} fen)")
        return _trusted(fen, self.currency)

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            _refuse_number(other, "__add__")
            return NotImplemented
        self._same(other, "__add__")
        return self._result(self.fen + other.fen, "__add__")

    def __radd__(self, other: object) -> Money:
        # Lets sum(amounts) start from the int 0; nothing else is accepted.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        _refuse_number(other, "__radd__")
        return NotImplemented

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            _refuse_number(other, "__sub__")
            return NotImplemented
        self._same(other, "__sub__")
        return self._result(self.fen - other.fen, "__sub__")

    def __neg__(self) -> Money:
        return _trusted(-self.fen, self.currency)

    def __abs__(self) -> Money:
        return _trusted(abs(self.fen), self.currency)

    def __mul__(self, other: object) -> Money:
        """Multiply by a whole number of units (``price * 3``); rates and fractions go through :meth:`times`."""
        if isinstance(other, int) and not isinstance(other, bool):
            return self._result(self.fen * other, "__mul__")
        if isinstance(other, float):
            raise InvalidValueError("Money.__mul__", other, "must be an int, not a float")
        if isinstance(other, (Decimal, Fraction, Rate)):
            raise InvalidValueError(
                "Money.__mul__", other, "must be an int; multiply by a rate with Money.times(rate, rounding=...)"
            )
        return NotImplemented

    __rmul__ = __mul__

    def times(self, factor: Rate | Decimal | Fraction | int, *, rounding: Rounding) -> Money:
        """Multiply by a rate or exact factor and round to the fen with the given mode.

        The product is formed exactly (as a :class:`fractions.Fraction`) and rounded once.

        Args:
            factor: A :class:`Rate`, an exact Decimal/Fraction, or an int; may exceed 1 or be
                negative. Never a float.
            rounding: The :class:`Rounding` mode; required, so every rounding is a visible choice.

        Returns:
            The rounded product, in this amount's currency.

        Raises:
            InvalidValueError: A float or other inexact factor, a missing rounding mode, or a
                product beyond :data:`MAX_FEN`.

        >>> Money.of("0.05").times(Rate.of("10%"), rounding=Rounding.HALF_UP)
        Money(fen=1, currency='CNY')
        >>> Money.of("0.05").times(Rate.of("10%"), rounding=Rounding.HALF_EVEN)
        Money(fen=0, currency='CNY')
        """
        if not isinstance(rounding, Rounding):
            raise InvalidValueError("Money.times.rounding", rounding, "must be a Rounding member")
        if isinstance(factor, Rate):  # the hot path: integer arithmetic on the rate's ppm
            return self._result(rounding.round_ratio(self.fen * factor.ppm, PPM), "times")
        exact = Fraction(self.fen) * _fraction_of(factor, "Money.times.factor")
        return self._result(rounding.round_fraction(exact), "times")

    def allocate(self, weights: Sequence[int | Decimal | Fraction | Rate]) -> tuple[Money, ...]:
        """Split this amount into parts proportional to *weights* that add up exactly to it.

        Largest-remainder method: each part first gets its floor share, then the
        fen left over go one each to the parts with the largest remainders; ties go
        to the earlier weight. So each part is its exact share rounded down or up by
        less than one fen, and a part of zero weight gets nothing. Negative amounts
        are split as their magnitude and negated.

        Args:
            weights: Non-negative exact weights (ints, Decimals, Fractions or Rates), not all zero.

        Returns:
            One part per weight, in order, summing to this amount.

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
        # Scale the weights to integers (exactly: by the lcm of their denominators), then work in ints only.
        scale = math.lcm(*(w.denominator for w in exact))
        units = [w.numerator * (scale // w.denominator) for w in exact]
        total_weight = sum(units)
        if total_weight == 0:
            raise InvalidValueError("Money.allocate.weights", weights, "must not all be zero")
        magnitude = abs(self.fen)
        floors: list[int] = []
        remainders: list[int] = []
        for unit in units:
            floor, rest = divmod(magnitude * unit, total_weight)
            floors.append(floor)
            remainders.append(rest)
        left = magnitude - sum(floors)
        # Largest remainder first; the earlier index wins a tie, so the result is deterministic.
        order = sorted(range(len(units)), key=lambda i: (-remainders[i], i))
        for i in order[:left]:
            floors[i] += 1
        sign = -1 if self.fen < 0 else 1
        return tuple(_trusted(sign * f, self.currency) for f in floors)

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


# -- Rate -----------------------------------------------------------------------------------------


def _refuse_number(other: object, op: str) -> None:
    """Refuse a number or text added to or taken from Money by name (other types are left to their operators)."""
    if isinstance(other, (int, float, Decimal, Fraction, str, Rate)):
        raise InvalidValueError(f"Money.{op}", other, "must be Money (amounts add only to amounts: Money.of('0.10'))")


#: ``_trusted(fen, currency)``: a Money from values already known to be valid (an int within MAX_FEN, a checked
#: currency). Arithmetic results take this path: re-running the validators on every sum costs more than the sum.
_trusted: Final[Callable[[int, str], Money]] = builder(Money)


def _rate_ppm(number: Decimal, to_ppm: int) -> int | str:
    """``number × 10**to_ppm`` as a whole number of parts per million in [0, 10**6], or why it is not one."""
    if number < 0:
        return "is below 0%"
    if _exceeds(number, to_ppm, _PPM_PER_WHOLE):
        return "is above 100%"
    ppm = _whole_units(number, to_ppm)
    return "is finer than one part per million (0.0001%)" if ppm is None else ppm


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation: 1E+4 -> 10000."""
    normal = value.normalize(context=_WIDE)
    return normal.quantize(Decimal(1), context=_WIDE) if normal == normal.to_integral_value(context=_WIDE) else normal


def _normalize_rate(value: object) -> object:
    # Canonical form so that Rate("0.10") == Rate("0.1") and both print as 0.1. Anything that is not a
    # valid rate passes through untouched for the validator to refuse: rounding it here would hide the
    # digit that makes it invalid.
    if isinstance(value, Decimal) and value.is_finite():
        ppm = _rate_ppm(value, RATE_PLACES)
        if isinstance(ppm, int):
            return _plain(Decimal(ppm).scaleb(-RATE_PLACES, context=_WIDE))
    return value


def _check_rate_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = f"{type(instance).__name__}.{attribute.name}"
    if isinstance(value, float):
        raise InvalidValueError(path, value, "must be a Decimal, not a float (build rates with Rate.of)")
    if not isinstance(value, Decimal):
        raise InvalidValueError(path, value, "must be a Decimal (build rates with Rate.of)")
    if not value.is_finite():
        raise InvalidValueError(path, value, "must be a finite number")
    ppm = _rate_ppm(value, RATE_PLACES)
    if isinstance(ppm, str):
        raise InvalidValueError(path, value, ppm)


@attrs.frozen(order=True, repr=False)
class Rate:
    """An exact fraction in [0, 1]: a commission rate, a fee rate, a refund rate.

    Build one with :meth:`of` (``"12.5%"``, ``"125‰"``, ``"0.125"``, a Decimal),
    :meth:`from_bp` (basis points, 1/10,000: Douyin's unit), :meth:`from_permille`
    (1/1,000: Kuaishou's unit) or :meth:`from_ppm`. A rate is a multiple of one part
    per million (:data:`RATE_PLACES`); rates compare and sort by value.

    >>> Rate.of("12.5%")
    Rate('0.125')
    >>> Rate.of("12.5%") == Rate.from_bp(1250) == Rate.from_permille(125) == Rate.of(Decimal("0.125"))
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
    _ppm: int | None = attrs.field(init=False, default=None, eq=False, order=False, hash=False, repr=False)

    @classmethod
    def of(cls, rate: str | Decimal | int | Rate) -> Rate:
        """Parse ``"12.5%"``, ``"125‰"``, ``"0.125"``, ``Decimal("0.125")``, ``0`` or ``1``; floats are refused.

        Text is a plain decimal number (no exponent), as a fraction or followed by ``%``
        (also full-width ``％``) or ``‰``. A :class:`Rate` is returned as it is.

        Raises:
            InvalidValueError: A float, a non-number, a value outside [0, 1], or finer than 1 ppm.

        >>> Rate.of("0.0001%").ppm
        1
        >>> Rate.of("0.00001%")
        Traceback (most recent call last):
        ...
        fenxiao.errors.InvalidValueError: Rate.of: is finer than one part per million (0.0001%), got '0.00001%'
        """
        path = "Rate.of"
        if isinstance(rate, Rate):
            return rate
        if isinstance(rate, str):
            match = _RATE_TEXT.fullmatch(rate.strip())
            if match is None:
                raise InvalidValueError(path, rate, "is not a number (write a rate as '12.5%', '125‰' or '0.125')")
            number = Decimal(match["sign"] + match["number"])
            to_ppm = _UNIT_PLACES[match["unit"]]
        else:
            number = _number_of(rate, path)
            to_ppm = RATE_PLACES
        return cls._from_number(number, to_ppm, path, rate)

    @classmethod
    def from_bp(cls, bp: int) -> Rate:
        """From basis points (1 bp = 0.01%, Douyin's ×10,000 unit): ``Rate.from_bp(1250)`` is 12.5%."""
        return cls._from_units(bp, 4, "Rate.from_bp")

    @classmethod
    def from_permille(cls, permille: int) -> Rate:
        """From per-mille (1‰ = 0.1%), the unit of Kuaishou's API: ``Rate.from_permille(200)`` is 20%."""
        return cls._from_units(permille, 3, "Rate.from_permille")

    @classmethod
    def from_ppm(cls, ppm: int) -> Rate:
        """From parts per million, the finest unit a rate can hold: ``Rate.from_ppm(1)`` is 0.0001%."""
        return cls._from_units(ppm, RATE_PLACES, "Rate.from_ppm")

    @classmethod
    def _from_units(cls, units: int, places: int, path: str) -> Rate:
        if isinstance(units, float):
            raise InvalidValueError(path, units, "must be an int, not a float")
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidValueError(path, units, "must be an int")
        return cls._from_number(Decimal(units), RATE_PLACES - places, path, units)

    @classmethod
    def _from_number(cls, number: Decimal, to_ppm: int, path: str, shown: object) -> Rate:
        ppm = _rate_ppm(number, to_ppm)
        if isinstance(ppm, str):
            raise InvalidValueError(path, shown, ppm)
        return cls(Decimal(ppm).scaleb(-RATE_PLACES, context=_WIDE))

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
        """The rate in parts per million (exact): ``Rate.of("12.5%").ppm == 125000``."""
        cached = self._ppm  # a field (default None): a slot read, not a getattr call
        if cached is None:
            cached = int(self.value.scaleb(RATE_PLACES, context=_WIDE))
            object.__setattr__(self, "_ppm", cached)
        return cached

    @property
    def bp(self) -> Decimal:
        """The rate in basis points (exact; fractional below 1 bp): ``Decimal('1250')``."""
        return _plain(self.value.scaleb(4, context=_WIDE))

    @property
    def permille(self) -> Decimal:
        """The rate in per-mille (exact; fractional below 1‰): ``Decimal('125')``.

        .. versionadded:: 0.1
        """
        return _plain(self.value.scaleb(3, context=_WIDE))

    @property
    def percent(self) -> Decimal:
        """The rate in percent (exact): ``Decimal('12.5')``."""
        return _plain(self.value.scaleb(2, context=_WIDE))

    def as_fraction(self) -> Fraction:
        """The rate as an exact :class:`fractions.Fraction`: ``Fraction(1, 8)`` for 12.5%."""
        return Fraction(self.value)

    def complement(self) -> Rate:
        """``1 - rate``: what remains after this share is taken."""
        return Rate(_WIDE.subtract(Decimal(1), self.value))

    def __add__(self, other: object) -> Rate:
        if not isinstance(other, Rate):
            return NotImplemented
        try:
            return Rate(_WIDE.add(self.value, other.value))
        except InvalidValueError as exc:
            raise InvalidValueError("Rate.__add__", f"{self} + {other}", exc.problem) from None

    def __sub__(self, other: object) -> Rate:
        if not isinstance(other, Rate):
            return NotImplemented
        try:
            return Rate(_WIDE.subtract(self.value, other.value))
        except InvalidValueError as exc:
            raise InvalidValueError("Rate.__sub__", f"{self} - {other}", exc.problem) from None

    def to_text(self) -> str:
        """The rate as exact fraction text: ``"0.125"`` (how rates travel in JSON); ``Rate.of`` reads it back."""
        return format(self.value, "f")

    def __repr__(self) -> str:
        return f"Rate({self.to_text()!r})"

    def __str__(self) -> str:
        """The rate in percent, exact: ``"12.5%"``, ``"0.0001%"``."""
        return f"{format(self.percent, 'f')}%"
