"""A slow, obviously-correct evaluator of SEMANTICS.md, to check the compiled timeline against.

It reads the rules literally at one instant: which windows cover it, else where it stands
relative to the first and last window. No boundaries, no bisection, no precomputation.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

from penalty import AfterLast, Basis, Booking, Boundary, Deadline, Gaps, Policy
from penalty.errors import InvalidPolicy
from penalty.instants import from_nanos, localize, wall_nanos, zone
from penalty.money import minor_unit, round_half_up

__all__ = ["reference_fee"]

_TICK = timedelta(microseconds=1)


def _arrival_relative(deadline: Deadline, policy: Policy, booking: Booking) -> datetime:
    """Rule 22, literally: the clock time on the date ``days`` before the check-in date, in the
    hotel's zone, then ``before`` elapsed seconds earlier."""
    name = booking.timezone or policy.local_zone
    assert name is not None
    assert booking.check_in is not None
    clock = deadline.at or booking.check_in_time or time(15, 0)
    wall = datetime.combine(booking.check_in - timedelta(days=deadline.days), clock)
    local = localize(
        wall_nanos(wall),
        zone(name, path=None, error=InvalidPolicy),
        fold=policy.fold,
        path=None,
        error=InvalidPolicy,
    )
    return from_nanos(local, UTC) - timedelta(seconds=deadline.before // 10**9)


def _aware(moment: datetime | Deadline | None, policy: Policy, booking: Booking) -> datetime | None:
    if isinstance(moment, Deadline):
        return _arrival_relative(moment, policy, booking)
    if moment is None or moment.utcoffset() is not None:
        return moment
    name = booking.timezone or policy.local_zone
    assert name is not None
    nanos = localize(
        wall_nanos(moment),
        zone(name, path=None, error=InvalidPolicy),
        fold=policy.fold,
        path=None,
        error=InvalidPolicy,
    )
    return from_nanos(nanos, UTC)


def _charge(policy: Policy, booking: Booking, index: int) -> Fraction:
    window = policy.windows[index]
    total = Fraction(booking.total)
    charge = Fraction(0)
    if window.percent is not None:
        charge += Fraction(window.percent) * total / 100
    if window.amount is not None:
        charge += Fraction(window.amount) / _scale(policy, booking)
    if window.nights:
        prices = booking.night_prices()
        assert prices is not None
        left = Fraction(window.nights)
        for price in prices:
            take = min(left, Fraction(1))
            charge += take * price
            left -= take
            if left <= 0:
                break
    charge = min(charge, total)
    return total - charge if policy.rules.basis is Basis.REFUND else charge


def _exact(policy: Policy, booking: Booking, at: datetime) -> Fraction:
    rules = policy.rules
    total = Fraction(booking.total)
    spans = []
    for index, window in enumerate(policy.windows):
        start = _aware(window.start, policy, booking)
        end = _aware(window.end, policy, booking)
        spans.append((index, start, end))
    if not spans:
        return total if rules.after_last is AfterLast.NO_SHOW else Fraction(0)

    def inside(start: datetime | None, end: datetime | None, t: datetime) -> bool:
        if start is not None and end is not None and start == end:
            return False
        if rules.boundary is Boundary.START_INCLUSIVE:
            return (start is None or start <= t) and (end is None or t < end)
        return (start is None or start < t) and (end is None or t <= end)

    covering = [_charge(policy, booking, i) for i, s, e in spans if inside(s, e, at)]
    if covering:
        return max(covering)
    starts = [s for _, s, _ in spans]
    ends = [e for _, _, e in spans]
    inclusive = rules.boundary is Boundary.START_INCLUSIVE
    before_first = all(s is not None and (at < s if inclusive else at <= s) for s in starts)
    if before_first:
        return Fraction(0)
    after_last = all(e is not None and (at >= e if inclusive else at > e) for e in ends)
    carried_from = max(e for e in ends if e is not None and (e <= at))
    if rules.boundary is Boundary.END_INCLUSIVE:
        carried_from = max(e for e in ends if e is not None and e < at)
    just_before = (
        carried_from - _TICK if rules.boundary is Boundary.START_INCLUSIVE else carried_from
    )
    if after_last:
        if rules.after_last is AfterLast.NO_SHOW:
            return total
        if rules.after_last is AfterLast.FREE:
            return Fraction(0)
        return _exact(policy, booking, just_before)
    if rules.gaps is Gaps.FREE:
        return Fraction(0)
    return _exact(policy, booking, just_before)


def _surcharge(policy: Policy, booking: Booking) -> Fraction:
    """The policy's surcharge: its amount plus every stay night dated inside a range."""
    surcharge = policy.surcharge
    if surcharge is None:
        return Fraction(0)
    charge = Fraction(surcharge.amount or 0) / _scale(policy, booking)
    if surcharge.stay_dates:
        dates, prices = booking.night_dates(), booking.night_prices()
        assert dates is not None
        assert prices is not None
        for night, price in zip(dates, prices, strict=True):
            if any(first <= night <= last for first, last in surcharge.stay_dates):
                charge += price
    return charge


def _scale(policy: Policy, booking: Booking) -> int:
    """What an amount is divided by: its currency's minor unit when the policy says so."""
    return 10 ** minor_unit(booking.currency) if policy.minor_units else 1


def reference_fee(policy: Policy, booking: Booking, at: datetime) -> Decimal:
    """The fee at ``at``, rounded once, computed the slow way: the window fee plus the
    surcharge, capped at the total."""
    exact = min(_exact(policy, booking, at) + _surcharge(policy, booking), Fraction(booking.total))
    return round_half_up(exact, minor_unit(booking.currency))
