"""The baseline `make bench` measures penalty against: fees computed the way a partner would.

Straightforward and correct for the benchmark's inputs (Gotadi windows in VND, a booking with
nightly rates): the Gotadi JSON is validated into a pydantic model whose fields are the strings
Gotadi sends, every date is parsed with `pendulum.parse` on every call, every quote loops over
all the windows, and the arithmetic is `Decimal`. Nothing is compiled or cached. `bench/run.py`
checks that it gives penalty's fees on every benchmark input before timing anything.

Not part of the package, and not a second implementation of SEMANTICS.md: it handles only what
the benchmark feeds it (windows with offsets, a VND booking with nightly rates, no surcharge).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pendulum
from pydantic import BaseModel, TypeAdapter

__all__ = ["GotadiWindow", "Stay", "parse_policy", "quote"]


class GotadiWindow(BaseModel):
    """One ``cancelPenalties`` entry, as Gotadi sends it."""

    startDate: str  # noqa: N815 - Gotadi's own field names
    endDate: str  # noqa: N815
    type: str
    currency: str = ""
    percent: str = ""
    nights: str = ""
    amount: str = ""
    description: str = ""


class Stay(BaseModel):
    """The booking: what the guest pays, and each night's price."""

    total: Decimal
    currency: str
    nightly_rates: list[Decimal] = []


_WINDOWS = TypeAdapter(list[GotadiWindow])


def parse_policy(payload: Any) -> list[GotadiWindow]:
    """Validate Gotadi's ``cancelPenalties`` list."""
    return _WINDOWS.validate_python(payload)


def _instant(value: datetime | str) -> pendulum.DateTime:
    parsed = pendulum.parse(value) if isinstance(value, str) else pendulum.instance(value)
    if not isinstance(parsed, pendulum.DateTime):
        msg = f"not a date and time: {value!r}"
        raise TypeError(msg)
    return parsed


def _charge(window: GotadiWindow, stay: Stay) -> Decimal:
    charge = Decimal(0)
    if window.percent:
        charge += Decimal(window.percent.strip().rstrip("%")) / 100 * stay.total
    if window.amount:
        charge += Decimal(window.amount)
    if window.nights:
        left = Decimal(window.nights)
        for rate in stay.nightly_rates:
            take = min(left, Decimal(1))
            charge += take * rate
            left -= take
            if left <= 0:
                break
    return min(charge, stay.total)


def quote(windows: list[GotadiWindow], stay: Stay, at: datetime | str) -> Decimal:
    """The fee of cancelling at ``at``: the highest charge of the windows covering it; free
    before the first window, the whole total after the last, the last charge across a gap."""
    moment = _instant(at)
    fee: Decimal | None = None
    first_start: pendulum.DateTime | None = None
    last_end: pendulum.DateTime | None = None
    carried_end: pendulum.DateTime | None = None
    carried = Decimal(0)
    for window in windows:
        start, end = _instant(window.startDate), _instant(window.endDate)
        charge = _charge(window, stay)
        if start <= moment < end:
            fee = charge if fee is None else max(fee, charge)
        if first_start is None or start < first_start:
            first_start = start
        if last_end is None or end > last_end:
            last_end = end
        if end <= moment and (carried_end is None or end > carried_end):
            carried_end, carried = end, charge
    if fee is None:
        if first_start is None or last_end is None or moment >= last_end:
            fee = stay.total
        elif moment < first_start:
            fee = Decimal(0)
        else:
            fee = carried
    return fee.quantize(Decimal(1), rounding=ROUND_HALF_UP)  # VND has no minor unit
