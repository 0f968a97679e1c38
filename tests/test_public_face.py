"""The public face: what ``fenxiao.`` offers, and that nothing a user imported before has gone away."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
import typing
import warnings
from pathlib import Path
from typing import Any

import pytest

import fenxiao

#: Every name ``fenxiao.__all__`` listed before the house was rebuilt (issue 12): all stay importable.
NAMES_BEFORE_THE_HOUSE: tuple[str, ...] = (
    "Access",
    "ActivityKind",
    "AdmissionPolicy",
    "AdmissionRule",
    "All",
    "AnyOf",
    "Badge",
    "BatchDimensionScorer",
    "Brand",
    "BrandId",
    "Cap",
    "Catalog",
    "Category",
    "CategoryBenchmark",
    "CategoryId",
    "CategoryMinimum",
    "CategoryRule",
    "Clawback",
    "CommissionPlan",
    "CommissionStep",
    "Compare",
    "CompositeWeights",
    "Contribution",
    "CurrencyMismatchError",
    "DEFAULT_GOALS",
    "Dimension",
    "DimensionScore",
    "DimensionScorer",
    "EntryKind",
    "FenxiaoError",
    "FiveDimensionScorer",
    "Goal",
    "GoalTracker",
    "GradedSku",
    "Influencer",
    "InfluencerId",
    "InfluencerPreferred",
    "InvalidValueError",
    "KindBounds",
    "LeaderLevel",
    "Ledger",
    "LedgerEntry",
    "Listing",
    "ListingId",
    "ListingStatus",
    "ListingTerms",
    "Merchant",
    "MerchantId",
    "Metric",
    "MetricRule",
    "MissingExtraError",
    "Money",
    "Not",
    "Op",
    "Order",
    "OrderEvent",
    "OrderEventKind",
    "OrderSplit",
    "OrderStatus",
    "OrderTerms",
    "Party",
    "Period",
    "PerkCatalog",
    "PerkEntry",
    "PlanDecision",
    "PlanKind",
    "PlatformProfile",
    "PluginError",
    "PolicyError",
    "PoolFilter",
    "Rate",
    "RateChange",
    "Rounding",
    "RuleError",
    "ScoreCard",
    "Scorecard",
    "ScorecardScorer",
    "Scorecards",
    "ScorerRegistry",
    "ScoringContext",
    "SecondLevelTerms",
    "SelectionPool",
    "ServiceLevel",
    "SettlementDays",
    "SettlementLine",
    "ShopKind",
    "Sku",
    "SkuId",
    "SkuSnapshot",
    "Stability",
    "Standing",
    "StatusChange",
    "StepMode",
    "Subsidy",
    "SubsidyBudget",
    "SubsidyRequest",
    "TeamLeader",
    "TeamLeaderActivity",
    "TeamLeaderId",
    "Tier",
    "TierDecision",
    "TierHistory",
    "TierPolicy",
    "TierRule",
    "TrafficBoost",
    "TransitionError",
    "ValidationError",
    "__version__",
    "allocate_subsidies",
    "build_context",
    "clawbacks",
    "default_admission_policy",
    "default_perk_catalog",
    "default_registry",
    "default_scorecards",
    "default_scorer",
    "default_tier_policy",
    "get_metric",
    "grade_catalog",
    "register_metric",
    "register_perk_kind",
    "resolve_perks",
    "round_points",
    "select_plan",
    "settled_split",
    "split",
)


@pytest.mark.parametrize("name", NAMES_BEFORE_THE_HOUSE)
def test_every_name_imported_from_fenxiao_before_still_imports(name: str) -> None:
    """``from fenxiao import X`` keeps working for every X it offered before the move."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert getattr(fenxiao, name) is not None


def test_the_face_lists_each_name_once_and_each_resolves() -> None:
    """``__all__`` lists each name once (ruff keeps it sorted), and each name resolves."""
    assert len(fenxiao.__all__) == len(set(fenxiao.__all__))
    for name in fenxiao.__all__:
        assert hasattr(fenxiao, name), name


def test_every_public_name_has_a_docstring() -> None:
    """Every class and function of the face documents itself."""
    undocumented = [
        name
        for name in fenxiao.__all__
        if (inspect.isclass(getattr(fenxiao, name)) or inspect.isfunction(getattr(fenxiao, name)))
        and not inspect.getdoc(getattr(fenxiao, name))
    ]
    assert undocumented == []


def _fenxiao_classes(hint: Any) -> set[type[Any]]:
    found: set[type[Any]] = set()
    if isinstance(hint, type) and hint.__module__.startswith("fenxiao"):
        found.add(hint)
    for arg in typing.get_args(hint):
        found |= _fenxiao_classes(arg)
    return found


def _every_public_name() -> dict[str, Any]:
    """Every public name of every layer package: annotations written under TYPE_CHECKING resolve against it."""
    names: dict[str, Any] = {}
    for package in ("domain", "rules", "scoring", "settlement", "grading", "market"):
        module = importlib.import_module(f"fenxiao.{package}")
        names.update({name: getattr(module, name) for name in module.__all__})
    return names


_NAMES = _every_public_name()


def _returned(obj: Any) -> set[type[Any]]:
    hints = typing.get_type_hints(obj, localns=_NAMES)
    return _fenxiao_classes(hints.get("return"))


def test_every_type_a_public_verb_returns_is_on_the_face() -> None:
    """A user can name (and annotate with) every fenxiao type that a function or method of the face returns."""
    face = {getattr(fenxiao, name) for name in fenxiao.__all__}
    missing: dict[str, str] = {}
    for name in fenxiao.__all__:
        value = getattr(fenxiao, name)
        callables: list[tuple[str, Any]] = []
        if inspect.isfunction(value):
            callables.append((name, value))
        elif inspect.isclass(value):
            for attr, member in vars(value).items():
                if attr.startswith("_"):
                    continue
                func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                if inspect.isfunction(func):
                    callables.append((f"{name}.{attr}", func))
        for where, func in callables:
            for cls in _returned(func):
                if cls not in face and not issubclass(cls, BaseException):
                    missing[cls.__qualname__] = where
    assert missing == {}, sorted(missing.items())


#: The verbs of docs/naming.md.
VERBS = frozenset(
    {"score", "grade", "decide", "explain", "evaluate", "resolve", "split", "settle", "allocate", "select", "rank"}
    | {"lint", "measure", "build", "default", "register", "load", "dumps", "loads", "run", "plot"}
)


def test_every_function_on_the_face_starts_with_a_verb_of_the_naming_table() -> None:
    """``docs/naming.md`` is the naming table; the functions of the face follow it."""
    functions = [name for name in fenxiao.__all__ if inspect.isfunction(getattr(fenxiao, name))]
    assert functions
    assert [name for name in functions if name.split("_")[0] not in VERBS] == []


def test_the_naming_table_lists_every_verb() -> None:
    """Each verb the test accepts is a row of docs/naming.md."""
    table = (Path(__file__).resolve().parent.parent / "docs" / "naming.md").read_text(encoding="utf-8")
    assert [verb for verb in sorted(VERBS) if f"**{verb}**" not in table] == []


def _type_checking_imports() -> dict[str, str]:
    """The names ``fenxiao/__init__.py`` imports for type checkers, and the module of each."""
    tree = ast.parse(Path(fenxiao.__file__).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                assert stmt.module is not None
                for alias in stmt.names:
                    found[alias.asname or alias.name] = stmt.module
    return found


def test_the_lazy_face_loads_each_name_from_the_module_type_checkers_see() -> None:
    """Each name of the face (and each name kept for compatibility) is loaded at run time from the module its
    ``TYPE_CHECKING`` import names, so mypy and the interpreter agree on what ``fenxiao.X`` is."""
    checked = {k: v for k, v in _type_checking_imports().items() if k not in fenxiao._RENAMED}
    runtime = {**fenxiao._FACE, **fenxiao._ELSEWHERE}
    assert checked == runtime
    assert set(fenxiao._FACE) == set(fenxiao.__all__) - {"__version__"}
    for name, module in runtime.items():
        assert getattr(fenxiao, name) is getattr(importlib.import_module(module), name), name


def test_import_fenxiao_loads_nothing_below_the_face() -> None:
    """``import fenxiao`` imports no subpackage and no optional extra: a program pays for what it uses."""
    code = (
        "import sys; import fenxiao; "
        "print(sorted(m for m in sys.modules if m.startswith('fenxiao') or m.split('.')[0] in "
        "('attrs', 'attr', 'cattrs', 'numpy', 'narwhals', 'sqlalchemy', 'dask', 'pandas', 'polars')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['fenxiao', 'fenxiao._version']"


def test_a_public_subpackage_loads_on_first_attribute_access() -> None:
    """``fenxiao.settlement`` works without importing it first; an unknown name is still an AttributeError."""
    assert fenxiao.settlement.split is fenxiao.split
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = fenxiao.nothing_here
