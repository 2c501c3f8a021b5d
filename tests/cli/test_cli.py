"""The CLI through its real entry point: text, JSON, standard input, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.helpers import GOTADI, gotadi_window, penalty_cli

BOOKING = str(GOTADI / "booking.json")
TWO = str(GOTADI / "example4_two_windows.json")


def test_schedule_json_shape() -> None:
    """`penalty schedule --json`: currency and segments with ISO or null ends, string fees."""
    result = penalty_cli("schedule", TWO, "--booking", BOOKING, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["currency"] == "VND"
    assert [(s["start"], s["end"], s["fee"]) for s in out["segments"]] == [
        (None, "2021-05-10T18:00:00+07:00", "0"),
        ("2021-05-10T18:00:00+07:00", "2021-05-12T18:00:00+07:00", "1500000"),
        ("2021-05-12T18:00:00+07:00", "2021-05-13T18:00:00+07:00", "2100000"),
        ("2021-05-13T18:00:00+07:00", None, "3000000"),
    ]


def test_schedule_text_is_readable() -> None:
    """`penalty schedule` prints one line per segment with grouped amounts."""
    result = penalty_cli("schedule", TWO, "--booking", BOOKING)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Cancellation fee schedule (VND, total 3,000,000 VND):"
    assert lines[1].split() == ["before", "2021-05-10", "18:00", "+07:00", "0", "VND"]
    assert lines[-2].endswith("3,000,000 VND  no-show")
    assert lines[-1] == "Free cancellation: before 2021-05-10 18:00 +07:00"
    assert len(lines) == 6


def test_quote_text() -> None:
    """`penalty quote` prints the fee, the Gotadi amount and the phase."""
    result = penalty_cli("quote", TWO, "--booking", BOOKING, "--at", "2021-05-12T11:00:00Z")
    assert result.returncode == 0, result.stderr
    assert "fee:    2,100,000 VND" in result.stdout
    assert "gotadi: 2100000.00" in result.stdout
    assert "inside window 1" in result.stdout


def test_policy_from_standard_input() -> None:
    """`-` reads the policy from standard input."""
    with Path(TWO).open(encoding="utf-8") as handle:
        policy = handle.read()
    result = penalty_cli(
        "quote",
        "-",
        "--booking",
        BOOKING,
        "--at",
        "2021-05-11T00:00:00+07:00",
        "--json",
        stdin=policy,
    )
    assert json.loads(result.stdout)["fee"] == "1500000"


def test_bad_field_is_one_line_exit_2() -> None:
    """Bad input: one line on stderr naming the field, exit 2, no traceback."""
    result = penalty_cli(
        "quote",
        "-",
        "--booking",
        BOOKING,
        "--at",
        "2021-05-11T00:00:00Z",
        stdin='[{"startDate": "x", "endDate": "y", "type": "NIGHTS"}]',
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "cancelPenalties[0].startDate" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_instant_exit_2() -> None:
    """A cancel time without an offset and a booking without a zone: exit 2."""
    booking = str(GOTADI / "booking_no_rates.json")
    result = penalty_cli("quote", TWO, "--booking", booking, "--at", "2021-05-11T00:00")
    assert result.returncode == 2
    assert "at: time has no offset" in result.stderr


def test_not_json_and_missing_file_exit_2() -> None:
    """Unreadable or non-JSON files: one line, exit 2."""
    missing = penalty_cli("schedule", "/nonexistent.json", "--booking", BOOKING)
    assert missing.returncode == 2
    assert "cannot read the policy file" in missing.stderr
    garbage = penalty_cli("schedule", "-", "--booking", BOOKING, stdin="{not json")
    assert garbage.returncode == 2
    assert "not JSON" in garbage.stderr
    assert garbage.stderr.count("\n") == 1


def test_usage_error_exit_2_one_line() -> None:
    """A missing required option is a one-line usage error with exit 2."""
    result = penalty_cli("quote", TWO, "--booking", BOOKING)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--at" in result.stderr


def test_warnings_go_to_stderr() -> None:
    """Assumed-zone warnings are printed on stderr, never mixed into stdout."""
    result = penalty_cli(
        "schedule",
        str(GOTADI / "live_response.json"),
        "--booking",
        str(GOTADI / "booking_live.json"),
        "--json",
    )
    assert result.returncode == 0
    out = json.loads(result.stdout)
    assert out["warnings"][0]["code"] == "assumed_zone"


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    """`penalty schedule --json | head -c 10` on a long schedule: no BrokenPipeError traceback."""
    start = datetime(2021, 5, 1, tzinfo=UTC)
    windows = [
        gotadi_window(
            (start + timedelta(hours=i)).isoformat(),
            (start + timedelta(hours=i + 1)).isoformat(),
            "AMOUNT",
            amount=str(i + 1),
        )
        for i in range(3000)
    ]
    policy = tmp_path / "long.json"
    policy.write_text(json.dumps(windows))
    script = Path(sys.executable).with_name("penalty")
    command = f"'{script}' schedule '{policy}' --booking '{BOOKING}' --json | head -c 10"
    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.stdout == '{"currency'
    assert "Traceback" not in result.stderr, result.stderr
    assert "BrokenPipe" not in result.stderr
