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
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final, TypeVar

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import DEFAULT_CURRENCY, Money
from fenxiao.settlement.orders import PAID_EVENT_ID, Order, OrderEventKind
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party, history

__all__ = ["EARNED_KINDS", "MONEY_KINDS", "EntryKey", "EntryKind", "Ledger", "LedgerEntry", "Period", "entries_for"]


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
    due = order.settlement_due(profile)
    if due is not None and at < due:
        days = profile.settlement_days.for_level(order.service_level)
        raise PolicyError(
            f"Order[{order.id}].events.settled.at",
            at,
            f"is before the settlement date {due.isoformat()} (receipt + {days} days under profile {profile.name!r})",
        )


@checks_arguments
def entries_for(order: Order, profile: PlatformProfile) -> tuple[LedgerEntry, ...]:
    """Every ledger entry *order*'s payment and events imply under *profile* (see the module docs).

    Zero amounts are left out. The result depends only on the order and the profile, which is what makes
    :meth:`Ledger.record` idempotent.

    Raises:
        PolicyError: A settled event earlier than the profile's settlement date (receipt + the days for the
            merchant's service level), however the event was added (``Order.settle`` checks it too, but
            ``Order.apply`` cannot: it does not know the profile).
    """
    if not isinstance(order, Order):
        raise InvalidValueError("entries_for.order", order, "must be an Order")
    if not isinstance(profile, PlatformProfile):
        raise InvalidValueError("entries_for.profile", profile, "must be a PlatformProfile")
    entries: list[LedgerEntry] = []
    previous: dict[tuple[Party, str | None], Money] = {}
    holds: dict[tuple[Party, str | None], tuple[Money, datetime]] = {}
    settled = False

    def add(event_id: str, kind: EntryKind, key: tuple[Party, str | None], amount: Money, at: datetime) -> None:
        if amount:
            entries.append(LedgerEntry(order.id, event_id, kind, key[0], amount, at, key[1]))

    def hold(event_id: str, key: tuple[Party, str | None], earned: Money, at: datetime, until: datetime) -> None:
        # The hold tracks the commission still earned, so a clawback releases its share of the reserve.
        zero = Money.zero(earned.currency)
        target = earned.times(profile.reserve_rate, rounding=profile.rounding) if earned.fen > 0 else zero
        held = holds[key][0] if key in holds else zero
        if target != held:
            entries.append(LedgerEntry(order.id, event_id, EntryKind.RESERVE, key[0], target - held, at, key[1], until))
            holds[key] = (target, until)

    for event, lines in history(order, profile):
        event_id = PAID_EVENT_ID if event is None else event.id
        at = order.paid_at if event is None else event.at
        current = {(line.party, line.payee_id): line.amount for line in lines.lines}
        zero = Money.zero(order.paid.currency)
        if event is not None and event.kind is OrderEventKind.SETTLED:
            _check_due(order, profile, event.at)
            for key, amount in previous.items():
                add(event_id, EntryKind.ESTIMATED, key, -amount, at)
            for key, amount in current.items():
                add(event_id, EntryKind.SETTLED, key, amount, at)
                if key[0].earns_commission:
                    hold(event_id, key, amount, at, at + timedelta(days=profile.reserve_days))
            settled = True
        elif event is not None and event.kind is OrderEventKind.INVALIDATED:
            for key, amount in previous.items():
                add(event_id, EntryKind.ESTIMATED, key, -amount, at)
            current = {}
        else:
            kind = EntryKind.CLAWBACK if settled else EntryKind.ESTIMATED
            for key in sorted(previous.keys() | current.keys(), key=_key_order):
                add(event_id, kind, key, current.get(key, zero) - previous.get(key, zero), at)
                if settled and key in holds and at < holds[key][1]:
                    hold(event_id, key, current.get(key, zero), at, holds[key][1])
        previous = current
    return tuple(entries)


def _key_order(key: tuple[Party, str | None]) -> tuple[int, str]:
    return (list(Party).index(key[0]), key[1] or "")


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
