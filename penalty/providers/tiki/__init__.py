"""Tiki mini-app order cancel (PROTOCOLS B): signing, client, sandbox.

* `sign` / `verify` / `verify_headers`: the ``X-Tiniapp-Signature`` scheme (also for IPN webhooks);
* `TikiClient.cancel_order`: ``POST /order/cancel``; Tiki refunds an online payment by itself;
* `TikiSandbox`: a local server that checks signatures and answers switchable outcomes.
"""

from __future__ import annotations

from penalty.providers.tiki.client import (
    PRODUCTION_URL,
    SANDBOX_URL,
    TikiCancelOutcome,
    TikiCancelResult,
    TikiClient,
    TikiRejected,
)
from penalty.providers.tiki.models import OrderStatus, TikiEnvelope, TikiError, TikiOrder
from penalty.providers.tiki.sandbox import TikiOutcome, TikiSandbox
from penalty.providers.tiki.signing import sign, signed_headers, verify, verify_headers

__all__ = [
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "OrderStatus",
    "TikiCancelOutcome",
    "TikiCancelResult",
    "TikiClient",
    "TikiEnvelope",
    "TikiError",
    "TikiOrder",
    "TikiOutcome",
    "TikiRejected",
    "TikiSandbox",
    "sign",
    "signed_headers",
    "verify",
    "verify_headers",
]
