"""Fixtures for the Ksher tests: a running sandbox and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from penalty.providers._sandbox import SandboxServer
from penalty.providers.ksher import KsherClient, KsherSandbox


@pytest.fixture
def sandbox() -> KsherSandbox:
    """A fresh Ksher sandbox (empty order book, short slow delay)."""
    handler = KsherSandbox()
    handler.slow_delay = 1.0
    return handler


@pytest.fixture
def server(sandbox: KsherSandbox) -> Iterator[SandboxServer]:
    """The sandbox served on 127.0.0.1."""
    with sandbox.serve() as running:
        yield running


@pytest.fixture
def client(sandbox: KsherSandbox, server: SandboxServer) -> Iterator[KsherClient]:
    """A client with the TEST-ONLY merchant key, trusting the sandbox's key, short timeout."""
    with sandbox.client(server.url, timeout=0.3) as made:
        yield made
