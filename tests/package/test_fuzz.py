"""Fuzzing: arbitrary JSON and strings in, only the package's documented errors out.

Five targets, each fed both pure noise and near-misses (valid inputs with a few fields mutated, so
that the fuzzer gets past the first check): `Policy.from_gotadi`, the booking model, the quote's
``at`` parser, and the CLI (its files and its arguments). The property is SEMANTICS rule 17 plus
rule 10: every failure is the documented error of its stage (`InvalidPolicy` from parsing and
compiling a policy, `InvalidBooking` from a booking, `InvalidInstant` from a cancel time; the CLI
exits 2 with one line), and anything accepted quotes a fee within ``[0, total]``.

``make test`` runs them in the quick profile (100 examples each); ``make fuzz`` runs only these
(``-m fuzz``) in the ``fuzz`` profile of ``tests/conftest.py`` (20,000 examples each, minutes).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from penalty import (
    Booking,
    InvalidBooking,
    InvalidInstant,
    InvalidPolicy,
    PenaltyError,
    Policy,
    Quote,
    Timeline,
)
from penalty import strategies as ps
from penalty.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from penalty.limits import MAX_INPUT_BYTES, MAX_JSON_VALUES, MAX_WINDOWS
from penalty.money import minor_unit
from tests.helpers import ROOT

pytestmark = pytest.mark.fuzz

# -- noise -----------------------------------------------------------------------------------------

#: Strings that have broken parsers somewhere: signs, exponents, specials, Unicode digits, NUL,
#: line breaks, escapes, lookalikes, huge.
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "NaN",
        "-0",
        "+1",
        "1e999",
        "1E-999",
        "Infinity",
        "0x10",
        "1_000",
        "١٢",
        "７０",
        "²",
        "½",
        "\x00",
        "70\x00",
        "\n",
        "\u2028",
        "\x1b[2J",
        "%",
        "%%",
        ".",
        "1.",
        ".5",
        "1..2",
        "9" * 25,
        "1" * 500,
        "2021-05-12T18:00:00+07:00\x00",
        "2021-05-12T18:00:00+07:00[Asia/Ho_Chi_Minh]",
        "2021-05-12T24:00:00+07:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59.999999-14:00",
        "31/12/9999 23:59",
        "01/01/0001 00:00",
        "29/02/2021 10:00",
        "28/03/2021 02:30",
        "31/10/2021 02:30",
    ]
)
NUMBERISH = st.from_regex(r"\A[ \t]{0,2}[-+]?[0-9٣７]{0,22}(\.[0-9]{0,14})?%{0,2}[ \t]{0,2}\Z")
_TWO = st.integers(0, 99).map("{:02d}".format)
_YEAR = st.sampled_from(["0000", "0001", "1970", "2021", "2038", "9999"]) | st.integers(
    0, 9999
).map("{:04d}".format)
_OFFSET = st.sampled_from(["", "Z", "z", "+07:00", "-07:00", "+14:00", "-12:00", "+25:00", "+0700"])
_FRACTION = st.sampled_from(["", ".000", ".5", ",5", ".123456", ".123456789", "."])


@st.composite
def dateish(draw: st.DrawFn) -> str:
    """ISO 8601 and dd/MM/yyyy look-alikes with out-of-range parts, odd offsets and junk."""
    year, month, day = draw(_YEAR), draw(_TWO), draw(_TWO)
    hour, minute, second = draw(_TWO), draw(_TWO), draw(_TWO)
    if draw(st.booleans()):
        separator = draw(st.sampled_from(["T", " ", "t", "_"]))
        text = f"{year}-{month}-{day}{separator}{hour}:{minute}:{second}"
        text += draw(_FRACTION) + draw(_OFFSET)
    else:
        text = f"{day}/{month}/{year} {hour}:{minute}" + draw(st.sampled_from(["", f":{second}"]))
    return text + draw(st.sampled_from(["", "", " ", "\x00", "x", "\n"]))


TEXT = st.text(max_size=40) | TRICKY | NUMBERISH | dateish()
HUGE_INTS = st.integers(4000, 5000).map(lambda digits: 10**digits)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE_INTS
    | st.floats()
    | st.decimals(allow_nan=True)
    | TEXT
)
KEYS = st.text(max_size=12) | st.sampled_from(
    [
        "startDate",
        "endDate",
        "type",
        "currency",
        "percent",
        "nights",
        "amount",
        "description",
        "result",
        "cancelPenalties",
        "total",
        "nightly_rates",
        "check_in",
        "check_out",
        "timezone",
        "date",
    ]
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=25,
)
WINDOW_KEYS = ("startDate", "endDate", "type", "currency", "percent", "nights", "amount")


@st.composite
def near_gotadi(draw: st.DrawFn, currency: str | None = None) -> Any:
    """Gotadi payloads (list, ``result`` or whole response) with none to a few fields mutated.

    The windows are valid ones in ``currency`` (the booking's, so that a third of the payloads
    compile and quote); half the time up to three (window, field) pairs are then replaced by
    noise or dropped, and now and then a noise entry joins the list.
    """
    code = currency or draw(st.sampled_from(["VND", "USD"]))
    windows: list[dict[str, Any]] = [
        dict(valid) for valid in draw(st.lists(ps.gotadi_windows(code), max_size=4))
    ]
    if windows:
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
            window = windows[draw(st.integers(0, len(windows) - 1))]
            key = draw(st.sampled_from(WINDOW_KEYS))
            if draw(st.integers(0, 5)) == 0:
                window.pop(key, None)
            else:
                window[key] = draw(TEXT | JSON)
    entries: list[Any] = list(windows)
    if draw(st.integers(0, 9)) == 0:
        entries.insert(draw(st.integers(0, len(entries))), draw(JSON))
    shape = draw(st.sampled_from(["list", "result", "response"]))
    if shape == "list":
        return entries
    result = {"status": "ALLOW_CANCELLATION", "cancelPenalties": entries}
    return result if shape == "result" else {"result": result, "success": True}


@st.composite
def policy_cases(draw: st.DrawFn) -> tuple[Any, Booking, Any]:
    """(payload, booking, at): noise or a near-miss in the booking's currency, and an instant."""
    booking = draw(ps.bookings())
    payload = draw(near_gotadi(booking.currency) | near_gotadi(booking.currency) | JSON)
    edges = [  # the payload's own window edges, to quote exactly at a boundary now and then
        value
        for window in _entries(payload)
        for key in ("startDate", "endDate")
        if isinstance(value := window.get(key), str) and value[4:5] == "-"
    ]
    instants = ps.instants() | AT
    return payload, booking, draw(st.sampled_from(edges) | instants if edges else instants)


def _entries(payload: Any) -> list[dict[str, Any]]:
    """The window objects in a payload shaped like one of `near_gotadi`'s (else none)."""
    if isinstance(payload, dict):
        result = payload.get("result", payload)
        payload = result.get("cancelPenalties") if isinstance(result, dict) else None
    if not isinstance(payload, list):
        return []
    return [entry for entry in payload if isinstance(entry, dict)]


@st.composite
def near_booking(draw: st.DrawFn) -> Any:
    """Booking dicts: a valid one with a few fields replaced by noise, dropped or added."""
    data: dict[str, Any] = draw(ps.bookings()).model_dump(mode="json", exclude_none=True)
    data["nightly_rates"] = [
        rate["amount"] if rate.get("date") is None else rate
        for rate in data.get("nightly_rates") or []
    ] or None
    data = {key: value for key, value in data.items() if value is not None}
    names = ["total", "currency", "nightly_rates", "check_in", "check_out", "timezone", "extra"]
    values = {
        "total": NUMBERISH | TRICKY | st.integers() | HUGE_INTS | st.decimals(allow_nan=True),
        "currency": st.sampled_from(["VND", "USD", "KWD", "JPY", "vnd", "XYZ", "", "VN D"]),
        "nightly_rates": st.lists(NUMBERISH | JSON, max_size=4)
        | st.lists(st.fixed_dictionaries({"date": TEXT, "amount": NUMBERISH}), max_size=4),
        "check_in": TEXT | st.dates().map(str),
        "check_out": TEXT | st.dates().map(str),
        "timezone": st.sampled_from(["Europe/Paris", "UTC", "Asia/Atlantis", "", "+07:00"]),
        "extra": JSON,
    }
    for name in draw(st.lists(st.sampled_from(names), max_size=3)):
        if draw(st.integers(0, 4)) == 0:
            data.pop(name, None)
        else:
            data[name] = draw(values[name])
    return data


ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=14)), ZoneInfo("Europe/Paris"), pendulum.timezone("Asia/Tokyo")]
)
AT = (
    TEXT
    | st.datetimes(timezones=st.none() | ZONES)
    | ps.instants().map(datetime.isoformat)
    | st.datetimes().map(datetime.isoformat)
    | JSON
)

# -- checking what was accepted ----------------------------------------------------------------

_WIRE = re.compile(r"\d+\.\d\d")


def _check_quote(quote: Quote, booking: Booking, at: Any) -> None:
    """Rule 10 and the shape of a quote: within [0, total], rounded, holding at ``at``."""
    event(f"quoted: {quote.phase}")
    assert 0 <= quote.fee <= booking.total
    assert quote.currency == booking.currency
    assert -quote.fee.as_tuple().exponent <= minor_unit(booking.currency)  # type: ignore[operator]
    assert _WIRE.fullmatch(quote.gotadi_amount)
    if isinstance(at, datetime) and at.utcoffset() is not None:
        assert quote.since is None or quote.since <= at
        assert quote.until is None or at < quote.until


def _check_error(error: PenaltyError, kind: type[PenaltyError]) -> None:
    """The documented error of its stage (exactly, or a subclass of it), on one short line."""
    event(f"refused: {type(error).__name__} {error.code}")  # `make fuzz` shows how often
    assert isinstance(error, kind), repr(error)
    text = str(error)
    assert "\n" not in text
    assert len(text) < 600


def _quote_or_invalid_instant(timeline: Timeline, at: Any) -> Quote | None:
    try:
        return timeline.quote(at)
    except InvalidInstant as exc:
        error = exc
    _check_error(error, InvalidInstant)
    assert type(error) is InvalidInstant
    assert error.path == "at"
    return None


# -- the targets -------------------------------------------------------------------------------


@given(policy_cases())
@example(
    (
        [{"startDate": "0001-01-01T00:00:00+07:00", "endDate": "x"}],
        Booking.model_validate({"total": "3000000", "currency": "VND"}),
        "2021",
    )
)
def test_policy_parse_compile_quote_raise_only_their_own_errors(
    case: tuple[Any, Booking, Any],
) -> None:
    """Policy.from_gotadi → timeline → quote: InvalidPolicy, then InvalidInstant, or a fee."""
    payload, booking, at = case
    try:
        policy = Policy.from_gotadi(payload)
        timeline = policy.timeline(booking)
    except InvalidPolicy as exc:  # CurrencyMismatch included
        _check_error(exc, InvalidPolicy)
        return
    quote = _quote_or_invalid_instant(timeline, at)
    if quote is not None:
        _check_quote(quote, booking, at)


@given(JSON | near_booking())
def test_booking_validates_or_raises_invalid_booking(payload: Any) -> None:
    """Booking.model_validate: a consistent booking, or InvalidBooking naming the field."""
    try:
        booking = Booking.model_validate(payload)
    except InvalidBooking as exc:
        _check_error(exc, InvalidBooking)
        return
    assert booking.total > 0
    assert booking.night_count is None or booking.night_count > 0
    if booking.check_in is not None and booking.nightly_rates is not None:
        assert len(booking.nightly_rates) == booking.night_count
    policy = Policy.from_gotadi(
        [
            {
                "startDate": "2021-05-12T18:00:00+07:00",
                "endDate": "2021-05-13T18:00:00+07:00",
                "type": "PERCENT",
                "percent": "70%",
                "amount": "1",
            }
        ]
    )
    _check_quote(policy.quote(booking, "2021-05-13T09:00:00+07:00"), booking, None)


_PARIS = Policy.from_gotadi(
    [
        {
            "startDate": "27/03/2021 18:00",
            "endDate": "31/10/2021 01:30",
            "type": "PERCENT",
            "percent": "50%",
        },
        {
            "startDate": "31/10/2021 04:00",
            "endDate": "01/11/2021 10:00",
            "type": "NIGHTS",
            "nights": "1.5",
        },
    ]
)
_BOOKINGS = [
    Booking.model_validate(
        {"total": "300.00", "currency": "EUR", "timezone": "Europe/Paris",
         "check_in": "2021-11-01", "check_out": "2021-11-04"}
    ),
    Booking.model_validate(
        {"total": "3000000", "currency": "VND", "nightly_rates": ["1000000", "2000000"]}
    ),
]  # fmt: skip
_TIMELINES = [_PARIS.timeline(booking) for booking in _BOOKINGS]


@given(AT, st.sampled_from([0, 1]))
@example("2021-10-31T02:30:00", 0)
@example("2021-03-28T02:30:00", 0)
@example("2021-05-13T09:00:00", 1)
@example("2021-05-13T09:00:00+07:00\x00", 0)
def test_at_parser_gives_a_quote_or_invalid_instant(at: Any, which: int) -> None:
    """quote(at) on any value: a quote in bounds, or InvalidInstant; one strict grammar."""
    timeline, booking = _TIMELINES[which], _BOOKINGS[which]
    quote = _quote_or_invalid_instant(timeline, at)
    if quote is not None:
        _check_quote(quote, booking, at)
    if isinstance(at, str):  # the grammar has no room for surrounding spaces
        assert _quote_or_invalid_instant(timeline, f" {at} ") is None


# -- the CLI ---------------------------------------------------------------------------------------


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("")  # `-` as a file name reads an empty standard input
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr("sys.stdin", stdin)
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse: --help (0) and usage errors (2)
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def _one_line_error(err: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("penalty"), err
    assert ": error: " in lines[0], err


@st.composite
def file_text(
    draw: st.DrawFn, valid: st.SearchStrategy[Any], near: st.SearchStrategy[Any]
) -> str | bytes:
    """A file's content: JSON of a valid input, of a near-miss or of noise; text; bytes."""
    kind = draw(st.integers(0, 9))
    if kind < 7:
        try:
            return json.dumps(draw(valid if kind < 5 else near), default=str)
        except ValueError:  # an int over 4,300 digits: json.dumps cannot write it, so do it here
            return '{"total": ' + "1" * 5000 + ', "currency": "VND", "cancelPenalties": []}'

    if kind < 8:
        return draw(st.text(max_size=60))
    return draw(st.binary(max_size=60))


#: Valid VND bookings as JSON objects (the valid policies are in VND too).
_VALID_BOOKINGS = ps.bookings("VND").map(
    lambda booking: {
        **booking.model_dump(mode="json", exclude_none=True, exclude={"nightly_rates"}),
        **(
            {}
            if booking.nightly_rates is None
            else {
                "nightly_rates": [
                    str(rate.amount)
                    if rate.date is None
                    else {"date": str(rate.date), "amount": str(rate.amount)}
                    for rate in booking.nightly_rates
                ]
            }
        ),
    }
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the CLI fuzz writes its input files (module-scoped: Hypothesis reuses it)."""
    return tmp_path_factory.mktemp("fuzz-cli")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=file_text(ps.gotadi_policies() | ps.gotadi_responses(), JSON | near_gotadi()),
    booking=file_text(_VALID_BOOKINGS, JSON | near_booking()),
    at=ps.instants().map(datetime.isoformat) | TEXT,
    command=st.sampled_from(["quote", "schedule"]),
)
def test_cli_on_any_files_exits_0_or_2(
    folder: Path, policy: str | bytes, booking: str | bytes, at: str, command: str
) -> None:
    """penalty quote|schedule --json on any files: exit 0 with fees in bounds, or 2, one line
    (or 1, one line, when the response says the booking cannot be cancelled)."""
    for name, content in (("policy.json", policy), ("booking.json", booking)):
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", errors="surrogatepass")
    argv = [command, str(folder / "policy.json"), "--booking", str(folder / "booking.json")]
    argv += [f"--at={at}", "--json"] if command == "quote" else ["--json"]
    code, out, err = _run(argv)
    event(f"exit {code}")
    if code == EXIT_USAGE:
        assert out == ""
        _one_line_error(err)
        return
    if code == EXIT_FAILED:  # SEMANTICS rule 18: a status that forbids cancelling, no fee
        assert out == ""
        assert "cannot" in err or "does not" in err, err
        assert len(err.splitlines()) == 1, err
        return
    assert code == EXIT_OK, err
    written = (folder / "booking.json").read_text(encoding="utf-8")
    total = Decimal(json.loads(written, parse_float=Decimal, parse_int=Decimal)["total"])
    document = json.loads(out)
    fees = [document["fee"]] if command == "quote" else [s["fee"] for s in document["segments"]]
    assert all(0 <= Decimal(fee) <= total for fee in fees)


OPTIONS = st.sampled_from(
    ["--booking", "--at", "--fold", "--json", "--now", "--locale", "--tz", "--svg", "-h", "--"]
)


@given(
    command=st.sampled_from(["quote", "schedule", "preview"]),
    words=st.lists(OPTIONS | TEXT | st.just("{policy}") | st.just("{booking}"), max_size=8),
)
def test_cli_on_any_arguments_never_crashes(folder: Path, command: str, words: list[str]) -> None:
    """Any argument list for the engine commands: exit 0 or 2 with one line, never a traceback."""
    policy, booking = folder / "valid-policy.json", folder / "valid-booking.json"
    policy.write_text(json.dumps([{"startDate": "2021-05-12T18:00:00+07:00",
        "endDate": "2021-05-13T18:00:00+07:00", "type": "PERCENT", "percent": "70%"}]))  # fmt: skip
    booking.write_text(json.dumps({"total": "3000000", "currency": "VND"}))
    names = {"{policy}": str(policy), "{booking}": str(booking)}
    argv = [command, *(names.get(word, word) for word in words)]
    if "--svg" in argv:  # never write charts over files: to standard output only
        argv = [word if word != "--svg" else "--svg=-" for word in argv]
    code, out, err = _run(argv)
    event(f"exit {code}")
    assert code in {EXIT_OK, EXIT_USAGE}, err
    if code == EXIT_USAGE:
        assert out == ""
        _one_line_error(err)


# -- bounded under hostile input: the CLI under a memory and time limit (issue 13) -------------
#
# Each input runs the installed console script in a child process limited to 1 GiB of address
# space and 20 s of CPU (`resource.setrlimit`); its peak RSS and CPU time come back from
# `os.wait4`. A run that needs more dies (MemoryError: a traceback; SIGXCPU: a signal), and
# the test fails. `make test` generates each input at 1 MiB (2,000 windows or ranges);
# `make fuzz` at the full size: 64 MiB (`penalty.limits.MAX_INPUT_BYTES`), 100,000 windows and
# ranges. The figures are printed and written to bench/limits-results.json.

RUN_MEMORY = 1 << 30
RUN_CPU_SECONDS = 20
RUN_WALL_SECONDS = 120
FULL_SIZE = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
INPUT_BYTES = MAX_INPUT_BYTES if FULL_SIZE else 1 << 20
LIST_ITEMS = MAX_WINDOWS if FULL_SIZE else 2_000
#: A 64 MiB input of any shape is handled in at most 12 times its size (issue 13's target).
RSS_PER_INPUT_BYTE = 12
RESULTS = ROOT / "bench" / "limits-results.json"


@dataclass(frozen=True)
class LimitedRun:
    """What one limited run of the console script did."""

    code: int
    stdout: bytes
    stderr: bytes
    peak_rss: int
    cpu_seconds: float
    wall_seconds: float


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (RUN_MEMORY, RUN_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (RUN_CPU_SECONDS, RUN_CPU_SECONDS))


def limited_run(argv: list[str]) -> LimitedRun:
    """``penalty *argv`` under `RUN_MEMORY` and `RUN_CPU_SECONDS`, measured."""
    script = Path(sys.executable).with_name("penalty")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(script), *argv],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=_limit_child,  # noqa: PLW1509 - sets two limits, takes no lock
        )
        timer = threading.Timer(RUN_WALL_SECONDS, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes there, KiB here
        return LimitedRun(
            code=process.returncode,
            stdout=out.read(),
            stderr=err.read(),
            peak_rss=usage.ru_maxrss * scale,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            wall_seconds=wall,
        )


def _repeat_file(path: Path, head: str, item: str, tail: str, size: int) -> Path:
    """``head + item * n + tail`` of at most ``size`` bytes, written in chunks."""
    count = max(1, (size - len(head) - len(tail)) // len(item))
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head)
        chunk = item * 65_536
        for _ in range(count // 65_536):
            handle.write(chunk)
        handle.write(item * (count % 65_536))
        handle.write(tail)
    return path


def _gotadi_windows(count: int) -> str:
    start = datetime(2021, 1, 1, tzinfo=UTC)
    return json.dumps(
        [
            {
                "startDate": (start + timedelta(hours=i)).isoformat(),
                "endDate": (start + timedelta(hours=i + 2)).isoformat(),
                "type": "PERCENT",
                "currency": "VND",
                "percent": f"{i % 100}%",
                "nights": "",
                "amount": "",
                "description": "",
            }
            for i in range(count)
        ]
    )


def _rapid_ranges(count: int) -> str:
    first = date(2021, 1, 1)
    ranges = []
    for index in range(count):
        start = first + timedelta(days=index % 3000)
        ranges.append({"start": str(start), "end": str(start + timedelta(days=3))})
    window = {"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z", "percent": "50%"}
    return json.dumps({"cancel_penalties": [window], "nonrefundable_date_ranges": ranges})


_BOOKING = '{"total": "3000000", "currency": "VND", "timezone": "Asia/Ho_Chi_Minh"}'
_STAY_0001_9999 = (  # the attack round's 86-byte booking
    '{"total":"1","currency":"USD","check_in":"0001-01-01","check_out":"9999-12-31"}'
)
_LONG_STAY = (
    '{"total": "3660000", "currency": "USD", "check_in": "2021-01-01", "check_out": "2031-01-09"}'
)
_WINDOW = (
    '{"startDate": "2021-05-12T18:00:00+07:00", "endDate": "2021-05-13T18:00:00+07:00", '
    '"type": "PERCENT", "percent": "70%", "description": "'
)
_RATES = '{"total": "1", "currency": "VND", "nightly_rates": ['


def _just_under_values(kind: str) -> str:
    """A document of as many values as `MAX_JSON_VALUES` lets through, padded with one long
    string to the input size: the most a file that passes the count can make the parser build.
    """
    count = MAX_JSON_VALUES - 10
    if kind == "keys":  # one object of distinct keys
        body = ",".join(f'"k{index}":1' for index in range(count // 2))
        head, tail = '{"cancelPenalties": [], ', ', "pad": "'
    else:
        body = ",".join(["0.5" if kind == "decimals" else "{}"] * (count // 2))
        head, tail = "[", ', "'
    text = head + body + tail
    return text + "x" * max(0, INPUT_BYTES - len(text) - 4) + ('"}' if kind == "keys" else '"]')


#: A file's content: ``(head, item, tail)`` repeated to the input size, the text itself, or a
#: function making the text (called only when the case runs).
_Content = tuple[str, str, str] | str | Callable[[], str]
#: name: (policy, booking, format, the exit codes it may end with); the attack round's figures
#: before the limits in comments.
_LARGE: dict[str, tuple[_Content, _Content, str, set[int]]] = {
    "empty-objects": (("[", "{},", "{}]"), _BOOKING, "gotadi", {EXIT_USAGE}),  # 13.4 GB
    "ones": (("[", "1,", "1]"), _BOOKING, "gotadi", {EXIT_USAGE}),  # 8.4 GB, 36 s
    "decimals": (("[", "0.5,", "0.5]"), _BOOKING, "gotadi", {EXIT_USAGE}),
    "empty-lists": (("[", "[],", "[]]"), _BOOKING, "gotadi", {EXIT_USAGE}),
    "strings-with-commas": (("[", '"a,[{",', '""]'), _BOOKING, "gotadi", {EXIT_USAGE}),
    "nested-lists": (("[[", "[[]]", "]]"), _BOOKING, "gotadi", {EXIT_USAGE}),
    "many-keys": (('{"cancelPenalties": [], ', '"k": 1, ', '"z": 1}'), _BOOKING, "gotadi", {2}),
    "nightly-rates": ("[]", (_RATES, '"1",', '"1"]}'), "gotadi", {EXIT_USAGE}),  # 10.6 GB
    "decimals-under-the-values-limit": (
        partial(_just_under_values, "decimals"),
        _BOOKING,
        "gotadi",
        {EXIT_USAGE},
    ),
    "objects-under-the-values-limit": (
        partial(_just_under_values, "objects"),
        _BOOKING,
        "gotadi",
        {EXIT_USAGE},
    ),
    "keys-under-the-values-limit": (partial(_just_under_values, "keys"), _BOOKING, "gotadi", {0}),
    "long-description": ((f"[{_WINDOW}", "x", '"}]'), _BOOKING, "gotadi", {EXIT_OK}),
    "long-integer": ("[]", ('{"currency": "VND", "total": ', "1", "}"), "gotadi", {EXIT_USAGE}),
    "long-fraction": ("[]", ('{"currency": "VND", "total": 1.', "0", "1}"), "gotadi", {2}),
    "exponent": ("[]", '{"total": 1e9999999999999999999, "currency": "VND"}', "gotadi", {2}),
    "dev-zero": ("/dev/zero", _BOOKING, "gotadi", {EXIT_USAGE}),
    "windows-at-the-limit": (partial(_gotadi_windows, LIST_ITEMS), _BOOKING, "gotadi", {0}),
    "windows-over-the-limit": (partial(_gotadi_windows, MAX_WINDOWS + 1), _BOOKING, "gotadi", {2}),
    # About 5 hours before the limits (nights x ranges).
    "rapid-ranges-stay-0001-9999": (
        partial(_rapid_ranges, LIST_ITEMS),
        _STAY_0001_9999,
        "expedia-rapid",
        {EXIT_USAGE},
    ),
    "rapid-ranges-long-stay": (
        partial(_rapid_ranges, LIST_ITEMS),
        _LONG_STAY,
        "expedia-rapid",
        {EXIT_OK},
    ),
}
#: `make test` runs a few, at 1 MiB; `make fuzz` all of them, at full size.
LARGE_CASES = (
    list(_LARGE)
    if FULL_SIZE
    else [
        "empty-objects",
        "nightly-rates",
        "long-fraction",
        "dev-zero",
        "rapid-ranges-stay-0001-9999",
        "rapid-ranges-long-stay",
    ]
)


def _large_case(name: str, folder: Path) -> tuple[list[str], set[int], int]:
    """The argv of one large input (written into ``folder``), its exits, and its size."""
    policy_content, booking_content, fmt, expected = _LARGE[name]
    paths = []
    for file_name, content in (("policy.json", policy_content), ("booking.json", booking_content)):
        path = folder / file_name
        if content == "/dev/zero":
            path = Path(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif isinstance(content, tuple):
            _repeat_file(path, *content, INPUT_BYTES)
        else:
            path.write_text(content(), encoding="utf-8")
        paths.append(path)
    policy, booking = paths
    size = MAX_INPUT_BYTES if policy == Path("/dev/zero") else 0
    size += sum(path.stat().st_size for path in paths if path.is_file())
    argv = ["quote", str(policy), "--format", fmt, "--booking", str(booking)]
    return [*argv, "--at", "2021-05-11T00:00:00Z"], expected, size


def _record(name: str, size: int, run: LimitedRun) -> None:
    """Print the figures of a run and keep them in bench/limits-results.json."""
    line = (
        f"{name:<28} input {size / 2**20:6.1f} MiB  exit {run.code}  peak RSS "
        f"{run.peak_rss / 2**20:6.1f} MiB  CPU {run.cpu_seconds:5.2f} s  "
        f"wall {run.wall_seconds:5.2f} s"
    )
    print(line)
    results: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    results[name] = {
        "input_bytes": size,
        "exit": run.code,
        "peak_rss_bytes": run.peak_rss,
        "cpu_seconds": round(run.cpu_seconds, 3),
        "wall_seconds": round(run.wall_seconds, 3),
        "full_size": FULL_SIZE,
    }
    with contextlib.suppress(OSError):
        RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@pytest.mark.parametrize("name", LARGE_CASES)
def test_large_inputs_are_answered_or_refused_within_the_limits(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each input of the attack round: exit 0 or 2 with one line, under 1 GiB and 20 s of CPU;
    at full size a 64 MiB input peaks at no more than 12 times its size."""
    argv, expected, size = _large_case(name, tmp_path)
    run = limited_run(argv)
    with capsys.disabled():
        _record(name, size, run)
    assert run.code in expected, run.stderr[-2000:]
    assert b"Traceback" not in run.stderr
    if run.code == EXIT_USAGE:
        assert len(run.stderr.splitlines()) == 1, run.stderr[-2000:]
        assert run.stdout == b""
    else:
        assert run.stdout
    assert run.peak_rss < RUN_MEMORY
    assert run.cpu_seconds < RUN_CPU_SECONDS
    if size >= MAX_INPUT_BYTES // 2:
        assert run.peak_rss <= RSS_PER_INPUT_BYTE * size


@pytest.mark.parametrize(
    "command",
    [["schedule", "--json"], ["schedule"], ["preview", "--json"], ["preview", "--svg", "-"]],
    ids=["schedule-json", "schedule-text", "preview-json", "preview-svg"],
)
def test_the_largest_policy_through_every_output(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`MAX_WINDOWS` windows (2,000 in `make test`): the schedule printed whole, the preview
    refused past `MAX_PREVIEW_SEGMENTS` fee steps, within the limits either way."""
    policy, booking = tmp_path / "policy.json", tmp_path / "booking.json"
    policy.write_text(_gotadi_windows(LIST_ITEMS), encoding="utf-8")
    booking.write_text(_BOOKING, encoding="utf-8")
    name, *options = command
    argv = [name, str(policy), "--booking", str(booking), *options]
    if name == "preview":
        argv += ["--now", "2021-01-01T00:00:00Z"]
    run = limited_run(argv)
    with capsys.disabled():
        _record("-".join(command).replace("--", ""), policy.stat().st_size, run)
    assert run.code == (EXIT_OK if name == "schedule" else EXIT_USAGE), run.stderr[-2000:]
    assert b"Traceback" not in run.stderr
    assert run.peak_rss < RUN_MEMORY
    assert run.cpu_seconds < RUN_CPU_SECONDS
    if name == "preview":
        assert b"fee steps to preview" in run.stderr


@st.composite
def hostile_files(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """A file of one hostile item repeated to a size: (head, item, tail, which file it is)."""
    try:
        item = json.dumps(draw(JSON | near_gotadi()), default=str)
    except ValueError:  # an int json.dumps cannot write
        item = "1" * 5000
    head, tail, which = draw(
        st.sampled_from(
            [
                ("[", ",", "policy"),
                (
                    '{"result": {"status": "ALLOW_CANCELLATION", "cancelPenalties": [',
                    "]}}",
                    "policy",
                ),
                ('{"total": "1", "currency": "VND", "nightly_rates": [', "]", "booking"),
                ('{"cancel_penalties": [], "nonrefundable_date_ranges": [', "]}", "rapid"),
            ]
        )
    )
    return head, item + ",", item + tail, which


@settings(max_examples=40 if FULL_SIZE else 3, suppress_health_check=list(HealthCheck))
@given(case=hostile_files(), fraction=st.sampled_from([1.0, 0.5, 0.01]))
def test_any_repeated_item_is_bounded(
    case: tuple[str, str, str, str], fraction: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Any JSON (noise or near-miss) repeated into a list to the size limit, in a policy, a
    response, nightly rates or date ranges: exit 0, 1 or 2 with one line, within the limits."""
    head, item, tail, which = case
    folder = tmp_path_factory.mktemp("hostile")
    policy, booking = folder / "policy.json", folder / "booking.json"
    booking.write_text(_BOOKING, encoding="utf-8")
    target = booking if which == "booking" else policy
    if which == "booking":
        policy.write_text("[]", encoding="utf-8")
    _repeat_file(target, head, item, tail, int(INPUT_BYTES * fraction))
    fmt = "expedia-rapid" if which == "rapid" else "gotadi"
    run = limited_run(
        ["schedule", str(policy), "--format", fmt, "--booking", str(booking), "--json"]
    )
    event(f"exit {run.code}")
    event(f"peak RSS under {(run.peak_rss >> 20) // 100 * 100 + 100} MiB")
    assert run.code in {EXIT_OK, EXIT_FAILED, EXIT_USAGE}, run.stderr[-2000:]
    assert b"Traceback" not in run.stderr
    if run.code != EXIT_OK:
        assert len(run.stderr.splitlines()) == 1, run.stderr[-2000:]
    assert run.peak_rss < RUN_MEMORY
