"""The user-facing Hypothesis strategies produce valid, general values and honour their arguments."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fenxiao import (
    Brand,
    Catalog,
    Category,
    Influencer,
    InvalidValueError,
    LeaderLevel,
    Listing,
    ListingStatus,
    ListingTerms,
    Merchant,
    Money,
    Rate,
    Sku,
    SkuSnapshot,
    Standing,
    StatusChange,
    TeamLeader,
)
from fenxiao.domain.snapshots import OPTIONAL_METRIC_FIELDS
from fenxiao.money import MAX_FEN
from fenxiao.scoring.context import MEDIAN_METRICS
from fenxiao.testing import MissingExtraError
from fenxiao.testing import strategies as fst

from .. import builders

#: Each public type and the strategy that produces it.
TYPED_STRATEGIES: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
    (Money, fst.money()),
    (Rate, fst.rates()),
    (Category, fst.categories()),
    (Brand, fst.brands()),
    (Merchant, fst.merchants()),
    (Sku, fst.skus()),
    (Influencer, fst.influencers()),
    (TeamLeader, fst.team_leaders()),
    (ListingTerms, fst.listing_terms()),
    (StatusChange, fst.status_changes()),
    (Listing, fst.listings()),
    (SkuSnapshot, fst.snapshots()),
    (Catalog, fst.catalogs(max_size=3)),
]


class _Reached(Exception):
    """Raised inside a search to stop it at the first value meeting the condition."""


def _reaches(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool], max_examples: int = 1000) -> bool:
    """Whether *strategy* produces a value meeting *condition* within *max_examples* (deterministic, no shrinking)."""

    @settings(
        max_examples=max_examples,
        phases=[Phase.generate],
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def search(value: Any) -> None:
        if condition(value):
            raise _Reached

    try:
        search()
    except _Reached:
        return True
    return False


@pytest.mark.parametrize(("cls", "strategy"), TYPED_STRATEGIES, ids=[c.__name__ for c, _ in TYPED_STRATEGIES])
@given(data=st.data())
def test_every_strategy_produces_valid_values_of_its_type(
    cls: type[Any], strategy: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    """Each value has the right type and survives re-validation (attrs.evolve re-runs every validator)."""
    value = data.draw(strategy)
    assert type(value) is cls
    assert attrs.evolve(value) == value


@given(fst.identifiers())
def test_identifiers_are_accepted_by_every_id_field(ident: str) -> None:
    """Every drawn id is a valid SKU id and a valid merchant id."""
    sku = builders.sku(id=ident, merchant_id=ident, category_id=ident)
    assert sku.id == ident
    assert 1 <= len(ident) <= 64


@given(fst.names())
def test_names_are_accepted_as_display_text(name: str) -> None:
    """Every drawn name is a valid brand name and category level name."""
    assert Brand(id="b", name=name).name == name
    assert Category(id="c", path=(name, name, name)).level3 == name


@given(fst.listings())
def test_listing_histories_replay_through_legal_transitions(listing: Listing) -> None:
    """Replaying a drawn history with Listing.transition reproduces the listing step by step."""
    replayed = attrs.evolve(listing, history=())
    for change in listing.history:
        assert replayed.can_move_to(change.status)
        replayed = replayed.transition(change.status, at=change.at, reason=change.reason)
    assert replayed == listing


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(fst.catalogs(min_size=1, max_size=3))
def test_catalogs_tie_snapshots_to_their_skus(catalog: Catalog) -> None:
    """A catalog's snapshots match their SKU's category and joining time, and follow it."""
    for snap in catalog.snapshots:
        sku = catalog.sku(snap.sku_id)
        assert snap.category_id == sku.category_id
        assert snap.joined_at == sku.joined_at
        assert snap.observed_at >= sku.joined_at


# -- boundaries are reachable -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "condition"),
    [
        pytest.param(fst.money(), lambda m: m.fen == 1, id="money-one-fen"),
        pytest.param(fst.money(), lambda m: m.fen == MAX_FEN, id="money-max"),
        pytest.param(fst.money(), lambda m: m.fen == -MAX_FEN, id="money-min"),
        pytest.param(fst.money(), lambda m: m.fen == 0, id="money-zero"),
        pytest.param(fst.rates(), lambda r: r == Rate.zero(), id="rate-0"),
        pytest.param(fst.rates(), lambda r: r == Rate.one(), id="rate-100"),
        pytest.param(fst.rates(), lambda r: 0 < r.ppm < 1_000_000 and r.ppm % 1000 != 0, id="rate-odd-ppm"),
        pytest.param(fst.aware_datetimes(), lambda d: d.utcoffset() == timedelta(hours=8), id="offset-cst"),
        pytest.param(fst.aware_datetimes(), lambda d: d.utcoffset() < timedelta(0), id="offset-negative"),
        pytest.param(fst.aware_datetimes(), lambda d: d.utcoffset().total_seconds() % 3600 != 0, id="offset-half-hour"),
        pytest.param(fst.names(), lambda s: any("\u4e00" <= c <= "\u9fff" for c in s), id="names-chinese"),
        pytest.param(
            fst.names(),
            lambda s: not s.isascii() and not any("\u4e00" <= c <= "\u9fff" for c in s),
            id="names-other-unicode",
        ),
        pytest.param(fst.identifiers(), lambda s: len(s) == 1, id="id-1-char"),
        pytest.param(fst.identifiers(), lambda s: len(s) == 64, id="id-64-chars"),
        pytest.param(fst.currencies(), lambda c: c != "CNY", id="currency-not-cny"),
        pytest.param(fst.scores(), lambda d: d == 5, id="score-5"),
        pytest.param(fst.counts(), lambda n: n > 2**40, id="count-huge"),
        pytest.param(fst.listings(), lambda li: li.status is ListingStatus.DELISTED, id="listing-delisted"),
        pytest.param(fst.listings(), lambda li: li.status is ListingStatus.REJECTED, id="listing-rejected"),
        pytest.param(
            fst.listings(),
            lambda li: len(li.history) >= 2 and li.history[0].at == li.history[1].at,
            id="listing-same-time-steps",
        ),
        pytest.param(fst.snapshots(), lambda s: s.days_in_pool == 14, id="snapshot-14-days"),
        pytest.param(fst.snapshots(), lambda s: s.days_in_pool == 13, id="snapshot-13-days"),
        pytest.param(fst.snapshots(), lambda s: s.units_30d == 0, id="snapshot-no-sales"),
        pytest.param(
            fst.listing_terms(),
            lambda t: t.leader_fee_rate is not None and t.commission_rate + t.leader_fee_rate == Rate.one(),
            id="terms-100-percent",
        ),
        pytest.param(fst.team_leaders(), lambda t: t.level is LeaderLevel.SECOND, id="leader-second-level"),
        pytest.param(
            fst.influencers(), lambda i: i.mcn_id is not None and i.price_band_low is not None, id="influencer-mcn-band"
        ),
        pytest.param(
            fst.catalogs(min_size=2),
            lambda c: any(t.parent_id is not None for t in c.team_leaders),
            id="catalog-second-level-leader",
        ),
    ],
)
def test_boundary_values_are_reachable(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool]) -> None:
    """Each strategy reaches the domain's edges: ¥0.01, MAX_FEN, 0%/100%, odd offsets, Chinese text, 64-char ids."""
    assert _reaches(strategy, condition)


# -- keyword arguments ------------------------------------------------------------------------------------


@given(fst.money(min_fen=5, max_fen=10, currencies=st.just("USD")))
def test_money_stays_within_its_bounds_and_currency(amount: Money) -> None:
    """money(min_fen=, max_fen=, currencies=) bound the amount and fix the currency."""
    assert 5 <= amount.fen <= 10
    assert amount.currency == "USD"


@given(fst.rates(min_value="10%", max_value=Rate.of("0.2")))
def test_rates_stay_within_their_bounds(rate: Rate) -> None:
    """rates(min_value=, max_value=) accept text and Rate bounds."""
    assert Rate.of("10%") <= rate <= Rate.of("20%")


@given(
    fst.aware_datetimes(
        min_value=datetime(2026, 11, 11),
        max_value=datetime(2026, 11, 12),
        timezones=st.just(timezone(timedelta(hours=8))),
    )
)
def test_aware_datetimes_respect_bounds_and_zone(when: datetime) -> None:
    """aware_datetimes(min_value=, max_value=, timezones=) bound local time and set the zone."""
    assert datetime(2026, 11, 11) <= when.replace(tzinfo=None) <= datetime(2026, 11, 12)
    assert when.utcoffset() == timedelta(hours=8)


@given(fst.listings(statuses=st.just(ListingStatus.APPROVED), sku_ids=st.just("sku-1")))  # type: ignore[arg-type]
def test_listings_end_in_the_requested_status(listing: Listing) -> None:
    """listings(statuses=) chooses where the lifecycle ends; other keywords fix fields."""
    assert listing.status is ListingStatus.APPROVED
    assert listing.sku_id == "sku-1"
    assert [c.status for c in listing.history] == [ListingStatus.IN_REVIEW, ListingStatus.APPROVED]


@given(fst.listing_terms(team_leader_ids=st.none()))
def test_terms_without_a_leader_have_no_fee(terms: ListingTerms) -> None:
    """listing_terms(team_leader_ids=st.none()) gives terms without a leader fee."""
    assert terms.team_leader_id is None
    assert terms.leader_fee_rate is None


@given(
    fst.listing_terms(
        commission_rates=fst.rates(min_value="20%", max_value="30%"),
        team_leader_ids=st.just("tl-1"),  # type: ignore[arg-type]
        leader_fee_rates=fst.rates(max_value="10%"),
    )
)
def test_terms_use_the_given_rates(terms: ListingTerms) -> None:
    """listing_terms(commission_rates=, leader_fee_rates=) draw from the given strategies."""
    assert terms.team_leader_id == "tl-1"
    assert terms.leader_fee_rate is not None
    assert terms.leader_fee_rate <= Rate.of("10%")
    assert Rate.of("20%") <= terms.commission_rate <= Rate.of("30%")


@given(fst.snapshots(pool_ages=st.just(timedelta(days=3)), currencies=st.just("HKD"), counts=st.just(7)))
def test_snapshots_use_the_given_age_currency_and_counts(snap: SkuSnapshot) -> None:
    """snapshots(pool_ages=, currencies=, counts=) set time in pool, currency and every count."""
    assert snap.days_in_pool == 3
    assert snap.price.currency == "HKD"
    assert snap.gmv_30d.currency == "HKD"
    assert (snap.units_30d, snap.promoting_influencers, snap.team_leaders) == (7, 7, 7)


@given(fst.team_leaders(levels=st.just(LeaderLevel.SECOND)))
def test_second_level_leaders_have_a_parent_other_than_themselves(leader: TeamLeader) -> None:
    """team_leaders(levels=) forces the level; second-level leaders get a distinct parent."""
    assert leader.parent_id is not None
    assert leader.parent_id != leader.id


@given(fst.influencers(mcn_ids=st.none(), max_categories=0, fans=st.just(0)))
def test_independent_influencers_have_no_mcn_share(influencer: Influencer) -> None:
    """influencers(mcn_ids=st.none()) gives independents; max_categories=0 gives no main categories."""
    assert influencer.mcn_share is None
    assert influencer.main_category_ids == ()
    assert influencer.fans == 0


@given(fst.merchants(standings=st.just(Standing.SUSPENDED), max_brands=0, experience_scores=st.none()))
def test_merchants_use_the_given_standing(merchant: Merchant) -> None:
    """merchants(standings=, max_brands=, experience_scores=) fix those fields."""
    assert merchant.standing is Standing.SUSPENDED
    assert merchant.brand_ids == ()
    assert merchant.experience_score is None


@given(fst.skus(prices=fst.money(min_fen=1, max_fen=1), category_ids=st.just("c-1"), brand_ids=st.none()))  # type: ignore[arg-type]
def test_skus_use_the_given_price_and_category(sku: Sku) -> None:
    """skus(prices=, category_ids=, brand_ids=) fix those fields."""
    assert sku.price == Money.of("0.01")
    assert sku.category_id == "c-1"
    assert sku.brand_id is None


@given(fst.categories(names=st.just("女装")))
def test_categories_use_the_given_names(category: Category) -> None:
    """categories(names=) supplies every level's name."""
    assert category.path == ("女装", "女装", "女装")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(fst.catalogs(min_size=2, max_size=2, currencies=st.just("USD")))
def test_catalogs_honour_their_size_and_currency(catalog: Catalog) -> None:
    """catalogs(min_size=, max_size=, currencies=) size every collection and set the currency."""
    for collection in (catalog.categories, catalog.merchants, catalog.skus, catalog.listings, catalog.snapshots):
        assert len(collection) == 2
    assert {s.price.currency for s in catalog.skus} == {"USD"}


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        pytest.param(lambda: fst.money(min_fen=5, max_fen=4), "money.max_fen", id="money-reversed"),
        pytest.param(lambda: fst.money(min_fen=-MAX_FEN - 1), "money.min_fen", id="money-beyond-max"),
        pytest.param(
            lambda: fst.money(max_fen=1.5),  # type: ignore[arg-type]  # the run-time check is under test
            "money.max_fen",
            id="money-float-bound",
        ),
        pytest.param(lambda: fst.rates(min_value="50%", max_value="10%"), "rates.max_value", id="rates-reversed"),
        pytest.param(lambda: fst.rates(max_value="120%"), "rates.max_value", id="rates-above-100"),
        pytest.param(lambda: fst.rates(min_value=0.1), "rates.min_value", id="rates-float"),  # type: ignore[arg-type]
        pytest.param(
            lambda: fst.aware_datetimes(min_value=datetime(2026, 1, 1, tzinfo=UTC)),
            "aware_datetimes.min_value",
            id="datetimes-aware-bound",
        ),
        pytest.param(
            lambda: fst.aware_datetimes(min_value=datetime(2026, 1, 2), max_value=datetime(2026, 1, 1)),
            "aware_datetimes.max_value",
            id="datetimes-reversed",
        ),
        pytest.param(lambda: fst.counts(max_value=-1), "counts.max_value", id="counts-negative"),
        pytest.param(lambda: fst.catalogs(min_size=-1), "catalogs.min_size", id="catalogs-negative"),
        pytest.param(lambda: fst.catalogs(min_size=3, max_size=2), "catalogs.max_size", id="catalogs-reversed"),
        pytest.param(lambda: fst.merchants(max_brands=-1), "merchants.max_brands", id="merchants-negative"),
        pytest.param(lambda: fst.influencers(max_categories=True), "influencers.max_categories", id="influencers-bool"),
    ],
)
def test_bad_arguments_raise_invalid_value_error_at_once(make: Callable[[], object], argument: str) -> None:
    """Impossible bounds are refused when the strategy is built, naming the argument."""
    with pytest.raises(InvalidValueError, match=rf"^{re.escape(argument)}: "):
        make()


# -- the optional dependency ------------------------------------------------------------------------------


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60)


def test_importing_fenxiao_does_not_import_hypothesis() -> None:
    """`import fenxiao` and `import fenxiao.testing` leave Hypothesis unloaded."""
    result = _run("import sys, fenxiao, fenxiao.testing; print('hypothesis' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_strategies_without_hypothesis_name_the_extra_to_install() -> None:
    """Without Hypothesis, importing the strategies raises MissingExtraError naming fenxiao[testing]."""
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # makes `import hypothesis` fail as if it were not installed\n"
        "from fenxiao import FenxiaoError\n"
        "from fenxiao.testing import MissingExtraError\n"
        "try:\n"
        "    import fenxiao.testing.strategies\n"
        "except MissingExtraError as exc:\n"
        "    assert isinstance(exc, FenxiaoError) and isinstance(exc, ImportError)\n"
        "    print(exc)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "fenxiao.testing.strategies requires the 'hypothesis' package: pip install 'fenxiao[testing]'"
    )


def test_missing_extra_error_pickles() -> None:
    """MissingExtraError survives pickling with its attributes."""
    error = pickle.loads(pickle.dumps(MissingExtraError("hypothesis", "testing", "fenxiao.testing.strategies")))
    assert (error.package, error.extra, error.module, error.name) == (
        "hypothesis",
        "testing",
        "fenxiao.testing.strategies",
        "hypothesis",
    )


def test_every_public_strategy_is_documented() -> None:
    """Each name in __all__ exists and carries a docstring."""
    for name in fst.__all__:
        obj = getattr(fst, name)
        if callable(obj):
            assert obj.__doc__, name
            assert isinstance(obj(), st.SearchStrategy), name


@pytest.mark.parametrize("name", OPTIONAL_METRIC_FIELDS)
def test_snapshots_sometimes_leave_each_optional_metric_unobserved(name: str) -> None:
    """Every metric that may be unobserved is drawn as None for some snapshots, and observed for others."""
    assert _reaches(fst.snapshots(), lambda s: getattr(s, name) is None)
    assert _reaches(fst.snapshots(), lambda s: getattr(s, name) is not None)


@given(fst.snapshots(observed=st.just(True)))
def test_observed_true_draws_every_rate_and_score(snap: SkuSnapshot) -> None:
    """observed=st.just(True) observes every optional rate and the experience score (the sub-scores and the optional
    prices keep their own draws)."""
    sub_scores = {"goods_score", "logistics_score", "service_score"}
    assert all(getattr(snap, name) is not None for name in set(MEDIAN_METRICS) - sub_scores)
