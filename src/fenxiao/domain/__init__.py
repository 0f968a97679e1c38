"""The domain: goods, people, listings, snapshots and the catalog that holds them.

Every type here is a frozen, validated attrs class; the modules hold one concept each:

- :mod:`fenxiao.domain.ids`: typed ids (``SkuId``, ``MerchantId``, ...).
- :mod:`fenxiao.domain.goods`: the category tree, brands, merchants and SKUs.
- :mod:`fenxiao.domain.people`: influencers (达人), their MCN agencies and team leaders (招商团长).
- :mod:`fenxiao.domain.listings`: an SKU offered in the selection pool, its terms and lifecycle.
- :mod:`fenxiao.domain.snapshots`: what was observed about an SKU at one moment.
- :mod:`fenxiao.domain.catalog`: all of the above, cross-checked (:class:`Catalog`).
"""

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Brand, Category, Merchant, ShopKind, Sku, Standing
from fenxiao.domain.ids import BrandId, CategoryId, InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.listings import LISTING_TRANSITIONS, Listing, ListingStatus, ListingTerms, StatusChange
from fenxiao.domain.people import Influencer, LeaderLevel, Mcn, McnContract, TeamLeader
from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot

__all__ = [
    "LISTING_TRANSITIONS",
    "METRIC_FIELDS",
    "Brand",
    "BrandId",
    "Catalog",
    "Category",
    "CategoryId",
    "Influencer",
    "InfluencerId",
    "LeaderLevel",
    "Listing",
    "ListingId",
    "ListingStatus",
    "ListingTerms",
    "Mcn",
    "McnContract",
    "Merchant",
    "MerchantId",
    "ShopKind",
    "Sku",
    "SkuId",
    "SkuSnapshot",
    "Standing",
    "StatusChange",
    "TeamLeader",
    "TeamLeaderId",
]
