"""The selection pool: one ranking query over 100,000 listings on one core."""

from __future__ import annotations

import random
from decimal import Decimal

from _harness import Result, best_of, render

from fenxiao import CategoryId, Influencer, InfluencerId, Money, PoolFilter, Rate, SelectionPool, Tier
from fenxiao.market.pool import PoolEntry

TITLE = "pool: rank 100,000 listings for one influencer (one core)"
CATEGORIES = [(f"c-{i:03d}", f"L1-{i % 12}") for i in range(1000)]


def _entries(n: int, seed: int = 7) -> list[PoolEntry]:
    rng = random.Random(seed)
    tiers = list(Tier)
    out = []
    for i in range(n):
        cat = CATEGORIES[int(rng.random() * len(CATEGORIES))]
        out.append(
            PoolEntry(
                listing_id=f"l-{i:07d}",
                sku_id=f"s-{i:07d}",
                merchant_id=f"m-{i % 5000}",
                category_id=cat[0],
                category_level1=cat[1],
                title="货",
                price=Money(100 + int(rng.random() * 100_000)),
                commission_rate=Rate.from_permille(int(rng.random() * 500)),
                team_leader_id=None,
                tier=tiers[int(rng.random() * 6)],
                composite=Decimal(int(rng.random() * 100)),
                service_score=Decimal(int(rng.random() * 100)),
                preferred_boost=int(rng.random() * 20),
            )
        )
    return out


def run(quick: bool = False) -> str:
    """Time one ranking query (and one filtered query) against a bare sort of the same number of tuples."""
    n = 20_000 if quick else 100_000
    entries = _entries(n)
    pool = SelectionPool(entries)
    fan = Influencer(
        InfluencerId("kol-1"),
        "达人",
        main_category_ids=(CategoryId("c-001"), CategoryId("c-002")),
        price_band_low=Money.of("20.00"),
        price_band_high=Money.of("300.00"),
    )
    keys = [(-int(e.composite), e.listing_id) for e in entries]
    repeat = 3 if quick else 5
    results = [
        Result(f"sorted() of {n:,} prepared tuples (baseline)", best_of(lambda: sorted(keys), number=1, repeat=repeat)),
        Result(
            f"SelectionPool.rank, {n:,} listings, page 1",
            best_of(lambda: pool.rank(fan, page_size=20), number=1, repeat=repeat),
            f"sorted() of {n:,} prepared tuples (baseline)",
        ),
        Result(
            "SelectionPool.rank with a filter (tier >= L3, price band)",
            best_of(
                lambda: pool.rank(
                    fan, PoolFilter(min_tier=Tier.L3, price_low=Money.of("20.00"), price_high=Money.of("300.00"))
                ),
                number=1,
                repeat=repeat,
            ),
            f"sorted() of {n:,} prepared tuples (baseline)",
        ),
    ]
    return render(TITLE, results)
