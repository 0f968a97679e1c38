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

    .. versionadded:: 0.1
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
        profile: PlatformProfile | None = None,
        category: Category | str | tuple[str, ...] | None = None,
        leader_fee: Rate | None = None,
    ) -> CommissionPlan:
        """A new plan at *rate*, valid from *at*; checked against *profile* when one is given.

        Raises:
            InvalidValueError: A malformed plan (wrong coverage for its kind, a naive datetime, ...).
            PolicyError: A rate outside the profile's bounds for the plan kind or category.

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
        )
        if profile is not None:
            profile.check_plan(plan, category=category, leader_fee=leader_fee)
        return plan

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

    def covers(self, *, merchant_id: str, sku_id: str, influencer_id: str, at: datetime) -> bool:
        """Whether a sale of *sku_id* by *influencer_id* at *at* falls under this plan."""
        if merchant_id != self.merchant_id or not self.is_active(at):
            return False
        if self.sku_ids and sku_id not in self.sku_ids:
            return False
        return not self.influencer_ids or influencer_id in self.influencer_ids

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
    ) -> CommissionPlan:
        """Return the plan with a rate change requested at *at*, following *profile*'s timing rules.

        A raise (or keeping the rate in force) takes effect at once. A cut (below the rate in force at
        *at*) takes effect at the next natural day in the profile's time zone (or at once if
        ``profile.cut_next_day`` is off, or if the plan has not started yet). An exclusive plan may be cut
        at most once per ``profile.exclusive_cut_interval_days`` (7) days, measured between requests
        (exactly 7 days later is allowed), and by at most ``profile.exclusive_cut_max`` (5 points; exactly
        5 is allowed).

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
        return attrs.evolve(self, rate_history=(*self.rate_history, change))

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
) -> PlanDecision:
    """Choose the plan that pays a sale of *sku_id* by *influencer_id* at *at*.

    Only plans that :meth:`~CommissionPlan.covers` the sale and have a rate in force compete. The winner
    has the best rank in *precedence*; between plans of the same kind the higher rate in force wins (the
    influencer gets the better offer), then the smaller id, so the choice is deterministic.

    Raises:
        PolicyError: Two plans share an id, or *precedence* does not list each kind once.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 11, 1, tzinfo=timezone.utc)
    >>> select_plan([], merchant_id="m-1", sku_id="s-1", influencer_id="k-1", at=t).reason
    'no plan covers sku s-1 for influencer k-1 at 2026-11-01T00:00:00+00:00'
    """
    moment = v.require_aware(at, "select_plan.at")
    order = check_precedence(tuple(precedence), "select_plan.precedence")
    rank = {kind: i for i, kind in enumerate(order)}
    seen: set[str] = set()
    covering: list[tuple[int, Rate, CommissionPlan]] = []
    for i, plan in enumerate(plans):
        if not isinstance(plan, CommissionPlan):
            raise InvalidValueError(f"select_plan.plans[{i}]", plan, "must be a CommissionPlan")
        if plan.id in seen:
            raise PolicyError(f"select_plan.plans[{i}].id", plan.id, "is used by two plans")
        seen.add(plan.id)
        if not plan.covers(merchant_id=merchant_id, sku_id=sku_id, influencer_id=influencer_id, at=moment):
            continue
        rate = plan.rate_at(moment)
        if rate is not None:
            covering.append((rank[plan.kind], rate, plan))
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
