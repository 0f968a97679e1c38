"""Commission plans: who earns what rate on a sale, how the rate changes, and which plan wins.

A merchant offers commission through :class:`CommissionPlan` values of four kinds (:class:`PlanKind`):
normal (普通计划), item-targeted (商品定向), shop-targeted (店铺定向) and exclusive (专属计划), plus the plans
that enrol goods in a team leader's :class:`~fenxiao.settlement.activities.TeamLeaderActivity` (招商活动).
When several plans cover one sale, :func:`select_plan` applies the precedence (exclusive > item-targeted >
shop-targeted > activity > normal by default) and returns a :class:`PlanDecision` naming the winner and
every plan it beat.

A plan's rate follows the timing rules of a :class:`~fenxiao.settlement.profiles.PlatformProfile` (a cut
waits for the next natural day; an exclusive plan's cuts are limited); tiered steps are in
:mod:`fenxiao.settlement.steps`, plan kinds in :mod:`fenxiao.settlement.kinds`.

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.settlement.profiles import PlatformProfile
>>> cst = timezone(timedelta(hours=8))
>>> t0 = datetime(2026, 11, 2, 10, 0, tzinfo=cst)
>>> normal = CommissionPlan.open(id="p-normal", kind=PlanKind.NORMAL, merchant_id="m-1",
...                              rate=Rate.of("20%"), at=t0)
>>> exclusive = CommissionPlan.open(id="p-vip", kind=PlanKind.EXCLUSIVE, merchant_id="m-1",
...                                 rate=Rate.of("25%"), at=t0, influencer_ids=("kol-1",))
>>> decision = select_plan([normal, exclusive], merchant_id="m-1", sku_id="sku-1",
...                        influencer_id="kol-1", at=t0 + timedelta(hours=1))
>>> decision.winner_id, str(decision.rate)
('p-vip', '25%')
>>> cut = exclusive.with_rate(Rate.of("22%"), at=t0 + timedelta(hours=2), profile=PlatformProfile())
>>> cut.rate_at(t0 + timedelta(hours=3)), cut.rate_at(datetime(2026, 11, 3, 0, 0, tzinfo=cst))
(Rate('0.25'), Rate('0.22'))

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments, checks_arguments_on_failure
from fenxiao.domain.goods import Category
from fenxiao.domain.ids import InfluencerId, MerchantId, SkuId
from fenxiao.domain.people import MAX_INFLUENCER_LEVEL
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Rate
from fenxiao.settlement.kinds import DEFAULT_PRECEDENCE, PlanKind, check_precedence
from fenxiao.settlement.profiles import PlatformProfile, _pct
from fenxiao.settlement.steps import CommissionStep, StepMode, check_steps

if TYPE_CHECKING:
    from fenxiao.settlement.activities import TeamLeaderActivity

__all__ = [
    "CommissionPlan",
    "PlanCandidate",
    "PlanDecision",
    "RateChange",
    "check_exclusive_chain",
    "next_natural_day",
    "select_plan",
]


@checks_arguments_on_failure
def next_natural_day(at: datetime, tz: timezone) -> datetime:
    """Midnight at the start of the day after *at*, in time zone *tz* (a cut's effective moment).

    >>> cst = timezone(timedelta(hours=8))
    >>> next_natural_day(datetime(2026, 11, 2, 23, 59, tzinfo=cst), cst).isoformat()
    '2026-11-03T00:00:00+08:00'
    >>> next_natural_day(datetime(2026, 11, 2, 16, 30, tzinfo=timezone.utc), cst).isoformat()
    '2026-11-04T00:00:00+08:00'
    """
    if tz is None:  # astimezone(None) would be the machine's zone, and the result naive
        raise InvalidValueError("next_natural_day.tz", tz, "must be a time zone (e.g. timezone(timedelta(hours=8)))")
    local = v.require_aware(at, "next_natural_day.at").astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)


@attrs.frozen
class RateChange:
    """One entry in a plan's rate history: *rate*, asked for at *requested_at*, in force from *effective_at*.

    Args:
        rate: The new commission rate.
        requested_at: When the merchant asked for it (timezone-aware).
        effective_at: When it takes effect: at once for a raise, the next natural day for a cut.
    """

    rate: Rate = attrs.field(validator=v.rate)
    requested_at: datetime = attrs.field(validator=v.aware_datetime)
    effective_at: datetime = attrs.field(validator=v.aware_datetime)

    def __attrs_post_init__(self) -> None:
        if self.effective_at < self.requested_at:
            raise InvalidValueError(
                "RateChange.effective_at", self.effective_at, "must not be before requested_at (no back-dating)"
            )


def _check_history(instance: CommissionPlan, attribute: attrs.Attribute[Any], value: object) -> None:
    path = "CommissionPlan.rate_history"
    if not isinstance(value, tuple) or not value:
        raise InvalidValueError(path, value, "must be a non-empty tuple of RateChange")
    last: datetime | None = None
    for i, change in enumerate(value):
        if not isinstance(change, RateChange):
            raise InvalidValueError(f"{path}[{i}]", change, "must be a RateChange")
        if last is not None and change.requested_at < last:
            raise InvalidValueError(
                f"{path}[{i}].requested_at", change.requested_at, f"is earlier than the previous request ({last})"
            )
        last = change.requested_at


@attrs.frozen
class CommissionPlan:
    """What a merchant pays influencers on some goods: a kind, its coverage, a rate history and a window.

    Coverage by kind: ``NORMAL`` and ``ACTIVITY`` plans are open to every influencer (no ``influencer_ids``);
    targeted and exclusive plans name their influencers. ``ITEM_TARGETED`` names its SKUs; ``SHOP_TARGETED``
    covers the whole shop (no ``sku_ids``); for the other kinds no ``sku_ids`` means every SKU of the
    merchant. An ``ACTIVITY`` plan names its ``activity_id``.

    The rate in force at a moment is that of the most recently *requested* change already in effect, so a
    raise asked for after a pending cut overrides it. Build a plan with :meth:`open` and change its rate with
    :meth:`with_rate`, which enforces the timing rules; the history only grows.

    Args:
        id: The plan's id.
        kind: Its :class:`PlanKind`.
        merchant_id: The merchant offering it.
        rate_history: Every rate change, oldest request first; the first one is the opening rate.
        valid_from: When the plan starts (timezone-aware).
        valid_until: When it ends (exclusive), or ``None`` for open-ended.
        sku_ids: The SKUs it covers (see above).
        influencer_ids: The influencers it targets (see above).
        activity_id: For an ``ACTIVITY`` plan, the activity the goods are enrolled in.
        steps: Optional tiered commission steps above the plan's rate (see :class:`StepMode`).
        step_mode: How the steps apply.
        min_influencer_level: The lowest influencer level (:attr:`fenxiao.domain.people.Influencer.level`) the
            plan pays, or ``None`` for every level (Douyin gates targeted plans by author level 3-6).

    .. versionadded:: 0.1
    .. versionchanged:: 0.2 *min_influencer_level*.
    """

    id: str = attrs.field(validator=v.identifier)
    kind: PlanKind = attrs.field(validator=v.member_of(PlanKind))
    merchant_id: MerchantId = attrs.field(converter=v.id_text, validator=v.identifier)
    rate_history: tuple[RateChange, ...] = attrs.field(converter=v.to_tuple, validator=_check_history)
    valid_from: datetime = attrs.field(validator=v.aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    sku_ids: tuple[SkuId, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    influencer_ids: tuple[InfluencerId, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    activity_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    steps: tuple[CommissionStep, ...] = attrs.field(default=(), converter=v.to_tuple, validator=check_steps)
    step_mode: StepMode = attrs.field(default=StepMode.SLAB, validator=v.member_of(StepMode))
    min_influencer_level: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(v.int_between(0, MAX_INFLUENCER_LEVEL))
    )

    def __attrs_post_init__(self) -> None:
        kind = self.kind
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise InvalidValueError("CommissionPlan.valid_until", self.valid_until, "must be after valid_from")
        if self.rate_history[0].effective_at > self.valid_from:
            raise InvalidValueError(
                "CommissionPlan.rate_history[0].effective_at",
                self.rate_history[0].effective_at,
                "must not be after valid_from (the plan needs a rate when it starts)",
            )
        open_kinds = (PlanKind.NORMAL, PlanKind.ACTIVITY)
        if kind in open_kinds and self.influencer_ids:
            raise InvalidValueError(
                "CommissionPlan.influencer_ids", self.influencer_ids, f"must be empty for a {kind.value} plan"
            )
        if kind not in open_kinds and not self.influencer_ids:
            raise InvalidValueError(
                "CommissionPlan.influencer_ids", self.influencer_ids, f"must name influencers for a {kind.value} plan"
            )
        if kind is PlanKind.ITEM_TARGETED and not self.sku_ids:
            raise InvalidValueError("CommissionPlan.sku_ids", self.sku_ids, "must name SKUs for an item-targeted plan")
        if kind is PlanKind.SHOP_TARGETED and self.sku_ids:
            raise InvalidValueError(
                "CommissionPlan.sku_ids", self.sku_ids, "must be empty for a shop-targeted plan (it covers the shop)"
            )
        if (kind is PlanKind.ACTIVITY) != (self.activity_id is not None):
            raise InvalidValueError(
                "CommissionPlan.activity_id", self.activity_id, "must be given exactly for an activity plan"
            )

    @classmethod
    def open(
        cls,
        *,
        id: str,
        kind: PlanKind,
        merchant_id: str,
        rate: Rate,
        at: datetime,
        valid_until: datetime | None = None,
        sku_ids: Iterable[str] = (),
        influencer_ids: Iterable[str] = (),
        activity_id: str | None = None,
        steps: Iterable[CommissionStep] = (),
        step_mode: StepMode = StepMode.SLAB,
        min_influencer_level: int | None = None,
        profile: PlatformProfile | None = None,
        category: Category | str | tuple[str, ...] | None = None,
        leader_fee: Rate | None = None,
        previous: Iterable[CommissionPlan] = (),
    ) -> CommissionPlan:
        """A new plan at *rate*, valid from *at*; checked against *profile* when one is given.

        An exclusive plan joins the chain of exclusive plans on the same goods: pass the merchant's other plans
        (open and closed) as *previous* with a *profile*, and opening below the chain's rate counts as a cut
        (see :func:`check_exclusive_chain`), so closing a plan and opening a cheaper one cannot escape the cut
        limits; with ``profile.exclusive_one_per_product`` (Douyin) a second exclusive plan on goods that
        already have one is refused.

        Raises:
            InvalidValueError: A malformed plan (wrong coverage for its kind, a naive datetime, ...).
            PolicyError: A rate outside the profile's bounds for the plan kind or category, or an exclusive
                plan that breaks the chain's rules.

        >>> from datetime import datetime, timezone
        >>> plan = CommissionPlan.open(id="p1", kind=PlanKind.NORMAL, merchant_id="m-1", rate=Rate.of("20%"),
        ...                            at=datetime(2026, 11, 1, tzinfo=timezone.utc))
        >>> plan.current_rate
        Rate('0.2')
        """
        plan = cls(
            id=id,
            kind=kind,
            merchant_id=MerchantId(merchant_id),
            rate_history=(RateChange(rate=rate, requested_at=at, effective_at=at),),
            valid_from=at,
            valid_until=valid_until,
            sku_ids=tuple(SkuId(s) for s in sku_ids),
            influencer_ids=tuple(InfluencerId(i) for i in influencer_ids),
            activity_id=activity_id,
            steps=tuple(steps),
            step_mode=step_mode,
            min_influencer_level=min_influencer_level,
        )
        if profile is not None:
            profile.check_plan(plan, category=category, leader_fee=leader_fee)
            _check_joining(plan, previous, profile)
        return plan

    def close(self, *, at: datetime) -> CommissionPlan:
        """The plan ended at *at* (exclusive): no sale from *at* on falls under it.

        Its history stays: an exclusive plan's rates and cuts still count for the next exclusive plan on the same
        goods (see :func:`check_exclusive_chain`).

        Raises:
            InvalidValueError: *at* is naive, not after the plan started, or after it already ends.

        .. versionadded:: 0.2
        """
        moment = v.require_aware(at, "CommissionPlan.close.at")
        if moment <= self.valid_from:
            raise InvalidValueError("CommissionPlan.close.at", moment, "must be after the plan started")
        if self.valid_until is not None and moment > self.valid_until:
            raise InvalidValueError(
                "CommissionPlan.close.at", moment, f"is after the plan already ends ({self.valid_until.isoformat()})"
            )
        return attrs.evolve(self, valid_until=moment)

    # -- reading ---------------------------------------------------------------------------------------

    @property
    def current_rate(self) -> Rate:
        """The most recently requested rate (in force now or pending)."""
        return self.rate_history[-1].rate

    def rate_at(self, at: datetime) -> Rate | None:
        """The rate in force at *at*, or ``None`` before the first rate takes effect.

        Validity is not considered here; see :meth:`is_active`.
        """
        moment = v.require_aware(at, "CommissionPlan.rate_at.at")
        return _rate_in_force(self.rate_history, moment)

    def is_active(self, at: datetime) -> bool:
        """Whether the plan is within its validity window at *at* (start inclusive, end exclusive)."""
        moment = v.require_aware(at, "CommissionPlan.is_active.at")
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)

    def covers(
        self, *, merchant_id: str, sku_id: str, influencer_id: str, at: datetime, influencer_level: int | None = None
    ) -> bool:
        """Whether a sale of *sku_id* by *influencer_id* (of *influencer_level*) at *at* falls under this plan.

        A plan gated by :attr:`min_influencer_level` covers only influencers at that level or above.

        Raises:
            PolicyError: The plan is gated by level and *influencer_level* is not given (the sale cannot be
                judged; leaving the plan out silently would underpay a qualified influencer).
        """
        if merchant_id != self.merchant_id or not self.is_active(at):
            return False
        if self.sku_ids and sku_id not in self.sku_ids:
            return False
        if self.influencer_ids and influencer_id not in self.influencer_ids:
            return False
        gate = self.min_influencer_level
        if gate is None:
            return True
        if influencer_level is None:
            raise PolicyError(
                "influencer_level", None, f"plan {self.id} pays influencers of level {gate} and above: give the level"
            )
        return influencer_level >= gate

    def pending(self, at: datetime) -> tuple[RateChange, ...]:
        """Changes requested by *at* that are not yet in effect at *at* (e.g. a cut waiting for midnight)."""
        moment = v.require_aware(at, "CommissionPlan.pending.at")
        return tuple(c for c in self.rate_history if c.requested_at <= moment < c.effective_at)

    def cuts(self) -> tuple[RateChange, ...]:
        """The changes that were cuts: below the rate in force when they were requested."""
        found = []
        for i, change in enumerate(self.rate_history[1:], start=1):
            before = _rate_in_force(self.rate_history[:i], change.requested_at)
            if before is not None and change.rate < before:
                found.append(change)
        return tuple(found)

    def rates(self) -> tuple[Rate, ...]:
        """Every rate the plan can pay: its current rate and its step rates (what bounds apply to)."""
        return (self.current_rate, *(s.rate for s in self.steps))

    # -- changing --------------------------------------------------------------------------------------

    def with_rate(
        self,
        rate: Rate,
        *,
        at: datetime,
        profile: PlatformProfile,
        category: Category | str | tuple[str, ...] | None = None,
        leader_fee: Rate | None = None,
        activity: TeamLeaderActivity | None = None,
        previous: Iterable[CommissionPlan] = (),
    ) -> CommissionPlan:
        """Return the plan with a rate change requested at *at*, following *profile*'s timing rules.

        A raise (or keeping the rate in force) takes effect at once. A cut (below the rate in force at
        *at*) takes effect at the next natural day in the profile's time zone (or at once if
        ``profile.cut_next_day`` is off, or if the plan has not started yet). An exclusive plan may be cut
        at most once per ``profile.exclusive_cut_interval_days`` (7) days, measured between requests
        (exactly 7 days later is allowed), and by at most ``profile.exclusive_cut_max`` (5 points; exactly
        5 is allowed). Pass the merchant's other plans as *previous*: an exclusive plan's cuts are then counted
        over the whole chain of exclusive plans on the same goods (:func:`check_exclusive_chain`).

        Raises:
            InvalidValueError: *at* is naive, earlier than the last request, or after the plan ended.
            PolicyError: The rate breaks the profile's bounds, the activity's minimum, or a cut rule.

        >>> from datetime import datetime, timedelta, timezone
        >>> cst = timezone(timedelta(hours=8))
        >>> t0 = datetime(2026, 11, 2, 9, tzinfo=cst)
        >>> plan = CommissionPlan.open(id="vip", kind=PlanKind.EXCLUSIVE, merchant_id="m-1",
        ...                            rate=Rate.of("30%"), at=t0, influencer_ids=("kol-1",))
        >>> plan = plan.with_rate(Rate.of("26%"), at=t0, profile=PlatformProfile())
        >>> plan.rate_history[-1].effective_at.isoformat()
        '2026-11-03T00:00:00+08:00'
        >>> plan.with_rate(Rate.of("24%"), at=t0 + timedelta(days=6), profile=PlatformProfile())
        Traceback (most recent call last):
        ...
        fenxiao.errors.PolicyError: CommissionPlan.rate: an exclusive plan may be cut at most once in 7 days ...
        """
        path = "CommissionPlan.rate"
        moment = v.require_aware(at, "CommissionPlan.with_rate.at")
        if not isinstance(rate, Rate):
            raise InvalidValueError(path, rate, "must be a Rate (e.g. Rate.of('12.5%'))")
        if not isinstance(profile, PlatformProfile):
            raise InvalidValueError("CommissionPlan.with_rate.profile", profile, "must be a PlatformProfile")
        last = self.rate_history[-1].requested_at
        if moment < last:
            raise InvalidValueError(
                "CommissionPlan.with_rate.at", moment, f"is earlier than the last rate request ({last.isoformat()})"
            )
        if self.valid_until is not None and moment >= self.valid_until:
            raise InvalidValueError(
                "CommissionPlan.with_rate.at", moment, f"is after the plan ended ({self.valid_until.isoformat()})"
            )
        profile.check_commission(rate, kind=self.kind, category=category, leader_fee=leader_fee, path=path)
        if activity is not None:
            activity.check_commission(rate, category=category, path=path)
        in_force = _rate_in_force(self.rate_history, moment) if moment >= self.valid_from else None
        effective = moment
        if in_force is not None and rate < in_force:
            if self.kind is PlanKind.EXCLUSIVE:
                self._check_exclusive_cut(rate, in_force, moment, profile, path)
            if profile.cut_next_day:
                effective = next_natural_day(moment, profile.tz)
        change = RateChange(rate=rate, requested_at=moment, effective_at=effective)
        changed = attrs.evolve(self, rate_history=(*self.rate_history, change))
        _check_joining(changed, previous, profile)
        return changed

    def _check_exclusive_cut(
        self, rate: Rate, in_force: Rate, at: datetime, profile: PlatformProfile, path: str
    ) -> None:
        depth = in_force.ppm - rate.ppm
        if depth > profile.exclusive_cut_max.ppm:
            raise PolicyError(
                path,
                rate,
                f"an exclusive plan may be cut by at most {profile.exclusive_cut_max} at a time "
                f"(from {in_force} that is {_pct(in_force.ppm - profile.exclusive_cut_max.ppm)})",
            )
        window = timedelta(days=profile.exclusive_cut_interval_days)
        for cut in self.cuts():
            if at - cut.requested_at < window:
                raise PolicyError(
                    path,
                    rate,
                    f"an exclusive plan may be cut at most once in {profile.exclusive_cut_interval_days} days "
                    f"(last cut requested {cut.requested_at.isoformat()})",
                )


def _rate_in_force(history: Sequence[RateChange], at: datetime) -> Rate | None:
    # History is ordered by request, so the last change in effect is the most recently requested one.
    for change in reversed(history):
        if change.effective_at <= at:
            return change.rate
    return None


# -- the chain of exclusive plans on the same goods -----------------------------------------------------------


def _shares_goods(a: CommissionPlan, b: CommissionPlan) -> bool:
    """Whether two plans of one merchant cover some SKU in common (no ``sku_ids`` covers every SKU)."""
    if a.merchant_id != b.merchant_id:
        return False
    return not a.sku_ids or not b.sku_ids or bool(set(a.sku_ids) & set(b.sku_ids))


def _requested_by(plan: CommissionPlan, at: datetime) -> Rate:
    """The last rate *plan*'s merchant asked for at or before *at* (a pending cut counts: it was asked for)."""
    rate = plan.rate_history[0].rate
    for change in plan.rate_history:
        if change.requested_at <= at:
            rate = change.rate
    return rate


@attrs.frozen
class _Cut:
    """One cut of a chain: a change inside plan *plan_id*, or its opening below plan *below*'s rate."""

    at: datetime
    before: Rate
    after: Rate
    plan_id: str
    below: str | None = None


def _cut_events(plans: Sequence[CommissionPlan], window: timedelta) -> list[_Cut]:
    """Every cut of the chain, in order: the cuts inside each plan and each opening below the chain's rate."""
    events: list[_Cut] = []
    for plan in plans:
        for i, change in enumerate(plan.rate_history[1:], start=1):
            if change.requested_at < plan.valid_from:
                continue  # asked before the plan started: folded into its opening rate
            before = _rate_in_force(plan.rate_history[:i], change.requested_at)
            if before is not None and change.rate < before:
                events.append(_Cut(change.requested_at, before, change.rate, plan.id))
        start = plan.valid_from
        # The predecessor: the latest-opened other plan still open at the start, or ended less than a window before.
        earlier = [
            p
            for p in plans
            if p is not plan
            and (p.valid_from, p.id) < (start, plan.id)
            and (p.valid_until is None or start - p.valid_until < window)
        ]
        if earlier:
            before_plan = max(earlier, key=lambda p: (p.valid_from, p.id))
            end = before_plan.valid_until
            level = _requested_by(before_plan, start if end is None or end > start else end)
            opening = plan.rate_at(start)
            if opening is not None and opening < level:
                events.append(_Cut(start, level, opening, plan.id, before_plan.id))
    events.sort(key=lambda e: (e.at, e.plan_id))
    return events


@checks_arguments
def check_exclusive_chain(plans: Iterable[CommissionPlan], profile: PlatformProfile) -> None:
    """Check the exclusive plans among *plans*, goods by goods, as one chain: closing and reopening is no escape.

    The exclusive plans of one merchant that share goods form a chain. Its cuts are every cut inside a plan and
    every opening below the chain's rate: the last rate asked for on the latest-opened plan before it, if that
    plan is still open or ended less than ``profile.exclusive_cut_interval_days`` days before (a longer gap
    starts afresh; inferred). Each cut may go at most ``profile.exclusive_cut_max`` deep, and two cuts must be
    at least the interval apart. With ``profile.exclusive_one_per_product`` (Douyin) no two plans of a chain
    may be valid at the same moment.

    Raises:
        PolicyError: Naming the plan, the cut and the rule it breaks.

    >>> from datetime import datetime, timedelta, timezone
    >>> cst = timezone(timedelta(hours=8))
    >>> t0 = datetime(2026, 11, 2, 9, tzinfo=cst)
    >>> old = CommissionPlan.open(id="vip-1", kind=PlanKind.EXCLUSIVE, merchant_id="m-1",
    ...                           rate=Rate.of("25%"), at=t0, influencer_ids=("kol-1",))
    >>> old = old.close(at=t0 + timedelta(hours=1))
    >>> new = CommissionPlan.open(id="vip-2", kind=PlanKind.EXCLUSIVE, merchant_id="m-1",
    ...                           rate=Rate.of("5%"), at=t0 + timedelta(hours=1), influencer_ids=("kol-1",))
    >>> check_exclusive_chain([old, new], PlatformProfile())
    Traceback (most recent call last):
    ...
    fenxiao.errors.PolicyError: CommissionPlan.rate: an exclusive plan may be cut by at most 5% at a time \
(plan vip-2 opened below vip-1's rate: from 25% that is 20%), got Rate('0.05')

    .. versionadded:: 0.2
    """
    exclusive = [p for p in plans if p.kind is PlanKind.EXCLUSIVE]
    for plan in exclusive:
        chain = [p for p in exclusive if _shares_goods(p, plan)]
        _check_chain(plan, chain, profile)


def _check_joining(plan: CommissionPlan, previous: Iterable[CommissionPlan], profile: PlatformProfile) -> None:
    """Check *plan* (new or changed) against the merchant's other plans *previous*, when it is exclusive."""
    if plan.kind is not PlanKind.EXCLUSIVE:
        return
    others = []
    for i, other in enumerate(previous):
        if not isinstance(other, CommissionPlan):
            raise InvalidValueError(f"CommissionPlan.previous[{i}]", other, "must be a CommissionPlan")
        if other.id != plan.id and other.kind is PlanKind.EXCLUSIVE and _shares_goods(other, plan):
            others.append(other)
    if others:
        _check_chain(plan, [*others, plan], profile)


def _check_chain(plan: CommissionPlan, chain: Sequence[CommissionPlan], profile: PlatformProfile) -> None:
    """Check the chain *chain* (holding *plan*) and report the first problem that involves *plan*."""
    path = "CommissionPlan.rate"
    if profile.exclusive_one_per_product:
        for other in chain:
            if other is plan:
                continue
            starts_before_end = plan.valid_until is None or other.valid_from < plan.valid_until
            ends_after_start = other.valid_until is None or other.valid_until > plan.valid_from
            if starts_before_end and ends_after_start:
                raise PolicyError(
                    "CommissionPlan.id",
                    plan.id,
                    f"its goods already have exclusive plan {other.id} at that time "
                    f"({profile.name} allows one exclusive plan per product)",
                )
    window = timedelta(days=profile.exclusive_cut_interval_days)
    last: _Cut | None = None
    for cut in _cut_events(chain, window):
        mine = cut.plan_id == plan.id
        if mine and cut.before.ppm - cut.after.ppm > profile.exclusive_cut_max.ppm:
            how = f"plan {cut.plan_id} opened below {cut.below}'s rate: " if cut.below is not None else ""
            raise PolicyError(
                path,
                cut.after,
                f"an exclusive plan may be cut by at most {profile.exclusive_cut_max} at a time "
                f"({how}from {cut.before} that is {_pct(cut.before.ppm - profile.exclusive_cut_max.ppm)})",
            )
        if last is not None and cut.at - last.at < window and (mine or last.plan_id == plan.id):
            raise PolicyError(
                path,
                cut.after,
                f"an exclusive plan may be cut at most once in {profile.exclusive_cut_interval_days} days, "
                f"counting every exclusive plan on the same goods (plan {cut.plan_id} cut "
                f"{cut.at.isoformat()}, plan {last.plan_id} cut {last.at.isoformat()})",
            )
        last = cut


# -- plan selection --------------------------------------------------------------------------------------


@attrs.frozen
class PlanCandidate:
    """A plan that covered the sale, with its rank under the precedence (0 is best) and its rate then."""

    plan_id: str
    kind: PlanKind
    rate: Rate
    rank: int


@attrs.frozen
class PlanDecision:
    """Which plan pays a sale, and why.

    Attributes:
        winner: The winning plan, or ``None`` when no plan covers the sale (it then earns no commission).
        rate: The winner's rate in force at the moment of sale, or ``None``.
        candidates: Every covering plan, best first: by precedence rank, then the higher rate (the
            influencer's better offer), then the plan id.
        reason: One sentence for people.
        at: The moment of sale the decision was made for (checked against an activity's window).
    """

    winner: CommissionPlan | None
    rate: Rate | None
    candidates: tuple[PlanCandidate, ...]
    reason: str
    at: datetime | None = None

    @property
    def winner_id(self) -> str | None:
        """The winning plan's id, or ``None``."""
        return None if self.winner is None else self.winner.id

    @property
    def kind(self) -> PlanKind | None:
        """The winning plan's kind, or ``None``."""
        return None if self.winner is None else self.winner.kind


@checks_arguments
def select_plan(
    plans: Iterable[CommissionPlan],
    *,
    merchant_id: str,
    sku_id: str,
    influencer_id: str,
    at: datetime,
    precedence: Sequence[PlanKind] = DEFAULT_PRECEDENCE,
    profile: PlatformProfile | None = None,
    influencer_level: int | None = None,
) -> PlanDecision:
    """Choose the plan that pays a sale of *sku_id* by *influencer_id* at *at*.

    Only plans that :meth:`~CommissionPlan.covers` the sale and have a rate in force compete. The winner
    has the best rank in *precedence*; between plans of the same kind the higher rate in force wins (the
    influencer gets the better offer), then the smaller id, so the choice is deterministic. A plan gated by
    influencer level covers the sale only when *influencer_level* reaches its gate. The exclusive plans on the SKU
    (open and closed) are first checked as one chain under *profile*'s rules (:func:`check_exclusive_chain`; the
    default profile, :meth:`PlatformProfile.default`, when none is given), so a plan opened to escape the cut
    limits never wins.

    .. versionchanged:: 0.3
       Without a *profile* the chain is checked under the default profile's rules (it was not checked at all).

    Raises:
        PolicyError: Two plans share an id, *precedence* does not list each kind once, a covering plan is gated
            by level and *influencer_level* is not given, or the SKU's exclusive plans break the chain's rules.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 11, 1, tzinfo=timezone.utc)
    >>> select_plan([], merchant_id="m-1", sku_id="s-1", influencer_id="k-1", at=t).reason
    'no plan covers sku s-1 for influencer k-1 at 2026-11-01T00:00:00+00:00'
    """
    moment = v.require_aware(at, "select_plan.at")
    if profile is None:
        profile = PlatformProfile.default()
    level = (
        None
        if influencer_level is None
        else v.require_int(influencer_level, "select_plan.influencer_level", 0, MAX_INFLUENCER_LEVEL)
    )
    order = check_precedence(tuple(precedence), "select_plan.precedence")
    rank = {kind: i for i, kind in enumerate(order)}
    seen: set[str] = set()
    covering: list[tuple[int, Rate, CommissionPlan]] = []
    on_sku: list[CommissionPlan] = []
    for i, plan in enumerate(plans):
        if not isinstance(plan, CommissionPlan):
            raise InvalidValueError(f"select_plan.plans[{i}]", plan, "must be a CommissionPlan")
        if plan.id in seen:
            raise PolicyError(f"select_plan.plans[{i}].id", plan.id, "is used by two plans")
        seen.add(plan.id)
        exclusive_here = plan.kind is PlanKind.EXCLUSIVE and plan.merchant_id == merchant_id
        if exclusive_here and (not plan.sku_ids or sku_id in plan.sku_ids):
            on_sku.append(plan)
        if not plan.covers(
            merchant_id=merchant_id, sku_id=sku_id, influencer_id=influencer_id, at=moment, influencer_level=level
        ):
            continue
        rate = plan.rate_at(moment)
        if rate is not None:
            covering.append((rank[plan.kind], rate, plan))
    check_exclusive_chain(on_sku, profile)
    covering.sort(key=lambda item: (item[0], -item[1].value, item[2].id))
    candidates = tuple(PlanCandidate(plan.id, plan.kind, rate, r) for r, rate, plan in covering)
    if not covering:
        reason = f"no plan covers sku {sku_id} for influencer {influencer_id} at {moment.isoformat()}"
        return PlanDecision(winner=None, rate=None, candidates=(), reason=reason, at=moment)
    _, rate, winner = covering[0]
    beaten = len(covering) - 1
    reason = f"{winner.kind.value} plan {winner.id} at {rate}" + (
        f" beats {beaten} other covering plan{'s' if beaten != 1 else ''}" if beaten else " is the only covering plan"
    )
    return PlanDecision(winner=winner, rate=rate, candidates=candidates, reason=reason, at=moment)
