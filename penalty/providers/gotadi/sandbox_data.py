"""The Gotadi sandbox's bookings: penalty windows by booking number (no repository files read).

``EX1`` … ``EX6`` are seed 001's six examples verbatim; ``HDCO2107121213651`` is the live
check-cancel-penalty example of PROTOCOLS A.5 (``dd/MM/yyyy HH:mm`` dates, total ``0.0``);
``STAY`` has windows relative to the sandbox's clock (free until 2 days from now, 50 % until 5
days, then 100 % until check-in at 7 days), so that a real-clock quote lands in a window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

__all__ = ["FIXTURES", "SandboxBooking", "relative_stay"]

_ICT = timezone(timedelta(hours=7), "ICT")


def _window(start: str, end: str, kind: str, **components: str) -> dict[str, str]:
    return {
        "startDate": start,
        "endDate": end,
        "type": kind,
        "currency": "VND",
        "percent": components.get("percent", ""),
        "nights": components.get("nights", ""),
        "amount": components.get("amount", ""),
        "description": "",
    }


_D12, _D13 = "2021-05-12T18:00:00.000+07:00", "2021-05-13T18:00:00.000+07:00"
_D10, _D01 = "2021-05-10T18:00:00.000+07:00", "2021-05-01T18:00:00.000+07:00"


@dataclass(frozen=True, slots=True)
class SandboxBooking:
    """What the sandbox knows of a booking: its windows and what it reports as the total.

    ``windows`` is either a list of ``cancelPenalties`` entries or a function of the sandbox's
    "now" returning one.
    """

    windows: tuple[dict[str, str], ...] | Callable[[datetime], tuple[dict[str, str], ...]]
    cancel_penalty_total: Decimal = Decimal("0.0")
    product_type: str = "HOTEL"

    def penalties(self, now: datetime) -> list[dict[str, str]]:
        """The ``cancelPenalties`` list as of ``now``."""
        windows = self.windows(now) if callable(self.windows) else self.windows
        return [dict(window) for window in windows]


def relative_stay(now: datetime) -> tuple[dict[str, str], ...]:
    """``STAY``: free for 2 days, then 50 %, then 100 %, check-in 7 days after ``now``."""
    base = now.astimezone(_ICT).replace(minute=0, second=0, microsecond=0)

    def at(days: int) -> str:
        return (base + timedelta(days=days)).isoformat(timespec="milliseconds")

    return (
        _window(at(2), at(5), "PERCENT", percent="50%"),
        _window(at(5), at(7), "PERCENT", percent="100%"),
    )


FIXTURES: dict[str, SandboxBooking] = {
    "EX1": SandboxBooking((_window(_D12, _D13, "NIGHTS", nights="1.0"),)),
    "EX2": SandboxBooking((_window(_D12, _D13, "AMOUNT", amount="200000"),)),
    "EX3": SandboxBooking((_window(_D12, _D13, "PERCENT", percent="70%"),), Decimal("2100000.0")),
    "EX4": SandboxBooking(
        (
            _window(_D10, _D12, "PERCENT", percent="50%"),
            _window(_D12, _D13, "PERCENT", percent="70%"),
        )
    ),
    "EX5": SandboxBooking((_window(_D10, _D12, "PERCENT", percent="50%", amount="25000"),)),
    "EX6": SandboxBooking((_window(_D01, _D12, "NIGHTS", nights="0"),)),
    "HDCO2107121213651": SandboxBooking(
        (_window("26/08/2021 11:00", "27/08/2021 11:00", "NIGHTS", nights="1.0"),)
    ),
    "STAY": SandboxBooking(relative_stay),
}


def check_body(status: str, penalties: list[dict[str, str]], total: Decimal) -> dict[str, Any]:
    """A check-cancel-penalty answer shaped like PROTOCOLS A.5 (total kept exact)."""
    return {
        "result": {"cancelPenalties": penalties, "cancelPenaltyTotal": total, "status": status},
        "duration": 0,
        "textMessage": None,
        "errors": None,
        "infos": None,
        "success": True,
    }
