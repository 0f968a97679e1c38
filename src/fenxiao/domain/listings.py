"""A SKU in the selection pool: :class:`Listing`, its commission terms and its lifecycle.

The lifecycle is a table (:data:`LISTING_TRANSITIONS`)::

    applied ──> in_review ──> approved ──> delisted
                    └───────> rejected

Only these moves are legal; anything else raises :class:`~fenxiao.errors.TransitionError`.
The status is derived from the history, never stored twice.

>>> from datetime import datetime, timedelta, timezone
>>> t0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
>>> listing = Listing(id=ListingId("l-1"), sku_id=SkuId("sku-1"),
...                   terms=ListingTerms(commission_rate=Rate.of("20%")), applied_at=t0)
>>> listing.status
<ListingStatus.APPLIED: 'applied'>
>>> listing = listing.transition(ListingStatus.IN_REVIEW, at=t0 + timedelta(hours=1))
>>> listing.transition(ListingStatus.DELISTED, at=t0 + timedelta(hours=2))
Traceback (most recent call last):
...
fenxiao.errors.TransitionError: Listing.status: cannot move from 'in_review' to 'delisted' ...
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.ids import ListingId, SkuId, TeamLeaderId
from fenxiao.errors import InvalidValueError, TransitionError
from fenxiao.money import PPM, Rate

__all__ = ["LISTING_TRANSITIONS", "Listing", "ListingStatus", "ListingTerms", "StatusChange"]


class ListingStatus(enum.Enum):
    """Where a listing is in its lifecycle."""

    APPLIED = "applied"  #: 已申请
    IN_REVIEW = "in_review"  #: 审核中
    APPROVED = "approved"  #: 已通过, in the selection pool
    REJECTED = "rejected"  #: 已驳回
    DELISTED = "delisted"  #: 已下架

    @property
    def is_final(self) -> bool:
        """No transition leaves this status."""
        return not LISTING_TRANSITIONS[self]


#: Which statuses each status may move to (read-only: the lifecycle is not a setting).
LISTING_TRANSITIONS: Final[Mapping[ListingStatus, frozenset[ListingStatus]]] = MappingProxyType(
    {
        ListingStatus.APPLIED: frozenset({ListingStatus.IN_REVIEW}),
        ListingStatus.IN_REVIEW: frozenset({ListingStatus.APPROVED, ListingStatus.REJECTED}),
        ListingStatus.APPROVED: frozenset({ListingStatus.DELISTED}),
        ListingStatus.REJECTED: frozenset(),
        ListingStatus.DELISTED: frozenset(),
    }
)


@attrs.frozen
class ListingTerms:
    """The commission terms a merchant offers on a listing.

    Args:
        commission_rate: The influencer's commission rate.
        team_leader_id: The team leader who brought the listing in, if any.
        leader_fee_rate: That leader's service-fee rate (given exactly when ``team_leader_id`` is).
    """

    commission_rate: Rate = attrs.field(validator=v.rate)
    team_leader_id: TeamLeaderId | None = attrs.field(
        default=None, converter=v.optional_id_text, validator=v.optional_identifier
    )
    leader_fee_rate: Rate | None = attrs.field(default=None, validator=v.optional_rate)

    def __attrs_post_init__(self) -> None:
        if (self.team_leader_id is None) != (self.leader_fee_rate is None):
            raise InvalidValueError(
                "ListingTerms.leader_fee_rate",
                self.leader_fee_rate,
                "must be given exactly when team_leader_id is given",
            )
        if self.leader_fee_rate is not None and self.commission_rate.ppm + self.leader_fee_rate.ppm > PPM:
            raise InvalidValueError(
                "ListingTerms.leader_fee_rate", self.leader_fee_rate, "plus the commission rate exceeds 100%"
            )


@attrs.frozen
class StatusChange:
    """One move in a listing's lifecycle.

    Args:
        status: The status moved to.
        at: When (timezone-aware).
        reason: Why, for people (optional).
    """

    status: ListingStatus = attrs.field(validator=v.member_of(ListingStatus))
    at: datetime = attrs.field(validator=v.aware_datetime)
    reason: str = attrs.field(default="")

    @reason.validator
    def _check_reason(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or len(value) > 1000:
            raise InvalidValueError("StatusChange.reason", value, "must be text of at most 1000 characters")


def _check_history(instance: Listing, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("Listing.history", value, "must be a tuple of StatusChange")
    status = ListingStatus.APPLIED
    last = instance.applied_at
    for i, change in enumerate(value):
        path = f"Listing.history[{i}]"
        if not isinstance(change, StatusChange):
            raise InvalidValueError(path, change, "must be a StatusChange")
        allowed = LISTING_TRANSITIONS[status]
        if change.status not in allowed:
            raise TransitionError(f"{path}.status", change.status.value, _not_allowed(status, allowed, change.status))
        if change.at < last:
            raise InvalidValueError(f"{path}.at", change.at, f"is earlier than the previous step ({last.isoformat()})")
        status, last = change.status, change.at


def _not_allowed(status: ListingStatus, allowed: frozenset[ListingStatus], target: ListingStatus | None = None) -> str:
    names = ", ".join(repr(s.value) for s in sorted(allowed, key=lambda s: s.value)) or "none, it is final"
    to = f" to {target.value!r}" if target is not None else ""
    return f"cannot move from {status.value!r}{to} (allowed: {names})"


@attrs.frozen
class Listing:
    """An SKU offered in the selection pool (选品池), with its terms and lifecycle.

    Args:
        id: The listing's id.
        sku_id: The SKU listed.
        terms: Its :class:`ListingTerms`.
        applied_at: When the merchant applied (timezone-aware).
        history: The moves since, oldest first; each must be legal and no earlier than the one before.
    """

    id: ListingId = attrs.field(converter=v.id_text, validator=v.identifier)
    sku_id: SkuId = attrs.field(converter=v.id_text, validator=v.identifier)
    terms: ListingTerms = attrs.field(validator=v.instance_of(ListingTerms))
    applied_at: datetime = attrs.field(validator=v.aware_datetime)
    history: tuple[StatusChange, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_check_history)

    @property
    def status(self) -> ListingStatus:
        """The current status: the last move's, or ``APPLIED``."""
        return self.history[-1].status if self.history else ListingStatus.APPLIED

    @property
    def updated_at(self) -> datetime:
        """When the status last changed."""
        return self.history[-1].at if self.history else self.applied_at

    def entered(self, status: ListingStatus) -> datetime | None:
        """When the listing (last) entered *status*, or ``None`` if it never did."""
        if status is ListingStatus.APPLIED:
            return self.applied_at
        for change in reversed(self.history):
            if change.status is status:
                return change.at
        return None

    def can_move_to(self, status: ListingStatus) -> bool:
        """Whether :meth:`transition` to *status* is legal now."""
        return status in LISTING_TRANSITIONS[self.status]

    def transition(self, status: ListingStatus, *, at: datetime, reason: str = "") -> Listing:
        """Return the listing moved to *status* at *at*.

        Raises:
            TransitionError: The move is not in :data:`LISTING_TRANSITIONS`.
            InvalidValueError: *at* is naive or earlier than the last move, or *reason* is not text.

        >>> from datetime import datetime, timezone
        >>> t0 = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
        >>> listing = Listing(id=ListingId("l-1"), sku_id=SkuId("sku-1"),
        ...                   terms=ListingTerms(commission_rate=Rate.of("20%")), applied_at=t0)
        >>> listing.transition(ListingStatus.IN_REVIEW, at=t0).status.value
        'in_review'
        """
        if not isinstance(status, ListingStatus):
            raise InvalidValueError("Listing.status", status, "must be a ListingStatus")
        allowed = LISTING_TRANSITIONS[self.status]
        if status not in allowed:
            raise TransitionError("Listing.status", status.value, _not_allowed(self.status, allowed, status))
        when = v.require_aware(at, "Listing.transition.at")
        if when < self.updated_at:
            raise InvalidValueError(
                f"Listing.history[{len(self.history)}].at",
                when,
                f"is earlier than the previous step ({self.updated_at.isoformat()})",
            )
        change = StatusChange(status=status, at=when, reason=reason)
        return attrs.evolve(self, history=(*self.history, change))
