"""Fixtures for the Gotadi tests: TEST-ONLY keys, one sandbox server per session, clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.booking import Booking
from penalty.providers._sandbox import SandboxServer
from penalty.providers.gotadi import AsyncClient, Client, Config, KeyPair, Sandbox

from .support import ACCESS_CODE, API_KEY, FAST_RETRY, SLOW, FakeTime, make_config


def _generate() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # Gotadi's minimum: quick


_PARTNER = _generate()
_GOTADI = _generate()


@pytest.fixture(scope="session")
def partner_keys() -> KeyPair:
    """The partner's private key and Gotadi's (the sandbox's) public key."""
    return KeyPair(own_private=_PARTNER, peer_public=_GOTADI.public_key())


@pytest.fixture(scope="session")
def gotadi_keys() -> KeyPair:
    """Gotadi's (the sandbox's) private key and the partner's public key."""
    return KeyPair(own_private=_GOTADI, peer_public=_PARTNER.public_key())


@pytest.fixture(scope="session")
def sandbox_app(gotadi_keys: KeyPair) -> Sandbox:
    """The sandbox's request handler, shared by the session (reset before each test)."""
    return Sandbox(gotadi_keys, api_key=API_KEY, access_code=ACCESS_CODE, slow_delay=SLOW)


@pytest.fixture(scope="session")
def sandbox_url(sandbox_app: Sandbox) -> Iterator[str]:
    """One sandbox HTTP server on 127.0.0.1 for the whole session."""
    with SandboxServer(sandbox_app) as server:
        yield server.url


@pytest.fixture
def sandbox(sandbox_app: Sandbox, sandbox_url: str) -> Iterator[Sandbox]:
    """The running sandbox, with no scripts, counters or requests left from other tests."""
    sandbox_app.reset()
    sandbox_app.bearer_token = None
    yield sandbox_app
    sandbox_app.reset()
    sandbox_app.bearer_token = None


@pytest.fixture
def settings(sandbox_url: str, partner_keys: KeyPair) -> Config:
    """Client settings pointing at the sandbox, with the test credentials."""
    return make_config(sandbox_url, partner_keys)


@pytest.fixture
def client(settings: Config, sandbox: Sandbox) -> Iterator[Client]:
    """A client of the sandbox that retries safe calls without waiting."""
    with Client(settings, retry=FAST_RETRY, sleep=lambda _: None) as gotadi:
        yield gotadi


@pytest.fixture
def aclient(settings: Config, sandbox: Sandbox) -> AsyncClient:
    """An async client of the sandbox that retries safe calls without waiting (each test
    opens it in its own event loop: ``async with aclient``)."""

    async def no_wait(_: float) -> None:
        return None

    return AsyncClient(settings, retry=FAST_RETRY, sleep=no_wait)


@pytest.fixture(scope="session")
def booking() -> Booking:
    """SEMANTICS' worked-example booking: 3 nights, 3,000,000 VND."""
    return Booking.model_validate(
        {
            "total": "3000000",
            "currency": "VND",
            "nightly_rates": ["1000000", "1200000", "800000"],
            "check_in": "2021-05-13",
            "check_out": "2021-05-16",
            "timezone": "Asia/Ho_Chi_Minh",
        }
    )


@pytest.fixture
def fake_time() -> FakeTime:
    """A fresh fake clock."""
    return FakeTime()
