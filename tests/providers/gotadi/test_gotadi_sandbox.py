"""The Gotadi sandbox at the wire: it verifies what partners send and answers in Gotadi's codes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from penalty.errors import ProviderRejected
from penalty.providers._sandbox import SandboxServer
from penalty.providers.gotadi.client import Client
from penalty.providers.gotadi.crypto import open_envelope, seal
from penalty.providers.gotadi.keys import KeyPair
from penalty.providers.gotadi.models import ErrorCode
from penalty.providers.gotadi.protocol import CANCEL_PATH, CHECK_PATH, STATUS_PATH
from penalty.providers.gotadi.sandbox import Sandbox
from penalty.providers.gotadi.sandbox_data import FIXTURES

from .support import ACCESS_CODE, API_KEY

HEADERS = {"apikey": API_KEY, "x-ibe-req-name": ACCESS_CODE}


def _post(url: str, body: Any, headers: dict[str, str] = HEADERS) -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.post(url, content=body, headers=headers, timeout=5)
    return httpx.post(url, json=body, headers=headers, timeout=5)


def _fields(response: httpx.Response, partner: KeyPair) -> list[str]:
    answer = response.json()
    return open_envelope(
        answer["key"],
        answer["data"],
        receiver_private=partner.own_private,
        sender_public=partner.peer_public,
    )


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", CHECK_PATH, HEADERS, 405),
        ("POST", "/api/nowhere", HEADERS, 404),
        ("POST", CHECK_PATH, {"x-ibe-req-name": ACCESS_CODE}, 401),
        ("POST", CHECK_PATH, {"apikey": API_KEY, "x-ibe-req-name": "TEST-ONLY-x"}, 401),
    ],
    ids=["get", "unknown-path", "no-api-key", "wrong-access-code"],
)
def test_sandbox_http_refusals(
    method: str, path: str, headers: dict[str, str], status: int, sandbox_url: str,
    sandbox: Sandbox,
) -> None:  # fmt: skip
    """Wrong method, unknown path, missing api key or wrong access code: an HTTP refusal."""
    response = httpx.request(
        method, sandbox_url + path, json={"bookingNumber": "EX1"}, headers=headers, timeout=5
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", ErrorCode.MALFORMED_DATA),
        ({"key": "AAAA", "data": "AAAA"}, ErrorCode.DECRYPTION_FAILED),
    ],
    ids=["not-json", "undecryptable"],
)
def test_sandbox_answers_unreadable_requests_with_gotadi_codes(
    body: Any, code: ErrorCode, sandbox_url: str, sandbox: Sandbox, partner_keys: KeyPair
) -> None:
    """A body that is not an envelope is 07, one that cannot be decrypted is 05 (signed)."""
    fields = _fields(_post(sandbox_url + CANCEL_PATH, body), partner_keys)
    assert fields[2] == code.value
    assert fields[1] == ""


def test_sandbox_checks_the_field_count_and_the_access_code(
    sandbox_url: str, sandbox: Sandbox, partner_keys: KeyPair
) -> None:
    """Three fields to cancellation-check is 07; a payload access code unlike ours is 06."""
    key, data = seal(
        [ACCESS_CODE, "EX1", "0.00"],
        sender_private=partner_keys.own_private,
        receiver_public=partner_keys.peer_public,
    )
    sealed = {"key": key, "data": data}
    fields = _fields(_post(sandbox_url + STATUS_PATH, sealed), partner_keys)
    assert fields[2] == ErrorCode.MALFORMED_DATA.value
    key, data = seal(
        ["TEST-ONLY-other", "EX1"],
        sender_private=partner_keys.own_private,
        receiver_public=partner_keys.peer_public,
    )
    fields = _fields(_post(sandbox_url + STATUS_PATH, {"key": key, "data": data}), partner_keys)
    assert fields[2] == ErrorCode.INVALID_ACCESS_CODE.value


def test_sandbox_check_answer_has_the_documented_shape(sandbox_url: str, sandbox: Sandbox) -> None:
    """The check answer carries PROTOCOLS A.5's fields, with the total as a JSON number."""
    response = _post(sandbox_url + CHECK_PATH, {"bookingNumber": "HDCO2107121213651"})
    assert response.status_code == 200
    assert '"cancelPenaltyTotal": 0.0' in response.text
    body = response.json()
    assert set(body) == {"result", "duration", "textMessage", "errors", "infos", "success"}
    assert body["result"]["cancelPenalties"][0]["startDate"] == "26/08/2021 11:00"


def test_stay_windows_follow_the_sandbox_clock(gotadi_keys: KeyPair) -> None:
    """STAY's windows start 2 days after the sandbox's now: a real-clock quote lands before them."""
    now = datetime(2030, 1, 1, 3, 30, tzinfo=UTC)
    app = Sandbox(keys=gotadi_keys, api_key=API_KEY, access_code=ACCESS_CODE, clock=lambda: now)
    with SandboxServer(app) as server:
        body = _post(server.url + CHECK_PATH, {"bookingNumber": "STAY"}).json()
    windows = body["result"]["cancelPenalties"]
    assert [w["startDate"] for w in windows] == [
        "2030-01-03T10:00:00.000+07:00",
        "2030-01-06T10:00:00.000+07:00",
    ]
    assert windows[-1]["endDate"] == "2030-01-08T10:00:00.000+07:00"


def _not_seeded(booking_number: str) -> bool:
    """Whether the sandbox knows nothing of ``booking_number``: a number is one of its own when
    the part before the first dash names a fixture (``EX1``, ``EX1-WAITING``, ``STAY-…``)."""
    return booking_number.partition("-")[0] not in FIXTURES


booking_numbers = st.text(
    st.characters(codec="utf-8", exclude_characters="|"), min_size=1, max_size=30
).filter(lambda text: text == text.strip() and _not_seeded(text))


@pytest.mark.parametrize("seeded", [*FIXTURES, "EX1-WAITING", "EX3-NOT-ALLOWED", "STAY-ANY"])
def test_generated_booking_numbers_never_name_a_fixture(seeded: str) -> None:
    """The round-trip test's numbers avoid every fixture, with or without a scenario suffix
    (it once drew ``EX1`` and got that booking's answer instead of "not one of its bookings")."""
    assert not _not_seeded(seeded)
    assert _not_seeded(f"X{seeded}")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(booking_number=booking_numbers)
def test_any_booking_number_survives_the_round_trip_over_http(
    booking_number: str, client: Client, sandbox: Sandbox
) -> None:
    """Any unicode booking number is sealed, sent, read by the sandbox and echoed back signed."""
    sandbox.reset()
    with pytest.raises(ProviderRejected) as caught:
        client.cancellation_status(booking_number)
    assert caught.value.provider_code == ErrorCode.FAILED.value  # not one of its bookings
    assert [seen.key for seen in sandbox.seen] == [booking_number]
