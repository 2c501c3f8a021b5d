"""`penalty quote|schedule|preview --format ... [--zone ...]` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, penalty_cli

FORMATS = FIXTURES / "formats"


def _booking(tmp_path: Path, **fields: str) -> str:
    path = tmp_path / "booking.json"
    path.write_text(json.dumps(fields), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("format_name", ["expedia-rapid", "auto"], ids=["named", "auto"])
def test_schedule_json_of_expedia_rapid(tmp_path: Path, format_name: str) -> None:
    """Rapid's spec example: the non-refundable night before, the total after; a warning."""
    booking = _booking(
        tmp_path, total="530.00", currency="USD", check_in="2022-02-02", check_out="2022-02-04"
    )
    policy = str(FORMATS / "expedia-rapid" / "spec_availability_rate.json")
    result = penalty_cli(
        "schedule", policy, "--booking", booking, "--format", format_name, "--json"
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [(s["end"], s["fee"]) for s in out["segments"]] == [
        ("2018-02-12T11:59:00-08:00", "265.00"),
        (None, "530.00"),
    ]
    assert [w["code"] for w in out["warnings"]] == ["zero_length_window", "average_night"]


def test_quote_ratehawk_with_zone(tmp_path: Path) -> None:
    """`--zone` reads ETG's zoneless times: 05:00 in Moscow is 02:00 UTC."""
    booking = _booking(tmp_path, total="177.00", currency="USD")
    policy = str(FORMATS / "ratehawk" / "payment_type_three_policies.json")
    args = ["quote", policy, "--booking", booking, "--format", "ratehawk", "--json"]
    result = penalty_cli(*args, "--zone", "Europe/Moscow", "--at", "2025-03-05T02:00:00Z")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fee"] == "141.00"


def test_ratehawk_without_zone_is_exit_2(tmp_path: Path) -> None:
    """Without `--zone`, RateHawk's zoneless times are refused: one line naming `zone`."""
    booking = _booking(tmp_path, total="177.00", currency="USD")
    policy = str(FORMATS / "ratehawk" / "payment_type_three_policies.json")
    result = penalty_cli("schedule", policy, "--booking", booking, "--format", "ratehawk")
    assert result.returncode == 2
    assert result.stderr.startswith("penalty: error: zone:")
    assert len(result.stderr.splitlines()) == 1


def test_preview_reads_innstant(tmp_path: Path) -> None:
    """`penalty preview --format innstant` shows the free frame, then the partial cost."""
    booking = _booking(tmp_path, total="2234.00", currency="USD")
    policy = str(FORMATS / "innstant" / "docs_example_1.json")
    args = ["preview", policy, "--booking", booking, "--format", "innstant", "--json"]
    result = penalty_cli(*args, "--now", "2017-09-10T00:00:00Z")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["now"]["fee"] == "0.00"


def test_gotadi_stays_the_default() -> None:
    """Without `--format`, the policy file is read as Gotadi's, as before."""
    result = penalty_cli(
        "quote",
        str(FIXTURES / "gotadi" / "example4_two_windows.json"),
        "--booking",
        str(FIXTURES / "gotadi" / "booking.json"),
        "--at",
        "2021-05-12T11:00:00Z",
        "--json",
    )
    assert json.loads(result.stdout)["fee"] == "2100000"
