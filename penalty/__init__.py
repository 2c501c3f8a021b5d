"""penalty: exact hotel cancellation penalties.

Parse a provider's penalty windows into a `Policy`, compile it against a `Booking` into a
`Timeline`, and quote any instant: ``policy.timeline(booking).quote(at)`` → `Quote`.

Example:
    >>> import penalty
    >>> policy = penalty.Policy.from_gotadi([{"startDate": "2021-05-12T18:00:00.000+07:00",
    ...     "endDate": "2021-05-13T18:00:00.000+07:00", "type": "NIGHTS", "currency": "VND",
    ...     "percent": "", "nights": "1.0", "amount": "", "description": ""}])
    >>> booking = penalty.Booking.model_validate({"total": "3000000", "currency": "VND",
    ...     "nightly_rates": ["1000000", "1200000", "800000"]})
    >>> policy.quote(booking, "2021-05-12T11:00:00Z").gotadi_amount
    '1000000.00'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from penalty.errors import (
    CurrencyMismatch,
    InvalidBooking,
    InvalidInput,
    InvalidInstant,
    InvalidPolicy,
    PenaltyError,
    ProviderError,
    ProviderProtocolError,
    ProviderRejected,
    ProviderUnavailable,
    SignatureInvalid,
)

if TYPE_CHECKING:
    from penalty.booking import Booking, NightlyRate
    from penalty.policy import AfterLast, Basis, Boundary, Gaps, Policy, Rules, Surcharge, Window
    from penalty.timeline import PolicyWarning, Quote, Segment, Timeline

__version__ = "0.1.0"

__all__ = [
    "AfterLast",
    "Basis",
    "Booking",
    "Boundary",
    "CurrencyMismatch",
    "Gaps",
    "InvalidBooking",
    "InvalidInput",
    "InvalidInstant",
    "InvalidPolicy",
    "NightlyRate",
    "PenaltyError",
    "Policy",
    "PolicyWarning",
    "ProviderError",
    "ProviderProtocolError",
    "ProviderRejected",
    "ProviderUnavailable",
    "Quote",
    "Rules",
    "Segment",
    "SignatureInvalid",
    "Surcharge",
    "Timeline",
    "Window",
]

#: The engine's names, imported on first use: `import penalty` costs the error classes only, and
#: pydantic (with the engine's models) loads when a program first touches `penalty.Policy` & co.
_LAZY = {
    "AfterLast": "penalty.policy",
    "Basis": "penalty.policy",
    "Booking": "penalty.booking",
    "Boundary": "penalty.policy",
    "Gaps": "penalty.policy",
    "NightlyRate": "penalty.booking",
    "Policy": "penalty.policy",
    "PolicyWarning": "penalty.timeline",
    "Quote": "penalty.timeline",
    "Rules": "penalty.policy",
    "Segment": "penalty.timeline",
    "Surcharge": "penalty.policy",
    "Timeline": "penalty.timeline",
    "Window": "penalty.policy",
}
#: Submodules reachable as attributes of `penalty`, imported on first use (`penalty.preview`).
_SUBMODULES = frozenset(
    {"booking", "formats", "instants", "money", "policy", "preview", "strategies", "timeline"}
)


def __getattr__(name: str) -> Any:
    """PEP 562: import an engine name (or submodule) the first time it is asked for."""
    if name in _SUBMODULES:
        return import_module(f"penalty.{name}")
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'penalty' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
