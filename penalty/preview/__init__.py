"""Fee previews for booking UIs: the schedule as localized sentences, UI JSON and a picture.

A preview is built only from a compiled `Timeline`'s segments (one line per segment), so it can
never disagree with a quote. It is a pure function of (timeline, locale, now, viewer zone): no
clock, no environment, no machine locale. Money, dates, zones and relative times are formatted by
babel with the explicit locale; the sentences come from a small typed table per language
(`penalty.preview._messages`: ``en`` and ``vi``; any territory of those, e.g. ``en_GB``, works).

The package reads in layers: `penalty.preview.types` (what a preview is), `_messages` (the
wording), `_format` (babel), `_build` (segments into lines), `svg` (the chart); this module
puts them together. babel is imported only when a preview is built.

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

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from penalty.preview.types import JSON_VERSION, Chart, Kind, Line, Now, Preview, Room, Tick
from penalty.rooms import Rooms
from penalty.timeline import Timeline

if TYPE_CHECKING:
    from babel import Locale

__all__ = ["JSON_VERSION", "Chart", "Kind", "Line", "Now", "Preview", "Room", "Tick", "preview"]


def preview(
    timeline: Timeline | Rooms,
    locale: str | Locale,
    *,
    now: datetime | str | None = None,
    viewer_tz: str | tzinfo | None = None,
) -> Preview:
    """The fee schedule of ``timeline`` as a guest reads it, in ``locale``.

    Args:
        timeline: a compiled policy (`Policy.timeline`); each segment becomes one `Line`. Or
            a booking of several rooms (`penalty.rooms.Rooms`): its lines are the whole
            booking's, and `Preview.rooms` previews each room on its own.
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
    # babel loads with the builder, when a preview is first built: `import penalty.preview`
    # stays cheap (the builder imports nothing of this module: no cycle).
    from penalty.preview._build import build

    return build(timeline, locale, now=now, viewer_tz=viewer_tz)
