"""Bookings of several rooms (SEMANTICS rule 21): the sum of the rooms' own quotes, always."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import penalty
from penalty import ALWAYS_FREE, Booking, CurrencyMismatch, InvalidInput
from penalty import strategies as ps
from penalty.rooms import Room, Rooms
from tests.helpers import policy_of

TICK = timedelta(microseconds=1)
WINDOW = {"start": "2021-05-12T18:00+07:00", "end": "2021-05-13T18:00+07:00"}


def _probes(booking: Rooms) -> list[datetime]:
    """Every boundary of every room, and one microsecond either side."""
    return [
        edge + step
        for timeline in booking.timelines
        for edge in timeline.boundaries
        for step in (-TICK, timedelta(0), TICK)
    ]


@settings(max_examples=60)
@given(ps.rooms(min_rooms=2, max_rooms=3), st.data())
def test_fee_is_the_sum_of_the_rooms_own_quotes_at_every_boundary(
    booking: Rooms, data: st.DataObject
) -> None:
    """At every boundary of any room (and around it): booking fee = Σ room fee; schedule =
    quotes; a partial cancellation = Σ of those rooms."""
    chosen = data.draw(st.sets(st.sampled_from(range(len(booking))), min_size=1))
    part = booking.select(sorted(chosen))
    for at in [*_probes(booking), data.draw(ps.instants())]:
        own = [timeline.quote(at).fee for timeline in booking.timelines]
        quote = booking.quote(at)
        assert quote.fee == sum(own) == booking.fee(at)
        assert [room.fee for room in quote.rooms] == own
        holder = next(s for s in booking.segments if s.end is None or at < s.end)
        assert holder.fee == quote.fee
        assert booking.quote(at, rooms=sorted(chosen)).fee == sum(own[i] for i in chosen)
        assert part.quote(at).fee == sum(own[i] for i in chosen)
        assert 0 <= quote.fee <= booking.total


@settings(max_examples=40)
@given(ps.rooms(min_rooms=1, max_rooms=3), st.data())
def test_facts_of_a_booking_of_rooms(booking: Rooms, data: st.DataObject) -> None:
    """free_until, refundability, next_change of the whole booking, from its own schedule."""
    segments = booking.segments
    free_until = booking.free_until
    if free_until is None:
        assert segments[0].fee > 0
    elif free_until is ALWAYS_FREE:
        assert all(segment.fee == 0 for segment in segments)
    else:
        assert isinstance(free_until, datetime)
        assert booking.quote(free_until).fee > 0
        assert booking.quote(free_until - TICK).fee == 0
    at = data.draw(st.sampled_from(_probes(booking)) if booking.boundaries else ps.instants())
    fee = booking.quote(at).fee
    expected = "full" if fee == 0 else "none" if fee == booking.total else "partial"
    assert booking.refundability(at) == expected
    change = booking.next_change(at)
    if change is not None:
        assert change.since is not None
        assert change.since > at
        assert change.fee != fee
        assert booking.quote(change.since).fee == change.fee
        assert booking.quote(change.since - TICK).fee == fee
    summary = booking.summary(at)
    assert summary.quote == booking.quote(at)
    assert summary.next_change == change


def _two_rooms() -> Rooms:
    deluxe = Room(
        policy_of({**WINDOW, "percent": "50"}),
        Booking(total=Decimal(2000000), currency="VND"),
        name="Deluxe",
    )
    family = Room(
        policy_of({**WINDOW, "start": "2021-05-11T18:00+07:00", "amount": "300000"}),
        Booking(total=Decimal(1000000), currency="VND"),
    )
    return Rooms([deluxe, family])


def test_partial_cancellation_costs_the_rooms_cancelled() -> None:
    """Cancelling one room of two costs that room's fee; by index or by name."""
    booking = _two_rooms()
    at = "2021-05-12T18:00:00+07:00"
    assert booking.names == ("Deluxe", "Room 2")
    assert booking.quote(at).fee == Decimal(1300000)
    assert booking.quote(at, rooms=["Deluxe"]).fee == Decimal(1000000)
    assert booking.quote(at, rooms=[1]).fee == Decimal(300000)
    assert booking.quote(at, rooms=[1]).indices == (1,)
    assert booking.quote(at, rooms=[1]).names == ("Room 2",)
    assert booking.refundability(at, rooms=[1]) == "partial"
    assert [str(s.fee) for s in booking.select(["Room 2"]).segments] == ["0", "300000", "1000000"]


def test_facts_of_two_rooms() -> None:
    """The booking is free until the first room charges; the next change is the next room's."""
    booking = _two_rooms()
    assert booking.free_until == datetime.fromisoformat("2021-05-11T18:00+07:00")
    assert booking.select(["Deluxe"]).free_until == datetime.fromisoformat("2021-05-12T18:00+07:00")
    change = booking.next_change("2021-05-11T20:00:00+07:00")
    assert change is not None
    assert (change.since, change.fee) == (
        datetime.fromisoformat("2021-05-12T18:00+07:00"),
        Decimal(1300000),
    )
    only = booking.next_change("2021-05-11T20:00:00+07:00", rooms=["Room 2"])
    assert only is not None
    assert (only.fee, only.indices) == (Decimal(1000000), (1,))
    summary = booking.summary("2021-05-11T20:00:00+07:00").to_json()
    assert summary["fee"] == "300000"
    assert summary["free_until"] == "2021-05-11T18:00:00+07:00"
    assert summary["refundability"] == "partial"
    assert summary["next_change"] == {
        "at": "2021-05-12T18:00:00+07:00",
        "fee": "1300000",
        "gotadi_amount": "1300000.00",
    }
    assert [room["name"] for room in summary["rooms"]] == ["Deluxe", "Room 2"]


def test_each_room_is_rounded_once_then_added() -> None:
    """Two rooms at 33.333% of 100.00: 33.33 + 33.33 = 66.66, not a rounding of 66.666."""
    room = Room(
        policy_of({**WINDOW, "percent": "33.333"}),
        Booking(total=Decimal("100.00"), currency="USD"),
    )
    booking = Rooms([room, room._replace(name="Twin")])
    assert booking.fee("2021-05-12T12:00:00Z") == Decimal("66.66")


def test_rooms_in_two_currencies_do_not_add() -> None:
    """A CurrencyMismatch naming the room."""
    vnd = Room(policy_of(), Booking(total=Decimal(10), currency="VND"))
    usd = Room(policy_of(), Booking(total=Decimal(10), currency="USD"))
    with pytest.raises(CurrencyMismatch) as caught:
        Rooms([vnd, usd])
    assert caught.value.path == "rooms[1].currency"


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: Rooms([]), "no_rooms"),
        (lambda: _two_rooms().quote("2021-05-12T12:00Z", rooms=["Suite"]), "unknown_room"),
        (lambda: _two_rooms().quote("2021-05-12T12:00Z", rooms=[5]), "unknown_room"),
        (lambda: _two_rooms().select([]), "no_rooms"),
        (lambda: Rooms([("policy", "booking")]), "wrong_type"),
        (
            lambda: Rooms(
                [
                    Room(policy_of(), Booking(total=1, currency="USD"), "A"),
                    Room(policy_of(), Booking(total=1, currency="USD"), "A"),
                ]
            ),
            "duplicate_room",
        ),
    ],
    ids=["empty", "unknown-name", "unknown-index", "select-none", "not-a-policy", "same-name"],
)
def test_bad_rooms_are_named(build: object, code: str) -> None:
    """Every mistake is an InvalidInput with a code, under ``rooms``."""
    with pytest.raises(InvalidInput) as caught:
        build()  # type: ignore[operator]
    assert caught.value.code == code
    assert (caught.value.path or "").startswith("rooms")


def test_a_room_that_does_not_compile_is_named_under_rooms() -> None:
    """The room's own error, its path under ``rooms[i]``."""
    bad = Room(policy_of({**WINDOW, "nights": "1"}), Booking(total=Decimal(10), currency="USD"))
    good = Room(policy_of(), Booking(total=Decimal(10), currency="USD"))
    with pytest.raises(penalty.InvalidPolicy) as caught:
        Rooms([good, bad])
    assert caught.value.path == "rooms[1].windows[0].nights"


def test_warnings_are_each_rooms_under_its_path() -> None:
    """A room's `no_windows` warning reads ``rooms[1].windows``."""
    booking = _two_rooms()
    plain = Rooms([*((t.policy, t.booking) for t in booking.timelines), (policy_of(),
                   Booking(total=Decimal(5), currency="VND"))])  # fmt: skip
    assert [(w.code, w.path) for w in plain.warnings] == [("no_windows", "rooms[2].windows")]
    assert plain.quote("2021-05-12T12:00Z").warnings == plain.warnings
