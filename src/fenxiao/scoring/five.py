"""The runner of five-dimension scoring: :class:`FiveDimensionScorer`, one scorer per dimension and a composite.

:class:`FiveDimensionScorer` runs one :class:`~fenxiao.scoring.plugins.DimensionScorer` per dimension, checks
what each returns, and combines the five values into the :class:`~fenxiao.scoring.dimensions.SkuScores` of a
SKU. It knows scorers only by the plug-in protocol; the default one, built from the default scorecards, is
:func:`fenxiao.scoring.defaults.default_scorer`.

>>> from fenxiao.sample import load_sample
>>> from fenxiao.scoring.defaults import default_scorer
>>> snapshots = load_sample().latest_snapshots()
>>> scorer = default_scorer()
>>> cards = scorer.score_many(snapshots)          # builds the category context from the batch
>>> [s.dimension.value for s in cards[0].scores] == [d.value for d in Dimension]
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs

from fenxiao._internal.fixed import ONE_PPM, div_half_even
from fenxiao._internal.trusted import builder
from fenxiao.domain.ids import SkuId
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError, PluginError, PolicyError
from fenxiao.scoring.compiled import CompiledScorecard
from fenxiao.scoring.context import ScoringContext, build_context
from fenxiao.scoring.dimensions import CompositeWeights, Dimension, DimensionScore, SkuScores, _centi, _points
from fenxiao.scoring.plugins import DimensionScorer, call_scorer, check_result, check_shape, plugin_name
from fenxiao.scoring.registry import ScorerRegistry, default_registry
from fenxiao.scoring.scorecards import Scorecard, ScorecardScorer, _score_fast

if TYPE_CHECKING:
    from fenxiao.scoring.scorecards import MetricRule, Scorecards

__all__ = ["FiveDimensionScorer"]

# The runner assembles SkuScores from results check_result() has passed, so it skips the validators.
_sku_scores = builder(SkuScores)


def _ordered_scorers(scorers: Iterable[DimensionScorer]) -> tuple[DimensionScorer, ...]:
    value: object = scorers  # checked at run time: callers may pass anything
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidValueError("FiveDimensionScorer.scorers", value, "must be an iterable of dimension scorers")
    by_dimension: dict[Dimension, DimensionScorer] = {}
    for i, scorer in enumerate(value):
        dimension = check_shape(scorer, f"FiveDimensionScorer.scorers[{i}]")
        if dimension in by_dimension:
            raise PolicyError(
                f"FiveDimensionScorer.scorers[{i}]",
                plugin_name(scorer),
                f"is a second scorer for {dimension.value} (after {plugin_name(by_dimension[dimension])!r})",
            )
        by_dimension[dimension] = scorer
    missing = [d.value for d in Dimension if d not in by_dimension]
    if missing:
        raise PolicyError("FiveDimensionScorer.scorers", missing, "has no scorer for these dimensions")
    return tuple(by_dimension[d] for d in Dimension)


@attrs.frozen
class FiveDimensionScorer:
    """Runs one scorer per dimension and combines their values into a :class:`SkuScores`.

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
    # The scorecards of plain ScorecardScorers, compiled, or False (see _plan), found on first use.
    _scorecards: Any = attrs.field(init=False, default=None, repr=False, eq=False)

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
        scorers: list[DimensionScorer] = []
        for dimension in Dimension:
            name = scorecards.scorers[dimension]
            if name is None:
                scorers.append(scorecards.scorecard_scorer(dimension))
                continue
            if registry is None:
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

        >>> from fenxiao.scoring.defaults import default_scorer
        >>> class Flat:
        ...     name, dimension = "flat", Dimension.BRAND
        ...     def score(self, snapshot, context):
        ...         return DimensionScore(Dimension.BRAND, 50)
        >>> default_scorer().replace(Flat()).scorer(Dimension.BRAND).name
        'flat'
        """
        dimension = check_shape(scorer, "FiveDimensionScorer.replace.scorer")
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
                f"is scored by {plugin_name(current)!r}, which is not a scorecard; replace() it instead",
            )
        scorer: DimensionScorer = with_rule(rule)
        return self.replace(scorer)

    def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> SkuScores:
        """The :class:`SkuScores` of one snapshot against *context*.

        Raises:
            PluginError: A scorer raised or broke its contract (naming it and the SKU).
        """
        plan = self._scorecards
        if plan is None:
            plan = self._plan()
        if plan and type(snapshot) is SkuSnapshot and type(context) is ScoringContext:
            # Scorecard scorers build valid scores of their own dimension from validated scorecards: nothing to
            # check (an error still goes through the checked path below, which names the scorer and the SKU).
            try:
                return self._scorecard_card(plan, snapshot, context)
            except Exception:
                pass
        results = [
            check_result(call_scorer(s, snapshot, context), s, d, snapshot.sku_id)
            for d, s in zip(Dimension, self.scorers, strict=True)
        ]
        return self._card(snapshot.sku_id, results)

    def score_many(
        self, snapshots: Iterable[SkuSnapshot], context: ScoringContext | None = None
    ) -> tuple[SkuScores, ...]:
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
        plan = self._scorecards
        if plan is None:
            plan = self._plan()
        if plan:  # plain scorecard scorers: the same cards as one SKU at a time, without the batch's columns
            return tuple(self.score(snap, ctx) for snap in batch)
        columns = [self._column(d, s, batch, ctx) for d, s in zip(Dimension, self.scorers, strict=True)]
        return tuple(self._card(snap.sku_id, [col[i] for col in columns]) for i, snap in enumerate(batch))

    def _column(
        self, dimension: Dimension, scorer: DimensionScorer, batch: tuple[SkuSnapshot, ...], ctx: ScoringContext
    ) -> list[DimensionScore]:
        if type(scorer) is ScorecardScorer:  # valid scores of its own dimension (see score); errors: checked below
            try:
                return [scorer.score(s, ctx) for s in batch]
            except Exception:
                pass
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
                    raise PluginError(plugin_name(scorer), None, problem)
                return [check_result(r, scorer, dimension, s.sku_id) for r, s in zip(results, batch, strict=True)]
        column = [check_result(call_scorer(scorer, s, ctx), scorer, dimension, s.sku_id) for s in batch]
        if score_batch is not None and batch:
            raise PluginError(plugin_name(scorer), None, "score_batch raised, but score succeeded on every SKU")
        return column

    def _plan(self) -> tuple[tuple[Dimension, Scorecard, CompiledScorecard | None], ...] | bool:
        """When every scorer is a :class:`~fenxiao.scoring.scorecards.ScorecardScorer` itself (not a subclass): each
        one's dimension, scorecard and compiled function; else ``False``. Found (and compiled) once."""
        plan: tuple[tuple[Dimension, Scorecard, CompiledScorecard | None], ...] | bool = False
        if all(type(s) is ScorecardScorer for s in self.scorers):
            cards = [s.scorecard for s in self.scorers]  # type: ignore[attr-defined]
            plan = tuple((d, card, card._compiled()) for d, card in zip(Dimension, cards, strict=True))
        object.__setattr__(self, "_scorecards", plan)
        return plan

    def _scorecard_card(
        self,
        plan: tuple[tuple[Dimension, Scorecard, CompiledScorecard | None], ...],
        snapshot: SkuSnapshot,
        context: ScoringContext,
    ) -> SkuScores:
        """The card of *snapshot* from the scorecards of *plan* (see :meth:`_plan`), its composite from their values."""
        weights = self.weights
        total = 0
        results = []
        for (dimension, card, compiled), w in zip(plan, weights.ppm, strict=True):
            result, centi = _score_fast(dimension, card, compiled, snapshot, context)
            results.append(result)
            total += w * centi
        return _sku_scores(snapshot.sku_id, *results, _points(div_half_even(total, ONE_PPM)), weights)

    def _card(self, sku_id: SkuId, results: list[DimensionScore]) -> SkuScores:
        # Every result is a valid score of its dimension, in Dimension order (checked by check_result(), or built by
        # a scorecard scorer), so the card is assembled without re-validating it.
        weights = self.weights
        w = weights.ppm
        b, p, d, s, x = results
        total = w[0] * _centi(b.value) + w[1] * _centi(p.value) + w[2] * _centi(d.value) + w[3] * _centi(s.value)
        total += w[4] * _centi(x.value)
        return _sku_scores(sku_id, b, p, d, s, x, _points(div_half_even(total, ONE_PPM)), weights)


_INDEX: Final = {d: i for i, d in enumerate(Dimension)}
