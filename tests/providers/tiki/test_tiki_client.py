"""`tiki.Client.cancel_order` over real HTTP against the local sandbox: every outcome and fault."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from penalty.errors import InvalidInput, ProviderProtocolError, ProviderUnavailable
from penalty.providers._http import HttpRefusal
from penalty.providers._sandbox import SandboxServer
from penalty.providers.tiki import (
    Client,
    Config,
    Fault,
    Sandbox,
    TikiCancelOutcome,
    TikiOutcome,
    TikiRejected,
    verify,
)


def test_cancel_open_order(client: Client, sandbox: Sandbox) -> None:
    """An open order is cancelled; the result carries Tiki's order and the refund note."""
    sandbox.add_order("77062110977884170", grand_total=1000)
    result = client.cancel_order("77062110977884170", "Hết phòng")
    assert result.outcome is TikiCancelOutcome.CANCELLED
    assert result.order is not None
    assert (result.order.id, result.order.status, result.order.grand_total) == (
        "77062110977884170",
        "canceled",
        1000,
    )
    assert isinstance(result.order.grand_total, int)
    assert "refund" in result.note
    assert sandbox.orders["77062110977884170"].status == "canceled"


def test_exact_bytes_are_signed_and_sent(
    client: Client, sandbox: Sandbox, sent: list[httpx.Request]
) -> None:
    """The body is compact UTF-8 JSON (no escapes), and its exact bytes carry the signature."""
    client.cancel_order("42", "Khách hủy đặt phòng", page_path="/order/detail/42")
    (request,) = sent
    text = request.content.decode("utf-8")
    assert text == (
        '{"order_id":"42","comment":"Khách hủy đặt phòng",'
        '"push_opts":{"page_path":"/order/detail/42"}}'
    )
    assert request.url.path == "/tiniapp-open-api/order/cancel"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-tiniapp-client-id"] == sandbox.client_key
    assert verify(
        int(request.headers["x-tiniapp-timestamp"]),
        sandbox.client_key,
        "sandbox-client-secret-TEST-ONLY",
        text,
        request.headers["x-tiniapp-signature"],
    )


def test_page_path_omitted_when_not_given(
    client: Client, sandbox: Sandbox, sent: list[httpx.Request]
) -> None:
    """Without ``page_path`` no ``push_opts`` key is sent at all."""
    client.cancel_order("43", "reason")
    assert json.loads(sent[0].content) == {"order_id": "43", "comment": "reason"}


def test_known_completed_is_refused_before_sending(client: Client, sandbox: Sandbox) -> None:
    """A caller-known ``completed`` order raises InvalidInput and nothing is sent."""
    with pytest.raises(InvalidInput) as info:
        client.cancel_order("44", "reason", known_status="completed")
    assert info.value.code == "order_completed"
    assert not sandbox.seen


def test_known_canceled_is_an_outcome_without_request(client: Client, sandbox: Sandbox) -> None:
    """A caller-known ``canceled`` order is ALREADY_CANCELLED, with no request sent."""
    result = client.cancel_order("45", "reason", known_status="canceled")
    assert result.outcome is TikiCancelOutcome.ALREADY_CANCELLED
    assert result.order is None
    assert not sandbox.seen


def test_unknown_known_status_is_invalid_input(client: Client) -> None:
    """A ``known_status`` that Tiki does not document is refused (``cancelled`` has two l's)."""
    with pytest.raises(InvalidInput) as info:
        client.cancel_order("46", "reason", known_status="cancelled")
    assert info.value.code == "unknown_status"


@pytest.mark.parametrize("field", ["order_id", "comment"])
def test_empty_required_field_is_invalid_input(client: Client, field: str) -> None:
    """An empty order id or comment is refused before sending."""
    args = {"order_id": "47", "comment": "reason", field: " "}
    with pytest.raises(InvalidInput) as info:
        client.cancel_order(args["order_id"], args["comment"])
    assert info.value.path == field


@pytest.mark.parametrize(
    ("outcome", "status", "code"),
    [
        (TikiOutcome.COMPLETED, 400, "invalid_request"),
        (TikiOutcome.ALREADY_CANCELLED, 400, "invalid_request"),
        (TikiOutcome.NOT_FOUND, 404, "not_found"),
        (TikiOutcome.BAD_SIGNATURE, 401, "unauthorized"),
    ],
    ids=["completed", "already-cancelled", "not-found", "bad-signature"],
)
def test_error_envelope_is_typed(
    client: Client, sandbox: Sandbox, outcome: TikiOutcome, status: int, code: str
) -> None:
    """Tiki's error envelope becomes TikiRejected with the status, code and Tiki's words."""
    sandbox.set_outcome("48", outcome)
    with pytest.raises(TikiRejected) as info:
        client.cancel_order("48", "reason")
    error = info.value
    assert (error.status_code, error.code, error.provider_code) == (status, code, str(status))
    assert error.tiki_message
    assert error.request_id == "sandbox"
    assert sandbox.count("cancel") == 1


def test_second_cancel_is_rejected(client: Client, sandbox: Sandbox) -> None:
    """Cancelling the same order twice: the second answer is Tiki's error, typed."""
    client.cancel_order("49", "reason")
    with pytest.raises(TikiRejected, match="already canceled"):
        client.cancel_order("49", "reason")


def test_wrong_secret_is_unauthorized(sandbox: Sandbox, server: SandboxServer) -> None:
    """A client with the wrong secret is refused by the sandbox's signature check."""
    with (
        Client(
            Config(
                client_key=sandbox.client_key,
                client_secret=SecretStr("not-the-secret"),
                base_url=server.url + "/tiniapp-open-api",
            )
        ) as client,
        pytest.raises(TikiRejected) as info,
    ):
        client.cancel_order("50", "reason")
    assert info.value.code == "unauthorized"
    assert not sandbox.orders


def test_stale_clock_is_unauthorized(sandbox: Sandbox, server: SandboxServer) -> None:
    """A timestamp far from the sandbox's clock is refused like a bad signature."""
    with (
        sandbox.client(server.url, now=lambda: datetime(2001, 1, 1, tzinfo=UTC)) as client,
        pytest.raises(TikiRejected) as info,
    ):
        client.cancel_order("51", "reason")
    assert info.value.status_code == 401


def test_slow_answer_times_out(client: Client, sandbox: Sandbox) -> None:
    """A late answer is ProviderUnavailable(timeout), and the cancel is not retried."""
    sandbox.set_outcome("52", Fault.SLOW)
    with pytest.raises(ProviderUnavailable) as info:
        client.cancel_order("52", "reason")
    assert info.value.code == "timeout"
    assert sandbox.count("cancel") == 1


def test_server_error_is_unavailable_and_not_retried(client: Client, sandbox: Sandbox) -> None:
    """A 5xx is ProviderUnavailable(http_status); a cancel is sent exactly once."""
    sandbox.outcomes.force = Fault.SERVER_ERROR
    with pytest.raises(ProviderUnavailable) as info:
        client.cancel_order("53", "reason")
    assert (info.value.code, info.value.status_code) == ("http_status", 503)
    assert sandbox.count("cancel") == 1


def test_garbage_is_protocol_error(client: Client, sandbox: Sandbox) -> None:
    """A 200 whose body is not JSON is ProviderProtocolError(not_json)."""
    sandbox.set_outcome("54", Fault.GARBAGE)
    with pytest.raises(ProviderProtocolError) as info:
        client.cancel_order("54", "reason")
    assert info.value.code == "not_json"


def test_connection_reset_is_unavailable(client: Client, sandbox: Sandbox) -> None:
    """A dropped connection is ProviderUnavailable(connection)."""
    with pytest.raises(ProviderUnavailable) as info:
        client.cancel_order("reset-55", "reason")
    assert info.value.code == "connection"


def _mock_client(status: int, body: bytes) -> Client:
    transport = httpx.MockTransport(lambda _request: httpx.Response(status, content=body))
    http = httpx.Client(transport=transport)
    config = Config(
        client_key="k", client_secret=SecretStr("s"), base_url="https://tiki.test/open-api"
    )
    return Client(config, http=http)


def _order(order_id: str = "1", status: str = "canceled", total: str = "1000") -> bytes:
    order = f'{{"id":"{order_id}","status":"{status}","grand_total":{total}}}'
    return f'{{"data":{{"order":{order}}}}}'.encode()


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (200, _order(total="1000.0"), "bad_shape"),
        (200, _order(total='"1000"'), "bad_shape"),
        (200, _order(total=str(2**63)), "bad_shape"),
        (200, _order(order_id="2"), "order_mismatch"),
        (200, _order(status="completed"), "unexpected_status"),
        (200, b'{"data":null}', "bad_shape"),
        (200, b"[1, 2]", "bad_shape"),
    ],
    ids=[
        "float-total",
        "string-total",
        "total-over-int64",
        "other-order",
        "not-canceled",
        "no-data",
        "not-an-object",
    ],
)
def test_unbelievable_success_is_protocol_error(status: int, body: bytes, code: str) -> None:
    """A 2xx answer with a float/str/over-int64 total, another order, another status: refused."""
    with _mock_client(status, body) as client, pytest.raises(ProviderProtocolError) as info:
        client.cancel_order("1", "reason")
    assert info.value.code == code


def test_error_inside_a_200_is_rejected() -> None:
    """``error`` in a 2xx answer (the Go sample reads it there too) is still a rejection."""
    body = (
        b'{"data":null,"error":{"code":400,"message":"invalid parameters","reason":"INVALID_ITEM"}}'
    )
    with _mock_client(200, body) as client, pytest.raises(TikiRejected) as info:
        client.cancel_order("1", "reason")
    assert (info.value.provider_code, info.value.reason) == ("INVALID_ITEM", "INVALID_ITEM")


def test_4xx_without_envelope_is_a_bare_refusal() -> None:
    """A 403 with an HTML body (a gateway's page): HttpRefusal, a typed refusal, not a crash."""
    with (
        _mock_client(403, b"<html>forbidden</html>") as client,
        pytest.raises(HttpRefusal) as info,
    ):
        client.cancel_order("1", "reason")
    assert (info.value.code, info.value.provider_code) == ("http_status", "HTTP 403")


def test_seed_000_response_parses() -> None:
    """Seed 000's example answer is a successful cancel of order 77062110977884170."""
    body = b'{"data":{"order":{"id":"77062110977884170","status":"canceled","grand_total":1000}}}'
    with _mock_client(200, body) as client:
        result = client.cancel_order("77062110977884170", "Hết hàng")
    assert result.order is not None
    assert result.order.grand_total == 1000


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    """One sandbox server for the module's property test."""
    sandbox = Sandbox()
    with sandbox.serve() as server:
        yield sandbox, server.url


@settings(max_examples=25)
@given(
    order_id=st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).filter(str.strip),
    comment=st.text(st.characters(codec="utf-8"), min_size=1, max_size=60).filter(str.strip),
    page_path=st.none() | st.text(st.characters(codec="utf-8"), max_size=30),
)
def test_any_unicode_request_verifies_at_the_sandbox(
    served: tuple[Sandbox, str], order_id: str, comment: str, page_path: str | None
) -> None:
    """Whatever the unicode in the body, the sandbox verifies the signature of the bytes it got."""
    sandbox, url = served
    sandbox.reset()
    sandbox.set_outcome(order_id, TikiOutcome.CANCEL)
    requests: list[httpx.Request] = []
    with (
        httpx.Client(event_hooks={"request": [requests.append]}) as http,
        sandbox.client(url, http=http) as client,
    ):
        result = client.cancel_order(order_id, comment, page_path=page_path)
    assert result.order is not None
    assert result.order.id == order_id
    sent = json.loads(requests[0].content)
    assert (sent["order_id"], sent["comment"]) == (order_id, comment)
