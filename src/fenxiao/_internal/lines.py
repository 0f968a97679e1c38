"""Where a path of a document (``rules[3].when.all[1].op``) is written: its line and column in the JSON or TOML text.

Lint and load errors name places by path; a person reads a file by line. :func:`build_line_index` reads a
document's text once and records the line and column of every key and list item it can see;
:meth:`LineIndex.line_of` gives the line of a path, :meth:`LineIndex.position_of` its line and column, or those of
the nearest enclosing place it knows (a TOML inline table or multi-line array is known by its key).

It lives here, below every layer, because both the converter (:func:`fenxiao.serialization.loads` places every
problem of a text) and rule authors' lint (:mod:`fenxiao.authoring`, whose public face re-exports it) use it.

>>> index = build_line_index('name = "x"\\n\\n[[rules]]\\nname = "a"\\n\\n[[rules]]\\nname = "b"\\n', "toml")
>>> index.line_of("rules[1].name"), index.line_of("rules[1].when.all[0]"), index.line_of("name")
(7, 6, 1)
>>> build_line_index('{\\n  "skus": [{"id": "a", "price": 9.9}]\\n}', "json").position_of("skus[0].price")
(2, 24)

.. versionadded:: 0.2
.. versionchanged:: 0.3 Columns (:meth:`LineIndex.position_of`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Final, TypeAlias

import attrs

__all__ = ["LineIndex", "build_line_index", "split_path"]

Part: TypeAlias = str | int
Key: TypeAlias = tuple[Part, ...]

_PATH_PART: Final = re.compile(r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.\[\]]+)')


def split_path(path: str) -> Key:
    """The parts of a path: ``rules[3].when`` is ``("rules", 3, "when")``; ``skus[0]["a b"]`` quotes a key."""
    parts: list[Part] = []
    for match in _PATH_PART.finditer(path):
        index, quoted, name = match.groups()
        if index is not None:
            parts.append(int(index))
        elif quoted is not None:
            parts.append(quoted.replace('\\"', '"').replace("\\\\", "\\"))
        elif name is not None:
            parts.append(name)
    return tuple(parts)


@attrs.frozen
class LineIndex:
    """The line and column (both 1-based, columns in characters) of every place of one document that its text shows.

    A key's place is where the key is written; a list item's, where the item starts.
    """

    lines: Mapping[Key, int]
    columns: Mapping[Key, int] = attrs.field(factory=dict)

    def line_of(self, path: str | Key) -> int | None:
        """The line of *path*, or of its nearest enclosing place that has one; ``None`` for the whole document."""
        found = self.position_of(path)
        return None if found is None else found[0]

    def position_of(self, path: str | Key) -> tuple[int, int] | None:
        """``(line, column)`` of *path*, or of its nearest enclosing place; ``None`` for the whole document.

        The column is 1 where the index knows only the line.
        """
        key = split_path(path) if isinstance(path, str) else path
        for n in range(len(key), 0, -1):
            line = self.lines.get(key[:n])
            if line is not None:
                return line, self.columns.get(key[:n], 1)
        return None


def build_line_index(text: str, format: str, wanted: Iterable[str | Key] | None = None) -> LineIndex:
    """The :class:`LineIndex` of a JSON or TOML text (``format`` is ``"json"`` or ``"toml"``).

    The text is expected to parse; where it does not, the places before the fault are still indexed. With
    *wanted* (paths), reading stops once each of them is placed: the place of a problem near the top of a large
    document costs what precedes it, not the whole text.
    """
    lines: dict[Key, int] = {}
    columns: dict[Key, int] = {}
    remaining = None if wanted is None else {split_path(p) if isinstance(p, str) else p for p in wanted}
    if remaining is not None and not remaining:
        return LineIndex(lines, columns)
    try:
        if format == "json":
            _JsonWalker(text, lines, columns, remaining).document()
        else:
            _index_toml(text, lines, columns, remaining)
    except _AllPlaced:
        pass
    return LineIndex(lines, columns)


class _AllPlaced(Exception):
    """Every wanted place is indexed: stop reading."""


def _placed(key: Key, remaining: set[Key] | None) -> None:
    if remaining is not None and key in remaining:
        remaining.discard(key)
        if not remaining:
            raise _AllPlaced


# -- JSON: a small reader that notes where every value starts ---------------------------------------------------


class _JsonWalker:
    def __init__(
        self, text: str, lines: dict[Key, int], columns: dict[Key, int], remaining: set[Key] | None = None
    ) -> None:
        self.text, self.lines, self.columns, self.at, self.line = text, lines, columns, 0, 1
        self.line_start = 0  # where the current line starts in the text
        self.remaining = remaining

    def note(self, key: Key, line: int, column: int, *, first: bool) -> None:
        if first and key in self.lines:
            return
        self.lines[key] = line
        self.columns[key] = column
        _placed(key, self.remaining)

    def document(self) -> None:
        try:
            self.value(())
        except (IndexError, ValueError):
            return  # malformed text: keep what was indexed

    def skip(self) -> None:
        text = self.text
        while self.at < len(text) and text[self.at] in " \t\r\n":
            if text[self.at] == "\n":
                self.line += 1
                self.line_start = self.at + 1
            self.at += 1

    def value(self, key: Key) -> None:
        self.skip()
        if key:
            self.note(key, self.line, self.at - self.line_start + 1, first=True)
        char = self.text[self.at]
        if char == "{":
            self.at += 1
            self.skip()
            if self.text[self.at] == "}":
                self.at += 1
                return
            while True:
                self.skip()
                line, column = self.line, self.at - self.line_start + 1
                name = self.string()
                self.note((*key, name), line, column, first=False)
                self.skip()
                if self.text[self.at] != ":":
                    raise ValueError("expected ':'")
                self.at += 1
                self.value((*key, name))
                self.skip()
                if self.text[self.at] == ",":
                    self.at += 1
                    continue
                self.at += 1  # '}'
                return
        if char == "[":
            self.at += 1
            self.skip()
            if self.text[self.at] == "]":
                self.at += 1
                return
            index = 0
            while True:
                self.value((*key, index))
                self.skip()
                index += 1
                if self.text[self.at] == ",":
                    self.at += 1
                    continue
                self.at += 1  # ']'
                return
        if char == '"':
            self.string()
            return
        while self.at < len(self.text) and self.text[self.at] not in ",]} \t\r\n":
            self.at += 1

    def string(self) -> str:
        text = self.text
        if text[self.at] != '"':
            raise ValueError("expected a string")
        out: list[str] = []
        self.at += 1
        while text[self.at] != '"':
            if text[self.at] == "\\":
                out.append(text[self.at : self.at + 2])
                self.at += 2
                continue
            out.append(text[self.at])
            self.at += 1
        self.at += 1
        raw = "".join(out)
        if "\\" not in raw:
            return raw
        decoded: str = json.loads(f'"{raw}"')
        return decoded


# -- TOML: headers, keys and arrays of tables, line by line ------------------------------------------------------

_BARE: Final = re.compile(r"[A-Za-z0-9_\-]+")


def _toml_key(text: str) -> tuple[list[str], str] | None:
    """The dotted key at the start of *text* and what follows it, or ``None``."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if rest[0] in "\"'":
            quote = rest[0]
            end = rest.find(quote, 1)
            while quote == '"' and end > 0 and rest[end - 1] == "\\":
                end = rest.find(quote, end + 1)
            if end < 0:
                return None
            parts.append(rest[1:end])
            rest = rest[end + 1 :].lstrip()
        else:
            match = _BARE.match(rest)
            if match is None:
                return None
            parts.append(match.group())
            rest = rest[match.end() :].lstrip()
        if rest.startswith("."):
            rest = rest[1:].lstrip()
            continue
        return parts, rest
    return None


def _index_toml(text: str, lines: dict[Key, int], columns: dict[Key, int], remaining: set[Key] | None = None) -> None:
    def note(key: Key, line: int, column: int, *, first: bool) -> None:
        if first and key in lines:
            return
        lines[key] = line
        columns[key] = column
        _placed(key, remaining)

    table: Key = ()
    counts: dict[Key, int] = {}  # an array of tables (with the indices of its parents) -> items so far
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        column = len(raw) - len(raw.lstrip()) + 1
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith("[["):
            found = _toml_key(line[2:])
            if found is None:
                continue
            prefix = (*_resolve(found[0][:-1], counts), found[0][-1])
            index = counts.get(prefix, 0)
            counts[prefix] = index + 1
            table = (*prefix, index)
            note(prefix, number, column, first=True)
            note(table, number, column, first=False)
            continue
        if line.startswith("["):
            found = _toml_key(line[1:])
            if found is None:
                continue
            table = _resolve(found[0], counts)
            note(table, number, column, first=True)
            continue
        found = _toml_key(line)
        if found is None or not found[1].startswith("="):
            continue
        key = (*table, *found[0])
        note(key, number, column, first=True)
        value = found[1][1:].strip()
        for quote in ('"""', "'''"):
            if value.startswith(quote) and value.count(quote) == 1:
                in_multiline = quote


def _resolve(parts: list[str], counts: Mapping[Key, int]) -> Key:
    """A header's key with the current index after every array of tables it passes through."""
    key: Key = ()
    for part in parts:
        key = (*key, part)
        if key in counts:
            key = (*key, counts[key] - 1)
    return key
