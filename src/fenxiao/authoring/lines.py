"""Where a path of a document (``rules[3].when.all[1].op``) is written: its line and column in the JSON or TOML text.

Lint and load errors name places by path; a person reads a file by line. :func:`build_line_index` reads a
document's text once and records the line and column of every key and list item it can see;
:meth:`LineIndex.line_of` gives the line of a path (:meth:`LineIndex.position_of` its line and column), or of the
nearest enclosing place it knows (a TOML inline table or multi-line array is known by the line of its key).

The index is shared with :func:`fenxiao.serialization.loads`, which places every problem of a text the same way;
it is defined in :mod:`fenxiao._internal.lines` so that the converter below every layer can use it.

>>> index = build_line_index('name = "x"\\n\\n[[rules]]\\nname = "a"\\n\\n[[rules]]\\nname = "b"\\n', "toml")
>>> index.line_of("rules[1].name"), index.line_of("rules[1].when.all[0]"), index.line_of("name")
(7, 6, 1)
>>> index.position_of("rules[1].name")
(7, 1)

.. versionadded:: 0.2
.. versionchanged:: 0.3 Columns (:meth:`LineIndex.position_of`).
"""

from __future__ import annotations

from fenxiao._internal.lines import LineIndex, build_line_index, split_path

__all__ = ["LineIndex", "build_line_index", "split_path"]
