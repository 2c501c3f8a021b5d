"""One cancellation per booking at a time, in this process (`GotadiClient.in_flight`).

A flow holds its booking from the first check to the final status; `GotadiClient.cancel` holds
it while sending. The guard is re-entrant for the thread holding it, so a flow's own cancel goes
through, and refuses every other thread at once with `CancellationInFlight` rather than making
it wait: a second cancellation of the same booking is a caller's mistake to report, not to queue.
Across processes, Gotadi's own ``08`` (already processed) is the guard.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from penalty.errors import PenaltyError

__all__ = ["IN_FLIGHT", "CancellationInFlight"]


class CancellationInFlight(PenaltyError, RuntimeError):
    """Another cancellation of the same booking is under way in this process."""

    default_code = "cancellation_in_flight"


class _InFlight:
    """Per-booking guard: re-entrant for the thread holding it, refused to every other thread."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owners: dict[tuple[str, str], tuple[int, int]] = {}

    @contextmanager
    def hold(self, key: tuple[str, str]) -> Iterator[None]:
        me = threading.get_ident()
        with self._mutex:
            owner, depth = self._owners.get(key, (me, 0))
            if owner != me:
                raise CancellationInFlight(
                    "a cancellation of this booking is already in flight",
                    path="booking_number",
                    value=key[1],
                )
            self._owners[key] = (me, depth + 1)
        try:
            yield
        finally:
            with self._mutex:
                owner, depth = self._owners[key]
                if depth == 1:
                    del self._owners[key]
                else:
                    self._owners[key] = (owner, depth - 1)


IN_FLIGHT = _InFlight()
