"""Tiki ``X-Tiniapp-Signature``: HMAC-SHA256 over the base64url of ``ts.client_key.payload``.

PROTOCOLS B.4, checked against both vectors published in ``tikivn/tiki-miniapp-docs``
``docs/backend-api/platform-api/calculate-signature.md``::

    payload         = str(timestamp_ms) + "." + client_key + "." + <exact body sent, or path+query>
    encoded_payload = base64url(payload as UTF-8), "=" stripped
    signature       = lowercase hex(HMAC-SHA256(key=client_secret, msg=encoded_payload))

The HMAC message is the *encoded* payload (the docs' pseudocode says ``payload``; their JS and Go
samples, and the published outputs, use ``encoded_payload``). The same scheme signs Tiki's inbound
IPN webhooks, so `verify` and `verify_headers` serve both the sandbox and a webhook endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

from pydantic import SecretStr

from penalty.errors import InvalidInput, SignatureInvalid

__all__ = [
    "HEADER_CLIENT_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "sign",
    "signed_headers",
    "verify",
    "verify_headers",
]

HEADER_TIMESTAMP = "X-Tiniapp-Timestamp"
HEADER_CLIENT_ID = "X-Tiniapp-Client-Id"
HEADER_SIGNATURE = "X-Tiniapp-Signature"

_PROVIDER = "tiki"
_SIGNATURE_RE = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP_RE = re.compile(r"[0-9]{1,19}")


def _reveal(secret: str | SecretStr) -> bytes:
    text = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return text.encode("utf-8")


def _encoded_payload(timestamp_ms: int, client_key: str, payload: str) -> bytes:
    if isinstance(timestamp_ms, bool) or not isinstance(timestamp_ms, int) or timestamp_ms < 0:
        raise InvalidInput(
            "must be a non-negative int (milliseconds since the epoch)",
            path="timestamp_ms",
            value=timestamp_ms,
            code="invalid_timestamp",
        )
    raw = f"{timestamp_ms}.{client_key}.{payload}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def sign(timestamp_ms: int, client_key: str, client_secret: str | SecretStr, payload: str) -> str:
    """The ``X-Tiniapp-Signature`` value for one request (PROTOCOLS B.4).

    Args:
        timestamp_ms: the ``X-Tiniapp-Timestamp`` value, milliseconds since the epoch.
        client_key: the app's client key (sent as ``X-Tiniapp-Client-Id``).
        client_secret: the app's client secret (a `SecretStr` keeps it out of reprs).
        payload: the exact JSON body sent (POST), or the path plus query without the base URL
            (GET), e.g. ``/order?location=H%C3%A0%20N%E1%BB%99i&order_id=1``.

    Returns:
        64 lowercase hex characters.

    Example (Tiki's published POST vector):
        >>> sign(1620621619569, "RLCKb7Ae9kx4DXtXsCWjnDXtggFnM43W",
        ...      "EhjGcsUUuRSJTHiYPbW5fxzyaKEx0JuAZIKRQ4HnIfNFidB2kMg6locQbTIEz3Vf",
        ...      '{"id":123}')
        '8ebd092b9df2cf90e8ccbcab2ba87ee14f2abb25eb8f18b4d7286d42adcd45c2'
    """
    message = _encoded_payload(timestamp_ms, client_key, payload)
    return hmac.new(_reveal(client_secret), message, hashlib.sha256).hexdigest()


def verify(
    timestamp_ms: int,
    client_key: str,
    client_secret: str | SecretStr,
    payload: str,
    signature: str,
) -> bool:
    """Whether ``signature`` is the `sign` of these inputs, compared in constant time.

    Only the exact lowercase 64-hex form Tiki produces is accepted.

    Example:
        >>> good = sign(1, "key", "secret", '{"a":1}')
        >>> verify(1, "key", "secret", '{"a":1}', good), verify(1, "key", "secret", '{"a":2}', good)
        (True, False)
    """
    expected = sign(timestamp_ms, client_key, client_secret, payload)
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogatepass"))


def signed_headers(
    timestamp_ms: int, client_key: str, client_secret: str | SecretStr, payload: str
) -> dict[str, str]:
    """The three ``X-Tiniapp-*`` headers for a request whose signed payload is ``payload``.

    Example:
        >>> sorted(signed_headers(1, "key", "secret", "{}"))
        ['X-Tiniapp-Client-Id', 'X-Tiniapp-Signature', 'X-Tiniapp-Timestamp']
    """
    return {
        HEADER_TIMESTAMP: str(timestamp_ms),
        HEADER_CLIENT_ID: client_key,
        HEADER_SIGNATURE: sign(timestamp_ms, client_key, client_secret, payload),
    }


def verify_headers(
    headers: Mapping[str, str],
    payload: str,
    *,
    client_key: str,
    client_secret: str | SecretStr,
    now_ms: int | None = None,
    max_skew_ms: int | None = None,
) -> int:
    """Check an inbound request's ``X-Tiniapp-*`` headers (a sandbox, or a Tiki IPN webhook).

    Args:
        headers: the request headers; names are matched case-insensitively.
        payload: the exact body received (POST), or the path plus query (GET).
        client_key: the expected ``X-Tiniapp-Client-Id``.
        client_secret: the shared secret.
        now_ms: the receiver's clock, needed only with ``max_skew_ms``.
        max_skew_ms: reject a timestamp further than this from ``now_ms`` (Tiki does not publish
            its window for this API; its other signed APIs use one or five minutes).

    Returns:
        The verified timestamp in milliseconds.

    Raises:
        SignatureInvalid: a header is missing or malformed, the client id is not ours, the
            timestamp is stale, or the signature does not match. ``code`` says which.

    Example:
        >>> h = signed_headers(1620621619569, "key", "secret", '{"id":123}')
        >>> verify_headers(h, '{"id":123}', client_key="key", client_secret="secret")
        1620621619569
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = lowered.get(HEADER_TIMESTAMP.lower())
    client_id = lowered.get(HEADER_CLIENT_ID.lower())
    signature = lowered.get(HEADER_SIGNATURE.lower())
    if timestamp is None or client_id is None or signature is None:
        raise SignatureInvalid(
            "missing X-Tiniapp-Timestamp, X-Tiniapp-Client-Id or X-Tiniapp-Signature",
            provider=_PROVIDER,
            code="signature_missing",
        )
    if not _TIMESTAMP_RE.fullmatch(timestamp) or not _SIGNATURE_RE.fullmatch(signature):
        raise SignatureInvalid(
            "malformed timestamp or signature header",
            provider=_PROVIDER,
            code="signature_malformed",
        )
    if not hmac.compare_digest(client_id.encode(), client_key.encode()):
        raise SignatureInvalid("unknown client id", provider=_PROVIDER, code="unknown_client")
    timestamp_ms = int(timestamp)
    if max_skew_ms is not None and now_ms is not None and abs(now_ms - timestamp_ms) > max_skew_ms:
        raise SignatureInvalid(
            f"timestamp is more than {max_skew_ms} ms away from now",
            provider=_PROVIDER,
            code="signature_stale",
        )
    if not verify(timestamp_ms, client_key, client_secret, payload, signature):
        raise SignatureInvalid(
            "signature does not match", provider=_PROVIDER, code="signature_mismatch"
        )
    return timestamp_ms
