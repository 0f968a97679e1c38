"""Team-leader activities (招商活动): a first-level leader recruits merchants' goods for a fee.

>>> from datetime import datetime, timezone
>>> from fenxiao.money import Rate
>>> activity = TeamLeaderActivity(id="act-1", leader_id="tl-1", service_fee_rate=Rate.of("5%"),
...                               valid_from=datetime(2026, 11, 1, tzinfo=timezone.utc), min_commission=Rate.of("10%"))
>>> str(activity.min_commission_for("c-gold"))
'10%'

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.goods import Category
from fenxiao.domain.ids import TeamLeaderId
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Rate
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.profiles import _category_keys

if TYPE_CHECKING:
    from fenxiao.settlement.profiles import PlatformProfile

__all__ = ["ActivityKind", "CategoryMinimum", "SecondLevelTerms", "TeamLeaderActivity"]

_ZERO: Final = Rate.zero()


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

    leader_id: TeamLeaderId = attrs.field(converter=v.id_text, validator=v.identifier)
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
    leader_id: TeamLeaderId = attrs.field(converter=v.id_text, validator=v.identifier)
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
        """Check the activity against *profile*: the fee meets the category floor and the profile's maximum,
        fee + minimum fit the cap, and each second-level fee is within the profile's share of the first-level fee.

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
        for i, second in enumerate(self.second_levels):
            profile.check_second_level(
                second.fee_rate,
                first_level=self.service_fee_rate,
                path=f"TeamLeaderActivity.second_levels[{i}].fee_rate",
            )
