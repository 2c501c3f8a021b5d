"""Settings of a Ksher client, from code, environment variables or a TOML file.

Every setting has an environment variable ``PENALTY_KSHER_<NAME>`` and a key in the ``[ksher]``
table of a TOML config file (``--config`` or ``PENALTY_KSHER_CONFIG``); the environment wins:

====================  =======================================================================
name                  meaning
====================  =======================================================================
``base_url``          default ``https://gateway.ksher.com/api`` (plain ``http`` only for a
                      loopback sandbox)
``appid``             the merchant's ``appid`` (``mch`` + merchant number)
``private_key``       path of the merchant's RSA private key PEM (from merchant.ksher.net)
``public_key``        path of the key Ksher's answers are verified with; Ksher's published key
                      when unset (a sandbox's key for testing)
``lang``              ``en`` (default), ``cn`` or ``th``
``confirm_unsigned``  confirm Ksher's unsigned cancel success with a signed order query
                      (default ``true``)
``timeout``           seconds to wait for an answer (default 15)
====================  =======================================================================

Key paths in a config file are relative to that file. The private key never appears in a repr,
a log line or an error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, ConfigDict, Field, InstanceOf, field_validator

from penalty.errors import InvalidInput
from penalty.providers._settings import build_settings, check_base_url, load_values
from penalty.providers.ksher.client import GATEWAY_URL, KsherClient
from penalty.providers.ksher.signing import load_private_key, load_public_key

__all__ = ["KsherSettings"]

_PATHS = ("private_key", "public_key")


class KsherSettings(BaseModel):
    """Everything a `KsherClient` needs; build it directly or with `KsherSettings.load`.

    Example:
        >>> from penalty.providers.ksher.sandbox import load_test_only_key
        >>> settings = KsherSettings(appid="mch35000", private_key=load_test_only_key("merchant"))
        >>> settings.base_url, settings.public_key is None
        ('https://gateway.ksher.com/api', True)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = GATEWAY_URL
    appid: str = Field(min_length=1)
    private_key: InstanceOf[rsa.RSAPrivateKey] = Field(repr=False)
    public_key: InstanceOf[rsa.RSAPublicKey] | None = Field(default=None, repr=False)
    lang: Literal["en", "cn", "th"] = "en"
    confirm_unsigned: bool = True
    timeout: float = Field(default=15.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _https(cls, raw: str) -> str:
        return check_base_url(raw)

    @classmethod
    def load(
        cls,
        *,
        config_file: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> KsherSettings:
        """Settings from a TOML file (optional), then ``PENALTY_KSHER_*``, then ``overrides``.

        Raises:
            InvalidInput: a missing or malformed setting, an unreadable file or key, naming the
                setting or file (never a key's contents).
        """
        values = load_values(
            "ksher", cls.model_fields, paths=_PATHS, config_file=config_file, environ=environ
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("confirm_unsigned"), str):
            values["confirm_unsigned"] = _flag(values["confirm_unsigned"])
        if "private_key" not in values:
            raise InvalidInput(
                "missing: set PENALTY_KSHER_PRIVATE_KEY or private_key in the config file",
                path="ksher.private_key",
                code="bad_setting",
            )
        if isinstance(values["private_key"], Path):
            values["private_key"] = load_private_key(values["private_key"])
        if isinstance(values.get("public_key"), Path):
            path = values["public_key"]
            try:
                values["public_key"] = load_public_key(path)
            except InvalidInput:
                raise
            except (OSError, ValueError) as exc:  # ValueError: a NUL in the file name
                reason = exc.strerror if isinstance(exc, OSError) else "a NUL in its name"
                raise InvalidInput(
                    f"cannot read the public key file ({reason})",
                    path="ksher.public_key",
                    value=str(path),
                    code="unreadable",
                ) from None
        return build_settings(cls, "ksher", values)

    def client(self, **kwargs: Any) -> KsherClient:
        """A `KsherClient` with these settings (``kwargs`` go to its constructor)."""
        return KsherClient(
            appid=self.appid,
            private_key=self.private_key,
            ksher_public_key=self.public_key,
            base_url=self.base_url,
            lang=self.lang,
            confirm_unsigned=self.confirm_unsigned,
            timeout=self.timeout,
            **kwargs,
        )


def _flag(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise InvalidInput(
        "must be true or false", path="ksher.confirm_unsigned", value=raw, code="bad_setting"
    )
