"""A whole catalog in one value: :class:`Catalog`, what CLI commands read as a CATALOG file.

A catalog holds categories, brands, merchants, SKUs, influencers, team leaders,
listings, snapshots and MCN agencies, checks that ids are unique and that every reference
points at something it holds, and offers lookups by id.

>>> from fenxiao.sample import load_sample
>>> catalog = load_sample()
>>> len(catalog.skus) >= 200
True
>>> catalog.merchant(catalog.skus[0].merchant_id).id == catalog.skus[0].merchant_id
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from fenxiao._internal import html
from fenxiao._internal import validators as v
from fenxiao.domain.goods import Brand, Category, Merchant, Sku
from fenxiao.domain.listings import Listing
from fenxiao.domain.people import Influencer, LeaderLevel, Mcn, TeamLeader
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError

__all__ = ["Catalog"]

T = TypeVar("T")


def _index(items: Iterable[T], key: Callable[[T], str], path: str) -> dict[str, T]:
    result: dict[str, T] = {}
    for i, item in enumerate(items):
        k = key(item)
        if k in result:
            raise InvalidValueError(f"Catalog.{path}[{i}].id", k, "is a duplicate id")
        result[k] = item
    return result


def _refs(
    items: Iterable[Any],
    field: str,
    known: Mapping[str, object],
    path: str,
    what: str,
    optional: bool = False,
) -> None:
    for i, item in enumerate(items):
        ref = getattr(item, field)
        if ref is None and optional:
            continue
        if ref not in known:
            raise InvalidValueError(f"Catalog.{path}[{i}].{field}", ref, f"names no {what} in the catalog")


def _items_of(kind: type[Any]) -> v.Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        path = f"Catalog.{attribute.name}"
        if not isinstance(value, tuple):
            raise InvalidValueError(path, value, f"must be a tuple of {kind.__name__}")
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                raise InvalidValueError(f"{path}[{i}]", item, f"must be a {kind.__name__}")

    return check


def _check_mcns(mcns: tuple[Mcn, ...], people: tuple[Influencer, ...], influencers: Mapping[str, Influencer]) -> None:
    """Contracts name influencers of the agency; with any agency, every ``mcn_id`` names one."""
    for i, mcn in enumerate(mcns):
        for j, contract in enumerate(mcn.contracts):
            path = f"Catalog.mcns[{i}].contracts[{j}].influencer_id"
            person = influencers.get(contract.influencer_id)
            if person is None:
                raise InvalidValueError(path, contract.influencer_id, "names no influencer in the catalog")
            if person.mcn_id != mcn.id:
                raise InvalidValueError(
                    path,
                    contract.influencer_id,
                    f"is not signed to MCN {mcn.id!r} in the catalog (its mcn_id is {person.mcn_id!r})",
                )
    if mcns:
        ids = {m.id for m in mcns}
        for i, person in enumerate(people):
            if person.mcn_id is not None and person.mcn_id not in ids:
                raise InvalidValueError(
                    f"Catalog.influencers[{i}].mcn_id", person.mcn_id, "names no MCN in the catalog"
                )


@attrs.frozen
class Catalog:
    """Everything about a set of goods and the people around them, cross-checked.

    Every collection is a tuple (lists are converted) and defaults to empty.

    Args:
        categories: Third-level categories.
        brands: Brands.
        merchants: Shops; their ``brand_ids`` and ``qualified_category_ids`` must name brands and categories here.
        skus: Products; ``merchant_id``, ``category_id`` and ``brand_id`` must name entries here.
        influencers: Promoters; their ``main_category_ids`` must name categories here.
        team_leaders: Leaders; a ``parent_id`` must name a first-level leader here.
        listings: Pool listings; ``sku_id`` and ``terms.team_leader_id`` must name entries here.
        snapshots: Observations; ``sku_id`` must name an SKU here, ``category_id`` must be that SKU's.
        mcns: MCN agencies (MCN机构) with their contracts. Each contract's ``influencer_id`` must name an influencer
            here whose ``mcn_id`` is that agency. When the catalog holds any agency, every influencer's ``mcn_id``
            must name one of them; a catalog without agencies keeps ``mcn_id`` as a plain id (as before 0.3).

    .. versionchanged:: 0.3
       ``mcns``.

    Raises:
        InvalidValueError: A wrong item type, a duplicate id (``Catalog.skus[3].id``), or a reference to
            nothing (``Catalog.skus[3].merchant_id``).
    """

    categories: tuple[Category, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_items_of(Category))
    brands: tuple[Brand, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_items_of(Brand))
    merchants: tuple[Merchant, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_items_of(Merchant))
    skus: tuple[Sku, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_items_of(Sku))
    influencers: tuple[Influencer, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_items_of(Influencer))
    team_leaders: tuple[TeamLeader, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=_items_of(TeamLeader)
    )
    listings: tuple[Listing, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_items_of(Listing))
    snapshots: tuple[SkuSnapshot, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_items_of(SkuSnapshot))
    mcns: tuple[Mcn, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_items_of(Mcn))
    _by_id: dict[str, dict[str, Any]] = attrs.field(init=False, repr=False, eq=False)

    def __repr__(self) -> str:
        """A one-line repr of what identifies the value (its full form is long; ``attrs.asdict`` has it all)."""
        return html.short_repr(
            self,
            skus=len(self.skus),
            merchants=len(self.merchants),
            brands=len(self.brands),
            categories=len(self.categories),
            influencers=len(self.influencers),
            team_leaders=len(self.team_leaders),
            listings=len(self.listings),
            snapshots=len(self.snapshots),
            mcns=len(self.mcns),
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer: the short repr."""
        html.pretty(self, printer, cycle)

    def __attrs_post_init__(self) -> None:
        cats = _index(self.categories, lambda c: c.id, "categories")
        brands = _index(self.brands, lambda b: b.id, "brands")
        merchants = _index(self.merchants, lambda m: m.id, "merchants")
        skus = _index(self.skus, lambda s: s.id, "skus")
        influencers = _index(self.influencers, lambda i: i.id, "influencers")
        leaders = _index(self.team_leaders, lambda t: t.id, "team_leaders")
        listings = _index(self.listings, lambda li: li.id, "listings")
        for i, merchant in enumerate(self.merchants):
            for j, brand_ref in enumerate(merchant.brand_ids):
                if brand_ref not in brands:
                    raise InvalidValueError(
                        f"Catalog.merchants[{i}].brand_ids[{j}]", brand_ref, "names no brand in the catalog"
                    )
            for j, qual_ref in enumerate(merchant.qualified_category_ids):
                if qual_ref not in cats:
                    raise InvalidValueError(
                        f"Catalog.merchants[{i}].qualified_category_ids[{j}]",
                        qual_ref,
                        "names no category in the catalog",
                    )
        _refs(self.skus, "merchant_id", merchants, "skus", "merchant")
        _refs(self.skus, "category_id", cats, "skus", "category")
        _refs(self.skus, "brand_id", brands, "skus", "brand", optional=True)
        for i, influencer in enumerate(self.influencers):
            for j, main_ref in enumerate(influencer.main_category_ids):
                if main_ref not in cats:
                    raise InvalidValueError(
                        f"Catalog.influencers[{i}].main_category_ids[{j}]",
                        main_ref,
                        "names no category in the catalog",
                    )
        _refs(self.team_leaders, "parent_id", leaders, "team_leaders", "team leader", optional=True)
        for i, leader in enumerate(self.team_leaders):
            if leader.parent_id is not None and leaders[leader.parent_id].level is not LeaderLevel.FIRST:
                raise InvalidValueError(
                    f"Catalog.team_leaders[{i}].parent_id", leader.parent_id, "must name a first-level leader"
                )
        _refs(self.listings, "sku_id", skus, "listings", "SKU")
        for i, listing in enumerate(self.listings):
            leader_ref = listing.terms.team_leader_id
            if leader_ref is not None and leader_ref not in leaders:
                raise InvalidValueError(
                    f"Catalog.listings[{i}].terms.team_leader_id", leader_ref, "names no team leader in the catalog"
                )
        _refs(self.snapshots, "sku_id", skus, "snapshots", "SKU")
        for i, snap in enumerate(self.snapshots):
            if snap.category_id != skus[snap.sku_id].category_id:
                raise InvalidValueError(
                    f"Catalog.snapshots[{i}].category_id",
                    snap.category_id,
                    f"differs from SKU {snap.sku_id}'s category",
                )
        mcns = _index(self.mcns, lambda m: m.id, "mcns")
        _check_mcns(self.mcns, self.influencers, influencers)
        object.__setattr__(
            self,
            "_by_id",
            {
                "category": cats,
                "brand": brands,
                "merchant": merchants,
                "sku": skus,
                "influencer": influencers,
                "team_leader": leaders,
                "listing": listings,
                "mcn": mcns,
            },
        )

    def _get(self, kind: str, id_: str) -> Any:
        try:
            return self._by_id[kind][id_]
        except (KeyError, TypeError):  # TypeError: an unhashable id, e.g. a list
            raise InvalidValueError(
                f"Catalog.{kind}", id_, f"names no {kind.replace('_', ' ')} in the catalog"
            ) from None

    def category(self, id_: str) -> Category:
        """The category with this id. Raises :class:`InvalidValueError` if there is none."""
        result: Category = self._get("category", id_)
        return result

    def brand(self, id_: str) -> Brand:
        """The brand with this id."""
        result: Brand = self._get("brand", id_)
        return result

    def merchant(self, id_: str) -> Merchant:
        """The merchant with this id."""
        result: Merchant = self._get("merchant", id_)
        return result

    def sku(self, id_: str) -> Sku:
        """The SKU with this id."""
        result: Sku = self._get("sku", id_)
        return result

    def influencer(self, id_: str) -> Influencer:
        """The influencer with this id."""
        result: Influencer = self._get("influencer", id_)
        return result

    def team_leader(self, id_: str) -> TeamLeader:
        """The team leader with this id."""
        result: TeamLeader = self._get("team_leader", id_)
        return result

    def listing(self, id_: str) -> Listing:
        """The listing with this id."""
        result: Listing = self._get("listing", id_)
        return result

    def mcn(self, id_: str) -> Mcn:
        """The MCN agency with this id.

        .. versionadded:: 0.3
        """
        result: Mcn = self._get("mcn", id_)
        return result

    def latest_snapshots(self) -> tuple[SkuSnapshot, ...]:
        """The newest snapshot of each SKU that has one, in SKU order."""
        latest: dict[str, SkuSnapshot] = {}
        for snap in self.snapshots:
            current = latest.get(snap.sku_id)
            if current is None or snap.observed_at > current.observed_at:
                latest[snap.sku_id] = snap
        return tuple(latest[s.id] for s in self.skus if s.id in latest)
