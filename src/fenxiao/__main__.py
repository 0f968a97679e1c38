"""``python -m fenxiao``: see :mod:`fenxiao.cli`."""

from __future__ import annotations

import sys

from fenxiao.cli import main

if __name__ == "__main__":
    sys.exit(main())
