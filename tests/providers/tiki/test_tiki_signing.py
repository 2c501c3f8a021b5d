"""``X-Tiniapp-Signature`` (PROTOCOLS B.4): Tiki's published vectors, round trips, tampering."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from penalty.errors import InvalidInput, SignatureInvalid
from penalty.providers.tiki import sign, signed_headers, verify, verify_headers
from tests.helpers import ROOT

_FIXTURE = ROOT / "fixtures" / "tiki" / "signature_vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(_FIXTURE.read_text(encoding="utf-8"))["vectors"]

timestamps = st.integers(min_value=0, max_value=2**63 - 1)
texts = st.text(st.characters(codec="utf-8"), max_size=200)
keys = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_published_vector_reproduces(vector: dict[str, Any]) -> None:
    """Tiki's published POST and GET vectors give the published signatures."""
    got = sign(
        vector["timestamp_ms"], vector["client_key"], vector["client_secret"], vector["payload"]
    )
    assert got == vector["signature"]
    assert verify(
        vector["timestamp_ms"],
        vector["client_key"],
        SecretStr(vector["client_secret"]),
        vector["payload"],
        vector["signature"],
    )


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_published_encoded_payload_is_what_is_hmaced(vector: dict[str, Any]) -> None:
    """The HMAC message is the published base64url payload, not the raw payload (docs typo)."""
    raw = f"{vector['timestamp_ms']}.{vector['client_key']}.{vector['payload']}"
    encoded = base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()
    assert encoded == vector["encoded_payload"]
    over_raw = hmac.new(vector["client_secret"].encode(), raw.encode(), hashlib.sha256).hexdigest()
    assert over_raw != vector["signature"]


def test_get_vector_needs_percent_20_not_plus() -> None:
    """The GET vector signs ``%20`` for a space; the pseudocode's ``+`` form does not verify."""
    vector = next(v for v in VECTORS if v["name"] == "GET")
    plus = vector["payload"].replace("%20", "+")
    args = (vector["timestamp_ms"], vector["client_key"], vector["client_secret"])
    assert not verify(*args, plus, vector["signature"])


@given(timestamps, keys, texts, texts)
def test_sign_verify_round_trip(ts: int, key: str, secret: str, payload: str) -> None:
    """sign → verify holds for any timestamp, key, secret and unicode payload."""
    signature = sign(ts, key, secret, payload)
    assert len(signature) == 64
    assert signature == signature.lower()
    assert verify(ts, key, SecretStr(secret), payload, signature)


@given(timestamps, keys, texts, texts, st.data())
def test_any_changed_field_fails(ts: int, key: str, secret: str, payload: str, data: Any) -> None:
    """Changing exactly one signed field (timestamp, client key or payload) fails verification."""
    signature = sign(ts, key, secret, payload)
    which = data.draw(st.sampled_from(["ts", "key", "payload"]))
    changed: dict[str, Any] = {"ts": ts, "key": key, "payload": payload, "secret": secret}
    if which == "ts":
        changed["ts"] = data.draw(timestamps.filter(lambda other: other != ts))
    else:
        strategy = keys if which == "key" else texts
        changed[which] = data.draw(strategy.filter(lambda other: other != changed[which]))
    assert not verify(
        changed["ts"], changed["key"], changed["secret"], changed["payload"], signature
    )


@given(timestamps, texts, st.integers(min_value=0, max_value=63), st.data())
def test_one_character_change_in_signature_fails(
    ts: int, payload: str, index: int, data: Any
) -> None:
    """Any one changed character in the signature, case included, fails verification."""
    signature = sign(ts, "key", "secret", payload)
    replacement = data.draw(
        st.sampled_from("0123456789abcdefABCDEF").filter(lambda c: c != signature[index])
    )
    tampered = signature[:index] + replacement + signature[index + 1 :]
    assert not verify(ts, "key", "secret", payload, tampered)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1620621619569"], ids=repr)
def test_bad_timestamp_is_invalid_input(bad: Any) -> None:
    """A negative, float, bool or string timestamp is refused, not coerced."""
    with pytest.raises(InvalidInput) as info:
        sign(bad, "key", "secret", "{}")
    assert info.value.path == "timestamp_ms"


def test_verify_headers_accepts_signed_headers() -> None:
    """Headers made by `signed_headers` verify, whatever the header-name case."""
    headers = {k.lower(): v for k, v in signed_headers(5, "key", "secret", "{}").items()}
    assert verify_headers(headers, "{}", client_key="key", client_secret="secret") == 5


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"X-Tiniapp-Signature": None}, "signature_missing"),
        ({"X-Tiniapp-Timestamp": "12a"}, "signature_malformed"),
        ({"X-Tiniapp-Signature": "ABC"}, "signature_malformed"),
        ({"X-Tiniapp-Client-Id": "other"}, "unknown_client"),
        ({"X-Tiniapp-Timestamp": "6"}, "signature_mismatch"),
    ],
    ids=["missing", "bad-timestamp", "bad-signature-form", "other-client", "mismatch"],
)
def test_verify_headers_rejections(change: dict[str, str | None], code: str) -> None:
    """Missing, malformed, foreign or mismatched headers raise SignatureInvalid with a code."""
    headers: dict[str, str] = signed_headers(5, "key", "secret", "{}")
    for name, value in change.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    with pytest.raises(SignatureInvalid) as info:
        verify_headers(headers, "{}", client_key="key", client_secret="secret")
    assert info.value.code == code


def test_verify_headers_rejects_stale_timestamp() -> None:
    """A timestamp further from now than ``max_skew_ms`` is refused (IPN replay guard)."""
    headers = signed_headers(1_000, "key", "secret", "{}")
    with pytest.raises(SignatureInvalid) as info:
        verify_headers(
            headers, "{}", client_key="key", client_secret="secret", now_ms=400_000, max_skew_ms=1
        )
    assert info.value.code == "signature_stale"


def test_wrong_secret_fails() -> None:
    """A signature made with another secret does not verify."""
    signature = sign(1, "key", "secret", "{}")
    assert not verify(1, "key", "secre7", "{}", signature)
