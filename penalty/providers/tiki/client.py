"""The Tiki clients: `Client` on `httpx.Client`, `AsyncClient` on `httpx.AsyncClient`.

Both run the same sans-I/O operation (`penalty.providers.tiki.protocol.cancel_order`).
"""

from __future__ import annotations

from typing import TypedDict, Unpack

from penalty.providers import _client
from penalty.providers.tiki import protocol
from penalty.providers.tiki.config import Config
from penalty.providers.tiki.protocol import TikiCancelResult

__all__ = ["AsyncClient", "CancelOptions", "Client"]


class CancelOptions(TypedDict, total=False):
    """What a cancel may say besides the order and the reason."""

    #: Where the customer's notification leads (``push_opts.page_path``).
    page_path: str | None
    #: The order's status if the caller knows it: ``completed`` is refused before anything
    #: is sent, ``canceled`` returns ``ALREADY_CANCELLED`` with nothing sent.
    known_status: str | None


class Client(_client.SyncClient[Config]):
    """A client for Tiki's order API (``Client(config, http=...)``), signing every request.

    Example:
        >>> client = Client(Config(client_key="key", client_secret="s3cret"))
        >>> "s3cret" in repr(client)
        False
        >>> client.close()
    """

    def cancel_order(
        self, order_id: str, comment: str, **options: Unpack[CancelOptions]
    ) -> TikiCancelResult:
        """``POST /order/cancel`` (`penalty.providers.tiki.protocol.cancel_order`).

        Example:
            >>> from penalty.providers import tiki
            >>> sandbox = tiki.Sandbox()
            >>> with sandbox.serve() as server, sandbox.client(server.url) as client:
            ...     client.cancel_order("77062110977884170", "Hết phòng").order.status
            'canceled'
        """
        return self._run(protocol.cancel_order(self, order_id, comment, **options))


class AsyncClient(_client.AsyncClient[Config]):
    """`Client`, for asyncio (``async with tiki.AsyncClient(config) as client: ...``)."""

    async def cancel_order(
        self, order_id: str, comment: str, **options: Unpack[CancelOptions]
    ) -> TikiCancelResult:
        """``POST /order/cancel`` (`penalty.providers.tiki.protocol.cancel_order`)."""
        return await self._run(protocol.cancel_order(self, order_id, comment, **options))
