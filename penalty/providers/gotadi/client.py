"""The Gotadi HTTP client: check the penalty, cancel, follow the cancellation (PROTOCOLS A.5–A.7).

Every request carries ``apikey`` and ``x-ibe-req-name`` (and ``Authorization: Bearer`` when a
token is configured). The two encrypted endpoints are sealed with the partner's key and opened
with Gotadi's: an answer is believed only after its signature verified, and only if it names our
access code and the booking we asked about. Check-cancel-penalty is plain JSON (A.5).

Retries: check-cancel-penalty and cancellation-check are safe to repeat and retried on timeouts,
connection failures, 5xx and 429 (`penalty.providers._http.send`); a cancellation never is. And
`in_flight` makes sure one process never has two cancellations for a booking at once.

Errors (all `penalty.errors`): `ProviderUnavailable` (no usable answer: timeout, 5xx, 408,
429), `ProviderRejected` (Gotadi's error code as ``provider_code``, from a verified answer or
the check's ``success: false``), its subclass `HttpRefusal` (a 4xx without a signed envelope,
``provider_code`` ``HTTP 4xx``: refused, but nothing in it is authenticated),
`ProviderProtocolError` (an answer we cannot read), `SignatureInvalid` (an answer we cannot
trust), `InvalidInput` (our own input).
"""

from __future__ import annotations

import contextlib
import hmac
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from penalty.booking import Booking
from penalty.errors import (
    InvalidBooking,
    InvalidInput,
    InvalidPolicy,
    PenaltyError,
    ProviderProtocolError,
    ProviderRejected,
)
from penalty.formats.gotadi import CheckCancelPenaltyResponse, read_penalties
from penalty.limits import json_decimal
from penalty.policy import Policy
from penalty.providers._http import (
    HttpClientOwner,
    RetryPolicy,
    is_refusal,
    parse_json,
    refusal,
    send,
)
from penalty.providers.gotadi.codes import CheckStatus, ErrorCode, Outcome
from penalty.providers.gotadi.config import GotadiSettings
from penalty.providers.gotadi.crypto import SEPARATOR, open_envelope, seal
from penalty.providers.gotadi.inflight import IN_FLIGHT, CancellationInFlight
from penalty.providers.gotadi.messages import (
    CancellationCheckRequest,
    CancellationCheckResponse,
    CancellationRequest,
    CancellationResponse,
    CheckCancelPenaltyRequest,
    Envelope,
    PipeMessage,
    format_amount,
)

__all__ = [
    "CANCEL_PATH",
    "CHECK_PATH",
    "STATUS_PATH",
    "CancellationInFlight",
    "GotadiClient",
    "PenaltyCheck",
]

PROVIDER = "gotadi"
CHECK_PATH = "/api/v3/hotel/check-cancel-penalty"
CANCEL_PATH = "/api/partner/cancellation"
STATUS_PATH = "/api/partner/cancellation-check"
#: Safe-to-repeat calls: three tries within 20 s (see `RetryPolicy`).
DEFAULT_RETRY = RetryPolicy()

_Answer = TypeVar("_Answer", CancellationResponse, CancellationCheckResponse)

#: How long before a booking's check-in its live windows may end. Gotadi charges the no-show
#: (the whole total) from the end of the last window, "after check-in, or for a no-show" (seed
#: 001): its windows end around the check-in (seed 001's at 18:00 the day before, the live
#: example's the day after). Sixty days leave room for a supplier whose last deadline is early;
#: windows ending sooner than that are another stay's.
LONGEST_LEAD = timedelta(days=60)
#: An instant after every window: the quote there is the no-show, starting at the last end.
_AFTER_EVERY_WINDOW = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PenaltyCheck:
    """What check-cancel-penalty said about a booking.

    Attributes:
        booking_number: the booking asked about.
        status: may it be cancelled (``UNKNOWN``: ask again).
        policy: its penalty windows, ready to quote against a `penalty.Booking`.
        cancel_penalty_total: Gotadi's own ``cancelPenaltyTotal`` (exact), if sent; PROTOCOLS
            A.5 warns it can be ``0.0`` despite a penalty, so it is compared, never trusted.
        response: the raw response model.
    """

    booking_number: str
    status: CheckStatus
    policy: Policy
    cancel_penalty_total: Decimal | None
    response: CheckCancelPenaltyResponse

    def require_booking(self, booking: Booking) -> None:
        """Refuse a booking file that these live windows cannot be of, before any fee is sent.

        A fee quoted from another stay's booking file is wrong however exact: against windows
        that start after the stay it is ``0.00``. So the booking must fit the live policy:

        * ``currency``: every window is priced in the booking's currency (the engine's own
          check, SEMANTICS rule 11: `penalty.errors.CurrencyMismatch`);
        * ``total``: Gotadi's ``cancelPenaltyTotal``, when sent, is not more than the booking's
          total (no fee is; a total of ``0.0`` proves nothing, PROTOCOLS A.5);
        * ``check_out``/``nightly_rates``: no NIGHTS window charges more nights than the stay
          has (the stay's night count is known);
        * ``check_in``/``check_out`` (from the dates, or dated ``nightly_rates``): the no-show
          point, where the last window ends, falls on a day from `LONGEST_LEAD` before the
          check-in to the check-out day, in the hotel's zone.

        Raises:
            CurrencyMismatch: a window in another currency.
            InvalidBooking: ``code="not_this_stay"``, the path naming the booking's field.
        """
        timeline = self.policy.timeline(booking)
        total = self.cancel_penalty_total
        if total is not None and total > booking.total:
            raise _not_this_stay(
                "total",
                f"Gotadi's cancelPenaltyTotal for {self.booking_number} is {total}, more than "
                "this booking's total",
                booking.total,
            )
        dated = booking.check_in is not None and booking.check_out is not None
        nights = booking.night_count
        for index, window in enumerate(self.policy.windows):
            if nights is not None and window.nights is not None and window.nights > nights:
                raise _not_this_stay(
                    "check_out" if dated else "nightly_rates",
                    f"live window {index} of {self.booking_number} charges {window.nights} "
                    f"nights, this booking has {nights}",
                    str(booking.check_out) if dated else nights,
                )
        stay = _stay(booking)
        no_show = timeline.quote(_AFTER_EVERY_WINDOW)
        if stay is None or no_show.phase != "no_show" or no_show.since is None:
            return
        first_night, check_out = stay
        last_end = no_show.since
        when = last_end.isoformat(timespec="minutes")
        if last_end.date() > check_out:
            raise _not_this_stay(
                "check_out" if dated else "nightly_rates",
                f"the live windows of {self.booking_number} run until {when}, after this "
                "booking's check-out",
                str(check_out),
            )
        if last_end.date() < first_night - LONGEST_LEAD:
            raise _not_this_stay(
                "check_in" if dated else "nightly_rates",
                f"the live windows of {self.booking_number} end at {when}, more than "
                f"{LONGEST_LEAD.days} days before this booking's check-in",
                str(first_night),
            )


def _stay(booking: Booking) -> tuple[date, date] | None:
    """The booking's first night and check-out day, when its dates or dated rates say."""
    nights = booking.night_dates()
    if not nights:
        return None
    return nights[0], nights[-1] + timedelta(days=1)


def _not_this_stay(path: str, message: str, value: object) -> InvalidBooking:
    return InvalidBooking(
        f"{message}: this booking file is of another stay",
        path=path,
        value=value,
        code="not_this_stay",
    )


def _checked_booking_number(booking_number: str) -> str:
    if not booking_number or booking_number != booking_number.strip():
        raise InvalidInput(
            "must be a non-empty booking number without surrounding spaces",
            path="booking_number",
            value=booking_number,
            code="bad_booking_number",
        )
    if SEPARATOR in booking_number:
        raise InvalidInput(
            "must not contain '|'",
            path="booking_number",
            value=booking_number,
            code="separator_in_field",
        )
    return booking_number


def _protocol(message: str, *, code: str, path: str | None = None) -> ProviderProtocolError:
    return ProviderProtocolError(message, provider=PROVIDER, path=path, code=code)


class GotadiClient(HttpClientOwner):
    """Talks to one Gotadi environment with one partner identity.

    Args:
        settings: base URL, credentials, keys, RSA padding, timeout.
        http: an `httpx.Client` to use (tests inject one with a ``transport=``); by default one
            is built with ``settings.timeout`` and closed with this client.
        retry: how safe-to-repeat calls are retried.
        sleep: how to wait between retries (tests pass a no-op).

    Example:
        ```python
        with GotadiClient(GotadiSettings.load()) as gotadi:
            check = gotadi.check_cancel_penalty("HDCO2107121213651")
            answer = gotadi.cancel("HDCO2107121213651", Decimal("1100000"))
        ```
    """

    def __init__(
        self,
        settings: GotadiSettings,
        *,
        http: httpx.Client | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._use_http(http, settings.base_url, settings.timeout)
        self._retry = retry
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"GotadiClient(base_url={self.settings.base_url!r})"

    @contextmanager
    def in_flight(self, booking_number: str) -> Iterator[None]:
        """Hold ``booking_number`` for a cancellation; other threads get `CancellationInFlight`."""
        with IN_FLIGHT.hold((self.settings.base_url, booking_number)):
            yield

    # -- transport -----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {
            "apikey": self.settings.api_key.get_secret_value(),
            "x-ibe-req-name": self.settings.access_code.get_secret_value(),
            "accept": "application/json",
            "content-type": "application/json",
        }
        if self.settings.bearer_token is not None:
            headers["authorization"] = f"Bearer {self.settings.bearer_token.get_secret_value()}"
        return headers

    def _post(self, path: str, body: bytes, *, idempotent: bool) -> httpx.Response:
        request = self._http.build_request(
            "POST", self.settings.base_url + path, content=body, headers=self._headers()
        )
        return send(
            self._http,
            request,
            provider=PROVIDER,
            idempotent=idempotent,
            retry=self._retry,
            sleep=self._sleep,
        )

    def _sealed(self, message: PipeMessage) -> bytes:
        key, data = seal(
            message.to_fields(),
            sender_private=self.settings.keys.own_private,
            receiver_public=self.settings.keys.peer_public,
            padding=self.settings.rsa_padding,
        )
        return Envelope(key=key, data=data).model_dump_json().encode()

    def _opened(
        self, response: httpx.Response, model: type[_Answer], booking_number: str
    ) -> _Answer:
        """Verify, decrypt and check an encrypted answer; raise what its error code means."""
        body: Any = None
        if response.status_code == httpx.codes.OK:
            body = parse_json(response, provider=PROVIDER)
        elif response.content:
            with contextlib.suppress(ProviderProtocolError):
                body = parse_json(response, provider=PROVIDER)
        is_envelope = isinstance(body, dict) and {"key", "data"} <= body.keys()
        if response.status_code != httpx.codes.OK and not is_envelope:
            raise _http_refusal(response)
        try:
            envelope = Envelope.model_validate(body)
        except ValidationError:
            raise _protocol("answer is not a {key, data} envelope", code="bad_shape") from None
        fields = open_envelope(
            envelope.key,
            envelope.data,
            receiver_private=self.settings.keys.own_private,
            sender_public=self.settings.keys.peer_public,
            padding=self.settings.rsa_padding,
        )
        answer = model.from_fields(fields)
        ours = self.settings.access_code.get_secret_value().encode()
        if not hmac.compare_digest(answer.access_code.get_secret_value().encode(), ours):
            raise _protocol("answer carries another access code", code="wrong_access_code")
        rejected = answer.error_code.outcome is Outcome.REJECTED
        if rejected and answer.booking_number in {"", booking_number}:
            raise answer.error_code.rejection(
                booking_number=booking_number, status_code=response.status_code
            )
        if answer.booking_number != booking_number:
            raise _protocol(
                f"answer is about booking {answer.booking_number!r}, not {booking_number!r}",
                code="wrong_booking",
            )
        if answer.error_code is ErrorCode.SUCCESS and answer.cancellation_status is None:
            raise _protocol(
                "a successful answer has no cancellation_status",
                code="bad_field",
                path=f"{model.wire_name}.cancellation_status",
            )
        return answer

    # -- the three calls -----------------------------------------------------------------------

    def check_cancel_penalty(self, booking_number: str) -> PenaltyCheck:
        """``POST /api/v3/hotel/check-cancel-penalty``: status, windows, Gotadi's total.

        Retried when safe (timeouts, 5xx, 429). Raises `ProviderRejected` when Gotadi says
        ``success: false`` or answers 4xx, `ProviderProtocolError` when the answer (or a
        penalty window in it) cannot be read.
        """
        booking_number = _checked_booking_number(booking_number)
        request = CheckCancelPenaltyRequest(booking_number=booking_number)
        body = request.model_dump_json(by_alias=True).encode()
        response = self._post(CHECK_PATH, body, idempotent=True)
        if response.status_code != httpx.codes.OK:
            raise _http_refusal(response)
        raw = parse_json(response, provider=PROVIDER, parse_float=json_decimal)
        try:
            parsed = CheckCancelPenaltyResponse.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or None
            raise _protocol(first["msg"], code="bad_shape", path=where) from None
        if parsed.success is not None and not parsed.success:
            raise _rejected_check(parsed, booking_number)
        result = parsed.result
        if result is None or result.status is None:
            raise _protocol("answer has no result.status", code="bad_shape", path="result.status")
        try:
            status = CheckStatus(result.status)
        except ValueError:
            raise ProviderProtocolError(
                "undocumented status",
                provider=PROVIDER,
                path="result.status",
                value=result.status,
                code="bad_field",
            ) from None
        try:
            policy = read_penalties(raw)
        except InvalidPolicy as exc:
            raise ProviderProtocolError(
                f"penalty window: {exc.message}",
                provider=PROVIDER,
                path=exc.path,
                value=exc.value,
                code="bad_policy",
            ) from exc
        return PenaltyCheck(
            booking_number=booking_number,
            status=status,
            policy=policy,
            cancel_penalty_total=result.cancel_penalty_total,
            response=parsed,
        )

    def cancel(self, booking_number: str, penalty_amount: Decimal) -> CancellationResponse:
        """``POST /api/partner/cancellation`` with ``penalty_amount`` in two-decimal form.

        Sent once, never retried: if the answer is lost (`ProviderUnavailable`), ask
        `cancellation_status` instead of cancelling again. A ``00`` answer carries a
        ``cancellation_status``; ``01``/``08``/``09`` mean "follow it with a status check";
        every other code raises `ProviderRejected`.

        Raises:
            InvalidInput: ``penalty_amount`` is negative, not a Decimal, or has more than two
                decimals (it is never rounded here).
            CancellationInFlight: another thread is cancelling this booking.
        """
        booking_number = _checked_booking_number(booking_number)
        request = CancellationRequest(
            access_code=self.settings.access_code,
            booking_number=booking_number,
            cancel_penalty_amount=format_amount(penalty_amount),
        )
        with self.in_flight(booking_number):
            response = self._post(CANCEL_PATH, self._sealed(request), idempotent=False)
            return self._opened(response, CancellationResponse, booking_number)

    def cancellation_status(self, booking_number: str) -> CancellationCheckResponse:
        """``POST /api/partner/cancellation-check``: where the cancellation stands (retried)."""
        booking_number = _checked_booking_number(booking_number)
        request = CancellationCheckRequest(
            access_code=self.settings.access_code, booking_number=booking_number
        )
        response = self._post(STATUS_PATH, self._sealed(request), idempotent=True)
        return self._opened(response, CancellationCheckResponse, booking_number)


def _http_refusal(response: httpx.Response) -> PenaltyError:
    """A non-200 answer without a signed envelope: a bare 4xx refusal, or a protocol error."""
    if is_refusal(response.status_code):
        return refusal(response, provider=PROVIDER)
    return _protocol(f"unexpected HTTP {response.status_code}", code="http_status")


def _rejected_check(parsed: CheckCancelPenaltyResponse, booking_number: str) -> ProviderRejected:
    code = "unknown"
    first: Any = parsed.errors[0] if parsed.errors else None
    if isinstance(first, dict):
        code = str(first.get("code") or first.get("errorCode") or code)
    text = (parsed.text_message or "").strip()[:200]
    return ProviderRejected(
        f"booking {booking_number}: check-cancel-penalty failed" + (f" ({text})" if text else ""),
        provider=PROVIDER,
        provider_code=code,
        code="check_failed",
    )
