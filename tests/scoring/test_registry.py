"""The scorer registry and the ``fenxiao.scorers`` entry-point group."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.errors import InvalidValueError, PluginError, PolicyError
from fenxiao.money import Rate
from fenxiao.scoring.context import ScoringContext
from fenxiao.scoring.defaults import default_scorer
from fenxiao.scoring.dimensions import Dimension, DimensionScore
from fenxiao.scoring.five import FiveDimensionScorer
from fenxiao.scoring.registry import ENTRY_POINT_GROUP, ScorerRegistry, default_registry
from fenxiao.scoring.scorecards import Scorecards, ScorerNames

from ..builders import snapshot

SNAP = snapshot(refund_rate=Rate.of("0.2"))
EMPTY = ScoringContext.empty()

# A third-party package, written the way docs/write-a-scorer.md tells a rule author to write one.
PLUGIN_MODULE = '''
from fenxiao.scoring.dimensions import Contribution, Dimension, DimensionScore, round_points


class ServiceScorer:
    """Service is refunds only: 100 points at 0%, minus 2 points per percentage point."""

    name = "acme.service"
    dimension = Dimension.SERVICE

    def score(self, snapshot, context):
        points = max(0, 100 - 200 * snapshot.refund_rate.as_fraction())
        value = round_points(points)
        return DimensionScore(
            Dimension.SERVICE,
            value,
            (Contribution("refund_rate", snapshot.refund_rate.value, value, 1, "100 - 2 per point of refunds"),),
        )


INSTANCE = ServiceScorer()


def make_sales():
    class Sales:
        name = "acme.sales"
        dimension = Dimension.SALES

        def score(self, snapshot, context):
            return DimensionScore(Dimension.SALES, min(100, snapshot.units_30d))

    return Sales()


class Raising:
    name = "acme.raises"
    dimension = Dimension.SERVICE

    def score(self, snapshot, context):
        raise KeyError("oops")


class FailsToBuild:
    def __init__(self):
        raise RuntimeError("no config")


NOT_A_SCORER = 42
'''

ENTRY_POINTS = """
[fenxiao.scorers]
acme.service = acme_scorers_for_tests:ServiceScorer
acme.instance = acme_scorers_for_tests:INSTANCE
acme.sales = acme_scorers_for_tests:make_sales
acme.raises = acme_scorers_for_tests:Raising
acme.fails_to_build = acme_scorers_for_tests:FailsToBuild
acme.missing_module = acme_no_such_module_for_tests:Thing
acme.not_a_scorer = acme_scorers_for_tests:NOT_A_SCORER
default.service = acme_scorers_for_tests:ServiceScorer
"""


@pytest.fixture
def plugin_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An installed-looking distribution (a dist-info with entry_points.txt) on sys.path."""
    (tmp_path / "acme_scorers_for_tests.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    info = tmp_path / "acme_scorers_for_tests-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-scorers-for-tests\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("acme_scorers_for_tests", None)


def test_the_registry_starts_with_the_default_scorecard_scorers() -> None:
    """default.<dimension> names the default scorers, without touching entry points."""
    registry = ScorerRegistry(entry_point_group=None)
    assert registry.names() == tuple(sorted(f"default.{d.value}" for d in Dimension))
    assert registry.get("default.price") is default_scorer().scorer(Dimension.PRICE)
    assert ScorerRegistry(builtins=False, entry_point_group=None).names() == ()


def test_registering_a_name_twice_needs_replace() -> None:
    """Names are unique unless replacing explicitly; unregistering forgets them."""
    registry = ScorerRegistry(entry_point_group=None)
    registry.register("mine", default_scorer().scorer(Dimension.BRAND))
    with pytest.raises(PolicyError, match="is already registered"):
        registry.register("mine", default_scorer().scorer(Dimension.PRICE))
    registry.register("mine", default_scorer().scorer(Dimension.PRICE), replace=True)
    assert registry.get("mine").dimension is Dimension.PRICE
    registry.unregister("mine")
    assert "mine" not in registry
    with pytest.raises(PolicyError, match="is not a registered scorer"):
        registry.unregister("mine")
    with pytest.raises(InvalidValueError, match="must be 1-64 letters"):
        registry.register("has space", default_scorer().scorer(Dimension.PRICE))


def test_a_class_or_factory_is_instantiated_once_on_first_use() -> None:
    """Registering a class defers building the scorer until someone asks for it."""
    built: list[int] = []

    class Lazy:
        name, dimension = "lazy", Dimension.BRAND

        def __init__(self) -> None:
            built.append(1)

        def score(self, snapshot: SkuSnapshot, context: ScoringContext) -> DimensionScore:
            return DimensionScore(Dimension.BRAND, 1)

    registry = ScorerRegistry(entry_point_group=None)
    registry.register("lazy", Lazy)
    assert built == []
    assert registry.get("lazy") is registry.get("lazy")
    assert built == [1]


def test_entry_points_are_discovered_only_when_asked(plugin_package: Path) -> None:
    """Creating a registry reads nothing; get() of an unknown name or discover() reads the group."""
    registry = ScorerRegistry()
    assert "acme.service" not in registry.names()
    assert "acme.service" in registry.discover()
    assert "acme.service" in registry.names()


def test_an_entry_point_scorer_replaces_a_dimension_and_changes_the_scores(plugin_package: Path) -> None:
    """The tutorial's plug-in, found through its entry point, scores service as documented."""
    registry = ScorerRegistry()
    scorer = registry.get("acme.service")
    assert scorer.dimension is Dimension.SERVICE
    replaced = default_scorer().replace(scorer)
    card = replaced.score(SNAP, EMPTY)
    assert card.service.value == Decimal("60.00")  # 100 - 2 x 20 points of refunds
    assert card.service.value != default_scorer().score(SNAP, EMPTY).service.value
    assert card.price == default_scorer().score(SNAP, EMPTY).price


def test_entry_points_may_name_instances_classes_or_factories(plugin_package: Path) -> None:
    """INSTANCE is used as is; a class and a function are called without arguments."""
    registry = ScorerRegistry()
    assert registry.get("acme.instance").name == "acme.service"
    assert registry.get("acme.sales").dimension is Dimension.SALES


def test_a_scorecards_file_names_an_entry_point_scorer(plugin_package: Path) -> None:
    """[scorers] service = "acme.service" in a file resolves through the entry point."""
    cards = Scorecards(scorers=ScorerNames(service="acme.service", sales="acme.sales"))
    card = FiveDimensionScorer.from_scorecards(cards, registry=ScorerRegistry()).score(SNAP, EMPTY)
    assert (card.service.value, card.sales.value) == (Decimal("60.00"), Decimal("0.00"))


def test_code_registrations_win_over_entry_points_of_the_same_name(plugin_package: Path) -> None:
    """The built-in default.service is not replaced by a plug-in claiming its name."""
    registry = ScorerRegistry()
    assert "default.service" not in registry.discover()
    assert registry.get("default.service") is default_scorer().scorer(Dimension.SERVICE)


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("acme.missing_module", r"plug-in 'acme.missing_module': could not be loaded: ModuleNotFoundError"),
        ("acme.fails_to_build", r"plug-in 'acme.fails_to_build': could not be created: RuntimeError: no config"),
        ("acme.not_a_scorer", r"plug-in 'acme.not_a_scorer': has no Dimension in .dimension \(got None\)"),
    ],
)
def test_a_broken_entry_point_gives_a_plugin_error_naming_it(plugin_package: Path, name: str, match: str) -> None:
    """Import failures, constructor failures and wrong shapes are PluginErrors."""
    with pytest.raises(PluginError, match=match):
        ScorerRegistry().get(name)


def test_an_entry_point_scorer_that_raises_names_itself_and_the_sku(plugin_package: Path) -> None:
    """A plug-in crashing while scoring is a PluginError, not a KeyError from deep inside."""
    scorer = default_scorer().replace(ScorerRegistry().get("acme.raises"))
    with pytest.raises(PluginError, match=r"plug-in 'acme.raises' on 'sku-1': raised KeyError: 'oops'"):
        scorer.score(SNAP, EMPTY)


def test_an_unknown_name_after_discovery_is_a_policy_error(plugin_package: Path) -> None:
    """Nothing registered and no entry point: the name is reported."""
    with pytest.raises(PolicyError, match=r"scorer: is not a registered scorer, got 'acme\.nothing'"):
        ScorerRegistry().get("acme.nothing")


def test_the_default_registry_is_one_shared_instance() -> None:
    """Files resolve names against one process-wide registry."""
    assert default_registry() is default_registry()
    assert ENTRY_POINT_GROUP == "fenxiao.scorers"


def test_importing_and_scoring_never_reads_entry_points() -> None:
    """Entry points are read when asked, never at import or by the default scorer."""
    code = textwrap.dedent(
        """
        import importlib.metadata as md
        calls = []
        real = md.entry_points
        md.entry_points = lambda *a, **k: calls.append(k) or real(*a, **k)
        import fenxiao, fenxiao.scoring.dimensions, fenxiao.scoring.scorecards, fenxiao.scoring.registry
        import fenxiao.scoring.metrics, fenxiao.scoring.context, fenxiao.scoring.defaults, fenxiao.scoring.five
        from fenxiao.sample import load_sample
        fenxiao.scoring.defaults.default_scorer().score_many(load_sample().latest_snapshots())
        fenxiao.scoring.registry.default_registry().get("default.sales")
        print(len([c for c in calls if c.get("group") == "fenxiao.scorers"]))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
