"""The authoring group: ``schema KIND`` (a rule file's JSON Schema) and ``test POLICY CASES`` (rule tests as data).

``lint`` (in the grading group) checks a rule file of any kind; these two commands complete a rule author's kit.
See ``docs/rule-authors.md``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from fenxiao.authoring.cases import RuleCases, run_cases
from fenxiao.authoring.documents import lint_file
from fenxiao.authoring.kinds import KINDS
from fenxiao.authoring.schemas import build_file_schema
from fenxiao.cli.common import write_json
from fenxiao.cli.contract import CommandGroup, Subparsers
from fenxiao.cli.parsing import add_command
from fenxiao.errors import InvalidValueError

__all__ = ["GROUP", "register"]


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    out.write(json.dumps(build_file_schema(args.kind), ensure_ascii=False, indent=2) + "\n")
    return 0


def _load_kind(path: str, allowed: tuple[str, ...], what: str) -> Any:
    """The file at *path* read as its kind, which must be one of *allowed*; every problem named, with its line."""
    try:
        report = lint_file(path)
    except InvalidValueError as exc:
        raise exc.at(what) if exc.path == "lint.path" else exc from None
    if report.kind not in allowed:
        raise InvalidValueError(
            what, path, f"must be a {' or '.join(allowed)} file, not a {report.kind or 'file of no kind'}"
        )
    if not report.loaded:
        problems = "; ".join(f"{f.path} (line {f.line}): {f.message}" for f in report.findings)
        raise InvalidValueError(what, path, f"does not load: {problems}")
    return report.value


def _cmd_test(args: argparse.Namespace, out: TextIO) -> int:
    subject = _load_kind(args.policy, ("tier-policy", "perk-catalog", "admission-policy"), "POLICY")
    cases: RuleCases = _load_kind(args.cases, ("rule-cases",), "CASES")
    results = run_cases(subject, cases)
    failed = [r for r in results if not r.passed]
    if args.json:
        rows = [
            {"case": r.case, "passed": r.passed, "got": r.got, "expected": r.expected, "trace": r.trace}
            for r in results
        ]
        write_json(out, rows)
    else:
        for result in results:
            out.write(str(result) + "\n")
            if not result.passed and result.trace:
                out.write(result.trace + "\n")
        out.write(f"{len(results) - len(failed)} passed, {len(failed)} failed\n")
    return 1 if failed else 0


def register(sub: Subparsers) -> None:
    """Add the authoring sub-commands."""
    schema = add_command(
        sub,
        "schema",
        help="print the JSON Schema of a kind of rule file (for editors)",
        example="python -m fenxiao schema tier-policy > tier-policy.schema.json",
    )
    kinds = [k.name for k in KINDS]
    schema.add_argument("kind", choices=kinds, metavar="KIND", help=f"the kind of rule file: {', '.join(kinds)}")
    schema.add_argument("--json", action="store_true", help="print JSON (the schema always is; for the convention)")
    schema.set_defaults(func=_cmd_schema)

    test = add_command(
        sub,
        "test",
        help="run the example cases of a policy (exit 1 on a failing case, with its trace)",
        example="python -m fenxiao test my-policy.toml my-policy.cases.toml --json",
    )
    test.add_argument("policy", metavar="POLICY", help="a tier policy, perk catalog or admission policy file")
    test.add_argument("cases", metavar="CASES", help="a rule-cases file (.toml/.json)")
    test.add_argument("--json", action="store_true", help="print each case's result as JSON")
    test.set_defaults(func=_cmd_test)


#: The authoring command group.
GROUP = CommandGroup("authoring", register)
