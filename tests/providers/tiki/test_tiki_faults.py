"""Tiki faults the other modules leave out: the fault matrix, completed.

A Tiki cancel is never retried (it is not idempotent), so every fault ends as a typed error after
exactly one request, never a hang and never "cancelled":

=====================  ============================================  =============================
fault                  outcome                                       tested in
=====================  ============================================  =============================
connect timeout        ProviderUnavailable(timeout)                  here
read timeout           ProviderUnavailable(timeout)                  test_tiki_client (slow-)
connection reset       ProviderUnavailable(connection)               test_tiki_client (reset-)
5xx                    ProviderUnavailable(http_status)              test_tiki_client (fail-)
429 + Retry-After      ProviderUnavailable(retry_after), not retried here
truncated body         ProviderUnavailable(connection)               here (truncated-)
non-JSON body          ProviderProtocolError(not_json)               test_tiki_client (garbage-)
JSON of the wrong      ProviderProtocolError(bad_shape)              test_tiki_client, here
shape
bad signature          ours refused: TikiRejected(unauthorized)      test_tiki_client (badsig-)
missing signature      Tiki's answers carry none (PROTOCOLS B.4      here (the https rule)
                       signs requests only)
replayed answer        another order: order_mismatch; not            test_tiki_client, here
                       ``canceled``: unexpected_status; data and
                       error together: TikiRejected
=====================  ============================================  =============================

Replay: Tiki's answers are unsigned and carry no nonce or time, so the client cannot tell a
replayed answer about *this* order from a fresh one. What it does: it believes only an answer that
names the order it asked about with status ``canceled`` (a replay of any other answer is refused),
and it talks only https (plain http only to a loopback sandbox), so that nobody between us and
Tiki can replay anything; the client secret is never sent, only a signature over this body and
this timestamp.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from penalty.errors import InvalidInput, ProviderProtocolError, ProviderUnavailable
from penalty.providers.tiki import Client, Config, Sandbox, TikiRejected


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[Client, list[str]]:
    seen: list[str] = []

    def logged(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return handler(request)

    http = httpx.Client(transport=httpx.MockTransport(logged))
    config = Config(
        client_key="k", client_secret=SecretStr("s"), base_url="https://tiki.test/open-api"
    )
    return Client(config, http=http), seen


def test_connect_timeout_is_unavailable_after_one_request() -> None:
    """A connect timeout: ProviderUnavailable(timeout), and the cancel is not sent again."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("injected", request=request)

    client, seen = _client(handler)
    with client, pytest.raises(ProviderUnavailable) as caught:
        client.cancel_order("1", "reason")
    assert (caught.value.code, len(seen)) == ("timeout", 1)


def test_429_carries_retry_after_and_is_not_retried() -> None:
    """429 with Retry-After: ProviderUnavailable with retry_after and status, one request."""
    client, seen = _client(lambda _: httpx.Response(429, headers={"Retry-After": "12"}))
    with client, pytest.raises(ProviderUnavailable) as caught:
        client.cancel_order("1", "reason")
    assert (caught.value.status_code, caught.value.retry_after, len(seen)) == (429, 12.0, 1)


def test_truncated_answer_is_unavailable(client: Client, sandbox: Sandbox) -> None:
    """A 200 announcing more bytes than it sends: ProviderUnavailable(connection), sent once."""
    with pytest.raises(ProviderUnavailable) as caught:
        client.cancel_order("truncated-1", "reason")
    assert caught.value.code == "connection"
    assert sandbox.count("cancel") == 1


def _answer(order_id: str, status: str = "canceled") -> bytes:
    return json.dumps(
        {"data": {"order": {"id": order_id, "status": status, "grand_total": 1000}}}
    ).encode()


#: A success and an error in one answer: the error wins.
BOTH = json.dumps(
    {
        "data": {"order": {"id": "1", "status": "canceled", "grand_total": 1}},
        "error": {"code": 400, "message": "order is already canceled"},
    }
).encode()
ID_AS_NUMBER = b'{"data": {"order": {"id": 1, "status": "canceled", "grand_total": 1}}}'


@pytest.mark.parametrize(
    ("body", "error", "code"),
    [
        (_answer("77062110977884170"), ProviderProtocolError, "order_mismatch"),
        (_answer("1", "waiting_for_payment"), ProviderProtocolError, "unexpected_status"),
        (_answer("1", "completed"), ProviderProtocolError, "unexpected_status"),
        (BOTH, TikiRejected, "rejected"),
        (ID_AS_NUMBER, ProviderProtocolError, "bad_shape"),
        (b'{"data": {"orders": []}}', ProviderProtocolError, "bad_shape"),
        (b'"canceled"', ProviderProtocolError, "bad_shape"),
    ],
    ids=[
        "another-orders-answer",
        "an-older-answer-before-the-cancel",
        "another-status",
        "data-and-error",
        "id-as-number",
        "no-order",
        "a-bare-string",
    ],
)
def test_a_replayed_or_misshapen_answer_is_never_cancelled(
    body: bytes, error: type[Exception], code: str
) -> None:
    """An answer that is not "order 1 is canceled" raises; nothing else reads as cancelled."""
    client, _ = _client(lambda _: httpx.Response(200, content=body))
    with client, pytest.raises(error) as caught:
        client.cancel_order("1", "reason")
    assert getattr(caught.value, "code", None) == code


def test_tiki_is_only_spoken_to_over_https() -> None:
    """Plain http to anything but a loopback sandbox is refused before any request."""
    with pytest.raises(InvalidInput) as caught:
        Config.load(
            environ={
                "PENALTY_TIKI_BASE_URL": "http://api.tiki.vn/tiniapp-open-api",
                "PENALTY_TIKI_CLIENT_KEY": "k",
                "PENALTY_TIKI_CLIENT_SECRET": "s",
            }
        )
    assert caught.value.path == "tiki.base_url"
