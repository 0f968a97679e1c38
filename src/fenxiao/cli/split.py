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
from decimal import Decimal
from typing import Any, Final, TextIO

import attrs

from fenxiao.cli.common import money_option, rate_option, render_table, whole_number, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Category
from fenxiao.domain.ids import InfluencerId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.listings import ListingStatus
from fenxiao.domain.people import MAX_INFLUENCER_LEVEL, Influencer
from fenxiao.errors import FenxiaoError, InvalidValueError
from fenxiao.money import Money, Rate, Rounding
from fenxiao.periods import ProgramState, VolumeSteps, settle_period_volume
from fenxiao.serialization import to_dict
from fenxiao.settlement.activities import TeamLeaderActivity
from fenxiao.settlement.enrollment import Enrollment, EnrollmentStatus, EnrollmentTerms
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.orders import Order, OrderTerms
from fenxiao.settlement.plans import CommissionPlan, select_plan
from fenxiao.settlement.profiles import DEFAULT_PRESET, PRESETS, PlatformProfile
from fenxiao.settlement.splits import Clawback, OrderSplit, SettlementLine, clawbacks, split
from fenxiao.settlement.steps import CommissionStep

__all__ = ["GROUP", "demo_section", "register", "rules_section"]

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
    p.add_argument(
        "--profile", choices=PRESETS, default=DEFAULT_PRESET, help=f"platform rules (default: {DEFAULT_PRESET})"
    )
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
    profile: PlatformProfile = PlatformProfile.preset(args.profile)
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
    profile = PlatformProfile.default()
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
        f"One unit refunded after settlement: clawback per party\n\n{_table(claw.lines)}\n\n"
        + rules_section(catalog, order)
    )


def _settled(order: Order, profile: PlatformProfile) -> OrderSplit:
    """*order* (as paid) received two days later and settled on *profile*'s due day, split."""
    received = order.receive(at=order.paid_at + timedelta(days=2))
    return split(received.settle(profile, at=received.settlement_due(profile) or order.paid_at), profile)


def rules_section(catalog: Catalog, order: Order) -> str:
    """The platform rules around one demo *order* of *catalog*, each in a few lines.

    The same sale under each shipped platform preset; the merchant's own stream (自播) selling the same goods; the
    MCN's share from the agency's contract in the catalog; a plan gated by influencer level; an exclusive plan
    closed and reopened to escape the cut limit; a team-leader activity enrollment; and a week's volume reaching a
    period step.
    """
    sku = catalog.sku(order.sku_id)
    category = catalog.category(sku.category_id)
    parts = [_presets_part(order, category), _own_stream_part(order, category)]
    influencer = catalog.influencer(order.influencer_id) if order.influencer_id is not None else None
    if influencer is not None:
        parts.append(_mcn_part(catalog, influencer, order))
        parts.append(_level_part(influencer, order))
    parts.append(_chain_part(order))
    listing = next((li for li in catalog.listings if li.sku_id == sku.id), None)
    if listing is not None and order.terms.leader_id is not None:
        parts.append(_enrollment_part(order, listing.id))
    parts.append(_volume_part(order))
    return "\n\n".join(parts)


def _presets_part(order: Order, category: Category) -> str:
    profiles = [PlatformProfile.preset(name) for name in PRESETS]
    splits = []
    for profile in profiles:
        terms = attrs.evolve(order.terms, tech_fee_rate=profile.tech_fee_for(category))
        splits.append(_settled(attrs.evolve(order, terms=terms, events=order.events[:1]), profile))
    parties = list(dict.fromkeys(line.party for result in splits for line in result.lines))
    rows: list[list[object]] = []
    for party in parties:
        amounts = [next((line.amount for line in r.lines if line.party is party), Money.zero()) for r in splits]
        rows.append([f"{party.value} {party.label_zh}", *amounts])
    return "The same sale under each shipped platform preset (fenxiao.settlement.PRESETS)\n\n" + render_table(
        ["party", *PRESETS], rows, align="l" + "r" * len(PRESETS)
    )


def _own_stream_part(order: Order, category: Category) -> str:
    profile = PlatformProfile.default()
    own = Order(
        id="demo-own-stream",
        merchant_id=order.merchant_id,
        sku_id=order.sku_id,
        influencer_id=None,
        paid=order.paid,
        paid_at=order.paid_at,
        terms=OrderTerms(commission_rate=Rate.zero(), tech_fee_rate=profile.tech_fee_for(category)),
        units=order.units,
        category_id=order.category_id,
        category_level1=order.category_level1,
    )
    result = _settled(own, profile)
    lines = ", ".join(f"{line.party.value} {line.amount}" for line in result.lines if line.amount.fen)
    return (
        f"The merchant's own stream (自播) selling the same {order.units} units: no influencer, no commission "
        f"(Order.own_stream is {own.own_stream}); {lines}. It counts in the SKU's sales and the goals like any sale."
    )


def _mcn_part(catalog: Catalog, influencer: Influencer, order: Order) -> str:
    if influencer.mcn_id is None or influencer.mcn_id not in {m.id for m in catalog.mcns}:
        return f"MCN: {influencer.name} ({influencer.id}) is signed to no agency: no MCN line."
    agency = catalog.mcn(influencer.mcn_id)
    contract = agency.contract_for(influencer.id, at=order.paid_at)
    if contract is None:
        return f"MCN: {agency.name}'s contract with {influencer.id} is not in force at the sale: no MCN line."
    until = "open-ended" if contract.valid_until is None else f"until {contract.valid_until.date().isoformat()}"
    return (
        f"MCN: {influencer.name} ({influencer.id}) is signed to {agency.name} ({agency.id}) from "
        f"{contract.valid_from.date().isoformat()}, {until}, for {contract.share} of the net commission: the "
        f"{'MCN line above' if order.terms.mcn_id else 'agency'} (OrderTerms.from_decision(..., mcn=agency) reads "
        "the contract in force at the moment of sale)."
    )


def _plan(plan_id: str, kind: PlanKind, order: Order, rate: str, at: datetime, **fields: Any) -> CommissionPlan:
    return CommissionPlan.open(
        id=plan_id,
        kind=kind,
        merchant_id=order.merchant_id,
        rate=Rate.of(rate),
        at=at,
        sku_ids=(order.sku_id,),
        **fields,
    )


def _level_part(influencer: Influencer, order: Order) -> str:
    at = order.paid_at - timedelta(days=30)
    gate = min(influencer.level + 1, MAX_INFLUENCER_LEVEL)
    plan = _plan(
        "demo-gated",
        PlanKind.ITEM_TARGETED,
        order,
        "30%",
        at,
        influencer_ids=(influencer.id,),
        min_influencer_level=gate,
    )
    decision = select_plan(
        [plan],
        merchant_id=order.merchant_id,
        sku_id=order.sku_id,
        influencer_id=influencer.id,
        at=order.paid_at,
        influencer_level=influencer.level,
    )
    verdict = "pays this sale" if decision.winner is not None else "does not pay this sale"
    return (
        f"Level gate: an item-targeted 30% plan for influencers of level {gate} and above {verdict} by "
        f"{influencer.id} (level {influencer.level}): {decision.reason}."
    )


def _chain_part(order: Order) -> str:
    opened = order.paid_at - timedelta(days=20)
    vip = [("kol-demo",)]
    first = _plan("demo-vip-1", PlanKind.EXCLUSIVE, order, "25%", opened, influencer_ids=vip[0])
    closed = first.close(at=opened + timedelta(days=1))
    cheap = _plan("demo-vip-2", PlanKind.EXCLUSIVE, order, "5%", opened + timedelta(days=1), influencer_ids=vip[0])
    try:
        select_plan(
            [closed, cheap],
            merchant_id=order.merchant_id,
            sku_id=order.sku_id,
            influencer_id="kol-demo",
            at=opened + timedelta(days=2),
        )
    except FenxiaoError as error:
        return f"Exclusive plans: a 25% plan closed and a 5% one opened the next day is refused: {error}"
    return "Exclusive plans: a 25% plan closed and a 5% one opened the next day passed (the profile sets no limit)."


def _enrollment_part(order: Order, listing_id: str) -> str:
    leader = order.terms.leader_id or "tl-demo"
    start = order.paid_at - timedelta(days=10)
    activity = TeamLeaderActivity(
        id="demo-act", leader_id=leader, service_fee_rate=Rate.of("5%"), valid_from=start, min_commission=Rate.of("10%")
    )
    applied = Enrollment(
        "demo-en-1",
        activity.id,
        listing_id,
        EnrollmentTerms(order.terms.commission_rate, exclusivity_months=3),
        applied_at=start,
    )
    approved = applied.transition(EnrollmentStatus.IN_AUDIT, at=start).audit(activity, at=start + timedelta(hours=2))
    low = Enrollment("demo-en-2", activity.id, listing_id, EnrollmentTerms(Rate.of("8%")), applied_at=start)
    rejected = low.transition(EnrollmentStatus.IN_AUDIT, at=start).audit(activity, at=start + timedelta(hours=2))
    ends = approved.exclusive_until.date().isoformat() if approved.exclusive_until else "-"
    promoted = approved.promotion_ends.date().isoformat() if approved.promotion_ends else "-"
    try:
        approved.transition(EnrollmentStatus.TERMINATED, at=start + timedelta(days=1))
        early = "allowed"
    except FenxiaoError as error:
        early = f"refused ({error})"
    return (
        f"Activity enrollment (招商报名) of {listing_id} in {leader}'s activity: applied → in audit → "
        f"{approved.status.value} at {order.terms.commission_rate} (exclusive until {ends}, promoted at least until "
        f"{promoted}); at 8% it is {rejected.status.value} ({rejected.history[-1].reason}); terminating it the "
        f"next day is {early}."
    )


def _volume_part(order: Order) -> str:
    profile = PlatformProfile.default()
    rate = order.terms.commission_rate
    terms = OrderTerms(
        commission_rate=rate,
        plan_id="demo-volume",
        tech_fee_rate=order.terms.tech_fee_rate,
        mcn_id=order.terms.mcn_id,
        mcn_share=order.terms.mcn_share,
    )
    week = [
        attrs.evolve(
            order,
            id=f"demo-week-{i}",
            paid_at=order.paid_at + timedelta(days=i),
            terms=terms,
            events=(attrs.evolve(order.events[0], at=order.paid_at + timedelta(days=i)),),
        )
        for i in range(3)
    ]
    threshold = Money(order.paid.fen * 2)
    steps = VolumeSteps("demo-volume", rate, (CommissionStep(threshold, Rate(min(rate.value + Decimal("0.05"), 1))),))
    top_ups = settle_period_volume(
        week, steps, state=ProgramState(), as_of=order.paid_at + timedelta(days=7), profile=profile
    )
    if not top_ups:
        return "Period volume: no influencer reached the step."
    t = top_ups[0]
    return (
        f"Period volume (阶梯佣金 over a week): three such orders, {t.volume} in all, reach a {threshold} step at "
        f"{steps.steps[0].rate}: a top-up of {t.top_up} that no single order earns ({t.influencer} to the influencer, "
        f"{t.mcn} to its MCN, {t.platform_fee} platform fee)."
    )


#: The split command group.
GROUP = CommandGroup("split", register, demo_section)
