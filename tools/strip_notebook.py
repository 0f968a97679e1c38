"""Store the example notebooks without outputs: ``python tools/strip_notebook.py [--check] [NOTEBOOK ...]``.

The notebooks of ``docs/notebooks/`` are stored as sources: no outputs, no execution counts, no per-cell run
metadata (timings, scroll state) and only the kernelspec and language in the notebook's metadata. The test suite
runs them (tests/test_notebooks.py) and the docs site runs them again when it renders them, so a stored output
could only go stale. After editing a notebook in Jupyter (which saves its outputs), re-save it with::

    .venv/bin/python tools/strip_notebook.py docs/notebooks/NAME.ipynb

Without a notebook named, every ``docs/notebooks/*.ipynb`` is stripped. ``--check`` changes nothing: it lists what
is not stripped and exits with status 1 if anything is. The file is written the way nbformat writes it (sorted keys,
one-space indent, UTF-8 text unescaped), so a stripped notebook's diff shows only its sources.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import nbformat
from nbformat import NotebookNode

ROOT: Final = Path(__file__).resolve().parent.parent
NOTEBOOKS: Final = ROOT / "docs" / "notebooks"

# nbformat ships type hints (py.typed) but leaves read, write and from_dict unannotated: their calls are marked
# no-untyped-call here and nowhere else.

#: What a stored notebook's metadata keeps: the kernel to run it with and its language.
KEPT_METADATA: Final = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}

#: Cell metadata a run or an editor writes (timings, scroll and collapse state), never part of the source.
VOLATILE_CELL_METADATA: Final = frozenset({"execution", "ExecuteTime", "collapsed", "scrolled", "jupyter", "vscode"})


def strip(notebook: NotebookNode) -> NotebookNode:
    """A copy of *notebook* without outputs, execution counts or run metadata (the input is not changed)."""
    clean = copy.deepcopy(notebook)
    clean.metadata = nbformat.from_dict(copy.deepcopy(KEPT_METADATA))  # type: ignore[no-untyped-call]  # see below
    for cell in clean.cells:
        for key in VOLATILE_CELL_METADATA & set(cell.metadata):
            del cell.metadata[key]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        elif "attachments" in cell and not cell.attachments:
            del cell["attachments"]
    return clean


def problems(notebook: NotebookNode) -> list[str]:
    """What keeps *notebook* from being stored as it is: one line per problem (none for a stripped notebook)."""
    found = []
    if notebook.metadata != KEPT_METADATA:
        found.append(f"notebook metadata is {dict(notebook.metadata)!r}, not {KEPT_METADATA!r}")
    for i, cell in enumerate(notebook.cells):
        volatile = sorted(VOLATILE_CELL_METADATA & set(cell.metadata))
        if volatile:
            found.append(f"cell {i}: run metadata {', '.join(volatile)}")
        if cell.cell_type != "code":
            continue
        if cell.outputs:
            found.append(f"cell {i}: {len(cell.outputs)} output(s)")
        if cell.execution_count is not None:
            found.append(f"cell {i}: execution count {cell.execution_count}")
    return found


def read(path: Path) -> NotebookNode:
    """The notebook at *path* (nbformat 4), validated."""
    notebook: NotebookNode = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]  # see below
    nbformat.validate(notebook)
    return notebook


def write(notebook: NotebookNode, path: Path) -> None:
    """Write *notebook* to *path* as nbformat does (sorted keys, UTF-8, a final newline)."""
    nbformat.validate(notebook)
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]  # see below


def main(argv: Sequence[str] | None = None) -> int:
    """Strip the notebooks named in *argv* (every docs notebook when none is), or with ``--check`` list what is
    not stripped; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", type=Path, nargs="*", help="the notebooks (all of docs/notebooks by default)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is not stripped")
    args = parser.parse_args(argv)
    paths: list[Path] = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    dirty = 0
    for path in paths:
        notebook = read(path)
        found = problems(notebook)
        if args.check:
            for problem in found:
                print(f"{path}: {problem}")
            dirty += bool(found)
        elif found:
            write(strip(notebook), path)
            print(f"{path}: stripped ({len(found)} problem(s))")
    if args.check and dirty:
        print(f"{dirty} notebook(s) not stripped: run python tools/strip_notebook.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
