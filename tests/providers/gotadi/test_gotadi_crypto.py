"""The hybrid RSA + 3DES envelope of PROTOCOLS A.3: round trips, encodings, tampering."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from hypothesis import given
from hypothesis import strategies as st

from penalty.errors import InvalidInput, ProviderProtocolError, SignatureInvalid
from penalty.providers.gotadi.crypto import (
    RsaPadding,
    b64decode_lenient,
    b64encode_standard,
    b64encode_urlsafe,
    join_fields,
    open_envelope,
    seal,
    sign,
    verify,
)
from penalty.providers.gotadi.keys import KeyPair

field_text = st.text(st.characters(codec="utf-8", exclude_characters="|"), max_size=40)
fields_lists = st.lists(field_text, min_size=1, max_size=7)


def _open(
    key: str, data: str, gotadi: KeyPair, padding: RsaPadding = RsaPadding.PKCS1V15
) -> list[str]:
    return open_envelope(
        key,
        data,
        receiver_private=gotadi.own_private,
        sender_public=gotadi.peer_public,
        padding=padding,
    )


def _seal(
    fields: list[str], partner: KeyPair, padding: RsaPadding = RsaPadding.PKCS1V15
) -> tuple[str, str]:
    return seal(
        fields,
        sender_private=partner.own_private,
        receiver_public=partner.peer_public,
        padding=padding,
    )


@given(fields=fields_lists)
def test_seal_then_open_returns_the_fields(
    fields: list[str], partner_keys: KeyPair, gotadi_keys: KeyPair
) -> None:
    """Any fields without '|' (unicode, empty ones included) survive sign+encrypt+decrypt+verify."""
    key, data = _seal(fields, partner_keys)
    assert _open(key, data, gotadi_keys) == fields


@given(before=field_text, after=field_text, others=st.lists(field_text, max_size=3))
def test_a_separator_inside_a_field_is_rejected(
    before: str, after: str, others: list[str], partner_keys: KeyPair
) -> None:
    """A field containing '|' is refused before anything is encrypted, naming the field."""
    fields = [*others, f"{before}|{after}"]
    with pytest.raises(InvalidInput) as caught:
        _seal(fields, partner_keys)
    assert caught.value.code == "separator_in_field"
    assert caught.value.path == f"fields[{len(others)}]"


@given(fields=fields_lists, position=st.integers(min_value=0), bit=st.integers(0, 7))
def test_a_tampered_data_is_always_rejected(
    fields: list[str], position: int, bit: int, partner_keys: KeyPair, gotadi_keys: KeyPair
) -> None:
    """Flipping any bit of the decoded `data` makes opening fail with a protocol error."""
    key, data = _seal(fields, partner_keys)
    raw = bytearray(b64decode_lenient(data))
    raw[position % len(raw)] ^= 1 << bit
    with pytest.raises(ProviderProtocolError):
        _open(key, b64encode_urlsafe(bytes(raw)), gotadi_keys)


@given(fields=fields_lists, position=st.integers(min_value=0), bit=st.integers(0, 7))
def test_a_tampered_key_is_always_rejected(
    fields: list[str], position: int, bit: int, partner_keys: KeyPair, gotadi_keys: KeyPair
) -> None:
    """Flipping any bit of the decoded `key` makes opening fail with a protocol error."""
    key, data = _seal(fields, partner_keys)
    raw = bytearray(b64decode_lenient(key))
    raw[position % len(raw)] ^= 1 << bit
    with pytest.raises(ProviderProtocolError):
        _open(b64encode_urlsafe(bytes(raw)), data, gotadi_keys)


def test_a_message_signed_by_someone_else_is_signature_invalid(
    partner_keys: KeyPair, gotadi_keys: KeyPair
) -> None:
    """A well-encrypted message signed with another private key fails as SignatureInvalid."""
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    key, data = seal(
        ["ACCESS", "HD1", "0.00"], sender_private=impostor, receiver_public=partner_keys.peer_public
    )
    with pytest.raises(SignatureInvalid):
        _open(key, data, gotadi_keys)


def test_a_message_without_signature_is_signature_invalid(
    partner_keys: KeyPair, gotadi_keys: KeyPair
) -> None:
    """Data that decrypts to text with no '|' at all carries no signature and is refused."""
    des_key = bytes(range(24))
    padder = sym_padding.PKCS7(64).padder()
    plain = padder.update(b"no signature here") + padder.finalize()
    encryptor = Cipher(TripleDES(des_key), modes.ECB()).encryptor()
    data = b64encode_urlsafe(encryptor.update(plain) + encryptor.finalize())
    key = b64encode_urlsafe(partner_keys.peer_public.encrypt(des_key, rsa_padding.PKCS1v15()))
    with pytest.raises(SignatureInvalid):
        _open(key, data, gotadi_keys)


def test_wire_encodings_match_the_java_samples(partner_keys: KeyPair, gotadi_keys: KeyPair) -> None:
    """key/data are URL-safe unpadded base64; the signature inside is standard padded base64."""
    key, data = _seal(["ACCESS", "HD1", "2100000.00"], partner_keys)
    for text in (key, data):
        assert "=" not in text
        assert "+" not in text
        assert "/" not in text
    des_key = gotadi_keys.own_private.decrypt(b64decode_lenient(key), rsa_padding.PKCS1v15())
    assert len(des_key) == 24
    assert all(byte.bit_count() % 2 == 1 for byte in des_key), "Java DESede keys have odd parity"
    decryptor = Cipher(TripleDES(des_key), modes.ECB()).decryptor()
    padded = decryptor.update(b64decode_lenient(data)) + decryptor.finalize()
    unpadder = sym_padding.PKCS7(64).unpadder()
    original = (unpadder.update(padded) + unpadder.finalize()).decode()
    signed, _, signature = original.rpartition("|")
    assert signed == "ACCESS|HD1|2100000.00"
    assert signature == base64.b64encode(base64.b64decode(signature)).decode()
    gotadi_keys.peer_public.verify(
        base64.b64decode(signature), signed.encode(), rsa_padding.PKCS1v15(), hashes.SHA256()
    )


def test_standard_padded_and_wrapped_base64_is_accepted(
    partner_keys: KeyPair, gotadi_keys: KeyPair
) -> None:
    """A sender using the standard alphabet, '=' padding and line breaks is still understood."""
    key, data = _seal(["ACCESS", "HD1"], partner_keys)

    def standard(text: str) -> str:
        encoded = b64encode_standard(b64decode_lenient(text))
        return "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))

    assert _open(standard(key), standard(data), gotadi_keys) == ["ACCESS", "HD1"]


@given(raw=st.binary(max_size=64))
def test_lenient_base64_decodes_both_alphabets(raw: bytes) -> None:
    """Any bytes decode back from URL-safe unpadded and from standard padded base64."""
    assert b64decode_lenient(b64encode_urlsafe(raw)) == raw
    assert b64decode_lenient(b64encode_standard(raw)) == raw


@pytest.mark.parametrize("text", ["not base64!", "abcde", "ab=c", "é"], ids=repr)
def test_lenient_base64_rejects_garbage(text: str) -> None:
    """Characters outside both alphabets or an impossible length raise ValueError."""
    with pytest.raises(ValueError, match="base64"):
        b64decode_lenient(text)


@pytest.mark.parametrize("padding", list(RsaPadding), ids=str)
def test_every_rsa_padding_setting_round_trips(
    padding: RsaPadding, partner_keys: KeyPair, gotadi_keys: KeyPair
) -> None:
    """Each RSA padding setting opens what it sealed."""
    key, data = _seal(["A", "B"], partner_keys, padding)
    assert _open(key, data, gotadi_keys, padding) == ["A", "B"]


def test_mismatched_rsa_padding_is_rejected(partner_keys: KeyPair, gotadi_keys: KeyPair) -> None:
    """A key encrypted with OAEP cannot be read as PKCS#1 v1.5: rejected, never misread."""
    key, data = _seal(["A", "B"], partner_keys, RsaPadding.OAEP_SHA1)
    with pytest.raises(ProviderProtocolError):
        _open(key, data, gotadi_keys, RsaPadding.PKCS1V15)


def test_sign_and_verify_agree_and_reject_other_text(partner_keys: KeyPair) -> None:
    """A signature verifies its own text only, in either base64 alphabet."""
    signature = sign("ACCESS|HD1|00", partner_keys.own_private)
    public = partner_keys.own_private.public_key()
    verify("ACCESS|HD1|00", signature, public)
    verify("ACCESS|HD1|00", b64encode_urlsafe(b64decode_lenient(signature)), public)
    with pytest.raises(SignatureInvalid):
        verify("ACCESS|HD1|01", signature, public)
    with pytest.raises(SignatureInvalid):
        verify("ACCESS|HD1|00", "", public)
    with pytest.raises(SignatureInvalid):
        verify("ACCESS|HD1|00", "***", public)


def test_join_fields_joins_with_pipes() -> None:
    """Fields are joined with '|' in order; an empty field stays an empty slot."""
    assert join_fields(["A", "", "C"]) == "A||C"
