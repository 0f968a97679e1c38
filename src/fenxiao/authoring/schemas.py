"""JSON Schema for the rule files, generated from the attrs classes that read them (never written by hand).

One generator, :func:`build_schema`, walks a class's attrs fields and their type hints and writes the JSON Schema
(draft 2020-12) of the class's file form, the form :func:`fenxiao.serialization.load` reads: required fields are
the fields without a default, unknown keys are refused, numbers that must stay exact are strings (or integers),
enums list their values. A few types have a file form of their own, taught to the converter by the module that
defines them; the generator knows each of them by one entry of :data:`FORMS`:

- a condition of the rule language (``{"input", "op", "value"}``, or ``all`` / ``any`` / ``not``);
- a perk (a table with a ``kind`` naming a registered perk kind, and that kind's fields);
- a scorecard (a table of metric names to curves, plus ``caps``).

The schema is a superset of what loads: every document the loader accepts validates (the tests check it), and a
document that validates may still be refused by a rule no schema can say (thresholds that must increase, a
subsidy needing a rate or an amount). It describes; the loader decides.

>>> from fenxiao.grading.tiers import TierPolicy
>>> schema = build_schema(TierPolicy)
>>> schema["required"], schema["properties"]["hit"]["anyOf"][0]["enum"]
(['rules'], ['first', 'highest', 'priority', 'unique'])
>>> sorted(schema["$defs"])[:3]
['Condition', 'Stability', 'TierRule']

.. versionadded:: 0.2
"""

from __future__ import annotations

import collections.abc
import enum
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from fenxiao._internal import validators as v
from fenxiao.authoring.kinds import RuleFileKind, kind_named
from fenxiao.grading.perks import perk_kinds
from fenxiao.grading.tiers import TIER_HIT_POLICIES
from fenxiao.money import Money, Rate
from fenxiao.rules.language import All, AnyOf, Compare, Not, Op
from fenxiao.rules.table import HIT_POLICY_NAMES, HitPolicy
from fenxiao.scoring.metrics import metric_names
from fenxiao.scoring.scorecards import Cap, MetricRule, Scorecard

__all__ = ["DRAFT", "FORMS", "build_file_schema", "build_schema"]

#: The JSON Schema dialect every generated schema declares.
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"

JSON = dict[str, Any]

# An exact number written as text: what Decimal() reads (and the converter keeps), without NaN or infinity.
_NUMBER_TEXT: Final = r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"
# A rate: a plain number, as a fraction or followed by %, ％ or ‰.
_RATE_TEXT: Final = r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*[%％‰]?\s*$"
# An identifier as fenxiao.validators.identifier reads it.
_IDENTIFIER: Final = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"


class _Builder:
    """One schema being built: the ``$defs`` filled as classes are met, each once (recursion through ``$ref``)."""

    def __init__(self) -> None:
        self.defs: dict[str, JSON] = {}

    def ref(self, name: str, make: Callable[[], JSON]) -> JSON:
        if name not in self.defs:
            self.defs[name] = {}  # a placeholder: a recursive reference finds the name taken
            self.defs[name] = make()
        return {"$ref": f"#/$defs/{name}"}

    def of_type(self, hint: Any, field: attrs.Attribute[Any] | None = None) -> JSON:
        """The schema of a value of type *hint* (a field's, when *field* is given, for its validator's pattern)."""
        for applies, form in FORMS:
            if applies(hint):
                return form(self, hint)
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            options = [self.of_type(a, field) for a in args if a is not type(None)]
            if type(None) in args:
                options.append({"type": "null"})
            return options[0] if len(options) == 1 else {"anyOf": options}
        if hint is Any or hint is object:
            return {}
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer"}
        if hint is str:
            return _string(field)
        if hint is Decimal:
            return {"type": ["string", "integer"], "pattern": _NUMBER_TEXT, "description": "an exact number"}
        if hint is Rate:
            return {"type": ["string", "integer"], "pattern": _RATE_TEXT, "description": 'a rate: "0.125" or "12.5%"'}
        if hint is Money:
            return {"type": "string", "description": 'an exact amount in yuan: "99.90", "¥99.90" or "12.00 USD"'}
        if hint is datetime:
            return {"type": "string", "format": "date-time", "description": "ISO 8601 with its UTC offset"}
        if hint is date:
            return {"type": "string", "format": "date"}
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return {"enum": [m.value for m in hint]}
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return _array(self.of_type(args[0]), field)
        if origin is tuple:
            items = [self.of_type(a) for a in args]
            return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
        if origin in (list, frozenset, set, collections.abc.Sequence, collections.abc.Set):
            return _array(self.of_type(args[0]), field)
        if origin in (dict, collections.abc.Mapping):
            key, value = args
            table: JSON = {"type": "object", "additionalProperties": self.of_type(value)}
            if isinstance(key, type) and issubclass(key, enum.Enum):
                table["propertyNames"] = {"enum": [m.value for m in key]}
            return table
        if isinstance(hint, type) and attrs.has(hint):
            cls = hint
            return self.ref(cls.__name__, lambda: self.record(cls))
        raise TypeError(f"no JSON Schema form for {hint!r}")  # a new type: teach FORMS (a test tries every kind)

    def record(self, cls: type[Any], *, skip: frozenset[str] = frozenset()) -> JSON:
        """The schema of an attrs class's table: its init fields, the required ones, no other key."""
        hints = typing.get_type_hints(cls)
        properties: JSON = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if not field.init or field.name in skip:
                continue
            name = field.alias or field.name
            own = _FIELD_FORMS.get((cls.__name__, field.name))
            schema = dict(own(self, hints[field.name]) if own is not None else self.of_type(hints[field.name], field))
            doc = _field_doc(cls, name)
            if doc and "$ref" not in schema:
                schema.setdefault("description", doc)
            properties[name] = schema
            if field.default is attrs.NOTHING:
                required.append(name)
        out: JSON = {"type": "object", "properties": properties, "additionalProperties": False}
        if cls.__doc__:
            out["description"] = cls.__doc__.strip().split("\n\n")[0].replace("\n", " ")
        if required:
            out["required"] = required
        return out


def _string(field: attrs.Attribute[Any] | None) -> JSON:
    if field is not None and field.validator in (v.identifier, v.optional_identifier):
        return {"type": "string", "pattern": _IDENTIFIER}
    return {"type": "string"}


def _array(items: JSON, field: attrs.Attribute[Any] | None) -> JSON:
    if field is not None and field.validator is v.identifiers:
        items = {"type": "string", "pattern": _IDENTIFIER}
    return {"type": "array", "items": items}


def _field_doc(cls: type[Any], name: str) -> str:
    """What the ``Args:`` section of *cls*'s docstring says of *name* (continuation lines joined), if anything."""
    lines = (cls.__doc__ or "").splitlines()
    for i, line in enumerate(lines):
        text = line.strip()
        if not text.startswith(f"{name}:"):
            continue
        indent = len(line) - len(line.lstrip())
        said = [text[len(name) + 1 :].strip()]
        for more in lines[i + 1 :]:
            if not more.strip() or len(more) - len(more.lstrip()) <= indent:
                break
            said.append(more.strip())
        return _ROLE.sub(r"\1", " ".join(said)).replace("``", "")
    return ""


_ROLE: Final = re.compile(r":[a-z]+:`~?(?:[^`<]*<)?([^`>]+)>?`")


# -- the file forms of their own -------------------------------------------------------------------------------


def _condition(builder: _Builder, hint: Any) -> JSON:
    args = set(typing.get_args(hint))
    condition = builder.ref("Condition", lambda: _condition_def(builder))
    return {"anyOf": [condition, {"type": "null"}]} if type(None) in args else condition


def _condition_def(builder: _Builder) -> JSON:
    scalar: JSON = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]}
    listed = [Op.BETWEEN.value, Op.IN.value]
    single = [op.value for op in Op if op.value not in listed]
    condition = {"$ref": "#/$defs/Condition"}
    return {
        "description": "A condition of the rule language: one comparison, or all / any / not of conditions.",
        "oneOf": [
            {
                "type": "object",
                "description": "Compare one named input with a threshold.",
                "properties": {
                    "input": {"type": "string", "minLength": 1, "description": "an input name"},
                    "op": {"enum": single},
                    "value": scalar,
                },
                "required": ["input", "op", "value"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "description": "'between' takes [low, high] (inclusive); 'in' takes a list of values.",
                "properties": {
                    "input": {"type": "string", "minLength": 1},
                    "op": {"enum": listed},
                    "value": {"type": "array", "items": scalar},
                },
                "required": ["input", "op", "value"],
                "additionalProperties": False,
            },
            _combinator("all", {"type": "array", "items": condition}, "true when every condition holds"),
            _combinator("any", {"type": "array", "items": condition}, "true when at least one condition holds"),
            _combinator("not", condition, "true when the condition does not hold"),
        ],
    }


def _combinator(key: str, value: JSON, description: str) -> JSON:
    return {
        "type": "object",
        "description": description,
        "properties": {key: value},
        "required": [key],
        "additionalProperties": False,
    }


def _is_condition(hint: Any) -> bool:
    return set(typing.get_args(hint)) - {type(None)} == {Compare, All, AnyOf, Not}


def _perk(builder: _Builder, hint: Any) -> JSON:
    def make() -> JSON:
        options = []
        for name, cls in sorted(perk_kinds().items()):
            record = builder.record(cls)
            record["properties"] = {"kind": {"const": name}, **record["properties"]}
            record["required"] = ["kind", *record.get("required", [])]
            options.append(record)
        return {"description": "A perk: a table whose 'kind' names a registered perk kind.", "oneOf": options}

    return builder.ref("Perk", make)


def _scorecard(builder: _Builder, hint: Any) -> JSON:
    def make() -> JSON:
        rule = builder.ref("MetricRule", lambda: builder.record(MetricRule, skip=frozenset({"metric"})))
        caps = {"type": "array", "items": builder.ref("Cap", lambda: builder.record(Cap))}
        metrics = dict.fromkeys(metric_names(), rule)
        return {
            "type": "object",
            "description": "A table of metric names to scoring curves, and the caps on the dimension.",
            "properties": {**metrics, "caps": caps},
            "additionalProperties": False,
        }

    return builder.ref("Scorecard", make)


def _is_scorecard(hint: Any) -> bool:
    return hint is Scorecard


def _hit_policy(allowed: tuple[HitPolicy, ...]) -> JSON:
    """A hit policy among *allowed*: their names listed (for completion), and any other spelling the loader reads
    (any case, DMN's names and letters: :data:`~fenxiao.rules.table.HIT_POLICY_NAMES`) by a pattern."""
    names = [name for name, member in HIT_POLICY_NAMES.items() if member in allowed]
    listed = [name for name in names if len(name) > 1]
    spelled = "|".join(_any_case(name) for name in names)
    return {
        "description": "the hit policy, in DMN's words: " + ", ".join(listed) + " (any case)",
        "anyOf": [{"enum": listed}, {"type": "string", "pattern": rf"^\s*(?:{spelled})\s*$"}],
    }


def _any_case(name: str) -> str:
    """A regular expression (ECMA 262, no inline flags) matching *name* in any case, ``-`` or ``_`` alike."""
    return "".join(f"[{c.upper()}{c}]" if c.isalpha() else "[-_]" if c == "-" else re.escape(c) for c in name)


#: The types whose file form is their own: (does it apply to this type hint, the schema of that form).
FORMS: Final[tuple[tuple[Callable[[Any], bool], Callable[[_Builder, Any], JSON]], ...]] = (
    (_is_condition, _condition),
    (_is_scorecard, _scorecard),
)

# Fields whose type hint does not say their file form (a perk is typed Any: any registered kind).
# A tier policy's hit policy is one of the three that suit it.
_FIELD_FORMS: Final[Mapping[tuple[str, str], Callable[[_Builder, Any], JSON]]] = {
    ("PerkEntry", "perk"): _perk,
    ("TierPolicy", "hit"): lambda builder, hint: _hit_policy(TIER_HIT_POLICIES),
    # Points, or one of the two modes a scorecard names by word ("omit" reads as no missing at all).
    ("MetricRule", "missing"): lambda builder, hint: {
        "anyOf": [builder.of_type(Decimal), {"enum": ["median", "omit"]}],
        "description": 'when the metric is unavailable: points ("50"), "median" (the category median) or "omit"',
    },
    ("RuleCase", "inputs"): lambda builder, hint: {
        "type": "object",
        "description": 'input names to values: exact numbers as text or integers ("72.5", "5%", 300), flags, text',
        "additionalProperties": {"type": ["string", "integer", "boolean"]},
    },
}


def build_schema(root: Any, *, title: str | None = None, description: str | None = None) -> JSON:
    """The JSON Schema (draft 2020-12) of the file form of *root*, an attrs class (or any type the converter reads).

    Definitions of the classes met on the way are in ``$defs``; the schema allows a top-level ``$schema`` key,
    so a JSON file can name its schema for an editor.

    Raises:
        TypeError: A field of a type the generator has no form for (teach :data:`FORMS`).
    """
    builder = _Builder()
    top = dict(builder.of_type(root))
    if "$ref" in top:
        name = top["$ref"].rpartition("/")[2]
        top = dict(builder.defs.pop(name)) if name not in _referenced(builder.defs) else top
    if top.get("type") == "object" and "properties" in top:
        top["properties"] = {
            "$schema": {"type": "string", "description": "the schema of this file"},
            **top["properties"],
        }
    schema: JSON = {"$schema": DRAFT}
    if title is not None:
        schema["title"] = title
    if description is not None:
        schema["description"] = description
    schema.update(top)
    if description is not None:
        schema["description"] = description
    if builder.defs:
        schema["$defs"] = dict(sorted(builder.defs.items()))
    return schema


def _referenced(defs: Mapping[str, JSON]) -> set[str]:
    """The names some definition refers to (the root stays a definition if it is recursive)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.add(ref.rpartition("/")[2])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(dict(defs))
    return found


def build_file_schema(kind: RuleFileKind | str) -> JSON:
    """The JSON Schema of a rule file of *kind* (a :class:`~fenxiao.authoring.kinds.RuleFileKind` or its name),
    titled, with an ``$id`` naming the kind (``urn:fenxiao:schema:tier-policy``) so a file's ``$schema`` tells
    its kind.

    >>> build_file_schema("perk-catalog")["$id"]
    'urn:fenxiao:schema:perk-catalog'

    Raises:
        InvalidValueError: *kind* is not a kind's name.
    """
    found = kind_named(kind) if isinstance(kind, str) else kind
    schema = build_schema(found.cls, title=found.title)
    return {"$schema": schema.pop("$schema"), "$id": f"urn:fenxiao:schema:{found.name}", **schema}
