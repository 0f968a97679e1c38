"""What every repository shares (private): the column type of an instant, exact moments, enum columns, inserts
that skip duplicates, and sums that never pass through a float.

An instant is stored in two columns: ``X`` (the moment itself) and ``X_offset`` (its UTC offset in whole seconds).
``X`` is ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL and a ``BIGINT`` of microseconds since 1970-01-01 UTC on
SQLite, so both compare and sort by the instant; the offset column gives the datetime back as it was written
(a named zone such as ``Asia/Shanghai`` comes back as its fixed offset at that instant, ``+08:00``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, NoReturn, TypeAlias, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect

from fenxiao.errors import InvalidValueError

__all__ = [
    "Binder",
    "Instant",
    "chunks",
    "enum_of",
    "insert_ignoring_duplicates",
    "insert_rows",
    "insert_tuples",
    "instant_binder",
    "micros_of",
    "moment",
    "moment_columns",
    "offset_of",
    "optional_moment",
    "require_member",
    "stored_text",
    "to_fen",
    "utc_of",
]

E = TypeVar("E", bound=enum.Enum)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH: Final = datetime(1970, 1, 1)  # local wall time is built from it
_MICROSECOND: Final = timedelta(microseconds=1)


class Instant(sa.types.TypeDecorator[datetime]):
    """A moment: ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL, microseconds since the epoch (UTC) elsewhere.

    Binds take a timezone-aware datetime; results are datetimes in UTC (the ``_offset`` column restores the
    offset, see :func:`moment`).
    """

    impl = sa.BigInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        return dialect.type_descriptor(sa.BigInteger())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return value
        return micros_of(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return _EPOCH + timedelta(microseconds=int(value))


@lru_cache(maxsize=256)
def _zone(seconds: int) -> timezone:
    return UTC if seconds == 0 else timezone(timedelta(seconds=seconds))


def offset_of(at: datetime, path: str) -> int:
    """The UTC offset of *at* in whole seconds (what the ``_offset`` column holds).

    Raises:
        InvalidValueError: *at* is naive, its offset has a fraction of a second, or its UTC instant is outside
            the years 1-9999 (PostgreSQL and Python could not read it back).
    """
    given: object = at
    offset = given.utcoffset() if isinstance(given, datetime) else None
    if offset is None:
        raise InvalidValueError(path, at, "must be a timezone-aware datetime")
    if offset.microseconds:
        raise InvalidValueError(path, at, "has a UTC offset with a fraction of a second, which the store cannot keep")
    try:
        at.astimezone(UTC)
    except OverflowError:
        raise InvalidValueError(path, at, "is outside the years 1-9999 in UTC") from None
    return offset.days * 86_400 + offset.seconds


def micros_of(utc: datetime) -> int:
    """Microseconds from 1970-01-01 UTC to *utc* (exact: integer arithmetic on timedeltas)."""
    return (utc - _EPOCH) // _MICROSECOND


def utc_of(at: datetime, path: str) -> datetime:
    """*at* as a UTC datetime, for a bind (checked as :func:`offset_of` checks it)."""
    offset_of(at, path)
    return at.astimezone(UTC)


@lru_cache(maxsize=65_536)
def _kept(at: datetime, offset: timedelta | None) -> tuple[datetime, int] | None:
    # The offset is part of the key: datetimes at one instant are equal (and hash alike) whatever their offsets.
    try:
        return at.astimezone(UTC), offset_of(at, "")
    except InvalidValueError:
        return None


_FIRST_MICROS: Final = -62_135_596_800_000_000  # 0001-01-01T00:00:00Z
_LAST_MICROS: Final = 253_402_300_799_999_999  # 9999-12-31T23:59:59.999999Z


def _refuse(at: datetime, path: str) -> NoReturn:
    offset_of(at, path)  # raises, naming the path
    raise InvalidValueError(path, at, "cannot be kept")  # pragma: no cover - offset_of raised


#: Each fixed-offset zone (a ``datetime.timezone``) met, with its offset in whole seconds: the same at every moment,
#: so a moment in it needs no ``utcoffset()`` call (a Python-level call from C, the costliest part of a bind).
_FIXED: Final[dict[timezone, int]] = {}
_FIXED_MAX: Final = 1024  # a bound on it: zones are few in practice
_EPOCH_DAY: Final = _EPOCH.toordinal()


def _fixed_seconds(zone: timezone) -> int | None:
    """The offset of a fixed-offset *zone* in whole seconds (``None`` with a fraction of a second), remembered."""
    offset = zone.utcoffset(None)
    if offset.microseconds:
        return None
    seconds = _FIXED[zone] = offset.days * 86_400 + offset.seconds
    if len(_FIXED) > _FIXED_MAX:
        _FIXED.clear()
    return seconds


def _micros_and_offset(at: datetime) -> tuple[int, int] | None:
    """Microseconds from 1970-01-01 UTC to *at*, and its UTC offset in seconds (exact: integer arithmetic on its
    wall time and offset); ``None`` if the store cannot keep it (no offset, a fraction of a second in the offset,
    or an instant outside the years 1-9999 in UTC)."""
    zone = at.tzinfo
    if type(zone) is timezone:
        offset = _FIXED.get(zone)
        if offset is None and (offset := _fixed_seconds(zone)) is None:
            return None
    else:
        delta = at.utcoffset()
        if delta is None or delta.microseconds:
            return None
        offset = delta.days * 86_400 + delta.seconds
    seconds = (at.toordinal() - _EPOCH_DAY) * 86_400 + at.hour * 3_600 + at.minute * 60 + at.second - offset
    micros = seconds * 1_000_000 + at.microsecond
    if not _FIRST_MICROS <= micros <= _LAST_MICROS:
        return None
    return micros, offset


def _sqlite_instant(at: datetime, where: str, field: str) -> tuple[Any, int]:
    kept = _micros_and_offset(at)
    if kept is None:
        _refuse(at, f"{where}.{field}")
    return kept


def _postgres_instant(at: datetime, where: str, field: str) -> tuple[Any, int]:
    kept = _micros_and_offset(at)
    if kept is None:
        _refuse(at, f"{where}.{field}")
    return at.astimezone(UTC), kept[1]


#: ``(at, where, field) -> (value, offset)``: see :func:`instant_binder`.
Binder: TypeAlias = Callable[[datetime, str, str], tuple[Any, int]]


def instant_binder(dialect: str) -> Binder:
    """A function ``(at, where, field) -> (value, offset)``: what the driver of *dialect* binds for an
    :class:`Instant` column (microseconds on SQLite, the UTC datetime on PostgreSQL) and for its ``_offset``
    column, for rows written through the driver itself (:func:`insert_tuples`). *at* is a timezone-aware datetime
    (a value fenxiao validated); ``where.field`` names it in an error, built only then.

    Raises:
        InvalidValueError: *at* cannot be kept exactly (see :func:`offset_of`).
    """
    return _sqlite_instant if dialect == "sqlite" else _postgres_instant


def moment_columns(name: str, at: datetime | None, path: str) -> dict[str, Any]:
    """The two columns ``name`` and ``name_offset`` that keep *at* (both ``None`` for ``None``).

    Raises:
        InvalidValueError: *at* cannot be kept exactly (see :func:`offset_of`), named by *path*.
    """
    if at is None:
        return {name: None, f"{name}_offset": None}
    given: object = at
    kept = _kept(at, at.utcoffset()) if isinstance(given, datetime) else None
    if kept is None:
        offset_of(at, path)  # raises, naming the path
        raise InvalidValueError(path, at, "cannot be kept")  # pragma: no cover - offset_of raised
    return {name: kept[0], f"{name}_offset": kept[1]}


def moment(utc: datetime, offset: int) -> datetime:
    """The datetime an ``X``/``X_offset`` pair holds: *utc* shown at *offset* seconds east of UTC."""
    zone = _zone(offset)
    return (_NAIVE_EPOCH + (utc - _EPOCH) + timedelta(seconds=offset)).replace(tzinfo=zone)


def optional_moment(utc: datetime | None, offset: int | None) -> datetime | None:
    """:func:`moment`, or ``None`` for an empty pair."""
    return None if utc is None or offset is None else moment(utc, offset)


@lru_cache(maxsize=64)
def _members(cls: type[enum.Enum]) -> Mapping[object, enum.Enum]:
    return {member.value: member for member in cls}


def enum_of(cls: type[E], value: object, path: str) -> E:
    """The member of *cls* whose value is *value*, read from a column.

    Raises:
        InvalidValueError: The column holds a value *cls* does not know (a row written by a newer fenxiao).
    """
    member = _members(cls).get(value)
    if member is None:
        raise InvalidValueError(path, value, f"is not a known {cls.__name__}")
    return member  # type: ignore[return-value]  # _members(cls) maps to members of cls


def stored_text(value: str, path: str) -> str:
    """*value* for a text column: PostgreSQL cannot hold the NUL character and neither database can hold a lone
    surrogate (text is UTF-8), so neither database is given one.

    Raises:
        InvalidValueError: *value* holds a NUL character or a lone surrogate.
    """
    if "\x00" in value:
        raise InvalidValueError(path, value, "holds a NUL character, which a database text column cannot keep")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValueError(path, value, "holds a lone surrogate, which is not UTF-8 text") from None
    return value


def require_member(value: object, cls: type[E], path: str) -> E:
    """*value* as a member of *cls*: the member itself or its text (``"influencer"``), as the in-memory ledger's
    filters read them.

    Raises:
        InvalidValueError: It is neither.
    """
    if isinstance(value, cls):
        return value
    member = _members(cls).get(value)
    if member is None or isinstance(value, bool):
        allowed = ", ".join(repr(m.value) for m in cls)
        raise InvalidValueError(path, value, f"must be a {cls.__name__} ({allowed})")
    return member  # type: ignore[return-value]  # _members(cls) maps to members of cls


def to_fen(value: object, path: str) -> int:
    """A sum read back from the database as an exact integer (PostgreSQL sums BIGINT as NUMERIC).

    Raises:
        InvalidValueError: The value is not a whole number (never expected of a sum of BIGINT columns).
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise InvalidValueError(path, value, "must be a whole number of fen")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise InvalidValueError(path, value, "must be a whole number of fen")


def insert_ignoring_duplicates(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``INSERT ... ON CONFLICT DO NOTHING`` of *rows* (one round of ``executemany``): rows whose unique key is
    already held, by this transaction or a committed one, are skipped."""
    if not rows:
        return
    dialect = conn.dialect.name
    statement: sa.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    else:  # pragma: no cover - open_store accepts only the two
        statement = table.insert()
    conn.execute(statement, list(rows))


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """A plain ``INSERT`` of *rows* (all with the same keys) through the driver's own ``executemany``.

    The hot path of ingestion: it skips SQLAlchemy's per-row parameter processing, doing the one conversion the
    columns need itself (an :class:`Instant` is microseconds on SQLite, the datetime on PostgreSQL). A duplicate
    key raises, as any INSERT does.
    """
    if not rows:
        return
    names = list(rows[0])
    sqlite_ = conn.dialect.name == "sqlite"
    marker = "?" if sqlite_ else "%s"
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join([marker] * len(names))})'
    instants = [i for i, name in enumerate(names) if isinstance(table.c[name].type, Instant)]
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[name] for name in names]
        if sqlite_:
            for i in instants:
                if values[i] is not None:
                    values[i] = micros_of(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)


def insert_tuples(conn: Connection, table: sa.Table, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain ``INSERT`` of *rows* (values of the columns *names*, in that order, as the driver binds them: see
    :func:`instant_binder`) through the driver's own ``executemany``, with no per-row work at all. A duplicate key
    raises, as any INSERT does."""
    if not rows:
        return
    marker = "?" if conn.dialect.name == "sqlite" else "%s"
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join([marker] * len(names))})'
    conn.exec_driver_sql(sql, rows if isinstance(rows, list) else list(rows))


def chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """*values* in slices of at most *size* (bound parameters per statement stay well under every limit)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
