"""Compiling a policy against a booking: the work `Timeline.__init__` does once.

Window edges become integer microseconds since the epoch; each window's charge is computed
exactly (SEMANTICS rules 4-6, 10); a sweep over the sorted edges gives every elementary
interval its fee, phase and deciding window (rules 3, 7-9); each distinct fee is rounded once
(rule 12).

Charges are `Decimal` numerators over one integer denominator per booking, ``den``: 1, or the
number of nights when a booking without nightly rates makes a night's price ``total / nights``.
Sums and products go through `penalty.money.EXACT`, so nothing is rounded before the end, no
`Fraction` is needed, and the ambient decimal context is never read.

This is the hot path of parsing a policy and quoting it once, so the common case (windows
with offsets, no warnings) runs in one loop over local variables; local times, nights and
warnings take the helper methods of `_Context`.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from typing import TYPE_CHECKING

from penalty._model import construct
from penalty.errors import CurrencyMismatch, InvalidPolicy
from penalty.instants import EPOCH, ONE_MICROSECOND, localize, to_micros, zone
from penalty.money import _QUANTA, _ROUNDING, _WIRE_DIGITS, EXACT, fee_amounts
from penalty.policy import AfterLast, Basis, Boundary, Gaps
from penalty.timeline import PolicyWarning

if TYPE_CHECKING:
    from penalty.booking import Booking
    from penalty.policy import Policy, Surcharge
    from penalty.timeline import Phase, Row, Timeline

__all__ = ["compile_timeline"]

_datetime_sub = datetime.__sub__
_ZERO = Decimal(0)
_add, _multiply, _subtract, _minus = EXACT.add, EXACT.multiply, EXACT.subtract, EXACT.minus
_scaleb = EXACT.scaleb
_quantize = _ROUNDING.quantize
#: Open edges: a window with no start began at minus infinity, one with no end never ends.
_BEFORE_ALL, _AFTER_ALL = float("-inf"), float("inf")
#: A covering window, as the sweep's heap holds it: the highest charge first, then the first
#: window in the policy's order (indices are unique: the tuple never compares further).
_Span = tuple[Decimal, int, "int | float", "int | float", Decimal]
_start_of = itemgetter(2)
#: Window edges stay a day inside `datetime`'s range, so that every boundary can be shown in any
#: zone (no offset reaches a day): 0001-01-02 to 9999-12-31 UTC.
_FIRST_EDGE = to_micros(datetime(1, 1, 2, tzinfo=UTC))
_LAST_EDGE = to_micros(datetime(9999, 12, 31, tzinfo=UTC))


def compile_timeline(timeline: Timeline) -> None:
    """Fill ``timeline``'s zone, boundaries, rows and warnings from its policy and booking.

    Raises:
        InvalidPolicy: a window that cannot be read against this booking (naming its path).
        CurrencyMismatch: a window priced in another currency than the booking.
    """
    policy, booking = timeline.policy, timeline.booking
    rules = policy.rules
    context = _Context(policy, booking)
    den, total = context.den, context.total
    shift = 1 if rules.boundary is Boundary.END_INCLUSIVE else 0
    refund = rules.basis is Basis.REFUND
    currency = booking.currency
    first_zone: tzinfo | None = None
    spans: list[_Span] = []
    starts: list[int | float] = []
    ends: list[int | float] = []
    #: The last edge converted, and its key: a window usually starts at the very datetime
    #: object the one before it ended at (Gotadi's parser shares equal edges), read once.
    last_moment: datetime | None = None
    last_key: int | float = 0
    for index, window in enumerate(policy.windows):
        moment = window.start
        start: int | float
        if moment is None:
            start = _BEFORE_ALL
        elif moment is last_moment:
            start = last_key
        else:
            try:
                start = _datetime_sub(moment, EPOCH) // ONE_MICROSECOND
            except TypeError:  # no offset: a wall-clock time, read in a zone
                start = context.local(moment, index, "start")
            except OverflowError:  # 0001-01-01T00:00+07:00 is before year 1 in UTC
                raise _out_of_range(policy, index, "start") from None
            else:
                if first_zone is None:
                    first_zone = moment.tzinfo
        moment = window.end
        end: int | float
        if moment is None:
            end = _AFTER_ALL
        else:
            try:
                end = _datetime_sub(moment, EPOCH) // ONE_MICROSECOND
            except TypeError:
                end = context.local(moment, index, "end")
            except OverflowError:
                raise _out_of_range(policy, index, "end") from None
            else:
                if first_zone is None:
                    first_zone = moment.tzinfo
                last_moment, last_key = moment, end
        if end < start:
            raise InvalidPolicy(
                "end is before start",
                path=policy.source.path(index, "end"),
                value=None if window.end is None else window.end.isoformat(),
                code="end_before_start",
            )
        if window.currency is not None and window.currency != currency:
            raise CurrencyMismatch(
                f"window is in {window.currency} but the booking is in {currency}",
                path=policy.source.path(index, "currency"),
                value=window.currency,
            )
        # SEMANTICS rules 4-6 and 10: components add, capped at the total; all over `den`.
        charge = _ZERO
        if window.percent is not None:
            charge = _scaleb(_multiply(window.percent, total), -2)
        if window.amount is not None:
            charge = _add(charge, window.amount if den == 1 else _multiply(window.amount, den))
        if window.nights:
            charge = _add(charge, context.nights(window.nights, index))
        if charge > total:
            charge = total
        if refund:
            charge = _subtract(total, charge)
        start += shift
        end += shift
        starts.append(start)
        ends.append(end)
        if start == end:
            context.warn(
                "zero_length_window",
                policy.source.path(index),
                "window ends where it starts: it covers no instant and charges nothing",
            )
        else:
            spans.append((_minus(charge), index, start, end, charge))
    edges = {*starts, *ends}
    edges.discard(_BEFORE_ALL)
    edges.discard(_AFTER_ALL)
    bounds: list[int] = sorted(edges)  # type: ignore[arg-type]
    if bounds and (bounds[0] < _FIRST_EDGE or bounds[-1] > _LAST_EDGE + shift):
        _refuse_out_of_range(policy, starts, ends, shift)
    # Times are shown in the hotel's zone when the booking names one, so that a window written
    # with a winter offset still reads right after a DST switch.
    hotel = booking.timezone
    timeline.zone = (
        zone(hotel, path="timezone", error=InvalidPolicy)
        if hotel is not None
        else context.local_zone or first_zone or UTC
    )
    timeline.warnings = tuple(context.warnings)
    timeline._bounds = bounds
    extra = None if policy.surcharge is None else context.surcharge(policy.surcharge)
    rows = _sweep(
        spans, starts, ends, bounds, rules.gaps, rules.after_last, total, den, timeline, extra
    )
    timeline._rows = rows
    timeline._fees = [row[0] for row in rows]
    timeline._quotes = [None] * len(rows)


def _out_of_range(policy: Policy, index: int, field: str) -> InvalidPolicy:
    moment = getattr(policy.windows[index], field)
    return InvalidPolicy(
        "time is out of range (window edges go from 0001-01-02 to 9999-12-31 UTC)",
        path=policy.source.path(index, field),
        value=moment.isoformat(),
        code="out_of_range",
    )


def _refuse_out_of_range(
    policy: Policy, starts: list[int | float], ends: list[int | float], shift: int
) -> None:
    """Raise for the first window with an edge outside `_FIRST_EDGE`..`_LAST_EDGE`."""
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        for field, key in (("start", start), ("end", end)):
            if key not in (_BEFORE_ALL, _AFTER_ALL) and not (
                _FIRST_EDGE <= key - shift <= _LAST_EDGE
            ):
                raise _out_of_range(policy, index, field)


def _sweep(
    spans: list[_Span],
    starts: list[int | float],
    ends: list[int | float],
    bounds: list[int],
    gaps: Gaps,
    after_last: AfterLast,
    total: Decimal,
    den: int,
    timeline: Timeline,
    extra: Decimal | None = None,
) -> list[Row]:
    """(fee, Gotadi amount, phase, window) for each of the ``len(bounds) + 1`` intervals.

    ``extra`` (the policy's surcharge, over `den`) is added to every interval's charge, the
    sum capped at the total.
    """
    digits = timeline.digits
    # `fee_amounts` with one denominator and at most two digits is a quantize and a suffix; a
    # negative charge (never seen) still goes to it, to be refused.
    plain = den == 1 and digits <= _WIRE_DIGITS
    quantum = _QUANTA[digits] if plain else _ZERO
    suffix = ".00" if digits == 0 else "0" if digits == 1 else ""
    if starts:
        first_start, last_end = min(starts), max(ends)
    else:  # no windows at all: every instant is after the last one
        first_start, last_end = _AFTER_ALL, _BEFORE_ALL
    after: Decimal | None = (  # the fee after the last window; None: the last one carries on
        total
        if after_last is AfterLast.NO_SHOW
        else _ZERO
        if after_last is AfterLast.FREE
        else None
    )
    carry = gaps is Gaps.CARRY
    spans.sort(key=_start_of)
    waiting = len(spans)
    active: list[_Span] = []
    push, pop = heapq.heappush, heapq.heappop
    #: Rounded amounts of each charge, by the charge object's id (every charge object is alive
    #: in `spans`, `total` or `_ZERO` until the sweep ends, so no id is reused meanwhile).
    amounts: dict[int, tuple[Decimal, str]] = {}
    #: With a surcharge: each charge plus it, capped, by the charge's id (kept alive here).
    surcharged: dict[int, Decimal] = {}
    rows: list[Row] = []
    cursor = 0
    exact, window = _ZERO, None
    phase: Phase
    low: int | float = _BEFORE_ALL
    for high in [*bounds, _AFTER_ALL]:  # the interval [low, high)
        while cursor < waiting and spans[cursor][2] <= low:
            push(active, spans[cursor])
            cursor += 1
        while active and active[0][3] <= low:
            pop(active)
        if active:  # rule 7: the highest charge of the windows covering the interval
            top = active[0]
            exact, phase, window = top[4], "window", top[1]
        elif low >= last_end:  # rule 9
            phase = "no_show"
            if after is not None:
                exact, window = after, None
        elif high <= first_start:  # rule 3
            exact, phase, window = _ZERO, "free", None
        else:  # rule 8
            phase = "gap"
            if not carry:
                exact, window = _ZERO, None
        charged = exact
        if extra is not None:
            summed = surcharged.get(id(exact))
            if summed is None:
                summed = surcharged[id(exact)] = min(_add(exact, extra), total)
            charged = summed
        key = id(charged)  # by identity: a Decimal's hash is slow, an int's is not
        known = amounts.get(key)
        if known is None:
            if plain and charged >= _ZERO:  # `fee_amounts` common case: one half-up quantize
                fee = _quantize(charged, quantum)
                known = amounts[key] = (fee, str(fee) + suffix)
            else:
                known = amounts[key] = fee_amounts(charged, den, digits)
        rows.append((known[0], known[1], phase, window))
        low = high
    return rows


class _Context:
    """What the compiler needs beyond the common case: local times, nights, warnings."""

    __slots__ = ("assumed", "booking", "den", "local_zone", "policy", "total", "warnings")

    def __init__(self, policy: Policy, booking: Booking) -> None:
        self.policy = policy
        self.booking = booking
        self.warnings: list[PolicyWarning] = []
        self.assumed: set[str] = set()
        self.local_zone: tzinfo | None = None
        #: Every charge is over `den`: the number of nights when a night is total / nights.
        self.den: int = (booking.night_count if booking.nightly_rates is None else None) or 1
        #: The total over `den`: the cap of every charge, and the no-show fee.
        self.total = booking.total if self.den == 1 else _multiply(booking.total, self.den)

    @property
    def prices(self) -> list[Decimal] | None:
        """Each night's price in stay order, when the booking has nightly rates."""
        rates = self.booking.nightly_rates
        return None if rates is None else [rate.amount for rate in rates]

    def local(self, naive: datetime, index: int, field: str) -> int:
        """A window time without an offset, read in the booking's or the policy's zone."""
        path = self.policy.source.path(index, field)
        name = self.booking.timezone or self.policy.local_zone
        if name is None:
            raise InvalidPolicy(
                "time has no offset and neither the booking nor the policy names a timezone",
                path=path,
                value=naive.isoformat(),
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
        moment = localize(naive, tz, fold=self.policy.fold, path=path, error=InvalidPolicy)
        return to_micros(moment)

    def warn(self, code: str, path: str, message: str) -> None:
        self.warnings.append(
            construct(PolicyWarning, {"code": code, "path": path, "message": message})
        )

    def surcharge(self, surcharge: Surcharge) -> Decimal:
        """The policy's surcharge over `den`: its amount plus the nights in its stay dates."""
        charge = _ZERO
        if surcharge.amount is not None:
            amount = surcharge.amount
            charge = amount if self.den == 1 else _multiply(amount, self.den)
        if surcharge.stay_dates:
            booking = self.booking
            dates = booking.night_dates()
            prices = self.prices
            if dates is None or (prices is None and booking.night_count is None):
                raise InvalidPolicy(
                    "charging stay dates needs the booking's check_in (or dated nightly_rates)",
                    path=self.policy.source.surcharge,
                    value=[f"{first}..{last}" for first, last in surcharge.stay_dates],
                    code="stay_dates_unknown",
                )
            for index, night in enumerate(dates):
                if any(first <= night <= last for first, last in surcharge.stay_dates):
                    # Without rates each night is total / den, i.e. `total` over `den`.
                    price = booking.total if prices is None else prices[index]
                    charge = _add(charge, price)
        return min(charge, self.total)

    def nights(self, nights: Decimal, index: int) -> Decimal:
        """The first ``nights`` nights at their own rates (a fraction of the next one)."""
        rates = self.booking.nightly_rates
        if rates is None:
            if self.booking.night_count is None:
                raise InvalidPolicy(
                    "a nights charge needs the booking's nightly_rates or check_in/check_out",
                    path=self.policy.source.path(index, "nights"),
                    value=str(Fraction(nights)),
                    code="nights_unknown",
                )
            # Each night is total / den: N nights are N * total over den, the whole stay at most.
            return _multiply(min(nights, Decimal(self.den)), self.booking.total)
        whole = int(nights)
        charge = _ZERO
        for rate in rates[:whole]:  # each night's price, in stay order
            charge = _add(charge, rate.amount)
        if whole < len(rates):
            charge = _add(charge, _multiply(_subtract(nights, whole), rates[whole].amount))
        return charge
