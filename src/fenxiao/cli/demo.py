"""The ``demo`` command: a catalog's summary, then the demo section of every other command group.

``python -m fenxiao demo [CATALOG]`` runs the main job on the built-in sample catalog (or on *CATALOG*): it
prints :func:`fenxiao.cli.common.catalog_summary`, then each group's ``demo_section`` in the order of the groups.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from fenxiao.cli.common import catalog_summary, load_catalog
from fenxiao.cli.contract import CommandGroup, DemoSection, Subparsers

__all__ = ["demo_group"]


def demo_group(groups: Sequence[CommandGroup]) -> CommandGroup:
    """The group of the ``demo`` command, which shows the demo sections of *groups* in their order."""
    sections = tuple(g.demo_section for g in groups if g.demo_section is not None)

    def register(sub: Subparsers) -> None:
        demo = sub.add_parser("demo", help="run the main job on the built-in sample catalog")
        demo.add_argument("catalog", nargs="?", help="a catalog file (.json/.toml); the built-in sample by default")
        demo.set_defaults(func=_cmd_demo, sections=sections)

    return CommandGroup("demo", register)


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog(args.catalog)
    title = "Sample catalog" if args.catalog is None else f"Catalog {args.catalog}"
    out.write(catalog_summary(catalog, title=title) + "\n")
    section: DemoSection
    for section in args.sections:
        out.write("\n" + section(catalog).rstrip("\n") + "\n")
    return 0
