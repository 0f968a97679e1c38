"""The split of one order into every party's line, and the clawbacks of refunds after settlement.

:func:`split` turns an :class:`~fenxiao.settlement.orders.Order` into :class:`SettlementLine` values, one per
party (:class:`Party`), that add up exactly to what came in (the buyer's payment including shipping, plus
the platform's subsidy):

1. Base = paid goods amount − refunds (refunds come off the goods first), shipping excluded unless the
   profile says otherwise; never below zero.
2. Commission = base × the commission rate (or steps), rounded once. The platform's fee = commission × the
   fee rate (0 when waived); the influencer's net = commission − fee; the MCN's share = net × its share;
   the influencer keeps the rest.
3. Leader fee = base × the first-level leader's rate, paid by the merchant on top of the commission; a
   second-level leader's fee = base × its rate, paid out of the first-level leader's fee.
4. Technical service fee = base × the category's rate.
5. Refunds go back to the buyer (a line); the refunded share of the subsidy goes back to the platform
   (a line); the merchant's net is what remains, so it absorbs every rounding remainder.

Every computed line is rounded with the profile's one rounding mode from the exact product of its own base
(DOWN by default: an amount under one fen is zero). With a half-way mode a tiny order's deductions can
exceed what the merchant has by a fen; the technical fee then gives way, so no line is ever negative. The
formula itself is :func:`fenxiao.settlement.arithmetic.split_values` (named by ``split_amounts``, which the
columnar path calls).

>>> from datetime import datetime, timezone
>>> from fenxiao.money import Money, Rate
>>> from fenxiao.settlement.orders import Order, OrderTerms
>>> from fenxiao.settlement.profiles import PlatformProfile
>>> paid_at = datetime(2026, 11, 11, 20, 0, tzinfo=timezone.utc)
>>> order = Order(id="o-1", merchant_id="m-1", sku_id="sku-1", influencer_id="kol-1",
...               paid=Money.of("99.90"), paid_at=paid_at,
...               terms=OrderTerms(commission_rate=Rate.of("20%"), leader_id="tl-1",
...                                leader_fee_rate=Rate.of("5%")))
>>> for line in split(order, PlatformProfile()).lines:
...     print(f"{line.party.value:<24} {line.amount.to_text():>6}")
influencer                17.99
platform_commission_fee    1.99
team_leader                4.99
platform_tech_fee          4.99
merchant                  69.94

Once the order settles, a refund is a clawback: the difference between the settled lines and the lines
recomputed on the reduced base, so every party gives back its share exactly and a full refund brings
every party to zero.

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Final, NamedTuple

import attrs

from fenxiao._internal import html
from fenxiao._internal import validators as v
from fenxiao._internal.trusted import builder, setters
from fenxiao._internal.validators import checks_arguments_on_failure
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import DEFAULT_CURRENCY, PPM, Money, Rate
from fenxiao.settlement import arithmetic
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.orders import (
    _PAID_STATE,
    Order,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    OrderTerms,
    _Step,
    _walk,
)
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.steps import StepMode, schedule

__all__ = [
    "Clawback",
    "OrderSplit",
    "Party",
    "SettlementLine",
    "clawbacks",
    "difference",
    "history",
    "settled_split",
    "split",
]


class Party(enum.Enum):
    """Who a settlement line pays. Lines appear in this order."""

    INFLUENCER = "influencer"  #: the influencer's commission, net of the platform's fee and the MCN's share
    MCN = "mcn"  #: the MCN agency's share of the influencer's net commission
    PLATFORM_COMMISSION_FEE = "platform_commission_fee"  #: the platform's fee on the commission
    TEAM_LEADER = "team_leader"  #: the first-level team leader's service fee (less any second-level fee)
    SECOND_LEADER = "second_leader"  #: the second-level team leader's fee
    PLATFORM_TECH_FEE = "platform_tech_fee"  #: the merchant's technical service fee
    MERCHANT = "merchant"  #: what the merchant keeps: goods, shipping and subsidy less everything above
    BUYER_REFUND = "buyer_refund"  #: money returned to the buyer
    SUBSIDY_RETURN = "subsidy_return"  #: the refunded share of the platform's subsidy, back to the platform

    @property
    def label_zh(self) -> str:
        """The Chinese label."""
        return _PARTY_ZH[self]

    @property
    def earns_commission(self) -> bool:
        """Whether the line is commission (the refund reserve is held from these)."""
        return self in (Party.INFLUENCER, Party.MCN)


_PARTY_ZH: Final = {
    Party.INFLUENCER: "达人佣金",
    Party.MCN: "MCN分成",
    Party.PLATFORM_COMMISSION_FEE: "平台佣金服务费",
    Party.TEAM_LEADER: "团长服务费",
    Party.SECOND_LEADER: "二级团长服务费",
    Party.PLATFORM_TECH_FEE: "技术服务费",
    Party.MERCHANT: "商家实收",
    Party.BUYER_REFUND: "买家退款",
    Party.SUBSIDY_RETURN: "平台补贴退回",
}
_PARTY_ORDER: Final = {party: i for i, party in enumerate(Party)}

# The members the split reads for every order, read once: on Python 3.11 each ``Party.X`` is a metaclass
# attribute lookup (about 75 ns), and one order's split reads up to eleven of them.
_INFLUENCER: Final = Party.INFLUENCER
_MCN: Final = Party.MCN
_PLATFORM_FEE: Final = Party.PLATFORM_COMMISSION_FEE
_TEAM_LEADER: Final = Party.TEAM_LEADER
_SECOND_LEADER: Final = Party.SECOND_LEADER
_TECH_FEE: Final = Party.PLATFORM_TECH_FEE
_MERCHANT: Final = Party.MERCHANT
_BUYER_REFUND: Final = Party.BUYER_REFUND
_SUBSIDY_RETURN: Final = Party.SUBSIDY_RETURN
_INVALID: Final = OrderStatus.INVALID
_MARGINAL: Final = StepMode.MARGINAL


# -- the split -------------------------------------------------------------------------------------------


@attrs.frozen
class SettlementLine:
    """One party's share of an order: *amount* to *party* (and, where known, the payee's id).

    Amounts are never negative in a split; in a :class:`Clawback` they are the change (negative for the
    parties giving money back).
    """

    party: Party = attrs.field(validator=v.member_of(Party))
    amount: Money = attrs.field(validator=v.instance_of(Money))
    payee_id: str | None = attrs.field(default=None, validator=v.optional_identifier)


def _check_lines(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    path = v.path_of(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidValueError(path, value, "must be a tuple of SettlementLine")
    keys: set[tuple[Party, str | None]] = set()
    for i, line in enumerate(value):
        if not isinstance(line, SettlementLine):
            raise InvalidValueError(f"{path}[{i}]", line, "must be a SettlementLine")
        key = (line.party, line.payee_id)
        if key in keys:
            raise InvalidValueError(f"{path}[{i}]", line, "repeats a party and payee")
        keys.add(key)


@attrs.frozen
class OrderSplit:
    """Every party's line for one order at one point in its life.

    Attributes:
        order_id: The order.
        status: Its status at that point.
        total_in: What came in (goods, shipping, subsidy); the lines add up to exactly this.
        base: The commission base after refunds.
        refunded: Everything refunded by then.
        commission: The gross commission the merchant pays (influencer + MCN + platform fee).
        lines: One line per party, in :class:`Party` order.
        subsidy: The platform-funded part of what came in that the order keeps (官方补贴, after refunds
            returned their share): it is paid out inside the merchant's line, and ``merchant_own`` is
            the merchant's line without it.
    """

    order_id: str = attrs.field(validator=v.identifier)
    status: OrderStatus = attrs.field(validator=v.member_of(OrderStatus))
    total_in: Money = attrs.field(validator=v.money)
    base: Money = attrs.field(validator=v.money)
    refunded: Money = attrs.field(validator=v.money)
    commission: Money = attrs.field(validator=v.money)
    lines: tuple[SettlementLine, ...] = attrs.field(converter=v.to_tuple, validator=_check_lines)
    subsidy: Money = attrs.field(
        default=attrs.Factory(lambda self: Money.zero(self.total_in.currency), takes_self=True), validator=v.money
    )

    def _repr_html_(self) -> str:
        """HTML for notebooks (Jupyter calls it): the key figures, every text escaped."""
        return html.split_html(self)

    def __repr__(self) -> str:
        """A one-line repr of what identifies the value (its full form is long; ``attrs.asdict`` has it all)."""
        return html.short_repr(
            self,
            order_id=self.order_id,
            status=self.status.value,
            total_in=str(self.total_in),
            lines={line.party.value: str(line.amount) for line in self.lines},
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's pretty printer: the short repr."""
        html.pretty(self, printer, cycle)

    @property
    def merchant_own(self) -> Money:
        """The merchant's line less the platform's subsidy in it: what the buyer's money left the merchant."""
        return self.amount(Party.MERCHANT) - self.subsidy

    def __attrs_post_init__(self) -> None:
        total = sum((line.amount for line in self.lines), Money.zero(self.total_in.currency))
        if total != self.total_in:
            raise PolicyError("OrderSplit.lines", total, f"must add up to total_in ({self.total_in})")

    def amount(self, party: Party) -> Money:
        """The total of *party*'s lines (zero if it has none)."""
        return sum((line.amount for line in self.lines if line.party is party), Money.zero(self.total_in.currency))

    def line(self, party: Party) -> SettlementLine | None:
        """*party*'s line, or ``None`` if the split has none."""
        return next((line for line in self.lines if line.party is party), None)


@attrs.frozen
class Clawback:
    """What a refund after settlement took back: the change in every party's line (summing to zero).

    Attributes:
        order_id: The order.
        event_id: The refund event.
        at: When.
        lines: Per party, recomputed line − settled line (before this refund); negative for those giving back.
    """

    order_id: str = attrs.field(validator=v.identifier)
    event_id: str = attrs.field(validator=v.identifier)
    at: datetime = attrs.field(validator=v.aware_datetime)
    lines: tuple[SettlementLine, ...] = attrs.field(converter=v.to_tuple, validator=_check_lines)

    def amount(self, party: Party) -> Money:
        """The change in *party*'s line (zero if it did not change)."""
        currency = self.lines[0].amount.currency if self.lines else DEFAULT_CURRENCY
        return sum((line.amount for line in self.lines if line.party is party), Money.zero(currency))


# A split built by the library (:func:`_split_at`, for an Order and a PlatformProfile themselves, not subclasses) is a
# bare OrderSplit holding its order id and status, and in the ``lines`` slot a list of what it noted: the order,
# the amounts :func:`_amounts` computed and the fen refunded (the ``_NOTED_*`` positions), then room for each value
# built from them. ``lines`` and the five amounts are properties over attrs' slots (data descriptors, so attribute
# reads and the attrs-generated ``__init__``, ``__setstate__`` and ``evolve`` all go through them): on a split that
# holds a noted list, the first read of each builds it from the noted amounts and keeps it in the list (the five
# amount slots stay empty); on any other split (built by the validating constructor, unpickled, evolved) each reads
# its slot. A split's lines are always a tuple (the field's converter makes one), so a list in that slot is a noted
# one. Equality, hashing, repr, pickling and serialization read the attributes, so an unread split is
# indistinguishable from one whose values were built at once.
_NOTED_ORDER: Final = 0
_NOTED_AMOUNTS: Final = 1
_NOTED_REFUNDED: Final = 2
_NOTED_LINES: Final = 3
#: Each amount field: its position in a noted list, and where its fen is in the amounts (-1: the fen refunded).
_NOTED_FIELDS: Final = {
    "total_in": (4, 11),
    "base": (5, 0),
    "refunded": (6, -1),
    "commission": (7, 1),
    "subsidy": (8, 9),
}

_LINES_SLOT: Final = OrderSplit.__dict__["lines"]
_get_lines_slot: Final = _LINES_SLOT.__get__
_set_lines_slot: Final = _LINES_SLOT.__set__
_set_order_id: Final = OrderSplit.__dict__["order_id"].__set__
_set_status: Final = OrderSplit.__dict__["status"].__set__


def _read_lines(result: OrderSplit) -> object:
    # -> object, as TierDecision's deferred fields: the attribute's type is the field's
    lines = _get_lines_slot(result)
    if lines.__class__ is list:
        noted = lines
        lines = noted[_NOTED_LINES]
        if lines is None:
            order, amounts, refunded = noted[_NOTED_ORDER], noted[_NOTED_AMOUNTS], noted[_NOTED_REFUNDED]
            lines = noted[_NOTED_LINES] = _lines(order, amounts, refunded, _trusted_line)
    return lines


setattr(  # noqa: B010
    OrderSplit, "lines", property(_read_lines, _set_lines_slot, doc="One line per party, in :class:`Party` order.")
)


def _noted_money(noted: list[Any], position: int, index: int) -> Money:
    """The amount at *index* of a noted list's amounts (-1: the fen refunded) as Money, kept at *position*."""
    currency = noted[_NOTED_ORDER].paid.currency
    fen = noted[_NOTED_REFUNDED] if index < 0 else noted[_NOTED_AMOUNTS][index]
    if fen:
        money = _trusted(fen, currency)
    else:
        zero = _ZEROS.get(currency)  # (a zero Money is false: no ``or`` here)
        money = _zero_of(currency) if zero is None else zero
    noted[position] = money
    return money


def _read_amount(get_slot: Any, position: int, index: int, result: OrderSplit) -> object:
    """An amount field's value: its slot's, or on a split holding a noted list the Money built from it (the
    getter of each amount's property, *get_slot* its slot's reader, *position* and *index* its _NOTED_FIELDS)."""
    noted = _get_lines_slot(result)
    if noted.__class__ is not list:
        return get_slot(result)
    money = noted[position]
    return _noted_money(noted, position, index) if money is None else money


for _name, (_position, _index) in _NOTED_FIELDS.items():  # no function: its mutants would run at import
    _slot = OrderSplit.__dict__[_name]
    _doc = f"The split's {_name.replace('_', ' ')} (see the class)."
    setattr(
        OrderSplit,
        _name,
        property(functools.partial(_read_amount, _slot.__get__, _position, _index), _slot.__set__, doc=_doc),
    )


def _check_terms(order: Order, profile: PlatformProfile, tech: Rate) -> None:
    """Check the order's rates against *profile*: its bounds and cap, and 100% in total with *tech*.

    The authority on which terms a split accepts and the errors it raises; :func:`_within_rules` only
    spares the check on terms it can show pass. An own-stream order (no influencer) pays no commission by
    construction (:class:`Order` refuses any other rate), so the commission bounds and the category floors, which
    protect influencers, do not apply to it.
    """
    terms = order.terms
    fee = terms.leader_fee_rate
    paths = ["OrderTerms.commission_rate", *(f"OrderTerms.steps[{i}].rate" for i in range(len(terms.steps)))]
    own_stream = order.influencer_id is None
    for path, rate in zip(paths, terms.commission_rates(), strict=True):
        if not own_stream:
            profile.check_commission(
                rate, kind=terms.plan_kind, category=order.category_keys, leader_fee=fee, path=path
            )
        total = rate.ppm + (fee.ppm if fee is not None else 0) + tech.ppm
        if total > PPM:
            raise PolicyError(path, rate, f"plus the leader fee and the technical fee ({tech}) exceeds 100%")
    second = terms.second_leader_fee_rate
    if second is not None and fee is not None:
        profile.check_second_level(second, first_level=fee, path="OrderTerms.second_leader_fee_rate")


class _Rules(NamedTuple):
    """What a split needs from a profile for one plan kind and category, read once (internal).

    Rates are in ppm. Everything is derived from the frozen profile, so it stays true for its lifetime.
    """

    profile: PlatformProfile  # held, so its id() cannot be reused while the entry is cached
    low: int  # the lowest commission allowed
    high: int  # the highest
    min_leader: int  # the category's minimum leader fee, -1 for none
    max_leader: int  # the highest leader fee
    second_share: int  # a second-level fee's most, as a share of the first-level fee
    cap_limit: int  # the highest commission + leader fee allowed (the cap, less 1 ppm unless inclusive)
    tech: Rate  # the category's technical fee rate (when the terms name none)
    fee_ppm: int  # the platform's fee on the commission (0 when waived)
    exact: bool  # the profile is a PlatformProfile itself, not a subclass that may override its checks
    tech_ppm: int  # ``tech`` in ppm

    @classmethod
    def of(cls, profile: PlatformProfile, kind: PlanKind | None, keys: tuple[str, ...]) -> _Rules:
        """Read *profile*'s rules for a plan of *kind* on goods with category *keys*."""
        low, _, high, _ = profile._bounds(kind, keys)
        rule = profile.rule_for(keys)
        floor = rule.min_leader_fee if rule is not None else None
        cap = profile.combined_cap.ppm
        tech = profile.tech_fee_for(keys)
        return cls(
            profile=profile,
            low=low.ppm,
            high=high.ppm,
            min_leader=-1 if floor is None else floor.ppm,
            max_leader=profile.leader_fee_max.ppm,
            second_share=profile.second_level_max_share.ppm,
            cap_limit=cap if profile.combined_cap_inclusive else cap - 1,
            tech=tech,
            fee_ppm=profile.effective_commission_fee_rate.ppm,
            exact=type(profile) is PlatformProfile,
            tech_ppm=tech.ppm,
        )


#: At most this many (profile, plan kind, category) entries are cached; the cache empties when full.
_RULES_MAX: Final = 512
_RULES: dict[tuple[int, PlanKind | None, tuple[str, ...]], _Rules] = {}


def _rules_for(profile: PlatformProfile, kind: PlanKind | None, keys: tuple[str, ...]) -> _Rules:
    """*profile*'s :class:`_Rules` for *kind* and *keys*, from a bounded cache keyed on the profile's identity.

    Only exact :class:`PlatformProfile` instances are cached (a subclass's rules are read every time).
    An entry holds its profile, so while it is cached no other object can take the profile's id; the
    ``is`` test below guards that anyway. Profiles, kinds and key tuples are immutable, so an entry never
    goes stale. Thread-safe: dict reads, writes and ``clear`` are atomic; a race only reads twice.
    """
    key = (id(profile), kind, keys)
    rules = _RULES.get(key)
    if rules is not None and rules.profile is profile:
        return rules
    rules = _Rules.of(profile, kind, keys)
    if rules.exact:
        if len(_RULES) >= _RULES_MAX:
            _RULES.clear()
        _RULES[key] = rules
    return rules


def _within_rules(terms: OrderTerms, rules: _Rules, tech: Rate) -> bool:
    """Whether *terms* pass :func:`_check_terms` under *rules* with technical fee *tech*, in ppm integers.

    ``True`` means the full check passes: rates sit on the ppm grid, so comparing ppm compares the exact
    values, and each test below is one of the full check's. ``False`` sends the split to the full check,
    which raises (or, were this ever too strict, passes): either way the full check decides.
    """
    return _ppms_within_rules(terms, rules, tech.ppm) is not None


def _ppms_within_rules(terms: OrderTerms, rules: _Rules, tech_ppm: int) -> tuple[int, int, int, int] | None:
    """:func:`_within_rules`, giving the ppm it read when the terms pass (the commission rate, the leader fee, the
    second-level fee and the technical fee, 0 for a fee the terms lack), ``None`` otherwise: the split reads each
    rate once. The technical fee comes in ppm."""
    _, low, high, min_leader, max_leader, second_share, cap_limit, _, _, _, _ = rules
    fee = terms.leader_fee_rate
    if fee is None:
        fee_ppm = 0
        cap = PPM
    else:
        fee_ppm = fee.ppm
        if not min_leader <= fee_ppm <= max_leader:
            return None
        cap = cap_limit - fee_ppm  # the most a commission rate may be beside the leader fee under the cap
    second = terms.second_leader_fee_rate
    if second is None:
        second_ppm = 0
    else:
        second_ppm = second.ppm
        if second_ppm * PPM > second_share * fee_ppm:
            return None
    top = PPM - fee_ppm - tech_ppm  # the most a commission rate may be beside the two fees
    top = cap if cap < top else top  # what min() returns, without a call
    top = high if high < top else top
    rate = terms.commission_rate.ppm
    if not low <= rate <= top:
        return None
    if terms.steps and not all(low <= step.rate.ppm <= top for step in terms.steps):
        return None
    return rate, fee_ppm, second_ppm, tech_ppm


# The split's own values, built from parts _split_at proved valid (the lines add up to total_in by construction),
# without re-running the validators: equal to the validated objects, with the same hash and repr.
_trusted: Final = builder(Money)
_new: Final = object.__new__
_set_fen, _set_currency = setters(Money)
_set_party, _set_amount, _set_payee = setters(SettlementLine)


def _amounts(order: Order, profile: PlatformProfile, refunded: int, invalid: bool) -> tuple[bool, tuple[int, ...]]:
    """The split's amounts after *refunded* fen were refunded (the order invalid or not), checked against the
    profile's rules, as :func:`~fenxiao.settlement.arithmetic.split_values` gives them; and whether the order and
    the profile are exactly :class:`Order` and :class:`PlatformProfile` (not subclasses, which may override what
    is read here), so that values built from the amounts may skip their validators.

    A split depends on an order's events only through these two: receipt and settlement move the status, never an
    amount.

    Raises:
        PolicyError: The order's rates break the profile's bounds.
    """
    if profile.__class__ is not PlatformProfile and not isinstance(profile, PlatformProfile):
        raise InvalidValueError("split.profile", profile, "must be a PlatformProfile")
    terms = order.terms
    exact = order.__class__ is Order
    if exact:  # Order.category_keys, inline (the id, then the first-level name, each if given)
        cid, level1 = order.category_id, order.category_level1
        if cid is None:
            keys: tuple[str, ...] = () if level1 is None else (level1,)
        else:
            keys = (cid,) if level1 is None else (cid, level1)
    else:
        keys = order.category_keys
    kind = terms.plan_kind
    rules = _RULES.get((id(profile), kind, keys))  # _rules_for's look-up, inline
    if rules is None or rules[0] is not profile:
        rules = _rules_for(profile, kind, keys)
    _, _, _, _, _, _, _, default_tech, fee_ppm, exact_profile, default_tech_ppm = rules
    exact = exact and exact_profile
    tech_rate = terms.tech_fee_rate
    if exact_profile:
        ppms = _ppms_within_rules(terms, rules, default_tech_ppm if tech_rate is None else tech_rate.ppm)
    else:
        ppms = None
    if ppms is None:
        if tech_rate is None:
            tech_rate = default_tech
        _check_terms(order, profile, tech_rate)
        leader_rate, second_rate = terms.leader_fee_rate, terms.second_leader_fee_rate
        ppms = (
            terms.commission_rate.ppm,
            0 if leader_rate is None else leader_rate.ppm,
            0 if second_rate is None else second_rate.ppm,
            tech_rate.ppm,
        )
    rate_ppm, leader_ppm, second_ppm, tech_ppm = ppms
    ladder = terms.steps
    mcn_share = terms.mcn_share
    # arithmetic.split_amounts' formula on ints with its arguments by position, the amounts as a plain tuple
    # (naming fifteen arguments and twelve results would cost a quarter of the formula's time)
    amounts: tuple[int, ...] = arithmetic.split_ints(
        order.paid.fen,
        order.shipping.fen,
        order.subsidy.fen,
        refunded,
        invalid,
        rate_ppm,  # commission_ppm
        schedule(ladder) if ladder else (),  # steps
        terms.step_mode is _MARGINAL,  # marginal
        fee_ppm,
        0 if mcn_share is None else mcn_share.ppm,
        leader_ppm,
        second_ppm,
        tech_ppm,
        profile.shipping_in_base,
        profile.rounding,
    )
    if amounts[8] < 0:  # pragma: no cover - the profile's cap (< 100%) makes this unreachable
        raise PolicyError(
            "split", Money(amounts[8], order.paid.currency), "the deductions exceed what the merchant received"
        )
    return exact, amounts


#: At most this many of :func:`_line_fen`'s results are kept; the cache empties when full.
_LINES_MAX: Final = 8192
_LINES: dict[tuple[object, ...], tuple[OrderTerms, PlatformProfile, tuple[int, ...]]] = {}


def _line_fen(order: Order, profile: PlatformProfile, refunded: int) -> tuple[int, ...]:
    """The fen of every party's line (in :class:`Party` order, ``0`` where the split has no line) after *refunded*
    fen were refunded, for an order that is not invalid, without building the split. The ledger's path: each
    party's line is one int, its payee fixed by the order (:func:`_payees`).

    A split reads only the order's amounts, terms and category, the profile and what was refunded, so for an
    :class:`Order`, :class:`OrderTerms` and :class:`PlatformProfile` themselves (frozen, never subclasses) the
    result is kept in a bounded cache keyed on exactly those (the terms and the profile by identity: an entry holds
    both, so no other object can take their ids while it is cached, and a hit checks them with ``is``). A store
    deriving an order's new entries batch after batch splits the lines it held once, not once a batch.
    """
    terms = order.terms
    if type(order) is not Order or type(profile) is not PlatformProfile or type(terms) is not OrderTerms:
        return _lines_of(_amounts(order, profile, refunded, False)[1], refunded)
    key = (
        id(terms),
        id(profile),
        order.paid.fen,
        order.shipping.fen,
        order.subsidy.fen,
        order.category_id,
        order.category_level1,
        refunded,
    )
    cached = _LINES.get(key)
    if cached is not None and cached[0] is terms and cached[1] is profile:
        return cached[2]
    lines = _lines_of(_amounts(order, profile, refunded, False)[1], refunded)
    if len(_LINES) >= _LINES_MAX:
        _LINES.clear()
    _LINES[key] = (terms, profile, lines)
    return lines


def _lines_of(amounts: tuple[int, ...], refunded: int) -> tuple[int, ...]:
    _, _, fee, mcn, influencer, leader, second, tech, merchant, _, returned, _ = amounts
    return (influencer, mcn, fee, leader, second, tech, merchant, refunded, returned)


def _payees(order: Order) -> tuple[str | None, ...]:
    """The payee of each party's line, in :class:`Party` order (as :func:`split` names them)."""
    terms = order.terms
    return (
        order.influencer_id,
        terms.mcn_id,
        None,
        terms.leader_id,
        terms.second_leader_id,
        None,
        order.merchant_id,
        None,
        None,
    )


def _payee_texts(order: Order) -> tuple[str, ...]:
    """:func:`_payees` with ``""`` for a party without a payee (ids are never empty), as a table row holds it."""
    terms = order.terms
    return (
        order.influencer_id or "",
        terms.mcn_id or "",
        "",
        terms.leader_id or "",
        terms.second_leader_id or "",
        "",
        order.merchant_id,
        "",
        "",
    )


def _split_at(order: Order, profile: PlatformProfile, count: int, steps: Sequence[_Step] | None = None) -> OrderSplit:
    """The split after the first *count* events.

    Amounts are computed in integer fen (:func:`_amounts`). For an :class:`Order` and a :class:`PlatformProfile`
    themselves (not subclasses, which may override what is read here) the result notes them and builds each Money
    and line from them, without re-running validators, when it is first read, because every value is proven by
    construction:

    * every amount is an int between 0 and ``total_in`` (≤ :data:`MAX_FEN`, which :class:`Order`
      checks), in the order's one currency; ``net − mcn`` and ``leader − second`` are not negative since
      the MCN share and the second-level rate are at most 100% and the first-level rate;
    * the ids are the order's and its terms' (validated there); each party appears at most once;
    * the lines add up to ``total_in``: influencer + MCN + platform fee is the commission, the two leader
      lines are the leader fee, and merchant = paid + shipping + subsidy − refunded − subsidy returned −
      commission − leader fee − tech fee, so adding the refund and subsidy-return lines gives back
      paid + shipping + subsidy.

    Otherwise the public validated constructors build it, as before.
    """
    if steps is not None:
        state = steps[count - 1] if count else _PAID_STATE
    else:
        state = _walk(order, order.events[:count])[-1] if count else _PAID_STATE
    refunded = state.refunded
    exact, amounts = _amounts(order, profile, refunded, state.status is _INVALID)
    if exact:
        # Proven valid (see above): a bare split with its id, its status and the noted amounts, whose lines and
        # amounts are built the first time they are read (see _NOTED_FIELDS and _read_lines).
        result: OrderSplit = _new(OrderSplit)
        _set_order_id(result, order.id)
        _set_status(result, state.status)
        _set_lines_slot(result, [order, amounts, refunded, None, None, None, None, None, None])
        return result
    currency = order.paid.currency
    return OrderSplit(
        order.id,
        state.status,
        order.total_in,
        Money(amounts[0], currency),  # base
        Money(refunded, currency),
        Money(amounts[1], currency),  # commission
        _lines(order, amounts, refunded, _checked_line),
        Money(amounts[9], currency),  # subsidy kept
    )


def _trusted_line(party: Party, fen: int, currency: str, payee: str | None) -> SettlementLine:
    """A line of *fen* in *currency* built without validators (the trusted split's lines; a zero shares its
    currency's zero Money): the value ``SettlementLine(party, Money(fen, currency), payee)`` gives."""
    if fen:
        amount = _new(Money)
        _set_fen(amount, fen)
        _set_currency(amount, currency)
    else:
        zero = _ZEROS.get(currency)  # (a zero Money is false: no ``or`` here)
        amount = _zero_of(currency) if zero is None else zero
    line: SettlementLine = _new(SettlementLine)
    _set_party(line, party)
    _set_amount(line, amount)
    _set_payee(line, payee)
    return line


def _checked_line(party: Party, fen: int, currency: str, payee: str | None) -> SettlementLine:
    """A line built through the validating constructors (a split of a subclass)."""
    return SettlementLine(party, Money(fen, currency), payee)


def _lines(order: Order, amounts: tuple[int, ...], refunded: int, make_line: Any) -> tuple[SettlementLine, ...]:
    """The lines of a split of *order* with *amounts* (as :func:`_amounts` gives them) after *refunded* fen were
    refunded, each built by *make_line* (:func:`_trusted_line` or :func:`_checked_line`)."""
    terms = order.terms
    currency = order.paid.currency
    _, _, fee, mcn, influencer, leader, second, tech, merchant, _, returned, _ = amounts
    # An own-stream order (自播) has no influencer, so no influencer line (its commission is 0% anyway).
    payee: str | None = order.influencer_id
    lines = [] if payee is None else [make_line(_INFLUENCER, influencer, currency, payee)]
    payee = terms.mcn_id
    if payee is not None:
        lines.append(make_line(_MCN, mcn, currency, payee))
    lines.append(make_line(_PLATFORM_FEE, fee, currency, None))
    payee = terms.leader_id
    if payee is not None:
        lines.append(make_line(_TEAM_LEADER, leader, currency, payee))
    payee = terms.second_leader_id
    if payee is not None:
        lines.append(make_line(_SECOND_LEADER, second, currency, payee))
    lines.append(make_line(_TECH_FEE, tech, currency, None))
    lines.append(make_line(_MERCHANT, merchant, currency, order.merchant_id))
    if refunded:
        lines.append(make_line(_BUYER_REFUND, refunded, currency, None))
    if returned:
        lines.append(make_line(_SUBSIDY_RETURN, returned, currency, None))
    return tuple(lines)


#: One zero Money per currency a split has met (a currency is three letters, so the table stays small).
_ZEROS: dict[str, Money] = {}


def _zero_of(currency: str) -> Money:
    """The shared zero of *currency* (built and kept on first use)."""
    zero = _ZEROS[currency] = _trusted(0, currency)
    return zero


def split(order: Order, profile: PlatformProfile, *, as_of: datetime | None = None) -> OrderSplit:
    """Split *order* into every party's line under *profile*, after all its events (or those up to *as_of*).

    Before settlement this is the estimate; after it, the settled lines less any clawbacks.

    Raises:
        PolicyError: The order's rates break the profile's bounds (commission range, cap, 100% in total).
        InvalidValueError: *order* is not an :class:`Order` or *profile* not a profile.
    """
    if order.__class__ is not Order and not isinstance(order, Order):
        raise InvalidValueError("split.order", order, "must be an Order")
    events = order.events
    if as_of is not None:
        moment = v.require_aware(as_of, "split.as_of")
        count = sum(1 for e in events if e.at <= moment)
    else:
        count = len(events)
    return _split_at(order, profile, count)


@checks_arguments_on_failure
def settled_split(order: Order, profile: PlatformProfile) -> OrderSplit | None:
    """The lines as settled (refunds after settlement not applied), or ``None`` if the order never settled."""
    for i, event in enumerate(order.events):
        if event.kind is OrderEventKind.SETTLED:
            return _split_at(order, profile, i + 1)
    return None


def _line_map(lines: Iterable[SettlementLine]) -> dict[tuple[Party, str | None], Money]:
    return {(line.party, line.payee_id): line.amount for line in lines}


@checks_arguments_on_failure
def difference(after: OrderSplit, before: OrderSplit) -> tuple[SettlementLine, ...]:
    """Per party, ``after − before``, omitting parties whose line did not change; the result sums to zero."""
    old, new = _line_map(before.lines), _line_map(after.lines)
    zero = Money.zero(after.total_in.currency)
    keys = sorted(old.keys() | new.keys(), key=lambda k: (_PARTY_ORDER[k[0]], k[1] or ""))
    changed = []
    for party, payee in keys:
        delta = new.get((party, payee), zero) - old.get((party, payee), zero)
        if delta:
            changed.append(SettlementLine(party, delta, payee))
    return tuple(changed)


@checks_arguments_on_failure
def clawbacks(order: Order, profile: PlatformProfile) -> tuple[Clawback, ...]:
    """One :class:`Clawback` per refund after settlement: the settled lines minus the recomputed ones.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 11, tzinfo=timezone.utc)
    >>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("100.00"),
    ...               paid_at=t, terms=OrderTerms(commission_rate=Rate.of("20%")))
    >>> profile = PlatformProfile()
    >>> order = order.receive(at=t + timedelta(days=2)).settle(profile, at=t + timedelta(days=9))
    >>> order = order.refund(event_id="r-1", at=t + timedelta(days=10), amount=Money.of("50.00"))
    >>> [(line.party.value, line.amount.to_text()) for line in clawbacks(order, profile)[0].lines]
    [('influencer', '-9.00'), ('platform_commission_fee', '-1.00'), ('platform_tech_fee', '-2.50'), \
('merchant', '-37.50'), ('buyer_refund', '50.00')]
    """
    walked = _walk(order, order.events)
    found: list[Clawback] = []
    settled = False
    previous = _split_at(order, profile, 0, walked)
    for i, event in enumerate(order.events):
        current = _split_at(order, profile, i + 1, walked)
        if settled and event.kind is OrderEventKind.REFUNDED:
            found.append(Clawback(order.id, event.id, event.at, difference(current, previous)))
        settled = settled or event.kind is OrderEventKind.SETTLED
        previous = current
    return tuple(found)


@checks_arguments_on_failure
def history(order: Order, profile: PlatformProfile) -> tuple[tuple[OrderEvent | None, OrderSplit], ...]:
    """The split after the payment (event ``None``) and after each event, in order (what the ledger posts)."""
    walked = _walk(order, order.events)
    result: list[tuple[OrderEvent | None, OrderSplit]] = [(None, _split_at(order, profile, 0, walked))]
    for i, event in enumerate(order.events):
        result.append((event, _split_at(order, profile, i + 1, walked)))
    return tuple(result)
