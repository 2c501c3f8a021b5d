"""Reading a request: the body within its size limit, strict JSON, the members' types, and the
cache key of what it asks to compile.

JSON numbers become exact `Decimal`s (never floats: money travels exactly), ``NaN`` and
``Infinity`` are refused, an object with a key twice is refused (parsers disagree on which one
wins), nesting is bounded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from starlette.types import Receive

from penalty.errors import InvalidInput
from penalty.limits import DuplicateKeyError, json_decimal, refuse_duplicate_keys
from penalty.limits import check_depth as _check_depth
from penalty.service._engine import FORMAT_NAMES
from penalty.service.problems import Problem

__all__ = ["Body", "cache_key", "check_depth", "parse_body", "read_body"]

FOLDS: Final = ("raise", "earlier", "later")
#: Chart widths (CSS pixels) a preview may ask for.
MIN_WIDTH, MAX_WIDTH = 280, 1920
_JSON_TYPES: Final = (b"application/json", b"application/problem+json")


async def read_body(headers: dict[bytes, bytes], receive: Receive, limit: int) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes (by its Content-Length when it
    says, else as it arrives) and 415 when it is declared as something other than JSON.

    ``headers`` are the request's, lower-case names (ASGI's raw bytes).
    """
    kind = headers.get(b"content-type")
    if kind is not None:
        base = kind.split(b";", 1)[0].strip().lower()
        if base not in _JSON_TYPES and not base.endswith(b"+json"):
            raise Problem(
                415,
                "unsupported_media_type",
                "the request body must be JSON (Content-Type: application/json)",
                path="Content-Type",
                value=kind.decode("latin-1"),
            )
    length = headers.get(b"content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise _too_large(limit)
    message = await receive()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        if len(body) > limit:
            raise _too_large(limit)
        return body
    chunks = [body]
    size = len(body)
    while message.get("more_body", False):
        message = await receive()
        if message["type"] != "http.request":
            raise Problem(400, "disconnected", "the client went away", path="body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> Problem:
    return Problem(
        413,
        "body_too_large",
        f"the request body is larger than {limit} bytes",
        path="body",
        value=limit,
    )


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _bad_json(message: str, code: str = "not_json", value: Any = None) -> Problem:
    return Problem(400, code, message, path="body", value=value)


_decode = json.JSONDecoder(
    parse_float=json_decimal, parse_constant=_no_constant, object_pairs_hook=refuse_duplicate_keys
).decode


def _loads(body: bytes) -> Any:
    try:
        return _decode(body.decode())
    except DuplicateKeyError as exc:
        raise _bad_json(
            f"the key {exc.key!r} appears twice in one object", "duplicate_key", exc.key
        ) from None
    except json.JSONDecodeError as exc:
        raise _bad_json(
            f"the body is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise _bad_json("the body is nested too deeply", "too_deep") from None
    except UnicodeDecodeError:
        raise _bad_json("the body is not UTF-8 text", "not_utf8") from None
    except ValueError as exc:  # NaN/Infinity, or an integer past Python's 4,300 digits
        raise _bad_json(f"the body holds a number JSON does not allow: {exc}") from None


def check_depth(value: Any, limit: int, path: str) -> None:
    """Refuse (400 ``too_deep``) arrays and objects nested more than ``limit`` levels (the
    engine's check, `penalty.limits.check_depth`, with the service's limit).
    """
    try:
        _check_depth(value, what=f"the {path}", path=path, error=InvalidInput, limit=limit)
    except InvalidInput as exc:
        raise Problem(400, "too_deep", exc.message, path=path, value=limit) from None


def _type_error(name: str, expected: str, value: Any) -> Problem:
    return Problem(422, "invalid_type", f"must be {expected}", path=name, value=value)


@dataclass(slots=True)
class Body:
    """A request's members, checked for type (their content is the engine's to check)."""

    policy: Any
    booking: dict[str, Any]
    format: str
    zone: str | None
    fold: str
    at: str | None
    locale: str
    tz: str | None
    width: int | None
    #: The canonical text of (policy, booking, format, zone, fold) could carry no marker clash.
    keyable: bool


def _choices(document: dict[str, Any]) -> tuple[str, str]:
    """The request's ``format`` and ``fold``, each one of its allowed names."""
    fmt = document.get("format", "auto")
    if fmt not in FORMAT_NAMES:
        raise Problem(
            422,
            "unknown_format",
            f"must be one of: {', '.join(FORMAT_NAMES)}",
            path="format",
            value=fmt,
        )
    fold = document.get("fold", "raise")
    if fold not in FOLDS:
        raise Problem(
            422, "invalid_fold", f"must be one of: {', '.join(FOLDS)}", path="fold", value=fold
        )
    return fmt, fold


def parse_body(raw: bytes, *, allowed: frozenset[str]) -> Body:
    """The request object of ``raw``, every member type-checked (422 naming the member)."""
    document = _loads(raw)
    if not isinstance(document, dict):
        raise Problem(
            422, "invalid_type", "the body must be a JSON object", path="body", value=document
        )
    for name in document:
        if name not in allowed:
            raise Problem(422, "unknown_member", "no such request member", path=name, value=name)
    if "policy" not in document:
        raise Problem(422, "missing", "required", path="policy")
    booking = document.get("booking")
    if not isinstance(booking, dict):
        if "booking" not in document:
            raise Problem(422, "missing", "required", path="booking")
        raise _type_error("booking", "an object of booking fields", booking)
    fmt, fold = _choices(document)
    strings = {}
    for name in ("zone", "at", "tz"):
        value = document.get(name)
        if value is not None and not isinstance(value, str):
            raise _type_error(name, "a string or null", value)
        strings[name] = value
    locale = document.get("locale", "en")
    if not isinstance(locale, str):
        raise _type_error("locale", "a string", locale)
    width = document.get("width")
    if width is not None and (
        isinstance(width, bool) or not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH
    ):
        raise _type_error("width", f"an integer from {MIN_WIDTH} to {MAX_WIDTH}, or null", width)
    return Body(
        policy=document["policy"],
        booking=booking,
        format=fmt,
        zone=strings["zone"],
        fold=fold,
        at=strings["at"],
        locale=locale,
        tz=strings["tz"],
        width=width,
        keyable=b"\\u0000" not in raw,
    )


def _tag(value: Any) -> Any:
    # A NUL-keyed object stands for a JSON number read as a Decimal; a request whose text holds
    # an escaped NUL anywhere is never keyed (`Body.keyable`), so no string can imitate it.
    if isinstance(value, Decimal):
        return {"\x00": str(value)}
    msg = f"not JSON: {type(value).__name__}"
    raise TypeError(msg)


_canonical = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_tag
).encode


def cache_key(body: Body) -> bytes | None:
    """The digest of the canonical JSON of (policy, booking, format, zone, fold), or ``None``
    when the request cannot be keyed safely (it holds an escaped NUL).
    """
    if not body.keyable:
        return None
    text = _canonical([body.policy, body.booking, body.format, body.zone, body.fold])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
