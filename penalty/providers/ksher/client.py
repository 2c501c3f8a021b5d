"""Cancel a Ksher Gateway Pay order (closes its payment link) and query it (PROTOCOLS C.1, C.2).

Every request is form-urlencoded and signed with the merchant's private key; ``nonce_str`` is new
for every call and ``time_stamp`` is ``yyyyMMddHHmmss``. A ``code == 0`` answer must carry a
signature over its ``data`` made with Ksher's key, except the one shape Ksher documents for a
successful cancel: ``{"code": 0, "msg": "操作成功", "data": "取消成功"}``, with no ``sign``. Such
an unsigned success is confirmed by a signed order query before it is believed (switch off with
``confirm_unsigned=False``; the result then says ``verified=False``).

A signed answer proves Ksher wrote it, not that it answers *this* request: its ``data`` must name
our order and merchant, and, when it carries them, our ``nonce_str`` and a ``time_stamp`` within
`MAX_ANSWER_AGE` of ours (a replayed answer to an earlier call is refused as ``replayed`` or
``stale``). The envelope's own ``time_stamp`` is outside the signature and proves nothing.

Result codes (seed 002): ``0`` cancelled, ``-5`` already cancelled and ``-4`` already paid are
*outcomes* (`KsherCancelOutcome`); ``-1``, ``-2``, ``-3``, ``-6`` and unknown codes raise
`KsherRejected`. Already paid means the link cannot be closed: the booking must be refunded
another way (Ksher's ``order_refund``), and the result says so. An HTTP 4xx whose body is not a
Ksher envelope raises `penalty.providers._http.HttpRefusal` (a `ProviderRejected` whose
``provider_code`` is ``HTTP 4xx``).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, ConfigDict

from penalty.errors import InvalidInput, ProviderProtocolError, ProviderRejected, SignatureInvalid
from penalty.providers._http import (
    DEFAULT_TIMEOUT,
    HttpClientOwner,
    RetryPolicy,
    is_refusal,
    refusal,
    send,
)
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
from penalty.providers.ksher.signing import ksher_public_key, sign, verify

__all__ = [
    "CANCEL_PATH",
    "GATEWAY_URL",
    "QUERY_PATH",
    "KsherCancelOutcome",
    "KsherCancelResult",
    "KsherClient",
    "KsherRejected",
]

PROVIDER = "ksher"
#: Ksher's gateway (PROTOCOLS C.1); paths below are relative to it.
GATEWAY_URL = "https://gateway.ksher.com/api"
CANCEL_PATH = "/cancel_order"
QUERY_PATH = "/gateway_order_query"
#: Thailand: Ksher's own zone, used for ``time_stamp`` (the docs do not name one).
DEFAULT_ZONE = ZoneInfo("Asia/Bangkok")
DEFAULT_RETRY = RetryPolicy()
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


class KsherCancelOutcome(StrEnum):
    """What happened to the Ksher order's payment link."""

    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    ALREADY_PAID = "already_paid"


class KsherCancelResult(BaseModel):
    """The outcome of `KsherClient.cancel_order`.

    Attributes:
        outcome: cancelled now, already cancelled, or already paid (refund it another way).
        mch_order_no: the order asked about.
        code: Ksher's result code (`KsherResultCode` when documented).
        message: Ksher's own words (often Chinese).
        verified: a Ksher signature backs this outcome (directly, or by the confirming query).
        order: the order as the confirming query saw it, when one was made.
        note: what to do next, in words.
        refund_required: the money must be returned by another route (already paid).
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
        known = _REJECTION_CODES.get(result_code)
        super().__init__(
            f"code {result_code}: {ksher_message or 'no message'}",
            provider=PROVIDER,
            provider_code=str(result_code),
            code=code or known or "unknown_code",
        )


def _nonce() -> str:
    return secrets.token_hex(16)


def _now() -> datetime:
    return datetime.now(UTC)


class KsherClient(HttpClientOwner):
    """A client for Ksher's gateway ``cancel_order`` and ``gateway_order_query``.

    Args:
        appid: the merchant's ``appid`` (``mch`` + merchant number).
        private_key: the merchant's RSA private key (never shown in reprs or errors).
        ksher_public_key: the key Ksher's answers are verified with; Ksher's published key by
            default (a sandbox passes its own).
        base_url: `GATEWAY_URL` by default.
        lang: ``en``, ``cn`` or ``th`` (sent on cancel, as the docs require).
        confirm_unsigned: confirm an unsigned cancel success with a signed order query.
        http: an `httpx.Client` to use; built with an explicit ``timeout`` when omitted.
        timeout: used only when ``http`` is omitted.
        now: the current time (aware); ``time_stamp`` is written in ``zone``.
        zone: the zone of ``time_stamp`` (Asia/Bangkok; Ksher does not say).
        nonce: a fresh ``nonce_str`` (at most 32 characters) per call.
        retry: the retry policy for the (idempotent) order query; a cancel is never retried.
        sleep: how to wait between retries.

    Example:
        >>> from penalty.providers.ksher.sandbox import KsherSandbox
        >>> sandbox = KsherSandbox()
        >>> with sandbox.serve() as server, sandbox.client(server.url) as client:
        ...     client.cancel_order("BK-1").outcome.value
        'cancelled'
    """

    def __init__(
        self,
        *,
        appid: str,
        private_key: rsa.RSAPrivateKey,
        ksher_public_key: rsa.RSAPublicKey | None = None,
        base_url: str = GATEWAY_URL,
        lang: str = "en",
        confirm_unsigned: bool = True,
        http: httpx.Client | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        now: Callable[[], datetime] = _now,
        zone: tzinfo = DEFAULT_ZONE,
        nonce: Callable[[], str] = _nonce,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not appid.strip():
            raise InvalidInput("must not be empty", path="appid", value=appid, code="empty")
        self.appid = appid
        self._private_key = private_key
        self._public_key = ksher_public_key
        self.lang = lang
        self.confirm_unsigned = confirm_unsigned
        self._use_http(http, base_url, timeout)
        self._now = now
        self._zone = zone
        self._nonce = nonce
        self._retry = retry
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"KsherClient(base_url={str(self._http.base_url)!r}, appid={self.appid!r})"

    def _envelope(self, mch_order_no: str) -> dict[str, str]:
        if not mch_order_no.strip():
            raise InvalidInput(
                "must not be empty", path="mch_order_no", value=mch_order_no, code="empty"
            )
        now = self._now()
        if now.tzinfo is None:
            raise InvalidInput("the clock must return an aware datetime", path="now", value=now)
        nonce = self._nonce()
        if not 0 < len(nonce) <= NONCE_LENGTH:
            raise InvalidInput("must be 1 to 32 characters", path="nonce_str", value=nonce)
        return {
            "appid": self.appid,
            "nonce_str": nonce,
            "time_stamp": now.astimezone(self._zone).strftime("%Y%m%d%H%M%S"),
            "mch_order_no": mch_order_no,
        }

    def _post(
        self, path: str, params: OrderQueryParams, *, idempotent: bool
    ) -> tuple[KsherResponse, Any]:
        form = params.model_dump()
        form["sign"] = sign(form, self._private_key)
        request = self._http.build_request("POST", path, data=form)
        response = send(
            self._http,
            request,
            provider=PROVIDER,
            idempotent=idempotent,
            retry=self._retry,
            sleep=self._sleep,
        )
        try:
            return parse_response(response)
        except ProviderProtocolError:
            if is_refusal(response.status_code):
                # A 4xx that is not a Ksher envelope (a gateway's 404 page): refused all the same.
                raise refusal(response, provider=PROVIDER) from None
            raise

    def _check_signed(self, answer: KsherResponse, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or answer.sign is None:
            raise SignatureInvalid(
                "code 0 answer without a signed data object", provider=PROVIDER, code="unsigned"
            )
        if not verify(data, answer.sign, self._public_key or ksher_public_key()):
            raise SignatureInvalid(
                "answer signature does not verify with Ksher's key",
                provider=PROVIDER,
                code="signature_mismatch",
            )
        return data

    def _check_order(self, data: dict[str, Any], params: OrderQueryParams) -> KsherOrder:
        """The signed ``data`` as an order, if it answers the request ``params`` sent."""
        mch_order_no = params.mch_order_no
        order = parse_order(data)
        if order.mch_order_no != mch_order_no:
            raise ProviderProtocolError(
                "answer names another order",
                provider=PROVIDER,
                path="data.mch_order_no",
                value=order.mch_order_no,
                code="order_mismatch",
            )
        if order.appid not in (None, "", self.appid):
            raise ProviderProtocolError(
                "answer names another merchant",
                provider=PROVIDER,
                path="data.appid",
                value=order.appid,
                code="appid_mismatch",
            )
        if order.nonce_str not in (None, "", params.nonce_str):
            raise ProviderProtocolError(
                "answer is signed for another request (its nonce_str is not ours): a replay",
                provider=PROVIDER,
                path="data.nonce_str",
                value=order.nonce_str,
                code="replayed",
            )
        self._check_time_stamp(data.get("time_stamp"), params.time_stamp)
        return order

    def _check_time_stamp(self, signed: object, sent: str) -> None:
        """A ``yyyyMMddHHmmss`` in the signed data must be within `MAX_ANSWER_AGE` of ours."""
        if not isinstance(signed, str) or _TIME_STAMP.fullmatch(signed) is None:
            return  # absent (as documented), or in one of Ksher's other formats: not judged
        try:
            then = datetime.strptime(signed, "%Y%m%d%H%M%S")  # noqa: DTZ007 - both in one zone
        except ValueError:
            then = None
        ours = datetime.strptime(sent, "%Y%m%d%H%M%S")  # noqa: DTZ007
        if then is None or abs(then - ours) > MAX_ANSWER_AGE:
            raise ProviderProtocolError(
                f"answer is signed at {signed}, not near our request ({sent}): a replay",
                provider=PROVIDER,
                path="data.time_stamp",
                value=signed,
                code="stale",
            )

    def order_query(self, mch_order_no: str) -> KsherOrder:
        """Ask Ksher for the order's state (safe to repeat, so retried on 5xx and timeouts).

        Returns:
            The signed ``data`` object; ``result`` is ``CLOSED`` after a cancel, ``SUCCESS``
            once paid (see `KsherOrderResult`).

        Raises:
            KsherRejected: a non-zero code, or ``result == "FAIL"`` (``code="query_failed"``).
            HttpRefusal: an HTTP 4xx that is not a Ksher envelope (a `ProviderRejected`).
            SignatureInvalid: the answer is not signed by Ksher's key.
            ProviderUnavailable: timeout, connection failure, 5xx or 429 after retries.
            ProviderProtocolError: garbage, wrong shape, or another order in the answer.

        Example:
            >>> from penalty.providers.ksher.sandbox import KsherSandbox
            >>> sandbox = KsherSandbox()
            >>> with sandbox.serve() as server, sandbox.client(server.url) as client:
            ...     client.order_query("BK-2").result
            'NOTPAY'
        """
        params = OrderQueryParams(**self._envelope(mch_order_no))
        answer, document = self._post(QUERY_PATH, params, idempotent=True)
        if answer.code != KsherResultCode.OK:
            raise KsherRejected(answer.code, answer.text)
        order = self._check_order(self._check_signed(answer, document.get("data")), params)
        if order.result == KsherOrderResult.FAIL:
            raise KsherRejected(0, order.err_msg or answer.text, code="query_failed")
        return order

    def cancel_order(self, mch_order_no: str) -> KsherCancelResult:
        """Close the order's payment link (``POST /cancel_order``); never retried.

        Returns:
            ``CANCELLED``, ``ALREADY_CANCELLED`` (-5) or ``ALREADY_PAID`` (-4: refund another
            way; ``refund_required`` is true).

        Raises:
            KsherRejected: codes -1, -2 (Ksher refused our signature), -3 (no such order), -6,
                or an undocumented code.
            HttpRefusal: an HTTP 4xx that is not a Ksher envelope (a `ProviderRejected`).
            SignatureInvalid: a signed success whose signature does not verify, or a
                confirming query that is not signed by Ksher.
            ProviderUnavailable: timeout, connection failure, 5xx or 429 (query before retrying).
            ProviderProtocolError: garbage or wrong shape; or an unsigned success that the
                confirming query contradicts (``code="cancel_unconfirmed"``).

        Example:
            >>> from penalty.providers.ksher.sandbox import KsherSandbox, KsherOutcome
            >>> sandbox = KsherSandbox()
            >>> sandbox.set_outcome("BK-3", KsherOutcome.ALREADY_PAID)
            >>> with sandbox.serve() as server, sandbox.client(server.url) as client:
            ...     result = client.cancel_order("BK-3")
            >>> result.outcome.value, result.refund_required
            ('already_paid', True)
        """
        params = CancelOrderParams(**self._envelope(mch_order_no), lang=self.lang)
        answer, document = self._post(CANCEL_PATH, params, idempotent=False)
        code = answer.code
        if code == KsherResultCode.ORDER_ALREADY_PAID:
            return self._result(KsherCancelOutcome.ALREADY_PAID, mch_order_no, answer)
        if code == KsherResultCode.ORDER_ALREADY_CANCELLED:
            return self._result(KsherCancelOutcome.ALREADY_CANCELLED, mch_order_no, answer)
        if code != KsherResultCode.OK:
            raise KsherRejected(code, answer.text)
        data = document.get("data")
        if answer.sign is not None and isinstance(data, dict):
            self._check_order(self._check_signed(answer, data), params)
            return self._result(KsherCancelOutcome.CANCELLED, mch_order_no, answer, verified=True)
        if not self.confirm_unsigned:
            return self._result(KsherCancelOutcome.CANCELLED, mch_order_no, answer)
        return self._confirm(mch_order_no, answer)

    def _confirm(self, mch_order_no: str, answer: KsherResponse) -> KsherCancelResult:
        order = self.order_query(mch_order_no)
        if order.result == KsherOrderResult.CLOSED:
            outcome = KsherCancelOutcome.CANCELLED
        elif order.result == KsherOrderResult.SUCCESS:
            outcome = KsherCancelOutcome.ALREADY_PAID  # paid from a saved QR code meanwhile
        else:
            raise ProviderProtocolError(
                "cancel said done but the order query disagrees; query again later",
                provider=PROVIDER,
                path="data.result",
                value=order.result,
                code="cancel_unconfirmed",
            )
        return self._result(outcome, mch_order_no, answer, verified=True, order=order)

    @staticmethod
    def _result(
        outcome: KsherCancelOutcome,
        mch_order_no: str,
        answer: KsherResponse,
        *,
        verified: bool = False,
        order: KsherOrder | None = None,
    ) -> KsherCancelResult:
        notes = {
            KsherCancelOutcome.CANCELLED: CANCELLED_NOTE,
            KsherCancelOutcome.ALREADY_CANCELLED: ALREADY_CANCELLED_NOTE,
            KsherCancelOutcome.ALREADY_PAID: PAID_NOTE,
        }
        return KsherCancelResult(
            outcome=outcome,
            mch_order_no=mch_order_no,
            code=answer.code,
            message=answer.text,
            verified=verified,
            order=order,
            note=notes[outcome],
        )
