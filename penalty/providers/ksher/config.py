"""Settings of a Ksher client: `Config`, from code, environment variables or a TOML file.

Every setting has an environment variable ``PENALTY_KSHER_<NAME>`` and a key in the ``[ksher]``
table of a TOML config file (``--config`` or ``PENALTY_KSHER_CONFIG``); the environment wins
(`penalty.providers._config`):

====================  =======================================================================
name                  meaning
====================  =======================================================================
``base_url``          default ``https://gateway.ksher.com/api`` (plain ``http`` only for a
                      loopback sandbox)
``appid``             the merchant's ``appid`` (``mch`` + merchant number)
``private_key``       path of the merchant's RSA private key PEM (from merchant.ksher.net),
                      at least 1024 bits
``public_key``        path of the key Ksher's answers are verified with; Ksher's published key
                      when unset (512 bits: a `KeyWarning` says what that means)
``lang``              ``en`` (default), ``cn`` or ``th``
``confirm_unsigned``  confirm Ksher's unsigned answers with a signed order query (default
                      ``true``)
``timeout``           seconds to wait for an answer (default 15, at most 300)
====================  =======================================================================

Key paths in a config file are relative to that file. The private key never appears in a repr,
a log line or an error message.
"""

from __future__ import annotations

import warnings
from typing import Annotated, ClassVar, Literal, Self

from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BeforeValidator, Field, InstanceOf, model_validator
from pydantic_settings import SettingsConfigDict

from penalty.providers._config import BaseUrl, HeaderText, ProviderConfig
from penalty.providers._keys import KeyWarning
from penalty.providers.ksher.signing import (
    WEAK_BELOW,
    ksher_public_key,
    load_private_key,
    load_public_key,
)

__all__ = ["GATEWAY_URL", "Config"]

#: Ksher's gateway (PROTOCOLS C.1); paths are relative to it.
GATEWAY_URL = "https://gateway.ksher.com/api"


def _private(raw: object) -> object:
    return load_private_key(raw)  # type: ignore[arg-type]


def _public(raw: object) -> object:
    return raw if raw is None else load_public_key(raw)  # type: ignore[arg-type]


class Config(ProviderConfig):
    """Everything a Ksher `Client` needs; build it directly or with `Config.load`.

    Example:
        >>> from penalty.providers.ksher.sandbox import load_test_only_key
        >>> config = Config(appid="mch35000", private_key=load_test_only_key("merchant"),
        ...                 public_key=load_test_only_key("gateway").public_key())
        >>> config.base_url, config.confirm_unsigned
        ('https://gateway.ksher.com/api', True)
    """

    model_config = SettingsConfigDict(env_prefix="PENALTY_KSHER_")
    provider: ClassVar[str] = "ksher"
    path_settings: ClassVar[tuple[str, ...]] = ("private_key", "public_key")

    base_url: BaseUrl = GATEWAY_URL
    appid: HeaderText
    private_key: Annotated[InstanceOf[rsa.RSAPrivateKey], BeforeValidator(_private)] = Field(
        repr=False
    )
    public_key: Annotated[InstanceOf[rsa.RSAPublicKey] | None, BeforeValidator(_public)] = Field(
        default=None, repr=False
    )
    lang: Literal["en", "cn", "th"] = "en"
    confirm_unsigned: bool = True

    @model_validator(mode="after")
    def _weak_gateway_key(self) -> Self:
        if self.public_key is None and ksher_public_key().key_size < WEAK_BELOW:
            warnings.warn(
                KeyWarning(
                    "ksher.public_key: Ksher's published key has 512 bits, which can be "
                    "factored: a signed answer proves little. Unsigned and signed answers are "
                    "cross-checked with a signed order query, but ask Ksher for its 2048-bit "
                    "(V2) key"
                ),
                stacklevel=2,
            )
        return self

    @property
    def gateway_key(self) -> rsa.RSAPublicKey:
        """The key Ksher's answers are verified with: ``public_key``, else Ksher's published."""
        return self.public_key or ksher_public_key()
