"""Settings of a Tiki client: `Config`, from code, environment variables or a TOML file.

Every setting has an environment variable ``PENALTY_TIKI_<NAME>`` and a key in the ``[tiki]``
table of a TOML config file (``--config`` or ``PENALTY_TIKI_CONFIG``); the environment wins
(`penalty.providers._config`):

=================  ==========================================================================
name               meaning
=================  ==========================================================================
``base_url``       default ``https://api.tiki.vn/tiniapp-open-api``; Tini Console shows the
                   sandbox's (plain ``http`` only for a loopback sandbox)
``client_key``     the app's client key, sent as ``X-Tiniapp-Client-Id``
``client_secret``  the app's client secret (secret; signs every request)
``timeout``        seconds to wait for an answer (default 15, at most 300)
=================  ==========================================================================
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from penalty.providers._config import BaseUrl, HeaderText, ProviderConfig

__all__ = ["PRODUCTION_URL", "SANDBOX_URL", "Config"]

#: Production base URL (PROTOCOLS B.5, confirmed).
PRODUCTION_URL = "https://api.tiki.vn/tiniapp-open-api"
#: Tiki's sandbox base URL as the lead-gen docs use it (PROTOCOLS B.5: inferred for orders).
SANDBOX_URL = "https://api.tiki.vn/tiniapp-sandbox-open-api"


class Config(ProviderConfig):
    """Everything a Tiki `Client` needs; build it directly or with `Config.load`.

    Example:
        >>> config = Config(client_key="key", client_secret="TEST-ONLY-secret")
        >>> "TEST-ONLY" in repr(config), config.base_url
        (False, 'https://api.tiki.vn/tiniapp-open-api')
    """

    model_config = SettingsConfigDict(env_prefix="PENALTY_TIKI_")
    provider: ClassVar[str] = "tiki"

    base_url: BaseUrl = PRODUCTION_URL
    client_key: HeaderText
    client_secret: SecretStr

    @field_validator("client_secret")
    @classmethod
    def _present(cls, raw: SecretStr) -> SecretStr:
        if not raw.get_secret_value().strip():
            msg = "must not be empty"
            raise ValueError(msg)
        return raw
