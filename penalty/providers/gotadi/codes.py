"""Gotadi's closed vocabularies: check status, cancellation status, product type, error codes.

The error-code table is PROTOCOLS A.4 (dev-guide §7 "Mã lỗi"). Each code has an `Outcome`:

* ``OK`` (``00``): believe the rest of the answer;
* ``PENDING`` (``01`` being processed, ``08`` already processed before, ``09`` not yet
  processed): the request reached Gotadi; follow it with a cancellation-check;
* ``REJECTED`` (everything else): `ErrorCode.rejection` is the `ProviderRejected` to raise, with
  Gotadi's code as ``provider_code`` and a stable ``code`` for programs.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from penalty.errors import ProviderProtocolError, ProviderRejected

__all__ = ["CancellationStatus", "CheckStatus", "ErrorCode", "Outcome", "ProductType"]

PROVIDER = "gotadi"


class CheckStatus(StrEnum):
    """``result.status`` of check-cancel-penalty (PROTOCOLS A.5)."""

    ALLOW_CANCELLATION = "ALLOW_CANCELLATION"
    NOT_ALLOW_CANCELLATION = "NOT_ALLOW_CANCELLATION"
    #: "Không xác định trạng thái, cần được xác định lại": check again.
    UNKNOWN = "UNKNOWN"


class CancellationStatus(StrEnum):
    """``cancellation_status`` of cancellation and cancellation-check (PROTOCOLS A.6)."""

    #: Not known yet: check again.
    CANCEL_UNKNOWN = "CANCEL_UNKNOWN"
    #: The amount sent is not Gotadi's: check the penalty again, then resubmit.
    CANCEL_PENALTY_MISMATCH = "CANCEL_PENALTY_MISMATCH"
    #: Submitted; waiting for the supplier to confirm.
    CANCEL_WAITING_CONFIRM = "CANCEL_WAITING_CONFIRM"
    CANCEL_CONFIRMED = "CANCEL_CONFIRMED"
    CANCEL_EXPIRED = "CANCEL_EXPIRED"

    @property
    def is_final(self) -> bool:
        """Whether nothing more will happen to this cancellation on its own."""
        return self in {CancellationStatus.CANCEL_CONFIRMED, CancellationStatus.CANCEL_EXPIRED}


class ProductType(StrEnum):
    """``product_type``: what the booking is."""

    AIR = "AIR"
    HOTEL = "HOTEL"


class Outcome(Enum):
    """What an error code means for the caller."""

    OK = "ok"
    PENDING = "pending"
    REJECTED = "rejected"


class ErrorCode(StrEnum):
    """Gotadi's ``error_code`` (PROTOCOLS A.4); `meaning` is the documented English text."""

    SUCCESS = "00"
    PROCESSING = "01"
    FAILED = "02"
    AGENCY_AUTH_FAILED = "03"
    INVALID_SIGNATURE = "04"
    DECRYPTION_FAILED = "05"
    INVALID_ACCESS_CODE = "06"
    MALFORMED_DATA = "07"
    ALREADY_PROCESSED = "08"
    NOT_YET_PROCESSED = "09"
    ACCOUNT_NOT_FOUND = "10"
    OTHER = "99"

    @property
    def meaning(self) -> str:
        """The documented meaning, in English."""
        return _MEANINGS[self]

    @property
    def outcome(self) -> Outcome:
        """Believe the answer, follow it up, or treat it as a refusal."""
        if self is ErrorCode.SUCCESS:
            return Outcome.OK
        if self in _PENDING:
            return Outcome.PENDING
        return Outcome.REJECTED

    @property
    def error_name(self) -> str:
        """A stable machine name (the ``code`` of the `ProviderRejected` for this code)."""
        return self.name.lower()

    def rejection(self, *, booking_number: str, status_code: int | None = None) -> ProviderRejected:
        """The `ProviderRejected` that this code means, naming the booking (never a secret)."""
        return ProviderRejected(
            f"booking {booking_number}: error {self.value}, {self.meaning}",
            provider=PROVIDER,
            provider_code=self.value,
            status_code=status_code,
            code=self.error_name,
        )

    @classmethod
    def parse(cls, raw: str, *, path: str = "error_code") -> ErrorCode:
        """The code for ``raw``; an undocumented code is a `ProviderProtocolError`."""
        try:
            return cls(raw.strip())
        except ValueError:
            raise ProviderProtocolError(
                "undocumented error code", provider=PROVIDER, path=path, value=raw, code="bad_field"
            ) from None


_PENDING = frozenset(
    {ErrorCode.PROCESSING, ErrorCode.ALREADY_PROCESSED, ErrorCode.NOT_YET_PROCESSED}
)

_MEANINGS = {
    ErrorCode.SUCCESS: "request processed successfully",
    ErrorCode.PROCESSING: "request is being processed",
    ErrorCode.FAILED: "request processing failed",
    ErrorCode.AGENCY_AUTH_FAILED: "rejected: agency account authentication failed",
    ErrorCode.INVALID_SIGNATURE: "rejected: invalid digital signature",
    ErrorCode.DECRYPTION_FAILED: "rejected: data decryption failed",
    ErrorCode.INVALID_ACCESS_CODE: "rejected: invalid access code",
    ErrorCode.MALFORMED_DATA: "rejected: malformed data",
    ErrorCode.ALREADY_PROCESSED: "rejected: already processed before",
    ErrorCode.NOT_YET_PROCESSED: "request not yet processed",
    ErrorCode.ACCOUNT_NOT_FOUND: "account information not found",
    ErrorCode.OTHER: "other error",
}
