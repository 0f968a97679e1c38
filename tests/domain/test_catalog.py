"""Catalog: the container's id checks, reference checks, lookups and latest snapshots."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Brand, Category, Merchant, Sku
from fenxiao.domain.ids import BrandId, CategoryId, InfluencerId, ListingId, MerchantId, SkuId, TeamLeaderId
from fenxiao.domain.listings import Listing, ListingStatus, ListingTerms, StatusChange
from fenxiao.domain.people import Influencer, LeaderLevel, Mcn, McnContract, TeamLeader
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate
from fenxiao.sample import load_sample

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 1, tzinfo=CST)
AS_OF = datetime(2026, 11, 20, tzinfo=CST)


def small_catalog() -> dict[str, Any]:
    """The fields of a small valid catalog: 2 categories, 2 brands, 2 merchants, 4 SKUs and the rest."""
    categories = (
        Category(id=CategoryId("c-gold"), path=("珠宝文玩", "黄金", "黄金项链")),
        Category(id=CategoryId("c-nuts"), path=("食品饮料", "休闲零食", "坚果")),
    )
    brands = (Brand(id=BrandId("b-1"), name="金禧坊"), Brand(id=BrandId("b-2"), name="山野集"))
    merchants = (
        Merchant(
            id=MerchantId("m-1"),
            name="金禧坊旗舰店",
            opened_on=date(2024, 1, 1),
            brand_ids=(BrandId("b-1"),),
            qualified_category_ids=(CategoryId("c-gold"),),
        ),
        Merchant(id=MerchantId("m-2"), name="山野集小店", opened_on=date(2025, 1, 1), brand_ids=(BrandId("b-2"),)),
    )
    skus = tuple(
        Sku(
            id=SkuId(f"sku-{i}"),
            merchant_id=MerchantId("m-1" if i < 2 else "m-2"),
            category_id=CategoryId("c-gold" if i < 2 else "c-nuts"),
            title="足金项链" if i < 2 else "每日坚果",
            price=Money.of("2999.00" if i < 2 else "59.90"),
            joined_at=T0,
            brand_id=BrandId("b-1" if i < 2 else "b-2"),
        )
        for i in range(4)
    )
    leaders = (
        TeamLeader(id=TeamLeaderId("tl-1"), name="星火团长"),
        TeamLeader(id=TeamLeaderId("tl2-1"), name="二级团长", level=LeaderLevel.SECOND, parent_id=TeamLeaderId("tl-1")),
    )
    influencers = (
        Influencer(id=InfluencerId("kol-1"), name="珠宝鉴定师", main_category_ids=(CategoryId("c-gold"),)),
        Influencer(id=InfluencerId("kol-2"), name="零食测评君", main_category_ids=(CategoryId("c-nuts"),)),
    )
    listings = tuple(
        Listing(
            id=ListingId(f"l-{i}"),
            sku_id=sku.id,
            terms=ListingTerms(
                commission_rate=Rate.of("10%"),
                team_leader_id=TeamLeaderId("tl-1") if i == 0 else None,
                leader_fee_rate=Rate.of("2%") if i == 0 else None,
            ),
            applied_at=T0 - timedelta(days=2),
            history=(
                StatusChange(ListingStatus.IN_REVIEW, T0 - timedelta(days=1)),
                StatusChange(ListingStatus.APPROVED, T0),
            ),
        )
        for i, sku in enumerate(skus)
    )
    snapshots = tuple(
        SkuSnapshot(sku_id=sku.id, category_id=sku.category_id, observed_at=AS_OF, joined_at=T0, price=sku.price)
        for sku in skus
    )
    return {
        "categories": categories,
        "brands": brands,
        "merchants": merchants,
        "skus": skus,
        "influencers": influencers,
        "team_leaders": leaders,
        "listings": listings,
        "snapshots": snapshots,
    }


def with_item(fields: dict[str, Any], collection: str, index: int, item: object) -> dict[str, Any]:
    """*fields* with *collection*[*index*] replaced by *item*."""
    items = list(fields[collection])
    items[index] = item
    return {**fields, collection: tuple(items)}


def test_an_empty_catalog_is_valid() -> None:
    """Every collection defaults to empty."""
    empty = Catalog()
    assert empty.skus == ()
    assert empty.latest_snapshots() == ()


def test_a_consistent_catalog_builds_and_looks_up_by_id() -> None:
    """Every lookup returns the object with that id."""
    catalog = Catalog(**small_catalog())
    assert catalog.category("c-nuts").level3 == "坚果"
    assert catalog.brand("b-2").name == "山野集"
    assert catalog.merchant("m-1").name == "金禧坊旗舰店"
    assert catalog.sku("sku-3").price == Money.of("59.90")
    assert catalog.influencer("kol-1").name == "珠宝鉴定师"
    assert catalog.team_leader("tl2-1").parent_id == "tl-1"
    assert catalog.listing("l-0").terms.team_leader_id == "tl-1"


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ("category", "category"),
        ("brand", "brand"),
        ("merchant", "merchant"),
        ("sku", "sku"),
        ("influencer", "influencer"),
        ("team_leader", "team leader"),
        ("listing", "listing"),
    ],
)
def test_looking_up_a_missing_id_names_what_was_sought(method: str, kind: str) -> None:
    """A missing id raises InvalidValueError (not KeyError) naming the kind and the id."""
    catalog = Catalog(**small_catalog())
    with pytest.raises(InvalidValueError, match=rf"^Catalog\.{method}: names no {kind} in the catalog, got 'nope'"):
        getattr(catalog, method)("nope")


def test_collections_given_as_lists_become_tuples() -> None:
    """Lists (as read from JSON or built in a notebook) are accepted; the catalog is hashable."""
    fields = {name: list(items) for name, items in small_catalog().items()}
    catalog = Catalog(**fields)
    assert isinstance(catalog.skus, tuple)
    assert catalog == Catalog(**small_catalog())
    assert hash(catalog) == hash(Catalog(**small_catalog()))


@pytest.mark.parametrize(
    ("collection", "index", "other"),
    [
        ("categories", 1, 0),
        ("brands", 1, 0),
        ("merchants", 1, 0),
        ("skus", 3, 0),
        ("influencers", 1, 0),
        ("team_leaders", 1, 0),
        ("listings", 2, 1),
    ],
)
def test_duplicate_ids_are_rejected_with_their_position(collection: str, index: int, other: int) -> None:
    """A second item with an id already seen is reported at its own index."""
    fields = small_catalog()
    # A copy of the earlier item itself (a renamed second-level leader would be its own parent).
    duplicate = attrs.evolve(fields[collection][other])
    dup_id = fields[collection][other].id
    with pytest.raises(
        InvalidValueError, match=rf"^Catalog\.{collection}\[{index}\]\.id: is a duplicate id, got '{re.escape(dup_id)}'"
    ):
        Catalog(**with_item(fields, collection, index, duplicate))


def dangling_cases() -> list[tuple[str, int, dict[str, Any], str]]:
    """(collection, index, changes, expected path) for every kind of reference a catalog checks."""
    return [
        ("skus", 3, {"merchant_id": "m-404"}, r"skus\[3\]\.merchant_id"),
        ("skus", 3, {"category_id": "c-404"}, r"skus\[3\]\.category_id"),
        ("skus", 2, {"brand_id": "b-404"}, r"skus\[2\]\.brand_id"),
        ("merchants", 1, {"brand_ids": ("b-2", "b-404")}, r"merchants\[1\]\.brand_ids\[1\]"),
        ("merchants", 0, {"qualified_category_ids": ("c-404",)}, r"merchants\[0\]\.qualified_category_ids\[0\]"),
        ("influencers", 1, {"main_category_ids": ("c-nuts", "c-404")}, r"influencers\[1\]\.main_category_ids\[1\]"),
        ("team_leaders", 1, {"parent_id": "tl-404"}, r"team_leaders\[1\]\.parent_id"),
        ("listings", 2, {"sku_id": "sku-404"}, r"listings\[2\]\.sku_id"),
        (
            "listings",
            1,
            {
                "terms": ListingTerms(
                    commission_rate=Rate.of("10%"), team_leader_id=TeamLeaderId("tl-404"), leader_fee_rate=Rate.of("1%")
                )
            },
            r"listings\[1\]\.terms\.team_leader_id",
        ),
        ("snapshots", 3, {"sku_id": "sku-404"}, r"snapshots\[3\]\.sku_id"),
    ]


@pytest.mark.parametrize(("collection", "index", "changes", "path"), dangling_cases())
def test_dangling_references_are_rejected_with_their_path(
    collection: str, index: int, changes: dict[str, Any], path: str
) -> None:
    """A reference to an id the catalog does not hold names its full path and the missing id."""
    fields = small_catalog()
    item = attrs.evolve(fields[collection][index], **changes)
    with pytest.raises(InvalidValueError, match=rf"^Catalog\.{path}: names no .* in the catalog, got '\w+-404'"):
        Catalog(**with_item(fields, collection, index, item))


def test_a_second_level_leader_must_work_under_a_first_level_one() -> None:
    """A parent that is itself second-level is refused."""
    fields = small_catalog()
    grandchild = TeamLeader(
        id=TeamLeaderId("tl2-2"), name="三级?", level=LeaderLevel.SECOND, parent_id=TeamLeaderId("tl2-1")
    )
    fields["team_leaders"] = (*fields["team_leaders"], grandchild)
    with pytest.raises(InvalidValueError, match=r"^Catalog\.team_leaders\[2\]\.parent_id: must name a first-level"):
        Catalog(**fields)


def test_a_snapshot_must_agree_with_its_sku_category() -> None:
    """A snapshot filed under another category than its SKU's is refused."""
    fields = small_catalog()
    wrong = attrs.evolve(fields["snapshots"][0], category_id=CategoryId("c-nuts"))
    with pytest.raises(InvalidValueError, match=r"^Catalog\.snapshots\[0\]\.category_id: differs from SKU sku-0"):
        Catalog(**with_item(fields, "snapshots", 0, wrong))


@pytest.mark.parametrize(
    ("collection", "bad", "pattern"),
    [
        ("skus", "sku-1", r"^Catalog\.skus\[0\]: must be a Sku"),
        ("brands", small_catalog()["categories"][0], r"^Catalog\.brands\[0\]: must be a Brand"),
        ("snapshots", 7, r"^Catalog\.snapshots: must be a tuple of SkuSnapshot, got 7"),
    ],
)
def test_collections_hold_only_their_own_type(collection: str, bad: object, pattern: str) -> None:
    """A wrong item type names the collection and index; a non-collection names the collection."""
    value: Any = bad if isinstance(bad, int) else (bad,)
    with pytest.raises(InvalidValueError, match=pattern):
        Catalog(**{collection: value})


def test_latest_snapshots_pick_the_newest_per_sku_in_sku_order() -> None:
    """Older snapshots are ignored; SKUs without a snapshot are skipped; order follows catalog.skus."""
    fields = small_catalog()
    old, new = fields["snapshots"][2], attrs.evolve(fields["snapshots"][2], units_30d=7, gmv_30d=Money.of("419.30"))
    older = attrs.evolve(old, observed_at=AS_OF - timedelta(days=7))
    fields["snapshots"] = (new, fields["snapshots"][3], older, fields["snapshots"][0])  # sku-1 has none
    latest = Catalog(**fields).latest_snapshots()
    assert [s.sku_id for s in latest] == ["sku-0", "sku-2", "sku-3"]
    assert latest[1].units_30d == 7


def test_latest_snapshots_keep_the_first_of_equal_times() -> None:
    """Two snapshots at the same instant: the first listed wins, deterministically."""
    fields = small_catalog()
    first = fields["snapshots"][0]
    second = attrs.evolve(first, units_30d=1, gmv_30d=Money.of("2999.00"))
    fields["snapshots"] = (first, second)
    assert Catalog(**fields).latest_snapshots() == (first,)


def test_the_lookup_index_is_not_part_of_equality_or_repr() -> None:
    """Two catalogs with the same contents are equal, and the repr shows contents only."""
    catalog = Catalog(**small_catalog())
    assert catalog == Catalog(**small_catalog())
    assert "_by_id" not in repr(Catalog())


# --- MCN agencies (issue 19: the MCN is a party with terms, and the catalog holds it) -----------------------------


def _signed(fields: dict[str, Any], mcn_id: str | None = "mcn-1") -> dict[str, Any]:
    """*fields* with kol-1 signed to *mcn_id* at 30%."""
    kol = attrs.evolve(fields["influencers"][0], mcn_id=mcn_id, mcn_share=Rate.of("30%") if mcn_id else None)
    return with_item(fields, "influencers", 0, kol)


def _agency(influencer_id: str = "kol-1", mcn_id: str = "mcn-1") -> Mcn:
    return Mcn(mcn_id, "星河传媒", (McnContract(InfluencerId(influencer_id), Rate.of("30%"), T0),))


def test_a_catalog_holds_mcn_agencies_and_looks_them_up() -> None:
    catalog = Catalog(**_signed(small_catalog()), mcns=[_agency()])
    assert catalog.mcns == (_agency(),)
    assert catalog.mcn("mcn-1").share_for("kol-1", at=AS_OF) == Rate.of("30%")
    with pytest.raises(InvalidValueError, match=r"^Catalog\.mcn: names no mcn in the catalog, got 'mcn-9'$"):
        catalog.mcn("mcn-9")


def test_without_agencies_an_mcn_id_stays_a_plain_id() -> None:
    assert Catalog(**_signed(small_catalog(), "mcn-elsewhere")).mcns == ()


def test_with_agencies_every_influencers_mcn_id_must_name_one() -> None:
    fields = _signed(_signed(small_catalog()), "mcn-1")
    kol2 = attrs.evolve(fields["influencers"][1], mcn_id="mcn-2", mcn_share=Rate.of("20%"))
    fields = with_item(fields, "influencers", 1, kol2)
    with pytest.raises(InvalidValueError, match=r"^Catalog\.influencers\[1\]\.mcn_id: names no MCN in the catalog"):
        Catalog(**fields, mcns=[_agency()])


def test_a_contract_must_name_an_influencer_of_the_catalog() -> None:
    with pytest.raises(
        InvalidValueError,
        match=r"^Catalog\.mcns\[0\]\.contracts\[0\]\.influencer_id: names no influencer in the catalog, got 'kol-9'$",
    ):
        Catalog(**_signed(small_catalog()), mcns=[_agency("kol-9")])


def test_a_contract_must_name_an_influencer_of_that_agency() -> None:
    # kol-2 names no agency: a contract of mcn-1 with kol-2 contradicts the influencer's own record.
    with pytest.raises(
        InvalidValueError,
        match=r"^Catalog\.mcns\[0\]\.contracts\[0\]\.influencer_id: is not signed to MCN 'mcn-1' in the "
        r"catalog \(its mcn_id is None\)",
    ):
        Catalog(**_signed(small_catalog()), mcns=[_agency("kol-2")])


def test_agency_ids_are_unique_and_agencies_hold_only_mcns() -> None:
    fields = _signed(small_catalog())
    with pytest.raises(InvalidValueError, match=r"^Catalog\.mcns\[1\]\.id: is a duplicate id"):
        Catalog(**fields, mcns=[_agency(), Mcn("mcn-1", "again")])
    with pytest.raises(InvalidValueError, match=r"^Catalog\.mcns\[0\]: must be a Mcn"):
        Catalog(**fields, mcns=["mcn-1"])


def test_the_sample_holds_an_agency_for_every_mcn_id_with_the_influencers_shares() -> None:
    catalog = load_sample()
    named = {i.mcn_id for i in catalog.influencers if i.mcn_id is not None}
    assert named == {m.id for m in catalog.mcns}
    assert named
    for person in catalog.influencers:
        if person.mcn_id is not None:
            assert catalog.mcn(person.mcn_id).share_for(person.id, at=catalog.snapshots[0].observed_at) == (
                person.mcn_share
            )
