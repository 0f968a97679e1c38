"""What one period decided: :class:`PeriodReport`, one :class:`SkuPeriod` row per SKU graded, the subsidies granted
and each budget's spend; what diff and drift read (:mod:`fenxiao.periods.diff`, :mod:`fenxiao.periods.drift`).

Every field is a plain value (ids, tiers, exact decimals, money), so a report serializes through the one converter
(``fenxiao.serialization.dumps(report)``) and reads back equal.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from fenxiao._internal import html
from fenxiao._internal import validators as v
from fenxiao._internal.frames import rows_to_frame
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.subsidies import SubsidyGrant
from fenxiao.money import Money

__all__ = ["PeriodReport", "SkuPeriod"]


@attrs.frozen
class SkuPeriod:
    """One SKU in one period: its scores, the tier decided, the effective tier before and after, and its perks.

    Attributes:
        sku_id, category_id, merchant_id: Which SKU.
        scores: Each dimension's score (0-100) by dimension name.
        composite: The composite score.
        decided: The tier the policy decided this period, and ``rule`` the rule that decided it.
        previous: The effective tier before this period (``None`` for a SKU never graded).
        effective: The effective tier after it (what perks are granted on).
        change: Why the effective tier changed this period (empty when it did not).
        held: Decided below its effective tier and kept there by hysteresis (``decided < effective``).
        granted: The perk entries granted; ``denied`` maps each entry not granted to its code (``above-tier``,
            ``window``, ``ineligible``, ``outstacked``).
        gmv: The SKU's GMV over the last 30 days (what a change affects).
    """

    sku_id: str
    category_id: str
    merchant_id: str
    scores: Mapping[str, Decimal]
    composite: Decimal
    decided: Tier
    rule: str
    previous: Tier | None
    effective: Tier
    change: str = ""
    granted: tuple[str, ...] = ()
    denied: Mapping[str, str] = attrs.field(factory=dict)
    gmv: Money = Money(0)

    @property
    def held(self) -> bool:
        """Decided below the effective tier: hysteresis keeps the grade (and its perks) for now."""
        return self.decided < self.effective

    @property
    def changed(self) -> bool:
        """The effective tier changed this period (a SKU graded the first time counts as changed)."""
        return self.previous != self.effective


def _rows(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("PeriodReport.rows", value, "must be a tuple of SkuPeriod")
    seen: set[str] = set()
    for i, row in enumerate(value):
        if not isinstance(row, SkuPeriod):
            raise InvalidValueError(f"PeriodReport.rows[{i}]", row, "must be a SkuPeriod")
        if row.sku_id in seen:
            raise InvalidValueError(f"PeriodReport.rows[{i}].sku_id", row.sku_id, "is listed twice")
        seen.add(row.sku_id)


@attrs.frozen
class PeriodReport:
    """One period's outcome: a row per SKU graded, every subsidy grant, and each budget's spend.

    Attributes:
        period: The period's id (``"2026-W48"``, ``"2026-11"`` ...).
        as_of: The moment the period graded at.
        rows: One :class:`SkuPeriod` per SKU, in SKU id order.
        grants: Every subsidy request of the period and what it got, in allocation order.
        spent: What each budget granted this period (net of any of it returned since).
        returned: What refunds gave back to each budget during this period (from grants of earlier periods too).
        models: The name and version of each model in force (``{"policy": "default@1", ...}``).
    """

    period: str = attrs.field(validator=v.identifier)
    as_of: datetime = attrs.field(validator=v.aware_datetime)
    rows: tuple[SkuPeriod, ...] = attrs.field(converter=v.to_tuple, validator=_rows)
    grants: tuple[SubsidyGrant, ...] = ()
    spent: Mapping[str, Money] = attrs.field(factory=dict)
    returned: Mapping[str, Money] = attrs.field(factory=dict)
    models: Mapping[str, str] = attrs.field(factory=dict)

    def _repr_html_(self) -> str:
        """HTML for notebooks (Jupyter calls it): the key figures, every text escaped."""
        return html.period_html(self)

    def __repr__(self) -> str:
        """A one-line repr of what identifies the value (its full form is long; ``attrs.asdict`` has it all)."""
        return html.short_repr(
            self,
            period=self.period,
            as_of=self.as_of.isoformat(),
            skus=len(self.rows),
            tiers={t.value: n for t, n in self.tier_counts().items() if n},
            changes=len(self.changes()),
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer: the short repr."""
        html.pretty(self, printer, cycle)

    def row(self, sku_id: str) -> SkuPeriod:
        """The row of *sku_id*.

        Raises:
            InvalidValueError: The report has no such SKU.
        """
        for row in self.rows:
            if row.sku_id == sku_id:
                return row
        raise InvalidValueError("PeriodReport.row.sku_id", sku_id, f"was not graded in period {self.period}")

    def tier_counts(self, *, decided: bool = False) -> dict[Tier, int]:
        """How many SKUs hold each effective tier (or, with ``decided=True``, were decided at it); every tier listed."""
        counts = dict.fromkeys(Tier, 0)
        for row in self.rows:
            counts[row.decided if decided else row.effective] += 1
        return counts

    def rule_hits(self) -> dict[str, int]:
        """Which rule decided how many SKUs this period, most hits first (ties by rule name)."""
        hits = Counter(row.rule for row in self.rows)
        return dict(sorted(hits.items(), key=lambda item: (-item[1], item[0])))

    def changes(self) -> tuple[SkuPeriod, ...]:
        """The rows whose effective tier changed this period."""
        return tuple(row for row in self.rows if row.changed)

    def held(self) -> tuple[SkuPeriod, ...]:
        """The rows kept above their decided tier by hysteresis."""
        return tuple(row for row in self.rows if row.held)

    def to_rows(self) -> list[dict[str, object]]:
        """One flat dict per SKU (tiers as ``"L3"``, scores as ``score.<dimension>``), ready for a data frame.

        Every row has the same keys: the dimensions are those of the first row (a report's rows share one scorer).
        """
        dimensions = list(self.rows[0].scores) if self.rows else []
        result: list[dict[str, object]] = []
        for row in self.rows:
            flat: dict[str, object] = {
                "period": self.period,
                "sku_id": row.sku_id,
                "category_id": row.category_id,
                "merchant_id": row.merchant_id,
                **{f"score.{name}": row.scores.get(name) for name in dimensions},
                "composite": row.composite,
                "decided": row.decided.value,
                "rule": row.rule,
                "previous": row.previous.value if row.previous is not None else None,
                "effective": row.effective.value,
                "held": row.held,
                "change": row.change,
                "granted": ",".join(row.granted),
                "gmv_fen": row.gmv.fen,
            }
            result.append(flat)
        return result

    def to_frame(self, backend: str = "pandas", *, exact: bool = False) -> Any:
        """:meth:`to_rows` as a pandas, polars or pyarrow frame (needs narwhals and that library).

        Labelled for analysis (``fenxiao._internal.frames``: tiers with ranks, money in fen and yuan, Decimals
        as floats); ``exact=True`` keeps the exact values (Decimals, integer fen).

        Raises:
            MissingExtraError: narwhals or the frame library is not installed.
        """
        rows = self.to_rows()
        columns = list(rows[0]) if rows else ["period", "sku_id", "decided", "effective"]
        return rows_to_frame(rows, columns, backend, "PeriodReport.to_frame", exact=exact)
