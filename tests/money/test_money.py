"""Money: one number grammar, one half-up rounding, one wire amount (SEMANTICS rules 12, 13)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from penalty.errors import InvalidInput
from penalty.money import (
    NUMBER_PATTERN,
    PERCENT_PATTERN,
    checked_decimal,
    gotadi_amount,
    minor_unit,
    parse_decimal,
    round_fee,
    round_half_up,
)

ACCEPTED = [
    ("200000", Decimal(200000)),
    ("1.5", Decimal("1.5")),
    (" 12.5 ", Decimal("12.5")),
    ("0", Decimal(0)),
    ("99999999999999999999", Decimal(99999999999999999999)),
    ("0.000000000001", Decimal("0.000000000001")),
]
REFUSED = [
    "",
    " ",
    "-1",
    "+1",
    "1e5",
    "1,000",
    "1_000",
    "NaN",
    "Infinity",
    ".5",
    "5.",
    "٧٠",
    "７０",
]


@pytest.mark.parametrize(("text", "value"), ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_plain_digits_are_read_exactly(text: str, value: Decimal) -> None:
    """Provider strings of plain digits become the exact Decimal."""
    assert parse_decimal(text, path="amount", error=InvalidInput) == value


@pytest.mark.parametrize("text", REFUSED)
def test_anything_else_is_refused_naming_the_field(text: str) -> None:
    """Signs, exponents, grouping, non-ASCII digits, blanks: refused with the field's path."""
    with pytest.raises(InvalidInput) as caught:
        parse_decimal(text, path="cancelPenalties[0].amount", error=InvalidInput)
    assert caught.value.path == "cancelPenalties[0].amount"


def test_floats_are_refused_not_converted() -> None:
    """A float is never money: refused with its own code."""
    with pytest.raises(InvalidInput) as caught:
        parse_decimal(0.1, path="total", error=InvalidInput)
    assert caught.value.code == "float_not_allowed"


@given(st.from_regex(f"^{NUMBER_PATTERN}$", fullmatch=True))
def test_the_checked_reading_equals_the_checked_one(text: str) -> None:
    """Fast path = plain path: a text the pattern lets through reads as parse_decimal reads it."""
    assert checked_decimal(text) == parse_decimal(text, path=None, error=InvalidInput)


@given(st.from_regex(f"^{PERCENT_PATTERN}$", fullmatch=True))
def test_the_checked_percent_equals_the_checked_one(text: str) -> None:
    """The same for percents (``"70%"``, ``" 12.5 % "``)."""
    plain = parse_decimal(text, path=None, error=InvalidInput, percent=True)
    assert checked_decimal(text) == plain


@given(
    st.fractions(min_value=0, max_value=10**12).map(Fraction),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=0, max_value=4),
)
def test_round_fee_is_one_half_up_rounding(value: Fraction, den: int, digits: int) -> None:
    """Rule 12: exact / den rounded once, half-up, to the digits; the same as the ratio."""
    exact = Decimal(value.numerator) / Decimal(value.denominator) if value.denominator in (
        1, 2, 4, 5, 8, 10, 16, 20, 25
    ) else Decimal(value.numerator)  # fmt: skip
    ratio = Fraction(exact) / den
    units = ratio * 10**digits
    floor = units.numerator // units.denominator
    expected = floor + (1 if units - floor >= Fraction(1, 2) else 0)
    assert round_fee(exact, den, digits) == Decimal(expected).scaleb(-digits)


@given(st.decimals(min_value=0, max_value=10**12, places=3, allow_nan=False))
def test_one_wire_amount_two_decimals_half_up(fee: Decimal) -> None:
    """Rule 13: plain digits, a dot, two decimals; a third decimal rounds half-up to cents."""
    wire = gotadi_amount(fee)
    whole, dot, cents = wire.partition(".")
    assert dot == "."
    assert len(cents) == 2
    assert whole.isdigit()
    assert Decimal(wire) == round_half_up(fee, 2)


def test_minor_units_come_from_cldr() -> None:
    """VND 0, USD 2, KWD 3, JPY 0: babel's CLDR data."""
    assert [minor_unit(code) for code in ("VND", "USD", "KWD", "JPY")] == [0, 2, 3, 0]
