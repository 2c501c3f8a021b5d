"""One service per test session, on 127.0.0.1, shared by the service, schema and browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.service.support import service


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The URL of a service with the default settings, running for the whole session."""
    with service() as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http
