"""Own-stream orders (自播) against the category floors: the floors protect influencers, and an own-stream sale has
none (issue 19; found when the demo first settled own-stream sales of gold necklaces)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import PolicyError
from fenxiao.money import Money, Rate
from fenxiao.settlement.orders import Order, OrderTerms
from fenxiao.settlement.profiles import PRESETS, PlatformProfile
from fenxiao.settlement.splits import Party, split

CST = timezone(timedelta(hours=8))
PAID_AT = datetime(2026, 11, 11, 20, tzinfo=CST)


def _sale(influencer: str | None, rate: str, level1: str = "珠宝文玩") -> Order:
    return Order(
        id="o-1",
        merchant_id="m-1",
        sku_id="sku-1",
        influencer_id=influencer,
        paid=Money.of("2999.00"),
        paid_at=PAID_AT,
        terms=OrderTerms(commission_rate=Rate.of(rate)),
        category_id="c-gold",
        category_level1=level1,
    )


@pytest.mark.parametrize("preset", PRESETS)
def test_an_own_stream_sale_in_a_category_with_a_floor_splits(preset: str) -> None:
    profile = PlatformProfile.preset(preset)
    result = split(_sale(None, "0%"), profile)
    assert result.commission == Money.zero()
    assert Party.INFLUENCER not in {line.party for line in result.lines}
    assert sum((line.amount for line in result.lines), Money.zero()) == result.total_in


def test_the_same_sale_by_an_influencer_below_the_floor_is_refused() -> None:
    # The shared floors table sets 珠宝文玩 at 5% (fenxiao/data/defaults/category_floors.toml).
    with pytest.raises(PolicyError, match=r"^OrderTerms\.commission_rate: is below the minimum commission"):
        split(_sale("kol-1", "0%"), PlatformProfile.kuaishou())
    assert split(_sale("kol-1", "5%"), PlatformProfile.kuaishou()).commission == Money.of("149.95")


@given(
    level1=st.sampled_from(["珠宝文玩", "医药保健", "食品饮料", "服饰内衣", "美妆护肤"]),
    preset=st.sampled_from(PRESETS),
)
def test_an_own_stream_sale_never_meets_a_floor(level1: str, preset: str) -> None:
    """Whatever the category's floor, an own-stream sale splits: nothing in it is a commission."""
    result = split(_sale(None, "0%", level1), PlatformProfile.preset(preset))
    assert result.commission.fen == 0
