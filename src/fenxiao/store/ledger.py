"""The ledger in the database: :class:`LedgerEntries`, balances summed by the database, exact to the fen.

The rows are those :meth:`OrderEvents.ingest <fenxiao.store.orders.OrderEvents.ingest>` appends (and any
correction appended with :meth:`LedgerEntries.append`); every query takes the same filters as
:meth:`Ledger.select <fenxiao.settlement.ledger.Ledger.select>` and gives what the in-memory
:class:`~fenxiao.settlement.ledger.Ledger` holding the same entries gives. Sums are ``SUM`` of ``BIGINT`` fen
columns (exact on both databases; PostgreSQL returns them as NUMERIC, read back as integers).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fenxiao._internal import validators as v
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import DEFAULT_CURRENCY, Money
from fenxiao.settlement.ledger import EARNED_KINDS, MONEY_KINDS, EntryKey, EntryKind, Ledger, LedgerEntry
from fenxiao.settlement.splits import Party
from fenxiao.store._sql import chunks, enum_of, moment, optional_moment, require_member, to_fen, utc_of
from fenxiao.store.orders import entry_row
from fenxiao.store.schema import LEDGER_ENTRIES

__all__ = ["LedgerEntries", "entry_from_row"]

_T = LEDGER_ENTRIES.c


def entry_from_row(row: Mapping[Any, Any]) -> LedgerEntry:
    """The :class:`~fenxiao.settlement.ledger.LedgerEntry` a ``ledger_entries`` row holds.

    Raises:
        InvalidValueError: The row holds a kind or party this fenxiao does not know.
    """
    path = f"ledger_entries[{row['id']}]" if "id" in row else "ledger_entries"
    return LedgerEntry(
        order_id=row["order_id"],
        event_id=row["event_id"],
        kind=enum_of(EntryKind, row["kind"], f"{path}.kind"),
        party=enum_of(Party, row["party"], f"{path}.party"),
        amount=Money(row["amount_fen"], row["currency"]),
        at=moment(row["at"], row["at_offset"]),
        payee_id=row["payee_id"] or None,
        until=optional_moment(row["until"], row["until_offset"]),
        note=row["note"],
    )


def _key_order(key: tuple[Party, str | None]) -> tuple[int, str]:
    return (list(Party).index(key[0]), key[1] or "")


class LedgerEntries:
    """The ledger entries in the database behind *conn* (within its transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- filters ---------------------------------------------------------------------------------------

    def _where(
        self,
        party: Party | None,
        payee_id: str | None,
        kind: EntryKind | None,
        order_id: str | None,
        start: datetime | None,
        end: datetime | None,
        currency: str | None,
    ) -> list[sa.ColumnElement[bool]]:
        clauses: list[sa.ColumnElement[bool]] = []
        if party is not None:
            clauses.append(_T.party == require_member(party, Party, "LedgerEntries.party").value)
        if payee_id is not None:
            clauses.append(_T.payee_id == payee_id)
        if kind is not None:
            clauses.append(_T.kind == require_member(kind, EntryKind, "LedgerEntries.kind").value)
        if order_id is not None:
            clauses.append(_T.order_id == order_id)
        if start is not None:
            clauses.append(_T.at >= utc_of(v.require_aware(start, "LedgerEntries.start"), "LedgerEntries.start"))
        if end is not None:
            clauses.append(_T.at < utc_of(v.require_aware(end, "LedgerEntries.end"), "LedgerEntries.end"))
        if currency is not None:
            clauses.append(_T.currency == currency)
        return clauses

    def _sum(self, clauses: Iterable[sa.ColumnElement[bool]], currency: str, path: str) -> Money:
        query = sa.select(sa.func.sum(_T.amount_fen)).where(*clauses, _T.currency == currency)
        try:
            total = self.conn.execute(query).scalar_one()
        except sa.exc.DBAPIError as exc:
            if "overflow" in str(exc.orig).lower():
                raise InvalidValueError(path, currency, "is beyond the largest amount a sum can hold") from None
            raise
        return Money(to_fen(total, path), currency)

    # -- writing ---------------------------------------------------------------------------------------

    def append(self, entries: Iterable[LedgerEntry]) -> int:
        """Append *entries* (corrections, manual postings) the database does not hold; how many were new.

        Raises:
            PolicyError: An entry has the key of a held entry but different content (the ledger is append-only:
                post a correction).
            InvalidValueError: An entry is not a :class:`~fenxiao.settlement.ledger.LedgerEntry`.
        """
        given: dict[EntryKey, tuple[int, LedgerEntry]] = {}
        for i, entry in enumerate(entries):
            if not isinstance(entry, LedgerEntry):
                raise InvalidValueError(f"LedgerEntries.append.entries[{i}]", entry, "must be a LedgerEntry")
            same = given.get(entry.key)
            if same is not None and not _identical(same[1], entry):
                raise PolicyError(f"LedgerEntries.append.entries[{i}]", entry.key, "repeats a key with other content")
            given.setdefault(entry.key, (i, entry))
        held = self._held({key[0] for key in given})
        new = []
        for key, (i, entry) in given.items():
            stored = held.get(key)
            if stored is None:
                new.append(entry_row(entry, f"LedgerEntries.append.entries[{i}]"))
            elif not _identical(stored, entry):
                raise PolicyError(
                    f"LedgerEntries.append.entries[{i}]",
                    key,
                    "conflicts with a held entry (the ledger is append-only: post a correction)",
                )
        if new:
            self.conn.execute(LEDGER_ENTRIES.insert(), new)
        return len(new)

    def _held(self, order_ids: Iterable[str]) -> dict[EntryKey, LedgerEntry]:
        held: dict[EntryKey, LedgerEntry] = {}
        for part in chunks(sorted(order_ids)):
            for row in self.conn.execute(sa.select(LEDGER_ENTRIES).where(_T.order_id.in_(part))).mappings():
                entry = entry_from_row(row)
                held[entry.key] = entry
        return held

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
        currency: str | None = None,
    ) -> tuple[LedgerEntry, ...]:
        """The entries matching every filter given, in the order they were appended (*start* inclusive, *end*
        exclusive, on ``at``; *currency* ``None``: any)."""
        clauses = self._where(party, payee_id, kind, order_id, start, end, currency)
        query = sa.select(LEDGER_ENTRIES).where(*clauses).order_by(_T.id)
        return tuple(entry_from_row(row) for row in self.conn.execute(query).mappings())

    def ledger(self, currency: str = DEFAULT_CURRENCY) -> Ledger:
        """Every entry in *currency* as an in-memory :class:`~fenxiao.settlement.ledger.Ledger` (append order)."""
        return Ledger(currency=currency, entries=self.select(currency=currency))

    def count(self) -> int:
        """How many entries the database holds."""
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(LEDGER_ENTRIES)).scalar_one())

    def balance(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        kind: EntryKind | None = None,
        order_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        currency: str = DEFAULT_CURRENCY,
    ) -> Money:
        """The sum of the entries in *currency* matching the filters (see :meth:`select`); without a *kind*, the
        position (pending plus earned, no reserve holds), as :meth:`Ledger.balance
        <fenxiao.settlement.ledger.Ledger.balance>`."""
        clauses = self._where(party, payee_id, kind, order_id, start, end, None)
        if kind is None:
            clauses.append(_T.kind.in_([k.value for k in MONEY_KINDS]))
        return self._sum(clauses, currency, "LedgerEntries.balance")

    def pending(
        self, party: Party | None = None, *, payee_id: str | None = None, currency: str = DEFAULT_CURRENCY
    ) -> Money:
        """What is estimated and not settled yet, as :meth:`fenxiao.settlement.ledger.Ledger.pending`."""
        clauses = self._where(party, payee_id, EntryKind.ESTIMATED, None, None, None, None)
        return self._sum(clauses, currency, "LedgerEntries.pending")

    def earned(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        as_of: datetime | None = None,
        currency: str = DEFAULT_CURRENCY,
    ) -> Money:
        """Settled money net of clawbacks (up to *as_of* if given), as :meth:`Ledger.earned
        <fenxiao.settlement.ledger.Ledger.earned>`."""
        clauses = self._where(party, payee_id, None, None, None, None, None)
        clauses.append(_T.kind.in_([k.value for k in EARNED_KINDS]))
        if as_of is not None:
            clauses.append(
                _T.at <= utc_of(v.require_aware(as_of, "LedgerEntries.earned.as_of"), "LedgerEntries.earned.as_of")
            )
        return self._sum(clauses, currency, "LedgerEntries.earned")

    def clawed_back(
        self, party: Party | None = None, *, payee_id: str | None = None, currency: str = DEFAULT_CURRENCY
    ) -> Money:
        """The clawbacks alone, as :meth:`Ledger.clawed_back <fenxiao.settlement.ledger.Ledger.clawed_back>`."""
        clauses = self._where(party, payee_id, EntryKind.CLAWBACK, None, None, None, None)
        return self._sum(clauses, currency, "LedgerEntries.clawed_back")

    def balances(
        self,
        *,
        kind: EntryKind | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        currency: str = DEFAULT_CURRENCY,
    ) -> dict[tuple[Party, str | None], Money]:
        """The balance of every (party, payee) with entries in *currency* matching the filters, in
        :class:`~fenxiao.settlement.splits.Party` order, as :meth:`Ledger.balances
        <fenxiao.settlement.ledger.Ledger.balances>` gives it."""
        clauses = self._where(None, None, kind, None, start, end, currency)
        if kind is None:
            clauses.append(_T.kind.in_([k.value for k in MONEY_KINDS]))
        query = (
            sa.select(_T.party, _T.payee_id, sa.func.sum(_T.amount_fen)).where(*clauses).group_by(_T.party, _T.payee_id)
        )
        totals: dict[tuple[Party, str | None], Money] = {}
        for party, payee, total in self.conn.execute(query):
            key = (enum_of(Party, party, "ledger_entries.party"), payee or None)
            totals[key] = Money(to_fen(total, "LedgerEntries.balances"), currency)
        return dict(sorted(totals.items(), key=lambda item: _key_order(item[0])))

    def reserved(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        as_of: datetime,
        currency: str = DEFAULT_CURRENCY,
    ) -> Money:
        """What reserve holds keep back at *as_of* (holds with ``at <= as_of < until``), as
        :meth:`Ledger.reserved <fenxiao.settlement.ledger.Ledger.reserved>`."""
        moment_ = utc_of(v.require_aware(as_of, "LedgerEntries.reserved.as_of"), "LedgerEntries.reserved.as_of")
        clauses = self._where(party, payee_id, EntryKind.RESERVE, None, None, None, None)
        clauses += [_T.at <= moment_, _T.until > moment_]
        return self._sum(clauses, currency, "LedgerEntries.reserved")

    def available(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        as_of: datetime,
        currency: str = DEFAULT_CURRENCY,
    ) -> Money:
        """Settled money net of clawbacks up to *as_of*, less what reserve holds keep back at *as_of*, as
        :meth:`Ledger.available <fenxiao.settlement.ledger.Ledger.available>`."""
        v.require_aware(as_of, "LedgerEntries.available.as_of")
        earned = self.earned(party, payee_id=payee_id, as_of=as_of, currency=currency)
        return earned - self.reserved(party, payee_id=payee_id, as_of=as_of, currency=currency)


def _identical(a: LedgerEntry, b: LedgerEntry) -> bool:
    """Equal, and written with the same offsets (datetimes compare equal across offsets)."""
    offsets = (a.at.utcoffset(), a.until.utcoffset() if a.until is not None else None)
    return a == b and offsets == (b.at.utcoffset(), b.until.utcoffset() if b.until is not None else None)
