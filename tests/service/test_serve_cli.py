"""``penalty serve``: the console script serves on 127.0.0.1; usage errors and a missing extra
exit 2 with one line; the engine never imports the service."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from penalty.cli import main
from tests.helpers import ROOT

SCRIPT = Path(sys.executable).parent / "penalty"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_penalty_serve_answers_on_loopback() -> None:
    """The real console script: up, healthy, quoting; stopped by the test."""
    port = free_port()
    process = subprocess.Popen(
        [str(SCRIPT), "serve", "--port", str(port), "--cache-size", "8", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "penalty serve did not start"
                time.sleep(0.1)
        assert health.json()["cache"]["capacity"] == 8
        policy = (ROOT / "fixtures" / "gotadi" / "example4_two_windows.json").read_text()
        booking = (ROOT / "fixtures" / "gotadi" / "booking.json").read_text()
        body = f'{{"policy": {policy}, "booking": {booking}, "at": "2021-05-12T11:00:00Z"}}'
        quote = httpx.post(
            f"http://127.0.0.1:{port}/v1/quote",
            content=body,
            headers={"content-type": "application/json"},
        )
        assert quote.json()["fee"] == "2100000"
    finally:
        process.terminate()
        process.communicate(timeout=15)


def test_serve_without_the_extra_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec

    def hidden(name: str, *args: object) -> object:
        return None if name in {"fastapi", "uvicorn"} else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", hidden)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'penalty[server]'" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--workers", "0"],
        ["serve", "--port", "70000"],
        ["serve", "--cache-size", "-1"],
        ["serve", "--timeout", "0"],
        ["serve", "--max-body", "0"],
    ],
)
def test_bad_settings_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("penalty: error: ")
    assert err.count("\n") == 1


def test_the_engine_never_imports_the_service() -> None:
    """Engine, formats, previews and the CLI's start-up load neither the service nor its
    dependencies."""
    code = (
        "import sys, penalty, penalty.timeline, penalty.formats, penalty.preview, "
        "penalty.preview.svg, penalty.cli; penalty.cli.build_parser(); "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'penalty.service') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == "[]"


def test_demo_section_shows_one_request_to_the_service() -> None:
    """`make demo`'s service section: the service started, one quote answered, stopped."""
    import io

    from penalty.demos import service as demo

    out = io.StringIO()
    demo.run(out)
    text = out.getvalue()
    assert "$ curl -s -X POST localhost:8000/v1/quote" in text
    assert '{"fee":"2100000","currency":"VND"' in text
