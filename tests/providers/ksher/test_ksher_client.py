"""`Client` over real HTTP against the local sandbox: every result code, outcome and fault."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from penalty.errors import ProviderProtocolError, ProviderUnavailable, SignatureInvalid
from penalty.providers._keys import KeyWarning
from penalty.providers._sandbox import SandboxRequest, SandboxServer
from penalty.providers.ksher import (
    Client,
    Config,
    Fault,
    KsherCancelOutcome,
    KsherOutcome,
    KsherRejected,
    Sandbox,
    sign,
    verify,
)
from penalty.providers.ksher.sandbox import load_test_only_key

from .conftest import form


def test_cancel_open_order_confirmed_by_signed_query(
    client: Client, sandbox: Sandbox, sent: list[httpx.Request], http: httpx.Client
) -> None:
    """An open order is cancelled; the unsigned success is confirmed by a signed query."""
    result = client.cancel_order("BK-100")
    assert result.outcome is KsherCancelOutcome.CANCELLED
    assert result.verified
    assert result.code == 0
    assert result.message == "操作成功"
    assert result.order is not None
    assert result.order.result == "CLOSED"
    assert not result.refund_required
    assert [r.url.path for r in sent] == ["/api/cancel_order", "/api/gateway_order_query"]


def test_cancel_without_confirmation_is_unverified(sandbox: Sandbox, server: SandboxServer) -> None:
    """With ``confirm_unsigned=False`` the documented unsigned success is returned unverified."""
    with sandbox.client(server.url, confirm_unsigned=False) as client:
        result = client.cancel_order("BK-101")
    assert (result.outcome, result.verified, result.order) == (
        KsherCancelOutcome.CANCELLED,
        False,
        None,
    )
    assert len(sandbox.seen) == 1


def test_request_form_is_signed_and_complete(
    sandbox: Sandbox, server: SandboxServer, sent: list[httpx.Request], http: httpx.Client
) -> None:
    """The cancel form has appid, lang, nonce_str, time_stamp (yyyyMMddHHmmss, Bangkok), sign."""
    fixed = datetime(2026, 3, 1, 23, 30, 5, tzinfo=UTC)
    with sandbox.client(server.url, http=http, now=lambda: fixed, lang="th") as client:
        client.cancel_order("BK-102")
    request = sent[0]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    fields = form(sent[0])
    assert set(fields) == {"appid", "lang", "nonce_str", "time_stamp", "mch_order_no", "sign"}
    assert (fields["appid"], fields["lang"], fields["mch_order_no"]) == ("mch35000", "th", "BK-102")
    assert fields["time_stamp"] == "20260302063005"
    assert re.fullmatch(r"[0-9a-f]{32}", fields["nonce_str"])
    assert re.fullmatch(r"[0-9a-f]{256}", fields["sign"])
    assert verify(fields, fields["sign"], load_test_only_key("merchant").public_key())
    assert "lang" not in form(sent[1])


def test_nonce_is_unique_per_call(
    client: Client, sandbox: Sandbox, sent: list[httpx.Request], http: httpx.Client
) -> None:
    """Every call sends a fresh ``nonce_str`` (the sandbox refuses a repeated one)."""
    for number in range(3):
        client.order_query(f"BK-103-{number}")
    nonces = {form(sent[i])["nonce_str"] for i in range(3)}
    assert len(nonces) == 3


def test_repeated_nonce_is_refused(sandbox: Sandbox, server: SandboxServer) -> None:
    """A replayed ``nonce_str`` gets code -1 from the sandbox, typed as merchant_info_invalid."""
    with sandbox.client(server.url, nonce=lambda: "same") as client:
        client.order_query("BK-104")
        with pytest.raises(KsherRejected) as info:
            client.order_query("BK-104")
    assert (info.value.result_code, info.value.code) == (-1, "merchant_info_invalid")


@pytest.mark.parametrize(
    ("outcome", "expected", "code"),
    [
        (KsherOutcome.ALREADY_PAID, KsherCancelOutcome.ALREADY_PAID, -4),
        (KsherOutcome.ALREADY_CANCELLED, KsherCancelOutcome.ALREADY_CANCELLED, -5),
    ],
    ids=["already-paid", "already-cancelled"],
)
def test_outcome_codes_are_results(
    client: Client,
    sandbox: Sandbox,
    outcome: KsherOutcome,
    expected: KsherCancelOutcome,
    code: int,
) -> None:
    """-4 (paid) and -5 (already cancelled) are outcomes, with Ksher's message kept; being
    unsigned, each is confirmed by a signed query first."""
    sandbox.set_outcome("BK-105", outcome)
    result = client.cancel_order("BK-105")
    assert (result.outcome, result.code) == (expected, code)
    assert result.message.startswith("该订单")
    assert result.verified
    assert [seen.endpoint for seen in sandbox.seen] == ["cancel", "query"]


def test_already_paid_says_refund_another_way(client: Client, sandbox: Sandbox) -> None:
    """Already paid: ``refund_required`` is true and the note says how to refund."""
    result = client.cancel_order("paid-106")
    assert result.refund_required
    assert "refund" in result.note
    assert "order_refund" in result.note


def test_second_cancel_is_already_cancelled(client: Client) -> None:
    """Cancelling twice: the second call is the ALREADY_CANCELLED outcome, not an error."""
    assert client.cancel_order("BK-107").outcome is KsherCancelOutcome.CANCELLED
    assert client.cancel_order("BK-107").outcome is KsherCancelOutcome.ALREADY_CANCELLED


@pytest.mark.parametrize(
    ("order", "result_code", "code"),
    [("missing-108", -3, "order_not_found"), ("stuck-108", -6, "cancel_failed")],
    ids=["not-found", "cancel-failed"],
)
def test_failure_codes_are_typed_rejections(
    client: Client, order: str, result_code: int, code: str
) -> None:
    """-3 and -6 raise KsherRejected with the result code and Ksher's message."""
    with pytest.raises(KsherRejected) as info:
        client.cancel_order(order)
    assert (info.value.result_code, info.value.code, info.value.provider_code) == (
        result_code,
        code,
        str(result_code),
    )
    assert info.value.ksher_message


def test_wrong_appid_is_minus_1(sandbox: Sandbox, server: SandboxServer) -> None:
    """Another appid is refused with -1 (merchant information)."""
    with (
        sandbox.client(server.url, appid="mch99999") as client,
        pytest.raises(KsherRejected) as info,
    ):
        client.cancel_order("BK-109")
    assert info.value.result_code == -1


def test_wrong_merchant_key_is_minus_2(sandbox: Sandbox, server: SandboxServer) -> None:
    """A request signed with another key gets -2 (signature_rejected) and changes nothing."""
    other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with (
        sandbox.client(server.url, private_key=other) as client,
        pytest.raises(KsherRejected) as info,
    ):
        client.cancel_order("BK-110")
    assert (info.value.result_code, info.value.code) == (-2, "signature_rejected")
    assert "BK-110" not in sandbox.orders


def test_bad_answer_signature_on_cancel(client: Client, sandbox: Sandbox) -> None:
    """A signed cancel success whose signature is wrong raises SignatureInvalid."""
    sandbox.set_outcome("BK-111", KsherOutcome.BAD_SIGNATURE)
    with pytest.raises(SignatureInvalid) as info:
        client.cancel_order("BK-111")
    assert info.value.code == "signature_mismatch"


def test_bad_answer_signature_on_query(client: Client) -> None:
    """An order query signed with the wrong key raises SignatureInvalid."""
    with pytest.raises(SignatureInvalid):
        client.order_query("badsig-112")


def test_answers_checked_against_ksher_key_by_default(
    sandbox: Sandbox, server: SandboxServer
) -> None:
    """A client left on Ksher's published key refuses the sandbox's (TEST-ONLY) signatures."""
    with (
        pytest.warns(KeyWarning, match="512 bits"),
        Client(
            Config(
                appid=sandbox.appid,
                private_key=load_test_only_key("merchant"),
                base_url=server.url + "/api",
            )
        ) as client,
        pytest.raises(SignatureInvalid),
    ):
        client.cancel_order("BK-113")


def test_query_states(client: Client, sandbox: Sandbox) -> None:
    """The order query reports NOTPAY, then CLOSED after a cancel; paid orders say SUCCESS."""
    assert client.order_query("BK-114").result == "NOTPAY"
    client.cancel_order("BK-114")
    assert client.order_query("BK-114").result == "CLOSED"
    order = client.order_query("paid-114")
    assert (order.result, order.total_fee, order.fee_type) == ("SUCCESS", 150_000, "THB")
    assert isinstance(order.total_fee, int)


def test_query_not_found(client: Client) -> None:
    """Querying an unknown order raises KsherRejected(order_not_found)."""
    with pytest.raises(KsherRejected) as info:
        client.order_query("missing-115")
    assert info.value.code == "order_not_found"


def test_slow_cancel_times_out_once(client: Client, sandbox: Sandbox) -> None:
    """A late cancel answer is ProviderUnavailable(timeout), sent once; a query then tells."""
    sandbox.set_outcome("BK-116", Fault.SLOW)
    with pytest.raises(ProviderUnavailable) as info:
        client.cancel_order("BK-116")
    assert info.value.code == "timeout"
    assert len(sandbox.seen) == 1
    assert client.order_query("BK-116").result == "CLOSED"


def test_server_error_cancel_is_not_retried(client: Client, sandbox: Sandbox) -> None:
    """A 502 on cancel is ProviderUnavailable after exactly one try."""
    sandbox.outcomes.force = Fault.SERVER_ERROR
    with pytest.raises(ProviderUnavailable) as info:
        client.cancel_order("BK-117")
    assert info.value.status_code == 502
    assert len(sandbox.seen) == 1


def test_query_retried_on_5xx() -> None:
    """The order query is retried on a 503 and succeeds on the next try."""
    sandbox = Sandbox()
    answers = iter([httpx.Response(503)])

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            return next(answers)
        except StopIteration:
            pass
        reply = sandbox(
            SandboxRequest(
                method=request.method,
                path=request.url.path,
                query="",
                headers={k.lower(): v for k, v in request.headers.items()},
                body=request.content,
            )
        )
        return httpx.Response(reply.status, content=reply.body)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    sleeps: list[float] = []
    with sandbox.client("https://ksher.test", http=http, sleep=sleeps.append) as client:
        assert client.order_query("BK-118").result == "NOTPAY"
    assert len(sleeps) == 1


def test_garbage_is_protocol_error(client: Client) -> None:
    """A body that is not JSON is ProviderProtocolError(not_json)."""
    with pytest.raises(ProviderProtocolError) as info:
        client.cancel_order("garbage-119")
    assert info.value.code == "not_json"


def test_reset_is_unavailable(client: Client) -> None:
    """A dropped connection is ProviderUnavailable(connection)."""
    with pytest.raises(ProviderUnavailable) as info:
        client.cancel_order("reset-120")
    assert info.value.code == "connection"


def _mock(*bodies: dict[str, object]) -> Client:
    answers = iter(bodies)

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(next(answers)).encode())

    http = httpx.Client(transport=httpx.MockTransport(handler))
    gateway = load_test_only_key("gateway")
    config = Config(
        appid="mch35000",
        private_key=load_test_only_key("merchant"),
        public_key=gateway.public_key(),
        base_url="https://ksher.test/api",
    )
    return Client(config, http=http)


def _signed(data: Mapping[str, object]) -> dict[str, object]:
    return {"code": 0, "msg": "ok", "data": data, "sign": sign(data, load_test_only_key("gateway"))}


def test_confirming_query_that_says_paid_is_already_paid() -> None:
    """Unsigned success, but the signed query says SUCCESS (paid from a saved QR): ALREADY_PAID."""
    with _mock(
        {"code": 0, "msg": "操作成功", "data": "取消成功"},
        _signed({"mch_order_no": "A", "result": "SUCCESS", "appid": "mch35000"}),
    ) as client:
        result = client.cancel_order("A")
    assert (result.outcome, result.verified) == (KsherCancelOutcome.ALREADY_PAID, True)


def test_confirming_query_that_disagrees_is_protocol_error() -> None:
    """Unsigned success, but the signed query still says NOTPAY: cancel_unconfirmed."""
    with (
        _mock(
            {"code": 0, "msg": "操作成功", "data": "取消成功"},
            _signed({"mch_order_no": "A", "result": "NOTPAY"}),
        ) as client,
        pytest.raises(ProviderProtocolError) as info,
    ):
        client.cancel_order("A")
    assert (info.value.code, info.value.value) == ("cancel_unconfirmed", "NOTPAY")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"mch_order_no": "B", "result": "CLOSED"}, "order_mismatch"),
        ({"mch_order_no": "A", "result": "CLOSED", "appid": "mch1"}, "appid_mismatch"),
        ({"mch_order_no": "A", "result": "CLOSED", "total_fee": "x"}, "bad_shape"),
    ],
    ids=["other-order", "other-merchant", "bad-total"],
)
def test_signed_but_wrong_query_is_protocol_error(data: dict[str, object], code: str) -> None:
    """A validly signed answer about another order or merchant, or badly typed, is refused."""
    with _mock(_signed(data)) as client, pytest.raises(ProviderProtocolError) as info:
        client.order_query("A")
    assert info.value.code == code


def test_query_fail_result_is_rejection() -> None:
    """``result == "FAIL"`` means the query failed: KsherRejected(query_failed)."""
    data = {"mch_order_no": "A", "result": "FAIL", "err_msg": "boom"}
    with _mock(_signed(data)) as client, pytest.raises(KsherRejected) as info:
        client.order_query("A")
    assert info.value.code == "query_failed"


def test_unsigned_query_success_is_signature_invalid() -> None:
    """A code-0 query answer without ``sign`` is SignatureInvalid(unsigned)."""
    with (
        _mock({"code": 0, "data": {"mch_order_no": "A", "result": "CLOSED"}}) as client,
        pytest.raises(SignatureInvalid) as info,
    ):
        client.order_query("A")
    assert info.value.code == "unsigned"


def test_unknown_code_is_rejection() -> None:
    """An undocumented result code (confirmed open by a signed query) is
    KsherRejected(unknown_code), not a crash."""
    still_open = _signed({"mch_order_no": "A", "result": "NOTPAY"})
    with (
        _mock({"code": -99, "msg": "?"}, still_open) as client,
        pytest.raises(KsherRejected) as info,
    ):
        client.cancel_order("A")
    assert (info.value.code, info.value.result_code) == ("unknown_code", -99)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    """One sandbox server for the module's property test."""
    sandbox = Sandbox()
    with sandbox.serve() as server:
        yield sandbox, server.url


@settings(max_examples=25)
@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=32).filter(str.strip))
def test_any_unicode_order_number_verifies_at_the_sandbox(
    served: tuple[Sandbox, str], mch_order_no: str
) -> None:
    """Whatever the order number, the form the sandbox decodes carries a valid signature."""
    sandbox, url = served
    sandbox.reset()
    sandbox.set_outcome(mch_order_no, KsherOutcome.CANCEL)
    sent: list[httpx.Request] = []
    with (
        httpx.Client(event_hooks={"request": [sent.append]}) as http,
        sandbox.client(url, http=http) as client,
    ):
        result = client.cancel_order(mch_order_no)
    assert (result.outcome, result.mch_order_no) == (KsherCancelOutcome.CANCELLED, mch_order_no)
    assert form(sent[0])["mch_order_no"] == mch_order_no
