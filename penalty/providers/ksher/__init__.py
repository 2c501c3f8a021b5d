"""Ksher Gateway Pay order cancel and query (PROTOCOLS C): the same shape as every provider here.

::

    from penalty.providers import ksher

    config = ksher.Config.load()                  # PENALTY_KSHER_* and/or a [ksher] table
    with ksher.Client(config) as client:          # or: async with ksher.AsyncClient(config)
        result = client.cancel_order("BK-2026-0001")

* `Config`: settings (pydantic-settings: environment, TOML; the merchant key from a file);
* `Client` / `AsyncClient`: ``cancel_order`` and ``order_query``, believed only as far as
  Ksher's signature goes (`penalty.providers.ksher.protocol`);
* `Sandbox`: a local gateway on uvicorn (`penalty sandbox ksher`), outcomes by `KsherOutcome`;
* the wire: `sign` / `verify` (MD5withRSA over sorted ``key=value`` pairs) and the models.
"""

from __future__ import annotations

from penalty.providers.ksher.client import AsyncClient, Client
from penalty.providers.ksher.config import GATEWAY_URL, Config
from penalty.providers.ksher.models import (
    KsherOrder,
    KsherOrderResult,
    KsherResponse,
    KsherResultCode,
)
from penalty.providers.ksher.protocol import (
    PROVIDER,
    KsherCancelOutcome,
    KsherCancelResult,
    KsherRejected,
)
from penalty.providers.ksher.sandbox import Fault, KsherOutcome, Sandbox
from penalty.providers.ksher.signing import (
    KSHER_PUBLIC_KEY_DER_B64,
    ksher_public_key,
    load_private_key,
    load_public_key,
    sign,
    sign_string,
    verify,
)

__all__ = [
    "GATEWAY_URL",
    "KSHER_PUBLIC_KEY_DER_B64",
    "PROVIDER",
    "AsyncClient",
    "Client",
    "Config",
    "Fault",
    "KsherCancelOutcome",
    "KsherCancelResult",
    "KsherOrder",
    "KsherOrderResult",
    "KsherOutcome",
    "KsherRejected",
    "KsherResponse",
    "KsherResultCode",
    "Sandbox",
    "ksher_public_key",
    "load_private_key",
    "load_public_key",
    "sign",
    "sign_string",
    "verify",
]
