"""Demo sections run by ``make demo`` (see `penalty.demo`), and what they share."""

from __future__ import annotations

import contextlib
import io
import os
from importlib import resources
from pathlib import Path
from typing import TextIO

__all__ = ["fixtures_dir", "run_cli"]


def fixtures_dir() -> Path:
    """The repository's ``fixtures`` (the demo runs from a checkout), relative when possible."""
    here = Path(str(resources.files("penalty"))).parent / "fixtures"
    with contextlib.suppress(ValueError):
        here = Path(os.path.relpath(here))
    return here


def run_cli(out: TextIO, *argv: str) -> None:
    """Show ``$ penalty ARGV`` and what the real CLI prints (stdout and stderr) on ``out``."""
    from penalty.cli import main

    out.write(f"$ penalty {' '.join(argv)}\n")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = main(list(argv))
    out.write(buffer.getvalue())
    if code:
        out.write(f"(exit {code})\n")
