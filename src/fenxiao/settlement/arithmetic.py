"""The integer core of the split: every formula of the money path once, for one order or a million.

:func:`fenxiao.settlement.splits.split` (one :class:`~fenxiao.settlement.orders.Order`, Python ints) and
:func:`fenxiao.columnar.settle_columns` (int64 NumPy columns) both call these functions, so a rule changes in
one place. They are written with operators that behave the same on Python ints and on int64 arrays
(``+ - * // % divmod`` and comparisons, floor semantics on both) and take the three operations that do not
(``minimum``, ``maximum``, ``where``) from an *ops* namespace: :data:`SCALAR` for ints, the ``numpy`` module
(or any object with those three functions) for arrays. This module imports no NumPy.

Amounts are integer fen and rates integer ppm (parts per million, :data:`~fenxiao.money.PPM`); a rate on
fenxiao's grid is exactly ``ppm / 10**6``, so ``round_div(amount * ppm, PPM, mode)`` is the exact product
rounded once. On arrays the caller keeps every product within int64 (``(paid + shipping) * PPM`` and
``subsidy * paid`` at most ``2**62``); beyond that it calls these functions on Python ints, which are exact.

>>> amounts = split_amounts(paid=9990, shipping=0, subsidy=0, refunded=0, invalid=False,
...                         commission_ppm=200_000,
...                         fee_ppm=100_000, mcn_ppm=0, leader_ppm=50_000, second_ppm=0, tech_ppm=50_000,
...                         shipping_in_base=False, rounding=Rounding.DOWN)
>>> amounts.influencer, amounts.fee, amounts.leader, amounts.tech, amounts.merchant
(1799, 199, 499, 499, 6994)

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import ifloordiv
from typing import Any, Final, NamedTuple, Protocol, TypeAlias

from fenxiao.money import PPM, Rounding, round_div

__all__ = [
    "SCALAR",
    "Integers",
    "Ops",
    "SplitAmounts",
    "commission",
    "floors",
    "round_div",
    "share",
    "split_amounts",
    "split_ints",
    "split_values",
    "step_numerator",
]

#: A Python int or an int64 NumPy array (elementwise); the functions here accept either.
Integers: TypeAlias = Any


class Ops(Protocol):
    """The three operations that differ between Python ints and arrays (``numpy`` itself is one)."""

    def minimum(self, a: Integers, b: Integers, /) -> Integers: ...
    def maximum(self, a: Integers, b: Integers, /) -> Integers: ...
    def where(self, condition: Integers, a: Integers, b: Integers, /) -> Integers: ...


class _ScalarOps:
    """:class:`Ops` for Python ints (conditional expressions: a call of the built-in ``min`` or ``max`` with
    two arguments costs twice as much)."""

    @staticmethod
    def minimum(a: Integers, b: Integers, /) -> Integers:
        return b if b < a else a  # what min(a, b) returns

    @staticmethod
    def maximum(a: Integers, b: Integers, /) -> Integers:
        return b if b > a else a  # what max(a, b) returns

    @staticmethod
    def where(condition: Integers, a: Integers, b: Integers, /) -> Integers:
        return a if condition else b


#: :class:`Ops` for Python ints.
SCALAR: Final[Ops] = _ScalarOps()

# The modes, read once: on Python 3.11 each ``Rounding.X`` is a metaclass attribute lookup (about 75 ns), and
# ``split_amounts`` tests the mode once per order.
_FLOOR: Final = Rounding.FLOOR
_DOWN: Final = Rounding.DOWN

#: The modes under which ``round_div`` of a non-negative numerator is floor division.
_FLOORS: Final = frozenset({_DOWN, _FLOOR})


def floors(rounding: Rounding) -> bool:
    """Whether *rounding* rounds every non-negative ratio down (so no split line ever rounds up)."""
    return rounding in _FLOORS


def _divider(rounding: Rounding) -> Callable[[Integers, Integers], Integers]:
    """``round_div`` for non-negative numerators under *rounding*: plain floor division when it floors.

    The numerator is always a fresh product, so the division may happen in place (one array fewer per line).
    """
    if rounding in _FLOORS:
        return ifloordiv
    return lambda num, den: round_div(num, den, rounding)


_DIVIDERS: Final = {rounding: _divider(rounding) for rounding in Rounding}


def share(amount: Integers, ppm: Integers, rounding: Rounding) -> Integers:
    """``amount × ppm / 10**6`` rounded once by *rounding*: an amount in fen at a rate in ppm.

    >>> share(9990, 200_000, Rounding.DOWN), share(5, 500_000, Rounding.HALF_EVEN)
    (1998, 2)
    """
    return round_div(amount * ppm, PPM, rounding)


def step_numerator(
    base: Integers, rate: Integers, steps: Sequence[tuple[int, int]], *, marginal: bool, ops: Ops = SCALAR
) -> Integers:
    """The exact commission on *base* times ``10**6``: *rate* (ppm) from 0, each ``(threshold, ppm)`` of
    *steps* from its threshold (fen, inclusive, increasing) up.

    Slab: the whole base earns the rate of the highest step reached. Marginal: each slice of the base earns
    its own step's rate. Without steps both are ``base × rate`` (a negative base included).

    >>> steps = ((10_000, 300_000),)
    >>> step_numerator(10_000, 200_000, steps, marginal=False), step_numerator(15_000, 200_000, steps, marginal=True)
    (3000000000, 3500000000)
    """
    if not steps:
        return base * rate
    if not marginal:
        # The rate of the highest step reached: the base rate plus each reached step's change over the last.
        applicable = rate
        previous = rate
        for threshold, ppm in steps:
            applicable = applicable + (base >= threshold) * (ppm - previous)
            previous = ppm
        return base * applicable
    schedule = [(0, rate), *steps]
    total = 0
    for k, (threshold, ppm) in enumerate(schedule):
        top = base if k + 1 == len(schedule) else ops.minimum(base, schedule[k + 1][0])
        total = total + ops.maximum(top - threshold, 0) * ppm
    return total


def commission(
    base: Integers,
    rate: Integers,
    steps: Sequence[tuple[int, int]],
    *,
    marginal: bool,
    rounding: Rounding,
    ops: Ops = SCALAR,
) -> Integers:
    """The commission on *base* (fen) at *rate* (ppm) and *steps*, exact, then rounded once by *rounding*.

    >>> commission(9990, 200_000, (), marginal=False, rounding=Rounding.DOWN)
    1998
    >>> commission(-5, 500_000, (), marginal=False, rounding=Rounding.DOWN)
    -2
    """
    return round_div(step_numerator(base, rate, steps, marginal=marginal, ops=ops), PPM, rounding)


class SplitAmounts(NamedTuple):
    """Every amount of one split (ints) or of many (int64 arrays), in fen; the lines add up to what came in.

    ``influencer + mcn + fee + leader + second + tech + merchant + refunded + returned`` is
    ``paid + shipping + subsidy``.
    """

    base: Integers  #: the commission base after refunds
    commission: Integers  #: the gross commission (influencer + MCN + the platform's fee)
    fee: Integers  #: the platform's fee on the commission
    mcn: Integers  #: the MCN's share of the influencer's net
    influencer: Integers  #: the influencer's line: net commission less the MCN's share
    leader: Integers  #: the first-level leader's line: its fee less the second-level fee
    second: Integers  #: the second-level leader's fee
    tech: Integers  #: the technical service fee
    merchant: Integers  #: what the merchant keeps: the remainder, so it absorbs every rounding
    subsidy_kept: Integers  #: the subsidy the order keeps after refunds returned their share
    returned: Integers  #: the subsidy returned to the platform
    total_in: Integers  #: what came in: paid + shipping + subsidy


_new_tuple: Final = tuple.__new__


def split_amounts(
    *,
    paid: Integers,
    shipping: Integers,
    subsidy: Integers,
    refunded: Integers,
    invalid: Integers,
    commission_ppm: Integers,
    steps: Sequence[tuple[int, int]] = (),
    marginal: bool = False,
    fee_ppm: Integers,
    mcn_ppm: Integers,
    leader_ppm: Integers,
    second_ppm: Integers,
    tech_ppm: Integers,
    shipping_in_base: bool,
    rounding: Rounding,
    ops: Ops = SCALAR,
) -> SplitAmounts:
    """Split what came in into every party's amount: the formula of ``docs/settlement.md``, once.

    The formula is written in :func:`split_values` (the same arguments by position, a plain tuple back);
    this names its arguments and its results.

    Args:
        paid, shipping, subsidy, refunded: Fen (``refunded`` at most ``paid + shipping``, ``paid`` above 0).
        invalid: Whether the order became invalid: it then earns no commission and pays no leader or
            technical fee (a zero base gives exactly that).
        commission_ppm: The commission rate from 0.
        steps: Tiered steps above it, ``(threshold fen, rate ppm)`` with increasing thresholds.
        marginal: Whether the steps apply marginally (else slab); see :func:`step_numerator`.
        fee_ppm: The platform's fee on the commission (0 when waived).
        mcn_ppm, leader_ppm, second_ppm: The MCN's share and the leaders' fees; 0 where there is none.
        tech_ppm: The technical service fee.
        shipping_in_base: Whether shipping is part of the commission base.
        rounding: The one rounding mode of every computed line.
        ops: :data:`SCALAR` for ints, ``numpy`` (or an equivalent) for arrays.

    Returns:
        The amounts; with a half-way mode a base of a few fen can round the deductions past what the
        merchant has, and the technical fee then gives way. A merchant line below zero is left for the
        caller to refuse (the profile's cap makes it unreachable).
    """
    values = split_values(
        paid,
        shipping,
        subsidy,
        refunded,
        invalid,
        commission_ppm,
        steps,
        marginal,
        fee_ppm,
        mcn_ppm,
        leader_ppm,
        second_ppm,
        tech_ppm,
        shipping_in_base,
        rounding,
        ops,
    )
    like = next((v for v in values if v.__class__ is not int), None)
    if like is not None:  # columns: a term split_values skipped as exactly zero is a zero column, as it always was
        values = tuple(like * 0 if v.__class__ is int else v for v in values)
    return _new_tuple(SplitAmounts, values)  # tuple.__new__ skips the NamedTuple's Python-level __new__


def split_values(
    paid: Integers,
    shipping: Integers,
    subsidy: Integers,
    refunded: Integers,
    invalid: Integers,
    commission_ppm: Integers,
    steps: Sequence[tuple[int, int]],
    marginal: bool,
    fee_ppm: Integers,
    mcn_ppm: Integers,
    leader_ppm: Integers,
    second_ppm: Integers,
    tech_ppm: Integers,
    shipping_in_base: bool,
    rounding: Rounding,
    ops: Ops = SCALAR,
    /,
) -> tuple[Integers, ...]:
    """The formula of :func:`split_amounts`, arguments by position in its order, the amounts as a plain tuple
    in :class:`SplitAmounts`' field order.

    An argument that is the int ``0`` (or ``False``) is taken as exactly zero and its terms are skipped: on
    columns, the amounts they would give come back as the int ``0`` rather than as zero columns (the caller
    broadcasts them; :func:`split_amounts` does).

    For the split of one order (:func:`fenxiao.settlement.splits.split`), where binding fifteen keywords and
    building the named tuple cost a quarter of the formula's time; everything else calls :func:`split_amounts`.

    >>> split_values(9990, 0, 0, 0, False, 200_000, (), False, 100_000, 0, 50_000, 0, 50_000, False, Rounding.DOWN)
    (9990, 1998, 199, 0, 1799, 499, 0, 499, 6994, 0, 0, 9990)
    """
    # identity tests, not a dict or set: an Enum's hash is a Python call, and this runs once per order
    floor = rounding is _DOWN or rounding is _FLOOR
    div: Callable[[Integers, Integers], Integers] = ifloordiv if floor else _DIVIDERS[rounding]
    # An argument that is the int 0 (or the bool False) is an absent party or amount: its terms are exactly 0
    # (round_div(0, d) is 0 under every mode) and are skipped, so that arrays of absent parties cost nothing.
    # (The test ``x.__class__ is int and not x`` is written out each time: a helper function would cost a call
    # per term on the object path.)
    no_refund = refunded.__class__ is int and not refunded
    kept_goods = paid - refunded if no_refund else paid - ops.minimum(refunded, paid)  # refunds off the goods first
    base = ops.maximum(paid + shipping - refunded, 0) if shipping_in_base else kept_goods
    subsidy_kept = 0 if (subsidy.__class__ is int and not subsidy) else div(subsidy * kept_goods, paid)
    live = base if invalid is False else ops.where(invalid, 0, base)
    # The commission, as :func:`commission` computes it (the base is never negative here, so floor division
    # is DOWN's and FLOOR's rounding).
    numerator = (
        step_numerator(live, commission_ppm, steps, marginal=marginal, ops=ops) if steps else live * commission_ppm
    )
    gross = div(numerator, PPM)
    fee = 0 if (fee_ppm.__class__ is int and not fee_ppm) else div(gross * fee_ppm, PPM)
    net = gross - fee
    mcn = 0 if (mcn_ppm.__class__ is int and not mcn_ppm) else div(net * mcn_ppm, PPM)
    leader = 0 if (leader_ppm.__class__ is int and not leader_ppm) else div(live * leader_ppm, PPM)
    second = 0 if (second_ppm.__class__ is int and not second_ppm) else div(live * second_ppm, PPM)
    tech = 0 if (tech_ppm.__class__ is int and not tech_ppm) else div(live * tech_ppm, PPM)
    # Augmented assignment on a fresh value: in place on arrays (no temporary per term), rebinding on ints.
    merchant = paid + shipping
    if not (subsidy_kept.__class__ is int and not subsidy_kept):
        merchant += subsidy_kept
    if not no_refund:
        merchant -= refunded
    merchant -= gross
    if not (leader.__class__ is int and not leader):
        merchant -= leader
    if not (tech.__class__ is int and not tech):
        merchant -= tech
    # rounding down, each line is at most its exact share: never negative (and without a tech fee nothing gives)
    if not floor and not (tech.__class__ is int and not tech):
        give = ops.minimum(ops.maximum(-merchant, 0), tech)
        tech = tech - give
        merchant = merchant + give
    if not (mcn.__class__ is int and not mcn):
        net -= mcn  # the influencer keeps the rest (in place on arrays: net is not needed any more)
    total_in = paid + shipping
    if not (subsidy.__class__ is int and not subsidy):
        total_in += subsidy
    # SplitAmounts' fields, in order
    return (
        base,
        gross,  # commission
        fee,
        mcn,
        net,  # influencer
        leader if (second.__class__ is int and not second) else leader - second,  # leader
        second,
        tech,
        merchant,
        subsidy_kept,
        subsidy if (subsidy_kept.__class__ is int and not subsidy_kept) else subsidy - subsidy_kept,  # returned
        total_in,
    )


def split_ints(
    paid: int,
    shipping: int,
    subsidy: int,
    refunded: int,
    invalid: bool,
    commission_ppm: int,
    steps: Sequence[tuple[int, int]],
    marginal: bool,
    fee_ppm: int,
    mcn_ppm: int,
    leader_ppm: int,
    second_ppm: int,
    tech_ppm: int,
    shipping_in_base: bool,
    rounding: Rounding,
    /,
) -> tuple[int, ...]:
    """:func:`split_values` on Python ints (the split of one order): the same arguments and the same amounts.

    Under a mode that rounds down (``DOWN``, ``FLOOR``: every product here is non-negative, so both are floor
    division) the formula is written out for ints: no test of an argument's type, no term skipped (a zero rate
    gives exactly zero), no line giving way. Any other mode goes to :func:`split_values`. A property test holds the
    two equal on every input.

    >>> split_ints(9990, 0, 0, 0, False, 200_000, (), False, 100_000, 0, 50_000, 0, 50_000, False, Rounding.DOWN)
    (9990, 1998, 199, 0, 1799, 499, 0, 499, 6994, 0, 0, 9990)
    """
    if rounding is not _DOWN and rounding is not _FLOOR:
        return split_values(
            paid,
            shipping,
            subsidy,
            refunded,
            invalid,
            commission_ppm,
            steps,
            marginal,
            fee_ppm,
            mcn_ppm,
            leader_ppm,
            second_ppm,
            tech_ppm,
            shipping_in_base,
            rounding,
        )
    kept_goods = paid - refunded if refunded < paid else 0  # refunds come off the goods first
    if shipping_in_base:
        base = paid + shipping - refunded
        base = base if base > 0 else 0
    else:
        base = kept_goods
    # a term of a zero rate or amount is exactly 0 (tested first: a floor division costs ten times the test)
    subsidy_kept = subsidy * kept_goods // paid if subsidy else 0
    live = 0 if invalid else base
    gross = (step_numerator(live, commission_ppm, steps, marginal=marginal) if steps else live * commission_ppm) // PPM
    fee = gross * fee_ppm // PPM if fee_ppm else 0
    net = gross - fee
    mcn = net * mcn_ppm // PPM if mcn_ppm else 0
    leader = live * leader_ppm // PPM if leader_ppm else 0
    second = live * second_ppm // PPM if second_ppm else 0
    tech = live * tech_ppm // PPM if tech_ppm else 0
    return (
        base,
        gross,  # commission
        fee,
        mcn,
        net - mcn,  # influencer
        leader - second,  # leader
        second,
        tech,
        paid + shipping + subsidy_kept - refunded - gross - leader - tech,  # merchant
        subsidy_kept,
        subsidy - subsidy_kept,  # returned
        paid + shipping + subsidy,  # total_in
    )
