"""The what-if diff on columns: :func:`measure_diff_columns`, the columnar twin of
:func:`fenxiao.periods.diff.measure_diff`.

It runs the columnar pipeline under both sets of models in one pass over the rows, chunk by chunk, and compares
the columns as they come: tier against tier, perk slot against perk slot. When the two sets of models share
their scorecards (the usual what-if: a threshold moved, a perk changed), the scores do not depend on the rest,
so each chunk is scored once and graded and resolved twice. What it measures is what the object path measures
(see :mod:`fenxiao.periods.diff`): the migration matrix counts (per category and in total), the rows that
change (tier or perks), the subsidy estimate under each set of models (``Subsidy.amount_for(price) ×
units_30d`` per granted subsidy, integer fen), and the GMV of the rows that change, out of every row's.

Sums are exact: per-row amounts are int64 fen and every total is a Python int (summed in 26-bit pieces, each
exact in a float64 ``bincount``). :meth:`ColumnarDiff.to_diff` turns the result into the object path's
:class:`~fenxiao.periods.diff.ModelDiff`, equal to what :func:`~fenxiao.periods.diff.measure_diff` returns
for the same SKUs.

>>> import attrs
>>> from fenxiao.sample import load_sample
>>> from fenxiao.columnar import catalog_columns
>>> from fenxiao.grading.tiers import default_tier_policy
>>> from fenxiao.periods.models import Models
>>> from fenxiao.periods.diff import measure_diff
>>> catalog = load_sample()
>>> policy = default_tier_policy()
>>> strict = attrs.evolve(policy, rules=tuple(r for r in policy.rules if r.name != "selected-goods"))
>>> diff = measure_diff_columns(catalog_columns(catalog), Models(), Models(policy=strict))
>>> int(diff.matrix[5, 4]), int(diff.changed.sum()), diff.subsidy_change_fen
(4, 4, -5176230)
>>> diff.to_diff() == measure_diff(catalog, Models(), Models(policy=strict))
True

A SKU's perks are compared slot by slot: the entry granted (its name and perk) and, for a subsidy slot, the
combined rate, fixed amount and cap. A perk kind of your own that stacks by ``sum`` is compared by the entry the
slot names only (the object path compares its combined perk).

.. versionadded:: 0.1
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from fenxiao._internal import validators as v
from fenxiao._internal.progress import Progress, chunks, reporter
from fenxiao.columnar._columns import Columns
from fenxiao.columnar._frames import read
from fenxiao.columnar._inputs import UNITS, Input, Inputs
from fenxiao.columnar._intmath import BoolArray, Int64Array, mul_div_round
from fenxiao.columnar._metrics import MetricColumns, set_context_inputs
from fenxiao.columnar.context import _currency
from fenxiao.columnar.perks import perk_slots, resolve
from fenxiao.columnar.pipeline import DEFAULT_CHUNK_ROWS
from fenxiao.columnar.scoring import CompiledScorer, context_for
from fenxiao.columnar.tiers import grade
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog, Stacking, Subsidy
from fenxiao.money import DEFAULT_CURRENCY, MAX_FEN, Money, Rounding
from fenxiao.periods.diff import DiffSummary, MigrationCell, ModelDiff, SkuDiff, TierMigration
from fenxiao.periods.models import Models
from fenxiao.rules.arrays import IntColumn
from fenxiao.scoring.context import ScoringContext

__all__ = ["ColumnarDiff", "measure_diff_columns"]

_TIERS: Final = tuple(Tier)
_CELLS: Final = len(_TIERS) * len(_TIERS)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_PIECE: Final = 26  # bits: a float64 bincount of up to 2**27 such pieces is exact
_MASK: Final = (1 << _PIECE) - 1
_SUBSIDY_PARTS: Final = (("rate_ppm", 0), ("fixed_fen", 0), ("cap_fen", -1))


# -- perk identities: which grants are the same grant -------------------------------------------------------------


class _Identities:
    """Numbers for grants, equal when the grants are equal (across the two perk catalogs)."""

    def __init__(self) -> None:
        self.hashed: dict[object, int] = {}
        self.unhashable: list[tuple[object, int]] = []  # a plug-in perk need not be hashable: compared by ==

    def code(self, key: object) -> int:
        try:
            return self.hashed.setdefault(key, len(self.hashed) + len(self.unhashable))
        except TypeError:
            for known, number in self.unhashable:
                if known == key:
                    return number
            number = len(self.hashed) + len(self.unhashable)
            self.unhashable.append((key, number))
            return number


@attrs.frozen
class _Slot:
    """One perk slot of one catalog: its column, whether it sums subsidies, and each entry's grant code (+1)."""

    column: str
    subsidy: bool
    codes: NDArray[np.int64]  # codes[index + 1]: the grant code of entry *index*; codes[0] = -1 (nothing)


def _slots(catalog: PerkCatalog, identities: _Identities) -> dict[str, _Slot]:
    # A granted perk is its entry and the perk; a summed subsidy's perk is the combination (its rate, fixed and cap
    # columns), so there the entry's name stands alone.
    granted = np.array([-1, *(identities.code((e.name, e.perk)) for e in catalog.entries)], dtype=np.int64)
    named = np.array([-1, *(identities.code((e.name,)) for e in catalog.entries)], dtype=np.int64)
    result: dict[str, _Slot] = {}
    for slot in perk_slots(catalog):
        subsidy = slot.kind == Subsidy.kind and slot.stacking is Stacking.SUM
        result[slot.column] = _Slot(slot.column, subsidy, named if subsidy else granted)
    return result


def _grant_codes(slot: _Slot | None, perks: dict[str, Any], n: int) -> Int64Array:
    if slot is None:
        return np.full(n, -1, dtype=np.int64)
    codes: Int64Array = slot.codes[perks[slot.column].astype(np.int64) + 1]
    return codes


def _perks_differ(
    slots: tuple[dict[str, _Slot], dict[str, _Slot]], perks: tuple[dict[str, Any], dict[str, Any]], n: int
) -> BoolArray:
    differ = np.zeros(n, dtype=np.bool_)
    for column in dict.fromkeys([*slots[0], *slots[1]]):
        a, b = slots[0].get(column), slots[1].get(column)
        differ |= _grant_codes(a, perks[0], n) != _grant_codes(b, perks[1], n)
        if (a is not None and a.subsidy) or (b is not None and b.subsidy):
            for part, absent in _SUBSIDY_PARTS:
                name = f"{column}.{part}"
                differ |= perks[0].get(name, absent) != perks[1].get(name, absent)
    return differ


def _subsidy_fen(slots: dict[str, _Slot], perks: dict[str, Any], price: Int64Array, units: Int64Array) -> Int64Array:
    """Each row's subsidy estimate in fen: every granted subsidy's amount on one order at the price, × units."""
    per_order = np.zeros(price.shape[0], dtype=np.int64)
    for slot in slots.values():
        if not slot.subsidy:
            continue
        rate = perks[f"{slot.column}.rate_ppm"]
        cap = perks[f"{slot.column}.cap_fen"]
        amount = mul_div_round(price, rate, 10**6, Rounding.DOWN) + perks[f"{slot.column}.fixed_fen"]
        amount = np.where(cap >= 0, np.minimum(amount, cap), amount)
        per_order += np.where(perks[slot.column] >= 0, amount, 0)
    too_big = (units > 0) & (np.abs(per_order) > MAX_FEN // np.maximum(units, 1))
    if too_big.any():
        i = int(np.flatnonzero(too_big)[0])
        problem = f"makes a subsidy estimate beyond the largest supported amount ({MAX_FEN} fen)"
        raise InvalidValueError(f"columns.units_30d[{i}]", int(units[i]), problem)
    result: Int64Array = per_order * units
    return result


# -- exact sums by category ---------------------------------------------------------------------------------------


def _sums(codes: Int64Array, values: Int64Array, k: int) -> list[int]:
    """The exact sum of *values* per code ``0..k-1``, as Python ints (int64 values of any sign)."""
    totals = [0] * k
    for start in range(0, codes.shape[0], 1 << _PIECE):
        part = slice(start, start + (1 << _PIECE))
        c, x = codes[part], values[part]
        pieces = (x & _MASK, (x >> _PIECE) & _MASK, x >> (2 * _PIECE))
        sums = [np.bincount(c, weights=p.astype(np.float64), minlength=k).astype(np.int64) for p in pieces]
        for i, (low, mid, high) in enumerate(zip(*(s.tolist() for s in sums), strict=True)):
            totals[i] += low + (mid << _PIECE) + (high << (2 * _PIECE))
    return totals


def _add(into: list[int], more: list[int]) -> None:
    for i, value in enumerate(more):
        into[i] += value


# -- the result ----------------------------------------------------------------------------------------------


@attrs.frozen(eq=False)
class _Changed:
    """The rows that changed, with what :meth:`ColumnarDiff.to_diff` needs to describe them."""

    rows: Int64Array
    gmv_fen: Int64Array
    subsidy_before_fen: Int64Array
    subsidy_after_fen: Int64Array
    perks_before: dict[str, Any]
    perks_after: dict[str, Any]


@attrs.frozen(eq=False)
class ColumnarDiff:
    """What :func:`measure_diff_columns` measured: per-row columns and exact totals per category.

    Attributes:
        as_of: The moment both gradings were made at (``None`` when the columns carry no time and none was given).
        currency: The rows' currency.
        base, other: The two sets of models.
        categories: The category labels; category *k* is row *k* of the per-category figures.
        migration: Counts per category, from tier × to tier: shape ``(len(categories), 6, 6)``, int64.
        tier_before, tier_after: Each row's tier rank under each set of models (int8).
        changed: The rows whose tier or granted perks differ (bool).
        changed_by_category: How many rows changed, per category (int64).
        gmv_fen, gmv_affected_fen: Per category, the 30-day GMV of every row and of the rows that changed.
        subsidy_before_fen, subsidy_after_fen: Per category, the subsidy estimate under each set of models.
    """

    as_of: datetime | None
    currency: str
    base: Models
    other: Models
    categories: tuple[str, ...]
    migration: NDArray[np.int64]
    tier_before: NDArray[np.int8]
    tier_after: NDArray[np.int8]
    changed: BoolArray
    changed_by_category: NDArray[np.int64]
    gmv_fen: tuple[int, ...]
    gmv_affected_fen: tuple[int, ...]
    subsidy_before_fen: tuple[int, ...]
    subsidy_after_fen: tuple[int, ...]
    category_codes: Int64Array = attrs.field(repr=False)
    source: Columns = attrs.field(repr=False)  # read again only by to_diff (the sku ids)
    detail: _Changed = attrs.field(repr=False)

    @property
    def matrix(self) -> NDArray[np.int64]:
        """The migration counts of every row, ``matrix[from rank, to rank]`` (6 × 6)."""
        total: NDArray[np.int64] = self.migration.sum(axis=0, dtype=np.int64)
        return total

    @property
    def subsidy_change_fen(self) -> int:
        """The change of the subsidy estimate over every row, in fen."""
        return sum(self.subsidy_after_fen) - sum(self.subsidy_before_fen)

    def to_diff(self) -> ModelDiff:
        """The object path's :class:`~fenxiao.periods.diff.ModelDiff` of the same rows (needs ``sku_id``).

        Builds a Python object per row: meant for a catalog's worth of rows, not for millions.

        Raises:
            InvalidValueError: The columns had no ``sku_id``, or a total beyond the largest amount
                :class:`~fenxiao.money.Money` holds.
        """
        ids = self._ids()
        currency = self.currency
        moves: list[list[tuple[str, Tier, Tier]]] = [[] for _ in self.categories]
        for sku_id, code, before, after in zip(
            ids, self.category_codes.tolist(), self.tier_before.tolist(), self.tier_after.tolist(), strict=True
        ):
            moves[code].append((sku_id, _TIERS[before], _TIERS[after]))
        summaries = []
        for k, label in enumerate(self.categories):
            if moves[k]:
                summaries.append(self._summary(label, moves[k], k))
        everything = [move for group in moves for move in group]
        total = DiffSummary(
            None,
            int(self.migration.sum()),
            int(self.changed_by_category.sum()),
            _migration(everything, self.matrix),
            _money(sum(self.gmv_fen), currency, "total.gmv"),
            _money(sum(self.gmv_affected_fen), currency, "total.gmv_affected"),
            _money(sum(self.subsidy_before_fen), currency, "total.subsidy_before"),
            _money(sum(self.subsidy_after_fen), currency, "total.subsidy_after"),
        )
        return ModelDiff(
            as_of=self.as_of,
            base=self.base.describe(),
            other=self.other.describe(),
            total=total,
            categories=tuple(sorted(summaries, key=lambda s: str(s.category_id))),
            changes=tuple(sorted(self._changes(ids), key=lambda c: c.sku_id)),
        )

    def _ids(self) -> list[str]:
        if "sku_id" not in self.source:
            raise InvalidValueError("ColumnarDiff.to_diff", None, "needs the sku_id column, which the columns lack")
        ids = self.source.text("sku_id")
        codes, labels = ids.codes, ids.labels
        if codes.size and int(codes.min()) < 0:
            i = int(np.flatnonzero(codes < 0)[0])
            raise InvalidValueError(f"columns.sku_id[{i}]", None, "must not be missing")
        return [labels[c] for c in codes.tolist()]

    def _summary(self, label: str, moves: list[tuple[str, Tier, Tier]], k: int) -> DiffSummary:
        where, currency = f"{label}", self.currency
        return DiffSummary(
            label,
            int(self.migration[k].sum()),
            int(self.changed_by_category[k]),
            _migration(moves, self.migration[k]),
            _money(self.gmv_fen[k], currency, f"{where}.gmv"),
            _money(self.gmv_affected_fen[k], currency, f"{where}.gmv_affected"),
            _money(self.subsidy_before_fen[k], currency, f"{where}.subsidy_before"),
            _money(self.subsidy_after_fen[k], currency, f"{where}.subsidy_after"),
        )

    def _changes(self, ids: list[str]) -> list[SkuDiff]:
        detail, currency = self.detail, self.currency
        identities = _Identities()  # one numbering for both catalogs, as when measured
        slots = (_slots(self.base.perks, identities), _slots(self.other.perks, identities))
        catalogs = (self.base.perks, self.other.perks)
        result = []
        for j, row in enumerate(detail.rows.tolist()):
            grants = (_grants(slots[0], detail.perks_before, j), _grants(slots[1], detail.perks_after, j))
            gained = _named(grants[1], grants[0], catalogs[1])
            lost = _named(grants[0], grants[1], catalogs[0])
            sku_id = ids[row]
            result.append(
                SkuDiff(
                    sku_id,
                    self.categories[int(self.category_codes[row])],
                    _TIERS[int(self.tier_before[row])],
                    _TIERS[int(self.tier_after[row])],
                    gained,
                    lost,
                    _money(int(detail.gmv_fen[j]), currency, f"{sku_id}.gmv"),
                    _money(int(detail.subsidy_before_fen[j]), currency, f"{sku_id}.subsidy_before"),
                    _money(int(detail.subsidy_after_fen[j]), currency, f"{sku_id}.subsidy_after"),
                )
            )
        return result


def _grants(slots: dict[str, _Slot], perks: dict[str, Any], j: int) -> list[tuple[int, object]]:
    """The grants of changed row *j*: ``(entry index, what identifies the grant)`` per slot granted."""
    found: list[tuple[int, object]] = []
    for slot in slots.values():
        index = int(perks[slot.column][j])
        if index < 0:
            continue
        grant = int(slot.codes[index + 1])
        if slot.subsidy:
            parts = tuple(int(perks[f"{slot.column}.{part}"][j]) for part, _ in _SUBSIDY_PARTS)
            found.append((index, (slot.column, grant, parts)))
        else:
            found.append((index, (slot.column, grant)))
    return found


def _named(grants: list[tuple[int, object]], others: list[tuple[int, object]], catalog: PerkCatalog) -> tuple[str, ...]:
    theirs = {key for _, key in others}
    return tuple(catalog.entries[i].name for i, key in sorted(grants, key=lambda g: g[0]) if key not in theirs)


def _migration(moves: list[tuple[str, Tier, Tier]], counts: NDArray[np.int64]) -> TierMigration:
    found = TierMigration.of(moves)
    cells = tuple(MigrationCell(c.before, c.after, c.sku_ids) for c in found.cells)
    expected = {(b, a): int(counts[b, a]) for b in range(len(_TIERS)) for a in range(len(_TIERS)) if counts[b, a]}
    got = {(c.before.rank, c.after.rank): c.count for c in cells}
    if got != expected:  # pragma: no cover - the counts and the rows come from the same columns
        raise InvalidValueError("ColumnarDiff.migration", expected, f"does not match the rows' tiers {got}")
    return TierMigration(cells)


def _money(fen: int, currency: str, path: str) -> Money:
    try:
        return Money(fen, currency)
    except InvalidValueError as exc:
        raise exc.at(f"measure_diff_columns.{path}") from None


# -- measuring ---------------------------------------------------------------------------------------------


def _as_of(source: Columns, as_of: datetime | None) -> datetime | None:
    if as_of is not None:
        return v.require_aware(as_of, "measure_diff_columns.as_of")
    if "observed_at" not in source or source.length == 0:
        return None
    latest = source.micros("observed_at").values.max()
    return _EPOCH + timedelta(microseconds=int(latest))


def _models(value: object, path: str) -> Models:
    if not isinstance(value, Models):
        raise InvalidValueError(path, value, "must be a Models")
    return value


@attrs.define
class _Totals:
    """The running per-category sums of one call."""

    k: int
    migration: Int64Array
    changed: Int64Array
    gmv: list[int]
    gmv_affected: list[int]
    subsidy_before: list[int]
    subsidy_after: list[int]

    @classmethod
    def zero(cls, k: int) -> _Totals:
        return cls(
            k, np.zeros(k * _CELLS, dtype=np.int64), np.zeros(k, dtype=np.int64), [0] * k, [0] * k, [0] * k, [0] * k
        )

    def add(
        self,
        codes: Int64Array,
        tiers: tuple[NDArray[np.int8], NDArray[np.int8]],
        differ: BoolArray,
        gmv: Int64Array,
        subsidies: tuple[Int64Array, Int64Array],
    ) -> None:
        cell = codes * _CELLS + tiers[0].astype(np.int64) * len(_TIERS) + tiers[1]
        self.migration += np.bincount(cell, minlength=self.k * _CELLS)
        self.changed += np.bincount(codes[differ], minlength=self.k)
        _add(self.gmv, _sums(codes, gmv, self.k))
        _add(self.gmv_affected, _sums(codes[differ], gmv[differ], self.k))
        _add(self.subsidy_before, _sums(codes, subsidies[0], self.k))
        _add(self.subsidy_after, _sums(codes, subsidies[1], self.k))


def measure_diff_columns(
    columns: Any,
    base: Models,
    other: Models,
    *,
    as_of: datetime | None = None,
    context: ScoringContext | None = None,
    currency: str = DEFAULT_CURRENCY,
    progress: Progress = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
) -> ColumnarDiff:
    """Grade every row of *columns* under *base* and under *other* models and measure what changes.

    Args:
        columns: What :func:`~fenxiao.columnar.run_pipeline` reads (a mapping of arrays or a pandas, polars or
            pyarrow frame), with ``category_id``, ``price``, ``units_30d`` and ``gmv_30d``; ``sku_id`` for
            :meth:`ColumnarDiff.to_diff`. :func:`~fenxiao.columnar.catalog_columns` makes them from a catalog.
        base, other: The two sets of models.
        as_of: The moment of both gradings; the latest ``observed_at`` when ``None``.
        context: The category benchmarks; built from all the rows when ``None`` (one for both).
        currency: The rows' currency.
        progress: ``progress(done, total)`` after each chunk, or ``True`` for a tqdm bar.
        chunk_size: Rows processed at a time.

    Raises:
        InvalidValueError: *base* or *other* is not a :class:`~fenxiao.periods.models.Models`, a needed column is
            missing, a row has no category, a value is outside its bounds, or a row's subsidy estimate is beyond
            the largest amount :class:`~fenxiao.money.Money` holds.
        PolicyError: A row no tier rule matches, under a policy without a fallback.

    .. versionadded:: 0.1
    """
    models = (_models(base, "measure_diff_columns.base"), _models(other, "measure_diff_columns.other"))
    money = _currency(currency)
    source, _ = read(columns, "columns")
    when = _as_of(source, as_of)
    inputs = Inputs(source, when)
    scorers = (CompiledScorer(models[0].scorer), CompiledScorer(models[1].scorer))
    ctx = context_for(inputs, context, money, {*scorers[0].median_metrics(), *scorers[1].median_metrics()})
    same_scores = models[0].scorecards == models[1].scorecards
    identities = _Identities()
    slots = (_slots(models[0].perks, identities), _slots(models[1].perks, identities))
    n = inputs.length
    category = inputs["category_id"].text
    if category is None:  # pragma: no cover - category_id is a text input
        raise InvalidValueError("columns.category_id", None, "must be text")
    if n and int(category.codes.min()) < 0:
        i = int(np.flatnonzero(category.codes < 0)[0])
        raise InvalidValueError(f"columns.category_id[{i}]", None, "must not be missing")
    totals = _Totals.zero(len(category.labels))
    tier_before = np.empty(n, dtype=np.int8)
    tier_after = np.empty(n, dtype=np.int8)
    changed = np.empty(n, dtype=np.bool_)
    kept: list[tuple[Int64Array, Int64Array, Int64Array, Int64Array, dict[str, Any], dict[str, Any]]] = []
    shared: dict[int, Any] = {}

    def scored(part: slice, scorer: CompiledScorer) -> Inputs:
        view = inputs.view(part)
        metrics = MetricColumns(view, ctx, money, shared)
        for name, values in scorer.score(metrics).items():
            view.set(name, Input(UNITS[name], numbers=IntColumn(values)))
        set_context_inputs(view, metrics)
        return view

    with reporter(progress, n, "diff") as advance:
        for part in chunks(n, chunk_size):
            view_a = scored(part, scorers[0])
            view_b = view_a if same_scores else scored(part, scorers[1])
            tier_a, _ = grade(view_a, models[0].policy)
            tier_b, _ = grade(view_b, models[1].policy)
            perks = (resolve(view_a, tier_a, models[0].perks, when), resolve(view_b, tier_b, models[1].perks, when))
            size = part.stop - part.start
            differ = (tier_a != tier_b) | _perks_differ(slots, perks, size)
            price, units = view_a["price"].numbers, view_a["units_30d"].numbers
            gmv = view_a["gmv_30d"].numbers
            if price is None or units is None or gmv is None:  # pragma: no cover - number inputs
                raise InvalidValueError("columns", None, "price, units_30d and gmv_30d must be numbers")
            subsidies = (
                _subsidy_fen(slots[0], perks[0], price.values, units.values),
                _subsidy_fen(slots[1], perks[1], price.values, units.values),
            )
            totals.add(category.codes[part], (tier_a, tier_b), differ, gmv.values, subsidies)
            tier_before[part], tier_after[part], changed[part] = tier_a, tier_b, differ
            rows = np.flatnonzero(differ)
            if rows.size:
                kept.append(
                    (
                        rows + part.start,
                        gmv.values[rows],
                        subsidies[0][rows],
                        subsidies[1][rows],
                        {name: values[rows] for name, values in perks[0].items()},
                        {name: values[rows] for name, values in perks[1].items()},
                    )
                )
            advance(size)
    return ColumnarDiff(
        as_of=when,
        currency=money,
        base=models[0],
        other=models[1],
        categories=category.labels,
        migration=totals.migration.reshape(totals.k, len(_TIERS), len(_TIERS)),
        tier_before=tier_before,
        tier_after=tier_after,
        changed=changed,
        changed_by_category=totals.changed,
        gmv_fen=tuple(totals.gmv),
        gmv_affected_fen=tuple(totals.gmv_affected),
        subsidy_before_fen=tuple(totals.subsidy_before),
        subsidy_after_fen=tuple(totals.subsidy_after),
        category_codes=category.codes,
        source=source,
        detail=_join(kept, slots),
    )


def _join(
    kept: list[tuple[Int64Array, Int64Array, Int64Array, Int64Array, dict[str, Any], dict[str, Any]]],
    slots: tuple[dict[str, _Slot], dict[str, _Slot]],
) -> _Changed:
    empty = np.zeros(0, dtype=np.int64)
    if not kept:
        blank = [{name: empty for s in side.values() for name in _columns_of(s)} for side in slots]
        return _Changed(empty, empty, empty, empty, blank[0], blank[1])
    parts = list(zip(*kept, strict=True))
    arrays = [np.concatenate(p) for p in parts[:4]]
    perks = [{name: np.concatenate([d[name] for d in dicts]) for name in dicts[0]} for dicts in parts[4:]]
    return _Changed(arrays[0], arrays[1], arrays[2], arrays[3], perks[0], perks[1])


def _columns_of(slot: _Slot) -> list[str]:
    return [slot.column, *(f"{slot.column}.{part}" for part, _ in _SUBSIDY_PARTS)] if slot.subsidy else [slot.column]
