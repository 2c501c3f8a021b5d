"""Strategies for every provider format's JSON, Gotadi's first.

Each ``<format>_payloads(currency)`` builds a valid payload as the provider sends it (amounts as
strings or exact `Decimal` JSON numbers, never floats), from the same windows `windows()`
draws; `format_cases()` pairs one with a booking it compiles against.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from penalty.booking import Booking
from penalty.formats import FORMATS
from penalty.policy import Window
from penalty.strategies._engine import BASE, SPAN, amounts, bookings, offsets, windows

__all__ = [
    "FORMAT_ZONES",
    "duffel_payloads",
    "expedia_rapid_payloads",
    "expedia_xap_payloads",
    "format_cases",
    "gotadi_policies",
    "gotadi_responses",
    "gotadi_windows",
    "hotelbeds_payloads",
    "innstant_payloads",
    "liteapi_payloads",
    "ratehawk_payloads",
]

#: Zones without DST, for formats whose times carry no offset (no gap or fold to trip on).
FORMAT_ZONES = ("UTC", "Asia/Ho_Chi_Minh", "Asia/Tokyo", "Asia/Kolkata")


def _gotadi_text(moment: datetime | None, *, local: bool) -> str:
    if moment is None:  # windows() only leaves edges open when asked to
        msg = "Gotadi windows always have both dates"
        raise ValueError(msg)
    if local:
        return moment.astimezone(timezone(timedelta(hours=7))).strftime("%d/%m/%Y %H:%M")
    return moment.isoformat(timespec="milliseconds")


@st.composite
def gotadi_windows(
    draw: st.DrawFn, currency: str = "VND", *, local_dates: bool | None = None
) -> dict[str, str]:
    """One ``cancelPenalties`` entry as Gotadi sends it: every field a string, ``""`` absent."""
    window = draw(windows(currency))
    local = draw(st.booleans()) if local_dates is None else local_dates
    percent = (
        "" if window.percent is None else f"{window.percent}{draw(st.sampled_from(('%', '')))}"
    )
    return {
        "startDate": _gotadi_text(window.start, local=local),
        "endDate": _gotadi_text(window.end, local=local),
        "type": window.kind or "AMOUNT",
        "currency": currency,
        "percent": percent,
        "nights": "" if window.nights is None else str(window.nights),
        "amount": "" if window.amount is None else str(window.amount),
        "description": draw(st.sampled_from(("", "Non-refundable after check-in", "Phí hủy"))),
    }


def gotadi_policies(
    currency: str = "VND", *, max_windows: int = 6
) -> st.SearchStrategy[list[dict[str, str]]]:
    """A ``cancelPenalties`` list."""
    return st.lists(gotadi_windows(currency), max_size=max_windows)


def gotadi_responses(currency: str = "VND") -> st.SearchStrategy[dict[str, Any]]:
    """A whole check-cancel-penalty response around a ``cancelPenalties`` list."""
    return st.builds(
        lambda penalties, status: {
            "result": {
                "cancelPenalties": penalties,
                "cancelPenaltyTotal": 0.0,
                "status": status,
            },
            "duration": 0,
            "textMessage": None,
            "errors": None,
            "infos": None,
            "success": True,
        },
        gotadi_policies(currency),
        st.sampled_from(("ALLOW_CANCELLATION", "NOT_ALLOW_CANCELLATION", "UNKNOWN")),
    )


def _windows(currency: str, **options: Any) -> st.SearchStrategy[list[Window]]:
    return st.lists(windows(currency, **options), max_size=5)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="milliseconds")


def _local(moment: datetime | None, zone: str, *, sep: str = "T") -> str | None:
    """The wall-clock text of ``moment`` in ``zone`` (no offset), as zoneless formats write."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone)).strftime(f"%Y-%m-%d{sep}%H:%M:%S")


def _points(currency: str) -> st.SearchStrategy[list[tuple[datetime, Decimal]]]:
    """Edges (instants) with an amount each, for the step and timeline formats."""
    minutes = int(SPAN / timedelta(minutes=1))
    instant = st.integers(0, minutes).map(lambda m: BASE + timedelta(minutes=m - m % 30))
    return st.lists(st.tuples(instant, amounts(currency, max_units=10**7)), max_size=5)


@st.composite
def expedia_rapid_payloads(
    draw: st.DrawFn, currency: str = "USD", *, stay_dates: bool = True
) -> dict[str, Any]:
    """A Rapid rate: ``cancel_penalties`` (strings, ``"30%"``), maybe date ranges."""
    penalties = []
    for window in draw(_windows(currency)):
        entry: dict[str, Any] = {
            "currency": currency,
            "start": _iso(window.start),
            "end": _iso(window.end),
        }
        if window.percent is not None:
            entry["percent"] = f"{window.percent}%"
        if window.amount is not None:
            entry["amount"] = str(window.amount)
        if window.nights is not None:
            entry["nights"] = str(window.nights)
        penalties.append(entry)
    payload: dict[str, Any] = {"cancel_penalties": penalties}
    if stay_dates and draw(st.booleans()):
        first = date(2021, 5, 12) + timedelta(days=draw(st.integers(0, 8)))
        last = first + timedelta(days=draw(st.integers(0, 3)))
        payload["nonrefundable_date_ranges"] = [
            {"start": first.isoformat(), "end": last.isoformat()}
        ]
    return payload


def _case(draw: st.DrawFn, name: str) -> str:
    return draw(st.sampled_from((name, name.lower(), name[0].lower() + name[1:])))


@st.composite
def expedia_xap_payloads(draw: st.DrawFn, currency: str = "USD") -> dict[str, Any]:
    """An XAP ``CancellationPolicy``, its keys in any of Expedia's casings."""
    rules = []
    for window in draw(_windows(currency)):
        rule: dict[str, Any] = {
            _case(draw, "PenaltyStartDateTime"): _iso(window.start),
            _case(draw, "PenaltyEndDateTime"): _iso(window.end),
        }
        if window.nights is not None:
            rule[_case(draw, "PenaltyNightCount")] = int(window.nights)
        if window.percent is not None:
            rule[_case(draw, "PenaltyPercentOfStay")] = str(window.percent)
        if window.amount is not None:
            rule[_case(draw, "PenaltyPrice")] = {
                _case(draw, "Value"): str(window.amount),
                _case(draw, "Currency"): currency,
            }
        rules.append(rule)
    return {_case(draw, "CancellationPolicy"): {_case(draw, "CancellationPenaltyRules"): rules}}


@st.composite
def duffel_payloads(draw: st.DrawFn, currency: str = "USD") -> dict[str, Any]:
    """A Duffel rate's ``cancellation_timeline`` (refunds before instants)."""
    timeline = [
        {"refund_amount": str(amount), "currency": currency, "before": _iso(edge)}
        for edge, amount in draw(_points(currency))
    ]
    return {"cancellation_timeline": timeline}


@st.composite
def hotelbeds_payloads(draw: st.DrawFn, currency: str = "USD") -> dict[str, Any]:
    """A Hotelbeds rate's ``cancellationPolicies`` (amounts from instants on)."""
    steps = [
        {"amount": str(amount), "from": _iso(edge.astimezone(draw(_offsets())))}
        for edge, amount in draw(_points(currency))
    ]
    return {"currency": currency, "cancellationPolicies": steps}


def _offsets() -> st.SearchStrategy[Any]:

    return offsets()


@st.composite
def ratehawk_payloads(draw: st.DrawFn, currency: str = "USD", zone: str = "UTC") -> dict[str, Any]:
    """An ETG payment type: ``cancellation_penalties.policies`` in ``zone``, null ends."""
    policies = [
        {
            "start_at": _local(window.start, zone),
            "end_at": _local(window.end, zone),
            "amount_charge": str(window.amount),
            "amount_show": str(window.amount),
        }
        for window in draw(_windows(currency, nights=False, open_ends=True))
        if window.amount is not None
    ]
    return {
        "currency_code": currency,
        "show_currency_code": currency,
        "cancellation_penalties": {"policies": policies, "free_cancellation_before": None},
    }


@st.composite
def liteapi_payloads(draw: st.DrawFn, currency: str = "USD") -> dict[str, Any]:
    """A LiteAPI ``cancellationPolicies`` object (amounts as exact JSON numbers)."""
    infos = [
        {
            "cancelTime": _local(edge, "UTC", sep=" "),
            "amount": amount,
            "currency": currency,
            "type": "amount",
            "timezone": draw(st.sampled_from(("GMT", "UTC"))),
        }
        for edge, amount in draw(_points(currency))
    ]
    tag = draw(st.sampled_from(("RFN", "RFN", "RFN", "NRFN")))
    return {"cancellationPolicies": {"cancelPolicyInfos": infos, "refundableTag": tag}}


@st.composite
def innstant_payloads(draw: st.DrawFn, currency: str = "USD") -> dict[str, Any]:
    """Innstant ``{"cancellation": {"frames": [...]}}`` with every frame type."""
    frames = []
    for edge, amount in draw(_points(currency)):
        kind = draw(
            st.sampled_from(("fully-refundable", "partial", "non-refundable", "according-to-terms"))
        )
        frame: dict[str, Any] = {
            "endTime": _local(edge, "UTC", sep=" "),
            "timezone": "UTC",
            "type": kind,
        }
        if kind == "partial":
            frame["cost"] = {"amount": str(amount), "currency": currency}
        frames.append(frame)
    return {"cancellation": {"frames": frames}}


@st.composite
def format_cases(
    draw: st.DrawFn,
    format: str | None = None,  # noqa: A002 - the CLI's word
) -> tuple[str, dict[str, Any], Booking, str | None]:
    """``(format, payload, booking, zone)`` that `penalty.formats.parse` and compile accept."""
    name = format or draw(st.sampled_from(FORMATS))
    booking = draw(bookings())
    code = booking.currency
    zone = None
    payload: Any
    if name == "gotadi":
        payload = {"cancelPenalties": draw(gotadi_policies(code))}
    elif name == "expedia-rapid":
        payload = draw(expedia_rapid_payloads(code, stay_dates=booking.night_dates() is not None))
    elif name == "expedia-xap":
        payload = draw(expedia_xap_payloads(code))
    elif name == "duffel":
        payload = draw(duffel_payloads(code))
    elif name == "hotelbeds":
        payload = draw(hotelbeds_payloads(code))
    elif name == "ratehawk":
        zone = draw(st.sampled_from(FORMAT_ZONES))
        payload = draw(ratehawk_payloads(code, zone))
    elif name == "liteapi":
        payload = draw(liteapi_payloads(code))
    else:
        payload = draw(innstant_payloads(code))
    return name, payload, booking, zone
