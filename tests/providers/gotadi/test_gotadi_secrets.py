"""No api key, access code or bearer token in any repr, log line, error, trail or CLI output."""

from __future__ import annotations

import logging
import traceback
from decimal import Decimal

import pytest
from pydantic import SecretStr

from penalty.booking import Booking
from penalty.cli import main
from penalty.errors import PenaltyError
from penalty.providers.gotadi.client import Client
from penalty.providers.gotadi.config import Config
from penalty.providers.gotadi.flow import FlowSettings
from penalty.providers.gotadi.models import CancellationRequest
from penalty.providers.gotadi.sandbox import Sandbox

from .support import AT, BEARER, FAST_RETRY, SECRETS, FakeTime, changed

SCENARIOS = [
    "EX3",
    "EX3-WAITING",
    "EX3-MISMATCH",
    "EX3-E03",
    "EX3-E06",
    "EX3-BAD-SIGNATURE",
    "EX3-TAMPERED",
    "EX3-GARBAGE",
    "EX3-NOT-ALLOWED",
    "NOPE",
]


def test_nothing_we_print_log_or_raise_contains_a_secret(
    settings: Config,
    booking: Booking,
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Flows over every outcome, with DEBUG logging on: reprs, logs, errors, notes stay clean."""
    sandbox.bearer_token = BEARER
    with_token = changed(settings, bearer_token=SecretStr(BEARER))
    texts: list[str] = [repr(with_token), str(with_token), repr(with_token.model_dump())]
    caplog.set_level(logging.DEBUG)
    with Client(with_token, retry=FAST_RETRY, sleep=lambda _: None) as gotadi:
        texts.append(repr(gotadi))
        for booking_number in SCENARIOS:
            fake = FakeTime()
            try:
                with Client(
                    with_token, retry=FAST_RETRY, sleep=fake.sleep, clock=fake.clock
                ) as flow:
                    outcome = flow.cancel_booking(
                        booking_number, booking, now=lambda: AT, settings=FlowSettings(deadline=10)
                    )
            except PenaltyError as exc:
                texts.append("".join(traceback.format_exception(exc)))
                texts.append(repr(exc))
            else:
                texts.append(repr(outcome))
                texts.extend(str(step) for step in outcome.trail)
        texts.append(repr(gotadi.cancellation_status("EX3")))
        texts.append(repr(gotadi.cancel("EX3", Decimal(0))))
    request = CancellationRequest(
        access_code=with_token.access_code, booking_number="EX3", cancel_penalty_amount="0.00"
    )
    texts += [repr(request), str(request), repr(request.model_dump())]
    texts += [record.getMessage() for record in caplog.records]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    assert len(texts) > 2 * len(SCENARIOS)
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_cli_never_prints_a_secret_even_with_debug_logging(
    cli_env_secrets: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every CLI command on every outcome prints no secret on stdout or stderr."""
    for argv in (
        ["gotadi", "check", "EX3"],
        ["gotadi", "status", "EX3-E06"],
        ["gotadi", "check", "EX3-GARBAGE"],
    ):
        main(argv)
    captured = capsys.readouterr()
    for secret in SECRETS:
        assert secret not in captured.out + captured.err


@pytest.fixture
def cli_env_secrets(settings: Config, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Route the CLI's settings loading to the test settings (with a bearer token)."""
    sandbox.bearer_token = BEARER
    with_token = changed(settings, bearer_token=SecretStr(BEARER))
    monkeypatch.setattr(Config, "load", classmethod(lambda _cls, **_: with_token))
