"""``penalty quote|schedule``: the booking page's facts, and bookings of several rooms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from penalty.cli import main
from tests.helpers import GOTADI

TWO = str(GOTADI / "example4_two_windows.json")
BOOKING = str(GOTADI / "booking.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _rooms_file(tmp_path: Path, **extra: Any) -> str:
    path = tmp_path / "rooms.json"
    data = {
        "currency": "VND",
        "check_in": "2021-05-13",
        "check_out": "2021-05-16",
        "timezone": "Asia/Ho_Chi_Minh",
        "rooms": [
            {"name": "Deluxe", "total": "3000000",
             "nightly_rates": ["1000000", "1200000", "800000"]},
            {"name": "Family", "total": "1500000", "format": "derbysoft",
             "policy": "AD0_1D50P_6PM0D80P_100P"},
        ],
        **extra,
    }  # fmt: skip
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_schedule_json_gains_free_until(capsys: pytest.CaptureFixture[str]) -> None:
    """The documented keys stay; ``free_until`` is added beside them."""
    code, out, _ = run(capsys, "schedule", TWO, "--booking", BOOKING, "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["currency", "segments", "warnings", "free_until"]
    assert data["free_until"] == "2021-05-10T18:00:00+07:00"


def test_schedule_json_of_a_non_refundable_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No window at all: never free, ``null`` (and the no_windows warning)."""
    empty = tmp_path / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    code, out, err = run(capsys, "schedule", str(empty), "--booking", BOOKING, "--json")
    assert code == 0, err
    assert json.loads(out)["free_until"] is None


def test_quote_json_is_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """The quote's keys, then free_until, refundability and next_change."""
    code, out, _ = run(
        capsys, "quote", TWO, "--booking", BOOKING, "--at", "2021-05-11T00:00+07:00", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert list(data)[:8] == [
        "fee",
        "currency",
        "gotadi_amount",
        "phase",
        "window",
        "since",
        "until",
        "warnings",
    ]
    assert (data["fee"], data["refundability"], data["free_until"]) == (
        "1500000",
        "partial",
        "2021-05-10T18:00:00+07:00",
    )
    assert data["next_change"] == {
        "at": "2021-05-12T18:00:00+07:00",
        "fee": "2100000",
        "gotadi_amount": "2100000.00",
        "phase": "window",
    }


def test_quote_text_says_the_facts(capsys: pytest.CaptureFixture[str]) -> None:
    """refund, free and next lines after the quote's own."""
    code, out, _ = run(capsys, "quote", TWO, "--booking", BOOKING, "--at", "2021-05-11T00:00+07:00")
    assert code == 0
    assert out.splitlines()[-3:] == [
        "refund: partial",
        "free:   before 2021-05-10 18:00 +07:00",
        "next:   2,100,000 VND from 2021-05-12 18:00 +07:00",
    ]


def test_a_rooms_booking_file_quotes_the_sum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each room its own policy (or POLICY.json), the fee their sum; --room cancels one."""
    rooms = _rooms_file(tmp_path)
    at = ["--at", "2021-05-12T19:00:00+07:00", "--json"]
    code, out, err = run(capsys, "quote", TWO, "--booking", rooms, *at)
    assert code == 0, err
    data = json.loads(out)
    assert data["fee"] == "2850000"
    assert [(r["room"], r["name"], r["fee"]) for r in data["rooms"]] == [
        (0, "Deluxe", "2100000"),
        (1, "Family", "750000"),
    ]
    assert data["next_change"]["fee"] == "4200000"
    code, out, _ = run(capsys, "quote", TWO, "--booking", rooms, *at, "--room", "1")
    assert json.loads(out)["fee"] == "750000"
    assert json.loads(out)["rooms"][0]["room"] == 1


def test_a_rooms_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The merged schedule, the total, and each room's own schedule."""
    rooms = _rooms_file(tmp_path)
    code, out, _ = run(capsys, "schedule", TWO, "--booking", rooms, "--json")
    assert code == 0
    data = json.loads(out)
    assert [s["fee"] for s in data["segments"]] == [
        "0",
        "1500000",
        "2850000",
        "4200000",
        "4500000",
    ]
    assert (data["total"], data["free_until"]) == ("4500000", "2021-05-10T18:00:00+07:00")
    assert [room["name"] for room in data["rooms"]] == ["Deluxe", "Family"]
    assert data["rooms"][1]["free_until"] == "2021-05-12T18:00:00+07:00"
    code, out, _ = run(capsys, "schedule", TWO, "--booking", rooms)
    assert out.splitlines()[0] == "Cancellation fee schedule (VND, 2 rooms, total 4,500,000 VND):"
    assert "Family (total 1,500,000 VND):" in out.splitlines()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--room", "Suite"], "penalty: error: rooms: no such room"),
        (["--room", "7"], "penalty: error: rooms: no room 7"),
    ],
)
def test_unknown_rooms_are_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """One line on stderr naming ``rooms``."""
    rooms = _rooms_file(tmp_path)
    code, _, err = run(capsys, "quote", TWO, "--booking", rooms, "--at", "2021-05-12T00:00Z", *argv)
    assert code == 2
    assert err.startswith(message)
    assert len(err.splitlines()) == 1


def test_a_room_without_a_policy_needs_policy_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without POLICY.json, the room that has none is named."""
    rooms = _rooms_file(tmp_path)
    code, _, err = run(capsys, "schedule", "--booking", rooms)
    assert code == 2
    assert err.startswith("penalty: error: rooms[0].policy: this room has no policy")


def test_policy_json_is_required_without_rooms(capsys: pytest.CaptureFixture[str]) -> None:
    """A plain booking needs POLICY.json; --room needs rooms."""
    code, _, err = run(capsys, "schedule", "--booking", BOOKING)
    assert code == 2
    assert err.startswith("penalty: error: policy: POLICY.json is required")
    code, _, err = run(capsys, "schedule", TWO, "--booking", BOOKING, "--room", "A")
    assert code == 2
    assert err.startswith("penalty: error: room: --room picks rooms")


def test_a_room_in_another_currency_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fees in two currencies do not add: named under the room."""
    path = tmp_path / "rooms.json"
    path.write_text(
        json.dumps(
            {"rooms": [{"total": "10", "currency": "VND"}, {"total": "10", "currency": "USD"}]}
        ),
        encoding="utf-8",
    )
    empty = tmp_path / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    code, _, err = run(capsys, "schedule", str(empty), "--booking", str(path))
    assert code == 2
    assert err.startswith("penalty: error: rooms[1].currency:")
