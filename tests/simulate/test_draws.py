"""The simulator's arithmetic: one definition for ints and NumPy arrays, counter-based draws, unbiased rounding."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.simulate import draws as d

U64 = st.integers(0, d.MASK64)
PPMS = st.integers(0, d.PPM - 1)


def test_mix64_is_splitmix64s_finaliser() -> None:
    """The first output of SplitMix64 seeded with 0 is the published 0xE220A8397B1DCDAF."""
    assert d.mix64(0x9E3779B97F4A7C15) == 0xE220A8397B1DCDAF
    assert d.mix64(0) == 0


def test_key_of_is_the_same_in_every_process() -> None:
    """An id's key is BLAKE2b, not Python's salted hash: a fixed number."""
    assert d.key_of("sku-00001") == 5387599732401627986
    assert 0 <= d.key_of("") <= d.MASK64


@given(seed=U64, week=st.integers(0, 520), stream=st.sampled_from(list(d.Stream)), keys=st.lists(U64, max_size=8))
def test_a_draw_is_the_same_on_ints_and_on_uint64_arrays(
    seed: int, week: int, stream: d.Stream, keys: list[int]
) -> None:
    """The columnar path draws exactly the object path's numbers."""
    array = d.draw(seed, week, stream, np.array(keys, dtype=np.uint64))
    assert [int(x) for x in array] == [d.draw(seed, week, stream, k) for k in keys]


@given(seed=U64, week=st.integers(0, 520), key=U64)
def test_streams_and_weeks_draw_differently(seed: int, week: int, key: int) -> None:
    """Two purposes never share a draw (a collision of 64-bit draws would be a one in 2**64 event)."""
    drawn = {d.draw(seed, week, stream, key) for stream in d.Stream}
    assert len(drawn) == len(d.Stream)
    assert d.draw(seed, week, d.Stream.UNITS, key) != d.draw(seed, week + 1, d.Stream.UNITS, key)


@given(milli=st.integers(0, 10**12))
def test_stochastic_rounding_is_unbiased_over_the_uniforms(milli: int) -> None:
    """Over a thousand evenly spaced uniforms the rounded values add up to exactly the thousandths."""
    assert sum(d.round_stochastic(milli, u) for u in range(0, d.PPM, 1000)) == milli


@given(milli=st.integers(0, 10**12), u=PPMS)
def test_stochastic_rounding_rounds_to_a_neighbour(milli: int, u: int) -> None:
    """The result is the floor or the ceiling of milli / 1000, and exact on whole numbers."""
    rounded = d.round_stochastic(milli, u)
    assert milli // 1000 <= rounded <= -(-milli // 1000)


def test_stochastic_rounding_at_its_boundary() -> None:
    """2.4 units round up for a uniform below 0.4 and down from 0.4."""
    assert d.round_stochastic(2_400, 0) == 3
    assert d.round_stochastic(2_400, 399_999) == 3
    assert d.round_stochastic(2_400, 400_000) == 2
    assert d.round_stochastic(3_000, 0) == 3


@given(u1=PPMS, u2=PPMS, noise=st.integers(0, d.PPM))
def test_the_shock_stays_within_its_noise(u1: int, u2: int, noise: int) -> None:
    """The week's multiplier lies between 1 - noise and 1 + noise."""
    assert d.PPM - noise <= d.shock_ppm(u1, u2, noise) <= d.PPM + noise


def test_the_shock_has_mean_one_over_the_uniforms() -> None:
    """Over a grid of uniform pairs the triangular shock averages one, within rounding."""
    grid = range(5_000, d.PPM, 10_000)  # the midpoints of a hundred even cells
    total = sum(d.shock_ppm(a, b, 300_000) for a in grid for b in grid)
    assert abs(total / len(grid) ** 2 - d.PPM) < 10


@given(
    views=st.lists(st.integers(0, d.MAX_VIEWS), min_size=1, max_size=6),
    conversion=PPMS,
    price=st.integers(0, d.MAX_MULTIPLIER_PPM),
    shock=st.integers(0, 2 * d.PPM),
    u=PPMS,
)
def test_the_formulas_agree_on_ints_and_int64_arrays(
    views: list[int], conversion: int, price: int, shock: int, u: int
) -> None:
    """Expected units and their rounding are the same integers on both paths."""
    array = np.array(views, dtype=np.int64)
    milli = d.expected_milli(array, conversion, price, shock)
    assert [int(x) for x in milli] == [d.expected_milli(x, conversion, price, shock) for x in views]
    rounded = d.round_stochastic(milli, u)
    assert [int(x) for x in rounded] == [d.round_stochastic(int(m), u) for m in milli]


@given(
    views=st.integers(0, d.MAX_VIEWS), low=st.integers(0, d.MAX_VIEWS), conversion=PPMS, shock=st.integers(0, 2 * d.PPM)
)
def test_more_views_never_sell_less(views: int, low: int, conversion: int, shock: int) -> None:
    """Expected units grow with views, and so do the rounded units for one uniform."""
    fewer, more = min(views, low), max(views, low)
    assert d.expected_milli(fewer, conversion, d.PPM, shock) <= d.expected_milli(more, conversion, d.PPM, shock)


def test_price_power_is_linear_between_floor_and_ceiling() -> None:
    """A price score of 0 gives the floor, 100 the ceiling, 50 halfway."""
    assert d.price_power_ppm(0, 600_000, 1_400_000) == 600_000
    assert d.price_power_ppm(10_000, 600_000, 1_400_000) == 1_400_000
    assert d.price_power_ppm(5_000, 600_000, 1_400_000) == 1_000_000


def test_views_of_multiplies_the_boost_and_the_badge() -> None:
    """1,000 base views × 2 × 1.15 are 2,300 views; no perk leaves the base."""
    assert d.views_of(1000, 2_000_000, 1_150_000) == 2300
    assert d.views_of(1000, d.PPM, d.PPM) == 1000
