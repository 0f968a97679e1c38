"""Goods and who sells them: :class:`Brand`, :class:`Category`, :class:`Merchant`, :class:`Sku`.

>>> from datetime import datetime, timezone
>>> cat = Category(id=CategoryId("c-dress"), path=("服饰内衣", "女装", "连衣裙"))
>>> cat.level3
'连衣裙'
>>> sku = Sku(
...     id=SkuId("sku-1"), merchant_id=MerchantId("m-1"), category_id=cat.id,
...     title="碎花连衣裙", price=Money.of("129.00"),
...     joined_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
... )
>>> str(sku.price)
'¥129.00'
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao.domain.ids import BrandId, CategoryId, MerchantId, SkuId
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money

__all__ = [
    "Brand",
    "Category",
    "Merchant",
    "ShopKind",
    "Sku",
    "Standing",
]

_FIVE = Decimal(5)


class ShopKind(enum.Enum):
    """The kind of shop (店铺类型); flagship and official shops count towards brand power."""

    FLAGSHIP = "flagship"  #: 旗舰店
    OFFICIAL = "official"  #: 官方店
    SPECIALTY = "specialty"  #: 专营店 (authorised reseller)
    ORDINARY = "ordinary"  #: 普通店

    @property
    def label_zh(self) -> str:
        """The Chinese label."""
        return {"flagship": "旗舰店", "official": "官方店", "specialty": "专营店", "ordinary": "普通店"}[self.value]


class Standing(enum.Enum):
    """A shop's standing with the platform (店铺状态)."""

    NORMAL = "normal"  #: 正常
    WARNED = "warned"  #: under a warning or rectification order
    RESTRICTED = "restricted"  #: some functions restricted (e.g. no new listings)
    SUSPENDED = "suspended"  #: closed for business (清退/封店)


def _category_path(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple) or len(value) != 3:
        raise InvalidValueError(path, value, "must be three names: first-, second- and third-level (一级/二级/三级)")
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name.strip() or len(name) > v.MAX_TEXT or any(ord(c) < 32 for c in name):
            raise InvalidValueError(
                f"{path}[{i}]", name, "must be a non-blank name of at most 200 characters, without control characters"
            )


@attrs.frozen
class Category:
    """A third-level category (三级类目) with its full path.

    Args:
        id: The third-level category's id.
        path: ``(一级, 二级, 三级)`` names, e.g. ``("珠宝文玩", "黄金", "黄金项链")``.
    """

    id: CategoryId = attrs.field(converter=v.id_text, validator=v.identifier)
    path: tuple[str, str, str] = attrs.field(converter=v.to_tuple, validator=_category_path)

    @property
    def level1(self) -> str:
        """The first-level (一级) name."""
        return self.path[0]

    @property
    def level2(self) -> str:
        """The second-level (二级) name."""
        return self.path[1]

    @property
    def level3(self) -> str:
        """The third-level (三级) name."""
        return self.path[2]

    def __str__(self) -> str:
        return " > ".join(self.path)


@attrs.frozen
class Brand:
    """A brand.

    Args:
        id: The brand's id.
        name: Its name.
        registered: A registered trademark (注册商标).
        on_platform_list: On the platform's brand list (品牌库 / whitelist).
    """

    id: BrandId = attrs.field(converter=v.id_text, validator=v.identifier)
    name: str = attrs.field(validator=v.text)
    registered: bool = attrs.field(default=False, validator=v.boolean)
    on_platform_list: bool = attrs.field(default=False, validator=v.boolean)


def _score_0_5(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        v.decimal_between(Decimal(0), _FIVE)(instance, attribute, value)


@attrs.frozen
class Merchant:
    """A merchant's shop (快手小店) and the facts admission and scoring look at.

    Args:
        id: The merchant's id.
        name: The shop name.
        shop_kind: Flagship, official, specialty or ordinary.
        standing: The shop's standing (normal, warned, restricted, suspended).
        opened_on: The day the shop opened (shops younger than 90 days are exempt from some checks).
        experience_score: Shop experience score (店铺体验分) 0-5, ``None`` while unrated.
        enterprise_licence: Has an enterprise business licence (企业营业执照).
        brand_ids: Brands it owns or is authorised to sell.
        qualified_category_ids: Categories it holds special qualifications for (e.g. jewellery).
        last_serious_violation_on: The day of its last serious violation penalty, if any.
        counterfeit_record: A counterfeit record on the shop or an associated account.
    """

    id: MerchantId = attrs.field(converter=v.id_text, validator=v.identifier)
    name: str = attrs.field(validator=v.text)
    opened_on: date = attrs.field(validator=v.a_date)
    shop_kind: ShopKind = attrs.field(default=ShopKind.ORDINARY, validator=v.member_of(ShopKind))
    standing: Standing = attrs.field(default=Standing.NORMAL, validator=v.member_of(Standing))
    experience_score: Decimal | None = attrs.field(default=None, validator=_score_0_5)
    enterprise_licence: bool = attrs.field(default=False, validator=v.boolean)
    brand_ids: tuple[BrandId, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    qualified_category_ids: tuple[CategoryId, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.identifiers
    )
    last_serious_violation_on: date | None = attrs.field(default=None, validator=v.optional_date)
    counterfeit_record: bool = attrs.field(default=False, validator=v.boolean)


@attrs.frozen
class Sku:
    """A sellable product (SKU) of one merchant in one third-level category.

    Args:
        id: The SKU's id.
        merchant_id: Its merchant.
        category_id: Its third-level category.
        title: Its title.
        price: Its list price (not negative).
        joined_at: When it joined the distribution pool (timezone-aware; drives the 14-day new-SKU window).
        brand_id: Its brand, if any.
    """

    id: SkuId = attrs.field(converter=v.id_text, validator=v.identifier)
    merchant_id: MerchantId = attrs.field(converter=v.id_text, validator=v.identifier)
    category_id: CategoryId = attrs.field(converter=v.id_text, validator=v.identifier)
    title: str = attrs.field(validator=v.text)
    price: Money = attrs.field(validator=v.money)
    joined_at: datetime = attrs.field(validator=v.aware_datetime)
    brand_id: BrandId | None = attrs.field(default=None, converter=v.optional_id_text, validator=v.optional_identifier)
