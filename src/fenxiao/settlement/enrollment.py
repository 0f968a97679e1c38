"""Enrolling goods in a team-leader activity (招商报名): apply, audit, approved or rejected, with its terms.

A merchant applies to put a listing into a team leader's activity; the leader audits it; an approved enrollment is
promoted for at least its minimum promotion period and may hold the product exclusively for some months
(Douyin's activity API: product states pending/promoting/rejected/terminated/expired, exclusivity 0-12 months per
product, minimum promotion period 30/90/180/360 days, default 90). The lifecycle is a table
(:data:`ENROLLMENT_TRANSITIONS`), like a listing's::

    applied ──> in_audit ──> approved ──> terminated
                    │            └──────> expired
                    └──────> rejected

A move outside the table raises :class:`~fenxiao.errors.TransitionError` naming the moves allowed; the rules of
the terms refuse with the reason:

* :meth:`Enrollment.audit` approves, or rejects with every reason (the activity is not running, the commission is
  below the activity's minimum for the category);
* terminating before the minimum promotion period has run is refused (:meth:`Enrollment.transition`), with the
  day it ends;
* :func:`check_enrollment` refuses a new enrollment of a product another activity holds exclusively, until the
  day its exclusivity ends.

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.money import Rate
>>> t0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
>>> activity = TeamLeaderActivity(id="act-1", leader_id="tl-1", service_fee_rate=Rate.of("5%"), valid_from=t0,
...                               min_commission=Rate.of("10%"))
>>> e = Enrollment("en-1", "act-1", "l-1", EnrollmentTerms(Rate.of("20%"), exclusivity_months=3), applied_at=t0)
>>> e = e.transition(EnrollmentStatus.IN_AUDIT, at=t0).audit(activity, at=t0 + timedelta(hours=2))
>>> e.status.value, e.exclusive_until.date().isoformat(), e.promotion_ends.date().isoformat()
('approved', '2027-02-01', '2027-01-30')

.. versionadded:: 0.3
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.goods import Category
from fenxiao.errors import InvalidValueError, PolicyError, TransitionError
from fenxiao.money import Rate
from fenxiao.settlement.activities import TeamLeaderActivity

__all__ = [
    "ENROLLMENT_TRANSITIONS",
    "MIN_PROMOTION_DAYS",
    "Enrollment",
    "EnrollmentChange",
    "EnrollmentStatus",
    "EnrollmentTerms",
    "check_enrollment",
]

#: The minimum promotion periods an enrollment may choose (days; Douyin: 30/90/180/360, default 90).
MIN_PROMOTION_DAYS: Final = (30, 90, 180, 360)
#: The longest exclusivity a product may be held for (months; Douyin: 0-12 per product).
MAX_EXCLUSIVITY_MONTHS: Final = 12


class EnrollmentStatus(enum.Enum):
    """Where an enrollment is in its lifecycle."""

    APPLIED = "applied"  #: 已报名 (pending)
    IN_AUDIT = "in_audit"  #: 审核中
    APPROVED = "approved"  #: 推广中 (promoting)
    REJECTED = "rejected"  #: 已驳回
    TERMINATED = "terminated"  #: 已终止 (ended early, after the minimum promotion period)
    EXPIRED = "expired"  #: 已过期 (the activity or the promotion ran out)

    @property
    def is_final(self) -> bool:
        """No move leaves this status."""
        return not ENROLLMENT_TRANSITIONS[self]


#: Which statuses each status may move to (read-only: the lifecycle is not a setting).
ENROLLMENT_TRANSITIONS: Final[Mapping[EnrollmentStatus, frozenset[EnrollmentStatus]]] = MappingProxyType(
    {
        EnrollmentStatus.APPLIED: frozenset({EnrollmentStatus.IN_AUDIT}),
        EnrollmentStatus.IN_AUDIT: frozenset({EnrollmentStatus.APPROVED, EnrollmentStatus.REJECTED}),
        EnrollmentStatus.APPROVED: frozenset({EnrollmentStatus.TERMINATED, EnrollmentStatus.EXPIRED}),
        EnrollmentStatus.REJECTED: frozenset(),
        EnrollmentStatus.TERMINATED: frozenset(),
        EnrollmentStatus.EXPIRED: frozenset(),
    }
)


def _promotion_days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or value not in MIN_PROMOTION_DAYS:
        raise InvalidValueError(v.path_of(instance, attribute), value, f"must be one of {MIN_PROMOTION_DAYS} days")


@attrs.frozen
class EnrollmentTerms:
    """What the merchant offers the activity.

    Args:
        commission_rate: The influencer commission rate offered in the activity.
        exclusivity_months: Months from approval during which no other activity may enroll the product (0-12).
        min_promotion_days: How long an approved enrollment must be promoted before it may be terminated
            (30, 90, 180 or 360; default 90).
    """

    commission_rate: Rate = attrs.field(validator=v.instance_of(Rate))
    exclusivity_months: int = attrs.field(default=0, validator=v.int_between(0, MAX_EXCLUSIVITY_MONTHS))
    min_promotion_days: int = attrs.field(default=90, validator=_promotion_days)


@attrs.frozen
class EnrollmentChange:
    """One move of an enrollment: the status moved to, when, and why."""

    status: EnrollmentStatus = attrs.field(validator=v.member_of(EnrollmentStatus))
    at: datetime = attrs.field(validator=v.aware_datetime)
    reason: str = attrs.field(default="", validator=v.instance_of(str))


def _add_months(moment: datetime, months: int) -> datetime:
    """*moment* plus whole calendar months (the day clamped to the month's last: 31 Jan + 1 month = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _allowed(status: EnrollmentStatus, target: EnrollmentStatus) -> str:
    allowed = ENROLLMENT_TRANSITIONS[status]
    names = ", ".join(repr(s.value) for s in sorted(allowed, key=lambda s: s.value)) or "none, it is final"
    return f"cannot move from {status.value!r} to {target.value!r} (allowed: {names})"


def _check_history(instance: Enrollment, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("Enrollment.history", value, "must be a tuple of EnrollmentChange")
    status, last = EnrollmentStatus.APPLIED, instance.applied_at
    for i, change in enumerate(value):
        path = f"Enrollment.history[{i}]"
        if not isinstance(change, EnrollmentChange):
            raise InvalidValueError(path, change, "must be an EnrollmentChange")
        if change.status not in ENROLLMENT_TRANSITIONS[status]:
            raise TransitionError(f"{path}.status", change.status.value, _allowed(status, change.status))
        if change.at < last:
            raise InvalidValueError(f"{path}.at", change.at, f"is earlier than the previous step ({last.isoformat()})")
        status, last = change.status, change.at


@attrs.frozen
class Enrollment:
    """A listing's enrollment in a team-leader activity, with its terms and lifecycle.

    Args:
        id: The enrollment's id.
        activity_id: The activity applied to.
        listing_id: The listing (the product) enrolled.
        terms: Its :class:`EnrollmentTerms`.
        applied_at: When the merchant applied (timezone-aware).
        history: The moves since, oldest first; each legal and no earlier than the one before.
    """

    id: str = attrs.field(validator=v.identifier)
    activity_id: str = attrs.field(validator=v.identifier)
    listing_id: str = attrs.field(validator=v.identifier)
    terms: EnrollmentTerms = attrs.field(validator=v.instance_of(EnrollmentTerms))
    applied_at: datetime = attrs.field(validator=v.aware_datetime)
    history: tuple[EnrollmentChange, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_check_history)

    @property
    def status(self) -> EnrollmentStatus:
        """The current status: the last move's, or ``APPLIED``."""
        return self.history[-1].status if self.history else EnrollmentStatus.APPLIED

    @property
    def updated_at(self) -> datetime:
        """When the status last changed."""
        return self.history[-1].at if self.history else self.applied_at

    @property
    def approved_at(self) -> datetime | None:
        """When the enrollment was approved, or ``None``."""
        return next((c.at for c in self.history if c.status is EnrollmentStatus.APPROVED), None)

    @property
    def promotion_ends(self) -> datetime | None:
        """The end of the minimum promotion period (approval + ``min_promotion_days``), or ``None`` unapproved."""
        approved = self.approved_at
        return None if approved is None else approved + timedelta(days=self.terms.min_promotion_days)

    @property
    def exclusive_until(self) -> datetime | None:
        """The end of the exclusivity (approval + ``exclusivity_months`` calendar months), or ``None`` when the
        enrollment was never approved or holds no exclusivity."""
        approved = self.approved_at
        if approved is None or self.terms.exclusivity_months == 0:
            return None
        return _add_months(approved, self.terms.exclusivity_months)

    def holds_exclusively(self, at: datetime) -> bool:
        """Whether the enrollment holds its product exclusively at *at*: approved, not ended, within exclusivity.

        An enrollment terminated or expired still holds the product until its exclusivity ends: the months were
        promised from approval.
        """
        when = v.require_aware(at, "Enrollment.holds_exclusively.at")
        until = self.exclusive_until
        return until is not None and self.approved_at is not None and self.approved_at <= when < until

    def can_move_to(self, status: EnrollmentStatus) -> bool:
        """Whether the table allows moving to *status* now (the terms may still refuse, see :meth:`transition`)."""
        return status in ENROLLMENT_TRANSITIONS[self.status]

    def transition(self, status: EnrollmentStatus, *, at: datetime, reason: str = "") -> Enrollment:
        """Return the enrollment moved to *status* at *at*.

        Raises:
            TransitionError: The move is not in :data:`ENROLLMENT_TRANSITIONS`, or it terminates an approved
                enrollment before its minimum promotion period has run (the message names the day it ends).
            InvalidValueError: *at* is naive or earlier than the last move.
        """
        if not isinstance(status, EnrollmentStatus):
            raise InvalidValueError("Enrollment.status", status, "must be an EnrollmentStatus")
        if status not in ENROLLMENT_TRANSITIONS[self.status]:
            raise TransitionError("Enrollment.status", status.value, _allowed(self.status, status))
        when = v.require_aware(at, "Enrollment.transition.at")
        if when < self.updated_at:
            raise InvalidValueError(
                f"Enrollment.history[{len(self.history)}].at",
                when,
                f"is earlier than the previous step ({self.updated_at.isoformat()})",
            )
        ends = self.promotion_ends
        if status is EnrollmentStatus.TERMINATED and ends is not None and when < ends:
            problem = (
                f"cannot terminate before the minimum promotion period of {self.terms.min_promotion_days} days "
                f"ends ({ends.isoformat()})"
            )
            raise TransitionError("Enrollment.status", status.value, problem)
        return attrs.evolve(self, history=(*self.history, EnrollmentChange(status, when, reason)))

    def audit(
        self, activity: TeamLeaderActivity, *, at: datetime, category: Category | str | tuple[str, ...] | None = None
    ) -> Enrollment:
        """The leader's audit of an enrollment in audit: approved, or rejected with every reason.

        Reasons to reject: the enrollment names another activity; the activity is not running at *at*; the
        commission offered is below the activity's minimum (for *category*, when given).

        Raises:
            TransitionError: The enrollment is not in audit.
        """
        if not isinstance(activity, TeamLeaderActivity):
            raise InvalidValueError("Enrollment.audit.activity", activity, "must be a TeamLeaderActivity")
        when = v.require_aware(at, "Enrollment.audit.at")
        reasons = []
        if activity.id != self.activity_id:
            reasons.append(f"the enrollment is for activity {self.activity_id!r}, not {activity.id!r}")
        if not activity.is_active(when):
            reasons.append(f"activity {activity.id!r} is not running at {when.isoformat()}")
        minimum = activity.min_commission_for(category)
        if self.terms.commission_rate < minimum:
            reasons.append(f"commission {self.terms.commission_rate} is below the activity's minimum {minimum}")
        if reasons:
            return self.transition(EnrollmentStatus.REJECTED, at=when, reason="; ".join(reasons)[:1000])
        return self.transition(EnrollmentStatus.APPROVED, at=when, reason="meets the activity's terms")


def check_enrollment(existing: Iterable[Enrollment], new: Enrollment) -> None:
    """Refuse *new* while another activity holds its listing exclusively at the moment it applies.

    Raises:
        PolicyError: An enrollment of the same listing in another activity holds it exclusively at
            ``new.applied_at``; the message names it and the day its exclusivity ends.
    """
    if not isinstance(new, Enrollment):
        raise InvalidValueError("check_enrollment.new", new, "must be an Enrollment")
    for i, other in enumerate(v.require_iterable(existing, "check_enrollment.existing")):
        if not isinstance(other, Enrollment):
            raise InvalidValueError(f"check_enrollment.existing[{i}]", other, "must be an Enrollment")
        if other.listing_id != new.listing_id or other.activity_id == new.activity_id or other.id == new.id:
            continue
        if other.holds_exclusively(new.applied_at):
            until = other.exclusive_until
            assert until is not None  # held exclusively: approved with exclusivity
            problem = (
                f"listing {new.listing_id!r} is held exclusively by activity {other.activity_id!r} "
                f"(enrollment {other.id!r}) until {until.isoformat()}"
            )
            raise PolicyError("check_enrollment.new", new.id, problem)
