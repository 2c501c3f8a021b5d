"""Demo: fee previews for a booking page, in Vietnamese and in English, and the SVG chart."""

from __future__ import annotations

from typing import TextIO

from penalty.demos import fixtures_dir, run_cli

__all__ = ["run"]

#: A fixed "now" so that the demo reads the same every day: the morning of 11 May 2021.
NOW = "2021-05-11T09:00:00+07:00"


def run(out: TextIO) -> None:
    """Preview seed 001's example 4 in vi_VN and en, then a Paris booking across a DST switch."""
    fixtures = fixtures_dir()
    policy = str(fixtures / "gotadi" / "example4_two_windows.json")
    booking = str(fixtures / "gotadi" / "booking.json")
    out.write("== Fee previews for booking pages: localized text, UI JSON, SVG (issue #4) ==\n")
    run_cli(out, "preview", policy, "--booking", booking, "--now", NOW, "--locale", "vi_VN")
    run_cli(
        out,
        "preview",
        policy,
        "--booking",
        booking,
        "--now",
        NOW,
        "--locale",
        "en_GB",
        "--tz",
        "Europe/London",
    )
    paris = fixtures / "preview"
    run_cli(
        out,
        "preview",
        str(paris / "paris_dst_policy.json"),
        "--booking",
        str(paris / "paris_booking.json"),
        "--now",
        "2021-03-28T01:30:00+01:00",
        "--locale",
        "en",
    )
    out.write(
        "Add --json for the UI JSON, or --svg FILE for the step chart "
        "(README, section 'Fee previews', shows docs/preview.svg).\n"
    )
