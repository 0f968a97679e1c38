"""Grades over time: :class:`TierHistory` folds dated decisions into an effective tier that does not flap,
as its :class:`Stability` settings say.

>>> from datetime import datetime, timedelta, timezone
>>> t0 = datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=8)))
>>> history = TierHistory().fold([(t0, Tier.L3), (t0 + timedelta(days=1), Tier.L5)])
>>> history.effective, history.changes[-1].reason
(<Tier.L5: 'L5'>, 'promoted at once')

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.trusted import builder
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier

__all__ = ["Stability", "TierChange", "TierHistory"]


@attrs.frozen
class Stability:
    """How grades are kept from flapping (see :class:`TierHistory`).

    Promotion takes effect at once. A demotion takes effect only once the SKU has
    been graded below its tier in ``demote_after_evaluations`` consecutive
    evaluations *and* for at least ``demote_after_days`` days since the first of
    them (set either to 1/0 to disable that part). Inside the new-SKU window
    (``new_sku_days`` from joining the pool, 14 by default, the window of the default
    policy's ``new-sku`` rule) grades are provisional: there is no established grade
    to protect yet, so a demotion there takes effect at once.
    """

    demote_after_evaluations: int = attrs.field(default=3, validator=v.int_between(1, 10_000))
    demote_after_days: int = attrs.field(default=7, validator=v.int_between(0, 3650))
    new_sku_days: int = attrs.field(default=14, validator=v.int_between(0, 3650))


@attrs.frozen
class TierChange:
    """A change of a SKU's effective tier: when, from what, to what, and why."""

    at: datetime
    old: Tier | None
    new: Tier
    reason: str


_optional_tier = v.optional_instance_of(Tier)
_changes = v.tuple_of(TierChange)


@attrs.frozen
class TierHistory:
    """The effective tier of one SKU over time, folded from dated decisions with anti-flapping rules.

    Build it empty and :meth:`record` each evaluation in time order; each call returns a new history.

    - A promotion (a decided tier above the effective one) takes effect at once.
    - A demotion takes effect only after the decided tier has stayed below the effective one for
      ``stability.demote_after_evaluations`` consecutive evaluations spanning at least
      ``stability.demote_after_days`` days; it then drops to the highest tier decided during that run.
    - A decision at or above the effective tier resets the run.
    """

    stability: Stability = attrs.field(factory=Stability, validator=v.instance_of(Stability))
    effective: Tier | None = attrs.field(default=None, validator=_optional_tier)
    changes: tuple[TierChange, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_changes)
    below_since: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    below_count: int = attrs.field(default=0, validator=v.count)
    below_best: Tier | None = attrs.field(default=None, validator=_optional_tier)
    last_at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)

    def record(
        self, at: datetime, decided: Tier, reason: str = "", *, joined_at: datetime | None = None
    ) -> TierHistory:
        """Fold one dated decision into the history.

        Args:
            at: When the SKU was graded (timezone-aware, not before the previous evaluation).
            decided: The tier the policy decided.
            reason: Recorded on a change (a default reason is written otherwise).
            joined_at: When the SKU joined the pool; inside the new-SKU window a demotion is immediate.

        Raises:
            InvalidValueError: *at* is naive or earlier than the previous evaluation.
        """
        when = v.require_aware(at, "TierHistory.record.at")
        joined = v.require_aware(joined_at, "TierHistory.record.joined_at") if joined_at is not None else None
        if not isinstance(decided, Tier):
            raise InvalidValueError("TierHistory.record.decided", decided, "must be a Tier")
        if self.last_at is not None and when < self.last_at:
            raise InvalidValueError("TierHistory.record.at", at, f"is before the previous evaluation {self.last_at}")
        effective = self.effective
        if effective is None or decided > effective:
            why = reason or ("first grade" if effective is None else "promoted at once")
            return self._changed(when, decided, why)
        if decided == effective:
            return _history(self.stability, effective, self.changes, None, 0, None, when)
        if joined is not None and when - joined < timedelta(days=self.stability.new_sku_days):
            why = reason or f"provisional grade inside the {self.stability.new_sku_days}-day new-SKU window"
            return self._changed(when, decided, why)
        since = self.below_since or when
        count = self.below_count + 1
        best = decided if self.below_best is None or decided > self.below_best else self.below_best
        rule = self.stability
        if count >= rule.demote_after_evaluations and when - since >= timedelta(days=rule.demote_after_days):
            why = reason or f"below {effective.value} for {count} evaluations over {(when - since).days} days"
            return self._changed(when, best, why)
        return _history(self.stability, effective, self.changes, since, count, best, when)

    def _changed(self, when: datetime, new: Tier, why: str) -> TierHistory:
        """The history with the effective tier changed to *new* at *when*, the change recorded, the run reset."""
        change = TierChange(when, self.effective, new, why)
        return _history(self.stability, new, (*self.changes, change), None, 0, None, when)

    def fold(self, decisions: Iterable[tuple[datetime, Tier]], *, joined_at: datetime | None = None) -> TierHistory:
        """Record each ``(at, tier)`` in order (see :meth:`record` for *joined_at*)."""
        history = self
        for at, tier in decisions:
            history = history.record(at, tier, joined_at=joined_at)
        return history


#: :class:`TierHistory` from fields already checked (a validated history's, and what :meth:`TierHistory.record`
#: checked or derived from them): the fold builds one per evaluation without running the validators again.
_history: Final = builder(TierHistory)
