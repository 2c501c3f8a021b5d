"""JSON Lines of bookings into Arrow rows, and Arrow rows back into JSON Lines.

A line is one object: ``{"id": "B1", "booking": {...}, "policy": [...], "format": "gotadi"}``.
``booking`` and ``policy`` are kept as the exact JSON text they were written as (so that every
number stays exact: the engine reads them with `Decimal`), found by walking the line's
top-level object with the standard library's own decoder. A line that is not such an object
still becomes a row, an error row saying why and on which line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any, Final

import pyarrow as pa

from penalty.batch._quote import Row

__all__ = ["JSONL_SCHEMA", "Lines", "json_lines", "lines_to_batch"]

#: The columns read from JSON Lines (``id`` is text: a number is kept as written).
JSONL_SCHEMA: Final = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("booking", pa.string()),
        pa.field("policy", pa.string()),
        pa.field("format", pa.string()),
        pa.field("zone", pa.string()),
    ]
)
#: A chunk of a JSON Lines file: the number of its first line, and its raw bytes.
Lines = tuple[int, bytes]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(parse_float=Decimal)
_scan_string = json.decoder.scanstring  # type: ignore[attr-defined]
_TEXT_FIELDS: Final = ("format", "zone")
_RAW_FIELDS: Final = ("booking", "policy")


class _NotARow(ValueError):
    def __init__(self, code: str, path: str | None, message: str) -> None:
        super().__init__(message)
        self.code, self.path, self.message = code, path, message


def _skip(line: str, at: int) -> int:
    """The position of the first non-whitespace character from ``at`` on."""
    match = _WHITESPACE.match(line, at)
    return at if match is None else match.end()


def _fields(line: str) -> dict[str, tuple[Any, str]]:
    """The top-level object's members: key → (decoded value, exact JSON text)."""
    at = _skip(line, 0)
    if line[at : at + 1] != "{":
        _DECODER.raw_decode(line, at)  # not JSON at all: ValueError, "not_json"
        raise _NotARow("not_an_object", None, "the line is JSON but not an object")
    at = _skip(line, at + 1)
    found: dict[str, tuple[Any, str]] = {}
    if line[at : at + 1] == "}":
        at += 1
    else:
        while True:
            if line[at : at + 1] != '"':
                raise ValueError("expected a key")
            key, at = _scan_string(line, at + 1)
            at = _skip(line, at)
            if line[at : at + 1] != ":":
                raise ValueError("expected ':'")
            start = _skip(line, at + 1)
            value, at = _DECODER.raw_decode(line, start)
            if key in found:
                raise _NotARow("duplicate_key", key, f"the key {key!r} appears twice")
            found[key] = (value, line[start:at])
            at = _skip(line, at)
            mark = line[at : at + 1]
            at += 1
            if mark == "}":
                break
            if mark != ",":
                raise ValueError("expected ',' or '}'")
            at = _skip(line, at)
    if _skip(line, at) != len(line):
        raise ValueError("text after the object")
    return found


def _row(line: str) -> tuple[str | None, ...]:
    """``(id, booking, policy, format, zone)`` of one line."""
    try:
        found = _fields(line)
    except _NotARow:
        raise
    except (ValueError, RecursionError) as exc:
        raise _NotARow("not_json", None, f"the line is not JSON ({exc})") from None
    values: list[str | None] = []
    ident = found.get("id")
    values.append(None if ident is None or ident[0] is None else _identifier(ident))
    for name in _RAW_FIELDS:
        raw = found.get(name)
        values.append(None if raw is None or raw[0] is None else raw[1])
    for name in _TEXT_FIELDS:
        value = found.get(name, (None, ""))[0]
        if value is not None and not isinstance(value, str):
            raise _NotARow("wrong_type", name, f"{name} must be text, not {type(value).__name__}")
        values.append(value)
    return tuple(values)


def _identifier(member: tuple[Any, str]) -> str:
    value, raw = member
    return value if isinstance(value, str) else raw


def lines_to_batch(chunk: Lines) -> tuple[pa.RecordBatch, dict[int, Row]]:
    """The rows of a chunk of JSON Lines, and the error rows of lines that are not rows.

    Blank lines are skipped; every other line is one row, in order.
    """
    first, data = chunk
    columns: list[list[str | None]] = [[] for _ in JSONL_SCHEMA]
    errors: dict[int, Row] = {}
    for offset, raw in enumerate(data.splitlines()):
        number = first + offset
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            row: tuple[str | None, ...] = (None,) * len(JSONL_SCHEMA)
            errors[len(columns[0])] = _error_row("not_utf8", None, number, "not UTF-8 text")
        else:
            if not line.strip():
                continue
            try:
                row = _row(line)
            except _NotARow as exc:
                row = (None,) * len(JSONL_SCHEMA)
                errors[len(columns[0])] = _error_row(exc.code, exc.path, number, exc.message)
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    arrays = [pa.array(values, type=pa.string()) for values in columns]
    return pa.RecordBatch.from_arrays(arrays, schema=JSONL_SCHEMA), errors


def _error_row(code: str, path: str | None, number: int, message: str) -> Row:
    return (
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        code,
        path,
        f"line {number}: {message}",
    )


def json_lines(source: IO[bytes], rows: int) -> Iterator[Lines]:
    """``source`` cut into chunks of about ``rows`` lines each, at line ends."""
    number = 1
    while True:
        lines = [line for _, line in zip(range(rows), source, strict=False)]
        if not lines:
            return
        yield number, b"".join(lines)
        number += len(lines)


def _compact(raw: str) -> str:
    """JSON text on one line: outside strings a line break is whitespace, inside it is invalid."""
    return raw.replace("\r", " ").replace("\n", " ") if "\n" in raw or "\r" in raw else raw


def _embedded(raw: object, *, trusted: bool) -> str:
    """A booking or policy cell as a JSON value: its own JSON text when it is JSON."""
    if raw is None:
        return "null"
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if not trusted:
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            return json.dumps(text, ensure_ascii=False)
    return _compact(text)


def batch_lines(batch: pa.RecordBatch) -> Iterable[str]:
    """``batch``'s rows as JSON Lines: ``booking`` and ``policy`` as the objects they hold.

    A cell that is not JSON (an error row's) is written as a JSON string.
    """
    names: Sequence[str] = batch.schema.names
    columns = [batch.column(index).to_pylist() for index in range(batch.num_columns)]
    errors = batch.column("error_code").to_pylist() if "error_code" in names else None
    for position, values in enumerate(zip(*columns, strict=True)):
        trusted = errors is not None and errors[position] is None
        parts = []
        for name, value in zip(names, values, strict=True):
            if name in _RAW_FIELDS:
                text = _embedded(value, trusted=trusted)
            elif isinstance(value, bytes):
                text = json.dumps(value.decode("utf-8", "replace"), ensure_ascii=False)
            else:
                text = json.dumps(value, ensure_ascii=False, default=str)
            parts.append(f"{json.dumps(name)}: {text}")
        yield "{" + ", ".join(parts) + "}\n"
