"""Gotadi's vocabularies and payloads, as enums and frozen pydantic models (PROTOCOLS A.4–A.7).

**Codes.** `CheckStatus` (check-cancel-penalty), `CancellationStatus`, `ProductType` and
`ErrorCode` (PROTOCOLS A.4, dev-guide §7 "Mã lỗi"). Each error code has an `Outcome`:

* ``OK`` (``00``): believe the rest of the answer;
* ``PENDING`` (``01`` being processed, ``08`` already processed before, ``09`` not yet
  processed): the request reached Gotadi; follow it with a cancellation-check;
* ``REJECTED`` (everything else): `ErrorCode.rejection` is the `ProviderRejected` to raise, with
  Gotadi's code as ``provider_code`` and a stable ``code`` for programs.

**Payloads.** Two layers for the encrypted endpoints:

* `Envelope`: the JSON body on the wire, ``{"key": "…", "data": "…"}``;
* the decrypted pipe-separated fields, one model per message, fields in wire order:

  ====================================  =====================================================
  `CancellationRequest`                 ``access_code|booking_number|cancel_penalty_amount``
  `CancellationResponse`                ``access_code|booking_number|error_code|product_type|``
                                        ``cancellation_status``
  `CancellationCheckRequest`            ``access_code|booking_number``
  `CancellationCheckResponse`           ``…|cancellation_status|cancel_penalty_amount``
  ====================================  =====================================================

`PipeMessage.to_fields` / `PipeMessage.from_fields` convert between a model and its fields (the
signature is added and removed by `penalty.providers.gotadi.crypto`). Empty optional fields are
``None`` in the model and ``""`` on the wire. ``access_code`` is a `SecretStr`, hidden in reprs.

Amounts are two-decimal strings on the wire (``2100000.00``); `format_amount` makes one from a
`Decimal` without ever rounding, and `PipeMessage` models expose them as `Decimal`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from penalty.errors import InvalidInput, ProviderProtocolError, ProviderRejected

__all__ = [
    "CancellationCheckRequest",
    "CancellationCheckResponse",
    "CancellationRequest",
    "CancellationResponse",
    "CancellationStatus",
    "CheckCancelPenaltyRequest",
    "CheckStatus",
    "Envelope",
    "ErrorCode",
    "Outcome",
    "PipeMessage",
    "ProductType",
    "format_amount",
]

PROVIDER = "gotadi"
_AMOUNT = re.compile(r"\d+\.\d\d")


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


def format_amount(amount: Decimal, *, path: str = "cancel_penalty_amount") -> str:
    """Gotadi's two-decimal form of ``amount``: digits, a dot, exactly two decimals.

    Never rounds: an amount with a non-zero third decimal, a negative amount, a float or a
    non-finite value is `InvalidInput`.

    Example:
        >>> [format_amount(Decimal(text)) for text in ("2100000", "33.3", "0")]
        ['2100000.00', '33.30', '0.00']
    """
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidInput("must be a finite Decimal", path=path, value=amount, code="bad_amount")
    if amount < 0:
        raise InvalidInput("must not be negative", path=path, value=amount, code="bad_amount")
    scaled = amount.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            "has more than two decimals; round it first", path=path, value=amount, code="bad_amount"
        )
    cents = int(scaled)
    return f"{cents // 100}.{cents % 100:02d}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Envelope(_Frozen):
    """``{"key", "data"}``: the body of every encrypted request and response."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key: str = Field(min_length=1)
    data: str = Field(min_length=1)


class CheckCancelPenaltyRequest(_Frozen):
    """``POST /api/v3/hotel/check-cancel-penalty`` body (not encrypted)."""

    booking_number: str = Field(alias="bookingNumber", min_length=1)


def _optional(value: Any) -> Any:
    return None if value == "" else value


class PipeMessage(_Frozen):
    """A message carried as pipe-separated fields inside an `Envelope`, fields in wire order."""

    #: Name used in error paths, e.g. ``cancellation.response``.
    wire_name: ClassVar[str] = "message"

    def to_fields(self) -> list[str]:
        """The wire fields, in order (secrets revealed: this goes into the signature)."""
        fields: list[str] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            fields.append("" if value is None else str(value))
        return fields

    @classmethod
    def from_fields(cls, fields: list[str]) -> Self:
        """The model from verified wire fields; wrong count or value: `ProviderProtocolError`."""
        names = list(cls.model_fields)
        if len(fields) != len(names):
            raise ProviderProtocolError(
                f"expected {len(names)} fields, got {len(fields)}",
                provider=PROVIDER,
                path=cls.wire_name,
                code="bad_shape",
            )
        try:
            return cls.model_validate(dict(zip(names, fields, strict=True)))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ProviderProtocolError(
                first["msg"],
                provider=PROVIDER,
                path=f"{cls.wire_name}.{where}",
                code="bad_field",
            ) from None


class _Addressed(PipeMessage):
    access_code: SecretStr = Field(min_length=1)
    #: May be empty in an answer to a request Gotadi could not read (``05``, ``07``).
    booking_number: str


class _Answer(_Addressed):
    error_code: ErrorCode
    product_type: ProductType | None = None
    cancellation_status: CancellationStatus | None = None

    _empty_is_none = field_validator("product_type", "cancellation_status", mode="before")(
        _optional
    )


class CancellationRequest(_Addressed):
    """``access_code|booking_number|cancel_penalty_amount`` (the amount may be empty)."""

    wire_name: ClassVar[str] = "cancellation.request"

    cancel_penalty_amount: str | None = Field(default=None, pattern=_AMOUNT.pattern)

    _empty_is_none = field_validator("cancel_penalty_amount", mode="before")(_optional)

    @property
    def amount(self) -> Decimal | None:
        """The amount as `Decimal` (``None`` when not sent)."""
        return None if self.cancel_penalty_amount is None else Decimal(self.cancel_penalty_amount)


class CancellationResponse(_Answer):
    """``access_code|booking_number|error_code|product_type|cancellation_status``."""

    wire_name: ClassVar[str] = "cancellation.response"


class CancellationCheckRequest(_Addressed):
    """``access_code|booking_number``."""

    wire_name: ClassVar[str] = "cancellation_check.request"


class CancellationCheckResponse(_Answer):
    """``…|cancellation_status|cancel_penalty_amount`` (the doc's ``cancellation_feee``)."""

    wire_name: ClassVar[str] = "cancellation_check.response"

    cancel_penalty_amount: str | None = Field(default=None, pattern=_AMOUNT.pattern)

    _amount_empty_is_none = field_validator("cancel_penalty_amount", mode="before")(_optional)

    @property
    def amount(self) -> Decimal | None:
        """Gotadi's cancellation fee as `Decimal` (``None`` when it sent none)."""
        return None if self.cancel_penalty_amount is None else Decimal(self.cancel_penalty_amount)
