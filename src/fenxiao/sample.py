"""The built-in sample catalog and the seeded generator that made it.

:func:`load_sample` reads the catalog shipped as package data
(``fenxiao/data/sample_catalog.json``, about 200 SKUs in 16 third-level
categories). :func:`generate_catalog` is the seeded generator that wrote it;
call it with more SKUs for benchmarks. It draws only from
:meth:`random.Random.random` and exact integer arithmetic, so a seed gives the
same catalog on every machine and Python version.

>>> catalog = generate_catalog(seed=7, skus=30)
>>> len(catalog.skus), len(catalog.snapshots)
(30, 30)
>>> generate_catalog(seed=7, skus=30) == catalog
True
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Final

from fenxiao._validators import require_aware, require_int
from fenxiao.catalog import Brand, Category, Merchant, ShopKind, Sku, Standing
from fenxiao.dataset import Catalog
from fenxiao.ids import BrandId, CategoryId, InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
from fenxiao.influencers import Influencer, LeaderLevel, TeamLeader
from fenxiao.listings import Listing, ListingStatus, ListingTerms, StatusChange
from fenxiao.money import Money, Rate
from fenxiao.snapshots import SkuSnapshot

__all__ = ["SAMPLE_AS_OF", "SAMPLE_SEED", "SAMPLE_SKUS", "generate_catalog", "load_sample"]

#: China Standard Time, the platform's clock.
CST: Final = timezone(timedelta(hours=8), "CST")
#: When the sample's snapshots were observed.
SAMPLE_AS_OF: Final = datetime(2026, 11, 20, 0, 0, tzinfo=CST)
SAMPLE_SEED: Final = 20211130  # the day 好物联盟 became 快分销
SAMPLE_SKUS: Final = 200

# (id, path, median price in fen, refund-rate range in per-mille, commission range in per-mille, special)
_CATEGORIES: Final = (
    ("c-dress", ("服饰内衣", "女装", "连衣裙"), 15900, (450, 800), (200, 350)),
    ("c-tshirt", ("服饰内衣", "女装", "T恤"), 6900, (400, 700), (200, 300)),
    ("c-jacket", ("服饰内衣", "男装", "夹克"), 25900, (250, 450), (150, 300)),
    ("c-serum", ("美妆护肤", "面部护肤", "精华"), 19900, (80, 200), (250, 400)),
    ("c-lipstick", ("美妆护肤", "彩妆", "口红"), 12900, (60, 160), (250, 400)),
    ("c-nuts", ("食品饮料", "休闲零食", "坚果"), 5990, (30, 100), (150, 300)),
    ("c-oil", ("食品饮料", "粮油调味", "食用油"), 8990, (20, 60), (80, 200)),
    ("c-gold", ("珠宝文玩", "黄金", "黄金项链"), 299900, (100, 250), (50, 150)),
    ("c-diamond", ("珠宝文玩", "钻石", "钻石项链"), 199900, (120, 300), (100, 250)),
    ("c-wok", ("家居日用", "厨房用品", "锅具"), 12900, (80, 180), (150, 300)),
    ("c-storage", ("家居日用", "收纳整理", "收纳箱"), 3990, (60, 150), (150, 300)),
    ("c-diaper", ("母婴用品", "婴儿护理", "纸尿裤"), 9900, (30, 90), (100, 200)),
    ("c-powerbank", ("数码家电", "手机配件", "充电宝"), 7900, (80, 200), (100, 250)),
    ("c-shampoo", ("个护清洁", "洗发护发", "洗发水"), 4990, (40, 120), (200, 350)),
    ("c-running", ("运动户外", "运动鞋", "跑步鞋"), 32900, (200, 400), (100, 250)),
    ("c-vitamin", ("医药保健", "保健食品", "维生素"), 15900, (30, 100), (100, 250)),
)

_BRAND_NAMES: Final = (
    "佐卡伊",
    "山野集",
    "云朵屋",
    "花间记",
    "北岸",
    "青柠派",
    "小熊厨房",
    "星河数码",
    "暖阳母婴",
    "金缘珠宝",
    "轻跑",
    "素颜实验室",
    "田园优选",
    "木子家居",
    "安心药房",
    "蓝海服饰",
)
_SHOP_WORDS: Final = ("旗舰店", "官方店", "专营店", "小店", "优选", "工厂店")
_INFLUENCER_NAMES: Final = (
    "周周珍可爱",
    "大胃王阿花",
    "东北老铁小刘",
    "美妆师Lily",
    "宝妈日记",
    "数码控阿杰",
    "跑者老王",
    "厨房里的李姐",
    "珠宝鉴定师",
    "零食测评君",
    "穿搭小姐姐",
    "家居收纳师",
)
_TITLE_WORDS: Final = (
    "新款",
    "爆款",
    "经典",
    "加厚",
    "轻薄",
    "升级版",
    "家庭装",
    "礼盒装",
    "直播专享",
    "限量",
)


class _Draw:
    """Deterministic draws built only on ``random()`` (whose sequence Python guarantees across versions)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def unit(self) -> float:
        return self._rng.random()

    def below(self, n: int) -> int:
        return min(int(self._rng.random() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        return low + self.below(high - low + 1)

    def chance(self, p_permille: int) -> bool:
        return self.below(1000) < p_permille

    def pick(self, items: tuple[str, ...]) -> str:
        return items[self.below(len(items))]

    def heavy(self, top: int, power: int = 4) -> int:
        """0..top with a heavy right tail (u**power, exact IEEE products)."""
        u = self._rng.random()
        x = 1.0
        for _ in range(power):
            x *= u
        return int(x * top)


def _permille(value: int) -> Rate:
    return Rate.from_permille(max(0, min(1000, value)))


def generate_catalog(*, seed: int = SAMPLE_SEED, skus: int = SAMPLE_SKUS, as_of: datetime = SAMPLE_AS_OF) -> Catalog:
    """Generate a realistic catalog: merchants, brands, SKUs with snapshots, influencers, team leaders, listings.

    Args:
        seed: The seed; the same seed and size give the same catalog everywhere.
        skus: How many SKUs (and snapshots, and listings).
        as_of: When the snapshots are observed (timezone-aware).

    Raises:
        InvalidValueError: *skus* below 1 or above 10,000,000, or a naive *as_of*.
    """
    require_int(skus, "generate_catalog.skus", 1, 10_000_000)
    require_aware(as_of, "generate_catalog.as_of")
    d = _Draw(seed)
    categories = tuple(Category(id=CategoryId(cid), path=path) for cid, path, *_ in _CATEGORIES)
    cat_info = {cid: (price, refund, commission) for cid, _, price, refund, commission in _CATEGORIES}

    brands = tuple(
        Brand(
            id=BrandId(f"b-{i:03d}"),
            name=name,
            registered=d.chance(850),
            on_platform_list=d.chance(350),
        )
        for i, name in enumerate(_BRAND_NAMES)
    )

    n_merchants = max(1, skus // 5)
    merchants = []
    for i in range(n_merchants):
        kind = (ShopKind.FLAGSHIP, ShopKind.OFFICIAL, ShopKind.SPECIALTY, ShopKind.ORDINARY)[
            0 if d.chance(150) else 1 if d.chance(150) else 2 if d.chance(250) else 3
        ]
        brand = brands[d.below(len(brands))] if kind is not ShopKind.ORDINARY or d.chance(400) else None
        standing = Standing.NORMAL if d.chance(930) else Standing.WARNED if d.chance(700) else Standing.RESTRICTED
        violation = as_of.date() - timedelta(days=d.between(10, 700)) if d.chance(80) else None
        merchants.append(
            Merchant(
                id=MerchantId(f"m-{i:04d}"),
                name=(brand.name if brand else d.pick(("好货", "源头", "臻选", "邻家"))) + d.pick(_SHOP_WORDS),
                opened_on=as_of.date() - timedelta(days=d.between(20, 1500)),
                shop_kind=kind,
                standing=standing,
                experience_score=Decimal(d.between(380, 500)).scaleb(-2),
                enterprise_licence=kind is not ShopKind.ORDINARY or d.chance(500),
                brand_ids=(brand.id,) if brand else (),
                last_serious_violation_on=violation,
                counterfeit_record=d.chance(10),
            )
        )

    sku_list: list[Sku] = []
    snapshots: list[SkuSnapshot] = []
    for i in range(skus):
        cid, path, *_ = _CATEGORIES[d.below(len(_CATEGORIES))]
        median, refund_band, commission_band = cat_info[cid]
        merchant = merchants[d.below(len(merchants))]
        brand_id = merchant.brand_ids[0] if merchant.brand_ids else None
        price = Money(max(100, median * d.between(40, 220) // 100 // 10 * 10 - 10))
        new = d.chance(120)
        joined = as_of - timedelta(days=d.between(0, 13) if new else d.between(14, 400), hours=d.below(24))
        sku_id = SkuId(f"sku-{i:05d}")
        sku_list.append(
            Sku(
                id=sku_id,
                merchant_id=merchant.id,
                category_id=CategoryId(cid),
                title=f"{d.pick(_TITLE_WORDS)}{path[2]}",
                price=price,
                joined_at=joined,
                brand_id=brand_id,
            )
        )
        dormant = new and d.chance(600)
        units = 0 if dormant else d.heavy(60_000, power=5) + (d.between(1, 30) if not d.chance(80) else 0)
        prev_units = 0 if new else max(0, units * d.between(50, 160) // 100 + d.between(-5, 5))
        sell_price = price.fen * d.between(80, 100) // 100
        reference = Money(price.fen * d.between(95, 130) // 100)
        lowest = Money(min(sell_price, price.fen * d.between(75, 100) // 100))
        brand = next((b for b in brands if b.id == brand_id), None)
        promoting = 0 if units == 0 else min(5000, units // max(1, d.between(5, 60)) + d.between(1, 5))
        leaders = 0 if d.chance(400) else d.between(1, 4)
        experience = merchant.experience_score or Decimal("4.50")
        snapshots.append(
            SkuSnapshot(
                sku_id=sku_id,
                category_id=CategoryId(cid),
                observed_at=as_of,
                joined_at=joined,
                price=Money(sell_price),
                reference_price=reference,
                lowest_price_30d=lowest,
                units_30d=units,
                gmv_30d=Money(units * sell_price),
                units_prev_30d=prev_units,
                gmv_prev_30d=Money(prev_units * sell_price),
                repurchase_rate=_permille(d.between(0, 450) if units else 0),
                commission_rate=_permille(d.between(*commission_band)),
                promoting_influencers=promoting,
                influencer_gmv_share=_permille(d.between(300, 950) if units else 0),
                team_leaders=leaders,
                experience_score=experience,
                goods_score=min(Decimal(5), experience + Decimal(d.between(-20, 20)).scaleb(-2)),
                logistics_score=min(Decimal(5), experience + Decimal(d.between(-20, 20)).scaleb(-2)),
                service_score=min(Decimal(5), experience + Decimal(d.between(-20, 20)).scaleb(-2)),
                good_review_rate=_permille(d.between(850, 995) if units else 0),
                bad_review_rate=_permille(d.between(2, 60) if units else 0),
                quality_return_rate=_permille(d.between(0, 40) if units else 0),
                refund_rate=_permille(d.between(*refund_band) if units else 0),
                complaint_rate=_permille(d.between(0, 15) if units else 0),
                shipped_48h_rate=_permille(d.between(700, 1000)),
                brand_registered=bool(brand and brand.registered),
                brand_authorised=brand is not None,
                flagship_shop=merchant.shop_kind in (ShopKind.FLAGSHIP, ShopKind.OFFICIAL),
                on_brand_list=bool(brand and brand.on_platform_list),
                brand_gmv_30d=Money(units * sell_price * d.between(3, 40)) if brand else Money(0),
                serious_violations_365d=1
                if merchant.last_serious_violation_on
                and (as_of.date() - merchant.last_serious_violation_on).days <= 365
                else 0,
            )
        )

    first_level = tuple(
        TeamLeader(id=TeamLeaderId(f"tl-{i:02d}"), name=f"{d.pick(('星火', '聚力', '优选', '金牌'))}团长{i}")
        for i in range(max(1, skus // 25))
    )
    second_level = tuple(
        TeamLeader(
            id=TeamLeaderId(f"tl2-{i:02d}"),
            name=f"二级团长{i}",
            level=LeaderLevel.SECOND,
            parent_id=first_level[d.below(len(first_level))].id,
        )
        for i in range(max(1, skus // 50))
    )
    influencers = tuple(
        Influencer(
            id=InfluencerId(f"kol-{i:03d}"),
            name=f"{_INFLUENCER_NAMES[i % len(_INFLUENCER_NAMES)]}{'' if i < len(_INFLUENCER_NAMES) else i}",
            fans=d.heavy(20_000_000, power=3) + d.between(1000, 50_000),
            main_category_ids=tuple(
                dict.fromkeys(CategoryId(_CATEGORIES[d.below(len(_CATEGORIES))][0]) for _ in range(d.between(1, 3)))
            ),
            level=d.between(1, 7),
            price_band_low=Money(d.between(10, 80) * 100),
            price_band_high=Money(d.between(100, 800) * 100),
            mcn_id=mcn,
            mcn_share=_permille(d.between(200, 500)) if mcn else None,
        )
        for i, mcn in ((i, f"mcn-{d.below(5)}" if d.chance(450) else None) for i in range(max(1, skus // 8)))
    )

    listings = []
    for i, (sku, snap) in enumerate(zip(sku_list, snapshots, strict=True)):
        applied = min(sku.joined_at, as_of) - timedelta(days=d.between(1, 3))
        leader = first_level[d.below(len(first_level))] if snap.team_leaders else None
        terms = ListingTerms(
            commission_rate=snap.commission_rate,
            team_leader_id=leader.id if leader else None,
            leader_fee_rate=_permille(d.between(10, 100)) if leader else None,
        )
        history = [StatusChange(ListingStatus.IN_REVIEW, applied + timedelta(hours=d.between(1, 12)))]
        review_done = history[-1].at + timedelta(hours=d.between(1, 40))
        if snap.serious_violations_365d and d.chance(500):
            history.append(StatusChange(ListingStatus.REJECTED, review_done, "serious violation in the past year"))
        else:
            history.append(StatusChange(ListingStatus.APPROVED, review_done))
            if d.chance(30):
                history.append(
                    StatusChange(
                        ListingStatus.DELISTED,
                        max(review_done, as_of - timedelta(days=1)),
                        "merchant withdrew the item",
                    )
                )
        listings.append(
            Listing(
                id=ListingId(f"l-{i:05d}"),
                sku_id=sku.id,
                terms=terms,
                applied_at=applied,
                history=tuple(history),
            )
        )

    return Catalog(
        categories=categories,
        brands=brands,
        merchants=tuple(merchants),
        skus=tuple(sku_list),
        influencers=influencers,
        team_leaders=first_level + second_level,
        listings=tuple(listings),
        snapshots=tuple(snapshots),
    )


@cache
def load_sample() -> Catalog:
    """The built-in sample catalog (package data), parsed and validated once per process."""
    from fenxiao.serialization import loads  # domain modules do not import serialization at import time

    text = resources.files("fenxiao").joinpath("data/sample_catalog.json").read_text(encoding="utf-8")
    return loads(text, Catalog)
