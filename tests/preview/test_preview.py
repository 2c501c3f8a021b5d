"""Fee previews: localized lines, "now" awareness, DST, errors, purity, the JSON shape."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from babel import Locale

from penalty import Booking, Boundary, Gaps, InvalidInput, InvalidInstant, Policy, Rules, Window
from penalty.preview import Preview, preview
from penalty.preview._format import Formatter
from penalty.preview._messages import EN, LANGUAGES, Edges, Messages
from penalty.timeline import Timeline
from tests.helpers import FIXTURES, GOTADI, ROOT, load

README = ROOT / "README.md"
BOOKING = Booking.model_validate(load(GOTADI / "booking.json"))
EXAMPLES = sorted(path.stem for path in GOTADI.glob("example*.json"))
PARIS = FIXTURES / "preview"
ICT = timezone(timedelta(hours=7))


def timeline_of(example: str, booking: Booking = BOOKING) -> Timeline:
    """Seed 001's example ``example`` compiled against ``booking``."""
    return Policy.from_gotadi(load(GOTADI / f"{example}.json")).timeline(booking)


def window(start: str, end: str | None, **components: str) -> Window:
    """A window from ISO strings and component strings, validated like any input."""
    return Window.model_validate({"start": start, "end": end, **components})


def paris() -> Timeline:
    """A Paris booking whose windows (local times, no offset) cross the 2021 spring DST switch."""
    policy = Policy.from_gotadi(load(PARIS / "paris_dst_policy.json"))
    return policy.timeline(Booking.model_validate(load(PARIS / "paris_booking.json")))


# -- exact strings --------------------------------------------------------------------------

EXACT = {
    ("example4_two_windows", "vi_VN"): [
        "Được hủy miễn phí đến trước 18:00 Thứ 2, 10 thg 5, 2021 (GMT+07:00)",
        (
            "Phí hủy 1.500.000\xa0₫ (50% giá trị đặt phòng) khi hủy từ 18:00 Thứ 2, 10 thg 5 "
            "đến trước 18:00 Thứ 4, 12 thg 5"
        ),
        (
            "Phí hủy 2.100.000\xa0₫ (70% giá trị đặt phòng) khi hủy từ 18:00 Thứ 4, 12 thg 5 "
            "đến trước 18:00 Thứ 5, 13 thg 5"
        ),
        "Phí hủy toàn bộ 3.000.000\xa0₫ khi hủy từ 18:00 Thứ 5, 13 thg 5",
    ],
    ("example4_two_windows", "en"): [
        "Free cancellation before Mon, May 10, 2021, 6:00 PM (GMT+07:00)",
        (
            "Cancelling from Mon, May 10, 6:00 PM until Wed, May 12, 6:00 PM costs ₫1,500,000 "
            "(50% of the total)"
        ),
        (
            "Cancelling from Wed, May 12, 6:00 PM until Thu, May 13, 6:00 PM costs ₫2,100,000 "
            "(70% of the total)"
        ),
        "Cancelling from Thu, May 13, 6:00 PM costs the full ₫3,000,000",
    ],
    ("example5_percent_plus_amount", "vi_VN"): [
        "Được hủy miễn phí đến trước 18:00 Thứ 2, 10 thg 5, 2021 (GMT+07:00)",
        (
            "Phí hủy 1.525.000\xa0₫ (50,8% giá trị đặt phòng) khi hủy từ 18:00 Thứ 2, 10 thg 5 "
            "đến trước 18:00 Thứ 4, 12 thg 5"
        ),
        "Phí hủy toàn bộ 3.000.000\xa0₫ khi hủy từ 18:00 Thứ 4, 12 thg 5",
    ],
    ("example5_percent_plus_amount", "en_GB"): [
        "Free cancellation before Mon, 10 May 2021, 18:00 (GMT+07:00)",
        (
            "Cancelling from Mon 10 May, 18:00 until Wed 12 May, 18:00 costs ₫1,525,000 "
            "(50.8% of the total)"
        ),
        "Cancelling from Wed 12 May, 18:00 costs the full ₫3,000,000",
    ],
    ("example1_nights", "en"): [
        "Free cancellation before Wed, May 12, 2021, 6:00 PM (GMT+07:00)",
        (
            "Cancelling from Wed, May 12, 6:00 PM until Thu, May 13, 6:00 PM costs ₫1,000,000 "
            "(33.3% of the total)"
        ),
        "Cancelling from Thu, May 13, 6:00 PM costs the full ₫3,000,000",
    ],
    ("example6_free", "vi_VN"): [
        "Được hủy miễn phí đến trước 18:00 Thứ 4, 12 thg 5, 2021 (GMT+07:00)",
        "Phí hủy toàn bộ 3.000.000\xa0₫ khi hủy từ 18:00 Thứ 4, 12 thg 5",
    ],
}


@pytest.mark.parametrize(("example", "locale"), list(EXACT), ids=[f"{e}-{loc}" for e, loc in EXACT])
def test_seed_example_lines_read_exactly(example: str, locale: str) -> None:
    """Seed examples read exactly as pinned, in the hotel's zone, in vi_VN and English."""
    shown = preview(timeline_of(example), locale)
    assert [line.text for line in shown.lines] == EXACT[example, locale]


def test_summary_is_one_line_of_the_whole_schedule() -> None:
    """The summary strings the segments together, year and zone at first mention only."""
    vi = preview(timeline_of("example5_percent_plus_amount"), "vi_VN").summary
    assert vi == (
        "Hủy miễn phí đến trước 18:00 Thứ 2, 10 thg 5, 2021 (GMT+07:00) · 1.525.000\xa0₫ đến "
        "trước 18:00 Thứ 4, 12 thg 5 · sau đó toàn bộ 3.000.000\xa0₫"
    )
    en = preview(timeline_of("example4_two_windows"), "en_GB").summary
    assert en == (
        "Free cancellation before Mon, 10 May 2021, 18:00 (GMT+07:00) · ₫1,500,000 before "
        "Wed 12 May, 18:00 · ₫2,100,000 before Thu 13 May, 18:00 · after that the full ₫3,000,000"
    )


def test_heading_names_the_total_and_the_hotel_zone() -> None:
    """The heading gives the total in the locale's money format and the zone by name."""
    timeline = timeline_of("example3_percent")
    assert preview(timeline, "vi_VN").heading == (
        "Phí hủy cho đặt phòng trị giá 3.000.000\xa0₫ (thời gian theo Giờ Việt Nam)"
    )
    assert preview(timeline, "en").heading == (
        "Cancellation fees for a booking of ₫3,000,000 (times are Vietnam Time)"
    )


def test_every_example_has_one_line_per_segment_with_the_quoted_fee() -> None:
    """Each seed example: one line per segment, in order, fee and money text as quoted."""
    for example in EXAMPLES:
        timeline = timeline_of(example)
        for locale in ("vi_VN", "en"):
            shown = preview(timeline, locale)
            assert len(shown.lines) == len(timeline.segments)
            for line, segment in zip(shown.lines, timeline.segments, strict=True):
                assert (line.start, line.end, line.fee) == (segment.start, segment.end, segment.fee)
                probe = segment.start
                if probe is None and segment.end is not None:
                    probe = segment.end - timedelta(microseconds=1)
                assert probe is not None
                assert timeline.quote(probe).fee == line.fee
                assert line.fee_text == Formatter(locale).money(line.fee, "VND")
                assert line.fee_text in line.text or line.kind == "free"


# -- now ------------------------------------------------------------------------------------

NOW_CASES = [
    pytest.param(
        "example4_two_windows",
        "2021-05-12T09:00:00+07:00",
        "en",
        "Cancelling now costs ₫1,500,000 (50% of the total). Cancel before 6:00 PM today "
        "(in 9 hours) to pay ₫1,500,000 instead of ₫2,100,000.",
        id="paid-then-dearer-today",
    ),
    pytest.param(
        "example4_two_windows",
        "2021-05-09T20:00:00+07:00",
        "vi_VN",
        "Hủy ngay bây giờ được miễn phí. Hủy đến trước 18:00 ngày mai (sau 22 giờ nữa) để "
        "không mất phí thay vì 1.500.000\xa0₫.",
        id="free-until-tomorrow",
    ),
    pytest.param(
        "example4_two_windows",
        "2021-05-01T08:00:00+07:00",
        "en",
        "Cancelling now is free. Cancel before Mon, May 10, 6:00 PM (in 1 week) to pay "
        "nothing instead of ₫1,500,000.",
        id="free-for-a-week",
    ),
    pytest.param(
        "example4_two_windows",
        "2021-05-20T08:00:00+07:00",
        "vi_VN",
        "Hủy ngay bây giờ mất toàn bộ 3.000.000\xa0₫. Mức phí này không thay đổi nữa.",
        id="no-show-is-final",
    ),
]


@pytest.mark.parametrize(("example", "now", "locale", "text"), NOW_CASES)
def test_now_says_what_cancelling_costs_and_what_comes_next(
    example: str, now: str, locale: str, text: str
) -> None:
    """The "now" sentences: the cost now, the deadline (today/tomorrow), the next fee."""
    shown = preview(timeline_of(example), locale, now=now)
    assert shown.now is not None
    assert shown.now.text == text


def test_now_agrees_with_the_quote_at_every_boundary() -> None:
    """At, just before and just after each boundary, "now" is the quote's fee and segment."""
    timeline = timeline_of("example4_two_windows")
    tick = timedelta(microseconds=1)
    for segment in timeline.segments[1:]:
        assert segment.start is not None
        for at in (segment.start - tick, segment.start, segment.start + tick):
            shown = preview(timeline, "en", now=at)
            assert shown.now is not None
            quote = timeline.quote(at)
            assert shown.now.fee == quote.fee
            assert shown.now.until in {quote.until, segment.end}
            line = shown.lines[shown.now.line]
            assert line.start is None or line.start <= at
            assert line.end is None or at < line.end


def test_fee_that_drops_later_is_announced_as_a_drop() -> None:
    """With free gaps, a later, lower fee reads "the fee drops to … from …"."""
    policy = Policy(
        windows=(
            window("2021-05-10T18:00:00+07:00", "2021-05-11T18:00:00+07:00", amount="100000"),
            window("2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", amount="200000"),
        ),
        rules=Rules(gaps=Gaps.FREE),
    )
    timeline = policy.timeline(BOOKING)
    shown = preview(timeline, "en", now="2021-05-11T12:00:00+07:00")
    assert shown.now is not None
    assert shown.now.text == (
        "Cancelling now costs ₫100,000 (3.3% of the total). The fee drops to ₫0 from 6:00 PM "
        "today (in 6 hours)."
    )
    assert shown.now.next_fee == 0


def test_naive_now_is_read_in_the_booking_zone_and_a_bad_one_is_named() -> None:
    """A naive ``now`` is a wall-clock time in the hotel's zone; garbage raises InvalidInstant."""
    timeline = timeline_of("example4_two_windows")
    naive = preview(timeline, "en", now="2021-05-12T09:00:00")
    aware = preview(timeline, "en", now="2021-05-12T09:00:00+07:00")
    assert naive.now == aware.now
    with pytest.raises(InvalidInstant) as caught:
        preview(timeline, "en", now="soon")
    assert caught.value.path == "now"
    no_zone = timeline_of(
        "example4_two_windows", Booking.model_validate({"total": "3000000", "currency": "VND"})
    )
    with pytest.raises(InvalidInstant):
        preview(no_zone, "en", now="2021-05-12T09:00:00")


# -- zones and DST --------------------------------------------------------------------------


def test_paris_booking_across_the_spring_dst_switch_keeps_local_times() -> None:
    """Europe/Paris, last Sunday of March 2021: both edges read 18:00, the offset change shows."""
    timeline = paris()
    shown = preview(timeline, "en_GB", now="2021-03-28T01:30:00+01:00")
    assert [line.text for line in shown.lines] == [
        "Free cancellation before Fri, 26 Mar 2021, 18:00 (GMT+01:00)",
        (
            "Cancelling from Fri 26 Mar, 18:00 until Sun 28 Mar, 18:00 (GMT+02:00) costs €135.00 "
            "(30% of the total) — Late cancellation"
        ),
        (
            "Cancelling from Sun 28 Mar, 18:00 until Mon 29 Mar, 15:00 costs €225.00 "
            "(50% of the total)"
        ),
        "Cancelling from Mon 29 Mar, 15:00 costs the full €450.00",
    ]
    first = shown.lines[1]
    assert first.start == datetime(2021, 3, 26, 17, tzinfo=UTC)
    assert first.end == datetime(2021, 3, 28, 16, tzinfo=UTC)
    assert first.start is not None
    assert first.end is not None
    assert (first.start.hour, first.end.hour) == (18, 18)
    assert first.start.utcoffset() == timedelta(hours=1)
    assert first.end.utcoffset() == timedelta(hours=2)
    assert shown.zone == "Europe/Paris"
    assert shown.now is not None
    assert shown.now.text == (
        "Cancelling now costs €135.00 (30% of the total). Cancel before 18:00 today "
        "(GMT+02:00) (in 15 hours) to pay €135.00 instead of €225.00."
    )


def test_vietnamese_paris_preview_shows_both_offsets() -> None:
    """The same DST booking in vi_VN: local 18:00 on both sides of the switch."""
    lines = [line.period_text for line in preview(paris(), "vi_VN").lines]
    assert lines[0] == "đến trước 18:00 Thứ 6, 26 thg 3, 2021 (GMT+01:00)"
    assert lines[1] == "từ 18:00 Thứ 6, 26 thg 3 đến trước 18:00 CN, 28 thg 3 (GMT+02:00)"


def test_hotel_zone_is_the_booking_zone_even_when_windows_carry_offsets() -> None:
    """Windows written in +07:00 are still shown in the booking's named zone."""
    shown = preview(timeline_of("example3_percent"), "en")
    assert shown.zone == "Asia/Ho_Chi_Minh"
    assert shown.zone_text == "Vietnam Time"
    without = timeline_of(
        "example3_percent", Booking.model_validate({"total": "3000000", "currency": "VND"})
    )
    fixed = preview(without, "en")
    assert fixed.zone is None
    assert fixed.zone_text == "GMT+07:00"


def test_viewer_zone_adds_the_viewer_time_only_where_it_differs() -> None:
    """``viewer_tz`` adds "(your time: …)" per line; a viewer in the hotel's offset adds none."""
    timeline = timeline_of("example3_percent")
    shown = preview(timeline, "en_GB", viewer_tz="Europe/Paris")
    assert shown.viewer_zone == "Europe/Paris"
    assert shown.lines[0].viewer_period_text == "before Wed, 12 May 2021, 13:00 (GMT+02:00)"
    assert shown.lines[0].text.endswith("(your time: before Wed, 12 May 2021, 13:00 (GMT+02:00))")
    same = preview(timeline, "en_GB", viewer_tz="Asia/Bangkok")
    assert all(line.viewer_period_text is None for line in same.lines)
    assert preview(timeline, "en", viewer_tz=ICT).viewer_zone == "UTC+07:00"


def test_end_inclusive_windows_read_until_and_after() -> None:
    """``(start, end]`` windows read "until 18:00" (inclusive) and "after 18:00"."""
    policy = Policy(
        windows=(window("2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", percent="70"),),
        rules=Rules(boundary=Boundary.END_INCLUSIVE),
    )
    shown = preview(policy.timeline(BOOKING), "en_GB", now="2021-05-12T18:00:00+07:00")
    assert [line.period_text for line in shown.lines] == [
        "until Wed, 12 May 2021, 18:00 (GMT+07:00)",
        "after Wed 12 May, 18:00 until Thu 13 May, 18:00",
        "after Thu 13 May, 18:00",
    ]
    assert shown.now is not None
    assert shown.now.fee == 0  # 18:00:00 itself is still free under (start, end]
    assert shown.now.text.startswith("Cancelling now is free. Cancel until 18:00 today")


def test_seconds_and_microseconds_show_only_when_present() -> None:
    """A boundary off the minute shows its seconds (and microseconds) rather than round them."""
    policy = Policy(windows=(window("2021-05-12T17:59:59.5+07:00", None, amount="1"),))
    shown = preview(policy.timeline(BOOKING), "en_GB")
    assert shown.lines[0].period_text == "before Wed, 12 May 2021, 17:59:59.500000 (GMT+07:00)"


def test_policy_without_windows_is_one_line_at_any_time() -> None:
    """No windows: one segment, the full total at any time, no ticks on the chart."""
    shown = preview(Policy(windows=()).timeline(BOOKING), "vi_VN", now="2021-05-12T09:00:00+07:00")
    assert [line.text for line in shown.lines] == [
        "Phí hủy toàn bộ 3.000.000\xa0₫ khi hủy vào bất cứ lúc nào"
    ]
    assert shown.summary == "3.000.000\xa0₫ vào bất cứ lúc nào"
    assert shown.chart.ticks == ()


# -- shares ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "total", "text"),
    [
        ("1525000", "3000000", "50.8%"),
        ("2100000", "3000000", "70%"),
        ("1", "3000000", "0.00003%"),
        ("2999999", "3000000", "99.99997%"),
        ("1", "8", "12.5%"),
    ],
    ids=["one-decimal", "whole", "tiny-is-not-zero", "almost-all-is-not-100", "half-up"],
)
def test_share_is_exact_then_rounded_for_humans(fee: str, total: str, text: str) -> None:
    """A partial fee's share is rounded half-up, never shown as 0% or 100%."""
    assert Formatter("en").share(Decimal(fee), Decimal(total)) == text


def test_share_uses_the_locale_percent_format() -> None:
    """Decimal comma and percent sign from CLDR (vi: 50,8%)."""
    assert Formatter("vi_VN").share(Decimal(1525000), Decimal(3000000)) == "50,8%"


# -- errors and purity ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "code"),
    [
        ("xx", "unknown_locale"),
        ("", "invalid_locale"),
        (42, "invalid_locale"),
        ("fr_FR", "unsupported_locale"),
        ("en_ZZZ", "unknown_locale"),
    ],
    ids=["unknown", "empty", "not-a-string", "no-wording", "bad-territory"],
)
def test_bad_locale_is_a_named_input_error(locale: object, code: str) -> None:
    """An unknown or unsupported locale raises InvalidInput naming ``locale``."""
    with pytest.raises(InvalidInput) as caught:
        preview(timeline_of("example3_percent"), locale)  # type: ignore[arg-type]
    assert (caught.value.path, caught.value.code) == ("locale", code)


def test_locale_spellings_and_objects_are_accepted() -> None:
    """``vi-VN``, ``vi_VN``, ``vi`` and a babel Locale give the same Vietnamese lines."""
    timeline = timeline_of("example3_percent")
    texts = {
        tuple(line.text for line in preview(timeline, locale).lines)
        for locale in ("vi-VN", "vi_VN", "vi", Locale("vi", "VN"))
    }
    assert len(texts) == 1


def test_bad_viewer_zone_is_a_named_input_error() -> None:
    """An unknown viewer zone raises InvalidInput naming ``viewer_tz``."""
    with pytest.raises(InvalidInput) as caught:
        preview(timeline_of("example3_percent"), "en", viewer_tz="Mars/Olympus")
    assert caught.value.path == "viewer_tz"


def test_preview_ignores_the_machine_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """LANG/LC_* do not change a preview (the test session also pins an exotic TZ)."""
    timeline = timeline_of("example4_two_windows")
    before = preview(timeline, "en", now="2021-05-11T09:00:00+07:00", viewer_tz="UTC")
    for name in ("LANG", "LC_ALL", "LC_TIME", "LC_NUMERIC", "LC_MONETARY", "LANGUAGE"):
        monkeypatch.setenv(name, "fr_FR.UTF-8")
    after = preview(timeline, "en", now="2021-05-11T09:00:00+07:00", viewer_tz="UTC")
    assert before == after


def test_importing_the_preview_modules_does_not_import_babel() -> None:
    """babel loads only when a preview is built: ``import penalty.preview`` stays cheap."""
    code = (
        "import sys, penalty, penalty.preview, penalty.preview.svg; print('babel' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_the_english_placeholders() -> None:
    """Each translated sentence uses exactly the placeholders of the English one."""
    for language, messages in LANGUAGES.items():
        for field in fields(Messages):
            english, other = getattr(EN, field.name), getattr(messages, field.name)
            if isinstance(english, Edges):
                for edge in fields(Edges):
                    assert _placeholders(getattr(other, edge.name)) == _placeholders(
                        getattr(english, edge.name)
                    ), (language, field.name, edge.name)
            else:
                assert _placeholders(other) == _placeholders(english), (language, field.name)


# -- the UI JSON ----------------------------------------------------------------------------

TOP_KEYS = {
    "version",
    "locale",
    "currency",
    "total",
    "total_text",
    "zone",
    "zone_text",
    "viewer_zone",
    "heading",
    "headline",
    "free_until",
    "summary",
    "lines",
    "now",
    "rooms",
    "warnings",
}
LINE_KEYS = {
    "start",
    "end",
    "fee",
    "kind",
    "phases",
    "windows",
    "descriptions",
    "period_text",
    "viewer_period_text",
    "fee_text",
    "share_text",
    "text",
}
NOW_KEYS = {
    "at",
    "line",
    "fee",
    "until",
    "next_fee",
    "at_text",
    "relative_text",
    "text",
    "refundability",
}
ROOM_KEYS = {
    "room",
    "name",
    "heading",
    "total",
    "total_text",
    "headline",
    "free_until",
    "summary",
    "lines",
    "now",
}


def _ui_json(shown: Preview) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(shown.to_json(), ensure_ascii=False))
    return data


def test_ui_json_carries_machine_values_and_localized_strings() -> None:
    """The documented shape: exact amounts as strings, ISO instants, localized text beside."""
    timeline = paris()
    data = _ui_json(preview(timeline, "vi_VN", now="2021-03-28T01:30:00+01:00", viewer_tz="UTC"))
    assert set(data) == TOP_KEYS
    assert (data["version"], data["locale"], data["currency"], data["total"]) == (
        1,
        "vi_VN",
        "EUR",
        "450.00",
    )
    assert data["zone"] == "Europe/Paris"
    for line, segment in zip(data["lines"], timeline.segments, strict=True):
        assert set(line) == LINE_KEYS
        assert Decimal(line["fee"]) == segment.fee
        for key, moment in (("start", segment.start), ("end", segment.end)):
            assert (None if line[key] is None else datetime.fromisoformat(line[key])) == moment
    assert data["lines"][1]["start"] == "2021-03-26T18:00:00+01:00"
    assert data["lines"][1]["end"] == "2021-03-28T18:00:00+02:00"
    assert data["lines"][1]["descriptions"] == ["Late cancellation"]
    assert data["lines"][1]["share_text"] == "30%"
    assert set(data["now"]) == NOW_KEYS
    assert data["now"]["fee"] == "135.00"
    assert data["now"]["next_fee"] == "225.00"
    assert data["warnings"][0]["code"] == "assumed_zone"


def test_readme_documents_every_json_field() -> None:
    """Every key of the UI JSON appears in the README's "Fee previews" section."""
    section = README.read_text(encoding="utf-8").split("## Fee previews", 1)[1]
    for key in TOP_KEYS | LINE_KEYS | NOW_KEYS | ROOM_KEYS:
        assert f"`{key}`" in section, key
