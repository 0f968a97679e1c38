"""A wrong-typed argument at any public entry point is a FenxiaoError naming the argument (issue 20, item 5).

The callables are every public function and constructor of the face (``fenxiao.__all__``) and of the packages
the API reference documents (docs/reference.md). For each parameter whose type hint a wrong value can miss,
Hypothesis draws a value of another kind (``None``, text, a float, a bool, an int, a Decimal, a list, a dict,
bytes, a bare object) and calls the callable with every other argument valid. The valid arguments come from a
real run on the sample generator (catalog, orders, ledger, a period, a two-week season): one instance of each
public class is picked from it and its fields are the constructor's valid arguments; functions take the valid
arguments written in ``CALLS``. Callables that accept any value on purpose, and result records that fenxiao
builds and never reads from a user, are listed with their reason.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import tempfile
import types
import typing
from collections import abc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

import attrs
import matplotlib
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fenxiao
from fenxiao import domain, grading, market, periods, rules, scoring, serialization, settlement, simulate

matplotlib.use("Agg")
from matplotlib import pyplot

from fenxiao.errors import FenxiaoError
from fenxiao.grading import default_budgets
from fenxiao.sample import generate_catalog, generate_orders
from fenxiao.serialization import dumps
from fenxiao.simulate import run_season

#: The packages users import, as listed in docs/reference.md (besides the face).
PACKAGES: Final = (
    "fenxiao",
    "fenxiao.money",
    "fenxiao.domain",
    "fenxiao.scoring",
    "fenxiao.rules",
    "fenxiao.grading",
    "fenxiao.settlement",
    "fenxiao.market",
    "fenxiao.periods",
    "fenxiao.simulate",
    "fenxiao.serialization",
    "fenxiao.plot",
)

Call = tuple[tuple[Any, ...], dict[str, Any]]


def _public() -> dict[str, Any]:
    """Every public function and class (errors and enums aside) by its first documented name."""
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants, type aliases and NewTypes (the identity at run time) check nothing
            if inspect.isclass(obj) and issubclass(obj, (enum.Enum, BaseException)):
                continue
            seen.add(id(obj))
            found[f"{package}.{name}"] = obj
    return found


PUBLIC: Final = _public()


# -- the valid arguments --------------------------------------------------------------------------------------


class Objects:
    """One valid instance of each public class, collected from a run on the sample generator."""

    def __init__(self) -> None:

        self.by_type: dict[type[Any], Any] = {}
        self.catalog = generate_catalog(seed=7, skus=30)
        self.orders = generate_orders(self.catalog, count=30)
        self.profile = fenxiao.PlatformProfile.kuaishou()
        ledger = fenxiao.Ledger()
        for order in self.orders:
            ledger = ledger.record(order, self.profile)
        self.ledger = ledger
        self.graded = fenxiao.grade_catalog(self.catalog)
        self.period = fenxiao.run_period(self.catalog, period="2026-W01", orders=self.orders, profile=self.profile)
        self.season = run_season(self.catalog, seed=1, weeks=2)
        roots: list[Any] = [
            self.catalog,
            self.orders,
            self.ledger,
            self.graded,
            self.period,
            self.season,
            fenxiao.default_tier_policy(),
            fenxiao.default_perk_catalog(),
            fenxiao.default_scorecards(),
            fenxiao.default_admission_policy(),
            fenxiao.default_scorer(),
            default_budgets(),
            fenxiao.split(self.orders[0], self.profile),
        ]
        for root in roots:
            self._walk(root, 0)
        self.order = self.orders[0]
        self.order_file = Path(tempfile.mkdtemp(prefix="fenxiao-wrong-types-")) / "order.json"
        self.order_file.write_text(dumps(self.order), encoding="utf-8")
        self.when = self.catalog.snapshots[0].observed_at
        for extra in self._built():
            self._walk(extra, 0)

    def _built(self) -> Iterator[Any]:  # noqa: PLR0915 - one instance per class, in one place
        """Instances of the classes the run above does not produce, and the results of the functions taking them."""
        money, rate, when = fenxiao.Money.of, fenxiao.Rate.of, self.when
        scenario = settlement.Scenario(price=money("99.90"), commission_rate=rate("20%"))
        yield scenario
        yield settlement.model(scenario)
        budget = grading.SubsidyBudget(name="launch", total=money("1000"))
        request = grading.SubsidyRequest(request_id="r-1", budget="launch", amount=money("5"), tier=fenxiao.Tier.L2)
        yield request
        yield fenxiao.allocate_subsidies([request], [budget])
        yield grading.SubsidyBudgets(budgets=(budget,))
        yield grading.SpendEntry(request_id="r-1", budget="launch", amount=money("5"), at=when)
        yield grading.Badge(label="好物", icon="star")
        yield grading.Subsidy(budget="launch", rate=rate("5%"))
        change = settlement.RateChange(rate=rate("20%"), requested_at=when, effective_at=when)
        sku = self.catalog.skus[0]
        plan = settlement.CommissionPlan(
            id="plan-1",
            kind=settlement.PlanKind.NORMAL,
            merchant_id=sku.merchant_id,
            rate_history=(change,),
            valid_from=when,
            steps=(settlement.CommissionStep(threshold=money("100"), rate=rate("25%")),),
        )
        yield plan
        influencer = self.catalog.influencers[0]
        yield fenxiao.select_plan(
            [plan], merchant_id=sku.merchant_id, sku_id=sku.id, influencer_id=influencer.id, at=when
        )
        yield settlement.KindBounds(kind=settlement.PlanKind.NORMAL)
        leader = self.catalog.team_leaders[0]
        yield settlement.TeamLeaderActivity(
            id="act-1",
            leader_id=leader.id,
            service_fee_rate=rate("5%"),
            valid_from=when,
            category_minimums=(settlement.CategoryMinimum(match=sku.category_id, min_commission=rate("10%")),),
            second_levels=(settlement.SecondLevelTerms(leader_id="tl-second", fee_rate=rate("1%")),),
        )
        enrollment = settlement.Enrollment(
            "en-1", "act-1", self.catalog.listings[0].id, settlement.EnrollmentTerms(rate("20%")), applied_at=when
        )
        yield enrollment.transition(settlement.EnrollmentStatus.IN_AUDIT, at=when)
        for order in self.orders:
            yield settlement.clawbacks(order, self.profile)
        compare = fenxiao.Compare(input="composite", op=fenxiao.Op.GE, value=Decimal(90))
        yield fenxiao.AnyOf(conditions=(compare,))
        yield fenxiao.Not(condition=compare)
        yield rules.Schema(inputs={"composite": rules.InputSpec(name="composite")})
        sales = market.settled_sales(self.ledger, self.orders, self.catalog)
        yield sales
        yield market.leader_reports(self.catalog, self.ledger, sales)
        yield fenxiao.GoalTracker()
        yield periods.measure_diff(self.catalog, fenxiao.Models(), fenxiao.Models())
        report = self.period.report
        yield periods.measure_drift(report, report)
        yield periods.Schedule(
            scorecards=(periods.ScheduledScorecards(effective_from=when, scorecards=fenxiao.default_scorecards()),),
            policies=(periods.ScheduledPolicy(effective_from=when, policy=fenxiao.default_tier_policy()),),
            perks=(periods.ScheduledPerks(effective_from=when, perks=fenxiao.default_perk_catalog()),),
            budgets=(periods.ScheduledBudgets(effective_from=when, budgets=(budget,)),),
        )
        yield simulate.run_experiment(self.catalog, simulate.Arm(name="base"), seeds=1, weeks=1)
        yield market.Application(id="app-1", merchant_id=sku.merchant_id, submitted_at=when)
        pool = fenxiao.SelectionPool.from_catalog(self.catalog, self.graded)
        self.pool = pool
        yield pool.entries
        yield pool.rank(influencer)
        merchant = self.catalog.merchant(sku.merchant_id)
        category = self.catalog.category(sku.category_id)
        terms = self.catalog.listings[0].terms
        inputs = {
            **market.merchant_inputs(merchant, as_of=when),
            **market.sku_inputs(merchant, sku, category, terms, as_of=when),
        }
        yield fenxiao.default_admission_policy().decide(inputs)
        yield fenxiao.build_context(self.catalog.snapshots)
        yield rules.explain(compare, {"composite": Decimal(95)})
        yield simulate.BudgetPlan(name="launch")
        schedule = self.of(periods.Schedule)
        yield schedule.select(when)
        yield fenxiao.CategoryRule(match=sku.category_id)
        yield fenxiao.Finding(path="policy", severity=fenxiao.Severity.WARNING, code="probe", message="a probe")
        yield periods.SkuDiff(sku_id=sku.id, category_id=sku.category_id, before=fenxiao.Tier.L1, after=fenxiao.Tier.L2)
        yield simulate.WeekPerks(tier=fenxiao.Tier.L2)
        yield fenxiao.default_perk_catalog().resolve(fenxiao.Tier.L3, grading.example_perk_inputs())
        contract = domain.McnContract(influencer.id, rate("30%"), when)
        yield domain.Mcn(id="mcn-1", name="星河传媒", contracts=(contract,))
        yield market.decide_clearance(self.catalog, as_of=when)
        yield settlement.default_category_floors()
        step = settlement.CommissionStep(threshold=money("100"), rate=rate("25%"))
        volume_steps = periods.VolumeSteps("plan-1", rate("20%"), (step,))
        yield volume_steps
        yield periods.VolumeTopUp(
            plan_id="plan-1",
            influencer_id=influencer.id,
            orders=1,
            volume=money("100"),
            top_up=money("5"),
            platform_fee=money("0.25"),
            influencer=money("4.75"),
        )

    def of(self, cls: type[Any]) -> Any:
        return self.by_type[cls]

    def _walk(self, value: object, depth: int) -> None:
        if depth > 10:
            return
        kind = type(value)
        self.by_type.setdefault(kind, value)
        if attrs.has(kind):
            for field in attrs.fields(kind):
                self._walk(getattr(value, field.name), depth + 1)
        elif isinstance(value, (list, tuple, frozenset, set)):
            for item in list(value)[:3]:
                self._walk(item, depth + 1)
        elif isinstance(value, abc.Mapping):
            for key, item in list(value.items())[:3]:
                self._walk(key, depth + 1)
                self._walk(item, depth + 1)


@cache
def objects() -> Objects:
    return Objects()


def _fields_of(instance: Any) -> Call:
    """The keyword arguments that rebuild an attrs *instance*."""
    cls = type(instance)
    return (), {f.alias: getattr(instance, f.name) for f in attrs.fields(cls) if f.init}


def _no_arguments() -> Call:
    return (), {}


#: The valid arguments of each public function (and of the classes a run does not produce).
def _calls() -> dict[str, Callable[[Objects], Call]]:
    money, rate, tier = fenxiao.Money.of, fenxiao.Rate.of, fenxiao.Tier.L2
    compare = fenxiao.Compare(input="composite", op=fenxiao.Op.GE, value=Decimal(90))
    schema = rules.Schema(inputs={"composite": rules.InputSpec(name="composite", low=Decimal(0), high=Decimal(100))})

    def scenario(o: Objects) -> Any:
        return o.of(settlement.Scenario)

    return {
        "fenxiao.SelectionPool": lambda o: ((o.pool.entries,), {}),
        "fenxiao.allocate_subsidies": lambda o: (([o.of(grading.SubsidyRequest)], [o.of(grading.SubsidyBudget)]), {}),
        "fenxiao.build_context": lambda o: ((o.catalog.snapshots,), {}),
        "fenxiao.grade_catalog": lambda o: ((o.catalog,), {"explain": False}),
        "fenxiao.register_metric": lambda o: (
            ("wrong_type_probe", lambda snapshot, context: None),
            {"places": 2, "unit": "x", "description": "probe", "replace": True},
        ),
        "fenxiao.register_perk_kind": lambda o: ((grading.Badge,), {"replace": True}),
        "fenxiao.resolve_perks": lambda o: (
            (fenxiao.default_perk_catalog(), fenxiao.Tier.L3, grading.example_perk_inputs()),
            {},
        ),
        "fenxiao.run_period": lambda o: ((o.catalog,), {"period": "2026-W01"}),
        "fenxiao.select_plan": lambda o: (
            ([o.of(settlement.CommissionPlan)],),
            {
                "merchant_id": o.catalog.skus[0].merchant_id,
                "sku_id": o.catalog.skus[0].id,
                "influencer_id": o.catalog.influencers[0].id,
                "at": o.when,
            },
        ),
        "fenxiao.split": lambda o: ((o.order, o.profile), {}),
        "fenxiao.grading.apply_subsidy": lambda o: ((o.order, o.of(grading.BudgetAllocation)), {}),
        "fenxiao.grading.catalog_as_of": lambda o: ((o.catalog,), {}),
        "fenxiao.grading.example_inputs": lambda o: ((), {}),
        "fenxiao.grading.example_perk_inputs": lambda o: ((), {}),
        "fenxiao.grading.lint_budget_use": lambda o: ((fenxiao.default_perk_catalog(), grading.default_budgets()), {}),
        "fenxiao.grading.lint_budgets": lambda o: ((grading.default_budgets(),), {}),
        "fenxiao.grading.lint_policy": lambda o: ((fenxiao.default_tier_policy(),), {"budget": 1000}),
        "fenxiao.grading.outside_window": lambda o: ((None, None, o.when), {}),
        "fenxiao.grading.perk_context": lambda o: (
            (o.catalog, o.catalog.snapshots[0], grading.example_perk_inputs()),
            {},
        ),
        "fenxiao.grading.perk_kinds": lambda o: ((), {}),
        "fenxiao.grading.score_inputs": lambda o: ((o.of(fenxiao.SkuScores),), {}),
        "fenxiao.grading.stacking_precedence": lambda o: (
            (next(iter(grading.Stacking)), o.of(grading.PerkEntry), 0),
            {},
        ),
        "fenxiao.grading.subsidy_requests": lambda o: ((o.of(fenxiao.PerkResolution), o.orders), {}),
        "fenxiao.grading.tier_inputs": lambda o: (
            (o.catalog.snapshots[0], grading.score_inputs(o.of(fenxiao.SkuScores)), o.when),
            {},
        ),
        "fenxiao.grading.unregister_perk_kind": lambda o: (("no_such_kind",), {}),
        "fenxiao.market.category_coverage": lambda o: (([("c-1", tier)],), {}),
        "fenxiao.market.leader_reports": lambda o: (
            (o.catalog, o.ledger, market.settled_sales(o.ledger, o.orders, o.catalog)),
            {},
        ),
        "fenxiao.market.measure_shops": lambda o: ((o.catalog,), {"as_of": o.when}),
        "fenxiao.market.merchant_inputs": lambda o: ((o.catalog.merchants[0],), {"as_of": o.when}),
        "fenxiao.market.review_listing": lambda o: (
            (o.catalog.listings[0], o.of(fenxiao.AdmissionDecision)),
            {"at": o.when},
        ),
        "fenxiao.market.settled_sales": lambda o: ((o.ledger, o.orders, o.catalog), {}),
        "fenxiao.market.sku_inputs": lambda o: (
            (
                o.catalog.merchant(o.catalog.skus[0].merchant_id),
                o.catalog.skus[0],
                o.catalog.category(o.catalog.skus[0].category_id),
                o.catalog.listings[0].terms,
            ),
            {"as_of": o.when},
        ),
        "fenxiao.market.apply_clearance": lambda o: (
            (o.catalog, market.decide_clearance(o.catalog, as_of=o.when)),
            {"at": o.when},
        ),
        "fenxiao.market.decide_clearance": lambda o: ((o.catalog,), {"as_of": o.when}),
        "fenxiao.market.is_brand_merchant": lambda o: ((o.catalog.merchants[0], o.catalog), {}),
        "fenxiao.market.is_listed": lambda o: ((o.of(fenxiao.PerkResolution),), {}),
        "fenxiao.money.round_div": lambda o: ((7, 2, fenxiao.Rounding.HALF_UP), {}),
        "fenxiao.periods.lint_schedule": lambda o: ((o.of(periods.Schedule),), {}),
        "fenxiao.periods.measure_diff": lambda o: ((o.catalog, fenxiao.Models(), fenxiao.Models()), {}),
        "fenxiao.periods.measure_drift": lambda o: ((o.period.report, o.period.report), {}),
        "fenxiao.periods.measure_psi": lambda o: (([1, 2, 3], [1, 2, 3]), {}),
        "fenxiao.periods.settle_period_volume": lambda o: (
            (o.orders, o.of(periods.VolumeSteps)),
            {"state": periods.ProgramState(), "as_of": o.when, "profile": o.profile},
        ),
        "fenxiao.periods.snapshots_as_of": lambda o: ((o.catalog, o.when), {}),
        "fenxiao.rules.check": lambda o: ((compare, schema), {}),
        "fenxiao.rules.comparisons": lambda o: ((compare,), {}),
        "fenxiao.rules.condition_from_data": lambda o: (({"input": "composite", "op": ">=", "value": "90"},), {}),
        "fenxiao.rules.condition_to_data": lambda o: ((compare,), {}),
        "fenxiao.rules.evaluate": lambda o: ((compare, {"composite": Decimal(95)}), {}),
        "fenxiao.rules.explain": lambda o: ((compare, {"composite": Decimal(95)}), {}),
        "fenxiao.rules.find_witness": lambda o: ((compare, schema), {"budget": 1000}),
        "fenxiao.rules.inputs_of": lambda o: ((compare,), {}),
        "fenxiao.rules.SearchBudget": lambda o: ((), {"steps": 1000}),
        "fenxiao.scoring.ScorerRegistry": lambda o: ((), {"entry_point_group": None}),
        "fenxiao.scoring.composite_centi": lambda o: (
            ([9000] * 5, o.of(scoring.CompositeWeights)),
            {},
        ),
        "fenxiao.scoring.get_metric": lambda o: ((scoring.metric_names()[0],), {}),
        "fenxiao.scoring.lint_scorecards": lambda o: ((fenxiao.default_scorecards(),), {}),
        "fenxiao.scoring.metric_names": lambda o: ((), {}),
        "fenxiao.scoring.round_points": lambda o: ((Decimal("1.234"),), {}),
        "fenxiao.scoring.unregister_metric": lambda o: (("no_such_metric",), {}),
        "fenxiao.serialization.dumps": lambda o: ((o.order,), {}),
        "fenxiao.serialization.from_dict": lambda o: ((serialization.to_dict(o.order), fenxiao.Order), {}),
        "fenxiao.serialization.load": lambda o: ((o.order_file, fenxiao.Order), {}),
        "fenxiao.serialization.loads": lambda o: ((serialization.dumps(o.order), fenxiao.Order), {}),
        "fenxiao.serialization.to_dict": lambda o: ((o.order,), {}),
        "fenxiao.settlement.break_even_commission": lambda o: ((scenario(o),), {}),
        "fenxiao.settlement.check_exclusive_chain": lambda o: (([o.of(settlement.CommissionPlan)], o.profile), {}),
        "fenxiao.settlement.clawbacks": lambda o: ((o.order, o.profile), {}),
        "fenxiao.settlement.commission_on": lambda o: ((money("99.90"), rate("20%")), {}),
        "fenxiao.settlement.difference": lambda o: (
            (fenxiao.split(o.order, o.profile), fenxiao.split(o.order, o.profile)),
            {},
        ),
        "fenxiao.settlement.entry_values": lambda o: ((o.order, o.profile), {}),
        "fenxiao.settlement.entries_for": lambda o: ((o.order, o.profile), {}),
        "fenxiao.settlement.entry_rows": lambda o: (
            (o.order, o.profile),
            {"bind": lambda at, event_id, field: (at, 0)},
        ),
        "fenxiao.settlement.OrderEntries": lambda o: ((o.order, o.profile), {}),
        "fenxiao.settlement.history": lambda o: ((o.order, o.profile), {}),
        "fenxiao.settlement.lint_profile": lambda o: ((o.profile,), {}),
        "fenxiao.settlement.model": lambda o: ((scenario(o),), {}),
        "fenxiao.settlement.check_enrollment": lambda o: (([], o.of(settlement.Enrollment)), {}),
        "fenxiao.settlement.next_natural_day": lambda o: ((o.when, timezone(timedelta(hours=8))), {}),
        "fenxiao.settlement.record": lambda o: ((settlement.model(scenario(o)),), {}),
        "fenxiao.settlement.settled_split": lambda o: ((o.order, o.profile), {}),
        "fenxiao.settlement.split_rows": lambda o: (([fenxiao.split(o.order, o.profile)],), {}),
        "fenxiao.settlement.splits_frame": lambda o: (([fenxiao.split(o.order, o.profile)],), {}),
        "fenxiao.settlement.sweep": lambda o: ((scenario(o),), {"units": [1, 2]}),
        "fenxiao.settlement.to_pandas": lambda o: (([settlement.record(settlement.model(scenario(o)))],), {}),
        "fenxiao.simulate.Arm": lambda o: ((), {"name": "base"}),
        "fenxiao.simulate.band_of": lambda o: (([1, 2, 3],), {}),
        "fenxiao.simulate.perks_in_force": lambda o: ((o.period.report, fenxiao.Models()), {}),
        "fenxiao.simulate.run_experiment": lambda o: ((o.catalog, simulate.Arm(name="base")), {"seeds": 1, "weeks": 1}),
        "fenxiao.simulate.run_season": lambda o: ((o.catalog,), {"seed": 1, "weeks": 1}),
        "fenxiao.simulate.subsidy_requests_of": lambda o: (
            (o.of(fenxiao.PerkResolution), o.order),
            {"score": Decimal(90)},
        ),
        "fenxiao.simulate.week_period": lambda o: ((3,), {}),
        "fenxiao.plot.plot_goals": lambda o: ((o.season.goals,), {}),
        "fenxiao.plot.plot_migration": lambda o: ((o.of(periods.TierMigration),), {}),
        "fenxiao.plot.plot_periods": lambda o: (([o.period.report],), {}),
        "fenxiao.plot.plot_radar": lambda o: ((o.of(fenxiao.SkuScores),), {}),
        "fenxiao.plot.plot_season": lambda o: ((o.season,), {}),
        "fenxiao.plot.plot_sweep": lambda o: (
            (settlement.sweep(scenario(o), units=[1, 2], price=[money("10"), money("20")]),),
            {"x": "units", "y": "price", "value": "merchant_margin"},
        ),
        "fenxiao.plot.plot_tier_mix": lambda o: ((o.graded,), {}),
        "fenxiao.plot.plot_waterfall": lambda o: ((fenxiao.split(o.order, o.profile),), {}),
    }


CALLS: Final = _calls()


@cache
def _valid_call(name: str) -> Call | None:
    make = CALLS.get(name)
    if make is not None:
        return make(objects())
    obj = PUBLIC[name]
    if inspect.isclass(obj) and attrs.has(obj):
        instance = objects().by_type.get(obj)
        if instance is not None:
            return _fields_of(instance)
        if all(f.default is not attrs.NOTHING for f in attrs.fields(obj) if f.init):
            return _no_arguments()
    return None


# -- type hints and the values that miss them ----------------------------------------------------------------


@cache
def _common_names() -> dict[str, Any]:
    names: dict[str, Any] = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.update({n: getattr(module, n) for n in module.__all__})
    names.update(vars(typing))
    names.update({n: getattr(abc, n) for n in abc.__all__})
    names.update(datetime=datetime, timezone=timezone, timedelta=timedelta, Decimal=Decimal)
    return names


def _namespace(obj: Any) -> dict[str, Any]:
    names = dict(_common_names())
    module = inspect.getmodule(obj)
    if module is not None:
        names.update(vars(module))
    return names


def _resolve(annotation: Any, owner: Any) -> Any:
    """The type an annotation names, or ``Any`` when it cannot be resolved (a name imported for checking only)."""
    if annotation is inspect.Parameter.empty:
        return Any
    if isinstance(annotation, str):
        try:
            return eval(annotation, _namespace(owner))
        except Exception:
            return Any
    return annotation


@cache
def hints(name: str) -> dict[str, Any]:
    """Each parameter of the callable *name* and the type its hint names."""
    obj = PUBLIC[name]
    if inspect.isclass(obj) and attrs.has(obj):
        owner_hints: dict[str, Any] = {}
        for field in attrs.fields(obj):
            if not field.init:
                continue
            hint = _resolve(field.type, obj)
            converter = field.converter
            if converter is not None and not isinstance(converter, attrs.Converter):
                try:  # a converter's parameter says what the constructor takes
                    first = next(iter(inspect.signature(converter).parameters.values()), None)
                except ValueError:  # a builtin (frozenset, tuple): the field's type
                    first = None
                if first is not None:
                    hint = _resolve(first.annotation, converter)
            owner_hints[field.alias] = hint
        return owner_hints
    target = obj.__init__ if inspect.isclass(obj) else obj
    signature = inspect.signature(target)
    return {
        p.name: _resolve(p.annotation, target)
        for p in signature.parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and not p.name.startswith("_")
    }


def conforms(value: object, hint: Any) -> bool:  # noqa: PLR0911, PLR0912 - one return per kind of hint
    """Whether *value* is of the type *hint* names (a bool is not an int here: counts refuse it)."""
    if hint is Any or hint is object or isinstance(hint, typing.TypeVar):
        return True
    if hint is None or hint is types.NoneType:
        return value is None
    supertype = getattr(hint, "__supertype__", None)
    if supertype is not None:
        return conforms(value, supertype)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if origin is typing.Annotated:
        return conforms(value, args[0])
    if origin is type:
        return isinstance(value, type)
    if origin is abc.Callable or hint is abc.Callable:
        return callable(value)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(v, args[0]) for v in value)
        return len(args) == len(value) and all(conforms(v, a) for v, a in zip(value, args, strict=True))
    if origin in (dict, abc.Mapping, abc.MutableMapping):
        if not isinstance(value, abc.Mapping):
            return False
        return not args or all(conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items())
    if isinstance(origin, type) and issubclass(origin, abc.Iterable):
        if not isinstance(value, origin):
            return False
        return not args or all(conforms(v, args[0]) for v in value)
    if not isinstance(hint, type):
        return True  # a hint this test cannot read: no value counts as wrong for it
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if issubclass(hint, enum.Enum):
        return isinstance(value, hint) or any(value == m.value and type(value) is type(m.value) for m in hint)
    return isinstance(value, hint)


#: One strategy per kind of wrong value.
KINDS: Final[dict[str, st.SearchStrategy[Any]]] = {
    "None": st.none(),
    "text": st.text(max_size=6),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "bool": st.booleans(),
    "int": st.integers(-(10**6), 10**6),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2),
    "list": st.lists(st.integers(0, 9), max_size=2),
    "dict": st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 9), max_size=2),
    "bytes": st.binary(max_size=4),
    "object": st.builds(object),
}
#: A value of each kind, to tell which kinds can miss a hint at all.
PROBES: Final[dict[str, object]] = {
    "None": None,
    "text": "x",
    "float": 1.5,
    "bool": True,
    "int": 7,
    "Decimal": Decimal("1.50"),
    "list": [1],
    "dict": {"a": 1},
    "bytes": b"x",
    "object": object(),
}


def wrong_values(hint: Any) -> st.SearchStrategy[Any] | None:
    """Values that miss *hint*, or ``None`` when every kind can fit it (a parameter typed ``Any``)."""
    kinds = [k for k, probe in PROBES.items() if not conforms(probe, hint)]
    if not kinds:
        return None
    return st.sampled_from(kinds).flatmap(lambda k: KINDS[k]).filter(lambda v: not conforms(v, hint))


# -- the lists ---------------------------------------------------------------------------------------------------

#: Callables that take any value on purpose, or whose parameters are checked elsewhere, with the reason.
_PROTOCOL: Final = "a Protocol: a type for annotations, never constructed"
ANY_VALUE: Final[dict[str, str]] = {
    "fenxiao.grading.Perk": _PROTOCOL,
    "fenxiao.periods.ModelSource": _PROTOCOL,
    "fenxiao.DimensionScorer": _PROTOCOL,
    "fenxiao.scoring.BatchDimensionScorer": _PROTOCOL,
}

#: (callable, parameter) pairs that take any value on purpose, with the reason.
ANY_PARAMETER: Final[dict[tuple[str, str], str]] = {}

#: Result records: fenxiao builds them from validated inputs (and reads them from files through the converter,
#: which checks every field's type); their constructors do not validate, so that building millions stays fast.
RESULT_RECORDS: Final[frozenset[str]] = frozenset(
    {
        "fenxiao.AdmissionDecision",
        "fenxiao.BudgetAllocation",
        "fenxiao.Finding",
        "fenxiao.GoalProgress",
        "fenxiao.GradedSku",
        "fenxiao.NextTierGap",
        "fenxiao.PeriodReport",
        "fenxiao.PeriodResult",
        "fenxiao.PerkResolution",
        "fenxiao.PlanDecision",
        "fenxiao.RankedPage",
        "fenxiao.SkuPeriod",
        "fenxiao.TierDecision",
        "fenxiao.grading.DeniedPerk",
        "fenxiao.grading.GrantedPerk",
        "fenxiao.grading.SubsidyGrant",
        "fenxiao.grading.TierChange",
        "fenxiao.market.LeaderReport",
        "fenxiao.market.RankedListing",
        "fenxiao.market.SaleRecord",
        "fenxiao.periods.ModelDiff",
        "fenxiao.periods.PeriodComparison",
        "fenxiao.periods.RuleHits",
        "fenxiao.periods.ScheduleSelection",
        "fenxiao.periods.ScoreDrift",
        "fenxiao.periods.VersionInForce",
        "fenxiao.periods.VolumeTopUp",
        "fenxiao.rules.Check",
        "fenxiao.rules.Explanation",
        "fenxiao.settlement.PlanCandidate",
        "fenxiao.settlement.ScenarioResult",
        "fenxiao.simulate.Band",
        "fenxiao.simulate.CategoryWeek",
        "fenxiao.simulate.Comparison",
        "fenxiao.simulate.Experiment",
        "fenxiao.simulate.Flywheel",
        "fenxiao.simulate.Season",
        "fenxiao.simulate.SeedRun",
        "fenxiao.simulate.SkuWeek",
        "fenxiao.simulate.TierWeek",
        "fenxiao.simulate.WeekPerks",
        "fenxiao.simulate.WeekRow",
    }
)


def _cases() -> Iterator[tuple[str, str]]:
    for name in sorted(PUBLIC):
        if name in ANY_VALUE or name in RESULT_RECORDS:
            continue
        for parameter, hint in hints(name).items():
            if (name, parameter) not in ANY_PARAMETER and wrong_values(hint) is not None:
                yield name, parameter


CASES: Final = list(_cases())


def test_every_public_callable_has_valid_arguments_or_a_reason() -> None:
    missing = [name for name in sorted(PUBLIC) if name not in ANY_VALUE and _valid_call(name) is None]
    assert missing == []
    # A name on a list that is no longer public (renamed, gone): take it off the list.
    listed = set(ANY_VALUE) | RESULT_RECORDS | {name for name, _ in ANY_PARAMETER} | set(CALLS) | set(REFUSED_AS_VALID)
    assert sorted(listed - set(PUBLIC)) == []


#: Valid arguments that are still refused, and why they are the right ones to call with.
REFUSED_AS_VALID: Final[dict[str, str]] = {
    "fenxiao.grading.unregister_perk_kind": "a name that is not registered: unregistering a real kind would change "
    "the perk kinds every other test in the process sees",
    "fenxiao.scoring.unregister_metric": "a name that is not registered, for the same reason",
}


def test_the_valid_arguments_are_valid() -> None:
    failures = {}
    for name in sorted(PUBLIC):
        call = None if name in ANY_VALUE else _valid_call(name)
        if call is None:
            continue
        args, kwargs = call
        try:
            PUBLIC[name](*args, **kwargs)
            pyplot.close("all")
        except FenxiaoError as error:
            if name not in REFUSED_AS_VALID:
                failures[name] = repr(error)
    assert failures == {}


def _call_with(name: str, parameter: str, value: object) -> None:
    call = _valid_call(name)
    assert call is not None, "no valid arguments (see test_every_public_callable_has_valid_arguments_or_a_reason)"
    args, kwargs = call
    target = PUBLIC[name]
    signature = inspect.signature(target)
    bound = signature.bind(*args, **kwargs)
    bound.arguments[parameter] = value
    try:
        target(*bound.args, **bound.kwargs)
    finally:
        if name.startswith("fenxiao.plot."):
            pyplot.close("all")


def _refusal_problem(name: str, parameter: str, value: object) -> str | None:
    """What is wrong with calling *name* with *value* as *parameter*, or ``None`` if it is refused as it should be."""
    try:
        _call_with(name, parameter, value)
    except FenxiaoError as error:
        if parameter not in str(error):
            return f"{type(error).__name__} not naming {parameter!r}: {error}"
        return None
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "accepted"


@pytest.mark.parametrize("name", sorted({n for n, _ in CASES}))
def test_every_parameter_refuses_a_value_of_every_wrong_kind(name: str) -> None:
    """One value of each kind that misses the hint, at every parameter: an exhaustive sweep."""
    problems = {}
    for parameter, hint in hints(name).items():
        if (name, parameter) not in CASES:
            continue
        for kind, probe in PROBES.items():
            if not conforms(probe, hint):
                problem = _refusal_problem(name, parameter, probe)
                if problem is not None:
                    problems[f"{parameter}={kind}"] = problem
    assert problems == {}


@given(case=st.sampled_from(CASES), data=st.data())
def test_a_wrong_type_is_a_fenxiao_error_naming_the_argument(case: tuple[str, str], data: st.DataObject) -> None:
    """Any drawn value that misses the hint is refused with a FenxiaoError naming the parameter."""
    name, parameter = case
    strategy = wrong_values(hints(name)[parameter])
    assert strategy is not None
    value = data.draw(strategy, label=parameter)
    assert _refusal_problem(name, parameter, value) is None


def test_a_value_of_the_right_type_conforms() -> None:
    """The reading of hints the property relies on."""
    assert conforms(5, int)
    assert not conforms(True, int)
    assert conforms(None, int | None)
    assert not conforms("x", int | None)
    assert conforms([1, 2], abc.Iterable[int])
    assert not conforms([1, "x"], abc.Sequence[int])
    assert conforms({"a": 1}, abc.Mapping[str, int])
    assert conforms(fenxiao.Tier.L1, fenxiao.Tier)
    assert conforms("L1", fenxiao.Tier)
    assert not conforms("L9", fenxiao.Tier)
    assert conforms(datetime(2026, 1, 1, tzinfo=UTC), datetime)
    assert wrong_values(Any) is None
