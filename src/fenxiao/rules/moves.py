"""How an input moves to meet or escape a comparison: the operator knowledge that gaps and lint need.

Grading's gap to the next tier and its lint ask, of one comparison, which value meets it, which comparison
escapes it and what bound it sets. Answering here keeps every dispatch on :class:`~fenxiao.rules.language.Op`
inside this package, so a new operator is one change in :mod:`fenxiao.rules`. *step* is the smallest move of the
input (``1`` for a whole number, ``0.01`` for a score).

>>> from decimal import Decimal
>>> meeting_value(Op.GT, Decimal(60), None, Decimal("0.01"))
Decimal('60.01')
>>> escape(Op.EQ, Decimal(0), "higher", Decimal(1))
(<Op.GE: '>='>, Decimal('1'))
>>> bound(Op.BETWEEN, (Decimal(1), Decimal(9)), lower=False)
Decimal('9')
>>> complement(Op.GT, Decimal("0.3"))
(((<Op.LE: '<='>, Decimal('0.3')),),)

.. versionadded:: 0.1
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from fenxiao.rules.language import Op, Value

__all__ = ["bound", "complement", "escape", "meeting_value"]

_LOWER: Final = frozenset({Op.GE, Op.GT})
_UPPER: Final = frozenset({Op.LE, Op.LT})

# The operator of a comparison that holds -> (the operator that escapes it, the way that moves the input).
_ESCAPES: Final = {
    Op.LT: (Op.GE, "higher"),
    Op.LE: (Op.GT, "higher"),
    Op.GT: (Op.LE, "lower"),
    Op.GE: (Op.LT, "lower"),
}


def bound(op: Op, value: Value, *, lower: bool) -> Decimal | None:
    """The lower (or upper) bound that ``input op value`` puts on its input when it holds, or ``None``.

    ``>=`` and ``>`` bound from below, ``<=`` and ``<`` from above, ``between`` both ways.
    """
    if op in (_LOWER if lower else _UPPER) and isinstance(value, Decimal):
        return value
    if op is Op.BETWEEN and isinstance(value, tuple) and isinstance(edge := value[0 if lower else 1], Decimal):
        return edge
    return None


def meeting_value(op: Op, threshold: Value, gap: Decimal | None, step: Decimal) -> object | None:
    """The value nearest *threshold* that meets ``input op threshold``, or ``None`` when there is no single one
    (``!=``). *gap* is the signed gap :func:`~fenxiao.rules.interpreter.explain` reported for the unmet
    comparison: it says which end of a ``between`` is nearer. A missing value meets nothing, so ``None`` is never
    a meeting value.
    """
    if op in (Op.GE, Op.LE, Op.EQ) and not isinstance(threshold, tuple):
        return threshold
    if op is Op.GT and isinstance(threshold, Decimal):
        return threshold + step
    if op is Op.LT and isinstance(threshold, Decimal):
        return threshold - step
    if op is Op.BETWEEN and isinstance(threshold, tuple) and gap is not None:
        low, high = threshold
        return low if gap > 0 else high
    if op is Op.IN and isinstance(threshold, tuple) and threshold:
        return threshold[0]
    return None


def escape(op: Op, value: Decimal, better: str | None, step: Decimal) -> tuple[Op, Decimal] | None:
    """The comparison ``(op, threshold)`` that, met, makes the holding ``input op value`` fail by moving the
    input the *better* way (``"higher"`` or ``"lower"``), or ``None`` when that way does not escape it.

    ``== value`` on an input better higher escapes upwards, to ``>= value + step``.
    """
    if op is Op.EQ and better == "higher":
        return Op.GE, value + step
    found = _ESCAPES.get(op)
    if found is not None and found[1] == better:
        return found[0], value
    return None


_COMPLEMENTS: Final = {Op.GE: Op.LT, Op.GT: Op.LE, Op.LE: Op.GT, Op.LT: Op.GE, Op.EQ: Op.NE, Op.NE: Op.EQ}


def complement(op: Op, value: Value) -> tuple[tuple[tuple[Op, Value], ...], ...]:
    """What ``not (input op value)`` asks, as alternatives each of comparisons that must all hold.

    ``not (x > 0.3)`` is ``x <= 0.3``; ``not (x between [a, b])`` is ``x < a`` or ``x > b``; ``not (x in [a, b])``
    is ``x != a`` and ``x != b``.
    """
    found = _COMPLEMENTS.get(op)
    if found is not None:
        return (((found, value),),)
    if op is Op.BETWEEN and isinstance(value, tuple) and len(value) == 2:  # noqa: PLR2004 - a pair
        return (((Op.LT, value[0]),), ((Op.GT, value[1]),))
    values = value if isinstance(value, tuple) else (value,)
    return (tuple((Op.NE, v) for v in values),)
