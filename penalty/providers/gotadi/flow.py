"""The whole Gotadi cancellation as one operation: check → status → quote → compare → cancel →
follow, sans I/O (`Client.cancel_booking` and `AsyncClient.cancel_booking` run it).

`cancel_flow` does what PROTOCOLS A.5–A.7 ask, in order, and writes each step to a trail (and
one record per step to the ``penalty.providers.gotadi`` logger):

1. **check** the penalty (again while Gotadi says ``UNKNOWN``, until the deadline).
   ``NOT_ALLOW_CANCELLATION`` stops here: nothing is sent.
2. **status** first: ask cancellation-check whether a cancellation of this booking already
   exists. ``CANCEL_CONFIRMED`` ends the flow ``confirmed`` with nothing sent; one waiting, unknown
   or being processed (``01``, ``08``, ``09``) is *followed* instead of sending another (so a
   re-run after ``pending`` is safe); none on record (``02``), an expired one or a penalty
   mismatch lets the flow send. Without a verified answer nothing is sent.
3. **quote** our fee with the engine, at ``now()``, against the partner's `penalty.Booking`,
   once it is sure that booking is the one the live windows are of
   (`PenaltyCheck.require_booking`: currency, total, nights, stay dates).
4. **compare** it with Gotadi's ``cancelPenaltyTotal``. On a difference the config's
   ``on_total_mismatch`` decides: ``stop`` before sending (the default; the flow ends
   ``total_mismatch``), send ``ours``, or send ``theirs``.
5. **cancel** with that fee (two decimals). Sent once: a cancellation is never retried.
6. ``CANCEL_PENALTY_MISMATCH``: **re-check, re-quote and resubmit once**; a second mismatch is
   final.
7. Anything else: **poll** cancellation-check with exponential backoff until a final status or
   the deadline (``pending``).

**Only a verified answer ends a flow.** Once a cancellation may have reached Gotadi, an answer
that is lost (timeout, reset, 5xx), refused without a signed envelope (a bare 4xx), garbage,
unsigned, badly signed or about another booking means "unknown": the flow keeps polling until
the deadline, and ends ``pending``, never ``rejected``. Only a verified Gotadi error code *on the
cancellation itself* ends it ``rejected``; error codes on a status poll (which speak of the poll)
are written to the trail and polling goes on. Errors before anything is sent (Gotadi unreachable,
refusing the check, a malformed answer, a booking the engine cannot quote, a booking that is not
this stay's) are raised as they are, with the trail attached as exception notes.

The booking is held (`penalty.providers.gotadi.inflight`) for the whole flow: two flows for one
booking never overlap in one process, whatever the spelling of the base URL, across threads and
asyncio tasks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import httpx

from penalty.booking import Booking
from penalty.errors import (
    InvalidInput,
    PenaltyError,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from penalty.providers._http import HttpRefusal, Op, Sleep, logger
from penalty.providers.gotadi import protocol
from penalty.providers.gotadi.check import PenaltyCheck
from penalty.providers.gotadi.config import OnTotalMismatch
from penalty.providers.gotadi.inflight import IN_FLIGHT, flight_key
from penalty.providers.gotadi.models import (
    CancellationCheckResponse,
    CancellationResponse,
    CancellationStatus,
    CheckStatus,
    ErrorCode,
    Outcome,
    format_amount,
)
from penalty.timeline import Quote

__all__ = ["CancelOutcome", "FlowSettings", "FlowState", "Step", "cancel_flow"]

_Answer = CancellationResponse | CancellationCheckResponse
_LOG = logger(protocol.PROVIDER)
#: Statuses of a cancellation that is under way: followed, never sent again.
_UNDER_WAY = frozenset(
    {CancellationStatus.CANCEL_WAITING_CONFIRM, CancellationStatus.CANCEL_UNKNOWN}
)


class FlowState(StrEnum):
    """Where a cancellation flow ended."""

    CONFIRMED = "confirmed"  #: Gotadi confirmed the cancellation
    EXPIRED = "expired"  #: Gotadi says the request expired
    NOT_ALLOWED = "not_allowed"  #: NOT_ALLOW_CANCELLATION: nothing was sent
    TOTAL_MISMATCH = "total_mismatch"  #: our fee is not Gotadi's total; nothing was sent (stop)
    MISMATCH = "mismatch"  #: CANCEL_PENALTY_MISMATCH again after one resubmission
    REJECTED = "rejected"  #: a verified Gotadi error code on the cancellation (``provider_code``)
    CHECK_UNKNOWN = "check_unknown"  #: the check said UNKNOWN until the deadline; nothing sent
    PENDING = "pending"  #: the deadline passed before a verified final status; ask again later

    @property
    def is_final(self) -> bool:
        """Whether nothing more will happen without a new request."""
        return self not in {FlowState.PENDING, FlowState.CHECK_UNKNOWN}


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the trail.

    Attributes:
        action: ``check``, ``status``, ``quote``, ``compare``, ``cancel`` or ``done``.
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


def _finite_positive(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise InvalidInput("must be a finite number of seconds above 0", path=name, value=value)


@dataclass(frozen=True, slots=True)
class FlowSettings:
    """Polling: first wait, growth factor, longest wait, and the overall deadline (seconds).

    Every value must be finite and positive (``InvalidInput`` otherwise: ``nan`` would poll for
    ever, ``-1`` would not wait at all).
    """

    poll_initial: float = 1.0
    poll_factor: float = 2.0
    poll_max: float = 15.0
    deadline: float = 120.0

    def __post_init__(self) -> None:
        for name in ("poll_initial", "poll_factor", "poll_max", "deadline"):
            _finite_positive(name, getattr(self, name))


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    """The end of a flow and how it got there.

    Attributes:
        state: where it ended; ``state is FlowState.CONFIRMED`` is the happy end.
        status: Gotadi's last verified cancellation status, if it gave one.
        quote: our last quote (``None`` when the flow stopped before quoting).
        amount_sent: the last amount sent, in Gotadi's two-decimal form (``None``: none sent).
        gotadi_total: ``cancelPenaltyTotal`` from the last check.
        total_mismatch: whether our fee differed from ``gotadi_total`` at any check.
        gotadi_fee: the fee cancellation-check reported, if it did.
        provider_code: Gotadi's error code when ``state`` is ``REJECTED``; the last error code
            of a status poll when ``PENDING``.
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


def _never_sent(exc: ProviderUnavailable) -> bool:
    """True only when the request surely never left: the connection was never made."""
    return isinstance(exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout)


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


class _Stop(StrEnum):
    TOTAL_MISMATCH = "total_mismatch"


class _Flow:
    def __init__(
        self,
        ctx: protocol.Context,
        booking_number: str,
        booking: Booking,
        *,
        now: Callable[[], datetime],
        settings: FlowSettings,
        on_step: Callable[[Step], None] | None,
    ) -> None:
        self.ctx, self.booking_number, self.booking = ctx, booking_number, booking
        self.now, self.settings, self.on_step = now, settings, on_step
        self.clock = ctx.clock
        self.started = self.clock()
        self.trail: list[Step] = []
        self.quote: Quote | None = None
        self.amount_sent: str | None = None
        self.gotadi_total: Decimal | None = None
        self.total_mismatch = False
        self.gotadi_fee: Decimal | None = None
        self.status: CancellationStatus | None = None
        self.last_code: str | None = None

    # -- bookkeeping ---------------------------------------------------------------------------

    def step(self, action: str, text: str, status: str | None = None) -> None:
        entry = Step(action, text, round(self.clock() - self.started, 3), status)
        self.trail.append(entry)
        _LOG.info(
            "booking %s: %s %s",
            self.booking_number,
            action,
            text,
            extra={"booking_number": self.booking_number, "action": action, "status": status},
        )
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

    def wait(self, delay: float) -> Op[bool]:
        """Sleep ``delay`` (cut to the deadline); False when the deadline has already passed."""
        remaining = self.settings.deadline - (self.clock() - self.started)
        if remaining <= 0:
            return False
        yield Sleep(min(delay, remaining))
        return True

    def backoff(self, delay: float) -> float:
        return min(delay * self.settings.poll_factor, self.settings.poll_max)

    # -- the flow ------------------------------------------------------------------------------

    def run(self) -> Op[CancelOutcome]:
        key = flight_key(self.ctx.config.base_url, self.booking_number)
        try:
            with IN_FLIGHT.hold(key, self):
                return (yield from self._run())
        except PenaltyError as exc:
            for entry in self.trail:
                exc.add_note(f"trail: {entry}")
            raise

    def _run(self) -> Op[CancelOutcome]:
        check = yield from self.check()
        if check is None or check.status is CheckStatus.NOT_ALLOW_CANCELLATION:
            return self.done(FlowState.CHECK_UNKNOWN if check is None else FlowState.NOT_ALLOWED)
        existing = yield from self.existing()
        if existing is not None and (
            existing.cancellation_status is CancellationStatus.CANCEL_CONFIRMED
        ):
            self.status = existing.cancellation_status
            return self.done(FlowState.CONFIRMED)
        answer: _Answer | _Stop | FlowState | None = existing
        if existing is None:
            answer = yield from self.submit(check)
        resubmitted = False
        delay = self.settings.poll_initial
        while True:
            if answer is _Stop.TOTAL_MISMATCH:
                return self.done(FlowState.TOTAL_MISMATCH)
            state = answer if isinstance(answer, FlowState) else self.judge(answer)
            if state is not None:
                return self.done(state, self.last_code if state is FlowState.REJECTED else None)
            if isinstance(answer, _Answer) and (
                answer.cancellation_status is CancellationStatus.CANCEL_PENALTY_MISMATCH
            ):
                if resubmitted:
                    return self.done(FlowState.MISMATCH)
                resubmitted = True
                answer = yield from self.resubmit()
                delay = self.settings.poll_initial
                continue
            if not (yield from self.wait(delay)):
                return self.done(FlowState.PENDING, self.last_code)
            delay = self.backoff(delay)
            answer = yield from self.poll()

    def resubmit(self) -> Op[CancellationResponse | _Stop | FlowState | None]:
        """After ``CANCEL_PENALTY_MISMATCH`` (nothing under way): check and send again."""
        check = yield from self.check()
        if check is None or check.status is CheckStatus.NOT_ALLOW_CANCELLATION:
            return FlowState.CHECK_UNKNOWN if check is None else FlowState.NOT_ALLOWED
        return (yield from self.submit(check))

    def judge(self, answer: _Answer | _Stop | None) -> FlowState | None:
        """The final state a verified answer means, if any (None: keep following)."""
        if not isinstance(answer, _Answer):
            return None
        if isinstance(answer, CancellationResponse) and (
            answer.error_code.outcome is Outcome.REJECTED
        ):
            return FlowState.REJECTED
        status = answer.cancellation_status if answer.error_code is ErrorCode.SUCCESS else None
        if status is not None:
            self.status = status
        if status is CancellationStatus.CANCEL_CONFIRMED:
            return FlowState.CONFIRMED
        if status is CancellationStatus.CANCEL_EXPIRED:
            return FlowState.EXPIRED
        return None

    def check(self) -> Op[PenaltyCheck | None]:
        """Check until Gotadi says ALLOW or NOT_ALLOW; None if still UNKNOWN at the deadline."""
        delay = self.settings.poll_initial
        while True:
            check = yield from protocol.check_cancel_penalty(self.ctx, self.booking_number)
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
            if not (yield from self.wait(delay)):
                return None
            delay = self.backoff(delay)

    def existing(self) -> Op[CancellationCheckResponse | None]:
        """A cancellation already on record that must be followed, not sent again; None when
        the flow may send. Raises when no verified answer says which (nothing is sent).
        """
        answer = yield from protocol.verified_status(self.ctx, self.booking_number)
        text, code = _describe(answer), _code(answer)
        status = answer.cancellation_status if answer.error_code is ErrorCode.SUCCESS else None
        if answer.error_code.outcome is Outcome.PENDING or status in _UNDER_WAY:
            self.step("status", f"{text}: a cancellation is under way; following it", code)
            return answer
        if status is CancellationStatus.CANCEL_CONFIRMED:
            self.step("status", f"{text}: already cancelled; nothing to send", code)
            return answer
        if status is not None or answer.error_code is ErrorCode.FAILED:
            self.step("status", f"{text}: no cancellation under way", code)
            return None
        raise answer.error_code.rejection(booking_number=self.booking_number)

    def amount(self, check: PenaltyCheck, quote: Quote) -> str | _Stop:
        """The amount to send, after comparing our fee with Gotadi's total."""
        total = check.cancel_penalty_total
        if total is None:
            self.step("compare", "Gotadi sent no cancelPenaltyTotal; sending our fee")
            return quote.gotadi_amount
        if total == quote.fee:
            self.step("compare", "matches Gotadi's cancelPenaltyTotal")
            return quote.gotadi_amount
        self.total_mismatch = True
        policy = self.ctx.config.on_total_mismatch
        verdict = {
            OnTotalMismatch.STOP: "stopping before sending (on_total_mismatch = stop)",
            OnTotalMismatch.OURS: "sending ours (on_total_mismatch = ours)",
            OnTotalMismatch.THEIRS: "sending Gotadi's (on_total_mismatch = theirs)",
        }[policy]
        self.step(
            "compare",
            f"MISMATCH: Gotadi's cancelPenaltyTotal is {_total(total)}, our fee is "
            f"{quote.fee:,}; {verdict}",
        )
        if policy == OnTotalMismatch.STOP:
            return _Stop.TOTAL_MISMATCH
        if policy == OnTotalMismatch.THEIRS:
            return format_amount(total, path="cancelPenaltyTotal")
        return quote.gotadi_amount

    def submit(self, check: PenaltyCheck) -> Op[CancellationResponse | _Stop | None]:
        """Quote, compare, send the cancellation; None when its answer cannot be believed."""
        check.require_booking(self.booking)
        at = self.now()
        quote = check.quote(self.booking, at)
        self.quote = quote
        where = f"window {quote.window}" if quote.window is not None else quote.phase
        self.step(
            "quote",
            f"our fee at {at.isoformat(timespec='seconds')}: {quote.fee:,} {quote.currency} "
            f"({where})",
        )
        amount = self.amount(check, quote)
        if isinstance(amount, _Stop):
            return amount
        try:
            answer = yield from protocol.submit(self.ctx, self.booking_number, amount, self)
        except ProviderUnavailable as exc:
            if _never_sent(exc):
                raise
            self.amount_sent = amount
            self.step("cancel", f"sent {amount}; {self.unknown(exc)}", exc.code)
            return None
        except ProviderRejected as exc:
            self.amount_sent = amount
            if isinstance(exc, HttpRefusal):
                self.step("cancel", f"sent {amount}; {self.unknown(exc)}", exc.provider_code)
                return None
            # Verified: Gotadi could not read our request (an empty booking number).
            self.last_code = exc.provider_code
            self.step("cancel", f"sent {amount}: {exc.message}", exc.provider_code)
            return CancellationResponse(
                access_code=self.ctx.config.access_code,
                booking_number=self.booking_number,
                error_code=ErrorCode(exc.provider_code),
            )
        except ProviderError as exc:
            self.amount_sent = amount
            self.step("cancel", f"sent {amount}; {self.unknown(exc)}", exc.code)
            return None
        self.amount_sent = amount
        if answer.error_code.outcome is Outcome.REJECTED and answer.cancellation_status:
            # A refusal that names a cancellation status contradicts itself: not believed.
            self.step(
                "cancel",
                f"sent {amount}: {_describe(answer)}: contradicts itself, not believed; "
                "asking for the status, never sending again",
                _code(answer),
            )
            return None
        if answer.error_code.outcome is Outcome.REJECTED:
            self.last_code = answer.error_code.value
        self.step("cancel", f"sent {amount}: {_describe(answer)}", _code(answer))
        return answer

    def unknown(self, exc: ProviderError) -> str:
        return f"{exc.message}: not a verified answer; asking for the status, never sending again"

    def poll(self) -> Op[CancellationCheckResponse | None]:
        try:
            answer = yield from protocol.verified_status(self.ctx, self.booking_number)
        except ProviderError as exc:
            code = exc.provider_code if isinstance(exc, ProviderRejected) else exc.code
            self.step("status", f"{exc.message}: not a verified answer; will ask again", code)
            return None
        text = _describe(answer)
        if answer.amount is not None:
            self.gotadi_fee = answer.amount
            text += f", fee {answer.cancel_penalty_amount}"
            if self.amount_sent is not None and answer.amount != Decimal(self.amount_sent):
                text += f" (we sent {self.amount_sent})"
        if answer.error_code is not ErrorCode.SUCCESS:
            self.last_code = answer.error_code.value
            text += "; will ask again"
        self.step("status", text, _code(answer))
        return answer


def cancel_flow(
    ctx: protocol.Context,
    booking_number: str,
    booking: Booking,
    *,
    now: Callable[[], datetime] | None = None,
    settings: FlowSettings | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> Op[CancelOutcome]:
    """Cancel ``booking_number`` at Gotadi with our exact fee and follow it to a final state.

    Args:
        ctx: the client (its config, retry policy and clock).
        booking_number: Gotadi's booking number.
        booking: what the fee is a fee of (total, currency, nightly rates, timezone).
        now: the cancel time used for the quote (default: the client's clock, UTC).
        settings: polling backoff and deadline.
        on_step: called with each `Step` as it happens (the CLI prints them live).

    Returns:
        The `CancelOutcome`, whose ``trail`` tells the whole story.

    Raises:
        ProviderUnavailable, ProviderRejected, ProviderProtocolError, InvalidInput: before
            anything was sent (see the module docstring); the trail is in the notes.
        CancellationInFlight: another flow or send holds this booking.
    """
    protocol.check_booking_number(booking_number)
    flow = _Flow(
        ctx,
        booking_number,
        booking,
        now=now or ctx.now,
        settings=settings or FlowSettings(),
        on_step=on_step,
    )
    return (yield from flow.run())
