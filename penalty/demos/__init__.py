"""Demo sections run by ``make demo`` (see `penalty.demo`), and what they share.

The demo's inputs ship with the package (``penalty/demos/data``: copies of the repository's
``fixtures`` that a test keeps equal), so ``python -m penalty.demo`` runs from an installed wheel
too. Each step says how it must end; one that ends otherwise raises `StepFailed`, and the demo
exits 1.
"""

from __future__ import annotations

import contextlib
import io
import os
from importlib import resources
from pathlib import Path
from typing import TextIO

__all__ = ["StepFailed", "expect", "fixtures_dir", "run_cli"]


class StepFailed(Exception):
    """A demo step did not end the way the demo says it does."""


def fixtures_dir() -> Path:
    """The demo's bundled inputs (``gotadi/``, ``preview/``), relative to here when possible."""
    here = Path(str(resources.files("penalty.demos") / "data"))
    with contextlib.suppress(ValueError):
        relative = Path(os.path.relpath(here))
        if not relative.parts or relative.parts[0] != os.pardir:
            here = relative
    return here


def expect(step: str, got: object, wanted: object) -> None:
    """Raise `StepFailed` naming ``step`` unless ``got == wanted``."""
    if got != wanted:
        msg = f"{step}: got {got!r}, expected {wanted!r}"
        raise StepFailed(msg)


def run_cli(out: TextIO, *argv: str, exit_code: int = 0) -> None:
    """Show ``$ penalty ARGV`` and what the real CLI prints (stdout and stderr) on ``out``;
    `StepFailed` unless it exits with ``exit_code``.
    """
    from penalty.cli import main

    out.write(f"$ penalty {' '.join(argv)}\n")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # a usage error (argparse exits 2)
            code = exc.code if isinstance(exc.code, int) else 1
    out.write(buffer.getvalue())
    if code:
        out.write(f"(exit {code})\n")
    expect(f"penalty {' '.join(argv)}", f"exit {code}", f"exit {exit_code}")
