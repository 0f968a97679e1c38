"""The defaults that join scorecards and plug-ins: :func:`default_scorer` and the built-in registry names.

This is the one module that knows both the declarative scorecards (:mod:`fenxiao.scoring.scorecards`) and
the plug-in side (:mod:`fenxiao.scoring.plugins`, :mod:`fenxiao.scoring.registry`,
:mod:`fenxiao.scoring.five`); everything else in the package knows one side only, so no import goes round.
Importing it (the package :mod:`fenxiao.scoring` does) registers ``default.brand`` ... ``default.sales``, the
scorers of the default scorecards, as built-ins of every :class:`~fenxiao.scoring.registry.ScorerRegistry`.

The default scorecards themselves are data: ``fenxiao/data/defaults/scorecards.toml``, read by
:func:`~fenxiao.scoring.scorecards.default_scorecards`.

>>> from fenxiao.scoring.registry import ScorerRegistry
>>> ScorerRegistry(entry_point_group=None).get("default.sales") is default_scorer().scorer(Dimension.SALES)
True
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from fenxiao.scoring.dimensions import Dimension
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.plugins import DimensionScorer
from fenxiao.scoring.registry import register_builtin
from fenxiao.scoring.scorecards import default_scorecards

__all__ = ["default_scorer"]


@cache
def default_scorer() -> FiveDimensionScorer:
    """The default five-dimension scorer: the default scorecards, equal composite weights.

    >>> from fenxiao.scoring.dimensions import CompositeWeights
    >>> default_scorer().weights == CompositeWeights()
    True
    """
    return FiveDimensionScorer.from_scorecards(default_scorecards())


def _builtin(dimension: Dimension) -> Callable[[], DimensionScorer]:
    def make() -> DimensionScorer:
        return default_scorer().scorer(dimension)

    return make


def _register_builtins() -> None:
    for dimension in Dimension:
        register_builtin(f"default.{dimension.value}", _builtin(dimension))


_register_builtins()
