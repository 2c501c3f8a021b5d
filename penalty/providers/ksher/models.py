"""Ksher's gateway form fields and JSON answers, as frozen pydantic models (PROTOCOLS C.1).

Values stay as Ksher sends them: strings stay strings (``""`` for "absent"), ``total_fee`` is an
int in the currency's minor unit, and a JSON number with a fraction is read as a `Decimal`
(never a float) before it reaches a model.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError

from penalty.errors import ProviderProtocolError
from penalty.limits import json_decimal

__all__ = [
    "NONCE_LENGTH",
    "CancelOrderParams",
    "KsherOrder",
    "KsherOrderResult",
    "KsherResponse",
    "KsherResultCode",
    "OrderQueryParams",
    "parse_order",
    "parse_response",
]

#: Ksher documents ``nonce_str`` as String(32).
NONCE_LENGTH = 32

_PROVIDER = "ksher"

Scalar = StrictStr | StrictInt | Decimal


class KsherResultCode(IntEnum):
    """``code`` of a gateway cancel answer (seed 002)."""

    OK = 0
    MERCHANT_INFO_INVALID = -1
    """商户信息错误: wrong appid or other business information."""
    MERCHANT_SIGNATURE_INVALID = -2
    """验证商户签名失败: Ksher could not verify our request signature."""
    ORDER_NOT_FOUND = -3
    """该订单不存在."""
    ORDER_ALREADY_PAID = -4
    """该订单已支付成功: paid; cancel impossible, refund instead."""
    ORDER_ALREADY_CANCELLED = -5
    """该订单已被取消."""
    CANCEL_FAILED = -6
    """取消订单失败 (e.g. a card payment in its OTP step)."""


class KsherOrderResult(StrEnum):
    """``data.result`` of a gateway order query (PROTOCOLS C.1)."""

    SUCCESS = "SUCCESS"
    CLOSED = "CLOSED"
    NOTPAY = "NOTPAY"
    PAYERROR = "PAYERROR"
    PENDING = "PENDING"
    NOTSURE = "NOTSURE"
    USERPAYING = "USERPAYING"
    REFUND = "REFUND"
    FAIL = "FAIL"
    """The *query* failed, not the payment."""


class _FormModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class OrderQueryParams(_FormModel):
    """Form fields of ``POST /api/gateway_order_query`` (``sign`` added when sending)."""

    appid: StrictStr
    nonce_str: StrictStr
    time_stamp: StrictStr
    mch_order_no: StrictStr


class CancelOrderParams(OrderQueryParams):
    """Form fields of ``POST /api/cancel_order`` (``sign`` added when sending)."""

    lang: StrictStr


class _AnswerModel(BaseModel):
    # Ksher adds fields over time; keep unknown ones (``model_extra``) instead of failing.
    model_config = ConfigDict(frozen=True, extra="allow", strict=True)


class KsherResponse(_AnswerModel):
    """The gateway's answer envelope; ``data`` is an object, or a plain string on cancel.

    Example (seed 002, a cancel that worked; note: no ``sign``):
        >>> KsherResponse.model_validate({"code": 0, "msg": "操作成功", "data": "取消成功",
        ...                               "message": "操作成功"}).data
        '取消成功'
    """

    code: StrictInt
    msg: StrictStr | None = None
    message: StrictStr | None = None
    data: dict[str, Any] | StrictStr | None = None
    sign: StrictStr | None = None
    status_code: StrictStr | None = None
    status_msg: StrictStr | None = None
    time_stamp: StrictStr | None = None
    version: StrictStr | None = None

    @property
    def text(self) -> str:
        """Ksher's words for the result (``msg``, else ``message``), for humans."""
        return self.msg or self.message or ""


class KsherOrder(_AnswerModel):
    """``data`` of a gateway order query (seed 002's ``CLOSED`` example has every field)."""

    mch_order_no: StrictStr
    result: StrictStr
    appid: StrictStr | None = None
    total_fee: StrictInt | None = None
    fee_type: StrictStr | None = None
    pay_mch_order_no: StrictStr | None = None
    ksher_order_no: StrictStr | None = None
    channel: StrictStr | None = None
    channel_order_no: StrictStr | None = None
    cash_fee: Scalar | None = None
    cash_fee_type: StrictStr | None = None
    rate: Scalar | None = None
    openid: StrictStr | None = None
    attach: StrictStr | None = None
    nonce_str: StrictStr | None = None
    time_end: StrictStr | None = None
    err_code: StrictStr | None = None
    err_msg: StrictStr | None = None

    @property
    def known_result(self) -> KsherOrderResult | None:
        """``result`` as a `KsherOrderResult`, or ``None`` for an undocumented value."""
        try:
            return KsherOrderResult(self.result)
        except ValueError:
            return None


def _bad_shape(exc: ValidationError, what: str, prefix: str = "") -> ProviderProtocolError:
    first = exc.errors(include_url=False)[0]
    path = prefix + ".".join(str(part) for part in first["loc"])
    return ProviderProtocolError(
        f"{what}: {first['msg']}", provider=_PROVIDER, path=path or None, code="bad_shape"
    )


def parse_response(response: httpx.Response) -> tuple[KsherResponse, Any]:
    """The answer as a `KsherResponse` plus the raw JSON (numbers with a fraction as `Decimal`).

    The raw ``data`` is what the signature covers, so it is kept exactly as received.

    Raises:
        ProviderProtocolError: not JSON (``not_json``) or not a Ksher envelope (``bad_shape``).
    """
    try:
        document = json.loads(response.content, parse_float=json_decimal)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProviderProtocolError(
            f"HTTP {response.status_code} body is not JSON ({len(response.content)} bytes)",
            provider=_PROVIDER,
            code="not_json",
        ) from exc
    try:
        return KsherResponse.model_validate(document), document
    except ValidationError as exc:
        raise _bad_shape(
            exc, f"HTTP {response.status_code} answer is not a Ksher envelope"
        ) from exc


def parse_order(data: Any) -> KsherOrder:
    """``data`` of an order query as a `KsherOrder`, or `ProviderProtocolError` (``bad_shape``).

    Example:
        >>> parse_order({"mch_order_no": "A1", "result": "CLOSED", "total_fee": 2000}).total_fee
        2000
    """
    try:
        return KsherOrder.model_validate(data)
    except ValidationError as exc:
        raise _bad_shape(exc, "order query data", prefix="data.") from exc
