"""Gotadi (B2B2C hotel API): penalty windows, cancellation, cancellation status (PROTOCOLS §A).

The same shape as every provider package here::

    from penalty.providers import gotadi

    config = gotadi.Config.load()                 # PENALTY_GOTADI_* and/or a [gotadi] table
    with gotadi.Client(config) as client:         # or: async with gotadi.AsyncClient(config)
        outcome = client.cancel_booking("HDCO2107121213651", booking)

* `Config`: settings (pydantic-settings: environment, TOML, `SecretStr` secrets);
* `Client` / `AsyncClient`: check-cancel-penalty, cancel, cancellation-check and the whole
  `cancel_booking` flow (`FlowSettings`, `CancelOutcome`, `FlowState`, `Step`);
* `Sandbox`: a local Gotadi on uvicorn (`penalty sandbox gotadi`), `Scenario` / `Reply` /
  `Fault` to script it;
* the wire: `seal` / `open_envelope` (hybrid RSA + 3DES), the models and codes.
"""

from __future__ import annotations

from penalty.providers.gotadi.check import PenaltyCheck
from penalty.providers.gotadi.client import AsyncClient, Client
from penalty.providers.gotadi.config import Config, OnTotalMismatch
from penalty.providers.gotadi.crypto import RsaPadding, open_envelope, seal
from penalty.providers.gotadi.flow import CancelOutcome, FlowSettings, FlowState, Step
from penalty.providers.gotadi.inflight import CancellationInFlight
from penalty.providers.gotadi.keys import (
    KeyPair,
    bundled_key_path,
    bundled_test_keys,
    load_private_key,
    load_public_key,
    public_key_to_xml,
)
from penalty.providers.gotadi.models import (
    CancellationCheckResponse,
    CancellationResponse,
    CancellationStatus,
    CheckStatus,
    ErrorCode,
    format_amount,
)
from penalty.providers.gotadi.protocol import PROVIDER
from penalty.providers.gotadi.sandbox import Sandbox
from penalty.providers.gotadi.sandbox_data import SANDBOX_CONFIG_FILE, Fault, Reply, Scenario

__all__ = [
    "PROVIDER",
    "SANDBOX_CONFIG_FILE",
    "AsyncClient",
    "CancelOutcome",
    "CancellationCheckResponse",
    "CancellationInFlight",
    "CancellationResponse",
    "CancellationStatus",
    "CheckStatus",
    "Client",
    "Config",
    "ErrorCode",
    "Fault",
    "FlowSettings",
    "FlowState",
    "KeyPair",
    "OnTotalMismatch",
    "PenaltyCheck",
    "Reply",
    "RsaPadding",
    "Sandbox",
    "Scenario",
    "Step",
    "bundled_key_path",
    "bundled_test_keys",
    "format_amount",
    "load_private_key",
    "load_public_key",
    "open_envelope",
    "public_key_to_xml",
    "seal",
]
