"""Rule 17: the error objects themselves (the bad-input table: ``tests/cli/test_bad_inputs.py``)."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Callable

import pytest

from penalty import (
    Booking,
    InvalidBooking,
    InvalidInput,
    InvalidPolicy,
    PenaltyError,
    Policy,
    Window,
)
from tests.helpers import gotadi_window

START, END = "2021-05-12T18:00:00.000+07:00", "2021-05-13T18:00:00.000+07:00"


def bad_window(**fields: str) -> list[dict[str, str]]:
    """A one-window policy with ``fields`` replaced."""
    window = gotadi_window(START, END, "PERCENT", percent="70%")
    window.update(fields)
    return [window]


def test_errors_subclass_value_error_and_carry_codes() -> None:
    """Errors are ValueErrors too, with a stable code."""
    with pytest.raises(ValueError, match="percent") as caught:
        Policy.from_gotadi(bad_window(percent="150%"))
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.code == "percent_out_of_range"


def test_error_message_is_one_line_with_path_and_value() -> None:
    """str(error) is 'path: message (got value)'."""
    with pytest.raises(InvalidPolicy) as caught:
        Policy.from_gotadi(json.loads(json.dumps(bad_window(amount="1e5", type="AMOUNT"))))
    assert str(caught.value) == (
        "cancelPenalties[0].amount: amount must be plain digits like '200000' (got '1e5')"
    )
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value.value, str)


def _deep(depth: int) -> list[object]:
    nested: list[object] = []
    for _ in range(depth):
        nested = [nested]
    return nested


class _BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (_deep(100_000), "[[[...]]]"),
        (10**5000, "<int of 16610 bits>"),
        (_BrokenRepr(), "<_BrokenRepr>"),
        ({"windows": list(range(100_000))}, "{'windows': [0, 1, 2, 3, ...]}"),
        ("x" * 1_000_000, "'" + "x" * 76 + "..."),
    ],
    ids=["100000-deep-list", "5000-digit-int", "broken-repr", "huge-dict", "huge-string"],
)
def test_any_value_renders_short_and_never_raises(value: object, shown: str) -> None:
    """A value too deep, too long or unprintable still gives a short message, never a new error."""
    error = InvalidPolicy("bad", path="p", value=value, code="c")
    assert str(error) == f"p: bad (got {shown})"
    assert error.value is value


def test_message_is_one_line_whatever_the_path_and_value_hold() -> None:
    """Newlines, escape sequences and Unicode line breaks in a path or value are escaped."""
    error = InvalidBooking(
        "unknown field", path="nightly_rates[0].a\nb\u2028\x85\x9b", value="\x1b[2J\r\n", code="c"
    )
    assert str(error) == (
        "nightly_rates[0].a\\nb\\u2028\\x85\\x9b: unknown field (got '\\x1b[2J\\r\\n')"
    )
    assert len(str(error).splitlines()) == 1
    assert error.path == "nightly_rates[0].a\nb\u2028\x85\x9b"


def test_a_huge_path_is_cut_short_in_the_message() -> None:
    """A 10,000-character field name is shown cut to 200 characters; ``.path`` keeps it all."""
    error = InvalidBooking("unknown field", path="k" * 10_000, code="c")
    assert str(error) == "k" * 197 + "...: unknown field"
    assert len(error.path or "") == 10_000


@pytest.mark.parametrize(
    "refuse",
    [
        lambda: Booking.model_validate({"total": "x", "currency": "VND"}),
        lambda: Booking.model_validate({"currency": "VND"}),
        lambda: Booking(total="1", currency="VND", nightly_rates=["1", "x"]),
        lambda: Booking.model_validate_json('{"total": "1", "currency": "vnd"}'),
        lambda: Window(start=None, end=None, percent="150"),  # type: ignore[arg-type]
        lambda: Policy.from_gotadi([{"startDate": 5}]),
    ],
    ids=["validator", "missing-field", "constructor", "json", "window", "gotadi-entry"],
)
def test_a_refused_input_leaves_nothing_behind(refuse: Callable[[], object]) -> None:
    """The error of a refused input is freed once dropped: no cycle through pydantic-core."""
    with pytest.raises(PenaltyError) as caught:
        refuse()
    error = weakref.ref(caught.value)
    del caught
    gc.collect()
    assert error() is None
