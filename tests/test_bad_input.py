"""Bad input at a public entry point is a FenxiaoError naming the argument, never a bare Python error (issue 20).

Each case here failed with an AttributeError or TypeError from inside, or silently gave a wrong number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from fenxiao.domain.goods import Sku
from fenxiao.errors import FenxiaoError
from fenxiao.money import Money, Rate
from fenxiao.serialization import loads
from fenxiao.settlement.ledger import EntryKind, Ledger
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party
from tests.builders import order


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
