"""Settings of a Gotadi client: `Config`, from code, environment variables or a TOML file.

Every setting has an environment variable ``PENALTY_GOTADI_<NAME>`` and a key in the ``[gotadi]``
table of a TOML config file (``--config`` or ``PENALTY_GOTADI_CONFIG``); the environment wins
(`penalty.providers._config`):

=====================  ======================================================================
name                   meaning
=====================  ======================================================================
``base_url``           Gotadi's API gateway, issued at onboarding (``https://…``; plain
                       ``http`` only for a loopback sandbox)
``api_key``            the ``apikey`` header (secret)
``access_code``        the ``x-ibe-req-name`` header and first payload field (secret)
``bearer_token``       optional ``Authorization: Bearer`` JWT (secret)
``private_key``        path of *your* RSA private key, PEM or ``<RSAKeyValue>`` XML
``public_key``         path of *Gotadi's* RSA public key, PEM, base64 DER or XML
``rsa_padding``        ``pkcs1v15`` (default), ``oaep-sha1`` or ``oaep-sha256`` (unconfirmed)
``timeout``            seconds to wait for an answer (default 15, at most 300)
``on_total_mismatch``  when our fee differs from Gotadi's ``cancelPenaltyTotal``: ``stop``
                       before sending (default), send ``ours``, or send ``theirs``
=====================  ======================================================================

Key paths in a config file are relative to that file; in code, a key object does too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import AfterValidator, BeforeValidator, Field, InstanceOf
from pydantic_settings import SettingsConfigDict

from penalty.providers._config import HeaderSecret, ProviderConfig
from penalty.providers.gotadi.crypto import SEPARATOR, RsaPadding
from penalty.providers.gotadi.keys import KeyPair, load_private_key, load_public_key

__all__ = ["Config", "OnTotalMismatch"]


class OnTotalMismatch(StrEnum):
    """What the cancel flow does when our fee differs from Gotadi's ``cancelPenaltyTotal``."""

    STOP = "stop"  #: send nothing; the flow ends ``total_mismatch`` (the default)
    OURS = "ours"  #: send our exact fee (PROTOCOLS A.5: Gotadi's total can be 0.0 wrongly)
    THEIRS = "theirs"  #: send Gotadi's total


def _no_separator(secret: Any) -> Any:
    if SEPARATOR in secret.get_secret_value():
        msg = "must not contain '|' (Gotadi's field separator)"
        raise ValueError(msg)
    return secret


def _private(raw: object) -> object:
    return raw if raw is None else load_private_key(raw)  # type: ignore[arg-type]


def _public(raw: object) -> object:
    return raw if raw is None else load_public_key(raw)  # type: ignore[arg-type]


class Config(ProviderConfig):
    """Everything a Gotadi `Client` needs; build it directly or with `Config.load`.

    Example:
        >>> from penalty.providers.gotadi.keys import bundled_test_keys
        >>> partner, _ = bundled_test_keys()
        >>> config = Config(base_url="http://127.0.0.1:8080", api_key="TEST-ONLY-key",
        ...                 access_code="TEST-ONLY-code", private_key=partner.own_private,
        ...                 public_key=partner.peer_public)
        >>> "TEST-ONLY" in repr(config), config.on_total_mismatch.value
        (False, 'stop')
    """

    model_config = SettingsConfigDict(env_prefix="PENALTY_GOTADI_")
    provider: ClassVar[str] = "gotadi"
    path_settings: ClassVar[tuple[str, ...]] = ("private_key", "public_key")

    api_key: HeaderSecret
    access_code: Annotated[HeaderSecret, AfterValidator(_no_separator)]
    bearer_token: HeaderSecret | None = None
    private_key: Annotated[InstanceOf[rsa.RSAPrivateKey], BeforeValidator(_private)] = Field(
        repr=False
    )
    public_key: Annotated[InstanceOf[rsa.RSAPublicKey], BeforeValidator(_public)] = Field(
        repr=False
    )
    rsa_padding: RsaPadding = RsaPadding.PKCS1V15
    on_total_mismatch: OnTotalMismatch = OnTotalMismatch.STOP

    @property
    def keys(self) -> KeyPair:
        """Our private key and Gotadi's public key, as the envelope functions take them."""
        return KeyPair(own_private=self.private_key, peer_public=self.public_key)
