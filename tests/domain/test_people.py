"""Influencer and TeamLeader: construction, every validation rule, and the cross-field rules."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.ids import CategoryId, InfluencerId, TeamLeaderId
from fenxiao.domain.people import MAX_INFLUENCER_LEVEL, Influencer, LeaderLevel, Mcn, McnContract, TeamLeader
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate


def influencer(**changes: Any) -> Influencer:
    fields: dict[str, Any] = {
        "id": InfluencerId("kol-1"),
        "name": "周周珍可爱",
        "fans": 1_200_000,
        "main_category_ids": (CategoryId("c-dress"), CategoryId("c-tshirt")),
        "level": 5,
        "price_band_low": Money.of("30.00"),
        "price_band_high": Money.of("300.00"),
        "mcn_id": "mcn-1",
        "mcn_share": Rate.of("30%"),
    }
    return Influencer(**{**fields, **changes})


def leader(**changes: Any) -> TeamLeader:
    fields: dict[str, Any] = {"id": TeamLeaderId("tl-01"), "name": "星火团长"}
    return TeamLeader(**{**fields, **changes})


# -- Influencer --------------------------------------------------------------------------------------


def test_an_influencer_needs_only_an_id_and_a_name() -> None:
    """Defaults: no fans, no main categories, level 0, no price band, no MCN."""
    plain = Influencer(id=InfluencerId("kol-2"), name="新人")
    assert (plain.fans, plain.level, plain.main_category_ids) == (0, 0, ())
    assert plain.price_band_low is None
    assert plain.price_band_high is None
    assert plain.mcn_id is None
    assert plain.mcn_share is None


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("id", "kol 1"),
        ("name", ""),
        ("name", "x" * 201),
        ("fans", -1),
        ("fans", 1.5),
        ("fans", True),
        ("fans", "100"),
        ("level", -1),
        ("level", MAX_INFLUENCER_LEVEL + 1),
        ("level", False),
        ("main_category_ids", "c-dress"),
        ("price_band_low", Money(-100)),
        ("price_band_low", 30),
        ("price_band_high", "300"),
        ("mcn_id", "mcn 1"),
        ("mcn_share", 0.3),
        ("mcn_share", "30%"),
    ],
)
def test_every_influencer_field_is_validated(field: str, bad: object) -> None:
    """Each invalid field raises InvalidValueError naming Influencer.<field> and the bad value."""
    with pytest.raises(InvalidValueError, match=rf"^Influencer\.{field}: .*got {re.escape(repr(bad)[:40])}"):
        influencer(**{field: bad})


def test_main_categories_name_the_bad_entry() -> None:
    """A repeated main category is reported at its index."""
    with pytest.raises(InvalidValueError, match=r"^Influencer\.main_category_ids\[1\]: is listed twice"):
        influencer(main_category_ids=["c-dress", "c-dress"])


@pytest.mark.parametrize("level", [0, MAX_INFLUENCER_LEVEL])
def test_influencer_levels_include_both_ends(level: int) -> None:
    """Levels 0 and the maximum are valid."""
    assert influencer(level=level).level == level


def test_a_price_band_may_be_a_single_price() -> None:
    """Low equal to high is a valid (narrow) band; either end may be missing."""
    assert influencer(price_band_low=Money.of("99.00"), price_band_high=Money.of("99.00")).price_band_low
    assert influencer(price_band_low=None).price_band_high == Money.of("300.00")
    assert influencer(price_band_high=None).price_band_low == Money.of("30.00")


def test_a_price_band_must_not_be_upside_down() -> None:
    """A high end below the low end is refused at Influencer.price_band_high."""
    with pytest.raises(InvalidValueError, match=r"^Influencer\.price_band_high: must not be below ¥300\.00"):
        influencer(price_band_low=Money.of("300.00"), price_band_high=Money.of("299.99"))


def test_a_price_band_must_be_in_one_currency() -> None:
    """Mixing currencies across the band is refused rather than compared."""
    with pytest.raises(InvalidValueError, match=r"^Influencer\.price_band_high: must be in CNY"):
        influencer(price_band_high=Money(30000, "USD"))


@pytest.mark.parametrize(
    ("mcn_id", "mcn_share"),
    [("mcn-1", None), (None, Rate.of("30%"))],
)
def test_an_mcn_share_goes_with_an_mcn(mcn_id: str | None, mcn_share: Rate | None) -> None:
    """mcn_share is given exactly when mcn_id is; a share without an agency (or the reverse) is refused."""
    with pytest.raises(InvalidValueError, match=r"^Influencer\.mcn_share: must be given exactly when mcn_id"):
        influencer(mcn_id=mcn_id, mcn_share=mcn_share)


def test_an_influencer_without_an_mcn_keeps_all_its_commission() -> None:
    """No agency, no share."""
    solo = influencer(mcn_id=None, mcn_share=None)
    assert solo.mcn_id is None


@given(
    low=st.integers(min_value=0, max_value=10**9),
    high=st.integers(min_value=0, max_value=10**9),
)
def test_a_price_band_is_valid_exactly_when_it_is_ordered(low: int, high: int) -> None:
    """For any two amounts, the band is accepted if and only if low <= high."""
    if low <= high:
        assert influencer(price_band_low=Money(low), price_band_high=Money(high)).price_band_high == Money(high)
    else:
        with pytest.raises(InvalidValueError, match=r"Influencer\.price_band_high"):
            influencer(price_band_low=Money(low), price_band_high=Money(high))


# -- TeamLeader --------------------------------------------------------------------------------------


def test_a_team_leader_is_first_level_by_default() -> None:
    """A first-level leader runs its own activities and has no parent."""
    first = leader()
    assert first.level is LeaderLevel.FIRST
    assert first.parent_id is None


def test_a_second_level_leader_works_under_a_first_level_one() -> None:
    """A second-level leader names its parent."""
    second = leader(id=TeamLeaderId("tl2-01"), level=LeaderLevel.SECOND, parent_id=TeamLeaderId("tl-01"))
    assert second.parent_id == "tl-01"


@pytest.mark.parametrize(
    ("field", "bad"),
    [("id", ""), ("name", " "), ("level", "first"), ("level", 1), ("parent_id", "tl 01")],
)
def test_every_team_leader_field_is_validated(field: str, bad: object) -> None:
    """Each invalid field raises InvalidValueError naming TeamLeader.<field> and the bad value."""
    changes: dict[str, Any] = {field: bad}
    if field == "parent_id":
        changes["level"] = LeaderLevel.SECOND
    with pytest.raises(InvalidValueError, match=rf"^TeamLeader\.{field}: .*got {re.escape(repr(bad)[:40])}"):
        leader(**changes)


def test_a_second_level_leader_needs_a_parent() -> None:
    """Without a parent a second-level leader is refused."""
    with pytest.raises(InvalidValueError, match=r"^TeamLeader\.parent_id: a second-level leader needs a parent_id"):
        leader(level=LeaderLevel.SECOND)


def test_a_first_level_leader_has_no_parent() -> None:
    """A parent on a first-level leader is refused and shown."""
    with pytest.raises(
        InvalidValueError, match=r"^TeamLeader\.parent_id: a first-level leader has no parent, got 'tl-02'"
    ):
        leader(parent_id=TeamLeaderId("tl-02"))


def test_a_leader_is_not_its_own_parent() -> None:
    """A second-level leader naming itself as parent is refused."""
    with pytest.raises(InvalidValueError, match=r"^TeamLeader\.parent_id: must not be the leader itself"):
        leader(id=TeamLeaderId("tl2-01"), level=LeaderLevel.SECOND, parent_id=TeamLeaderId("tl2-01"))


# -- MCN agencies (issue 19) ----------------------------------------------------------------------------------

_JAN = datetime(2026, 1, 1, tzinfo=UTC)
_JUL = datetime(2026, 7, 1, tzinfo=UTC)


def test_an_mcn_is_a_party_whose_contracts_set_its_share_over_time() -> None:
    """The agency's share follows its contract in force: 30% in the first half year, 40% after, none before."""
    mcn = Mcn(
        id="mcn-1",
        name="星河传媒",
        contracts=(
            McnContract(InfluencerId("kol-1"), Rate.of("30%"), _JAN, _JUL),
            McnContract(InfluencerId("kol-1"), Rate.of("40%"), _JUL),
        ),
    )
    assert mcn.share_for("kol-1", at=_JAN) == Rate.of("30%")
    assert mcn.share_for("kol-1", at=_JUL) == Rate.of("40%")
    assert mcn.share_for("kol-1", at=_JAN - timedelta(seconds=1)) is None
    assert mcn.share_for("kol-2", at=_JUL) is None


def test_an_influencers_contracts_with_one_mcn_may_not_overlap() -> None:
    """Two contracts in force at once would leave the share ambiguous: refused with the place named."""
    with pytest.raises(InvalidValueError, match=r"Mcn\.contracts\[1\]\.valid_from: overlaps another contract"):
        Mcn(
            id="mcn-1",
            name="星河传媒",
            contracts=(
                McnContract(InfluencerId("kol-1"), Rate.of("30%"), _JAN, _JUL),
                McnContract(InfluencerId("kol-1"), Rate.of("40%"), _JUL - timedelta(days=1)),
            ),
        )
    with pytest.raises(InvalidValueError, match=r"McnContract\.valid_until: must be after valid_from"):
        McnContract(InfluencerId("kol-1"), Rate.of("30%"), _JUL, _JAN)


@given(
    bounds=st.lists(st.integers(0, 365), min_size=2, max_size=6, unique=True).map(sorted),
    day=st.integers(-10, 400),
)
def test_at_most_one_contract_holds_at_any_moment_and_share_for_reads_it(bounds: list[int], day: int) -> None:
    """Back-to-back contracts: the share at any moment is that of the one contract whose window holds it."""
    contracts = tuple(
        McnContract(
            InfluencerId("kol-1"), Rate.from_ppm(i * 10_000), _JAN + timedelta(days=a), _JAN + timedelta(days=b)
        )
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
    )
    mcn = Mcn(id="mcn-1", name="机构", contracts=contracts)
    at = _JAN + timedelta(days=day)
    holding = [c for c in contracts if c.in_force(at)]
    assert len(holding) <= 1
    assert mcn.share_for("kol-1", at=at) == (holding[0].share if holding else None)
