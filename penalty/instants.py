"""Instants: strict parsing, zones, DST-safe localization, integer microsecond keys.

Every comparison in the engine is between absolute instants (SEMANTICS rule 1), represented as
integer microseconds since the Unix epoch: exact (rule 2's precision is the microsecond) and
cheap to bisect. A time written without an offset is a wall-clock time in some zone; reading it
is explicit (a zone is named) and refuses DST gaps and folds unless the caller chose how to
resolve them (``fold="earlier"`` or ``"later"``).

pendulum supplies the zones (IANA database, DST rules); strings are parsed strictly here,
never with pendulum's lenient `parse` (which would read a naive string as UTC or accept "now").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Literal

from penalty.errors import InvalidInput

__all__ = [
    "EPOCH",
    "Fold",
    "from_micros",
    "iso_micros",
    "localize",
    "parse_date",
    "parse_instant",
    "to_micros",
    "zone",
]

Fold = Literal["raise", "earlier", "later"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)
_datetime_sub = datetime.__sub__
_fromisoformat = datetime.fromisoformat
_SEPARATORS = frozenset("T ")
#: Years in which an offset can push an instant out of `datetime`'s range.
_EDGE_YEARS = frozenset({"0001", "9999"})

#: An ISO 8601 date and time (extended or basic), optional fraction and offset. No NUL: CPython's
#: `datetime.fromisoformat` stops reading at one ("…+07:00\x00junk" would pass).
_ISO_DATETIME = re.compile(
    r"\d{4}-?\d{2}-?\d{2}[T ]\d{2}(:?\d{2}(:?\d{2}([.,]\d{1,9})?)?)?[^\x00]*", re.ASCII
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The longest cancel time accepted as text (no real one is longer; nothing huge is parsed).
_MAX_TEXT = 64


def to_micros(instant: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (pendulum's included).

    Example:
        >>> to_micros(datetime(2021, 5, 12, 11, tzinfo=UTC))
        1620817200000000
    """
    return _datetime_sub(instant, EPOCH) // ONE_MICROSECOND


def iso_micros(text: str) -> int | None:
    """`to_micros` of a plain ISO 8601 text with an offset; ``None`` for anything else.

    The fast path for a cancel time written as text: ``YYYY-MM-DD``, ``T`` or a space, a
    time and an offset, with nothing around it. For such a text `parse_instant` would give
    the same instant (its pattern only asks for a full date, that separator and an hour); any
    other text (no offset, spaces around it, a week date, junk, a NUL, more than 64 characters,
    the years 1 and 9999 where an offset can overflow) gets ``None`` and goes the slow, fully
    checked way, which accepts or refuses it exactly as before.

    Example:
        >>> iso_micros("2021-05-12T18:00:00+07:00"), iso_micros("2021-05-12T18:00:00")
        (1620817200000000, None)
    """
    if (
        len(text) > _MAX_TEXT
        or text[10:11] not in _SEPARATORS
        or text[4:5] != "-"
        or text[7:8] != "-"
        or text[:4] in _EDGE_YEARS
        or "\x00" in text
    ):
        return None
    try:
        return _datetime_sub(_fromisoformat(text), EPOCH) // ONE_MICROSECOND
    except (ValueError, TypeError):  # not ISO 8601 / no offset (naive minus aware)
        return None


def from_micros(micros: int, tz: tzinfo) -> datetime:
    """The instant ``micros`` as an aware datetime in ``tz``."""
    return (EPOCH + timedelta(microseconds=micros)).astimezone(tz)


@lru_cache(maxsize=256)
def _zone(name: str) -> tzinfo:
    import pendulum

    return pendulum.timezone(name)


def zone(name: object, *, path: str | None, error: type[InvalidInput]) -> tzinfo:
    """The IANA zone ``name`` (``"Asia/Ho_Chi_Minh"``), or ``error`` naming ``path``."""
    if not isinstance(name, str) or not name or len(name) > 64:
        raise error(
            "timezone must be an IANA name like 'Asia/Ho_Chi_Minh'",
            path=path,
            value=name,
            code="invalid_timezone",
        )
    try:
        return _zone(name)
    except (ValueError, OSError) as exc:  # InvalidTimezone is a ValueError; bad keys too
        raise error(
            "unknown IANA timezone", path=path, value=name, code="unknown_timezone"
        ) from exc


def _wall(instant: datetime) -> tuple[int, int, int, int, int, int, int]:
    return (
        instant.year,
        instant.month,
        instant.day,
        instant.hour,
        instant.minute,
        instant.second,
        instant.microsecond,
    )


def localize(
    naive: datetime,
    tz: tzinfo,
    *,
    fold: Fold = "raise",
    path: str | None,
    error: type[InvalidInput],
    value: object = None,
) -> datetime:
    """Read the wall-clock time ``naive`` in ``tz``; refuse DST gaps and folds unless told.

    ``fold="earlier"``/``"later"`` picks the earlier/later of the two instants a fold (or a
    gap) could mean.

    Example:
        >>> paris = zone("Europe/Paris", path=None, error=InvalidInput)
        >>> localize(datetime(2021, 3, 28, 2, 30), paris, path="at", error=InvalidInput)
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: at: local time does not exist in Europe/Paris (DST gap) ...
        >>> localize(datetime(2021, 3, 28, 2, 30), paris, fold="earlier", path="at",
        ...          error=InvalidInput).isoformat()
        '2021-03-28T01:30:00+01:00'
    """
    shown = naive.isoformat() if value is None else value
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    try:
        if first.utcoffset() == second.utcoffset():
            first.astimezone(UTC)  # range check
            return first
        readings = sorted(c.astimezone(UTC) for c in (first, second))
        real = [c for c in (first, second) if _wall(c.astimezone(UTC).astimezone(tz)) == _wall(c)]
    except OverflowError as exc:
        raise error("time is out of range", path=path, value=shown, code="out_of_range") from exc
    if fold == "earlier":
        return readings[0].astimezone(tz)
    if fold == "later":
        return readings[1].astimezone(tz)
    if real:
        raise error(
            f"local time is ambiguous in {tz} (DST fold); choose earlier or later",
            path=path,
            value=shown,
            code="ambiguous_time",
        )
    raise error(
        f"local time does not exist in {tz} (DST gap)",
        path=path,
        value=shown,
        code="nonexistent_time",
    )


def parse_instant(
    raw: object,
    *,
    tz: tzinfo | None,
    fold: Fold = "raise",
    path: str | None,
    error: type[InvalidInput],
) -> datetime:
    """A cancel time: an aware datetime, or an ISO 8601 string with an offset.

    A datetime or string without an offset is read in ``tz`` (the booking's zone) when given,
    and is an error otherwise.

    Example:
        >>> at = parse_instant("2021-05-12T18:00:00+07:00", tz=None, path="at", error=InvalidInput)
        >>> at.isoformat()
        '2021-05-12T18:00:00+07:00'
    """
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > _MAX_TEXT or _ISO_DATETIME.fullmatch(text) is None:
            raise error(
                "not an ISO 8601 date and time like 2021-05-12T18:00:00+07:00",
                path=path,
                value=raw,
                code="invalid_datetime",
            )
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise error(
                "not a valid ISO 8601 date and time", path=path, value=raw, code="invalid_datetime"
            ) from exc
    elif isinstance(raw, datetime):
        parsed = raw
    else:
        raise error(
            "must be an aware datetime or an ISO 8601 string with an offset",
            path=path,
            value=raw,
            code="wrong_type",
        )
    if parsed.utcoffset() is not None:
        try:
            parsed.astimezone(UTC)
        except OverflowError as exc:
            raise error("time is out of range", path=path, value=raw, code="out_of_range") from exc
        return parsed
    if tz is None:
        raise error(
            "time has no offset and the booking names no timezone",
            path=path,
            value=raw,
            code="naive_datetime",
        )
    return localize(parsed, tz, fold=fold, path=path, error=error, value=raw)


def parse_date(raw: object, *, path: str | None, error: type[InvalidInput]) -> date:
    """A calendar date: a `date` (not a datetime) or ``"YYYY-MM-DD"``."""
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str) and _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise error("not a valid date", path=path, value=raw, code="invalid_date") from exc
    raise error("must be a date like 2021-05-13", path=path, value=raw, code="invalid_date")
