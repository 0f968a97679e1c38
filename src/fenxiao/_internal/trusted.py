"""The one way fenxiao builds a frozen attrs value without running its validators (private).

Hot paths (arithmetic on :class:`~fenxiao.money.Money`, the lines of a split, scorer results, explanation
checks) build values from parts already proven valid; re-running the validators there costs more than the
work itself. :func:`builder` returns a function that fills a bare instance field by field, in the order of
``attrs.fields(cls)``, through each slot's descriptor, exactly as ``object.__setattr__`` would: the result is
equal to ``cls(*values)``, with the same hash and repr. Nothing is checked, so callers pass only what the
validated constructor would accept; each caller's tests compare its trusted values with validated ones.

This module imports nothing from fenxiao, so that :mod:`fenxiao.money` at the bottom of the house can use it.

>>> import attrs
>>> @attrs.frozen
... class Point:
...     x: int = attrs.field(validator=attrs.validators.gt(0))
...     y: int
>>> make = builder(Point)
>>> make(1, 2) == Point(1, 2), make(-1, 2)
(True, Point(x=-1, y=2))
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["builder", "setters"]

T = TypeVar("T")

_new = object.__new__


def _set_named(name: str, obj: object, value: object) -> None:
    object.__setattr__(obj, name, value)


def _setters(cls: type[Any]) -> tuple[Callable[[object, object], None], ...]:
    names = [a.name for a in attrs.fields(cls)]
    if "__dict__" in dir(cls) and not getattr(cls, "__slots__", ()):
        # A dict class: set through object.__setattr__, which a frozen class's own __init__ also uses.
        return tuple(functools.partial(_set_named, n) for n in names)
    return tuple(cls.__dict__[n].__set__ for n in names)


def setters(cls: type[Any]) -> tuple[Callable[[object, object], None], ...]:
    """*cls*'s field setters, in the order of ``attrs.fields(cls)``: what :func:`builder`'s function calls on a bare
    instance (``object.__new__(cls)``), for a hot path that builds its values inline rather than through a call.

    >>> import attrs
    >>> @attrs.frozen
    ... class Pair:
    ...     a: int
    ...     b: int
    >>> set_a, set_b = setters(Pair)
    >>> pair = object.__new__(Pair)
    >>> set_a(pair, 1); set_b(pair, 2)
    >>> pair == Pair(1, 2)
    True
    """
    return _setters(cls)


def builder(cls: type[T]) -> Callable[..., T]:
    """A function ``build(*values) -> cls`` that sets *cls*'s attrs fields in order, skipping its validators.

    Unrolled (a loop over the fields costs as much again as the build itself): by hand up to nine fields, by
    :func:`_build_many` beyond.
    """
    setters = _setters(cls)
    n = len(setters)
    if n == 1:
        (s0,) = setters

        def build1(a: object) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            return obj

        return build1
    if n == 2:
        s0, s1 = setters

        def build2(a: object, b: object) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            s1(obj, b)
            return obj

        return build2
    if n == 3:
        s0, s1, s2 = setters

        def build3(a: object, b: object, c: object) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            return obj

        return build3
    if n == 4:
        s0, s1, s2, s3 = setters

        def build4(a: object, b: object, c: object, d: object) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            s3(obj, d)
            return obj

        return build4
    if n == 5:
        s0, s1, s2, s3, s4 = setters

        def build5(a: object, b: object, c: object, d: object, e: object) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            s3(obj, d)
            s4(obj, e)
            return obj

        return build5
    if n == 6:
        s0, s1, s2, s3, s4, s5 = setters

        def build6(a: object, b: object, c: object, d: object, e: object, f: object) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            s3(obj, d)
            s4(obj, e)
            s5(obj, f)
            return obj

        return build6
    if n == 7:
        s0, s1, s2, s3, s4, s5, s6 = setters

        def build7(a: object, b: object, c: object, d: object, e: object, f: object, g: object) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            s3(obj, d)
            s4(obj, e)
            s5(obj, f)
            s6(obj, g)
            return obj

        return build7
    if n == 8:
        s0, s1, s2, s3, s4, s5, s6, s7 = setters

        def build8(a: object, b: object, c: object, d: object, e: object, f: object, g: object, h: object) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            s3(obj, d)
            s4(obj, e)
            s5(obj, f)
            s6(obj, g)
            s7(obj, h)
            return obj

        return build8
    if n == 9:
        s0, s1, s2, s3, s4, s5, s6, s7, s8 = setters

        def build9(
            a: object, b: object, c: object, d: object, e: object, f: object, g: object, h: object, i: object
        ) -> T:
            obj: T = _new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            s3(obj, d)
            s4(obj, e)
            s5(obj, f)
            s6(obj, g)
            s7(obj, h)
            s8(obj, i)
            return obj

        return build9
    return _build_many(cls, setters)


def _build_many(cls: type[T], setters: tuple[Callable[[object, object], None], ...]) -> Callable[..., T]:
    """The builder of a class of more than nine fields, unrolled as the small ones are: its source is written from
    the number of fields alone (``obj = new(cls); s0(obj, v0); ...``) and compiled once, as attrs writes an
    ``__init__``; no value ever enters the source. (Generated rather than a loop over the setters: 0.83 µs against
    1.42 µs for a 14-field object, on the ingest path.)"""
    names = [f"v{i}" for i in range(len(setters))]
    lines = [f"def build({', '.join(names)}):", "    obj = new(cls)"]
    lines += [f"    s{i}(obj, {name})" for i, name in enumerate(names)]
    lines.append("    return obj")
    namespace: dict[str, Any] = {"new": _new, "cls": cls, **{f"s{i}": s for i, s in enumerate(setters)}}
    exec(compile("\n".join(lines), f"<fenxiao trusted builder of {cls.__qualname__}>", "exec"), namespace)
    build: Callable[..., T] = namespace["build"]
    return build
