"""What a rule file may not hold, whatever its parser lets through (private).

``json`` keeps the last of two equal keys (a rule's ``tier`` written as L1 then L5 reads as L5), where TOML refuses
the document; ``json`` also decodes a lone ``\\ud800`` escape to a string that cannot be written out again (UTF-8
has no surrogates), and Python's ``Decimal`` reads Arabic-Indic and full-width digits (``"٩٠"`` is 90). The
loaders (:func:`fenxiao.serialization.loads`, :func:`fenxiao.authoring.lint_text`) refuse all three here, each at
its path, so a file means the same to fenxiao, to TOML and to a person reading it.

>>> import json
>>> data = json.loads('{"tier": "L1", "tier": "L5", "label": "\\\\ud800"}', object_pairs_hook=json_object)
>>> [str(e) for e in problems_of(data)]
["tier: is given twice (every key of a table must be unique, as in TOML), got 'tier'", \
"label: is not text that can be written as UTF-8 (a lone surrogate), got '\\\\ud800'"]
>>> ascii_number("٩٠") is None, ascii_number(" 12.5 ")
(True, '12.5')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Final, TypeAlias

from fenxiao.errors import InvalidValueError

__all__ = [
    "DUPLICATE_PROBLEM",
    "SURROGATE_PROBLEM",
    "JsonObjects",
    "ascii_number",
    "json_object",
    "may_hold_surrogates",
    "other_digits",
    "problems_of",
]

DUPLICATE_PROBLEM: Final = "is given twice (every key of a table must be unique, as in TOML)"
SURROGATE_PROBLEM: Final = "is not text that can be written as UTF-8 (a lone surrogate)"

# A number as text: ASCII digits only, an optional sign, point and exponent ("1e-3", "-.5", "12.").
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
# A JSON escape of a surrogate (a pair is two of them, and fine; the walk tells a lone one).
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89abcdefABCDEF]")
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def ascii_number(text: str) -> str | None:
    """*text* less surrounding spaces if it is a number written in ASCII digits, else ``None``."""
    stripped = text.strip()
    return stripped if _NUMBER.fullmatch(stripped) else None


def other_digits(text: str) -> bool:
    """Whether *text* reads as a number only in digits other than ASCII (``"٩٠"``, ``"９０"``, ``"٥%"``)."""
    try:
        return Decimal(text.strip().removesuffix("%")).is_finite()
    except ArithmeticError:
        return False


class _Twice(dict[str, Any]):
    """A JSON object in which a key was written more than once (the keys are in ``twice``)."""

    twice: tuple[str, ...] = ()


class JsonObjects:
    """An ``object_pairs_hook`` for :func:`json.loads` that counts the objects with a key written twice."""

    def __init__(self) -> None:
        self.marked = 0

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        table = json_object(pairs)
        if isinstance(table, _Twice):
            self.marked += 1
        return table


def json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :func:`json.loads`: a dict, marked when a key is written twice."""
    table = dict(pairs)
    if len(table) == len(pairs):
        return table
    seen: set[str] = set()
    twice: list[str] = []
    for key, _ in pairs:
        if key in seen and key not in twice:
            twice.append(key)
        seen.add(key)
    marked = _Twice(table)
    marked.twice = tuple(twice)
    return marked


def may_hold_surrogates(text: str | bytes) -> bool:
    """Whether parsed *text* may hold a lone surrogate (quick: when not, :func:`problems_of` need not look)."""
    if isinstance(text, bytes):
        return _SURROGATE_ESCAPE.search(text.decode("ascii", "replace")) is not None
    if _SURROGATE_ESCAPE.search(text):
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _key(path: str, key: object) -> str:
    if isinstance(key, str) and _NAME.fullmatch(key):
        return f"{path}.{key}" if path else key
    if isinstance(key, int):
        return f"{path}[{key}]"
    shown = json.dumps(key, ensure_ascii=True) if isinstance(key, str) else repr(key)
    return f"{path}[{shown}]"


# A place in the document as a chain (enclosing place, key): its text is made only for a problem found there.
_Place: TypeAlias = "tuple[_Place, object] | None"


def _path(place: _Place) -> str:
    keys: list[object] = []
    while place is not None:
        place, key = place
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = _key(path, key)
    return path or "(document)"


def problems_of(data: object, *, texts: bool = True) -> Iterator[InvalidValueError]:
    """An error for every key written twice in parsed *data* and (with *texts*) every string, key or value, that
    cannot be written as UTF-8, each at its path (a table's own keys before what it holds)."""
    stack: list[tuple[object, _Place]] = [(data, None)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if texts and not _encodable(node):
                yield InvalidValueError(_path(where), node, SURROGATE_PROBLEM)
        elif isinstance(node, dict):
            for key in getattr(node, "twice", ()):
                yield InvalidValueError(_path((where, key)), key, DUPLICATE_PROBLEM)
            if texts:
                for key in node:
                    if isinstance(key, str) and not _encodable(key):
                        yield InvalidValueError(_path((where, key)), key, SURROGATE_PROBLEM)
            stack.extend((value, (where, key)) for key, value in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((value, (where, i)) for i, value in reversed(list(enumerate(node))))
