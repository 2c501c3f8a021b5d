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
from penalty.providers import gotadi

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
_FLOW = gotadi.FlowSettings(poll_initial=0.1, poll_factor=2.0, poll_max=0.4, deadline=5.0)

#: (booking number, booking, cancel time, title, how the flow ends: a state or "refused", what
#: to do when our fee differs from Gotadi's total).
_CASES = (
    (
        "EX3",
        _BOOKING,
        _AT,
        "seed example 3 (70 %): Gotadi's total matches ours, confirmed",
        "confirmed",
        "stop",
    ),
    (
        "EX1-WAITING",
        _BOOKING,
        _AT,
        (
            "one night: the supplier confirms after two status polls (Gotadi's total 0.0 is "
            "known wrong here, so on_total_mismatch = ours)"
        ),
        "confirmed",
        "ours",
    ),
    (
        "EX1-WAITING",
        _BOOKING,
        _AT,
        "the same booking again: already confirmed, so nothing is sent twice",
        "confirmed",
        "ours",
    ),
    (
        "EX3-MISMATCH",
        _BOOKING,
        _AT,
        "Gotadi says penalty mismatch: re-check, resubmit once",
        "confirmed",
        "stop",
    ),
    (
        "HDCO2107121213651",
        _LIVE_BOOKING,
        _LIVE_AT,
        "the live API example: cancelPenaltyTotal 0.0 vs our one night: stop before sending",
        "total_mismatch",
        "stop",
    ),
    ("EX3-NOT-ALLOWED", _BOOKING, _AT, "not cancellable: nothing is sent", "not_allowed", "stop"),
    (
        "EX3-BAD-SIGNATURE",
        _BOOKING,
        _AT,
        "the cancel's answer has a bad signature: not believed; the signed status decides",
        "confirmed",
        "stop",
    ),
)


def _case(
    out: TextIO, client: gotadi.Client, booking_number: str, booking: Booking, at: datetime
) -> str:
    """Run the flow on one booking, print its trail; its final state, or ``"refused"``."""

    def show(step: gotadi.Step) -> None:
        out.write(f"{step}\n")

    try:
        outcome = client.cancel_booking(
            booking_number, booking, now=lambda: at, settings=_FLOW, on_step=show
        )
    except PenaltyError as exc:
        out.write(f"refused: {exc}\n")
        return "refused"
    line = f"=> {outcome.state.value}"
    if outcome.amount_sent is not None:
        line += f", fee sent {outcome.amount_sent}"
    if outcome.total_mismatch:
        line += " (our fee differs from Gotadi's cancelPenaltyTotal)"
    out.write(line + "\n")
    return outcome.state.value


def run(out: TextIO) -> None:
    """Start the sandbox, run the flow on each case, print the trails, stop the sandbox."""
    out.write("== Gotadi: check -> status -> quote -> compare -> cancel -> follow (sandbox) ==\n")
    sandbox = gotadi.Sandbox.with_test_keys()
    with sandbox.serve() as server:
        config_file = gotadi.bundled_key_path(gotadi.SANDBOX_CONFIG_FILE)
        out.write(f"sandbox on {server.url}, client configured from {config_file.name}\n")
        for booking_number, booking, at, title, ends, on_mismatch in _CASES:
            config = gotadi.Config.load(
                config_file=config_file,
                environ={},
                base_url=server.url,
                on_total_mismatch=on_mismatch,
            )
            with gotadi.Client(config) as client:
                out.write(f"\n-- cancel {booking_number}: {title}\n")
                expect(
                    f"cancel {booking_number}",
                    _case(out, client, booking_number, booking, at),
                    ends,
                )
        seen = ", ".join(f"{s.endpoint} {s.key}" for s in list(sandbox.seen)[:4])
        sent = sandbox.count("cancel")
        out.write(f"\nthe sandbox saw {len(sandbox.seen)} requests ({seen}, ...), {sent} cancels\n")
