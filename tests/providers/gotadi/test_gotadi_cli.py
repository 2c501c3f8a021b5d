"""``penalty gotadi check|cancel|status`` and ``penalty sandbox gotadi``, in and out of process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from penalty.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from penalty.providers._sandbox import SandboxServer
from penalty.providers.gotadi.client import Client
from penalty.providers.gotadi.config import Config
from penalty.providers.gotadi.keys import KeyPair, bundled_key_path
from penalty.providers.gotadi.models import CheckStatus
from penalty.providers.gotadi.sandbox import Sandbox
from penalty.providers.gotadi.sandbox_data import SANDBOX_CONFIG_FILE

from .support import ACCESS_CODE, API_KEY, SECRETS

AT = "2021-05-13T09:00:00+07:00"
BOOKING = {
    "total": "3000000",
    "currency": "VND",
    "nightly_rates": ["1000000", "1200000", "800000"],
    "check_in": "2021-05-13",
    "check_out": "2021-05-16",
    "timezone": "Asia/Ho_Chi_Minh",
}


@pytest.fixture
def cli_env(
    tmp_path: Path,
    partner_keys: KeyPair,
    sandbox_url: str,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """PENALTY_GOTADI_* pointing at the session sandbox; returns a booking file."""
    private = tmp_path / "partner.pem"
    private.write_bytes(
        partner_keys.own_private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    public = tmp_path / "gotadi.pem"
    public.write_bytes(
        partner_keys.peer_public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    for name in list(os.environ):
        if name.startswith("PENALTY_GOTADI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PENALTY_GOTADI_BASE_URL", sandbox_url)
    monkeypatch.setenv("PENALTY_GOTADI_API_KEY", API_KEY)
    monkeypatch.setenv("PENALTY_GOTADI_ACCESS_CODE", ACCESS_CODE)
    monkeypatch.setenv("PENALTY_GOTADI_PRIVATE_KEY", str(private))
    monkeypatch.setenv("PENALTY_GOTADI_PUBLIC_KEY", str(public))
    monkeypatch.setenv("PENALTY_GOTADI_ON_TOTAL_MISMATCH", "ours")
    booking = tmp_path / "booking.json"
    booking.write_text(json.dumps(BOOKING))
    return booking


def _no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_check_prints_windows_and_our_fee(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check with --booking lists Gotadi's windows and compares our fee with its total."""
    code = main(["gotadi", "check", "EX4", "--booking", str(cli_env), "--at", AT])
    out = capsys.readouterr()
    assert code == EXIT_OK
    assert "ALLOW_CANCELLATION" in out.out
    assert "percent=70%" in out.out
    assert "our fee: 2,100,000 VND (wire 2100000.00)" in out.out
    assert "MISMATCH" in out.out
    _no_secrets(out.out + out.err)


def test_check_json(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check --json prints one object with the raw windows, the quote and the comparison."""
    code = main(["gotadi", "check", "EX3", "--booking", str(cli_env), "--at", AT, "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK
    assert result["cancel_penalty_total"] == "2100000.0"
    assert result["cancel_penalties"][0]["percent"] == "70%"
    assert result["quote"]["gotadi_amount"] == "2100000.00"
    assert result["total_matches"] is True


@pytest.mark.parametrize(
    ("booking_number", "exit_code", "expected"),
    [
        ("EX3", EXIT_OK, "result: confirmed (CANCEL_CONFIRMED), fee sent 2100000.00"),
        ("EX3-MISMATCH", EXIT_OK, "result: confirmed"),
        ("EX3-NOT-ALLOWED", EXIT_FAILED, "result: not_allowed"),
        ("EX3-EXPIRED", EXIT_FAILED, "result: expired"),
        ("EX3-E02", EXIT_FAILED, "result: rejected"),
        ("EX3-BAD-SIGNATURE", EXIT_OK, "signature does not verify: not a verified answer"),
        ("NOPE", EXIT_FAILED, "HTTP 404"),
    ],
    ids=["confirmed", "mismatch-then-ok", "not-allowed", "expired", "rejected", "bad-sig", "404"],
)
def test_cancel_exit_codes(
    booking_number: str,
    exit_code: int,
    expected: str,
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """cancel prints the trail live and exits 0 only when Gotadi confirmed."""
    code = main(["gotadi", "cancel", booking_number, "--booking", str(cli_env), "--at", AT])
    out = capsys.readouterr()
    assert code == exit_code
    assert expected in out.out + out.err
    _no_secrets(out.out + out.err)


def test_cancel_pending_when_out_of_time(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With a short --wait a waiting cancellation ends pending (exit 1), in JSON with its trail."""
    argv = ["gotadi", "cancel", "EX1-WAITING", "--booking", str(cli_env), "--at", AT]
    code = main([*argv, "--wait", "0.001", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == EXIT_FAILED
    assert result["state"] == "pending"
    assert result["status"] == "CANCEL_WAITING_CONFIRM"
    assert [step["action"] for step in result["trail"]][-2:] == ["cancel", "done"]


def test_status(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """status prints where a cancellation stands and the fee Gotadi reports."""
    main(["gotadi", "cancel", "EX3", "--booking", str(cli_env), "--at", AT])
    capsys.readouterr()
    assert main(["gotadi", "status", "EX3"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == "booking EX3: CANCEL_CONFIRMED, fee 2100000.00"


def test_missing_setting_is_a_usage_error(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without an api key: exit 2, one line naming PENALTY_GOTADI_API_KEY."""
    monkeypatch.delenv("PENALTY_GOTADI_API_KEY")
    assert main(["gotadi", "check", "EX1"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "PENALTY_GOTADI_API_KEY" in err
    assert err.count("\n") == 1


def test_bad_at_is_a_usage_error(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--at without an offset is refused before anything is sent."""
    code = main(["gotadi", "cancel", "EX3", "--booking", str(cli_env), "--at", "2021-05-13"])
    assert code == EXIT_USAGE
    assert "--at" in capsys.readouterr().err


def test_the_bundled_config_talks_to_the_default_sandbox() -> None:
    """The TEST-ONLY TOML's credentials and keys match Sandbox.with_test_keys()."""
    config = bundled_key_path(SANDBOX_CONFIG_FILE)
    assert "TEST-ONLY" in config.read_text()
    with SandboxServer(Sandbox.with_test_keys()) as server:
        settings = Config.load(config_file=config, environ={}, base_url=server.url)
        with Client(settings) as gotadi:
            assert gotadi.check_cancel_penalty("EX1").status is CheckStatus.ALLOW_CANCELLATION
            gotadi.cancel("EX1", Decimal(1000000))
            assert gotadi.cancellation_status("EX1").error_code.value == "00"


def test_sandbox_port_in_use_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """penalty sandbox gotadi --port N on a busy port: exit 2 naming --port."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sandbox", "gotadi", "--port", str(port)]) == EXIT_USAGE
    assert "--port" in capsys.readouterr().err


@pytest.fixture
def sandbox_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``penalty sandbox gotadi --port 0`` in a child process; its first line and URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "penalty", "sandbox", "gotadi", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        yield process, first.split(" on ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_sandbox_command_serves_the_protocol(
    sandbox_process: tuple[subprocess.Popen[str], str],
) -> None:
    """The CLI sandbox prints its URL; the bundled TEST-ONLY config cancels through it."""
    _, url = sandbox_process
    assert url.startswith("http://127.0.0.1:")
    config = bundled_key_path(SANDBOX_CONFIG_FILE)
    settings = Config.load(config_file=config, environ={}, base_url=url)
    with Client(settings) as gotadi:
        gotadi.cancel("EX3", Decimal(2100000))
        answer = gotadi.cancellation_status("EX3")
    assert answer.booking_number == "EX3"
    assert answer.cancel_penalty_amount == "2100000.00"


def test_sandbox_ctrl_c_exits_130(sandbox_process: tuple[subprocess.Popen[str], str]) -> None:
    """Ctrl-C (SIGINT) stops ``penalty sandbox``: it prints ``stopped`` and exits 130."""
    process, url = sandbox_process
    assert httpx.post(url + "/nowhere", timeout=5).status_code == 401  # no apikey
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 130
    assert "stopped" in out
