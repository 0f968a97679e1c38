"""The score group: the ``score`` and ``scorecards`` commands, and the demo's five-dimension section.

``python -m fenxiao score [--catalog FILE] [--json] [--scorecards FILE]`` scores the latest
snapshot of every SKU in a catalog (the built-in sample by default) against the
catalog's own category context. ``python -m fenxiao scorecards [--format toml|json] [--json]``
prints the default scorecards, a starting point for your own file (``--json`` is ``--format json``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, TextIO

from fenxiao._internal.toml import dumps as toml_dumps
from fenxiao.cli.common import (
    add_catalog_option,
    add_model_options,
    catalog_path,
    load_catalog,
    read_models,
    render_table,
    write_json,
)
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError
from fenxiao.scoring.context import build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import Dimension, SkuScores, round_points
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.scorecards import default_scorecards
from fenxiao.serialization import dumps, to_dict

__all__ = ["GROUP", "card_json", "demo_data", "demo_section", "register", "score_catalog"]


def register(sub: Subparsers) -> None:
    """Add ``score`` and ``scorecards`` to the ``python -m fenxiao`` sub-command parsers."""
    score = add_command(
        sub,
        "score",
        help="score a catalog on the five dimensions (五维评分)",
        example=["python -m fenxiao score", "python -m fenxiao score --catalog my-catalog.json --json"],
    )
    add_catalog_option(score)
    add_model_options(score, "scorecards")
    score.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    score.set_defaults(func=_cmd_score)
    cards = add_command(
        sub,
        "scorecards",
        help="print the default scorecards, to start your own file",
        example="python -m fenxiao scorecards > my-scorecards.toml",
    )
    cards.add_argument("--format", choices=("toml", "json"), help="toml (the default) or json")
    cards.add_argument("--json", action="store_true", help="print them as JSON (the same as --format json)")
    cards.set_defaults(func=_cmd_scorecards)


def score_catalog(catalog: Catalog, scorer: FiveDimensionScorer | None = None) -> tuple[SkuScores, ...]:
    """The cards of the latest snapshot of each SKU, against the catalog's own category context."""
    snapshots = catalog.latest_snapshots()
    return (scorer or default_scorer()).score_many(snapshots, build_context(snapshots))


def card_json(card: SkuScores, category_id: str) -> dict[str, Any]:
    """The ``--json`` object of one card: exact decimal strings, keys ``brand`` ... ``sales``."""
    return {
        "sku_id": card.sku_id,
        "category_id": category_id,
        "scores": {s.dimension.value: str(s.value) for s in card.scores},
        "composite": str(card.composite),
    }


def _cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    scorer = read_models(args).scorer
    catalog = load_catalog(catalog_path(args))
    cards = score_catalog(catalog, scorer)
    category = {s.sku_id: s.category_id for s in catalog.latest_snapshots()}
    if args.json:
        write_json(out, [card_json(c, category[c.sku_id]) for c in cards])
        return 0
    headers = ["SKU", "category", *(str(d) for d in Dimension), "composite"]
    rows = [[c.sku_id, category[c.sku_id], *(s.value for s in c.scores), c.composite] for c in cards]
    out.write(render_table(headers, rows, align="ll" + "r" * 6) + "\n")
    return 0


def _cmd_scorecards(args: argparse.Namespace, out: TextIO) -> int:
    if args.json and args.format == "toml":
        raise InvalidValueError("--format", args.format, "conflicts with --json (which is --format json)")
    if args.json or args.format == "json":
        out.write(dumps(default_scorecards()) + "\n")
    else:
        out.write(toml_dumps(to_dict(default_scorecards())))
    return 0


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    return round_points((Fraction(ordered[(n - 1) // 2]) + Fraction(ordered[n // 2])) / 2)


def _spread(cards: Sequence[SkuScores]) -> list[tuple[str, str, Decimal, Decimal, Decimal, Decimal]]:
    """Per dimension, then for the composite: its key, its label, and the mean, min, median and max over *cards*."""
    columns: list[tuple[str, str, list[Decimal]]] = [(d.value, str(d), [c[d].value for c in cards]) for d in Dimension]
    columns.append(("composite", "composite 综合", [c.composite for c in cards]))
    return [
        (key, label, round_points(Fraction(sum(v, Decimal(0))) / len(v)), min(v), _median(v), max(v))
        for key, label, v in columns
    ]


def _top(cards: Sequence[SkuScores]) -> list[SkuScores]:
    return sorted(cards, key=lambda c: (-c.composite, c.sku_id))[:5]


def demo_section(catalog: Catalog) -> str:
    """The five scores of the catalog: spread per dimension, then the top SKUs by composite."""
    cards = score_catalog(catalog)
    if not cards:
        return "Five-dimension scores (五维评分): no snapshots to score."
    rows: list[list[object]] = [list(row[1:]) for row in _spread(cards)]
    spread = render_table(["dimension", "mean", "min", "median", "max"], rows, align="lrrrr")
    top_rows = [[c.sku_id, *(s.value for s in c.scores), c.composite] for c in _top(cards)]
    best = render_table(["SKU", *(d.value for d in Dimension), "composite"], top_rows, align="l" + "r" * 6)
    head = (
        f"Five-dimension scores (五维评分) of {len(cards)} SKUs: default scorecards, equal weights, "
        "each category against its own peers"
    )
    return f"{head}\n\n{spread}\n\nTop 5 by composite:\n\n{best}"


def demo_data(catalog: Catalog) -> dict[str, Any]:
    """The data of the demo's scores part: the spread of each dimension and of the composite, and the top 5 cards
    (as ``score --json`` prints them)."""
    cards = score_catalog(catalog)
    category = {s.sku_id: s.category_id for s in catalog.latest_snapshots()}
    spread = {
        key: {"mean": str(mean), "min": str(low), "median": str(median), "max": str(high)}
        for key, _, mean, low, median, high in (_spread(cards) if cards else [])
    }
    return {"skus": len(cards), "spread": spread, "top": [card_json(c, category[c.sku_id]) for c in _top(cards)]}


#: The score command group.
GROUP = CommandGroup("score", register, demo_section, demo_data)
