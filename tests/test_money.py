"""Tests for fenxiao.money: Money (integer fen), Rate (exact, 1-ppm grid) and Rounding."""

from __future__ import annotations

import math
import operator
import pickle
import re
from collections.abc import Callable, Sequence
from decimal import Context, Decimal, localcontext
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fenxiao.errors import CurrencyMismatchError, FenxiaoError, InvalidValueError
from fenxiao.money import DEFAULT_CURRENCY, MAX_FEN, RATE_PLACES, Money, Rate, Rounding, _trusted, round_div

# -- strategies and oracles -----------------------------------------------------------------------

CURRENCIES = ("CNY", "USD", "HKD")
ROUNDINGS = list(Rounding)
PPM = 10**RATE_PLACES

currencies = st.sampled_from(CURRENCIES)
roundings = st.sampled_from(ROUNDINGS)
rates = st.integers(0, PPM).map(Rate.from_ppm)


def moneys(*, limit: int = MAX_FEN, currency: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Money]:
    """Amounts with |fen| <= limit (a smaller limit leaves room for sums and products), in CNY by default."""
    currency = st.just(DEFAULT_CURRENCY) if currency is None else currency
    return st.builds(Money, fen=st.integers(-limit, limit), currency=currency)


# Exact factors small enough that fen (<= 10**13) times them stays within MAX_FEN.
factors = st.one_of(
    rates,
    st.integers(-50, 50),
    st.fractions(min_value=-50, max_value=50, max_denominator=10**6),
    st.decimals(min_value=-50, max_value=50, places=8, allow_nan=False, allow_infinity=False),
)

Weight = int | Decimal | Fraction | Rate
weights_lists = st.lists(
    st.one_of(
        st.integers(0, 10**6),
        st.just(0),
        st.fractions(min_value=0, max_value=100, max_denominator=1000),
        st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False),
        rates,
    ),
    min_size=1,
    max_size=20,
)


def exact(weight: Weight) -> Fraction:
    """A weight as a Fraction, computed without fenxiao."""
    return weight.as_fraction() if isinstance(weight, Rate) else Fraction(weight)


def reference_round(value: Fraction, mode: Rounding) -> int:
    """Round an exact Fraction as each mode's documented rule says, by math alone."""
    sign = -1 if value < 0 else 1
    if mode is Rounding.FLOOR:
        return math.floor(value)
    if mode is Rounding.CEILING:
        return math.ceil(value)
    if mode is Rounding.DOWN:
        return math.trunc(value)
    if mode is Rounding.UP:
        return sign * math.ceil(abs(value))
    if mode is Rounding.HALF_UP:
        return sign * math.floor(abs(value) + Fraction(1, 2))
    return round(value)  # Fraction.__round__ takes halves to the even neighbour, exactly


FLOATS = st.floats(allow_nan=True, allow_infinity=True)


# -- construction ---------------------------------------------------------------------------------


def test_one_fen_is_the_smallest_amount() -> None:
    """0.01 yuan is one fen and formats as ¥0.01."""
    cent = Money.of("0.01")
    assert cent == Money(fen=1)
    assert (str(cent), cent.to_text(), cent.yuan) == ("¥0.01", "0.01", Decimal("0.01"))


def test_the_largest_amount_is_max_fen_either_sign() -> None:
    """MAX_FEN and -MAX_FEN are accepted, in fen and as yuan text."""
    assert Money(MAX_FEN).fen == MAX_FEN
    assert Money(-MAX_FEN).fen == -MAX_FEN
    assert Money.of("9999999999999.99") == Money(MAX_FEN)
    assert Money.of("-¥9,999,999,999,999.99") == Money(-MAX_FEN)
    assert Money(MAX_FEN).format(grouping=True) == "¥9,999,999,999,999.99"


@pytest.mark.parametrize("fen", [MAX_FEN + 1, -MAX_FEN - 1, 10**40])
def test_amounts_beyond_max_fen_are_refused(fen: int) -> None:
    """One fen more than MAX_FEN is refused, naming the field and the value."""
    with pytest.raises(InvalidValueError, match=rf"^Money\.fen: is beyond the largest supported amount .*got {fen}$"):
        Money(fen)


@pytest.mark.parametrize("text", ["10000000000000.00", "-10000000000000", "¥10,000,000,000,000.00"])
def test_yuan_text_beyond_max_fen_is_refused(text: str) -> None:
    """Money.of refuses MAX_FEN + 1 fen written in yuan."""
    with pytest.raises(InvalidValueError, match=r"^Money\.of: is beyond the largest supported amount"):
        Money.of(text)


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda: Money(MAX_FEN) + Money(1), r"Money\.__add__"),
        (lambda: Money(-MAX_FEN) - Money(1), r"Money\.__sub__"),
        (lambda: Money(MAX_FEN) * 2, r"Money\.__mul__"),
        (lambda: Money(MAX_FEN).times(2, rounding=Rounding.DOWN), r"Money\.times"),
    ],
)
def test_results_beyond_max_fen_are_refused_naming_the_operation(make: Callable[[], Money], path: str) -> None:
    """Overflowing arithmetic raises InvalidValueError that names the operation."""
    with pytest.raises(InvalidValueError, match=rf"^{path}: is beyond the largest supported amount"):
        make()


def test_huge_decimals_are_refused_at_once() -> None:
    """A Decimal with an enormous exponent is refused by comparison, never expanded to an int."""
    with pytest.raises(InvalidValueError, match="beyond the largest supported amount"):
        Money.of(Decimal("1E+999999999"))
    with pytest.raises(InvalidValueError, match="is not exact to the fen"):
        Money.of(Decimal("1E-999999999"))
    assert Money.of(Decimal("0E-999999999")) == Money(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("99.90", Money(9990)),
        ("¥99.90", Money(9990)),
        ("￥99.90", Money(9990)),
        (" ¥ 99.90 ", Money(9990)),
        ("99.90 CNY", Money(9990)),
        ("99.90CNY", Money(9990)),
        ("¥99.90 CNY", Money(9990)),
        ("12.00 USD", Money(1200, "USD")),
        ("-12.00 USD", Money(-1200, "USD")),
        ("-¥1.00", Money(-100)),
        ("¥-1.00", Money(-100)),
        ("- ¥1.00", Money(-100)),
        ("+¥1.00", Money(100)),
        ("-0.00", Money(0)),
        ("99.9", Money(9990)),
        ("99", Money(9900)),
        ("99.", Money(9900)),
        (".5", Money(50)),
        ("1.000", Money(100)),
        ("1,234.50", Money(123450)),
        ("¥4,112,442.62", Money(411244262)),
    ],
)
def test_money_of_reads_every_documented_text_form(text: str, expected: Money) -> None:
    """Plain yuan, the ¥/￥ sign, a trailing code, signs, and grouped thousands all parse exactly."""
    assert Money.of(text) == expected


def test_the_currency_in_the_text_overrides_the_argument() -> None:
    """A trailing code or the ¥ sign wins over the currency argument; bare text takes the argument."""
    assert Money.of("1.00 USD", "HKD") == Money(100, "USD")
    assert Money.of("¥1.00", "HKD") == Money(100, "CNY")
    assert Money.of("1.00", "HKD") == Money(100, "HKD")


def test_the_yuan_sign_on_another_currency_is_refused() -> None:
    """'¥1.00 USD' contradicts itself and is refused."""
    with pytest.raises(
        InvalidValueError, match=r"^Money\.of: puts the yuan sign ¥ on an amount in USD, got '¥1.00 USD'$"
    ):
        Money.of("¥1.00 USD")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "¥",
        "abc",
        "1e3",
        "1E+2",
        "NaN",
        "Infinity",
        "1,00",  # a European decimal comma, not one hundred
        "1,0000",
        ",100",
        "1.2.3",
        "--1",
        "-¥-1",
        "+-1",
        "１２",  # full-width digits
        "١٢",  # Arabic-Indic digits
        "1_000",
        "99.90 cny",
        "CNY 99.90",
        "$5",
        "5 元",
    ],
)
def test_money_of_refuses_text_that_is_not_a_plain_amount(text: str) -> None:
    """Anything but the documented text forms is 'not a number', with the text quoted."""
    with pytest.raises(InvalidValueError, match=rf"^Money\.of: is not a number .*got {re.escape(repr(text))}$"):
        Money.of(text)


@pytest.mark.parametrize("amount", ["1.005", "0.001", "-0.009", Decimal("1.005"), Decimal("1." + "0" * 70 + "1")])
def test_sub_fen_amounts_are_refused_not_rounded(amount: str | Decimal) -> None:
    """1.005 yuan (and a 70-digit Decimal one unit past ¥1) is not exact to the fen."""
    with pytest.raises(InvalidValueError, match=r"^Money\.of: is not exact to the fen"):
        Money.of(amount)


def test_money_of_takes_an_int_as_yuan() -> None:
    """Money.of(5) is five yuan, unlike Money(fen=5)."""
    assert Money.of(5) == Money(500)
    assert Money.of(Decimal("-12.5"), "USD") == Money(-1250, "USD")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (True, "must be a string, Decimal or int"),
        (None, "must be a string, Decimal or int"),
        (b"1.00", "must be a string, Decimal or int"),
        (Fraction(1, 2), "must be a string, Decimal or int"),
        (Decimal("NaN"), "must be a finite number"),
        (Decimal("-Infinity"), "must be a finite number"),
    ],
)
def test_money_of_refuses_other_types_and_non_finite_decimals(value: object, problem: str) -> None:
    """Bools, None, bytes, Fractions and non-finite Decimals are refused with a clear problem."""
    with pytest.raises(InvalidValueError, match=rf"^Money\.of: {problem}"):
        Money.of(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("fen", [True, "100", Decimal(100), Fraction(100), None])
def test_money_fen_must_be_a_plain_int(fen: object) -> None:
    """Money(fen=...) takes only an int, naming Money.fen in the error."""
    with pytest.raises(InvalidValueError, match=r"^Money\.fen: must be an int number of fen, got"):
        Money(fen)  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["cny", "CN", "CNYY", "CNY\n", " CNY", "", 156, None])
def test_currency_must_be_a_three_letter_upper_case_code(currency: object) -> None:
    """Malformed currency codes are refused (a trailing newline too)."""
    with pytest.raises(InvalidValueError, match=r"^Money\.currency: must be a three-letter code"):
        Money(1, currency)  # type: ignore[arg-type]


def test_money_parse_accepts_only_text() -> None:
    """Money.parse is Money.of for strings and refuses anything else."""
    assert Money.parse("9.90 CNY") == Money(990)
    with pytest.raises(InvalidValueError, match=r"^Money\.parse: must be a string, got Decimal\('9\.90'\)$"):
        Money.parse(Decimal("9.90"))  # type: ignore[arg-type]


# -- floats, refused everywhere -------------------------------------------------------------------


@given(value=FLOATS)
def test_money_refuses_float_fen(value: float) -> None:
    """Money(fen=<float>) is refused, whole-valued floats included."""
    with pytest.raises(InvalidValueError, match=r"^Money\.fen: must be an int number of fen, not a float"):
        Money(fen=value)  # type: ignore[arg-type]


@given(value=FLOATS)
def test_money_of_refuses_floats(value: float) -> None:
    """Money.of(<float>) is refused."""
    with pytest.raises(InvalidValueError, match=r"^Money\.of: must be a string or Decimal, not a float"):
        Money.of(value)  # type: ignore[arg-type]


@given(value=FLOATS, rounding=roundings)
def test_times_refuses_float_factors(value: float, rounding: Rounding) -> None:
    """Money.times(<float>) is refused whatever the rounding mode."""
    with pytest.raises(InvalidValueError, match=r"^Money\.times\.factor: must be exact .*not a float"):
        Money(100).times(value, rounding=rounding)  # type: ignore[arg-type]


@given(weights=st.lists(st.integers(0, 100), min_size=1, max_size=5), where=st.integers(0, 5), value=FLOATS)
def test_allocate_refuses_a_float_weight_anywhere(weights: list[int], where: int, value: float) -> None:
    """A float among the weights is refused, naming its index."""
    mixed: list[Any] = list(weights)
    index = min(where, len(mixed))
    mixed.insert(index, value)
    with pytest.raises(InvalidValueError, match=rf"^Money\.allocate\.weights\[{index}\]: .*not a float"):
        Money(100).allocate(mixed)


@given(value=FLOATS)
def test_rate_of_refuses_floats(value: float) -> None:
    """Rate.of(<float>) is refused."""
    with pytest.raises(InvalidValueError, match=r"^Rate\.of: must be a string or Decimal, not a float"):
        Rate.of(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda: Rate.from_bp(1250.0), r"Rate\.from_bp"),  # type: ignore[arg-type]
        (lambda: Rate.from_permille(125.0), r"Rate\.from_permille"),  # type: ignore[arg-type]
        (lambda: Rate.from_ppm(1.0), r"Rate\.from_ppm"),  # type: ignore[arg-type]
        (lambda: Rate(0.5), r"Rate\.value"),
        (lambda: Rounding.HALF_UP.round_fraction(2.5), r"Rounding\.round_fraction"),  # type: ignore[arg-type]
        (lambda: Money(100) * 1.5, r"Money\.__mul__"),
        (lambda: 1.5 * Money(100), r"Money\.__mul__"),
    ],
)
def test_every_other_entry_point_refuses_floats(make: Callable[[], object], path: str) -> None:
    """Rate constructors, Rounding.round_fraction and Money * n refuse floats, naming where."""
    with pytest.raises(InvalidValueError, match=rf"^{path}: .*not a float"):
        make()


# -- arithmetic and comparison --------------------------------------------------------------------

within_sums = moneys(limit=MAX_FEN // 3)


@given(a=within_sums, b=within_sums, c=within_sums)
def test_addition_is_associative_and_commutative(a: Money, b: Money, c: Money) -> None:
    """(a + b) + c == a + (b + c) and a + b == b + a, exactly."""
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@given(a=moneys(currency=currencies))
def test_zero_is_the_identity_and_negation_the_inverse(a: Money) -> None:
    """a + 0 == a, a + (-a) == 0 and sum() starting from the int 0 works."""
    zero = Money.zero(a.currency)
    assert a + zero == a == zero + a
    assert a + (-a) == zero
    assert a - a == zero
    assert sum([a, zero]) == a
    assert bool(a) == (a.fen != 0)


@given(a=within_sums, b=within_sums)
def test_subtraction_is_exact(a: Money, b: Money) -> None:
    """(a - b).fen == a.fen - b.fen and adding b back restores a."""
    assert (a - b).fen == a.fen - b.fen
    assert (a - b) + b == a
    assert abs(a - b) == abs(b - a)


@given(parts=st.lists(moneys(limit=10**12), max_size=30))
def test_sum_of_amounts_is_the_sum_of_fen(parts: list[Money]) -> None:
    """sum(parts, Money.zero()) is exact."""
    assert sum(parts, Money.zero()) == Money(sum(p.fen for p in parts))


@given(a=moneys(limit=MAX_FEN // 1000), n=st.integers(-1000, 1000))
def test_multiplying_by_an_int_is_exact_both_ways(a: Money, n: int) -> None:
    """a * n and n * a equal Money(a.fen * n) (amounts drawn so that every product is within MAX_FEN)."""
    assert a * n == n * a == Money(a.fen * n)


def test_a_product_past_max_fen_is_refused_naming_the_operation() -> None:
    """The amount that made the old property flaky: 10**12 fen × 1000 is past MAX_FEN."""
    assert Money(MAX_FEN // 1000) * 1000 == Money(MAX_FEN // 1000 * 1000)
    with pytest.raises(InvalidValueError, match=r"Money.__mul__"):
        Money(10**12) * 1000


@pytest.mark.parametrize("factor", [Decimal("1.5"), Fraction(3, 2), Rate.of("50%")])
def test_multiplying_by_a_non_int_points_to_times(factor: object) -> None:
    """Money * Decimal/Fraction/Rate is refused with a hint to use times(..., rounding=...)."""
    with pytest.raises(
        InvalidValueError, match=r"^Money\.__mul__: must be an int; multiply by a rate with Money\.times"
    ):
        Money(100) * factor
    with pytest.raises(InvalidValueError, match=r"^Money\.__mul__"):
        factor * Money(100)


@pytest.mark.parametrize("other", [1, Decimal(1), "1.00", 0.1, Rate.of("5%")])
def test_adding_a_number_to_money_is_refused_by_name(other: object) -> None:
    """Money ± a number or text is an InvalidValueError naming the operation, so a bare number never sneaks in."""
    with pytest.raises(InvalidValueError, match=r"Money.__add__: must be Money"):
        Money(100) + other
    with pytest.raises(InvalidValueError, match=r"Money.__radd__: must be Money"):
        other + Money(100)
    with pytest.raises(InvalidValueError, match=r"Money.__sub__: must be Money"):
        Money(100) - other
    with pytest.raises(TypeError):
        operator.lt(Money(100), other)  # type: ignore[arg-type]


def test_adding_something_else_to_money_is_left_to_python() -> None:
    """Other types are not refused by Money, so their own operators may answer; unanswered, it is a TypeError."""
    with pytest.raises(TypeError):
        Money(100) + None


COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]


@given(a=moneys(currency=currencies), b=moneys(currency=currencies))
def test_comparison_agrees_with_fen_within_a_currency(a: Money, b: Money) -> None:
    """Every comparison of same-currency amounts gives what comparing their fen gives."""
    b = Money(b.fen, a.currency)
    for compare in COMPARISONS:
        assert compare(a, b) == compare(a.fen, b.fen)
    assert (hash(a) == hash(b)) or a != b


OPERATIONS = [operator.add, operator.sub, operator.lt, operator.le, operator.gt, operator.ge]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.__name__)
@given(a=moneys(limit=10**12), b=moneys(limit=10**12), pair=st.permutations(CURRENCIES).map(lambda p: p[:2]))
def test_mixing_currencies_is_refused(
    operation: Callable[[Money, Money], object], a: Money, b: Money, pair: Sequence[str]
) -> None:
    """+, -, <, <=, >, >= across currencies raise CurrencyMismatchError naming both codes."""
    left, right = Money(a.fen, pair[0]), Money(b.fen, pair[1])
    with pytest.raises(CurrencyMismatchError, match=rf"^Money\.__\w+__: cannot combine {pair[0]} with {pair[1]}, got"):
        operation(left, right)


def test_amounts_in_different_currencies_are_never_equal() -> None:
    """== across currencies is False (not an error), so amounts can sit in sets and dicts."""
    assert Money(100, "CNY") != Money(100, "USD")
    assert len({Money(100, "CNY"), Money(100, "USD"), Money(100)}) == 2


def test_a_currency_mismatch_is_also_a_value_error() -> None:
    """CurrencyMismatchError is catchable as FenxiaoError and ValueError."""
    with pytest.raises(ValueError, match="cannot combine"):
        Money(1) + Money(1, "USD")
    with pytest.raises(FenxiaoError):
        Money(1) - Money(1, "USD")


def test_sum_refuses_mixed_currencies_and_non_zero_starts() -> None:
    """sum() of mixed currencies raises; a start other than int 0 is refused by name."""
    with pytest.raises(CurrencyMismatchError):
        sum([Money(1), Money(1, "USD")])
    with pytest.raises(InvalidValueError, match=r"Money.__radd__"):
        sum([Money(1)], 5)


def test_sorting_amounts_orders_by_fen() -> None:
    """A list of same-currency amounts sorts by value."""
    amounts = [Money.of(t) for t in ["3.00", "-1.00", "0.01", "0"]]
    assert [m.to_text() for m in sorted(amounts)] == ["-1.00", "0.00", "0.01", "3.00"]
    assert max(amounts) == Money(300)


# -- text and formatting --------------------------------------------------------------------------


@given(m=moneys(currency=currencies))
@example(m=Money(MAX_FEN))
@example(m=Money(-MAX_FEN, "USD"))
def test_every_text_form_reads_back_to_the_same_amount(m: Money) -> None:
    """Money.of(to_text) with the currency, Money.of(str) and Money.of(grouped) all round-trip."""
    assert Money.of(m.to_text(), m.currency) == m
    assert Money.of(str(m)) == m
    assert Money.of(m.format(grouping=True)) == m
    assert Money.of(m.yuan, m.currency) == m


@given(m=moneys(currency=currencies))
def test_yuan_is_exact_with_two_places(m: Money) -> None:
    """m.yuan is fen / 100 exactly, always with two places."""
    assert Fraction(m.yuan) == Fraction(m.fen, 100)
    assert m.yuan.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("money", "plain", "grouped"),
    [
        (Money(9990), "¥99.90", "¥99.90"),
        (Money(-100), "-¥1.00", "-¥1.00"),
        (Money(0), "¥0.00", "¥0.00"),
        (Money(5), "¥0.05", "¥0.05"),
        (Money(411244262), "¥4112442.62", "¥4,112,442.62"),
        (Money(100000), "¥1000.00", "¥1,000.00"),
        (Money(99999), "¥999.99", "¥999.99"),
        (Money(-123456789, "USD"), "-1234567.89 USD", "-1,234,567.89 USD"),
    ],
)
def test_formatting_for_people(money: Money, plain: str, grouped: str) -> None:
    """str() gives '¥99.90' and '-¥1.00'; other currencies trail their code; grouping adds commas."""
    assert str(money) == money.format() == plain
    assert money.format(grouping=True) == grouped


def test_format_specs_align_and_group() -> None:
    """An f-string spec aligns the text; a trailing ',' groups thousands first."""
    m = Money(411244262)
    assert f"{m}" == format(m, "") == "¥4112442.62"
    assert f"{m:,}" == "¥4,112,442.62"
    assert f"{m:>15,}" == "  ¥4,112,442.62"
    assert f"{Money(100):<8}|" == "¥1.00   |"


def test_repr_shows_fen_and_currency() -> None:
    """repr is the constructor call."""
    assert repr(Money.of("99.90")) == "Money(fen=9990, currency='CNY')"


@given(m=moneys(currency=currencies))
def test_money_pickles_and_hashes_by_value(m: Money) -> None:
    """A pickled amount comes back equal, with the same hash."""
    back = pickle.loads(pickle.dumps(m))
    assert back == m
    assert hash(back) == hash(m)


@given(fen=st.integers(-MAX_FEN, MAX_FEN), currency=currencies)
def test_the_trusted_constructor_builds_what_the_validating_constructor_builds(fen: int, currency: str) -> None:
    """Money built on the library's unchecked path (arithmetic results) is the checked Money: eq, hash, repr."""
    trusted, checked = _trusted(fen, currency), Money(fen, currency)
    assert type(trusted) is Money
    assert trusted == checked
    assert hash(trusted) == hash(checked)
    assert repr(trusted) == repr(checked)
    assert attrs.asdict(trusted) == attrs.asdict(checked)
    assert pickle.loads(pickle.dumps(trusted)) == checked
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        trusted.fen = 0  # type: ignore[misc]


# -- times and rounding ---------------------------------------------------------------------------


@given(m=moneys(limit=10**13), factor=factors, rounding=roundings)
def test_times_matches_an_exact_fraction_reference(
    m: Money, factor: Rate | int | Fraction | Decimal, rounding: Rounding
) -> None:
    """times() equals the exact product rounded by the mode's rule, computed independently."""
    exact_product = Fraction(m.fen) * (factor.as_fraction() if isinstance(factor, Rate) else Fraction(factor))
    assert m.times(factor, rounding=rounding) == Money(reference_round(exact_product, rounding), m.currency)


@given(
    m=moneys(limit=10**13),
    factor=st.decimals(min_value=-50, max_value=50, places=8, allow_nan=False, allow_infinity=False),
    rounding=roundings,
)
def test_times_agrees_with_decimal_quantize_in_the_matching_mode(m: Money, factor: Decimal, rounding: Rounding) -> None:
    """For Decimal factors, times() equals decimal's quantize with Rounding.decimal_mode."""
    product = Context(prec=100).multiply(Decimal(m.fen), factor)
    expected = int(product.quantize(Decimal(1), rounding=rounding.decimal_mode, context=Context(prec=100)))
    assert m.times(factor, rounding=rounding).fen == expected


@given(value=st.fractions(min_value=-(10**9), max_value=10**9, max_denominator=10**6), rounding=roundings)
def test_round_fraction_matches_the_reference_and_is_within_one_fen(value: Fraction, rounding: Rounding) -> None:
    """Rounding.round_fraction follows each rule and never moves a value by a whole fen or more."""
    rounded = rounding.round_fraction(value)
    assert rounded == reference_round(value, rounding)
    assert abs(rounded - value) < 1


# Each row: the exact amount in fen, then HALF_UP, HALF_EVEN, DOWN, UP, FLOOR, CEILING.
HALF_FEN_TABLE = [
    (Fraction(5, 2), 3, 2, 2, 3, 2, 3),
    (Fraction(-5, 2), -3, -2, -2, -3, -3, -2),
    (Fraction(7, 2), 4, 4, 3, 4, 3, 4),
    (Fraction(-7, 2), -4, -4, -3, -4, -4, -3),
    (Fraction(1, 2), 1, 0, 0, 1, 0, 1),
    (Fraction(-1, 2), -1, 0, 0, -1, -1, 0),
    (Fraction(3, 10), 0, 0, 0, 1, 0, 1),
    (Fraction(-3, 10), 0, 0, 0, -1, -1, 0),
    (Fraction(7, 10), 1, 1, 0, 1, 0, 1),
    (Fraction(4, 1), 4, 4, 4, 4, 4, 4),
]
MODE_ORDER = [Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.DOWN, Rounding.UP, Rounding.FLOOR, Rounding.CEILING]


@pytest.mark.parametrize("row", HALF_FEN_TABLE, ids=lambda row: str(row[0]))
@pytest.mark.parametrize("mode_index", range(6), ids=[m.name for m in MODE_ORDER])
def test_half_fen_and_other_fractions_round_as_the_table_says(row: tuple[Any, ...], mode_index: int) -> None:
    """Every mode rounds halves (positive and negative) and non-halves as documented."""
    value, expected = row[0], row[1 + mode_index]
    mode = MODE_ORDER[mode_index]
    assert mode.round_fraction(value) == expected
    # The same through Money.times: value fen = (numerator fen) x (1 / denominator).
    assert Money(value.numerator).times(Fraction(1, value.denominator), rounding=mode) == Money(expected)


@pytest.mark.parametrize(
    ("rounding", "fen"),
    [
        (Rounding.HALF_UP, 1),
        (Rounding.HALF_EVEN, 0),
        (Rounding.DOWN, 0),
        (Rounding.UP, 1),
        (Rounding.FLOOR, 0),
        (Rounding.CEILING, 1),
    ],
)
def test_ten_percent_of_five_fen_is_half_a_fen(rounding: Rounding, fen: int) -> None:
    """¥0.05 x 10% = 0.5 fen, and each mode decides which whole fen it becomes; negated, it mirrors."""
    assert Money.of("0.05").times(Rate.of("10%"), rounding=rounding) == Money(fen)
    mirrored = {Rounding.FLOOR: Rounding.CEILING, Rounding.CEILING: Rounding.FLOOR}.get(rounding, rounding)
    assert Money.of("-0.05").times(Rate.of("10%"), rounding=mirrored) == Money(-fen)


@given(m=moneys(currency=currencies), rounding=roundings)
def test_zero_and_full_rates_give_zero_and_the_whole(m: Money, rounding: Rounding) -> None:
    """times(0%) is zero and times(100%) is the amount itself, in every mode."""
    assert m.times(Rate.of("0%"), rounding=rounding) == Money.zero(m.currency)
    assert m.times(Rate.of("100%"), rounding=rounding) == m


@given(m=moneys(limit=MAX_FEN), r1=rates, r2=rates, rounding=roundings)
def test_a_higher_rate_never_gives_less(m: Money, r1: Rate, r2: Rate, rounding: Rounding) -> None:
    """For a non-negative amount, times() is monotone in the rate in every mode."""
    m = abs(m)
    low, high = sorted([r1, r2])
    assert m.times(low, rounding=rounding) <= m.times(high, rounding=rounding)


def test_times_requires_a_rounding_member() -> None:
    """A rounding given as text is refused; leaving it out is a TypeError (it is keyword-only and required)."""
    with pytest.raises(InvalidValueError, match=r"^Money\.times\.rounding: must be a Rounding member, got 'half_up'$"):
        Money(100).times(Rate.of("10%"), rounding="half_up")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(100).times(Rate.of("10%"))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("factor", "problem"),
    [
        ("0.1", "must be a Rate, Decimal, Fraction or int"),
        (True, "must be a Rate, Decimal, Fraction or int"),
        (Decimal("NaN"), "must be a finite number"),
        (Decimal("1E+1001"), "is out of range"),
        (Decimal("1E-999999999"), "is out of range"),
    ],
)
def test_times_refuses_inexact_or_absurd_factors(factor: object, problem: str) -> None:
    """Text, bools, NaN and Decimals with absurd exponents are refused as factors."""
    with pytest.raises(InvalidValueError, match=rf"^Money\.times\.factor: {problem}"):
        Money(100).times(factor, rounding=Rounding.HALF_UP)  # type: ignore[arg-type]


def test_rounding_modes_map_to_decimal_constants() -> None:
    """Each Rounding names the decimal module's constant for the same rule."""
    assert {m.name: m.decimal_mode for m in Rounding} == {
        "HALF_UP": "ROUND_HALF_UP",
        "HALF_EVEN": "ROUND_HALF_EVEN",
        "DOWN": "ROUND_DOWN",
        "UP": "ROUND_UP",
        "FLOOR": "ROUND_FLOOR",
        "CEILING": "ROUND_CEILING",
    }
    assert Rounding("half_even") is Rounding.HALF_EVEN


# -- allocate -------------------------------------------------------------------------------------


def has_weight(weights: list[Weight]) -> bool:
    """Whether the weights are not all zero."""
    return sum(exact(w) for w in weights) > 0


@given(m=moneys(currency=currencies), weights=weights_lists.filter(has_weight))
def test_allocate_conserves_the_total_and_keeps_each_part_within_a_fen_of_its_share(
    m: Money, weights: list[Weight]
) -> None:
    """Parts sum to the amount; each is its exact share's floor or floor + 1 (in magnitude); zero weights get 0."""
    parts = m.allocate(weights)
    assert len(parts) == len(weights)
    assert sum(parts, Money.zero(m.currency)) == m
    assert all(p.currency == m.currency for p in parts)
    total = sum(exact(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        share = abs(m.fen) * exact(weight) / total
        assert math.floor(share) <= abs(part.fen) <= math.floor(share) + 1
        assert abs(abs(part.fen) - share) < 1
        assert part.fen * m.fen >= 0  # never the opposite sign
        if exact(weight) == 0:
            assert part.fen == 0


@given(m=moneys(), weights=weights_lists.filter(has_weight), scale=st.integers(1, 1000))
def test_allocate_is_deterministic_and_depends_only_on_proportions(m: Money, weights: list[Weight], scale: int) -> None:
    """The same call gives the same parts; scaling every weight alike changes nothing."""
    assert m.allocate(weights) == m.allocate(list(weights))
    scaled = [exact(w) * scale for w in weights]
    assert m.allocate(scaled) == m.allocate(weights)


@given(m=moneys(), weights=st.lists(st.integers(0, 5), min_size=2, max_size=12).filter(any))
def test_equal_weights_give_the_earlier_part_the_extra_fen(m: Money, weights: list[int]) -> None:
    """Between two equal weights, the earlier one's part is never smaller in magnitude."""
    parts = m.allocate(weights)
    for i in range(len(weights)):
        for j in range(i + 1, len(weights)):
            if weights[i] == weights[j]:
                assert abs(parts[i].fen) in (abs(parts[j].fen), abs(parts[j].fen) + 1)
                assert abs(parts[i].fen) >= abs(parts[j].fen)


@pytest.mark.parametrize(
    ("fen", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (5, [1, 1, 1], [2, 2, 1]),
        (-5, [1, 1, 1], [-2, -2, -1]),
        (100, [1, 2], [33, 67]),  # remainders 1/3 and 2/3: the larger wins the leftover fen
        (100, [0, 1], [0, 100]),
        (1, [1, 1], [1, 0]),
        (0, [3, 1], [0, 0]),
        (10000, [Rate.of("20%"), Rate.of("80%")], [2000, 8000]),
        (-5, [Decimal("0.5"), Decimal("0.5")], [-3, -2]),
        (7, [Fraction(1, 3), Fraction(2, 3)], [2, 5]),
        (MAX_FEN, [1, 1], [MAX_FEN // 2 + 1, MAX_FEN // 2]),
    ],
)
def test_allocate_examples(fen: int, weights: list[Weight], expected: list[int]) -> None:
    """Worked splits: equal thirds, ties to the earlier weight, negative amounts, rates as weights."""
    assert [p.fen for p in Money(fen).allocate(weights)] == expected


@pytest.mark.parametrize(
    ("weights", "path", "problem"),
    [
        ([], r"Money\.allocate\.weights", "must not be empty"),
        ((), r"Money\.allocate\.weights", "must not be empty"),
        ([0, 0, 0], r"Money\.allocate\.weights", "must not all be zero"),
        ([Rate.zero(), Decimal(0)], r"Money\.allocate\.weights", "must not all be zero"),
        ([1, -1, 2], r"Money\.allocate\.weights\[1\]", "must not be negative"),
        ([1, True], r"Money\.allocate\.weights\[1\]", "must be a Rate, Decimal, Fraction or int"),
        ([1, "2"], r"Money\.allocate\.weights\[1\]", "must be a Rate, Decimal, Fraction or int"),
        ([1, Decimal("NaN")], r"Money\.allocate\.weights\[1\]", "must be a finite number"),
        ("12", r"Money\.allocate\.weights", "must be a sequence"),
        ({1, 2}, r"Money\.allocate\.weights", "must be a sequence"),
    ],
)
def test_allocate_refuses_bad_weights(weights: object, path: str, problem: str) -> None:
    """Empty, all-zero, negative, non-numeric and non-sequence weights are refused, naming where."""
    with pytest.raises(InvalidValueError, match=rf"^{path}: {problem}"):
        Money(100).allocate(weights)  # type: ignore[arg-type]


# -- Rate -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0%", "0", "0.0", "-0%", "0‰", "0.000000"])
def test_a_zero_rate_can_be_written_many_ways(text: str) -> None:
    """'0%', '0', '0‰' ... are all Rate.zero()."""
    assert Rate.of(text) == Rate.zero() == Rate.of(0) == Rate.of(Decimal("0.00"))
    assert str(Rate.of(text)) == "0%"


@pytest.mark.parametrize("text", ["100%", "1", "1.0", "1000‰", "100.0000%", "100％"])
def test_a_full_rate_can_be_written_many_ways(text: str) -> None:
    """'100%', '1', '1000‰' ... are all Rate.one()."""
    assert Rate.of(text) == Rate.one() == Rate.of(1) == Rate.from_bp(10000) == Rate.from_permille(1000)
    assert (str(Rate.of(text)), Rate.of(text).to_text()) == ("100%", "1")


FINER = r"is finer than one part per million \(0\.0001%\)"


@pytest.mark.parametrize(
    ("rate", "problem"),
    [
        ("120%", "is above 100%"),
        ("100.0001%", "is above 100%"),
        ("1.000001", "is above 100%"),
        ("1001‰", "is above 100%"),
        (2, "is above 100%"),
        (Decimal("1E+999999999"), "is above 100%"),
        ("-1%", "is below 0%"),
        ("-0.0001%", "is below 0%"),
        (-1, "is below 0%"),
        (Decimal("-1E-999999999"), "is below 0%"),
        ("0.00001%", FINER),
        ("0.0000001", FINER),
        (Decimal("1E-7"), FINER),
        (Decimal("0.1" + "0" * 70 + "1"), FINER),
        ("12.5000000000000000000000000000001%", FINER),
        (Decimal("1E-999999999"), FINER),
    ],
)
def test_rate_of_refuses_out_of_range_and_too_fine_values(rate: str | Decimal | int, problem: str) -> None:
    """Above 100%, below 0% and finer than 1 ppm are refused, naming the value (never rounded in)."""
    with pytest.raises(InvalidValueError, match=rf"^Rate\.of: {problem}, got {re.escape(repr(rate))}$"):
        Rate.of(rate)


@pytest.mark.parametrize(
    "text", ["", "%", "abc", "12.5 %%", "1e-3", "12,5%", "0x10", "NaN", "Infinity", "12.5 percent", "½", "１２%"]
)
def test_rate_of_refuses_text_that_is_not_a_plain_rate(text: str) -> None:
    """Exponents, decimal commas, NaN and non-ASCII digits are 'not a number'."""
    with pytest.raises(InvalidValueError, match=rf"^Rate\.of: is not a number .*got {re.escape(repr(text))}$"):
        Rate.of(text)


def test_one_part_per_million_is_the_finest_rate() -> None:
    """1 ppm = 0.0001% is accepted from every unit and shown exactly."""
    tiny = Rate.from_ppm(1)
    assert tiny == Rate.of("0.0001%") == Rate.of("0.000001") == Rate.of(Decimal("1E-6")) == Rate.of("0.001‰")
    assert (str(tiny), tiny.to_text(), tiny.ppm, tiny.bp, tiny.permille) == (
        "0.0001%",
        "0.000001",
        1,
        Decimal("0.01"),
        Decimal("0.001"),
    )


@given(ppm=st.integers(0, PPM))
def test_rate_units_agree(ppm: int) -> None:
    """from_ppm, Rate.of of a percent, per-mille or fraction text, and the unit properties all agree."""
    rate = Rate.from_ppm(ppm)
    assert rate.ppm == ppm
    assert rate.as_fraction() == Fraction(ppm, PPM)
    assert Rate.of(f"{Decimal(ppm).scaleb(-4):f}%") == rate
    assert Rate.of(f"{Decimal(ppm).scaleb(-3):f}‰") == rate
    assert Rate.of(Decimal(ppm).scaleb(-6)) == rate
    assert rate.percent == Decimal(ppm).scaleb(-4)
    assert rate.bp == Decimal(ppm).scaleb(-2)
    assert rate.permille == Decimal(ppm).scaleb(-3)


@given(bp=st.integers(0, 10_000))
def test_basis_points_and_percent_text_agree(bp: int) -> None:
    """Rate.of('x%') == Rate.from_bp(100x) (Douyin's x10,000 unit), with bp read back exactly."""
    text = f"{bp // 100}.{bp % 100:02d}%"
    assert Rate.of(text) == Rate.from_bp(bp) == Rate.from_ppm(bp * 100)
    assert Rate.from_bp(bp).bp == bp


@given(permille=st.integers(0, 1000))
def test_per_mille_agrees_with_basis_points(permille: int) -> None:
    """Rate.from_permille(k) (Kuaishou's unit) == Rate.of('k‰') == Rate.from_bp(10k)."""
    assert Rate.from_permille(permille) == Rate.of(f"{permille}‰") == Rate.from_bp(permille * 10)
    assert Rate.from_permille(permille).permille == permille


@given(rate=rates)
def test_rate_text_round_trips(rate: Rate) -> None:
    """Rate.of(r.to_text()) == r and Rate.of(str(r)) == r; the value is canonical (no trailing zeros)."""
    assert Rate.of(rate.to_text()) == rate
    assert Rate.of(str(rate)) == rate
    assert Rate(rate.value) == rate
    assert "E" not in rate.to_text()
    assert rate.to_text() == "0" or not rate.to_text().endswith("0")
    assert pickle.loads(pickle.dumps(rate)) == rate


@given(r1=rates, r2=rates)
def test_rates_order_by_value(r1: Rate, r2: Rate) -> None:
    """Rate comparisons agree with their ppm; equal rates hash alike."""
    for compare in COMPARISONS:
        assert compare(r1, r2) == compare(r1.ppm, r2.ppm)
    if r1 == r2:
        assert hash(r1) == hash(r2)


@given(r1=rates, r2=rates)
def test_rate_addition_and_subtraction_are_exact_or_refused(r1: Rate, r2: Rate) -> None:
    """r1 + r2 and r1 - r2 are exact while within [0, 1], and refused outside it."""
    if r1.ppm + r2.ppm <= PPM:
        assert (r1 + r2).ppm == r1.ppm + r2.ppm
    else:
        with pytest.raises(InvalidValueError, match=r"^Rate\.__add__: is above 100%"):
            r1 + r2
    if r1.ppm >= r2.ppm:
        assert (r1 - r2).ppm == r1.ppm - r2.ppm
    else:
        with pytest.raises(InvalidValueError, match=r"^Rate\.__sub__: is below 0%"):
            r1 - r2
    assert r1 + r1.complement() == Rate.one()


def test_equal_rates_are_canonical() -> None:
    """Rate(Decimal('0.10')) and Rate(Decimal('0.1')) are equal and print alike."""
    assert Rate(Decimal("0.10")) == Rate(Decimal("0.1"))
    assert repr(Rate(Decimal("0.10"))) == repr(Rate(Decimal("0.1"))) == "Rate('0.1')"
    assert Rate(Decimal("1.000000")).to_text() == "1"
    assert Rate.of(Rate.of("5%")) == Rate.of("0.05")


@pytest.mark.parametrize(
    ("make", "path", "problem"),
    [
        (lambda: Rate("0.1"), r"Rate\.value", r"must be a Decimal \(build rates with Rate\.of\)"),
        (lambda: Rate(Decimal("NaN")), r"Rate\.value", "must be a finite number"),
        (lambda: Rate(Decimal("1.5")), r"Rate\.value", "is above 100%"),
        (lambda: Rate(Decimal("0.0000001")), r"Rate\.value", FINER),
        (lambda: Rate.from_bp(10001), r"Rate\.from_bp", "is above 100%"),
        (lambda: Rate.from_bp(-1), r"Rate\.from_bp", "is below 0%"),
        (lambda: Rate.from_permille(1001), r"Rate\.from_permille", "is above 100%"),
        (lambda: Rate.from_ppm(10**6 + 1), r"Rate\.from_ppm", "is above 100%"),
        (lambda: Rate.from_bp(True), r"Rate\.from_bp", "must be an int"),
        (lambda: Rate.from_bp("1250"), r"Rate\.from_bp", "must be an int"),  # type: ignore[arg-type]
        (lambda: Rate.of(None), r"Rate\.of", "must be a string, Decimal or int"),  # type: ignore[arg-type]
        (lambda: Rate.of(Fraction(1, 8)), r"Rate\.of", "must be a string, Decimal or int"),  # type: ignore[arg-type]
    ],
)
def test_rate_constructors_refuse_bad_input_naming_where(make: Callable[[], object], path: str, problem: str) -> None:
    """Every Rate constructor refuses bad input with an InvalidValueError naming itself."""
    with pytest.raises(InvalidValueError, match=rf"^{path}: {problem}, got"):
        make()


@pytest.mark.parametrize("value", ["anything", 0, Fraction(1), object()])
def test_rate_arithmetic_with_non_rates_is_a_type_error(value: object) -> None:
    """Rate + non-Rate is unsupported."""
    with pytest.raises(TypeError):
        Rate.one() + value
    with pytest.raises(TypeError):
        Rate.one() - value


# -- no builtin error escapes ---------------------------------------------------------------------

ANYTHING = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.,-+ ¥￥%‰CNYUSD"),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.fractions(),
    st.none(),
    st.booleans(),
)


@given(value=ANYTHING)
def test_money_of_either_parses_or_raises_invalid_value_error(value: object) -> None:
    """Whatever Money.of is given, it returns Money or raises InvalidValueError, nothing else."""
    try:
        result = Money.of(value)  # type: ignore[arg-type]
    except InvalidValueError:
        return
    assert isinstance(result, Money)
    assert Money.of(result.to_text(), result.currency) == result


@given(value=ANYTHING)
def test_rate_of_either_parses_or_raises_invalid_value_error(value: object) -> None:
    """Whatever Rate.of is given, it returns a Rate in [0, 1] or raises InvalidValueError, nothing else."""
    try:
        result = Rate.of(value)  # type: ignore[arg-type]
    except InvalidValueError:
        return
    assert 0 <= result.ppm <= PPM
    assert Rate.of(result.to_text()) == result


@given(text=st.text(alphabet="0123456789.,-+ ¥%", max_size=12))
def test_text_that_parses_means_what_it_says(text: str) -> None:
    """When amount text parses, its value is the text read as a number without commas, symbol and spaces."""
    try:
        money = Money.of(text)
    except InvalidValueError:
        return
    plain = text.replace(",", "").replace("¥", "").replace(" ", "")
    assert Fraction(Decimal(plain)) == Fraction(money.fen, 100)


# -- cases mutation testing asked for (issue 20, item 6; docs/testing.md "Mutation testing") --------------------


def test_abs_and_negation_keep_the_currency() -> None:
    assert abs(Money(-550, "USD")) == Money(550, "USD")
    assert abs(Money(550, "USD")) == Money(550, "USD")
    assert -Money(550, "USD") == Money(-550, "USD")


def test_parse_takes_the_currency_of_the_call_when_the_text_names_none() -> None:
    assert Money.parse("9.90", "USD") == Money(990, "USD")
    assert Money.parse("9.90 EUR", "USD") == Money(990, "EUR")
    assert Money.parse("¥9.90", "USD") == Money(990, "CNY")
    with pytest.raises(InvalidValueError, match=r"Money\.parse"):
        Money.parse(9.9)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("factor", "fen"),
    [
        (Decimal("1E-1000"), 0),  # the smallest factor still read: a thousand places below the point
        (Decimal("-1E-1000"), 0),
        (Decimal("0E-5000"), 0),  # zero is exempt, whatever its exponent
    ],
)
def test_a_factor_a_thousand_places_from_the_point_is_read(factor: Decimal, fen: int) -> None:
    assert Money(100).times(factor, rounding=Rounding.HALF_UP) == Money(fen)


@pytest.mark.parametrize("factor", [Decimal("1E-1001"), Decimal("1E+1001"), Decimal("-1E+1001")])
def test_a_factor_past_a_thousand_places_is_refused_naming_the_limit(factor: Decimal) -> None:
    with pytest.raises(InvalidValueError, match=r"Money\.times\.factor: is out of range \(more than 1000 places"):
        Money(100).times(factor, rounding=Rounding.HALF_UP)


def test_a_factor_at_a_thousand_places_above_the_point_is_read_then_too_large() -> None:
    """1E+1000 passes the exponent check (it is exactly at the limit) and is refused as a product."""
    with pytest.raises(InvalidValueError, match=r"beyond the largest supported amount"):
        Money(1).times(Decimal("1E+1000"), rounding=Rounding.HALF_UP)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Money(1, "USD") + Money(1),
            "Money.__add__: cannot combine USD with CNY, got Money(fen=1, currency='CNY')",
        ),
        (
            lambda: Money(1, "USD") - Money(1),
            "Money.__sub__: cannot combine USD with CNY, got Money(fen=1, currency='CNY')",
        ),
        (
            lambda: Money(1, "USD") < Money(1),
            "Money.__lt__: cannot combine USD with CNY, got Money(fen=1, currency='CNY')",
        ),
        (
            lambda: Money(1, "USD") <= Money(1),
            "Money.__le__: cannot combine USD with CNY, got Money(fen=1, currency='CNY')",
        ),
        (
            lambda: Money(1, "USD") > Money(1),
            "Money.__gt__: cannot combine USD with CNY, got Money(fen=1, currency='CNY')",
        ),
        (
            lambda: Money(1, "USD") >= Money(1),
            "Money.__ge__: cannot combine USD with CNY, got Money(fen=1, currency='CNY')",
        ),
        (lambda: Money(1) + 1, "Money.__add__: must be Money (amounts add only to amounts: Money.of('0.10')), got 1"),
        (
            lambda: Money.of("1e3"),
            "Money.of: is not a number (write yuan as '99.90', '¥99.90' or '99.90 CNY'), got '1e3'",
        ),
        (
            lambda: Money.of(Decimal(10) ** 20),
            "Money.of: is beyond the largest supported amount (999999999999999 fen), "
            "got Decimal('100000000000000000000')",
        ),
        (lambda: Money.of("1.001"), "Money.of: is not exact to the fen, got '1.001'"),
        (lambda: Money(1) * 1.5, "Money.__mul__: must be an int, not a float, got 1.5"),
        (
            lambda: Money(1) * Decimal(1),
            "Money.__mul__: must be an int; multiply by a rate with Money.times(rate, rounding=...), got Decimal('1')",
        ),
        (
            lambda: Money(MAX_FEN).times(Decimal(2), rounding=Rounding.DOWN),
            "Money.times: is beyond the largest supported amount (999999999999999 fen), got 1999999999999998",
        ),
        (lambda: Money(1).allocate(5), "Money.allocate.weights: must be a sequence, got 5"),  # type: ignore[arg-type]
        (lambda: Money(1).allocate([]), "Money.allocate.weights: must not be empty, got []"),
        (lambda: Money(1).allocate([0, 0]), "Money.allocate.weights: must not all be zero, got [0, 0]"),
        (lambda: Money(1).allocate([-1, 2]), "Money.allocate.weights[0]: must not be negative, got -1"),
        (lambda: Rate.of("60%") + Rate.of("60%"), "Rate.__add__: is above 100%, got '60% + 60%'"),
        (lambda: Rate.of("0") - Rate.of("1%"), "Rate.__sub__: is below 0%, got '0% - 1%'"),
        (lambda: Rounding.UP.round_fraction("x"), "Rounding.round_fraction: must be a Fraction or int, got 'x'"),  # type: ignore[arg-type]
        (
            lambda: Rounding.UP.round_fraction(2.5),  # type: ignore[arg-type]
            "Rounding.round_fraction: must be a Fraction or int, not a float, got 2.5",
        ),
    ],
)
def test_each_refusal_says_where_what_and_the_value(make: Callable[[], object], message: str) -> None:
    with pytest.raises(FenxiaoError) as raised:
        make()
    assert str(raised.value) == message


def test_amounts_order_by_fen_with_every_operator() -> None:
    low, high = Money(100, "USD"), Money(250, "USD")
    assert low < high
    assert not high < low
    assert not low < Money(100, "USD")
    assert low <= Money(100, "USD")
    assert not high <= low
    assert high > low
    assert not low > high
    assert not low > Money(100, "USD")
    assert high >= Money(250, "USD")
    assert not low >= high
    assert sorted([high, low, Money(-5, "USD")]) == [Money(-5, "USD"), low, high]


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge])
def test_an_amount_does_not_order_against_other_things(op: Callable[[object, object], object]) -> None:
    with pytest.raises(TypeError):
        op(Money(1), object())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Money(1, "usd"), "Money.currency: must be a three-letter code like 'CNY', got 'usd'"),
        (lambda: Money(1.5), "Money.fen: must be an int number of fen, not a float, got 1.5"),  # type: ignore[arg-type]
        (lambda: Money("1"), "Money.fen: must be an int number of fen, got '1'"),  # type: ignore[arg-type]
        (lambda: Rate(0.5), "Rate.value: must be a Decimal, not a float (build rates with Rate.of), got 0.5"),
        (lambda: Rate("0.5"), "Rate.value: must be a Decimal (build rates with Rate.of), got '0.5'"),
        (lambda: Rate(Decimal("NaN")), "Rate.value: must be a finite number, got Decimal('NaN')"),
        (lambda: Rate(Decimal(2)), "Rate.value: is above 100%, got Decimal('2')"),
        (
            lambda: Money(1).times(1.5, rounding=Rounding.UP),  # type: ignore[arg-type]
            "Money.times.factor: must be exact (Rate, Decimal, Fraction or int), not a float, got 1.5",
        ),
        (
            lambda: Money(1).times(True, rounding=Rounding.UP),
            "Money.times.factor: must be a Rate, Decimal, Fraction or int, got True",
        ),
        (
            lambda: Money(1).times("x", rounding=Rounding.UP),  # type: ignore[arg-type]
            "Money.times.factor: must be a Rate, Decimal, Fraction or int, got 'x'",
        ),
        (
            lambda: Money(1).times(Decimal("NaN"), rounding=Rounding.UP),
            "Money.times.factor: must be a finite number, got Decimal('NaN')",
        ),
        (
            lambda: Money(1).times(Decimal("1E-1001"), rounding=Rounding.UP),
            "Money.times.factor: is out of range (more than 1000 places from the point), got Decimal('1E-1001')",
        ),
        (lambda: Money.of(1.5), "Money.of: must be a string or Decimal, not a float, got 1.5"),  # type: ignore[arg-type]
        (lambda: Money.of([1]), "Money.of: must be a string, Decimal or int, got [1]"),  # type: ignore[arg-type]
        (lambda: Money.of(Decimal("Infinity")), "Money.of: must be a finite number, got Decimal('Infinity')"),
        (lambda: Rate.from_bp(1.5), "Rate.from_bp: must be an int, not a float, got 1.5"),  # type: ignore[arg-type]
        (lambda: Rate.from_bp("5"), "Rate.from_bp: must be an int, got '5'"),  # type: ignore[arg-type]
        (lambda: Rate.from_bp(20000), "Rate.from_bp: is above 100%, got 20000"),
        (lambda: Rate.from_ppm(2000000), "Rate.from_ppm: is above 100%, got 2000000"),
        (
            lambda: Money(MAX_FEN) + Money(1),
            "Money.__add__: is beyond the largest supported amount (999999999999999 fen), got 1000000000000000",
        ),
        (lambda: Money(1).allocate([1, -1]), "Money.allocate.weights[1]: must not be negative, got -1"),
    ],
)
def test_each_construction_refusal_says_where_what_and_the_value(make: Callable[[], object], message: str) -> None:
    with pytest.raises(FenxiaoError) as raised:
        make()
    assert str(raised.value) == message


class _Greater:
    """A value that orders itself against amounts: comparisons must hand over to it (NotImplemented)."""

    def __gt__(self, other: object) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return True

    def __le__(self, other: object) -> bool:
        return True


def test_an_amount_hands_a_comparison_over_to_the_other_operand() -> None:
    other: Any = _Greater()
    assert Money(1) < other
    assert Money(1) <= other
    assert Money(1) > other
    assert Money(1) >= other


@pytest.mark.parametrize("prec", [1, 3, 6])
def test_amounts_and_rates_are_exact_in_a_narrow_caller_context(prec: int) -> None:
    """Every Decimal step of money.py runs in its own context: a caller's precision changes nothing."""
    with localcontext(Context(prec=prec)):
        assert Money(MAX_FEN).to_text() == "9999999999999.99"
        assert Money.of("12345678.91") == Money(1234567891)
        assert Money.of(Decimal("12345678.91")) == Money(1234567891)
        assert Money.of("99.95").fen == 9995
        assert Rate.of("12.3456%").ppm == 123456
        assert Rate.from_ppm(123457).value == Decimal("0.123457")
        assert Rate.from_ppm(123457).to_text() == "0.123457"
        assert str(Rate.from_ppm(123457)) == "12.3457%"
        assert Rate.of("100%").value == Decimal(1)
        assert (str(Rate.of("100%").bp), str(Rate.of("100%").permille), str(Rate.of("100%"))) == (
            "10000",
            "1000",
            "100%",
        )
        assert Money(1234567891).times(Decimal("1.000001"), rounding=Rounding.HALF_UP) == Money(1234569126)
        with pytest.raises(InvalidValueError, match=r"^Money\.of: is beyond the largest supported amount"):
            Money.of("10000000000000.00")  # one fen past the largest amount


@pytest.mark.parametrize(
    ("rate", "bp", "permille", "percent"),
    [("100%", "10000", "1000", "100"), ("10%", "1000", "100", "10"), ("0.0001%", "0.01", "0.001", "0.0001")],
)
def test_a_rate_in_other_units_is_written_without_an_exponent(rate: str, bp: str, permille: str, percent: str) -> None:
    r = Rate.of(rate)
    assert (str(r.bp), str(r.permille), str(r.percent)) == (bp, permille, percent)
    assert str(r) == f"{percent}%"


@pytest.mark.parametrize("rounding", [None, "half_even", 2, True])
def test_round_div_names_a_rounding_that_is_not_a_rounding(rounding: object) -> None:
    """Every member has its own branch; anything else is refused, never rounded half-even by default (issue 20)."""
    with pytest.raises(InvalidValueError, match=r"round_div\.rounding: must be a Rounding"):
        round_div(7, 2, rounding)  # type: ignore[arg-type]
    assert [round_div(n, 2, Rounding.HALF_EVEN) for n in (5, 7, -5)] == [2, 4, -2]
