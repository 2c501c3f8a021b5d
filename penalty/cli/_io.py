"""Reading the CLI's inputs: JSON files (``-`` is standard input), as package errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from penalty.booking import Booking
from penalty.errors import _ESCAPES, InvalidInput
from penalty.instants import Fold
from penalty.limits import MAX_INPUT_BYTES, read_json
from penalty.policy import Policy

__all__ = ["load_booking", "load_json", "load_policy", "terminal_safe"]


def load_json(source: str, *, what: str) -> Any:
    """Parse the JSON in file ``source`` (``-``: stdin); numbers become exact Decimals.

    The file is held to `penalty.limits` before it is parsed: at most 64 MiB (read no further),
    2,000,000 values, 32 levels deep; an object naming a key twice is refused (parsers
    disagree on which one wins).
    """
    if source == "-" and sys.stdin is None:  # started with standard input closed
        raise InvalidInput(
            f"cannot read the {what} file: standard input is closed",
            path=what,
            value=source,
            code="unreadable",
        )
    try:
        if source == "-":
            stream = getattr(sys.stdin, "buffer", sys.stdin)  # bytes; text when replaced
            data = stream.read(MAX_INPUT_BYTES + 1)
        else:
            with Path(source).open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the file name
        reason = exc.strerror if isinstance(exc, OSError) else "its name holds a NUL character"
        raise InvalidInput(
            f"cannot read the {what} file: {reason}",
            path=what,
            value=source,
            code="unreadable",
        ) from exc
    if len(data) > MAX_INPUT_BYTES:  # said before counting what was read
        raise InvalidInput(
            f"the {what} file is larger than 64 MiB", path=what, value=source, code="too_large"
        )
    return read_json(
        data,
        what=f"the {what} file",
        path=what,
        error=InvalidInput,
        unique_keys=True,
        source=source,
    )


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
