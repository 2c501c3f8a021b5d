"""The booking: one validator however a booking is built, its rules, its facts."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from penalty import Booking, InvalidBooking

BASE: dict[str, Any] = {"total": "3000000", "currency": "VND"}


class _Holder(BaseModel):
    booking: Booking


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        ({"total": "0"}, "total", "not_positive"),
        ({"total": "10.5"}, "total", "too_precise"),
        ({"currency": "vnd"}, "currency", "invalid_currency"),
        ({"currency": "XXY"}, "currency", "unknown_currency"),
        ({"check_in": "2021-05-13"}, "check_out", "missing_date"),
        (
            {"check_in": "2021-05-13", "check_out": "2021-05-13"},
            "check_out",
            "check_out_before_check_in",
        ),
        ({"nightly_rates": []}, "nightly_rates", "empty"),
        (
            {"nightly_rates": ["1", {"date": "2021-05-13", "amount": "1"}]},
            "nightly_rates",
            "mixed_rates",
        ),
        ({"timezone": "localtime"}, "timezone", "unknown_timezone"),
        ({"nights": 3}, "nights", "extra_forbidden"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)  # fmt: skip
def test_each_rule_is_named(fields: dict[str, Any], path: str, code: str) -> None:
    """A malformed field raises InvalidBooking naming it, with a stable code."""
    with pytest.raises(InvalidBooking) as caught:
        Booking.model_validate({**BASE, **fields})
    assert (caught.value.path, caught.value.code) == (path, code)


def test_dated_rates_are_sorted_into_stay_order() -> None:
    """Gotadi sends its night prices unordered: they are sorted by date."""
    booking = Booking.model_validate(
        {
            **BASE,
            "nightly_rates": [
                {"date": "2021-05-14", "amount": "2"},
                {"date": "2021-05-13", "amount": "1"},
            ],
        }
    )
    assert [rate.date for rate in booking.nightly_rates or ()] == [
        date(2021, 5, 13),
        date(2021, 5, 14),
    ]
    assert booking.night_dates() == (date(2021, 5, 13), date(2021, 5, 14))


@given(st.from_type(Booking))
def test_every_way_of_building_a_booking_reads_it_alike(booking: Booking) -> None:
    """model_validate, the constructor, JSON, and a booking nested in another model: one reading."""
    data = booking.model_dump()
    assert Booking(**data) == booking
    assert Booking.model_validate_json(booking.model_dump_json()) == booking
    assert _Holder.model_validate({"booking": data}).booking == booking


def test_a_nested_booking_is_refused_like_a_top_level_one() -> None:
    """Nested in your own pydantic model, a bad booking is refused by the same rule: pydantic's
    error holds the package's own, naming the field."""
    with pytest.raises(ValidationError) as caught:
        _Holder.model_validate({"booking": {**BASE, "total": "-1"}})
    original = caught.value.errors()[0]["ctx"]["error"]
    assert isinstance(original, InvalidBooking)
    assert original.path == "total"


def test_night_count_and_prices() -> None:
    """Nights from the dates or the rates; without rates each night is total / nights."""
    booking = Booking.model_validate({**BASE, "check_in": "2021-05-13", "check_out": "2021-05-16"})
    assert booking.night_count == 3
    assert booking.night_prices() == (Fraction(1000000),) * 3
