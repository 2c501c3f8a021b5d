"""Property tests: a preview is the schedule, line for line, whatever the policy, locale or now."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from penalty import Booking, InvalidInput, Policy
from penalty import strategies as ps
from penalty.instants import zone
from penalty.preview import Preview, preview
from penalty.preview._format import Formatter
from penalty.rules import Boundary
from penalty.timeline import Timeline

LOCALES = st.sampled_from(("vi_VN", "en", "en_GB", "en_IN", "vi"))
VIEWERS = st.none() | st.sampled_from(ps.ZONES)
NOWS = st.none() | ps.instants()
SVG = "{http://www.w3.org/2000/svg}"
TICK = timedelta(microseconds=1)


def hotel_zone(timeline: Timeline) -> tzinfo:
    """The zone a preview must show times in: the booking's, else the timeline's."""
    name = timeline.booking.timezone
    return timeline.zone if name is None else zone(name, path=None, error=InvalidInput)


def build(
    case: tuple[Policy, Booking], locale: str, now: datetime | None, viewer: str | None
) -> tuple[Timeline, Preview]:
    """Compile ``case`` and preview it."""
    policy, booking = case
    timeline = policy.timeline(booking)
    return timeline, preview(timeline, locale, now=now, viewer_tz=viewer)


@given(ps.cases(any_rules=True), LOCALES, NOWS, VIEWERS)
def test_every_segment_appears_once_with_the_quoted_fee(
    case: tuple[Policy, Booking], locale: str, now: datetime | None, viewer: str | None
) -> None:
    """One line per segment, in order; each line's fee is the quote inside it, in words too."""
    timeline, shown = build(case, locale, now, viewer)
    money = Formatter(locale).money
    assert len(shown.lines) == len(timeline.segments)
    for line, segment in zip(shown.lines, timeline.segments, strict=True):
        assert (line.start, line.end, line.fee) == (segment.start, segment.end, segment.fee)
        probe = segment.start if segment.start is not None else segment.end
        if probe is None:
            continue
        inside = probe if segment.start is not None else probe - TICK
        assert timeline.quote(inside).fee == line.fee
        assert line.fee_text == money(timeline.quote(inside).fee, timeline.currency)
        if line.kind != "free":
            assert line.fee_text in line.text
    summary = shown.summary.split(" · ")
    assert len(summary) == len(timeline.segments)
    for item, line in zip(summary, shown.lines, strict=True):
        assert line.kind == "free" or line.fee_text in item


@given(ps.cases(any_rules=True), LOCALES)
def test_kinds_and_shares_follow_the_fee(case: tuple[Policy, Booking], locale: str) -> None:
    """free ⇔ 0, full ⇔ the total; a partial share is shown, strictly between 0% and 100%."""
    timeline, shown = build(case, locale, None, None)
    total = timeline.booking.total
    for line in shown.lines:
        assert line.kind == (
            "free" if line.fee == 0 else "full" if line.fee == total else "partial"
        )
        assert (line.share_text is not None) == (line.kind == "partial")
        if line.share_text is not None:
            digits = line.share_text.rstrip("%")
            if locale.startswith("vi"):  # 50,8%: a decimal comma
                digits = digits.replace(".", "").replace(",", ".")
            shown_share = Decimal(digits)
            exact = Fraction(line.fee) * 100 / Fraction(total)
            assert 0 < shown_share < 100
            places = -shown_share.as_tuple().exponent  # type: ignore[operator]
            assert abs(Fraction(shown_share) - exact) <= Fraction(1, 2 * 10**places)


@given(ps.cases(any_rules=True), NOWS)
def test_times_are_in_the_hotel_zone(case: tuple[Policy, Booking], now: datetime | None) -> None:
    """Line instants are in the hotel's zone, and each shown edge reads its local H:mm."""
    timeline, shown = build(case, "vi_VN", now, None)
    tz = hotel_zone(timeline)
    inclusive_end = timeline.policy.rules.boundary is Boundary.END_INCLUSIVE
    for line in shown.lines:
        for moment in (line.start, line.end):
            if moment is None:
                continue
            assert moment.utcoffset() == moment.astimezone(tz).utcoffset()
            local = (moment - TICK if inclusive_end else moment).astimezone(tz)
            assert f"{local.hour}:{local.minute:02d}" in line.period_text  # vi: H:mm
    if shown.now is not None:
        assert shown.now.at.utcoffset() == shown.now.at.astimezone(tz).utcoffset()


@given(ps.cases(any_rules=True), ps.instants(), LOCALES)
def test_now_is_the_quote_at_now(case: tuple[Policy, Booking], now: datetime, locale: str) -> None:
    """ "Now" costs what the quote says, holds until its segment ends, and names the next fee."""
    timeline, shown = build(case, locale, now, None)
    assert shown.now is not None
    line = shown.lines[shown.now.line]
    assert shown.now.fee == timeline.quote(now).fee == line.fee
    assert line.start is None or line.start <= now
    assert line.end is None or now < line.end
    assert shown.now.until == line.end
    if line.end is None:
        assert shown.now.next_fee is None
    else:
        assert shown.now.next_fee == shown.lines[shown.now.line + 1].fee
        assert shown.now.relative_text is not None


@given(ps.cases(any_rules=True), LOCALES, NOWS)
def test_svg_has_one_labelled_step_per_segment(
    case: tuple[Policy, Booking], locale: str, now: datetime | None
) -> None:
    """The SVG parses as XML: one step per segment with its fee, left to right, joined up."""
    timeline, shown = build(case, locale, now, None)
    root = ET.fromstring(shown.to_svg())
    steps = [g for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    assert [Decimal(g.get("data-fee", "")) for g in steps] == [s.fee for s in timeline.segments]
    legend = {
        item.get("data-fee"): " ".join(text.text or "" for text in item.iter(f"{SVG}text"))
        for item in root.iter(f"{SVG}g")
        if item.get("class") == "legend-item"
    }
    previous_end = None
    for group, line in zip(steps, shown.lines, strict=True):
        level = group.find(f"{SVG}line")
        label = group.find(f"{SVG}text")
        assert level is not None
        # The fee is written by its step, or (no room there) in the legend below the chart.
        written = label.text if label is not None else legend.get(str(line.fee))
        assert written is not None
        assert line.fee_text.split(" ")[0] in written
        x1, x2 = float(level.get("x1", "nan")), float(level.get("x2", "nan"))
        assert x1 <= x2
        if previous_end is not None:
            assert abs(previous_end - x1) < 0.11
        previous_end = x2
    marks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "now"]
    assert len(marks) == (0 if now is None else 1)
