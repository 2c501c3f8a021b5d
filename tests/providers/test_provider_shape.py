"""One shape for every provider: the same modules, the same constructor, the same flat public
surface; one log record per request and per flow step, secrets left out; provider answers read
within documented limits; Ksher's amounts in baht."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest

from penalty.booking import Booking
from penalty.errors import ProviderProtocolError, ProviderUnavailable
from penalty.providers import _json, gotadi, ksher, tiki
from penalty.providers._json import MAX_DEPTH, MAX_NUMBER_CHARS, parse_json
from penalty.providers.ksher.models import KsherOrder

PROVIDERS = {"gotadi": gotadi, "tiki": tiki, "ksher": ksher}
#: What every provider package exports, whatever else it has.
COMMON = {"PROVIDER", "AsyncClient", "Client", "Config", "Sandbox"}
#: The modules every provider package has.
MODULES = ("models", "protocol", "client", "config", "sandbox")


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_every_provider_has_the_same_shape(name: str) -> None:
    """models, signing or crypto, protocol, client (sync + async), config, sandbox; the common
    names exported flat, sorted, each documented."""
    package = PROVIDERS[name]
    for module in MODULES:
        importlib.import_module(f"penalty.providers.{name}.{module}")
    signing = "crypto" if name == "gotadi" else "signing"
    importlib.import_module(f"penalty.providers.{name}.{signing}")
    assert len(package.__all__) == len(set(package.__all__))
    assert set(package.__all__) >= COMMON
    for member in package.__all__:
        value = getattr(package, member)
        assert isinstance(value, str) or value.__doc__, member
    assert name == package.PROVIDER


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_one_constructor_convention(name: str) -> None:
    """``Client(config, *, http=...)`` and ``AsyncClient(config, *, http=...)``, both provider
    clients with the same operations (sync methods, async coroutines)."""
    package = PROVIDERS[name]
    for cls in (package.Client, package.AsyncClient):
        parameters = inspect.signature(cls).parameters
        assert next(iter(parameters)) == "config"
        assert parameters["http"].kind is inspect.Parameter.KEYWORD_ONLY
    sync_ops = {n for n, f in vars(package.Client).items() if inspect.isfunction(f)}
    async_ops = {n for n, f in vars(package.AsyncClient).items() if inspect.iscoroutinefunction(f)}
    assert sync_ops == async_ops
    assert sync_ops


def test_one_rsa_key_loader() -> None:
    """The providers' key loaders are the shared one, with each provider's sizes."""
    source = inspect.getsource(gotadi.load_private_key) + inspect.getsource(ksher.load_private_key)
    assert source.count("_keys.load_private_key(") == 2


# -- logging --------------------------------------------------------------------------------------

AT = datetime(2021, 5, 13, 9, 0, tzinfo=timezone(timedelta(hours=7)))


def test_a_record_per_request_and_per_flow_step_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The Gotadi flow on one logger: a record per request (method, path, status, duration,
    attempt) and per step (action, status); no api key, access code, key or signature."""
    booking = Booking.model_validate(
        {"total": "3000000", "currency": "VND", "nightly_rates": ["1000000"] * 3}
    )
    sandbox = gotadi.Sandbox.with_test_keys()
    caplog.set_level(logging.DEBUG, logger="penalty.providers")
    with sandbox.serve() as server, sandbox.client(server.url) as client:
        flow = gotadi.FlowSettings(poll_initial=0.01, deadline=5)
        outcome = client.cancel_booking("EX3-WAITING", booking, now=lambda: AT, settings=flow)
    assert outcome.state is gotadi.FlowState.CONFIRMED
    records = [r for r in caplog.records if r.name == "penalty.providers.gotadi"]
    requests = [r for r in records if hasattr(r, "attempt")]
    steps = [r for r in records if hasattr(r, "action")]
    assert [r.path for r in requests][:3] == [  # type: ignore[attr-defined]
        "/api/v3/hotel/check-cancel-penalty",
        "/api/partner/cancellation-check",
        "/api/partner/cancellation",
    ]
    for record in requests:
        assert (record.method, record.status, record.attempt) == ("POST", "200", 1)  # type: ignore[attr-defined]
        assert record.duration >= 0  # type: ignore[attr-defined]
    assert [r.action for r in steps][-1] == "done"
    assert {r.booking_number for r in steps} == {"EX3-WAITING"}  # type: ignore[attr-defined]
    text = caplog.text
    for secret in (sandbox.api_key, sandbox.access_code):
        assert secret not in text
    assert "key" not in {name for r in records for name in vars(r)} - {"key"}


def test_a_retry_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A failed attempt that will be retried, and one given up on, are warnings."""
    sandbox = ksher.Sandbox()
    answers = iter([httpx.Response(503), httpx.Response(503), httpx.Response(503)])
    http = httpx.Client(transport=httpx.MockTransport(lambda _: next(answers)))
    caplog.set_level(logging.INFO, logger="penalty.providers")
    with (
        sandbox.client("https://ksher.test", http=http) as client,
        pytest.raises(ProviderUnavailable),
    ):
        client.order_query("BK-1")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert warnings[0].startswith("POST /api/gateway_order_query -> 503 in ")
    assert warnings[0].endswith("(attempt 1, retrying in 0.00s)")
    assert warnings[2].endswith("(attempt 3, giving up)")


# -- limits on provider answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "too_deep"),
        (b'{"a": ' + b"1" * (MAX_NUMBER_CHARS + 1) + b"}", "number_too_large"),
        (b'{"a": 1.' + b"5" * MAX_NUMBER_CHARS + b"}", "number_too_large"),
        (b'{"a": NaN}', "not_json"),
        (b'{"a": 1, "a": 2}', "duplicate_key"),
        (b"\xff\xfe", "not_json"),
    ],
    ids=["deep", "long-int", "long-fraction", "nan", "duplicate", "not-utf8"],
)
def test_answers_are_read_within_limits(body: bytes, code: str) -> None:
    """Nesting, number length, NaN, a duplicate key: refused before any model or signature."""
    with pytest.raises(ProviderProtocolError) as caught:
        parse_json(body, provider="test")
    assert caught.value.code == code


def test_a_deep_answer_is_refused_before_any_signature_check() -> None:
    """A Ksher answer nested 10,000 deep: too_deep, by the cheap scan (no RecursionError)."""
    sandbox = ksher.Sandbox()
    body = b'{"code": 0, "data": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    http = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200, content=body)))

    async def main() -> None:
        transport = httpx.MockTransport(lambda _: httpx.Response(200, content=body))
        async with (
            httpx.AsyncClient(transport=transport) as ahttp,
            sandbox.async_client("https://ksher.test", http=ahttp) as client,
        ):
            await client.order_query("BK-1")

    with sandbox.client("https://ksher.test", http=http) as client:
        with pytest.raises(ProviderProtocolError, match="levels deep") as caught:
            client.order_query("BK-1")
        assert caught.value.code == "too_deep"
    with pytest.raises(ProviderProtocolError, match="levels deep"):
        asyncio.run(main())
    assert _json.MAX_DEPTH == 32


# -- Ksher amounts --------------------------------------------------------------------------------


def test_ksher_total_fee_is_in_satang() -> None:
    """Gateway Pay's ``total_fee`` counts hundredths of ``fee_type`` (satang for THB): Ksher's
    official PHP SDK sends ``round($total_fee, 2) * 100`` for an amount in baht
    (ksher-api/ksher-sdk, php/demo_pay.php, gateway_pay). Seed 002's 2000 is 20.00 THB."""
    order = KsherOrder(
        mch_order_no="k_20210520_24", result="CLOSED", total_fee=2000, fee_type="THB"
    )
    assert order.amount == Decimal("20.00")
    assert order.amount_text == "20.00 THB"
    big = KsherOrder(mch_order_no="A", result="SUCCESS", total_fee=150_000, fee_type="THB")
    assert big.amount_text == "1,500.00 THB"
