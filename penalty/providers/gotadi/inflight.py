"""One cancellation per booking at a time, in this process: across threads and asyncio tasks.

A flow holds its booking from the first check to the final status; a bare `Client.cancel` holds
it while sending. The guard is keyed on the booking and the *normalized origin* of the base URL
(`flight_key`): ``http://127.0.0.1:P``, ``http://localhost:P/`` and ``http://LOCALHOST:P/api``
are one key, so two spellings of one gateway cannot cancel one booking twice at once.

A holder is any object (a flow, or a single send): the guard is re-entrant for the holder that
has the key, and refuses every other holder at once with `CancellationInFlight` rather than
making it wait: a second cancellation of the same booking is a caller's mistake to report, not
to queue. Holders are objects, not threads, so two asyncio tasks in one thread are told apart.
Across processes, the flow's status check before sending (and Gotadi's own ``08``) is the guard.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from penalty.errors import PenaltyError

__all__ = ["IN_FLIGHT", "CancellationInFlight", "flight_key"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class CancellationInFlight(PenaltyError, RuntimeError):
    """Another cancellation of the same booking is under way in this process."""

    default_code = "cancellation_in_flight"


def _host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host == "localhost":
        return "loopback"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    return "loopback" if address.is_loopback else address.compressed


def flight_key(base_url: str, booking_number: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, booking)``: the base URL's origin, normalized, and the booking.

    Example:
        >>> flight_key("http://127.0.0.1:8021/", "EX3")
        ('http', 'loopback', 8021, 'EX3')
        >>> flight_key("http://LOCALHOST:8021/api", "EX3")
        ('http', 'loopback', 8021, 'EX3')
    """
    url = httpx.URL(base_url)
    scheme = url.scheme.lower()
    port = url.port or _DEFAULT_PORTS.get(scheme, 0)
    return scheme, _host(url.host), port, booking_number


class _InFlight:
    """Per-key guard: re-entrant for the holder that has it, refused to every other holder."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._holders: dict[tuple[str, str, int, str], tuple[object, int]] = {}

    @contextmanager
    def hold(self, key: tuple[str, str, int, str], holder: object) -> Iterator[None]:
        """Hold ``key`` for ``holder`` until the block ends (`CancellationInFlight` if taken)."""
        with self._mutex:
            owner, depth = self._holders.get(key, (holder, 0))
            if owner is not holder:
                raise CancellationInFlight(
                    "a cancellation of this booking is already in flight",
                    path="booking_number",
                    value=key[3],
                )
            self._holders[key] = (holder, depth + 1)
        try:
            yield
        finally:
            with self._mutex:
                _, depth = self._holders[key]
                if depth == 1:
                    del self._holders[key]
                else:
                    self._holders[key] = (holder, depth - 1)

    def held(self, key: tuple[str, str, int, str]) -> bool:
        """Whether some holder has ``key`` now."""
        with self._mutex:
            return key in self._holders


IN_FLIGHT = _InFlight()
