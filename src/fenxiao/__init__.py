"""fenxiao (分销): the rules core of an e-commerce affiliate distribution program."""

from fenxiao._version import __version__
from fenxiao.catalog import Brand, Category, Merchant, ShopKind, Sku, Standing
from fenxiao.dataset import Catalog
from fenxiao.errors import (
    CurrencyMismatchError,
    FenxiaoError,
    InvalidValueError,
    PluginError,
    PolicyError,
    RuleError,
    TransitionError,
    ValidationError,
)
from fenxiao.ids import BrandId, CategoryId, InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
from fenxiao.influencers import Influencer, LeaderLevel, TeamLeader
from fenxiao.listings import Listing, ListingStatus, ListingTerms, StatusChange
from fenxiao.money import Money, Rate, Rounding
from fenxiao.snapshots import SkuSnapshot

__all__ = [
    "Brand",
    "BrandId",
    "Catalog",
    "Category",
    "CategoryId",
    "CurrencyMismatchError",
    "FenxiaoError",
    "Influencer",
    "InfluencerId",
    "InvalidValueError",
    "LeaderLevel",
    "Listing",
    "ListingId",
    "ListingStatus",
    "ListingTerms",
    "Merchant",
    "MerchantId",
    "Money",
    "PluginError",
    "PolicyError",
    "Rate",
    "Rounding",
    "RuleError",
    "ShopKind",
    "Sku",
    "SkuId",
    "SkuSnapshot",
    "Standing",
    "StatusChange",
    "TeamLeader",
    "TeamLeaderId",
    "TransitionError",
    "ValidationError",
    "__version__",
]
