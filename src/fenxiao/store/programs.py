"""The program's state in the database: :class:`ProgramStates` saves and loads a
:class:`~fenxiao.periods.state.ProgramState` (each SKU's effective tier and hysteresis run, its tier changes, the
periods run, the moment of the last one and the budgets' spend) and each period's
:class:`~fenxiao.periods.report.PeriodReport`.

A database holds one program. :meth:`ProgramStates.save` writes only what changed, in the caller's transaction,
and refuses a state that does not extend the one stored (its periods must start with the stored periods, its
``as_of`` must not go back, a SKU's tier changes only grow), so two writers cannot silently overwrite each
other's period: the second one's state is stale and is refused. The budgets' spend is append-only
(:meth:`BudgetSpend.record <fenxiao.store.budgets.BudgetSpend.record>`): what the state's book holds is added,
and :meth:`ProgramStates.load` returns every spend entry held (including reservations made outside a period).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fenxiao._internal.convert import dumps, loads
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.history import TierChange
from fenxiao.grading.levels import Tier
from fenxiao.periods.report import PeriodReport
from fenxiao.periods.state import ProgramState, SkuState
from fenxiao.store._sql import (
    chunks,
    enum_of,
    insert_ignoring_duplicates,
    moment,
    offset_of,
    optional_moment,
    stored_text,
    utc_of,
)
from fenxiao.store.budgets import BudgetSpend
from fenxiao.store.schema import PROGRAM, PROGRAM_PERIODS, SKU_STATES, TIER_CHANGES

__all__ = ["ProgramStates"]

_ONE = 1  # the program row's id


def _pair(name: str, value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {name: None, f"{name}_offset": None}
    return {name: utc_of(value, f"{where}.{name}"), f"{name}_offset": offset_of(value, f"{where}.{name}")}


def _tier(value: Tier | None) -> str | None:
    return None if value is None else value.value


def _optional_tier(value: object, path: str) -> Tier | None:
    return None if value is None else enum_of(Tier, value, path)


def _sku_row(state: SkuState) -> dict[str, Any]:
    where = f"ProgramState.skus[{state.sku_id}]"
    return {
        "sku_id": state.sku_id,
        "effective": _tier(state.effective),
        **_pair("below_since", state.below_since, where),
        "below_count": state.below_count,
        "below_best": _tier(state.below_best),
        **_pair("last_at", state.last_at, where),
        **_pair("joined_at", state.joined_at, where),
    }


def _change_row(sku_id: str, seq: int, change: TierChange) -> dict[str, Any]:
    where = f"ProgramState.skus[{sku_id}].changes[{seq - 1}]"
    return {
        "sku_id": sku_id,
        "seq": seq,
        **_pair("at", change.at, where),
        "old": _tier(change.old),
        "new": change.new.value,
        "reason": stored_text(change.reason, f"{where}.reason"),
    }


def _change_from_row(row: Mapping[Any, Any]) -> TierChange:
    path = f"tier_changes[{row['sku_id']}/{row['seq']}]"
    return TierChange(
        at=moment(row["at"], row["at_offset"]),
        old=_optional_tier(row["old"], f"{path}.old"),
        new=enum_of(Tier, row["new"], f"{path}.new"),
        reason=row["reason"],
    )


def _state_from_rows(row: Mapping[Any, Any], changes: Sequence[Mapping[Any, Any]]) -> SkuState:
    path = f"sku_states[{row['sku_id']}]"
    return SkuState(
        sku_id=row["sku_id"],
        effective=_optional_tier(row["effective"], f"{path}.effective"),
        below_since=optional_moment(row["below_since"], row["below_since_offset"]),
        below_count=row["below_count"],
        below_best=_optional_tier(row["below_best"], f"{path}.below_best"),
        last_at=optional_moment(row["last_at"], row["last_at_offset"]),
        joined_at=optional_moment(row["joined_at"], row["joined_at_offset"]),
        changes=tuple(_change_from_row(c) for c in changes),
    )


def _comparable(row: Mapping[Any, Any]) -> tuple[object, ...]:
    return tuple(row[c.name] for c in SKU_STATES.columns)


def _comparable_change(row: Mapping[Any, Any]) -> tuple[object, ...]:
    return tuple(row[c.name] for c in TIER_CHANGES.columns)


class ProgramStates:
    """The program's state in the database behind *conn* (within its transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- reading ---------------------------------------------------------------------------------------

    def periods(self) -> tuple[str, ...]:
        """The ids of the periods saved, oldest first."""
        query = sa.select(PROGRAM_PERIODS.c.period).order_by(PROGRAM_PERIODS.c.seq)
        return tuple(str(p) for p in self.conn.execute(query).scalars())

    def _program(self, *, lock: bool = False) -> Mapping[Any, Any] | None:
        query = sa.select(PROGRAM).where(PROGRAM.c.id == _ONE)
        if lock:
            query = query.with_for_update()
        return self.conn.execute(query).mappings().first()

    def _sku_rows(self) -> dict[str, Mapping[Any, Any]]:
        query = sa.select(SKU_STATES).order_by(SKU_STATES.c.sku_id)
        return {row["sku_id"]: row for row in self.conn.execute(query).mappings()}

    def _change_rows(self) -> dict[str, list[Mapping[Any, Any]]]:
        found: dict[str, list[Mapping[Any, Any]]] = {}
        query = sa.select(TIER_CHANGES).order_by(TIER_CHANGES.c.sku_id, TIER_CHANGES.c.seq)
        for row in self.conn.execute(query).mappings():
            found.setdefault(row["sku_id"], []).append(row)
        return found

    def load(self) -> ProgramState:
        """The state saved (an empty :class:`~fenxiao.periods.state.ProgramState` with the spend held, if none)."""
        program = self._program()
        changes = self._change_rows()
        skus = [_state_from_rows(row, changes.get(sku_id, ())) for sku_id, row in self._sku_rows().items()]
        book = BudgetSpend(self.conn).book()
        as_of = None if program is None else optional_moment(program["as_of"], program["as_of_offset"])
        return ProgramState(skus=skus, budgets=book, periods=self.periods(), as_of=as_of)

    def load_report(self, period: str) -> PeriodReport | None:
        """The report saved for *period*, or ``None``."""
        query = sa.select(PROGRAM_PERIODS.c.report).where(PROGRAM_PERIODS.c.period == period)
        text = self.conn.execute(query).scalar_one_or_none()
        return None if text is None else loads(text, PeriodReport)

    # -- writing ---------------------------------------------------------------------------------------

    def save(self, state: ProgramState) -> None:
        """Make the stored state *state*, writing only what changed (see the module docs).

        Raises:
            InvalidValueError: *state* is not a ProgramState, or holds a moment the store cannot keep exactly.
            PolicyError: *state* does not extend the stored state (another writer saved a later one): its
                periods do not start with the stored periods, its ``as_of`` is earlier, or a SKU's stored tier
                changes are not the first of its changes.
        """
        if not isinstance(state, ProgramState):
            raise InvalidValueError("ProgramStates.save.state", state, "must be a ProgramState")
        program = self._lock_program()
        stored_periods = self.periods()
        if state.periods[: len(stored_periods)] != stored_periods:
            raise PolicyError(
                "ProgramStates.save.state.periods",
                state.periods,
                f"must start with the periods already saved {list(stored_periods)} (is the state stale?)",
            )
        stored_as_of = optional_moment(program["as_of"], program["as_of_offset"])
        if stored_as_of is not None and (state.as_of is None or state.as_of < stored_as_of):
            raise PolicyError(
                "ProgramStates.save.state.as_of",
                state.as_of,
                f"must not be before the saved {stored_as_of.isoformat()}",
            )
        self.conn.execute(PROGRAM.update().where(PROGRAM.c.id == _ONE), _pair("as_of", state.as_of, "ProgramState"))
        new_periods = state.periods[len(stored_periods) :]
        if new_periods:
            first = len(stored_periods) + 1
            self.conn.execute(
                PROGRAM_PERIODS.insert(),
                [{"seq": first + i, "period": period, "report": None} for i, period in enumerate(new_periods)],
            )
        self._save_skus(state)
        BudgetSpend(self.conn).record(state.budgets.entries)

    def _lock_program(self) -> Mapping[str, Any]:
        """The program row (created if absent), locked until the transaction ends."""
        insert_ignoring_duplicates(self.conn, PROGRAM, [{"id": _ONE, "as_of": None, "as_of_offset": None}])
        program = self._program(lock=True)
        if program is None:  # pragma: no cover - inserted just above
            raise PolicyError("ProgramStates.save", None, "the program row vanished")
        return program

    def _save_skus(self, state: ProgramState) -> None:
        stored = self._sku_rows()
        stored_changes = self._change_rows()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        change_rows: list[dict[str, Any]] = []
        for sku_id, sku in state.skus.items():
            row = _sku_row(sku)
            held = stored.get(sku_id)
            if held is None:
                inserts.append(row)
            elif _comparable(held) != _comparable(row):
                updates.append({**row, "key": sku_id})
            wanted = [_change_row(sku_id, i + 1, change) for i, change in enumerate(sku.changes)]
            have = stored_changes.get(sku_id, [])
            if [_comparable_change(c) for c in have] != [_comparable_change(c) for c in wanted[: len(have)]]:
                raise PolicyError(
                    f"ProgramStates.save.state.skus[{sku_id}].changes",
                    len(sku.changes),
                    f"must start with the {len(have)} tier changes already saved (is the state stale?)",
                )
            change_rows.extend(wanted[len(have) :])
        gone = sorted(set(stored) - set(state.skus))
        for part in chunks(gone):
            self.conn.execute(TIER_CHANGES.delete().where(TIER_CHANGES.c.sku_id.in_(part)))
            self.conn.execute(SKU_STATES.delete().where(SKU_STATES.c.sku_id.in_(part)))
        if inserts:
            self.conn.execute(SKU_STATES.insert(), inserts)
        if updates:
            statement = (
                SKU_STATES.update()
                .where(SKU_STATES.c.sku_id == sa.bindparam("key"))
                .values({c.name: sa.bindparam(c.name) for c in SKU_STATES.columns if c.name != "sku_id"})
            )
            self.conn.execute(statement, updates)
        if change_rows:
            self.conn.execute(TIER_CHANGES.insert(), change_rows)

    def save_report(self, report: PeriodReport) -> None:
        """Keep *report* with its period (saved before by :meth:`save`: the state lists the period).

        Raises:
            InvalidValueError: *report* is not a PeriodReport, or its period was never saved.
        """
        if not isinstance(report, PeriodReport):
            raise InvalidValueError("ProgramStates.save_report.report", report, "must be a PeriodReport")
        done = self.conn.execute(
            PROGRAM_PERIODS.update()
            .where(PROGRAM_PERIODS.c.period == report.period)
            .values(report=stored_text(dumps(report, indent=None), "ProgramStates.save_report.report"))
        )
        if done.rowcount != 1:
            raise InvalidValueError(
                "ProgramStates.save_report.report.period", report.period, "is not a saved period (save the state first)"
            )
