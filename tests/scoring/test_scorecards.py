"""Declarative scorecards: curves, caps, weights, validation with paths, round-trips."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao._internal import toml as _toml
from fenxiao._internal.fixed import div_half_even, unscaled
from fenxiao.domain.ids import CategoryId
from fenxiao.domain.snapshots import OPTIONAL_METRIC_FIELDS, SkuSnapshot
from fenxiao.errors import InvalidValueError, PolicyError, ValidationError
from fenxiao.money import Rate
from fenxiao.scoring.context import MEDIAN_METRICS, CategoryBenchmark, ScoringContext, build_context
from fenxiao.scoring.dimensions import CompositeWeights, Dimension, DimensionScore
from fenxiao.scoring.metrics import get_metric
from fenxiao.scoring.scorecards import (
    DEFAULTS_FILE,
    MAX_BREAKPOINT_UNITS,
    MEDIAN,
    Cap,
    MetricRule,
    Scorecard,
    Scorecards,
    ScorecardScorer,
    ScorerNames,
    default_scorecards,
)
from fenxiao.serialization import dumps, from_dict, load, loads, to_dict
from fenxiao.testing.scoring import metric_rules, scorecard_sets, scorecards, scoring_contexts, scoring_snapshots

from ..builders import snapshot

D = Decimal
EMPTY = ScoringContext.empty()


def _rule(**changes: object) -> MetricRule:
    base: dict[str, object] = {"metric": "refund_rate", "breakpoints": [("0.05", 100), ("0.15", 80), ("0.3", 40)]}
    base.update(changes)
    return MetricRule(**base)  # type: ignore[arg-type]  # test helper passes checked keywords


def _exact_points(rule: MetricRule, units: int) -> int:
    """The rule's points by exact Fraction interpolation, independent of the integer algorithm."""
    xs = [Fraction(x) * 10**rule.grid_places for x, _ in rule.breakpoints]
    ys = [Fraction(y) for _, y in rule.breakpoints]
    m = Fraction(units)
    if m <= xs[0]:
        exact = ys[0]
    elif m >= xs[-1]:
        exact = ys[-1]
    else:
        k = max(i for i in range(len(xs)) if xs[i] <= m)
        exact = ys[k] + (ys[k + 1] - ys[k]) * (m - xs[k]) / (xs[k + 1] - xs[k])
    centi = round(exact * 100)  # Python's round() on a Fraction is half-even
    if rule.cap is not None:
        centi = min(centi, int(rule.cap * 100))
    return centi


# -- the curve ----------------------------------------------------------------------------------------------


def test_a_value_exactly_at_a_breakpoint_gets_that_breakpoints_points() -> None:
    """At each breakpoint the curve gives exactly its points."""
    rule = _rule()
    assert [rule.points(x) for x in (D("0.05"), D("0.15"), D("0.3"))] == [D("100.00"), D("80.00"), D("40.00")]


def test_the_curve_is_flat_beyond_the_first_and_last_breakpoints() -> None:
    """Below the first and above the last breakpoint the end points hold."""
    rule = _rule()
    assert rule.points(D("0")) == D("100.00")
    assert rule.points(D("1")) == D("40.00")


def test_between_breakpoints_the_curve_is_linear() -> None:
    """Halfway between two breakpoints gives the mean of their points."""
    assert _rule().points(D("0.1")) == D("90.00")
    assert _rule().points(D("0.225")) == D("60.00")


def test_points_round_half_to_even_at_the_hundredth() -> None:
    """An exact 0.005-point remainder goes to the even hundredth."""
    rule = MetricRule("units_30d", [(0, 0), (200, "0.01")])
    # 100 units: exactly 0.005 points, rounds to 0.00 (even); 300 would be flat at 0.01.
    assert rule.points(D(100)) == D("0.00")
    odd = MetricRule("units_30d", [(0, "0.01"), (200, "0.02")])
    assert odd.points(D(100)) == D("0.02")  # 0.015 -> 0.02 (even)


def test_a_cap_limits_the_points_whatever_the_curve_says() -> None:
    """With a cap, the curve is clipped at it, and the explanation says so."""
    rule = _rule(cap=90)
    assert rule.points(D("0")) == D("90.00")
    assert rule.points(D("0.15")) == D("80.00")
    assert rule.explain(0) == (9000, "below 0.05, capped at 90.00")


def test_the_explanation_names_where_the_value_fell() -> None:
    """Each case of the curve has its own wording."""
    rule = _rule()
    assert rule.explain(50_000)[1] == "at the first breakpoint 0.05"
    assert rule.explain(150_000)[1] == "at breakpoint 0.15"
    assert rule.explain(300_000)[1] == "at the last breakpoint 0.3"
    assert rule.explain(100_000)[1] == "between 0.05 (100) and 0.15 (80)"
    assert rule.explain(400_000)[1] == "above 0.3"


def test_a_rule_reports_its_direction() -> None:
    """Direction follows the breakpoints' points."""
    assert _rule().direction == "decreasing"
    assert MetricRule("units_30d", [(0, 0), (1, 10)]).direction == "increasing"
    assert MetricRule("units_30d", [(0, 5), (1, 5)]).direction == "flat"
    assert MetricRule("units_30d", [(0, 0), (1, 10), (2, 0)]).direction == "mixed"


def test_integer_forms_expose_grid_units_and_hundredths() -> None:
    """What a columnar path compiles: ints in the metric's grid units and hundredths of a point."""
    rule = MetricRule("gmv_30d", [("0.01", 0), ("100.5", "99.99")], weight=D("0.25"))
    assert rule.grid_places == 2
    assert rule.integer_breakpoints == ((1, 0), (10050, 9999))
    assert rule.weight_ppm == 250_000


@given(rule=metric_rules(), units=st.integers(-(10**16), 10**16))
def test_the_integer_algorithm_equals_exact_fraction_interpolation(rule: MetricRule, units: int) -> None:
    """The int arithmetic (what int64 columns do) gives the exactly rounded interpolation."""
    assert rule.points_units(units) == _exact_points(rule, units)


@given(rule=metric_rules(monotone=True), a=st.integers(-(10**12), 10**12), b=st.integers(-(10**12), 10**12))
def test_a_non_decreasing_curve_gives_non_decreasing_points(rule: MetricRule, a: int, b: int) -> None:
    """Rounding never breaks the monotonicity of a monotone curve."""
    low, high = sorted((a, b))
    assert rule.points_units(low) <= rule.points_units(high)


def test_int64_products_cannot_overflow_within_the_breakpoint_bound() -> None:
    """The largest product the algorithm forms fits in a signed 64-bit integer."""
    assert 10_000 * 2 * MAX_BREAKPOINT_UNITS < 2**63
    rule = MetricRule("units_30d", [(-MAX_BREAKPOINT_UNITS, 0), (MAX_BREAKPOINT_UNITS, 100)])
    assert rule.points(D(0)) == D("50.00")


# -- validation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"breakpoints": [("0.1", 100), ("0.1", 50)]}, r"breakpoints\[1\]: x values must increase"),
        ({"breakpoints": [("0.1", 100)]}, r"breakpoints: must have from 2 to 64"),
        ({"breakpoints": [("0.1", 101), ("0.2", 50)]}, r"breakpoints\[0\]\[1\]: must be between 0 and 100"),
        ({"breakpoints": [("0.1", "50.001"), ("0.2", 50)]}, r"breakpoints\[0\]\[1\]: must have at most two"),
        ({"breakpoints": [("0.1234567", 1), ("0.2", 50)]}, r"breakpoints\[0\]\[0\]: must have at most 6 decimal"),
        ({"breakpoints": [(0.1, 1), ("0.2", 50)]}, r"breakpoints\[0\]\[0\]: must be an exact number"),
        ({"breakpoints": [("0.1", 1, 2), ("0.2", 50)]}, r"breakpoints\[0\]: must be an \[x, points\] pair"),
        ({"metric": "refund_ratio"}, r"metric: is not a known metric \(did you mean 'refund_rate'\?\)"),
        ({"weight": 0}, r"weight: must be a number above 0"),
        ({"weight": "0.0000001"}, r"weight: must have at most 6 decimal places"),
        ({"cap": "100.5"}, r"cap: must be between 0 and 100"),
        ({"missing": -1}, r"missing: must be between 0 and 100"),
        ({"description": " "}, r"description: must be non-blank"),
    ],
)
def test_a_bad_rule_names_the_field_at_fault(changes: dict[str, object], match: str) -> None:
    """Every invalid rule is refused with a message naming the field."""
    with pytest.raises(InvalidValueError, match=match):
        _rule(**changes)


def test_a_breakpoint_beyond_the_int64_bound_is_refused() -> None:
    """x values are limited to 10**14 grid units so int64 evaluation is safe."""
    with pytest.raises(InvalidValueError, match=r"breakpoints\[1\]\[0\]: is beyond"):
        MetricRule("units_30d", [(0, 0), (MAX_BREAKPOINT_UNITS + 1, 100)])


def test_a_scorecard_refuses_two_rules_for_one_metric() -> None:
    """A metric is scored once per dimension."""
    with pytest.raises(InvalidValueError, match=r"Scorecard\.refund_rate: has two rules"):
        Scorecard([_rule(), _rule()])


def test_a_scorecard_needs_a_rule() -> None:
    """An empty scorecard would score nothing."""
    with pytest.raises(InvalidValueError, match=r"Scorecard\.rules: must hold at least one"):
        Scorecard([])


def test_a_cap_needs_a_bound_in_order() -> None:
    """A cap without a threshold, or with crossed bounds, is refused."""
    with pytest.raises(InvalidValueError, match="needs at_least, at_most or both"):
        Cap("refund_rate", limit=50)
    with pytest.raises(InvalidValueError, match=r"Cap\.at_most: must not be below at_least"):
        Cap("refund_rate", limit=50, at_least="0.5", at_most="0.4")


# -- evaluating a scorecard ---------------------------------------------------------------------------------------


def test_the_dimension_value_is_the_weighted_mean_of_rounded_contributions() -> None:
    """Two rules: (weight 1 x 90.00 + weight 3 x 40.00) / 4 = 52.50."""
    card = Scorecard([_rule(), MetricRule("complaint_rate", [(0, 100), ("0.1", 0)], weight=3)])
    snap = attrs.evolve(_snapshot(), refund_rate=_rate("0.1"), complaint_rate=_rate("0.06"))
    score = ScorecardScorer(Dimension.SERVICE, card).score(snap, EMPTY)
    assert [c.points for c in score.contributions] == [D("90.00"), D("40.00")]
    assert score.value == D("52.50")


def test_an_unavailable_metric_is_left_out_and_the_other_weights_carry_the_dimension() -> None:
    """Without a 30-day lowest price, the price dimension is its category rule alone."""
    card = Scorecard(
        [
            MetricRule("price_vs_lowest_30d", [(1, 100), ("1.3", 0)], weight=D("0.4")),
            MetricRule("units_30d", [(0, 0), (100, 100)], weight=D("0.6")),
        ]
    )
    snap = attrs.evolve(_snapshot(), lowest_price_30d=None, units_30d=50)
    score = ScorecardScorer(Dimension.PRICE, card).score(snap, EMPTY)
    left_out = score.contributions[0]
    assert (left_out.raw, left_out.points, left_out.weight, left_out.reason) == (
        None,
        D("0.00"),
        D(0),
        "unavailable: left out",
    )
    assert score.value == D("50.00")


def test_an_unavailable_metric_with_missing_points_scores_them() -> None:
    """*missing* turns an unavailable metric into fixed points at full weight."""
    card = Scorecard(
        [
            MetricRule("price_vs_lowest_30d", [(1, 100), ("1.3", 0)], missing=20),
            MetricRule("units_30d", [(0, 0), (100, 100)]),
        ]
    )
    snap = attrs.evolve(_snapshot(), lowest_price_30d=None, units_30d=100)
    score = ScorecardScorer(Dimension.PRICE, card).score(snap, EMPTY)
    assert score.contributions[0].points == D("20.00")
    assert score.value == D("60.00")


def test_with_no_metric_available_the_dimension_is_zero_and_says_why() -> None:
    """A dimension with nothing to measure scores 0.00 with a note."""
    card = Scorecard([MetricRule("price_vs_category_median", [(1, 100), (2, 0)])])
    score = ScorecardScorer(Dimension.PRICE, card).score(_snapshot(), EMPTY)
    assert score.value == D("0.00")
    assert score.notes == ("no metric was available, so the value is 0.00",)


def test_a_cap_lowers_the_dimension_while_its_condition_holds() -> None:
    """The default service cap: one serious violation caps service at 60.00."""
    scorer = ScorecardScorer(Dimension.SERVICE, default_scorecards().service)
    clean = scorer.score(_snapshot(), EMPTY)
    assert clean.value > D(60)
    violated = scorer.score(attrs.evolve(_snapshot(), serious_violations_365d=1), EMPTY)
    assert violated.value == D("60.00")
    assert violated.notes[0].startswith(f"capped at 60.00 from {clean.value}: serious_violations_365d = 1")


def test_a_cap_that_holds_but_does_not_bind_is_noted() -> None:
    """A value already under the limit stays, and the note says the cap did not bind."""
    card = Scorecard([_rule()], caps=[Cap("refund_rate", limit=95, at_least="0.1", at_most="0.5")])
    score = ScorecardScorer(Dimension.SERVICE, card).score(attrs.evolve(_snapshot(), refund_rate=_rate("0.3")), EMPTY)
    assert score.value == D("40.00")
    assert score.notes == ("cap 95.00 applies but does not bind: refund_rate = 0.3 (at least 0.1 and at most 0.5)",)


def test_a_cap_boundary_is_inclusive() -> None:
    """Exactly at at_least (or at_most) the cap holds; just outside it does not."""
    cap = Cap("refund_rate", limit=10, at_least="0.3", at_most="0.5")
    assert [cap.applies(D(x)) for x in ("0.299999", "0.3", "0.5", "0.500001")] == [False, True, True, False]


def test_score_batch_equals_scoring_one_at_a_time() -> None:
    """The batch method is the loop."""
    scorer = ScorecardScorer(Dimension.SALES, default_scorecards().sales)
    snaps = [_snapshot(), attrs.evolve(_snapshot(), units_30d=77)]
    assert scorer.score_batch(snaps, EMPTY) == tuple(scorer.score(s, EMPTY) for s in snaps)


def test_with_rule_adds_a_signal_or_replaces_the_same_metric() -> None:
    """A sixth signal is appended; a rule for a scored metric replaces it in place."""
    service = default_scorecards().service
    added = service.with_rule(MetricRule("good_review_rate", [("0.8", 0), (1, 100)]))
    assert added.metrics[-1] == "good_review_rate"
    assert len(added.rules) == len(service.rules) + 1
    replaced = service.with_rule(_rule())
    assert replaced.metrics == service.metrics
    assert replaced.rule("refund_rate") == _rule()
    assert service.without_rule("refund_rate").metrics == tuple(m for m in service.metrics if m != "refund_rate")
    with pytest.raises(PolicyError, match="has no rule"):
        service.rule("units_30d")


# -- the defaults --------------------------------------------------------------------------------------------------


def test_the_default_weights_within_each_dimension_sum_to_one() -> None:
    """The documented tables read as shares of the dimension."""
    for dimension in Dimension:
        assert sum(r.weight for r in default_scorecards()[dimension].rules) == 1


def test_every_default_rule_has_a_documented_direction() -> None:
    """Defaults are monotone: better metrics never lose points."""
    directions = {r.metric: r.direction for d in Dimension for r in default_scorecards()[d].rules}
    decreasing = {
        "price_vs_category_median",
        "price_vs_lowest_30d",
        "bad_review_rate",
        "quality_return_rate",
        "refund_rate",
        "complaint_rate",
    }
    assert {m for m, d in directions.items() if d == "decreasing"} == decreasing
    assert all(d == "increasing" for m, d in directions.items() if m not in decreasing)


def test_default_scorecards_are_the_empty_scorecards_file() -> None:
    """Every field of Scorecards defaults to the built-in model."""
    assert Scorecards() == default_scorecards()
    assert loads("", Scorecards, format="toml") == default_scorecards()


_DEFAULTS_FILE = Path(__file__).parents[2] / "src" / "fenxiao" / DEFAULTS_FILE
#: What `dumps(default_scorecards(), format="toml")` wrote when the defaults were a Python function (0.1).
_FROZEN_DEFAULTS = Path(__file__).parents[1] / "data" / "default_scorecards_0.1.toml"


#: The rules for an unavailable metric that the defaults added to the 0.1 model (unobserved is not zero).
_MISSING_RULES: Final = {
    "price_vs_category_median": None,
    "price_vs_lowest_30d": None,
    "commission_vs_category_median": None,
    "influencer_gmv_share": None,
    "experience_score": Decimal(40),
    "bad_review_rate": MEDIAN,
    "quality_return_rate": MEDIAN,
    "refund_rate": MEDIAN,
    "complaint_rate": Decimal(50),
    "shipped_48h_rate": None,
    "gmv_percentile_in_category": None,
    "sales_growth": None,
    "repurchase_rate": None,
}


def _without_missing_rules(cards: Scorecards) -> Scorecards:
    for dimension in Dimension:
        card = cards[dimension]
        cards = cards.replace(dimension, Scorecard([attrs.evolve(r, missing=None) for r in card.rules], card.caps))
    return cards


def test_the_shipped_defaults_file_holds_what_the_python_defaults_held() -> None:
    """The 0.1 defaults file still loads; the shipped model is that model with a rule for each metric that can be
    unavailable, and writes back to the 0.1 text plus those ``missing`` lines."""
    frozen = _FROZEN_DEFAULTS.read_text(encoding="utf-8")
    old = loads(frozen, Scorecards, format="toml")
    assert _without_missing_rules(default_scorecards()) == old
    rules = {r.metric: r.missing for d in Dimension for r in default_scorecards()[d].rules}
    assert {m: rules[m] for m in _MISSING_RULES} == _MISSING_RULES
    assert all(rules[m] is None for m in set(rules) - set(_MISSING_RULES))
    written = dumps(default_scorecards(), format="toml")
    assert (
        written.replace('missing = "median"\n', "")
        .replace('missing = "40"\n', "")
        .replace('missing = "50"\n', "")
        .strip()
        == frozen.strip()
    )


def test_key_default_values_are_frozen() -> None:
    """A few values the docs and tiers rely on, written out by hand."""
    cards = default_scorecards()
    refund = cards.service.rule("refund_rate")
    assert refund.breakpoints == tuple(
        (Decimal(x), Decimal(y)) for x, y in (("0.05", 100), ("0.15", 80), ("0.3", 40), ("0.6", 0))
    )
    assert refund.weight == Decimal("0.15")
    assert cards.service.caps == (
        Cap("serious_violations_365d", limit=60, at_least=1, reason="a serious violation in the past year"),
    )
    assert cards.sales.rule("units_30d").integer_breakpoints == (
        (0, 0),
        (1, 1000),
        (100, 4000),
        (1000, 7000),
        (10_000, 9000),
        (100_000, 10_000),
    )
    assert cards.brand.metrics == (
        "brand_registered",
        "brand_authorised",
        "flagship_shop",
        "on_brand_list",
        "brand_gmv_30d",
    )
    assert cards.price.rule("price_vs_category_median").integer_breakpoints[0] == (500_000, 10_000)
    assert cards.distribution.rule("team_leaders").breakpoints[-1] == (Decimal(3), Decimal(100))
    assert cards.weights == CompositeWeights()
    assert cards.scorers == ScorerNames()


def test_the_shipped_defaults_file_names_every_dimension() -> None:
    """The file is complete (no dimension falls back to a default, which is itself), and is read once."""
    data = tomllib.loads(_DEFAULTS_FILE.read_text(encoding="utf-8"))
    assert set(data) == {d.value for d in Dimension} | {"weights", "scorers"}
    assert default_scorecards() is default_scorecards()


def test_a_copy_of_the_defaults_file_is_a_starting_point(tmp_path: Path) -> None:
    """Copied and edited, the defaults file loads with the user's change and nothing else."""
    text = _DEFAULTS_FILE.read_text(encoding="utf-8")
    mine = tmp_path / "scorecards.toml"
    mine.write_text(text, encoding="utf-8")
    assert load(mine, Scorecards) == default_scorecards()
    mine.write_text(
        text.replace(
            '[service.refund_rate]\nbreakpoints = [["0.05", "100"]',
            '[service.refund_rate]\nbreakpoints = [["0.04", "100"]',
        ),
        encoding="utf-8",
    )
    edited = load(mine, Scorecards)
    assert edited.service.rule("refund_rate").breakpoints[0] == (Decimal("0.04"), Decimal(100))
    assert edited.replace(Dimension.SERVICE, default_scorecards().service) == default_scorecards()


def _markdown_table(card: Scorecard) -> str:
    """The docs' table of a scorecard, generated from the data."""
    lines = [
        "| metric | unit | weight | breakpoints (value → points) | when unavailable | why |",
        "|---|---|---|---|---|---|",
    ]
    for r in card.rules:
        points = ", ".join(f"{format(x, 'f')} → {format(y, 'f')}" for x, y in r.breakpoints)
        cap = f"; capped at {r.cap}" if r.cap is not None else ""
        missing = "left out" if r.missing is None else f"{r.missing} points"
        missing = "category median" if r.missing == MEDIAN else missing
        unit = get_metric(r.metric).unit
        lines.append(f"| `{r.metric}` | {unit} | {r.weight} | {points}{cap} | {missing} | {r.description or ''} |")
    for c in card.caps:
        bounds = [
            f"at least {c.at_least}" if c.at_least is not None else "",
            f"at most {c.at_most}" if c.at_most is not None else "",
        ]
        condition = " and ".join(b for b in bounds if b)
        lines.append("")
        lines.append(f"Cap: while `{c.metric}` is {condition}, the dimension scores at most {c.limit} ({c.reason}).")
    return "\n".join(lines)


def test_the_docs_show_every_default_breakpoint() -> None:
    """docs/scoring.md holds each default scorecard's table exactly as the data says."""
    text = (Path(__file__).parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
    for dimension in Dimension:
        assert f"### {dimension.zh} {dimension.value}\n\n{_markdown_table(default_scorecards()[dimension])}\n" in text


# -- files ------------------------------------------------------------------------------------------------------------


def test_a_file_replaces_only_the_dimensions_it_names() -> None:
    """A dimension written out replaces the default wholesale; the others stay."""
    text = '[service.refund_rate]\nbreakpoints = [["0", "100"], ["0.5", "0"]]\n'
    cards = loads(text, Scorecards, format="toml")
    assert cards.service.metrics == ("refund_rate",)
    assert cards.price == default_scorecards().price


def test_a_bad_breakpoint_in_a_file_is_reported_at_its_path() -> None:
    """The issue's example: service.refund_rate.breakpoints[2]: x values must increase."""
    text = '[service.refund_rate]\nbreakpoints = [["0.1", "100"], ["0.2", "80"], ["0.15", "0"]]\n'
    with pytest.raises(ValidationError) as info:
        loads(text, Scorecards, format="toml")
    assert info.value.messages == (
        "service.refund_rate.breakpoints[2]: x values must increase (the one before is 0.2), got Decimal('0.15')",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[service.refund_ratee]\nbreakpoints = [["0", "1"], ["1", "0"]]',
            "service.refund_ratee: is not a known metric (did you mean 'refund_rate'?), got 'refund_ratee'",
        ),
        (
            '[price.units_30d]\nbreakpoints = [["0", "1"], ["1", "0"]]\nwieght = "1"',
            "price.units_30d.wieght: is not a known field, got 'wieght'",
        ),
        ("[sales]\nunits_30d = 3", "sales.units_30d: must be a table (breakpoints, weight ...), got 3"),
        (
            '[sales.units_30d]\nbreakpoints = [["0", "x"], ["1", "0"]]',
            "sales.units_30d.breakpoints[0][1]: is not a number, got 'x'",
        ),
        ('[[service.caps]]\nmetric = "refund_rate"\nlimit = "50"', "service.caps[0]: needs at_least, at_most or both"),
        ('[weights]\nbrand = "0.4"', "weights: weights must sum to 1, got Decimal('1.2')"),
        (
            '[scorers]\nservice = "a b"',
            "scorers.service: must be a registered scorer's name (letters, digits, _.:-), got 'a b'",
        ),
        ("service = 3", "service: must be a table of metric names to rules, got 3"),
    ],
)
def test_every_problem_in_a_file_names_its_place(text: str, message: str) -> None:
    """Unknown metrics, fields and bad values are reported with their path in the file."""
    with pytest.raises(ValidationError) as info:
        loads(text, Scorecards, format="toml")
    assert message in info.value.messages


def test_a_float_in_a_scorecards_file_is_refused() -> None:
    """TOML floats are inexact; breakpoints are written as strings or ints."""
    with pytest.raises(ValidationError, match="has a float"):
        loads("[sales.units_30d]\nbreakpoints = [[0, 0.5], [1, 0]]", Scorecards, format="toml")


def test_dumped_rules_leave_defaults_out() -> None:
    """A rule's file form holds only what differs from the defaults."""
    assert to_dict(Scorecard([MetricRule("units_30d", [(0, 0), (10, 100)])])) == {
        "units_30d": {"breakpoints": [["0", "0"], ["10", "100"]]}
    }


@given(cards=scorecard_sets())
def test_scorecards_round_trip_through_the_converter_json_and_toml(cards: Scorecards) -> None:
    """to_dict/from_dict, JSON and TOML all give back an equal model."""
    data = to_dict(cards)
    assert from_dict(data, Scorecards) == cards
    assert loads(dumps(cards), Scorecards) == cards
    assert loads(_toml.dumps(data), Scorecards, format="toml") == cards
    assert tomllib.loads(_toml.dumps(data)) == json.loads(json.dumps(data, default=str), object_hook=_no_nulls)


@given(card=scorecards())
def test_a_single_scorecard_round_trips(card: Scorecard) -> None:
    """A dimension scorecard alone round-trips through the converter."""
    assert from_dict(to_dict(card), Scorecard) == card


@given(snap=scoring_snapshots(), card=scorecards())
def test_any_scorecard_scores_within_0_and_100(snap: SkuSnapshot, card: Scorecard) -> None:
    """Random curves, caps and weights still give a value from 0.00 to 100.00 with two places."""
    score = ScorecardScorer(Dimension.SALES, card).score(snap, EMPTY)
    assert D(0) <= score.value <= D(100)
    assert score.value.as_tuple().exponent == -2


def test_scorer_names_default_to_none() -> None:
    """Without a [scorers] table every dimension evaluates its scorecard."""
    assert all(ScorerNames()[d] is None for d in Dimension)
    assert to_dict(ScorerNames(service="acme.service")) == {"service": "acme.service"}


# -- unobserved is not zero: the three modes of `missing` ---------------------------------------------------------

#: The service metrics a snapshot may not observe, and what the default scorecards do with each.
_SERVICE_RULES: Final = {
    "experience_score": "unavailable: scored as missing",
    "bad_review_rate": "unavailable, and no category median: left out",
    "quality_return_rate": "unavailable, and no category median: left out",
    "refund_rate": "unavailable, and no category median: left out",
    "complaint_rate": "unavailable: scored as missing",
    "shipped_48h_rate": "unavailable: left out",
}


def _service(snap: SkuSnapshot, context: ScoringContext = EMPTY) -> DimensionScore:
    return ScorecardScorer(Dimension.SERVICE, default_scorecards().service).score(snap, context)


def _tea(refunds: str, sku: str) -> SkuSnapshot:
    return snapshot(sku, refund_rate=_rate(refunds))


def test_a_snapshot_without_service_data_no_longer_scores_55_from_zeros() -> None:
    """The issue's example: a bare snapshot's service is 42.50 (experience 40 points at weight 0.3, complaints 50 at
    0.1; the rest left out), not the 55.00 that counting unknown rates as 0% gave; every unobserved metric's line
    names the rule used."""
    score = _service(snapshot())
    assert score.value == D("42.50")
    assert {c.metric: c.reason for c in score.contributions} == _SERVICE_RULES
    assert all(c.raw is None for c in score.contributions)
    assert [(c.points, c.weight) for c in score.contributions if c.weight] == [(D(40), D("0.3")), (D(50), D("0.1"))]


def test_observed_zeros_still_mean_observed_zeros() -> None:
    """The same snapshot with every service metric explicitly 0 scores what the zero defaults used to give: 55.00."""
    zeros = {name: Rate.zero() for name in _SERVICE_RULES if name != "experience_score"}
    score = _service(snapshot(experience_score=D(0), **zeros))
    assert score.value == D("55.00")
    assert all(c.raw == 0 and not c.reason.startswith("unavailable") for c in score.contributions)


def test_the_median_mode_scores_the_category_median_of_the_observed_peers() -> None:
    """Peers at 10%, 20% and 30% refunds (one unobserved peer does not count): the median 20% scores 66.67."""
    peers = [_tea("10%", "a"), _tea("20%", "b"), _tea("30%", "c"), snapshot("d")]
    context = build_context(peers)
    rule = _rule(missing=MEDIAN)
    score = ScorecardScorer(Dimension.SERVICE, Scorecard([rule])).score(snapshot("new"), context)
    (refund,) = score.contributions
    assert (refund.raw, refund.points, refund.weight) == (None, D("66.67"), D(1))
    assert refund.reason == "unavailable: scored at the category median 0.2 (between 0.15 (80) and 0.3 (40))"
    assert score.value == rule.points(D("0.2"))


def test_the_median_mode_without_a_median_leaves_the_rule_out_and_says_why() -> None:
    """No benchmark for the category, or no peer observed the metric: the rule drops out."""
    card = Scorecard([_rule(missing=MEDIAN), MetricRule("units_30d", [(0, 0), (100, 100)])])
    nobody = build_context([snapshot("a"), snapshot("b")])  # the category exists, but no refund rate was observed
    for context in (EMPTY, nobody):
        score = ScorecardScorer(Dimension.SERVICE, card).score(snapshot(units_30d=50), context)
        assert score.contributions[0].reason == "unavailable, and no category median: left out"
        assert score.contributions[0].weight == 0
        assert score.value == D("50.00")


def test_a_median_of_half_a_millionth_rounds_half_to_even_onto_the_grid() -> None:
    """Twice the median is exact; the metric value is rounded once, half to even: 1.5 ppm -> 2, 2.5 ppm -> 2."""
    rule = MetricRule("complaint_rate", [(0, 0), ("0.000004", 100)], missing=MEDIAN)
    for half, units in ((3, 2), (5, 2), (7, 4)):
        median = D(half * 5).scaleb(-7)
        bench = CategoryBenchmark(CategoryId("c-tea"), 2, D(1), D(0), (0, 0), {"complaint_rate": median})
        points, how = rule.unavailable(snapshot(), ScoringContext((bench,))) or (None, "")
        assert points == rule.points_units(units), (half, how)


@pytest.mark.parametrize(
    ("missing", "points", "reason"),
    [
        (D(30), D("30.00"), "unavailable: scored as missing"),
        (MEDIAN, D("66.67"), "unavailable: scored at the category median 0.2 (between 0.15 (80) and 0.3 (40))"),
        (None, D("0.00"), "unavailable: left out"),
    ],
)
def test_observed_zero_against_unobserved_in_each_mode(missing: object, points: Decimal, reason: str) -> None:
    """At the boundary, an observed 0% earns the curve's full 100 points in every mode; unobserved takes the mode."""
    context = build_context([_tea("10%", "a"), _tea("20%", "b"), _tea("30%", "c")])
    scorer = ScorecardScorer(Dimension.SERVICE, Scorecard([_rule(missing=missing)]))
    observed = scorer.score(snapshot(refund_rate=Rate.zero()), context).contributions[0]
    unobserved = scorer.score(snapshot(), context).contributions[0]
    assert (observed.raw, observed.points, observed.reason) == (D(0), D("100.00"), "below 0.05")
    assert (unobserved.raw, unobserved.points, unobserved.reason) == (None, points, reason)


@pytest.mark.parametrize(
    ("line", "missing"),
    [('missing = "median"', MEDIAN), ('missing = "omit"', None), ("", None), ('missing = "20"', D(20))],
)
def test_a_file_names_each_mode(line: str, missing: object) -> None:
    """``"median"``, ``"omit"`` (the same as no line) and points, which old files already wrote, keep meaning."""
    text = f'[service.refund_rate]\nbreakpoints = [["0", "100"], ["0.5", "0"]]\n{line}\n'
    assert loads(text, Scorecards, format="toml").service.rule("refund_rate").missing == missing
    assert MetricRule("refund_rate", [(0, 100), ("0.5", 0)], missing=line[11:-1] or None).missing == missing


@pytest.mark.parametrize(
    ("metric", "missing", "match"),
    [
        ("refund_rate", "average", r'MetricRule\.missing: must be points \(e\.g\. "50"\), "median" or "omit"'),
        ("refund_rate", True, r"MetricRule\.missing: must be points"),
        ("refund_rate", "101", r"MetricRule\.missing: must be between 0 and 100 points"),
        ("units_30d", "median", r"MetricRule\.missing: needs a metric with category medians \(repurchase_rate, "),
        ("sales_growth", MEDIAN, r"MetricRule\.missing: needs a metric with category medians"),
    ],
)
def test_a_bad_missing_rule_names_the_field_and_the_modes(metric: str, missing: object, match: str) -> None:
    """An unknown mode, or the median of a metric the benchmarks hold no median of, is refused."""
    with pytest.raises(InvalidValueError, match=match):
        MetricRule(metric, [(0, 100), (1, 0)], missing=missing)


def test_a_bad_missing_rule_in_a_file_names_its_place() -> None:
    """The path in the file is reported."""
    text = '[sales.units_30d]\nbreakpoints = [["0", "0"], ["9", "100"]]\nmissing = "median"\n'
    with pytest.raises(ValidationError, match=r"sales\.units_30d\.missing: needs a metric with category medians"):
        loads(text, Scorecards, format="toml")


def test_the_median_mode_writes_back_as_median() -> None:
    """The file form of each mode: "median", the points, or nothing."""
    rules = [_rule(missing=MEDIAN), MetricRule("complaint_rate", [(0, 1), (1, 0)], missing=50)]
    card = Scorecard([*rules, MetricRule("shipped_48h_rate", [(0, 0), (1, 1)], missing="omit")])
    data = to_dict(card)
    assert [data[m].get("missing") for m in card.metrics] == ["median", "50", None]
    assert from_dict(data, Scorecard) == card


@given(snap=scoring_snapshots(), context=scoring_contexts(), rule=metric_rules(metrics=st.sampled_from(MEDIAN_METRICS)))
def test_unobserved_in_median_mode_scores_as_observed_at_the_category_median(
    snap: SkuSnapshot, context: ScoringContext, rule: MetricRule
) -> None:
    """For any rule and context, an unobserved metric in median mode scores exactly as the snapshot observed at its
    category's median (rounded onto the grid) would; without a median it is left out."""
    rule = attrs.evolve(rule, missing=MEDIAN)
    scorer = ScorecardScorer(Dimension.SERVICE, Scorecard([rule]))
    gone: dict[str, Any] = {rule.metric: None}
    (got,) = scorer.score(attrs.evolve(snap, **gone), context).contributions
    bench = context.benchmark_for(snap)
    half = None if bench is None else bench.median_half_units(rule.metric)
    if half is None:
        assert (got.weight, got.reason) == (D(0), "unavailable, and no category median: left out")
        return
    value = unscaled(div_half_even(half, 2), 6)
    at_median: dict[str, Any] = {rule.metric: Rate.of(value) if get_metric(rule.metric).unit == "rate" else value}
    (expected,) = scorer.score(attrs.evolve(snap, **at_median), context).contributions
    assert (got.raw, got.points, got.weight) == (None, expected.points, expected.weight)
    assert got.reason.startswith("unavailable: scored at the category median ")


@given(snap=scoring_snapshots(), points=st.integers(0, 10_000), name=st.sampled_from(OPTIONAL_METRIC_FIELDS))
def test_unobserved_in_points_mode_scores_exactly_those_points(snap: SkuSnapshot, points: int, name: str) -> None:
    """Whatever else the snapshot holds, an unobserved metric with missing points contributes exactly them."""
    rule = MetricRule(name, [(0, 0), (1, 100)], missing=unscaled(points, 2))
    gone: dict[str, Any] = {name: None}
    score = ScorecardScorer(Dimension.SERVICE, Scorecard([rule])).score(attrs.evolve(snap, **gone), EMPTY)
    (got,) = score.contributions
    assert (got.raw, got.points, got.weight) == (None, unscaled(points, 2), D(1))


# -- helpers ------------------------------------------------------------------------------------------------------


def _no_nulls(obj: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in obj.items() if v is not None}


def _rate(text: str) -> Rate:
    return Rate.of(text)


def _snapshot() -> SkuSnapshot:
    return snapshot(experience_score=D("4.8"), shipped_48h_rate=_rate("0.95"))
