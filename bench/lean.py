"""The floor `make bench` measures the end-to-end path against: a hand-written, unvalidated fee.

What a developer in a hurry writes for one Gotadi response and one booking: `json.loads`,
`datetime.fromisoformat` on each window's dates, a `Decimal` loop over the windows, no
validation at all (no type checks, no currency check, no ranges, no errors with paths, no
rounding rule beyond VND's). It is the speed penalty should stay near while validating
everything the contract asks for; it is not a second implementation of SEMANTICS.md and handles
only the benchmark's inputs (touching windows with offsets, a VND booking with nightly rates).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["lean_fee"]

_ONE = Decimal(1)
_HUNDRED = Decimal(100)


def lean_fee(response: bytes, booking: dict[str, Any], at: datetime) -> Decimal:
    """The fee of cancelling at ``at``: the highest window covering it, free before the first,
    the whole total from the end of the last."""
    windows = json.loads(response)["result"]["cancelPenalties"]
    total = Decimal(booking["total"])
    rates = [Decimal(rate) for rate in booking["nightly_rates"]]
    fee: Decimal | None = None
    first = last = None
    for window in windows:
        start = datetime.fromisoformat(window["startDate"])
        end = datetime.fromisoformat(window["endDate"])
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
        if not start <= at < end:
            continue
        charge = Decimal(0)
        if window["percent"]:
            charge += Decimal(window["percent"].rstrip("%")) / _HUNDRED * total
        if window["amount"]:
            charge += Decimal(window["amount"])
        if window["nights"]:
            left = Decimal(window["nights"])
            for rate in rates:
                charge += min(left, _ONE) * rate
                left -= _ONE
                if left <= 0:
                    break
        fee = charge if fee is None else max(fee, charge)
    if fee is None:
        fee = Decimal(0) if first is not None and at < first else total
    return min(fee, total).quantize(_ONE, rounding=ROUND_HALF_UP)
