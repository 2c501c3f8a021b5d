"""``penalty sandbox tiki|ksher --port 0`` in a child process: the printed exports work."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from penalty.cli import EXIT_FAILED, EXIT_OK, main

#: Lines each banner prints, and the cancel commands to run against it with their exit codes.
CASES = {
    "tiki": (
        6,
        [
            (["tiki", "cancel", "901", "--comment", "guest"], EXIT_OK, "cancelled"),
            (
                ["tiki", "cancel", "902", "--comment", "x", "--status", "canceled"],
                EXIT_OK,
                "already",
            ),
        ],
    ),
    "ksher": (
        6,
        [
            (["ksher", "cancel", "BK-901"], EXIT_OK, "cancelled"),
            (["ksher", "cancel", "paid-902"], EXIT_FAILED, "already paid"),
        ],
    ),
}


@pytest.fixture(params=sorted(CASES))
def banner(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[str]]]:
    """The provider's sandbox as a child process, and the first lines it printed."""
    provider: str = request.param
    process = subprocess.Popen(
        [sys.executable, "-m", "penalty", "sandbox", provider, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(CASES[provider][0])]
        yield provider, lines
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_sandbox_command_banner_drives_the_cli(
    banner: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The child sandbox listens on 127.0.0.1 and its printed exports make the CLI cancel."""
    provider, lines = banner
    assert " on http://127.0.0.1:" in lines[0]
    prefix = f"PENALTY_{provider.upper()}_"
    for name in ("CONFIG", "TIMEOUT", "CONFIRM_UNSIGNED", "LANG"):
        monkeypatch.delenv(prefix + name, raising=False)
    for line in lines[1:]:
        name, _, value = line.strip().removeprefix("export ").partition("=")
        if name.startswith(prefix):
            monkeypatch.setenv(name, value)
    for argv, code, words in CASES[provider][1]:
        assert main(argv) == code
        assert words in capsys.readouterr().out
