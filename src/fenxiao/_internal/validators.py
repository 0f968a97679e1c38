"""Shared attrs validators (private). Each raises InvalidValueError naming ``Class.field``."""

from __future__ import annotations

import enum
import functools
import inspect
import re
import sys
import types
import typing
from collections import abc
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

import attrs

from fenxiao.errors import InvalidValueError
from fenxiao.money import Money, Rate

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

_ID_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}\Z")  # \Z: "$" would accept a trailing newline
MAX_TEXT = 200


def path_of(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def id_text(value: str) -> Any:
    """The converter of a typed-id field (``SkuId`` ...): the value as given, so that a constructor takes plain
    ``str`` under ``mypy --strict`` while the attribute keeps its id type; :func:`identifier` checks it."""
    return value


def optional_id_text(value: str | None) -> Any:
    """:func:`id_text` for an optional id field."""
    return value


def identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An id: 1-64 characters of letters, digits and ``_ . : -``, starting with a letter or digit."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise InvalidValueError(
            path_of(instance, attribute), value, "must be an id of 1-64 letters, digits or _.:- characters"
        )


def is_identifier(value: object) -> bool:
    """Whether *value* passes :func:`identifier` (for fast paths that fall back to the validating constructor)."""
    return isinstance(value, str) and _ID_RE.match(value) is not None


def request_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A request id: 1-200 printable characters without spaces (it joins an order id and a budget name)."""
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT or any(ord(c) < 33 for c in value):
        raise InvalidValueError(path_of(instance, attribute), value, "must be 1-200 printable characters")


def optional_identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        identifier(instance, attribute, value)


def identifiers(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A tuple/frozenset of ids, each valid, without duplicates."""
    path = path_of(instance, attribute)
    if not isinstance(value, (tuple, frozenset)):
        raise InvalidValueError(path, value, "must be a tuple of ids")
    seen: set[object] = set()
    for i, item in enumerate(value):
        if not isinstance(item, str) or not _ID_RE.match(item):
            raise InvalidValueError(f"{path}[{i}]", item, "must be an id of 1-64 letters, digits or _.:- characters")
        if item in seen:
            raise InvalidValueError(f"{path}[{i}]", item, "is listed twice")
        seen.add(item)


def text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Non-blank text of at most 200 characters, without control characters."""
    path = path_of(instance, attribute)
    if not isinstance(value, str):
        raise InvalidValueError(path, value, "must be a string")
    if not value.strip():
        raise InvalidValueError(path, value, "must not be blank")
    if len(value) > MAX_TEXT:
        raise InvalidValueError(path, value, f"must be at most {MAX_TEXT} characters")
    if any(ord(c) < 32 for c in value):
        raise InvalidValueError(path, value, "must not contain control characters")


MAX_LABEL = 1000


def label(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Text for people of at most 1000 characters, possibly empty (a name, a version, a note)."""
    if not isinstance(value, str):
        raise InvalidValueError(path_of(instance, attribute), value, "must be text")
    if len(value) > MAX_LABEL:
        raise InvalidValueError(path_of(instance, attribute), value, f"must be at most {MAX_LABEL} characters")


def boolean(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidValueError(path_of(instance, attribute), value, "must be true or false")


def count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A whole number >= 0 (bool refused)."""
    path = path_of(instance, attribute)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(path, value, "must be a whole number")
    if value < 0:
        raise InvalidValueError(path, value, "must not be negative")


def int_between(low: int, high: int) -> Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        path = path_of(instance, attribute)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValueError(path, value, "must be a whole number")
        if not low <= value <= high:
            raise InvalidValueError(path, value, f"must be between {low} and {high}")

    return check


def decimal_between(low: Decimal, high: Decimal) -> Validator:
    """An exact Decimal in [low, high]; floats refused."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        path = path_of(instance, attribute)
        if isinstance(value, float):
            raise InvalidValueError(path, value, "must be a Decimal, not a float")
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidValueError(path, value, "must be a finite Decimal")
        if not low <= value <= high:
            raise InvalidValueError(path, value, f"must be between {low} and {high}")

    return check


def rate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Rate):
        raise InvalidValueError(path_of(instance, attribute), value, "must be a Rate (e.g. Rate.of('12.5%'))")


def optional_rate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        rate(instance, attribute, value)


def money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A Money amount that is not negative."""
    path = path_of(instance, attribute)
    if not isinstance(value, Money):
        raise InvalidValueError(path, value, "must be Money (e.g. Money.of('99.90'))")
    if value.fen < 0:
        raise InvalidValueError(path, value, "must not be negative")


def optional_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        money(instance, attribute, value)


def aware_datetime(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A timezone-aware datetime; a naive one is refused."""
    path = path_of(instance, attribute)
    if not isinstance(value, datetime):
        raise InvalidValueError(path, value, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValueError(path, value, "must be timezone-aware (a naive datetime is ambiguous)")


def optional_aware_datetime(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        aware_datetime(instance, attribute, value)


def a_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidValueError(path_of(instance, attribute), value, "must be a date")


def optional_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        a_date(instance, attribute, value)


def member_of(enum_type: type[Any]) -> Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, enum_type):
            names = ", ".join(repr(m.value) for m in enum_type)
            raise InvalidValueError(path_of(instance, attribute), value, f"must be one of {names}")

    return check


def instance_of(kind: type[Any]) -> Validator:
    """Like ``attrs.validators.instance_of``, but raising InvalidValueError naming ``Class.field`` (not TypeError)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidValueError(path_of(instance, attribute), value, f"must be {kind.__name__}")

    return check


def optional_instance_of(kind: type[Any]) -> Validator:
    """:func:`instance_of` that also takes ``None``: "must be a Tier or None"."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, kind):
            raise InvalidValueError(path_of(instance, attribute), value, f"must be a {kind.__name__} or None")

    return check


def tuple_of(kind: type[Any]) -> Validator:
    """A tuple whose every item is a *kind*; a wrong item is named by its index (``Class.field[2]``)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        path = path_of(instance, attribute)
        if not isinstance(value, tuple):
            raise InvalidValueError(path, value, f"must be a tuple of {kind.__name__}")
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                raise InvalidValueError(f"{path}[{i}]", item, f"must be a {kind.__name__}")

    return check


def require_aware(value: object, path: str) -> datetime:
    """Return *value* if it is a timezone-aware datetime, else raise InvalidValueError at *path*."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidValueError(path, value, "must be a timezone-aware datetime")
    return value


def require_int(value: object, path: str, low: int, high: int) -> int:
    """Return *value* if it is an int (not bool) in [low, high], else raise InvalidValueError at *path*."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValueError(path, value, f"must be a whole number from {low:,} to {high:,}")
    return value


def require_mapping(value: object, path: str) -> Mapping[str, Any]:
    """Return *value* if it is a mapping (a dict of inputs), else raise InvalidValueError at *path*."""
    if not isinstance(value, Mapping):
        raise InvalidValueError(path, value, "must be a mapping of input names to values (a dict)")
    return value


def require_iterable(value: object, path: str) -> Iterable[Any]:
    """Return *value* if it is an iterable of items (a list, a tuple, a generator; not text), else raise
    InvalidValueError at *path*."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidValueError(path, value, "must be a list (or another iterable) of items")
    return value


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Converter: lists and other iterables become tuples (strings are left for the validator to refuse)."""
    if type(value) is tuple:  # already one (the common case: no ABC check)
        return value
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # validator reports it with the field path
    return tuple(value)


# -- the arguments of a public function ----------------------------------------------------------------------------

_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")
_Check = Callable[[object], bool]


def _describe(hint: Any) -> str:
    name = getattr(hint, "__name__", None)
    return name if isinstance(name, str) and typing.get_origin(hint) is None else str(hint).replace("typing.", "")


def _enum_check(kind: type[enum.Enum]) -> _Check:
    values = {m.value for m in kind}
    return lambda v: isinstance(v, kind) or (isinstance(v, str) and v in values)


def _class_check(hint: type[Any]) -> _Check | None:  # noqa: PLR0911 - one return per kind of class
    if hint is object:
        return None
    if hint is bool:
        return lambda v: isinstance(v, bool)
    if hint is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if hint is float:
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if issubclass(hint, enum.Enum):
        return _enum_check(hint)
    if getattr(hint, "_is_protocol", False) and not getattr(hint, "_is_runtime_protocol", False):
        return None  # a static Protocol: isinstance cannot tell
    return lambda v: isinstance(v, hint)


def _union_check(members: tuple[Any, ...]) -> _Check | None:
    checks = [_checker(m) for m in members]
    if any(c is None for c in checks):
        return None
    found = [c for c in checks if c is not None]

    def check(v: object) -> bool:
        for c in found:  # noqa: SIM110 - a loop, not any() over a generator: it runs on every checked call
            if c(v):
                return True
        return False

    return check


def _checker(hint: Any) -> _Check | None:  # noqa: PLR0911 - one return per kind of hint
    """A shallow test of a value against a type hint (containers by their own type, not their items), or ``None``
    where the hint cannot be tested (``Any``, a type variable, a static Protocol)."""
    if hint is Any or isinstance(hint, TypeVar):
        return None
    if hint is None or hint is types.NoneType:
        return lambda v: v is None
    supertype = getattr(hint, "__supertype__", None)
    if supertype is not None:  # a NewType
        return _checker(supertype)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_check(args)
    if origin is typing.Literal:
        return lambda v: v in args
    if origin is type:
        return lambda v: isinstance(v, type) or typing.get_origin(v) is not None
    if origin is abc.Callable or hint is abc.Callable:
        return callable
    if isinstance(origin, type):
        if issubclass(origin, (str, bytes)):
            return lambda v: isinstance(v, origin)
        if issubclass(origin, abc.Iterable) and not issubclass(origin, abc.Mapping):
            return lambda v: isinstance(v, origin) and not isinstance(v, (str, bytes))
        return lambda v: isinstance(v, origin)
    if isinstance(hint, type):
        return _class_check(hint)
    return None


class _Names(dict[str, Any]):
    """The names an annotation may use: the function's module, then any loaded fenxiao module (for the names a
    module imports for type checking only)."""

    def __missing__(self, key: str) -> Any:
        for name, module in list(sys.modules.items()):
            if name.startswith("fenxiao") and isinstance(getattr(module, key, None), type):
                return getattr(module, key)
        raise KeyError(key)


class _OneAnnotation:
    """One annotation, for :func:`typing.get_type_hints` (which reads an object's ``__annotations__``): a parameter
    whose names cannot be resolved yet then leaves the others checked."""

    def __init__(self, hint: str) -> None:
        self.__annotations__ = {"value": hint}


def _item_hints(hint: Any) -> tuple[Any, Any] | None:
    """(key hint, item hint) of a container hint, ``None`` for a hint that is not a container of typed items."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if not isinstance(origin, type) or not args or issubclass(origin, (str, bytes)):
        return None
    if issubclass(origin, abc.Mapping) and len(args) == 2:
        return args[0], args[1]
    if issubclass(origin, tuple) and not (len(args) == 2 and args[1] is Ellipsis):
        return None
    if issubclass(origin, abc.Iterable):
        return None, args[0]
    return None


def _argument_checks(function: Callable[..., Any]) -> tuple[dict[str, tuple[_Check, str]], bool]:
    """The test of each parameter, and whether every annotation could be read (a call made while the modules
    are still being imported may find a name not yet defined: the failure path reads them again)."""
    checks: dict[str, tuple[_Check, str]] = {}
    complete = True
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD) or name.startswith("_"):
            continue
        hint = parameter.annotation
        if isinstance(hint, str):
            try:  # fenxiao's own annotation, resolved by typing.get_type_hints, one parameter at a time
                hint = typing.get_type_hints(
                    _OneAnnotation(hint), globalns=function.__globals__, localns=_Names(function.__globals__)
                )["value"]
            except Exception:  # a name no loaded module defines (yet): not checked here
                complete = False
                continue
        check = _checker(hint)
        if check is not None and hint is not inspect.Parameter.empty:
            checks[name] = (check, _describe(hint))
            items = _item_hints(hint)
            if items is not None:
                key_check = None if items[0] is None else _checker(items[0])
                item_check = _checker(items[1])
                if key_check is not None:
                    checks[f"{name}:keys"] = (key_check, _describe(items[0]))
                if item_check is not None:
                    checks[f"{name}:items"] = (item_check, _describe(items[1]))
    return checks, complete


def _item_refusal(path: str, value: object, checks: dict[str, tuple[_Check, str]], name: str) -> Any:
    """The first item of a list, tuple or mapping argument of the wrong type, as an InvalidValueError."""
    keys, items = checks.get(f"{name}:keys"), checks.get(f"{name}:items")
    if isinstance(value, abc.Mapping):
        for key, item in value.items():
            if keys is not None and not keys[0](key):
                return InvalidValueError(f"{path}[{key!r}]", key, f"must be keyed by {keys[1]}")
            if items is not None and not items[0](item):
                return InvalidValueError(f"{path}[{key!r}]", item, f"must be {items[1]}")
    elif isinstance(value, (list, tuple)) and items is not None:
        for i, item in enumerate(value):
            if not items[0](item):
                return InvalidValueError(f"{path}[{i}]", item, f"must be {items[1]}")
    return None


def checks_arguments(function: Callable[_Params, _Result]) -> Callable[_Params, _Result]:
    """Decorate a public function so that an argument of the wrong type is an :class:`InvalidValueError` naming
    ``function.parameter``, never a TypeError or AttributeError from inside (or a wrong result).

    The test is shallow and read from the annotations on the first call: ``None`` where ``X | None`` is not
    allowed, text where an enum member belongs (its value's text is allowed), a bool where an int belongs, a list
    where a mapping belongs; items of containers are left to the function. Annotations that name a type imported
    for type checking only are not tested.
    """
    return _checked(function, lazily=False)


def checks_arguments_on_failure(function: Callable[_Params, _Result]) -> Callable[_Params, _Result]:
    """:func:`checks_arguments` for small functions called in loops (and recursive ones): the arguments are
    tested only when the call fails with a TypeError, AttributeError or KeyError, which then becomes an
    :class:`InvalidValueError` naming the argument of the wrong type (the error stands if every argument fits)."""
    return _checked(function, lazily=True)


def _checked(function: Callable[_Params, _Result], *, lazily: bool) -> Callable[_Params, _Result]:
    signature = inspect.signature(function)
    positional = [
        p.name for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    resolved: list[tuple[dict[str, tuple[_Check, str]], bool]] = []

    def refusal(
        args: tuple[object, ...], kwargs: dict[str, object], *, items: bool = False
    ) -> InvalidValueError | None:
        if not resolved or (items and not resolved[0][1]):
            resolved[:] = [_argument_checks(function)]
        checks = resolved[0][0]
        # Per call on the checked path: no tuple of the pairs unless keywords were given, no path text unless refused.
        pairs = (
            (*zip(positional, args, strict=False), *kwargs.items()) if kwargs else zip(positional, args, strict=False)
        )
        for name, value in pairs:
            entry = checks.get(name)
            if entry is not None and not entry[0](value):
                return InvalidValueError(f"{function.__name__}.{name}", value, f"must be {entry[1]}")
            if items:
                error: InvalidValueError | None = _item_refusal(f"{function.__name__}.{name}", value, checks, name)
                if error is not None:
                    return error
        return None

    if lazily:

        @functools.wraps(function)
        def on_failure(*args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
            try:
                return function(*args, **kwargs)
            except (TypeError, AttributeError, KeyError):
                error = refusal(args, kwargs, items=True)
                if error is None:
                    raise
                raise error from None

        return on_failure

    @functools.wraps(function)
    def checked(*args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        error = refusal(args, kwargs)
        if error is not None:
            raise error
        try:
            return function(*args, **kwargs)
        except (TypeError, AttributeError, KeyError):  # perhaps an item of a list or mapping of the wrong type
            error = refusal(args, kwargs, items=True)
            if error is None:
                raise
            raise error from None

    return checked
