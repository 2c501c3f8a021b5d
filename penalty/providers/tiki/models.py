"""Tiki's JSON, as frozen pydantic models that mirror it field for field (PROTOCOLS B.1-B.3).

Strings stay strings (``status`` is kept as Tiki sends it; `OrderStatus` names the documented
values), ``grand_total`` is an int64 of VND and a float there is refused, never rounded.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from penalty.errors import ProviderProtocolError

__all__ = [
    "CancelOrderRequest",
    "OrderStatus",
    "PushOptions",
    "TikiCancelData",
    "TikiEnvelope",
    "TikiError",
    "TikiOrder",
    "parse_envelope",
]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

Int64 = Annotated[StrictInt, Field(ge=_INT64_MIN, le=_INT64_MAX)]


class OrderStatus(StrEnum):
    """The order statuses Tiki documents (PROTOCOLS B.2); ``canceled`` has one "l"."""

    DRAFT = "draft"
    WAITING_FOR_PAYMENT = "waiting_for_payment"
    WAITING_FOR_VERIFICATION = "waiting_for_verification"
    ONLINE_PAID = "online_paid"
    PROCESSING = "processing"
    ON_DELIVERY = "on_delivery"
    CANCELED = "canceled"
    COMPLETED = "completed"


class _TikiModel(BaseModel):
    # Responses may grow fields; keep them (``model_extra``) rather than fail on them.
    model_config = ConfigDict(frozen=True, extra="allow", strict=True)


class PushOptions(BaseModel):
    """``push_opts`` of the cancel request: where the customer's notification leads."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    page_path: StrictStr


class CancelOrderRequest(BaseModel):
    """The body of ``POST /order/cancel`` (the curl sample's ``pust_opts`` is a typo)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    order_id: StrictStr
    comment: StrictStr
    push_opts: PushOptions | None = None


class TikiOrder(_TikiModel):
    """Tiki's ``Order`` object; only ``id``, ``status`` and ``grand_total`` come back on cancel.

    Example:
        >>> TikiOrder.model_validate({"id": "77062110977884170", "status": "canceled",
        ...                           "grand_total": 1000}).grand_total
        1000
    """

    id: StrictStr
    status: StrictStr
    grand_total: Int64
    tiki_order_id: StrictStr | None = None
    tiki_order_code: StrictStr | None = None
    extra: StrictStr | None = None
    reference_id: StrictStr | None = None

    @property
    def known_status(self) -> OrderStatus | None:
        """``status`` as an `OrderStatus`, or ``None`` for a value Tiki does not document."""
        try:
            return OrderStatus(self.status)
        except ValueError:
            return None


class TikiCancelData(_TikiModel):
    """``data`` of a successful cancel."""

    order: TikiOrder


class TikiError(_TikiModel):
    """Tiki's ``error`` object (PROTOCOLS B.3): ``code`` is the HTTP status."""

    code: StrictInt
    message: StrictStr
    reason: StrictStr | None = None
    metadata: dict[str, Any] | None = None


class TikiEnvelope(_TikiModel):
    """Every Tiki answer: ``{"data": {...}}`` or ``{"data": null, "error": {...}}``."""

    data: TikiCancelData | None = None
    error: TikiError | None = None


def parse_envelope(document: Any, *, status_code: int) -> TikiEnvelope:
    """Validate parsed JSON as a `TikiEnvelope`, or raise `ProviderProtocolError` (``bad_shape``).

    Example:
        >>> parse_envelope({"data": None, "error": {"code": 400, "message": "invalid parameters"}},
        ...                status_code=400).error.message
        'invalid parameters'
    """
    try:
        return TikiEnvelope.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = ".".join(str(part) for part in first["loc"]) or None
        raise ProviderProtocolError(
            f"HTTP {status_code} answer is not a Tiki envelope: {first['msg']}",
            provider="tiki",
            path=path,
            code="bad_shape",
        ) from exc
