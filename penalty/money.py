"""Money: strict decimal parsing, ISO 4217 currencies with CLDR minor units, one rounding.

Amounts are `decimal.Decimal` from parse to output; a `float` is refused, never converted.
Intermediate arithmetic is exact (`fractions.Fraction`: a night's share ``total / 3`` stays
exact), and a fee is rounded exactly once, half-up, to the currency's minor unit as CLDR (via
babel) defines it: VND 0 digits, USD 2, KWD 3. Nothing here reads `decimal.getcontext()`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from penalty.errors import InvalidInput

__all__ = [
    "gotadi_amount",
    "minor_unit",
    "parse_decimal",
    "round_half_up",
    "validate_currency",
]

#: Up to 20 integer and 12 fraction digits: every real amount, and no 10**999 surprises.
_NUMBER = re.compile(r"[ \t]*(\d{1,20}(?:\.\d{1,12})?)[ \t]*")
_PERCENT = re.compile(r"[ \t]*(\d{1,20}(?:\.\d{1,12})?)[ \t]*%?[ \t]*")
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_DIGITS = 20


def parse_decimal(
    raw: object,
    *,
    path: str | None,
    error: type[InvalidInput],
    percent: bool = False,
    what: str = "amount",
) -> Decimal:
    """A non-negative decimal from a provider string, an `int` or a `Decimal`.

    Accepts ``"200000"``, ``"1.5"``, ``" 12.5 "`` and, with ``percent=True``, ``"70%"``.
    Refuses floats, signs, exponents, grouping, ``NaN``/``Infinity`` and blank strings.

    Example:
        >>> from penalty.errors import InvalidPolicy
        >>> parse_decimal("70%", path="p", error=InvalidPolicy, percent=True)
        Decimal('70')
    """
    if isinstance(raw, bool | float):
        raise error(
            f"{what} must be a string or an integer, not {type(raw).__name__}",
            path=path,
            value=raw,
            code="float_not_allowed" if isinstance(raw, float) else "wrong_type",
        )
    if isinstance(raw, int):
        if raw < 0:
            raise error(f"{what} must not be negative", path=path, value=raw, code="negative")
        if len(str(raw)) > _MAX_DIGITS:
            raise error(f"{what} is too large", path=path, value=raw, code="too_large")
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise error(f"{what} must be finite", path=path, value=raw, code="not_finite")
        if raw < 0:
            raise error(f"{what} must not be negative", path=path, value=raw, code="negative")
        if raw.adjusted() >= _MAX_DIGITS:
            raise error(f"{what} is too large", path=path, value=raw, code="too_large")
        return raw
    if not isinstance(raw, str):
        raise error(
            f"{what} must be a string, not {type(raw).__name__}",
            path=path,
            value=raw,
            code="wrong_type",
        )
    match = (_PERCENT if percent else _NUMBER).fullmatch(raw)
    if match is None:
        expected = "a number like '70%' or '12.5'" if percent else "plain digits like '200000'"
        raise error(f"{what} must be {expected}", path=path, value=raw, code="not_a_number")
    return Decimal(match.group(1))


@lru_cache(maxsize=512)
def _currency_digits(code: str) -> int | None:
    # babel is imported on first use only: `import penalty` stays cheap.
    from babel.numbers import get_currency_precision, is_currency

    if not is_currency(code):
        return None
    return int(get_currency_precision(code))


def validate_currency(raw: object, *, path: str | None, error: type[InvalidInput]) -> str:
    """An ISO 4217 code that CLDR knows, exactly as written (``"VND"``; ``"vnd"`` is refused).

    Example:
        >>> from penalty.errors import InvalidBooking
        >>> validate_currency("VND", path="currency", error=InvalidBooking)
        'VND'
    """
    if not isinstance(raw, str) or _CURRENCY.fullmatch(raw) is None:
        raise error(
            "currency must be an upper-case ISO 4217 code like 'VND'",
            path=path,
            value=raw,
            code="invalid_currency",
        )
    if _currency_digits(raw) is None:
        raise error("unknown ISO 4217 currency", path=path, value=raw, code="unknown_currency")
    return raw


def minor_unit(currency: str) -> int:
    """Digits after the decimal point of ``currency``'s minor unit (CLDR): VND 0, USD 2, KWD 3.

    Example:
        >>> minor_unit("VND"), minor_unit("USD"), minor_unit("KWD")
        (0, 2, 3)
    """
    digits = _currency_digits(currency)
    if digits is None:
        msg = f"unknown ISO 4217 currency {currency!r}; validate it first"
        raise LookupError(msg)
    return digits


def round_half_up(value: Fraction | Decimal, digits: int) -> Decimal:
    """Round an exact value half-up (away from zero on ties) to ``digits`` decimals, exactly.

    Example:
        >>> round_half_up(Fraction(8641969, 10), 0)
        Decimal('864197')
        >>> round_half_up(Fraction(33333, 1000), 2)
        Decimal('33.33')
    """
    exact = Fraction(value)
    scaled = exact * 10**digits
    units = int((abs(scaled) + Fraction(1, 2)) // 1)
    if scaled < 0:
        units = -units
    return Decimal(f"{units}E-{digits}") if digits else Decimal(units)


def gotadi_amount(amount: Decimal) -> str:
    """Gotadi's wire format: plain digits, a dot, exactly two decimals (``"2100000.00"``).

    ``amount`` must already have at most two decimals (round it first).

    Example:
        >>> gotadi_amount(Decimal("2100000")), gotadi_amount(Decimal("33.3"))
        ('2100000.00', '33.30')
    """
    sign, digit_tuple, exponent = amount.as_tuple()
    if not isinstance(exponent, int) or exponent < -2 or sign:
        msg = f"not a non-negative amount with at most two decimals: {amount!r}"
        raise ValueError(msg)
    cents = int("".join(map(str, digit_tuple)) or "0") * 10 ** (exponent + 2)
    return f"{cents // 100}.{cents % 100:02d}"
