"""Demo: ``penalty serve``, the fee-preview service, answering one request on 127.0.0.1."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import TextIO

from penalty.demos import fixtures_dir

__all__ = ["run"]

AT = "2021-05-12T11:00:00Z"


@contextlib.contextmanager
def _serving() -> Iterator[int]:
    """The service (default settings) on a free loopback port, in a thread; stopped on exit."""
    import uvicorn

    from penalty.service import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(), lifespan="off", ws="none", access_log=False, log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def run(out: TextIO) -> None:
    """Start the service, POST one quote request (seed 001's example 4), print the answer."""
    out.write("== The fee-preview service: penalty serve (issue #15) ==\n")
    if any(importlib.util.find_spec(name) is None for name in ("fastapi", "uvicorn")):
        out.write("(skipped: the service needs pip install 'penalty[server]')\n")
        return
    import httpx

    fixtures = fixtures_dir() / "gotadi"
    policy = json.loads((fixtures / "example4_two_windows.json").read_text(encoding="utf-8"))
    booking = json.loads((fixtures / "booking.json").read_text(encoding="utf-8"))
    body = {"policy": policy, "booking": booking, "at": AT}
    with _serving() as port:
        out.write("$ penalty serve --port 8000   # here: a free port on 127.0.0.1\n")
        out.write(
            "$ curl -s -X POST localhost:8000/v1/quote -H 'Content-Type: application/json' "
            f'-d \'{{"policy": <{fixtures / "example4_two_windows.json"}>, '
            f'"booking": <{fixtures / "booking.json"}>, "at": "{AT}"}}\'\n'
        )
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/quote", json=body, timeout=30)
        out.write(f"{answer.text}\n")
    out.write(
        "Also POST /v1/schedule and /v1/preview (UI JSON, or the SVG chart with Accept: "
        "image/svg+xml), GET /v1/formats, /healthz, /openapi.json, and the widget at /widget/ "
        "(README, section 'Service').\n"
    )
