"""The five-dimension scorer (五维矩阵评估模型): :class:`Dimension`, :class:`ScoreCard`, :func:`default_scorer`.

快分销 grades goods on five dimensions: 品牌力 brand, 价格力 price, 分销力 distribution,
服务力 service and 销售力 sales. Each dimension has a :class:`DimensionScorer`, a
plug-in point any object of the right shape satisfies; the defaults are declarative
scorecards (:mod:`fenxiao.scoring.scorecards`). :class:`FiveDimensionScorer` runs the five
scorers, checks what they return, and combines the values into a composite.

>>> from fenxiao.sample import load_sample
>>> snapshots = load_sample().latest_snapshots()
>>> scorer = default_scorer()
>>> cards = scorer.score_many(snapshots)          # builds the category context from the batch
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
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.fixed import EXACT, ONE_PPM, POINT_PLACES, WEIGHT_PLACES, div_half_even, points_decimal, unscaled
from fenxiao.domain.ids import SkuId
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError, PluginError, PolicyError
from fenxiao.scoring.context import ScoringContext, build_context

if TYPE_CHECKING:
    from fenxiao.scoring.registry import ScorerRegistry
    from fenxiao.scoring.scorecards import MetricRule, Scorecards

__all__ = [
    "BatchDimensionScorer",
    "CompositeWeights",
    "Contribution",
    "Dimension",
    "DimensionScore",
    "DimensionScorer",
    "FiveDimensionScorer",
    "ScoreCard",
    "default_scorer",
    "round_points",
]

_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)


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


def _to_points(value: object) -> object:
    """Converter: an int, or a Decimal with at most two places, becomes a Decimal with exactly two."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > 10**6:  # far outside 0-100: leave it for the validator to name
            return value
        return Decimal(value).quantize(Decimal("0.01"))
    if isinstance(value, Decimal) and value.is_finite():
        if abs(value) > 10**6:
            return value
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent != -POINT_PLACES and exponent >= -POINT_PLACES:
            return value.quantize(Decimal("0.01"), context=EXACT)
    return value


def _check_points(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
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
    path = v.path_of(instance, attribute)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValueError(path, value, "must be a Decimal")
    if value < 0:
        raise InvalidValueError(path, value, "must not be negative")
    units = value.scaleb(WEIGHT_PLACES, context=EXACT)
    if units != units.to_integral_value():
        raise InvalidValueError(path, value, f"must have at most {WEIGHT_PLACES} decimal places")


def _check_optional_decimal(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be a finite Decimal or None")


def _check_label(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be non-blank text")


def _tuple_of(kind: type[Any]) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
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


@attrs.frozen
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

    @property
    def centi(self) -> int:
        """The value in hundredths of a point (an int from 0 to 10,000)."""
        return int(self.value.scaleb(POINT_PLACES))


# Internal fast paths: the scorers build results from values they have already validated, so they skip the
# validators (a frozen attrs class is filled with object.__setattr__, as its own __init__ does).
_new = object.__new__
_set = object.__setattr__


def _contribution(metric: str, raw: Decimal | None, points: Decimal, weight: Decimal, reason: str) -> Contribution:
    c: Contribution = _new(Contribution)
    _set(c, "metric", metric)
    _set(c, "raw", raw)
    _set(c, "points", points)
    _set(c, "weight", weight)
    _set(c, "reason", reason)
    return c


def _dimension_score(
    dimension: Dimension, value: Decimal, contributions: tuple[Contribution, ...], notes: tuple[str, ...]
) -> DimensionScore:
    s: DimensionScore = _new(DimensionScore)
    _set(s, "dimension", dimension)
    _set(s, "value", value)
    _set(s, "contributions", contributions)
    _set(s, "notes", notes)
    return s


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


def composite_centi(values_centi: Sequence[int], weights: CompositeWeights) -> int:
    """The composite in hundredths from five dimension values in hundredths (:class:`Dimension` order)."""
    total = sum(w * x for w, x in zip(weights.ppm, values_centi, strict=True))
    return div_half_even(total, ONE_PPM)


@attrs.frozen
class ScoreCard:
    """The five dimension scores of one SKU, their composite and the weights that made it.

    The composite is always ``round_half_even(sum(weight * value), 0.01)`` of the five values;
    building a card whose composite disagrees is an error, so a card and its explanation
    cannot disagree. :meth:`of` computes it.

    >>> parts = [DimensionScore(d, Decimal(60 + 5 * i)) for i, d in enumerate(Dimension)]
    >>> card = ScoreCard.of("sku-1", parts)
    >>> card.composite, card[Dimension.SALES].value, card.values()[Dimension.BRAND]
    (Decimal('70.00'), Decimal('80.00'), Decimal('60.00'))

    .. versionadded:: 0.1
    """

    sku_id: SkuId = attrs.field(validator=v.identifier)
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
        path = f"ScoreCard.{attribute.name}"
        if not isinstance(value, DimensionScore):
            raise InvalidValueError(path, value, "must be a DimensionScore")
        if value.dimension.value != attribute.name:
            raise InvalidValueError(f"{path}.dimension", value.dimension.value, f"must be {attribute.name!r}")

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.weights, CompositeWeights):
            raise InvalidValueError("ScoreCard.weights", self.weights, "must be CompositeWeights")
        expected = unscaled(composite_centi([s.centi for s in self.scores], self.weights), POINT_PLACES)
        if self.composite != expected:
            raise InvalidValueError(
                "ScoreCard.composite", self.composite, f"disagrees with the weighted dimensions ({expected})"
            )

    @classmethod
    def of(cls, sku_id: str, scores: Iterable[DimensionScore], weights: CompositeWeights | None = None) -> ScoreCard:
        """A card from one :class:`DimensionScore` per dimension (any order), computing the composite."""
        by_dimension: dict[Dimension, DimensionScore] = {}
        for i, score in enumerate(scores):
            if not isinstance(score, DimensionScore):
                raise InvalidValueError(f"ScoreCard.of.scores[{i}]", score, "must be a DimensionScore")
            if score.dimension in by_dimension:
                raise InvalidValueError(f"ScoreCard.of.scores[{i}]", score.dimension.value, "repeats a dimension")
            by_dimension[score.dimension] = score
        missing = [d.value for d in Dimension if d not in by_dimension]
        if missing:
            raise InvalidValueError("ScoreCard.of.scores", missing, "lacks these dimensions")
        weights = weights if weights is not None else CompositeWeights()
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
        >>> print(ScoreCard.of("sku-1", parts).explanation.splitlines()[0])
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


# -- the plug-in point -----------------------------------------------------------------------------------


@runtime_checkable
class DimensionScorer(Protocol):
    """Scores one dimension of one SKU. Any object of this shape works; nothing to inherit.

    ``score`` must be pure (no I/O, no clock) and return a :class:`DimensionScore` for
    ``dimension``; :class:`FiveDimensionScorer` turns anything else into a
    :class:`~fenxiao.errors.PluginError` naming ``name`` and the SKU.

    .. versionadded:: 0.1
    """

    @property
    def name(self) -> str:
        """A name for messages and registries, e.g. ``"acme.service"``."""
        ...

    @property
    def dimension(self) -> Dimension:
        """The dimension it scores."""
        ...

    def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
        """The dimension's score for *snapshot* against *context*."""
        ...


@runtime_checkable
class BatchDimensionScorer(DimensionScorer, Protocol):
    """A :class:`DimensionScorer` that can also score a batch in one call (optional).

    ``score_batch`` returns one score per snapshot, in order, equal to what ``score`` gives.
    Scorers without it are called once per snapshot.
    """

    def score_batch(self, snapshots: Sequence[SkuSnapshot], context: ScoringContext) -> Sequence[DimensionScore]:
        """The scores of *snapshots*, in order."""
        ...


def _plugin_name(scorer: object) -> str:
    name = getattr(scorer, "name", None)
    return name if isinstance(name, str) and name else repr(scorer)


def _check_shape(scorer: object, path: str, name: str | None = None) -> Dimension:
    """The scorer's dimension, after checking it has the protocol's shape; *path* says where it was given."""
    plugin = name if name is not None else _plugin_name(scorer)
    where = f"{path}: " if path else ""
    dimension = getattr(scorer, "dimension", None)
    if not isinstance(dimension, Dimension):
        raise PluginError(plugin, None, f"{where}has no Dimension in .dimension (got {dimension!r})")
    if not callable(getattr(scorer, "score", None)):
        raise PluginError(plugin, None, f"{where}has no score(snapshot, context) method")
    return dimension


def _checked(result: object, scorer: object, dimension: Dimension, sku_id: str) -> DimensionScore:
    if not isinstance(result, DimensionScore):
        problem = f"returned {type(result).__name__} {result!r}, not a DimensionScore"
        raise PluginError(_plugin_name(scorer), sku_id, problem)
    if result.dimension is not dimension:
        problem = f"returned a {result.dimension.value} score, but it scores {dimension.value}"
        raise PluginError(_plugin_name(scorer), sku_id, problem)
    value: object = result.value
    # Re-checked because a frozen instance can still be forged with object.__setattr__.
    if not isinstance(value, Decimal) or not _ZERO <= value <= _HUNDRED or value.as_tuple().exponent != -2:
        raise PluginError(_plugin_name(scorer), sku_id, f"returned the value {value!r}, outside 0.00-100.00")
    return result


def _call(scorer: DimensionScorer, snapshot: SkuSnapshot, context: ScoringContext) -> Any:
    try:
        return scorer.score(snapshot, context)
    except PluginError:
        raise
    except Exception as exc:
        problem = f"raised {type(exc).__name__}: {exc}"
        raise PluginError(_plugin_name(scorer), snapshot.sku_id, problem) from exc


def _ordered_scorers(scorers: Iterable[DimensionScorer]) -> tuple[DimensionScorer, ...]:
    value: object = scorers  # checked at run time: callers may pass anything
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidValueError("FiveDimensionScorer.scorers", value, "must be an iterable of dimension scorers")
    by_dimension: dict[Dimension, DimensionScorer] = {}
    for i, scorer in enumerate(value):
        dimension = _check_shape(scorer, f"FiveDimensionScorer.scorers[{i}]")
        if dimension in by_dimension:
            raise PolicyError(
                f"FiveDimensionScorer.scorers[{i}]",
                _plugin_name(scorer),
                f"is a second scorer for {dimension.value} (after {_plugin_name(by_dimension[dimension])!r})",
            )
        by_dimension[dimension] = scorer
    missing = [d.value for d in Dimension if d not in by_dimension]
    if missing:
        raise PolicyError("FiveDimensionScorer.scorers", missing, "has no scorer for these dimensions")
    return tuple(by_dimension[d] for d in Dimension)


@attrs.frozen
class FiveDimensionScorer:
    """Runs one scorer per dimension and combines their values into a :class:`ScoreCard`.

    Args:
        scorers: One :class:`DimensionScorer` per dimension, in any order (kept in
            :class:`Dimension` order).
        weights: The composite weights; equal by default.

    Raises:
        PolicyError: A dimension without a scorer, or with two.
        PluginError: An object without a ``dimension`` or a ``score`` method.

    Every result a scorer returns is checked: a plug-in that raises, returns something other
    than a :class:`DimensionScore`, a score for another dimension, or a value outside
    0.00-100.00 gives a :class:`~fenxiao.errors.PluginError` naming the plug-in and the SKU.

    .. versionadded:: 0.1
    """

    scorers: tuple[DimensionScorer, ...] = attrs.field(converter=_ordered_scorers)
    weights: CompositeWeights = attrs.field(factory=CompositeWeights)

    @weights.validator
    def _check_weights(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, CompositeWeights):
            raise InvalidValueError("FiveDimensionScorer.weights", value, "must be CompositeWeights")

    @classmethod
    def from_scorecards(cls, scorecards: Scorecards, *, registry: ScorerRegistry | None = None) -> FiveDimensionScorer:
        """The scorer a :class:`~fenxiao.scoring.scorecards.Scorecards` describes.

        Dimensions whose scorecard names a plug-in (``[scorers] service = "acme.service"``) get that
        scorer from *registry* (the default registry when ``None``, which then looks at the
        ``fenxiao.scorers`` entry points); the others evaluate their declarative scorecard.

        Raises:
            PolicyError: A named scorer that no registry or entry point provides.
            PluginError: A named scorer for another dimension, or one that fails to load.
        """
        from fenxiao.scoring.scorecards import ScorecardScorer

        scorers: list[DimensionScorer] = []
        for dimension in Dimension:
            name = scorecards.scorers[dimension]
            if name is None:
                scorers.append(ScorecardScorer(dimension, scorecards[dimension]))
                continue
            if registry is None:
                from fenxiao.scoring.registry import default_registry

                registry = default_registry()
            scorer = registry.get(name)
            if scorer.dimension is not dimension:
                raise PluginError(name, None, f"scores {scorer.dimension.value}, but is named for {dimension.value}")
            scorers.append(scorer)
        return cls(scorers, scorecards.weights)

    def scorer(self, dimension: Dimension) -> DimensionScorer:
        """The scorer of *dimension*."""
        return self.scorers[_INDEX[dimension]]

    def replace(self, scorer: DimensionScorer) -> FiveDimensionScorer:
        """A copy whose scorer for ``scorer.dimension`` is *scorer*; the other four stay.

        >>> from fenxiao.scoring.scorecards import ScorecardScorer
        >>> class Flat:
        ...     name, dimension = "flat", Dimension.BRAND
        ...     def score(self, snapshot, context):
        ...         return DimensionScore(Dimension.BRAND, 50)
        >>> default_scorer().replace(Flat()).scorer(Dimension.BRAND).name
        'flat'
        """
        dimension = _check_shape(scorer, "FiveDimensionScorer.replace.scorer")
        return attrs.evolve(
            self, scorers=[scorer if d is dimension else s for d, s in zip(Dimension, self.scorers, strict=True)]
        )

    def with_weights(self, weights: CompositeWeights) -> FiveDimensionScorer:
        """A copy with other composite weights."""
        return attrs.evolve(self, weights=weights)

    def with_signal(self, dimension: Dimension, rule: MetricRule) -> FiveDimensionScorer:
        """A copy whose scorecard for *dimension* also scores *rule* (or scores it anew, if the metric was there).

        Raises:
            PolicyError: The dimension is scored by a plug-in that is not a scorecard.
        """
        current = self.scorer(dimension)
        with_rule = getattr(current, "with_rule", None)
        if with_rule is None:
            raise PolicyError(
                "FiveDimensionScorer.with_signal.dimension",
                dimension.value,
                f"is scored by {_plugin_name(current)!r}, which is not a scorecard; replace() it instead",
            )
        scorer: DimensionScorer = with_rule(rule)
        return self.replace(scorer)

    def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> ScoreCard:
        """The :class:`ScoreCard` of one snapshot against *context*.

        Raises:
            PluginError: A scorer raised or broke its contract (naming it and the SKU).
        """
        results = [
            _checked(_call(s, snapshot, context), s, d, snapshot.sku_id)
            for d, s in zip(Dimension, self.scorers, strict=True)
        ]
        return self._card(snapshot.sku_id, results)

    def score_many(
        self, snapshots: Iterable[SkuSnapshot], context: ScoringContext | None = None
    ) -> tuple[ScoreCard, ...]:
        """The cards of a batch, in input order; equal to scoring each alone against the same context.

        Args:
            snapshots: The batch.
            context: The benchmarks to score against; by default built from this batch with
                :func:`~fenxiao.scoring.context.build_context`.

        Scorers with a ``score_batch`` method are called once for the batch; if that raises, the
        batch is re-run one SKU at a time so that the error names the SKU.
        """
        batch = tuple(snapshots)
        ctx = build_context(batch) if context is None else context
        columns = [self._column(d, s, batch, ctx) for d, s in zip(Dimension, self.scorers, strict=True)]
        return tuple(self._card(snap.sku_id, [col[i] for col in columns]) for i, snap in enumerate(batch))

    def _column(
        self, dimension: Dimension, scorer: DimensionScorer, batch: tuple[SkuSnapshot, ...], ctx: ScoringContext
    ) -> list[DimensionScore]:
        score_batch = getattr(scorer, "score_batch", None)
        if score_batch is not None and batch:
            results: list[Any] | None
            try:
                results = list(score_batch(batch, ctx))
            except Exception:
                results = None  # re-run one SKU at a time below, so that the error names the SKU
            if results is not None:
                if len(results) != len(batch):
                    problem = f"score_batch returned {len(results)} scores for {len(batch)} snapshots"
                    raise PluginError(_plugin_name(scorer), None, problem)
                return [_checked(r, scorer, dimension, s.sku_id) for r, s in zip(results, batch, strict=True)]
        column = [_checked(_call(scorer, s, ctx), scorer, dimension, s.sku_id) for s in batch]
        if score_batch is not None and batch:
            raise PluginError(_plugin_name(scorer), None, "score_batch raised, but score succeeded on every SKU")
        return column

    def _card(self, sku_id: SkuId, results: list[DimensionScore]) -> ScoreCard:
        # Every result passed _checked(), so the card is assembled without re-validating it.
        weights = self.weights
        total = sum(w * int(r.value.scaleb(POINT_PLACES)) for w, r in zip(weights.ppm, results, strict=True))
        card: ScoreCard = _new(ScoreCard)
        _set(card, "sku_id", sku_id)
        for result in results:
            _set(card, result.dimension.value, result)
        _set(card, "composite", points_decimal(div_half_even(total, ONE_PPM)))
        _set(card, "weights", weights)
        return card


_INDEX: Final = {d: i for i, d in enumerate(Dimension)}


@cache
def default_scorer() -> FiveDimensionScorer:
    """The default five-dimension scorer: the default scorecards, equal composite weights.

    >>> default_scorer().weights == CompositeWeights()
    True
    """
    from fenxiao.scoring.scorecards import default_scorecards

    return FiveDimensionScorer.from_scorecards(default_scorecards())
