"""Tiki's order cancel, sans I/O: build the signed request, read the answer (PROTOCOLS B.1-B.4).

After a successful cancel Tiki refunds a guest who paid online by itself; the partner does
nothing more. A ``completed`` order can be neither cancelled nor refunded, so `cancel_order`
refuses it before sending anything when the caller says that is its status.

The body is serialized once (compact JSON, UTF-8, ``ensure_ascii=False``) and those exact bytes
are both signed and sent. A cancel is not idempotent: it is never retried; after a timeout, look
the order up before trying again. Tiki signs none of its answers, so an answer is believed only
when it is Tiki's envelope naming our order as ``canceled``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import httpx
from pydantic import BaseModel, ConfigDict

from penalty.errors import InvalidInput, ProviderProtocolError, ProviderRejected
from penalty.providers import _client
from penalty.providers._http import Op, exchange, is_refusal, refusal
from penalty.providers._json import parse_json
from penalty.providers.tiki.config import Config
from penalty.providers.tiki.models import (
    CancelOrderRequest,
    OrderStatus,
    PushOptions,
    TikiError,
    TikiOrder,
    parse_envelope,
)
from penalty.providers.tiki.signing import signed_headers

__all__ = [
    "CANCEL_PATH",
    "PROVIDER",
    "REFUND_NOTE",
    "TikiCancelOutcome",
    "TikiCancelResult",
    "TikiRejected",
    "cancel_order",
    "cancel_request",
    "read_cancel",
]

PROVIDER = "tiki"
CANCEL_PATH = "/order/cancel"
REFUND_NOTE = (
    "Tiki refunds a guest who paid online automatically after a cancel; nothing else to do."
)
Context = _client.Context[Config]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TikiCancelOutcome(StrEnum):
    """What happened to the Tiki order."""

    CANCELLED = "cancelled"
    """Tiki cancelled it just now (and refunds an online payment by itself)."""
    ALREADY_CANCELLED = "already_cancelled"
    """The caller said it was ``canceled`` already; nothing was sent."""


class TikiCancelResult(BaseModel):
    """The outcome of a Tiki cancel.

    Attributes:
        outcome: cancelled now, or already cancelled.
        order_id: the order asked about.
        order: the order as Tiki returned it (``None`` when no request was sent).
        note: what happens to the guest's money.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: TikiCancelOutcome
    order_id: str
    order: TikiOrder | None = None
    note: str = REFUND_NOTE


class TikiRejected(ProviderRejected):
    """Tiki answered with its error envelope (PROTOCOLS B.3).

    ``provider_code`` is Tiki's ``reason`` when it gave one, else its ``code`` (the HTTP status);
    ``code`` is ``invalid_request`` (400), ``unauthorized`` (401/403: key, secret or signature
    refused), ``not_found`` (404) or ``rejected``. ``reason``, ``tiki_message``,
    ``request_id`` and ``service_code`` keep Tiki's own words for a support ticket.
    """

    def __init__(self, error: TikiError, *, status_code: int) -> None:
        self.reason = error.reason or None
        self.tiki_message = error.message
        metadata = error.metadata or {}
        self.request_id = _text(metadata.get("request_id"))
        self.service_code = _text(metadata.get("service_code"))
        message = f"HTTP {status_code}: {self.tiki_message}"
        if self.reason:
            message += f" ({self.reason})"
        super().__init__(
            message,
            provider=PROVIDER,
            provider_code=self.reason or str(error.code),
            status_code=status_code,
            code=_rejection_code(status_code),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _rejection_code(status_code: int) -> str:
    codes: dict[int, str] = {
        httpx.codes.BAD_REQUEST: "invalid_request",
        httpx.codes.UNAUTHORIZED: "unauthorized",
        httpx.codes.FORBIDDEN: "unauthorized",
        httpx.codes.NOT_FOUND: "not_found",
    }
    return codes.get(status_code, "rejected")


def _required(name: str, value: str) -> str:
    if not value.strip():
        raise InvalidInput("must not be empty", path=name, value=value, code="empty")
    return value


def _check_known_status(status: str | None) -> None:
    if status is None:
        return
    if status not in OrderStatus.__members__.values():
        raise InvalidInput(
            f"not a Tiki order status (one of {', '.join(OrderStatus)})",
            path="known_status",
            value=status,
            code="unknown_status",
        )
    if status == OrderStatus.COMPLETED:
        raise InvalidInput(
            "a completed Tiki order cannot be cancelled or refunded (PROTOCOLS B.1)",
            path="known_status",
            value=status,
            code="order_completed",
        )


def cancel_request(
    config: Config, order_id: str, comment: str, page_path: str | None, *, timestamp_ms: int
) -> httpx.Request:
    """``POST /order/cancel``: the exact JSON bytes, signed with ``X-Tiniapp-*`` headers."""
    push_opts = PushOptions(page_path=page_path) if page_path is not None else None
    body = CancelOrderRequest(
        order_id=_required("order_id", order_id),
        comment=_required("comment", comment),
        push_opts=push_opts,
    )
    text = json.dumps(body.model_dump(exclude_none=True), separators=(",", ":"), ensure_ascii=False)
    headers = signed_headers(timestamp_ms, config.client_key, config.client_secret, text)
    headers["Content-Type"] = "application/json"
    url = config.base_url + CANCEL_PATH
    return httpx.Request("POST", url, content=text.encode("utf-8"), headers=headers)


def _order(response: httpx.Response) -> TikiOrder:
    status = response.status_code
    is_success = httpx.codes.is_success(status)
    try:
        envelope = parse_envelope(
            parse_json(response.content, provider=PROVIDER), status_code=status
        )
    except ProviderProtocolError:
        if is_success or not is_refusal(status):
            raise
        raise refusal(response, provider=PROVIDER) from None
    if envelope.error is not None:
        raise TikiRejected(envelope.error, status_code=status)
    if not is_success:
        raise refusal(response, provider=PROVIDER)
    if envelope.data is None:
        raise ProviderProtocolError(
            f"HTTP {status} answer has neither data nor error",
            provider=PROVIDER,
            path="data",
            code="bad_shape",
        )
    return envelope.data.order


def read_cancel(order_id: str, response: httpx.Response) -> TikiCancelResult:
    """Read the cancel's answer: the order, ``canceled``, or why not.

    Raises:
        TikiRejected: Tiki's error envelope.
        HttpRefusal: a 4xx that is not a Tiki envelope (a gateway's page).
        ProviderProtocolError: not JSON, not a Tiki envelope, another order, another status.
    """
    order = _order(response)
    if order.id != order_id:
        raise ProviderProtocolError(
            "cancel answer names another order",
            provider=PROVIDER,
            path="data.order.id",
            value=order.id,
            code="order_mismatch",
        )
    if order.status != OrderStatus.CANCELED:
        raise ProviderProtocolError(
            "cancel answer does not say canceled",
            provider=PROVIDER,
            path="data.order.status",
            value=order.status,
            code="unexpected_status",
        )
    return TikiCancelResult(outcome=TikiCancelOutcome.CANCELLED, order_id=order_id, order=order)


def cancel_order(
    ctx: Context,
    order_id: str,
    comment: str,
    *,
    page_path: str | None = None,
    known_status: str | None = None,
) -> Op[TikiCancelResult]:
    """Cancel a Tiki order; Tiki then refunds an online payment itself.

    ``known_status`` is the order's status if the caller knows it: ``completed`` is refused
    before anything is sent (`InvalidInput`, ``order_completed``), ``canceled`` returns
    ``ALREADY_CANCELLED`` with nothing sent.
    """
    _required("order_id", order_id)
    _required("comment", comment)
    _check_known_status(known_status)
    if known_status == OrderStatus.CANCELED:
        return TikiCancelResult(outcome=TikiCancelOutcome.ALREADY_CANCELLED, order_id=order_id)
    timestamp_ms = (ctx.now() - _EPOCH) // timedelta(milliseconds=1)
    request = cancel_request(ctx.config, order_id, comment, page_path, timestamp_ms=timestamp_ms)
    response = yield from exchange(
        request, provider=PROVIDER, idempotent=False, retry=ctx.retry, clock=ctx.clock
    )
    return read_cancel(order_id, response)
