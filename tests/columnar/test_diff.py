"""The columnar what-if diff: equal to the object path's, on the sample and on generated catalogs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.columnar import catalog_columns
from fenxiao.columnar.diff import measure_diff_columns
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import FenxiaoError, InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import Subsidy, default_perk_catalog
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.money import MAX_FEN, Money, Rate
from fenxiao.periods.diff import measure_diff
from fenxiao.periods.models import Models
from fenxiao.rules.language import All
from fenxiao.sample import SAMPLE_AS_OF, load_sample
from fenxiao.scoring.dimensions import CompositeWeights
from fenxiao.scoring.scorecards import Scorecards
from fenxiao.testing.strategies import catalogs
from fenxiao.testing.tiers import tier_policies

SAMPLE = load_sample()
COLUMNS = catalog_columns(SAMPLE)


def lowered_l5_bar(bar: int) -> TierPolicy:
    policy = default_tier_policy()

    def lower(rule: Any) -> Any:
        if rule.name != "selected-goods":
            return rule
        parts = [attrs.evolve(c, value=Decimal(bar)) if c.input == "composite" else c for c in rule.when.conditions]
        return attrs.evolve(rule, when=All(tuple(parts)))

    return attrs.evolve(policy, rules=tuple(lower(r) for r in policy.rules))


def _subsidy(rate: str, cap: str | None) -> Any:
    catalog = default_perk_catalog()

    def change(perk: Any) -> Any:
        return attrs.evolve(perk, rate=Rate.of(rate), cap=None if cap is None else Money.of(cap))

    entries = tuple(attrs.evolve(e, perk=change(e.perk)) if isinstance(e.perk, Subsidy) else e for e in catalog.entries)
    return attrs.evolve(catalog, entries=entries)


def _extra_subsidy() -> Any:
    """The default catalog plus a second, fixed-amount subsidy of the same budget from L4 (the slot sums)."""
    catalog = default_perk_catalog()
    official = next(e for e in catalog.entries if isinstance(e.perk, Subsidy))
    extra = attrs.evolve(
        official,
        name="l4-subsidy",
        tier=Tier.L4,
        when=None,
        perk=Subsidy(official.perk.budget, fixed=Money.of("1.50"), cap=Money.of("15.00")),
    )
    return attrs.evolve(catalog, entries=(*catalog.entries, extra))


SAMPLE_MODELS = [
    Models(),
    Models(policy=lowered_l5_bar(88)),
    Models(policy=lowered_l5_bar(70)),
    Models(perks=_subsidy("0.08", "20.00")),
    Models(perks=_subsidy("0.05", None)),
    Models(perks=_extra_subsidy()),
    Models(scorecards=Scorecards(weights=CompositeWeights(brand=Decimal("0.1"), sales=Decimal("0.3")))),
]


def _in_bounds(snapshot: SkuSnapshot) -> SkuSnapshot:
    """Shop scores to two places (the columnar path's grid), counts and amounts that keep totals in range."""

    def cut(value: Decimal | None) -> Decimal | None:
        return None if value is None else value.quantize(Decimal("0.01"), rounding="ROUND_FLOOR")

    scores = ("experience_score", "goods_score", "logistics_score", "service_score")
    changes: dict[str, Any] = {name: cut(getattr(snapshot, name)) for name in scores}
    counts = ("units_prev_30d", "promoting_influencers", "team_leaders", "serious_violations_365d")
    changes.update({name: min(getattr(snapshot, name), 10**15) for name in counts})
    currency = snapshot.price.currency
    changes.update(
        units_30d=min(snapshot.units_30d, 10**6),
        price=Money(min(snapshot.price.fen, 10**9), currency),
        gmv_30d=Money(min(snapshot.gmv_30d.fen, 10**12), currency),
    )
    return attrs.evolve(snapshot, **changes)


@pytest.mark.parametrize("other", SAMPLE_MODELS[1:], ids=["l5-88", "l5-70", "subsidy-8", "no-cap", "sum", "weights"])
def test_the_columnar_diff_equals_the_object_path_on_the_sample(other: Models) -> None:
    """Tiers, perks (a summed subsidy slot too), subsidy and GMV: to_diff() equals measure_diff, both ways round."""
    for base, changed in ((Models(), other), (other, Models())):
        diff = measure_diff_columns(COLUMNS, base, changed, chunk_size=64)
        expected = measure_diff(SAMPLE, base, changed)
        assert diff.to_diff() == expected
        assert int(diff.changed.sum()) == len(expected.changes)
        assert diff.subsidy_change_fen == expected.total.subsidy_change.fen
        assert diff.matrix.tolist() == [[expected.migration.count(a, b) for b in Tier] for a in Tier]


def test_a_diff_of_models_against_themselves_changes_no_row() -> None:
    """No row changes; the matrix is diagonal and counts every row."""
    diff = measure_diff_columns(COLUMNS, Models(), Models())
    assert not diff.changed.any()
    assert np.count_nonzero(diff.matrix - np.diag(np.diag(diff.matrix))) == 0
    assert int(diff.matrix.sum()) == len(SAMPLE.latest_snapshots())
    assert diff.subsidy_before_fen == diff.subsidy_after_fen
    assert sum(diff.gmv_affected_fen) == 0
    assert diff.to_diff().empty


@given(
    catalog=catalogs(min_size=1, max_size=3),
    other=st.sampled_from(SAMPLE_MODELS) | tier_policies().map(lambda p: Models(policy=p)),
)
def test_the_columnar_diff_equals_the_object_path_on_generated_catalogs(catalog: Catalog, other: Models) -> None:
    """Every figure equal, or both refuse the same input (a SKU no rule of a policy without fallback matches)."""
    snapshots = [_in_bounds(s) for s in catalog.snapshots]
    if not snapshots:
        return
    catalog = attrs.evolve(catalog, snapshots=tuple(snapshots))
    as_of = max(s.observed_at for s in snapshots)
    try:
        expected = measure_diff(catalog, Models(), other, as_of=as_of)
    except FenxiaoError as exc:
        with pytest.raises(type(exc)):
            measure_diff_columns(catalog_columns(catalog), Models(), other, as_of=as_of).to_diff()
        return
    diff = measure_diff_columns(catalog_columns(catalog), Models(), other, as_of=as_of)
    assert diff.to_diff() == expected
    assert diff.changed.tolist() == [
        s.sku_id in {c.sku_id for c in expected.changes} for s in catalog.latest_snapshots()
    ]


def test_a_frame_gives_the_same_diff_as_a_mapping() -> None:
    """A pandas frame of the same columns: the same figures."""
    pd = pytest.importorskip("pandas")
    plain = {k: (v.filled(0) if isinstance(v, np.ma.MaskedArray) else v) for k, v in COLUMNS.items()}
    frame = pd.DataFrame({k: v for k, v in plain.items() if k not in ("lowest_price_30d", "reference_price")})
    frame["lowest_price_30d"] = pd.array(
        [
            None if m else int(x)
            for x, m in zip(plain["lowest_price_30d"], np.ma.getmaskarray(COLUMNS["lowest_price_30d"]), strict=True)
        ],
        dtype="Int64",
    )
    frame["reference_price"] = pd.array(
        [
            None if m else int(x)
            for x, m in zip(plain["reference_price"], np.ma.getmaskarray(COLUMNS["reference_price"]), strict=True)
        ],
        dtype="Int64",
    )
    other = Models(policy=lowered_l5_bar(80))
    assert measure_diff_columns(frame, Models(), other).to_diff() == measure_diff(SAMPLE, Models(), other)


def test_totals_are_exact_beyond_what_a_float_holds() -> None:
    """GMV near the largest amount on every row: the sums are Python ints, to the fen."""
    rng = np.random.default_rng(7)
    gmv = MAX_FEN - rng.integers(0, 10**6, len(SAMPLE.latest_snapshots()))
    diff = measure_diff_columns({**COLUMNS, "gmv_30d": gmv}, Models(), Models(policy=lowered_l5_bar(88)))
    assert sum(diff.gmv_fen) == sum(int(x) for x in gmv)
    changed = np.flatnonzero(diff.changed)
    assert sum(diff.gmv_affected_fen) == sum(int(gmv[i]) for i in changed)
    with pytest.raises(InvalidValueError, match=r"measure_diff_columns\.c-\w+\.gmv"):
        diff.to_diff()  # a category's GMV is beyond Money's range


def test_a_subsidy_estimate_beyond_the_largest_amount_is_refused() -> None:
    """Units so many that one row's estimate leaves Money's range: the row is named, nothing wraps around."""
    units = COLUMNS["units_30d"].copy()
    i = next(i for i, s in enumerate(SAMPLE.latest_snapshots()) if s.sku_id == "sku-00033")  # an L5 SKU
    units[i] = MAX_FEN
    with pytest.raises(InvalidValueError, match=rf"columns\.units_30d\[{i}\]"):
        measure_diff_columns({**COLUMNS, "units_30d": units}, Models(), Models())


def test_without_sku_ids_the_figures_remain_but_to_diff_is_refused() -> None:
    """The counts and sums need no ids; the object-path diff does."""
    columns = {k: v for k, v in COLUMNS.items() if k != "sku_id"}
    diff = measure_diff_columns(columns, Models(), Models(policy=lowered_l5_bar(88)))
    assert int(diff.matrix[4, 5]) == 2
    with pytest.raises(InvalidValueError, match="needs the sku_id column"):
        diff.to_diff()


def test_bad_arguments_are_named() -> None:
    """Not a Models, a naive as_of, a row without a category: InvalidValueError naming it."""
    with pytest.raises(InvalidValueError, match=r"measure_diff_columns\.base"):
        measure_diff_columns(COLUMNS, default_tier_policy(), Models())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"measure_diff_columns\.as_of"):
        measure_diff_columns(COLUMNS, Models(), Models(), as_of=SAMPLE_AS_OF.replace(tzinfo=None))
    categories = COLUMNS["category_id"].copy()
    categories[3] = None
    with pytest.raises(InvalidValueError, match=r"category_id"):
        measure_diff_columns({**COLUMNS, "category_id": categories}, Models(), Models())


def test_no_rows_give_an_empty_diff() -> None:
    """Zero rows: nothing counted, nothing changed, an empty ModelDiff."""
    empty = {k: v[:0] for k, v in COLUMNS.items()}
    diff = measure_diff_columns(empty, Models(), Models(policy=lowered_l5_bar(88)), as_of=SAMPLE_AS_OF)
    assert diff.matrix.sum() == 0
    result = diff.to_diff()
    assert result.empty
    assert result.total.skus == 0
