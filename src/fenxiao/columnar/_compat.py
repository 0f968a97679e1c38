"""Where :class:`MissingExtraError` lives (private).

The error is moving from :mod:`fenxiao.testing` to :mod:`fenxiao.errors`; this shim finds it in either place so
the columnar package works before and after the move.
"""

from __future__ import annotations

import fenxiao.errors


def missing_extra(package: str, extra: str, module: str) -> ImportError:
    """The :class:`MissingExtraError` for *package*, installed by ``fenxiao[extra]``, needed by *module*."""
    cls: type[ImportError] | None = getattr(fenxiao.errors, "MissingExtraError", None)
    if cls is None:
        from fenxiao.testing import MissingExtraError

        cls = MissingExtraError
    error: ImportError = cls(package, extra, module)
    return error
