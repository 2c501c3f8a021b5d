"""The two client shapes every provider shares: ``Client(config, http=...)`` and its async twin.

A provider's ``Client`` subclasses `SyncClient`, its ``AsyncClient`` subclasses `AsyncClient`;
each operation is one line that runs the provider's sans-I/O operation
(`penalty.providers._http.Op`) with `run` or `arun`. A client built without ``http`` makes its
own httpx client (with the config's explicit timeout) and closes it in ``close``/``aclose`` or
at the end of a ``with`` / ``async with`` block; an injected one is the caller's to close.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

import httpx

from penalty.providers._config import ProviderConfig
from penalty.providers._http import (
    Op,
    RetryPolicy,
    arun,
    make_async_client,
    make_client,
    run,
)

__all__ = ["DEFAULT_RETRY", "AsyncClient", "Context", "SyncClient"]

#: Safe-to-repeat calls: three tries within 20 s (see `RetryPolicy`).
DEFAULT_RETRY = RetryPolicy()

C = TypeVar("C", bound=ProviderConfig)
C_co = TypeVar("C_co", bound=ProviderConfig, covariant=True)
T = TypeVar("T")


class Context(Protocol[C_co]):
    """What an operation needs of a client (either kind): config, retry policy, clocks."""

    @property
    def config(self) -> C_co: ...
    @property
    def retry(self) -> RetryPolicy: ...
    def clock(self) -> float: ...
    def now(self) -> datetime: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Base(Generic[C]):
    def __init__(
        self,
        config: C,
        *,
        retry: RetryPolicy,
        clock: Callable[[], float],
        now: Callable[[], datetime],
    ) -> None:
        self.config = config
        self.retry = retry
        self.clock = clock
        self.now = now

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__name__}(base_url={self.config.base_url!r})"


class SyncClient(_Base[C]):
    """Runs operations on an `httpx.Client`.

    Args:
        config: the provider's ``Config``.
        http: an `httpx.Client` to use (tests inject one with a ``transport=``); by default one
            is built with the config's timeout and closed with this client.
        retry: how safe-to-repeat calls are retried.
        sleep: how to wait between retries and polls (tests pass a fake).
        clock: monotonic seconds (tests pass a fake).
        now: the wall clock, aware (signatures' timestamps; the default cancel time).
    """

    def __init__(
        self,
        config: C,
        *,
        http: httpx.Client | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        super().__init__(config, retry=retry, clock=clock, now=now)
        self._owns_http = http is None
        self.http = (
            http if http is not None else make_client(config.base_url, timeout=config.http_timeout)
        )
        self._sleep = sleep

    def _run(self, op: Op[T]) -> T:
        return run(op, self.http, sleep=self._sleep, clock=self.clock)

    def close(self) -> None:
        """Close the HTTP client if this client built it."""
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_Base[C]):
    """Runs operations on an `httpx.AsyncClient` (arguments as `SyncClient`; ``sleep`` is a
    coroutine function, `asyncio.sleep` by default).
    """

    def __init__(
        self,
        config: C,
        *,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        super().__init__(config, retry=retry, clock=clock, now=now)
        self._owns_http = http is None
        self.http = (
            http
            if http is not None
            else make_async_client(config.base_url, timeout=config.http_timeout)
        )
        self._sleep = sleep

    async def _run(self, op: Op[T]) -> T:
        return await arun(op, self.http, sleep=self._sleep, clock=self.clock)

    async def aclose(self) -> None:
        """Close the HTTP client if this client built it."""
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
