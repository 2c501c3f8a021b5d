"""What a booking page shows (SEMANTICS rule 20), against the schedule it is derived from."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import penalty
from penalty import ALWAYS_FREE, Booking, Policy
from penalty import strategies as ps
from penalty.timeline import Timeline
from tests.helpers import policy_of

TICK = timedelta(microseconds=1)


def _timeline(case: tuple[Policy, Booking]) -> Timeline:
    return penalty.compile(*case)


@settings(max_examples=80)
@given(ps.cases(any_rules=True), st.data())
def test_facts_agree_with_the_segments(case: tuple[Policy, Booking], data: st.DataObject) -> None:
    """free_until, refundability, next_change and summary, each against the schedule."""
    timeline = _timeline(case)
    _check_free_until(timeline, data)
    at = data.draw(ps.boundary_instants(timeline))
    _check_refundability(timeline, at, case[1].total)
    _check_next_change(timeline, at)
    summary = timeline.summary(at)
    assert summary.quote == timeline.quote(at)
    assert summary.free_until == timeline.free_until
    assert summary.refundability == timeline.refundability(at)
    assert summary.next_change == timeline.next_change(at)
    shown = summary.to_json()
    assert set(timeline.quote(at).to_json()) < set(shown)
    assert {"free_until", "refundability", "next_change"} <= set(shown)


def _check_free_until(timeline: Timeline, data: st.DataObject) -> None:
    """``quote(free_until).fee > 0`` and every earlier instant is free; None and ALWAYS_FREE
    agree with the segments."""
    free_until = timeline.free_until
    segments = timeline.segments
    if free_until is None:
        assert segments[0].fee > 0
        return
    if free_until is ALWAYS_FREE:
        assert all(segment.fee == 0 for segment in segments)
        return
    assert isinstance(free_until, datetime)
    assert timeline.quote(free_until).fee > 0
    assert timeline.quote(free_until - TICK).fee == 0
    earlier = data.draw(ps.instants(free_until - timedelta(days=30), timedelta(days=30)))
    if earlier < free_until:
        assert timeline.fee(earlier) == 0
    assert all(s.fee == 0 for s in segments if s.end is not None and s.end <= free_until)


def _check_refundability(timeline: Timeline, at: datetime, total: Decimal) -> None:
    """full at 0, none at the whole total, partial between."""
    fee = timeline.quote(at).fee
    expected = "full" if fee == 0 else "none" if fee == total else "partial"
    assert timeline.refundability(at) == expected


def _check_next_change(timeline: Timeline, at: datetime) -> None:
    """The fee at ``at`` holds until ``next_change.since``, where it becomes another fee."""
    now = timeline.quote(at).fee
    change = timeline.next_change(at)
    later = [s for s in timeline.segments if s.end is None or s.end > at]
    if change is None:
        assert all(segment.fee == now for segment in later)
        return
    assert change.since is not None
    assert change.since > at
    assert change.fee != now
    assert timeline.quote(change.since).fee == change.fee
    assert timeline.quote(change.since - TICK).fee == now
    assert all(s.fee == now for s in later if s.end is not None and s.end <= change.since)


def test_the_three_kinds_of_free_until() -> None:
    """A date, None (never free: non-refundable) and ALWAYS_FREE (never charged), in JSON."""
    booking = Booking(total=Decimal(100), currency="USD")
    window = {"start": "2021-05-12T18:00+07:00", "end": "2021-05-13T18:00+07:00", "percent": 50}
    dated = penalty.compile(policy_of(window), booking)
    assert dated.free_until == datetime.fromisoformat("2021-05-12T18:00+07:00")
    assert dated.summary("2021-05-12T10:00Z").to_json()["free_until"] == (
        "2021-05-12T18:00:00+07:00"
    )
    never = penalty.compile(policy_of(), booking)
    assert never.free_until is None
    assert never.summary("2021-05-12T10:00Z").to_json()["free_until"] is None
    assert never.refundability("2021-05-12T10:00Z") == "none"
    free = penalty.compile(
        policy_of({**window, "percent": 0}, rules={"after_last": "free"}), booking
    )
    assert free.free_until is ALWAYS_FREE
    assert free.summary("2021-05-12T10:00Z").to_json()["free_until"] == "always"
    assert repr(ALWAYS_FREE) == "ALWAYS_FREE"


def test_free_until_under_end_inclusive_is_one_nanosecond_after_the_deadline() -> None:
    """``(start, end]``: the deadline instant itself is still free (shown to the microsecond)."""
    booking = Booking(total=Decimal(100), currency="USD")
    window = {"start": "2021-05-12T18:00+07:00", "end": "2021-05-13T18:00+07:00", "percent": 50}
    rules = penalty.Rules(boundary=penalty.Boundary.END_INCLUSIVE)
    timeline = penalty.compile(policy_of(window, rules=rules), booking)
    deadline = datetime.fromisoformat("2021-05-12T18:00+07:00")
    assert timeline.quote(deadline).fee == 0
    assert timeline.free_until == deadline + TICK


def test_next_change_of_a_fee_that_never_changes_is_none() -> None:
    """From the last segment on, nothing changes."""
    timeline = penalty.compile(policy_of(), Booking(total=Decimal(100), currency="USD"))
    assert timeline.next_change("2021-05-12T10:00Z") is None
    assert timeline.summary("2021-05-12T10:00Z").to_json()["next_change"] is None


@pytest.mark.parametrize("at", ["2021-05-12T10:00", "2021-05-12T10:00:00+07:00"])
def test_facts_read_cancel_times_as_quote_does(at: str) -> None:
    """Text without an offset is read in the booking's zone for the facts too."""
    booking = Booking.model_validate(
        {"total": "100", "currency": "USD", "timezone": "Asia/Ho_Chi_Minh"}
    )
    window = {"start": "2021-05-12T18:00+07:00", "end": "2021-05-13T18:00+07:00", "percent": 50}
    timeline = penalty.compile(policy_of(window), booking)
    change = timeline.next_change(at)
    assert change is not None
    assert change.since == datetime.fromisoformat("2021-05-12T18:00+07:00")
    assert timeline.refundability(at) == "full"
