"""Demo: seed 001's examples through the CLI's own commands (schedule, quotes)."""

from __future__ import annotations

from typing import TextIO

from penalty.demos import fixtures_dir, run_cli

__all__ = ["run"]


def run(out: TextIO) -> None:
    """Print a schedule and a few quotes for seed 001's examples 4 and 5, and the live API one."""
    fixtures = fixtures_dir() / "gotadi"
    booking = str(fixtures / "booking.json")
    two = str(fixtures / "example4_two_windows.json")
    out.write("== The engine: Gotadi windows -> fee schedule and quotes (seed 001) ==\n")
    run_cli(out, "schedule", two, "--booking", booking)
    for at in (
        "2021-05-10T17:59:59+07:00",
        "2021-05-11T00:00:00+07:00",
        "2021-05-12T11:00:00Z",
        "2021-05-13T18:00:00+07:00",
    ):
        run_cli(out, "quote", two, "--booking", booking, "--at", at, "--json")
    run_cli(
        out, "schedule", str(fixtures / "example5_percent_plus_amount.json"), "--booking", booking
    )
    run_cli(
        out,
        "schedule",
        str(fixtures / "live_response.json"),
        "--booking",
        str(fixtures / "booking_live.json"),
    )
