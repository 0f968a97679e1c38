"""Rule tests as data: example cases kept next to a policy, run the way decision tables are tested in DMN tools.

A case file (TOML or JSON, kind ``rule-cases``) lists cases, each with the inputs it sets and what it expects:

- of a tier policy, the ``tier`` (and optionally the deciding ``rule``); every input a case leaves out takes its
  neutral value (:func:`fenxiao.grading.inputs.example_inputs`: metrics 0, scores 50, 30 days in the pool);
- of a perk catalog, the SKU's ``tier`` and the entries ``granted`` (exactly those, by name); inputs left out
  are neutral (:func:`fenxiao.grading.perks.example_perk_inputs`);
- of an admission policy, the ``outcome``; inputs left out are missing (a missing value satisfies no
  comparison).

Values are written as in conditions: exact numbers as strings or integers (``"72.5"``, ``"5%"``, ``300``), flags
as ``true``/``false``, text as text. :func:`run_cases` runs every case and reports each with the trace of the
decision, so a failing case says why (``python -m fenxiao test POLICY CASES`` exits 1 on a failure).

>>> from fenxiao.grading.tiers import default_tier_policy
>>> cases = RuleCases((RuleCase("strong", {"composite": "92", "units_30d": 640, "score.service": "72.5"}, tier="L4"),))
>>> [str(result) for result in run_cases(default_tier_policy(), cases)]
["ok strong: L4 (rule 'hot-item')"]

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from fenxiao._internal import validators as v
from fenxiao.errors import FenxiaoError, InvalidValueError
from fenxiao.grading.inputs import TIER_INPUTS, example_inputs
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PERK_INPUTS, PerkCatalog, example_perk_inputs
from fenxiao.grading.tiers import TierPolicy
from fenxiao.market.admission import ADMISSION_INPUTS, AdmissionPolicy, Outcome
from fenxiao.rules.language import Schema, scalar_from_data
from fenxiao.rules.table import Finding, Severity, as_member, sorted_findings

__all__ = ["CaseResult", "RuleCase", "RuleCases", "lint_cases", "run_cases"]

#: The most cases one file may hold.
MAX_CASES = 10_000


def _inputs_table(value: object) -> object:
    return dict(value) if isinstance(value, Mapping) else value


def _tier(value: object) -> Any:
    return as_member(Tier, value)


def _outcome(value: object) -> Any:
    return as_member(Outcome, value)


def _names(value: Any) -> Any:
    return None if value is None or isinstance(value, str) else tuple(value)


def _check_inputs(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise InvalidValueError("RuleCase.inputs", value, "must be a table of input names to values")
    for name, raw in value.items():
        if not isinstance(raw, (str, int, bool, Decimal)):
            raise InvalidValueError(f"RuleCase.inputs.{name}", raw, "must be a number, a flag or text")


@attrs.frozen
class RuleCase:
    """One example: the inputs it sets and what the policy must answer.

    Args:
        name: The case's name (reported).
        inputs: Input names to values (``"72.5"``, ``"5%"``, ``300``, ``true``, ``"warned"``); the rest are neutral.
        tier: A tier policy's expected tier; for a perk catalog, the SKU's tier.
        rule: A tier policy's expected deciding rule (optional).
        granted: A perk catalog's expected granted entries, by name (exactly these).
        outcome: An admission policy's expected outcome.
        description: For people.
    """

    name: str = attrs.field(validator=v.text)
    inputs: Mapping[str, Any] = attrs.field(factory=dict, converter=_inputs_table, validator=_check_inputs)
    tier: Tier | None = attrs.field(
        default=None, converter=_tier, validator=attrs.validators.optional(v.member_of(Tier))
    )
    rule: str | None = None
    granted: tuple[str, ...] | None = attrs.field(default=None, converter=_names)
    outcome: Outcome | None = attrs.field(
        default=None,
        converter=_outcome,
        validator=attrs.validators.optional(v.member_of(Outcome)),
    )
    description: str = ""


def _check_cases(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not value or len(value) > MAX_CASES:
        raise InvalidValueError("RuleCases.cases", value, f"must be a list of 1 to {MAX_CASES} cases")
    seen: set[str] = set()
    for i, case in enumerate(value):
        if not isinstance(case, RuleCase):
            raise InvalidValueError(f"RuleCases.cases[{i}]", case, "must be a RuleCase")
        if case.name in seen:
            raise InvalidValueError(f"RuleCases.cases[{i}].name", case.name, "is used by an earlier case")
        seen.add(case.name)


@attrs.frozen
class RuleCases:
    """A file of cases for one policy or catalog (see the module's docstring)."""

    cases: tuple[RuleCase, ...] = attrs.field(converter=v.to_tuple, validator=_check_cases)
    name: str = ""


@attrs.frozen
class CaseResult:
    """How one case went: passed or not, what the policy answered, and the trace of its decision."""

    case: str
    passed: bool
    got: str
    expected: str
    trace: str = ""

    def __str__(self) -> str:
        if self.passed:
            return f"ok {self.case}: {self.got}"
        return f"FAIL {self.case}: expected {self.expected}, got {self.got}"


def _read(raw: Mapping[str, Any], schema: Schema, where: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, value in raw.items():
        if name not in schema:
            raise InvalidValueError(f"{where}.inputs.{name}", value, "is not a known input" + schema.suggest(name))
        read = scalar_from_data(value, f"{where}.inputs.{name}")
        whole = schema[name].integer and isinstance(read, Decimal) and read == read.to_integral_value()
        values[name] = int(read) if whole else read
    return values


def run_cases(subject: TierPolicy | PerkCatalog | AdmissionPolicy, cases: RuleCases) -> tuple[CaseResult, ...]:
    """Run every case of *cases* against *subject* (a tier policy, perk catalog or admission policy), in order.

    A case whose decision raises (a missing fallback, an overlap under hit policy ``unique``) fails with the
    error as what it got.

    Raises:
        InvalidValueError: A case names an unknown input, or lacks what its subject needs it to expect
            (``tier`` for a tier policy or perk catalog, ``outcome`` for an admission policy).
    """
    results = []
    for i, case in enumerate(cases.cases):
        where = f"cases[{i}]"
        if isinstance(subject, TierPolicy):
            results.append(_tier_case(subject, case, where))
        elif isinstance(subject, PerkCatalog):
            results.append(_perk_case(subject, case, where))
        elif isinstance(subject, AdmissionPolicy):
            results.append(_admission_case(subject, case, where))
        else:
            raise InvalidValueError(
                "run_cases.subject", subject, "must be a TierPolicy, PerkCatalog or AdmissionPolicy"
            )
    return tuple(results)


def _tier_case(policy: TierPolicy, case: RuleCase, where: str) -> CaseResult:
    if case.tier is None:
        raise InvalidValueError(f"{where}.tier", None, "is required: the tier the policy must give")
    inputs = example_inputs(**_read(case.inputs, TIER_INPUTS, where))
    expected = case.tier.value + (f" (rule {case.rule!r})" if case.rule is not None else "")
    try:
        decision = policy.decide(inputs)
    except FenxiaoError as exc:
        return CaseResult(case.name, False, f"an error: {exc}", expected)
    got = f"{decision.tier.value} (rule {decision.rule!r})"
    passed = decision.tier is case.tier and (case.rule is None or decision.rule == case.rule)
    return CaseResult(case.name, passed, got, expected, decision.explain())


def _perk_case(catalog: PerkCatalog, case: RuleCase, where: str) -> CaseResult:
    if case.tier is None:
        raise InvalidValueError(f"{where}.tier", None, "is required: the SKU's tier")
    if case.granted is None:
        raise InvalidValueError(f"{where}.granted", None, "is required: the entries the catalog must grant")
    inputs = example_perk_inputs(**_read(case.inputs, PERK_INPUTS, where))
    resolution = catalog.resolve(case.tier, inputs)
    got_names = sorted(
        {g.entry for g in resolution.granted} | {n for g in resolution.granted for n in _summed(g.reason)}
    )
    wanted = sorted(case.granted)
    trace = "\n".join(
        [f"  granted {g.entry}: {g.perk} ({g.reason})" for g in resolution.granted]
        + [f"  denied {d.entry}: {d.reason}" for d in resolution.denied if d.code != "above-tier"]
    )
    return CaseResult(case.name, got_names == wanted, _listed(got_names), _listed(wanted), trace)


def _summed(reason: str) -> list[str]:
    """The entries a summed grant adds up (``sum of a + b``)."""
    return reason[len("sum of ") :].split(" + ") if reason.startswith("sum of ") else []


def _listed(names: list[str]) -> str:
    return "[" + ", ".join(names) + "]"


def _admission_case(policy: AdmissionPolicy, case: RuleCase, where: str) -> CaseResult:
    if case.outcome is None:
        raise InvalidValueError(f"{where}.outcome", None, "is required: the outcome the policy must decide")
    inputs: dict[str, object] = dict.fromkeys(ADMISSION_INPUTS.names())
    inputs.update(_read(case.inputs, ADMISSION_INPUTS, where))
    decision = policy.decide(inputs, subject=case.name)
    return CaseResult(
        case.name, decision.outcome is case.outcome, decision.outcome.value, case.outcome.value, str(decision)
    )


def _subject(case: RuleCase) -> str | None:
    """What a case can test by what it expects: an admission policy, a perk catalog or a tier policy."""
    if case.outcome is not None:
        return "an admission policy"
    if case.granted is not None:
        return "a perk catalog"
    if case.tier is not None:
        return "a tier policy"
    return None


def lint_cases(cases: RuleCases) -> tuple[Finding, ...]:
    """Static checks of a case file, before any policy runs it (errors first):

    - ``unknown-input`` (error): an input no tier policy, perk catalog or admission policy reads (a typo: the
      finding suggests the closest name);
    - ``expects-nothing`` (error): a case with no ``tier``, ``granted`` or ``outcome``: no policy can run it;
    - ``mixed-subjects`` (warning): cases for different kinds of policy in one file (an ``outcome`` beside a
      ``tier``): running the file against any one policy fails the others.

    >>> lint_cases(RuleCases((RuleCase("a", {"compsite": "90"}, tier="L5"),)))[0].message
    "input 'compsite' is read by no policy (did you mean 'composite'?)"

    Raises:
        InvalidValueError: *cases* is not a :class:`RuleCases`.
    """
    if not isinstance(cases, RuleCases):
        raise InvalidValueError("lint_cases.cases", cases, "must be a RuleCases")
    findings: list[Finding] = []
    first: tuple[int, str] | None = None
    for i, case in enumerate(cases.cases):
        for name in case.inputs:
            if not any(name in schema for schema in (TIER_INPUTS, PERK_INPUTS, ADMISSION_INPUTS)):
                message = f"input {name!r} is read by no policy{TIER_INPUTS.suggest(name)}"
                findings.append(Finding(f"cases[{i}].inputs.{name}", Severity.ERROR, "unknown-input", message))
        subject = _subject(case)
        if subject is None:
            message = f"case {case.name!r} expects no tier, granted entries or outcome: no policy can run it"
            findings.append(Finding(f"cases[{i}]", Severity.ERROR, "expects-nothing", message))
        elif first is None:
            first = (i, subject)
        elif subject != first[1]:
            message = f"case {case.name!r} is for {subject}, cases[{first[0]}] for {first[1]}"
            findings.append(Finding(f"cases[{i}]", Severity.WARNING, "mixed-subjects", message))
    return sorted_findings(findings)
