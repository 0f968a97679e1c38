"""The command line, ``python -m fenxiao``: one module per command group.

- :mod:`fenxiao.cli.main` builds the parser from the groups and runs a command (``main``);
- :mod:`fenxiao.cli.contract` is what a group provides (:class:`CommandGroup`, :data:`Command`);
- :mod:`fenxiao.cli.common` reads catalogs and writes tables and JSON for every group;
- :mod:`fenxiao.cli.demo` and the group modules listed in :data:`fenxiao.cli.main.GROUP_MODULES`.

The names below load on first use, so that ``python -m fenxiao --help`` imports no group.
See docs/cli.md for the commands and how to add one.
"""

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from fenxiao.cli.common import catalog_summary, load_catalog, render_table
    from fenxiao.cli.contract import Command, CommandGroup

__all__ = ["Command", "CommandGroup", "catalog_summary", "load_catalog", "render_table"]

_NAMES: Final[dict[str, str]] = {
    "Command": "fenxiao.cli.contract",
    "CommandGroup": "fenxiao.cli.contract",
    "catalog_summary": "fenxiao.cli.common",
    "load_catalog": "fenxiao.cli.common",
    "render_table": "fenxiao.cli.common",
}


def __getattr__(name: str) -> Any:
    """Load a name of the package on first use (PEP 562)."""
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'fenxiao.cli' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
