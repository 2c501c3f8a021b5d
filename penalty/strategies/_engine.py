"""Strategies for the engine's own types: instants, bookings, windows, policies, quotes.

Everything generated is valid input: bookings whose nights are known, windows in the booking's
currency, instants with offsets. `boundary_instants` leans on a timeline's boundaries, where
off-by-one bugs live.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from penalty.booking import Booking
from penalty.money import minor_unit
from penalty.policy import Deadline, Policy, Surcharge, Window
from penalty.rooms import Room, Rooms
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules
from penalty.timeline import Quote, Timeline
from penalty.timeline import compile as compile_policy_into_timeline

__all__ = [
    "BASE",
    "CURRENCIES",
    "SPAN",
    "ZONES",
    "amounts",
    "bookings",
    "boundary_instants",
    "cases",
    "deadlines",
    "instants",
    "offsets",
    "policies",
    "quotes",
    "room_lists",
    "rooms",
    "rules",
    "surcharges",
    "windows",
]

#: Currencies with 0, 2 and 3 minor digits.
CURRENCIES = ("VND", "USD", "JPY", "EUR", "KWD", "THB")
#: Hotel zones, with and without DST.
ZONES = ("Asia/Ho_Chi_Minh", "Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC")

#: Generated times fall in this span (a fortnight either side of a stay in May 2021).
BASE = datetime(2021, 5, 1, tzinfo=UTC)
SPAN = timedelta(days=40)


def offsets() -> st.SearchStrategy[timezone]:
    """Fixed UTC offsets from -12:00 to +14:00 in quarter hours."""
    return st.integers(min_value=-48, max_value=56).map(
        lambda quarters: timezone(timedelta(minutes=15 * quarters))
    )


def instants(
    start: datetime = BASE - timedelta(days=5), span: timedelta = SPAN + timedelta(days=10)
) -> st.SearchStrategy[datetime]:
    """Aware instants in ``[start, start + span]``, microsecond precision, random offsets."""
    micros = int(span / timedelta(microseconds=1))
    return st.builds(
        lambda offset, tz: (start + timedelta(microseconds=offset)).astimezone(tz),
        st.integers(min_value=0, max_value=micros),
        offsets(),
    )


def _minute_instants() -> st.SearchStrategy[datetime]:
    """Window edges: whole minutes, so that edges often coincide."""
    minutes = int(SPAN / timedelta(minutes=1))
    return st.builds(
        lambda minute, tz: (BASE + timedelta(minutes=minute)).astimezone(tz),
        st.integers(min_value=0, max_value=minutes).map(lambda m: m - m % 60 if m % 3 else m),
        offsets(),
    )


def amounts(
    currency: str, *, min_value: int = 0, max_units: int = 10**9
) -> st.SearchStrategy[Decimal]:
    """Amounts in ``currency`` with at most its minor-unit digits."""
    digits = minor_unit(currency)
    return st.integers(min_value=min_value, max_value=max_units * 10**digits).map(
        lambda units: Decimal(f"{units}E-{digits}") if digits else Decimal(units)
    )


@st.composite
def bookings(
    draw: st.DrawFn,
    currency: str | None = None,
    *,
    with_nights: bool = True,
    dated: bool = False,
) -> Booking:
    """Valid bookings; with ``with_nights`` (default) the number of nights is always known.

    With ``dated``, the booking always has its ``check_in`` (deadlines relative to arrival
    need it). A ``check_in_time`` is sometimes given.
    """
    code = currency or draw(st.sampled_from(CURRENCIES))
    total = draw(amounts(code, min_value=1))
    nights = draw(st.integers(min_value=1, max_value=7))
    check_in = date(2021, 5, 13)
    data: dict[str, Any] = {"total": str(total), "currency": code}
    layouts = ("dates", "rates", "dated_rates", "rates_and_dates", "none")
    layout = draw(st.sampled_from(layouts[:1] + layouts[2:4] if dated else layouts))
    if layout == "none" and with_nights:
        layout = "dates"
    if layout in {"dates", "rates_and_dates", "dated_rates"}:
        data["check_in"] = check_in.isoformat()
        data["check_out"] = (check_in + timedelta(days=nights)).isoformat()
    if layout in {"rates", "rates_and_dates"}:
        rates = draw(st.lists(amounts(code), min_size=nights, max_size=nights))
        data["nightly_rates"] = [str(rate) for rate in rates]
    if layout == "dated_rates":
        rates = draw(st.lists(amounts(code), min_size=nights, max_size=nights))
        dated_rates = [
            {"date": (check_in + timedelta(days=i)).isoformat(), "amount": str(rate)}
            for i, rate in enumerate(rates)
        ]
        data["nightly_rates"] = draw(st.permutations(dated_rates))
    if draw(st.booleans()):
        data["timezone"] = draw(st.sampled_from(ZONES))
    if draw(st.integers(0, 3)) == 0:
        data["check_in_time"] = draw(st.sampled_from(("14:00", "15:00", "12:30:00", "23:59")))
    return Booking.model_validate(data)


def deadlines(kind: str | None = None) -> st.SearchStrategy[Deadline]:
    """Deadlines relative to a May 2021 arrival: elapsed (up to 30 days before) or calendar
    (up to 30 days before the check-in date, or the day after), at whole hours or none.
    """
    clocks = st.none() | st.integers(0, 23).map(lambda hour: time(hour, 0))
    elapsed = st.builds(
        lambda hours, clock: Deadline(
            kind="elapsed",
            before=timedelta(hours=hours),  # type: ignore[arg-type]  # validated to nanoseconds
            at=clock,
        ),
        st.integers(0, 24 * 30),
        clocks,
    )
    calendar = st.builds(
        lambda days, clock: Deadline(kind="calendar", days=days, at=clock),
        st.integers(-1, 30),
        clocks,
    )
    if kind == "elapsed":
        return elapsed
    if kind == "calendar":
        return calendar
    return elapsed | calendar


@st.composite
def windows(
    draw: st.DrawFn,
    currency: str = "VND",
    *,
    nights: bool = True,
    open_ends: bool = False,
    relative: bool = False,
) -> Window:
    """Valid windows in ``currency``: at least one component; sometimes zero-length.

    With ``open_ends``, a start or end is sometimes ``None`` (since forever / for ever). With
    ``relative``, the edges are sometimes `Deadline` s relative to the arrival (both of one
    kind and clock, in order).
    """
    first = draw(_minute_instants())
    length = draw(st.sampled_from((0, 60, 360, 1440, 2880, 10080)) | st.integers(0, 20000))
    start: datetime | Deadline | None = first
    end: datetime | Deadline | None = first + timedelta(minutes=length)
    if relative and draw(st.booleans()):
        start, end = draw(_relative_edges())
    if open_ends:
        edge = draw(st.sampled_from(("both", "both", "both", "no_start", "no_end")))
        start = None if edge == "no_start" else start
        end = None if edge == "no_end" else end
    kinds = ["PERCENT", "AMOUNT", *(["NIGHTS"] if nights else [])]
    kind = draw(st.sampled_from(kinds))
    values: dict[str, Any] = {"start": start, "end": end, "kind": kind, "currency": currency}
    percent = st.decimals(min_value=0, max_value=100, places=3)
    amount = amounts(currency, max_units=10**7)
    night_count = st.decimals(min_value=0, max_value=8, places=1)
    components = {"percent": percent, "amount": amount, "nights": night_count}
    required = {"PERCENT": "percent", "AMOUNT": "amount", "NIGHTS": "nights"}[kind]
    for name, strategy in components.items():
        if name == "nights" and not nights:
            continue
        if name == required or draw(st.integers(0, 4)) == 0:
            values[name] = draw(strategy)
    return Window.model_validate(values)


@st.composite
def _relative_edges(draw: st.DrawFn) -> tuple[Deadline, Deadline]:
    """Two deadlines of one kind and clock, the start no later than the end."""
    first = draw(deadlines())
    if first.kind == "elapsed":
        later = draw(st.integers(0, first.before // (3600 * 10**9)))
        second = Deadline(
            kind="elapsed",
            before=timedelta(hours=later),  # type: ignore[arg-type]  # validated to nanoseconds
            at=first.at,
        )
    else:
        second = Deadline(kind="calendar", days=draw(st.integers(-1, first.days)), at=first.at)
    return first, second


def rules() -> st.SearchStrategy[Rules]:
    """Any combination of the boundary, gap, after-last and basis rules."""
    return st.builds(
        Rules,
        boundary=st.sampled_from(Boundary),
        gaps=st.sampled_from(Gaps),
        after_last=st.sampled_from(AfterLast),
        basis=st.sampled_from(Basis),
    )


@st.composite
def policies(
    draw: st.DrawFn,
    currency: str = "VND",
    *,
    max_windows: int = 6,
    any_rules: bool = False,
    nights: bool = True,
    relative: bool = False,
) -> Policy:
    """Policies of 0 to ``max_windows`` windows.

    Gotadi's rules and closed windows by default; with ``any_rules``, any combination of rules
    and sometimes open-ended windows (as other providers' formats produce); with ``relative``,
    some windows' edges are `Deadline` s, and the policy sometimes names a ``local_zone``.
    """
    items = draw(
        st.lists(
            windows(currency, nights=nights, open_ends=any_rules, relative=relative),
            max_size=max_windows,
        )
    )
    chosen = draw(rules()) if any_rules else Rules()
    local_zone = draw(st.none() | st.sampled_from(ZONES)) if relative else None
    return Policy(windows=tuple(items), rules=chosen, local_zone=local_zone)


@st.composite
def surcharges(draw: st.DrawFn, currency: str = "VND", *, stay_dates: bool = True) -> Surcharge:
    """A `Surcharge`: sometimes an amount, sometimes stay-date ranges around a May 2021 stay.

    With ``stay_dates=False`` only the amount (for bookings whose nights have no dates).
    """
    amount = draw(st.none() | amounts(currency, max_units=10**6))
    ranges: list[tuple[date, date]] = []
    if stay_dates:
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            first = date(2021, 5, 10) + timedelta(days=draw(st.integers(0, 12)))
            ranges.append((first, first + timedelta(days=draw(st.integers(0, 3)))))
    return Surcharge(amount=amount, stay_dates=tuple(ranges))


@st.composite
def cases(
    draw: st.DrawFn, *, any_rules: bool = False, max_windows: int = 6
) -> tuple[Policy, Booking]:
    """A ``(policy, booking)`` pair that compiles: same currency, nights known.

    With ``any_rules``, the policy sometimes has a `Surcharge` too, and when the booking has
    its check-in date and a zone (its own, or the policy's ``local_zone``), some windows'
    edges are deadlines relative to the arrival.
    """
    booking = draw(bookings())
    relative = any_rules and booking.check_in is not None
    policy = draw(
        policies(booking.currency, any_rules=any_rules, max_windows=max_windows, relative=relative)
    )
    if relative and booking.timezone is None and policy.local_zone is None:
        policy = policy.model_copy(update={"local_zone": draw(st.sampled_from(ZONES))})
    if any_rules and draw(st.integers(0, 3)) == 0:
        dated = booking.night_dates() is not None
        surcharge = draw(surcharges(booking.currency, stay_dates=dated))
        policy = policy.model_copy(update={"surcharge": surcharge})
    return policy, booking


def boundary_instants(timeline: Timeline) -> st.SearchStrategy[datetime]:
    """Instants where a timeline's fee may change, or around them.

    Most draws are exactly on a boundary or one microsecond either side; the rest anywhere
    from two days before the first boundary to two days after the last.

    A property over these finds an off-by-one at a window's edge (``[start, end)`` read as
    ``(start, end]``, or the other way) within a few dozen examples, where uniformly drawn
    instants almost never land on an edge.

    Example:
        >>> import penalty
        >>> from hypothesis import given, settings
        >>> policy = penalty.Policy(windows=[{"start": "2021-05-12T18:00+07:00",
        ...     "end": "2021-05-13T18:00+07:00", "percent": "70"}])
        >>> timeline = penalty.compile(policy, penalty.Booking(total="100", currency="USD"))
        >>> @settings(max_examples=50)
        ... @given(boundary_instants(timeline))
        ... def test_fee_is_within_the_total(at):
        ...     assert 0 <= timeline.fee(at) <= 100
        >>> test_fee_is_within_the_total()
    """
    bounds = timeline.boundaries
    if not bounds:
        return instants()
    tick = timedelta(microseconds=1)
    near = st.builds(
        lambda bound, step, tz: (bound + step * tick).astimezone(tz),
        st.sampled_from(bounds),
        st.sampled_from((-1, 0, 0, 1)),
        offsets(),
    )
    first, last = min(bounds), max(bounds)
    around = instants(first - timedelta(days=2), last - first + timedelta(days=4))
    return st.one_of(near, near, near, around)


@st.composite
def quotes(draw: st.DrawFn, *, any_rules: bool = True) -> Quote:
    """A `Quote` of a generated policy and booking at an instant near its boundaries."""
    policy, booking = draw(cases(any_rules=any_rules))
    timeline = compile_policy_into_timeline(policy, booking)
    return timeline.quote(draw(boundary_instants(timeline)))


@st.composite
def room_lists(
    draw: st.DrawFn, *, min_rooms: int = 1, max_rooms: int = 3, any_rules: bool = True
) -> list[Room]:
    """Rooms of one booking: each its own policy and booking (`cases`), all in one currency.

    Some rooms are named, some not (`Rooms` names those by their place).
    """
    first_policy, first_booking = draw(cases(any_rules=any_rules, max_windows=4))
    currency = first_booking.currency
    items = [(first_policy, first_booking)]
    for _ in range(draw(st.integers(min_rooms, max_rooms)) - 1):
        booking = draw(bookings(currency))
        relative = any_rules and booking.check_in is not None
        policy = draw(policies(currency, any_rules=any_rules, max_windows=4, relative=relative))
        if relative and booking.timezone is None and policy.local_zone is None:
            policy = policy.model_copy(update={"local_zone": draw(st.sampled_from(ZONES))})
        items.append((policy, booking))
    return [
        Room(policy, booking, name=f"Room {chr(65 + index)}" if draw(st.booleans()) else None)
        for index, (policy, booking) in enumerate(items)
    ]


def rooms(
    *, min_rooms: int = 1, max_rooms: int = 3, any_rules: bool = True
) -> st.SearchStrategy[Rooms]:
    """A compiled booking of several rooms (`penalty.rooms.Rooms`) from `room_lists`."""
    return room_lists(min_rooms=min_rooms, max_rooms=max_rooms, any_rules=any_rules).map(Rooms)
