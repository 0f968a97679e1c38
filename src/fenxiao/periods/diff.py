"""What-if diffs of two sets of models over one catalog: :func:`measure_diff` and the :class:`ModelDiff` it returns.

An operator who moves a threshold wants to know, before the change is announced, which SKUs change tier or perks,
what that costs in subsidy and how much of the GMV it touches. :func:`measure_diff` grades the catalog under both
sets of models (:func:`~fenxiao.grading.pipeline.grade_catalog` with each one's scorer, tier policy and perk
catalog, at one moment) and compares them SKU by SKU:

- a SKU *changes* when its tier differs or its granted perks differ. A granted perk is its catalog entry's name
  with the perk it grants (for a summed slot, the combined perk), so an entry whose perk changed value between
  two perk catalogs is both lost and gained; :class:`SkuDiff` lists the entry names gained and lost, each in
  its catalog's order;
- the :class:`TierMigration` (from tier × to tier, the SKU ids in each cell) covers every SKU, unchanged ones on
  the diagonal, so its margins are the tier counts under each set of models;
- the *subsidy estimate* of a SKU is what its granted subsidy perks would pay over a month like the last one:
  each of its ``units_30d`` units is taken as one order paid at its current ``price``, so the estimate is
  ``Subsidy.amount_for(price) × units_30d`` summed over its granted subsidies (the cap applies per order). It is
  demand, before any budget limits it; integer fen, exact;
- the *GMV affected* is the ``gmv_30d`` of the SKUs that change, out of the ``gmv_30d`` of every SKU graded
  (:attr:`DiffSummary.gmv_share` is the exact ratio, a :class:`~fractions.Fraction`).

Each figure is given per category (:attr:`ModelDiff.categories`) and for the whole catalog (:attr:`ModelDiff.total`).
A diff of a set of models against itself is empty. The columnar twin is :mod:`fenxiao.columnar.diff`.

Lowering the L5 bar of the default policy from composite 90 to 88 moves two SKUs of the sample catalog from L4 to
L5 (of 200; 13 of a generated 2,000-SKU catalog): they gain the four L5 privileges, lose the L4 ones they
outrank, and the official subsidy that comes with L5 would cost about ¥28,670 a month more; they sell 1.5% of the
catalog's GMV:

>>> import attrs
>>> from decimal import Decimal
>>> from fenxiao.grading.tiers import default_tier_policy
>>> from fenxiao.rules.language import All
>>> from fenxiao.sample import load_sample
>>> from fenxiao.periods.models import Models
>>> def lower_bar(rule):
...     if rule.name != "selected-goods":
...         return rule
...     parts = [attrs.evolve(c, value=Decimal(88)) if c.input == "composite" else c for c in rule.when.conditions]
...     return attrs.evolve(rule, when=All(tuple(parts)))
>>> policy = default_tier_policy()
>>> lowered = attrs.evolve(policy, rules=tuple(lower_bar(r) for r in policy.rules))
>>> diff = measure_diff(load_sample(), Models(), Models(policy=lowered))
>>> [(cell.before.value, cell.after.value, cell.count) for cell in diff.migration.moved()]
[('L4', 'L5', 2)]
>>> diff.changes[0].sku_id, diff.changes[0].gained, diff.changes[0].lost
('sku-00044', ('traffic-boost', 'exclusive-badge', 'official-subsidy', 'influencer-preferred'), \
('l4-boost', 'hot-item-badge', 'l4-preferred'))
>>> diff.total.subsidy_change.format(grouping=True), diff.total.to_row()["gmv_share"]
('¥28,670.42', Decimal('0.015220'))

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from fenxiao._internal import html
from fenxiao._internal import validators as v
from fenxiao._internal.frames import rows_to_frame
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import GrantedPerk, Subsidy
from fenxiao.grading.pipeline import GradedSku, catalog_as_of, grade_catalog
from fenxiao.money import DEFAULT_CURRENCY, Money, Rounding, round_div
from fenxiao.periods.models import Models
from fenxiao.scoring.context import ScoringContext, build_context

__all__ = ["DiffSummary", "MigrationCell", "ModelDiff", "SkuDiff", "TierMigration", "measure_diff"]

_TIERS = tuple(Tier)


# -- the migration matrix ----------------------------------------------------------------------------------


@attrs.frozen
class MigrationCell:
    """One cell of a :class:`TierMigration`: the SKUs that were at *before* and are at *after*, by id (sorted)."""

    before: Tier = attrs.field(validator=v.member_of(Tier))
    after: Tier = attrs.field(validator=v.member_of(Tier))
    sku_ids: tuple[str, ...] = attrs.field(converter=v.to_tuple, validator=v.identifiers)

    @property
    def count(self) -> int:
        """How many SKUs the cell holds."""
        return len(self.sku_ids)

    @property
    def moved(self) -> bool:
        """Off the diagonal: the SKUs of this cell changed tier."""
        return self.before != self.after


def _cells(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("TierMigration.cells", value, "must be a tuple of MigrationCell")
    seen: set[tuple[Tier, Tier]] = set()
    for i, cell in enumerate(value):
        if not isinstance(cell, MigrationCell):
            raise InvalidValueError(f"TierMigration.cells[{i}]", cell, "must be a MigrationCell")
        pair = (cell.before, cell.after)
        if pair in seen:
            raise InvalidValueError(f"TierMigration.cells[{i}]", pair, "is listed twice")
        seen.add(pair)


@attrs.frozen
class TierMigration:
    """A migration matrix, from tier × to tier, with the SKU ids in each cell.

    ``cells`` holds the cells that are not empty, ordered by from tier, then to tier. A SKU is in one cell.

    >>> m = TierMigration.of([("sku-1", Tier.L4, Tier.L5), ("sku-2", Tier.L3, Tier.L3)])
    >>> m.count(Tier.L4, Tier.L5), m.before_counts()[Tier.L4], m.after_counts()[Tier.L5]
    (1, 1, 1)
    >>> [str(cell.sku_ids) for cell in m.moved()]
    ["('sku-1',)"]
    """

    cells: tuple[MigrationCell, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_cells)

    def _repr_html_(self) -> str:
        """HTML for notebooks (Jupyter calls it): the key figures, every text escaped."""
        return html.migration_html(self)

    @classmethod
    def of(cls, moves: Iterable[tuple[str, Tier, Tier]]) -> TierMigration:
        """The matrix of *moves*, each ``(sku_id, from tier, to tier)``."""
        found: dict[tuple[Tier, Tier], list[str]] = {}
        for sku_id, before, after in moves:
            found.setdefault((before, after), []).append(sku_id)
        pairs = sorted(found, key=lambda pair: (pair[0].rank, pair[1].rank))
        return cls(tuple(MigrationCell(before, after, tuple(sorted(found[before, after]))) for before, after in pairs))

    @property
    def total(self) -> int:
        """How many SKUs the matrix holds."""
        return sum(cell.count for cell in self.cells)

    def count(self, before: Tier, after: Tier) -> int:
        """How many SKUs went from *before* to *after*."""
        return len(self.sku_ids(before, after))

    def sku_ids(self, before: Tier, after: Tier) -> tuple[str, ...]:
        """The SKUs that went from *before* to *after* (sorted; empty when none did)."""
        for cell in self.cells:
            if cell.before == before and cell.after == after:
                return cell.sku_ids
        return ()

    def counts(self) -> dict[tuple[Tier, Tier], int]:
        """Every cell's count, all 36 listed (``(from, to)``, from L0 → L0 to L5 → L5)."""
        counts = {(before, after): 0 for before in _TIERS for after in _TIERS}
        for cell in self.cells:
            counts[cell.before, cell.after] = cell.count
        return counts

    def before_counts(self) -> dict[Tier, int]:
        """The row margins: how many SKUs were at each tier before (every tier listed)."""
        counts = dict.fromkeys(_TIERS, 0)
        for cell in self.cells:
            counts[cell.before] += cell.count
        return counts

    def after_counts(self) -> dict[Tier, int]:
        """The column margins: how many SKUs are at each tier after (every tier listed)."""
        counts = dict.fromkeys(_TIERS, 0)
        for cell in self.cells:
            counts[cell.after] += cell.count
        return counts

    def moved(self) -> tuple[MigrationCell, ...]:
        """The cells off the diagonal: the SKUs that changed tier."""
        return tuple(cell for cell in self.cells if cell.moved)

    def to_rows(self) -> list[dict[str, object]]:
        """One flat dict per cell that is not empty: ``from``, ``to``, ``count`` and ``sku_ids`` (comma-separated)."""
        return [
            {"from": c.before.value, "to": c.after.value, "count": c.count, "sku_ids": ",".join(c.sku_ids)}
            for c in self.cells
        ]


# -- one SKU, one category, the whole diff -------------------------------------------------------------------


@attrs.frozen
class SkuDiff:
    """One SKU whose tier or granted perks differ between the two sets of models.

    Attributes:
        sku_id, category_id: Which SKU.
        before, after: Its tier under the base models and under the other ones.
        gained, lost: The perk entries granted only under the other models, and only under the base ones
            (entry names, in their catalog's order; an entry whose perk changed value is in both).
        gmv: The SKU's 30-day GMV (what the change touches).
        subsidy_before, subsidy_after: The SKU's subsidy estimate under each (see the module docstring).
    """

    sku_id: str = attrs.field(validator=v.identifier)
    category_id: str = attrs.field(validator=v.identifier)
    before: Tier = attrs.field(validator=v.member_of(Tier))
    after: Tier = attrs.field(validator=v.member_of(Tier))
    gained: tuple[str, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    lost: tuple[str, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    gmv: Money = attrs.field(default=Money(0), validator=v.money)
    subsidy_before: Money = attrs.field(default=Money(0), validator=v.money)
    subsidy_after: Money = attrs.field(default=Money(0), validator=v.money)

    @property
    def moved(self) -> bool:
        """The tier changed (otherwise only the perks did)."""
        return self.before != self.after

    @property
    def subsidy_change(self) -> Money:
        """The change in the SKU's subsidy estimate (negative when it costs less)."""
        return self.subsidy_after - self.subsidy_before


@attrs.frozen
class DiffSummary:
    """The figures of a diff over one category, or over the whole catalog (``category_id`` is ``None``).

    Attributes:
        category_id: The third-level category, or ``None`` for the whole catalog.
        skus: How many SKUs were graded; ``changed`` how many of them changed (tier or perks).
        migration: The migration matrix of every SKU graded (unchanged ones on the diagonal).
        gmv: The 30-day GMV of every SKU graded; ``gmv_affected`` that of the SKUs that changed.
        subsidy_before, subsidy_after: The subsidy estimate of every SKU graded under each set of models.
    """

    category_id: str | None = attrs.field(validator=v.optional_identifier)
    skus: int = attrs.field(validator=v.count)
    changed: int = attrs.field(validator=v.count)
    migration: TierMigration = attrs.field(validator=v.instance_of(TierMigration))
    gmv: Money = attrs.field(validator=v.money)
    gmv_affected: Money = attrs.field(validator=v.money)
    subsidy_before: Money = attrs.field(validator=v.money)
    subsidy_after: Money = attrs.field(validator=v.money)

    @property
    def moved(self) -> int:
        """How many SKUs changed tier."""
        return sum(cell.count for cell in self.migration.moved())

    @property
    def subsidy_change(self) -> Money:
        """What the other models cost in subsidy more than the base ones (negative: less)."""
        return self.subsidy_after - self.subsidy_before

    @property
    def gmv_share(self) -> Fraction:
        """The share of the GMV that the changed SKUs sell, exact (0 when there is no GMV)."""
        return Fraction(self.gmv_affected.fen, self.gmv.fen) if self.gmv.fen else Fraction(0)

    def to_row(self) -> dict[str, object]:
        """The summary as one flat dict (amounts in fen; the share a Decimal rounded half even to six places: the
        exact ratio is ``gmv_affected_fen / gmv_fen``)."""
        ppm = round_div(self.gmv_affected.fen * 10**6, self.gmv.fen, Rounding.HALF_EVEN) if self.gmv.fen else 0
        return {
            "category_id": self.category_id,
            "skus": self.skus,
            "changed": self.changed,
            "moved": self.moved,
            "gmv_fen": self.gmv.fen,
            "gmv_affected_fen": self.gmv_affected.fen,
            "gmv_share": Decimal(ppm).scaleb(-6),
            "subsidy_before_fen": self.subsidy_before.fen,
            "subsidy_after_fen": self.subsidy_after.fen,
            "subsidy_change_fen": self.subsidy_change.fen,
        }


_CHANGE_COLUMNS: Final = (
    "sku_id",
    "category_id",
    "before",
    "after",
    "gained",
    "lost",
    "gmv_fen",
    "subsidy_before_fen",
    "subsidy_after_fen",
    "subsidy_change_fen",
)
_SUMMARY_COLUMNS: Final = (
    "category_id",
    "skus",
    "changed",
    "moved",
    "gmv_fen",
    "gmv_affected_fen",
    "gmv_share",
    "subsidy_before_fen",
    "subsidy_after_fen",
    "subsidy_change_fen",
)


@attrs.frozen
class ModelDiff:
    """What changes when a catalog is graded under *other* models instead of *base* ones (:func:`measure_diff`).

    Attributes:
        as_of: The moment both gradings were made at (``None`` only from columns that carried no time).
        base, other: Each set of models' names and versions (:meth:`Models.describe`).
        total: The figures over the whole catalog; ``categories`` per category, in id order.
        changes: Every SKU whose tier or perks changed, in SKU id order.
    """

    as_of: datetime | None = attrs.field(validator=v.optional_aware_datetime)
    base: Mapping[str, str]
    other: Mapping[str, str]
    total: DiffSummary = attrs.field(validator=v.instance_of(DiffSummary))
    categories: tuple[DiffSummary, ...] = attrs.field(converter=v.to_tuple)
    changes: tuple[SkuDiff, ...] = attrs.field(converter=v.to_tuple)

    def _repr_html_(self) -> str:
        """HTML for notebooks (Jupyter calls it): the key figures, every text escaped."""
        return html.diff_html(self)

    def __repr__(self) -> str:
        """A one-line repr of what identifies the value (its full form is long; ``attrs.asdict`` has it all)."""
        return html.short_repr(
            self,
            skus=self.total.skus,
            changed=self.total.changed,
            subsidy_before=str(self.total.subsidy_before),
            subsidy_after=str(self.total.subsidy_after),
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer: the short repr."""
        html.pretty(self, printer, cycle)

    @property
    def empty(self) -> bool:
        """No SKU changes tier or perks (then the subsidy estimate and the GMV affected do not change either)."""
        return not self.changes

    @property
    def migration(self) -> TierMigration:
        """The migration matrix of the whole catalog."""
        return self.total.migration

    def category(self, category_id: str) -> DiffSummary:
        """The figures of one category.

        Raises:
            InvalidValueError: No SKU of that category was graded.
        """
        for summary in self.categories:
            if summary.category_id == category_id:
                return summary
        raise InvalidValueError("ModelDiff.category.category_id", category_id, "has no SKU in this diff")

    def to_rows(self) -> list[dict[str, object]]:
        """One flat dict per changed SKU (tiers as ``"L4"``, perks comma-separated, amounts in fen), for a frame."""
        return [
            {
                "sku_id": c.sku_id,
                "category_id": c.category_id,
                "before": c.before.value,
                "after": c.after.value,
                "gained": ",".join(c.gained),
                "lost": ",".join(c.lost),
                "gmv_fen": c.gmv.fen,
                "subsidy_before_fen": c.subsidy_before.fen,
                "subsidy_after_fen": c.subsidy_after.fen,
                "subsidy_change_fen": c.subsidy_change.fen,
            }
            for c in self.changes
        ]

    def summary_rows(self) -> list[dict[str, object]]:
        """One flat dict per category, then one for the whole catalog (``category_id`` ``None``)."""
        return [s.to_row() for s in (*self.categories, self.total)]

    def to_frame(self, backend: str = "pandas", *, summary: bool = False, exact: bool = False) -> Any:
        """:meth:`to_rows` (or, with *summary*, :meth:`summary_rows`) as a pandas, polars or pyarrow frame.

        Labelled for analysis (``fenxiao._internal.frames``: tiers with ranks, money in fen and yuan, Decimals
        as floats); ``exact=True`` keeps the exact values (Decimals, integer fen).

        Raises:
            InvalidValueError: *backend* is not one of ``pandas``, ``polars``, ``pyarrow``.
            MissingExtraError: narwhals or the frame library is not installed.
        """
        rows = self.summary_rows() if summary else self.to_rows()
        columns = _SUMMARY_COLUMNS if summary else _CHANGE_COLUMNS
        return rows_to_frame(rows, columns, backend, "ModelDiff.to_frame", exact=exact)


# -- measuring ---------------------------------------------------------------------------------------------


def _amount(fen: int, currency: str, path: str) -> Money:
    try:
        return Money(fen, currency)
    except InvalidValueError as exc:
        raise exc.at(path) from None


def _subsidy_fen(granted: Sequence[GrantedPerk], snapshot: SkuSnapshot) -> int:
    """The SKU's subsidy estimate in fen: each granted subsidy's amount on one order at the price, × units."""
    per_order = sum(g.perk.amount_for(snapshot.price).fen for g in granted if isinstance(g.perk, Subsidy))
    return per_order * snapshot.units_30d


def _names(granted: Sequence[GrantedPerk], others: Sequence[GrantedPerk], order: Mapping[str, int]) -> tuple[str, ...]:
    """The entries of *granted* whose grant (entry and perk) is not among *others*, in catalog order."""
    theirs = [(g.entry, g.perk) for g in others]
    return tuple(sorted((g.entry for g in granted if (g.entry, g.perk) not in theirs), key=order.__getitem__))


@attrs.define
class _Tally:
    """The running figures of one category (or the whole catalog), in integer fen."""

    moves: list[tuple[str, Tier, Tier]] = attrs.Factory(list)
    changed: int = 0
    gmv: int = 0
    gmv_affected: int = 0
    subsidy_before: int = 0
    subsidy_after: int = 0

    def add(self, move: tuple[str, Tier, Tier], gmv: int, subsidies: tuple[int, int], changed: bool) -> None:
        self.moves.append(move)
        self.gmv += gmv
        self.subsidy_before += subsidies[0]
        self.subsidy_after += subsidies[1]
        if changed:
            self.changed += 1
            self.gmv_affected += gmv

    def summary(self, category_id: str | None, currency: str) -> DiffSummary:
        where = f"measure_diff.{category_id or 'total'}"
        return DiffSummary(
            category_id,
            len(self.moves),
            self.changed,
            TierMigration.of(self.moves),
            _amount(self.gmv, currency, f"{where}.gmv"),
            _amount(self.gmv_affected, currency, f"{where}.gmv_affected"),
            _amount(self.subsidy_before, currency, f"{where}.subsidy_before"),
            _amount(self.subsidy_after, currency, f"{where}.subsidy_after"),
        )


def _models(value: object, path: str) -> Models:
    if not isinstance(value, Models):
        raise InvalidValueError(path, value, "must be a Models")
    return value


def _graded(
    catalog: Catalog, models: Models, batch: tuple[SkuSnapshot, ...], ctx: ScoringContext, when: datetime
) -> tuple[GradedSku, ...]:
    return grade_catalog(
        catalog,
        scorer=models.scorer,
        policy=models.policy,
        perks=models.perks,
        context=ctx,
        as_of=when,
        explain=False,
        snapshots=batch,
    )


@checks_arguments
def measure_diff(
    catalog: Catalog,
    base: Models,
    other: Models,
    *,
    as_of: datetime | None = None,
    context: ScoringContext | None = None,
) -> ModelDiff:
    """Grade *catalog* under *base* and under *other* models and measure what changes (see the module docstring).

    Args:
        catalog: The goods; the latest snapshot of every SKU is graded.
        base: The models in force (or the starting point of a what-if).
        other: The models to compare with.
        as_of: The moment of both gradings (timezone-aware);
            :func:`~fenxiao.grading.pipeline.catalog_as_of` when ``None``.
        context: The category benchmarks; built from the snapshots when ``None`` (the same for both: they
            depend on the snapshots, not on the models).

    Returns:
        The :class:`ModelDiff`; empty when the two sets of models grade and grant alike.

    Raises:
        InvalidValueError: *base* or *other* is not a :class:`Models`, *as_of* is naive, the catalog has no
            snapshot (and no *as_of* was given), snapshots in several currencies, or a total beyond the largest
            amount :class:`~fenxiao.money.Money` holds.
        PolicyError: A SKU no tier rule matches, under a policy without a fallback.

    .. versionadded:: 0.1
    """
    base = _models(base, "measure_diff.base")
    other = _models(other, "measure_diff.other")
    when = v.require_aware(as_of, "measure_diff.as_of") if as_of is not None else catalog_as_of(catalog)
    batch = catalog.latest_snapshots()
    currency = batch[0].price.currency if batch else DEFAULT_CURRENCY
    for i, snapshot in enumerate(batch):
        if snapshot.gmv_30d.currency != currency or snapshot.price.currency != currency:
            raise InvalidValueError(f"measure_diff.snapshots[{i}].gmv_30d", snapshot.gmv_30d, f"is not in {currency}")
    ctx = context if context is not None else build_context(batch)
    graded_base = _graded(catalog, base, batch, ctx, when)
    graded_other = _graded(catalog, other, batch, ctx, when)
    order_base = {entry.name: i for i, entry in enumerate(base.perks.entries)}
    order_other = {entry.name: i for i, entry in enumerate(other.perks.entries)}
    total = _Tally()
    tallies: dict[str, _Tally] = {}
    changes: list[SkuDiff] = []
    for snapshot, a, b in zip(batch, graded_base, graded_other, strict=True):
        before, after = a.decision.tier, b.decision.tier
        gained = _names(b.perks.granted, a.perks.granted, order_other)
        lost = _names(a.perks.granted, b.perks.granted, order_base)
        subsidies = (_subsidy_fen(a.perks.granted, snapshot), _subsidy_fen(b.perks.granted, snapshot))
        changed = before != after or bool(gained) or bool(lost)
        gmv = snapshot.gmv_30d.fen
        for tally in (total, tallies.setdefault(snapshot.category_id, _Tally())):
            tally.add((snapshot.sku_id, before, after), gmv, subsidies, changed)
        if changed:
            where = f"measure_diff.{snapshot.sku_id}"
            changes.append(
                SkuDiff(
                    snapshot.sku_id,
                    snapshot.category_id,
                    before,
                    after,
                    gained,
                    lost,
                    snapshot.gmv_30d,
                    _amount(subsidies[0], currency, f"{where}.subsidy_before"),
                    _amount(subsidies[1], currency, f"{where}.subsidy_after"),
                )
            )
    return ModelDiff(
        as_of=when,
        base=base.describe(),
        other=other.describe(),
        total=total.summary(None, currency),
        categories=tuple(tallies[c].summary(c, currency) for c in sorted(tallies)),
        changes=tuple(sorted(changes, key=lambda c: c.sku_id)),
    )
