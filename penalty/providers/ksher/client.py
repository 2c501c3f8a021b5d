"""The Ksher clients: `Client` on `httpx.Client`, `AsyncClient` on `httpx.AsyncClient`.

Both run the same sans-I/O operations (`penalty.providers.ksher.protocol`). Besides the options
every client takes (``http``, ``retry``, ``sleep``, ``clock``, ``now``), ``nonce`` makes a fresh
``nonce_str`` for each call (tests replace it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from penalty.providers import _client
from penalty.providers.ksher import protocol
from penalty.providers.ksher.config import Config
from penalty.providers.ksher.models import KsherOrder
from penalty.providers.ksher.protocol import KsherCancelResult

__all__ = ["AsyncClient", "Client"]


class _Nonces:
    """``nonce``: a fresh ``nonce_str`` (1 to 32 characters) for each request."""

    def __init__(
        self,
        config: Config,
        *,
        http: Any = None,
        nonce: Callable[[], str] = protocol.new_nonce,
        **options: Any,
    ) -> None:
        super().__init__(config, http=http, **options)  # type: ignore[call-arg]  # the client next
        self.nonce = nonce


class Client(_Nonces, _client.SyncClient[Config]):
    """A client for Ksher's gateway ``cancel_order`` and ``gateway_order_query``.

    Example:
        >>> from penalty.providers import ksher
        >>> sandbox = ksher.Sandbox()
        >>> with sandbox.serve() as server, sandbox.client(server.url) as client:
        ...     client.cancel_order("BK-1").outcome.value
        'cancelled'
    """

    def order_query(self, mch_order_no: str) -> KsherOrder:
        """The order's state, signed (`penalty.providers.ksher.protocol.order_query`)."""
        return self._run(protocol.order_query(self, mch_order_no))

    def cancel_order(self, mch_order_no: str) -> KsherCancelResult:
        """Close the payment link (`penalty.providers.ksher.protocol.cancel_order`)."""
        return self._run(protocol.cancel_order(self, mch_order_no))


class AsyncClient(_Nonces, _client.AsyncClient[Config]):
    """`Client`, for asyncio (``async with ksher.AsyncClient(config) as client: ...``)."""

    async def order_query(self, mch_order_no: str) -> KsherOrder:
        """The order's state, signed (`penalty.providers.ksher.protocol.order_query`)."""
        return await self._run(protocol.order_query(self, mch_order_no))

    async def cancel_order(self, mch_order_no: str) -> KsherCancelResult:
        """Close the payment link (`penalty.providers.ksher.protocol.cancel_order`)."""
        return await self._run(protocol.cancel_order(self, mch_order_no))
