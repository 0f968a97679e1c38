"""Shared attrs validators (private). Each raises InvalidValueError naming ``Class.field``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
