"""run_season_columns: the season on columns, row for row the object season."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from decimal import Decimal
from functools import cache
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenxiao.domain.catalog import Catalog
from fenxiao.domain.ids import CategoryId, InfluencerId
from fenxiao.domain.people import Influencer
from fenxiao.errors import InvalidValueError
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog, PerkEntry, Subsidy, default_perk_catalog
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.grading.tiers import default_tier_policy
from fenxiao.market.admission import AdmissionPolicy, AdmissionRule, Outcome
from fenxiao.market.pool import PoolEntry, SelectionPool
from fenxiao.money import Money, Rate
from fenxiao.periods.models import Models
from fenxiao.rules.language import All, AnyOf, Compare, Not, Op
from fenxiao.sample import generate_catalog, load_sample
from fenxiao.simulate.columnar import SKU_COLUMNS, SeasonColumns, run_season_columns, static_points
from fenxiao.simulate.config import AdmissionConfig, BudgetPlan, ServiceConfig, SimulationConfig
from fenxiao.simulate.config import default_simulation_config as defaults
from fenxiao.simulate.experiment import Arm, run_experiment
from fenxiao.simulate.results import KINDS, Season
from fenxiao.simulate.season import run_season


@cache
def catalog(seed: int = 24, skus: int = 40) -> Catalog:
    return generate_catalog(seed=seed, skus=skus)


def _lower_l5() -> Models:
    policy = default_tier_policy()

    def loosen(condition: object) -> object:
        if isinstance(condition, Compare) and condition.input == "composite":
            return attrs.evolve(condition, value=Decimal(80))
        return condition

    rules = tuple(
        attrs.evolve(r, when=All(tuple(loosen(c) for c in r.when.conditions)))  # type: ignore[union-attr]
        if r.name == "selected-goods"
        else r
        for r in policy.rules
    )
    return Models(policy=attrs.evolve(policy, rules=rules))


def _crowd() -> SimulationConfig:
    return attrs.evolve(defaults(), admission=AdmissionConfig(applications=Decimal(4), recruits=Decimal(1)))


def _tight() -> SimulationConfig:
    return attrs.evolve(defaults(), budgets=(BudgetPlan("official-subsidy", Money(50_000), Money(10_000)),))


def _picky() -> AdmissionPolicy:
    """An admission policy whose rules read every kind of input: text, flags, days, rates, prices, scores."""
    rules = (
        AdmissionRule("cheap", Outcome.REJECT, Compare("price", Op.LT, Decimal("30")), "too cheap"),
        AdmissionRule("closed", Outcome.REJECT, AnyOf((Compare("category_excluded", Op.EQ, True),)), "closed category"),
        AdmissionRule("young", Outcome.REVIEW, Compare("shop_age_days", Op.LT, 45), "a young shop"),
        AdmissionRule("thin", Outcome.REVIEW, Compare("commission_rate", Op.LT, Decimal("0.2")), "thin commission"),
        AdmissionRule(
            "unproven",
            Outcome.REVIEW,
            All((Compare("rated", Op.EQ, True), Compare("experience_score", Op.LT, Decimal("4.6")))),
            "a low score",
        ),
        AdmissionRule(
            "unqualified",
            Outcome.REVIEW,
            All((Compare("category_restricted", Op.EQ, True), Not(Compare("qualified", Op.EQ, True)))),
            "restricted",
        ),
        AdmissionRule("standing", Outcome.REVIEW, Compare("standing", Op.IN, ("warned", "restricted")), "warned"),
        AdmissionRule("kind", Outcome.APPROVE, Compare("shop_kind", Op.EQ, "flagship"), "a flagship"),
        AdmissionRule("violation", Outcome.REJECT, Compare("days_since_serious_violation", Op.LT, 400), "a violation"),
    )
    return AdmissionPolicy(rules=rules, review_hours=30)


def _two_budgets() -> tuple[Models, SimulationConfig]:
    """A second subsidy from another budget at L4 and L5 (an order's refunds give back to both)."""
    brand = PerkEntry("brand-subsidy", Tier.L4, Subsidy("brand-subsidy", Rate.of("3%"), Money(50), Money(1_000)))
    perks = attrs.evolve(default_perk_catalog(), entries=(*default_perk_catalog().entries, brand))
    plans = (
        BudgetPlan("official-subsidy", Money(1_000_000), Money(500_000)),
        BudgetPlan("brand-subsidy", Money(0), Money(300_000)),
    )
    return Models(perks=perks), attrs.evolve(defaults(), budgets=plans)


def _capped() -> tuple[Models, SimulationConfig]:
    """A budget with per-SKU and per-merchant caps, fixed for the season (each request is allocated)."""
    budget = SubsidyBudget("official-subsidy", Money(6_000_000), per_sku=Money(90_000), per_merchant=Money(150_000))
    return Models(budgets=(budget,)), attrs.evolve(defaults(), budgets=())


def _quick_service() -> SimulationConfig:
    """Receipt and refund on the day of payment: refunds of a week's own orders come back by its close."""
    service = ServiceConfig(receipt_days=0, refund_days=0, after_settlement=Rate.of("0.5"), clawback_days=0)
    return attrs.evolve(defaults(), service=service)


VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "tight budget": {"config": _tight()},
    "crowded": {"config": _crowd()},
    "no perks": {"models": Models(perks=PerkCatalog(entries=()))},
    "lower L5 bar": {"models": _lower_l5()},
    "own baseline": {"models": _lower_l5(), "baseline": _lower_l5()},
    "picky admission": {"config": _crowd(), "admission": _picky()},
    "two budgets": dict(zip(("models", "config"), _two_budgets(), strict=True)),
    "capped budget": dict(zip(("models", "config"), _capped(), strict=True)),
    "quick refunds": {"config": _quick_service()},
}


def assert_same(columns: SeasonColumns, season: Season) -> None:
    assert columns.weeks == season.weeks
    assert columns.tiers == season.tiers
    assert columns.categories == season.categories
    assert columns.sku_rows() == season.skus
    assert columns.flywheel == season.flywheel
    assert columns.measures() == season.measures()
    book, books = columns.budgets, season.state.budgets
    for name in {e.budget for e in books.entries} | {e.budget for e in book.entries}:
        assert (book.granted(name), book.returned(name)) == (books.granted(name), books.returned(name)), name
    assert sorted((e.request_id, e.amount, e.period, e.sku_id, e.merchant_id) for e in book.entries if e.is_grant) == (
        sorted((e.request_id, e.amount, e.period, e.sku_id, e.merchant_id) for e in books.entries if e.is_grant)
    )


@settings(max_examples=8)
@given(
    seed=st.integers(0, 2**32),
    shape=st.sampled_from([(24, 40), (7, 40), (3, 30), (21, 50)]),
    variant=st.sampled_from(sorted(VARIANTS)),
)
def test_the_columnar_season_is_the_object_season(seed: int, shape: tuple[int, int], variant: str) -> None:
    """Week, tier, category and SKU rows, the flywheel and the budgets' grants and returns are equal, whatever the
    seed, catalog or configuration."""
    arguments = VARIANTS[variant]
    columns = run_season_columns(catalog(*shape), seed=seed, weeks=2, **arguments)
    season = run_season(catalog(*shape), seed=seed, weeks=2, ledger=False, **arguments)
    assert_same(columns, season)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_variant_is_the_object_season_over_four_weeks(variant: str) -> None:
    """Each configuration once, long enough for clawbacks (after settlement) to give their subsidy back."""
    arguments = VARIANTS[variant]
    columns = run_season_columns(catalog(), seed=7, weeks=4, **arguments)
    season = run_season(catalog(), seed=7, weeks=4, ledger=False, **arguments)
    assert_same(columns, season)
    if variant not in ("no perks",):
        assert sum(w.subsidy_returned.fen for w in season.weeks) > 0


def test_the_picky_policy_rejects_reviews_and_approves() -> None:
    """The admission variant exercises every outcome (so its parity is not vacuous)."""
    result = run_season(catalog(), seed=3, weeks=3, ledger=False, **VARIANTS["picky admission"])
    assert sum(w.rejected for w in result.weeks) > 0
    assert sum(w.joined for w in result.weeks) > 0
    reviewed = [li for li in result.catalog.listings if li.history and li.history[-1].reason == "approved in review"]
    assert reviewed


@settings(max_examples=4)
@given(seed=st.integers(0, 2**32), quick=st.booleans())
def test_on_columns_too_granted_less_returned_is_the_book(seed: int, quick: bool) -> None:
    """The columnar season's book holds what its week rows granted and gave back."""
    result = run_season_columns(catalog(), seed=seed, weeks=4, config=_quick_service() if quick else None)
    book = result.budgets
    granted = sum(w.subsidy.fen for w in result.weeks)
    returned = sum(w.subsidy_returned.fen for w in result.weeks)
    assert (book.granted("official-subsidy").fen, book.returned("official-subsidy").fen) == (granted, returned)
    assert returned > 0
    assert result.weeks[-1].budget_left.fen == defaults().budgets[0].total_at(4).fen - (granted - returned)


def test_the_columnar_season_of_the_sample_is_the_object_season() -> None:
    """The built-in sample, three weeks."""
    assert_same(run_season_columns(load_sample(), seed=11, weeks=3), run_season(load_sample(), seed=11, weeks=3))


@given(
    tier=st.sampled_from(list(Tier)),
    preferred=st.integers(0, 100),
    commission=st.integers(0, 1_000_000),
    service=st.integers(0, 10_000),
)
def test_static_points_are_the_pools_own(tier: Tier, preferred: int, commission: int, service: int) -> None:
    """The columns' points equal SelectionPool.rank's for an influencer with no fit."""
    entry = PoolEntry(
        listing_id="l-1",
        sku_id="s-1",
        merchant_id="m-1",
        category_id="c-1",
        category_level1="L1",
        title="货",
        price=Money(100),
        commission_rate=Rate.from_ppm(commission),
        team_leader_id=None,
        tier=tier,
        composite=Decimal(0),
        service_score=Decimal(service).scaleb(-2),
        preferred_boost=preferred,
    )
    neutral = Influencer(InfluencerId("k"), "neutral", main_category_ids=(CategoryId("c-2"),))
    (ranked,) = SelectionPool([entry]).rank(neutral).items
    points = static_points(np.array([tier.rank]), np.array([preferred]), np.array([commission]), np.array([service]))
    assert int(points[0]) == ranked.points


def test_the_sku_rows_are_columns_or_nothing() -> None:
    """keep_skus keeps one row per SKU and week as columns; without it the weeks are the same."""
    kept = run_season_columns(catalog(), seed=1, weeks=2)
    assert list(kept.skus) == list(SKU_COLUMNS)
    assert len(kept.skus["week"]) == len(kept.sku_rows())
    light = run_season_columns(catalog(), seed=1, weeks=2, keep_skus=False)
    assert light.skus == {}
    assert light.sku_rows() == ()
    assert light.weeks == kept.weeks


@pytest.mark.parametrize("kind", KINDS)
def test_rows_and_frames_read_as_the_object_seasons(kind: str) -> None:
    """to_rows gives the object season's records; to_frame a frame of them."""
    columns = run_season_columns(catalog(), seed=2, weeks=1)
    season = run_season(catalog(), seed=2, weeks=1, ledger=False)
    assert columns.to_rows(kind) == season.to_rows(kind)
    assert columns.to_frame(kind).shape[0] == len(season.to_rows(kind))


def test_an_experiment_on_columns_is_the_experiment_on_objects() -> None:
    """run_experiment(path="columnar") gives the same bands."""
    arms = (Arm("default"), Arm("lower", models=_lower_l5()))
    on_objects = run_experiment(catalog(), *arms, seeds=2, weeks=1)
    on_columns = run_experiment(catalog(), *arms, seeds=2, weeks=1, path="columnar")
    assert on_columns == on_objects


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"seed": -1}, r"run_season_columns\.seed"),
        ({"weeks": 0}, r"run_season_columns\.weeks"),
        ({"config": 1}, r"run_season_columns\.config"),
        ({"models": 1}, r"run_season_columns\.models"),
        ({"admission": 1}, r"run_season_columns\.admission"),
    ],
)
def test_bad_arguments_are_refused(changes: dict[str, Any], path: str) -> None:
    """Each argument is checked, and the error names it."""
    with pytest.raises(InvalidValueError, match=path):
        run_season_columns(catalog(), **{"seed": 1, "weeks": 1, **changes})


def test_an_unknown_kind_or_path_is_refused() -> None:
    """to_rows and run_experiment name what they know."""
    with pytest.raises(InvalidValueError, match=r"SeasonColumns\.to_rows\.kind"):
        run_season_columns(catalog(), seed=1, weeks=1).to_rows("months")
    with pytest.raises(InvalidValueError, match=r"run_experiment\.path"):
        run_experiment(catalog(), Arm("a"), seeds=1, weeks=1, path="gpu")


SCRIPT = """
import hashlib
from fenxiao.sample import generate_catalog
from fenxiao.simulate.columnar import run_season_columns
from fenxiao.simulate.config import AdmissionConfig, default_simulation_config
import attrs
from decimal import Decimal
config = attrs.evolve(default_simulation_config(), admission=AdmissionConfig(applications=Decimal(4)))
season = run_season_columns(generate_catalog(seed=24, skus=40), seed=5, weeks=2, config=config)
text = repr((season.weeks, season.tiers, season.categories, season.sku_rows(), season.flywheel, season.budgets))
print(hashlib.sha256(text.encode("utf-8")).hexdigest())
"""


def test_a_columnar_season_is_the_same_across_processes_and_hash_seeds() -> None:
    """A fresh interpreter with another PYTHONHASHSEED gives the same rows, SKU columns and book as this one."""
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True)
    here = io.StringIO()
    with contextlib.redirect_stdout(here):
        exec(SCRIPT, {})
    assert result.stdout.strip() == here.getvalue().strip()
