"""Optional extras: fenxiao never imports NumPy by itself, the columnar path names its extra, progress reports."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from fenxiao.columnar import CodedText, catalog_columns, run_pipeline, settle_columns
from fenxiao.errors import InvalidValueError
from fenxiao.sample import load_sample


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)


def test_importing_fenxiao_never_imports_numpy() -> None:
    """The core stays attrs + cattrs: NumPy loads only with fenxiao.columnar."""
    result = _run(
        "import sys, fenxiao, fenxiao.grading.pipeline, fenxiao.settlement.orders; print('numpy' in sys.modules)"
    )
    assert result.stdout.strip() == "False", result.stderr


def test_the_columnar_path_without_numpy_names_the_extra_to_install() -> None:
    """Importing fenxiao.columnar without NumPy raises an ImportError that says pip install 'fenxiao[columnar]'."""
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "try:\n    import fenxiao.columnar\n"
        "except ImportError as exc:\n    print(type(exc).__name__, exc)\n"
    )
    result = _run(code)
    assert "MissingExtraError" in result.stdout, result.stderr
    assert "pip install 'fenxiao[columnar]'" in result.stdout


def test_a_progress_bar_is_shown_when_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    """progress=True draws a tqdm bar (on stderr) that reaches every row."""
    settle_columns({"paid_fen": [100] * 10, "commission_ppm": [0] * 10}, progress=True, chunk_size=4)
    assert "100%" in capsys.readouterr().err


def test_a_bad_progress_argument_is_refused() -> None:
    """Anything but a callable, True, "auto" or None is an error naming the argument."""
    with pytest.raises(InvalidValueError, match="progress: must be a callable"):
        settle_columns({"paid_fen": [100], "commission_ppm": [0]}, progress="yes")


def test_the_pipeline_reports_progress_chunk_by_chunk() -> None:
    """run_pipeline calls the callback after each chunk with the rows done and the total."""
    seen: list[tuple[int, int]] = []
    run_pipeline(catalog_columns(load_sample()), chunk_size=64, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(64, 200), (128, 200), (192, 200), (200, 200)]


@pytest.mark.parametrize(
    ("column", "problem"),
    [
        (np.array([1.5, 2.0]), r"paid_fen\[0\]: must be a whole number of the column's unit"),
        (["1", "2"], r"paid_fen: must be numbers, not text"),
        (np.array([True, False]), r"paid_fen: must be numbers, not flags"),
        ([None, 5], r"paid_fen\[0\]: must not be missing"),
    ],
)
def test_inexact_or_mistyped_columns_are_refused_with_their_place(column: Any, problem: str) -> None:
    """Floats that are not whole units, text, flags and missing values are refused, naming column and row."""
    with pytest.raises(InvalidValueError, match=problem):
        settle_columns({"paid_fen": column, "commission_ppm": [0, 0]})


def test_whole_floats_and_exact_decimals_are_read_exactly() -> None:
    """A float column of whole fen (as pandas makes of ints with gaps) and a Decimal column in yuan both work."""
    floats = settle_columns({"paid_fen": np.array([9990.0, 100.0]), "commission_ppm": [200_000, 0]})
    decimals = settle_columns({"paid_fen": [Decimal("99.90"), Decimal("1.00")], "commission_ppm": [200_000, 0]})
    assert floats["commission_fen"].tolist() == decimals["commission_fen"].tolist() == [1998, 0]


def test_coded_text_decodes_and_refuses_codes_past_its_labels() -> None:
    """CodedText is the columnar twin of a categorical column."""
    assert CodedText(np.array([1, -1]), ("a", "b")).decode() == ["b", None]
    with pytest.raises(InvalidValueError, match=r"CodedText.codes: must lie in \[-1, 1\]"):
        CodedText(np.array([2]), ("a", "b"))
