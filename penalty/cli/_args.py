"""Argument types for the provider commands: every number range-checked before anything runs.

A bad value is argparse's usage error: one line on stderr, exit 2 (`penalty.cli`).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from typing import Any

from penalty.errors import InvalidInput

__all__ = ["MAX_PORT", "MAX_SECONDS", "credential", "port", "seconds"]

MAX_PORT = 65535
#: The longest wait or delay a command accepts (a day).
MAX_SECONDS = 86_400.0


def seconds(text: str) -> float:
    """A duration: finite, above 0, at most `MAX_SECONDS` (``nan``, ``inf``, ``-1`` refused).

    Example:
        >>> seconds("2.5")
        2.5
        >>> seconds("nan")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: 'nan' is not a number of seconds above 0 and at most 86400
    """
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        msg = f"{text!r} is not a number of seconds above 0 and at most {MAX_SECONDS:g}"
        raise argparse.ArgumentTypeError(msg)
    return value


def port(text: str) -> int:
    """A TCP port, 0 (pick a free one) to `MAX_PORT`.

    Example:
        >>> port("70000")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: '70000' is not a port (0 to 65535)
    """
    if not text.isascii() or not text.isdigit() or int(text) > MAX_PORT:
        msg = f"{text!r} is not a port (0 to {MAX_PORT})"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def credential(credentials: Mapping[str, Any], name: str, default: str) -> str:
    """``credentials[name]`` (a sandbox's ``--config`` table) if present, else ``default``.

    Raises:
        InvalidInput: present but not a non-empty string (named, never shown).
    """
    value = credentials.get(name, default)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("must be a non-empty string", path=name, code="bad_setting")
    return value
