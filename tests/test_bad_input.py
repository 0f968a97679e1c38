"""Bad input at a public entry point is a FenxiaoError naming the argument, never a bare Python error (issue 20).

Each case here failed with an AttributeError or TypeError from inside, or silently gave a wrong number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest

from fenxiao.domain.goods import Sku
from fenxiao.errors import FenxiaoError
from fenxiao.grading.inputs import example_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import default_perk_catalog
from fenxiao.grading.subsidies import allocate_subsidies
from fenxiao.grading.tiers import default_tier_policy
from fenxiao.money import Money, Rate
from fenxiao.serialization import loads
from fenxiao.settlement.ledger import EntryKind, Ledger
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party
from tests.builders import order


def _inputs(**changes: object) -> dict[str, object]:
    """Tier inputs of an L2 SKU (composite 92, 500 units), with *changes*."""
    return {**example_inputs(composite="92", units_30d=500), **changes}


def order_paid(paid: Any) -> Order:
    fields = attrs.asdict(order(), recurse=False)
    fields["paid"] = paid
    return Order(**fields)


BAD: dict[str, tuple[Callable[[], object], str]] = {
    "a float paid": (lambda: order_paid(99.9), "Order.paid"),
    "text paid": (lambda: order_paid("99.90"), "Order.paid"),
    "a float added to money": (lambda: Money.of("1.00") + 0.1, "Money.__add__"),
    "money added to a float": (lambda: 0.1 + Money.of("1.00"), "Money.__radd__"),
    "a rate taken from money": (lambda: Money.of("1.00") - Rate.of("5%"), "Money.__sub__"),
    "an int appended to a ledger": (lambda: Ledger().append(5), "Ledger.append.entries"),  # type: ignore[arg-type]
    "an unknown party": (lambda: Ledger().balance("nobody"), "Ledger.select.party"),  # type: ignore[arg-type]
    "an unknown kind": (lambda: Ledger().balance(kind="paid"), "Ledger.select.kind"),  # type: ignore[arg-type]
    "an unknown period": (lambda: Ledger().by_period("week"), "Ledger.by_period.period"),  # type: ignore[arg-type]
    "None as a document": (lambda: loads(None, Sku), "(document)"),  # type: ignore[arg-type]
    "an int as tier inputs": (lambda: default_tier_policy().grade(5), "TierPolicy.grade.inputs"),  # type: ignore[arg-type]
    "a list as tier inputs": (lambda: default_tier_policy().decide([1, 2]), "TierPolicy.decide.inputs"),  # type: ignore[arg-type]
    "None as tier inputs": (lambda: default_tier_policy().decide(None), "TierPolicy.decide.inputs"),  # type: ignore[arg-type]
    "an int as perk inputs": (
        lambda: default_perk_catalog().resolve(Tier.L3, 5),  # type: ignore[arg-type]
        "resolve_perks.inputs",
    ),
    "None as subsidy requests": (lambda: allocate_subsidies(None, []), "requests"),  # type: ignore[arg-type]
    "None as budgets": (lambda: allocate_subsidies([], None), "budgets"),  # type: ignore[arg-type]
    "a float composite": (lambda: default_tier_policy().grade(_inputs(composite=95.5)), "inputs.composite"),
    "a float composite, explained": (
        lambda: default_tier_policy().decide(_inputs(composite=95.5)),
        "inputs.composite",
    ),
    "True as a count": (lambda: default_tier_policy().grade(_inputs(units_30d=True)), "inputs.units_30d"),
    "a float count": (lambda: default_tier_policy().decide(_inputs(units_30d=500.0)), "inputs.units_30d"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_fenxiao_error_naming_the_argument(case: str) -> None:
    make, path = BAD[case]
    with pytest.raises(FenxiaoError, match=re.escape(path)):
        make()


def test_a_party_or_kind_given_as_its_text_counts_like_the_member() -> None:
    ledger = Ledger().record(order(), PlatformProfile())
    influencer = ledger.balance(Party.INFLUENCER)
    assert influencer != Money.zero()
    assert ledger.balance("influencer") == influencer  # type: ignore[arg-type]
    assert ledger.balance(kind="estimated") == ledger.balance(kind=EntryKind.ESTIMATED)  # type: ignore[arg-type]


def test_exact_numbers_still_grade_on_both_paths() -> None:
    """The refusals above leave exact inputs alone: an int or a Decimal grades on the compiled and the
    interpreted path alike, and a missing optional input is still allowed."""
    policy = default_tier_policy()
    for composite in (92, Decimal("92"), Decimal("92.00")):
        inputs = _inputs(composite=composite)
        assert policy.grade(inputs) == policy.decide(inputs).tier == Tier.L2
    assert policy.grade(_inputs(lowest_price_30d=None)) == Tier.L2
