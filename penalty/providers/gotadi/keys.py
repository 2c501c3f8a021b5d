"""RSA keys for the Gotadi scheme, from PEM, bare base64 DER or .NET ``<RSAKeyValue>`` XML.

Gotadi's Java samples read keys as XML (``getPrivateKeyFromXML``), the .NET form::

    <RSAKeyValue><Modulus>…</Modulus><Exponent>AQAB</Exponent><P>…</P>…<D>…</D></RSAKeyValue>

(PROTOCOLS A.3, INFERRED), so both that and PEM are accepted, told apart by their first
characters. Keys of fewer than 1024 bits are refused (Gotadi's stated minimum).

Errors never quote key material: a bad key raises `InvalidInput` naming only the ``path``
(the setting or file) it came from.

The sandbox and the demo use TEST-ONLY key pairs made on first use, never shipped
(`bundled_test_keys`, `bundled_key_path`; see `penalty.providers._sandbox_keys` for where):
they are fake and must never protect anything real.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from xml.etree import ElementTree as ET

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.errors import InvalidInput
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
    "read_key_file",
]

#: Gotadi: "chiều dài tối thiểu 1024 bit" (at least 1024 bits).
MIN_KEY_BITS = 1024

_XML_PUBLIC = ("Modulus", "Exponent")
_XML_PRIVATE = ("P", "Q", "DP", "DQ", "InverseQ", "D")
_BARE_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")
_K = TypeVar("_K", rsa.RSAPrivateKey, rsa.RSAPublicKey)


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


def _text(data: bytes | str, path: str) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("is not a text key (PEM or XML)", path=path) from None
    return data.lstrip("\ufeff")


def _checked_size(key: _K, path: str) -> _K:
    if key.key_size < MIN_KEY_BITS:
        raise InvalidInput(
            f"RSA key has {key.key_size} bits; Gotadi requires at least {MIN_KEY_BITS}",
            path=path,
            code="key_too_short",
        )
    return key


def _xml_numbers(text: str, path: str) -> dict[str, int]:
    try:
        root = ET.fromstring(text)  # noqa: S314 - the operator's own key file, never network input
    except ET.ParseError:
        raise InvalidInput("is not well-formed <RSAKeyValue> XML", path=path) from None
    if root.tag != "RSAKeyValue":
        raise InvalidInput("XML key must be an <RSAKeyValue> element", path=path)
    numbers: dict[str, int] = {}
    for child in root:
        raw = (child.text or "").strip()
        try:
            numbers[child.tag] = int.from_bytes(base64.b64decode(raw, validate=True), "big")
        except (binascii.Error, ValueError):
            raise InvalidInput(f"<{child.tag}> is not base64", path=path) from None
    for name in _XML_PUBLIC:
        if not numbers.get(name):
            raise InvalidInput(f"XML key has no <{name}>", path=path)
    return numbers


def _public_from_numbers(numbers: dict[str, int], path: str) -> rsa.RSAPublicKey:
    try:
        return rsa.RSAPublicNumbers(numbers["Exponent"], numbers["Modulus"]).public_key()
    except ValueError:
        raise InvalidInput("XML key is not a valid RSA public key", path=path) from None


def _private_from_numbers(numbers: dict[str, int], path: str) -> rsa.RSAPrivateKey:
    n, e = numbers["Modulus"], numbers["Exponent"]
    d = numbers.get("D")
    if not d:
        raise InvalidInput("XML key has no <D>: it is a public key", path=path)
    try:
        p, q = numbers.get("P"), numbers.get("Q")
        if not (p and q):
            p, q = rsa.rsa_recover_prime_factors(n, e, d)
        private = rsa.RSAPrivateNumbers(
            p=p,
            q=q,
            d=d,
            dmp1=numbers.get("DP") or rsa.rsa_crt_dmp1(d, p),
            dmq1=numbers.get("DQ") or rsa.rsa_crt_dmq1(d, q),
            iqmp=numbers.get("InverseQ") or rsa.rsa_crt_iqmp(p, q),
            public_numbers=rsa.RSAPublicNumbers(e, n),
        )
        return private.private_key()
    except ValueError:
        raise InvalidInput("XML key is not a valid RSA private key", path=path) from None


def load_private_key(
    data: bytes | str, *, password: bytes | None = None, path: str = "private_key"
) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8) or ``<RSAKeyValue>`` XML.

    Example:
        >>> from cryptography.hazmat.primitives.asymmetric import rsa
        >>> key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        >>> load_private_key(private_key_to_xml(key)).private_numbers() == key.private_numbers()
        True
    """
    text = _text(data, path).strip()
    if text.startswith("<"):
        return _checked_size(_private_from_numbers(_xml_numbers(text, path), path), path)
    try:
        key = serialization.load_pem_private_key(text.encode(), password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InvalidInput("is not a PEM or XML RSA private key", path=path) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidInput("is not an RSA key", path=path)
    return _checked_size(key, path)


def load_public_key(data: bytes | str, *, path: str = "public_key") -> rsa.RSAPublicKey:
    """An RSA public key from PEM, bare base64 DER (SubjectPublicKeyInfo) or XML.

    Java partners often exchange ``PublicKey.getEncoded()`` as bare base64; that is accepted.
    A private key given where a public one is wanted is refused rather than silently reduced.

    Example:
        >>> from cryptography.hazmat.primitives.asymmetric import rsa
        >>> public = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
        >>> load_public_key(public_key_to_xml(public)).public_numbers() == public.public_numbers()
        True
    """
    text = _text(data, path).strip()
    if text.startswith("<"):
        numbers = _xml_numbers(text, path)
        if "D" in numbers:
            raise InvalidInput("is a private key; give the public key only", path=path)
        return _checked_size(_public_from_numbers(numbers, path), path)
    unreadable = InvalidInput("is not a PEM, base64 DER or XML RSA public key", path=path)
    if "-----BEGIN " not in text and not _BARE_BASE64.fullmatch(text):
        raise unreadable
    try:
        if "-----BEGIN " in text:
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = serialization.load_der_public_key(base64.b64decode("".join(text.split())))
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm):
        raise unreadable from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidInput("is not an RSA key", path=path)
    return _checked_size(key, path)


def read_key_file(path: str | Path) -> bytes:
    """The bytes of a key file, or `InvalidInput` naming the file (never its content)."""
    try:
        return Path(path).read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the file name
        reason = exc.strerror if isinstance(exc, OSError) else "its name holds a NUL character"
        raise InvalidInput(f"cannot read key file ({reason})", path=str(path)) from None


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
    partner = load_private_key(bundled_key_path(PARTNER_KEY_FILE).read_bytes())
    sandbox = load_private_key(bundled_key_path(SANDBOX_KEY_FILE).read_bytes())
    return (
        KeyPair(own_private=partner, peer_public=sandbox.public_key()),
        KeyPair(own_private=sandbox, peer_public=partner.public_key()),
    )
