"""Tiki mini-app order cancel (PROTOCOLS B): the same shape as every provider package here.

::

    from penalty.providers import tiki

    config = tiki.Config.load()                   # PENALTY_TIKI_* and/or a [tiki] table
    with tiki.Client(config) as client:           # or: async with tiki.AsyncClient(config)
        result = client.cancel_order("77062110977884170", "Khách hủy đặt phòng")

* `Config`: settings (pydantic-settings: environment, TOML, `SecretStr` secret);
* `Client` / `AsyncClient`: ``cancel_order`` (Tiki refunds an online payment by itself);
* `Sandbox`: a local Tiki on uvicorn (`penalty sandbox tiki`), outcomes by `TikiOutcome`;
* the wire: `sign` / `verify` / `verify_headers` (``X-Tiniapp-Signature``, also for IPN
  webhooks) and the models.
"""

from __future__ import annotations

from penalty.providers.tiki.client import AsyncClient, Client
from penalty.providers.tiki.config import PRODUCTION_URL, SANDBOX_URL, Config
from penalty.providers.tiki.models import OrderStatus, TikiEnvelope, TikiError, TikiOrder
from penalty.providers.tiki.protocol import (
    PROVIDER,
    TikiCancelOutcome,
    TikiCancelResult,
    TikiRejected,
)
from penalty.providers.tiki.sandbox import Fault, Sandbox, TikiOutcome
from penalty.providers.tiki.signing import sign, signed_headers, verify, verify_headers

__all__ = [
    "PRODUCTION_URL",
    "PROVIDER",
    "SANDBOX_URL",
    "AsyncClient",
    "Client",
    "Config",
    "Fault",
    "OrderStatus",
    "Sandbox",
    "TikiCancelOutcome",
    "TikiCancelResult",
    "TikiEnvelope",
    "TikiError",
    "TikiOrder",
    "TikiOutcome",
    "TikiRejected",
    "sign",
    "signed_headers",
    "verify",
    "verify_headers",
]
