"""Fixtures for the Ksher tests: a running sandbox and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl

import httpx
import pytest

from penalty.providers._sandbox import SandboxServer
from penalty.providers.ksher import Client, Sandbox


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh Ksher sandbox (empty order book, short slow delay)."""
    return Sandbox(slow_delay=1.0)


@pytest.fixture
def server(sandbox: Sandbox) -> Iterator[SandboxServer]:
    """The sandbox served on 127.0.0.1."""
    with sandbox.serve() as running:
        yield running


@pytest.fixture
def sent() -> list[httpx.Request]:
    """Every request the ``client`` fixture sent, as sent (the sandbox keeps no body)."""
    return []


@pytest.fixture
def http(sent: list[httpx.Request]) -> Iterator[httpx.Client]:
    """An httpx client that records what it sends in ``sent``."""
    with httpx.Client(timeout=0.3, event_hooks={"request": [sent.append]}) as client:
        yield client


@pytest.fixture
def client(sandbox: Sandbox, server: SandboxServer, http: httpx.Client) -> Iterator[Client]:
    """A client with the TEST-ONLY merchant key, trusting the sandbox's key, short timeout."""
    with sandbox.client(server.url, timeout=0.3, http=http) as made:
        yield made


def form(request: httpx.Request) -> dict[str, str]:
    """The form fields of a sent request."""
    return dict(parse_qsl(request.content.decode(), keep_blank_values=True))
