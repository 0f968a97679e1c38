"""The one place tests build domain values by hand: the required fields with neutral values, any field changed.

Each builder returns a valid value (the class's own validators still run on every change)::

    snapshot()                                  # sku-1 in c-tea, observed and joined at T, 10.00 yuan
    snapshot("sku-2", "c-dress", units_30d=300)
    order("100.00", terms=order_terms(mcn_id="mcn-1", mcn_share=Rate.of("50%")))

A test module that needs another baseline binds it once, naming only what differs from these::

    snapshot = functools.partial(builders.snapshot, units_30d=100, commission_rate=Rate.of("20%"))

For random values use the shipped strategies (:mod:`fenxiao.testing`), not these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from fenxiao.domain.goods import Merchant, Sku
from fenxiao.domain.ids import CategoryId, InfluencerId, MerchantId, SkuId
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.money import Money, Rate
from fenxiao.settlement.orders import Order, OrderTerms

__all__ = ["CST", "PAID_AT", "T", "merchant", "order", "order_terms", "sku", "snapshot"]

#: China Standard Time, the platform's clock.
CST = timezone(timedelta(hours=8))
#: The default moment of a snapshot and of a SKU joining the pool.
T = datetime(2026, 11, 20, tzinfo=UTC)
#: When the default order was paid: 8 pm on Singles' Day, China time.
PAID_AT = datetime(2026, 11, 11, 20, 0, tzinfo=CST)


def snapshot(sku: str = "sku-1", category: str = "c-tea", /, **changes: Any) -> SkuSnapshot:
    """A snapshot of *sku* in *category*, observed and joined at :data:`T`, priced 10.00; metrics at defaults."""
    fields: dict[str, Any] = {
        "sku_id": SkuId(sku),
        "category_id": CategoryId(category),
        "observed_at": T,
        "joined_at": T,
        "price": Money.of("10.00"),
    }
    return SkuSnapshot(**{**fields, **changes})


def merchant(**changes: Any) -> Merchant:
    """An ordinary shop ``m-1`` opened on 2026-01-01, in normal standing, unrated, with no brands."""
    fields: dict[str, Any] = {"id": MerchantId("m-1"), "name": "邻家小店", "opened_on": date(2026, 1, 1)}
    return Merchant(**{**fields, **changes})


def sku(**changes: Any) -> Sku:
    """SKU ``sku-1`` of merchant ``m-1`` in ``c-tea``, priced 10.00, joined at :data:`T`, without a brand."""
    fields: dict[str, Any] = {
        "id": SkuId("sku-1"),
        "merchant_id": MerchantId("m-1"),
        "category_id": CategoryId("c-tea"),
        "title": "明前龙井",
        "price": Money.of("10.00"),
        "joined_at": T,
    }
    return Sku(**{**fields, **changes})


def order_terms(**changes: Any) -> OrderTerms:
    """A 20% commission and nothing else: no team leader, MCN, activity or steps."""
    return OrderTerms(**{"commission_rate": Rate.of("20%"), **changes})


def order(paid: str | Money = "99.90", **changes: Any) -> Order:
    """Order ``o-1`` of ``sku-1`` (merchant ``m-1``) sold by ``kol-1``, *paid* at :data:`PAID_AT` on
    :func:`order_terms`; *paid* is yuan text or :class:`~fenxiao.money.Money`."""
    fields: dict[str, Any] = {
        "id": "o-1",
        "merchant_id": MerchantId("m-1"),
        "sku_id": SkuId("sku-1"),
        "influencer_id": InfluencerId("kol-1"),
        "paid": paid if isinstance(paid, Money) else Money.of(paid),
        "paid_at": PAID_AT,
        "terms": order_terms(),
    }
    return Order(**{**fields, **changes})
