"""Typed identifiers.

Each kind of id is its own :func:`typing.NewType` over ``str``, so a type checker
refuses a :data:`SkuId` where a :data:`MerchantId` is expected, while at run
time they stay plain strings (cheap, JSON-friendly). Domain classes validate
them: 1-64 characters of letters, digits and ``_ . : -``.

>>> SkuId("sku-0001")
'sku-0001'
"""

from __future__ import annotations

from typing import NewType

__all__ = [
    "BrandId",
    "CategoryId",
    "InfluencerId",
    "ListingId",
    "MerchantId",
    "SkuId",
    "TeamLeaderId",
]

BrandId = NewType("BrandId", str)
CategoryId = NewType("CategoryId", str)
InfluencerId = NewType("InfluencerId", str)
ListingId = NewType("ListingId", str)
MerchantId = NewType("MerchantId", str)
SkuId = NewType("SkuId", str)
TeamLeaderId = NewType("TeamLeaderId", str)
