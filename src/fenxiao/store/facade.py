"""The simple way in: :func:`open_store` opens (and creates or migrates) a database and returns a :class:`Store`,
whose methods each run in a transaction of their own.

For a backend that commits fenxiao's rows together with its own, use the repositories directly inside its
transaction (``OrderEvents(conn).ingest(...)``, ``LedgerEntries(conn).balance(...)``, ...); :meth:`Store.begin`
gives such a transaction on the store's engine.

>>> import tempfile, pathlib
>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.money import Money, Rate
>>> from fenxiao.settlement.orders import Order, OrderTerms
>>> from fenxiao.settlement.splits import Party
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> t = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
>>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
>>> with open_store(f"sqlite:///{folder}/shop.db") as store:
...     store.ingest([order])
...     str(store.balance(Party.INFLUENCER))
IngestReport(received=1, orders=1, events=0, duplicates=0, entries=3)
'¥20.00'

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Final

from sqlalchemy.engine import URL, Connection, Engine

from fenxiao._internal import validators as v
from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import SpendEntry
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.money import DEFAULT_CURRENCY, Money
from fenxiao.periods.report import PeriodReport
from fenxiao.periods.state import ProgramState
from fenxiao.settlement.ledger import EntryKind, Ledger, OrderEntries
from fenxiao.settlement.orders import Order
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import Party
from fenxiao.store.budgets import BudgetSpend
from fenxiao.store.engine import create_engine
from fenxiao.store.ledger import LedgerEntries
from fenxiao.store.migrate import check_schema, upgrade
from fenxiao.store.orders import IngestReport, OrderEvents, StreamItem
from fenxiao.store.programs import ProgramStates

__all__ = ["DEFAULT_BATCH", "Store", "open_store"]

#: Items per transaction in :meth:`Store.ingest`.
DEFAULT_BATCH: Final = 1000


class Store:
    """A database opened for fenxiao (see :func:`open_store`); each method runs in a transaction of its own.

    Args:
        engine: The engine (from :func:`fenxiao.store.create_engine`).
        profile: The platform profile that derives ledger entries from orders (the default profile if ``None``).
    """

    def __init__(self, engine: Engine, *, profile: PlatformProfile | None = None) -> None:
        self.engine = engine
        self.profile = profile if profile is not None else PlatformProfile.default()

    # -- transactions ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed when the block ends (rolled back if it raises)."""
        with self.engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction (on SQLite it does not take the write lock)."""
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_begin="DEFERRED")
            with conn.begin():
                yield conn

    # -- orders and the ledger -------------------------------------------------------------------------

    def ingest(
        self, items: Iterable[StreamItem], *, batch_size: int = DEFAULT_BATCH, labels: Sequence[str] | None = None
    ) -> IngestReport:
        """Ingest a stream of payments and events (see :meth:`OrderEvents.ingest
        <fenxiao.store.orders.OrderEvents.ingest>`), committing every *batch_size* items; *labels* name the items
        in errors (``items[i]`` by default).

        A failure rolls back its batch only: the batches before it stay committed, and ingesting the stream again
        after the fix adds exactly what is missing.
        """
        size = v.require_int(batch_size, "Store.ingest.batch_size", 1, 10**7)
        listed = list(items)
        names = list(labels) if labels is not None else [f"items[{i}]" for i in range(len(listed))]
        if len(names) != len(listed):
            raise InvalidValueError("Store.ingest.labels", len(names), f"must name all {len(listed)} items")
        total = IngestReport(0, 0, 0, 0, 0)
        known: dict[str, OrderEntries] = {}  # the orders this call committed (forgotten when a batch fails)
        for start in range(0, len(listed), size):
            try:
                with self.begin() as conn:
                    batch = listed[start : start + size]
                    events = OrderEvents(conn, self.profile, known=known)
                    total += events.ingest(batch, labels=names[start : start + size])
            except BaseException:
                known.clear()
                raise
        return total

    def orders(self) -> tuple[Order, ...]:
        """Every order with its events, by id."""
        with self.read() as conn:
            return OrderEvents(conn, self.profile).load_many()

    def balance(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        kind: EntryKind | None = None,
        currency: str = DEFAULT_CURRENCY,
        **filters: Any,
    ) -> Money:
        """The ledger balance matching the filters (:meth:`LedgerEntries.balance
        <fenxiao.store.ledger.LedgerEntries.balance>`: also *order_id*, *start*, *end*)."""
        with self.read() as conn:
            return LedgerEntries(conn).balance(party, payee_id=payee_id, kind=kind, currency=currency, **filters)

    def balances(
        self, *, kind: EntryKind | None = None, currency: str = DEFAULT_CURRENCY, **filters: datetime | None
    ) -> dict[tuple[Party, str | None], Money]:
        """The balance of every (party, payee) (:meth:`LedgerEntries.balances
        <fenxiao.store.ledger.LedgerEntries.balances>`: also *start*, *end*)."""
        with self.read() as conn:
            return LedgerEntries(conn).balances(kind=kind, currency=currency, **filters)

    def pending(
        self, party: Party | None = None, *, payee_id: str | None = None, currency: str = DEFAULT_CURRENCY
    ) -> Money:
        """What is estimated and not settled yet (see :mod:`fenxiao.store.ledger`)."""
        with self.read() as conn:
            return LedgerEntries(conn).pending(party, payee_id=payee_id, currency=currency)

    def earned(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        as_of: datetime | None = None,
        currency: str = DEFAULT_CURRENCY,
    ) -> Money:
        """Settled money net of clawbacks (:meth:`LedgerEntries.earned <fenxiao.store.ledger.LedgerEntries.earned>`)."""
        with self.read() as conn:
            return LedgerEntries(conn).earned(party, payee_id=payee_id, as_of=as_of, currency=currency)

    def clawed_back(
        self, party: Party | None = None, *, payee_id: str | None = None, currency: str = DEFAULT_CURRENCY
    ) -> Money:
        """The clawbacks alone (:meth:`LedgerEntries.clawed_back <fenxiao.store.ledger.LedgerEntries.clawed_back>`)."""
        with self.read() as conn:
            return LedgerEntries(conn).clawed_back(party, payee_id=payee_id, currency=currency)

    def reserved(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        as_of: datetime,
        currency: str = DEFAULT_CURRENCY,
    ) -> Money:
        """What reserve holds keep back at *as_of* (see :mod:`fenxiao.store.ledger`)."""
        with self.read() as conn:
            return LedgerEntries(conn).reserved(party, payee_id=payee_id, as_of=as_of, currency=currency)

    def available(
        self,
        party: Party | None = None,
        *,
        payee_id: str | None = None,
        as_of: datetime,
        currency: str = DEFAULT_CURRENCY,
    ) -> Money:
        """Earned less what holds keep back at *as_of* (see :mod:`fenxiao.store.ledger`)."""
        with self.read() as conn:
            return LedgerEntries(conn).available(party, payee_id=payee_id, as_of=as_of, currency=currency)

    def ledger(self, currency: str = DEFAULT_CURRENCY) -> Ledger:
        """Every entry in *currency* as an in-memory :class:`~fenxiao.settlement.ledger.Ledger`."""
        with self.read() as conn:
            return LedgerEntries(conn).ledger(currency)

    # -- the program -----------------------------------------------------------------------------------

    def save_period(self, state: ProgramState, report: PeriodReport | None = None) -> None:
        """Save the program's *state* after a period, and that period's *report*, in one transaction.

        Raises:
            InvalidValueError: *report*'s period is not the last period of *state*.
            PolicyError: *state* does not extend the saved state (see :meth:`ProgramStates.save
            <fenxiao.store.programs.ProgramStates.save>`).
        """
        if report is not None and (not state.periods or state.periods[-1] != report.period):
            last = state.periods[-1] if state.periods else None
            raise InvalidValueError(
                "Store.save_period.report.period", report.period, f"must be the state's last period ({last})"
            )
        with self.begin() as conn:
            states = ProgramStates(conn)
            states.save(state)
            if report is not None:
                states.save_report(report)

    def load_state(self) -> ProgramState:
        """The program's saved state (empty if none was saved)."""
        with self.read() as conn:
            return ProgramStates(conn).load()

    def load_report(self, period: str) -> PeriodReport | None:
        """The report saved for *period*, or ``None``."""
        with self.read() as conn:
            return ProgramStates(conn).load_report(period)

    # -- budgets ---------------------------------------------------------------------------------------

    def define_budget(self, budget: SubsidyBudget) -> None:
        """Set a subsidy budget's total (see :meth:`BudgetSpend.define <fenxiao.store.budgets.BudgetSpend.define>`)."""
        with self.begin() as conn:
            BudgetSpend(conn).define(budget)

    def reserve(self, entry: SpendEntry, *, partial: bool = False) -> SpendEntry | None:
        """Reserve a subsidy grant, never overspending (see :meth:`BudgetSpend.reserve
        <fenxiao.store.budgets.BudgetSpend.reserve>`)."""
        with self.begin() as conn:
            return BudgetSpend(conn).reserve(entry, partial=partial)

    # -- closing ---------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the engine's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def open_store(url: str | URL, *, create: bool = True, profile: PlatformProfile | None = None, **options: Any) -> Store:
    """Open the database at *url* (``sqlite:///path.db`` or ``postgresql://...``) as a :class:`Store`.

    Args:
        url: The database URL.
        create: Create the tables of an empty database and migrate an older one (the default); with ``False``
            the schema must be at the latest revision already.
        profile: The platform profile that derives ledger entries (the default profile if ``None``).
        options: Passed to SQLAlchemy's ``create_engine``.

    Raises:
        SchemaVersionError: The database's schema is newer than this fenxiao knows (or, with ``create=False``,
            absent or older).
        InvalidValueError: *url* is not an SQLite or PostgreSQL URL.
    """
    engine = create_engine(url, **options)
    try:
        with engine.begin() as conn:
            if create:
                upgrade(conn)
            else:
                check_schema(conn)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, profile=profile)
