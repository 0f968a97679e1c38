"""JSON Schema of every rule-file kind: valid schemas, defaults and docs examples validate, generated documents
load or are refused with a FenxiaoError, and documents the loader accepts validate."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fenxiao.authoring.cases import RuleCase, RuleCases
from fenxiao.authoring.documents import lint_file, lint_text
from fenxiao.authoring.kinds import KINDS, RuleFileKind, detect_kind, kind_named
from fenxiao.authoring.schemas import DRAFT, build_file_schema, build_schema
from fenxiao.cli.authoring import GROUP
from fenxiao.errors import FenxiaoError, InvalidValueError
from fenxiao.grading.budget_sets import SubsidyBudgets
from fenxiao.grading.levels import Tier
from fenxiao.grading.perks import PerkCatalog, default_perk_catalog
from fenxiao.grading.subsidies import SubsidyBudget
from fenxiao.grading.tiers import TIER_HIT_POLICIES, TierPolicy, default_tier_policy
from fenxiao.market.admission import AdmissionPolicy, Outcome, default_admission_policy
from fenxiao.money import Money
from fenxiao.periods.models import Models
from fenxiao.periods.schedule import Schedule, ScheduledBudgets
from fenxiao.rules.table import HIT_POLICY_NAMES, Severity
from fenxiao.scoring.scorecards import default_scorecards
from fenxiao.serialization import dumps, from_dict, loads, to_dict
from fenxiao.testing.commission import platform_profiles
from fenxiao.testing.scoring import scorecard_sets
from fenxiao.testing.tiers import tier_policies

from ..cli import running
from ..grading.test_subsidies import budgets as subsidy_budgets
from .compat import from_schema

DOCS = Path(__file__).resolve().parents[2] / "docs"
KIND_IDS = [k.name for k in KINDS]


def _validator(kind: RuleFileKind | str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(build_file_schema(kind))


def _problems(kind: RuleFileKind | str, data: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator(kind).iter_errors(_as_json(data))]


def _as_json(data: object) -> object:
    """TOML's own dates and times as the ISO text JSON writes (as TOML editors validate them)."""
    if isinstance(data, dict):
        return {k: _as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_json(v) for v in data]
    if isinstance(data, (datetime, date)):
        return data.isoformat()
    return data


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_every_kind_has_a_valid_draft_2020_12_schema(kind: RuleFileKind) -> None:
    """The generated schema is itself a valid JSON Schema, names its dialect and the kind, and is JSON."""
    schema = build_file_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == f"urn:fenxiao:schema:{kind.name}"
    assert schema["title"] == kind.title
    assert json.loads(json.dumps(schema)) == schema


@pytest.mark.parametrize(
    ("kind", "file"), [(k, f) for k in KINDS for f in k.default], ids=[f for k in KINDS for f in k.default]
)
def test_every_default_file_validates_against_its_schema(kind: RuleFileKind, file: str) -> None:
    """Each shipped default, as its TOML text reads, is valid under its kind's schema, and its kind is told."""
    text = resources.files("fenxiao").joinpath("data/defaults", file).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert _problems(kind, data) == []
    assert detect_kind(data) is kind


def test_every_kind_with_a_default_has_a_default_file() -> None:
    """Five kinds ship a default; models and schedules are made of the others, and cases are the author's own."""
    assert [k.name for k in KINDS if not k.default] == ["models", "schedule", "rule-cases"]


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_the_default_value_written_out_validates_as_json_and_toml(kind: RuleFileKind) -> None:
    """The kind's default value (its class built with no arguments, or the shipped file) validates when written."""
    value = kind.cls() if kind.name in {"models", "scorecards", "platform-profile", "schedule"} else _default(kind)
    assert _problems(kind, to_dict(value)) == []
    assert _problems(kind, tomllib.loads(dumps(value, format="toml"))) == []


def _default(kind: RuleFileKind) -> Any:
    makers: dict[str, Callable[[], Any]] = {
        "budgets": lambda: SubsidyBudgets(
            (
                SubsidyBudget("official-subsidy", Money.of("150000.00"), per_day=Money.of("30000.00")),
                SubsidyBudget("usd", Money.of("10.00 USD"), valid_from=datetime(2026, 11, 1, tzinfo=UTC)),
            ),
            name="double-11",
        ),
        "tier-policy": default_tier_policy,
        "perk-catalog": default_perk_catalog,
        "admission-policy": default_admission_policy,
        "rule-cases": lambda: RuleCases((RuleCase("a", {"composite": "90", "x": True}, tier=Tier.L5, granted=()),)),
    }
    return makers[kind.name]()


def _fenced(language: str) -> list[tuple[str, int, str]]:
    blocks = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(rf"^```{language}\n(.*?)^```", text, flags=re.M | re.S):
            blocks.append((page.name, text.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


def _example_files() -> list[tuple[str, str, str]]:
    found = [(f"{page}:{line}", "toml", body) for page, line, body in _fenced("toml")]
    found += [(f"{page}:{line}", "json", body) for page, line, body in _fenced("json")]
    found += [
        (f"examples/{p.name}", p.suffix[1:], p.read_text(encoding="utf-8")) for p in (DOCS / "examples").glob("*")
    ]
    return found


def test_every_rule_file_in_the_docs_validates_and_loads() -> None:
    """Each TOML/JSON block of docs/*.md and each file of docs/examples/ that is a rule file validates and loads."""
    checked = []
    for where, format, body in _example_files():
        data = tomllib.loads(body) if format == "toml" else json.loads(body)
        kind = detect_kind(data)
        if kind is None:  # not a rule file (a catalog, a fragment)
            continue
        assert _problems(kind, data) == [], where
        loads(body, kind.cls, format=format)
        checked.append(where)
    assert len(checked) >= 4, checked


# hypothesis-jsonschema canonicalises sub-schemas while it draws: about a second per document of these schemas.
# A few documents per kind (each deep and varied) keep the suite fast; the accepted-documents properties below run
# the other direction at full size.
GENERATED = settings(
    max_examples=6,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_documents_generated_from_the_schema_load_or_are_refused_with_a_fenxiao_error(kind: RuleFileKind) -> None:
    """What an editor would accept never crashes the loader: it loads, or a FenxiaoError names the problem."""
    schema = _inlined(build_file_schema(kind), opaque=OPAQUE if kind.name in {"models", "schedule"} else frozenset())

    @GENERATED
    @given(from_schema(schema))
    def check(document: Any) -> None:
        try:
            value = from_dict({k: v for k, v in document.items() if k != "$schema"}, kind.cls)
        except FenxiaoError:
            return
        assert isinstance(value, kind.cls)

    check()


#: The most optional properties of one object a generated document may hold.
MAX_PROPERTIES = 4


#: The rule files a models file or a schedule holds: each kind's own test draws them in depth; inside another file
#: they are drawn as any small table (so the loader must refuse or read them there too).
OPAQUE = frozenset({"TierPolicy", "PerkCatalog", "Scorecards"})


def _inlined(schema: dict[str, Any], depth: int = 1, opaque: frozenset[str] = frozenset()) -> dict[str, Any]:
    """*schema* with every ``$ref`` inlined (hypothesis-jsonschema cannot follow recursive references): a
    condition nests *depth* levels, then only comparisons. ``oneOf`` becomes ``anyOf`` and patterns are left out:
    a wider schema, so more documents (the loader must still never crash), drawn in a fraction of the time."""
    defs = schema["$defs"]

    def referenced(name: str, nested: int) -> Any:
        if name in opaque:
            return {"type": "object", "maxProperties": 2}
        if name != "Condition":
            return inline(defs[name], nested)
        if nested >= depth:
            return inline(defs[name]["oneOf"][0], nested)
        return inline(defs[name], nested + 1)

    def inline(node: Any, nested: int) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return referenced(ref.rpartition("/")[2], nested)
            dropped = {"$defs", "$id", "$schema", "pattern", "description", "title"}
            kept = {("anyOf" if k == "oneOf" else k): v for k, v in node.items() if k not in dropped}
            properties = kept.get("properties")
            if isinstance(properties, dict) and len(properties) > MAX_PROPERTIES:
                # A scorecard names ~35 metrics, a models file four whole rule files: keep the required
                # properties and the first few others (each kind's own schema is drawn in full depth).
                required = set(kept.get("required", ()))
                optional = [k for k in properties if k not in required and k != "$schema"][:MAX_PROPERTIES]
                kept["properties"] = {k: v for k, v in properties.items() if k in required or k in optional}
            return {k: inline(v, nested) for k, v in kept.items()}
        if isinstance(node, list):
            return [inline(v, nested) for v in node]
        return node

    result: dict[str, Any] = inline(schema, 0)
    return result


@settings(max_examples=60)
@given(tier_policies())
def test_tier_policies_the_loader_accepts_validate(policy: TierPolicy) -> None:
    """Any valid tier policy, written as JSON or TOML data, validates against the schema."""
    assert _problems("tier-policy", to_dict(policy)) == []
    assert _problems("tier-policy", tomllib.loads(dumps(policy, format="toml"))) == []


@st.composite
def _perk_catalogs(draw: st.DrawFn) -> PerkCatalog:
    entries = draw(st.lists(st.sampled_from(default_perk_catalog().entries), min_size=1, max_size=6, unique=True))
    changed = [
        attrs.evolve(
            entry,
            tier=draw(st.sampled_from(list(Tier))),
            inherit=draw(st.booleans()),
            when=draw(st.sampled_from([None, entry.when])),
        )
        for entry in entries
    ]
    return PerkCatalog(tuple(changed), name=draw(st.sampled_from(["a", "mine"])))


@settings(max_examples=40)
@given(_perk_catalogs())
def test_perk_catalogs_the_loader_accepts_validate(catalog: PerkCatalog) -> None:
    """Any valid perk catalog, written out, validates (every perk kind, with and without conditions)."""
    data = to_dict(catalog)
    assert _problems("perk-catalog", data) == []
    assert from_dict(data, PerkCatalog) == catalog


def test_the_schedule_example_validates_and_lints() -> None:
    """The schedule of docs/schedules.md (tests/data/schedule_example.toml): its kind is told, it validates, it
    loads and lint finds no error."""
    path = Path(__file__).resolve().parents[1] / "data" / "schedule_example.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert detect_kind(data) is kind_named("schedule")
    assert _problems("schedule", data) == []
    report = lint_file(path)
    assert report.loaded
    assert not report.failed


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"rules": [{"name": "a", "tier": "L9", "when": {"input": "composite", "op": ">=", "value": "1"}}]}, "tier"),
        ({"rules": [{"name": "a", "tier": "L1", "when": {"input": "composite", "op": "~", "value": "1"}}]}, "when"),
        ({"rules": [{"name": "a", "tier": "L1", "when": {"all": [], "any": []}}]}, "when"),
        ({"rules": [], "hit": "deny-overrides"}, "hit"),
        ({"rules": [], "colour": "red"}, "colour"),
        ({"hit": "first"}, "rules"),
    ],
)
def test_the_schema_refuses_what_the_loader_refuses(document: dict[str, Any], where: str) -> None:
    """Examples: an unknown tier, an unknown operator, a two-key combinator, a hit policy for another table, an
    unknown key and a missing required key are schema errors (an editor squiggles them) and loader errors."""
    problems = _problems("tier-policy", document)
    assert problems
    assert any(where in p for p in problems)
    with pytest.raises(FenxiaoError):
        from_dict(document, TierPolicy)


def test_a_perk_is_one_of_the_registered_kinds_by_its_kind() -> None:
    """The perk field lists every registered kind with its 'kind' constant and fields."""
    schema = build_file_schema("perk-catalog")
    kinds = [option["properties"]["kind"]["const"] for option in schema["$defs"]["Perk"]["oneOf"]]
    assert kinds == ["access", "badge", "influencer_preferred", "subsidy", "traffic_boost"]
    entry = {"name": "x", "tier": "L1", "perk": {"kind": "traffic_boost", "multiplier": "1.5"}}
    assert _problems("perk-catalog", {"entries": [entry]}) == []
    assert _problems("perk-catalog", {"entries": [{**entry, "perk": {"kind": "teleport"}}]})


def test_a_scorecard_names_metrics_and_caps() -> None:
    """A scorecard is a table of metric names (completion lists them) to curves without 'metric', plus caps."""
    card = build_file_schema("scorecards")["$defs"]["Scorecard"]
    assert {"refund_rate", "units_30d", "caps"} <= set(card["properties"])
    assert _problems("scorecards", {"service": {"refund_rate": {"breakpoints": [["0", "100"], ["0.3", "0"]]}}}) == []
    assert _problems("scorecards", {"service": {"refund_rat": {"breakpoints": [["0", "100"], ["0.3", "0"]]}}})


def test_a_json_file_may_name_its_schema() -> None:
    """A top-level "$schema" is allowed by the schema and read past by the loader; it also tells the kind."""
    text = json.dumps({"$schema": "./tier-policy.schema.json", **to_dict(default_tier_policy())})
    assert loads(text, TierPolicy) == default_tier_policy()
    data = json.loads(text)
    assert _problems("tier-policy", data) == []
    assert detect_kind({"$schema": "urn:fenxiao:schema:admission-policy"}).name == "admission-policy"  # type: ignore[union-attr]


def test_build_schema_refuses_a_type_it_has_no_form_for() -> None:
    """A field of a type the generator does not know is a TypeError naming it (teach FORMS), never a wrong schema."""

    @attrs.frozen
    class Odd:
        value: complex

    with pytest.raises(TypeError, match="complex"):
        build_schema(Odd)


def test_exact_numbers_are_text_or_integers_never_floats() -> None:
    """Decimal fields take "4.75" or 4, not 4.75 (the loader refuses floats)."""
    weights = build_file_schema("scorecards")["$defs"]["CompositeWeights"]["properties"]["brand"]
    validator = jsonschema.Draft202012Validator(weights)
    assert validator.is_valid("0.2")
    assert validator.is_valid(1)
    assert not validator.is_valid(0.2)
    assert not validator.is_valid("NaN")
    assert from_dict({"brand": "0.2"}, type(default_scorer_weights())) == default_scorer_weights()


def default_scorer_weights() -> Any:
    return default_scorecards().weights


def test_the_schema_command_prints_the_schema() -> None:
    """`python -m fenxiao schema tier-policy` prints the same JSON as build_file_schema."""
    status, text = running.run(["schema", "tier-policy"], GROUP)
    assert status == 0
    assert json.loads(text) == build_file_schema("tier-policy")


def test_the_schema_command_refuses_an_unknown_kind() -> None:
    """An unknown kind is a usage error (exit 2), listing the kinds."""
    status, _ = running.run(["schema", "tier-polcy"], GROUP)
    assert status == 2


def test_kind_named_refuses_an_unknown_name() -> None:
    """A bad kind name raises InvalidValueError listing the kinds."""
    with pytest.raises(InvalidValueError, match="tier-policy, scorecards"):
        build_file_schema("nope")


def test_decimal_patterns_accept_what_decimal_reads() -> None:
    """The exact-number pattern accepts the loader's numbers ("5", "-0.5", "1e3", " 2 ") and refuses others."""
    pattern = build_schema(type(default_scorer_weights()))["properties"]["brand"]["pattern"]
    for good in ("5", "-0.5", "1e3", " 2 ", ".5"):
        assert re.search(pattern, good)
        assert Decimal(good.strip()).is_finite()
    for bad in ("NaN", "Infinity", "5%", "", "1,000"):
        assert not re.search(pattern, bad)


# -- hit policies by any of their names ---------------------------------------------------------------------------

TIER_NAMES = [name for name, member in HIT_POLICY_NAMES.items() if member in TIER_HIT_POLICIES]


@pytest.mark.parametrize("name", TIER_NAMES)
@pytest.mark.parametrize("spell", [str.lower, str.upper, str.title, lambda n: f" {n} "])
def test_a_tier_policy_names_its_hit_policy_by_any_name_in_any_case(name: str, spell: Callable[[str], str]) -> None:
    """first/F, highest/priority/P, unique/U, in any case: the schema accepts it and the loader reads the member
    (TOML and JSON); the policy is written back with the member's own text."""
    policy = to_dict(default_tier_policy())
    written = spell(name)
    document = {**policy, "hit": written}
    assert _problems("tier-policy", document) == []
    loaded = loads(json.dumps(document), TierPolicy)
    assert loaded.hit is HIT_POLICY_NAMES[name]
    text = dumps(default_tier_policy(), format="toml").replace('hit = "first"', f"hit = {json.dumps(written)}")
    assert loads(text, TierPolicy, format="toml").hit is HIT_POLICY_NAMES[name]
    assert to_dict(loaded)["hit"] == HIT_POLICY_NAMES[name].value


@pytest.mark.parametrize("name", ["collect", "C", "deny-overrides", "DENY_OVERRIDES", "priorty", "", "first last"])
def test_a_hit_policy_a_tier_policy_cannot_use_is_refused_by_schema_and_loader(name: str) -> None:
    """Another table's hit policy, a misspelling or an empty name: a schema error and a loader error on 'hit'."""
    document = {**to_dict(default_tier_policy()), "hit": name}
    assert any(p.startswith("['hit']") for p in _problems("tier-policy", document))
    with pytest.raises(FenxiaoError, match="hit"):
        from_dict(document, TierPolicy)


# -- documents the loader accepts validate, kind by kind -----------------------------------------------------------


@st.composite
def _admission_policies(draw: st.DrawFn) -> AdmissionPolicy:
    default = default_admission_policy()
    rules = draw(st.lists(st.sampled_from(default.rules), min_size=1, max_size=5, unique=True))
    changed = tuple(attrs.evolve(r, outcome=draw(st.sampled_from(list(Outcome)))) for r in rules)
    return attrs.evolve(default, rules=changed, review_hours=draw(st.integers(1, 24 * 90)))


@st.composite
def _rule_cases(draw: st.DrawFn) -> RuleCases:
    names = draw(st.lists(st.from_regex(r"[a-z][a-z ]{0,12}", fullmatch=True), min_size=1, max_size=4, unique=True))
    values = st.one_of(st.integers(0, 10**6), st.booleans(), st.sampled_from(["72.5", "5%", "warned"]))
    cases = []
    for name in names:
        inputs = draw(st.dictionaries(st.sampled_from(["composite", "units_30d", "x", "score.service"]), values))
        tier = draw(st.none() | st.sampled_from(list(Tier)))
        granted = draw(st.none() | st.lists(st.sampled_from(["a", "b"]), unique=True))
        cases.append(RuleCase(name, inputs, tier=tier, granted=granted, rule=draw(st.none() | st.just("r"))))
    return RuleCases(tuple(cases))


ACCEPTED: dict[str, st.SearchStrategy[Any]] = {
    "scorecards": scorecard_sets(),
    "admission-policy": _admission_policies(),
    "platform-profile": platform_profiles(),
    "budgets": st.builds(SubsidyBudgets, subsidy_budgets(), st.sampled_from(["a", "double-11"])),
    "models": st.builds(Models, budgets=subsidy_budgets()),
    "schedule": st.builds(
        lambda budgets: Schedule(budgets=(ScheduledBudgets(datetime(2026, 11, 1, tzinfo=UTC), budgets),)),
        subsidy_budgets(),
    ),
    "rule-cases": _rule_cases(),
}


def test_every_kind_has_an_accepted_documents_property() -> None:
    """Each kind's loader-accepted documents are drawn here or above (tier policies, perk catalogs)."""
    assert set(ACCEPTED) | {"tier-policy", "perk-catalog"} == set(KIND_IDS)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_documents_the_loader_accepts_validate_for_every_kind(name: str) -> None:
    """Any valid value of the kind, written as JSON data and as TOML, validates against the kind's schema."""

    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
    @given(ACCEPTED[name])
    def check(value: Any) -> None:
        data = to_dict(value)
        assert _problems(name, data) == []
        assert _problems(name, tomllib.loads(dumps(value, format="toml"))) == []
        assert from_dict(data, kind_named(name).cls) == value

    check()


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_the_lint_of_every_accepted_value_finishes_with_findings(name: str) -> None:
    """Whatever loads, its kind's lint runs to the end: findings (each with a place and a known severity), never an
    exception; written out and linted as a file, the same findings."""
    kind = kind_named(name)

    @settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
    @given(ACCEPTED[name])
    def check(value: Any) -> None:
        findings = kind.lint(value)
        assert all(f.path and f.code and f.severity in Severity for f in findings)
        report = lint_text(dumps(value), format="json", kind=name)
        assert sorted((f.path, f.code, f.message) for f in report.findings) == sorted(
            (f.path, f.code, f.message) for f in findings
        )

    check()


def test_a_lint_that_cannot_finish_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind's lint that raises a FenxiaoError is one not-checked warning naming why, not a crash."""
    broken = attrs.evolve(kind_named("budgets"), lint=lambda value: (_ for _ in ()).throw(FenxiaoError("too big")))
    monkeypatch.setattr("fenxiao.authoring.documents.kind_named", lambda name: broken)
    report = lint_text("budgets = []\n", format="toml", kind="budgets")
    assert [(f.code, f.severity, f.message) for f in report.findings] == [("not-checked", Severity.WARNING, "too big")]
    assert report.loaded
