"""Building a `Preview`: the sentences, from the segments, formatted by `Formatter`.

Only the timeline's segments are read (one `Line` each); "now" is located among them the same
way `Timeline.quote` does (half-open, by integer microseconds). A boundary is shown as the
instant a guest must act by: itself under ``[start, end)`` windows, one microsecond earlier
under ``(start, end]`` windows (whose boundaries the engine shifts by one microsecond), with
wording to match ("before 18:00" / "until 18:00").

A booking of several rooms (`Rooms`) previews like a timeline, from its merged segments (its
edge wording is ``(start, end]``'s only when every room's is), and each room is previewed on
its own beside it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from penalty.errors import InvalidInput, InvalidInstant
from penalty.instants import from_nanos, parse_instant, to_micros, zone
from penalty.policy import PolicyWarning
from penalty.preview._messages import Edges
from penalty.preview.types import Chart, Kind, Line, Now, Preview, Room, Tick
from penalty.rooms import Rooms
from penalty.rules import Boundary
from penalty.timeline import ALWAYS_FREE, AlwaysFree, Segment, Timeline, refundability_of

if TYPE_CHECKING:  # babel loads when a preview is built, not when the package is imported
    from penalty.preview._format import Formatter

__all__ = ["build"]

_ONE_DAY = timedelta(days=1)


class _Clock:
    """Dates and times in one zone, read in sequence.

    The year and the zone's offset are shown at first mention and again only when they change
    (a DST switch shows).
    """

    def __init__(
        self,
        fmt: Formatter,
        tz: tzinfo,
        *,
        year: int | None = None,
        offset: timedelta | None = None,
    ) -> None:
        self.fmt = fmt
        self.tz = tz
        self.year = year
        self.offset = offset

    def parts(self, instant: datetime) -> tuple[datetime, str, str, str | None]:
        """(local time, date text, time text, offset text if it must be shown)."""
        local = instant.astimezone(self.tz)
        date_text = self.fmt.date(local, year=local.year != self.year)
        offset = local.utcoffset()
        zone_text = None if offset == self.offset else self.fmt.gmt(local)
        self.year, self.offset = local.year, offset
        return local, date_text, self.fmt.time(local), zone_text

    def when(self, instant: datetime, *, today: date | None = None) -> str:
        """One instant; ``today`` (a local date) allows "6:00 PM today"/"tomorrow"."""
        local, date_text, time_text, zone_text = self.parts(instant)
        messages = self.fmt.messages
        if today is not None and local.date() == today:
            text = messages.today.format(time=time_text)
        elif today is not None and local.date() == today + _ONE_DAY:
            text = messages.tomorrow.format(time=time_text)
        else:
            text = self.fmt.join(date_text, time_text)
        return text if zone_text is None else messages.with_zone.format(when=text, zone=zone_text)

    def period(self, edges: Edges, start: datetime | None, end: datetime | None) -> str:
        """A stretch between two shown instants (``None``: open)."""
        if start is None:
            if end is None:
                return self.fmt.messages.always
            return edges.until.format(end=self.when(end))
        if end is None:
            return edges.since.format(start=self.when(start))
        start_text = self.when(start)
        return edges.between.format(start=start_text, end=self.when(end))


@dataclass(frozen=True, slots=True)
class _Source:
    """What a preview reads of a `Timeline` or a `Rooms` booking."""

    segments: tuple[Segment, ...]
    total: Decimal
    currency: str
    boundary: Boundary
    timezone: str | None
    zone: tzinfo
    warnings: tuple[PolicyWarning, ...]
    free_until: datetime | AlwaysFree | None
    descriptions: Callable[[Segment], tuple[str, ...]]


def _source(subject: Timeline | Rooms) -> _Source:
    if isinstance(subject, Rooms):
        boundaries = {timeline.boundary for timeline in subject.timelines}
        one = boundaries.pop() if len(boundaries) == 1 else Boundary.START_INCLUSIVE
        return _Source(
            segments=subject.segments,
            total=subject.total,
            currency=subject.currency,
            boundary=one,
            timezone=subject.timelines[0].booking.timezone,
            zone=subject.zone,
            warnings=subject.warnings,
            free_until=subject.free_until,
            descriptions=lambda _: (),
        )
    windows = subject.policy.windows

    def descriptions(segment: Segment) -> tuple[str, ...]:
        texts = (windows[i].description.strip() for i in segment.windows)
        return tuple(dict.fromkeys(text for text in texts if text))

    return _Source(
        segments=subject.segments,
        total=subject.booking.total,
        currency=subject.currency,
        boundary=subject.boundary,
        timezone=subject.booking.timezone,
        zone=subject.zone,
        warnings=subject.warnings,
        free_until=subject.free_until,
        descriptions=descriptions,
    )


def _kind(fee: Decimal, total: Decimal) -> Kind:
    if fee == 0:
        return "free"
    return "full" if fee >= total else "partial"


def _zone_key(tz: tzinfo) -> str | None:
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else None


class _Builder:
    """One preview's state: the formatter, the zones, the edge rule."""

    def __init__(
        self, source: _Source, fmt: Formatter, hotel: tzinfo, viewer: tzinfo | None
    ) -> None:
        self.source = source
        self.fmt = fmt
        self.messages = fmt.messages
        self.total = source.total
        self.currency = source.currency
        self.tz = hotel
        self.viewer = viewer
        inclusive_end = source.boundary is Boundary.END_INCLUSIVE
        self.shift = timedelta(microseconds=1) if inclusive_end else timedelta(0)
        self.edges = self.messages.end_inclusive if inclusive_end else self.messages.start_inclusive

    def shown(self, boundary: datetime | None) -> datetime | None:
        """The instant a guest must act by, for a segment boundary."""
        return None if boundary is None else boundary - self.shift

    def money(self, amount: Decimal) -> str:
        return self.fmt.money(amount, self.currency)

    def lines(self, *, show_viewer: bool) -> tuple[Line, ...]:
        clock = _Clock(self.fmt, self.tz)
        viewer = _Clock(self.fmt, self.viewer) if show_viewer and self.viewer else None
        return tuple(self.line(segment, clock, viewer) for segment in self.source.segments)

    def line(self, segment: Segment, clock: _Clock, viewer: _Clock | None) -> Line:
        messages = self.messages
        start, end = self.shown(segment.start), self.shown(segment.end)
        period = clock.period(self.edges, start, end)
        kind = _kind(segment.fee, self.total)
        fee_text = self.money(segment.fee)
        share_text = self.fmt.share(segment.fee, self.total) if kind == "partial" else None
        if kind == "free":
            text = messages.line_free.format(period=period)
        elif kind == "full":
            text = messages.line_full.format(period=period, fee=fee_text)
        else:
            share = messages.share.format(share=share_text)
            text = messages.line_fee.format(period=period, fee=fee_text, share=share)
        viewer_period = None
        if viewer is not None:
            viewer_period = viewer.period(self.edges, start, end)
            text = messages.your_time.format(text=text, period=viewer_period)
        descriptions = self.source.descriptions(segment)
        if descriptions:
            text = messages.with_description.format(text=text, description="; ".join(descriptions))
        return Line(
            start=None if segment.start is None else segment.start.astimezone(self.tz),
            end=None if segment.end is None else segment.end.astimezone(self.tz),
            fee=segment.fee,
            kind=kind,
            phases=segment.phases,
            windows=segment.windows,
            descriptions=descriptions,
            period_text=period,
            viewer_period_text=viewer_period,
            fee_text=fee_text,
            share_text=share_text,
            text=text,
        )

    def summary(self) -> str:
        """The one-line schedule: "Free cancellation before … · ₫1,525,000 before … · …"."""
        messages, segments = self.messages, self.source.segments
        clock = _Clock(self.fmt, self.tz)
        items: list[str] = []
        for index, segment in enumerate(segments):
            kind = _kind(segment.fee, self.total)
            fee = self.money(segment.fee)
            end = self.shown(segment.end)
            if end is None and index == 0:
                template = (
                    messages.summary_always_free if kind == "free" else messages.summary_always_fee
                )
                items.append(template.format(fee=fee))
            elif end is None:
                after = {
                    "free": messages.summary_after_free,
                    "partial": messages.summary_after_fee,
                    "full": messages.summary_after_full,
                }[kind]
                items.append(after.format(fee=fee))
            else:
                period = self.edges.until.format(end=clock.when(end))
                template = (
                    messages.summary_first_free
                    if kind == "free" and index == 0
                    else messages.summary_fee
                )
                items.append(template.format(fee=fee, period=period))
        return messages.summary_separator.join(items)

    def now(self, at: datetime) -> Now:
        """What cancelling at ``at`` costs, until when, and what comes next."""
        messages, segments = self.messages, self.source.segments
        starts = [to_micros(segment.start) for segment in segments[1:] if segment.start]
        index = bisect_right(starts, to_micros(at))
        segment = segments[index]
        local = at.astimezone(self.tz)
        kind = _kind(segment.fee, self.total)
        fee = self.money(segment.fee)
        if kind == "free":
            cost = messages.now_free
        elif kind == "full":
            cost = messages.now_full.format(fee=fee)
        else:
            share = messages.share.format(share=self.fmt.share(segment.fee, self.total))
            cost = messages.now_fee.format(fee=fee, share=share)
        clock = _Clock(self.fmt, self.tz, year=local.year, offset=local.utcoffset())
        deadline = self.shown(segment.end)
        relative = None
        next_fee = None
        if deadline is None:
            advice = messages.advice_final
        else:
            upcoming = segments[index + 1]
            next_fee = upcoming.fee
            # Absolute time left (two datetimes in one ZoneInfo subtract as wall clocks).
            relative = self.fmt.relative(
                timedelta(microseconds=to_micros(deadline) - to_micros(at))
            )
            when = clock.when(deadline, today=local.date())
            if upcoming.fee > segment.fee:
                template = messages.advice_free if kind == "free" else messages.advice_fee
                period = self.edges.until.format(end=when)
            else:
                template = messages.advice_drop
                period = self.edges.since.format(start=when)
            advice = template.format(
                period=period, relative=relative, fee=fee, next_fee=self.money(upcoming.fee)
            )
        at_clock = _Clock(self.fmt, self.tz)
        return Now(
            at=local,
            line=index,
            fee=segment.fee,
            until=None if segment.end is None else segment.end.astimezone(self.tz),
            next_fee=next_fee,
            at_text=at_clock.when(at),
            relative_text=relative,
            text=f"{cost} {advice}",
            refundability=refundability_of(segment.fee, self.total),
        )

    def headline(self) -> str:
        """The first fact: free until when, free at any time, non-refundable, or not free."""
        messages, free_until = self.messages, self.source.free_until
        if free_until is ALWAYS_FREE:
            return messages.fact_always_free
        if free_until is None or isinstance(free_until, AlwaysFree):
            if all(segment.fee >= self.total for segment in self.source.segments):
                return messages.fact_non_refundable
            return messages.fact_no_free
        shown = self.shown(free_until)
        assert shown is not None  # noqa: S101 - a datetime in, a datetime out
        period = self.edges.until.format(end=_Clock(self.fmt, self.tz).when(shown))
        return messages.fact_free_until.format(period=period)

    def chart(self) -> Chart:
        clock = _Clock(self.fmt, self.tz)
        ticks: list[Tick] = []
        for start in (segment.start for segment in self.source.segments):
            shown = self.shown(start)
            if start is None or shown is None:
                continue
            _, date_text, time_text, zone_text = clock.parts(shown)
            if zone_text is not None:
                time_text = self.messages.with_zone.format(when=time_text, zone=zone_text)
            at = start.astimezone(self.tz)
            ticks.append(Tick(at=at, date_text=date_text, time_text=time_text))
        zone_text = self.fmt.zone_name(self.tz)
        return Chart(
            title=self.messages.chart_title,
            times_text=self.messages.chart_times.format(zone=zone_text),
            now_text=self.messages.chart_now,
            ticks=tuple(ticks),
        )

    def viewer_differs(self, now: datetime | None) -> bool:
        """Whether the viewer's offset differs from the hotel's at any shown instant."""
        if self.viewer is None:
            return False
        instants = [segment.start for segment in self.source.segments[1:] if segment.start]
        if now is not None:
            instants.append(now)
        return any(
            moment.astimezone(self.viewer).utcoffset() != moment.astimezone(self.tz).utcoffset()
            for moment in instants
        )


def _viewer_zone(raw: str | tzinfo | None) -> tuple[tzinfo | None, str | None]:
    if raw is None:
        return None, None
    if isinstance(raw, tzinfo):
        return raw, _zone_key(raw) or str(raw)
    return zone(raw, path="viewer_tz", error=InvalidInput), raw


def build(
    subject: Timeline | Rooms,
    locale: object,
    *,
    now: datetime | str | None,
    viewer_tz: str | tzinfo | None,
) -> Preview:
    """`penalty.preview.preview`'s work (see there)."""
    from penalty.preview._format import Formatter

    fmt = Formatter(locale)
    source = _source(subject)
    viewer, viewer_name = _viewer_zone(viewer_tz)
    name = source.timezone
    booking_zone = None if name is None else zone(name, path="timezone", error=InvalidInstant)
    hotel = booking_zone or source.zone
    at = None
    if now is not None:
        nanos, _ = parse_instant(now, tz=booking_zone, path="now", error=InvalidInstant)
        at = from_nanos(nanos, hotel)
    builder = _Builder(source, fmt, hotel, viewer)
    zone_text = fmt.zone_name(hotel)
    total_text = builder.money(source.total)
    rooms: tuple[Room, ...] = ()
    if isinstance(subject, Rooms):
        rooms = tuple(
            Room(
                room=index,
                name=room_name,
                heading=fmt.messages.room_heading.format(
                    room=room_name, total=builder.money(timeline.booking.total)
                ),
                preview=build(timeline, fmt.locale, now=at, viewer_tz=viewer_tz),
            )
            for index, (room_name, timeline) in enumerate(
                zip(subject.names, subject.timelines, strict=True)
            )
        )
    return Preview(
        locale=str(fmt.locale),
        currency=source.currency,
        total=source.total,
        total_text=total_text,
        zone=_zone_key(hotel),
        zone_text=zone_text,
        viewer_zone=viewer_name,
        heading=fmt.messages.heading.format(total=total_text, zone=zone_text),
        lines=builder.lines(show_viewer=builder.viewer_differs(at)),
        summary=builder.summary(),
        now=None if at is None else builder.now(at),
        chart=builder.chart(),
        warnings=source.warnings,
        headline=builder.headline(),
        free_until=source.free_until,
        rooms=rooms,
    )
