"""Cancellation exposure: per currency, the total fee if every booking were cancelled at each step.

Each row is compiled once and asked its fee at every step at once
(`penalty.Timeline.fees_at_micros`); the fees are added up exactly (`Decimal`) per currency and
step, and the bookings whose fee is 0 at a step are counted as still free. A chunk's sums are an
`Exposure`; chunks computed anywhere (another process, a Dask worker) merge by addition, so the
result does not depend on how the input was split.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from operator import add, not_
from typing import Any, Final

import pyarrow as pa

from penalty.batch._io import Chunk, Failed, unpack
from penalty.batch._jsonl import Lines, lines_to_batch
from penalty.batch._local import peak_rss
from penalty.batch._quote import instant_micros, timeline_fees
from penalty.batch._table import names, texts
from penalty.errors import InvalidInput

__all__ = [
    "MAX_STEPS",
    "Currency",
    "Exposure",
    "exposure_batch",
    "exposure_chunk",
    "moment",
    "parse_duration",
    "steps",
]

#: At most this many steps (a year of hours is 8,784).
MAX_STEPS: Final = 20_000
_DURATION = re.compile(r"([1-9][0-9]{0,6})(s|m|min|h|d|w)")
_UNITS: Final = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_MICROS = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_duration(text: str, *, path: str) -> int:
    """``90s``, ``30m``, ``1h``, ``6h``, ``1d``, ``2w`` as integer microseconds.

    Raises:
        InvalidInput: anything else (``code="invalid_duration"``).
    """
    match = _DURATION.fullmatch(text)
    if match is None:
        raise InvalidInput(
            "a duration is a whole number and a unit: 90s, 30m, 1h, 1d, 2w",
            path=path,
            value=text,
            code="invalid_duration",
        )
    return (int(match.group(1)) * _UNITS[match.group(2)]) // _MICROS


def steps(first: str, last: str, step: str) -> tuple[list[int], tzinfo]:
    """The steps from ``first`` to ``last``, as integer microseconds; and a zone to show them.

    Steps are ``step`` apart; ``last`` is one when it falls on a step. The zone is that of
    ``first``'s offset.

    Raises:
        InvalidInstant: ``first`` or ``last`` is not ISO 8601 with an offset.
        InvalidInput: ``last`` is before ``first``, a bad ``step``, or too many steps.
    """
    start, shown = instant_micros(first, path="from")
    end, _ = instant_micros(last, path="to")
    width = parse_duration(step, path="step")
    if end < start:
        raise InvalidInput("--to is before --from", path="to", value=last, code="empty_range")
    count = (end - start) // width + 1
    if count > MAX_STEPS:
        raise InvalidInput(
            f"{count:,} steps is more than {MAX_STEPS:,}: use a longer --step",
            path="step",
            value=step,
            code="too_many_steps",
        )
    return [start + index * width for index in range(count)], shown


@dataclass
class Currency:
    """One currency's sums: bookings quoted, fee total and still-free count at each step."""

    digits: int
    bookings: int = 0
    totals: list[Decimal] = field(default_factory=list)
    free: list[int] = field(default_factory=list)

    def add(self, fees: Sequence[Decimal]) -> None:
        """One booking's fee at each step."""
        self.bookings += 1
        if self.totals:
            self.totals = list(map(add, self.totals, fees))
            self.free = list(map(add, self.free, map(not_, fees)))
        else:
            self.totals = list(fees)
            self.free = [int(not fee) for fee in fees]

    def merge(self, other: Currency) -> None:
        """Add ``other``'s sums (the same steps) to these."""
        if not other.bookings:
            return
        if not self.bookings:
            self.totals, self.free = list(other.totals), list(other.free)
        else:
            self.totals = list(map(add, self.totals, other.totals))
            self.free = list(map(add, self.free, other.free))
        self.bookings += other.bookings


@dataclass
class Exposure:
    """The exposure of some rows at ``steps`` (integer microseconds)."""

    steps: list[int]
    currencies: dict[str, Currency] = field(default_factory=dict)
    rows: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    #: The largest peak memory of the processes that summed these rows (bytes).
    rss: int = 0

    @property
    def quoted(self) -> int:
        """Rows that were compiled and counted."""
        return self.rows - sum(self.errors.values())

    def merge(self, other: Exposure) -> Exposure:
        """Add ``other`` (over the same steps) to this one; returns ``self``."""
        for code, sums in other.currencies.items():
            mine = self.currencies.get(code)
            if mine is None:
                self.currencies[code] = mine = Currency(sums.digits)
            mine.merge(sums)
        self.rows += other.rows
        self.errors.update(other.errors)
        self.rss = max(self.rss, other.rss)
        return self

    def records(self, zone: tzinfo) -> list[dict[str, Any]]:
        """One record a step and currency.

        Each is ``at`` (ISO 8601 in ``zone``), ``currency``, ``bookings``, ``free``,
        ``fee_total`` (a decimal string) and ``fee_total_minor``.
        """
        out: list[dict[str, Any]] = []
        for code in sorted(self.currencies):
            sums = self.currencies[code]
            for index, micros in enumerate(self.steps):
                total = sums.totals[index]
                out.append(
                    {
                        "at": moment(micros, zone).isoformat(),
                        "currency": code,
                        "bookings": sums.bookings,
                        "free": sums.free[index],
                        "fee_total": str(total),
                        "fee_total_minor": int(total.scaleb(sums.digits)),
                    }
                )
        return out

    def to_json(self, zone: tzinfo) -> dict[str, Any]:
        """``{"steps": [...], "currencies": {...}, "rows", "errors"}``: the chart's data."""
        return {
            "steps": [moment(micros, zone).isoformat() for micros in self.steps],
            "currencies": {
                code: {
                    "bookings": sums.bookings,
                    "fee_total": [str(total) for total in sums.totals],
                    "fee_total_minor": [int(total.scaleb(sums.digits)) for total in sums.totals],
                    "free": sums.free,
                }
                for code, sums in sorted(self.currencies.items())
            },
            "rows": self.rows,
            "errors": dict(sorted(self.errors.items())),
        }

    def dumps(self, zone: tzinfo) -> str:
        """`to_json` as text."""
        return json.dumps(self.to_json(zone), indent=1, ensure_ascii=False) + "\n"


def moment(micros: int, zone: tzinfo) -> datetime:
    """Integer microseconds since the epoch as an aware datetime in ``zone``."""
    return (_EPOCH + micros * _MICROS).astimezone(zone)


def exposure_batch(
    batch: pa.RecordBatch,
    micros: list[int],
    *,
    format: str = "auto",  # noqa: A002 - the column's name
    preset: dict[int, Any] | None = None,
) -> Exposure:
    """The exposure of ``batch``'s rows at each of ``micros`` (a row in error is counted)."""
    result = Exposure(list(micros))
    bookings = texts(batch, "booking", required=True)
    policies = texts(batch, "policy", required=True)
    formats = [cell or format for cell in names(batch, "format")]
    zones = names(batch, "zone")
    skip = preset or {}
    for position, (booking, policy, name, zone) in enumerate(
        zip(bookings, policies, formats, zones, strict=True)
    ):
        result.rows += 1
        if position in skip:
            result.errors[skip[position][9]] += 1
            continue
        fees = timeline_fees(booking, policy, name, zone, micros)
        if isinstance(fees, str):
            result.errors[fees] += 1
            continue
        code, digits, values = fees
        sums = result.currencies.get(code)
        if sums is None:
            result.currencies[code] = sums = Currency(digits)
        sums.add(values)
    return result


def exposure_chunk(
    chunk: Chunk,
    micros: list[int],
    format: str = "auto",  # noqa: A002 - the column's name
    *,
    remote: bool = False,
) -> Exposure:
    """One chunk's exposure: what each worker runs (see `penalty.batch._io.Chunk`).

    ``remote``: the result goes back to another process, with this process's peak memory.
    """
    result = _exposure_of(unpack(chunk), micros, format)
    if remote:
        result.rss = peak_rss()
    return result


def _exposure_of(
    chunk: pa.RecordBatch | Lines | Failed,
    micros: list[int],
    format: str,  # noqa: A002
) -> Exposure:
    if isinstance(chunk, Failed):
        result = Exposure(list(micros), rows=len(chunk.errors))
        result.errors.update(code for code, _, _ in chunk.errors)
        return result
    if isinstance(chunk, tuple):
        batch, preset = lines_to_batch(chunk)
        return exposure_batch(batch, micros, format=format, preset=preset)
    assert isinstance(chunk, pa.RecordBatch)  # noqa: S101 - the three kinds of chunk
    return exposure_batch(chunk, micros, format=format)
