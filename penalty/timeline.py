"""Compile a policy against a booking into a timeline; quote any instant by bisection.

Compiling does all the work once: window edges become sorted integer microsecond boundaries,
and every elementary interval between two boundaries gets its `Quote` precomputed (fee exact,
capped at the total, rounded once). Quoting is then one subtraction, one bisection and a list
lookup. `Timeline.segments` is the schedule: the same intervals with equal neighbouring fees
merged (SEMANTICS rule 14), so a schedule can never disagree with a quote.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from penalty._model import FrozenModel
from penalty.errors import CurrencyMismatch, InvalidInstant, InvalidPolicy
from penalty.instants import (
    EPOCH,
    ONE_MICROSECOND,
    from_micros,
    localize,
    parse_instant,
    to_micros,
    zone,
)
from penalty.money import gotadi_amount, minor_unit, round_half_up
from penalty.policy import AfterLast, Basis, Boundary, Gaps

if TYPE_CHECKING:
    from penalty.booking import Booking
    from penalty.policy import Policy, Window

__all__ = ["Phase", "PolicyWarning", "Quote", "Segment", "Timeline"]

Phase = Literal["free", "window", "gap", "no_show"]

_datetime_sub = datetime.__sub__
_HUNDRED = Fraction(100)


class PolicyWarning(FrozenModel):
    """Something a quote's reader should know: an assumed zone, a window that covers nothing."""

    code: str
    path: str | None
    message: str


class Quote(FrozenModel):
    """What cancelling at an instant costs.

    Attributes:
        fee: rounded once to the currency's minor unit.
        currency: the booking's currency.
        gotadi_amount: the fee in Gotadi's two-decimal wire format (``"2100000.00"``).
        phase: ``"free"`` before the first window, ``"window"`` inside one, ``"gap"`` between
            windows, ``"no_show"`` from the end of the last window on.
        window: the index (in the policy's order) of the window that sets the fee, if any.
        since, until: the stretch of time over which this exact quote holds (``None``: open).
        warnings: assumed zones, zero-length windows.
    """

    fee: Decimal
    currency: str
    gotadi_amount: str
    phase: Phase
    window: int | None
    since: datetime | None
    until: datetime | None
    warnings: tuple[PolicyWarning, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape: amounts as strings, instants as ISO 8601."""
        return {
            "fee": str(self.fee),
            "currency": self.currency,
            "gotadi_amount": self.gotadi_amount,
            "phase": self.phase,
            "window": self.window,
            "since": _iso(self.since),
            "until": _iso(self.until),
            "warnings": [warning.model_dump() for warning in self.warnings],
        }


class Segment(FrozenModel):
    """A maximal stretch ``[start, end)`` of constant fee (``None``: open-ended)."""

    start: datetime | None
    end: datetime | None
    fee: Decimal
    gotadi_amount: str
    phases: tuple[Phase, ...]
    windows: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """``{"start": ISO | null, "end": ISO | null, "fee": "0", ...}``."""
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "fee": str(self.fee),
            "gotadi_amount": self.gotadi_amount,
            "phases": list(self.phases),
            "windows": list(self.windows),
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class _Span:
    """A window resolved against a booking: integer edges and an exact charge."""

    __slots__ = ("charge", "end", "index", "start")

    def __init__(self, index: int, start: int | None, end: int | None, charge: Fraction) -> None:
        self.index = index
        self.start = start
        self.end = end
        self.charge = charge


class Timeline:
    """A policy compiled against a booking. Build with `Policy.timeline`.

    Example:
        >>> from penalty import Booking, Policy
        >>> policy = Policy.from_gotadi([{"startDate": "2021-05-10T18:00:00+07:00",
        ...     "endDate": "2021-05-12T18:00:00+07:00", "type": "PERCENT", "percent": "50%",
        ...     "amount": "25000", "currency": "VND", "nights": "", "description": ""}])
        >>> timeline = policy.timeline(Booking(total="3000000", currency="VND"))
        >>> [str(segment.fee) for segment in timeline.segments]
        ['0', '1525000', '3000000']
        >>> timeline.quote("2021-05-11T00:00:00+07:00").gotadi_amount
        '1525000.00'
    """

    __slots__ = (
        "_bounds",
        "_fees",
        "_quotes",
        "booking",
        "currency",
        "digits",
        "policy",
        "segments",
        "warnings",
        "zone",
    )

    _bounds: list[int]
    _fees: list[Decimal]
    _quotes: list[Quote]
    booking: Booking
    policy: Policy
    currency: str
    digits: int
    zone: tzinfo
    segments: tuple[Segment, ...]
    warnings: tuple[PolicyWarning, ...]

    def __init__(self, policy: Policy, booking: Booking) -> None:
        self.policy = policy
        self.booking = booking
        self.currency = booking.currency
        self.digits = minor_unit(booking.currency)
        _Compiler(self).run()

    # -- quoting -------------------------------------------------------------------------------

    def quote(self, at: datetime | str) -> Quote:
        """The quote at instant ``at``: an aware datetime or an ISO 8601 string with an offset.

        A time without an offset is read in the booking's timezone (and the quote warns that
        it was); without one it is an error.

        Raises:
            InvalidInstant: ``at`` is malformed, naive without a booking zone, or in a DST gap.
        """
        try:
            key = _datetime_sub(at, EPOCH) // ONE_MICROSECOND  # type: ignore[type-var]
        except TypeError:
            return self._quote_slow(at)
        return self._quotes[bisect_right(self._bounds, key)]

    def fee(self, at: datetime | str) -> Decimal:
        """Just the fee at ``at`` (see `quote`)."""
        return self.quote(at).fee

    def fees(self, instants: Iterable[datetime | str]) -> Iterator[Decimal]:
        """The fee at each of ``instants``, lazily, in order (memory stays flat)."""
        bounds, fees, quote = self._bounds, self._fees, self.quote
        for at in instants:
            try:
                key = _datetime_sub(at, EPOCH) // ONE_MICROSECOND  # type: ignore[type-var]
            except TypeError:
                yield quote(at).fee
            else:
                yield fees[bisect_right(bounds, key)]

    def _quote_slow(self, at: object) -> Quote:
        tz = None if self.booking.timezone is None else self._booking_zone()
        naive = (isinstance(at, datetime) and at.utcoffset() is None) or (
            isinstance(at, str) and _is_naive_text(at)
        )
        instant = parse_instant(at, tz=tz, path="at", error=InvalidInstant)
        quote = self._quotes[bisect_right(self._bounds, to_micros(instant))]
        if not naive:
            return quote
        note = PolicyWarning(
            code="assumed_zone",
            path="at",
            message=f"cancel time has no offset; read in {self.booking.timezone} "
            "(the booking's timezone)",
        )
        return quote.model_copy(update={"warnings": (*quote.warnings, note)})

    def _booking_zone(self) -> tzinfo:
        return zone(self.booking.timezone, path="timezone", error=InvalidInstant)

    @property
    def boundaries(self) -> tuple[datetime, ...]:
        """Every instant at which the quote may change, in the timeline's zone."""
        return tuple(from_micros(key, self.zone) for key in self._bounds)


def _is_naive_text(text: str) -> bool:
    try:
        return datetime.fromisoformat(text.strip()).utcoffset() is None
    except ValueError:
        return False


class _Compiler:
    """Does `Timeline.__init__`'s work; kept apart so the timeline object stays small."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.policy = timeline.policy
        self.booking = timeline.booking
        self.warnings: list[PolicyWarning] = []
        self.assumed: set[str] = set()
        self.display_zone: tzinfo | None = None
        self.total = Fraction(self.booking.total)

    def run(self) -> None:
        spans, markers = self._resolve()
        self.timeline.zone = self.display_zone or UTC
        bounds = sorted(
            {edge for span in markers for edge in (span.start, span.end) if edge is not None}
        )
        self.timeline._bounds = bounds
        rows = self._sweep(spans, markers, bounds)
        self.timeline.warnings = tuple(self.warnings)
        self._tabulate(rows, bounds)

    # -- resolving windows ---------------------------------------------------------------------

    def _resolve(self) -> tuple[list[_Span], list[_Span]]:
        """(windows that cover time, every window incl. zero-length ones as time markers)."""
        spans: list[_Span] = []
        markers: list[_Span] = []
        source = self.policy.source
        shift = 1 if self.policy.rules.boundary is Boundary.END_INCLUSIVE else 0
        for index, window in enumerate(self.policy.windows):
            start = self._edge(window.start, index, "start")
            end = self._edge(window.end, index, "end")
            if start is not None and end is not None and end < start:
                raise InvalidPolicy(
                    "end is before start",
                    path=source.path(index, "end"),
                    value=_iso(window.end),
                    code="end_before_start",
                )
            self._check_currency(window, index)
            span = _Span(
                index,
                None if start is None else start + shift,
                None if end is None else end + shift,
                self._charge(window, index),
            )
            markers.append(span)
            if start is not None and start == end:
                self.warnings.append(
                    PolicyWarning(
                        code="zero_length_window",
                        path=source.path(index),
                        message="window ends where it starts: it covers no instant and charges "
                        "nothing",
                    )
                )
            else:
                spans.append(span)
        return spans, markers

    def _edge(self, moment: datetime | None, index: int, field: str) -> int | None:
        if moment is None:
            return None
        path = self.policy.source.path(index, field)
        if moment.utcoffset() is None:
            moment = self._localize(moment, path)
        elif self.display_zone is None:
            self.display_zone = moment.tzinfo
        try:
            return to_micros(moment)
        except OverflowError as exc:
            raise InvalidPolicy(
                "time is out of range", path=path, value=_iso(moment), code="out_of_range"
            ) from exc

    def _localize(self, naive: datetime, path: str) -> datetime:
        name = self.booking.timezone or self.policy.local_zone
        if name is None:
            raise InvalidPolicy(
                "time has no offset and neither the booking nor the policy names a timezone",
                path=path,
                value=naive.isoformat(),
                code="naive_datetime",
            )
        tz = zone(name, path=path, error=InvalidPolicy)
        self.display_zone = tz
        if name not in self.assumed:
            self.assumed.add(name)
            whose = "the booking's timezone" if self.booking.timezone else "the policy's default"
            self.warnings.append(
                PolicyWarning(
                    code="assumed_zone",
                    path=path,
                    message=f"window times without an offset were read in {name} ({whose})",
                )
            )
        return localize(naive, tz, fold=self.policy.fold, path=path, error=InvalidPolicy)

    def _check_currency(self, window: Window, index: int) -> None:
        if window.currency is not None and window.currency != self.booking.currency:
            raise CurrencyMismatch(
                f"window is in {window.currency} but the booking is in {self.booking.currency}",
                path=self.policy.source.path(index, "currency"),
                value=window.currency,
            )

    def _charge(self, window: Window, index: int) -> Fraction:
        """SEMANTICS rules 4-6 and 10: components add, capped at the total, exact."""
        charge = Fraction(0)
        if window.percent is not None:
            charge += Fraction(window.percent) / _HUNDRED * self.total
        if window.amount is not None:
            charge += Fraction(window.amount)
        if window.nights:
            charge += self._nights(Fraction(window.nights), index)
        charge = min(charge, self.total)
        if self.policy.rules.basis is Basis.REFUND:
            return self.total - charge
        return charge

    def _nights(self, nights: Fraction, index: int) -> Fraction:
        prices = self.booking.night_prices()
        if prices is None:
            raise InvalidPolicy(
                "a nights charge needs the booking's nightly_rates or check_in/check_out",
                path=self.policy.source.path(index, "nights"),
                value=str(nights),
                code="nights_unknown",
            )
        whole = int(nights)
        charge = sum(prices[:whole], Fraction(0))
        if whole < len(prices):
            charge += (nights - whole) * prices[whole]
        return charge

    # -- sweeping ------------------------------------------------------------------------------

    def _sweep(
        self, spans: list[_Span], markers: list[_Span], bounds: list[int]
    ) -> list[tuple[Fraction, Phase, int | None]]:
        """(exact fee, phase, window) for each of the ``len(bounds) + 1`` intervals."""
        rules = self.policy.rules
        starts = [span.start for span in markers]
        ends = [span.end for span in markers]
        first_start = None if None in starts else min(starts, default=None)  # type: ignore[type-var]
        last_end = None if None in ends else max(ends, default=None)  # type: ignore[type-var]
        pending = sorted(spans, key=lambda s: (s.start is not None, s.start or 0))
        active: list[tuple[Fraction, int, _Span]] = []
        rows: list[tuple[Fraction, Phase, int | None]] = []
        cursor = 0
        previous: tuple[Fraction, int | None] = (Fraction(0), None)
        for position in range(len(bounds) + 1):
            low = bounds[position - 1] if position else None
            high = bounds[position] if position < len(bounds) else None
            while cursor < len(pending) and (
                pending[cursor].start is None or (low is not None and pending[cursor].start <= low)  # type: ignore[operator]
            ):
                span = pending[cursor]
                heapq.heappush(active, (-span.charge, span.index, span))
                cursor += 1
            while (
                active
                and active[0][2].end is not None
                and low is not None
                and active[0][2].end <= low
            ):
                heapq.heappop(active)
            row: tuple[Fraction, Phase, int | None]
            if active:
                charge, index, _ = active[0]
                row = (-charge, "window", index)
            elif not markers:
                row = self._after_last(rules.after_last, previous)
            elif first_start is not None and high is not None and high <= first_start:
                row = (Fraction(0), "free", None)
            elif last_end is not None and low is not None and low >= last_end:
                row = self._after_last(rules.after_last, previous)
            elif rules.gaps is Gaps.CARRY:
                row = (previous[0], "gap", previous[1])
            else:
                row = (Fraction(0), "gap", None)
            rows.append(row)
            previous = (row[0], row[2])
        return rows

    def _after_last(
        self, rule: AfterLast, previous: tuple[Fraction, int | None]
    ) -> tuple[Fraction, Phase, int | None]:
        if rule is AfterLast.NO_SHOW:
            return (self.total, "no_show", None)
        if rule is AfterLast.CARRY:
            return (previous[0], "no_show", previous[1])
        return (Fraction(0), "no_show", None)

    # -- tabulating ----------------------------------------------------------------------------

    def _amounts(self, exact: Fraction) -> tuple[Decimal, str]:
        digits = self.timeline.digits
        fee = round_half_up(exact, digits)
        wire = fee if digits <= 2 else round_half_up(exact, 2)
        return fee, gotadi_amount(wire)

    def _tabulate(self, rows: list[tuple[Fraction, Phase, int | None]], bounds: list[int]) -> None:
        timeline = self.timeline
        tz = timeline.zone
        moments: list[datetime | None] = [None, *(from_micros(b, tz) for b in bounds), None]
        quotes: list[Quote] = []
        segments: list[Segment] = []
        cache: dict[Fraction, tuple[Decimal, str]] = {}
        for position, (exact, phase, window) in enumerate(rows):
            if exact not in cache:
                cache[exact] = self._amounts(exact)
            fee, wire = cache[exact]
            since, until = moments[position], moments[position + 1]
            quotes.append(
                Quote.model_construct(
                    fee=fee,
                    currency=timeline.currency,
                    gotadi_amount=wire,
                    phase=phase,
                    window=window,
                    since=since,
                    until=until,
                    warnings=timeline.warnings,
                )
            )
            last = segments[-1] if segments else None
            if last is not None and last.fee == fee:
                segments[-1] = Segment.model_construct(
                    start=last.start,
                    end=until,
                    fee=fee,
                    gotadi_amount=wire,
                    phases=last.phases if last.phases[-1] == phase else (*last.phases, phase),
                    windows=_with(last.windows, window),
                )
            else:
                segments.append(
                    Segment.model_construct(
                        start=since,
                        end=until,
                        fee=fee,
                        gotadi_amount=wire,
                        phases=(phase,),
                        windows=() if window is None else (window,),
                    )
                )
        timeline._quotes = quotes
        timeline._fees = [quote.fee for quote in quotes]
        timeline.segments = tuple(segments)


def _with(windows: tuple[int, ...], window: int | None) -> tuple[int, ...]:
    if window is None or window in windows:
        return windows
    return (*windows, window)
