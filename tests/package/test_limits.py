"""Bounded under hostile input: the small version of every case of issue 13 that a row of
``fixtures/bad/`` cannot express (Python objects, output streams, whole formats).

`penalty.limits` holds every limit; these tests check each is enforced before the work it bounds
and that what stays under it is answered. Nothing here is timed: the full-size inputs (64 MiB,
100,000 ranges) run under a memory and time limit in ``make fuzz`` (`tests/package/test_fuzz.py`).
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import penalty
from penalty import Booking, InvalidBooking, InvalidInstant, InvalidPolicy, Policy, formats
from penalty import limits as lim
from penalty.cli import EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, main
from penalty.compiler import _charged_nights
from penalty.errors import InvalidInput, ProviderProtocolError
from penalty.instants import zone
from penalty.providers._json import parse_json
from penalty.providers.ksher.models import parse_response
from penalty.service._request import parse_body
from penalty.service.problems import Problem
from penalty.service.settings import Settings
from tests.helpers import FIXTURES, GOTADI, load

BOOKING = GOTADI / "booking.json"
POLICY = GOTADI / "example3_percent.json"
AT = "2021-05-12T00:00:00+07:00"
HUGE = "1e9999999999999999999"
WINDOW = {
    "startDate": "2021-05-12T18:00:00+07:00",
    "endDate": "2021-05-13T18:00:00+07:00",
    "type": "PERCENT",
    "percent": "70%",
}


def _script(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """The installed console script, as bytes (what a terminal receives)."""
    script = Path(sys.executable).with_name("penalty")
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(  # noqa: PLW1510 - the caller checks the exit status
        [str(script), *args], timeout=60, **kwargs
    )


# -- penalty.limits itself ---------------------------------------------------------------------


def test_limits_are_named_and_ordered() -> None:
    """Each limit is a positive int, the service's within the engine's."""
    assert lim.SERVICE_MAX_BODY_BYTES <= lim.MAX_INPUT_BYTES
    assert lim.SERVICE_MAX_WINDOWS <= lim.MAX_WINDOWS
    assert lim.MAX_WINDOWS <= lim.MAX_JSON_VALUES
    assert Settings().max_depth == lim.MAX_JSON_DEPTH
    assert Settings().max_body_bytes == lim.SERVICE_MAX_BODY_BYTES


def test_text_past_the_size_limit_is_refused_before_counting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``too_large`` from the length alone (the limit made small for the test)."""
    monkeypatch.setattr(lim, "MAX_INPUT_BYTES", 10)
    with pytest.raises(InvalidInput) as caught:
        lim.read_json(b"[" + b" " * 10 + b"]", what="the policy", path="policy", error=InvalidInput)
    assert (caught.value.code, caught.value.path, caught.value.value) == ("too_large", "policy", 12)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[" + "{}," * 2_000_000 + "{}]", "too_many_values"),
        ("[" * 33 + "]" * 33, "too_deep"),
        ('{"a":' * 32 + "{}" + "}" * 32, "too_deep"),
        ("[" * 100_000 + "]" * 100_000, "too_deep"),
        (f'{{"total": {HUGE}}}', "number_out_of_range"),
        (f'{{"total": -{HUGE}}}', "number_out_of_range"),
        ('{"total": 1e-99999999999999999999}', "number_out_of_range"),
        ('{"total": 1', "not_json"),
    ],
    ids=["values", "33-lists", "33-objects", "100000-lists", "exponent", "minus", "tiny", "eof"],
)
def test_read_json_refuses_past_each_limit(text: str, code: str) -> None:
    """Each refusal is the caller's error class with its code, on one short line."""
    with pytest.raises(InvalidBooking) as caught:
        lim.read_json(text, what="the booking", path="booking", error=InvalidBooking)
    assert caught.value.code == code
    assert len(str(caught.value).splitlines()) == 1
    assert len(str(caught.value)) < 300


def test_read_json_takes_what_is_within_the_limits() -> None:
    """32 levels, exact decimals, a 5,000-digit integer kept exact, ``-0.0`` as read."""
    assert lim.read_json("[" * 32 + "]" * 32, what="x", path=None, error=InvalidInput)
    document = lim.read_json(
        '{"a": 1.50, "b": -0.0, "c": ' + "1" * 5000 + ', "d": 1e999999999999999999}',
        what="x",
        path=None,
        error=InvalidInput,
    )
    assert document["a"] == Decimal("1.50")
    assert str(document["a"]) == "1.50"
    assert document["c"] == Decimal("1" * 5000)
    assert document["d"] == Decimal("1e999999999999999999")


def test_json_values_are_counted_before_parsing() -> None:
    """The count is a bound: separators inside strings count too (never an undercount)."""
    with pytest.raises(InvalidInput) as caught:
        lim.check_text('"' + "," * 2_000_000 + '"', what="x", path=None, error=InvalidInput)
    assert caught.value.code == "too_many_values"
    lim.check_text('"' + "," * 1_999_999 + '"', what="x", path=None, error=InvalidInput)


# -- huge exponents, on every path ------------------------------------------------------------


def test_a_huge_exponent_is_refused_on_every_engine_path() -> None:
    """Booking JSON, Gotadi bytes (fast and slow path), every format's text: one error each."""
    booking = f'{{"total": {HUGE}, "currency": "VND"}}'
    with pytest.raises(InvalidBooking) as caught:
        Booking.model_validate_json(booking)
    assert caught.value.code == "number_out_of_range"
    gotadi = json.dumps([{**WINDOW, "percent": 1}]).replace("1}", f"{HUGE}}}").encode()
    with pytest.raises(InvalidPolicy) as caught_policy:
        penalty.from_gotadi(gotadi)
    assert caught_policy.value.code == "number_out_of_range"
    for name in formats.FORMATS:
        with pytest.raises(InvalidPolicy) as caught_format:
            formats.parse(f'{{"x": [{HUGE}]}}', format=name, zone="UTC")
        assert caught_format.value.code in {"number_out_of_range", "zone_not_used"}


def test_a_huge_exponent_in_a_provider_answer_is_not_json() -> None:
    """Gotadi's and Ksher's answers are read with `json_decimal`: ProviderProtocolError."""
    answer = f'{{"result": {{"cancelPenaltyTotal": {HUGE}}}}}'.encode()
    with pytest.raises(ProviderProtocolError) as caught:
        parse_json(answer, provider="gotadi")
    assert caught.value.code == "not_json"
    with pytest.raises(ProviderProtocolError) as caught:
        parse_response(httpx.Response(200, content=f'{{"code": 0, "data": {{"x": {HUGE}}}}}'))
    assert caught.value.code == "not_json"


def test_a_huge_exponent_in_a_service_body_is_400() -> None:
    """The service's reader: 400 ``not_json``, never a 500."""
    with pytest.raises(Problem) as caught:
        parse_body(
            f'{{"policy": [], "booking": {{"total": {HUGE}}}}}'.encode(),
            allowed=frozenset({"policy", "booking"}),
        )
    assert (caught.value.status, caught.value.code) == (400, "not_json")


def test_a_zero_with_a_huge_exponent_is_zero() -> None:
    """``0E+999999999999999999`` is zero however it is written, not 'too large'."""
    policy = formats.parse(
        '{"cancel_penalties": [{"percent": 0E+999999999999999999, '
        '"start": "2024-06-01T18:00:00-04:00", "end": "2024-06-03T18:00:00-04:00"}]}',
        format="expedia-rapid",
    )
    assert policy.windows[0].percent == 0


# -- -0 is never printed ----------------------------------------------------------------------

_QUOTED_NUMBER = re.compile(r'"[0-9]+(?:\.[0-9]+)?%?"')


def _format_payloads() -> Iterator[tuple[str, Path, dict[str, Any], str | None]]:
    for folder in sorted((FIXTURES / "formats").iterdir()):
        if not folder.is_dir():
            continue
        for case in load(folder / "cases.json"):
            zone = case.get("zone", "UTC" if folder.name == "ratehawk" else None)
            yield folder.name, folder / case["payload"], case["booking"], zone


PAYLOADS = list(_format_payloads())


@pytest.mark.parametrize(
    ("name", "payload", "booking", "zone"),
    PAYLOADS,
    ids=[f"{name}-{payload.stem}" for name, payload, _, _ in PAYLOADS],
)
def test_minus_zero_is_never_printed(
    name: str,
    payload: Path,
    booking: dict[str, Any],
    zone: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every amount and percent of every format's fixtures as the JSON number ``-0.0``."""
    text = _QUOTED_NUMBER.sub("-0.0", payload.read_text(encoding="utf-8"))
    (tmp_path / "policy.json").write_text(text, encoding="utf-8")
    (tmp_path / "booking.json").write_text(json.dumps(booking), encoding="utf-8")
    zone_args = [] if zone is None else ["--zone", zone]
    argv = [str(tmp_path / "policy.json"), "--format", name, *zone_args]
    argv += ["--booking", str(tmp_path / "booking.json")]
    assert main(["schedule", *argv, "--json"]) == EXIT_OK, capsys.readouterr().err
    schedule = json.loads(capsys.readouterr().out)
    amounts = [value for s in schedule["segments"] for value in (s["fee"], s["gotadi_amount"])]
    for segment in schedule["segments"]:
        at = segment["start"] or AT
        assert main(["quote", *argv, "--at", at, "--json"]) == EXIT_OK
        quote = json.loads(capsys.readouterr().out)
        amounts += [quote["fee"], quote["gotadi_amount"]]
        assert main(["quote", *argv, "--at", at]) == EXIT_OK
        printed = capsys.readouterr().out.splitlines()
        amounts += [line.split(":", 1)[1].strip() for line in printed[:2]]  # fee:, gotadi:
    assert amounts
    assert not [amount for amount in amounts if amount.startswith("-")]


@pytest.mark.parametrize("fmt", ["expedia-xap", "expedia-rapid"])
def test_minus_zero_percent_quotes_zero(fmt: str) -> None:
    """The attack round's case: a ``-0.0`` percent, fee ``0.00`` and wire amount ``0.00``."""
    rule = (
        '{"CancellationPenaltyRules": [{"PenaltyPercentOfStay": -0.0, '
        '"PenaltyStartDateTime": "2024-06-01T18:00:00-04:00", '
        '"PenaltyEndDateTime": "2024-06-03T18:00:00-04:00"}]}'
        if fmt == "expedia-xap"
        else '{"cancel_penalties": [{"percent": -0.0, "start": "2024-06-01T18:00:00-04:00", '
        '"end": "2024-06-03T18:00:00-04:00"}]}'
    )
    quote = formats.parse(rule, format=fmt).quote(
        Booking(total="300.00", currency="USD"), "2024-06-02T00:00:00-04:00"
    )
    assert (str(quote.fee), quote.gotadi_amount) == ("0.00", "0.00")
    assert not quote.fee.is_signed()


def test_a_minus_zero_provider_total_is_zero() -> None:
    """Gotadi's own ``cancelPenaltyTotal`` of ``-0.0`` is read as zero."""
    result = penalty.formats.gotadi.CheckCancelPenaltyResult.model_validate(
        {"cancelPenaltyTotal": Decimal("-0.0")}
    )
    assert result.cancel_penalty_total is not None
    assert not result.cancel_penalty_total.is_signed()


# -- lists: counted before their items are read ----------------------------------------------


def test_gotadi_text_past_the_window_limit_is_counted_not_validated() -> None:
    """Bytes of 100,001 empty entries: ``too_many_windows``; 100,000: the first one named."""
    many = b"[" + b"{}," * lim.MAX_WINDOWS + b"{}]"
    with pytest.raises(InvalidPolicy) as caught:
        penalty.from_gotadi(many)
    assert (caught.value.path, caught.value.code) == ("cancelPenalties", "too_many_windows")
    with pytest.raises(InvalidPolicy) as caught:
        penalty.from_gotadi(b"[" + b"{}," * (lim.MAX_WINDOWS - 1) + b"{}]")
    assert (caught.value.path, caught.value.code) == ("cancelPenalties[0].startDate", "missing")


@pytest.mark.parametrize("name", [name for name in formats.FORMATS if name != "gotadi"])
def test_every_format_counts_its_windows_first(name: str) -> None:
    """A list of 100,001 empty objects: refused by count in every format that takes a list, as
    no policy of the format by those that do not (a UCP schedule, a DerbySoft code)."""
    if name in {"ucp", "derbysoft"}:
        with pytest.raises(InvalidPolicy) as caught:
            formats.parse([{}] * (lim.MAX_WINDOWS + 1), format=name)
        assert caught.value.code == "not_a_policy"
        return
    with pytest.raises(InvalidPolicy) as caught:
        formats.parse([{}] * (lim.MAX_WINDOWS + 1), format=name, zone="UTC")
    assert caught.value.code in {"too_many_windows", "zone_not_used"}
    if caught.value.code == "zone_not_used":
        with pytest.raises(InvalidPolicy) as caught:
            formats.parse([{}] * (lim.MAX_WINDOWS + 1), format=name)
        assert caught.value.code == "too_many_windows"


def test_auto_detection_counts_first() -> None:
    """``format="auto"`` refuses a list past the limit before looking at its entries."""
    with pytest.raises(InvalidPolicy) as caught:
        formats.parse([{}] * (lim.MAX_WINDOWS + 1), format="auto")
    assert caught.value.code == "too_many_windows"


def test_policy_and_surcharge_count_their_lists() -> None:
    """`Policy` (windows) and `Surcharge` (stay-date ranges) built in Python count too."""
    with pytest.raises(InvalidPolicy) as caught:
        Policy.model_validate({"windows": [{}] * (lim.MAX_WINDOWS + 1)})
    assert (caught.value.path, caught.value.code) == ("windows", "too_many_windows")
    day = (date(2021, 1, 1), date(2021, 1, 2))
    with pytest.raises(InvalidPolicy) as caught:
        penalty.Surcharge(stay_dates=(day,) * (lim.MAX_DATE_RANGES + 1))
    assert caught.value.code == "too_many_ranges"
    ranges = [{"start": "2021-01-01", "end": "2021-01-02"}] * (lim.MAX_DATE_RANGES + 1)
    with pytest.raises(InvalidPolicy) as caught:
        formats.parse({"nonrefundable_date_ranges": ranges}, format="expedia-rapid")
    assert (caught.value.path, caught.value.code) == (
        "nonrefundable_date_ranges",
        "too_many_ranges",
    )


def test_a_stay_at_the_limit_is_answered() -> None:
    """3,660 nights with 3,660 rates: a booking; one more night: ``stay_too_long``."""
    check_in = date(2021, 1, 1)
    check_out = check_in + timedelta(days=lim.MAX_STAY_NIGHTS)
    booking = Booking.model_validate(
        {
            "total": str(lim.MAX_STAY_NIGHTS),
            "currency": "USD",
            "nightly_rates": ["1"] * lim.MAX_STAY_NIGHTS,
            "check_in": str(check_in),
            "check_out": str(check_out),
        }
    )
    assert booking.night_count == lim.MAX_STAY_NIGHTS
    with pytest.raises(InvalidBooking) as caught:
        Booking.model_validate(
            {
                "total": "1",
                "currency": "USD",
                "check_in": str(check_in),
                "check_out": str(check_out + timedelta(days=1)),
            }
        )
    assert caught.value.code == "stay_too_long"


# -- O(n log n) over ranges, nights and windows -----------------------------------------------

_DATES = st.dates(min_value=date(2021, 1, 1), max_value=date(2021, 3, 1))


@given(
    st.lists(st.tuples(_DATES, _DATES).map(sorted).map(tuple), max_size=12),
    st.lists(_DATES, max_size=40, unique=True).map(sorted),
)
def test_charged_nights_are_the_nights_in_some_range(
    ranges: list[tuple[date, date]], nights: list[date]
) -> None:
    """The merged walk charges exactly the nights the naive product would, once each."""
    prices = [Decimal(index + 1) for index in range(len(nights))]
    fast = list(_charged_nights(tuple(ranges), tuple(nights), prices))
    naive = [
        price
        for night, price in zip(nights, prices, strict=True)
        if any(first <= night <= last for first, last in ranges)
    ]
    assert fast == naive


def test_many_ranges_over_a_long_stay() -> None:
    """20,000 ranges (every other night of a year, repeated) over a 3,660-night stay."""
    check_in = date(2021, 1, 1)
    ranges = [
        {
            "start": str(check_in + timedelta(days=2 * i)),
            "end": str(check_in + timedelta(days=2 * i)),
        }
        for i in range(183)
    ] * 110
    later = {"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z", "percent": "100%"}
    policy = formats.parse(
        {"cancel_penalties": [later], "nonrefundable_date_ranges": ranges}, format="expedia-rapid"
    )
    booking = Booking.model_validate(
        {
            "total": "366000",
            "currency": "USD",
            "check_in": str(check_in),
            "check_out": str(check_in + timedelta(days=lim.MAX_STAY_NIGHTS)),
        }
    )
    quote = policy.timeline(booking).quote("2020-06-01T00:00:00Z")
    assert quote.phase == "free"
    assert quote.fee == Decimal("18300.00")  # 183 nights (each once) at total / 3,660 nights


def test_many_touching_windows_of_one_fee_merge_into_one_segment() -> None:
    """20,000 windows of the same percent, end to end: one segment naming all of them."""
    start = datetime(2021, 1, 1, tzinfo=UTC)
    windows = [
        {
            "startDate": (start + timedelta(hours=i)).isoformat(),
            "endDate": (start + timedelta(hours=i + 1)).isoformat(),
            "type": "PERCENT",
            "percent": "10%",
        }
        for i in range(20_000)
    ]
    timeline = penalty.from_gotadi(windows).timeline(Booking(total="100", currency="USD"))
    inside = [segment for segment in timeline.segments if segment.fee == Decimal("10.00")]
    assert len(inside) == 1
    assert inside[0].windows == tuple(range(20_000))


def test_many_zero_length_windows_warn_once_each() -> None:
    """20,000 zero-length windows: one warning each (a set, not a scan per warning)."""
    start = datetime(2021, 1, 1, tzinfo=UTC)
    windows = [
        {
            "startDate": (start + timedelta(hours=i)).isoformat(),
            "endDate": (start + timedelta(hours=i)).isoformat(),
            "type": "PERCENT",
            "percent": "10%",
        }
        for i in range(20_000)
    ]
    timeline = penalty.from_gotadi(windows).timeline(Booking(total="100", currency="USD"))
    codes = [warning.code for warning in timeline.warnings]
    assert codes.count("zero_length_window") == 20_000


# -- instants: only ints to fees_at_micros, a tzinfo that raises is wrapped -------------------

TIMELINE = penalty.from_gotadi([WINDOW]).timeline(Booking(total="100", currency="USD"))
WINDOW_MICROS = 1_620_831_600_000_000  # 2021-05-13T00:00:00+07:00, inside the window


@pytest.mark.parametrize(
    "bad", [float("nan"), 1.5, True, False, "abc", "x" * 10_000_000, b"1", None, [1], Decimal(1)]
)
def test_fees_at_micros_refuses_anything_but_int(bad: object) -> None:
    """InvalidInstant naming the position, after the fees before it; never ``"x" * 1000``."""
    keys = [WINDOW_MICROS] * 5000 + [bad, WINDOW_MICROS]
    fees = TIMELINE.fees_at_micros(keys)  # type: ignore[arg-type]
    assert list(islice(fees, 5000)) == [Decimal("70.00")] * 5000
    with pytest.raises(InvalidInstant) as caught:
        next(fees)
    assert (caught.value.path, caught.value.code) == ("micros[5000]", "wrong_type")
    assert len(str(caught.value)) < 300


def test_fees_at_micros_takes_ints() -> None:
    """Ints are quoted as before, including far outside `datetime`'s range."""
    keys = [WINDOW_MICROS, 0, -(10**30), 10**30]
    assert [str(fee) for fee in TIMELINE.fees_at_micros(keys)] == [
        "70.00",
        "0.00",
        "0.00",
        "100.00",
    ]


class _Raising(tzinfo):
    """A tzinfo whose every method raises, as a user's broken one might."""

    def utcoffset(self, _: datetime | None) -> timedelta:
        msg = "no offset today"
        raise RuntimeError(msg)

    def dst(self, _: datetime | None) -> timedelta:
        raise RuntimeError

    def tzname(self, _: datetime | None) -> str:
        raise RuntimeError


class _NotATimedelta(_Raising):
    """A tzinfo whose offset is not a timedelta."""

    def utcoffset(self, _: datetime | None) -> timedelta:
        return "+07:00"  # type: ignore[return-value]


@pytest.mark.parametrize("tz", [_Raising(), _NotATimedelta()], ids=["raises", "wrong-type"])
def test_a_tzinfo_that_fails_is_invalid_instant(tz: tzinfo) -> None:
    """Every way in: quote, fee, fees, refundability, next_change, summary."""
    at = datetime(2021, 5, 13, tzinfo=tz)
    calls: list[Callable[[], object]] = [
        lambda: TIMELINE.quote(at),
        lambda: TIMELINE.fee(at),
        lambda: list(TIMELINE.fees([at])),
        lambda: TIMELINE.refundability(at),
        lambda: TIMELINE.next_change(at),
        lambda: TIMELINE.summary(at),
    ]
    for call in calls:
        with pytest.raises(InvalidInstant) as caught:
            call()
        assert (caught.value.path, caught.value.code) == ("at", "invalid_tzinfo")
        assert isinstance(caught.value.__cause__, RuntimeError | TypeError)
    with pytest.raises(InvalidPolicy) as window:
        penalty.Window(start=at, end=None, percent="1")  # type: ignore[arg-type]
    assert window.value.code == "invalid_tzinfo"


def test_far_instants_stay_instants() -> None:
    """Aware datetimes at either end of `datetime`'s range quote (no OverflowError)."""
    east, west = timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))
    assert TIMELINE.fee(datetime(1, 1, 1, tzinfo=east)) == Decimal("0.00")
    assert TIMELINE.fee(datetime.max.replace(tzinfo=west)) == Decimal("100.00")


# -- zones: IANA names only ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["UTC", "Etc/UTC", "Asia/Ho_Chi_Minh", "US/Pacific", "GMT+0"])
def test_iana_names_are_zones(name: str) -> None:
    assert zone(name, path="tz", error=InvalidInput).utcoffset(datetime(2021, 1, 1)) is not None


@pytest.mark.parametrize(
    "name",
    [
        "localtime",
        "LOCALTIME",
        "posixrules",
        "Factory",
        "posix/Etc/UTC",
        "right/UTC",
        "utc",
        "Asia/../Asia/Tokyo",
        "/etc/localtime",
        "zone.tab",
        "tzdata.zi",
        "SECURITY",
        "Asia",
        "",
    ],
)
def test_names_that_are_not_iana_zones_are_refused(name: str) -> None:
    """Nothing the machine says about itself, nothing but a zone of the IANA list."""
    with pytest.raises(InvalidInput) as caught:
        zone(name, path="timezone", error=InvalidInput)
    assert caught.value.code == "unknown_timezone"


def test_the_machines_zone_never_changes_a_fee(monkeypatch: pytest.MonkeyPatch) -> None:
    """TZ set to a far zone: the live fixture's booking quotes the same, ``localtime`` refused."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    booking = load(BOOKING)
    quote = penalty.from_gotadi(load(POLICY)).quote(Booking.model_validate(booking), AT)
    monkeypatch.setenv("TZ", "America/Adak")
    again = penalty.from_gotadi(load(POLICY)).quote(Booking.model_validate(booking), AT)
    assert quote == again
    with pytest.raises(InvalidBooking):
        Booking.model_validate({**booking, "timezone": "localtime"})


# -- the CLI's output: escaped, and a failed write is exit 4 ---------------------------------


@pytest.fixture
def surrogate_policy(tmp_path: Path) -> Path:
    """A window whose description holds a lone surrogate (JSON can spell one)."""
    path = tmp_path / "policy.json"
    path.write_text(
        json.dumps([{**WINDOW, "description": "late fee \\ud800 \x1b[31m"}]).replace(
            "\\\\ud800", "\\ud800"
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "output", [[], ["--json"], ["--svg", "-"]], ids=["text", "json", "svg-stdout"]
)
def test_a_lone_surrogate_is_escaped_in_every_output(
    output: list[str], surrogate_policy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``preview`` prints ``\\ud800``, never crashes; the JSON stays readable JSON."""
    argv = ["preview", str(surrogate_policy), "--booking", str(BOOKING), "--now", AT, *output]
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert "\\ud800" in out
    if output == ["--json"]:
        assert "\ud800" in json.dumps(json.loads(out), ensure_ascii=False)


def test_a_lone_surrogate_in_an_svg_file_is_escaped(surrogate_policy: Path, tmp_path: Path) -> None:
    chart = tmp_path / "chart.svg"
    argv = ["preview", str(surrogate_policy), "--booking", str(BOOKING), "--now", AT]
    assert main([*argv, "--svg", str(chart)]) == EXIT_OK
    assert "\\ud800" in chart.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("output", "encoding"),
    [([], "ascii"), (["--json"], "utf-8"), (["--svg", "-"], "latin-1:strict")],
    ids=["text-ascii", "json-utf8", "svg-latin1"],
)
def test_real_script_writes_surrogates_in_any_encoding(
    output: list[str], encoding: str, surrogate_policy: Path
) -> None:
    """The console script under ``PYTHONIOENCODING``: exit 0, escaped text, no traceback."""
    argv = ["preview", str(surrogate_policy), "--booking", str(BOOKING), "--now", AT, *output]
    result = _script(*argv, env={**os.environ, "PYTHONIOENCODING": encoding})
    assert result.returncode == EXIT_OK, result.stderr
    assert b"\\ud800" in result.stdout
    assert b"Traceback" not in result.stderr


def test_real_script_in_ascii_escapes_what_ascii_cannot_say() -> None:
    """``PYTHONIOENCODING=ascii penalty preview … --locale vi``: every byte ASCII, exit 0."""
    vietnamese = _script(
        "preview", str(POLICY), "--booking", str(BOOKING), "--now", AT, "--locale", "vi",
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    assert vietnamese.returncode == EXIT_OK, vietnamese.stderr
    assert vietnamese.stdout.isascii()
    assert b"\\u20ab" in vietnamese.stdout  # the dong sign, escaped


@pytest.mark.parametrize("command", ["quote", "preview"])
def test_a_full_disk_is_exit_4_with_one_line(command: str) -> None:
    """Standard output on ``/dev/full``: exit 4, one line on stderr, no traceback."""
    argv = [command, str(POLICY), "--booking", str(BOOKING)]
    argv += ["--at", AT] if command == "quote" else ["--now", AT] if command == "preview" else []
    with Path("/dev/full").open("wb") as full:
        result = _script(*argv, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == EXIT_OUTPUT
    lines = result.stderr.decode().splitlines()
    assert lines == ["penalty: error: cannot write the output: No space left on device"]


def test_a_closed_stdout_is_exit_4_before_anything_runs() -> None:
    """``penalty quote … >&-``: exit 4, one line, nothing read or sent."""
    argv = ["quote", str(POLICY), "--booking", str(BOOKING), "--at", AT]
    script = Path(sys.executable).with_name("penalty")
    result = subprocess.run(  # noqa: PLW1510 - checked below
        [str(script), *argv],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        timeout=60,
    )
    assert result.returncode == EXIT_OUTPUT
    assert result.stderr.decode().splitlines() == [
        "penalty: error: cannot write the output: standard output is closed"
    ]


class _FullStream(io.StringIO):
    """A stream that fails like a full disk on flush."""

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_in_process_is_exit_4(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`main` itself: the failing stream is reported on stderr, in one line."""
    monkeypatch.setattr("sys.stdout", _FullStream())
    code = main(["quote", str(POLICY), "--booking", str(BOOKING), "--at", AT])
    assert code == EXIT_OUTPUT
    assert capsys.readouterr().err.splitlines() == [
        "penalty: error: cannot write the output: No space left on device"
    ]


def test_a_closed_stdout_in_process_is_exit_4(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdout", None)
    assert main(["quote", str(POLICY), "--booking", str(BOOKING), "--at", AT]) == EXIT_OUTPUT
    assert "standard output is closed" in capsys.readouterr().err


def test_closed_stdin_is_unreadable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-`` with standard input closed: exit 2, naming the file."""
    monkeypatch.setattr("sys.stdin", None)
    assert main(["quote", "-", "--booking", str(BOOKING), "--at", AT]) == EXIT_USAGE
    assert "standard input is closed" in capsys.readouterr().err


# -- settings and arguments are range-checked --------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--timeout", "inf"],
        ["--timeout", "nan"],
        ["--timeout", "-1"],
        ["--max-body", "0"],
        ["--max-body", str(lim.MAX_INPUT_BYTES + 1)],
        ["--max-windows", str(lim.MAX_WINDOWS + 1)],
        ["--port", "70000"],
        ["--workers", "0"],
    ],
)
def test_serve_settings_out_of_range_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``penalty serve`` refuses each before binding anything: one line, exit 2."""
    assert main(["serve", *args]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("penalty: error: ")


def test_a_preview_past_its_fee_steps_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1,002 fee steps: ``penalty preview`` exits 2 in one line (``schedule`` prints them)."""
    start = datetime(2021, 1, 1, tzinfo=UTC)
    windows = [
        {
            "startDate": (start + timedelta(hours=i)).isoformat(),
            "endDate": (start + timedelta(hours=i + 1)).isoformat(),
            "type": "AMOUNT",
            "amount": str(i % 2 + 1),
        }
        for i in range(lim.MAX_PREVIEW_SEGMENTS)
    ]
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(windows), encoding="utf-8")
    argv = [str(policy), "--booking", str(BOOKING)]
    assert main(["preview", *argv, "--now", AT]) == EXIT_USAGE
    (line,) = capsys.readouterr().err.splitlines()
    expected = "penalty: error: policy: more than 1,000 fee steps to preview (penalty schedule "
    assert line.startswith(expected)
    assert main(["schedule", *argv]) == EXIT_OK


def test_ucp_tiers_are_counted_before_they_are_read() -> None:
    """A UCP schedule of 100,001 tiers: ``too_many_windows`` before any tier is looked at."""
    schedule = {
        "anchor": "2026-12-22T15:00:00-05:00",
        "tiers": [{}] * (lim.MAX_WINDOWS + 1),
        "after_last_tier": {"kind": "percentage", "buyer_bps": 0},
    }
    with pytest.raises(InvalidPolicy) as caught:
        formats.parse(schedule, format="ucp")
    assert (caught.value.path, caught.value.code) == ("tiers", "too_many_windows")
