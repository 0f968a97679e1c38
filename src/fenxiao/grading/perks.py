"""Platform perks by tier (差异化的平台权益): perk kinds, catalogs, resolution, and subsidy budgets.

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

>>> from fenxiao.grading.tiers import Tier
>>> resolution = default_perk_catalog().resolve(Tier.L5, example_context())
>>> sorted({g.perk.kind for g in resolution.granted} & set(SEED_PRIVILEGES))
['badge', 'influencer_preferred', 'subsidy', 'traffic_boost']
>>> [str(g.perk) for g in resolution.granted if g.perk.kind == "badge"]
['badge 精选好物 (icon badge-jingxuan)']

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Final, Protocol, runtime_checkable

import attrs

from fenxiao._internal import hooks
from fenxiao._internal import validators as v
from fenxiao.errors import InvalidValueError, PluginError, PolicyError
from fenxiao.grading.tiers import TIER_INPUTS, Tier, example_inputs
from fenxiao.money import Money, Rate, Rounding
from fenxiao.rules.interpreter import explain
from fenxiao.rules.language import Compare, Condition, InputKind, InputSpec, Op, Schema, check

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "MAX_ENTRIES",
    "PERK_INPUTS",
    "SEED_PRIVILEGES",
    "Access",
    "Badge",
    "BudgetAllocation",
    "DeniedPerk",
    "GrantedPerk",
    "InfluencerPreferred",
    "Perk",
    "PerkCatalog",
    "PerkEntry",
    "PerkResolution",
    "Stacking",
    "Subsidy",
    "SubsidyBudget",
    "SubsidyGrant",
    "SubsidyRequest",
    "TrafficBoost",
    "allocate_subsidies",
    "apply_subsidy",
    "default_perk_catalog",
    "example_context",
    "perk_kinds",
    "register_perk_kind",
    "resolve_perks",
    "subsidy_requests",
    "unregister_perk_kind",
]

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


@attrs.frozen
class TrafficBoost:
    """流量加持: an exposure multiplier for recommendation traffic (1 = no boost).

    >>> str(TrafficBoost(Decimal("1.5")))
    'traffic boost ×1.5'
    """

    kind: ClassVar[str] = "traffic_boost"
    stacking: ClassVar[Stacking] = Stacking.STRONGEST

    multiplier: Decimal = attrs.field(validator=v.decimal_between(Decimal(1), Decimal(100)))
    note: str = ""

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
        rate = Rate(min(Decimal(1), self.rate.value + other.rate.value))
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
    label: str = ""

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
    return cls


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
    when: Condition | None = None
    valid_from: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    inherit: bool = attrs.field(default=True, validator=v.boolean)

    def __attrs_post_init__(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise PolicyError("PerkEntry.valid_until", self.valid_until, "must be after valid_from")


def _check_entries(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise PolicyError("PerkCatalog.entries", value, "must be a list of entries")
    if len(value) > MAX_ENTRIES:
        raise PolicyError("PerkCatalog.entries", len(value), f"holds more than {MAX_ENTRIES} entries")
    seen: set[str] = set()
    for i, entry in enumerate(value):
        if not isinstance(entry, PerkEntry):
            raise PolicyError(f"PerkCatalog.entries[{i}]", entry, "must be a PerkEntry")
        if entry.name in seen:
            raise PolicyError(f"PerkCatalog.entries[{i}].name", entry.name, "is used by an earlier entry")
        seen.add(entry.name)
        if entry.when is not None:
            check(entry.when, PERK_INPUTS, f"PerkCatalog.entries[{i}].when")


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


@attrs.frozen
class PerkResolution:
    """What one SKU gets: the perks granted (one per slot) and the entries denied, each with a reason."""

    tier: Tier
    granted: tuple[GrantedPerk, ...]
    denied: tuple[DeniedPerk, ...]
    sku_id: str | None = None

    def kinds(self) -> frozenset[str]:
        """The kinds granted."""
        return frozenset(g.perk.kind for g in self.granted)

    def of_kind(self, kind: str) -> tuple[Any, ...]:
        """The granted perks of one kind."""
        return tuple(g.perk for g in self.granted if g.perk.kind == kind)


@attrs.frozen
class PerkCatalog:
    """Which perks each tier gets: entries with inheritance, stacking, eligibility and windows.

    Raises:
        PolicyError: Duplicate entry names, too many entries, an unknown perk kind, or a condition
            naming an unknown input (with the path, e.g. ``PerkCatalog.entries[3].when.input``).
    """

    entries: tuple[PerkEntry, ...] = attrs.field(converter=v.to_tuple, validator=_check_entries)
    name: str = "custom"
    version: str = "1"

    def resolve(self, tier: Tier, context: Mapping[str, object], *, at: datetime | None = None) -> PerkResolution:
        """Resolve the perks of a SKU of *tier*; see :func:`resolve_perks`."""
        return resolve_perks(self, tier, context, at=at)


def resolve_perks(
    catalog: PerkCatalog,
    tier: Tier,
    context: Mapping[str, object],
    *,
    at: datetime | None = None,
    sku_id: str | None = None,
) -> PerkResolution:
    """The perks a SKU of *tier* gets under *catalog*, each with its reason, and the entries denied with why.

    Args:
        catalog: The perk catalog.
        tier: The SKU's tier (e.g. ``decision.tier``).
        context: Values for the inputs the catalog's conditions name (see :data:`PERK_INPUTS`).
        at: The moment (timezone-aware) for campaign windows; entries with a window are denied without it.
        sku_id: Recorded on the resolution.

    Pure: the same arguments always give the same resolution, in catalog order.
    """
    if not isinstance(tier, Tier):
        raise InvalidValueError("resolve_perks.tier", tier, "must be a Tier")
    when = v.require_aware(at, "resolve_perks.at") if at is not None else None
    candidates: list[tuple[int, PerkEntry, str]] = []
    denied: list[DeniedPerk] = []
    for index, entry in enumerate(catalog.entries):
        if entry.tier > tier or (not entry.inherit and entry.tier != tier):
            where = "above" if entry.tier > tier else "only at"
            denied.append(
                DeniedPerk(entry.name, entry.perk, f"{where} {entry.tier.value}; the SKU is {tier.value}", "above-tier")
            )
            continue
        if entry.valid_from is not None or entry.valid_until is not None:
            if when is None:
                denied.append(DeniedPerk(entry.name, entry.perk, "campaign window, and no time was given", "window"))
                continue
            if entry.valid_from is not None and when < entry.valid_from:
                denied.append(
                    DeniedPerk(entry.name, entry.perk, f"campaign starts {entry.valid_from.isoformat()}", "window")
                )
                continue
            if entry.valid_until is not None and when >= entry.valid_until:
                denied.append(
                    DeniedPerk(entry.name, entry.perk, f"campaign ended {entry.valid_until.isoformat()}", "window")
                )
                continue
        if entry.when is not None:
            explanation = explain(entry.when, context)
            if not explanation.passed:
                why = "; ".join(str(c) for c in explanation.unmet()) or str(entry.when)
                denied.append(DeniedPerk(entry.name, entry.perk, f"not eligible: {why}"))
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
        if stacking is Stacking.SUM and len(items) > 1:
            combined = items[0][1].perk
            for _, entry, _ in items[1:]:
                combined = combined.combine(entry.perk)
            names = " + ".join(e.name for _, e, _ in items)
            top = max(items, key=lambda it: (it[1].tier, it[0]))
            granted.append((items[0][0], GrantedPerk(combined, top[1].name, top[1].tier, f"sum of {names}")))
            continue
        if stacking is Stacking.OVERRIDE:
            winner = max(items, key=lambda it: (it[1].tier, it[0]))
            rule = "highest tier overrides"
        else:
            winner = max(items, key=lambda it: (it[1].perk.strength(), it[1].tier, -it[0]))
            rule = "strongest wins"
        index, entry, how = winner
        reason = f"{entry.name} ({how})" + (f"; {rule} over {len(items) - 1} other" if len(items) > 1 else "")
        granted.append((index, GrantedPerk(entry.perk, entry.name, entry.tier, reason)))
        for _, other, _ in items:
            if other is not entry:
                denied.append(
                    DeniedPerk(other.name, other.perk, f"{rule}: {entry.name} is granted instead", "outstacked")
                )
    granted.sort(key=lambda g: g[0])
    return PerkResolution(tier, tuple(g for _, g in granted), tuple(denied), sku_id)


def example_context(**overrides: object) -> dict[str, object]:
    """Neutral perk-condition inputs (see :func:`fenxiao.grading.tiers.example_inputs`) with a category and merchant."""
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


def default_perk_catalog() -> PerkCatalog:
    """The default perks (DOMAIN.md; the lower tiers' perks are documented defaults, editable as data).

    ===  =======================================================================================
    L0   cold-start exposure: traffic boost ×1.2 while new (days_since_joining < 14) — 新品曝光
    L1   listed in the selection pool (access ``pool``)
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
    strongest, badges and access features accumulate (one per id).
    """
    normal = Compare("merchant_standing", Op.EQ, "normal")
    entries = (
        PerkEntry(
            "cold-start",
            Tier.L0,
            TrafficBoost(Decimal("1.2"), "new-product exposure"),
            when=Compare("days_since_joining", Op.LT, Decimal(14)),
        ),
        PerkEntry("pool", Tier.L1, Access("pool", "listed in the selection pool")),
        PerkEntry("l2-boost", Tier.L2, TrafficBoost(Decimal("1.05"))),
        PerkEntry("leader-activities", Tier.L2, Access("leader_activities", "eligible for team-leader activities")),
        PerkEntry("l3-boost", Tier.L3, TrafficBoost(Decimal("1.1"))),
        PerkEntry("selection-center", Tier.L3, Access("selection_center", "recommended in the selection center")),
        PerkEntry("l3-preferred", Tier.L3, InfluencerPreferred(1)),
        PerkEntry("l4-boost", Tier.L4, TrafficBoost(Decimal("1.3"))),
        PerkEntry("hot-item-channel", Tier.L4, Access("hot_item_channel", "hot-item channel")),
        PerkEntry("hot-item-badge", Tier.L4, Badge("行业爆款", "badge-baokuan")),
        PerkEntry("l4-preferred", Tier.L4, InfluencerPreferred(5)),
        PerkEntry("traffic-boost", Tier.L5, TrafficBoost(Decimal(2), "流量加持")),
        PerkEntry("exclusive-badge", Tier.L5, Badge("精选好物", "badge-jingxuan")),
        PerkEntry(
            "official-subsidy",
            Tier.L5,
            Subsidy("official-subsidy", rate=Rate.of("5%"), cap=Money.of("20.00")),
            when=normal,
        ),
        PerkEntry("influencer-preferred", Tier.L5, InfluencerPreferred(20)),
    )
    return PerkCatalog(entries=entries, name="default", version="2026.11")


# -- subsidy budgets ----------------------------------------------------------------------------------


@attrs.frozen
class SubsidyBudget:
    """A subsidy budget for a campaign or period: a name, a total, and an optional window."""

    name: str = attrs.field(validator=v.identifier)
    total: Money = attrs.field(validator=v.money)
    valid_from: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    valid_until: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)


def _request_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # Request ids join an order id and a budget name ("o-1:official-subsidy"), so they may be longer than an id.
    if not isinstance(value, str) or not value or len(value) > 200 or any(ord(c) < 33 for c in value):
        raise InvalidValueError("SubsidyRequest.request_id", value, "must be 1-200 printable characters")


@attrs.frozen
class SubsidyRequest:
    """A request to draw a subsidy for one order (or SKU) from a budget.

    ``tier`` and ``score`` order the requests when demand exceeds the budget.
    """

    request_id: str = attrs.field(validator=_request_id)
    budget: str = attrs.field(validator=v.identifier)
    amount: Money = attrs.field(validator=v.money)
    tier: Tier = attrs.field(validator=v.member_of(Tier))
    score: Decimal = attrs.field(default=Decimal(0), validator=v.decimal_between(Decimal(0), Decimal(100)))
    sku_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)


@attrs.frozen
class SubsidyGrant:
    """What one request got: the amount granted (possibly partial or zero) and why."""

    request_id: str
    budget: str
    requested: Money
    granted: Money
    reason: str

    @property
    def partial(self) -> bool:
        """Granted something, but less than asked."""
        return Money(0, self.granted.currency) < self.granted < self.requested


@attrs.frozen
class BudgetAllocation:
    """The outcome of :func:`allocate_subsidies`: every grant in allocation order and what each budget has left."""

    grants: tuple[SubsidyGrant, ...]
    remaining: Mapping[str, Money]

    def granted_total(self, budget: str) -> Money:
        """The total granted from one budget."""
        amounts = [g.granted for g in self.grants if g.budget == budget]
        return sum(amounts, Money(0, amounts[0].currency)) if amounts else Money(0)


def _priority(request: SubsidyRequest) -> tuple[int, Decimal, str]:
    return (-request.tier.rank, -request.score, request.request_id)


def allocate_subsidies(
    requests: Iterable[SubsidyRequest],
    budgets: Sequence[SubsidyBudget],
    *,
    order: Callable[[SubsidyRequest], Any] = _priority,
) -> BudgetAllocation:
    """Grant subsidy requests from their budgets, deterministically and without ever overspending.

    Requests are served in *order* (by default: higher tier first, then higher score, then request id),
    whatever order they arrive in. Each gets its full amount while its budget lasts; the request that
    meets the end of a budget gets what is left (a partial grant, recorded); later ones get nothing.
    A request outside its budget's window, or naming an unknown budget, gets nothing, with the reason.

    Raises:
        InvalidValueError: Duplicate request ids or budget names, or mixed currencies in one budget.
    """
    by_name: dict[str, SubsidyBudget] = {}
    budget: SubsidyBudget | None
    for i, budget in enumerate(budgets):
        if not isinstance(budget, SubsidyBudget):
            raise InvalidValueError(f"budgets[{i}]", budget, "must be a SubsidyBudget")
        if budget.name in by_name:
            raise InvalidValueError(f"budgets[{i}].name", budget.name, "is a duplicate budget name")
        by_name[budget.name] = budget
    listed = list(requests)
    seen: set[str] = set()
    for i, request in enumerate(listed):
        if not isinstance(request, SubsidyRequest):
            raise InvalidValueError(f"requests[{i}]", request, "must be a SubsidyRequest")
        if request.request_id in seen:
            raise InvalidValueError(f"requests[{i}].request_id", request.request_id, "is a duplicate request id")
        seen.add(request.request_id)
        known = by_name.get(request.budget)
        if known is not None and known.total.currency != request.amount.currency:
            raise InvalidValueError(f"requests[{i}].amount", request.amount, f"must be in {known.total.currency}")
    remaining = {name: b.total for name, b in by_name.items()}
    grants: list[SubsidyGrant] = []
    for request in sorted(listed, key=order):
        budget = by_name.get(request.budget)
        zero = Money(0, request.amount.currency)
        if budget is None:
            grants.append(SubsidyGrant(request.request_id, request.budget, request.amount, zero, "unknown budget"))
            continue
        if budget.valid_from is not None or budget.valid_until is not None:
            at = request.at
            if (
                at is None
                or (budget.valid_from is not None and at < budget.valid_from)
                or (budget.valid_until is not None and at >= budget.valid_until)
            ):
                grants.append(
                    SubsidyGrant(request.request_id, budget.name, request.amount, zero, "outside the budget's window")
                )
                continue
        left = remaining[budget.name]
        if left >= request.amount:
            granted, reason = request.amount, "granted in full"
        elif left.fen > 0:
            granted, reason = left, f"partial: the budget had {left} left"
        else:
            granted, reason = zero, "budget exhausted"
        remaining[budget.name] = left - granted
        grants.append(SubsidyGrant(request.request_id, budget.name, request.amount, granted, reason))
    return BudgetAllocation(tuple(grants), remaining)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- subsidies into the money path -------------------------------------------------------------------------


def subsidy_requests(
    resolution: PerkResolution, orders: Iterable[Any], *, score: Decimal = Decimal(0)
) -> tuple[SubsidyRequest, ...]:
    """One :class:`SubsidyRequest` per order and granted subsidy: what the SKU's subsidy perk asks for each order.

    Args:
        resolution: The SKU's perks (its tier decides the request's priority).
        orders: :class:`fenxiao.settlement.orders.Order` values of that SKU; the amount is
            :meth:`Subsidy.amount_for` their paid goods amount.
        score: The SKU's composite score (the second sort key of :func:`allocate_subsidies`).
    """
    requests = []
    for order in orders:
        for subsidy in resolution.of_kind("subsidy"):
            amount = subsidy.amount_for(order.paid)
            if amount.fen > 0:
                request_id = f"{order.id}:{subsidy.budget}"
                requests.append(
                    SubsidyRequest(
                        request_id,
                        subsidy.budget,
                        amount,
                        resolution.tier,
                        score,
                        sku_id=order.sku_id,
                        at=order.paid_at,
                    )
                )
    return tuple(requests)


def apply_subsidy(order: Any, allocation: BudgetAllocation) -> Any:
    """The order with the subsidies *allocation* granted it (by request ids ``"{order.id}:{budget}"``) added.

    The settlement then shows the platform-funded amount: it is part of what came in, the merchant's line
    receives it, and a refund returns its share to the platform (the ``subsidy_return`` line).

    Raises:
        InvalidValueError: The order already carries a subsidy (applying twice would pay twice).
    """
    granted = [g.granted for g in allocation.grants if g.request_id == f"{order.id}:{g.budget}" and g.granted.fen]
    if not granted:
        return order
    if order.subsidy.fen:
        raise InvalidValueError("apply_subsidy.order", order.id, "already carries a subsidy")
    return attrs.evolve(order, subsidy=sum(granted, Money.zero(order.paid.currency)))


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
    converter.register_unstructure_hook(
        PerkEntry,
        cattrs.gen.make_dict_unstructure_fn(
            PerkEntry, converter, perk=cattrs.gen.override(unstruct_hook=unstructure_perk)
        ),
    )
