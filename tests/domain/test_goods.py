"""Brand, Category, Merchant and Sku: construction, every validation rule, and the error messages."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import partial
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.goods import Brand, Category, Merchant, ShopKind, Standing
from fenxiao.domain.ids import BrandId, CategoryId, MerchantId, SkuId
from fenxiao.errors import FenxiaoError, InvalidValueError
from fenxiao.money import Money

from .. import builders

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 1, 9, 30, tzinfo=CST)
NAIVE = datetime(2026, 11, 1, 9, 30)


def category(**changes: Any) -> Category:
    fields: dict[str, Any] = {"id": CategoryId("c-gold"), "path": ("珠宝文玩", "黄金", "黄金项链")}
    return Category(**{**fields, **changes})


def brand(**changes: Any) -> Brand:
    fields: dict[str, Any] = {"id": BrandId("b-001"), "name": "金禧坊", "registered": True}
    return Brand(**{**fields, **changes})


#: A licensed flagship shop with a brand and a qualification: every optional field filled in.
merchant = partial(
    builders.merchant,
    id=MerchantId("m-0001"),
    name="金禧坊旗舰店",
    opened_on=date(2024, 3, 1),
    shop_kind=ShopKind.FLAGSHIP,
    experience_score=Decimal("4.80"),
    enterprise_licence=True,
    brand_ids=(BrandId("b-001"),),
    qualified_category_ids=(CategoryId("c-gold"),),
)
#: That shop's branded gold necklace.
sku = partial(
    builders.sku,
    merchant_id=MerchantId("m-0001"),
    category_id=CategoryId("c-gold"),
    title="足金项链",
    price=Money.of("2999.00"),
    joined_at=T0,
    brand_id=BrandId("b-001"),
)


def expect_rejected(build: Any, cls_name: str, field: str, bad: object, **extra: Any) -> InvalidValueError:
    """Build with *field* = *bad* and check the error names the field path and shows the bad value."""
    with pytest.raises(InvalidValueError, match=rf"^{re.escape(cls_name)}\.{re.escape(field)}") as info:
        build(**{field.split("[", maxsplit=1)[0]: bad}, **extra)
    assert repr(bad)[:40] in str(info.value)  # long values are cut in messages, never left out
    return info.value


BAD_IDS = ["", " sku", "-leading-dash", "has space", "trailing-newline\n", "x" * 65, "中文", 7, None]


# -- Category ----------------------------------------------------------------------------------------


def test_a_category_exposes_its_three_levels() -> None:
    """level1/level2/level3 read the path; str() joins it with arrows."""
    cat = category()
    assert (cat.level1, cat.level2, cat.level3) == ("珠宝文玩", "黄金", "黄金项链")
    assert str(cat) == "珠宝文玩 > 黄金 > 黄金项链"


def test_a_category_path_given_as_a_list_becomes_a_tuple() -> None:
    """Lists (as read from JSON) are converted, so categories stay hashable and immutable."""
    cat = category(path=["食品饮料", "休闲零食", "坚果"])
    assert cat.path == ("食品饮料", "休闲零食", "坚果")
    assert hash(cat) == hash(category(path=("食品饮料", "休闲零食", "坚果")))


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_category_id_must_be_a_well_formed_id(bad: object) -> None:
    """Ids are 1-64 characters of letters, digits and _.:- starting with a letter or digit."""
    error = expect_rejected(category, "Category", "id", bad)
    assert "must be an id" in error.problem


@pytest.mark.parametrize("bad", [("女装", "连衣裙"), ("a", "b", "c", "d"), (), "服饰内衣>女装>连衣裙", None])
def test_a_category_path_must_have_exactly_three_levels(bad: object) -> None:
    """Two or four names, a string or nothing are refused with the path Category.path."""
    error = expect_rejected(category, "Category", "path", bad)
    assert "three names" in error.problem


@pytest.mark.parametrize(
    ("path", "index"),
    [
        (("服饰内衣", " ", "连衣裙"), 1),
        (("", "女装", "连衣裙"), 0),
        (("服饰内衣", "女装", "x" * 201), 2),
        (("服饰内衣", "女装", "连衣\n裙"), 2),
        (("服饰内衣", 3, "连衣裙"), 1),
    ],
)
def test_each_category_name_must_be_non_blank_short_text(path: tuple[object, ...], index: int) -> None:
    """The error names the offending level as Category.path[i] and shows the bad name."""
    with pytest.raises(
        InvalidValueError, match=rf"^Category\.path\[{index}\]: .*got {re.escape(repr(path[index])[:40])}"
    ):
        category(path=path)


# -- Brand -------------------------------------------------------------------------------------------


def test_a_brand_defaults_to_unregistered_and_unlisted() -> None:
    """Only id and name are required; the brand facts default to False."""
    plain = Brand(id=BrandId("b-9"), name="无名")
    assert (plain.registered, plain.on_platform_list) == (False, False)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_brand_id_must_be_a_well_formed_id(bad: object) -> None:
    """A malformed brand id names Brand.id."""
    expect_rejected(brand, "Brand", "id", bad)


@pytest.mark.parametrize("bad", ["", "   ", "x" * 201, "tab\there", 42, None])
def test_a_brand_name_must_be_non_blank_text(bad: object) -> None:
    """Blank, overlong, control-character or non-string names name Brand.name."""
    expect_rejected(brand, "Brand", "name", bad)


@pytest.mark.parametrize("field", ["registered", "on_platform_list"])
@pytest.mark.parametrize("bad", [1, 0, "yes", None])
def test_brand_flags_must_be_booleans(field: str, bad: object) -> None:
    """1 and "yes" are not True: flags must be real booleans."""
    expect_rejected(brand, "Brand", field, bad)


# -- Merchant ----------------------------------------------------------------------------------------


def test_a_merchant_has_safe_defaults() -> None:
    """An ordinary shop in normal standing, unrated, unlicensed, with no brands, qualifications or record."""
    shop = Merchant(id=MerchantId("m-1"), name="邻家小店", opened_on=date(2026, 1, 1))
    assert shop.shop_kind is ShopKind.ORDINARY
    assert shop.standing is Standing.NORMAL
    assert shop.experience_score is None
    assert (shop.enterprise_licence, shop.counterfeit_record) == (False, False)
    assert shop.brand_ids == ()
    assert shop.qualified_category_ids == ()
    assert shop.last_serious_violation_on is None


def test_shop_kinds_have_chinese_labels() -> None:
    """Each shop kind has its 店铺类型 label."""
    assert [k.label_zh for k in ShopKind] == ["旗舰店", "官方店", "专营店", "普通店"]


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("id", "m 1"),
        ("name", ""),
        ("name", "x" * 201),
        ("opened_on", datetime(2024, 3, 1, tzinfo=CST)),
        ("opened_on", "2024-03-01"),
        ("shop_kind", "flagship"),
        ("standing", "normal"),
        ("experience_score", 4.8),
        ("experience_score", Decimal("5.01")),
        ("experience_score", Decimal("-0.01")),
        ("experience_score", Decimal("NaN")),
        ("experience_score", "4.8"),
        ("enterprise_licence", 1),
        ("counterfeit_record", "no"),
        ("last_serious_violation_on", datetime(2025, 1, 1, tzinfo=CST)),
        ("brand_ids", "b-001"),
        ("qualified_category_ids", None),
    ],
)
def test_every_merchant_field_is_validated(field: str, bad: object) -> None:
    """Each invalid field raises InvalidValueError naming Merchant.<field> and the bad value."""
    expect_rejected(merchant, "Merchant", field, bad)


def test_a_merchant_experience_score_spans_zero_to_five_inclusive() -> None:
    """0 and 5 are both valid scores; None means unrated."""
    assert merchant(experience_score=Decimal(0)).experience_score == 0
    assert merchant(experience_score=Decimal(5)).experience_score == 5
    assert merchant(experience_score=None).experience_score is None


def test_merchant_id_lists_name_the_bad_entry() -> None:
    """A bad or repeated entry is reported as Merchant.brand_ids[i]."""
    with pytest.raises(InvalidValueError, match=r"^Merchant\.brand_ids\[1\]: is listed twice, got 'b-001'"):
        merchant(brand_ids=["b-001", "b-001"])
    with pytest.raises(InvalidValueError, match=r"^Merchant\.qualified_category_ids\[0\]: must be an id"):
        merchant(qualified_category_ids=("bad id",))


def test_merchant_id_lists_accept_lists_and_keep_their_order() -> None:
    """brand_ids given as a list become a tuple in the same order."""
    shop = merchant(brand_ids=["b-2", "b-1"])
    assert shop.brand_ids == ("b-2", "b-1")


# -- Sku ---------------------------------------------------------------------------------------------


def test_a_sku_keeps_its_price_and_join_time() -> None:
    """The doc example: price as Money, joined_at timezone-aware."""
    item = sku()
    assert str(item.price) == "¥2999.00"
    assert item.joined_at.utcoffset() == timedelta(hours=8)


def test_a_sku_may_have_no_brand_and_a_zero_price() -> None:
    """brand_id is optional; a zero price (a free gift) is not negative, so it is allowed."""
    item = sku(brand_id=None, price=Money(0))
    assert item.brand_id is None
    assert item.price == Money(0)


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("id", ""),
        ("merchant_id", "m/1"),
        ("category_id", None),
        ("title", " "),
        ("title", "x" * 201),
        ("price", Money(-1)),
        ("price", 2999),
        ("price", Decimal("29.99")),
        ("joined_at", NAIVE),
        ("joined_at", date(2026, 11, 1)),
        ("joined_at", "2026-11-01T09:30:00+08:00"),
        ("brand_id", "bad id"),
    ],
)
def test_every_sku_field_is_validated(field: str, bad: object) -> None:
    """Each invalid field raises InvalidValueError naming Sku.<field> and the bad value."""
    expect_rejected(sku, "Sku", field, bad)


def test_a_naive_join_time_is_refused_with_an_explanation() -> None:
    """The message says why: a naive datetime is ambiguous."""
    with pytest.raises(InvalidValueError, match=r"^Sku\.joined_at: must be timezone-aware"):
        sku(joined_at=NAIVE)


def test_domain_errors_are_also_value_errors() -> None:
    """Callers that already catch ValueError keep working; FenxiaoError is the root."""
    with pytest.raises(ValueError, match=r"Sku\.price") as info:
        sku(price=Money(-1))
    assert isinstance(info.value, FenxiaoError)


@pytest.mark.parametrize("value", [brand(), category(), merchant(), sku()])
def test_domain_values_are_frozen(value: object) -> None:
    """Values cannot be changed in place; attrs.evolve makes a validated copy instead."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        value.id = "other"  # type: ignore[attr-defined]


def test_evolve_revalidates() -> None:
    """attrs.evolve runs the validators again, so a copy cannot smuggle in a bad value."""
    with pytest.raises(InvalidValueError, match=r"^Sku\.price"):
        attrs.evolve(sku(), price=Money(-5))


@given(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}\Z"))
def test_every_well_formed_id_is_accepted(identifier: str) -> None:
    """Any 1-64 character id of the documented alphabet works, for every id-typed field."""
    assert sku(id=SkuId(identifier), merchant_id=MerchantId(identifier)).id == identifier
