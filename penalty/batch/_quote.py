"""Every call the batch layer makes into the engine, in one place.

A row is quoted exactly as a user would quote it by hand: ``penalty.parse(policy, format=...,
zone=...)``, ``Booking.model_validate_json(booking)``, ``penalty.compile(policy, booking)``
and ``timeline.summary(at)``. Nothing here computes a fee; it only turns what the engine
returns into flat values (decimal strings, integer minor units, ISO 8601 text) for Arrow.

A row that cannot be quoted becomes an error row: the `PenaltyError`'s ``code``, its ``path``
under the column it came from (``booking.total``, ``policy.cancelPenalties[1].percent``) and
its one-line message. Nothing else is ever caught silently: an unexpected exception is an
``internal_error`` row, counted like every other error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Final

import penalty
from penalty.errors import InvalidInput, InvalidInstant, PenaltyError
from penalty.formats import FORMATS as _ENGINE_FORMATS
from penalty.instants import from_nanos, parse_instant, parse_iso

__all__ = [
    "DEFAULT_FORMAT",
    "ERROR_ROW_WIDTH",
    "FORMATS",
    "INT64_MAX",
    "INT64_MIN",
    "Fees",
    "Row",
    "check_format",
    "instant",
    "instant_micros",
    "quote_row",
    "timeline_fees",
]

#: The ``format`` of a row that names none.
DEFAULT_FORMAT: Final = "auto"
#: Every value a ``format`` cell may hold.
FORMATS: Final = frozenset({*_ENGINE_FORMATS, DEFAULT_FORMAT})
INT64_MAX: Final = 2**63 - 1
INT64_MIN: Final = -(2**63)

#: One quoted row: ``fee``, ``fee_minor``, ``currency``, ``phase``, ``free_until``,
#: ``next_change``, ``next_fee``, ``refundability``, ``warnings``, ``error_code``,
#: ``error_path``, ``error_message``.
Row = tuple[
    str | None,
    int | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
]
ERROR_ROW_WIDTH: Final = 12
#: What `timeline_fees` gives for one row: ``(currency, its minor-unit digits, the fee at each
#: step)``, or the row's error code.
Fees = tuple[str, int, Sequence[Decimal]] | str

_parse = penalty.parse
_booking = penalty.Booking.model_validate_json
_compile = penalty.compile
_NANOS_PER_MICRO = 1000


def instant(at: datetime | str, *, path: str = "at") -> datetime | str:
    """``at`` checked once for a whole batch: an aware instant, or `InvalidInstant`.

    Text is read with the engine's one grammar and must carry an offset (a batch holds hotels
    in many zones; "18:00" alone names no instant). It is turned into a `datetime` (cheaper to
    quote) unless it is finer than a microsecond, which a `datetime` cannot hold.
    """
    nanos, _ = parse_instant(at, tz=None, path=path, error=InvalidInstant)
    if isinstance(at, datetime):
        return at
    if nanos % _NANOS_PER_MICRO:
        return at
    return from_nanos(nanos, UTC)


def instant_micros(text: str, *, path: str) -> tuple[int, tzinfo]:
    """An instant given as text with an offset, as integer microseconds and its offset's zone.

    Raises:
        InvalidInstant: not the engine's ISO 8601, without an offset, or finer than a
            microsecond (exposure steps are whole microseconds).
    """
    nanos, offset = parse_iso(text, path=path, error=InvalidInstant)
    if offset is None:
        raise InvalidInstant(
            "time has no offset: add one (2021-05-12T18:00:00+07:00 or ...Z)",
            path=path,
            value=text,
            code="naive_datetime",
        )
    if nanos % _NANOS_PER_MICRO:
        raise InvalidInstant(
            "exposure steps are whole microseconds", path=path, value=text, code="sub_microsecond"
        )
    parse_instant(text, tz=None, path=path, error=InvalidInstant)  # the range check
    return nanos // _NANOS_PER_MICRO, offset


@lru_cache(maxsize=1024)
def _policy(text: str | bytes, format: str, zone: str | None) -> penalty.Policy:  # noqa: A002
    """A parsed policy, remembered: bookings of one rate plan often share one payload.

    Policies are immutable, so sharing one between rows is safe; an error is not remembered
    (it is raised again for the next row with the same payload).
    """
    return _parse(text, format=format, zone=zone)


def _under(column: str, path: str | None) -> str:
    if not path or path == column:
        return column
    if column == "policy" and path in {"format", "zone"}:
        return path  # the row's own ``format`` / ``zone`` cell
    return f"{column}.{path}"


def _error(code: str, path: str | None, message: str) -> Row:
    return (None, None, None, None, None, None, None, None, None, code, path, message)


def _missing(column: str) -> Row:
    return _error("missing", column, f"{column}: the row has no {column}")


def _read(
    booking: str | bytes | None,
    policy: str | bytes | None,
    format: str | None,  # noqa: A002 - the column's name
    zone: str | None,
) -> penalty.Timeline | Row:
    """The row's timeline, or its error row."""
    if booking is None or not booking:
        return _missing("booking")
    if policy is None or not policy:
        return _missing("policy")
    column = "booking"
    try:
        parsed = _booking(booking)
        column = "policy"
        rules = _policy(policy, format or DEFAULT_FORMAT, zone or None)
        column = "compile"
        return _compile(rules, parsed)
    except PenaltyError as exc:
        where = exc.path if column == "compile" else _under(column, exc.path)
        return _error(exc.code, where, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad row never stops the job; it is counted
        return _error("internal_error", column, f"{type(exc).__name__}: {exc}")


def quote_row(
    booking: str | bytes | None,
    policy: str | bytes | None,
    format: str | None,  # noqa: A002 - the column's name
    zone: str | None,
    at: datetime | str,
) -> Row:
    """The quote of one row at ``at`` (checked by `instant`), or its error row."""
    timeline = _read(booking, policy, format, zone)
    if isinstance(timeline, tuple):
        return timeline
    try:
        summary = timeline.summary(at)
        quote = summary.quote
        fee = quote.fee
        scaled = fee.scaleb(timeline.digits)
        warnings = [warning.code for warning in quote.warnings]
        units = int(scaled)
        if scaled != units:  # the engine rounds to the minor unit: this is a broken promise
            return _error("internal_error", "fee", f"fee {fee} is finer than the minor unit")
        minor = units if INT64_MIN <= units <= INT64_MAX else None
        if minor is None:  # the decimal string is still exact; the integer would not fit
            warnings.append("fee_minor_overflow")
        free = summary.free_until
        change = summary.next_change
    except PenaltyError as exc:
        return _error(exc.code, exc.path, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad row never stops the job; it is counted
        return _error("internal_error", None, f"{type(exc).__name__}: {exc}")
    return (
        str(fee),
        minor,
        quote.currency,
        quote.phase,
        free.isoformat() if isinstance(free, datetime) else None if free is None else "always",
        None if change is None or change.since is None else change.since.isoformat(),
        None if change is None else str(change.fee),
        summary.refundability,
        ",".join(warnings) or None,
        None,
        None,
        None,
    )


def timeline_fees(
    booking: str | bytes | None,
    policy: str | bytes | None,
    format: str | None,  # noqa: A002 - the column's name
    zone: str | None,
    micros: Sequence[int],
) -> Fees:
    """The row's currency, its digits and its fee at each of ``micros``; or its error code."""
    timeline = _read(booking, policy, format, zone)
    if isinstance(timeline, tuple):
        return timeline[9] or "internal_error"
    try:
        return timeline.currency, timeline.digits, list(timeline.fees_at_micros(micros))
    except PenaltyError as exc:
        return exc.code
    except Exception:  # noqa: BLE001 - one bad row never stops the job; it is counted
        return "internal_error"


def check_format(value: str, *, path: str = "format") -> str:
    """A format name for a whole file (``--format``), or `InvalidInput`."""
    if value not in FORMATS:
        raise InvalidInput(
            f"unknown format; one of: {', '.join(sorted(FORMATS))}",
            path=path,
            value=value,
            code="unknown_format",
        )
    return value
