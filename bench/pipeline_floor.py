"""The least Python the end-to-end job can cost while validating: two floors for issue 12.

`bench/lean.py` validates nothing. These two functions validate what penalty's contract asks of
a Gotadi response and a booking, with the same pydantic-core schema as `penalty.from_gotadi`,
through the engine's own rule functions (the ISO and number readings, the percent, order,
component and currency checks, the charges, the rounding; only the sweep is written here), and
build nothing else: no `Policy`, `Booking` or `Timeline`, no warnings, no field paths past the
entry (a bad input raises the rule's own error or a bare `ValueError`), no wall-clock times,
deadlines, surcharges or refunds. They answer only the benchmark's inputs (windows with
offsets, a booking with nightly rates), checked equal to penalty there by `bench.instructions`;
they are not a second engine.

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
from functools import partial
from typing import Any

from penalty.errors import InvalidInput
from penalty.formats.gotadi import _PAYLOAD, _unwrap
from penalty.instants import read_checked_iso, to_nanos, zone
from penalty.money import checked_decimal, round_fee, validate_currency
from penalty.policy import COMPONENTS, check_components
from penalty.rules import check_currency, check_order, check_percent, nights_charge, window_charge

__all__ = ["one_fee", "pipeline_fee"]

_ZERO = Decimal(0)
_INFINITY = float("inf")

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
    dates, order, percent range, component, currency) and read into nanoseconds and numbers,
    through the engine's own rule functions."""
    entries, _ = _unwrap(_PAYLOAD.validate_json(response))
    times: dict[str, tuple[int, Any]] = {}
    windows = []
    for entry in entries:  # type: ignore[attr-defined]
        kind = entry["type"]
        if kind not in COMPONENTS:
            raise ValueError(kind)
        start = times.get(entry["startDate"]) or read_checked_iso(entry["startDate"])
        end = times.get(entry["endDate"]) or read_checked_iso(entry["endDate"])
        if start is None or end is None:
            raise ValueError(entry)
        check_order(start[0], end[0], path="endDate", value=partial(entry.get, "endDate"))
        times[entry["startDate"]], times[entry["endDate"]] = start, end
        percent, amount, nights = entry.get("percent"), entry.get("amount"), entry.get("nights")
        read = (
            check_percent(checked_decimal(percent), path="percent", raw=percent)
            if percent
            else None
        )
        amount = checked_decimal(amount) if amount else None
        nights = checked_decimal(nights) if nights else None
        check_components(kind, read, amount, nights, str)
        check_currency(entry.get("currency") or None, currency, path="currency")
        windows.append((start[0], end[0], read, amount, nights))
    return windows


def _charge(window: _Window, total: Decimal, rates: list[Decimal]) -> Decimal:
    """Rules 4-6 and 10, by the engine's `window_charge` and `nights_charge`."""
    _, _, percent, amount, nights = window
    return window_charge(
        percent, amount, nights_charge(nights, rates) if nights else _ZERO, total=total, den=1
    )


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
