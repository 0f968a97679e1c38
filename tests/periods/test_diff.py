"""What-if diffs of two sets of models (object path): what changes, the migration matrix, subsidy and GMV."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog, Subsidy, default_perk_catalog
from fenxiao.grading.pipeline import grade_catalog
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.money import MAX_FEN, Money, Rate
from fenxiao.periods.diff import DiffSummary, MigrationCell, ModelDiff, TierMigration, measure_diff
from fenxiao.periods.models import Models
from fenxiao.rules.language import All
from fenxiao.sample import SAMPLE_AS_OF, generate_catalog, load_sample
from fenxiao.serialization import dumps, loads
from fenxiao.testing.strategies import catalogs
from fenxiao.testing.tiers import tier_policies

SAMPLE = load_sample()


def lowered_l5_bar(bar: int = 88) -> TierPolicy:
    """The default policy with the composite bar of its L5 rule (selected-goods) at *bar* instead of 90."""
    policy = default_tier_policy()

    def lower(rule: Any) -> Any:
        if rule.name != "selected-goods":
            return rule
        parts = [attrs.evolve(c, value=Decimal(bar)) if c.input == "composite" else c for c in rule.when.conditions]
        return attrs.evolve(rule, when=All(tuple(parts)))

    return attrs.evolve(policy, rules=tuple(lower(r) for r in policy.rules))


def subsidy_at(rate: str) -> PerkCatalog:
    """The default perk catalog with the official subsidy at *rate* instead of 5%."""
    catalog = default_perk_catalog()
    entries = tuple(
        attrs.evolve(e, perk=attrs.evolve(e.perk, rate=Rate.of(rate))) if isinstance(e.perk, Subsidy) else e
        for e in catalog.entries
    )
    return attrs.evolve(catalog, entries=entries)


def modest(catalog: Catalog) -> Catalog:
    """*catalog* with amounts and counts small enough that no total leaves Money's range."""

    def cut(s: SkuSnapshot) -> SkuSnapshot:
        return attrs.evolve(
            s,
            price=Money(min(s.price.fen, 10**9), s.price.currency),
            gmv_30d=Money(min(s.gmv_30d.fen, 10**12), s.gmv_30d.currency),
            units_30d=min(s.units_30d, 10**6),
        )

    return attrs.evolve(catalog, snapshots=tuple(cut(s) for s in catalog.snapshots))


def with_fallback(policy: TierPolicy) -> TierPolicy:
    """*policy*, with L0 as its fallback when it has none (so that every SKU gets a tier)."""
    return policy if policy.fallback is not None else attrs.evolve(policy, fallback=Tier.L0)


MODEL_CHOICES = st.sampled_from(
    [Models(), Models(policy=lowered_l5_bar()), Models(perks=subsidy_at("8%")), Models(policy=lowered_l5_bar(80))]
)
DRAWN_MODELS = MODEL_CHOICES | tier_policies().map(lambda p: Models(policy=with_fallback(p)))


# -- the documented example -------------------------------------------------------------------------------


def test_lowering_the_l5_bar_to_88_moves_two_sample_skus_from_l4_to_l5() -> None:
    """The issue's example on the sample catalog: 2 of 200 SKUs move L4 → L5, gain the L5 perks, cost subsidy."""
    diff = measure_diff(SAMPLE, Models(), Models(policy=lowered_l5_bar()))
    assert [(c.before, c.after, c.sku_ids) for c in diff.migration.moved()] == [
        (Tier.L4, Tier.L5, ("sku-00044", "sku-00143"))
    ]
    assert [c.sku_id for c in diff.changes] == ["sku-00044", "sku-00143"]
    for change in diff.changes:
        assert change.gained == ("traffic-boost", "exclusive-badge", "official-subsidy", "influencer-preferred")
        assert change.lost == ("l4-boost", "hot-item-badge", "l4-preferred")
        assert change.subsidy_before == Money(0)
        snapshot = next(s for s in SAMPLE.latest_snapshots() if s.sku_id == change.sku_id)
        expected = min(snapshot.price.fen * 5 // 100, 2000) * snapshot.units_30d  # 5%, rounded down, ¥20 cap
        assert change.subsidy_after == Money(expected)
        assert change.gmv == snapshot.gmv_30d
    assert diff.total.subsidy_change == Money(2_867_042)
    assert diff.total.gmv_affected == Money(sum(c.gmv.fen for c in diff.changes))
    assert diff.total.gmv_share == Fraction(57_421_140, 3_772_655_737)
    assert (diff.total.skus, diff.total.changed, diff.total.moved) == (200, 2, 2)
    assert {s.category_id for s in diff.categories if s.changed} == {"c-storage", "c-running"}


def test_on_a_generated_2000_sku_catalog_thirteen_skus_move() -> None:
    """The issue's 2,000-SKU example, on the sample generator's seed: 13 SKUs move L4 → L5 (the issue guessed 18)."""
    catalog = generate_catalog(skus=2000)
    diff = measure_diff(catalog, Models(), Models(policy=lowered_l5_bar()))
    assert [(c.before, c.after, c.count) for c in diff.migration.moved()] == [(Tier.L4, Tier.L5, 13)]


def test_a_subsidy_rate_change_changes_perks_without_moving_a_tier() -> None:
    """5% → 8%: every SKU granted the subsidy changes; its entry is both lost and gained; no tier moves."""
    diff = measure_diff(SAMPLE, Models(), Models(perks=subsidy_at("8%")))
    assert diff.migration.moved() == ()
    assert diff.changes
    for change in diff.changes:
        assert (change.before, change.gained, change.lost) == (Tier.L5, ("official-subsidy",), ("official-subsidy",))
        assert change.subsidy_after > change.subsidy_before
    graded = grade_catalog(SAMPLE)
    granted = {g.sku_id for g in graded if g.perks.of_kind("subsidy")}
    assert {c.sku_id for c in diff.changes} == granted


def test_each_category_adds_up_to_the_total() -> None:
    """Per category: SKUs, changes, GMV and subsidy sum to the catalog's figures; cells partition the SKUs."""
    diff = measure_diff(SAMPLE, Models(), Models(policy=lowered_l5_bar(80)))
    for name in ("skus", "changed", "moved"):
        assert sum(getattr(s, name) for s in diff.categories) == getattr(diff.total, name)
    for name in ("gmv", "gmv_affected", "subsidy_before", "subsidy_after"):
        assert sum((getattr(s, name) for s in diff.categories), Money(0)) == getattr(diff.total, name)
    assert diff.total.skus == len(SAMPLE.latest_snapshots())
    assert [s.category_id for s in diff.categories] == sorted({s.category_id for s in SAMPLE.latest_snapshots()})
    assert diff.category("c-dress").category_id == "c-dress"


# -- properties ----------------------------------------------------------------------------------------------


@given(catalog=catalogs(min_size=1, max_size=3), models=DRAWN_MODELS)
def test_a_diff_of_models_against_themselves_is_empty(catalog: Catalog, models: Models) -> None:
    """Nothing changes: no SKU, nothing off the diagonal, the same subsidy, no GMV affected (and it reads back)."""
    catalog = modest(catalog)
    if not catalog.snapshots:
        return
    diff = measure_diff(catalog, models, models)
    assert diff.empty
    assert diff.migration.moved() == ()
    assert diff.total.subsidy_change == Money(0)
    assert diff.total.gmv_affected == Money(0)
    assert diff.total.gmv_share == 0
    assert all(s.changed == 0 for s in diff.categories)
    assert loads(dumps(diff), ModelDiff) == diff


def _tiers_and_grants(catalog: Catalog, models: Models) -> dict[str, tuple[Tier, set[tuple[str, Any]]]]:
    graded = grade_catalog(catalog, scorer=models.scorer, policy=models.policy, perks=models.perks)
    return {g.sku_id: (g.decision.tier, {(p.entry, p.perk) for p in g.perks.granted}) for g in graded}


@given(catalog=catalogs(min_size=1, max_size=3), base=DRAWN_MODELS, other=DRAWN_MODELS)
def test_the_margins_are_each_gradings_tier_counts_and_swapping_the_sides_mirrors_the_diff(
    catalog: Catalog, base: Models, other: Models
) -> None:
    """Row margins: tiers under base, column margins: under other; the changes are the SKUs whose tier or grants
    differ; B against A transposes the matrix, swaps gained and lost and negates the subsidy change."""
    catalog = modest(catalog)
    if not catalog.snapshots:
        return
    diff = measure_diff(catalog, base, other)
    before, after = _tiers_and_grants(catalog, base), _tiers_and_grants(catalog, other)
    assert diff.migration.before_counts() == dict.fromkeys(Tier, 0) | Counter(t for t, _ in before.values())
    assert diff.migration.after_counts() == dict.fromkeys(Tier, 0) | Counter(t for t, _ in after.values())
    assert {c.sku_id for c in diff.changes} == {sku for sku in before if before[sku] != after[sku]}
    assert diff.total.changed == len(diff.changes)
    assert diff.total.subsidy_change == sum((c.subsidy_change for c in diff.changes), Money(0))
    back = measure_diff(catalog, other, base)
    assert {(b, a): n for (a, b), n in diff.migration.counts().items()} == back.migration.counts()
    assert [(c.sku_id, c.gained, c.lost) for c in diff.changes] == [(c.sku_id, c.lost, c.gained) for c in back.changes]
    assert diff.total.subsidy_change == -back.total.subsidy_change
    assert diff.total.gmv_affected == back.total.gmv_affected
    assert loads(dumps(diff), ModelDiff) == diff


# -- rows, errors, boundaries ----------------------------------------------------------------------------


def test_rows_are_flat_for_a_frame() -> None:
    """to_rows: one dict per changed SKU; summary_rows: one per category and the total, amounts in fen."""
    diff = measure_diff(SAMPLE, Models(), Models(policy=lowered_l5_bar()))
    rows = diff.to_rows()
    assert [r["sku_id"] for r in rows] == ["sku-00044", "sku-00143"]
    assert rows[0]["before"] == "L4"
    assert rows[0]["after"] == "L5"
    assert rows[0]["gained"] == "traffic-boost,exclusive-badge,official-subsidy,influencer-preferred"
    summary = diff.summary_rows()
    assert len(summary) == len(diff.categories) + 1
    assert summary[-1]["category_id"] is None
    assert summary[-1]["gmv_share"] == Decimal("0.015220")
    assert summary[-1]["subsidy_change_fen"] == 2_867_042
    assert all(set(r) == set(summary[0]) for r in summary)
    assert diff.migration.to_rows()[-2] == {
        "from": "L4",
        "to": "L5",
        "count": 2,
        "sku_ids": "sku-00044,sku-00143",
    }


def test_a_category_without_gmv_has_a_zero_share() -> None:
    """gmv_share is 0, not a division by zero, when nothing sells."""
    summary = DiffSummary(None, 0, 0, TierMigration(), Money(0), Money(0), Money(0), Money(0))
    assert summary.gmv_share == 0
    assert summary.to_row()["gmv_share"] == 0


def test_the_migration_matrix_lists_each_cell_once() -> None:
    """A cell given twice is refused with its place; of() sorts cells and ids."""
    cell = MigrationCell(Tier.L1, Tier.L2, ("b", "a"))
    with pytest.raises(InvalidValueError, match=r"TierMigration\.cells\[1\]"):
        TierMigration((cell, cell))
    matrix = TierMigration.of([("b", Tier.L3, Tier.L1), ("c", Tier.L1, Tier.L1), ("a", Tier.L3, Tier.L1)])
    assert [(c.before, c.after, c.sku_ids) for c in matrix.cells] == [
        (Tier.L1, Tier.L1, ("c",)),
        (Tier.L3, Tier.L1, ("a", "b")),
    ]
    assert (matrix.total, matrix.count(Tier.L3, Tier.L1), matrix.count(Tier.L5, Tier.L5)) == (3, 2, 0)
    assert len(matrix.counts()) == 36


def test_bad_arguments_are_named() -> None:
    """Not a Models, a naive as_of, an empty catalog without as_of: InvalidValueError naming the argument."""
    with pytest.raises(InvalidValueError, match=r"measure_diff\.other"):
        measure_diff(SAMPLE, Models(), default_tier_policy())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"measure_diff\.as_of"):
        measure_diff(SAMPLE, Models(), Models(), as_of=SAMPLE_AS_OF.replace(tzinfo=None))
    empty = attrs.evolve(SAMPLE, snapshots=())
    with pytest.raises(InvalidValueError, match=r"Catalog\.snapshots"):
        measure_diff(empty, Models(), Models())
    assert measure_diff(empty, Models(), Models(), as_of=SAMPLE_AS_OF).total.skus == 0
    with pytest.raises(InvalidValueError, match=r"ModelDiff\.category\.category_id"):
        measure_diff(SAMPLE, Models(), Models()).category("c-nowhere")


def test_a_total_beyond_the_largest_amount_is_an_error_naming_it() -> None:
    """A subsidy estimate above Money's range is refused with its place, not wrapped around."""
    snapshots = [
        attrs.evolve(s, units_30d=MAX_FEN) if s.sku_id == "sku-00044" else s for s in SAMPLE.latest_snapshots()
    ]
    catalog = attrs.evolve(SAMPLE, snapshots=tuple(snapshots))
    with pytest.raises(InvalidValueError, match=r"measure_diff\.total\.subsidy_before"):
        measure_diff(catalog, Models(), Models(policy=lowered_l5_bar(0)))


def test_snapshots_in_another_currency_are_refused() -> None:
    """Amounts are summed in one currency: a snapshot in another is named."""
    first, *rest = SAMPLE.snapshots
    names = ("price", "gmv_30d", "reference_price", "lowest_price_30d", "gmv_prev_30d", "brand_gmv_30d")
    dollars: dict[str, Any] = {
        name: None if getattr(first, name) is None else Money(getattr(first, name).fen, "USD") for name in names
    }
    odd = attrs.evolve(first, **dollars)
    catalog = attrs.evolve(SAMPLE, snapshots=(*rest, odd))
    with pytest.raises(InvalidValueError, match=r"measure_diff\.snapshots\[1\]\.gmv_30d: is not in USD"):
        measure_diff(catalog, Models(), Models())


def test_to_frame_gives_the_changes_or_the_summary_as_a_frame() -> None:
    """Rows of changed SKUs (or the per-category summary) in a pandas or polars frame; a bad backend is named."""
    pytest.importorskip("narwhals")
    pytest.importorskip("pandas")
    diff = measure_diff(SAMPLE, Models(), Models(policy=lowered_l5_bar()))
    frame = diff.to_frame()
    assert frame["sku_id"].tolist() == ["sku-00044", "sku-00143"]
    assert frame["subsidy_change_fen"].sum() == diff.total.subsidy_change.fen
    summary = diff.to_frame(summary=True)
    assert len(summary) == len(diff.categories) + 1
    assert list(measure_diff(SAMPLE, Models(), Models()).to_frame(exact=True).columns) == list(
        diff.to_frame(exact=True).columns
    )
    with pytest.raises(InvalidValueError, match=r"ModelDiff\.to_frame\.backend"):
        diff.to_frame("excel")
