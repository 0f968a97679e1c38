"""Rows of plain values into a data frame of the caller's library, through narwhals (private, imported lazily).

Results that are lists of records (a period report's rows, a diff's changes, a graded catalog) offer
``to_frame(backend)``; they build their rows as dicts of plain values (ids, ``"L3"``, exact ``Decimal`` scores,
integer fen, ``Money``) and call :func:`rows_to_frame`, which labels them for analysis (the frame's dtypes):

=====================================  =========================================================================
a value in the rows                    in the frame
=====================================  =========================================================================
text, an id                            a string column
a tier (``"L3"``)                      the label as text, plus ``<column>_rank``: its rank 0-5 as an integer
integer fen (a ``*_fen`` column)       int64 fen, plus ``*_yuan``: float64 yuan for plotting
``Money``                              ``<column>_fen`` int64 and ``<column>_yuan`` float64
``Decimal`` (scores, rates, shares)    float64 (a rate as a fraction, 0.2 for 20%)
``Rate``                               float64, the fraction
int, bool                              int64, bool
=====================================  =========================================================================

Missing values are nulls (NaN in a pandas float column). The exact values stay in ``to_rows()``; with
``exact=True`` the frame keeps them too (a Decimal stays a Decimal: an object column in pandas, a decimal column
in polars and pyarrow; Money as integer fen).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from fenxiao.errors import InvalidValueError, MissingExtraError
from fenxiao.money import Money, Rate

__all__ = ["BACKENDS", "TIER_LABELS", "labelled", "rows_to_frame"]

#: The tier labels, in rank order (this module sits below grading, which defines ``Tier``).
TIER_LABELS: Final = ("L0", "L1", "L2", "L3", "L4", "L5")
_RANKS: Final = {label: rank for rank, label in enumerate(TIER_LABELS)}

#: The frame libraries ``to_frame`` can build, by the name narwhals knows them by.
BACKENDS: Final = ("pandas", "polars", "pyarrow")


def _number(value: object) -> object:
    if isinstance(value, Rate):
        return float(value.as_fraction())
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    return value


def _fen(value: object) -> int | None:
    return value.fen if isinstance(value, Money) else None


def _yuan(value: object) -> float | None:
    if isinstance(value, Money):
        return value.fen / 100
    if isinstance(value, int) and not isinstance(value, bool):
        return value / 100
    return None


def labelled(rows: Sequence[dict[str, object]], columns: Sequence[str]) -> dict[str, list[object]]:
    """*rows* as labelled columns for analysis (see the module's table), in the order of *columns*."""
    data: dict[str, list[object]] = {}
    for name in columns:
        values = [row[name] for row in rows]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, Money) for v in present):
            data[f"{name}_fen"] = [_fen(v) for v in values]
            data[f"{name}_yuan"] = [_yuan(v) for v in values]
        elif present and all(isinstance(v, str) and v in _RANKS for v in present):
            data[name] = values
            data[f"{name}_rank"] = [_RANKS.get(v) if isinstance(v, str) else None for v in values]
        else:
            data[name] = [_number(v) for v in values]
            whole = all(isinstance(v, int) and not isinstance(v, bool) for v in present)
            if name.endswith("_fen") and whole and f"{name[:-4]}_yuan" not in columns:
                data[f"{name[:-4]}_yuan"] = [_yuan(v) for v in values]
    return data


def rows_to_frame(
    rows: Sequence[dict[str, object]], columns: Sequence[str], backend: str, what: str, *, exact: bool = False
) -> Any:
    """A *backend* frame with *columns* (in that order) holding *rows* (every row has every column), labelled
    for analysis (the module's table), or with the exact values as they are (``exact=True``).

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
    if exact:
        data = {name: [v.fen if isinstance(v, Money) else v for v in (row[name] for row in rows)] for name in columns}
    else:
        data = labelled(rows, columns)
    if backend == "pandas":
        return nw.to_native(nw.from_dict(data, backend="pandas"))
    if backend == "polars":
        return nw.to_native(nw.from_dict(data, backend="polars"))
    return nw.to_native(nw.from_dict(data, backend="pyarrow"))
