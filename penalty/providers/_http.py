"""The HTTP shape every provider client shares, sans I/O: explicit timeouts, typed failures,
bounded retries, one log record per request, and two small drivers (sync and async).

A provider operation is a generator (`Op`) that *yields* what it needs done, a `Receive` (send
this request, hand back its whole answer) or a `Sleep`, and *returns* its result. It never does
I/O itself, so the same operation runs on an `httpx.Client` (`run`) or an `httpx.AsyncClient`
(`arun`, where waiting is ``asyncio.sleep`` and a cancelled task stops the operation cleanly).
A failure of a `Receive` is thrown back into the operation at its ``yield``.

`exchange` is the operation every call goes through. It maps every transport failure to a
`penalty` error and retries only calls the caller marks ``idempotent`` (a status query, a penalty
check), never a cancellation: a cancel whose answer was lost is followed by a status query, not
by a second cancel.

Nothing waits for ever and nothing grows without bound: httpx's timeouts bound each wait
(connect, each read); a whole attempt is bounded too (an answer trickling in a byte at a time
ends as a timeout once connect + read timeout have passed), and so is the size of an answer
(`MAX_BODY`, checked against ``Content-Length`` before reading); retries are bounded in count and
in time (`RetryPolicy`), a provider's ``Retry-After`` included.

What an HTTP status means is decided here, once, for every provider (the CLI's exit code follows
from the error's type, see `penalty.cli`):

=====================  ============================================  ==============================
status                 meaning                                       raised as (CLI exit)
=====================  ============================================  ==============================
2xx                    an answer: the client reads and checks it     (the client decides)
4xx but 408 and 429    a refusal: the provider heard us and said no  `ProviderRejected` (1)
408, 429, 5xx          could not be served now: maybe try later      `ProviderUnavailable` (3)
1xx, 3xx, other        neither an answer nor a refusal               `ProviderProtocolError` (3)
=====================  ============================================  ==============================

`exchange` raises for the last two rows and returns 2xx and 4xx answers, so that a client can
read a refusal in its provider's own words (Tiki's error envelope, Gotadi's signed error code). A
4xx it cannot read that way is `refusal`: an `HttpRefusal`, which says the request was refused
but that nothing in the answer is authenticated (a signed protocol never takes it as the final
word on a cancellation it already sent).

Each attempt leaves one record on the provider's logger (``penalty.providers.<provider>``):
method, path, status (or the failure), duration and attempt number; never a header, a body, a
secret or a signature.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import ssl
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from penalty.errors import ProviderProtocolError, ProviderRejected, ProviderUnavailable

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BODY",
    "NO_RETRY",
    "HttpRefusal",
    "Op",
    "Receive",
    "RetryPolicy",
    "Sleep",
    "arun",
    "exchange",
    "is_refusal",
    "logger",
    "make_async_client",
    "make_client",
    "refusal",
    "run",
]

#: Connect quickly or not at all; give the provider a while to answer.
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
#: The largest answer read (a provider's answers are a few kB): more is a protocol error.
MAX_BODY = 1024 * 1024
#: Statuses that say "not now": the request timed out at the server, or too many requests.
_TRY_LATER = frozenset({408, 429})
_SERVER_ERRORS = range(500, 600)
_SUCCESS = range(200, 300)
_CLIENT_ERRORS = range(400, 500)
#: Headers that describe the bytes on the wire, not the decoded body handed back.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Receive:
    """Send ``request`` and hand back its answer, read whole (`MAX_BODY` at most)."""

    request: httpx.Request
    provider: str


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait ``seconds`` (cancellable under asyncio)."""

    seconds: float


#: An operation: yields `Receive` / `Sleep`, is sent their results, returns a ``T``.
Op = Generator[Receive | Sleep, Any, T]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long a safe-to-repeat call is retried.

    Attributes:
        attempts: total tries, the first included (1 means no retry).
        backoff: seconds before the second try; doubles each time, capped at ``max_backoff``.
        max_backoff: the longest single wait, also the cap on a provider's ``Retry-After``.
        deadline: seconds after the first try past which no new try starts.
    """

    attempts: int = 3
    backoff: float = 0.2
    max_backoff: float = 2.0
    deadline: float = 20.0

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to sleep before try number ``attempt + 1`` (attempt counts from 1).

        Example:
            >>> [RetryPolicy().wait(n, None) for n in (1, 2, 3, 4, 5)]
            [0.2, 0.4, 0.8, 1.6, 2.0]
        """
        delay = self.backoff * 2.0 ** (attempt - 1)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self.max_backoff)


NO_RETRY = RetryPolicy(attempts=1)


def logger(provider: str) -> logging.Logger:
    """The provider's logger: ``penalty.providers.gotadi`` and the like."""
    return logging.getLogger(f"penalty.providers.{provider}")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle takes ~0.15 s each time."""
    return httpx.create_ssl_context()


def make_client(base_url: str, *, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An `httpx.Client` for ``base_url`` with an explicit timeout (never httpx's implicit one)."""
    return httpx.Client(base_url=base_url, timeout=timeout, verify=_tls_context())


def make_async_client(
    base_url: str, *, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT
) -> httpx.AsyncClient:
    """The `httpx.AsyncClient` twin of `make_client`."""
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, verify=_tls_context())


# -- reading one answer, within its budget -----------------------------------------------------


def _budget(timeout: httpx.Timeout) -> float | None:
    """Seconds one attempt may take in all: the connect plus the read timeout (None: no bound)."""
    if timeout.read is None:
        return None
    return (timeout.connect or 0.0) + timeout.read


class _Body:
    """The chunks of one answer, refused past `MAX_BODY` or past the attempt's budget."""

    def __init__(
        self,
        effect: Receive,
        response: httpx.Response,
        budget: float | None,
        clock: Callable[[], float],
    ) -> None:
        self.effect, self.response, self.budget, self.clock = effect, response, budget, clock
        self.started = clock()
        self.chunks: list[bytes] = []
        self.size = 0
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and len(declared) < 20 and int(declared) > MAX_BODY:  # noqa: PLR2004
            raise self._too_large()

    def _too_large(self) -> ProviderProtocolError:
        return ProviderProtocolError(
            f"HTTP {self.response.status_code} answer is larger than {MAX_BODY} bytes",
            provider=self.effect.provider,
            code="too_large",
        )

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_BODY:
            raise self._too_large()
        if self.budget is not None and self.clock() - self.started > self.budget:
            raise httpx.ReadTimeout("answer still incomplete", request=self.effect.request)
        self.chunks.append(chunk)

    def whole(self) -> httpx.Response:
        headers = [
            (name, value)
            for name, value in self.response.headers.multi_items()
            if name.lower() not in _WIRE_HEADERS
        ]
        return httpx.Response(
            self.response.status_code,
            headers=headers,
            content=b"".join(self.chunks),
            request=self.effect.request,
            extensions=self.response.extensions,
        )


def _receive(http: httpx.Client, effect: Receive, clock: Callable[[], float]) -> httpx.Response:
    response = http.send(effect.request, stream=True)
    try:
        body = _Body(effect, response, _budget(http.timeout), clock)
        for chunk in response.iter_bytes():
            body.add(chunk)
    finally:
        response.close()
    return body.whole()


async def _areceive(
    http: httpx.AsyncClient, effect: Receive, clock: Callable[[], float]
) -> httpx.Response:
    response = await http.send(effect.request, stream=True)
    try:
        body = _Body(effect, response, _budget(http.timeout), clock)
        async for chunk in response.aiter_bytes():
            body.add(chunk)
    finally:
        await response.aclose()
    return body.whole()


# -- the two drivers ---------------------------------------------------------------------------


def run(
    op: Op[T],
    http: httpx.Client,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``op`` to its end on a blocking ``http`` client (``clock`` times each answer)."""
    try:
        effect = next(op)
        while True:
            try:
                if isinstance(effect, Sleep):
                    sleep(effect.seconds)
                    result: Any = None
                else:
                    result = _receive(http, effect, clock)
            except Exception as exc:  # noqa: BLE001 - handed to the operation, which decides
                effect = op.throw(exc)
            else:
                effect = op.send(result)
    except StopIteration as stop:
        value: T = stop.value
        return value
    finally:
        op.close()


async def arun(
    op: Op[T],
    http: httpx.AsyncClient,
    *,
    sleep: Callable[[float], Any] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``op`` to its end on an ``http`` async client; cancelling the task stops it."""
    try:
        effect = next(op)
        while True:
            try:
                if isinstance(effect, Sleep):
                    await sleep(effect.seconds)
                    result: Any = None
                else:
                    result = await _areceive(http, effect, clock)
            except Exception as exc:  # noqa: BLE001 - handed to the operation, which decides
                effect = op.throw(exc)
            else:
                effect = op.send(result)
    except StopIteration as stop:
        value: T = stop.value
        return value
    finally:
        op.close()


# -- one call, retried when safe ---------------------------------------------------------------


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _failure(exc: Exception, provider: str) -> ProviderUnavailable | None:
    """The `ProviderUnavailable` a transport exception means (None: not a transport failure)."""
    if isinstance(exc, httpx.TimeoutException):
        failure = ProviderUnavailable(
            f"no answer in time ({type(exc).__name__})", provider=provider, code="timeout"
        )
    elif isinstance(exc, httpx.TransportError):
        failure = ProviderUnavailable(
            f"connection failed ({type(exc).__name__})", provider=provider, code="connection"
        )
    else:
        return None
    failure.__cause__ = exc
    return failure


def _judge(response: httpx.Response, provider: str) -> ProviderUnavailable | None:
    """None for an answer or a refusal; the failure a "not now" status means; raise otherwise."""
    status = response.status_code
    if status in _SUCCESS or is_refusal(status):
        return None
    if status not in _TRY_LATER and status not in _SERVER_ERRORS:
        raise ProviderProtocolError(
            f"HTTP {status} is neither an answer nor a refusal",
            provider=provider,
            value=response.headers.get("location"),
            code="http_status",
        )
    return ProviderUnavailable(
        f"HTTP {status}",
        provider=provider,
        retry_after=_retry_after(response),
        status_code=status,
        code="http_status",
    )


def exchange(
    request: httpx.Request,
    *,
    provider: str,
    idempotent: bool,
    retry: RetryPolicy = RetryPolicy(),
    clock: Callable[[], float] = time.monotonic,
) -> Op[httpx.Response]:
    """Send ``request``; return its answer, read whole: a 2xx answer or a 4xx refusal.

    Raises:
        ProviderUnavailable: timeout, connection failure, 5xx, 408 or 429, after the retries
            allowed. ``code`` is ``"timeout"``, ``"connection"`` or ``"http_status"``.
        ProviderProtocolError: an answer larger than `MAX_BODY` (``code="too_large"``), or a
            status that is neither an answer nor a refusal, such as a redirect
            (``code="http_status"``; never retried).
    """
    log = logger(provider)
    policy = retry if idempotent else NO_RETRY
    started = clock()
    attempt = 0
    where = f"{request.method} {request.url.path}"
    while True:
        attempt += 1
        begun = clock()
        try:
            response: httpx.Response = yield Receive(request, provider)
        except Exception as exc:
            failure = _failure(exc, provider)
            if failure is None:
                log.warning("%s: %s (attempt %d)", where, exc, attempt)
                raise
            outcome = failure.code
        else:
            failure = _judge(response, provider)
            outcome = str(response.status_code)
        took = clock() - begun
        fields = {"method": request.method, "path": request.url.path, "attempt": attempt}
        extra = {**fields, "status": outcome, "duration": round(took, 6), "provider": provider}
        if failure is None:
            log.info("%s -> %s in %.3fs (attempt %d)", where, outcome, took, attempt, extra=extra)
            return response
        delay = policy.wait(attempt, failure.retry_after)
        if attempt >= policy.attempts or clock() - started + delay > policy.deadline:
            log.warning(
                "%s -> %s in %.3fs (attempt %d, giving up)", where, outcome, took, attempt,
                extra=extra,
            )  # fmt: skip
            raise failure
        log.warning(
            "%s -> %s in %.3fs (attempt %d, retrying in %.2fs)", where, outcome, took, attempt,
            delay, extra=extra,
        )  # fmt: skip
        yield Sleep(delay)


# -- refusals ----------------------------------------------------------------------------------


def is_refusal(status: int) -> bool:
    """Whether HTTP ``status`` is a refusal: any 4xx but 408 and 429 (those mean "not now").

    Example:
        >>> [is_refusal(status) for status in (200, 400, 404, 408, 429, 500)]
        [False, True, True, False, False, False]
    """
    return status in _CLIENT_ERRORS and status not in _TRY_LATER


class HttpRefusal(ProviderRejected):
    """A 4xx answer that says nothing more in the provider's own protocol: a bare refusal.

    ``provider_code`` is ``"HTTP <status>"``, ``code`` is ``"http_status"``. Nothing in such an
    answer is signed: it proves the request was refused on its way, not what became of a
    cancellation already sent (a client of a signed protocol asks for the status instead).
    """


def refusal(response: httpx.Response, *, provider: str) -> HttpRefusal:
    """The `HttpRefusal` for a 4xx ``response`` (``HTTP 404 Not Found``).

    Example:
        >>> str(refusal(httpx.Response(404), provider="gotadi"))
        "gotadi: HTTP 404 Not Found (got 'HTTP 404')"
    """
    status = response.status_code
    return HttpRefusal(
        f"HTTP {status} {response.reason_phrase}".rstrip(),
        provider=provider,
        provider_code=f"HTTP {status}",
        status_code=status,
        code="http_status",
    )
