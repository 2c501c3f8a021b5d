"""Constants and helpers shared by the Gotadi tests (fixtures are in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import SecretStr

from penalty.providers._http import RetryPolicy
from penalty.providers.gotadi import Config, KeyPair

#: Test secrets: no output, repr or error may ever contain them.
API_KEY = "TEST-ONLY-api-key-7f3a9c"
ACCESS_CODE = "TEST-ONLY-access-5d2e81"
BEARER = "TEST-ONLY-bearer-c0ffee"
SECRETS = (API_KEY, ACCESS_CODE, BEARER)

#: Inside seed 001's windows: EX3 (70 %) costs 2,100,000 VND, EX1 (1 night) 1,000,000.
AT = datetime(2021, 5, 13, 9, 0, tzinfo=timezone(timedelta(hours=7)))
#: How late a "slow" sandbox answer comes; clients in timeout tests wait a tenth of that.
SLOW = 0.6

#: Retries without waiting, so that fault tests stay fast.
FAST_RETRY = RetryPolicy(attempts=3, backoff=0.0, max_backoff=0.0, deadline=5.0)


def make_config(url: str, keys: KeyPair, **settings: Any) -> Config:
    """A client config for ``url`` with the test credentials (``settings`` override)."""
    values: dict[str, Any] = {
        "base_url": url,
        "api_key": SecretStr(API_KEY),
        "access_code": SecretStr(ACCESS_CODE),
        "private_key": keys.own_private,
        "public_key": keys.peer_public,
        "timeout": 5.0,
        "on_total_mismatch": "ours",
    }
    values.update(settings)
    return Config(**values)


@dataclass
class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        """The current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the wait and advance the clock."""
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """`sleep`, awaitable (for an `AsyncClient`)."""
        self.sleep(seconds)


def changed(config: Config, **changes: Any) -> Config:
    """``config`` with ``changes``, validated again (``model_copy`` would not)."""
    values = {name: getattr(config, name) for name in Config.model_fields}
    return Config(**{**values, **changes})
