"""Previews say the booking page's facts: free until when, non-refundable, each room's lines."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from penalty import AfterLast, Booking, Boundary, Policy, Rules
from penalty.cli import main
from penalty.preview import preview
from penalty.rooms import Room, Rooms
from penalty.timeline import Timeline
from tests.helpers import GOTADI, load, policy_of

BOOKING = Booking.model_validate(load(GOTADI / "booking.json"))
WINDOW = {"start": "2021-05-12T18:00+07:00", "end": "2021-05-13T18:00+07:00"}


def _timeline(policy: Policy, booking: Booking = BOOKING) -> Timeline:
    return policy.timeline(booking)


@pytest.mark.parametrize(
    ("policy", "locale", "headline", "free_until"),
    [
        (
            policy_of({**WINDOW, "percent": "70"}),
            "en_GB",
            "Free cancellation before Wed, 12 May 2021, 18:00 (GMT+07:00)",
            "2021-05-12T18:00:00+07:00",
        ),
        (
            policy_of({**WINDOW, "percent": "70"}, rules=Rules(boundary=Boundary.END_INCLUSIVE)),
            "en_GB",
            "Free cancellation until Wed, 12 May 2021, 18:00 (GMT+07:00)",
            "2021-05-12T18:00:00.000001+07:00",
        ),
        (
            policy_of({**WINDOW, "percent": "70"}),
            "vi_VN",
            "Hủy miễn phí đến trước 18:00 Thứ 4, 12 thg 5, 2021 (GMT+07:00)",
            "2021-05-12T18:00:00+07:00",
        ),
        (policy_of(), "en", "Non-refundable", None),
        (policy_of(), "vi", "Không hoàn tiền", None),
        (
            policy_of({**WINDOW, "start": None, "percent": "10"}),
            "en",
            "No free cancellation",
            None,
        ),
        (
            policy_of({**WINDOW, "percent": "0"}, rules=Rules(after_last=AfterLast.FREE)),
            "en",
            "Free cancellation at any time",
            "always",
        ),
    ],
    ids=["before", "until", "vi", "non-refundable", "vi-non-refundable", "no-free", "always"],
)
def test_the_headline_says_the_first_fact(
    policy: Policy, locale: str, headline: str, free_until: str | None
) -> None:
    """Free cancellation before/until the deadline, at any time, or non-refundable."""
    shown = preview(_timeline(policy), locale, now="2021-05-12T09:00:00+07:00")
    assert shown.headline == headline
    assert shown.text.splitlines()[1] == headline
    data = shown.to_json()
    assert (data["headline"], data["free_until"]) == (headline, free_until)
    assert data["rooms"] == []


@pytest.mark.parametrize(
    ("now", "refundability"),
    [
        ("2021-05-12T09:00:00+07:00", "full"),
        ("2021-05-12T19:00:00+07:00", "partial"),
        ("2021-05-13T19:00:00+07:00", "none"),
    ],
)
def test_now_says_how_refundable_cancelling_now_is(now: str, refundability: str) -> None:
    """``now.refundability`` reads the fee now against the total."""
    shown = preview(_timeline(policy_of({**WINDOW, "percent": "70"})), "en", now=now)
    assert shown.now is not None
    assert shown.now.refundability == refundability
    assert shown.to_json()["now"]["refundability"] == refundability


def _rooms() -> Rooms:
    return Rooms(
        [
            Room(
                policy_of({**WINDOW, "percent": "50"}),
                Booking(total=Decimal(2000000), currency="VND", timezone="Asia/Ho_Chi_Minh"),
                "Deluxe",
            ),
            Room(policy_of(), Booking(total=Decimal(1000000), currency="VND"), "Family"),
        ]
    )


def test_a_booking_of_rooms_previews_the_whole_and_each_room() -> None:
    """The whole booking's lines, then each room's, under its name and total."""
    shown = preview(_rooms(), "en_GB", now="2021-05-12T09:00:00+07:00")
    assert shown.total == Decimal(3000000)
    assert [str(line.fee) for line in shown.lines] == ["1000000", "2000000", "3000000"]
    assert shown.headline == "No free cancellation"
    assert [room.name for room in shown.rooms] == ["Deluxe", "Family"]
    assert shown.rooms[0].heading == "Deluxe (₫2,000,000):"
    assert shown.rooms[0].preview.headline.startswith("Free cancellation before Wed, 12 May")
    assert shown.rooms[1].preview.headline == "Non-refundable"
    text = shown.text.splitlines()
    assert text[0].startswith("Cancellation fees for a booking of ₫3,000,000")
    assert "Deluxe (₫2,000,000):" in text
    assert "Family (₫1,000,000):" in text
    assert text[text.index("Family (₫1,000,000):") + 1].startswith("  • Cancelling at any time")
    data = json.loads(json.dumps(shown.to_json(), ensure_ascii=False))
    assert [room["room"] for room in data["rooms"]] == [0, 1]
    assert data["rooms"][1]["headline"] == "Non-refundable"
    assert data["rooms"][0]["now"]["fee"] == "0"
    assert data["now"]["fee"] == "1000000"


def test_preview_of_a_rooms_booking_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``penalty preview`` reads a rooms booking file like quote and schedule."""
    booking = tmp_path / "booking.json"
    booking.write_text(
        json.dumps(
            {
                "currency": "VND",
                "timezone": "Asia/Ho_Chi_Minh",
                "rooms": [
                    {"name": "A", "total": "2000000"},
                    {"name": "B", "total": "1000000", "policy": "1D50P_100P",
                     "format": "derbysoft", "check_in": "2021-05-13",
                     "check_out": "2021-05-14"},
                ],
            }
        ),
        encoding="utf-8",
    )  # fmt: skip
    policy = str(GOTADI / "example4_two_windows.json")
    args = ["preview", policy, "--booking", str(booking), "--now", "2021-05-09T00:00+07:00"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [room["name"] for room in data["rooms"]] == ["A", "B"]
    assert data["free_until"] == "2021-05-10T18:00:00+07:00"
    assert main([*args, "--room", "B", "--json"]) == 0
    only = json.loads(capsys.readouterr().out)
    assert [room["name"] for room in only["rooms"]] == ["B"]
    assert only["free_until"] == "2021-05-12T00:00:00+07:00"
