"""Generated files of open bookings for the batch tests: every format, bad rows mixed in.

Rows are built from the formats' published fixtures (``fixtures/formats/*/cases.json`` and the
Gotadi examples), each moved in time by a whole number of days so that its windows fall around
the test's instant (every phase shows up), with the payload's numbers kept exactly as written
(dates are shifted in the JSON text itself). About one row in eight is bad in one of many
ways. `expected` is what the engine says of a row, asked directly, one public call at a time.
"""

from __future__ import annotations

import csv
import functools
import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import penalty
from tests.helpers import FIXTURES

#: The instant the generated files are quoted at.
AT = datetime(2030, 6, 15, 9, 30, tzinfo=UTC)
COLUMNS = ("id", "booking", "policy", "format", "zone")
_ISO_DAY = re.compile(r'"(\d{4})-(\d{2})-(\d{2})')
_GOTADI_DAY = re.compile(r'"(\d{2})/(\d{2})/(\d{4})')


@dataclass(frozen=True)
class Case:
    """A fixture: its format, payload text, booking, zone and a day inside its windows."""

    format: str
    payload: str
    booking: dict[str, Any]
    zone: str | None
    anchor: date


@dataclass(frozen=True)
class Row:
    """One row of a generated file; ``line`` is raw JSONL for rows only JSONL can hold."""

    id: str | None
    booking: str | None
    policy: str | None
    format: str | None
    zone: str | None
    line: str | None = None
    #: The error code a row of its own kind ends with before any quoting (a JSONL line that is
    #: not an object); ``None`` for rows the engine decides.
    preset: str | None = None


def _day(text: str) -> date:
    return datetime.fromisoformat(text).date()


def cases() -> list[Case]:
    """Every published fixture of every format."""
    found: list[Case] = []
    for folder in sorted(p for p in (FIXTURES / "formats").iterdir() if p.is_dir()):
        for case in json.loads((folder / "cases.json").read_text(encoding="utf-8")):
            payload = (folder / case["payload"]).read_text(encoding="utf-8")
            anchor = _day(case["quotes"][len(case["quotes"]) // 2]["at"])
            found.append(Case(folder.name, payload, case["booking"], case.get("zone"), anchor))
    booking = json.loads((FIXTURES / "gotadi" / "booking.json").read_text(encoding="utf-8"))
    found += [
        Case("gotadi", path.read_text(encoding="utf-8"), booking, None, date(2021, 5, 12))
        for path in sorted((FIXTURES / "gotadi").glob("example*.json"))
    ]
    live = FIXTURES / "gotadi" / "live_response.json"
    live_booking = json.loads(
        (FIXTURES / "gotadi" / "booking_live.json").read_text(encoding="utf-8")
    )
    found.append(
        Case("gotadi", live.read_text(encoding="utf-8"), live_booking, None, date(2021, 8, 26))
    )
    return found


def _shift(text: str, days: int) -> str:
    """Every calendar date written in ``text`` (ISO or Gotadi's dd/MM/yyyy) moved by ``days``."""

    def iso(match: re.Match[str]) -> str:
        moved = date(int(match[1]), int(match[2]), int(match[3])) + timedelta(days=days)
        return f'"{moved.isoformat()}'

    def gotadi(match: re.Match[str]) -> str:
        moved = date(int(match[3]), int(match[2]), int(match[1])) + timedelta(days=days)
        return f'"{moved:%d/%m/%Y}'

    return _GOTADI_DAY.sub(gotadi, _ISO_DAY.sub(iso, text))


def _compact(text: str) -> str:
    return " ".join(text.split("\n"))


def _good(case: Case, rng: random.Random, ident: str) -> Row:
    days = (AT.date() - case.anchor).days + rng.randint(-4, 4)
    booking = _shift(json.dumps(case.booking), days)
    return Row(ident, booking, _compact(_shift(case.payload, days)), case.format, case.zone)


def _bad(case: Case, rng: random.Random, ident: str) -> Row:
    good = _good(case, rng, ident)
    kind = rng.randrange(9)
    booking = json.loads(good.booking or "{}")
    if kind == 0:
        return Row(
            ident, json.dumps({**booking, "total": "12,5"}), good.policy, good.format, good.zone
        )
    if kind == 1:
        return Row(
            ident, json.dumps({**booking, "currency": "XYZ"}), good.policy, good.format, good.zone
        )
    if kind == 2:
        return Row(ident, None, good.policy, good.format, good.zone)
    if kind == 3:
        return Row(ident, good.booking, good.policy, "nope", good.zone)
    if kind == 4:
        refused = {"result": {"cancelPenalties": [], "status": "NOT_ALLOW_CANCELLATION"}}
        return Row(ident, good.booking, json.dumps(refused), "gotadi", None)
    if kind == 5:
        return Row(ident, good.booking, good.policy, good.format, "Mars/Olympus")
    if kind == 6:
        other = "EUR" if booking.get("currency") != "EUR" else "USD"
        return Row(
            ident, json.dumps({**booking, "currency": other}), good.policy, good.format, good.zone
        )
    if kind == 7:
        return Row(ident, json.dumps([booking]), good.policy, good.format, good.zone)
    return Row(ident, good.booking, '[{"startDate": 1}]', good.format, good.zone)


def generate(count: int, seed: int = 16) -> list[Row]:
    """``count`` rows: every fixture, moved around `AT`; about one in eight bad."""
    rng = random.Random(seed)
    every = cases()
    rows: list[Row] = []
    for index in range(count):
        case = every[index % len(every)]
        ident = f"R{index:05d}"
        rows.append(_bad(case, rng, ident) if rng.random() < 0.125 else _good(case, rng, ident))
    return rows


# -- files -------------------------------------------------------------------------------------


def _object(row: Row) -> str:
    parts = [f'"id": {json.dumps(row.id)}']
    for name, raw in (("booking", row.booking), ("policy", row.policy)):
        parts.append(f'"{name}": {"null" if raw is None else raw}')
    if row.format is not None:
        parts.append(f'"format": {json.dumps(row.format)}')
    if row.zone is not None:
        parts.append(f'"zone": {json.dumps(row.zone)}')
    return "{" + ", ".join(parts) + "}"


#: Lines only JSON Lines can hold, and the error each becomes.
JSONL_ONLY = (
    Row(None, None, None, None, None, line="this is not JSON", preset="not_json"),
    Row(None, None, None, None, None, line="[1, 2, 3]", preset="not_an_object"),
    Row(
        None,
        None,
        None,
        None,
        None,
        line='{"id": "X", "booking": {}, "format": 5}',
        preset="wrong_type",
    ),
    Row(None, None, None, None, None, line='{"id": "Y", "id": "Z"}', preset="duplicate_key"),
)


def with_jsonl_garbage(rows: list[Row]) -> list[Row]:
    """``rows`` with the `JSONL_ONLY` lines spread among them."""
    out = list(rows)
    for offset, garbage in enumerate(JSONL_ONLY):
        out.insert(min(len(out), 37 + offset * 401), garbage)
    return out


def write_jsonl(rows: Iterable[Row], path: Path) -> None:
    """One object a line (booking and policy as objects); blank lines here and there."""
    with path.open("w", encoding="utf-8") as handle:
        for index, row in enumerate(rows):
            handle.write((row.line if row.line is not None else _object(row)) + "\n")
            if index % 500 == 250:
                handle.write("\n")


def write_csv(rows: Iterable[Row], path: Path) -> None:
    """A header, then booking and policy as JSON text cells (empty for none)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([getattr(row, name) or "" for name in COLUMNS])


def write_parquet(rows: Iterable[Row], path: Path, *, row_group: int = 256) -> None:
    """Booking and policy as JSON text, small row groups (several Dask parts)."""
    listed = list(rows)
    table = pa.table(
        {name: pa.array([getattr(row, name) for row in listed], pa.string()) for name in COLUMNS}
    )
    pq.write_table(table, path, row_group_size=row_group)


# -- what the engine says -----------------------------------------------------------------------


def _attempt(step: Callable[[], Any]) -> tuple[Any, str | None]:
    try:
        return step(), None
    except penalty.PenaltyError as exc:
        return None, exc.code


@functools.cache
def expected(row: Row, at: datetime = AT) -> dict[str, Any]:
    """The result columns of ``row`` at ``at``, from the engine's public calls one by one."""
    if row.preset is not None:
        return {"error_code": row.preset}
    if not row.booking:
        return {"error_code": "missing"}
    if not row.policy:
        return {"error_code": "missing"}
    booking, error = _attempt(
        lambda: penalty.Booking.model_validate(json.loads(row.booking or "", parse_float=Decimal))
    )
    if error is None:
        policy, error = _attempt(
            lambda: penalty.parse(row.policy, format=row.format or "auto", zone=row.zone or None)
        )
    if error is None:
        timeline, error = _attempt(lambda: policy.timeline(booking))
    if error is not None:
        return {"error_code": error}
    quote = timeline.quote(at)
    free = timeline.free_until
    change = timeline.next_change(at)
    return {
        "fee": str(quote.fee),
        "fee_minor": int(quote.fee * 10**timeline.digits),
        "currency": quote.currency,
        "phase": quote.phase,
        "free_until": free.isoformat()
        if isinstance(free, datetime)
        else None
        if free is None
        else "always",
        "next_change": None
        if change is None
        else change.since.isoformat()
        if change.since
        else None,
        "next_fee": None if change is None else str(change.fee),
        "refundability": timeline.refundability(at),
        "warnings": ",".join(warning.code for warning in quote.warnings) or None,
        "error_code": None,
    }


def check(rows: list[Row], results: list[dict[str, Any]], at: datetime = AT) -> None:
    """Each result row holds exactly what the engine says of its input row, in order."""
    assert len(results) == len(rows)
    for row, result in zip(rows, results, strict=True):
        want = dict(expected(row, at))
        got = {name: result.get(name) for name in want}
        minor = got.get("fee_minor")
        if isinstance(minor, str):  # CSV holds text
            got["fee_minor"] = int(minor)
        assert got == want, (row, result)
        if want["error_code"] is None:
            assert result.get("error_path") in {None, ""}
            assert result.get("error_message") in {None, ""}
        else:
            assert result.get("fee") in {None, ""}
            assert result.get("error_message")
        if row.line is None:
            assert result.get("id") == row.id
