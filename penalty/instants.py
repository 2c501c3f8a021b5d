"""Instants: one strict ISO 8601 grammar, IANA zones, DST-safe localization, integer nanoseconds.

Every comparison in the engine is between absolute instants (SEMANTICS rule 1), held as integer
nanoseconds since the Unix epoch: exact, cheap to bisect, and fine enough for a wire format that
writes sub-microsecond instants (Python's ints cost nothing extra for it). A time written
without an offset is a wall-clock time in some zone; reading it is explicit (a zone is named)
and refuses DST gaps and folds unless the caller chose how to resolve them
(``fold="earlier"`` or ``"later"``).

**The one grammar.** Every field that takes an instant as text (window dates of every format,
cancel times, ``--at``, ``--now``) is read by `read_iso` / `parse_iso`, and nothing else:

===============================================  ====================================
text                                             read as
===============================================  ====================================
``2021-05-12T18:00:00+07:00``                    an instant
``2021-05-12T11:00:00Z``, ``…-00:00``            an instant, UTC
``2021-05-12 18:00+0700``                        an instant (space, ``±HHMM`` offset)
``2021-05-12T18:00:00.123456789+07:00``          an instant, to the nanosecond
``2021-05-12T18:00``, ``2021-05-12T18:00:00.5``  a wall-clock time (no offset)
===============================================  ====================================

Refused: a date alone (``2021-05-12``), the basic format (``20210513T18``), week and ordinal
dates, an hour alone (``T18``), a decimal comma, lower-case ``t``/``z``, ``24:00``, a leap
second ``:60``, an offset of hours alone (``+07``) or with seconds, more than nine fraction
digits, surrounding spaces, and anything longer than 40 characters.

Zones are IANA names read with `zoneinfo` (the system's tz database, or the ``tzdata`` package).
A name must be one the ``tzdata`` package lists (``UTC``, ``Etc/UTC``, ``Asia/Ho_Chi_Minh``,
``US/Pacific``), spelt exactly; without that package, one shaped like an IANA name. Names that
would read the machine's own settings or are not zones (``localtime``, ``posixrules``,
``Factory``, ``posix/…``, ``right/…``, a path) are refused, in any case.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from typing import Literal

from penalty.errors import InvalidInput
from penalty.limits import MAX_INSTANT_TEXT

__all__ = [
    "DURATION_PATTERN",
    "EPOCH",
    "ISO_PATTERN",
    "NS_PER_SECOND",
    "NS_PER_US",
    "Fold",
    "format_duration",
    "from_nanos",
    "localize",
    "offset_zone",
    "parse_date",
    "parse_duration",
    "parse_instant",
    "parse_iso",
    "read_checked_iso",
    "read_duration",
    "read_iso",
    "to_micros",
    "to_nanos",
    "wall_nanos",
    "wall_time",
    "zone",
]

Fold = Literal["raise", "earlier", "later"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_WALL = datetime(1970, 1, 1)  # noqa: DTZ001 - the epoch of wall-clock nanoseconds
NS_PER_US = 1000
_ONE_US = timedelta(microseconds=1)
_datetime_sub = datetime.__sub__
_fromisoformat = datetime.fromisoformat
_MAX_TEXT = MAX_INSTANT_TEXT
#: ``YYYY-MM-DD``.
_DATE_LENGTH = 10
#: The grammar of the module docstring, as a regular expression that means the same to Python's
#: `re` and to the Rust ``regex`` crate (pydantic-core checks payloads against it while reading
#: their bytes): ASCII digits spelled ``[0-9]``, no look-around.
ISO_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_ISO = re.compile(ISO_PATTERN)
#: ``YYYY-MM-DDTHH:MM:SS.ffffff``: past it, fraction digits finer than a microsecond.
_MICRO_TEXT = 26
#: IANA names: ``Area/Location`` (``America/Argentina/Buenos_Aires``), or a bare ``UTC``.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(?:/[A-Za-z0-9_+-]{1,30}){0,2}", re.ASCII)
#: Names in the tz directory that are not zones, or that would read the machine's settings
#: (compared case-folded: a case-insensitive file system finds ``LocalTime`` too).
_NOT_ZONES = frozenset({"localtime", "posixrules", "factory", "posix", "right", "security"})
#: The instants a `datetime` can hold in UTC.
_FIRST = _datetime_sub(datetime.min.replace(tzinfo=UTC), EPOCH) // _ONE_US * NS_PER_US
_LAST = _datetime_sub(datetime.max.replace(tzinfo=UTC), EPOCH) // _ONE_US * NS_PER_US
#: Offsets and zones are remembered up to this many (real ones are a few dozen, a few hundred).
_MAX_CACHED = 1024
#: Offsets as written (``"+07:00"``, ``"-0400"``, ``"Z"``) and their seconds.
_OFFSET_SECONDS: dict[str, int] = {"Z": 0}
_MAX_OFFSET_HOURS = 23
_MINUTES = 60
NS_PER_SECOND = 1_000_000_000
#: One `timezone` per offset: every window edge written with ``+07:00`` shares one object.
_OFFSETS: dict[timedelta, tzinfo] = {}
_ZONES_BY_SECONDS: dict[int, tzinfo] = {}


def read_iso(text: str) -> tuple[int, tzinfo | None] | None:
    """``text`` in the one grammar as ``(nanoseconds, tz)``; ``None`` if it is not.

    With an offset, the nanoseconds are since the epoch and ``tz`` is the offset's fixed zone;
    without one, they are a wall-clock time's nanoseconds counted as if it were UTC (see
    `localize`) and ``tz`` is ``None``. `parse_iso` says what is wrong with a refused text.

    Example:
        >>> read_iso("2021-05-12T18:00:00+07:00")
        (1620817200000000000, datetime.timezone(datetime.timedelta(seconds=25200)))
        >>> read_iso("2021-05-12T18:00:00.000000001Z")[0] - read_iso("2021-05-12T18:00Z")[0]
        1
        >>> read_iso("20210513T18") is None
        True
    """
    if len(text) > _MAX_TEXT or _ISO.fullmatch(text) is None:
        return None
    return read_checked_iso(text)


def read_checked_iso(text: str) -> tuple[int, tzinfo | None] | None:
    """`read_iso` of a text already known to match `ISO_PATTERN` (pydantic-core checked it).

    ``None`` for a text the pattern lets through but the calendar does not (April 31st).
    """
    if text[-1] == "Z":
        body, offset = text[:-1], "Z"
    elif text[-3] == ":" and text[-6] in "+-":
        body, offset = text[:-6], text[-6:]
    elif text[-5] in "+-":
        body, offset = text[:-5], text[-5:]
    else:
        body, offset = text, ""
    try:
        wall = _datetime_sub(_fromisoformat(body), _EPOCH_WALL) // _ONE_US * NS_PER_US
    except ValueError:
        return None
    if len(body) > _MICRO_TEXT:  # nanoseconds past the microseconds `datetime` keeps
        wall += int(body[_MICRO_TEXT:].ljust(3, "0"))
    if not offset:
        return wall, None
    seconds = _OFFSET_SECONDS.get(offset)
    if seconds is None:
        seconds = _offset_seconds(offset)
        if seconds is None:
            return None
    return wall - seconds * NS_PER_SECOND, offset_zone(seconds)


def _offset_seconds(offset: str) -> int | None:
    """``"+07:00"`` → 25200 (remembered); ``None`` for an offset of 24 hours or more."""
    if offset == "Z":
        return 0
    hours, minutes = int(offset[1:3]), int(offset[-2:])
    if hours > _MAX_OFFSET_HOURS or minutes >= _MINUTES:
        return None
    seconds = (hours * 60 + minutes) * 60 * (-1 if offset[0] == "-" else 1)
    if len(_OFFSET_SECONDS) < _MAX_CACHED:
        _OFFSET_SECONDS[offset] = seconds
    return seconds


def parse_iso(
    raw: object, *, path: str | None, error: type[InvalidInput]
) -> tuple[int, tzinfo | None]:
    """`read_iso`, or ``error`` naming ``path`` and saying what the grammar wants.

    Example:
        >>> parse_iso("2021-05-12", path="at", error=InvalidInput)
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: at: not an ISO 8601 date and time like ... (got '2021-05-12')
    """
    if not isinstance(raw, str):
        raise error(
            f"must be an ISO 8601 string, not {type(raw).__name__}",
            path=path,
            value=raw,
            code="wrong_type",
        )
    read = read_iso(raw)
    if read is None:
        raise error(
            "not an ISO 8601 date and time like 2021-05-12T18:00:00+07:00",
            path=path,
            value=raw,
            code="invalid_datetime",
        )
    return read


def _offset(offset: timedelta) -> tzinfo:
    tz = UTC if not offset else timezone(offset)
    if len(_OFFSETS) < _MAX_CACHED:
        _OFFSETS[offset] = tz
    return tz


def offset_zone(seconds: int) -> tzinfo:
    """The fixed zone ``seconds`` east of UTC (one shared object per offset)."""
    tz = _ZONES_BY_SECONDS.get(seconds)
    if tz is None:
        tz = _offset(timedelta(seconds=seconds))
        if len(_ZONES_BY_SECONDS) < _MAX_CACHED:
            _ZONES_BY_SECONDS[seconds] = tz
    return tz


def to_nanos(instant: datetime) -> int:
    """Nanoseconds since the epoch of an aware datetime.

    Example:
        >>> to_nanos(datetime(2021, 5, 12, 11, tzinfo=UTC))
        1620817200000000000
    """
    return _datetime_sub(instant, EPOCH) // _ONE_US * NS_PER_US


def to_micros(instant: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    return _datetime_sub(instant, EPOCH) // _ONE_US


def wall_nanos(wall: datetime) -> int:
    """A naive (wall-clock) datetime's nanoseconds, counted as if it were UTC."""
    return _datetime_sub(wall.replace(tzinfo=None), _EPOCH_WALL) // _ONE_US * NS_PER_US


def from_nanos(nanos: int, tz: tzinfo) -> datetime:
    """The instant ``nanos`` as an aware datetime in ``tz``, rounded up to the microsecond.

    Instants shown as datetimes are boundaries (a segment's start and end, a window's edges):
    rounded up, the microseconds in ``[from_nanos(start), from_nanos(end))`` are exactly those
    in ``[start, end)``, so a `datetime` quote at a shown start gets that segment's fee.

    Example:
        >>> from_nanos(1620817200000000000, UTC).isoformat()
        '2021-05-12T11:00:00+00:00'
    """
    micros = -(-nanos // NS_PER_US)
    if isinstance(tz, timezone):  # a fixed offset: the wall time, without leaving the range
        offset = tz.utcoffset(None) // _ONE_US
        return (_EPOCH_WALL + timedelta(microseconds=micros + offset)).replace(tzinfo=tz)
    return (EPOCH + timedelta(microseconds=micros)).astimezone(tz)


def wall_time(nanos: int) -> datetime:
    """The naive datetime of wall-clock nanoseconds, rounded up like `from_nanos`."""
    return _EPOCH_WALL + timedelta(microseconds=-(-nanos // NS_PER_US))


#: Zones already found, by name.
_KNOWN_ZONES: dict[str, tzinfo] = {}


def zone(name: object, *, path: str | None, error: type[InvalidInput]) -> tzinfo:
    """The IANA zone ``name`` (``"Asia/Ho_Chi_Minh"``), or ``error`` naming ``path``.

    Example:
        >>> zone("localtime", path="timezone", error=InvalidInput)
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: timezone: unknown IANA timezone ... (got 'localtime')
    """
    known = _KNOWN_ZONES.get(name) if isinstance(name, str) else None
    if known is not None:
        return known
    if not isinstance(name, str):
        raise error(
            "timezone must be an IANA name like 'Asia/Ho_Chi_Minh'",
            path=path,
            value=name,
            code="invalid_timezone",
        )
    listed = _iana_names()
    if (
        _ZONE_NAME.fullmatch(name) is None
        or name.split("/", 1)[0].casefold() in _NOT_ZONES
        or (listed is not None and name not in listed)
    ):
        raise error(
            "unknown IANA timezone (a name like 'Asia/Ho_Chi_Minh')",
            path=path,
            value=name,
            code="unknown_timezone",
        )
    try:
        found = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise error(
            "unknown IANA timezone", path=path, value=name, code="unknown_timezone"
        ) from exc
    if len(_KNOWN_ZONES) < _MAX_CACHED:
        _KNOWN_ZONES[name] = found
    return found


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str] | None:
    """The zone names the ``tzdata`` package lists (IANA's, links included), if it is installed."""
    try:
        text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    except (ImportError, OSError, UnicodeDecodeError):
        return None
    return frozenset(text.split())


def localize(
    wall: int,
    tz: tzinfo,
    *,
    fold: Fold = "raise",
    path: str | None,
    error: type[InvalidInput],
    value: object = None,
) -> int:
    """The instant (nanoseconds) of wall-clock nanoseconds ``wall`` read in ``tz``.

    A DST gap or fold is an error unless ``fold="earlier"``/``"later"`` picks the earlier or
    later of the two instants it could mean.

    Example:
        >>> paris = zone("Europe/Paris", path=None, error=InvalidInput)
        >>> gap = wall_nanos(datetime(2021, 3, 28, 2, 30))
        >>> localize(gap, paris, path="at", error=InvalidInput)
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: at: local time does not exist in Europe/Paris (DST gap) ...
        >>> from_nanos(localize(gap, paris, fold="earlier", path="at", error=InvalidInput),
        ...            paris).isoformat()
        '2021-03-28T01:30:00+01:00'
    """
    micros, extra = divmod(wall, NS_PER_US)
    naive = _EPOCH_WALL + timedelta(microseconds=micros)
    shown = naive.isoformat() if value is None else value
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    try:
        if first.utcoffset() == second.utcoffset():
            return to_nanos(first) + extra
        readings = sorted(to_nanos(c) for c in (first, second))
        real = [c for c in (first, second) if _wall_of(c, tz) == naive]
    except OverflowError as exc:
        raise error("time is out of range", path=path, value=shown, code="out_of_range") from exc
    if fold == "earlier":
        return readings[0] + extra
    if fold == "later":
        return readings[1] + extra
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


def _wall_of(moment: datetime, tz: tzinfo) -> datetime:
    """The wall-clock time ``moment`` really shows in ``tz`` (naive)."""
    return moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None)


def parse_instant(
    raw: object,
    *,
    tz: tzinfo | None,
    fold: Fold = "raise",
    path: str | None,
    error: type[InvalidInput],
) -> tuple[int, bool]:
    """A cancel time as ``(nanoseconds, assumed)``: an aware datetime, or ISO 8601 text.

    Text without an offset is a wall-clock time read in ``tz`` (the hotel's zone), and
    ``assumed`` is ``True`` so that the caller can warn; without ``tz`` it is an error. A
    naive `datetime` is always an error: it is almost always ``datetime.now()`` on a server
    whose zone is not the hotel's (SEMANTICS "Cancel time").

    Example:
        >>> parse_instant("2021-05-12T18:00:00+07:00", tz=None, path="at", error=InvalidInput)
        (1620817200000000000, False)
    """
    if isinstance(raw, datetime):
        try:  # the caller's tzinfo runs here: whatever it raises is an error of the input
            nanos = None if raw.utcoffset() is None else to_nanos(raw)
        except Exception as exc:  # a foreign object's failure, wrapped
            raise error(
                f"the datetime's tzinfo failed ({type(exc).__name__})",
                path=path,
                value=raw,
                code="invalid_tzinfo",
            ) from exc
        if nanos is None:
            raise error(
                "a datetime without tzinfo is ambiguous; pass an aware one, e.g. "
                "datetime.now(UTC) or dt.replace(tzinfo=ZoneInfo('Asia/Ho_Chi_Minh'))",
                path=path,
                value=raw,
                code="naive_datetime",
            )
        return nanos, False
    if not isinstance(raw, str):
        raise error(
            "must be an aware datetime or an ISO 8601 string with an offset",
            path=path,
            value=raw,
            code="wrong_type",
        )
    nanos, offset = parse_iso(raw, path=path, error=error)
    assumed = offset is None
    if assumed:
        if tz is None:
            raise error(
                "time has no offset and the booking names no timezone",
                path=path,
                value=raw,
                code="naive_datetime",
            )
        nanos = localize(nanos, tz, fold=fold, path=path, error=error, value=raw)
    if not _FIRST <= nanos <= _LAST:
        raise error("time is out of range", path=path, value=raw, code="out_of_range")
    return nanos, assumed


def parse_date(raw: object, *, path: str | None, error: type[InvalidInput]) -> date:
    """A calendar date: a `date` (not a datetime) or ``"YYYY-MM-DD"``."""
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if (
        isinstance(raw, str)
        and len(raw) == _DATE_LENGTH
        and raw[4] == raw[7] == "-"
        and raw.isascii()
    ):
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise error("not a valid date", path=path, value=raw, code="invalid_date") from exc
    raise error("must be a date like 2021-05-13", path=path, value=raw, code="invalid_date")


#: An elapsed duration: whole days, hours, minutes and seconds (``P2D``, ``PT48H``, ``P1DT6H``,
#: ``PT0S``), a day being exactly 24 hours. The UCP draft's ``until`` grammar, and the one
#: duration grammar of the package: weeks, months, years, fractions and signs are refused (a
#: month has no fixed length; a calendar deadline is a number of days and a clock time).
DURATION_PATTERN = (
    r"P(?=[0-9]+D|T[0-9])(?:([0-9]+)D)?"
    r"(?:T(?=[0-9])(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?"
)
_DURATION = re.compile(DURATION_PATTERN)
_DURATION_UNITS = (
    86_400 * NS_PER_SECOND,
    3_600 * NS_PER_SECOND,
    60 * NS_PER_SECOND,
    NS_PER_SECOND,
)
#: The UCP draft caps ``until`` at 64 characters.
_MAX_DURATION_TEXT = 64


def read_duration(text: str) -> int | None:
    """``text`` in the duration grammar as exact nanoseconds; ``None`` if it is not.

    Example:
        >>> read_duration("PT48H") == 48 * 3600 * NS_PER_SECOND
        True
        >>> read_duration("P1D") == read_duration("PT24H")
        True
        >>> read_duration("P1M") is None, read_duration("PT") is None
        (True, True)
    """
    if len(text) > _MAX_DURATION_TEXT:
        return None
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    return sum(
        int(part) * unit
        for part, unit in zip(match.groups(), _DURATION_UNITS, strict=True)
        if part is not None
    )


def parse_duration(raw: object, *, path: str | None, error: type[InvalidInput]) -> int:
    """`read_duration`, or ``error`` naming ``path`` and saying what the grammar wants.

    Example:
        >>> parse_duration("P1W", path="before", error=InvalidInput)
        Traceback (most recent call last):
        ...
        penalty.errors.InvalidInput: before: not an ISO 8601 duration of days, hours, ...
    """
    if not isinstance(raw, str):
        raise error(
            f"must be an ISO 8601 duration string, not {type(raw).__name__}",
            path=path,
            value=raw,
            code="wrong_type",
        )
    nanos = read_duration(raw)
    if nanos is None:
        raise error(
            "not an ISO 8601 duration of days, hours, minutes and seconds like PT48H or P2D "
            "(weeks, months, years and fractions are not exact elapsed times)",
            path=path,
            value=raw,
            code="invalid_duration",
        )
    return nanos


def format_duration(nanos: int) -> str:
    """Whole seconds as the shortest text of the duration grammar (`read_duration` reads it).

    Example:
        >>> format_duration(read_duration("PT48H")), format_duration(read_duration("P1DT90M"))
        ('P2D', 'P1DT1H30M')
        >>> format_duration(0)
        'PT0S'
    """
    seconds, extra = divmod(nanos, NS_PER_SECOND)
    if nanos < 0 or extra:
        msg = f"not a whole, non-negative number of seconds: {nanos} ns"
        raise ValueError(msg)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(
        f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value
    )
    if not days and not clock:
        return "PT0S"
    return f"P{f'{days}D' if days else ''}{f'T{clock}' if clock else ''}"
