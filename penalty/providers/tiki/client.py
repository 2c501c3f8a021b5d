"""Cancel a Tiki mini-app order (``POST /order/cancel``, PROTOCOLS B.1) over signed HTTP.

After a successful cancel Tiki refunds a guest who paid online by itself; the partner does
nothing more. A ``completed`` order can be neither cancelled nor refunded, so the client refuses
it before sending anything when the caller says that is its status.

The body is serialized once (compact JSON, UTF-8, ``ensure_ascii=False``) and those exact bytes
are both signed and sent. A cancel is not idempotent: `send` never retries it; after a timeout,
look the order up before trying again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from enum import StrEnum

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from penalty.errors import InvalidInput, ProviderProtocolError, ProviderRejected
from penalty.providers._http import (
    DEFAULT_TIMEOUT,
    HttpClientOwner,
    RetryPolicy,
    parse_json,
    send,
)
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
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "TikiCancelOutcome",
    "TikiCancelResult",
    "TikiClient",
    "TikiRejected",
]

PROVIDER = "tiki"
#: Production base URL (PROTOCOLS B.5, confirmed).
PRODUCTION_URL = "https://api.tiki.vn/tiniapp-open-api"
#: Tiki's sandbox base URL as the lead-gen docs use it (PROTOCOLS B.5: inferred for orders).
SANDBOX_URL = "https://api.tiki.vn/tiniapp-sandbox-open-api"
CANCEL_PATH = "/order/cancel"

REFUND_NOTE = (
    "Tiki refunds a guest who paid online automatically after a cancel; nothing else to do."
)


DEFAULT_RETRY = RetryPolicy()


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class TikiCancelOutcome(StrEnum):
    """What happened to the Tiki order."""

    CANCELLED = "cancelled"
    """Tiki cancelled it just now (and refunds an online payment by itself)."""
    ALREADY_CANCELLED = "already_cancelled"
    """The caller said it was ``canceled`` already; nothing was sent."""


class TikiCancelResult(BaseModel):
    """The outcome of `TikiClient.cancel_order`.

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

    def __init__(self, error: TikiError | None, *, status_code: int) -> None:
        self.reason = (error.reason or None) if error else None
        self.tiki_message = error.message if error else None
        metadata = (error.metadata or {}) if error else {}
        self.request_id = _metadata_text(metadata, "request_id")
        self.service_code = _metadata_text(metadata, "service_code")
        http_status = error.code if error else status_code
        provider_code = self.reason or str(http_status)
        message = f"HTTP {status_code}: {self.tiki_message or 'no Tiki error envelope'}"
        if self.reason:
            message += f" ({self.reason})"
        super().__init__(
            message,
            provider=PROVIDER,
            provider_code=provider_code,
            status_code=status_code,
            code=_rejection_code(status_code),
        )


def _metadata_text(metadata: dict[str, object], key: str) -> str | None:
    value = metadata.get(key)
    return value if isinstance(value, str) else None


def _rejection_code(status_code: int) -> str:
    if status_code == httpx.codes.BAD_REQUEST:
        return "invalid_request"
    if status_code in {httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN}:
        return "unauthorized"
    if status_code == httpx.codes.NOT_FOUND:
        return "not_found"
    return "rejected"


def _check_known_status(status: str | None) -> None:
    if status is None:
        return
    try:
        OrderStatus(status)
    except ValueError as exc:
        raise InvalidInput(
            f"not a Tiki order status (one of {', '.join(OrderStatus)})",
            path="known_status",
            value=status,
            code="unknown_status",
        ) from exc
    if status == OrderStatus.COMPLETED:
        raise InvalidInput(
            "a completed Tiki order cannot be cancelled or refunded (PROTOCOLS B.1)",
            path="known_status",
            value=status,
            code="order_completed",
        )


def _required(name: str, value: str) -> None:
    if not value.strip():
        raise InvalidInput("must not be empty", path=name, value=value, code="empty")


class TikiClient(HttpClientOwner):
    """A client for Tiki's order API, signing every request with ``X-Tiniapp-*`` headers.

    Args:
        client_key: the app's client key (``X-Tiniapp-Client-Id``).
        client_secret: the app's client secret; kept in a `SecretStr`, never shown.
        base_url: ``PRODUCTION_URL`` by default; Tini Console shows the sandbox one.
        http: an `httpx.Client` to use (its ``base_url`` is then ignored); built with an
            explicit ``timeout`` when omitted.
        timeout: used only when ``http`` is omitted.
        clock: milliseconds since the epoch, read just before signing.
        retry: the retry policy for idempotent calls (a cancel is never retried).
        sleep: how to wait between retries (tests pass a no-op).

    Example:
        >>> client = TikiClient(client_key="key", client_secret="s3cret")
        >>> "s3cret" in repr(client)
        False
        >>> client.close()
    """

    def __init__(
        self,
        *,
        client_key: str,
        client_secret: str | SecretStr,
        base_url: str = PRODUCTION_URL,
        http: httpx.Client | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        clock: Callable[[], int] = _now_ms,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        _required("client_key", client_key)
        self._client_key = client_key
        self._client_secret = (
            client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        )
        self._use_http(http, base_url, timeout)
        self._clock = clock
        self._retry = retry
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"TikiClient(base_url={str(self._http.base_url)!r}, client_key={self._client_key!r})"

    def cancel_order(
        self,
        order_id: str,
        comment: str,
        page_path: str | None = None,
        *,
        known_status: str | None = None,
    ) -> TikiCancelResult:
        """Cancel a Tiki order; Tiki then refunds an online payment itself.

        Args:
            order_id: Tiki's order ``id`` (a string of digits).
            comment: the cancellation reason shown to the customer (required by Tiki).
            page_path: where the customer's notification leads (``push_opts.page_path``).
            known_status: the order's status if the caller knows it. ``completed`` is refused
                before anything is sent; ``canceled`` returns ``ALREADY_CANCELLED`` unsent.

        Returns:
            The outcome and the order as Tiki returned it.

        Raises:
            InvalidInput: empty ``order_id``/``comment``, or ``known_status`` is ``completed``
                (``code="order_completed"``) or not a Tiki status.
            TikiRejected: Tiki answered with its error envelope.
            ProviderUnavailable: timeout, connection failure, 5xx, 408 or 429 (not retried).
            ProviderProtocolError: the answer is not JSON, not a Tiki envelope, or names
                another order or a status other than ``canceled``.

        Example:
            >>> from penalty.providers.tiki.sandbox import TikiSandbox
            >>> sandbox = TikiSandbox()
            >>> with sandbox.serve() as server, sandbox.client(server.url) as client:
            ...     client.cancel_order("77062110977884170", "Hết phòng").order.status
            'canceled'
        """
        _required("order_id", order_id)
        _required("comment", comment)
        _check_known_status(known_status)
        if known_status == OrderStatus.CANCELED:
            return TikiCancelResult(outcome=TikiCancelOutcome.ALREADY_CANCELLED, order_id=order_id)
        push_opts = PushOptions(page_path=page_path) if page_path is not None else None
        body = CancelOrderRequest(order_id=order_id, comment=comment, push_opts=push_opts)
        text = json.dumps(
            body.model_dump(exclude_none=True), separators=(",", ":"), ensure_ascii=False
        )
        headers = signed_headers(self._clock(), self._client_key, self._client_secret, text)
        headers["Content-Type"] = "application/json"
        request = self._http.build_request(
            "POST", CANCEL_PATH, content=text.encode("utf-8"), headers=headers
        )
        response = send(
            self._http,
            request,
            provider=PROVIDER,
            idempotent=False,
            retry=self._retry,
            sleep=self._sleep,
        )
        order = self._order_from(response)
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

    @staticmethod
    def _order_from(response: httpx.Response) -> TikiOrder:
        status = response.status_code
        is_success = httpx.codes.is_success(status)
        try:
            document = parse_json(response, provider=PROVIDER)
        except ProviderProtocolError:
            if is_success:
                raise
            raise TikiRejected(None, status_code=status) from None
        try:
            envelope = parse_envelope(document, status_code=status)
        except ProviderProtocolError:
            if is_success:
                raise
            raise TikiRejected(None, status_code=status) from None
        if envelope.error is not None or not is_success:
            raise TikiRejected(envelope.error, status_code=status)
        if envelope.data is None:
            raise ProviderProtocolError(
                f"HTTP {status} answer has neither data nor error",
                provider=PROVIDER,
                path="data",
                code="bad_shape",
            )
        return envelope.data.order
