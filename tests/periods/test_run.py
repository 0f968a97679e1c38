"""run_period: grading with memory (hysteresis, the new-SKU window), perks on the effective tier, budgets that
remember, and a report that says what changed and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.history import Stability, TierHistory
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import default_perk_catalog
from fenxiao.grading.pipeline import catalog_as_of, grade_catalog
from fenxiao.grading.subsidies import BudgetAllocation, SubsidyBudget, apply_subsidy
from fenxiao.grading.tiers import TierPolicy, TierRule
from fenxiao.money import Money
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport
from fenxiao.periods.run import PeriodResult, run_period, snapshots_as_of
from fenxiao.periods.schedule import Schedule, ScheduledPolicy
from fenxiao.periods.state import ProgramState
from fenxiao.rules.language import Compare, Op
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps, loads
from fenxiao.settlement.orders import Order
from tests.builders import order

#: Tiers by units sold, so a test sets a SKU's decided tier through one metric.
POLICY = TierPolicy(
    rules=(
        TierRule("top", Tier.L5, Compare("units_30d", Op.GE, 500)),
        TierRule("mid", Tier.L3, Compare("units_30d", Op.GE, 100)),
    ),
    fallback=Tier.L1,
    name="by-units",
    stability=Stability(demote_after_evaluations=3, demote_after_days=7, new_sku_days=14),
)
MODELS = Models(policy=POLICY)
UNITS = {Tier.L5: 600, Tier.L3: 150, Tier.L1: 10}


@cache
def sample() -> Catalog:
    return load_sample()


def skus(n: int = 3) -> list[str]:
    """The first *n* SKUs of the sample that joined more than 60 days before it was observed."""
    catalog = sample()
    old: list[str] = [s.id for s in catalog.skus if catalog_as_of(catalog) - s.joined_at > timedelta(days=60)]
    return old[:n]


def snapshots_at(at: datetime, tiers: dict[str, Tier]) -> tuple[SkuSnapshot, ...]:
    """The sample's snapshots of the SKUs in *tiers*, observed at *at*, selling what the tier needs."""
    catalog = sample()
    by_id: dict[str, SkuSnapshot] = {s.sku_id: s for s in catalog.snapshots}
    return tuple(attrs.evolve(by_id[k], observed_at=at, units_30d=UNITS[t]) for k, t in sorted(tiers.items()))


def run(state: ProgramState, at: datetime, tiers: dict[str, Tier]) -> PeriodResult:
    period = f"p-{len(state.periods) + 1}"
    return run_period(sample(), state, period=period, as_of=at, models=MODELS, snapshots=snapshots_at(at, tiers))


# -- the first period is the pipeline ----------------------------------------------------------------------


def test_a_first_period_grades_as_the_pipeline_does() -> None:
    catalog = sample()
    result = run_period(catalog, period="2026-W47")
    graded = {g.sku_id: g for g in grade_catalog(catalog)}
    assert [r.sku_id for r in result.report.rows] == sorted(graded)
    for row in result.report.rows:
        expected = graded[row.sku_id]
        assert (row.decided, row.rule, row.effective, row.previous) == (
            expected.decision.tier,
            expected.decision.rule,
            expected.decision.tier,
            None,
        )
        assert row.granted == tuple(g.entry for g in expected.perks.granted)
        assert row.composite == expected.scorecard.composite
        assert row.change == "first grade"
    assert result.state.periods == ("2026-W47",)
    assert result.state.as_of == catalog_as_of(catalog)
    assert result.state.tier_counts() == result.report.tier_counts()
    assert result.report.models["policy"] == "default@2026.12"


def test_the_same_metrics_a_week_later_change_nothing() -> None:
    catalog = sample()
    first = run_period(catalog, period="w1")
    second = run_period(catalog, first.state, period="w2", as_of=catalog_as_of(catalog) + timedelta(days=7))
    assert second.report.changes() == ()
    assert second.report.tier_counts() == first.report.tier_counts()


# -- hysteresis -------------------------------------------------------------------------------------------


def test_a_demotion_waits_for_three_evaluations_over_seven_days_then_drops_to_the_best_of_the_run() -> None:
    sku = skus(1)[0]
    t0 = catalog_as_of(sample())
    state = run(ProgramState(), t0, {sku: Tier.L5}).state
    day1 = run(state, t0 + timedelta(days=1), {sku: Tier.L1})
    row = day1.report.row(sku)
    assert (row.decided, row.effective, row.held, row.change) == (Tier.L1, Tier.L5, True, "")
    day2 = run(day1.state, t0 + timedelta(days=2), {sku: Tier.L3})
    assert day2.report.row(sku).effective is Tier.L5
    # The third low grade, one microsecond short of seven days after the first: still held.
    early = run(day2.state, t0 + timedelta(days=8) - timedelta(microseconds=1), {sku: Tier.L1})
    assert early.report.row(sku).effective is Tier.L5
    # Exactly seven days after the first low grade: demoted, to the best tier of the run (L3).
    due = run(day2.state, t0 + timedelta(days=8), {sku: Tier.L1})
    row = due.report.row(sku)
    assert (row.previous, row.effective, row.changed) == (Tier.L5, Tier.L3, True)
    assert row.change == "below L5 for 3 evaluations over 7 days"
    assert due.state.sku(sku).changes[-1].reason == row.change


def test_a_grade_back_at_the_tier_resets_the_run() -> None:
    sku = skus(1)[0]
    t0 = catalog_as_of(sample())
    state = run(ProgramState(), t0, {sku: Tier.L5}).state
    state = run(state, t0 + timedelta(days=1), {sku: Tier.L1}).state
    state = run(state, t0 + timedelta(days=2), {sku: Tier.L5}).state
    assert state.sku(sku).below_count == 0
    state = run(state, t0 + timedelta(days=9), {sku: Tier.L1}).state
    after = run(state, t0 + timedelta(days=10), {sku: Tier.L1})
    assert after.report.row(sku).effective is Tier.L5  # two low grades since the reset, not three


def test_a_held_grade_keeps_the_perks_of_the_effective_tier() -> None:
    sku = skus(1)[0]
    t0 = catalog_as_of(sample())
    top = run(ProgramState(), t0, {sku: Tier.L5})
    held = run(top.state, t0 + timedelta(days=1), {sku: Tier.L1})
    assert held.report.row(sku).granted == top.report.row(sku).granted
    assert "exclusive-badge" in held.report.row(sku).granted  # the L5 badge, kept while held


@pytest.mark.parametrize(("days", "effective"), [(13, Tier.L1), (14, Tier.L5)])
def test_inside_the_new_sku_window_a_demotion_is_immediate_and_on_the_fourteenth_day_it_is_held(
    days: int, effective: Tier
) -> None:
    catalog = sample()
    sku = catalog.sku(skus(1)[0])
    joined = sku.joined_at
    first = run(ProgramState(), joined + timedelta(days=1), {sku.id: Tier.L5})
    late = joined + timedelta(days=days) - (timedelta(microseconds=1) if days == 13 else timedelta(0))
    row = run(first.state, late, {sku.id: Tier.L1}).report.row(sku.id)
    assert row.effective is effective
    if effective is Tier.L1:
        assert row.change == "provisional grade inside the 14-day new-SKU window"


# -- budgets remember ---------------------------------------------------------------------------------------


def test_a_budget_spent_in_one_period_is_not_spent_again_in_the_next() -> None:
    catalog = sample()
    sku = next(
        catalog.sku(k) for k in skus(50) if catalog.merchant(catalog.sku(k).merchant_id).standing.value == "normal"
    )
    budget = SubsidyBudget("official-subsidy", Money.of("1.50"))
    models = Models(policy=POLICY, budgets=(budget,))
    t0 = catalog_as_of(catalog)

    def orders(prefix: str) -> list[Order]:
        return [
            order("20.00", id=f"{prefix}-{i}", sku_id=sku.id, merchant_id=sku.merchant_id, paid_at=t0) for i in range(2)
        ]

    first = run_period(
        catalog,
        period="w1",
        as_of=t0,
        models=models,
        snapshots=snapshots_at(t0, {sku.id: Tier.L5}),
        orders=orders("a"),
    )
    # 5% of 20.00 = 1.00 per order: the first gets 1.00, the second what is left (0.50).
    assert [str(g.granted) for g in first.report.grants] == ["¥1.00", "¥0.50"]
    assert first.report.spent == {"official-subsidy": Money.of("1.50")}
    second = run_period(
        catalog,
        first.state,
        period="w2",
        as_of=t0 + timedelta(days=7),
        models=models,
        snapshots=snapshots_at(t0 + timedelta(days=7), {sku.id: Tier.L5}),
        orders=orders("b"),
    )
    assert [str(g.granted) for g in second.report.grants] == ["¥0.00", "¥0.00"]
    assert second.report.spent == {"official-subsidy": Money.of("0.00")}
    assert second.state.budgets.spent("official-subsidy") == Money.of("1.50")

    # A week later the first order of week 1 is refunded in full: its subsidy goes back to the budget (after the
    # budget's period, w1, ended), and week 3's first order can be granted it.
    refunded = apply_subsidy(orders("a")[0], BudgetAllocation(first.report.grants, {}))
    refunded = refunded.refund(event_id="r-1", at=t0 + timedelta(days=13), amount=refunded.paid)
    later = t0 + timedelta(days=14)
    third = run_period(
        catalog,
        second.state,
        period="w3",
        as_of=later,
        models=models,
        snapshots=snapshots_at(later, {sku.id: Tier.L5}),
        orders=orders("c"),
        refunds=[refunded],
    )
    assert third.report.returned == {"official-subsidy": Money.of("1.00")}
    assert third.state.budgets.spent("official-subsidy", period="w1") == Money.of("0.50")
    assert [str(g.granted) for g in third.report.grants] == ["¥1.00", "¥0.00"]
    assert third.state.budgets.spent("official-subsidy") == Money.of("1.50")


def test_per_unit_asks_for_each_buyer_order_of_a_line() -> None:
    """A line of 3 units of ¥500.00 at L5: one ¥20 cap as one order, 3 × ¥20 as three one-unit buyer orders."""
    catalog = sample()
    sku = next(
        catalog.sku(k) for k in skus(50) if catalog.merchant(catalog.sku(k).merchant_id).standing.value == "normal"
    )
    models = Models(policy=POLICY, budgets=(SubsidyBudget("official-subsidy", Money.of("1000.00")),))
    t0 = catalog_as_of(catalog)
    line = order("1500.00", id="line-1", sku_id=sku.id, merchant_id=sku.merchant_id, paid_at=t0, units=3)

    def granted(per_unit: bool) -> list[tuple[str, str]]:
        result = run_period(
            catalog,
            period="w1",
            as_of=t0,
            models=models,
            snapshots=snapshots_at(t0, {sku.id: Tier.L5}),
            orders=[line],
            per_unit=per_unit,
        )
        return [(g.request_id, str(g.granted)) for g in result.report.grants]

    assert granted(False) == [("line-1:official-subsidy", "¥20.00")]
    assert granted(True) == [("line-1:official-subsidy", "¥60.00")]
    with pytest.raises(InvalidValueError, match=r"run_period\.per_unit"):
        run_period(catalog, period="w1", per_unit="yes")  # type: ignore[arg-type]


# -- refusals ------------------------------------------------------------------------------------------------


def test_a_period_runs_once_on_a_state_and_never_backwards() -> None:
    sku = skus(1)[0]
    t0 = catalog_as_of(sample())
    first = run(ProgramState(), t0, {sku: Tier.L5})
    with pytest.raises(InvalidValueError, match=r"run_period.period.*already run"):
        run_period(sample(), first.state, period="p-1", as_of=t0)
    with pytest.raises(InvalidValueError, match=r"run_period.as_of.*before the state's last period"):
        run_period(sample(), first.state, period="p-2", as_of=t0 - timedelta(seconds=1))
    with pytest.raises(InvalidValueError, match=r"run_period.as_of"):
        run_period(sample(), period="p-2", as_of=t0.replace(tzinfo=None))
    with pytest.raises(InvalidValueError, match=r"run_period.schedule.*together with models"):
        run_period(sample(), period="p-2", models=MODELS, schedule=object())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"run_period.schedule.*select_models"):
        run_period(sample(), period="p-2", schedule=object())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"run_period.orders\[0\].sku_id.*not in the catalog"):
        run_period(sample(), period="p-2", orders=[order(sku_id="nope")])
    with pytest.raises(InvalidValueError, match=r"run_period.orders\[0\]"):
        run_period(sample(), period="p-2", orders=["o-1"])


def test_a_schedule_gives_the_models_in_force() -> None:
    class Fixed:
        def select_models(self, at: datetime) -> Models:
            return MODELS

    sku = skus(1)[0]
    t0 = catalog_as_of(sample())
    result = run_period(sample(), period="p", as_of=t0, schedule=Fixed(), snapshots=snapshots_at(t0, {sku: Tier.L3}))
    assert result.report.models["policy"] == "by-units@1"
    assert result.report.row(sku).rule == "mid"


def test_each_period_grades_with_the_policy_version_in_force_at_its_moment() -> None:
    sku = skus(1)[0]
    t0 = catalog_as_of(sample())
    stricter = attrs.evolve(
        POLICY,
        rules=(TierRule("top", Tier.L5, Compare("units_30d", Op.GE, 1000)), *POLICY.rules[1:]),
        version="2",
    )
    schedule = Schedule(
        policies=(
            ScheduledPolicy(t0 - timedelta(days=30), POLICY),
            ScheduledPolicy(t0 + timedelta(days=7), stricter, announced_at=t0),
        )
    )
    before = run_period(sample(), period="w1", as_of=t0, schedule=schedule, snapshots=snapshots_at(t0, {sku: Tier.L5}))
    assert before.report.row(sku).decided is Tier.L5
    assert before.report.models["policy"].startswith("by-units@1 (policies[0] since ")
    later = t0 + timedelta(days=7)
    after = run_period(
        sample(),
        before.state,
        period="w2",
        as_of=later,
        schedule=schedule,
        snapshots=snapshots_at(later, {sku: Tier.L5}),
    )
    row = after.report.row(sku)
    assert (row.decided, row.effective, row.held) == (Tier.L3, Tier.L5, True)  # the new bar, the grade held
    assert after.report.models["policy"].startswith("by-units@2 (policies[1] since ")


def test_snapshots_observed_after_the_period_are_not_read() -> None:
    catalog = sample()
    t0 = catalog_as_of(catalog)
    assert snapshots_as_of(catalog, t0 - timedelta(seconds=1)) == ()
    assert len(snapshots_as_of(catalog, t0)) == len(catalog.snapshots)


def test_a_report_round_trips_through_json() -> None:
    result = run_period(sample(), period="2026-W47")
    assert loads(dumps(result.report), PeriodReport) == result.report
    assert loads(dumps(result.state), ProgramState) == result.state


# -- the property: a run of periods is a TierHistory fold per SKU -----------------------------------------


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.sampled_from([0, 1, 3, 7, 14]), st.lists(st.sampled_from(list(UNITS)), min_size=3, max_size=3)),
        min_size=1,
        max_size=6,
    )
)
def test_periods_fold_each_sku_as_a_tier_history_does(plan: Sequence[tuple[int, list[Tier]]]) -> None:
    catalog = sample()
    ids = skus(3)
    at = catalog_as_of(catalog)
    state = ProgramState()
    histories = {k: TierHistory(POLICY.stability) for k in ids}
    for gap, tiers in plan:
        at += timedelta(days=gap)
        decided = dict(zip(ids, tiers, strict=True))
        result = run(state, at, decided)
        state = result.state
        for k in ids:
            histories[k] = histories[k].record(at, decided[k], joined_at=catalog.sku(k).joined_at)
            assert state.sku(k).history(POLICY.stability) == histories[k]
            row = result.report.row(k)
            assert (row.decided, row.effective) == (decided[k], histories[k].effective)
    assert default_perk_catalog() == MODELS.perks
