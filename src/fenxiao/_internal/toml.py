"""A small, correct TOML writer for the plain data the converter produces (private).

:mod:`tomllib` only reads, and the core depends on nothing but attrs and cattrs, so
fenxiao writes its own TOML for scorecards, tier policies and perk catalogs. It
handles exactly what :func:`fenxiao.serialization.to_dict` returns: dicts with
string keys, lists, strings, ints and bools, with ``None`` meaning "absent".

* A dict becomes a table (``[a.b]``); a non-empty list of dicts an array of tables
  (``[[a.b]]``); dicts inside other lists become inline tables.
* ``None`` in a table is left out (TOML has no null), so a field that may be ``None``
  must default to ``None`` for the document to read back the same; ``None`` inside a
  list is an error.
* Floats are refused (fenxiao writes exact numbers as strings); ints must fit in 64 bits.

``tomllib.loads(dumps(data))`` equals *data* with its ``None`` values removed.

>>> print(dumps({"name": "默认", "weights": {"brand": "0.2"}, "caps": [{"metric": "x", "limit": "60"}]}))
name = "默认"
<BLANKLINE>
[weights]
brand = "0.2"
<BLANKLINE>
[[caps]]
metric = "x"
limit = "60"
<BLANKLINE>
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fenxiao.errors import InvalidValueError

__all__ = ["dumps"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_MAX_DEPTH: Final = 100


def _string(value: str) -> str:
    out = []
    for ch in value:
        escaped = _ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key: object, path: str) -> str:
    if not isinstance(key, str):
        raise InvalidValueError(path, key, "must be a string key")
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _is_table_array(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, Mapping) for item in value)


def _inline(value: object, path: str, depth: int) -> str:
    """A value as it appears after ``key = `` or inside an array."""
    if depth > _MAX_DEPTH:
        raise InvalidValueError(path, "...", f"nests deeper than {_MAX_DEPTH} levels")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise InvalidValueError(path, value, "is outside the 64-bit integers TOML allows; write it as a string")
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float):
        raise InvalidValueError(path, value, "is a float; write exact numbers as strings")
    if isinstance(value, Mapping):
        parts = [f"{_key(k, path)} = {_inline(v, f'{path}.{k}', depth + 1)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(parts) + " }" if parts else "{}"
    if isinstance(value, (list, tuple)):
        items = []
        for i, item in enumerate(value):
            if item is None:
                raise InvalidValueError(f"{path}[{i}]", item, "is None, which TOML cannot hold inside an array")
            items.append(_inline(item, f"{path}[{i}]", depth + 1))
        return "[" + ", ".join(items) + "]"
    raise InvalidValueError(path, value, f"has a type TOML cannot hold ({type(value).__name__})")


def _table(data: Mapping[str, Any], header: Sequence[str], lines: list[str], depth: int, *, array: bool) -> None:
    path = ".".join(header) or "(document)"
    if depth > _MAX_DEPTH:
        raise InvalidValueError(path, "...", f"nests deeper than {_MAX_DEPTH} levels")
    simple: list[tuple[str, Any]] = []
    tables: list[tuple[str, Any]] = []
    for key, value in data.items():
        _key(key, path)
        if value is None:
            continue
        if isinstance(value, Mapping) or _is_table_array(value):
            tables.append((key, value))
        else:
            simple.append((key, value))
    # A header is needed for an array element, for a table with keys of its own, or for an empty table
    # (which would otherwise vanish); a table holding only sub-tables is implied by their headers.
    if header and (array or simple or not tables):
        if lines:
            lines.append("")
        names = ".".join(_key(part, path) for part in header)
        lines.append(f"[[{names}]]" if array else f"[{names}]")
    for key, value in simple:
        lines.append(f"{_key(key, path)} = {_inline(value, f'{path}.{key}' if header else key, depth + 1)}")
    for key, value in tables:
        if isinstance(value, Mapping):
            _table(value, [*header, key], lines, depth + 1, array=False)
        else:
            for item in value:
                _table(item, [*header, key], lines, depth + 1, array=True)


def dumps(data: Mapping[str, Any]) -> str:
    """Write *data* (a dict of plain values, as the converter produces) as a TOML document.

    Raises:
        InvalidValueError: A float, an int beyond 64 bits, a non-string key, ``None`` in a list, or
            another type TOML cannot hold, naming where it is.
    """
    if not isinstance(data, Mapping):
        raise InvalidValueError("(document)", data, "must be a table (a dict) at the top level")
    lines: list[str] = []
    _table(data, [], lines, 0, array=False)
    return "\n".join(lines) + "\n" if lines else ""
