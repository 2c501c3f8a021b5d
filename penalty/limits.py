"""Every limit on what `penalty` reads, in one place, each with its reason.

The limits bound the *work*, not only the file: each is checked before the expensive step it
protects (a list's length before its items are validated, a document's size and number of values
before it is parsed), so that every input up to the limits is answered, and every input past them
refused, in bounded time and memory. Exceeding one raises the package's error of the input
(`InvalidPolicy`, `InvalidBooking`, `InvalidInput`) with the code in the table; the CLI exits 2
with one line, the service answers 400/413/422.

=====================================  ================  ==========================================
limit                                  value             refused with (code)
=====================================  ================  ==========================================
`MAX_INPUT_BYTES` a JSON document      64 MiB            ``too_large``
`MAX_JSON_VALUES` values in one        2,000,000         ``too_many_values``
  document (each ``,`` ``[`` ``{``)
`MAX_JSON_DEPTH` nesting of arrays     32 levels         ``too_deep``
  and objects
`MAX_JSON_INT_DIGITS` a JSON integer   4,000 digits      kept exact, refused by its field
`MAX_JSON_EXPONENT` a JSON number's    ±999,999,999,     ``number_out_of_range``
  exponent                             999,999,999
`MAX_AMOUNT_DIGITS` /                  20 digits,        ``too_large`` / ``too_precise``
  `MAX_AMOUNT_DECIMALS` an amount      12 decimals
`MAX_INSTANT_TEXT` a time as text      40 characters     ``invalid_datetime``
`MAX_WINDOWS` windows in a policy      100,000           ``too_many_windows``
`MAX_DATE_RANGES` stay-date ranges     100,000           ``too_many_ranges``
`MAX_STAY_NIGHTS` nights in a stay     3,660             ``stay_too_long``
  (check-in to check-out, or rates)
`MAX_PREVIEW_SEGMENTS` fee steps in    1,000             ``too_many_segments``
  ``penalty preview``
`SERVICE_MAX_BODY_BYTES` a service     1 MiB (default)   HTTP 413 ``body_too_large``
  request body
`SERVICE_MAX_WINDOWS` windows in a     1,000 (default)   HTTP 422 ``too_many_windows``
  service request
=====================================  ================  ==========================================

`read_json` is the one reader of JSON text for the engine's inputs (the CLI's files, text given to
`penalty.formats.parse`, `Booking.model_validate_json`): it checks the size and the number of
values *before* parsing (json's objects cost up to ~110 bytes a value: 64 MiB of ``[{},{},…]``
would be 22 million dicts), reads numbers exactly (`Decimal`), and checks the depth after.
`check_text` is its first half, for text that pydantic-core parses itself; `check_count` refuses a
list by its length before its items are read; `json_decimal` is the ``parse_float`` for any other
JSON reader (the provider clients' and the service's), so that no number escapes as
`decimal.InvalidOperation`. Batch rows are meant to go through the same readers and constants.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from itertools import compress
from typing import Any, Final

from penalty.errors import InvalidInput

__all__ = [
    "MAX_AMOUNT_DECIMALS",
    "MAX_AMOUNT_DIGITS",
    "MAX_DATE_RANGES",
    "MAX_INPUT_BYTES",
    "MAX_INSTANT_TEXT",
    "MAX_JSON_DEPTH",
    "MAX_JSON_EXPONENT",
    "MAX_JSON_INT_DIGITS",
    "MAX_JSON_VALUES",
    "MAX_PREVIEW_SEGMENTS",
    "MAX_STAY_NIGHTS",
    "MAX_WINDOWS",
    "SERVICE_MAX_BODY_BYTES",
    "SERVICE_MAX_WINDOWS",
    "check_count",
    "check_depth",
    "check_text",
    "json_decimal",
    "read_json",
]

#: A JSON document (a CLI file, a payload given as text). Real payloads are a few KB; 64 MiB holds
#: the largest policy the engine takes (`MAX_WINDOWS` windows of ~20 fields) many times over.
MAX_INPUT_BYTES: Final = 64 * 1024 * 1024
#: Values in one document, counted before parsing as the ``,``, ``[`` and ``{`` it holds (an
#: upper bound on its array items and object members, whether or not inside strings). Parsed,
#: a value costs up to ~110 bytes (an empty dict 64, a `Decimal` 104): 2,000,000 of them stay
#: under 250 MB, and 100,000 windows of up to 19 fields fit.
MAX_JSON_VALUES: Final = 2_000_000
#: Nesting of arrays and objects (the service's default too). Every payload any format reads
#: is under 8 levels deep; past a few hundred, parsers recurse out of stack.
MAX_JSON_DEPTH: Final = 32
#: A JSON integer longer than this is kept as an exact `Decimal` (Python's int/str conversion
#: refuses 4,300 digits) so that its field refuses it by name (``too_large``).
MAX_JSON_INT_DIGITS: Final = 4_000
#: The largest exponent a `Decimal` can hold; a JSON number beyond it (``1e99999999999999999999``)
#: cannot even be read exactly.
MAX_JSON_EXPONENT: Final = 999_999_999_999_999_999
#: An amount, percent or night count: 20 integer digits and 12 decimals, every real amount (and
#: no ``10**999`` arithmetic).
MAX_AMOUNT_DIGITS: Final = 20
MAX_AMOUNT_DECIMALS: Final = 12
#: A date and time as text (``2021-05-12T18:00:00.123456789+07:00`` is 35).
MAX_INSTANT_TEXT: Final = 40
#: Windows in one policy. Real policies have 1 to 5; 100,000 compile in about a second and
#: ~150 MB (`make bench`), and every algorithm over them is O(n log n).
MAX_WINDOWS: Final = 100_000
#: Stay-date ranges in one policy (Expedia Rapid's ``nonrefundable_date_ranges``).
MAX_DATE_RANGES: Final = 100_000
#: Nights in one stay (check-in to check-out, or nightly rates): ten years, far beyond any hotel
#: stay, small enough that per-night work is instant (0001-01-01 to 9999-12-31 is 3.65 million).
MAX_STAY_NIGHTS: Final = 3_660
#: Fee steps (segments of the schedule) in one preview: a guest reads a handful, and the
#: sentences and the chart cost about a millisecond each (the chart more, the more there are).
#: `penalty schedule` lists any number.
MAX_PREVIEW_SEGMENTS: Final = 1_000
#: The service's defaults (`penalty serve --max-body`, ``--max-windows``): a page's request is a
#: few KB, and a request is answered while the caller waits.
SERVICE_MAX_BODY_BYTES: Final = 1024 * 1024
SERVICE_MAX_WINDOWS: Final = 1_000


def check_count(
    count: int,
    limit: int,
    *,
    what: str,
    path: str | None,
    error: type[InvalidInput],
    code: str,
) -> None:
    """Refuse ``count`` ``what`` past ``limit`` (before any of them is looked at).

    Example:
        >>> check_count(100_001, MAX_WINDOWS, what="windows", path="cancelPenalties",
        ...             error=InvalidInput, code="too_many_windows")
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: cancelPenalties: more than 100,000 windows (got 100001)
    """
    if count > limit:
        raise error(f"more than {limit:,} {what}", path=path, value=count, code=code)


def check_text(
    data: str | bytes | bytearray, *, what: str, path: str | None, error: type[InvalidInput]
) -> None:
    """The checks before parsing: at most `MAX_INPUT_BYTES` and `MAX_JSON_VALUES`.

    Counting is three passes in C over the text; a count that includes separators inside strings
    only ever errs on the side of refusing a document of over 2,000,000 of them.
    """
    if len(data) > MAX_INPUT_BYTES:
        raise error(
            f"{what} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB",
            path=path,
            value=len(data),
            code="too_large",
        )
    if isinstance(data, str):
        values = 1 + data.count(",") + data.count("[") + data.count("{")
    else:
        values = 1 + data.count(b",") + data.count(b"[") + data.count(b"{")
    if values > MAX_JSON_VALUES:
        raise error(
            f"{what} holds more than {MAX_JSON_VALUES:,} JSON values (counting each ',', "
            "'[' and '{')",
            path=path,
            value=values,
            code="too_many_values",
        )


def check_depth(
    document: object,
    *,
    what: str,
    path: str | None,
    error: type[InvalidInput],
    limit: int = MAX_JSON_DEPTH,
) -> None:
    """Refuse arrays and objects nested more than ``limit`` levels (level by level).

    Each level's containers are picked out by C functions (`itertools.compress` over the
    values' types): about 50 ns a value.
    """
    level: list[Any] = [document] if type(document) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        following: list[Any] = []
        extend = following.extend
        for item in level:
            values = item.values() if type(item) is dict else item
            extend(compress(values, map(_is_container, map(type, values))))
        if following and depth >= limit:
            raise _too_deep(what, path, error, limit)
        level = following


_CONTAINERS = frozenset({dict, list})
_is_container = _CONTAINERS.__contains__


def _too_deep(
    what: str, path: str | None, error: type[InvalidInput], limit: int = MAX_JSON_DEPTH
) -> InvalidInput:
    return error(
        f"{what} is nested more than {limit} levels deep",
        path=path,
        value=limit,
        code="too_deep",
    )


#: A number is shown in a message up to this many characters.
_SHOWN = 40


class _NumberOutOfRangeError(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class DuplicateKeyError(ValueError):
    """An object names ``key`` twice (raised by `refuse_duplicate_keys` while JSON is read)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def json_decimal(text: str) -> Decimal:
    """A JSON number with a fraction or exponent, exactly (``parse_float=json_decimal``).

    Raises `ValueError` (not `decimal.InvalidOperation`, which JSON readers do not expect) for
    an exponent a `Decimal` cannot hold.

    Example:
        >>> json_decimal("-0.0"), json_decimal("1.5e3")
        (Decimal('-0.0'), Decimal('1.5E+3'))
    """
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _NumberOutOfRangeError(text) from None


def _integer(text: str) -> int | Decimal:
    """A JSON integer; one too long for `int` stays an exact `Decimal` for its field to refuse."""
    return int(text) if len(text) <= MAX_JSON_INT_DIGITS else Decimal(text)


def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys all differ (``object_pairs_hook=refuse_duplicate_keys``):
    ``{"total": "1", "total": "2"}`` is ambiguous, JSON readers disagree on which wins.
    """
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return document


_plain = json.JSONDecoder(parse_float=json_decimal, parse_int=_integer).decode
_strict = json.JSONDecoder(
    parse_float=json_decimal, parse_int=_integer, object_pairs_hook=refuse_duplicate_keys
).decode


def read_json(
    data: str | bytes | bytearray,
    *,
    what: str,
    path: str | None,
    error: type[InvalidInput],
    unique_keys: bool = False,
    source: object = None,
) -> Any:
    """Parse JSON text within the limits; numbers become exact `Decimal` s (or ints).

    ``what`` names the document in messages (``"the policy file"``), ``path`` in the error.
    Bytes must be UTF-8 (``not_utf8``). With ``unique_keys`` an object naming a key twice is
    refused (``duplicate_key``). Other codes: ``too_large``, ``too_many_values``, ``not_json``,
    ``number_out_of_range``, ``too_deep``. Each error's value is ``source`` when given (a file
    name), else what was wrong.

    Example:
        >>> read_json(b'{"total": 1.50}', what="the booking", path="booking", error=InvalidInput)
        {'total': Decimal('1.50')}
        >>> read_json('[1e9999999999999999999]', what="the policy", path="policy",
        ...           error=InvalidInput)
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: policy: the policy holds the number 1e9999999999999999999, ...
    """
    try:
        check_text(data, what=what, path=path, error=error)
        if isinstance(data, bytes | bytearray):
            try:
                data = bytes(data).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise error(
                    f"{what} is not UTF-8 text", path=path, value=data[:80], code="not_utf8"
                ) from exc
        try:
            document = (_strict if unique_keys else _plain)(data)
        except DuplicateKeyError as exc:
            raise error(
                f"{what} has the key {exc.key!r} twice in one object",
                path=path,
                value=exc.key,
                code="duplicate_key",
            ) from None
        except _NumberOutOfRangeError as exc:
            number = exc.text if len(exc.text) <= _SHOWN else exc.text[: _SHOWN - 3] + "..."
            raise error(
                f"{what} holds the number {number}, whose exponent is beyond "
                f"±{MAX_JSON_EXPONENT:,}",
                path=path,
                value=exc.text,
                code="number_out_of_range",
            ) from None
        except json.JSONDecodeError as exc:
            raise error(
                f"{what} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                path=path,
                value=data[:80],
                code="not_json",
            ) from None
        except RecursionError:
            raise _too_deep(what, path, error) from None
        check_depth(document, what=what, path=path, error=error)
    except InvalidInput as exc:
        if source is None:
            raise
        raise error(exc.message, path=path, value=source, code=exc.code) from exc.__cause__
    return document
