"""Money: strict decimal parsing, ISO 4217 currencies with CLDR minor units, one rounding.

Amounts are `decimal.Decimal` from parse to output; a `float` is refused, never converted.
Intermediate arithmetic is exact: sums and products go through `EXACT`, an explicit context
with the largest precision `decimal` offers and `Inexact` trapped, so nothing is ever rounded
on the way (and nothing reads `decimal.getcontext()`); the only division, a night's share
``total / 3``, is kept as a numerator over an integer denominator. A fee is rounded exactly
once, half-up, to the currency's minor unit as CLDR (via babel) defines it: VND 0 digits,
USD 2, KWD 3.
"""

from __future__ import annotations

import re
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
)
from fractions import Fraction
from functools import lru_cache

from penalty.errors import InvalidInput

__all__ = [
    "EXACT",
    "fee_amounts",
    "gotadi_amount",
    "minor_unit",
    "parse_decimal",
    "plain_decimal",
    "round_half_up",
    "round_ratio",
    "validate_currency",
]

#: Exact arithmetic: `add`, `subtract`, `multiply` and `scaleb` through this context never round
#: (the precision is the largest there is) and would raise rather than lose a digit.
EXACT = Context(
    prec=MAX_PREC,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    rounding=ROUND_HALF_UP,
    traps=[Inexact, InvalidOperation],
)

#: Up to 20 integer and 12 fraction digits: every real amount, and no 10**999 surprises.
#: ASCII digits only (``re.ASCII``): "٧٠" or "７０" is no provider's spelling, so it is not read.
_NUMBER = re.compile(r"[ \t]*(\d{1,20}(?:\.\d{1,12})?)[ \t]*", re.ASCII)
_PERCENT = re.compile(r"[ \t]*(\d{1,20}(?:\.\d{1,12})?)[ \t]*%?[ \t]*", re.ASCII)
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_DIGITS = 20
_MAX_FRACTION = 12
#: The smallest int with more than `_MAX_DIGITS` digits (compared, never turned into text: str()
#: of a 4,301-digit int raises ValueError).
_TOO_LARGE = 10**_MAX_DIGITS
#: The finest step a `Decimal` input may need, ``1E-12``.
_FINEST = Decimal(1).scaleb(-_MAX_FRACTION)
#: Gotadi's amounts have two decimals (SEMANTICS rule 13).
_WIRE_DIGITS = 2
#: Rounding, and only rounding: half-up, to a quantum, never reading the ambient context.
_ROUNDING = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)
_QUANTA = (Decimal(1), Decimal("0.1"), Decimal("0.01"))


def plain_decimal(raw: str, *, percent: bool = False) -> Decimal | None:
    """``raw`` as a `Decimal` when it is plain digits (``"200000"``, ``"12.5"``, ``"70%"``).

    The common case of `parse_decimal`'s pattern, without the pattern and without building an
    error: ``isascii()`` and ``isdecimal()`` together are exactly the pattern's ASCII ``\\d``.
    ``None`` means "not this simple": call `parse_decimal` to accept it or to refuse it.

    Example:
        >>> plain_decimal("70%", percent=True), plain_decimal(" 70 ")
        (Decimal('70'), None)
    """
    text = raw[:-1] if percent and raw[-1:] == "%" else raw
    whole, dot, fraction = text.partition(".")
    if (
        text.isascii()
        and whole.isdecimal()
        and len(whole) <= _MAX_DIGITS
        and (not dot or (fraction.isdecimal() and len(fraction) <= _MAX_FRACTION))
    ):
        return Decimal(text)
    return None


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
    if type(raw) is str:  # what providers send: checked first, it is the hot path
        plain = plain_decimal(raw, percent=percent)
        if plain is not None:
            return plain
        match = (_PERCENT if percent else _NUMBER).fullmatch(raw)
        if match is not None:
            return Decimal(match.group(1))
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
        if raw >= _TOO_LARGE:
            raise error(f"{what} is too large", path=path, value=raw, code="too_large")
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise error(f"{what} must be finite", path=path, value=raw, code="not_finite")
        if raw < 0:
            raise error(f"{what} must not be negative", path=path, value=raw, code="negative")
        if raw.adjusted() >= _MAX_DIGITS:
            raise error(f"{what} is too large", path=path, value=raw, code="too_large")
        if raw.as_tuple().exponent < -_MAX_FRACTION:  # type: ignore[operator]
            # A JSON number read exactly (1.50000000000000 is fine, a 10,000-decimal one is not).
            try:
                return EXACT.quantize(raw, _FINEST)
            except Inexact:
                raise error(
                    f"{what} has more than {_MAX_FRACTION} decimals",
                    path=path,
                    value=raw,
                    code="too_precise",
                ) from None
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


#: The currencies validated so far, with their digits: a dict lookup instead of babel and a regex.
_KNOWN: dict[str, int] = {}


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
    if type(raw) is str and raw in _KNOWN:
        return raw
    if not isinstance(raw, str) or _CURRENCY.fullmatch(raw) is None:
        raise error(
            "currency must be an upper-case ISO 4217 code like 'VND'",
            path=path,
            value=raw,
            code="invalid_currency",
        )
    digits = _currency_digits(raw)
    if digits is None:
        raise error("unknown ISO 4217 currency", path=path, value=raw, code="unknown_currency")
    _KNOWN[raw] = digits
    return raw


def minor_unit(currency: str) -> int:
    """Digits after the decimal point of ``currency``'s minor unit (CLDR): VND 0, USD 2, KWD 3.

    Example:
        >>> minor_unit("VND"), minor_unit("USD"), minor_unit("KWD")
        (0, 2, 3)
    """
    digits = _KNOWN.get(currency)
    if digits is not None:
        return digits
    digits = _currency_digits(currency)
    if digits is None:
        msg = f"unknown ISO 4217 currency {currency!r}; validate it first"
        raise LookupError(msg)
    return digits


def round_half_up(value: Fraction | Decimal | int, digits: int) -> Decimal:
    """Round an exact value half-up (away from zero on ties) to ``digits`` decimals, exactly.

    Example:
        >>> round_half_up(Fraction(8641969, 10), 0)
        Decimal('864197')
        >>> round_half_up(Fraction(33333, 1000), 2)
        Decimal('33.33')
    """
    numerator, denominator = value.as_integer_ratio()
    return round_ratio(numerator, denominator, digits)


def round_ratio(numerator: int, denominator: int, digits: int) -> Decimal:
    """`round_half_up` of ``numerator / denominator`` (``denominator > 0``), in integers only.

    Example:
        >>> round_ratio(3_000_000, 7, 0), round_ratio(1, 8, 2), round_ratio(-1, 8, 2)
        (Decimal('428571'), Decimal('0.13'), Decimal('-0.13'))
    """
    units = _half_up(abs(numerator), denominator, digits)
    if numerator < 0:
        units = -units
    return Decimal(f"{units}E-{digits}") if digits else Decimal(units)


def _half_up(numerator: int, denominator: int, digits: int) -> int:
    """``numerator / denominator`` (both positive) in units of ``10**-digits``, ties up."""
    scale: int = 10**digits
    return (2 * numerator * scale + denominator) // (2 * denominator)


def fee_amounts(exact: Decimal, denominator: int, digits: int) -> tuple[Decimal, str]:
    """A fee ``exact / denominator`` rounded once, and its `gotadi_amount`.

    The fee is rounded half-up to the currency's ``digits``; the Gotadi amount is that fee with
    two decimals (or, for a three-digit currency, the exact value rounded to two decimals).

    Example:
        >>> fee_amounts(Decimal("864196.9"), 1, 0), fee_amounts(Decimal("100"), 3, 3)
        ((Decimal('864197'), '864197.00'), (Decimal('33.333'), '33.33'))
    """
    if exact < 0:
        msg = f"a fee is never negative: {exact}/{denominator}"
        raise ValueError(msg)
    if denominator == 1 and digits <= _WIRE_DIGITS:
        # One quantize, half-up, in an explicit context: the same as `round_half_up`, faster.
        # The result has exactly `digits` decimals, so str() is plain digits (no exponent).
        fee = _ROUNDING.quantize(exact, _QUANTA[digits])
        text = str(fee)
        return fee, text + (".00" if digits == 0 else "0" if digits == 1 else "")
    numerator, exact_denominator = exact.as_integer_ratio()
    numerator, denominator = numerator, exact_denominator * denominator
    units = _half_up(numerator, denominator, digits)
    fee = Decimal(f"{units}E-{digits}") if digits else Decimal(units)
    if digits <= _WIRE_DIGITS:
        cents = units * 10 ** (_WIRE_DIGITS - digits)
    else:
        cents = _half_up(numerator, denominator, _WIRE_DIGITS)
    return fee, f"{cents // 100}.{cents % 100:02d}"


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
