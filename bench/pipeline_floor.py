"""The least Python the end-to-end job can cost while validating: two floors for issue 12.

`bench/lean.py` validates nothing. These two functions validate what penalty's contract asks of
a Gotadi response and a booking, with the same pydantic-core schema as `penalty.from_gotadi`,
and build nothing else: no `Policy`, `Booking` or `Timeline`, no warnings, no error paths (a
bad input raises a bare `ValueError` or `InvalidInput`), no wall-clock times, deadlines,
surcharges or refunds.
They answer only the benchmark's inputs (windows with offsets, a booking with nightly rates),
checked equal to penalty there by `bench.instructions`; they are not a second engine.

- `pipeline_fee` follows the pipeline issue 12 prescribes: validate, read every window into
  integer time and an exact charge, one sweep over the sorted edges, each interval's fee rounded
  once, then one bisection.
- `one_fee` prices only the windows that cover the instant, with no sweep and no timeline (no
  gap carrying either: the benchmark's windows touch).

Both are counted in CPU instructions by ``make bench-instructions``.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from penalty.errors import InvalidInput
from penalty.formats.gotadi import _PAYLOAD, _unwrap
from penalty.instants import read_checked_iso, to_nanos, zone
from penalty.money import EXACT, round_fee, validate_currency
from penalty.policy import COMPONENTS

__all__ = ["one_fee", "pipeline_fee"]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_INFINITY = float("inf")
#: The field a window of each kind must carry (rule 4).
_NEEDS = {"PERCENT": "percent", "AMOUNT": "amount", "NIGHTS": "nights"}

_Window = tuple[int, int, Decimal | None, Decimal | None, Decimal | None]


def _booking(data: dict[str, Any]) -> tuple[Decimal, str, list[Decimal]]:
    """Total, currency and nightly rates, checked: known currency, positive plain numbers,
    valid ordered dates, one rate a night, a known zone."""
    currency = validate_currency(data["currency"], path="currency", error=InvalidInput)
    total = Decimal(data["total"])
    if not total > 0:
        raise ValueError(data["total"])
    rates = [Decimal(rate) for rate in data["nightly_rates"]]
    check_in, check_out = (
        date.fromisoformat(data["check_in"]),
        date.fromisoformat(data["check_out"]),
    )
    if check_out <= check_in or len(rates) != (check_out - check_in).days:
        raise ValueError(data)
    zone(data["timezone"], path="timezone", error=InvalidInput)
    return total, currency, rates


def _windows(response: bytes, currency: str) -> list[_Window]:
    """Every window checked (status, shape and grammar in pydantic-core, then kind, calendar
    dates, order, percent range, component, currency) and read into nanoseconds and numbers."""
    entries, _ = _unwrap(_PAYLOAD.validate_json(response))
    times: dict[str, tuple[int, Any]] = {}
    windows = []
    for entry in entries:  # type: ignore[attr-defined]
        kind = entry["type"]
        if kind not in COMPONENTS or not entry.get(_NEEDS[kind]):
            raise ValueError(entry)
        start = times.get(entry["startDate"]) or read_checked_iso(entry["startDate"])
        end = times.get(entry["endDate"]) or read_checked_iso(entry["endDate"])
        if start is None or end is None or end[0] < start[0]:
            raise ValueError(entry)
        times[entry["startDate"]], times[entry["endDate"]] = start, end
        percent, amount, nights = entry.get("percent"), entry.get("amount"), entry.get("nights")
        read = Decimal(percent.rstrip("%")) if percent else None
        if read is not None and read > _HUNDRED:
            raise ValueError(percent)
        if entry.get("currency") not in (None, "", currency):
            raise ValueError(entry)
        windows.append(
            (
                start[0],
                end[0],
                read,
                Decimal(amount) if amount else None,
                Decimal(nights) if nights else None,
            )
        )
    return windows


def _charge(window: _Window, total: Decimal, rates: list[Decimal]) -> Decimal:
    """Rules 4-6 and 10: percent of the total, plus the amount, plus the first nights."""
    _, _, percent, amount, nights = window
    charge = _ZERO
    if percent is not None:
        charge = EXACT.add(charge, EXACT.multiply(percent, total).scaleb(-2, EXACT))
    if amount is not None:
        charge = EXACT.add(charge, amount)
    if nights is not None:
        whole = int(nights)
        for rate in rates[:whole]:
            charge = EXACT.add(charge, rate)
        if whole < len(rates):
            charge = EXACT.add(charge, EXACT.multiply(EXACT.subtract(nights, whole), rates[whole]))
    return min(charge, total)


def pipeline_fee(response: bytes, booking: dict[str, Any], at: datetime) -> Decimal:
    """Validate, read, one sweep into a timeline of rounded fees, one bisection."""
    total, currency, rates = _booking(booking)
    windows = _windows(response, currency)
    digits = 0  # VND, the benchmark's currency
    spans = sorted((w[0], w[1], _charge(w, total, rates), i) for i, w in enumerate(windows))
    bounds = sorted({edge for span in spans for edge in span[:2]})
    first, last = spans[0][0], max(span[1] for span in spans)
    active: list[tuple[Decimal, int, int]] = []
    fees, cursor, low, charge = [], 0, -_INFINITY, _ZERO
    for high in [*bounds, _INFINITY]:  # rules 3, 7, 8, 9 on the interval [low, high)
        while cursor < len(spans) and spans[cursor][0] <= low:
            _, end, covered, index = spans[cursor]
            heapq.heappush(active, (-covered, index, end))
            cursor += 1
        while active and active[0][2] <= low:
            heapq.heappop(active)
        if active:
            charge = -active[0][0]
        elif low >= last:
            charge = total
        elif high <= first:
            charge = _ZERO
        fees.append(round_fee(charge, 1, digits))
        low = high
    return fees[bisect_right(bounds, to_nanos(at))]


def one_fee(response: bytes, booking: dict[str, Any], at: datetime) -> Decimal:
    """Validate and read every window, then price only those that cover ``at``."""
    total, currency, rates = _booking(booking)
    windows = _windows(response, currency)
    nanos = to_nanos(at)
    fee: Decimal | None = None
    for window in windows:
        if window[0] <= nanos < window[1]:
            charge = _charge(window, total, rates)
            fee = charge if fee is None else max(fee, charge)
    if fee is None:
        fee = _ZERO if nanos < min(window[0] for window in windows) else total
    return round_fee(fee, 1, 0)
