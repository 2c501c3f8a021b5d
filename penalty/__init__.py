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

from penalty.booking import Booking, NightlyRate
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
