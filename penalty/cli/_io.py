"""Reading the CLI's inputs: JSON files (``-`` is standard input), as package errors."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from penalty.booking import Booking
from penalty.errors import _ESCAPES, InvalidInput
from penalty.instants import Fold
from penalty.policy import Policy

__all__ = ["load_booking", "load_json", "load_policy", "terminal_safe"]

_MAX_BYTES = 64 * 1024 * 1024
#: Below Python's int/str conversion limit (4,300 digits), sign included.
_MAX_INT_DIGITS = 4000


def load_json(source: str, *, what: str) -> Any:
    """Parse the JSON in file ``source`` (``-``: stdin); numbers become exact Decimals."""
    try:
        if source == "-":
            text = sys.stdin.read(_MAX_BYTES + 1)
        else:
            with Path(source).open(encoding="utf-8") as handle:
                text = handle.read(_MAX_BYTES + 1)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"the {what} file is not UTF-8 text", path=what, value=source, code="not_utf8"
        ) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the file name
        reason = exc.strerror if isinstance(exc, OSError) else "its name holds a NUL character"
        raise InvalidInput(
            f"cannot read the {what} file: {reason}",
            path=what,
            value=source,
            code="unreadable",
        ) from exc
    if len(text) > _MAX_BYTES:
        raise InvalidInput(
            f"the {what} file is larger than 64 MiB", path=what, value=source, code="too_large"
        )
    try:
        return json.loads(
            text, parse_float=Decimal, parse_int=_integer, object_pairs_hook=_unique_keys
        )
    except _DuplicateKeyError as exc:
        raise InvalidInput(
            f"the {what} file has the key {exc.key!r} twice in one object",
            path=what,
            value=source,
            code="duplicate_key",
        ) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"the {what} file is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            path=what,
            value=source,
            code="not_json",
        ) from exc
    except RecursionError as exc:
        raise InvalidInput(
            f"the {what} file is nested too deeply", path=what, value=source, code="too_deep"
        ) from exc


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different.

    ``{"total": "1", "total": "2"}`` is ambiguous (parsers disagree on which one wins), so it
    is refused rather than read one way.
    """
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return document


def _integer(text: str) -> int | Decimal:
    """A JSON integer.

    One too long for `int` (4,300 digits) stays exact as a `Decimal`, for the field's own check
    to refuse it by name.
    """
    return int(text) if len(text) <= _MAX_INT_DIGITS else Decimal(text)


def load_policy(
    source: str,
    *,
    fold: Fold = "raise",
    format: str = "gotadi",  # noqa: A002 - the CLI option's word
    zone: str | None = None,
) -> Policy:
    """A policy from a JSON file in ``format`` (`penalty.formats`; ``auto`` detects it).

    ``zone`` names the zone of times written without an offset where the format needs one.
    """
    payload = load_json(source, what="policy")
    if format == "gotadi" and zone is None:
        return Policy.from_gotadi(payload, fold=fold)
    from penalty import formats  # only when another format is asked for

    return formats.parse(payload, format=format, zone=zone, fold=fold)


def load_booking(source: str) -> Booking:
    """A booking from a JSON file shaped like `Booking`'s fields."""
    return Booking.model_validate(load_json(source, what="booking"))


#: Every control character but the line feed, escaped: provider text (a window's description)
#: never reaches a terminal as an escape sequence.
_TERMINAL = {code: text for code, text in _ESCAPES.items() if code != ord("\n")}


def terminal_safe(text: str) -> str:
    r"""``text`` with control characters other than line feeds escaped (``\x1b`` …).

    Example:
        >>> terminal_safe("Late\x1b[31m fee\nnext line")
        'Late\\x1b[31m fee\nnext line'
    """
    return text.translate(_TERMINAL)
