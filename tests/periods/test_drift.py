"""Comparing two period reports: tier migration, score drift (PSI) and rule hits side by side."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.periods.drift import (
    PSI_EPSILON,
    PeriodComparison,
    ScoreDrift,
    measure_drift,
    measure_psi,
)
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.periods.run import run_period
from fenxiao.periods.state import ProgramState
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps, loads

AT = datetime(2026, 11, 30, tzinfo=UTC)
DIMENSIONS = ("brand", "price", "distribution", "service", "sales")


def row(
    sku: str, composite: str | int, *, category: str = "c-1", tier: Tier = Tier.L2, rule: str = "r", **scores: str
) -> SkuPeriod:
    """A row of *sku* with *composite* and every dimension at it (unless given)."""
    values = {d: Decimal(scores.get(d, composite)) for d in DIMENSIONS}
    return SkuPeriod(sku, category, "m-1", values, Decimal(composite), tier, rule, None, tier)


def report(period: str, *rows: SkuPeriod) -> PeriodReport:
    return PeriodReport(period, AT, rows)


# -- PSI: the formula, by hand -------------------------------------------------------------------------------


def test_psi_equals_a_hand_computation() -> None:
    """Shares (.25, .5, .25) → (.5, .25, .25): (.5−.25)·ln 2 + (.25−.5)·ln ½ + 0 = ½ ln 2 = 0.346574."""
    assert measure_psi([1, 2, 1], [2, 1, 1]) == Decimal("0.346574")
    assert measure_psi([1, 2, 1], [2, 1, 1]) == Decimal(repr(0.5 * math.log(2))).quantize(Decimal("0.000001"))


def test_an_empty_bin_counts_as_epsilon() -> None:
    """(1, 0) → (.5, .5): the empty bin's share is 0.0001; (.5−1)·ln .5 + (.5−.0001)·ln(.5/.0001) = 4.604318."""
    expected = (0.5 - 1) * math.log(0.5) + (0.5 - PSI_EPSILON) * math.log(0.5 / PSI_EPSILON)
    assert measure_psi([2, 0], [1, 1]) == Decimal("4.604318")
    assert abs(float(measure_psi([2, 0], [1, 1])) - expected) < 1e-6
    assert PSI_EPSILON == 0.0001


@given(counts=st.lists(st.integers(0, 1000), min_size=10, max_size=10).filter(any))
def test_the_psi_of_a_distribution_against_itself_is_zero(counts: list[int]) -> None:
    """Every term (p − p)·ln(p/p) is zero; the same shares at another size too."""
    assert measure_psi(counts, counts) == 0
    assert measure_psi(counts, [3 * c for c in counts]) == 0


@given(
    a=st.lists(st.integers(0, 50), min_size=10, max_size=10).filter(any),
    b=st.lists(st.integers(0, 50), min_size=10, max_size=10).filter(any),
)
def test_psi_is_never_negative_and_symmetric(a: list[int], b: list[int]) -> None:
    """(p_b − p_a)·ln(p_b/p_a) ≥ 0 term by term, and the same with a and b swapped (to the last place kept)."""
    forth, back = measure_psi(a, b), measure_psi(b, a)
    assert forth >= 0
    assert abs(forth - back) <= Decimal("0.000001")


def test_psi_refuses_bins_that_do_not_compare() -> None:
    """Different lengths, a negative count, no SKU on one side: InvalidValueError naming it."""
    with pytest.raises(InvalidValueError, match=r"measure_psi\.b"):
        measure_psi([1, 2], [1, 2, 3])
    with pytest.raises(InvalidValueError, match=r"measure_psi\.a"):
        measure_psi([1, -1], [1, 1])
    with pytest.raises(InvalidValueError, match=r"measure_psi\.b: is empty"):
        measure_psi([1, 1], [0, 0])


@pytest.mark.parametrize(
    ("psi", "reading"),
    [
        ("0", "stable"),
        ("0.099999", "stable"),
        ("0.1", "moderate"),
        ("0.249999", "moderate"),
        ("0.25", "significant"),
        ("4.5", "significant"),
        (None, "no data"),
    ],
)
def test_the_reading_of_a_psi(psi: str | None, reading: str) -> None:
    """Below 0.1 stable, below 0.25 moderate, else significant; no PSI, no data."""
    drift = ScoreDrift(None, "composite", (0,) * 10, (0,) * 10, None if psi is None else Decimal(psi))
    assert drift.reading == reading


@pytest.mark.parametrize(
    ("score", "index"),
    [("0", 0), ("9.99", 0), ("10", 1), ("10.01", 1), ("55.5", 5), ("89.99", 8), ("90", 9), ("100", 9)],
)
def test_the_bins_are_deciles_with_100_in_the_last(score: str, index: int) -> None:
    """[0, 10) ... [80, 90), [90, 100]: a score on an edge starts the next bin, except 100."""
    a = report("p-a", row("s-1", score))
    bins = measure_drift(a, a).drift_of("composite").bins_a
    assert bins == tuple(1 if i == index else 0 for i in range(10))


# -- the comparison of two reports ----------------------------------------------------------------------------


def test_a_comparison_shows_migration_skus_in_one_period_drift_and_rule_hits() -> None:
    """One SKU moves L2 → L3, one leaves, one arrives; a category exists only in b; rules side by side."""
    a = report(
        "2026-10",
        row("s-1", 50, rule="qualified"),
        row("s-2", 55, rule="qualified"),
        row("s-3", 20, tier=Tier.L1, rule="selling", category="c-2"),
    )
    b = report(
        "2026-11",
        row("s-1", 50, rule="qualified"),
        row("s-2", 65, tier=Tier.L3, rule="quality"),
        row("s-4", 95, tier=Tier.L5, rule="selected", category="c-3"),
    )
    comparison = measure_drift(a, b)
    assert comparison.migration.counts()[Tier.L2, Tier.L3] == 1
    assert comparison.migration.counts()[Tier.L2, Tier.L2] == 1
    assert (comparison.only_a, comparison.only_b) == (("s-3",), ("s-4",))
    assert [(h.rule, h.a, h.b, h.change) for h in comparison.rule_hits] == [
        ("qualified", 2, 1, -1),
        ("quality", 0, 1, 1),
        ("selected", 0, 1, 1),
        ("selling", 1, 0, -1),
    ]
    assert comparison.drift_of("composite", "c-3").psi is None
    assert comparison.drift_of("composite", "c-3").reading == "no data"
    c1 = comparison.drift_of("sales", "c-1")
    assert (c1.count_a, c1.count_b) == (2, 2)
    assert c1.psi == measure_psi(c1.bins_a, c1.bins_b)
    assert [d.score for d in comparison.drift if d.category_id is None] == [*DIMENSIONS, "composite"]
    assert [d.category_id for d in comparison.drift][::6] == [None, "c-1", "c-2", "c-3"]
    with pytest.raises(InvalidValueError, match=r"drift_of\.score"):
        comparison.drift_of("composite", "c-9")


def test_decided_tiers_can_be_migrated_instead_of_effective_ones() -> None:
    """A SKU held at L4 by hysteresis while decided L3: effective L4 → L4, decided L4 → L3."""
    held = SkuPeriod("s-1", "c-1", "m-1", {}, Decimal(60), Tier.L3, "quality", Tier.L4, Tier.L4)
    a = report("p-1", row("s-1", 80, tier=Tier.L4))
    b = report("p-2", held)
    assert measure_drift(a, b).migration.counts()[Tier.L4, Tier.L4] == 1
    assert measure_drift(a, b, decided=True).migration.counts()[Tier.L4, Tier.L3] == 1


def test_rows_are_flat_for_a_frame() -> None:
    """to_rows: one dict per score and category with its PSI and reading; rule_rows: one per rule."""
    a = report("p-1", row("s-1", 50), row("s-2", 70))
    comparison = measure_drift(a, a)
    rows = comparison.to_rows()
    assert len(rows) == len(comparison.drift) == 12
    assert rows[0] | {"psi": None} == {
        "period_a": "p-1",
        "period_b": "p-1",
        "category_id": None,
        "score": "brand",
        "count_a": 2,
        "count_b": 2,
        "psi": None,
        "reading": "stable",
    }
    assert comparison.rule_rows() == [{"rule": "r", "a": 2, "b": 2, "change": 0}]


def test_to_frame_gives_the_drift_rows_as_a_frame() -> None:
    """One row per score and category; PSI stays an exact Decimal; a bad backend is named."""
    pytest.importorskip("narwhals")
    pytest.importorskip("pandas")
    a = report("p-1", row("s-1", 50), row("s-2", 70, category="c-2"))
    comparison = measure_drift(a, a)
    frame = comparison.to_frame(exact=True)
    assert len(frame) == len(comparison.drift) == 18
    assert frame["psi"].tolist()[0] == Decimal("0.000000")
    with pytest.raises(InvalidValueError, match=r"PeriodComparison\.to_frame\.backend"):
        comparison.to_frame("excel")


def test_measure_drift_refuses_what_is_not_a_report() -> None:
    """Anything but a PeriodReport is named."""
    with pytest.raises(InvalidValueError, match=r"measure_drift\.b"):
        measure_drift(report("p-1"), {"period": "p-2"})  # type: ignore[arg-type]


# -- properties over generated reports -----------------------------------------------------------------------

_SCORES = st.decimals(0, 100, places=2)


@st.composite
def period_reports(draw: st.DrawFn, period: str) -> PeriodReport:
    """Reports of up to 12 SKUs drawn from a pool of 16 (so that two reports share some), in 3 categories."""
    ids = draw(st.lists(st.integers(0, 15), unique=True, max_size=12))
    rows = []
    for i in sorted(ids):
        effective = draw(st.sampled_from(list(Tier)))
        decided = draw(st.sampled_from([t for t in Tier if t <= effective]))
        rows.append(
            SkuPeriod(
                f"s-{i:02d}",
                draw(st.sampled_from(["c-1", "c-2", "c-3"])),
                "m-1",
                {d: draw(_SCORES) for d in DIMENSIONS},
                draw(_SCORES),
                decided,
                draw(st.sampled_from(["hot-item", "quality", "selling", "no-sales"])),
                draw(st.none() | st.sampled_from(list(Tier))),
                effective,
            )
        )
    return PeriodReport(period, AT, tuple(rows))


@given(a=period_reports("2026-10"), b=period_reports("2026-11"), decided=st.booleans())
def test_the_migration_margins_are_each_periods_tier_counts_over_the_common_skus(
    a: PeriodReport, b: PeriodReport, decided: bool
) -> None:
    """Row margins: a's tier counts over the SKUs in both; column margins: b's; the rest is in only_a / only_b."""
    comparison = measure_drift(a, b, decided=decided)
    common = {r.sku_id for r in a.rows} & {r.sku_id for r in b.rows}
    for side, margins in ((a, comparison.migration.before_counts()), (b, comparison.migration.after_counts())):
        kept = PeriodReport(side.period, side.as_of, tuple(r for r in side.rows if r.sku_id in common))
        assert margins == kept.tier_counts(decided=decided)
    assert comparison.migration.total + len(comparison.only_a) == len(a.rows)
    assert comparison.migration.total + len(comparison.only_b) == len(b.rows)
    hits = {h.rule: (h.a, h.b) for h in comparison.rule_hits}
    assert {rule: n for rule, (n, _) in hits.items() if n} == a.rule_hits()
    assert {rule: n for rule, (_, n) in hits.items() if n} == b.rule_hits()
    assert loads(dumps(comparison), PeriodComparison) == comparison


@given(a=period_reports("2026-10"))
def test_the_drift_of_a_report_against_itself_is_zero(a: PeriodReport) -> None:
    """Every score, every category with SKUs: PSI 0 (stable); the migration is all on the diagonal."""
    comparison = measure_drift(a, a)
    assert all(d.psi == 0 and d.reading == "stable" for d in comparison.drift if d.count_a)
    assert comparison.migration.moved() == ()
    assert comparison.only_a == comparison.only_b == ()
    categories = {r.category_id for r in a.rows}
    assert {d.category_id for d in comparison.drift} == {None} | categories


def test_two_period_runs_compare_with_the_held_sku_on_the_diagonal() -> None:
    """run_period twice on the sample, one SKU held by hysteresis: effective tiers stay, decided ones fall."""
    catalog = load_sample()
    start = catalog_as_of(catalog)
    first = run_period(catalog, ProgramState(), period="week-1", as_of=start)
    weaker = tuple(
        attrs.evolve(s, observed_at=start + timedelta(days=7), units_30d=3 if s.sku_id == "sku-00003" else s.units_30d)
        for s in catalog.latest_snapshots()
    )
    second = run_period(catalog, first.state, period="week-2", as_of=start + timedelta(days=7), snapshots=weaker)
    effective = measure_drift(first.report, second.report)
    decided = measure_drift(first.report, second.report, decided=True)
    assert effective.migration.moved() == ()
    assert [(c.before, c.after, c.sku_ids) for c in decided.migration.moved()] == [(Tier.L3, Tier.L1, ("sku-00003",))]
    assert {h.rule: h.b for h in effective.rule_hits if h.b} == second.report.rule_hits()
    moved = [d for d in effective.drift if d.psi]
    assert moved
    assert {d.category_id for d in moved} <= {None, first.report.row("sku-00003").category_id}
