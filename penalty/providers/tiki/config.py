"""Settings of a Tiki client, from code, environment variables or a TOML file.

Every setting has an environment variable ``PENALTY_TIKI_<NAME>`` and a key in the ``[tiki]``
table of a TOML config file (``--config`` or ``PENALTY_TIKI_CONFIG``); the environment wins:

=================  ==========================================================================
name               meaning
=================  ==========================================================================
``base_url``       default ``https://api.tiki.vn/tiniapp-open-api``; Tini Console shows the
                   sandbox's (plain ``http`` only for a loopback sandbox)
``client_key``     the app's client key, sent as ``X-Tiniapp-Client-Id``
``client_secret``  the app's client secret (secret; signs every request)
``timeout``        seconds to wait for an answer (default 15)
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from penalty.providers._settings import build_settings, check_base_url, load_values
from penalty.providers.tiki.client import PRODUCTION_URL, TikiClient

__all__ = ["TikiSettings"]


class TikiSettings(BaseModel):
    """Everything a `TikiClient` needs; build it directly or with `TikiSettings.load`.

    Example:
        >>> settings = TikiSettings(client_key="key", client_secret="TEST-ONLY-secret")
        >>> "TEST-ONLY" in repr(settings), settings.base_url
        (False, 'https://api.tiki.vn/tiniapp-open-api')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = PRODUCTION_URL
    client_key: str = Field(min_length=1)
    client_secret: SecretStr
    timeout: float = Field(default=15.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _https(cls, raw: str) -> str:
        return check_base_url(raw)

    @field_validator("client_secret")
    @classmethod
    def _present(cls, raw: SecretStr) -> SecretStr:
        if not raw.get_secret_value().strip():
            msg = "must not be empty"
            raise ValueError(msg)
        return raw

    @classmethod
    def load(
        cls,
        *,
        config_file: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> TikiSettings:
        """Settings from a TOML file (optional), then ``PENALTY_TIKI_*``, then ``overrides``.

        Raises:
            InvalidInput: a missing or malformed setting or an unreadable file, naming the
                setting or file (never a secret's value).

        Example:
            >>> env = {"PENALTY_TIKI_CLIENT_KEY": "key", "PENALTY_TIKI_CLIENT_SECRET": "s"}
            >>> TikiSettings.load(environ=env).client_key
            'key'
        """
        values = load_values("tiki", cls.model_fields, config_file=config_file, environ=environ)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return build_settings(cls, "tiki", values)

    def client(self, **kwargs: Any) -> TikiClient:
        """A `TikiClient` with these settings (``kwargs`` go to its constructor)."""
        return TikiClient(
            client_key=self.client_key,
            client_secret=self.client_secret,
            base_url=self.base_url,
            timeout=self.timeout,
            **kwargs,
        )
