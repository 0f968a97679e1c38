"""The kinds of commission plan (推广计划) and which kind wins when several cover one sale.

>>> PlanKind.EXCLUSIVE.label_zh, DEFAULT_PRECEDENCE[0] is PlanKind.EXCLUSIVE
('专属计划', True)

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from typing import Final

from fenxiao.errors import InvalidValueError, PolicyError

__all__ = ["DEFAULT_PRECEDENCE", "PlanKind", "check_precedence"]


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


def check_precedence(precedence: object, path: str) -> tuple[PlanKind, ...]:
    """*precedence* if it is a tuple listing each :class:`PlanKind` once, else an error naming *path*."""
    if not isinstance(precedence, tuple) or any(not isinstance(k, PlanKind) for k in precedence):
        raise InvalidValueError(path, precedence, "must be a tuple of PlanKind")
    if len(set(precedence)) != len(precedence) or set(precedence) != set(PlanKind):
        names = ", ".join(k.value for k in PlanKind)
        raise PolicyError(path, tuple(k.value for k in precedence), f"must list each plan kind once ({names})")
    return precedence
