"""A tiny local HTTP server that provider sandboxes build on (stdlib only, loopback only).

A sandbox is a function from `SandboxRequest` to `SandboxResponse`; `SandboxServer` serves it on
127.0.0.1 (port 0 picks a free port) in a background thread, so tests and demos speak real HTTP::

    with SandboxServer(handler) as server:
        httpx.post(server.url + "/path", ...)

A `SandboxResponse` can also misbehave on purpose, for fault tests: answer late (``delay``),
announce more bytes than it sends (``truncate``), or drop the connection without a word
(``reset``).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

__all__ = ["SandboxRequest", "SandboxResponse", "SandboxServer"]

LOOPBACK = "127.0.0.1"
#: How often the background thread checks for `SandboxServer.stop` (seconds): stop is this quick.
_POLL_INTERVAL = 0.02


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
    def json(cls, text: str, status: int = 200, **kwargs: object) -> SandboxResponse:
        """A response whose body is ``text`` (already serialized JSON)."""
        response = cls(status=status, body=text.encode(), **kwargs)  # type: ignore[arg-type]
        response.headers.setdefault("Content-Type", "application/json")
        return response


Handler = Callable[[SandboxRequest], SandboxResponse]


def _request_handler(handler: Handler) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        #: Headers and body go out as separate writes: without TCP_NODELAY, Nagle plus the
        #: client's delayed ACK add ~40 ms to every keep-alive request.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = SandboxRequest(
                method=self.command,
                path=parts.path,
                query=parts.query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            try:
                response = handler(request)
            except Exception as exc:  # noqa: BLE001 - a sandbox bug answers 500, it never hangs
                response = SandboxResponse(status=500, body=f"sandbox error: {exc}".encode())
            if response.delay:
                time.sleep(response.delay)
            if response.reset:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            announced = len(response.body) * 2 + 10 if response.truncate else len(response.body)
            self.send_header("Content-Length", str(announced))
            if response.truncate:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = _serve  # noqa: N815 - the stdlib's naming
        do_POST = _serve  # noqa: N815
        do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            """Stay quiet: a sandbox must not print request lines (they may carry secrets)."""

    return _Handler


class _QuietServer(ThreadingHTTPServer):
    """Says nothing when a client hangs up first (a client that timed out, on purpose or not).

    `socketserver` prints a traceback on stderr for any error in a request thread; a client
    gone before a late answer is written is the normal end of a timeout test (and of a CLI user
    pressing Ctrl-C), so it is not an error here. Anything else is still reported.
    """

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore a client that went away; report anything else as `socketserver` does."""
        if isinstance(sys.exc_info()[1], ConnectionError):  # broken pipe, reset, aborted
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class SandboxServer:
    """Serve ``handler`` over HTTP on the loopback interface, in a daemon thread."""

    def __init__(self, handler: Handler, *, host: str = LOOPBACK, port: int = 0) -> None:
        self._httpd = _QuietServer((host, port), _request_handler(handler))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        """Start serving in a background thread; returns self."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": _POLL_INTERVAL}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI's ``penalty sandbox``)."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
