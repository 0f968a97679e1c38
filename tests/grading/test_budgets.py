"""BudgetBook: budgets that carry over. Allocation against what is left, caps per period, merchant, SKU and day,
grants paid once, returns (by hand and from an order's refunds), the queries, and the book's own guarantees."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import BudgetBook, SpendEntry
from fenxiao.grading.levels import Tier
from fenxiao.grading.subsidies import BudgetAllocation, SubsidyBudget, SubsidyRequest, apply_subsidy
from fenxiao.money import Money, Rounding
from fenxiao.serialization import dumps, loads
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, split

from .. import builders

T0 = datetime(2026, 11, 1, 10, tzinfo=builders.CST)
DAY = timedelta(days=1)
PROFILE = PlatformProfile.kuaishou()


def _ask(request_id: str, amount: str | int, budget: str = "b", **keys: Any) -> SubsidyRequest:
    money = Money(amount) if isinstance(amount, int) else Money.of(amount)
    return SubsidyRequest(request_id, budget, money, keys.pop("tier", Tier.L5), **keys)


def _grants(allocation: BudgetAllocation) -> list[tuple[str, str, str]]:
    return [(g.request_id, str(g.granted), g.reason) for g in allocation.grants]


# -- a model of the book, kept by the test from what each call reports -------------------------------------------------


@attrs.define
class Grant:
    """What the test knows of one grant: its keys, the amount, and what has been returned of it."""

    budget: str
    fen: int
    period: str | None
    merchant_id: str | None
    sku_id: str | None
    day: date
    returned: int = 0


@attrs.define
class Model:
    """The recount: every grant the allocations reported and every return give_back reported."""

    grants: dict[str, Grant] = attrs.Factory(dict)

    def record(
        self, allocation: BudgetAllocation, requests: list[SubsidyRequest], period: str | None, at: datetime
    ) -> None:
        by_id = {r.request_id: r for r in requests}
        for grant in allocation.grants:
            if grant.granted.fen:
                assert grant.request_id not in self.grants, "paid twice"
                request = by_id[grant.request_id]
                day = (request.at if request.at is not None else at).date()
                self.grants[grant.request_id] = Grant(
                    grant.budget, grant.granted.fen, period, request.merchant_id, request.sku_id, day
                )

    def spent(self, budget: str, scope: str | None = None, key: object = None) -> int:
        """Net spend of *budget*, in all or for one value of a scope (``None`` included, as a cap counts it)."""
        return sum(
            g.fen - g.returned
            for g in self.grants.values()
            if g.budget == budget and (scope is None or getattr(g, scope) == key)
        )


SCOPES = (("period", "per_period"), ("merchant_id", "per_merchant"), ("sku_id", "per_sku"), ("day", "per_day"))


def check_book(book: BudgetBook, model: Model, budgets: tuple[SubsidyBudget, ...]) -> None:
    """Every budget and cap within bounds; the book's spend, grants and returns equal the recount; the book (built
    without re-checking what it held) is what the validated constructor builds from its entries."""
    assert BudgetBook(book.entries) == book
    for budget in budgets:
        name = budget.name
        assert book.spent(name).fen == model.spent(name)
        assert book.granted(name).fen == sum(g.fen for g in model.grants.values() if g.budget == name)
        assert book.returned(name).fen == sum(g.returned for g in model.grants.values() if g.budget == name)
        assert 0 <= model.spent(name) <= budget.total.fen
        assert book.remaining(budget).fen == budget.total.fen - model.spent(name)
        for scope, cap_field in SCOPES:
            cap: Money | None = getattr(budget, cap_field)
            for key in {getattr(g, scope) for g in model.grants.values() if g.budget == name}:
                spent = model.spent(name, scope, key)
                assert spent >= 0
                if cap is not None:
                    assert spent <= cap.fen, (cap_field, key)
                if key is not None:
                    filters = {"merchant_id" if scope == "merchant_id" else scope: key}
                    assert book.spent(name, **filters).fen == spent
    for request_id, grant in model.grants.items():
        assert 0 <= grant.returned <= grant.fen
        assert book.held(request_id).fen == grant.fen - grant.returned


# -- strategies for interleavings of allocations and returns -----------------------------------------------------------

CAP = st.one_of(st.none(), st.none(), st.integers(0, 1_500).map(Money), st.integers(500, 1_500).map(Money))


@st.composite
def budget_pairs(draw: st.DrawFn) -> tuple[SubsidyBudget, ...]:
    """Budgets ``a`` and ``b``: a total, any caps, and maybe a window that ends during the run."""
    out = []
    for name in ("a", "b"):
        until = draw(st.one_of(st.none(), st.none(), st.integers(2, 8).map(lambda d: T0 + d * DAY)))
        caps = {field: draw(CAP) for field in ("per_merchant", "per_sku", "per_day", "per_period")}
        total = draw(st.one_of(st.integers(0, 4_000), st.integers(1_500, 4_000)))
        out.append(SubsidyBudget(name, Money(total), None, until, **caps))
    return tuple(out)


@st.composite
def batches(draw: st.DrawFn) -> list[SubsidyRequest]:
    """Up to 8 requests with ids from a small pool (so that later batches ask again for what was paid)."""
    ids = draw(st.lists(st.integers(0, 14), max_size=8, unique=True))
    return [
        SubsidyRequest(
            f"o-{i}:{budget}",
            budget,
            Money(draw(st.integers(0, 900))),
            draw(st.sampled_from(list(Tier))),
            Decimal(draw(st.integers(0, 100))),
            sku_id=draw(st.sampled_from([None, "s1", "s2"])),
            at=draw(st.one_of(st.none(), st.integers(0, 6).map(lambda d: T0 + d * DAY - timedelta(hours=d)))),
            merchant_id=draw(st.sampled_from([None, "m1", "m2"])),
        )
        for i in ids
        for budget in [draw(st.sampled_from(["a", "b", "gone"]))]
    ]


ALLOCATE = st.tuples(
    st.just("allocate"), batches(), st.sampled_from([None, "p1", "p2"]), st.integers(0, 6), st.randoms()
)
GIVE_BACK = st.tuples(
    st.just("give_back"), st.integers(0, 50), st.one_of(st.none(), st.integers(0, 600)), st.integers(0, 9)
)
OPERATIONS = st.lists(st.one_of(ALLOCATE, GIVE_BACK), min_size=1, max_size=10)


def run(operations: list[Any], budgets: tuple[SubsidyBudget, ...]) -> Iterator[tuple[BudgetBook, Model]]:
    """Apply each operation in turn, checking each call's own promises; yield the book and the recount after each."""
    book, model = BudgetBook(), Model()
    for operation in operations:
        if operation[0] == "allocate":
            _, requests, period, days, rnd = operation
            at = T0 + days * DAY
            shuffled = list(requests)
            rnd.shuffle(shuffled)
            new, allocation = book.allocate(requests, budgets, period=period, at=at)
            assert book.allocate(shuffled, budgets, period=period, at=at) == (new, allocation)  # arrival order
            for grant in allocation.grants:
                if grant.request_id in model.grants:
                    assert grant.granted == Money(0)
                    assert grant.reason == "already granted: the book holds a grant for this request id"
                budget = next((b for b in budgets if b.name == grant.budget), None)
                if budget is not None and budget.valid_until is not None and at >= budget.valid_until:
                    assert grant.granted == Money(0)
            model.record(allocation, requests, period, at)
            assert len(new.entries) == len(book.entries) + sum(1 for g in allocation.grants if g.granted.fen)
            book = new
        elif model.grants:
            _, pick, fen, days = operation
            request_id = sorted(model.grants)[pick % len(model.grants)]
            known = model.grants[request_id]
            held = known.fen - known.returned
            book, back = book.give_back(request_id, at=T0 + days * DAY, amount=None if fen is None else Money(fen))
            assert back.fen == (held if fen is None else min(fen, held))
            known.returned += back.fen
        yield book, model


# -- properties --------------------------------------------------------------------------------------------------------


@given(OPERATIONS, budget_pairs())
def test_no_budget_or_cap_is_ever_overspent_under_any_interleaving(
    operations: list[Any], budgets: tuple[SubsidyBudget, ...]
) -> None:
    """After every allocation and return: spend within every total and cap, equal to grants minus returns,
    no request paid twice, no return beyond its grant, the same outcome whatever the requests' arrival order."""
    for book, model in run(operations, budgets):
        check_book(book, model, budgets)


@given(OPERATIONS, budget_pairs())
def test_a_book_round_trips_through_the_converter(operations: list[Any], budgets: tuple[SubsidyBudget, ...]) -> None:
    """Whatever the history, the book read back from JSON equals the book."""
    book = BudgetBook()
    for book, _ in run(operations, budgets):  # noqa: B007 - the last book is the one kept
        pass
    assert loads(dumps(book), BudgetBook) == book


@given(
    st.lists(st.integers(1, 50_000), min_size=1, max_size=3),
    st.lists(st.integers(1, 3_000), min_size=1, max_size=2),
    st.lists(st.integers(1, 60_000), max_size=4),
    st.sampled_from([Rounding.DOWN, Rounding.FLOOR, Rounding.HALF_EVEN, Rounding.HALF_UP]),
)
def test_settling_refunds_returns_exactly_the_settlements_subsidy_return(
    paid: list[int], asks: list[int], refunds: list[int], rounding: Rounding
) -> None:
    """After each refund, what the book got back for an order is the ``subsidy_return`` line of its split."""
    profile = attrs.evolve(PROFILE, rounding=rounding)
    budgets = [SubsidyBudget(f"b{k}", Money.of("1000.00")) for k in range(len(asks))]
    orders = [builders.order(Money(fen), id=f"o-{i}") for i, fen in enumerate(paid)]
    requests = [
        _ask(f"{o.id}:b{k}", fen, f"b{k}", sku_id=o.sku_id, merchant_id=o.merchant_id, at=o.paid_at)
        for o in orders
        for k, fen in enumerate(asks)
    ]
    book, allocation = BudgetBook().allocate(requests, budgets, period="p", at=T0)
    orders = [apply_subsidy(o, allocation) for o in orders]
    owed_book = book
    for step, fen in enumerate(refunds):
        at = builders.PAID_AT + (step + 1) * timedelta(hours=1)
        orders = [
            o.refund(event_id=f"r-{step}", at=at, amount=Money(min(fen, o.paid.fen - o.refunded.fen)))
            if o.refunded < o.paid
            else o
            for o in orders
        ]
        owed_now = {o.id: split(o, profile, as_of=at).amount(Party.SUBSIDY_RETURN) for o in orders}
        by_amounts, back_by_amounts = owed_book.settle_owed(owed_now, at=at)
        book, back = book.settle_refunds(orders, profile, at=at)
        assert (by_amounts, back_by_amounts) == (book, back)  # the same returns, given as amounts
        owed_book = by_amounts
        assert BudgetBook(book.entries) == book
        owed = Money(0)
        for order in orders:
            lines = {line.party: line.amount for line in split(order, profile, as_of=at).lines}
            returned = sum(
                (-e.amount for e in book.entries if e.request_id.startswith(f"{order.id}:") and not e.is_grant),
                Money(0),
            )
            assert returned == lines.get(Party.SUBSIDY_RETURN, Money(0))
            owed += returned
        assert sum((book.returned(b.name) for b in budgets), Money(0)) == owed
        assert book.settle_refunds(orders, profile, at=at) == (book, Money(0))  # settled once
        assert book.settle_owed(owed_now, at=at) == (book, Money(0))


# -- examples: caps over time ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "first", "second", "label"),
    [
        ("per_merchant", {"merchant_id": "m-1"}, {"merchant_id": "m-1"}, "per-merchant cap"),
        ("per_sku", {"sku_id": "s-1"}, {"sku_id": "s-1"}, "per-SKU cap"),
        ("per_day", {"at": T0}, {"at": T0 + timedelta(hours=3)}, "per-day cap"),
        ("per_period", {}, {}, "per-period cap"),
    ],
)
def test_each_cap_binds_across_allocations(cap: str, first: dict[str, Any], second: dict[str, Any], label: str) -> None:
    """¥5.00 cap: ¥3.00 one night, then the next allocation gets only the ¥2.00 the book says is left."""
    limit: dict[str, Any] = {cap: Money.of("5.00")}
    budget = SubsidyBudget("b", Money.of("100.00"), **limit)
    book, _ = BudgetBook().allocate([_ask("r1", "3.00", **first)], [budget], period="p1", at=T0)
    book, allocation = book.allocate([_ask("r2", "3.00", **second)], [budget], period="p1", at=T0 + timedelta(hours=4))
    assert _grants(allocation) == [("r2", "¥2.00", f"partial: {label} of ¥5.00 had ¥2.00 left")]
    book, allocation = book.allocate([_ask("r3", "0.01", **second)], [budget], period="p1", at=T0 + timedelta(hours=5))
    assert _grants(allocation) == [("r3", "¥0.00", f"{label} of ¥5.00 exhausted")]
    assert book.spent("b") == Money.of("5.00")


def test_a_new_period_day_merchant_or_sku_starts_its_cap_afresh() -> None:
    """Caps count per key: the next period, day, merchant or SKU has its whole cap (the total still binds)."""
    budget = SubsidyBudget(
        "b", Money.of("10.00"), per_period=Money.of("4.00"), per_day=Money.of("4.00"), per_merchant=Money.of("4.00")
    )
    book, allocation = BudgetBook().allocate(
        [_ask("r1", "4.00", merchant_id="m-1", at=T0)], [budget], period="p1", at=T0
    )
    assert _grants(allocation) == [("r1", "¥4.00", "granted in full")]
    later = T0 + 7 * DAY
    book, allocation = book.allocate([_ask("r2", "4.00", merchant_id="m-2", at=later)], [budget], period="p2", at=later)
    assert _grants(allocation) == [("r2", "¥4.00", "granted in full")]
    book, allocation = book.allocate(
        [_ask("r3", "4.00", merchant_id="m-3", at=later + DAY)], [budget], period="p3", at=later + DAY
    )
    assert _grants(allocation) == [("r3", "¥2.00", "partial: the budget had ¥2.00 left")]
    assert (book.spent("b", period="p1"), book.spent("b", period="p2"), book.spent("b", period="p3")) == (
        Money.of("4.00"),
        Money.of("4.00"),
        Money.of("2.00"),
    )


def test_exactly_at_a_cap_is_granted_in_full_and_leaves_nothing() -> None:
    """A request of exactly what a cap has left is granted in full; the cap is then exhausted."""
    budget = SubsidyBudget("b", Money.of("100.00"), per_sku=Money.of("5.00"))
    book, _ = BudgetBook().allocate([_ask("r1", "2.00", sku_id="s")], [budget], at=T0)
    book, allocation = book.allocate([_ask("r2", "3.00", sku_id="s"), _ask("r3", "0.01", sku_id="s")], [budget], at=T0)
    assert _grants(allocation) == [
        ("r2", "¥3.00", "granted in full"),
        ("r3", "¥0.00", "per-SKU cap of ¥5.00 exhausted"),
    ]
    assert book.remaining(budget, sku_id="s") == Money(0)
    assert book.remaining(budget, sku_id="t") == Money.of("5.00")


def test_one_fen_budgets_and_caps() -> None:
    """¥0.01 left: one fen of a larger request, then nothing; a one-fen request fits exactly."""
    budget = SubsidyBudget("b", Money(1))
    book, allocation = BudgetBook().allocate([_ask("r1", 2)], [budget], at=T0)
    assert _grants(allocation) == [("r1", "¥0.01", "partial: the budget had ¥0.01 left")]
    book, allocation = book.allocate([_ask("r2", 1)], [budget], at=T0)
    assert _grants(allocation) == [("r2", "¥0.00", "budget exhausted")]
    book, back = book.give_back("r1", at=T0 + DAY)
    assert back == Money(1)
    book, allocation = book.allocate([_ask("r2", 1)], [budget], at=T0 + DAY)
    assert _grants(allocation) == [("r2", "¥0.01", "granted in full")]  # nothing paid before, so it may be paid now
    assert book.spent("b") == Money(1)


def test_a_day_counts_the_requests_time_and_else_the_allocations() -> None:
    """A request's day is that of its own time; a request without one counts on the day of the allocation."""
    budget = SubsidyBudget("b", Money.of("100.00"), per_day=Money.of("1.00"))
    yesterday = T0 - DAY
    book, allocation = BudgetBook().allocate([_ask("r1", "1.00", at=yesterday), _ask("r2", "1.00")], [budget], at=T0)
    assert [g.granted for g in allocation.grants] == [Money.of("1.00"), Money.of("1.00")]
    assert [e.day for e in book.entries] == [yesterday.date(), T0.date()]
    assert all(e.at == T0 for e in book.entries)  # when the money moved


# -- examples: windows -------------------------------------------------------------------------------------------------


def test_an_expired_budget_grants_nothing() -> None:
    """Once the allocation's moment is past the window's end the budget grants nothing, even for earlier orders."""
    budget = SubsidyBudget("d11", Money.of("50.00"), valid_from=T0, valid_until=T0 + 11 * DAY)
    request = _ask("r", "1.00", "d11", at=T0 + DAY)
    book, allocation = BudgetBook().allocate([request], [budget], at=T0 + 11 * DAY)
    assert _grants(allocation) == [("r", "¥0.00", f"budget expired: its window ended {(T0 + 11 * DAY).isoformat()}")]
    assert book.entries == ()
    _, early = BudgetBook().allocate([request], [budget], at=T0 - DAY)
    assert early.grants[0].reason == f"budget not open yet: its window starts {T0.isoformat()}"
    _, late_order = BudgetBook().allocate([_ask("r", "1.00", "d11", at=T0 + 12 * DAY)], [budget], at=T0 + DAY)
    assert late_order.grants[0].reason == "outside the budget's window"
    book, untimed = BudgetBook().allocate([_ask("r", "1.00", "d11")], [budget], at=T0 + DAY)
    assert _grants(untimed) == [("r", "¥1.00", "granted in full")]  # judged at the allocation's moment


def test_a_refund_after_the_budgets_window_ended_is_still_recorded() -> None:
    """The return goes back to the budget's account after expiry, but the expired budget cannot grant it again."""
    budget = SubsidyBudget("d11", Money.of("5.00"), valid_from=T0, valid_until=T0 + 11 * DAY)
    book, _ = BudgetBook().allocate([_ask("o-1:d11", "5.00", "d11", at=T0)], [budget], period="2026-11", at=T0)
    december = T0 + 30 * DAY
    book, back = book.give_back("o-1:d11", at=december)
    assert back == Money.of("5.00")
    assert book.entries[-1] == SpendEntry(
        "o-1:d11", "d11", Money.of("-5.00"), december, "2026-11", counted_on=T0.date()
    )
    assert book.spent("d11") == Money(0)
    assert book.spent("d11", period="2026-11") == Money(0)
    assert book.remaining(budget) == Money.of("5.00")
    book, allocation = book.allocate([_ask("o-2:d11", "1.00", "d11", at=december)], [budget], at=december)
    assert allocation.grants[0].granted == Money(0)
    assert allocation.grants[0].reason.startswith("budget expired")


# -- examples: paid once -----------------------------------------------------------------------------------------------


def test_allocating_the_same_requests_twice_never_pays_twice() -> None:
    """The second run refuses every request already paid, with the reason; a fully returned grant is not paid again."""
    budget = SubsidyBudget("b", Money.of("100.00"))
    batch = [_ask("o-1:b", "3.00"), _ask("o-2:b", "4.00")]
    book, first = BudgetBook().allocate(batch, [budget], period="p1", at=T0)
    again, second = book.allocate(batch, [budget], period="p1", at=T0)
    assert again == book
    assert {g.reason for g in second.grants} == {"already granted: the book holds a grant for this request id"}
    assert second.remaining == first.remaining == {"b": Money.of("93.00")}
    book, _ = book.give_back("o-1:b", at=T0 + DAY)
    book, third = book.allocate(batch, [budget], period="p2", at=T0 + DAY)
    assert [g.granted for g in third.grants] == [Money(0), Money(0)]
    assert book.spent("b") == Money.of("4.00")


def test_bad_arguments_to_allocate_are_refused_by_name() -> None:
    """A naive moment, a period that is not an id, a book in another currency than the budget."""
    budget = SubsidyBudget("b", Money.of("1.00"))
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.allocate\.at"):
        BudgetBook().allocate([], [budget], at=datetime(2026, 11, 1))  # naive on purpose
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.allocate\.period"):
        BudgetBook().allocate([], [budget], period="week 45", at=T0)
    book, _ = BudgetBook().allocate([_ask("r", "1.00")], [budget], at=T0)
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.entries\[0\]\.amount: must be in USD"):
        book.allocate([], [SubsidyBudget("b", Money(100, "USD"))], at=T0)
    with pytest.raises(InvalidValueError, match=r"budgets\[0\]"):
        book.allocate([], ["b"], at=T0)  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="duplicate request id"):
        BudgetBook().allocate([_ask("r", "1.00")] * 2, [budget], at=T0)


def test_entries_of_other_budgets_do_not_count() -> None:
    """What budget ``a`` spent leaves budget ``b`` whole, and allocating ``b`` alone keeps ``a``'s entries."""
    a, b = SubsidyBudget("a", Money.of("1.00")), SubsidyBudget("b", Money.of("1.00"))
    book, _ = BudgetBook().allocate([_ask("r1", "1.00", "a")], [a, b], at=T0)
    book, allocation = book.allocate([_ask("r2", "1.00", "b")], [b], at=T0)
    assert _grants(allocation) == [("r2", "¥1.00", "granted in full")]
    assert (book.spent("a"), book.spent("b"), len(book.entries)) == (Money.of("1.00"), Money.of("1.00"), 2)


# -- examples: returns -------------------------------------------------------------------------------------------------


def test_give_back_returns_at_most_what_the_grant_still_holds() -> None:
    """Partial returns add up to the grant; asking for more returns what is left; nothing is left after that."""
    budget = SubsidyBudget("b", Money.of("10.00"), per_merchant=Money.of("6.00"))
    book, _ = BudgetBook().allocate([_ask("r", "5.00", merchant_id="m", sku_id="s")], [budget], period="p", at=T0)
    book, back = book.give_back("r", at=T0 + DAY, amount=Money.of("2.00"))
    assert (back, book.held("r"), book.remaining(budget, merchant_id="m")) == (
        Money.of("2.00"),
        Money.of("3.00"),
        Money.of("3.00"),
    )
    book, back = book.give_back("r", at=T0 + 2 * DAY, amount=Money.of("7.00"))
    assert (back, book.held("r")) == (Money.of("3.00"), Money(0))
    same, back = book.give_back("r", at=T0 + 3 * DAY)
    assert (same, back) == (book, Money(0))
    unchanged, back = book.give_back("r", at=T0 + 3 * DAY, amount=Money(0))
    assert (unchanged, back) == (book, Money(0))
    assert (book.granted("b"), book.returned("b"), book.spent("b")) == (Money.of("5.00"), Money.of("5.00"), Money(0))
    assert [e.merchant_id for e in book.entries] == ["m", "m", "m"]
    assert [e.sku_id for e in book.entries] == ["s", "s", "s"]


def test_give_back_refuses_unknown_requests_and_bad_amounts() -> None:
    """An unknown request id, a negative amount or one in another currency, a naive moment: errors naming each."""
    budget = SubsidyBudget("b", Money.of("10.00"))
    book, _ = BudgetBook().allocate([_ask("r", "5.00"), _ask("zero", "0.00")], [budget], at=T0)
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.give_back\.request_id: has no grant in the book"):
        book.give_back("nope", at=T0)
    with pytest.raises(InvalidValueError, match=r"has no grant"):
        book.give_back("zero", at=T0)  # a zero grant is not recorded: there is nothing to give back
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.give_back\.amount"):
        book.give_back("r", at=T0, amount=Money(-1))
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.give_back\.amount"):
        book.give_back("r", at=T0, amount=Money(1, "USD"))
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.give_back\.at"):
        book.give_back("r", at=datetime(2026, 11, 2))  # naive on purpose
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.held\.request_id"):
        book.held("nope")


def _subsidised(order_id: str, paid: str, asks: dict[str, str]) -> tuple[BudgetBook, Order]:
    """An order paid at PAID_AT whose subsidy was granted from each budget of *asks* and applied."""
    order = builders.order(paid, id=order_id)
    requests = [
        _ask(
            f"{order_id}:{budget}", amount, budget, sku_id=order.sku_id, merchant_id=order.merchant_id, at=order.paid_at
        )
        for budget, amount in asks.items()
    ]
    budgets = [SubsidyBudget(name, Money.of("100.00")) for name in asks]
    book, allocation = BudgetBook().allocate(requests, budgets, period="p", at=builders.PAID_AT)
    return book, apply_subsidy(order, allocation)


def test_settle_refunds_returns_the_subsidy_share_the_settlement_returns() -> None:
    """A 30% refund of a ¥100.00 order with a ¥5.00 subsidy returns ¥1.50, the split's subsidy_return line."""
    book, order = _subsidised("o-1", "100.00", {"official-subsidy": "5.00"})
    order = order.refund(event_id="r-1", at=builders.PAID_AT + DAY, amount=Money.of("30.00"))
    lines = {line.party: line.amount for line in split(order, PROFILE).lines}
    book, back = book.settle_refunds([order], PROFILE, at=builders.PAID_AT + 2 * DAY)
    assert back == lines[Party.SUBSIDY_RETURN] == Money.of("1.50")
    assert book.held("o-1:official-subsidy") == Money.of("3.50")
    assert book.settle_refunds([order], PROFILE, at=builders.PAID_AT + 2 * DAY) == (book, Money(0))
    order = order.refund(event_id="r-2", at=builders.PAID_AT + 3 * DAY, amount=Money.of("70.00"))
    before, back = book.settle_refunds([order], PROFILE, at=builders.PAID_AT + 2 * DAY)
    assert (before, back) == (book, Money(0))  # the second refund is after *at*: not owed yet
    book, back = book.settle_refunds([order], PROFILE, at=builders.PAID_AT + 4 * DAY)
    assert back == Money.of("3.50")
    assert book.spent("official-subsidy") == Money(0)


def test_settle_refunds_shares_the_return_among_the_budgets_of_an_order() -> None:
    """¥3.00 from one budget and ¥1.00 from another; a half refund returns ¥2.00, ¥1.50 and ¥0.50."""
    book, order = _subsidised("o-2", "100.00", {"a": "3.00", "b": "1.00"})
    order = order.refund(event_id="r-1", at=builders.PAID_AT + DAY, amount=Money.of("50.00"))
    book, back = book.settle_refunds([order], PROFILE, at=builders.PAID_AT + DAY)
    assert back == Money.of("2.00")
    assert (book.returned("a"), book.returned("b")) == (Money.of("1.50"), Money.of("0.50"))


def test_settle_refunds_uses_the_profiles_rounding() -> None:
    """A ¥0.03 subsidy on ¥1.00 refunded by ¥0.50: the order keeps 1.5 fen, so DOWN returns 2 fen and HALF_UP 1."""
    book, order = _subsidised("o-3", "1.00", {"b": "0.03"})
    order = order.refund(event_id="r-1", at=builders.PAID_AT + DAY, amount=Money.of("0.50"))
    at = builders.PAID_AT + DAY
    assert book.settle_refunds([order], attrs.evolve(PROFILE, rounding=Rounding.DOWN), at=at)[1] == Money(2)
    assert book.settle_refunds([order], attrs.evolve(PROFILE, rounding=Rounding.HALF_UP), at=at)[1] == Money(1)


def test_settle_refunds_checks_the_orders_against_the_book() -> None:
    """An order whose subsidy the book did not grant, or listed twice, is refused; one without either is skipped."""
    book, order = _subsidised("o-4", "100.00", {"b": "5.00"})
    plain = builders.order("10.00", id="o-5")
    assert book.settle_refunds([plain], PROFILE, at=builders.PAID_AT) == (book, Money(0))
    unapplied = attrs.evolve(order, subsidy=Money(0))
    with pytest.raises(InvalidValueError, match=r"orders\[0\]\.subsidy: is not the ¥5\.00 the book granted order o-4"):
        book.settle_refunds([unapplied], PROFILE, at=builders.PAID_AT)
    with pytest.raises(InvalidValueError, match=r"orders\[1\]\.subsidy"):
        book.settle_refunds([order, attrs.evolve(plain, subsidy=Money(1))], PROFILE, at=builders.PAID_AT)
    with pytest.raises(InvalidValueError, match=r"orders\[1\]\.id: is listed twice"):
        book.settle_refunds([order, order], PROFILE, at=builders.PAID_AT)
    with pytest.raises(InvalidValueError, match=r"orders\[0\]: must be an Order"):
        book.settle_refunds(["o-4"], PROFILE, at=builders.PAID_AT)  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match=r"settle_refunds\.at"):
        book.settle_refunds([order], PROFILE, at=datetime(2026, 11, 12))  # naive on purpose


def test_settle_owed_gives_back_what_is_owed_less_what_came_back() -> None:
    """Owed ¥2.00 of a ¥3.00 + ¥1.00 order: ¥1.50 and ¥0.50; owed ¥2.00 again: nothing; then ¥4.00: the rest."""
    book, order = _subsidised("o-6", "100.00", {"a": "3.00", "b": "1.00"})
    at = builders.PAID_AT + DAY
    book, back = book.settle_owed({order.id: Money.of("2.00")}, at=at)
    assert back == Money.of("2.00")
    assert (book.returned("a"), book.returned("b")) == (Money.of("1.50"), Money.of("0.50"))
    assert book.settle_owed({order.id: Money.of("2.00")}, at=at) == (book, Money(0))
    assert book.settle_owed({order.id: Money.of("1.00")}, at=at) == (book, Money(0))  # less than came back
    book, back = book.settle_owed({order.id: Money.of("4.00")}, at=at)
    assert back == Money.of("2.00")
    assert (book.spent("a"), book.spent("b")) == (Money(0), Money(0))
    assert BudgetBook(book.entries) == book


def test_settle_owed_refuses_bad_amounts_by_name() -> None:
    """More than was granted, another currency, a negative amount or no grant at all: refused, naming the order."""
    book, _ = _subsidised("o-7", "100.00", {"b": "5.00"})
    at = builders.PAID_AT
    assert book.settle_owed({"o-none": Money(0)}, at=at) == (book, Money(0))
    for owed in ({"o-7": Money.of("5.01")}, {"o-7": Money(1, "USD")}, {"o-7": Money(-1)}, {"o-none": Money(1)}):
        with pytest.raises(InvalidValueError, match=r"BudgetBook\.settle_owed\.owed\['o-"):
            book.settle_owed(owed, at=at)
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.settle_owed\.owed\['o-7'\]"):
        book.settle_owed({"o-7": "1.00"}, at=at)  # type: ignore[dict-item]
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.settle_owed\.owed:"):
        book.settle_owed([("o-7", Money(1))], at=at)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.settle_owed\.at"):
        book.settle_owed({}, at=datetime(2026, 11, 12))  # naive on purpose


# -- examples: the queries ---------------------------------------------------------------------------------------------


def test_remaining_is_the_least_of_the_total_and_each_cap_asked_for() -> None:
    """remaining() reads the total, then each cap whose key is given; a key without a cap changes nothing."""
    budget = SubsidyBudget(
        "b",
        Money.of("10.00"),
        per_period=Money.of("8.00"),
        per_merchant=Money.of("6.00"),
        per_day=Money.of("5.00"),
    )
    book, _ = BudgetBook().allocate(
        [_ask("r1", "4.00", merchant_id="m", sku_id="s", at=T0), _ask("r2", "1.00", merchant_id="n", at=T0 + DAY)],
        [budget],
        period="p",
        at=T0 + DAY,
    )
    assert book.remaining(budget) == Money.of("5.00")
    assert book.remaining(budget, period="p") == Money.of("3.00")
    assert book.remaining(budget, period="q") == Money.of("5.00")
    assert book.remaining(budget, merchant_id="m") == Money.of("2.00")
    assert book.remaining(budget, day=T0.date()) == Money.of("1.00")
    assert book.remaining(budget, sku_id="s") == Money.of("5.00")  # no per-SKU cap
    assert book.remaining(budget, period="p", merchant_id="m", day=T0.date()) == Money.of("1.00")
    assert book.spent("b", day=T0.date(), merchant_id="m") == Money.of("4.00")
    assert book.granted("b", merchant_id="n") == Money.of("1.00")
    assert book.returned("b") == Money(0)
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.remaining\.budget"):
        book.remaining("b")  # type: ignore[arg-type]


def test_remaining_never_goes_below_zero_and_reads_the_budgets_currency() -> None:
    """A book spent beyond a budget that was cut afterwards has nothing left, not a negative amount."""
    budget = SubsidyBudget("b", Money(500, "USD"))
    book, _ = BudgetBook().allocate([SubsidyRequest("r", "b", Money(500, "USD"), Tier.L5)], [budget], at=T0)
    assert book.remaining(SubsidyBudget("b", Money(100, "USD"))) == Money(0, "USD")
    assert book.remaining(SubsidyBudget("other", Money(100, "USD"))) == Money(100, "USD")
    assert book.spent("other", currency="USD") == Money(0, "USD")


# -- examples: what the book refuses, and its file form ----------------------------------------------------------------


def _grant_entry(**over: Any) -> SpendEntry:
    fields: dict[str, Any] = {"request_id": "r", "budget": "b", "amount": Money.of("2.00"), "at": T0, "period": "p"}
    return SpendEntry(**{**fields, **over})


def test_the_book_refuses_entries_that_would_pay_twice_or_return_too_much() -> None:
    """A second grant for one request, a return without a grant, beyond it, or under other keys: refused by path."""
    grant = _grant_entry()
    back = _grant_entry(amount=Money.of("-1.00"), at=T0 + DAY, counted_on=T0.date())
    assert BudgetBook((grant, back)).spent("b") == Money.of("1.00")
    with pytest.raises(InvalidValueError, match=r"entries\[1\]\.request_id: already has a grant"):
        BudgetBook((grant, grant))
    with pytest.raises(InvalidValueError, match=r"entries\[0\]\.request_id: returns a subsidy never granted"):
        BudgetBook((back,))
    with pytest.raises(InvalidValueError, match=r"entries\[2\]\.amount: returns more than the grant holds \(¥1\.00\)"):
        BudgetBook((grant, back, attrs.evolve(back, amount=Money.of("-1.01"))))
    for other in (
        {"period": "q"},
        {"budget": "c"},
        {"sku_id": "s"},
        {"counted_on": None},
        {"amount": Money(-1, "USD")},
    ):
        with pytest.raises(InvalidValueError, match=r"entries\[1\]: must keep its grant's budget"):
            BudgetBook((grant, attrs.evolve(back, **other)))
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.entries\[0\]: must be a SpendEntry"):
        BudgetBook(("r",))
    with pytest.raises(InvalidValueError, match=r"BudgetBook\.entries: must be a tuple"):
        BudgetBook("r")


def test_a_spend_entry_is_a_grant_or_a_return_never_zero() -> None:
    """The amount is signed Money, not zero; the day a cap counts is ``counted_on``, else the day of ``at``."""
    assert _grant_entry().is_grant
    assert not _grant_entry(amount=Money(-1)).is_grant
    with pytest.raises(InvalidValueError, match=r"SpendEntry\.amount: must not be zero"):
        _grant_entry(amount=Money(0))
    with pytest.raises(InvalidValueError, match=r"SpendEntry\.amount: must be Money"):
        _grant_entry(amount=1)
    with pytest.raises(InvalidValueError, match=r"SpendEntry\.counted_on: must be a date"):
        _grant_entry(counted_on=T0)
    assert _grant_entry().day == T0.date()
    assert _grant_entry(counted_on=date(2026, 10, 31)).day == date(2026, 10, 31)


def test_a_book_of_grants_and_returns_round_trips_exactly() -> None:
    """Signed amounts, the counted day, every key: the JSON form reads back equal."""
    budget = SubsidyBudget("b", Money.of("10.00"), per_day=Money.of("9.00"))
    book, _ = BudgetBook().allocate(
        [_ask("o-1:b", "4.00", merchant_id="m-1", sku_id="s-1", at=T0 - DAY), _ask("o-2:b", "0.01")],
        [budget],
        period="2026-W45",
        at=T0,
    )
    book, _ = book.give_back("o-1:b", at=T0 + DAY, amount=Money.of("1.25"))
    text = dumps(book)
    assert '"amount": "-1.25"' in text
    assert '"counted_on": "2026-10-31"' in text
    assert loads(text, BudgetBook) == book
    assert loads(dumps(BudgetBook()), BudgetBook) == BudgetBook()
