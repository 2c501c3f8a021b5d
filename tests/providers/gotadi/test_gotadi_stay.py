"""`PenaltyCheck.require_booking`: a booking file must be the live booking's before a fee is sent.

Issue 11: a booking file of another stay was quoted against the live windows (``0.00``, since
they had not started) and the cancellation was confirmed. Each rule is checked here on its own,
on both sides of its edge, and the flow is shown to send nothing for a foreign booking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from penalty.booking import Booking
from penalty.errors import CurrencyMismatch, InvalidBooking
from penalty.formats.gotadi import CheckCancelPenaltyResponse
from penalty.policy import Policy
from penalty.providers.gotadi.check import LONGEST_LEAD, PenaltyCheck
from penalty.providers.gotadi.client import Client
from penalty.providers.gotadi.flow import FlowSettings
from penalty.providers.gotadi.models import CheckStatus
from penalty.providers.gotadi.sandbox import Sandbox
from penalty.providers.gotadi.sandbox_data import check_body

from .support import AT, FakeTime

#: SEMANTICS' booking: 3 nights from 13 May 2021, 3,000,000 VND, in Ho Chi Minh City.
SEED = {
    "total": "3000000",
    "currency": "VND",
    "nightly_rates": ["1000000", "1200000", "800000"],
    "check_in": "2021-05-13",
    "check_out": "2021-05-16",
    "timezone": "Asia/Ho_Chi_Minh",
}


def _window(start: str, end: str, kind: str = "PERCENT", **parts: str) -> dict[str, str]:
    return {
        "startDate": start,
        "endDate": end,
        "type": kind,
        "currency": parts.get("currency", "VND"),
        "percent": parts.get("percent", "50%" if kind == "PERCENT" else ""),
        "nights": parts.get("nights", ""),
        "amount": parts.get("amount", ""),
        "description": "",
    }


def _check(*windows: dict[str, str], total: str = "0.0") -> PenaltyCheck:
    raw = check_body(CheckStatus.ALLOW_CANCELLATION.value, list(windows), Decimal(total))
    return PenaltyCheck(
        booking_number="HD1",
        status=CheckStatus.ALLOW_CANCELLATION,
        policy=Policy.from_gotadi(raw),
        cancel_penalty_total=Decimal(total),
        response=CheckCancelPenaltyResponse.model_validate(raw),
    )


def _booking(**changes: Any) -> Booking:
    fields = {**SEED, **changes}
    return Booking.model_validate({k: v for k, v in fields.items() if v is not None})


def _refusal(check: PenaltyCheck, booking: Booking) -> InvalidBooking:
    with pytest.raises(InvalidBooking) as caught:
        check.require_booking(booking)
    assert caught.value.code == "not_this_stay"
    assert "\n" not in str(caught.value)
    return caught.value


SEED_WINDOW = _window("2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", percent="70%")


def test_the_seed_booking_fits_the_seed_windows() -> None:
    """Seed 001's windows end at 18:00 on check-in day: the seed booking is theirs."""
    _check(SEED_WINDOW, total="2100000.0").require_booking(_booking())


def test_another_currency_is_the_engines_currency_mismatch() -> None:
    """SEMANTICS rule 11, raised by the engine itself, names the window's currency."""
    with pytest.raises(CurrencyMismatch) as caught:
        _check(SEED_WINDOW).require_booking(
            _booking(currency="USD", total="120", nightly_rates=["40", "40", "40"])
        )
    assert caught.value.path == "result.cancelPenalties[0].currency"


@pytest.mark.parametrize(
    ("total", "refused"),
    [("0.0", False), ("2100000.0", False), ("3000000", False), ("3000000.01", True)],
)
def test_gotadis_total_cannot_exceed_the_bookings(total: str, refused: bool) -> None:
    """A cancelPenaltyTotal above the booking's total: the file's total is another booking's."""
    check = _check(SEED_WINDOW, total=total)
    if refused:
        error = _refusal(check, _booking())
        assert (error.path, error.value) == ("total", Decimal(3000000))
        assert "cancelPenaltyTotal" in error.message
    else:
        check.require_booking(_booking())


@pytest.mark.parametrize(
    ("nights", "refused"), [("0", False), ("1.0", False), ("3", False), ("3.5", True), ("4", True)]
)
def test_a_nights_window_cannot_ask_for_nights_the_stay_does_not_have(
    nights: str, refused: bool
) -> None:
    """NIGHTS N on a 3-night stay: up to 3 is this stay; more is another stay's policy."""
    window = _window(
        "2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", "NIGHTS", nights=nights
    )
    if refused:
        assert _refusal(_check(window), _booking()).path == "check_out"
        undated = _booking(check_in=None, check_out=None)
        assert _refusal(_check(window), undated).path == "nightly_rates"
    else:
        _check(window).require_booking(_booking())


@pytest.mark.parametrize(
    ("last_end", "refused"),
    [
        ("2021-05-13T18:00:00+07:00", False),  # the check-in day (seed 001)
        ("2021-05-14T11:00:00+07:00", False),  # the day after check-in (the live example)
        ("2021-05-16T23:59:00+07:00", False),  # still the check-out day, in the hotel's zone
        ("2021-05-16T17:30:00Z", True),  # 00:30 on 17 May in Ho Chi Minh City: after the stay
        ("2021-08-27T11:00:00+07:00", True),  # another stay's windows (the live example's)
    ],
)
def test_the_windows_cannot_end_after_the_check_out_day(last_end: str, refused: bool) -> None:
    """The no-show point (the last window's end) after the check-out day: another stay."""
    check = _check(_window("2021-05-01T00:00:00+07:00", last_end))
    if refused:
        error = _refusal(check, _booking())
        assert (error.path, error.value) == ("check_out", "2021-05-16")
        assert "after this booking's check-out" in error.message
    else:
        check.require_booking(_booking())


def test_the_windows_cannot_end_long_before_the_check_in() -> None:
    """The no-show point up to `LONGEST_LEAD` (60 days) before check-in is allowed, not more."""
    assert LONGEST_LEAD.days == 60
    allowed = _check(_window("2021-03-01T00:00:00+07:00", "2021-03-14T10:00:00+07:00"))
    allowed.require_booking(_booking())  # 13 March is 61 days before 13 May, 14 March is 60
    early = _check(_window("2021-03-01T00:00:00+07:00", "2021-03-13T23:00:00+07:00"))
    error = _refusal(early, _booking())
    assert (error.path, error.value) == ("check_in", "2021-05-13")
    assert "more than 60 days before" in error.message


def test_dated_rates_stand_for_the_dates() -> None:
    """Without check_in/check_out, dated nightly rates give the stay (path: nightly_rates)."""
    dated = [
        {"date": "2021-05-14", "amount": "1200000"},
        {"date": "2021-05-13", "amount": "1000000"},
    ]
    booking = _booking(check_in=None, check_out=None, total="2200000", nightly_rates=dated)
    _check(SEED_WINDOW).require_booking(booking)
    late = _check(_window("2021-05-01T00:00:00+07:00", "2021-05-16T12:00:00+07:00"))
    error = _refusal(late, booking)
    assert (error.path, error.value) == ("nightly_rates", "2021-05-15")


def test_a_booking_without_dates_is_checked_on_what_it_says() -> None:
    """No dates, no rates: only the currency and total rules can apply (nothing is guessed)."""
    bare = Booking.model_validate({"total": "3000000", "currency": "VND"})
    _check(_window("2031-01-01T00:00:00+07:00", "2031-01-02T00:00:00+07:00")).require_booking(bare)


def test_the_flow_sends_nothing_for_another_stays_booking(
    client: Client, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """cancel_booking against the live example's windows with the seed booking: refused after
    the check, before the quote; the sandbox never sees a cancellation."""
    with pytest.raises(InvalidBooking) as caught:
        client.cancel_booking(
            "HDCO2107121213651", _booking(), now=lambda: AT, settings=FlowSettings(deadline=5)
        )
    assert caught.value.path == "check_out"
    assert sandbox.count("check") == 1
    assert sandbox.count("cancel") == 0
    assert sandbox.count("cancel") == 0
