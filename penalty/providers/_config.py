"""Every provider's configuration, one shape: pydantic-settings over the environment and TOML.

A provider's `ProviderConfig` subclass (``gotadi.Config``, ``tiki.Config``, ``ksher.Config``) is
built two ways:

* ``Config(base_url=..., api_key=...)``: exactly the values given (tests, code that has its own
  configuration system);
* ``Config.load(config_file=None, environ=None, **overrides)``: the ``[provider]`` table of a TOML
  file (``config_file``, else ``PENALTY_<P>_CONFIG``), overlaid by ``PENALTY_<P>_<NAME>``
  environment variables, overlaid by ``overrides``. Paths in a file are relative to that file.

Every problem is reported at once, in one `InvalidInput` naming each setting (``gotadi.api_key:
missing (PENALTY_GOTADI_API_KEY or api_key in [gotadi])``), never a value: it may be a secret.
Secrets are `SecretStr`; nothing here reads a secret from a command line. Every number is
range-checked: a timeout is finite, positive and at most `MAX_TIMEOUT` seconds.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

import httpx
from pydantic import AfterValidator, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from penalty.errors import InvalidInput
from penalty.providers._keys import read_limited

__all__ = [
    "MAX_CONFIG_FILE",
    "MAX_TIMEOUT",
    "BaseUrl",
    "HeaderSecret",
    "HeaderText",
    "ProviderConfig",
    "Seconds",
    "check_base_url",
    "is_loopback_url",
    "read_table",
]

#: The longest timeout accepted (seconds).
MAX_TIMEOUT = 300.0
#: The largest config file read.
MAX_CONFIG_FILE = 1024 * 1024
_LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine (``localhost``, ``127.0.0.1``, ``::1``): a sandbox.

    Example:
        >>> is_loopback_url("http://127.0.0.1:8021"), is_loopback_url("https://gateway.example")
        (True, False)
    """
    host = urlsplit(url).hostname
    return host is not None and _is_loopback(host)


def check_base_url(raw: str) -> str:
    """``raw`` without a trailing slash if it is https (or http to a loopback sandbox).

    Example:
        >>> check_base_url("http://127.0.0.1:8080/api/")
        'http://127.0.0.1:8080/api'
    """
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises for a port out of range
    except ValueError:
        msg = "is not a URL with a valid port"
        raise ValueError(msg) from None
    if (
        parts.hostname
        and port != 0
        and (parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname)))
    ):
        return raw.rstrip("/")
    msg = "must be an https:// URL (plain http only for a loopback sandbox)"
    raise ValueError(msg)


def _printable_ascii(text: str) -> str:
    if not text.strip():
        msg = "must not be empty"
        raise ValueError(msg)
    if not (text.isascii() and text.isprintable()) or text != text.strip():
        msg = "must be printable ASCII without surrounding spaces (it is sent in an HTTP header)"
        raise ValueError(msg)
    return text


def _header_secret(secret: SecretStr) -> SecretStr:
    _printable_ascii(secret.get_secret_value())
    return secret


#: A base URL: https, or plain http to a loopback sandbox; no trailing slash.
BaseUrl = Annotated[str, AfterValidator(check_base_url)]
#: Seconds: finite, positive, at most `MAX_TIMEOUT`.
Seconds = Annotated[float, Field(gt=0, le=MAX_TIMEOUT, allow_inf_nan=False)]
#: A value sent in an HTTP header: printable ASCII.
HeaderText = Annotated[str, AfterValidator(_printable_ascii)]
#: A secret sent in an HTTP header: printable ASCII, never shown.
HeaderSecret = Annotated[SecretStr, AfterValidator(_header_secret)]


@dataclass(frozen=True, slots=True)
class _Loading:
    config_file: str | Path | None
    environ: Mapping[str, str]


#: Set while `ProviderConfig.load` builds a config: which file and environment to read.
_LOADING: ContextVar[_Loading | None] = ContextVar("penalty_config_loading", default=None)


class _Environment(EnvSettingsSource):
    """``PENALTY_<P>_<NAME>`` from a given mapping (``os.environ`` unless told otherwise)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def read_table(path: str | Path, provider: str) -> dict[str, Any]:
    """The ``[provider]`` table of the TOML file ``path`` (at most `MAX_CONFIG_FILE` bytes).

    Raises:
        InvalidInput: unreadable, not a regular file, too large, not TOML, or no such table;
            the message names the file and a line, never the content.
    """
    setting = f"{provider}.config"
    data = read_limited(path, setting=setting, limit=MAX_CONFIG_FILE, what="config file")
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text", path=setting, code="not_toml") from None
    except tomllib.TOMLDecodeError as exc:
        # The parser's message names a line and column, never the content.
        raise InvalidInput(f"{path} is not TOML ({exc})", path=setting, code="not_toml") from None
    table = document.get(provider)
    if not isinstance(table, dict):
        raise InvalidInput(f"{path} has no [{provider}] table", path=setting, code="missing")
    return table


class _TomlTable(PydanticBaseSettingsSource):
    """The ``[provider]`` table of a TOML file, its path settings made relative to the file."""

    def __init__(self, settings_cls: type[ProviderConfig], path: Path) -> None:
        super().__init__(settings_cls)
        self.path = path
        self.table = self._read(settings_cls)

    def _read(self, settings_cls: type[ProviderConfig]) -> dict[str, Any]:
        table = read_table(self.path, settings_cls.provider)
        for name in settings_cls.path_settings:
            if isinstance(table.get(name), str):
                table[name] = self.path.parent / Path(table[name]).expanduser()
        return table

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """The table's value for ``field_name`` (pydantic-settings' source interface)."""
        del field
        return self.table.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.table)


class ProviderConfig(BaseSettings):
    """The settings every provider has; a provider's ``Config`` adds its own.

    Subclasses set ``provider`` (``"gotadi"``), ``model_config`` with
    ``env_prefix="PENALTY_<P>_"``, and ``path_settings`` (settings that are file paths).
    """

    model_config = SettingsConfigDict(frozen=True, extra="forbid", env_ignore_empty=True)

    provider: ClassVar[str] = "provider"
    #: Settings that name a file: resolved against the config file's folder.
    path_settings: ClassVar[tuple[str, ...]] = ()

    base_url: BaseUrl
    #: Seconds to wait for an answer (each read; connecting waits at most 5 s of it).
    timeout: Seconds = 15.0

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Constructor values only, unless `load` is reading the environment and a file."""
        del env_settings, dotenv_settings, file_secret_settings
        loading = _LOADING.get()
        if loading is None or not issubclass(settings_cls, ProviderConfig):
            return (init_settings,)
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            _Environment(settings_cls, loading.environ),
        ]
        if loading.config_file:
            sources.append(_TomlTable(settings_cls, Path(loading.config_file).expanduser()))
        return tuple(sources)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise self._invalid(exc) from None

    @classmethod
    def _invalid(cls, exc: ValidationError) -> InvalidInput:
        """One error naming every bad setting, never a value (it may be a secret)."""
        prefix = cls.model_config.get("env_prefix", "")
        problems: list[tuple[str, str, str]] = []
        for error in exc.errors(include_url=False):
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            cause = (error.get("ctx") or {}).get("error")
            if error["type"] == "missing":
                how = f"{prefix}{name.upper()} or {name} in [{cls.provider}]"
                problems.append((name, f"missing (set {how})", "bad_setting"))
            elif error["type"] == "extra_forbidden":
                problems.append((name, "is not a setting", "unknown"))
            elif isinstance(cause, InvalidInput):
                problems.append((name, cause.message, cause.code))
            else:
                problems.append((name, error["msg"].removeprefix("Value error, "), "bad_setting"))
        if len(problems) == 1:
            name, message, code = problems[0]
            return InvalidInput(message, path=f"{cls.provider}.{name}", code=code)
        text = "; ".join(f"{name}: {message}" for name, message, _ in problems)
        codes = {code for _, _, code in problems}
        return InvalidInput(
            text, path=cls.provider, code=codes.pop() if len(codes) == 1 else "bad_setting"
        )

    @classmethod
    def load(
        cls,
        *,
        config_file: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Self:
        """Settings from a TOML file (optional), then ``PENALTY_<P>_*``, then ``overrides``.

        ``overrides`` whose value is ``None`` are left out (a CLI option not given).

        Raises:
            InvalidInput: every missing or malformed setting at once, an unreadable file or
                key, naming the setting or file (never a secret's value).
        """
        env = os.environ if environ is None else environ
        prefix = cls.model_config.get("env_prefix", "")
        loading = _Loading(config_file or env.get(f"{prefix}CONFIG") or None, env)
        token = _LOADING.set(loading)
        try:
            return cls(**{name: value for name, value in overrides.items() if value is not None})
        finally:
            _LOADING.reset(token)

    @property
    def http_timeout(self) -> httpx.Timeout:
        """``timeout`` for each read; connecting gets at most 5 s of it."""
        return httpx.Timeout(self.timeout, connect=min(5.0, self.timeout))
