"""Every error fenxiao raises, under one root: :class:`FenxiaoError`.

Concrete errors also subclass the builtin they resemble, so code that already
catches ``ValueError`` keeps working. Every message names the field path, the
problem and the bad value::

    >>> raise InvalidValueError("Sku.price", -1, "must not be negative")
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: Sku.price: must not be negative, got -1
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = [
    "CurrencyMismatchError",
    "FenxiaoError",
    "InvalidValueError",
    "MissingExtraError",
    "PluginError",
    "PolicyError",
    "RuleError",
    "TransitionError",
    "ValidationError",
]


class _Nothing:
    """Stands for a value that is absent (a missing key), so messages omit ", got ..."."""

    def __repr__(self) -> str:
        return "nothing"

    def __reduce__(self) -> str:
        # Pickle and copy by name, so the one NOTHING stays the one NOTHING (messages test it by identity).
        return "NOTHING"


#: The value of an :class:`InvalidValueError` about something absent (e.g. a required key).
NOTHING: Final = _Nothing()

# Longer reprs are cut in messages; the value itself stays whole on the error's ``value``.
_MAX_SHOWN: Final = 1000


def _shown(value: object) -> str:
    """The value's repr for a message: cut to ``_MAX_SHOWN`` characters, and never raising."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the error being reported
        text = f"<{type(value).__name__} object with a failing repr>"
    return text if len(text) <= _MAX_SHOWN else f"{text[: _MAX_SHOWN - 3]}..."


class FenxiaoError(Exception):
    """Base class for every error fenxiao raises.

    Catch this to handle any failure fenxiao signals; the subclasses say which kind.
    Errors pickle (to cross process boundaries) with their attributes and notes.
    """


class InvalidValueError(FenxiaoError, ValueError):
    """A field holds a value the domain does not allow.

    Args:
        path: Where the value sits, e.g. ``"Sku.price"`` or ``"skus[3].price"``.
        value: The offending value (shown with ``repr``).
        problem: What is wrong, phrased to follow the path: ``"must not be negative"``.
    """

    def __init__(self, path: str, value: object, problem: str) -> None:
        got = "" if value is NOTHING else f", got {_shown(value)}"
        super().__init__(f"{path}: {problem}{got}")
        self.path = path
        self.value = value
        self.problem = problem

    def at(self, path: str) -> InvalidValueError:
        """Return the same error re-rooted at *path* (used when a value is found inside a file)."""
        return type(self)(path, self.value, self.problem)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickles although args differ from __init__; the state dict carries notes and any added attributes.
        return (type(self), (self.path, self.value, self.problem), self.__dict__)


class CurrencyMismatchError(InvalidValueError):
    """Two amounts in different currencies were combined or compared."""


class TransitionError(InvalidValueError):
    """A lifecycle (listing, order) was asked to make a transition its table does not allow."""


class PolicyError(InvalidValueError):
    """A policy, scorecard, catalog or plan is inconsistent (empty, ambiguous, unreachable, too large)."""


#: The name the style guide uses for :class:`PolicyError`; both work.
RuleError = PolicyError


class PluginError(FenxiaoError, RuntimeError):
    """A plug-in (scorer, perk kind, ...) raised or broke its contract.

    Args:
        plugin: The plug-in's registered name or ``repr``.
        subject: What it was working on (e.g. the SKU id), or ``None``.
        problem: What went wrong.
    """

    def __init__(self, plugin: str, subject: object, problem: str) -> None:
        where = f" on {_shown(subject)}" if subject is not None else ""
        super().__init__(f"plug-in {plugin!r}{where}: {problem}")
        self.plugin = plugin
        self.subject = subject
        self.problem = problem

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.plugin, self.subject, self.problem), self.__dict__)


class ValidationError(FenxiaoError, ValueError):
    """Structuring data (a dict, JSON or TOML document) failed; holds every problem found.

    Attributes:
        errors: One :class:`InvalidValueError` per problem, each with its full path in the document.
    """

    def __init__(self, errors: Iterable[InvalidValueError], what: str = "document") -> None:
        self.errors = tuple(errors)
        self.what = what
        lines = "\n".join(f"  {e}" for e in self.errors)
        count = len(self.errors)
        super().__init__(f"invalid {what} ({count} problem{'s' if count != 1 else ''}):\n{lines}")

    @property
    def messages(self) -> tuple[str, ...]:
        """Each problem as one line: ``path: problem, got value``."""
        return tuple(str(e) for e in self.errors)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.errors, self.what), self.__dict__)


class MissingExtraError(FenxiaoError, ImportError):
    """An optional part of fenxiao was imported without the extra that provides its dependency.

    It is an :class:`ImportError` too, so ``except ImportError`` keeps working.

    Args:
        package: The missing distribution, e.g. ``"hypothesis"``.
        extra: The fenxiao extra that installs it, e.g. ``"testing"``.
        module: The fenxiao module that needs it.

    .. versionadded:: 0.1

    >>> print(MissingExtraError("hypothesis", "testing", "fenxiao.testing.strategies"))
    fenxiao.testing.strategies requires the 'hypothesis' package: pip install 'fenxiao[testing]'
    """

    def __init__(self, package: str, extra: str, module: str) -> None:
        super().__init__(
            f"{module} requires the {package!r} package: pip install 'fenxiao[{extra}]'",
            name=package,
        )
        self.package = package
        self.extra = extra
        self.module = module

    def __reduce__(self) -> tuple[object, ...]:  # pickles although args differ from __init__
        return (type(self), (self.package, self.extra, self.module))
