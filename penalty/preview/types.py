"""What a preview is made of: `Preview`, its `Line` s, the `Now` advice, the `Chart`, `Room` s.

Plain frozen dataclasses holding machine values and localized strings side by side; `to_json`
gives the documented UI JSON (README, "Fee previews").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from penalty.policy import PolicyWarning
from penalty.preview.svg import render
from penalty.rules import Phase
from penalty.timeline import AlwaysFree, Refundability, free_until_json

__all__ = ["JSON_VERSION", "Chart", "Kind", "Line", "Now", "Preview", "Room", "Tick"]

#: ``version`` of the documented JSON shape (`Preview.to_json`); bumped on incompatible change.
JSON_VERSION = 1

Kind = Literal["free", "partial", "full"]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True, slots=True)
class Line:
    """One schedule segment as a guest reads it.

    Attributes:
        start, end: the segment ``[start, end)`` in the hotel's zone (``None``: open).
        fee: the segment's fee, exactly as quoted.
        kind: ``"free"`` (0), ``"partial"`` (between 0 and the total) or ``"full"`` (the total).
        phases, windows: the segment's phases and window indices (see `Segment`).
        descriptions: the non-empty descriptions the provider gave those windows.
        period_text: when, in the hotel's zone ("from Mon, May 10, 6:00 PM until …").
        viewer_period_text: the same period in the viewer's zone, when one was asked for and
            its offset differs from the hotel's somewhere; else ``None``.
        fee_text: the fee as money in the locale ("₫1,525,000").
        share_text: the fee as a share of the total ("50.8%"), only for partial fees.
        text: the whole sentence, with the descriptions and the viewer's period.
    """

    start: datetime | None
    end: datetime | None
    fee: Decimal
    kind: Kind
    phases: tuple[Phase, ...]
    windows: tuple[int, ...]
    descriptions: tuple[str, ...]
    period_text: str
    viewer_period_text: str | None
    fee_text: str
    share_text: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        """This line's part of `Preview.to_json`."""
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "fee": str(self.fee),
            "kind": self.kind,
            "phases": list(self.phases),
            "windows": list(self.windows),
            "descriptions": list(self.descriptions),
            "period_text": self.period_text,
            "viewer_period_text": self.viewer_period_text,
            "fee_text": self.fee_text,
            "share_text": self.share_text,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Now:
    """What cancelling at the given instant costs, until when, and what comes next.

    Attributes:
        at: the instant, in the hotel's zone.
        line: index into `Preview.lines` of the segment holding ``at``.
        fee: what cancelling at ``at`` costs (equals ``timeline.quote(at).fee``).
        until: when that fee stops applying (``None``: never).
        next_fee: the fee after ``until`` (``None`` when there is no next segment).
        at_text: ``at`` as a localized date and time with its zone.
        relative_text: how far ``until`` is ("in 9 hours", rounded by babel), or ``None``.
        text: the cost sentence, then the advice ("Cancel before 6:00 PM today …").
        refundability: ``full`` (free), ``partial`` or ``none`` (the whole total) at ``at``.
    """

    at: datetime
    line: int
    fee: Decimal
    until: datetime | None
    next_fee: Decimal | None
    at_text: str
    relative_text: str | None
    text: str
    refundability: Refundability

    def to_json(self) -> dict[str, Any]:
        """This part of `Preview.to_json`."""
        return {
            "at": self.at.isoformat(),
            "line": self.line,
            "fee": str(self.fee),
            "until": _iso(self.until),
            "next_fee": None if self.next_fee is None else str(self.next_fee),
            "at_text": self.at_text,
            "relative_text": self.relative_text,
            "text": self.text,
            "refundability": self.refundability,
        }


@dataclass(frozen=True, slots=True)
class Tick:
    """A boundary on the chart's time axis: the instant and its two-line local label."""

    at: datetime
    date_text: str
    time_text: str


@dataclass(frozen=True, slots=True)
class Chart:
    """The localized words of the SVG picture (`penalty.preview.svg`)."""

    title: str
    times_text: str
    now_text: str
    ticks: tuple[Tick, ...]


@dataclass(frozen=True, slots=True)
class Room:
    """One room of a booking of several rooms, previewed on its own.

    Attributes:
        room: its index in the booking.
        name: its name (``"Room 1"`` when the booking gave none).
        heading: "Deluxe (₫2,000,000):", the name and the room's total.
        preview: the room's own `Preview` (its lines, facts and "now").
    """

    room: int
    name: str
    heading: str
    preview: Preview

    def to_json(self) -> dict[str, Any]:
        """``{"room", "name", "heading", "total", "total_text", "headline", "free_until",
        "summary", "lines", "now"}``: the room's part of `Preview.to_json`.
        """
        shown = self.preview.to_json()
        return {
            "room": self.room,
            "name": self.name,
            "heading": self.heading,
            **{
                key: shown[key]
                for key in (
                    "total",
                    "total_text",
                    "headline",
                    "free_until",
                    "summary",
                    "lines",
                    "now",
                )
            },
        }


@dataclass(frozen=True, slots=True)
class Preview:
    """A fee schedule ready to show: see `preview` and `to_json` (the documented shape).

    ``headline`` states the booking page's first fact (SEMANTICS rule 20): "Free cancellation
    before …", "Free cancellation at any time", "Non-refundable" (the whole total at every
    instant) or "No free cancellation"; ``free_until`` is `Timeline.free_until`. For a booking
    of several rooms the lines are the whole booking's, and ``rooms`` holds each room's own.
    """

    locale: str
    currency: str
    total: Decimal
    total_text: str
    zone: str | None
    zone_text: str
    viewer_zone: str | None
    heading: str
    lines: tuple[Line, ...]
    summary: str
    now: Now | None
    chart: Chart
    warnings: tuple[PolicyWarning, ...]
    headline: str
    free_until: datetime | AlwaysFree | None
    rooms: tuple[Room, ...] = ()

    @property
    def text(self) -> str:
        """Heading, the headline, one bullet per line, each room's lines, then the "now"
        sentences: plain text for a terminal.
        """
        rows = [self.heading, self.headline, *(f"• {line.text}" for line in self.lines)]
        for room in self.rooms:
            rows.append(room.heading)
            rows.extend(f"  • {line.text}" for line in room.preview.lines)
        if self.now is not None:
            rows.append(self.now.text)
        return "\n".join(rows)

    def to_json(self) -> dict[str, Any]:
        """The UI JSON, documented in the README (section "Fee previews").

        Amounts as strings, instants as ISO 8601 in the hotel's zone, and the localized strings
        beside them.
        """
        return {
            "version": JSON_VERSION,
            "locale": self.locale,
            "currency": self.currency,
            "total": str(self.total),
            "total_text": self.total_text,
            "zone": self.zone,
            "zone_text": self.zone_text,
            "viewer_zone": self.viewer_zone,
            "heading": self.heading,
            "headline": self.headline,
            "free_until": free_until_json(self.free_until),
            "summary": self.summary,
            "lines": [line.to_json() for line in self.lines],
            "now": None if self.now is None else self.now.to_json(),
            "rooms": [room.to_json() for room in self.rooms],
            "warnings": [warning.model_dump() for warning in self.warnings],
        }

    def to_svg(self) -> str:
        """The fee timeline as a step chart, an SVG document (see `penalty.preview.svg`)."""
        return render(self)
