"""One grading period with memory: :func:`run_period` grades a catalog against the program's state.

A period run scores every SKU (its newest snapshot observed by the period's moment), decides its tier, folds the
decision into the SKU's :class:`~fenxiao.periods.state.SkuState` (promotion at once, demotion only after the run
of lower grades the policy's :class:`~fenxiao.grading.history.Stability` asks for, at once inside the new-SKU
window), resolves perks on the *effective* tier (a grade held by hysteresis keeps its perks), turns the period's
orders into subsidy requests and grants them against what is left of each budget in the state's
:class:`~fenxiao.grading.budgets.BudgetBook`. It returns the new state and a
:class:`~fenxiao.periods.report.PeriodReport`; the state it was given is not changed.

>>> from datetime import timedelta
>>> from fenxiao.sample import load_sample
>>> catalog = load_sample()
>>> first = run_period(catalog, ProgramState(), period="2026-W47")
>>> len(first.report.rows) == len(catalog.skus), first.state.periods
(True, ('2026-W47',))
>>> later = catalog_as_of(catalog) + timedelta(days=7)
>>> second = run_period(catalog, first.state, period="2026-W48", as_of=later)
>>> second.report.changes() == ()  # the same metrics a week later: nothing moves
True

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import attrs

from fenxiao._internal import validators as v
from fenxiao._internal.progress import Progress, counted
from fenxiao._internal.validators import checks_arguments, checks_arguments_on_failure
from fenxiao.domain.catalog import Catalog
from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError
from fenxiao.grading.budgets import BudgetBook
from fenxiao.grading.inputs import score_inputs, tier_inputs
from fenxiao.grading.perks import PerkResolution, resolve_perks
from fenxiao.grading.pipeline import catalog_as_of, perk_inputs
from fenxiao.grading.subsidies import SubsidyRequest, subsidy_requests
from fenxiao.money import Money
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.periods.schedule import Schedule
from fenxiao.periods.state import ProgramState, SkuState
from fenxiao.scoring.context import ScoringContext, build_context
from fenxiao.settlement.profiles import PlatformProfile

__all__ = ["ModelSource", "PeriodResult", "run_period", "snapshots_as_of"]


@runtime_checkable
class ModelSource(Protocol):
    """Anything that says which models are in force at a moment (a :class:`~fenxiao.periods.schedule.Schedule`)."""

    def select_models(self, at: datetime) -> Models:
        """The models in force at *at*."""
        ...


@attrs.frozen
class PeriodResult:
    """What :func:`run_period` returns: the program's new state and the period's report."""

    state: ProgramState
    report: PeriodReport


@checks_arguments
def snapshots_as_of(catalog: Catalog, as_of: datetime) -> tuple[SkuSnapshot, ...]:
    """The newest snapshot of each SKU observed at or before *as_of*, in SKU order (later ones are the future)."""
    when = v.require_aware(as_of, "snapshots_as_of.as_of")
    latest: dict[str, SkuSnapshot] = {}
    for snap in catalog.snapshots:
        if snap.observed_at > when:
            continue
        current = latest.get(snap.sku_id)
        if current is None or snap.observed_at > current.observed_at:
            latest[snap.sku_id] = snap
    return tuple(latest[k] for k in sorted(latest))


def _models(models: Models | None, schedule: ModelSource | None, when: datetime) -> tuple[Models, dict[str, str]]:
    """The models of the period and how the report names them (a schedule also says which entry each came from)."""
    if models is not None and schedule is not None:
        raise InvalidValueError("run_period.schedule", schedule, "cannot be given together with models")
    if isinstance(schedule, Schedule):
        selection = schedule.select(when)
        return selection.models, selection.describe()
    if schedule is not None:
        if not isinstance(schedule, ModelSource):
            raise InvalidValueError("run_period.schedule", schedule, "must have a select_models(at) method")
        found = schedule.select_models(when)
        if not isinstance(found, Models):
            raise InvalidValueError("run_period.schedule", found, "select_models must return Models")
        return found, found.describe()
    if models is None:
        models = Models()
    if not isinstance(models, Models):
        raise InvalidValueError("run_period.models", models, "must be Models")
    return models, models.describe()


def _check_start(state: ProgramState, period: str, when: datetime) -> None:
    if not isinstance(state, ProgramState):
        raise InvalidValueError("run_period.state", state, "must be a ProgramState")
    given: object = period
    if not isinstance(given, str) or not given:
        raise InvalidValueError("run_period.period", period, "must be a period id such as '2026-W48'")
    if period in state.periods:
        raise InvalidValueError("run_period.period", period, "was already run on this state")
    if state.as_of is not None and when < state.as_of:
        raise InvalidValueError("run_period.as_of", when, f"is before the state's last period at {state.as_of}")


@checks_arguments_on_failure
def run_period(
    catalog: Catalog,
    state: ProgramState | None = None,
    *,
    period: str,
    as_of: datetime | None = None,
    models: Models | None = None,
    schedule: ModelSource | None = None,
    orders: Iterable[Any] = (),
    refunds: Iterable[Any] = (),
    profile: PlatformProfile | None = None,
    snapshots: Sequence[SkuSnapshot] | None = None,
    context: ScoringContext | None = None,
    progress: Progress = None,
    per_unit: bool = False,
) -> PeriodResult:
    """Grade one period with memory: scores, decided tier, hysteresis, perks on the effective tier, subsidies.

    Args:
        catalog: The goods and the people around them.
        state: What carries from the previous periods (an empty :class:`ProgramState` when ``None``).
        period: This period's id (``"2026-W48"``); a state runs each period once.
        as_of: The period's moment (timezone-aware, not before the state's last); the newest snapshot's time
            when ``None``.
        models: The models to grade with (the defaults when ``None``); or
        schedule: a :class:`ModelSource` (a :class:`~fenxiao.periods.schedule.Schedule`) whose models in force at
            *as_of* are used.
        orders: The period's paid orders (:class:`~fenxiao.settlement.orders.Order`): each asks its SKU's
            subsidy perks for a subsidy, granted against the models' budgets and what the state's book has spent.
        refunds: Orders of earlier periods refunded since (:class:`~fenxiao.settlement.orders.Order` values carrying
            their subsidy and refund events): the subsidy share of each refund goes back to the budget it came
            from (:meth:`BudgetBook.settle_refunds <fenxiao.grading.budgets.BudgetBook.settle_refunds>`), before
            this period's requests are granted, so it can be granted again.
        profile: The platform profile that splits a refund (its rounding); the default profile when ``None``.
        snapshots: Grade these instead of each SKU's newest snapshot observed by *as_of*.
        context: The category benchmarks; built from the snapshots graded when ``None``.
        progress: ``progress(done, total)`` as SKUs are graded, ``True`` for a tqdm bar, ``"auto"`` for one in a
            notebook or a terminal only; ``None`` (the default) reports nothing.
        per_unit: Each order of *n* units stands for *n* one-unit buyer orders (a simulated sales line, as the
            season simulator makes them): its subsidy is asked per buyer order, so that a per-order cap applies to
            each (:func:`~fenxiao.grading.subsidies.subsidy_requests`' ``per_unit``).

    Returns:
        The new state (every SKU graded folded in, the grants in the budget book, the period appended) and the
        period's report (a row per SKU graded, in SKU id order).

    Raises:
        InvalidValueError: The period was already run on this state, *as_of* is naive or before the state's last
            period, an order names a SKU the catalog lacks.
    """
    state = state if state is not None else ProgramState()
    if not isinstance(per_unit, bool):
        raise InvalidValueError("run_period.per_unit", per_unit, "must be true or false")
    # Read only on some paths (a refund to split, a context given): checked up front, so that none passes unread.
    if profile is not None and not isinstance(profile, PlatformProfile):
        raise InvalidValueError("run_period.profile", profile, "must be a PlatformProfile or None")
    if context is not None and not isinstance(context, ScoringContext):
        raise InvalidValueError("run_period.context", context, "must be a ScoringContext or None")
    when = v.require_aware(as_of, "run_period.as_of") if as_of is not None else catalog_as_of(catalog)
    _check_start(state, period, when)
    chosen, described = _models(models, schedule, when)
    batch = tuple(snapshots) if snapshots is not None else snapshots_as_of(catalog, when)
    ctx = context if context is not None else build_context(batch)
    cards = chosen.scorer.score_many(batch, ctx)
    skus = dict(state.skus)
    rows: list[SkuPeriod] = []
    resolutions: dict[str, tuple[PerkResolution, Decimal]] = {}
    for snapshot, card in counted(zip(batch, cards, strict=True), progress, len(batch), "run_period"):
        sku = catalog.sku(snapshot.sku_id)
        inputs = tier_inputs(snapshot, score_inputs(card), when, context=ctx)
        decision = chosen.policy.decide(inputs, sku_id=snapshot.sku_id)
        before = skus.get(sku.id) or SkuState(sku.id, joined_at=sku.joined_at)
        if before.joined_at is None:
            before = attrs.evolve(before, joined_at=sku.joined_at)
        after = before.record(when, decision.tier, stability=chosen.policy.stability)
        skus[sku.id] = after
        effective = after.effective if after.effective is not None else decision.tier
        resolution = resolve_perks(
            chosen.perks, effective, perk_inputs(catalog, snapshot, inputs), at=when, sku_id=sku.id
        )
        resolutions[sku.id] = (resolution, card.composite)
        changed = len(after.changes) > len(before.changes)
        rows.append(
            SkuPeriod(
                sku_id=sku.id,
                category_id=snapshot.category_id,
                merchant_id=sku.merchant_id,
                scores={d.value: value for d, value in card.values().items()},
                composite=card.composite,
                decided=decision.tier,
                rule=decision.rule,
                previous=before.effective,
                effective=effective,
                change=after.changes[-1].reason if changed else "",
                granted=tuple(g.entry for g in resolution.granted),
                denied={d.entry: d.code for d in resolution.denied},
                gmv=snapshot.gmv_30d,
            )
        )
    book, returned = _returns(state.budgets, refunds, profile, when)
    requests = _requests(catalog, orders, resolutions, per_unit=per_unit)
    book, allocation = book.allocate(requests, chosen.budgets, period=period, at=when)
    spent = {b.name: book.spent(b.name, period=period, currency=b.total.currency) for b in chosen.budgets}
    report = PeriodReport(
        period=period,
        as_of=when,
        rows=tuple(sorted(rows, key=lambda r: r.sku_id)),
        grants=allocation.grants,
        spent=spent,
        returned=returned,
        models=described,
    )
    new_state = attrs.evolve(state, skus=skus, budgets=book, periods=(*state.periods, period), as_of=when)
    return PeriodResult(new_state, report)


def _returns(
    book: BudgetBook, refunds: Iterable[Any], profile: PlatformProfile | None, when: datetime
) -> tuple[BudgetBook, dict[str, Money]]:
    """The book with the refunds' subsidy shares given back, and what came back to each budget."""
    refunded = list(refunds)
    if not refunded:
        return book, {}
    chosen = profile if profile is not None else PlatformProfile.default()
    after, _ = book.settle_refunds(refunded, chosen, at=when)
    returned: dict[str, Money] = {}
    for entry in after.entries[len(book.entries) :]:
        returned[entry.budget] = returned.get(entry.budget, Money.zero(entry.amount.currency)) - entry.amount
    return after, returned


def _requests(
    catalog: Catalog, orders: Iterable[Any], resolutions: dict[str, tuple[PerkResolution, Decimal]], *, per_unit: bool
) -> list[SubsidyRequest]:
    requests: list[SubsidyRequest] = []
    for i, order in enumerate(orders):
        sku_id = getattr(order, "sku_id", None)
        if not isinstance(sku_id, str):
            raise InvalidValueError(f"run_period.orders[{i}]", order, "must be an Order")
        found = resolutions.get(sku_id)
        if found is None:
            known = "has no snapshot this period" if sku_id in {s.id for s in catalog.skus} else "is not in the catalog"
            raise InvalidValueError(f"run_period.orders[{i}].sku_id", sku_id, known)
        resolution, composite = found
        requests.extend(subsidy_requests(resolution, [order], score=composite, per_unit=per_unit))
    return requests
