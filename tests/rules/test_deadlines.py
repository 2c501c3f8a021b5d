"""Deadlines relative to arrival (SEMANTICS rule 22): elapsed and calendar-local, never mixed up."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

import penalty
from penalty import Booking, Deadline, InvalidPolicy, Policy, Window
from penalty import formats as pf
from tests.helpers import policy_of

HOUR = timedelta(hours=1)


def _booking(check_in: str, zone: str | None, **extra: Any) -> Booking:
    day = datetime.fromisoformat(check_in).date()
    fields: dict[str, Any] = {
        "total": "300.00",
        "currency": "USD",
        "check_in": check_in,
        "check_out": (day + timedelta(days=2)).isoformat(),
        **extra,
    }
    if zone is not None:
        fields["timezone"] = zone
    return Booking.model_validate(fields)


def _deadline(deadline: Deadline, booking: Booking, **policy: Any) -> datetime:
    """The instant a fee starting at ``deadline`` starts being charged."""
    window = Window(start=deadline, end=None, percent=Decimal(50))
    timeline = penalty.compile(policy_of(window, **policy), booking)
    start = timeline.segments[1].start
    assert start is not None
    return start


def _utc(moment: datetime) -> datetime:
    """In UTC: two datetimes of one ZoneInfo subtract as wall clocks, not as instants."""
    return moment.astimezone(UTC)


TWO_DAYS_ELAPSED = Deadline(kind="elapsed", before="P2D")  # type: ignore[arg-type]
TWO_CALENDAR_DAYS = Deadline(kind="calendar", days=2)


@pytest.mark.parametrize(
    ("check_in", "zone", "shift"),
    [
        ("2026-03-09", "America/New_York", HOUR),  # spring forward on 2026-03-08
        ("2026-11-02", "America/New_York", -HOUR),  # fall back on 2026-11-01
        ("2026-03-30", "Europe/Paris", HOUR),  # spring forward on 2026-03-29
        ("2026-10-26", "Europe/Paris", -HOUR),  # fall back on 2026-10-25
        ("2026-03-09", "America/Phoenix", timedelta(0)),  # no DST
        ("2026-03-09", "Asia/Ho_Chi_Minh", timedelta(0)),
    ],
)
def test_elapsed_and_calendar_differ_by_the_dst_hour(
    check_in: str, zone: str, shift: timedelta
) -> None:
    """P2D is 48 hours; "2 days before" keeps the local clock: one hour apart across DST."""
    booking = _booking(check_in, zone, check_in_time="15:00")
    elapsed = _deadline(TWO_DAYS_ELAPSED, booking)
    calendar = _deadline(TWO_CALENDAR_DAYS, booking)
    assert _utc(calendar) - _utc(elapsed) == shift
    assert booking.check_in is not None
    arrival = datetime.combine(booking.check_in, time(15)).replace(tzinfo=elapsed.tzinfo)
    assert _utc(arrival) - _utc(elapsed) == timedelta(hours=48)
    assert (calendar.hour, calendar.minute) == (15, 0)  # the local clock kept


@pytest.mark.parametrize(
    ("check_in", "zone", "anchor", "elapsed"),
    [
        ("2026-10-16", "America/Phoenix", "2026-10-16T22:00:00Z", "PT45H"),
        ("2026-03-09", "America/New_York", "2026-03-09T19:00:00Z", "PT44H"),
        ("2026-11-02", "America/New_York", "2026-11-02T20:00:00Z", "PT46H"),
    ],
    ids=["phoenix", "new-york-spring", "new-york-fall"],
)
def test_calendar_deadline_matches_the_ucp_study_fixtures(
    check_in: str, zone: str, anchor: str, elapsed: str
) -> None:
    """The UCP draft's study fixtures (``scripts/fixtures/lodging_cancellation_lab.json``) state
    "free strictly before 6:00 PM property-local time two calendar days before check-in" and
    resolve it, for a 15:00 check-in, to 45, 44 and 46 elapsed hours: the calendar deadline
    lands exactly there, and the UCP schedule with those hours cuts at the same instant."""
    booking = _booking(check_in, zone, check_in_time="15:00")
    calendar = _deadline(Deadline(kind="calendar", days=2, at=time(18)), booking)
    assert (
        calendar
        == datetime.fromisoformat(anchor)
        - Deadline(
            kind="elapsed",
            before=elapsed,  # type: ignore[arg-type]
        ).before
        * timedelta(microseconds=1)
        / 1000
    )
    schedule = {
        "anchor": anchor,
        "tiers": [{"until": elapsed, "outcome": {"kind": "percentage", "buyer_bps": 10000}}],
        "after_last_tier": {"kind": "fixed_fee", "penalty": {"amount": 15000}},
    }
    ucp = pf.parse(schedule, format="ucp").timeline(booking)
    assert ucp.segments[1].start == calendar
    assert ucp.quote(calendar).fee == Decimal("150.00")
    assert ucp.quote(calendar - timedelta(microseconds=1)).fee == Decimal("0.00")


def test_travelgatex_hours_and_derbysoft_days_across_spring_forward() -> None:
    """48 hours before the check-in date (TravelgateX) vs 2 calendar days at 12AM (DerbySoft):
    the day the clocks spring forward is 23 hours long, so they are an hour apart."""
    booking = _booking("2026-03-09", "America/New_York")
    hours = pf.parse(
        [{"hoursBefore": 48, "penaltyType": "PERCENT", "currency": "USD", "value": 100}],
        format="travelgatex",
    ).timeline(booking)
    days = pf.parse("2D100P_100P", format="derbysoft").timeline(booking)
    assert hours.free_until == datetime.fromisoformat("2026-03-06T23:00-05:00")
    assert days.free_until == datetime.fromisoformat("2026-03-07T00:00-05:00")
    assert not hours.warnings
    assert not days.warnings


def test_the_arrival_is_the_check_in_date_at_the_check_in_time() -> None:
    """A deadline without its own clock counts from the booking's check_in_time."""
    at_two = _deadline(TWO_DAYS_ELAPSED, _booking("2021-05-13", "UTC", check_in_time="14:00"))
    assert at_two == datetime.fromisoformat("2021-05-11T14:00Z")


def test_a_default_check_in_time_is_a_warning() -> None:
    """15:00 is assumed, and said (``assumed_check_in_time``); a deadline with its own clock
    needs no assumption."""
    booking = _booking("2021-05-13", "UTC")
    policy = policy_of(Window(start=TWO_DAYS_ELAPSED, end=None, percent=Decimal(50)))
    timeline = penalty.compile(policy, booking)
    assert timeline.free_until == datetime.fromisoformat("2021-05-11T15:00Z")
    assert [(w.code, w.path) for w in timeline.warnings] == [
        ("assumed_check_in_time", "check_in_time")
    ]
    own = Deadline(kind="calendar", days=1, at=time(18))
    quiet = penalty.compile(policy_of(Window(start=own, end=None, amount=Decimal(1))), booking)
    assert quiet.warnings == ()


def test_the_policys_zone_stands_in_for_the_hotels_with_a_warning() -> None:
    """Without a booking timezone, the policy's ``local_zone`` places the arrival, warned."""
    policy = Policy(
        windows=[Window(start=TWO_CALENDAR_DAYS, end=None, amount=Decimal(1))],
        local_zone="Asia/Tokyo",
    )
    timeline = penalty.compile(policy, _booking("2021-05-13", None, check_in_time="15:00"))
    assert timeline.free_until == datetime.fromisoformat("2021-05-11T15:00+09:00")
    assert [w.code for w in timeline.warnings] == ["assumed_zone"]


@pytest.mark.parametrize(
    ("booking", "code"),
    [
        (Booking(total=Decimal(10), currency="USD", timezone="UTC"), "arrival_unknown"),
        (_booking("2021-05-13", None), "zone_unknown"),
    ],
    ids=["no-check-in", "no-zone"],
)
def test_a_deadline_needs_the_arrival(booking: Booking, code: str) -> None:
    """Without the check-in date or the hotel's zone, compiling says so, naming the window."""
    policy = policy_of(Window(start=TWO_CALENDAR_DAYS, end=None, amount=Decimal(1)))
    with pytest.raises(InvalidPolicy) as caught:
        penalty.compile(policy, booking)
    assert (caught.value.path, caught.value.code) == ("windows[0].start", code)


def test_a_calendar_deadline_in_a_dst_gap_follows_the_policys_fold() -> None:
    """02:30 on the day New York springs forward does not exist: refused, or resolved as
    ``fold`` says."""
    booking = _booking("2026-03-09", "America/New_York")
    deadline = Deadline(kind="calendar", days=1, at=time(2, 30))
    with pytest.raises(InvalidPolicy) as caught:
        _deadline(deadline, booking)
    assert caught.value.code == "nonexistent_time"
    assert caught.value.path == "windows[0].start"
    earlier = _deadline(deadline, booking, fold="earlier")
    later = _deadline(deadline, booking, fold="later")
    assert _utc(later) - _utc(earlier) == HOUR


def test_deadlines_out_of_order_are_refused_when_compiled() -> None:
    """A window from 1 day before to 2 days before ends before it starts (rule 15)."""
    window = Window(
        start=Deadline(kind="calendar", days=1), end=TWO_CALENDAR_DAYS, amount=Decimal(1)
    )
    with pytest.raises(InvalidPolicy) as caught:
        penalty.compile(policy_of(window), _booking("2021-05-13", "UTC"))
    assert (caught.value.path, caught.value.code) == ("windows[0].end", "end_before_start")


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        ({"kind": "elapsed", "days": 2}, "days", "mixed_deadline"),
        ({"kind": "calendar", "before": "PT2H"}, "before", "mixed_deadline"),
        ({"kind": "elapsed", "before": "P1M"}, "before", "invalid_duration"),
        ({"kind": "elapsed", "before": 48}, "before", "wrong_type"),
        ({"kind": "calendar", "days": 10**6}, "days", "invalid_days"),
        ({"kind": "calendar", "days": 1, "at": "25:00"}, "at", "time_parsing"),
        ({"kind": "sometime"}, "kind", "literal_error"),
    ],
)
def test_malformed_deadlines_are_named(fields: dict[str, Any], path: str, code: str) -> None:
    """Each mistake is an InvalidPolicy naming the field."""
    with pytest.raises(InvalidPolicy) as caught:
        Deadline.model_validate(fields)
    assert (caught.value.path, caught.value.code) == (path, code)


def test_a_window_with_deadlines_round_trips() -> None:
    """A policy of relative windows dumps and reads back equal, in Python and in JSON."""
    policy = policy_of(
        {"start": {"kind": "elapsed", "before": "PT72H", "at": "00:00"}, "end": None,
         "nights": "1"},
        {"start": {"kind": "calendar", "days": 2, "at": "18:00"},
         "end": {"kind": "calendar", "days": -1, "at": "00:00"}, "percent": "50"},
    )  # fmt: skip
    assert policy.columns.relative
    assert Policy.model_validate(policy.model_dump()) == policy
    assert Policy.model_validate_json(policy.model_dump_json()) == policy
    assert policy.model_dump()["windows"][0]["start"] == {
        "kind": "elapsed",
        "before": "P3D",
        "days": 0,
        "at": time(0),
    }
    assert str(policy.windows[1].end) == "1 day after the check-in date at 00:00"
