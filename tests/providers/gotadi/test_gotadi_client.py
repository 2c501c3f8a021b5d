"""Client over real HTTP against the sandbox: statuses, error codes, faults, headers."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from penalty.booking import Booking
from penalty.errors import (
    InvalidInput,
    ProviderProtocolError,
    ProviderRejected,
    ProviderUnavailable,
    SignatureInvalid,
)
from penalty.providers.gotadi.client import Client
from penalty.providers.gotadi.config import Config
from penalty.providers.gotadi.crypto import open_envelope, seal
from penalty.providers.gotadi.keys import KeyPair
from penalty.providers.gotadi.models import CancellationStatus, CheckStatus, ErrorCode, Outcome
from penalty.providers.gotadi.protocol import CANCEL_PATH, CHECK_PATH
from penalty.providers.gotadi.sandbox import Fault, Reply, Sandbox, Scenario

from .support import ACCESS_CODE, API_KEY, AT, BEARER, FAST_RETRY, SLOW, changed

# -- check-cancel-penalty ------------------------------------------------------------------------


def test_check_returns_a_policy_the_engine_quotes(client: Client, booking: Booking) -> None:
    """EX3's windows come back as a Policy that quotes 70 % = 2,100,000 VND, total exact."""
    check = client.check_cancel_penalty("EX3")
    assert check.status is CheckStatus.ALLOW_CANCELLATION
    assert check.cancel_penalty_total == Decimal("2100000.0")
    assert str(check.cancel_penalty_total) == "2100000.0"
    assert check.policy.quote(booking, AT).gotadi_amount == "2100000.00"


def test_check_reads_the_live_example_with_zoneless_dates(client: Client) -> None:
    """PROTOCOLS A.5's live answer (dd/MM/yyyy HH:mm, total 0.0) parses and quotes one night."""
    check = client.check_cancel_penalty("HDCO2107121213651")
    assert check.cancel_penalty_total == Decimal("0.0")
    live = Booking.model_validate(
        {"total": "2400000", "currency": "VND", "nightly_rates": ["1100000", "1300000"]}
    )
    assert check.policy.quote(live, "2021-08-26T12:00:00+07:00").fee == Decimal(1100000)


@pytest.mark.parametrize("status", list(CheckStatus), ids=str)
def test_check_reports_every_status(status: CheckStatus, client: Client, sandbox: Sandbox) -> None:
    """ALLOW_CANCELLATION, NOT_ALLOW_CANCELLATION and UNKNOWN all come back typed."""
    sandbox.script("EX1", Scenario(check=(Reply(status.value),)))
    assert client.check_cancel_penalty("EX1").status is status


def test_check_is_retried_after_a_5xx(client: Client, sandbox: Sandbox) -> None:
    """A 503 on the safe check is retried, and the second answer is used."""
    assert client.check_cancel_penalty("EX1-CHECK-5XX").status is CheckStatus.ALLOW_CANCELLATION
    assert sandbox.count("check") == 2


def test_check_gives_up_after_persistent_5xx(client: Client, sandbox: Sandbox) -> None:
    """Three 500s in a row: ProviderUnavailable with the HTTP status, after three tries."""
    sandbox.script("EX1", Scenario(check=(Reply(fault=Fault.HTTP_500),)))
    with pytest.raises(ProviderUnavailable) as caught:
        client.check_cancel_penalty("EX1")
    assert caught.value.status_code == 500
    assert sandbox.count("check") == FAST_RETRY.attempts


def test_check_times_out(settings: Config, sandbox: Sandbox) -> None:
    """A sandbox slower than the client's read timeout: ProviderUnavailable(code='timeout')."""
    quick = changed(settings, timeout=SLOW / 10)
    with (
        Client(quick, retry=FAST_RETRY, sleep=lambda _: None) as gotadi,
        pytest.raises(ProviderUnavailable) as caught,
    ):
        gotadi.check_cancel_penalty("EX1-CHECK-SLOW")
    assert caught.value.code == "timeout"


@pytest.mark.parametrize(
    ("booking_number", "provider_code"),
    [("NOPE", "HTTP 404"), ("EX1", "HTTP 401")],
    ids=["unknown-booking", "wrong-api-key"],
)
def test_check_refusals_are_provider_rejected(
    booking_number: str, provider_code: str, settings: Config, sandbox: Sandbox
) -> None:
    """An unknown booking (404) or a wrong api key (401) is ProviderRejected with the status."""
    if provider_code == "HTTP 401":
        settings = changed(settings, api_key=SecretStr("TEST-ONLY-wrong"))
    with (
        Client(settings, retry=FAST_RETRY) as gotadi,
        pytest.raises(ProviderRejected) as caught,
    ):
        gotadi.check_cancel_penalty(booking_number)
    assert caught.value.provider_code == provider_code


def _mock_client(settings: Config, handler: Callable[[httpx.Request], httpx.Response]) -> Client:
    http = httpx.Client(transport=httpx.MockTransport(handler), timeout=1.0)
    return Client(settings, http=http, retry=FAST_RETRY, sleep=lambda _: None)


def _check_answer(result: object, **extra: object) -> Callable[[httpx.Request], httpx.Response]:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"result": result, "success": True, **extra})

    return handler


def test_check_with_success_false_is_rejected(settings: Config) -> None:
    """success:false with an errors list is ProviderRejected carrying Gotadi's code."""
    answer = _check_answer(None, success=False, errors=[{"code": "10"}], textMessage="no account")
    with _mock_client(settings, answer) as gotadi, pytest.raises(ProviderRejected) as caught:
        gotadi.check_cancel_penalty("EX1")
    assert caught.value.provider_code == "10"
    assert "no account" in str(caught.value)


@pytest.mark.parametrize(
    ("result", "path"),
    [
        ({"status": "MAYBE", "cancelPenalties": []}, "result.status"),
        ({"cancelPenalties": []}, "result.status"),
        (
            {
                "status": "ALLOW_CANCELLATION",
                "cancelPenalties": [
                    {
                        "startDate": "2021-05-12T18:00:00+07:00",
                        "endDate": "2021-05-13T18:00:00+07:00",
                        "type": "PERCENT",
                        "percent": "170%",
                    }
                ],
            },
            "result.cancelPenalties[0].percent",
        ),
    ],
    ids=["unknown-status", "no-status", "bad-window"],
)
def test_a_malformed_check_answer_is_a_protocol_error(
    result: dict[str, object], path: str, settings: Config
) -> None:
    """An undocumented status or a bad window is ProviderProtocolError naming the field."""
    with (
        _mock_client(settings, _check_answer(result)) as gotadi,
        pytest.raises(ProviderProtocolError) as caught,
    ):
        gotadi.check_cancel_penalty("EX1")
    assert caught.value.path == path


# -- cancellation --------------------------------------------------------------------------------


def test_cancel_sends_the_amount_with_two_decimals(client: Client, sandbox: Sandbox) -> None:
    """Decimal('2100000') goes on the wire as '2100000.00'; the answer is CANCEL_CONFIRMED."""
    answer = client.cancel("EX3", Decimal(2100000))
    assert answer.cancellation_status is CancellationStatus.CANCEL_CONFIRMED
    assert [seen.amount for seen in sandbox.seen] == ["2100000.00"]


@pytest.mark.parametrize("status", list(CancellationStatus), ids=str)
def test_cancel_reports_every_status(
    status: CancellationStatus, client: Client, sandbox: Sandbox
) -> None:
    """Each documented cancellation_status comes back typed, exactly as the sandbox said."""
    sandbox.script("EX1", Scenario(cancel=(Reply(status.value),)))
    assert client.cancel("EX1", Decimal(0)).cancellation_status is status


@pytest.mark.parametrize("code", [c for c in ErrorCode if c is not ErrorCode.SUCCESS], ids=str)
def test_cancel_maps_every_error_code(code: ErrorCode, client: Client, sandbox: Sandbox) -> None:
    """01/08/09 come back as pending answers; every other code raises ProviderRejected."""
    if code.outcome is Outcome.PENDING:
        assert client.cancel(f"EX1-E{code.value}", Decimal(0)).error_code is code
        return
    with pytest.raises(ProviderRejected) as caught:
        client.cancel(f"EX1-E{code.value}", Decimal(0))
    assert caught.value.provider_code == code.value
    assert caught.value.code == code.name.lower()


def test_cancel_is_never_retried_after_a_5xx(client: Client, sandbox: Sandbox) -> None:
    """A 503 on a cancellation is ProviderUnavailable after exactly one request."""
    with pytest.raises(ProviderUnavailable):
        client.cancel("EX1-5XX", Decimal(0))
    assert sandbox.count("cancel") == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.GARBAGE, ProviderProtocolError),
        (Fault.BAD_SIGNATURE, SignatureInvalid),
        (Fault.TAMPERED, ProviderProtocolError),
        (Fault.TRUNCATED, ProviderUnavailable),
        (Fault.RESET, ProviderUnavailable),
    ],
    ids=str,
)
def test_unbelievable_cancel_answers_are_errors_never_statuses(
    fault: Fault, error: type[Exception], client: Client, sandbox: Sandbox
) -> None:
    """Garbage, a bad signature, tampering, truncation, a reset: each raises, none is a status."""
    sandbox.script("EX1", Scenario(cancel=(Reply(fault=fault),)))
    with pytest.raises(error):
        client.cancel("EX1", Decimal(0))
    assert sandbox.count("cancel") == 1


def test_cancel_refuses_amounts_it_would_have_to_round(client: Client, sandbox: Sandbox) -> None:
    """1.005 cannot be sent in two decimals: InvalidInput, and nothing reaches Gotadi."""
    with pytest.raises(InvalidInput):
        client.cancel("EX1", Decimal("1.005"))
    assert not sandbox.seen


@pytest.mark.parametrize("booking_number", ["", " EX1", "EX1|00"], ids=repr)
def test_bad_booking_numbers_are_refused_before_sending(
    booking_number: str, client: Client, sandbox: Sandbox
) -> None:
    """An empty, padded or '|'-carrying booking number is InvalidInput; nothing is sent."""
    for call in (
        client.check_cancel_penalty,
        client.cancellation_status,
        lambda number: client.cancel(number, Decimal(0)),
    ):
        with pytest.raises(InvalidInput):
            call(booking_number)
    assert not sandbox.seen


def test_sandbox_answers_04_to_a_request_signed_with_another_key(
    sandbox_url: str, partner_keys: KeyPair, sandbox: Sandbox
) -> None:
    """A request signed with a key Gotadi does not know is answered with error code 04."""
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    key, data = seal(
        [ACCESS_CODE, "EX1", "0.00"],
        sender_private=stranger,
        receiver_public=partner_keys.peer_public,
    )
    headers = {"apikey": API_KEY, "x-ibe-req-name": ACCESS_CODE}
    answer = httpx.post(
        sandbox_url + CANCEL_PATH, json={"key": key, "data": data}, headers=headers, timeout=5
    ).json()
    fields = open_envelope(
        answer["key"],
        answer["data"],
        receiver_private=partner_keys.own_private,
        sender_public=partner_keys.peer_public,
    )
    assert fields[2] == ErrorCode.INVALID_SIGNATURE.value
    assert sandbox.count("cancel") == 1


def test_sandbox_rejects_a_wrong_access_code(settings: Config, sandbox: Sandbox) -> None:
    """A wrong access code gets error 06 from the sandbox: ProviderRejected('06')."""
    wrong = changed(settings, access_code=SecretStr("TEST-ONLY-other"))
    with Client(wrong) as gotadi, pytest.raises(ProviderRejected) as caught:
        gotadi.cancellation_status("EX1")
    assert caught.value.provider_code == "06"


# -- cancellation-check --------------------------------------------------------------------------


def test_status_reports_the_fee_gotadi_charged(client: Client, sandbox: Sandbox) -> None:
    """After a cancel, cancellation-check returns its status and the fee as Decimal."""
    client.cancel("EX3", Decimal(2100000))
    answer = client.cancellation_status("EX3")
    assert answer.cancellation_status is CancellationStatus.CANCEL_CONFIRMED
    assert answer.amount == Decimal("2100000.00")


def test_status_is_retried_after_a_5xx(client: Client, sandbox: Sandbox) -> None:
    """cancellation-check is safe to repeat: a 503 then an answer gives the answer."""
    sandbox.script("EX1", Scenario(status=(Reply(fault=Fault.HTTP_503), Reply())))
    client.cancel("EX1", Decimal(1000000))
    assert (
        client.cancellation_status("EX1").cancellation_status is CancellationStatus.CANCEL_CONFIRMED
    )
    assert sandbox.count("status") == 2


# -- answers that are authentic but not ours -----------------------------------------------------


def _sealed_answer(
    fields: list[str], gotadi_keys: KeyPair
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(_: httpx.Request) -> httpx.Response:
        key, data = seal(
            fields, sender_private=gotadi_keys.own_private, receiver_public=gotadi_keys.peer_public
        )
        return httpx.Response(200, json={"key": key, "data": data})

    return handler


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ([ACCESS_CODE, "EX2", "00", "HOTEL", "CANCEL_CONFIRMED"], "wrong_booking"),
        (["TEST-ONLY-someone-else", "EX1", "00", "HOTEL", "CANCEL_CONFIRMED"], "wrong_access_code"),
        ([ACCESS_CODE, "EX1", "00", "HOTEL", ""], "bad_field"),
    ],
    ids=["other-booking", "other-access-code", "ok-without-status"],
)
def test_a_signed_answer_about_something_else_is_refused(
    fields: list[str], code: str, settings: Config, gotadi_keys: KeyPair
) -> None:
    """A well-signed answer for another booking or access code, or without status, is refused."""
    with (
        _mock_client(settings, _sealed_answer(fields, gotadi_keys)) as gotadi,
        pytest.raises(ProviderProtocolError) as caught,
    ):
        gotadi.cancel("EX1", Decimal(0))
    assert caught.value.code == code
    assert ACCESS_CODE not in str(caught.value)


def test_a_4xx_without_envelope_is_rejected(settings: Config) -> None:
    """HTTP 403 with a plain body on an encrypted endpoint is ProviderRejected('HTTP 403')."""
    with (
        _mock_client(settings, lambda _: httpx.Response(403, text="Forbidden")) as gotadi,
        pytest.raises(ProviderRejected) as caught,
    ):
        gotadi.cancellation_status("EX1")
    assert caught.value.provider_code == "HTTP 403"


# -- headers -------------------------------------------------------------------------------------


def test_every_request_carries_the_auth_headers(settings: Config, gotadi_keys: KeyPair) -> None:
    """apikey and x-ibe-req-name on all three calls, plus the bearer token when configured."""
    seen: list[httpx.Request] = []
    answer = _sealed_answer(
        [ACCESS_CODE, "EX1", "00", "HOTEL", "CANCEL_CONFIRMED", "0.00"], gotadi_keys
    )
    check = _check_answer({"status": "ALLOW_CANCELLATION", "cancelPenalties": []})
    cancel = _sealed_answer([ACCESS_CODE, "EX1", "00", "HOTEL", "CANCEL_CONFIRMED"], gotadi_keys)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == CHECK_PATH:
            assert json.loads(request.content) == {"bookingNumber": "EX1"}
            return check(request)
        return (cancel if request.url.path.endswith("cancellation") else answer)(request)

    with_token = changed(settings, bearer_token=SecretStr(BEARER))
    with _mock_client(with_token, handler) as gotadi:
        gotadi.check_cancel_penalty("EX1")
        gotadi.cancel("EX1", Decimal(0))
        gotadi.cancellation_status("EX1")
    assert len(seen) == 3
    for request in seen:
        assert request.headers["apikey"] == API_KEY
        assert request.headers["x-ibe-req-name"] == ACCESS_CODE
        assert request.headers["authorization"] == f"Bearer {BEARER}"
        assert str(request.url).startswith(settings.base_url + "/api/")


def test_sandbox_requires_the_bearer_token_when_configured(
    settings: Config, sandbox: Sandbox
) -> None:
    """With a bearer required, a client without it is refused (401) and one with it passes."""
    sandbox.bearer_token = BEARER
    with Client(settings) as gotadi, pytest.raises(ProviderRejected):
        gotadi.check_cancel_penalty("EX1")
    with Client(changed(settings, bearer_token=SecretStr(BEARER))) as gotadi:
        assert gotadi.check_cancel_penalty("EX1").status is CheckStatus.ALLOW_CANCELLATION
