"""Policy schedules: the version in force at every boundary, announcing ahead, lint of overlaps and gaps, the file
form."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, PolicyError, ValidationError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import Access, PerkCatalog, PerkEntry, default_perk_catalog
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.grading.tiers import TierPolicy, TierRule, default_tier_policy
from fenxiao.money import Money
from fenxiao.periods.models import Models
from fenxiao.periods.schedule import (
    ModelKind,
    Schedule,
    ScheduledBudgets,
    ScheduledPerks,
    ScheduledPolicy,
    ScheduledScorecards,
    ScheduleEntry,
    lint_schedule,
)
from fenxiao.rules.language import Compare, Op
from fenxiao.rules.table import Finding, Severity
from fenxiao.scoring.scorecards import default_scorecards
from fenxiao.serialization import dumps, from_dict, load, loads, to_dict

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 1, tzinfo=CST)
TICK = timedelta(microseconds=1)
EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "schedule_example.toml"

#: Distinct policies, told apart by version.
POLICIES = tuple(attrs.evolve(default_tier_policy(), version=f"v{i}") for i in range(8))


def hour(n: int) -> datetime:
    return T0 + timedelta(hours=n)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def policy(start: datetime, i: int = 0, until: datetime | None = None, **kw: Any) -> ScheduledPolicy:
    return ScheduledPolicy(start, POLICIES[i], until, **kw)


def budgets(start: datetime, *names: str, until: datetime | None = None, **kw: Any) -> ScheduledBudgets:
    return ScheduledBudgets(start, tuple(SubsidyBudget(n, Money.of("100")) for n in names), until, **kw)


def codes(findings: Sequence[Finding], *wanted: str) -> list[tuple[str, str]]:
    return [(f.path, f.code) for f in findings if f.code in wanted]


# -- the version in force, at every boundary ----------------------------------------------------------------


def test_a_version_is_in_force_from_its_effective_from_inclusive() -> None:
    """Exactly at ``effective_from`` the version is in force; a microsecond before, nothing is."""
    schedule = Schedule(policies=(policy(day(0)),))
    assert schedule.select_models(day(0)).policy is POLICIES[0]
    with pytest.raises(PolicyError, match=r"Schedule\.policies: no policy version is in force at 2026-10-31T23:59"):
        schedule.select(day(0) - TICK)


def test_a_version_stops_at_its_effective_until_exclusive() -> None:
    """A microsecond before ``effective_until`` the version is in force; exactly at it, it is not."""
    schedule = Schedule(policies=(policy(day(0), until=day(7)),))
    found = schedule.select_version(ModelKind.POLICY, day(7) - TICK)
    assert (found.index, found.since, found.until) == (0, day(0), day(7))
    with pytest.raises(PolicyError, match=r"policies\[0\] ended at 2026-11-08T00:00:00\+08:00"):
        schedule.select_version("policy", day(7))


def test_the_next_version_takes_over_exactly_at_its_effective_from() -> None:
    """An open-ended version is in force until the next one's ``effective_from``, which then takes over."""
    schedule = Schedule(policies=(policy(day(0), 0), policy(day(30), 1)))
    before = schedule.select_version("policy", day(30) - TICK)
    assert (before.index, before.until) == (0, day(30))
    after = schedule.select_version("policy", day(30))
    assert (after.index, after.until, after.path) == (1, None, "policies[1]")
    assert schedule.select_models(day(400)).policy is POLICIES[1]


def test_a_moment_in_a_gap_raises_naming_the_kind_the_moment_and_what_comes_next() -> None:
    """After an ``effective_until`` and before the next version, selecting raises a PolicyError that says why."""
    schedule = Schedule(budgets=(budgets(day(0), "a", until=day(10)), budgets(day(20), "b")))
    with pytest.raises(PolicyError) as caught:
        schedule.select(day(15))
    error = caught.value
    assert error.path == "Schedule.budgets"
    assert error.value == day(15)
    assert "no budgets version is in force at 2026-11-16T00:00:00+08:00" in str(error)
    assert "budgets[0] ended at 2026-11-11T00:00:00+08:00; budgets[1] takes effect at 2026-11-21" in str(error)
    assert [b.name for b in schedule.select_models(day(20)).budgets] == ["b"]


def test_two_versions_taking_effect_together_are_ambiguous() -> None:
    """Two versions with one ``effective_from`` are both in force: selecting raises, naming both."""
    schedule = Schedule(policies=(policy(day(0), 0), policy(day(0), 1)))
    with pytest.raises(PolicyError, match=r"policies\[0\] and policies\[1\] are all in force .* overlaps"):
        schedule.select(day(3))


def test_an_effective_until_after_the_next_start_overlaps_until_it_ends() -> None:
    """A version that says it lasts past the next one's start overlaps it from that start to its own end."""
    schedule = Schedule(policies=(policy(day(0), 0, until=day(20)), policy(day(10), 1)))
    assert schedule.select_models(day(10) - TICK).policy is POLICIES[0]
    with pytest.raises(PolicyError, match="overlaps"):
        schedule.select(day(10))
    with pytest.raises(PolicyError, match="overlaps"):
        schedule.select(day(20) - TICK)
    assert schedule.select_models(day(20)).policy is POLICIES[1]


def test_an_effective_until_exactly_at_the_next_start_is_seamless() -> None:
    """Ending exactly when the next version starts leaves neither a gap nor an overlap."""
    schedule = Schedule(policies=(policy(day(0), 0, until=day(10)), policy(day(10), 1)))
    assert schedule.select_models(day(10) - TICK).policy is POLICIES[0]
    assert schedule.select_models(day(10)).policy is POLICIES[1]
    assert codes(lint_schedule(schedule, end=day(30)), "gap", "overlap") == []


def test_kinds_without_entries_are_the_library_defaults() -> None:
    """An empty schedule gives the default models at any moment, and says so."""
    selection = Schedule().select(day(0))
    assert selection.models == Models()
    assert selection.models.scorecards == default_scorecards()
    assert selection.models.perks == default_perk_catalog()
    assert selection.models.budgets == ()
    assert selection.describe()["policy"] == "default@2026.12 (library default)"
    version = selection.versions[ModelKind.PERKS]
    assert (version.index, version.entry, version.since, version.path) == (None, None, None, "default")
    assert version.model == default_perk_catalog()


def test_each_kind_is_selected_on_its_own_dates() -> None:
    """Every kind has its own versions; the selection takes each kind's version in force and records where from."""
    cards = attrs.evolve(default_scorecards())
    perks = PerkCatalog(entries=(PerkEntry("pool", Tier.L1, Access("pool", "in the pool")),), name="lean")
    schedule = Schedule(
        scorecards=(ScheduledScorecards(day(0), cards),),
        policies=(policy(day(0), 0), policy(day(5), 1)),
        perks=(ScheduledPerks(day(3), perks),),
        budgets=(budgets(day(0), "b"),),
    )
    selection = schedule.select(day(6))
    assert selection.models.scorecards is cards
    assert selection.models.policy is POLICIES[1]
    assert selection.models.perks is perks
    assert [b.name for b in selection.models.budgets] == ["b"]
    assert selection.describe() == {
        "scorecards": "scorecards (scorecards[0] since 2026-11-01T00:00:00+08:00)",
        "policy": "default@v1 (policies[1] since 2026-11-06T00:00:00+08:00)",
        "perks": "lean@1 (perks[0] since 2026-11-04T00:00:00+08:00)",
        "budgets": "b (budgets[0] since 2026-11-01T00:00:00+08:00)",
    }
    assert schedule.select_version("policy", day(1)).describe() == (
        "policies[0] since 2026-11-01T00:00:00+08:00 until 2026-11-06T00:00:00+08:00"
    )
    with pytest.raises(PolicyError, match=r"Schedule\.perks: .* perks\[0\], starts 2026-11-04"):
        schedule.select(day(1))


def test_entries_may_be_listed_in_any_order() -> None:
    """Order of listing does not matter; the index names the position as listed."""
    schedule = Schedule(policies=(policy(day(20), 2), policy(day(0), 0), policy(day(10), 1)))
    assert [schedule.select_version("policy", day(n)).index for n in (0, 9, 10, 25)] == [1, 1, 2, 0]
    assert schedule.start == day(0)
    assert Schedule().start is None


def test_a_moment_and_a_kind_are_checked() -> None:
    """A naive moment or an unknown kind is refused by name."""
    schedule = Schedule(policies=(policy(day(0)),))
    with pytest.raises(InvalidValueError, match=r"Schedule\.select\.at"):
        schedule.select(datetime(2026, 11, 2))
    with pytest.raises(InvalidValueError, match=r"Schedule\.select_version\.kind: must be one of"):
        schedule.select_version("tiers", day(1))
    with pytest.raises(InvalidValueError, match=r"Schedule\.upcoming\.at"):
        schedule.upcoming("2026-11-01")  # type: ignore[arg-type]
    assert schedule.entries_of("policy") == schedule.policies
    assert ModelKind.POLICY.field == "policies"


# -- entries ------------------------------------------------------------------------------------------------


def test_an_entry_checks_its_own_fields() -> None:
    """Each entry refuses a naive moment, an end not after its start, a bad note, a wrong model, a duplicate budget."""
    with pytest.raises(InvalidValueError, match=r"ScheduledPolicy\.effective_from: must be timezone-aware"):
        ScheduledPolicy(datetime(2026, 11, 1), POLICIES[0])
    with pytest.raises(InvalidValueError, match=r"ScheduledPolicy\.effective_until: must be after effective_from"):
        ScheduledPolicy(day(1), POLICIES[0], day(1))
    with pytest.raises(InvalidValueError, match=r"ScheduledPerks\.announced_at"):
        ScheduledPerks(day(1), default_perk_catalog(), announced_at=datetime(2026, 10, 1))
    with pytest.raises(InvalidValueError, match=r"ScheduledPolicy\.note: must be at most 1000"):
        ScheduledPolicy(day(1), POLICIES[0], note="x" * 1001)
    with pytest.raises(InvalidValueError, match=r"ScheduledPolicy\.note: must not contain control"):
        ScheduledPolicy(day(1), POLICIES[0], note="a\x00b")
    assert ScheduledPolicy(day(1), POLICIES[0], note="line one\nline two").note.count("\n") == 1
    with pytest.raises(InvalidValueError, match=r"ScheduledScorecards\.scorecards: must be Scorecards"):
        ScheduledScorecards(day(1), POLICIES[0])  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"ScheduledBudgets\.budgets\[1\]\.name: is a duplicate"):
        budgets(day(1), "a", "a")
    with pytest.raises(InvalidValueError, match=r"ScheduledBudgets\.budgets\[0\]: must be a SubsidyBudget"):
        ScheduledBudgets(day(1), ("a",))
    with pytest.raises(InvalidValueError, match=r"Schedule\.policies\[0\]: must be a ScheduledPolicy"):
        Schedule(policies=(budgets(day(1)),))
    with pytest.raises(InvalidValueError, match=r"Schedule\.perks: must be a tuple"):
        Schedule(perks="abc")


def test_every_entry_names_its_kind_and_model() -> None:
    """``kind`` says which list an entry belongs in and ``model`` is what it schedules."""
    funds = budgets(day(0), "b")
    entries: list[ScheduleEntry] = [
        ScheduledScorecards(day(0), default_scorecards()),
        policy(day(0)),
        ScheduledPerks(day(0), default_perk_catalog()),
        funds,
    ]
    assert [e.kind for e in entries] == list(ModelKind)
    assert [e.model for e in entries] == [default_scorecards(), POLICIES[0], default_perk_catalog(), funds.budgets]


# -- announcing ahead -------------------------------------------------------------------------------------


def test_announce_adds_a_future_version_and_records_when_it_was_announced() -> None:
    """The new schedule holds the entry with ``announced_at``; the old one is unchanged."""
    schedule = Schedule(policies=(policy(day(0), 0),))
    later = schedule.announce(policy(day(30), 1), at=day(10))
    assert later.policies[1].announced_at == day(10)
    assert later.select_models(day(30)).policy is POLICIES[1]
    assert len(schedule.policies) == 1
    again = schedule.announce(policy(day(30), 1, announced_at=day(10)))
    assert again == later
    assert schedule.announce(policy(day(30), 1, announced_at=day(10)), at=day(10)) == later


def test_announce_refuses_a_change_that_is_not_ahead_of_its_announcement() -> None:
    """Taking effect at the very moment of announcement (or before) is not announcing ahead."""
    schedule = Schedule(policies=(policy(day(0), 0),))
    with pytest.raises(PolicyError, match=r"Schedule\.announce\.entry\.effective_from: must be after the announ"):
        schedule.announce(policy(day(10), 1), at=day(10))
    assert schedule.announce(policy(day(10), 1), at=day(10) - TICK).policies[1].effective_from == day(10)


def test_announce_refuses_a_change_that_would_overlap() -> None:
    """A change in force together with an existing version is refused, naming that version."""
    schedule = Schedule(policies=(policy(day(0), 0), policy(day(20), 1, until=day(40))))
    with pytest.raises(PolicyError, match=r"together with policies\[1\] at 2026-11-21"):
        schedule.announce(policy(day(20), 2), at=day(5))
    with pytest.raises(PolicyError, match=r"together with policies\[1\] at 2026-11-26"):
        schedule.announce(policy(day(25), 2), at=day(5))
    assert len(schedule.announce(policy(day(40), 2), at=day(5)).policies) == 3


def test_announce_needs_a_moment_and_an_entry() -> None:
    """The moment of announcement comes from *at* or the entry; both given must agree; only entries announce."""
    schedule = Schedule()
    with pytest.raises(InvalidValueError, match=r"Schedule\.announce\.at: is required"):
        schedule.announce(policy(day(10)))
    with pytest.raises(InvalidValueError, match=r"Schedule\.announce\.at: differs from the entry's announced_at"):
        schedule.announce(policy(day(10), announced_at=day(1)), at=day(2))
    with pytest.raises(InvalidValueError, match=r"Schedule\.announce\.at: must be a timezone-aware"):
        schedule.announce(policy(day(10)), at=datetime(2026, 11, 2))
    with pytest.raises(InvalidValueError, match=r"Schedule\.announce\.entry: must be one of ScheduledScorecards"):
        schedule.announce(POLICIES[0], at=day(1))  # type: ignore[arg-type]


def test_upcoming_lists_what_is_announced_and_not_yet_in_force() -> None:
    """At a moment: the changes announced by then that take effect after it, in order of taking effect."""
    schedule = (
        Schedule(policies=(policy(day(0), 0),), budgets=(budgets(day(0), "a"),))
        .announce(budgets(day(30), "b"), at=day(10))
        .announce(policy(day(30), 1), at=day(12))
        .announce(policy(day(60), 2), at=day(20))
    )
    assert schedule.upcoming(day(5)) == ()
    assert schedule.upcoming(day(10)) == (schedule.budgets[1],)
    assert schedule.upcoming(day(12)) == (schedule.policies[1], schedule.budgets[1])  # by kind on the same day
    assert [e.effective_from for e in schedule.upcoming(day(25))] == [day(30), day(30), day(60)]
    assert schedule.upcoming(day(30)) == (schedule.policies[2],)  # in force at day 30: no longer upcoming
    assert schedule.upcoming(day(30) - TICK)[0] is schedule.policies[1]
    assert Schedule(policies=(policy(day(3)),)).upcoming(day(0)) == (policy(day(3)),)  # never announced: listed


# -- lint -------------------------------------------------------------------------------------------------


def test_lint_finds_overlaps_with_the_first_ambiguous_moment() -> None:
    """Both overlap shapes are errors on the later entry, with the first moment selecting raises as the example."""
    schedule = Schedule(
        policies=(policy(day(0), 0, until=day(20)), policy(day(10), 1)),
        budgets=(budgets(day(0), "a"), budgets(day(0), "b")),
    )
    found = [f for f in lint_schedule(schedule) if f.code == "overlap"]
    assert [(f.path, f.severity, f.example) for f in found] == [
        ("budgets[1]", Severity.ERROR, (("at", day(0)),)),
        ("policies[1]", Severity.ERROR, (("at", day(10)),)),
    ]
    assert "in force together with policies[0] from 2026-11-11T00:00:00+08:00" in found[1].message
    for finding in found:
        with pytest.raises(PolicyError):
            schedule.select(dict(finding.example)["at"])  # type: ignore[arg-type]


def test_lint_finds_gaps_between_before_and_after_versions() -> None:
    """A gap after an ``effective_until``, before a kind's first entry and after the last entry ends."""
    schedule = Schedule(
        policies=(policy(day(0), 0, until=day(10)), policy(day(20), 1, until=day(30))),
        budgets=(budgets(day(5), "a"),),
    )
    gaps = [(f.path, f.message) for f in lint_schedule(schedule) if f.code == "gap"]
    assert gaps == [
        ("budgets", "no budgets version is in force from 2026-11-01T00:00:00+08:00 until 2026-11-06T00:00:00+08:00"),
        ("policies", "no policy version is in force from 2026-11-11T00:00:00+08:00 until 2026-11-21T00:00:00+08:00"),
        ("policies", "no policy version is in force from 2026-12-01T00:00:00+08:00 on"),
    ]


def test_lint_reads_a_range() -> None:
    """Only ``[start, end)`` is checked: coverage before *start* or from *end* on does not matter."""
    schedule = Schedule(policies=(policy(day(0), 0, until=day(10)), policy(day(20), 1, until=day(30))))
    assert codes(lint_schedule(schedule, start=day(20), end=day(30)), "gap", "overlap") == []
    assert codes(lint_schedule(schedule, start=day(0), end=day(10)), "gap", "overlap") == []
    early = lint_schedule(schedule, start=day(-5), end=day(10))
    assert [f.example for f in early if f.code == "gap"] == [(("at", day(-5)),)]
    assert [f.example for f in lint_schedule(schedule, start=day(9), end=day(11)) if f.code == "gap"] == [
        (("at", day(10)),)
    ]
    overlapping = Schedule(policies=(policy(day(0), 0, until=day(20)), policy(day(10), 1)))
    assert codes(lint_schedule(overlapping, end=day(10)), "overlap") == []
    assert codes(lint_schedule(overlapping, start=day(20)), "overlap") == []
    assert codes(lint_schedule(overlapping, start=day(19)), "overlap") == [("policies[1]", "overlap")]
    with pytest.raises(InvalidValueError, match=r"lint_schedule\.end: must be after start"):
        lint_schedule(schedule, start=day(3), end=day(3))
    with pytest.raises(InvalidValueError, match=r"lint_schedule\.start"):
        lint_schedule(schedule, start=datetime(2026, 11, 1))


def test_lint_warns_of_a_change_announced_after_it_took_effect() -> None:
    """Announced after ``effective_from``: a warning; announced exactly at it: nothing."""
    late = Schedule(policies=(policy(day(0), 0, announced_at=day(0) + TICK),))
    assert [(f.path, f.severity) for f in lint_schedule(late) if f.code == "announced-late"] == [
        ("policies[0].announced_at", Severity.WARNING)
    ]
    on_time = Schedule(policies=(policy(day(0), 0, announced_at=day(0)),))
    assert codes(lint_schedule(on_time), "announced-late") == []


def test_lint_includes_each_policy_lint_under_its_entry() -> None:
    """A policy's own findings appear with their paths under ``policies[i].policy``."""
    gappy = TierPolicy(rules=(TierRule("top", Tier.L5, Compare("composite", Op.GE, 90)),), name="gappy")
    schedule = Schedule(policies=(policy(day(0), 0), ScheduledPolicy(day(10), gappy)))
    nested = [(f.path, f.severity, f.code) for f in lint_schedule(schedule) if f.path.startswith("policies[1].")]
    assert ("policies[1].policy.rules", Severity.ERROR, "gap") in nested
    assert all(f.path.startswith("policies[1].policy.") for f in lint_schedule(schedule) if f.code == "missing-tier")


def test_lint_warns_of_budgets_and_perks_never_open_while_their_version_is() -> None:
    """A window that closes before its version takes effect, or opens after it stops, grants nothing."""
    closed = SubsidyBudget("closed", Money.of("1"), valid_until=day(10))
    later = SubsidyBudget("later", Money.of("1"), valid_from=day(30))
    edge = SubsidyBudget("edge", Money.of("1"), valid_from=day(10), valid_until=day(11))
    perks = PerkCatalog(entries=(PerkEntry("old", Tier.L1, Access("pool", "pool"), valid_until=day(5)),))
    schedule = Schedule(
        budgets=(budgets(day(0), "first"), ScheduledBudgets(day(10), (closed, later, edge)), budgets(day(30))),
        perks=(ScheduledPerks(day(10), perks),),
    )
    found = [(f.path, f.severity) for f in lint_schedule(schedule) if f.code == "never-open"]
    assert found == [
        ("budgets[1].budgets[0]", Severity.WARNING),
        ("budgets[1].budgets[1]", Severity.WARNING),
        ("perks[0].perks.entries[0]", Severity.WARNING),
    ]
    message = next(f.message for f in lint_schedule(schedule) if f.path == "budgets[1].budgets[1]")
    assert message == (
        "budget 'later' is open from 2026-12-01T00:00:00+08:00, never while this version is in force "
        "(from 2026-11-11T00:00:00+08:00 until 2026-12-01T00:00:00+08:00): it grants nothing"
    )


def test_lint_says_which_kinds_are_left_to_the_defaults() -> None:
    """A kind with no entries is reported as information, not as a problem."""
    findings = lint_schedule(Schedule(policies=(policy(day(0)),)))
    assert [(f.path, f.severity) for f in findings if f.code == "unscheduled"] == [
        ("budgets", Severity.INFO),
        ("perks", Severity.INFO),
        ("scorecards", Severity.INFO),
    ]
    assert all(f.severity is Severity.INFO for f in lint_schedule(Schedule()))


# -- the file form ----------------------------------------------------------------------------------------


def test_the_example_file_loads_and_reads_as_documented() -> None:
    """tests/data/schedule_example.toml: November's bar at 90, December's at 88, announced on 15 November."""
    schedule = load(EXAMPLE, Schedule)
    assert schedule.select_models(day(29)).policy.version == "2026.11"
    december = schedule.select(day(30))
    assert december.models.policy.version == "2026.12"
    assert december.models.budgets[0].total == Money.of("130000.00")
    assert december.describe()["policy"] == "kfx@2026.12 (policies[1] since 2026-12-01T00:00:00+08:00)"
    assert schedule.upcoming(datetime(2026, 11, 15, 9, tzinfo=CST)) == ()
    assert schedule.upcoming(datetime(2026, 11, 15, 10, tzinfo=CST)) == (schedule.policies[1], schedule.budgets[1])
    findings = lint_schedule(schedule, end=datetime(2027, 1, 1, tzinfo=CST))
    assert [f for f in findings if f.severity is not Severity.INFO] == []


def test_every_bad_value_in_a_schedule_file_is_named_by_its_path() -> None:
    """Loading reports each problem at its place in the document."""
    text = """
    [[policies]]
    effective_from = 2026-11-01T00:00:00+08:00
    efective_until = 2026-12-01T00:00:00+08:00
    policy = { rules = [{ name = "top", tier = "L5", when = { input = "composite", op = "=>", value = "90" } }] }

    [[policies]]
    effective_from = 2026-12-01T00:00:00+08:00
    effective_until = 2026-11-01T00:00:00+08:00
    policy = { rules = [{ name = "top", tier = "L5", when = { input = "composite", op = ">=", value = "90" } }] }

    [[budgets]]
    effective_from = 2026-11-01T00:00:00
    budgets = [{ name = "a", total = "-1" }, { name = "b", total = 5 }]
    """
    with pytest.raises(ValidationError) as caught:
        loads(text, Schedule, format="toml")
    paths = sorted(e.path for e in caught.value.errors)
    assert paths == [
        "budgets[0].budgets[0].total",
        "budgets[0].budgets[1].total",
        "budgets[0].effective_from",
        "policies[0].efective_until",
        "policies[0].policy.rules[0].when.op",
        "policies[1].effective_until",
    ]
    assert any(
        re.search(r"policies\[1\]\.effective_until: must be after effective_from", m) for m in caught.value.messages
    )


def test_a_schedule_round_trips_in_json_and_toml() -> None:
    """Every kind, every optional field: back equal from plain data, JSON and TOML."""
    schedule = Schedule(
        scorecards=(ScheduledScorecards(day(0), default_scorecards(), note="cards"),),
        policies=(policy(day(0), 0, until=day(10)), policy(day(10), 1, announced_at=day(2), note="新")),
        perks=(ScheduledPerks(day(0), default_perk_catalog()),),
        budgets=(budgets(day(0), "a", "b"), budgets(day(5))),
    )
    assert from_dict(to_dict(schedule), Schedule) == schedule
    assert loads(dumps(schedule), Schedule) == schedule
    assert loads(dumps(schedule, format="toml"), Schedule, format="toml") == schedule
    assert "kind" not in to_dict(schedule)["policies"][0]


# -- properties -------------------------------------------------------------------------------------------


@st.composite
def seamless(draw: st.DrawFn) -> list[ScheduledPolicy]:
    """Policies at distinct hours, each open-ended or ending exactly when the next starts; the last may end."""
    starts = sorted(draw(st.sets(st.integers(0, 40), min_size=1, max_size=6)))
    entries = []
    for i, start in enumerate(starts):
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        if nxt is None:
            until = draw(st.none() | st.integers(start + 1, 50).map(hour))
        else:
            until = draw(st.sampled_from([None, hour(nxt)]))
        entries.append(policy(hour(start), i, until))
    return draw(st.permutations(entries))


@given(entries=seamless(), moment=st.integers(-5, 55), offset=st.sampled_from([timedelta(0), TICK, -TICK]))
def test_the_version_in_force_is_the_latest_to_take_effect(
    entries: list[ScheduledPolicy], moment: int, offset: timedelta
) -> None:
    """Without gaps or overlaps, the entry in force is the one with the greatest ``effective_from`` not after it."""
    schedule = Schedule(policies=tuple(entries))
    at = hour(moment) + offset
    started = [e for e in entries if e.effective_from <= at]
    last = max(entries, key=lambda e: e.effective_from)
    if not started or (last.effective_until is not None and at >= last.effective_until):
        with pytest.raises(PolicyError, match=r"Schedule\.policies"):
            schedule.select_version("policy", at)
        return
    expected = max(started, key=lambda e: e.effective_from)
    found = schedule.select_version("policy", at)
    assert found.entry is expected
    assert schedule.select_models(at).policy is expected.policy


def _spans(draw: st.DrawFn) -> list[tuple[int, int | None]]:
    return draw(
        st.lists(
            st.integers(0, 12).flatmap(lambda s: st.tuples(st.just(s), st.none() | st.integers(s + 1, s + 8))),
            max_size=4,
        )
    )


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    """Policies and budgets on hours 0-20, with any gaps and overlaps."""
    policies = tuple(policy(hour(s), i, None if u is None else hour(u)) for i, (s, u) in enumerate(_spans(draw)))
    sets = tuple(
        budgets(hour(s), f"b{i}", until=None if u is None else hour(u)) for i, (s, u) in enumerate(_spans(draw))
    )
    return Schedule(policies=policies, budgets=sets)


@given(
    schedule=schedules(),
    start=st.none() | st.integers(-2, 14),
    length=st.none() | st.integers(1, 10),
)
def test_lint_finds_no_overlap_or_gap_exactly_when_selection_succeeds_throughout(
    schedule: Schedule, start: int | None, length: int | None
) -> None:
    """No ``gap``/``overlap`` finding in ``[start, end)`` if and only if selecting succeeds at every moment of it;
    every such finding's example is a moment where selecting raises."""
    first = schedule.start
    lo = hour(start) if start is not None else first
    end = None if length is None else (lo or T0) + timedelta(hours=length)
    findings = lint_schedule(schedule, start=None if start is None else lo, end=end)
    problems = [f for f in findings if f.code in {"gap", "overlap"}]
    moments: list[datetime] = []
    if lo is not None:
        stop = end if end is not None else hour(40)  # every boundary is before hour 21; after that nothing changes
        moments = [lo + timedelta(hours=n) for n in range(int((stop - lo) / timedelta(hours=1)))]

    def selects(at: datetime) -> bool:
        try:
            schedule.select(at)
        except PolicyError:
            return False
        return True

    assert (problems == []) == all(selects(at) for at in moments)
    for finding in problems:
        assert not selects(dict(finding.example)["at"])  # type: ignore[arg-type]


@given(schedule=schedules(), announced=st.integers(0, 20), ahead=st.integers(1, 10))
def test_an_announced_change_is_upcoming_then_in_force(schedule: Schedule, announced: int, ahead: int) -> None:
    """After a successful announce, the change is upcoming from its announcement and in force at its start."""
    entry = policy(hour(announced + ahead), 7)
    try:
        later = schedule.announce(entry, at=hour(announced))
    except PolicyError:
        return
    added = later.policies[-1]
    assert added == attrs.evolve(entry, announced_at=hour(announced))
    assert added in later.upcoming(hour(announced))
    assert added not in later.upcoming(hour(announced) - TICK)
    assert later.select_version("policy", added.effective_from).entry is added
