"""Progress reporting for long batch work (private): a callback, or a tqdm bar when asked for.

Every long job takes ``progress=``: ``None`` (the default) reports nothing, so scripts and services stay silent;
a callable ``progress(done, total)`` is called as work is done; ``True`` shows a tqdm bar (extra
``fenxiao[progress]``); ``"auto"`` shows one only where someone watches (a notebook, or a terminal on stderr)
and is silent otherwise, and silent too when tqdm is not installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias, TypeVar

from fenxiao.errors import InvalidValueError, MissingExtraError

#: ``progress(done, total)``: called after each chunk with the rows done so far and the rows in all.
ProgressCallback: TypeAlias = Callable[[int, int], None]
#: What a ``progress=`` argument takes: a callback, ``True`` for a tqdm bar, ``"auto"`` for a bar where someone
#: watches, or ``None``/``False`` for nothing.
Progress: TypeAlias = ProgressCallback | bool | str | None


def _watched() -> bool:
    """Whether someone watches: an IPython kernel (a notebook) or a terminal on stderr."""
    shell = sys.modules.get("IPython")
    if shell is not None and getattr(shell, "get_ipython", lambda: None)() is not None:
        return True
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


@contextmanager
def reporter(progress: Progress, total: int, description: str) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(rows)``: tells *progress* that *rows* more rows are done."""
    if progress == "auto":
        progress = _watched() and importlib.util.find_spec("tqdm") is not None
    if progress is None or progress is False:
        yield _ignore
        return
    if progress is True:
        try:
            tqdm: Any = importlib.import_module("tqdm.auto")
        except ImportError as exc:
            raise MissingExtraError("tqdm", "progress", f"{description} (progress=True)") from exc
        bar: Any = tqdm.tqdm(total=total, desc=description, unit="row", unit_scale=True)
        try:
            yield bar.update
        finally:
            bar.close()
        return
    if not callable(progress):
        raise InvalidValueError("progress", progress, "must be a callable progress(done, total), True, 'auto' or None")
    callback = progress
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        callback(done, total)

    yield advance


T = TypeVar("T")


def counted(items: Iterable[T], progress: Progress, total: int, description: str) -> Iterator[T]:
    """*items*, telling *progress* of each one done (after the loop body that took it has run)."""
    with reporter(progress, total, description) as advance:
        for item in items:
            yield item
            advance(1)


def _ignore(rows: int) -> None:
    """Report nothing."""


def chunks(total: int, size: int) -> Iterator[slice]:
    """Consecutive slices of at most *size* rows covering ``range(total)``."""
    value: object = size
    if type(value) is not int or size < 1:
        raise InvalidValueError("chunk_size", size, "must be a whole number of rows above zero")
    for start in range(0, total, size):
        yield slice(start, min(total, start + size))
