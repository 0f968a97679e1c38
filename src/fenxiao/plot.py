"""Plots of fenxiao's results (extra ``fenxiao[plot]``: matplotlib, imported on first use).

Each function draws one result on a matplotlib ``Axes`` and returns it: pass ``ax=`` to draw into a figure of
your own, or leave it out for a new figure (``matplotlib.pyplot.subplots``). The numbers drawn are the exact
results converted to floats for the picture only (yuan for money, percentages for shares); titles and labels
name what is drawn. Labels are in English and pinyin-free ASCII so that any font renders them.

=================================  ==========================================================================
:func:`plot_radar`                 one SKU's five dimension scores against its category (the median of peers)
:func:`plot_waterfall`             one order's settlement: what came in, and each party's line down to zero
:func:`plot_tier_mix`              SKUs per tier in each category of a graded catalog
:func:`plot_sweep`                 a commission sweep (``fenxiao.settlement.scenarios.sweep``) as a heatmap
:func:`plot_migration`             a tier migration matrix (what-if diff or drift) as a heatmap of counts
:func:`plot_goals`                 progress towards the program goals, as a share of each target
:func:`plot_periods`               SKUs per tier over a run of period reports
:func:`plot_season`                one weekly measure of a simulated season (or SKUs per tier, week by week)
=================================  ==========================================================================

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from fenxiao.grading.pipeline import grade_catalog
>>> from fenxiao.sample import load_sample
>>> ax = plot_tier_mix(grade_catalog(load_sample()))
>>> ax.get_title()
'SKUs per tier in each category (200 SKUs)'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from statistics import median
from typing import TYPE_CHECKING, Any, Final

from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError, MissingExtraError
from fenxiao.grading.levels import Tier
from fenxiao.money import Money, Rate
from fenxiao.scoring.dimensions import Dimension, SkuScores

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from fenxiao.grading.pipeline import GradedSku
    from fenxiao.market.goals import GoalProgress
    from fenxiao.periods.diff import TierMigration
    from fenxiao.periods.report import PeriodReport
    from fenxiao.settlement.splits import OrderSplit
    from fenxiao.simulate.columnar import SeasonColumns
    from fenxiao.simulate.results import Season

__all__ = [
    "plot_goals",
    "plot_migration",
    "plot_periods",
    "plot_radar",
    "plot_season",
    "plot_sweep",
    "plot_tier_mix",
    "plot_waterfall",
]

#: A heatmap writes each cell's value when it has at most this many cells (12 × 12).
_ANNOTATED_CELLS: Final = 144

#: From this magnitude up a heatmap writes a cell's value as a whole number (``44,930``, never ``4.493e+04``).
_WHOLE_FROM: Final = 1000

#: One colour per tier, L0 (grey) to L5 (deep red), in every plot that shows tiers.
TIER_COLOURS: Final = ("#9e9e9e", "#90caf9", "#42a5f5", "#66bb6a", "#ffa726", "#d32f2f")


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt  # noqa: PLC0415 - the plot extra loads on first use
    except ImportError as exc:
        raise MissingExtraError("matplotlib", "plot", "fenxiao.plot") from exc
    return plt


def _axes(ax: Axes | None, *, polar: bool = False) -> Axes:
    """*ax*, or the axes of a new figure."""
    if ax is None:
        _, made = _pyplot().subplots(subplot_kw={"projection": "polar"} if polar else None)
        return made  # type: ignore[no-any-return]  # pyplot.subplots is typed Any for one axes
    _pyplot()
    if polar and getattr(ax, "name", None) != "polar":
        raise InvalidValueError("ax", ax, "must be polar axes (subplot_kw={'projection': 'polar'})")
    return ax


def number(value: object) -> float:
    """*value* as a float for drawing: money in yuan, a rate as a percentage, a Decimal or int as itself.

    >>> number(Money.of("12.34")), number(Rate.of("12.5%")), number(Decimal("7.5"))
    (12.34, 12.5, 7.5)
    """
    if isinstance(value, Money):
        return value.fen / 100
    if isinstance(value, Rate):
        return float(value.as_fraction() * 100)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, Fraction, float)):
        raise InvalidValueError("plot.value", value, "must be money, a rate or a number")
    return float(value)


# -- one SKU -----------------------------------------------------------------------------------------------


def _profile(against: SkuScores | Sequence[SkuScores] | Mapping[Dimension, Decimal]) -> dict[Dimension, float]:
    if isinstance(against, SkuScores):
        return {d: number(against[d].value) for d in Dimension}
    if isinstance(against, Mapping):
        for d in Dimension:
            if d not in against:
                raise InvalidValueError(f"plot_radar.against[{d.value!r}]", against, "must give every dimension")
        return {d: number(against[d]) for d in Dimension}
    cards = list(against)
    if not cards:
        raise InvalidValueError("plot_radar.against", against, "must hold at least one SKU's scores")
    for i, card in enumerate(cards):
        if not isinstance(card, SkuScores):
            raise InvalidValueError(f"plot_radar.against[{i}]", card, "must be a SkuScores")
    return {d: float(median(c[d].value for c in cards)) for d in Dimension}


@checks_arguments
def plot_radar(
    scores: SkuScores,
    *,
    against: SkuScores | Sequence[SkuScores] | Mapping[Dimension, Decimal] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A five-dimension radar of one SKU's scores (0-100), with its category's profile behind it.

    *against* is the category: its SKUs' scores (the median per dimension is drawn), one card, or a mapping of
    dimension to points. *ax* must be polar axes when given.
    """
    import math  # noqa: PLC0415 - only for the angles

    if not isinstance(scores, SkuScores):
        raise InvalidValueError("plot_radar.scores", scores, "must be a SkuScores")
    axes = _axes(ax, polar=True)
    dims = list(Dimension)
    angles = [2 * math.pi * i / len(dims) for i in range(len(dims))]
    closed = [*angles, angles[0]]

    def draw(values: Mapping[Dimension, float], label: str, style: str) -> None:
        points = [values[d] for d in dims]
        axes.plot(closed, [*points, points[0]], style, label=label)
        axes.fill(closed, [*points, points[0]], alpha=0.15)

    if against is not None:
        draw(_profile(against), "category median" if not isinstance(against, SkuScores) else "compared", "--")
    draw({d: number(scores[d].value) for d in dims}, scores.sku_id, "-")
    axes.set_xticks(angles)
    axes.set_xticklabels([d.value for d in dims])
    axes.set_ylim(0, 100)
    axes.set_title(f"{scores.sku_id}: five dimensions (composite {scores.composite})")
    axes.legend(loc="lower right", fontsize="small")
    return axes


@checks_arguments
def plot_waterfall(split: OrderSplit, *, ax: Axes | None = None) -> Axes:
    """One order's settlement as a waterfall: what came in (goods, shipping, subsidy), then each party's line
    taken from it, down to zero (the lines add up to what came in, to the fen)."""
    axes = _axes(ax)
    total = number(split.total_in)
    names = ["paid in"]
    bottoms = [0.0]
    heights = [total]
    running = total
    for line in split.lines:
        amount = number(line.amount)
        running -= amount
        names.append(line.party.value)
        bottoms.append(running)
        heights.append(amount)
    colours = ["#546e7a", *("#ef5350" if h < 0 else "#26a69a" for h in heights[1:])]
    axes.bar(names, heights, bottom=bottoms, color=colours)
    for i, (bottom, height) in enumerate(zip(bottoms, heights, strict=True)):
        axes.annotate(f"{height:,.2f}", (i, bottom + height), ha="center", va="bottom", fontsize="small")
    axes.set_title(f"Settlement of {split.order_id} ({split.status.value}): {split.total_in}")
    axes.set_ylabel(f"yuan ({split.total_in.currency})")
    axes.tick_params(axis="x", labelrotation=45)
    return axes


# -- a catalog ---------------------------------------------------------------------------------------------


@checks_arguments
def plot_tier_mix(graded: Iterable[GradedSku], *, share: bool = False, ax: Axes | None = None) -> Axes:
    """SKUs per tier in each category of a graded catalog (``grade_catalog``), as stacked horizontal bars;
    ``share=True`` draws each category's tiers as percentages."""
    axes = _axes(ax)
    counts: dict[str, Counter[Tier]] = {}
    for sku in graded:
        counts.setdefault(sku.category_id, Counter())[sku.decision.tier] += 1
    categories = sorted(counts)
    left = [0.0] * len(categories)
    for tier in Tier:
        widths = [counts[c][tier] * (100 / sum(counts[c].values()) if share else 1) for c in categories]
        axes.barh(categories, widths, left=left, color=TIER_COLOURS[tier.rank], label=tier.value)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    total = sum(sum(c.values()) for c in counts.values())
    axes.set_title(f"SKUs per tier in each category ({total} SKUs)")
    axes.set_xlabel("share of the category's SKUs (%)" if share else "SKUs")
    axes.set_ylabel("category")
    axes.legend(title="tier", fontsize="small", ncols=6, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return axes


def _heatmap(axes: Axes, grid: list[list[float]], rows: Sequence[str], columns: Sequence[str], *, text: bool) -> None:
    image = axes.imshow(grid, cmap="viridis", aspect="auto")
    axes.set_xticks(range(len(columns)), labels=list(columns))
    axes.set_yticks(range(len(rows)), labels=list(rows))
    axes.figure.colorbar(image, ax=axes)
    if text:
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                axes.text(c, r, _cell_text(value), ha="center", va="center", color="white", fontsize="small")


def _cell_text(value: float) -> str:
    """A heatmap cell's value as written on it: whole with thousands separators from 1,000 up (never an exponent:
    ``44,930``), four significant digits below (``0.1235``)."""
    return f"{value:,.0f}" if abs(value) >= _WHOLE_FROM else f"{value:.4g}"


def _label(value: object) -> str:
    return value.to_text() if isinstance(value, (Money, Rate)) else str(value)


@checks_arguments
def plot_sweep(rows: Sequence[Mapping[str, object]], *, x: str, y: str, value: str, ax: Axes | None = None) -> Axes:
    """A sweep's *value* column (money, a rate or a number) over its *x* and *y* axes as a heatmap, e.g.
    ``plot_sweep(sweep(base, commission_rate=rates, refund_rate=refunds), x="commission_rate",
    y="refund_rate", value="merchant_margin")``."""
    axes = _axes(ax)
    if not rows:
        raise InvalidValueError("plot_sweep.rows", rows, "must hold at least one row")
    for name in (x, y, value):
        if name not in rows[0]:
            raise InvalidValueError(f"plot_sweep.{name}", name, f"is not a column of the sweep ({', '.join(rows[0])})")
    xs = list(dict.fromkeys(_label(r[x]) for r in rows))
    ys = list(dict.fromkeys(_label(r[y]) for r in rows))
    grid = [[float("nan")] * len(xs) for _ in ys]
    for r in rows:
        grid[ys.index(_label(r[y]))][xs.index(_label(r[x]))] = number(r[value])
    _heatmap(axes, grid, ys, xs, text=len(xs) * len(ys) <= _ANNOTATED_CELLS)
    axes.set_xlabel(x)
    axes.set_ylabel(y)
    axes.set_title(f"{value} by {x} and {y}")
    return axes


@checks_arguments
def plot_migration(migration: TierMigration, *, ax: Axes | None = None) -> Axes:
    """A tier migration matrix (``ModelDiff.migration`` or ``PeriodComparison.migration``): SKUs from each tier
    (rows, before) to each tier (columns, after)."""
    axes = _axes(ax)
    tiers = list(Tier)
    grid = [[float(migration.count(before, after)) for after in tiers] for before in tiers]
    _heatmap(axes, grid, [t.value for t in tiers], [t.value for t in tiers], text=True)
    axes.set_xlabel("after")
    axes.set_ylabel("before")
    moved = migration.total - sum(migration.count(t, t) for t in tiers)
    axes.set_title(f"Tier migration: {moved} of {migration.total} SKUs moved")
    return axes


@checks_arguments
def plot_goals(progress: Iterable[GoalProgress], *, ax: Axes | None = None) -> Axes:
    """Progress towards each goal as the share of its target reached (100% = done), with the count written."""
    axes = _axes(ax)
    items = list(progress)
    names = [p.goal.name for p in items]
    shares = [min(100.0, 100 * p.count / p.goal.target) for p in items]
    axes.barh(names, shares, color=["#43a047" if p.done else "#1e88e5" for p in items])
    for i, p in enumerate(items):
        axes.annotate(f"{p.count:,} / {p.goal.target:,}", (shares[i], i), va="center", fontsize="small")
    axes.set_xlim(0, 110)
    axes.set_xlabel("share of the target reached (%)")
    axes.set_title("Program goals")
    return axes


# -- over time ---------------------------------------------------------------------------------------------


def _stacked_tiers(axes: Axes, x: Sequence[object], counts: Sequence[Mapping[str, int]]) -> None:
    positions = list(range(len(x)))
    layers = [[c.get(t.value, 0) for c in counts] for t in Tier]
    axes.stackplot(positions, layers, labels=[t.value for t in Tier], colors=TIER_COLOURS)
    axes.set_xticks(positions, labels=[str(v) for v in x])
    axes.legend(title="tier", fontsize="small", loc="upper left")


@checks_arguments
def plot_periods(reports: Sequence[PeriodReport], *, decided: bool = False, ax: Axes | None = None) -> Axes:
    """SKUs per effective tier (or decided, ``decided=True``) over a run of period reports, in their order."""
    axes = _axes(ax)
    counts = [{t.value: n for t, n in r.tier_counts(decided=decided).items()} for r in reports]
    _stacked_tiers(axes, [r.period for r in reports], counts)
    axes.set_xlabel("period")
    axes.set_ylabel("SKUs")
    axes.set_title(f"SKUs per {'decided' if decided else 'effective'} tier over {len(reports)} periods")
    return axes


#: The weekly measures :func:`plot_season` draws as a line (any numeric field of a week's row works).
SEASON_MEASURES: Final = ("gmv", "units", "traffic", "commission", "subsidy", "budget_left", "top_share", "skus")


@checks_arguments
def plot_season(result: Season | SeasonColumns, *, measure: str = "gmv", ax: Axes | None = None) -> Axes:
    """One measure of a simulated season week by week (``measure="tiers"``: SKUs per tier, stacked); money in
    yuan, shares in percent."""
    axes = _axes(ax)
    weeks = list(result.weeks)
    if measure == "tiers":
        _stacked_tiers(axes, [w.week for w in weeks], [w.tiers for w in weeks])
        axes.set_ylabel("SKUs")
    else:
        if not weeks or not hasattr(weeks[0], measure):
            raise InvalidValueError(
                "plot_season.measure", measure, f"must be 'tiers' or one of {', '.join(SEASON_MEASURES)}"
            )
        values = [getattr(w, measure) for w in weeks]
        if measure == "top_share":
            values = [v * 100 for v in values]
        axes.plot([w.week for w in weeks], [number(v) for v in values], marker="o")
        unit = "yuan" if isinstance(values[0], Money) else "%" if measure == "top_share" else ""
        axes.set_ylabel(f"{measure} ({unit})" if unit else measure)
    axes.set_xlabel("week")
    axes.set_title(f"Season (seed {result.seed}): {measure} per week")
    return axes
