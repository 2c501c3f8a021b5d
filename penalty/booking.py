"""The booking a fee is a fee *of*: total, currency, nights, dates, the hotel's zone, check-in.

A booking is validated by one function, `Booking` ``._read``, whatever way it is built
(``Booking(...)``, `Booking.model_validate`, ``model_validate_json``, nested in another model):
each field once, in pydantic-core where it can (the JSON), then the package's own number,
currency, date and zone rules. ``model_dump`` → ``model_validate`` gives an equal booking.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Self

from pydantic import model_validator

from penalty._model import FrozenModel, construct
from penalty.errors import InvalidBooking
from penalty.instants import parse_date, zone
from penalty.limits import MAX_STAY_NIGHTS, check_count, read_json
from penalty.money import minor_unit, parse_decimal, validate_currency

__all__ = ["DEFAULT_CHECK_IN_TIME", "Booking", "NightlyRate"]

_FIELDS = (
    "total",
    "currency",
    "nightly_rates",
    "check_in",
    "check_out",
    "timezone",
    "check_in_time",
)
#: The arrival's clock time when the booking does not give one (`Booking.arrival_time`): 15:00,
#: the check-in time of every worked example of the UCP lodging draft (its schedule anchor
#: ``2026-12-22T15:00:00-05:00``; its New York and Phoenix study fixtures check in at 15:00
#: local) and the standard check-in hour of the large US and European chains. Assuming it is
#: a warning on the quote (``assumed_check_in_time``).
DEFAULT_CHECK_IN_TIME = time(15, 0)
_CLOCK_LENGTHS = frozenset({5, 8})
_FIELD_SET = frozenset(_FIELDS)
_RATE_FIELDS = frozenset({"date", "amount"})


class NightlyRate(FrozenModel):
    """The price of one night; ``date`` is set when the provider dated it."""

    _error: ClassVar[type[InvalidBooking]] = InvalidBooking

    date: dt.date | None = None
    amount: Decimal

    def __init__(self, /, **data: Any) -> None:
        _become(self, dict(_rate(data)), set(data))

    @model_validator(mode="wrap")
    @classmethod
    def _validate(cls, data: Any, handler: Any) -> NightlyRate:
        del handler  # every input goes through `_rate`, the one reading of a night's price
        return _rate(data)


class Booking(FrozenModel):
    """What the fee is a fee of (SEMANTICS "Inputs").

    Attributes:
        total: what the guest pays for the stay; the base of every percent and the cap of
            every fee. Positive, with no more decimals than the currency's minor unit.
        currency: ISO 4217 code known to CLDR, upper case.
        nightly_rates: the price of each night, in stay order once validated. Given either as
            plain amounts in stay order or as ``{"date", "amount"}`` objects in any order.
        check_in, check_out: the stay's dates; with them the number of nights is known.
        timezone: the hotel's IANA zone, used to show times, to read times written without
            an offset, and to place deadlines written relative to arrival (SEMANTICS rule 22).
        check_in_time: the property's check-in time (``"15:00"``), local to the hotel: with
            ``check_in`` it makes the arrival instant that relative deadlines count from.
            ``None``: `DEFAULT_CHECK_IN_TIME` (15:00) is assumed, with a warning, when a
            deadline needs it.

    Example:
        >>> booking = Booking.model_validate({
        ...     "total": "3000000", "currency": "VND",
        ...     "nightly_rates": ["1000000", "1200000", "800000"],
        ...     "check_in": "2021-05-13", "check_out": "2021-05-16",
        ...     "timezone": "Asia/Ho_Chi_Minh"})
        >>> booking.night_count, booking.total
        (3, Decimal('3000000'))
        >>> Booking.model_validate(booking.model_dump()) == booking
        True
    """

    _error: ClassVar[type[InvalidBooking]] = InvalidBooking

    total: Decimal
    currency: str
    nightly_rates: tuple[NightlyRate, ...] | None = None
    check_in: date | None = None
    check_out: date | None = None
    timezone: str | None = None
    check_in_time: time | None = None

    def __init__(self, /, **data: Any) -> None:
        _become(self, _read(data), set(data))

    @model_validator(mode="wrap")
    @classmethod
    def _validate(cls, data: Any, handler: Any) -> Booking:
        del handler  # `_read` is the one validation of a booking (see the module docstring)
        if isinstance(data, Booking):
            return data
        return construct(Booking, _read(data))

    @classmethod
    def model_validate(cls, obj: Any, **_: Any) -> Self:
        """Validate a dict of booking fields (usually parsed JSON); errors are `InvalidBooking`."""
        if isinstance(obj, cls):
            return obj
        return construct(cls, _read(obj))

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **_: Any) -> Self:
        """Validate a JSON document; numbers are read exactly (never as floats).

        The document is held to `penalty.limits` (size, values, depth) before it is parsed.
        """
        if not isinstance(json_data, str | bytes | bytearray):
            raise InvalidBooking(
                "a booking's JSON is str or bytes", value=json_data, code="wrong_type"
            )
        data = read_json(json_data, what="the booking", path=None, error=InvalidBooking)
        return cls.model_validate(data)

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
        if rates and rates[0].date is not None:
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


def _become(model: FrozenModel, values: dict[str, Any], given: set[str]) -> None:
    """Fill ``model`` (being built by ``__init__``) with values its one validator read."""
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", given & set(values))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)


def _read(data: object) -> dict[str, Any]:
    """The one validation of a booking: the fields of ``data``, checked, in field order."""
    if not isinstance(data, dict):
        raise InvalidBooking(
            "a booking is an object of booking fields", value=data, code="model_type"
        )
    if not _FIELD_SET.issuperset(data):
        key = next(key for key in data if key not in _FIELD_SET)
        raise InvalidBooking(
            "unknown booking field", path=str(key), value=data[key], code="extra_forbidden"
        )
    if "total" not in data:
        raise InvalidBooking("total is required", path="total", code="missing")
    if "currency" not in data:
        raise InvalidBooking("currency is required", path="currency", code="missing")
    currency = validate_currency(data["currency"], path="currency", error=InvalidBooking)
    total = _total(data["total"], currency)
    check_in = _date(data.get("check_in"), "check_in")
    check_out = _date(data.get("check_out"), "check_out")
    timezone = data.get("timezone")
    if timezone is not None:
        zone(timezone, path="timezone", error=InvalidBooking)
    rates = _rates(data.get("nightly_rates"))
    check_in_time = _clock(data.get("check_in_time"))
    if (check_in is None) != (check_out is None):
        missing = "check_out" if check_out is None else "check_in"
        raise InvalidBooking(
            "check_in and check_out go together", path=missing, value=None, code="missing_date"
        )
    if check_in is not None and check_out is not None:
        if check_out <= check_in:
            raise InvalidBooking(
                "check_out must be after check_in",
                path="check_out",
                value=str(check_out),
                code="check_out_before_check_in",
            )
        stay = (check_out - check_in).days
        check_count(
            stay,
            MAX_STAY_NIGHTS,
            what="nights",
            path="check_out",
            error=InvalidBooking,
            code="stay_too_long",
        )
        if rates is not None:
            _rates_match_dates(rates, check_in, check_out)
    return {
        "total": total,
        "currency": currency,
        "nightly_rates": rates,
        "check_in": check_in,
        "check_out": check_out,
        "timezone": timezone,
        "check_in_time": check_in_time,
    }


def _clock(raw: object) -> time | None:
    """A local clock time: a naive `time`, or ``"HH:MM"`` / ``"HH:MM:SS"``."""
    if raw is None:
        return None
    if isinstance(raw, time):
        if raw.tzinfo is not None:
            raise InvalidBooking(
                "check_in_time is the hotel's local clock time: give it without a zone",
                path="check_in_time",
                value=str(raw),
                code="invalid_time",
            )
        return raw
    if isinstance(raw, str) and len(raw) in _CLOCK_LENGTHS and raw.isascii() and raw[2] == ":":
        try:
            return time.fromisoformat(raw)
        except ValueError:
            pass
    raise InvalidBooking(
        "check_in_time must be a local clock time like 15:00 or 14:30:00",
        path="check_in_time",
        value=raw,
        code="invalid_time",
    )


def _total(raw: object, currency: str) -> Decimal:
    """Positive, with no more decimals than the currency's minor unit."""
    total = parse_decimal(raw, path="total", error=InvalidBooking, what="total")
    if total <= 0:
        raise InvalidBooking("total must be positive", path="total", value=raw, code="not_positive")
    digits = minor_unit(currency)
    if -total.as_tuple().exponent > digits:  # type: ignore[operator]
        raise InvalidBooking(
            f"total has more decimals than {currency}'s minor unit ({digits})",
            path="total",
            value=raw,
            code="too_precise",
        )
    return total


def _date(raw: object, path: str) -> date | None:
    return None if raw is None else parse_date(raw, path=path, error=InvalidBooking)


def _rates(raw: object) -> tuple[NightlyRate, ...] | None:
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
    check_count(  # before a single rate is read
        len(raw),
        MAX_STAY_NIGHTS,
        what="nightly rates (nights)",
        path="nightly_rates",
        error=InvalidBooking,
        code="stay_too_long",
    )
    rates = []
    for index, item in enumerate(raw):
        try:
            rates.append(_rate(item))
        except InvalidBooking as exc:  # named within the rate: put it under the rate's path
            raise exc.under(f"nightly_rates[{index}]") from exc.__cause__
    dated = rates[0].date is not None
    if any((rate.date is not None) != dated for rate in rates):
        raise InvalidBooking(
            "nightly_rates must be all dated or all plain amounts",
            path="nightly_rates",
            value=raw,
            code="mixed_rates",
        )
    if not dated:
        return tuple(rates)
    seen: set[date | None] = set()
    for index, rate in enumerate(rates):
        if rate.date in seen:
            raise InvalidBooking(
                "two rates for the same night",
                path=f"nightly_rates[{index}].date",
                value=str(rate.date),
                code="duplicate_night",
            )
        seen.add(rate.date)
    return tuple(sorted(rates, key=_night))


def _night(rate: NightlyRate) -> date:
    return rate.date or date.min


def _rate(item: object) -> NightlyRate:
    """A night's price: a plain amount, or ``{"date": ..., "amount": ...}``.

    ``date`` may be ``null``, as `NightlyRate.model_dump` writes a plain one. Errors name the
    field within the rate (the caller puts them under the rate's path).
    """
    if isinstance(item, str):  # the commonest: a plain amount as the provider wrote it
        return construct(
            NightlyRate,
            {"date": None, "amount": parse_decimal(item, path=None, error=InvalidBooking)},
        )
    if isinstance(item, NightlyRate):
        return item
    if isinstance(item, dict):
        for key in item:
            if key not in _RATE_FIELDS:
                raise InvalidBooking(
                    "unknown field in a nightly rate", path=key, value=key, code="extra_forbidden"
                )
        if "amount" not in item:
            raise InvalidBooking("a dated rate needs an amount", path="amount", code="missing")
        night = _date(item.get("date"), "date")
        amount = parse_decimal(item["amount"], path="amount", error=InvalidBooking)
    else:
        night, amount = None, parse_decimal(item, path=None, error=InvalidBooking)
    return construct(NightlyRate, {"date": night, "amount": amount})


def _rates_match_dates(rates: tuple[NightlyRate, ...], check_in: date, check_out: date) -> None:
    nights = (check_out - check_in).days
    if len(rates) != nights:
        raise InvalidBooking(
            f"{len(rates)} nightly rates for a stay of {nights} nights",
            path="nightly_rates",
            value=len(rates),
            code="rates_disagree_with_dates",
        )
    if rates[0].date is None:
        return
    for offset, rate in enumerate(rates):
        expected = check_in + timedelta(days=offset)
        if rate.date != expected:
            raise InvalidBooking(
                f"rate dated {rate.date} is not a night of the stay (expected {expected})",
                path="nightly_rates",
                value=str(rate.date),
                code="rates_disagree_with_dates",
            )
