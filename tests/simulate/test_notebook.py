"""notebooks/l5-bar.ipynb: a valid notebook whose code compiles and runs (here on one seed of one week)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent.parent / "notebooks" / "l5-bar.ipynb"


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
    """Its code cells run in order (shortened through its two environment variables) and print a verdict."""
    monkeypatch.setenv("L5_BAR_SEEDS", "1")
    monkeypatch.setenv("L5_BAR_WEEKS", "1")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for i, cell in enumerate(_cells()):
            if cell["cell_type"] == "code":
                exec(compile(_code(cell), f"cell {i}", "exec"), namespace)
    text = out.getvalue()
    assert "L5 at 85 against L5 at 90, 1 seeds of 1 weeks" in text
    assert "->" in text
