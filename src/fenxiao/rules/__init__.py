"""The rule language: conditions, their interpreter, compiler, NumPy evaluator and the shared rule table."""
