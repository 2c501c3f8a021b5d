"""Gotadi's protocol, sans I/O: build each request, read each answer (PROTOCOLS A.5–A.7).

Pure functions: ``*_request`` build an `httpx.Request` (headers, signature, encryption) and
``read_*`` read an `httpx.Response` (verify, decrypt, map codes). The operations at the end
(`check_cancel_penalty`, `cancellation_status`, `cancel`) chain them with
`penalty.providers._http.exchange` as generators, so that the sync and the async client share
every line of protocol logic.

Every request carries ``apikey`` and ``x-ibe-req-name`` (and ``Authorization: Bearer`` when a
token is configured). The two encrypted endpoints are sealed with the partner's key and opened
with Gotadi's: an answer is believed only after its signature verified, and only if it names our
access code and the booking we asked about. Check-cancel-penalty is plain JSON (A.5).

Before any RSA work, an answer must be a ``{key, data}`` envelope within `MAX_KEY_CHARS` and
`MAX_DATA_CHARS` (after the limits of `penalty.providers._json`).

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
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from penalty.errors import (
    InvalidInput,
    InvalidPolicy,
    PenaltyError,
    ProviderProtocolError,
    ProviderRejected,
)
from penalty.formats.gotadi import CheckCancelPenaltyResponse, read_penalties
from penalty.providers import _client
from penalty.providers._http import Op, exchange, is_refusal, refusal
from penalty.providers._json import parse_json
from penalty.providers.gotadi.check import PenaltyCheck
from penalty.providers.gotadi.config import Config
from penalty.providers.gotadi.crypto import SEPARATOR, open_envelope, seal
from penalty.providers.gotadi.inflight import IN_FLIGHT, flight_key
from penalty.providers.gotadi.models import (
    CancellationCheckRequest,
    CancellationCheckResponse,
    CancellationRequest,
    CancellationResponse,
    CheckCancelPenaltyRequest,
    CheckStatus,
    Envelope,
    ErrorCode,
    Outcome,
    PipeMessage,
    format_amount,
)

__all__ = [
    "CANCEL_PATH",
    "CHECK_PATH",
    "MAX_DATA_CHARS",
    "MAX_KEY_CHARS",
    "PROVIDER",
    "STATUS_PATH",
    "Context",
    "cancel",
    "cancel_request",
    "cancellation_status",
    "check_booking_number",
    "check_cancel_penalty",
    "check_request",
    "open_answer",
    "read_check",
    "status_request",
    "submit",
    "verified_status",
]

PROVIDER = "gotadi"
CHECK_PATH = "/api/v3/hotel/check-cancel-penalty"
CANCEL_PATH = "/api/partner/cancellation"
STATUS_PATH = "/api/partner/cancellation-check"
#: ``key`` of an envelope: an RSA block of at most 8192 bits, in base64.
MAX_KEY_CHARS = 2048
#: ``data`` of an envelope: a few pipe-separated fields and a signature, in base64.
MAX_DATA_CHARS = 16 * 1024

_Answer = TypeVar("_Answer", CancellationResponse, CancellationCheckResponse)


Context = _client.Context[Config]


def check_booking_number(booking_number: str) -> str:
    """``booking_number`` if it can be sent; `InvalidInput` otherwise.

    Example:
        >>> check_booking_number("EX|3")
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: booking_number: must not contain '|' (got 'EX|3')
    """
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


def _headers(config: Config) -> dict[str, str]:
    headers = {
        "apikey": config.api_key.get_secret_value(),
        "x-ibe-req-name": config.access_code.get_secret_value(),
        "accept": "application/json",
        "content-type": "application/json",
    }
    if config.bearer_token is not None:
        headers["authorization"] = f"Bearer {config.bearer_token.get_secret_value()}"
    return headers


def _post(config: Config, path: str, body: bytes) -> httpx.Request:
    return httpx.Request("POST", config.base_url + path, content=body, headers=_headers(config))


def _sealed(config: Config, message: PipeMessage) -> bytes:
    key, data = seal(
        message.to_fields(),
        sender_private=config.private_key,
        receiver_public=config.public_key,
        padding=config.rsa_padding,
    )
    return Envelope(key=key, data=data).model_dump_json().encode()


def check_request(config: Config, booking_number: str) -> httpx.Request:
    """``POST /api/v3/hotel/check-cancel-penalty`` for ``booking_number`` (plain JSON)."""
    body = CheckCancelPenaltyRequest(booking_number=check_booking_number(booking_number))
    return _post(config, CHECK_PATH, body.model_dump_json(by_alias=True).encode())


def cancel_request(config: Config, booking_number: str, amount: str) -> httpx.Request:
    """``POST /api/partner/cancellation`` with ``amount`` in Gotadi's ``0.00`` form, sealed."""
    message = CancellationRequest(
        access_code=config.access_code,
        booking_number=check_booking_number(booking_number),
        cancel_penalty_amount=amount,
    )
    return _post(config, CANCEL_PATH, _sealed(config, message))


def status_request(config: Config, booking_number: str) -> httpx.Request:
    """``POST /api/partner/cancellation-check`` for ``booking_number``, sealed."""
    message = CancellationCheckRequest(
        access_code=config.access_code, booking_number=check_booking_number(booking_number)
    )
    return _post(config, STATUS_PATH, _sealed(config, message))


def _bare(response: httpx.Response) -> PenaltyError:
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


def read_check(booking_number: str, response: httpx.Response) -> PenaltyCheck:
    """Read check-cancel-penalty's answer: status, windows and Gotadi's total.

    Raises:
        ProviderRejected: ``success: false``, or a 4xx (`HttpRefusal`).
        ProviderProtocolError: the answer, or a penalty window in it, cannot be read.
    """
    if response.status_code != httpx.codes.OK:
        raise _bare(response)
    raw = parse_json(response.content, provider=PROVIDER)
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


def _envelope(response: httpx.Response) -> Envelope:
    """The ``{key, data}`` of an answer, within size limits; a bare 4xx is a refusal."""
    body: Any = None
    if response.status_code == httpx.codes.OK:
        body = parse_json(response.content, provider=PROVIDER)
    elif response.content:
        with contextlib.suppress(ProviderProtocolError):
            body = parse_json(response.content, provider=PROVIDER)
    is_envelope = isinstance(body, dict) and {"key", "data"} <= body.keys()
    if response.status_code != httpx.codes.OK and not is_envelope:
        raise _bare(response)
    try:
        envelope = Envelope.model_validate(body)
    except ValidationError:
        raise _protocol("answer is not a {key, data} envelope", code="bad_shape") from None
    if len(envelope.key) > MAX_KEY_CHARS or len(envelope.data) > MAX_DATA_CHARS:
        raise _protocol(
            f"envelope larger than {MAX_KEY_CHARS}/{MAX_DATA_CHARS} characters", code="too_large"
        )
    return envelope


def open_answer(
    config: Config, response: httpx.Response, model: type[_Answer], booking_number: str
) -> _Answer:
    """Verify, decrypt and check an encrypted answer; its error code is left to the caller.

    Raises:
        HttpRefusal: a 4xx without a signed envelope.
        SignatureInvalid, ProviderProtocolError: an answer that cannot be believed: unsigned,
            badly signed, undecryptable, another access code, another booking.
        ProviderRejected: a *verified* rejection about a request Gotadi could not read (its
            booking number empty), which names no booking.
    """
    envelope = _envelope(response)
    fields = open_envelope(
        envelope.key,
        envelope.data,
        receiver_private=config.private_key,
        sender_public=config.public_key,
        padding=config.rsa_padding,
    )
    answer = model.from_fields(fields)
    ours = config.access_code.get_secret_value().encode()
    if not hmac.compare_digest(answer.access_code.get_secret_value().encode(), ours):
        raise _protocol("answer carries another access code", code="wrong_access_code")
    if answer.booking_number == "" and answer.error_code.outcome is Outcome.REJECTED:
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


def _reject_codes(answer: _Answer, status_code: int) -> _Answer:
    if answer.error_code.outcome is Outcome.REJECTED:
        raise answer.error_code.rejection(
            booking_number=answer.booking_number, status_code=status_code
        )
    return answer


# -- operations (generators: run them with a client) -------------------------------------------


def check_cancel_penalty(ctx: Context, booking_number: str) -> Op[PenaltyCheck]:
    """Check-cancel-penalty, retried when safe (timeouts, 5xx, 408, 429)."""
    request = check_request(ctx.config, booking_number)
    response = yield from exchange(
        request, provider=PROVIDER, idempotent=True, retry=ctx.retry, clock=ctx.clock
    )
    return read_check(booking_number, response)


def verified_status(ctx: Context, booking_number: str) -> Op[CancellationCheckResponse]:
    """Cancellation-check's verified answer, whatever its error code (retried when safe)."""
    request = status_request(ctx.config, booking_number)
    response = yield from exchange(
        request, provider=PROVIDER, idempotent=True, retry=ctx.retry, clock=ctx.clock
    )
    return open_answer(ctx.config, response, CancellationCheckResponse, booking_number)


def cancellation_status(ctx: Context, booking_number: str) -> Op[CancellationCheckResponse]:
    """Cancellation-check; a verified rejection code raises `ProviderRejected`."""
    answer = yield from verified_status(ctx, booking_number)
    return _reject_codes(answer, httpx.codes.OK)


def submit(
    ctx: Context, booking_number: str, amount: str, holder: object
) -> Op[CancellationResponse]:
    """Send one cancellation (never retried) while ``holder`` holds the booking; its verified
    answer, whatever its error code.
    """
    request = cancel_request(ctx.config, booking_number, amount)
    with IN_FLIGHT.hold(flight_key(ctx.config.base_url, booking_number), holder):
        response = yield from exchange(
            request, provider=PROVIDER, idempotent=False, retry=ctx.retry, clock=ctx.clock
        )
    return open_answer(ctx.config, response, CancellationResponse, booking_number)


def cancel(ctx: Context, booking_number: str, penalty_amount: Decimal) -> Op[CancellationResponse]:
    """Cancellation with ``penalty_amount`` in two decimals; a rejection code raises."""
    amount = format_amount(penalty_amount)
    answer = yield from submit(ctx, booking_number, amount, object())
    return _reject_codes(answer, httpx.codes.OK)
