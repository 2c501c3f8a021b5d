"""The request and response shapes, as pydantic models: the source of the OpenAPI document's
JSON Schemas (``/openapi.json``, checked in as ``docs/openapi.json``).

Requests are read by `penalty.service._request` (exact decimals, strict JSON) and answered from
the engine's own ``to_json`` shapes; tests validate every answer against these models, so the
document and the wire cannot drift apart. Money is always a decimal string.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Booking",
    "FormatsResponse",
    "HealthResponse",
    "PreviewRequest",
    "PreviewResponse",
    "Problem",
    "QuoteRequest",
    "QuoteResponse",
    "ScheduleRequest",
    "ScheduleResponse",
]

FormatName = Literal[
    "auto",
    "gotadi",
    "expedia-rapid",
    "expedia-xap",
    "duffel",
    "hotelbeds",
    "ratehawk",
    "liteapi",
    "innstant",
    "ucp",
    "derbysoft",
    "travelgatex",
]
PhaseName = Literal["free", "window", "gap", "no_show"]
_MONEY = r"^-?[0-9]+(\.[0-9]+)?$"
#: An amount as a decimal string (``"1525000"``, ``"12.50"``): money is never a JSON number.
Money = Annotated[str, Field(pattern=_MONEY, examples=["1500000"])]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NightlyRate(_Closed):
    """One night's price, dated."""

    date: str = Field(description="the night's date, YYYY-MM-DD")
    amount: str | int = Field(description="the night's price, a decimal string")


class Booking(_Closed):
    """The booking's fields, as in ``BOOKING.json`` (see the README's "The library in one
    minute"). The engine checks them: a bad value is a 422 naming ``booking.<field>``.
    """

    total: str | int = Field(
        description="what the guest pays, a decimal string", examples=["3000000"]
    )
    currency: str = Field(description="ISO 4217 code", examples=["VND"])
    nightly_rates: list[str | int | NightlyRate] | None = Field(
        default=None, description="each night's price in stay order, or dated objects"
    )
    check_in: str | None = Field(default=None, description="YYYY-MM-DD")
    check_out: str | None = Field(default=None, description="YYYY-MM-DD")
    timezone: str | None = Field(
        default=None, description="the hotel's IANA zone", examples=["Asia/Ho_Chi_Minh"]
    )
    check_in_time: str | None = Field(
        default=None,
        description="the property's check-in time, HH:MM local (deadlines relative to arrival "
        "count from it; 15:00 is assumed, with a warning, when one is needed)",
        examples=["15:00"],
    )


class _PolicyRequest(_Closed):
    policy: Any = Field(
        description="the provider's cancellation payload, in any format penalty reads "
        "(see GET /v1/formats); JSON numbers are read as exact decimals"
    )
    booking: Booking
    format: FormatName = Field(
        default="auto", description="the payload's format; auto detects it from its keys"
    )
    zone: str | None = Field(
        default=None,
        description="IANA zone of times written without an offset (required by ratehawk)",
    )
    fold: Literal["raise", "earlier", "later"] = Field(
        default="raise", description="how to read a local time in a DST gap or fold"
    )


class ScheduleRequest(_PolicyRequest):
    """``POST /v1/schedule``: a payload and a booking."""


class QuoteRequest(_PolicyRequest):
    """``POST /v1/quote``: a payload, a booking and the cancel instant."""

    at: str | None = Field(
        default=None,
        description="the cancel instant, ISO 8601 with an offset; absent or null: now "
        "(the server's clock)",
        examples=["2021-05-12T18:00:00+07:00"],
    )


class PreviewRequest(QuoteRequest):
    """``POST /v1/preview``: as a quote, plus how to show it."""

    locale: str = Field(default="en", description="CLDR locale: en, vi, vi_VN, en_GB …")
    tz: str | None = Field(default=None, description="the viewer's IANA zone")
    width: int | None = Field(
        default=None,
        ge=280,
        le=1920,
        description="SVG only: the width in CSS pixels the chart will be shown at "
        "(default 960); text stays readable at that width",
    )


class Warning(_Closed):  # noqa: A001 - the JSON shape's name
    """A warning of the timeline (English, for developers)."""

    code: str
    path: str | None
    message: str


class QuoteResponse(_Closed):
    """What cancelling at ``at`` costs (`Quote.to_json`, plus the instant quoted)."""

    at: str = Field(description="the instant quoted, ISO 8601")
    fee: Money
    currency: str
    gotadi_amount: str
    phase: PhaseName
    window: int | None
    since: str | None
    until: str | None
    warnings: list[Warning]


class Segment(_Closed):
    """A stretch ``[start, end)`` of constant fee (`Segment.to_json`)."""

    start: str | None
    end: str | None
    fee: Money
    gotadi_amount: str
    phases: list[PhaseName]
    windows: list[int]


class ScheduleResponse(_Closed):
    """The whole schedule."""

    currency: str
    total: Money
    segments: list[Segment]
    warnings: list[Warning]


class PreviewLine(_Closed):
    """One schedule line as a guest reads it (README, "The UI JSON")."""

    start: str | None
    end: str | None
    fee: Money
    kind: Literal["free", "partial", "full"]
    phases: list[PhaseName]
    windows: list[int]
    descriptions: list[str]
    period_text: str
    viewer_period_text: str | None
    fee_text: str
    share_text: str | None
    text: str


class PreviewNow(_Closed):
    """What cancelling now costs, and the advice."""

    at: str
    line: int
    fee: Money
    until: str | None
    next_fee: Money | None
    at_text: str
    relative_text: str | None
    text: str
    refundability: Literal["full", "partial", "none"]


class PreviewRoom(_Closed):
    """One room of a booking of several rooms (never in the service's answers: it previews one
    booking).
    """

    room: int
    name: str
    heading: str
    total: Money
    total_text: str
    headline: str
    free_until: str | None
    summary: str
    lines: list[PreviewLine]
    now: PreviewNow | None


class PreviewResponse(_Closed):
    """The UI JSON (`Preview.to_json`, version 1)."""

    version: int
    locale: str
    currency: str
    total: Money
    total_text: str
    zone: str | None
    zone_text: str
    viewer_zone: str | None
    heading: str
    headline: str = Field(
        description="the first fact: free cancellation before/until …, at any time, "
        "non-refundable, or no free cancellation"
    )
    free_until: str | None = Field(
        description="the first instant that costs more than 0 (ISO 8601); null when no "
        'instant is free; "always" when none is ever charged'
    )
    summary: str
    lines: list[PreviewLine]
    now: PreviewNow | None
    rooms: list[PreviewRoom]
    warnings: list[Warning]


class FormatInfo(_Closed):
    """A payload format and whether it takes a ``zone``."""

    name: FormatName
    zone: Literal["required", "optional", "refused"]


class FormatsResponse(_Closed):
    """Every format ``format`` may name."""

    formats: list[FormatInfo]


class CacheStats(_Closed):
    """The compiled-timeline cache: ``size`` timelines of ``capacity``; a hit is a request
    answered without compiling.
    """

    size: int
    capacity: int
    hits: int
    misses: int
    hit_rate: float | None = Field(description="hits / lookups; null before any lookup")
    body_hits: int = Field(description="hits by the very same request body (no parsing)")


class HealthResponse(_Closed):
    """The service is up; its version and cache."""

    status: Literal["ok"]
    version: str
    uptime_seconds: float
    cache: CacheStats


class Problem(BaseModel):
    """An RFC 9457 problem (``application/problem+json``)."""

    type: str = Field(description="urn:penalty:problem:<code>")
    title: str
    status: int
    detail: str
    instance: str
    code: str = Field(description="stable machine code, e.g. invalid_policy, body_too_large")
    path: str | None = Field(description="the offending request member, e.g. booking.total")
    value: Any = Field(description="what was received there, cut short")
