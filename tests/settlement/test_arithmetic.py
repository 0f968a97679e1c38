"""The integer core of the split: one formula, equal on Python ints and on int64 arrays."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.columnar._intmath import div_round
from fenxiao.money import PPM, Rounding
from fenxiao.settlement import arithmetic
from fenxiao.settlement.arithmetic import SCALAR, commission, round_div, share, split_amounts, step_numerator

ROUNDINGS = st.sampled_from(list(Rounding))
PROFILE_ROUNDINGS = st.sampled_from([Rounding.DOWN, Rounding.FLOOR, Rounding.HALF_UP, Rounding.HALF_EVEN])
FEN = st.integers(0, 10**9)
RATES = st.integers(0, PPM)


def ladders() -> st.SearchStrategy[tuple[tuple[int, int], ...]]:
    """Tiered steps: increasing thresholds above zero, each with a rate."""
    return st.lists(st.tuples(st.integers(1, 10**8), RATES), max_size=4, unique_by=lambda s: s[0]).map(
        lambda steps: tuple(sorted(steps))
    )


def exact_commission(base: int, rate: int, steps: tuple[tuple[int, int], ...], marginal: bool) -> Fraction:
    """The commission as exact fractions, written the way the rule reads (the reference for step_numerator)."""
    if not steps:
        return Fraction(base * rate, PPM)
    schedule = [(0, rate), *steps]
    if not marginal:
        applicable = rate
        for threshold, step_rate in schedule:
            if base >= threshold:
                applicable = step_rate
        return Fraction(base * applicable, PPM)
    total = Fraction(0)
    for i, (threshold, step_rate) in enumerate(schedule):
        top = base if i + 1 == len(schedule) else min(base, schedule[i + 1][0])
        if top > threshold:
            total += Fraction((top - threshold) * step_rate, PPM)
    return total


@given(st.integers(-(10**18), 10**18), st.integers(1, 10**12), ROUNDINGS)
def test_round_div_on_ints_is_the_money_layers_rounding(num: int, den: int, rounding: Rounding) -> None:
    """round_div on ints gives Rounding.round_ratio's integer, for every mode and sign."""
    assert round_div(num, den, rounding) == rounding.round_ratio(num, den)


@given(st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=20), st.integers(1, 10**6), ROUNDINGS)
def test_round_div_on_arrays_is_round_div_on_each_int(nums: list[int], den: int, rounding: Rounding) -> None:
    """On an int64 array round_div gives, element by element, what it gives on each int (and what _intmath does)."""
    array = np.array(nums, dtype=np.int64)
    result = round_div(array, den, rounding)
    assert result.tolist() == [round_div(n, den, rounding) for n in nums]
    assert result.tolist() == div_round(array, den, rounding).tolist()


@given(st.integers(-(10**12), 10**12), RATES, ladders(), st.booleans(), ROUNDINGS)
def test_commission_is_the_exact_commission_rounded_once(
    base: int, rate: int, steps: tuple[tuple[int, int], ...], marginal: bool, rounding: Rounding
) -> None:
    """step_numerator is the exact commission times 10**6; commission rounds it once."""
    exact = exact_commission(base, rate, steps, marginal)
    assert Fraction(step_numerator(base, rate, steps, marginal=marginal), PPM) == exact
    assert commission(base, rate, steps, marginal=marginal, rounding=rounding) == rounding.round_fraction(exact)


@given(FEN, RATES, PROFILE_ROUNDINGS)
def test_share_is_the_amount_at_the_rate_rounded_once(amount: int, rate: int, rounding: Rounding) -> None:
    """share(amount, ppm) is amount × ppm / 10**6 rounded once."""
    assert share(amount, rate, rounding) == rounding.round_fraction(Fraction(amount * rate, PPM))


@st.composite
def order_rows(draw: st.DrawFn) -> dict[str, int | bool]:
    """One order's inputs in fen and ppm, within the split's rules (the leaders' fees fit, refunds too)."""
    paid = draw(st.integers(1, 10**9))
    shipping = draw(st.integers(0, 10**5))
    leader = draw(st.integers(0, 200_000))
    return {
        "paid": paid,
        "shipping": shipping,
        "subsidy": draw(st.integers(0, 10**6)),
        "refunded": draw(st.integers(0, paid + shipping)),
        "invalid": draw(st.booleans()),
        "commission_ppm": draw(st.integers(0, 600_000)),
        "mcn_ppm": draw(RATES),
        "leader_ppm": leader,
        "second_ppm": draw(st.integers(0, leader)),
        "tech_ppm": draw(st.integers(0, 100_000)),
    }


@given(
    st.lists(order_rows(), min_size=1, max_size=12),
    ladders(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([0, 100_000]),
    PROFILE_ROUNDINGS,
)
def test_split_amounts_on_columns_is_split_amounts_on_each_row(
    rows: list[dict[str, int | bool]],
    steps: tuple[tuple[int, int], ...],
    marginal: bool,
    shipping_in_base: bool,
    fee_ppm: int,
    rounding: Rounding,
) -> None:
    """The one formula gives the same amounts on int64 columns (ops=numpy) as on each row's ints, and they add up."""
    common = {
        "steps": steps,
        "marginal": marginal,
        "fee_ppm": fee_ppm,
        "shipping_in_base": shipping_in_base,
        "rounding": rounding,
    }
    columns = {
        name: np.array([row[name] for row in rows], dtype=np.bool_ if name == "invalid" else np.int64)
        for name in rows[0]
    }
    together = split_amounts(**columns, **common, ops=np)  # type: ignore[arg-type]
    for i, row in enumerate(rows):
        alone = split_amounts(**row, **common, ops=SCALAR)  # type: ignore[arg-type]
        assert [int(column[i]) for column in together] == list(alone)
        lines = (alone.influencer, alone.mcn, alone.fee, alone.leader, alone.second, alone.tech, alone.merchant)
        assert sum(lines) + int(row["refunded"]) + alone.returned == alone.total_in


def test_the_module_needs_no_numpy() -> None:
    """The integer core imports no NumPy: the object path stays free of it."""
    assert "numpy" not in vars(arithmetic)


# -- cases mutation testing asked for (issue 20, item 6; docs/testing.md "Mutation testing") --------------------


def test_each_rounding_mode_has_its_divider_and_only_the_floors_divide_plainly() -> None:
    for rounding in Rounding:
        divide = arithmetic._divider(rounding)
        assert arithmetic._DIVIDERS[rounding](7, 2) == divide(7, 2) == round_div(7, 2, rounding)
        assert divide(5, 1) == 5
        assert divide(0, 3) == 0
        assert arithmetic.floors(rounding) is (rounding in arithmetic._FLOORS)
    assert arithmetic.floors(Rounding.DOWN) is True
    assert arithmetic.floors(Rounding.HALF_UP) is False
    assert arithmetic._divider(Rounding.HALF_UP)(7, 2) == 4
    assert arithmetic._divider(Rounding.DOWN)(7, 2) == 3
    assert arithmetic._divider(Rounding.UP)(7, 2) == 4
    assert arithmetic._divider(Rounding.HALF_EVEN)(5, 2) == 2


def test_each_divider_rounds_as_its_mode_on_every_kind_of_remainder() -> None:
    for rounding in Rounding:
        divide = arithmetic._divider(rounding)
        for num, den in ((5, 2), (7, 2), (1, 3), (2, 3), (6, 3)):
            assert divide(num, den) == round_div(num, den, rounding), (rounding, num, den)


def test_commission_on_columns_with_marginal_steps_uses_the_columns_operations() -> None:
    bases = np.array([0, 5_000, 10_000, 15_000, 30_000], dtype=np.int64)
    steps = ((10_000, 300_000), (20_000, 400_000))
    for marginal in (False, True):
        for rounding in (Rounding.DOWN, Rounding.HALF_UP):
            together = commission(bases, 200_000, steps, marginal=marginal, rounding=rounding, ops=np)
            assert together.tolist() == [
                commission(int(b), 200_000, steps, marginal=marginal, rounding=rounding) for b in bases
            ]
    assert commission(bases, 200_000, steps, marginal=True, rounding=Rounding.DOWN, ops=np).tolist() == [
        0,
        1_000,
        2_000,
        3_500,
        9_000,
    ]


def test_split_amounts_on_columns_gives_a_zero_column_for_every_absent_party() -> None:
    """Terms that are exactly zero are skipped by split_values; split_amounts turns them into zero columns."""
    paid = np.array([10_000, 20_000], dtype=np.int64)
    zeros = np.zeros(2, dtype=np.int64)
    amounts = split_amounts(
        paid=paid,
        shipping=zeros,
        subsidy=0,
        refunded=0,
        invalid=False,
        commission_ppm=200_000,
        fee_ppm=0,
        mcn_ppm=0,
        leader_ppm=0,
        second_ppm=0,
        tech_ppm=50_000,
        shipping_in_base=False,
        rounding=Rounding.DOWN,
        ops=np,
    )
    for name, column in zip(amounts._fields, amounts, strict=True):
        assert isinstance(column, np.ndarray), name
        assert column.shape == (2,), name
    assert amounts.fee.tolist() == amounts.mcn.tolist() == amounts.second.tolist() == [0, 0]
    assert amounts.subsidy_kept.tolist() == amounts.returned.tolist() == [0, 0]
    assert amounts.commission.tolist() == amounts.influencer.tolist() == [2_000, 4_000]
    assert amounts.merchant.tolist() == [7_500, 15_000]
    assert amounts.total_in.tolist() == [10_000, 20_000]
    alone = split_amounts(
        paid=10_000,
        shipping=0,
        subsidy=0,
        refunded=0,
        invalid=False,
        commission_ppm=200_000,
        fee_ppm=0,
        mcn_ppm=0,
        leader_ppm=0,
        second_ppm=0,
        tech_ppm=50_000,
        shipping_in_base=False,
        rounding=Rounding.DOWN,
    )
    assert type(alone) is arithmetic.SplitAmounts
    assert [type(value) for value in alone] == [int] * len(alone)
    assert alone == (10_000, 2_000, 0, 0, 2_000, 0, 0, 500, 7_500, 0, 0, 10_000)


def test_the_scalar_operations_are_min_max_and_a_choice() -> None:
    assert (SCALAR.minimum(3, 5), SCALAR.minimum(5, 3), SCALAR.minimum(4, 4)) == (3, 3, 4)
    assert (SCALAR.maximum(3, 5), SCALAR.maximum(5, 3), SCALAR.maximum(4, 4)) == (5, 5, 4)
    assert (SCALAR.where(True, 1, 2), SCALAR.where(False, 1, 2), SCALAR.where(0, 1, 2)) == (1, 2, 2)


ARGUMENTS = (
    "paid",
    "shipping",
    "subsidy",
    "refunded",
    "invalid",
    "commission_ppm",
    "steps",
    "marginal",
    "fee_ppm",
    "mcn_ppm",
    "leader_ppm",
    "second_ppm",
    "tech_ppm",
    "shipping_in_base",
    "rounding",
)


@given(order_rows(), ladders(), st.booleans(), st.booleans(), st.sampled_from([0, 100_000]), PROFILE_ROUNDINGS)
def test_split_amounts_names_split_values_arguments_and_results(
    row: dict[str, int | bool],
    steps: tuple[tuple[int, int], ...],
    marginal: bool,
    shipping_in_base: bool,
    fee_ppm: int,
    rounding: Rounding,
) -> None:
    """split_amounts passes every argument by name to the formula, in its place, and names every result."""
    given_: dict[str, Any] = {
        **row,
        "steps": steps,
        "marginal": marginal,
        "fee_ppm": fee_ppm,
        "shipping_in_base": shipping_in_base,
        "rounding": rounding,
    }
    named = split_amounts(**given_)
    assert tuple(named) == arithmetic.split_values(*[given_[name] for name in ARGUMENTS])
    assert named._asdict() == dict(zip(arithmetic.SplitAmounts._fields, named, strict=True))


@given(order_rows(), ladders(), st.booleans(), st.booleans(), st.sampled_from([0, 1, 100_000, PPM]), ROUNDINGS)
def test_split_ints_is_split_values_on_ints(
    row: dict[str, int | bool],
    steps: tuple[tuple[int, int], ...],
    marginal: bool,
    shipping_in_base: bool,
    fee_ppm: int,
    rounding: Rounding,
) -> None:
    """The formula written out for ints gives split_values' amounts on every input, under every rounding mode."""
    given_: dict[str, Any] = {
        **row,
        "steps": steps,
        "marginal": marginal,
        "fee_ppm": fee_ppm,
        "shipping_in_base": shipping_in_base,
        "rounding": rounding,
    }
    values = [given_[name] for name in ARGUMENTS]
    assert arithmetic.split_ints(*values) == arithmetic.split_values(*values)


def test_split_ints_at_the_edges_of_the_base_and_of_each_rate() -> None:
    """Refunds at, just below and beyond the goods (with shipping in the base or not; one fen beyond what was paid,
    which no order allows, leaves a base of zero), each rate at 0, 1 ppm and 100%, valid or invalid, under both
    modes that round down and a half-way one: split_ints agrees with split_values."""
    paid, shipping = 10_000, 500
    for refunded in (0, 1, paid - 1, paid, paid + 1, paid + shipping - 1, paid + shipping, paid + shipping + 1):
        for ppm in (0, 1, PPM):
            for rounding, shipping_in_base, invalid in itertools.product(
                (Rounding.DOWN, Rounding.FLOOR, Rounding.HALF_UP), (False, True), (False, True)
            ):
                values = (paid, shipping, 300, refunded, invalid, ppm, (), False, ppm, ppm, ppm, ppm, ppm)
                args = (*values, shipping_in_base, rounding)
                assert arithmetic.split_ints(*args) == arithmetic.split_values(*args), args
    base_of_one = arithmetic.split_ints(100, 5, 0, 104, False, 0, (), False, 0, 0, 0, 0, 0, True, Rounding.DOWN)
    assert base_of_one[0] == 1
    none_left = arithmetic.split_ints(100, 5, 0, 105, False, 0, (), False, 0, 0, 0, 0, 0, True, Rounding.DOWN)
    assert none_left[0] == 0


def test_split_amounts_steps_are_slab_unless_marginal_and_shipping_is_out_of_the_base_unless_asked() -> None:
    common: dict[str, Any] = {
        "paid": 20_000,
        "shipping": 1_000,
        "subsidy": 0,
        "refunded": 0,
        "invalid": False,
        "commission_ppm": 100_000,
        "fee_ppm": 0,
        "mcn_ppm": 0,
        "leader_ppm": 0,
        "second_ppm": 0,
        "tech_ppm": 0,
        "shipping_in_base": False,
        "rounding": Rounding.DOWN,
    }
    steps = ((10_000, 200_000),)
    assert split_amounts(**common).commission == 2_000
    assert split_amounts(**common, steps=steps).commission == 4_000  # slab: the whole base at 20%
    assert split_amounts(**common, steps=steps, marginal=True).commission == 3_000  # 10,000 at 10%, 10,000 at 20%
    assert split_amounts(**{**common, "shipping_in_base": True}).commission == 2_100
    assert split_amounts(**{**common, "invalid": True}).commission == 0


def test_split_values_on_columns_leaves_the_terms_of_absent_parties_as_the_int_zero() -> None:
    """An argument that is the int 0 skips its terms: on columns their amounts come back as the int 0, not as zero
    columns (what split_values documents, and what spares the columnar path an array per absent party)."""
    paid = np.array([10_000, 20_000], dtype=np.int64)
    values = arithmetic.split_values(
        paid, 0, 0, 0, False, 200_000, (), False, 0, 0, 0, 0, 0, False, Rounding.HALF_UP, np
    )
    named = dict(zip(arithmetic.SplitAmounts._fields, values, strict=True))
    for name in ("fee", "mcn", "leader", "second", "tech", "subsidy_kept", "returned"):
        assert type(named[name]) is int, name
        assert named[name] == 0, name
    assert named["commission"].tolist() == named["influencer"].tolist() == [2_000, 4_000]
    assert named["merchant"].tolist() == [8_000, 16_000]
    present = arithmetic.split_values(
        paid, 0, 500, 0, False, 200_000, (), False, 100_000, 0, 50_000, 10_000, 50_000, False, Rounding.DOWN, np
    )
    assert [type(value) is int for value in present] == [False] * 3 + [True] + [False] * 8  # only the MCN is absent


def test_with_shipping_in_the_base_a_full_refund_leaves_a_base_of_zero() -> None:
    amounts = split_amounts(
        paid=10_000,
        shipping=800,
        subsidy=0,
        refunded=10_800,
        invalid=False,
        commission_ppm=600_000,
        fee_ppm=0,
        mcn_ppm=0,
        leader_ppm=0,
        second_ppm=0,
        tech_ppm=0,
        shipping_in_base=True,
        rounding=Rounding.HALF_UP,
    )
    assert (amounts.base, amounts.commission, amounts.merchant) == (0, 0, 0)


def test_half_up_lines_give_nothing_back_when_the_merchant_is_not_short_and_an_invalid_order_earns_nothing() -> None:
    common: dict[str, Any] = {
        "paid": 10_000,
        "shipping": 0,
        "subsidy": 0,
        "refunded": 0,
        "commission_ppm": 600_000,
        "fee_ppm": 0,
        "mcn_ppm": 0,
        "leader_ppm": 0,
        "second_ppm": 0,
        "tech_ppm": 50_000,
        "shipping_in_base": False,
        "rounding": Rounding.HALF_UP,
    }
    valid = split_amounts(**common, invalid=False)
    assert (valid.commission, valid.tech, valid.merchant) == (6_000, 500, 3_500)
    invalid = split_amounts(**common, invalid=True)
    assert (invalid.commission, invalid.tech, invalid.merchant) == (0, 0, 10_000)
    columns = split_amounts(**common, invalid=np.array([True, False]), ops=np)
    assert (columns.commission.tolist(), columns.tech.tolist()) == ([0, 6_000], [0, 500])
