"""The authoring group: ``schema KIND`` (a rule file's JSON Schema) and ``test POLICY CASES`` (rule tests as data).

``lint`` (in the grading group) checks a rule file of any kind; these two commands complete a rule author's kit.
See ``docs/rule-authors.md``.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from fenxiao.authoring.kinds import KINDS
from fenxiao.authoring.schemas import build_file_schema
from fenxiao.cli.contract import CommandGroup, Subparsers

__all__ = ["GROUP", "register"]


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    out.write(json.dumps(build_file_schema(args.kind), ensure_ascii=False, indent=2) + "\n")
    return 0


def register(sub: Subparsers) -> None:
    """Add the authoring sub-commands."""
    schema = sub.add_parser("schema", help="print the JSON Schema of a kind of rule file (for editors)")
    schema.add_argument("kind", choices=[k.name for k in KINDS], help="the kind of rule file")
    schema.set_defaults(func=_cmd_schema)


#: The authoring command group.
GROUP = CommandGroup("authoring", register)
