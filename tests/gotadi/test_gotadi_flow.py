"""The cancel flow end to end over HTTP: check → quote → compare → cancel → follow."""

from __future__ import annotations

import threading
from decimal import Decimal

import httpx
import pytest

from penalty.booking import Booking
from penalty.errors import ProviderRejected, ProviderUnavailable, SignatureInvalid
from penalty.providers.gotadi.client import (
    CANCEL_PATH,
    CancellationInFlight,
    GotadiClient,
)
from penalty.providers.gotadi.codes import CancellationStatus, CheckStatus, ErrorCode, Outcome
from penalty.providers.gotadi.config import GotadiSettings
from penalty.providers.gotadi.flow import (
    CancelOutcome,
    FlowSettings,
    FlowState,
    cancel_booking,
)
from penalty.providers.gotadi.sandbox import Fault, GotadiSandbox, Reply, Scenario

from .support import AT, FAST_RETRY, SLOW, FakeTime

FLOW = FlowSettings(poll_initial=1.0, poll_factor=2.0, poll_max=4.0, deadline=30.0)


def _run(
    client: GotadiClient, booking_number: str, booking: Booking, fake_time: FakeTime
) -> CancelOutcome:
    return cancel_booking(
        client,
        booking_number,
        booking,
        now=lambda: AT,
        settings=FLOW,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )


def _actions(outcome: CancelOutcome) -> list[str]:
    return [step.action for step in outcome.trail]


def test_confirmed_at_once(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """EX3: check, quote 2,100,000 (matches Gotadi's total), cancel, confirmed; no waiting."""
    outcome = _run(client, "EX3", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert outcome.status is CancellationStatus.CANCEL_CONFIRMED
    assert outcome.amount_sent == "2100000.00"
    assert outcome.total_mismatch is False
    assert _actions(outcome) == ["check", "quote", "compare", "cancel", "done"]
    assert "matches" in outcome.trail[2].text
    assert fake_time.sleeps == []
    assert [seen.amount for seen in sandbox.seen if seen.endpoint == "cancel"] == ["2100000.00"]


def test_waiting_then_confirmed_polls_with_backoff(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """CANCEL_WAITING_CONFIRM: poll cancellation-check at 1, 2, 4 s until CANCEL_CONFIRMED."""
    outcome = _run(client, "EX1-WAITING", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert fake_time.sleeps == [1.0, 2.0, 4.0]
    assert sandbox.count("status") == 3
    assert sandbox.count("cancel") == 1
    assert outcome.gotadi_fee == Decimal("1000000.00")
    assert [s.status for s in outcome.trail if s.action == "status"] == [
        "CANCEL_WAITING_CONFIRM",
        "CANCEL_WAITING_CONFIRM",
        "CANCEL_CONFIRMED",
    ]


def test_unknown_then_confirmed(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """CANCEL_UNKNOWN is followed up with cancellation-check, never with a second cancel."""
    outcome = _run(client, "EX1-UNKNOWN", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert sandbox.count("cancel") == 1
    assert sandbox.count("status") == 2


def test_mismatch_then_success_rechecks_and_resubmits_once(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """CANCEL_PENALTY_MISMATCH: check again, quote again, cancel again, confirmed."""
    outcome = _run(client, "EX3-MISMATCH", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert _actions(outcome) == [
        "check", "quote", "compare", "cancel",
        "check", "quote", "compare", "cancel",
        "done",
    ]  # fmt: skip
    assert sandbox.count("check") == 2
    assert sandbox.count("cancel") == 2


def test_mismatch_twice_is_final(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """A second CANCEL_PENALTY_MISMATCH ends the flow as MISMATCH after exactly two cancels."""
    outcome = _run(client, "EX3-MISMATCH-ALWAYS", booking, fake_time)
    assert outcome.state is FlowState.MISMATCH
    assert outcome.status is CancellationStatus.CANCEL_PENALTY_MISMATCH
    assert sandbox.count("cancel") == 2


def test_expired_is_final(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """CANCEL_EXPIRED ends the flow at once."""
    outcome = _run(client, "EX3-EXPIRED", booking, fake_time)
    assert outcome.state is FlowState.EXPIRED
    assert sandbox.count("status") == 0


def test_not_allowed_stops_before_anything_is_sent(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """NOT_ALLOW_CANCELLATION: no quote, no cancellation."""
    outcome = _run(client, "EX3-NOT-ALLOWED", booking, fake_time)
    assert outcome.state is FlowState.NOT_ALLOWED
    assert outcome.quote is None
    assert sandbox.count("cancel") == 0


def test_check_unknown_is_asked_again(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """check UNKNOWN then ALLOW: the flow re-checks after a wait and goes on."""
    outcome = _run(client, "EX3-CHECK-UNKNOWN", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert sandbox.count("check") == 2
    assert fake_time.sleeps == [1.0]


def test_check_unknown_until_the_deadline_sends_nothing(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """A check that stays UNKNOWN ends as CHECK_UNKNOWN at the deadline, no cancel sent."""
    sandbox.script("EX3", Scenario(check=(Reply(CheckStatus.UNKNOWN.value),)))
    outcome = _run(client, "EX3", booking, fake_time)
    assert outcome.state is FlowState.CHECK_UNKNOWN
    assert not outcome.state.is_final
    assert sandbox.count("cancel") == 0
    assert fake_time.now == pytest.approx(FLOW.deadline)


def test_waiting_forever_ends_pending_at_the_deadline(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """Still waiting at the deadline: PENDING, the waits add up to the deadline, one cancel."""
    outcome = _run(client, "EX3-WAITING-FOREVER", booking, fake_time)
    assert outcome.state is FlowState.PENDING
    assert outcome.status is CancellationStatus.CANCEL_WAITING_CONFIRM
    assert sum(fake_time.sleeps) == pytest.approx(FLOW.deadline)
    assert max(fake_time.sleeps) == FLOW.poll_max
    assert sandbox.count("cancel") == 1


def test_a_total_mismatch_is_reported_not_hidden(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """EX1 (Gotadi total 0.0, ours 1,000,000): the trail and outcome say MISMATCH; ours is sent."""
    outcome = _run(client, "EX1", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert outcome.total_mismatch is True
    assert outcome.gotadi_total == Decimal("0.0")
    compare = next(step for step in outcome.trail if step.action == "compare")
    assert "MISMATCH" in compare.text
    assert "1,000,000" in compare.text
    assert outcome.amount_sent == "1000000.00"


@pytest.mark.parametrize("code", [c for c in ErrorCode if c is not ErrorCode.SUCCESS], ids=str)
def test_error_codes_on_cancel(
    code: ErrorCode,
    client: GotadiClient,
    booking: Booking,
    sandbox: GotadiSandbox,
    fake_time: FakeTime,
) -> None:
    """01/08/09 are followed with cancellation-check (confirmed); others end REJECTED(code)."""
    outcome = _run(client, f"EX3-E{code.value}", booking, fake_time)
    if code.outcome is Outcome.PENDING:
        assert outcome.state is FlowState.CONFIRMED
        assert sandbox.count("status") == 1
    else:
        assert outcome.state is FlowState.REJECTED
        assert outcome.provider_code == code.value
        assert sandbox.count("status") == 0
    assert sandbox.count("cancel") == 1


@pytest.mark.parametrize("booking_number", ["EX3-5XX", "EX3-SLOW"], ids=["5xx", "slow"])
def test_a_lost_cancel_answer_is_followed_by_status_not_by_a_second_cancel(
    booking_number: str,
    settings: GotadiSettings,
    booking: Booking,
    sandbox: GotadiSandbox,
    fake_time: FakeTime,
) -> None:
    """A 5xx or a timeout on the cancel: ask cancellation-check; exactly one cancel sent."""
    quick = settings.model_copy(update={"timeout": SLOW / 6})
    with GotadiClient(quick, retry=FAST_RETRY, sleep=lambda _: None) as gotadi:
        outcome = _run(gotadi, booking_number, booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    lost = next(step for step in outcome.trail if step.action == "cancel")
    assert "answer lost" in lost.text
    assert sandbox.count("cancel") == 1
    assert sandbox.count("status") >= 1


def test_a_cancel_that_never_connected_is_raised(
    settings: GotadiSettings, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """A connection refused on the cancel means nothing was sent: ProviderUnavailable, no poll."""
    real = httpx.HTTPTransport()
    polls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == CANCEL_PATH:
            raise httpx.ConnectError("refused", request=request)
        polls.append(request.url.path)
        return real.handle_request(request)

    http = httpx.Client(transport=httpx.MockTransport(handler), timeout=5.0)
    gotadi = GotadiClient(settings, http=http, retry=FAST_RETRY, sleep=lambda _: None)
    with real, http, pytest.raises(ProviderUnavailable) as caught:
        _run(gotadi, "EX3", booking, fake_time)
    assert caught.value.code == "connection"
    assert polls == ["/api/v3/hotel/check-cancel-penalty"]
    assert any("trail:" in note for note in caught.value.__notes__)


def test_a_bad_signature_after_sending_raises_with_the_trail(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """A cancel answer with a bad signature is SignatureInvalid, never a status; trail in notes."""
    with pytest.raises(SignatureInvalid) as caught:
        _run(client, "EX3-BAD-SIGNATURE", booking, fake_time)
    notes = "\n".join(caught.value.__notes__)
    assert "check" in notes
    assert "quote" in notes


def test_a_rejected_check_is_raised_before_anything_is_sent(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """An unknown booking (404 on the check) raises ProviderRejected; nothing else is sent."""
    with pytest.raises(ProviderRejected):
        _run(client, "NOPE", booking, fake_time)
    assert sandbox.count("cancel") == 0


def test_a_status_outage_is_waited_out(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
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
    outcome = _run(client, "EX3", booking, fake_time)
    assert outcome.state is FlowState.CONFIRMED
    assert any("no answer" in step.text for step in outcome.trail)


def test_on_step_sees_every_step_live(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """on_step is called once per trail entry, in order."""
    live: list[str] = []
    outcome = cancel_booking(
        client, "EX3", booking, now=lambda: AT, settings=FLOW, sleep=fake_time.sleep,
        clock=fake_time.clock, on_step=lambda step: live.append(step.action),
    )  # fmt: skip
    assert live == _actions(outcome)


def test_never_two_cancellations_in_flight_for_one_booking(
    settings: GotadiSettings, booking: Booking, sandbox: GotadiSandbox
) -> None:
    """Two threads cancelling one booking: one proceeds, the other gets CancellationInFlight."""
    results: list[object] = []
    started = threading.Event()

    def one_flow() -> None:
        with GotadiClient(settings, retry=FAST_RETRY) as gotadi:
            try:
                results.append(
                    cancel_booking(
                        gotadi,
                        "EX3-SLOW",
                        booking,
                        now=lambda: AT,
                        settings=FLOW,
                        on_step=lambda step: started.set() if step.action == "quote" else None,
                    )
                )
            except CancellationInFlight as exc:
                results.append(exc)

    first = threading.Thread(target=one_flow)
    first.start()
    assert started.wait(5)
    one_flow()
    first.join(10)
    assert sum(isinstance(result, CancellationInFlight) for result in results) == 1
    assert sum(isinstance(result, CancelOutcome) for result in results) == 1
    assert sandbox.count("cancel") == 1
    assert sandbox.max_concurrent_cancels == 1


def test_the_booking_is_free_again_after_a_flow(
    client: GotadiClient, booking: Booking, sandbox: GotadiSandbox, fake_time: FakeTime
) -> None:
    """The in-flight guard is released at the end, even after an error."""
    with pytest.raises(SignatureInvalid):
        _run(client, "EX3-BAD-SIGNATURE", booking, fake_time)
    assert _run(client, "EX3", booking, fake_time).state is FlowState.CONFIRMED
