"""Secrets stay secret: one scan across all three providers, every output channel.

Gotadi's api key, access code, bearer token and the partner's RSA private key; Tiki's client
secret; Ksher's merchant RSA private key. Each provider's CLI runs against its sandbox on good and
bad outcomes, in text and ``--json``, with DEBUG logging on for every logger (httpx and httpcore
included); library calls that fail add their full tracebacks (notes and causes included); every
settings object, client and sandbox adds its ``repr``/``str``. No captured text may contain a
secret, in any of the forms a key is usually written (PEM lines, the private exponent and primes
in decimal, hex and base64).

The per-provider tests (``tests/*/test_*_secrets*``, ``test_secret_never_shown``,
``test_private_key_never_shown``) check their own channels; this one adds logs, ``--json``, the
Gotadi private key and tracebacks, for all three at once.
"""

from __future__ import annotations

import base64
import json
import logging
import traceback
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from penalty.booking import Booking
from penalty.cli import main
from penalty.errors import PenaltyError
from penalty.providers import gotadi, ksher, tiki
from penalty.providers._sandbox import SandboxServer
from penalty.providers.gotadi import FlowSettings, KeyPair, bundled_test_keys

GOTADI_API_KEY = "TEST-ONLY-scan-gotadi-apikey-5b7d"
GOTADI_ACCESS_CODE = "TEST-ONLY-scan-gotadi-access-c41e"
GOTADI_BEARER = "TEST-ONLY-scan-gotadi-bearer-0a9f"
TIKI_SECRET = "TEST-ONLY-scan-tiki-secret-e3c8"

_GOTADI_PARTNER = rsa.generate_private_key(public_exponent=65537, key_size=1024)
_KSHER_MERCHANT = rsa.generate_private_key(public_exponent=65537, key_size=1024)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _key_forms(key: rsa.RSAPrivateKey) -> list[str]:
    """A private key as it could leak: PEM body lines; d, p, q in decimal, hex and base64."""
    numbers = key.private_numbers()
    forms = [line for line in _pem(key).decode().splitlines() if not line.startswith("-----")]
    for secret in (numbers.d, numbers.p, numbers.q):
        raw = secret.to_bytes((secret.bit_length() + 7) // 8, "big")
        forms += [str(secret)[:40], format(secret, "x")[:40], base64.b64encode(raw).decode()[:40]]
    return forms


SECRETS = [
    GOTADI_API_KEY,
    GOTADI_ACCESS_CODE,
    GOTADI_BEARER,
    TIKI_SECRET,
    *_key_forms(_GOTADI_PARTNER),
    *_key_forms(_KSHER_MERCHANT),
]


def _public_pem(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture
def servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """The three sandboxes, running, and ``PENALTY_*`` pointing every CLI command at them."""
    _, gotadi_side = bundled_test_keys()
    gotadi_sandbox = gotadi.Sandbox(
        KeyPair(own_private=gotadi_side.own_private, peer_public=_GOTADI_PARTNER.public_key()),
        api_key=GOTADI_API_KEY,
        access_code=GOTADI_ACCESS_CODE,
        bearer_token=GOTADI_BEARER,
        slow_delay=0.5,
    )
    tiki_sandbox = tiki.Sandbox(
        client_key="TEST-ONLY-scan-tiki-key", client_secret=SecretStr(TIKI_SECRET)
    )
    ksher_sandbox = ksher.Sandbox(merchant_key=_KSHER_MERCHANT.public_key())
    files = {
        "gotadi-private.pem": _pem(_GOTADI_PARTNER),
        "gotadi-public.pem": _public_pem(gotadi_side.own_private.public_key()),
        "ksher-private.pem": _pem(_KSHER_MERCHANT),
        "ksher-public.pem": _public_pem(ksher_sandbox.public_key),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        (tmp_path / name).chmod(0o600)
    for name in ("CONFIG", "CONFIRM_UNSIGNED", "LANG", "RSA_PADDING"):
        for provider in ("GOTADI", "TIKI", "KSHER"):
            monkeypatch.delenv(f"PENALTY_{provider}_{name}", raising=False)
    with (
        SandboxServer(gotadi_sandbox) as g,
        tiki_sandbox.serve() as t,
        ksher_sandbox.serve() as k,
    ):
        environment = {
            "PENALTY_GOTADI_BASE_URL": g.url,
            "PENALTY_GOTADI_API_KEY": GOTADI_API_KEY,
            "PENALTY_GOTADI_ACCESS_CODE": GOTADI_ACCESS_CODE,
            "PENALTY_GOTADI_BEARER_TOKEN": GOTADI_BEARER,
            "PENALTY_GOTADI_PRIVATE_KEY": str(tmp_path / "gotadi-private.pem"),
            "PENALTY_GOTADI_PUBLIC_KEY": str(tmp_path / "gotadi-public.pem"),
            "PENALTY_GOTADI_TIMEOUT": "0.25",
            "PENALTY_GOTADI_ON_TOTAL_MISMATCH": "ours",
            "PENALTY_TIKI_BASE_URL": t.url + "/tiniapp-open-api",
            "PENALTY_TIKI_CLIENT_KEY": "TEST-ONLY-scan-tiki-key",
            "PENALTY_TIKI_CLIENT_SECRET": TIKI_SECRET,
            "PENALTY_TIKI_TIMEOUT": "0.25",
            "PENALTY_KSHER_BASE_URL": k.url + "/api",
            "PENALTY_KSHER_APPID": ksher_sandbox.appid,
            "PENALTY_KSHER_PRIVATE_KEY": str(tmp_path / "ksher-private.pem"),
            "PENALTY_KSHER_PUBLIC_KEY": str(tmp_path / "ksher-public.pem"),
            "PENALTY_KSHER_TIMEOUT": "0.25",
        }
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        yield {
            "gotadi": gotadi_sandbox,
            "tiki": tiki_sandbox,
            "ksher": ksher_sandbox,
            "folder": tmp_path,
        }


BOOKING = {
    "total": "3000000",
    "currency": "VND",
    "nightly_rates": ["1000000", "1200000", "800000"],
    "timezone": "Asia/Ho_Chi_Minh",
}
AT = "2021-05-13T09:00:00+07:00"

COMMANDS = [
    *(
        [*command, *extra]
        for command in (
            ["gotadi", "check", "EX3"],
            ["gotadi", "check", "EX3-GARBAGE"],
            ["gotadi", "status", "EX3-E06"],
            ["gotadi", "status", "EX3-BAD-SIGNATURE"],
            ["gotadi", "cancel", "EX3", "--booking", "{booking}", "--at", AT],
            ["gotadi", "cancel", "EX3-E03", "--booking", "{booking}", "--at", AT],
            ["gotadi", "cancel", "EX3-TAMPERED", "--booking", "{booking}", "--at", AT],
            ["gotadi", "cancel", "EX3-NOT-ALLOWED", "--booking", "{booking}", "--at", AT],
            ["tiki", "cancel", "1", "--comment", "x"],
            ["tiki", "cancel", "1", "--comment", "x"],  # already cancelled: rejected
            ["tiki", "cancel", "badsig-2", "--comment", "x"],
            ["tiki", "cancel", "slow-3", "--comment", "x"],
            ["tiki", "cancel", "truncated-4", "--comment", "x"],
            ["ksher", "cancel", "BK-1"],
            ["ksher", "cancel", "paid-2"],
            ["ksher", "cancel", "badsig-3"],
            ["ksher", "query", "BK-1"],
            ["ksher", "cancel", "truncated-4"],
        )
        for extra in ([], ["--json"])
    )
]


def _scan(texts: list[str]) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a secret leaked into: {text[:200]!r}"


def test_no_cli_output_or_log_line_holds_a_secret(
    servers: dict[str, object],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every provider command, text and --json, good and bad outcomes, DEBUG logs: no secret."""
    caplog.set_level(logging.DEBUG)
    folder = servers["folder"]
    assert isinstance(folder, Path)
    booking = folder / "booking.json"
    booking.write_text(json.dumps(BOOKING), encoding="utf-8")
    texts: list[str] = []
    codes: list[int] = []
    for argv in COMMANDS:
        codes.append(main([arg.replace("{booking}", str(booking)) for arg in argv]))
        captured = capsys.readouterr()
        texts += [captured.out, captured.err]
    texts += [caplog.text, *(record.getMessage() for record in caplog.records)]
    _scan(texts)
    assert {0, 1, 3} <= set(codes)  # successes, refusals and unbelievable answers all ran
    assert any("HTTP Request" in record.getMessage() for record in caplog.records)
    assert any('"fee"' in text or '"outcome"' in text or '"state"' in text for text in texts)


def test_no_repr_error_or_traceback_holds_a_secret(
    servers: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    """Settings, clients, sandboxes, and every failing call's full traceback: no secret."""
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    gotadi_settings = gotadi.Config.load()
    tiki_settings = tiki.Config.load()
    ksher_settings = ksher.Config.load()
    for settings in (gotadi_settings, tiki_settings, ksher_settings):
        texts += [repr(settings), str(settings), repr(settings.model_dump())]
    texts += [repr(server) for server in servers.values()]
    failures: list[PenaltyError] = []
    booking = Booking.model_validate(BOOKING)
    with gotadi.Client(gotadi_settings, sleep=lambda _: None) as gotadi_client:
        texts.append(repr(gotadi_client))
        flow = FlowSettings(poll_initial=0.01, deadline=0.5)
        for number in ("EX3-BAD-SIGNATURE", "EX3-TAMPERED", "EX3-E06", "EX3-GARBAGE", "NOPE"):
            try:
                outcome = gotadi_client.cancel_booking(number, booking, settings=flow)
            except PenaltyError as exc:
                failures.append(exc)
            else:
                texts += [repr(outcome), *(str(step) for step in outcome.trail)]
        for number in ("EX3-CHECK-5XX", "EX3-E06"):
            try:
                gotadi_client.cancellation_status(number)
            except PenaltyError as exc:
                failures.append(exc)
        texts.append(repr(gotadi_client.cancel("EX3", Decimal(0))))
    with tiki.Client(tiki_settings) as tiki_client:
        texts.append(repr(tiki_client))
        for order in ("badsig-1", "garbage-2", "reset-3", "missing-4"):
            try:
                tiki_client.cancel_order(order, "x")
            except PenaltyError as exc:
                failures.append(exc)
    with ksher.Client(ksher_settings) as ksher_client:
        texts.append(repr(ksher_client))
        for order in ("badsig-1", "garbage-2", "reset-3", "missing-4"):
            try:
                ksher_client.cancel_order(order)
            except PenaltyError as exc:
                failures.append(exc)
    texts += ["".join(traceback.format_exception(exc)) for exc in failures]
    texts += [repr(exc) for exc in failures]
    texts += [caplog.text]
    _scan(texts)
    # After sending, a bad signature, tampering or garbage is "pending", not an error; EX3-E06
    # is a REJECTED outcome; NOPE (404) and the two status calls (02, 06) raise.
    assert len(failures) == 11
