"""The market group: the ``admit``, ``pool`` and ``goals`` commands, and the demo's part on the three problems."""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import timedelta
from typing import Any, TextIO

from fenxiao.cli.common import load_catalog, option_value, render_table, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.domain.catalog import Catalog
from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import catalog_as_of, grade_catalog
from fenxiao.market.admission import AdmissionPolicy, Outcome, default_admission_policy, merchant_inputs, sku_inputs
from fenxiao.market.goals import GoalProgress, GoalTracker, category_coverage, leader_reports, settled_sales
from fenxiao.market.pool import PoolFilter, SelectionPool
from fenxiao.money import Money, Rate
from fenxiao.sample import generate_orders
from fenxiao.serialization import load
from fenxiao.settlement.ledger import Ledger
from fenxiao.settlement.profiles import PlatformProfile

__all__ = ["GROUP", "demo_section", "register"]


def _admission_rows(catalog: Catalog, policy: AdmissionPolicy) -> list[dict[str, Any]]:
    as_of = catalog_as_of(catalog)
    due = (as_of + timedelta(hours=policy.review_hours)).isoformat()
    rows: list[dict[str, Any]] = []
    for merchant in catalog.merchants:
        decision = policy.decide(merchant_inputs(merchant, as_of=as_of), subject=merchant.id)
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
    catalog = load_catalog(args.application)
    policy = default_admission_policy() if args.policy is None else load(args.policy, AdmissionPolicy)
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
    return None if text is None else option_value(Money.of, text, option)


def _cmd_pool(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(args.catalog)
    influencer = catalog.influencer(args.influencer)
    query = PoolFilter(
        category_ids=frozenset(args.category) if args.category else None,
        category_level1=args.level1,
        min_tier=Tier(args.min_tier) if args.min_tier else None,
        min_commission=option_value(Rate.of, args.min_commission, "--min-commission") if args.min_commission else None,
        price_low=_money(args.price_low, "--price-low"),
        price_high=_money(args.price_high, "--price-high"),
        team_leader_id=args.team_leader,
        badge=args.badge,
    )
    page = SelectionPool.from_catalog(catalog).rank(influencer, query, page=args.page, page_size=args.page_size)
    if args.json:
        data = {
            "influencer": influencer.id,
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
        write_json(out, data)
        return 0
    out.write(_pool_text(influencer.name, page) + "\n")
    return 0


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
    profile = PlatformProfile.kuaishou()
    ledger = Ledger().record_all(orders, profile)
    sales = settled_sales(ledger, orders, catalog)
    progress = GoalTracker().measure(sales)
    if args.json:
        data = [
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
        write_json(out, data)
        return 0
    out.write(f"Goals over {len(sales)} settled orders (seeded sample orders, seed {args.seed}):\n\n")
    out.write(_goals_text(progress) + "\n")
    return 0


def _jsonable(value: Money | int) -> str | int:
    return value.to_text() if isinstance(value, Money) else value


def demo_section(catalog: Catalog) -> str:
    """The demo's part on the three problems: admission, the pool for one influencer, goals and coverage."""
    policy = default_admission_policy()
    rows = _admission_rows(catalog, policy)
    counts = Counter((r["kind"], r["outcome"]) for r in rows)
    admission = render_table(
        ["", *(o.value for o in Outcome)],
        [[kind, *(counts[(kind, o.value)] for o in Outcome)] for kind in ("merchant", "listing")],
        align="lrrr",
    )
    refused = next((r for r in rows if r["outcome"] == "reject"), None)
    parts = [
        "1. Getting in (准入): the default low-threshold admission policy on every merchant and listing",
        "",
        admission,
    ]
    if refused is not None:
        parts += ["", f"e.g. {refused['subject']}: {refused['outcome']} - {'; '.join(refused['reasons'])}"]
    graded = grade_catalog(catalog, explain=False)
    pool = SelectionPool.from_catalog(catalog, graded)
    influencer = next((i for i in catalog.influencers if i.main_category_ids), catalog.influencers[0])
    page = pool.rank(influencer, page_size=5)
    parts += [
        "",
        "2. Finding good goods (选品): the pool ranked for one influencer "
        f"(main categories {', '.join(influencer.main_category_ids)})",
        "",
        _pool_text(influencer.name, page),
    ]
    coverage = category_coverage((g.category_id, g.decision.tier) for g in graded)
    parts += [
        "",
        "3. Good goods in more categories: third-level categories with goods at each tier or above",
        "",
        render_table([t.value for t in Tier], [[coverage[t] for t in Tier]], align="rrrrrr"),
    ]
    orders = generate_orders(catalog, count=300)
    ledger = Ledger().record_all(orders, PlatformProfile.kuaishou())
    sales = settled_sales(ledger, orders, catalog)
    parts += [
        "",
        f"Program goals over {len(sales)} settled sample orders (the four public targets):",
        "",
        _goals_text(GoalTracker().measure(sales)),
    ]
    leaders = sorted(leader_reports(catalog, ledger, sales), key=lambda r: (-r.earned.fen, r.leader_id))[:5]
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
                for r in leaders
            ],
            align="lrrrr",
        ),
    ]
    return "\n".join(parts)


def register(sub: Subparsers) -> None:
    """Add the admission, pool and goals sub-commands."""
    admit = sub.add_parser("admit", help="decide admission for every merchant and listing in a catalog file")
    admit.add_argument("application", metavar="APPLICATION", help="a catalog file (.json/.toml) with the application")
    admit.add_argument("--policy", help="an admission policy file; the default low-threshold policy otherwise")
    admit.add_argument("--json", action="store_true", help="print the decisions as JSON")
    admit.set_defaults(func=_cmd_admit)

    pool = sub.add_parser("pool", help="the selection pool ranked for one influencer")
    pool.add_argument("--influencer", required=True, help="the influencer id")
    pool.add_argument("--catalog", help="a catalog file; the built-in sample by default")
    pool.add_argument("--category", action="append", help="a third-level category id (repeatable)")
    pool.add_argument("--level1", help="a first-level category name")
    pool.add_argument("--min-tier", choices=[t.value for t in Tier], help="the tier at least")
    pool.add_argument("--min-commission", help="the commission rate at least, e.g. 20%%")
    pool.add_argument("--price-low", help="the lowest price in yuan")
    pool.add_argument("--price-high", help="the highest price in yuan")
    pool.add_argument("--team-leader", help="listings of this team leader")
    pool.add_argument("--badge", help="listings carrying this badge (label or icon id)")
    pool.add_argument("--page", type=int, default=1)
    pool.add_argument("--page-size", type=int, default=20)
    pool.add_argument("--json", action="store_true", help="print the page as JSON")
    pool.set_defaults(func=_cmd_pool)

    goals = sub.add_parser("goals", help="progress towards the program goals over seeded sample orders")
    goals.add_argument("--catalog", help="a catalog file; the built-in sample by default")
    goals.add_argument("--orders", type=int, default=300, help="how many seeded orders to generate (default 300)")
    goals.add_argument("--seed", type=int, default=20211130)
    goals.add_argument("--json", action="store_true")
    goals.set_defaults(func=_cmd_goals)


#: The market command group.
GROUP = CommandGroup("market", register, demo_section)
