"""The public strategies: valid input, `st.from_type`, and instants that find edge bugs."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from decimal import Decimal

from hypothesis import find, given, settings
from hypothesis import strategies as st

import penalty
from penalty import strategies as ps

FOUR = [
    {"startDate": "2021-05-10T18:00:00.000+07:00", "endDate": "2021-05-12T18:00:00.000+07:00",
     "type": "PERCENT", "currency": "VND", "percent": "50%", "nights": "", "amount": "",
     "description": ""},
    {"startDate": "2021-05-12T18:00:00.000+07:00", "endDate": "2021-05-13T18:00:00.000+07:00",
     "type": "PERCENT", "currency": "VND", "percent": "70%", "nights": "", "amount": "",
     "description": ""},
]  # fmt: skip
BOOKING = penalty.Booking(total="3000000", currency="VND")


def _users_fee(at: datetime) -> Decimal:
    """A hand-written Gotadi reader with the classic bug: windows read as (start, end]."""
    total, fee = Decimal(3000000), None
    edges = []
    for window in FOUR:
        start = datetime.fromisoformat(window["startDate"])
        end = datetime.fromisoformat(window["endDate"])
        edges += [start, end]
        if start < at <= end:  # the bug: Gotadi's windows are [start, end)
            charge = Decimal(window["percent"].rstrip("%")) / 100 * total
            fee = charge if fee is None else max(fee, charge)
    if fee is not None:
        return fee
    return Decimal(0) if at <= min(edges) else total


def test_boundary_instants_find_an_off_by_one_within_200_examples() -> None:
    """boundary_instants lands on a window edge often enough to expose (start, end] at once."""
    timeline = penalty.compile(penalty.from_gotadi(FOUR), BOOKING)
    found = find(
        ps.boundary_instants(timeline),
        lambda at: _users_fee(at) != timeline.fee(at),
        settings=settings(max_examples=200, database=None),
    )
    assert _users_fee(found) != timeline.fee(found)


@given(st.data())
def test_boundary_instants_stay_near_the_timeline(data: st.DataObject) -> None:
    """Every drawn instant is aware and within two days of the timeline's boundaries."""
    policy, booking = data.draw(ps.cases(any_rules=True))
    timeline = penalty.compile(policy, booking)
    at = data.draw(ps.boundary_instants(timeline))
    assert at.utcoffset() is not None
    if timeline.boundaries:
        assert min(timeline.boundaries) - ps.SPAN < at < max(timeline.boundaries) + ps.SPAN


@given(st.from_type(penalty.Booking), st.from_type(penalty.Policy), st.from_type(penalty.Window))
def test_from_type_builds_valid_models(
    booking: penalty.Booking, policy: penalty.Policy, window: penalty.Window
) -> None:
    """st.from_type works for Booking, Policy and Window without importing the strategies."""
    assert isinstance(booking, penalty.Booking)
    assert isinstance(policy, penalty.Policy)
    assert isinstance(window, penalty.Window)
    assert booking.total > 0


def test_from_type_works_in_a_fresh_interpreter_through_the_entry_point() -> None:
    """hypothesis loads penalty's entry point itself: no import of penalty.strategies needed."""
    script = (
        "from hypothesis import strategies as st\n"
        "import penalty\n"
        "assert isinstance(st.from_type(penalty.Booking).example(), penalty.Booking)\n"
        "assert isinstance(st.from_type(penalty.Policy).example(), penalty.Policy)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
