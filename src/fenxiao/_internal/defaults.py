"""The default rule files shipped with fenxiao, read through the one converter (private).

Every default (scorecards, tier policy, perk catalog, admission policy, platform profiles) is a TOML file in
``fenxiao/data/defaults/``: data a user can copy, edit and load with :func:`fenxiao.serialization.load`. The
``default_*()`` functions of each layer read their file here, once each (they cache the frozen value).
"""

from __future__ import annotations

from importlib import resources
from typing import Final, TypeVar

__all__ = ["DEFAULTS_FOLDER", "read_default"]

T = TypeVar("T")

#: The folder of the default rule files, inside the installed package.
DEFAULTS_FOLDER: Final = "data/defaults"


def read_default(name: str, cls: type[T]) -> T:
    """The shipped default file *name* (e.g. ``"tier_policy.toml"``) read into *cls*, checked like any file."""
    # The converter (and cattrs) load on the first read, not on `import fenxiao`.
    from fenxiao._internal.convert import loads

    text = resources.files("fenxiao").joinpath(DEFAULTS_FOLDER, name).read_text(encoding="utf-8")
    return loads(text, cls, format="toml")
