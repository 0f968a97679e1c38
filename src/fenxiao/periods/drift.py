"""Comparing two periods: :func:`measure_drift` and the :class:`PeriodComparison` it returns.

Given two :class:`~fenxiao.periods.report.PeriodReport` values (last month's and this month's, say), it reports:

- the **tier migration** between them: a :class:`~fenxiao.periods.diff.TierMigration` of the SKUs graded in
  both, from their tier in the first report to their tier in the second (effective tiers; decided ones with
  ``decided=True``), and the SKUs graded in only one of them. Its margins are each period's tier counts over the
  SKUs in both;
- the **drift** of each dimension score and of the composite, per category and over every SKU, as the
  *population stability index* (PSI) of the score's distribution in the first period (``a``) against the second
  (``b``);
- the **rule hits** of each period side by side: which rule decided how many SKUs.

The population stability index
-------------------------------

Scores (0-100) fall into ten fixed bins, the deciles ``[0, 10), [10, 20), ..., [80, 90), [90, 100]`` (a score of
exactly 100 is in the last bin; :data:`PSI_BIN_EDGES`). For each bin *i*, ``p_a[i]`` and ``p_b[i]`` are the shares
of the category's SKUs whose score falls in it, in each period; a share of 0 (an empty bin) is replaced by
:data:`PSI_EPSILON` (0.0001) so that the logarithm is defined (the other shares are left as they are). Then::

    PSI = sum over the bins of (p_b[i] - p_a[i]) * ln(p_b[i] / p_a[i])

Every term is zero or positive, so PSI is zero exactly when the two distributions are the same, and grows as
they move apart. The usual reading (:data:`PSI_STABLE_BELOW`, :data:`PSI_MODERATE_BELOW`):

=================  ============  ==============================================
PSI                reading       what to do
=================  ============  ==============================================
below 0.1          stable        nothing
0.1 up to 0.25     moderate      look at what moved
0.25 and above     significant   the population changed: check the scorecards
=================  ============  ==============================================

PSI is a statistic, not money: it is computed in binary floating point (``math.log``) and kept as a
:class:`~decimal.Decimal` rounded half-even to six places (:data:`PSI_PLACES`), which is far finer than the
reading needs and makes the value the same on every platform and in every file. Counts stay integers.
A category with no SKU in one of the two periods has no PSI (``None``).

>>> from datetime import datetime, timezone
>>> from decimal import Decimal
>>> from fenxiao.grading.levels import Tier
>>> from fenxiao.periods.report import PeriodReport, SkuPeriod
>>> def row(sku, composite, tier, rule):
...     return SkuPeriod(sku, "c-1", "m-1", {"sales": Decimal(composite)}, Decimal(composite), tier, rule, None, tier)
>>> at = datetime(2026, 11, 1, tzinfo=timezone.utc)
>>> a = PeriodReport("2026-10", at, (row("s-1", 15, Tier.L1, "low"), row("s-2", 55, Tier.L2, "mid")))
>>> b = PeriodReport("2026-11", at, (row("s-1", 15, Tier.L1, "low"), row("s-2", 65, Tier.L3, "high")))
>>> comparison = measure_drift(a, b)
>>> comparison.migration.count(Tier.L2, Tier.L3), comparison.only_a, comparison.only_b
(1, (), ())
>>> drift = comparison.drift_of("composite")  # s-2 left the bin [50, 60) for [60, 70), both empty in the other
>>> drift.bins_a, drift.bins_b
((0, 1, 0, 0, 0, 1, 0, 0, 0, 0), (0, 1, 0, 0, 0, 0, 1, 0, 0, 0))
>>> drift.psi, drift.reading  # 2 × (0.5 − 0.0001) × ln(0.5 / 0.0001)
(Decimal('8.515490'), 'significant')
>>> measure_drift(a, a).drift_of("composite").psi
Decimal('0.000000')
>>> [(h.rule, h.a, h.b) for h in comparison.rule_hits]
[('low', 1, 1), ('high', 0, 1), ('mid', 1, 0)]

.. versionadded:: 0.1
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.frames import rows_to_frame
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.periods.diff import TierMigration
from fenxiao.periods.report import PeriodReport, SkuPeriod

__all__ = [
    "COMPOSITE",
    "PSI_BIN_EDGES",
    "PSI_EPSILON",
    "PSI_MODERATE_BELOW",
    "PSI_PLACES",
    "PSI_STABLE_BELOW",
    "PeriodComparison",
    "RuleHits",
    "ScoreDrift",
    "measure_drift",
    "measure_psi",
]

#: The lower edge of each of the ten PSI bins: ``[0, 10), [10, 20), ..., [90, 100]`` (100 is in the last bin).
PSI_BIN_EDGES: Final = tuple(range(0, 100, 10))
#: The share an empty bin is given, so that ``ln(p_b / p_a)`` is defined.
PSI_EPSILON: Final = 0.0001
#: The decimal places a PSI is kept to.
PSI_PLACES: Final = 6
#: Below this PSI a distribution is read as stable.
PSI_STABLE_BELOW: Final = Decimal("0.1")
#: Below this PSI (and at or above :data:`PSI_STABLE_BELOW`) the drift is moderate; at or above it, significant.
PSI_MODERATE_BELOW: Final = Decimal("0.25")
#: The name the composite score goes by among the dimension scores.
COMPOSITE: Final = "composite"

_QUANTUM: Final = Decimal(1).scaleb(-PSI_PLACES)


def _bin(score: Decimal) -> int:
    # int() truncates; scores are 0-100, so this is the floor of score / 10, with 100 kept in the last bin.
    return min(int(score) // 10, len(PSI_BIN_EDGES) - 1)


@checks_arguments
def measure_psi(a: Sequence[int], b: Sequence[int]) -> Decimal:
    """The PSI of bin counts *b* against bin counts *a* (see the module docstring), rounded to six places.

    >>> measure_psi([1, 2, 1], [2, 1, 1])
    Decimal('0.346574')
    >>> measure_psi([3, 0], [3, 0])
    Decimal('0.000000')

    Raises:
        InvalidValueError: The two have a different number of bins, a count is negative, or either is all zeros.

    .. versionadded:: 0.1
    """
    if len(a) != len(b) or not a:
        raise InvalidValueError("measure_psi.b", tuple(b), f"must have as many bins as a ({len(a)})")
    for name, counts in (("a", a), ("b", b)):
        if not all(type(c) is int and c >= 0 for c in counts):
            raise InvalidValueError(f"measure_psi.{name}", tuple(counts), "must be counts (ints ≥ 0)")
        if not sum(counts):
            raise InvalidValueError(f"measure_psi.{name}", tuple(counts), "is empty: no share to compare")
    n_a, n_b = sum(a), sum(b)
    total = 0.0
    for count_a, count_b in zip(a, b, strict=True):
        p_a = count_a / n_a if count_a else PSI_EPSILON
        p_b = count_b / n_b if count_b else PSI_EPSILON
        total += (p_b - p_a) * math.log(p_b / p_a)
    # Every term is >= 0; a product that rounds to -0.0 must not print as "-0.000000".
    return Decimal(repr(max(total, 0.0) + 0.0)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


@attrs.frozen
class ScoreDrift:
    """The drift of one score in one category (``None``: every SKU) between two periods.

    Attributes:
        category_id: The category, or ``None`` for every SKU of the two reports.
        score: A dimension's name (``"brand"`` ...) or ``"composite"``.
        bins_a, bins_b: How many SKUs fell into each of the ten bins (:data:`PSI_BIN_EDGES`) in each period.
        psi: The population stability index of ``b`` against ``a``, or ``None`` when either period has no SKU.
    """

    category_id: str | None = attrs.field(validator=v.optional_identifier)
    score: str = attrs.field(validator=v.identifier)
    bins_a: tuple[int, ...] = attrs.field(converter=v.to_tuple)
    bins_b: tuple[int, ...] = attrs.field(converter=v.to_tuple)
    psi: Decimal | None = None

    @property
    def count_a(self) -> int:
        """How many SKUs the first period scored."""
        return sum(self.bins_a)

    @property
    def count_b(self) -> int:
        """How many SKUs the second period scored."""
        return sum(self.bins_b)

    @property
    def reading(self) -> str:
        """``stable`` (PSI < 0.1), ``moderate`` (< 0.25), ``significant``, or ``no data`` (no PSI)."""
        if self.psi is None:
            return "no data"
        if self.psi < PSI_STABLE_BELOW:
            return "stable"
        return "moderate" if self.psi < PSI_MODERATE_BELOW else "significant"


@attrs.frozen
class RuleHits:
    """How many SKUs one rule decided in each of two periods."""

    rule: str
    a: int = attrs.field(validator=v.count)
    b: int = attrs.field(validator=v.count)

    @property
    def change(self) -> int:
        """``b - a``."""
        return self.b - self.a


_DRIFT_COLUMNS: Final = ("period_a", "period_b", "category_id", "score", "count_a", "count_b", "psi", "reading")


@attrs.frozen
class PeriodComparison:
    """Two periods side by side (:func:`measure_drift`): tier migration, score drift and rule hits.

    Attributes:
        period_a, period_b: The two periods' ids.
        decided: Whether the migration is of decided tiers (else of effective ones).
        migration: The SKUs graded in both, from their tier in ``a`` to their tier in ``b``.
        only_a, only_b: The SKUs graded in only one of the two (sorted ids).
        drift: Each score's drift over every SKU (``category_id`` ``None``) first, then per category in id order;
            within each, the dimensions in the order the reports list them, then ``composite``.
        rule_hits: Each rule's hits in ``a`` and ``b``, most hits in the two together first (ties by rule name).
    """

    period_a: str = attrs.field(validator=v.identifier)
    period_b: str = attrs.field(validator=v.identifier)
    decided: bool = attrs.field(validator=v.boolean)
    migration: TierMigration = attrs.field(validator=v.instance_of(TierMigration))
    only_a: tuple[str, ...] = attrs.field(converter=v.to_tuple, validator=v.identifiers)
    only_b: tuple[str, ...] = attrs.field(converter=v.to_tuple, validator=v.identifiers)
    drift: tuple[ScoreDrift, ...] = attrs.field(converter=v.to_tuple)
    rule_hits: tuple[RuleHits, ...] = attrs.field(converter=v.to_tuple)

    def drift_of(self, score: str, category_id: str | None = None) -> ScoreDrift:
        """The drift of *score* in *category_id* (every SKU when ``None``).

        Raises:
            InvalidValueError: Neither report scored it there.
        """
        for drift in self.drift:
            if drift.score == score and drift.category_id == category_id:
                return drift
        where = "any category" if category_id is None else f"category {category_id}"
        raise InvalidValueError("PeriodComparison.drift_of.score", score, f"was not scored in {where}")

    def to_rows(self) -> list[dict[str, object]]:
        """One flat dict per score and category: ``category_id`` (``None``: all), ``score``, counts, ``psi``,
        ``reading``, for a frame."""
        return [
            {
                "period_a": self.period_a,
                "period_b": self.period_b,
                "category_id": d.category_id,
                "score": d.score,
                "count_a": d.count_a,
                "count_b": d.count_b,
                "psi": d.psi,
                "reading": d.reading,
            }
            for d in self.drift
        ]

    def to_frame(self, backend: str = "pandas", *, exact: bool = False) -> Any:
        """:meth:`to_rows` as a pandas, polars or pyarrow frame (PSI an exact Decimal, or missing).

        Labelled for analysis (``fenxiao._internal.frames``: tiers with ranks, money in fen and yuan, Decimals
        as floats); ``exact=True`` keeps the exact values (Decimals, integer fen).

        Raises:
            InvalidValueError: *backend* is not one of ``pandas``, ``polars``, ``pyarrow``.
            MissingExtraError: narwhals or the frame library is not installed.
        """
        return rows_to_frame(self.to_rows(), _DRIFT_COLUMNS, backend, "PeriodComparison.to_frame", exact=exact)

    def rule_rows(self) -> list[dict[str, object]]:
        """One flat dict per rule: ``rule``, ``a``, ``b`` and ``change``."""
        return [{"rule": h.rule, "a": h.a, "b": h.b, "change": h.change} for h in self.rule_hits]


def _score_names(reports: Iterable[PeriodReport]) -> list[str]:
    names: dict[str, None] = {}
    for report in reports:
        for row in report.rows:
            names.update(dict.fromkeys(row.scores))
    names.pop(COMPOSITE, None)
    return [*names, COMPOSITE]


def _bins(rows: Iterable[SkuPeriod], score: str) -> tuple[int, ...]:
    counts = [0] * len(PSI_BIN_EDGES)
    for row in rows:
        value = row.composite if score == COMPOSITE else row.scores.get(score)
        if value is not None:
            counts[_bin(value)] += 1
    return tuple(counts)


def _drift(
    rows_a: Sequence[SkuPeriod], rows_b: Sequence[SkuPeriod], names: list[str], category: str | None
) -> list[ScoreDrift]:
    result = []
    for name in names:
        bins_a, bins_b = _bins(rows_a, name), _bins(rows_b, name)
        psi = measure_psi(bins_a, bins_b) if sum(bins_a) and sum(bins_b) else None
        result.append(ScoreDrift(category, name, bins_a, bins_b, psi))
    return result


def _by_category(rows: Iterable[SkuPeriod]) -> dict[str, list[SkuPeriod]]:
    groups: dict[str, list[SkuPeriod]] = {}
    for row in rows:
        groups.setdefault(row.category_id, []).append(row)
    return groups


@checks_arguments
def measure_drift(a: PeriodReport, b: PeriodReport, *, decided: bool = False) -> PeriodComparison:
    """Compare period report *b* with the earlier *a*: tier migration, score drift (PSI) and rule hits.

    Args:
        a: The first (usually earlier) period.
        b: The second.
        decided: Migrate decided tiers instead of effective ones.

    Raises:
        InvalidValueError: *a* or *b* is not a :class:`~fenxiao.periods.report.PeriodReport`.

    .. versionadded:: 0.1
    """
    for name, report in (("a", a), ("b", b)):
        if not isinstance(report, PeriodReport):
            raise InvalidValueError(f"measure_drift.{name}", report, "must be a PeriodReport")
    rows_a = {row.sku_id: row for row in a.rows}
    rows_b = {row.sku_id: row for row in b.rows}

    def tier(row: SkuPeriod) -> Tier:
        return row.decided if decided else row.effective

    common = sorted(rows_a.keys() & rows_b.keys())
    migration = TierMigration.of((sku, tier(rows_a[sku]), tier(rows_b[sku])) for sku in common)
    names = _score_names((a, b))
    drift = _drift(a.rows, b.rows, names, None)
    by_a, by_b = _by_category(a.rows), _by_category(b.rows)
    for category in sorted(by_a.keys() | by_b.keys()):
        drift += _drift(by_a.get(category, []), by_b.get(category, []), names, category)
    hits_a, hits_b = Counter(row.rule for row in a.rows), Counter(row.rule for row in b.rows)
    rules = sorted(hits_a.keys() | hits_b.keys(), key=lambda r: (-(hits_a[r] + hits_b[r]), r))
    return PeriodComparison(
        period_a=a.period,
        period_b=b.period,
        decided=decided,
        migration=migration,
        only_a=tuple(sorted(rows_a.keys() - rows_b.keys())),
        only_b=tuple(sorted(rows_b.keys() - rows_a.keys())),
        drift=tuple(drift),
        rule_hits=tuple(RuleHits(rule, hits_a[rule], hits_b[rule]) for rule in rules),
    )
