"""DataFrames in and out through narwhals (private); narwhals is imported only when a frame is given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fenxiao.columnar._columns import Columns
from fenxiao.errors import InvalidValueError, MissingExtraError

#: What a columnar function returns for a mapping input: column name to NumPy array.
ArrayMapping = dict[str, NDArray[Any]]


def read(data: object, what: str) -> tuple[Columns, Any]:
    """The input's columns, and the narwhals frame it came from (``None`` for a mapping)."""
    if isinstance(data, Mapping):
        return Columns(data, what), None
    try:
        import narwhals as nw
    except ImportError as exc:
        raise MissingExtraError("narwhals", "columnar", "fenxiao.columnar (DataFrame input)") from exc
    frame = nw.from_native(data, eager_only=True, pass_through=True)
    if not isinstance(frame, nw.DataFrame):
        raise InvalidValueError(
            what,
            type(data).__name__,
            "must be a mapping of column names to arrays, or a pandas, polars or pyarrow frame",
        )
    return Columns(frame, what), frame


def write(frame: Any, columns: Columns, results: Mapping[str, NDArray[Any]], keep: Sequence[str]) -> Any:
    """*results* (plus the input columns named in *keep* that exist) in the input's own kind.

    A mapping input gives a ``dict`` of NumPy arrays; a frame gives a frame of the same library, with the
    input's row index (pandas) kept.
    """
    kept = [name for name in keep if name in columns]
    if frame is None:
        out: dict[str, Any] = {name: columns.raw(name) for name in kept}
        out.update(results)
        return out
    import narwhals as nw

    backend = frame.implementation
    series = [nw.new_series(name, values, backend=backend) for name, values in results.items()]
    if kept:
        return nw.to_native(frame.select(kept).with_columns(*series))
    native = nw.to_native(nw.from_dict({s.name: s for s in series}, backend=backend))
    if backend is nw.Implementation.PANDAS:
        native.index = nw.to_native(frame).index
    return native


def object_array(values: Sequence[object]) -> NDArray[np.object_]:
    """A one-dimensional object array (NumPy would otherwise split tuples into a second axis)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out
