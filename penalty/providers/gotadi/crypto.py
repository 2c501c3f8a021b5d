"""Gotadi's hybrid RSA + 3DES envelope (PROTOCOLS A.3), both directions.

Sending ``fields`` to a receiver::

    signature = base64( SHA256withRSA(sender_private, "f1|f2|…") )        # standard, padded
    original  = "f1|f2|…|" + signature
    key       = base64url( RSA-encrypt(receiver_public, k) )             # k: 24 random bytes
    data      = base64url( 3DES-ECB-PKCS5(k, utf8(original)) )           # both unpadded

Receiving reverses it: RSA-decrypt ``key`` with our private key, 3DES-decrypt ``data``, split on
``|``: the last element is the signature of the rest, verified with the sender's public key.

Decoding accepts both base64 alphabets, padded or not, with line breaks (commons-codec's
``decodeBase64`` does, and its old ``encodeBase64String`` wrapped lines).

Fields may not contain ``|``: the scheme has no escape, so `seal` rejects such a field with
`InvalidInput` instead of sending something the receiver would split differently.

Every failure to open an envelope is a `ProviderProtocolError`: ``code="undecryptable"`` when
``key``/``data`` cannot be decoded or decrypted, `SignatureInvalid` when the signature is missing,
malformed or wrong. Nothing from a message is returned unless its signature verified.

The RSA padding used for ``key`` is not published (PROTOCOLS "Could not confirm" 1): it is the
`RsaPadding` setting, PKCS#1 v1.5 by default. 3DES is ECB with PKCS#5 padding (INFERRED from the
Java default): the envelope carries no IV, so no other mode could be meant.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable, Sequence
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from penalty.errors import InvalidInput, ProviderProtocolError, SignatureInvalid

__all__ = [
    "SEPARATOR",
    "TRIPLE_DES_KEY_BYTES",
    "RsaPadding",
    "b64decode_lenient",
    "b64encode_standard",
    "b64encode_urlsafe",
    "join_fields",
    "open_envelope",
    "seal",
    "sign",
    "verify",
]

PROVIDER = "gotadi"
SEPARATOR = "|"
TRIPLE_DES_KEY_BYTES = 24
_BLOCK_BITS = 64

_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")


class RsaPadding(StrEnum):
    """How the 3DES key is RSA-encrypted into ``key``: unconfirmed by Gotadi, hence a setting.

    * ``pkcs1v15`` (default): ``RSA/ECB/PKCS1Padding``, what Java's ``Cipher.getInstance("RSA")``
      means on SunJCE.
    * ``oaep-sha1``: ``RSA/ECB/OAEPWithSHA-1AndMGF1Padding``.
    * ``oaep-sha256``: ``RSA/ECB/OAEPWithSHA-256AndMGF1Padding`` as SunJCE does it: SHA-256 for
      the label hash, but MGF1 with SHA-1 (Java's default parameters).
    """

    PKCS1V15 = "pkcs1v15"
    OAEP_SHA1 = "oaep-sha1"
    OAEP_SHA256 = "oaep-sha256"

    def scheme(self) -> rsa_padding.AsymmetricPadding:
        """The `cryptography` padding object for this setting."""
        if self is RsaPadding.OAEP_SHA1:
            # Gotadi's .NET side: OAEP with SHA-1 is what RSACryptoServiceProvider offers.
            return rsa_padding.OAEP(rsa_padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)  # noqa: S303
        if self is RsaPadding.OAEP_SHA256:
            return rsa_padding.OAEP(rsa_padding.MGF1(hashes.SHA1()), hashes.SHA256(), None)  # noqa: S303
        return rsa_padding.PKCS1v15()


def b64encode_urlsafe(raw: bytes) -> str:
    """commons-codec ``encodeBase64URLSafeString``: ``-``/``_`` alphabet, no ``=``, one line."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def b64encode_standard(raw: bytes) -> str:
    """commons-codec ``encodeBase64String`` (1.5+): ``+``/``/`` alphabet, padded, one line."""
    return base64.b64encode(raw).decode("ascii")


def b64decode_lenient(text: str) -> bytes:
    """Decode base64 in either alphabet, padded or not, ignoring whitespace and line breaks.

    Raises:
        ValueError: characters outside both alphabets, or an impossible length.

    Example:
        >>> b64decode_lenient("-_8") == b64decode_lenient("+/8=") == bytes([0xFB, 0xFF])
        True
    """
    compact = "".join(text.split())
    if not _BASE64_TEXT.fullmatch(compact):
        raise ValueError("not base64")
    body = compact.rstrip("=").replace("-", "+").replace("_", "/")
    if len(body) % 4 == 1:
        raise ValueError("impossible base64 length")
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc


def join_fields(fields: Sequence[str], *, path: str = "fields") -> str:
    """``f1|f2|…`` after checking that no field contains the separator.

    Raises:
        InvalidInput: a field contains ``|`` (``code="separator_in_field"``); the scheme has no
            escape, so such a value cannot be sent.

    Example:
        >>> join_fields(["ACCESS", "HDCO2107121213651", "0.00"])
        'ACCESS|HDCO2107121213651|0.00'
    """
    for index, value in enumerate(fields):
        if SEPARATOR in value:
            raise InvalidInput(
                "contains '|', which Gotadi's pipe-separated payload cannot carry",
                path=f"{path}[{index}]",
                code="separator_in_field",
            )
    return SEPARATOR.join(fields)


def sign(text: str, private_key: rsa.RSAPrivateKey) -> str:
    """SHA256withRSA (PKCS#1 v1.5) over the UTF-8 bytes of ``text``, standard base64."""
    signature = private_key.sign(text.encode("utf-8"), rsa_padding.PKCS1v15(), hashes.SHA256())
    return b64encode_standard(signature)


def verify(text: str, signature: str, public_key: rsa.RSAPublicKey) -> None:
    """Check a SHA256withRSA signature (either base64 alphabet).

    Raises:
        SignatureInvalid: malformed or wrong.
    """
    try:
        raw = b64decode_lenient(signature)
    except ValueError:
        raise SignatureInvalid("signature is not base64", provider=PROVIDER) from None
    if not raw:
        raise SignatureInvalid("signature is missing", provider=PROVIDER)
    try:
        public_key.verify(raw, text.encode("utf-8"), rsa_padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureInvalid("signature does not verify", provider=PROVIDER) from None


def _triple_des(key: bytes) -> Cipher[modes.ECB]:
    return Cipher(TripleDES(key), modes.ECB())  # noqa: S305 - PROTOCOLS A.3 mandates 3DES-ECB


def _java_des_key(raw: bytes) -> bytes:
    """Set odd parity on each byte, as Java's ``KeyGenerator("DESede")`` does."""
    return bytes(
        (b & 0xFE) | (((b & 0xFE).bit_count() & 1) ^ 1) for b in raw[:TRIPLE_DES_KEY_BYTES]
    )


def seal(
    fields: Sequence[str],
    *,
    sender_private: rsa.RSAPrivateKey,
    receiver_public: rsa.RSAPublicKey,
    padding: RsaPadding = RsaPadding.PKCS1V15,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes,
) -> tuple[str, str]:
    """Sign and encrypt ``fields`` into Gotadi's ``(key, data)`` pair.

    Raises:
        InvalidInput: a field contains ``|``.
    """
    signed = join_fields(fields)
    original = f"{signed}{SEPARATOR}{sign(signed, sender_private)}"
    des_key = _java_des_key(random_bytes(TRIPLE_DES_KEY_BYTES))
    padder = sym_padding.PKCS7(_BLOCK_BITS).padder()
    plain = padder.update(original.encode("utf-8")) + padder.finalize()
    encryptor = _triple_des(des_key).encryptor()
    data = encryptor.update(plain) + encryptor.finalize()
    key = receiver_public.encrypt(des_key, padding.scheme())
    return b64encode_urlsafe(key), b64encode_urlsafe(data)


def _undecryptable(what: str) -> ProviderProtocolError:
    return ProviderProtocolError(f"cannot decrypt {what}", provider=PROVIDER, code="undecryptable")


def open_envelope(
    key: str,
    data: str,
    *,
    receiver_private: rsa.RSAPrivateKey,
    sender_public: rsa.RSAPublicKey,
    padding: RsaPadding = RsaPadding.PKCS1V15,
) -> list[str]:
    """Decrypt ``(key, data)`` and verify its signature; the signed fields, signature removed.

    Raises:
        ProviderProtocolError: ``key`` or ``data`` cannot be decoded or decrypted
            (``code="undecryptable"``).
        SignatureInvalid: the signature is missing, malformed or does not verify.
    """
    try:
        des_key = receiver_private.decrypt(b64decode_lenient(key), padding.scheme())
    except ValueError:
        raise _undecryptable("key") from None
    if len(des_key) != TRIPLE_DES_KEY_BYTES:
        raise _undecryptable("key")
    try:
        encrypted = b64decode_lenient(data)
        decryptor = _triple_des(des_key).decryptor()
        padded = decryptor.update(encrypted) + decryptor.finalize()
        unpadder = sym_padding.PKCS7(_BLOCK_BITS).unpadder()
        original = (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
    except ValueError:  # bad base64, not whole blocks, bad padding, bad UTF-8
        raise _undecryptable("data") from None
    signed, separator, signature = original.rpartition(SEPARATOR)
    if not separator:
        raise SignatureInvalid("data carries no signature", provider=PROVIDER)
    verify(signed, signature, sender_public)
    return signed.split(SEPARATOR)
