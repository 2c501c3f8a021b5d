"""Ksher ``sign`` (PROTOCOLS C.2): Ksher's own published answers, round trips, tampering."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given
from hypothesis import strategies as st

from penalty.errors import InvalidInput
from penalty.providers._keys import KeyWarning
from penalty.providers.ksher import (
    KSHER_PUBLIC_KEY_DER_B64,
    ksher_public_key,
    load_private_key,
    load_public_key,
    sign,
    sign_string,
    verify,
)
from tests.helpers import ROOT

_FIXTURE = ROOT / "fixtures" / "ksher" / "published_responses.json"
#: Real Ksher answers: two from ksher-solutions/ksher_sdk_nodejs test/verifySignature.test.js
#: @ 32fdccae5cf49a9736d4c77f0e21f1040857a36c, one from seed 002 (see the fixture's "source").
PUBLISHED: list[dict[str, Any]] = json.loads(_FIXTURE.read_text(encoding="utf-8"))["responses"]
_IDS = [item["name"] for item in PUBLISHED]

param_keys = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(lambda k: k != "sign")
param_values = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12),
)
param_sets = st.dictionaries(param_keys, param_values, min_size=1, max_size=8)


@cache
def _merchant_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.mark.parametrize("item", PUBLISHED, ids=_IDS)
def test_published_response_verifies_with_shipped_key(item: dict[str, Any]) -> None:
    """Each published Ksher answer verifies with the shipped public key (MD5withRSA)."""
    response = item["response"]
    assert verify(response["data"], response["sign"])
    assert verify(response["data"], response["sign"], ksher_public_key())


@pytest.mark.parametrize("item", PUBLISHED, ids=_IDS)
def test_published_response_fails_with_sha256(item: dict[str, Any]) -> None:
    """The same answers do not verify as SHA256withRSA: the hash really is MD5."""
    response = item["response"]
    with pytest.raises(InvalidSignature):
        ksher_public_key().verify(
            bytes.fromhex(response["sign"]),
            sign_string(response["data"]).encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )


@pytest.mark.parametrize("item", PUBLISHED, ids=_IDS)
@pytest.mark.parametrize("index", [0, 17, 63, 127])
def test_one_character_change_in_published_signature_fails(
    item: dict[str, Any], index: int
) -> None:
    """Changing one character of a published signature (case included) fails."""
    signature: str = item["response"]["sign"]
    for replacement in ("0", "f", signature[index].upper()):
        if replacement == signature[index]:
            continue
        tampered = signature[:index] + replacement + signature[index + 1 :]
        assert not verify(item["response"]["data"], tampered)


@pytest.mark.parametrize("item", PUBLISHED, ids=_IDS)
def test_one_character_change_in_published_data_fails(item: dict[str, Any]) -> None:
    """Changing one character of any published data value fails verification."""
    data: dict[str, Any] = item["response"]["data"]
    for key, value in data.items():
        changed = dict(data)
        changed[key] = value + 1 if isinstance(value, int) else value + "x"
        assert not verify(changed, item["response"]["sign"]), key


def test_shipped_key_is_ksher_rsa512() -> None:
    """The default key is Ksher's published RSA-512 key, also readable as PKCS#1 PEM."""
    key = ksher_public_key()
    assert key.key_size == 512
    pkcs1 = (
        "-----BEGIN RSA PUBLIC KEY-----\n"
        "MEgCQQC+/eeTgrjeCPHmDS/5osWViFyIAryFRIr5canaYhz3Di3UNkT0sf6TkabF\n"
        "LvxPcM9JmEtj2O4TXNpgYATkE/sFAgMBAAE=\n"
        "-----END RSA PUBLIC KEY-----\n"
    )
    with pytest.warns(KeyWarning, match="only 512 bits"):
        assert load_public_key(pkcs1).public_numbers() == key.public_numbers()
    der = KSHER_PUBLIC_KEY_DER_B64.encode()
    with pytest.warns(KeyWarning):
        loaded = load_public_key(der)
    assert loaded.public_numbers() == key.public_numbers()


def test_sign_string_sorts_pairs_without_separator() -> None:
    """The signed text is the sorted ``key=value`` pairs joined with nothing, ``sign`` left out."""
    params = {
        "time_stamp": "20190622131804",
        "nonce_str": "472393a69ca0b86522e1ffa98947f6c7",
        "mch_order_no": "test_mch_order_no",
        "lang": "en",
        "appid": "mch35005",
        "sign": "x",
    }
    assert sign_string(params) == (
        "appid=mch35005lang=enmch_order_no=test_mch_order_no"
        "nonce_str=472393a69ca0b86522e1ffa98947f6c7time_stamp=20190622131804"
    )


def test_sign_string_value_forms() -> None:
    """Ints in decimal, Decimals as written, empty strings kept, nested values as compact JSON."""
    params = {"a": 100, "b": Decimal("1.50"), "c": "", "d": {"x": "é"}, "e": [1, 2], "f": None}
    assert sign_string(params) == 'a=100b=1.50c=d={"x":"é"}e=[1,2]f=null'


@pytest.mark.parametrize(
    ("params", "path"),
    [({"total_fee": 1.5}, "total_fee"), ({"a=b": "c"}, "a=b")],
    ids=["float", "equals-in-key"],
)
def test_unsignable_params_are_invalid_input(params: dict[str, Any], path: str) -> None:
    """A float value or a key containing ``=`` is refused rather than signed ambiguously."""
    with pytest.raises(InvalidInput) as info:
        sign_string(params)
    assert info.value.path == path


@given(param_sets)
def test_sign_verify_round_trip(params: dict[str, Any]) -> None:
    """sign → verify holds for any parameter set with unicode values; hex is lowercase."""
    key = _merchant_key()
    signature = sign(params, key)
    assert len(signature) == 256
    assert signature == signature.lower()
    assert verify(params, signature, key.public_key())
    assert verify({**params, "sign": signature}, signature, key.public_key())


@given(param_sets, st.data())
def test_any_changed_field_fails(params: dict[str, Any], data: Any) -> None:
    """Changing one value, renaming, adding or removing one field fails verification."""
    key = _merchant_key()
    signature = sign(params, key)
    name = data.draw(st.sampled_from(sorted(params)))
    changed = dict(params)
    action = data.draw(st.sampled_from(["value", "rename", "add", "remove"]))
    if action == "value":
        changed[name] = data.draw(param_values.filter(lambda v: str(v) != str(params[name])))
    elif action == "rename":
        new = data.draw(param_keys.filter(lambda k: k not in params))
        changed[new] = changed.pop(name)
    elif action == "add":
        new = data.draw(param_keys.filter(lambda k: k not in params))
        changed[new] = data.draw(param_values)
    else:
        del changed[name]
    if changed:
        assert not verify(changed, signature, key.public_key())


def test_other_key_fails() -> None:
    """A signature by another key does not verify; neither does a too-short or non-hex one."""
    params = {"appid": "mch35000"}
    signature = sign(params, _merchant_key())
    assert not verify(params, signature)  # Ksher's key did not make it
    assert not verify(params, signature[:-2], _merchant_key().public_key())
    assert not verify(params, "z" * 256, _merchant_key().public_key())


def test_private_key_errors_do_not_echo_key_material(tmp_path: Path) -> None:
    """An unreadable key file is InvalidInput naming the path, never the file's contents."""
    bad = tmp_path / "merchant.pem"
    bad.write_text(
        "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETMATERIAL\n-----END RSA PRIVATE KEY-----\n"
    )
    bad.chmod(0o600)
    with pytest.raises(InvalidInput) as info:
        load_private_key(bad)
    assert "TOPSECRETMATERIAL" not in str(info.value)
    assert str(bad) in str(info.value)
    assert info.value.__cause__ is None
