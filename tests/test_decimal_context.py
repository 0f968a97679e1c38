"""Exact under any decimal context: a caller's ``decimal.localcontext()`` never changes an amount, a rate or a grade.

A notebook that set ``getcontext().prec = 6`` for something else, or turned on the ``Inexact`` trap, must get the
same money, rates, splits, documents and tiers as everyone else (issue 20: the library computes in its own context).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.columnar import catalog_columns, run_pipeline
from fenxiao.grading.pipeline import grade_catalog
from fenxiao.money import MAX_FEN, Money, Rate, Rounding
from fenxiao.sample import load_sample
from fenxiao.serialization import dumps, loads
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import split
from tests.builders import order, order_terms

SIGNALS = (decimal.Inexact, decimal.Rounded, decimal.InvalidOperation, decimal.Overflow, decimal.Underflow)


@contextmanager
def caller_context(prec: int, traps: tuple[type[decimal.DecimalException], ...]) -> Iterator[None]:
    with decimal.localcontext() as context:
        context.prec = prec
        context.rounding = decimal.ROUND_DOWN
        for signal in SIGNALS:
            context.traps[signal] = signal in traps
        yield


contexts = st.tuples(st.integers(1, 50), st.lists(st.sampled_from(SIGNALS), unique=True).map(tuple))
fens = st.integers(-MAX_FEN, MAX_FEN)
rates = st.integers(0, 10**6).map(Rate.from_ppm)


def money_results(fen: int, rate: Rate) -> tuple[object, ...]:
    amount = Money(fen)
    text = amount.to_text()
    return (
        text,
        Money.of(text),
        amount.yuan,
        amount.format(grouping=True),
        str(rate),
        rate.to_text(),
        Rate.of(rate.to_text()),
        Rate.of(f"{rate.percent}%"),
        rate.bp,
        rate.permille,
        rate.complement(),
        rate.ppm,
        amount.times(rate, rounding=Rounding.HALF_UP),
        amount.times(rate, rounding=Rounding.DOWN),
        amount.allocate([rate.ppm + 1, 3, 7]),
        dumps(amount),
    )


@given(fens, rates, contexts)
def test_money_and_rates_are_the_same_in_any_caller_context(
    fen: int, rate: Rate, context: tuple[int, tuple[type[decimal.DecimalException], ...]]
) -> None:
    expected = money_results(fen, rate)
    with caller_context(*context):
        assert money_results(fen, rate) == expected


@given(st.integers(1, 10**9), st.integers(0, 500_000).map(Rate.from_ppm), contexts)
def test_a_split_and_its_document_are_the_same_in_any_caller_context(
    fen: int, rate: Rate, context: tuple[int, tuple[type[decimal.DecimalException], ...]]
) -> None:
    sold = order(Money(fen), terms=order_terms(commission_rate=rate))
    profile = PlatformProfile.kuaishou()
    expected = (split(sold, profile), dumps(sold))
    with caller_context(*context):
        result = (split(sold, profile), dumps(sold))
        assert result == expected
        assert loads(result[1], type(sold)) == sold


@cache
def graded_default() -> tuple[tuple[str, str, str], ...]:
    return tuple((g.sku_id, str(g.scorecard.composite), g.decision.tier.value) for g in grade_catalog(load_sample()))


@pytest.mark.parametrize("prec", [1, 3, 6, 12, 28])
def test_grading_the_sample_is_the_same_in_any_caller_context(prec: int) -> None:
    with caller_context(prec, (decimal.Inexact, decimal.Rounded)):
        graded = tuple(
            (g.sku_id, str(g.scorecard.composite), g.decision.tier.value) for g in grade_catalog(load_sample())
        )
    assert graded == graded_default()


@pytest.mark.parametrize("prec", [1, 6])
def test_the_columnar_pipeline_is_the_same_in_any_caller_context(prec: int) -> None:
    expected = run_pipeline(catalog_columns(load_sample()))
    with caller_context(prec, (decimal.Inexact, decimal.Rounded)):
        result = run_pipeline(catalog_columns(load_sample()))
    assert result.keys() == expected.keys()
    assert all((result[k] == expected[k]).all() for k in expected)
