"""What every rule table shares: hit policies, the checks of a rule list, lint findings.

Tier policies (:mod:`fenxiao.grading.tiers`), perk catalogs (:mod:`fenxiao.grading.perks`) and admission policies
(:mod:`fenxiao.market.admission`) are all *rule tables*: lists of named rows, each with a condition in the
language of :mod:`fenxiao.rules.language` and an outcome. This module holds what they have in common:

- :class:`HitPolicy`: which of the rows that hold decide;
- :func:`rule_list`: the validator of a table's rows (a list, bounded, unique names, every condition checked
  against the table's input schema);
- :class:`Finding` and :class:`Severity`: what lint reports about a table;
- :class:`ReadOnlyDict`: the read-only mapping a table keeps its lookup data in (tier labels, commission floors).

>>> str(Finding("rules[2]", Severity.WARNING, "shadowed", "rule 'x' can never fire"))
"rules[2]: warning [shadowed] rule 'x' can never fire"
>>> HitPolicy("first") is HitPolicy.FIRST, HitPolicy.FIRST == "first"
(True, True)

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar

import attrs

from fenxiao._internal import hooks
from fenxiao._internal import validators as v
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.rules.language import All, Compare, Condition, Schema, check, scalar_from_data

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "HIT_POLICY_NAMES",
    "MAX_RULES",
    "Finding",
    "HitPolicy",
    "ReadOnlyDict",
    "Severity",
    "as_member",
    "conjuncts",
    "hit_policy",
    "rows_bound",
    "rule_list",
    "sorted_findings",
]

#: The most rules one tier or admission policy may hold.
MAX_RULES: Final = 200


class HitPolicy(enum.StrEnum):
    """Which of the rules whose conditions hold decide a rule table's outcome.

    The names follow decision tables (DMN 1.3, section 8.2.11). Each member is also its text
    (``HitPolicy.FIRST == "first"``), which is how policy files write it.

    ==================  ==============  ==================================================================
    DMN                 fenxiao         used by
    ==================  ==============  ==================================================================
    FIRST (F)           ``first``       tier policies (the default)
    UNIQUE (U)          ``unique``      tier policies: rules must not overlap (lint finds it, evaluation
                                        raises on an input two rules match)
    PRIORITY (P)        ``highest``     tier policies: the outputs' priority is the tier order (a file may
                                        also write ``priority``)
    COLLECT (C)         ``collect``     perk catalogs: every eligible entry, combined per slot
    (deny-overrides)    ``deny-...``    admission: XACML's combining rule; every match is reported
    ==================  ==============  ==================================================================

    A file may write a hit policy by any of its names (:data:`HIT_POLICY_NAMES`), in any case:

    >>> HitPolicy.PRIORITY is HitPolicy.HIGHEST
    True
    >>> HitPolicy("PRIORITY"), HitPolicy("Unique"), HitPolicy("F")
    (<HitPolicy.HIGHEST: 'highest'>, <HitPolicy.UNIQUE: 'unique'>, <HitPolicy.FIRST: 'first'>)

    .. versionchanged:: 0.2
       Names are read in any case, with DMN's ``priority`` and the one-letter abbreviations.
    """

    #: The first rule, in table order, whose condition holds decides (tier policies, by default).
    FIRST = "first"
    #: Of all the rules whose conditions hold, the one with the highest outcome decides (tier policies); DMN calls
    #: it PRIORITY, with the outcomes' priority given by their order (L5 over L4 ...).
    HIGHEST = "highest"
    #: DMN's name for :attr:`HIGHEST`.
    PRIORITY = "highest"
    #: At most one rule may hold for any input: the one that holds decides; an input two rules match is an error
    #: (:meth:`fenxiao.grading.tiers.TierPolicy.grade` raises :class:`~fenxiao.errors.PolicyError`, and lint
    #: reports every overlapping pair with a witness as an ``overlap`` error).
    UNIQUE = "unique"
    #: The most severe outcome among the rules that hold decides (reject over review over approve), and every
    #: rule that holds is reported; with none, the default outcome (admission policies).
    DENY_OVERRIDES = "deny-overrides"
    #: Every rule that holds applies; conflicts are settled by the outcome's own rule (perk catalogs: the kind's
    #: stacking rule within a slot).
    COLLECT = "collect"

    @classmethod
    def _missing_(cls, value: object) -> HitPolicy | None:
        """Read the other names of :data:`HIT_POLICY_NAMES`: any case, DMN's names and letters, ``_`` for ``-``."""
        if isinstance(value, str):
            return HIT_POLICY_NAMES.get(value.strip().lower().replace("_", "-"))
        return None


#: Every name a file may give a hit policy, in lower case (reading ignores case, surrounding spaces, and takes
#: ``_`` for ``-``): fenxiao's own, DMN's (``priority``) and DMN's one-letter abbreviations (``F``, ``U``, ``P``,
#: ``C``). Writing a policy back gives the member's own text (``priority`` is written ``highest``).
HIT_POLICY_NAMES: Final[Mapping[str, HitPolicy]] = {
    "first": HitPolicy.FIRST,
    "f": HitPolicy.FIRST,
    "highest": HitPolicy.HIGHEST,
    "priority": HitPolicy.HIGHEST,
    "p": HitPolicy.HIGHEST,
    "unique": HitPolicy.UNIQUE,
    "u": HitPolicy.UNIQUE,
    "collect": HitPolicy.COLLECT,
    "c": HitPolicy.COLLECT,
    "deny-overrides": HitPolicy.DENY_OVERRIDES,
}


def hit_policy(value: object) -> object:
    """Read a hit policy written as text (``"first"``); anything else is left for the field's validator."""
    return as_member(HitPolicy, value)


class Severity(enum.StrEnum):
    """How serious a lint finding is; ``error`` makes ``python -m fenxiao lint`` exit non-zero.

    Each member is also its text (``Severity.ERROR == "error"``).
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def order(self) -> int:
        """0 for errors, 1 for warnings, 2 for information: the order lint lists findings in."""
        return _SEVERITY_ORDER[self]


_SEVERITY_ORDER: Final = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _severity(value: object) -> object:
    return as_member(Severity, value)


E = TypeVar("E", bound=enum.Enum)


def as_member(kind: type[E], value: object) -> E | object:
    """*value* as the member of the enum *kind* whose value it is, else *value* unchanged (for a validator)."""
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except (ValueError, TypeError):
        return value


@attrs.frozen
class Finding:
    """One lint finding about a rule table: where, how serious, what kind, a message for people, an example input.

    Args:
        path: Where in the table, e.g. ``rules[3]`` or ``rules[3].when``.
        severity: A :class:`Severity` (its text, ``"warning"``, is read as one).
        code: What kind of finding, e.g. ``gap`` or ``never-matches`` (each table's lint documents its codes).
        message: For people.
        example: Input values illustrating the finding, if any (for a tier policy's ``gap``: values of the
            inputs the rules mention that no rule matches; for an ``overlap``: the witness both rules match).
        line: The line of the file the finding is about (1-based), when it was read from a file
            (:func:`fenxiao.authoring.lint_file` sets it); ``None`` otherwise.
    """

    path: str
    severity: Severity = attrs.field(converter=_severity, validator=v.member_of(Severity))
    code: str
    message: str
    example: tuple[tuple[str, object], ...] = ()
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.severity.value} [{self.code}] {self.message}"


@hooks.register
def _teach(converter: cattrs.Converter) -> None:
    # A finding's example is (input, value) pairs in Python; as data it is a table of input to value, each value
    # written by its own type and read as a condition's value is (numbers as exact text become Decimals again).
    import cattrs

    def unstructure_example(example: tuple[tuple[str, object], ...]) -> dict[str, Any]:
        return {name: converter.unstructure(value, type(value)) for name, value in example}

    def structure_example(value: object, _: Any) -> tuple[tuple[str, object], ...]:
        if not isinstance(value, Mapping):
            raise InvalidValueError("@", value, "must be a table of input names to values")
        pairs: list[tuple[str, object]] = []
        for name, raw in value.items():
            if not isinstance(name, str):
                raise InvalidValueError("@", name, "must be an input name")
            if raw is None or (isinstance(raw, int) and not isinstance(raw, bool)):
                pairs.append((name, raw))
            else:
                pairs.append((name, scalar_from_data(raw, f"@[{json.dumps(name, ensure_ascii=False)}]")))
        return tuple(pairs)

    example = cattrs.gen.override(unstruct_hook=unstructure_example, struct_hook=structure_example)
    converter.register_unstructure_hook(
        Finding, cattrs.gen.make_dict_unstructure_fn(Finding, converter, example=example)
    )
    read = cattrs.gen.make_dict_structure_fn(Finding, converter, _cattrs_forbid_extra_keys=True, example=example)

    def structure_finding(value: object, _: Any) -> Finding:
        if not isinstance(value, Mapping):
            raise InvalidValueError("Finding", value, "must be a table/object of Finding fields")
        return read(value, Finding)

    converter.register_structure_hook(Finding, structure_finding)


def sorted_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    """Errors first, then warnings, then information; within each, by place, code and message."""
    return tuple(sorted(findings, key=lambda f: (f.severity.order, f.path, f.code, f.message)))


Validator = Callable[[Any, Any, Any], None]


def rule_list(
    owner: str,
    item: type[Any],
    schema: Schema,
    *,
    limit: int = MAX_RULES,
    non_empty: bool = False,
    noun: str = "rule",
    always: bool = False,
) -> Validator:
    """The validator of a rule table's rows: checked once, the same way, for every kind of table.

    Each row must be an *item* with a ``name`` and a ``when`` condition.

    Args:
        owner: The field's path in messages, e.g. ``"TierPolicy.rules"``.
        item: The row type, e.g. ``TierRule``.
        schema: The inputs a row's condition may name.
        limit: The most rows the table may hold.
        non_empty: Whether an empty table is refused.
        noun: What a row is called in messages (``"rule"``, ``"entry"``).
        always: Whether a row's ``when`` may be ``None``, meaning "always" (perk entries).

    The validator raises :class:`~fenxiao.errors.PolicyError` naming the place: not a list (or an empty one
    when *non_empty*), more than *limit* rows, a row of the wrong type, a name used twice, or a condition that
    names an unknown input or a mistyped threshold (``TierPolicy.rules[3].when.all[1].input``).

    >>> from fenxiao.rules.language import InputSpec
    >>> @attrs.frozen
    ... class Row:
    ...     name: str
    ...     when: Condition | None = None
    >>> rows = rule_list("Table.rows", Row, Schema.of(InputSpec("units")), noun="row", always=True)
    >>> rows(None, None, (Row("a"), Row("a")))
    Traceback (most recent call last):
    ...
    fenxiao.errors.PolicyError: Table.rows[1].name: is used by an earlier row, got 'a'
    """
    plural = "entries" if noun == "entry" else f"{noun}s"
    article = "an" if item.__name__[:1] in "AEIOU" else "a"
    empty_problem = f"must be a non-empty list of {plural}" if non_empty else f"must be a list of {plural}"

    def check_rows(instance: object, attribute: object, value: object) -> None:
        if not isinstance(value, tuple) or (non_empty and not value):
            raise PolicyError(owner, value, empty_problem)
        if len(value) > limit:
            raise PolicyError(owner, len(value), f"holds more than {limit} {plural}")
        seen: set[str] = set()
        for i, row in enumerate(value):
            if not isinstance(row, item):
                raise PolicyError(f"{owner}[{i}]", row, f"must be {article} {item.__name__}")
            name = row.name
            if name in seen:
                raise PolicyError(f"{owner}[{i}].name", name, f"is used by an earlier {noun}")
            seen.add(name)
            when = row.when
            if when is not None:
                check(when, schema, f"{owner}[{i}].when")
            elif not always:
                raise PolicyError(f"{owner}[{i}].when", when, "must be a condition")

    return check_rows


def rows_bound(limit: int, noun: str = "rule") -> dict[str, object]:
    """The metadata of a rule table's rows field that has the converter count the rows before reading them: a file
    of a hundred thousand rules is refused at once ("holds more than 200 rules"), not after building them all.

    >>> rows_bound(200)
    {'fenxiao.max_items': (200, 'rules')}
    """
    return {hooks.MAX_ITEMS: (limit, "entries" if noun == "entry" else f"{noun}s")}


def conjuncts(condition: Condition) -> list[Compare]:
    """The comparisons a condition requires outright: itself if a comparison, those of a top-level ``all``.

    >>> from decimal import Decimal
    >>> from fenxiao.rules.language import Not, Op
    >>> [c.input for c in conjuncts(All((Compare("a", Op.GE, Decimal(1)), Not(Compare("b", Op.EQ, True)))))]
    ['a']
    """
    if isinstance(condition, Compare):
        return [condition]
    if isinstance(condition, All):
        return [leaf for c in condition.conditions for leaf in conjuncts(c)]
    return []


class ReadOnlyDict(dict[Any, Any]):
    """A ``dict`` that refuses changes, for the lookup tables of frozen rule tables (tier labels, floors).

    A frozen policy may be cached and shared (the defaults are), and decisions may cache what they read from it,
    so its tables must not change under them. It pickles, copies and compares as a ``dict``.

    >>> labels = ReadOnlyDict({"L5": "精选好物"})
    >>> labels["L5"] = "x"
    Traceback (most recent call last):
    ...
    TypeError: this table is read-only: build a new value (attrs.evolve) to change it
    """

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("this table is read-only: build a new value (attrs.evolve) to change it")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __reduce__(self) -> tuple[type[ReadOnlyDict], tuple[dict[Any, Any]]]:
        return type(self), (dict(self),)

    def __copy__(self) -> ReadOnlyDict:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> ReadOnlyDict:
        return self
