"""The append-only ledger: every estimate, settlement, clawback and reserve hold, per party.

A :class:`Ledger` only grows. :meth:`Ledger.record` derives an order's entries from its events and appends
those the ledger does not hold yet, so recording an order again (or after replaying an event) adds nothing.
An entry is identified by (order, event, kind, party, payee); the same key with different content is a
conflict and is refused, never overwritten. Corrections are new entries.

Entry kinds (:class:`EntryKind`):

* ``ESTIMATED``: at payment, the estimated lines; after a refund before settlement, the change; at
  settlement and at invalidation, the reversal of what is still estimated. Its balance is what is pending.
* ``SETTLED``: at settlement, the settled lines.
* ``CLAWBACK``: after a refund following settlement, the change in each line (negative for the parties
  giving money back, positive for the buyer's refund and the subsidy returned).
* ``RESERVE``: at settlement, the refund reserve held from each commission line (``reserve_rate`` of it,
  5% by default) until ``until`` (``reserve_days`` later, 8 by default). A hold counts while
  ``at <= as_of < until``; its release needs no entry. A clawback during the hold adjusts it (a negative
  reserve entry with the same ``until``), so the reserve always follows the commission still earned.

Balances are sums over entries, computed when asked, never stored; each names what it sums, so that no
default adds a hold to earnings:

* :meth:`Ledger.pending`: ``ESTIMATED`` entries, what is estimated and not settled yet;
* :meth:`Ledger.earned`: ``SETTLED`` and ``CLAWBACK`` entries, what was settled net of clawbacks;
* :meth:`Ledger.clawed_back`: the ``CLAWBACK`` entries alone (negative for a party giving money back);
* :meth:`Ledger.reserved` and :meth:`Ledger.available`: what holds keep back at a moment, and earned less that;
* :meth:`Ledger.balance`, :meth:`Ledger.balances`, :meth:`Ledger.by_period` with a ``kind``: that kind's sum;
  without one, the party's *position*, ``pending + earned``: every movement of money, never a reserve hold
  (a hold keeps back part of what was earned; it is not more money). Ask ``kind=EntryKind.RESERVE`` for holds.

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.settlement.profiles import PlatformProfile
>>> from fenxiao.money import Money, Rate
>>> from fenxiao.settlement.orders import Order, OrderTerms
>>> from fenxiao.settlement.splits import Party
>>> t = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
>>> profile = PlatformProfile()
>>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="kol-1", paid=Money.of("100.00"),
...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
>>> ledger = Ledger().record(order, profile)
>>> str(ledger.balance(Party.INFLUENCER, kind=EntryKind.ESTIMATED))
'¥18.00'
>>> order = order.receive(at=t + timedelta(days=3)).settle(profile, at=t + timedelta(days=10))
>>> ledger = ledger.record(order, profile)
>>> str(ledger.balance(Party.INFLUENCER, kind=EntryKind.ESTIMATED)), str(ledger.balance(Party.INFLUENCER,
...     kind=EntryKind.SETTLED))
('¥0.00', '¥18.00')
>>> str(ledger.available(Party.INFLUENCER, as_of=t + timedelta(days=10)))
'¥17.10'
>>> str(ledger.available(Party.INFLUENCER, as_of=t + timedelta(days=18)))
'¥18.00'
>>> refunded = order.refund(amount=Money.of("30.00"), at=t + timedelta(days=12), event_id="r-1")
>>> ledger = ledger.record(refunded, profile)
>>> [str(m) for m in (ledger.earned(Party.INFLUENCER), ledger.clawed_back(Party.INFLUENCER),
...     ledger.balance(Party.INFLUENCER), ledger.balance(Party.INFLUENCER, kind=EntryKind.RESERVE))]
['¥12.60', '-¥5.40', '¥12.60', '¥0.63']
>>> ledger.record(order, profile) == ledger
True

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any, Final, TypeAlias, TypeVar

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.trusted import builder
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import DEFAULT_CURRENCY, PPM, Money
from fenxiao.settlement.orders import (
    _MOVES,
    PAID_EVENT_ID,
    Order,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    OrderTerms,
    _fields_but_events,
    _trusted_order,
    _walk,
)
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, _line_fen, _payee_texts, _payees

__all__ = [
    "EARNED_KINDS",
    "MONEY_KINDS",
    "EntryKey",
    "EntryKind",
    "EntryRow",
    "EntryValues",
    "Ledger",
    "LedgerEntry",
    "MomentBinder",
    "OrderEntries",
    "Period",
    "entries_for",
    "entry_rows",
    "entry_values",
]


class EntryKind(enum.Enum):
    """What a ledger entry records."""

    ESTIMATED = "estimated"  #: 预估: a pending estimate or a change to it
    SETTLED = "settled"  #: 已结算: a settled line
    CLAWBACK = "clawback"  #: 追回: the change after a refund following settlement
    RESERVE = "reserve"  #: 保证金: part of a settled commission held back until ``until``


class Period(enum.Enum):
    """A calendar period for :meth:`Ledger.by_period`, in the caller's time zone."""

    DAY = "day"
    MONTH = "month"

    def start(self, at: datetime, tz: timezone) -> date:
        """The first day of the period holding *at* (in *tz*)."""
        local = at.astimezone(tz).date()
        return local if self is Period.DAY else local.replace(day=1)


E = TypeVar("E", bound=enum.Enum)


def _member(kind: type[E], value: object, path: str) -> E:
    """*value* as a member of *kind* (the member itself or its text, ``"influencer"``); anything else is refused."""
    if isinstance(value, kind):
        return value
    for member in kind:
        if member.value == value:
            return member
    allowed = ", ".join(repr(m.value) for m in kind)
    raise InvalidValueError(path, value, f"must be a {kind.__name__} ({allowed})")


def _optional_member(kind: type[E], value: object, path: str) -> E | None:
    return None if value is None else _member(kind, value, path)


#: An entry's identity: (order id, event id, kind, party, payee id).
EntryKey = tuple[str, str, EntryKind, Party, str | None]

_TEXT_LIMIT: Final = 1000

#: The kinds that move money: a balance without a kind sums these (a reserve hold only keeps earnings back).
MONEY_KINDS: Final = frozenset({EntryKind.ESTIMATED, EntryKind.SETTLED, EntryKind.CLAWBACK})

#: The kinds of earned money: settled lines and the clawbacks after them.
EARNED_KINDS: Final = frozenset({EntryKind.SETTLED, EntryKind.CLAWBACK})


@attrs.frozen
class LedgerEntry:
    """One movement for one party.

    Args:
        order_id: The order (or, for a manual correction, any reference id).
        event_id: The event that caused it (``"paid"`` for the payment itself).
        kind: What it records.
        party: Whose line it changes.
        amount: The amount; negative for a reversal, a correction or a clawback.
        at: When (timezone-aware).
        payee_id: The payee (influencer, MCN, leader, merchant id) where known.
        until: For a ``RESERVE`` hold, when it is released; ``None`` for every other kind.
        note: Free text for people.
    """

    order_id: str = attrs.field(validator=v.identifier)
    event_id: str = attrs.field(validator=v.identifier)
    kind: EntryKind = attrs.field(validator=v.member_of(EntryKind))
    party: Party = attrs.field(validator=v.member_of(Party))
    amount: Money = attrs.field(validator=v.instance_of(Money))
    at: datetime = attrs.field(validator=v.aware_datetime)
    payee_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    note: str = attrs.field(default="")

    def __attrs_post_init__(self) -> None:
        if (self.kind is EntryKind.RESERVE) != (self.until is not None):
            raise InvalidValueError("LedgerEntry.until", self.until, "must be given exactly for a reserve entry")
        if self.until is not None and self.until < self.at:
            raise InvalidValueError("LedgerEntry.until", self.until, "must not be before at")
        note: object = self.note
        if not isinstance(note, str) or len(note) > _TEXT_LIMIT:
            raise InvalidValueError("LedgerEntry.note", note, f"must be text of at most {_TEXT_LIMIT} characters")

    @property
    def key(self) -> EntryKey:
        """The entry's identity in a ledger."""
        return (self.order_id, self.event_id, self.kind, self.party, self.payee_id)

    def held_at(self, as_of: datetime) -> bool:
        """For a reserve hold: whether it is held at *as_of* (``at <= as_of < until``)."""
        return self.until is not None and self.at <= as_of < self.until


def _check_entries(instance: Ledger, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("Ledger.entries", value, "must be a tuple of LedgerEntry")
    keys: set[EntryKey] = set()
    for i, entry in enumerate(value):
        if not isinstance(entry, LedgerEntry):
            raise InvalidValueError(f"Ledger.entries[{i}]", entry, "must be a LedgerEntry")
        if entry.amount.currency != instance.currency:
            raise InvalidValueError(f"Ledger.entries[{i}].amount", entry.amount, f"must be in {instance.currency}")
        if entry.key in keys:
            raise InvalidValueError(f"Ledger.entries[{i}]", entry.key, "repeats the key of an earlier entry")
        keys.add(entry.key)


def _check_currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or len(value) != 3 or not value.isupper():
        raise InvalidValueError("Ledger.currency", value, "must be a three-letter code like 'CNY'")


def _check_due(order: Order, profile: PlatformProfile, at: datetime) -> None:
    """Refuse a settlement before the profile's date: the one door, whether it came through ``Order.settle`` or not."""
    if type(order) is Order and type(profile) is PlatformProfile:  # Order.settlement_due, inline (once per settlement)
        due = None
        for event in order.events:
            if event.kind is _RECEIVED_EVENT:
                due = event.at + _days(profile.settlement_days.for_level(order.service_level))
                break
    else:
        due = order.settlement_due(profile)
    if due is not None and at < due:
        days = profile.settlement_days.for_level(order.service_level)
        raise PolicyError(
            f"Order[{order.id}].events.settled.at",
            at,
            f"is before the settlement date {due.isoformat()} (receipt + {days} days under profile {profile.name!r})",
        )


@checks_arguments
def entries_for(order: Order, profile: PlatformProfile, *, after: int | None = None) -> tuple[LedgerEntry, ...]:
    """Every ledger entry *order*'s payment and events imply under *profile* (see the module docs).

    Zero amounts are left out. The result depends only on the order and the profile, which is what makes
    :meth:`Ledger.record` idempotent.

    Args:
        order: The order, with every event so far.
        profile: The platform profile whose rules derive the entries.
        after: Only the entries of the events after the first *after* of ``order.events``: for a caller that
            recorded the payment and those events before (a store adding an order's new events) and wants the
            new entries alone, without deriving the whole history again. ``entries_for(order, profile,
            after=k)`` is exactly the entries of ``entries_for(order, profile)`` whose event is one of
            ``order.events[k:]``, in the same order. ``None`` (the default): every entry, the payment's included.

    Raises:
        PolicyError: A settled event earlier than the profile's settlement date (receipt + the days for the
            merchant's service level), however the event was added (``Order.settle`` checks it too, but
            ``Order.apply`` cannot: it does not know the profile); with *after*, only the events after it are
            checked.
        InvalidValueError: *order* is not an Order, *profile* not a profile, or *after* not a whole number from 0
            to the number of events.

    >>> from datetime import datetime, timedelta, timezone
    >>> from fenxiao.money import Rate
    >>> from fenxiao.settlement.orders import OrderTerms
    >>> t = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
    >>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
    ...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
    >>> order = order.receive(at=t + timedelta(days=2)).settle(PlatformProfile(), at=t + timedelta(days=9))
    >>> [(e.event_id, e.kind.value, e.party.value, e.amount.to_text()) for e in entries_for(order, PlatformProfile(),
    ...                                                                                      after=1)][:3]
    [('settled', 'estimated', 'influencer', '-18.00'), ('settled', 'estimated', 'platform_commission_fee', '-2.00'), \
('settled', 'estimated', 'platform_tech_fee', '-5.00')]
    """
    first = _first(order, profile, after, "entries_for")
    if first > len(order.events):
        return ()
    trusted = (
        type(order) is Order
        and type(profile) is PlatformProfile
        and type(order.terms) is OrderTerms
        and all(type(event) is OrderEvent for event in order.events)
    )
    order_id, currency = order.id, order.paid.currency
    if trusted:  # valid by construction (see _derive): built without their validators
        make, money = _trusted_entry, _trusted_money
    else:
        make, money = LedgerEntry, Money
    return tuple(
        make(order_id, event_id, kind, party, money(fen, currency), at, payee_id, until, "")
        for _, event_id, kind, party, payee_id, _, fen, at, _, until, _, _ in _derive(order, profile, first, None)
    )


#: One ledger entry as plain values, as :func:`entry_values` gives it: ``(event_id, kind, party, payee_id, fen,
#: at, until)``, the amount in fen of the order's currency.
EntryValues: TypeAlias = tuple[str, "EntryKind", Party, str | None, int, datetime, datetime | None]


def entry_values(order: Order, profile: PlatformProfile, *, after: int | None = None) -> tuple[EntryValues, ...]:
    """The entries :func:`entries_for` gives (with the same *after*), in the same order, as plain values: ``(event_id,
    kind, party, payee_id, fen, at, until)``; each entry's order id and currency are the order's and its note is
    empty. No :class:`LedgerEntry` is built: for a store writing the entries as rows.

    Raises:
        PolicyError: As :func:`entries_for`.
        InvalidValueError: As :func:`entries_for`.

    >>> from datetime import datetime, timedelta, timezone
    >>> from fenxiao.money import Rate
    >>> from fenxiao.settlement.orders import OrderTerms
    >>> t = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
    >>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
    ...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
    >>> entry_values(order, PlatformProfile())[0]
    ('paid', <EntryKind.ESTIMATED: 'estimated'>, <Party.INFLUENCER: 'influencer'>, 'k-1', 1800, \
datetime.datetime(2026, 11, 11, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=28800))), None)
    """
    if type(order) is not Order and not isinstance(order, Order):
        raise InvalidValueError("entry_values.order", order, "must be an Order")
    if type(profile) is not PlatformProfile and not isinstance(profile, PlatformProfile):
        raise InvalidValueError("entry_values.profile", profile, "must be a PlatformProfile")
    count = len(order.events)
    first = 0 if after is None else 1 + v.require_int(after, "entry_values.after", 0, count)
    if first > count:
        return ()
    return tuple(
        (event_id, kind, party, payee_id, fen, at, until)
        for _, event_id, kind, party, payee_id, _, fen, at, _, until, _, _ in _derive(order, profile, first, None)
    )


#: One ledger entry as a table row, as :func:`entry_rows` gives it: ``(order_id, event_id, kind, party, payee_id,
#: currency, amount_fen, at, at_offset, until, until_offset, note)``, the columns of the store's
#: ``ledger_entries`` table without its serial id (kinds and parties by value, an absent payee ``""``, each moment
#: the pair its *bind* gives, ``(None, None)`` for no release, the note ``""``).
EntryRow: TypeAlias = tuple[Any, ...]

#: ``bind(moment, event_id, field) -> (value, offset)``: how :func:`entry_rows` writes a moment (see there).
MomentBinder: TypeAlias = Callable[[datetime, str, str], tuple[Any, Any]]


def entry_rows(
    order: Order, profile: PlatformProfile, *, bind: MomentBinder, after: int | None = None
) -> list[EntryRow]:
    """The entries :func:`entries_for` gives (with the same *after*), in the same order, as table rows
    (:data:`EntryRow`), built as they are derived: no :class:`LedgerEntry` and no intermediate values. For a store
    writing the entries through its driver.

    Args:
        order: The order, with every event so far.
        profile: The platform profile whose rules derive the entries.
        bind: Writes a moment as two column values: called as ``bind(moment, event_id, "at")`` once for each event
            (the payment's id is ``"paid"``) that has entries, with that event's moment, and as ``bind(until,
            event_id, "until")`` once for each release moment a reserve entry holds (*event_id* the settlement
            that set it). What it returns fills the row's two columns; it may raise (an
            :class:`~fenxiao.errors.InvalidValueError` for a moment it cannot write), which ends the call.
        after: As :func:`entries_for`'s.

    Raises:
        PolicyError: As :func:`entries_for`.
        InvalidValueError: As :func:`entries_for`; *bind* is not callable.

    >>> from datetime import datetime, timedelta, timezone
    >>> from fenxiao.money import Rate
    >>> from fenxiao.settlement.orders import OrderTerms
    >>> t = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
    >>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
    ...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
    >>> def bind(moment, event_id, field):
    ...     return moment.isoformat(), int(moment.utcoffset().total_seconds())
    >>> entry_rows(order, PlatformProfile(), bind=bind)[0]
    ('o-1', 'paid', 'estimated', 'influencer', 'k-1', 'CNY', 1800, '2026-11-11T20:00:00+08:00', 28800, None, None, '')
    """
    if type(order) is not Order and not isinstance(order, Order):
        raise InvalidValueError("entry_rows.order", order, "must be an Order")
    if type(profile) is not PlatformProfile and not isinstance(profile, PlatformProfile):
        raise InvalidValueError("entry_rows.profile", profile, "must be a PlatformProfile")
    if not callable(bind):
        raise InvalidValueError(
            "entry_rows.bind", bind, "must be a function (moment, event_id, field) -> (value, offset)"
        )
    if after is None:
        return _derive(order, profile, 0, bind)
    count = len(order.events)
    if type(after) is not int or not 0 <= after <= count:
        v.require_int(after, "entry_rows.after", 0, count)  # raises (an int subclass within bounds passes)
    return _derive(order, profile, after + 1, bind) if after < count else []


def _first(order: Order, profile: PlatformProfile, after: int | None, name: str) -> int:
    """The first moment to derive entries of (0 is the payment, ``m`` the ``m``-th event), for *after* events held."""
    if not isinstance(order, Order):
        raise InvalidValueError(f"{name}.order", order, "must be an Order")
    if not isinstance(profile, PlatformProfile):
        raise InvalidValueError(f"{name}.profile", profile, "must be a PlatformProfile")
    return 0 if after is None else 1 + v.require_int(after, f"{name}.after", 0, len(order.events))


# The entries' own values, built from parts _derive proves valid (see there), without re-running the validators:
# equal to the validated objects, with the same hash and repr.
_trusted_entry: Final = builder(LedgerEntry)
_trusted_money: Final = builder(Money)
_PARTIES: Final = tuple(Party)
#: What a row holds for each party (its value).
_PARTY_VALUES: Final = tuple(party.value for party in Party)
#: The places in a line tuple (Party order) of the lines the refund reserve is held from.
_HELD_FROM: Final = tuple(i for i, party in enumerate(Party) if party.earns_commission)
#: The places of the other lines (the commission lines come first in Party order: _derive's settlement relies on it).
_NOT_HELD: Final = tuple(range(len(_HELD_FROM), len(Party)))
_NO_LINES: Final = (0,) * len(Party)
_ESTIMATED: Final = EntryKind.ESTIMATED
_SETTLED: Final = EntryKind.SETTLED
_CLAWBACK: Final = EntryKind.CLAWBACK
_RESERVE: Final = EntryKind.RESERVE
_SETTLED_EVENT: Final = OrderEventKind.SETTLED
_INVALIDATED_EVENT: Final = OrderEventKind.INVALIDATED
_REFUNDED_EVENT: Final = OrderEventKind.REFUNDED
_RECEIVED_EVENT: Final = OrderEventKind.RECEIVED
#: What a row holds for the kinds estimated, settled, clawback and reserve (their values).
_KIND_VALUES: Final = (_ESTIMATED.value, _SETTLED.value, _CLAWBACK.value, _RESERVE.value)


@lru_cache(maxsize=64)
def _days(count: int) -> timedelta:
    """``timedelta(days=count)``, built once per count."""
    return timedelta(days=count)


def _derive(order: Order, profile: PlatformProfile, first: int, bind: MomentBinder | None) -> list[EntryRow]:
    """The entries of moments *first* to the last (moment 0 is the payment, moment ``m`` the ``m``-th event) as
    rows (:data:`EntryRow`), for an order with at least *first* events (the payee of each party is fixed by the
    order). With *bind* ``None`` a row holds the members, the payee (``None`` if absent) and the datetimes
    themselves (``at`` and ``until``; their offset columns ``None``): what :func:`entries_for` and
    :func:`entry_values` read; with *bind*, the values :func:`entry_rows` documents.

    Each moment's lines are one int per party (:func:`~fenxiao.settlement.splits._line_fen`, in :class:`Party`
    order). They depend only on what was refunded by then: a receipt or a settlement moves no amount, so new
    receipts alone (which come before any settlement, so move no hold either) derive no entry, and each distinct
    refunded amount is split once. What the moments before *first* leave is derived from the events alone: the
    lines at moment ``first - 1``, whether the order settled, and each reserve hold taken at settlement, which is
    the target of the lines at moment ``first - 1`` whenever it can still move (a later event moves it only before
    ``until``; events never go back in time, so then every held event was before ``until`` too, and moved it to its
    lines).

    What makes the entries valid by construction, for :func:`entries_for`'s trusted path: the ids are the order's,
    its terms' and its events' (validated there; ``"paid"`` for the payment), kinds and parties are members, every
    amount is an int within :data:`~fenxiao.money.MAX_FEN` in magnitude (a line is between 0 and what came in,
    which the order bounds; an entry is a line, its negation, or a difference of two lines or of two holds, each
    a fraction of a line), times are the order's aware datetimes, ``until`` is given exactly for a reserve hold
    and is not before ``at`` (the settlement plus ``reserve_days`` ≥ 0, and a later adjustment only before it).
    """
    events = order.events
    count = len(events)
    moving = first - 1 if first else 0
    while moving < count and events[moving].kind is _RECEIVED_EVENT:
        moving += 1
    if first and moving == count:
        return []  # receipts alone after what is held: they move nothing
    order_id, currency = order.id, order.paid.currency
    parties: tuple[Any, ...]
    payees: tuple[str | None, ...]
    estimated: Any
    settled: Any
    clawback: Any
    reserve: Any
    if bind is None:
        parties, payees = _PARTIES, _payees(order)
        estimated, settled, clawback, reserve = _ESTIMATED, _SETTLED, _CLAWBACK, _RESERVE
    else:
        parties, payees = _PARTY_VALUES, _payee_texts(order)
        estimated, settled, clawback, reserve = _KIND_VALUES
    if moving == count:  # the payment and receipts alone: the payment's estimate
        at, paid = order.paid_at, _line_fen(order, profile, 0)
        stamp, offset = (at, None) if bind is None else bind(at, PAID_EVENT_ID, "at")
        return [
            (order_id, PAID_EVENT_ID, estimated, party, payee, currency, fen, stamp, offset, None, None, "")
            for party, payee, fen in zip(parties, payees, paid, strict=True)
            if fen
        ]
    refunded_after: list[int] | None = None  # what was refunded after each event, when anything was
    for event in events:
        if event.kind is _REFUNDED_EVENT:
            refunded_after = [step.refunded for step in _walk(order, events)]
            break
    if refunded_after is None:  # nothing refunded: one split for every moment
        unrefunded = _line_fen(order, profile, 0)

        def lines(moment: int) -> tuple[int, ...]:
            return unrefunded

    else:
        refunds = refunded_after
        split_by_refund: dict[int, tuple[int, ...]] = {}

        def lines(moment: int) -> tuple[int, ...]:
            refunded = refunds[moment - 1] if moment else 0
            found = split_by_refund.get(refunded)
            if found is None:
                found = split_by_refund[refunded] = _line_fen(order, profile, refunded)
            return found

    rate, round_ratio = profile.reserve_rate.ppm, profile.rounding.round_ratio
    hold_days = _days(profile.reserve_days)
    found: list[EntryRow] = []
    add = found.append
    holds: dict[int, int] = {}  # the reserve held from each commission line, by place
    until: datetime | None = None  # when the holds are released; None before settlement
    until_event = ""  # the settlement that set it
    release: tuple[Any, Any] | None = None  # until as the row holds it, once a row needs it
    previous = lines(first - 1) if first else _NO_LINES
    for i in range(first - 1):
        if events[i].kind is _SETTLED_EVENT:  # held: the holds it took, at the target of the last held lines
            at_settlement = lines(i + 1)
            for place in _HELD_FROM:
                if at_settlement[place] > 0 and round_ratio(at_settlement[place] * rate, PPM):
                    fen = previous[place]
                    holds[place] = round_ratio(fen * rate, PPM) if fen > 0 else 0
            until, until_event = events[i].at + hold_days, events[i].id
            break
    for moment in range(first, count + 1):
        if moment:
            event = events[moment - 1]
            event_id, at, kind = event.id, event.at, event.kind
        else:
            event_id, at, kind = PAID_EVENT_ID, order.paid_at, None
        if kind is _SETTLED_EVENT or kind is _INVALIDATED_EVENT:
            if kind is _SETTLED_EVENT:
                _check_due(order, profile, at)
            stamp, offset = (at, None) if bind is None else bind(at, event_id, "at")
            for party, payee, fen in zip(parties, payees, previous, strict=True):  # the estimate is reversed
                if fen:
                    add((order_id, event_id, estimated, party, payee, currency, -fen, stamp, offset, None, None, ""))
            if kind is _INVALIDATED_EVENT:
                previous = _NO_LINES
                continue
            current = lines(moment)
            until, until_event = at + hold_days, event_id
            release = None
            for place in _HELD_FROM:  # the commission lines (first in Party order), each with the reserve held
                fen = current[place]
                if fen:
                    party, payee = parties[place], payees[place]
                    add((order_id, event_id, settled, party, payee, currency, fen, stamp, offset, None, None, ""))
                    held = round_ratio(fen * rate, PPM)
                    if held:
                        if release is None:
                            release = (until, None) if bind is None else bind(until, event_id, "until")
                        add((order_id, event_id, reserve, party, payee, currency, held, stamp, offset, *release, ""))
                        holds[place] = held
            for p in _NOT_HELD:
                fen = current[p]
                if fen:
                    party, payee = parties[p], payees[p]
                    add((order_id, event_id, settled, party, payee, currency, fen, stamp, offset, None, None, ""))
        else:  # the payment, a receipt or a refund: the change in each line, and during the hold, in each hold
            current = lines(moment)
            holding = until is not None and at < until
            if current is previous and not holding:
                continue  # the same split (what was refunded did not change): nothing moved
            change = estimated if until is None else clawback
            stamp, offset = (at, None) if bind is None else bind(at, event_id, "at")
            if not holding:
                for party, payee, fen, was in zip(parties, payees, current, previous, strict=True):
                    if fen != was:
                        delta = fen - was
                        add((order_id, event_id, change, party, payee, currency, delta, stamp, offset, None, None, ""))
                previous = current
                continue
            assert until is not None  # holding
            for place, fen in enumerate(current):
                delta = fen - previous[place]
                party, payee = parties[place], payees[place]
                if delta:
                    add((order_id, event_id, change, party, payee, currency, delta, stamp, offset, None, None, ""))
                if place in holds:
                    now, held = round_ratio(fen * rate, PPM) if fen > 0 else 0, holds[place]
                    if now != held:
                        if release is None:
                            release = (until, None) if bind is None else bind(until, until_event, "until")
                        add(
                            (
                                order_id,
                                event_id,
                                reserve,
                                party,
                                payee,
                                currency,
                                now - held,
                                stamp,
                                offset,
                                *release,
                                "",
                            )
                        )
                        holds[place] = now
        previous = current
    return found


class OrderEntries:
    """One order's ledger entries derived one event at a time: the order's lifecycle and what its entries leave
    (each party's lines, the reserve holds, their release) are kept between calls, so that an event added later
    costs only its own entries, never a walk of the order's history. For a writer that records an order's events
    batch after batch (the store); :func:`entry_rows` is the same derivation for a whole order at once.

    ``OrderEntries(order, profile, after=k)`` holds *order* with the entries of its payment and first *k* events
    recorded (``None``: nothing recorded yet, the payment's entries included in the next :meth:`rows`).
    :meth:`apply` adds an event, checked as :meth:`Order.apply <fenxiao.settlement.orders.Order.apply>` checks
    it; :meth:`rows` gives the entries of everything not given yet, as :func:`entry_rows` gives them: however the
    events are applied and the rows taken, the rows given are ``entry_rows(order, profile, bind=bind,
    after=k)`` of the final order, in the same order (each call binding as that call would, once per moment).

    Args:
        order: The order, with the events so far.
        profile: The platform profile whose rules derive the entries.
        after: How many of ``order.events`` already have their entries recorded (``None``: not even the payment).

    Raises:
        InvalidValueError: *order* is not an Order, *profile* not a profile, or *after* not a whole number from 0
            to the number of events.

    >>> from datetime import datetime, timedelta, timezone
    >>> from fenxiao.money import Rate
    >>> from fenxiao.settlement.orders import OrderTerms
    >>> t = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
    >>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
    ...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
    >>> def bind(moment, event_id, field):
    ...     return moment.isoformat(), int(moment.utcoffset().total_seconds())
    >>> entries = OrderEntries(order, PlatformProfile())
    >>> len(entries.rows(bind)), entries.rows(bind)  # the payment's estimate, then nothing new
    (4, [])
    >>> entries.apply(OrderEvent(id="r", kind=OrderEventKind.RECEIVED, at=t + timedelta(days=2)))
    True
    >>> entries.apply(OrderEvent(id="s", kind=OrderEventKind.SETTLED, at=t + timedelta(days=9)))
    True
    >>> [row[1:4] + row[6:7] for row in entries.rows(bind)][:5]
    [('s', 'estimated', 'influencer', -1800), ('s', 'estimated', 'platform_commission_fee', -200), \
('s', 'estimated', 'platform_tech_fee', -500), ('s', 'estimated', 'merchant', -7500), \
('s', 'settled', 'influencer', 1800)]
    >>> entries.order.status.value, entries.count
    ('settled', 2)
    """

    __slots__ = (
        "_base",
        "_currency",
        "_due",
        "_events",
        "_fast",
        "_holds",
        "_last",
        "_limit",
        "_lines",
        "_next",
        "_order",
        "_payees",
        "_previous",
        "_profile",
        "_refunded",
        "_refunds",
        "_seen",
        "_status",
        "_until",
        "_until_event",
    )

    def __init__(self, order: Order, profile: PlatformProfile, *, after: int | None = None) -> None:
        if type(order) is not Order and not isinstance(order, Order):
            raise InvalidValueError("OrderEntries.order", order, "must be an Order")
        if type(profile) is not PlatformProfile and not isinstance(profile, PlatformProfile):
            raise InvalidValueError("OrderEntries.profile", profile, "must be a PlatformProfile")
        events = order.events
        count = len(events)
        if after is not None and (type(after) is not int or not 0 <= after <= count):
            v.require_int(after, "OrderEntries.after", 0, count)  # raises (an int subclass within bounds passes)
        # Exact classes only take the fast paths (a subclass may override what they read): the lifecycle checked
        # here, the order built without its validators, the settlement date computed inline.
        self._fast = type(order) is Order and type(profile) is PlatformProfile
        self._order: Order | None = order
        if not events:
            self._base = order  # what a split reads: the payment
        elif self._fast:
            self._base = _trusted_order(*_fields_but_events(order), ())
        else:
            self._base = attrs.evolve(order, events=())
        self._profile = profile
        self._currency = order.paid.currency
        self._payees = _payee_texts(order)
        self._events: list[OrderEvent] = []
        self._seen: dict[str, OrderEvent] = {}
        self._status = OrderStatus.PAID
        self._refunded = 0
        self._refunds: list[int] = []  # what was refunded after each event
        self._last = order.paid_at
        self._limit = order.paid.fen + order.shipping.fen
        self._due: datetime | None = None  # the settlement date, once received (fast path)
        self._lines: dict[int, tuple[int, ...]] = {}  # each party's lines, by what was refunded
        self._previous: tuple[int, ...] = _NO_LINES  # the lines the entries given so far leave
        self._holds: dict[int, int] = {}  # the reserve held from each commission line, by place
        self._until: datetime | None = None  # when the holds are released; None before settlement
        self._until_event = ""  # the settlement that set it
        self._next = 0  # the first moment whose entries were not given (0 is the payment)
        if events:  # held already: what the lifecycle leaves (as the order's own validator walked it)
            steps = _walk(order, events)
            self._events.extend(events)
            self._seen.update((event.id, event) for event in events)
            self._refunds.extend(step.refunded for step in steps)
            self._status, self._refunded, self._last = steps[-1].status, steps[-1].refunded, events[-1].at
            received = next((event.at for event in events if event.kind is _RECEIVED_EVENT), None)
            self._due = None if received is None else self._settlement_due(received)
        if after is not None:
            self._derive(None, after + 1)  # their entries are recorded: the state they leave, without rows

    @property
    def order(self) -> Order:
        """The order with every event applied so far."""
        order = self._order
        if order is None:
            order = self._order = _trusted_order(*_fields_but_events(self._base), tuple(self._events))
        return order

    @property
    def order_id(self) -> str:
        """The order's id."""
        return self._base.id

    @property
    def count(self) -> int:
        """How many events the order holds."""
        return len(self._events)

    def event(self, event_id: str) -> OrderEvent | None:
        """The event the order holds under *event_id*, or ``None``."""
        return self._seen.get(event_id)

    def apply(self, event: OrderEvent) -> bool:
        """Add *event*, checked against the order's lifecycle; whether it was added (``False``: the order holds it
        already, as :meth:`Order.apply <fenxiao.settlement.orders.Order.apply>` finds it).

        Raises:
            InvalidValueError: As :meth:`Order.apply <fenxiao.settlement.orders.Order.apply>` (a different event
                under a held id, a refund beyond what was paid, time going back ...), with its path and problem.
            TransitionError: As :meth:`Order.apply <fenxiao.settlement.orders.Order.apply>`.
        """
        if not self._fast or type(event) is not OrderEvent or event.id in self._seen or not self._record(event):
            order = self.order
            applied = order.apply(event)  # the exact outcome: the error, or the order unchanged, or a new event
            if applied is order:
                return False
            step = _walk(applied, applied.events)[-1]
            self._events.append(event)
            self._seen[event.id] = event
            self._last = event.at
            self._status, self._refunded = step.status, step.refunded
            self._refunds.append(step.refunded)
            if event.kind is _RECEIVED_EVENT and self._due is None:
                self._due = self._settlement_due(event.at)
            self._order = applied
        else:
            self._order = None
        return True

    def _settlement_due(self, received: datetime) -> datetime:
        profile = self._profile
        return received + _days(profile.settlement_days.for_level(self._base.service_level))

    def _record(self, event: OrderEvent) -> bool:
        """Add *event* if the lifecycle plainly allows it (as ``_walk`` checks, a refund by amount); ``False``,
        changing nothing, for anything else (an error, or a refund by units): :meth:`apply` asks the order then."""
        at = event.at
        if at < self._last:
            return False
        kind = event.kind
        if kind is _REFUNDED_EVENT:
            amount = event.amount
            if self._status is OrderStatus.INVALID or amount is None or amount.currency != self._currency:
                return False
            refunded = self._refunded + amount.fen
            if refunded > self._limit:
                return False
            self._refunded = refunded
        else:
            target = _MOVES.get((self._status._value_, kind._value_))
            if target is None:
                return False
            self._status = target
            if kind is _RECEIVED_EVENT and self._due is None:
                self._due = self._settlement_due(at)
        self._last = at
        self._events.append(event)
        self._seen[event.id] = event
        self._refunds.append(self._refunded)
        return True

    def rows(self, bind: MomentBinder) -> list[EntryRow]:
        """The entries of the payment (unless recorded) and of the events applied since the last call, as
        :func:`entry_rows` gives them with this *bind* (see there).

        Raises:
            PolicyError: A settlement earlier than the profile's settlement date (as :func:`entries_for`).
            InvalidValueError: *bind* is not callable.
        """
        if not callable(bind):
            raise InvalidValueError(
                "OrderEntries.rows.bind", bind, "must be a function (moment, event_id, field) -> (value, offset)"
            )
        events = self._events
        start = self._next
        if start == len(events):  # one moment to derive: the payment alone, or one event
            if not start:  # the payment alone: its estimate (as _derive's first moment gives it)
                base = self._base
                lines = self._previous = self._lines_after(0)
                self._next = 1
                stamp, offset = bind(base.paid_at, PAID_EVENT_ID, "at")
                order_id, currency, estimated = base.id, self._currency, _KIND_VALUES[0]
                return [
                    (order_id, PAID_EVENT_ID, estimated, party, payee, currency, fen, stamp, offset, None, None, "")
                    for party, payee, fen in zip(_PARTY_VALUES, self._payees, lines, strict=True)
                    if fen
                ]
            if events[-1].kind is _RECEIVED_EVENT:
                # A receipt (it comes only before settlement and invalidation) moves no line and no hold.
                self._next = start + 1
                return []
        return self._derive(bind, len(events) + 1)

    def _lines_after(self, refunded: int) -> tuple[int, ...]:
        found = self._lines.get(refunded)
        if found is None:
            found = self._lines[refunded] = _line_fen(self._base, self._profile, refunded)
        return found

    def _derive(self, bind: MomentBinder | None, end: int) -> list[EntryRow]:
        """The rows of moments from :attr:`_next` to *end* (excluded), the state moved past them; with *bind*
        ``None`` (moments already recorded), no rows and no settlement date check. As :func:`_derive`'s loop."""
        found: list[EntryRow] = []
        start = self._next
        if start >= end:
            return found
        add = found.append
        base, profile, events = self._base, self._profile, self._events
        order_id, currency, payees = base.id, self._currency, self._payees
        parties = _PARTY_VALUES
        estimated, settled, clawback, reserve = _KIND_VALUES
        rate, round_ratio = profile.reserve_rate.ppm, profile.rounding.round_ratio
        previous, holds, until, until_event = self._previous, self._holds, self._until, self._until_event
        refunds = self._refunds
        release: tuple[Any, Any] | None = None  # until as the row holds it, once a row needs it
        emit = bind is not None
        for moment in range(start, end):
            if moment:
                event = events[moment - 1]
                event_id, at, kind = event.id, event.at, event.kind
                refunded = refunds[moment - 1]
            else:
                event_id, at, kind, refunded = PAID_EVENT_ID, base.paid_at, None, 0
            if kind is _SETTLED_EVENT or kind is _INVALIDATED_EVENT:
                if kind is _SETTLED_EVENT and bind is not None:
                    due = self._due
                    if not self._fast or due is None or at < due:
                        _check_due(self.order, profile, at)
                stamp, offset = bind(at, event_id, "at") if bind is not None else (None, None)
                if emit:
                    for party, payee, fen in zip(parties, payees, previous, strict=True):  # the estimate is reversed
                        if fen:
                            add(
                                (
                                    order_id,
                                    event_id,
                                    estimated,
                                    party,
                                    payee,
                                    currency,
                                    -fen,
                                    stamp,
                                    offset,
                                    None,
                                    None,
                                    "",
                                )
                            )
                if kind is _INVALIDATED_EVENT:
                    previous = _NO_LINES
                    continue
                current = self._lines_after(refunded)
                until, until_event = at + _days(profile.reserve_days), event_id
                release = None
                for place in _HELD_FROM:  # the commission lines (first in Party order), each with the reserve held
                    fen = current[place]
                    if fen:
                        party, payee = parties[place], payees[place]
                        if emit:
                            add(
                                (
                                    order_id,
                                    event_id,
                                    settled,
                                    party,
                                    payee,
                                    currency,
                                    fen,
                                    stamp,
                                    offset,
                                    None,
                                    None,
                                    "",
                                )
                            )
                        held = round_ratio(fen * rate, PPM)
                        if held:
                            if emit:
                                if release is None:
                                    release = bind(until, event_id, "until") if bind is not None else (None, None)
                                add(
                                    (
                                        order_id,
                                        event_id,
                                        reserve,
                                        party,
                                        payee,
                                        currency,
                                        held,
                                        stamp,
                                        offset,
                                        *release,
                                        "",
                                    )
                                )
                            holds[place] = held
                if emit:
                    for p in _NOT_HELD:
                        fen = current[p]
                        if fen:
                            party, payee = parties[p], payees[p]
                            add(
                                (
                                    order_id,
                                    event_id,
                                    settled,
                                    party,
                                    payee,
                                    currency,
                                    fen,
                                    stamp,
                                    offset,
                                    None,
                                    None,
                                    "",
                                )
                            )
            else:  # the payment, a receipt or a refund: the change in each line, and during the hold, in each hold
                current = self._lines_after(refunded)
                holding = until is not None and at < until
                if current is previous and not holding:
                    continue  # the same split (what was refunded did not change): nothing moved
                change = estimated if until is None else clawback
                stamp, offset = bind(at, event_id, "at") if bind is not None else (None, None)
                if not holding:
                    if emit:
                        for party, payee, fen, was in zip(parties, payees, current, previous, strict=True):
                            if fen != was:
                                delta = fen - was
                                add(
                                    (
                                        order_id,
                                        event_id,
                                        change,
                                        party,
                                        payee,
                                        currency,
                                        delta,
                                        stamp,
                                        offset,
                                        None,
                                        None,
                                        "",
                                    )
                                )
                    previous = current
                    continue
                assert until is not None  # holding
                for place, fen in enumerate(current):
                    delta = fen - previous[place]
                    party, payee = parties[place], payees[place]
                    if delta and emit:
                        add((order_id, event_id, change, party, payee, currency, delta, stamp, offset, None, None, ""))
                    if place in holds:
                        now, held = round_ratio(fen * rate, PPM) if fen > 0 else 0, holds[place]
                        if now != held:
                            if emit:
                                if release is None:
                                    release = bind(until, until_event, "until") if bind is not None else (None, None)
                                add(
                                    (
                                        order_id,
                                        event_id,
                                        reserve,
                                        party,
                                        payee,
                                        currency,
                                        now - held,
                                        stamp,
                                        offset,
                                        *release,
                                        "",
                                    )
                                )
                            holds[place] = now
            previous = current
        self._next = end
        self._previous, self._until, self._until_event = previous, until, until_event
        return found


_PLACE: Final = {party: place for place, party in enumerate(Party)}


def _key_order(key: tuple[Party, str | None]) -> tuple[int, str]:
    return (_PLACE[key[0]], key[1] or "")


@attrs.frozen
class Ledger:
    """An append-only list of :class:`LedgerEntry` in one currency; balances are derived on request.

    Args:
        currency: The ledger's currency.
        entries: The entries, in the order they were appended; keys are unique.

    .. versionadded:: 0.1
    """

    currency: str = attrs.field(default=DEFAULT_CURRENCY, validator=_check_currency)
    entries: tuple[LedgerEntry, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_check_entries)

    # -- growing ---------------------------------------------------------------------------------------

    def append(self, entries: Iterable[LedgerEntry]) -> Ledger:
        """Return the ledger with *entries* appended; entries it already holds (same key, same content) are skipped.

        Raises:
            PolicyError: An entry has the key of a held entry but different content (a conflicting replay).
            InvalidValueError: An entry is not a :class:`LedgerEntry` or is in another currency.
        """
        given: object = entries
        if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
            raise InvalidValueError("Ledger.append.entries", entries, "must be an iterable of LedgerEntry")
        held = {entry.key: entry for entry in self.entries}
        new: list[LedgerEntry] = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, LedgerEntry):
                raise InvalidValueError(f"Ledger.append.entries[{i}]", entry, "must be a LedgerEntry")
            same = held.get(entry.key)
            if same is not None:
                if same != entry:
                    raise PolicyError(
                        f"Ledger.append.entries[{i}]",
                        entry.key,
                        "conflicts with a held entry (the ledger is append-only: post a correction)",
                    )
                continue
            held[entry.key] = entry
            new.append(entry)
        if not new:
            return self
        return attrs.evolve(self, entries=(*self.entries, *new))

    def record(self, order: Order, profile: PlatformProfile) -> Ledger:
        """Append the entries *order* implies (:func:`entries_for`) that the ledger does not hold yet."""
        return self.append(entries_for(order, profile))

    def record_all(self, orders: Iterable[Order], profile: PlatformProfile) -> Ledger:
        """:meth:`record` for many orders at once (one copy of the ledger instead of one per order)."""
        return self.append(entry for order in orders for entry in entries_for(order, profile))

    # -- reading ---------------------------------------------------------------------------------------

    def select(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        kind: EntryKind | None = None,
        order_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> tuple[LedgerEntry, ...]:
        """The entries matching every filter given (*start* inclusive, *end* exclusive, on ``at``).

        *party* and *kind* may be given as members or as their text (``"influencer"``, ``"settled"``).

        Raises:
            InvalidValueError: A party or kind that is neither, or a naive *start* or *end*.
        """
        party = _optional_member(Party, party, "Ledger.select.party")
        kind = _optional_member(EntryKind, kind, "Ledger.select.kind")
        if start is not None:
            v.require_aware(start, "Ledger.select.start")
        if end is not None:
            v.require_aware(end, "Ledger.select.end")
        return self._select(party, payee_id, None if kind is None else {kind}, order_id, start, end)

    def _select(  # noqa: PLR0917 - private: the filters of select, positionally
        self,
        party: Party | None,
        payee_id: str | None,
        kinds: frozenset[EntryKind] | set[EntryKind] | None,
        order_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> tuple[LedgerEntry, ...]:
        return tuple(
            e
            for e in self.entries
            if (party is None or e.party is party)
            and (payee_id is None or e.payee_id == payee_id)
            and (kinds is None or e.kind in kinds)
            and (order_id is None or e.order_id == order_id)
            and (start is None or e.at >= start)
            and (end is None or e.at < end)
        )

    def _sum(self, entries: Iterable[LedgerEntry]) -> Money:
        return sum((e.amount for e in entries), Money.zero(self.currency))

    def balance(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        kind: EntryKind | None = None,
        order_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Money:
        """The sum of the entries matching the filters (see :meth:`select`).

        Without a *kind*, the party's position: pending plus earned money (:data:`MONEY_KINDS`), never a reserve
        hold; give ``kind=EntryKind.RESERVE`` for the holds.
        """
        selected = self.select(party, payee_id=payee_id, kind=kind, order_id=order_id, start=start, end=end)
        return self._sum(e for e in selected if kind is not None or e.kind in MONEY_KINDS)

    def pending(self, party: Party | None = None, *, payee_id: str | None = None) -> Money:
        """What is estimated and not settled yet (the ``ESTIMATED`` entries)."""
        party = _optional_member(Party, party, "Ledger.pending.party")
        return self._sum(self._select(party, payee_id, {EntryKind.ESTIMATED}))

    def earned(
        self, party: Party | None = None, *, payee_id: str | None = None, as_of: datetime | None = None
    ) -> Money:
        """Settled money net of clawbacks (the ``SETTLED`` and ``CLAWBACK`` entries), up to *as_of* if given.

        Reserve holds are not subtracted: see :meth:`available`.
        """
        party = _optional_member(Party, party, "Ledger.earned.party")
        end = None if as_of is None else v.require_aware(as_of, "Ledger.earned.as_of")
        return self._sum(e for e in self._select(party, payee_id, EARNED_KINDS) if end is None or e.at <= end)

    def clawed_back(self, party: Party | None = None, *, payee_id: str | None = None) -> Money:
        """The clawbacks alone (negative for a party giving money back after a refund that followed settlement)."""
        party = _optional_member(Party, party, "Ledger.clawed_back.party")
        return self._sum(self._select(party, payee_id, {EntryKind.CLAWBACK}))

    def balances(
        self, *, kind: EntryKind | None = None, start: datetime | None = None, end: datetime | None = None
    ) -> dict[tuple[Party, str | None], Money]:
        """The balance of every (party, payee) with entries matching the filters, in :class:`Party` order.

        Without a *kind*, each party's position (pending plus earned, no reserve holds), as :meth:`balance`.
        """
        totals: dict[tuple[Party, str | None], Money] = {}
        for e in self.select(kind=kind, start=start, end=end):
            if kind is None and e.kind not in MONEY_KINDS:
                continue
            key = (e.party, e.payee_id)
            totals[key] = totals.get(key, Money.zero(self.currency)) + e.amount
        return dict(sorted(totals.items(), key=lambda item: _key_order(item[0])))

    def by_period(
        self,
        period: Period,
        *,
        party: Party | None = None,
        payee_id: str | None = None,
        kind: EntryKind | None = None,
        tz: timezone = timezone(timedelta(hours=8)),
    ) -> dict[date, Money]:
        """The balance per *period* (keyed by its first day in *tz*, China Standard Time by default), oldest first.

        Without a *kind*, the position per period (pending plus earned, no reserve holds), as :meth:`balance`.
        """
        period = _member(Period, period, "Ledger.by_period.period")
        if not isinstance(tz, tzinfo):
            raise InvalidValueError("Ledger.by_period.tz", tz, "must be a timezone")
        totals: dict[date, Money] = {}
        for e in self.select(party, payee_id=payee_id, kind=kind):
            if kind is None and e.kind not in MONEY_KINDS:
                continue
            key = period.start(e.at, tz)
            totals[key] = totals.get(key, Money.zero(self.currency)) + e.amount
        return dict(sorted(totals.items()))

    def reserved(self, party: Party | None = None, *, payee_id: str | None = None, as_of: datetime) -> Money:
        """What reserve holds keep back at *as_of* (holds with ``at <= as_of < until``)."""
        moment = v.require_aware(as_of, "Ledger.reserved.as_of")
        return self._sum(e for e in self.select(party, payee_id=payee_id, kind=EntryKind.RESERVE) if e.held_at(moment))

    def available(self, party: Party | None = None, *, payee_id: str | None = None, as_of: datetime) -> Money:
        """Settled money net of clawbacks up to *as_of*, less what reserve holds keep back at *as_of*."""
        moment = v.require_aware(as_of, "Ledger.available.as_of")
        return self.earned(party, payee_id=payee_id, as_of=moment) - self.reserved(
            party, payee_id=payee_id, as_of=moment
        )
