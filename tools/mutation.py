"""Mutation testing, one module group at a time, against that group's own test files (`make mutation`).

mutmut 3 reads its configuration from ``[tool.mutmut]`` in pyproject.toml. This runner keeps that section as the
base (pytest options) and runs each group below in its own work folder, ``.mutation/<group>/`` (a copy of
``src/``, ``tests/`` and pyproject.toml whose ``[tool.mutmut]`` names the group's modules and test files), so the
groups are scored separately and mutmut's cache of results survives between runs of a group. It prints each
group's score: killed / (killed + survived + not reached by any test), a timeout counting as killed and the
mutants listed in docs/testing.md as equivalent being counted apart.

    python tools/mutation.py                   # every group
    python tools/mutation.py money conditions  # some groups
    python tools/mutation.py --children 2      # mutants run two at a time (the default is 1)
    python tools/mutation.py money --survivors # test again only the mutants that survived the last run

Hypothesis runs under the "mutation" profile of tests/conftest.py (derandomized), so a score reproduces.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
WORK: Final = ROOT / ".mutation"
DOCS: Final = ROOT / "docs" / "testing.md"

#: Each group: the modules mutated and the test files that must kill the mutants.
GROUPS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "money": (("src/fenxiao/money.py",), ("tests/test_money.py",)),
    "conditions": (
        ("src/fenxiao/rules/language.py", "src/fenxiao/rules/interpreter.py"),
        ("tests/rules/test_language.py", "tests/rules/test_interpreter.py"),
    ),
    "settlement": (
        ("src/fenxiao/settlement/splits.py", "src/fenxiao/settlement/arithmetic.py"),
        ("tests/settlement/test_splits.py", "tests/settlement/test_arithmetic.py"),
    ),
    "tiers": (("src/fenxiao/grading/tiers.py",), ("tests/grading/test_tiers.py",)),
}

#: Verdicts that count against a score; a timeout counts as killed (the mutant kept the tests from finishing).
_LOST: Final = frozenset({"survived", "no tests", "suspicious"})
_RESULT: Final = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")
_EQUIVALENT: Final = re.compile(r"^\| `(?P<name>[^`]+__mutmut_\d+)` \|", re.MULTILINE)


def _toml_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _prepare(group: str) -> Path:
    """The group's work folder, refreshed from the working tree (mutmut re-tests what changed)."""
    modules, tests = GROUPS[group]
    folder = WORK / group
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("src", "tests"):
        target = folder / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    base = tomllib.loads(text)["tool"]["mutmut"]
    head, _, _ = text.partition("[tool.mutmut]")
    section = [
        "[tool.mutmut]",
        f"source_paths = {_toml_list(base['source_paths'])}",
        f"only_mutate = {_toml_list(modules)}",
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
        f"pytest_add_cli_args = {_toml_list(base['pytest_add_cli_args'])}",
    ]
    (folder / "pyproject.toml").write_text(head + "\n".join(section) + "\n", encoding="utf-8")
    return folder


def _equivalent() -> set[str]:
    """The mutants docs/testing.md lists as equivalent (same behaviour as the original: no test can kill them)."""
    if not DOCS.exists():
        return set()
    return set(_EQUIVALENT.findall(DOCS.read_text(encoding="utf-8")))


def _results(folder: Path, mutmut: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(mutmut), "results", "--all", "true"], cwd=folder, capture_output=True, text=True, check=True
    ).stdout
    return {m["name"]: m["status"] for m in map(_RESULT.match, out.splitlines()) if m is not None}


def score(group: str, results: dict[str, str], equivalent: set[str]) -> str:
    """The group's score line, and the surviving mutants not explained as equivalent."""
    counted = {n: s for n, s in results.items() if n not in equivalent}
    killed = sum(s in {"killed", "timeout"} for s in counted.values())
    lost = [n for n, s in sorted(counted.items()) if s in _LOST]
    checked = killed + len(lost)
    skipped = sum(s == "not checked" for s in counted.values())
    share = f"{100 * killed / checked:.1f}%" if checked else "n/a"
    explained = sum(1 for n in results if n in equivalent)
    lines = [
        f"{group}: {share} of non-equivalent mutants killed ({killed} of {checked}; "
        f"{explained} equivalent listed in docs/testing.md; {skipped} not checked)"
    ]
    lines += [f"    {results[n]:9} {n}" for n in lost]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("groups", nargs="*", help=f"the groups to run: {', '.join(GROUPS)} (default: all)")
    parser.add_argument("--children", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--report-only", action="store_true", help="print the scores of the last runs")
    parser.add_argument(
        "--survivors", action="store_true", help="test again only the mutants that survived (after adding tests)"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.groups) - set(GROUPS))
    if unknown:
        parser.error(f"no such group: {', '.join(unknown)} (the groups: {', '.join(GROUPS)})")
    mutmut = Path(sys.executable).parent / "mutmut"
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutation"}
    equivalent = _equivalent()
    reports = []
    for group in args.groups or list(GROUPS):
        folder = WORK / group if args.report_only else _prepare(group)
        if not args.report_only:
            names = []
            if args.survivors:
                names = [n for n, status in _results(folder, mutmut).items() if status in _LOST and n not in equivalent]
                if not names:
                    reports.append(score(group, _results(folder, mutmut), equivalent))
                    continue
            command = [str(mutmut), "run", "--max-children", str(args.children), *names]
            subprocess.run(command, cwd=folder, env=env, check=True)
        reports.append(score(group, _results(folder, mutmut), equivalent))
    print("\n".join(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
