"""The package's errors: one base, a subclass per kind of failure.

Every error `penalty` raises on purpose is a `PenaltyError`; nothing else escapes the public API
on bad input. Each carries the offending field's `path` (``cancelPenalties[1].percent``), the
offending `value`, and a stable machine `code` (``"percent_out_of_range"``)::

    PenaltyError                      base of everything below; .path .value .code
    ├── InvalidInput (ValueError)     malformed input: nothing was guessed
    │   ├── InvalidPolicy             a penalty window or policy field
    │   │   └── CurrencyMismatch      a window priced in another currency than the booking
    │   ├── InvalidBooking            a booking field
    │   └── InvalidInstant            a cancel time (`at`)
    └── ProviderError                 talking to a provider went wrong
        ├── ProviderUnavailable (ConnectionError)   timeout, connection, 5xx, 429: maybe retry later
        ├── ProviderRejected          the provider answered with an error code; .provider_code
        │   └── NotCancellable        the provider's status forbids cancelling: no fee at all
        └── ProviderProtocolError (ValueError)      an answer we cannot believe
            └── SignatureInvalid      a missing, malformed or wrong signature

`InvalidInput` also subclasses `ValueError`, so code written for the standard library's
convention keeps working; `except PenaltyError` catches everything of ours.
"""

from __future__ import annotations

import reprlib
from typing import Self

__all__ = [
    "CurrencyMismatch",
    "InvalidBooking",
    "InvalidInput",
    "InvalidInstant",
    "InvalidPolicy",
    "NotCancellable",
    "PenaltyError",
    "ProviderError",
    "ProviderProtocolError",
    "ProviderRejected",
    "ProviderUnavailable",
    "SignatureInvalid",
]

_MISSING = object()
_VALUE_REPR_LIMIT = 80
_PATH_LIMIT = 200
_INT_BITS_LIMIT = 256
#: Containers are shown a few items and two levels deep: bounded work whatever their size or
#: depth (a builtin repr of a 100,000-deep list raises RecursionError).
_CONTAINERS = reprlib.Repr()
_CONTAINERS.maxlevel = 2
_CONTAINERS.maxdict = _CONTAINERS.maxlist = _CONTAINERS.maxtuple = 4
_CONTAINERS.maxset = _CONTAINERS.maxfrozenset = _CONTAINERS.maxdeque = 4
_CONTAINERS.maxstring = _CONTAINERS.maxother = _CONTAINERS.maxlong = 40
#: Control characters, C0 and C1 (U+0085 is a line break to `str.splitlines`, U+009B a terminal
#: escape), and the Unicode line and paragraph separators are escaped: a message is one line.
_ESCAPES = {
    **{code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))},
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def _short_repr(value: object) -> str:
    """At most 80 characters of ``repr(value)``; never raises, never does unbounded work."""
    try:
        if isinstance(value, str | bytes):
            text = repr(value[: _VALUE_REPR_LIMIT + 1])
        elif isinstance(value, int) and value.bit_length() > _INT_BITS_LIMIT:
            # repr() of a 4,301-digit int raises ValueError (the int/str conversion limit).
            text = f"<int of {value.bit_length()} bits>"
        elif isinstance(value, list | tuple | dict | set | frozenset):
            text = _CONTAINERS.repr(value)
        else:
            text = repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails must not hide the real error
        text = f"<{type(value).__name__}>"
    if len(text) > _VALUE_REPR_LIMIT:
        text = text[: _VALUE_REPR_LIMIT - 3] + "..."
    return text


def _one_line(text: str) -> str:
    return text.translate(_ESCAPES)


class PenaltyError(Exception):
    """Base of every error raised by `penalty`.

    Attributes:
        message: what is wrong, in words, without the path.
        path: where, as a JSON-ish path (``cancelPenalties[1].percent``), or ``None``.
        value: the offending value as received (``None`` when there is none).
        code: a stable identifier for programs (``"percent_out_of_range"``).

    Example:
        >>> err = InvalidPolicy("must be between 0 and 100", path="windows[0].percent",
        ...                     value="150%", code="percent_out_of_range")
        >>> str(err)
        "windows[0].percent: must be between 0 and 100 (got '150%')"
    """

    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        value: object = _MISSING,
        code: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.has_value = value is not _MISSING
        self.value = None if value is _MISSING else value
        self.code = code or self.default_code
        super().__init__(self._render())

    def under(self, prefix: str | None) -> Self:
        """A copy of this error whose path is under ``prefix`` (``windows[0]`` + ``.percent``).

        The copy keeps the cause, context and traceback, and shares nothing with the original
        that could tie it into a reference cycle with whatever holds the original.
        """
        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__)
        if prefix:
            copy.path = f"{prefix}.{self.path}" if self.path else prefix
        copy.args = (copy._render(),)  # noqa: SLF001 - the copy is this very class
        copy.__cause__, copy.__context__ = self.__cause__, self.__context__
        copy.__suppress_context__ = self.__suppress_context__
        return copy.with_traceback(self.__traceback__)

    def _render(self) -> str:
        """``path: message (got value)`` on one line, the path and value cut short if long."""
        path = self.path
        if path and len(path) > _PATH_LIMIT:
            path = path[: _PATH_LIMIT - 3] + "..."
        text = f"{path}: {self.message}" if path else self.message
        if self.has_value:
            text += f" (got {_short_repr(self.value)})"
        return _one_line(text)


class InvalidInput(PenaltyError, ValueError):
    """Malformed input: a policy, booking or instant that cannot be read without guessing."""

    default_code = "invalid_input"


class InvalidPolicy(InvalidInput):
    """A penalty window or a policy setting is malformed (SEMANTICS rule 17)."""

    default_code = "invalid_policy"


class CurrencyMismatch(InvalidPolicy):
    """A window is priced in another currency than the booking (SEMANTICS rule 11)."""

    default_code = "currency_mismatch"


class InvalidBooking(InvalidInput):
    """A booking field is malformed: total, currency, nightly rates, dates or timezone."""

    default_code = "invalid_booking"


class InvalidInstant(InvalidInput):
    """A cancel time is malformed, naive without a booking timezone, or does not exist."""

    default_code = "invalid_instant"


class ProviderError(PenaltyError):
    """Base of the errors met while talking to a provider over HTTP."""

    default_code = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        path: str | None = None,
        value: object = _MISSING,
        code: str | None = None,
    ) -> None:
        self.provider = provider
        super().__init__(f"{provider}: {message}", path=path, value=value, code=code)


class ProviderUnavailable(ProviderError, ConnectionError):
    """No usable answer: connect/read timeout, connection reset, HTTP 5xx or 429.

    ``retry_after`` is the number of seconds the provider asked us to wait, when it said.
    """

    default_code = "provider_unavailable"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        retry_after: float | None = None,
        status_code: int | None = None,
        code: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        self.status_code = status_code
        super().__init__(message, provider=provider, code=code)


class ProviderRejected(ProviderError):
    """The provider answered and said no; ``provider_code`` is its own error code."""

    default_code = "provider_rejected"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        provider_code: str,
        status_code: int | None = None,
        code: str | None = None,
        path: str | None = None,
    ) -> None:
        self.provider_code = provider_code
        self.status_code = status_code
        super().__init__(message, provider=provider, path=path, value=provider_code, code=code)


class NotCancellable(ProviderRejected):
    """The provider's status says the booking cannot be cancelled, or that it does not know yet.

    Gotadi's ``NOT_ALLOW_CANCELLATION`` and ``UNKNOWN`` (``provider_code``): no fee is quoted,
    since a fee would look payable (SEMANTICS rule 18).
    """

    default_code = "not_cancellable"


class ProviderProtocolError(ProviderError, ValueError):
    """The provider's answer is not what its protocol says: garbage, wrong shape, stale."""

    default_code = "provider_protocol_error"


class SignatureInvalid(ProviderProtocolError):
    """A signature is missing, malformed or does not verify; nothing in the message is believed."""

    default_code = "signature_invalid"
