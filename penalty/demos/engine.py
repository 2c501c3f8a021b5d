"""Demo: seed 001's examples through the CLI's own commands (schedule, quotes)."""

from __future__ import annotations

import contextlib
import io
import os
from importlib import resources
from pathlib import Path
from typing import TextIO

from penalty.cli import main as cli

__all__ = ["run"]


def _fixtures() -> Path:
    """The repository's ``fixtures/gotadi`` (the demo runs from a checkout)."""
    here = Path(str(resources.files("penalty"))).parent
    return here / "fixtures" / "gotadi"


def _cli(out: TextIO, *argv: str) -> None:
    out.write(f"$ penalty {' '.join(argv)}\n")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = cli(list(argv))
    out.write(buffer.getvalue())
    if code:
        out.write(f"(exit {code})\n")


def run(out: TextIO) -> None:
    """Print a schedule and a few quotes for seed 001's examples 4 and 5, and the live API one."""
    fixtures = _fixtures()
    with contextlib.suppress(ValueError):
        fixtures = Path(os.path.relpath(fixtures))
    booking = str(fixtures / "booking.json")
    two = str(fixtures / "example4_two_windows.json")
    out.write("== The engine: Gotadi windows -> fee schedule and quotes (seed 001) ==\n")
    _cli(out, "schedule", two, "--booking", booking)
    for at in (
        "2021-05-10T17:59:59+07:00",
        "2021-05-11T00:00:00+07:00",
        "2021-05-12T11:00:00Z",
        "2021-05-13T18:00:00+07:00",
    ):
        _cli(out, "quote", two, "--booking", booking, "--at", at, "--json")
    _cli(out, "schedule", str(fixtures / "example5_percent_plus_amount.json"), "--booking", booking)
    _cli(
        out,
        "schedule",
        str(fixtures / "live_response.json"),
        "--booking",
        str(fixtures / "booking_live.json"),
    )
