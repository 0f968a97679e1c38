"""From objects to columns: snapshots, catalogs and score cards as the columns the columnar path reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC
from decimal import Decimal
from typing import Any

import numpy as np

from fenxiao._internal.fixed import EXACT
from fenxiao.columnar._frames import object_array
from fenxiao.columnar._inputs import UNITS
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate
from fenxiao.scoring.dimensions import Dimension, SkuScores

__all__ = ["catalog_columns", "score_card_columns", "snapshot_columns"]


def _units(value: object, places: int, path: str) -> int:
    if isinstance(value, Money):
        return value.fen
    if isinstance(value, Rate):
        return value.ppm
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        scaled = value.scaleb(places, context=EXACT)
        if scaled != scaled.to_integral_value(context=EXACT):
            raise InvalidValueError(path, value, f"must have at most {places} decimal places on the columnar path")
        return int(scaled)
    raise InvalidValueError(path, value, "is not a metric value")  # pragma: no cover - snapshots are validated


def snapshot_columns(snapshots: Iterable[SkuSnapshot]) -> dict[str, Any]:
    """Snapshots as the columns :func:`~fenxiao.columnar.score_columns` and friends read.

    Money becomes fen, rates parts per million, the 0-5 shop scores millionths (int64); flags stay booleans;
    optional metrics are masked arrays (masked where unknown); ``sku_id`` and ``category_id`` are text;
    ``observed_at`` and ``joined_at`` are ``datetime64[us]`` in UTC.

    Raises:
        InvalidValueError: A snapshot that is not one, snapshots in several currencies, or a shop score with
            more than six decimal places.

    >>> from fenxiao.sample import load_sample
    >>> columns = snapshot_columns(load_sample().latest_snapshots()[:3])
    >>> columns["price"].dtype, columns["commission_rate"].tolist()
    (dtype('int64'), [207000, 263000, 181000])

    .. versionadded:: 0.1
    """
    rows = list(snapshots)
    currency = rows[0].price.currency if rows else None
    for i, snap in enumerate(rows):
        if not isinstance(snap, SkuSnapshot):
            raise InvalidValueError(f"snapshots[{i}]", snap, "must be a SkuSnapshot")
        if snap.price.currency != currency:
            raise InvalidValueError(f"snapshots[{i}].price", snap.price, f"is not in {currency}")
    out: dict[str, Any] = {
        "sku_id": object_array([s.sku_id for s in rows]),
        "category_id": object_array([s.category_id for s in rows]),
        "observed_at": _instants([s.observed_at for s in rows]),
        "joined_at": _instants([s.joined_at for s in rows]),
    }
    for name in METRIC_FIELDS:
        unit = UNITS[name]
        values = [getattr(s, name) for s in rows]
        if unit.kind == "bool":
            out[name] = np.array(values, dtype=np.bool_)
            continue
        units = [None if v is None else _units(v, unit.places, f"snapshots[{i}].{name}") for i, v in enumerate(values)]
        if unit.nullable:
            out[name] = np.ma.masked_array(
                [0 if u is None else u for u in units], mask=[u is None for u in units], dtype=np.int64
            )
        else:
            out[name] = np.array(units, dtype=np.int64)
    return out


def _instants(values: Sequence[Any]) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    naive = [v.astimezone(UTC).replace(tzinfo=None) for v in values]
    return np.array(naive, dtype="datetime64[us]")


def catalog_columns(catalog: Catalog, snapshots: Iterable[SkuSnapshot] | None = None) -> dict[str, Any]:
    """The latest snapshot of every SKU (or *snapshots*) as columns, with what perk conditions read.

    Adds ``merchant_id``, ``category_level1``, ``merchant_standing`` and ``shop_kind`` (text) to
    :func:`snapshot_columns`, as :func:`fenxiao.grading.pipeline.perk_inputs` does for one SKU.

    .. versionadded:: 0.1
    """
    rows = tuple(snapshots) if snapshots is not None else catalog.latest_snapshots()
    out = snapshot_columns(rows)
    skus = [catalog.sku(s.sku_id) for s in rows]
    merchants = [catalog.merchant(sku.merchant_id) for sku in skus]
    out["merchant_id"] = object_array([m.id for m in merchants])
    out["category_level1"] = object_array([catalog.category(sku.category_id).level1 for sku in skus])
    out["merchant_standing"] = object_array([m.standing.value for m in merchants])
    out["shop_kind"] = object_array([m.shop_kind.value for m in merchants])
    return out


def score_card_columns(cards: Iterable[SkuScores]) -> dict[str, Any]:
    """Score cards as score columns: ``score.brand`` ... ``score.sales`` and ``composite``, in hundredths (int64).

    .. versionadded:: 0.1
    """
    rows = list(cards)
    out: dict[str, Any] = {}
    for dimension in Dimension:
        out[f"score.{dimension.value}"] = np.array([c[dimension].centi for c in rows], dtype=np.int64)
    out["composite"] = np.array([int(c.composite.scaleb(2, context=EXACT)) for c in rows], dtype=np.int64)
    return out
