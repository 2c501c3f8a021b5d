"""The rules one by one on hand-made policies, including the non-Gotadi settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pendulum
import pytest

from penalty import (
    AfterLast,
    Basis,
    Booking,
    Boundary,
    CurrencyMismatch,
    Gaps,
    InvalidInstant,
    InvalidPolicy,
    Policy,
    Rules,
    Window,
)
from penalty.instants import to_micros
from tests.helpers import gotadi_window

ICT = timezone(timedelta(hours=7))
BOOKING = Booking.model_validate(
    {
        "total": "3000000",
        "currency": "VND",
        "nightly_rates": ["1000000", "1200000", "800000"],
        "check_in": "2021-05-13",
        "check_out": "2021-05-16",
        "timezone": "Asia/Ho_Chi_Minh",
    }
)


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    """May 2021 in +07:00."""
    return datetime(2021, 5, day, hour, minute, second, micro, tzinfo=ICT)


def window(start: datetime | None, end: datetime | None, **fields: object) -> Window:
    """A domain window."""
    return Window.model_validate({"start": start, "end": end, **fields})


GAPPED = (window(at(10), at(11), amount="100"), window(at(12), at(13), amount="50"))


def test_boundary_start_inclusive_charges_at_start_not_at_end() -> None:
    """Rule 2: [start, end) at microsecond precision."""
    timeline = Policy(windows=(window(at(12, 18), at(13, 18), percent="70"),)).timeline(BOOKING)
    assert timeline.fee(at(12, 17, 59, 59, 999999)) == 0
    assert timeline.fee(at(12, 18)) == 2100000
    assert timeline.fee(at(13, 17, 59, 59, 999999)) == 2100000
    assert timeline.quote(at(13, 18)).phase == "no_show"


def test_boundary_end_inclusive_keeps_the_deadline_instant_at_the_earlier_fee() -> None:
    """Rule 2 as a setting: (start, end] - 'free until 18:00' includes 18:00 itself."""
    rules = Rules(boundary=Boundary.END_INCLUSIVE)
    policy = Policy(windows=(window(at(12, 18), at(13, 18), percent="70"),), rules=rules)
    timeline = policy.timeline(BOOKING)
    assert timeline.fee(at(12, 18)) == 0
    assert timeline.fee(at(12, 18, 0, 0, 1)) == 2100000
    assert timeline.fee(at(13, 18)) == 2100000
    assert timeline.fee(at(13, 18, 0, 0, 1)) == 3000000


def test_overlapping_windows_take_the_highest() -> None:
    """Rule 7: where windows overlap, the largest charge applies; its index is reported."""
    policy = Policy(
        windows=(
            window(at(10), at(14), percent="50"),
            window(at(11), at(12), percent="70"),
            window(at(11), at(13), amount="100"),
        )
    )
    timeline = policy.timeline(BOOKING)
    assert timeline.fee(at(10, 12)) == 1500000
    quote = timeline.quote(at(11, 12))
    assert (quote.fee, quote.window) == (Decimal(2100000), 1)
    assert timeline.quote(at(12, 12)).window == 0


def test_gaps_carry_the_fee_in_force_and_say_so() -> None:
    """Rule 8: between windows the earlier fee continues; phase 'gap', window of origin."""
    timeline = Policy(windows=GAPPED).timeline(BOOKING)
    quote = timeline.quote(at(11, 12))
    assert (quote.fee, quote.phase, quote.window) == (Decimal(100), "gap", 0)
    assert timeline.fee(at(12, 1)) == 50


def test_gaps_free_as_a_setting() -> None:
    """Rule 8 as a setting: nothing is charged between windows."""
    policy = Policy(windows=GAPPED, rules=Rules(gaps=Gaps.FREE))
    quote = policy.quote(BOOKING, at(11, 12))
    assert (quote.fee, quote.phase, quote.window) == (Decimal(0), "gap", None)


@pytest.mark.parametrize(
    ("rule", "fee", "window_index"),
    [(AfterLast.NO_SHOW, 3000000, None), (AfterLast.CARRY, 50, 1), (AfterLast.FREE, 0, None)],
    ids=["no-show-charges-the-total", "carry-keeps-the-last-charge", "free"],
)
def test_after_the_last_window(rule: AfterLast, fee: int, window_index: int | None) -> None:
    """Rule 9 and its settings: from the last window's end on."""
    quote = Policy(windows=GAPPED, rules=Rules(after_last=rule)).quote(BOOKING, at(20))
    assert (quote.fee, quote.phase, quote.window) == (Decimal(fee), "no_show", window_index)


def test_refund_basis_charges_total_minus_refund() -> None:
    """Basis setting: components priced as a refund (Duffel), fee = total - refund."""
    policy = Policy(
        windows=(window(None, at(12), amount="2500000"), window(at(12), at(13), amount="1000000")),
        rules=Rules(basis=Basis.REFUND),
    )
    assert policy.quote(BOOKING, at(1)).fee == 500000
    assert policy.quote(BOOKING, at(12, 1)).fee == 2000000
    assert policy.quote(BOOKING, at(13)).fee == 3000000


def test_open_ended_windows() -> None:
    """A window with no start covers all time before its end; no end, all time after."""
    policy = Policy(windows=(window(None, at(12), amount="10"), window(at(12), None, amount="20")))
    timeline = policy.timeline(BOOKING)
    assert [str(s.fee) for s in timeline.segments] == ["10", "20"]
    assert timeline.quote(datetime(1990, 1, 1, tzinfo=UTC)).phase == "window"


def test_capped_at_the_total() -> None:
    """Rule 10: 100% plus a fee plus nights never exceeds the total."""
    policy = Policy(windows=(window(at(10), at(12), percent="100", amount="5", nights="2"),))
    assert policy.quote(BOOKING, at(11)).fee == BOOKING.total


def test_components_add_including_nights() -> None:
    """Rule 4: percent + amount + nights, every non-empty component."""
    policy = Policy(windows=(window(at(10), at(12), percent="10", amount="5", nights="1.25"),))
    assert policy.quote(BOOKING, at(11)).fee == 300000 + 5 + 1000000 + 300000


def test_nights_follow_dated_rates_in_date_order() -> None:
    """Rule 6: dated rates arrive unordered and are charged in stay order."""
    booking = Booking.model_validate(
        {
            "total": "300",
            "currency": "USD",
            "nightly_rates": [
                {"date": "2021-05-14", "amount": "200"},
                {"date": "2021-05-13", "amount": "100"},
            ],
        }
    )
    policy = Policy(windows=(window(at(10), at(12), nights="1.5"),))
    assert policy.quote(booking, at(11)).fee == Decimal("200.00")


def test_nights_without_night_information_is_an_error_when_compiled() -> None:
    """Rule 6: a NIGHTS window needs rates or dates; raised at compile time, never zero."""
    policy = Policy.from_gotadi(
        [
            gotadi_window(
                "2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", "NIGHTS", nights="1"
            )
        ]
    )
    booking = Booking.model_validate({"total": "3000000", "currency": "VND"})
    with pytest.raises(InvalidPolicy) as caught:
        policy.timeline(booking)
    assert caught.value.path == "cancelPenalties[0].nights"
    assert caught.value.code == "nights_unknown"


def test_zero_nights_is_free_without_night_information() -> None:
    """Example 6: NIGHTS "0" charges nothing, and needs no night information."""
    policy = Policy(windows=(window(at(1), at(12), nights="0", kind="NIGHTS"),))
    booking = Booking.model_validate({"total": "3000000", "currency": "VND"})
    assert policy.quote(booking, at(5)).fee == 0


def test_currency_mismatch_is_an_error() -> None:
    """Rule 11: a USD window against a VND booking raises, naming the field."""
    policy = Policy.from_gotadi(
        [
            gotadi_window(
                "2021-05-12T18:00:00+07:00",
                "2021-05-13T18:00:00+07:00",
                "AMOUNT",
                amount="10",
                currency="USD",
            )
        ]
    )
    with pytest.raises(CurrencyMismatch) as caught:
        policy.timeline(BOOKING)
    assert caught.value.path == "cancelPenalties[0].currency"
    assert caught.value.value == "USD"


def test_zero_length_window_is_kept_warned_and_charges_nothing() -> None:
    """Rule 15: end == start covers no instant; a warning names it."""
    policy = Policy(windows=(window(at(10), at(10), amount="100"),))
    quote = policy.quote(BOOKING, at(10))
    assert quote.fee == 3000000  # from its end on: after the last window
    assert policy.quote(BOOKING, at(9)).fee == 0
    assert [w.code for w in quote.warnings] == ["zero_length_window"]
    assert quote.warnings[0].path == "windows[0]"


def test_end_before_start_is_an_error() -> None:
    """Rule 15: endDate before startDate raises, naming endDate."""
    with pytest.raises(InvalidPolicy) as caught:
        Policy.from_gotadi(
            [
                gotadi_window(
                    "2021-05-13T18:00:00+07:00", "2021-05-12T18:00:00+07:00", "AMOUNT", amount="1"
                )
            ]
        )
    assert caught.value.path == "cancelPenalties[0].endDate"


def test_empty_policy_is_non_refundable() -> None:
    """No window at all: nothing is free (never under-quote); the total is due."""
    quote = Policy.from_gotadi([]).quote(BOOKING, at(1))
    assert (quote.fee, quote.phase) == (Decimal(3000000), "no_show")


def test_pendulum_datetimes_are_accepted() -> None:
    """`at` may be a pendulum DateTime in any zone."""
    policy = Policy(windows=(window(at(12, 18), at(13, 18), percent="70"),))
    moment = pendulum.datetime(2021, 5, 12, 11, tz="UTC")
    assert policy.quote(BOOKING, moment).fee == 2100000


def test_naive_text_is_read_in_the_booking_zone_with_a_warning() -> None:
    """A cancel time written without an offset is read in the booking's timezone, says so."""
    policy = Policy(windows=(window(at(12, 18), at(13, 18), percent="70"),))
    quote = policy.quote(BOOKING, "2021-05-12T18:00")
    assert quote.fee == 2100000
    assert quote.warnings[-1].code == "assumed_zone"
    assert policy.quote(BOOKING, "2021-05-12T17:59").fee == 0


def test_naive_datetime_is_always_an_error() -> None:
    """A naive `datetime` (what datetime.now() returns) is refused, even with a booking zone:
    on a UTC server it would be read in the hotel's zone and quote the wrong instant."""
    timeline = Policy(windows=(window(at(12, 18), at(13, 18), percent="70"),)).timeline(BOOKING)
    for call in (timeline.quote, timeline.fee, lambda at: list(timeline.fees([at]))):
        with pytest.raises(InvalidInstant) as caught:
            call(datetime(2021, 5, 12, 18))
        assert (caught.value.path, caught.value.code) == ("at", "naive_datetime")
        assert "datetime.now(UTC)" in caught.value.message


def test_bare_fees_refuse_text_that_needs_a_warning() -> None:
    """fee() and fees() return a bare Decimal: naive text, which needs a warning, is refused."""
    timeline = Policy(windows=(window(at(12, 18), at(13, 18), percent="70"),)).timeline(BOOKING)
    with pytest.raises(InvalidInstant, match="use quote"):
        timeline.fee("2021-05-12T18:00")
    with pytest.raises(InvalidInstant, match="use quote"):
        list(timeline.fees(["2021-05-12T18:00"]))
    assert timeline.fee("2021-05-12T18:00+07:00") == 2100000


def test_naive_instant_without_booking_zone_is_an_error() -> None:
    """A cancel time without an offset and a booking without a zone: InvalidInstant."""
    booking = BOOKING.model_copy(update={"timezone": None})
    policy = Policy(windows=(window(at(12, 18), at(13, 18), percent="70"),))
    with pytest.raises(InvalidInstant) as caught:
        policy.quote(booking, "2021-05-12T18:00")
    assert caught.value.path == "at"
    assert caught.value.code == "naive_datetime"


PARIS = Booking.model_validate({"total": "1000.00", "currency": "EUR", "timezone": "Europe/Paris"})


def local_window(start: str, end: str) -> dict[str, str]:
    """A Gotadi window with local dd/MM/yyyy dates."""
    return gotadi_window(start, end, "PERCENT", percent="50%", currency="EUR")


def test_local_time_in_a_dst_gap_is_an_error_naming_the_field() -> None:
    """Dates without an offset: 02:30 on 28 March 2021 does not exist in Paris."""
    policy = Policy.from_gotadi([local_window("28/03/2021 02:30", "29/03/2021 12:00")])
    with pytest.raises(InvalidPolicy) as caught:
        policy.timeline(PARIS)
    assert caught.value.path == "cancelPenalties[0].startDate"
    assert caught.value.code == "nonexistent_time"


def test_local_time_in_a_dst_fold_is_an_error_unless_chosen() -> None:
    """Dates without an offset: 02:30 on 31 October 2021 happens twice in Paris."""
    window_ = local_window("30/10/2021 12:00", "31/10/2021 02:30")
    with pytest.raises(InvalidPolicy) as caught:
        Policy.from_gotadi([window_]).timeline(PARIS)
    assert caught.value.code == "ambiguous_time"
    earlier = Policy.from_gotadi([window_], fold="earlier").timeline(PARIS)
    later = Policy.from_gotadi([window_], fold="later").timeline(PARIS)
    assert earlier.segments[1].end is not None
    assert later.segments[1].end is not None
    assert to_micros(earlier.segments[1].end) == to_micros(
        datetime(2021, 10, 31, 0, 30, tzinfo=UTC)
    )
    assert to_micros(later.segments[1].end) == to_micros(datetime(2021, 10, 31, 1, 30, tzinfo=UTC))


def test_local_times_across_dst_keep_wall_clock_meaning() -> None:
    """A Paris window from 27 to 29 March reads 12:00 as +01:00 then +02:00."""
    timeline = Policy.from_gotadi([local_window("27/03/2021 12:00", "29/03/2021 12:00")]).timeline(
        PARIS
    )
    start, end = timeline.segments[1].start, timeline.segments[1].end
    assert start is not None
    assert end is not None
    assert start.isoformat() == "2021-03-27T12:00:00+01:00"
    assert end.isoformat() == "2021-03-29T12:00:00+02:00"
    assert to_micros(end) - to_micros(start) == 47 * 3600 * 10**6


def test_times_are_shown_in_the_hotel_zone_whatever_offset_windows_use() -> None:
    """Schedule times use the booking's zone: a +01:00 window end after the DST switch is +02:00."""
    paris_window = gotadi_window(
        "2021-03-26T18:00:00+01:00",
        "2021-03-29T17:00:00+01:00",
        "PERCENT",
        percent="50%",
        currency="EUR",
    )
    timeline = Policy.from_gotadi([paris_window]).timeline(PARIS)
    end = timeline.segments[1].end
    assert end is not None
    assert end.isoformat() == "2021-03-29T18:00:00+02:00"
    assert str(timeline.zone) == "Europe/Paris"
    no_zone = PARIS.model_copy(update={"timezone": None})
    assert Policy.from_gotadi([paris_window]).timeline(no_zone).segments[1].end.isoformat() == (  # type: ignore[union-attr]
        "2021-03-29T17:00:00+01:00"
    )


def test_one_fee_has_one_wire_amount_in_a_three_digit_currency() -> None:
    """Rule 13: the wire amount is written from the rounded fee, in a window and after it."""
    policy = Policy.from_gotadi(
        [
            gotadi_window(
                "2021-05-12T18:00:00+07:00",
                "2021-05-13T18:00:00+07:00",
                "AMOUNT",
                amount="1.2345",
                currency="KWD",
            )
        ]
    )
    timeline = policy.timeline(Booking(total="1.235", currency="KWD"))
    inside, after = timeline.quote(at(12, 19)), timeline.quote(at(13, 19))
    assert (inside.fee, inside.gotadi_amount) == (Decimal("1.235"), "1.24")
    assert (after.fee, after.gotadi_amount) == (Decimal("1.235"), "1.24")
    assert {s.gotadi_amount for s in timeline.segments if s.fee} == {"1.24"}


def test_every_assumption_is_a_warning() -> None:
    """Rule 19: the average night, no windows and rates that do not add up are warnings."""
    nights = Policy.from_gotadi(
        [
            gotadi_window(
                "2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", "NIGHTS", nights="1"
            )
        ]
    )
    no_rates = Booking.model_validate(
        {"total": "3000000", "currency": "VND", "check_in": "2021-05-13", "check_out": "2021-05-16"}
    )
    assert [w.code for w in nights.timeline(no_rates).warnings] == ["average_night"]
    uneven = Booking.model_validate(
        {"total": "3000000", "currency": "VND", "nightly_rates": ["1000000", "1000000"]}
    )
    assert [w.code for w in nights.timeline(uneven).warnings] == ["rates_do_not_add_up"]
    empty = Policy.from_gotadi([]).timeline(BOOKING)
    assert [w.code for w in empty.warnings] == ["no_windows"]
    assert [w.code for w in empty.quote(at(1)).warnings] == ["no_windows"]
