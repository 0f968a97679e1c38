"""Subsidy budgets and their caps, one batch at a time: ``allocate_subsidies`` keeps its results (an oracle copy of
the algorithm before caps checks it) and is the same allocation as an empty ``BudgetBook``'s."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import BudgetBook
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import default_perk_catalog, example_perk_inputs, outside_window
from fenxiao.grading.subsidies import (
    BudgetAllocation,
    SubsidyBudget,
    SubsidyGrant,
    SubsidyRequest,
    allocate_subsidies,
    subsidy_requests,
)
from fenxiao.money import Money
from fenxiao.serialization import dumps, loads

from .. import builders

T0 = datetime(2026, 11, 1, tzinfo=UTC)


# -- the oracle: allocate_subsidies as it was before budgets had caps and memory --------------------------------


def _old_priority(request: SubsidyRequest) -> tuple[int, Decimal, str]:
    return (-request.tier.rank, -request.score, request.request_id)


def oracle_allocate(
    requests: Iterable[SubsidyRequest],
    budgets: Sequence[SubsidyBudget],
    *,
    order: Callable[[SubsidyRequest], Any] = _old_priority,
) -> BudgetAllocation:
    """The algorithm of ``allocate_subsidies`` before caps (a verbatim copy of its loop, without the checks)."""
    by_name = {budget.name: budget for budget in budgets}
    remaining = {name: b.total for name, b in by_name.items()}
    grants: list[SubsidyGrant] = []
    for request in sorted(requests, key=order):
        budget = by_name.get(request.budget)
        zero = Money(0, request.amount.currency)
        if budget is None:
            grants.append(SubsidyGrant(request.request_id, request.budget, request.amount, zero, "unknown budget"))
            continue
        if outside_window(budget.valid_from, budget.valid_until, request.at) is not None:
            grants.append(
                SubsidyGrant(request.request_id, budget.name, request.amount, zero, "outside the budget's window")
            )
            continue
        left = remaining[budget.name]
        if left >= request.amount:
            granted, reason = request.amount, "granted in full"
        elif left.fen > 0:
            granted, reason = left, f"partial: the budget had {left} left"
        else:
            granted, reason = zero, "budget exhausted"
        remaining[budget.name] = left - granted
        grants.append(SubsidyGrant(request.request_id, budget.name, request.amount, granted, reason))
    return BudgetAllocation(tuple(grants), remaining)


# -- strategies -------------------------------------------------------------------------------------------------

TIMES = st.integers(-2, 12).map(lambda d: T0 + timedelta(days=d, hours=d % 3))
MOMENTS = st.one_of(st.none(), TIMES)


@st.composite
def requests(draw: st.DrawFn, *, keys: bool = True, timed: bool = False) -> list[SubsidyRequest]:
    """Up to 20 requests with unique ids on budgets ``a``, ``b`` and an unknown one; with *keys*, merchant ids."""
    count = draw(st.integers(0, 20))
    ids = draw(st.lists(st.integers(0, 999), min_size=count, max_size=count, unique=True))
    out = []
    for i in ids:
        at = draw(TIMES if timed else MOMENTS)
        out.append(
            SubsidyRequest(
                f"r{i}",
                draw(st.sampled_from(["a", "b", "missing"])),
                Money(draw(st.integers(0, 3_000))),
                draw(st.sampled_from(list(Tier))),
                Decimal(draw(st.integers(0, 100))),
                sku_id=draw(st.sampled_from([None, "s1", "s2"])) if keys else None,
                at=at,
                merchant_id=draw(st.sampled_from([None, "m1", "m2"])) if keys else None,
            )
        )
    return out


CAP = st.one_of(st.none(), st.integers(0, 4_000).map(Money))


@st.composite
def budgets(draw: st.DrawFn, *, caps: bool = True, windows: bool = True) -> tuple[SubsidyBudget, ...]:
    """Budgets ``a`` and ``b``, each with a total, maybe a window (around T0 .. T0 + 10 days) and caps."""
    out = []
    for name in ("a", "b"):
        start = (
            draw(st.one_of(st.none(), st.integers(-1, 3).map(lambda d: T0 + timedelta(days=d)))) if windows else None
        )
        end = draw(st.one_of(st.none(), st.integers(4, 10).map(lambda d: T0 + timedelta(days=d)))) if windows else None
        fields: dict[str, Any] = {}
        if caps:
            fields = {field: draw(CAP) for field in ("per_merchant", "per_sku", "per_day", "per_period")}
        out.append(SubsidyBudget(name, Money(draw(st.integers(0, 20_000))), start, end, **fields))
    return tuple(out)


# -- properties -------------------------------------------------------------------------------------------------


@given(requests(keys=False), budgets(caps=False))
def test_allocate_subsidies_keeps_its_results_without_caps(
    asked: list[SubsidyRequest], budget_list: tuple[SubsidyBudget, ...]
) -> None:
    """Without caps, grants, reasons and what is left are exactly those of the algorithm before caps."""
    assert allocate_subsidies(asked, budget_list) == oracle_allocate(asked, budget_list)


@given(requests(), budgets(caps=False))
def test_request_keys_change_nothing_without_caps(
    asked: list[SubsidyRequest], budget_list: tuple[SubsidyBudget, ...]
) -> None:
    """Merchant and SKU ids only matter to caps: without them the old results stand, keys or no keys."""
    assert allocate_subsidies(asked, budget_list) == oracle_allocate(asked, budget_list)


@given(requests(keys=False), budgets(caps=False), st.data())
def test_allocate_subsidies_keeps_its_results_under_another_order(
    asked: list[SubsidyRequest], budget_list: tuple[SubsidyBudget, ...], data: st.DataObject
) -> None:
    """The *order* keyword still decides who is served first, as before."""
    reverse = data.draw(st.booleans())

    def by_amount(request: SubsidyRequest) -> tuple[int, str]:
        return (request.amount.fen if reverse else -request.amount.fen, request.request_id)

    assert allocate_subsidies(asked, budget_list, order=by_amount) == oracle_allocate(
        asked, budget_list, order=by_amount
    )


@given(requests(timed=True), budgets(), st.sampled_from([None, "2026-11"]))
def test_allocate_subsidies_is_an_empty_books_allocation(
    asked: list[SubsidyRequest], budget_list: tuple[SubsidyBudget, ...], period: str | None
) -> None:
    """One algorithm: for timed requests and a moment inside every window, an empty book grants the same."""
    at = T0 + timedelta(days=3, hours=12)  # inside every generated window
    book, allocation = BudgetBook().allocate(asked, budget_list, period=period, at=at)
    assert allocation == allocate_subsidies(asked, budget_list)
    assert [e.amount for e in book.entries] == [g.granted for g in allocation.grants if g.granted.fen]


@given(requests(), budgets(), st.randoms(use_true_random=False))
def test_caps_hold_within_one_batch_whatever_the_arrival_order(
    asked: list[SubsidyRequest], budget_list: tuple[SubsidyBudget, ...], rnd: Any
) -> None:
    """Each cap bounds what one merchant, SKU or day gets; the whole batch is one period; order of arrival is moot."""
    allocation = allocate_subsidies(asked, budget_list)
    shuffled = list(asked)
    rnd.shuffle(shuffled)
    assert allocate_subsidies(shuffled, budget_list) == allocation
    by_id = {r.request_id: r for r in asked}
    for budget in budget_list:
        grants = [(by_id[g.request_id], g.granted.fen) for g in allocation.grants if g.budget == budget.name]
        spent = sum(fen for _, fen in grants)
        assert spent <= budget.total.fen
        assert allocation.remaining[budget.name].fen == budget.total.fen - spent
        if budget.per_period is not None:
            assert spent <= budget.per_period.fen
        caps: list[tuple[Money | None, Callable[[SubsidyRequest], object]]] = [
            (budget.per_merchant, lambda r: r.merchant_id),
            (budget.per_sku, lambda r: r.sku_id),
            (budget.per_day, lambda r: r.at.date() if r.at is not None else None),
        ]
        for cap, key in caps:
            if cap is None:
                continue
            per_key: dict[object, int] = {}
            for request, fen in grants:
                per_key[key(request)] = per_key.get(key(request), 0) + fen
            assert all(total <= cap.fen for total in per_key.values())
    assert all(Money(0) <= g.granted <= g.requested for g in allocation.grants)


# -- examples ---------------------------------------------------------------------------------------------------


def _ask(request_id: str, amount: str, **keys: Any) -> SubsidyRequest:
    return SubsidyRequest(request_id, "b", Money.of(amount), Tier.L5, **keys)


@pytest.mark.parametrize(
    ("cap", "keys", "label"),
    [
        ("per_merchant", {"merchant_id": "m-1"}, "per-merchant cap"),
        ("per_sku", {"sku_id": "s-1"}, "per-SKU cap"),
        ("per_day", {"at": T0 + timedelta(hours=5)}, "per-day cap"),
        ("per_period", {}, "per-period cap"),
    ],
)
def test_each_cap_binds_in_one_batch_and_its_reason_names_it(cap: str, keys: dict[str, Any], label: str) -> None:
    """¥5.00 under a ¥100 total: the first ¥3.00 in full, the second gets the ¥2.00 left, the third nothing."""
    limit: dict[str, Any] = {cap: Money.of("5.00")}
    budget = SubsidyBudget("b", Money.of("100.00"), **limit)
    asked = [_ask(f"r{i}", "3.00", **keys) for i in range(3)]
    assert [(str(g.granted), g.reason) for g in allocate_subsidies(asked, [budget]).grants] == [
        ("¥3.00", "granted in full"),
        ("¥2.00", f"partial: {label} of ¥5.00 had ¥2.00 left"),
        ("¥0.00", f"{label} of ¥5.00 exhausted"),
    ]


def test_a_cap_counts_each_key_apart() -> None:
    """Two merchants under a ¥5.00 per-merchant cap get ¥5.00 each; requests without a merchant share one cap."""
    budget = SubsidyBudget("b", Money.of("100.00"), per_merchant=Money.of("5.00"))
    asked = [_ask(f"{m}-{i}", "4.00", merchant_id=m) for m in ("m-1", "m-2") for i in range(2)]
    asked += [_ask(f"none-{i}", "4.00") for i in range(2)]
    granted = {g.request_id: str(g.granted) for g in allocate_subsidies(asked, [budget]).grants}
    assert granted == {
        "m-1-0": "¥4.00",
        "m-1-1": "¥1.00",
        "m-2-0": "¥4.00",
        "m-2-1": "¥1.00",
        "none-0": "¥4.00",
        "none-1": "¥1.00",
    }


def test_the_total_is_named_before_a_cap_that_leaves_the_same() -> None:
    """A ¥5.00 total with a ¥5.00 per-merchant cap: the reason names the budget, as it did before caps."""
    budget = SubsidyBudget("b", Money.of("5.00"), per_merchant=Money.of("5.00"))
    asked = [_ask(f"r{i}", "3.00", merchant_id="m-1") for i in range(3)]
    reasons = [g.reason for g in allocate_subsidies(asked, [budget]).grants]
    assert reasons == ["granted in full", "partial: the budget had ¥2.00 left", "budget exhausted"]


def test_the_tightest_cap_binds() -> None:
    """Per-merchant ¥5.00 and per-SKU ¥4.00 on one request of ¥6.00: the SKU cap binds at ¥4.00."""
    budget = SubsidyBudget("b", Money.of("100.00"), per_merchant=Money.of("5.00"), per_sku=Money.of("4.00"))
    (grant,) = allocate_subsidies([_ask("r", "6.00", merchant_id="m", sku_id="s")], [budget]).grants
    assert (str(grant.granted), grant.reason) == ("¥4.00", "partial: per-SKU cap of ¥4.00 had ¥4.00 left")


def test_a_day_is_the_calendar_day_of_the_request_in_its_own_offset() -> None:
    """23:30 and 00:30 China time are two days for a per-day cap (though the same UTC day)."""
    cst = builders.CST
    budget = SubsidyBudget("b", Money.of("100.00"), per_day=Money.of("1.00"))
    asked = [
        _ask("late", "1.00", at=datetime(2026, 11, 11, 23, 30, tzinfo=cst)),
        _ask("early", "1.00", at=datetime(2026, 11, 12, 0, 30, tzinfo=cst)),
    ]
    assert [str(g.granted) for g in allocate_subsidies(asked, [budget]).grants] == ["¥1.00", "¥1.00"]


def test_a_zero_cap_grants_nothing_and_one_fen_grants_one_fen() -> None:
    """The smallest caps: ¥0.00 grants nothing; ¥0.01 grants one fen of a larger request."""
    zero = SubsidyBudget("b", Money.of("1.00"), per_sku=Money(0))
    (grant,) = allocate_subsidies([_ask("r", "0.50", sku_id="s")], [zero]).grants
    assert (grant.granted, grant.reason) == (Money(0), "per-SKU cap of ¥0.00 exhausted")
    fen = SubsidyBudget("b", Money.of("1.00"), per_sku=Money.of("0.01"))
    grants = allocate_subsidies([_ask("r1", "0.50", sku_id="s"), _ask("r2", "0.01", sku_id="t")], [fen]).grants
    assert [(g.granted, g.reason) for g in grants] == [
        (Money(1), "partial: per-SKU cap of ¥0.01 had ¥0.01 left"),
        (Money(1), "granted in full"),
    ]


def test_caps_are_money_in_the_totals_currency() -> None:
    """A cap is optional Money, not negative, in the currency of the total; the error names the field."""
    with pytest.raises(InvalidValueError, match=r"SubsidyBudget\.per_day: must be in CNY"):
        SubsidyBudget("b", Money.of("1.00"), per_day=Money(1, "USD"))
    with pytest.raises(InvalidValueError, match=r"SubsidyBudget\.per_sku: must not be negative"):
        SubsidyBudget("b", Money.of("1.00"), per_sku=Money(-1))
    with pytest.raises(InvalidValueError, match=r"SubsidyBudget\.per_merchant: must be Money"):
        SubsidyBudget("b", Money.of("1.00"), per_merchant=5)  # type: ignore[arg-type]
    assert SubsidyBudget("b", Money(1, "USD"), per_period=Money(1, "USD")).per_period == Money(1, "USD")


def test_earlier_calls_keep_working() -> None:
    """Budgets and requests built by position as before still build; the new fields default to None."""
    budget = SubsidyBudget("b", Money.of("1.00"), T0, T0 + timedelta(days=1))
    request = SubsidyRequest("r", "b", Money(1), Tier.L1, Decimal(5), "s-1", T0)
    assert (budget.per_merchant, budget.per_sku, budget.per_day, budget.per_period) == (None, None, None, None)
    assert request.merchant_id is None
    assert allocate_subsidies([request], [budget]).grants[0].granted == Money(1)
    with pytest.raises(InvalidValueError, match=r"SubsidyRequest\.merchant_id"):
        SubsidyRequest("r", "b", Money(1), Tier.L1, merchant_id="not an id")


def test_subsidy_requests_carry_the_orders_merchant() -> None:
    """A request made from an order names its SKU, merchant and time: the keys of the caps."""
    resolution = default_perk_catalog().resolve(Tier.L5, example_perk_inputs())
    order = builders.order("99.90", id="o-1")
    (request,) = subsidy_requests(resolution, [order], score=Decimal(95))
    assert (request.sku_id, request.merchant_id, request.at) == ("sku-1", "m-1", order.paid_at)


@given(units=st.integers(1, 50), price=st.integers(1, 10**7))
def test_per_unit_asks_units_times_what_one_buyer_order_gets(units: int, price: int) -> None:
    """per_unit: n × amount_for(paid / n), capped (and rounded) per buyer order; one unit asks what the order asks;
    a subsidy of nothing asks nothing."""
    resolution = default_perk_catalog().resolve(Tier.L5, example_perk_inputs())
    (subsidy,) = resolution.of_kind("subsidy")
    line = builders.order(Money(price * units), id="o-1", units=units)
    whole = subsidy_requests(resolution, [line])
    each = subsidy_requests(resolution, [line], per_unit=True)
    expected = subsidy.amount_for(Money(price)) * units
    assert [r.amount for r in each] == ([expected] if expected.fen else [])
    assert [r.amount for r in whole] == ([subsidy.amount_for(line.paid)] if subsidy.amount_for(line.paid).fen else [])
    for request in each:
        assert (request.request_id, request.sku_id, request.merchant_id) == ("o-1:official-subsidy", "sku-1", "m-1")
    if units == 1:
        assert each == whole


def test_budgets_and_requests_with_caps_round_trip() -> None:
    """The new fields travel through the one converter."""
    budget = SubsidyBudget("b", Money.of("9.00"), T0, None, Money.of("1.00"), None, Money.of("2.00"), Money(3))
    request = SubsidyRequest("o-1:b", "b", Money(5), Tier.L4, Decimal("80.5"), "s-1", T0, "m-1")
    assert loads(dumps(budget), SubsidyBudget) == budget
    assert loads(dumps(request), SubsidyRequest) == request
