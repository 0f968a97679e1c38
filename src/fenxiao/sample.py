"""The built-in sample catalog and the seeded generator that made it.

:func:`load_sample` reads the catalog shipped as package data
(``fenxiao/data/sample_catalog.json``: 200 SKUs in 16 third-level categories,
with their merchants, brands, snapshots, listings, influencers and team
leaders). :func:`generate_catalog` is the seeded generator that wrote it; call
it with more SKUs for benchmarks. It draws only from
:meth:`random.Random.random`, exact integer arithmetic and correctly rounded
float products and quotients (never ``log``, ``exp`` or ``**``, whose last bit
depends on the platform's maths library), so a seed gives the same catalog on
every machine and Python version.

What makes it realistic (DOMAIN "Realistic ranges"):

- 30-day GMV per SKU is heavy-tailed (a Pareto tail with index 1 over a
  quadratic body: the top tenth of SKUs sells well over half of the GMV) and
  independent of price, so a ¥3,000 gold necklace sells a few units where a
  ¥60 bag of nuts sells hundreds;
- merchants belong to one first-level category family and mostly list goods
  there; branded SKUs carry their merchant's brand, whose platform GMV is the
  same on every snapshot of that brand and covers its SKUs' GMV;
- jewellery and health goods come from merchants holding the category
  qualification (a few do not, for admission checks to find);
- commission, refund and review rates come from per-category bands (women's
  apparel refunds 40-80%, commission mostly 15-35%, team-leader fees 1-10%);
- listings are applied for 1-4 days before the SKU joins the pool, approved at
  the moment it joins, and nothing happens after the observation time.

>>> catalog = generate_catalog(seed=7, skus=30)
>>> len(catalog.skus), len(catalog.snapshots), len(catalog.listings)
(30, 30, 30)
>>> generate_catalog(seed=7, skus=30) == catalog
True
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from decimal import Context, Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

import attrs

from fenxiao._internal.validators import require_aware, require_int
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Brand, Category, Merchant, ShopKind, Sku, Standing
from fenxiao.domain.ids import BrandId, CategoryId, InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.listings import Listing, ListingStatus, ListingTerms, StatusChange
from fenxiao.domain.people import Influencer, LeaderLevel, Mcn, McnContract, TeamLeader
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.money import Money, Rate

if TYPE_CHECKING:
    from fenxiao.settlement.orders import Order
    from fenxiao.settlement.profiles import PlatformProfile

__all__ = ["SAMPLE_AS_OF", "SAMPLE_SEED", "SAMPLE_SKUS", "generate_catalog", "generate_orders", "load_sample"]

#: China Standard Time, the platform's clock.
CST: Final = timezone(timedelta(hours=8), "CST")
#: When the sample's snapshots were observed.
SAMPLE_AS_OF: Final = datetime(2026, 11, 20, 0, 0, tzinfo=CST)
SAMPLE_SEED: Final = 20211130  # the day 好物联盟 became 快分销
SAMPLE_SKUS: Final = 200
#: The largest catalog :func:`generate_catalog` makes.
MAX_SKUS: Final = 10_000_000

# (id, path, median price in fen, refund-rate band in per-mille, commission band in per-mille)
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
#: Categories a merchant needs a qualification for (jewellery, health goods).
_QUALIFIED: Final = frozenset({"c-gold", "c-diamond", "c-vitamin"})
#: Fictional brands and the first-level category family each sells in.
_BRANDS: Final = (
    ("金禧坊", "珠宝文玩"),
    ("山野集", "食品饮料"),
    ("云朵屋", "家居日用"),
    ("花间记", "美妆护肤"),
    ("北岸", "服饰内衣"),
    ("青柠派", "食品饮料"),
    ("小满厨房", "家居日用"),
    ("星河数码", "数码家电"),
    ("暖阳母婴", "母婴用品"),
    ("金缘珠宝", "珠宝文玩"),
    ("轻跑", "运动户外"),
    ("素颜实验室", "美妆护肤"),
    ("田园优选", "食品饮料"),
    ("木子家居", "家居日用"),
    ("安心药房", "医药保健"),
    ("蓝海服饰", "服饰内衣"),
    ("清泉日化", "个护清洁"),
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
#: The scale of 30-day GMV per selling SKU, in fen (¥30,000); the median lands near half of it.
_GMV_SCALE_FEN: Final = 3_000_000
#: The largest GMV multiple drawn (¥90 million at the scale above), so a benchmark catalog stays finite.
_GMV_CAP: Final = 3000.0


class _Draw:
    """Deterministic draws built only on ``random()`` (whose sequence Python guarantees across versions)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

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

    def gmv_multiple(self) -> float:
        """A heavy-tailed multiple: v**2 / u, Pareto-tailed (P(X > x) ~ 1/x) above a body near zero, capped."""
        u = 1.0 - self._rng.random()  # (0, 1], so no division by zero
        v = self._rng.random()
        return min(_GMV_CAP, v * v / u)


@cache  # at most 1,001 values; rates are immutable, so sharing them is safe and saves most of the time
def _permille(value: int) -> Rate:
    return Rate.from_permille(max(0, min(1000, value)))


#: The sample computes its few Decimals in a context of its own, whatever the caller's.
_WIDE: Final = Context(prec=40)


def _hundredths(units: int) -> Decimal:
    """*units* hundredths, exactly: ``_hundredths(425)`` is ``Decimal('4.25')``."""
    return Decimal(units).scaleb(-2, context=_WIDE)


def _score(value: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(5), value))


@attrs.frozen
class _Shop:
    """A merchant before its qualifications are known (they follow from the SKUs it lists)."""

    merchant: Merchant
    family: str
    brand: Brand | None


def _merchants(d: _Draw, count: int, brands: tuple[Brand, ...], as_of: datetime) -> list[_Shop]:
    families = tuple(dict.fromkeys(path[0] for _, path, *_ in _CATEGORIES))
    shops = []
    for i in range(count):
        family = families[d.below(len(families))]
        kind = (ShopKind.FLAGSHIP, ShopKind.OFFICIAL, ShopKind.SPECIALTY, ShopKind.ORDINARY)[
            0 if d.chance(150) else 1 if d.chance(150) else 2 if d.chance(250) else 3
        ]
        own_brands = tuple(b for b, (_, fam) in zip(brands, _BRANDS, strict=True) if fam == family)
        branded = own_brands and (kind is not ShopKind.ORDINARY or d.chance(400))
        brand = own_brands[d.below(len(own_brands))] if branded else None
        standing = Standing.NORMAL if d.chance(930) else Standing.WARNED if d.chance(700) else Standing.RESTRICTED
        age = d.between(20, 1500)
        violation = as_of.date() - timedelta(days=d.between(10, max(10, age))) if d.chance(80) else None
        merchant = Merchant(
            id=MerchantId(f"m-{i:04d}"),
            name=(brand.name if brand else d.pick(("好货", "源头", "臻选", "邻家"))) + d.pick(_SHOP_WORDS),
            opened_on=as_of.date() - timedelta(days=age),
            shop_kind=kind,
            standing=standing,
            experience_score=_hundredths(d.between(380, 500)),
            enterprise_licence=kind is not ShopKind.ORDINARY or d.chance(500),
            brand_ids=(brand.id,) if brand else (),
            last_serious_violation_on=violation,
            counterfeit_record=d.chance(10),
        )
        shops.append(_Shop(merchant, family, brand))
    return shops


def generate_catalog(*, seed: int = SAMPLE_SEED, skus: int = SAMPLE_SKUS, as_of: datetime = SAMPLE_AS_OF) -> Catalog:
    """Generate a realistic catalog: merchants, brands, SKUs with snapshots, influencers, team leaders, listings.

    Args:
        seed: The seed; the same seed and size give the same catalog everywhere.
        skus: How many SKUs (and snapshots, and listings).
        as_of: When the snapshots are observed (timezone-aware); every time in the catalog is at or before it.

    Returns:
        A valid :class:`~fenxiao.domain.catalog.Catalog` with one snapshot and one listing per SKU,
        ``skus // 5`` merchants, ``skus // 8`` influencers and ``skus // 25 + skus // 50`` team leaders (at least
        one of each).

    Raises:
        InvalidValueError: *skus* below 1 or above 10,000,000, or a naive *as_of*.
    """
    require_int(skus, "generate_catalog.skus", 1, MAX_SKUS)
    require_aware(as_of, "generate_catalog.as_of")
    d = _Draw(seed)
    categories = tuple(Category(id=CategoryId(cid), path=path) for cid, path, *_ in _CATEGORIES)

    brands = tuple(
        Brand(id=BrandId(f"b-{i:03d}"), name=name, registered=d.chance(850), on_platform_list=d.chance(350))
        for i, (name, _) in enumerate(_BRANDS)
    )
    shops = _merchants(d, max(1, skus // 5), brands, as_of)
    shops_by_family: dict[str, list[_Shop]] = defaultdict(list)
    for shop in shops:
        shops_by_family[shop.family].append(shop)

    sku_list: list[Sku] = []
    snap_args: list[dict[str, Any]] = []
    sold_in: dict[str, set[str]] = defaultdict(set)  # merchant id -> category ids it lists
    brand_gmv: dict[str, int] = defaultdict(int)
    for i in range(skus):
        cid, path, median, refund_band, commission_band = _CATEGORIES[d.below(len(_CATEGORIES))]
        # Most goods come from a shop of their own family; a few from general stores.
        local = shops_by_family.get(path[0])
        shop = local[d.below(len(local))] if local and d.chance(850) else shops[d.below(len(shops))]
        merchant = shop.merchant
        brand = shop.brand if shop.family == path[0] else None
        sold_in[merchant.id].add(cid)
        price = Money(max(100, median * d.between(40, 220) // 100 // 10 * 10 - 10))
        shop_age = (as_of.date() - merchant.opened_on).days
        new = d.chance(120)
        days_back = d.between(0, 13) if new else d.between(14, max(14, min(400, shop_age)))
        joined = as_of - timedelta(days=days_back, hours=d.below(24))
        opened = datetime.combine(merchant.opened_on, time(10), tzinfo=as_of.tzinfo)
        if joined < opened:  # a SKU cannot join the pool before its shop opened
            joined = min(opened, as_of)
        sku_id = SkuId(f"sku-{i:05d}")
        sku_list.append(
            Sku(
                id=sku_id,
                merchant_id=merchant.id,
                category_id=CategoryId(cid),
                title=f"{d.pick(_TITLE_WORDS)}{path[2]}",
                price=price,
                joined_at=joined,
                brand_id=brand.id if brand else None,
            )
        )
        sell_price = price.fen * d.between(80, 100) // 100
        # GMV is drawn first and units follow from the price, so dear goods sell few units, cheap ones many.
        if (new and d.chance(600)) or d.chance(60):
            units = 0
        else:
            units = max(1, int(d.gmv_multiple() * _GMV_SCALE_FEN) // sell_price)
        gmv = units * sell_price
        prev_units = 0 if new else max(0, units * d.between(50, 160) // 100 + d.between(-5, 5))
        # A few established, branded goods of clean shops are stars (爆款): strong on every dimension,
        # so the sample shows the whole range of grades up to L5 精选好物.
        star = (
            not new
            and units > 0
            and brand is not None
            and brand.registered
            and brand.on_platform_list
            and merchant.last_serious_violation_on is None
            and d.chance(250)
        )
        if star:
            sell_price = price.fen * d.between(80, 86) // 100  # a real discount on the list price
            units = max(units * 3, 1000 + d.below(4000))
            gmv = units * sell_price
            prev_units = units * d.between(55, 85) // 100
        if brand is not None:
            brand_gmv[brand.id] += gmv
        experience = merchant.experience_score or Decimal("4.50")
        snap_args.append(
            {
                "sku_id": sku_id,
                "category_id": CategoryId(cid),
                "observed_at": as_of,
                "joined_at": joined,
                "price": Money(sell_price),
                "reference_price": Money(price.fen * d.between(95, 130) // 100),
                "lowest_price_30d": Money(min(sell_price, price.fen * d.between(75, 100) // 100)),
                "units_30d": units,
                "gmv_30d": Money(gmv),
                "units_prev_30d": prev_units,
                "gmv_prev_30d": Money(prev_units * sell_price),
                "repurchase_rate": _permille(d.between(0, 450) if units else 0),
                "commission_rate": _permille(d.between(*commission_band)),
                # An influencer moves ¥2,000-¥20,000 of one SKU a month.
                "promoting_influencers": 0 if units == 0 else min(5000, gmv // d.between(200_000, 2_000_000) + 1),
                "influencer_gmv_share": _permille(d.between(300, 950) if units else 0),
                "team_leaders": 0 if d.chance(400) else d.between(1, 4),
                "experience_score": experience,
                "goods_score": _score(_WIDE.add(experience, _hundredths(d.between(-20, 20)))),
                "logistics_score": _score(_WIDE.add(experience, _hundredths(d.between(-20, 20)))),
                "service_score": _score(_WIDE.add(experience, _hundredths(d.between(-20, 20)))),
                "good_review_rate": _permille(d.between(850, 995) if units else 0),
                "bad_review_rate": _permille(d.between(2, 60) if units else 0),
                "quality_return_rate": _permille(d.between(0, 40) if units else 0),
                "refund_rate": _permille(d.between(*refund_band) if units else 0),
                "complaint_rate": _permille(d.between(0, 15) if units else 0),
                "shipped_48h_rate": _permille(d.between(700, 1000)),
                "brand_registered": bool(brand and brand.registered),
                "brand_authorised": brand is not None,
                "flagship_shop": merchant.shop_kind in (ShopKind.FLAGSHIP, ShopKind.OFFICIAL),
                "on_brand_list": bool(brand and brand.on_platform_list),
                "serious_violations_365d": 1
                if merchant.last_serious_violation_on
                and (as_of.date() - merchant.last_serious_violation_on).days <= 365
                else 0,
            }
        )
        if star:
            snap_args[-1].update(
                reference_price=Money(price.fen * d.between(115, 130) // 100),
                lowest_price_30d=Money(sell_price),
                repurchase_rate=_permille(d.between(300, 500)),
                commission_rate=_permille(commission_band[1] + d.between(0, 50)),
                promoting_influencers=d.between(150, 900),
                influencer_gmv_share=_permille(d.between(850, 980)),
                team_leaders=d.between(3, 6),
                experience_score=max(experience, Decimal("4.85")),
                goods_score=Decimal("4.90"),
                logistics_score=Decimal("4.85"),
                service_score=Decimal("4.90"),
                good_review_rate=_permille(d.between(975, 998)),
                bad_review_rate=_permille(d.between(1, 8)),
                quality_return_rate=_permille(d.between(0, 5)),
                refund_rate=_permille(refund_band[0]),
                complaint_rate=_permille(d.between(0, 2)),
                shipped_48h_rate=_permille(d.between(985, 1000)),
            )

    # A brand's platform GMV is one number per brand: its SKUs here plus 2-30 times as much elsewhere.
    brand_total = {b.id: brand_gmv[b.id] * d.between(3, 31) for b in brands}
    snapshots = tuple(
        SkuSnapshot(**args, brand_gmv_30d=Money(brand_total[sku.brand_id]) if sku.brand_id else Money(0))
        for sku, args in zip(sku_list, snap_args, strict=True)
    )
    # Qualifications follow the goods: nearly every shop selling jewellery or health goods holds them.
    merchants = tuple(
        attrs.evolve(
            shop.merchant,
            qualified_category_ids=tuple(
                CategoryId(cid)
                for cid, *_ in _CATEGORIES
                if cid in _QUALIFIED and cid in sold_in[shop.merchant.id] and d.chance(950)
            ),
        )
        for shop in shops
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
        # Applied 1-4 days before joining, taken into review within 12 hours, decided when the SKU joined.
        applied = sku.joined_at - timedelta(days=d.between(1, 3), hours=d.below(24))
        leader = first_level[d.below(len(first_level))] if snap.team_leaders else None
        terms = ListingTerms(
            commission_rate=snap.commission_rate,
            team_leader_id=leader.id if leader else None,
            leader_fee_rate=_permille(d.between(10, 100)) if leader else None,
        )
        history = [StatusChange(ListingStatus.IN_REVIEW, applied + timedelta(hours=d.between(1, 12)))]
        if snap.serious_violations_365d and d.chance(500):
            history.append(StatusChange(ListingStatus.REJECTED, sku.joined_at, "serious violation in the past year"))
        else:
            history.append(StatusChange(ListingStatus.APPROVED, sku.joined_at))
            if d.chance(30):
                delisted = max(sku.joined_at, as_of - timedelta(days=d.between(0, 10)))
                history.append(StatusChange(ListingStatus.DELISTED, delisted, "merchant withdrew the item"))
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
        merchants=merchants,
        skus=tuple(sku_list),
        influencers=influencers,
        team_leaders=first_level + second_level,
        listings=tuple(listings),
        snapshots=snapshots,
        mcns=_mcns(influencers, as_of),
    )


#: Display names of the sample's MCN agencies, by the number in their id.
_MCN_NAMES: Final = ("星河传媒", "蓝海文化", "青柠互娱", "远山传媒", "白鹭文化")


def _mcns(influencers: tuple[Influencer, ...], as_of: datetime) -> tuple[Mcn, ...]:
    """The agencies the influencers name, each with one contract per signed influencer at the share it names.

    No draws: the agencies follow from the influencers, so adding them left every other sample value as it was.
    Contracts began 90-300 days before *as_of*; every third one ends 180 days after it (a fixed term), the others
    are open-ended.
    """
    signed: dict[str, list[Influencer]] = {}
    for person in influencers:
        if person.mcn_id is not None:
            signed.setdefault(person.mcn_id, []).append(person)
    result = []
    for mcn_id in sorted(signed):
        number = int(mcn_id.rsplit("-", 1)[1])
        contracts = tuple(
            McnContract(
                influencer_id=person.id,
                share=person.mcn_share if person.mcn_share is not None else Rate.zero(),
                valid_from=as_of - timedelta(days=90 + (30 * k + 70 * number) % 211),
                valid_until=as_of + timedelta(days=180) if k % 3 == 2 else None,
            )
            for k, person in enumerate(signed[mcn_id])
        )
        result.append(Mcn(id=mcn_id, name=_MCN_NAMES[number % len(_MCN_NAMES)], contracts=contracts))
    return tuple(result)


@cache
def load_sample() -> Catalog:
    """The built-in sample catalog (package data), parsed and validated once per process.

    Equal to ``generate_catalog()``; ``tools/generate_sample.py`` rewrites the file from it.
    """
    from fenxiao.serialization import loads  # domain modules do not import serialization at import time

    text = resources.files("fenxiao").joinpath("data/sample_catalog.json").read_text(encoding="utf-8")
    return loads(text, Catalog)


def generate_orders(  # noqa: PLR0913 - keyword-only knobs of a sample generator
    catalog: Catalog,
    *,
    seed: int = SAMPLE_SEED,
    count: int = 300,
    as_of: datetime = SAMPLE_AS_OF,
    profile: PlatformProfile | None = None,
    own_stream: int = 0,
) -> tuple[Order, ...]:
    """Seeded orders on a catalog's approved listings, each carried as far as *as_of* allows.

    Orders are paid over the 40 days before *as_of*; most are received a few days later and settled
    when the profile allows (received + 7 days by default); some are refunded, by units, before or
    after settlement. Deterministic for a seed, like :func:`generate_catalog`.

    *own_stream* more orders (ids ``own-…``) are the merchants' own live streams (自播): no influencer and no
    commission, carried the same way. They are drawn after, and apart from, the *count* influencer orders, which
    stay the same whatever *own_stream* is.

    >>> from fenxiao.sample import load_sample
    >>> orders = generate_orders(load_sample(), count=20)
    >>> len(orders), orders == generate_orders(load_sample(), count=20)
    (20, True)
    >>> mixed = generate_orders(load_sample(), count=20, own_stream=5)
    >>> mixed[:20] == orders, [o.own_stream for o in mixed[20:]] == [True] * 5
    (True, True)

    .. versionchanged:: 0.3
       *own_stream*.
    """
    from fenxiao.settlement.orders import Order, OrderTerms
    from fenxiao.settlement.profiles import PlatformProfile

    require_int(count, "generate_orders.count", 0, 10_000_000)
    require_int(own_stream, "generate_orders.own_stream", 0, 10_000_000)
    when = require_aware(as_of, "generate_orders.as_of")
    profile = profile if profile is not None else PlatformProfile.default()
    approved = [li for li in catalog.listings if li.status is ListingStatus.APPROVED]
    if not approved or not catalog.influencers:
        return ()
    d = _Draw(seed ^ 0x0D3E5)
    orders = []
    for i in range(count):
        listing = approved[d.below(len(approved))]
        sku = catalog.sku(listing.sku_id)
        influencer = catalog.influencers[d.below(len(catalog.influencers))]
        units = 1 + d.below(3)
        paid_at = when - timedelta(days=1 + d.below(40), minutes=d.below(24 * 60))
        terms = OrderTerms(
            commission_rate=listing.terms.commission_rate,
            leader_id=listing.terms.team_leader_id,
            leader_fee_rate=listing.terms.leader_fee_rate,
            mcn_id=influencer.mcn_id,
            mcn_share=influencer.mcn_share,
        )
        order = Order(
            id=f"o-{i:06d}",
            merchant_id=sku.merchant_id,
            sku_id=sku.id,
            influencer_id=influencer.id,
            paid=sku.price * units,
            paid_at=paid_at,
            terms=terms,
            units=units,
            shipping=Money(0) if d.chance(700) else Money(600),
            category_id=sku.category_id,
            category_level1=catalog.category(sku.category_id).level1,
        )
        orders.append(_carry(order, d, when, profile))
    own = _Draw(seed ^ 0x5E1F)
    for i in range(own_stream):
        sku = catalog.sku(approved[own.below(len(approved))].sku_id)
        units = 1 + own.below(3)
        order = Order(
            id=f"own-{i:06d}",
            merchant_id=sku.merchant_id,
            sku_id=sku.id,
            influencer_id=None,
            paid=sku.price * units,
            paid_at=when - timedelta(days=1 + own.below(40), minutes=own.below(24 * 60)),
            terms=OrderTerms(commission_rate=Rate.zero()),
            units=units,
            shipping=Money(0) if own.chance(700) else Money(600),
            category_id=sku.category_id,
            category_level1=catalog.category(sku.category_id).level1,
        )
        orders.append(_carry(order, own, when, profile))
    return tuple(orders)


def _carry(order: Order, d: _Draw, when: datetime, profile: PlatformProfile) -> Order:
    """*order*, just paid, refunded (maybe) and received and settled as far as *when* allows."""
    from fenxiao.settlement.orders import OrderStatus

    paid_at, units = order.paid_at, order.units
    refund_before = d.chance(120)
    refund_after = d.chance(60)
    if refund_before:
        at = paid_at + timedelta(hours=1 + d.below(48))
        if at <= when:
            order = order.refund(event_id="r-before", at=at, units=1)
    received = paid_at + timedelta(days=2 + d.below(4))
    if received <= when and order.status is OrderStatus.PAID:
        order = order.receive(at=received)
        due = order.settlement_due(profile)
        if due is not None and due <= when:
            order = order.settle(profile, at=due)
            after = due + timedelta(days=1 + d.below(10))
            if refund_after and after <= when and order.refunded_units < units:
                order = order.refund(event_id="r-after", at=after, units=1)
    return order
