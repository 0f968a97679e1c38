"""The fuzz targets (tools/fuzz.py) run on their seed corpus without atheris, so ``make fuzz`` cannot rot: every
seed and a few mangled forms of it load or are refused with a FenxiaoError, nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from fuzz import CORPUS, TARGETS, one_input  # noqa: E402 - tools/ is not a package


@pytest.mark.parametrize("target", TARGETS)
def test_each_target_takes_its_seeds_and_their_mangled_forms(target: str) -> None:
    seeds = sorted((CORPUS / target).iterdir())
    assert seeds, f"fuzz/corpus/{target} has seed inputs"
    test = one_input(target)
    for seed in seeds:
        data = seed.read_bytes()
        for mangled in (data, data[: len(data) // 2], data.replace(b'"', b""), data[::-1], b"\xff" + data, b""):
            test(mangled)
