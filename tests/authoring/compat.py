"""hypothesis-jsonschema 0.23.1 (its latest) with today's Hypothesis: the one private helper it calls, as it was.

hypothesis-jsonschema draws an object's keys with ``hypothesis.internal.conjecture.utils.many(...).more()``;
Hypothesis has since made ``many`` a context manager iterated with ``for``. :func:`from_schema` here is
hypothesis-jsonschema's, with ``more()`` and ``reject()`` served by the new ``many`` (the loop always runs to its
end, so the span opened at the first ``more()`` is closed at the last). Nothing changes when ``many`` still has
``more``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import hypothesis_jsonschema._from_schema as _generator
from hypothesis.internal.conjecture import utils as _utils
from hypothesis_jsonschema import from_schema

__all__ = ["from_schema"]


class _Many:
    """The old ``many`` (``while elements.more(): ... elements.reject()``) on top of the new one."""

    def __init__(self, data: Any, **sizes: Any) -> None:
        self._inner = _utils.many(data, **sizes)
        self._inner.__enter__()
        self._steps: Iterator[None] = iter(self._inner)

    def more(self) -> bool:
        try:
            next(self._steps)
        except StopIteration:
            self._inner.__exit__(None, None, None)
            return False
        return True

    def reject(self) -> None:
        self._inner.reject()


class _Utils:
    many = _Many


if not hasattr(_utils.many, "more"):
    _generator.cu = _Utils()  # type: ignore[attr-defined,assignment]
