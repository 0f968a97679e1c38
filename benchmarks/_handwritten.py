"""The practical limit: the default model, tier policy, perk catalog and split written by hand in NumPy int64.

What a competent engineer would write for *this one* model without fenxiao: every breakpoint, weight, threshold
and rate hard-coded, no compilation, no input checks, no chunking, one pass over whole columns. It computes the
same exact integers as fenxiao (the benchmarks assert so), which is what makes it a fair limit: a float
``np.interp`` version would be faster and wrong on a few rows in every million.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]
B = NDArray[np.bool_]
MAX_FEN = 10**15 - 1


def _half_even(num: I64, den: I64 | int) -> I64:
    q, r = np.divmod(num, den)
    twice = 2 * r
    return q + ((twice > den) | ((twice == den) & ((q & 1) == 1)))  # type: ignore[no-any-return]


def _ratio(num: I64, den: I64) -> I64:
    """num / den to six places, half to even, by three-digit long division (stays in int64)."""
    q, r = np.divmod(num, den)
    d1, r = np.divmod(r * 1000, den)
    d2, r = np.divmod(r * 1000, den)
    units = q * 1_000_000 + d1 * 1000 + d2
    twice = 2 * r
    units = units + ((twice > den) | ((twice == den) & ((units & 1) == 1)))
    return np.clip(units, -(10**14) - 1, 10**14 + 1)  # type: ignore[no-any-return]


def _curve(m: I64, xs: list[int], ys: list[int]) -> I64:
    """Piecewise-linear points (hundredths) for metric units *m*, exactly as fenxiao's scorecards round."""
    x = np.array(xs, dtype=np.int64)
    y = np.array(ys, dtype=np.int64)
    c = np.clip(m, x[0], x[-1])
    k = np.minimum(np.searchsorted(x, c, side="right") - 1, x.size - 2)
    x0, x1 = x[k], x[k + 1]
    return _half_even(y[k] * (x1 - c) + y[k + 1] * (c - x0), x1 - x0)


def _mean(parts: list[tuple[int, I64, B | None]]) -> I64:
    """The weighted mean (weights in ppm) of the available parts, rounded half to even; 0 when none is."""
    total = np.zeros(parts[0][1].shape[0], dtype=np.int64)
    weights = np.zeros_like(total)
    for weight, points, valid in parts:
        if valid is None:
            total += weight * points
            weights += weight
        else:
            total += np.where(valid, weight * points, 0)
            weights += np.where(valid, weight, 0)
    return np.where(weights > 0, _half_even(total, np.maximum(weights, 1)), 0)


def _context(category: I64, ncat: int, price: I64, rate: I64, gmv: I64) -> tuple[I64, I64, I64, I64]:
    """Per category: twice the median price and rate, and the GMV sample (keys end to end, starts)."""
    sizes = np.bincount(category, minlength=ncat)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    lower, upper = starts + (sizes - 1) // 2, starts + sizes // 2
    span = 2 * MAX_FEN + 1

    def sorted_by_category(values: I64) -> I64:
        return np.sort(category * span + values + MAX_FEN) - np.repeat(np.arange(ncat) * span, sizes) - MAX_FEN

    p, r, g = sorted_by_category(price), sorted_by_category(rate), sorted_by_category(gmv)
    present = sizes > 0
    price2 = np.where(present, p[np.minimum(lower, p.size - 1)] + p[np.minimum(upper, p.size - 1)], 0)
    rate2 = np.where(present, r[np.minimum(lower, r.size - 1)] + r[np.minimum(upper, r.size - 1)], 0)
    # GMV sample: all values up to 1,000 per category, else 1,000 evenly spaced ones (fenxiao's rule).
    take = np.minimum(sizes, 1000)
    owner = np.repeat(np.arange(ncat), take)
    i = np.arange(take.sum()) - np.repeat(np.cumsum(take) - take, take)
    n = sizes[owner]
    position = np.where(n <= 1000, i, (2 * i + 1) * n // 2000)
    sample = g[starts[owner] + position]
    keys = owner * span + sample + MAX_FEN
    sample_starts = np.concatenate(([0], np.cumsum(take)))
    return price2, rate2, keys, sample_starts


def pipeline(c: dict[str, Any]) -> dict[str, NDArray[Any]]:
    """Five scores, composite, tier and the default perks for every row of the benchmark's columns."""
    category = c["category_id"].codes
    ncat = len(c["category_id"].labels)
    price, rate, gmv, units = c["price"], c["commission_rate"], c["gmv_30d"], c["units_30d"]
    price2, rate2, keys, sample_starts = _context(category, ncat, price, rate, gmv)
    span = 2 * MAX_FEN + 1
    row_keys = category * span + gmv + MAX_FEN
    start = sample_starts[category]
    below = np.searchsorted(keys, row_keys, side="left") - start
    upto = np.searchsorted(keys, row_keys, side="right") - start
    size = sample_starts[category + 1] - start

    brand = _mean(
        [
            (200_000, c["brand_registered"] * np.int64(10_000), None),
            (150_000, c["brand_authorised"] * np.int64(10_000), None),
            (200_000, c["flagship_shop"] * np.int64(10_000), None),
            (200_000, c["on_brand_list"] * np.int64(10_000), None),
            (
                250_000,
                _curve(c["brand_gmv_30d"], [0, 10**7, 10**8, 10**9, 10**10], [0, 3000, 6000, 8500, 10000]),
                None,
            ),
        ]
    )
    lowest = c["lowest_price_30d"]
    has_lowest = ~np.ma.getmaskarray(lowest) & (lowest.data != 0)
    median_ok = price2 != 0
    vs_median = _ratio(2 * price, np.where(median_ok[category], price2[category], 1))
    vs_lowest = _ratio(price, np.where(has_lowest, lowest.data, 1))
    price_score = _mean(
        [
            (
                600_000,
                _curve(vs_median, [500_000, 800_000, 1_000_000, 1_300_000, 2_000_000], [10000, 8500, 6000, 3000, 0]),
                median_ok[category],
            ),
            (400_000, _curve(vs_lowest, [1_000_000, 1_100_000, 1_300_000], [10000, 6000, 0]), has_lowest),
        ]
    )
    rate_ok = rate2 != 0
    vs_rate = _ratio(2 * rate, np.where(rate_ok[category], rate2[category], 1))
    distribution = _mean(
        [
            (
                300_000,
                _curve(vs_rate, [0, 500_000, 1_000_000, 1_500_000, 2_000_000], [0, 2000, 6000, 9000, 10000]),
                rate_ok[category],
            ),
            (300_000, _curve(c["promoting_influencers"], [0, 5, 50, 500], [0, 3000, 7000, 10000]), None),
            (200_000, _curve(c["influencer_gmv_share"], [0, 300_000, 700_000, 900_000], [0, 4000, 8000, 10000]), None),
            (200_000, _curve(c["team_leaders"], [0, 1, 3], [0, 6000, 10000]), None),
        ]
    )
    service = _mean(
        [
            (
                300_000,
                _curve(
                    c["experience_score"],
                    [3_500_000, 4_000_000, 4_500_000, 4_800_000, 5_000_000],
                    [0, 4000, 7500, 9500, 10000],
                ),
                None,
            ),
            (150_000, _curve(c["bad_review_rate"], [0, 10_000, 30_000, 80_000], [10000, 9000, 6000, 0]), None),
            (150_000, _curve(c["quality_return_rate"], [0, 10_000, 30_000, 60_000], [10000, 8500, 5000, 0]), None),
            (150_000, _curve(c["refund_rate"], [50_000, 150_000, 300_000, 600_000], [10000, 8000, 4000, 0]), None),
            (100_000, _curve(c["complaint_rate"], [0, 5_000, 20_000, 50_000], [10000, 8000, 3000, 0]), None),
            (
                150_000,
                _curve(c["shipped_48h_rate"], [500_000, 800_000, 950_000, 1_000_000], [0, 5000, 9000, 10000]),
                None,
            ),
        ]
    )
    service = np.where(c["serious_violations_365d"] >= 1, np.minimum(service, 6000), service)
    previous = c["units_prev_30d"]
    growth_ok = previous != 0
    growth = _ratio(units - previous, np.where(growth_ok, previous, 1))
    percentile = _ratio(below + upto, 2 * size)
    sales = _mean(
        [
            (300_000, _curve(units, [0, 1, 100, 1000, 10_000, 100_000], [0, 1000, 4000, 7000, 9000, 10000]), None),
            (300_000, _curve(percentile, [0, 1_000_000], [0, 10000]), None),
            (200_000, _curve(growth, [-500_000, 0, 500_000, 1_000_000], [0, 5000, 8000, 10000]), growth_ok),
            (200_000, _curve(c["repurchase_rate"], [0, 100_000, 300_000, 500_000], [0, 4000, 8000, 10000]), None),
        ]
    )
    composite = _half_even(200_000 * (brand + price_score + distribution + service + sales), 1_000_000)
    days = c["days_since_joining"]
    tier = grade(composite, brand, price_score, distribution, service, sales, units, days, c["serious_violations_365d"])
    out: dict[str, NDArray[Any]] = {
        "score.brand": brand,
        "score.price": price_score,
        "score.distribution": distribution,
        "score.service": service,
        "score.sales": sales,
        "composite": composite,
        "tier": tier,
    }
    out.update(perks(tier, days, c["merchant_standing"].codes == 0))
    return out


def grade(
    composite: I64,
    brand: I64,
    price: I64,
    distribution: I64,
    service: I64,
    sales: I64,
    units: I64,
    days: I64,
    violations: I64,
) -> NDArray[np.int8]:
    """The default tier policy as one np.select, first hit in rule order."""
    conditions = [
        (days < 14) & (units == 0),
        units == 0,
        units < 100,
        (composite >= 9000)
        & (service >= 8000)
        & (brand >= 7000)
        & (price >= 7000)
        & (distribution >= 7000)
        & (sales >= 7000)
        & (units >= 1000)
        & (violations == 0),
        (composite >= 7500) & (service >= 7000) & (units >= 300),
        (composite >= 6000) & (service >= 6000),
        (composite >= 4000) & (service >= 4000),
        units >= 1,
    ]
    return np.select(conditions, np.array([0, 0, 1, 5, 4, 3, 2, 1], dtype=np.int8), default=-1).astype(np.int8)


def perks(tier: NDArray[np.int8], days: I64, normal: B) -> dict[str, NDArray[Any]]:
    """The default perk catalog by tier: the winning entry's index per slot (-1: none), and the subsidy terms."""
    new = days < 14
    none = np.int16(-1)
    # Strongest boost wins: ×2 (L5), ×1.3 (L4), ×1.2 cold start (new SKUs of any tier), ×1.1 (L3), ×1.05 (L2).
    boost = np.select(
        [tier >= 5, tier >= 4, new, tier >= 3, tier >= 2], np.array([11, 7, 0, 4, 2], dtype=np.int16), default=none
    )
    preferred = np.select([tier >= 5, tier >= 4, tier >= 3], np.array([14, 10, 6], dtype=np.int16), default=none)
    badge = np.select([tier >= 5, tier >= 4], np.array([12, 9], dtype=np.int16), default=none)
    subsidy = (tier >= 5) & normal
    return {
        "perk.traffic_boost.traffic": boost.astype(np.int16),
        "perk.access.pool": np.where(tier >= 1, np.int16(1), none),
        "perk.access.leader_activities": np.where(tier >= 2, np.int16(3), none),
        "perk.access.selection_center": np.where(tier >= 3, np.int16(5), none),
        "perk.influencer_preferred.preferred": preferred.astype(np.int16),
        "perk.access.hot_item_channel": np.where(tier >= 4, np.int16(8), none),
        "perk.badge.grade": badge.astype(np.int16),
        "perk.subsidy.official-subsidy": np.where(subsidy, np.int16(13), none),
        "perk.subsidy.official-subsidy.rate_ppm": np.where(subsidy, 50_000, 0),
        "perk.subsidy.official-subsidy.fixed_fen": np.zeros(tier.shape[0], dtype=np.int64),
        "perk.subsidy.official-subsidy.cap_fen": np.where(subsidy, 2000, -1),
    }


def split(o: dict[str, Any]) -> dict[str, I64]:
    """The default profile's split (DOWN rounding, 10% platform fee, 5% tech fee) of every order."""
    paid, shipping, subsidy, refunded = o["paid_fen"], o["shipping_fen"], o["subsidy_fen"], o["refunded_fen"]
    void = o["invalid"]
    leader_ppm, second_ppm, mcn_ppm = o["leader_fee_ppm"], o["second_leader_fee_ppm"], o["mcn_share_ppm"]
    has_leader = ~np.ma.getmaskarray(leader_ppm) & ~void
    has_second = ~np.ma.getmaskarray(second_ppm) & has_leader
    has_mcn = ~np.ma.getmaskarray(mcn_ppm)
    kept = paid - np.minimum(refunded, paid)
    base = kept
    subsidy_kept = subsidy * kept // paid
    commission = np.where(void, 0, base * o["commission_ppm"] // 1_000_000)
    fee = commission // 10
    net = commission - fee
    mcn = np.where(has_mcn, net * mcn_ppm.data // 1_000_000, 0)
    leader = np.where(has_leader, base * leader_ppm.data // 1_000_000, 0)
    second = np.where(has_second, base * second_ppm.data // 1_000_000, 0)
    tech = np.where(void, 0, base // 20)
    merchant = paid + shipping + subsidy_kept - refunded - commission - leader - tech
    return {
        "influencer_fen": net - mcn,
        "mcn_fen": mcn,
        "platform_commission_fee_fen": fee,
        "team_leader_fen": leader - second,
        "second_leader_fen": second,
        "platform_tech_fee_fen": tech,
        "merchant_fen": merchant,
        "buyer_refund_fen": refunded,
        "subsidy_return_fen": subsidy - subsidy_kept,
        "base_fen": base,
        "commission_fen": commission,
        "total_in_fen": paid + shipping + subsidy,
    }
