"""Shared test helpers: fixture loading, the real CLI entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The repository's root (every test names files from it, wherever the test file lives).
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOTADI = FIXTURES / "gotadi"


def load(path: Path) -> Any:
    """A fixture's JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def penalty_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``penalty`` console script (the real entry point) in a subprocess."""
    script = Path(sys.executable).with_name("penalty")
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [str(script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def gotadi_window(start: str, end: str, kind: str, **fields: str) -> dict[str, str]:
    """A Gotadi window with every field a string, as Gotadi sends it."""
    window = {
        "startDate": start,
        "endDate": end,
        "type": kind,
        "currency": "VND",
        "percent": "",
        "nights": "",
        "amount": "",
        "description": "",
    }
    window.update(fields)
    return window


def policy_of(*windows: object, **options: object) -> Any:
    """A `penalty.Policy` of windows given as dicts (or `Window` s) and policy options."""
    from penalty import Policy

    return Policy.model_validate({"windows": list(windows), **options})
