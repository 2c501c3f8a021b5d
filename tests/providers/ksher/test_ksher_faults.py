"""Ksher faults the other modules leave out: the fault matrix, completed.

Every fault ends as a typed error or a documented retry, never a hang and never "cancelled":

=====================  ===============================================  ==========================
fault                  outcome                                          tested in
=====================  ===============================================  ==========================
connect timeout        ProviderUnavailable(timeout); cancel sent once,  here
                       the order query retried (3 tries, bounded)
read timeout           ProviderUnavailable(timeout), cancel sent once   test_ksher_client (slow-)
connection reset       ProviderUnavailable(connection)                  test_ksher_client (reset-)
5xx                    ProviderUnavailable(http_status); query retried  test_ksher_client
429 + Retry-After      ProviderUnavailable(retry_after); query waits    here
                       what Ksher asks (capped), cancel never retried
truncated body         ProviderUnavailable(connection), sent once       here (truncated-)
non-JSON body          ProviderProtocolError(not_json)                  test_ksher_client
JSON of the wrong      ProviderProtocolError(bad_shape) or              here, test_ksher_client
shape                  SignatureInvalid(unsigned)
bad / missing          SignatureInvalid(signature_mismatch / unsigned)  test_ksher_client
signature
replayed answer        signed data for another order/merchant:          test_ksher_client, here
                       order/appid_mismatch; another nonce_str:
                       replayed; a time_stamp far from ours: stale; an
                       unsigned success is confirmed by a signed query
=====================  ===============================================  ==========================

A replay here means a genuine, Ksher-signed ``data`` object sent again: the signature covers
``data`` only (PROTOCOLS C.2), so what binds it to this request is what ``data`` names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import httpx
import pytest

from penalty.errors import ProviderProtocolError, ProviderUnavailable, SignatureInvalid
from penalty.providers._http import RetryPolicy
from penalty.providers.ksher import Client, Config, KsherCancelOutcome, Sandbox, sign
from penalty.providers.ksher.sandbox import load_test_only_key

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # 12:00:00 in Bangkok
OUR_STAMP = "20260301120000"
OUR_NONCE = "n" * 32


def _client(
    handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None
) -> tuple[Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def logged(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.Client(transport=httpx.MockTransport(logged))
    config = Config(
        appid="mch35000",
        private_key=load_test_only_key("merchant"),
        public_key=load_test_only_key("gateway").public_key(),
        base_url="https://ksher.test/api",
    )
    client = Client(
        config,
        http=http,
        now=lambda: NOW,
        nonce=lambda: OUR_NONCE,
        retry=RetryPolicy(attempts=3, backoff=0.1, max_backoff=2.0, deadline=10.0),
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
    )
    return client, seen


def _raise(error: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("injected", request=request)

    return handler


def _signed(data: Mapping[str, object]) -> Callable[[httpx.Request], httpx.Response]:
    body = {"code": 0, "msg": "ok", "data": data, "sign": sign(data, load_test_only_key("gateway"))}
    return lambda _: httpx.Response(200, content=json.dumps(body).encode())


def test_connect_timeout_on_cancel_is_unavailable_and_sent_once() -> None:
    """A connect timeout on the cancel: ProviderUnavailable(timeout) after exactly one try."""
    client, seen = _client(_raise(httpx.ConnectTimeout))
    with client, pytest.raises(ProviderUnavailable) as caught:
        client.cancel_order("BK-1")
    assert (caught.value.code, len(seen)) == ("timeout", 1)


def test_connect_timeout_on_query_is_retried_a_bounded_number_of_times() -> None:
    """The order query is safe to repeat: three tries, then ProviderUnavailable(timeout)."""
    sleeps: list[float] = []
    client, seen = _client(_raise(httpx.ConnectTimeout), sleeps)
    with client, pytest.raises(ProviderUnavailable) as caught:
        client.order_query("BK-2")
    assert (caught.value.code, len(seen)) == ("timeout", 3)
    assert sleeps == [0.1, 0.2]


def test_429_on_cancel_carries_retry_after_and_is_not_retried() -> None:
    """429 with Retry-After on a cancel: ProviderUnavailable(retry_after=30), one request."""
    answer = httpx.Response(429, headers={"Retry-After": "30"}, text="slow down")
    client, seen = _client(lambda _: answer)
    with client, pytest.raises(ProviderUnavailable) as caught:
        client.cancel_order("BK-3")
    assert (caught.value.status_code, caught.value.retry_after, len(seen)) == (429, 30.0, 1)


def test_429_on_query_waits_what_ksher_asks_capped() -> None:
    """A 429 then an answer: the query waits Retry-After (capped at 2 s) and succeeds."""
    answers = iter([httpx.Response(429, headers={"Retry-After": "1.5"})])
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        for answer in answers:
            return answer
        data = {"appid": "mch35000", "mch_order_no": "BK-4", "result": "NOTPAY", "nonce_str": ""}
        return _signed(data)(request)

    client, seen = _client(handler, sleeps)
    with client:
        assert client.order_query("BK-4").result == "NOTPAY"
    assert (sleeps, len(seen)) == ([1.5], 2)


def test_truncated_answer_is_unavailable_and_sent_once(client: Client, sandbox: Sandbox) -> None:
    """A 200 that announces more bytes than it sends: ProviderUnavailable, one cancel sent."""
    with pytest.raises(ProviderUnavailable) as caught:
        client.cancel_order("truncated-5")
    assert caught.value.code == "connection"
    assert len(sandbox.seen) == 1


@pytest.mark.parametrize(
    ("body", "error", "code"),
    [
        (b"[0]", ProviderProtocolError, "bad_shape"),
        (b'{"code": "0", "data": "ok"}', ProviderProtocolError, "bad_shape"),
        (b'{"msg": "no code"}', ProviderProtocolError, "bad_shape"),
        (b'{"code": 0, "data": 5, "sign": "00"}', ProviderProtocolError, "bad_shape"),
        (b'{"code": 0, "data": {"mch_order_no": "BK-6"}}', SignatureInvalid, "unsigned"),
        (b'{"code": 0.0}', ProviderProtocolError, "bad_shape"),
    ],
    ids=["a-list", "code-as-text", "no-code", "data-a-number", "data-unsigned", "code-a-float"],
)
def test_json_of_the_wrong_shape_is_refused(body: bytes, error: type[Exception], code: str) -> None:
    """Valid JSON that is not a Ksher answer: a typed error, never an outcome."""
    client, _ = _client(lambda _: httpx.Response(200, content=body))
    with client, pytest.raises(error) as caught:
        client.order_query("BK-6")
    assert getattr(caught.value, "code", None) == code


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"nonce_str": "an-older-nonce"}, "replayed"),
        ({"time_stamp": "20260301114500"}, "stale"),
        ({"time_stamp": "20260301121500"}, "stale"),
        ({"time_stamp": "20269999999999"}, "stale"),
    ],
    ids=["another-nonce", "15-minutes-old", "15-minutes-ahead", "not-a-time"],
)
@pytest.mark.parametrize("call", ["cancel", "query"])
def test_a_replayed_signed_answer_is_never_believed(
    extra: dict[str, str], code: str, call: str
) -> None:
    """Signed data naming our order but another nonce or a far time_stamp: refused, not CLOSED."""
    data = {"appid": "mch35000", "mch_order_no": "BK-7", "result": "CLOSED", **extra}
    client, _ = _client(_signed(data))
    with client, pytest.raises(ProviderProtocolError) as caught:
        client.cancel_order("BK-7") if call == "cancel" else client.order_query("BK-7")
    assert (caught.value.code, caught.value.path) == (code, f"data.{next(iter(extra))}")


@pytest.mark.parametrize(
    "extra",
    [{}, {"nonce_str": ""}, {"nonce_str": OUR_NONCE}, {"time_stamp": "20260301120500"}],
    ids=["neither", "empty-nonce", "our-nonce", "5-minutes-off"],
)
def test_a_fresh_signed_answer_is_believed(extra: dict[str, str]) -> None:
    """Our nonce (or none, as documented) and a time_stamp within 10 minutes: CANCELLED."""
    data = {"appid": "mch35000", "mch_order_no": "BK-8", "result": "CLOSED", **extra}
    client, _ = _client(_signed(data))
    with client:
        result = client.cancel_order("BK-8")
    assert (result.outcome, result.verified) == (KsherCancelOutcome.CANCELLED, True)


def test_a_replayed_unsigned_success_is_checked_by_a_signed_query() -> None:
    """Seed 002's unsigned '取消成功' names no order: only the signed query can confirm it."""
    answers = iter(
        [
            httpx.Response(200, json={"code": 0, "msg": "操作成功", "data": "取消成功"}),
            _signed({"mch_order_no": "BK-9", "result": "NOTPAY"})(httpx.Request("POST", "/")),
        ]
    )
    client, seen = _client(lambda _: next(answers))
    with client, pytest.raises(ProviderProtocolError) as caught:
        client.cancel_order("BK-9")
    assert caught.value.code == "cancel_unconfirmed"
    assert [request.url.path for request in seen] == [
        "/api/cancel_order",
        "/api/gateway_order_query",
    ]
