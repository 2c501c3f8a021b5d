"""Settings of a Gotadi client, from code, environment variables or a TOML file.

Every setting has an environment variable ``PENALTY_GOTADI_<NAME>`` and a key in the ``[gotadi]``
table of a TOML config file (``--config`` or ``PENALTY_GOTADI_CONFIG``); the environment wins:

=================  ==========================================================================
name               meaning
=================  ==========================================================================
``base_url``       Gotadi's API gateway, issued at onboarding (``https://…``; plain ``http``
                   only for a loopback sandbox)
``api_key``        the ``apikey`` header (secret)
``access_code``    the ``x-ibe-req-name`` header and first payload field (secret)
``bearer_token``   optional ``Authorization: Bearer`` JWT (secret)
``private_key``    path of *your* RSA private key, PEM or ``<RSAKeyValue>`` XML
``public_key``     path of *Gotadi's* RSA public key, PEM, base64 DER or XML
``rsa_padding``    ``pkcs1v15`` (default), ``oaep-sha1`` or ``oaep-sha256`` (unconfirmed)
``timeout``        seconds to wait for an answer (default 15)
=================  ==========================================================================

Key paths in a config file are relative to that file. Secrets are `SecretStr`: they never
appear in a repr, a log line or an error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, InstanceOf, SecretStr, field_validator

from penalty.errors import InvalidInput
from penalty.providers._settings import build_settings, check_base_url, env_prefix, load_values
from penalty.providers.gotadi.crypto import SEPARATOR, RsaPadding
from penalty.providers.gotadi.keys import KeyPair, load_private_key, load_public_key, read_key_file

__all__ = ["PROVIDER", "SETTING_NAMES", "GotadiSettings"]

PROVIDER = "gotadi"
#: What the environment and the ``[gotadi]`` table may set.
SETTING_NAMES = (
    "base_url",
    "api_key",
    "access_code",
    "bearer_token",
    "private_key",
    "public_key",
    "rsa_padding",
    "timeout",
)
_KEY_FILES = ("private_key", "public_key")


class GotadiSettings(BaseModel):
    """Everything a `GotadiClient` needs; build it directly or with `GotadiSettings.load`.

    Example:
        >>> from penalty.providers.gotadi.keys import bundled_test_keys
        >>> partner, _ = bundled_test_keys()
        >>> settings = GotadiSettings(base_url="http://127.0.0.1:8080", api_key="TEST-ONLY-key",
        ...                           access_code="TEST-ONLY-code", keys=partner)
        >>> "TEST-ONLY" in repr(settings)
        False
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str
    api_key: SecretStr
    access_code: SecretStr
    keys: InstanceOf[KeyPair]
    bearer_token: SecretStr | None = None
    rsa_padding: RsaPadding = RsaPadding.PKCS1V15
    timeout: float = Field(default=15.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _https(cls, raw: str) -> str:
        return check_base_url(raw)

    @field_validator("api_key", "access_code")
    @classmethod
    def _present(cls, raw: SecretStr) -> SecretStr:
        if not raw.get_secret_value().strip():
            msg = "must not be empty"
            raise ValueError(msg)
        if SEPARATOR in raw.get_secret_value():
            msg = "must not contain '|'"
            raise ValueError(msg)
        return raw

    @classmethod
    def load(
        cls,
        *,
        config_file: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> GotadiSettings:
        """Settings from a TOML file (optional) overlaid with ``PENALTY_GOTADI_*`` variables.

        ``overrides`` (e.g. ``timeout=5``) win over both.

        Raises:
            InvalidInput: a missing or malformed setting, an unreadable file or key, naming
                the setting or file (never a secret's value).
        """
        values = load_values(
            PROVIDER,
            SETTING_NAMES,
            paths=_KEY_FILES,
            config_file=config_file,
            environ=environ,
        )
        values.update(overrides)
        keys = _load_keys(values)
        fields = {name: value for name, value in values.items() if name not in _KEY_FILES}
        return build_settings(cls, PROVIDER, {**fields, "keys": keys})


def _load_keys(values: Mapping[str, Any]) -> KeyPair:
    paths: dict[str, Path] = {}
    for name in _KEY_FILES:
        raw = values.get(name)
        if not raw:
            raise InvalidInput(
                f"missing: set {env_prefix(PROVIDER)}{name.upper()} or {name} in the config file",
                path=f"{PROVIDER}.{name}",
                code="bad_setting",
            )
        paths[name] = Path(raw)
    private = load_private_key(read_key_file(paths["private_key"]), path=str(paths["private_key"]))
    public = load_public_key(read_key_file(paths["public_key"]), path=str(paths["public_key"]))
    return KeyPair(own_private=private, peer_public=public)
