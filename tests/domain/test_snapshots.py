"""SkuSnapshot: every metric of the five dimensions is there, validated, and safely defaulted."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import partial

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.ids import CategoryId
from fenxiao.domain.snapshots import METRIC_FIELDS, OPTIONAL_METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate
from fenxiao.serialization import dumps, from_dict, loads, to_dict
from fenxiao.testing.strategies import snapshots

from .. import builders

CST = timezone(timedelta(hours=8))
OBSERVED = datetime(2026, 11, 20, 0, 0, tzinfo=CST)
JOINED = datetime(2026, 11, 10, 12, 0, tzinfo=CST)

#: What DOMAIN.md lists for each of the five dimensions, as snapshot fields.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "brand 品牌力": ("brand_registered", "brand_authorised", "flagship_shop", "on_brand_list", "brand_gmv_30d"),
    "price 价格力": ("price", "reference_price", "lowest_price_30d"),
    "distribution 分销力": ("commission_rate", "promoting_influencers", "influencer_gmv_share", "team_leaders"),
    "service 服务力": (
        "experience_score",
        "goods_score",
        "logistics_score",
        "service_score",
        "good_review_rate",
        "bad_review_rate",
        "quality_return_rate",
        "refund_rate",
        "complaint_rate",
        "shipped_48h_rate",
    ),
    "sales 销售力": ("units_30d", "gmv_30d", "units_prev_30d", "gmv_prev_30d", "repurchase_rate"),
}
COMPLIANCE = ("serious_violations_365d",)

RATE_FIELDS = tuple(a.name for a in attrs.fields(SkuSnapshot) if a.name.endswith(("_rate", "_share")))
#: Rates the platform may not have observed: None (unobserved) by default, never 0%.
UNOBSERVED_RATES = tuple(name for name in RATE_FIELDS if name != "commission_rate")
COUNT_FIELDS = ("units_30d", "units_prev_30d", "promoting_influencers", "team_leaders", "serious_violations_365d")
MONEY_FIELDS = ("gmv_30d", "gmv_prev_30d", "brand_gmv_30d")
OPTIONAL_MONEY_FIELDS = ("reference_price", "lowest_price_30d")
FLAG_FIELDS = ("brand_registered", "brand_authorised", "flagship_shop", "on_brand_list")
SUB_SCORES = ("goods_score", "logistics_score", "service_score")


#: A dress seen at midnight China time, ten and a half days after it joined.
snapshot = partial(
    builders.snapshot,
    category_id=CategoryId("c-dress"),
    observed_at=OBSERVED,
    joined_at=JOINED,
    price=Money.of("129.00"),
)


def test_the_snapshot_holds_every_metric_of_the_five_dimensions() -> None:
    """Each metric DOMAIN.md lists per dimension is a field; every metric field belongs to a dimension."""
    listed = [name for names in DIMENSIONS.values() for name in names] + list(COMPLIANCE)
    assert sorted(listed) == sorted(METRIC_FIELDS)
    assert len(set(listed)) == len(listed)


def test_metric_fields_leave_out_identity_and_time() -> None:
    """METRIC_FIELDS lists metrics only, in declaration order."""
    assert not {"sku_id", "category_id", "observed_at", "joined_at"} & set(METRIC_FIELDS)
    declared = [a.name for a in attrs.fields(SkuSnapshot)]
    assert list(METRIC_FIELDS) == [name for name in declared if name in METRIC_FIELDS]


def test_every_metric_has_a_safe_default() -> None:
    """Only identity, times and the price are required; metrics default to nothing observed: counts, amounts and
    flags (the platform's own records) to 0, the merchant's commission to 0%, everything that may go unobserved to
    None."""
    bare = snapshot()
    assert all(getattr(bare, name) == 0 for name in COUNT_FIELDS)
    assert bare.commission_rate == Rate.zero()
    assert all(getattr(bare, name) is None for name in UNOBSERVED_RATES)
    assert all(getattr(bare, name) == Money(0) for name in MONEY_FIELDS)
    assert all(getattr(bare, name) is None for name in (*OPTIONAL_MONEY_FIELDS, *SUB_SCORES))
    assert not any(getattr(bare, name) for name in FLAG_FIELDS)
    assert bare.experience_score is None


def test_the_optional_metrics_are_exactly_those_defaulting_to_none() -> None:
    """OPTIONAL_METRIC_FIELDS lists every metric whose default is None (unobserved), and only those."""
    bare = snapshot()
    assert tuple(name for name in METRIC_FIELDS if getattr(bare, name) is None) == OPTIONAL_METRIC_FIELDS
    assert set(OPTIONAL_METRIC_FIELDS) == {*UNOBSERVED_RATES, *OPTIONAL_MONEY_FIELDS, *SUB_SCORES, "experience_score"}


@pytest.mark.parametrize("field", [*UNOBSERVED_RATES, "experience_score"])
def test_an_observed_zero_is_not_unobserved(field: str) -> None:
    """An explicit 0 stays an observed 0, distinct from None (unobserved)."""
    zero = Rate.zero() if field != "experience_score" else Decimal(0)
    observed = snapshot(**{field: zero})
    assert getattr(observed, field) == zero
    assert getattr(observed, field) is not None
    assert observed != snapshot()


def test_days_in_pool_and_sales_are_derived() -> None:
    """days_in_pool counts whole days to the observation; has_sales means 有动销."""
    snap = snapshot(units_30d=3, gmv_30d=Money.of("387.00"))
    assert snap.days_in_pool == 9
    assert snap.has_sales
    assert not snapshot().has_sales


def test_days_since_joining_takes_an_aware_as_of() -> None:
    """Whole days since joining at any moment; a naive moment is refused with the argument's path."""
    assert snapshot().days_since_joining(JOINED + timedelta(days=14)) == 14
    with pytest.raises(InvalidValueError, match=r"^SkuSnapshot\.days_since_joining\.as_of: must be .*aware"):
        snapshot().days_since_joining(datetime(2026, 11, 24))


def test_days_are_counted_across_offsets() -> None:
    """Joining in UTC and observing in CST count real elapsed time."""
    snap = snapshot(joined_at=datetime(2026, 11, 19, 16, 0, tzinfo=UTC))  # 2026-11-20 00:00 CST
    assert snap.days_in_pool == 0
    assert snap.days_since_joining(OBSERVED + timedelta(days=1)) == 1


@pytest.mark.parametrize("field", ["observed_at", "joined_at"])
@pytest.mark.parametrize("bad", [datetime(2026, 11, 15), "2026-11-15T00:00:00+08:00", None])
def test_snapshot_times_must_be_aware_datetimes(field: str, bad: object) -> None:
    """Naive datetimes, strings and None are refused with SkuSnapshot.<field>."""
    with pytest.raises(InvalidValueError, match=rf"^SkuSnapshot\.{field}: must be .*got {re.escape(repr(bad))}"):
        snapshot(**{field: bad})


def test_a_snapshot_cannot_predate_the_join() -> None:
    """joined_at after observed_at is refused; equal is fine (observed the moment it joined)."""
    with pytest.raises(InvalidValueError, match=r"^SkuSnapshot\.joined_at: is after observed_at"):
        snapshot(joined_at=OBSERVED + timedelta(seconds=1))
    assert snapshot(joined_at=OBSERVED).days_in_pool == 0


@pytest.mark.parametrize("field", RATE_FIELDS)
@pytest.mark.parametrize("bad", [0.1, Decimal("0.1"), "10%"])
def test_rates_must_be_rate_values(field: str, bad: object) -> None:
    """Every rate field refuses floats, bare Decimals and text."""
    with pytest.raises(InvalidValueError, match=rf"^SkuSnapshot\.{field}: must be a Rate.*got {re.escape(repr(bad))}"):
        snapshot(**{field: bad})


def test_the_commission_rate_is_never_unobserved() -> None:
    """The merchant's offer is a setting, not an observation: None is refused."""
    with pytest.raises(InvalidValueError, match=r"^SkuSnapshot\.commission_rate: must be a Rate.*got None"):
        snapshot(commission_rate=None)


@pytest.mark.parametrize("field", COUNT_FIELDS)
@pytest.mark.parametrize("bad", [-1, 1.0, True, "3"])
def test_counts_must_be_whole_non_negative_numbers(field: str, bad: object) -> None:
    """Every count refuses negatives, floats, booleans and text."""
    with pytest.raises(InvalidValueError, match=rf"^SkuSnapshot\.{field}: must .*got {re.escape(repr(bad))}"):
        snapshot(**{field: bad})


@pytest.mark.parametrize("field", ["price", *MONEY_FIELDS, *OPTIONAL_MONEY_FIELDS])
@pytest.mark.parametrize("bad", [Money(-1), 100, "1.00"])
def test_amounts_must_be_non_negative_money(field: str, bad: object) -> None:
    """Every amount refuses negative Money and plain numbers or text."""
    with pytest.raises(InvalidValueError, match=rf"^SkuSnapshot\.{field}: must .*got {re.escape(repr(bad))}"):
        snapshot(**{field: bad})


@pytest.mark.parametrize("field", ["gmv_30d", "gmv_prev_30d", "brand_gmv_30d", *OPTIONAL_MONEY_FIELDS])
def test_amounts_must_share_the_price_currency(field: str) -> None:
    """A USD amount beside a CNY price is refused rather than silently mixed."""
    with pytest.raises(InvalidValueError, match=rf"^SkuSnapshot\.{field}: must be in the price's currency CNY"):
        snapshot(**{field: Money(100, "USD")})


@pytest.mark.parametrize("field", ["experience_score", *SUB_SCORES])
@pytest.mark.parametrize("bad", [4.5, Decimal("5.01"), Decimal("-0.1"), Decimal("Infinity"), "4.5"])
def test_scores_are_exact_decimals_from_zero_to_five(field: str, bad: object) -> None:
    """Shop scores refuse floats, out-of-range and non-finite values."""
    with pytest.raises(InvalidValueError, match=rf"^SkuSnapshot\.{field}: must .*got {re.escape(repr(bad))}"):
        snapshot(**{field: bad})


def test_the_experience_score_and_sub_scores_may_be_unobserved() -> None:
    """None is a valid experience score and sub-score (an unrated shop), and the default."""
    assert snapshot(goods_score=None).goods_score is None
    assert snapshot(experience_score=None).experience_score is None


@pytest.mark.parametrize("field", FLAG_FIELDS)
@pytest.mark.parametrize("bad", [1, "true", None])
def test_brand_facts_must_be_booleans(field: str, bad: object) -> None:
    """Brand facts refuse anything but True or False."""
    with pytest.raises(InvalidValueError, match=rf"^SkuSnapshot\.{field}: must be true or false"):
        snapshot(**{field: bad})


@pytest.mark.parametrize(("field", "bad"), [("sku_id", "sku 1"), ("category_id", "")])
def test_snapshot_ids_are_validated(field: str, bad: str) -> None:
    """Ids follow the id rule."""
    with pytest.raises(InvalidValueError, match=rf"^SkuSnapshot\.{field}: must be an id"):
        snapshot(**{field: bad})


def test_boundary_values_are_accepted() -> None:
    """0% and 100% rates, scores 0 and 5, and a zero price are all valid."""
    edge = snapshot(
        price=Money(0),
        refund_rate=Rate.one(),
        repurchase_rate=Rate.zero(),
        experience_score=Decimal(5),
        goods_score=Decimal(0),
    )
    assert edge.refund_rate == Rate.of("100%")


@given(
    units=st.integers(min_value=0, max_value=10**9),
    permille=st.integers(min_value=0, max_value=1000),
    days=st.integers(min_value=0, max_value=3650),
)
def test_any_in_range_metrics_build_a_snapshot(units: int, permille: int, days: int) -> None:
    """Valid counts, rates and join times always build, and days_in_pool matches the join time."""
    snap = snapshot(
        units_30d=units,
        refund_rate=Rate.from_permille(permille),
        joined_at=OBSERVED - timedelta(days=days),
    )
    assert snap.days_in_pool == days
    assert snap.has_sales == (units > 0)


# -- the file form: None round-trips, old explicit zeros stay observed -------------------------------------------


@given(snap=snapshots())
def test_unobserved_metrics_round_trip_through_json_and_toml(snap: SkuSnapshot) -> None:
    """None (unobserved) reads back as None and observed values as themselves, in JSON (null) and TOML (left out)."""
    assert loads(dumps(snap), SkuSnapshot) == snap
    assert loads(dumps(snap, format="toml"), SkuSnapshot, format="toml") == snap
    data = to_dict(snap)
    assert all((data[name] is None) == (getattr(snap, name) is None) for name in OPTIONAL_METRIC_FIELDS)


def test_an_old_document_with_explicit_zeros_still_means_observed_zeros() -> None:
    """A snapshot written when these metrics defaulted to 0 carries explicit zeros: they load as observed 0."""
    old = {
        "sku_id": "sku-1",
        "category_id": "c-tea",
        "observed_at": "2026-11-20T00:00:00+08:00",
        "joined_at": "2026-11-10T12:00:00+08:00",
        "price": "10.00",
        **dict.fromkeys(UNOBSERVED_RATES, "0"),
        "experience_score": "0",
    }
    snap = from_dict(old, SkuSnapshot)
    assert all(getattr(snap, name) == Rate.zero() for name in UNOBSERVED_RATES)
    assert snap.experience_score == Decimal(0)
    left_out = from_dict({k: v for k, v in old.items() if k not in ("refund_rate", "experience_score")}, SkuSnapshot)
    assert (left_out.refund_rate, left_out.experience_score) == (None, None)
