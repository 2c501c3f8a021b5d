"""The whole Gotadi cancellation as one call: check → quote → compare → cancel → follow.

`cancel_booking` does what PROTOCOLS A.5–A.7 ask, in order, and writes each step to a trail:

1. **check** the penalty (again while Gotadi says ``UNKNOWN``, until the deadline).
   ``NOT_ALLOW_CANCELLATION`` stops here: nothing is sent.
2. **quote** our fee with the engine, at ``now()``, against the partner's `penalty.Booking`,
   once it is sure that booking is the one the live windows are of
   (`PenaltyCheck.require_booking`: currency, total, nights, stay dates).
3. **compare** it with Gotadi's ``cancelPenaltyTotal``; a difference is reported in the trail and
   the outcome (``total_mismatch``), never hidden. Our exact fee is what is sent.
4. **cancel** with that fee (two decimals). Sent once: a cancellation is never retried.
   If its answer is lost after it may have reached Gotadi, the flow asks for the status instead.
5. ``CANCEL_PENALTY_MISMATCH``: **re-check, re-quote and resubmit once**; a second mismatch is
   final.
6. ``CANCEL_WAITING_CONFIRM``, ``CANCEL_UNKNOWN``, error codes ``01``/``08``/``09`` or a lost
   answer: **poll** cancellation-check with exponential backoff until a final status or the
   deadline.

Errors before anything is sent (Gotadi unreachable, refusing the check, a malformed answer, a
booking the engine cannot quote, a booking that is not this stay's) are raised as they are.
Once a cancellation was sent, a Gotadi error code in a verified answer ends the flow as
`FlowState.REJECTED`; a bare HTTP 4xx (`HttpRefusal`: nothing in it is signed) is not believed
as the cancellation's fate, and the flow asks cancellation-check as for a lost answer; an answer
that cannot be believed (bad signature, garbage) is raised with the trail attached as exception
notes.

The booking is held (`GotadiClient.in_flight`) for the whole flow: two flows for one booking
never overlap in one process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

import httpx

from penalty.booking import Booking
from penalty.errors import PenaltyError, ProviderRejected, ProviderUnavailable
from penalty.providers._http import HttpRefusal
from penalty.providers.gotadi.client import GotadiClient, PenaltyCheck
from penalty.providers.gotadi.codes import CancellationStatus, CheckStatus, ErrorCode
from penalty.providers.gotadi.messages import CancellationCheckResponse, CancellationResponse
from penalty.timeline import Quote

__all__ = ["CancelOutcome", "FlowSettings", "FlowState", "Step", "cancel_booking"]

_Answer = CancellationResponse | CancellationCheckResponse


class FlowState(StrEnum):
    """Where a cancellation flow ended."""

    CONFIRMED = "confirmed"  #: Gotadi confirmed the cancellation
    EXPIRED = "expired"  #: Gotadi says the request expired
    NOT_ALLOWED = "not_allowed"  #: the booking cannot be cancelled; nothing was sent
    CHECK_UNKNOWN = "check_unknown"  #: the check stayed UNKNOWN until the deadline
    MISMATCH = "mismatch"  #: Gotadi refused our fee again after one resubmission
    REJECTED = "rejected"  #: Gotadi answered with an error code (``provider_code``)
    PENDING = "pending"  #: the deadline passed before a final status; ask again later

    @property
    def is_final(self) -> bool:
        """Whether nothing more will happen without a new request."""
        return self not in {FlowState.PENDING, FlowState.CHECK_UNKNOWN}


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the trail.

    Attributes:
        action: ``check``, ``quote``, ``compare``, ``cancel``, ``status`` or ``done``.
        text: what happened, in words.
        elapsed: seconds since the flow started.
        status: Gotadi's status or error code at this step, if any.
    """

    action: str
    text: str
    elapsed: float = 0.0
    status: str | None = None

    def __str__(self) -> str:
        return f"{self.elapsed:6.1f}s  {self.action:<8} {self.text}"


@dataclass(frozen=True, slots=True)
class FlowSettings:
    """Polling: first wait, growth factor, longest wait, and the overall deadline (seconds)."""

    poll_initial: float = 1.0
    poll_factor: float = 2.0
    poll_max: float = 15.0
    deadline: float = 120.0


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    """The end of a flow and how it got there.

    Attributes:
        state: where it ended; ``state is FlowState.CONFIRMED`` is the happy end.
        status: Gotadi's last cancellation status, if it gave one.
        quote: our last quote (``None`` when the flow stopped before quoting).
        amount_sent: the last amount sent, in Gotadi's two-decimal form.
        gotadi_total: ``cancelPenaltyTotal`` from the last check.
        total_mismatch: whether our fee differed from ``gotadi_total`` at any check.
        gotadi_fee: the fee cancellation-check reported, if it did.
        provider_code: Gotadi's error code when ``state`` is ``REJECTED``.
        trail: every step, in order.
    """

    booking_number: str
    state: FlowState
    status: CancellationStatus | None = None
    quote: Quote | None = None
    amount_sent: str | None = None
    gotadi_total: Decimal | None = None
    total_mismatch: bool = False
    gotadi_fee: Decimal | None = None
    provider_code: str | None = None
    trail: tuple[Step, ...] = field(default=())


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _maybe_sent(exc: ProviderUnavailable) -> bool:
    """False only when the request surely never left: the connection was never made."""
    return not isinstance(exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout)


class _Flow:
    def __init__(
        self,
        client: GotadiClient,
        booking_number: str,
        booking: Booking,
        *,
        now: Callable[[], datetime],
        settings: FlowSettings,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        on_step: Callable[[Step], None] | None,
    ) -> None:
        self.client, self.booking_number, self.booking = client, booking_number, booking
        self.now, self.settings, self.sleep, self.clock = now, settings, sleep, clock
        self.on_step = on_step
        self.started = clock()
        self.trail: list[Step] = []
        self.quote: Quote | None = None
        self.amount_sent: str | None = None
        self.gotadi_total: Decimal | None = None
        self.total_mismatch = False
        self.gotadi_fee: Decimal | None = None
        self.status: CancellationStatus | None = None
        self.sent = False

    def step(self, action: str, text: str, status: str | None = None) -> None:
        entry = Step(action, text, round(self.clock() - self.started, 3), status)
        self.trail.append(entry)
        if self.on_step is not None:
            self.on_step(entry)

    def done(self, state: FlowState, provider_code: str | None = None) -> CancelOutcome:
        self.step("done", f"{state.value}" + (f" (error {provider_code})" if provider_code else ""))
        return CancelOutcome(
            booking_number=self.booking_number,
            state=state,
            status=self.status,
            quote=self.quote,
            amount_sent=self.amount_sent,
            gotadi_total=self.gotadi_total,
            total_mismatch=self.total_mismatch,
            gotadi_fee=self.gotadi_fee,
            provider_code=provider_code,
            trail=tuple(self.trail),
        )

    def wait(self, delay: float) -> bool:
        """Sleep ``delay`` (cut to the deadline); False when the deadline has already passed."""
        remaining = self.settings.deadline - (self.clock() - self.started)
        if remaining <= 0:
            return False
        self.sleep(min(delay, remaining))
        return True

    def run(self) -> CancelOutcome:
        try:
            with self.client.in_flight(self.booking_number):
                return self._run()
        except ProviderRejected as exc:
            if not self.sent:
                raise
            self.step("error", str(exc), exc.provider_code)
            return self.done(FlowState.REJECTED, exc.provider_code)
        except PenaltyError as exc:
            for entry in self.trail:
                exc.add_note(f"trail: {entry}")
            raise

    def _run(self) -> CancelOutcome:
        check = self.check()
        if check is None:
            return self.done(FlowState.CHECK_UNKNOWN)
        if check.status is CheckStatus.NOT_ALLOW_CANCELLATION:
            return self.done(FlowState.NOT_ALLOWED)
        answer: _Answer | None = self.submit(check)
        resubmitted = False
        delay = self.settings.poll_initial
        while True:
            if answer is not None:
                self.status = answer.cancellation_status or self.status
            status = answer.cancellation_status if answer is not None else None
            if status is CancellationStatus.CANCEL_CONFIRMED:
                return self.done(FlowState.CONFIRMED)
            if status is CancellationStatus.CANCEL_EXPIRED:
                return self.done(FlowState.EXPIRED)
            if status is CancellationStatus.CANCEL_PENALTY_MISMATCH:
                if resubmitted:
                    return self.done(FlowState.MISMATCH)
                resubmitted = True
                check = self.check()
                if check is None:
                    return self.done(FlowState.CHECK_UNKNOWN)
                if check.status is CheckStatus.NOT_ALLOW_CANCELLATION:
                    return self.done(FlowState.NOT_ALLOWED)
                answer = self.submit(check)
                delay = self.settings.poll_initial
                continue
            if not self.wait(delay):
                return self.done(FlowState.PENDING)
            delay = min(delay * self.settings.poll_factor, self.settings.poll_max)
            answer = self.poll()

    def check(self) -> PenaltyCheck | None:
        """Check until Gotadi says ALLOW or NOT_ALLOW; None if still UNKNOWN at the deadline."""
        delay = self.settings.poll_initial
        while True:
            check = self.client.check_cancel_penalty(self.booking_number)
            self.gotadi_total = check.cancel_penalty_total
            windows = len(check.policy.windows)
            self.step(
                "check",
                f"{check.status.value}: {windows} penalty window{'s' * (windows != 1)}, "
                f"Gotadi's cancelPenaltyTotal {_total(check.cancel_penalty_total)}",
                check.status.value,
            )
            if check.status is not CheckStatus.UNKNOWN:
                return check
            if not self.wait(delay):
                return None
            delay = min(delay * self.settings.poll_factor, self.settings.poll_max)

    def submit(self, check: PenaltyCheck) -> CancellationResponse | None:
        """Quote, compare, send the cancellation; None when its answer was lost in transit."""
        check.require_booking(self.booking)
        at = self.now()
        quote = check.policy.quote(self.booking, at)
        self.quote = quote
        where = f"window {quote.window}" if quote.window is not None else quote.phase
        self.step(
            "quote",
            f"our fee at {at.isoformat(timespec='seconds')}: {quote.fee:,} {quote.currency} "
            f"({where})",
        )
        total = check.cancel_penalty_total
        if total is None:
            self.step("compare", "Gotadi sent no cancelPenaltyTotal; sending our fee")
        elif total == quote.fee:
            self.step("compare", "matches Gotadi's cancelPenaltyTotal")
        else:
            self.total_mismatch = True
            self.step(
                "compare",
                f"MISMATCH: Gotadi's cancelPenaltyTotal is {_total(total)}, our fee is "
                f"{quote.fee:,}; sending ours",
            )
        self.amount_sent = quote.gotadi_amount
        self.sent = True
        try:
            answer = self.client.cancel(self.booking_number, quote.fee)
        except ProviderUnavailable as exc:
            if not _maybe_sent(exc):
                self.sent = False
                raise
            self.step(
                "cancel",
                f"sent {quote.gotadi_amount}; answer lost ({exc.message}): "
                "asking for the status instead of cancelling again",
                exc.code,
            )
            return None
        except HttpRefusal as exc:
            self.step(
                "cancel",
                f"sent {quote.gotadi_amount}; {exc.message} without a signed answer, "
                "not believed: asking for the status instead",
                exc.provider_code,
            )
            return None
        self.step("cancel", f"sent {quote.gotadi_amount}: {_describe(answer)}", _code(answer))
        return answer

    def poll(self) -> CancellationCheckResponse | None:
        try:
            answer = self.client.cancellation_status(self.booking_number)
        except ProviderUnavailable as exc:
            self.step("status", f"no answer ({exc.message}); will ask again", exc.code)
            return None
        except HttpRefusal as exc:
            self.step(
                "status",
                f"{exc.message} without a signed answer, not believed; will ask again",
                exc.provider_code,
            )
            return None
        text = _describe(answer)
        if answer.amount is not None:
            self.gotadi_fee = answer.amount
            text += f", fee {answer.cancel_penalty_amount}"
            if self.amount_sent is not None and answer.amount != Decimal(self.amount_sent):
                text += f" (we sent {self.amount_sent})"
        self.step("status", text, _code(answer))
        return answer


def _total(total: Decimal | None) -> str:
    return "absent" if total is None else f"{total:,}"


def _code(answer: _Answer) -> str:
    if answer.error_code is ErrorCode.SUCCESS and answer.cancellation_status is not None:
        return answer.cancellation_status.value
    return answer.error_code.value


def _describe(answer: _Answer) -> str:
    if answer.error_code is ErrorCode.SUCCESS and answer.cancellation_status is not None:
        return answer.cancellation_status.value
    status = f", {answer.cancellation_status.value}" if answer.cancellation_status else ""
    return f"error {answer.error_code.value} ({answer.error_code.meaning}){status}"


def cancel_booking(
    client: GotadiClient,
    booking_number: str,
    booking: Booking,
    *,
    now: Callable[[], datetime] = _utc_now,
    settings: FlowSettings | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_step: Callable[[Step], None] | None = None,
) -> CancelOutcome:
    """Cancel ``booking_number`` at Gotadi with our exact fee and follow it to a final state.

    Args:
        client: the Gotadi client.
        booking_number: Gotadi's booking number.
        booking: what the fee is a fee of (total, currency, nightly rates, timezone).
        now: the cancel time used for the quote (default: the real clock, UTC).
        settings: polling backoff and deadline.
        sleep: injected waiting (tests pass a fake).
        clock: injected monotonic time (tests pass a fake).
        on_step: called with each `Step` as it happens (the CLI prints them live).

    Returns:
        The `CancelOutcome`, whose ``trail`` tells the whole story.

    Raises:
        ProviderUnavailable, ProviderRejected, ProviderProtocolError, InvalidInput: before
            anything was sent (see the module docstring).
        SignatureInvalid, ProviderProtocolError: an answer after sending could not be
            believed; the trail is in the exception's notes.
        CancellationInFlight: another thread is cancelling this booking.
    """
    flow = _Flow(
        client,
        booking_number,
        booking,
        now=now,
        settings=settings or FlowSettings(),
        sleep=sleep,
        clock=clock,
        on_step=on_step,
    )
    return flow.run()
