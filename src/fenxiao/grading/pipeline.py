"""The whole grading job on the object path: five scores → tier → perks, for every SKU of a catalog.

>>> from fenxiao.sample import load_sample
>>> graded = grade_catalog(load_sample())
>>> len(graded) == len(load_sample().latest_snapshots())
True
>>> row = graded[0]
>>> row.decision.tier == default_tier_policy().grade(row.inputs)
True

Time is never read from the clock: ``as_of`` defaults to the newest snapshot's observation time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from fenxiao._internal import hooks, html
from fenxiao._internal import validators as v
from fenxiao._internal.frames import rows_to_frame
from fenxiao._internal.progress import Progress, reporter
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.inputs import DIMENSION_INPUTS, TIER_INPUTS, score_inputs, tier_inputs
from fenxiao.grading.perks import PerkCatalog, PerkResolution, _resolve_checked, default_perk_catalog
from fenxiao.grading.tiers import TierDecision, TierPolicy, default_tier_policy
from fenxiao.rules.language import InputKind
from fenxiao.scoring.context import ScoringContext, build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import SkuScores
from fenxiao.scoring.five import FiveDimensionScorer

if TYPE_CHECKING:
    import cattrs

__all__ = ["GradedSku", "catalog_as_of", "grade_catalog", "graded_frame", "graded_rows", "perk_context", "perk_inputs"]


@attrs.frozen
class GradedSku:
    """One SKU through the pipeline: its scorecard, its tier decision, its perks, and the inputs used."""

    sku_id: str
    category_id: str
    scorecard: SkuScores
    decision: TierDecision
    perks: PerkResolution
    inputs: Mapping[str, object] = attrs.field(eq=False, repr=False)

    def _repr_html_(self) -> str:
        """HTML for notebooks (Jupyter calls it): the key figures, every text escaped."""
        return html.graded_html(self)

    def __repr__(self) -> str:
        """A one-line repr of what identifies the value (its full form is long; ``attrs.asdict`` has it all)."""
        return html.short_repr(
            self,
            sku_id=self.sku_id,
            category_id=self.category_id,
            tier=self.decision.tier.value,
            composite=self.scorecard.composite,
            perks=[g.entry for g in self.perks.granted],
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer: the short repr."""
        html.pretty(self, printer, cycle)


@hooks.register
def _teach(converter: cattrs.Converter) -> None:
    # The inputs a SKU was graded on: each value is written by its own type (numbers as exact text) and read back
    # by the kind of input it is (a number input's text is a Decimal again).
    import cattrs

    def unstructure_inputs(inputs: Mapping[str, object]) -> dict[str, Any]:
        return {name: converter.unstructure(value, type(value)) for name, value in inputs.items()}

    def structure_inputs(value: object, _: Any) -> dict[str, object]:
        if not isinstance(value, Mapping):
            raise InvalidValueError("@", value, "must be a table of inputs")
        read: dict[str, object] = {}
        for name, raw in value.items():
            where = f"@[{json.dumps(name, ensure_ascii=False)}]"
            spec = TIER_INPUTS.inputs.get(name) if isinstance(name, str) else None
            if not isinstance(name, str):
                raise InvalidValueError(where, name, "must be an input name")
            if raw is not None and not isinstance(raw, (str, int, bool)):
                raise InvalidValueError(where, raw, "must be a number, true or false, text or null")
            if spec is not None and spec.kind is InputKind.NUMBER and isinstance(raw, str):
                try:
                    read[name] = converter.structure(raw, Decimal)
                except InvalidValueError as exc:
                    raise InvalidValueError(where, raw, exc.problem) from None
            else:
                read[name] = raw
        return read

    inputs = cattrs.gen.override(unstruct_hook=unstructure_inputs, struct_hook=structure_inputs)
    converter.register_unstructure_hook(
        GradedSku, cattrs.gen.make_dict_unstructure_fn(GradedSku, converter, inputs=inputs)
    )
    read = cattrs.gen.make_dict_structure_fn(GradedSku, converter, _cattrs_forbid_extra_keys=True, inputs=inputs)

    def structure_graded(value: object, _: Any) -> GradedSku:
        if not isinstance(value, Mapping):
            raise InvalidValueError("GradedSku", value, "must be a table/object of GradedSku fields")
        return read(value, GradedSku)

    converter.register_structure_hook(GradedSku, structure_graded)


@checks_arguments
def catalog_as_of(catalog: Catalog) -> datetime:
    """The newest snapshot's observation time: the default moment of grading a catalog.

    Raises:
        InvalidValueError: The catalog has no snapshots.
    """
    if not catalog.snapshots:
        raise InvalidValueError("Catalog.snapshots", (), "is empty: nothing to grade")
    return max(s.observed_at for s in catalog.snapshots)


@checks_arguments
def perk_inputs(catalog: Catalog, snapshot: SkuSnapshot, inputs: Mapping[str, object]) -> dict[str, object]:
    """The inputs perk conditions see for one SKU: its tier inputs plus category, merchant standing and shop kind.

    .. versionchanged:: 0.1 Named ``perk_context`` before "context" came to mean the scoring context only; that
       name stays as an alias.
    """
    return _perk_inputs(catalog, snapshot, inputs)


def _perk_inputs(catalog: Catalog, snapshot: SkuSnapshot, inputs: Mapping[str, object]) -> dict[str, object]:
    """:func:`perk_inputs` of arguments the pipeline built."""
    sku = catalog.sku(snapshot.sku_id)
    merchant = catalog.merchant(sku.merchant_id)
    category = catalog.category(sku.category_id)
    seen = dict(inputs)
    seen.update(
        category_id=category.id,
        category_level1=category.level1,
        merchant_standing=merchant.standing.value,
        shop_kind=merchant.shop_kind.value,
    )
    return seen


#: The earlier name of :func:`perk_inputs`.
perk_context = perk_inputs


@checks_arguments
def grade_catalog(
    catalog: Catalog,
    *,
    scorer: FiveDimensionScorer | None = None,
    policy: TierPolicy | None = None,
    perks: PerkCatalog | None = None,
    context: ScoringContext | None = None,
    as_of: datetime | None = None,
    explain: bool = True,
    snapshots: Sequence[SkuSnapshot] | None = None,
    progress: Progress = None,
) -> tuple[GradedSku, ...]:
    """Score, grade and resolve perks for the latest snapshot of every SKU (or the given *snapshots*).

    Args:
        catalog: The goods and the people around them.
        scorer, policy, perks: The models; the defaults when ``None``.
        context: Category benchmarks; built from the snapshots when ``None``.
        as_of: The moment of grading (timezone-aware); :func:`catalog_as_of` when ``None``.
        explain: ``False`` skips the tier trace and next-tier gap (faster; same tiers).
        snapshots: Grade these instead of the catalog's latest ones.
        progress: ``progress(done, total)`` as SKUs are graded, ``True`` for a tqdm bar, ``"auto"`` for a bar in
            a notebook or a terminal only; ``None`` (the default) reports nothing.
    """
    scorer = scorer if scorer is not None else default_scorer()
    policy = policy if policy is not None else default_tier_policy()
    perks = perks if perks is not None else default_perk_catalog()
    batch = tuple(snapshots) if snapshots is not None else catalog.latest_snapshots()
    when = v.require_aware(as_of, "grade_catalog.as_of") if as_of is not None else catalog_as_of(catalog)
    ctx = context if context is not None else build_context(batch)
    cards = scorer.score_many(batch, ctx)
    graded = []
    with reporter(progress, len(batch), "grade_catalog") as advance:
        for snapshot, card in zip(batch, cards, strict=True):
            graded.append(_graded(catalog, snapshot, card, policy, perks, when, explain=explain, context=ctx))
            advance(1)
    return tuple(graded)


def _graded(  # noqa: PLR0917 - private: one SKU of grade_catalog
    catalog: Catalog,
    snapshot: SkuSnapshot,
    card: SkuScores,
    policy: TierPolicy,
    perks: PerkCatalog,
    when: datetime,
    *,
    explain: bool,
    context: ScoringContext,
) -> GradedSku:
    """One SKU of :func:`grade_catalog`."""
    inputs = tier_inputs(snapshot, score_inputs(card), when, context=context)
    if explain:
        decision = policy.decide(inputs, sku_id=snapshot.sku_id)
    else:
        tier = policy.grade(inputs)
        decision = TierDecision(tier, "", None, (), None, sku_id=snapshot.sku_id, label=policy.label(tier))
    # Every argument is grade_catalog's own (checked there) or built here: resolved without checking them again.
    resolution = _resolve_checked(perks, decision.tier, _perk_inputs(catalog, snapshot, inputs), when, snapshot.sku_id)
    return GradedSku(snapshot.sku_id, snapshot.category_id, card, decision, resolution, inputs)


def graded_rows(graded: Sequence[GradedSku]) -> list[dict[str, object]]:
    """One flat record per graded SKU (``grade_catalog``'s result): ids, the five scores and the composite (exact
    Decimals), the tier (``"L3"``) and its label, the deciding rule, the perks granted (entry names, comma
    separated) and how many were denied.

    >>> from fenxiao.sample import load_sample
    >>> rows = graded_rows(grade_catalog(load_sample()))
    >>> rows[0]["sku_id"], rows[0]["tier"], rows[0]["rule"], str(rows[0]["composite"])
    ('sku-00000', 'L0', 'new-sku', '58.25')
    """
    rows: list[dict[str, object]] = []
    for i, sku in enumerate(v.require_iterable(graded, "graded_rows.graded")):
        if not isinstance(sku, GradedSku):
            raise InvalidValueError(f"graded_rows.graded[{i}]", sku, "must be a GradedSku (from grade_catalog)")
        rows.append(
            {
                "sku_id": sku.sku_id,
                "category_id": sku.category_id,
                **{f"score.{s.dimension.value}": s.value for s in sku.scorecard.scores},
                "composite": sku.scorecard.composite,
                "tier": sku.decision.tier.value,
                "label": sku.decision.label,
                "rule": sku.decision.rule,
                "granted": ",".join(g.entry for g in sku.perks.granted),
                "denied": len(sku.perks.denied),
            }
        )
    return rows


#: The columns of :func:`graded_rows`, in order.
GRADED_COLUMNS = ("sku_id", "category_id", *DIMENSION_INPUTS, "tier", "label", "rule", "granted", "denied")


def graded_frame(graded: Sequence[GradedSku], backend: str = "pandas", *, exact: bool = False) -> Any:
    """:func:`graded_rows` as a pandas, polars or pyarrow frame (needs narwhals and that library), labelled for
    analysis: scores as float64, ``tier`` with ``tier_rank`` (0-5); ``exact=True`` keeps the Decimals.

    Raises:
        MissingExtraError: narwhals or the frame library is not installed.
    """
    return rows_to_frame(graded_rows(graded), GRADED_COLUMNS, backend, "graded_frame", exact=exact)
