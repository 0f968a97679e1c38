"""Rows of plain values into a data frame of the caller's library, through narwhals (private, imported lazily).

Results that are lists of records (a period report's rows, a diff's changes) offer ``to_frame(backend)``; they
build their rows as dicts of plain values (ids, ``"L3"``, exact ``Decimal`` scores, integer fen) and call
:func:`rows_to_frame`. Nothing is rounded on the way: a Decimal stays a Decimal (an object column in pandas, a
decimal column in polars and pyarrow).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from fenxiao.errors import InvalidValueError, MissingExtraError

__all__ = ["BACKENDS", "rows_to_frame"]

#: The frame libraries ``to_frame`` can build, by the name narwhals knows them by.
BACKENDS: Final = ("pandas", "polars", "pyarrow")


def rows_to_frame(rows: Sequence[dict[str, object]], columns: Sequence[str], backend: str, what: str) -> Any:
    """A *backend* frame with *columns* (in that order) holding *rows* (every row has every column).

    Raises:
        InvalidValueError: *backend* is not one of :data:`BACKENDS`.
        MissingExtraError: narwhals or the backend library is not installed (names the extra to install).
    """
    if backend not in BACKENDS:
        raise InvalidValueError(f"{what}.backend", backend, f"must be one of {', '.join(BACKENDS)}")
    try:
        import narwhals as nw  # noqa: PLC0415 - an optional extra
    except ImportError as exc:
        raise MissingExtraError("narwhals", "columnar", f"{what} (data frames)") from exc
    try:
        __import__(backend)
    except ImportError as exc:
        raise MissingExtraError(backend, backend, f"{what} (a {backend} frame)") from exc
    data = {name: [row[name] for row in rows] for name in columns}
    if backend == "pandas":
        return nw.to_native(nw.from_dict(data, backend="pandas"))
    if backend == "polars":
        return nw.to_native(nw.from_dict(data, backend="polars"))
    return nw.to_native(nw.from_dict(data, backend="pyarrow"))
