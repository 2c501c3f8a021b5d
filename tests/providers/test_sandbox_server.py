"""The sandboxes' server (uvicorn, `penalty.providers._sandbox`): load, half-open clients,
limits, malformed requests, memory, and a Gotadi status that tells the truth.

The load here is bounded (1,000 requests, 200 connections at once, per sandbox) and asserts
correctness only: every request answered, no connection reset. ``python -m bench.sandboxes``
runs the full 5,000 requests at 200 at once against each sandbox and reports throughput and
latency (README, Performance).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import httpx
import pytest

from penalty.providers import _sandbox, gotadi, ksher, tiki
from penalty.providers._sandbox import (
    MAX_REQUEST_BODY,
    SandboxRequest,
    SandboxResponse,
    SandboxServer,
)
from penalty.providers.gotadi.sandbox_data import SCENARIOS
from penalty.providers.ksher.models import OrderQueryParams
from penalty.providers.ksher.protocol import QUERY_PATH, form_request
from penalty.providers.tiki.protocol import cancel_request

REQUESTS, CONCURRENCY = 1_000, 200


def _raw(request: httpx.Request) -> bytes:
    """``request`` as HTTP/1.1 bytes (keep-alive)."""
    request.read()
    lines = [f"{request.method} {request.url.raw_path.decode()} HTTP/1.1", "Host: sandbox"]
    lines += [f"{name}: {value}" for name, value in request.headers.items() if name != "host"]
    if "content-length" not in request.headers:
        lines.append(f"Content-Length: {len(request.content)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + request.content


async def load(
    port: int, requests: list[bytes], concurrency: int = CONCURRENCY
) -> tuple[dict[int, int], list[str], list[float]]:
    """Send ``requests`` over ``concurrency`` keep-alive connections: the statuses, the
    failures (a reset, a connection closed early) and each request's latency."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    failures: list[str] = []
    queue = list(enumerate(requests))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                _, raw = queue.pop()
                started = time.perf_counter()
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.lower().split(b"\r\n")
                    if line.startswith(b"content-length:")
                )
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
                if b"connection: close" in head.lower():
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except (OSError, asyncio.IncompleteReadError) as exc:
            failures.append(type(exc).__name__)
        finally:
            writer.close()

    await asyncio.wait_for(asyncio.gather(*(connection() for _ in range(concurrency))), 300)
    return statuses, failures, latencies


def _gotadi_load(count: int = REQUESTS) -> tuple[gotadi.Sandbox, list[bytes], set[int]]:
    sandbox = gotadi.Sandbox.with_test_keys()
    config = sandbox.config("http://127.0.0.1:1")
    request = gotadi.protocol.check_request(config, "EX3")
    return sandbox, [_raw(request)] * count, {200}


def _tiki_load(count: int = REQUESTS) -> tuple[tiki.Sandbox, list[bytes], set[int]]:
    sandbox = tiki.Sandbox()
    config = sandbox.config("http://127.0.0.1:1")
    now = time.time_ns() // 1_000_000
    raws = [
        _raw(cancel_request(config, str(index), "load", None, timestamp_ms=now))
        for index in range(count)
    ]
    return sandbox, raws, {200}


def _ksher_load(count: int = REQUESTS) -> tuple[ksher.Sandbox, list[bytes], set[int]]:
    sandbox = ksher.Sandbox()
    config = sandbox.config("http://127.0.0.1:1")
    params = OrderQueryParams(
        appid=sandbox.appid, nonce_str="n1", time_stamp="20260301120000", mch_order_no="L-1"
    )
    # One signed query, sent again and again: the first is answered, the rest refused (-1,
    # a repeated nonce): HTTP 200 all, and cheap, so that the server is what is measured.
    return sandbox, [_raw(form_request(config, QUERY_PATH, params))] * count, {200}


LOADS: dict[str, Callable[..., tuple[object, list[bytes], set[int]]]] = {
    "gotadi": _gotadi_load,
    "tiki": _tiki_load,
    "ksher": _ksher_load,
}


@pytest.mark.parametrize("provider", sorted(LOADS))
def test_a_bounded_load_gets_no_connection_reset(provider: str) -> None:
    """1,000 requests over 200 connections at once: every one answered as the protocol says,
    none reset (a stdlib server with a listen backlog of 5 reset 2.6 % of them)."""
    sandbox, requests, expected = LOADS[provider]()
    with SandboxServer(sandbox) as server:  # type: ignore[arg-type]
        statuses, failures, _ = asyncio.run(load(server.port, requests))
    assert failures == []
    assert sum(statuses.values()) == REQUESTS
    assert set(statuses) <= expected, statuses


def _half_open(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        half = socket.create_connection(("127.0.0.1", port))
        half.sendall(b"POST /api/v3/hotel/check-cancel-penalty HTTP/1.1\r\nHost: x\r\nConte")
        sockets.append(half)
    return sockets


def test_half_open_connections_do_not_stop_it_answering() -> None:
    """2,000 clients that send half a request (the Gotadi sandbox; every sandbox runs on the same
    server): it keeps answering meanwhile, and answers within 5 s of their closing (no thread
    per connection, nothing stuck)."""
    sandbox, requests, _ = LOADS["gotadi"]()
    with SandboxServer(sandbox) as server:  # type: ignore[arg-type]
        hanging = _half_open(server.port, 2_000)
        try:
            with httpx.Client(timeout=5) as client:
                assert client.get(server.url + "/health").status_code < 500
        finally:
            for half in hanging:
                half.close()
        started = time.monotonic()
        with httpx.Client(timeout=5) as client:
            answered = client.post(server.url + "/", content=requests[0][-10:]).status_code
        assert answered < 500
        assert time.monotonic() - started < 5


# -- limits and malformed requests ----------------------------------------------------------------


@pytest.fixture
def echo() -> Iterator[SandboxServer]:
    """A server whose handler answers the size of what it got."""

    def handler(request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(body=str(len(request.body)).encode())

    with SandboxServer(handler) as server:
        yield server


def _exchange(port: int, raw: bytes, *, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(raw)
        return sock.recv(4096)


@pytest.mark.parametrize(
    ("length", "status"),
    [("abc", b"400"), ("-1", b"400"), ("1e12", b"400"), ("1000000000000", b"413"),
     (str(MAX_REQUEST_BODY + 1), b"413"), ("99999999999999999999999999", b"400")],
    ids=["letters", "negative", "exponent", "a-terabyte", "one-byte-too-many", "absurd"],
)  # fmt: skip
def test_a_malformed_or_huge_content_length_is_a_4xx(
    length: str, status: bytes, echo: SandboxServer
) -> None:
    """A Content-Length that is not a number, negative, or too large: 400 or 413 at once,
    never a traceback or a thread waiting for a terabyte."""
    head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
    assert _exchange(echo.port, head).split(b" ")[1] == status


def test_a_body_over_the_limit_is_413_and_never_kept(echo: SandboxServer) -> None:
    """A chunked body past MAX_REQUEST_BODY: 413 after at most that much was read."""

    def chunks() -> Iterator[bytes]:
        for _ in range(1_600):  # 100 MiB, if it were all read
            yield b"x" * 65_536

    with httpx.Client(timeout=10) as client:
        answer = client.post(echo.url, content=chunks())
    assert answer.status_code == 413


def test_a_body_within_the_limit_is_read_whole(echo: SandboxServer) -> None:
    """Up to MAX_REQUEST_BODY bytes, chunked or not, reach the handler whole."""
    with httpx.Client(timeout=10) as client:
        assert client.post(echo.url, content=b"y" * MAX_REQUEST_BODY).text == str(MAX_REQUEST_BODY)


def test_slow_headers_and_a_slow_body_are_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Headers not all in within REQUEST_TIMEOUT: the connection is closed; a body too slow: 408."""
    monkeypatch.setattr(_sandbox, "REQUEST_TIMEOUT", 0.3)
    with SandboxServer(lambda _: SandboxResponse(body=b"ok")) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost")
            assert sock.recv(100) == b""  # closed by the server
        raw = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"
        assert _exchange(server.port, raw).split(b" ")[1] == b"408"


def test_a_sandbox_bug_is_a_500_without_a_traceback() -> None:
    """A handler that raises: 500 naming the exception type, nothing more."""

    def broken(_: SandboxRequest) -> SandboxResponse:
        msg = "secret detail"
        raise RuntimeError(msg)

    with SandboxServer(broken) as server, httpx.Client() as client:
        answer = client.get(server.url)
    assert (answer.status_code, answer.text) == (500, "sandbox error: RuntimeError")


def test_a_taken_port_is_an_os_error() -> None:
    """Serving on a port in use fails at once (the CLI turns it into exit 2)."""
    with (
        SandboxServer(lambda _: SandboxResponse()) as server,
        pytest.raises(OSError, match="in use"),
    ):
        SandboxServer(lambda _: SandboxResponse(), port=server.port)


# -- the Gotadi status tells the truth ------------------------------------------------------------


def test_gotadi_status_never_confirms_a_booking_never_cancelled() -> None:
    """For every scenario, cancellation-check before any cancellation: error 02 (none on
    record), never CANCEL_CONFIRMED; an unknown booking: 02 as well."""
    sandbox = gotadi.Sandbox.with_test_keys()
    numbers = ["EX9", *("EX3" if name == "CONFIRMED" else f"EX3-{name}" for name in SCENARIOS)]
    with sandbox.serve() as server, sandbox.client(server.url, timeout=5.0) as client:
        answers = [client._run(gotadi.protocol.verified_status(client, n)) for n in numbers]
    assert {(a.error_code.value, a.cancellation_status) for a in answers} == {("02", None)}


def test_gotadi_status_after_a_cancel_is_the_cancellations() -> None:
    """Once a cancellation is accepted, the status says what became of it, with its fee."""
    sandbox = gotadi.Sandbox.with_test_keys()
    with sandbox.serve() as server, sandbox.client(server.url) as client:
        client.cancel("EX3", Decimal(2100000))
        answer = client.cancellation_status("EX3")
    assert answer.cancellation_status is gotadi.CancellationStatus.CANCEL_CONFIRMED
    assert answer.cancel_penalty_amount == "2100000.00"


def test_what_a_sandbox_remembers_is_bounded() -> None:
    """Thousands of distinct bookings and orders: the books stay bounded, no body is kept."""
    from penalty.providers._book import MAX_ENTRIES, MAX_SEEN

    sandbox = tiki.Sandbox()
    config = sandbox.config("http://127.0.0.1:1")
    for index in range(MAX_ENTRIES + 50):
        now = time.time_ns() // 10**6
        request = cancel_request(config, str(index), "c", None, timestamp_ms=now)
        request.read()
        sandbox(
            SandboxRequest(
                "POST",
                request.url.path,
                "",
                {k.lower(): v for k, v in request.headers.items()},
                request.content,
            )
        )
    assert len(sandbox.orders) == MAX_ENTRIES
    assert len(sandbox.seen) == MAX_SEEN
    assert not any(hasattr(seen, "body") for seen in sandbox.seen)
    assert json.dumps([seen.key for seen in sandbox.seen])  # small records only
