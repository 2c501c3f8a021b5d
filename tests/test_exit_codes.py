"""Exit codes that scripts can trust: every provider command through every kind of answer.

The table (`penalty.cli` and the README's "Exit codes"): 0 done; 1 the provider refused (any
HTTP 4xx but 408 and 429, or a refusal in the provider's own words) or the operation ran and did
not succeed; 2 bad input, usage or configuration, nothing sent; 3 the provider could not be
reached (connection refused or reset, timeout, 5xx, 408, 429) or answered something we cannot
believe (not JSON, truncated, wrong shape, bad signature).

All over real HTTP on 127.0.0.1: each provider's sandbox for what it can be told to do, and a
tiny fault server (a `SandboxServer` with one fixed answer) for the answers it cannot give.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from penalty.cli import EXIT_FAILED, EXIT_OK, EXIT_PROVIDER, EXIT_USAGE, main
from penalty.providers._sandbox import SandboxRequest, SandboxResponse, SandboxServer
from penalty.providers.gotadi.keys import bundled_key_path
from penalty.providers.gotadi.sandbox import GotadiSandbox
from penalty.providers.gotadi.sandbox_data import SANDBOX_CONFIG_FILE
from penalty.providers.ksher import KsherSandbox
from penalty.providers.ksher.sandbox import SANDBOX_APPID
from penalty.providers.tiki import TikiSandbox
from penalty.providers.tiki.sandbox import SANDBOX_CLIENT_KEY, SANDBOX_CLIENT_SECRET

DATA = Path(__file__).resolve().parents[1] / "penalty" / "data"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gotadi"
#: Inside seed 001's windows (EX3: 70 % of 3,000,000 VND).
AT = "2021-05-13T09:00:00+07:00"
#: Short enough that a timeout case stays quick, long enough for a loopback answer.
TIMEOUT = "0.5"
#: How late the fault server's slow answer comes: well past `TIMEOUT`.
SLOW = 1.5


@dataclass(frozen=True)
class Servers:
    """Where each provider's sandbox listens, and the sandboxes themselves."""

    gotadi: GotadiSandbox
    gotadi_url: str
    tiki: TikiSandbox
    tiki_url: str
    ksher: KsherSandbox
    ksher_url: str


def _point_at(
    monkeypatch: pytest.MonkeyPatch, *, gotadi: str, tiki: str, ksher: str
) -> None:
    """``PENALTY_*`` for the three providers, with their sandboxes' TEST-ONLY credentials."""
    for name in [
        "PENALTY_GOTADI_CONFIG",
        "PENALTY_GOTADI_API_KEY",
        "PENALTY_GOTADI_ACCESS_CODE",
        "PENALTY_GOTADI_PRIVATE_KEY",
        "PENALTY_GOTADI_PUBLIC_KEY",
        "PENALTY_GOTADI_BEARER_TOKEN",
        "PENALTY_GOTADI_RSA_PADDING",
        "PENALTY_TIKI_CONFIG",
        "PENALTY_KSHER_CONFIG",
        "PENALTY_KSHER_CONFIRM_UNSIGNED",
        "PENALTY_KSHER_LANG",
    ]:
        monkeypatch.delenv(name, raising=False)
    values = {
        "PENALTY_GOTADI_CONFIG": str(bundled_key_path(SANDBOX_CONFIG_FILE)),
        "PENALTY_GOTADI_BASE_URL": gotadi,
        "PENALTY_GOTADI_TIMEOUT": TIMEOUT,
        "PENALTY_TIKI_BASE_URL": tiki + "/tiniapp-open-api",
        "PENALTY_TIKI_CLIENT_KEY": SANDBOX_CLIENT_KEY,
        "PENALTY_TIKI_CLIENT_SECRET": SANDBOX_CLIENT_SECRET.get_secret_value(),
        "PENALTY_TIKI_TIMEOUT": TIMEOUT,
        "PENALTY_KSHER_BASE_URL": ksher + "/api",
        "PENALTY_KSHER_APPID": SANDBOX_APPID,
        "PENALTY_KSHER_PRIVATE_KEY": str(DATA / "ksher-merchant-TEST-ONLY.pem"),
        "PENALTY_KSHER_PUBLIC_KEY": str(DATA / "ksher-gateway-TEST-ONLY-public.pem"),
        "PENALTY_KSHER_TIMEOUT": TIMEOUT,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Servers]:
    """The three sandboxes on free loopback ports, and the CLI pointed at them."""
    gotadi, tiki, ksher = GotadiSandbox.with_test_keys(), TikiSandbox(), KsherSandbox()
    with SandboxServer(gotadi) as g, SandboxServer(tiki) as t, SandboxServer(ksher) as k:
        _point_at(monkeypatch, gotadi=g.url, tiki=t.url, ksher=k.url)
        yield Servers(gotadi, g.url, tiki, t.url, ksher, k.url)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the CLI in-process; the exit code and stderr (checked to be at most one line)."""
    code = main(argv)
    err = capsys.readouterr().err
    assert err.count("\n") <= 1, err
    return code, err


# -- the two findings of issue 11 ----------------------------------------------------------------


def test_a_second_tiki_cancel_is_a_refusal_not_an_outage(
    servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cancelling a cancelled order: Tiki answers 400, a refusal: exit 1, not 3 (issue 11)."""
    argv = ["tiki", "cancel", "5001", "--comment", "guest cancelled"]
    assert _run(argv, capsys)[0] == EXIT_OK
    code, err = _run(argv, capsys)
    assert code == EXIT_FAILED
    assert "HTTP 400" in err
    assert "already canceled" in err


def test_gotadi_check_of_an_unknown_booking_is_a_refusal(
    servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """check of a booking Gotadi does not know: HTTP 404, a refusal: exit 1, not 3 (issue 11)."""
    code, err = _run(["gotadi", "check", "NOPE"], capsys)
    assert code == EXIT_FAILED
    assert "HTTP 404" in err


# -- gotadi cancel: a booking file of another stay, --at away from a sandbox -----------------------


@pytest.mark.parametrize(
    ("booking_number", "booking_file", "at", "field"),
    [
        # The live example's windows (26-27 Aug 2021) against seed 001's booking (13-16 May):
        # at 13 May the live windows have not started, so the quote was 0.00.
        ("HDCO2107121213651", "booking.json", AT, "check_out"),
        # STAY's windows are days from now; the live example's stay was in 2021.
        ("STAY", "booking_live.json", None, "check_out"),
        # Seed 001's windows end 13 May 2021, months before the live example's check-in.
        ("EX3", "booking_live.json", AT, "check_in"),
    ],
    ids=["windows-after-the-stay", "windows-years-after", "windows-months-before"],
)
def test_gotadi_cancel_refuses_a_booking_file_of_another_stay(
    booking_number: str,
    booking_file: str,
    at: str | None,
    field: str,
    servers: Servers,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A fee quoted from another stay's booking file is never sent: exit 2 naming the field."""
    argv = ["gotadi", "cancel", booking_number, "--booking", str(FIXTURES / booking_file)]
    code, err = _run([*argv, *(["--at", at] if at else [])], capsys)
    assert code == EXIT_USAGE, err
    assert f"{field}:" in err
    assert servers.gotadi.count("cancel") == 0


def test_gotadi_cancel_refuses_another_currency(
    servers: Servers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A booking in USD against VND windows: exit 2 naming the currency, nothing sent."""
    booking = json.loads((FIXTURES / "booking.json").read_text())
    booking.update(currency="USD", total="120.00", nightly_rates=["40", "40", "40"])
    path = tmp_path / "usd.json"
    path.write_text(json.dumps(booking))
    code, err = _run(["gotadi", "cancel", "EX3", "--booking", str(path), "--at", AT], capsys)
    assert code == EXIT_USAGE
    assert "currency" in err
    assert servers.gotadi.count("cancel") == 0


def test_gotadi_cancel_at_needs_a_sandbox_or_force(
    servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """--at against a base URL that is not a loopback sandbox: exit 2 before any request;
    with --force the command goes on (here to an address where nothing answers: exit 3)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    remote = f"https://0.0.0.0:{port}"
    argv = ["gotadi", "cancel", "EX3", "--booking", str(FIXTURES / "booking.json"), "--at", AT]
    code, err = _run([*argv, "--base-url", remote], capsys)
    assert code == EXIT_USAGE
    assert "--at" in err
    assert "--force" in err
    assert servers.gotadi.count("check") == 0
    code, err = _run([*argv, "--base-url", remote, "--force"], capsys)
    assert code == EXIT_PROVIDER, err
    assert _run([*argv, "--base-url", servers.gotadi_url], capsys)[0] == EXIT_OK
