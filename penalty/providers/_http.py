"""The HTTP shape every provider client shares: explicit timeouts, typed failures, bounded retries.

A client takes an injected `httpx.Client` (tests pass one with a `transport=`, or point it at a
local sandbox) or builds one with `make_client`, which always sets an explicit timeout.

`send` maps every transport failure to a `penalty` error and retries only calls the caller marks
``idempotent`` (a status query, a penalty check), never a cancellation: a cancel whose answer was
lost is followed by a status query, not by a second cancel.

Nothing waits for ever and nothing grows without bound: httpx's timeouts bound each wait (connect,
each read); `send` also bounds a whole attempt (an answer trickling in a byte at a time ends as a
timeout once connect + read timeout have passed) and the size of an answer (`MAX_BODY`); retries
are bounded in count and in time (`RetryPolicy`), a provider's ``Retry-After`` included.

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

`send` raises for the last two rows and returns 2xx and 4xx answers, so that a client can read a
refusal in its provider's own words (Tiki's error envelope, Gotadi's signed error code). A 4xx it
cannot read that way is `refusal`: an `HttpRefusal`, which says the request was refused but that
nothing in the answer is authenticated (a signed protocol never takes it as the final word on a
cancellation it already sent).
"""

from __future__ import annotations

import functools
import json
import math
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx

from penalty.errors import ProviderProtocolError, ProviderRejected, ProviderUnavailable

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BODY",
    "HttpClientOwner",
    "HttpRefusal",
    "RetryPolicy",
    "is_refusal",
    "make_client",
    "parse_json",
    "refusal",
    "send",
]

#: Connect quickly or not at all; give the provider a while to answer.
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

#: The largest answer read (a provider's answers are a few kB): more is a protocol error.
MAX_BODY = 16 * 1024 * 1024
#: Statuses that say "not now": the request timed out at the server, or too many requests.
_TRY_LATER = frozenset({408, 429})
_SERVER_ERRORS = range(500, 600)
_SUCCESS = range(200, 300)
_CLIENT_ERRORS = range(400, 500)
#: Headers that describe the bytes on the wire, not the decoded body `send` hands back.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


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
        """Seconds to sleep before try number ``attempt + 1`` (attempt counts from 1)."""
        delay = self.backoff * 2.0 ** (attempt - 1)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self.max_backoff)


NO_RETRY = RetryPolicy(attempts=1)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle takes ~0.15 s each time."""
    return httpx.create_ssl_context()


def make_client(
    base_url: str,
    *,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An `httpx.Client` for ``base_url`` with an explicit timeout (never httpx's implicit one)."""
    return httpx.Client(
        base_url=base_url, timeout=timeout, transport=transport, verify=_tls_context()
    )


class HttpClientOwner:
    """The lifetime part every provider client shares: borrow an `httpx.Client` or own one.

    A client built with ``http=None`` makes its own `httpx.Client` (with an explicit timeout)
    and closes it in `close` or at the end of a ``with`` block; an injected one is the caller's
    to close.
    """

    _http: httpx.Client
    _owns_http: bool

    def _use_http(
        self, http: httpx.Client | None, base_url: str, timeout: httpx.Timeout | float
    ) -> None:
        self._owns_http = http is None
        self._http = http if http is not None else make_client(base_url, timeout=timeout)

    def close(self) -> None:
        """Close the HTTP client if this object built it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _attempt_budget(client: httpx.Client) -> float | None:
    """Seconds one attempt may take in all: the connect plus the read timeout (None: no bound)."""
    timeout = client.timeout
    if timeout.read is None:
        return None
    return (timeout.connect or 0.0) + timeout.read


def _receive(
    client: httpx.Client,
    request: httpx.Request,
    *,
    provider: str,
    budget: float | None,
    clock: Callable[[], float],
) -> httpx.Response:
    """Send ``request`` and read its answer within ``budget`` seconds and `MAX_BODY` bytes."""
    started = clock()
    response = client.send(request, stream=True)
    try:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY:
                raise ProviderProtocolError(
                    f"HTTP {response.status_code} answer is larger than {MAX_BODY} bytes",
                    provider=provider,
                    code="too_large",
                )
            if budget is not None and clock() - started > budget:
                raise httpx.ReadTimeout("answer still incomplete", request=request)
            chunks.append(chunk)
    finally:
        response.close()
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in _WIRE_HEADERS
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=b"".join(chunks),
        request=request,
        extensions=response.extensions,
    )


def send(
    client: httpx.Client,
    request: httpx.Request,
    *,
    provider: str,
    idempotent: bool,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> httpx.Response:
    """Send ``request``; return its answer, read whole: a 2xx answer or a 4xx refusal.

    Raises:
        ProviderUnavailable: timeout, connection failure, 5xx, 408 or 429, after the retries
            allowed. ``code`` is ``"timeout"``, ``"connection"`` or ``"http_status"``.
        ProviderProtocolError: an answer larger than `MAX_BODY` (``code="too_large"``), or a
            status that is neither an answer nor a refusal, such as a redirect
            (``code="http_status"``; never retried).
    """
    policy = retry if idempotent else NO_RETRY
    budget = _attempt_budget(client)
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            response = _receive(client, request, provider=provider, budget=budget, clock=clock)
        except httpx.TimeoutException as exc:
            failure = ProviderUnavailable(
                f"no answer in time ({type(exc).__name__})", provider=provider, code="timeout"
            )
            failure.__cause__ = exc
        except httpx.TransportError as exc:
            failure = ProviderUnavailable(
                f"connection failed ({type(exc).__name__})", provider=provider, code="connection"
            )
            failure.__cause__ = exc
        else:
            status = response.status_code
            if status in _SUCCESS or is_refusal(status):
                return response
            if status not in _TRY_LATER and status not in _SERVER_ERRORS:
                raise ProviderProtocolError(
                    f"HTTP {status} is neither an answer nor a refusal",
                    provider=provider,
                    value=response.headers.get("location"),
                    code="http_status",
                )
            failure = ProviderUnavailable(
                f"HTTP {response.status_code}",
                provider=provider,
                retry_after=_retry_after(response),
                status_code=response.status_code,
                code="http_status",
            )
        delay = policy.wait(attempt, failure.retry_after)
        out_of_time = clock() - started + delay > policy.deadline
        if attempt >= policy.attempts or out_of_time:
            raise failure
        sleep(delay)


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


def parse_json(
    response: httpx.Response,
    *,
    provider: str,
    parse_float: Callable[[str], Any] | None = None,
) -> Any:
    """The response body as JSON, or `ProviderProtocolError` (``code="not_json"``).

    ``parse_float=decimal.Decimal`` reads every JSON number with a fraction exactly.
    """
    try:
        return json.loads(response.content, parse_float=parse_float)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProviderProtocolError(
            f"HTTP {response.status_code} body is not JSON ({len(response.content)} bytes)",
            provider=provider,
            code="not_json",
        ) from exc
