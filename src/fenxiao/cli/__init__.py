"""The command line, ``python -m fenxiao``: one module per command group.

- :mod:`fenxiao.cli.main` builds the parser from the groups and runs a command (``main``);
- :mod:`fenxiao.cli.contract` is what a group provides (:class:`CommandGroup`, :data:`Command`);
- :mod:`fenxiao.cli.common` reads catalogs and writes tables and JSON for every group;
- :mod:`fenxiao.cli.demo`, :mod:`~fenxiao.cli.score`, :mod:`~fenxiao.cli.grading`, :mod:`~fenxiao.cli.split`
  and :mod:`~fenxiao.cli.market` are the groups.

See docs/cli.md for the commands and how to add one.
"""

from fenxiao.cli.common import catalog_summary, load_catalog, render_table
from fenxiao.cli.contract import Command, CommandGroup

__all__ = ["Command", "CommandGroup", "catalog_summary", "load_catalog", "render_table"]
