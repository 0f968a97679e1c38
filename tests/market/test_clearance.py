"""Clearance (清退): the admission criteria applied to who is already in, with reasons; delisting through the
listing lifecycle (issue 19)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.goods import Standing
from fenxiao.domain.listings import ListingStatus
from fenxiao.errors import InvalidValueError, TransitionError
from fenxiao.market.admission import Outcome, ShopMetrics, default_admission_policy
from fenxiao.market.clearance import ClearanceAction, ClearanceDecision, apply_clearance, decide_clearance
from fenxiao.money import Money
from fenxiao.sample import SAMPLE_AS_OF, load_sample

CATALOG = load_sample()
DECISIONS = decide_clearance(CATALOG, as_of=SAMPLE_AS_OF)


def test_a_merchant_falling_below_the_bar_is_cleared_with_its_listings_and_the_reason() -> None:
    """Issue 19: there was no clearance pass. A shop with a serious violation in the past year is removed with
    every approved listing, each carrying the admission reason; the catalog then has them delisted."""
    merchant = next(d for d in DECISIONS if d.kind == "merchant" and d.action is ClearanceAction.REMOVE)
    assert any(r.startswith(("serious-violation:", "counterfeit:", "suspended:")) for r in merchant.reasons)
    theirs = [d for d in DECISIONS if d.kind == "listing" and d.merchant_id == merchant.subject]
    assert theirs
    assert all(d.action is ClearanceAction.REMOVE and d.decision == merchant.decision for d in theirs)
    cleared = apply_clearance(CATALOG, DECISIONS, at=SAMPLE_AS_OF + timedelta(hours=1))
    for d in theirs:
        listing = next(li for li in cleared.listings if li.id == d.subject)
        assert listing.status is ListingStatus.DELISTED
        assert listing.history[-1].reason.startswith("清退: ")
        assert merchant.reasons[0] in listing.history[-1].reason


def test_the_sample_shows_every_action() -> None:
    """Keep, watch (an admission rule would send it to review) and remove, for merchants and listings."""
    seen = Counter((d.kind, d.action) for d in DECISIONS)
    assert {a for (_, a) in seen} == set(ClearanceAction)
    assert seen["merchant", ClearanceAction.REMOVE] >= 1
    assert str(next(d for d in DECISIONS if d.action is ClearanceAction.WATCH)).count("\n  - ") >= 1


def test_every_decision_is_the_admission_decision_of_the_same_inputs() -> None:
    """Each action follows its admission outcome (reject → remove, review → watch, approve → keep), and only
    approved listings and their merchants are visited, each once."""
    actions = {Outcome.REJECT: ClearanceAction.REMOVE, Outcome.REVIEW: ClearanceAction.WATCH}
    for d in DECISIONS:
        assert d.action is actions.get(d.decision.outcome, ClearanceAction.KEEP)
    approved = {li.id for li in CATALOG.listings if li.status is ListingStatus.APPROVED}
    listed = [d.subject for d in DECISIONS if d.kind == "listing"]
    assert sorted(listed) == sorted(approved)
    assert len(set(listed)) == len(listed)


@given(st.sampled_from([m.id for m in CATALOG.merchants]), st.sampled_from(list(Standing)))
def test_a_suspended_merchant_loses_every_listing_and_no_other_does(merchant_id: str, standing: Standing) -> None:
    """Suspending one shop removes exactly its approved listings plus those removed before; others keep theirs."""
    merchants = tuple(attrs.evolve(m, standing=standing) if m.id == merchant_id else m for m in CATALOG.merchants)
    catalog = attrs.evolve(CATALOG, merchants=merchants)
    decisions = decide_clearance(catalog, as_of=SAMPLE_AS_OF)
    removed = {d.subject for d in decisions if d.kind == "listing" and d.action is ClearanceAction.REMOVE}
    before = {d.subject for d in DECISIONS if d.kind == "listing" and d.action is ClearanceAction.REMOVE}
    own = {d.subject for d in decisions if d.kind == "listing" and d.merchant_id == merchant_id}
    if standing is Standing.SUSPENDED:
        assert own <= removed
    assert removed - own == before - own
    after = apply_clearance(catalog, decisions, at=SAMPLE_AS_OF)
    approved = {li.id for li in after.listings if li.status is ListingStatus.APPROVED}
    assert not approved & removed
    assert len(after.listings) == len(catalog.listings)


def test_a_shop_record_below_the_bar_puts_it_under_watch() -> None:
    """The shop's 30-day GMV, given, is read by clearance as by admission."""
    merchant = next(d.subject for d in DECISIONS if d.kind == "merchant" and d.action is ClearanceAction.KEEP)
    shops = {merchant: ShopMetrics(gmv_30d=Money.of("10.00"), dsr_90d=Decimal("4.5"))}
    decisions = decide_clearance(CATALOG, as_of=SAMPLE_AS_OF, shops=shops, policy=default_admission_policy())
    found = next(d for d in decisions if d.subject == merchant)
    assert found.action is ClearanceAction.WATCH
    assert [r.split(":")[0] for r in found.reasons] == ["low-shop-gmv", "low-dsr"]


def test_bad_input_is_refused_with_its_path() -> None:
    """A naive time, an unknown shop, something that is not a decision; delisting twice is an illegal move."""
    with pytest.raises(InvalidValueError, match="as_of"):
        decide_clearance(CATALOG, as_of=SAMPLE_AS_OF.replace(tzinfo=None))
    with pytest.raises(InvalidValueError, match=r"shops\['m-nobody'\]"):
        decide_clearance(CATALOG, as_of=SAMPLE_AS_OF, shops={"m-nobody": ShopMetrics()})
    with pytest.raises(InvalidValueError, match=r"decisions\[0\]"):
        apply_clearance(CATALOG, ["remove"], at=SAMPLE_AS_OF)  # type: ignore[list-item]
    removed = [d for d in DECISIONS if d.kind == "listing" and d.action is ClearanceAction.REMOVE]
    once = apply_clearance(CATALOG, removed, at=SAMPLE_AS_OF)
    with pytest.raises(TransitionError):
        apply_clearance(once, removed, at=SAMPLE_AS_OF + timedelta(days=1))
    ghost = ClearanceDecision("listing", "l-nobody", "m-0000", ClearanceAction.REMOVE, removed[0].decision)
    with pytest.raises(InvalidValueError, match="names no listing"):
        apply_clearance(CATALOG, [ghost], at=SAMPLE_AS_OF)
