"""Property tests: every SEMANTICS rule over generated policies, bookings and instants."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from penalty import Booking, NotCancellable, Policy, Rules, Window
from penalty import strategies as ps
from penalty.instants import to_micros
from penalty.money import minor_unit
from tests.reference import reference_fee

TICK = timedelta(microseconds=1)
WIRE = re.compile(r"^\d+\.\d{2}$")


@given(ps.cases(any_rules=True), ps.instants())
def test_fee_is_within_zero_and_total(case: tuple[Policy, Booking], at: datetime) -> None:
    """Rule 10: 0 <= fee <= total, under every combination of rules."""
    policy, booking = case
    assert 0 <= policy.quote(booking, at).fee <= booking.total


@given(ps.cases(), ps.instants())
def test_zero_before_the_first_window(case: tuple[Policy, Booking], at: datetime) -> None:
    """Rule 3: strictly before every window's start, cancelling is free."""
    policy, booking = case
    starts = [w.start for w in policy.windows if isinstance(w.start, datetime)]
    if starts and at < min(starts):
        quote = policy.quote(booking, at)
        assert quote.fee == 0
        assert quote.phase == "free"


@given(ps.cases(any_rules=True), ps.instants(), ps.offsets())
def test_same_instant_in_any_offset_same_fee(
    case: tuple[Policy, Booking], at: datetime, offset: object
) -> None:
    """Rule 1: an instant written with another offset gets the same quote."""
    policy, booking = case
    timeline = policy.timeline(booking)
    moved = at.astimezone(offset)  # type: ignore[arg-type]
    assert timeline.quote(at) == timeline.quote(moved)
    assert timeline.quote(moved.isoformat()) == timeline.quote(at)


@given(ps.cases(any_rules=True), st.randoms(use_true_random=False), ps.instants())
def test_window_order_never_matters(
    case: tuple[Policy, Booking], rnd: object, at: datetime
) -> None:
    """Rule 16: shuffling the windows changes no fee, phase or schedule."""
    policy, booking = case
    shuffled = list(policy.windows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    other = policy.model_copy(update={"windows": tuple(shuffled)})
    one, two = policy.timeline(booking), other.timeline(booking)
    assert [(s.start, s.end, s.fee) for s in one.segments] == [
        (s.start, s.end, s.fee) for s in two.segments
    ]
    assert (one.quote(at).fee, one.quote(at).phase) == (two.quote(at).fee, two.quote(at).phase)


@given(ps.cases(any_rules=True))
def test_schedule_equals_quotes_around_every_boundary(case: tuple[Policy, Booking]) -> None:
    """Rule 14: at, just before and just after each segment edge, quote = segment fee."""
    policy, booking = case
    timeline = policy.timeline(booking)
    segments = timeline.segments
    assert segments[0].start is None
    assert segments[-1].end is None
    for left, right in pairwise(segments):
        assert left.end == right.start
        assert left.fee != right.fee, "neighbours with equal fees are merged"
        assert right.start is not None
        assert timeline.quote(right.start).fee == right.fee
        assert timeline.quote(right.start - TICK).fee == left.fee
        after = right.start + TICK
        holder = next(s for s in segments if s.end is None or s.end > after)
        assert timeline.quote(after).fee == holder.fee


@given(ps.cases(any_rules=True), st.lists(ps.instants(), min_size=1, max_size=20))
def test_compiled_timeline_equals_the_reference_evaluator(
    case: tuple[Policy, Booking], instants: list[datetime]
) -> None:
    """Each fast path (datetime, text, batch, integer key) equals a literal reading of the rules."""
    policy, booking = case
    timeline = policy.timeline(booking)
    probes = list(instants)
    for edge in timeline.boundaries:
        probes += [edge - TICK, edge, edge + TICK]
    expected = [reference_fee(policy, booking, at) for at in probes]
    assert [timeline.quote(at).fee for at in probes] == expected
    texts = [at.isoformat(sep=" " if i % 2 else "T") for i, at in enumerate(probes)]
    assert [timeline.quote(text).fee for text in texts] == expected
    assert list(timeline.fees(probes)) == expected
    assert list(timeline.fees(iter(texts))) == expected
    mixed = [text if i % 3 else at for i, (at, text) in enumerate(zip(probes, texts, strict=True))]
    assert list(timeline.fees(mixed)) == expected
    assert list(timeline.fees_at_micros(map(to_micros, probes))) == expected


@given(ps.cases(any_rules=True), ps.instants())
def test_fee_is_rounded_to_the_minor_unit(case: tuple[Policy, Booking], at: datetime) -> None:
    """Rule 12: the fee has no more decimals than the currency's CLDR minor unit."""
    policy, booking = case
    fee = policy.quote(booking, at).fee
    exponent = fee.as_tuple().exponent
    assert isinstance(exponent, int)
    assert -exponent <= minor_unit(booking.currency)


@given(ps.cases(any_rules=True), ps.instants())
def test_gotadi_amount_has_two_decimals(case: tuple[Policy, Booking], at: datetime) -> None:
    """Rule 13: the wire amount is plain digits, a dot, two decimals, equal to the fee."""
    policy, booking = case
    quote = policy.quote(booking, at)
    assert WIRE.match(quote.gotadi_amount)
    if minor_unit(booking.currency) <= 2:
        assert Decimal(quote.gotadi_amount) == quote.fee


@st.composite
def rising_policies(draw: st.DrawFn) -> tuple[Policy, Booking]:
    """Windows in time order, touching or with gaps, whose charges never decrease."""
    booking = draw(ps.bookings(currency="VND"))
    count = draw(st.integers(min_value=1, max_value=5))
    cursor = datetime(2021, 5, 1, tzinfo=UTC)
    amounts = sorted(
        draw(st.lists(ps.amounts("VND", max_units=10**7), min_size=count, max_size=count))
    )
    windows = []
    for amount in amounts:
        cursor += timedelta(hours=draw(st.integers(min_value=0, max_value=48)))
        end = cursor + timedelta(hours=draw(st.integers(min_value=1, max_value=72)))
        windows.append(Window(start=cursor, end=end, amount=amount, kind="AMOUNT"))
        cursor = end
    order = draw(st.permutations(windows))
    return Policy(windows=tuple(order)), booking


@given(rising_policies(), st.lists(ps.instants(), min_size=2, max_size=10))
def test_rising_charges_give_rising_fees(
    case: tuple[Policy, Booking], instants: list[datetime]
) -> None:
    """Rules 3, 8, 9: if window charges never decrease over time, neither do fees."""
    policy, booking = case
    timeline = policy.timeline(booking)
    ordered = sorted(instants, key=to_micros)
    fees = [timeline.quote(at).fee for at in ordered]
    assert fees == sorted(fees)


@given(ps.cases())
def test_gotadi_rules_are_the_default(case: tuple[Policy, Booking]) -> None:
    """Rules 2, 8, 9 are Gotadi's and the default settings of a policy."""
    policy, _ = case
    assert policy.rules == Rules()
    assert Policy.from_gotadi([]).rules == Rules()


@given(ps.gotadi_responses(), ps.bookings(currency="VND"), ps.instants())
def test_gotadi_json_from_the_public_strategies_quotes(
    response: dict[str, object], booking: Booking, at: datetime
) -> None:
    """`penalty.strategies` Gotadi payloads parse, compile and quote within [0, total], unless
    their status forbids any fee (SEMANTICS rule 18)."""
    status = response["result"]["status"]  # type: ignore[index]
    if status in {"NOT_ALLOW_CANCELLATION", "UNKNOWN"}:
        with pytest.raises(NotCancellable) as caught:
            Policy.from_gotadi(response)
        assert caught.value.provider_code == status
        return
    policy = Policy.from_gotadi(response)
    assert 0 <= policy.quote(booking, at).fee <= booking.total
