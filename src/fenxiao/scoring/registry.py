"""Named dimension scorers, and the ``fenxiao.scorers`` entry-point group.

Code passes scorers in explicitly (``default_scorer().replace(my_scorer)``). A
:class:`ScorerRegistry` exists so that *files* can name a plug-in: a scorecards file
says ``[scorers] service = "acme.service"`` and
:meth:`~fenxiao.scoring.five.FiveDimensionScorer.from_scorecards` looks the name up.

Third-party packages expose scorers through the entry-point group
``fenxiao.scorers``; in their ``pyproject.toml``::

    [project.entry-points."fenxiao.scorers"]
    "acme.service" = "acme_scoring:ServiceScorer"

An entry point names a scorer instance, or a class or function that makes one when
called without arguments. Entry points are read only when asked: by
:meth:`ScorerRegistry.discover`, or by :meth:`ScorerRegistry.get` on a name nobody
registered. Importing fenxiao never reads them.

The built-in names ``default.brand`` ... ``default.sales`` (the default scorecard scorers) are registered
by :mod:`fenxiao.scoring.defaults` with :func:`register_builtin`, so that this module knows scorers only by
their protocol.

>>> from fenxiao.scoring.dimensions import Dimension, DimensionScore
>>> registry = ScorerRegistry(entry_point_group=None)
>>> "default.service" in registry
True
>>> class Flat:
...     name, dimension = "flat.brand", Dimension.BRAND
...     def score(self, snapshot, context):
...         return DimensionScore(Dimension.BRAND, 50)
>>> registry.register("flat.brand", Flat())
>>> registry.get("flat.brand").name
'flat.brand'
>>> registry.get("nope")
Traceback (most recent call last):
...
fenxiao.errors.PolicyError: scorer: is not a registered scorer, got 'nope'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import metadata
from typing import Final

from fenxiao.errors import InvalidValueError, PluginError, PolicyError
from fenxiao.scoring.plugins import DimensionScorer, check_shape

__all__ = ["ENTRY_POINT_GROUP", "ScorerRegistry", "default_registry", "register_builtin"]

#: The entry-point group third-party packages list their scorers under.
ENTRY_POINT_GROUP: Final = "fenxiao.scorers"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")

ScorerSource = DimensionScorer | Callable[[], DimensionScorer]

#: The scorers every registry made with ``builtins=True`` starts with, by name (see :func:`register_builtin`).
_BUILTINS: dict[str, ScorerSource] = {}


def _check_name(name: object, path: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise InvalidValueError(path, name, "must be 1-64 letters, digits or _.:- characters")
    return name


def _make(source: object, name: str) -> DimensionScorer:
    """A scorer from an instance, or from a class or function called without arguments."""
    obj = source
    if isinstance(source, type) or (callable(source) and not hasattr(source, "score")):
        try:
            obj = source()
        except Exception as exc:
            raise PluginError(name, None, f"could not be created: {type(exc).__name__}: {exc}") from exc
    check_shape(obj, "", name)
    return obj  # type: ignore[return-value]  # check_shape verified the protocol's shape


class ScorerRegistry:
    """Dimension scorers by name, filled on request from an entry-point group.

    Args:
        entry_point_group: The group to discover, or ``None`` for none.
        builtins: Whether to start with the default scorecard scorers, named
            ``default.brand``, ``default.price``, ``default.distribution``, ``default.service``
            and ``default.sales``.

    Names registered in code win over entry points of the same name; of two entry points
    with one name, the first found on ``sys.path`` wins.

    .. versionadded:: 0.1
    """

    def __init__(self, *, entry_point_group: str | None = ENTRY_POINT_GROUP, builtins: bool = True) -> None:
        group: object = entry_point_group  # annotated str | None; checked for callers without a type checker
        if group is not None and (not isinstance(group, str) or not group):
            raise InvalidValueError("ScorerRegistry.entry_point_group", group, "must be a group name or None")
        flag: object = builtins
        if not isinstance(flag, bool):
            raise InvalidValueError("ScorerRegistry.builtins", builtins, "must be true or false")
        self._group = entry_point_group
        self._sources: dict[str, object] = {}
        self._made: dict[str, DimensionScorer] = {}
        self._discovered = False
        if builtins:
            self._sources.update(_BUILTINS)

    def register(self, name: str, scorer: ScorerSource, *, replace: bool = False) -> None:
        """Register *scorer* (an instance, or a class or function making one) under *name*.

        Raises:
            PolicyError: The name is taken and *replace* is false.
            InvalidValueError: A malformed name.
        """
        _check_name(name, "ScorerRegistry.register.name")
        if name in self._sources and not replace:
            raise PolicyError("ScorerRegistry.register.name", name, "is already registered (pass replace=True)")
        self._sources[name] = scorer
        self._made.pop(name, None)

    def unregister(self, name: str) -> None:
        """Forget *name*.

        Raises:
            PolicyError: Nothing is registered under it.
        """
        if name not in self._sources:
            raise PolicyError("ScorerRegistry.unregister.name", name, "is not a registered scorer")
        del self._sources[name]
        self._made.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._sources

    def names(self) -> tuple[str, ...]:
        """The names registered so far (entry points only once discovered), sorted."""
        return tuple(sorted(self._sources))

    def origin(self, name: str) -> str:
        """Where the scorer *name* comes from: ``"built in"``, ``"entry point"`` or ``"registered"`` (in code).

        Raises:
            PolicyError: Nothing is registered under it (entry points count once discovered).
        """
        if name not in self._sources:
            raise PolicyError("ScorerRegistry.origin.name", name, "is not a registered scorer")
        source = self._sources[name]
        if isinstance(source, metadata.EntryPoint):
            return "entry point"
        return "built in" if _BUILTINS.get(name) is source else "registered"

    def discover(self) -> tuple[str, ...]:
        """Read the entry-point group; returns the names it added. Loading a scorer waits for :meth:`get`."""
        self._discovered = True
        if self._group is None:
            return ()
        added = []
        for entry in metadata.entry_points(group=self._group):
            if entry.name not in self._sources:
                self._sources[entry.name] = entry
                added.append(entry.name)
        return tuple(added)

    def get(self, name: str) -> DimensionScorer:
        """The scorer registered as *name*, discovering entry points first if nobody registered it.

        Raises:
            PolicyError: No scorer has that name.
            PluginError: The entry point fails to import, or does not give a dimension scorer.
        """
        made = self._made.get(name)
        if made is not None:
            return made
        if name not in self._sources and not self._discovered:
            self.discover()
        if name not in self._sources:
            raise PolicyError("scorer", name, "is not a registered scorer")
        source = self._sources[name]
        # Duck-typed: importing some libraries (dask) swaps in the importlib_metadata backport, whose
        # EntryPoint is another class; an entry point is anything with a group and a load().
        load = getattr(source, "load", None)
        if isinstance(source, metadata.EntryPoint) or (hasattr(source, "group") and callable(load)):
            try:
                source = getattr(source, "load")()  # noqa: B009 - source is typed object here
            except Exception as exc:
                raise PluginError(name, None, f"could not be loaded: {type(exc).__name__}: {exc}") from exc
        scorer = _make(source, name)
        self._made[name] = scorer
        return scorer


def register_builtin(name: str, scorer: ScorerSource) -> None:
    """Make *scorer* (an instance, or a class or function making one) a built-in: every registry created from now
    on with ``builtins=True`` starts with it under *name*.

    :mod:`fenxiao.scoring.defaults` registers the default scorecard scorers this way when the package is imported.

    Raises:
        PolicyError: *name* is already a built-in.
        InvalidValueError: A malformed name.
    """
    _check_name(name, "register_builtin.name")
    if name in _BUILTINS:
        raise PolicyError("register_builtin.name", name, "is already a built-in scorer")
    _BUILTINS[name] = scorer


@cache
def default_registry() -> ScorerRegistry:
    """The process-wide registry that scorecards files resolve names against (created on first use)."""
    return ScorerRegistry()
