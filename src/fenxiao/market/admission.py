"""Admission (准入) and review: who gets into the selection pool, decided by rules as data, reviewed on time.

The upgrade to 快分销 set out to let merchants who want to join actually get in (进不起来): a *lower*
threshold and *faster* review. An :class:`AdmissionPolicy` holds rules in the condition language of
:mod:`fenxiao.rules.language`, each with an outcome: ``reject``, ``review`` (send to a person) or ``approve``.
The hit policy is *deny-overrides* (:attr:`fenxiao.rules.table.HitPolicy.DENY_OVERRIDES`): a decision is
``reject`` if any reject rule matches, else ``review`` if any review rule matches, else ``approve``; every
matching rule's reason is reported. The same policy decides a merchant's application and each SKU it lists
(rules may name merchant and SKU inputs alike).

>>> from fenxiao.sample import SAMPLE_AS_OF, load_sample
>>> catalog = load_sample()
>>> policy = default_admission_policy()
>>> merchant = catalog.merchants[0]
>>> decision = policy.decide(merchant_inputs(merchant, as_of=SAMPLE_AS_OF))
>>> decision.outcome in set(Outcome)
True

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.defaults import read_default
from fenxiao._internal.fixed import div_half_even
from fenxiao._internal.validators import checks_arguments
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.goods import Category, Merchant, Sku
from fenxiao.domain.listings import Listing, ListingStatus, ListingTerms
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate
from fenxiao.rules.interpreter import explain
from fenxiao.rules.language import All, AnyOf, Compare, Condition, InputKind, InputSpec, Not, Schema
from fenxiao.rules.table import MAX_RULES, Finding, HitPolicy, ReadOnlyDict, Severity, rows_bound, rule_list
from fenxiao.rules.witness import find_witness
from fenxiao.settlement.profiles import default_category_floors

__all__ = [
    "ADMISSION_INPUTS",
    "AdmissionDecision",
    "AdmissionFinding",
    "AdmissionPolicy",
    "AdmissionProfile",
    "AdmissionRule",
    "Application",
    "Outcome",
    "ReviewQueue",
    "ShopMetrics",
    "default_admission_policy",
    "measure_shops",
    "merchant_inputs",
    "review_listing",
    "sku_inputs",
]


class Outcome(enum.Enum):
    """An admission outcome. Ordered by severity: ``reject`` > ``review`` > ``approve``."""

    APPROVE = "approve"
    REVIEW = "review"
    REJECT = "reject"

    @property
    def severity(self) -> int:
        """0 approve, 1 review, 2 reject."""
        return {"approve": 0, "review": 1, "reject": 2}[self.value]


_BIG: Final = Decimal(10**9)


def _optional_score(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        v.decimal_between(Decimal(0), Decimal(5))(instance, attribute, value)


#: Every input admission rules may name: facts about the merchant, and (for a SKU) about the listing.
ADMISSION_INPUTS: Final = Schema.of(
    InputSpec("standing", kind=InputKind.TEXT, better=None, description="normal, warned, restricted, suspended"),
    InputSpec("shop_kind", kind=InputKind.TEXT, better=None, description="flagship, official, specialty, ordinary"),
    InputSpec("shop_age_days", integer=True, low=Decimal(0), better=None, description="days since the shop opened"),
    InputSpec("experience_score", low=Decimal(0), high=Decimal(5), description="0-5; 5 when unrated"),
    InputSpec("rated", kind=InputKind.BOOL, better=None, description="has an experience score yet"),
    InputSpec("enterprise_licence", kind=InputKind.BOOL),
    InputSpec("days_since_serious_violation", integer=True, low=Decimal(0), description="a large number if none"),
    InputSpec("counterfeit_record", kind=InputKind.BOOL, better="lower"),
    InputSpec("category_excluded", kind=InputKind.BOOL, better="lower", description="the SKU's category is closed"),
    InputSpec("category_restricted", kind=InputKind.BOOL, better=None, description="whitelisted brands only"),
    InputSpec("qualified", kind=InputKind.BOOL, description="holds the category's qualification or a listed brand"),
    InputSpec("commission_rate", low=Decimal(0), high=Decimal(1), description="the listing's rate (SKU only)"),
    InputSpec("commission_floor", low=Decimal(0), high=Decimal(1), better=None, description="the category floor"),
    InputSpec("commission_below_floor", kind=InputKind.BOOL, better="lower"),
    InputSpec("price", low=Decimal(0), better=None, description="the SKU's price in yuan"),
    # The shop's recent record (ShopMetrics), missing when not given: a missing value satisfies no comparison.
    InputSpec("shop_gmv_30d", low=Decimal(0), optional=True, description="the shop's 30-day GMV in yuan"),
    InputSpec("bad_review_rate_30d", low=Decimal(0), high=Decimal(1), better="lower", optional=True),
    InputSpec("dsr_90d", low=Decimal(0), high=Decimal(5), optional=True, description="90-day DSR, 0-5"),
)


@attrs.frozen
class ShopMetrics:
    """A shop's recent record, as the platform measures it (every field optional: ``None`` is not measured).

    Args:
        gmv_30d: The shop's GMV over the last 30 days (input ``shop_gmv_30d``, in yuan).
        bad_review_rate_30d: Its bad-review rate over 30 days (input ``bad_review_rate_30d``).
        dsr_90d: Its detailed seller rating over 90 days, 0-5 (input ``dsr_90d``).

    .. versionadded:: 0.3
    """

    gmv_30d: Money | None = attrs.field(default=None, validator=v.optional_money)
    bad_review_rate_30d: Rate | None = attrs.field(default=None, validator=v.optional_rate)
    dsr_90d: Decimal | None = attrs.field(default=None, validator=_optional_score)


@checks_arguments
def measure_shops(catalog: Catalog, *, as_of: datetime) -> dict[str, ShopMetrics]:
    """Each merchant's recent record estimated from *catalog*'s snapshots, when the platform's own is not at hand.

    For every merchant with an SKU observed at or before *as_of* (timezone-aware), from each such SKU's newest
    snapshot by then:

    * ``gmv_30d``: the sum of the SKUs' 30-day GMV (in the currency of the first; SKUs in another are left out);
    * ``bad_review_rate_30d``: the SKUs' bad-review rates averaged with their 30-day units as weights (every
      observed rate counts alike when none sold), rounded half to even to a millionth; ``None`` when none observed;
    * ``dsr_90d`` is left unmeasured (``None``): a snapshot's experience score (体验分, 30 days, the platform's own
      blend) is not the 90-day DSR buyers give, and reading one as the other would send most shops to review. Pass
      the platform's record for it.

    Merchants with nothing observed are left out (their inputs stay missing, as without *shops*).

    >>> from fenxiao.sample import load_sample
    >>> catalog = load_sample()
    >>> shops = measure_shops(catalog, as_of=catalog.snapshots[0].observed_at)
    >>> shop = shops["m-0000"]
    >>> shop.gmv_30d.fen > 0, shop.bad_review_rate_30d is not None, shop.dsr_90d
    (True, True, None)

    .. versionadded:: 0.3
    """
    when = v.require_aware(as_of, "measure_shops.as_of")
    newest: dict[str, SkuSnapshot] = {}
    for snap in catalog.snapshots:
        if snap.observed_at <= when:
            current = newest.get(snap.sku_id)
            if current is None or snap.observed_at > current.observed_at:
                newest[snap.sku_id] = snap
    by_merchant: dict[str, list[SkuSnapshot]] = {}
    for sku in catalog.skus:
        latest = newest.get(sku.id)
        if latest is not None:
            by_merchant.setdefault(sku.merchant_id, []).append(latest)
    return {merchant_id: _shop_record(snaps) for merchant_id, snaps in sorted(by_merchant.items())}


def _shop_record(snaps: list[SkuSnapshot]) -> ShopMetrics:
    currency = snaps[0].gmv_30d.currency
    gmv = sum(s.gmv_30d.fen for s in snaps if s.gmv_30d.currency == currency)
    rated = [(s.bad_review_rate, s.units_30d) for s in snaps if s.bad_review_rate is not None]
    bad: Rate | None = None
    if rated:
        weights = [units for _, units in rated] if any(units for _, units in rated) else [1] * len(rated)
        num = sum(rate.ppm * w for (rate, _), w in zip(rated, weights, strict=True))
        bad = Rate.from_ppm(div_half_even(num, sum(weights)))
    return ShopMetrics(gmv_30d=Money(gmv, currency), bad_review_rate_30d=bad)


def _name_set(value: Iterable[str]) -> Any:
    """Converter: any iterable of names becomes a frozenset (text and non-iterables are left for _names)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value
    return frozenset(value)


def _names(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(x, str) and x.strip() for x in value):
        raise InvalidValueError(f"AdmissionProfile.{attribute.name}", value, "must be a set of category names")


def _floor_table(value: object) -> object:
    return ReadOnlyDict(value) if isinstance(value, Mapping) else value


def _floors(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise InvalidValueError("AdmissionProfile.commission_floors", value, "must be a table of category to rate")
    for key, rate in value.items():
        if not isinstance(key, str) or not isinstance(rate, Rate):
            raise InvalidValueError(f"AdmissionProfile.commission_floors[{key!r}]", rate, "must be a Rate")


@attrs.frozen
class AdmissionProfile:
    """Platform facts admission needs beyond the rules: closed and restricted categories, commission floors.

    Args:
        excluded_level1: First-level categories closed to distribution (fresh food, live animals, ...).
        restricted_level1: First-level categories open only to whitelisted brands or qualified merchants.
        commission_floors: A minimum commission rate per first-level category name or category id (read-only
            once the profile is built). The default is the one shared table of category floors
            (:func:`fenxiao.settlement.default_category_floors`), the same rules every platform profile settles
            by, so admission never approves a listing the profile refuses for its floor.
    """

    excluded_level1: frozenset[str] = attrs.field(
        default=frozenset({"生鲜", "活体宠物", "虚拟商品", "房产", "汽车"}), converter=_name_set, validator=_names
    )
    restricted_level1: frozenset[str] = attrs.field(
        default=frozenset({"美妆护肤", "珠宝文玩", "奢侈品", "钟表"}), converter=_name_set, validator=_names
    )
    commission_floors: Mapping[str, Rate] = attrs.field(
        factory=lambda: default_category_floors().commission_floors(),
        converter=_floor_table,
        validator=_floors,
    )

    def floor(self, category: Category) -> Rate:
        """The commission floor of *category*: by id first, then by first-level name, else 0.

        A floor listed for the id wins even when it is 0% (the same choice as
        :meth:`fenxiao.settlement.PlatformProfile.rule_for`).
        """
        for key in (category.id, category.level1):
            if key in self.commission_floors:
                return self.commission_floors[key]
        return Rate.zero()


@checks_arguments
def merchant_inputs(merchant: Merchant, *, as_of: datetime, shop: ShopMetrics | None = None) -> dict[str, object]:
    """The admission inputs describing *merchant* at *as_of* (timezone-aware), with its shop's recent record
    (*shop*: 30-day GMV, bad-review rate, 90-day DSR; missing inputs when not given).

    .. versionchanged:: 0.3
       *shop*.
    """
    when = v.require_aware(as_of, "merchant_inputs.as_of")
    if shop is not None and not isinstance(shop, ShopMetrics):
        raise InvalidValueError("merchant_inputs.shop", shop, "must be ShopMetrics or None")
    record = shop if shop is not None else ShopMetrics()
    today = when.date()
    violation = merchant.last_serious_violation_on
    return {
        "standing": merchant.standing.value,
        "shop_kind": merchant.shop_kind.value,
        "shop_age_days": max(0, (today - merchant.opened_on).days),
        "experience_score": merchant.experience_score if merchant.experience_score is not None else Decimal(5),
        "rated": merchant.experience_score is not None,
        "enterprise_licence": merchant.enterprise_licence,
        "days_since_serious_violation": _BIG if violation is None else max(0, (today - violation).days),
        "counterfeit_record": merchant.counterfeit_record,
        # Neutral SKU facts, so a policy's SKU rules never block a merchant-only decision.
        "category_excluded": False,
        "category_restricted": False,
        "qualified": True,
        "commission_rate": Decimal(1),
        "commission_floor": Decimal(0),
        "commission_below_floor": False,
        "price": Decimal(0),
        "shop_gmv_30d": None if record.gmv_30d is None else record.gmv_30d.yuan,
        "bad_review_rate_30d": None if record.bad_review_rate_30d is None else record.bad_review_rate_30d.value,
        "dsr_90d": record.dsr_90d,
    }


@checks_arguments
def sku_inputs(
    merchant: Merchant,
    sku: Sku,
    category: Category,
    terms: ListingTerms,
    *,
    as_of: datetime,
    profile: AdmissionProfile | None = None,
    brand_on_list: bool = False,
    shop: ShopMetrics | None = None,
) -> dict[str, object]:
    """The admission inputs of one SKU listing: its merchant's inputs (with *shop*, its recent record) plus
    category, qualification and commission."""
    profile = profile if profile is not None else AdmissionProfile()
    values = merchant_inputs(merchant, as_of=as_of, shop=shop)
    floor = profile.floor(category)
    values.update(
        category_excluded=category.level1 in profile.excluded_level1,
        category_restricted=category.level1 in profile.restricted_level1,
        qualified=brand_on_list or category.id in merchant.qualified_category_ids,
        commission_rate=terms.commission_rate.value,
        commission_floor=floor.value,
        commission_below_floor=terms.commission_rate < floor,
        price=sku.price.yuan,
    )
    return values


def _is_condition(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, (Compare, All, AnyOf, Not)):
        raise InvalidValueError(
            v.path_of(instance, attribute), value, "must be a condition (Compare, All, AnyOf or Not)"
        )


@attrs.frozen
class AdmissionRule:
    """One admission rule: *outcome* when *when* holds, for people *reason*."""

    name: str = attrs.field(validator=v.identifier)
    outcome: Outcome = attrs.field(validator=v.member_of(Outcome))
    when: Condition = attrs.field(validator=_is_condition)
    reason: str = attrs.field(validator=v.text)


@attrs.frozen
class AdmissionDecision:
    """The outcome and every reason: the rules that matched, each with the comparisons that made it match."""

    outcome: Outcome
    reasons: tuple[tuple[str, str], ...]
    subject: str | None = None

    def __str__(self) -> str:
        head = f"{self.subject + ': ' if self.subject else ''}{self.outcome.value}"
        return head + "".join(f"\n  - {name}: {why}" for name, why in self.reasons)


#: A lint finding about an admission policy: the one :class:`fenxiao.rules.table.Finding` of every rule table.
#:
#: .. deprecated:: 0.1
#:    Kept as an alias; use :class:`fenxiao.rules.table.Finding` (its ``severity`` is now a
#:    :class:`~fenxiao.rules.table.Severity`, which equals its text: ``Severity.WARNING == "warning"``).
AdmissionFinding = Finding


@attrs.frozen
class AdmissionPolicy:
    """Admission rules with a deny-overrides hit policy and a review service level.

    Args:
        rules: The rules (order only affects the order reasons are listed in).
        review_hours: How long a review may take: an application in review must be decided within it.
        name, version: For people.
        profile: Closed/restricted categories and commission floors.
    """

    #: Deny-overrides: the most severe outcome among the rules that hold decides (see the module's docstring).
    hit: ClassVar[HitPolicy] = HitPolicy.DENY_OVERRIDES

    rules: tuple[AdmissionRule, ...] = attrs.field(
        converter=v.to_tuple,
        validator=rule_list("AdmissionPolicy.rules", AdmissionRule, ADMISSION_INPUTS),
        metadata=rows_bound(MAX_RULES),
    )
    review_hours: int = attrs.field(default=24, validator=v.int_between(1, 24 * 90))
    name: str = attrs.field(default="custom", validator=v.label)
    version: str = attrs.field(default="1", validator=v.label)
    profile: AdmissionProfile = attrs.field(factory=AdmissionProfile, validator=v.instance_of(AdmissionProfile))

    def decide(self, inputs: Mapping[str, object], *, subject: str | None = None) -> AdmissionDecision:
        """Decide for one merchant or SKU: the most severe matching outcome, with every matching rule's reason."""
        reasons: list[tuple[str, str]] = []
        outcome = Outcome.APPROVE
        for rule in self.rules:
            explanation = explain(rule.when, inputs)
            if not explanation.passed:
                continue
            evidence = "; ".join(str(c) for c in explanation.checks if c.passed)
            reasons.append((rule.name, f"{rule.reason} ({evidence})" if evidence else rule.reason))
            if rule.outcome.severity > outcome.severity:
                outcome = rule.outcome
        ordered = sorted(reasons, key=lambda r: -next(x.outcome.severity for x in self.rules if x.name == r[0]))
        return AdmissionDecision(outcome, tuple(ordered), subject)

    def lint(self) -> tuple[Finding, ...]:
        """Static checks, with the same exact search as tier lint (see :func:`fenxiao.rules.witness.find_witness`).

        - ``never-matches`` (warning): a rule whose condition can never hold within the inputs' ranges;
        - ``never-decides`` (warning): a review rule that can only match where a reject rule also matches,
          so it never changes an outcome (the analogue of a shadowed tier rule under deny-overrides);
        - ``approve-rule`` (warning): an approve rule, which changes nothing (approve is the default).

        Gaps cannot occur (approve is the default outcome), and deny-overrides makes outcomes monotone in each
        rule's condition: tightening a rule never turns a reject into an approval (a property test checks it).
        """
        findings: list[Finding] = []
        rejects = [r.when for r in self.rules if r.outcome is Outcome.REJECT]
        for i, rule in enumerate(self.rules):
            if find_witness(rule.when, ADMISSION_INPUTS) is None:
                findings.append(
                    Finding(f"rules[{i}]", Severity.WARNING, "never-matches", f"rule {rule.name!r} can never match")
                )
                continue
            if rule.outcome is Outcome.REVIEW and rejects:
                escape = All((rule.when, *(Not(c) for c in rejects)))
                if find_witness(escape, ADMISSION_INPUTS) is None:
                    findings.append(
                        Finding(
                            f"rules[{i}]",
                            Severity.WARNING,
                            "never-decides",
                            f"review rule {rule.name!r} only matches where a reject rule already rejects",
                        )
                    )
            if rule.outcome is Outcome.APPROVE:
                findings.append(
                    Finding(
                        f"rules[{i}]",
                        Severity.WARNING,
                        "approve-rule",
                        f"rule {rule.name!r} approves, which is already the default; it only adds a reason",
                    )
                )
        return tuple(findings)


@functools.cache
def default_admission_policy() -> AdmissionPolicy:
    """The deliberately low-threshold default (the seed's point: merchants who want in should get in).

    ========  =====================  ============================================================
    outcome   rule                   when
    ========  =====================  ============================================================
    reject    suspended              standing == "suspended"
    reject    counterfeit            counterfeit_record
    reject    serious-violation      days_since_serious_violation < 365
    reject    closed-category        category_excluded (fresh food, live animals, virtual goods, ...)
    reject    below-floor            commission_below_floor (e.g. jewellery and medical goods < 5%)
    review    restricted-standing    standing in ["warned", "restricted"]
    review    low-experience         rated and experience_score < 4 and shop_age_days >= 90
    review    restricted-category    category_restricted and not qualified
    review    low-shop-gmv           shop_gmv_30d < 1000 and shop_age_days >= 90
    review    high-bad-reviews       bad_review_rate_30d > 5%
    review    low-dsr                dsr_90d < 4.7 and shop_age_days >= 90
    ========  =====================  ============================================================

    The last three read the shop's record (:class:`ShopMetrics`) and hold only when it is given.

    Everything else is approved at once: no licence, star-rating or GMV threshold (platforms that want
    them add rules: see docs/admission.md). Reviews must be decided within 24 hours.

    The policy is read from ``fenxiao/data/defaults/admission_policy.toml`` (once; the value is frozen and
    shared): copy that file, edit it and load it with :func:`fenxiao.serialization.load` to admit your own way.
    """
    return read_default("admission_policy.toml", AdmissionPolicy)


# -- applications and review ------------------------------------------------------------------------


@attrs.frozen
class Application:
    """A merchant's application to list SKUs, with its review clock.

    ``entered_review_at`` and ``due_at`` are set when the application goes to manual review;
    ``decided_at`` when a person decides it.
    """

    id: str = attrs.field(validator=v.identifier)
    merchant_id: str = attrs.field(validator=v.identifier)
    submitted_at: datetime = attrs.field(validator=v.aware_datetime)
    listing_ids: tuple[str, ...] = attrs.field(default=(), converter=v.to_tuple, validator=v.identifiers)
    entered_review_at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    due_at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    decided_at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)

    def overdue(self, as_of: datetime) -> bool:
        """In review, undecided, and past its due time at *as_of*."""
        when = v.require_aware(as_of, "Application.overdue.as_of")
        return self.due_at is not None and self.decided_at is None and when > self.due_at


def _applications(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError("ReviewQueue.applications", value, "must be a tuple of Application")
    for i, app in enumerate(value):
        if not isinstance(app, Application):
            raise InvalidValueError(f"ReviewQueue.applications[{i}]", app, "must be an Application")


@attrs.frozen
class ReviewQueue:
    """Applications waiting for a person, with the policy's service level."""

    applications: tuple[Application, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_applications)
    review_hours: int = attrs.field(default=24, validator=v.int_between(1, 24 * 90))

    @classmethod
    def for_policy(cls, policy: AdmissionPolicy) -> ReviewQueue:
        """An empty queue with *policy*'s review service level."""
        return cls(review_hours=policy.review_hours)

    def enter(self, application: Application, *, at: datetime) -> ReviewQueue:
        """Put *application* in review at *at*; it is due ``review_hours`` later."""
        when = v.require_aware(at, "ReviewQueue.enter.at")
        if when < application.submitted_at:
            raise InvalidValueError("ReviewQueue.enter.at", at, "is before the application was submitted")
        if any(a.id == application.id for a in self.applications):
            raise InvalidValueError("ReviewQueue.enter.application", application.id, "is already in the queue")
        entered = attrs.evolve(application, entered_review_at=when, due_at=when + timedelta(hours=self.review_hours))
        return attrs.evolve(self, applications=(*self.applications, entered))

    def decide(self, application_id: str, *, at: datetime) -> ReviewQueue:
        """Record that a person decided the application at *at*."""
        when = v.require_aware(at, "ReviewQueue.decide.at")
        found = False
        updated = []
        for app in self.applications:
            if app.id != application_id:
                updated.append(app)
                continue
            if app.decided_at is not None:
                raise InvalidValueError("ReviewQueue.decide.application_id", application_id, "is already decided")
            if app.entered_review_at is not None and when < app.entered_review_at:
                raise InvalidValueError("ReviewQueue.decide.at", at, "is before the review began")
            updated.append(attrs.evolve(app, decided_at=when))
            found = True
        if not found:
            raise InvalidValueError("ReviewQueue.decide.application_id", application_id, "is not in the queue")
        return attrs.evolve(self, applications=tuple(updated))

    def overdue(self, as_of: datetime) -> tuple[Application, ...]:
        """Applications still undecided past their due time, oldest due first."""
        late = [a for a in self.applications if a.overdue(as_of)]
        return tuple(sorted(late, key=lambda a: (a.due_at, a.id)))


@checks_arguments
def review_listing(listing: Listing, decision: AdmissionDecision, *, at: datetime) -> Listing:
    """Apply an admission decision to a listing through its lifecycle (applied → in review → approved/rejected).

    An ``approve`` or ``reject`` decision moves the listing through review to the outcome at *at*; a
    ``review`` decision leaves it in review for a person. Illegal moves raise
    :class:`~fenxiao.errors.TransitionError`.
    """
    reason = "; ".join(f"{n}: {r}" for n, r in decision.reasons)[:1000]
    if listing.status is ListingStatus.APPLIED:
        listing = listing.transition(ListingStatus.IN_REVIEW, at=at, reason="admission check")
    if decision.outcome is Outcome.APPROVE:
        return listing.transition(ListingStatus.APPROVED, at=at, reason=reason or "meets the admission policy")
    if decision.outcome is Outcome.REJECT:
        return listing.transition(ListingStatus.REJECTED, at=at, reason=reason)
    return listing
