"""Reading a file with a byte cap on the stream itself (private).

``stat()`` says nothing true about a pipe, a device or a link to ``/dev/zero``: a reader that trusts it reads
until memory runs out. :func:`read_capped` reads at most *limit* + 1 bytes, whatever the file claims, so a
too-large input is refused after reading just past the cap.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["TooLarge", "read_capped"]


class TooLarge(Exception):
    """The file holds more than the cap (its first *limit* + 1 bytes were read, no more)."""


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of *path*, at most *limit* of them.

    Raises:
        TooLarge: The file holds more than *limit* bytes.
        OSError: The file cannot be opened or read.
    """
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data
