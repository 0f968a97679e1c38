"""The command line: ``python -m fenxiao`` (also installed as ``fenxiao``).

Each capability adds its sub-commands from its own module, listed in
:data:`COMMAND_MODULES`: the module defines ``register(sub)`` (adds parsers whose
``func`` default takes the parsed arguments and an output stream and returns an
exit status) and may define ``demo_section(catalog) -> str``, which ``demo``
prints after the catalog summary. Bad input is reported as one line on stderr
with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from fenxiao._version import __version__
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import FenxiaoError, ValidationError
from fenxiao.money import Money

__all__ = ["catalog_summary", "load_catalog", "main", "render_table"]

Command = Callable[[argparse.Namespace, TextIO], int]

#: Modules that add sub-commands (``register``) and demo sections (``demo_section``), in demo order.
COMMAND_MODULES: tuple[str, ...] = (
    "fenxiao.cli.score",
    "fenxiao.cli.grading",
    "fenxiao.cli.split",
    "fenxiao.cli.market",
)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, align: str = "") -> str:
    """Render rows as a plain-text table; *align* gives ``l`` or ``r`` per column (numbers right by default)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))
    aligns = align or "".join(
        "r" if rows and isinstance(rows[0][i], (int, Money)) else "l" for i in range(len(headers))
    )

    def line(row: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if aligns[i] == "r" else cell + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


def load_catalog(path: str | None) -> Catalog:
    """The catalog in *path* (``.json`` or ``.toml``), or the built-in sample when *path* is ``None``.

    Raises:
        InvalidValueError: *path* cannot be read or has another suffix.
        ValidationError: The file is not a valid catalog; the message names the file and every problem.
    """
    if path is None:
        from fenxiao.sample import load_sample

        return load_sample()
    from fenxiao.serialization import load

    try:
        return load(Path(path), Catalog)
    except ValidationError as exc:
        # Name the file: the problems' paths are relative to it.
        raise ValidationError(exc.errors, what=f"catalog {path}") from exc


def catalog_summary(catalog: Catalog, *, title: str = "Sample catalog") -> str:
    """A readable summary of a catalog: totals, then one row per third-level category and a total row.

    Units and GMV are those of each SKU's latest snapshot; "no sales" counts SKUs whose latest snapshot
    sold nothing in 30 days.
    """
    latest = {s.sku_id: s for s in catalog.latest_snapshots()}
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    merchants_per_cat: dict[str, set[str]] = defaultdict(set)
    for sku in catalog.skus:
        row = per_cat[sku.category_id]
        snap = latest.get(sku.id)
        row[0] += 1
        row[1] += snap.units_30d if snap else 0
        row[2] += snap.gmv_30d.fen if snap else 0
        row[3] += 1 if snap and snap.units_30d == 0 else 0
        merchants_per_cat[sku.category_id].add(sku.merchant_id)
    rows: list[list[object]] = []
    for category in catalog.categories:
        skus, units, gmv, idle = per_cat.get(category.id, [0, 0, 0, 0])
        rows.append(
            [
                str(category),
                skus,
                len(merchants_per_cat[category.id]),
                f"{units:,}",
                Money(gmv).format(grouping=True),
                idle,
            ]
        )
    totals = [sum(r[i] for r in per_cat.values()) for i in range(4)]
    total_gmv = Money(totals[2]).format(grouping=True)
    all_merchants = len({sku.merchant_id for sku in catalog.skus})
    rows.append(["total", totals[0], all_merchants, f"{totals[1]:,}", total_gmv, totals[3]])
    head = (
        f"{title}: {len(catalog.skus)} SKUs, {len(catalog.merchants)} merchants, "
        f"{len(catalog.brands)} brands, {len(catalog.categories)} third-level categories, "
        f"{len(catalog.influencers)} influencers, {len(catalog.team_leaders)} team leaders, "
        f"{len(catalog.listings)} listings; 30-day GMV {total_gmv}"
    )
    table = render_table(
        ["category (一级 > 二级 > 三级)", "SKUs", "merchants", "units 30d", "GMV 30d", "no sales"],
        rows,
        align="lrrrrr",
    )
    return f"{head}\n\n{table}"


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(args.catalog)
    title = "Sample catalog" if args.catalog is None else f"Catalog {args.catalog}"
    out.write(catalog_summary(catalog, title=title) + "\n")
    for name in args.modules:
        section = getattr(importlib.import_module(name), "demo_section", None)
        if section is not None:
            out.write("\n" + section(catalog).rstrip("\n") + "\n")
    return 0


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The argument parser for ``python -m fenxiao``, with the sub-commands of *modules*."""
    parser = argparse.ArgumentParser(prog="fenxiao", description="The rules core of 快分销-style distribution.")
    parser.add_argument("--version", action="version", version=f"fenxiao {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the main job on the built-in sample catalog")
    demo.add_argument("catalog", nargs="?", help="a catalog file (.json/.toml); the built-in sample by default")
    demo.set_defaults(func=_cmd_demo, modules=tuple(modules))
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, *, modules: Sequence[str] = COMMAND_MODULES
) -> int:
    """Run the command line; returns the exit status (0 ok, 1 findings, 2 bad input).

    *modules* defaults to :data:`COMMAND_MODULES`; tests pass their own to try a new command module.
    """
    stream = out if out is not None else sys.stdout
    parser = build_parser(modules)
    try:
        # --version and --help print to *out*; usage errors go to stderr. Either way, return the status.
        with contextlib.redirect_stdout(stream):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    func: Command = args.func
    try:
        return func(args, stream)
    except FenxiaoError as exc:
        print(f"fenxiao {args.command}: {exc}", file=sys.stderr)
        return 2
