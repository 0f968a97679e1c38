"""The object path near its limit (issue 21): fenxiao against hand-written Python that reproduces its output.

Each hand-written baseline is what a competent engineer would write for this one model without fenxiao: the
default policy and profile hard-coded, no checks, plain ints and Decimals. Before anything is timed each baseline
is checked to give fenxiao's exact output on every input of the run. The cases take turns (interleaved, best of
N, each warmed up first: ``_throughput.interleaved_best``), and the ratio is fenxiao's time over the baseline's.

``python benchmarks/run.py object`` runs every row; ``--quick`` uses fewer items and turns.
"""

from __future__ import annotations

import bisect
import functools
import random
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import bench_pool
import numpy as np
from _generate import order_columns
from _throughput import Row, Target, interleaved_best, render
from bench_settlement import _orders

from fenxiao.columnar import settle_columns
from fenxiao.domain.goods import Standing
from fenxiao.domain.ids import CategoryId, InfluencerId
from fenxiao.domain.people import Influencer
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.grading.inputs import score_inputs
from fenxiao.grading.pipeline import GradedSku, catalog_as_of, grade_catalog
from fenxiao.grading.tiers import TierDecision, default_tier_policy
from fenxiao.market.pool import SelectionPool
from fenxiao.money import Money, Rate
from fenxiao.sample import generate_catalog
from fenxiao.scoring.context import ScoringContext, build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import Dimension, DimensionScore, SkuScores
from fenxiao.settlement.orders import Order, OrderEventKind
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import split

TITLE = "object path: fenxiao against hand-written Python reproducing its output (one core)"

# -- (a) split() of one pre-built order -------------------------------------------------------------------------

_REFUNDED = OrderEventKind.REFUNDED
_INVALIDATED = OrderEventKind.INVALIDATED


def hand_split(order: Order) -> list[tuple[str, int]]:
    """The default profile's split (rounding down, 10% fee on the commission, 5% tech fee) of one Order, read
    off the same object: every line as (party, fen), in fenxiao's order."""
    terms = order.terms
    paid, shipping, subsidy = order.paid.fen, order.shipping.fen, order.subsidy.fen
    refunded = 0
    invalid = False
    for event in order.events:
        if event.kind is _REFUNDED:
            refunded += event.amount.fen  # type: ignore[union-attr]
        elif event.kind is _INVALIDATED:
            invalid = True
    base = paid - (refunded if refunded < paid else paid)
    subsidy_kept = subsidy * base // paid
    live = 0 if invalid else base
    commission = live * terms.commission_rate.ppm // 1_000_000
    fee = commission // 10
    net = commission - fee
    mcn = net * terms.mcn_share.ppm // 1_000_000 if terms.mcn_share is not None else 0
    leader = live * terms.leader_fee_rate.ppm // 1_000_000 if terms.leader_fee_rate is not None else 0
    second = live * terms.second_leader_fee_rate.ppm // 1_000_000 if terms.second_leader_fee_rate is not None else 0
    tech = live // 20
    merchant = paid + shipping + subsidy_kept - refunded - commission - leader - tech
    lines = [("influencer", net - mcn)]
    if terms.mcn_id is not None:
        lines.append(("mcn", mcn))
    lines.append(("platform_commission_fee", fee))
    if terms.leader_id is not None:
        lines.append(("team_leader", leader - second))
    if terms.second_leader_id is not None:
        lines.append(("second_leader", second))
    lines.append(("platform_tech_fee", tech))
    lines.append(("merchant", merchant))
    if refunded:
        lines.append(("buyer_refund", refunded))
    if subsidy - subsidy_kept:
        lines.append(("subsidy_return", subsidy - subsidy_kept))
    return lines


def _split_cases(count: int) -> dict[str, Callable[[], object]]:
    orders = _orders(order_columns(count), count)
    profile = PlatformProfile()
    for i, order in enumerate(orders):
        got = [(line.party.value, line.amount.fen) for line in split(order, profile).lines]
        if got != hand_split(order):
            raise SystemExit(f"bench_object: the hand split of order {i} differs from split()")
    return {
        "split_hand": _loop(hand_split, orders),
        "split": _loop(lambda o: split(o, profile), orders),
        # split() builds its lines on first read: this case reads them, as the hand split returns them
        "split_read": _loop(lambda o: split(o, profile).lines, orders),
    }


# -- (b) a tier from a raw record -------------------------------------------------------------------------------

_CENT = Decimal("0.01")
_T = {n: Decimal(n) for n in (40, 60, 70, 75, 80, 90)}


def hand_tier(r: dict[str, Any]) -> int:  # noqa: PLR0911 - an if/elif is the point
    """The default tier policy as an if/elif over a raw record (five Decimal scores, three counts): the rank."""
    brand, price, dist, service, sales = r["brand"], r["price"], r["distribution"], r["service"], r["sales"]
    composite = ((brand + price + dist + service + sales) / 5).quantize(_CENT, ROUND_HALF_EVEN)
    units, days = r["units_30d"], r["days_since_joining"]
    t = _T
    if units == 0:
        return 0
    if units < 100:
        return 1
    if (
        composite >= t[90]
        and service >= t[80]
        and brand >= t[70]
        and price >= t[70]
        and dist >= t[70]
        and sales >= t[70]
        and units >= 1000
        and r["serious_violations_365d"] == 0
    ):
        return 5
    if composite >= t[75] and service >= t[70] and units >= 300:
        return 4
    if composite >= t[60] and service >= t[60]:
        return 3
    if composite >= t[40] and service >= t[40]:
        return 2
    del days  # read by the first rule only together with units == 0
    return 1


_DIMENSIONS = tuple(Dimension)
_KEYS = tuple((d, d.value) for d in _DIMENSIONS)
_POLICY = default_tier_policy()


def fenxiao_tier(r: dict[str, Any]) -> int:
    """The same with fenxiao: five DimensionScores, SkuScores.of, the tier inputs, TierPolicy.grade."""
    card = SkuScores.of(r["sku_id"], [DimensionScore(d, r[k]) for d, k in _KEYS])
    inputs = score_inputs(card)
    inputs["units_30d"] = r["units_30d"]
    inputs["days_since_joining"] = r["days_since_joining"]
    inputs["serious_violations_365d"] = r["serious_violations_365d"]
    inputs["units_vs_category"] = None  # no category benchmark: the hand if/elif's absolute bar (rule low-sales)
    return _POLICY.grade(inputs).rank


def _records(count: int, seed: int = 21) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        level = rng.choice((35, 55, 70, 80, 92))
        record: dict[str, Any] = {
            d.value: Decimal(min(10_000, max(0, level * 100 + rng.randint(-1500, 1500)))).scaleb(-2)
            for d in _DIMENSIONS
        }
        record.update(
            sku_id=f"sku-{i}",
            units_30d=rng.choice((0, 40, 150, 500, 2_000)),
            days_since_joining=rng.randint(0, 90),
            serious_violations_365d=rng.choice((0, 0, 0, 1)),
        )
        out.append(record)
    return out


def _tier_cases(count: int) -> dict[str, Callable[[], object]]:
    records = _records(count)
    for i, record in enumerate(records):
        if hand_tier(record) != fenxiao_tier(record):
            raise SystemExit(f"bench_object: the hand tier of record {i} differs from fenxiao's")
    return {"tier_hand": _loop(hand_tier, records), "tier": _loop(fenxiao_tier, records)}


# -- (c) decide + reading the whole explanation ----------------------------------------------------------------

_K = {n: Decimal(n) for n in (0, 1, 14, 40, 50, 60, 70, 75, 80, 90, 100, 300, 1000)}
_SCORES = ("score.brand", "score.price", "score.distribution", "score.sales")


def _ge(name: str, threshold: Decimal, actual: Any) -> tuple[Any, ...]:
    """One ``>=`` check as (input, op, threshold, actual, passed, gap): the gap to the threshold when unmet."""
    ok = actual >= threshold
    return (name, ">=", threshold, actual, ok, None if ok else threshold - actual)


def hand_explained(r: dict[str, Any]) -> tuple[Any, ...]:  # noqa: PLR0911 - an if/elif is the point
    """The default tier policy decided by hand with its whole explanation: the deciding rule, every rule tried
    with its checks (input, op, threshold, actual, passed, gap) and whether it matched, and the next-tier gap
    (tier rank, rule, the unmet checks, reachable), as fenxiao's ``decide`` explains it."""
    k = _K
    days, units, per_category = r["days_since_joining"], r["units_30d"], r["units_vs_category"]
    composite, service = r["composite"], r["score.service"]
    trace: list[tuple[str, list[tuple[Any, ...]], bool]] = []
    young, none = days < 14, units == 0
    trace.append(
        (
            "new-sku",
            [
                ("days_since_joining", "<", k[14], days, young, None if young else k[14] - days),
                ("units_30d", "==", k[0], units, none, None),
            ],
            young and none,
        )
    )
    to_one = ("units_30d", ">=", k[1], units, False, k[1] - units)  # the gap of an L0 SKU: one sale
    if young and none:
        return (
            "new-sku",
            trace,
            (
                1,
                "low-sales-in-category" if per_category is not None and per_category < 50 else "selling",
                [to_one],
                True,
            ),
        )
    trace.append(("no-sales", [("units_30d", "==", k[0], units, none, None)], none))
    if none:
        return (
            "no-sales",
            trace,
            (
                1,
                "low-sales-in-category" if per_category is not None and per_category < 50 else "selling",
                [to_one],
                True,
            ),
        )
    low = per_category is not None and per_category < 50
    gap = None if low or per_category is None else k[50] - per_category
    trace.append(("low-sales-in-category", [("units_vs_category", "<", k[50], per_category, low, gap)], low))

    def qualified() -> list[tuple[Any, ...]]:
        return [c for c in (_ge("composite", k[40], composite), _ge("score.service", k[40], service)) if not c[4]]

    if low:
        escape = ("units_vs_category", ">=", k[50], per_category, False, k[50] - per_category)
        return "low-sales-in-category", trace, (2, "qualified", [*qualified(), escape], True)
    benchmarked = per_category is not None and per_category >= 0
    few = units < 100
    trace.append(
        (
            "low-sales",
            [
                ("units_vs_category", ">=", k[0], per_category, not benchmarked, None),
                ("units_30d", "<", k[100], units, few, None if few else k[100] - units),
            ],
            not benchmarked and few,
        )
    )
    if not benchmarked and few:
        escape = ("units_30d", ">=", k[100], units, False, k[100] - units)
        return "low-sales", trace, (2, "qualified", [*qualified(), escape], True)
    violations = r["serious_violations_365d"]
    top = [
        _ge("composite", k[90], composite),
        _ge("score.service", k[80], service),
        *(_ge(name, k[70], r[name]) for name in _SCORES),
        _ge("units_30d", k[1000], units),
        ("serious_violations_365d", "==", k[0], violations, violations == 0, None),
    ]
    top_ok = all(c[4] for c in top)
    trace.append(("selected-goods", top, top_ok))
    if top_ok:
        return "selected-goods", trace, None
    hot = [_ge("composite", k[75], composite), _ge("score.service", k[70], service), _ge("units_30d", k[300], units)]
    hot_ok = all(c[4] for c in hot)
    trace.append(("hot-item", hot, hot_ok))
    if hot_ok:
        return "hot-item", trace, (5, "selected-goods", [c for c in top if not c[4]], True)
    good = [_ge("composite", k[60], composite), _ge("score.service", k[60], service)]
    good_ok = all(c[4] for c in good)
    trace.append(("quality", good, good_ok))
    if good_ok:
        return "quality", trace, (4, "hot-item", [c for c in hot if not c[4]], True)
    fair = [_ge("composite", k[40], composite), _ge("score.service", k[40], service)]
    fair_ok = all(c[4] for c in fair)
    trace.append(("qualified", fair, fair_ok))
    if fair_ok:
        return "qualified", trace, (3, "quality", [c for c in good if not c[4]], True)
    trace.append(("selling", [_ge("units_30d", k[1], units)], True))  # units > 0 here
    return "selling", trace, (2, "qualified", [c for c in fair if not c[4]], True)


def explained_form(decision: TierDecision) -> tuple[Any, ...]:
    """A decision read in full, in the hand-written form: the rule, the trace and the next-tier gap."""
    trace = [
        (name, [(c.input, c.op.value, c.threshold, c.actual, c.passed, c.gap) for c in checks], matched)
        for name, checks, matched in decision.checks
    ]
    gap = decision.next_tier_gap
    if gap is None:
        return decision.rule, trace, None
    unmet = [(c.input, c.op.value, c.threshold, c.actual, c.passed, c.gap) for c in gap.unmet]
    return decision.rule, trace, (gap.tier.rank, gap.rule, unmet, gap.reachable)


def fenxiao_explained(inputs: dict[str, Any]) -> tuple[object, object]:
    """``decide`` and read the whole explanation: every rule's checks and the next-tier gap."""
    decision = _POLICY.decide(inputs)
    return decision.checks, decision.next_tier_gap


def _explained_inputs(count: int) -> list[dict[str, Any]]:
    """Tier inputs of the records of :func:`_records` (as ``score_inputs`` gives them), with a category benchmark
    (``units_vs_category``) drawn for some and missing for the others."""
    rng = random.Random(2103)
    out = []
    for record in _records(count):
        inputs: dict[str, Any] = score_inputs(
            SkuScores.of(record["sku_id"], [DimensionScore(d, record[k]) for d, k in _KEYS])
        )
        for name in ("units_30d", "days_since_joining", "serious_violations_365d"):
            inputs[name] = record[name]
        inputs["units_vs_category"] = rng.choice((None, None, 0, 30, 49, 50, 120, 400))
        out.append(inputs)
    return out


def _explained_cases(count: int) -> dict[str, Callable[[], object]]:
    inputs = _explained_inputs(count)
    for i, values in enumerate(inputs):
        if hand_explained(values) != explained_form(_POLICY.decide(values)):
            raise SystemExit(f"bench_object: the hand explained decision of record {i} differs from fenxiao's")
    return {"explained_hand": _loop(hand_explained, inputs), "explained": _loop(fenxiao_explained, inputs)}


#: The row of this case and the names of its two sides (merged into ``_ROWS`` and ``_NAMES`` below).
_EXPLAINED_ROWS = (("explained", "explained_hand", "decide + reading the whole explanation (checks + gap)", 3.0),)
_EXPLAINED_NAMES = {
    "explained_hand": "hand explained decision (trace + gap)",
    "explained": "fenxiao decide + explanation read",
}


# -- (e) settle_columns on every shipped profile and the minimal one -------------------------------------------


def hand_columns(o: dict[str, Any], fee_ppm: int, tech_ppm: int) -> dict[str, Any]:
    """A rounding-down split with a *fee_ppm* platform fee and a *tech_ppm* technical fee in NumPy int64, giving
    the twelve columns settle_columns gives (zero columns for parties and amounts the input lacks)."""
    paid = o["paid_fen"]
    n = paid.shape[0]

    def column(name: str) -> Any:
        return o.get(name)

    def zeros() -> Any:
        return np.zeros(n, dtype=np.int64)

    shipping, subsidy, refunded, void = (column(c) for c in ("shipping_fen", "subsidy_fen", "refunded_fen", "invalid"))
    base = paid - np.minimum(refunded, paid) if refunded is not None else paid.copy()
    live = np.where(void, 0, base) if void is not None else base
    commission = live * o["commission_ppm"] // 1_000_000
    fee = commission * fee_ppm // 1_000_000 if fee_ppm else zeros()
    net = commission - fee
    parties = {}
    for name, of in (("mcn_share_ppm", net), ("leader_fee_ppm", live), ("second_leader_fee_ppm", live)):
        rates = column(name)
        if rates is None:
            parties[name] = zeros()
        else:
            given = ~np.ma.getmaskarray(rates)
            if name != "mcn_share_ppm" and void is not None:
                given &= ~void
            parties[name] = np.where(given, of * rates.data // 1_000_000, 0)
    mcn, leader, second = parties["mcn_share_ppm"], parties["leader_fee_ppm"], parties["second_leader_fee_ppm"]
    tech = live * tech_ppm // 1_000_000 if tech_ppm else zeros()
    kept = subsidy * base // paid if subsidy is not None else zeros()
    total_in = paid + (shipping if shipping is not None else 0) + (subsidy if subsidy is not None else 0)
    merchant = total_in - (subsidy - kept if subsidy is not None else 0) - commission - leader - tech
    if refunded is not None:
        merchant -= refunded
    return {
        "influencer_fen": net - mcn,
        "mcn_fen": mcn,
        "platform_commission_fee_fen": fee,
        "team_leader_fen": leader - second,
        "second_leader_fen": second,
        "platform_tech_fee_fen": tech,
        "merchant_fen": merchant,
        "buyer_refund_fen": refunded.copy() if refunded is not None else zeros(),
        "subsidy_return_fen": subsidy - kept if subsidy is not None else zeros(),
        "base_fen": base,
        "commission_fen": commission,
        "total_in_fen": total_in,
    }


_MINIMAL = PlatformProfile(name="minimal", commission_fee_rate=Rate.of("0%"), tech_fee_rate=Rate.of("0%"))


def _settle_cases(count: int) -> dict[str, Callable[[], object]]:
    full = order_columns(count)
    cases: dict[str, Callable[[], object]] = {}
    for name, profile, columns in (
        *((p, PlatformProfile.preset(p), full) for p in ("default", "kuaishou", "douyin")),
        ("minimal", _MINIMAL, {"paid_fen": full["paid_fen"], "commission_ppm": full["commission_ppm"]}),
    ):
        fee, tech = profile.effective_commission_fee_rate.ppm, profile.tech_fee_rate.ppm
        mine, hand = settle_columns(columns, profile), hand_columns(columns, fee, tech)
        for column, values in hand.items():
            if not np.array_equal(mine[column], values):
                raise SystemExit(f"bench_object: {column} of the hand split differs from settle_columns ({name})")
        cases[f"settle_{name}_hand"] = functools.partial(hand_columns, columns, fee, tech)
        cases[f"settle_{name}"] = functools.partial(settle_columns, columns, profile)
    return cases


# -- (f) SelectionPool.rank -------------------------------------------------------------------------------------


def _pool_cases(count: int) -> dict[str, Callable[[], object]]:
    entries = bench_pool._entries(count)
    pool = SelectionPool(entries)
    fan = Influencer(
        InfluencerId("kol-1"),
        "达人",
        main_category_ids=(CategoryId("c-001"), CategoryId("c-002")),
        price_band_low=Money.of("20.00"),
        price_band_high=Money.of("300.00"),
    )
    # What a hand-written ranking keeps per listing (in listing-id order): the points that do not depend on the
    # influencer (the default weights), the category, the price and the tier.
    ordered = sorted(entries, key=lambda e: e.listing_id)
    static = np.array(
        [
            5 * e.tier.rank
            + min(e.preferred_boost, 20)
            + e.commission_rate.ppm * 5 // 100_000
            + int(e.service_score) // 10
            for e in ordered
        ],
        dtype=np.int64,
    )
    category = np.array([int(e.category_id[2:]) for e in ordered], dtype=np.int64)
    level1 = np.array([int(e.category_level1[3:]) for e in ordered], dtype=np.int64)
    price = np.array([e.price.fen for e in ordered], dtype=np.int64)
    tier = np.array([e.tier.rank for e in ordered], dtype=np.int64)
    ids = [e.listing_id for e in ordered]
    index = np.arange(len(ordered), dtype=np.int64)

    def hand_rank() -> list[tuple[str, int]]:
        fit = np.where(category == 1, 60, np.where(category == 2, 55, np.where((level1 == 1) | (level1 == 2), 25, 0)))
        inside = (price >= 2000) & (price <= 30000)
        near = ~inside & (price * 2 >= 2000) & (price <= 60000)
        points = static + fit + np.where(inside, 20, np.where(near, 8, 0))
        top = int(points.max())
        key = ((top - points) << 34) | ((5 - tier) << 31) | index
        best = np.sort(np.partition(key, 19)[:20])
        return [(ids[k & (2**31 - 1)], top - (k >> 34)) for k in best.tolist()]

    def mine() -> list[tuple[str, int]]:
        return [(r.entry.listing_id, r.points) for r in pool.rank(fan, page_size=20).items]

    if hand_rank() != mine():
        raise SystemExit("bench_object: the hand ranking differs from SelectionPool.rank")
    return {"rank_hand": hand_rank, "rank": mine}


# -- (d) object scoring of one SKU, and the whole object pipeline per SKU ---------------------------------------
#
# The hand scorer is the default scorecards (fenxiao/data/defaults/scorecards.toml) in plain ints: each rule a
# curve over hard-coded breakpoints, the weighted mean rounded half to even, the service cap; the category
# benchmarks are read from a per-category tuple prepared once (as fenxiao's ScoringContext is built once). The
# hand pipeline adds the default tier policy as an if/elif and the default perk catalog by tier.


def _hand_curve(u: int, xs: tuple[int, ...], ys: tuple[int, ...]) -> int:
    """Points in hundredths on a piecewise-linear curve (flat beyond the ends), rounded half to even."""
    if u <= xs[0]:
        return ys[0]
    if u >= xs[-1]:
        return ys[-1]
    k = 1
    while u >= xs[k]:
        k += 1
    x0, x1, y0, y1 = xs[k - 1], xs[k], ys[k - 1], ys[k]
    q, r = divmod(y0 * (x1 - u) + y1 * (u - x0), x1 - x0)
    return q + 1 if 2 * r > x1 - x0 or (2 * r == x1 - x0 and q & 1) else q


def _hand_mean(total: int, weights: int) -> int:
    if not weights:
        return 0
    q, r = divmod(total, weights)
    return q + 1 if 2 * r > weights or (2 * r == weights and q & 1) else q


def _hand_ratio(num: int, den: int) -> int | None:
    return None if den == 0 else _hand_mean(num * 1_000_000, den)


_FLAG = ((0, 1), (0, 10_000))
_BRAND_GMV = ((0, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000), (0, 3000, 6000, 8500, 10_000))
_VS_MEDIAN = ((500_000, 800_000, 1_000_000, 1_300_000, 2_000_000), (10_000, 8500, 6000, 3000, 0))
_VS_LOWEST = ((1_000_000, 1_100_000, 1_300_000), (10_000, 6000, 0))
_VS_RATE = ((0, 500_000, 1_000_000, 1_500_000, 2_000_000), (0, 2000, 6000, 9000, 10_000))
_PROMOTERS = ((0, 5, 50, 500), (0, 3000, 7000, 10_000))
_SHARE = ((0, 300_000, 700_000, 900_000), (0, 4000, 8000, 10_000))
_LEADERS = ((0, 1, 3), (0, 6000, 10_000))
_EXPERIENCE = ((3_500_000, 4_000_000, 4_500_000, 4_800_000, 5_000_000), (0, 4000, 7500, 9500, 10_000))
_BAD_REVIEW = ((0, 10_000, 30_000, 80_000), (10_000, 9000, 6000, 0))
_QUALITY_RETURN = ((0, 10_000, 30_000, 60_000), (10_000, 8500, 5000, 0))
_REFUND = ((50_000, 150_000, 300_000, 600_000), (10_000, 8000, 4000, 0))
_COMPLAINT = ((0, 5_000, 20_000, 50_000), (10_000, 8000, 3000, 0))
_SHIPPED = ((500_000, 800_000, 950_000, 1_000_000), (0, 5000, 9000, 10_000))
_UNITS = ((0, 1, 100, 1000, 10_000, 100_000), (0, 1000, 4000, 7000, 9000, 10_000))
_PERCENTILE = ((0, 1_000_000), (0, 10_000))
_GROWTH = ((-500_000, 0, 500_000, 1_000_000), (0, 5000, 8000, 10_000))
_REPURCHASE = ((0, 100_000, 300_000, 500_000), (0, 4000, 8000, 10_000))
#: Per category: twice the median price (fen) and rate (ppm), the GMV sample, twice the medians of the three
#: median-scored rates (ppm; None: none), twice the median units of selling goods (None: none sells).
_Bench = tuple[int, int, tuple[int, ...], int | None, int | None, int | None, int | None]


def _hand_benchmarks(context: ScoringContext) -> dict[str, _Bench]:
    return {
        b.category_id: (
            b.price_median_half_fen,
            b.commission_median_half_ppm,
            b.gmv_values,
            b.median_half_units("bad_review_rate"),
            b.median_half_units("quality_return_rate"),
            b.median_half_units("refund_rate"),
            b.units_median_twice,
        )
        for b in context.categories
    }


def _rated(rate: Rate | None, median_half: int | None, curve: tuple[tuple[int, ...], tuple[int, ...]]) -> int | None:
    """A service rate's points: observed, else at its category median, else left out (None)."""
    if rate is not None:
        return _hand_curve(rate.ppm, *curve)
    if median_half is None:
        return None
    return _hand_curve(_hand_mean(median_half, 2), *curve)


def hand_score(s: SkuSnapshot, bench: _Bench | None) -> tuple[int, int, int, int, int]:
    """The default scorecards of one snapshot by hand: the five dimension values in hundredths."""
    flag = _FLAG
    brand = _hand_mean(
        200_000 * _hand_curve(s.brand_registered, *flag)
        + 150_000 * _hand_curve(s.brand_authorised, *flag)
        + 200_000 * _hand_curve(s.flagship_shop, *flag)
        + 200_000 * _hand_curve(s.on_brand_list, *flag)
        + 250_000 * _hand_curve(s.brand_gmv_30d.fen, *_BRAND_GMV),
        1_000_000,
    )
    total = weights = 0
    if bench is not None and (vs := _hand_ratio(2 * s.price.fen, bench[0])) is not None:
        total, weights = 600_000 * _hand_curve(vs, *_VS_MEDIAN), 600_000
    if s.lowest_price_30d is not None and (vs := _hand_ratio(s.price.fen, s.lowest_price_30d.fen)) is not None:
        total, weights = total + 400_000 * _hand_curve(vs, *_VS_LOWEST), weights + 400_000
    price = _hand_mean(total, weights)
    total = 300_000 * _hand_curve(s.promoting_influencers, *_PROMOTERS) + 200_000 * _hand_curve(
        s.team_leaders, *_LEADERS
    )
    weights = 500_000
    if bench is not None and (vs := _hand_ratio(2 * s.commission_rate.ppm, bench[1])) is not None:
        total, weights = total + 300_000 * _hand_curve(vs, *_VS_RATE), weights + 300_000
    if s.influencer_gmv_share is not None:
        total, weights = total + 200_000 * _hand_curve(s.influencer_gmv_share.ppm, *_SHARE), weights + 200_000
    distribution = _hand_mean(total, weights)
    experience = s.experience_score
    total = 300_000 * (4000 if experience is None else _hand_curve(int(experience * 1_000_000), *_EXPERIENCE))
    total += 100_000 * (5000 if s.complaint_rate is None else _hand_curve(s.complaint_rate.ppm, *_COMPLAINT))
    weights = 400_000
    medians = (None, None, None) if bench is None else bench[3:6]
    for rate, median, curve in (
        (s.bad_review_rate, medians[0], _BAD_REVIEW),
        (s.quality_return_rate, medians[1], _QUALITY_RETURN),
        (s.refund_rate, medians[2], _REFUND),
    ):
        points = _rated(rate, median, curve)
        if points is not None:
            total, weights = total + 150_000 * points, weights + 150_000
    if s.shipped_48h_rate is not None:
        total, weights = total + 150_000 * _hand_curve(s.shipped_48h_rate.ppm, *_SHIPPED), weights + 150_000
    service = _hand_mean(total, weights)
    if s.serious_violations_365d >= 1 and service > 6000:
        service = 6000
    total, weights = 300_000 * _hand_curve(s.units_30d, *_UNITS), 300_000
    if bench is not None:
        gmv, values = s.gmv_30d.fen, bench[2]
        below = bisect.bisect_left(values, gmv)
        rank = _hand_ratio(below + bisect.bisect_right(values, gmv, lo=below), 2 * len(values))
        if rank is not None:
            total, weights = total + 300_000 * _hand_curve(rank, *_PERCENTILE), weights + 300_000
    if (growth := _hand_ratio(s.units_30d - s.units_prev_30d, s.units_prev_30d)) is not None:
        total, weights = total + 200_000 * _hand_curve(growth, *_GROWTH), weights + 200_000
    if s.repurchase_rate is not None:
        total, weights = total + 200_000 * _hand_curve(s.repurchase_rate.ppm, *_REPURCHASE), weights + 200_000
    return brand, price, distribution, service, _hand_mean(total, weights)


def _decimals(centis: tuple[int, ...]) -> tuple[Decimal, ...]:
    return tuple(Decimal(c).scaleb(-2) for c in centis)


def hand_scores(s: SkuSnapshot, bench: _Bench | None) -> tuple[Decimal, ...]:
    """The five scores and the composite of one snapshot (equal weights), as fenxiao's Decimals."""
    values = hand_score(s, bench)
    return _decimals((*values, _hand_mean(200_000 * sum(values), 1_000_000)))


_HAND_PERKS = (
    "cold-start",
    "pool",
    "l2-boost",
    "leader-activities",
    "l3-boost",
    "selection-center",
    "l3-preferred",
    "l4-boost",
    "hot-item-channel",
    "hot-item-badge",
    "l4-preferred",
    "traffic-boost",
    "exclusive-badge",
    "official-subsidy",
    "influencer-preferred",
)


def hand_grade(  # noqa: PLR0911 - an if/elif is the point
    values: tuple[int, ...], composite: int, s: SkuSnapshot, days: int, twice: int | None
) -> int:
    """The default tier policy as an if/elif: the rank."""
    brand, price, distribution, service, sales = values
    units = s.units_30d
    if units == 0:
        return 0
    if twice is not None:
        if units * 200 // twice < 50:
            return 1
    elif units < 100:
        return 1
    if (
        composite >= 9000
        and service >= 8000
        and brand >= 7000
        and price >= 7000
        and distribution >= 7000
        and sales >= 7000
        and units >= 1000
        and s.serious_violations_365d == 0
    ):
        return 5
    if composite >= 7500 and service >= 7000 and units >= 300:
        return 4
    if composite >= 6000 and service >= 6000:
        return 3
    if composite >= 4000 and service >= 4000:
        return 2
    del days  # the first rule (new, no sales) gives L0 as the second does
    return 1


def hand_perks(tier: int, days: int, normal: bool) -> list[str]:
    """The default perk catalog by tier: the granted entries' names, in catalog order."""
    granted = [1]  # pool
    if tier >= 5:
        granted.append(11)
    elif tier >= 4:
        granted.append(7)
    elif days < 14:
        granted.append(0)
    elif tier >= 3:
        granted.append(4)
    elif tier >= 2:
        granted.append(2)
    if tier >= 2:
        granted.append(3)
    if tier >= 3:
        granted += (5, 14 if tier >= 5 else 10 if tier >= 4 else 6)
    if tier >= 4:
        granted += (8, 12 if tier >= 5 else 9)
    if tier >= 5 and normal:
        granted.append(13)
    return [_HAND_PERKS[i] for i in sorted(granted)]


def hand_pipeline(
    s: SkuSnapshot, bench: _Bench | None, when: datetime, normal: bool
) -> tuple[tuple[Decimal, ...], int, list[str]]:
    """One SKU through the default model by hand: the six scores, the tier rank and the granted perks."""
    values = hand_score(s, bench)
    composite = _hand_mean(200_000 * sum(values), 1_000_000)
    days = (when - s.joined_at).days
    tier = hand_grade(values, composite, s, days, None if bench is None else bench[6])
    return _decimals((*values, composite)), tier, hand_perks(tier, days, normal)


def _object_cases(count: int) -> dict[str, Callable[[], object]]:
    catalog = generate_catalog(skus=count)
    snapshots = catalog.latest_snapshots()
    context = build_context(snapshots)
    when = catalog_as_of(catalog)
    benches = _hand_benchmarks(context)
    items = [(s, benches.get(s.category_id)) for s in snapshots]
    scorer = default_scorer()
    normal = {
        s.sku_id: catalog.merchant(catalog.sku(s.sku_id).merchant_id).standing is Standing.NORMAL for s in snapshots
    }
    rows = [(s, b, normal[s.sku_id]) for s, b in items]
    graded = grade_catalog(catalog, snapshots=snapshots, context=context, as_of=when)
    for i, ((s, b), g) in enumerate(zip(items, graded, strict=True)):
        card = scorer.score(s, context)
        mine = tuple(str(x) for x in (*(d.value for d in card.scores), card.composite))
        if mine != tuple(str(x) for x in hand_scores(s, b)):
            raise SystemExit(f"bench_object: the hand scores of SKU {i} differ from FiveDimensionScorer.score")
        got = (graded_scores(g), g.decision.tier.rank, [p.entry for p in g.perks.granted])
        want = hand_pipeline(s, b, when, normal[s.sku_id])
        if got[0] != tuple(str(x) for x in want[0]) or got[1:] != want[1:]:
            raise SystemExit(f"bench_object: the hand pipeline of SKU {i} differs from grade_catalog")

    def hand_scoring() -> None:
        for s, b in items:
            hand_scores(s, b)

    def scoring() -> None:
        for s in snapshots:
            scorer.score(s, context)

    def hand_pipe() -> None:
        for s, b, n in rows:
            hand_pipeline(s, b, when, n)

    return {
        "score_hand": hand_scoring,
        "score": scoring,
        "pipeline_hand": hand_pipe,
        "pipeline": functools.partial(grade_catalog, catalog, snapshots=snapshots, context=context, as_of=when),
    }


def graded_scores(g: GradedSku) -> tuple[str, ...]:
    """The six scores of a graded SKU as text (exponent included)."""
    return tuple(str(x) for x in (*(d.value for d in g.scorecard.scores), g.scorecard.composite))


def add_object_rows(rows: list[Row], targets: list[Target], count: int, quick: bool) -> None:
    """Time (d), scoring and the pipeline against their hand baselines (in turns), and add their rows."""
    best = interleaved_best(_object_cases(count), repeat=7 if quick else 25, warm=True)
    for case, hand, name, hand_name, what, limit in (
        ("score", "score_hand", "fenxiao FiveDimensionScorer.score", "hand scorer of the default scorecards",
         "object scoring of one SKU (default scorecards)", 2.0),
        ("pipeline", "pipeline_hand", "fenxiao grade_catalog (per SKU)", "hand pipeline (scores, tier, perks)",
         "whole object pipeline per SKU (scores, tier, perks)", 3.0),
    ):  # fmt: skip
        rows.append(Row(hand_name, count, best[hand], short="hand"))
        rows.append(Row(name, count, best[case], baseline=hand_name))
        targets.append(Target(what, best[case] / best[hand], limit))


# -- running ----------------------------------------------------------------------------------------------------


def _loop(func: Callable[[Any], object], items: list[Any]) -> Callable[[], None]:
    def go() -> None:
        for item in items:
            func(item)

    return go


#: (case, baseline, what, target ratio)
_ROWS: tuple[tuple[str, str, str, float], ...] = (
    ("split", "split_hand", "split() of one pre-built order", 4.0),
    ("split_read", "split_hand", "split() of one pre-built order, then reading its lines", 4.0),
    ("tier", "tier_hand", "tier from a raw record (DimensionScore + SkuScores.of + grade)", 10.0),
)
_PROFILES = ("default", "kuaishou", "douyin", "minimal")
_NAMES = {
    "split_hand": "hand split reading the same Order",
    "split": "fenxiao split()",
    "split_read": "fenxiao split(), lines read",
    "tier_hand": "hand if/elif over the raw record",
    "tier": "fenxiao DimensionScore + SkuScores.of + grade",
}
_ROWS, _NAMES = (*_ROWS, *_EXPLAINED_ROWS), {**_NAMES, **_EXPLAINED_NAMES}


def run(quick: bool = False) -> str:
    """Time every case and return the table with the targets' verdicts."""
    # Short passes, many turns: on a shared machine a long pass is more often interrupted than a short one, which
    # would bias the ratio against the slower side.
    count = 250 if quick else 500
    cases: dict[str, Callable[[], object]] = {}
    cases.update(_split_cases(count))
    cases.update(_tier_cases(count))
    cases.update(_explained_cases(count))
    best = interleaved_best(cases, repeat=7 if quick else 25, warm=True)
    rows: list[Row] = []
    targets: list[Target] = []
    for case, baseline, what, limit in _ROWS:
        if not any(row.name == _NAMES[baseline] for row in rows):
            rows.append(Row(_NAMES[baseline], count, best[baseline], short="hand"))
        rows.append(Row(_NAMES[case], count, best[case], baseline=_NAMES[baseline]))
        targets.append(Target(what, best[case] / best[baseline], limit))
    add_object_rows(rows, targets, count, quick)
    size = 100_000 if quick else 1_000_000
    batch = _settle_cases(size)
    best.update(interleaved_best(batch, repeat=3 if quick else 5))
    listings = 20_000 if quick else 100_000
    best.update(interleaved_best(_pool_cases(listings), repeat=5 if quick else 15, warm=True))
    rows.append(Row(f"hand NumPy ranking, {listings:,} listings", 1, best["rank_hand"], short="hand"))
    rows.append(
        Row("SelectionPool.rank, page 1", 1, best["rank"], baseline=f"hand NumPy ranking, {listings:,} listings")
    )
    targets.append(Target(f"SelectionPool.rank, {listings:,} listings", best["rank"] / best["rank_hand"], 2.0))
    for name in _PROFILES:
        hand = f"hand NumPy split, {name} profile"
        rows.append(Row(hand, size, best[f"settle_{name}_hand"], short="hand"))
        rows.append(Row(f"settle_columns, {name} profile", size, best[f"settle_{name}"], baseline=hand))
        ratio = best[f"settle_{name}"] / best[f"settle_{name}_hand"]
        targets.append(Target(f"settle_columns {size:,} orders, {name} profile", ratio, 2.0))
    notes = [
        f"{count:,} items per pass; every baseline reproduces fenxiao's output on every item (checked first)",
        "the minimal profile: no platform fee, no technical fee, no rules; its orders have only paid_fen and "
        "commission_ppm; the hand split gives the same twelve columns (zero columns for what is absent)",
    ]
    return render(TITLE, rows, targets, notes, issue=21)


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
