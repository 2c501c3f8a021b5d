"""The local server every provider sandbox runs on: an ASGI app on uvicorn, loopback only.

A sandbox is a function from `SandboxRequest` to `SandboxResponse` (its protocol logic, no I/O);
`SandboxApp` turns it into an ASGI application and `SandboxServer` serves that on 127.0.0.1
(port 0 picks a free port) with uvicorn, the ASGI server of ``penalty[server]``, in a background
thread for tests and demos, or in the foreground for ``penalty sandbox``::

    with SandboxServer(handler) as server:
        httpx.post(server.url + "/path", ...)

A `SandboxResponse` can misbehave on purpose, for fault tests: answer late (``delay``, an
``asyncio.sleep`` that holds no thread), announce more bytes than it sends (``truncate``), or drop
the connection with a TCP reset before a byte of answer (``reset``).

Limits, so that no client can take unbounded time or memory from a sandbox:

=========================  =====================  =============================================
what                       limit                  past it
=========================  =====================  =============================================
request body               `MAX_REQUEST_BODY`     413 (``Content-Length`` checked first)
request line and headers   16 KiB                 400 (uvicorn/h11)
malformed request          never                  400 (a ``Content-Length`` of ``abc``, ``-1``,
                                                  ``1e12``: 400 or 413, never a traceback)
a request's headers        `REQUEST_TIMEOUT` s    the connection is closed (half-open clients)
a request's body           `REQUEST_TIMEOUT` s    408
an idle keep-alive         `KEEP_ALIVE` s         the connection is closed
requests handled at once   `MAX_IN_FLIGHT`        waits up to `SLOT_WAIT` s, then 503
open connections           `MAX_CONNECTIONS`      503 (uvicorn)
listen backlog             `BACKLOG`              the kernel's
=========================  =====================  =============================================

Nothing of a request is kept once answered, unless the sandbox's own logic keeps it (a bounded
record of what it saw, for tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from penalty.errors import InvalidInput

__all__ = [
    "BACKLOG",
    "KEEP_ALIVE",
    "LOOPBACK",
    "MAX_CONNECTIONS",
    "MAX_IN_FLIGHT",
    "MAX_REQUEST_BODY",
    "REQUEST_TIMEOUT",
    "SLOT_WAIT",
    "Handler",
    "SandboxApp",
    "SandboxRequest",
    "SandboxResponse",
    "SandboxServer",
    "require_server_extra",
]

LOOPBACK = "127.0.0.1"
MAX_REQUEST_BODY = 64 * 1024
REQUEST_TIMEOUT = 10.0
KEEP_ALIVE = 5.0
MAX_IN_FLIGHT = 256
SLOT_WAIT = 5.0
MAX_CONNECTIONS = 4096
BACKLOG = 2048
_MAX_HEADERS = 16 * 1024
#: The connection (uvicorn protocol) a request came on: for a reset or a cut-short answer.
CONNECTION: ContextVar[Any] = ContextVar("penalty_sandbox_connection", default=None)


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """One request as the sandbox received it: the exact bytes, headers lower-cased."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def target(self) -> str:
        """Path plus ``?query`` exactly as sent (what Tiki signs for a GET)."""
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass(slots=True)
class SandboxResponse:
    """What to answer, and how to misbehave while answering."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate: bool = False
    reset: bool = False

    @classmethod
    def json(cls, text: str, status: int = 200, **kwargs: Any) -> SandboxResponse:
        """A response whose body is ``text`` (already serialized JSON)."""
        response = cls(status=status, body=text.encode(), **kwargs)
        response.headers.setdefault("Content-Type", "application/json")
        return response


Handler = Callable[[SandboxRequest], SandboxResponse]


def require_server_extra() -> Any:
    """The uvicorn module, or `InvalidInput` naming the extra that brings it."""
    try:
        import uvicorn
    except ImportError:
        raise InvalidInput(
            "the local sandboxes run on uvicorn: install the server extra "
            "(pip install 'penalty[server]')",
            path="sandbox",
            code="missing_extra",
        ) from None
    return uvicorn


async def _plain(send: Any, status: int, text: str, *, close: bool = False) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if close:
        headers.append((b"connection", b"close"))
    body = text.encode()
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Refusal(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


class SandboxApp:
    """An ASGI application around a sandbox ``handler``, with the limits of this module."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer one ASGI ``http`` request (other scope types are ignored)."""
        if scope["type"] != "http":
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        try:
            body = await self._body(headers, receive)
            request = SandboxRequest(
                method=scope["method"],
                path=scope["path"],
                query=scope["query_string"].decode("latin-1"),
                headers=headers,
                body=body,
            )
            response = await self._handle(request)
            await _answer(response, receive, send)
        except _Refusal as refused:
            await _plain(send, refused.status, refused.text, close=True)
        except asyncio.CancelledError:
            return  # the server is stopping: nothing more to say to this client

    async def _body(self, headers: Mapping[str, str], receive: Any) -> bytes:
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_REQUEST_BODY):
            raise _Refusal(413, f"request body larger than {MAX_REQUEST_BODY} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise _Refusal(400, "client went away")
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > MAX_REQUEST_BODY:
                        raise _Refusal(413, f"request body larger than {MAX_REQUEST_BODY} bytes")
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            raise _Refusal(408, "request body too slow") from None

    async def _handle(self, request: SandboxRequest) -> SandboxResponse:
        try:
            async with asyncio.timeout(SLOT_WAIT):
                await self._slots.acquire()
        except TimeoutError:
            raise _Refusal(503, "sandbox busy") from None
        try:
            return self.handler(request)
        except Exception as exc:  # noqa: BLE001 - a sandbox bug answers 500, it never hangs
            return SandboxResponse(status=500, body=f"sandbox error: {type(exc).__name__}".encode())
        finally:
            self._slots.release()


async def _answer(response: SandboxResponse, receive: Any, send: Any) -> None:
    if response.delay:
        await asyncio.sleep(response.delay)
    connection = CONNECTION.get()
    if response.reset and connection is not None:
        sock = connection.transport.get_extra_info("socket")
        if sock is not None:  # SO_LINGER 0: close() sends a TCP reset, not a FIN
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.transport.abort()
        await receive()  # the disconnect: uvicorn then expects no answer
        return
    headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()
    ]
    body = response.body
    announced = len(body) * 2 + 10 if response.truncate else len(body)
    headers.append((b"content-length", str(announced).encode()))
    if response.truncate:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": response.truncate})
    if response.truncate and connection is not None:
        connection.transport.close()  # after what was written: the client sees a short body
        await receive()


def _uvicorn_protocol() -> type[Any]:
    from penalty.providers._uvicorn import Protocol

    attributes = {"connection": CONNECTION, "request_timeout": REQUEST_TIMEOUT}
    return type("SandboxProtocol", (Protocol,), attributes)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (raises `OSError` when the port is taken)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    sock.setblocking(False)  # noqa: FBT003 - socket's own API
    return sock


class SandboxServer:
    """Serve ``handler`` (or a `SandboxApp`) over HTTP on the loopback interface with uvicorn.

    Raises:
        InvalidInput: uvicorn is not installed (``code="missing_extra"``).
        OSError: the port is taken.
    """

    def __init__(
        self, handler: Handler | SandboxApp, *, host: str = LOOPBACK, port: int = 0
    ) -> None:
        uvicorn = require_server_extra()
        self.app = handler if isinstance(handler, SandboxApp) else SandboxApp(handler)
        self._socket = _listen(host, port)
        config = uvicorn.Config(
            self.app,
            http=_uvicorn_protocol(),
            loop="asyncio",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            server_header=False,
            date_header=False,
            timeout_keep_alive=KEEP_ALIVE,
            limit_concurrency=MAX_CONNECTIONS,
            backlog=BACKLOG,
            timeout_graceful_shutdown=1,
            h11_max_incomplete_event_size=_MAX_HEADERS,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        host, port = self._socket.getsockname()[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._socket.getsockname()[1])

    async def _serve(self) -> None:
        server = self._server
        try:
            server.config.load()
            server.lifespan = server.config.lifespan_class(server.config)
            await server.startup(sockets=[self._socket])
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
        except BaseException as exc:  # noqa: BLE001 - reported to start()'s caller
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        for listener in server.servers:
            listener.close()
        for connection in list(server.server_state.connections):
            connection.transport.close()
        for task in list(server.server_state.tasks):
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*server.server_state.tasks, return_exceptions=True)

    def start(self) -> Self:
        """Start serving in a background thread; returns self once it accepts connections."""
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._serve(),), name="penalty-sandbox", daemon=True
        )
        self._thread.start()
        self._ready.wait(30)
        if self._failure is not None:
            raise self._failure
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until Ctrl-C (then `KeyboardInterrupt` is raised)."""
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
