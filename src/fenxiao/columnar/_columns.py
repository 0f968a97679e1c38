"""Reading input columns into exact int64 arrays (private).

Input is either a mapping of array-likes (NumPy arrays, masked arrays, lists, :class:`CodedText`) or an eager
DataFrame that narwhals understands (pandas, polars, pyarrow). Every numeric column becomes an int64 array of
whole *units* (fen, parts per million, millionths of a point, counts) plus a mask of missing values; text
becomes integer codes with their labels. Nothing inexact gets through: a float column is accepted only when
every value is a whole number of the column's unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from fenxiao._internal.fixed import EXACT
from fenxiao.errors import InvalidValueError
from fenxiao.rules.arrays import BoolArray, IntColumn, TextColumn

__all__ = ["CodedText", "Columns", "IntColumn", "TextColumn"]  # IntColumn, TextColumn: fenxiao.rules.arrays

_FLOAT_EXACT: Final = 2.0**53
_MICROS_PER_UNIT: Final = {"s": 10**6, "ms": 10**3, "us": 1}


def _to_labels(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(eq=False)
class CodedText:
    """A text column given as integer codes into *labels* (a code of -1 is missing).

    The columnar twin of a pandas ``Categorical`` or an Arrow dictionary array: pass it as a column of a mapping
    to skip the work of finding the distinct values of a long text column.

    >>> import numpy as np
    >>> col = CodedText(np.array([0, 1, 0, -1]), ("c-tea", "c-dress"))
    >>> col.decode()
    ['c-tea', 'c-dress', 'c-tea', None]

    .. versionadded:: 0.1
    """

    codes: NDArray[np.integer[Any]] = attrs.field()
    labels: tuple[str, ...] = attrs.field(converter=_to_labels)

    def __attrs_post_init__(self) -> None:
        codes: object = self.codes
        if not isinstance(codes, np.ndarray) or codes.ndim != 1 or codes.dtype.kind not in "iu":
            raise InvalidValueError("CodedText.codes", codes, "must be a one-dimensional integer array")
        if codes.size and (int(codes.min()) < -1 or int(codes.max()) >= len(self.labels)):
            raise InvalidValueError("CodedText.codes", "...", f"must lie in [-1, {len(self.labels) - 1}]")
        for i, label in enumerate(self.labels):
            if not isinstance(label, str):
                raise InvalidValueError(f"CodedText.labels[{i}]", label, "must be text")

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def decode(self) -> list[str | None]:
        """The values as a list of text (``None`` where missing)."""
        labels = self.labels
        return [labels[c] if c >= 0 else None for c in self.codes.tolist()]


def factorize(values: Sequence[object] | NDArray[Any], path: str) -> TextColumn:
    """Codes and labels for a text array (``None`` and NaN are missing)."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "O":
        try:
            import pandas as pd
        except ImportError:
            pass
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            labels = tuple(uniques.tolist())
            for label in labels:
                if not isinstance(label, str):
                    raise InvalidValueError(path, label, "must hold text")
            return TextColumn(codes.astype(np.int64, copy=False), labels)
    seen: dict[object, int] = {}
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    out = np.empty(len(items), dtype=np.int64)
    for i, item in enumerate(items):
        if item is None or (isinstance(item, float) and math.isnan(item)):
            out[i] = -1
            continue
        if not isinstance(item, str):
            raise InvalidValueError(f"{path}[{i}]", item, "must be text")
        out[i] = seen.setdefault(item, len(seen))
    return TextColumn(out, tuple(str(k) for k in seen))


def _bad(path: str, index: int, value: object, problem: str) -> InvalidValueError:
    return InvalidValueError(f"{path}[{index}]", value, problem)


def _from_objects(items: list[object], path: str, places: int) -> IntColumn:
    """Ints and whole floats (already in units), exact Decimals (in whole values) and ``None``, as units."""
    out = np.zeros(len(items), dtype=np.int64)
    valid = np.ones(len(items), dtype=np.bool_)
    for i, item in enumerate(items):
        if item is None or (isinstance(item, float) and math.isnan(item)):
            valid[i] = False
            continue
        if isinstance(item, (bool, np.bool_)):
            raise _bad(path, i, item, "must be a number, not a flag")
        if isinstance(item, (int, np.integer)):
            units = int(item)
        elif isinstance(item, Decimal):
            if not item.is_finite():
                raise _bad(path, i, item, "must be a finite number")
            try:
                scaled = item.scaleb(places, context=EXACT)
            except InvalidOperation:  # pragma: no cover - scaleb of a finite Decimal does not fail
                raise _bad(path, i, item, "must be a finite number") from None
            if scaled != scaled.to_integral_value(context=EXACT):
                raise _bad(path, i, item, f"must have at most {places} decimal places")
            units = int(scaled)
        elif isinstance(item, (float, np.floating)):
            units = _whole_float(float(item), path, i)
        else:
            raise _bad(path, i, item, "must be an int, a Decimal or missing")
        if abs(units) > 2**63 - 1:
            raise _bad(path, i, item, "is beyond int64")
        out[i] = units
    return IntColumn(out, None if bool(valid.all()) else valid)


def _whole_float(value: float, path: str, index: int) -> int:
    if math.isnan(value) or abs(value) >= _FLOAT_EXACT or value != int(value):
        raise _bad(path, index, value, "must be a whole number of the column's unit (floats are accepted only then)")
    return int(value)


def to_units(raw: object, path: str, places: int) -> IntColumn:
    """Any one-dimensional array-like as an :class:`IntColumn` of units of ``10**-places``.

    Integer arrays are taken to be in units already; Decimals (object arrays, Arrow decimals) are scaled
    exactly; float arrays must hold whole units (NaN is missing).
    """
    if isinstance(raw, CodedText):
        raise InvalidValueError(path, "CodedText", "must be numbers, not text")
    mask: BoolArray | None = None
    if isinstance(raw, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(raw)
        data = np.asarray(raw.data)
        if data.dtype.kind == "O":
            array = np.asarray(raw.filled(None))
        elif mask.any():
            array = np.where(mask, data.dtype.type(0), data)  # one pass: the masked values become 0
        else:
            array = data
    elif isinstance(raw, np.ndarray):
        array = raw
    else:
        array = np.asarray(raw)
        if array.dtype.kind in "US":
            raise InvalidValueError(path, "text", "must be numbers, not text")
    if array.ndim != 1:
        raise InvalidValueError(path, array.shape, "must be one-dimensional")
    kind = array.dtype.kind
    if kind == "b":
        raise InvalidValueError(path, "booleans", "must be numbers, not flags")
    if kind in "iu":
        if kind == "u" and array.size and int(array.max()) > 2**63 - 1:
            raise InvalidValueError(path, int(array.max()), "is beyond int64")
        column = IntColumn(array.astype(np.int64, copy=False))
    elif kind == "f":
        nan = np.isnan(array)
        filled = np.where(nan, 0.0, array)
        bad = (np.abs(filled) >= _FLOAT_EXACT) | (np.floor(filled) != filled)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise _bad(
                path,
                i,
                float(array[i]),
                "must be a whole number of the column's unit (a float is accepted "
                "only then; give fen, parts per million or millionths as integers)",
            )
        column = IntColumn(filled.astype(np.int64), ~nan if nan.any() else None)
    elif kind == "O":
        column = _from_objects(array.tolist(), path, places)
    else:
        raise InvalidValueError(path, str(array.dtype), "must be integers or exact decimals")
    if mask is not None and mask.any():
        # Masked values were filled with 0 above, so the values already hold 0 where missing.
        valid = ~mask if column.valid is None else column.valid & ~mask
        column = IntColumn(column.values, valid)
    return column


def to_flags(raw: object, path: str) -> tuple[BoolArray, BoolArray | None]:
    """A boolean array-like as flags and where they are present."""
    if isinstance(raw, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(raw)
        flags, valid = to_flags(np.asarray(raw.filled(False)), path)
        return flags & ~mask, (~mask if mask.any() else None) if valid is None else valid & ~mask
    array = raw if isinstance(raw, np.ndarray) else np.asarray(raw)
    if array.ndim != 1:
        raise InvalidValueError(path, array.shape, "must be one-dimensional")
    if array.dtype.kind == "b":
        return array, None
    if array.dtype.kind == "O":
        out = np.zeros(array.shape[0], dtype=np.bool_)
        valid = np.ones(array.shape[0], dtype=np.bool_)
        for i, item in enumerate(array.tolist()):
            if item is None:
                valid[i] = False
            elif isinstance(item, (bool, np.bool_)):
                out[i] = bool(item)
            else:
                raise _bad(path, i, item, "must be true or false")
        return out, None if bool(valid.all()) else valid
    raise InvalidValueError(path, str(array.dtype), "must be booleans (true or false)")


def to_text(raw: object, path: str) -> TextColumn:
    """A text array-like (or :class:`CodedText`) as codes and labels."""
    if isinstance(raw, CodedText):
        return TextColumn(raw.codes.astype(np.int64, copy=False), raw.labels)
    if isinstance(raw, TextColumn):
        return raw
    array = raw if isinstance(raw, np.ndarray) else np.asarray(raw, dtype=object)
    if array.ndim != 1:
        raise InvalidValueError(path, array.shape, "must be one-dimensional")
    if array.dtype.kind not in "OUS":
        raise InvalidValueError(path, str(array.dtype), "must be text")
    return factorize(array, path)


def to_micros(raw: object, path: str) -> IntColumn:
    """Instants as microseconds since the epoch (UTC): datetime64 arrays, or aware datetimes."""
    array = raw if isinstance(raw, np.ndarray) else np.asarray(raw)
    if array.ndim != 1:
        raise InvalidValueError(path, array.shape, "must be one-dimensional")
    if array.dtype.kind == "M":
        unit, _ = np.datetime_data(array.dtype)
        missing = np.isnat(array)
        if unit in _MICROS_PER_UNIT:
            values = array.astype(np.int64) * _MICROS_PER_UNIT[unit]
        elif unit == "ns":
            values = np.floor_divide(array.astype(np.int64), 1000)
        else:
            values = array.astype("datetime64[us]").astype(np.int64)
        values = np.where(missing, 0, values)
        return IntColumn(values, ~missing if missing.any() else None)
    if array.dtype.kind == "O":
        from datetime import UTC, datetime

        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        out = np.zeros(array.shape[0], dtype=np.int64)
        valid = np.ones(array.shape[0], dtype=np.bool_)
        for i, item in enumerate(array.tolist()):
            if item is None:
                valid[i] = False
                continue
            if not isinstance(item, datetime) or item.tzinfo is None or item.utcoffset() is None:
                raise _bad(path, i, item, "must be a timezone-aware datetime")
            delta = item - epoch
            out[i] = (delta.days * 86_400 + delta.seconds) * 10**6 + delta.microseconds
        return IntColumn(out, None if bool(valid.all()) else valid)
    raise InvalidValueError(path, str(array.dtype), "must be datetimes")


class Columns:
    """The input columns of one call, from a mapping of array-likes or a narwhals eager frame.

    Columns are converted on demand and once; :attr:`length` is the common length.
    """

    def __init__(self, data: Mapping[str, object] | Any, what: str) -> None:
        self.what = what
        self._frame: Any = None
        self._mapping: Mapping[str, object] | None = None
        if isinstance(data, Mapping):
            self._mapping = data
            names = list(data)
            lengths = {name: _length(data[name], f"{what}.{name}") for name in names}
            distinct = set(lengths.values())
            if len(distinct) > 1:
                first = names[0]
                other = next(n for n in names if lengths[n] != lengths[first])
                raise InvalidValueError(
                    f"{what}.{other}", lengths[other], f"must have as many rows as {first} ({lengths[first]})"
                )
            self.length = distinct.pop() if distinct else 0
            self.names = frozenset(names)
        else:
            self._frame = data
            self.length = int(data.shape[0])
            self.names = frozenset(str(c) for c in data.columns)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def path(self, name: str) -> str:
        """The path naming column *name* in messages."""
        return f"{self.what}.{name}"

    def raw(self, name: str) -> object:
        """The column as given (a mapping's value) or as NumPy (a frame's series), with nulls kept."""
        if name not in self.names:
            raise InvalidValueError(self.path(name), None, "is a required column but was not given")
        if self._mapping is not None:
            return self._mapping[name]
        return _frame_column(self._frame, name)

    def ints(
        self,
        name: str,
        places: int,
        *,
        low: int,
        high: int,
        nullable: bool = False,
        default: int | None = None,
    ) -> IntColumn:
        """Column *name* as whole units of ``10**-places`` within ``[low, high]``.

        A missing column gives *default* everywhere (or, without one, an error); missing values are refused
        unless *nullable*.
        """
        if name not in self.names:
            if default == 0:  # zeroed pages from the allocator: nothing written until used
                return IntColumn(np.zeros(self.length, dtype=np.int64))
            if default is not None:
                return IntColumn(np.full(self.length, default, dtype=np.int64))
            if nullable:
                return IntColumn(np.zeros(self.length, dtype=np.int64), np.zeros(self.length, dtype=np.bool_))
        path = self.path(name)
        raw = self.raw(name)
        column = raw.column if isinstance(raw, _IntSeries) else to_units(raw, path, places)
        if column.valid is not None and not nullable:
            i = int(np.flatnonzero(~column.valid)[0])
            raise InvalidValueError(f"{path}[{i}]", None, "must not be missing")
        values = column.values
        if values.size and (int(values.min()) < low or int(values.max()) > high):
            outside = (values < low) | (values > high)
            if column.valid is not None:
                outside &= column.valid
            if outside.any():
                i = int(np.flatnonzero(outside)[0])
                raise InvalidValueError(f"{path}[{i}]", int(values[i]), f"must be between {low} and {high}")
        return column

    def flags(self, name: str, *, default: bool | None = None) -> BoolArray:
        """Column *name* as booleans; a missing column gives *default* (or an error); missing values refused."""
        if name not in self.names and default is not None:
            return np.zeros(self.length, dtype=np.bool_) if not default else np.ones(self.length, dtype=np.bool_)
        path = self.path(name)
        flags, valid = to_flags(self.raw(name), path)
        if valid is not None:
            i = int(np.flatnonzero(~valid)[0])
            raise InvalidValueError(f"{path}[{i}]", None, "must not be missing")
        return flags

    def text(self, name: str) -> TextColumn:
        """Column *name* as text codes (-1 where missing); a missing column is all missing."""
        if name not in self.names:
            return TextColumn(np.full(self.length, -1, dtype=np.int64), ())
        return to_text(self.raw(name), self.path(name))

    def micros(self, name: str) -> IntColumn:
        """Column *name* as instants in microseconds since the epoch (UTC)."""
        column = to_micros(self.raw(name), self.path(name))
        if column.valid is not None:
            i = int(np.flatnonzero(~column.valid)[0])
            raise InvalidValueError(f"{self.path(name)}[{i}]", None, "must not be missing")
        return column


@attrs.frozen(eq=False)
class _IntSeries:
    """An integer frame column already read exactly (NumPy would turn ints with nulls into floats)."""

    column: IntColumn


def _frame_column(frame: Any, name: str) -> object:
    import narwhals as nw

    series = frame.get_column(name)
    dtype = series.dtype
    if dtype.is_integer():
        nulls = int(series.null_count())
        values = series.fill_null(0).to_numpy() if nulls else series.to_numpy()
        if values.dtype.kind == "u" and values.size and int(values.max()) > 2**63 - 1:
            raise InvalidValueError(f"columns.{name}", int(values.max()), "is beyond int64")
        valid = ~series.is_null().to_numpy() if nulls else None
        return _IntSeries(IntColumn(values.astype(np.int64, copy=False), valid))
    if dtype == nw.Boolean:
        values = series.to_numpy()
        if int(series.null_count()):
            return np.ma.MaskedArray(series.fill_null(False).to_numpy().astype(np.bool_), series.is_null().to_numpy())
        return values.astype(np.bool_, copy=False)
    if dtype in (nw.String, nw.Categorical, nw.Enum):
        return np.asarray(series.to_numpy(), dtype=object)
    return series.to_numpy()


def _length(value: object, path: str) -> int:
    if isinstance(value, CodedText):
        return len(value)
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise InvalidValueError(path, value.shape, "must be one-dimensional")
        return int(value.shape[0])
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidValueError(path, type(value).__name__, "must be an array or a list")
    try:
        return len(value)  # type: ignore[arg-type]  # any sized iterable (a list, a pandas Series)
    except TypeError:
        raise InvalidValueError(path, type(value).__name__, "must be an array or a list") from None
