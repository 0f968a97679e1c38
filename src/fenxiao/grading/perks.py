"""Platform perks by tier (差异化的平台权益): perk kinds, catalogs and resolution.

L5 goods (精选好物) get the seed's four privileges: traffic boost (流量加持), an
exclusive badge (专属标识), official subsidy (官方补贴) and influencer-preferred
placement (达人优选); lower tiers get smaller, graded perks.

A :class:`PerkCatalog` lists entries, each granting one perk from a tier up.
Higher tiers inherit lower tiers' entries; within one *slot* (a kind, plus a
key such as the badge id or the subsidy budget) the kind's stacking rule
decides what is granted:

- ``strongest``: the strongest perk wins (largest boost, largest rank boost);
- ``sum``: the perks add up (subsidy rates and fixed amounts), capped by the kind;
- ``override``: the entry from the highest tier replaces the others.

Entries may carry an eligibility condition (the language of
:mod:`fenxiao.rules.language`, over :data:`PERK_INPUTS`: every tier input plus the
category, merchant standing and shop kind) and a campaign window.

Both paths read two rules from here: :func:`outside_window` (is a moment inside a campaign window) and
:func:`stacking_precedence` (which entry a slot grants); :mod:`fenxiao.columnar.perks` applies them to columns.
The default catalog is data: ``fenxiao/data/defaults/perks.toml``. Subsidy budgets are in
:mod:`fenxiao.grading.subsidies`.

>>> from fenxiao.grading.levels import Tier
>>> resolution = default_perk_catalog().resolve(Tier.L5, example_perk_inputs())
>>> sorted({g.perk.kind for g in resolution.granted} & set(SEED_PRIVILEGES))
['badge', 'influencer_preferred', 'subsidy', 'traffic_boost']
>>> [str(g.perk) for g in resolution.granted if g.perk.kind == "badge"]
['badge 精选好物 (icon badge-jingxuan)']

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import functools
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Context, Decimal, getcontext, localcontext
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Final,
    NamedTuple,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
    runtime_checkable,
)

import attrs

from fenxiao._internal import hooks, html
from fenxiao._internal import validators as v
from fenxiao._internal.defaults import read_default
from fenxiao._internal.validators import checks_arguments, checks_arguments_on_failure
from fenxiao.errors import InvalidValueError, PluginError, PolicyError
from fenxiao.grading.inputs import TIER_INPUTS, example_inputs
from fenxiao.grading.levels import Tier
from fenxiao.money import PPM, Money, Rate, Rounding
from fenxiao.rules.interpreter import evaluate, explain
from fenxiao.rules.language import All, AnyOf, Compare, Condition, InputKind, InputSpec, Not, Schema
from fenxiao.rules.table import HitPolicy, rows_bound, rule_list

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "MAX_ENTRIES",
    "PERK_INPUTS",
    "SEED_PRIVILEGES",
    "Access",
    "Badge",
    "DeniedPerk",
    "GrantedPerk",
    "InfluencerPreferred",
    "Perk",
    "PerkCatalog",
    "PerkEntry",
    "PerkResolution",
    "Stacking",
    "Subsidy",
    "TrafficBoost",
    "default_perk_catalog",
    "example_perk_inputs",
    "outside_window",
    "perk_kinds",
    "register_perk_kind",
    "resolve_perks",
    "stacking_precedence",
    "unregister_perk_kind",
]

P = ParamSpec("P")
R = TypeVar("R")

#: The most entries one catalog may hold.
MAX_ENTRIES: Final = 500
#: The kinds of the seed's four L5 privileges.
SEED_PRIVILEGES: Final = ("traffic_boost", "badge", "subsidy", "influencer_preferred")


class Stacking(enum.Enum):
    """How perks of one slot combine when several entries grant them."""

    STRONGEST = "strongest"
    SUM = "sum"
    OVERRIDE = "override"


@runtime_checkable
class Perk(Protocol):
    """What every perk kind offers: its kind name, its slot key, and a strength to compare by."""

    kind: ClassVar[str]
    stacking: ClassVar[Stacking]

    @property
    def key(self) -> str:
        """Perks with the same kind and key compete in one slot."""

    def strength(self) -> Decimal:
        """A number that grows with the perk's value (used by ``strongest`` and by monotonicity checks)."""


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@attrs.frozen
class TrafficBoost:
    """流量加持: an exposure multiplier for recommendation traffic (1 = no boost).

    >>> str(TrafficBoost(Decimal("1.5")))
    'traffic boost ×1.5'
    """

    kind: ClassVar[str] = "traffic_boost"
    stacking: ClassVar[Stacking] = Stacking.STRONGEST

    multiplier: Decimal = attrs.field(validator=v.decimal_between(Decimal(1), Decimal(100)))
    note: str = attrs.field(default="", validator=v.label)

    @property
    def key(self) -> str:
        """The slot key (see :class:`Perk`)."""
        return "traffic"

    def strength(self) -> Decimal:
        """How strong the perk is (see :class:`Perk`)."""
        return self.multiplier

    def __str__(self) -> str:
        return f"traffic boost ×{_plain(self.multiplier)}"


@attrs.frozen
class Badge:
    """专属标识: a label shown on the goods, with its icon id.

    Badges of one ``slot`` replace each other (the highest tier's wins); badges of different slots coexist.
    The default slot ``grade`` holds the grade badge, so an L5 SKU shows 精选好物, not L4's 行业爆款 too.
    """

    kind: ClassVar[str] = "badge"
    stacking: ClassVar[Stacking] = Stacking.OVERRIDE

    label: str = attrs.field(validator=v.text)
    icon: str = attrs.field(validator=v.identifier)
    slot: str = attrs.field(default="grade", validator=v.identifier)

    @property
    def key(self) -> str:
        """The slot key (see :class:`Perk`)."""
        return self.slot

    def strength(self) -> Decimal:
        """How strong the perk is (see :class:`Perk`)."""
        return Decimal(1)

    def __str__(self) -> str:
        return f"badge {self.label} (icon {self.icon})"


@attrs.frozen
class Subsidy:
    """官方补贴: the platform pays part of each order, from a named budget.

    Per order: ``rate`` × paid amount plus ``fixed``, at most ``cap`` (when given). Subsidies of one
    budget stack by summing (rates and fixed amounts add; the smallest cap holds).

    >>> s = Subsidy(budget="official", rate=Rate.of("5%"), cap=Money.of("20.00"))
    >>> str(s.amount_for(Money.of("99.90")))  # 4.995 rounds down: the platform never pays a part-fen up
    '¥4.99'
    >>> str(s.amount_for(Money.of("999.00")))
    '¥20.00'
    """

    kind: ClassVar[str] = "subsidy"
    stacking: ClassVar[Stacking] = Stacking.SUM

    budget: str = attrs.field(validator=v.identifier)
    rate: Rate = attrs.field(default=Rate.zero(), validator=v.rate)
    fixed: Money = attrs.field(default=Money(0), validator=v.money)
    cap: Money | None = attrs.field(default=None, validator=v.optional_money)

    def __attrs_post_init__(self) -> None:
        if self.rate.value == 0 and self.fixed.fen == 0:
            raise InvalidValueError("Subsidy.rate", self.rate, "a subsidy needs a rate or a fixed amount")
        if self.cap is not None and self.cap.currency != self.fixed.currency:
            raise InvalidValueError("Subsidy.cap", self.cap, f"must be in {self.fixed.currency}")

    @property
    def key(self) -> str:
        """The slot key (see :class:`Perk`)."""
        return self.budget

    def strength(self) -> Decimal:
        """How strong the perk is (see :class:`Perk`)."""
        # Comparable across subsidies of one budget: the subsidy on an order of 100 (in the subsidy's currency).
        currency = self.cap.currency if self.cap is not None else self.fixed.currency
        return self.amount_for(Money(10_000, currency)).yuan

    def amount_for(self, paid: Money) -> Money:
        """The subsidy on an order of *paid* goods amount: rate × paid (rounded down to the fen) + fixed, capped."""
        amount = paid.times(self.rate, rounding=Rounding.DOWN)
        if self.fixed.fen:
            amount = amount + self.fixed  # a fixed amount is in its own currency: mixing is refused
        if self.cap is not None and amount > self.cap:
            return self.cap
        return amount

    def combine(self, other: Subsidy) -> Subsidy:
        """Two subsidies of one budget as one: rates and fixed amounts add (rate at most 100%); smallest cap."""
        caps = [c for c in (self.cap, other.cap) if c is not None]
        rate = Rate.from_ppm(min(PPM, self.rate.ppm + other.rate.ppm))
        return Subsidy(self.budget, rate, self.fixed + other.fixed, min(caps) if caps else None)

    def __str__(self) -> str:
        parts = []
        if self.rate.value:
            parts.append(str(self.rate))
        if self.fixed.fen:
            parts.append(str(self.fixed))
        cap = f", at most {self.cap} per order" if self.cap is not None else ""
        return f"subsidy {' + '.join(parts)} from {self.budget}{cap}"


@attrs.frozen
class InfluencerPreferred:
    """达人优选: listed in the influencer-preferred (recommended) list, ranked up by ``rank_boost`` places."""

    kind: ClassVar[str] = "influencer_preferred"
    stacking: ClassVar[Stacking] = Stacking.STRONGEST

    rank_boost: int = attrs.field(default=0, validator=v.int_between(0, 1_000_000))

    @property
    def key(self) -> str:
        """The slot key (see :class:`Perk`)."""
        return "preferred"

    def strength(self) -> Decimal:
        """How strong the perk is (see :class:`Perk`)."""
        return Decimal(self.rank_boost)

    def __str__(self) -> str:
        return f"influencer-preferred (rank +{self.rank_boost})"


@attrs.frozen
class Access:
    """Access to a platform feature (listed in the pool, team-leader activities, selection center, hot-item channel)."""

    kind: ClassVar[str] = "access"
    stacking: ClassVar[Stacking] = Stacking.OVERRIDE

    feature: str = attrs.field(validator=v.identifier)
    label: str = attrs.field(default="", validator=v.label)

    @property
    def key(self) -> str:
        """The slot key (see :class:`Perk`)."""
        return self.feature

    def strength(self) -> Decimal:
        """How strong the perk is (see :class:`Perk`)."""
        return Decimal(1)

    def __str__(self) -> str:
        return f"access: {self.label or self.feature}"


# -- the registry of perk kinds ---------------------------------------------------------------------

_KINDS: dict[str, type[Any]] = {}
#: How many times a kind was registered or unregistered: a catalog's remembered outcomes (which read the kinds'
#: stacking) hold for one count.
_REGISTRATIONS: list[int] = [0]


@checks_arguments
def register_perk_kind(cls: type[Any], *, replace: bool = False) -> type[Any]:
    """Register a perk kind (an attrs class with ``kind``, ``stacking``, ``key`` and ``strength()``).

    Usable as a class decorator. A ``sum``-stacking kind must also define ``combine(other)``.

    Raises:
        PluginError: The class lacks part of the contract, or the kind name is taken (without *replace*).
    """
    name = getattr(cls, "kind", None)
    if not isinstance(name, str) or not name:
        raise PluginError(repr(cls), None, "a perk kind needs a class attribute 'kind' (its name)")
    if not isinstance(getattr(cls, "stacking", None), Stacking):
        raise PluginError(name, None, "a perk kind needs a class attribute 'stacking' (a Stacking)")
    if not attrs.has(cls):
        raise PluginError(name, None, "a perk kind must be an attrs class (so catalogs can load it)")
    if not callable(getattr(cls, "strength", None)) or not hasattr(cls, "key"):
        raise PluginError(name, None, "a perk kind needs 'key' and 'strength()'")
    if getattr(cls, "stacking", None) is Stacking.SUM and not callable(getattr(cls, "combine", None)):
        raise PluginError(name, None, "a 'sum' perk kind needs 'combine(other)'")
    if name in _KINDS and _KINDS[name] is not cls and not replace:
        raise PluginError(name, None, "a perk kind of this name is already registered")
    _KINDS[name] = cls
    _REGISTRATIONS[0] += 1
    return cls


@checks_arguments
def unregister_perk_kind(name: str) -> None:
    """Remove a registered perk kind (the built-in ones cannot be removed).

    Raises:
        PluginError: *name* is not registered, or is built in.
    """
    if name in _BUILT_IN:
        raise PluginError(name, None, "built-in perk kinds cannot be unregistered")
    if name not in _KINDS:
        raise PluginError(name, None, "no perk kind of this name is registered")
    del _KINDS[name]
    _REGISTRATIONS[0] += 1


@checks_arguments
def perk_kinds() -> Mapping[str, type[Any]]:
    """The registered perk kinds by name."""
    return dict(_KINDS)


for _kind in (TrafficBoost, Badge, Subsidy, InfluencerPreferred, Access):
    register_perk_kind(_kind)
_BUILT_IN: Final = frozenset(_KINDS)


# -- catalogs ---------------------------------------------------------------------------------------

#: Inputs perk conditions may name: every tier input, plus the SKU's category and its merchant.
PERK_INPUTS: Final = Schema.of(
    *TIER_INPUTS.inputs.values(),
    InputSpec("category_id", kind=InputKind.TEXT, better=None, description="third-level category id"),
    InputSpec("category_level1", kind=InputKind.TEXT, better=None, description="first-level category name"),
    InputSpec("merchant_standing", kind=InputKind.TEXT, better=None, description="normal, warned, ..."),
    InputSpec("shop_kind", kind=InputKind.TEXT, better=None, description="flagship, official, ..."),
)


def _check_perk(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Perk) or type(value).kind not in _KINDS:
        raise PolicyError("PerkEntry.perk", value, "must be a perk of a registered kind")


def _optional_condition(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, (Compare, All, AnyOf, Not)):
        raise PolicyError(v.path_of(instance, attribute), value, "must be a condition (Compare, All, AnyOf or Not)")


@attrs.frozen
class PerkEntry:
    """One catalog entry: *perk* for goods of *tier* and above, when eligible.

    Args:
        name: A unique name (reasons cite it).
        tier: The lowest tier granted it (higher tiers inherit it).
        perk: The perk.
        when: An eligibility condition over :data:`PERK_INPUTS`, or ``None`` (always eligible).
        valid_from, valid_until: A campaign window (timezone-aware, ``valid_until`` exclusive), or ``None``.
        inherit: ``False`` grants it at exactly *tier* only.
    """

    name: str = attrs.field(validator=v.identifier)
    tier: Tier = attrs.field(validator=v.member_of(Tier))
    perk: Any = attrs.field(validator=_check_perk)
    when: Condition | None = attrs.field(default=None, validator=_optional_condition)
    valid_from: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    inherit: bool = attrs.field(default=True, validator=v.boolean)

    def __attrs_post_init__(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise PolicyError("PerkEntry.valid_until", self.valid_until, "must be after valid_from")


# -- the two rules both paths read: campaign windows and the stacking precedence -------------------------


@checks_arguments_on_failure
def outside_window(valid_from: datetime | None, valid_until: datetime | None, at: datetime | None) -> str | None:
    """Why *at* is outside the campaign window from *valid_from* until *valid_until* (exclusive), or ``None``.

    A window with neither bound holds every moment (and no moment); a window with a bound holds no moment when
    *at* is ``None``. :func:`resolve_perks` denies an entry with this reason; the columnar path and subsidy
    budgets read the same rule.

    >>> from datetime import UTC
    >>> start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 12, tzinfo=UTC)
    >>> outside_window(start, end, start) is None, outside_window(None, None, None) is None
    (True, True)
    >>> outside_window(start, end, end)
    'campaign ended 2026-11-12T00:00:00+00:00'
    >>> outside_window(start, None, None)
    'campaign window, and no time was given'
    """
    if valid_from is None and valid_until is None:
        if at is not None and not isinstance(at, datetime):  # no window: nothing compares it to fail on
            raise InvalidValueError("outside_window.at", at, "must be a datetime or None")
        return None
    if at is None:
        return "campaign window, and no time was given"
    if valid_from is not None and at < valid_from:
        return f"campaign starts {valid_from.isoformat()}"
    if valid_until is not None and at >= valid_until:
        return f"campaign ended {valid_until.isoformat()}"
    return None


@checks_arguments_on_failure
def stacking_precedence(stacking: Stacking, entry: PerkEntry, index: int) -> tuple[Decimal | int, ...]:
    """The key that picks the entry a slot grants: of the slot's eligible entries, the one with the largest key.

    ``strongest``: the largest ``strength()``, then the higher tier, then the earlier entry (*index* is the entry's
    place in ``catalog.entries``); ``override``, and the entry a ``sum`` names: the higher tier, then the later
    entry. :func:`resolve_perks` and the columnar path both sort by it.

    >>> strong = PerkEntry("strong", Tier.L1, TrafficBoost(Decimal(3)))
    >>> high = PerkEntry("high", Tier.L4, TrafficBoost(Decimal(2)))
    >>> stacking_precedence(Stacking.STRONGEST, strong, 0) > stacking_precedence(Stacking.STRONGEST, high, 1)
    True
    >>> stacking_precedence(Stacking.OVERRIDE, strong, 0) > stacking_precedence(Stacking.OVERRIDE, high, 1)
    False
    """
    if type(index) is not int and (isinstance(index, bool) or not isinstance(index, int)):
        raise InvalidValueError("stacking_precedence.index", index, "must be a whole number (the entry's place)")
    if stacking is Stacking.STRONGEST:
        return (entry.perk.strength(), entry.tier.rank, -index)
    if stacking is not Stacking.OVERRIDE and stacking is not Stacking.SUM:
        raise InvalidValueError("stacking_precedence.stacking", stacking, "must be a Stacking")
    return (entry.tier.rank, index)


def _renamed_keyword(old: str, new: str, where: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept keyword *old* as a deprecated name of *new* (warning ``DeprecationWarning``)."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def renamed(*args: P.args, **kwargs: P.kwargs) -> R:
            if old in kwargs:
                if new in kwargs:
                    raise InvalidValueError(f"{where}.{old}", kwargs[old], f"is the old name of {new}: give only {new}")
                warnings.warn(f"{where}({old}=...) is deprecated; use {new}=...", DeprecationWarning, stacklevel=2)
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return renamed

    return decorate


# -- resolution -------------------------------------------------------------------------------------


@attrs.frozen
class GrantedPerk:
    """A perk granted, with the entry it came from and why."""

    perk: Any
    entry: str
    source_tier: Tier
    reason: str


@attrs.frozen
class DeniedPerk:
    """A catalog entry not granted, and why.

    ``code`` says which kind of reason: ``above-tier`` (the entry starts above the SKU's tier, or is for
    exactly another tier), ``window`` (outside its campaign window), ``ineligible`` (its condition fails) or
    ``outstacked`` (another entry of the same slot wins); ``reason`` says it for people.
    """

    entry: str
    perk: Any
    reason: str
    code: str = "ineligible"


@attrs.frozen(slots=False)  # a __dict__: resolve_perks() may leave the denied entries to be built when first read
class PerkResolution:
    """What one SKU gets: the perks granted (one per slot) and the entries denied, each with a reason.

    A resolution from :func:`resolve_perks` builds its ``denied`` entries (and their reasons) the first time they
    are read; equality, hashing, ``repr``, :func:`attrs.asdict`, :func:`attrs.evolve`, pickling and serialization
    read (and so build) them. The result is the same, value for value, as if they had been built at once.
    """

    tier: Tier
    granted: tuple[GrantedPerk, ...]
    denied: tuple[DeniedPerk, ...]
    sku_id: str | None = None

    def _repr_html_(self) -> str:
        """HTML for notebooks (Jupyter calls it): the key figures, every text escaped."""
        return html.perks_html(self)

    def __repr__(self) -> str:
        """A one-line repr of what identifies the value (its full form is long; ``attrs.asdict`` has it all)."""
        return html.short_repr(
            self,
            sku_id=self.sku_id,
            tier=self.tier.value,
            granted=[g.entry for g in self.granted],
            denied=len(self.denied),
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer: the short repr."""
        html.pretty(self, printer, cycle)

    def kinds(self) -> frozenset[str]:
        """The kinds granted."""
        return frozenset(g.perk.kind for g in self.granted)

    def of_kind(self, kind: str) -> tuple[Any, ...]:
        """The granted perks of one kind."""
        return tuple(g.perk for g in self.granted if g.perk.kind == kind)

    def __getstate__(self) -> dict[str, object]:
        """Pickle the denied entries themselves, not what they would be built from."""
        _deny_now(self.__dict__)
        return dict(self.__dict__)


#: Why an entry is denied, before its DeniedPerk is built: (code, entry, detail), where detail is the ready reason
#: ("above-tier", "window"), the failed condition's explanation ("ineligible") or (rule, winner) ("outstacked").
_Denial = tuple[str, "PerkEntry", Any]


class _Unexplained(NamedTuple):
    """A failed one-comparison condition, before it is explained: its value and the decimal context it was compared
    under (see :func:`_resolve_checked`)."""

    condition: Compare
    actual: object
    context: Context

    def explain(self) -> Any:
        """The condition's explanation, as explain() gave it when it was compared."""
        with localcontext(self.context):
            return explain(self.condition, {self.condition.input: self.actual})


def _denied_perk(code: str, entry: PerkEntry, detail: Any) -> DeniedPerk:
    """The DeniedPerk of one pending denial (see :data:`_Denial`)."""
    if code == "ineligible" and type(detail) is _Unexplained:
        detail = detail.explain()
    if code == "ineligible":
        why = "; ".join(str(c) for c in detail.unmet()) or str(entry.when)
        return DeniedPerk(entry.name, entry.perk, f"not eligible: {why}")
    if code == "outstacked":
        rule, winner = detail
        return DeniedPerk(entry.name, entry.perk, f"{rule}: {winner} is granted instead", code)
    return DeniedPerk(entry.name, entry.perk, detail, code)


def _deny_now(fields: dict[str, object]) -> None:
    """Build a pending resolution's denied entries."""
    pending = fields.get("_pending_denied")
    if pending is None:
        return
    if type(pending) is tuple:  # a catalog's remembered denials, and the explanations of this SKU's unmet conditions
        denials, failed = pending
        pending = [(code, e, failed[detail] if code == "ineligible" else detail) for code, e, detail in denials]
    fields["denied"] = tuple(_denied_perk(*d) for d in cast("list[_Denial]", pending))
    fields.pop("_pending_denied", None)  # last: a reader that finds none finds denied


def _read_denied(resolution: PerkResolution) -> object:
    # -> object, as TierDecision's deferred fields: the attribute's type is the field's (tuple[DeniedPerk, ...])
    fields = resolution.__dict__
    if "_pending_denied" in fields:
        _deny_now(fields)
    return fields["denied"]


# attrs stores fields in the instance __dict__; this data descriptor (which takes precedence) reads it there.
setattr(PerkResolution, "denied", property(_read_denied, doc="The entries denied, each with why."))  # noqa: B010
_NEW_RESOLUTION: Final = object.__new__


@attrs.frozen
class PerkCatalog:
    """Which perks each tier gets: entries with inheritance, stacking, eligibility and windows.

    Raises:
        PolicyError: Duplicate entry names, too many entries, an unknown perk kind, or a condition
            naming an unknown input (with the path, e.g. ``PerkCatalog.entries[3].when.input``).
    """

    #: Every entry whose condition holds grants its perk (within its stacking slot).
    hit: ClassVar[HitPolicy] = HitPolicy.COLLECT
    entries: tuple[PerkEntry, ...] = attrs.field(
        converter=v.to_tuple,
        validator=rule_list(
            "PerkCatalog.entries", PerkEntry, PERK_INPUTS, limit=MAX_ENTRIES, noun="entry", always=True
        ),
        metadata=rows_bound(MAX_ENTRIES, "entry"),
    )
    name: str = attrs.field(default="custom", validator=v.label)
    version: str = attrs.field(default="1", validator=v.label)
    # What resolve_perks worked out for this catalog, by tier, moment and conditions met (see _outcome).
    _outcomes: dict[Any, Any] = attrs.field(init=False, factory=dict, repr=False, eq=False)

    @_renamed_keyword("context", "inputs", "PerkCatalog.resolve")
    def resolve(self, tier: Tier, inputs: Mapping[str, object], *, at: datetime | None = None) -> PerkResolution:
        """Resolve the perks of a SKU of *tier*; see :func:`resolve_perks`.

        .. versionchanged:: 0.1
           *context* is now *inputs*; ``context=`` still works, with a :class:`DeprecationWarning`.
        """
        return resolve_perks(self, tier, inputs, at=at)


@_renamed_keyword("context", "inputs", "resolve_perks")
@checks_arguments
def resolve_perks(
    catalog: PerkCatalog,
    tier: Tier,
    inputs: Mapping[str, object],
    *,
    at: datetime | None = None,
    sku_id: str | None = None,
) -> PerkResolution:
    """The perks a SKU of *tier* gets under *catalog*, each with its reason, and the entries denied with why.

    Args:
        catalog: The perk catalog.
        tier: The SKU's tier (e.g. ``decision.tier``).
        inputs: Values for the inputs the catalog's conditions name (see :data:`PERK_INPUTS` and
            :func:`example_perk_inputs`).
        at: The moment (timezone-aware) campaign windows are checked at; entries with a window are denied
            without it.
        sku_id: Recorded on the resolution.

    Pure: the same arguments always give the same resolution, in catalog order.

    .. versionchanged:: 0.1
       *context* is now *inputs*; ``context=`` still works, with a :class:`DeprecationWarning`.
    """
    if not isinstance(tier, Tier):
        raise InvalidValueError("resolve_perks.tier", tier, "must be a Tier")
    v.require_mapping(inputs, "resolve_perks.inputs")
    when = v.require_aware(at, "resolve_perks.at") if at is not None else None
    return _resolve_checked(catalog, tier, inputs, when, sku_id)


def _resolve_checked(
    catalog: PerkCatalog, tier: Tier, inputs: Mapping[str, object], when: datetime | None, sku_id: str | None
) -> PerkResolution:
    """:func:`resolve_perks` of arguments already checked: a :class:`PerkCatalog`, a :class:`Tier`, a mapping, an
    aware moment or ``None`` (the grading pipeline's own, which it built)."""
    # Only the conditions depend on the inputs: which entries of the tier (in their window) have one is worked out
    # once per catalog, tier and moment, and what the catalog grants and denies once per set of conditions met.
    outcomes = catalog._outcomes
    conditional = outcomes.get((tier, when))
    if conditional is None or outcomes.get(None) != _REGISTRATIONS[0]:
        if len(outcomes) > _MAX_OUTCOMES or outcomes.get(None) != _REGISTRATIONS[0]:
            outcomes.clear()  # a long simulation grades at many moments (keep it small); a kind was registered
            outcomes[None] = _REGISTRATIONS[0]
        conditional = outcomes[(tier, when)] = _conditional(catalog, tier, when)
    entries = catalog.entries
    met = 0
    failed: dict[int, Any] = {}
    for bit, index in enumerate(conditional):
        condition = entries[index].when
        if type(condition) is Compare:
            # One comparison: evaluate() makes the one lookup and comparison explain() would make (the same errors);
            # a failed one is explained from the value it compared when the denied entries are read.
            if evaluate(condition, inputs):
                met |= 1 << bit
            else:
                failed[index] = _Unexplained(condition, inputs[condition.input], getcontext())
            continue
        explanation = explain(condition, inputs)
        if explanation.passed:
            met |= 1 << bit
        else:
            failed[index] = explanation
    key = (tier, when, met)
    outcome = outcomes.get(key)
    if outcome is None:
        outcome = outcomes[key] = _outcome(catalog, tier, when, set(failed))
    granted, denials = outcome
    # The denials in their order, each ineligible one with this SKU's explanation of its unmet condition: put
    # together when the resolution's denied entries are first read (see _deny_now).
    return _pending_resolution(tier, granted, (denials, failed) if failed else denials, sku_id)


#: The most (tier, moment[, conditions met]) keys a catalog remembers before it starts over.
_MAX_OUTCOMES: Final = 512


def _conditional(catalog: PerkCatalog, tier: Tier, when: datetime | None) -> tuple[int, ...]:
    """The indexes of the entries *tier* may get at *when* (not above it, in their window) that have a condition."""
    return tuple(
        index
        for index, entry in enumerate(catalog.entries)
        if not (entry.tier > tier or (not entry.inherit and entry.tier != tier))
        and outside_window(entry.valid_from, entry.valid_until, when) is None
        and entry.when is not None
    )


def _outcome(
    catalog: PerkCatalog, tier: Tier, when: datetime | None, failed: set[int]
) -> tuple[tuple[GrantedPerk, ...], list[_Denial]]:
    """What *catalog* grants a SKU of *tier* at *when* whose conditions all hold except those of the entries at
    the indexes *failed*, and the entries it denies (an ineligible one's detail is its index, for the SKU's own
    explanation)."""
    candidates: list[tuple[int, PerkEntry, str]] = []
    denied: list[_Denial] = []
    for index, entry in enumerate(catalog.entries):
        if entry.tier > tier or (not entry.inherit and entry.tier != tier):
            where = "above" if entry.tier > tier else "only at"
            denied.append(("above-tier", entry, f"{where} {entry.tier.value}; the SKU is {tier.value}"))
            continue
        outside = outside_window(entry.valid_from, entry.valid_until, when)
        if outside is not None:
            denied.append(("window", entry, outside))
            continue
        if index in failed:
            denied.append(("ineligible", entry, index))
            continue
        how = "own tier" if entry.tier == tier else f"inherited from {entry.tier.value}"
        candidates.append((index, entry, how))
    slots: dict[tuple[str, str], list[tuple[int, PerkEntry, str]]] = {}
    for item in candidates:
        perk = item[1].perk
        slots.setdefault((perk.kind, perk.key), []).append(item)
    granted: list[tuple[int, GrantedPerk]] = []
    for (kind, _), items in slots.items():
        stacking = _KINDS[kind].stacking
        index, entry, how = max(items, key=lambda it: stacking_precedence(stacking, it[1], it[0]))
        if stacking is Stacking.SUM and len(items) > 1:
            combined = items[0][1].perk
            for _, other, _ in items[1:]:
                combined = combined.combine(other.perk)
            names = " + ".join(e.name for _, e, _ in items)
            granted.append((items[0][0], GrantedPerk(combined, entry.name, entry.tier, f"sum of {names}")))
            continue
        rule = "strongest wins" if stacking is Stacking.STRONGEST else "highest tier overrides"
        reason = f"{entry.name} ({how})" + (f"; {rule} over {len(items) - 1} other" if len(items) > 1 else "")
        granted.append((index, GrantedPerk(entry.perk, entry.name, entry.tier, reason)))
        for _, other, _ in items:
            if other is not entry:
                denied.append(("outstacked", other, (rule, entry.name)))
    granted.sort(key=lambda g: g[0])
    return tuple(g for _, g in granted), denied


def _pending_resolution(
    tier: Tier,
    granted: tuple[GrantedPerk, ...],
    denied: list[_Denial] | tuple[list[_Denial], dict[int, Any]],
    sku_id: str | None,
) -> PerkResolution:
    """A PerkResolution whose denied entries come later (see _read_denied): its fields set in its __dict__ as attrs'
    __init__ of a frozen dict class sets them (it has no validators to run)."""
    resolution: PerkResolution = _NEW_RESOLUTION(PerkResolution)
    fields = resolution.__dict__
    fields["tier"] = tier
    fields["granted"] = granted
    fields["sku_id"] = sku_id
    if denied:
        fields["_pending_denied"] = denied
    else:
        fields["denied"] = ()
    return resolution


@checks_arguments
def example_perk_inputs(**overrides: object) -> dict[str, object]:
    """Neutral perk-condition inputs: :func:`fenxiao.grading.tiers.example_inputs` plus a category and a merchant.

    *overrides* replace any of them (tier inputs are read as :func:`~fenxiao.grading.tiers.example_inputs` reads
    them).

    >>> inputs = example_perk_inputs(merchant_standing="warned")
    >>> inputs["merchant_standing"], inputs["category_id"], inputs["days_since_joining"]
    ('warned', 'c-dress', 30)

    .. versionadded:: 0.1
       Replaces ``example_context()``, which still works, with a :class:`DeprecationWarning`.
    """
    base: dict[str, object] = {
        "category_id": "c-dress",
        "category_level1": "服饰内衣",
        "merchant_standing": "normal",
        "shop_kind": "ordinary",
    }
    tier_over = {k: v_ for k, v_ in overrides.items() if k in TIER_INPUTS}
    base.update(example_inputs(**tier_over))
    base.update({k: v_ for k, v_ in overrides.items() if k not in TIER_INPUTS})
    return base


def example_context(**overrides: object) -> dict[str, object]:
    """Deprecated name of :func:`example_perk_inputs` (``context`` means the scoring context in fenxiao).

    .. deprecated:: 0.2
       Use :func:`example_perk_inputs`.
    """
    warnings.warn(
        "fenxiao.grading.perks.example_context() is deprecated; use example_perk_inputs()",
        DeprecationWarning,
        stacklevel=2,
    )
    return example_perk_inputs(**overrides)


# -- the default catalog: data/defaults/perks.toml ----------------------------------------------------


@functools.cache
def default_perk_catalog() -> PerkCatalog:
    """The default perks, read once from ``fenxiao/data/defaults/perks.toml`` (DOMAIN.md; editable as data).

    ===  =======================================================================================
    L0   cold-start exposure: traffic boost ×1.2 while new (days_since_joining < 14) — 新品曝光;
         listed in the selection pool (access ``pool``: goods enter the pool on joining; the pool lists
         exactly the goods granted it, see :func:`fenxiao.market.pool.is_listed`)
    L1   nothing more (listed, selling)
    L2   traffic boost ×1.05; eligible for team-leader activities (access ``leader_activities``)
    L3   traffic boost ×1.1; recommended in the selection center (access ``selection_center``);
         influencer-preferred, rank +1
    L4   traffic boost ×1.3; hot-item channel (access ``hot_item_channel``); badge 行业爆款;
         influencer-preferred, rank +5
    L5   the four privileges: traffic boost ×2 (流量加持); exclusive badge 精选好物 (专属标识);
         official subsidy 5% of the paid amount, at most ¥20 per order, from budget
         ``official-subsidy`` (官方补贴); influencer-preferred, rank +20 (达人优选).
         Not for merchants whose standing is not normal.
    ===  =======================================================================================

    Higher tiers inherit lower tiers' entries; traffic boost and influencer-preferred keep the
    strongest, badges and access features accumulate (one per id). The catalog is frozen and the same
    value on every call. To change it, copy the file, edit it and read it with
    ``fenxiao.serialization.load(path, PerkCatalog)``.

    >>> default_perk_catalog().name, default_perk_catalog().version, len(default_perk_catalog().entries)
    ('default', '2026.12', 15)
    """
    return read_default("perks.toml", PerkCatalog)


# -- the file form of a perk entry: a perk is a table with a 'kind' ----------------------------------------------


@hooks.register
def _teach(converter: cattrs.Converter) -> None:
    import cattrs

    def structure_perk(value: object, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise InvalidValueError("@", value, "must be a table with a 'kind'")
        kind = value.get("kind")
        known = perk_kinds()
        if kind not in known:
            names = ", ".join(repr(k) for k in sorted(known))
            raise InvalidValueError("@.kind", kind, f"must be one of {names}")
        fields = {k: v for k, v in value.items() if k != "kind"}
        return converter.structure(fields, known[str(kind)])

    def unstructure_perk(perk: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": perk.kind}
        data.update(converter.unstructure(perk, type(perk)))
        return data

    entry_structure = cattrs.gen.make_dict_structure_fn(
        PerkEntry, converter, _cattrs_forbid_extra_keys=True, perk=cattrs.gen.override(struct_hook=structure_perk)
    )

    def structure_entry(value: object, _: Any) -> PerkEntry:
        if not isinstance(value, Mapping):
            raise InvalidValueError("PerkEntry", value, "must be a table/object of PerkEntry fields")
        return entry_structure(value, PerkEntry)

    converter.register_structure_hook(PerkEntry, structure_entry)
    # An entry, a granted perk and a denied one write their perk the same way: a table with its 'kind'.
    for holder in (PerkEntry, GrantedPerk, DeniedPerk):
        converter.register_unstructure_hook(
            holder,
            cattrs.gen.make_dict_unstructure_fn(
                holder, converter, perk=cattrs.gen.override(unstruct_hook=unstructure_perk)
            ),
        )
    for outcome in (GrantedPerk, DeniedPerk):
        read = cattrs.gen.make_dict_structure_fn(
            outcome, converter, _cattrs_forbid_extra_keys=True, perk=cattrs.gen.override(struct_hook=structure_perk)
        )

        def structure_outcome(value: object, cls: Any, read: Any = read) -> Any:
            if not isinstance(value, Mapping):
                raise InvalidValueError(cls.__name__, value, f"must be a table/object of {cls.__name__} fields")
            return read(value, cls)

        converter.register_structure_hook(outcome, structure_outcome)
