"""The engine's properties over every provider format, from the public format strategies."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from penalty import Booking, Policy
from penalty import formats as pf
from penalty import strategies as ps
from tests.reference import reference_fee

TICK = timedelta(microseconds=1)
Case = tuple[str, dict[str, Any], Booking, str | None]
#: Where each format keeps its list of entries inside the generated payload.
LISTS: dict[str, tuple[str, ...]] = {
    "gotadi": ("cancelPenalties",),
    "expedia-rapid": ("cancel_penalties",),
    "expedia-xap": ("CancellationPolicy", "CancellationPenaltyRules"),
    "duffel": ("cancellation_timeline",),
    "hotelbeds": ("cancellationPolicies",),
    "ratehawk": ("cancellation_penalties", "policies"),
    "liteapi": ("cancellationPolicies", "cancelPolicyInfos"),
    "innstant": ("cancellation", "frames"),
}


def _policy(case: Case) -> Policy:
    name, payload, _, zone = case
    return pf.parse(payload, format=name, zone=zone)


def _shuffled(case: Case, seed: int) -> dict[str, Any]:
    """The payload with its entries in another order (keys matched ignoring case)."""
    name, payload, _, _ = case
    copy: dict[str, Any] = {**payload}
    holder = copy
    keys = LISTS[name]
    for depth, key in enumerate(keys):
        actual = next(k for k in holder if k.casefold() == key.casefold())
        if depth == len(keys) - 1:
            items = list(holder[actual])
            random.Random(seed).shuffle(items)
            holder[actual] = items
        else:
            holder[actual] = {**holder[actual]}
            holder = holder[actual]
    return copy


@settings(max_examples=60)
@given(ps.format_cases(), st.lists(ps.instants(), min_size=1, max_size=8))
def test_fee_within_zero_and_total_and_equal_to_the_reference(
    case: Case, instants: list[datetime]
) -> None:
    """Every format: 0 <= fee <= total, and the compiled fee equals the literal reading."""
    policy, booking = _policy(case), case[2]
    timeline = policy.timeline(booking)
    probes = list(instants)
    for edge in timeline.boundaries:
        probes += [edge - TICK, edge, edge + TICK]
    for at in probes:
        fee = timeline.quote(at).fee
        assert 0 <= fee <= booking.total
        assert fee == reference_fee(policy, booking, at), (case[0], at)


@settings(max_examples=60)
@given(ps.format_cases(), st.integers(0, 2**32), ps.instants())
def test_entry_order_never_matters(case: Case, seed: int, at: datetime) -> None:
    """Every format: shuffling the provider's list changes no fee and no schedule."""
    name, _, booking, zone = case
    one = _policy(case).timeline(booking)
    two = pf.parse(_shuffled(case, seed), format=name, zone=zone).timeline(booking)
    assert [(s.start, s.end, s.fee) for s in one.segments] == [
        (s.start, s.end, s.fee) for s in two.segments
    ]
    assert one.quote(at).fee == two.quote(at).fee


@settings(max_examples=60)
@given(ps.format_cases())
def test_schedule_equals_quotes_around_every_boundary(case: Case) -> None:
    """Every format: at, just before and just after each segment edge, quote = segment fee."""
    timeline = _policy(case).timeline(case[2])
    segments = timeline.segments
    assert segments[0].start is None
    assert segments[-1].end is None
    for left, right in pairwise(segments):
        assert right.start is not None
        assert left.end == right.start
        assert left.fee != right.fee
        assert timeline.quote(right.start).fee == right.fee
        assert timeline.quote(right.start - TICK).fee == left.fee
        after = right.start + TICK
        holder = next(s for s in segments if s.end is None or s.end > after)
        assert timeline.quote(after).fee == holder.fee


@given(ps.format_cases())
def test_auto_detection_agrees_with_the_format(case: Case) -> None:
    """A generated payload with entries is detected as its own format."""
    name, payload, _, zone = case
    keys = LISTS[name]
    holder: Any = payload
    for key in keys:
        holder = next(v for k, v in holder.items() if k.casefold() == key.casefold())
    if holder:
        assert pf.detect(payload) == name
        assert pf.parse(payload, format="auto", zone=zone) == _policy(case)
