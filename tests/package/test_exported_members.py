"""The public surface of `penalty` is exactly this list (httpx-style pin)."""

from __future__ import annotations

import penalty

EXPECTED = [
    "ALWAYS_FREE",
    "AfterLast",
    "Basis",
    "Booking",
    "Boundary",
    "CurrencyMismatch",
    "Deadline",
    "Gaps",
    "InvalidBooking",
    "InvalidInput",
    "InvalidInstant",
    "InvalidPolicy",
    "NightlyRate",
    "NotCancellable",
    "PenaltyError",
    "Policy",
    "PolicyWarning",
    "ProviderError",
    "ProviderProtocolError",
    "ProviderRejected",
    "ProviderUnavailable",
    "Quote",
    "Room",
    "Rooms",
    "RoomsQuote",
    "Rules",
    "Segment",
    "SignatureInvalid",
    "Summary",
    "Surcharge",
    "Timeline",
    "Window",
    "Windows",
    "compile",
    "from_gotadi",
    "parse",
]


def test_all_is_sorted_and_pinned() -> None:
    """`penalty.__all__` is sorted and equals the documented public names."""
    assert penalty.__all__ == sorted(penalty.__all__)
    assert penalty.__all__ == EXPECTED


def test_every_exported_name_exists_and_is_documented() -> None:
    """Every public name resolves and has a docstring."""
    for name in penalty.__all__:
        member = getattr(penalty, name)
        assert member.__doc__, name


def test_py_typed_is_shipped() -> None:
    """The package ships py.typed."""
    from importlib.resources import files

    assert files("penalty").joinpath("py.typed").is_file()
