"""Columnar results as a frame labelled for analysis, as every fenxiao frame is.

The columnar functions return compact integer columns: tiers as ranks, scores in hundredths of a point, money in
fen, rates in parts per million. :func:`labelled_frame` turns such a result (a mapping of arrays, or a frame) into
a pandas, polars or pyarrow frame an analyst can plot without ``astype``:

=====================================  =========================================================================
a column of the result                 in the frame
=====================================  =========================================================================
a tier rank (``tier``, ``decided``,    the label (``"L3"``, null for -1: no tier) and ``<column>_rank``, the rank
``previous``, ``effective``,           as an integer (null for no tier)
``below_best``)
``composite``, ``score.<dimension>``   float64 points (9250 hundredths: 92.5)
``<name>_fen``                         kept (int64 fen), plus ``<name>_yuan``: float64 yuan
``<name>_ppm``                         kept (int64 ppm), plus ``<name>_rate``: float64, the fraction (0.2 for 20%)
anything else                          as it is (ids, counts, rule indices, flags)
=====================================  =========================================================================

Masked entries are nulls. ``exact=True`` keeps every column as it is (no labels, no floats).

>>> import numpy as np
>>> from fenxiao.columnar import settle_columns
>>> orders = {"order_id": ["o-1", "o-2"], "paid_fen": np.array([9990, 100]), "commission_ppm": np.array([200_000, 0])}
>>> frame = labelled_frame(settle_columns(orders, keep=("order_id",)))
>>> frame[["order_id", "influencer_fen", "influencer_yuan"]].values.tolist()
[['o-1', 1998, 19.98], ['o-2', 0, 0.0]]
>>> graded = {"sku_id": ["s-1", "s-2"], "composite": np.array([9250, 4000]), "tier": np.array([5, 0], dtype=np.int8)}
>>> labelled_frame(graded)[["sku_id", "composite", "tier", "tier_rank"]].values.tolist()
[['s-1', 92.5, 'L5', 5], ['s-2', 40.0, 'L0', 0]]

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np

from fenxiao._internal.frames import BACKENDS, TIER_LABELS
from fenxiao.errors import InvalidValueError, MissingExtraError

__all__ = ["TIER_RANK_COLUMNS", "labelled_frame"]

#: The columns that hold a tier's rank (0-5, -1 for no tier) in the columnar results.
TIER_RANK_COLUMNS: Final = frozenset({"tier", "decided", "previous", "effective", "below_best"})


def _is_score(name: str) -> bool:
    return name == "composite" or name.startswith("score.")


def _values(array: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    """The values of a column and its mask (``None`` when nothing is masked)."""
    if isinstance(array, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(array)
        return np.ma.getdata(array), (mask if mask.any() else None)
    return np.asarray(array), None


def _with_nulls(values: np.ndarray[Any, Any], missing: np.ndarray[Any, Any] | None) -> Any:
    """*values* as they are, or as a list with ``None`` where *missing* (a frame library makes them nulls)."""
    if missing is None:
        return values
    return [None if gone else value for value, gone in zip(values.tolist(), missing.tolist(), strict=True)]


def _labelled(columns: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, array in columns.items():
        values, mask = _values(array)
        numeric = values.dtype.kind in "iu"
        if name in TIER_RANK_COLUMNS and numeric:
            none = (values < 0) | (mask if mask is not None else False)
            ranks = np.where(none, 0, values).astype(np.int64)
            if ranks.size and int(ranks.max()) >= len(TIER_LABELS):
                raise InvalidValueError(f"labelled_frame.columns[{name!r}]", int(ranks.max()), "is not a tier rank")
            gone = none if none.any() else None
            data[name] = _with_nulls(np.array(TIER_LABELS, dtype=object)[ranks], gone)
            data[f"{name}_rank"] = _with_nulls(ranks, gone)
        elif _is_score(name) and numeric:
            data[name] = _with_nulls(values.astype(np.float64) / 100, mask)
        elif name.endswith("_fen") and numeric:
            data[name] = _with_nulls(values.astype(np.int64), mask)
            data[f"{name[:-4]}_yuan"] = _with_nulls(values.astype(np.float64) / 100, mask)
        elif name.endswith("_ppm") and numeric:
            data[name] = _with_nulls(values.astype(np.int64), mask)
            data[f"{name[:-4]}_rate"] = _with_nulls(values.astype(np.float64) / 1_000_000, mask)
        else:
            data[name] = _with_nulls(values, mask) if values.dtype != object else list(values)
    return data


def _as_mapping(columns: Any) -> Mapping[str, Any]:
    if isinstance(columns, Mapping):
        return columns
    try:
        import narwhals as nw  # noqa: PLC0415 - an optional extra
    except ImportError as exc:
        raise MissingExtraError("narwhals", "columnar", "labelled_frame (frame input)") from exc
    frame = nw.from_native(columns, eager_only=True, pass_through=True)
    if not isinstance(frame, nw.DataFrame):
        raise InvalidValueError(
            "labelled_frame.columns", type(columns).__name__, "must be a mapping of arrays or a pandas/polars frame"
        )
    return {name: frame[name].to_numpy() for name in frame.columns}


def labelled_frame(columns: Any, backend: str = "pandas", *, exact: bool = False) -> Any:
    """A columnar result (a mapping of arrays, or a frame) as a *backend* frame labelled for analysis (see the
    module's table); ``exact=True`` keeps every column as it is.

    Raises:
        InvalidValueError: *backend* is not one of pandas, polars or pyarrow; a tier column holds a number that is
            not a rank; *columns* is neither a mapping nor a frame.
        MissingExtraError: narwhals or the frame library is not installed.
    """
    if backend not in BACKENDS:
        raise InvalidValueError("labelled_frame.backend", backend, f"must be one of {', '.join(BACKENDS)}")
    source = _as_mapping(columns)
    try:
        import narwhals as nw  # noqa: PLC0415 - an optional extra
    except ImportError as exc:
        raise MissingExtraError("narwhals", "columnar", "labelled_frame") from exc
    try:
        __import__(backend)
    except ImportError as exc:
        raise MissingExtraError(backend, backend, f"labelled_frame (a {backend} frame)") from exc
    if exact:
        data: dict[str, Any] = {}
        for name, array in source.items():
            values, mask = _values(array)
            data[name] = _with_nulls(values, mask) if values.dtype != object else list(values)
    else:
        data = _labelled(source)
    if backend == "pandas":
        return nw.to_native(nw.from_dict(data, backend="pandas"))
    if backend == "polars":
        return nw.to_native(nw.from_dict(data, backend="polars"))
    return nw.to_native(nw.from_dict(data, backend="pyarrow"))
