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
from penalty.limits import MAX_AMOUNT_DECIMALS, MAX_AMOUNT_DIGITS

__all__ = [
    "EXACT",
    "KNOWN_CURRENCIES",
    "NUMBER_PATTERN",
    "PERCENT_PATTERN",
    "checked_decimal",
    "gotadi_amount",
    "minor_unit",
    "parse_decimal",
    "round_fee",
    "round_half_up",
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

#: The number grammar: up to 20 integer and 12 fraction digits, spaces around (every real
#: amount, and no 10**999 surprises), ASCII digits only ("٧٠" or "７０" is no provider's
#: spelling). Written so that Python's `re` and the Rust ``regex`` crate (pydantic-core checks
#: payloads against it while reading their bytes) read it alike.
NUMBER_PATTERN = (
    rf"[ \t]*[0-9]{{1,{MAX_AMOUNT_DIGITS}}}(?:\.[0-9]{{1,{MAX_AMOUNT_DECIMALS}}})?[ \t]*"
)
#: The same, with an optional ``%`` (``"70%"``, ``" 12.5 % "``).
PERCENT_PATTERN = NUMBER_PATTERN + r"%?[ \t]*"
_NUMBER = re.compile(NUMBER_PATTERN)
_PERCENT = re.compile(PERCENT_PATTERN)
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_DIGITS = MAX_AMOUNT_DIGITS
_MAX_FRACTION = MAX_AMOUNT_DECIMALS
#: The smallest int with more than `_MAX_DIGITS` digits (compared, never turned into text: str()
#: of a 4,301-digit int raises ValueError).
_TOO_LARGE = 10**_MAX_DIGITS
#: The finest step a `Decimal` input may need, ``1E-12``.
_FINEST = Decimal(1).scaleb(-_MAX_FRACTION)
#: Gotadi's amounts have two decimals (SEMANTICS rule 13).
_WIRE_DIGITS = 2
#: Checking a number has at most 12 decimals: 32 digits, and nothing may be rounded away.
_FRACTION = Context(
    prec=_MAX_DIGITS + _MAX_FRACTION,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    rounding=ROUND_HALF_UP,
    traps=[Inexact, InvalidOperation],
)
#: Rounding, and only rounding: half-up, to a quantum, never reading the ambient context.
_ROUNDING = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)
#: ``1``, ``0.1``, ... ``0.000001``: the quantum of each number of decimals (CLDR has 0 to 4).
_QUANTA = tuple(Decimal(1).scaleb(-digits) for digits in range(7))


def _plain(raw: str, *, percent: bool = False) -> Decimal | None:
    r"""``raw`` as a `Decimal` when it is plain digits (``"200000"``, ``"12.5"``, ``"70%"``).

    The common case of `parse_decimal`'s pattern, without the pattern and without building an
    error: ``isascii()`` and ``isdecimal()`` together are exactly the pattern's ASCII ``\d``.
    ``None`` means "not this simple": call `parse_decimal` to accept it or to refuse it.

    Example:
        >>> _plain("70%", percent=True), _plain(" 70 ")
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


def checked_decimal(text: str) -> Decimal:
    """The `Decimal` of a text already known to match `NUMBER_PATTERN` or `PERCENT_PATTERN`.

    Example:
        >>> checked_decimal(" 12.5 % "), checked_decimal("200000")
        (Decimal('12.5'), Decimal('200000'))
    """
    return Decimal(text.strip(" \t").removesuffix("%"))


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
    if isinstance(raw, str):  # what providers send: checked first, it is the hot path
        if raw.isdecimal() and raw.isascii() and len(raw) <= _MAX_DIGITS:
            return Decimal(raw)  # plain integer digits, the commonest spelling
        plain = _plain(raw, percent=percent)
        if plain is not None:
            return plain
        if (_PERCENT if percent else _NUMBER).fullmatch(raw) is None:
            expected = "a number like '70%' or '12.5'" if percent else "plain digits like '200000'"
            raise error(f"{what} must be {expected}", path=path, value=raw, code="not_a_number")
        return checked_decimal(raw)
    if isinstance(raw, bool | float) or not isinstance(raw, int | Decimal):
        wrong = "float_not_allowed" if isinstance(raw, float) else "wrong_type"
        allowed = "a string or an integer" if isinstance(raw, bool | float) else "a string"
        raise error(
            f"{what} must be {allowed}, not {type(raw).__name__}",
            path=path,
            value=raw,
            code=wrong,
        )
    return _number(raw, path=path, error=error, what=what)


def _number(
    raw: int | Decimal, *, path: str | None, error: type[InvalidInput], what: str
) -> Decimal:
    """`parse_decimal` of a JSON number (an `int`, or a `Decimal` read exactly)."""
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise error(f"{what} must be finite", path=path, value=raw, code="not_finite")
    if raw < 0:
        raise error(f"{what} must not be negative", path=path, value=raw, code="negative")
    if isinstance(raw, int):
        if raw >= _TOO_LARGE:  # compared, never turned into text (4,301 digits would raise)
            raise error(f"{what} is too large", path=path, value=raw, code="too_large")
        return Decimal(raw)
    if raw.is_signed():  # -0 (a JSON -0.0): zero, never shown as "-0"
        raw = raw.copy_abs()
    if raw.adjusted() >= _MAX_DIGITS:
        if not raw:  # 0E+99 is zero, however it is written
            return Decimal(0)
        raise error(f"{what} is too large", path=path, value=raw, code="too_large")
    # A JSON number read exactly (1.50000000000000 is fine, a 10,000-decimal one is not):
    # quantized to 1E-12 where no digit may be dropped (it is below 10**20 by now), never
    # through `as_tuple()`, a tuple of every digit (512 MB for a 64 MiB number).
    try:
        fine = _FRACTION.quantize(raw, _FINEST)
    except (Inexact, InvalidOperation):
        raise error(
            f"{what} has more than {_MAX_FRACTION} decimals",
            path=path,
            value=raw,
            code="too_precise",
        ) from None
    return fine if raw.compare_total(fine) < 0 else raw  # trailing zeros past 12 decimals: cut


#: The currencies validated so far, with their digits: a dict lookup instead of babel and a regex.
_KNOWN: dict[str, int] = {}
#: The same codes, for a membership test (a read-only view).
KNOWN_CURRENCIES = _KNOWN.keys()


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
    if digits is None:
        validate_currency(currency, path="currency", error=InvalidInput)
        digits = _KNOWN[currency]
    return digits


def round_half_up(value: Fraction | Decimal | int, digits: int) -> Decimal:
    """Round an exact value half-up (away from zero on ties) to ``digits`` decimals, exactly.

    The one half-up rounding of the package: `round_fee` (SEMANTICS rule 12), `gotadi_amount`
    (rule 13) and the previews' shares all come here.

    Example:
        >>> round_half_up(Fraction(8641969, 10), 0)
        Decimal('864197')
        >>> round_half_up(Fraction(33333, 1000), 2), round_half_up(Fraction(-1, 8), 2)
        (Decimal('33.33'), Decimal('-0.13'))
    """
    if type(value) is Decimal and digits < len(_QUANTA):
        # One C-level quantize in an explicit half-up context: the same result as the ratio.
        return _ROUNDING.quantize(value, _QUANTA[digits])
    numerator, denominator = value.as_integer_ratio()
    units = (2 * abs(numerator) * 10**digits + denominator) // (2 * denominator)
    if numerator < 0:
        units = -units
    return Decimal(units).scaleb(-digits, _ROUNDING)


def round_fee(exact: Decimal, denominator: int, digits: int) -> Decimal:
    """SEMANTICS rule 12: a fee ``exact / denominator``, rounded once, half-up, to ``digits``.

    ``denominator`` is 1, or the number of nights when a night's price is ``total / nights``
    (the compiler keeps every charge over one integer denominator so nothing is rounded early).

    Example:
        >>> round_fee(Decimal("864196.9"), 1, 0), round_fee(Decimal("100"), 3, 3)
        (Decimal('864197'), Decimal('33.333'))
    """
    if denominator == 1 and digits < len(_QUANTA):  # the common case: one C-level quantize
        fee = _ROUNDING.quantize(exact, _QUANTA[digits])
    else:
        fee = round_half_up(Fraction(exact) / denominator, digits)
    if fee.is_signed():
        msg = f"a fee is never negative: {exact}/{denominator}"
        raise ValueError(msg)
    return fee


def gotadi_amount(fee: Decimal) -> str:
    """SEMANTICS rule 13: Gotadi's wire amount of a rounded fee: plain digits, two decimals.

    Written from the rounded fee, so one fee has one wire amount; a fee with three or more
    decimals (KWD) is rounded half-up to cents.

    Example:
        >>> gotadi_amount(Decimal("2100000")), gotadi_amount(Decimal("33.3"))
        ('2100000.00', '33.30')
        >>> gotadi_amount(Decimal("1.235")), gotadi_amount(Decimal("0"))
        ('1.24', '0.00')
    """
    if not fee.is_finite() or fee < 0:
        msg = f"not a non-negative amount: {fee!r}"
        raise ValueError(msg)
    cents = round_half_up(fee, _WIRE_DIGITS)
    return f"{cents:f}"
