"""What was observed about one SKU at one moment: :class:`SkuSnapshot`.

A snapshot carries every metric the five dimensions (品牌力 价格力 分销力 服务力
销售力) look at, flat, so that the same names work in tier conditions and as
columns on the columnar path. Rates are :class:`~fenxiao.money.Rate`, amounts
:class:`~fenxiao.money.Money`, scores exact Decimals.

>>> from datetime import datetime, timezone
>>> snap = SkuSnapshot(
...     sku_id=SkuId("sku-1"), category_id=CategoryId("c-dress"),
...     observed_at=datetime(2026, 11, 20, tzinfo=timezone.utc),
...     joined_at=datetime(2026, 11, 10, tzinfo=timezone.utc),
...     price=Money.of("129.00"), units_30d=0,
... )
>>> snap.days_in_pool
10
>>> snap.has_sales
False

A metric the platform may not have observed (the service rates, the shop experience score, the repurchase
rate, the influencer share of GMV) is ``None`` until it is given: *unobserved*, which is not 0%. Scorecards
treat an unobserved metric by a per-metric rule (see ``docs/scoring.md``); an explicit 0 stays an observed 0.

>>> snap.refund_rate is None, snap.experience_score is None
(True, True)
>>> "refund_rate" in OPTIONAL_METRIC_FIELDS, "units_30d" in OPTIONAL_METRIC_FIELDS
(True, False)
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.ids import CategoryId, SkuId
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate

__all__ = ["METRIC_FIELDS", "OPTIONAL_METRIC_FIELDS", "SkuSnapshot"]

_ZERO_RATE = Rate.zero()
_score = v.decimal_between(Decimal(0), Decimal(5))


def _optional_score(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _score(instance, attribute, value)


def _rate() -> Any:
    return attrs.field(default=_ZERO_RATE, validator=v.rate)


def _observed_rate() -> Any:
    """A rate the platform may not have observed: ``None`` until it has (never a default of 0%)."""
    return attrs.field(default=None, validator=v.optional_rate)


def _count() -> Any:
    return attrs.field(default=0, validator=v.count)


def _flag() -> Any:
    return attrs.field(default=False, validator=v.boolean)


@attrs.frozen
class SkuSnapshot:
    """The observed metrics of one SKU at one moment.

    Identity and time:
        sku_id, category_id: The SKU and its third-level category.
        observed_at: When the metrics were read (timezone-aware).
        joined_at: When the SKU joined the distribution pool (timezone-aware, not after ``observed_at``).

    Price (价格力):
        price: The current selling price.
        reference_price: A reference price (e.g. the market or list price), if known.
        lowest_price_30d: The product's own lowest price in the past 30 days, if known.

    Sales (销售力):
        units_30d, gmv_30d: Units and GMV over the last 30 days.
        units_prev_30d, gmv_prev_30d: The same for the 30 days before (for growth).
        repurchase_rate: Share of buyers who bought again.

    Distribution (分销力):
        commission_rate: The commission rate offered.
        promoting_influencers: Active influencers promoting it.
        influencer_gmv_share: Share of GMV sold through influencers.
        team_leaders: Team leaders carrying it.

    Service (服务力):
        experience_score: The shop experience score, 0-5; goods/logistics/service sub-scores likewise.
        good_review_rate, bad_review_rate, quality_return_rate, refund_rate, complaint_rate, shipped_48h_rate.

    Unobserved is not zero: ``reference_price``, ``lowest_price_30d``, ``repurchase_rate``,
    ``influencer_gmv_share`` and every service metric default to ``None``, meaning not observed
    (:data:`OPTIONAL_METRIC_FIELDS`); an explicit ``Rate.zero()`` is an observed 0%. Counts, amounts and flags
    come from the platform's own records, where nothing recorded is an observed 0 (no units sold, no violation),
    and the commission rate is the merchant's offer; they default to 0 / ``False``.

    Brand (品牌力):
        brand_registered, brand_authorised, flagship_shop, on_brand_list: Brand facts.
        brand_gmv_30d: The brand's GMV on the platform over 30 days.

    Compliance:
        serious_violations_365d: Serious violations in the last year.

    .. versionchanged:: 0.2
       ``repurchase_rate``, ``influencer_gmv_share``, ``experience_score`` and the six service rates default to
       ``None`` (unobserved) instead of 0.
    """

    sku_id: SkuId = attrs.field(converter=v.id_text, validator=v.identifier)
    category_id: CategoryId = attrs.field(converter=v.id_text, validator=v.identifier)
    observed_at: datetime = attrs.field(validator=v.aware_datetime)
    joined_at: datetime = attrs.field(validator=v.aware_datetime)
    # price
    price: Money = attrs.field(validator=v.money)
    reference_price: Money | None = attrs.field(default=None, validator=v.optional_money)
    lowest_price_30d: Money | None = attrs.field(default=None, validator=v.optional_money)
    # sales
    units_30d: int = _count()
    gmv_30d: Money = attrs.field(default=Money(0), validator=v.money)
    units_prev_30d: int = _count()
    gmv_prev_30d: Money = attrs.field(default=Money(0), validator=v.money)
    repurchase_rate: Rate | None = _observed_rate()
    # distribution
    commission_rate: Rate = _rate()
    promoting_influencers: int = _count()
    influencer_gmv_share: Rate | None = _observed_rate()
    team_leaders: int = _count()
    # service
    experience_score: Decimal | None = attrs.field(default=None, validator=_optional_score)
    goods_score: Decimal | None = attrs.field(default=None, validator=_optional_score)
    logistics_score: Decimal | None = attrs.field(default=None, validator=_optional_score)
    service_score: Decimal | None = attrs.field(default=None, validator=_optional_score)
    good_review_rate: Rate | None = _observed_rate()
    bad_review_rate: Rate | None = _observed_rate()
    quality_return_rate: Rate | None = _observed_rate()
    refund_rate: Rate | None = _observed_rate()
    complaint_rate: Rate | None = _observed_rate()
    shipped_48h_rate: Rate | None = _observed_rate()
    # brand
    brand_registered: bool = _flag()
    brand_authorised: bool = _flag()
    flagship_shop: bool = _flag()
    on_brand_list: bool = _flag()
    brand_gmv_30d: Money = attrs.field(default=Money(0), validator=v.money)
    # compliance
    serious_violations_365d: int = _count()

    def __attrs_post_init__(self) -> None:
        if self.joined_at > self.observed_at:
            raise InvalidValueError(
                "SkuSnapshot.joined_at",
                self.joined_at,
                f"is after observed_at ({self.observed_at.isoformat()})",
            )
        currency = self.price.currency
        for name in ("reference_price", "lowest_price_30d", "gmv_30d", "gmv_prev_30d", "brand_gmv_30d"):
            amount = getattr(self, name)
            if amount is not None and amount.currency != currency:
                raise InvalidValueError(f"SkuSnapshot.{name}", amount, f"must be in the price's currency {currency}")

    @property
    def days_in_pool(self) -> int:
        """Whole days between joining the pool and the observation."""
        return (self.observed_at - self.joined_at).days

    def days_since_joining(self, as_of: datetime) -> int:
        """Whole days between joining the pool and *as_of* (timezone-aware)."""
        when = v.require_aware(as_of, "SkuSnapshot.days_since_joining.as_of")
        return (when - self.joined_at).days

    @property
    def has_sales(self) -> bool:
        """Whether it sold anything in the last 30 days (有动销)."""
        return self.units_30d > 0


#: The metric fields of a snapshot (everything but identity and time), in declaration order.
METRIC_FIELDS: tuple[str, ...] = tuple(
    a.name for a in attrs.fields(SkuSnapshot) if a.name not in {"sku_id", "category_id", "observed_at", "joined_at"}
)

#: The metric fields that may be unobserved (``None``, their default), in declaration order.
OPTIONAL_METRIC_FIELDS: tuple[str, ...] = tuple(
    a.name for a in attrs.fields(SkuSnapshot) if a.name in METRIC_FIELDS and "None" in str(a.type)
)
