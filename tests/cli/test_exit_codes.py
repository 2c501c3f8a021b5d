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
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from penalty.cli import EXIT_FAILED, EXIT_OK, EXIT_PROVIDER, EXIT_USAGE, main
from penalty.providers._http import RetryPolicy
from penalty.providers._sandbox import SandboxRequest, SandboxResponse, SandboxServer
from penalty.providers.gotadi import Sandbox as GotadiSandbox
from penalty.providers.gotadi.keys import bundled_key_path
from penalty.providers.gotadi.sandbox_data import SANDBOX_CONFIG_FILE
from penalty.providers.ksher import Sandbox as KsherSandbox
from penalty.providers.ksher.sandbox import SANDBOX_APPID, sandbox_key_path
from penalty.providers.tiki import Sandbox as TikiSandbox
from penalty.providers.tiki.sandbox import SANDBOX_CLIENT_KEY, SANDBOX_CLIENT_SECRET
from tests.helpers import ROOT

FIXTURES = ROOT / "fixtures" / "gotadi"
#: Inside seed 001's windows (EX3: 70 % of 3,000,000 VND).
AT = "2021-05-13T09:00:00+07:00"
#: Generous for a loopback answer on a busy machine (a happy path must never time out).
TIMEOUT = "5"
#: The timeout of the timeout cases, and how late their answer comes: well past it.
SHORT_TIMEOUT, SLOW = "0.3", 1.5


@dataclass(frozen=True)
class Servers:
    """Where each provider's sandbox listens, and the sandboxes themselves."""

    gotadi: GotadiSandbox
    gotadi_url: str
    tiki: TikiSandbox
    tiki_url: str
    ksher: KsherSandbox
    ksher_url: str


def _point_at(monkeypatch: pytest.MonkeyPatch, *, gotadi: str, tiki: str, ksher: str) -> None:
    """``PENALTY_*`` for the three providers, with their sandboxes' TEST-ONLY credentials."""
    for name in [
        "PENALTY_GOTADI_CONFIG",
        "PENALTY_GOTADI_API_KEY",
        "PENALTY_GOTADI_ACCESS_CODE",
        "PENALTY_GOTADI_PRIVATE_KEY",
        "PENALTY_GOTADI_PUBLIC_KEY",
        "PENALTY_GOTADI_BEARER_TOKEN",
        "PENALTY_GOTADI_RSA_PADDING",
        "PENALTY_GOTADI_ON_TOTAL_MISMATCH",
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
        "PENALTY_KSHER_PRIVATE_KEY": str(sandbox_key_path("ksher-merchant-TEST-ONLY.pem")),
        "PENALTY_KSHER_PUBLIC_KEY": str(sandbox_key_path("ksher-gateway-TEST-ONLY-public.pem")),
        "PENALTY_KSHER_TIMEOUT": TIMEOUT,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def running() -> Iterator[Servers]:
    """The three sandboxes on free loopback ports, for the whole module."""
    gotadi, tiki, ksher = GotadiSandbox.with_test_keys(), TikiSandbox(), KsherSandbox()
    with SandboxServer(gotadi) as g, SandboxServer(tiki) as t, SandboxServer(ksher) as k:
        yield Servers(gotadi, g.url, tiki, t.url, ksher, k.url)


@pytest.fixture
def servers(running: Servers, monkeypatch: pytest.MonkeyPatch) -> Servers:
    """The sandboxes with nothing seen yet, and the CLI pointed at them.

    Retries keep their count and deadline but do not wait between tries (`RetryPolicy.wait`,
    whose backoff `tests/providers/test_http.py` checks): the 5xx, 429 and timeout cases stay quick.
    """
    for sandbox in (running.gotadi, running.tiki, running.ksher):
        sandbox.reset()
    monkeypatch.setattr(RetryPolicy, "wait", lambda _self, _attempt, _retry_after: 0.0)
    _point_at(
        monkeypatch, gotadi=running.gotadi_url, tiki=running.tiki_url, ksher=running.ksher_url
    )
    return running


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


def test_the_console_script_exits_with_the_same_codes(servers: Servers) -> None:
    """The installed ``penalty`` script, in a child process: the two findings exit 1 there too."""
    installed = Path(sys.executable).with_name("penalty")
    script = [str(installed)] if installed.exists() else [sys.executable, "-m", "penalty"]
    env = {name: value for name, value in os.environ.items() if name.startswith("PENALTY_")}
    env["PATH"] = os.environ.get("PATH", "")
    runs = [
        ([*script, "tiki", "cancel", "5101", "--comment", "x"], EXIT_OK),
        ([*script, "tiki", "cancel", "5101", "--comment", "x"], EXIT_FAILED),
        ([*script, "gotadi", "check", "NOPE"], EXIT_FAILED),
    ]
    for argv, expected in runs:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == expected, done.stderr
        assert "Traceback" not in done.stderr


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


# -- every provider command through every kind of answer -----------------------------------------


def _gotadi_cancel(booking_number: str, *extra: str) -> list[str]:
    """``penalty gotadi cancel`` with seed 001's booking, quoted inside its windows (polling
    within 2 s: the first poll after 0.1 s)."""
    booking = str(FIXTURES / "booking.json")
    wait = [] if "--wait" in extra else ["--wait", "2"]
    return ["gotadi", "cancel", booking_number, "--booking", booking, "--at", AT, *wait, *extra]


#: Each provider command, with an id its sandbox answers normally.
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "gotadi-check": ("gotadi", ["gotadi", "check", "EX3"]),
    "gotadi-cancel": ("gotadi", _gotadi_cancel("EX3")),
    "gotadi-status": ("gotadi", ["gotadi", "status", "EX3"]),
    "tiki-cancel": ("tiki", ["tiki", "cancel", "7001", "--comment", "guest cancelled"]),
    "ksher-cancel": ("ksher", ["ksher", "cancel", "BK-7001"]),
    "ksher-query": ("ksher", ["ksher", "query", "BK-7001"]),
}


def _answer(status: int, body: bytes = b"", **headers: str) -> SandboxResponse:
    return SandboxResponse(status=status, body=body, headers=dict(headers))


#: What the fault server answers to every request, and the exit code that answer must give.
FAULTS: dict[str, tuple[SandboxResponse, int]] = {
    # A refusal: the provider (or a gateway in front of it) heard the request and said no.
    "400-json": (
        _answer(400, b'{"error": "bad request"}', **{"Content-Type": "application/json"}),
        EXIT_FAILED,
    ),
    "401": (_answer(401, b"Unauthorized"), EXIT_FAILED),
    "403-html": (
        _answer(403, b"<html>Forbidden</html>", **{"Content-Type": "text/html"}),
        EXIT_FAILED,
    ),
    "404": (_answer(404, b"Not Found"), EXIT_FAILED),
    "409-empty": (_answer(409), EXIT_FAILED),
    # Not now: try later.
    "408": (_answer(408, b"Request Timeout"), EXIT_PROVIDER),
    "429": (_answer(429, b"slow down", **{"Retry-After": "0"}), EXIT_PROVIDER),
    "500": (_answer(500, b"Internal Server Error"), EXIT_PROVIDER),
    "503": (_answer(503, b"Service Unavailable"), EXIT_PROVIDER),
    # Garbage: an answer that cannot be believed.
    "200-html": (_answer(200, b"<html>hello</html>"), EXIT_PROVIDER),
    "200-truncated": (SandboxResponse.json('{"data": {"', truncate=True), EXIT_PROVIDER),
    "200-wrong-shape": (SandboxResponse.json('{"hello": "world"}'), EXIT_PROVIDER),
    "302-redirect": (_answer(302, Location="https://elsewhere.example/login"), EXIT_PROVIDER),
    # Unreachable.
    "reset": (SandboxResponse(reset=True), EXIT_PROVIDER),
    "timeout": (SandboxResponse(status=200, body=b"{}", delay=SLOW), EXIT_PROVIDER),
}


@dataclass
class FaultServer:
    """One server for every fault case: it answers ``answer`` and counts the requests."""

    url: str
    answer: SandboxResponse
    seen: int = 0

    def __call__(self, _request: SandboxRequest) -> SandboxResponse:
        self.seen += 1
        return self.answer


@pytest.fixture(scope="module")
def fault_server() -> Iterator[FaultServer]:
    """The fault server, for the module (each case sets its answer)."""
    state = FaultServer("", SandboxResponse())
    with SandboxServer(state) as server:
        state.url = server.url
        yield state


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_through_every_fault(
    command: str,
    fault: str,
    servers: Servers,
    fault_server: FaultServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 4xx refusal is 1; 408, 429, 5xx, garbage, a redirect, a reset, a timeout are 3."""
    provider, argv = COMMANDS[command]
    fault_server.answer, expected = FAULTS[fault]
    fault_server.seen = 0
    suffix = {"gotadi": "", "tiki": "/tiniapp-open-api", "ksher": "/api"}[provider]
    monkeypatch.setenv(f"PENALTY_{provider.upper()}_BASE_URL", fault_server.url + suffix)
    if fault == "timeout":
        monkeypatch.setenv(f"PENALTY_{provider.upper()}_TIMEOUT", SHORT_TIMEOUT)
    code, err = _run(argv, capsys)
    assert code == expected, err
    assert fault_server.seen, "the request reached the fault server"
    label = "provider refused" if expected == EXIT_FAILED else "provider error"
    assert err.startswith(f"penalty: {label}: ")
    assert f"{provider}: " in err


def test_a_closed_port_is_unreachable(
    servers: Servers, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Connection refused, for every command: exit 3."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    monkeypatch.setenv("PENALTY_GOTADI_BASE_URL", url)
    monkeypatch.setenv("PENALTY_TIKI_BASE_URL", url + "/tiniapp-open-api")
    monkeypatch.setenv("PENALTY_KSHER_BASE_URL", url + "/api")
    for command, (_, argv) in sorted(COMMANDS.items()):
        code, err = _run(argv, capsys)
        assert code == EXIT_PROVIDER, command
        assert "connection failed" in err, command


#: Each command against its real sandbox, steered by an id: (argv, exit code, words on stderr
#: or stdout). The sandboxes' own refusals are 1, their faults 3, their successes 0.
SANDBOX_CASES: dict[str, tuple[list[str], int, str]] = {
    # gotadi check
    "gotadi-check-ok": (["gotadi", "check", "EX3"], EXIT_OK, "ALLOW_CANCELLATION"),
    "gotadi-check-not-allowed": (
        ["gotadi", "check", "EX3-NOT-ALLOWED"],
        EXIT_OK,
        "NOT_ALLOW_CANCELLATION",
    ),
    "gotadi-check-404": (["gotadi", "check", "NOPE"], EXIT_FAILED, "HTTP 404"),
    "gotadi-check-5xx-then-ok": (["gotadi", "check", "EX3-CHECK-5XX"], EXIT_OK, "ALLOW"),
    # gotadi cancel
    "gotadi-cancel-ok": (_gotadi_cancel("EX3"), EXIT_OK, "result: confirmed"),
    "gotadi-cancel-404": (
        _gotadi_cancel("NOPE"),
        EXIT_FAILED,
        "HTTP 404",
    ),
    "gotadi-cancel-not-allowed": (
        _gotadi_cancel("EX3-NOT-ALLOWED"),
        EXIT_FAILED,
        "result: not_allowed",
    ),
    "gotadi-cancel-expired": (
        _gotadi_cancel("EX3-EXPIRED"),
        EXIT_FAILED,
        "result: expired",
    ),
    "gotadi-cancel-mismatch": (
        _gotadi_cancel("EX3-MISMATCH-ALWAYS"),
        EXIT_FAILED,
        "result: mismatch",
    ),
    "gotadi-cancel-rejected": (
        _gotadi_cancel("EX3-E02"),
        EXIT_FAILED,
        "result: rejected",
    ),
    "gotadi-cancel-pending": (
        _gotadi_cancel("EX3-WAITING-FOREVER", "--wait", "0.01"),
        EXIT_FAILED,
        "result: pending",
    ),
    "gotadi-cancel-5xx-then-confirmed": (
        _gotadi_cancel("EX3-5XX"),
        EXIT_OK,
        "result: confirmed",
    ),
    # After sending, an answer that cannot be believed is not the end: the signed status is.
    "gotadi-cancel-bad-signature": (
        _gotadi_cancel("EX3-BAD-SIGNATURE"),
        EXIT_OK,
        "signature does not verify: not a verified answer",
    ),
    "gotadi-cancel-tampered": (
        _gotadi_cancel("EX3-TAMPERED"),
        EXIT_OK,
        "not a verified answer",
    ),
    "gotadi-cancel-garbage": (
        _gotadi_cancel("EX3-GARBAGE"),
        EXIT_OK,
        "not JSON",
    ),
    # gotadi status (a cancellation that exists is in test_gotadi_status_after_a_cancel)
    "gotadi-status-none": (["gotadi", "status", "EX3"], EXIT_FAILED, "error 02"),
    "gotadi-status-unknown": (["gotadi", "status", "NOPE"], EXIT_FAILED, "error 02"),
    # tiki cancel
    "tiki-cancel-ok": (["tiki", "cancel", "7101", "--comment", "x"], EXIT_OK, "cancelled"),
    "tiki-cancel-known-cancelled": (
        ["tiki", "cancel", "7102", "--comment", "x", "--status", "canceled"],
        EXIT_OK,
        "already cancelled",
    ),
    "tiki-cancel-already-cancelled": (
        ["tiki", "cancel", "canceled-7103", "--comment", "x"],
        EXIT_FAILED,
        "HTTP 400",
    ),
    "tiki-cancel-completed": (
        ["tiki", "cancel", "completed-7104", "--comment", "x"],
        EXIT_FAILED,
        "HTTP 400",
    ),
    "tiki-cancel-missing": (
        ["tiki", "cancel", "missing-7105", "--comment", "x"],
        EXIT_FAILED,
        "HTTP 404",
    ),
    "tiki-cancel-bad-credentials": (
        ["tiki", "cancel", "badsig-7106", "--comment", "x"],
        EXIT_FAILED,
        "HTTP 401",
    ),
    "tiki-cancel-503": (
        ["tiki", "cancel", "fail-7107", "--comment", "x"],
        EXIT_PROVIDER,
        "HTTP 503",
    ),
    "tiki-cancel-garbage": (
        ["tiki", "cancel", "garbage-7108", "--comment", "x"],
        EXIT_PROVIDER,
        "not JSON",
    ),
    "tiki-cancel-truncated": (
        ["tiki", "cancel", "truncated-7109", "--comment", "x"],
        EXIT_PROVIDER,
        "connection failed",
    ),
    "tiki-cancel-reset": (
        ["tiki", "cancel", "reset-7110", "--comment", "x"],
        EXIT_PROVIDER,
        "connection failed",
    ),
    # ksher cancel
    "ksher-cancel-ok": (["ksher", "cancel", "BK-7201"], EXIT_OK, "cancelled"),
    "ksher-cancel-already-cancelled": (
        ["ksher", "cancel", "cancelled-7202"],
        EXIT_OK,
        "already cancelled",
    ),
    "ksher-cancel-already-paid": (["ksher", "cancel", "paid-7203"], EXIT_FAILED, "already paid"),
    "ksher-cancel-missing": (["ksher", "cancel", "missing-7204"], EXIT_FAILED, "code -3"),
    "ksher-cancel-stuck": (["ksher", "cancel", "stuck-7205"], EXIT_FAILED, "code -6"),
    "ksher-cancel-bad-signature": (["ksher", "cancel", "badsig-7206"], EXIT_PROVIDER, "signature"),
    "ksher-cancel-502": (["ksher", "cancel", "fail-7207"], EXIT_PROVIDER, "HTTP 502"),
    "ksher-cancel-garbage": (["ksher", "cancel", "garbage-7208"], EXIT_PROVIDER, "not JSON"),
    "ksher-cancel-truncated": (
        ["ksher", "cancel", "truncated-7209"],
        EXIT_PROVIDER,
        "connection failed",
    ),
    "ksher-cancel-reset": (["ksher", "cancel", "reset-7210"], EXIT_PROVIDER, "connection failed"),
    # ksher query
    "ksher-query-ok": (["ksher", "query", "BK-7301"], EXIT_OK, "NOTPAY"),
    "ksher-query-missing": (["ksher", "query", "missing-7302"], EXIT_FAILED, "code -3"),
    "ksher-query-bad-signature": (["ksher", "query", "badsig-7303"], EXIT_PROVIDER, "signature"),
}


@pytest.mark.parametrize("case", sorted(SANDBOX_CASES))
def test_every_command_against_its_sandbox(
    case: str, servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """What each sandbox can be told to do: its successes 0, its refusals 1, its faults 3."""
    argv, expected, words = SANDBOX_CASES[case]
    code = main(argv)
    out = capsys.readouterr()
    assert code == expected, out.err
    assert words in out.out + out.err
    assert out.err.count("\n") <= 1


def test_a_bare_4xx_to_a_sent_gotadi_cancel_is_not_believed(
    servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 404 without a signed envelope (a proxy's) answering the cancellation that reached
    Gotadi is not the cancellation's fate: the flow asks the (signed) status, which says
    confirmed: exit 0."""
    gotadi = servers.gotadi

    def cancel_refused(request: SandboxRequest) -> SandboxResponse:
        answer = gotadi(request)
        if request.path.endswith("/api/partner/cancellation"):
            return _answer(404, b"Not Found")
        return answer

    with SandboxServer(cancel_refused) as server:
        argv = [*_gotadi_cancel("EX3"), "--base-url", server.url, "--json"]
        code = main(argv)
    result = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK
    assert result["state"] == "confirmed"
    steps = {step["action"]: step for step in result["trail"]}
    assert "not a verified answer" in steps["cancel"]["text"]
    assert steps["status"]["status"] == "CANCEL_CONFIRMED"
    assert gotadi.count("cancel") == 1


def test_a_bare_4xx_to_every_gotadi_status_poll_ends_pending(
    servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once the cancellation was sent, its answer and every status poll are a 403 without a
    signed envelope: the cancellation's fate is unknown, so the flow ends pending at --wait
    (exit 1), never "rejected"."""
    gotadi = servers.gotadi

    def refused(request: SandboxRequest) -> SandboxResponse:
        sent = gotadi.count("cancel") > 0
        answer = gotadi(request)
        if request.path.startswith("/api/partner/") and (sent or "check" not in request.path):
            return _answer(403, b"Forbidden")
        return answer

    with SandboxServer(refused) as server:
        argv = [*_gotadi_cancel("EX3"), "--base-url", server.url, "--json"]
        code = main([*argv, "--wait", "0.3"])
    result = json.loads(capsys.readouterr().out)
    assert code == EXIT_FAILED
    assert result["state"] == "pending"
    assert result["provider_code"] is None


#: Bad input for each command: (argv, the field named on stderr). Nothing may be sent.
BAD_INPUT: dict[str, tuple[list[str], str]] = {
    "gotadi-check-separator": (["gotadi", "check", "EX|3"], "booking_number"),
    "gotadi-check-no-booking-file": (
        ["gotadi", "check", "EX3", "--booking", "/nonexistent.json"],
        "booking",
    ),
    "gotadi-cancel-naive-at": ([*_gotadi_cancel("EX3")[:-3], "2021-05-13T09:00"], "--at"),
    "gotadi-cancel-bad-wait": ([*_gotadi_cancel("EX3"), "--wait", "soon"], "--wait"),
    "gotadi-cancel-nan-wait": ([*_gotadi_cancel("EX3"), "--wait", "nan"], "--wait"),
    "gotadi-cancel-negative-wait": ([*_gotadi_cancel("EX3"), "--wait", "-1"], "--wait"),
    "gotadi-cancel-infinite-wait": ([*_gotadi_cancel("EX3"), "--wait", "inf"], "--wait"),
    "gotadi-status-spaces": (["gotadi", "status", " EX3"], "booking_number"),
    "tiki-cancel-empty-comment": (["tiki", "cancel", "7401", "--comment", " "], "comment"),
    "tiki-cancel-known-completed": (
        ["tiki", "cancel", "7402", "--comment", "x", "--status", "completed"],
        "known_status",
    ),
    "ksher-cancel-empty": (["ksher", "cancel", " "], "mch_order_no"),
    "ksher-query-empty": (["ksher", "query", ""], "mch_order_no"),
    "tiki-cancel-unknown-flag": (
        ["tiki", "cancel", "7403", "--comment", "x", "--refund"],
        "--refund",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_exits_2_and_sends_nothing(
    case: str, servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input, usage or configuration: exit 2, one line naming the field, nothing sent."""
    argv, field = BAD_INPUT[case]
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code if isinstance(exit_.code, int) else -1
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert field in err
    assert err.count("\n") == 1
    assert not servers.gotadi.seen
    assert not servers.tiki.seen
    assert not servers.ksher.seen


@pytest.mark.parametrize("provider", ["gotadi", "tiki", "ksher"])
def test_a_missing_setting_exits_2(
    provider: str,
    servers: Servers,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Configuration is input too: a base URL that is not https (nor loopback) is exit 2."""
    monkeypatch.setenv(f"PENALTY_{provider.upper()}_BASE_URL", "http://gateway.example")
    argv = next(argv for _, (name, argv) in sorted(COMMANDS.items()) if name == provider)
    code, err = _run(argv, capsys)
    assert code == EXIT_USAGE
    assert "base_url" in err


def test_gotadi_status_after_a_cancel(servers: Servers, capsys: pytest.CaptureFixture[str]) -> None:
    """status of a booking cancelled just before: the sandbox says CANCEL_CONFIRMED, exit 0."""
    assert main(_gotadi_cancel("EX3")) == EXIT_OK
    capsys.readouterr()
    assert main(["gotadi", "status", "EX3"]) == EXIT_OK
    assert "CANCEL_CONFIRMED" in capsys.readouterr().out


def test_a_rerun_of_gotadi_cancel_after_pending_sends_nothing_more(
    servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """pending (exit 1), then the same command: it follows the cancellation under way, sends
    nothing, and ends pending again; one cancellation in all."""
    argv = _gotadi_cancel("EX3-WAITING-FOREVER", "--wait", "0.01")
    assert main(argv) == EXIT_FAILED
    assert main(argv) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "a cancellation is under way; following it" in out
    assert servers.gotadi.count("cancel") == 1


def test_a_gotadi_total_mismatch_stops_by_default(
    servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """EX1's cancelPenaltyTotal (0.0) is not our fee: exit 1, nothing sent, unless told."""
    code = main(_gotadi_cancel("EX1"))
    assert code == EXIT_FAILED
    assert "result: total_mismatch" in capsys.readouterr().out
    assert servers.gotadi.count("cancel") == 0
    assert main([*_gotadi_cancel("EX1"), "--on-total-mismatch", "ours"]) == EXIT_OK
    assert servers.gotadi.count("cancel") == 1


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["sandbox", "gotadi", "--port", "70000"], "--port"),
        (["sandbox", "tiki", "--port", "-1"], "--port"),
        (["sandbox", "ksher", "--slow-delay", "nan"], "--slow-delay"),
        (["sandbox", "gotadi", "--slow-delay", "inf"], "--slow-delay"),
    ],
    ids=["port-70000", "port-negative", "slow-nan", "slow-inf"],
)
def test_sandbox_arguments_out_of_range_exit_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A port outside 0-65535 or a delay that is not finite and positive: exit 2, one line."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert words in err
    assert err.count("\n") == 1


def test_a_sandbox_without_the_server_extra_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without uvicorn (the server extra) ``penalty sandbox`` says which extra, exit 2."""
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["sandbox", "tiki"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "penalty[server]" in err
    assert err.count("\n") == 1
