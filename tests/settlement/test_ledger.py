"""The ledger: entries derived from orders, idempotent recording, reserves and derived balances."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import Money, Rate
from fenxiao.serialization import dumps, loads
from fenxiao.settlement.ledger import (
    EntryKind,
    Ledger,
    LedgerEntry,
    OrderEntries,
    Period,
    entries_for,
    entry_rows,
    entry_values,
)
from fenxiao.settlement.orders import Order, OrderEvent, OrderEventKind, OrderStatus, OrderTerms
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, history, split
from fenxiao.testing.commission import ledgers, order_histories, platform_profiles

from .. import builders
from ..builders import CST, PAID_AT

T0 = PAID_AT
DAY = timedelta(days=1)
PROFILE = PlatformProfile()


#: 100.00 paid at T0, of which 20% is commission and half of that goes to the MCN.
order = partial(builders.order, paid="100.00", terms=builders.order_terms(mcn_id="mcn-1", mcn_share=Rate.of("50%")))


def settled(o: Order) -> Order:
    return o.receive(at=T0 + DAY).settle(PROFILE, at=T0 + 8 * DAY)


def test_payment_posts_the_estimate_and_settlement_moves_it_to_settled() -> None:
    """Estimated at payment; at settlement the estimate is reversed and the settled lines posted."""
    o = order()
    ledger = Ledger().record(o, PROFILE)
    assert ledger.balance(Party.INFLUENCER, kind=EntryKind.ESTIMATED) == Money.of("9.00")
    ledger = ledger.record(settled(o), PROFILE)
    assert ledger.balance(Party.INFLUENCER, kind=EntryKind.ESTIMATED) == Money.zero()
    assert ledger.balance(Party.INFLUENCER, kind=EntryKind.SETTLED) == Money.of("9.00")
    assert ledger.balance(Party.MCN, payee_id="mcn-1", kind=EntryKind.SETTLED) == Money.of("9.00")
    assert ledger.balance(kind=EntryKind.SETTLED) == o.total_in
    assert ledger.balance(kind=EntryKind.ESTIMATED) == Money.zero()


def test_a_refund_before_settlement_posts_a_correction_to_the_estimate() -> None:
    """The estimate changes by a new negative entry; nothing is rewritten."""
    o = order()
    before = Ledger().record(o, PROFILE)
    o = o.refund(event_id="r-1", at=T0 + DAY, amount=Money.of("50.00"))
    after = before.record(o, PROFILE)
    assert after.entries[: len(before.entries)] == before.entries
    (correction,) = after.select(Party.INFLUENCER, order_id="o-1", kind=EntryKind.ESTIMATED, start=T0 + DAY)
    assert correction.amount == Money.of("-4.50")
    assert correction.event_id == "r-1"


def test_a_refund_after_settlement_posts_clawbacks() -> None:
    """After settlement the change is a clawback, negative for earners and positive for the buyer."""
    o = settled(order()).refund(event_id="r-1", at=T0 + 9 * DAY, amount=Money.of("100.00"))
    ledger = Ledger().record(o, PROFILE)
    assert ledger.balance(Party.INFLUENCER, kind=EntryKind.CLAWBACK) == Money.of("-9.00")
    assert ledger.balance(Party.BUYER_REFUND, kind=EntryKind.CLAWBACK) == Money.of("100.00")
    assert ledger.balance(kind=EntryKind.CLAWBACK) == Money.zero()
    for party in (Party.INFLUENCER, Party.MCN, Party.PLATFORM_COMMISSION_FEE, Party.MERCHANT):
        settled_plus_clawed = ledger.balance(party, kind=EntryKind.SETTLED) + ledger.balance(
            party, kind=EntryKind.CLAWBACK
        )
        assert settled_plus_clawed == Money.zero()


def test_invalidation_reverses_the_whole_estimate() -> None:
    """An invalid order leaves nothing estimated."""
    ledger = Ledger().record(order().invalidate(at=T0 + DAY), PROFILE)
    assert ledger.balances(kind=EntryKind.ESTIMATED) == {
        key: Money.zero() for key in ledger.balances(kind=EntryKind.ESTIMATED)
    }
    assert ledger.balance(kind=EntryKind.SETTLED) == Money.zero()


def test_the_refund_reserve_holds_5_percent_of_settled_commission_for_8_days() -> None:
    """Held from settlement (inclusive) until 8 days later (exclusive); then it is available."""
    o = settled(order())
    ledger = Ledger().record(o, PROFILE)
    at = T0 + 8 * DAY
    assert ledger.reserved(Party.INFLUENCER, as_of=at) == Money.of("0.45")
    assert ledger.available(Party.INFLUENCER, as_of=at) == Money.of("8.55")
    assert ledger.available(Party.INFLUENCER, as_of=at - timedelta(seconds=1)) == Money.zero()
    assert ledger.reserved(as_of=at + 8 * DAY - timedelta(microseconds=1)) == Money.of("0.90")
    assert ledger.reserved(as_of=at + 8 * DAY) == Money.zero()
    assert ledger.available(Party.INFLUENCER, as_of=at + 8 * DAY) == Money.of("9.00")
    assert ledger.reserved(Party.MERCHANT, as_of=at) == Money.zero()


def test_a_clawback_during_the_hold_releases_its_share_of_the_reserve() -> None:
    """Half the order refunded two days after settlement: the hold drops to 5% of what is still earned."""
    o = settled(order()).refund(event_id="r-1", at=T0 + 10 * DAY, amount=Money.of("50.00"))
    ledger = Ledger().record(o, PROFILE)
    assert ledger.reserved(Party.INFLUENCER, as_of=T0 + 9 * DAY) == Money.of("0.45")
    assert ledger.reserved(Party.INFLUENCER, as_of=T0 + 10 * DAY) == Money.of("0.22")
    assert ledger.available(Party.INFLUENCER, as_of=T0 + 10 * DAY) == Money.of("4.28")
    assert ledger.reserved(Party.INFLUENCER, as_of=T0 + 16 * DAY) == Money.zero()
    full = o.refund(event_id="r-2", at=T0 + 11 * DAY, amount=Money.of("50.00"))
    assert Ledger().record(full, PROFILE).available(Party.INFLUENCER, as_of=T0 + 11 * DAY) == Money.zero()


def test_the_reserve_follows_the_profile() -> None:
    """A 15-day, 10% reserve (Douyin-like)."""
    profile = attrs.evolve(PROFILE, reserve_rate=Rate.of("10%"), reserve_days=15)
    o = order().receive(at=T0).settle(profile, at=T0 + 7 * DAY)
    (hold, _) = Ledger().record(o, profile).select(kind=EntryKind.RESERVE)
    assert (hold.amount, hold.until) == (Money.of("0.90"), T0 + 22 * DAY)


def test_recording_an_order_twice_adds_nothing() -> None:
    """Recording is idempotent: the second time returns the same ledger."""
    o = settled(order())
    ledger = Ledger().record(o, PROFILE)
    assert ledger.record(o, PROFILE) is ledger
    assert ledger.record_all([o, o], PROFILE) is ledger


def test_a_conflicting_entry_is_refused_and_nothing_is_overwritten() -> None:
    """An entry with a held key but another amount is a conflict."""
    ledger = Ledger().record(order(), PROFILE)
    held = ledger.entries[0]
    with pytest.raises(PolicyError, match=r"conflicts with a held entry \(the ledger is append-only"):
        ledger.append([attrs.evolve(held, amount=held.amount + Money(1))])


def test_corrections_are_new_entries() -> None:
    """A manual correction under its own event id is appended and counted."""
    ledger = Ledger().record(order(), PROFILE)
    fix = LedgerEntry("o-1", "adj-1", EntryKind.ESTIMATED, Party.INFLUENCER, Money(-1), T0, "kol-1", note="typo")
    corrected = ledger.append([fix])
    assert corrected.entries[-1] == fix
    assert corrected.balance(Party.INFLUENCER) == ledger.balance(Party.INFLUENCER) - Money(1)


def test_entries_refuse_other_currencies_and_malformed_reserves() -> None:
    """The ledger is single-currency; only reserve entries carry an ``until``."""
    with pytest.raises(InvalidValueError, match=r"Ledger\.entries\[0\]\.amount: must be in CNY"):
        Ledger(entries=(LedgerEntry("o", "e", EntryKind.SETTLED, Party.MERCHANT, Money(1, "USD"), T0),))
    with pytest.raises(InvalidValueError, match=r"LedgerEntry\.until: must be given exactly for a reserve entry"):
        LedgerEntry("o", "e", EntryKind.RESERVE, Party.INFLUENCER, Money(1), T0)
    entry = LedgerEntry("o", "e", EntryKind.SETTLED, Party.MERCHANT, Money(1), T0)
    with pytest.raises(InvalidValueError, match=r"Ledger\.entries\[1\]: repeats the key"):
        Ledger(entries=(entry, entry))


def test_balances_per_period_follow_the_calendar_in_china() -> None:
    """20:00 UTC on the 11th is already the 12th in Beijing."""
    utc_paid = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)
    a = order(paid_at=utc_paid)
    b = order(id="o-2", paid_at=datetime(2026, 12, 1, 10, 0, tzinfo=CST))
    ledger = Ledger().record_all([a, b], PROFILE)
    daily = ledger.by_period(Period.DAY, party=Party.INFLUENCER, kind=EntryKind.ESTIMATED)
    assert daily == {date(2026, 11, 12): Money.of("9.00"), date(2026, 12, 1): Money.of("9.00")}
    monthly = ledger.by_period(Period.MONTH, party=Party.INFLUENCER, tz=UTC)
    assert monthly == {date(2026, 11, 1): Money.of("9.00"), date(2026, 12, 1): Money.of("9.00")}


def test_balances_by_party_list_every_payee() -> None:
    """One balance per (party, payee), in party order."""
    ledger = Ledger().record_all([settled(order()), settled(order(id="o-2", influencer_id="kol-2"))], PROFILE)
    balances = ledger.balances(kind=EntryKind.SETTLED)
    assert balances[(Party.INFLUENCER, "kol-1")] == Money.of("9.00")
    assert balances[(Party.INFLUENCER, "kol-2")] == Money.of("9.00")
    assert balances[(Party.MCN, "mcn-1")] == Money.of("18.00")
    assert next(iter(balances))[0] is Party.INFLUENCER


# -- properties ------------------------------------------------------------------------------------------------


def brute_force(ledger: Ledger, *, start: datetime | None = None, **fields: Any) -> Money:
    """The plain sum of the entries whose fields equal *fields* (and that are at or after *start*); without a
    ``kind`` field, reserve holds are left out, as balances leave them out."""
    return Money(
        sum(
            e.amount.fen
            for e in ledger.entries
            if all(getattr(e, name) == value for name, value in fields.items())
            and (start is None or e.at >= start)
            and ("kind" in fields or e.kind is not EntryKind.RESERVE)  # a balance without a kind holds no hold
        )
    )


@given(data=st.data(), profile=platform_profiles())
def test_balances_equal_a_brute_force_recount(data: st.DataObject, profile: PlatformProfile) -> None:
    """Every filtered balance is the plain sum of the entries it selects."""
    ledger = data.draw(ledgers(profile=profile))
    for kind in (None, *EntryKind):
        for party in (None, *Party):
            where: dict[str, Any] = {}
            if kind is not None:
                where["kind"] = kind
            if party is not None:
                where["party"] = party
            assert ledger.balance(party, kind=kind) == brute_force(ledger, **where)
    for (party, payee), amount in ledger.balances().items():
        assert amount == brute_force(ledger, party=party, payee_id=payee)
    if ledger.entries:
        start = ledger.entries[len(ledger.entries) // 2].at
        assert ledger.balance(start=start) == brute_force(ledger, start=start)
    periods = ledger.by_period(Period.MONTH)
    assert sum(periods.values(), Money.zero()) == ledger.balance()
    for party in (None, *Party):
        where = {} if party is None else {"party": party}
        settled, clawed = (
            brute_force(ledger, kind=EntryKind.SETTLED, **where),
            brute_force(ledger, kind=EntryKind.CLAWBACK, **where),
        )
        assert ledger.earned(party) == settled + clawed
        assert ledger.clawed_back(party) == clawed
        assert ledger.pending(party) == brute_force(ledger, kind=EntryKind.ESTIMATED, **where)
        assert ledger.balance(party) == ledger.pending(party) + ledger.earned(party)


def test_a_balance_after_a_clawback_is_what_was_earned_never_plus_the_reserve_hold() -> None:
    """Issue 15: after a refund that follows settlement, ``balance(party)`` is the commission still earned
    (¥12.60 of ¥18.00 after a 30% refund), not that plus the ¥0.63 reserve hold; the hold is asked for by kind."""
    t = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
    profile = PlatformProfile()
    order = Order(
        id="o-1",
        merchant_id="m-1",
        sku_id="s-1",
        influencer_id="kol-1",
        paid=Money.of("100.00"),
        paid_at=t,
        terms=OrderTerms(commission_rate=Rate.of("20%")),
    )
    order = order.receive(at=t + timedelta(days=3)).settle(profile, at=t + timedelta(days=10))
    order = order.refund(amount=Money.of("30.00"), at=t + timedelta(days=12), event_id="r-1")
    ledger = Ledger().record(order, profile)
    assert ledger.balance(Party.INFLUENCER) == ledger.earned(Party.INFLUENCER) == Money.of("12.60")
    assert ledger.balance(Party.INFLUENCER, kind=EntryKind.RESERVE) == Money.of("0.63")
    assert ledger.clawed_back(Party.INFLUENCER) == Money.of("-5.40")
    assert ledger.pending(Party.INFLUENCER) == Money.zero()
    assert ledger.available(Party.INFLUENCER, as_of=t + timedelta(days=12)) == Money.of("11.97")
    assert ledger.balances()[(Party.INFLUENCER, "kol-1")] == Money.of("12.60")


@given(data=st.data(), profile=platform_profiles())
def test_each_orders_entries_account_for_every_fen(data: st.DataObject, profile: PlatformProfile) -> None:
    """Settled + clawback entries equal the current split; open orders keep their estimate; reserves are holds."""
    o = data.draw(order_histories(profile=profile))
    ledger = Ledger().record(o, profile)
    current = split(o, profile)
    if o.status in (OrderStatus.PAID, OrderStatus.RECEIVED):
        assert ledger.balance(kind=EntryKind.ESTIMATED) == o.total_in
        for line in current.lines:
            assert ledger.balance(line.party, payee_id=line.payee_id, kind=EntryKind.ESTIMATED) == line.amount
    else:
        assert ledger.balance(kind=EntryKind.ESTIMATED) == Money.zero()
    if o.status is OrderStatus.SETTLED:
        for line in current.lines:
            earned = ledger.balance(line.party, payee_id=line.payee_id, kind=EntryKind.SETTLED) + ledger.balance(
                line.party, payee_id=line.payee_id, kind=EntryKind.CLAWBACK
            )
            assert earned == line.amount
    for e in ledger.select(kind=EntryKind.RESERVE):
        assert ledger.reserved(e.party, payee_id=e.payee_id, as_of=e.at).fen >= 0
        assert e.until is not None
        assert ledger.reserved(e.party, payee_id=e.payee_id, as_of=e.until) == Money.zero()


@given(data=st.data(), profile=platform_profiles())
def test_recording_after_replaying_any_event_is_a_no_op(data: st.DataObject, profile: PlatformProfile) -> None:
    """Replaying events on the order and recording it again leaves the ledger as it was."""
    o = data.draw(order_histories(profile=profile))
    ledger = Ledger().record(o, profile)
    replayed = o
    for event in o.events:
        replayed = replayed.apply(event)
    assert ledger.record(replayed, profile) == ledger
    assert entries_for(replayed, profile) == entries_for(o, profile)


@given(data=st.data(), profile=platform_profiles())
def test_recording_step_by_step_equals_recording_at_the_end(data: st.DataObject, profile: PlatformProfile) -> None:
    """Posting after every event gives the same entries as posting once; earlier entries never change."""
    o = data.draw(order_histories(profile=profile))
    step_ledger = Ledger()
    for n in range(len(o.events) + 1):
        before = step_ledger.entries
        step_ledger = step_ledger.record(attrs.evolve(o, events=o.events[:n]), profile)
        assert step_ledger.entries[: len(before)] == before
    assert set(step_ledger.entries) == set(Ledger().record(o, profile).entries)


@given(data=st.data(), profile=platform_profiles())
def test_after_a_full_refund_every_party_nets_to_zero_in_the_ledger(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """Estimates, settlements and clawbacks of every earning party add up to nothing once all is refunded."""
    o = data.draw(order_histories(profile=profile).filter(lambda x: x.status is not OrderStatus.INVALID))
    left = o.paid + o.shipping - o.refunded
    if left:
        o = o.refund(event_id="full", at=o.events[-1].at if o.events else o.paid_at, amount=left)
    ledger = Ledger().record(o, profile)
    for (party, payee), amount in ledger.balances().items():
        if party is Party.BUYER_REFUND:
            assert amount == o.paid + o.shipping
        elif party is Party.SUBSIDY_RETURN:
            assert amount == o.subsidy
        else:
            assert amount == Money.zero(), (party, payee)  # a balance holds no reserve hold (an expired one may stay)
            last = max((e.at for e in ledger.entries), default=o.paid_at)
            assert ledger.available(party, payee_id=payee, as_of=last) == Money.zero()


@given(ledger=ledgers())
def test_ledgers_round_trip_through_the_converter(ledger: Ledger) -> None:
    """A ledger survives JSON exactly."""
    assert loads(dumps(ledger), Ledger) == ledger


def test_a_settlement_applied_before_its_date_is_refused_by_the_ledger() -> None:
    """One door: ``Order.apply(SETTLED)`` bypasses ``Order.settle``'s date check, the ledger does not."""
    received = order().receive(at=T0 + DAY)
    due = received.settlement_due(PROFILE)
    assert due is not None
    early = received.apply(OrderEvent(id="settled", kind=OrderEventKind.SETTLED, at=T0 + DAY + timedelta(hours=1)))
    with pytest.raises(PolicyError, match=r"Order\[o-1\].events.settled.at: is before the settlement date"):
        Ledger().record(early, PROFILE)
    with pytest.raises(PolicyError, match=r"before the settlement date"):
        received.settle(PROFILE, at=due - timedelta(microseconds=1))
    on_time = received.apply(OrderEvent(id="settled", kind=OrderEventKind.SETTLED, at=due))
    assert Ledger().record(on_time, PROFILE).balance(Party.INFLUENCER, kind=EntryKind.SETTLED) == Money.of("9.00")


def test_a_settlement_before_its_date_is_checked_only_among_the_events_derived() -> None:
    """With ``after``, the events held before are not derived again, so neither is their settlement date."""
    received = order().receive(at=T0 + DAY)
    early = received.apply(OrderEvent(id="settled", kind=OrderEventKind.SETTLED, at=T0 + DAY + timedelta(hours=1)))
    with pytest.raises(PolicyError, match="before the settlement date"):
        entries_for(early, PROFILE, after=1)
    assert entries_for(early, PROFILE, after=2) == ()


def test_after_counts_the_events_held_and_nothing_else() -> None:
    """``after`` is a whole number from 0 to the number of events; anything else names the argument."""
    o = settled(order())
    assert entries_for(o, PROFILE, after=0) == tuple(e for e in entries_for(o, PROFILE) if e.event_id != "paid")
    assert entries_for(o, PROFILE, after=2) == ()
    assert entry_values(o, PROFILE, after=2) == ()
    for bad in (-1, 3):
        with pytest.raises(InvalidValueError, match=r"entries_for\.after: must be a whole number from 0 to 2"):
            entries_for(o, PROFILE, after=bad)
    for wrong in (True, "1"):  # a wrong type is named by the argument check before the range
        with pytest.raises(InvalidValueError, match=r"entries_for\.after: must be"):
            entries_for(o, PROFILE, after=wrong)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"entry_values\.order: must be an Order"):
        entry_values("o-1", PROFILE)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"entry_values\.profile: must be a PlatformProfile"):
        entry_values(o, "kuaishou")  # type: ignore[arg-type]


def test_a_subclass_of_a_profile_gets_validated_entries_equal_to_the_trusted_ones() -> None:
    """Only Order and PlatformProfile themselves take the trusted path; a subclass's entries are built by the
    validating constructor, and are equal."""

    class Mine(PlatformProfile):
        pass

    o = settled(order()).refund(event_id="r-1", at=T0 + 9 * DAY, amount=Money.of("10.00"))
    mine = Mine()
    assert entries_for(o, mine) == entries_for(o, PROFILE)
    assert [repr(e) for e in entries_for(o, mine)] == [repr(e) for e in entries_for(o, PROFILE)]


def test_a_hold_held_before_follows_the_last_refund_held() -> None:
    """Settled, half refunded during the hold (held), a quarter refunded during the hold (new): the new hold entry
    moves the hold from 5% of what the first refund left, not from 5% of what settled."""
    o = settled(order()).refund(event_id="r-1", at=T0 + 9 * DAY, amount=Money.of("50.00"))
    o = o.refund(event_id="r-2", at=T0 + 10 * DAY, amount=Money.of("25.00"))
    new = entries_for(o, PROFILE, after=3)
    assert new == tuple(e for e in entries_for(o, PROFILE) if e.event_id == "r-2")
    holds = {e.party: e.amount for e in new if e.kind is EntryKind.RESERVE}
    assert holds == {Party.INFLUENCER: Money.of("-0.11"), Party.MCN: Money.of("-0.11")}  # 0.22 -> 0.11 each
    later = o.refund(event_id="r-3", at=T0 + 20 * DAY, amount=Money.of("5.00"))  # after the release: no hold moves
    assert not [e for e in entries_for(later, PROFILE, after=4) if e.kind is EntryKind.RESERVE]
    assert entries_for(later, PROFILE, after=4) == tuple(e for e in entries_for(later, PROFILE) if e.event_id == "r-3")


# -- the derivation against the whole-history reference --------------------------------------------------------


def reference_entries(o: Order, profile: PlatformProfile) -> tuple[LedgerEntry, ...]:
    """The entries as the ledger first derived them: the order's whole history split by split (``history``),
    every value built by its validating constructor, holds followed key by key."""
    entries: list[LedgerEntry] = []
    previous: dict[tuple[Party, str | None], Money] = {}
    holds: dict[tuple[Party, str | None], tuple[Money, datetime]] = {}
    settled_yet = False
    zero = Money.zero(o.paid.currency)

    def add(event_id: str, kind: EntryKind, key: tuple[Party, str | None], amount: Money, at: datetime) -> None:
        if amount:
            entries.append(LedgerEntry(o.id, event_id, kind, key[0], Money(amount.fen, amount.currency), at, key[1]))

    def hold(event_id: str, key: tuple[Party, str | None], earned: Money, at: datetime, until: datetime) -> None:
        target = earned.times(profile.reserve_rate, rounding=profile.rounding) if earned.fen > 0 else zero
        held = holds[key][0] if key in holds else zero
        if target != held:
            entries.append(LedgerEntry(o.id, event_id, EntryKind.RESERVE, key[0], target - held, at, key[1], until))
            holds[key] = (target, until)

    for event, lines in history(o, profile):
        event_id = "paid" if event is None else event.id
        at = o.paid_at if event is None else event.at
        current = {(line.party, line.payee_id): line.amount for line in lines.lines}
        if event is not None and event.kind is OrderEventKind.SETTLED:
            for key, amount in previous.items():
                add(event_id, EntryKind.ESTIMATED, key, -amount, at)
            for key, amount in current.items():
                add(event_id, EntryKind.SETTLED, key, amount, at)
                if key[0].earns_commission:
                    hold(event_id, key, amount, at, at + timedelta(days=profile.reserve_days))
            settled_yet = True
        elif event is not None and event.kind is OrderEventKind.INVALIDATED:
            for key, amount in previous.items():
                add(event_id, EntryKind.ESTIMATED, key, -amount, at)
            current = {}
        else:
            kind = EntryKind.CLAWBACK if settled_yet else EntryKind.ESTIMATED
            for key in sorted(previous.keys() | current.keys(), key=lambda k: (list(Party).index(k[0]), k[1] or "")):
                add(event_id, kind, key, current.get(key, zero) - previous.get(key, zero), at)
                if settled_yet and key in holds and at < holds[key][1]:
                    hold(event_id, key, current.get(key, zero), at, holds[key][1])
        previous = current
    return tuple(entries)


@given(data=st.data(), profile=platform_profiles())
def test_entries_equal_the_whole_history_reference_built_by_the_validating_constructors(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """The entries derived on ints and built without validators are the reference's, in order, with the same
    hash and repr (and the same offsets)."""
    o = data.draw(order_histories(profile=profile))
    got, want = entries_for(o, profile), reference_entries(o, profile)
    assert [(e, hash(e), repr(e)) for e in got] == [(e, hash(e), repr(e)) for e in want]
    assert all(type(e) is LedgerEntry and type(e.amount) is Money for e in got)
    assert [attrs.asdict(e, recurse=False) for e in got] == [attrs.asdict(e, recurse=False) for e in want]


@given(data=st.data(), profile=platform_profiles())
def test_entries_after_any_held_events_are_the_whole_derivations_entries_of_the_later_events(
    data: st.DataObject, profile: PlatformProfile
) -> None:
    """For every number of events held, the incremental entries are exactly those of the one-shot derivation
    whose event comes later, in the same order; entry_values gives the same entries as plain values."""
    o = data.draw(order_histories(profile=profile))
    whole = entries_for(o, profile)
    for held in range(len(o.events) + 1):
        later = {event.id for event in o.events[held:]}
        expected = tuple(e for e in whole if e.event_id in later)
        assert entries_for(o, profile, after=held) == expected
        assert entry_values(o, profile, after=held) == tuple(
            (e.event_id, e.kind, e.party, e.payee_id, e.amount.fen, e.at, e.until) for e in expected
        )
    assert entry_values(o, profile) == tuple(
        (e.event_id, e.kind, e.party, e.payee_id, e.amount.fen, e.at, e.until) for e in whole
    )


def _bound(at: datetime, event_id: str, field: str) -> tuple[object, object]:
    """A binder that records what it was asked (so that a row shows which event and field bound it)."""
    return (at.isoformat(), (event_id, field))


def _row_of(e: LedgerEntry, until_event: str) -> tuple[object, ...]:
    until = (None, None) if e.until is None else (e.until.isoformat(), (until_event, "until"))
    return (
        e.order_id,
        e.event_id,
        e.kind.value,
        e.party.value,
        e.payee_id or "",
        e.amount.currency,
        e.amount.fen,
        e.at.isoformat(),
        (e.event_id, "at"),
        *until,
        "",
    )


@given(data=st.data(), profile=platform_profiles())
def test_entry_rows_are_the_entries_as_rows_for_any_events_held(data: st.DataObject, profile: PlatformProfile) -> None:
    """entry_rows gives, for every number of events held, exactly the rows of entries_for's entries (values of the
    kinds and parties, ``""`` for no payee, each moment as the binder writes it: an event's moment bound under its
    own id, a release under the settlement's), and asks the binder once per moment."""
    o = data.draw(order_histories(profile=profile))
    settlement = next((e.id for e in o.events if e.kind is OrderEventKind.SETTLED), "")
    for held in (None, *range(len(o.events) + 1)):
        asked: list[tuple[str, str]] = []

        def bind(
            at: datetime, event_id: str, field: str, asked: list[tuple[str, str]] = asked
        ) -> tuple[object, object]:
            asked.append((event_id, field))
            return _bound(at, event_id, field)

        rows = entry_rows(o, profile, bind=bind, after=held)
        assert rows == [_row_of(e, settlement) for e in entries_for(o, profile, after=held)]
        assert len(asked) == len(set(asked))
        assert {(r[1], "at") for r in rows} <= set(asked)


def test_entry_rows_names_a_wrong_argument() -> None:
    """Each argument of entry_rows is checked, named, before anything is derived."""
    o = settled(order())
    assert entry_rows(o, PROFILE, bind=_bound, after=2) == []
    with pytest.raises(InvalidValueError, match=r"entry_rows\.order: must be an Order"):
        entry_rows("o-1", PROFILE, bind=_bound)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"entry_rows\.profile: must be a PlatformProfile"):
        entry_rows(o, "kuaishou", bind=_bound)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"entry_rows\.bind: must be a function"):
        entry_rows(o, PROFILE, bind=None)  # type: ignore[arg-type]
    for bad in (-1, 3, True, "1", 1.0):
        with pytest.raises(InvalidValueError, match=r"entry_rows\.after: must be a whole number from 0 to 2"):
            entry_rows(o, PROFILE, bind=_bound, after=bad)  # type: ignore[arg-type]


def _prefix(o: Order, count: int) -> Order:
    return attrs.evolve(o, events=o.events[:count])


@given(data=st.data(), profile=platform_profiles())
def test_order_entries_give_entry_rows_however_the_events_come(data: st.DataObject, profile: PlatformProfile) -> None:
    """OrderEntries built on any prefix of a history (its entries recorded, or not even the payment's), given the
    other events in any grouping, gives exactly entry_rows of the whole order after that prefix, call by call
    asking the binder once per moment; its order is the whole order."""
    o = data.draw(order_histories(profile=profile))
    held = data.draw(st.integers(0, len(o.events)))
    after = data.draw(st.sampled_from([None, held]))
    settlement = next((e.id for e in o.events if e.kind is OrderEventKind.SETTLED), "")
    entries = OrderEntries(_prefix(o, held), profile, after=after)
    rows: list[tuple[Any, ...]] = []
    for n, event in enumerate(o.events[held:], start=held):
        assert entries.apply(event)
        assert entries.event(event.id) is event
        assert entries.count == n + 1
        if data.draw(st.booleans()):
            asked: list[tuple[str, str]] = []

            def bind(
                at: datetime, event_id: str, field: str, asked: list[tuple[str, str]] = asked
            ) -> tuple[object, object]:
                asked.append((event_id, field))
                return _bound(at, event_id, field)

            rows += entries.rows(bind)
            assert len(asked) == len(set(asked))
    rows += entries.rows(_bound)
    assert rows == [_row_of(e, settlement) for e in entries_for(o, profile, after=after)]
    assert entries.order == o
    assert entries.rows(_bound) == []


@st.composite
def _next_events(draw: st.DrawFn, o: Order) -> OrderEvent:
    """Any event for *o*: often one its lifecycle refuses (time going back, a move it does not allow, a refund
    beyond what was paid or after invalidation, a held id with other content), or one it holds."""
    again: bool = draw(st.booleans())
    if o.events and again:
        held = draw(st.sampled_from(o.events))
        return held if draw(st.booleans()) else attrs.evolve(held, at=held.at + timedelta(seconds=1))
    last = o.events[-1].at if o.events else o.paid_at
    at = last + timedelta(hours=draw(st.integers(-2, 48)))
    kind = draw(st.sampled_from(OrderEventKind))
    if kind is OrderEventKind.REFUNDED:
        if draw(st.booleans()):
            return OrderEvent(id="next", kind=kind, at=at, units=draw(st.integers(1, o.units + 1)))
        fen = draw(st.integers(1, o.paid.fen + o.shipping.fen + 1))
        return OrderEvent(id="next", kind=kind, at=at, amount=Money(fen, o.paid.currency))
    return OrderEvent(id="next", kind=kind, at=at)


@given(data=st.data())
def test_order_entries_apply_checks_an_event_as_the_order_does(data: st.DataObject) -> None:
    """OrderEntries.apply accepts exactly the events Order.apply accepts (a held one changes nothing) and refuses
    the others with Order.apply's own error, changing nothing."""
    o = data.draw(order_histories(profile=PROFILE))
    after = data.draw(st.sampled_from([None, len(o.events)]))
    entries = OrderEntries(o, PROFILE, after=after)
    event = data.draw(_next_events(o))
    try:
        expected: Order | Exception = o.apply(event)
    except InvalidValueError as exc:
        expected = exc
    if isinstance(expected, Exception):
        with pytest.raises(type(expected)) as raised:
            entries.apply(event)
        assert str(raised.value) == str(expected)
        assert entries.order == o
    else:
        assert entries.apply(event) is (expected is not o)
        assert entries.order == expected
        assert entries.count == len(expected.events)
    assert _outcome(lambda: entries.rows(_bound)) == _outcome(
        lambda: entry_rows(entries.order, PROFILE, bind=_bound, after=after)
    )


def _outcome(run: Any) -> object:
    """What *run* returns, or the type and text of the PolicyError it raises (a settlement before its date)."""
    try:
        return run()
    except PolicyError as exc:
        return (type(exc), str(exc))


def test_order_entries_refuse_a_settlement_before_its_date_and_name_a_wrong_argument() -> None:
    """A settlement event added before the profile's date is refused when its entries are derived (as entries_for
    refuses it); each argument is checked, named."""
    o = order().receive(at=T0 + DAY)
    entries = OrderEntries(o, PROFILE, after=1)
    entries.apply(OrderEvent(id="s", kind=OrderEventKind.SETTLED, at=T0 + 2 * DAY))
    with pytest.raises(PolicyError, match=r"is before the settlement date"):
        entries.rows(_bound)
    with pytest.raises(InvalidValueError, match=r"OrderEntries\.order: must be an Order"):
        OrderEntries("o-1", PROFILE)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"OrderEntries\.profile: must be a PlatformProfile"):
        OrderEntries(o, "kuaishou")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"OrderEntries\.rows\.bind: must be a function"):
        OrderEntries(o, PROFILE).rows(None)  # type: ignore[arg-type]
    for bad in (-1, 2, True, "1", 1.0):
        with pytest.raises(InvalidValueError, match=r"OrderEntries\.after: must be a whole number from 0 to 1"):
            OrderEntries(o, PROFILE, after=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"must be an OrderEvent"):
        OrderEntries(o, PROFILE).apply("received")  # type: ignore[arg-type]


def test_order_entries_of_a_subclass_take_the_order_and_profile_at_their_word() -> None:
    """An Order subclass (and a profile subclass) takes the path that asks them: every event applied by the order's
    own apply, the settlement date by its own settlement_due; the rows and the order are those of the exact
    classes."""

    class MyOrder(Order):
        pass

    class Mine(PlatformProfile):
        pass

    o = settled(order(units=4)).refund(event_id="r-1", at=T0 + 9 * DAY, amount=Money.of("10.00"))
    o = o.refund(event_id="r-2", at=T0 + 10 * DAY, units=1)
    mine = MyOrder(**{a.name: getattr(o, a.name) for a in attrs.fields(Order)})
    entries = OrderEntries(attrs.evolve(mine, events=mine.events[:1]), Mine(), after=None)
    for event in mine.events[1:]:
        assert entries.apply(event)
    assert not entries.apply(mine.events[0])  # held: nothing added
    assert type(entries.order) is MyOrder
    assert entries.order == mine
    assert entries.rows(_bound) == entry_rows(o, PROFILE, bind=_bound)
