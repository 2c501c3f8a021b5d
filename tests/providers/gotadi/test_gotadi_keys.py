"""Gotadi's keys through the shared loader: PEM, bare base64 DER and .NET <RSAKeyValue> XML."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.errors import InvalidInput
from penalty.providers.gotadi.keys import (
    KeyPair,
    bundled_key_path,
    bundled_test_keys,
    load_private_key,
    load_public_key,
    private_key_to_xml,
    public_key_to_xml,
)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    """A fresh 1024-bit key (Gotadi's minimum size)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.mark.parametrize(
    "fmt",
    [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL],
    ids=["pkcs8", "pkcs1"],
)
def test_private_key_from_pem(key: rsa.RSAPrivateKey, fmt: serialization.PrivateFormat) -> None:
    """PKCS#8 and PKCS#1 PEM private keys load to the same numbers."""
    pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    assert load_private_key(pem).private_numbers() == key.private_numbers()


def test_private_key_from_xml_round_trips(key: rsa.RSAPrivateKey) -> None:
    """The .NET XML form written by private_key_to_xml loads back to the same key."""
    assert load_private_key(private_key_to_xml(key)).private_numbers() == key.private_numbers()


def test_private_key_from_xml_with_only_d_recovers_the_primes(key: rsa.RSAPrivateKey) -> None:
    """An XML private key with Modulus, Exponent and D only is completed (P, Q, CRT values)."""
    full = private_key_to_xml(key)
    minimal = re.sub(r"<(P|Q|DP|DQ|InverseQ)>[^<]*</\1>", "", full)
    assert "<P>" not in minimal
    assert load_private_key(minimal).private_numbers() == key.private_numbers()


def test_public_key_from_pem_der_and_xml(key: rsa.RSAPrivateKey) -> None:
    """A public key loads from SPKI PEM, PKCS#1 PEM, bare base64 DER and XML alike."""
    public = key.public_key()
    spki = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pkcs1 = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forms: list[bytes | str] = [spki, pkcs1, base64.b64encode(der), public_key_to_xml(public)]
    for form in forms:
        assert load_public_key(form).public_numbers() == public.public_numbers()


def test_a_private_xml_key_is_refused_as_a_public_key(key: rsa.RSAPrivateKey) -> None:
    """Giving the private XML where Gotadi's public key is expected is an error, not a shrug."""
    with pytest.raises(InvalidInput, match="private key"):
        load_public_key(private_key_to_xml(key))


def test_keys_shorter_than_1024_bits_are_refused() -> None:
    """Gotadi's minimum is 1024 bits; a 511-bit key raises key_too_short."""
    p, q, e = 2**255 - 19, 2**256 - 189, 65537  # two known primes: a 511-bit modulus
    d = pow(e, -1, (p - 1) * (q - 1))
    small = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e, p * q),
    ).private_key(unsafe_skip_rsa_key_validation=True)
    with pytest.raises(InvalidInput) as caught:
        load_private_key(private_key_to_xml(small))
    assert caught.value.code == "key_too_short"
    with pytest.raises(InvalidInput):
        load_public_key(public_key_to_xml(small.public_key()))


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "<RSAKeyValue><Modulus>@@</Modulus></RSAKeyValue>",
        "<RSAKeyValue><Exponent>AQAB</Exponent></RSAKeyValue>",
        "<NotAKey/>",
        "<RSAKeyValue><Modulus>",
    ],
    ids=["text", "bad-pem", "bad-base64", "no-modulus", "wrong-root", "broken-xml"],
)
def test_bad_key_text_is_invalid_input_without_echoing_it(text: str) -> None:
    """Unreadable key material raises InvalidInput naming the setting, never quoting the key."""
    for load in (load_private_key, load_public_key):
        with pytest.raises(InvalidInput) as caught:
            load(text.encode())
        assert text not in str(caught.value)
        assert caught.value.path in {"gotadi.private_key", "gotadi.public_key"}


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    """A missing key file is InvalidInput naming the setting and the file."""
    missing = tmp_path / "nope.pem"
    with pytest.raises(InvalidInput) as caught:
        load_private_key(missing)
    assert caught.value.path == "gotadi.private_key"
    assert str(missing) in caught.value.message


def test_bundled_test_keys_pair_up_and_are_labelled_test_only() -> None:
    """The sandbox/partner PEMs (made on first use) are labelled TEST-ONLY and are peers."""
    partner, sandbox = bundled_test_keys()
    assert partner.peer_public.public_numbers() == sandbox.own_private.public_key().public_numbers()
    assert sandbox.peer_public.public_numbers() == partner.own_private.public_key().public_numbers()
    for pair in (partner, sandbox):
        assert "hidden" in repr(pair)
    for name in ("gotadi-sandbox-TEST-ONLY.pem", "gotadi-partner-TEST-ONLY.pem"):
        assert "TEST-ONLY" in bundled_key_path(name).read_text()


def test_key_pair_repr_hides_the_private_key(key: rsa.RSAPrivateKey) -> None:
    """A KeyPair's repr shows sizes only."""
    pair = KeyPair(own_private=key, peer_public=key.public_key())
    assert repr(pair) == ("KeyPair(own_private=<1024-bit RSA, hidden>, peer_public=<1024-bit RSA>)")
