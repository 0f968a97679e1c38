"""Listings: commission terms, status changes and the lifecycle table, example by example and as a property."""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise, product
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.ids import ListingId, SkuId, TeamLeaderId
from fenxiao.domain.listings import LISTING_TRANSITIONS, Listing, ListingStatus, ListingTerms, StatusChange
from fenxiao.errors import InvalidValueError, TransitionError
from fenxiao.money import Rate

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=CST)
HOUR = timedelta(hours=1)
S = ListingStatus

LEGAL = sorted(
    ((source, target) for source, targets in LISTING_TRANSITIONS.items() for target in targets),
    key=lambda pair: (pair[0].value, pair[1].value),
)
ILLEGAL = [(source, target) for source, target in product(S, S) if target not in LISTING_TRANSITIONS[source]]


def terms(**changes: Any) -> ListingTerms:
    return ListingTerms(**{"commission_rate": Rate.of("20%"), **changes})


def listing(*history: StatusChange) -> Listing:
    return Listing(id=ListingId("l-1"), sku_id=SkuId("sku-1"), terms=terms(), applied_at=T0, history=history)


def route_to(status: ListingStatus) -> tuple[ListingStatus, ...]:
    """The shortest sequence of moves from APPLIED to *status*, found in the table itself."""
    queue: deque[tuple[ListingStatus, tuple[ListingStatus, ...]]] = deque([(S.APPLIED, ())])
    seen = {S.APPLIED}
    while queue:
        current, path = queue.popleft()
        if current is status:
            return path
        for nxt in sorted(LISTING_TRANSITIONS[current], key=lambda s: s.value):
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, (*path, nxt)))
    raise AssertionError(f"{status} is unreachable")  # the table is broken, not the code under test


def listing_in(status: ListingStatus) -> Listing:
    result = listing()
    for i, step in enumerate(route_to(status), start=1):
        result = result.transition(step, at=T0 + i * HOUR)
    return result


# -- the table ---------------------------------------------------------------------------------------


def test_the_table_is_the_documented_lifecycle() -> None:
    """applied -> in_review -> approved | rejected; approved -> delisted; rejected and delisted are final."""
    assert dict(LISTING_TRANSITIONS) == {
        S.APPLIED: {S.IN_REVIEW},
        S.IN_REVIEW: {S.APPROVED, S.REJECTED},
        S.APPROVED: {S.DELISTED},
        S.REJECTED: set(),
        S.DELISTED: set(),
    }
    assert [s for s in S if s.is_final] == [S.REJECTED, S.DELISTED]


def test_every_status_is_reachable_from_applied() -> None:
    """No status in the enum is dead: each has a route from APPLIED."""
    assert {s: len(route_to(s)) for s in S} == {
        S.APPLIED: 0,
        S.IN_REVIEW: 1,
        S.APPROVED: 2,
        S.REJECTED: 2,
        S.DELISTED: 3,
    }


def test_the_table_cannot_be_changed_at_run_time() -> None:
    """The lifecycle is read-only, so no caller can quietly make an illegal move legal."""
    with pytest.raises(TypeError):
        LISTING_TRANSITIONS[S.REJECTED] = frozenset({S.APPROVED})  # type: ignore[index]


# -- transitions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), LEGAL, ids=lambda s: s.value)
def test_every_legal_transition_works(source: ListingStatus, target: ListingStatus) -> None:
    """Each move in the table succeeds, appends one change and leaves the original untouched."""
    before = listing_in(source)
    assert before.can_move_to(target)
    after = before.transition(target, at=before.updated_at + HOUR, reason="ok")
    assert after.status is target
    assert after.history[:-1] == before.history
    assert after.history[-1] == StatusChange(target, before.updated_at + HOUR, "ok")
    assert before.status is source


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=lambda s: s.value)
def test_every_illegal_transition_raises(source: ListingStatus, target: ListingStatus) -> None:
    """Each pair outside the table raises TransitionError naming both statuses and what is allowed."""
    before = listing_in(source)
    assert not before.can_move_to(target)
    pattern = rf"^Listing\.status: cannot move from '{source.value}' to '{target.value}' \(allowed: "
    with pytest.raises(TransitionError, match=pattern):
        before.transition(target, at=before.updated_at + HOUR)


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=lambda s: s.value)
def test_a_history_with_an_illegal_step_is_refused(source: ListingStatus, target: ListingStatus) -> None:
    """Building a Listing from a stored history checks every step against the table too."""
    steps = [StatusChange(s, T0 + i * HOUR) for i, s in enumerate((*route_to(source), target), start=1)]
    index = len(steps) - 1
    with pytest.raises(TransitionError, match=rf"^Listing\.history\[{index}\]\.status: cannot move from"):
        listing(*steps)


def test_a_final_status_says_so_in_the_error() -> None:
    """Moving out of a final status explains that nothing is allowed."""
    with pytest.raises(TransitionError, match=r"allowed: none, it is final"):
        listing_in(S.REJECTED).transition(S.APPROVED, at=T0 + 9 * HOUR)


def test_transition_errors_are_invalid_value_errors() -> None:
    """TransitionError is an InvalidValueError (and so a ValueError), with the target as its value."""
    with pytest.raises(InvalidValueError) as info:
        listing().transition(S.APPROVED, at=T0 + HOUR)
    assert isinstance(info.value, TransitionError)
    assert isinstance(info.value, ValueError)
    assert info.value.value == "approved"


def test_transition_refuses_a_non_status() -> None:
    """A string is not a ListingStatus."""
    with pytest.raises(InvalidValueError, match=r"^Listing\.status: must be a ListingStatus, got 'in_review'"):
        listing().transition("in_review", at=T0 + HOUR)  # type: ignore[arg-type]


# -- time --------------------------------------------------------------------------------------------


def test_a_transition_at_a_naive_time_is_refused() -> None:
    """A naive datetime is ambiguous and refused with the argument's path."""
    with pytest.raises(InvalidValueError, match=r"^Listing\.transition\.at: must be a timezone-aware datetime"):
        listing().transition(S.IN_REVIEW, at=datetime(2026, 11, 1, 10, 0))


def test_time_must_not_go_backwards_in_a_transition() -> None:
    """A move earlier than the last one is refused at the index the new step would take."""
    current = listing_in(S.IN_REVIEW)
    with pytest.raises(InvalidValueError, match=r"^Listing\.history\[1\]\.at: is earlier than the previous step"):
        current.transition(S.APPROVED, at=current.updated_at - timedelta(seconds=1))


def test_the_first_move_must_not_precede_the_application() -> None:
    """The application time is the first point on the clock."""
    with pytest.raises(InvalidValueError, match=r"^Listing\.history\[0\]\.at: is earlier than the previous step"):
        listing().transition(S.IN_REVIEW, at=T0 - HOUR)


def test_moves_at_the_same_instant_are_allowed() -> None:
    """Equal times are fine (a review can be opened and decided at once), even written in other offsets."""
    same_instant_utc = T0.astimezone(UTC)
    moved = listing().transition(S.IN_REVIEW, at=same_instant_utc).transition(S.APPROVED, at=T0)
    assert moved.status is S.APPROVED


def test_a_stored_history_going_backwards_is_refused() -> None:
    """The constructor checks times as well as statuses."""
    with pytest.raises(InvalidValueError, match=r"^Listing\.history\[1\]\.at: is earlier"):
        listing(StatusChange(S.IN_REVIEW, T0 + 2 * HOUR), StatusChange(S.APPROVED, T0 + HOUR))


@pytest.mark.parametrize("field", ["applied_at"])
def test_a_naive_application_time_is_refused(field: str) -> None:
    """applied_at must be timezone-aware."""
    with pytest.raises(InvalidValueError, match=rf"^Listing\.{field}: must be timezone-aware"):
        Listing(id=ListingId("l-1"), sku_id=SkuId("s"), terms=terms(), applied_at=datetime(2026, 11, 1))


def test_a_naive_status_change_time_is_refused() -> None:
    """StatusChange.at must be timezone-aware."""
    with pytest.raises(InvalidValueError, match=r"^StatusChange\.at: must be timezone-aware"):
        StatusChange(S.IN_REVIEW, datetime(2026, 11, 1))


# -- derived status ----------------------------------------------------------------------------------


def test_status_and_times_are_derived_from_the_history() -> None:
    """status, updated_at and entered() read the history; nothing is stored twice."""
    fresh = listing()
    assert (fresh.status, fresh.updated_at) == (S.APPLIED, T0)
    assert fresh.entered(S.APPLIED) == T0
    assert fresh.entered(S.APPROVED) is None
    done = listing(
        StatusChange(S.IN_REVIEW, T0 + HOUR),
        StatusChange(S.APPROVED, T0 + 3 * HOUR),
        StatusChange(S.DELISTED, T0 + 9 * HOUR, "merchant withdrew the item"),
    )
    assert done.status is S.DELISTED
    assert done.updated_at == T0 + 9 * HOUR
    assert done.entered(S.APPROVED) == T0 + 3 * HOUR
    assert done.entered(S.REJECTED) is None
    assert done.status.is_final


def test_history_given_as_a_list_becomes_a_tuple() -> None:
    """A list of changes (as read from JSON) is accepted and stored as a tuple."""
    stored = listing(*[StatusChange(S.IN_REVIEW, T0)])
    rebuilt = attrs.evolve(stored, history=[StatusChange(S.IN_REVIEW, T0)])
    assert rebuilt.history == stored.history
    assert isinstance(rebuilt.history, tuple)


@pytest.mark.parametrize(
    ("history", "pattern"),
    [
        ("in_review", r"^Listing\.history: must be a tuple of StatusChange"),
        (({"status": "in_review"},), r"^Listing\.history\[0\]: must be a StatusChange"),
    ],
)
def test_a_history_must_hold_status_changes(history: object, pattern: str) -> None:
    """Anything but StatusChange values is refused with the history's path."""
    with pytest.raises(InvalidValueError, match=pattern):
        Listing(id=ListingId("l-1"), sku_id=SkuId("s"), terms=terms(), applied_at=T0, history=history)  # type: ignore[arg-type]


# -- other fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "bad"),
    [("id", "l 1"), ("sku_id", ""), ("terms", Rate.of("20%")), ("applied_at", "2026-11-01")],
)
def test_every_listing_field_is_validated(field: str, bad: object) -> None:
    """Each invalid field raises InvalidValueError (never a bare TypeError) naming Listing.<field> and the value."""
    fields: dict[str, Any] = {"id": ListingId("l-1"), "sku_id": SkuId("s"), "terms": terms(), "applied_at": T0}
    with pytest.raises(InvalidValueError, match=rf"^Listing\.{field}: .*got {re.escape(repr(bad))}"):
        Listing(**{**fields, field: bad})


@pytest.mark.parametrize(
    ("field", "bad"),
    [("status", "approved"), ("at", "2026-11-01T09:00+08:00"), ("reason", 42), ("reason", "x" * 1001)],
)
def test_every_status_change_field_is_validated(field: str, bad: object) -> None:
    """Each invalid field raises InvalidValueError naming StatusChange.<field> and the bad value."""
    fields: dict[str, Any] = {"status": S.IN_REVIEW, "at": T0, "reason": ""}
    with pytest.raises(InvalidValueError, match=rf"^StatusChange\.{field}: .*got {re.escape(repr(bad)[:40])}"):
        StatusChange(**{**fields, field: bad})


def test_terms_may_carry_a_team_leader_and_a_fee() -> None:
    """A leader and its fee come together; a commission plus fee of exactly 100% is still allowed."""
    full = terms(commission_rate=Rate.of("90%"), team_leader_id=TeamLeaderId("tl-01"), leader_fee_rate=Rate.of("10%"))
    assert full.leader_fee_rate == Rate.of("0.1")
    assert terms(commission_rate=Rate.of("0%")).commission_rate == Rate.zero()


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"commission_rate": "20%"}, r"^ListingTerms\.commission_rate: must be a Rate.*got '20%'"),
        ({"commission_rate": 0.2}, r"^ListingTerms\.commission_rate: must be a Rate.*got 0\.2"),
        (
            {"team_leader_id": "tl 01", "leader_fee_rate": Rate.of("1%")},
            r"^ListingTerms\.team_leader_id: must be an id",
        ),
        ({"team_leader_id": "tl-01", "leader_fee_rate": "1%"}, r"^ListingTerms\.leader_fee_rate: must be a Rate"),
        ({"team_leader_id": "tl-01"}, r"^ListingTerms\.leader_fee_rate: must be given exactly when team_leader_id"),
        ({"leader_fee_rate": Rate.of("1%")}, r"^ListingTerms\.leader_fee_rate: must be given exactly when"),
        (
            {"commission_rate": Rate.of("90%"), "team_leader_id": "tl-01", "leader_fee_rate": Rate.of("10.0001%")},
            r"^ListingTerms\.leader_fee_rate: plus the commission rate exceeds 100%, got Rate\('0\.100001'\)",
        ),
    ],
)
def test_every_terms_rule_is_enforced(changes: dict[str, Any], pattern: str) -> None:
    """Bad rates, a leader without a fee (or the reverse) and more than 100% in total are refused."""
    with pytest.raises(InvalidValueError, match=pattern):
        terms(**changes)


# -- the property ------------------------------------------------------------------------------------

attempts = st.lists(
    st.tuples(st.sampled_from(S), st.integers(min_value=-3, max_value=48)),
    max_size=8,
)


@given(attempts)
def test_any_sequence_of_attempts_follows_the_table_or_raises(steps: list[tuple[ListingStatus, int]]) -> None:
    """Random moves at random (sometimes earlier) hours: each is legal and applied, or raises and changes nothing.

    The resulting history always validates when rebuilt, and every step in it is in the table.
    """
    current = listing()
    for target, hours in steps:
        at = current.updated_at + hours * HOUR
        legal_move = target in LISTING_TRANSITIONS[current.status]
        if legal_move and hours >= 0:
            moved = current.transition(target, at=at)
            assert moved.status is target
            assert len(moved.history) == len(current.history) + 1
            current = moved
        else:
            expected = TransitionError if not legal_move else InvalidValueError
            with pytest.raises(expected):
                current.transition(target, at=at)
    rebuilt = attrs.evolve(current)  # runs every validator again
    assert rebuilt == current
    statuses = [S.APPLIED, *(change.status for change in current.history)]
    assert all(b in LISTING_TRANSITIONS[a] for a, b in pairwise(statuses))
    times = [current.applied_at, *(change.at for change in current.history)]
    assert times == sorted(times)


@given(st.lists(st.tuples(st.sampled_from(S), st.integers(min_value=-2, max_value=5)), max_size=5))
def test_a_stored_history_is_accepted_exactly_when_it_is_a_legal_timely_path(
    steps: list[tuple[ListingStatus, int]],
) -> None:
    """Building from an arbitrary history succeeds iff every step is in the table and no step goes back in time."""
    history = []
    at = T0
    for status, hours in steps:
        at += hours * HOUR
        history.append(StatusChange(status, at))
    statuses = [S.APPLIED, *(c.status for c in history)]
    times = [T0, *(c.at for c in history)]
    legal = all(b in LISTING_TRANSITIONS[a] for a, b in pairwise(statuses))
    timely = all(a <= b for a, b in pairwise(times))
    if legal and timely:
        assert listing(*history).status is statuses[-1]
    else:
        with pytest.raises(InvalidValueError, match=r"^Listing\.history\[\d+\]\.(status|at): "):
            listing(*history)
