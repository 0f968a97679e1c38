"""Team-leader activity enrollment (招商报名): the lifecycle table, the audit, the minimum promotion period and
exclusivity, each refusal explained (issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, PolicyError, TransitionError
from fenxiao.money import Rate
from fenxiao.serialization import from_dict, to_dict
from fenxiao.settlement.activities import TeamLeaderActivity
from fenxiao.settlement.enrollment import (
    ENROLLMENT_TRANSITIONS,
    MIN_PROMOTION_DAYS,
    Enrollment,
    EnrollmentStatus,
    EnrollmentTerms,
    check_enrollment,
)

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
ACTIVITY = TeamLeaderActivity(
    id="act-1", leader_id="tl-1", service_fee_rate=Rate.of("5%"), valid_from=T0, min_commission=Rate.of("10%")
)


def _applied(  # noqa: PLR0913 - a test builder: every field a keyword with its default
    rate: str = "20%",
    months: int = 0,
    days: int = 90,
    *,
    id: str = "en-1",
    activity_id: str = "act-1",
    applied_at: datetime = T0,
) -> Enrollment:
    terms = EnrollmentTerms(Rate.of(rate), exclusivity_months=months, min_promotion_days=days)
    return Enrollment(id, activity_id, "l-1", terms, applied_at)


def _approved(months: int = 0, days: int = 90) -> Enrollment:
    return (
        _applied(months=months, days=days)
        .transition(EnrollmentStatus.IN_AUDIT, at=T0)
        .audit(ACTIVITY, at=T0 + timedelta(hours=1))
    )


def test_an_enrollment_goes_from_application_through_audit_to_promotion() -> None:
    """Issue 19: there was no enrollment workflow. Apply, audit, approved; terminated only after the minimum
    promotion period, refused before it with the day it ends."""
    enrollment = _approved(months=2, days=30)
    assert enrollment.status is EnrollmentStatus.APPROVED
    assert enrollment.promotion_ends == T0 + timedelta(hours=1, days=30)
    with pytest.raises(TransitionError, match=r"minimum promotion period of 30 days ends \(2026-12-01T10:00:00"):
        enrollment.transition(EnrollmentStatus.TERMINATED, at=T0 + timedelta(days=29))
    ended = enrollment.transition(EnrollmentStatus.TERMINATED, at=T0 + timedelta(days=31), reason="merchant ends it")
    assert ended.status is EnrollmentStatus.TERMINATED
    assert ended.status.is_final


def test_an_audit_rejects_with_every_reason() -> None:
    """A commission below the activity's minimum and an activity that has ended: rejected, both reasons kept."""
    ended = TeamLeaderActivity(
        id="act-1",
        leader_id="tl-1",
        service_fee_rate=Rate.of("5%"),
        valid_from=T0 - timedelta(days=30),
        valid_until=T0,
        min_commission=Rate.of("10%"),
    )
    audited = _applied("8%").transition(EnrollmentStatus.IN_AUDIT, at=T0).audit(ended, at=T0 + timedelta(hours=1))
    assert audited.status is EnrollmentStatus.REJECTED
    reason = audited.history[-1].reason
    assert "is not running" in reason
    assert "commission 8% is below the activity's minimum 10%" in reason


def test_exclusivity_keeps_the_product_out_of_other_activities_until_it_ends() -> None:
    """Approved with 3 months' exclusivity on 1 Nov: another activity's application is refused until 1 Feb."""
    held = _approved(months=3)
    assert held.exclusive_until == datetime(2027, 2, 1, 10, tzinfo=UTC)
    early = _applied(id="en-2", activity_id="act-2", applied_at=datetime(2027, 1, 31, tzinfo=UTC))
    with pytest.raises(
        PolicyError, match=r"held exclusively by activity 'act-1' \(enrollment 'en-1'\) until 2027-02-01"
    ):
        check_enrollment([held], early)
    check_enrollment([held], _applied(id="en-3", activity_id="act-2", applied_at=datetime(2027, 2, 1, 10, tzinfo=UTC)))
    check_enrollment([held], _applied(id="en-4", activity_id="act-1"))  # the same activity is not blocked
    check_enrollment([_approved()], early)  # no exclusivity, no block


def test_an_illegal_move_names_the_moves_allowed() -> None:
    """Approving an application that was never audited; moving a final enrollment."""
    with pytest.raises(TransitionError, match=r"cannot move from 'applied' to 'approved' \(allowed: 'in_audit'\)"):
        _applied().transition(EnrollmentStatus.APPROVED, at=T0)
    with pytest.raises(TransitionError, match="none, it is final"):
        _approved().transition(EnrollmentStatus.EXPIRED, at=T0 + timedelta(days=1)).transition(
            EnrollmentStatus.TERMINATED, at=T0 + timedelta(days=200)
        )
    with pytest.raises(TransitionError, match=r"cannot move from 'applied' to 'approved'"):
        _applied().audit(ACTIVITY, at=T0)


def test_bad_terms_and_times_name_the_field() -> None:
    """Promotion periods are 30/90/180/360 days; exclusivity 0-12 months; times are aware and in order."""
    with pytest.raises(InvalidValueError, match="min_promotion_days"):
        EnrollmentTerms(Rate.of("20%"), min_promotion_days=60)
    with pytest.raises(InvalidValueError, match="exclusivity_months"):
        EnrollmentTerms(Rate.of("20%"), exclusivity_months=13)
    with pytest.raises(InvalidValueError, match=r"Enrollment\.history\[1\]\.at"):
        _applied().transition(EnrollmentStatus.IN_AUDIT, at=T0 + timedelta(days=1)).transition(
            EnrollmentStatus.APPROVED, at=T0
        )
    with pytest.raises(InvalidValueError, match="aware"):
        _applied().transition(EnrollmentStatus.IN_AUDIT, at=T0.replace(tzinfo=None))


@given(st.lists(st.tuples(st.sampled_from(list(EnrollmentStatus)), st.integers(0, 400)), max_size=8))
def test_every_sequence_of_moves_follows_the_table(moves: list[tuple[EnrollmentStatus, int]]) -> None:
    """Whatever is asked, the status only ever moves along the table; a refused move changes nothing; a
    termination is only accepted once the minimum promotion period has run."""
    enrollment = _applied()
    for target, day in moves:
        at = max(enrollment.updated_at, T0 + timedelta(days=day))
        before = enrollment
        try:
            enrollment = enrollment.transition(target, at=at)
        except TransitionError:
            assert enrollment is before
            continue
        assert target in ENROLLMENT_TRANSITIONS[before.status]
        if target is EnrollmentStatus.TERMINATED:
            ends = before.promotion_ends
            assert ends is not None
            assert at >= ends
    assert from_dict(to_dict(enrollment), Enrollment) == enrollment


@given(st.integers(0, 12), st.integers(0, 27), st.sampled_from(MIN_PROMOTION_DAYS))
def test_exclusivity_ends_whole_months_after_approval(months: int, day: int, days: int) -> None:
    """The end is later than approval by whole calendar months (none when 0), and held exactly until then."""
    approved = _applied(months=months, days=days, applied_at=T0 + timedelta(days=day))
    approved = approved.transition(EnrollmentStatus.IN_AUDIT, at=approved.applied_at).audit(
        ACTIVITY, at=approved.applied_at
    )
    start = approved.approved_at
    assert start is not None
    until = approved.exclusive_until
    if months == 0:
        assert until is None
        assert not approved.holds_exclusively(start)
        return
    assert until is not None
    assert (until.year - start.year) * 12 + until.month - start.month == months
    assert approved.holds_exclusively(start)
    assert approved.holds_exclusively(until - timedelta(microseconds=1))
    assert not approved.holds_exclusively(until)
