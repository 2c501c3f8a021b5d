"""``penalty tiki cancel`` against the sandbox: output, exit codes, config, and no secret leaks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from penalty.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from penalty.cli import tiki as tiki_cli
from penalty.errors import PenaltyError
from penalty.providers._sandbox import SandboxServer
from penalty.providers.tiki import Client, Config, Sandbox, TikiOutcome

#: Test secret: no output, repr or error message may ever contain it.
SECRET = "TEST-ONLY-tiki-secret-4b1d9e"
KEY = "TEST-ONLY-tiki-key"


@pytest.fixture
def sandbox() -> Sandbox:
    """A sandbox that expects this module's test key and secret."""
    return Sandbox(client_key=KEY, client_secret=SecretStr(SECRET), slow_delay=1.0)


@pytest.fixture
def env(sandbox: Sandbox, server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """``PENALTY_TIKI_*`` pointing at the running sandbox."""
    values = {
        "PENALTY_TIKI_BASE_URL": server.url + "/tiniapp-open-api",
        "PENALTY_TIKI_CLIENT_KEY": KEY,
        "PENALTY_TIKI_CLIENT_SECRET": SECRET,
        "PENALTY_TIKI_TIMEOUT": "0.3",
    }
    monkeypatch.delenv("PENALTY_TIKI_CONFIG", raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.mark.usefixtures("env")
def test_cancel_prints_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    """A cancel prints the order, its status and total in VND, and the refund note; exit 0."""
    code = main(["tiki", "cancel", "77062110977884170", "--comment", "Hết phòng"])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert (
        "tiki order 77062110977884170: cancelled (status canceled, grand total 1,250,000 VND)"
        in out
    )
    assert "refunds" in out


@pytest.mark.usefixtures("env")
def test_cancel_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints one JSON object with the outcome and the order."""
    assert main(["tiki", "cancel", "9", "--comment", "x", "--page-path", "/o/9", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["outcome"] == "cancelled"
    assert document["order"] == {"id": "9", "status": "canceled", "grand_total": 1250000}


@pytest.mark.usefixtures("env")
def test_known_completed_exits_2(capsys: pytest.CaptureFixture[str], sandbox: Sandbox) -> None:
    """``--status completed`` is refused before sending: exit 2, one line on stderr."""
    assert main(["tiki", "cancel", "9", "--comment", "x", "--status", "completed"]) == EXIT_USAGE
    assert "completed Tiki order cannot be cancelled" in capsys.readouterr().err
    assert not sandbox.seen


@pytest.mark.usefixtures("env")
def test_rejection_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A refused cancel (order not found, 404) exits 1 with Tiki's words on stderr."""
    assert main(["tiki", "cancel", "missing-1", "--comment", "x"]) == EXIT_FAILED
    assert "order not found" in capsys.readouterr().err


def test_missing_secret_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a secret the CLI exits 2 naming PENALTY_TIKI_CLIENT_SECRET."""
    for name in ("CONFIG", "CLIENT_SECRET", "BASE_URL"):
        monkeypatch.delenv(f"PENALTY_TIKI_{name}", raising=False)
    monkeypatch.setenv("PENALTY_TIKI_CLIENT_KEY", KEY)
    assert main(["tiki", "cancel", "1", "--comment", "x"]) == EXIT_USAGE
    assert "PENALTY_TIKI_CLIENT_SECRET" in capsys.readouterr().err


def test_config_file_and_env_precedence(tmp_path: Path) -> None:
    """Settings come from the ``[tiki]`` table, and environment variables win over it."""
    config = tmp_path / "penalty.toml"
    config.write_text(
        '[tiki]\nclient_key = "from-file"\nclient_secret = "s"\n'
        'base_url = "https://api.tiki.vn/tiniapp-sandbox-open-api"\n',
        encoding="utf-8",
    )
    settings = Config.load(config_file=config, environ={})
    assert (settings.client_key, settings.base_url) == (
        "from-file",
        "https://api.tiki.vn/tiniapp-sandbox-open-api",
    )
    settings = Config.load(config_file=config, environ={"PENALTY_TIKI_CLIENT_KEY": "env"})
    assert settings.client_key == "env"


_BASE = '[tiki]\nclient_key = "k"\nclient_secret = "s"\n'


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (_BASE + 'base_url = "http://example.com"\n', "https"),
        (_BASE + 'secret = "typo"\n', "is not a setting"),
        ("[gotadi]\n", "no [tiki] table"),
        ("not toml ===", "not TOML"),
    ],
    ids=["plain-http", "unknown-key", "no-table", "not-toml"],
)
def test_bad_config_is_invalid_input(tmp_path: Path, text: str, fragment: str) -> None:
    """Plain http to a public host, unknown keys, a missing table or bad TOML: InvalidInput."""
    config = tmp_path / "penalty.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(PenaltyError, match=fragment.replace("[", r"\[")):
        Config.load(config_file=config, environ={})


def test_secret_never_shown(
    env: dict[str, str],
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No CLI output, repr or error text contains the client secret, on any path."""
    texts: list[str] = []
    runs = [
        ["tiki", "cancel", "1", "--comment", "x"],
        ["tiki", "cancel", "1", "--comment", "x"],  # already canceled: rejected
        ["tiki", "cancel", "1", "--comment", "x", "--json"],
        ["tiki", "cancel", "slow-2", "--comment", "x"],
        ["tiki", "cancel", "garbage-3", "--comment", "x"],
        ["tiki", "cancel", "4", "--comment", "x", "--status", "completed"],
        ["tiki", "cancel", "5", "--comment", "x", "--base-url", "http://example.com"],
    ]
    for argv in runs:
        main(argv)
        captured = capsys.readouterr()
        texts += [captured.out, captured.err]
    monkeypatch.setenv("PENALTY_TIKI_CLIENT_SECRET", "wrong-" + SECRET)
    main(["tiki", "cancel", "6", "--comment", "x"])
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    settings = Config.load(environ=env)
    client = Client(settings)
    texts += [
        repr(settings),
        str(settings),
        repr(client),
        repr(sandbox),
        str(settings.model_dump()),
    ]
    client.close()
    sandbox.outcomes.force = TikiOutcome.BAD_SIGNATURE
    with Client(settings) as client, pytest.raises(PenaltyError) as info:
        client.cancel_order("7", "x")
    texts += [str(info.value), repr(info.value)]
    for text in texts:
        assert SECRET not in text
    assert any("cancelled" in text for text in texts)


def _exports(banner: str) -> dict[str, str]:
    pairs = (line.strip().removeprefix("export ").split("=", 1) for line in banner.splitlines())
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2 and pair[0].startswith("PENALTY_")}


def test_sandbox_hooks_banner_points_the_cli_at_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``penalty sandbox tiki``'s handler and banner: the printed exports make a cancel work."""
    args = argparse.Namespace(slow_delay=0.5, config=None)
    handler = tiki_cli.sandbox_handler(args, {})
    with SandboxServer(handler) as server:
        banner = tiki_cli.sandbox_banner(server.url, args, handler)
        exports = _exports(banner)
        assert set(exports) == {
            "PENALTY_TIKI_BASE_URL",
            "PENALTY_TIKI_CLIENT_KEY",
            "PENALTY_TIKI_CLIENT_SECRET",
        }
        monkeypatch.delenv("PENALTY_TIKI_CONFIG", raising=False)
        for name, value in exports.items():
            monkeypatch.setenv(name, value)
        assert main(["tiki", "cancel", "123", "--comment", "x"]) == EXIT_OK
    assert "cancelled" in capsys.readouterr().out
    assert "TEST-ONLY" in banner
