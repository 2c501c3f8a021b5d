"""Compiling a policy against a booking: the work done once, before any quote.

`compile_policy` turns a `Policy`'s window columns into a `Compiled` value:

1. each window's edges become integer nanoseconds (a wall-clock edge is read in the booking's
   zone, else the policy's ``local_zone``, with a warning; a `Deadline` is resolved against the
   booking's arrival, rule 22), checked (rules 11, 15);
2. each window's charge is computed exactly (rules 4-6, 10) over one integer denominator;
3. a sweep over the sorted edges gives every elementary interval between two boundaries its
   phase and deciding window (rules 3, 7-9);
4. each interval's fee is rounded once (rule 12).

Policies whose windows hold `Deadline` edges or `UNSUPPORTED` windows take one extra pass,
decided once per policy (`Windows.relative`, `Windows.unsupported`): the common path of
instants and wall-clock times is not slowed by either.

`penalty.timeline.Timeline` keeps the result and answers quotes from it by bisection.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from penalty._model import construct
from penalty.booking import DEFAULT_CHECK_IN_TIME
from penalty.errors import InvalidPolicy
from penalty.instants import localize, to_nanos, wall_nanos, wall_time, zone
from penalty.money import EXACT, minor_unit, round_fee
from penalty.policy import UNSUPPORTED, Deadline, EdgeZone, PolicyWarning
from penalty.rules import (
    AfterLast,
    Basis,
    Gaps,
    Phase,
    check_currency,
    check_order,
    edge_shift,
    nights_charge,
    window_charge,
)

if TYPE_CHECKING:
    from penalty.booking import Booking
    from penalty.policy import Policy, Surcharge, Windows

__all__ = ["FIRST_EDGE", "LAST_EDGE", "Compiled", "compile_policy"]

_ZERO = Decimal(0)
_INFINITY = float("inf")
_OPEN = frozenset({-_INFINITY, _INFINITY})
#: Window edges stay a day inside `datetime`'s range, so that every boundary can be shown in any
#: zone: 0001-01-02 to 9999-12-31 UTC (nanoseconds since the epoch).
FIRST_EDGE = to_nanos(datetime(1, 1, 2, tzinfo=UTC))
LAST_EDGE = to_nanos(datetime(9999, 12, 31, tzinfo=UTC))
_FIRST_EDGE, _LAST_EDGE = FIRST_EDGE, LAST_EDGE


class Compiled(NamedTuple):
    """A policy compiled against a booking.

    Interval ``i`` is ``[bounds[i - 1], bounds[i])`` (open at both ends of the list): there are
    ``len(bounds) + 1`` of them, each with its fee (rounded), phase and deciding window.
    ``unavailable`` holds the intervals decided by an `UNSUPPORTED` window: their fee is not
    known, and quoting them is an error.
    """

    bounds: list[int]
    fees: list[Decimal]
    phases: list[Phase]
    deciders: list[int | None]
    digits: int
    zone: tzinfo
    warnings: tuple[PolicyWarning, ...]
    unavailable: frozenset[int] = frozenset()


#: A window as the sweep sees it: (start, end, charge, index); edges in nanoseconds, shifted by
#: rule 2, infinite when open; the charge exact, over the booking's denominator.
_Span = tuple[float, float, Decimal, int]


def compile_policy(policy: Policy, booking: Booking) -> Compiled:
    """Compile ``policy`` against ``booking`` (see the module docstring).

    Raises:
        InvalidPolicy: a window that cannot be read against this booking (naming its path).
        CurrencyMismatch: a window priced in another currency than the booking.

    Example:
        >>> import penalty
        >>> policy = penalty.Policy(windows=[{"start": "2021-05-12T18:00+07:00",
        ...     "end": "2021-05-13T18:00+07:00", "percent": "70"}])
        >>> compiled = compile_policy(policy, penalty.Booking(total="3000000", currency="VND"))
        >>> [str(fee) for fee in compiled.fees], compiled.phases
        (['0', '2100000', '3000000'], ['free', 'window', 'no_show'])
    """
    context = _Context(policy, booking)
    spans = context.spans()
    bounds = sorted({edge for start, end, _, _ in spans for edge in (start, end)} - _OPEN)
    if bounds and not _FIRST_EDGE <= bounds[0] <= bounds[-1] <= _LAST_EDGE + 1:
        context.refuse_out_of_range()
    charges, phases, deciders = _sweep(spans, bounds, context)
    if policy.surcharge is not None:
        extra = context.surcharge(policy.surcharge)
        charges = [min(EXACT.add(charge, extra), context.total) for charge in charges]
    unavailable: frozenset[int] = frozenset()
    if context.unsupported:  # their marker charge is above the total: capped, and flagged
        charges = [min(charge, context.total) for charge in charges]
        unavailable = frozenset(
            position for position, decider in enumerate(deciders) if decider in context.unsupported
        )
    digits = context.digits
    rounded: dict[Decimal, Decimal] = {}
    fees = []
    for charge in charges:  # rule 12: each distinct fee rounded once
        fee = rounded.get(charge)
        if fee is None:
            fee = rounded[charge] = round_fee(charge, context.den, digits)
        fees.append(fee)
    return Compiled(
        bounds=bounds,  # type: ignore[arg-type]  # the infinities are gone
        fees=fees,
        phases=phases,
        deciders=deciders,
        digits=digits,
        zone=context.display_zone(),
        warnings=tuple(context.warnings),
        unavailable=unavailable,
    )


def _sweep(
    spans: list[_Span], bounds: list[float], context: _Context
) -> tuple[list[Decimal], list[Phase], list[int | None]]:
    """Each interval's exact charge, phase and deciding window: SEMANTICS rules 3, 7, 8, 9.

    Inside a window when one covers the interval, and then the highest charge wins (rule 7);
    else free before the first window (rule 3), a no-show from the end of the last one (rule 9,
    or its `AfterLast` setting), and a gap in between (rule 8: the charge in force carries on,
    or nothing under `Gaps.FREE`).
    """
    rules = context.policy.rules
    first_start = min((start for start, _, _, _ in spans), default=_INFINITY)
    last_end = max((end for _, end, _, _ in spans), default=-_INFINITY)
    after = {AfterLast.NO_SHOW: context.total, AfterLast.FREE: _ZERO, AfterLast.CARRY: None}[
        rules.after_last
    ]
    carry = rules.gaps is Gaps.CARRY
    covering = sorted(span for span in spans if span[0] < span[1])
    #: The windows covering the interval, highest charge first, then the first in the policy's
    #: order: (-charge, index, end).
    active: list[tuple[Decimal, int, float]] = []
    charges: list[Decimal] = []
    phases: list[Phase] = []
    deciders: list[int | None] = []
    cursor, waiting, charge, decider = 0, len(covering), _ZERO, None
    phase: Phase
    low = -_INFINITY
    for high in [*bounds, _INFINITY]:  # the interval [low, high)
        while cursor < waiting and covering[cursor][0] <= low:
            _, end, covered, index = covering[cursor]
            heapq.heappush(active, (-covered, index, end))
            cursor += 1
        while active and active[0][2] <= low:
            heapq.heappop(active)
        if active:  # rule 7
            minus, decider, _ = active[0]
            charge, phase = -minus, "window"
        elif low >= last_end:  # rule 9 (with no window at all, every instant is after the last)
            phase = "no_show"
            if after is not None:
                charge, decider = after, None
        elif high <= first_start:  # rule 3
            charge, decider, phase = _ZERO, None, "free"
        else:  # rule 8
            phase = "gap"
            if not carry:
                charge, decider = _ZERO, None
        charges.append(charge)
        phases.append(phase)
        deciders.append(decider)
        low = high
    return charges, phases, deciders


def _shown(edge: datetime | Deadline | None) -> str | None:
    if edge is None:
        return None
    return str(edge) if isinstance(edge, Deadline) else edge.isoformat()


def _shown_end(windows: Windows, index: int) -> str | None:
    return _shown(windows[index].end)


class _Context:
    """One compilation: the booking's amounts over one denominator, zones, warnings."""

    def __init__(self, policy: Policy, booking: Booking) -> None:
        self.policy = policy
        self.booking = booking
        self.warnings: list[PolicyWarning] = []
        self._warned: set[tuple[str, str | None]] = set()
        self.assumed: set[str] = set()
        self.local_zone: tzinfo | None = None
        rates = booking.nightly_rates
        #: Every charge is over `den`: the number of nights when a night is total / nights.
        self.den: int = (booking.night_count if rates is None else None) or 1
        #: The total over `den`: the cap of every charge, and the no-show fee.
        self.total = booking.total if self.den == 1 else EXACT.multiply(booking.total, self.den)
        self._prices: list[Decimal] | None = None
        self.digits = minor_unit(booking.currency)
        #: Indices of `UNSUPPORTED` windows (their charge is a marker above any real one).
        self.unsupported: set[int] = set()
        #: Arrivals already resolved: (days before the check-in date, clock) -> nanoseconds.
        self._anchors: dict[tuple[int, time | None], int] = {}

    def warn(self, code: str, path: str | None, message: str) -> None:
        """Record an assumption (SEMANTICS rule 19), once per code and path."""
        if (code, path) in self._warned:  # a set: 100,000 warnings cost O(n), not O(n²)
            return
        self._warned.add((code, path))
        self.warnings.append(
            construct(PolicyWarning, {"code": code, "path": path, "message": message})
        )

    def spans(self) -> list[_Span]:
        """Every window as a span: edges in nanoseconds (shifted by rule 2), exact charge."""
        policy, windows = self.policy, self.policy.columns
        source, currency = policy.source, self.booking.currency
        shift = edge_shift(policy.rules.boundary)
        refund = policy.rules.basis is Basis.REFUND
        spans = []
        if not len(windows):
            self.warn(
                "no_windows",
                source.prefix,
                "the policy has no windows: cancelling costs the whole total at every instant",
            )
        starts, start_zones = windows.starts, windows.start_zones
        ends, end_zones = windows.ends, windows.end_zones
        if windows.relative:  # one pass, for policies with deadlines relative to arrival
            starts, start_zones = self.resolved(starts, start_zones, "start")
            ends, end_zones = self.resolved(ends, end_zones, "end")
        amounts = windows.amounts
        if policy.minor_units:
            amounts = [None if a is None else a.scaleb(-self.digits) for a in amounts]
        columns = zip(
            starts,
            start_zones,
            ends,
            end_zones,
            windows.percents,
            amounts,
            windows.nights,
            windows.currencies,
            strict=True,
        )
        for index, (
            start,
            start_zone,
            end,
            end_zone,
            percent,
            amount,
            nights,
            priced_in,
        ) in enumerate(columns):
            if priced_in is not None and priced_in != currency:
                check_currency(priced_in, currency, path=source.path(index, "currency"))
            # An edge with an offset is already an instant; open or wall-clock ones need work.
            low = start if start_zone is not None else self.edge(start, index, "start")
            high = end if end_zone is not None else self.edge(end, index, "end")
            if high < low:
                check_order(
                    low,
                    high,
                    path=source.path(index, "end"),
                    value=lambda i=index: _shown_end(windows, i),  # type: ignore[misc]
                )
            charge = window_charge(
                percent,
                amount,
                self.nights(nights, index) if nights else _ZERO,
                total=self.total,
                den=self.den,
            )
            if refund:
                charge = EXACT.subtract(self.total, charge)
            if low == high:
                self.warn(
                    "zero_length_window",
                    source.path(index),
                    "window ends where it starts: it covers no instant and charges nothing",
                )
            if shift:
                low, high = low + shift, high + shift
            spans.append((low, high, charge, index))
        if windows.unsupported:
            self.mark_unsupported(spans)
        return spans

    def mark_unsupported(self, spans: list[_Span]) -> None:
        """`UNSUPPORTED` windows charge a marker above the total: they decide wherever they
        cover (an unknown charge may be the highest), and their intervals are flagged.
        """
        marker = EXACT.add(self.total, 1)
        kinds = self.policy.columns.kinds
        for position, (low, high, _, index) in enumerate(spans):
            if kinds[index] == UNSUPPORTED:
                self.unsupported.add(index)
                spans[position] = (low, high, marker, index)

    def resolved(
        self, values: list[int | None], zones: list[EdgeZone], field: str
    ) -> tuple[list[int | None], list[EdgeZone]]:
        """A column of edges with each `Deadline` resolved to an instant (rule 22)."""
        values, zones = list(values), list(zones)
        for index, tz in enumerate(zones):
            if isinstance(tz, Deadline):
                values[index] = self.deadline(tz, index, field)
                zones[index] = UTC
        return values, zones

    def deadline(self, deadline: Deadline, index: int, field: str) -> int:
        """The instant of ``deadline`` against the booking's arrival (SEMANTICS rule 22).

        Elapsed: exact nanoseconds before the anchor instant. Calendar: the wall-clock time on
        the date ``days`` before the check-in date, read in the hotel's zone (DST-aware, gaps
        and folds as the policy's ``fold``).
        """
        if deadline.kind == "elapsed":
            return self.anchor(0, deadline.at, index, field) - deadline.before
        return self.anchor(deadline.days, deadline.at, index, field)

    def anchor(self, days: int, clock: time | None, index: int, field: str) -> int:
        """The instant of ``clock`` (else the check-in time) ``days`` before the check-in date."""
        key = (days, clock)
        known = self._anchors.get(key)
        if known is not None:
            return known
        path = self.policy.source.path(index, field)
        booking = self.booking
        check_in = booking.check_in
        if check_in is None:
            raise InvalidPolicy(
                "a deadline relative to arrival needs the booking's check_in date",
                path=path,
                value=_shown(getattr(self.policy.columns[index], field)),
                code="arrival_unknown",
            )
        if clock is None:
            clock = booking.check_in_time
            if clock is None:
                clock = DEFAULT_CHECK_IN_TIME
                self.warn(
                    "assumed_check_in_time",
                    "check_in_time",
                    "the booking gives no check_in_time: the arrival is taken at "
                    f"{clock.isoformat(timespec='minutes')} on the check-in date",
                )
        tz, name = self.hotel_zone(path)
        try:
            day = check_in - timedelta(days=days)
        except OverflowError as exc:
            raise InvalidPolicy(
                "deadline is out of range", path=path, value=days, code="out_of_range"
            ) from exc
        wall = wall_nanos(datetime.combine(day, clock))
        nanos = localize(
            wall,
            tz,
            fold=self.policy.fold,
            path=path,
            error=InvalidPolicy,
            value=f"{day.isoformat()}T{clock.isoformat()} in {name}",
        )
        self._anchors[key] = nanos
        return nanos

    def hotel_zone(self, path: str) -> tuple[tzinfo, str]:
        """The zone deadlines relative to arrival are read in: the booking's, else the policy's."""
        booking_zone = self.booking.timezone
        name = booking_zone or self.policy.local_zone
        if name is None:
            raise InvalidPolicy(
                "a deadline relative to arrival needs the hotel's zone: the booking's "
                "timezone (or the policy's local_zone)",
                path=path,
                value=None,
                code="zone_unknown",
            )
        tz = zone(name, path=path, error=InvalidPolicy)
        self.local_zone = tz
        if booking_zone is None and name not in self.assumed:
            self.assumed.add(name)
            self.warn(
                "assumed_zone",
                path,
                f"deadlines relative to arrival were read in {name} (the policy's default)",
            )
        return tz, name

    def edge(self, nanos: int | None, index: int, field: str) -> float:
        """An edge without an offset: open (infinite), or a wall-clock time read in a zone."""
        if nanos is None:
            return -_INFINITY if field == "start" else _INFINITY
        return self.local(nanos, index, field)

    def refuse_out_of_range(self) -> None:
        """Raise for the first edge outside 0001-01-02 .. 9999-12-31 UTC (shown in any zone)."""
        windows, source = self.policy.columns, self.policy.source
        for index in range(len(windows)):
            for field, column, zones in (
                ("start", windows.starts, windows.start_zones),
                ("end", windows.ends, windows.end_zones),
            ):
                nanos, tz = column[index], zones[index]
                if isinstance(tz, Deadline):
                    nanos = self.deadline(tz, index, field)
                elif nanos is None:
                    continue
                elif tz is None:
                    nanos = self.local(nanos, index, field)
                if not _FIRST_EDGE <= nanos <= _LAST_EDGE:
                    raise InvalidPolicy(
                        "time is out of range (window edges go from 0001-01-02 to 9999-12-31 UTC)",
                        path=source.path(index, field),
                        value=_shown(getattr(windows[index], field)),
                        code="out_of_range",
                    )

    def local(self, wall: int, index: int, field: str) -> int:
        """A window time without an offset, read in the booking's or the policy's zone."""
        path = self.policy.source.path(index, field)
        name = self.booking.timezone or self.policy.local_zone
        if name is None:
            raise InvalidPolicy(
                "time has no offset and neither the booking nor the policy names a timezone",
                path=path,
                value=wall_time(wall).isoformat(),
                code="naive_datetime",
            )
        tz = zone(name, path=path, error=InvalidPolicy)
        self.local_zone = tz
        if name not in self.assumed:
            self.assumed.add(name)
            whose = "the booking's timezone" if self.booking.timezone else "the policy's default"
            self.warn(
                "assumed_zone",
                path,
                f"window times without an offset were read in {name} ({whose})",
            )
        return localize(wall, tz, fold=self.policy.fold, path=path, error=InvalidPolicy)

    def display_zone(self) -> tzinfo:
        """The zone times are shown in: the hotel's when the booking names one, else the windows'.

        A window written in a winter offset still reads right after a DST switch.
        """
        hotel = self.booking.timezone
        if hotel is not None:
            return zone(hotel, path="timezone", error=InvalidPolicy)
        if self.local_zone is not None:
            return self.local_zone
        windows = self.policy.columns
        zones = (*windows.start_zones, *windows.end_zones)
        return next((tz for tz in zones if isinstance(tz, tzinfo)), UTC)

    def prices(self, path: str, value: object) -> list[Decimal]:
        """Each night's price over `den`, in stay order, warning of what was assumed."""
        if self._prices is not None:
            return self._prices
        booking = self.booking
        rates = booking.nightly_rates
        if rates is None:
            count = booking.night_count
            if count is None:
                raise InvalidPolicy(
                    "a nights charge needs the booking's nightly_rates or check_in/check_out",
                    path=path,
                    value=value,
                    code="nights_unknown",
                )
            self.warn(
                "average_night",
                path,
                "the booking has no nightly_rates: each night is priced at total / nights",
            )
            self._prices = [booking.total] * count  # total / count, over den = count
        else:
            self._prices = [rate.amount for rate in rates]
            summed = sum(self._prices, _ZERO)
            if summed != booking.total:
                self.warn(
                    "rates_do_not_add_up",
                    "nightly_rates",
                    f"the nightly rates add up to {summed}, not the total {booking.total}: "
                    "nights are charged at their rates, percents of the total",
                )
        return self._prices

    def nights(self, nights: Decimal, index: int) -> Decimal:
        """Rule 6 for window ``index``: its first ``nights`` nights, over `den`."""
        prices = self._prices  # read once, by the first window that charges nights
        if prices is None:
            prices = self.prices(self.policy.source.path(index, "nights"), str(nights))
        return nights_charge(nights, prices)

    def surcharge(self, surcharge: Surcharge) -> Decimal:
        """The policy's surcharge over `den`: its amount plus the nights in its stay dates."""
        charge = _ZERO
        if surcharge.amount is not None:
            amount = surcharge.amount
            if self.policy.minor_units:
                amount = amount.scaleb(-self.digits)
            charge = amount if self.den == 1 else EXACT.multiply(amount, self.den)
        if surcharge.stay_dates:
            path = self.policy.source.surcharge
            dates = self.booking.night_dates()
            if dates is None:
                raise InvalidPolicy(
                    "charging stay dates needs the booking's check_in (or dated nightly_rates)",
                    path=path,
                    value=[f"{first}..{last}" for first, last in surcharge.stay_dates[:4]],
                    code="stay_dates_unknown",
                )
            prices = self.prices(path, None)  # cannot refuse: the stay's dates are known
            for price in _charged_nights(surcharge.stay_dates, dates, prices):
                charge = EXACT.add(charge, price)
        return min(charge, self.total)


def _charged_nights(
    ranges: tuple[tuple[date, date], ...], dates: tuple[date, ...], prices: list[Decimal]
) -> Iterator[Decimal]:
    """The price of each night whose date falls in one of ``ranges`` (both ends included), once.

    O((n + m) log(n + m)) for n ranges and m nights, never n × m: the ranges sorted and merged
    into disjoint spans, the nights (in stay order, so sorted) walked once beside them.
    """
    spans: list[list[date]] = []
    for first, last in sorted(ranges):
        if spans and first <= spans[-1][1]:  # overlapping: one span
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    index = 0
    for night, price in zip(dates, prices, strict=False):
        while index < len(spans) and spans[index][1] < night:
            index += 1
        if index == len(spans):
            return
        if spans[index][0] <= night:
            yield price
