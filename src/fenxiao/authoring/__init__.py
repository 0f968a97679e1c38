"""Tools for rule authors: JSON Schema of every rule file, lint of a file by its kind, rule tests as data.

- :data:`KINDS`: every kind of rule file (tier policy, scorecards, perk catalog, admission policy, platform
  profile, models), one entry each;
- :func:`build_file_schema`: the JSON Schema of a kind, generated from its attrs classes
  (``python -m fenxiao schema KIND``);
- :func:`lint_file`: a file's kind told by itself, every finding at once, each with its path and line
  (``python -m fenxiao lint FILE``);
- :func:`run_cases`: example cases kept next to a policy, run as tests (``python -m fenxiao test POLICY CASES``).

See ``docs/rule-authors.md``.

.. versionadded:: 0.2
"""

from fenxiao.authoring.documents import FileLint, lint_file, lint_text
from fenxiao.authoring.kinds import KINDS, RuleFileKind, detect_kind, kind_named
from fenxiao.authoring.schemas import build_file_schema, build_schema

__all__ = [
    "KINDS",
    "FileLint",
    "RuleFileKind",
    "build_file_schema",
    "build_schema",
    "detect_kind",
    "kind_named",
    "lint_file",
    "lint_text",
]
