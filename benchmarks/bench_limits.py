"""Rule files at and past the documented limits (docs/limits.md): the work stays bounded.

Cases, each against parsing the same text alone (``json.loads`` / ``tomllib.loads``, the floor of any reader):

- a tier policy at the maximum, 200 rules of 255 comparisons (an ``all`` of 256 nodes): loading it, the first
  ``grade`` (compiling, or choosing the interpreter: target under 0.5 s) and ``lint`` (target under 5 s);
- hostile files past the limits, refused: a 100,000-rule TOML policy and a 250,000-entry JSON perk catalog (the
  count is checked before anything is built), and lint of one rule ``in`` a list of 100,000 values.

Timings are CPU seconds of this process (``time.process_time``), the best of a few runs: a busy shared machine
inflates wall time, not these. Targets are reported as met or missed, never asserted.
"""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Callable
from typing import Any

from fenxiao.errors import ValidationError
from fenxiao.grading.inputs import TIER_INPUTS, example_inputs
from fenxiao.grading.perks import PerkCatalog
from fenxiao.grading.tiers import TierPolicy
from fenxiao.rules.language import MAX_CONDITION_NODES, InputKind
from fenxiao.rules.table import MAX_RULES
from fenxiao.serialization import loads

TITLE = "rule files at and past the limits (CPU seconds, best of N; baseline: parsing the same text alone)"
TARGETS = {"first grade": 0.5, "lint": 5.0}


def _max_policy_text() -> str:
    """200 rules, each an ``all`` of 255 comparisons over every number input, thresholds spread over the ranges."""
    numbers = sorted(name for name, spec in TIER_INPUTS.inputs.items() if spec.kind is InputKind.NUMBER)
    rules = []
    for i in range(MAX_RULES):
        leaves = [
            {
                "input": numbers[(7 * i + j) % len(numbers)],
                "op": (">=", "<=", ">", "<")[(i + j) % 4],
                "value": str((i * 31 + j * 17) % 100),
            }
            for j in range(MAX_CONDITION_NODES - 1)
        ]
        rules.append({"name": f"r{i}", "tier": f"L{i % 6}", "when": {"all": leaves}})
    return json.dumps({"name": "max", "rules": rules, "fallback": "L0"})


def _hostile_toml(rules: int) -> str:
    row = '[[rules]]\nname = "r{0}"\ntier = "L1"\nwhen = {{ input = "units_30d", op = ">=", value = {0} }}\n'
    return "\n".join(row.format(i) for i in range(rules))


def _hostile_perks(entries: int) -> str:
    entry = {"name": "e", "tier": "L1", "perk": {"kind": "badge", "icon": "b", "label": "x"}}
    return json.dumps({"entries": [{**entry, "name": f"e{i}"} for i in range(entries)]})


def _in_list(values: int) -> str:
    when = {"input": "units_30d", "op": "in", "value": [str(i) for i in range(values)]}
    return json.dumps({"rules": [{"name": "listed", "tier": "L1", "when": when}], "fallback": "L0"})


def _cpu(func: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best


def _refused(text: str, cls: type[Any], format: str) -> Callable[[], object]:
    def read() -> None:
        try:
            loads(text, cls, format=format)
        except ValidationError:
            return
        raise SystemExit(f"bench_limits: a {cls.__name__} past the limits was read")

    return read


def run(quick: bool = False) -> str:
    """Time every case and return the table."""
    repeat = 1 if quick else 3
    rows: list[tuple[str, float, str, float, float | None]] = []

    text = _max_policy_text()
    parse = _cpu(lambda: json.loads(text), repeat)
    policy = loads(text, TierPolicy)

    def first_grade() -> None:
        fresh = loads(text, TierPolicy)  # a new policy: nothing compiled or cached yet
        start = time.process_time()
        fresh.grade(example_inputs())
        timings.append(time.process_time() - start)

    timings: list[float] = []
    for _ in range(repeat):
        first_grade()
    rows.append(
        ("load the maximum policy (200 x 255)", _cpu(lambda: loads(text, TierPolicy), repeat), "json", parse, None)
    )
    rows.append(("first grade of it", min(timings), "json", parse, TARGETS["first grade"]))
    rows.append(("lint of it", _cpu(policy.lint, repeat), "json", parse, TARGETS["lint"]))

    hostile = _hostile_toml(10_000 if quick else 100_000)
    rows.append(
        (
            f"load of a {10_000 if quick else 100_000:,}-rule TOML policy (refused)",
            _cpu(_refused(hostile, TierPolicy, "toml"), repeat),
            "toml",
            _cpu(lambda: tomllib.loads(hostile), repeat),
            None,
        )
    )
    perks = _hostile_perks(25_000 if quick else 250_000)
    rows.append(
        (
            f"load of a {25_000 if quick else 250_000:,}-entry perk catalog (refused)",
            _cpu(_refused(perks, PerkCatalog, "json"), repeat),
            "json",
            _cpu(lambda: json.loads(perks), repeat),
            None,
        )
    )
    listed = _in_list(100_000)
    in_policy = loads(listed, TierPolicy)
    rows.append(
        (
            "lint of one rule 'in' 100,000 values",
            _cpu(in_policy.lint, repeat),
            "json",
            _cpu(lambda: json.loads(listed), repeat),
            None,
        )
    )

    lines = [TITLE, f"  {'case':<52} {'CPU s':>8} {'parse alone':>12} {'ratio':>8}  target"]
    for name, seconds, fmt, base, target in rows:
        verdict = "" if target is None else (f"met (< {target} s)" if seconds < target else f"MISSED (< {target} s)")
        lines.append(f"  {name:<52} {seconds:>8.3f} {base:>8.3f} {fmt:<4}{seconds / base:>7.1f}x  {verdict}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
