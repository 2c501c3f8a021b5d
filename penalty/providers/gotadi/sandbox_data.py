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
from enum import StrEnum
from typing import Any

from penalty.providers.gotadi.models import CancellationStatus, CheckStatus, ErrorCode

__all__ = [
    "FIXTURES",
    "SANDBOX_CONFIG_FILE",
    "SCENARIOS",
    "TEST_ONLY_ACCESS_CODE",
    "TEST_ONLY_API_KEY",
    "TRANSPORT_FAULTS",
    "Fault",
    "Reply",
    "SandboxBooking",
    "Scenario",
    "check_body",
    "relative_stay",
]

#: The credentials the sandbox accepts unless told otherwise: the ones in the bundled
#: ``gotadi-sandbox-TEST-ONLY.toml`` client config. Public and fake.
TEST_ONLY_API_KEY = "TEST-ONLY-sandbox-api-key"
TEST_ONLY_ACCESS_CODE = "TEST-ONLY-sandbox-access-code"
SANDBOX_CONFIG_FILE = "gotadi-sandbox-TEST-ONLY.toml"

_ICT = timezone(timedelta(hours=7), "ICT")
_CONFIRMED = CancellationStatus.CANCEL_CONFIRMED
_WAITING = CancellationStatus.CANCEL_WAITING_CONFIRM


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


class Fault(StrEnum):
    """Ways to misbehave instead of answering properly."""

    SLOW = "slow"  #: the right answer, ``GotadiSandbox.slow_seconds`` late
    HTTP_500 = "http-500"
    HTTP_503 = "http-503"
    GARBAGE = "garbage"  #: a 200 whose body is not JSON
    BAD_SIGNATURE = "bad-signature"  #: a well-encrypted answer signed with another key
    TAMPERED = "tampered"  #: a correct answer with one bit of ``data`` flipped
    TRUNCATED = "truncated"  #: fewer bytes than announced
    RESET = "reset"  #: the connection dropped without an answer


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer: a status (check or cancellation), an error code, or a fault.

    ``amount`` overrides the cancellation-check fee (default: the amount last submitted);
    ``total`` overrides check-cancel-penalty's ``cancelPenaltyTotal``.
    """

    status: str = _CONFIRMED.value
    error_code: ErrorCode = ErrorCode.SUCCESS
    fault: Fault | None = None
    amount: str | None = None
    total: Decimal | None = None


_ALLOW = Reply(CheckStatus.ALLOW_CANCELLATION.value)
#: Faults that replace the answer; SLOW, BAD_SIGNATURE and TAMPERED alter a real one.
TRANSPORT_FAULTS = frozenset(
    {Fault.HTTP_500, Fault.HTTP_503, Fault.GARBAGE, Fault.TRUNCATED, Fault.RESET}
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Replies per endpoint, used in turn; the last one repeats."""

    check: tuple[Reply, ...] = (_ALLOW,)
    cancel: tuple[Reply, ...] = (Reply(),)
    status: tuple[Reply, ...] = (Reply(),)


def _s(status: CancellationStatus, code: ErrorCode = ErrorCode.SUCCESS) -> Reply:
    return Reply(status.value, code)


def _code(code: ErrorCode) -> Reply:
    return Reply("", code)


SCENARIOS: dict[str, Scenario] = {
    "CONFIRMED": Scenario(),
    "WAITING": Scenario(cancel=(_s(_WAITING),), status=(_s(_WAITING), _s(_WAITING), Reply())),
    "WAITING-FOREVER": Scenario(cancel=(_s(_WAITING),), status=(_s(_WAITING),)),
    "UNKNOWN": Scenario(
        cancel=(_s(CancellationStatus.CANCEL_UNKNOWN),),
        status=(_s(CancellationStatus.CANCEL_UNKNOWN), Reply()),
    ),
    "MISMATCH": Scenario(cancel=(_s(CancellationStatus.CANCEL_PENALTY_MISMATCH), Reply())),
    "MISMATCH-ALWAYS": Scenario(cancel=(_s(CancellationStatus.CANCEL_PENALTY_MISMATCH),)),
    "EXPIRED": Scenario(
        cancel=(_s(CancellationStatus.CANCEL_EXPIRED),),
        status=(_s(CancellationStatus.CANCEL_EXPIRED),),
    ),
    "NOT-ALLOWED": Scenario(check=(Reply(CheckStatus.NOT_ALLOW_CANCELLATION.value),)),
    "CHECK-UNKNOWN": Scenario(check=(Reply(CheckStatus.UNKNOWN.value), _ALLOW)),
    "CHECK-5XX": Scenario(check=(Reply(fault=Fault.HTTP_503), _ALLOW)),
    "CHECK-SLOW": Scenario(check=(Reply(CheckStatus.ALLOW_CANCELLATION.value, fault=Fault.SLOW),)),
    "SLOW": Scenario(cancel=(Reply(fault=Fault.SLOW),)),
    "5XX": Scenario(cancel=(Reply(fault=Fault.HTTP_503),)),
    "GARBAGE": Scenario(cancel=(Reply(fault=Fault.GARBAGE),)),
    "BAD-SIGNATURE": Scenario(cancel=(Reply(fault=Fault.BAD_SIGNATURE),)),
    "TAMPERED": Scenario(cancel=(Reply(fault=Fault.TAMPERED),)),
    **{
        f"E{code.value}": Scenario(cancel=(_code(code),))
        for code in ErrorCode
        if code.value != "00"
    },
}
