"""The sentences of a fee preview, one typed table per language.

Why a table and not gettext catalogs: a preview has a couple of dozen sentences. As fields of a
frozen dataclass, a language that lacks one is a type error (``mypy --strict``) instead of
gettext's silent fallback to the English msgid, there is no ``.po`` → ``.mo`` build step for a
fresh clone, and a test checks that every translation uses exactly the placeholders of the
English one. Everything locale-dependent that CLDR knows (digits, currency signs, date order,
month and weekday names, hour cycle, zone names, "in 2 days") comes from babel, not from here.
Each field name would be the msgid if the table ever moves to babel's catalogs.

Placeholders (``str.format`` fields) are filled with already-localized text:
``{when}``/``{start}``/``{end}`` a date and time, ``{fee}``/``{next_fee}``/``{total}`` money,
``{share}`` a percentage, ``{period}`` one of the `Edges` phrases, ``{time}`` a clock time,
``{relative}`` a babel relative time, ``{zone}`` a zone label, ``{text}``/``{description}``/
``{room}`` free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["LANGUAGES", "Edges", "Messages"]


@dataclass(frozen=True, slots=True)
class Edges:
    """Period phrases for one edge rule: which end of a boundary instant is charged."""

    #: A stretch open at the start, ending at ``{end}`` (free "before 18:00").
    until: str
    #: A stretch starting at ``{start}`` and open at the end.
    since: str
    #: A stretch between two boundaries.
    between: str


@dataclass(frozen=True, slots=True)
class Messages:
    """Every sentence of a preview in one language (see the module docstring)."""

    #: ``[start, end)``: the fee changes *at* a boundary (Gotadi): "before 18:00", "from 18:00".
    start_inclusive: Edges
    #: ``(start, end]``: a deadline instant still has the earlier fee: "until 18:00".
    end_inclusive: Edges
    always: str
    with_zone: str
    today: str
    tomorrow: str
    your_time: str
    heading: str
    line_free: str
    line_fee: str
    line_full: str
    share: str
    with_description: str
    summary_first_free: str
    summary_fee: str
    summary_after_free: str
    summary_after_fee: str
    summary_after_full: str
    summary_always_free: str
    summary_always_fee: str
    summary_separator: str
    now_free: str
    now_fee: str
    now_full: str
    advice_free: str
    advice_fee: str
    advice_drop: str
    advice_final: str
    chart_title: str
    chart_now: str
    chart_times: str
    #: The facts a booking page shows first (SEMANTICS rule 20): free until when, or none.
    fact_free_until: str
    fact_always_free: str
    fact_non_refundable: str
    fact_no_free: str
    #: The heading of one room's lines in a booking of several rooms.
    room_heading: str


EN: Final = Messages(
    start_inclusive=Edges(
        until="before {end}",
        since="from {start}",
        between="from {start} until {end}",
    ),
    end_inclusive=Edges(
        until="until {end}",
        since="after {start}",
        between="after {start} until {end}",
    ),
    always="at any time",
    with_zone="{when} ({zone})",
    today="{time} today",
    tomorrow="{time} tomorrow",
    your_time="{text} (your time: {period})",
    heading="Cancellation fees for a booking of {total} (times are {zone})",
    line_free="Free cancellation {period}",
    line_fee="Cancelling {period} costs {fee}{share}",
    line_full="Cancelling {period} costs the full {fee}",
    share=" ({share} of the total)",
    with_description="{text} — {description}",
    summary_first_free="Free cancellation {period}",
    summary_fee="{fee} {period}",
    summary_after_free="after that free",
    summary_after_fee="after that {fee}",
    summary_after_full="after that the full {fee}",
    summary_always_free="Free cancellation at any time",
    summary_always_fee="{fee} at any time",
    summary_separator=" · ",
    now_free="Cancelling now is free.",
    now_fee="Cancelling now costs {fee}{share}.",
    now_full="Cancelling now costs the full {fee}.",
    advice_free="Cancel {period} ({relative}) to pay nothing instead of {next_fee}.",
    advice_fee="Cancel {period} ({relative}) to pay {fee} instead of {next_fee}.",
    advice_drop="The fee drops to {next_fee} {period} ({relative}).",
    advice_final="This will not change.",
    chart_title="Cancellation fee",
    chart_now="now",
    chart_times="Times: {zone}",
    fact_free_until="Free cancellation {period}",
    fact_always_free="Free cancellation at any time",
    fact_non_refundable="Non-refundable",
    fact_no_free="No free cancellation",
    room_heading="{room} ({total}):",
)

VI: Final = Messages(
    start_inclusive=Edges(
        until="đến trước {end}",
        since="từ {start}",
        between="từ {start} đến trước {end}",
    ),
    end_inclusive=Edges(
        until="đến hết {end}",
        since="sau {start}",
        between="sau {start} đến hết {end}",
    ),
    always="vào bất cứ lúc nào",
    with_zone="{when} ({zone})",
    today="{time} hôm nay",
    tomorrow="{time} ngày mai",
    your_time="{text} (giờ của bạn: {period})",
    heading="Phí hủy cho đặt phòng trị giá {total} (thời gian theo {zone})",
    line_free="Được hủy miễn phí {period}",
    line_fee="Phí hủy {fee}{share} khi hủy {period}",
    line_full="Phí hủy toàn bộ {fee} khi hủy {period}",
    share=" ({share} giá trị đặt phòng)",
    with_description="{text} — {description}",
    summary_first_free="Hủy miễn phí {period}",
    summary_fee="{fee} {period}",
    summary_after_free="sau đó miễn phí",
    summary_after_fee="sau đó {fee}",
    summary_after_full="sau đó toàn bộ {fee}",
    summary_always_free="Hủy miễn phí vào bất cứ lúc nào",
    summary_always_fee="{fee} vào bất cứ lúc nào",
    summary_separator=" · ",
    now_free="Hủy ngay bây giờ được miễn phí.",
    now_fee="Hủy ngay bây giờ mất phí {fee}{share}.",
    now_full="Hủy ngay bây giờ mất toàn bộ {fee}.",
    advice_free="Hủy {period} ({relative}) để không mất phí thay vì {next_fee}.",
    advice_fee="Hủy {period} ({relative}) để chỉ trả {fee} thay vì {next_fee}.",
    advice_drop="Phí hủy giảm còn {next_fee} {period} ({relative}).",
    advice_final="Mức phí này không thay đổi nữa.",
    chart_title="Phí hủy phòng",
    chart_now="bây giờ",
    chart_times="Thời gian: {zone}",
    fact_free_until="Hủy miễn phí {period}",
    fact_always_free="Hủy miễn phí vào bất cứ lúc nào",
    fact_non_refundable="Không hoàn tiền",
    fact_no_free="Không được hủy miễn phí",
    room_heading="{room} ({total}):",
)

#: Wording by babel language code; any territory of a language uses it (``en_IN``, ``vi_VN``).
LANGUAGES: Final[dict[str, Messages]] = {"en": EN, "vi": VI}
