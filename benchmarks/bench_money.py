"""Money against hand-written Decimal code doing the same exact work."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from _harness import Result, best_of, render

from fenxiao import Money, Rate, Rounding
from fenxiao.sample import generate_catalog
from fenxiao.serialization import dumps, loads

TITLE = "money: exact amounts (one core)"


def run(quick: bool = False) -> str:
    """Time the money operations and their Decimal baselines; return the table."""
    n, r = (2_000, 3) if quick else (20_000, 5)
    price, rate = Money.of("99.90"), Rate.of("20%")
    d_price, d_rate, cent = Decimal("99.90"), Decimal("0.2"), Decimal("0.01")
    results = [
        Result("Decimal('99.90') (baseline)", best_of(lambda: Decimal("99.90"), number=n, repeat=r)),
        Result(
            "Money.of('99.90')", best_of(lambda: Money.of("99.90"), number=n, repeat=r), "Decimal('99.90') (baseline)"
        ),
        Result("Decimal + Decimal (baseline)", best_of(lambda: d_price + d_price, number=n, repeat=r)),
        Result("Money + Money", best_of(lambda: price + price, number=n, repeat=r), "Decimal + Decimal (baseline)"),
        Result(
            "Decimal * rate, quantize (baseline)",
            best_of(lambda: (d_price * d_rate).quantize(cent, ROUND_HALF_UP), number=n, repeat=r),
        ),
        Result(
            "Money.times(rate, HALF_UP)",
            best_of(lambda: price.times(rate, rounding=Rounding.HALF_UP), number=n, repeat=r),
            "Decimal * rate, quantize (baseline)",
        ),
        Result("Money.allocate([7, 2, 1])", best_of(lambda: price.allocate([7, 2, 1]), number=n, repeat=r)),
    ]
    catalog = generate_catalog(skus=200)
    text = dumps(catalog)
    m = 3 if quick else 10
    results.append(
        Result("generate_catalog(skus=200)", best_of(lambda: generate_catalog(skus=200), number=1, repeat=m))
    )
    results.append(
        Result("loads(200-SKU catalog JSON)", best_of(lambda: loads(text, type(catalog)), number=1, repeat=m))
    )
    return render(TITLE, results)
