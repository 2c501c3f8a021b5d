"""The fee rules: the settings a provider chooses, and each SEMANTICS rule in one named place.

The settings (`Rules`) say what happens at a window's edges, in gaps and after the last window;
Gotadi's choices are the defaults. The functions below are the rules themselves, each stated
once and called by the compiler (`penalty.compiler`):

==========================  ==============================================================
SEMANTICS rule              where
==========================  ==============================================================
2 half-open windows         `edge_shift` (and `Boundary`)
3, 7, 8, 9 phases           `penalty.compiler` (the sweep)
4, 5, 10 components, cap    `window_charge`
5 percent 0-100             `check_percent`
6 nights                    `nights_charge`
11 currency                 `check_currency`
12 rounding                 `penalty.money.round_fee`
13 wire amount              `penalty.money.gotadi_amount`
15 end before start         `check_order`
==========================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Literal

from penalty._model import FrozenModel
from penalty.errors import CurrencyMismatch, InvalidPolicy
from penalty.money import EXACT

__all__ = [
    "HUNDRED",
    "AfterLast",
    "Basis",
    "Boundary",
    "Gaps",
    "Phase",
    "Rules",
    "check_currency",
    "check_order",
    "check_percent",
    "edge_shift",
    "nights_charge",
    "window_charge",
]

#: The phase of an instant: free before the first window, inside one, in a gap between two,
#: or a no-show from the end of the last one on.
Phase = Literal["free", "window", "gap", "no_show"]

HUNDRED = Decimal(100)
_ZERO = Decimal(0)
_add, _multiply, _subtract = EXACT.add, EXACT.multiply, EXACT.subtract


class Boundary(StrEnum):
    """Which edge of a window is inside it (SEMANTICS rule 2)."""

    #: ``[start, end)``: charged exactly at ``start``, not at ``end`` (Gotadi).
    START_INCLUSIVE = "start_inclusive"
    #: ``(start, end]``: a deadline instant is still the earlier price ("free until 18:00"
    #: includes 18:00:00.000000000); charged from one nanosecond after ``start``.
    END_INCLUSIVE = "end_inclusive"


class Gaps(StrEnum):
    """The fee between two windows that do not touch (SEMANTICS rule 8)."""

    #: The fee in force just before the gap continues: never under-quote (Gotadi).
    CARRY = "carry"
    #: Nothing is charged in a gap.
    FREE = "free"


class AfterLast(StrEnum):
    """The fee from the end of the last window on (SEMANTICS rule 9)."""

    #: The whole total: a no-show (Gotadi).
    NO_SHOW = "no_show"
    #: The last charge carries on forever.
    CARRY = "carry"
    #: Nothing: cancelling after the last window is free.
    FREE = "free"


class Basis(StrEnum):
    """What a window's components price."""

    #: The components are the fee (Gotadi, Expedia).
    FEE = "fee"
    #: The components are the refund; the fee is ``total - refund`` (Duffel).
    REFUND = "refund"


class Rules(FrozenModel):
    """The edge, gap and after-last rules of a policy; the defaults are Gotadi's."""

    _error: ClassVar[type[InvalidPolicy]] = InvalidPolicy

    boundary: Boundary = Boundary.START_INCLUSIVE
    gaps: Gaps = Gaps.CARRY
    after_last: AfterLast = AfterLast.NO_SHOW
    basis: Basis = Basis.FEE


def edge_shift(boundary: Boundary) -> int:
    """Rule 2: nanoseconds added to both edges so that ``[start, end)`` holds on the result.

    A window ``(start, end]`` covers the same instants as ``[start + 1 ns, end + 1 ns)``.
    """
    return 1 if boundary is Boundary.END_INCLUSIVE else 0


def check_percent(value: Decimal, *, path: str | None, raw: object) -> Decimal:
    """Rule 5: a percent is between 0 and 100."""
    if value > HUNDRED:
        raise InvalidPolicy(
            "percent must be between 0 and 100", path=path, value=raw, code="percent_out_of_range"
        )
    return value


def check_order(
    start: float | None, end: float | None, *, path: str | None, value: Callable[[], object]
) -> None:
    """Rule 15: a window's ``end`` is not before its ``start`` (equal covers no instant).

    ``value`` shows the offending end; it is called only to refuse.
    """
    if start is not None and end is not None and end < start:
        raise InvalidPolicy(
            "end is before start", path=path, value=value(), code="end_before_start"
        )


def check_currency(window: str | None, booking: str, *, path: str | None) -> None:
    """Rule 11: a window priced in another currency than the booking is an error."""
    if window is not None and window != booking:
        raise CurrencyMismatch(
            f"window is in {window} but the booking is in {booking}", path=path, value=window
        )


def nights_charge(nights: Decimal, prices: Sequence[Decimal]) -> Decimal:
    """Rule 6: the first ``nights`` nights at their own prices, a fraction of the next one.

    More nights than the stay charge the whole stay.

    Example:
        >>> nights_charge(Decimal("1.5"), [Decimal(1000000), Decimal(1200000), Decimal(800000)])
        Decimal('1600000.0')
    """
    whole = int(nights)
    charge = _ZERO
    for price in prices[:whole]:
        charge = _add(charge, price)
    if whole < len(prices):
        charge = _add(charge, _multiply(_subtract(nights, whole), prices[whole]))
    return charge


def window_charge(
    percent: Decimal | None,
    amount: Decimal | None,
    nights: Decimal,
    *,
    total: Decimal,
    den: int,
) -> Decimal:
    """Rules 4, 5 and 10: ``percent × total + amount + nights``, capped at the total.

    Every amount is over the integer denominator ``den`` (``total`` and ``nights`` already
    are; ``amount`` is scaled here), so nothing is divided, nothing rounded.

    Example:
        >>> window_charge(Decimal(50), Decimal(25000), Decimal(0), total=Decimal(3000000), den=1)
        Decimal('1525000.00')
    """
    charge = nights
    if percent is not None:
        charge = _add(charge, _multiply(percent, total).scaleb(-2, EXACT))
    if amount is not None:
        charge = _add(charge, amount if den == 1 else _multiply(amount, den))
    return min(charge, total)
