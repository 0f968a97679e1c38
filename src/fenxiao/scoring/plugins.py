"""The scorer plug-in point: :class:`DimensionScorer`, and the checks every runner applies to a plug-in.

A dimension scorer is any object with a ``name``, a ``dimension`` and a ``score(snapshot, context)`` method
returning a :class:`~fenxiao.scoring.dimensions.DimensionScore`; nothing to inherit. The declarative
:class:`~fenxiao.scoring.scorecards.ScorecardScorer` is one; ``docs/write-a-scorer.md`` shows how to write
another. Whoever runs plug-ins (:class:`~fenxiao.scoring.five.FiveDimensionScorer`, the registry, the columnar
path) checks them with the functions here, so that a plug-in that breaks its contract raises
:class:`~fenxiao.errors.PluginError` naming it, and the SKU when there is one.

>>> from fenxiao.scoring.dimensions import Dimension, DimensionScore
>>> class Flat:
...     name, dimension = "flat", Dimension.BRAND
...     def score(self, snapshot, context):
...         return DimensionScore(Dimension.BRAND, 50)
>>> isinstance(Flat(), DimensionScorer), check_shape(Flat(), "scorers[0]")
(True, <Dimension.BRAND: 'brand'>)
>>> check_result(DimensionScore(Dimension.PRICE, 50), Flat(), Dimension.BRAND, "sku-1")
Traceback (most recent call last):
...
fenxiao.errors.PluginError: plug-in 'flat' on 'sku-1': returned a price score, but it scores brand
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final, Protocol, runtime_checkable

from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import PluginError
from fenxiao.scoring.context import ScoringContext
from fenxiao.scoring.dimensions import Dimension, DimensionScore

__all__ = [
    "BatchDimensionScorer",
    "DimensionScorer",
    "call_scorer",
    "check_result",
    "check_shape",
    "plugin_name",
]

_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)


@runtime_checkable
class DimensionScorer(Protocol):
    """Scores one dimension of one SKU. Any object of this shape works; nothing to inherit.

    ``score`` must be pure (no I/O, no clock) and return a :class:`DimensionScore` for
    ``dimension``; :class:`~fenxiao.scoring.five.FiveDimensionScorer` turns anything else into a
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

    .. versionadded:: 0.1
    """

    def score_batch(self, snapshots: Sequence[SkuSnapshot], context: ScoringContext) -> Sequence[DimensionScore]:
        """The scores of *snapshots*, in order."""
        ...


def plugin_name(scorer: object) -> str:
    """The name to report *scorer* by: its ``name`` if it has a non-empty one, else its repr."""
    name = getattr(scorer, "name", None)
    return name if isinstance(name, str) and name else repr(scorer)


def check_shape(scorer: object, path: str, name: str | None = None) -> Dimension:
    """The scorer's dimension, after checking it has the protocol's shape.

    Args:
        scorer: Anything offered as a :class:`DimensionScorer`.
        path: Where it was given (``"FiveDimensionScorer.scorers[2]"``), for the message; may be empty.
        name: The name to report it by (a registry's name for it); its own ``name`` by default.

    Raises:
        PluginError: No :class:`Dimension` in ``.dimension``, or no ``score`` method.
    """
    plugin = name if name is not None else plugin_name(scorer)
    where = f"{path}: " if path else ""
    dimension = getattr(scorer, "dimension", None)
    if not isinstance(dimension, Dimension):
        raise PluginError(plugin, None, f"{where}has no Dimension in .dimension (got {dimension!r})")
    if not callable(getattr(scorer, "score", None)):
        raise PluginError(plugin, None, f"{where}has no score(snapshot, context) method")
    return dimension


def check_result(result: object, scorer: object, dimension: Dimension, sku_id: str) -> DimensionScore:
    """*result*, after checking that it is a valid :class:`DimensionScore` of *dimension*.

    Raises:
        PluginError: Something other than a DimensionScore, a score of another dimension, or a value
            outside 0.00-100.00 (naming *scorer* and *sku_id*).
    """
    if not isinstance(result, DimensionScore):
        problem = f"returned {type(result).__name__} {result!r}, not a DimensionScore"
        raise PluginError(plugin_name(scorer), sku_id, problem)
    if result.dimension is not dimension:
        problem = f"returned a {result.dimension.value} score, but it scores {dimension.value}"
        raise PluginError(plugin_name(scorer), sku_id, problem)
    value: object = result.value
    # Re-checked because a frozen instance can still be forged with object.__setattr__.
    if not isinstance(value, Decimal) or not _ZERO <= value <= _HUNDRED or value.as_tuple().exponent != -2:
        raise PluginError(plugin_name(scorer), sku_id, f"returned the value {value!r}, outside 0.00-100.00")
    return result


def call_scorer(scorer: DimensionScorer, snapshot: SkuSnapshot, context: ScoringContext) -> Any:
    """``scorer.score(snapshot, context)``, with any exception but a PluginError turned into one naming both.

    The result is unchecked: pass it to :func:`check_result`.
    """
    try:
        return scorer.score(snapshot, context)
    except PluginError:
        raise
    except Exception as exc:
        problem = f"raised {type(exc).__name__}: {exc}"
        raise PluginError(plugin_name(scorer), snapshot.sku_id, problem) from exc
