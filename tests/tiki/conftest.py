"""Fixtures for the Tiki tests: a running sandbox and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from penalty.providers._sandbox import SandboxServer
from penalty.providers.tiki import TikiClient, TikiSandbox


@pytest.fixture
def sandbox() -> TikiSandbox:
    """A fresh Tiki sandbox (empty order book, short slow delay)."""
    handler = TikiSandbox()
    handler.slow_delay = 1.0
    return handler


@pytest.fixture
def server(sandbox: TikiSandbox) -> Iterator[SandboxServer]:
    """The sandbox served on 127.0.0.1."""
    with sandbox.serve() as running:
        yield running


@pytest.fixture
def client(sandbox: TikiSandbox, server: SandboxServer) -> Iterator[TikiClient]:
    """A client with the sandbox's credentials and a short read timeout."""
    with sandbox.client(server.url, timeout=0.3) as made:
        yield made
