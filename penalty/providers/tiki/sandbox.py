"""A local stand-in for Tiki's ``POST /order/cancel``: checks signatures, keeps order state.

It verifies every request's ``X-Tiniapp-*`` headers with its own TEST-ONLY key and secret, then
answers from a small in-memory order book (bounded: `penalty.providers._book`). An order's
outcome is switchable three ways, first match wins: ``Sandbox.outcomes.force`` (every order),
`Sandbox.set_outcome` (one order), or a prefix on the order id, handy from the command line:

============== ================================================================
``completed-`` the order is ``completed``: 400 error envelope
``canceled-``  already ``canceled``: 400 error envelope
``missing-``   no such order: 404 error envelope
``badsig-``    answers 401 as if the signature were wrong
``slow-``      cancels, but answers after ``slow_delay`` seconds
``fail-``      503 with an error envelope
``garbage-``   200 with a body that is not JSON
``truncated-`` 200 announcing more bytes than it sends, then closing
``reset-``     drops the connection without answering
(other ids)    an open order (``waiting_for_payment``) that the cancel closes
============== ================================================================

The error envelopes follow PROTOCOLS B.3; their messages are the sandbox's own, since Tiki does not
document which errors its cancel endpoint returns. No request body is kept.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from penalty.errors import SignatureInvalid
from penalty.providers._book import Bounded, Fault, Outcomes, ProviderSandbox, Seen, json_response
from penalty.providers._sandbox import SandboxRequest, SandboxResponse
from penalty.providers.tiki.client import AsyncClient, Client
from penalty.providers.tiki.config import Config
from penalty.providers.tiki.models import OrderStatus
from penalty.providers.tiki.protocol import CANCEL_PATH
from penalty.providers.tiki.signing import verify_headers

if TYPE_CHECKING:
    from penalty.providers._book import Clearable

__all__ = [
    "SANDBOX_CLIENT_KEY",
    "SANDBOX_CLIENT_SECRET",
    "Fault",
    "Sandbox",
    "SandboxOrder",
    "TikiOutcome",
]

#: The sandbox's own credentials: fake, public, TEST-ONLY.
SANDBOX_CLIENT_KEY = "sandbox-client-key-TEST-ONLY"
SANDBOX_CLIENT_SECRET = SecretStr("sandbox-client-secret-TEST-ONLY")
#: Where the sandbox serves the open API (what a client's base URL ends with).
API_ROOT = "/tiniapp-open-api"

_DEFAULT_TOTAL = 1_250_000  # VND


class TikiOutcome(StrEnum):
    """How the sandbox answers a cancel."""

    CANCEL = "cancel"
    COMPLETED = "completed"
    ALREADY_CANCELLED = "canceled"
    NOT_FOUND = "missing"
    BAD_SIGNATURE = "badsig"


@dataclass(slots=True)
class SandboxOrder:
    """One order in the sandbox's book."""

    id: str
    status: str = OrderStatus.WAITING_FOR_PAYMENT.value
    grand_total: int = _DEFAULT_TOTAL


def _error(status: int, message: str, reason: str = "") -> SandboxResponse:
    body = {
        "data": None,
        "error": {
            "code": status,
            "message": message,
            "reason": reason,
            "metadata": {"service_code": "sandbox", "request_id": "sandbox"},
        },
    }
    return json_response(body, status)


def _cancel_body(payload: Any) -> tuple[str, str] | None:
    """(order_id, comment) from a valid cancel body, or ``None``."""
    if not isinstance(payload, dict) or set(payload) - {"order_id", "comment", "push_opts"}:
        return None
    order_id, comment = payload.get("order_id"), payload.get("comment")
    if not isinstance(order_id, str) or not isinstance(comment, str) or not order_id or not comment:
        return None
    push_opts = payload.get("push_opts")
    if push_opts is not None and (
        not isinstance(push_opts, dict)
        or set(push_opts) != {"page_path"}
        or not isinstance(push_opts["page_path"], str)
    ):
        return None
    return order_id, comment


class Sandbox(ProviderSandbox[Client, AsyncClient]):
    """The handler behind a local Tiki sandbox server; see the module docstring for outcomes.

    Args:
        client_key: the key the sandbox expects in ``X-Tiniapp-Client-Id``.
        client_secret: the secret it verifies signatures with.
        max_skew_ms: reject requests whose timestamp is further than this from ``clock()``.
        clock: the sandbox's own clock in milliseconds.
        slow_delay: seconds the ``SLOW`` outcome waits before answering.

    Example:
        >>> sandbox = Sandbox()
        >>> with sandbox.serve() as server, sandbox.client(server.url) as client:
        ...     result = client.cancel_order("1001", "guest cancelled")
        >>> result.outcome.value, sandbox.orders["1001"].status
        ('cancelled', 'canceled')
    """

    client_class = Client
    async_client_class = AsyncClient

    def __init__(
        self,
        *,
        client_key: str = SANDBOX_CLIENT_KEY,
        client_secret: SecretStr = SANDBOX_CLIENT_SECRET,
        max_skew_ms: int | None = 5 * 60 * 1000,
        clock: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        slow_delay: float = 2.0,
    ) -> None:
        super().__init__(slow_delay=slow_delay)
        self.client_key = client_key
        self._client_secret = client_secret
        self.max_skew_ms = max_skew_ms
        self._clock = clock
        self.orders: Bounded[str, SandboxOrder] = Bounded()
        self.outcomes: Outcomes[TikiOutcome | Fault] = Outcomes(
            TikiOutcome.CANCEL, TikiOutcome, Fault
        )

    def __repr__(self) -> str:
        return f"tiki.Sandbox(client_key={self.client_key!r}, orders={len(self.orders)})"

    def add_order(
        self,
        order_id: str,
        status: str = OrderStatus.WAITING_FOR_PAYMENT.value,
        grand_total: int = 0,
    ) -> SandboxOrder:
        """Put an order in the book (``grand_total`` in VND; 0 picks a default)."""
        with self._lock:
            order = self.orders[order_id] = SandboxOrder(
                order_id, status, grand_total or _DEFAULT_TOTAL
            )
            return order

    def set_outcome(self, order_id: str, outcome: TikiOutcome | Fault) -> None:
        """Answer cancels of ``order_id`` with ``outcome``."""
        self.outcomes.set(order_id, outcome)

    def _state(self) -> tuple[Clearable, ...]:
        return (self.orders, self.outcomes)

    def config(self, url: str, **settings: Any) -> Config:
        """A client `Config` for a server of this sandbox at ``url`` (its TEST-ONLY secret)."""
        values: dict[str, Any] = {
            "client_key": self.client_key,
            "client_secret": self._client_secret,
            "base_url": url + API_ROOT,
        }
        return Config(**{**values, **settings})

    def answer(self, request: SandboxRequest) -> SandboxResponse:
        """Answer one request."""
        if request.method != "POST" or not request.path.endswith(CANCEL_PATH):
            return _error(404, "not found")
        try:
            text = request.body.decode("utf-8")
            verify_headers(
                request.headers,
                text,
                client_key=self.client_key,
                client_secret=self._client_secret,
                now_ms=self._clock(),
                max_skew_ms=self.max_skew_ms,
            )
        except (UnicodeDecodeError, SignatureInvalid):
            self.record(Seen("cancel", "", answered="401"))
            return _error(401, "invalid signature")
        if not request.headers.get("content-type", "").startswith("application/json"):
            return _error(400, "invalid parameters")
        try:
            fields = _cancel_body(json.loads(text))
        except ValueError:
            fields = None
        if fields is None:
            return _error(400, "invalid parameters")
        order_id, _comment = fields
        outcome = self.outcomes.of(order_id)
        self.record(Seen("cancel", order_id, answered=outcome.value))
        return self._cancel(order_id, outcome)

    def _cancel(self, order_id: str, outcome: TikiOutcome | Fault) -> SandboxResponse:
        faults = {
            TikiOutcome.BAD_SIGNATURE: lambda: _error(401, "invalid signature"),
            Fault.SERVER_ERROR: lambda: _error(503, "service unavailable"),
            Fault.GARBAGE: lambda: SandboxResponse(body=b"<html>upstream said hi</html>"),
            Fault.TRUNCATED: lambda: SandboxResponse.json(
                '{"data": {"order": {"id": "', truncate=True
            ),
            Fault.RESET: lambda: SandboxResponse(reset=True),
            TikiOutcome.NOT_FOUND: lambda: _error(404, "order not found"),
        }
        if outcome in faults:
            return faults[outcome]()
        order = self.orders.remember(order_id, lambda: SandboxOrder(order_id))
        if outcome is TikiOutcome.COMPLETED:
            order.status = OrderStatus.COMPLETED.value
        elif outcome is TikiOutcome.ALREADY_CANCELLED:
            order.status = OrderStatus.CANCELED.value
        if order.status == OrderStatus.COMPLETED:
            return _error(400, "order is completed and cannot be canceled")
        if order.status == OrderStatus.CANCELED:
            return _error(400, "order is already canceled")
        order.status = OrderStatus.CANCELED.value
        answer = {
            "data": {
                "order": {"id": order.id, "status": order.status, "grand_total": order.grand_total}
            }
        }
        delay = self.slow_delay if outcome is Fault.SLOW else 0.0
        return json_response(answer, delay=delay)
