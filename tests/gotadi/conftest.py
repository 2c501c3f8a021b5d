"""Fixtures for the Gotadi tests: fresh TEST-ONLY key pairs generated once per session."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.providers.gotadi.keys import KeyPair

#: Test secrets: no output, repr or error may ever contain them.
API_KEY = "TEST-ONLY-api-key-7f3a9c"
ACCESS_CODE = "TEST-ONLY-access-5d2e81"
BEARER = "TEST-ONLY-bearer-c0ffee"
SECRETS = (API_KEY, ACCESS_CODE, BEARER)


def _generate() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


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
