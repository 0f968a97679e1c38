"""The object path near its limit (issue 21): fenxiao against hand-written Python that reproduces its output.

Each hand-written baseline is what a competent engineer would write for this one model without fenxiao: the
default policy and profile hard-coded, no checks, plain ints and Decimals. Before anything is timed each baseline
is checked to give fenxiao's exact output on every input of the run. The cases take turns (interleaved, best of
N, each warmed up first: ``_throughput.interleaved_best``), and the ratio is fenxiao's time over the baseline's.

``python benchmarks/run.py object`` runs every row; ``--quick`` uses fewer items and turns.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from _generate import order_columns
from _throughput import Row, Target, interleaved_best, render
from bench_settlement import _orders

from fenxiao.grading.inputs import score_inputs
from fenxiao.grading.tiers import default_tier_policy
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
    return {"split_hand": _loop(hand_split, orders), "split": _loop(lambda o: split(o, profile), orders)}


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


# -- running ----------------------------------------------------------------------------------------------------


def _loop(func: Callable[[Any], object], items: list[Any]) -> Callable[[], None]:
    def go() -> None:
        for item in items:
            func(item)

    return go


#: (case, baseline, what, target ratio)
_ROWS = (
    ("split", "split_hand", "split() of one pre-built order", 4.0),
    ("tier", "tier_hand", "tier from a raw record (DimensionScore + SkuScores.of + grade)", 10.0),
)
_NAMES = {
    "split_hand": "hand split reading the same Order",
    "split": "fenxiao split()",
    "tier_hand": "hand if/elif over the raw record",
    "tier": "fenxiao DimensionScore + SkuScores.of + grade",
}


def run(quick: bool = False) -> str:
    """Time every case and return the table with the targets' verdicts."""
    count = 1_000 if quick else 2_000
    cases: dict[str, Callable[[], object]] = {}
    cases.update(_split_cases(count))
    cases.update(_tier_cases(count))
    best = interleaved_best(cases, repeat=3 if quick else 7, warm=True)
    rows: list[Row] = []
    targets: list[Target] = []
    for case, baseline, what, limit in _ROWS:
        rows.append(Row(_NAMES[baseline], count, best[baseline], short="hand"))
        rows.append(Row(_NAMES[case], count, best[case], baseline=_NAMES[baseline]))
        targets.append(Target(what, best[case] / best[baseline], limit))
    notes = [f"{count:,} items per pass; every baseline reproduces fenxiao's output on every item (checked first)"]
    return render(TITLE, rows, targets, notes, issue=21)


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
