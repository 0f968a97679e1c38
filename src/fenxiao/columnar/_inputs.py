"""The named inputs of SKU rows (private): every snapshot metric, the scores, days, and the perk inputs.

Each input has a unit: money in fen, rates in parts per million, the 0-5 shop scores in millionths, counts and
days as they are, flags as booleans, the 0-100 scores in hundredths (centi-points), text as codes. A
:class:`Inputs` reads them from the columns on first use and keeps them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import attrs
import numpy as np

from fenxiao._internal import validators as v
from fenxiao.columnar._columns import Columns
from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.inputs import DIMENSION_INPUTS
from fenxiao.money import MAX_FEN
from fenxiao.rules.arrays import BoolArray, Int64Array, IntColumn, TextColumn, present

#: The largest count (units, influencers, violations) and day number the columnar path accepts.
MAX_COUNT: Final = 10**15
_MICROS_PER_DAY: Final = 86_400 * 10**6
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@attrs.frozen
class Unit:
    """How one input is held: its kind, the decimal places of its integer units, its bounds, nullability."""

    kind: str  # "number", "bool", "text" or "instant" (microseconds since the epoch, UTC)
    places: int = 0
    low: int = 0
    high: int = 0
    nullable: bool = False


def _snapshot_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for field in attrs.fields(SkuSnapshot):
        if field.name not in METRIC_FIELDS:
            continue
        text = str(field.type)
        nullable = "None" in text
        if "bool" in text:
            units[field.name] = Unit("bool")
        elif "Money" in text:
            units[field.name] = Unit("number", 2, -MAX_FEN, MAX_FEN, nullable)
        elif "Rate" in text:
            units[field.name] = Unit("number", 6, 0, 10**6, nullable)
        elif "Decimal" in text:
            units[field.name] = Unit("number", 6, 0, 5 * 10**6, nullable)
        else:
            units[field.name] = Unit("number", 0, 0, MAX_COUNT, nullable)
    return units


#: Every input a SKU row may hold, with its unit.
UNITS: Final[dict[str, Unit]] = {
    **_snapshot_units(),
    **{name: Unit("number", 2, 0, 10_000) for name in DIMENSION_INPUTS},
    "days_since_joining": Unit("number", 0, 0, MAX_COUNT),
    "days_in_pool": Unit("number", 0, 0, MAX_COUNT),
    # A whole percent of the category's median units (fenxiao.grading.inputs.units_vs_category): run_pipeline
    # computes it from the context; grade_columns reads it as a column like the scores (missing without one).
    "units_vs_category": Unit("number", 0, 0, 200 * MAX_COUNT, nullable=True),
    "observed_at": Unit("instant"),
    "joined_at": Unit("instant"),
    "sku_id": Unit("text"),
    "category_id": Unit("text"),
    "category_level1": Unit("text"),
    "merchant_standing": Unit("text"),
    "shop_kind": Unit("text"),
}


@attrs.frozen(eq=False)
class Input:
    """One input's values: numbers in units (with validity), flags, or text codes (a
    :class:`~fenxiao.rules.arrays.InputValues`, as the masks read it)."""

    unit: Unit
    numbers: IntColumn | None = None
    flags: BoolArray | None = None
    text: TextColumn | None = None

    @property
    def places(self) -> int:
        """The decimal places of the numbers' units."""
        return self.unit.places

    @property
    def valid(self) -> BoolArray | None:
        """Where the input has a value (``None``: everywhere)."""
        return present(self.numbers, self.text)


def to_micros(moment: datetime, path: str) -> int:
    """An aware datetime as microseconds since the epoch (UTC)."""
    delta = v.require_aware(moment, path) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10**6 + delta.microseconds


def _sliced(value: Input, part: slice) -> Input:
    return Input(
        value.unit,
        numbers=None if value.numbers is None else value.numbers.take(part),
        flags=None if value.flags is None else value.flags[part],
        text=None if value.text is None else value.text.take(part),
    )


class Inputs:
    """The inputs of a batch of SKU rows, read from *columns* on first use (and kept).

    ``days_since_joining`` comes from its own column, else from ``joined_at`` and *as_of*; ``days_in_pool``
    from its own column, else from ``joined_at`` and ``observed_at``. :meth:`view` gives the same inputs for a
    slice of the rows, without copying.
    """

    def __init__(self, columns: Columns, as_of: datetime | None = None) -> None:
        self.columns = columns
        self.length = columns.length
        self.as_of = as_of
        self._cache: dict[str, Input] = {}
        self._root: Inputs | None = None
        self._part = slice(0, columns.length)

    def view(self, part: slice) -> Inputs:
        """These inputs for the rows in *part* (a slice of this batch's rows)."""
        root = self._root or self
        start = self._part.start + part.start
        view = Inputs(root.columns, root.as_of)
        view._root = root
        view._part = slice(start, start + (part.stop - part.start))
        view.length = part.stop - part.start
        return view

    def set(self, name: str, value: Input) -> None:
        """Use *value* (for exactly these rows) for input *name*, e.g. scores computed in this call."""
        self._cache[name] = value

    def has(self, name: str) -> bool:
        """Whether input *name* can be read."""
        columns = self.columns
        if name in self._cache or name in columns:
            return True
        unit = UNITS.get(name)
        if unit is not None and unit.nullable:
            return True  # an optional metric without a column is unknown everywhere, as on a snapshot
        if name == "days_since_joining":
            return "joined_at" in columns and self.as_of is not None
        if name == "days_in_pool":
            return "joined_at" in columns and "observed_at" in columns
        return False

    def __getitem__(self, name: str) -> Input:
        found = self._cache.get(name)
        if found is None:
            found = self._read(name) if self._root is None else _sliced(self._root[name], self._part)
            self._cache[name] = found
        return found

    def _read(self, name: str) -> Input:
        unit = UNITS.get(name)
        if unit is None:
            raise InvalidValueError(self.columns.path(name), None, "is not a known input")
        columns = self.columns
        if unit.kind == "text":
            return Input(unit, text=columns.text(name))
        if unit.kind == "instant":
            return Input(unit, numbers=columns.micros(name))
        if name not in columns and name in ("days_since_joining", "days_in_pool"):
            return Input(unit, numbers=IntColumn(self._days(name)))
        if unit.kind == "bool":
            if name not in columns:
                raise InvalidValueError(columns.path(name), None, "is needed but was not given")
            return Input(unit, flags=columns.flags(name))
        if name not in columns and not unit.nullable:
            raise InvalidValueError(columns.path(name), None, "is needed but was not given")
        numbers = columns.ints(name, unit.places, low=unit.low, high=unit.high, nullable=unit.nullable)
        return Input(unit, numbers=numbers)

    def _days(self, name: str) -> Int64Array:
        columns = self.columns
        joined = columns.micros("joined_at")  # only a root reads columns: views slice what it read
        if name == "days_since_joining":
            if self.as_of is None:
                raise InvalidValueError(
                    columns.path("days_since_joining"), None, "needs its own column, or joined_at and as_of"
                )
            end = np.int64(to_micros(self.as_of, "as_of"))
            days: Int64Array = np.floor_divide(end - joined.values, _MICROS_PER_DAY)
            where = "is before the SKU joined the pool"
        else:
            observed = columns.micros("observed_at")
            days = np.floor_divide(observed.values - joined.values, _MICROS_PER_DAY)
            where = "joined_at is after observed_at"
        if days.size and int(days.min()) < 0:
            i = int(np.flatnonzero(days < 0)[0])
            raise InvalidValueError(f"{columns.path(name)}[{i}]", int(days[i]), where)
        return days
