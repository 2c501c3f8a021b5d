"""Ksher Gateway Pay order cancel and query (PROTOCOLS C): signing, client, sandbox.

* `sign` / `verify`: MD5withRSA over sorted ``key=value`` pairs, Ksher's public key by default;
* `KsherClient.cancel_order` / `KsherClient.order_query`: signed form posts, verified answers;
* `KsherSandbox`: a local gateway that checks request signatures and answers switchable outcomes.
"""

from __future__ import annotations

from penalty.providers.ksher.client import (
    GATEWAY_URL,
    KsherCancelOutcome,
    KsherCancelResult,
    KsherClient,
    KsherRejected,
)
from penalty.providers.ksher.models import (
    KsherOrder,
    KsherOrderResult,
    KsherResponse,
    KsherResultCode,
)
from penalty.providers.ksher.sandbox import KsherOutcome, KsherSandbox
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
    "KsherCancelOutcome",
    "KsherCancelResult",
    "KsherClient",
    "KsherOrder",
    "KsherOrderResult",
    "KsherOutcome",
    "KsherRejected",
    "KsherResponse",
    "KsherResultCode",
    "KsherSandbox",
    "ksher_public_key",
    "load_private_key",
    "load_public_key",
    "sign",
    "sign_string",
    "verify",
]
