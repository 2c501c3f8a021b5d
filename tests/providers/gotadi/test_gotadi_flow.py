"""The cancel flow end to end over HTTP, sync and async alike: check → status → quote → compare
→ cancel → follow; only a verified answer ends it."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any, Protocol

import httpx
import pytest

from penalty.booking import Booking
from penalty.errors import InvalidInput, ProviderRejected, ProviderUnavailable
from penalty.providers.gotadi import (
    AsyncClient,
    CancellationStatus,
    CancelOutcome,
    CheckStatus,
    Client,
    Config,
    ErrorCode,
    Fault,
    FlowSettings,
    FlowState,
    Reply,
    Sandbox,
    Scenario,
)
from penalty.providers.gotadi.models import Outcome
from penalty.providers.gotadi.protocol import CANCEL_PATH

from .support import AT, FAST_RETRY, SLOW, FakeTime, changed

FLOW = FlowSettings(poll_initial=1.0, poll_factor=2.0, poll_max=4.0, deadline=30.0)


class Runner(Protocol):
    """Runs one flow with a fake clock, on a sync or an async client."""

    def __call__(
        self,
        booking_number: str,
        booking: Booking,
        fake_time: FakeTime,
        *,
        config: Config | None = None,
        http: Any = None,
        **options: Any,
    ) -> CancelOutcome: ...


@pytest.fixture(params=["sync", "async"])
def run_flow(request: pytest.FixtureRequest, settings: Config, sandbox: Sandbox) -> Runner:
    """The flow on a `Client` or an `AsyncClient`: the same states, trail and guarantees."""

    def run(
        booking_number: str,
        booking: Booking,
        fake_time: FakeTime,
        *,
        config: Config | None = None,
        http: Any = None,
        **options: Any,
    ) -> CancelOutcome:
        options.setdefault("now", lambda: AT)
        options.setdefault("settings", FLOW)
        kwargs: dict[str, Any] = {"retry": FAST_RETRY, "clock": fake_time.clock}
        if http is not None:
            kwargs["http"] = http
        if request.param == "sync":
            with Client(config or settings, sleep=fake_time.sleep, **kwargs) as client:
                return client.cancel_booking(booking_number, booking, **options)

        async def main() -> CancelOutcome:
            async with AsyncClient(config or settings, sleep=fake_time.asleep, **kwargs) as client:
                return await client.cancel_booking(booking_number, booking, **options)

        return asyncio.run(main())

    return run


def _actions(outcome: CancelOutcome) -> list[str]:
    return [step.action for step in outcome.trail]


def test_confirmed_at_once(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """EX3: check, status (none on record), quote 2,100,000 (Gotadi's total), cancel, confirmed."""
    outcome = run_flow("EX3", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert outcome.status is CancellationStatus.CANCEL_CONFIRMED
    assert outcome.amount_sent == "2100000.00"
    assert outcome.total_mismatch is False
    assert _actions(outcome) == ["check", "status", "quote", "compare", "cancel", "done"]
    assert "no cancellation under way" in outcome.trail[1].text
    assert "matches" in outcome.trail[3].text
    assert fake_time.sleeps == []
    assert [seen.amount for seen in sandbox.seen if seen.endpoint == "cancel"] == ["2100000.00"]


def test_waiting_then_confirmed_polls_with_backoff(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """CANCEL_WAITING_CONFIRM: poll cancellation-check at 1, 2, 4 s until CANCEL_CONFIRMED."""
    outcome = run_flow("EX1-WAITING", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert fake_time.sleeps == [1.0, 2.0, 4.0]
    assert sandbox.count("status") == 1 + 3
    assert sandbox.count("cancel") == 1
    assert outcome.gotadi_fee == Decimal("1000000.00")
    polls = [s.status for s in outcome.trail if s.action == "status"][1:]
    assert polls == ["CANCEL_WAITING_CONFIRM", "CANCEL_WAITING_CONFIRM", "CANCEL_CONFIRMED"]


def test_unknown_then_confirmed(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """CANCEL_UNKNOWN is followed up with cancellation-check, never with a second cancel."""
    outcome = run_flow("EX1-UNKNOWN", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert sandbox.count("cancel") == 1
    assert sandbox.count("status") == 1 + 2


def test_mismatch_then_success_rechecks_and_resubmits_once(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """CANCEL_PENALTY_MISMATCH: check again, quote again, cancel again, confirmed."""
    outcome = run_flow("EX3-MISMATCH", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert _actions(outcome) == [
        "check", "status", "quote", "compare", "cancel",
        "check", "quote", "compare", "cancel",
        "done",
    ]  # fmt: skip
    assert sandbox.count("check") == 2
    assert sandbox.count("cancel") == 2


def test_mismatch_twice_is_final(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """A second CANCEL_PENALTY_MISMATCH ends the flow as MISMATCH after exactly two cancels."""
    outcome = run_flow("EX3-MISMATCH-ALWAYS", booking, fake_time)
    assert outcome.state is FlowState.MISMATCH
    assert outcome.status is CancellationStatus.CANCEL_PENALTY_MISMATCH
    assert sandbox.count("cancel") == 2


def test_expired_is_final(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """CANCEL_EXPIRED ends the flow at once."""
    outcome = run_flow("EX3-EXPIRED", booking, fake_time)
    assert outcome.state is FlowState.EXPIRED
    assert sandbox.count("status") == 1


def test_not_allowed_stops_before_anything_is_sent(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """NOT_ALLOW_CANCELLATION: no quote, no cancellation."""
    outcome = run_flow("EX3-NOT-ALLOWED", booking, fake_time)
    assert outcome.state is FlowState.NOT_ALLOWED
    assert outcome.quote is None
    assert sandbox.count("cancel") == 0


def test_check_unknown_is_asked_again(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """check UNKNOWN then ALLOW: the flow re-checks after a wait and goes on."""
    outcome = run_flow("EX3-CHECK-UNKNOWN", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert sandbox.count("check") == 2
    assert fake_time.sleeps == [1.0]


def test_check_unknown_until_the_deadline_sends_nothing(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """A check that stays UNKNOWN ends as CHECK_UNKNOWN at the deadline, no cancel sent."""
    sandbox.script("EX3", Scenario(check=(Reply(CheckStatus.UNKNOWN.value),)))
    outcome = run_flow("EX3", booking, fake_time)
    assert outcome.state is FlowState.CHECK_UNKNOWN
    assert not outcome.state.is_final
    assert sandbox.count("cancel") == 0
    assert fake_time.now == pytest.approx(FLOW.deadline)


def test_waiting_forever_ends_pending_at_the_deadline(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """Still waiting at the deadline: PENDING, the waits add up to the deadline, one cancel."""
    outcome = run_flow("EX3-WAITING-FOREVER", booking, fake_time)
    assert outcome.state is FlowState.PENDING
    assert outcome.status is CancellationStatus.CANCEL_WAITING_CONFIRM
    assert sum(fake_time.sleeps) == pytest.approx(FLOW.deadline)
    assert max(fake_time.sleeps) == FLOW.poll_max
    assert sandbox.count("cancel") == 1


def test_a_rerun_after_pending_follows_the_cancellation_instead_of_sending_another(
    run_flow: Runner, booking: Booking, sandbox: Sandbox
) -> None:
    """Pending, then the same command again: the status check finds the cancellation waiting
    and follows it; the second run sends nothing."""
    first = run_flow("EX3-WAITING-FOREVER", booking, FakeTime())
    assert first.state is FlowState.PENDING
    again = run_flow("EX3-WAITING-FOREVER", booking, FakeTime())
    assert again.state is FlowState.PENDING
    assert again.amount_sent is None
    assert "under way" in again.trail[1].text
    assert sandbox.count("cancel") == 1


def test_an_already_confirmed_booking_is_not_cancelled_twice(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """The status check says CANCEL_CONFIRMED: the flow ends confirmed, nothing sent."""
    assert run_flow("EX3", booking, fake_time).state is FlowState.CONFIRMED
    again = run_flow("EX3", booking, fake_time)
    assert again.state is FlowState.CONFIRMED
    assert _actions(again) == ["check", "status", "done"]
    assert sandbox.count("cancel") == 1


@pytest.mark.parametrize(
    ("setting", "state", "sent"),
    [("stop", FlowState.TOTAL_MISMATCH, None), ("ours", FlowState.CONFIRMED, "1000000.00"),
     ("theirs", FlowState.CONFIRMED, "0.00")],
    ids=["stop", "ours", "theirs"],
)  # fmt: skip
def test_a_total_mismatch_follows_the_setting(
    setting: str,
    state: FlowState,
    sent: str | None,
    run_flow: Runner,
    settings: Config,
    booking: Booking,
    sandbox: Sandbox,
    fake_time: FakeTime,
) -> None:
    """EX1 (Gotadi total 0.0, ours 1,000,000): stop before sending, send ours, send theirs;
    the mismatch is in the trail and the outcome every time."""
    config = changed(settings, on_total_mismatch=setting)
    outcome = run_flow("EX1", booking, fake_time, config=config)
    assert outcome.state is state
    assert outcome.total_mismatch is True
    assert outcome.amount_sent == sent
    compare = next(step for step in outcome.trail if step.action == "compare")
    assert "MISMATCH" in compare.text
    assert setting in compare.text
    assert sandbox.count("cancel") == (0 if sent is None else 1)


def test_stop_is_the_default() -> None:
    """on_total_mismatch defaults to stop: nothing is sent on a mismatch unless told."""
    assert Config.model_fields["on_total_mismatch"].default == "stop"


@pytest.mark.parametrize("code", [c for c in ErrorCode if c is not ErrorCode.SUCCESS], ids=str)
def test_error_codes_on_cancel(
    code: ErrorCode, run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """01/08/09 are followed with cancellation-check (confirmed); others end REJECTED(code)."""
    outcome = run_flow(f"EX3-E{code.value}", booking, fake_time)
    if code.outcome is Outcome.PENDING:
        assert outcome.state is FlowState.CONFIRMED
        assert sandbox.count("status") == 2
    else:
        assert outcome.state is FlowState.REJECTED
        assert outcome.provider_code == code.value
        assert sandbox.count("status") == 1
    assert sandbox.count("cancel") == 1


@pytest.mark.parametrize(
    "booking_number",
    ["EX3-5XX", "EX3-SLOW", "EX3-BAD-SIGNATURE", "EX3-TAMPERED", "EX3-GARBAGE"],
    ids=["5xx", "slow", "bad-signature", "tampered", "garbage"],
)
def test_an_unbelievable_cancel_answer_is_followed_by_status_not_by_a_second_cancel(
    booking_number: str,
    run_flow: Runner,
    settings: Config,
    booking: Booking,
    sandbox: Sandbox,
    fake_time: FakeTime,
) -> None:
    """A lost, unsigned or tampered answer to the cancel: ask cancellation-check (whose
    verified answer decides); exactly one cancel sent."""
    quick = changed(settings, timeout=SLOW / 6)
    outcome = run_flow(booking_number, booking, fake_time, config=quick)
    assert outcome.state is FlowState.CONFIRMED
    lost = next(step for step in outcome.trail if step.action == "cancel")
    assert "not a verified answer" in lost.text
    assert sandbox.count("cancel") == 1
    assert sandbox.count("status") >= 2


def test_a_cancel_that_never_connected_is_raised(
    settings: Config, booking: Booking, sandbox: Sandbox
) -> None:
    """A connection refused on the cancel means nothing was sent: ProviderUnavailable."""
    real = httpx.HTTPTransport()
    polls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == CANCEL_PATH:
            raise httpx.ConnectError("refused", request=request)
        polls.append(request.url.path)
        return real.handle_request(request)

    with real, httpx.Client(transport=httpx.MockTransport(handler), timeout=5.0) as http:
        gotadi = Client(settings, http=http, retry=FAST_RETRY, sleep=lambda _: None)
        with pytest.raises(ProviderUnavailable) as caught:
            gotadi.cancel_booking("EX3", booking, now=lambda: AT, settings=FLOW)
    assert caught.value.code == "connection"
    assert polls == ["/api/v3/hotel/check-cancel-penalty", "/api/partner/cancellation-check"]
    assert any("trail:" in note for note in caught.value.__notes__)


def test_a_rejected_check_is_raised_before_anything_is_sent(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """An unknown booking (404 on the check) raises ProviderRejected; nothing else is sent."""
    with pytest.raises(ProviderRejected):
        run_flow("NOPE", booking, fake_time)
    assert sandbox.count("cancel") == 0


def test_an_unverifiable_status_before_sending_sends_nothing(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """The status check cannot be believed (a bad signature): raised, no cancellation sent."""
    sandbox.script("EX3", Scenario(status=(Reply(fault=Fault.BAD_SIGNATURE),)))
    run_flow("EX3", booking, fake_time)  # a cancellation on record, so status is scripted
    with pytest.raises(Exception, match="signature"):
        run_flow("EX3", booking, fake_time)
    assert sandbox.count("cancel") == 1


def test_a_status_outage_is_waited_out(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """cancellation-check unavailable (after its own retries) is noted and asked again."""
    outage = Reply(fault=Fault.HTTP_503)
    sandbox.script(
        "EX3",
        Scenario(
            cancel=(Reply(CancellationStatus.CANCEL_WAITING_CONFIRM.value),),
            status=(outage, outage, outage, Reply()),
        ),
    )
    outcome = run_flow("EX3", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert any("not a verified answer" in step.text for step in outcome.trail)


@pytest.mark.parametrize(
    "fault",
    [Fault.HTTP_503, Fault.GARBAGE, Fault.BAD_SIGNATURE, Fault.TAMPERED, Fault.RESET],
    ids=str,
)
def test_nothing_believable_after_sending_is_pending_never_rejected(
    fault: Fault, run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """The cancel's answer and every poll cannot be believed: PENDING at the deadline."""
    sandbox.script("EX3", Scenario(cancel=(Reply(fault=fault),), status=(Reply(fault=fault),)))
    # Before sending, the status check must be believed: give it one truthful answer.
    outcome = run_flow("EX3", booking, fake_time)
    assert outcome.state is FlowState.PENDING
    assert outcome.provider_code is None
    assert sandbox.count("cancel") == 1


def test_error_codes_on_a_poll_are_noted_and_polling_goes_on(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """A verified 04 on cancellation-check speaks of the poll, not of the cancellation: the
    flow keeps asking; the later CANCEL_CONFIRMED ends it."""
    refused = Reply("", ErrorCode.INVALID_SIGNATURE)
    sandbox.script(
        "EX3",
        Scenario(
            cancel=(Reply(CancellationStatus.CANCEL_WAITING_CONFIRM.value),),
            status=(refused, refused, Reply()),
        ),
    )
    outcome = run_flow("EX3", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert [s.status for s in outcome.trail if s.action == "status"][1:] == [
        "04", "04", "CANCEL_CONFIRMED",
    ]  # fmt: skip


def test_on_step_sees_every_step_live(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """on_step is called once per trail entry, in order."""
    live: list[str] = []
    outcome = run_flow("EX3", booking, fake_time, on_step=lambda step: live.append(step.action))
    assert live == _actions(outcome)


@pytest.mark.parametrize("field", ["poll_initial", "poll_factor", "poll_max", "deadline"], ids=str)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0, 0.0], ids=str)
def test_flow_settings_are_finite_and_positive(field: str, value: float) -> None:
    """``nan`` would poll for ever and ``-1`` not at all: both are InvalidInput."""
    with pytest.raises(InvalidInput) as caught:
        FlowSettings(**{field: value})
    assert caught.value.path == field


def test_the_booking_is_free_again_after_a_flow(
    run_flow: Runner, booking: Booking, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    """The in-flight guard is released at the end, even after an error."""
    with pytest.raises(ProviderRejected):
        run_flow("NOPE", booking, fake_time)
    assert run_flow("EX3", booking, fake_time).state is FlowState.CONFIRMED
    assert run_flow("EX1", booking, fake_time).state is FlowState.CONFIRMED
