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

from fenxiao._internal import hooks
from fenxiao._internal import validators as v
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.inputs import TIER_INPUTS, score_inputs, tier_inputs
from fenxiao.grading.perks import PerkCatalog, PerkResolution, default_perk_catalog, resolve_perks
from fenxiao.grading.tiers import TierDecision, TierPolicy, default_tier_policy
from fenxiao.rules.language import InputKind
from fenxiao.scoring.context import ScoringContext, build_context
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import SkuScores
from fenxiao.scoring.five import FiveDimensionScorer

if TYPE_CHECKING:
    import cattrs

__all__ = ["GradedSku", "catalog_as_of", "grade_catalog", "perk_context", "perk_inputs"]


@attrs.frozen
class GradedSku:
    """One SKU through the pipeline: its scorecard, its tier decision, its perks, and the inputs used."""

    sku_id: str
    category_id: str
    scorecard: SkuScores
    decision: TierDecision
    perks: PerkResolution
    inputs: Mapping[str, object] = attrs.field(eq=False, repr=False)


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


def catalog_as_of(catalog: Catalog) -> datetime:
    """The newest snapshot's observation time: the default moment of grading a catalog.

    Raises:
        InvalidValueError: The catalog has no snapshots.
    """
    if not catalog.snapshots:
        raise InvalidValueError("Catalog.snapshots", (), "is empty: nothing to grade")
    return max(s.observed_at for s in catalog.snapshots)


def perk_inputs(catalog: Catalog, snapshot: SkuSnapshot, inputs: Mapping[str, object]) -> dict[str, object]:
    """The inputs perk conditions see for one SKU: its tier inputs plus category, merchant standing and shop kind.

    .. versionchanged:: 0.1 Named ``perk_context`` before "context" came to mean the scoring context only; that
       name stays as an alias.
    """
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
) -> tuple[GradedSku, ...]:
    """Score, grade and resolve perks for the latest snapshot of every SKU (or the given *snapshots*).

    Args:
        catalog: The goods and the people around them.
        scorer, policy, perks: The models; the defaults when ``None``.
        context: Category benchmarks; built from the snapshots when ``None``.
        as_of: The moment of grading (timezone-aware); :func:`catalog_as_of` when ``None``.
        explain: ``False`` skips the tier trace and next-tier gap (faster; same tiers).
        snapshots: Grade these instead of the catalog's latest ones.
    """
    scorer = scorer if scorer is not None else default_scorer()
    policy = policy if policy is not None else default_tier_policy()
    perks = perks if perks is not None else default_perk_catalog()
    batch = tuple(snapshots) if snapshots is not None else catalog.latest_snapshots()
    when = v.require_aware(as_of, "grade_catalog.as_of") if as_of is not None else catalog_as_of(catalog)
    ctx = context if context is not None else build_context(batch)
    cards = scorer.score_many(batch, ctx)
    graded = []
    for snapshot, card in zip(batch, cards, strict=True):
        inputs = tier_inputs(snapshot, score_inputs(card), when)
        if explain:
            decision = policy.decide(inputs, sku_id=snapshot.sku_id)
        else:
            tier = policy.grade(inputs)
            decision = TierDecision(tier, "", None, (), None, sku_id=snapshot.sku_id, label=policy.label(tier))
        resolution = resolve_perks(
            perks, decision.tier, perk_inputs(catalog, snapshot, inputs), at=when, sku_id=snapshot.sku_id
        )
        graded.append(GradedSku(snapshot.sku_id, snapshot.category_id, card, decision, resolution, inputs))
    return tuple(graded)
