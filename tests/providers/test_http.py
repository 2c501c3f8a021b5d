"""The HTTP layer every provider client shares (`penalty.providers._http.exchange`, run by
`run` on an `httpx.Client` and by `arun` on an `httpx.AsyncClient`).

Transport failures become typed errors; only calls marked idempotent are retried, a bounded
number of times within a bounded time, honouring (and capping) a provider's ``Retry-After``;
an answer that trickles in or never ends is cut off; an answer too large is refused.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable, Iterator
from time import sleep
from typing import Any

import httpx
import pytest

from penalty.errors import ProviderProtocolError, ProviderRejected, ProviderUnavailable
from penalty.providers._http import (
    MAX_BODY,
    RetryPolicy,
    Sleep,
    arun,
    exchange,
    is_refusal,
    refusal,
    run,
)
from penalty.providers._sandbox import SandboxRequest, SandboxResponse, SandboxServer

URL = "https://provider.test/api"


class FakeTime:
    """A monotonic clock that moves only when slept on (or told to)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        """The current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the wait and move the clock."""
        self.sleeps.append(seconds)
        self.now += seconds


DEFAULT_RETRY = RetryPolicy()


def _client(
    handler: Callable[[httpx.Request], httpx.Response], timeout: float = 5.0
) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), timeout=timeout)


def _scripted(*answers: httpx.Response | Exception) -> tuple[httpx.Client, list[httpx.Request]]:
    """A client whose transport gives ``answers`` in turn (the last repeats) and logs requests."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers[min(len(seen), len(answers) - 1)]
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return _client(handler), seen


def _send(
    client: httpx.Client,
    *,
    idempotent: bool,
    retry: RetryPolicy = DEFAULT_RETRY,
    time: FakeTime | None = None,
) -> httpx.Response:
    fake = time or FakeTime()
    request = client.build_request("POST", URL, content=b"{}")
    op = exchange(request, provider="test", idempotent=idempotent, retry=retry, clock=fake.clock)
    return run(op, client, sleep=fake.sleep, clock=fake.clock)


_REQUEST = httpx.Request("POST", URL)


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (httpx.ConnectTimeout("connect", request=_REQUEST), "timeout"),
        (httpx.ReadTimeout("read", request=_REQUEST), "timeout"),
        (httpx.ConnectError("refused", request=_REQUEST), "connection"),
        (httpx.ReadError("connection reset by peer", request=_REQUEST), "connection"),
        (httpx.RemoteProtocolError("peer closed: incomplete body", request=_REQUEST), "connection"),
    ],
    ids=["connect-timeout", "read-timeout", "refused", "reset", "truncated"],
)
def test_transport_failures_are_provider_unavailable(failure: Exception, code: str) -> None:
    """Each transport failure is ProviderUnavailable with its code and the httpx cause."""
    client, seen = _scripted(failure)
    with client, pytest.raises(ProviderUnavailable) as caught:
        _send(client, idempotent=False)
    assert (caught.value.code, caught.value.__cause__) == (code, failure)
    assert len(seen) == 1


@pytest.mark.parametrize("status", [500, 501, 502, 503, 504, 520, 599, 429, 408])
def test_every_5xx_429_408_is_unavailable_and_never_retried_unless_safe(status: int) -> None:
    """Any 5xx (not only 500-504), 429 and 408 are ProviderUnavailable; a cancel is sent once."""
    client, seen = _scripted(httpx.Response(status, text="busy"))
    with client, pytest.raises(ProviderUnavailable) as caught:
        _send(client, idempotent=False)
    assert (caught.value.code, caught.value.status_code) == ("http_status", status)
    assert len(seen) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 410, 422, 451, 499])
def test_a_4xx_is_a_refusal_handed_back_and_never_retried(status: int) -> None:
    """Any 4xx but 408 and 429 is a refusal: handed back at once (the client reads it in its
    provider's words), never retried even when safe; `refusal` makes it a ProviderRejected."""
    client, seen = _scripted(httpx.Response(status, text="no"))
    with client:
        response = _send(client, idempotent=True)
    assert response.status_code == status
    assert len(seen) == 1
    assert is_refusal(status)
    error = refusal(response, provider="test")
    assert isinstance(error, ProviderRejected)
    assert (error.status_code, error.provider_code, error.code) == (
        status,
        f"HTTP {status}",
        "http_status",
    )


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_a_2xx_is_an_answer(status: int) -> None:
    """2xx is handed back for the client to read; it is no refusal."""
    client, _ = _scripted(httpx.Response(status))
    with client:
        assert _send(client, idempotent=True).status_code == status
    assert not is_refusal(status)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308, 304, 600])
def test_a_redirect_is_neither_answer_nor_refusal(status: int) -> None:
    """A 3xx (httpx does not follow it) is a protocol error, not retried; a script sees 3."""
    client, seen = _scripted(httpx.Response(status, headers={"Location": "https://x.example/"}))
    with client, pytest.raises(ProviderProtocolError) as caught:
        _send(client, idempotent=True)
    assert caught.value.code == "http_status"
    assert len(seen) == 1


def test_safe_calls_are_retried_then_succeed() -> None:
    """An idempotent call after two 503s gets the third answer, with doubling waits."""
    client, seen = _scripted(httpx.Response(503), httpx.Response(503), httpx.Response(200))
    time = FakeTime()
    with client:
        assert _send(client, idempotent=True, time=time).status_code == 200
    assert len(seen) == 3
    assert time.sleeps == [0.2, 0.4]


@pytest.mark.parametrize(
    ("header", "retry_after", "waits"),
    [
        ("1.5", 1.5, [1.5, 1.5]),
        ("3600", 3600.0, [2.0, 2.0]),
        ("0", 0.0, [0.2, 0.4]),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None, [0.2, 0.4]),
        ("-5", None, [0.2, 0.4]),
        ("nan", None, [0.2, 0.4]),
        ("1e999", None, [0.2, 0.4]),
    ],
    ids=["seconds", "an-hour-capped", "zero", "http-date", "negative", "nan", "infinite"],
)
def test_retry_after_is_honoured_and_capped(
    header: str, retry_after: float | None, waits: list[float]
) -> None:
    """429 with Retry-After: the wait is at least what it asks, at most max_backoff (2 s)."""
    client, seen = _scripted(httpx.Response(429, headers={"Retry-After": header}))
    time = FakeTime()
    with client, pytest.raises(ProviderUnavailable) as caught:
        _send(client, idempotent=True, time=time)
    assert caught.value.retry_after == retry_after
    assert caught.value.status_code == 429
    assert time.sleeps == waits
    assert len(seen) == 3


def test_retries_stop_at_the_deadline() -> None:
    """However many attempts are allowed, no new try starts past the deadline."""
    client, seen = _scripted(httpx.Response(503))
    time = FakeTime()
    policy = RetryPolicy(attempts=1000, backoff=1.0, max_backoff=4.0, deadline=10.0)
    with client, pytest.raises(ProviderUnavailable):
        _send(client, idempotent=True, retry=policy, time=time)
    assert sum(time.sleeps) <= 10.0
    assert len(seen) == 4  # waits 1, 2, 4: the next (4 more) would pass the deadline


class _Trickle(httpx.SyncByteStream):
    """A body sent one byte per fake second, for ever."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.time.now += 1.0
            yield b" "


def test_an_answer_that_trickles_is_cut_off() -> None:
    """A body arriving a byte a second never ends the call: timeout after connect + read."""
    time = FakeTime()
    client = _client(lambda _: httpx.Response(200, stream=_Trickle(time)), timeout=3.0)
    with client, pytest.raises(ProviderUnavailable) as caught:
        _send(client, idempotent=False, time=time)
    assert caught.value.code == "timeout"
    assert time.now <= 3.0 + 3.0 + 1.0


class _Endless(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        while True:
            yield b"x" * 65536


def test_an_answer_too_large_is_refused() -> None:
    """A body over MAX_BODY is ProviderProtocolError(too_large), read no further."""
    client = _client(lambda _: httpx.Response(200, stream=_Endless()))
    with client, pytest.raises(ProviderProtocolError) as caught:
        _send(client, idempotent=True)
    assert caught.value.code == "too_large"
    assert str(MAX_BODY) in str(caught.value)


def test_the_answer_is_handed_back_whole_and_decoded() -> None:
    """What send returns reads like any httpx response: status, headers, decoded content."""
    body = gzip.compress(b'{"ok": true}')
    answer = httpx.Response(
        200, headers={"Content-Encoding": "gzip", "X-Request-Id": "r1"}, content=body
    )
    client, _ = _scripted(answer)
    with client:
        response = _send(client, idempotent=False)
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert response.headers["x-request-id"] == "r1"


def test_a_sandbox_stays_quiet_when_the_client_hangs_up_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A client that timed out before a late answer: no traceback from the sandbox's thread."""

    def late(_: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(status=200, body=b"x" * 1_000_000, delay=0.3)

    with SandboxServer(late) as server:
        with httpx.Client(timeout=0.05) as client, pytest.raises(httpx.ReadTimeout):
            client.get(server.url)
        sleep(0.6)  # the answer is written, into a closed socket, while we wait
    assert capsys.readouterr().err == ""


def _asend(
    handler: Callable[[httpx.Request], httpx.Response], *, idempotent: bool, time: FakeTime
) -> httpx.Response:
    """`_send`, on an `httpx.AsyncClient` run by `arun` (its waits are the fake clock's)."""

    async def sleep(seconds: float) -> None:
        time.sleep(seconds)

    async def main() -> httpx.Response:
        request = httpx.Request("POST", URL, content=b"{}")
        op = exchange(request, provider="test", idempotent=idempotent, clock=time.clock)
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            return await arun(op, client, sleep=sleep, clock=time.clock)

    return asyncio.run(main())


def _replaying(
    answers: list[httpx.Response | Exception],
) -> Callable[[httpx.Request], httpx.Response]:
    """A handler giving ``answers`` in turn (the last repeats), each a fresh response."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers[min(len(seen), len(answers) - 1)]
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer.status_code, headers=answer.headers)

    return handler


@pytest.mark.parametrize(
    ("answers", "outcome", "sleeps"),
    [
        ([httpx.Response(503), httpx.Response(200)], 200, [0.2]),
        ([httpx.Response(404)], 404, []),
        ([httpx.ReadError("reset", request=_REQUEST)] * 3, "connection", [0.2, 0.4]),
        ([httpx.Response(429, headers={"Retry-After": "1"})] * 3, "http_status", [1.0, 1.0]),
    ],
    ids=["503-then-ok", "404", "reset", "429"],
)
def test_the_async_driver_behaves_as_the_sync_one(
    answers: list[httpx.Response | Exception], outcome: int | str, sleeps: list[float]
) -> None:
    """The same operation on an AsyncClient: the same answers, errors, retries and waits."""
    for kind in ("sync", "async"):
        time = FakeTime()
        handler = _replaying(answers)
        try:
            if kind == "sync":
                with _client(handler) as client:
                    got: int | str = _send(client, idempotent=True, time=time).status_code
            else:
                got = _asend(handler, idempotent=True, time=time).status_code
        except ProviderUnavailable as exc:
            got = exc.code
        assert (kind, got, time.sleeps) == (kind, outcome, sleeps)


def test_a_cancelled_async_operation_stops_and_cleans_up() -> None:
    """Cancelling the task of an async operation mid-wait ends it; its finally blocks run."""
    cleaned: list[str] = []

    def op() -> Any:
        try:
            yield Sleep(60)
        finally:
            cleaned.append("done")

    async def main() -> None:
        async with httpx.AsyncClient() as client:
            task = asyncio.create_task(arun(op(), client))
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    assert cleaned == ["done"]
