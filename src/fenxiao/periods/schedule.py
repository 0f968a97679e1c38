"""Policy schedules: which scorecards, tier policy, perk catalog and budgets are in force at each moment.

A :class:`Schedule` holds dated versions of each kind of model (:class:`ScheduledScorecards`,
:class:`ScheduledPolicy`, :class:`ScheduledPerks`, :class:`ScheduledBudgets`). A version is in force from its
``effective_from`` (inclusive) until the next version of its kind takes effect, or until its own
``effective_until`` (exclusive) when it has one. A kind with no entries is the library default throughout
(:class:`~fenxiao.periods.models.Models` with that field left out). :meth:`Schedule.select` chooses the versions in
force at a moment, with which entry each came from and since when; :meth:`Schedule.announce` adds a change ahead of
its date; :meth:`Schedule.upcoming` lists what is announced and not yet in force; :func:`lint_schedule` checks a
schedule for overlapping and missing coverage. See ``docs/schedules.md``.

>>> from datetime import datetime, timedelta, timezone
>>> import attrs
>>> from fenxiao.grading.tiers import default_tier_policy
>>> cst = timezone(timedelta(hours=8))
>>> november = ScheduledPolicy(datetime(2026, 11, 1, tzinfo=cst), default_tier_policy())
>>> schedule = Schedule(policies=(november,))
>>> moved = attrs.evolve(default_tier_policy(), version="2027.01")
>>> december = ScheduledPolicy(datetime(2026, 12, 1, tzinfo=cst), moved)
>>> schedule = schedule.announce(december, at=datetime(2026, 11, 10, tzinfo=cst))
>>> schedule.select_models(datetime(2026, 11, 30, 23, 59, tzinfo=cst)).policy.version
'2026.12'
>>> schedule.select_models(datetime(2026, 12, 1, tzinfo=cst)).policy.version
'2027.01'

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Final, TypeAlias

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.lint import lint_policy
from fenxiao.grading.perks import PerkCatalog
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.grading.tiers import TierPolicy
from fenxiao.periods.models import Models
from fenxiao.rules.table import Finding, Severity, as_member, sorted_findings
from fenxiao.scoring.scorecards import Scorecards

__all__ = [
    "ModelKind",
    "Schedule",
    "ScheduleEntry",
    "ScheduleSelection",
    "ScheduledBudgets",
    "ScheduledPerks",
    "ScheduledPolicy",
    "ScheduledScorecards",
    "VersionInForce",
    "lint_schedule",
]

#: The longest note an entry may carry.
MAX_NOTE: Final = 1000
_SPACE: Final = 0x20  # characters below it are control characters (newlines and tabs allowed in a note)


class ModelKind(enum.StrEnum):
    """The four kinds of model a schedule dates; each member's text is the :class:`Models` field it fills."""

    SCORECARDS = "scorecards"
    POLICY = "policy"
    PERKS = "perks"
    BUDGETS = "budgets"

    @property
    def field(self) -> str:
        """The :class:`Schedule` field that lists this kind's entries (``policies`` for ``policy``)."""
        return _FIELDS[self]


_FIELDS: Final = {
    ModelKind.SCORECARDS: "scorecards",
    ModelKind.POLICY: "policies",
    ModelKind.PERKS: "perks",
    ModelKind.BUDGETS: "budgets",
}
_KIND_ORDER: Final = {kind: i for i, kind in enumerate(ModelKind)}


# -- entries ------------------------------------------------------------------------------------------------


def _note(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, str):
        raise InvalidValueError(path, value, "must be a string")
    if len(value) > MAX_NOTE:
        raise InvalidValueError(path, value, f"must be at most {MAX_NOTE} characters")
    if any(ord(c) < _SPACE and c not in "\n\t" for c in value):
        raise InvalidValueError(path, value, "must not contain control characters")


def _until(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.optional_aware_datetime(instance, attribute, value)
    if isinstance(value, datetime) and value <= instance.effective_from:
        problem = f"must be after effective_from ({instance.effective_from.isoformat()})"
        raise InvalidValueError(v.path_of(instance, attribute), value, problem)


def _effective_until() -> Any:
    return attrs.field(default=None, validator=_until)


def _announced_at() -> Any:
    return attrs.field(default=None, validator=v.optional_aware_datetime)


def _note_field() -> Any:
    return attrs.field(default="", validator=_note)


@attrs.frozen
class ScheduledScorecards:
    """A set of scorecards and the moment it takes effect.

    Args:
        effective_from: When this version takes effect (inclusive; timezone-aware).
        scorecards: The scorecards in force from then on.
        effective_until: When it stops (exclusive), if before the next version takes effect; ``None``: until the
            next version.
        announced_at: When the change was announced (a change announced ahead takes effect after it).
        note: For people: what changed and why.

    Every entry class has the class attribute ``kind`` (its :class:`ModelKind`) and the property ``model`` (its
    model, whatever the field is called).

    Raises:
        InvalidValueError: A naive moment, ``effective_until`` not after ``effective_from``, a note that is too
            long or holds control characters.

    .. versionadded:: 0.1
    """

    kind: ClassVar[ModelKind] = ModelKind.SCORECARDS
    effective_from: datetime = attrs.field(validator=v.aware_datetime)
    scorecards: Scorecards = attrs.field(validator=v.instance_of(Scorecards))
    effective_until: datetime | None = _effective_until()
    announced_at: datetime | None = _announced_at()
    note: str = _note_field()

    @property
    def model(self) -> Scorecards:
        """The scorecards (every entry names its model ``model``, whatever its kind)."""
        return self.scorecards


@attrs.frozen
class ScheduledPolicy:
    """A tier policy and the moment it takes effect (fields as :class:`ScheduledScorecards`).

    .. versionadded:: 0.1
    """

    kind: ClassVar[ModelKind] = ModelKind.POLICY
    effective_from: datetime = attrs.field(validator=v.aware_datetime)
    policy: TierPolicy = attrs.field(validator=v.instance_of(TierPolicy))
    effective_until: datetime | None = _effective_until()
    announced_at: datetime | None = _announced_at()
    note: str = _note_field()

    @property
    def model(self) -> TierPolicy:
        """The tier policy."""
        return self.policy


@attrs.frozen
class ScheduledPerks:
    """A perk catalog and the moment it takes effect (fields as :class:`ScheduledScorecards`).

    .. versionadded:: 0.1
    """

    kind: ClassVar[ModelKind] = ModelKind.PERKS
    effective_from: datetime = attrs.field(validator=v.aware_datetime)
    perks: PerkCatalog = attrs.field(validator=v.instance_of(PerkCatalog))
    effective_until: datetime | None = _effective_until()
    announced_at: datetime | None = _announced_at()
    note: str = _note_field()

    @property
    def model(self) -> PerkCatalog:
        """The perk catalog."""
        return self.perks


def _budget_set(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidValueError(path, value, "must be a tuple of SubsidyBudget")
    names: set[str] = set()
    for i, budget in enumerate(value):
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError(f"{path}[{i}]", budget, "must be a SubsidyBudget")
        if budget.name in names:
            raise InvalidValueError(f"{path}[{i}].name", budget.name, "is a duplicate budget name")
        names.add(budget.name)


@attrs.frozen
class ScheduledBudgets:
    """A set of subsidy budgets and the moment it takes effect (fields as :class:`ScheduledScorecards`).

    An empty set is a version too: from then on no subsidy is granted. A budget keeps what it has spent (in the
    program state's book) across versions as long as its name stays; a new name starts a fresh budget.

    .. versionadded:: 0.1
    """

    kind: ClassVar[ModelKind] = ModelKind.BUDGETS
    effective_from: datetime = attrs.field(validator=v.aware_datetime)
    budgets: tuple[SubsidyBudget, ...] = attrs.field(converter=v.to_tuple, validator=_budget_set)
    effective_until: datetime | None = _effective_until()
    announced_at: datetime | None = _announced_at()
    note: str = _note_field()

    @property
    def model(self) -> tuple[SubsidyBudget, ...]:
        """The budgets."""
        return self.budgets


#: Any dated version a schedule holds.
ScheduleEntry: TypeAlias = ScheduledScorecards | ScheduledPolicy | ScheduledPerks | ScheduledBudgets

_ENTRY_TYPES: Final[dict[ModelKind, type[Any]]] = {
    ModelKind.SCORECARDS: ScheduledScorecards,
    ModelKind.POLICY: ScheduledPolicy,
    ModelKind.PERKS: ScheduledPerks,
    ModelKind.BUDGETS: ScheduledBudgets,
}


# -- when each entry is in force --------------------------------------------------------------------------


@attrs.frozen
class _Claim:
    """The span an entry claims: ``[start, end)``, ``end`` ``None`` for open-ended."""

    index: int
    start: datetime
    end: datetime | None

    def holds(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


def _claims(entries: Sequence[ScheduleEntry]) -> list[_Claim]:
    """Each entry's span, in order of taking effect: to its own ``effective_until``, else to the next start."""
    starts = sorted({e.effective_from for e in entries})
    claims = []
    for index, entry in enumerate(entries):
        end = entry.effective_until
        if end is None:
            end = next((s for s in starts if s > entry.effective_from), None)
        claims.append(_Claim(index, entry.effective_from, end))
    return sorted(claims, key=lambda c: (c.start, c.index))


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    """The earlier of two ends, ``None`` being the open end (later than any moment)."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _shown(moment: datetime | None) -> str:
    return "on" if moment is None else moment.isoformat()


def _overlaps(
    claims: Sequence[_Claim], lo: datetime | None, hi: datetime | None
) -> list[tuple[_Claim, _Claim, datetime]]:
    """Each pair of claims in force together somewhere in ``[lo, hi)``, with the first such moment."""
    found = []
    for i, first in enumerate(claims):
        for second in claims[i + 1 :]:
            start = max(first.start, second.start) if lo is None else max(first.start, second.start, lo)
            end = _earlier(_earlier(first.end, second.end), hi)
            if end is None or start < end:
                found.append((first, second, start))
    return found


def _gaps(claims: Sequence[_Claim], lo: datetime, hi: datetime | None) -> list[tuple[datetime, datetime | None]]:
    """The spans of ``[lo, hi)`` no claim covers (``None`` as an end: open)."""
    gaps: list[tuple[datetime, datetime | None]] = []
    cursor: datetime | None = lo
    for claim in claims:
        if cursor is None or (hi is not None and cursor >= hi):
            return gaps
        if claim.start > cursor:
            gaps.append((cursor, _earlier(claim.start, hi)))
        if claim.end is None:
            cursor = None
        elif claim.end > cursor:
            cursor = claim.end
    if cursor is not None and (hi is None or cursor < hi):
        gaps.append((cursor, hi))
    return gaps


def _kind(value: object, path: str) -> ModelKind:
    kind = as_member(ModelKind, value)
    if not isinstance(kind, ModelKind):
        names = ", ".join(repr(k.value) for k in ModelKind)
        raise InvalidValueError(path, value, f"must be one of {names}")
    return kind


def _entry_list(kind: ModelKind) -> Callable[[object, attrs.Attribute[Any], object], None]:
    cls = _ENTRY_TYPES[kind]

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        path = v.path_of(instance, attribute)
        if not isinstance(value, tuple):
            raise InvalidValueError(path, value, f"must be a tuple of {cls.__name__}")
        for i, entry in enumerate(value):
            if not isinstance(entry, cls):
                raise InvalidValueError(f"{path}[{i}]", entry, f"must be a {cls.__name__}")

    return check


# -- what is in force -------------------------------------------------------------------------------------


@attrs.frozen
class VersionInForce:
    """Which version of one kind of model is in force at a moment, and since when (what a period report records).

    Attributes:
        kind: Which kind of model.
        at: The moment asked about.
        index: The entry's position in the schedule's list of its kind (``policies[index]``), or ``None`` when
            the kind has no entries and the library default is in force.
        entry: That entry, or ``None``.
        until: When it stops being in force: its ``effective_until`` or the next version's ``effective_from``;
            ``None`` while nothing ends it.
    """

    kind: ModelKind
    at: datetime
    index: int | None = None
    entry: ScheduleEntry | None = None
    until: datetime | None = None

    @property
    def since(self) -> datetime | None:
        """The entry's ``effective_from``; ``None`` for the library default."""
        return None if self.entry is None else self.entry.effective_from

    @property
    def path(self) -> str:
        """Where the version comes from: ``policies[1]``, or ``default`` for the library default."""
        return "default" if self.index is None else f"{self.kind.field}[{self.index}]"

    @property
    def model(self) -> Scorecards | TierPolicy | PerkCatalog | tuple[SubsidyBudget, ...]:
        """The model in force: the entry's, or the library default."""
        if self.entry is not None:
            return self.entry.model
        chosen: Scorecards | TierPolicy | PerkCatalog | tuple[SubsidyBudget, ...] = getattr(Models(), self.kind.value)
        return chosen

    def describe(self) -> str:
        """Where the version comes from, for people and reports: ``policies[1] since 2026-12-01T00:00:00+08:00``."""
        if self.entry is None:
            return "library default"
        until = "" if self.until is None else f" until {self.until.isoformat()}"
        return f"{self.path} since {self.entry.effective_from.isoformat()}{until}"


@attrs.frozen
class ScheduleSelection:
    """The models in force at one moment and, for each kind, the version they came from.

    Attributes:
        at: The moment.
        models: The models to grade with.
        versions: Each kind's :class:`VersionInForce`, in :class:`ModelKind` order.
    """

    at: datetime
    models: Models
    versions: Mapping[ModelKind, VersionInForce]

    def describe(self) -> dict[str, str]:
        """Each model's name and version and where it came from, as a period report records them.

        ``{"policy": "default@2026.12 (policies[1] since 2026-12-01T00:00:00+08:00)", ...}``.
        """
        names = self.models.describe()
        return {kind.value: f"{names[kind.value]} ({self.versions[kind].describe()})" for kind in ModelKind}


# -- the schedule -----------------------------------------------------------------------------------------


@attrs.frozen
class Schedule:
    """Dated versions of the scorecards, tier policy, perk catalog and budgets: the program's models over time.

    Entries may be listed in any order; a kind with no entries is the library default at every moment. A moment
    must be covered by exactly one version of each kind that has entries: before the first, in a gap after an
    ``effective_until``, or where two versions overlap, :meth:`select` raises (:func:`lint_schedule` finds those
    spans ahead of time).

    Args:
        scorecards: :class:`ScheduledScorecards` entries.
        policies: :class:`ScheduledPolicy` entries.
        perks: :class:`ScheduledPerks` entries.
        budgets: :class:`ScheduledBudgets` entries.

    .. versionadded:: 0.1
    """

    scorecards: tuple[ScheduledScorecards, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=_entry_list(ModelKind.SCORECARDS)
    )
    policies: tuple[ScheduledPolicy, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=_entry_list(ModelKind.POLICY)
    )
    perks: tuple[ScheduledPerks, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=_entry_list(ModelKind.PERKS)
    )
    budgets: tuple[ScheduledBudgets, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=_entry_list(ModelKind.BUDGETS)
    )

    def entries_of(self, kind: ModelKind | str) -> tuple[ScheduleEntry, ...]:
        """The entries of one kind (``"policy"`` gives :attr:`policies`), in the order listed."""
        entries: tuple[ScheduleEntry, ...] = getattr(self, _kind(kind, "Schedule.entries_of.kind").field)
        return entries

    @property
    def start(self) -> datetime | None:
        """The earliest ``effective_from`` of any entry: when the schedule begins (``None`` when it is empty)."""
        starts = [e.effective_from for kind in ModelKind for e in self.entries_of(kind)]
        return min(starts) if starts else None

    def select_version(self, kind: ModelKind | str, at: datetime) -> VersionInForce:
        """Choose the version of one kind in force at *at*: the entry with the latest ``effective_from`` not after
        *at*, unless its ``effective_until`` has passed.

        Raises:
            PolicyError: No version of *kind* is in force at *at* (before its first entry, or in a gap after an
                ``effective_until``), or two are (an overlap); the path names the kind's list.
            InvalidValueError: *at* is naive, or *kind* is not a :class:`ModelKind`.
        """
        kind = _kind(kind, "Schedule.select_version.kind")
        when = v.require_aware(at, "Schedule.select_version.at")
        entries = self.entries_of(kind)
        if not entries:
            return VersionInForce(kind, when)
        claims = _claims(entries)
        holding = [c for c in claims if c.holds(when)]
        field = kind.field
        if len(holding) > 1:
            both = " and ".join(f"{field}[{c.index}]" for c in holding)
            problem = f"{both} are all in force at {when.isoformat()}: the {kind.value} schedule overlaps"
            raise PolicyError(f"Schedule.{field}", when, problem)
        if not holding:
            raise PolicyError(f"Schedule.{field}", when, _uncovered(kind, claims, when))
        (claim,) = holding
        return VersionInForce(kind, when, claim.index, entries[claim.index], claim.end)

    def select(self, at: datetime) -> ScheduleSelection:
        """Choose every kind's version in force at *at*: the models to grade with, and where each came from.

        Raises:
            PolicyError: Some kind has no version, or two, in force at *at* (the first such kind, in
                :class:`ModelKind` order).
            InvalidValueError: *at* is naive.
        """
        when = v.require_aware(at, "Schedule.select.at")
        versions = {kind: self.select_version(kind, when) for kind in ModelKind}
        chosen: dict[str, Any] = {
            kind.value: found.entry.model for kind, found in versions.items() if found.entry is not None
        }
        return ScheduleSelection(when, Models(**chosen), versions)

    def select_models(self, at: datetime) -> Models:
        """The models in force at *at* (:meth:`select` without the explanation).

        Raises:
            PolicyError: As :meth:`select`.
        """
        return self.select(at).models

    def announce(self, entry: ScheduleEntry, *, at: datetime | None = None) -> Schedule:
        """A new schedule with *entry* added: a change announced at *at*, taking effect later.

        *at* is when the change is announced; it may be left out when the entry's ``announced_at`` says it. The
        entry the new schedule holds carries ``announced_at``.

        Raises:
            PolicyError: The entry takes effect at or before its announcement, or it would be in force together with
                an entry the schedule already has (names that entry).
            InvalidValueError: *entry* is not a schedule entry, neither *at* nor ``entry.announced_at`` is given,
                or they differ.
        """
        if not isinstance(entry, tuple(_ENTRY_TYPES.values())):
            names = ", ".join(t.__name__ for t in _ENTRY_TYPES.values())
            raise InvalidValueError("Schedule.announce.entry", entry, f"must be one of {names}")
        when = _announced(entry, at)
        if entry.effective_from <= when:
            problem = f"must be after the announcement at {when.isoformat()}: announce a change ahead of its date"
            raise PolicyError("Schedule.announce.entry.effective_from", entry.effective_from, problem)
        kind = entry.kind
        existing = self.entries_of(kind)
        entries = (*existing, attrs.evolve(entry, announced_at=when))
        new = len(existing)
        for first, second, moment in _overlaps(_claims(entries), None, None):
            if new in (first.index, second.index):
                other = second.index if first.index == new else first.index
                problem = f"would be in force together with {kind.field}[{other}] at {moment.isoformat()}"
                raise PolicyError("Schedule.announce.entry", entry.effective_from, problem)
        return attrs.evolve(self, **{kind.field: entries})

    def upcoming(self, at: datetime) -> tuple[ScheduleEntry, ...]:
        """The changes announced by *at* that take effect after it: what an operator tells merchants at *at*.

        An entry without ``announced_at`` counts as announced. In order of taking effect (then by kind).

        Raises:
            InvalidValueError: *at* is naive.
        """
        when = v.require_aware(at, "Schedule.upcoming.at")
        found = [
            (entry.effective_from, _KIND_ORDER[kind], index, entry)
            for kind in ModelKind
            for index, entry in enumerate(self.entries_of(kind))
            if entry.effective_from > when and (entry.announced_at is None or entry.announced_at <= when)
        ]
        return tuple(item[3] for item in sorted(found, key=lambda item: item[:3]))


def _announced(entry: ScheduleEntry, at: datetime | None) -> datetime:
    if at is None:
        if entry.announced_at is None:
            raise InvalidValueError("Schedule.announce.at", at, "is required when the entry has no announced_at")
        return entry.announced_at
    when = v.require_aware(at, "Schedule.announce.at")
    if entry.announced_at is not None and entry.announced_at != when:
        problem = f"differs from the entry's announced_at ({entry.announced_at.isoformat()})"
        raise InvalidValueError("Schedule.announce.at", at, problem)
    return when


def _uncovered(kind: ModelKind, claims: Sequence[_Claim], at: datetime) -> str:
    """Why no version of *kind* is in force at *at*: before the first, or after one ended."""
    field, moment = kind.field, at.isoformat()
    if at < claims[0].start:
        first = claims[0]
        first_at = first.start.isoformat()
        return f"no {kind.value} version is in force at {moment}: the first, {field}[{first.index}], starts {first_at}"
    ended = max((c for c in claims if c.end is not None and c.end <= at), key=lambda c: (c.end, c.index))
    later = [c for c in claims if c.start > at]
    after = f"; {field}[{later[0].index}] takes effect at {later[0].start.isoformat()}" if later else ""
    return (
        f"no {kind.value} version is in force at {moment}: {field}[{ended.index}] ended at {_shown(ended.end)}{after}"
    )


# -- lint -------------------------------------------------------------------------------------------------


@checks_arguments
def lint_schedule(
    schedule: Schedule, *, start: datetime | None = None, end: datetime | None = None
) -> tuple[Finding, ...]:
    """Static checks of a schedule over ``[start, end)``, each finding with its place and severity (errors first).

    Without *start* the range begins when the schedule does (its earliest entry of any kind); without *end* it
    has no end. Overlaps and gaps are looked for inside the range only: a schedule has none exactly when
    :meth:`Schedule.select` succeeds at every moment of the range.

    - ``overlap`` (error): two versions of a kind in force at one moment (the same ``effective_from``, or an
      ``effective_until`` after the next version's ``effective_from``); the example is the first such moment.
    - ``gap`` (error): moments of the range no version of a kind covers (before its first entry, or after an
      ``effective_until`` before the next version); the example is the first uncovered moment.
    - ``announced-late`` (warning): an entry announced after it took effect.
    - ``never-open`` (warning): a budget, or a perk catalog entry, whose window closes before its version takes
      effect or opens only after it stops: it grants nothing while that version is in force.
    - ``unscheduled`` (info): a kind with no entries (the library default is in force throughout).
    - Each tier policy's own lint (:func:`fenxiao.grading.lint.lint_policy`), its paths under
      ``policies[i].policy``.

    Raises:
        InvalidValueError: *start* or *end* is naive, or *end* is not after *start*.
    """
    lo = v.require_aware(start, "lint_schedule.start") if start is not None else schedule.start
    hi = v.require_aware(end, "lint_schedule.end") if end is not None else None
    if start is not None and hi is not None and hi <= start:
        raise InvalidValueError("lint_schedule.end", end, f"must be after start ({start.isoformat()})")
    findings: list[Finding] = []
    for kind in ModelKind:
        entries = schedule.entries_of(kind)
        field = kind.field
        if not entries:
            message = f"no {kind.value} entries: the library default is in force throughout"
            findings.append(Finding(field, Severity.INFO, "unscheduled", message))
            continue
        claims = _claims(entries)
        for first, second, moment in _overlaps(claims, lo, hi):
            later, earlier = (
                (second, first) if (second.start, second.index) > (first.start, first.index) else (first, second)
            )
            message = (
                f"in force together with {field}[{earlier.index}] from {moment.isoformat()}: "
                "selecting a version then is ambiguous"
            )
            findings.append(Finding(f"{field}[{later.index}]", Severity.ERROR, "overlap", message, (("at", moment),)))
        if lo is not None and (hi is None or lo < hi):
            for gap_start, gap_end in _gaps(claims, lo, hi):
                until = "on" if gap_end is None else f"until {gap_end.isoformat()}"
                message = f"no {kind.value} version is in force from {gap_start.isoformat()} {until}"
                findings.append(Finding(field, Severity.ERROR, "gap", message, (("at", gap_start),)))
        for claim in claims:
            entry = entries[claim.index]
            findings.extend(_entry_findings(f"{field}[{claim.index}]", entry, claim))
    return sorted_findings(findings)


def _entry_findings(path: str, entry: ScheduleEntry, claim: _Claim) -> list[Finding]:
    findings: list[Finding] = []
    if entry.announced_at is not None and entry.announced_at > entry.effective_from:
        message = (
            f"announced at {entry.announced_at.isoformat()}, after it took effect at {entry.effective_from.isoformat()}"
        )
        findings.append(Finding(f"{path}.announced_at", Severity.WARNING, "announced-late", message))
    if isinstance(entry, ScheduledPolicy):
        findings.extend(attrs.evolve(f, path=f"{path}.policy.{f.path}") for f in lint_policy(entry.policy))
    elif isinstance(entry, ScheduledBudgets):
        for i, budget in enumerate(entry.budgets):
            if _never_open(budget.valid_from, budget.valid_until, claim):
                what = f"budget {budget.name!r}"
                findings.append(
                    _never_open_finding(f"{path}.budgets[{i}]", what, budget.valid_from, budget.valid_until, claim)
                )
    elif isinstance(entry, ScheduledPerks):
        for i, perk in enumerate(entry.perks.entries):
            if _never_open(perk.valid_from, perk.valid_until, claim):
                what = f"perk entry {perk.name!r}"
                findings.append(
                    _never_open_finding(f"{path}.perks.entries[{i}]", what, perk.valid_from, perk.valid_until, claim)
                )
    return findings


def _never_open(valid_from: datetime | None, valid_until: datetime | None, claim: _Claim) -> bool:
    closes_before = valid_until is not None and valid_until <= claim.start
    opens_after = valid_from is not None and claim.end is not None and valid_from >= claim.end
    return closes_before or opens_after


def _never_open_finding(
    path: str, what: str, valid_from: datetime | None, valid_until: datetime | None, claim: _Claim
) -> Finding:
    opens = "" if valid_from is None else f" from {valid_from.isoformat()}"
    closes = "" if valid_until is None else f" until {valid_until.isoformat()}"
    window = f"open{opens}{closes}"
    span = f"from {claim.start.isoformat()} until {_shown(claim.end)}"
    message = f"{what} is {window}, never while this version is in force ({span}): it grants nothing"
    return Finding(path, Severity.WARNING, "never-open", message)
