"""Progress reporting for long batch work (private): a callback, or a tqdm bar when asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

from fenxiao.errors import InvalidValueError, MissingExtraError

#: ``progress(done, total)``: called after each chunk with the rows done so far and the rows in all.
ProgressCallback: TypeAlias = Callable[[int, int], None]
#: What a ``progress=`` argument takes: a callback, ``True`` for a tqdm bar, or ``None``/``False`` for nothing.
Progress: TypeAlias = ProgressCallback | bool | None


@contextmanager
def reporter(progress: Progress, total: int, description: str) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(rows)``: tells *progress* that *rows* more rows are done."""
    if progress is None or progress is False:
        yield _ignore
        return
    if progress is True:
        try:
            tqdm: Any = importlib.import_module("tqdm")
        except ImportError as exc:
            raise MissingExtraError("tqdm", "progress", "fenxiao.columnar (progress=True)") from exc
        bar: Any = tqdm.tqdm(total=total, desc=description, unit="row", unit_scale=True)
        try:
            yield bar.update
        finally:
            bar.close()
        return
    if not callable(progress):
        raise InvalidValueError("progress", progress, "must be a callable progress(done, total), True or None")
    callback = progress
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        callback(done, total)

    yield advance


def _ignore(rows: int) -> None:
    """Report nothing."""


def chunks(total: int, size: int) -> Iterator[slice]:
    """Consecutive slices of at most *size* rows covering ``range(total)``."""
    value: object = size
    if type(value) is not int or size < 1:
        raise InvalidValueError("chunk_size", size, "must be a whole number of rows above zero")
    for start in range(0, total, size):
        yield slice(start, min(total, start + size))
