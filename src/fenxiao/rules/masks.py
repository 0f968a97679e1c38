"""The NumPy evaluator: conditions (:mod:`fenxiao.rules.language`) over whole columns as boolean masks.

Needs NumPy (the ``columnar`` extra); nothing in :mod:`fenxiao` imports this module except :mod:`fenxiao.columnar`
and the columnar season (:mod:`fenxiao.simulate.columnar`, its admission).
The rows are any :class:`~fenxiao.rules.arrays.RowInputs`; each row's answer is what
:func:`~fenxiao.rules.interpreter.evaluate` gives for that row's values:

>>> from decimal import Decimal
>>> import numpy as np
>>> from fenxiao.rules.arrays import ArrayInput, ArrayInputs, IntColumn
>>> from fenxiao.rules.language import Compare, Op
>>> rows = ArrayInputs(3, {"composite": ArrayInput(IntColumn(np.array([5000, 7250, 9200])), places=2)})
>>> Masks(rows).mask(Compare("composite", Op.GE, Decimal("72.5"))).tolist()
[False, True, True]

A comparison of an input held in integer units (``x`` units of ``10**-p``) with an exact Decimal threshold
``t`` is rewritten as an integer comparison with ``T = t * 10**p``: ``x >= t`` is ``x >= ceil(T)``, ``x > t`` is
``x > floor(T)``, ``x == t`` needs ``T`` whole. Nothing is rounded, so a value exactly on a threshold compares
exactly as the object path compares Decimals.

A missing value (a null in a nullable column) satisfies no comparison, as on the object path. An input absent
altogether is an error, but only where a comparison naming it is evaluated: the object path looks inputs up
lazily, and :func:`~fenxiao.rules.interpreter.evaluate` stops ``all`` / ``any`` early
(:func:`~fenxiao.rules.interpreter.explain`
does not). When a condition names an absent input, the masks track which rows reach each comparison.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Final

import numpy as np

from fenxiao._internal.fixed import EXACT
from fenxiao.errors import InvalidValueError
from fenxiao.rules.arrays import BoolArray, Int64Array, RowInputs, TextColumn
from fenxiao.rules.language import All, Compare, Condition, Not, Op, inputs_of

__all__ = ["Masks", "rule_masks"]

# Thresholds beyond any value an input can hold are clamped here (inputs are bounded far inside it).
_CLAMP: Final = 2**62


def _whole(value: Decimal, rounding: str) -> int:
    whole = int(value.to_integral_value(rounding=rounding, context=EXACT))
    return max(-_CLAMP, min(_CLAMP, whole))


def _units(value: object, places: int) -> Decimal | None:
    """The threshold in the input's units, exactly; ``None`` for a non-number."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return None
    return Decimal(value).scaleb(places, context=EXACT)


def _equal_any(x: Int64Array, values: list[int], n: int) -> BoolArray:
    """Where *x* equals one of *values*: ``==`` for a few values (several times faster than ``np.isin``)."""
    distinct = sorted(set(values))
    if not distinct:
        return np.zeros(n, dtype=np.bool_)
    if len(distinct) > 8:
        return np.isin(x, np.array(distinct, dtype=np.int64))
    hit: BoolArray = x == distinct[0]
    for value in distinct[1:]:
        hit |= x == value
    return hit


def _number_mask(node: Compare, x: Int64Array, places: int, n: int) -> BoolArray:
    op, value = node.op, node.value
    if op in (Op.IN, Op.EQ, Op.NE):
        values = value if isinstance(value, tuple) else (value,)
        wholes = []
        for item in values:
            units = _units(item, places)
            if units is not None and units == units.to_integral_value(context=EXACT) and abs(units) <= _CLAMP:
                wholes.append(int(units))
        hit = _equal_any(x, wholes, n)
        return ~hit if op is Op.NE else hit
    if op is Op.BETWEEN:
        low, high = value if isinstance(value, tuple) else (value, value)
        low_units, high_units = _units(low, places), _units(high, places)
        if low_units is None or high_units is None:
            return np.zeros(n, dtype=np.bool_)
        return (x >= _whole(low_units, ROUND_CEILING)) & (x <= _whole(high_units, ROUND_FLOOR))
    units = _units(value, places)
    if units is None:
        return np.zeros(n, dtype=np.bool_)
    if op is Op.GE:
        return x >= _whole(units, ROUND_CEILING)
    if op is Op.GT:
        return x > _whole(units, ROUND_FLOOR)
    if op is Op.LE:
        return x <= _whole(units, ROUND_FLOOR)
    return x < _whole(units, ROUND_CEILING)


def _flag_mask(node: Compare, flags: BoolArray, n: int) -> BoolArray:
    values = node.value if isinstance(node.value, tuple) else (node.value,)
    wanted = {bool(v) for v in values if isinstance(v, bool)}
    if node.op in (Op.EQ, Op.IN, Op.NE):
        if wanted == {True, False}:
            hit = np.ones(n, dtype=np.bool_)
        elif wanted == {True}:
            hit = flags.copy()
        elif wanted == {False}:
            hit = ~flags
        else:
            hit = np.zeros(n, dtype=np.bool_)
        return ~hit if node.op is Op.NE else hit
    return np.zeros(n, dtype=np.bool_)  # the schema check refuses ordering a flag


def _text_mask(node: Compare, text: TextColumn, n: int) -> BoolArray:
    values = node.value if isinstance(node.value, tuple) else (node.value,)
    codes = [text.code_of(v) for v in values if isinstance(v, str)]
    if node.op in (Op.EQ, Op.IN, Op.NE):
        hit = _equal_any(text.codes, codes, n)
        return ~hit if node.op is Op.NE else hit
    return np.zeros(n, dtype=np.bool_)  # the schema check refuses ordering text


class Masks:
    """Evaluates conditions over the rows of *inputs*; ``where`` names the inputs in errors.

    With *short_circuit* (as :func:`fenxiao.rules.interpreter.evaluate`), a comparison is reached only where the
    ``all`` / ``any`` before it has not decided yet; without it (as :func:`fenxiao.rules.interpreter.explain`, which
    records every comparison), every comparison of a reached condition is reached.
    """

    def __init__(self, inputs: RowInputs, where: str = "inputs", *, short_circuit: bool = True) -> None:
        self.inputs = inputs
        self.n = inputs.length
        self.where = where
        self.short_circuit = short_circuit

    def needs_tracking(self, condition: Condition) -> bool:
        """Whether *condition* names an input the rows lack entirely (so reaching it must be tracked)."""
        return any(not self.inputs.has(name) for name in inputs_of(condition))

    def mask(self, condition: Condition, reach: BoolArray | None = None) -> BoolArray:
        """Rows where *condition* holds; with *reach*, also check that every reached comparison has its input."""
        if isinstance(condition, Compare):
            return self._compare(condition, reach)
        if isinstance(condition, Not):
            return ~self.mask(condition.condition, reach)
        is_all = isinstance(condition, All)
        result: BoolArray | None = None
        for child in condition.conditions:
            here = reach
            if reach is not None and self.short_circuit and result is not None:
                here = reach & (result if is_all else ~result)
            value = self.mask(child, here)
            if result is None:
                result = value
            elif is_all:
                result &= value
            else:
                result |= value
        return np.full(self.n, is_all, dtype=np.bool_) if result is None else result

    def _compare(self, node: Compare, reach: BoolArray | None) -> BoolArray:
        n = self.n
        if not self.inputs.has(node.input):
            # The object path looks the input up only when it evaluates this comparison: an error only there.
            reached = np.ones(n, dtype=np.bool_) if reach is None else reach
            if reached.any():
                i = int(np.flatnonzero(reached)[0])
                raise InvalidValueError(
                    f"{self.where}.{node.input}[{i}]", None, "is needed by the condition but was not given"
                )
            return np.zeros(n, dtype=np.bool_)
        column = self.inputs[node.input]
        if column.numbers is not None:
            result = _number_mask(node, column.numbers.values, column.places, n)
        elif column.flags is not None:
            result = _flag_mask(node, column.flags, n)
        elif column.text is not None:
            result = _text_mask(node, column.text, n)
        else:  # pragma: no cover - every input holds numbers, flags or text
            raise InvalidValueError(f"{self.where}.{node.input}", None, "holds no values")
        valid = column.valid
        # A missing value satisfies no comparison (fenxiao.rules.language): not even != or in.
        return result if valid is None else result & valid


def rule_masks(masks: Masks, conditions: list[Condition], first_hit: bool) -> list[BoolArray]:
    """The mask of each condition in order; under *first_hit*, a rule is reached only where no earlier one held."""
    tracking = any(masks.needs_tracking(c) for c in conditions)
    result: list[BoolArray] = []
    open_rows: BoolArray | None = np.ones(masks.n, dtype=np.bool_) if tracking else None
    for condition in conditions:
        mask = masks.mask(condition, open_rows)
        result.append(mask)
        if open_rows is not None and first_hit:
            open_rows = open_rows & ~mask
    return result
