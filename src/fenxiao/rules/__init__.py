"""The rule language: conditions, their interpreter, compiler, NumPy evaluator and the shared rule table.

This face re-exports the language and its interpreter (``from fenxiao.rules import Compare, evaluate``). The
compiler (:mod:`fenxiao.rules.compiler`) and the NumPy evaluator (:mod:`fenxiao.rules.masks`, which needs
NumPy) are imported by their module names; modules inside the package import each other, never this face.

>>> from decimal import Decimal
>>> from fenxiao.rules import All, Compare, Op, evaluate
>>> evaluate(All((Compare("composite", Op.GE, Decimal(60)),)), {"composite": Decimal("72.5")})
True

See ``docs/rules.md``.
"""

from fenxiao.rules.interpreter import Check, Explanation, evaluate, explain
from fenxiao.rules.language import (
    All,
    AnyOf,
    Compare,
    Condition,
    InputKind,
    InputSpec,
    Not,
    Op,
    Schema,
    check,
    comparisons,
    condition_from_data,
    condition_to_data,
    inputs_of,
)
from fenxiao.rules.witness import SearchBudget, find_witness

__all__ = [
    "All",
    "AnyOf",
    "Check",
    "Compare",
    "Condition",
    "Explanation",
    "InputKind",
    "InputSpec",
    "Not",
    "Op",
    "Schema",
    "SearchBudget",
    "check",
    "comparisons",
    "condition_from_data",
    "condition_to_data",
    "evaluate",
    "explain",
    "find_witness",
    "inputs_of",
]
