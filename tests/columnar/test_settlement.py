"""Columnar settlement: equal to the object split on every line of every order, and its bounds checked."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.columnar.settlement import LINE_COLUMNS, order_columns, settle_columns
from fenxiao.domain.ids import TeamLeaderId
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Money, Rate, Rounding
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.orders import Order, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, split
from fenxiao.settlement.steps import CommissionStep, StepMode
from fenxiao.testing.commission import commission_steps, order_histories, order_terms, orders, platform_profiles

from .. import builders

# First-level names: none, ones the default and drawn profiles have rules for, one without.
_LEVEL1 = (None, "珠宝文玩", "c-special", "食品饮料")
# (rate in ppm, modulus, residue): a paid amount ≡ residue (mod modulus) times the rate ends in exactly half a fen.
_HALVES = ((500_000, 2, 1), (250_000, 4, 2), (100_000, 10, 5), (50_000, 20, 10), (125_000, 8, 4))


@st.composite
def _half_fen_orders(draw: st.DrawFn, profile: PlatformProfile) -> Order:
    """Orders whose commission is exactly a whole number of fen and a half, where rounding modes differ."""
    ppm, modulus, residue = draw(st.sampled_from(_HALVES))
    paid = st.integers(0, 10**5).map(lambda k: Money(k * modulus + residue))
    terms = order_terms(profile=profile, steps=False).map(
        lambda t: attrs.evolve(t, commission_rate=Rate.from_ppm(ppm), tech_fee_rate=Rate.from_ppm(ppm // 10))
    )
    return draw(order_histories(profile=profile, order=orders(profile=profile, terms=terms, paid=paid)))


def _profiles() -> st.SearchStrategy[PlatformProfile]:
    return st.one_of(platform_profiles(), st.sampled_from((PlatformProfile.douyin(), PlatformProfile.kuaishou())))


def _rows(columns: dict[str, Any], index: list[int]) -> dict[str, Any]:
    return {name: values[index] for name, values in columns.items()}


def _expected(order: Order, profile: PlatformProfile) -> dict[str, int] | PolicyError:
    try:
        result = split(order, profile)
    except PolicyError as exc:
        return exc
    lines = {f"{party.value}_fen": result.amount(party).fen for party in Party}
    lines.update(base_fen=result.base.fen, commission_fen=result.commission.fen, total_in_fen=result.total_in.fen)
    return lines


@given(data=st.data())
def test_columnar_settlement_equals_the_object_split_on_every_line(data: st.DataObject) -> None:
    """Every line, base and commission of every order equals split(); a rate the profile refuses raises alike."""
    profile = data.draw(_profiles())
    steps: tuple[CommissionStep, ...] = data.draw(st.just(()) | commission_steps(max_ppm=profile.commission_max.ppm))
    mode = data.draw(st.sampled_from(StepMode))
    drawn = data.draw(st.lists(order_histories(profile=profile) | _half_fen_orders(profile), min_size=1, max_size=10))
    kinds = data.draw(st.lists(st.none() | st.sampled_from(PlanKind), min_size=len(drawn), max_size=len(drawn)))
    level1 = data.draw(st.lists(st.sampled_from(_LEVEL1), min_size=len(drawn), max_size=len(drawn)))
    batch = [
        attrs.evolve(o, terms=attrs.evolve(o.terms, steps=steps, step_mode=mode, plan_kind=k), category_level1=l1)
        for o, k, l1 in zip(drawn, kinds, level1, strict=True)
    ]
    expected = [_expected(o, profile) for o in batch]
    columns = order_columns(batch)
    good = [i for i, e in enumerate(expected) if not isinstance(e, PolicyError)]
    result = settle_columns(_rows(columns, good), profile, steps=steps, step_mode=mode)
    for row, i in enumerate(good):
        assert {name: int(result[name][row]) for name in expected[i]} == expected[i]  # type: ignore[union-attr]
    bad = [i for i, e in enumerate(expected) if isinstance(e, PolicyError)]
    if bad:
        with pytest.raises(PolicyError) as caught:
            settle_columns(_rows(columns, bad[:1]), profile, steps=steps, step_mode=mode)
        assert caught.value.problem == expected[bad[0]].problem  # type: ignore[union-attr]


def test_every_half_fen_rounds_by_the_profiles_mode() -> None:
    """One fen at 50% is half a fen: zero under DOWN and HALF_EVEN, one fen under HALF_UP, as in split()."""
    columns = {"paid_fen": np.array([1, 3, 5]), "commission_ppm": np.array([500_000] * 3)}
    commission = {
        mode: settle_columns(columns, PlatformProfile(rounding=mode))["commission_fen"].tolist()
        for mode in (Rounding.DOWN, Rounding.HALF_UP, Rounding.HALF_EVEN)
    }
    assert commission == {Rounding.DOWN: [0, 1, 2], Rounding.HALF_UP: [1, 2, 3], Rounding.HALF_EVEN: [0, 2, 2]}


def test_the_lines_of_every_row_add_up_to_what_came_in() -> None:
    """Conservation: the line columns of every row sum to total_in_fen."""
    rng = np.random.default_rng(7)
    n = 10_000
    paid = rng.integers(1, 10**7, n)
    columns = {
        "paid_fen": paid,
        "commission_ppm": rng.integers(0, 600_000, n),
        "shipping_fen": rng.integers(0, 2_000, n),
        "subsidy_fen": rng.integers(0, 3_000, n),
        "refunded_fen": np.minimum(paid, rng.integers(0, 10**7, n)),
        "leader_fee_ppm": np.ma.masked_array(rng.integers(0, 200_000, n), mask=rng.random(n) < 0.5),
        "mcn_share_ppm": np.ma.masked_array(rng.integers(0, 500_000, n), mask=rng.random(n) < 0.5),
    }
    result = settle_columns(columns, PlatformProfile(rounding=Rounding.HALF_EVEN), chunk_size=999)
    assert (sum(result[c] for c in LINE_COLUMNS) == result["total_in_fen"]).all()
    assert min(int(result[c].min()) for c in LINE_COLUMNS) >= 0


def test_amounts_past_int64_products_are_still_exact() -> None:
    """A ¥9 trillion order (its products leave int64) splits exactly as the object path does."""
    huge = 900_000_000_000_000
    columns = {"paid_fen": np.array([huge, 9990]), "commission_ppm": np.array([333_333, 200_000])}
    result = settle_columns(columns, steps=[CommissionStep(Money(10**12), Rate.of("40%"))], step_mode=StepMode.MARGINAL)
    terms = OrderTerms(
        Rate.from_ppm(333_333), steps=(CommissionStep(Money(10**12), Rate.of("40%")),), step_mode=StepMode.MARGINAL
    )
    assert (
        int(result["commission_fen"][0])
        == split(builders.order(Money(huge), terms=terms), PlatformProfile()).commission.fen
    )


def test_a_refund_beyond_what_was_paid_names_its_row() -> None:
    """Bounds are checked with the column and the row in the message."""
    columns = {"paid_fen": np.array([100, 100]), "commission_ppm": np.array([0, 0]), "refunded_fen": [0, 101]}
    with pytest.raises(InvalidValueError, match=r"orders\.refunded_fen\[1\]: exceeds what was paid"):
        settle_columns(columns)


def test_a_rate_past_one_million_ppm_is_refused() -> None:
    """A commission above 100% is out of bounds before any rule is looked at."""
    with pytest.raises(InvalidValueError, match=r"orders\.commission_ppm\[0\]: must be between 0 and 1000000"):
        settle_columns({"paid_fen": [100], "commission_ppm": [1_000_001]})


def test_a_missing_required_column_is_named() -> None:
    """Without a commission rate there is nothing to split."""
    with pytest.raises(InvalidValueError, match=r"orders\.commission_ppm: is a required column"):
        settle_columns({"paid_fen": [100]})


def test_a_second_level_fee_above_the_first_is_refused() -> None:
    """The second-level fee is paid out of the first-level one, so it cannot exceed it."""
    columns = {
        "paid_fen": [100],
        "commission_ppm": [100_000],
        "leader_fee_ppm": [10_000],
        "second_leader_fee_ppm": [20_000],
    }
    with pytest.raises(InvalidValueError, match=r"second_leader_fee_ppm\[0\]: must not exceed"):
        settle_columns(columns)


def test_the_category_floor_names_the_row_like_split_does() -> None:
    """Jewellery needs 5% commission: the columnar error carries split()'s own message and the row."""
    columns = {"paid_fen": [100, 100], "commission_ppm": [50_000, 10_000], "category_id": ["珠宝文玩", "珠宝文玩"]}
    with pytest.raises(PolicyError, match=r"orders\[1\]\.commission_ppm: is below the minimum commission for category"):
        settle_columns(columns)


def test_progress_is_reported_after_each_chunk() -> None:
    """The callback sees the rows done so far and the total, ending at the total."""
    seen: list[tuple[int, int]] = []
    settle_columns(
        {"paid_fen": [100] * 5, "commission_ppm": [0] * 5}, chunk_size=2, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_no_result_column_is_an_input_array() -> None:
    """Every line is a column of its own: changing a result never changes the caller's inputs (one chunk or many)."""
    columns = {
        "paid_fen": np.array([1000, 2000]),
        "commission_ppm": np.array([100_000, 200_000]),
        "refunded_fen": np.array([100, 0]),
        "shipping_fen": np.array([0, 500]),
    }
    for chunk in (1 << 20, 1):
        result = settle_columns(columns, chunk_size=chunk)
        for name, values in result.items():
            for input_name, array in columns.items():
                assert not np.shares_memory(values, array), (name, input_name)


@pytest.mark.parametrize("rounding", [Rounding.DOWN, Rounding.HALF_EVEN])
def test_rows_past_int64_products_take_the_exact_path_line_by_line(rounding: Rounding) -> None:
    """Beside ordinary rows, orders whose products leave int64 (¥9 trillion, a large subsidy) split as split() does."""
    terms = OrderTerms(
        Rate.of("33.3333%"),
        leader_id=TeamLeaderId("tl"),
        leader_fee_rate=Rate.of("5%"),
        second_leader_id=TeamLeaderId("tl2"),
        second_leader_fee_rate=Rate.of("2%"),
        mcn_id="mcn",
        mcn_share=Rate.of("30%"),
    )
    batch = [
        builders.order(Money(paid), id=f"o{i}", subsidy=Money(subsidy), shipping=Money(shipping), terms=terms)
        for i, (paid, subsidy, shipping) in enumerate(
            [(900_000_000_000_000, 12_345, 0), (9990, 0, 800), (4_000_000_000, 3_000_000_000, 7), (1, 0, 0)]
        )
    ]
    profile = PlatformProfile(rounding=rounding)
    result = settle_columns(order_columns(batch), profile)
    for i, one in enumerate(batch):
        expected = split(one, profile)
        assert [int(result[f"{party.value}_fen"][i]) for party in Party] == [expected.amount(p).fen for p in Party]
        assert int(result["commission_fen"][i]) == expected.commission.fen


@given(
    paid=st.lists(st.integers(1, 10**9), min_size=1, max_size=8),
    data=st.data(),
    profile=_profiles(),
)
def test_absent_columns_split_as_zero_columns(paid: list[int], data: st.DataObject, profile: PlatformProfile) -> None:
    """Leaving out an optional column (or every row of it missing) splits exactly as giving it as zeros: the
    terms of absent parties are skipped as exactly zero (issue 21), and no two result columns share memory."""
    n = len(paid)
    rates = st.lists(st.integers(0, 300_000).map(lambda r: r - r % 1000), min_size=n, max_size=n)
    given_columns = {"paid_fen": np.array(paid), "commission_ppm": np.array(data.draw(rates))}
    zeros = np.zeros(n, dtype=np.int64)
    explicit = {
        **given_columns,
        "shipping_fen": zeros,
        "subsidy_fen": zeros,
        "refunded_fen": zeros,
        "invalid": np.zeros(n, dtype=np.bool_),
        "mcn_share_ppm": np.ma.masked_array(zeros, mask=np.ones(n, dtype=np.bool_)),
        "leader_fee_ppm": np.ma.masked_array(zeros, mask=np.ones(n, dtype=np.bool_)),
    }
    try:
        bare = settle_columns(given_columns, profile)
    except PolicyError as exc:
        problem = exc.problem
    else:
        full = settle_columns(explicit, profile)
        assert {k: v.tolist() for k, v in bare.items()} == {k: v.tolist() for k, v in full.items()}
        arrays = list(bare.values())
        assert all(not np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1 :])
        return
    with pytest.raises(PolicyError) as caught:
        settle_columns(explicit, profile)
    assert caught.value.problem == problem


@given(first=st.integers(0, 600_000), second=st.integers(0, 600_000))
def test_douyins_leader_limits_refuse_the_same_rows_as_split(first: int, second: int) -> None:
    """The 40% leader-fee cap and the 0.9x second-level rule: the columnar path refuses a row iff split() does, with
    split()'s own problem."""
    second = min(second, first)
    columns = {
        "paid_fen": [10_000],
        "commission_ppm": [10_000],
        "leader_fee_ppm": [first],
        "second_leader_fee_ppm": [second],
    }
    o = builders.order(
        paid="100.00",
        terms=builders.order_terms(
            commission_rate=Rate.of("1%"),
            leader_id=TeamLeaderId("tl-1"),
            leader_fee_rate=Rate.from_ppm(first),
            second_leader_id=TeamLeaderId("tl2-1"),
            second_leader_fee_rate=Rate.from_ppm(second),
        ),
    )
    expected = _expected(o, PlatformProfile.douyin())
    if isinstance(expected, PolicyError):
        with pytest.raises(PolicyError) as caught:
            settle_columns(columns, PlatformProfile.douyin())
        assert caught.value.problem == expected.problem
    else:
        result = settle_columns(columns, PlatformProfile.douyin())
        assert int(result["second_leader_fen"][0]) == expected["second_leader_fen"]


def test_a_45_percent_leader_fee_is_refused_on_douyin_by_row() -> None:
    """Douyin's leader service rate is at most 40%: the row is named as split() names the field."""
    columns = {"paid_fen": [100, 100], "commission_ppm": [10_000, 10_000], "leader_fee_ppm": [400_000, 450_000]}
    with pytest.raises(PolicyError, match=r"leader_fee_rate: is above the maximum team-leader fee \(40%\)"):
        settle_columns(columns, PlatformProfile.douyin())


def test_an_own_stream_order_settles_in_columns_as_split_does() -> None:
    """An own-stream order (自播: no influencer, no commission) gives the same lines in columns as split()."""
    own = builders.order("100.00", influencer_id=None, terms=builders.order_terms(commission_rate=Rate.zero()))
    result = settle_columns(order_columns([own]), PlatformProfile())
    expected = _expected(own, PlatformProfile())
    assert not isinstance(expected, PolicyError)
    assert {name: int(result[name][0]) for name in expected} == expected
    assert expected["influencer_fen"] == expected["commission_fen"] == 0


@pytest.mark.parametrize("preset", ["kuaishou", "douyin", "taobao"])
def test_an_own_stream_sale_of_jewellery_settles_in_columns_as_split_does(preset: str) -> None:
    """The 5% jewellery floor protects influencers: an own-stream sale at 0% settles on both paths alike, while the
    same 0% by an influencer is refused on both (issue 19)."""
    profile = PlatformProfile.preset(preset)
    own = builders.order(
        "2999.00",
        influencer_id=None,
        terms=builders.order_terms(commission_rate=Rate.zero()),
        category_id="c-gold",
        category_level1="珠宝文玩",
    )
    expected = _expected(own, profile)
    assert not isinstance(expected, PolicyError)
    result = settle_columns(order_columns([own]), profile)
    assert {name: int(result[name][0]) for name in expected} == expected
    sold = attrs.evolve(own, influencer_id="kol-1")
    assert isinstance(_expected(sold, profile), PolicyError)
    with pytest.raises(PolicyError, match=r"commission_ppm: is below the minimum commission"):
        settle_columns(order_columns([sold]), profile)


def test_an_own_stream_row_pays_nobody_but_the_platform() -> None:
    """As Order refuses a commission, a leader or an MCN on an own-stream order, so do the columns, by row."""
    base: dict[str, Any] = {"paid_fen": [100, 100], "commission_ppm": [0, 0], "own_stream": [False, True]}
    for column, values, message in (
        ("commission_ppm", [0, 10_000], r"orders\.commission_ppm\[1\]: must be 0 on an own-stream order, got 10000"),
        ("leader_fee_ppm", [None, 10_000], r"orders\.leader_fee_ppm\[1\]: must be missing on an own-stream order"),
        ("mcn_share_ppm", [None, 300_000], r"orders\.mcn_share_ppm\[1\]: must be missing on an own-stream order"),
    ):
        with pytest.raises(InvalidValueError, match=message):
            settle_columns({**base, column: values}, PlatformProfile())
