"""Ksher ``sign``: MD5withRSA (PKCS#1 v1.5) over sorted ``key=value`` pairs, lowercase hex.

PROTOCOLS C.2, as Ksher's SDKs do it::

    string = "".join(sorted(f"{key}={value}" for every param except "sign"))
    sign   = lowercase hex(RSA-PKCS1v15-sign(private_key, MD5, string as UTF-8))

Requests are signed with the merchant's private key; a response is verified over its ``data``
object only, with Ksher's public key (RSA-512, published in every SDK and shipped here as
`KSHER_PUBLIC_KEY_DER_B64`). The pairs are sorted as whole ``key=value`` strings, like the Go and
Python SDKs; the Node SDK sorts by key, which gives the same string unless one key is a prefix of
another followed by a character below ``=`` (never the case for Ksher's own field names).

Values are written as text: a string as is, an int in decimal, a `~decimal.Decimal` as written;
``None``, booleans, objects and arrays as compact JSON (INFERRED, see README). Floats are refused.

`cryptography` verifies with a 512-bit key (only *generating* keys under 1024 bits is refused),
so no hand-written RSA is needed. Keys load through `penalty.providers._keys`, the loader every
provider shares: a merchant key under 1024 bits is refused; a Ksher key under 1024 bits (its
published one has 512) loads with a `~penalty.providers._keys.KeyWarning` when configured.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from penalty.errors import InvalidInput
from penalty.providers import _keys
from penalty.providers._keys import KeySource

__all__ = [
    "KSHER_PUBLIC_KEY_DER_B64",
    "MIN_MERCHANT_BITS",
    "ksher_public_key",
    "load_private_key",
    "load_public_key",
    "sign",
    "sign_string",
    "verify",
]

#: Ksher's gateway public key (RSA-512, SubjectPublicKeyInfo DER, base64), as in all its SDKs.
KSHER_PUBLIC_KEY_DER_B64 = (
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL7955OCuN4I8eYNL/mixZWIXIgCvIVEivlxqdpiHPcOLdQ2RPSx/pORpsUu"
    "/E9wz0mYS2PY7hNc2mBgBOQT+wUCAwEAAQ=="
)

_HEX_RE = re.compile(r"[0-9a-f]+")


#: The shortest merchant key accepted (Ksher's merchant platform issues 1024-bit keys).
MIN_MERCHANT_BITS = 1024
#: Ksher's own keys below this size load with a `KeyWarning` (its published key has 512 bits).
WEAK_BELOW = 1024


@functools.cache
def ksher_public_key() -> rsa.RSAPublicKey:
    """Ksher's published public key, the default for verifying its responses (RSA-512).

    Example:
        >>> ksher_public_key().key_size
        512
    """
    return _keys.load_public_key(
        KSHER_PUBLIC_KEY_DER_B64.encode(), setting="ksher.public_key", min_bits=512, who="Ksher"
    )


def load_public_key(
    source: KeySource | rsa.RSAPublicKey, *, setting: str = "ksher.public_key"
) -> rsa.RSAPublicKey:
    """The key Ksher's answers are verified with (`penalty.providers._keys`): a file, PEM, bare
    base64 DER (as bytes) or a key; one under 1024 bits loads with a `KeyWarning`.

    Example:
        >>> from penalty.providers.ksher.sandbox import sandbox_key_path
        >>> load_public_key(sandbox_key_path("ksher-gateway-TEST-ONLY-public.pem")).key_size
        1024
    """
    return _keys.load_public_key(
        source, setting=setting, min_bits=512, weak_below=WEAK_BELOW, who="Ksher"
    )


def load_private_key(
    source: KeySource | rsa.RSAPrivateKey, *, setting: str = "ksher.private_key"
) -> rsa.RSAPrivateKey:
    """The merchant's RSA private key (a file, PEM text or bytes, or a key), at least 1024 bits.

    The key material never appears in an error message.

    Example:
        >>> from penalty.providers.ksher.sandbox import sandbox_key_path
        >>> load_private_key(sandbox_key_path("ksher-merchant-TEST-ONLY.pem")).key_size
        1024
    """
    return _keys.load_private_key(
        source, setting=setting, min_bits=MIN_MERCHANT_BITS, who="a Ksher merchant key"
    )


def _text(name: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, int | Decimal):
        return str(value)
    raise InvalidInput(
        "must be a string, an int or a Decimal (floats are refused)",
        path=name,
        value=value,
        code="unsupported_value",
    )


def sign_string(params: Mapping[str, object]) -> str:
    """The exact text Ksher signs: sorted ``key=value`` pairs, no separator, ``sign`` left out.

    Raises:
        InvalidInput: a key contains ``=`` (ambiguous), or a value is a float or another type.

    Example (PROTOCOLS C.2):
        >>> sign_string({"time_stamp": "20190622131804", "appid": "mch35005", "lang": "en",
        ...              "total_fee": 100, "sign": "ignored"})
        'appid=mch35005lang=entime_stamp=20190622131804total_fee=100'
    """
    pairs = []
    for key, value in params.items():
        if key == "sign":
            continue
        if "=" in key:
            raise InvalidInput("must not contain '='", path=key, value=key, code="invalid_key")
        pairs.append(f"{key}={_text(key, value)}")
    return "".join(sorted(pairs))


def sign(params: Mapping[str, object], private_key: rsa.RSAPrivateKey) -> str:
    """Sign request ``params`` with the merchant's private key (MD5withRSA, lowercase hex).

    Args:
        params: every request parameter (``appid``, ``nonce_str``, ``time_stamp``, ...);
            a ``sign`` entry is ignored.
        private_key: the merchant's RSA private key (see `load_private_key`).

    Returns:
        ``2 × key bytes`` lowercase hex digits (256 for a 1024-bit key).

    Example:
        >>> from penalty.providers.ksher.sandbox import sandbox_key_path
        >>> key = load_private_key(sandbox_key_path("ksher-merchant-TEST-ONLY.pem"))
        >>> signature = sign({"appid": "mch35000", "mch_order_no": "A1"}, key)
        >>> len(signature), verify({"mch_order_no": "A1", "appid": "mch35000"}, signature,
        ...                        key.public_key())
        (256, True)
    """
    message = sign_string(params).encode("utf-8")
    return private_key.sign(message, padding.PKCS1v15(), hashes.MD5()).hex()  # noqa: S303 - Ksher's MD5withRSA


def verify(
    data: Mapping[str, object],
    signature: str,
    public_key: rsa.RSAPublicKey | None = None,
) -> bool:
    """Whether ``signature`` signs ``data`` (a response's ``data`` object, or request params).

    Only the exact lowercase hex form of the key's length is accepted, so a changed letter
    case counts as a change.

    Args:
        data: the signed mapping; a ``sign`` entry in it is ignored.
        signature: lowercase hex.
        public_key: the signer's key; Ksher's published key (`ksher_public_key`) by default.

    Example (a real Ksher answer, from seed 002):
        >>> data = {"cash_fee": "", "attach": "", "result": "CLOSED", "openid": "", "rate": "",
        ...     "channel": "", "nonce_str": "", "mch_order_no": "k_20210520_24",
        ...     "cash_fee_type": "", "pay_mch_order_no": "2106021528410423", "total_fee": 2000,
        ...     "fee_type": "THB", "ksher_order_no": "", "channel_order_no": "", "time_end": "",
        ...     "appid": "mch29217"}
        >>> verify(data, "8cc824680208d28c04c9adb1ca2d304958c29846a7b778cf959540899721b590"
        ...              "1c72f7360cbd7ccb64ee6b0b57e82f97373d8c90b57343cf5550cd8e03dea306")
        True
    """
    key = public_key if public_key is not None else ksher_public_key()
    expected_length = 2 * ((key.key_size + 7) // 8)
    if len(signature) != expected_length or not _HEX_RE.fullmatch(signature):
        return False
    try:
        key.verify(
            bytes.fromhex(signature),
            sign_string(data).encode("utf-8"),
            padding.PKCS1v15(),
            hashes.MD5(),  # noqa: S303 - Ksher signs with MD5withRSA (PROTOCOLS C)
        )
    except InvalidSignature:
        return False
    return True
