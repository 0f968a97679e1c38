"""The six grades of goods, L0 (new, no sales) to L5 (精选好物, selected goods): :class:`Tier`.

A value type every part of grading and the market shares, kept low so that the modules built on it (policies,
their gaps and lint, history, perks) never import one another in a circle.

>>> Tier.L5 > Tier.L3, Tier.L5.label_zh, Tier.L3.next_up()
(True, '精选好物', <Tier.L4: 'L4'>)

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["Tier"]


class Tier(enum.Enum):
    """A product grade, L0 (new, no sales) to L5 (精选好物, selected goods). Ordered: ``Tier.L5 > Tier.L2``."""

    L0 = "L0"
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"
    L5 = "L5"

    @property
    def rank(self) -> int:
        """0 for L0 ... 5 for L5."""
        return _RANKS[self._value_]

    # Written out (not functools.total_ordering): tiers are compared in hot loops.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self._value_] < _RANKS[other._value_]

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self._value_] <= _RANKS[other._value_]

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self._value_] > _RANKS[other._value_]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self._value_] >= _RANKS[other._value_]

    def __hash__(self) -> int:
        return hash(self._value_)

    @property
    def label_zh(self) -> str:
        """The default Chinese label (configurable per policy: see :attr:`TierPolicy.labels`)."""
        return _LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        """The default English label."""
        return _LABELS_EN[self]

    def next_up(self) -> Tier | None:
        """The tier above, or ``None`` for L5."""
        return None if self is Tier.L5 else Tier(f"L{self.rank + 1}")


_RANKS: Final = {"L0": 0, "L1": 1, "L2": 2, "L3": 3, "L4": 4, "L5": 5}

_LABELS_ZH: Final = {
    Tier.L0: "新品",
    Tier.L1: "有动销",
    Tier.L2: "达标商品",
    Tier.L3: "优质好物",
    Tier.L4: "行业爆款",
    Tier.L5: "精选好物",
}
_LABELS_EN: Final = {
    Tier.L0: "new",
    Tier.L1: "selling",
    Tier.L2: "qualified",
    Tier.L3: "quality",
    Tier.L4: "hot item",
    Tier.L5: "selected goods",
}
