"""Where modules teach the one converter the file forms of their types, without importing cattrs (private).

A module whose types need a file form of their own (the rule language, perk entries, scorecards) registers a
function here; :mod:`fenxiao._internal.convert` calls every registered function on the converter when it is
built, and at once for functions registered after that. ``import fenxiao`` thus loads no cattrs until something
is read or written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import cattrs

__all__ = ["MAX_ITEMS", "attach", "register"]

#: The key of an attrs field's metadata holding ``(limit, plural)``: the converter refuses a list of more than
#: *limit* items for that field before reading any of them ("holds more than 200 rules"), so the size of a
#: hostile document never becomes work.
MAX_ITEMS = "fenxiao.max_items"

Teach = TypeVar("Teach", bound="Callable[[cattrs.Converter], None]")

_registered: list[Callable[[cattrs.Converter], None]] = []
_attached: list[cattrs.Converter] = []


def register(teach: Teach) -> Teach:
    """Call *teach* on the converter: when it is built, or now if it already is. Usable as a decorator."""
    _registered.append(teach)
    for converter in _attached:
        teach(converter)
    return teach


def attach(converter: cattrs.Converter) -> None:
    """Teach *converter* every registered file form (called once, by :mod:`fenxiao._internal.convert`)."""
    _attached.append(converter)
    for teach in _registered:
        teach(converter)
