"""fenxiao.store._sql: moments kept exactly (instant and offset), sums read back as integers, text without NUL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.errors import InvalidValueError
from fenxiao.settlement.splits import Party
from fenxiao.store._sql import (
    Instant,
    enum_of,
    instant_binder,
    micros_of,
    moment,
    moment_columns,
    offset_of,
    require_member,
    stored_text,
    to_fen,
    utc_of,
)
from fenxiao.testing.strategies import aware_datetimes


@given(at=aware_datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_a_moment_is_its_instant_and_offset(at: datetime) -> None:
    """moment(utc_of(at), offset_of(at)) is *at* exactly: the same instant, wall time and offset."""
    back = moment(utc_of(at, "at"), offset_of(at, "at"))
    assert back == at
    assert back.isoformat() == at.isoformat()


@given(at=aware_datetimes(), other=aware_datetimes())
def test_microseconds_since_the_epoch_order_moments_as_time_does(at: datetime, other: datetime) -> None:
    """The SQLite column (microseconds since 1970 in UTC) sorts and compares as the instants do, exactly."""
    assert (micros_of(at) < micros_of(other)) == (at < other)
    assert (micros_of(at) == micros_of(other)) == (at == other)


#: Zones of every kind: named (with folds and gaps), fixed offsets in whole seconds, and offsets with a fraction of a
#: second (which the store refuses).
_ZONES = st.one_of(
    st.timezones(),
    st.integers(-86_399, 86_399).map(lambda s: timezone(timedelta(seconds=s))),
    st.integers(-86_399_999_999, 86_399_999_999).map(lambda us: timezone(timedelta(microseconds=us))),
)


@given(at=st.datetimes(timezones=_ZONES), dialect=st.sampled_from(["sqlite", "postgresql"]))
def test_the_driver_binders_keep_a_moment_as_the_instant_column_does(at: datetime, dialect: str) -> None:
    """instant_binder (the rows ingestion writes through the driver) gives what micros_of (SQLite) or the UTC
    datetime (PostgreSQL) and offset_of give, for any moment in any zone, and refuses what offset_of refuses, with
    its error."""
    bind = instant_binder(dialect)
    expected = _outcome(lambda: (micros_of(at) if dialect == "sqlite" else utc_of(at, "e.at"), offset_of(at, "e.at")))
    assert _outcome(lambda: bind(at, "e", "at")) == expected
    assert _outcome(lambda: bind(at, "e", "at")) == expected  # again: a fixed offset is then remembered


def _outcome(run: Callable[[], object]) -> object:
    """What *run* returns, or the text of the InvalidValueError it raises."""
    try:
        return run()
    except InvalidValueError as exc:
        return str(exc)


def test_the_instant_column_binds_and_reads_each_dialect_its_way() -> None:
    """SQLite gets integer microseconds (read back as UTC); PostgreSQL gets the datetime."""
    sqlite, postgresql = (sa.create_engine(url).dialect for url in ("sqlite://", "postgresql+psycopg://u@h/db"))
    column = Instant()
    at = datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8)))
    assert column.process_bind_param(at, sqlite) == micros_of(at)
    assert column.process_result_value(micros_of(at), sqlite) == at
    assert column.process_bind_param(at, postgresql) is at
    assert column.process_result_value(at, postgresql).tzinfo is UTC  # type: ignore[union-attr]
    assert column.process_bind_param(None, sqlite) is None


def test_moments_the_store_cannot_keep_are_refused() -> None:
    """Naive, sub-second offsets and instants outside the years 1-9999 in UTC are errors naming the field."""
    with pytest.raises(InvalidValueError, match=r"e\.at: must be a timezone-aware datetime"):
        offset_of(datetime(2026, 1, 1), "e.at")
    with pytest.raises(InvalidValueError, match="fraction of a second"):
        offset_of(datetime(2026, 1, 1, tzinfo=timezone(timedelta(microseconds=5))), "e.at")
    with pytest.raises(InvalidValueError, match="outside the years 1-9999"):
        offset_of(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), "e.at")


@given(fen=st.integers(-(10**20), 10**20))
def test_sums_come_back_as_exact_integers(fen: int) -> None:
    """PostgreSQL's NUMERIC sums and SQLite's integers are read as ints; NULL (no rows) is 0."""
    assert to_fen(fen, "s") == fen
    assert to_fen(Decimal(fen), "s") == fen
    assert to_fen(None, "s") == 0


def test_a_sum_that_is_not_whole_is_refused() -> None:
    """Never expected of BIGINT columns; refused rather than rounded."""
    for value in (Decimal("1.5"), True, "3"):
        with pytest.raises(InvalidValueError, match="must be a whole number of fen"):
            to_fen(value, "s")


def test_enums_read_from_columns_and_filters_name_their_members() -> None:
    """A stored value maps to its member; an unknown one (written by a newer fenxiao) is named."""
    assert enum_of(Party, "mcn", "p") is Party.MCN
    assert require_member("mcn", Party, "p") is Party.MCN
    assert require_member(Party.MCN, Party, "p") is Party.MCN
    with pytest.raises(InvalidValueError, match="p: is not a known Party"):
        enum_of(Party, "agent", "p")
    with pytest.raises(InvalidValueError, match=r"p: must be a Party \('influencer'"):
        require_member(True, Party, "p")


def test_text_a_database_cannot_keep_is_refused() -> None:
    """PostgreSQL text cannot hold NUL, no UTF-8 text a lone surrogate: refused on every database alike."""
    assert stored_text("退款", "note") == "退款"
    with pytest.raises(InvalidValueError, match="note: holds a NUL character"):
        stored_text("a\x00", "note")
    with pytest.raises(InvalidValueError, match="note: holds a lone surrogate"):
        stored_text("\udfff", "note")


def test_the_same_instant_at_two_offsets_keeps_each_offset() -> None:
    """moment_columns remembers conversions, but never mixes up equal datetimes written at different offsets."""
    utc = datetime(2026, 1, 1, tzinfo=UTC)
    india = utc.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert moment_columns("at", utc, "at")["at_offset"] == 0
    assert moment_columns("at", india, "at")["at_offset"] == 19_800
    assert moment_columns("at", None, "at") == {"at": None, "at_offset": None}
