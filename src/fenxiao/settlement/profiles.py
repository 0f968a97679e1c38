"""Platform profiles: every rule of one platform that the money path follows.

A :class:`PlatformProfile` holds rate bounds (overall, per plan kind, per category), the combined cap on
commission + leader fee, the platform's fee on commission, the technical service fee, settlement days by
merchant service level, the refund reserve, the rounding mode and the time zone whose midnight a rate cut
waits for.

The built-in presets ship as TOML files in ``fenxiao/data/defaults/`` (``platform-default.toml``,
``platform-kuaishou.toml``, ``platform-douyin.toml``, ``platform-taobao.toml``): :meth:`PlatformProfile.preset`
reads them. Copy one, edit it and read it with :func:`fenxiao.serialization.load` to describe your own platform.

>>> PlatformProfile.kuaishou().commission_fee_waived
True
>>> PlatformProfile.preset("default") == PlatformProfile()
True

One profile is *the* default: :data:`DEFAULT_PRESET` (Kuaishou, the program fenxiao models). Every function that
takes an optional profile (``run_period``, ``sweep``, ``settle_columns``, the store, the simulator, the CLI's
``--profile``) settles under :meth:`PlatformProfile.default` when given none, and says so in its output.
``PlatformProfile()`` is the *generic* profile (the preset named ``"default"``): the domain brief's figures, a
base for describing your own platform.

>>> PlatformProfile.default().name, DEFAULT_PRESET
('kuaishou', 'kuaishou')

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import functools
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.defaults import read_default
from fenxiao.domain.goods import Category
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import PPM, Rate, Rounding
from fenxiao.settlement.kinds import DEFAULT_PRECEDENCE, PlanKind, check_precedence

if TYPE_CHECKING:
    from fenxiao.settlement.activities import TeamLeaderActivity
    from fenxiao.settlement.plans import CommissionPlan

__all__ = [
    "DEFAULT_CATEGORY_RULES",
    "DEFAULT_PRESET",
    "PRESETS",
    "CategoryFloors",
    "CategoryRule",
    "KindBounds",
    "PlatformProfile",
    "ServiceLevel",
    "SettlementDays",
    "default_category_floors",
]

_ZERO: Final = Rate.zero()
_ONE: Final = Rate.one()
#: Rounding modes a profile may use. UP and CEILING could make the deductions exceed the base by more
#: than the technical fee can absorb on a tiny order, so they are refused.
_PROFILE_ROUNDINGS: Final = frozenset({Rounding.DOWN, Rounding.FLOOR, Rounding.HALF_UP, Rounding.HALF_EVEN})
#: The presets shipped as ``fenxiao/data/defaults/platform-<name>.toml``.
PRESETS: Final = ("default", "douyin", "kuaishou", "taobao")

DEFAULT_PRESET: Final = "kuaishou"
"""The preset every optional profile falls back to, in the library, the columnar path, the store and the CLI.

.. versionadded:: 0.1
"""


def _pct(rate: Rate | int) -> str:
    """A rate, or a signed number of parts per million, as a percentage: ``"12.5%"``, ``"-5%"``."""
    ppm = rate.ppm if isinstance(rate, Rate) else rate
    if 0 <= ppm <= PPM:
        return str(Rate.from_ppm(ppm))
    whole, part = divmod(abs(ppm), 10_000)  # 10,000 ppm in one percent
    fraction = f".{part:04d}".rstrip("0") if part else ""
    return f"{'-' if ppm < 0 else ''}{whole}{fraction}%"


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


def _rule_in(rules: tuple[CategoryRule, ...], category: Category | str | tuple[str, ...] | None) -> CategoryRule | None:
    """The rule of *rules* for *category*: the first of its keys (id, then first-level name) that one matches."""
    by_match = {r.match: r for r in rules}
    for key in _category_keys(category):
        if key in by_match:
            return by_match[key]
    return None


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


def _floor_rules(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("CategoryFloors.rules", value, "must be a tuple of CategoryRule")
    seen: set[str] = set()
    for i, rule in enumerate(value):
        if not isinstance(rule, CategoryRule):
            raise InvalidValueError(f"CategoryFloors.rules[{i}]", rule, "must be a CategoryRule")
        if rule.match in seen:
            raise InvalidValueError(f"CategoryFloors.rules[{i}].match", rule.match, "is listed twice")
        seen.add(rule.match)


@attrs.frozen
class CategoryFloors:
    """The one table of category commission floors: admission, every platform profile and the columnar path read it.

    The shipped table is ``fenxiao/data/defaults/category_floors.toml`` (:func:`default_category_floors`):
    :attr:`PlatformProfile.category_rules` defaults to its rules and
    :attr:`fenxiao.market.admission.AdmissionProfile.commission_floors` to its minimum commissions, so a listing
    admission approves is never refused by the profile for its category floor.

    Args:
        rules: One :class:`CategoryRule` per category id or first-level name (each ``match`` at most once).

    >>> floors = default_category_floors()
    >>> [str(floors.floor("医疗器械")), str(floors.floor("服饰内衣"))]
    ['5%', '0%']

    .. versionadded:: 0.2
    """

    rules: tuple[CategoryRule, ...] = attrs.field(converter=v.to_tuple, validator=_floor_rules)

    def rule_for(self, category: Category | str | tuple[str, ...] | None) -> CategoryRule | None:
        """The rule for *category*: one matching its id, else one matching its first-level name, else ``None``."""
        return _rule_in(self.rules, category)

    def floor(self, category: Category | str | tuple[str, ...] | None) -> Rate:
        """The lowest commission allowed for goods in *category* (0% when no rule sets one)."""
        rule = self.rule_for(category)
        return rule.min_commission if rule is not None and rule.min_commission is not None else _ZERO

    def commission_floors(self) -> dict[str, Rate]:
        """The minimum commissions as a table of ``match`` to rate (the shape admission reads)."""
        return {r.match: r.min_commission for r in self.rules if r.min_commission is not None}


@functools.cache
def default_category_floors() -> CategoryFloors:
    """The shipped table of category floors, read once from ``fenxiao/data/defaults/category_floors.toml``.

    Jewellery and jade (珠宝文玩) and medical goods (医疗器械, 医药保健) need commission ≥ 5% and, when a team
    leader is involved, a leader fee ≥ 1% (Kuaishou's rule pages [S]; the category names are inferred).

    .. versionadded:: 0.2
    """
    return read_default("category_floors.toml", CategoryFloors)


#: The rules of the shipped category-floor table (:func:`default_category_floors`): the default of
#: :attr:`PlatformProfile.category_rules`.
DEFAULT_CATEGORY_RULES: Final[tuple[CategoryRule, ...]] = default_category_floors().rules


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


_HIGH: Final = ServiceLevel.HIGH
_STANDARD: Final = ServiceLevel.STANDARD
_LOW: Final = ServiceLevel.LOW


@attrs.frozen
class SettlementDays:
    """Days from the buyer's confirmed receipt to settlement, by :class:`ServiceLevel` (Kuaishou: 7/15/20)."""

    high: int = attrs.field(default=7, validator=v.int_between(0, 365))
    standard: int = attrs.field(default=15, validator=v.int_between(0, 365))
    low: int = attrs.field(default=20, validator=v.int_between(0, 365))

    def for_level(self, level: ServiceLevel) -> int:
        """The days for *level*."""
        # identity tests, not a dict: an Enum's hash is a Python call, and the ledger asks once per settlement
        given: object = level  # any value may come in: a non-member is refused, never read as LOW
        if given is _HIGH:
            return self.high
        if given is _STANDARD:
            return self.standard
        if given is _LOW:
            return self.low
        raise InvalidValueError("SettlementDays.for_level.level", level, "must be a ServiceLevel")


def _check_rounding(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.member_of(Rounding)(instance, attribute, value)
    if value not in _PROFILE_ROUNDINGS:
        allowed = ", ".join(sorted(r.value for r in _PROFILE_ROUNDINGS))
        raise InvalidValueError(v.path_of(instance, attribute), value, f"must be one of {allowed}")


def _check_precedence_field(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_precedence(value, v.path_of(instance, attribute))


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
    category_rules                the floors table     per-category floors, ceilings and tech fees (default:
                                                       :func:`default_category_floors`, jewellery, medical)
    kind_bounds                   none                 per-plan-kind commission bounds
    plan_precedence               exclusive first      :data:`DEFAULT_PRECEDENCE`
    settlement_days               7 / 15 / 20          by merchant service level, from confirmed receipt
    reserve_rate, _days           5%, 8                refund reserve held from settled commission
    rounding                      DOWN                 every computed line; under one fen is zero
    shipping_in_base              False                shipping is excluded from the commission base
    cut_next_day                  True                 a rate cut waits for the next natural day
    exclusive_cut_max             5%                   an exclusive plan's largest cut (points)
    exclusive_cut_interval_days   7                    days between exclusive-plan cuts
    exclusive_one_per_product     False                one exclusive plan per product at a time (Douyin: True)
    leader_fee_max                100%                 the highest team-leader fee rate (Douyin: 40%)
    second_level_max_share        100%                 a second-level fee's most, as a share of the first-level
                                                       fee (Douyin: 90%)
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
    exclusive_one_per_product: bool = attrs.field(default=False, validator=v.boolean)
    leader_fee_max: Rate = attrs.field(default=_ONE, validator=v.rate)
    second_level_max_share: Rate = attrs.field(default=_ONE, validator=v.rate)
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
        ceiling = max(self.combined_cap.ppm, self.commission_max.ppm)
        tech_rates = [(f"{name}.tech_fee_rate", self.tech_fee_rate)] + [
            (f"{name}.category_rules[{i}].tech_fee_rate", r.tech_fee_rate)
            for i, r in enumerate(self.category_rules)
            if r.tech_fee_rate is not None
        ]
        for path, rate in tech_rates:
            if ceiling + rate.ppm > PPM:
                which = "combined cap" if self.combined_cap.ppm >= self.commission_max.ppm else "commission_max"
                raise InvalidValueError(path, rate, f"plus the {which} ({_pct(ceiling)}) exceeds 100%")

    # -- named profiles --------------------------------------------------------------------------------

    @classmethod
    def preset(cls, name: str) -> PlatformProfile:
        """The built-in profile *name* (one of :data:`PRESETS`), from ``fenxiao/data/defaults/platform-<name>.toml``.

        The file is read once; profiles are frozen, so every call returns the same value.

        Raises:
            InvalidValueError: *name* is not a preset.

        >>> PlatformProfile.preset("douyin").reserve_days
        15
        >>> PlatformProfile.preset("jd")
        Traceback (most recent call last):
        ...
        fenxiao.errors.InvalidValueError: PlatformProfile.preset.name: must be one of default, douyin, kuaishou, \
taobao, got 'jd'

        .. versionadded:: 0.1
        """
        if name not in PRESETS:
            raise InvalidValueError("PlatformProfile.preset.name", name, f"must be one of {', '.join(PRESETS)}")
        if cls is PlatformProfile:
            return _preset(name)
        return _read_preset(name, cls)  # a subclass: its own type, read each time

    @classmethod
    def default(cls) -> PlatformProfile:
        """The profile used wherever none is given: the preset :data:`DEFAULT_PRESET` (Kuaishou).

        Not the same as ``PlatformProfile()``, the generic profile: Kuaishou waives the fee on commission.

        >>> PlatformProfile.default() == PlatformProfile.kuaishou()
        True

        .. versionadded:: 0.1
        """
        return cls.preset(DEFAULT_PRESET)

    @classmethod
    def kuaishou(cls) -> PlatformProfile:
        """Kuaishou (快分销): commission 0-90%, the 10% fee on commission waived, settlement 7/15/20, reserve 8 days."""
        return cls.preset("kuaishou")

    @classmethod
    def douyin(cls) -> PlatformProfile:
        """Douyin: general plans 1-50%, targeted 0-80%, exclusive 0-50%; settlement 3 or 10 days; reserve 15 days."""
        return cls.preset("douyin")

    @classmethod
    def taobao(cls) -> PlatformProfile:
        """Taobao 淘宝联盟: the promoter pays 10% of its income as a technical service fee; settled at receipt.

        .. versionadded:: 0.2
        """
        return cls.preset("taobao")

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
        return _rule_in(self.category_rules, category)

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
        if leader_fee > self.leader_fee_max:
            raise PolicyError(
                "leader_fee_rate", leader_fee, f"is above the maximum team-leader fee ({self.leader_fee_max})"
            )
        rule = self.rule_for(category)
        if floors and rule is not None and rule.min_leader_fee is not None and leader_fee < rule.min_leader_fee:
            raise PolicyError(
                "leader_fee_rate", leader_fee, f"is below the category's minimum leader fee ({rule.min_leader_fee})"
            )
        total = rate.ppm + leader_fee.ppm
        cap = self.combined_cap.ppm
        if total > cap or (total == cap and not self.combined_cap_inclusive):
            verb = "must not exceed" if self.combined_cap_inclusive else "must stay below"
            raise PolicyError(path, rate, f"plus the leader fee ({leader_fee}) {verb} the cap ({self.combined_cap})")

    def check_second_level(self, fee: Rate, *, first_level: Rate, path: str = "second_leader_fee_rate") -> None:
        """Check a second-level leader's *fee* against the *first_level* fee it is paid out of.

        It may be at most ``second_level_max_share`` of the first-level fee (Douyin refuses a first-level fee
        cut when 90% of the new fee falls below a second-level fee: the second-level fee is at most 0.9 × the
        first-level fee).

        Raises:
            PolicyError: Naming *path* and the fee.

        >>> PlatformProfile.douyin().check_second_level(Rate.of("4.6%"), first_level=Rate.of("5%"))
        Traceback (most recent call last):
        ...
        fenxiao.errors.PolicyError: second_leader_fee_rate: must not exceed 90% of the first-level fee (5%), \
got Rate('0.046')

        .. versionadded:: 0.2
        """
        share = self.second_level_max_share
        if fee.ppm * PPM > share.ppm * first_level.ppm:
            raise PolicyError(path, fee, f"must not exceed {share} of the first-level fee ({first_level})")

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


def _read_preset(name: str, cls: type[PlatformProfile]) -> PlatformProfile:
    """Read the preset file *name* into *cls* through the one converter."""
    return read_default(f"platform-{name}.toml", cls)


@functools.cache
def _preset(name: str) -> PlatformProfile:
    """The preset *name*, read once (profiles are frozen, so one value serves every caller)."""
    return _read_preset(name, PlatformProfile)
