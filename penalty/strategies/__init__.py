"""Hypothesis strategies for penalty's types and every provider format, for your own test suites.

Requires hypothesis (``pip install 'penalty[strategies]'``). Everything generated is valid input:
bookings whose nights are known, windows in the booking's currency, instants with offsets,
provider payloads as each provider sends them.

- The engine's types: `bookings`, `windows`, `deadlines` (edges relative to arrival),
  `policies`, `rules`, `surcharges`, `cases` (a policy and a booking that compile together),
  `quotes`, `instants`, and `boundary_instants`, which leans on a timeline's boundaries (where
  off-by-one bugs live); `rooms` (a booking of several rooms, `penalty.rooms.Rooms`).
- Every format's JSON: `gotadi_policies`, `gotadi_responses`, ``<format>_payloads()`` (UCP
  schedules, DerbySoft codes and TravelgateX ``hoursBefore`` penalties included), and
  `format_cases` (a payload of any format with a booking it compiles against).

``st.from_type(penalty.Booking)`` (and `Policy`, `Window`, `Rules`) works wherever hypothesis
is installed: the package registers these strategies through hypothesis's entry point.

Example:
    >>> from hypothesis import given, strategies as st
    >>> import penalty
    >>> from penalty import strategies as ps
    >>> @given(ps.cases(), ps.instants())
    ... def test_fee_is_never_more_than_the_total(case, at):
    ...     policy, booking = case
    ...     assert 0 <= penalty.compile(policy, booking).fee(at) <= booking.total
    >>> test_fee_is_never_more_than_the_total()
    >>> @given(st.from_type(penalty.Booking))
    ... def test_bookings_round_trip(booking):
    ...     assert penalty.Booking.model_validate(booking.model_dump()) == booking
    >>> test_bookings_round_trip()
"""

from __future__ import annotations

from penalty.strategies._engine import (
    BASE,
    CURRENCIES,
    SPAN,
    ZONES,
    amounts,
    bookings,
    boundary_instants,
    cases,
    deadlines,
    instants,
    offsets,
    policies,
    quotes,
    room_lists,
    rooms,
    rules,
    surcharges,
    windows,
)
from penalty.strategies._formats import (
    FORMAT_ZONES,
    derbysoft_payloads,
    duffel_payloads,
    expedia_rapid_payloads,
    expedia_xap_payloads,
    format_cases,
    gotadi_policies,
    gotadi_responses,
    gotadi_windows,
    hotelbeds_payloads,
    innstant_payloads,
    liteapi_payloads,
    ratehawk_payloads,
    travelgatex_payloads,
    ucp_payloads,
)
from penalty.strategies._types import register_types

__all__ = [
    "BASE",
    "CURRENCIES",
    "FORMAT_ZONES",
    "SPAN",
    "ZONES",
    "amounts",
    "bookings",
    "boundary_instants",
    "cases",
    "deadlines",
    "derbysoft_payloads",
    "duffel_payloads",
    "expedia_rapid_payloads",
    "expedia_xap_payloads",
    "format_cases",
    "gotadi_policies",
    "gotadi_responses",
    "gotadi_windows",
    "hotelbeds_payloads",
    "innstant_payloads",
    "instants",
    "liteapi_payloads",
    "offsets",
    "policies",
    "quotes",
    "ratehawk_payloads",
    "room_lists",
    "rooms",
    "rules",
    "surcharges",
    "travelgatex_payloads",
    "ucp_payloads",
    "windows",
]


register_types()
