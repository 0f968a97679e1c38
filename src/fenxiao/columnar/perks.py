"""Columnar perk resolution: a :class:`~fenxiao.grading.perks.PerkCatalog` applied to whole columns of tiers.

Each catalog entry becomes an eligibility mask (its tier and inheritance, its campaign window at *at*, its
condition over the perk inputs); each slot (a perk kind and key) then picks its winner among the eligible
entries by the kind's stacking rule. The window and the order of precedence are not written here: they are
:func:`fenxiao.grading.perks.outside_window` and :func:`fenxiao.grading.perks.stacking_precedence`, the rules
:func:`~fenxiao.grading.perks.resolve_perks` reads:

* ``strongest``: the largest ``strength()``, then the higher tier, then the earlier entry;
* ``override``: the higher tier, then the later entry;
* ``sum``: every eligible entry adds up (the slot names the highest-tier one, as the object path's reason does);
  for subsidies the combined rate, fixed amount and cap are columns too.

One column per slot, ``perk.<kind>.<key>``, holds the index in ``catalog.entries`` of the entry granted
(int16; -1 where nothing is granted). :func:`perk_names` turns it into entry names.

>>> import numpy as np
>>> from fenxiao.grading.perks import default_perk_catalog
>>> columns = {"tier": np.array([0, 5, 5], dtype=np.int8), "days_since_joining": np.array([3, 30, 30]),
...            "merchant_standing": ["normal", "normal", "warned"]}
>>> perks = resolve_perk_columns(columns)
>>> perk_names(default_perk_catalog(), perks["perk.traffic_boost.traffic"])
['cold-start', 'traffic-boost', 'traffic-boost']
>>> perk_names(default_perk_catalog(), perks["perk.subsidy.official-subsidy"])
[None, 'official-subsidy', None]
>>> perks["perk.subsidy.official-subsidy.rate_ppm"].tolist(), perks["perk.subsidy.official-subsidy.cap_fen"].tolist()
([0, 50000, 0], [-1, 2000, -1])

.. versionadded:: 0.1
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, TypedDict, Unpack

import attrs
import numpy as np
from numpy.typing import NDArray

from fenxiao._internal import validators as v
from fenxiao.columnar._frames import read, write
from fenxiao.columnar._inputs import Inputs
from fenxiao.columnar._intmath import BoolArray, Int64Array, mul_div_round
from fenxiao.errors import InvalidValueError
from fenxiao.grading.perks import (
    PerkCatalog,
    Stacking,
    Subsidy,
    default_perk_catalog,
    outside_window,
    perk_kinds,
    stacking_precedence,
)
from fenxiao.money import Rounding
from fenxiao.rules.masks import Masks

__all__ = ["perk_names", "perk_slots", "resolve_perk_columns", "subsidy_fen"]

_NONE: Final = -1


@attrs.frozen
class Slot:
    """One slot of a catalog: a perk kind and key, its stacking rule, and its entries' indices."""

    kind: str
    key: str
    stacking: Stacking
    entries: tuple[int, ...]

    @property
    def column(self) -> str:
        """The result column's name: ``perk.<kind>.<key>``."""
        return f"perk.{self.kind}.{self.key}"


def perk_slots(catalog: PerkCatalog) -> tuple[Slot, ...]:
    """The slots of *catalog*, in the order their first entry appears.

    >>> [s.column for s in perk_slots(default_perk_catalog())][:3]
    ['perk.traffic_boost.traffic', 'perk.access.pool', 'perk.access.leader_activities']
    """
    found: dict[tuple[str, str], list[int]] = {}
    for index, entry in enumerate(catalog.entries):
        found.setdefault((entry.perk.kind, entry.perk.key), []).append(index)
    kinds = perk_kinds()
    return tuple(Slot(kind, key, kinds[kind].stacking, tuple(idx)) for (kind, key), idx in found.items())


def perk_names(catalog: PerkCatalog, column: NDArray[np.integer[Any]]) -> list[str | None]:
    """A slot column's entry indices as entry names (``None`` where nothing was granted)."""
    names = [e.name for e in catalog.entries]
    return [names[i] if i >= 0 else None for i in column.tolist()]


def eligibility(inputs: Inputs, tier: NDArray[np.int8], catalog: PerkCatalog, at: datetime | None) -> list[BoolArray]:
    """Per entry, the rows where it is a candidate (before stacking), as :func:`resolve_perks` decides."""
    masks = Masks(inputs, short_circuit=False)  # resolve_perks explains each condition whole
    result = []
    for entry in catalog.entries:
        rank = entry.tier.rank
        candidate = tier >= rank if entry.inherit else tier == rank
        if outside_window(entry.valid_from, entry.valid_until, at) is not None:
            candidate = np.zeros(inputs.length, dtype=np.bool_)
        if entry.when is not None and candidate.any():
            reach = candidate if masks.needs_tracking(entry.when) else None
            candidate = candidate & masks.mask(entry.when, reach)
        result.append(candidate)
    return result


def _winners(slot: Slot, catalog: PerkCatalog, eligible: list[BoolArray], n: int) -> NDArray[np.int16]:
    entries, stacking = catalog.entries, slot.stacking
    # Lowest precedence first, so that each higher one overwrites it where both are eligible.
    order = sorted(slot.entries, key=lambda j: stacking_precedence(stacking, entries[j], j))
    chosen = np.full(n, _NONE, dtype=np.int16)
    for j in order:
        chosen[eligible[j]] = j
    return chosen


def _subsidy_columns(slot: Slot, catalog: PerkCatalog, eligible: list[BoolArray], n: int) -> dict[str, Int64Array]:
    rate = np.zeros(n, dtype=np.int64)
    fixed = np.zeros(n, dtype=np.int64)
    cap = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    for j in slot.entries:
        perk = catalog.entries[j].perk
        if not isinstance(perk, Subsidy):  # pragma: no cover - the subsidy kind holds Subsidy values
            continue
        mask = eligible[j]
        rate += np.where(mask, perk.rate.ppm, 0)
        fixed += np.where(mask, perk.fixed.fen, 0)
        if perk.cap is not None:
            cap = np.where(mask, np.minimum(cap, perk.cap.fen), cap)
    prefix = slot.column
    return {
        f"{prefix}.rate_ppm": np.minimum(rate, 10**6),
        f"{prefix}.fixed_fen": fixed,
        f"{prefix}.cap_fen": np.where(cap == np.iinfo(np.int64).max, -1, cap),
    }


def resolve(inputs: Inputs, tier: NDArray[np.int8], catalog: PerkCatalog, at: datetime | None) -> dict[str, Any]:
    """The perk columns of every row (internal; see :func:`resolve_perk_columns`)."""
    n = inputs.length
    eligible = eligibility(inputs, tier, catalog, at)
    out: dict[str, Any] = {}
    for slot in perk_slots(catalog):
        out[slot.column] = _winners(slot, catalog, eligible, n)
        if slot.kind == Subsidy.kind and slot.stacking is Stacking.SUM:
            out.update(_subsidy_columns(slot, catalog, eligible, n))
    return out


class _Deprecated(TypedDict, total=False):
    as_of: datetime | None


def resolve_perk_columns(
    columns: Any,
    catalog: PerkCatalog | None = None,
    *,
    at: datetime | None = None,
    keep: Sequence[str] = ("sku_id",),
    **deprecated: Unpack[_Deprecated],
) -> Any:
    """Resolve the perks of every row of *columns* from its ``tier`` column (ranks 0-5, as :func:`grade_columns`
    writes them) and the inputs the catalog's conditions name.

    Args:
        columns: A mapping of column names to arrays, or a pandas, polars or pyarrow frame, with ``tier`` and
            the perk inputs the conditions need (tier inputs in their columnar units; ``category_id``,
            ``category_level1``, ``merchant_standing``, ``shop_kind`` as text).
        catalog: The perk catalog; :func:`~fenxiao.grading.perks.default_perk_catalog` when ``None``.
        at: The moment perks are resolved at: campaign windows are checked at it (entries with a window are
            denied without one), and ``days_since_joining`` is counted to it when it comes from ``joined_at``.
        keep: Input columns to carry into the result (when present).

    Returns:
        One int16 column per slot (see the module docstring), plus ``rate_ppm``, ``fixed_fen`` and ``cap_fen``
        (-1: no cap) for each subsidy slot, in the input's kind.

    Raises:
        InvalidValueError: A needed input is missing (where an entry's condition reaches it), or a bad tier.

    .. versionadded:: 0.1
    .. versionchanged:: 0.1
       One moment, *at*. The keyword ``as_of=`` (the moment ``days_since_joining`` was counted to) still works
       with a :class:`DeprecationWarning` and keeps its meaning: when given, days are counted to it, not to *at*.
    """
    catalog = _catalog(catalog)
    when = v.require_aware(at, "resolve_perk_columns.at") if at is not None else None
    count_to = _deprecated_as_of(deprecated, when)
    source, frame = read(columns, "columns")
    tier = source.ints("tier", 0, low=0, high=5).values.astype(np.int8)
    result = resolve(Inputs(source, count_to), tier, catalog, when)
    return write(frame, source, result, keep)


def _deprecated_as_of(deprecated: _Deprecated, at: datetime | None) -> datetime | None:
    """The moment ``days_since_joining`` is counted to: *at*, or the deprecated ``as_of=`` when given."""
    unknown = sorted(set(deprecated) - {"as_of"})
    if unknown:
        raise TypeError(f"resolve_perk_columns() got an unexpected keyword argument {unknown[0]!r}")
    if "as_of" not in deprecated:
        return at
    warnings.warn(
        "resolve_perk_columns(as_of=...) is deprecated; use at=..., the one moment perks are resolved at",
        DeprecationWarning,
        stacklevel=3,
    )
    return deprecated["as_of"]  # checked where it is read, as before


def _catalog(catalog: PerkCatalog | None) -> PerkCatalog:
    if catalog is None:
        return default_perk_catalog()
    if not isinstance(catalog, PerkCatalog):
        raise InvalidValueError("catalog", catalog, "must be a PerkCatalog")
    return catalog


def subsidy_fen(perks: Any, paid_fen: NDArray[np.integer[Any]], *, budget: str = "official-subsidy") -> Int64Array:
    """The subsidy each order gets from budget *budget*: ``Subsidy.amount_for(paid)`` per row, in fen.

    Rate × paid rounded down, plus the fixed amount, at most the cap; zero where no subsidy was granted.

    Args:
        perks: What :func:`resolve_perk_columns` returned (a mapping or a frame), row for row with *paid_fen*.
        paid_fen: Each order's paid goods amount in fen.
        budget: The subsidy budget (the slot's key).

    >>> import numpy as np
    >>> perks = {"perk.subsidy.official-subsidy.rate_ppm": np.array([50_000, 50_000, 0]),
    ...          "perk.subsidy.official-subsidy.fixed_fen": np.array([0, 0, 0]),
    ...          "perk.subsidy.official-subsidy.cap_fen": np.array([2000, 2000, -1])}
    >>> subsidy_fen(perks, np.array([9990, 99900, 9990])).tolist()
    [499, 2000, 0]
    """
    prefix = f"perk.subsidy.{budget}"
    source, _ = read(perks, "perks")
    rate = source.ints(f"{prefix}.rate_ppm", 6, low=0, high=10**6).values
    fixed = source.ints(f"{prefix}.fixed_fen", 2, low=0, high=2**62).values
    cap = source.ints(f"{prefix}.cap_fen", 2, low=-1, high=2**62).values
    paid = np.asarray(paid_fen, dtype=np.int64)
    if paid.shape != rate.shape:
        raise InvalidValueError("subsidy_fen.paid_fen", paid.shape, f"must have {rate.shape[0]} rows like perks")
    amount = mul_div_round(paid, rate, 10**6, Rounding.DOWN) + fixed
    return np.where(cap >= 0, np.minimum(amount, cap), amount)
