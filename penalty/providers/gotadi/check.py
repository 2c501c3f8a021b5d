"""What check-cancel-penalty said about a booking, and the one place Gotadi calls the engine.

`PenaltyCheck.quote` prices a cancellation with ``penalty.compile(policy, booking).quote(at)``;
`PenaltyCheck.require_booking` refuses a booking file that the live windows cannot be of, before
any fee is sent. Nothing else in the Gotadi adapter touches the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import penalty
from penalty.booking import Booking
from penalty.errors import InvalidBooking
from penalty.formats.gotadi import CheckCancelPenaltyResponse
from penalty.policy import Policy
from penalty.providers.gotadi.models import CheckStatus
from penalty.timeline import Quote

__all__ = ["LONGEST_LEAD", "PenaltyCheck"]

#: How long before a booking's check-in its live windows may end. Gotadi charges the no-show
#: (the whole total) from the end of the last window, "after check-in, or for a no-show" (seed
#: 001): its windows end around the check-in (seed 001's at 18:00 the day before, the live
#: example's the day after). Sixty days leave room for a supplier whose last deadline is early;
#: windows ending sooner than that are another stay's.
LONGEST_LEAD = timedelta(days=60)
#: An instant after every window: the quote there is the no-show, starting at the last end.
_AFTER_EVERY_WINDOW = datetime(9999, 1, 1, tzinfo=UTC)


def _stay(booking: Booking) -> tuple[date, date] | None:
    """The booking's first night and check-out day, when its dates or dated rates say."""
    nights = booking.night_dates()
    if not nights:
        return None
    return nights[0], nights[-1] + timedelta(days=1)


def _not_this_stay(path: str, message: str, value: object) -> InvalidBooking:
    return InvalidBooking(
        f"{message}: this booking file is of another stay",
        path=path,
        value=value,
        code="not_this_stay",
    )


@dataclass(frozen=True, slots=True)
class PenaltyCheck:
    """What check-cancel-penalty said about a booking.

    Attributes:
        booking_number: the booking asked about.
        status: may it be cancelled (``UNKNOWN``: ask again).
        policy: its penalty windows, ready to quote against a `penalty.Booking`.
        cancel_penalty_total: Gotadi's own ``cancelPenaltyTotal`` (exact), if sent; PROTOCOLS
            A.5 warns it can be ``0.0`` despite a penalty, so it is compared, never trusted.
        response: the raw response model.
    """

    booking_number: str
    status: CheckStatus
    policy: Policy
    cancel_penalty_total: Decimal | None
    response: CheckCancelPenaltyResponse

    def quote(self, booking: Booking, at: datetime) -> Quote:
        """Our fee for cancelling ``booking`` at ``at``, by the engine."""
        return penalty.compile(self.policy, booking).quote(at)

    def require_booking(self, booking: Booking) -> None:
        """Refuse a booking file that these live windows cannot be of, before any fee is sent.

        A fee quoted from another stay's booking file is wrong however exact: against windows
        that start after the stay it is ``0.00``. So the booking must fit the live policy:

        * ``currency``: every window is priced in the booking's currency (the engine's own
          check, SEMANTICS rule 11: `penalty.errors.CurrencyMismatch`);
        * ``total``: Gotadi's ``cancelPenaltyTotal``, when sent, is not more than the booking's
          total (no fee is; a total of ``0.0`` proves nothing, PROTOCOLS A.5);
        * ``check_out``/``nightly_rates``: no NIGHTS window charges more nights than the stay
          has (the stay's night count is known);
        * ``check_in``/``check_out`` (from the dates, or dated ``nightly_rates``): the no-show
          point, where the last window ends, falls on a day from `LONGEST_LEAD` before the
          check-in to the check-out day, in the hotel's zone.

        Raises:
            CurrencyMismatch: a window in another currency.
            InvalidBooking: ``code="not_this_stay"``, the path naming the booking's field.
        """
        timeline = penalty.compile(self.policy, booking)
        total = self.cancel_penalty_total
        if total is not None and total > booking.total:
            raise _not_this_stay(
                "total",
                f"Gotadi's cancelPenaltyTotal for {self.booking_number} is {total}, more than "
                "this booking's total",
                booking.total,
            )
        dated = booking.check_in is not None and booking.check_out is not None
        nights = booking.night_count
        for index, window in enumerate(self.policy.windows):
            if nights is not None and window.nights is not None and window.nights > nights:
                raise _not_this_stay(
                    "check_out" if dated else "nightly_rates",
                    f"live window {index} of {self.booking_number} charges {window.nights} "
                    f"nights, this booking has {nights}",
                    str(booking.check_out) if dated else nights,
                )
        stay = _stay(booking)
        no_show = timeline.quote(_AFTER_EVERY_WINDOW)
        if stay is None or no_show.phase != "no_show" or no_show.since is None:
            return
        first_night, check_out = stay
        last_end = no_show.since
        when = last_end.isoformat(timespec="minutes")
        if last_end.date() > check_out:
            raise _not_this_stay(
                "check_out" if dated else "nightly_rates",
                f"the live windows of {self.booking_number} run until {when}, after this "
                "booking's check-out",
                str(check_out),
            )
        if last_end.date() < first_night - LONGEST_LEAD:
            raise _not_this_stay(
                "check_in" if dated else "nightly_rates",
                f"the live windows of {self.booking_number} end at {when}, more than "
                f"{LONGEST_LEAD.days} days before this booking's check-in",
                str(first_night),
            )
