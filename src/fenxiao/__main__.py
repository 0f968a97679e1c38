"""``python -m fenxiao``: see :mod:`fenxiao.cli.main`."""

from __future__ import annotations

import sys

from fenxiao.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
