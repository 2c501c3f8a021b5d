"""One fault matrix for every provider, sync and async alike, over real HTTP.

Each provider's real sandbox runs behind a fault proxy (a `SandboxServer` too): the request
reaches the sandbox (so a cancellation really happens there), then the proxy replaces the answer
with a fault: a timeout, a reset, 5xx, 429, a truncated or garbage body, an unsigned 4xx, a bad
or missing signature, a replay, signed data that contradicts the code. Whatever the fault, no
client may report success it cannot prove (no false ``confirmed`` / ``cancelled``), and the Gotadi
flow may not end ``rejected`` when the cancellation was in fact made (no false final refusal):
with nothing believable to go on it ends ``pending``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.booking import Booking
from penalty.errors import PenaltyError
from penalty.providers import gotadi, ksher, tiki
from penalty.providers._http import RetryPolicy
from penalty.providers._sandbox import SandboxRequest, SandboxResponse, SandboxServer
from penalty.providers.gotadi.crypto import seal
from penalty.providers.ksher.signing import sign

#: Client timeout; a "timeout" fault answers this much later and more.
TIMEOUT = 0.2
AT = datetime(2021, 5, 13, 9, 0, tzinfo=timezone(timedelta(hours=7)))
BOOKING = Booking.model_validate(
    {
        "total": "3000000",
        "currency": "VND",
        "nightly_rates": ["1000000", "1200000", "800000"],
        "timezone": "Asia/Ho_Chi_Minh",
    }
)
_IMPOSTOR = rsa.generate_private_key(public_exponent=65537, key_size=1024)

Fault = Callable[[SandboxRequest, SandboxResponse], SandboxResponse]
#: Safe calls are tried twice, without waiting: enough to show a retry, quick to run.
RETRY = RetryPolicy(attempts=2, backoff=0.0, max_backoff=0.0)


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        """The fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Move the clock."""
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """Move the clock (awaitable)."""
        self.now += seconds


def _plain(status: int, body: bytes, **headers: str) -> Fault:
    return lambda _request, _real: SandboxResponse(status=status, body=body, headers=headers)


#: Faults every provider meets the same way: the transport, the status, the body.
GENERIC: dict[str, Fault] = {
    "timeout": lambda _q, real: SandboxResponse(
        status=real.status, body=real.body, headers=real.headers, delay=TIMEOUT * 3
    ),
    "reset": lambda _q, _r: SandboxResponse(reset=True),
    "500": _plain(500, b"Internal Server Error"),
    "503": _plain(503, b"Service Unavailable"),
    "429": _plain(429, b"slow down", **{"Retry-After": "0"}),
    "truncated": lambda _q, real: SandboxResponse(
        status=200, body=real.body[: max(1, len(real.body) // 2)], truncate=True
    ),
    "garbage": _plain(200, b"<html>upstream said hi</html>"),
    "unsigned-403": _plain(403, b"<html>Forbidden</html>", **{"Content-Type": "text/html"}),
    "unsigned-404-json": _plain(404, b'{"error": "not found"}', **{"Content-Type": "json"}),
    "deep-json": _plain(200, b"[" * 100 + b"]" * 100),
    "huge-number": _plain(200, b'{"code": ' + b"9" * 5000 + b"}"),
}


@dataclass
class Proxy:
    """Forwards to ``sandbox``, then answers ``fault`` instead when ``when(request)``."""

    sandbox: Callable[[SandboxRequest], SandboxResponse]
    fault: Fault | None = None
    when: Callable[[SandboxRequest], bool] = lambda _request: True

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        real = self.sandbox(request)
        if self.fault is None or not self.when(request):
            return real
        return self.fault(request, real)


def _run(mode: str, sync: Callable[[], Any], async_: Callable[[], Awaitable[Any]]) -> Any:
    return sync() if mode == "sync" else asyncio.run(async_())  # type: ignore[arg-type]


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run each case on the sync and on the async client."""
    return str(request.param)


# -- Gotadi: the whole flow ------------------------------------------------------------------------


def _gotadi_sealed(fields: list[str], signer: rsa.RSAPrivateKey, sandbox: gotadi.Sandbox) -> bytes:
    key, data = seal(fields, sender_private=signer, receiver_public=sandbox.keys.peer_public)
    return json.dumps({"key": key, "data": data}).encode()


def _gotadi_protocol_faults(sandbox: gotadi.Sandbox) -> dict[str, Fault]:
    code = sandbox.access_code

    def signed(fields: list[str], signer: rsa.RSAPrivateKey | None = None) -> Fault:
        body = _gotadi_sealed(fields, signer or sandbox.keys.own_private, sandbox)
        return lambda _q, _r: SandboxResponse(body=body)

    confirmed = [code, "EX3", "00", "HOTEL", "CANCEL_CONFIRMED"]
    return {
        "bad-signature": signed(confirmed, _IMPOSTOR),
        "replay-other-booking": signed([code, "EX1", "00", "HOTEL", "CANCEL_CONFIRMED"]),
        "replay-other-endpoint": signed([*confirmed, "2100000.00", "extra"]),
        "contradiction-02-confirmed": signed([code, "EX3", "02", "HOTEL", "CANCEL_CONFIRMED"]),
        "unsigned-4xx-envelope-shape": _plain(400, b'{"key": "", "data": ""}'),
    }


@pytest.fixture(scope="module")
def gotadi_sandbox() -> Iterator[tuple[gotadi.Sandbox, Proxy, str]]:
    """The Gotadi sandbox behind a fault proxy, for the module."""
    sandbox = gotadi.Sandbox.with_test_keys()
    proxy = Proxy(sandbox)
    with SandboxServer(proxy) as server:
        yield sandbox, proxy, server.url


GOTADI_FAULTS = sorted(
    [*GENERIC, "bad-signature", "replay-other-booking", "replay-other-endpoint",
     "contradiction-02-confirmed", "unsigned-4xx-envelope-shape"]
)  # fmt: skip


@pytest.mark.parametrize("fault", GOTADI_FAULTS)
def test_gotadi_flow_never_confirms_or_rejects_on_a_fault(
    fault: str, mode: str, gotadi_sandbox: tuple[gotadi.Sandbox, Proxy, str]
) -> None:
    """The cancellation reaches Gotadi, which confirms it; every answer after it is the fault:
    the flow ends pending (one cancellation sent), never confirmed, never rejected."""
    sandbox, proxy, url = gotadi_sandbox
    sandbox.reset()
    faults = {**GENERIC, **_gotadi_protocol_faults(sandbox)}
    proxy.fault = faults[fault]
    proxy.when = lambda request: sandbox.count("cancel") > 0 and "/partner/" in request.path
    config = sandbox.config(url, timeout=TIMEOUT)
    flow = gotadi.FlowSettings(poll_initial=0.25, deadline=0.5)
    time = FakeTime()
    options: dict[str, Any] = {"retry": RETRY, "clock": time.clock, "now": lambda: AT}

    def sync() -> gotadi.CancelOutcome:
        with gotadi.Client(config, sleep=time.sleep, **options) as client:
            return client.cancel_booking("EX3", BOOKING, settings=flow)

    async def async_() -> gotadi.CancelOutcome:
        async with gotadi.AsyncClient(config, sleep=time.asleep, **options) as client:
            return await client.cancel_booking("EX3", BOOKING, settings=flow)

    outcome = _run(mode, sync, async_)
    assert outcome.state is gotadi.FlowState.PENDING, outcome.trail
    assert sandbox.count("cancel") == 1
    assert outcome.amount_sent == "2100000.00"


# -- Tiki and Ksher: one cancel each --------------------------------------------------------------


@pytest.fixture(scope="module")
def tiki_sandbox() -> Iterator[tuple[tiki.Sandbox, Proxy, str]]:
    """The Tiki sandbox behind a fault proxy, for the module."""
    sandbox = tiki.Sandbox()
    proxy = Proxy(sandbox)
    with SandboxServer(proxy) as server:
        yield sandbox, proxy, server.url


@pytest.mark.parametrize("fault", sorted(GENERIC))
def test_tiki_cancel_is_never_cancelled_on_a_fault(
    fault: str, mode: str, tiki_sandbox: tuple[tiki.Sandbox, Proxy, str]
) -> None:
    """Whatever replaces Tiki's answer, the cancel raises a typed error, sent exactly once."""
    sandbox, proxy, url = tiki_sandbox
    sandbox.reset()
    proxy.fault, proxy.when = GENERIC[fault], lambda _request: True

    def sync() -> Any:
        with sandbox.client(url, timeout=TIMEOUT, retry=RETRY) as client:
            return client.cancel_order("T-1", "guest cancelled")

    async def async_() -> Any:
        async with sandbox.async_client(url, timeout=TIMEOUT, retry=RETRY) as client:
            return await client.cancel_order("T-1", "guest cancelled")

    with pytest.raises(PenaltyError):
        _run(mode, sync, async_)
    assert sandbox.count("cancel") == 1


def _ksher_protocol_faults(sandbox: ksher.Sandbox) -> dict[str, Fault]:
    def signed_data(
        data: Mapping[str, object], key: rsa.RSAPrivateKey | None = None, *, signature: bool = True
    ) -> Fault:
        def fault(request: SandboxRequest, _real: SandboxResponse) -> SandboxResponse:
            body: dict[str, object] = {"code": 0, "msg": "ok", "data": data}
            if signature:
                body["sign"] = sign(data, key or sandbox._gateway_key)
            return SandboxResponse.json(json.dumps(body))

        return fault

    order = {"mch_order_no": "K-1", "appid": sandbox.appid, "result": "CLOSED"}
    stale = datetime.now(UTC) - timedelta(hours=2)
    return {
        "bad-signature": signed_data(order, _IMPOSTOR),
        "missing-signature": signed_data(order, signature=False),
        "replay-other-nonce": signed_data({**order, "nonce_str": "from-another-request"}),
        "replay-stale": signed_data({**order, "time_stamp": stale.strftime("%Y%m%d%H%M%S")}),
        "replay-other-order": signed_data({**order, "mch_order_no": "K-0"}),
        "unsigned-already-cancelled": lambda _q, _r: SandboxResponse.json(
            json.dumps({"code": -5, "msg": "already cancelled"})
        ),
    }


@pytest.fixture(scope="module")
def ksher_sandbox() -> Iterator[tuple[ksher.Sandbox, Proxy, str]]:
    """The Ksher sandbox behind a fault proxy, for the module."""
    sandbox = ksher.Sandbox()
    proxy = Proxy(sandbox)
    with SandboxServer(proxy) as server:
        yield sandbox, proxy, server.url


KSHER_FAULTS = sorted(
    [*GENERIC, "bad-signature", "missing-signature", "replay-other-nonce", "replay-stale",
     "replay-other-order", "unsigned-already-cancelled"]
)  # fmt: skip


@pytest.mark.parametrize("fault", KSHER_FAULTS)
def test_ksher_cancel_is_never_cancelled_on_a_fault(
    fault: str, mode: str, ksher_sandbox: tuple[ksher.Sandbox, Proxy, str]
) -> None:
    """Every answer (the cancel's and the confirming query's) is the fault: a typed error,
    never "cancelled", never "already cancelled" or "already paid"."""
    sandbox, proxy, url = ksher_sandbox
    sandbox.reset()
    sandbox.add_order("K-1", "PENDING")  # open, and the cancel will not close it
    sandbox.set_outcome("K-1", ksher.KsherOutcome.CANCEL_FAILED)
    faults = {**GENERIC, **_ksher_protocol_faults(sandbox)}
    proxy.fault, proxy.when = faults[fault], lambda _request: True

    def sync() -> Any:
        with sandbox.client(url, timeout=TIMEOUT, retry=RETRY) as client:
            return client.cancel_order("K-1")

    async def async_() -> Any:
        async with sandbox.async_client(url, timeout=TIMEOUT, retry=RETRY) as client:
            return await client.cancel_order("K-1")

    with pytest.raises(PenaltyError):
        _run(mode, sync, async_)
    assert sandbox.count("cancel") == 1


def test_ksher_signed_paid_data_with_code_0_is_already_paid(
    mode: str, ksher_sandbox: tuple[ksher.Sandbox, Proxy, str]
) -> None:
    """Code 0 on a cancel whose *signed* data says SUCCESS: the guest paid. The signed data
    wins over the unsigned code: already paid (refund another way), never cancelled."""
    sandbox, proxy, url = ksher_sandbox
    sandbox.reset()
    proxy.fault = None

    def sync() -> Any:
        with sandbox.client(url, timeout=TIMEOUT, retry=RETRY) as client:
            return client.cancel_order("paidsigned-1")

    async def async_() -> Any:
        async with sandbox.async_client(url, timeout=TIMEOUT, retry=RETRY) as client:
            return await client.cancel_order("paidsigned-1")

    result = _run(mode, sync, async_)
    assert result.outcome is ksher.KsherCancelOutcome.ALREADY_PAID
    assert result.verified
    assert result.refund_required


def test_ksher_unsigned_minus_5_for_an_open_order_is_not_believed(
    mode: str, ksher_sandbox: tuple[ksher.Sandbox, Proxy, str]
) -> None:
    """An unsigned ``{"code": -5}`` while the signed query says the order is open: not
    "already cancelled" but cancel_unconfirmed."""
    sandbox, proxy, url = ksher_sandbox
    sandbox.reset()
    proxy.fault = None

    def sync() -> Any:
        with sandbox.client(url, timeout=TIMEOUT, retry=RETRY) as client:
            return client.cancel_order("liar-1")

    async def async_() -> Any:
        async with sandbox.async_client(url, timeout=TIMEOUT, retry=RETRY) as client:
            return await client.cancel_order("liar-1")

    with pytest.raises(PenaltyError) as caught:
        _run(mode, sync, async_)
    assert caught.value.code == "cancel_unconfirmed"
