"""Helpers for testing code built on fenxiao.

:mod:`fenxiao.testing.strategies` holds `Hypothesis <https://hypothesis.readthedocs.io>`_
strategies for every public fenxiao type. It needs the ``hypothesis`` package,
which the ``fenxiao[testing]`` extra installs::

    pip install 'fenxiao[testing]'

Importing this package never imports Hypothesis; importing
:mod:`fenxiao.testing.strategies` without it raises :class:`MissingExtraError`.

>>> issubclass(MissingExtraError, ImportError)
True

.. versionadded:: 0.1
"""

from __future__ import annotations

from fenxiao.errors import MissingExtraError

__all__ = ["MissingExtraError"]  # re-exported: it lives in fenxiao.errors
