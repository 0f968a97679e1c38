"""The docs site: ``mkdocs build --strict`` passes (every page, the API reference from the docstrings, no broken
link), and the Griffe extension that shows docstring doctests as console sessions fences them right."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from griffe_doctests import fence_doctests, plain_roles  # noqa: E402 - tools/ is not a package


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """Warnings are errors (mkdocs.yml sets strict): a broken link, an unknown page or a docstring the API
    reference cannot render fails the build."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # The notebooks run in tests/test_notebooks.py; the site renders them here without running them again.
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "FENXIAO_DOCS_EXECUTE": "false"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "快分销" in home
    reference = (tmp_path / "site" / "reference" / "index.html").read_text(encoding="utf-8")
    assert "fenxiao.money.Money" in reference
    assert "language-pycon" in reference or "pycon" in reference
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")}
    built = {p.parent.name for p in (tmp_path / "site").glob("*/index.html")}
    assert pages - {"index"} <= built, "every docs page is in the site"


def test_doctests_are_fenced_where_they_stand() -> None:
    text = "Intro.\n\n    >>> x = 1\n    >>> x\n    1\n\nAfter.\n```python\n>>> kept\n```\n>>> last"
    assert fence_doctests(text).split("\n") == [
        "Intro.",
        "",
        "    ```pycon",
        "    >>> x = 1",
        "    >>> x",
        "    1",
        "    ```",
        "",
        "After.",
        "```python",
        ">>> kept",
        "```",
        "```pycon",
        ">>> last",
        "```",
    ]


def test_sphinx_roles_become_code_spans() -> None:
    assert plain_roles("see :mod:`fenxiao.domain`, :func:`~fenxiao.split` and :data:`X <a.X>`") == (
        "see `fenxiao.domain`, `split` and `X`"
    )
