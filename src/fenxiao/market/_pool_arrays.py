"""The selection pool as NumPy columns: :meth:`SelectionPool.rank` on whole arrays when NumPy is installed (private).

:class:`PoolArrays` holds one column per value the ranking and the filters read, built once per pool, and computes
the same points, the same filter and the same order as the loop over plain tuples in
:mod:`fenxiao.market.pool`: points by integer addition, ties broken by tier (higher first) and then by listing id
(the pool's entries are kept in listing-id order, so the entry index orders as the id does). Property tests hold
both to the same pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from fenxiao.market.pool import PoolEntry, PoolFilter, RankingWeights

__all__ = ["PoolArrays"]

I64 = NDArray[np.int64]
_INDEX_BITS: Final = 31  # entry indices below 2**31
_TIER_BITS: Final = 3  # 5 - tier rank: 0-5
_MAX_TIER: Final = 5


def _codes(values: Sequence[object]) -> tuple[I64, dict[object, int]]:
    """Each value's code (first seen, first numbered) and the codes by value."""
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(x, len(index)) for x in values), dtype=np.int64, count=len(values))
    return codes, index


class PoolArrays:
    """One NumPy column per value the ranking reads, for the entries of one pool (in its order)."""

    def __init__(
        self,
        entries: Sequence[PoolEntry],
        static: Sequence[Any],
        filters: Sequence[tuple[Any, ...]],
        level1_of: Mapping[str, str],
    ) -> None:
        del level1_of  # the entries' own first-level names are what the ranking compares
        n = len(entries)
        self.size = n
        self.static = np.fromiter((s.points for s in static), dtype=np.int64, count=n)
        self.category, self.category_index = _codes([e.category_id for e in entries])
        self.level1, self.level1_index = _codes([e.category_level1 for e in entries])
        self.currency, self.currency_index = _codes([e.price.currency for e in entries])
        self.leader, self.leader_index = _codes([e.team_leader_id for e in entries])
        self.price = np.fromiter((e.price.fen for e in entries), dtype=np.int64, count=n)
        self.tier = np.fromiter((e.tier.rank for e in entries), dtype=np.int64, count=n)
        self.commission = np.fromiter((f[3] for f in filters), dtype=np.int64, count=n)

    def keep(self, query: PoolFilter, fallback: Callable[[PoolFilter], list[int]]) -> I64:
        """The indices of the entries passing *query* (the test of :meth:`PoolFilter.matches`), in order."""
        if query.badge is not None:  # a set per entry: the loop decides
            return np.array(fallback(query), dtype=np.int64)
        mask = np.ones(self.size, dtype=np.bool_)
        if query.category_ids is not None:
            codes = [self.category_index[c] for c in query.category_ids if c in self.category_index]
            mask &= np.isin(self.category, np.array(codes, dtype=np.int64))
        if query.category_level1 is not None:
            mask &= self.level1 == self.level1_index.get(query.category_level1, -1)
        if query.min_tier is not None:
            mask &= self.tier >= query.min_tier.rank
        if query.min_commission is not None:
            mask &= self.commission >= query.min_commission.ppm
        if query.price_low is not None:
            mask &= self.currency == self.currency_index.get(query.price_low.currency, -1)
            mask &= self.price >= query.price_low.fen
        if query.price_high is not None:
            mask &= self.currency == self.currency_index.get(query.price_high.currency, -1)
            mask &= self.price <= query.price_high.fen
        if query.team_leader_id is not None:
            mask &= self.leader == self.leader_index.get(query.team_leader_id, -1)
        return np.flatnonzero(mask)

    def top(
        self,
        count: int,
        keep: I64 | None,
        fan: tuple[Mapping[str, int], set[str], tuple[int, int, str] | None],
        w: RankingWeights,
    ) -> tuple[int, list[tuple[int, int]]]:
        """How many entries rank, and the first *count* of them in order as ``(points, entry index)`` (*fan*: the
        influencer's main-category points, main first-level names, and price band in fen with its currency)."""
        main_points, main_level1, band = fan

        def cut(column: I64) -> I64:
            return column if keep is None else column[keep]

        points = cut(self.static).copy()
        fit_of = np.full(len(self.category_index), -1, dtype=np.int64)
        for category, points_of_fit in main_points.items():
            code = self.category_index.get(category)
            if code is not None:
                fit_of[code] = points_of_fit
        main_of = np.zeros(len(self.level1_index), dtype=np.bool_)
        for name in main_level1:
            code = self.level1_index.get(name)
            if code is not None:
                main_of[code] = True
        fit = fit_of[cut(self.category)]
        points += np.where(fit >= 0, fit, np.where(main_of[cut(self.level1)], w.same_level1, 0))
        if band is not None:
            low, high, currency = band
            price = cut(self.price)
            same = cut(self.currency) == self.currency_index.get(currency, -1)
            inside = same & (low <= price) & (price <= high)
            near = same & ~inside & (low <= price * 2) & (price <= high * 2)
            points += np.where(inside, w.price_in_band, np.where(near, w.price_near_band, 0))
        total = points.shape[0]
        if total == 0 or count <= 0:
            return total, []
        index = np.arange(self.size, dtype=np.int64) if keep is None else keep
        top_points = int(points.max())
        # One int64 key per entry, smallest first: fewer points, then lower tier, then later listing id, rank later.
        key = (top_points - points) << (_INDEX_BITS + _TIER_BITS)
        key |= (_MAX_TIER - cut(self.tier)) << _INDEX_BITS
        key |= index
        if count < total:
            key = np.partition(key, count - 1)[:count]
        key.sort()
        mask = (1 << _INDEX_BITS) - 1
        return total, [(top_points - int(k >> (_INDEX_BITS + _TIER_BITS)), int(k & mask)) for k in key.tolist()]
