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
import enum
import functools
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any, Final, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_mapping_structure_fn

from fenxiao._internal import hooks
from fenxiao._internal.fixed import EXACT
from fenxiao.errors import NOTHING, FenxiaoError, InvalidValueError, ValidationError
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
    try:
        result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
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


converter.register_structure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _structure_enum)
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


def _attrs_hook(cls: type[Any], conv: cattrs.Converter) -> Callable[[object, Any], Any]:
    inner = conv.gen_structure_attrs_fromdict(cls)

    def structure(value: object, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise InvalidValueError(cls.__name__, value, f"must be a table/object of {cls.__name__} fields")
        return inner(value, cls)

    return structure


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


def from_dict(data: Any, cls: type[T]) -> T:
    """Structure plain data into *cls*, validating everything.

    Raises:
        ValidationError: Holding one path-naming error per problem found.
    """
    try:
        # Read in fenxiao's own decimal context: the caller's precision or traps never change a value read.
        with localcontext(EXACT):
            return converter.structure(data, cls)
    except ValidationError:
        raise
    # ArithmeticError: decimal signals (an exponent of a billion) and datetime overflow on absurd values.
    except (cattrs.BaseValidationError, FenxiaoError, KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise _translate(exc, cls) from exc


def dumps(value: Any, *, indent: int | None = 2, format: str = "json") -> str:
    """Serialize a fenxiao value to JSON text (UTF-8, non-ASCII kept readable), or TOML with ``format="toml"``.

    TOML needs a table at the top (a policy, a scorecard set, a catalog); ``None`` values are left out,
    since TOML has no null, and read back as the field's default.
    """
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


def _reject_float(text: str) -> Any:
    raise InvalidValueError("(document)", text, "has a float; write amounts and rates as strings")


def loads(text: str | bytes, cls: type[T], *, format: str = "json") -> T:
    """Parse JSON (or TOML, ``format="toml"``) text into *cls*.

    JSON numbers with a fraction or exponent are refused outright (as are TOML
    floats), so no float can reach an amount. A top-level ``"$schema"`` text (the JSON Schema an editor checks the
    file against) is read past. Documents above
    :data:`MAX_DOCUMENT_BYTES` are refused before parsing.

    Raises:
        ValidationError: Naming every problem: malformed text, a float, a bad field.
    """
    what = getattr(cls, "__name__", str(cls))
    if not isinstance(text, (str, bytes)):
        raise ValidationError([InvalidValueError("(document)", text, "must be text (str or bytes)")], what=what)
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            [InvalidValueError("(document)", size, f"is larger than {MAX_DOCUMENT_BYTES} bytes")], what=what
        )
    try:
        if format == "json":
            data = json.loads(text, parse_float=_reject_float, parse_constant=_reject_float)
        elif format == "toml":
            data = tomllib.loads(text.decode() if isinstance(text, bytes) else text, parse_float=_reject_float)
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
    return from_dict(data, cls)


def load(path: str | Path, cls: type[T]) -> T:
    """Read a ``.json`` or ``.toml`` file into *cls* (the format follows the suffix).

    Raises:
        InvalidValueError: The suffix is neither ``.json`` nor ``.toml``, or the file cannot be read.
        ValidationError: The content is malformed, too large or invalid (see :func:`loads`).
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in {".json", ".toml"}:
        raise InvalidValueError("load.path", str(path), "must end in .json or .toml")
    try:
        size = file.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            problem = f"is larger than {MAX_DOCUMENT_BYTES} bytes"
            raise ValidationError([InvalidValueError("(document)", size, problem)], what=getattr(cls, "__name__", ""))
        data = file.read_bytes()
    except OSError as exc:
        raise InvalidValueError("load.path", str(path), f"cannot be read ({exc.strerror})") from None
    return loads(data, cls, format=suffix[1:])


# Every module that defines a file form of its own has registered it (or will, when it is imported).
hooks.attach(converter)
