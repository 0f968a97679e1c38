"""notebooks/l5-bar.ipynb: a valid notebook whose code compiles and runs (here on one seed of one week)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOK = ROOT / "notebooks" / "l5-bar.ipynb"


def _tool() -> ModuleType:
    """tools/run_notebook.py, imported from its file (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("run_notebook", ROOT / "tools" / "run_notebook.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cells() -> list[dict[str, Any]]:
    data = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert data["nbformat"] == 4
    cells: list[dict[str, Any]] = data["cells"]
    return cells


def _code(cell: dict[str, Any]) -> str:
    return "".join(cell["source"])


def test_the_notebook_is_valid_json_with_compiling_code_cells() -> None:
    """nbformat 4, every cell typed, every code cell valid Python, and it asks the question it is named for."""
    cells = _cells()
    assert {c["cell_type"] for c in cells} == {"markdown", "code"}
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            compile(_code(cell), f"cell {i}", "exec")
    assert "Does lowering the L5 bar pay for its subsidy?" in "".join(cells[0]["source"])
    assert any("run_experiment" in _code(c) for c in cells if c["cell_type"] == "code")


def test_the_notebook_runs_on_one_seed_of_one_week(monkeypatch: pytest.MonkeyPatch) -> None:
    """tools/run_notebook.py runs its code cells in order (shortened through its two environment variables)."""
    monkeypatch.setenv("L5_BAR_SEEDS", "1")
    monkeypatch.setenv("L5_BAR_WEEKS", "1")
    ran = _tool().run(json.loads(NOTEBOOK.read_text(encoding="utf-8")))
    text = "".join(
        "".join(output["text"]) for cell in ran["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]
    )
    assert "L5 at 85 against L5 at 90, 1 seeds of 1 weeks" in text
    assert "->" in text
    counts = [c["execution_count"] for c in ran["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))


def test_the_shipped_outputs_are_those_of_the_full_study() -> None:
    """The file carries the printed results of twenty seeds of twelve weeks."""
    printed = "".join("".join(o["text"]) for c in _cells() if c["cell_type"] == "code" for o in c["outputs"])
    assert "20 seeds of 12 weeks" in printed
