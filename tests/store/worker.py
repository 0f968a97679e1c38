"""A writer process for the crash and concurrency tests: ``python -m tests.store.worker COMMAND URL ...``.

- ``ingest URL COUNT BATCH [--pause-in K]``: ingests the stream of the sample's first COUNT orders
  (:func:`stream`) in batches of BATCH items, one transaction each, printing ``committed K`` after each commit.
  With ``--pause-in K`` it writes the first half of batch K inside its transaction, prints ``writing K`` and
  waits there (for the test to kill it mid-batch).
- ``reserve URL PREFIX FIRST COUNT``: reserves COUNT grants (request ids ``req-FIRST`` ...) of 1,000 fen from budget
  ``PREFIX-all`` (all or nothing), of 1,300 fen from ``PREFIX-part`` (partial) and of 700 fen for SKU ``s-1`` from
  ``PREFIX-sku`` (all or nothing, a budget with a per-SKU cap), one transaction each, and prints the totals granted
  from each, in fen.

Every line is flushed at once, so that the test reads it as soon as it is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import cache

from fenxiao.grading.budgets import SpendEntry
from fenxiao.money import Money
from fenxiao.sample import generate_orders, load_sample
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.store.budgets import BudgetSpend
from fenxiao.store.engine import create_engine
from fenxiao.store.orders import OrderEvents, StreamItem
from fenxiao.store.stream import build_stream

#: The profile the sample's orders settle under, which derives their ledger entries.
PROFILE = PlatformProfile.kuaishou()


@cache
def orders(count: int) -> tuple[Order, ...]:
    """The sample catalog's first *count* seeded orders."""
    return generate_orders(load_sample(), count=count, profile=PROFILE)


def stream(count: int) -> tuple[StreamItem, ...]:
    """The stream of :func:`orders`: payments and events in time order."""
    return build_stream(orders(count))


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _ingest(url: str, count: int, batch: int, pause_in: int | None) -> None:
    engine = create_engine(url)
    items = stream(count)
    for k, start in enumerate(range(0, len(items), batch)):
        part = items[start : start + batch]
        with engine.begin() as conn:
            events = OrderEvents(conn, PROFILE)
            if k == pause_in:
                events.ingest(part[: len(part) // 2])
                _say(f"writing {k}")
                time.sleep(600)  # killed here, in the middle of the transaction
            events.ingest(part)
        _say(f"committed {k}")


#: The grants the reserve command asks for: budget suffix, amount in fen, partial (the ``sku`` budget has a per-SKU
#: cap, and every grant from it is for one SKU).
ASKS = (("all", 1_000, False), ("part", 1_300, True), ("sku", 700, False))


def _reserve(args: argparse.Namespace) -> None:
    engine = create_engine(args.url)
    at = datetime(2026, 11, 11, tzinfo=UTC)
    granted = dict.fromkeys((suffix for suffix, _, _ in ASKS), 0)
    for n in range(args.first, args.first + args.count):
        for suffix, amount, partial in ASKS:
            sku = "s-1" if suffix == "sku" else None
            entry = SpendEntry(
                f"req-{n}", f"{args.prefix}-{suffix}", Money(amount), at + timedelta(seconds=n), sku_id=sku
            )
            with engine.begin() as conn:
                got = BudgetSpend(conn).reserve(entry, partial=partial)
            granted[suffix] += got.amount.fen if got is not None else 0
    _say(" ".join(str(granted[suffix]) for suffix, _, _ in ASKS))


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="worker")
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest")
    ingest.add_argument("url")
    ingest.add_argument("count", type=int)
    ingest.add_argument("batch", type=int)
    ingest.add_argument("--pause-in", type=int)
    reserve = sub.add_parser("reserve")
    reserve.add_argument("url")
    reserve.add_argument("prefix")
    reserve.add_argument("first", type=int)
    reserve.add_argument("count", type=int)
    args = parser.parse_args()
    if args.command == "ingest":
        _ingest(args.url, args.count, args.batch, args.pause_in)
    else:
        _reserve(args)


if __name__ == "__main__":
    main()
