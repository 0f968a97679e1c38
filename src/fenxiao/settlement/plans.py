"""Commission plans, team-leader activities and platform profiles: who earns what rate on a sale.

A merchant offers commission through :class:`CommissionPlan` values of four kinds (:class:`PlanKind`):
normal (普通计划), item-targeted (商品定向), shop-targeted (店铺定向) and exclusive (专属计划), plus the plans
that enrol goods in a team leader's :class:`TeamLeaderActivity` (招商活动). When several plans cover one
sale, :func:`select_plan` applies the precedence (exclusive > item-targeted > shop-targeted > activity >
normal by default) and returns a :class:`PlanDecision` naming the winner and every plan it beat.

A :class:`PlatformProfile` holds every platform rule: rate bounds (overall, per plan kind, per category),
the combined cap on commission + leader fee, the platform's fee on commission, the technical service fee,
settlement days by merchant service level, the refund reserve, the rounding mode and the time zone whose
midnight a rate cut waits for.

>>> from datetime import datetime, timedelta, timezone
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

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.goods import Category
from fenxiao.domain.ids import InfluencerId, MerchantId, SkuId, TeamLeaderId
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Money, Rate, Rounding

__all__ = [
    "DEFAULT_CATEGORY_RULES",
    "DEFAULT_PRECEDENCE",
    "ActivityKind",
    "CategoryMinimum",
    "CategoryRule",
    "CommissionPlan",
    "CommissionStep",
    "KindBounds",
    "PlanCandidate",
    "PlanDecision",
    "PlanKind",
    "PlatformProfile",
    "RateChange",
    "SecondLevelTerms",
    "ServiceLevel",
    "SettlementDays",
    "StepMode",
    "TeamLeaderActivity",
    "commission_on",
    "next_natural_day",
    "select_plan",
]

_ZERO: Final = Rate.zero()
_ONE: Final = Rate.one()
#: Rounding modes a profile may use. UP and CEILING could make the deductions exceed the base by more
#: than the technical fee can absorb on a tiny order, so they are refused.
_PROFILE_ROUNDINGS: Final = frozenset({Rounding.DOWN, Rounding.FLOOR, Rounding.HALF_UP, Rounding.HALF_EVEN})


# -- small helpers ---------------------------------------------------------------------------------------


def _pct(rate: Rate | Decimal) -> str:
    value = rate.value if isinstance(rate, Rate) else rate
    return f"{Rate(value)}" if 0 <= value <= 1 else f"{value * 100}%"


def _category_keys(category: Category | str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The keys a category answers to, most specific first: its id, then its first-level name.

    A tuple of keys (an order's ``category_keys``: id, then first-level name) is taken as given.
    """
    if category is None:
        return ()
    if isinstance(category, Category):
        return (category.id, category.level1)
    if isinstance(category, str):
        return (category,)
    if isinstance(category, tuple):
        if not all(isinstance(k, str) for k in category):
            raise InvalidValueError("category", category, "must hold category keys (text)")
        return category
    raise InvalidValueError("category", category, "must be a Category, a category id, a tuple of keys or None")


def _tuple_of(kind: type[Any], what: str) -> Any:
    """A tuple field holding instances of *kind*, with a path-naming validator."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        path = v.path_of(instance, attribute)
        if not isinstance(value, tuple):
            raise InvalidValueError(path, value, f"must be a tuple of {what}")
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                raise InvalidValueError(f"{path}[{i}]", item, f"must be a {kind.__name__}")

    return attrs.field(default=(), converter=v.to_tuple, validator=check)


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


# -- tiered (step) commission ----------------------------------------------------------------------------


class StepMode(enum.Enum):
    """How a tiered (阶梯) commission applies its steps to an order's base.

    ``SLAB``: the whole base earns the rate of the highest step reached (全额累进). ``MARGINAL``: each slice of
    the base earns its own step's rate, like income-tax brackets (超额累进). A step's threshold is inclusive:
    a base exactly at the threshold is in that step. At a threshold the two modes differ: slab pays the new
    rate on everything, marginal pays it on nothing yet.
    """

    SLAB = "slab"
    MARGINAL = "marginal"


@attrs.frozen
class CommissionStep:
    """One step of a tiered commission: from *threshold* (inclusive) up, the rate is *rate*.

    Args:
        threshold: The base amount at which this step starts; above zero (the plan's own rate covers ¥0 up).
        rate: The commission rate from the threshold up.

    >>> CommissionStep(threshold=Money.of("100.00"), rate=Rate.of("25%")).threshold
    Money(fen=10000, currency='CNY')
    """

    threshold: Money = attrs.field(validator=v.money)
    rate: Rate = attrs.field(validator=v.rate)

    def __attrs_post_init__(self) -> None:
        if self.threshold.fen <= 0:
            raise InvalidValueError("CommissionStep.threshold", self.threshold, "must be above zero")


def _check_steps(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidValueError(path, value, "must be a tuple of CommissionStep")
    previous: Money | None = None
    for i, step in enumerate(value):
        if not isinstance(step, CommissionStep):
            raise InvalidValueError(f"{path}[{i}]", step, "must be a CommissionStep")
        if previous is not None:
            if step.threshold.currency != previous.currency:
                raise InvalidValueError(f"{path}[{i}].threshold", step.threshold, f"must be in {previous.currency}")
            if step.threshold <= previous:
                raise InvalidValueError(
                    f"{path}[{i}].threshold", step.threshold, f"must be above the previous threshold ({previous})"
                )
        previous = step.threshold


def _exact_commission(base: Money, rate: Rate, steps: Sequence[CommissionStep], mode: StepMode) -> Fraction:
    if not steps:
        return Fraction(base.fen) * rate.as_fraction()
    schedule = [(0, rate.as_fraction())] + [(s.threshold.fen, s.rate.as_fraction()) for s in steps]
    if mode is StepMode.SLAB:
        applicable = rate.as_fraction()
        for threshold, step_rate in schedule:
            if base.fen >= threshold:
                applicable = step_rate
        return Fraction(base.fen) * applicable
    total = Fraction(0)
    for i, (threshold, step_rate) in enumerate(schedule):
        upper = schedule[i + 1][0] if i + 1 < len(schedule) else None
        top = base.fen if upper is None else min(base.fen, upper)
        if top > threshold:
            total += Fraction(top - threshold) * step_rate
    return total


def commission_on(
    base: Money,
    rate: Rate,
    *,
    steps: Sequence[CommissionStep] = (),
    mode: StepMode = StepMode.SLAB,
    rounding: Rounding = Rounding.DOWN,
) -> Money:
    """The commission on *base*: exact, then rounded once to the fen with *rounding*.

    *rate* applies from ¥0; each of *steps* applies from its threshold up, as *mode* says.

    >>> steps = (CommissionStep(Money.of("100.00"), Rate.of("30%")),)
    >>> str(commission_on(Money.of("100.00"), Rate.of("20%"), steps=steps, mode=StepMode.SLAB))
    '¥30.00'
    >>> str(commission_on(Money.of("100.00"), Rate.of("20%"), steps=steps, mode=StepMode.MARGINAL))
    '¥20.00'
    >>> str(commission_on(Money.of("150.00"), Rate.of("20%"), steps=steps, mode=StepMode.MARGINAL))
    '¥35.00'
    """
    exact = _exact_commission(base, rate, steps, mode)
    return Money(rounding.round_fraction(exact), base.currency)


# -- plans -----------------------------------------------------------------------------------------------


class PlanKind(enum.Enum):
    """The kinds of commission plan (推广计划)."""

    NORMAL = "normal"  #: 普通计划: open to every influencer
    ITEM_TARGETED = "item_targeted"  #: 商品定向: chosen goods for chosen influencers
    SHOP_TARGETED = "shop_targeted"  #: 店铺定向: the whole shop for chosen influencers
    EXCLUSIVE = "exclusive"  #: 专属计划: exclusive terms for chosen influencers
    ACTIVITY = "activity"  #: goods enrolled in a team leader's activity (普通招商 / 专属招商)

    @property
    def label_zh(self) -> str:
        """The Chinese label."""
        return {
            "normal": "普通计划",
            "item_targeted": "商品定向",
            "shop_targeted": "店铺定向",
            "exclusive": "专属计划",
            "activity": "招商活动",
        }[self.value]


#: Which plan wins when several cover one sale, first wins (inferred: the more specific the plan, the
#: higher it ranks): exclusive > targeted (item before shop) > team-leader activity > normal.
DEFAULT_PRECEDENCE: Final[tuple[PlanKind, ...]] = (
    PlanKind.EXCLUSIVE,
    PlanKind.ITEM_TARGETED,
    PlanKind.SHOP_TARGETED,
    PlanKind.ACTIVITY,
    PlanKind.NORMAL,
)


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
    merchant_id: MerchantId = attrs.field(validator=v.identifier)
    rate_history: tuple[RateChange, ...] = attrs.field(converter=v.to_tuple, validator=_check_history)
    valid_from: datetime = attrs.field(validator=v.aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    sku_ids: tuple[SkuId, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    influencer_ids: tuple[InfluencerId, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    activity_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    steps: tuple[CommissionStep, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_check_steps)
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
        depth = in_force.value - rate.value
        if depth > profile.exclusive_cut_max.value:
            raise PolicyError(
                path,
                rate,
                f"an exclusive plan may be cut by at most {profile.exclusive_cut_max} at a time "
                f"(from {in_force} that is {_pct(in_force.value - profile.exclusive_cut_max.value)})",
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


def _check_precedence(precedence: object, path: str) -> tuple[PlanKind, ...]:
    if not isinstance(precedence, tuple) or any(not isinstance(k, PlanKind) for k in precedence):
        raise InvalidValueError(path, precedence, "must be a tuple of PlanKind")
    if len(set(precedence)) != len(precedence) or set(precedence) != set(PlanKind):
        names = ", ".join(k.value for k in PlanKind)
        raise PolicyError(path, tuple(k.value for k in precedence), f"must list each plan kind once ({names})")
    return precedence


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
    order = _check_precedence(tuple(precedence), "select_plan.precedence")
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


# -- team-leader activities ------------------------------------------------------------------------------


class ActivityKind(enum.Enum):
    """Open activities take any merchant (普通招商); exclusive ones are by invitation (专属招商)."""

    OPEN = "open"
    EXCLUSIVE = "exclusive"


@attrs.frozen
class CategoryMinimum:
    """An activity's minimum commission for one category (matched by category id or first-level name)."""

    match: str = attrs.field(validator=v.text)
    min_commission: Rate = attrs.field(validator=v.rate)


@attrs.frozen
class SecondLevelTerms:
    """A second-level team leader (二级团长) working an activity, and its fee rate (paid out of the first's)."""

    leader_id: TeamLeaderId = attrs.field(validator=v.identifier)
    fee_rate: Rate = attrs.field(validator=v.rate)


@attrs.frozen
class TeamLeaderActivity:
    """A first-level team leader's recruiting activity (招商活动).

    Merchants enrol goods at a commission rate no lower than the activity's minimum for their category;
    the leader earns ``service_fee_rate`` of each order's base, paid by the merchant on top of the
    commission. A second-level leader's fee lies between ``second_level_min_fee`` and the first-level
    fee, and is paid out of it.

    Args:
        id: The activity's id.
        leader_id: The first-level leader who runs it.
        service_fee_rate: The leader's service-fee rate (团长服务费率).
        valid_from: When it starts (timezone-aware).
        valid_until: When it ends (exclusive), or ``None``.
        kind: Open (普通招商) or exclusive (专属招商).
        min_commission: The minimum commission for categories without their own entry.
        category_minimums: Per-category minimum commissions, matched by id first, then first-level name.
        second_level_min_fee: The lowest fee rate a second-level leader may get.
        second_levels: The second-level leaders working the activity and their fee rates.

    Raises:
        InvalidValueError: A second-level fee below the minimum or above the first-level fee, and so on.

    >>> from datetime import datetime, timezone
    >>> TeamLeaderActivity(id="act-1", leader_id="tl-1", service_fee_rate=Rate.of("5%"),
    ...                    valid_from=datetime(2026, 11, 1, tzinfo=timezone.utc),
    ...                    second_levels=(SecondLevelTerms("tl2-1", Rate.of("6%")),))
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: TeamLeaderActivity.second_levels[0].fee_rate: must not exceed the \
first-level fee (5%), got Rate('0.06')

    .. versionadded:: 0.1
    """

    id: str = attrs.field(validator=v.identifier)
    leader_id: TeamLeaderId = attrs.field(validator=v.identifier)
    service_fee_rate: Rate = attrs.field(validator=v.rate)
    valid_from: datetime = attrs.field(validator=v.aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    kind: ActivityKind = attrs.field(default=ActivityKind.OPEN, validator=v.member_of(ActivityKind))
    min_commission: Rate = attrs.field(default=_ZERO, validator=v.rate)
    category_minimums: tuple[CategoryMinimum, ...] = _tuple_of(CategoryMinimum, "CategoryMinimum")
    second_level_min_fee: Rate = attrs.field(default=_ZERO, validator=v.rate)
    second_levels: tuple[SecondLevelTerms, ...] = _tuple_of(SecondLevelTerms, "SecondLevelTerms")

    def __attrs_post_init__(self) -> None:
        name = "TeamLeaderActivity"
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise InvalidValueError(f"{name}.valid_until", self.valid_until, "must be after valid_from")
        if self.second_level_min_fee > self.service_fee_rate:
            raise InvalidValueError(
                f"{name}.second_level_min_fee",
                self.second_level_min_fee,
                f"must not exceed the first-level fee ({self.service_fee_rate})",
            )
        matches: set[str] = set()
        for i, minimum in enumerate(self.category_minimums):
            if minimum.match in matches:
                raise InvalidValueError(f"{name}.category_minimums[{i}].match", minimum.match, "is listed twice")
            matches.add(minimum.match)
        leaders: set[str] = set()
        for i, second in enumerate(self.second_levels):
            path = f"{name}.second_levels[{i}]"
            if second.leader_id == self.leader_id:
                raise InvalidValueError(f"{path}.leader_id", second.leader_id, "is the first-level leader itself")
            if second.leader_id in leaders:
                raise InvalidValueError(f"{path}.leader_id", second.leader_id, "is listed twice")
            leaders.add(second.leader_id)
            if second.fee_rate > self.service_fee_rate:
                raise InvalidValueError(
                    f"{path}.fee_rate",
                    second.fee_rate,
                    f"must not exceed the first-level fee ({self.service_fee_rate})",
                )
            if second.fee_rate < self.second_level_min_fee:
                raise InvalidValueError(
                    f"{path}.fee_rate",
                    second.fee_rate,
                    f"must not be below the activity's second-level minimum ({self.second_level_min_fee})",
                )

    def is_active(self, at: datetime) -> bool:
        """Whether the activity runs at *at* (start inclusive, end exclusive)."""
        moment = v.require_aware(at, "TeamLeaderActivity.is_active.at")
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)

    def min_commission_for(self, category: Category | str | tuple[str, ...] | None) -> Rate:
        """The minimum commission for goods in *category*: its own entry (id, then first-level name) or the default."""
        by_match = {m.match: m.min_commission for m in self.category_minimums}
        for key in _category_keys(category):
            if key in by_match:
                return by_match[key]
        return self.min_commission

    def second_level_fee(self, leader_id: str) -> Rate:
        """The fee rate of second-level leader *leader_id*.

        Raises:
            InvalidValueError: The leader does not work this activity.
        """
        for second in self.second_levels:
            if second.leader_id == leader_id:
                return second.fee_rate
        raise InvalidValueError(
            "TeamLeaderActivity.second_levels", leader_id, f"names no second-level leader of activity {self.id}"
        )

    def check_commission(
        self, rate: Rate, *, category: Category | str | tuple[str, ...] | None = None, path: str = "commission_rate"
    ) -> None:
        """Raise :class:`PolicyError` if *rate* is below the activity's minimum for *category*."""
        minimum = self.min_commission_for(category)
        if rate < minimum:
            raise PolicyError(path, rate, f"is below activity {self.id}'s minimum commission ({minimum})")

    def check(self, profile: PlatformProfile, *, category: Category | str | tuple[str, ...] | None = None) -> None:
        """Check the activity against *profile*: the fee meets the category floor, fee + minimum fit the cap.

        Raises:
            PolicyError: Naming the offending field.
        """
        rule = profile.rule_for(category)
        floor = rule.min_leader_fee if rule is not None else None
        if floor is not None and self.service_fee_rate < floor:
            raise PolicyError(
                "TeamLeaderActivity.service_fee_rate",
                self.service_fee_rate,
                f"is below the category's minimum leader fee ({floor})",
            )
        profile.check_commission(
            self.min_commission_for(category),
            kind=PlanKind.ACTIVITY,
            category=None,
            leader_fee=self.service_fee_rate,
            path="TeamLeaderActivity.min_commission",
            floors=False,
        )


# -- platform profiles -----------------------------------------------------------------------------------


@attrs.frozen
class CategoryRule:
    """Rate rules for goods of one category.

    Args:
        match: A third-level category id (``"c-gold"``) or a first-level category name (``"珠宝文玩"``).
            A rule matching the id wins over one matching the first-level name; the rule found is used whole.
        min_commission: The lowest commission allowed, if any.
        max_commission: The highest commission allowed, if any.
        min_leader_fee: The lowest team-leader fee allowed when the order has a team leader, if any.
        tech_fee_rate: The technical service fee for the category, if it differs from the profile's.
    """

    match: str = attrs.field(validator=v.text)
    min_commission: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    max_commission: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    min_leader_fee: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    tech_fee_rate: Rate | None = attrs.field(default=None, validator=v.optional_rate)

    def __attrs_post_init__(self) -> None:
        low, high = self.min_commission, self.max_commission
        if low is not None and high is not None and high < low:
            raise InvalidValueError("CategoryRule.max_commission", high, f"must not be below min_commission ({low})")


#: The category floors of the domain brief: jewellery and jade (珠宝文玩) and medical goods (医疗器械,
#: 医药保健) need commission ≥ 5% and, when a team leader is involved, a leader fee ≥ 1%. Matched by
#: first-level category name (inferred names; configure your own).
DEFAULT_CATEGORY_RULES: Final[tuple[CategoryRule, ...]] = tuple(
    CategoryRule(match=name, min_commission=Rate.of("5%"), min_leader_fee=Rate.of("1%"))
    for name in ("珠宝文玩", "医疗器械", "医药保健")
)


@attrs.frozen
class KindBounds:
    """Commission bounds for one plan kind (Douyin: general 1-50%, targeted 0-80%, exclusive 0-50%)."""

    kind: PlanKind = attrs.field(validator=v.member_of(PlanKind))
    min_commission: Rate = attrs.field(default=_ZERO, validator=v.rate)
    max_commission: Rate = attrs.field(default=_ONE, validator=v.rate)

    def __attrs_post_init__(self) -> None:
        if self.max_commission < self.min_commission:
            raise InvalidValueError(
                "KindBounds.max_commission", self.max_commission, f"must not be below {self.min_commission}"
            )


class ServiceLevel(enum.Enum):
    """A merchant's service level, which sets how long after receipt an order settles (inferred names)."""

    HIGH = "high"  #: good service: the shortest wait
    STANDARD = "standard"
    LOW = "low"  #: poor service: the longest wait


@attrs.frozen
class SettlementDays:
    """Days from the buyer's confirmed receipt to settlement, by :class:`ServiceLevel` (Kuaishou: 7/15/20)."""

    high: int = attrs.field(default=7, validator=v.int_between(0, 365))
    standard: int = attrs.field(default=15, validator=v.int_between(0, 365))
    low: int = attrs.field(default=20, validator=v.int_between(0, 365))

    def for_level(self, level: ServiceLevel) -> int:
        """The days for *level*."""
        return {ServiceLevel.HIGH: self.high, ServiceLevel.STANDARD: self.standard, ServiceLevel.LOW: self.low}[level]


def _check_rounding(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.member_of(Rounding)(instance, attribute, value)
    if value not in _PROFILE_ROUNDINGS:
        allowed = ", ".join(sorted(r.value for r in _PROFILE_ROUNDINGS))
        raise InvalidValueError(v.path_of(instance, attribute), value, f"must be one of {allowed}")


def _check_precedence_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_precedence(value, v.path_of(instance, attribute))


@attrs.frozen
class PlatformProfile:
    """Every rule of one platform that the money path follows, with the domain brief's defaults.

    ============================  ===================  ====================================================
    field                         default              meaning
    ============================  ===================  ====================================================
    name                          "default"            for people: which platform the profile models
    commission_min, _max          0%, 90%              the commission rate's bounds (inclusive)
    combined_cap                  90%                  commission + leader fee must stay below it
    combined_cap_inclusive        False                allow commission + leader fee exactly at the cap
    commission_fee_rate           10%                  the platform's fee on the commission
    commission_fee_waived         False                waive that fee (Kuaishou does)
    tech_fee_rate                 5%                   the merchant's technical service fee (inferred)
    category_rules                jewellery, medical   per-category floors, ceilings and tech fees
    kind_bounds                   none                 per-plan-kind commission bounds
    plan_precedence               exclusive first      :data:`DEFAULT_PRECEDENCE`
    settlement_days               7 / 15 / 20          by merchant service level, from confirmed receipt
    reserve_rate, _days           5%, 8                refund reserve held from settled commission
    rounding                      DOWN                 every computed line; under one fen is zero
    shipping_in_base              False                shipping is excluded from the commission base
    cut_next_day                  True                 a rate cut waits for the next natural day
    exclusive_cut_max             5%                   an exclusive plan's largest cut (points)
    exclusive_cut_interval_days   7                    days between exclusive-plan cuts
    utc_offset_minutes            480                  the platform's clock: China Standard Time (UTC+8)
    ============================  ===================  ====================================================

    The combined cap applies only when the order has a team leader; without one the commission bounds
    alone apply (so a 90% commission is allowed, as on Kuaishou). The cap plus any technical fee rate may
    not exceed 100%, so the merchant's net can never go negative.

    >>> PlatformProfile().settlement_days.for_level(ServiceLevel.STANDARD)
    15
    >>> PlatformProfile(combined_cap=Rate.of("98%"))
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: PlatformProfile.tech_fee_rate: plus the combined cap (98%) exceeds 100%, \
got Rate('0.05')

    .. versionadded:: 0.1
    """

    name: str = attrs.field(default="default", validator=v.text)
    commission_min: Rate = attrs.field(default=_ZERO, validator=v.rate)
    commission_max: Rate = attrs.field(default=Rate.of("90%"), validator=v.rate)
    combined_cap: Rate = attrs.field(default=Rate.of("90%"), validator=v.rate)
    combined_cap_inclusive: bool = attrs.field(default=False, validator=v.boolean)
    commission_fee_rate: Rate = attrs.field(default=Rate.of("10%"), validator=v.rate)
    commission_fee_waived: bool = attrs.field(default=False, validator=v.boolean)
    tech_fee_rate: Rate = attrs.field(default=Rate.of("5%"), validator=v.rate)
    category_rules: tuple[CategoryRule, ...] = attrs.field(
        default=DEFAULT_CATEGORY_RULES, converter=v.to_tuple, validator=v.instance_of(tuple)
    )
    kind_bounds: tuple[KindBounds, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.instance_of(tuple))
    plan_precedence: tuple[PlanKind, ...] = attrs.field(
        default=DEFAULT_PRECEDENCE, converter=v.to_tuple, validator=_check_precedence_field
    )
    settlement_days: SettlementDays = attrs.field(factory=SettlementDays, validator=v.instance_of(SettlementDays))
    reserve_rate: Rate = attrs.field(default=Rate.of("5%"), validator=v.rate)
    reserve_days: int = attrs.field(default=8, validator=v.int_between(0, 365))
    rounding: Rounding = attrs.field(default=Rounding.DOWN, validator=_check_rounding)
    shipping_in_base: bool = attrs.field(default=False, validator=v.boolean)
    cut_next_day: bool = attrs.field(default=True, validator=v.boolean)
    exclusive_cut_max: Rate = attrs.field(default=Rate.of("5%"), validator=v.rate)
    exclusive_cut_interval_days: int = attrs.field(default=7, validator=v.int_between(0, 365))
    utc_offset_minutes: int = attrs.field(default=480, validator=v.int_between(-14 * 60, 14 * 60))

    def __attrs_post_init__(self) -> None:
        name = "PlatformProfile"
        if self.commission_max < self.commission_min:
            raise InvalidValueError(
                f"{name}.commission_max",
                self.commission_max,
                f"must not be below commission_min ({self.commission_min})",
            )
        seen: set[str] = set()
        for i, rule in enumerate(self.category_rules):
            if not isinstance(rule, CategoryRule):
                raise InvalidValueError(f"{name}.category_rules[{i}]", rule, "must be a CategoryRule")
            if rule.match in seen:
                raise InvalidValueError(f"{name}.category_rules[{i}].match", rule.match, "is listed twice")
            seen.add(rule.match)
        kinds: set[PlanKind] = set()
        for i, bounds in enumerate(self.kind_bounds):
            if not isinstance(bounds, KindBounds):
                raise InvalidValueError(f"{name}.kind_bounds[{i}]", bounds, "must be a KindBounds")
            if bounds.kind in kinds:
                raise InvalidValueError(f"{name}.kind_bounds[{i}].kind", bounds.kind.value, "is listed twice")
            kinds.add(bounds.kind)
        # The merchant's deductions (commission, leader fee, tech fee) must fit in the base.
        ceiling = max(self.combined_cap.value, self.commission_max.value)
        tech_rates = [(f"{name}.tech_fee_rate", self.tech_fee_rate)] + [
            (f"{name}.category_rules[{i}].tech_fee_rate", r.tech_fee_rate)
            for i, r in enumerate(self.category_rules)
            if r.tech_fee_rate is not None
        ]
        for path, rate in tech_rates:
            if ceiling + rate.value > 1:
                which = "combined cap" if self.combined_cap.value >= self.commission_max.value else "commission_max"
                raise InvalidValueError(path, rate, f"plus the {which} ({_pct(ceiling)}) exceeds 100%")

    # -- named profiles --------------------------------------------------------------------------------

    @classmethod
    def kuaishou(cls) -> PlatformProfile:
        """Kuaishou (快分销): commission 0-90%, the 10% fee on commission waived, settlement 7/15/20, reserve 8 days."""
        return cls(name="kuaishou", commission_fee_waived=True)

    @classmethod
    def douyin(cls) -> PlatformProfile:
        """Douyin: general plans 1-50%, targeted 0-80%, exclusive 0-50%; settlement 3 or 10 days; reserve 15 days."""
        fifty, eighty = Rate.of("50%"), Rate.of("80%")
        return cls(
            name="douyin",
            commission_max=eighty,
            kind_bounds=(
                KindBounds(PlanKind.NORMAL, Rate.of("1%"), fifty),
                KindBounds(PlanKind.ITEM_TARGETED, _ZERO, eighty),
                KindBounds(PlanKind.SHOP_TARGETED, _ZERO, eighty),
                KindBounds(PlanKind.EXCLUSIVE, _ZERO, fifty),
            ),
            settlement_days=SettlementDays(high=3, standard=10, low=10),
            reserve_days=15,
        )

    # -- reading ---------------------------------------------------------------------------------------

    @property
    def tz(self) -> timezone:
        """The platform's time zone (a fixed UTC offset)."""
        return timezone(timedelta(minutes=self.utc_offset_minutes))

    @property
    def effective_commission_fee_rate(self) -> Rate:
        """The fee actually taken on commission: 0% when waived."""
        return _ZERO if self.commission_fee_waived else self.commission_fee_rate

    def rule_for(self, category: Category | str | tuple[str, ...] | None) -> CategoryRule | None:
        """The category rule for *category*: one matching its id, else one matching its first-level name.

        >>> from fenxiao.domain.ids import CategoryId
        >>> gold = Category(id=CategoryId("c-gold"), path=("珠宝文玩", "黄金", "黄金项链"))
        >>> str(PlatformProfile().rule_for(gold).min_commission)
        '5%'
        """
        by_match = {r.match: r for r in self.category_rules}
        for key in _category_keys(category):
            if key in by_match:
                return by_match[key]
        return None

    def tech_fee_for(self, category: Category | str | tuple[str, ...] | None) -> Rate:
        """The technical service fee rate for goods in *category*."""
        rule = self.rule_for(category)
        return rule.tech_fee_rate if rule is not None and rule.tech_fee_rate is not None else self.tech_fee_rate

    def commission_bounds(
        self, *, kind: PlanKind | None = None, category: Category | str | tuple[str, ...] | None = None
    ) -> tuple[Rate, Rate]:
        """The (lowest, highest) commission allowed for a plan *kind* on goods in *category*."""
        low, _, high, _ = self._bounds(kind, category)
        return low, high

    def _bounds(
        self, kind: PlanKind | None, category: Category | str | tuple[str, ...] | None
    ) -> tuple[Rate, str, Rate, str]:
        """The bounds, each with where it comes from (for messages)."""
        low, high = self.commission_min, self.commission_max
        low_from = high_from = ""
        for bounds in self.kind_bounds:
            if bounds.kind is kind:
                if bounds.min_commission > low:
                    low, low_from = bounds.min_commission, f" for {kind.value} plans"
                if bounds.max_commission < high:
                    high, high_from = bounds.max_commission, f" for {kind.value} plans"
        rule = self.rule_for(category)
        if rule is not None:
            if rule.min_commission is not None and rule.min_commission > low:
                low, low_from = rule.min_commission, f" for category {rule.match}"
            if rule.max_commission is not None and rule.max_commission < high:
                high, high_from = rule.max_commission, f" for category {rule.match}"
        return low, low_from, high, high_from

    def settlement_due(self, received_at: datetime, level: ServiceLevel = ServiceLevel.HIGH) -> datetime:
        """When an order received at *received_at* settles, for a merchant of service *level*."""
        moment = v.require_aware(received_at, "PlatformProfile.settlement_due.received_at")
        return moment + timedelta(days=self.settlement_days.for_level(level))

    # -- checking --------------------------------------------------------------------------------------

    def check_commission(
        self,
        rate: Rate,
        *,
        kind: PlanKind | None = None,
        category: Category | str | tuple[str, ...] | None = None,
        leader_fee: Rate | None = None,
        path: str = "commission_rate",
        floors: bool = True,
    ) -> None:
        """Check a commission rate (and the leader fee beside it, if any) against this profile.

        Args:
            rate: The commission rate.
            kind: The plan kind, for per-kind bounds.
            category: The goods' category (a :class:`Category` matches by id and first-level name).
            leader_fee: The team leader's fee rate on the same goods, or ``None`` when there is no leader.
            path: The field path to name in errors.
            floors: Also check the category's minimum leader fee.

        Raises:
            PolicyError: Naming *path* (or the leader fee's path) and the value.

        >>> PlatformProfile().check_commission(Rate.of("85%"), leader_fee=Rate.of("5%"))
        Traceback (most recent call last):
        ...
        fenxiao.errors.PolicyError: commission_rate: plus the leader fee (5%) must stay below the cap (90%), \
got Rate('0.85')
        """
        if not isinstance(rate, Rate):
            raise InvalidValueError(path, rate, "must be a Rate (e.g. Rate.of('12.5%'))")
        low, low_from, high, high_from = self._bounds(kind, category)
        if rate < low:
            raise PolicyError(path, rate, f"is below the minimum commission{low_from} ({low})")
        if rate > high:
            raise PolicyError(path, rate, f"is above the maximum commission{high_from} ({high})")
        if leader_fee is None:
            return
        if not isinstance(leader_fee, Rate):
            raise InvalidValueError("leader_fee_rate", leader_fee, "must be a Rate (e.g. Rate.of('5%'))")
        rule = self.rule_for(category)
        if floors and rule is not None and rule.min_leader_fee is not None and leader_fee < rule.min_leader_fee:
            raise PolicyError(
                "leader_fee_rate", leader_fee, f"is below the category's minimum leader fee ({rule.min_leader_fee})"
            )
        total = rate.value + leader_fee.value
        cap = self.combined_cap.value
        if total > cap or (total == cap and not self.combined_cap_inclusive):
            verb = "must not exceed" if self.combined_cap_inclusive else "must stay below"
            raise PolicyError(path, rate, f"plus the leader fee ({leader_fee}) {verb} the cap ({self.combined_cap})")

    def check_plan(
        self,
        plan: CommissionPlan,
        *,
        category: Category | str | tuple[str, ...] | None = None,
        leader_fee: Rate | None = None,
        activity: TeamLeaderActivity | None = None,
    ) -> None:
        """Check every rate *plan* can pay (its current rate and step rates) against this profile.

        For an activity plan pass its *activity*: its minimum commission and its fee (as *leader_fee*) apply.

        Raises:
            PolicyError: Naming the offending rate's path.
        """
        fee = leader_fee
        if activity is not None:
            if plan.activity_id != activity.id:
                raise PolicyError("CommissionPlan.activity_id", plan.activity_id, f"is not activity {activity.id}")
            fee = activity.service_fee_rate if fee is None else fee
        paths = ["CommissionPlan.rate", *(f"CommissionPlan.steps[{i}].rate" for i in range(len(plan.steps)))]
        for path, rate in zip(paths, plan.rates(), strict=True):
            self.check_commission(rate, kind=plan.kind, category=category, leader_fee=fee, path=path)
            if activity is not None:
                activity.check_commission(rate, category=category, path=path)
