"""Provider answers as JSON, within documented limits checked before any expensive work.

An answer is read whole only up to `MAX_BODY` bytes (`penalty.providers._http`); then, before
pydantic, a signature or a decryption sees it:

=========================  ======================  =========================================
limit                      value                   refused as (``ProviderProtocolError``)
=========================  ======================  =========================================
nesting of arrays/objects  `MAX_DEPTH` (32)        ``too_deep`` (a cheap scan, before parsing)
digits of one number       `MAX_NUMBER_CHARS` (40) ``number_too_large`` (before converting it)
``NaN``, ``Infinity``      never                   ``not_json``
a key twice in one object  never                   ``duplicate_key`` (which one was signed?)
=========================  ======================  =========================================

Numbers with a fraction become `~decimal.Decimal` (never a float); integers stay `int`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from penalty.errors import ProviderProtocolError
from penalty.limits import MAX_JSON_DEPTH, json_decimal

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "parse_json"]

#: The deepest nesting of arrays and objects read (provider answers nest two or three levels).
MAX_DEPTH = MAX_JSON_DEPTH
#: The longest number read, sign, point and exponent included (an amount has 20 digits at most).
MAX_NUMBER_CHARS = 40

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class _Refused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _depth(content: bytes) -> int:
    """The deepest bracket nesting of ``content``, strings left out (linear, no recursion)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', content)):
        if match.group() in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _number(kind: Callable[[str], int | Decimal]) -> Any:
    def convert(text: str) -> int | Decimal:
        if len(text) > MAX_NUMBER_CHARS:
            raise _Refused("number_too_large", f"a number of {len(text)} characters")
        return kind(text)

    return convert


def _constant(text: str) -> Any:
    raise _Refused("not_json", f"{text} is not a JSON number")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise _Refused("duplicate_key", "an object names one key twice")
    return document


def parse_json(content: bytes, *, provider: str, status_code: int = 200) -> Any:
    """``content`` as JSON within the limits of this module.

    Raises:
        ProviderProtocolError: ``not_json``, ``too_deep``, ``number_too_large`` or
            ``duplicate_key``; the message names the size, never the content.

    Example:
        >>> parse_json(b'{"total": 2100000.00, "nights": 3}', provider="gotadi")
        {'total': Decimal('2100000.00'), 'nights': 3}
        >>> parse_json(b"[" * 40 + b"]" * 40, provider="gotadi")
        Traceback (most recent call last):
        ...
        penalty.errors.ProviderProtocolError: gotadi: HTTP 200 body nests 40 levels deep, more than 32
    """  # noqa: E501 - a doctest's expected line cannot wrap
    depth = _depth(content)
    if depth > MAX_DEPTH:
        raise ProviderProtocolError(
            f"HTTP {status_code} body nests {depth} levels deep, more than {MAX_DEPTH}",
            provider=provider,
            code="too_deep",
        )
    try:
        return json.loads(
            content,
            parse_float=_number(json_decimal),
            parse_int=_number(int),
            parse_constant=_constant,
            object_pairs_hook=_unique,
        )
    except _Refused as exc:
        raise ProviderProtocolError(
            f"HTTP {status_code} body: {exc}", provider=provider, code=exc.code
        ) from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProviderProtocolError(
            f"HTTP {status_code} body is not JSON ({len(content)} bytes)",
            provider=provider,
            code="not_json",
        ) from exc
