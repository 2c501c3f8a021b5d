"""Fee previews for booking UIs: the schedule as localized sentences, UI JSON and a picture.

A preview is built only from a compiled `Timeline`'s segments (one line per segment), so it can
never disagree with a quote. It is a pure function of (timeline, locale, now, viewer zone): no
clock, no environment, no machine locale. Money, dates, zones and relative times are formatted by
babel with the explicit locale; the sentences come from a small typed table per language
(`penalty.preview._messages`: ``en`` and ``vi``; any territory of those, e.g. ``en_GB``, works).

babel is imported only when a preview is built, so ``import penalty.preview`` stays cheap.

Example:
    >>> from penalty import Booking, Policy
    >>> policy = Policy.from_gotadi([{"startDate": "2021-05-10T18:00:00+07:00",
    ...     "endDate": "2021-05-12T18:00:00+07:00", "type": "PERCENT", "percent": "50%",
    ...     "amount": "25000", "currency": "VND", "nights": "", "description": ""}])
    >>> booking = Booking(total="3000000", currency="VND", timezone="Asia/Ho_Chi_Minh")
    >>> shown = preview(policy.timeline(booking), "en_GB", now="2021-05-12T09:00:00+07:00")
    >>> for item in shown.summary.split(" · "):
    ...     print(item)
    Free cancellation before Mon, 10 May 2021, 18:00 (GMT+07:00)
    ₫1,525,000 before Wed 12 May, 18:00
    after that the full ₫3,000,000
    >>> for sentence in shown.now.text.split(". ") if shown.now else ():
    ...     print(sentence)
    Cancelling now costs ₫1,525,000 (50.8% of the total)
    Cancel before 18:00 today (in 9 hours) to pay ₫1,525,000 instead of ₫3,000,000.

In ``vi_VN`` the same reads "Hủy miễn phí đến trước 18:00 Thứ 2, 10 thg 5, 2021 (GMT+07:00) · …"
(babel separates ``1.525.000`` and ``₫`` with a no-break space, U+00A0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from penalty.timeline import Phase, PolicyWarning, Timeline

if TYPE_CHECKING:
    from babel import Locale

__all__ = ["JSON_VERSION", "Chart", "Line", "Now", "Preview", "Tick", "preview"]

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
    """

    at: datetime
    line: int
    fee: Decimal
    until: datetime | None
    next_fee: Decimal | None
    at_text: str
    relative_text: str | None
    text: str

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
class Preview:
    """A fee schedule ready to show: see `preview` and `to_json` (the documented shape)."""

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

    @property
    def text(self) -> str:
        """Heading, one bullet per line, then the "now" sentences: plain text for a terminal."""
        rows = [self.heading, *(f"• {line.text}" for line in self.lines)]
        if self.now is not None:
            rows.append(self.now.text)
        return "\n".join(rows)

    def to_json(self) -> dict[str, Any]:
        """The UI JSON (documented in the README, section "Fee previews"): amounts as strings,
        instants as ISO 8601 in the hotel's zone, and the localized strings beside them."""
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
            "summary": self.summary,
            "lines": [line.to_json() for line in self.lines],
            "now": None if self.now is None else self.now.to_json(),
            "warnings": [warning.model_dump() for warning in self.warnings],
        }

    def to_svg(self) -> str:
        """The fee timeline as a step chart, an SVG document (see `penalty.preview.svg`)."""
        from penalty.preview.svg import render

        return render(self)


def preview(
    timeline: Timeline,
    locale: str | Locale,
    *,
    now: datetime | str | None = None,
    viewer_tz: str | tzinfo | None = None,
) -> Preview:
    """The fee schedule of ``timeline`` as a guest reads it, in ``locale``.

    Args:
        timeline: a compiled policy (`Policy.timeline`); each segment becomes one `Line`.
        locale: a CLDR locale such as ``"vi_VN"``, ``"en"`` or ``"en_GB"`` (never the
            machine's); its language must be one with wording (``en``, ``vi``).
        now: the current instant (aware, or ISO 8601 with an offset; without one it is read
            in the booking's zone). With it the preview says what cancelling now costs.
        viewer_tz: the viewer's zone (IANA name or tzinfo); lines then also give their period
            in that zone where its offset differs from the hotel's.

    Raises:
        InvalidInput: an unknown or unsupported ``locale``, or an unknown ``viewer_tz``.
        InvalidInstant: a malformed ``now``.

    Example:
        >>> from penalty import Booking, Policy
        >>> policy = Policy.from_gotadi([{"startDate": "2021-05-12T18:00:00+07:00",
        ...     "endDate": "2021-05-13T18:00:00+07:00", "type": "PERCENT", "percent": "70%",
        ...     "currency": "VND", "nights": "", "amount": "", "description": ""}])
        >>> timeline = policy.timeline(Booking(total="3000000", currency="VND"))
        >>> for line in preview(timeline, "en_GB").lines:
        ...     print(line.fee_text, line.share_text, "|", line.period_text)
        ₫0 None | before Wed, 12 May 2021, 18:00 (GMT+07:00)
        ₫2,100,000 70% | from Wed 12 May, 18:00 until Thu 13 May, 18:00
        ₫3,000,000 None | from Thu 13 May, 18:00
    """
    from penalty.preview._build import build

    return build(timeline, locale, now=now, viewer_tz=viewer_tz)
