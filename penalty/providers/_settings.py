"""Reading a provider's settings: a ``[provider]`` TOML table overlaid by environment variables.

The convention the Gotadi settings set (`penalty.providers.gotadi.config`), for the Tiki and Ksher
settings: every setting ``name`` of provider ``p`` has an environment variable
``PENALTY_<P>_<NAME>`` and a key in the ``[p]`` table of a TOML file (``--config`` or
``PENALTY_<P>_CONFIG``); the environment wins. Paths in a file are relative to that file.
Errors name the setting, never its value: it may be a secret.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from penalty.errors import InvalidInput

__all__ = ["build_settings", "check_base_url", "env_prefix", "is_loopback_url", "load_values"]

_Settings = TypeVar("_Settings", bound=BaseModel)
_LOOPBACK_NAMES = frozenset({"localhost"})


def env_prefix(provider: str) -> str:
    """``"tiki"`` → ``"PENALTY_TIKI_"``."""
    return f"PENALTY_{provider.upper()}_"


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
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

    Raises:
        ValueError: any other URL (a pydantic validator turns it into a setting error).

    Example:
        >>> check_base_url("http://127.0.0.1:8080/api/")
        'http://127.0.0.1:8080/api'
    """
    parts = urlsplit(raw)
    if parts.hostname and (
        parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname))
    ):
        return raw.rstrip("/")
    msg = "must be an https:// URL (plain http only for a loopback sandbox)"
    raise ValueError(msg)


def _read_table(path: Path, provider: str, names: Collection[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        # The parser's message names a line and column, never the content.
        raise InvalidInput(
            f"config file is not TOML ({exc})", path=str(path), code="not_toml"
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the file name
        reason = exc.strerror if isinstance(exc, OSError) else "its name holds a NUL character"
        raise InvalidInput(
            f"cannot read the config file ({reason})", path=str(path), code="unreadable"
        ) from None
    table = document.get(provider)
    if not isinstance(table, dict):
        raise InvalidInput(f"config file has no [{provider}] table", path=str(path), code="missing")
    unknown = set(table) - set(names)
    if unknown:
        raise InvalidInput(
            f"unknown setting(s): {', '.join(sorted(unknown))}", path=str(path), code="unknown"
        )
    return dict(table)


def load_values(
    provider: str,
    names: Collection[str],
    *,
    paths: Collection[str] = (),
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The raw settings of ``provider``: the config file's table, then the environment.

    Args:
        provider: the table name and variable infix (``"tiki"``).
        names: the settings it knows; anything else in the table is an error.
        paths: the settings that are file paths, resolved against the config file's folder.
        config_file: a TOML file; ``PENALTY_<P>_CONFIG`` when omitted; none is fine.
        environ: the environment (``os.environ`` when omitted).

    Example:
        >>> load_values("tiki", ["client_key"], environ={"PENALTY_TIKI_CLIENT_KEY": "k"})
        {'client_key': 'k'}
    """
    env = os.environ if environ is None else environ
    prefix = env_prefix(provider)
    values: dict[str, Any] = {}
    file_name = config_file or env.get(f"{prefix}CONFIG")
    if file_name:
        file_path = Path(file_name)
        values = _read_table(file_path, provider, names)
        for name in paths:
            if isinstance(values.get(name), str):
                values[name] = file_path.parent / Path(values[name]).expanduser()
    for name in names:
        raw = env.get(f"{prefix}{name.upper()}")
        if raw:
            values[name] = Path(raw).expanduser() if name in paths else raw
    return values


def build_settings(cls: type[_Settings], provider: str, values: Mapping[str, Any]) -> _Settings:
    """``cls(**values)``, with a bad or missing value as `InvalidInput` naming only the setting.

    Example:
        >>> from pydantic import BaseModel
        >>> class S(BaseModel):
        ...     client_key: str
        >>> build_settings(S, "tiki", {})
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: tiki.client_key: missing: set PENALTY_TIKI_CLIENT_KEY or client_key in the config file
    """  # noqa: E501 - a doctest's expected line cannot wrap
    try:
        return cls(**values)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "missing":
            message = (
                f"missing: set {env_prefix(provider)}{name.upper()} or {name} in the config file"
            )
        # Never the value: it may be a secret.
        raise InvalidInput(message, path=f"{provider}.{name}", code="bad_setting") from None
