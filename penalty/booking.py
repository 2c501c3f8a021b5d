"""The booking a fee is a fee *of*: total, currency, nights, dates and the hotel's zone."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from pydantic import field_validator, model_validator

from penalty._model import FrozenModel
from penalty.errors import InvalidBooking
from penalty.instants import parse_date, zone
from penalty.money import minor_unit, parse_decimal, validate_currency

__all__ = ["Booking", "NightlyRate"]


class NightlyRate(FrozenModel):
    """The price of one night; ``date`` is set when the provider dated it."""

    _error: ClassVar[type[InvalidBooking]] = InvalidBooking

    date: dt.date | None = None
    amount: Decimal


class Booking(FrozenModel):
    """What the fee is a fee of (SEMANTICS "Inputs").

    Attributes:
        total: what the guest pays for the stay; the base of every percent and the cap of
            every fee. Positive, with no more decimals than the currency's minor unit.
        currency: ISO 4217 code known to CLDR, upper case.
        nightly_rates: the price of each night, in stay order once validated. Given either as
            plain amounts in stay order or as ``{"date", "amount"}`` objects in any order.
        check_in, check_out: the stay's dates; with them the number of nights is known.
        timezone: the hotel's IANA zone, used to show times and to read times written
            without an offset.

    Example:
        >>> booking = Booking.model_validate({
        ...     "total": "3000000", "currency": "VND",
        ...     "nightly_rates": ["1000000", "1200000", "800000"],
        ...     "check_in": "2021-05-13", "check_out": "2021-05-16",
        ...     "timezone": "Asia/Ho_Chi_Minh"})
        >>> booking.night_count, booking.total
        (3, Decimal('3000000'))
    """

    _error: ClassVar[type[InvalidBooking]] = InvalidBooking

    total: Decimal
    currency: str
    nightly_rates: tuple[NightlyRate, ...] | None = None
    check_in: date | None = None
    check_out: date | None = None
    timezone: str | None = None

    @field_validator("total", mode="before")
    @classmethod
    def _total(cls, raw: object) -> Decimal:
        total = parse_decimal(raw, path="total", error=InvalidBooking, what="total")
        if total <= 0:
            raise InvalidBooking(
                "total must be positive", path="total", value=raw, code="not_positive"
            )
        return total

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, raw: object) -> str:
        return validate_currency(raw, path="currency", error=InvalidBooking)

    @field_validator("check_in", "check_out", mode="before")
    @classmethod
    def _dates(cls, raw: object, info: Any) -> date | None:
        if raw is None:
            return None
        return parse_date(raw, path=info.field_name, error=InvalidBooking)

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, raw: object) -> str | None:
        if raw is None:
            return None
        zone(raw, path="timezone", error=InvalidBooking)
        return str(raw)

    @field_validator("nightly_rates", mode="before")
    @classmethod
    def _rates(cls, raw: object) -> tuple[NightlyRate, ...] | None:
        if raw is None:
            return None
        if not isinstance(raw, list | tuple):
            raise InvalidBooking(
                "nightly_rates must be a list", path="nightly_rates", value=raw, code="wrong_type"
            )
        if not raw:
            raise InvalidBooking(
                "nightly_rates must not be empty (omit it instead)",
                path="nightly_rates",
                value=raw,
                code="empty",
            )
        rates = [_rate(item, f"nightly_rates[{i}]") for i, item in enumerate(raw)]
        dated = [rate.date is not None for rate in rates]
        if any(dated) and not all(dated):
            raise InvalidBooking(
                "nightly_rates must be all dated or all plain amounts",
                path="nightly_rates",
                value=raw,
                code="mixed_rates",
            )
        if all(dated):
            seen: set[date] = set()
            for i, rate in enumerate(rates):
                if rate.date in seen:
                    raise InvalidBooking(
                        "two rates for the same night",
                        path=f"nightly_rates[{i}].date",
                        value=str(rate.date),
                        code="duplicate_night",
                    )
                seen.add(rate.date)  # type: ignore[arg-type]
            rates.sort(key=lambda rate: rate.date)  # type: ignore[arg-type, return-value]
        return tuple(rates)

    @model_validator(mode="after")
    def _consistent(self) -> Booking:
        digits = minor_unit(self.currency)
        if -self.total.as_tuple().exponent > digits:  # type: ignore[operator]
            raise InvalidBooking(
                f"total has more decimals than {self.currency}'s minor unit ({digits})",
                path="total",
                value=str(self.total),
                code="too_precise",
            )
        if (self.check_in is None) != (self.check_out is None):
            missing = "check_out" if self.check_out is None else "check_in"
            raise InvalidBooking(
                "check_in and check_out go together", path=missing, value=None, code="missing_date"
            )
        if self.check_in is not None and self.check_out is not None:
            if self.check_out <= self.check_in:
                raise InvalidBooking(
                    "check_out must be after check_in",
                    path="check_out",
                    value=str(self.check_out),
                    code="check_out_before_check_in",
                )
            self._check_rates_against_dates(self.check_in, self.check_out)
        return self

    def _check_rates_against_dates(self, check_in: date, check_out: date) -> None:
        nights = (check_out - check_in).days
        rates = self.nightly_rates
        if rates is None:
            return
        if len(rates) != nights:
            raise InvalidBooking(
                f"{len(rates)} nightly rates for a stay of {nights} nights",
                path="nightly_rates",
                value=len(rates),
                code="rates_disagree_with_dates",
            )
        if rates[0].date is not None:
            for offset, rate in enumerate(rates):
                expected = check_in + timedelta(days=offset)
                if rate.date != expected:
                    raise InvalidBooking(
                        f"rate dated {rate.date} is not a night of the stay (expected {expected})",
                        path="nightly_rates",
                        value=str(rate.date),
                        code="rates_disagree_with_dates",
                    )

    @property
    def night_count(self) -> int | None:
        """Nights in the stay, from the dates or the rates; ``None`` when neither is known."""
        if self.check_in is not None and self.check_out is not None:
            return (self.check_out - self.check_in).days
        if self.nightly_rates is not None:
            return len(self.nightly_rates)
        return None

    def night_dates(self) -> tuple[date, ...] | None:
        """Each night's date (its check-in date) in stay order, when the booking says.

        From ``check_in`` on, or else the dates of dated ``nightly_rates``; ``None`` when
        neither is known.

        Example:
            >>> Booking.model_validate({"total": "300", "currency": "USD",
            ...     "check_in": "2021-05-13", "check_out": "2021-05-15"}).night_dates()
            (datetime.date(2021, 5, 13), datetime.date(2021, 5, 14))
        """
        if self.check_in is not None:
            count = self.night_count or 0
            return tuple(self.check_in + timedelta(days=offset) for offset in range(count))
        rates = self.nightly_rates
        if rates and all(rate.date is not None for rate in rates):
            return tuple(rate.date for rate in rates if rate.date is not None)
        return None

    def night_prices(self) -> tuple[Fraction, ...] | None:
        """Each night's price in stay order, exact; ``total / nights`` when rates are absent."""
        if self.nightly_rates is not None:
            return tuple(Fraction(rate.amount) for rate in self.nightly_rates)
        count = self.night_count
        if count is None:
            return None
        share = Fraction(self.total) / count
        return (share,) * count


def _rate(item: object, path: str) -> NightlyRate:
    if isinstance(item, dict):
        unknown = set(item) - {"date", "amount"}
        if unknown:
            raise InvalidBooking(
                "unknown field in a nightly rate",
                path=f"{path}.{sorted(map(str, unknown))[0]}",
                value=sorted(map(str, unknown))[0],
                code="extra_forbidden",
            )
        if "amount" not in item:
            raise InvalidBooking(
                "a dated rate needs an amount", path=f"{path}.amount", value=None, code="missing"
            )
        night = parse_date(item.get("date"), path=f"{path}.date", error=InvalidBooking)
        amount = parse_decimal(item["amount"], path=f"{path}.amount", error=InvalidBooking)
        return NightlyRate.model_construct(date=night, amount=amount)
    if isinstance(item, NightlyRate):
        return item
    amount = parse_decimal(item, path=path, error=InvalidBooking)
    return NightlyRate.model_construct(date=None, amount=amount)
