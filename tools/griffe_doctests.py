"""A Griffe extension for the docs site: doctest examples in docstrings become ``pycon`` code blocks, and
Sphinx roles (``:class:`Money```) become code spans.

fenxiao's docstrings hold runnable doctests (``>>>`` lines and their output) in plain text, as the standard
library's do. Markdown reads ``>>>`` as a quotation and ``[34, 33, 33]`` as a link; this extension fences each
run of doctest lines (a ``>>>`` line and the lines after it up to a blank one) so that mkdocstrings shows them as
console sessions. ``mkdocs.yml`` loads it; nothing else does.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

#: A Sphinx cross-reference role: ``:class:`~fenxiao.money.Money``` or ``:meth:`text <target>```.
_ROLE = re.compile(r":(?:mod|class|func|meth|data|attr|exc|obj):`([^`]+)`")


def plain_roles(text: str) -> str:
    """*text* with each Sphinx role written as a code span of what Sphinx would show.

    >>> plain_roles(":class:`~fenxiao.money.Money` and :meth:`Ledger.balance <fenxiao.Ledger.balance>`")
    '`Money` and `Ledger.balance`'
    """

    def shown(match: re.Match[str]) -> str:
        target = match.group(1)
        if target.endswith(">") and " <" in target:
            return f"`{target[: target.index(' <')]}`"
        if target.startswith("~"):
            return f"`{target.rsplit('.', 1)[-1]}`"
        return f"`{target}`"

    return _ROLE.sub(shown, text)


def fence_doctests(text: str) -> str:
    """*text* with each run of doctest lines fenced as ``pycon`` at the run's own indentation.

    (An example in this docstring would itself be fenced; ``tests/test_docs_site.py`` has them.)
    """
    out: list[str] = []
    inside: str | None = None  # the indentation of the run being fenced
    fenced_by_author = False
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("```"):
            fenced_by_author = not fenced_by_author
        if inside is not None and not stripped:
            out.append(f"{inside}```")
            inside = None
        elif inside is None and not fenced_by_author and stripped.startswith(">>>"):
            inside = line[: len(line) - len(stripped)]
            out.append(f"{inside}```pycon")
        out.append(line)
    if inside is not None:
        out.append(f"{inside}```")
    return "\n".join(out)


class FenceDoctests(griffe.Extension):
    """Fences the doctest examples of every docstring Griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite *obj*'s docstring (if any) with its doctests fenced and its roles plain."""
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(fence_doctests(obj.docstring.value))
