"""Seeded columnar generators for the benchmarks: SKU rows and order rows at any size, in seconds not hours.

:func:`fenxiao.sample.generate_catalog` builds objects and slows down past ~50k SKUs; these build NumPy columns
directly, in the columnar path's units (fen, parts per million, millionths of a point), with the same realistic
shapes (DOMAIN.md "Realistic ranges"): ~1,000 third-level categories with their own price levels, a
heavy-tailed 30-day GMV (a Pareto tail), commission mostly 15-35%, refund rates by category, team-leader fees
1-10%. A seed gives the same columns on every run with the same NumPy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fenxiao.columnar import CodedText
from fenxiao.domain.ids import CategoryId, SkuId
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.money import Money, Rate

#: How many third-level categories the generated SKUs fall into (快分销 reported 1,000+).
CATEGORIES = 1000
#: The moment every generated snapshot is observed.
AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
_STANDINGS = ("normal", "warned", "restricted")


def _ppm(rng: np.random.Generator, low: NDArray[np.int64], high: NDArray[np.int64]) -> NDArray[np.int64]:
    """Per-mille rates drawn between *low* and *high* (per-mille), as parts per million."""
    return (rng.integers(0, 1 << 30, low.shape[0]) % (high - low + 1) + low) * 1000


def sku_columns(n: int, *, seed: int = 20211130) -> dict[str, Any]:
    """*n* SKU rows with every column the default scorer, tier policy and perk catalog read.

    ``category_id`` and ``merchant_standing`` are :class:`~fenxiao.columnar.CodedText`; ``days_since_joining``
    replaces ``joined_at``; ``lowest_price_30d`` is a masked array (unknown for one SKU in ten).
    """
    rng = np.random.default_rng(seed)
    category = rng.zipf(1.3, n) % CATEGORIES  # a few big categories, a long tail of small ones
    median_price = np.random.default_rng(seed + 1).integers(1000, 300_000, CATEGORIES)
    price = np.maximum(100, median_price[category] * rng.integers(40, 220, n) // 100)
    sells = rng.random(n) >= 0.08
    gmv_multiple = (rng.random(n) ** 2) / (1.0 - rng.random(n))  # Pareto-tailed, P(X > x) ~ 1/x
    units = np.where(sells, np.maximum(1, (np.minimum(gmv_multiple, 3000.0) * 3_000_000).astype(np.int64) // price), 0)
    previous = np.maximum(0, units * rng.integers(50, 160, n) // 100 + rng.integers(-5, 6, n))
    lowest = np.minimum(price, price * rng.integers(75, 101, n) // 100)
    selling = units > 0
    refund_low = (np.arange(CATEGORIES) * 7) % 300 + 20
    experience = rng.integers(3_800_000, 5_000_001, n)
    columns: dict[str, Any] = {
        "sku_id": CodedText(np.arange(n, dtype=np.int64), [f"sku-{i}" for i in range(n)]) if n <= 200_000 else None,
        "category_id": CodedText(category.astype(np.int64), [f"c-{i:04d}" for i in range(CATEGORIES)]),
        "price": price,
        "lowest_price_30d": np.ma.masked_array(lowest, mask=rng.random(n) < 0.1),
        "units_30d": units,
        "gmv_30d": units * price,
        "units_prev_30d": previous,
        "repurchase_rate": np.where(selling, rng.integers(0, 451, n) * 1000, 0),
        "commission_rate": _ppm(rng, np.full(n, 150), np.full(n, 350)),
        "promoting_influencers": np.where(
            selling, np.minimum(5000, units * price // rng.integers(200_000, 2_000_000, n) + 1), 0
        ),
        "influencer_gmv_share": np.where(selling, rng.integers(300, 951, n) * 1000, 0),
        "team_leaders": np.where(rng.random(n) < 0.4, 0, rng.integers(1, 5, n)),
        "experience_score": experience,
        "bad_review_rate": np.where(selling, rng.integers(2, 61, n) * 1000, 0),
        "quality_return_rate": np.where(selling, rng.integers(0, 41, n) * 1000, 0),
        "refund_rate": np.where(selling, _ppm(rng, refund_low[category], refund_low[category] + 300), 0),
        "complaint_rate": np.where(selling, rng.integers(0, 16, n) * 1000, 0),
        "shipped_48h_rate": rng.integers(700, 1001, n) * 1000,
        "brand_registered": rng.random(n) < 0.3,
        "brand_authorised": rng.random(n) < 0.35,
        "flagship_shop": rng.random(n) < 0.2,
        "on_brand_list": rng.random(n) < 0.1,
        "brand_gmv_30d": np.where(rng.random(n) < 0.35, units * price * rng.integers(3, 32, n), 0),
        "serious_violations_365d": (rng.random(n) < 0.05).astype(np.int64),
        "days_since_joining": np.where(rng.random(n) < 0.12, rng.integers(0, 14, n), rng.integers(14, 401, n)),
        "merchant_standing": CodedText(
            np.where(rng.random(n) < 0.93, 0, np.where(rng.random(n) < 0.7, 1, 2)).astype(np.int64), _STANDINGS
        ),
    }
    # Stars: about one SKU in thirty is strong on every dimension (a real brand, a good shop, real volume), as
    # 精选好物 candidates are; without them the top grades would be empty.
    star = rng.random(n) < 0.035
    stars = int(star.sum())
    strong = {
        "units_30d": rng.integers(300, 60_000, stars),
        "repurchase_rate": rng.integers(300, 600, stars) * 1000,
        "commission_rate": rng.integers(280, 400, stars) * 1000,
        "promoting_influencers": rng.integers(60, 1500, stars),
        "influencer_gmv_share": rng.integers(700, 951, stars) * 1000,
        "team_leaders": rng.integers(2, 6, stars),
        "experience_score": rng.integers(4_000_000, 5_000_001, stars),
        "bad_review_rate": rng.integers(0, 31, stars) * 1000,
        "quality_return_rate": rng.integers(0, 11, stars) * 1000,
        "refund_rate": rng.integers(20, 300, stars) * 1000,
        "complaint_rate": rng.integers(0, 6, stars) * 1000,
        "shipped_48h_rate": rng.integers(950, 1001, stars) * 1000,
        "serious_violations_365d": np.zeros(stars, dtype=np.int64),
        "days_since_joining": rng.integers(30, 401, stars),
    }
    for name, values in strong.items():
        columns[name] = columns[name].copy()
        columns[name][star] = values
    for flag in ("brand_registered", "brand_authorised", "flagship_shop", "on_brand_list"):
        columns[flag] = columns[flag] | star
    columns["price"] = np.where(star, np.maximum(100, median_price[category] * rng.integers(60, 100, n) // 100), price)
    columns["gmv_30d"] = columns["units_30d"] * columns["price"]
    columns["units_prev_30d"] = np.where(star, columns["units_30d"] * rng.integers(50, 95, n) // 100, previous)
    columns["brand_gmv_30d"] = np.where(star, columns["gmv_30d"] * rng.integers(20, 200, n), columns["brand_gmv_30d"])
    low = columns["lowest_price_30d"]
    columns["lowest_price_30d"] = np.ma.masked_array(np.where(star, columns["price"], low.data), mask=low.mask & ~star)
    if columns["sku_id"] is None:
        del columns["sku_id"]
    return columns


def input_bytes(columns: dict[str, Any]) -> int:
    """The memory the columns hold (values, masks and codes; not the labels' text)."""
    total = 0
    for value in columns.values():
        if isinstance(value, CodedText):
            total += value.codes.nbytes
        elif isinstance(value, np.ma.MaskedArray):
            total += value.data.nbytes + np.ma.getmaskarray(value).nbytes
        elif isinstance(value, np.ndarray):
            total += value.nbytes
    return total


def snapshots(columns: dict[str, Any], rows: int) -> list[SkuSnapshot]:
    """The first *rows* rows as :class:`~fenxiao.domain.snapshots.SkuSnapshot` objects (for the object path)."""
    out = []
    labels = columns["category_id"].labels
    codes = columns["category_id"].codes
    lowest = columns["lowest_price_30d"]
    for i in range(rows):
        joined = AS_OF - timedelta(days=int(columns["days_since_joining"][i]))
        out.append(
            SkuSnapshot(
                sku_id=SkuId(f"sku-{i}"),
                category_id=CategoryId(labels[codes[i]]),
                observed_at=AS_OF,
                joined_at=joined,
                price=Money(int(columns["price"][i])),
                lowest_price_30d=None if lowest.mask[i] else Money(int(lowest.data[i])),
                units_30d=int(columns["units_30d"][i]),
                gmv_30d=Money(int(columns["gmv_30d"][i])),
                units_prev_30d=int(columns["units_prev_30d"][i]),
                repurchase_rate=Rate.from_ppm(int(columns["repurchase_rate"][i])),
                commission_rate=Rate.from_ppm(int(columns["commission_rate"][i])),
                promoting_influencers=int(columns["promoting_influencers"][i]),
                influencer_gmv_share=Rate.from_ppm(int(columns["influencer_gmv_share"][i])),
                team_leaders=int(columns["team_leaders"][i]),
                experience_score=Decimal(int(columns["experience_score"][i])).scaleb(-6),
                bad_review_rate=Rate.from_ppm(int(columns["bad_review_rate"][i])),
                quality_return_rate=Rate.from_ppm(int(columns["quality_return_rate"][i])),
                refund_rate=Rate.from_ppm(int(columns["refund_rate"][i])),
                complaint_rate=Rate.from_ppm(int(columns["complaint_rate"][i])),
                shipped_48h_rate=Rate.from_ppm(int(columns["shipped_48h_rate"][i])),
                brand_registered=bool(columns["brand_registered"][i]),
                brand_authorised=bool(columns["brand_authorised"][i]),
                flagship_shop=bool(columns["flagship_shop"][i]),
                on_brand_list=bool(columns["on_brand_list"][i]),
                brand_gmv_30d=Money(int(columns["brand_gmv_30d"][i])),
                serious_violations_365d=int(columns["serious_violations_365d"][i]),
            )
        )
    return out


def order_columns(n: int, *, seed: int = 20211111) -> dict[str, Any]:
    """*n* order rows for :func:`~fenxiao.columnar.settle_columns`: ¥5-¥2,000 goods, 20-30% commission mostly,
    a team leader on two orders in five (1-10%), an MCN on one in three, refunds on one in five, a few invalid."""
    rng = np.random.default_rng(seed)
    paid = (np.exp(rng.normal(8.5, 1.2, n)).astype(np.int64) + 500).clip(1, 10**9)
    has_leader = rng.random(n) < 0.4
    leader = rng.integers(10, 101, n) * 1000
    refunded = np.where(rng.random(n) < 0.2, rng.integers(0, paid + 1), 0)
    return {
        "paid_fen": paid,
        "commission_ppm": rng.integers(150, 351, n) * 1000,
        "shipping_fen": np.where(rng.random(n) < 0.3, rng.integers(0, 1500, n), 0),
        "subsidy_fen": np.where(rng.random(n) < 0.1, np.minimum(2000, paid * 5 // 100), 0),
        "refunded_fen": refunded,
        "invalid": rng.random(n) < 0.02,
        "leader_fee_ppm": np.ma.masked_array(leader, mask=~has_leader),
        "second_leader_fee_ppm": np.ma.masked_array(leader // 2, mask=~(has_leader & (rng.random(n) < 0.3))),
        "mcn_share_ppm": np.ma.masked_array(rng.integers(200, 501, n) * 1000, mask=rng.random(n) >= 0.33),
    }


def order_input_bytes(columns: dict[str, Any]) -> int:
    """The memory the order columns hold."""
    return input_bytes(columns)
