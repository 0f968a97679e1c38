"""The contract between ``fenxiao.cli.main`` and the modules that add commands.

A *command group* is one module's share of the command line: its module defines ``GROUP``, a
:class:`CommandGroup` whose ``register`` adds that module's sub-command parsers, and which may carry a
``demo_section`` that ``python -m fenxiao demo`` prints after the catalog summary (rendered inside
:func:`fenxiao.cli.common.table_view`: long tables cut to their top and bottom rows and fitted to 100 columns unless
``demo --all``), and a ``demo_data`` that ``demo --json`` prints under the group's name (the section's text when a
group has none). Each sub-command parser stores its :data:`Command` as the ``func`` default;
:func:`fenxiao.cli.main.main` parses the arguments, calls ``func(args, out)`` and returns its exit status.

>>> import argparse, io
>>> def hello(args: argparse.Namespace, out: io.StringIO) -> int:
...     out.write(f"hello {args.name}\\n")
...     return 0
>>> def register(sub: Subparsers) -> None:
...     parser = sub.add_parser("hello", help="greet someone")
...     parser.add_argument("name")
...     parser.set_defaults(func=hello)
>>> CommandGroup("hello", register)
CommandGroup(name='hello', register=<function register at ...>, demo_section=None, demo_data=None)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TextIO, TypeAlias

import attrs

from fenxiao._internal.validators import identifier
from fenxiao.domain.catalog import Catalog

__all__ = ["Command", "CommandGroup", "DemoData", "DemoSection", "Subparsers"]

#: What ``ArgumentParser.add_subparsers`` returns; ``register`` calls its ``add_parser`` once per command.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

#: A command: the parsed arguments and the output stream in, the exit status out (0 ok, 1 findings).
#: Bad input is raised as a :class:`fenxiao.FenxiaoError`, which ``main`` reports as one line with status 2.
Command: TypeAlias = Callable[[argparse.Namespace, TextIO], int]

#: A demo section: the text ``demo`` prints for a catalog, without a trailing newline.
DemoSection: TypeAlias = Callable[[Catalog], str]

#: A demo section's data: what ``demo --json`` prints under the group's name (JSON-able: dicts, lists, strings,
#: ints, booleans and ``None``; amounts as exact yuan strings).
DemoData: TypeAlias = Callable[[Catalog], Any]


@attrs.frozen
class CommandGroup:
    """One module's commands: how to register their parsers, and optionally its part of ``demo``.

    Args:
        name: The group's name (``score``, ``grading`` ...), for tests and messages; not a command name.
        register: Adds the group's sub-command parsers, each with a :data:`Command` as its ``func`` default.
        demo_section: The group's part of ``python -m fenxiao demo``, or ``None`` for none.
        demo_data: The data of that part for ``demo --json``, or ``None`` to print the section's text there.
    """

    name: str = attrs.field(validator=identifier)
    register: Callable[[Subparsers], None]
    demo_section: DemoSection | None = None
    demo_data: DemoData | None = None
