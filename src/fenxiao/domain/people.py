"""The people who sell: :class:`Influencer` (达人) and :class:`TeamLeader` (招商团长).

>>> from fenxiao.money import Rate
>>> kol = Influencer(id=InfluencerId("kol-1"), name="周周", fans=1_200_000,
...                  mcn_id="mcn-1", mcn_share=Rate.of("30%"))
>>> kol.fans
1200000
"""

from __future__ import annotations

import enum

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.ids import CategoryId, InfluencerId, TeamLeaderId
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate

__all__ = ["Influencer", "LeaderLevel", "TeamLeader"]

#: The highest influencer level accepted (platform levels run from 0 to this).
MAX_INFLUENCER_LEVEL = 10


@attrs.frozen
class Influencer:
    """A promoter (达人) who picks goods from the selection pool.

    Args:
        id: The influencer's id.
        name: Display name.
        fans: Follower count.
        main_category_ids: The categories it mainly sells (主营类目), most important first.
        level: The platform's influencer level, 0-10.
        price_band_low: The low end of its fans' usual price band, if known.
        price_band_high: The high end of that band, if known (not below the low end).
        mcn_id: Its MCN agency, if any.
        mcn_share: The MCN's contractual share of its net commission (given exactly when ``mcn_id`` is).
    """

    id: InfluencerId = attrs.field(converter=v.id_text, validator=v.identifier)
    name: str = attrs.field(validator=v.text)
    fans: int = attrs.field(default=0, validator=v.count)
    main_category_ids: tuple[CategoryId, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    level: int = attrs.field(default=0, validator=v.int_between(0, MAX_INFLUENCER_LEVEL))
    price_band_low: Money | None = attrs.field(default=None, validator=v.optional_money)
    price_band_high: Money | None = attrs.field(default=None, validator=v.optional_money)
    mcn_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    mcn_share: Rate | None = attrs.field(default=None, validator=v.optional_rate)

    def __attrs_post_init__(self) -> None:
        low, high = self.price_band_low, self.price_band_high
        if low is not None and high is not None:
            if low.currency != high.currency:
                raise InvalidValueError("Influencer.price_band_high", high, f"must be in {low.currency}")
            if high < low:
                raise InvalidValueError("Influencer.price_band_high", high, f"must not be below {low}")
        if (self.mcn_id is None) != (self.mcn_share is None):
            raise InvalidValueError(
                "Influencer.mcn_share", self.mcn_share, "must be given exactly when mcn_id is given"
            )


class LeaderLevel(enum.Enum):
    """First-level team leaders run activities; second-level ones work under a first-level leader."""

    FIRST = "first"  #: 一级团长
    SECOND = "second"  #: 二级团长


@attrs.frozen
class TeamLeader:
    """A team leader (招商团长) who recruits merchants and earns a service fee.

    Args:
        id: The leader's id.
        name: Display name.
        level: First or second level.
        parent_id: For a second-level leader, the first-level leader it works under; ``None`` otherwise.
    """

    id: TeamLeaderId = attrs.field(converter=v.id_text, validator=v.identifier)
    name: str = attrs.field(validator=v.text)
    level: LeaderLevel = attrs.field(default=LeaderLevel.FIRST, validator=v.member_of(LeaderLevel))
    parent_id: TeamLeaderId | None = attrs.field(
        default=None, converter=v.optional_id_text, validator=v.optional_identifier
    )

    def __attrs_post_init__(self) -> None:
        if self.level is LeaderLevel.SECOND and self.parent_id is None:
            raise InvalidValueError("TeamLeader.parent_id", None, "a second-level leader needs a parent_id")
        if self.level is LeaderLevel.FIRST and self.parent_id is not None:
            raise InvalidValueError("TeamLeader.parent_id", self.parent_id, "a first-level leader has no parent")
        if self.parent_id == self.id:
            raise InvalidValueError("TeamLeader.parent_id", self.parent_id, "must not be the leader itself")
