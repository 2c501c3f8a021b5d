"""Config from environment variables and a TOML file; secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from penalty.errors import InvalidInput
from penalty.providers.gotadi.config import Config
from penalty.providers.gotadi.crypto import RsaPadding
from penalty.providers.gotadi.keys import KeyPair, private_key_to_xml, public_key_to_xml

from .support import ACCESS_CODE, API_KEY, BEARER, SECRETS


@pytest.fixture
def key_files(tmp_path: Path, partner_keys: KeyPair) -> tuple[Path, Path]:
    """The partner's private key as PEM and Gotadi's public key as XML, in files."""
    private = tmp_path / "partner.pem"
    private.write_bytes(
        partner_keys.own_private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    public = tmp_path / "gotadi.xml"
    public.write_text(public_key_to_xml(partner_keys.peer_public))
    return private, public


def _environ(keys: tuple[Path, Path], **extra: str) -> dict[str, str]:
    private, public = keys
    return {
        "PENALTY_GOTADI_BASE_URL": "https://gateway.example",
        "PENALTY_GOTADI_API_KEY": API_KEY,
        "PENALTY_GOTADI_ACCESS_CODE": ACCESS_CODE,
        "PENALTY_GOTADI_PRIVATE_KEY": str(private),
        "PENALTY_GOTADI_PUBLIC_KEY": str(public),
        **extra,
    }


def test_settings_from_environment(key_files: tuple[Path, Path], partner_keys: KeyPair) -> None:
    """Every setting can come from PENALTY_GOTADI_* variables; keys load from PEM and XML."""
    settings = Config.load(
        environ=_environ(key_files, PENALTY_GOTADI_BEARER_TOKEN=BEARER,
                         PENALTY_GOTADI_RSA_PADDING="oaep-sha1", PENALTY_GOTADI_TIMEOUT="2.5"),
    )  # fmt: skip
    assert settings.base_url == "https://gateway.example"
    assert settings.api_key.get_secret_value() == API_KEY
    assert settings.bearer_token is not None
    assert settings.rsa_padding is RsaPadding.OAEP_SHA1
    assert settings.timeout == 2.5
    own = settings.keys.own_private.private_numbers()
    assert own == partner_keys.own_private.private_numbers()


def test_settings_from_a_file_with_relative_key_paths_env_wins(
    tmp_path: Path, key_files: tuple[Path, Path], partner_keys: KeyPair
) -> None:
    """A [gotadi] table works, key paths are relative to the file, and the environment wins."""
    _, public = key_files
    private_xml = tmp_path / "keys" / "partner.xml"
    private_xml.parent.mkdir()
    private_xml.write_text(private_key_to_xml(partner_keys.own_private))
    private_xml.chmod(0o600)
    config = tmp_path / "gotadi.toml"
    config.write_text(
        "[gotadi]\n"
        'base_url = "https://file.example/"\n'
        f'api_key = "{API_KEY}"\n'
        f'access_code = "{ACCESS_CODE}"\n'
        'private_key = "keys/partner.xml"\n'
        f'public_key = "{public.name}"\n'
        "timeout = 3\n"
    )
    settings = Config.load(
        config_file=config, environ={"PENALTY_GOTADI_BASE_URL": "https://env.example"}
    )
    assert settings.base_url == "https://env.example"
    assert settings.timeout == 3
    loaded = Config.load(environ={"PENALTY_GOTADI_CONFIG": str(config)})
    assert loaded.base_url == "https://file.example"


@pytest.mark.parametrize(
    ("drop", "path"),
    [
        ("PENALTY_GOTADI_API_KEY", "gotadi.api_key"),
        ("PENALTY_GOTADI_BASE_URL", "gotadi.base_url"),
        ("PENALTY_GOTADI_PRIVATE_KEY", "gotadi.private_key"),
    ],
    ids=["api-key", "base-url", "private-key"],
)
def test_a_missing_setting_names_its_variable(
    drop: str, path: str, key_files: tuple[Path, Path]
) -> None:
    """A missing setting is InvalidInput naming the setting and the variable to set."""
    environ = _environ(key_files)
    del environ[drop]
    with pytest.raises(InvalidInput) as caught:
        Config.load(environ=environ)
    assert caught.value.path == path
    assert drop in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PENALTY_GOTADI_BASE_URL", "http://gateway.example"),
        ("PENALTY_GOTADI_ACCESS_CODE", "TEST-ONLY|pipe"),
        ("PENALTY_GOTADI_RSA_PADDING", "oaep-md5"),
        ("PENALTY_GOTADI_TIMEOUT", "-1"),
    ],
    ids=["plain-http", "pipe-in-access-code", "padding", "timeout"],
)
def test_bad_settings_are_refused_without_echoing_them(
    name: str, value: str, key_files: tuple[Path, Path]
) -> None:
    """Plain http off loopback, '|' in the access code, unknown padding: refused, value unsaid."""
    with pytest.raises(InvalidInput) as caught:
        Config.load(environ=_environ(key_files, **{name: value}))
    assert value not in str(caught.value)


def test_loopback_http_is_allowed_for_the_sandbox(key_files: tuple[Path, Path]) -> None:
    """http://127.0.0.1:PORT and http://localhost are fine (a local sandbox)."""
    for url in ("http://127.0.0.1:8080", "http://localhost:9000/", "http://[::1]:1"):
        environ = _environ(key_files, PENALTY_GOTADI_BASE_URL=url)
        assert Config.load(environ=environ).base_url == url.rstrip("/")


def test_settings_repr_and_errors_hide_the_secrets(key_files: tuple[Path, Path]) -> None:
    """repr/str of settings show no api key, access code or token."""
    settings = Config.load(environ=_environ(key_files, PENALTY_GOTADI_BEARER_TOKEN=BEARER))
    for text in (repr(settings), str(settings), repr(settings.model_dump())):
        for secret in SECRETS:
            assert secret not in text
