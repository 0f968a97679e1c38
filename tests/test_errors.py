"""Tests for fenxiao.errors: one root, builtin bases, messages that name path and value, pickling."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fenxiao
from fenxiao import errors
from fenxiao.errors import (
    NOTHING,
    CurrencyMismatchError,
    FenxiaoError,
    InvalidValueError,
    PluginError,
    PolicyError,
    RuleError,
    TransitionError,
    ValidationError,
)
from fenxiao.money import Money, Rate

ERROR_CLASSES: list[tuple[type[FenxiaoError], type[Exception]]] = [
    (InvalidValueError, ValueError),
    (CurrencyMismatchError, ValueError),
    (TransitionError, ValueError),
    (PolicyError, ValueError),
    (PluginError, RuntimeError),
    (ValidationError, ValueError),
]


def examples() -> list[FenxiaoError]:
    """One instance of every error class, built as the library builds them."""
    return [
        FenxiaoError("something failed"),
        InvalidValueError("Sku.price", -1, "must not be negative"),
        InvalidValueError("skus[3]", NOTHING, "is required"),
        CurrencyMismatchError("Money.__add__", Money(100, "USD"), "cannot combine CNY with USD"),
        TransitionError("Listing.status", "approved", "cannot move from rejected to approved"),
        PolicyError("policy.tiers", (), "must not be empty"),
        PluginError("brand-scorer", "sku-1", "returned the price dimension"),
        PluginError("brand-scorer", None, "raised ZeroDivisionError"),
        ValidationError(
            [
                InvalidValueError("$.skus[0].price", "-1.00", "must not be negative"),
                InvalidValueError("$.skus[1].code", NOTHING, "is required"),
            ],
            what="Catalog",
        ),
    ]


# -- the hierarchy --------------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "builtin"), ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_is_a_fenxiao_error_and_the_builtin_it_resembles(
    cls: type[FenxiaoError], builtin: type[Exception]
) -> None:
    """Each concrete error subclasses FenxiaoError and a builtin, so existing except clauses still catch it."""
    assert issubclass(cls, FenxiaoError)
    assert issubclass(cls, builtin)


def test_every_public_name_is_a_fenxiao_error_class() -> None:
    """errors.__all__ lists only FenxiaoError and its subclasses, and every one is exported by fenxiao."""
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert isinstance(cls, type)
        assert issubclass(cls, FenxiaoError)
        assert getattr(fenxiao, name) is cls
    assert {cls.__name__ for cls, _ in ERROR_CLASSES} | {"FenxiaoError"} <= set(errors.__all__)


def test_rule_error_is_another_name_for_policy_error() -> None:
    """The style guide's RuleError and PolicyError are the same class."""
    assert RuleError is PolicyError


def test_currency_mismatch_and_transition_errors_are_invalid_values() -> None:
    """Code catching InvalidValueError also catches a currency mismatch and an illegal transition."""
    assert issubclass(CurrencyMismatchError, InvalidValueError)
    assert issubclass(TransitionError, InvalidValueError)
    assert issubclass(PolicyError, InvalidValueError)


# -- messages -------------------------------------------------------------------------------------


def test_invalid_value_message_names_path_problem_and_value() -> None:
    """The message reads 'path: problem, got repr(value)' and the parts stay on the error."""
    error = InvalidValueError("CommissionPlan.rate", Decimal("1.5"), "must be between 0 and 1")
    assert str(error) == "CommissionPlan.rate: must be between 0 and 1, got Decimal('1.5')"
    assert (error.path, error.value, error.problem) == (
        "CommissionPlan.rate",
        Decimal("1.5"),
        "must be between 0 and 1",
    )


def test_an_absent_value_is_not_shown() -> None:
    """With NOTHING as the value (a missing key) the message has no ', got ...'."""
    assert str(InvalidValueError("$.skus[1].code", NOTHING, "is required")) == "$.skus[1].code: is required"
    assert repr(NOTHING) == "nothing"


@pytest.mark.parametrize(
    "cls", [InvalidValueError, CurrencyMismatchError, TransitionError, PolicyError], ids=lambda c: c.__name__
)
def test_subclasses_share_the_message_format(cls: type[InvalidValueError]) -> None:
    """Every InvalidValueError subclass writes 'path: problem, got value'."""
    assert str(cls("a.b[2]", 7, "is odd")) == "a.b[2]: is odd, got 7"


@given(path=st.text(min_size=1, max_size=40), value=st.one_of(st.integers(), st.text(max_size=50), st.decimals()))
def test_messages_always_contain_the_path_and_the_values_repr(path: str, value: object) -> None:
    """For any path and short value, the message starts with the path and ends with the value's repr."""
    message = str(InvalidValueError(path, value, "is wrong"))
    assert message.startswith(f"{path}: is wrong")
    assert message.endswith(f", got {value!r}")


def test_a_very_long_value_is_cut_in_the_message_but_kept_on_the_error() -> None:
    """A megabyte string does not make a megabyte message; error.value still holds all of it."""
    value = "x" * 1_000_000
    error = InvalidValueError("Sku.title", value, "is too long")
    assert len(str(error)) < 1100
    assert str(error).endswith("...")
    assert error.value is value


def test_a_value_whose_repr_raises_still_gives_a_message() -> None:
    """A broken __repr__ is reported as such instead of hiding the error."""

    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    assert str(InvalidValueError("x", Broken(), "is bad")) == "x: is bad, got <Broken object with a failing repr>"


def test_plugin_error_names_the_plugin_and_its_subject() -> None:
    """PluginError says which plug-in failed on what; without a subject it says only the plug-in."""
    assert str(PluginError("brand", "sku-1", "returned 120")) == "plug-in 'brand' on 'sku-1': returned 120"
    assert str(PluginError("brand", None, "raised KeyError")) == "plug-in 'brand': raised KeyError"


def test_validation_error_lists_every_problem() -> None:
    """ValidationError counts the problems, shows one per line and keeps each as an InvalidValueError."""
    error = examples()[-1]
    assert isinstance(error, ValidationError)
    assert str(error) == (
        "invalid Catalog (2 problems):\n"
        "  $.skus[0].price: must not be negative, got '-1.00'\n"
        "  $.skus[1].code: is required"
    )
    assert error.messages == ("$.skus[0].price: must not be negative, got '-1.00'", "$.skus[1].code: is required")
    assert all(isinstance(e, InvalidValueError) for e in error.errors)
    assert str(ValidationError([InvalidValueError("a", 1, "b")])).startswith("invalid document (1 problem):")


def test_at_re_roots_an_error_keeping_its_class() -> None:
    """error.at(path) moves the error to a new path, same class, value and problem."""
    moved = CurrencyMismatchError("Money.__add__", Money(1, "USD"), "cannot combine CNY with USD").at("$.total")
    assert type(moved) is CurrencyMismatchError
    assert str(moved) == "$.total: cannot combine CNY with USD, got Money(fen=1, currency='USD')"


def test_money_errors_name_their_path_and_value() -> None:
    """Errors raised by money code follow the format and are catchable by their builtin base."""
    with pytest.raises(ValueError, match=r"^Money\.of: is not exact to the fen, got '1\.005'$"):
        Money.of("1.005")
    with pytest.raises(FenxiaoError, match=r"^Rate\.of: is above 100%, got '120%'$"):
        Rate.of("120%")
    with pytest.raises(CurrencyMismatchError, match=r"^Money\.__add__: cannot combine CNY with USD, got Money"):
        Money(1) + Money(1, "USD")


# -- pickling -------------------------------------------------------------------------------------


def same_error(a: BaseException, b: BaseException) -> bool:
    """Whether two errors have the same class, message and attributes (nested errors compared alike)."""
    if type(a) is not type(b) or str(a) != str(b) or vars(a).keys() != vars(b).keys():
        return False
    for name, value in vars(a).items():
        other = vars(b)[name]
        if name == "errors":
            if len(value) != len(other) or not all(map(same_error, value, other)):
                return False
        elif value != other:
            return False
    return True


@pytest.mark.parametrize("error", examples(), ids=lambda e: f"{type(e).__name__}:{str(e)[:20]}")
def test_every_error_pickles_and_copies(error: FenxiaoError) -> None:
    """pickle, copy and deepcopy give back an equal error: same class, message and attributes."""
    for back in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert same_error(back, error)


def test_pickling_keeps_notes_and_added_attributes() -> None:
    """Notes (add_note) and attributes set after construction survive pickling."""
    error = InvalidValueError("Sku.price", -1, "must not be negative")
    error.add_note("while loading catalog.json")
    error.line = 12
    back = pickle.loads(pickle.dumps(error))
    assert back.__notes__ == ["while loading catalog.json"]
    assert back.line == 12


def test_nothing_stays_the_same_object_through_pickling() -> None:
    """NOTHING pickles and copies by name, so an absent value stays absent (no ', got nothing')."""
    assert pickle.loads(pickle.dumps(NOTHING)) is NOTHING
    assert copy.deepcopy(NOTHING) is NOTHING
    back = pickle.loads(pickle.dumps(InvalidValueError("$.code", NOTHING, "is required")))
    assert back.value is NOTHING
    assert str(back) == "$.code: is required"


def test_validation_error_pickles_with_its_nested_errors() -> None:
    """A ValidationError's nested errors come back with their classes and paths."""
    error = ValidationError([CurrencyMismatchError("$.a", Money(1, "USD"), "cannot combine CNY with USD")])
    back = pickle.loads(pickle.dumps(error))
    assert [type(e) for e in back.errors] == [CurrencyMismatchError]
    assert back.messages == error.messages


@given(
    path=st.text(max_size=30),
    value=st.one_of(st.none(), st.integers(), st.text(max_size=30), st.decimals(allow_nan=False)),
    problem=st.text(max_size=30),
)
def test_invalid_value_errors_round_trip_through_pickle(path: str, value: object, problem: str) -> None:
    """Any InvalidValueError pickles back to the same message and parts."""
    error = InvalidValueError(path, value, problem)
    back = pickle.loads(pickle.dumps(error))
    assert same_error(back, error)


def test_errors_raised_by_money_pickle() -> None:
    """An error caught from Money pickles back intact (e.g. to cross a process pool)."""
    with pytest.raises(CurrencyMismatchError) as caught:
        Money(1) < Money(1, "USD")  # noqa: B015  (the comparison is what raises)
    back = pickle.loads(pickle.dumps(caught.value))
    assert same_error(back, caught.value)
    assert back.value == Money(1, "USD")
