"""penalty: exact hotel cancellation penalties.

Read a provider's penalty windows into a `Policy`, compile it against a `Booking` into a
`Timeline`, and quote any instant: ``penalty.compile(policy, booking).quote(at)`` → `Quote`.

Example:
    >>> import penalty
    >>> policy = penalty.from_gotadi([{"startDate": "2021-05-12T18:00:00.000+07:00",
    ...     "endDate": "2021-05-13T18:00:00.000+07:00", "type": "NIGHTS", "currency": "VND",
    ...     "percent": "", "nights": "1.0", "amount": "", "description": ""}])
    >>> booking = penalty.Booking.model_validate({"total": "3000000", "currency": "VND",
    ...     "nightly_rates": ["1000000", "1200000", "800000"]})
    >>> penalty.compile(policy, booking).quote("2021-05-12T11:00:00Z").gotadi_amount
    '1000000.00'

The package is layered, each layer importing only those below it: `errors` → `limits` →
`money`, `instants` → `booking`, `rules`, `policy` → `compiler` → `timeline` → `rooms` →
`formats` → `preview` → `providers` → `service`, `batch` → `cli`. This module sits above the
engine and the formats and re-exports their public names; the heavier layers (`preview`,
`providers`, `strategies`) are submodules imported on first use (``penalty.preview``).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from penalty.booking import Booking, NightlyRate
from penalty.errors import (
    CurrencyMismatch,
    InvalidBooking,
    InvalidInput,
    InvalidInstant,
    InvalidPolicy,
    NotCancellable,
    PenaltyError,
    ProviderError,
    ProviderProtocolError,
    ProviderRejected,
    ProviderUnavailable,
    SignatureInvalid,
)
from penalty.formats import from_gotadi, parse
from penalty.policy import Deadline, Policy, PolicyWarning, Surcharge, Window, Windows
from penalty.rooms import Room, Rooms, RoomsQuote
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules
from penalty.timeline import (
    ALWAYS_FREE,
    Quote,
    Segment,
    Summary,
    Timeline,
    compile,  # noqa: A004 - `penalty.compile` is the engine's verb
)

__version__ = "0.1.0"

__all__ = [
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

#: Submodules reachable as attributes of `penalty`, imported on first use (`penalty.preview`).
_SUBMODULES = frozenset({"preview", "providers", "strategies"})


def __getattr__(name: str) -> Any:
    """PEP 562: import a heavier submodule the first time it is asked for."""
    if name in _SUBMODULES:
        return import_module(f"penalty.{name}")
    msg = f"module 'penalty' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
