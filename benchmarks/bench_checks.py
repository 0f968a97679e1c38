"""The cost of the argument checks (issue 20 item 5): a decorated public function against the same function undecorated.

:func:`~fenxiao._internal.validators.checks_arguments` tests every argument against its annotation before the
call (a dict lookup and an ``isinstance`` per argument); :func:`~fenxiao._internal.validators.
checks_arguments_on_failure` tests nothing unless the call fails. Each case times the public function and its
``__wrapped__`` (the undecorated function ``functools.wraps`` keeps) on the same valid arguments, checked to give
the same result first; the difference is the per-call cost of the check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from _harness import Result, best_of, render

from fenxiao.grading.perks import Stacking, default_perk_catalog, stacking_precedence
from fenxiao.market.goals import is_brand_merchant
from fenxiao.money import Money, Rate
from fenxiao.sample import load_sample
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.plans import CommissionPlan, next_natural_day, select_plan
from fenxiao.settlement.steps import CommissionStep, StepMode, commission_on

TITLE = "argument checks: each public function against its undecorated self (same arguments, same result)"


def _pair(name: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Callable[[], Any], Any]:
    bare = function.__wrapped__  # type: ignore[attr-defined]
    if function(*args, **kwargs) != bare(*args, **kwargs):
        raise AssertionError(f"{name}: the decorated and the bare function disagree")
    return name, (lambda: function(*args, **kwargs)), (lambda: bare(*args, **kwargs))


def run(quick: bool = False) -> str:
    """Time each decorated function against its undecorated self."""
    at = datetime(2026, 11, 2, 9, tzinfo=timezone(timedelta(hours=8)))
    steps = (CommissionStep(Money.of("100.00"), Rate.of("30%")),)
    plan = CommissionPlan.open(id="p-1", kind=PlanKind.NORMAL, merchant_id="m-1", rate=Rate.of("20%"), at=at)
    catalog = load_sample()
    entry = default_perk_catalog().entries[0]
    cases = [
        _pair(
            "commission_on (checks_arguments, 5 arguments)",
            commission_on,
            Money.of("99.90"),
            Rate.of("20%"),
            steps=steps,
            mode=StepMode.MARGINAL,
        ),
        _pair(
            "select_plan (checks_arguments, 7 arguments)",
            select_plan,
            [plan],
            merchant_id="m-1",
            sku_id="s-1",
            influencer_id="k-1",
            at=at + timedelta(days=1),
        ),
        _pair("is_brand_merchant (checks_arguments, 2)", is_brand_merchant, catalog.merchants[0], catalog),
        _pair("next_natural_day (on failure only)", next_natural_day, at, UTC),
        _pair("stacking_precedence (on failure only)", stacking_precedence, Stacking.OVERRIDE, entry, 3),
    ]
    # Short batches, many turns: on a shared machine some turn of each side runs undisturbed, and the best is kept.
    number = 1_000
    repeat = 30 if quick else 200
    results, costs = [], []
    for name, checked, bare in cases:
        baseline = f"{name.split(' ')[0]} undecorated"
        best = {"bare": float("inf"), "checked": float("inf")}
        for _ in range(repeat):  # in turns: a disturbance of the shared machine slows both sides alike
            best["bare"] = min(best["bare"], best_of(bare, number=number, repeat=1))
            best["checked"] = min(best["checked"], best_of(checked, number=number, repeat=1))
        results.append(Result(baseline, best["bare"]))
        results.append(Result(name, best["checked"], baseline))
        costs.append(f"  {name:<46} {(best['checked'] - best['bare']) * 1e6:+8.3f} µs per call")
    return "\n".join([render(TITLE, results), "  the checks' cost (checked - undecorated):", *costs])


if __name__ == "__main__":
    print(run())
