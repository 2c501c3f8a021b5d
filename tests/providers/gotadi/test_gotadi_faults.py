"""Gotadi faults the other modules leave out: the fault matrix, completed.

Check-cancel-penalty and cancellation-check are safe to repeat and retried (3 tries within 20 s,
``Retry-After`` honoured up to 2 s); a cancellation is sent once, and an answer lost after it may
have arrived is followed by cancellation-check, never by a second cancellation:

=====================  ================================================  =========================
fault                  outcome                                           tested in
=====================  ================================================  =========================
connect timeout        check: retried, then ProviderUnavailable;         here
                       cancel: raised, nothing polled (never sent)
read timeout           check: retried; cancel: status is polled          test_gotadi_client/_flow
connection reset       check: retried; cancel: ProviderUnavailable       here, test_gotadi_client
5xx                    check/status: retried; cancel: sent once, polled  test_gotadi_client/_flow
429 + Retry-After      check: waits what Gotadi asks (capped); cancel:   here
                       sent once, then status polled
truncated body         check: retried; cancel: ProviderUnavailable       here, test_gotadi_client
non-JSON body          ProviderProtocolError(not_json)                   here, test_gotadi_client
JSON of the wrong      ProviderProtocolError(bad_shape)                  here, test_gotadi_client
shape
bad / missing          SignatureInvalid, never a status                  here, test_gotadi_client
signature
replayed answer        another booking: wrong_booking; another partner:  test_gotadi_client, here
                       wrong_access_code; another endpoint's answer:
                       bad_shape
=====================  ================================================  =========================

Replay: Gotadi's signed fields carry no nonce or time (PROTOCOLS A.3, A.6-A.7), so a genuine
answer is bound to a request only by what it names: our access code, the booking asked about, and
its own shape (5 fields for a cancellation, 6 for a cancellation-check). A replay of this very
booking's own earlier answer cannot be told apart; it can only repeat what Gotadi once said about
it (a cancellation, once confirmed, stays confirmed). The check-cancel-penalty answer is plain,
unsigned JSON that names no booking: only TLS keeps it fresh, and Gotadi's own
``CANCEL_PENALTY_MISMATCH`` catches a fee quoted from stale windows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import httpx
import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from penalty.booking import Booking
from penalty.errors import ProviderProtocolError, ProviderUnavailable, SignatureInvalid
from penalty.providers._http import RetryPolicy
from penalty.providers.gotadi.client import Client
from penalty.providers.gotadi.config import Config
from penalty.providers.gotadi.crypto import b64encode_urlsafe, seal
from penalty.providers.gotadi.flow import FlowSettings, FlowState
from penalty.providers.gotadi.keys import KeyPair
from penalty.providers.gotadi.models import CancellationStatus, CheckStatus
from penalty.providers.gotadi.protocol import CANCEL_PATH, CHECK_PATH
from penalty.providers.gotadi.sandbox import Fault, Reply, Sandbox, Scenario

from .support import ACCESS_CODE, AT, FAST_RETRY, FakeTime

Inject = Callable[[httpx.Request], httpx.Response | None]
_ALLOW = Reply(CheckStatus.ALLOW_CANCELLATION.value)


class _Faulty(httpx.BaseTransport):
    """Real HTTP to the sandbox, unless ``inject`` answers (or raises) first."""

    def __init__(self, inject: Inject) -> None:
        self.inject = inject
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The injected answer, or the sandbox's."""
        injected = self.inject(request)
        return injected if injected is not None else self.real.handle_request(request)

    def close(self) -> None:
        """Close the real transport's connections."""
        self.real.close()


@contextmanager
def _faulty(settings: Config, inject: Inject, time: FakeTime) -> Iterator[Client]:
    """A client whose requests reach the sandbox unless ``inject`` answers (or raises) first."""
    retry = RetryPolicy(attempts=3, backoff=0.1, max_backoff=2.0, deadline=20.0)
    with httpx.Client(transport=_Faulty(inject), timeout=settings.timeout) as http:
        yield Client(settings, http=http, retry=retry, sleep=time.sleep, clock=time.clock)


def _at(path: str, answer: Callable[[httpx.Request], httpx.Response], times: int = 1) -> Inject:
    """Answer the first ``times`` requests to ``path`` with ``answer``; pass the rest through."""
    left = [times]

    def inject(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == path and left[0] > 0:
            left[0] -= 1
            return answer(request)
        return None

    return inject


def _connect_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout("injected", request=request)


def test_connect_timeout_on_check_is_retried_then_unavailable(
    settings: Config, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """Check never connects: three tries with growing waits, then ProviderUnavailable(timeout)."""
    with (
        _faulty(settings, _at(CHECK_PATH, _connect_timeout, times=99), fake_time) as gotadi,
        pytest.raises(ProviderUnavailable) as caught,
    ):
        gotadi.check_cancel_penalty("EX3")
    assert caught.value.code == "timeout"
    assert fake_time.sleeps == [0.1, 0.2]
    assert not sandbox.seen


def test_connect_timeout_on_cancel_raises_and_polls_nothing(
    settings: Config, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """A cancel that never connected was never sent: raised, no status asked, nothing pending."""
    with (
        _faulty(settings, _at(CANCEL_PATH, _connect_timeout), fake_time) as gotadi,
        pytest.raises(ProviderUnavailable) as caught,
    ):
        gotadi.cancel_booking("EX3", booking, now=lambda: AT)
    assert caught.value.code == "timeout"
    assert (sandbox.count("check"), sandbox.count("cancel"), sandbox.count("status")) == (1, 0, 1)


def _too_many(seconds: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(429, headers={"Retry-After": seconds}, text="Too Many")


@pytest.mark.parametrize(("header", "wait"), [("1", 1.0), ("86400", 2.0)], ids=["1s", "a-day"])
def test_429_on_check_waits_what_gotadi_asks_capped(
    header: str,
    wait: float,
    settings: Config,
    sandbox: Sandbox,
    fake_time: FakeTime,
) -> None:
    """429 + Retry-After on the check: one wait of Retry-After (at most 2 s), then the answer."""
    with _faulty(settings, _at(CHECK_PATH, _too_many(header)), fake_time) as gotadi:
        check = gotadi.check_cancel_penalty("EX3")
    assert check.status is CheckStatus.ALLOW_CANCELLATION
    assert fake_time.sleeps == [wait]


def test_429_on_cancel_is_sent_once_then_followed_by_status(
    settings: Config, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """429 on the cancellation: not retried; the flow asks cancellation-check, never re-cancels."""
    waiting = Reply(CancellationStatus.CANCEL_WAITING_CONFIRM.value)
    sandbox.script("EX3", Scenario(status=(waiting,)))
    with _faulty(settings, _at(CANCEL_PATH, _too_many("30")), fake_time) as gotadi:
        with pytest.raises(ProviderUnavailable) as caught:
            gotadi.cancel("EX3", Decimal(2100000))
        assert (caught.value.status_code, caught.value.retry_after) == (429, 30.0)
    with _faulty(settings, _at(CANCEL_PATH, _too_many("30")), fake_time) as gotadi:
        outcome = gotadi.cancel_booking(
            "EX3", booking, now=lambda: AT, settings=FlowSettings(poll_initial=1.0, deadline=5.0)
        )
    assert outcome.state is FlowState.PENDING
    assert sandbox.count("cancel") == 0  # both cancels met the 429, neither reached Gotadi
    assert sandbox.count("status") >= 1


@pytest.mark.parametrize("fault", [Fault.TRUNCATED, Fault.RESET, Fault.HTTP_500], ids=str)
def test_a_lost_check_answer_is_asked_again(fault: Fault, client: Client, sandbox: Sandbox) -> None:
    """A truncated, reset or 500 check answer: asked again, and the second answer is used."""
    sandbox.script("EX3", Scenario(check=(Reply(fault=fault), _ALLOW)))
    assert client.check_cancel_penalty("EX3").status is CheckStatus.ALLOW_CANCELLATION
    assert sandbox.count("check") == 2


def test_a_garbage_check_answer_is_a_protocol_error_not_retried(
    client: Client, sandbox: Sandbox
) -> None:
    """A 200 whose body is not JSON: ProviderProtocolError(not_json), asked once."""
    sandbox.script("EX3", Scenario(check=(Reply(fault=Fault.GARBAGE),)))
    with pytest.raises(ProviderProtocolError) as caught:
        client.check_cancel_penalty("EX3")
    assert caught.value.code == "not_json"
    assert sandbox.count("check") == 1


def _mock(settings: Config, answer: Callable[[httpx.Request], httpx.Response]) -> Client:
    http = httpx.Client(transport=httpx.MockTransport(answer), timeout=1.0)
    return Client(settings, http=http, retry=FAST_RETRY, sleep=lambda _: None)


@pytest.mark.parametrize(
    "body",
    [[], {"result": "ALLOW"}, {"success": True}, {"result": {"cancelPenalties": []}}, "ok"],
    ids=["a-list", "result-a-string", "no-result", "no-status", "a-string"],
)
def test_check_json_of_the_wrong_shape_is_refused(body: object, settings: Config) -> None:
    """A check answer that is JSON but not A.5's shape: ProviderProtocolError(bad_shape)."""
    with (
        _mock(settings, lambda _: httpx.Response(200, json=body)) as gotadi,
        pytest.raises(ProviderProtocolError) as caught,
    ):
        gotadi.check_cancel_penalty("EX3")
    assert caught.value.code == "bad_shape"


def _call(gotadi: Client, call: str) -> Callable[[], object]:
    """The encrypted call named ``call`` on booking EX3 (a cancel sends 2,100,000.00)."""
    if call == "cancel":
        return lambda: gotadi.cancel("EX3", Decimal(2100000))
    return lambda: gotadi.cancellation_status("EX3")


@pytest.mark.parametrize(
    "body",
    [[], {"key": "", "data": ""}, {"key": 1, "data": "x"}, {"data": "AAAA"}, "key|data"],
    ids=["a-list", "empty-parts", "key-a-number", "no-key", "a-string"],
)
@pytest.mark.parametrize("call", ["cancel", "status"])
def test_envelope_of_the_wrong_shape_is_refused(body: object, call: str, settings: Config) -> None:
    """An encrypted endpoint answering JSON that is no {key, data} envelope: bad_shape."""
    with _mock(settings, lambda _: httpx.Response(200, json=body)) as gotadi:
        ask = _call(gotadi, call)
        with pytest.raises(ProviderProtocolError) as caught:
            ask()
    assert caught.value.code == "bad_shape"


def _unsigned(fields: list[str], gotadi: KeyPair) -> Callable[[httpx.Request], httpx.Response]:
    """An answer encrypted like Gotadi's, but with the fields alone: no signature after them."""
    des_key = bytes(range(24))
    padder = sym_padding.PKCS7(64).padder()
    plain = padder.update("|".join(fields).encode()) + padder.finalize()
    encryptor = Cipher(TripleDES(des_key), modes.ECB()).encryptor()
    data = b64encode_urlsafe(encryptor.update(plain) + encryptor.finalize())
    key = b64encode_urlsafe(gotadi.peer_public.encrypt(des_key, rsa_padding.PKCS1v15()))
    return lambda _: httpx.Response(200, json={"key": key, "data": data})


def test_an_answer_without_signature_is_never_a_status(
    settings: Config, gotadi_keys: KeyPair
) -> None:
    """CANCEL_CONFIRMED with no signature after it: SignatureInvalid, not confirmed."""
    fields = [ACCESS_CODE, "EX3", "00", "HOTEL", "CANCEL_CONFIRMED"]
    with (
        _mock(settings, _unsigned(fields, gotadi_keys)) as gotadi,
        pytest.raises(SignatureInvalid),
    ):
        gotadi.cancel("EX3", Decimal(2100000))


def _genuine(fields: list[str], gotadi_keys: KeyPair) -> Callable[[httpx.Request], httpx.Response]:
    key, data = seal(
        fields, sender_private=gotadi_keys.own_private, receiver_public=gotadi_keys.peer_public
    )
    return lambda _: httpx.Response(200, json={"key": key, "data": data})


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        ("cancel", [ACCESS_CODE, "EX3", "00", "HOTEL", "CANCEL_CONFIRMED", "2100000.00"]),
        ("status", [ACCESS_CODE, "EX3", "00", "HOTEL", "CANCEL_CONFIRMED"]),
    ],
    ids=["status-answer-to-a-cancel", "cancel-answer-to-a-status"],
)
def test_a_genuine_answer_from_another_endpoint_is_refused(
    call: str, fields: list[str], settings: Config, gotadi_keys: KeyPair
) -> None:
    """A correctly signed answer replayed to the other endpoint: bad_shape, never confirmed."""
    with _mock(settings, _genuine(fields, gotadi_keys)) as gotadi:
        ask = _call(gotadi, call)
        with pytest.raises(ProviderProtocolError) as caught:
            ask()
    assert caught.value.code == "bad_shape"
    assert ACCESS_CODE not in str(caught.value)


def test_a_replay_of_another_bookings_confirmation_never_confirms_the_flow(
    settings: Config,
    gotadi_keys: KeyPair,
    booking: Booking,
    sandbox: Sandbox,
    fake_time: FakeTime,
) -> None:
    """The flow on EX3 meets EX1's genuine CANCEL_CONFIRMED instead of its cancel's answer: not
    believed (wrong_booking); the truthful status says no cancellation: pending, never confirmed."""
    replay = _genuine([ACCESS_CODE, "EX1", "00", "HOTEL", "CANCEL_CONFIRMED"], gotadi_keys)
    with _faulty(settings, _at(CANCEL_PATH, replay), fake_time) as gotadi:
        outcome = gotadi.cancel_booking(
            "EX3", booking, now=lambda: AT, settings=FlowSettings(poll_initial=1.0, deadline=5.0)
        )
    assert outcome.state is FlowState.PENDING
    cancel = next(step for step in outcome.trail if step.action == "cancel")
    assert "another booking" in cancel.text or "'EX1'" in cancel.text
    assert sandbox.count("status") >= 2
