"""The one cattrs converter and the functions that read and write through it (private).

The public face is :mod:`fenxiao.serialization`.

This module knows only the ground types (money, rates, numbers, times, enums, containers, attrs classes). A package
whose types need a file form of their own (the rule language, perk catalogs, scorecards) registers its hooks
through :mod:`fenxiao._internal.hooks` in the module that defines those types, so that the converter never
imports upward and the defaults shipped as data can be read by the layer that owns them.

What the file forms are and how errors name their place: :mod:`fenxiao.serialization` and
``docs/serialization.md``; their examples run there.
"""

from __future__ import annotations

import collections.abc
import contextvars
import enum
import functools
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_mapping_structure_fn
from cattrs.gen._shared import find_structure_handler

from fenxiao._internal import hooks
from fenxiao._internal.fixed import EXACT
from fenxiao._internal.lines import build_line_index
from fenxiao._internal.reading import TooLarge, read_capped
from fenxiao._internal.strict import (
    SURROGATE_PROBLEM,
    JsonObjects,
    ascii_number,
    may_hold_surrogates,
    other_digits,
    problems_of,
)
from fenxiao.errors import NOTHING, FenxiaoError, InvalidValueError, PolicyError, ValidationError
from fenxiao.money import DEFAULT_CURRENCY, Money, Rate

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "converter",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "to_dict",
]

T = TypeVar("T")

#: Size limit for documents read by :func:`loads` and :func:`load` (policies and catalogs are small).
MAX_DOCUMENT_BYTES: Final = 64 * 1024 * 1024


#: The only converter fenxiao uses. Register hooks for your own types on a copy
#: (``converter.copy()``), not on this one.
converter = cattrs.Converter(forbid_extra_keys=True, unstruct_collection_overrides={tuple: list})


# -- scalars: strict, exact, float-free -------------------------------------------------------------


def _structure_money(value: object, _: type[Any]) -> Money:
    if isinstance(value, (str, Decimal)):
        return Money.of(value, DEFAULT_CURRENCY)
    raise InvalidValueError("Money", value, 'must be an exact yuan string such as "99.90"')


def _unstructure_money(value: Money) -> str:
    return value.to_text() if value.currency == DEFAULT_CURRENCY else f"{value.to_text()} {value.currency}"


def _structure_rate(value: object, _: type[Any]) -> Rate:
    if isinstance(value, (str, Decimal)) or (isinstance(value, int) and not isinstance(value, bool)):
        return Rate.of(value)
    raise InvalidValueError("Rate", value, 'must be an exact string such as "0.125" or "12.5%"')


def _structure_decimal(value: object, _: type[Any]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise InvalidValueError("Decimal", value, 'must be an exact number as a string, such as "4.75"')
    written = ascii_number(value) if isinstance(value, str) else None
    if isinstance(value, str) and written is None:
        if other_digits(value):  # "٩٠" and "９０" are digits to Decimal, not to a file
            raise InvalidValueError("Decimal", value, 'is not a number written in ASCII digits, such as "4.75"')
        raise InvalidValueError("Decimal", value, "is not a number")
    try:
        result = Decimal(written) if written is not None else Decimal(value)
    except ArithmeticError:
        raise InvalidValueError("Decimal", value, "is not a number") from None
    if not result.is_finite():
        raise InvalidValueError("Decimal", value, "must be a finite number")
    return result


def _structure_int(value: object, _: type[Any]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError("int", value, "must be a whole number")
    return value


def _structure_str(value: object, _: type[Any]) -> str:
    if not isinstance(value, str):
        raise InvalidValueError("str", value, "must be a string")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValueError("str", value, SURROGATE_PROBLEM) from None
    return value


def _structure_bool(value: object, _: type[Any]) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError("bool", value, "must be true or false")
    return value


def _structure_datetime(value: object, _: type[Any]) -> datetime:
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str):
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidValueError("datetime", value, "is not an ISO 8601 timestamp") from None
    else:
        raise InvalidValueError("datetime", value, "must be an ISO 8601 timestamp string")
    if result.utcoffset() is None:
        raise InvalidValueError("datetime", value, "must carry a UTC offset (a naive timestamp is ambiguous)")
    return result


def _structure_date(value: object, _: type[Any]) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidValueError("date", value, "is not an ISO 8601 date (YYYY-MM-DD)") from None
    raise InvalidValueError("date", value, "must be an ISO 8601 date string")


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    for member in cls:
        if member.value == value and type(member.value) is type(value):
            return member
    allowed = ", ".join(repr(m.value) for m in cls)
    raise InvalidValueError(cls.__name__, value, f"must be one of {allowed}")


def _structure_fraction(value: object, _: type[Any]) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidValueError("Fraction", value, 'must be an exact fraction as a string, such as "1/3"')
    try:
        return Fraction(value.strip()) if isinstance(value, str) else Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise InvalidValueError("Fraction", value, 'is not a fraction such as "1/3" or "0.25"') from None


_OFFSET_RE: Final = re.compile(r"([+-])(\d{2}):(\d{2})")


def _unstructure_timezone(value: timezone) -> str:
    offset = value.utcoffset(None)
    minutes = offset // timedelta(minutes=1)
    if offset % timedelta(minutes=1):
        raise InvalidValueError("timezone", value, "must be a whole number of minutes from UTC to be written")
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _structure_timezone(value: object, _: type[Any]) -> timezone:
    match = _OFFSET_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidValueError("timezone", value, 'must be a UTC offset such as "+08:00"')
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if offset >= timedelta(hours=24):
        raise InvalidValueError("timezone", value, "must be less than 24 hours from UTC")
    return timezone(-offset if sign == "-" else offset)


def _is_amount_or_count(t: Any) -> bool:
    return set(get_args(t)) == {Money, int}


def _structure_amount_or_count(value: object, _: Any) -> Money | int:
    # A goal's threshold and its progress: an amount is written as text ("1000000.00"), a count as a whole number.
    if isinstance(value, (str, Decimal)):
        return _structure_money(value, Money)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InvalidValueError("Money | int", value, 'must be an amount as text ("99.90") or a whole number')


converter.register_structure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _structure_enum)
converter.register_structure_hook_func(_is_amount_or_count, _structure_amount_or_count)
converter.register_structure_hook(Fraction, _structure_fraction)
converter.register_unstructure_hook(Fraction, str)
converter.register_structure_hook(timezone, _structure_timezone)
converter.register_unstructure_hook(timezone, _unstructure_timezone)
converter.register_structure_hook(Money, _structure_money)
converter.register_unstructure_hook(Money, _unstructure_money)
converter.register_structure_hook(Rate, _structure_rate)
converter.register_unstructure_hook(Rate, Rate.to_text)
converter.register_structure_hook(Decimal, _structure_decimal)
converter.register_unstructure_hook(Decimal, str)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(datetime, datetime.isoformat)
converter.register_structure_hook(date, _structure_date)
converter.register_unstructure_hook(date, date.isoformat)


# -- containers: a table must be a table, a list must be a list ------------------------------------------
# cattrs' defaults iterate whatever they are given, so "abc" became ("a", "b", "c") and {"k": 1} became ("k",),
# and a string where a table belongs failed with an AttributeError. These hooks refuse such values by name.

_SEQUENCE_ORIGINS: Final = {
    tuple: tuple,
    list: list,
    frozenset: frozenset,
    set: set,
    collections.abc.Sequence: tuple,
    collections.abc.MutableSequence: list,
    collections.abc.Set: frozenset,
    collections.abc.MutableSet: set,
}


_SET_TYPES: Final = (frozenset, set)


def _is_sequence_type(t: Any) -> bool:
    return get_origin(t) in _SEQUENCE_ORIGINS


def _is_set_type(t: Any) -> bool:
    return t in _SET_TYPES or get_origin(t) in {frozenset, set, collections.abc.Set, collections.abc.MutableSet}


def _set_unstructure_hook(t: Any, conv: cattrs.Converter) -> Callable[[Any], list[Any]]:
    # Sets become lists, sorted where the items allow it, so a document does not change from run to run.
    args = get_args(t)
    item_hook = conv.get_unstructure_hook(args[0]) if args else conv.unstructure

    def unstructure(value: Any) -> list[Any]:
        items = [item_hook(item) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return items

    return unstructure


def _sequence_hook(t: Any, conv: cattrs.Converter) -> Callable[[object, Any], Any]:
    container: Callable[[list[Any]], Any] = _SEQUENCE_ORIGINS[get_origin(t)]
    args = get_args(t)
    homogeneous = get_origin(t) is not tuple or (len(args) == 2 and args[1] is Ellipsis)
    if homogeneous:
        item_hooks = [conv.get_structure_hook(args[0])]
        item_types: tuple[Any, ...] = (args[0],)
    else:
        item_hooks = [conv.get_structure_hook(a) for a in args]
        item_types = args

    accepted: tuple[type[Any], ...] = (list, tuple, set, frozenset) if container in _SET_TYPES else (list, tuple)

    def structure(value: object, _: Any) -> Any:
        if not isinstance(value, accepted):
            raise InvalidValueError("list", value, "must be a list")
        if not homogeneous and len(value) != len(item_types):
            raise InvalidValueError("list", value, f"must have exactly {len(item_types)} items")
        result: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            slot = 0 if homogeneous else index
            try:
                result.append(item_hooks[slot](item, item_types[slot]))
            except Exception as exc:  # every failure is collected and translated with its index
                exc.add_note(IterableValidationNote(f"Structuring {t} @ index {index}", index, item_types[slot]))
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {t!r}", errors, t)
        return container(result)

    return structure


# Reading a record takes one of two paths. The fast one is cattrs' generated function: it collects every field
# whose *type* is wrong, but builds the instance only when all fields read, and the class's validators (ranges, id
# patterns) then stop at the first failure. When a document fails, from_dict reads it again in collecting mode
# (below): each field is read on its own, and each field's validator runs on its own, so one error lists them all.
# The records the fast read of the current document read well (by the identity of their table and class): the
# collecting read takes them as they are, and reads again only what failed.
_COLLECTING: Final = contextvars.ContextVar("fenxiao_collecting", default=False)
_READ_WELL: Final[contextvars.ContextVar[dict[tuple[int, type[Any]], tuple[object, object]] | None]] = (
    contextvars.ContextVar("fenxiao_read_well", default=None)
)


def _attrs_hook(cls: type[Any], conv: cattrs.Converter) -> Callable[[object, Any], Any]:
    inner = conv.gen_structure_attrs_fromdict(cls)
    collect = _collecting_structure(cls, conv)
    bounded = [(a.name, *a.metadata[hooks.MAX_ITEMS]) for a in attrs.fields(cls) if hooks.MAX_ITEMS in a.metadata]

    def structure(value: object, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise InvalidValueError(cls.__name__, value, f"must be a table/object of {cls.__name__} fields")
        for name, limit, plural in bounded:  # counted before anything is built: a huge list costs nothing
            items = value.get(name)
            if isinstance(items, (list, tuple)) and len(items) > limit:
                raise PolicyError(f"@.{name}", len(items), f"holds more than {limit} {plural}")
        read_well = _READ_WELL.get()
        if _COLLECTING.get():
            known = read_well.get((id(value), cls)) if read_well is not None else None
            return known[1] if known is not None and known[0] is value else collect(value)
        result = inner(value, cls)
        if read_well is not None:
            read_well[id(value), cls] = (value, result)  # the table is kept, so its id is not reused meanwhile
        return result

    return structure


def _collecting_structure(cls: type[Any], conv: cattrs.Converter) -> Callable[[Mapping[Any, Any]], Any]:
    """Read a record field by field, then run each field's validator alone: every problem is collected."""
    fields = [a for a in attrs.fields(attrs.resolve_types(cls)) if a.init]
    known = {a.name for a in fields}

    def structure(value: Mapping[Any, Any]) -> Any:
        errors: list[Exception] = []
        read: dict[str, Any] = {}
        for a in fields:
            if a.name not in value:
                if a.default is attrs.NOTHING:
                    missing = KeyError(a.name)
                    missing.add_note(AttributeValidationNote(f"Required field {a.name}", a.name, a.type))
                    errors.append(missing)
                continue
            try:
                # The handler cattrs' generated function uses: a field with a converter and a type cattrs cannot
                # read (``Decimal | Literal["median"] | None``) is handed to its converter as it is.
                handler = find_structure_handler(a, a.type, conv)
                read[a.name] = value[a.name] if handler is None else handler(value[a.name], a.type)
            except Exception as exc:  # every failure is collected, with the field it belongs to
                exc.add_note(AttributeValidationNote(f"Structuring class {cls.__name__} @ {a.name}", a.name, a.type))
                errors.append(exc)
        extra = set(value) - known
        if extra:
            errors.append(ForbiddenExtraKeysError("", cls, extra))
        if not errors:
            try:
                return cls(**{a.alias: read[a.name] for a in fields if a.name in read})
            except Exception as exc:  # a field's rule, or a rule across fields: which ones, below
                failure = exc
            errors.extend(_validator_errors(cls, fields, read))
            # No field's rule failed alone: the failure is a rule across fields (run once every field is well-formed).
            raise ClassValidationError(f"While structuring {cls.__name__}", errors or [failure], cls) from None
        errors.extend(_validator_errors(cls, fields, read))
        raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls)

    return structure


def _validator_errors(cls: type[Any], fields: list[attrs.Attribute[Any]], read: Mapping[str, Any]) -> list[Exception]:
    """The failures of each field's validator on the fields that were read, run one by one on a bare instance.

    A validator that reads a field that could not be read (``AttributeError``) is skipped: its field's own error
    says what is wrong.
    """
    bare, present, errors = _bare(cls, fields, read)
    for a in fields:
        if a.validator is None or a.name not in present or a.name not in read:
            continue
        try:
            a.validator(bare, a, present[a.name])
        except AttributeError:
            continue
        except Exception as exc:
            if not isinstance(exc, InvalidValueError):  # a validator of another kind: place it at the field
                exc.add_note(AttributeValidationNote(f"Validating {cls.__name__}.{a.name}", a.name, a.type))
            errors.append(exc)
    return errors


def _bare(
    cls: type[Any], fields: list[attrs.Attribute[Any]], read: Mapping[str, Any]
) -> tuple[Any, dict[str, Any], list[Exception]]:
    """An instance of *cls* made without ``__init__``, holding every field that was read or has a default (after
    its converter), the fields it holds, and the failures of converters of fields that were read."""
    bare = object.__new__(cls)
    present: dict[str, Any] = {}
    errors: list[Exception] = []
    for a in fields:
        if a.name in read:
            item = read[a.name]
        elif a.default is attrs.NOTHING:
            continue
        else:
            try:
                item = _default(a, bare)
            except Exception:  # a default built from a field that could not be read
                continue
        if a.converter is not None:
            try:
                item = _convert(a, item, bare)
            except Exception as exc:
                if a.name in read:
                    exc.add_note(AttributeValidationNote(f"Converting {cls.__name__}.{a.name}", a.name, a.type))
                    errors.append(exc)
                continue
        try:
            object.__setattr__(bare, a.name, item)
        except AttributeError:  # a field the class reads through a descriptor of its own: its validator is skipped
            continue
        present[a.name] = item
    return bare, present, errors


def _default(a: attrs.Attribute[Any], instance: object) -> Any:
    default: Any = a.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs.Factory is a class at run time
        return default.factory(instance) if default.takes_self else default.factory()
    return default


def _convert(a: attrs.Attribute[Any], value: Any, instance: object) -> Any:
    convert: Any = a.converter
    if not isinstance(convert, attrs.Converter):
        return convert(value)
    spec: Any = convert
    args: list[Any] = [value]
    if spec.takes_self:
        args.append(instance)
    if spec.takes_field:
        args.append(a)
    return spec.converter(*args)


_MAPPING_ORIGINS: Final = {dict, collections.abc.Mapping, collections.abc.MutableMapping}


def _is_mapping_type(t: Any) -> bool:
    return t is dict or get_origin(t) in _MAPPING_ORIGINS


def _mapping_hook(t: Any, conv: cattrs.Converter) -> Callable[[object, Any], Any]:
    inner = make_mapping_structure_fn(t, conv)

    def structure(value: object, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise InvalidValueError("table", value, "must be a table/object")
        return inner(value, t)

    return structure


converter.register_structure_hook_factory(_is_sequence_type, _sequence_hook)
converter.register_structure_hook_factory(_is_mapping_type, _mapping_hook)
converter.register_structure_hook_factory(attrs.has, _attrs_hook)
converter.register_unstructure_hook_factory(_is_set_type, _set_unstructure_hook)


# -- errors: cattrs' exception groups become path-naming InvalidValueErrors -----------------------------


_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _join(path: str, part: str) -> str:
    if part.startswith("["):
        return path + part
    return f"{path}.{part}" if path else part


def _key(path: str, key: object) -> str:
    """*path* extended by a document key; keys that are not plain names are quoted: ``skus[0]["a b"]``."""
    if isinstance(key, str) and _NAME_RE.fullmatch(key):
        return _join(path, key)
    return f"{path}[{json.dumps(key, ensure_ascii=False) if isinstance(key, str) else repr(key)}]"


def _flatten(exc: BaseException, path: str, noted: bool) -> list[InvalidValueError]:
    if isinstance(exc, BaseExceptionGroup):
        found: list[InvalidValueError] = []
        for sub in exc.exceptions:
            sub_path, sub_noted = path, False
            for note in getattr(sub, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    sub_path, sub_noted = _join(path, note.name), True
                elif isinstance(note, IterableValidationNote):
                    sub_path, sub_noted = _join(path, f"[{note.index}]"), True
            found.extend(_flatten(sub, sub_path, sub_noted))
        return found
    where = path or "(document)"
    if isinstance(exc, InvalidValueError) and exc.path.startswith("@"):
        # A hook reporting a place inside the value it read ("@.all[1].op"): append it to where we are.
        relative = exc.path[1:]
        full = (path + relative) if path else (relative.lstrip(".") or "(document)")
        return [type(exc)(full, exc.value, exc.problem)]
    if isinstance(exc, InvalidValueError):
        if noted:
            return [type(exc)(where, exc.value, exc.problem)]
        # Raised by a class's own validation: its path is "Class.field[...]"; keep what follows the class.
        _, dot, rest = exc.path.partition(".")
        return [type(exc)(_join(path, rest) if dot else where, exc.value, exc.problem)]
    if isinstance(exc, ForbiddenExtraKeysError):
        return [
            InvalidValueError(_key(path, key), key, "is not a known field") for key in sorted(exc.extra_fields, key=str)
        ]
    if isinstance(exc, KeyError):
        name = str(exc.args[0]) if exc.args else "?"
        return [InvalidValueError(where if noted else _join(path, name), NOTHING, "is required")]
    if isinstance(exc, FenxiaoError):
        return [InvalidValueError(where, NOTHING, str(exc))]
    return [InvalidValueError(where, NOTHING, f"{type(exc).__name__}: {exc}")]


def _translate(exc: BaseException, cls: type[Any]) -> ValidationError:
    errors = _flatten(exc, "", False)
    return ValidationError(errors, what=getattr(cls, "__name__", str(cls)))


# -- the public functions ----------------------------------------------------------------------------


def to_dict(value: Any) -> Any:
    """Unstructure a fenxiao value into plain dicts, lists, strings, ints and bools (JSON-ready)."""
    with localcontext(EXACT):
        return converter.unstructure(value)


def _check_target(cls: object, where: str) -> None:
    """Refuse a *cls* that is not a type to read into (a class, or a generic alias such as ``tuple[Order, ...]``)."""
    if not isinstance(cls, type) and get_origin(cls) is None:
        raise InvalidValueError(f"{where}.cls", cls, "must be the type to read into (e.g. Order or TierPolicy)")


def from_dict(data: Any, cls: type[T]) -> T:
    """Structure plain data into *cls*, validating everything.

    Raises:
        ValidationError: Holding one path-naming error per problem found.
        InvalidValueError: *cls* is not a type.
    """
    _check_target(cls, "from_dict")
    outer = _READ_WELL.get()
    token = _READ_WELL.set({}) if outer is None else None
    try:
        # Read in fenxiao's own decimal context: the caller's precision or traps never change a value read.
        with localcontext(EXACT):
            return converter.structure(data, cls)
    except ValidationError:
        raise
    # ArithmeticError: decimal signals (an exponent of a billion) and datetime overflow on absurd values.
    except _READ_ERRORS as exc:
        raise _translate(_every_problem(data, cls, exc), cls) from exc
    finally:
        if token is not None:
            _READ_WELL.reset(token)


_READ_ERRORS: Final = (cattrs.BaseValidationError, FenxiaoError, KeyError, TypeError, ValueError, ArithmeticError)


def _every_problem(data: Any, cls: type[Any], first: BaseException) -> BaseException:
    """Read *data* again in collecting mode (every field and every validator on its own) and return what it raised.

    The fast read stops a record at its first failing validator; this one does not. Should it succeed after all,
    the fast read's own failure stands.
    """
    token = _COLLECTING.set(True)
    try:
        with localcontext(EXACT):
            converter.structure(data, cls)
    except ValidationError:
        return first
    except _READ_ERRORS as exc:
        return exc
    finally:
        _COLLECTING.reset(token)
    return first


def dumps(value: Any, *, indent: int | None = 2, format: str = "json") -> str:
    """Serialize a fenxiao value to JSON text (UTF-8, non-ASCII kept readable), or TOML with ``format="toml"``.

    TOML needs a table at the top (a policy, a scorecard set, a catalog); ``None`` values are left out,
    since TOML has no null, and read back as the field's default.
    """
    if indent is not None and (type(indent) is not int or indent < 0):
        raise InvalidValueError("dumps.indent", indent, "must be a whole number of spaces (0 or more) or None")
    if format == "toml":
        from fenxiao._internal.toml import dumps as toml_dumps

        data = to_dict(value)
        if not isinstance(data, dict):
            raise InvalidValueError("dumps.value", value, "must be a record to write as TOML")
        return toml_dumps(_drop_none(data))
    if format != "json":
        raise InvalidValueError("dumps.format", format, "must be 'json' or 'toml'")
    return _json_encoder(indent).encode(to_dict(value))


@functools.lru_cache(maxsize=8)
def _json_encoder(indent: int | None) -> json.JSONEncoder:
    """What ``json.dumps(..., ensure_ascii=False, indent=indent)`` builds on every call, built once."""
    return json.JSONEncoder(ensure_ascii=False, indent=indent)


def _drop_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_drop_none(v) for v in data]
    return data


class _Float:
    """A number with a fraction or an exponent, as written in JSON or TOML text: kept as text and refused by path."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return repr(self.text)


_FLOAT_PROBLEM: Final = "has a float; write amounts and rates as strings"


def _floats(data: Any, path: str = "") -> Iterator[InvalidValueError]:
    """An error for every float in parsed *data*, at its path."""
    stack: list[tuple[Any, str]] = [(data, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, _Float):
            yield InvalidValueError(where or "(document)", node.text, _FLOAT_PROBLEM)
        elif isinstance(node, dict):
            stack.extend((value, _key(where, key)) for key, value in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((value, _join(where, f"[{i}]")) for i, value in reversed(list(enumerate(node))))


def _within(path: str, inner: str) -> bool:
    """Whether *inner* is *path* or a place inside it."""
    return inner == path or inner.startswith((f"{path}.", f"{path}["))


def _without_floats(errors: tuple[InvalidValueError, ...], floats: list[InvalidValueError]) -> list[InvalidValueError]:
    """*errors* less those about a float: a float reaches the field it is written in as it was written, and the
    problem that field (or a record enclosing it) reports about it is the float's, reported at the float's path."""
    return [
        e
        for e in errors
        if not isinstance(e.value, _Float)
        and (e.path == "(document)" or not any(_within(e.path, f.path) for f in floats))
    ]


def _located(errors: list[InvalidValueError], text: str | bytes, format: str) -> list[InvalidValueError]:
    """*errors* with the line and column of each one's path in *text*, in the order of the text."""
    source = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    index = build_line_index(source, format, [e.path for e in errors if e.path != "(document)"])
    placed: list[InvalidValueError] = []
    for error in errors:
        position = index.position_of(error.path) if error.path != "(document)" else None
        placed.append(error.located(*position) if position is not None else error)
    placed.sort(key=lambda e: (e.line or 0, e.column or 0))
    return placed


def loads(text: str | bytes, cls: type[T], *, format: str = "json") -> T:
    """Parse JSON (or TOML, ``format="toml"``) text into *cls*.

    JSON numbers with a fraction or exponent are refused (as are TOML floats), each at its path, so no float can
    reach an amount. A top-level ``"$schema"`` text (the JSON Schema an editor checks the file against) is read
    past. Documents above :data:`MAX_DOCUMENT_BYTES` are refused before parsing.

    Raises:
        ValidationError: Naming every problem (malformed text, each float, each bad field), each with its path and
            its line and column in *text*.
        InvalidValueError: *cls* is not a type.
    """
    _check_target(cls, "loads")
    what = getattr(cls, "__name__", str(cls))
    if not isinstance(text, (str, bytes)):
        raise ValidationError([InvalidValueError("(document)", text, "must be text (str or bytes)")], what=what)
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            [InvalidValueError("(document)", size, f"is larger than {MAX_DOCUMENT_BYTES} bytes")], what=what
        )
    made: list[_Float] = []

    def parse_float(written: str) -> _Float:
        made.append(_Float(written))
        return made[-1]

    objects = JsonObjects()
    try:
        if format == "json":
            data = json.loads(text, parse_float=parse_float, parse_constant=parse_float, object_pairs_hook=objects)
        elif format == "toml":
            data = tomllib.loads(text.decode() if isinstance(text, bytes) else text, parse_float=parse_float)
        else:
            raise InvalidValueError("loads.format", format, "must be 'json' or 'toml'")
    except InvalidValueError as exc:
        raise ValidationError([exc], what=what) from None
    # ValueError covers JSONDecodeError, TOMLDecodeError, UnicodeDecodeError and integers past Python's
    # digit limit (sys.get_int_max_str_digits()), which json raises as a bare ValueError.
    except (ValueError, RecursionError) as exc:
        raise ValidationError(
            [InvalidValueError("(document)", NOTHING, f"is not valid {format}: {exc}")], what=what
        ) from None
    if isinstance(data, dict) and isinstance(data.get("$schema"), str):
        # A JSON file may name its JSON Schema for an editor (see docs/rule-authors.md): that key is not a field.
        data = {k: v for k, v in data.items() if k != "$schema"}
    floats = list(_floats(data)) if made else []
    # Keys written twice (JSON keeps the last; TOML refuses them) and text UTF-8 cannot hold: refused by path.
    surrogates = may_hold_surrogates(text)
    strict = list(problems_of(data, texts=surrogates)) if objects.marked or surrogates else []
    try:
        value = from_dict(data, cls)
    except ValidationError as exc:
        errors, cause = _without_floats(exc.errors, floats), exc.__cause__
    else:
        if not floats and not strict:
            return value
        errors, cause = [], None
    said = {(e.problem, repr(e.value)) for e in strict}  # a str field refuses a surrogate too: say it once
    errors = [e for e in errors if (e.problem, repr(e.value)) not in said]
    # Every problem at once, floats included, each placed in the text.
    raise ValidationError(_located(floats + strict + errors, text, format), what=what) from cause


def load(path: str | Path, cls: type[T]) -> T:
    """Read a ``.json`` or ``.toml`` file into *cls* (the format follows the suffix).

    Raises:
        InvalidValueError: The suffix is neither ``.json`` nor ``.toml``, or the file cannot be read.
        ValidationError: The content is malformed, too large or invalid (see :func:`loads`).
    """
    _check_target(cls, "load")
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidValueError("load.path", path, "must be a path (str or pathlib.Path)")
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in {".json", ".toml"}:
        raise InvalidValueError("load.path", str(path), "must end in .json or .toml")
    try:
        data = read_capped(file, MAX_DOCUMENT_BYTES)  # the cap is on the stream: stat() lies about /dev/zero
    except TooLarge:
        problem = f"is larger than {MAX_DOCUMENT_BYTES} bytes"
        raise ValidationError(
            [InvalidValueError("(document)", str(path), problem)], what=getattr(cls, "__name__", "")
        ) from None
    except OSError as exc:
        raise InvalidValueError("load.path", str(path), f"cannot be read ({exc.strerror})") from None
    return loads(data, cls, format=suffix[1:])


# Every module that defines a file form of its own has registered it (or will, when it is imported).
hooks.attach(converter)
