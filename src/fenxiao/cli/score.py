"""The score group: the ``score`` and ``scorecards`` commands, and the demo's five-dimension section.

``python -m fenxiao score [CATALOG] [--json] [--scorecards FILE]`` scores the latest
snapshot of every SKU in a catalog (the built-in sample by default) against the
catalog's own category context. ``python -m fenxiao scorecards [--format toml|json]``
prints the default scorecards, a starting point for your own file.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TextIO

from fenxiao._internal.toml import dumps as toml_dumps
from fenxiao.cli.common import load_catalog, render_table, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.domain.catalog import Catalog
from fenxiao.scoring.context import build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import Dimension, SkuScores, round_points
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.scorecards import Scorecards, default_scorecards
from fenxiao.serialization import dumps, load, to_dict

__all__ = ["GROUP", "card_json", "demo_section", "register", "score_catalog"]


def register(sub: Subparsers) -> None:
    """Add ``score`` and ``scorecards`` to the ``python -m fenxiao`` sub-command parsers."""
    score = sub.add_parser("score", help="score a catalog on the five dimensions (五维评分)")
    score.add_argument("catalog", nargs="?", help="a catalog file (.json/.toml); the built-in sample by default")
    score.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    score.add_argument("--scorecards", metavar="FILE", help="a scorecards file (.toml/.json); the defaults otherwise")
    score.set_defaults(func=_cmd_score)
    cards = sub.add_parser("scorecards", help="print the default scorecards, to start your own file")
    cards.add_argument("--format", choices=("toml", "json"), default="toml", help="toml (default) or json")
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


def _scorer(path: str | None) -> FiveDimensionScorer:
    if path is None:
        return default_scorer()
    return FiveDimensionScorer.from_scorecards(load(Path(path), Scorecards))


def _cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    scorer = _scorer(args.scorecards)
    catalog = load_catalog(args.catalog)
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
    if args.format == "json":
        out.write(dumps(default_scorecards()) + "\n")
    else:
        out.write(toml_dumps(to_dict(default_scorecards())))
    return 0


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    return round_points((Fraction(ordered[(n - 1) // 2]) + Fraction(ordered[n // 2])) / 2)


def demo_section(catalog: Catalog) -> str:
    """The five scores of the catalog: spread per dimension, then the top SKUs by composite."""
    cards = score_catalog(catalog)
    if not cards:
        return "Five-dimension scores (五维评分): no snapshots to score."
    rows: list[list[object]] = []
    for dimension in Dimension:
        values = [c[dimension].value for c in cards]
        mean = round_points(Fraction(sum(values, Decimal(0))) / len(values))
        rows.append([str(dimension), mean, min(values), _median(values), max(values)])
    composites = [c.composite for c in cards]
    mean = round_points(Fraction(sum(composites, Decimal(0))) / len(composites))
    rows.append(["composite 综合", mean, min(composites), _median(composites), max(composites)])
    spread = render_table(["dimension", "mean", "min", "median", "max"], rows, align="lrrrr")
    top = sorted(cards, key=lambda c: (-c.composite, c.sku_id))[:5]
    top_rows = [[c.sku_id, *(s.value for s in c.scores), c.composite] for c in top]
    best = render_table(["SKU", *(d.value for d in Dimension), "composite"], top_rows, align="l" + "r" * 6)
    head = (
        f"Five-dimension scores (五维评分) of {len(cards)} SKUs: default scorecards, equal weights, "
        "each category against its own peers"
    )
    return f"{head}\n\n{spread}\n\nTop 5 by composite:\n\n{best}"


#: The score command group.
GROUP = CommandGroup("score", register, demo_section)
