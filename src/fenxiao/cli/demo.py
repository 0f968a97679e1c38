"""The ``demo`` command: a catalog's summary, then the demo section of every other command group.

``python -m fenxiao demo [--catalog FILE] [--all] [--json]`` runs the main job on the built-in sample catalog (or on
FILE): it prints :func:`fenxiao.cli.common.catalog_summary`, then each group's ``demo_section`` in the order of the
groups. The view is concise: long tables show their top and bottom rows, cells and lines fit 100 columns
(:data:`fenxiao.cli.common.CONCISE`); ``--all`` prints every row and every cell whole. ``--json`` prints one object:
the summary under ``catalog``, then each group's ``demo_data`` under the group's name (``{"text": ...}``, the
section's full text, for a group without data).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, Final, TextIO

from fenxiao.cli.common import (
    CONCISE,
    FULL,
    add_catalog_option,
    catalog_path,
    catalog_summary,
    catalog_summary_data,
    load_catalog,
    table_view,
    wrap_line,
    write_json,
)
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command

__all__ = ["demo_group"]

_HELP: Final = "run the main job on the built-in sample catalog"


def demo_group(groups: Sequence[CommandGroup]) -> CommandGroup:
    """The group of the ``demo`` command, which shows the demo sections of *groups* in their order."""
    shown = tuple(g for g in groups if g.demo_section is not None)

    def register(sub: Subparsers) -> None:
        demo = add_command(
            sub,
            "demo",
            help=_HELP,
            description="Run the main job on a catalog (the built-in sample by default): its summary, then each "
            "command group's part: scores, tiers and perks, a settlement, admission, the pool, goals, periods, a "
            "what-if and the store. Long tables show their top and bottom rows within 100 columns; --all shows "
            "everything.",
            example=["python -m fenxiao demo", "python -m fenxiao demo --all --catalog my-catalog.json"],
        )
        add_catalog_option(demo)
        demo.add_argument("--all", action="store_true", help="print every row of every table, every cell whole")
        demo.add_argument(
            "--json", action="store_true", help="print one JSON object: the summary and each group's data"
        )
        demo.set_defaults(func=_cmd_demo, groups=shown)

    return CommandGroup("demo", register)


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    path = catalog_path(args)
    catalog = load_catalog(path)
    title = "Sample catalog" if path is None else f"Catalog {path}"
    if args.json:
        data: dict[str, Any] = {"catalog": catalog_summary_data(catalog, title=title)}
        for group in args.groups:
            if group.demo_data is not None:
                data[group.name] = group.demo_data(catalog)
            else:
                data[group.name] = {"text": group.demo_section(catalog).rstrip("\n")}
        write_json(out, data)
        return 0
    view = FULL if args.all else CONCISE
    width = view.width
    with table_view(view):
        texts = [catalog_summary(catalog, title=title), *(g.demo_section(catalog).rstrip("\n") for g in args.groups)]
    for i, text in enumerate(texts):
        lines = text.split("\n")
        if width is not None:
            lines = [part for line in lines for part in wrap_line(line, width)]
        out.write(("\n" if i else "") + "\n".join(lines) + "\n")
    return 0
