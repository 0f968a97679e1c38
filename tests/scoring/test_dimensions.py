"""The values of five-dimension scoring: the fast construction paths equal the validated ones (issue 21)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.scoring.dimensions import (
    CompositeWeights,
    Contribution,
    Dimension,
    DimensionScore,
    SkuScores,
    composite_centi,
)
from fenxiao.testing.scoring import composite_weights

#: Score values as callers pass them: two-place Decimals, other exponents, ints, and bad ones.
_values = st.one_of(
    st.integers(0, 10_000).map(lambda c: Decimal(c).scaleb(-2)),
    st.decimals(min_value=-5, max_value=105, places=2),
    st.decimals(min_value=0, max_value=100, places=1),
    st.decimals(min_value=0, max_value=100, places=3),
    st.integers(-5, 105),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-0.00"), Decimal("1E+1"), 1.5, "50", True]),
)


def _validated(dimension: object, value: object, *rest: object) -> Any:
    """A DimensionScore through attrs' own __init__: every converter and validator."""
    score = object.__new__(DimensionScore)
    init: Any = score.__attrs_init__
    init(dimension, value, *rest)
    return score


def _outcome(build: Any, *args: object) -> object:
    try:
        score = build(*args)
    except InvalidValueError as error:
        return ("error", str(error))
    return (score, repr(score), hash(score), score.value.as_tuple())


@given(dimension=st.sampled_from([*Dimension, "brand", None]), value=_values)
def test_a_dimension_score_is_built_as_the_validators_build_it(dimension: object, value: object) -> None:
    """For any dimension and value, the fast __init__ gives the validated value (same repr, hash and exponent) or
    the same error."""
    assert _outcome(DimensionScore, dimension, value) == _outcome(_validated, dimension, value)


@given(value=_values, notes=st.sampled_from([(), ["cap"], ("cap",), [], "cap", (1,)]))
def test_with_notes_or_contributions_the_validators_still_decide(value: object, notes: object) -> None:
    """Anything but empty tuples takes the validated path: the same value or the same error."""
    contributions = [Contribution("m", Decimal(1), 50, Decimal(1), "flat")]
    got = _outcome(DimensionScore, Dimension.SALES, value, contributions, notes)
    assert got == _outcome(_validated, Dimension.SALES, value, contributions, notes)


def _score_of(dimension: Dimension) -> st.SearchStrategy[DimensionScore]:
    return st.integers(0, 10_000).map(lambda c: DimensionScore(dimension, Decimal(c).scaleb(-2)))


_scores = st.tuples(*(_score_of(d) for d in Dimension))


@given(
    scores=_scores,
    weights=st.one_of(st.none(), composite_weights()),
    sku=st.sampled_from(["sku-1", "s.2", "", "bad id", 7]),
    shuffle=st.booleans(),
)
def test_of_builds_what_the_validated_constructor_builds(
    scores: tuple[DimensionScore, ...], weights: CompositeWeights | None, sku: Any, shuffle: bool
) -> None:
    """SkuScores.of's trusted card equals the card the validating constructor accepts (whose __attrs_post_init__
    recomputes the composite), with the same repr and hash; a bad id raises the same error."""
    given_scores = list(reversed(scores)) if shuffle else list(scores)
    w = weights if weights is not None else CompositeWeights()
    make: Any = SkuScores
    try:
        card = SkuScores.of(sku, given_scores, weights)
    except InvalidValueError as error:
        problem = str(error)
    else:
        validated = make(sku, *scores, card.composite, w)
        assert card == validated
        assert (repr(card), hash(card)) == (repr(validated), hash(validated))
        assert card.composite.as_tuple().exponent == -2
        return
    with pytest.raises(InvalidValueError) as expected:
        make(sku, *scores, Decimal(0), w)
    assert problem == str(expected.value)


def test_of_names_weights_that_are_not_composite_weights() -> None:
    """A wrong type for the weights is an InvalidValueError, not an AttributeError from inside."""
    parts = [DimensionScore(d, 50) for d in Dimension]
    with pytest.raises(InvalidValueError, match=r"SkuScores\.weights: must be CompositeWeights"):
        SkuScores.of("sku-1", parts, {"brand": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"SkuScores\.weights: must be CompositeWeights"):
        SkuScores.of("sku-1", reversed(parts), "equal")  # type: ignore[arg-type]


def test_evolve_and_equal_scores_of_other_exponents() -> None:
    """attrs.evolve goes through the same __init__; 72.5 and 72.50 give the same score."""
    score = DimensionScore(Dimension.PRICE, Decimal("72.5"))
    assert attrs.evolve(score, value=Decimal("72.50")) == score
    assert score.centi == 7250
    with pytest.raises(InvalidValueError, match="must have at most two decimal places"):
        DimensionScore(Dimension.PRICE, Decimal("72.505"))


@pytest.mark.parametrize("values", [{}, [], [1, 2, 3, 4], [1, 2, 3, 4, 5, 6], "12345", None, [1, 2, 3, 4, 5.0]])
def test_composite_centi_names_values_that_are_not_one_whole_number_per_dimension(values: object) -> None:
    """Found by the wrong-type property under CI: an empty mapping gave zip's ValueError."""
    with pytest.raises(InvalidValueError, match=r"composite_centi\.values_centi: must be 5 whole numbers"):
        composite_centi(values, CompositeWeights())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"composite_centi\.weights: must be CompositeWeights"):
        composite_centi([1, 2, 3, 4, 5], None)  # type: ignore[arg-type]
