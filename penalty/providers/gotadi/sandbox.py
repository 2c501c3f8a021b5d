"""A local Gotadi sandbox: the three endpoints of PROTOCOLS A.5–A.7 with its own key pair.

It serves the penalty windows of `sandbox_data.FIXTURES`, checks the ``apikey`` and
``x-ibe-req-name`` headers, decrypts and verifies every encrypted request (answering Gotadi's
``04`` bad signature, ``05`` undecryptable, ``07`` malformed, ``06`` wrong access code), and
answers from a `Scenario`: per endpoint, a list of `Reply` s used in turn, the last repeating.

A booking number picks a fixture and, after a dash, a named scenario (`SCENARIOS`)::

    EX3                 seed example 3, cancellation confirmed at once
    EX1-WAITING         waiting for the supplier twice, then confirmed
    HDCO2107121213651-MISMATCH   penalty mismatch first, confirmed on resubmission

Tests can also install any `Scenario` for a booking number with `GotadiSandbox.script`.
``penalty sandbox gotadi --port N`` serves it with the bundled TEST-ONLY keys.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from penalty.errors import ProviderProtocolError, SignatureInvalid
from penalty.providers._sandbox import SandboxRequest, SandboxResponse
from penalty.providers.gotadi.client import CANCEL_PATH, CHECK_PATH, STATUS_PATH
from penalty.providers.gotadi.codes import ErrorCode, Outcome
from penalty.providers.gotadi.crypto import (
    RsaPadding,
    b64decode_lenient,
    b64encode_urlsafe,
    open_envelope,
    seal,
)
from penalty.providers.gotadi.keys import KeyPair, bundled_test_keys
from penalty.providers.gotadi.messages import (
    CancellationCheckRequest,
    CancellationCheckResponse,
    CancellationRequest,
    CancellationResponse,
    Envelope,
    PipeMessage,
)
from penalty.providers.gotadi.sandbox_data import (
    FIXTURES,
    SCENARIOS,
    TEST_ONLY_ACCESS_CODE,
    TEST_ONLY_API_KEY,
    TRANSPORT_FAULTS,
    Fault,
    Reply,
    Scenario,
    check_body,
)

__all__ = ["SCENARIOS", "Fault", "GotadiSandbox", "Reply", "Scenario", "Seen"]


def _error(code: ErrorCode) -> Reply:
    return Reply("", code)


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as the sandbox understood it (for tests and the demo's trail)."""

    endpoint: str
    booking_number: str
    amount: str | None = None
    answered: str = ""


@dataclass
class GotadiSandbox:
    """The request handler (a `SandboxServer` serves it). Thread-safe.

    Attributes:
        keys: the sandbox's own private key and the partner's public key.
        api_key, access_code: the credentials it accepts.
        bearer_token: when set, ``Authorization: Bearer <it>`` is required too.
        slow_seconds: how late a `Fault.SLOW` answer comes.
        clock: the sandbox's "now" (for the ``STAY`` fixture).
    """

    keys: KeyPair = field(repr=False)
    api_key: str = field(repr=False)
    access_code: str = field(repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    rsa_padding: RsaPadding = RsaPadding.PKCS1V15
    slow_seconds: float = 2.0
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)
    seen: list[Seen] = field(default_factory=list)
    max_concurrent_cancels: int = 0
    _scripts: dict[str, Scenario] = field(default_factory=dict, repr=False)
    _calls: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)
    _submitted: dict[str, str] = field(default_factory=dict, repr=False)
    _cancelling: Counter[str] = field(default_factory=Counter, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _impostor: rsa.RSAPrivateKey | None = field(default=None, repr=False)

    @classmethod
    def with_test_keys(cls, **options: Any) -> GotadiSandbox:
        """A sandbox with the TEST-ONLY key pair and credentials (the demo, the CLI).

        A client configured from ``bundled_key_path(SANDBOX_CONFIG_FILE)`` talks to it.
        """
        _, keys = bundled_test_keys()
        options.setdefault("api_key", TEST_ONLY_API_KEY)
        options.setdefault("access_code", TEST_ONLY_ACCESS_CODE)
        return cls(keys=keys, **options)

    def script(self, booking_number: str, scenario: Scenario) -> None:
        """Answer ``booking_number`` (a fixture name, optionally ``-SUFFIX``) with ``scenario``."""
        with self._lock:
            self._scripts[booking_number] = scenario

    def reset(self) -> None:
        """Forget every script, counter and request seen."""
        with self._lock:
            self._scripts.clear()
            self._calls.clear()
            self._submitted.clear()
            self.seen.clear()
            self.max_concurrent_cancels = 0

    def count(self, endpoint: str, booking_number: str | None = None) -> int:
        """How many requests reached ``endpoint`` (``check``, ``cancel``, ``status``)."""
        with self._lock:
            return sum(
                1
                for s in self.seen
                if s.endpoint == endpoint and booking_number in {None, s.booking_number}
            )

    # -- dispatch -----------------------------------------------------------------------------

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        """Answer one HTTP request."""
        if request.method != "POST":
            return _json({"success": False, "errors": [{"code": "405"}]}, status=405)
        if request.headers.get("apikey") != self.api_key or not self._bearer_ok(request):
            return _json({"success": False, "errors": [{"code": "03"}]}, status=401)
        if request.path == CHECK_PATH:
            return self._check(request)
        if request.path == CANCEL_PATH:
            return self._encrypted(request, "cancel", CancellationRequest)
        if request.path == STATUS_PATH:
            return self._encrypted(request, "status", CancellationCheckRequest)
        return _json({"success": False, "errors": [{"code": "404"}]}, status=404)

    def _bearer_ok(self, request: SandboxRequest) -> bool:
        if self.bearer_token is None:
            return True
        return request.headers.get("authorization") == f"Bearer {self.bearer_token}"

    def _lookup(self, booking_number: str) -> tuple[str, Scenario] | None:
        fixture, _, suffix = booking_number.partition("-")
        if fixture not in FIXTURES:
            return None
        with self._lock:
            scripted = self._scripts.get(booking_number)
        if scripted is not None:
            return fixture, scripted
        scenario = SCENARIOS.get(suffix or "CONFIRMED")
        return None if scenario is None else (fixture, scenario)

    def _next(self, endpoint: str, booking_number: str, replies: tuple[Reply, ...]) -> Reply:
        with self._lock:
            index = self._calls[endpoint, booking_number]
            self._calls[endpoint, booking_number] += 1
        return replies[min(index, len(replies) - 1)]

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def _check(self, request: SandboxRequest) -> SandboxResponse:
        try:
            body = json.loads(request.body)
            booking_number = str(body["bookingNumber"])
        except (ValueError, KeyError, TypeError):
            return _json({"success": False, "errors": [{"code": "07"}]}, status=400)
        if request.headers.get("x-ibe-req-name") != self.access_code:
            self._record(Seen("check", booking_number, answered="06"))
            return _json({"success": False, "errors": [{"code": "06"}]}, status=401)
        found = self._lookup(booking_number)
        if found is None:
            self._record(Seen("check", booking_number, answered="404"))
            return _json({"success": False, "textMessage": "booking not found"}, status=404)
        fixture, scenario = found
        reply = self._next("check", booking_number, scenario.check)
        self._record(Seen("check", booking_number, answered=str(reply.fault or reply.status)))
        if reply.fault in TRANSPORT_FAULTS:
            return self._fault(reply)
        booking = FIXTURES[fixture]
        total = booking.cancel_penalty_total if reply.total is None else reply.total
        response = _json(check_body(reply.status, booking.penalties(self.clock()), total))
        if reply.fault is Fault.SLOW:
            response.delay = self.slow_seconds
        return response

    def _encrypted(
        self, request: SandboxRequest, endpoint: str, model: type[PipeMessage]
    ) -> SandboxResponse:
        header_code = request.headers.get("x-ibe-req-name", "")
        try:
            envelope = Envelope.model_validate_json(request.body)
        except ValueError:
            return self._answer(endpoint, header_code, "", _error(ErrorCode.MALFORMED_DATA))
        try:
            fields = open_envelope(
                envelope.key,
                envelope.data,
                receiver_private=self.keys.own_private,
                sender_public=self.keys.peer_public,
                padding=self.rsa_padding,
            )
        except SignatureInvalid:
            return self._answer(endpoint, header_code, "", _error(ErrorCode.INVALID_SIGNATURE))
        except ProviderProtocolError:
            return self._answer(endpoint, header_code, "", _error(ErrorCode.DECRYPTION_FAILED))
        try:
            message = model.from_fields(fields)
        except ProviderProtocolError:
            return self._answer(endpoint, header_code, "", _error(ErrorCode.MALFORMED_DATA))
        access_code = message.to_fields()[0]
        booking_number = message.to_fields()[1]
        if access_code != self.access_code or header_code != self.access_code:
            return self._answer(
                endpoint, access_code, booking_number, _error(ErrorCode.INVALID_ACCESS_CODE)
            )
        found = self._lookup(booking_number)
        if found is None:
            return self._answer(endpoint, access_code, booking_number, _error(ErrorCode.FAILED))
        _, scenario = found
        if isinstance(message, CancellationRequest):
            return self._cancel(message, scenario)
        reply = self._next("status", booking_number, scenario.status)
        return self._answer("status", access_code, booking_number, reply)

    def _cancel(self, message: CancellationRequest, scenario: Scenario) -> SandboxResponse:
        booking_number = message.booking_number
        with self._lock:
            self._cancelling[booking_number] += 1
            self.max_concurrent_cancels = max(
                self.max_concurrent_cancels, self._cancelling[booking_number]
            )
            if message.cancel_penalty_amount is not None:
                self._submitted[booking_number] = message.cancel_penalty_amount
        try:
            reply = self._next("cancel", booking_number, scenario.cancel)
            access_code = message.access_code.get_secret_value()
            return self._answer(
                "cancel", access_code, booking_number, reply, message.cancel_penalty_amount
            )
        finally:
            with self._lock:
                self._cancelling[booking_number] -= 1

    def _answer(
        self,
        endpoint: str,
        access_code: str,
        booking_number: str,
        reply: Reply,
        amount: str | None = None,
    ) -> SandboxResponse:
        answered = str(
            reply.fault or (reply.status if reply.error_code == "00" else reply.error_code)
        )
        self._record(Seen(endpoint, booking_number, amount=amount, answered=answered))
        if reply.fault in TRANSPORT_FAULTS:
            return self._fault(reply)
        ok = reply.error_code.outcome is not Outcome.REJECTED
        status = reply.status if ok else ""
        fields = [
            access_code,
            booking_number,
            reply.error_code.value,
            "HOTEL" if ok else "",
            status,
        ]
        if endpoint == "status":
            with self._lock:
                submitted = self._submitted.get(booking_number, "")
            fields.append(reply.amount if reply.amount is not None else submitted)
        model = CancellationCheckResponse if endpoint == "status" else CancellationResponse
        model.from_fields(fields)  # the sandbox never sends what the protocol forbids
        response = self._sealed(fields, reply.fault)
        if reply.fault is Fault.SLOW:
            response.delay = self.slow_seconds
        return response

    def _sealed(self, fields: list[str], fault: Fault | None) -> SandboxResponse:
        signer = self.keys.own_private
        if fault is Fault.BAD_SIGNATURE:
            signer = self._impostor_key()
        key, data = seal(
            fields,
            sender_private=signer,
            receiver_public=self.keys.peer_public,
            padding=self.rsa_padding,
        )
        if fault is Fault.TAMPERED:
            raw = bytearray(b64decode_lenient(data))
            raw[len(raw) // 2] ^= 0x01
            data = b64encode_urlsafe(bytes(raw))
        return _json({"key": key, "data": data})

    def _impostor_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._impostor is None:
                self._impostor = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - a throwaway impostor key, for tests
            return self._impostor

    def _fault(self, reply: Reply) -> SandboxResponse:
        if reply.fault is Fault.GARBAGE:
            return SandboxResponse(status=200, body=b"<html>upstream error</html>")
        if reply.fault is Fault.TRUNCATED:
            return SandboxResponse(status=200, body=b'{"key": "', truncate=True)
        if reply.fault is Fault.RESET:
            return SandboxResponse(reset=True)
        status = 500 if reply.fault is Fault.HTTP_500 else 503
        return SandboxResponse(status=status, body=b"Service Unavailable")


def _json(body: dict[str, Any], status: int = 200) -> SandboxResponse:
    """Serialize with every `Decimal` written as a JSON number, digit for digit."""
    exact: dict[str, str] = {}

    def default(value: object) -> str:
        if isinstance(value, Decimal):
            marker = f"\x00decimal{len(exact)}\x00"
            exact[marker] = str(value)
            return marker
        raise TypeError(type(value).__name__)

    text = json.dumps(body, default=default, ensure_ascii=False)
    for marker, number in exact.items():
        text = text.replace(json.dumps(marker), number)
    return SandboxResponse.json(text, status=status)
