"""Ksher Gateway Pay cancel and query, sans I/O (PROTOCOLS C.1, C.2, seed 002).

Every request is form-urlencoded and signed with the merchant's private key; ``nonce_str`` is new
for every call and ``time_stamp`` is ``yyyyMMddHHmmss`` in Asia/Bangkok time.

**What is believed.** Ksher signs only an answer's ``data`` object, and only on success; its
failure codes (``-1`` … ``-6``) and the documented cancel success (``{"code": 0, "data":
"取消成功"}``) carry no signature. So:

* a *signed* answer is believed only if its ``data`` verifies with Ksher's key and names our
  order and merchant and, when it carries them, our ``nonce_str`` and a ``time_stamp`` within
  `MAX_ANSWER_AGE` of ours (an old signed answer sent again is ``replayed`` or ``stale``);
* ``cancelled`` only when a signed answer says the order is ``CLOSED``; signed data that says
  ``SUCCESS`` (paid) is ``already_paid``, whatever the unsigned ``code`` next to it says;
* an *unsigned* answer, success or failure code, is confirmed by a signed
  ``gateway_order_query`` before it is believed (``confirm_unsigned``, on by default): ``CLOSED``
  makes it cancelled (or already cancelled), ``SUCCESS`` already paid; an order still open
  confirms a refusal (``-1``, ``-2``, ``-3``, ``-6``) and contradicts a success, ``-4`` or
  ``-5`` (``ProviderProtocolError``, ``cancel_unconfirmed``: query again later).

Result codes become outcomes or errors: cancelled, ``-5`` already cancelled and ``-4`` already
paid are `KsherCancelOutcome` values (already paid: refund another way, Ksher's
``order_refund``); ``-1``, ``-2``, ``-3``, ``-6`` and unknown codes raise `KsherRejected`. A 4xx
whose body is not a Ksher envelope raises `penalty.providers._http.HttpRefusal`. A cancel is
never retried; the query is (it is safe to repeat).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import httpx
from pydantic import BaseModel, ConfigDict

from penalty.errors import InvalidInput, ProviderProtocolError, ProviderRejected, SignatureInvalid
from penalty.providers import _client
from penalty.providers._http import Op, exchange, is_refusal, refusal
from penalty.providers.ksher.config import Config
from penalty.providers.ksher.models import (
    NONCE_LENGTH,
    CancelOrderParams,
    KsherOrder,
    KsherOrderResult,
    KsherResponse,
    KsherResultCode,
    OrderQueryParams,
    parse_order,
    parse_response,
)
from penalty.providers.ksher.signing import sign, verify

__all__ = [
    "CANCEL_PATH",
    "MAX_ANSWER_AGE",
    "PROVIDER",
    "QUERY_PATH",
    "ZONE",
    "Context",
    "KsherCancelOutcome",
    "KsherCancelResult",
    "KsherRejected",
    "cancel_order",
    "form_request",
    "new_nonce",
    "order_query",
    "signed_order",
]

PROVIDER = "ksher"
CANCEL_PATH = "/cancel_order"
QUERY_PATH = "/gateway_order_query"
#: Thailand: Ksher's own zone, used for ``time_stamp`` (the docs do not name one).
ZONE = ZoneInfo("Asia/Bangkok")
#: How far a signed ``data.time_stamp`` may be from our request's before the answer is stale.
MAX_ANSWER_AGE = timedelta(minutes=10)
_TIME_STAMP = re.compile(r"[0-9]{14}")

PAID_NOTE = (
    "the customer has already paid: the payment link cannot be closed, refund the booking "
    "another way (Ksher order_refund)"
)
CANCELLED_NOTE = "the payment link is closed; a customer who saved the QR code may still pay"
ALREADY_CANCELLED_NOTE = "the payment link was already closed"

_REJECTION_CODES: dict[int, str] = {
    KsherResultCode.MERCHANT_INFO_INVALID: "merchant_info_invalid",
    KsherResultCode.MERCHANT_SIGNATURE_INVALID: "signature_rejected",
    KsherResultCode.ORDER_NOT_FOUND: "order_not_found",
    KsherResultCode.CANCEL_FAILED: "cancel_failed",
}
#: Codes that claim the order is closed or paid: a query that finds it open contradicts them.
_CLAIMS = frozenset(
    {
        KsherResultCode.OK,
        KsherResultCode.ORDER_ALREADY_PAID,
        KsherResultCode.ORDER_ALREADY_CANCELLED,
    }
)


class Context(_client.Context[Config], Protocol):
    """A Ksher client: a `penalty.providers._client.Context` that also makes nonces."""

    def nonce(self) -> str: ...  # noqa: D102


def new_nonce() -> str:
    """A fresh ``nonce_str``: 32 random hex digits."""
    return secrets.token_hex(16)


class KsherCancelOutcome(StrEnum):
    """What happened to the Ksher order's payment link."""

    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    ALREADY_PAID = "already_paid"


_NOTES = {
    KsherCancelOutcome.CANCELLED: CANCELLED_NOTE,
    KsherCancelOutcome.ALREADY_CANCELLED: ALREADY_CANCELLED_NOTE,
    KsherCancelOutcome.ALREADY_PAID: PAID_NOTE,
}


class KsherCancelResult(BaseModel):
    """The outcome of a Ksher cancel.

    Attributes:
        outcome: cancelled now, already cancelled, or already paid (refund it another way).
        mch_order_no: the order asked about.
        code: Ksher's result code to the cancel (`KsherResultCode` when documented).
        message: Ksher's own words (often Chinese).
        verified: a Ksher signature backs this outcome (directly, or by the confirming query).
        order: the order as the signed answer or the confirming query showed it.
        note: what to do next, in words.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: KsherCancelOutcome
    mch_order_no: str
    code: int
    message: str
    verified: bool
    order: KsherOrder | None = None
    note: str

    @property
    def refund_required(self) -> bool:
        """True when the customer has paid and the booking must be refunded another way."""
        return self.outcome is KsherCancelOutcome.ALREADY_PAID


class KsherRejected(ProviderRejected):
    """Ksher answered with a failure code; ``result_code`` is that code as an int.

    ``code`` is ``merchant_info_invalid`` (-1), ``signature_rejected`` (-2),
    ``order_not_found`` (-3), ``cancel_failed`` (-6), ``query_failed`` (an order query whose
    ``result`` is ``FAIL``) or ``unknown_code``.
    """

    def __init__(self, result_code: int, ksher_message: str, *, code: str | None = None) -> None:
        self.result_code = result_code
        self.ksher_message = ksher_message
        super().__init__(
            f"code {result_code}: {ksher_message or 'no message'}",
            provider=PROVIDER,
            provider_code=str(result_code),
            code=code or _REJECTION_CODES.get(result_code) or "unknown_code",
        )


def _envelope(ctx: Context, mch_order_no: str) -> dict[str, str]:
    if not mch_order_no.strip():
        raise InvalidInput(
            "must not be empty", path="mch_order_no", value=mch_order_no, code="empty"
        )
    now = ctx.now()
    if now.tzinfo is None:
        raise InvalidInput("the clock must return an aware datetime", path="now", value=now)
    nonce = ctx.nonce()
    if not 0 < len(nonce) <= NONCE_LENGTH:
        raise InvalidInput("must be 1 to 32 characters", path="nonce_str", value=nonce)
    return {
        "appid": ctx.config.appid,
        "nonce_str": nonce,
        "time_stamp": now.astimezone(ZONE).strftime("%Y%m%d%H%M%S"),
        "mch_order_no": mch_order_no,
    }


def form_request(config: Config, path: str, params: OrderQueryParams) -> httpx.Request:
    """A signed form post of ``params`` to ``path``."""
    form = params.model_dump()
    form["sign"] = sign(form, config.private_key)
    return httpx.Request("POST", config.base_url + path, data=form)


def _read(response: httpx.Response) -> tuple[KsherResponse, Any]:
    try:
        return parse_response(response)
    except ProviderProtocolError:
        if is_refusal(response.status_code):
            # A 4xx that is not a Ksher envelope (a gateway's 404 page): refused all the same.
            raise refusal(response, provider=PROVIDER) from None
        raise


def _stale(signed: object, sent: str) -> bool:
    """Whether a ``yyyyMMddHHmmss`` in signed data is not within `MAX_ANSWER_AGE` of ours."""
    if not isinstance(signed, str) or _TIME_STAMP.fullmatch(signed) is None:
        return False  # absent (as documented), or in one of Ksher's other formats: not judged
    try:
        then = datetime.strptime(signed, "%Y%m%d%H%M%S")  # noqa: DTZ007 - both in one zone
    except ValueError:
        return True
    ours = datetime.strptime(sent, "%Y%m%d%H%M%S")  # noqa: DTZ007
    return abs(then - ours) > MAX_ANSWER_AGE


def _mismatch(message: str, path: str, value: object, code: str) -> ProviderProtocolError:
    return ProviderProtocolError(message, provider=PROVIDER, path=path, value=value, code=code)


def signed_order(
    config: Config, answer: KsherResponse, data: Any, params: OrderQueryParams
) -> KsherOrder:
    """The signed ``data`` as an order, if it verifies and answers the request ``params`` sent.

    Raises:
        SignatureInvalid: no signed ``data`` object (``unsigned``), or a bad signature.
        ProviderProtocolError: another order, merchant or request (``replayed``, ``stale``).
    """
    if not isinstance(data, dict) or answer.sign is None:
        raise SignatureInvalid(
            "answer without a signed data object", provider=PROVIDER, code="unsigned"
        )
    if not verify(data, answer.sign, config.gateway_key):
        raise SignatureInvalid(
            "answer signature does not verify with Ksher's key",
            provider=PROVIDER,
            code="signature_mismatch",
        )
    order = parse_order(data)
    if order.mch_order_no != params.mch_order_no:
        raise _mismatch(
            "answer names another order", "data.mch_order_no", order.mch_order_no, "order_mismatch"
        )
    if order.appid not in (None, "", config.appid):
        raise _mismatch(
            "answer names another merchant", "data.appid", order.appid, "appid_mismatch"
        )
    if order.nonce_str not in (None, "", params.nonce_str):
        raise _mismatch(
            "answer is signed for another request (its nonce_str is not ours): a replay",
            "data.nonce_str",
            order.nonce_str,
            "replayed",
        )
    if _stale(data.get("time_stamp"), params.time_stamp):
        raise _mismatch(
            f"answer is signed at {data.get('time_stamp')}, not near our request "
            f"({params.time_stamp}): a replay",
            "data.time_stamp",
            data.get("time_stamp"),
            "stale",
        )
    return order


def order_query(ctx: Context, mch_order_no: str) -> Op[KsherOrder]:
    """``POST /gateway_order_query`` (safe to repeat, so retried): the signed order.

    Raises:
        KsherRejected: a non-zero code, or ``result == "FAIL"`` (``code="query_failed"``).
        HttpRefusal, SignatureInvalid, ProviderUnavailable, ProviderProtocolError.
    """
    params = OrderQueryParams(**_envelope(ctx, mch_order_no))
    response = yield from exchange(
        form_request(ctx.config, QUERY_PATH, params),
        provider=PROVIDER,
        idempotent=True,
        retry=ctx.retry,
        clock=ctx.clock,
    )
    answer, document = _read(response)
    if answer.code != KsherResultCode.OK:
        raise KsherRejected(answer.code, answer.text)
    order = signed_order(ctx.config, answer, document.get("data"), params)
    if order.result == KsherOrderResult.FAIL:
        raise KsherRejected(0, order.err_msg or answer.text, code="query_failed")
    return order


def _result(
    outcome: KsherCancelOutcome,
    mch_order_no: str,
    answer: KsherResponse,
    *,
    verified: bool = False,
    order: KsherOrder | None = None,
) -> KsherCancelResult:
    return KsherCancelResult(
        outcome=outcome,
        mch_order_no=mch_order_no,
        code=answer.code,
        message=answer.text,
        verified=verified,
        order=order,
        note=_NOTES[outcome],
    )


def _unconfirmed(answer: KsherResponse, mch_order_no: str) -> KsherCancelResult:
    """An unsigned answer taken at its word (``confirm_unsigned`` off): ``verified=False``."""
    outcomes = {
        KsherResultCode.OK: KsherCancelOutcome.CANCELLED,
        KsherResultCode.ORDER_ALREADY_PAID: KsherCancelOutcome.ALREADY_PAID,
        KsherResultCode.ORDER_ALREADY_CANCELLED: KsherCancelOutcome.ALREADY_CANCELLED,
    }
    if answer.code not in outcomes:
        raise KsherRejected(answer.code, answer.text)
    return _result(outcomes[KsherResultCode(answer.code)], mch_order_no, answer)


def _confirm(ctx: Context, mch_order_no: str, answer: KsherResponse) -> Op[KsherCancelResult]:
    """Believe an unsigned cancel answer only as far as a signed order query agrees."""
    try:
        order = yield from order_query(ctx, mch_order_no)
    except KsherRejected as exc:
        if answer.code in _CLAIMS:
            raise _mismatch(
                f"cancel said code {answer.code} but the confirming query was refused "
                f"({exc.message}); query again later",
                "code",
                answer.code,
                "cancel_unconfirmed",
            ) from exc
        raise KsherRejected(answer.code, answer.text) from exc
    if order.result == KsherOrderResult.CLOSED:
        done = answer.code == KsherResultCode.OK
        outcome = KsherCancelOutcome.CANCELLED if done else KsherCancelOutcome.ALREADY_CANCELLED
    elif order.result == KsherOrderResult.SUCCESS:
        outcome = KsherCancelOutcome.ALREADY_PAID  # paid (perhaps from a saved QR code)
    elif answer.code in _CLAIMS:
        raise _mismatch(
            f"cancel said code {answer.code} but the signed order query says {order.result}; "
            "query again later",
            "data.result",
            order.result,
            "cancel_unconfirmed",
        )
    else:
        raise KsherRejected(answer.code, answer.text)  # confirmed: the order is still open
    return _result(outcome, mch_order_no, answer, verified=True, order=order)


def cancel_order(ctx: Context, mch_order_no: str) -> Op[KsherCancelResult]:
    """``POST /cancel_order``: close the order's payment link (never retried).

    Returns ``CANCELLED``, ``ALREADY_CANCELLED`` or ``ALREADY_PAID`` (refund another way), as
    the module docstring says they are believed.
    """
    params = CancelOrderParams(**_envelope(ctx, mch_order_no), lang=ctx.config.lang)
    response = yield from exchange(
        form_request(ctx.config, CANCEL_PATH, params),
        provider=PROVIDER,
        idempotent=False,
        retry=ctx.retry,
        clock=ctx.clock,
    )
    answer, document = _read(response)
    data = document.get("data")
    if answer.code == KsherResultCode.OK and answer.sign is not None and isinstance(data, dict):
        order = signed_order(ctx.config, answer, data, params)
        if order.result == KsherOrderResult.CLOSED:
            return _result(
                KsherCancelOutcome.CANCELLED, mch_order_no, answer, verified=True, order=order
            )
        if order.result == KsherOrderResult.SUCCESS:
            return _result(
                KsherCancelOutcome.ALREADY_PAID, mch_order_no, answer, verified=True, order=order
            )
    elif not ctx.config.confirm_unsigned:
        return _unconfirmed(answer, mch_order_no)
    return (yield from _confirm(ctx, mch_order_no, answer))
