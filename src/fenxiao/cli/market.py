"""The market group: the ``admit``, ``pool`` and ``goals`` commands, and the demo's part on the three problems.

``admit`` decides the merchants and listings of ``--catalog FILE`` (an application; the built-in sample by default)
under ``--policy FILE`` (an admission policy); ``pool --influencer ID`` ranks the selection pool of the catalog graded
under ``--scorecards``/``--policy``/``--perks``; ``goals`` measures the program goals over seeded sample orders.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, TextIO

import attrs

from fenxiao.cli.common import (
    MODEL_FILES,
    add_catalog_option,
    catalog_path,
    demo_models,
    load_catalog,
    load_file,
    money_option,
    rate_option,
    read_models,
    render_table,
    whole_number,
    write_json,
)
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.people import Influencer
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import catalog_as_of, grade_catalog
from fenxiao.market.admission import (
    AdmissionPolicy,
    Outcome,
    ShopMetrics,
    default_admission_policy,
    measure_shops,
    merchant_inputs,
    sku_inputs,
)
from fenxiao.market.clearance import ClearanceAction, ClearanceDecision, decide_clearance
from fenxiao.market.goals import (
    GoalProgress,
    GoalTracker,
    LeaderReport,
    category_coverage,
    leader_reports,
    settled_sales,
)
from fenxiao.market.pool import PoolFilter, RankedPage, SelectionPool
from fenxiao.money import Money
from fenxiao.sample import generate_orders
from fenxiao.settlement.ledger import Ledger
from fenxiao.settlement.profiles import PlatformProfile

__all__ = ["GROUP", "demo_data", "demo_section", "register"]


def _admission_rows(
    catalog: Catalog, policy: AdmissionPolicy, shops: Mapping[str, ShopMetrics] | None = None
) -> list[dict[str, Any]]:
    as_of = catalog_as_of(catalog)
    due = (as_of + timedelta(hours=policy.review_hours)).isoformat()
    rows: list[dict[str, Any]] = []
    records = shops or {}
    for merchant in catalog.merchants:
        inputs = merchant_inputs(merchant, as_of=as_of, shop=records.get(merchant.id))
        decision = policy.decide(inputs, subject=merchant.id)
        rows.append(
            {
                "subject": merchant.id,
                "kind": "merchant",
                "outcome": decision.outcome.value,
                "reasons": [f"{n}: {r}" for n, r in decision.reasons],
            }
        )
    for listing in catalog.listings:
        sku = catalog.sku(listing.sku_id)
        merchant = catalog.merchant(sku.merchant_id)
        brand_on_list = sku.brand_id is not None and catalog.brand(sku.brand_id).on_platform_list
        inputs = sku_inputs(
            merchant,
            sku,
            catalog.category(sku.category_id),
            listing.terms,
            as_of=as_of,
            profile=policy.profile,
            brand_on_list=brand_on_list,
            shop=records.get(merchant.id),
        )
        decision = policy.decide(inputs, subject=listing.id)
        rows.append(
            {
                "subject": listing.id,
                "kind": "listing",
                "sku_id": sku.id,
                "outcome": decision.outcome.value,
                "reasons": [f"{n}: {r}" for n, r in decision.reasons],
            }
        )
    for row in rows:  # a review must be decided within the policy's service level
        if row["outcome"] == Outcome.REVIEW.value:
            row["review_due_at"] = due
    return rows


def _cmd_admit(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(catalog_path(args))
    policy = (
        default_admission_policy()
        if args.policy is None
        else load_file(args.policy, AdmissionPolicy, option="--policy", what="admission policy")
    )
    rows = _admission_rows(catalog, policy)
    if args.json:
        write_json(out, rows)
        return 0
    table = [[r["kind"], r["subject"], r["outcome"], "; ".join(r["reasons"]) or "-"] for r in rows]
    out.write(render_table(["kind", "subject", "outcome", "reasons"], table, align="llll") + "\n")
    reviews = sum(1 for r in rows if r["outcome"] == "review")
    if reviews:
        out.write(
            f"\n{reviews} to review by a person within {policy.review_hours} hours "
            f"(due {rows[next(i for i, r in enumerate(rows) if r['outcome'] == 'review')]['review_due_at']})\n"
        )
    return 0


def _money(text: str | None, option: str) -> Money | None:
    return None if text is None else money_option(text, option)


def _cmd_pool(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(args.catalog)
    if args.influencer not in {i.id for i in catalog.influencers}:
        raise InvalidValueError("--influencer", args.influencer, "names no influencer of the catalog")
    influencer = catalog.influencer(args.influencer)
    query = PoolFilter(
        category_ids=frozenset(args.category) if args.category else None,
        category_level1=args.level1,
        min_tier=Tier(args.min_tier) if args.min_tier else None,
        min_commission=rate_option(args.min_commission, "--min-commission") if args.min_commission else None,
        price_low=_money(args.price_low, "--price-low"),
        price_high=_money(args.price_high, "--price-high"),
        team_leader_id=args.team_leader,
        badge=args.badge,
    )
    models = read_models(args)
    graded = grade_catalog(catalog, scorer=models.scorer, policy=models.policy, perks=models.perks, explain=False)
    pool = SelectionPool.from_catalog(catalog, graded)
    page = pool.rank(influencer, query, page=args.page, page_size=args.page_size)
    if args.json:
        write_json(out, _page_json(influencer.id, page))
        return 0
    out.write(_pool_text(influencer.name, page) + "\n")
    return 0


def _page_json(influencer_id: str, page: RankedPage) -> dict[str, Any]:
    return {
        "influencer": influencer_id,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "items": [
            {
                "listing_id": r.entry.listing_id,
                "sku_id": r.entry.sku_id,
                "category_id": r.entry.category_id,
                "tier": r.entry.tier.value,
                "price": r.entry.price.to_text(),
                "commission_rate": r.entry.commission_rate.to_text(),
                "points": r.points,
                "reasons": list(r.reasons),
            }
            for r in page.items
        ],
    }


def _pool_text(name: str, page: Any) -> str:
    rows = [
        [
            r.entry.listing_id,
            r.entry.title,
            r.entry.category_id,
            r.entry.tier.value,
            str(r.entry.price),
            str(r.entry.commission_rate),
            r.points,
            "; ".join(r.reasons),
        ]
        for r in page.items
    ]
    head = f"Selection pool for {name}: page {page.page} of {page.pages} ({page.total} listings)"
    table = render_table(
        ["listing", "title", "category", "tier", "price", "commission", "points", "why"], rows, align="llllrrrl"
    )
    return f"{head}\n\n{table}"


def _goals_text(progress: tuple[GoalProgress, ...]) -> str:
    rows = []
    for p in progress:
        best = ", ".join(f"{k} {_show(x)}" for k, x in (p.achieved or p.leading)[:3]) or "-"
        rows.append(
            [p.goal.label or p.goal.name, str(p.goal), f"{p.count:,}", f"{p.count * 100 // p.goal.target}%", best]
        )
    return render_table(["goal", "target", "reached", "progress", "leading"], rows, align="llrrl")


def _show(value: Money | int) -> str:
    return value.format(grouping=True) if isinstance(value, Money) else f"{value:,} units"


def _cmd_goals(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(args.catalog)
    orders = generate_orders(catalog, seed=args.seed, count=args.orders)
    profile = PlatformProfile.default()
    ledger = Ledger().record_all(orders, profile)
    sales = settled_sales(ledger, orders, catalog)
    progress = GoalTracker().measure(sales)
    if args.json:
        write_json(out, _goals_json(progress))
        return 0
    out.write(
        f"Goals over {len(sales)} settled orders (seeded sample orders, seed {args.seed}; profile {profile.name}):\n\n"
    )
    out.write(_goals_text(progress) + "\n")
    return 0


def _goals_json(progress: tuple[GoalProgress, ...]) -> list[dict[str, Any]]:
    return [
        {
            "goal": p.goal.name,
            "label": p.goal.label,
            "target": p.goal.target,
            "reached": p.count,
            "achieved": [[k, _jsonable(x)] for k, x in p.achieved],
            "leading": [[k, _jsonable(x)] for k, x in p.leading],
        }
        for p in progress
    ]


def _jsonable(value: Money | int) -> str | int:
    return value.to_text() if isinstance(value, Money) else value


@attrs.frozen
class _Demo:
    """What the demo's market part shows, computed once for its text and its data."""

    rows: list[dict[str, Any]]
    influencer: Influencer
    page: RankedPage
    coverage: dict[Tier, int]
    settled: int
    progress: tuple[GoalProgress, ...]
    leaders: list[LeaderReport]
    clearance: tuple[ClearanceDecision, ...] = ()
    own_stream: int = 0


#: Own-stream orders (自播) the demo adds to the 300 influencer orders of its goals.
_OWN_STREAM_ORDERS = 40
#: The default admission rules that read a shop's record (ShopMetrics).
_SHOP_RULES = ("low-shop-gmv:", "high-bad-reviews:", "low-dsr:")


def _demo(catalog: Catalog) -> _Demo:
    as_of = catalog_as_of(catalog)
    shops = measure_shops(catalog, as_of=as_of)
    rows = _admission_rows(catalog, default_admission_policy(), shops)
    models = demo_models().models
    graded = grade_catalog(catalog, scorer=models.scorer, policy=models.policy, perks=models.perks, explain=False)
    pool = SelectionPool.from_catalog(catalog, graded)
    influencer = next((i for i in catalog.influencers if i.main_category_ids), catalog.influencers[0])
    coverage = category_coverage((g.category_id, g.decision.tier) for g in graded)
    orders = generate_orders(catalog, count=300, own_stream=_OWN_STREAM_ORDERS)
    own_ids = {o.id for o in orders if o.own_stream}
    ledger = Ledger().record_all(orders, PlatformProfile.default())
    sales = settled_sales(ledger, orders, catalog)
    leaders = sorted(leader_reports(catalog, ledger, sales), key=lambda r: (-r.earned.fen, r.leader_id))[:5]
    return _Demo(
        rows=rows,
        influencer=influencer,
        page=pool.rank(influencer, page_size=5),
        coverage={t: coverage[t] for t in Tier},
        settled=len(sales),
        own_stream=sum(1 for sale in sales if sale.order_id in own_ids),
        progress=GoalTracker().measure(sales),
        leaders=leaders,
        clearance=decide_clearance(catalog, as_of=as_of, shops=shops),
    )


def demo_section(catalog: Catalog) -> str:
    """The demo's part on the three problems: admission and clearance, the pool for one influencer, goals and
    coverage."""
    demo = _demo(catalog)
    counts = Counter((r["kind"], r["outcome"]) for r in demo.rows)
    admission = render_table(
        ["", *(o.value for o in Outcome)],
        [[kind, *(counts[(kind, o.value)] for o in Outcome)] for kind in ("merchant", "listing")],
        align="lrrr",
    )
    refused = next((r for r in demo.rows if r["outcome"] == "reject"), None)
    parts = [
        "1. Getting in (准入): the default low-threshold admission policy on every merchant and listing, each "
        "shop's 30-day GMV and bad-review rate estimated from its goods' snapshots (measure_shops)",
        "",
        admission,
    ]
    if refused is not None:
        parts += ["", f"e.g. {refused['subject']}: {refused['outcome']} - {'; '.join(refused['reasons'])}"]
    on_record = next(
        (r for r in demo.rows if r["kind"] == "merchant" and any(x.startswith(_SHOP_RULES) for x in r["reasons"])),
        None,
    )
    if on_record is not None:
        parts += [f"e.g. {on_record['subject']}: {on_record['outcome']} - {'; '.join(on_record['reasons'])}"]
    cleared = Counter((d.kind, d.action) for d in demo.clearance)
    parts += [
        "",
        "Clearance (清退): the same criteria on who is already in: "
        f"{cleared['merchant', ClearanceAction.REMOVE]} merchants and {cleared['listing', ClearanceAction.REMOVE]} "
        f"listings removed, {cleared['merchant', ClearanceAction.WATCH]} merchants and "
        f"{cleared['listing', ClearanceAction.WATCH]} listings under watch",
    ]
    removed = next((d for d in demo.clearance if d.action is ClearanceAction.REMOVE), None)
    if removed is not None:
        parts += [f"e.g. {removed.kind} {removed.subject}: remove - {'; '.join(removed.reasons)}"]
    parts += [
        "",
        "2. Finding good goods (选品): the pool ranked for one influencer "
        f"(main categories {', '.join(demo.influencer.main_category_ids)}; "
        f"{demo.page.total} listings, new L0 goods included: goods enter the pool on joining)",
        "",
        _pool_text(demo.influencer.name, demo.page),
    ]
    parts += [
        "",
        "3. Good goods in more categories: third-level categories with goods at each tier or above",
        "",
        render_table([t.value for t in Tier], [[demo.coverage[t] for t in Tier]], align="rrrrrr"),
    ]
    parts += [
        "",
        f"Program goals over {demo.settled} settled sample orders, {demo.own_stream} of them from the merchants' own "
        "streams (自播: no commission, but sales all the same); the four public targets:",
        "",
        _goals_text(demo.progress),
    ]
    parts += [
        "",
        "Team leaders (招商团长) by settled earnings:",
        "",
        render_table(
            ["leader", "listings", "merchants", "GMV", "earned"],
            [
                [
                    r.leader_id,
                    len(r.listings),
                    len(r.merchants),
                    r.gmv.format(grouping=True),
                    r.earned.format(grouping=True),
                ]
                for r in demo.leaders
            ],
            align="lrrrr",
        ),
    ]
    return "\n".join(parts)


def demo_data(catalog: Catalog) -> dict[str, Any]:
    """The data of the demo's market part: every admission decision (as ``admit --json``), every clearance decision
    (kind, subject, action, reasons), the pool's first page
    for one influencer (as ``pool --json``), the coverage per tier, the goals (as ``goals --json``) and the team
    leaders by settled earnings."""
    demo = _demo(catalog)
    return {
        "admission": demo.rows,
        "pool": _page_json(demo.influencer.id, demo.page),
        "coverage": {t.value: n for t, n in demo.coverage.items()},
        "settled_orders": demo.settled,
        "own_stream_orders": demo.own_stream,
        "goals": _goals_json(demo.progress),
        "clearance": [
            {"kind": d.kind, "subject": d.subject, "action": d.action.value, "reasons": list(d.reasons)}
            for d in demo.clearance
        ],
        "leaders": [
            {
                "leader_id": r.leader_id,
                "listings": len(r.listings),
                "merchants": len(r.merchants),
                "gmv": r.gmv.to_text(),
                "earned": r.earned.to_text(),
            }
            for r in demo.leaders
        ],
    }


def register(sub: Subparsers) -> None:
    """Add the admission, pool and goals sub-commands."""
    admit = add_command(
        sub,
        "admit",
        help="decide admission for every merchant and listing in a catalog file",
        description="Decide admission for every merchant and listing of a catalog file (an application; the "
        "built-in sample by default) under an admission policy.",
        example="python -m fenxiao admit --catalog application.json --policy my-admission.toml --json",
    )
    add_catalog_option(admit)
    admit.add_argument(
        "--policy", metavar="FILE", help="an admission policy file; the default low-threshold policy otherwise"
    )
    admit.add_argument("--json", action="store_true", help="print the decisions as JSON")
    admit.set_defaults(func=_cmd_admit)

    pool = add_command(
        sub,
        "pool",
        help="the selection pool ranked for one influencer",
        example="python -m fenxiao pool --influencer kol-001 --min-tier L3 --min-commission 20% --json",
    )
    pool.add_argument("--influencer", required=True, metavar="ID", help="the influencer id, e.g. kol-001")
    add_catalog_option(pool, positional=False)
    for name in MODEL_FILES:
        pool.add_argument(f"--{name}", metavar="FILE", help=f"{MODEL_FILES[name][2]} (to grade the pool)")
    pool.add_argument("--category", action="append", metavar="ID", help="a third-level category id (repeatable)")
    pool.add_argument("--level1", metavar="NAME", help="a first-level category name, e.g. 美妆护肤")
    pool.add_argument("--min-tier", choices=[t.value for t in Tier], help="the tier at least")
    pool.add_argument("--min-commission", metavar="RATE", help="the commission rate at least, e.g. 20%%")
    pool.add_argument("--price-low", metavar="YUAN", help="the lowest price in yuan, e.g. 50")
    pool.add_argument("--price-high", metavar="YUAN", help="the highest price in yuan, e.g. 200")
    pool.add_argument("--team-leader", metavar="ID", help="listings of this team leader")
    pool.add_argument("--badge", help="listings carrying this badge (label or icon id)")
    pool.add_argument("--page", type=whole_number(1, 10**9), default=1, help="the page to show (default 1)")
    pool.add_argument(
        "--page-size", type=whole_number(1, 1000), default=20, help="listings per page (default 20, at most 1000)"
    )
    pool.add_argument("--json", action="store_true", help="print the page as JSON")
    pool.set_defaults(func=_cmd_pool)

    goals = add_command(
        sub,
        "goals",
        help="progress towards the program goals over seeded sample orders",
        example="python -m fenxiao goals --orders 1000 --seed 7 --json",
    )
    add_catalog_option(goals, positional=False)
    goals.add_argument(
        "--orders",
        type=whole_number(0, 10_000_000),
        default=300,
        help="how many seeded orders to generate (default 300)",
    )
    goals.add_argument("--seed", type=whole_number(), default=20211130, help="the seed of the orders (20211130)")
    goals.add_argument("--json", action="store_true", help="print each goal's progress as JSON")
    goals.set_defaults(func=_cmd_goals)


#: The market command group.
GROUP = CommandGroup("market", register, demo_section, demo_data)
