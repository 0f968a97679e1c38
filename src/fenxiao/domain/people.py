"""The people who sell: :class:`Influencer` (达人), its agency :class:`Mcn`, and :class:`TeamLeader` (招商团长).

>>> from fenxiao.money import Rate
>>> kol = Influencer(id=InfluencerId("kol-1"), name="周周", fans=1_200_000,
...                  mcn_id="mcn-1", mcn_share=Rate.of("30%"))
>>> kol.fans
1200000
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.ids import CategoryId, InfluencerId, TeamLeaderId
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate

__all__ = ["Influencer", "LeaderLevel", "Mcn", "McnContract", "TeamLeader"]

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


# -- MCN agencies ------------------------------------------------------------------------------------------


@attrs.frozen
class McnContract:
    """An MCN's contract with one influencer: its share of the influencer's net commission, for a while.

    Args:
        influencer_id: The signed influencer.
        share: The agency's share of the influencer's net commission (after the platform's fee).
        valid_from: When the contract starts (timezone-aware).
        valid_until: When it ends (exclusive), or ``None`` for open-ended.

    .. versionadded:: 0.2
    """

    influencer_id: InfluencerId = attrs.field(converter=v.id_text, validator=v.identifier)
    share: Rate = attrs.field(validator=v.rate)
    valid_from: datetime = attrs.field(validator=v.aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)

    def __attrs_post_init__(self) -> None:
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise InvalidValueError("McnContract.valid_until", self.valid_until, "must be after valid_from")

    def in_force(self, at: datetime) -> bool:
        """Whether the contract holds at *at* (start inclusive, end exclusive)."""
        moment = v.require_aware(at, "McnContract.in_force.at")
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)


def _contracts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("Mcn.contracts", value, "must be a tuple of McnContract")
    by_influencer: dict[str, list[McnContract]] = {}
    for i, contract in enumerate(value):
        if not isinstance(contract, McnContract):
            raise InvalidValueError(f"Mcn.contracts[{i}]", contract, "must be a McnContract")
        for other in by_influencer.get(contract.influencer_id, []):
            ends_after = other.valid_until is None or other.valid_until > contract.valid_from
            starts_before = contract.valid_until is None or other.valid_from < contract.valid_until
            if ends_after and starts_before:
                raise InvalidValueError(
                    f"Mcn.contracts[{i}].valid_from",
                    contract.valid_from,
                    f"overlaps another contract with influencer {contract.influencer_id}",
                )
        by_influencer.setdefault(contract.influencer_id, []).append(contract)


@attrs.frozen
class Mcn:
    """An MCN agency (MCN机构): a party with its own terms, not just an id and a share on each influencer.

    The agency's contracts say which influencers it represents, from when to when, and for what share of their
    net commission; :meth:`share_for` reads the contract in force at the moment of sale, and
    :meth:`fenxiao.settlement.OrderTerms.from_decision` (given ``mcn=``) takes the MCN's share from it. An
    influencer whose contract has ended, or not yet begun, pays the agency nothing on that sale.

    Args:
        id: The agency's id (what :attr:`Influencer.mcn_id` names).
        name: Display name.
        contracts: One contract per influencer and period (an influencer's contracts may not overlap).

    >>> from datetime import datetime, timezone
    >>> start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> mcn = Mcn(id="mcn-1", name="星河传媒",
    ...           contracts=(McnContract("kol-1", Rate.of("30%"), start, datetime(2026, 7, 1, tzinfo=timezone.utc)),))
    >>> str(mcn.share_for("kol-1", at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
    '30%'
    >>> mcn.share_for("kol-1", at=datetime(2026, 8, 1, tzinfo=timezone.utc)) is None
    True

    .. versionadded:: 0.2
    """

    id: str = attrs.field(validator=v.identifier)
    name: str = attrs.field(validator=v.text)
    contracts: tuple[McnContract, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_contracts)

    def contract_for(self, influencer_id: str, *, at: datetime) -> McnContract | None:
        """The contract with *influencer_id* in force at *at*, or ``None``."""
        moment = v.require_aware(at, "Mcn.contract_for.at")
        return next((c for c in self.contracts if c.influencer_id == influencer_id and c.in_force(moment)), None)

    def share_for(self, influencer_id: str, *, at: datetime) -> Rate | None:
        """The agency's share of *influencer_id*'s net commission at *at*, or ``None`` when no contract holds."""
        contract = self.contract_for(influencer_id, at=at)
        return None if contract is None else contract.share
