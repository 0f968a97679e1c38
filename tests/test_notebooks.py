"""The example notebooks of docs/notebooks: each runs top to bottom in a real Jupyter kernel without an error or a
warning, and each is stored without outputs (tools/strip_notebook.py re-saves one after editing).

The kernel is started from a kernelspec written here, whose command is this interpreter (the project's venv), so a
user's own ``python3`` kernelspec is never picked up. Matplotlib draws with the inline backend, which renders on Agg
(no window, no display needed); a figure comes out as a PNG output, which the test looks for.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Final

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbformat import NotebookNode

ROOT: Final = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from strip_notebook import NOTEBOOKS, problems, read, strip  # noqa: E402 - tools/ is not a package

NAMES: Final = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
#: Seconds one cell may take: far above what any cell needs (a whole notebook runs in well under 20 s), so that
#: only a hung cell trips it, never a busy machine.
CELL_TIMEOUT: Final = 180
KERNEL = "fenxiao-tests"
INLINE = "module://matplotlib_inline.backend_inline"
#: A call of a fenxiao.plot function (an import of one has no parenthesis after its name).
PLOT_CALL: Final = re.compile(r"\bplot_[a-z_]+\(")
#: The target of a markdown link or image: ``[text](target)``.
MARKDOWN_LINK: Final = re.compile(r"\]\(([^)\s]+)")
#: Appended to the executed copy: which interpreter and which matplotlib backend the kernel used.
PROBE: Final = "import sys, matplotlib\nprint(sys.executable)\nprint(matplotlib.get_backend())"


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """A kernelspec of this interpreter, alone in its folder, with the inline (non-interactive) backend."""
    import matplotlib.font_manager  # noqa: F401, PLC0415 - builds matplotlib's font cache here, not in a kernel

    folder = tmp_path_factory.mktemp("kernels")
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fenxiao (tests)",
        "language": "python",
        # The inline backend whatever the environment says; and no debugger notice about frozen modules.
        "env": {"MPLBACKEND": INLINE, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }
    (folder / KERNEL).mkdir()
    (folder / KERNEL / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(folder)])


def _execute(name: str, specs: KernelSpecManager, cwd: Path) -> NotebookNode:
    notebook = read(NOTEBOOKS / f"{name}.ipynb")
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE, id="probe"))  # type: ignore[no-untyped-call]  # unannotated
    client = NotebookClient(
        notebook,
        km=AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=specs),
        timeout=CELL_TIMEOUT,
        startup_timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    # Raises CellExecutionError, with the cell's traceback, on any error. The kernel manager is ours, so nbclient
    # leaves the kernel running unless told to shut it down and close its channels.
    client.execute(cleanup_kc=True)
    return notebook


def _outputs(notebook: NotebookNode, kind: str) -> list[dict[str, Any]]:
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == kind]


def test_there_are_the_five_notebooks() -> None:
    assert NAMES == [
        "commission-scenarios",
        "custom-scorer",
        "policy-what-if-and-drift",
        "quick-start",
        "season-simulation",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_the_notebook_is_stored_without_outputs(name: str) -> None:
    """No outputs, no execution counts, no run metadata: ``python tools/strip_notebook.py`` re-saves it so."""
    notebook = read(NOTEBOOKS / f"{name}.ipynb")
    assert problems(notebook) == []
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith("# "), "the first cell is the page's title"


@pytest.mark.parametrize("name", NAMES)
def test_links_in_the_notebook_work_on_the_site_too(name: str) -> None:
    """The site shows a notebook's markdown as it is (mkdocs rewrites no link in it), so a relative link that works
    in Jupyter would be broken there: a notebook links only to absolute addresses or its own headings."""
    notebook = read(NOTEBOOKS / f"{name}.ipynb")
    targets = [t for c in notebook.cells if c.cell_type == "markdown" for t in MARKDOWN_LINK.findall(c.source)]
    assert [t for t in targets if not t.startswith(("https://", "#"))] == []


@pytest.mark.parametrize("name", NAMES)
def test_the_notebook_runs_top_to_bottom(name: str, kernel_specs: KernelSpecManager, tmp_path: Path) -> None:
    """Every cell runs in order in a real kernel; nothing is written to standard error (a warning, a traceback);
    every plot renders as an image; no file is left behind in the working folder (Hypothesis keeps a cache of
    constants there, in a folder that ignores itself in git)."""
    ran = _execute(name, kernel_specs, tmp_path)
    assert [c.execution_count for c in ran.cells if c.cell_type == "code"] == list(
        range(1, sum(c.cell_type == "code" for c in ran.cells) + 1)
    )
    errors = [o["text"] for o in _outputs(ran, "stream") if o["name"] == "stderr"]
    assert errors == [], "".join(errors)
    probe = ran.cells[-1].outputs[0]["text"].splitlines()
    assert probe == [sys.executable, INLINE], "the kernel runs this interpreter with a non-interactive backend"
    plotting = [c for c in ran.cells if c.cell_type == "code" and PLOT_CALL.search(c.source)]
    for cell in plotting:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), f"no figure from {cell.source!r}"
    assert [p.name for p in tmp_path.iterdir()] in ([], [".hypothesis"]), "only Hypothesis's cache is left behind"
    assert problems(strip(ran)) == [], "stripping an executed notebook stores it without outputs"
