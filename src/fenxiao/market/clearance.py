"""Clearance (清退): the admission criteria, applied again to who is already in, with reasons.

The same criteria that keep a merchant or a product out trigger its removal (DOMAIN.md). :func:`decide_clearance`
decides every merchant with an approved listing and every approved listing under an
:class:`~fenxiao.market.admission.AdmissionPolicy` (the default one unless given), as admission does, and turns each
outcome into an action:

* ``reject`` → :attr:`ClearanceAction.REMOVE`: the merchant is cleared (清退) and every approved listing of it goes
  with it, or the one listing is delisted;
* ``review`` → :attr:`ClearanceAction.WATCH`: kept, and put in front of a person (the reasons say why);
* ``approve`` → :attr:`ClearanceAction.KEEP`.

Every decision carries the admission decision behind it, so a removal is explained like an admission refusal.
:func:`apply_clearance` delists the removed listings through their lifecycle (approved → delisted) with the
reasons, and returns the new catalog.

>>> from fenxiao.sample import SAMPLE_AS_OF, load_sample
>>> catalog = load_sample()
>>> decisions = decide_clearance(catalog, as_of=SAMPLE_AS_OF)
>>> {d.action for d in decisions} <= set(ClearanceAction)
True

.. versionadded:: 0.3
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.listings import ListingStatus
from fenxiao.errors import InvalidValueError
from fenxiao.market.admission import (
    AdmissionDecision,
    AdmissionPolicy,
    Outcome,
    ShopMetrics,
    default_admission_policy,
    merchant_inputs,
    sku_inputs,
)

__all__ = ["ClearanceAction", "ClearanceDecision", "apply_clearance", "decide_clearance"]


class ClearanceAction(enum.Enum):
    """What clearance does to a merchant or a listing."""

    KEEP = "keep"
    WATCH = "watch"  #: kept, and sent to a person: an admission rule would send it to review
    REMOVE = "remove"  #: cleared (清退): an admission rule rejects it, or (a listing) its merchant is cleared


_ACTIONS = {Outcome.APPROVE: ClearanceAction.KEEP, Outcome.REVIEW: ClearanceAction.WATCH}


_KINDS = ("merchant", "listing")


def _kind(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or value not in _KINDS:
        raise InvalidValueError("ClearanceDecision.kind", value, "must be 'merchant' or 'listing'")


@attrs.frozen
class ClearanceDecision:
    """One merchant's or listing's clearance: the action and the admission decision behind it.

    Args:
        kind: ``"merchant"`` or ``"listing"``.
        subject: The merchant's or the listing's id.
        merchant_id: The merchant (for a merchant, its own id).
        action: Keep, watch or remove.
        decision: The admission decision (outcome and every matching rule's reason); for a listing removed with
            its merchant, the merchant's.
    """

    kind: str = attrs.field(validator=_kind)
    subject: str = attrs.field(validator=v.identifier)
    merchant_id: str = attrs.field(validator=v.identifier)
    action: ClearanceAction = attrs.field(validator=v.member_of(ClearanceAction))
    decision: AdmissionDecision = attrs.field(validator=v.instance_of(AdmissionDecision))

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons, as ``rule: why`` lines."""
        return tuple(f"{name}: {why}" for name, why in self.decision.reasons)

    def __str__(self) -> str:
        head = f"{self.kind} {self.subject}: {self.action.value}"
        return head + "".join(f"\n  - {r}" for r in self.reasons)


@checks_arguments
def decide_clearance(
    catalog: Catalog,
    *,
    as_of: datetime,
    policy: AdmissionPolicy | None = None,
    shops: Mapping[str, ShopMetrics] | None = None,
) -> tuple[ClearanceDecision, ...]:
    """Decide the clearance of every merchant with an approved listing, then of every approved listing.

    Args:
        catalog: The goods, merchants and listings.
        as_of: The moment of the pass (timezone-aware).
        policy: The admission policy whose criteria apply; the default when ``None``.
        shops: Each merchant's recent record (30-day GMV, bad-review rate, 90-day DSR) by merchant id.

    Returns:
        Merchants first (by id), then listings (by id). A listing of a removed merchant is removed with the
        merchant's decision as its reason.

    Raises:
        InvalidValueError: *as_of* is naive, or *shops* names a merchant the catalog lacks.
    """
    v.require_aware(as_of, "decide_clearance.as_of")
    policy = policy if policy is not None else default_admission_policy()
    records = dict(shops or {})
    known = {m.id for m in catalog.merchants}
    for merchant_id in records:
        if merchant_id not in known:
            raise InvalidValueError(f"decide_clearance.shops[{merchant_id!r}]", merchant_id, "names no merchant")
    approved = sorted((li for li in catalog.listings if li.status is ListingStatus.APPROVED), key=lambda li: li.id)
    owner = {li.id: catalog.sku(li.sku_id).merchant_id for li in approved}
    merchants: dict[str, ClearanceDecision] = {}
    for merchant_id in sorted(set(owner.values())):
        merchant = catalog.merchant(merchant_id)
        shop = records.get(merchant_id)
        decision = policy.decide(merchant_inputs(merchant, as_of=as_of, shop=shop), subject=merchant_id)
        merchants[merchant_id] = ClearanceDecision("merchant", merchant_id, merchant_id, _action(decision), decision)
    listings = []
    for listing in approved:
        merchant_id = owner[listing.id]
        cleared = merchants[merchant_id]
        if cleared.action is ClearanceAction.REMOVE:
            listings.append(
                ClearanceDecision("listing", listing.id, merchant_id, ClearanceAction.REMOVE, cleared.decision)
            )
            continue
        sku = catalog.sku(listing.sku_id)
        brand_on_list = sku.brand_id is not None and catalog.brand(sku.brand_id).on_platform_list
        inputs = sku_inputs(
            catalog.merchant(merchant_id),
            sku,
            catalog.category(sku.category_id),
            listing.terms,
            as_of=as_of,
            profile=policy.profile,
            brand_on_list=brand_on_list,
            shop=records.get(merchant_id),
        )
        decision = policy.decide(inputs, subject=listing.id)
        listings.append(ClearanceDecision("listing", listing.id, merchant_id, _action(decision), decision))
    return (*merchants.values(), *listings)


def _action(decision: AdmissionDecision) -> ClearanceAction:
    return _ACTIONS.get(decision.outcome, ClearanceAction.REMOVE)


@checks_arguments
def apply_clearance(catalog: Catalog, decisions: Iterable[ClearanceDecision], *, at: datetime) -> Catalog:
    """*catalog* with every listing a decision removes delisted at *at* (approved → delisted), the reasons
    recorded on the move; merchants and everything else unchanged.

    Raises:
        InvalidValueError: *at* is naive, a decision is not a :class:`ClearanceDecision`, or names a listing the
            catalog lacks.
        TransitionError: A removed listing is not approved (already delisted or never admitted).
    """
    when = v.require_aware(at, "apply_clearance.at")
    removed: dict[str, ClearanceDecision] = {}
    ids = {li.id for li in catalog.listings}
    for i, d in enumerate(_decisions(decisions)):
        if d.kind == "listing" and d.action is ClearanceAction.REMOVE:
            if d.subject not in ids:
                raise InvalidValueError(f"apply_clearance.decisions[{i}].subject", d.subject, "names no listing")
            removed[d.subject] = d
    listings = []
    for listing in catalog.listings:
        cleared = removed.get(listing.id)
        if cleared is None:
            listings.append(listing)
            continue
        reason = ("清退: " + "; ".join(cleared.reasons))[:1000] if cleared.reasons else "清退"
        listings.append(listing.transition(ListingStatus.DELISTED, at=when, reason=reason))
    return attrs.evolve(catalog, listings=tuple(listings))


def _decisions(decisions: Iterable[ClearanceDecision]) -> Sequence[ClearanceDecision]:
    found = tuple(v.require_iterable(decisions, "apply_clearance.decisions"))
    for i, d in enumerate(found):
        if not isinstance(d, ClearanceDecision):
            raise InvalidValueError(f"apply_clearance.decisions[{i}]", d, "must be a ClearanceDecision")
    return found
