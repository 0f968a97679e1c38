"""The values of five-dimension scoring (五维矩阵评估模型): :class:`DimensionScore`, :class:`SkuScores` and their parts.

快分销 grades goods on five dimensions: 品牌力 brand, 价格力 price, 分销力 distribution,
服务力 service and 销售力 sales. This module holds what scoring produces: a :class:`DimensionScore`
per dimension (with the :class:`Contribution` of each metric behind it), and the :class:`SkuScores` of
one SKU, which combines the five with :class:`CompositeWeights` into a composite. Who computes them lives
next door: the plug-in point (:mod:`fenxiao.scoring.plugins`), the declarative scorecards
(:mod:`fenxiao.scoring.scorecards`) and the runner (:mod:`fenxiao.scoring.five`).

>>> from fenxiao.sample import load_sample
>>> from fenxiao.scoring.defaults import default_scorer
>>> snapshots = load_sample().latest_snapshots()
>>> cards = default_scorer().score_many(snapshots)   # builds the category context from the batch
>>> card = cards[0]
>>> card.sku_id == snapshots[0].sku_id, card.service.dimension, type(card.composite).__name__
(True, <Dimension.SERVICE: 'service'>, 'Decimal')
>>> print(card.explanation.splitlines()[1].split()[:2])
['品牌力', 'brand']
>>> all(Decimal(0) <= c.composite <= Decimal(100) for c in cards)
True

The numeric representation
--------------------------
Every score is an exact :class:`~decimal.Decimal` with exactly two decimal places, from
``0.00`` to ``100.00``: an integer number of hundredths of a point. No float is ever
formed. Each step rounds once, half to even, from exact integers:

1. A metric is an integer number of its grid units (see :mod:`fenxiao.scoring.metrics`).
2. A scorecard maps it to points on a piecewise-linear curve whose breakpoints are
   exact decimals; the exact point value is rounded to hundredths (see
   :class:`fenxiao.scoring.scorecards.MetricRule`), then capped.
3. A dimension's value is the weighted mean of its rounded contributions,
   ``sum(weight * points) / sum(weight)`` over the metrics that are available, rounded to
   hundredths; then any dimension cap applies.
4. The composite is ``sum(weight * value)`` over the five dimensions (weights sum to 1),
   rounded to hundredths.

So in hundredths of a point (centi-points) and millionths of a weight (ppm), a columnar
implementation reproduces every digit with int64 arithmetic: see ``docs/scoring.md``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from fenxiao._internal import html
from fenxiao._internal import validators as v
from fenxiao._internal.fixed import EXACT, ONE_PPM, POINT_PLACES, WEIGHT_PLACES, div_half_even, unscaled
from fenxiao._internal.trusted import builder
from fenxiao._internal.validators import checks_arguments_on_failure
from fenxiao.domain.ids import SkuId
from fenxiao.errors import InvalidValueError

__all__ = [
    "CompositeWeights",
    "Contribution",
    "Dimension",
    "DimensionScore",
    "ScoreCard",
    "SkuScores",
    "composite_centi",
    "round_points",
]

_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)
#: Any Decimal with exactly two places has the same quantum as this one (``same_quantum``: one C call, where
#: ``as_tuple().exponent`` builds a tuple of digits); NaN and infinities do not.
_CENT: Final = Decimal("0.01")
#: ``EXACT.scaleb(x, n)``: ``x.scaleb(n, context=EXACT)`` without parsing a keyword (half the cost).
_scaleb: Final = EXACT.scaleb


class Dimension(enum.Enum):
    """One of the five dimensions, in the order the platform lists them.

    >>> Dimension.SERVICE.zh, Dimension.SERVICE.en, str(Dimension.SERVICE)
    ('服务力', 'service power', '服务力 service')
    >>> [d.value for d in Dimension]
    ['brand', 'price', 'distribution', 'service', 'sales']

    .. versionadded:: 0.1
    """

    BRAND = "brand"
    PRICE = "price"
    DISTRIBUTION = "distribution"
    SERVICE = "service"
    SALES = "sales"

    @property
    def zh(self) -> str:
        """The Chinese label: 品牌力 价格力 分销力 服务力 销售力."""
        return _LABELS[self][0]

    @property
    def en(self) -> str:
        """The English label: ``"brand power"`` ..."""
        return _LABELS[self][1]

    def __str__(self) -> str:
        return f"{self.zh} {self.value}"


_LABELS: Final = {
    Dimension.BRAND: ("品牌力", "brand power"),
    Dimension.PRICE: ("价格力", "price power"),
    Dimension.DISTRIBUTION: ("分销力", "distribution power"),
    Dimension.SERVICE: ("服务力", "service power"),
    Dimension.SALES: ("销售力", "sales power"),
}


@checks_arguments_on_failure
def round_points(value: Decimal | Fraction | int) -> Decimal:
    """Round an exact number of points to hundredths, half to even: how a plug-in should make a score.

    Raises:
        InvalidValueError: A float or other inexact value.

    >>> round_points(Fraction(145, 2)), round_points(Decimal("72.125")), round_points(Decimal("72.135"))
    (Decimal('72.50'), Decimal('72.12'), Decimal('72.14'))
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, Fraction, int)):
        raise InvalidValueError("round_points.value", value, "must be an exact Decimal, Fraction or int")
    exact = Fraction(value)
    return unscaled(div_half_even(exact.numerator * 10**POINT_PLACES, exact.denominator), POINT_PLACES)


# -- validators shared by the result types ------------------------------------------------------------


def _to_points(value: object) -> object:  # noqa: PLR0911 - the fast path first
    """Converter: an int, or a Decimal with at most two places, becomes a Decimal with exactly two."""
    if type(value) is Decimal and value.same_quantum(_CENT):  # already two places (what scorers give): as it is
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > 10**6:  # far outside 0-100: leave it for the validator to name
            return value
        return Decimal(value).quantize(Decimal("0.01"), context=EXACT)
    if isinstance(value, Decimal) and value.is_finite():
        if abs(value) > 10**6:
            return value
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent != -POINT_PLACES and exponent >= -POINT_PLACES:
            return value.quantize(Decimal("0.01"), context=EXACT)
    return value


def _check_points(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # The common case first, in three C calls: a finite Decimal with exactly two places, within 0-100.
    if type(value) is Decimal and value.same_quantum(_CENT) and _ZERO <= value <= _HUNDRED:
        return
    path = v.path_of(instance, attribute)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValueError(path, value, "must be a Decimal (round exact values with round_points)")
    if value.as_tuple().exponent != -POINT_PLACES:
        raise InvalidValueError(path, value, "must have at most two decimal places (round with round_points)")
    if not _ZERO <= value <= _HUNDRED:
        raise InvalidValueError(path, value, "must be between 0 and 100")


def _int_to_decimal(value: object) -> object:
    """Converter: an int becomes a Decimal; anything else is left for the validator."""
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _check_weight(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be a Decimal")
    if value < 0:
        raise InvalidValueError(v.path_of(instance, attribute), value, "must not be negative")
    units = value.scaleb(WEIGHT_PLACES, context=EXACT)
    if units != units.to_integral_value(context=EXACT):
        raise InvalidValueError(
            v.path_of(instance, attribute), value, f"must have at most {WEIGHT_PLACES} decimal places"
        )


def _check_optional_decimal(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be a finite Decimal or None")


def _check_label(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be non-blank text")


def _tuple_of(kind: type[Any]) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is tuple and not value:  # the default: nothing to check (and no path to format)
            return
        path = v.path_of(instance, attribute)
        if not isinstance(value, tuple):
            raise InvalidValueError(path, value, f"must be a tuple of {kind.__name__}")
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                raise InvalidValueError(f"{path}[{i}]", item, f"must be a {kind.__name__}")

    return attrs.field(default=(), converter=v.to_tuple, validator=check)


# -- results --------------------------------------------------------------------------------------------


@attrs.frozen
class Contribution:
    """What one metric added to a dimension score, and why.

    Args:
        metric: The metric's name (or any label a plug-in chooses).
        raw: The metric's value, or ``None`` when it was unavailable.
        points: The points it earned, 0.00-100.00.
        weight: Its weight within the dimension (an int or Decimal); 0 when it did not count.
        reason: One line saying how *raw* became *points*.

    >>> Contribution("refund_rate", Decimal("0.12"), Decimal("84"), Decimal("0.15"), "12% refunds").points
    Decimal('84.00')

    .. versionadded:: 0.1
    """

    metric: str = attrs.field(validator=_check_label)
    raw: Decimal | None = attrs.field(validator=_check_optional_decimal)
    points: Decimal = attrs.field(converter=_to_points, validator=_check_points)
    weight: Decimal = attrs.field(converter=_int_to_decimal, validator=_check_weight)
    reason: str = attrs.field(validator=_check_label)


@attrs.frozen(init=False)  # __init__ below: a fast path, else attrs' own (__attrs_init__) validates as always
class DimensionScore:
    """The score of one dimension: a value on 0.00-100.00 and the contributions behind it.

    Args:
        dimension: Which of the five.
        value: The score; an int or a Decimal with at most two places (stored with exactly two).
        contributions: Which metric gave how many points, and why.
        notes: Anything else that shaped the value (a cap that applied, a fallback).

    Raises:
        InvalidValueError: A value outside 0-100, with more than two places, or not exact.

    >>> DimensionScore(Dimension.SALES, Decimal("72.5")).value
    Decimal('72.50')
    >>> DimensionScore(Dimension.SALES, Decimal("100.5"))
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: DimensionScore.value: must be between 0 and 100, got Decimal('100.50')

    .. versionadded:: 0.1
    """

    dimension: Dimension = attrs.field(validator=v.member_of(Dimension))
    value: Decimal = attrs.field(converter=_to_points, validator=_check_points)
    contributions: tuple[Contribution, ...] = _tuple_of(Contribution)
    notes: tuple[str, ...] = _tuple_of(str)

    def __init__(
        self,
        dimension: Dimension,
        value: object,
        contributions: Iterable[Any] = (),
        notes: Iterable[Any] = (),
    ) -> None:
        # The common case, proven valid by a few C-level tests (each one of the validators' own): a Dimension, a
        # Decimal with exactly two places within 0-100, nothing else. Set as attrs' __init__ would set it.
        if (
            type(dimension) is Dimension
            and type(value) is Decimal
            and value.same_quantum(_CENT)
            and _ZERO <= value <= _HUNDRED
            and type(contributions) is tuple
            and type(notes) is tuple
            and not contributions
            and not notes
        ):
            _SET_DIMENSION(self, dimension)
            _SET_VALUE(self, value)
            _SET_CONTRIBUTIONS(self, contributions)
            _SET_NOTES(self, notes)
        else:  # everything else: the converters and validators, and their errors, exactly as before
            init: Any = self.__attrs_init__  # converters and validators take any value and name what is wrong
            init(dimension, value, contributions, notes)

    @property
    def centi(self) -> int:
        """The value in hundredths of a point (an int from 0 to 10,000)."""
        return _centi(self.value)


# The slots' own setters (what attrs' __init__ of a frozen class sets through).
_SET_DIMENSION, _SET_VALUE, _SET_CONTRIBUTIONS, _SET_NOTES = (
    DimensionScore.__dict__[a.name].__set__ for a in attrs.fields(DimensionScore)
)
#: DimensionScores from parts a scorer of this package proved valid, without the validators; *contributions* may
#: be a :class:`_PendingContributions` (built before ``contributions`` becomes a property below, so that it sets
#: the slots directly).
_trusted_dimension_score: Final = builder(DimensionScore)


class _PendingContributions(functools.partial[tuple[Contribution, ...]]):
    """A score's contributions before they are first read: calling it builds them (internal).

    A scorecard scorer that computed a score's value on its compiled path notes how to explain it (the scorecard,
    the snapshot, the context) instead of building the contributions nobody may read; see :func:`_read_contributions`.
    """


# attrs keeps ``contributions`` in a slot; this property (a data descriptor, so attribute reads and the
# attrs-generated ``__init__``, ``__setstate__`` and ``evolve`` all go through it) stores in that slot and, on the
# first read of a score built with _PendingContributions, builds them. Equality, hashing, repr, pickling and
# serialization read the attribute, so a score whose contributions were never read is indistinguishable from one
# whose contributions were built at once (the split's lines do the same: fenxiao.settlement.splits).
_get_contributions_slot: Final = DimensionScore.__dict__["contributions"].__get__


def _read_contributions(score: DimensionScore) -> object:
    # -> object, as OrderSplit.lines: the attribute's type is the field's
    contributions = _get_contributions_slot(score)
    if contributions.__class__ is _PendingContributions:
        contributions = contributions()
        _SET_CONTRIBUTIONS(score, contributions)
    return contributions


setattr(  # noqa: B010
    DimensionScore,
    "contributions",
    property(_read_contributions, _SET_CONTRIBUTIONS, doc="Which metric gave how many points, and why."),
)

#: Hundredths of a point per score value, filled as values are met: a valid score is one of the 10,001 values
#: 0.00-100.00 (equal Decimals, whatever their exponent, have the same hundredths), so it stays small; converting
#: a Decimal to int costs four dict lookups.
_CENTI: dict[Decimal, int] = {}
_MAX_CENTI: Final = 10_000
#: The score value (exactly two places) per number of hundredths 0-10,000, filled as met.
_POINTS: dict[int, Decimal] = {}


def _centi(value: Decimal) -> int:
    """*value* (a valid score) in hundredths of a point, through :data:`_CENTI`."""
    centi = _CENTI.get(value)
    if centi is None:
        centi = int(_scaleb(value, POINT_PLACES))
        if 0 <= centi <= _MAX_CENTI and len(_CENTI) < 2 * _MAX_CENTI:
            _CENTI[value] = centi
    return centi


def _points(centi: int) -> Decimal:
    """The score value of *centi* hundredths (0-10,000), exactly two places, through :data:`_POINTS`."""
    value = _POINTS.get(centi)
    if value is None:
        value = unscaled(centi, POINT_PLACES)
        if 0 <= centi <= _MAX_CENTI:
            _POINTS[centi] = value
    return value


def _check_weights_sum(instance: CompositeWeights) -> None:
    total = sum((getattr(instance, d.value) for d in Dimension), _ZERO)
    if total != 1:
        raise InvalidValueError("CompositeWeights", total, "weights must sum to 1")


@attrs.frozen
class CompositeWeights:
    """How much each dimension counts in the composite: non-negative, at most six places, summing to 1.

    >>> CompositeWeights().service
    Decimal('0.2')
    >>> CompositeWeights(brand=Decimal("0.3"))
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: CompositeWeights: weights must sum to 1, got Decimal('1.1')

    .. versionadded:: 0.1
    """

    brand: Decimal = attrs.field(default=Decimal("0.2"), validator=_check_weight)
    price: Decimal = attrs.field(default=Decimal("0.2"), validator=_check_weight)
    distribution: Decimal = attrs.field(default=Decimal("0.2"), validator=_check_weight)
    service: Decimal = attrs.field(default=Decimal("0.2"), validator=_check_weight)
    sales: Decimal = attrs.field(default=Decimal("0.2"), validator=_check_weight)
    _ppm: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _check_weights_sum(self)
        object.__setattr__(
            self, "_ppm", tuple(int(getattr(self, d.value).scaleb(WEIGHT_PLACES, context=EXACT)) for d in Dimension)
        )

    def __getitem__(self, dimension: Dimension) -> Decimal:
        """The weight of *dimension*."""
        result: Decimal = getattr(self, dimension.value)
        return result

    @property
    def ppm(self) -> tuple[int, ...]:
        """The five weights in millionths, in :class:`Dimension` order (they sum to 1,000,000)."""
        return self._ppm

    @classmethod
    def of(cls, weights: Mapping[Dimension | str, Decimal | str | int]) -> CompositeWeights:
        """Weights from a mapping keyed by :class:`Dimension` or its value; values exact (``"0.25"``).

        Dimensions left out weigh 0.

        >>> CompositeWeights.of({"service": "0.5", "sales": "0.5"}).brand
        Decimal('0')
        """
        values: dict[str, Decimal] = {d.value: _ZERO for d in Dimension}
        for key, weight in weights.items():
            name = key.value if isinstance(key, Dimension) else key
            if name not in values:
                raise InvalidValueError("CompositeWeights.of", key, "is not a dimension")
            if isinstance(weight, bool) or not isinstance(weight, (Decimal, str, int)):
                raise InvalidValueError(f"CompositeWeights.{name}", weight, "must be an exact Decimal, str or int")
            values[name] = Decimal(weight) if not isinstance(weight, Decimal) else weight
        return cls(**values)


@checks_arguments_on_failure
def composite_centi(values_centi: Sequence[int], weights: CompositeWeights) -> int:
    """The composite in hundredths from five dimension values in hundredths (:class:`Dimension` order).

    Raises:
        InvalidValueError: *weights* is not :class:`CompositeWeights`, or *values_centi* is not one whole number
            per dimension.
    """
    if not isinstance(weights, CompositeWeights):
        raise InvalidValueError("composite_centi.weights", weights, "must be CompositeWeights")
    try:
        total = sum(w * x for w, x in zip(weights.ppm, values_centi, strict=True))
    except (TypeError, ValueError):
        total = None
    if type(total) is not int:  # a wrong length, or a value that is not a whole number of hundredths
        raise InvalidValueError(
            "composite_centi.values_centi", values_centi, f"must be {len(weights.ppm)} whole numbers of hundredths"
        )
    return div_half_even(total, ONE_PPM)


@attrs.frozen
class SkuScores:
    """The five dimension scores of one SKU, their composite and the weights that made it.

    The composite is always ``round_half_even(sum(weight * value), 0.01)`` of the five values;
    building a card whose composite disagrees is an error, so a card and its explanation
    cannot disagree. :meth:`of` computes it.

    >>> parts = [DimensionScore(d, Decimal(60 + 5 * i)) for i, d in enumerate(Dimension)]
    >>> card = SkuScores.of("sku-1", parts)
    >>> card.composite, card[Dimension.SALES].value, card.values()[Dimension.BRAND]
    (Decimal('70.00'), Decimal('80.00'), Decimal('60.00'))

    .. versionadded:: 0.1
    .. versionchanged:: 0.1
       Renamed from ``ScoreCard``, which differed from the rule table :class:`~fenxiao.scoring.scorecards.Scorecard`
       only by case; ``ScoreCard`` remains an alias.
    """

    sku_id: SkuId = attrs.field(converter=v.id_text, validator=v.identifier)
    brand: DimensionScore = attrs.field()
    price: DimensionScore = attrs.field()
    distribution: DimensionScore = attrs.field()
    service: DimensionScore = attrs.field()
    sales: DimensionScore = attrs.field()
    composite: Decimal = attrs.field(converter=_to_points, validator=_check_points)
    weights: CompositeWeights = attrs.field(factory=CompositeWeights)

    @brand.validator
    @price.validator
    @distribution.validator
    @service.validator
    @sales.validator
    def _check_dimension(self, attribute: attrs.Attribute[Any], value: object) -> None:
        path = f"SkuScores.{attribute.name}"
        if not isinstance(value, DimensionScore):
            raise InvalidValueError(path, value, "must be a DimensionScore")
        if value.dimension.value != attribute.name:
            raise InvalidValueError(f"{path}.dimension", value.dimension.value, f"must be {attribute.name!r}")

    def _repr_html_(self) -> str:
        """HTML for notebooks (Jupyter calls it): the key figures, every text escaped."""
        return html.scores_html(self)

    def __repr__(self) -> str:
        """A one-line repr of what identifies the value (its full form is long; ``attrs.asdict`` has it all)."""
        return html.short_repr(
            self, sku_id=self.sku_id, composite=self.composite, **{s.dimension.value: s.value for s in self.scores}
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer: the short repr."""
        html.pretty(self, printer, cycle)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.weights, CompositeWeights):
            raise InvalidValueError("SkuScores.weights", self.weights, "must be CompositeWeights")
        expected = unscaled(composite_centi([s.centi for s in self.scores], self.weights), POINT_PLACES)
        if self.composite != expected:
            raise InvalidValueError(
                "SkuScores.composite", self.composite, f"disagrees with the weighted dimensions ({expected})"
            )

    @classmethod
    def of(cls, sku_id: str, scores: Iterable[DimensionScore], weights: CompositeWeights | None = None) -> SkuScores:
        """A card from one :class:`DimensionScore` per dimension (any order), computing the composite."""
        given = scores if type(scores) is list or type(scores) is tuple else list(scores)
        if len(given) == len(_ORDER) and _in_order(given):  # the usual case: five DimensionScores in Dimension order
            brand, price, distribution, service, sales = given
            if weights is None:
                weights = _DEFAULT_WEIGHTS
            elif not isinstance(weights, CompositeWeights):
                raise InvalidValueError("SkuScores.weights", weights, "must be CompositeWeights")
            ppm = weights.ppm
            cache = _CENTI
            b, p, d, s, x = brand.value, price.value, distribution.value, service.value, sales.value
            if b in cache and p in cache and d in cache and s in cache and x in cache:
                total = ppm[0] * cache[b] + ppm[1] * cache[p] + ppm[2] * cache[d] + ppm[3] * cache[s]
                total += ppm[4] * cache[x]
            else:
                total = ppm[0] * _centi(b) + ppm[1] * _centi(p) + ppm[2] * _centi(d) + ppm[3] * _centi(s)
                total += ppm[4] * _centi(x)
            composite = _points(div_half_even(total, ONE_PPM))
            if cls is SkuScores and v.is_identifier(sku_id):
                # Every field is proven valid here (the scores by type and dimension, the composite computed from
                # them): built without re-running the validators or recomputing the composite.
                return _trusted_scores(sku_id, brand, price, distribution, service, sales, composite, weights)
            return cls(SkuId(sku_id), brand, price, distribution, service, sales, composite, weights)
        by_dimension: dict[Dimension, DimensionScore] = {}
        for i, score in enumerate(given):
            if not isinstance(score, DimensionScore):
                raise InvalidValueError(f"SkuScores.of.scores[{i}]", score, "must be a DimensionScore")
            if score.dimension in by_dimension:
                raise InvalidValueError(f"SkuScores.of.scores[{i}]", score.dimension.value, "repeats a dimension")
            by_dimension[score.dimension] = score
        missing = [d.value for d in Dimension if d not in by_dimension]
        if missing:
            raise InvalidValueError("SkuScores.of.scores", missing, "lacks these dimensions")
        weights = weights if weights is not None else _DEFAULT_WEIGHTS
        if not isinstance(weights, CompositeWeights):
            raise InvalidValueError("SkuScores.weights", weights, "must be CompositeWeights")
        ordered = [by_dimension[d] for d in Dimension]
        composite = unscaled(composite_centi([s.centi for s in ordered], weights), POINT_PLACES)
        brand, price, distribution, service, sales = ordered
        return cls(SkuId(sku_id), brand, price, distribution, service, sales, composite, weights)

    def __getitem__(self, dimension: Dimension) -> DimensionScore:
        """The score of *dimension*."""
        result: DimensionScore = getattr(self, dimension.value)
        return result

    @property
    def scores(self) -> tuple[DimensionScore, ...]:
        """The five scores in :class:`Dimension` order."""
        return (self.brand, self.price, self.distribution, self.service, self.sales)

    def values(self) -> dict[Dimension, Decimal]:
        """The five values keyed by dimension."""
        return {s.dimension: s.value for s in self.scores}

    @property
    def explanation(self) -> str:
        """The whole card as text: the composite's sum, then each dimension with every contribution.

        >>> parts = [DimensionScore(d, 50, (Contribution("m", Decimal(1), 50, Decimal(1), "flat"),))
        ...          for d in Dimension]
        >>> print(SkuScores.of("sku-1", parts).explanation.splitlines()[0])
        sku-1: composite 50.00 = 0.2×50.00 brand + 0.2×50.00 price + 0.2×50.00 distribution
            + 0.2×50.00 service + 0.2×50.00 sales
        """
        terms = " + ".join(f"{self.weights[s.dimension]}×{s.value} {s.dimension.value}" for s in self.scores)
        lines = [f"{self.sku_id}: composite {self.composite} = {terms}"]
        for score in self.scores:
            lines.append(f"  {score.dimension} {score.value}")
            for c in score.contributions:
                raw = "unavailable" if c.raw is None else str(c.raw)
                lines.append(f"    {c.metric} = {raw}: {c.points} points, weight {c.weight} ({c.reason})")
            lines.extend(f"    note: {note}" for note in score.notes)
        return "\n".join(lines)


def _in_order(scores: Sequence[DimensionScore]) -> bool:
    """Whether five *scores* are DimensionScores themselves (not subclasses) of the five dimensions in order."""
    a, b, c, d, e = scores
    t = DimensionScore
    return (
        type(a) is t
        and type(b) is t
        and type(c) is t
        and type(d) is t
        and type(e) is t
        and a.dimension is _BRAND
        and b.dimension is _PRICE
        and c.dimension is _DISTRIBUTION
        and d.dimension is _SERVICE
        and e.dimension is _SALES
    )


# Read once: on Python 3.11 each ``Dimension.X`` is a metaclass attribute lookup.
_ORDER: Final = tuple(Dimension)
_BRAND, _PRICE, _DISTRIBUTION, _SERVICE, _SALES = _ORDER
#: The default weights, built once (a frozen value: sharing it is safe).
_DEFAULT_WEIGHTS: Final = CompositeWeights()
#: SkuScores from parts :meth:`SkuScores.of` proved valid, without the validators (equal to the validated ones).
_trusted_scores: Final = builder(SkuScores)

# Deprecated alias, kept: documented contract (``ScoreCard`` was the name of SkuScores until 0.1; it differed from
# the rule table Scorecard only by case).
ScoreCard = SkuScores
