"""The engine's properties over every provider format, from the public format strategies."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from penalty import Booking, InvalidPolicy, Policy
from penalty import formats as pf
from penalty import strategies as ps
from tests.reference import reference_fee

TICK = timedelta(microseconds=1)
Case = tuple[str, dict[str, Any], Booking, str | None]
#: Where each format keeps its list of entries inside the generated payload (the first path
#: that the payload has; a DerbySoft code's segments are handled apart).
LISTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "gotadi": (("cancelPenalties",),),
    "expedia-rapid": (("cancel_penalties",),),
    "expedia-xap": (("CancellationPolicy", "CancellationPenaltyRules"),),
    "duffel": (("cancellation_timeline",),),
    "hotelbeds": (("cancellationPolicies",),),
    "ratehawk": (("cancellation_penalties", "policies"),),
    "liteapi": (("cancellationPolicies", "cancelPolicyInfos"),),
    "innstant": (("cancellation", "frames"),),
    "ucp": (("tiers",), ("schedule", "tiers")),
    "travelgatex": (("cancelPenalties",), ("cancelPolicy", "cancelPenalties")),
    "derbysoft": (),
}
#: Formats whose list order is part of the format: the UCP draft orders tiers from the
#: farthest cutoff to the nearest, and refuses any other order.
ORDERED = frozenset({"ucp"})


def _policy(case: Case) -> Policy:
    name, payload, _, zone = case
    return pf.parse(payload, format=name, zone=zone)


def _keys(name: str, payload: Any) -> tuple[str, ...]:
    """The path of the list of entries in ``payload``."""
    for keys in LISTS[name]:
        holder = payload
        for key in keys:
            found = [k for k in holder if k.casefold() == key.casefold()]
            if not found or not isinstance(holder[found[0]], dict | list):
                break
            holder = holder[found[0]]
        else:
            return keys
    raise AssertionError((name, payload))


def _derbysoft_shuffled(payload: Any, seed: int) -> Any:
    """A DerbySoft code with its day segments in another order (the no-show stays last)."""
    code = (
        payload
        if isinstance(payload, str)
        else (payload.get("code") or payload["cancelPolicy"]["code"])
    )
    *days, no_show = code.split("_")
    random.Random(seed).shuffle(days)
    shuffled = "_".join([*days, no_show])
    if isinstance(payload, str):
        return shuffled
    if "code" in payload:
        return {"code": shuffled}
    return {**payload, "cancelPolicy": {"code": shuffled}}


def _shuffled(case: Case, seed: int) -> Any:
    """The payload with its entries in another order (keys matched ignoring case)."""
    name, payload, _, _ = case
    if name == "derbysoft":
        return _derbysoft_shuffled(payload, seed)
    copy: dict[str, Any] = {**payload}
    holder = copy
    keys = _keys(name, payload)
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
    """Every format: shuffling the provider's list changes no fee and no schedule.

    Except where the order is the format's meaning (UCP tiers): there, another order is
    refused, never read another way.
    """
    name, payload, booking, zone = case
    one = _policy(case).timeline(booking)
    shuffled = _shuffled(case, seed)
    if name in ORDERED and shuffled != payload:
        with pytest.raises(InvalidPolicy) as caught:
            pf.parse(shuffled, format=name, zone=zone)
        assert caught.value.code == "tiers_out_of_order"
        return
    two = pf.parse(shuffled, format=name, zone=zone).timeline(booking)
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


def test_a_bare_amount_code_held_under_code_is_detected() -> None:
    """A DerbySoft code that is a bare amount is detectable held under ``code`` (only the bare
    text, ``"0"``, is JSON too), and read as a code when the format is named. Found by the
    properties below with random seeds."""
    for payload in ({"code": "0"}, {"code": "100"}, {"cancelPolicy": {"code": "100"}}):
        assert pf.detect(payload) == "derbysoft"
        assert pf.parse(payload, format="auto") == pf.parse(payload, format="derbysoft")
    # Named, the bare text is the code too (it read as the JSON number 0 and was refused).
    assert pf.parse("0", format="derbysoft") == pf.parse({"code": "0"}, format="derbysoft")


@given(ps.format_cases())
def test_auto_detection_agrees_with_the_format(case: Case) -> None:
    """A generated payload with entries is detected as its own format."""
    name, payload, _, zone = case
    holder: Any = payload
    for key in _keys(name, payload) if name != "derbysoft" else ():
        holder = next(v for k, v in holder.items() if k.casefold() == key.casefold())
    if isinstance(payload, str) and not any(char.isalpha() for char in payload):
        # A DerbySoft code that is a bare amount ("100") is JSON text too: not detectable.
        with pytest.raises(InvalidPolicy):
            pf.detect(payload)
        return
    if holder:
        assert pf.detect(payload) == name
        assert pf.parse(payload, format="auto", zone=zone) == _policy(case)
