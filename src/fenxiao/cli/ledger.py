"""The ledger group: ``ledger ingest`` (a JSON Lines stream of order events into a database) and ``ledger balance``.

``python -m fenxiao ledger ingest EVENTS.jsonl --db URL`` records the payments and events of the file (one event per
line: see :mod:`fenxiao.store.stream` and ``docs/store.md``) in the database at URL (``sqlite:///shop.db``, a
plain file path, or ``postgresql://...``; created or migrated if needed), with the ledger entries they imply,
committing every ``--batch-size`` lines. Ingesting is idempotent: running it again, or on a longer file, adds only
what is new. A bad line is reported as ``FILE:LINE`` (every bad line of the file, before anything is written).

``python -m fenxiao ledger balance --db URL [--party PARTY] [--payee ID] [--kind KIND] [--json]`` prints each
(party, payee) balance as a table and their total; ``--json`` prints ``{"currency": "CNY", "kind": null,
"balances": [{"party": "influencer", "payee": "kol-1", "amount": "18.00"}, ...], "total": "..."}`` with amounts
as exact yuan strings, in the order of the parties in a split.

Both need the ``sql`` extra (``pip install 'fenxiao[sql]'``), loaded only when a ledger command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from fenxiao.cli.common import render_table, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.errors import InvalidValueError
from fenxiao.money import DEFAULT_CURRENCY, Money
from fenxiao.settlement.ledger import EntryKind
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party

if TYPE_CHECKING:
    from fenxiao.store.facade import Store

__all__ = ["GROUP", "database_url", "register"]

_PROFILES: Final = {
    "kuaishou": PlatformProfile.kuaishou,
    "default": PlatformProfile,
    "douyin": PlatformProfile.douyin,
}


def database_url(text: str) -> str:
    """The database URL of ``--db``: a URL as given, or a file path as an SQLite URL.

    >>> database_url("shop.db")
    'sqlite:///shop.db'
    >>> database_url("postgresql://shop@db/ledger")
    'postgresql://shop@db/ledger'
    """
    return text if "://" in text else f"sqlite:///{text}"


def _existing(url: str) -> str:
    """*url*, checked to name an SQLite file that exists (reading must not create an empty database)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix and not Path(url.removeprefix(prefix)).exists():
        raise InvalidValueError("--db", url, "names no database file (ingest events into it first)")
    return url


def _open(url: str, *, create: bool, profile: PlatformProfile | None = None) -> Store:
    # The store (SQLAlchemy, psycopg, Alembic: the sql extra) loads only when a ledger command runs.
    from fenxiao.store.facade import open_store

    return open_store(url, create=create, profile=profile)


def _cmd_ingest(args: argparse.Namespace, out: TextIO) -> int:
    from fenxiao.store.stream import load_stream

    path = Path(args.events)
    lines = load_stream(path)
    if args.batch_size < 1:
        raise InvalidValueError("--batch-size", args.batch_size, "must be at least 1")
    with _open(database_url(args.db), create=True, profile=_PROFILES[args.profile]()) as store:
        report = store.ingest(
            [item for _, item in lines], batch_size=args.batch_size, labels=[f"{path.name}:{n}" for n, _ in lines]
        )
    if args.json:
        write_json(
            out,
            {
                "lines": report.received,
                "orders": report.orders,
                "events": report.events,
                "duplicates": report.duplicates,
                "entries": report.entries,
            },
        )
        return 0
    out.write(
        f"Ingested {path.name}: {report.received} events read, {report.orders} new orders, "
        f"{report.events} new events, {report.duplicates} already held, {report.entries} ledger entries added.\n"
    )
    return 0


def _member(kind: type[Any], text: str | None, option: str) -> Any:
    if text is None:
        return None
    for member in kind:
        if member.value == text:
            return member
    allowed = ", ".join(m.value for m in kind)
    raise InvalidValueError(option, text, f"must be one of {allowed}")


def _cmd_balance(args: argparse.Namespace, out: TextIO) -> int:
    party: Party | None = _member(Party, args.party, "--party")
    kind: EntryKind | None = _member(EntryKind, args.kind, "--kind")
    currency = args.currency
    with _open(_existing(database_url(args.db)), create=False) as store:
        balances = store.balances(kind=kind, currency=currency)
    rows = [
        (p, payee, amount)
        for (p, payee), amount in balances.items()
        if (party is None or p is party) and (args.payee is None or payee == args.payee)
    ]
    total = sum((amount for _, _, amount in rows), Money.zero(currency))
    if args.json:
        write_json(
            out,
            {
                "currency": currency,
                "kind": kind.value if kind is not None else None,
                "balances": [{"party": p.value, "payee": payee, "amount": a.to_text()} for p, payee, a in rows],
                "total": total.to_text(),
            },
        )
        return 0
    table = [[f"{p.value} {p.label_zh}", payee or "", amount] for p, payee, amount in rows]
    table.append(["total 合计", "", total])
    what = f" ({kind.value} entries)" if kind is not None else ""
    out.write(
        f"Ledger balances{what}, {currency}:\n\n{render_table(['party', 'payee', 'balance'], table, align='llr')}\n"
    )
    return 0


def register(sub: Subparsers) -> None:
    """Add the ``ledger`` command and its sub-commands ``ingest`` and ``balance`` to *sub*."""
    ledger = sub.add_parser(
        "ledger",
        help="persist order events in a database and read ledger balances",
        description="Persist order events in SQLite or PostgreSQL and read the ledger's balances (needs fenxiao[sql]).",
    )
    commands = ledger.add_subparsers(dest="ledger_command", required=True, metavar="COMMAND")
    ingest = commands.add_parser(
        "ingest",
        help="ingest a JSON Lines file of order events (idempotent)",
        description="Record the payments and events of EVENTS (JSON Lines, one event per line) and their ledger "
        "entries; events already held are skipped.",
    )
    ingest.add_argument("events", metavar="EVENTS.jsonl", help="the events, one JSON object per line")
    ingest.add_argument("--db", required=True, help="the database: sqlite:///FILE, a file path, or postgresql://...")
    ingest.add_argument("--profile", choices=sorted(_PROFILES), default="kuaishou", help="platform rules (kuaishou)")
    ingest.add_argument("--batch-size", type=int, default=1000, help="lines per transaction (1000)")
    ingest.add_argument("--json", action="store_true", help="print what was ingested as one JSON object")
    ingest.set_defaults(func=_cmd_ingest)
    balance = commands.add_parser(
        "balance",
        help="print the ledger's balance per party and payee",
        description="Print each (party, payee) balance of the ledger and their total.",
    )
    balance.add_argument("--db", required=True, help="the database: sqlite:///FILE, a file path, or postgresql://...")
    balance.add_argument("--party", help=f"only this party ({', '.join(p.value for p in Party)})")
    balance.add_argument("--payee", help="only this payee id")
    balance.add_argument("--kind", help=f"only entries of this kind ({', '.join(k.value for k in EntryKind)})")
    balance.add_argument("--currency", default=DEFAULT_CURRENCY, help=f"the currency ({DEFAULT_CURRENCY})")
    balance.add_argument("--json", action="store_true", help="print one JSON object")
    balance.set_defaults(func=_cmd_balance)


#: The ledger command group.
GROUP = CommandGroup("ledger", register)
