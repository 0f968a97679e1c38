"""Run a notebook's code cells in order and write what they print back into it: ``python tools/run_notebook.py NB``.

The repository's notebooks print their results (no rich display), so running them needs no Jupyter: each code cell
is executed in one namespace, its printed text becomes the cell's output and its execution count is set. The
notebook's environment variables apply (``L5_BAR_SEEDS=1 python tools/run_notebook.py notebooks/l5-bar.ipynb
--out /tmp/quick.ipynb`` for a quick look). Without ``--out`` the notebook is rewritten in place.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def run(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook with every code cell executed and its printed output recorded (the input is not changed)."""
    result: dict[str, Any] = json.loads(json.dumps(notebook))
    namespace: dict[str, Any] = {"__name__": "__main__"}
    count = 0
    for cell in result["cells"]:
        if cell["cell_type"] != "code":
            continue
        count += 1
        out = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(out):
            exec(compile("".join(cell["source"]), f"<cell {count}>", "exec"), namespace)
        print(f"cell {count}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        cell["execution_count"] = count
        text = out.getvalue()
        cell["outputs"] = (
            [{"name": "stdout", "output_type": "stream", "text": text.splitlines(keepends=True)}] if text else []
        )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, help="write here instead of rewriting the notebook")
    args = parser.parse_args(argv)
    notebook = json.loads(args.notebook.read_text(encoding="utf-8"))
    target: Path = args.out or args.notebook
    target.write_text(json.dumps(run(notebook), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
