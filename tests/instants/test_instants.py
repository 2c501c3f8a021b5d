"""One strict ISO 8601 grammar for every instant written as text (README, "Instants")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import penalty
from penalty.errors import InvalidInstant, InvalidPolicy
from penalty.instants import read_iso

_WALL_EPOCH = datetime(1970, 1, 1)
_ICT = 1620817200000000000  # 2021-05-12T18:00:00+07:00

ACCEPTED = [
    ("2021-05-12T18:00:00+07:00", _ICT, 25200),
    ("2021-05-12T18:00+07:00", _ICT, 25200),
    ("2021-05-12T11:00:00Z", _ICT, 0),
    ("2021-05-12T11:00:00-00:00", _ICT, 0),
    ("2021-05-12 18:00:00+07:00", _ICT, 25200),
    ("2021-05-12T18:00:00+0700", _ICT, 25200),
    ("2021-05-12T18:00:00.5+07:00", _ICT + 500_000_000, 25200),
    ("2021-05-12T18:00:00.123456789+07:00", _ICT + 123_456_789, 25200),
    ("2021-05-12T11:00:00.1234567Z", _ICT + 123_456_700, 0),
    ("2021-05-12T18:00:00.12345678+0700", _ICT + 123_456_780, 25200),
]
WALL = ["2021-05-12T18:00", "2021-05-12T18:00:00.5", "2021-05-12 18:00:00"]
REFUSED = [
    "2021-05-12",
    "20210512T18",
    "2021-W19-3",
    "2021-132T18:00",
    "2021-05-12T18",
    "2021-05-12T18:00:00,5Z",
    "2021-05-12t18:00z",
    "2021-05-12T24:00:00Z",
    "2021-05-12T23:59:60Z",
    "2021-04-31T00:00Z",
    "2021-05-12T18:00:00+07",
    "2021-05-12T18:00:00+07:00:30",
    "2021-05-12T18:00:00+24:00",
    "2021-05-12T18:00:00+07:60",
    "2021-05-12T18:00:00-0775",
    "2021-05-12T18:00:00.1234567891Z",
    " 2021-05-12T18:00Z ",
    "2021-05-12T18:00Z\x00",
    "２０２１-05-12T18:00Z",
]


@pytest.mark.parametrize(("text", "nanos", "offset"), ACCEPTED, ids=[t for t, _, _ in ACCEPTED])
def test_accepted_spellings_are_instants(text: str, nanos: int, offset: int) -> None:
    """Each accepted spelling of the README table is the instant it says."""
    read = read_iso(text)
    assert read is not None
    assert read[0] == nanos
    assert read[1] is not None
    assert read[1].utcoffset(None) == timedelta(seconds=offset)


def test_one_zone_object_per_offset() -> None:
    """Every edge written with one offset shares one zone object, however it is spelt."""
    texts = ("2021-05-12T18:00+07:00", "2021-05-13T18:00:00.5+0700", "2021-05-12 18:00+07:00")
    zones = {id(read[1]) for text in texts if (read := read_iso(text)) is not None}
    assert len(zones) == 1
    utc = read_iso("2021-05-12T18:00Z")
    assert utc is not None
    assert utc[1] is UTC
    assert read_iso("2021-05-12T18:00-00:00") == utc


@pytest.mark.parametrize("text", WALL)
def test_wall_clock_spellings_have_no_zone(text: str) -> None:
    """Without an offset: a wall-clock time (read in the hotel's zone, with a warning)."""
    read = read_iso(text)
    assert read is not None
    assert read[1] is None


@pytest.mark.parametrize("text", REFUSED)
def test_refused_spellings_are_refused_everywhere(text: str) -> None:
    """The same text is refused as a cancel time, a window date and a Gotadi date alike."""
    assert read_iso(text) is None
    timeline = penalty.compile(
        penalty.Policy(windows=[]), penalty.Booking(total="1", currency="VND", timezone="UTC")
    )
    with pytest.raises(InvalidInstant) as caught:
        timeline.quote(text)
    assert caught.value.code in {"invalid_datetime", "naive_datetime"}
    with pytest.raises(InvalidPolicy):
        penalty.Window(start=text, end=None, amount="1")  # type: ignore[arg-type]
    with pytest.raises(InvalidPolicy) as refused:
        penalty.from_gotadi(
            [{"startDate": text, "endDate": "2021-05-13T18:00:00+07:00", "type": "AMOUNT",
              "amount": "1"}]
        )  # fmt: skip
    assert refused.value.path == "cancelPenalties[0].startDate"


@given(
    st.datetimes(min_value=datetime(1, 1, 3), max_value=datetime(9999, 12, 29)),
    st.integers(-1439, 1439),
    st.sampled_from(["T", " "]),
    st.sampled_from(["minutes", "seconds", "micros", "nanos"]),
    st.sampled_from(["colon", "no_colon", "Z", "none"]),
    st.integers(0, 999),
)
def test_read_iso_is_the_instant_written(
    wall: datetime, offset: int, sep: str, precision: str, style: str, extra: int
) -> None:
    """Any text of the grammar reads as exactly the instant (or wall time) it writes."""
    text = f"{wall.year:04d}-{wall.month:02d}-{wall.day:02d}{sep}{wall.hour:02d}:{wall.minute:02d}"
    nanos_extra = 0
    if precision == "minutes":
        wall = wall.replace(second=0, microsecond=0)
    elif precision == "seconds":
        text += f":{wall.second:02d}"
        wall = wall.replace(microsecond=0)
    else:
        text += f":{wall.second:02d}.{wall.microsecond:06d}"
        if precision == "nanos":
            text += f"{extra:03d}"
            nanos_extra = extra
    expected = (wall - _WALL_EPOCH) // timedelta(microseconds=1) * 1000 + nanos_extra
    if style == "none":
        assert read_iso(text) == (expected, None)
        return
    if style == "Z":
        text, offset = text + "Z", 0
    else:
        sign, (hours, minutes) = ("-" if offset < 0 else "+"), divmod(abs(offset), 60)
        colon = ":" if style == "colon" else ""
        text += f"{sign}{hours:02d}{colon}{minutes:02d}"
    read = read_iso(text)
    assert read is not None
    assert read[0] == expected - offset * 60 * 10**9
    assert read[1] is not None
    assert read[1].utcoffset(None) == timedelta(minutes=offset)


def test_an_aware_datetime_and_its_text_quote_the_same() -> None:
    """Rule 1: the same instant, however written, gets the same fee."""
    policy = penalty.Policy(
        windows=[
            penalty.Window(start=datetime(2021, 5, 12, 11, tzinfo=UTC), end=None, amount=Decimal(5))
        ]
    )
    timeline = penalty.compile(policy, penalty.Booking(total="10", currency="USD"))
    for at in ("2021-05-12T18:00:00+07:00", "2021-05-12T11:00Z", "2021-05-12 11:00:00+0000"):
        assert timeline.fee(at) == timeline.fee(datetime(2021, 5, 12, 11, tzinfo=UTC)) == 5
