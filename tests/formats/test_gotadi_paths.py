"""The Gotadi fast path equals its plain path: bytes checked by pydantic-core, or field by field."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given

import penalty
from penalty import strategies as ps
from penalty.formats.gotadi import _step_by_step


@given(ps.gotadi_policies(), ps.bookings("VND"))
def test_bytes_read_in_one_call_equal_the_step_by_step_read(
    windows: list[dict[str, Any]], booking: penalty.Booking
) -> None:
    """from_gotadi(bytes) (patterns checked in pydantic-core, text converted without a second
    match) builds the very policy the field-by-field read builds, and quotes the same."""
    fast = penalty.from_gotadi(json.dumps(windows).encode())
    plain = _step_by_step(windows, "raise")
    assert fast == plain
    assert penalty.compile(fast, booking).segments == penalty.compile(plain, booking).segments
