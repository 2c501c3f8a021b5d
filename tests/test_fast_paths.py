"""Every fast path gives exactly what the slow, fully checked path gives (issue 3).

The engine's speed comes from shortcuts: a plain-ISO text skips the pattern, `fees` quotes a
chunk of datetimes through C functions, numbers like ``"70%"`` skip the regex, a fee is rounded
by one `quantize`, models are built without `model_construct`'s loop. Each shortcut is checked
here against the path it short-cuts, on generated input, including input it must refuse.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from penalty import Booking, Policy, PolicyWarning, Quote, Segment, Window, money
from penalty import strategies as ps
from penalty._model import construct, constructor
from penalty.errors import InvalidInstant, InvalidPolicy, PenaltyError
from penalty.instants import iso_micros, parse_instant, to_micros
from penalty.money import fee_amounts, gotadi_amount, parse_decimal
from penalty.providers.gotadi import penalties as gotadi
from tests.helpers import gotadi_window

ICT = timezone(timedelta(hours=7))
#: Charges 7 from 2021-05-12 18:00 to 2021-05-13 18:00 (+07:00).
_WINDOW = gotadi_window(
    "2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", "AMOUNT", amount="7"
)


def texts() -> st.SearchStrategy[str]:
    """Cancel times as text: valid ones, and near misses of every kind the slow path refuses."""
    instant = ps.instants()
    return st.one_of(
        instant.map(lambda at: at.isoformat()),
        instant.map(lambda at: at.isoformat(sep=" ")),
        instant.map(lambda at: at.isoformat(timespec="milliseconds")),
        instant.map(lambda at: at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        instant.map(lambda at: at.replace(tzinfo=None).isoformat()),  # naive
        instant.map(lambda at: at.date().isoformat()),  # a date only
        instant.map(lambda at: f" {at.isoformat()}\n"),  # spaces around
        instant.map(lambda at: at.isoformat() + "0" * 40),  # too long
        instant.map(lambda at: at.strftime("%G-W%V-%uT%H:%M:%S%z")),  # a week date
        instant.map(lambda at: at.strftime("%Y%m%dT%H%M%S%z")),  # basic format
        st.builds(
            lambda at, i, c: (lambda s: s[:i] + c + s[i + 1 :])(at.isoformat()),
            instant,
            st.integers(0, 31),
            st.sampled_from("0129-:T Z+.,\n/W٣"),
        ),
        st.sampled_from(
            [
                "0001-01-01T00:30:00+01:00",  # before datetime.min in UTC
                "9999-12-31T23:30:00-01:00",  # after datetime.max in UTC
                "2021-05-12T18:00:00+07:00:00.5",
                "2021-05-12\n18:00:00+07:00",
                "now",
                "",
            ]
        ),
        st.text(max_size=70),
        st.text(alphabet="0123456789-T :+Z.,W", max_size=40),
    )


def _outcome(call: Any, *args: object) -> object:
    """What a call returns, or the kind and code of the package error it raises."""
    try:
        return call(*args)
    except PenaltyError as error:
        return (type(error), error.code, error.path)


@given(texts())
@example("2021-05-12T18:00:00+07:00")
@example("2021-05-12T18:00:00Z")
def test_iso_micros_reads_only_what_parse_instant_reads_the_same(text: str) -> None:
    """The text fast path returns a key only where the strict parser gives that very instant."""
    key = iso_micros(text)
    if key is not None:
        parsed = parse_instant(text, tz=None, path="at", error=InvalidInstant)
        assert to_micros(parsed) == key


@given(ps.cases(any_rules=True), texts())
def test_quoting_text_equals_the_slow_path(case: tuple[Policy, Booking], text: str) -> None:
    """`quote(text)` answers, warns and refuses exactly as the fully checked path does."""
    policy, booking = case
    timeline = policy.timeline(booking)
    assert _outcome(timeline.quote, text) == _outcome(timeline._quote_slow, text)


def test_fees_cross_chunk_boundaries_in_order() -> None:
    """`fees` reads ahead in chunks; across them, the order and every fee are kept."""
    policy = Policy.from_gotadi(
        [
            gotadi_window(
                "2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", "AMOUNT", amount="7"
            )
        ]
    )
    timeline = policy.timeline(Booking.model_validate({"total": "10", "currency": "VND"}))
    start = datetime(2021, 5, 12, 10, 59, 50, tzinfo=UTC)
    instants = [start + timedelta(microseconds=37 * i) for i in range(10_000)]
    expected = [timeline.quote(at).fee for at in instants]
    assert list(timeline.fees(instants)) == expected
    assert list(timeline.fees(at.isoformat() for at in instants)) == expected


def test_fees_raise_at_the_bad_instant_after_the_fees_before_it() -> None:
    """A bad instant anywhere in a chunk raises when its turn comes, as one `quote` would."""
    timeline = Policy.from_gotadi([]).timeline(
        Booking.model_validate({"total": "10", "currency": "VND"})
    )
    good = datetime(2021, 5, 12, tzinfo=UTC)
    instants: list[datetime | str] = [good] * 5000 + ["2021-05-12"] + [good]
    fees = timeline.fees(instants)
    assert [next(fees) for _ in range(5000)] == [Decimal(10)] * 5000
    with pytest.raises(InvalidInstant) as caught:
        next(fees)
    assert caught.value.code == "invalid_datetime"


def test_fees_read_naive_times_in_the_booking_zone() -> None:
    """A naive datetime in a batch falls back to `quote`: read in the booking's zone."""
    policy = Policy.from_gotadi(
        [
            gotadi_window(
                "2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", "AMOUNT", amount="7"
            )
        ]
    )
    booking = Booking.model_validate(
        {"total": "10", "currency": "VND", "timezone": "Asia/Ho_Chi_Minh"}
    )
    timeline = policy.timeline(booking)
    naive = datetime(2021, 5, 12, 18)  # 18:00 in Ho Chi Minh City: the window's start
    assert list(timeline.fees([naive, naive - timedelta(microseconds=1)])) == [7, 0]


@given(
    st.one_of(
        st.text(alphabet="0123456789.% \t-e٣²", max_size=36),
        st.decimals(min_value=0, max_value=10**21, allow_nan=False).map(str),
        st.integers(0, 10**22).map(str),
    ),
    st.booleans(),
)
@example("12.5%", True)
@example("1" * 21, False)
@example("1." + "0" * 13, False)
def test_numbers_parse_as_the_pattern_says(text: str, percent: bool) -> None:
    """The number fast path accepts exactly what the pattern accepts, with the same value."""
    match = (money._PERCENT if percent else money._NUMBER).fullmatch(text)
    try:
        value = parse_decimal(text, path="p", error=InvalidPolicy, percent=percent)
    except InvalidPolicy:
        assert match is None
    else:
        assert match is not None
        assert value == Decimal(match.group(1))
        assert str(value) == str(Decimal(match.group(1)))


def _round_half_up(exact: Fraction, digits: int) -> Decimal:
    """The rounding of SEMANTICS rule 12, written the slow way."""
    units = int((exact * 10**digits + Fraction(1, 2)) // 1)
    return Decimal(f"{units}E-{digits}") if digits else Decimal(units)


@given(
    st.decimals(min_value=0, max_value=10**12, places=6, allow_nan=False),
    st.integers(1, 31),
    st.sampled_from((0, 1, 2, 3)),
)
@example(Decimal("0.5"), 1, 0)
@example(Decimal("0.005"), 1, 2)
@example(Decimal("100"), 3, 3)
def test_fees_are_rounded_once_half_up(exact: Decimal, den: int, digits: int) -> None:
    """`fee_amounts` = half-up rounding of the exact value, and its two-decimal wire form."""
    fee, wire = fee_amounts(exact, den, digits)
    value = Fraction(exact) / den
    assert fee == _round_half_up(value, digits)
    assert fee.as_tuple().exponent == -digits
    assert wire == gotadi_amount(fee if digits <= 2 else _round_half_up(value, 2))


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (PolicyWarning, {"code": "c", "path": None, "message": "m"}),
        (
            Quote,
            {
                "fee": Decimal(1),
                "currency": "VND",
                "gotadi_amount": "1.00",
                "phase": "window",
                "window": 0,
                "since": None,
                "until": datetime(2021, 5, 12, tzinfo=UTC),
                "warnings": (),
            },
        ),
        (
            Segment,
            {
                "start": None,
                "end": None,
                "fee": Decimal(0),
                "gotadi_amount": "0.00",
                "phases": ("free",),
                "windows": (),
            },
        ),
        (
            Window,
            {
                "start": datetime(2021, 5, 12, tzinfo=ICT),
                "end": datetime(2021, 5, 13, tzinfo=ICT),
                "percent": Decimal(70),
                "amount": None,
                "nights": None,
                "currency": "VND",
                "kind": "PERCENT",
                "description": "",
            },
        ),
    ],
    ids=["PolicyWarning", "Quote", "Segment", "Window"],
)
def test_construct_builds_what_model_construct_builds(model: Any, values: dict[str, Any]) -> None:
    """The engine's fast constructor gives the very instance pydantic's `model_construct` does."""
    assert list(values) == list(model.model_fields)
    fast, slow = construct(model, dict(values)), model.model_construct(**values)
    assert fast == slow
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump() == slow.model_dump()
    assert repr(fast) == repr(slow)
    first = next(iter(values))
    copied = fast.model_copy(update={first: values[first]})
    assert copied == fast
    assert copied.model_fields_set is not fast.model_fields_set  # never changed in place
    assert construct(model, dict(values)).model_fields_set == set(model.model_fields)


_FIELD_VALUES = st.sampled_from(
    [
        None,
        "",
        0,
        1.5,
        ["70%"],
        "70%",
        "1.5",
        "25000",
        "PERCENT",
        "AMOUNT",
        "NIGHTS",
        "FEE",
        "VND",
        "USD",
        "2021-05-12T18:00:00.000+07:00",
        "2021-05-13T18:00:00+07:00",
        "26/08/2021 11:00",
        "2021-05-12",
    ]
)
_FIELD_NAMES = st.sampled_from(
    ["startDate", "endDate", "type", "currency", "percent", "nights", "amount", "description"]
)
_OTHER_NAMES = st.sampled_from(["start_date", "end_date", "other"])


@given(
    st.one_of(
        ps.gotadi_windows(),
        ps.gotadi_windows().flatmap(
            lambda window: st.dictionaries(_FIELD_NAMES | _OTHER_NAMES, _FIELD_VALUES).map(
                lambda changes: {**window, **changes}
            )
        ),
        st.dictionaries(_FIELD_NAMES | _OTHER_NAMES, _FIELD_VALUES),
    )
)
def test_gotadi_entries_translate_as_through_the_model(entry: dict[str, object]) -> None:
    """The dict fast path accepts, translates and refuses each entry as the model path does."""
    fast = _outcome(lambda: Policy.from_gotadi([entry]).windows)
    model = _outcome(lambda: (gotadi._entry(entry, "cancelPenalties[0]"),))
    assert fast == model


def test_the_first_bad_gotadi_entry_is_reported_as_before() -> None:
    """A whole-list validation failure falls back to entry by entry: the first error wins."""
    bad_type = gotadi_window("2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", "FEE")
    no_dates = {"type": "AMOUNT", "amount": "1"}
    with pytest.raises(InvalidPolicy) as caught:
        Policy.from_gotadi([bad_type, no_dates])
    assert (caught.value.path, caught.value.code) == ("cancelPenalties[0].type", "unknown_type")
    with pytest.raises(InvalidPolicy) as caught:
        Policy.from_gotadi([no_dates, bad_type])
    assert (caught.value.path, caught.value.code) == ("cancelPenalties[0].startDate", "missing")


def test_the_gotadi_date_cache_stays_bounded_and_keeps_no_failure() -> None:
    """Dates read once are reused; the cache never outgrows its bound nor remembers errors."""
    for day in range(gotadi._TIMES_MAX + 10):
        text = (datetime(2000, 1, 1, tzinfo=ICT) + timedelta(days=day)).isoformat()
        assert gotadi._time(text, "p", "startDate") == datetime.fromisoformat(text)
        assert len(gotadi._TIMES) <= gotadi._TIMES_MAX
    with pytest.raises(InvalidPolicy):
        gotadi._time("2021-13-45T18:00:00+07:00", "p", "startDate")
    assert "2021-13-45T18:00:00+07:00" not in gotadi._TIMES


@given(
    st.one_of(
        st.text(alphabet="0123456789.% \t-e٣²", max_size=36),
        st.decimals(min_value=0, max_value=10**21, allow_nan=False).map(str),
        st.integers(0, 10**22).map(str),
    ),
    st.sampled_from(("percent", "amount", "nights")),
)
@example("100.0%", "percent")
@example("100.000000000001", "percent")
@example("1" * 21, "amount")
@example("1." + "0" * 13, "nights")
def test_gotadi_numbers_read_as_parse_decimal_reads_them(text: str, what: str) -> None:
    """`_number`'s inline fast path: the value, or the error, `parse_decimal` gives."""

    def slow() -> Decimal:
        value = parse_decimal(
            text, path=f"p.{what}", error=InvalidPolicy, percent=what == "percent", what=what
        )
        if what == "percent" and value > 100:
            raise InvalidPolicy("out of range", path=f"p.{what}", code="percent_out_of_range")
        return value

    fast = _outcome(gotadi._number, text, "p", what)
    assert fast == (None if text == "" else _outcome(slow))  # "" is an absent field
    if isinstance(fast, Decimal) and text:
        assert str(fast) == str(slow())


def test_a_bound_constructor_builds_what_construct_builds() -> None:
    """`constructor(cls)` is `construct` with ``cls`` bound."""
    values = {
        "start": datetime(2021, 5, 12, tzinfo=ICT),
        "end": None,
        "percent": Decimal(70),
        "amount": None,
        "nights": None,
        "currency": "VND",
        "kind": "PERCENT",
        "description": "",
    }
    fast, slow = constructor(Window)(dict(values)), construct(Window, dict(values))
    assert fast == slow
    assert fast.model_fields_set == slow.model_fields_set == set(Window.model_fields)
    assert repr(fast) == repr(slow)


@given(
    st.decimals(min_value=0, max_value=10**12, places=6, allow_nan=False),
    st.sampled_from(("VND", "USD", "EUR", "KWD", "JPY")),
)
@example(Decimal("0.5"), "VND")
@example(Decimal("0.005"), "USD")
@example(Decimal("1.0005"), "KWD")
def test_compiled_fees_are_what_fee_amounts_gives(amount: Decimal, currency: str) -> None:
    """The compiler's inline rounding (one denominator) equals `fee_amounts`, row by row."""
    start = datetime(2021, 5, 12, tzinfo=ICT)
    window = Window(start=start, end=start + timedelta(days=1), amount=amount)
    booking = Booking(total=Decimal(10**13), currency=currency)
    timeline = Policy(windows=(window,)).timeline(booking)
    digits = money.minor_unit(currency)
    exact = [Decimal(0), amount, Decimal(10**13)]
    assert [row[:2] for row in timeline._rows] == [fee_amounts(x, 1, digits) for x in exact]


@given(st.lists(st.integers(0, 100), min_size=1, max_size=6), st.booleans())
def test_shared_edges_compile_as_copies_do(hours: list[int], naive: bool) -> None:
    """A window starting at the very datetime the one before ended at: the same rows."""
    tz = None if naive else ICT
    moment = datetime(2021, 5, 12, tzinfo=tz)
    edges = [moment]
    for step in hours:
        edges.append(edges[-1] + timedelta(hours=step))
    shared = tuple(
        Window(start=a, end=b, percent=Decimal(10 * i % 100))
        for i, (a, b) in enumerate(pairwise(edges))
    )
    copies = tuple(
        window.model_copy(update={"start": window.start.replace()} if window.start else {})
        for window in shared
    )
    assert shared[-1].start is not copies[-1].start or len(shared) == 1
    booking = Booking(total=Decimal(1000), currency="VND", timezone="Asia/Ho_Chi_Minh")
    one, two = Policy(windows=shared).timeline(booking), Policy(windows=copies).timeline(booking)
    assert one._rows == two._rows
    assert one._bounds == two._bounds
    assert one.warnings == two.warnings
