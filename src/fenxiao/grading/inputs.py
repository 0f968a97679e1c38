"""The inputs of a tier policy: :data:`TIER_INPUTS`, and :func:`tier_inputs` that reads them off one SKU.

Conditions compare named inputs: every metric of a :class:`~fenxiao.domain.snapshots.SkuSnapshot` (rates as
fractions, money in yuan), the five dimension scores and the composite (0–100), ``days_since_joining``
(whole days from joining the pool to ``as_of``), and ``units_vs_category``: the SKU's 30-day units as a whole
percent of its category's median units (of the selling goods, from the scoring context's
:attr:`~fenxiao.scoring.context.CategoryBenchmark.units_median`), floored; missing (``None``) without a
benchmark for the category or when no good of it sells. A necklace selling 2 where necklaces sell a median of 1
is at 200; a shampoo selling 200 where shampoos sell a median of 2,000 is at 10.

>>> "score.service" in TIER_INPUTS, TIER_INPUTS["units_30d"].integer
(True, True)
>>> example_inputs(composite="92")["composite"]
Decimal('92')

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments, checks_arguments_on_failure
from fenxiao.domain.snapshots import METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate
from fenxiao.rules.language import InputKind, InputSpec, Schema
from fenxiao.scoring import formulas
from fenxiao.scoring.context import ScoringContext
from fenxiao.scoring.dimensions import SkuScores

__all__ = [
    "CONTEXT_INPUTS",
    "DIMENSION_INPUTS",
    "TIER_INPUTS",
    "example_inputs",
    "score_inputs",
    "tier_inputs",
    "units_vs_category",
]

#: The inputs read against the scoring context (category benchmarks); missing without one.
CONTEXT_INPUTS: Final = ("units_vs_category",)

#: The dimension-score inputs (0–100, exact to 0.01) and the composite. Dimension scores are
#: namespaced (``score.price``) so they never clash with a snapshot metric (``price`` is the selling price).
DIMENSION_INPUTS: Final = (
    "score.brand",
    "score.price",
    "score.distribution",
    "score.service",
    "score.sales",
    "composite",
)

_LOWER_IS_BETTER: Final = frozenset(
    {
        "bad_review_rate",
        "quality_return_rate",
        "refund_rate",
        "complaint_rate",
        "serious_violations_365d",
        "price",
        "lowest_price_30d",
    }
)
_NEUTRAL: Final = frozenset({"reference_price"})


def _snapshot_specs() -> list[InputSpec]:
    specs = []
    for field in attrs.fields(SkuSnapshot):
        if field.name not in METRIC_FIELDS:
            continue
        better: str | None = "lower" if field.name in _LOWER_IS_BETTER else None if field.name in _NEUTRAL else "higher"
        text = str(field.type)
        optional = "None" in text  # e.g. reference_price: Money | None
        if "bool" in text:
            specs.append(InputSpec(field.name, kind=InputKind.BOOL, better=better, optional=optional))
        elif "Rate" in text:
            specs.append(InputSpec(field.name, low=Decimal(0), high=Decimal(1), better=better, optional=optional))
        elif "Money" in text:
            specs.append(InputSpec(field.name, low=Decimal(0), better=better, description="in yuan", optional=optional))
        elif "Decimal" in text:
            specs.append(InputSpec(field.name, low=Decimal(0), high=Decimal(5), better=better, optional=optional))
        else:
            specs.append(InputSpec(field.name, low=Decimal(0), integer=True, better=better, optional=optional))
    return specs


#: Every input a tier condition may name.
TIER_INPUTS: Final = Schema.of(
    *_snapshot_specs(),
    *(InputSpec(name, low=Decimal(0), high=Decimal(100), description="score 0-100") for name in DIMENSION_INPUTS),
    InputSpec("days_since_joining", low=Decimal(0), integer=True, better=None, description="whole days in the pool"),
    InputSpec(
        "units_vs_category",
        low=Decimal(0),
        integer=True,
        optional=True,
        description="30-day units as a whole percent of the category's median units (selling goods), floored",
    ),
)


#: Inputs that may be missing (``None``): the compiled rules test them for ``None`` before comparing.
_OPTIONAL_INPUTS: Final = frozenset(spec.name for spec in TIER_INPUTS.inputs.values() if spec.optional)
#: Inputs holding whole numbers (counts, days): the compiled rules compare them with ``int`` thresholds.
_WHOLE_INPUTS: Final = frozenset(spec.name for spec in TIER_INPUTS.inputs.values() if spec.integer)


def _field_reader() -> Callable[[SkuSnapshot], dict[str, object]]:
    """The metric inputs of a SkuSnapshot as one dict display (a Rate by its value, Money in yuan, None kept), in
    METRIC_FIELDS order: what the loop over the fields in :func:`tier_inputs` gives for a SkuSnapshot itself, whose
    fields hold what their types say. Written from the snapshot's own field names, nothing else."""
    kinds = {a.name: str(a.type) for a in attrs.fields(SkuSnapshot)}
    items = []
    for name in METRIC_FIELDS:
        if not name.isidentifier():  # pragma: no cover - field names are identifiers
            raise ValueError(name)
        read = "value" if "Rate" in kinds[name] else "yuan" if "Money" in kinds[name] else None
        if read is None:
            items.append(f"{name!r}: s.{name}")
        elif "None" in kinds[name]:
            items.append(f"{name!r}: None if (x := s.{name}) is None else x.{read}")
        else:
            items.append(f"{name!r}: s.{name}.{read}")
    namespace: dict[str, Any] = {"__builtins__": {}}
    exec(f"def read(s):\n    return {{{', '.join(items)}}}\n", namespace)
    reader: Callable[[SkuSnapshot], dict[str, object]] = namespace["read"]
    return reader


#: The metric inputs of a SkuSnapshot, read in one generated function.
_READ_FIELDS: Final = _field_reader()
_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)


def _input_value(value: object) -> object:
    if isinstance(value, Rate):
        return value.value
    if isinstance(value, Money):
        return value.yuan
    return value


@checks_arguments_on_failure
def score_inputs(card: SkuScores) -> dict[str, object]:
    """The score inputs of one SKU's scores: ``score.<dimension>`` for each dimension and ``composite``."""
    if type(card) is SkuScores:  # its five fields by name (a dict keyed by Dimension costs an enum hash each)
        return {
            "score.brand": card.brand.value,
            "score.price": card.price.value,
            "score.distribution": card.distribution.value,
            "score.service": card.service.value,
            "score.sales": card.sales.value,
            "composite": card.composite,
        }
    values: dict[str, object] = {f"score.{d.value}": value for d, value in card.values().items()}
    values["composite"] = card.composite
    return values


def units_vs_category(snapshot: SkuSnapshot, context: ScoringContext | None) -> int | None:
    """The tier input ``units_vs_category`` of one SKU: its 30-day units as a whole percent of its category's
    median units (selling goods), floored; ``None`` without a benchmark or when no good of the category sells.

    >>> from fenxiao.sample import load_sample
    >>> from fenxiao.scoring.context import build_context
    >>> snapshots = load_sample().latest_snapshots()
    >>> necklace = next(s for s in snapshots if s.category_id == "c-gold" and s.units_30d == 2)
    >>> units_vs_category(necklace, build_context(snapshots)), units_vs_category(necklace, None)
    (200, None)
    """
    bench = context.benchmark_for(snapshot) if context is not None else None
    twice = bench.units_median_twice if bench is not None else None
    if twice is None:
        return None
    return formulas.units_percent_of_category_median(snapshot.units_30d, twice)


@checks_arguments_on_failure
def tier_inputs(
    snapshot: SkuSnapshot,
    scores: Mapping[str, object],
    as_of: datetime,
    *,
    context: ScoringContext | None = None,
) -> dict[str, object]:
    """The named inputs of one SKU: snapshot metrics, dimension scores and composite, days since joining, and
    the inputs read against the category benchmarks (:data:`CONTEXT_INPUTS`).

    Args:
        snapshot: The SKU's observed metrics.
        scores: ``score.brand``, ``score.price``, ``score.distribution``, ``score.service``, ``score.sales``
            and ``composite`` (0–100).
        as_of: The moment of grading (timezone-aware); days are counted to it.
        context: The scoring context the SKU was scored against; without it (``None``) ``units_vs_category``
            is missing.

    .. versionchanged:: 0.3
       *context*, for ``units_vs_category``.

    Raises:
        InvalidValueError: A score is missing or outside 0–100, or *as_of* is naive or before joining.
    """
    when = v.require_aware(as_of, "tier_inputs.as_of")
    values: dict[str, object]
    if type(snapshot) is SkuSnapshot:  # its fields hold what their types say (the validators saw to it)
        values = _READ_FIELDS(snapshot)
    else:
        values = {}
        for name in METRIC_FIELDS:
            value = getattr(snapshot, name)
            # A metric the snapshot lacks is None: it satisfies no comparison (see fenxiao.rules.language).
            values[name] = None if value is None else _input_value(value)
    for name in DIMENSION_INPUTS:
        if name not in scores:
            raise InvalidValueError(f"scores.{name}", None, "is required for grading")
        score = scores[name]
        if not isinstance(score, Decimal) or not _ZERO <= score <= _HUNDRED:
            raise InvalidValueError(f"scores.{name}", score, "must be a Decimal between 0 and 100")
        values[name] = score
    days = (when - snapshot.joined_at).days
    if days < 0:
        raise InvalidValueError("tier_inputs.as_of", as_of, "is before the SKU joined the pool")
    values["days_since_joining"] = days
    values["units_vs_category"] = units_vs_category(snapshot, context)
    return values


@checks_arguments
def example_inputs(**overrides: object) -> dict[str, object]:
    """A complete set of tier inputs with neutral values, for examples and tests.

    Every snapshot metric is zero/false, every score is 50, ``days_since_joining`` is 30, ``units_vs_category``
    is missing (no scoring context); *overrides* replace them (strings are read as Decimals: ``composite="92.5"``).
    """
    values: dict[str, object] = {}
    for spec in TIER_INPUTS.inputs.values():
        if spec.kind is InputKind.BOOL:
            values[spec.name] = False
        elif spec.name in DIMENSION_INPUTS:
            values[spec.name] = Decimal(50)
        else:
            values[spec.name] = 0 if spec.integer else Decimal(0)
    values["days_since_joining"] = 30
    values["units_vs_category"] = None
    for name, value in overrides.items():
        if name not in TIER_INPUTS:
            raise InvalidValueError(f"example_inputs.{name}", value, "is not a tier input" + TIER_INPUTS.suggest(name))
        values[name] = Decimal(value) if isinstance(value, str) else value
    return values


def _scores_of(scorecard: object) -> Mapping[str, object]:
    """The six score inputs of a :class:`~fenxiao.scoring.dimensions.SkuScores` (or a mapping holding them)."""
    if isinstance(scorecard, Mapping):
        return scorecard
    values = getattr(scorecard, "values", None)
    composite = getattr(scorecard, "composite", None)
    if callable(values) and composite is not None:
        result: dict[str, object] = {f"score.{getattr(d, 'value', d)}": value for d, value in values().items()}
        result["composite"] = composite
        return result
    raise InvalidValueError("scorecard", scorecard, "must be a SkuScores or a mapping of score inputs")
