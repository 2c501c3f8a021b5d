"""Demo: the Gotadi cancel flow over real HTTP against a local sandbox it starts and stops.

The sandbox and the client use the TEST-ONLY keys (made on first use) and credentials; the quotes
are taken at a fixed instant inside seed 001's windows so that the fees are the worked examples'.
Each case says how the flow must end (`penalty.demos.expect`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TextIO

from penalty.booking import Booking
from penalty.demos import expect
from penalty.errors import PenaltyError
from penalty.providers._sandbox import SandboxServer
from penalty.providers.gotadi.client import GotadiClient
from penalty.providers.gotadi.config import GotadiSettings
from penalty.providers.gotadi.flow import FlowSettings, Step, cancel_booking
from penalty.providers.gotadi.keys import bundled_key_path
from penalty.providers.gotadi.sandbox import GotadiSandbox
from penalty.providers.gotadi.sandbox_data import SANDBOX_CONFIG_FILE

__all__ = ["run"]

_ICT = timezone(timedelta(hours=7))
#: SEMANTICS' worked-example booking (seed 001's examples are priced against it).
_BOOKING = Booking.model_validate(
    {
        "total": "3000000",
        "currency": "VND",
        "nightly_rates": ["1000000", "1200000", "800000"],
        "check_in": "2021-05-13",
        "check_out": "2021-05-16",
        "timezone": "Asia/Ho_Chi_Minh",
    }
)
#: The live check-cancel-penalty example's booking (PROTOCOLS A.5; nights sent unordered).
_LIVE_BOOKING = Booking.model_validate(
    {
        "total": "2400000",
        "currency": "VND",
        "nightly_rates": [
            {"date": "2021-08-27", "amount": "1300000"},
            {"date": "2021-08-26", "amount": "1100000"},
        ],
        "check_in": "2021-08-26",
        "check_out": "2021-08-28",
        "timezone": "Asia/Ho_Chi_Minh",
    }
)
_AT = datetime(2021, 5, 13, 9, 0, tzinfo=_ICT)
_LIVE_AT = datetime(2021, 8, 26, 12, 0, tzinfo=_ICT)
#: Short real waits, so that the demo shows the backoff without taking long.
_FLOW = FlowSettings(poll_initial=0.1, poll_factor=2.0, poll_max=0.4, deadline=5.0)

#: (booking number, booking, cancel time, title, how the flow ends: a state or "refused").
_CASES = (
    (
        "EX3",
        _BOOKING,
        _AT,
        "seed example 3 (70 %): Gotadi's total matches ours, confirmed",
        "confirmed",
    ),
    (
        "EX1-WAITING",
        _BOOKING,
        _AT,
        "one night: the supplier confirms after two status polls",
        "confirmed",
    ),
    (
        "EX3-MISMATCH",
        _BOOKING,
        _AT,
        "Gotadi says penalty mismatch: re-check, resubmit once",
        "confirmed",
    ),
    (
        "HDCO2107121213651",
        _LIVE_BOOKING,
        _LIVE_AT,
        "the live API example: cancelPenaltyTotal 0.0 vs our one night, reported",
        "confirmed",
    ),
    ("EX3-NOT-ALLOWED", _BOOKING, _AT, "not cancellable: nothing is sent", "not_allowed"),
    ("EX3-BAD-SIGNATURE", _BOOKING, _AT, "an answer with a bad signature is an error", "refused"),
)


def _case(
    out: TextIO, gotadi: GotadiClient, booking_number: str, booking: Booking, at: datetime
) -> str:
    """Run the flow on one booking, print its trail; its final state, or ``"refused"``."""

    def show(step: Step) -> None:
        out.write(f"{step}\n")

    try:
        outcome = cancel_booking(
            gotadi, booking_number, booking, now=lambda: at, settings=_FLOW, on_step=show
        )
    except PenaltyError as exc:
        out.write(f"refused: {exc}\n")
        return "refused"
    line = f"=> {outcome.state.value}"
    if outcome.amount_sent is not None:
        line += f", fee sent {outcome.amount_sent}"
    if outcome.total_mismatch:
        line += " (differs from Gotadi's cancelPenaltyTotal; reported, ours sent)"
    out.write(line + "\n")
    return outcome.state.value


def run(out: TextIO) -> None:
    """Start the sandbox, run the flow on each case, print the trails, stop the sandbox."""
    out.write("== Gotadi: check -> quote -> compare -> cancel -> follow (local sandbox) ==\n")
    sandbox = GotadiSandbox.with_test_keys()
    with SandboxServer(sandbox) as server:
        config = bundled_key_path(SANDBOX_CONFIG_FILE)
        settings = GotadiSettings.load(config_file=config, environ={}, base_url=server.url)
        out.write(f"sandbox on {server.url}, client configured from {config.name}\n")
        with GotadiClient(settings) as gotadi:
            for booking_number, booking, at, title, ends in _CASES:
                out.write(f"\n-- cancel {booking_number}: {title}\n")
                expect(
                    f"cancel {booking_number}",
                    _case(out, gotadi, booking_number, booking, at),
                    ends,
                )
        seen = ", ".join(f"{s.endpoint} {s.booking_number}" for s in sandbox.seen[:4])
        out.write(f"\nthe sandbox saw {len(sandbox.seen)} requests ({seen}, ...)\n")
