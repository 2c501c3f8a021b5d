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
from penalty.money import minor_unit
from penalty.policy import Deadline, Window
from penalty.strategies._engine import BASE, SPAN, amounts, bookings, offsets, windows

__all__ = [
    "FORMAT_ZONES",
    "derbysoft_payloads",
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
    "travelgatex_payloads",
    "ucp_payloads",
]

#: Zones without DST, for formats whose times carry no offset (no gap or fold to trip on).
FORMAT_ZONES = ("UTC", "Asia/Ho_Chi_Minh", "Asia/Tokyo", "Asia/Kolkata")


def _instant(edge: datetime | Deadline | None) -> datetime | None:
    """An edge of a window drawn without deadlines (``windows(relative=False)``)."""
    if isinstance(edge, Deadline):  # pragma: no cover - not drawn for provider payloads
        msg = "provider payloads are drawn from windows with instants"
        raise TypeError(msg)
    return edge


def _gotadi_text(edge: datetime | Deadline | None, *, local: bool) -> str:
    moment = _instant(edge)
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


def _iso(edge: datetime | Deadline | None) -> str | None:
    moment = _instant(edge)
    return None if moment is None else moment.isoformat(timespec="milliseconds")


def _local(edge: datetime | Deadline | None, zone: str, *, sep: str = "T") -> str | None:
    """The wall-clock text of ``moment`` in ``zone`` (no offset), as zoneless formats write."""
    moment = _instant(edge)
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


def _duration_text(seconds: int, spelling: int) -> str:
    """``seconds`` written in one of the ways the duration grammar allows."""
    days, rest = divmod(seconds, 86_400)
    if spelling == 0 or not days:
        return f"PT{seconds}S"
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    clock = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if v)
    return f"P{days}D" + (f"T{clock}" if clock else "")


@st.composite
def _ucp_outcome(draw: st.DrawFn, currency: str) -> dict[str, Any]:
    """A well-known outcome: a refund percentage, a fixed fee in minor units, or nights."""
    kind = draw(st.sampled_from(("percentage", "percentage", "fixed_fee", "unit_deduction")))
    if kind == "percentage":
        bps = draw(st.sampled_from((0, 10_000, 5_000)) | st.integers(0, 10_000))
        return {"kind": "percentage", "buyer_bps": bps}
    if kind == "fixed_fee":
        cap = 10 ** (7 + minor_unit(currency))
        return {"kind": "fixed_fee", "penalty": {"amount": draw(st.integers(0, cap))}}
    nights = draw(st.integers(1, 4))
    measure = {"value": nights, "unit": "night", "display_text": "night"}
    return {"kind": "unit_deduction", "penalty": {"measure": measure}}


@st.composite
def ucp_payloads(draw: st.DrawFn, currency: str = "USD") -> dict[str, Any]:
    """A UCP lodging cancellation schedule, bare or in a policy item.

    Its anchor is an instant in May 2021 (sometimes to the nanosecond), its tiers' ``until``
    strictly shorter one after the other, spelt in days, hours, minutes or seconds.
    """
    minutes = int(SPAN / timedelta(minutes=1))
    anchor = (BASE + timedelta(minutes=draw(st.integers(0, minutes)))).astimezone(draw(offsets()))
    text = anchor.isoformat(timespec="seconds")
    if draw(st.integers(0, 4)) == 0:  # sub-microsecond anchors are the draft's own vectors
        text = f"{text[:19]}.{draw(st.integers(0, 10**9 - 1)):09d}{text[19:]}"
    seconds = draw(
        st.lists(
            st.sampled_from((3_600, 86_400, 172_800, 604_800)) | st.integers(0, 30 * 86_400),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    tiers = [
        {
            "until": _duration_text(value, draw(st.integers(0, 1))),
            "outcome": draw(_ucp_outcome(currency)),
        }
        for value in sorted(seconds, reverse=True)
    ]
    schedule = {"anchor": text, "tiers": tiers, "after_last_tier": draw(_ucp_outcome(currency))}
    if draw(st.booleans()):
        return schedule
    return {
        "type": "dev.ucp.lodging.policy.cancellation",
        "refundability": "refundable",
        "description": {"plain": "Generated terms."},
        "schedule": schedule,
    }


@st.composite
def derbysoft_payloads(draw: st.DrawFn, currency: str = "USD") -> Any:
    """A DerbySoft cancel policy code: sometimes ``AD``, day segments, a cutoff, a no-show.

    Given as the code, ``{"code": ...}`` or a rate holding ``cancelPolicy`` with its currency.
    """

    def penalty() -> str:
        unit = draw(st.sampled_from(("P", "N", "")))
        if unit == "P":
            return f"{draw(st.integers(0, 100))}P"
        if unit == "N":
            return f"{draw(st.integers(1, 3))}N"
        return str(draw(amounts(currency, max_units=10**6)))

    days = draw(st.lists(st.integers(0, 30), max_size=4, unique=True))
    segments = [f"{day}D{penalty()}" for day in sorted(days, reverse=True)]
    if draw(st.booleans()):
        segments.insert(0, f"AD{penalty()}")
    with_cutoff: bool = draw(st.booleans())
    if segments and with_cutoff:
        hour = draw(st.sampled_from(("12AM", "6PM", "12PM", "11PM", "3AM")))
        place = draw(st.integers(0, len(segments) - 1))
        segments[place] = hour + segments[place]
    code = "_".join([*segments, penalty()])
    shape = draw(st.sampled_from(("code", "object", "rate")))
    if shape == "code":
        return code
    if shape == "object":
        return {"code": code}
    return {"currency": currency, "cancelPolicy": {"code": code}}


@st.composite
def travelgatex_payloads(draw: st.DrawFn, currency: str = "USD") -> dict[str, Any]:
    """A TravelgateX ``cancelPolicy`` (``hoursBefore`` penalties), bare or in an option."""
    penalties = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(("PERCENT", "NIGHTS", "IMPORT")))
        if kind == "PERCENT":
            value: Any = Decimal(draw(st.integers(0, 1000))) / 10
        elif kind == "NIGHTS":
            value = draw(st.integers(1, 3))
        else:
            value = draw(amounts(currency, max_units=10**6))
        penalties.append(
            {
                "hoursBefore": draw(st.sampled_from((0, 24, 48, 72)) | st.integers(0, 720)),
                "penaltyType": kind,
                "currency": currency,
                "value": value,
            }
        )
    policy = {"refundable": draw(st.integers(0, 9)) > 0, "cancelPenalties": penalties}
    return policy if draw(st.booleans()) else {"cancelPolicy": policy}


@st.composite
def format_cases(
    draw: st.DrawFn,
    format: str | None = None,  # noqa: A002 - the CLI's word
) -> tuple[str, Any, Booking, str | None]:
    """``(format, payload, booking, zone)`` that `penalty.formats.parse` and compile accept."""
    name = format or draw(st.sampled_from(FORMATS))
    relative = name in {"derbysoft", "travelgatex"}
    booking = draw(bookings(dated=relative))
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
    elif name == "innstant":
        payload = draw(innstant_payloads(code))
    elif name == "ucp":
        payload = draw(ucp_payloads(code))
    elif name == "derbysoft":
        payload = draw(derbysoft_payloads(code))
    else:
        payload = draw(travelgatex_payloads(code))
    if relative and booking.timezone is None:  # the hotel's zone, given to the translator
        zone = draw(st.sampled_from(FORMAT_ZONES))
    return name, payload, booking, zone
