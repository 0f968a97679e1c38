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
from typing import Final, Self

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

#: How many problems the message of a :class:`ValidationError` lists; the rest are counted ("... and 3 more").
#: ``ValidationError.errors`` keeps every one.
MAX_LISTED_PROBLEMS: Final = 100


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

    Attributes:
        line, column: Where the value is written (1-based), when it was read from JSON or TOML text; ``None``
            otherwise. See :meth:`located`.
    """

    line: int | None = None
    column: int | None = None

    def __init__(self, path: str, value: object, problem: str) -> None:
        got = "" if value is NOTHING else f", got {_shown(value)}"
        super().__init__(f"{path}: {problem}{got}")
        self.path = path
        self.value = value
        self.problem = problem

    def at(self, path: str) -> InvalidValueError:
        """Return the same error re-rooted at *path* (used when a value is found inside a file)."""
        return type(self)(path, self.value, self.problem)

    def located(self, line: int, column: int) -> Self:
        """Return the same error (same class, path, value and problem) placed at *line* and *column* of its text.

        .. versionadded:: 0.3

        >>> error = InvalidValueError("skus[3].price", 9.9, "has a float").located(12, 16)
        >>> error.line, error.column, error.where
        (12, 16, 'line 12, column 16')
        """
        placed = type(self)(self.path, self.value, self.problem)
        placed.line, placed.column = line, column
        return placed

    @property
    def where(self) -> str | None:
        """``"line 12, column 16"`` when the error has a place in a text, else ``None``."""
        if self.line is None:
            return None
        return f"line {self.line}" if self.column is None else f"line {self.line}, column {self.column}"

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

    The message lists one problem per line, each as ``path: problem, got value``, preceded by its place in the
    text (``line 3, column 5: ``) when the document was read from JSON or TOML text; it lists at most
    :data:`MAX_LISTED_PROBLEMS` and counts the rest (``... and 3 more``).

    Attributes:
        errors: One :class:`InvalidValueError` per problem, each with its full path in the document (and its
            ``line`` and ``column`` when read from text): all of them, also those the message only counts.

    >>> print(ValidationError([InvalidValueError("price", 9.9, "has a float").located(3, 10)], what="Sku"))
    invalid Sku (1 problem):
      line 3, column 10: price: has a float, got 9.9
    """

    def __init__(self, errors: Iterable[InvalidValueError], what: str = "document") -> None:
        self.errors = tuple(errors)
        self.what = what
        listed = [f"  {e.where}: {e}" if e.where is not None else f"  {e}" for e in self.errors[:MAX_LISTED_PROBLEMS]]
        count = len(self.errors)
        if count > MAX_LISTED_PROBLEMS:
            listed.append(f"  ... and {count - MAX_LISTED_PROBLEMS} more")
        lines = "\n".join(listed)
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
