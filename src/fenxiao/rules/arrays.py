"""The column forms the NumPy evaluator (:mod:`fenxiao.rules.masks`) reads; needs NumPy.

An input over many rows is held exactly: numbers as int64 *units* of ``10**-places`` (a Decimal ``72.5`` with two
places is ``7250``) with a mask of the rows that have a value, flags as a boolean array, text as int64 codes
into labels. :class:`RowInputs` is what :class:`~fenxiao.rules.masks.Masks` asks of a batch of rows: its length,
whether it holds an input, and the input by name. The columnar path (:mod:`fenxiao.columnar`) reads its columns
into these forms; :class:`ArrayInputs` holds them directly:

>>> import numpy as np
>>> rows = ArrayInputs(3, {"composite": ArrayInput(IntColumn(np.array([5000, 7250, 9200])), places=2)})
>>> rows.has("composite"), rows.has("units_30d"), rows["composite"].numbers.values.tolist()
(True, False, [5000, 7250, 9200])

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeAlias

import attrs
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ArrayInput",
    "ArrayInputs",
    "BoolArray",
    "InputValues",
    "Int64Array",
    "IntColumn",
    "RowInputs",
    "TextColumn",
    "present",
]

#: A one-dimensional array of int64 (values in units, codes, counts).
Int64Array: TypeAlias = NDArray[np.int64]
#: A one-dimensional array of booleans (a mask over the rows).
BoolArray: TypeAlias = NDArray[np.bool_]


@attrs.frozen(eq=False)
class IntColumn:
    """Whole units as int64 (zero where missing) and where values are present (``None``: everywhere)."""

    values: Int64Array
    valid: BoolArray | None = None

    def take(self, index: NDArray[np.intp] | slice) -> IntColumn:
        """The rows at *index*."""
        return IntColumn(self.values[index], None if self.valid is None else self.valid[index])


@attrs.frozen(eq=False)
class TextColumn:
    """Text as int64 codes into *labels* (-1 where missing).

    >>> TextColumn(np.array([0, 1, -1]), ("normal", "warned")).code_of("warned")
    1
    """

    codes: Int64Array
    labels: tuple[str, ...]

    def code_of(self, label: str) -> int:
        """The code of *label*, or -2 (matching no row) if no row holds it."""
        try:
            return self.labels.index(label)
        except ValueError:
            return -2

    def take(self, index: NDArray[np.intp] | slice) -> TextColumn:
        """The rows at *index*."""
        return TextColumn(self.codes[index], self.labels)


class InputValues(Protocol):
    """One input over the rows, as the masks read it: exactly one of numbers, flags and text is not ``None``."""

    @property
    def numbers(self) -> IntColumn | None:
        """Numbers in units of ``10**-places``."""

    @property
    def places(self) -> int:
        """The decimal places of the numbers' units."""

    @property
    def flags(self) -> BoolArray | None:
        """Flags."""

    @property
    def text(self) -> TextColumn | None:
        """Text as codes."""

    @property
    def valid(self) -> BoolArray | None:
        """Where the input has a value (``None``: everywhere); a missing value satisfies no comparison."""


class RowInputs(Protocol):
    """A batch of rows: its length, which inputs it holds, and each input's values."""

    @property
    def length(self) -> int:
        """The number of rows."""

    def has(self, name: str) -> bool:
        """Whether input *name* can be read (a condition naming an input the rows lack fails where reached)."""

    def __getitem__(self, name: str) -> InputValues:
        """The values of input *name*."""


def present(numbers: IntColumn | None, text: TextColumn | None) -> BoolArray | None:
    """Where an input held as *numbers* or *text* has a value (``None``: everywhere; flags are never missing)."""
    if numbers is not None:
        return numbers.valid
    if text is not None:
        missing = text.codes < 0
        return ~missing if missing.any() else None
    return None


@attrs.frozen(eq=False)
class ArrayInput:
    """One input's values given directly (an :class:`InputValues`): numbers with their places, flags or text."""

    numbers: IntColumn | None = None
    places: int = 0
    flags: BoolArray | None = None
    text: TextColumn | None = None

    @property
    def valid(self) -> BoolArray | None:
        """Where the input has a value (``None``: everywhere)."""
        return present(self.numbers, self.text)


@attrs.frozen(eq=False)
class ArrayInputs:
    """*length* rows holding the inputs in *values* by name (a :class:`RowInputs`)."""

    length: int
    values: Mapping[str, ArrayInput]

    def has(self, name: str) -> bool:
        """Whether the rows hold input *name*."""
        return name in self.values

    def __getitem__(self, name: str) -> ArrayInput:
        return self.values[name]
