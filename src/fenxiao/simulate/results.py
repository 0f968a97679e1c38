"""What a season produces: :class:`Season`, its rows per week, per tier, per category and per SKU, the flywheel
measures and goal progress.

Every row is a frozen record of plain values (counts, :class:`~fenxiao.money.Money`, exact ``Decimal`` shares), so
a season serializes through the one converter and two runs of one seed compare equal, byte for byte.
``Season.to_rows(kind)`` gives flat records and ``Season.to_frame(kind, backend)`` a pandas, polars or pyarrow frame
(money as integer fen, shares as exact decimals).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from fenxiao._internal.frames import rows_to_frame
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError
from fenxiao.market.goals import GoalProgress
from fenxiao.money import Money
from fenxiao.periods.report import PeriodReport
from fenxiao.periods.state import ProgramState
from fenxiao.settlement.ledger import Ledger
from fenxiao.settlement.orders import Order

__all__ = [
    "KINDS",
    "MEASURES",
    "CategoryWeek",
    "Flywheel",
    "Season",
    "SkuWeek",
    "TierWeek",
    "WeekRow",
    "flat_record",
    "measures_of",
]


@attrs.frozen
class WeekRow:
    """One week of the season, the whole program.

    Attributes:
        week: 1 for the first week; ``as_of`` is the week's close (when its period was graded).
        skus: SKUs graded at the close; ``listed``: SKUs with an approved listing that could sell this week.
        applications, joined, rejected: Applications made this week, SKUs graded for the first time at this
            close (approved at once this week, or last week after a review), applications turned down.
        traffic: Views of every SKU (base × traffic boost × badge, plus 达人优选 promotions); ``promotions``:
            influencer picks this week.
        units, gmv: Units sold and the goods amount paid this week.
        refunded_units, complaints: Units that will come back from this week's orders, and complaints.
        commission, leader_fees, platform_fees: At payment: the gross commission (influencer, MCN and the
            platform's fee on it), the team leaders' fees, and the platform's own revenue (fee on the commission
            plus the technical service fee).
        subsidy: Subsidy granted on this week's orders; ``subsidy_returned``: subsidy given back to the budgets at
            this close (the share of every refund and clawback made by the close, of orders of any week);
            ``budget_left``: what every budget has left after both. A budget's burn is ``subsidy`` less
            ``subsidy_returned``, summed over the weeks.
        tiers: SKUs per effective tier at the close (``"L0"`` ... ``"L5"``).
        promoted, demoted: Effective-tier changes at the close (a first grade is neither).
        top_share: The share of the week's GMV sold by SKUs at L4 or L5 (the tier in force during the week).
    """

    week: int
    as_of: datetime
    skus: int
    listed: int
    applications: int
    joined: int
    rejected: int
    traffic: int
    promotions: int
    units: int
    gmv: Money
    refunded_units: int
    complaints: int
    commission: Money
    leader_fees: Money
    platform_fees: Money
    subsidy: Money
    subsidy_returned: Money
    budget_left: Money
    tiers: Mapping[str, int]
    promoted: int
    demoted: int
    top_share: Decimal


@attrs.frozen
class TierWeek:
    """One tier in one week: the SKUs that held it during the week (from the previous close) and what they sold.

    ``commission`` is the gross commission of their orders at payment, ``subsidy`` what those orders were granted;
    ``entered`` and ``left`` count the SKUs whose effective tier moved into and out of this tier at the week's close
    (migrations; a first grade is neither).
    """

    week: int
    tier: str
    skus: int
    traffic: int
    units: int
    gmv: Money
    commission: Money
    subsidy: Money
    entered: int
    left: int


@attrs.frozen
class CategoryWeek:
    """One third-level category in one week: its listed SKUs, units, GMV and gross commission at payment."""

    week: int
    category_id: str
    skus: int
    units: int
    gmv: Money
    commission: Money


@attrs.frozen
class SkuWeek:
    """One SKU in one week: the tier in force, its base views and all its views, promotions, sales, refunds, subsidy.

    ``traffic`` is ``base`` × the traffic boost × the badge's lift, plus the views of 达人优选 promotions: with no
    perk at all it is ``base``.
    """

    week: int
    sku_id: str
    tier: str
    base: int
    traffic: int
    promotions: int
    units: int
    gmv: Money
    commission: Money
    refunded_units: int
    subsidy: Money


@attrs.frozen
class Flywheel:
    """Whether the wheel turns: where GMV comes from, and how fast new goods climb.

    Attributes:
        top_share: The season's share of GMV sold at L4-L5.
        cohort: SKUs whose first effective tier in the season was L0 (at the start, or on joining).
        reached_l3: How many of them reached L3 or above during the season.
        median_weeks_to_l3: The median number of weeks they took (``None`` when none did).
        promoted, demoted: Effective-tier changes over the season.
    """

    top_share: Decimal
    cohort: int
    reached_l3: int
    median_weeks_to_l3: Decimal | None
    promoted: int
    demoted: int


#: The measures of a season that experiments compare, each a whole number (fen, units, counts or ppm).
MEASURES: Final = (
    "gmv_fen",
    "units",
    "commission_fen",
    "platform_fees_fen",
    "leader_fees_fen",
    "subsidy_fen",
    "subsidy_returned_fen",
    "refunded_units",
    "traffic",
    "joined",
    "l5_skus",
    "top_share_ppm",
    "reached_l3",
)


def measures_of(weeks: Sequence[WeekRow], flywheel: Flywheel) -> dict[str, int]:
    """A season's totals that experiments compare (see :data:`MEASURES`), as whole numbers.

    ``top_share_ppm`` is the flywheel's L4-L5 share of GMV in parts per million; ``l5_skus`` the SKUs at L5 at the
    end.
    """
    total = {
        "gmv_fen": sum(w.gmv.fen for w in weeks),
        "units": sum(w.units for w in weeks),
        "commission_fen": sum(w.commission.fen for w in weeks),
        "platform_fees_fen": sum(w.platform_fees.fen for w in weeks),
        "leader_fees_fen": sum(w.leader_fees.fen for w in weeks),
        "subsidy_fen": sum(w.subsidy.fen for w in weeks),
        "subsidy_returned_fen": sum(w.subsidy_returned.fen for w in weeks),
        "refunded_units": sum(w.refunded_units for w in weeks),
        "traffic": sum(w.traffic for w in weeks),
        "joined": sum(w.joined for w in weeks),
        "l5_skus": weeks[-1].tiers["L5"] if weeks else 0,
        "top_share_ppm": int(flywheel.top_share.scaleb(6)),
        "reached_l3": flywheel.reached_l3,
    }
    return {name: total[name] for name in MEASURES}


#: The row kinds of :meth:`Season.to_rows`.
KINDS: Final = ("weeks", "tiers", "categories", "skus")


def flat_record(record: Any) -> dict[str, object]:
    """A row as a flat record: money as ``<name>_fen``, a mapping (tier counts) spread into columns."""
    row: dict[str, object] = {}
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        if isinstance(value, Money):
            row[f"{field.name}_fen"] = value.fen
        elif isinstance(value, Mapping):
            row.update({str(k): x for k, x in value.items()})
        else:
            row[field.name] = value
    return row


@attrs.frozen
class Season:
    """A simulated season: the rows, the goals, the flywheel measures, and everything the money path recorded.

    Attributes:
        seed: The seed it ran on; ``config``: the simulation parameters' name and version; ``models``: the name
            and version of each model in force (as a period report records them).
        start: The season's start (the catalog's newest snapshot); week *w* closes ``7 × w`` days later.
        weeks, tiers, categories, skus: The rows (see :class:`WeekRow`, :class:`TierWeek`, :class:`CategoryWeek`,
            :class:`SkuWeek`), in week order.
        goals: Progress towards the program's goals, from the settled sales in the ledger at the season's end.
        flywheel: :class:`Flywheel`.
        state: The program state after the last week (tiers with their history, the budget book).
        ledger: Every order's entries up to the season's end; ``orders``: every order line, as far as it got.
        reports: The period report of the season's start (``w00``) and of every week.
        catalog: The catalog at the season's end (with the SKUs, merchants and listings that joined, and each
            SKU's last snapshot).
    """

    seed: int
    config: str
    models: Mapping[str, str]
    start: datetime
    weeks: tuple[WeekRow, ...]
    tiers: tuple[TierWeek, ...]
    categories: tuple[CategoryWeek, ...]
    skus: tuple[SkuWeek, ...]
    goals: tuple[GoalProgress, ...]
    flywheel: Flywheel
    state: ProgramState
    ledger: Ledger
    orders: tuple[Order, ...]
    reports: tuple[PeriodReport, ...]
    catalog: Catalog

    def measures(self) -> dict[str, int]:
        """The season's totals that experiments compare (see :data:`MEASURES` and :func:`measures_of`)."""
        return measures_of(self.weeks, self.flywheel)

    def to_rows(self, kind: str = "weeks") -> list[dict[str, object]]:
        """One flat record per row of *kind* (``weeks``, ``tiers``, ``categories`` or ``skus``); money in fen.

        Raises:
            InvalidValueError: An unknown *kind*.
        """
        if kind not in KINDS:
            raise InvalidValueError("Season.to_rows.kind", kind, f"must be one of {', '.join(KINDS)}")
        records: tuple[Any, ...] = getattr(self, kind)
        return [flat_record(r) for r in records]

    def to_frame(self, kind: str = "weeks", backend: str = "pandas", *, exact: bool = False) -> Any:
        """:meth:`to_rows` as a pandas, polars or pyarrow frame (needs narwhals and that library).

        Labelled for analysis (``fenxiao._internal.frames``: tiers with ranks, money in fen and yuan, Decimals
        as floats); ``exact=True`` keeps the exact values (Decimals, integer fen).

        Raises:
            InvalidValueError: An unknown *kind* or *backend*.
            MissingExtraError: narwhals or the frame library is not installed.
        """
        rows = self.to_rows(kind)
        record = {"weeks": WeekRow, "tiers": TierWeek, "categories": CategoryWeek, "skus": SkuWeek}[kind]
        columns = list(rows[0]) if rows else [f.name for f in attrs.fields(record)]
        return rows_to_frame(rows, columns, backend, "Season.to_frame", exact=exact)
