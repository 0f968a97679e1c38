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
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

import attrs

from fenxiao.cli.common import render_table, whole_number, write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError, MissingExtraError
from fenxiao.money import DEFAULT_CURRENCY, Money
from fenxiao.sample import generate_orders
from fenxiao.settlement.ledger import EntryKind, Ledger
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party

if TYPE_CHECKING:
    from fenxiao.store.facade import Store
    from fenxiao.store.orders import IngestReport

__all__ = ["GROUP", "database_url", "demo_data", "demo_section", "register"]

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
    try:
        lines = load_stream(path)
    except InvalidValueError as exc:
        raise exc.at("EVENTS.jsonl") if exc.path == "load_stream.path" else exc from None
    with _open(database_url(args.db), create=True, profile=_PROFILES[args.profile]()) as store:
        report = store.ingest(
            [item for _, item in lines], batch_size=args.batch_size, labels=[f"{path.name}:{n}" for n, _ in lines]
        )
    if args.json:
        write_json(out, _report_json(report))
        return 0
    out.write(
        f"Ingested {path.name}: {report.received} events read, {report.orders} new orders, "
        f"{report.events} new events, {report.duplicates} already held, {report.entries} ledger entries added.\n"
    )
    return 0


def _report_json(report: IngestReport) -> dict[str, int]:
    return {
        "lines": report.received,
        "orders": report.orders,
        "events": report.events,
        "duplicates": report.duplicates,
        "entries": report.entries,
    }


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
    ledger = add_command(
        sub,
        "ledger",
        help="persist order events in a database and read ledger balances",
        description="Persist order events in SQLite or PostgreSQL and read the ledger's balances (needs fenxiao[sql]).",
        example=[
            "python -m fenxiao ledger ingest events.jsonl --db shop.db",
            "python -m fenxiao ledger balance --db shop.db --party influencer --json",
        ],
    )
    commands = ledger.add_subparsers(
        dest="ledger_command", required=True, metavar="COMMAND", help="ingest or balance, each with its --help"
    )
    ingest = add_command(
        commands,
        "ingest",
        help="ingest a JSON Lines file of order events (idempotent)",
        description="Record the payments and events of EVENTS (JSON Lines, one event per line) and their ledger "
        "entries; events already held are skipped.",
        example="python -m fenxiao ledger ingest events.jsonl --db sqlite:///shop.db --json",
    )
    ingest.add_argument("events", metavar="EVENTS.jsonl", help="the events, one JSON object per line")
    ingest.add_argument(
        "--db", required=True, metavar="URL", help="the database: sqlite:///FILE, a file path, or postgresql://..."
    )
    ingest.add_argument("--profile", choices=sorted(_PROFILES), default="kuaishou", help="platform rules (kuaishou)")
    ingest.add_argument(
        "--batch-size", type=whole_number(1), default=1000, metavar="N", help="lines per transaction (1000)"
    )
    ingest.add_argument("--json", action="store_true", help="print what was ingested as one JSON object")
    ingest.set_defaults(func=_cmd_ingest)
    balance = add_command(
        commands,
        "balance",
        help="print the ledger's balance per party and payee",
        description="Print each (party, payee) balance of the ledger and their total.",
        example="python -m fenxiao ledger balance --db shop.db --kind settled --json",
    )
    balance.add_argument(
        "--db", required=True, metavar="URL", help="the database: sqlite:///FILE, a file path, or postgresql://..."
    )
    balance.add_argument("--party", help=f"only this party ({', '.join(p.value for p in Party)})")
    balance.add_argument("--payee", metavar="ID", help="only this payee id")
    balance.add_argument("--kind", help=f"only entries of this kind ({', '.join(k.value for k in EntryKind)})")
    balance.add_argument("--currency", default=DEFAULT_CURRENCY, help=f"the currency ({DEFAULT_CURRENCY})")
    balance.add_argument("--json", action="store_true", help="print one JSON object")
    balance.set_defaults(func=_cmd_balance)


@attrs.frozen
class _Demo:
    """What the demo's store part shows, computed once for its text and its data."""

    ingested: IngestReport
    again: IngestReport
    periods: tuple[str, ...]
    chosen: str
    effective: str
    below_count: int
    report_equal: bool
    per_party: dict[Party, tuple[int, Money]]
    ledger_equal: bool


def _demo(catalog: Catalog) -> _Demo | str:
    """The sample orders and two grading periods persisted in SQLite and read back (a reason when the sql extra is
    missing)."""
    try:
        from fenxiao.store.facade import open_store
    except MissingExtraError as exc:
        return f"The store (SQLite) is skipped: {exc}"
    from fenxiao.cli.periods import demo_periods

    orders = generate_orders(catalog, count=120)
    first, second, chosen = demo_periods(catalog)
    with tempfile.TemporaryDirectory(prefix="fenxiao-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        with open_store(url) as store:
            report = store.ingest(orders)
            store.save_period(first.state, first.report)
            store.save_period(second.state, second.report)
            profile = store.profile
        with open_store(url, create=False) as store:  # a new connection reads back what was committed
            stored = store.balances(kind=EntryKind.SETTLED)
            again = store.ingest(orders)
            state = store.load_state()
            week2 = store.load_report("week-2")
    in_memory = Ledger().record_all(orders, profile).balances(kind=EntryKind.SETTLED)
    per_party: dict[Party, tuple[int, Money]] = {}
    for (party, _), amount in stored.items():
        count, total = per_party.get(party, (0, Money.zero()))
        per_party[party] = (count + 1, total + amount)
    held = state.sku(chosen)
    return _Demo(
        ingested=report,
        again=again,
        periods=tuple(state.periods),
        chosen=chosen,
        effective=held.effective.value if held.effective is not None else "-",
        below_count=held.below_count,
        report_equal=week2 == second.report,
        per_party=per_party,
        ledger_equal=stored == in_memory,
    )


def demo_section(catalog: Catalog) -> str:
    """The demo's store part: the sample orders and two grading periods persisted in SQLite, read back."""
    demo = _demo(catalog)
    if isinstance(demo, str):
        return demo
    report, again = demo.ingested, demo.again
    rows = [[party.value, count, str(total)] for party, (count, total) in demo.per_party.items()]
    return "\n".join(
        [
            "The store: orders, the ledger and program state in SQLite (python -m fenxiao ledger ingest/balance)",
            "",
            f"{report.orders} orders with {report.events} events ingested ({report.entries} ledger entries); "
            f"ingested again: {again.duplicates} duplicates skipped, {again.entries} new entries.",
            f"Periods stored: {', '.join(demo.periods)}; {demo.chosen} read back at {demo.effective} with "
            f"{demo.below_count} low grade so far; the week-2 report reads back equal: {demo.report_equal}.",
            "",
            "Settled balances read back from the database:",
            "",
            render_table(["party", "payees", "settled"], rows, align="lrr"),
            "",
            f"Equal to the in-memory ledger of the same orders: {demo.ledger_equal}.",
        ]
    )


def demo_data(catalog: Catalog) -> dict[str, Any]:
    """The data of the demo's store part: what was ingested (twice), the periods stored, the settled balances per
    party read back, and whether they equal the in-memory ledger (``{"skipped": reason}`` without the sql extra)."""
    demo = _demo(catalog)
    if isinstance(demo, str):
        return {"skipped": demo}
    return {
        "ingested": _report_json(demo.ingested),
        "ingested_again": _report_json(demo.again),
        "periods": list(demo.periods),
        "held": {"sku_id": demo.chosen, "effective": demo.effective, "low_grades": demo.below_count},
        "report_reads_back_equal": demo.report_equal,
        "settled": [
            {"party": party.value, "payees": count, "amount": total.to_text()}
            for party, (count, total) in demo.per_party.items()
        ],
        "equal_to_in_memory_ledger": demo.ledger_equal,
    }


#: The ledger command group.
GROUP = CommandGroup("ledger", register, demo_section, demo_data)
