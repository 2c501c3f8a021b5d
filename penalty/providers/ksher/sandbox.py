"""A local stand-in for Ksher's gateway ``cancel_order`` and ``gateway_order_query``.

It checks each request like Ksher would (form encoding, ``appid``, a ``yyyyMMddHHmmss``
``time_stamp``, a ``nonce_str`` never seen before, and the MD5withRSA ``sign`` against the
merchant's public key), keeps a small order book, and signs its order-query answers with its own
TEST-ONLY key (``ksher-gateway-TEST-ONLY.pem``, see `sandbox_key_path`), which clients built by
`KsherSandbox.client` trust instead of Ksher's.

Outcomes are switchable three ways, first match wins: ``Sandbox.outcomes.force``,
`Sandbox.set_outcome` for one order, or a prefix on ``mch_order_no``:

============== ==================================================================
``paid-``      already paid: ``-4`` (the query says ``SUCCESS``)
``cancelled-`` already cancelled: ``-5`` (the query says ``CLOSED``)
``missing-``   no such order: ``-3``
``stuck-``     cancel failed: ``-6`` (a card payment in its OTP step)
``badsig-``    answers signed with the wrong key (cancel and query)
``paidsigned-`` the guest paid: the cancel answers code 0 with signed data saying ``SUCCESS``
``liar-``      answers ``-5`` (already cancelled) although the order is open
``replay-``    the query answers a signed answer made for another request (another nonce)
``unsigned-``  the query answers code 0 without a signature
``slow-``      cancels, but answers after ``slow_delay`` seconds
``fail-``      HTTP 502
``garbage-``   200 with a body that is not JSON
``truncated-`` 200 announcing more bytes than it sends, then closing
``reset-``     drops the connection without answering
(other ids)    an open order (``NOTPAY``) that the cancel closes
============== ==================================================================

A normal cancel answers exactly as seed 002 shows: code 0, ``data: "取消成功"``, no ``sign``.
The order book and the nonces seen are bounded (`penalty.providers._book`); no body is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.providers._book import Bounded, Fault, Outcomes, ProviderSandbox, Seen, json_response
from penalty.providers._sandbox import SandboxRequest, SandboxResponse
from penalty.providers._sandbox_keys import generate_key, private_pem, public_pem, sandbox_file
from penalty.providers.ksher.client import AsyncClient, Client
from penalty.providers.ksher.config import Config
from penalty.providers.ksher.models import NONCE_LENGTH, KsherResultCode
from penalty.providers.ksher.protocol import CANCEL_PATH, QUERY_PATH
from penalty.providers.ksher.signing import load_private_key, sign, verify

if TYPE_CHECKING:
    from penalty.providers._book import Clearable

__all__ = [
    "SANDBOX_APPID",
    "Fault",
    "KsherOutcome",
    "Sandbox",
    "SandboxOrder",
    "load_test_only_key",
    "sandbox_key_path",
]

SANDBOX_APPID = "mch35000"
_OK = "操作成功"
_MESSAGES = {
    KsherResultCode.MERCHANT_INFO_INVALID: "商户信息错误",
    KsherResultCode.MERCHANT_SIGNATURE_INVALID: "验证商户签名失败",
    KsherResultCode.ORDER_NOT_FOUND: "该订单不存在",
    KsherResultCode.ORDER_ALREADY_PAID: "该订单已支付成功,不能进行此操作",
    KsherResultCode.ORDER_ALREADY_CANCELLED: "该订单已被取消,不能重复进行此操作",
    KsherResultCode.CANCEL_FAILED: "取消订单失败",
}
_TIME_STAMP_RE = re.compile(r"[0-9]{14}")
_QUERY_FIELDS = frozenset({"appid", "nonce_str", "time_stamp", "mch_order_no", "sign"})
_CANCEL_FIELDS = _QUERY_FIELDS | {"lang"}


def _make_test_only_keys() -> dict[str, bytes]:
    """A fresh TEST-ONLY set: merchant and gateway private keys (1024-bit PKCS#1, like Ksher's
    merchant keys), and the gateway's public half for a client to trust.
    """
    note = "TEST-ONLY key for the penalty Ksher sandbox ({}). Fake, never use it for real money."
    merchant, gateway = generate_key(1024), generate_key(1024)
    return {
        "ksher-merchant-TEST-ONLY.pem": private_pem(merchant, note.format("merchant"), pkcs8=False),
        "ksher-gateway-TEST-ONLY.pem": private_pem(gateway, note.format("gateway"), pkcs8=False),
        "ksher-gateway-TEST-ONLY-public.pem": public_pem(
            gateway.public_key(),
            "TEST-ONLY public half of ksher-gateway-TEST-ONLY.pem: what a client trusts to talk "
            "to the local Ksher sandbox.",
        ),
    }


def sandbox_key_path(name: str) -> Path:
    """Path of a TEST-ONLY key file of the local sandbox, generated on first use (never shipped):
    ``ksher-merchant-TEST-ONLY.pem``, ``ksher-gateway-TEST-ONLY.pem`` or
    ``ksher-gateway-TEST-ONLY-public.pem``. See `penalty.providers._sandbox_keys` for where.
    """
    return sandbox_file("ksher", name, _make_test_only_keys)


def load_test_only_key(side: str) -> rsa.RSAPrivateKey:
    """The sandbox's TEST-ONLY key: ``"merchant"`` (signs requests) or ``"gateway"`` (answers).

    Example:
        >>> load_test_only_key("gateway").key_size
        1024
    """
    return load_private_key(sandbox_key_path(f"ksher-{side}-TEST-ONLY.pem"))


class KsherOutcome(StrEnum):
    """How the sandbox answers a cancel of one order."""

    CANCEL = "cancel"
    ALREADY_PAID = "paid"
    ALREADY_CANCELLED = "cancelled"
    NOT_FOUND = "missing"
    CANCEL_FAILED = "stuck"
    BAD_SIGNATURE = "badsig"
    PAID_SIGNED = "paidsigned"
    LIAR = "liar"
    REPLAY = "replay"
    UNSIGNED = "unsigned"


@dataclass(slots=True)
class SandboxOrder:
    """One order in the sandbox's book; ``result`` as an order query reports it."""

    mch_order_no: str
    result: str = "NOTPAY"
    total_fee: int = 150_000  # satang: 1,500.00 THB
    fee_type: str = "THB"


def _code(code: KsherResultCode) -> SandboxResponse:
    message = _MESSAGES[code]
    return json_response({"code": int(code), "msg": message, "message": message})


class Sandbox(ProviderSandbox[Client, AsyncClient]):
    """The handler behind a local Ksher gateway sandbox; see the module docstring for outcomes.

    Args:
        appid: the merchant ``appid`` it accepts.
        merchant_key: the merchant's public key, to check request signatures (the TEST-ONLY
            merchant key's by default).
        gateway_key: the sandbox's own private key, to sign answers (TEST-ONLY by default).
        slow_delay: seconds the ``SLOW`` outcome waits before answering.

    Example:
        >>> sandbox = Sandbox()
        >>> with sandbox.serve() as server, sandbox.client(server.url) as client:
        ...     first = client.cancel_order("BK-9").outcome.value
        ...     again = client.cancel_order("BK-9").outcome.value
        >>> first, again, sandbox.orders["BK-9"].result
        ('cancelled', 'already_cancelled', 'CLOSED')
    """

    client_class = Client
    async_client_class = AsyncClient

    def __init__(
        self,
        *,
        appid: str = SANDBOX_APPID,
        merchant_key: rsa.RSAPublicKey | None = None,
        gateway_key: rsa.RSAPrivateKey | None = None,
        slow_delay: float = 2.0,
    ) -> None:
        super().__init__(slow_delay=slow_delay)
        self.appid = appid
        self.merchant_key = merchant_key or load_test_only_key("merchant").public_key()
        self._gateway_key = gateway_key or load_test_only_key("gateway")
        self._wrong_key: rsa.RSAPrivateKey | None = None
        self.orders: Bounded[str, SandboxOrder] = Bounded()
        self.outcomes: Outcomes[KsherOutcome | Fault] = Outcomes(
            KsherOutcome.CANCEL, KsherOutcome, Fault
        )
        self._nonces: Bounded[str, bool] = Bounded()

    def __repr__(self) -> str:
        return f"ksher.Sandbox(appid={self.appid!r}, orders={len(self.orders)})"

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        """The key that verifies this sandbox's answers (give it to the client)."""
        return self._gateway_key.public_key()

    def add_order(self, mch_order_no: str, result: str = "NOTPAY") -> SandboxOrder:
        """Put an order in the book."""
        with self._lock:
            order = self.orders[mch_order_no] = SandboxOrder(mch_order_no, result)
            return order

    def set_outcome(self, mch_order_no: str, outcome: KsherOutcome | Fault) -> None:
        """Answer cancels and queries of ``mch_order_no`` with ``outcome``."""
        self.outcomes.set(mch_order_no, outcome)

    def _state(self) -> tuple[Clearable, ...]:
        return (self.orders, self.outcomes, self._nonces)

    def config(self, url: str, **settings: Any) -> Config:
        """A client `Config` for a server of this sandbox at ``url``: the TEST-ONLY merchant
        key, and this sandbox's answer key to verify with.
        """
        values: dict[str, Any] = {
            "appid": self.appid,
            "private_key": load_test_only_key("merchant"),
            "public_key": self.public_key,
            "base_url": url + "/api",
        }
        return Config(**{**values, **settings})

    def _form(self, request: SandboxRequest, fields: frozenset[str]) -> dict[str, str] | None:
        content_type = request.headers.get("content-type", "")
        if request.method != "POST" or not content_type.startswith(
            "application/x-www-form-urlencoded"
        ):
            return None
        try:
            pairs = parse_qsl(
                request.body.decode("ascii"),
                keep_blank_values=True,
                strict_parsing=True,
                errors="strict",
            )
        except (UnicodeDecodeError, ValueError):
            return None
        form = dict(pairs)
        if len(form) != len(pairs) or set(form) != fields:
            return None
        return form

    def answer(self, request: SandboxRequest) -> SandboxResponse:
        """Answer one request."""
        if request.path.endswith(CANCEL_PATH):
            fields, endpoint = _CANCEL_FIELDS, "cancel"
        elif request.path.endswith(QUERY_PATH):
            fields, endpoint = _QUERY_FIELDS, "query"
        else:
            return SandboxResponse(status=404, body=b"not found")
        form = self._form(request, fields)
        if (
            form is None
            or form["appid"] != self.appid
            or not _TIME_STAMP_RE.fullmatch(form["time_stamp"])
            or not 0 < len(form["nonce_str"]) <= NONCE_LENGTH
            or form["nonce_str"] in self._nonces
        ):
            self.record(Seen(endpoint, (form or {}).get("mch_order_no", ""), answered="-1"))
            return _code(KsherResultCode.MERCHANT_INFO_INVALID)
        self._nonces.remember(form["nonce_str"], lambda: True)
        if not verify(form, form["sign"], self.merchant_key):
            self.record(Seen(endpoint, form["mch_order_no"], answered="-2"))
            return _code(KsherResultCode.MERCHANT_SIGNATURE_INVALID)
        mch_order_no = form["mch_order_no"]
        outcome = self.outcomes.of(mch_order_no)
        self.record(Seen(endpoint, mch_order_no, answered=outcome.value))
        if endpoint == "cancel":
            return self._cancel(mch_order_no, outcome)
        return self._query(mch_order_no, outcome, form["nonce_str"])

    def _order(self, mch_order_no: str, outcome: KsherOutcome | Fault) -> SandboxOrder:
        return self.orders.remember(
            mch_order_no, lambda: SandboxOrder(mch_order_no, _initial_result(outcome))
        )

    def _signed(self, data: dict[str, Any], *, wrong: bool = False) -> SandboxResponse:
        key = self._gateway_key
        if wrong:
            if self._wrong_key is None:
                self._wrong_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - a throwaway wrong key, for tests
            key = self._wrong_key
        return json_response(
            {"code": 0, "msg": _OK, "message": _OK, "data": data, "sign": sign(data, key)}
        )

    def _query(
        self, mch_order_no: str, outcome: KsherOutcome | Fault, nonce: str
    ) -> SandboxResponse:
        if outcome is KsherOutcome.NOT_FOUND and mch_order_no not in self.orders:
            return _code(KsherResultCode.ORDER_NOT_FOUND)
        order = self._order(mch_order_no, outcome)
        data = {
            "appid": self.appid,
            "attach": "",
            "cash_fee": "",
            "cash_fee_type": "",
            "channel": "",
            "channel_order_no": "",
            "fee_type": order.fee_type,
            "ksher_order_no": "",
            "mch_order_no": order.mch_order_no,
            "nonce_str": "another-request" if outcome is KsherOutcome.REPLAY else nonce,
            "openid": "",
            "pay_mch_order_no": "2106021528410423",
            "rate": "",
            "result": order.result,
            "time_end": "",
            "total_fee": order.total_fee,
        }
        if outcome is KsherOutcome.UNSIGNED:
            return json_response({"code": 0, "msg": _OK, "data": data})
        return self._signed(data, wrong=outcome is KsherOutcome.BAD_SIGNATURE)

    def _cancel(self, mch_order_no: str, outcome: KsherOutcome | Fault) -> SandboxResponse:
        faults = {
            Fault.SERVER_ERROR: lambda: SandboxResponse(status=502, body=b"Bad Gateway"),
            Fault.GARBAGE: lambda: SandboxResponse(body=b"<html>upstream said hi"),
            Fault.TRUNCATED: lambda: SandboxResponse.json('{"code": 0, "msg": "', truncate=True),
            Fault.RESET: lambda: SandboxResponse(reset=True),
            KsherOutcome.CANCEL_FAILED: lambda: _code(KsherResultCode.CANCEL_FAILED),
            KsherOutcome.LIAR: lambda: _code(KsherResultCode.ORDER_ALREADY_CANCELLED),
        }
        if outcome in faults:
            return faults[outcome]()
        if outcome is KsherOutcome.NOT_FOUND and mch_order_no not in self.orders:
            return _code(KsherResultCode.ORDER_NOT_FOUND)
        order = self._order(mch_order_no, outcome)
        if outcome is KsherOutcome.PAID_SIGNED:
            order.result = "SUCCESS"
            return self._signed({"mch_order_no": mch_order_no, "result": "SUCCESS"})
        if order.result == "SUCCESS":
            return _code(KsherResultCode.ORDER_ALREADY_PAID)
        if order.result == "CLOSED":
            return _code(KsherResultCode.ORDER_ALREADY_CANCELLED)
        order.result = "CLOSED"
        if outcome is KsherOutcome.BAD_SIGNATURE:
            # A signed success (a shape Ksher does not document for cancel) with a bad signature.
            return self._signed({"mch_order_no": mch_order_no, "result": "CLOSED"}, wrong=True)
        delay = self.slow_delay if outcome is Fault.SLOW else 0.0
        return json_response(
            {"code": 0, "msg": _OK, "data": "取消成功", "message": _OK}, delay=delay
        )


def _initial_result(outcome: KsherOutcome | Fault) -> str:
    if outcome is KsherOutcome.ALREADY_PAID:
        return "SUCCESS"
    if outcome is KsherOutcome.ALREADY_CANCELLED:
        return "CLOSED"
    return "NOTPAY"
