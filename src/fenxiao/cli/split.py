"""The split group: the ``split`` command (every party's line of one order) and the demo's settlement section.

``python -m fenxiao split --paid 99.90 --commission 20% --leader-fee 5% [--json]`` settles one order under
the Kuaishou profile (快分销: the fee on commission waived) unless ``--profile`` says otherwise, and prints
every party's line; ``--json`` prints one object: the split as :func:`fenxiao.serialization.to_dict` writes an
:class:`~fenxiao.settlement.splits.OrderSplit` (``{"order_id": ..., "status": ..., "total_in": "99.90", "lines":
[{"party": ..., "amount": "19.98", "payee_id": ...}, ...], ...}``, amounts as exact yuan strings), plus the
``profile`` and ``rounding`` used and the ``clawbacks``, each as a :class:`~fenxiao.settlement.splits.Clawback` is
written.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from typing import Any, Final, TextIO

import attrs

from fenxiao.cli.common import money_option, rate_option, render_table, whole_number, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.ids import InfluencerId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.listings import ListingStatus
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate, Rounding
from fenxiao.serialization import to_dict
from fenxiao.settlement.orders import Order, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Clawback, OrderSplit, SettlementLine, clawbacks, split

__all__ = ["GROUP", "demo_section", "register"]

_PROFILES: Final = {
    "kuaishou": PlatformProfile.kuaishou,
    "default": PlatformProfile,
    "douyin": PlatformProfile.douyin,
}
# The CLI settles a made-up order; its clock only has to be consistent.
_PAID_AT: Final = datetime(2026, 11, 11, 20, 0, tzinfo=timezone(timedelta(hours=8)))


def register(sub: Subparsers) -> None:
    """Add the ``split`` sub-command to *sub* (an argparse sub-parsers action)."""
    p = add_command(
        sub,
        "split",
        help="split one order into every party's line",
        description="Split one order into every party's line (amounts in yuan, rates as 20% or 0.2).",
        example=[
            "python -m fenxiao split --paid 99.90 --commission 20% --leader-fee 5%",
            "python -m fenxiao split --paid 99.90 --commission 20% --refund 30 --after-settlement --json",
        ],
    )
    p.add_argument("--paid", required=True, help="what the buyer paid for the goods, in yuan (e.g. 99.90)")
    p.add_argument("--commission", required=True, help="the influencer's commission rate (e.g. 20%%)")
    p.add_argument("--leader-fee", help="the team leader's service-fee rate, if a leader brought the goods in")
    p.add_argument("--second-leader-fee", help="a second-level leader's fee rate, paid out of the leader's")
    p.add_argument("--mcn-share", help="the MCN's share of the influencer's net commission")
    p.add_argument("--shipping", default="0", help="what the buyer paid for shipping, in yuan")
    p.add_argument("--subsidy", default="0", help="what the platform adds (官方补贴), in yuan")
    p.add_argument("--units", type=whole_number(1), default=1, help="units in the order line (for --refund-units)")
    p.add_argument("--refund", action="append", default=[], help="refund this many yuan (repeatable)")
    p.add_argument(
        "--refund-units", action="append", type=whole_number(1), default=[], help="refund units (repeatable)"
    )
    p.add_argument(
        "--after-settlement",
        action="store_true",
        help="settle the order first, so refunds are clawbacks (printed as the change per party)",
    )
    p.add_argument("--profile", choices=sorted(_PROFILES), default="kuaishou", help="platform rules (kuaishou)")
    p.add_argument("--platform-fee", help="the platform's fee on commission (overrides the profile; not waived)")
    p.add_argument("--tech-fee", help="the merchant's technical service fee rate (overrides the profile)")
    p.add_argument("--rounding", choices=("down", "half_up", "half_even"), help="the rounding mode per line")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_split)


def _rate(text: str | None, option: str) -> Rate | None:
    return None if text is None else rate_option(text, option)


def _money(text: str, option: str) -> Money:
    return money_option(text, option)


def _profile(args: argparse.Namespace) -> PlatformProfile:
    profile: PlatformProfile = _PROFILES[args.profile]()
    if args.platform_fee is not None:
        profile = attrs.evolve(
            profile,
            commission_fee_rate=rate_option(args.platform_fee, "--platform-fee"),
            commission_fee_waived=False,
        )
    if args.rounding is not None:
        profile = attrs.evolve(profile, rounding=Rounding(args.rounding))
    return profile


def _order(args: argparse.Namespace, profile: PlatformProfile) -> Order:
    leader_fee = _rate(args.leader_fee, "--leader-fee")
    second_fee = _rate(args.second_leader_fee, "--second-leader-fee")
    mcn_share = _rate(args.mcn_share, "--mcn-share")
    if second_fee is not None and leader_fee is None:
        raise InvalidValueError("--second-leader-fee", args.second_leader_fee, "needs --leader-fee")
    terms = OrderTerms(
        commission_rate=rate_option(args.commission, "--commission"),
        leader_id=TeamLeaderId("leader") if leader_fee is not None else None,
        leader_fee_rate=leader_fee,
        second_leader_id=TeamLeaderId("second-leader") if second_fee is not None else None,
        second_leader_fee_rate=second_fee,
        mcn_id="mcn" if mcn_share is not None else None,
        mcn_share=mcn_share,
        tech_fee_rate=_rate(args.tech_fee, "--tech-fee"),
    )
    order = Order(
        id="order",
        merchant_id=MerchantId("merchant"),
        sku_id=SkuId("sku"),
        influencer_id=InfluencerId("influencer"),
        paid=_money(args.paid, "--paid"),
        paid_at=_PAID_AT,
        terms=terms,
        units=args.units,
        shipping=_money(args.shipping, "--shipping"),
        subsidy=_money(args.subsidy, "--subsidy"),
    )
    at = _PAID_AT
    if args.after_settlement:
        at += timedelta(days=1)
        order = order.receive(at=at)
        due = order.settlement_due(profile)
        at = due if due is not None else at
        order = order.settle(profile, at=at)
    for i, amount in enumerate(args.refund):
        order = order.refund(event_id=f"refund-{i + 1}", at=at, amount=_money(amount, "--refund"))
    for i, units in enumerate(args.refund_units):
        order = order.refund(event_id=f"refund-units-{i + 1}", at=at, units=units)
    return order


def _split_json(result: OrderSplit, claws: tuple[Clawback, ...], profile: PlatformProfile) -> dict[str, Any]:
    # The split in the library's own shape (fenxiao.serialization), plus what this run used and took back.
    return {
        **to_dict(result),
        "profile": profile.name,
        "rounding": profile.rounding.value,
        "clawbacks": [to_dict(claw) for claw in claws],
    }


def _table(lines: tuple[SettlementLine, ...], total: Money | None = None) -> str:
    rows: list[list[object]] = [[f"{line.party.value} {line.party.label_zh}", line.amount] for line in lines]
    if total is not None:
        rows.append(["total 合计", total])
    return render_table(["party", "amount"], rows, align="lr")


def _cmd_split(args: argparse.Namespace, out: TextIO) -> int:
    profile = _profile(args)
    order = _order(args, profile)
    result = split(order, profile)
    claws = clawbacks(order, profile)
    if args.json:
        write_json(out, _split_json(result, claws, profile))
        return 0
    fee = "waived" if profile.commission_fee_waived else str(profile.effective_commission_fee_rate)
    out.write(
        f"Order: goods {order.paid}, shipping {order.shipping}, subsidy {order.subsidy}; "
        f"commission {order.terms.commission_rate}"
        + (f", leader fee {order.terms.leader_fee_rate}" if order.terms.leader_fee_rate is not None else "")
        + f"\nProfile {profile.name}: fee on commission {fee}, rounding {profile.rounding.value}; "
        f"base {result.base}, status {result.status.value}\n\n"
    )
    out.write(_table(result.lines, sum((line.amount for line in result.lines), Money.zero())) + "\n")
    if result.subsidy.fen:
        out.write(
            f"\nof which funded by the platform (官方补贴): {result.subsidy} inside the merchant's line; "
            f"the merchant's own share is {result.merchant_own}\n"
        )
    for claw in claws:
        out.write(f"\nClawback for {claw.event_id} (change per party):\n{_table(claw.lines)}\n")
    return 0


def demo_section(catalog: Catalog) -> str:
    """One order of the sample catalog settled under the Kuaishou profile, then one unit refunded after settlement."""
    profile = PlatformProfile.kuaishou()
    listing = next(
        (li for li in catalog.listings if li.status is ListingStatus.APPROVED and li.terms.team_leader_id is not None),
        None,
    )
    if listing is None:
        return "Settlement: the catalog has no approved listing with a team leader."
    sku = catalog.sku(listing.sku_id)
    influencer = next((i for i in catalog.influencers if i.mcn_id is not None), catalog.influencers[0])
    terms = OrderTerms(
        commission_rate=listing.terms.commission_rate,
        leader_id=listing.terms.team_leader_id,
        leader_fee_rate=listing.terms.leader_fee_rate,
        mcn_id=influencer.mcn_id,
        mcn_share=influencer.mcn_share,
        tech_fee_rate=profile.tech_fee_for(catalog.category(sku.category_id)),
    )
    paid_at = _PAID_AT
    order = Order(
        id="demo-order",
        merchant_id=sku.merchant_id,
        sku_id=sku.id,
        influencer_id=influencer.id,
        paid=sku.price * 2,
        paid_at=paid_at,
        terms=terms,
        units=2,
        category_id=sku.category_id,
        category_level1=catalog.category(sku.category_id).level1,
    )
    order = order.receive(at=paid_at + timedelta(days=2))
    settled_at = order.settlement_due(profile) or paid_at
    order = order.settle(profile, at=settled_at)
    result = split(order, profile)
    refunded = order.refund(event_id="refund-1", at=settled_at + timedelta(days=1), units=1, reason="one returned")
    (claw,) = clawbacks(refunded, profile)
    head = (
        f"Settlement (profile {profile.name}): 2 × {sku.title} ({sku.id}) at {sku.price}, "
        f"commission {terms.commission_rate}, leader fee {terms.leader_fee_rate}, sold by {influencer.name}"
    )
    return (
        f"{head}\n\n{_table(result.lines, order.total_in)}\n\n"
        f"One unit refunded after settlement: clawback per party\n\n{_table(claw.lines)}"
    )


#: The split command group.
GROUP = CommandGroup("split", register, demo_section)
