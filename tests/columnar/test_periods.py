"""Periods on columns: fold_tiers is TierHistory.record on whole columns, and run_period_columns is run_period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fenxiao.columnar import CodedText, catalog_columns, perk_slots
from fenxiao.columnar.periods import (
    FOLD_COLUMNS,
    NONE_MICROS,
    NONE_RANK,
    STATE_COLUMNS,
    ChangeCode,
    PeriodColumns,
    build_program_state,
    explain_changes,
    fold_tiers,
    run_period_columns,
    state_columns,
)
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.history import Stability, TierHistory
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog, Subsidy
from fenxiao.grading.pipeline import catalog_as_of
from fenxiao.grading.tiers import TierPolicy, TierRule
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport
from fenxiao.periods.run import run_period
from fenxiao.periods.state import ProgramState, SkuState
from fenxiao.rules.language import Compare, Op
from fenxiao.sample import generate_catalog, load_sample

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
DAY = timedelta(days=1)
US = timedelta(microseconds=1)
TIERS = tuple(Tier)


def micros(moment: datetime | None) -> int:
    """An instant as the state columns hold it."""
    if moment is None:
        return NONE_MICROS
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 10**6 + delta.microseconds


def rank(tier: Tier | None) -> int:
    return NONE_RANK if tier is None else tier.rank


def decisions(ranks: dict[str, int], joined: dict[str, datetime | None] | None = None) -> dict[str, Any]:
    """The decided columns of one period, in the order of *ranks*."""
    out: dict[str, Any] = {"sku_id": np.array(list(ranks), dtype=object), "tier": np.array(list(ranks.values()))}
    if joined is not None:
        out["joined_at"] = np.array([micros(joined.get(k)) for k in ranks], dtype=np.int64)
    return out


def state_row(state: dict[str, Any], sku: str) -> dict[str, int]:
    """One SKU's row of state columns, as plain ints."""
    (i,) = np.flatnonzero(state["sku_id"] == sku)
    return {name: int(state[name][i]) for name in STATE_COLUMNS[1:]}


def history_row(history: TierHistory, joined: datetime | None) -> dict[str, int]:
    """A TierHistory as a row of state columns."""
    return {
        "effective": rank(history.effective),
        "below_since": micros(history.below_since),
        "below_count": history.below_count,
        "below_best": rank(history.below_best),
        "last_at": micros(history.last_at),
        "joined_at": micros(joined),
    }


def fold_one(ranks: Sequence[tuple[datetime, Tier]], *, joined: datetime | None, stability: Stability) -> list[Any]:
    """Fold one SKU's decisions period by period; each period's fold rows."""
    state: Any = None
    out = []
    for at, tier in ranks:
        folded = fold_tiers(state, decisions({"s": tier.rank}, {"s": joined}), at, stability)
        state = folded.state
        out.append(folded)
    return out


# -- each rule and boundary, by example -------------------------------------------------------------------------------

OLD = T0 - timedelta(days=400)
RULE = Stability(demote_after_evaluations=3, demote_after_days=7, new_sku_days=14)


def test_a_first_grade_takes_the_decided_tier_and_a_promotion_is_at_once() -> None:
    """The first decision sets the tier; a higher one takes effect the same evaluation."""
    first, second = fold_one([(T0, Tier.L2), (T0 + US, Tier.L5)], joined=OLD, stability=RULE)
    assert first.rows["change"].tolist() == [ChangeCode.FIRST]
    assert first.rows["previous"].tolist() == [NONE_RANK]
    assert (second.rows["previous"].tolist(), second.rows["effective"].tolist()) == ([2], [5])
    assert explain_changes(second.rows, RULE) == ["promoted at once"]


def test_a_demotion_becomes_due_exactly_demote_after_days_after_the_first_lower_grade() -> None:
    """Third low grade one microsecond short of 7 days: held; exactly 7 days: demoted to the best of the run."""
    base = [(T0, Tier.L5), (T0 + DAY, Tier.L1), (T0 + 2 * DAY, Tier.L3)]
    short = fold_one([*base, (T0 + 8 * DAY - US, Tier.L1)], joined=OLD, stability=RULE)[-1]
    assert short.rows["effective"].tolist() == [5]
    assert short.rows["held"].tolist() == [True]
    assert (short.rows["run_count"].tolist(), short.rows["run_days"].tolist()) == ([3], [6])
    due = fold_one([*base, (T0 + 8 * DAY, Tier.L1)], joined=OLD, stability=RULE)[-1]
    assert due.rows["effective"].tolist() == [3]
    assert due.rows["change"].tolist() == [ChangeCode.DEMOTED]
    assert explain_changes(due.rows, RULE) == ["below L5 for 3 evaluations over 7 days"]
    assert state_row(due.state, "s")["below_count"] == 0


def test_inside_the_new_sku_window_a_demotion_is_immediate_and_on_the_14th_day_it_is_held() -> None:
    """Joined 14 days minus a microsecond before: provisional, at once; exactly 14 days: the run starts."""
    joined = T0 - timedelta(days=20)
    start = (T0 - timedelta(days=10), Tier.L4)
    inside = fold_one([start, (joined + 14 * DAY - US, Tier.L2)], joined=joined, stability=RULE)[-1]
    assert inside.rows["effective"].tolist() == [2]
    assert explain_changes(inside.rows, RULE) == ["provisional grade inside the 14-day new-SKU window"]
    on_the_day = fold_one([start, (joined + 14 * DAY, Tier.L2)], joined=joined, stability=RULE)[-1]
    assert on_the_day.rows["effective"].tolist() == [4]
    assert on_the_day.rows["held"].tolist() == [True]


def test_a_grade_back_at_the_tier_resets_the_run_so_a_flap_never_demotes() -> None:
    """L5, L1, L5, L1, L1 over 9 days: the reset means the second run holds only two evaluations."""
    ranks = [(T0, Tier.L5), (T0 + DAY, Tier.L1), (T0 + 2 * DAY, Tier.L5), (T0 + 8 * DAY, Tier.L1)]
    *_, last = fold_one([*ranks, (T0 + 9 * DAY, Tier.L1)], joined=OLD, stability=RULE)
    assert last.rows["effective"].tolist() == [5]
    assert state_row(last.state, "s")["below_since"] == micros(T0 + 8 * DAY)
    assert state_row(last.state, "s")["below_count"] == 2


def test_a_promotion_in_the_middle_of_a_run_ends_the_run() -> None:
    """L3, then two L1s, then L4: promoted at once; the next L1 starts a new run of one."""
    ranks = [(T0, Tier.L3), (T0 + DAY, Tier.L1), (T0 + 2 * DAY, Tier.L1), (T0 + 3 * DAY, Tier.L4)]
    *_, promoted, after = fold_one([*ranks, (T0 + 10 * DAY, Tier.L1)], joined=OLD, stability=RULE)
    assert promoted.rows["change"].tolist() == [ChangeCode.PROMOTED]
    assert state_row(promoted.state, "s")["below_count"] == 0
    assert state_row(after.state, "s") | {"effective": 0} == {
        "effective": 0,
        "below_since": micros(T0 + 10 * DAY),
        "below_count": 1,
        "below_best": 1,
        "last_at": micros(T0 + 10 * DAY),
        "joined_at": micros(OLD),
    }


def test_a_sku_without_a_join_date_has_no_new_sku_window() -> None:
    """No join date anywhere: a lower grade on day one starts a run, as TierHistory.record without joined_at."""
    (_, second) = fold_one([(T0, Tier.L4), (T0 + US, Tier.L1)], joined=None, stability=RULE)
    assert second.rows["effective"].tolist() == [4]
    assert state_row(second.state, "s")["joined_at"] == NONE_MICROS


def test_the_state_keeps_the_first_join_date_it_learnt() -> None:
    """A later joined_at column fills a missing join date only, as run_period does with SkuState.joined_at."""
    first = fold_tiers(None, decisions({"a": 2}, {"a": OLD}), T0)
    again = fold_tiers(first.state, decisions({"a": 2}, {"a": T0}), T0 + DAY)
    assert state_row(again.state, "a")["joined_at"] == micros(OLD)


def test_skus_not_decided_this_period_are_carried_unchanged_after_the_decided_ones() -> None:
    """The new state lists the decided SKUs in their order, then the others as they were."""
    first = fold_tiers(None, decisions({"a": 1, "b": 2, "c": 3}), T0)
    second = fold_tiers(first.state, decisions({"d": 4, "b": 0}), T0 + DAY)
    assert second.state["sku_id"].tolist() == ["d", "b", "a", "c"]
    assert state_row(second.state, "c") == state_row(first.state, "c")
    assert second.rows["previous"].tolist() == [NONE_RANK, 2]


@given(
    first=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    second=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    new=st.integers(1, 4),
)
def test_a_state_whose_skus_come_first_folds_as_the_join_by_id_does(
    first: list[int], second: list[int], new: int
) -> None:
    """Decided SKUs that are the state's in its order and then new ones (a catalog that grew) fold exactly as the
    same SKUs with the state in another order (the lookup by id): the prefix is the fast path, not a new rule."""
    old_ids = [f"s{i}" for i in range(len(first))]
    state = fold_tiers(None, decisions(dict(zip(old_ids, first, strict=True))), T0).state
    grown = old_ids + [f"n{i}" for i in range(new)]
    ranks = {sku: second[i % len(second)] for i, sku in enumerate(grown)}
    fast = fold_tiers(state, decisions(ranks), T0 + DAY)
    reversed_state = {name: values[::-1] for name, values in state.items()}
    slow = fold_tiers(reversed_state, decisions(ranks), T0 + DAY)
    for name in FOLD_COLUMNS:
        assert fast.rows[name].tolist() == slow.rows[name].tolist(), name
    for name in STATE_COLUMNS:
        assert fast.state[name].tolist() == slow.state[name].tolist(), name


def test_a_period_before_the_last_evaluation_is_refused_naming_the_skus() -> None:
    """at earlier than a decided SKU's last_at: InvalidValueError with the SKU and its last evaluation."""
    first = fold_tiers(None, decisions({"a": 1, "b": 2}), T0)
    with pytest.raises(InvalidValueError, match=r"fold_tiers\.at: .*previous evaluation of 1 SKU\(s\): b \(2026"):
        fold_tiers(first.state, decisions({"b": 2, "z": 1}), T0 - US)
    assert fold_tiers(first.state, decisions({"a": 3}), T0).rows["effective"].tolist() == [3]  # the same moment


@pytest.mark.parametrize(
    ("state", "decided", "at", "message"),
    [
        (None, {"sku_id": ["a", "a"], "tier": [1, 2]}, T0, r"decided\.sku_id\[1\]: is listed twice"),
        (None, {"sku_id": ["a", ""], "tier": [1, 2]}, T0, r"decided\.sku_id\[1\]: must be a SKU id"),
        (None, {"sku_id": ["a", None], "tier": [1, 2]}, T0, r"decided\.sku_id\[1\]: must be a SKU id"),
        (None, {"sku_id": [1, 2], "tier": [1, 2]}, T0, r"decided\.sku_id\[0\]: must be a SKU id .*got 1"),
        (None, {"sku_id": np.array([1, 2]), "tier": [1, 2]}, T0, r"decided\.sku_id: must be text"),
        (None, {"sku_id": ["a"], "tier": [6]}, T0, r"decided\.tier\[0\]: must be between 0 and 5"),
        (None, {"sku_id": ["a"]}, T0, r"decided\.tier: is a required column"),
        (None, {"sku_id": ["a"], "tier": [1]}, T0.replace(tzinfo=None), r"fold_tiers\.at: must be a timezone-aware"),
        ({"sku_id": ["a"]}, {"sku_id": ["a"], "tier": [1]}, T0, r"state\.effective: is a state column"),
    ],
)
def test_bad_columns_are_refused_naming_the_column_and_row(
    state: Any, decided: dict[str, Any], at: datetime, message: str
) -> None:
    """Every refusal is an InvalidValueError with the column path (and row) and the bad value."""
    with pytest.raises(InvalidValueError, match=message):
        fold_tiers(state, decided, at)


def test_a_state_with_a_duplicate_sku_is_refused() -> None:
    """Two state rows for one SKU cannot be folded."""
    state = state_columns([SkuState("a"), SkuState("b")])
    state["sku_id"] = np.array(["a", "a"], dtype=object)
    with pytest.raises(InvalidValueError, match=r"state\.sku_id\[1\]: is listed twice"):
        fold_tiers(state, decisions({"c": 1}), T0)


def test_bad_arguments_are_refused() -> None:
    """A stability that is not one, or a bad change code, is named."""
    with pytest.raises(InvalidValueError, match=r"fold_tiers\.stability"):
        fold_tiers(None, decisions({"a": 1}), T0, stability=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"rows\.change\[0\]"):
        explain_changes({"previous": [1], "change": [9], "run_count": [0], "run_days": [0]})


# -- the parity property: fold_tiers period after period equals TierHistory SKU by SKU --------------------------------

GAPS = (timedelta(0), US, DAY - US, DAY, 2 * DAY, 7 * DAY - US, 7 * DAY, 14 * DAY)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Stability, dict[str, datetime | None], list[tuple[datetime, dict[str, int]]]]:
    """A stability rule, SKUs' join dates on and around the window's edge, and periods of decisions (each a subset of
    the SKUs, in any order), spaced by gaps that land exactly on the rule's days."""
    rule = Stability(
        demote_after_evaluations=draw(st.integers(1, 4)),
        demote_after_days=draw(st.sampled_from([0, 1, 2, 7])),
        new_sku_days=draw(st.sampled_from([0, 1, 14])),
    )
    count = draw(st.integers(1, 8))
    times = [T0]
    for _ in range(count - 1):
        times.append(times[-1] + draw(st.sampled_from(GAPS)))
    skus = [f"sku-{i}" for i in range(draw(st.integers(1, 6)))]
    window = timedelta(days=rule.new_sku_days)
    joined: dict[str, datetime | None] = {}
    for sku in skus:
        edge = draw(st.sampled_from(times)) - window
        joined[sku] = draw(st.sampled_from([None, OLD, edge, edge - US, edge + US]))
    periods = []
    for at in times:
        chosen = draw(st.lists(st.sampled_from(skus), unique=True))
        periods.append((at, {sku: draw(st.integers(0, 5)) for sku in chosen}))
    return rule, joined, periods


@given(history=histories())
def test_fold_tiers_period_after_period_equals_tier_history_sku_by_sku(
    history: tuple[Stability, dict[str, datetime | None], list[tuple[datetime, dict[str, int]]]],
) -> None:
    """Effective tier, the run (since, count, best), last evaluation, join date, change text: all equal, always."""
    rule, joined, periods = history
    expected: dict[str, TierHistory] = {}
    state: Any = None
    for at, ranks in periods:
        folded = fold_tiers(state, decisions(ranks, joined), at, rule)
        state = folded.state
        texts = explain_changes(folded.rows, rule)
        for i, (sku, tier) in enumerate(ranks.items()):
            before = expected.get(sku, TierHistory(stability=rule))
            after = before.record(at, TIERS[tier], joined_at=joined[sku])
            expected[sku] = after
            changed = len(after.changes) > len(before.changes)
            assert texts[i] == (after.changes[-1].reason if changed else "")
            assert int(folded.rows["previous"][i]) == rank(before.effective)
            assert bool(folded.rows["held"][i]) == (after.effective is not None and TIERS[tier] < after.effective)
        assert sorted(state["sku_id"].tolist()) == sorted(expected)
        for sku, history_now in expected.items():
            assert state_row(state, sku) == history_row(history_now, joined[sku]), sku


# -- state as columns and back ----------------------------------------------------------------------------------------


@given(history=histories())
def test_state_columns_and_build_program_state_round_trip(
    history: tuple[Stability, dict[str, datetime | None], list[tuple[datetime, dict[str, int]]]],
) -> None:
    """A ProgramState's SKUs become columns and come back equal (changes aside: the columns do not carry them)."""
    rule, joined, periods = history
    skus: dict[str, SkuState] = {}
    for at, ranks in periods:
        for sku, tier in ranks.items():
            before = skus.get(sku, SkuState(sku, joined_at=joined[sku]))
            skus[sku] = before.record(at, TIERS[tier], stability=rule)
    state = ProgramState(skus, periods=("p-1",), as_of=T0)
    columns = state_columns(state)
    assert list(columns) == list(STATE_COLUMNS)
    back = build_program_state(columns, periods=("p-1",), as_of=T0)
    assert back == attrs.evolve(state, skus={k: attrs.evolve(s, changes=()) for k, s in state.skus.items()})
    assert state_columns(back)["last_at"].tolist() == columns["last_at"].tolist()


def test_state_columns_accept_states_and_refuse_anything_else() -> None:
    """A mapping or a list of SkuStates works; another value is refused with its position."""
    states = {"a": SkuState("a"), "b": SkuState("b", effective=Tier.L2)}
    assert state_columns(states)["effective"].tolist() == [NONE_RANK, 2]
    assert state_columns([])["sku_id"].shape == (0,)
    with pytest.raises(InvalidValueError, match=r"state_columns\.state\[1\]"):
        state_columns([SkuState("a"), "b"])  # type: ignore[list-item]


def test_instants_may_be_given_as_datetimes_with_missing_values() -> None:
    """datetime64 state columns (NaT where none) read as the int64 micros do."""
    columns = state_columns([SkuState("a", joined_at=OLD).record(T0, Tier.L3)])
    as_datetimes = dict(columns)
    for name in ("below_since", "last_at", "joined_at"):
        values = columns[name]
        as_datetimes[name] = np.where(values == NONE_MICROS, np.datetime64("NaT"), values.astype("datetime64[us]"))
    assert build_program_state(as_datetimes) == build_program_state(columns)


def test_state_frames_fold_as_mappings_do() -> None:
    """A pandas or polars state and decisions give the same fold, in the decisions' kind."""
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    first = fold_tiers(None, decisions({"a": 5, "b": 2}, {"a": OLD, "b": OLD}), T0)
    expected = fold_tiers(first.state, decisions({"b": 1, "a": 3}), T0 + DAY)
    for lib in (pd, pl):
        folded = fold_tiers(lib.DataFrame(first.state), lib.DataFrame(decisions({"b": 1, "a": 3})), T0 + DAY)
        assert type(folded.rows).__module__.split(".")[0] == lib.__name__
        for name in FOLD_COLUMNS:
            assert list(folded.rows[name]) == expected.rows[name].tolist()
        for name in STATE_COLUMNS:
            assert list(folded.state[name]) == expected.state[name].tolist()


# -- the period run equals run_period ---------------------------------------------------------------------------------

#: Tiers by units sold, so that a test sets a SKU's decided tier through one metric (as tests/periods/test_run.py).
POLICY = TierPolicy(
    rules=(
        TierRule("top", Tier.L5, Compare("units_30d", Op.GE, 500)),
        TierRule("upper", Tier.L4, Compare("units_30d", Op.GE, 300)),
        TierRule("mid", Tier.L3, Compare("units_30d", Op.GE, 100)),
    ),
    fallback=Tier.L1,
    name="by-units",
    stability=RULE,
)
UNITS = {Tier.L5: 600, Tier.L4: 350, Tier.L3: 150, Tier.L1: 10}


@cache
def sample() -> Catalog:
    return load_sample()


@cache
def chosen_skus() -> tuple[str, ...]:
    """Four long-listed SKUs and the three youngest of the sample (their new-SKU windows end inside the test)."""
    catalog = sample()
    by_age = sorted(catalog.skus, key=lambda s: s.joined_at)
    return tuple(s.id for s in (*by_age[:4], *by_age[-3:]))


def snapshots_at(at: datetime, tiers: dict[str, Tier]) -> tuple[SkuSnapshot, ...]:
    """The sample's snapshots of the SKUs in *tiers*, observed at *at*, selling what the tier needs."""
    by_id: dict[str, SkuSnapshot] = {s.sku_id: s for s in sample().snapshots}
    return tuple(attrs.evolve(by_id[k], observed_at=at, units_30d=UNITS[t]) for k, t in sorted(tiers.items()))


def report_rows(result: PeriodColumns, catalog: PerkCatalog, policy: TierPolicy) -> dict[str, dict[str, object]]:
    """The columnar report in the object report's terms (tiers, rule names, change text, granted entries)."""
    report = result.report
    texts = explain_changes(report, policy.stability)
    slots = perk_slots(catalog)
    out: dict[str, dict[str, object]] = {}
    for i, sku in enumerate(report["sku_id"].tolist()):
        rule = int(report["rule"][i])
        previous = int(report["previous"][i])
        out[sku] = {
            "decided": TIERS[int(report["decided"][i])],
            "rule": policy.rules[rule].name if rule >= 0 else "(fallback)",
            "previous": TIERS[previous] if previous >= 0 else None,
            "effective": TIERS[int(report["effective"][i])],
            "change": texts[i],
            "held": bool(report["held"][i]),
            "composite": int(report["composite"][i]),
            "slots": {s.column: int(report[s.column][i]) for s in slots if int(report[s.column][i]) >= 0}
            | {
                f"{s.column}.{part}": int(report[f"{s.column}.{part}"][i])
                for s in slots
                if s.kind == Subsidy.kind
                for part in ("rate_ppm", "fixed_fen", "cap_fen")
            },
        }
    return out


def object_rows(report: PeriodReport, catalog: PerkCatalog) -> dict[str, dict[str, object]]:
    """The object report, with the granted perks as the slot winners and subsidy terms the columns hold."""
    names = [e.name for e in catalog.entries]
    by_name = {e.name: e for e in catalog.entries}
    out: dict[str, dict[str, object]] = {}
    for row in report.rows:
        slots: dict[str, int] = {}
        for slot in perk_slots(catalog):
            granted = [g for g in row.granted if f"perk.{by_name[g].perk.kind}.{by_name[g].perk.key}" == slot.column]
            if slot.kind == Subsidy.kind:
                perks = [by_name[g].perk for g in granted]
                rate = sum(p.rate.ppm for p in perks if isinstance(p, Subsidy))
                caps = [p.cap.fen for p in perks if isinstance(p, Subsidy) and p.cap is not None]
                slots[f"{slot.column}.rate_ppm"] = min(rate, 10**6)
                slots[f"{slot.column}.fixed_fen"] = sum(p.fixed.fen for p in perks if isinstance(p, Subsidy))
                slots[f"{slot.column}.cap_fen"] = min(caps) if caps else -1
                granted = sorted(granted, key=lambda g: by_name[g].tier.rank)[-1:]
            if granted:
                slots[slot.column] = names.index(granted[-1])
        out[row.sku_id] = {
            "decided": row.decided,
            "rule": row.rule,
            "previous": row.previous,
            "effective": row.effective,
            "change": row.change,
            "held": row.held,
            "composite": int(row.composite.scaleb(2)),
            "slots": slots,
        }
    return out


def object_state(state: ProgramState) -> ProgramState:
    """The object state as the columns can hold it: SKU states without their changes, nothing else."""
    return ProgramState({k: attrs.evolve(s, changes=()) for k, s in state.skus.items()})


def assert_same_period(
    result: PeriodColumns, expected_state: ProgramState, report: PeriodReport, models: Models
) -> None:
    """Report rows and state equal the object path's."""
    assert report_rows(result, models.perks, models.policy) == object_rows(report, models.perks)
    assert build_program_state(result.state) == object_state(expected_state)
    assert result.models == report.models
    assert result.period == report.period


@st.composite
def schedules(draw: st.DrawFn) -> list[tuple[datetime, dict[str, Tier]]]:
    """Periods from the youngest SKU's join date, spaced so that windows and demotions fall due exactly."""
    catalog = sample()
    skus = chosen_skus()
    youngest = max(catalog.sku(k).joined_at for k in skus)
    at = youngest + draw(st.sampled_from([timedelta(0), 14 * DAY - US, 14 * DAY]))
    periods = []
    for _ in range(draw(st.integers(1, 5))):
        chosen = draw(st.lists(st.sampled_from(skus), min_size=1, unique=True))
        periods.append((at, {k: draw(st.sampled_from(list(UNITS))) for k in chosen}))
        at += draw(st.sampled_from(GAPS))
    return periods


def every_boundary() -> list[tuple[datetime, dict[str, Tier]]]:
    """A schedule that crosses each boundary: a provisional demotion inside the window, a promotion on its last
    microsecond, a hold on its 14th day, a demotion due exactly seven days after the run began."""
    old, young = chosen_skus()[0], chosen_skus()[-1]
    joined = sample().sku(young).joined_at
    return [
        (joined, {old: Tier.L5, young: Tier.L5}),
        (joined + DAY, {old: Tier.L1, young: Tier.L1}),
        (joined + 2 * DAY, {old: Tier.L1}),
        (joined + 8 * DAY, {old: Tier.L3}),
        (joined + 14 * DAY - US, {young: Tier.L4}),
        (joined + 14 * DAY, {young: Tier.L1, old: Tier.L3}),
    ]


@given(schedule=schedules())
@example(schedule=every_boundary())
def test_run_period_columns_equals_run_period_period_after_period(
    schedule: list[tuple[datetime, dict[str, Tier]]],
) -> None:
    """Every report row (decided, rule, previous, effective, change, held, perks) and the state, every period."""
    models = Models(policy=POLICY)
    state = ProgramState()
    columns_state: Any = None
    for i, (at, tiers) in enumerate(schedule):
        snapshots = snapshots_at(at, tiers)
        expected = run_period(sample(), state, period=f"p-{i}", as_of=at, models=models, snapshots=snapshots)
        result = run_period_columns(
            catalog_columns(sample(), snapshots), columns_state, as_of=at, period=f"p-{i}", models=models
        )
        assert_same_period(result, expected.state, expected.report, models)
        state, columns_state = expected.state, result.state


def test_the_boundary_schedule_crosses_every_boundary() -> None:
    """The explicit example above does what it says: provisional, promoted, held on day 14, demoted when due."""
    models = Models(policy=POLICY)
    state: Any = None
    changes: list[list[int]] = []
    for i, (at, tiers) in enumerate(every_boundary()):
        result = run_period_columns(
            catalog_columns(sample(), snapshots_at(at, tiers)), state, as_of=at, period=f"p-{i}", models=models
        )
        state = result.state
        changes.append(result.report["change"].tolist())
    old_first = chosen_skus()[0] < chosen_skus()[-1]
    assert changes[1] == ([0, 3] if old_first else [3, 0])
    assert changes[3] == [4]
    assert changes[4] == [2]
    assert changes[5] == [0, 0]


@pytest.mark.parametrize("which", ["sample", "generated"])
def test_a_realistic_catalog_over_five_weeks_equals_run_period(which: str) -> None:
    """The default models over the sample and a 400-SKU generated catalog: sales drop to a third for three weeks,
    then double; every row and the state equal the object path's each week (grades are held, then demoted)."""
    catalog = sample() if which == "sample" else generate_catalog(seed=29, skus=400)
    models = Models()
    start = catalog_as_of(catalog)
    lows = [(start + k * 7 * DAY, 1, 3) for k in (1, 2, 3)]
    weeks = [(start, 1, 1), *lows, (start + 28 * DAY, 2, 1)]
    state = ProgramState()
    columns_state: Any = None
    held = demoted = 0
    for i, (at, factor, divisor) in enumerate(weeks):
        snapshots = tuple(
            attrs.evolve(s, observed_at=at, units_30d=s.units_30d * factor // divisor)
            for s in catalog.latest_snapshots()
        )
        expected = run_period(catalog, state, period=f"w-{i}", as_of=at, models=models, snapshots=snapshots)
        result = run_period_columns(
            catalog_columns(catalog, snapshots), columns_state, as_of=at, period=f"w-{i}", chunk_size=97
        )
        assert_same_period(result, expected.state, expected.report, models)
        held += int(result.report["held"].sum())
        demoted += int((result.report["change"] == ChangeCode.DEMOTED).sum())
        state, columns_state = expected.state, result.state
    assert held > 0
    assert demoted > 0


def test_perks_follow_the_effective_tier_while_a_grade_is_held() -> None:
    """A SKU decided L1 but held at L5 keeps the L5 perks (the pipeline alone would resolve L1's)."""
    sku = chosen_skus()[0]
    models = Models(policy=POLICY)
    at = catalog_as_of(sample())
    first = run_period_columns(
        catalog_columns(sample(), snapshots_at(at, {sku: Tier.L5})), None, as_of=at, period="a", models=models
    )
    later = at + DAY
    second = run_period_columns(
        catalog_columns(sample(), snapshots_at(later, {sku: Tier.L1})),
        first.state,
        as_of=later,
        period="b",
        models=models,
    )
    assert (second.report["decided"].tolist(), second.report["effective"].tolist()) == ([1], [5])
    for slot in perk_slots(models.perks):
        assert second.report[slot.column].tolist() == first.report[slot.column].tolist(), slot.column


def test_a_frame_in_gives_frames_out_equal_to_the_mapping_run() -> None:
    """A pandas frame of the catalog gives a pandas report (with its index) and state, every value equal."""
    pd = pytest.importorskip("pandas")
    columns = catalog_columns(sample())
    at = catalog_as_of(sample())
    expected = run_period_columns(columns, None, as_of=at, period="p", keep=("category_id",))
    frame = pd.DataFrame(columns, index=np.arange(len(columns["sku_id"])) * 3)
    result = run_period_columns(frame, None, as_of=at, period="p", keep=("category_id",))
    assert list(result.report.columns) == list(expected.report)
    assert list(result.report.index) == list(frame.index)
    for name, values in expected.report.items():
        assert result.report[name].tolist() == list(values), name
    assert list(result.state.columns) == list(STATE_COLUMNS)
    again = run_period_columns(frame, result.state, as_of=at + DAY, period="q")
    assert again.report["change"].tolist() == [0] * len(frame)


def test_coded_sku_ids_and_a_state_in_another_order_join_by_id() -> None:
    """sku_id as CodedText, the state shuffled: each SKU folds with its own state row."""
    columns = catalog_columns(sample())
    at = catalog_as_of(sample())
    first = run_period_columns(columns, None, as_of=at, period="p")
    order = np.random.default_rng(3).permutation(len(columns["sku_id"]))
    shuffled = {name: values[order] for name, values in first.state.items()}
    shuffled["effective"] = np.where(shuffled["effective"] == 5, 5, shuffled["effective"] + 1).astype(np.int8)
    labels = tuple(columns["sku_id"].tolist())
    coded = dict(columns, sku_id=CodedText(np.arange(len(labels)), labels))
    second = run_period_columns(coded, shuffled, as_of=at + DAY, period="q")
    expected = {sku: int(e) for sku, e in zip(shuffled["sku_id"].tolist(), shuffled["effective"].tolist(), strict=True)}
    assert second.report["previous"].tolist() == [expected[s] for s in labels]
    assert isinstance(second.report["sku_id"], CodedText)
    assert second.state["sku_id"].tolist() == list(labels)


def test_an_empty_catalog_gives_empty_columns_and_keeps_the_state() -> None:
    """No rows: an empty report with every column, and the old state carried."""
    columns = {name: values[:0] for name, values in catalog_columns(sample()).items()}
    state = state_columns([SkuState("a", effective=Tier.L2)])
    result = run_period_columns(columns, state, as_of=T0, period="p")
    assert result.report["effective"].shape == (0,)
    assert "perk.badge.grade" in result.report
    assert result.state["sku_id"].tolist() == ["a"]


def test_bad_period_arguments_are_refused() -> None:
    """A naive moment, an empty period id or models that are not Models are named."""
    columns = catalog_columns(sample(), sample().latest_snapshots()[:2])
    with pytest.raises(InvalidValueError, match=r"run_period_columns\.as_of"):
        run_period_columns(columns, None, as_of=T0.replace(tzinfo=None), period="p")
    with pytest.raises(InvalidValueError, match=r"run_period_columns\.period"):
        run_period_columns(columns, None, as_of=T0 + 400 * DAY, period="")
    with pytest.raises(InvalidValueError, match=r"run_period_columns\.models"):
        run_period_columns(columns, None, as_of=T0 + 400 * DAY, period="p", models=POLICY)  # type: ignore[arg-type]
