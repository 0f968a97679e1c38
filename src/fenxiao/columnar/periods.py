"""Grading periods on columns: the program state as columns, hysteresis as column arithmetic, a period run.

The columnar twin of :mod:`fenxiao.periods`. A :class:`~fenxiao.periods.state.ProgramState`'s SKUs become
:data:`STATE_COLUMNS` (:func:`state_columns`, and back with :func:`build_program_state`):

=============== ====== ==========================================================================================
column          dtype  holds
=============== ====== ==========================================================================================
``sku_id``      text   the SKU (one row per SKU)
``effective``   int8   the effective tier's rank (0 for L0 ... 5 for L5); :data:`NONE_RANK` (-1): never graded
``below_since`` int64  the first evaluation of the current run of lower grades, in microseconds since the epoch
                       (UTC); :data:`NONE_MICROS` when there is no run
``below_count`` int64  how many evaluations the run holds (0: no run)
``below_best``  int8   the highest tier decided during the run (-1: no run)
``last_at``     int64  the last evaluation (microseconds; :data:`NONE_MICROS`: never graded)
``joined_at``   int64  when the SKU joined the pool (microseconds; :data:`NONE_MICROS`: unknown, no new-SKU window)
=============== ====== ==========================================================================================

The columns keep each SKU's current standing only; the history of its
:class:`~fenxiao.grading.history.TierChange` values is not carried (the object path keeps it). What changed in
*this* period is a column of the fold: ``change``, a :class:`ChangeCode`, whose text :func:`explain_changes` writes
exactly as :meth:`TierHistory.record <fenxiao.grading.history.TierHistory.record>` words a change.

:func:`fold_tiers` folds one period's decided tiers into the state, every rule of
:class:`~fenxiao.grading.history.TierHistory` written as NumPy arithmetic on whole columns: a promotion at once, a
decision equal to the effective tier resets the run, a demotion inside the new-SKU window at once, otherwise the
run counts and demotes to its best tier once it holds ``demote_after_evaluations`` evaluations spanning
``demote_after_days`` days (compared in exact microseconds). :func:`run_period_columns` is the whole period:
:func:`~fenxiao.columnar.run_pipeline`'s scores and decided tiers, the fold, then the perks of the *effective*
tier (the tier the SKU holds, which hysteresis may keep above the decided one).

>>> from datetime import datetime, timezone
>>> import numpy as np
>>> t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
>>> first = fold_tiers(None, {"sku_id": ["a", "b"], "tier": np.array([4, 2])}, t0)
>>> first.rows["change"].tolist(), first.state["effective"].tolist()
([1, 1], [4, 2])
>>> second = fold_tiers(first.state, {"sku_id": ["a", "b"], "tier": np.array([3, 5])}, t0.replace(day=2))
>>> second.rows["effective"].tolist(), second.rows["held"].tolist(), explain_changes(second.rows)
([4, 5], [True, False], ['', 'promoted at once'])

Subsidy allocation against budgets is not part of the columnar run: the report carries each SKU's subsidy perk
(rate, fixed amount, cap) on its effective tier, and :func:`fenxiao.periods.run.run_period` (the object path)
allocates budgets. See ``docs/periods-at-scale.md``.

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from fenxiao._internal import validators as v
from fenxiao._internal.progress import chunks
from fenxiao.columnar._columns import CodedText, Columns, IntColumn, to_micros
from fenxiao.columnar._frames import object_array, read, write
from fenxiao.columnar._inputs import UNITS, Input, Inputs
from fenxiao.columnar._inputs import to_micros as micros_of
from fenxiao.columnar.perks import _catalog, resolve
from fenxiao.columnar.pipeline import DEFAULT_CHUNK_ROWS, run_pipeline
from fenxiao.columnar.scoring import SCORE_COLUMNS
from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import BudgetBook
from fenxiao.grading.history import Stability
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog
from fenxiao.money import DEFAULT_CURRENCY
from fenxiao.periods.models import Models
from fenxiao.periods.state import ProgramState, SkuState
from fenxiao.scoring.context import ScoringContext

__all__ = [
    "FOLD_COLUMNS",
    "NONE_MICROS",
    "NONE_RANK",
    "STATE_COLUMNS",
    "ChangeCode",
    "PeriodColumns",
    "TierFold",
    "build_program_state",
    "explain_changes",
    "fold_tiers",
    "run_period_columns",
    "state_columns",
]

#: The columns of the program state, one row per SKU (see the module docstring).
STATE_COLUMNS: Final = ("sku_id", "effective", "below_since", "below_count", "below_best", "last_at", "joined_at")
#: The columns :func:`fold_tiers` writes per decided row: ``decided``, the effective tier before (``previous``) and
#: after (``effective``), the :class:`ChangeCode`, ``held`` (decided below the effective tier), and the run of lower
#: grades at this evaluation (``run_count`` evaluations over ``run_days`` whole days; 0 outside a run).
FOLD_COLUMNS: Final = ("decided", "previous", "effective", "change", "held", "run_count", "run_days")
#: The rank column's value for "no tier" (a SKU never graded, or no run of lower grades).
NONE_RANK: Final = -1
#: The instant columns' value for "no moment" (the least int64, which pandas reads as ``NaT``).
NONE_MICROS: Final = int(np.iinfo(np.int64).min)

_DAY: Final = 86_400 * 10**6
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NO_PERKS: Final = PerkCatalog(entries=(), name="none")
_TIERS: Final = tuple(Tier)
_SHOWN: Final = 5  # SKUs named in a message about many rows


class ChangeCode(enum.IntEnum):
    """Why the effective tier changed this period: the ``change`` column (int8) of a fold and a period report.

    .. versionadded:: 0.1
    """

    #: The effective tier did not change.
    NONE = 0
    #: The SKU was graded for the first time.
    FIRST = 1
    #: Decided above its effective tier: promoted at once.
    PROMOTED = 2
    #: Decided below it inside the new-SKU window: a provisional grade, demoted at once.
    PROVISIONAL = 3
    #: Decided below it for long enough: demoted to the best tier of the run.
    DEMOTED = 4


@attrs.frozen(eq=False)
class _State:
    """State columns as arrays, one row per SKU (the ids as an object array of text)."""

    sku_id: NDArray[np.object_]
    effective: NDArray[np.int8]
    below_since: NDArray[np.int64]
    below_count: NDArray[np.int64]
    below_best: NDArray[np.int8]
    last_at: NDArray[np.int64]
    joined_at: NDArray[np.int64]

    @classmethod
    def fresh(cls, ids: NDArray[np.object_]) -> _State:
        """Never-graded SKUs."""
        n = ids.shape[0]
        never = np.full(n, NONE_MICROS, dtype=np.int64)
        none = np.full(n, NONE_RANK, dtype=np.int8)
        return cls(ids, none, never, np.zeros(n, dtype=np.int64), none.copy(), never.copy(), never.copy())

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> _State:
        """The rows at *index* (positions or a mask)."""
        return _State(*(getattr(self, name)[index] for name in STATE_COLUMNS))

    def columns(self) -> dict[str, NDArray[Any]]:
        """As a mapping of :data:`STATE_COLUMNS`."""
        return {name: getattr(self, name) for name in STATE_COLUMNS}

    @classmethod
    def concat(cls, first: _State, second: _State) -> _State:
        """*first*'s rows, then *second*'s."""
        if second.sku_id.shape[0] == 0:
            return first
        return cls(*(np.concatenate([getattr(first, n), getattr(second, n)]) for n in STATE_COLUMNS))


@attrs.frozen(eq=False)
class TierFold:
    """What :func:`fold_tiers` returns: the new state and, per decided row, what the fold did.

    Attributes:
        state: The new :data:`STATE_COLUMNS`: the decided SKUs in the order of the decisions, then the SKUs of
            the old state that were not decided this period, unchanged.
        rows: :data:`FOLD_COLUMNS`, row for row with the decisions.

    Both are in the decisions' kind: a ``dict`` of NumPy arrays, or a frame of the same library.

    .. versionadded:: 0.1
    """

    state: Any
    rows: Any


@attrs.frozen(eq=False)
class PeriodColumns:
    """What :func:`run_period_columns` returns: the period's report columns and the new state columns.

    Attributes:
        period: The period's id.
        as_of: The moment it graded at.
        models: The name and version of each model (:meth:`fenxiao.periods.models.Models.describe`).
        report: One row per SKU graded, in the order of the input rows: ``sku_id`` (and the *keep* columns), the
            scores and ``composite`` (hundredths), ``decided`` (the policy's tier, a rank) and ``rule`` (its index
            in the policy, -1: the fallback), then ``previous``, ``effective``, ``change``, ``held``,
            ``run_count``, ``run_days`` (:data:`FOLD_COLUMNS`) and the perk columns of the *effective* tier
            (:func:`~fenxiao.columnar.resolve_perk_columns`).
        state: The new :data:`STATE_COLUMNS` (the graded SKUs in input order, then the SKUs not graded this
            period, unchanged).

    Both are in the input's kind: a ``dict`` of NumPy arrays, or a frame of the same library.

    .. versionadded:: 0.1
    """

    period: str
    as_of: datetime
    models: Mapping[str, str]
    report: Any
    state: Any


# --- the state as columns -----------------------------------------------------------------------------------------


def _micros_or_none(moment: datetime | None, path: str) -> int:
    return NONE_MICROS if moment is None else micros_of(moment, path)


def _rank_or_none(tier: Tier | None) -> int:
    return NONE_RANK if tier is None else tier.rank


def state_columns(state: ProgramState | Mapping[str, SkuState] | Iterable[SkuState]) -> dict[str, NDArray[Any]]:
    """The SKUs of a program state as :data:`STATE_COLUMNS` (one row per SKU, in SKU id order for a ProgramState).

    Tier changes are not carried (the columns hold each SKU's standing; see the module docstring).

    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    >>> columns = state_columns([SkuState("sku-1", joined_at=t0).record(t0, Tier.L3)])
    >>> columns["effective"].tolist(), columns["below_since"].tolist() == [NONE_MICROS], columns["last_at"].tolist()
    ([3], True, [1793491200000000])

    Raises:
        InvalidValueError: An item is not a :class:`~fenxiao.periods.state.SkuState`.

    .. versionadded:: 0.1
    """
    if isinstance(state, ProgramState):
        items: Iterable[object] = state.skus.values()
    elif isinstance(state, Mapping):
        items = state.values()
    else:
        items = state
    rows = list(items)
    for i, row in enumerate(rows):
        if not isinstance(row, SkuState):
            raise InvalidValueError(f"state_columns.state[{i}]", row, "must be a SkuState")
    states: list[SkuState] = rows  # type: ignore[assignment]  # checked just above
    path = "state_columns.state"
    return {
        "sku_id": object_array([s.sku_id for s in states]),
        "effective": np.array([_rank_or_none(s.effective) for s in states], dtype=np.int8),
        "below_since": np.array([_micros_or_none(s.below_since, path) for s in states], dtype=np.int64),
        "below_count": np.array([s.below_count for s in states], dtype=np.int64),
        "below_best": np.array([_rank_or_none(s.below_best) for s in states], dtype=np.int8),
        "last_at": np.array([_micros_or_none(s.last_at, path) for s in states], dtype=np.int64),
        "joined_at": np.array([_micros_or_none(s.joined_at, path) for s in states], dtype=np.int64),
    }


def _moment(micros: int) -> datetime | None:
    return None if micros == NONE_MICROS else _EPOCH + timedelta(microseconds=micros)


def _tier(rank: int) -> Tier | None:
    return None if rank < 0 else _TIERS[rank]


def build_program_state(
    columns: Any,
    *,
    budgets: BudgetBook | None = None,
    periods: Sequence[str] = (),
    as_of: datetime | None = None,
) -> ProgramState:
    """A :class:`~fenxiao.periods.state.ProgramState` from :data:`STATE_COLUMNS` (a mapping or a frame).

    Instants come back in UTC (equal instants to the ones :func:`state_columns` read); each SKU's ``changes``
    is empty (the columns do not carry them). The other fields of the program state are the keywords.

    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    >>> state = ProgramState([SkuState("sku-1", joined_at=t0).record(t0, Tier.L3)])
    >>> build_program_state(state_columns(state)).sku("sku-1").effective
    <Tier.L3: 'L3'>

    Raises:
        InvalidValueError: A column is missing or out of its bounds, or a SKU is listed twice.

    .. versionadded:: 0.1
    """
    source, _ = read(columns, "state")
    state = _read_state(source)
    _check_ids(state.sku_id, source.path("sku_id"))
    skus = [
        SkuState(
            sku_id,
            _tier(effective),
            _moment(since),
            count,
            _tier(best),
            _moment(last),
            _moment(joined),
        )
        for sku_id, effective, since, count, best, last, joined in zip(
            state.sku_id.tolist(),
            state.effective.tolist(),
            state.below_since.tolist(),
            state.below_count.tolist(),
            state.below_best.tolist(),
            state.last_at.tolist(),
            state.joined_at.tolist(),
            strict=True,
        )
    ]
    return ProgramState(
        skus,
        budgets=budgets if budgets is not None else BudgetBook(),
        periods=tuple(periods),
        as_of=as_of,
    )


# --- reading columns ------------------------------------------------------------------------------------------------


def _raw_ids(source: Columns) -> NDArray[np.object_]:
    """The ``sku_id`` column as an object array (not yet checked: see :func:`_check_ids`)."""
    path = source.path("sku_id")
    raw = source.raw("sku_id")
    if isinstance(raw, CodedText):
        codes = raw.codes
        if codes.size and int(codes.min()) < 0:
            i = int(np.flatnonzero(codes < 0)[0])
            raise InvalidValueError(f"{path}[{i}]", None, "must not be missing")
        labels: NDArray[np.object_] = object_array(raw.labels)
        return labels[codes]  # type: ignore[no-any-return]  # an object array indexed is one
    array = raw if isinstance(raw, np.ndarray) else object_array(list(raw))  # type: ignore[call-overload]
    if array.ndim != 1:
        raise InvalidValueError(path, array.shape, "must be one-dimensional")
    if array.dtype.kind == "U":
        return array.astype(object)
    if array.dtype.kind != "O":
        raise InvalidValueError(path, str(array.dtype), "must be text")
    return array


def _all_text(ids: NDArray[np.object_], items: list[object]) -> bool:
    """Whether every id is non-empty text (pandas checks the types in C when it is installed)."""
    try:
        from pandas.api.types import infer_dtype
    except ImportError:  # pragma: no cover - the test extra installs pandas
        return all(type(item) is str and item for item in items)
    return ids.size == 0 or (infer_dtype(ids, skipna=False) == "string" and not bool((ids == "").any()))


def _check_ids(ids: NDArray[np.object_], path: str) -> NDArray[np.object_]:
    """*ids* if each is non-empty text and none is listed twice."""
    items = ids.tolist()
    if not _all_text(ids, items):  # the loop below names the row
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item:
                raise InvalidValueError(f"{path}[{i}]", item, "must be a SKU id (non-empty text)")
    if len(set(items)) != len(items):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item in seen:
                raise InvalidValueError(f"{path}[{i}]", item, "is listed twice")
            seen.add(item)
    return ids


def _sku_ids(source: Columns) -> NDArray[np.object_]:
    """The ``sku_id`` column as an object array of non-empty text, every SKU once."""
    return _check_ids(_raw_ids(source), source.path("sku_id"))


def _ranks(source: Columns, name: str, low: int) -> NDArray[np.int8]:
    return source.ints(name, 0, low=low, high=5).values.astype(np.int8)


def _instants(source: Columns, name: str) -> NDArray[np.int64]:
    """An instant column as microseconds, :data:`NONE_MICROS` where missing: int64 micros or datetimes."""
    raw = source.raw(name)
    array = raw if isinstance(raw, np.ndarray) else None
    if array is not None and array.dtype.kind in "MO":
        column = to_micros(array, source.path(name))
    else:
        column = source.ints(name, 0, low=NONE_MICROS, high=2**63 - 1, nullable=True)
    values = column.values
    if column.valid is not None:
        values = np.where(column.valid, values, NONE_MICROS)
    return values


def _read_state(source: Columns) -> _State:
    """The state columns; the ids are checked when the state is aligned (not when they equal the decided ids)."""
    for name in STATE_COLUMNS:
        if name not in source:
            raise InvalidValueError(source.path(name), None, "is a state column but was not given")
    return _State(
        _raw_ids(source),
        _ranks(source, "effective", NONE_RANK),
        _instants(source, "below_since"),
        source.ints("below_count", 0, low=0, high=2**62).values,
        _ranks(source, "below_best", NONE_RANK),
        _instants(source, "last_at"),
        _instants(source, "joined_at"),
    )


def _state_of(state: Any) -> _State:
    """The state given to a fold or a period run: ``None`` (no SKU graded yet), a mapping or a frame."""
    if state is None:
        return _State.fresh(object_array([]))
    source, _ = read(state, "state")
    return _read_state(source)


# --- the fold -------------------------------------------------------------------------------------------------------


def _align(ids: NDArray[np.object_], old: _State) -> tuple[_State, _State]:
    """The old state row for each decided SKU (a fresh one where it has none), and the state rows not decided."""
    known = old.sku_id
    if known.shape[0] == 0:
        return _State.fresh(ids), old.take(np.zeros(0, dtype=np.bool_))
    if known.shape == ids.shape and bool(np.array_equal(known, ids)):  # the same SKUs in the same order
        return old, old.take(np.zeros(known.shape[0], dtype=np.bool_))
    count = known.shape[0]
    if count < ids.shape[0] and bool(np.array_equal(known, ids[:count])):  # the same SKUs first, then new ones
        # The decided ids are checked distinct, so the new ones are none of the state's: no lookup is needed.
        aligned = _State.fresh(ids)
        for name in STATE_COLUMNS[1:]:
            getattr(aligned, name)[:count] = getattr(old, name)
        return aligned, old.take(np.zeros(count, dtype=np.bool_))
    _check_ids(known, "state.sku_id")
    position = dict(zip(known.tolist(), range(known.shape[0]), strict=True))
    lookup = position.get
    where = np.fromiter((lookup(sku, -1) for sku in ids.tolist()), dtype=np.intp, count=ids.shape[0])
    found = where >= 0
    aligned = _State.fresh(ids)
    if found.any():
        hit = old.take(where[found])
        for name in STATE_COLUMNS[1:]:
            getattr(aligned, name)[found] = getattr(hit, name)
    decided = np.zeros(known.shape[0], dtype=np.bool_)
    decided[where[found]] = True
    return aligned, old.take(~decided)


def _check_order(old: _State, at: int, when: datetime, path: str) -> None:
    late = old.last_at > at  # NONE_MICROS is below every moment
    if late.any():
        rows = np.flatnonzero(late)
        named = ", ".join(f"{old.sku_id[i]} ({_moment(int(old.last_at[i]))})" for i in rows[:_SHOWN].tolist()) + (
            f" and {rows.size - _SHOWN} more" if rows.size > _SHOWN else ""
        )
        raise InvalidValueError(path, when, f"is before the previous evaluation of {rows.size} SKU(s): {named}")


def _fold(old: _State, decided: NDArray[np.int8], at: int, rule: Stability) -> tuple[_State, dict[str, NDArray[Any]]]:
    """:meth:`TierHistory.record` on every row at once: *old* aligned with *decided*, all graded at *at*."""
    effective = old.effective
    first = effective < 0
    promote = decided > effective  # every rank is above NONE_RANK, so a first grade promotes too
    below = decided < effective
    has_joined = old.joined_at != NONE_MICROS
    since_join = at - np.where(has_joined, old.joined_at, at)  # 0 where unknown (and masked out below)
    provisional = below & has_joined & (since_join < rule.new_sku_days * _DAY)
    run = below & ~provisional
    since = np.where(old.below_since == NONE_MICROS, at, old.below_since)
    count = old.below_count + 1
    best = np.maximum(old.below_best, decided)
    span = at - np.where(run, since, at)
    demote = run & (count >= rule.demote_after_evaluations) & (span >= rule.demote_after_days * _DAY)
    held = run & ~demote
    new_effective = np.where(promote | provisional, decided, np.where(demote, best, effective)).astype(np.int8)
    change = np.select(
        [first, promote, provisional, demote],
        [np.int8(c) for c in (ChangeCode.FIRST, ChangeCode.PROMOTED, ChangeCode.PROVISIONAL, ChangeCode.DEMOTED)],
        default=np.int8(ChangeCode.NONE),
    ).astype(np.int8)
    new = _State(
        old.sku_id,
        new_effective,
        np.where(held, since, NONE_MICROS),
        np.where(held, count, 0),
        np.where(held, best, NONE_RANK).astype(np.int8),
        np.full(decided.shape[0], at, dtype=np.int64),
        old.joined_at,
    )
    rows = {
        "decided": decided,
        "previous": effective,
        "effective": new_effective,
        "change": change,
        "held": decided < new_effective,
        "run_count": np.where(run, count, 0),
        "run_days": span // _DAY,
    }
    return new, rows


def _stability(stability: Stability | None, path: str) -> Stability:
    if stability is None:
        return Stability()
    if not isinstance(stability, Stability):
        raise InvalidValueError(path, stability, "must be a Stability")
    return stability


def _fold_all(
    ids: NDArray[np.object_],
    decided: NDArray[np.int8],
    *,
    joined: NDArray[np.int64] | None,
    old: _State,
    when: datetime,
    rule: Stability,
    path: str,
) -> tuple[_State, dict[str, NDArray[Any]]]:
    """Align, check, fold; the new state (decided rows, then the rest) and the per-row columns."""
    at = micros_of(when, path)
    aligned, rest = _align(ids, old)
    if joined is not None:  # the state keeps the first join date, as the object path's SkuState does
        aligned = attrs.evolve(aligned, joined_at=np.where(aligned.joined_at == NONE_MICROS, joined, aligned.joined_at))
    _check_order(aligned, at, when, path)
    new, rows = _fold(aligned, decided, at, rule)
    return _State.concat(new, rest), rows


def _as_frame(frame: Any, arrays: Mapping[str, NDArray[Any]]) -> Any:
    """*arrays* as a ``dict`` (no frame given) or as a new frame of *frame*'s library."""
    if frame is None:
        return dict(arrays)
    import narwhals as nw

    backend = frame.implementation
    series = {name: nw.new_series(name, values, backend=backend) for name, values in arrays.items()}
    return nw.to_native(nw.from_dict(series, backend=backend))


def fold_tiers(state: Any, decided: Any, at: datetime, stability: Stability | None = None) -> TierFold:
    """Fold one period's decided tiers into the state, as :meth:`TierHistory.record
    <fenxiao.grading.history.TierHistory.record>` does SKU by SKU.

    Args:
        state: :data:`STATE_COLUMNS` (a mapping of arrays or a frame), or ``None`` before the first period.
        decided: ``sku_id`` and ``tier`` (ranks 0-5, as :func:`~fenxiao.columnar.run_pipeline` writes them), and
            optionally ``joined_at`` (instants: datetimes, or int64 microseconds), the join date of a SKU
            whose state has none (a state keeps the first join date, as :func:`fenxiao.periods.run.run_period`
            does); a mapping or a frame. A SKU absent from *state* starts fresh (its first grade).
        at: The moment of the evaluation (timezone-aware), not before any decided SKU's ``last_at``.
        stability: The anti-flapping settings; ``Stability()`` when ``None``.

    Returns:
        The new state and, row for row with *decided*, :data:`FOLD_COLUMNS` (a :class:`TierFold`).

    Raises:
        InvalidValueError: A column is missing or out of its bounds, a SKU is listed twice, or *at* is before
            the previous evaluation of some SKUs (they are named).

    .. versionadded:: 0.1
    """
    rule = _stability(stability, "fold_tiers.stability")
    when = v.require_aware(at, "fold_tiers.at")
    source, frame = read(decided, "decided")
    ids = _sku_ids(source)
    ranks = _ranks(source, "tier", 0)
    joined = _instants(source, "joined_at") if "joined_at" in source else None
    new, rows = _fold_all(ids, ranks, joined=joined, old=_state_of(state), when=when, rule=rule, path="fold_tiers.at")
    return TierFold(_as_frame(frame, new.columns()), _as_frame(frame, rows))


def explain_changes(rows: Any, stability: Stability | None = None) -> list[str]:
    """Each row's change as text, worded exactly as :meth:`TierHistory.record
    <fenxiao.grading.history.TierHistory.record>` words a :class:`~fenxiao.grading.history.TierChange`
    (empty where the effective tier did not change).

    Args:
        rows: A fold's rows or a period report (``previous``, ``change``, ``run_count``, ``run_days``); a mapping
            or a frame.
        stability: The settings the fold used (the new-SKU window's length is part of the text).

    >>> import numpy as np
    >>> explain_changes({"previous": np.array([4, 2]), "change": np.array([4, 0]),
    ...                  "run_count": np.array([3, 0]), "run_days": np.array([7, 0])})
    ['below L4 for 3 evaluations over 7 days', '']

    .. versionadded:: 0.1
    """
    rule = _stability(stability, "explain_changes.stability")
    source, _ = read(rows, "rows")
    previous = source.ints("previous", 0, low=NONE_RANK, high=5).values.tolist()
    change = source.ints("change", 0, low=0, high=len(ChangeCode) - 1).values.tolist()
    count = source.ints("run_count", 0, low=0, high=2**62).values.tolist()
    days = source.ints("run_days", 0, low=-(2**62), high=2**62).values.tolist()
    fixed = {
        ChangeCode.NONE: "",
        ChangeCode.FIRST: "first grade",
        ChangeCode.PROMOTED: "promoted at once",
        ChangeCode.PROVISIONAL: f"provisional grade inside the {rule.new_sku_days}-day new-SKU window",
    }
    out: list[str] = []
    for old, code, runs, span in zip(previous, change, count, days, strict=True):
        if code == ChangeCode.DEMOTED:
            out.append(f"below {_TIERS[old].value} for {runs} evaluations over {span} days")
        else:
            out.append(fixed[ChangeCode(code)])
    return out


# --- the period run -------------------------------------------------------------------------------------------------


def _period_id(period: str, path: str) -> str:
    given: object = period
    if not isinstance(given, str) or not given:
        raise InvalidValueError(path, period, "must be a period id such as '2026-W48'")
    return period


def _models(models: Models | None) -> Models:
    if models is None:
        return Models()
    if not isinstance(models, Models):
        raise InvalidValueError("run_period_columns.models", models, "must be Models")
    return models


def _graded(
    columns: Any,
    *,
    models: Models,
    context: ScoringContext | None,
    when: datetime,
    currency: str,
    keep: Sequence[str],
    chunk_size: int,
) -> Any:
    """Phase one of a period (internal): :func:`~fenxiao.columnar.run_pipeline`'s scores, decided tier and rule,
    without perks (they are resolved on the effective tier after the fold), plus the *keep* columns."""
    return run_pipeline(
        columns,
        scorer=models.scorer,
        policy=models.policy,
        perks=_NO_PERKS,
        context=context,
        as_of=when,
        currency=currency,
        keep=keep,
        chunk_size=chunk_size,
    )


def _conclude(
    source: Columns,
    graded: Columns,
    *,
    state: Any,
    catalog: PerkCatalog,
    when: datetime,
    rule: Stability,
    chunk_size: int,
) -> tuple[dict[str, NDArray[Any]], dict[str, NDArray[Any]]]:
    """Phase two of a period (internal): fold the decided tiers into *state*, resolve the effective tier's perks.

    *source* holds the SKU rows (their ids, ``joined_at`` and the perk inputs), *graded* phase one's columns row
    for row with them (they may be the same columns). Returns the report's computed columns (all but ``sku_id``
    and the kept ones) and the new state, as arrays.
    """
    ids = _sku_ids(source)
    decided = _ranks(graded, "tier", 0)
    joined = source.micros("joined_at").values if "joined_at" in source else None
    old = _state_of(state)
    new, rows = _fold_all(ids, decided, joined=joined, old=old, when=when, rule=rule, path="run_period_columns.as_of")
    scores = {name: graded.ints(name, 2, low=0, high=10_000).values for name in SCORE_COLUMNS}
    inputs = Inputs(source, when)
    for name, values in scores.items():
        inputs.set(name, Input(UNITS[name], numbers=IntColumn(values)))
    effective = rows["effective"]
    n = source.length
    perks: dict[str, NDArray[Any]] = {}
    for part in chunks(n, chunk_size):
        for name, values in resolve(inputs.view(part), effective[part], catalog, when).items():
            if name not in perks:
                perks[name] = np.empty(n, dtype=values.dtype)
            perks[name][part] = values
    if n == 0:
        perks = {name: values[:0] for name, values in resolve(inputs, effective, catalog, when).items()}
    report: dict[str, NDArray[Any]] = dict(scores)
    report["decided"] = rows["decided"]
    report["rule"] = graded.ints("tier_rule", 0, low=-1, high=2**15 - 1).values.astype(np.int16)
    report.update(rows)
    report.update(perks)
    return report, new.columns()


def run_period_columns(
    columns: Any,
    state: Any,
    *,
    as_of: datetime,
    period: str,
    models: Models | None = None,
    context: ScoringContext | None = None,
    currency: str = DEFAULT_CURRENCY,
    keep: Sequence[str] = (),
    chunk_size: int = DEFAULT_CHUNK_ROWS,
) -> PeriodColumns:
    """One grading period on columns: score and grade every row, fold the decided tiers into the state with
    hysteresis and the new-SKU window, and resolve the perks of each SKU's effective tier.

    Args:
        columns: The SKU rows, as for :func:`~fenxiao.columnar.run_pipeline` (a mapping of arrays or a pandas,
            polars or pyarrow frame), with ``sku_id`` (every SKU once) and, for the new-SKU window, ``joined_at``.
        state: The :data:`STATE_COLUMNS` the previous period returned (or :func:`state_columns` made), or ``None``
            before the first period.
        as_of: The moment of grading (timezone-aware): days since joining, campaign windows, the evaluation time.
        period: The period's id (``"2026-W48"``).
        models: The scorecards, tier policy and perk catalog; the defaults when ``None``. The policy's
            ``stability`` is the hysteresis the fold applies. Budgets are not allocated on the columnar path (the
            object path's :func:`fenxiao.periods.run.run_period` does it).
        context: The category benchmarks; built from all the rows when ``None``.
        currency: The rows' currency.
        keep: Input columns to carry into the report besides ``sku_id`` (when present).
        chunk_size: Rows processed at a time.

    Returns:
        A :class:`PeriodColumns`: the report and the new state, in the input's kind.

    Raises:
        InvalidValueError: A needed column is missing or out of its bounds, a SKU is listed twice, or *as_of* is
            before the previous evaluation of some SKUs.
        PolicyError: A row no tier rule matches, under a policy without a fallback.

    .. versionadded:: 0.1
    """
    chosen = _models(models)
    rule = chosen.policy.stability
    when = v.require_aware(as_of, "run_period_columns.as_of")
    _period_id(period, "run_period_columns.period")
    source, frame = read(columns, "columns")
    graded = _graded(
        columns, models=chosen, context=context, when=when, currency=currency, keep=(), chunk_size=chunk_size
    )
    graded_source, _ = read(graded, "graded")
    catalog = _catalog(chosen.perks)
    report, new = _conclude(
        source, graded_source, state=state, catalog=catalog, when=when, rule=rule, chunk_size=chunk_size
    )
    out_report = write(frame, source, report, ("sku_id", *keep))
    return PeriodColumns(period, when, chosen.describe(), out_report, _as_frame(frame, new))
