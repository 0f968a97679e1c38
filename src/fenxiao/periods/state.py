"""What carries from one grading to the next: :class:`SkuState` (one SKU's effective tier and the run of low
grades that may demote it) and :class:`ProgramState` (every SKU's state, the budgets' spend and the periods run).

A :class:`SkuState` holds exactly the fields of :class:`~fenxiao.grading.history.TierHistory` plus the SKU's id
and join date, so a state folds a decision exactly as a history does (:meth:`SkuState.record`), and the columnar
path keeps the same fields as columns (:mod:`fenxiao.columnar.periods`).

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.grading.levels import Tier
>>> t0 = datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=8)))
>>> state = SkuState("sku-1", joined_at=t0 - timedelta(days=30))
>>> state = state.record(t0, Tier.L4).record(t0 + timedelta(days=1), Tier.L3)
>>> state.effective, state.below_count, state.held
(<Tier.L4: 'L4'>, 1, True)

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.frames import rows_to_frame
from fenxiao._internal.trusted import builder
from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import BudgetBook
from fenxiao.grading.history import Stability, TierChange, TierHistory
from fenxiao.grading.levels import Tier

__all__ = ["ProgramState", "SkuState"]


_history: Final = builder(TierHistory)
_DEFAULT_STABILITY: Final = Stability()


_optional_tier = v.optional_instance_of(Tier)
_changes = v.tuple_of(TierChange)


@attrs.frozen
class SkuState:
    """One SKU's standing between gradings: its effective tier, the run of lower grades, its join date and changes.

    The fields after ``sku_id`` are those of :class:`~fenxiao.grading.history.TierHistory` (without its
    ``stability``, which the program holds once for every SKU) and ``joined_at``, the start of the new-SKU window.
    """

    sku_id: str = attrs.field(validator=v.identifier)
    effective: Tier | None = attrs.field(default=None, validator=_optional_tier)
    below_since: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    below_count: int = attrs.field(default=0, validator=v.count)
    below_best: Tier | None = attrs.field(default=None, validator=_optional_tier)
    last_at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    joined_at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    changes: tuple[TierChange, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_changes)

    @property
    def held(self) -> bool:
        """Graded below its effective tier at least once without being demoted yet (hysteresis holds it)."""
        return self.below_count > 0

    def history(self, stability: Stability | None = None) -> TierHistory:
        """This state as a :class:`~fenxiao.grading.history.TierHistory` under *stability* (the default when None)."""
        if stability is None:
            stability = _DEFAULT_STABILITY
        elif not isinstance(stability, Stability):
            raise InvalidValueError("SkuState.history.stability", stability, "must be a Stability or None")
        # The fields are this validated state's: the history is built without checking them again.
        return _history(
            stability, self.effective, self.changes, self.below_since, self.below_count, self.below_best, self.last_at
        )

    @classmethod
    def from_history(cls, sku_id: str, history: TierHistory, *, joined_at: datetime | None = None) -> SkuState:
        """The state of *sku_id* that *history* describes."""
        return cls(
            sku_id,
            history.effective,
            history.below_since,
            history.below_count,
            history.below_best,
            history.last_at,
            joined_at,
            history.changes,
        )

    def record(self, at: datetime, decided: Tier, *, stability: Stability | None = None, reason: str = "") -> SkuState:
        """Fold one dated decision, exactly as :meth:`TierHistory.record` does (with this state's join date).

        Raises:
            InvalidValueError: *at* is naive or before the previous evaluation, or *decided* is not a Tier.
        """
        history = self.history(stability).record(at, decided, reason, joined_at=self.joined_at)
        return SkuState.from_history(self.sku_id, history, joined_at=self.joined_at)


def _sku_states(value: Mapping[str, SkuState] | Iterable[SkuState]) -> Mapping[str, SkuState]:
    given: object = value
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise InvalidValueError("ProgramState.skus", value, "must be a mapping or a list of SkuState")
    items = value.values() if isinstance(value, Mapping) else value
    result: dict[str, SkuState] = {}
    for i, state in enumerate(items):
        if not isinstance(state, SkuState):
            raise InvalidValueError(f"ProgramState.skus[{i}]", state, "must be a SkuState")
        if state.sku_id in result:
            raise InvalidValueError(f"ProgramState.skus[{i}].sku_id", state.sku_id, "is listed twice")
        result[state.sku_id] = state
    return dict(sorted(result.items()))


def _periods(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.identifiers(instance, attribute, value)


@attrs.frozen
class ProgramState:
    """Everything that carries between gradings: each SKU's :class:`SkuState`, the budgets' spend, the periods run.

    How grades are kept from flapping is a rule of the tier policy (:attr:`TierPolicy.stability
    <fenxiao.grading.tiers.TierPolicy.stability>`), not part of the state: a period folds with the policy in force.

    ``skus`` is keyed by SKU id (built from a mapping or from any iterable of states; kept sorted by id so that
    equal states compare and serialize equal). ``as_of`` is the moment of the last period run (a later period
    must not be earlier). ``periods`` lists the ids of the periods run, oldest first.
    """

    skus: Mapping[str, SkuState] = attrs.field(factory=dict, converter=_sku_states)
    budgets: BudgetBook = attrs.field(factory=BudgetBook, validator=v.instance_of(BudgetBook))
    periods: tuple[str, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_periods)
    as_of: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)

    def sku(self, sku_id: str) -> SkuState:
        """The state of *sku_id* (a fresh one for a SKU never graded)."""
        found = self.skus.get(sku_id)
        return found if found is not None else SkuState(sku_id)

    def tier_counts(self) -> dict[Tier, int]:
        """How many SKUs hold each effective tier (tiers held by none are listed with 0)."""
        counts = dict.fromkeys(Tier, 0)
        for state in self.skus.values():
            if state.effective is not None:
                counts[state.effective] += 1
        return counts

    def to_rows(self) -> list[dict[str, object]]:
        """One flat dict per SKU: tiers as ``"L3"`` (``None`` when never graded), times as datetimes."""
        return [
            {
                "sku_id": s.sku_id,
                "effective": s.effective.value if s.effective is not None else None,
                "below_since": s.below_since,
                "below_count": s.below_count,
                "below_best": s.below_best.value if s.below_best is not None else None,
                "last_at": s.last_at,
                "joined_at": s.joined_at,
                "changes": len(s.changes),
            }
            for s in self.skus.values()
        ]

    def to_frame(self, backend: str = "pandas", *, exact: bool = False) -> Any:
        """:meth:`to_rows` as a pandas, polars or pyarrow frame (needs narwhals and that library).

        Labelled for analysis (``fenxiao._internal.frames``: tiers with ranks, money in fen and yuan, Decimals
        as floats); ``exact=True`` keeps the exact values (Decimals, integer fen).

        Raises:
            MissingExtraError: narwhals or the frame library is not installed.
        """
        columns = ["sku_id", "effective", "below_since", "below_count", "below_best", "last_at", "joined_at", "changes"]
        return rows_to_frame(self.to_rows(), columns, backend, "ProgramState.to_frame", exact=exact)
