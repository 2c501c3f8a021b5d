"""Fixtures for the Tiki tests: a running sandbox and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from penalty.providers._sandbox import SandboxServer
from penalty.providers.tiki import Client, Sandbox


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh Tiki sandbox (empty order book, short slow delay)."""
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
def client(sandbox: Sandbox, server: SandboxServer, sent: list[httpx.Request]) -> Iterator[Client]:
    """A client with the sandbox's credentials and a short read timeout."""
    with (
        httpx.Client(timeout=0.3, event_hooks={"request": [sent.append]}) as http,
        sandbox.client(server.url, timeout=0.3, http=http) as made,
    ):
        yield made
