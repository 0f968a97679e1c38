"""Compiled scorecards: the same value as the explained evaluation, and the same DimensionScore when read."""

from __future__ import annotations

import pickle
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenxiao.domain.snapshots import SkuSnapshot
from fenxiao.scoring.compiled import MAX_COMPILED_BREAKPOINTS, NOTED, _field, _literal, compilable
from fenxiao.scoring.context import ScoringContext
from fenxiao.scoring.dimensions import Dimension, DimensionScore
from fenxiao.scoring.metrics import _UNITS, get_metric, metric_names, register_metric, unregister_metric
from fenxiao.scoring.scorecards import MetricRule, Scorecard, ScorecardScorer, _evaluate, default_scorecards
from fenxiao.testing.scoring import scorecards, scoring_contexts, scoring_snapshots

from ..builders import snapshot


def _explained(dimension: Dimension, card: Scorecard, snap: SkuSnapshot, context: ScoringContext) -> DimensionScore:
    """The score the validating constructor builds from the explained evaluation."""
    return DimensionScore(dimension, *_evaluate(card, snap, context))


@given(snap=scoring_snapshots(), context=scoring_contexts(), card=scorecards())
def test_compiled_value_is_the_explained_value(snap: SkuSnapshot, context: ScoringContext, card: Scorecard) -> None:
    """Any scorecard of built-in metrics: the compiled function gives the explained value in hundredths, or NOTED
    exactly when the explained evaluation notes something (no rule available, a dimension cap that applies)."""
    compiled = card._compiled()
    assert compiled is not None
    value, _, notes = _evaluate(card, snap, context)
    got = compiled(snap, context)
    if notes:
        assert got == NOTED
    else:
        assert got == int(value.scaleb(2))


@given(snap=scoring_snapshots(), context=scoring_contexts(), dimension=st.sampled_from(Dimension))
def test_default_scorecards_compiled_equal_explained(
    snap: SkuSnapshot, context: ScoringContext, dimension: Dimension
) -> None:
    """The shipped scorecards: the fast score equals the validated one, read or unread, with the same repr and hash."""
    card = default_scorecards()[dimension]
    fast = ScorecardScorer(dimension, card).score(snap, context)
    checked = _explained(dimension, card, snap, context)
    assert fast == checked  # reads (and builds) the contributions
    assert repr(fast) == repr(checked)
    assert hash(fast) == hash(checked)
    assert fast.value.as_tuple().exponent == -2


@given(snap=scoring_snapshots(), context=scoring_contexts(), card=scorecards())
def test_unread_contributions_are_built_when_read(snap: SkuSnapshot, context: ScoringContext, card: Scorecard) -> None:
    """A score whose contributions were never read pickles, evolves and converts to a dict as the explained one."""
    checked = _explained(Dimension.SALES, card, snap, context)
    scorer = ScorecardScorer(Dimension.SALES, card)
    assert pickle.loads(pickle.dumps(scorer.score(snap, context))) == checked
    assert attrs.evolve(scorer.score(snap, context)) == checked
    assert attrs.asdict(scorer.score(snap, context)) == attrs.asdict(checked)
    assert scorer.score(snap, context).contributions == checked.contributions


def test_every_builtin_metric_has_units() -> None:
    """Every built-in metric can be compiled; its units are its measured grid units (see test_metrics)."""
    assert set(_UNITS) == set(metric_names())
    assert compilable([get_metric(name) for name in metric_names()], 2)


@given(snap=scoring_snapshots(), context=scoring_contexts(), name=st.sampled_from(sorted(_UNITS)))
def test_units_are_the_measured_grid_units(snap: SkuSnapshot, context: ScoringContext, name: str) -> None:
    """What the compiled code reads for a metric is ``measure()``'s int, or None when it is unavailable."""
    kind, source = _UNITS[name]
    measured = get_metric(name).measure(snap, context)
    if kind == "call":
        got = source(snap, context)
    else:
        raw = getattr(snap, source)
        got = None if raw is None else raw.fen if kind == "fen" else raw.ppm if kind == "ppm" else int(raw)
    assert got == (None if measured is None else measured[1])


def test_a_registered_metric_is_scored_the_explained_way() -> None:
    """A scorecard naming a registered metric is not compiled (its function is measured through its checks)."""
    register_metric("twice_units", lambda s, c: Decimal(2 * s.units_30d), places=0, unit="units", description="2x")
    try:
        card = Scorecard([MetricRule("twice_units", [("0", "0"), ("100", "100")])])
        assert card._compiled() is None
        score = ScorecardScorer(Dimension.SALES, card).score(snapshot(units_30d=20), ScoringContext.empty())
        assert score.value == Decimal("40.00")
        assert score.contributions[0].raw == Decimal(40)
    finally:
        unregister_metric("twice_units")


def test_a_scorecard_past_the_compiled_size_is_scored_the_explained_way() -> None:
    """More breakpoints than MAX_COMPILED_BREAKPOINTS: not compiled, scored as before."""
    points = [(str(x), str(x % 101)) for x in range(64)]
    card = Scorecard([MetricRule(n, points) for n in ("units_30d", "units_prev_30d", "team_leaders")])
    assert card._compiled() is not None
    many = [MetricRule(n, points) for n in sorted(_UNITS)[:17]]
    big = Scorecard(many)
    assert sum(len(r.breakpoints) for r in big.rules) > MAX_COMPILED_BREAKPOINTS
    assert big._compiled() is None
    snap = snapshot(units_30d=7)
    assert ScorecardScorer(Dimension.SALES, big).score(snap, ScoringContext.empty()) == _explained(
        Dimension.SALES, big, snap, ScoringContext.empty()
    )


def test_only_ints_and_snapshot_fields_enter_the_source() -> None:
    """The generator writes an int only if it is an int, and a field name only if it is a snapshot metric field."""
    assert _literal(-5) == "(-5)"
    assert _literal(7) == "7"
    with pytest.raises(TypeError):
        _literal(True)
    with pytest.raises(TypeError):
        _literal(Decimal(1))  # type: ignore[arg-type]
    assert _field("refund_rate") == "refund_rate"
    with pytest.raises(ValueError, match="not a snapshot field"):
        _field("__class__")


def test_the_compiled_function_is_made_once_per_scorecard() -> None:
    """The compiled function is kept on the scorecard (not part of its value: equality and hash ignore it)."""
    card = default_scorecards().service
    assert card._compiled() is card._compiled()
    fresh = Scorecard(card.rules, card.caps)
    assert fresh == card
    assert hash(fresh) == hash(card)
