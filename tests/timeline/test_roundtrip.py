"""Models read back from their own dumps: what a pricing service caches, it can reload."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import penalty
from penalty import Booking, InvalidBooking, InvalidPolicy, Policy, Quote, Window
from penalty import strategies as ps


@given(st.from_type(Booking))
def test_booking_round_trips_through_python_and_json(booking: Booking) -> None:
    """model_dump → model_validate, model_dump_json → model_validate_json: an equal booking."""
    assert Booking.model_validate(booking.model_dump()) == booking
    assert Booking.model_validate_json(booking.model_dump_json()) == booking


@given(st.from_type(Policy))
def test_policy_round_trips_through_python_and_json(policy: Policy) -> None:
    """Policies of any rules, windows open or closed, surcharges: read back equal."""
    assert Policy.model_validate(policy.model_dump()) == policy
    assert Policy.model_validate_json(policy.model_dump_json()) == policy


@given(st.from_type(Window))
def test_window_round_trips_through_python_and_json(window: Window) -> None:
    """A window, its edges open or not, read back equal."""
    assert Window.model_validate(window.model_dump()) == window
    assert Window.model_validate_json(window.model_dump_json()) == window


@given(ps.quotes())
def test_quote_round_trips_through_python_and_json(quote: Quote) -> None:
    """A quote (with its warnings) read back equal."""
    assert Quote.model_validate(quote.model_dump()) == quote
    assert Quote.model_validate_json(quote.model_dump_json()) == quote


@given(ps.cases(any_rules=True), ps.instants())
def test_a_reloaded_policy_quotes_what_the_original_quotes(
    case: tuple[Policy, Booking], at: Any
) -> None:
    """The round trip keeps the fee: a reloaded policy and booking quote the same at any instant."""
    policy, booking = case
    again = penalty.compile(
        Policy.model_validate_json(policy.model_dump_json()),
        Booking.model_validate_json(booking.model_dump_json()),
    )
    assert again.quote(at) == penalty.compile(policy, booking).quote(at)


def test_plain_nightly_rates_read_back() -> None:
    """The reported crash: plain nightly rates dump as {"date": null, ...} and read back."""
    booking = Booking.model_validate(
        {"total": "3000000", "currency": "VND", "nightly_rates": ["1000000", "2000000"]}
    )
    assert booking.model_dump()["nightly_rates"][0] == {"date": None, "amount": 1000000}
    assert Booking.model_validate(booking.model_dump()) == booking
    assert Booking.model_validate_json(booking.model_dump_json()) == booking


@pytest.mark.parametrize(
    "build",
    [
        lambda b: b.model_copy(update={"currency": "usd"}),
        lambda b: b.model_copy(update={"total": "-1"}),
        lambda b: b.model_copy(update={"nights": 3}),
        lambda _: Booking.model_construct(total="x", currency="VND"),  # type: ignore[arg-type]
    ],
    ids=["copy-lowercase-currency", "copy-negative-total", "copy-unknown-field", "construct"],
)
def test_no_public_way_of_building_a_booking_skips_validation(build: Any) -> None:
    """model_copy(update=...) and model_construct validate: no foreign error leaks later."""
    booking = Booking.model_validate({"total": "100", "currency": "VND"})
    with pytest.raises(InvalidBooking):
        build(booking)


def test_policy_copy_validates_its_windows() -> None:
    """A policy copied with new windows validates them, naming the bad one."""
    policy = Policy(windows=[{"start": None, "end": None, "amount": "1"}])  # type: ignore[list-item]
    with pytest.raises(InvalidPolicy) as caught:
        policy.model_copy(update={"windows": [{"start": None, "end": None, "percent": "150"}]})
    assert caught.value.path == "windows[0].percent"
