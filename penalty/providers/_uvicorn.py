"""uvicorn's h11 protocol for the sandboxes, with what `penalty.providers._sandbox` needs on top.

* a deadline on each request's headers (``request_timeout``): a client that connects and sends
  nothing, or a byte at a time, is disconnected (uvicorn alone waits for ever);
* ``TCP_NODELAY`` (headers and body go out as two writes: without it, Nagle plus the client's
  delayed ACK add 40 ms to every answer);
* the connection, in a context variable the request's task inherits (``connection``), so that
  an answer can reset it or cut it short on purpose.

Imported only to serve (uvicorn is the ``server`` extra).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from contextvars import ContextVar
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["Protocol"]


class Protocol(H11Protocol):
    """uvicorn's `H11Protocol` with a header deadline, ``TCP_NODELAY`` and ``connection``."""

    #: Seconds a request's headers may take, from the connection or the previous answer.
    request_timeout: ClassVar[float] = 10.0
    #: Where the request's task finds this connection.
    connection: ClassVar[ContextVar[Any] | None] = None
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        idle = self.cycle is None or self.cycle.response_complete
        if idle and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: Any) -> None:
        """Arm the header deadline; no Nagle delay."""
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Disarm the deadline."""
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        """uvicorn's, with ``connection`` set; a new request's headers disarm the deadline."""
        if self.connection is not None:
            self.connection.set(self)
        before = self.cycle
        super().handle_events()
        if self.cycle is not before:
            self._disarm()

    def on_response_complete(self) -> None:
        """uvicorn's; then the next request's headers are on the clock."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()
