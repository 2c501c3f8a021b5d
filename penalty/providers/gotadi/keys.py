"""RSA keys for the Gotadi scheme: the pair a party holds, the XML form, the TEST-ONLY set.

Gotadi's Java samples read keys as XML (``getPrivateKeyFromXML``), the .NET form::

    <RSAKeyValue><Modulus>…</Modulus><Exponent>AQAB</Exponent><P>…</P>…<D>…</D></RSAKeyValue>

(PROTOCOLS A.3, INFERRED), so both that and PEM are accepted (`penalty.providers._keys`, the
loader every provider shares), and `public_key_to_xml` writes a key for Gotadi in that form.
Keys of fewer than 1024 bits are refused (Gotadi's stated minimum).

The sandbox and the demo use TEST-ONLY key pairs made on first use, never shipped
(`bundled_test_keys`, `bundled_key_path`; see `penalty.providers._sandbox_keys` for where):
they are fake and must never protect anything real.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.providers import _keys
from penalty.providers._keys import KeySource
from penalty.providers._sandbox_keys import generate_key, private_pem, public_pem, sandbox_file
from penalty.providers.gotadi.sandbox_data import (
    SANDBOX_CONFIG_FILE,
    TEST_ONLY_ACCESS_CODE,
    TEST_ONLY_API_KEY,
)

__all__ = [
    "MIN_KEY_BITS",
    "PARTNER_KEY_FILE",
    "SANDBOX_KEY_FILE",
    "SANDBOX_PUBLIC_KEY_FILE",
    "KeyPair",
    "bundled_key_path",
    "bundled_test_keys",
    "load_private_key",
    "load_public_key",
    "private_key_to_xml",
    "public_key_to_xml",
]

#: Gotadi: "chiều dài tối thiểu 1024 bit" (at least 1024 bits).
MIN_KEY_BITS = 1024


@dataclass(frozen=True, slots=True)
class KeyPair:
    """One side's private key and the other side's public key: all a party needs to talk.

    Attributes:
        own_private: signs what we send and decrypts the ``key`` of what we receive.
        peer_public: encrypts the ``key`` of what we send and verifies what we receive.
    """

    own_private: rsa.RSAPrivateKey = field(repr=False)
    peer_public: rsa.RSAPublicKey = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"KeyPair(own_private=<{self.own_private.key_size}-bit RSA, hidden>, "
            f"peer_public=<{self.peer_public.key_size}-bit RSA>)"
        )


def load_private_key(
    source: KeySource | rsa.RSAPrivateKey, *, setting: str = "gotadi.private_key"
) -> rsa.RSAPrivateKey:
    """Your RSA private key (PEM or ``<RSAKeyValue>`` XML), at least `MIN_KEY_BITS` bits.

    Example:
        >>> key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        >>> load_private_key(private_key_to_xml(key)).private_numbers() == key.private_numbers()
        True
    """
    return _keys.load_private_key(source, setting=setting, min_bits=MIN_KEY_BITS, who="Gotadi")


def load_public_key(
    source: KeySource | rsa.RSAPublicKey, *, setting: str = "gotadi.public_key"
) -> rsa.RSAPublicKey:
    """Gotadi's RSA public key (PEM, bare base64 DER as bytes, or XML), at least `MIN_KEY_BITS`.

    Example:
        >>> public = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
        >>> load_public_key(public_key_to_xml(public)).public_numbers() == public.public_numbers()
        True
    """
    return _keys.load_public_key(source, setting=setting, min_bits=MIN_KEY_BITS, who="Gotadi")


def _b64_int(value: int, length: int | None = None) -> str:
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return base64.b64encode(value.to_bytes(size, "big")).decode("ascii")


def public_key_to_xml(key: rsa.RSAPublicKey) -> str:
    """The .NET ``<RSAKeyValue>`` form of a public key (what a partner may send Gotadi)."""
    numbers = key.public_numbers()
    return (
        f"<RSAKeyValue><Modulus>{_b64_int(numbers.n)}</Modulus>"
        f"<Exponent>{_b64_int(numbers.e)}</Exponent></RSAKeyValue>"
    )


def private_key_to_xml(key: rsa.RSAPrivateKey) -> str:
    """The .NET ``<RSAKeyValue>`` form of a private key, with every CRT component."""
    numbers = key.private_numbers()
    public = numbers.public_numbers
    half = (key.key_size + 15) // 16
    full = (key.key_size + 7) // 8
    parts = {
        "Modulus": _b64_int(public.n),
        "Exponent": _b64_int(public.e),
        "P": _b64_int(numbers.p, half),
        "Q": _b64_int(numbers.q, half),
        "DP": _b64_int(numbers.dmp1, half),
        "DQ": _b64_int(numbers.dmq1, half),
        "InverseQ": _b64_int(numbers.iqmp, half),
        "D": _b64_int(numbers.d, full),
    }
    body = "".join(f"<{name}>{value}</{name}>" for name, value in parts.items())
    return f"<RSAKeyValue>{body}</RSAKeyValue>"


#: The TEST-ONLY key files of the sandbox and the demo (fake, made on first use, never shipped).
SANDBOX_KEY_FILE = "gotadi-sandbox-TEST-ONLY.pem"
PARTNER_KEY_FILE = "gotadi-partner-TEST-ONLY.pem"
SANDBOX_PUBLIC_KEY_FILE = "gotadi-sandbox-public-TEST-ONLY.pem"
_NOTE = (
    "# TEST-ONLY key for penalty's local Gotadi sandbox and demo. Fake: it protects nothing.\n"
    "# Never configure it against a real Gotadi environment."
)


def _make_test_only_files() -> dict[str, bytes]:
    """A fresh TEST-ONLY set: the partner's and the sandbox's 2048-bit keys, the sandbox's public
    half, and the client config (``SANDBOX_CONFIG_FILE``) naming them and the credentials.
    """
    sandbox = generate_key(2048)
    config = (
        "# TEST-ONLY client settings for penalty's local Gotadi sandbox (penalty sandbox gotadi).\n"
        "# Every value here is fake; never use it against a real Gotadi environment.\n"
        "# Set PENALTY_GOTADI_BASE_URL to the URL the sandbox prints, and PENALTY_GOTADI_CONFIG"
        " to this file.\n"
        "[gotadi]\n"
        f'api_key = "{TEST_ONLY_API_KEY}"\n'
        f'access_code = "{TEST_ONLY_ACCESS_CODE}"\n'
        f'private_key = "{PARTNER_KEY_FILE}"\n'
        f'public_key = "{SANDBOX_PUBLIC_KEY_FILE}"\n'
    )
    return {
        PARTNER_KEY_FILE: private_pem(generate_key(2048), _NOTE),
        SANDBOX_KEY_FILE: private_pem(sandbox, _NOTE),
        SANDBOX_PUBLIC_KEY_FILE: public_pem(
            sandbox.public_key(),
            f"# TEST-ONLY public key of penalty's Gotadi sandbox (pairs with {SANDBOX_KEY_FILE})",
        ),
        SANDBOX_CONFIG_FILE: config.encode(),
    }


def bundled_key_path(name: str) -> Path:
    """Path of a TEST-ONLY file of the sandbox: ``SANDBOX_KEY_FILE``, ``PARTNER_KEY_FILE``,
    ``SANDBOX_PUBLIC_KEY_FILE`` or the client config ``SANDBOX_CONFIG_FILE`` (made on first use).
    """
    return sandbox_file("gotadi", name, _make_test_only_files)


def bundled_test_keys() -> tuple[KeyPair, KeyPair]:
    """``(partner, sandbox)`` key pairs from the TEST-ONLY PEMs: each other's peers.

    Never use these for anything but the local sandbox and the demo.
    """
    partner = load_private_key(bundled_key_path(PARTNER_KEY_FILE))
    sandbox = load_private_key(bundled_key_path(SANDBOX_KEY_FILE))
    return (
        KeyPair(own_private=partner, peer_public=sandbox.public_key()),
        KeyPair(own_private=sandbox, peer_public=partner.public_key()),
    )
