"""A local Gotadi sandbox: the three endpoints of PROTOCOLS A.5–A.7 with its own key pair.

It serves the penalty windows of `sandbox_data.FIXTURES`, checks the ``apikey`` and
``x-ibe-req-name`` headers, decrypts and verifies every encrypted request (answering Gotadi's
``04`` bad signature, ``05`` undecryptable, ``07`` malformed, ``06`` wrong access code), and
answers from a `Scenario`: per endpoint, a list of `Reply` s used in turn, the last repeating.

A booking number picks a fixture and, after a dash, a named scenario (`SCENARIOS`)::

    EX3                 seed example 3, cancellation confirmed at once
    EX1-WAITING         waiting for the supplier twice, then confirmed
    HDCO2107121213651-MISMATCH   penalty mismatch first, confirmed on resubmission

Tests can also install any `Scenario` for a booking number with `Sandbox.script` (any suffix
then names a booking of its own: ``EX3-A17``).

The status endpoint tells the truth: it answers only for bookings it knows, and for one it has
received no accepted cancellation of, it says so (error ``02``, no status: none on record); the
scenario's status replies start with the first accepted cancellation. It remembers a bounded
number of bookings and requests (`penalty.providers._book`).

``penalty sandbox gotadi --port N`` serves it with the TEST-ONLY keys.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from penalty.errors import ProviderProtocolError, SignatureInvalid
from penalty.providers._book import Bounded, ProviderSandbox, Seen
from penalty.providers._sandbox import SandboxRequest, SandboxResponse
from penalty.providers.gotadi.client import AsyncClient, Client
from penalty.providers.gotadi.config import Config
from penalty.providers.gotadi.crypto import (
    RsaPadding,
    b64decode_lenient,
    b64encode_urlsafe,
    open_envelope,
    seal,
)
from penalty.providers.gotadi.keys import KeyPair, bundled_test_keys
from penalty.providers.gotadi.models import (
    CancellationCheckRequest,
    CancellationCheckResponse,
    CancellationRequest,
    CancellationResponse,
    CancellationStatus,
    Envelope,
    ErrorCode,
    Outcome,
    PipeMessage,
)
from penalty.providers.gotadi.protocol import CANCEL_PATH, CHECK_PATH, STATUS_PATH
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

__all__ = ["SCENARIOS", "Fault", "Reply", "Sandbox", "Scenario", "Seen"]


@dataclass
class _Booking:
    """What the sandbox remembers of one booking number."""

    calls: Counter[str] = field(default_factory=Counter)
    submitted: str | None = None  #: the amount of the last accepted cancellation
    cancelling: int = 0


class Sandbox(ProviderSandbox[Client, AsyncClient]):
    """The Gotadi request handler (a `SandboxServer` serves it). Thread-safe.

    Args:
        keys: the sandbox's own private key and the partner's public key.
        api_key, access_code: the credentials it accepts.
        bearer_token: when set, ``Authorization: Bearer <it>`` is required too.
        rsa_padding: how the 3DES key is RSA-encrypted.
        slow_delay: how late a `Fault.SLOW` answer comes.
        clock: the sandbox's "now" (for the ``STAY`` fixture).

    Attributes:
        max_concurrent_cancels: the most cancellations of one booking it handled at once.
    """

    client_class = Client
    async_client_class = AsyncClient

    def __init__(
        self,
        keys: KeyPair,
        *,
        api_key: str = TEST_ONLY_API_KEY,
        access_code: str = TEST_ONLY_ACCESS_CODE,
        bearer_token: str | None = None,
        rsa_padding: RsaPadding = RsaPadding.PKCS1V15,
        slow_delay: float = 2.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(slow_delay=slow_delay)
        self.keys = keys
        self.api_key, self.access_code, self.bearer_token = api_key, access_code, bearer_token
        self.rsa_padding = rsa_padding
        self.clock = clock
        self.max_concurrent_cancels = 0
        self._scripts: Bounded[str, Scenario] = Bounded()
        self._bookings: Bounded[str, _Booking] = Bounded()
        self._impostor: rsa.RSAPrivateKey | None = None

    def __repr__(self) -> str:
        return f"gotadi.Sandbox(bookings={len(self._bookings)}, seen={len(self.seen)})"

    @classmethod
    def with_test_keys(cls, **options: Any) -> Sandbox:
        """A sandbox with the TEST-ONLY key pair and credentials (the demo, the CLI).

        A client configured from ``bundled_key_path(SANDBOX_CONFIG_FILE)`` talks to it.
        """
        _, keys = bundled_test_keys()
        return cls(keys, **options)

    def config(self, url: str, **settings: Any) -> Config:
        """A client `Config` for a server of this sandbox at ``url``: its credentials, the
        TEST-ONLY partner key, and this sandbox's public key.
        """
        partner, _ = bundled_test_keys()
        values: dict[str, Any] = {
            "base_url": url,
            "api_key": SecretStr(self.api_key),
            "access_code": SecretStr(self.access_code),
            "bearer_token": None if self.bearer_token is None else SecretStr(self.bearer_token),
            "private_key": partner.own_private,
            "public_key": self.keys.own_private.public_key(),
            "rsa_padding": self.rsa_padding,
        }
        return Config(**{**values, **settings})

    def script(self, booking_number: str, scenario: Scenario) -> None:
        """Answer ``booking_number`` (a fixture name, optionally ``-SUFFIX``) with ``scenario``."""
        with self._lock:
            self._scripts.remember(booking_number, lambda: scenario)
            self._scripts[booking_number] = scenario

    def reset(self) -> None:
        """Forget every script, booking and request seen."""
        with self._lock:
            super().reset()
            self._scripts.clear()
            self._bookings.clear()
            self.max_concurrent_cancels = 0

    # -- dispatch -----------------------------------------------------------------------------

    def answer(self, request: SandboxRequest) -> SandboxResponse:
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
        scripted = self._scripts.get(booking_number)
        if scripted is not None:
            return fixture, scripted
        scenario = SCENARIOS.get(suffix or "CONFIRMED")
        return None if scenario is None else (fixture, scenario)

    def _next(self, endpoint: str, booking_number: str, replies: tuple[Reply, ...]) -> Reply:
        state = self._bookings.remember(booking_number, _Booking)
        index = state.calls[endpoint]
        state.calls[endpoint] += 1
        return replies[min(index, len(replies) - 1)]

    def _check(self, request: SandboxRequest) -> SandboxResponse:
        try:
            body = json.loads(request.body)
            booking_number = str(body["bookingNumber"])
        except (ValueError, KeyError, TypeError):
            return _json({"success": False, "errors": [{"code": "07"}]}, status=400)
        if request.headers.get("x-ibe-req-name") != self.access_code:
            self.record(Seen("check", booking_number, answered="06"))
            return _json({"success": False, "errors": [{"code": "06"}]}, status=401)
        found = self._lookup(booking_number)
        if found is None:
            self.record(Seen("check", booking_number, answered="404"))
            return _json({"success": False, "textMessage": "booking not found"}, status=404)
        fixture, scenario = found
        reply = self._next("check", booking_number, scenario.check)
        self.record(Seen("check", booking_number, answered=str(reply.fault or reply.status)))
        if reply.fault in TRANSPORT_FAULTS:
            return _fault(reply)
        booking = FIXTURES[fixture]
        total = booking.cancel_penalty_total if reply.total is None else reply.total
        response = _json(check_body(reply.status, booking.penalties(self.clock()), total))
        if reply.fault is Fault.SLOW:
            response.delay = self.slow_delay
        return response

    def _encrypted(
        self, request: SandboxRequest, endpoint: str, model: type[PipeMessage]
    ) -> SandboxResponse:
        header_code = request.headers.get("x-ibe-req-name", "")
        try:
            envelope = Envelope.model_validate_json(request.body)
        except ValueError:
            return self._answer(endpoint, header_code, "", Reply("", ErrorCode.MALFORMED_DATA))
        try:
            fields = open_envelope(
                envelope.key,
                envelope.data,
                receiver_private=self.keys.own_private,
                sender_public=self.keys.peer_public,
                padding=self.rsa_padding,
            )
        except SignatureInvalid:
            return self._answer(endpoint, header_code, "", Reply("", ErrorCode.INVALID_SIGNATURE))
        except ProviderProtocolError:
            return self._answer(endpoint, header_code, "", Reply("", ErrorCode.DECRYPTION_FAILED))
        try:
            message = model.from_fields(fields)
        except ProviderProtocolError:
            return self._answer(endpoint, header_code, "", Reply("", ErrorCode.MALFORMED_DATA))
        access_code, booking_number = message.to_fields()[:2]
        if access_code != self.access_code or header_code != self.access_code:
            reply = Reply("", ErrorCode.INVALID_ACCESS_CODE)
            return self._answer(endpoint, access_code, booking_number, reply)
        found = self._lookup(booking_number)
        if found is None:
            return self._answer(endpoint, access_code, booking_number, Reply("", ErrorCode.FAILED))
        _, scenario = found
        if isinstance(message, CancellationRequest):
            return self._cancel(message, scenario)
        state = self._bookings.remember(booking_number, _Booking)
        if state.submitted is None:  # the truth: no cancellation of this booking on record
            return self._answer("status", access_code, booking_number, Reply("", ErrorCode.FAILED))
        reply = self._next("status", booking_number, scenario.status)
        return self._answer("status", access_code, booking_number, reply)

    def _cancel(self, message: CancellationRequest, scenario: Scenario) -> SandboxResponse:
        booking_number = message.booking_number
        state = self._bookings.remember(booking_number, _Booking)
        state.cancelling += 1
        self.max_concurrent_cancels = max(self.max_concurrent_cancels, state.cancelling)
        try:
            reply = self._next("cancel", booking_number, scenario.cancel)
            refused = reply.error_code.outcome is Outcome.REJECTED
            mismatch = reply.status == CancellationStatus.CANCEL_PENALTY_MISMATCH.value
            if not refused and not mismatch:
                state.submitted = message.cancel_penalty_amount or ""
            access_code = message.access_code.get_secret_value()
            return self._answer(
                "cancel", access_code, booking_number, reply, message.cancel_penalty_amount
            )
        finally:
            state.cancelling -= 1

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
        self.record(Seen(endpoint, booking_number, amount=amount, answered=answered))
        if reply.fault in TRANSPORT_FAULTS:
            return _fault(reply)
        ok = reply.error_code.outcome is not Outcome.REJECTED
        fields = [
            access_code,
            booking_number,
            reply.error_code.value,
            "HOTEL" if ok else "",
            reply.status if ok else "",
        ]
        if endpoint == "status":
            state = self._bookings.get(booking_number)
            submitted = (state.submitted if state else None) or ""
            fields.append(reply.amount if reply.amount is not None else submitted)
        model = CancellationCheckResponse if endpoint == "status" else CancellationResponse
        model.from_fields(fields)  # the sandbox never sends what the protocol forbids
        response = self._sealed(fields, reply.fault)
        if reply.fault is Fault.SLOW:
            response.delay = self.slow_delay
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
        if self._impostor is None:
            self._impostor = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - a throwaway impostor key, for tests
        return self._impostor


def _fault(reply: Reply) -> SandboxResponse:
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
