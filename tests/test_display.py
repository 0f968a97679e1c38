"""Rich display: every value an analyst looks at renders HTML that parses and holds its key figures, with every
text escaped; long values have a short repr and an IPython pretty form."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from fenxiao.grading.levels import Tier
from fenxiao.grading.pipeline import GradedSku, grade_catalog
from fenxiao.periods.diff import TierMigration, measure_diff
from fenxiao.periods.models import Models
from fenxiao.periods.report import PeriodReport, SkuPeriod
from fenxiao.sample import load_sample
from fenxiao.scoring.dimensions import Dimension
from fenxiao.settlement.profiles import PlatformProfile
from fenxiao.settlement.splits import split
from tests.builders import order


def parse(markup: str) -> ET.Element:
    """The markup parsed strictly (well-formed, one root), as a notebook front end would need it."""
    return ET.fromstring(markup)


def all_text(element: ET.Element) -> str:
    return "".join(element.itertext())


@pytest.fixture(scope="module")
def graded() -> GradedSku:
    return next(g for g in grade_catalog(load_sample()) if g.perks.granted and g.decision.next_tier_gap is not None)


def test_a_graded_sku_shows_its_tier_scores_decision_and_perks(graded: GradedSku) -> None:
    shown = all_text(parse(graded._repr_html_()))
    assert f"{graded.sku_id} ({graded.category_id}): {graded.decision.tier.value}" in shown
    assert str(graded.scorecard.composite) in shown
    for score in graded.scorecard.scores:
        assert score.dimension.value in shown
        for contribution in score.contributions:
            assert contribution.metric in shown
    assert graded.decision.rule in shown
    for granted in graded.perks.granted:
        assert granted.entry in shown
    assert f"denied ({len(graded.perks.denied)})" in shown


def test_each_part_renders_on_its_own(graded: GradedSku) -> None:
    scores = all_text(parse(graded.scorecard._repr_html_()))
    assert f"composite {graded.scorecard.composite}" in scores
    decision = all_text(parse(graded.decision._repr_html_()))
    gap = graded.decision.next_tier_gap
    assert gap is not None
    assert f"to reach {gap.tier.value}" in decision
    perks = all_text(parse(graded.perks._repr_html_()))
    assert f"perks at {graded.perks.tier.value}" in perks


def test_a_split_shows_every_line_and_the_total() -> None:
    result = split(order(), PlatformProfile())
    shown = all_text(parse(result._repr_html_()))
    for line in result.lines:
        assert line.party.value in shown
        assert str(line.amount) in shown
    assert "合计" in shown


def test_a_period_report_and_a_diff_show_their_counts() -> None:
    at = datetime(2026, 11, 30, tzinfo=UTC)
    scores = {d.value: Decimal(50) for d in Dimension}
    rows = (
        SkuPeriod("s-1", "c-1", "m-1", scores, Decimal(50), Tier.L1, "selling", Tier.L2, Tier.L2),
        SkuPeriod("s-2", "c-1", "m-1", scores, Decimal(50), Tier.L3, "quality", Tier.L2, Tier.L3),
    )
    report = PeriodReport("2026-W48", at, rows)
    shown = all_text(parse(report._repr_html_()))
    assert "period 2026-W48" in shown
    assert "changes (1), held by hysteresis: 1" in shown
    catalog = load_sample()
    policy = attrs.evolve(Models().policy, fallback=Tier.L1)
    diff = measure_diff(catalog, Models(), Models(policy=policy))
    text = all_text(parse(diff._repr_html_()))
    assert f"{diff.total.changed} of {diff.total.skus} SKUs change" in text
    migration = TierMigration.of([("a", Tier.L4, Tier.L5), ("b", Tier.L4, Tier.L5)])
    assert "tier migration: 2 SKUs" in all_text(parse(migration._repr_html_()))


def test_user_text_is_escaped(graded: GradedSku) -> None:
    """A label or a reason holding markup shows as text: no element is injected."""
    hostile = "<script>alert('x')</script>"
    decision = attrs.evolve(graded.decision, label=hostile)
    markup = decision._repr_html_()
    assert "<script>" not in markup
    assert hostile in all_text(parse(markup))
    assert parse(markup).find(".//script") is None


class _Printer:
    def __init__(self) -> None:
        self.written: list[str] = []

    def text(self, value: str) -> None:
        self.written.append(value)


@pytest.mark.parametrize("part", ["self", "scorecard", "decision", "perks"])
def test_long_values_have_a_short_repr_and_a_pretty_form(graded: GradedSku, part: str) -> None:
    value: Any = graded if part == "self" else getattr(graded, part)
    assert len(repr(value)) <= 300
    assert repr(value).startswith(type(value).__name__ + "(")
    assert graded.sku_id in repr(value)
    printer = _Printer()
    value._repr_pretty_(printer, False)
    assert printer.written == [repr(value)]


def test_a_catalog_repr_counts_instead_of_listing() -> None:
    assert repr(load_sample()) == (
        "Catalog(skus=200, merchants=40, brands=17, categories=16, influencers=25, team_leaders=12, listings=200, "
        "snapshots=200, mcns=5)"
    )
