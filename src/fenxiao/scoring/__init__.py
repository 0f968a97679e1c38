"""Scoring: the five dimensions, metrics, scorecards, the scorer plug-in point and its registry.

The package face: ``from fenxiao.scoring import FiveDimensionScorer, SkuScores, Scorecards ...``. Its modules,
from the bottom up::

    context       CategoryBenchmark, ScoringContext, build_context, MEDIAN_METRICS: what a SKU is compared against
    dimensions    Dimension, Contribution, DimensionScore, CompositeWeights, SkuScores: the values scoring makes
    formulas      the integer formulas of the derived metrics, shared by the object and columnar paths
    metrics       Metric, register_metric, get_metric and the built-in metrics
    plugins       DimensionScorer, BatchDimensionScorer: the plug-in point, and the checks applied to plug-ins
    registry      ScorerRegistry, default_registry: plug-ins by name, and the ``fenxiao.scorers`` entry points
    scorecards    MetricRule, Cap, Scorecard, Scorecards, ScorecardScorer, default_scorecards, MEDIAN: scoring as data
    five          FiveDimensionScorer: one scorer per dimension and the composite
    lint          lint_scorecards: what a scorecards file can get wrong and still load
    defaults      default_scorer, and the built-in registry names: the one module that knows both scorecards
                  and plug-ins

Modules inside the package import each other directly, never through this face.

>>> from fenxiao.sample import load_sample
>>> default_scorer().score_many(load_sample().latest_snapshots())[0].composite > 0
True
"""

from fenxiao.scoring.context import (
    DEFAULT_MAX_GMV_VALUES,
    MEDIAN_METRICS,
    CategoryBenchmark,
    ScoringContext,
    build_context,
)
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import (
    CompositeWeights,
    Contribution,
    Dimension,
    DimensionScore,
    ScoreCard,
    SkuScores,
    composite_centi,
    round_points,
)
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.lint import lint_scorecards
from fenxiao.scoring.metrics import (
    Metric,
    MetricFunction,
    get_metric,
    metric_names,
    register_metric,
    unregister_metric,
)
from fenxiao.scoring.plugins import BatchDimensionScorer, DimensionScorer
from fenxiao.scoring.registry import ENTRY_POINT_GROUP, ScorerRegistry, default_registry
from fenxiao.scoring.scorecards import (
    DEFAULTS_FILE,
    MAX_BREAKPOINT_UNITS,
    MEDIAN,
    Cap,
    MetricRule,
    Scorecard,
    Scorecards,
    ScorecardScorer,
    ScorerNames,
    default_scorecards,
)

__all__ = [
    "DEFAULTS_FILE",
    "DEFAULT_MAX_GMV_VALUES",
    "ENTRY_POINT_GROUP",
    "MAX_BREAKPOINT_UNITS",
    "MEDIAN",
    "MEDIAN_METRICS",
    "BatchDimensionScorer",
    "Cap",
    "CategoryBenchmark",
    "CompositeWeights",
    "Contribution",
    "Dimension",
    "DimensionScore",
    "DimensionScorer",
    "FiveDimensionScorer",
    "Metric",
    "MetricFunction",
    "MetricRule",
    "ScoreCard",
    "Scorecard",
    "ScorecardScorer",
    "Scorecards",
    "ScorerNames",
    "ScorerRegistry",
    "ScoringContext",
    "SkuScores",
    "build_context",
    "composite_centi",
    "default_registry",
    "default_scorecards",
    "default_scorer",
    "get_metric",
    "lint_scorecards",
    "metric_names",
    "register_metric",
    "round_points",
    "unregister_metric",
]
