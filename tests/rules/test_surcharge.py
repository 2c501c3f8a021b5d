"""`Surcharge`: a policy-level charge added to the fee at every instant, capped at the total."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from penalty import AfterLast, Booking, InvalidPolicy, Policy, Rules, Surcharge, Window

ICT = timezone(timedelta(hours=7))
BOOKING = Booking.model_validate(
    {
        "total": "3000000",
        "currency": "VND",
        "nightly_rates": ["1000000", "1200000", "800000"],
        "check_in": "2021-05-13",
        "check_out": "2021-05-16",
    }
)
WINDOW = Window(
    start=datetime(2021, 5, 12, 18, tzinfo=ICT),
    end=datetime(2021, 5, 13, 18, tzinfo=ICT),
    percent=Decimal(50),
)
SECOND_NIGHT = Surcharge(stay_dates=((date(2021, 5, 14), date(2021, 5, 14)),))


@pytest.mark.parametrize(
    ("at", "fee", "phase"),
    [
        (datetime(2021, 5, 12, 17, 59, tzinfo=ICT), Decimal(1_200_000), "free"),
        (datetime(2021, 5, 12, 18, tzinfo=ICT), Decimal(2_700_000), "window"),
        (datetime(2021, 5, 13, 18, tzinfo=ICT), Decimal(3_000_000), "no_show"),
    ],
    ids=["before-first", "inside", "after-last-capped"],
)
def test_surcharge_adds_at_every_instant(at: datetime, fee: Decimal, phase: str) -> None:
    """The stay night 14 May is charged before, inside and after the window; capped at total."""
    policy = Policy(windows=(WINDOW,), surcharge=SECOND_NIGHT)
    quote = policy.quote(BOOKING, at)
    assert (quote.fee, quote.phase) == (fee, phase)


def test_surcharge_amount_and_ranges_count_each_night_once() -> None:
    """Overlapping ranges charge a night once; nights outside the stay charge nothing."""
    surcharge = Surcharge(
        amount=Decimal(5),
        stay_dates=(
            (date(2021, 5, 1), date(2021, 5, 13)),
            (date(2021, 5, 13), date(2021, 5, 13)),
            (date(2021, 6, 1), date(2021, 6, 3)),
        ),
    )
    policy = Policy(windows=(WINDOW,), surcharge=surcharge, rules=Rules(after_last=AfterLast.FREE))
    assert policy.quote(BOOKING, "2021-05-01T00:00:00+07:00").fee == Decimal(1_000_005)


def test_surcharge_without_rates_charges_total_over_nights() -> None:
    """Without nightly rates, a surcharged night is total / nights, exactly."""
    booking = Booking.model_validate(
        {"total": "100.00", "currency": "USD", "check_in": "2021-05-13", "check_out": "2021-05-16"}
    )
    policy = Policy(windows=(WINDOW,), surcharge=SECOND_NIGHT)
    assert policy.quote(booking, "2021-05-01T00:00:00Z").fee == Decimal("33.33")


def test_surcharge_stay_dates_need_the_booking_dates() -> None:
    """Stay dates against a booking without dates: an error naming the provider's field."""
    booking = Booking.model_validate(
        {"total": "3000000", "currency": "VND", "nightly_rates": ["1", "2"]}
    )
    policy = Policy(windows=(WINDOW,), surcharge=SECOND_NIGHT)
    with pytest.raises(InvalidPolicy) as caught:
        policy.timeline(booking)
    assert (caught.value.code, caught.value.path) == ("stay_dates_unknown", "surcharge")


def test_surcharge_range_must_not_end_before_it_starts() -> None:
    """A reversed stay-date range is refused."""
    with pytest.raises(InvalidPolicy) as caught:
        Surcharge(stay_dates=((date(2021, 5, 14), date(2021, 5, 13)),))
    assert caught.value.code == "end_before_start"
