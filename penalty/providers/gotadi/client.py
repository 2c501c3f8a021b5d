"""The Gotadi clients: `Client` on `httpx.Client`, `AsyncClient` on `httpx.AsyncClient`.

Both run the same sans-I/O operations (`penalty.providers.gotadi.protocol`,
`penalty.providers.gotadi.flow`); only the waiting differs (``time.sleep`` or
``asyncio.sleep``, so an async flow can be cancelled while it polls).

Retries: check-cancel-penalty and cancellation-check are safe to repeat and retried on timeouts,
connection failures, 5xx, 408 and 429; a cancellation never is. One process never has two
cancellations of a booking in flight (`penalty.providers.gotadi.inflight`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TypedDict, Unpack

from penalty.booking import Booking
from penalty.providers import _client
from penalty.providers.gotadi import protocol
from penalty.providers.gotadi.check import PenaltyCheck
from penalty.providers.gotadi.config import Config
from penalty.providers.gotadi.flow import CancelOutcome, FlowSettings, Step, cancel_flow
from penalty.providers.gotadi.models import CancellationCheckResponse, CancellationResponse

__all__ = ["AsyncClient", "Client", "FlowOptions"]


class FlowOptions(TypedDict, total=False):
    """What `Client.cancel_booking` takes besides the booking (`penalty.providers.gotadi.flow`)."""

    #: The cancel time used for the quote (default: the client's clock).
    now: Callable[[], datetime] | None
    #: Polling backoff and deadline.
    settings: FlowSettings | None
    #: Called with each `Step` as it happens (the CLI prints them live).
    on_step: Callable[[Step], None] | None


class Client(_client.SyncClient[Config]):
    """Talks to one Gotadi environment with one partner identity (``Client(config, http=...)``).

    Example:
        ```python
        with gotadi.Client(gotadi.Config.load()) as client:
            check = client.check_cancel_penalty("HDCO2107121213651")
            outcome = client.cancel_booking("HDCO2107121213651", booking)
        ```
    """

    def check_cancel_penalty(self, booking_number: str) -> PenaltyCheck:
        """``POST /api/v3/hotel/check-cancel-penalty``: status, windows, Gotadi's total."""
        return self._run(protocol.check_cancel_penalty(self, booking_number))

    def cancellation_status(self, booking_number: str) -> CancellationCheckResponse:
        """``POST /api/partner/cancellation-check``: where the cancellation stands."""
        return self._run(protocol.cancellation_status(self, booking_number))

    def cancel(self, booking_number: str, penalty_amount: Decimal) -> CancellationResponse:
        """``POST /api/partner/cancellation`` once, never retried (prefer `cancel_booking`)."""
        return self._run(protocol.cancel(self, booking_number, penalty_amount))

    def cancel_booking(
        self, booking_number: str, booking: Booking, **options: Unpack[FlowOptions]
    ) -> CancelOutcome:
        """The whole flow (`penalty.providers.gotadi.flow`), blocking while it polls."""
        return self._run(cancel_flow(self, booking_number, booking, **options))


class AsyncClient(_client.AsyncClient[Config]):
    """`Client`, for asyncio (``async with gotadi.AsyncClient(config) as client: ...``)."""

    async def check_cancel_penalty(self, booking_number: str) -> PenaltyCheck:
        """``POST /api/v3/hotel/check-cancel-penalty``: status, windows, Gotadi's total."""
        return await self._run(protocol.check_cancel_penalty(self, booking_number))

    async def cancellation_status(self, booking_number: str) -> CancellationCheckResponse:
        """``POST /api/partner/cancellation-check``: where the cancellation stands."""
        return await self._run(protocol.cancellation_status(self, booking_number))

    async def cancel(self, booking_number: str, penalty_amount: Decimal) -> CancellationResponse:
        """``POST /api/partner/cancellation`` once, never retried (prefer `cancel_booking`)."""
        return await self._run(protocol.cancel(self, booking_number, penalty_amount))

    async def cancel_booking(
        self, booking_number: str, booking: Booking, **options: Unpack[FlowOptions]
    ) -> CancelOutcome:
        """The whole flow, polling with ``asyncio.sleep`` (cancelling the task stops it)."""
        return await self._run(cancel_flow(self, booking_number, booking, **options))
